//! Types of the log views (pod and workload logs) as they cross the IPC boundary.
