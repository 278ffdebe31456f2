//! `loupe auth`: who am I, can I, who can, why; printed as `kubectl auth` prints them.

use crate::session::Session;
use loupe_core::CoreError;
use std::process::ExitCode;

/// Subcommands of `loupe auth`.
#[derive(clap::Subcommand)]
pub enum AuthCommand {
    /// Shows the identity the API server sees (as `kubectl auth whoami`).
    Whoami,
}

/// Runs a `loupe auth` subcommand.
pub async fn run(_session: &Session, _cmd: AuthCommand) -> Result<ExitCode, CoreError> {
    Err(CoreError::InvalidArgument(
        "loupe auth is not built yet".into(),
    ))
}
