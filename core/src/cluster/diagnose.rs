//! Turns connection failures into a [`Diagnosis`] a newcomer can act on.
//!
//! Classification never looks at `Display` text where a type is available: it walks
//! `source()` down to the innermost cause (looking inside `std::io::Error`, whose `source()`
//! skips the error it wraps) and matches rustls `CertificateError`s, io `ErrorKind`s, kube-rs
//! auth errors and HTTP status codes (never the `reason`, which proxies make up). The texts follow
//! the error catalogue (reference errors.md).

use super::error::ClusterError;
use kube::client::AuthError;
use kube::config::KubeconfigError;
use loupe_model::{Diagnosis, DiagnosisKind};
use rustls::CertificateError;
use std::error::Error as StdError;
use std::io::ErrorKind as IoKind;
use std::net::SocketAddr;
use std::path::PathBuf;

/// How the user entry authenticates; decides what a 401 means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CredentialKind {
    /// No user entry, or one with no credentials: requests are anonymous.
    #[default]
    None,
    /// A bearer token (`token` or `tokenFile`).
    Token,
    /// A client certificate and key.
    ClientCertificate,
    /// Username and password.
    Basic,
    /// An exec credential plugin.
    Exec,
    /// A legacy `auth-provider`.
    AuthProvider,
}

/// What a connection attempt aimed at: enough to name things in a diagnosis.
#[derive(Clone, Default)]
pub struct Target {
    /// The context.
    pub context: String,
    /// The cluster the context names.
    pub cluster: String,
    /// The user the context names (empty for none).
    pub user: String,
    /// The file that defines the context.
    pub context_origin: Option<PathBuf>,
    /// The cluster's `server` URL.
    pub server: Option<String>,
    /// The cluster's `tls-server-name`.
    pub tls_server_name: Option<String>,
    /// The cluster's `proxy-url`.
    pub proxy: Option<String>,
    /// How the user authenticates.
    pub credential: CredentialKind,
    /// The exec plugin (or gcp `cmd-path`) command, if the user entry has one.
    pub exec_command: Option<String>,
    /// The bearer token's JWT `exp` (Unix seconds), when the token is a JWT.
    pub token_expires: Option<i64>,
    /// The user requests impersonate (`Impersonate-User`), from the kubeconfig's `as` or `--as`.
    pub impersonate: Option<String>,
    /// The groups requests impersonate (`Impersonate-Group`).
    pub impersonate_groups: Vec<String>,
    /// Whether the impersonation comes from command-line options rather than the kubeconfig.
    pub impersonation_from_flags: bool,
    /// Values that must never appear in a message (tokens, passwords, key data).
    pub(super) secrets: Vec<String>,
}

// Written by hand so the secrets never reach a log line.
impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("context", &self.context)
            .field("cluster", &self.cluster)
            .field("user", &self.user)
            .field("server", &self.server)
            .field("tls_server_name", &self.tls_server_name)
            .field("proxy", &self.proxy)
            .field("credential", &self.credential)
            .field("exec_command", &self.exec_command)
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .finish_non_exhaustive()
    }
}

impl Target {
    /// Remembers a credential so [`Target::redact`] removes it from any text.
    pub fn add_secret(&mut self, secret: &str) {
        let s = secret.trim();
        // Very short values would garble unrelated words; real credentials are longer.
        if s.len() >= 6 && !self.secrets.iter().any(|x| x == s) {
            self.secrets.push(s.to_string());
        }
    }

    /// Removes known credentials, JWTs, private keys and exec-plugin environments from `text`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            out = out.replace(s.as_str(), "[redacted]");
        }
        redact_patterns(&out)
    }

    /// `host:port` of the server URL, as kubectl names it.
    fn server_authority(&self) -> String {
        let Some(server) = self.server.as_deref() else {
            return "(no server)".into();
        };
        let rest = server.split_once("://").map_or(server, |(_, r)| r);
        let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        authority
            .rsplit_once('@')
            .map_or(authority, |(_, a)| a)
            .to_string()
    }

    fn server_host(&self) -> String {
        let a = self.server_authority();
        if let Some(v6) = a.strip_prefix('[') {
            return v6.split(']').next().unwrap_or(v6).to_string();
        }
        a.rsplit_once(':').map_or(a.clone(), |(h, _)| h.to_string())
    }

    fn server_display(&self) -> String {
        self.server.clone().unwrap_or_else(|| "(no server)".into())
    }
}

