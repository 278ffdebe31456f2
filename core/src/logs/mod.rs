//! Container logs: one pod or whole workloads, streamed, followed and merged, with bounded memory.
