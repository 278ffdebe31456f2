//! `loupe logs`: container logs, printed as `kubectl logs` prints them.

use crate::session::Session;
use loupe_core::CoreError;
use std::process::ExitCode;

/// Arguments of `loupe logs`.
#[derive(clap::Args)]
pub struct LogsArgs {
    /// The pod (or TYPE/NAME).
    pub target: Option<String>,
}

/// Runs `loupe logs`.
pub async fn run(_session: &Session, _args: LogsArgs) -> Result<ExitCode, CoreError> {
    Err(CoreError::InvalidArgument(
        "loupe logs is not built yet".into(),
    ))
}