/// Explains `err` for the UI. Total: every error gets a title, a fix and a redacted message.
pub fn diagnose(err: &ClusterError, target: &Target) -> Diagnosis {
    let raw = || target.redact(&err.to_string());
    match err {
        ClusterError::NoCurrentContext => diag(
            DiagnosisKind::NoCurrentContext,
            "No context is selected.".into(),
            raw(),
            "Pick a context from the list (kubectl: `kubectl config use-context NAME`). kubectl \
             would silently try http://localhost:8080 instead; Loupe does not."
                .into(),
            Some(LOCALHOST_8080.into()),
            None,
        ),
        ClusterError::ContextNotFound { context } => diag(
            DiagnosisKind::Other,
            format!("There is no context named \"{context}\"."),
            raw(),
            "Choose one of the contexts in the list (kubectl: `kubectl config get-contexts`). If \
             it was just renamed or its file removed from KUBECONFIG, reload."
                .into(),
            Some(format!(
                "error: context was not found for specified context: {context}"
            )),
            None,
        ),
        ClusterError::MissingCluster {
            context,
            cluster,
            origin,
        } => diag(
            DiagnosisKind::MissingCluster,
            if cluster.is_empty() {
                format!("Context \"{context}\" doesn't say which cluster to use.")
            } else {
                format!(
                    "Context \"{context}\" points at cluster \"{cluster}\", which no kubeconfig \
                     file defines."
                )
            },
            raw(),
            format!(
                "Add a cluster entry named \"{cluster}\" (with its server URL and CA), or change \
                 the context's `cluster:` in {} to an existing cluster. kubectl would silently \
                 talk to http://localhost:8080 instead; Loupe never does.",
                origin.display()
            ),
            Some(LOCALHOST_8080.into()),
            None,
        ),
        ClusterError::InvalidEntry {
            section,
            name,
            origin,
            ..
        } => diag(
            DiagnosisKind::Other,
            format!("The {section} entry \"{name}\" is malformed."),
            raw(),
            format!(
                "Fix the {section} \"{name}\" in {}: a field has the wrong type (for example a \
                 list where text is expected).",
                origin.display()
            ),
            None,
            None,
        ),
        ClusterError::TokenFile { path, .. } => diag(
            DiagnosisKind::Other,
            "The token file this user points at can't be read.".into(),
            raw(),
            format!(
                "Check that {} exists and is readable by you; a relative `tokenFile` is relative \
                 to the kubeconfig file that names it.",
                path.display()
            ),
            Some(format!(
                "Unable to connect to the server: open {}: no such file or directory",
                path.display()
            )),
            None,
        ),
        ClusterError::EmptyTokenFile { path } => diag(
            DiagnosisKind::Other,
            "The token file this user points at is empty.".into(),
            raw(),
            format!(
                "Put the bearer token into {} (one line), or get a new one, for a ServiceAccount \
                 with `kubectl create token NAME -n NAMESPACE`.",
                path.display()
            ),
            Some(format!(
                "Unable to connect to the server: read token file {}: empty",
                path.display()
            )),
            None,
        ),
        ClusterError::ExecNotApproved { command, args } => {
            let line = std::iter::once(command.as_str())
                .chain(args.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" ");
            diag(
                DiagnosisKind::ExecNotApproved,
                format!(
                    "This context gets its credentials by running `{command}`, which you haven't \
                     approved yet."
                ),
                target.redact(&format!("{err}: {line}")),
                format!(
                    "A credential plugin runs with your permissions. If you trust `{}`, approve it \
                     for this context and connect again.",
                    target.redact(&line)
                ),
                // kubectl runs it without asking.
                None,
                None,
            )
        }
        ClusterError::ExecPluginMissing {
            command,
            install_hint,
            searched,
        } => {
            let hint = install_hint
                .as_deref()
                .map(str::trim)
                .filter(|h| !h.is_empty());
            let mut fix = match hint {
                Some(h) => format!("Install it. The kubeconfig says: {h}"),
                None => format!("Install `{command}` (the cloud CLI or plugin that provides it)."),
            };
            fix.push_str(
                " If it works in your terminal, Loupe was started without your login shell's PATH \
                 (common when launched from a dock or menu): start Loupe from that terminal, or \
                 put the plugin's full path in the kubeconfig's `command`.",
            );
            let dirs = searched
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(":");
            let mut kubectl = format!(
                "Unable to connect to the server: getting credentials: exec: executable {command} \
                 not found\n\nIt looks like you are trying to use a client-go credential plugin \
                 that is not installed.\n\nTo learn more about this feature, consult the \
                 documentation available at:\n      \
                 https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins"
            );
            if let Some(h) = hint {
                kubectl.push_str("\n\n");
                kubectl.push_str(h);
            }
            diag(
                DiagnosisKind::ExecPluginMissing,
                format!(
                    "The credential helper `{command}` isn't installed or isn't on Loupe's PATH."
                ),
                target.redact(&format!("{err} (searched: {dirs})")),
                fix,
                Some(kubectl),
                None,
            )
        }
        ClusterError::Timeout { after, .. } => diag(
            DiagnosisKind::Timeout,
            format!(
                "The API server at {} didn't answer within {} s.",
                target.server_authority(),
                after.as_secs()
            ),
            raw(),
            timeout_fix(target),
            // What kubectl prints when its own --request-timeout passes, the closest analogue.
            Some("Unable to connect to the server: context deadline exceeded".into()),
            None,
        ),
        ClusterError::Task(_) => other(target, raw()),
        ClusterError::Kubeconfig(_) | ClusterError::Kube(_) => classify(err, target),
    }
}

