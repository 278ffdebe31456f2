//! Typed errors of the core, each able to explain itself to a newcomer.

use loupe_model::{ErrorKind, UiError};
use std::path::PathBuf;

/// Every failure the core reports. Each variant maps to a [`UiError`] with a plain-language hint.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// A kubeconfig file exists but could not be read.
    #[error("cannot read kubeconfig {path}: {source}")]
    ReadKubeconfig {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A kubeconfig file is not valid YAML or not shaped like a kubeconfig.
    #[error("error loading config file \"{path}\": {reason}")]
    ParseKubeconfig {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        reason: String,
    },
    /// No context is marked current.
    #[error("current-context is not set")]
    CurrentContextNotSet,
    /// The kubeconfig folders could not be watched for changes.
    #[error("cannot watch kubeconfig files for changes: {0}")]
    Watch(String),
    /// One or more named contexts do not exist.
    #[error("{}", format_not_found(.0))]
    ContextsNotFound(Vec<String>),
}

fn format_not_found(names: &[String]) -> String {
    let msgs: Vec<String> = names
        .iter()
        .map(|n| format!("context {n} not found"))
        .collect();
    // kubectl aggregates several errors as "[a, b]" and prints a single one bare.
    match msgs.as_slice() {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    }
}

impl CoreError {
    /// The error as the UI shows it: a category, the message, and how to fix it.
    pub fn diagnose(&self) -> UiError {
        match self {
            CoreError::ReadKubeconfig { path, .. } => UiError::new(ErrorKind::KubeconfigRead, self.to_string()).with_hint(format!(
                "Check that {} is readable by you (ls -l); kubeconfig files usually have mode 0600.",
                path.display()
            )),
            CoreError::ParseKubeconfig { .. } => UiError::new(ErrorKind::KubeconfigParse, self.to_string()).with_hint(
                "A kubeconfig is a YAML file with three lists: clusters (where), users (who) and contexts (which pair). Fix the YAML at the line named above; other files in KUBECONFIG still load.",
            ),
            CoreError::CurrentContextNotSet => UiError::new(ErrorKind::InvalidState, self.to_string()).with_hint(
                "No context is marked current, so kubectl would silently try http://localhost:8080. Pick one with `kubectl config use-context NAME`.",
            ),
            CoreError::Watch(_) => UiError::new(ErrorKind::Internal, self.to_string()).with_hint(
                "Changes made by kubectl will show after a restart. On Linux, raising fs.inotify.max_user_watches usually fixes this.",
            ),
            CoreError::ContextsNotFound(_) => UiError::new(ErrorKind::NotFound, self.to_string())
                .with_hint("List the contexts you have with `kubectl config get-contexts`."),
        }
    }
}

impl From<&CoreError> for UiError {
    fn from(e: &CoreError) -> Self {
        e.diagnose()
    }
}

impl From<CoreError> for UiError {
    fn from(e: CoreError) -> Self {
        e.diagnose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_matches_kubectl_wording() {
        assert_eq!(
            CoreError::ContextsNotFound(vec!["a".into()]).to_string(),
            "context a not found"
        );
        assert_eq!(
            CoreError::ContextsNotFound(vec!["a".into(), "b".into()]).to_string(),
            "[context a not found, context b not found]"
        );
    }

    #[test]
    fn every_diagnosis_has_a_hint() {
        let errs = [
            CoreError::CurrentContextNotSet,
            CoreError::ContextsNotFound(vec!["x".into()]),
            CoreError::ParseKubeconfig {
                path: "/k".into(),
                reason: "bad".into(),
            },
        ];
        for e in errs {
            let d = e.diagnose();
            assert!(d.hint.is_some(), "{e}");
            assert_eq!(d.message, e.to_string());
        }
    }
}
