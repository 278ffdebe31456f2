//! Typed errors of the core, each able to explain itself to a newcomer.

use crate::kubeconfig::go_quote;
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
    /// `use-context` of a context that no file defines.
    #[error("no context exists with the name: {}", go_quote(.name))]
    NoSuchContext {
        /// The name asked for.
        name: String,
    },
    /// `delete-context`, `delete-cluster` or `delete-user` of an entry that no file defines.
    /// `file` is the file kubectl names (its default file, not necessarily the right one).
    #[error("cannot delete {section} {name}, not in {}", .file.display())]
    CannotDelete {
        /// `context`, `cluster` or `user`.
        section: &'static str,
        /// The name asked for.
        name: String,
        /// The file named in the message.
        file: PathBuf,
    },
    /// `rename-context` from a name that does not exist, or to one that does.
    #[error("{}", format_rename(.from, .existing.as_deref(), .file))]
    CannotRename {
        /// The context to rename.
        from: String,
        /// The new name, when that is the one that already exists.
        existing: Option<String>,
        /// The file named in the message.
        file: PathBuf,
    },
    /// A `config` command was given arguments kubectl refuses (kubectl's wording).
    #[error("{0}")]
    InvalidArgument(String),
    /// `config view --minify` cannot find what the current context refers to (kubectl's wording).
    #[error("{0}")]
    Minify(String),
    /// A lock file of the chain already exists, so another writer is busy (or crashed).
    #[error("open {}: {reason}", .lock.display())]
    Locked {
        /// The `.lock` file.
        lock: PathBuf,
        /// Why it could not be created, as Go words it (`file exists`).
        reason: String,
    },
    /// Writing a kubeconfig file (or its backup) failed; the original is unchanged.
    #[error("cannot write kubeconfig {}: {source}", .path.display())]
    WriteKubeconfig {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An edit could not be made without risk to the file's content; nothing was written.
    #[error("refusing to edit {}: {reason}", .path.display())]
    UnsafeEdit {
        /// The file.
        path: PathBuf,
        /// What made the edit unsafe.
        reason: String,
    },
    /// A file the kubeconfig refers to (CA, client certificate or key) could not be read.
    #[error("open {}: {reason}", .path.display())]
    ReadReferenced {
        /// The resolved path.
        path: PathBuf,
        /// Why, as Go words it (`no such file or directory`).
        reason: String,
    },
    /// The exec plugin trust store could not be read or written.
    #[error("exec trust store {}: {reason}", .path.display())]
    ExecTrust {
        /// The store's file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// An exec plugin approval was asked for a context whose user runs no command.
    #[error("context \"{0}\" runs no credential plugin")]
    NoExecPlugin(String),
    /// Loupe's list of imported kubeconfig files could not be read or written.
    #[error("kubeconfig source list {}: {reason}", .path.display())]
    Sources {
        /// The list's file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A file to import is missing or is not a kubeconfig.
    #[error("cannot import {} as a kubeconfig: {reason}", .path.display())]
    ImportKubeconfig {
        /// The file.
        path: PathBuf,
        /// Why not.
        reason: String,
    },
    /// A user entry has no such secret to reveal.
    #[error("user \"{user}\" has no {field}")]
    NoSecret {
        /// The user entry.
        user: String,
        /// `token`, `password`, `client-key` or `client-certificate`.
        field: &'static str,
    },
    /// A `KIND` argument names no resource the server serves (kubectl's wording).
    #[error("the server doesn't have a resource type {}", go_quote(.0))]
    UnknownResourceType(String),
    /// A context could not be connected, so a request was not sent.
    #[error("{}", .diagnosis.title)]
    NotConnected {
        /// The context.
        context: String,
        /// Why the connection failed.
        diagnosis: Box<loupe_model::Diagnosis>,
    },
    /// A log view could not be opened or went wrong; the message is kubectl's wording.
    #[error("{message}")]
    Logs {
        /// The category, for the view.
        problem: loupe_model::logs::LogProblem,
        /// What happened (kubectl's text where kubectl has one).
        message: String,
    },
    /// A connection to a cluster or a request to its API server failed.
    #[error("{}", .diagnosis.message)]
    Cluster {
        /// The context the request went to.
        context: String,
        /// What went wrong, in plain words, with the fix (secrets already redacted).
        diagnosis: Box<loupe_model::Diagnosis>,
        /// The underlying failure.
        #[source]
        source: Box<crate::cluster::ClusterError>,
    },
    /// A change to an object was refused before it was sent (bad YAML, wrong object) or by the
    /// API server in a way worth its own words (a resourceVersion conflict).
    #[error("{message}")]
    Change {
        /// What went wrong.
        problem: crate::resources::change::ChangeProblem,
        /// In plain words (with the line and column for bad YAML).
        message: String,
    },
    /// The local action log could not be written or read.
    #[error("cannot use the action log {}: {reason}", .path.display())]
    ActionLog {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

fn format_rename(from: &str, existing: Option<&str>, file: &std::path::Path) -> String {
    match existing {
        None => format!(
            "cannot rename the context {}, it's not in {}",
            go_quote(from),
            file.display()
        ),
        Some(to) => format!(
            "cannot rename the context {}, the context {} already exists in {}",
            go_quote(from),
            go_quote(to),
            file.display()
        ),
    }
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
            CoreError::NoSuchContext { .. } => UiError::new(ErrorKind::NotFound, self.to_string())
                .with_hint("Context names are case-sensitive. List them with `kubectl config get-contexts -o name`."),
            CoreError::CannotDelete { section, .. } => UiError::new(ErrorKind::NotFound, self.to_string()).with_hint(format!(
                "No file of the chain defines this {section}. kubectl names its default file in this message, even when the entry would live elsewhere."
            )),
            CoreError::CannotRename { existing: None, .. } => UiError::new(ErrorKind::NotFound, self.to_string())
                .with_hint("List the contexts you have with `kubectl config get-contexts -o name`."),
            CoreError::CannotRename { existing: Some(_), .. } => UiError::new(ErrorKind::InvalidState, self.to_string())
                .with_hint("Pick a name no file uses yet, or delete the other context first."),
            CoreError::InvalidArgument(_) => UiError::new(ErrorKind::InvalidState, self.to_string())
                .with_hint("Check the command's arguments; `kubectl config --help` lists the forms."),
            CoreError::Minify(_) => UiError::new(ErrorKind::NotFound, self.to_string()).with_hint(
                "--minify keeps the current (or --context) context and the cluster and user it names, so all three must exist.",
            ),
            CoreError::Locked { lock, .. } => UiError::new(ErrorKind::InvalidState, self.to_string()).with_hint(format!(
                "Another kubectl or Loupe is writing the kubeconfig. If none is running, a crashed one left {} behind: remove it and retry.",
                lock.display()
            )),
            CoreError::WriteKubeconfig { path, .. } => UiError::new(ErrorKind::KubeconfigRead, self.to_string()).with_hint(format!(
                "Check that you may write {} and its folder (ls -ld); the file was left as it was.",
                path.display()
            )),
            CoreError::UnsafeEdit { .. } => UiError::new(ErrorKind::InvalidState, self.to_string()).with_hint(
                "Loupe edits kubeconfig text in place and checks the result; this file has a shape it cannot edit safely, so nothing was written. Make the change by hand or with kubectl (which rewrites the file and drops comments).",
            ),
            CoreError::ReadReferenced { .. } => UiError::new(ErrorKind::KubeconfigRead, self.to_string()).with_hint(
                "Relative paths in a kubeconfig are resolved against the folder of the file that defines them. Fix the path or restore the file.",
            ),
            CoreError::ExecTrust { path, .. } => UiError::new(ErrorKind::Internal, self.to_string()).with_hint(format!(
                "Loupe keeps approved exec plugins in {}; check that it is readable and valid JSON, or delete it to start over.",
                path.display()
            )),
            CoreError::NoExecPlugin(_) => UiError::new(ErrorKind::InvalidState, self.to_string())
                .with_hint("Only users with an `exec:` section run a command; this one authenticates another way."),
            CoreError::Sources { path, .. } => UiError::new(ErrorKind::Internal, self.to_string()).with_hint(format!(
                "Loupe keeps the kubeconfig files you imported in {}; check that it is readable and valid JSON, or delete it to start over (your kubeconfig files are not touched).",
                path.display()
            )),
            CoreError::ImportKubeconfig { .. } => UiError::new(ErrorKind::KubeconfigParse, self.to_string()).with_hint(
                "Give the full path of a kubeconfig file: YAML with clusters (where), users (who) and contexts (which). Loupe keeps a reference to it, not a copy.",
            ),
            CoreError::NoSecret { .. } => UiError::new(ErrorKind::NotFound, self.to_string())
                .with_hint("The entry authenticates another way; its card lists how."),
            CoreError::UnknownResourceType(_) => UiError::new(ErrorKind::NotFound, self.to_string()).with_hint(
                "Kinds are named by plural, singular or short name (pods, pod, po), optionally with their group (deployments.apps). `kubectl api-resources` lists what this cluster serves; a CRD's kinds appear once it is installed.",
            ),
            CoreError::Logs { problem, .. } => crate::logs::diagnose(problem, self.to_string()),
            CoreError::Change { problem, .. } => crate::resources::change::diagnose(problem, self.to_string()),
            CoreError::ActionLog { path, .. } => UiError::new(ErrorKind::Internal, self.to_string()).with_hint(format!(
                "The change itself was made. Loupe keeps its action log in {}; check that the folder is writable by you.",
                path.display()
            )),
            CoreError::NotConnected { diagnosis, .. } | CoreError::Cluster { diagnosis, .. } => {
                let mut e = UiError::new(ErrorKind::Cluster, diagnosis.title.clone()).with_hint(diagnosis.fix.clone());
                e.diagnosis = Some(diagnosis.clone());
                e
            }
        }
    }
}

impl CoreError {
    /// The API server's `Status` answer, when this is a request the server refused (404, 403,
    /// 410, ...).
    pub fn api_status(&self) -> Option<&kube::core::Status> {
        match self {
            CoreError::Cluster { source, .. } => match source.as_ref() {
                crate::cluster::ClusterError::Kube(kube::Error::Api(s)) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    /// A cluster failure for `target`'s context, diagnosed (and redacted) against `target`.
    pub fn cluster(err: crate::cluster::ClusterError, target: &crate::cluster::Target) -> Self {
        CoreError::Cluster {
            context: target.context.clone(),
            diagnosis: Box::new(crate::cluster::diagnose(&err, target)),
            source: Box::new(err),
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
    fn edit_errors_match_kubectl_wording() {
        // Captured from kubectl v1.32.
        assert_eq!(
            CoreError::NoSuchContext {
                name: "nope".into()
            }
            .to_string(),
            "no context exists with the name: \"nope\""
        );
        assert_eq!(
            CoreError::CannotDelete {
                section: "context",
                name: "nope".into(),
                file: "/tmp/kx/a.yaml".into()
            }
            .to_string(),
            "cannot delete context nope, not in /tmp/kx/a.yaml"
        );
        assert_eq!(
            CoreError::CannotRename {
                from: "shared".into(),
                existing: Some("ctxB".into()),
                file: "/tmp/kx/a.yaml".into()
            }
            .to_string(),
            "cannot rename the context \"shared\", the context \"ctxB\" already exists in /tmp/kx/a.yaml"
        );
        assert_eq!(
            CoreError::Locked {
                lock: "/tmp/kx/b.yaml.lock".into(),
                reason: "file exists".into()
            }
            .to_string(),
            "open /tmp/kx/b.yaml.lock: file exists"
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
            CoreError::NoSuchContext { name: "x".into() },
            CoreError::UnknownResourceType("foo".into()),
            CoreError::CannotDelete {
                section: "cluster",
                name: "x".into(),
                file: "/k".into(),
            },
            CoreError::CannotRename {
                from: "a".into(),
                existing: None,
                file: "/k".into(),
            },
            CoreError::CannotRename {
                from: "a".into(),
                existing: Some("b".into()),
                file: "/k".into(),
            },
            CoreError::InvalidArgument("x".into()),
            CoreError::Minify("x".into()),
            CoreError::Locked {
                lock: "/k.lock".into(),
                reason: "file exists".into(),
            },
            CoreError::WriteKubeconfig {
                path: "/k".into(),
                source: std::io::Error::other("x"),
            },
            CoreError::UnsafeEdit {
                path: "/k".into(),
                reason: "x".into(),
            },
            CoreError::ReadReferenced {
                path: "/k".into(),
                reason: "x".into(),
            },
            CoreError::ExecTrust {
                path: "/k".into(),
                reason: "x".into(),
            },
        ];
        for e in errs {
            let d = e.diagnose();
            assert!(d.hint.is_some(), "{e}");
            assert_eq!(d.message, e.to_string());
        }
    }
}
