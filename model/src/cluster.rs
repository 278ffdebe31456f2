use serde::{Deserialize, Serialize};

/// Where a connection to one context stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionState {
    /// Building the client or waiting for the first answer.
    Connecting,
    /// The API server answered `/version` and accepted the credentials.
    Connected,
    /// Something went wrong; [`ConnectionStatus::error`] says what.
    Failed,
}

/// The state of Loupe's connection to one context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionStatus {
    /// The context's name.
    pub context: String,
    /// Connecting, connected or failed.
    pub state: ConnectionState,
    /// The API server's `gitVersion` (e.g. `v1.34.4`), once `/version` answered.
    pub server_version: Option<String>,
    /// Round-trip time of the `/version` request, in milliseconds.
    pub latency_ms: Option<u64>,
    /// Who the API server says we are (from a SelfSubjectReview), when it told us.
    pub user: Option<String>,
    /// Why the connection failed, when it did.
    pub error: Option<Diagnosis>,
}

impl ConnectionStatus {
    /// A status for `context` that is still being established.
    pub fn connecting(context: impl Into<String>) -> Self {
        Self {
            context: context.into(),
            state: ConnectionState::Connecting,
            server_version: None,
            latency_ms: None,
            user: None,
            error: None,
        }
    }

    /// A failed status for `context`.
    pub fn failed(context: impl Into<String>, diagnosis: Diagnosis) -> Self {
        Self {
            state: ConnectionState::Failed,
            error: Some(diagnosis),
            ..Self::connecting(context)
        }
    }
}

/// What went wrong with a connection, in a category the UI can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DiagnosisKind {
    /// The server's certificate is not signed by the CA the kubeconfig trusts.
    TlsUnknownAuthority,
    /// The server's certificate does not list the name or address used to reach it.
    TlsNameMismatch,
    /// The server's certificate has expired or is not valid yet (or the local clock is off).
    TlsExpired,
    /// The API server rejected the credentials (HTTP 401), or accepted none and treated the
    /// request as anonymous.
    Unauthorized,
    /// The credentials were accepted but RBAC denied the request (HTTP 403).
    Forbidden,
    /// Nothing listens at the server address.
    ConnectionRefused,
    /// The server's hostname does not resolve.
    Dns,
    /// No answer in time.
    Timeout,
    /// The exec credential plugin named by the user entry is not installed or not on `PATH`.
    ExecPluginMissing,
    /// The user entry runs an exec credential plugin the user has not approved yet.
    ExecNotApproved,
    /// The context names a cluster that no kubeconfig file defines (or none at all).
    MissingCluster,
    /// No context was given and none is marked current.
    NoCurrentContext,
    /// Anything else; the message carries the details.
    Other,
}

/// A failure explained for someone new to Kubernetes: what happened, the raw error, how to fix
/// it, and what kubectl would have printed (the text people search for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnosis {
    /// The category.
    pub kind: DiagnosisKind,
    /// One plain sentence saying what is wrong.
    pub title: String,
    /// The underlying error text, with credentials redacted.
    pub message: String,
    /// What to do about it, concretely.
    pub fix: String,
    /// What kubectl prints for the same problem, when it prints something recognisable.
    pub kubectl_says: Option<String>,
    /// The HTTP status code, when the API server (or something in front of it) answered.
    pub status_code: Option<u16>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_uses_camel_case_on_the_wire() {
        let s = ConnectionStatus::failed(
            "ctx",
            Diagnosis {
                kind: DiagnosisKind::TlsUnknownAuthority,
                title: "t".into(),
                message: "m".into(),
                fix: "f".into(),
                kubectl_says: Some("k".into()),
                status_code: Some(401),
            },
        );
        let json = serde_json::to_string(&s).unwrap();
        for key in [
            "\"serverVersion\":null",
            "\"latencyMs\":null",
            "\"state\":\"failed\"",
            "\"kind\":\"tlsUnknownAuthority\"",
            "\"kubectlSays\":\"k\"",
            "\"statusCode\":401",
        ] {
            assert!(json.contains(key), "{key} in {json}");
        }
        let back: ConnectionStatus = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
