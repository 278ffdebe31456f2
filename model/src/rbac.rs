//! Types of the RBAC views (who am I, access matrix, why, who can) as they cross the IPC boundary.
