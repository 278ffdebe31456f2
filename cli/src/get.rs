//! `loupe get`: lists objects of any kind, printed as `kubectl get` prints them.

use crate::session::Session;
use loupe_core::CoreError;
use std::process::ExitCode;

/// Arguments of `loupe get`.
#[derive(clap::Args)]
pub struct GetArgs {
    /// The kind (pods, deploy, widgets.example.com, ...) and optional names.
    #[arg(required = true)]
    pub args: Vec<String>,
}

/// Runs `loupe get`.
pub async fn run(_session: &Session, _args: GetArgs) -> Result<ExitCode, CoreError> {
    Err(CoreError::InvalidArgument(
        "loupe get is not built yet".into(),
    ))
}
