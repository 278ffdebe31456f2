//! Plain-words summaries of what the kubeconfig says about a cluster (WHERE) and a user (WHO).

use loupe_model::{AuthKind, CaSource, ClusterInsight, CredentialSource, UserInsight};

/// How the API server's certificate is checked.
pub fn ca_text(c: &ClusterInsight) -> String {
    match &c.ca {
        CaSource::None => "no CA given: the system's trust store is used".into(),
        CaSource::File { path, readable } => {
            format!(
                "CA from {path}{}",
                if *readable { "" } else { " (unreadable!)" }
            )
        }
        CaSource::Data => "CA embedded in the file (certificate-authority-data)".into(),
        CaSource::InsecureSkipTlsVerify => {
            "insecure-skip-tls-verify: the server's identity is NOT checked".into()
        }
    }
}

fn source_text(s: &CredentialSource) -> String {
    match s {
        CredentialSource::Inline => "embedded".into(),
        CredentialSource::File { path, readable } => {
            format!("{path}{}", if *readable { "" } else { " (unreadable!)" })
        }
    }
}

/// How the user proves who they are, one line per credential.
pub fn auth_lines(u: &UserInsight) -> Vec<String> {
    if u.auth.is_empty() {
        return vec!["no credentials: requests are anonymous".into()];
    }
    u.auth
        .iter()
        .map(|a| match a {
            AuthKind::ClientCert { cert, facts, .. } => match facts {
                Some(f) => format!(
                    "client certificate CN={}{}, valid until {}",
                    f.subject_cn.as_deref().unwrap_or("?"),
                    if f.subject_o.is_empty() {
                        String::new()
                    } else {
                        format!(" O={}", f.subject_o.join(","))
                    },
                    f.not_after
                ),
                None => format!("client certificate ({})", source_text(cert)),
            },
            AuthKind::Token { jwt } => match jwt {
                Some(j) => format!(
                    "bearer token (JWT{}{})",
                    j.sub
                        .as_ref()
                        .map(|s| format!(", sub {s}"))
                        .unwrap_or_default(),
                    j.exp
                        .as_ref()
                        .map(|e| format!(", expires {e}"))
                        .unwrap_or_default()
                ),
                None => "bearer token".into(),
            },
            AuthKind::TokenFile { path, readable, .. } => format!(
                "token read from {path}{}",
                if *readable { "" } else { " (unreadable!)" }
            ),
            AuthKind::Basic { username } => format!(
                "username/password{} (servers since 1.19 reject it)",
                username
                    .as_ref()
                    .map(|u| format!(" {u}"))
                    .unwrap_or_default()
            ),
            AuthKind::Exec(e) => format!(
                "runs `{}{}{}` to get a credential{}",
                e.command,
                if e.args.is_empty() { "" } else { " " },
                e.args.join(" "),
                if e.found { "" } else { " (not found on PATH!)" }
            ),
            AuthKind::AuthProvider { name, .. } => format!("auth-provider {name}"),
        })
        .collect()
}
