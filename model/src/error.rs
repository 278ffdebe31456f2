use serde::{Deserialize, Serialize};
use std::fmt;

/// What went wrong, as a category the UI can branch on (icon, wording, which view to link).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// A kubeconfig file could not be parsed as YAML or has the wrong shape.
    KubeconfigParse,
    /// A kubeconfig file could not be read (permissions, I/O).
    KubeconfigRead,
    /// A named context, cluster or user does not exist.
    NotFound,
    /// The requested operation is not valid in the current state (e.g. no current context).
    InvalidState,
    /// The backend failed in a way that is not the user's fault.
    Internal,
    /// A request to a cluster failed; the error's `diagnosis` explains why.
    Cluster,
}

/// An error as the UI receives it: a category, a plain-language message and, where we know one,
/// a hint that says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UiError {
    /// Category of the failure.
    pub kind: ErrorKind,
    /// What happened, in one sentence.
    pub message: String,
    /// How to fix it, when there is a known remedy.
    pub hint: Option<String>,
    /// For [`ErrorKind::Cluster`]: the plain-language diagnosis (x509, 401, 403, refused, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<Box<crate::Diagnosis>>,
}

impl UiError {
    /// An error of `kind` with `message` and no hint.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: None,
            diagnosis: None,
        }
    }

    /// Adds a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for UiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for UiError {}
