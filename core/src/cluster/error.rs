//! Why a connection could not be built or used. [`super::diagnose`] turns these into
//! plain-language [`loupe_model::Diagnosis`] values.

use std::path::PathBuf;
use std::time::Duration;

/// Every failure of the cluster module.
///
/// Messages never contain credentials: tokens and keys are not part of any variant, and the
/// kube-rs errors wrapped here are redacted again before they reach the UI.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No context was named and the kubeconfig marks none as current.
    #[error("current-context is not set")]
    NoCurrentContext,
    /// The named context does not exist in any kubeconfig file.
    #[error("context \"{context}\" does not exist")]
    ContextNotFound {
        /// The name asked for.
        context: String,
    },
    /// The context names a cluster no file defines (or names none).
    #[error("{}", missing_cluster_message(.context, .cluster))]
    MissingCluster {
        /// The context.
        context: String,
        /// The cluster it names; empty when it names none.
        cluster: String,
        /// The file that defines the context.
        origin: PathBuf,
    },
    /// A `clusters`, `users` or `contexts` entry is not shaped as kube-rs expects.
    #[error("{section} \"{name}\" in {} is malformed: {source}", .origin.display())]
    InvalidEntry {
        /// `cluster`, `user` or `context`.
        section: &'static str,
        /// The entry's name.
        name: String,
        /// The file that defines it.
        origin: PathBuf,
        /// What did not fit.
        #[source]
        source: serde_json::Error,
    },
    /// The user's `tokenFile` could not be read.
    #[error("cannot read tokenFile {}: {source}", .path.display())]
    TokenFile {
        /// The resolved path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The user's `tokenFile` is empty (client-go refuses it too).
    #[error("tokenFile {} is empty", .path.display())]
    EmptyTokenFile {
        /// The resolved path.
        path: PathBuf,
    },
    /// The user entry runs a credential plugin and the caller did not approve running it.
    #[error("the user entry runs the credential plugin `{command}`, which has not been approved")]
    ExecNotApproved {
        /// The plugin command as written in the kubeconfig.
        command: String,
        /// Its arguments.
        args: Vec<String>,
    },
    /// The credential plugin could not be found.
    #[error("exec: executable {command} not found")]
    ExecPluginMissing {
        /// The plugin command as written in the kubeconfig.
        command: String,
        /// The kubeconfig's `installHint`, if any.
        install_hint: Option<String>,
        /// Where Loupe looked: the resolved path, or the directories of `PATH`.
        searched: Vec<PathBuf>,
    },
    /// kube-rs rejected the assembled kubeconfig (bad URL, unreadable CA or key file, ...).
    #[error("{0}")]
    Kubeconfig(#[source] kube::config::KubeconfigError),
    /// kube-rs failed to build the client or a request failed.
    #[error("{0}")]
    Kube(#[source] kube::Error),
    /// No answer within the time Loupe allows.
    #[error("no answer from {server} within {} s ({stage})", .after.as_secs_f32())]
    Timeout {
        /// The server URL.
        server: String,
        /// What was being waited for.
        stage: &'static str,
        /// The limit that passed.
        after: Duration,
    },
    /// The background task that builds the client died (a bug, not a cluster problem).
    #[error("building the client failed: {0}")]
    Task(String),
}

fn missing_cluster_message(context: &str, cluster: &str) -> String {
    if cluster.is_empty() {
        format!("context \"{context}\" names no cluster")
    } else {
        format!(
            "context \"{context}\" points at cluster \"{cluster}\", which no kubeconfig file defines"
        )
    }
}