const LOCALHOST_8080: &str = "The connection to the server localhost:8080 was refused - did you specify the right host or port?";

fn diag(
    kind: DiagnosisKind,
    title: String,
    message: String,
    fix: String,
    kubectl_says: Option<String>,
    status_code: Option<u16>,
) -> Diagnosis {
    Diagnosis {
        kind,
        title,
        message,
        fix,
        kubectl_says,
        status_code,
    }
}

fn other(target: &Target, message: String) -> Diagnosis {
    diag(
        DiagnosisKind::Other,
        format!("Loupe couldn't connect to {}.", target.server_display()),
        message,
        "The message below is the underlying error. If it mentions a file, check that the file \
         exists and is readable; otherwise check the cluster entry's server URL."
            .into(),
        None,
        None,
    )
}

/// The error and everything under it, innermost last. Looks inside `std::io::Error`, whose own
/// `source()` skips the error it wraps (rustls errors arrive that way).
fn chain<'a>(err: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut cur = Some(err);
    while let Some(e) = cur {
        if out.len() > 32 {
            break;
        }
        out.push(e);
        cur = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => e.source(),
        };
    }
    out
}

/// The chain's messages joined, skipping parts an outer message already repeats.
fn chain_text(chain: &[&(dyn StdError + 'static)]) -> String {
    let mut out = String::new();
    for e in chain {
        let s = e.to_string();
        if s.is_empty() || out.contains(&s) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&s);
    }
    out
}

/// Classifies any error (typically a [`ClusterError::Kube`], or a `kube::Error` from a later
/// request) by its causes.
pub fn classify(err: &(dyn StdError + 'static), target: &Target) -> Diagnosis {
    let chain = chain(err);
    let message = target.redact(&chain_text(&chain));

    // 1. The server answered: branch on the status code.
    if let Some(status) = chain
        .iter()
        .find_map(|e| match e.downcast_ref::<kube::Error>() {
            Some(kube::Error::Api(s)) => Some(s),
            _ => None,
        })
    {
        return from_status(status, target);
    }

    // 2. Loupe-side configuration and credential problems.
    for e in &chain {
        if let Some(ke) = e.downcast_ref::<KubeconfigError>() {
            match ke {
                KubeconfigError::LoadClusterOfContext(cluster) => {
                    return diagnose(
                        &ClusterError::MissingCluster {
                            context: target.context.clone(),
                            cluster: cluster.clone(),
                            origin: target.context_origin.clone().unwrap_or_default(),
                        },
                        target,
                    );
                }
                KubeconfigError::CurrentContextNotSet => {
                    return diagnose(&ClusterError::NoCurrentContext, target);
                }
                _ => {}
            }
        }
        if let Some(ae) = e.downcast_ref::<AuthError>() {
            match ae {
                AuthError::AuthExecStart(io) if io.kind() == IoKind::NotFound => {
                    let command = target.exec_command.clone().unwrap_or_default();
                    return diagnose(
                        &ClusterError::ExecPluginMissing {
                            command,
                            install_hint: None,
                            searched: Vec::new(),
                        },
                        target,
                    );
                }
                AuthError::AuthExecRun { out, .. } => return exec_failed(out, target),
                _ => {}
            }
        }
        if let Some(rustls::Error::InconsistentKeys(_)) = e.downcast_ref::<rustls::Error>() {
            return diag(
                DiagnosisKind::Other,
                "The key in this kubeconfig doesn't belong to its client certificate.".into(),
                message,
                format!(
                    "Fix the `client-key`/`client-key-data` of user \"{}\" so it matches \
                     `client-certificate(-data)`; usually both come from the same download.",
                    target.user
                ),
                Some("error: You must be logged in to the server (Unauthorized)".into()),
                None,
            );
        }
    }

    // 3. TLS: the innermost certificate error.
    if let Some(ce) = chain.iter().rev().find_map(|e| match e.downcast_ref() {
        Some(rustls::Error::InvalidCertificate(ce)) => Some(ce),
        _ => None,
    }) {
        return from_certificate(ce, message, target);
    }

    // 4. Network: DNS, then the innermost io error.
    if chain.iter().any(|e| e.to_string() == "dns error") {
        // hyper-util's resolver error type is private; its fixed message is the only marker.
        let host = target.server_host();
        return diag(
            DiagnosisKind::Dns,
            format!("The cluster's hostname \"{host}\" doesn't resolve."),
            message,
            format!(
                "Check the spelling of `server` ({}). If the cluster is private, connect the VPN \
                 first; the cluster may also have been deleted.",
                target.server_display()
            ),
            Some(format!(
                "Unable to connect to the server: dial tcp: lookup {host}: no such host"
            )),
            None,
        );
    }
    let io_kind = chain
        .iter()
        .rev()
        .find_map(|e| e.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    let timed_out = chain
        .iter()
        .any(|e| e.downcast_ref::<tokio::time::error::Elapsed>().is_some());
    match io_kind {
        Some(IoKind::ConnectionRefused) => {
            let addr = connect_addr(&chain).unwrap_or_else(|| target.server_authority());
            let via = target
                .proxy
                .as_deref()
                .map(|p| format!(" (the proxy {p})"))
                .unwrap_or_default();
            diag(
                DiagnosisKind::ConnectionRefused,
                format!("Nothing is listening at {addr}{via}."),
                message,
                format!(
                    "The cluster is stopped (minikube, kind, Docker Desktop: start it), the port \
                     in `server` ({}) is wrong, or the tunnel / port-forward it goes through is \
                     down.",
                    target.server_display()
                ),
                Some(format!(
                    "The connection to the server {} was refused - did you specify the right host or port?",
                    target.server_authority()
                )),
                None,
            )
        }
        Some(IoKind::TimedOut) => diag(
            DiagnosisKind::Timeout,
            format!(
                "The API server at {} didn't answer in time.",
                target.server_authority()
            ),
            message,
            timeout_fix(target),
            Some(format!(
                "Unable to connect to the server: dial tcp {}: i/o timeout",
                target.server_authority()
            )),
            None,
        ),
        _ if timed_out => diag(
            DiagnosisKind::Timeout,
            format!(
                "The API server at {} didn't answer in time.",
                target.server_authority()
            ),
            message,
            timeout_fix(target),
            Some("Unable to connect to the server: context deadline exceeded".into()),
            None,
        ),
        Some(IoKind::ConnectionReset) => diag(
            DiagnosisKind::Other,
            "The server closed the connection at once; the server URL may use the wrong scheme."
                .into(),
            message,
            format!(
                "API servers speak https: check that `server` ({}) starts with https:// and \
                 points at the API server's port, not at something else.",
                target.server_display()
            ),
            Some(format!(
                "Unable to connect to the server: read tcp {}: read: connection reset by peer",
                target.server_authority()
            )),
            None,
        ),
        _ => other(target, message),
    }
}

fn timeout_fix(target: &Target) -> String {
    format!(
        "Something between you and {} drops the traffic: a firewall, a VPN that is off, or a \
         private cluster endpoint reached from outside its network. Check that `curl -k {}/version` \
         answers from this machine.",
        target.server_authority(),
        target.server_display()
    )
}

/// The socket address hyper-util reports for a failed TCP connect. Its error type is private;
/// the address only appears in its `Debug` output.
fn connect_addr(chain: &[&(dyn StdError + 'static)]) -> Option<String> {
    chain
        .iter()
        .filter(|e| e.to_string() == "tcp connect error")
        .find_map(|e| {
            format!("{e:?}")
                .split([',', '(', ')'])
                .find_map(|part| part.trim().parse::<SocketAddr>().ok())
        })
        .map(|a| a.to_string())
}

fn from_certificate(ce: &CertificateError, message: String, target: &Target) -> Diagnosis {
    const X509: &str = "Unable to connect to the server: tls: failed to verify certificate: x509:";
    match ce {
        CertificateError::UnknownIssuer => diag(
            DiagnosisKind::TlsUnknownAuthority,
            "The cluster's certificate isn't trusted by this kubeconfig.".into(),
            message,
            format!(
                "The `certificate-authority-data` of cluster \"{}\" is missing or outdated (was the \
                 cluster rebuilt? is {} a proxy or load balancer with its own certificate?). \
                 Download the kubeconfig again from where the cluster was created, or add the CA \
                 that signed the API server's certificate. Don't turn on \
                 `insecure-skip-tls-verify`: it lets anyone in between read your credentials.",
                target.cluster,
                target.server_display()
            ),
            Some(format!("{X509} certificate signed by unknown authority")),
            None,
        ),
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            let expected = match ce {
                CertificateError::NotValidForNameContext { expected, .. } => server_name(expected),
                _ => target
                    .tls_server_name
                    .clone()
                    .unwrap_or_else(|| target.server_host()),
            };
            let presented: Vec<String> = match ce {
                CertificateError::NotValidForNameContext { presented, .. } => {
                    presented.iter().map(|p| presented_name(p)).collect()
                }
                _ => Vec::new(),
            };
            let listed = if presented.is_empty() {
                "the names in its certificate".to_string()
            } else {
                presented.join(", ")
            };
            let change = if target.tls_server_name.is_some() {
                format!(
                    "Change the `tls-server-name` of cluster \"{}\" to one of those names (or \
                     remove it if `server` already uses one).",
                    target.cluster
                )
            } else {
                format!(
                    "Use one of those names in the `server` URL of cluster \"{}\", or set its \
                     `tls-server-name` to one of them (kubectl and Loupe both honour it; useful \
                     through tunnels and port-forwards).",
                    target.cluster
                )
            };
            let is_ip = expected.parse::<std::net::IpAddr>().is_ok();
            let kubectl = if is_ip
                && !presented
                    .iter()
                    .any(|p| p.parse::<std::net::IpAddr>().is_ok())
            {
                format!(
                    "{X509} cannot validate certificate for {expected} because it doesn't contain any IP SANs"
                )
            } else {
                format!("{X509} certificate is valid for {listed}, not {expected}")
            };
            diag(
                DiagnosisKind::TlsNameMismatch,
                format!(
                    "You're reaching the API server as \"{expected}\", a name its certificate \
                     doesn't list."
                ),
                message,
                format!("The certificate is valid for: {listed}. {change}"),
                Some(kubectl),
                None,
            )
        }
        CertificateError::Expired
        | CertificateError::ExpiredContext { .. }
        | CertificateError::NotValidYet
        | CertificateError::NotValidYetContext { .. } => {
            let kubectl_tail = match ce {
                CertificateError::ExpiredContext { time, not_after } => format!(
                    ": current time {} is after {}",
                    rfc3339(time.as_secs()),
                    rfc3339(not_after.as_secs())
                ),
                CertificateError::NotValidYetContext { time, not_before } => format!(
                    ": current time {} is before {}",
                    rfc3339(time.as_secs()),
                    rfc3339(not_before.as_secs())
                ),
                _ => String::new(),
            };
            diag(
                DiagnosisKind::TlsExpired,
                "The server's certificate has expired or isn't valid yet, or this computer's clock is wrong."
                    .into(),
                message,
                "First check this computer's date and time. If they are right, the cluster admin \
                 must renew the API server certificate (on kubeadm clusters: `kubeadm certs renew \
                 all`, then restart the control plane); it commonly happens a year after setup."
                    .into(),
                Some(format!(
                    "{X509} certificate has expired or is not valid yet{kubectl_tail}"
                )),
                None,
            )
        }
        _ => diag(
            DiagnosisKind::Other,
            "The TLS library Loupe uses rejected the server's certificate.".into(),
            message,
            "Some certificate setups are accepted by kubectl but rejected by the stricter TLS \
             library (for example a CA certificate used as the server certificate, or a server \
             certificate placed in `certificate-authority-data`). Put the CA that issued the API \
             server's certificate into the kubeconfig."
                .into(),
            None,
            None,
        ),
    }
}

fn server_name(n: &rustls::pki_types::ServerName<'_>) -> String {
    match n {
        rustls::pki_types::ServerName::DnsName(d) => d.as_ref().to_string(),
        rustls::pki_types::ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}

/// webpki presents names as `DnsName("x")` / `IpAddress(1.2.3.4)`; kubectl prints the bare value.
fn presented_name(p: &str) -> String {
    let inner = p
        .split_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or(p);
    inner.trim_matches('"').to_string()
}

fn from_status(status: &kube::core::Status, target: &Target) -> Diagnosis {
    let code = status.code;
    let raw = target.redact(&format!("{code} {}: {}", status.reason, status.message));
    // kube-rs wraps non-Status bodies (HTML from a proxy) with this reason; the code is real.
    let not_a_status = status.reason == "Failed to parse error data";
    match code {
        401 => {
            let (title, fix) = unauthorized_text(target);
            let detail = if not_a_status {
                "the server has asked for the client to provide credentials".to_string()
            } else {
                status.message.clone()
            };
            diag(
                DiagnosisKind::Unauthorized,
                title,
                raw,
                fix,
                Some(target.redact(&format!(
                    "error: You must be logged in to the server ({detail})"
                ))),
                Some(code),
            )
        }
        403 => {
            let kubectl = Some(target.redact(&format!(
                "Error from server (Forbidden): {}",
                status.message
            )));
            let denied = parse_forbidden(&status.message);
            match denied {
                Some(d) if d.user == "system:anonymous" => diag(
                    DiagnosisKind::Unauthorized,
                    "Your credentials weren't sent or weren't accepted, so the cluster treats you \
                     as anonymous."
                        .into(),
                    raw,
                    anonymous_fix(target),
                    kubectl,
                    Some(code),
                ),
                Some(d) => {
                    let what = d.describe();
                    diag(
                        DiagnosisKind::Forbidden,
                        format!("User \"{}\" is not allowed to {what}.", d.user),
                        raw,
                        format!(
                            "Your login works, but no RBAC rule grants this. Ask a cluster admin \
                             for a Role (or ClusterRole) allowing {what}, bound to \"{}\", or use \
                             a context with more rights.",
                            d.user
                        ),
                        kubectl,
                        Some(code),
                    )
                }
                None => diag(
                    DiagnosisKind::Forbidden,
                    "The cluster refused this request (403 Forbidden).".into(),
                    raw,
                    "Your login works, but something denies the request: RBAC, a webhook \
                     authorizer, or a proxy in front of the API server. The message says which."
                        .into(),
                    kubectl,
                    Some(code),
                ),
            }
        }
        _ => {
            let (title, fix) = if not_a_status && code >= 500 {
                (
                    format!("Something in front of the API server failed ({code})."),
                    "A load balancer, Rancher or auth proxy between you and the API server \
                     answered instead of Kubernetes. Check that proxy, or try again shortly."
                        .to_string(),
                )
            } else if not_a_status {
                (
                    format!("The server at {} doesn't answer like a Kubernetes API server ({code}).", target.server_display()),
                    "Check that `server` points at the API server itself (right host, port and path), not at a web page or proxy.".into(),
                )
            } else {
                (
                    format!("The API server answered {code} {}.", status.reason),
                    "The message below is the API server's explanation.".into(),
                )
            };
            let kubectl = if not_a_status {
                format!(
                    "Error from server (InternalError): an error on the server (\"{}\") has prevented the request from succeeding",
                    status.message
                )
            } else {
                format!("Error from server ({}): {}", status.reason, status.message)
            };
            diag(
                DiagnosisKind::Other,
                title,
                raw,
                fix,
                Some(target.redact(&kubectl)),
                Some(code),
            )
        }
    }
}

fn unauthorized_text(target: &Target) -> (String, String) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    match target.credential {
        CredentialKind::Token => match target.token_expires {
            Some(exp) if exp <= now => (
                format!("Your token expired on {}.", rfc3339(exp)),
                "Get a new token: for a ServiceAccount, `kubectl create token NAME -n NAMESPACE`; \
                 otherwise download the kubeconfig again from where it came from."
                    .into(),
            ),
            _ => (
                "The API server did not accept your token.".into(),
                "The token is wrong, revoked, or expired (deleted ServiceAccount, rotated \
                 secret). Get a new one, for a ServiceAccount with `kubectl create token NAME -n \
                 NAMESPACE`, or download the kubeconfig again."
                    .into(),
            ),
        },
        CredentialKind::ClientCertificate => (
            "The API server did not accept your client certificate.".into(),
            "The certificate may have expired, or the cluster no longer trusts the CA that signed \
             it (was the cluster rebuilt?). Check its dates with `openssl x509 -noout -dates`, \
             and download the kubeconfig again."
                .into(),
        ),
        CredentialKind::Basic => (
            "Username and password login doesn't work on modern clusters.".into(),
            "Kubernetes removed password authentication in 1.19. Use a token, a client \
             certificate or your provider's login plugin instead."
                .into(),
        ),
        CredentialKind::Exec | CredentialKind::AuthProvider => (
            "The API server did not accept the token your credential helper produced.".into(),
            "Log in again with the helper's own command (for example `aws sso login`, `gcloud \
             auth login`, `az login` or `kubectl oidc-login`), then reconnect."
                .into(),
        ),
        CredentialKind::None => (
            "This context sends no credentials, and the cluster requires some.".into(),
            format!(
                "Context \"{}\" has no usable user entry. Add a user with a token, client \
                 certificate or login plugin, and reference it from the context.",
                target.context
            ),
        ),
    }
}

fn anonymous_fix(target: &Target) -> String {
    match target.credential {
        CredentialKind::None => format!(
            "Context \"{}\" has no user with credentials. Add one and reference it from the \
             context.",
            target.context
        ),
        _ => "This is a login problem, not a permissions one. Check that the certificate or \
              token files exist and are readable, and that no proxy strips the Authorization \
              header."
            .into(),
    }
}

fn exec_failed(out: &std::process::Output, target: &Target) -> Diagnosis {
    let command = target
        .exec_command
        .clone()
        .unwrap_or_else(|| "plugin".into());
    let code = out
        .status
        .code()
        .map_or_else(|| "a signal".to_string(), |c| format!("exit code {c}"));
    let mut stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
    if stderr.len() > 2000 {
        let cut = (0..=2000)
            .rev()
            .find(|i| stderr.is_char_boundary(*i))
            .unwrap_or(0);
        stderr.truncate(cut);
        stderr.push_str(" …");
    }
    diag(
        DiagnosisKind::Other,
        format!("The credential helper `{command}` failed ({code})."),
        target.redact(&format!("{command} failed with {code}: {stderr}")),
        "Its error output (in the message) usually says why: most often an expired login. Run your provider's \
         login (`aws sso login`, `gcloud auth login`, `az login`, `kubectl oidc-login ...`) in a \
         terminal, then reconnect."
            .into(),
        Some(format!(
            "Unable to connect to the server: getting credentials: exec: executable {command} failed with {code}"
        )),
        None,
    )
}

// The 403 parser lives in the model crate, so the UI can link a denial to the Access view.
pub use loupe_model::{Denied, parse_forbidden};

/// The `exp` claim of a JWT bearer token (no signature check: only to explain a 401).
pub fn jwt_expiry(token: &str) -> Option<i64> {
    crate::kubeconfig::insight::jwt_facts(token)?.exp_unix
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (Go's time format in kubectl's x509 messages).
fn rfc3339(secs: impl TryInto<i64>) -> String {
    crate::kubeconfig::insight::rfc3339(secs.try_into().unwrap_or(0))
}

/// Removes credentials that can be recognised by shape: JWTs, `Bearer` values, PEM private keys,
/// and an exec plugin's `KUBERNETES_EXEC_INFO` environment (kube-rs puts it in error text).
fn redact_patterns(text: &str) -> String {
    let mut out = text.to_string();
    if let Some(i) = out.find("KUBERNETES_EXEC_INFO") {
        out.truncate(i);
        out.push_str("[exec environment redacted]");
    }
    while let Some(start) = out.find("-----BEGIN") {
        let Some(end_marker) = out[start..].find("-----END") else {
            out.truncate(start);
            out.push_str("[redacted PEM]");
            break;
        };
        let after_end = start + end_marker + "-----END".len();
        let close = out[after_end..]
            .find("-----")
            .map_or(out.len(), |i| after_end + i + 5);
        out.replace_range(start..close, "[redacted PEM]");
    }
    out = replace_after(&out, "Bearer ", |c| !c.is_whitespace() && c != '"');
    // JWTs: three base64url segments starting with `eyJ` (a JSON object header).
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = rest.find("eyJ") {
        let (head, tail) = rest.split_at(i);
        result.push_str(head);
        let len = tail.find(|c: char| !is_b64(c)).unwrap_or(tail.len());
        if tail[..len].matches('.').count() >= 2 {
            result.push_str("[redacted token]");
        } else {
            result.push_str(&tail[..len]);
        }
        rest = &tail[len..];
    }
    result.push_str(rest);
    result
}

fn replace_after(text: &str, marker: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        let (head, tail) = rest.split_at(i + marker.len());
        out.push_str(head);
        let len = tail.find(|c: char| !keep(c)).unwrap_or(tail.len());
        if len > 0 {
            out.push_str("[redacted]");
        }
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
