//! Types of the resource browser (discovery, table rows, deltas, details) as they cross the IPC boundary.
