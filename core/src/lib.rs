//! Loupe's core: everything that talks to kubeconfig files and Kubernetes API servers.
//!
//! This crate knows nothing about windows or webviews. The Tauri shell, the `loupe` CLI and the
//! tests all call the same functions here, so what the UI shows is what the CLI prints.
#![forbid(unsafe_code)]

pub mod backoff;
pub mod cluster;
pub mod error;
pub mod kubeconfig;
pub mod logs;
pub mod rbac;
pub mod resources;
pub mod table;
pub mod tasks;

pub use error::CoreError;
