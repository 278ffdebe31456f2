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
    /// Every merged cluster (the winning definition), sorted by name, with derived facts.
    #[serde(default)]
    pub clusters: Vec<ClusterInsight>,
    /// Every merged user (the winning definition), sorted by name, with derived facts.
    #[serde(default)]
    pub users: Vec<UserInsight>,
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
    /// In the chain only because it was imported into Loupe (kubectl does not read it).
    #[serde(default)]
    pub imported: bool,
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

/// Where a cluster's trusted CA comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum CaSource {
    /// The system trust store (no CA configured).
    None,
    /// `certificate-authority`: a PEM file, path resolved against the defining file.
    File {
        /// Resolved path.
        path: String,
        /// Whether the file could be read.
        readable: bool,
    },
    /// `certificate-authority-data`: inline PEM.
    Data,
    /// `insecure-skip-tls-verify: true`: the server certificate is not checked at all.
    InsecureSkipTlsVerify,
}

/// Derived facts about one cluster entry (WHERE). Never carries certificate data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterInsight {
    /// Cluster name.
    pub name: String,
    /// File that defines it (the one that won the merge).
    pub origin: String,
    /// The API server URL, if set.
    pub server: Option<String>,
    /// Where the trusted CA comes from.
    pub ca: CaSource,
    /// `tls-server-name`: the name the server certificate is checked against, if overridden.
    pub tls_server_name: Option<String>,
    /// `proxy-url`, if set.
    pub proxy_url: Option<String>,
    /// Problems with this entry, most serious first.
    pub warnings: Vec<Notice>,
}

/// Facts read from an X.509 certificate (never the certificate itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertFacts {
    /// Subject common name (the Kubernetes user name).
    pub subject_cn: Option<String>,
    /// Subject organisations (the Kubernetes groups).
    pub subject_o: Vec<String>,
    /// Issuer common name.
    pub issuer_cn: Option<String>,
    /// Start of validity, RFC 3339 (UTC).
    pub not_before: String,
    /// End of validity, RFC 3339 (UTC).
    pub not_after: String,
    /// End of validity as Unix seconds, for sorting and countdowns.
    pub not_after_unix: i64,
}

/// Claims decoded from a JWT payload (no signature check; the token itself is never kept).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JwtFacts {
    /// `sub`.
    pub sub: Option<String>,
    /// `iss`.
    pub iss: Option<String>,
    /// `exp` as Unix seconds.
    pub exp_unix: Option<i64>,
    /// `exp` as RFC 3339 (UTC).
    pub exp: Option<String>,
}

/// Where a credential's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum CredentialSource {
    /// Inline in the kubeconfig (`*-data`, `token`).
    Inline,
    /// A file, path resolved against the defining file.
    File {
        /// Resolved path.
        path: String,
        /// Whether the file could be read.
        readable: bool,
    },
}

/// An exec credential plugin stanza, without its environment values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecFacts {
    /// `command` as written.
    pub command: String,
    /// The command resolved: against the defining file if it contains a path separator, else on
    /// `PATH`. `None` when it cannot be found.
    pub resolved_command: Option<String>,
    /// Whether the command was found (and is executable).
    pub found: bool,
    /// `args`.
    pub args: Vec<String>,
    /// Names of the `env` variables (values are not exposed: they often hold secrets).
    pub env_names: Vec<String>,
    /// `apiVersion`.
    pub api_version: Option<String>,
    /// `installHint`.
    pub install_hint: Option<String>,
    /// `interactiveMode` (`Never`, `IfAvailable`, `Always`).
    pub interactive_mode: Option<String>,
    /// `provideClusterInfo`.
    pub provide_cluster_info: bool,
}

/// How a user entry authenticates. One entry can carry several (kubectl picks by precedence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AuthKind {
    /// A client certificate (and key).
    ClientCert {
        /// Where the certificate comes from.
        cert: CredentialSource,
        /// Where the key comes from, if configured.
        key: Option<CredentialSource>,
        /// Facts from the certificate, when it could be read and parsed.
        facts: Option<CertFacts>,
    },
    /// An inline bearer token.
    Token {
        /// Claims, when the token is a JWT.
        jwt: Option<JwtFacts>,
    },
    /// A bearer token read from a file (re-read every minute by client-go).
    TokenFile {
        /// Resolved path.
        path: String,
        /// Whether the file could be read.
        readable: bool,
        /// Claims, when the file holds a JWT.
        jwt: Option<JwtFacts>,
    },
    /// `username`/`password` (removed server-side in Kubernetes 1.19).
    Basic {
        /// The user name (the password is never exposed).
        username: Option<String>,
    },
    /// An exec credential plugin.
    Exec(ExecFacts),
    /// A legacy `auth-provider` (only `oidc` still works in client-go).
    AuthProvider {
        /// Provider name (`oidc`, `gcp`, `azure`, ...).
        name: String,
        /// `idp-issuer-url`, for oidc.
        issuer: Option<String>,
        /// `client-id`, for oidc.
        client_id: Option<String>,
        /// Whether a refresh token is present.
        has_refresh_token: bool,
        /// Claims of the cached `id-token`, when present.
        id_token: Option<JwtFacts>,
    },
}

/// Impersonation configured on a user entry (`as`, `as-uid`, `as-groups`, `as-user-extra`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Impersonation {
    /// `as`: the user to act as.
    pub user: Option<String>,
    /// `as-uid`.
    pub uid: Option<String>,
    /// `as-groups`.
    pub groups: Vec<String>,
    /// Keys of `as-user-extra`.
    pub extra_keys: Vec<String>,
}

/// Derived facts about one user entry (WHO). Secrets never appear here: no token, key,
/// password or certificate data, only facts derived from them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInsight {
    /// User name.
    pub name: String,
    /// File that defines it (the one that won the merge).
    pub origin: String,
    /// Configured authentication methods, in kubectl's precedence order; empty means anonymous.
    pub auth: Vec<AuthKind>,
    /// Impersonation, if configured.
    pub impersonation: Option<Impersonation>,
    /// Problems with this entry, most serious first.
    pub warnings: Vec<Notice>,
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
            imported: false,
        });
        assert!(o.is_empty());
        o.sources[0].status = SourceStatus::Loaded;
        assert!(!o.is_empty());
    }
}

/// A kubeconfig change the UI asks for: the `kubectl config` write commands it offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum EditRequest {
    /// `kubectl config use-context NAME`.
    UseContext {
        /// The context to make current.
        name: String,
    },
    /// `kubectl config set-context NAME --namespace=NS` (empty removes the namespace).
    SetNamespace {
        /// The context to change.
        context: String,
        /// Its new default namespace.
        namespace: String,
    },
    /// `kubectl config rename-context FROM TO`.
    RenameContext {
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `kubectl config delete-context NAME`.
    DeleteContext {
        /// The context to delete.
        name: String,
    },
}

/// What an edit did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditResult {
    /// kubectl's message for the same command (e.g. `Switched to context "x".`).
    pub message: String,
    /// Warnings kubectl would print too.
    pub warnings: Vec<String>,
    /// Files that changed.
    pub written: Vec<String>,
    /// The kubectl command that does the same.
    pub kubectl: String,
}

/// A secret of a user entry the UI may reveal on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SecretField {
    /// `token`, else the content of `tokenFile`.
    Token,
    /// `password` (basic auth).
    Password,
    /// `client-key-data` (decoded) or the `client-key` file.
    ClientKey,
    /// `client-certificate-data` (decoded) or the `client-certificate` file.
    ClientCertificate,
}
