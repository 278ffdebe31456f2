use serde::{Deserialize, Serialize};

/// The merged view of the user's kubeconfig chain, as kubectl would see it, plus everything
/// kubectl hides: which file each entry came from, shadowed duplicates and per-file problems.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubeconfigOverview {
    /// Files in precedence order (first wins), with their load status.
    pub sources: Vec<SourceFile>,
    /// Where the chain came from: `--kubeconfig`, `KUBECONFIG` or the default path.
    pub chain_origin: String,
    /// Merged contexts, sorted by name as `kubectl config get-contexts` sorts them.
    pub contexts: Vec<ContextEntry>,
    /// The effective current-context (first non-empty value in the chain), if any.
    pub current_context: Option<String>,
    /// Entries defined in more than one file: the later definitions lose.
    pub shadowed: Vec<ShadowedEntry>,
    /// Problems worth telling the user about, most serious first.
    pub notices: Vec<Notice>,
}

impl KubeconfigOverview {
    /// True when no file in the chain could be loaded, i.e. the user has no kubeconfig at all.
    pub fn is_empty(&self) -> bool {
        self.sources
            .iter()
            .all(|s| s.status != SourceStatus::Loaded)
    }
}

/// One file of the kubeconfig chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceFile {
    /// Path as given (absolute where known).
    pub path: String,
    /// Whether it loaded.
    pub status: SourceStatus,
    /// The error, when it did not load.
    pub error: Option<String>,
    /// Number of contexts, clusters and users defined in this file.
    pub counts: [usize; 3],
}

/// Load status of one kubeconfig file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SourceStatus {
    /// Parsed (possibly with flagged entries).
    Loaded,
    /// The file does not exist (kubectl skips it silently; Loupe says so).
    Missing,
    /// The file exists but could not be read or parsed.
    Broken,
}

/// One context: WHICH pair of cluster (WHERE) and user (WHO) to use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextEntry {
    /// Context name.
    pub name: String,
    /// Name of the cluster it points at (WHERE).
    pub cluster: String,
    /// Name of the user it authenticates as (WHO).
    pub user: String,
    /// Default namespace, if the context sets one.
    pub namespace: Option<String>,
    /// True for the effective current-context (NOW).
    pub is_current: bool,
    /// File that defines this context (the one that won the merge).
    pub origin: String,
    /// The API server URL of its cluster, when the cluster exists.
    pub server: Option<String>,
    /// Whether the referenced cluster is defined anywhere in the chain.
    pub cluster_found: bool,
    /// Whether the referenced user is defined anywhere in the chain.
    pub user_found: bool,
}

/// A cluster, user or context defined again in a later file, where kubectl ignores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShadowedEntry {
    /// `context`, `cluster` or `user`.
    pub section: String,
    /// The entry's name.
    pub name: String,
    /// The file whose definition is used.
    pub winner: String,
    /// The file whose definition is ignored.
    pub ignored: String,
}

/// Severity of a [`Notice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NoticeLevel {
    /// Something is broken and will fail.
    Error,
    /// Something surprising that may bite.
    Warning,
    /// Worth knowing.
    Info,
}

/// A problem or remark about the kubeconfig chain, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    /// Severity.
    pub level: NoticeLevel,
    /// What is wrong.
    pub message: String,
    /// The file concerned, if any.
    pub file: Option<String>,
    /// How to fix it, if known.
    pub hint: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overview_uses_camel_case_on_the_wire() {
        let o = KubeconfigOverview {
            current_context: Some("a".into()),
            ..Default::default()
        };
        let json = serde_json::to_string(&o).unwrap();
        assert!(json.contains("\"currentContext\":\"a\""), "{json}");
        let back: KubeconfigOverview = serde_json::from_str(&json).unwrap();
        assert_eq!(back, o);
    }

    #[test]
    fn empty_when_nothing_loaded() {
        let mut o = KubeconfigOverview::default();
        assert!(o.is_empty());
        o.sources.push(SourceFile {
            path: "/x".into(),
            status: SourceStatus::Missing,
            error: None,
            counts: [0; 3],
        });
        assert!(o.is_empty());
        o.sources[0].status = SourceStatus::Loaded;
        assert!(!o.is_empty());
    }
}
