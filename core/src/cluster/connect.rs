//! One kube-rs [`Client`] for one context of Loupe's merged kubeconfig.
//!
//! Loupe merges the kubeconfig chain itself (see [`crate::kubeconfig`]); kube-rs is handed a
//! one-context kubeconfig holding just that context, its cluster and its user. On the way, the
//! kube-rs behaviours that differ from kubectl in ways users would notice are corrected
//! (reference kubeconfig-and-auth.md §11.3): `tokenFile` is read and trimmed by Loupe and wins over
//! `token`; static credentials make kubectl skip an exec plugin, so they do here; exec plugins
//! never run without the caller's approval.

use super::diagnose::{CredentialKind, Target, diagnose, jwt_expiry};
use super::error::ClusterError;
use crate::kubeconfig::Kubeconfig;
use crate::kubeconfig::insight::find_executable;
use crate::kubeconfig::paths::{base_dir, has_separator, resolve};
use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use kube::api::{Api, PostParams};
use kube::config::{
    AuthInfo, Cluster, Context, KubeConfigOptions, NamedAuthInfo, NamedCluster, NamedContext,
};
use kube::{Client, Config};
use loupe_model::{ConnectionState, ConnectionStatus};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How to connect.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Whether the user approved running this context's exec credential plugin. Without it, a
    /// context whose credentials come from a plugin fails with
    /// [`ClusterError::ExecNotApproved`] and nothing is run.
    pub allow_exec: bool,
    /// Limit for establishing the TCP connection and for each probe request.
    pub timeout: Duration,
    /// Act as this user (kubectl's `--as`); replaces the kubeconfig's `as`.
    pub impersonate: Option<String>,
    /// Act with these groups (kubectl's `--as-group`); replaces the kubeconfig's `as-groups`.
    pub impersonate_groups: Vec<String>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            allow_exec: false,
            timeout: Duration::from_secs(10),
            impersonate: None,
            impersonate_groups: Vec::new(),
        }
    }
}

/// A built client and what it points at.
#[derive(Clone)]
pub struct ContextClient {
    /// The kube-rs client.
    pub client: Client,
    /// The server, credentials kind and names, for diagnosing later failures.
    pub target: Target,
}

impl std::fmt::Debug for ContextClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextClient")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// What the connection probe learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// `gitVersion` from `/version`.
    pub server_version: String,
    /// Round trip of a `GET /version` on the established connection.
    pub latency: Duration,
    /// The username from a SelfSubjectReview, when the API server offers that API.
    pub user: Option<String>,
}

/// Connects to `context`: builds the client, asks `/version`, checks the credentials with an
/// authenticated request, and measures latency. Never fails: problems become the status's
/// [`loupe_model::Diagnosis`].
pub async fn connect(kc: &Kubeconfig, context: &str, opts: &ConnectOptions) -> ConnectionStatus {
    connect_client(kc, context, opts).await.1
}

/// Like [`connect`], and also returns the client when the connection works.
pub async fn connect_client(
    kc: &Kubeconfig,
    context: &str,
    opts: &ConnectOptions,
) -> (Option<ContextClient>, ConnectionStatus) {
    let plan = match plan(kc, context, opts) {
        Ok(plan) => plan,
        Err(failed) => {
            let (e, target) = *failed;
            return (
                None,
                ConnectionStatus::failed(context, diagnose(&e, &target)),
            );
        }
    };
    let target = plan.target.clone();
    let cc = match build_from_plan(plan, context, opts).await {
        Ok(cc) => cc,
        Err(e) => {
            return (
                None,
                ConnectionStatus::failed(context, diagnose(&e, &target)),
            );
        }
    };
    let status = status_of(&cc, opts.timeout).await;
    let client = (status.state == ConnectionState::Connected).then_some(cc);
    (client, status)
}

/// Probes an existing client and reports its status.
pub async fn status_of(cc: &ContextClient, timeout: Duration) -> ConnectionStatus {
    match probe(&cc.client, &cc.target, timeout).await {
        Ok(p) => ConnectionStatus {
            context: cc.target.context.clone(),
            state: ConnectionState::Connected,
            server_version: Some(p.server_version),
            latency_ms: Some(u64::try_from(p.latency.as_millis()).unwrap_or(u64::MAX)),
            user: p.user,
            error: None,
        },
        Err(e) => ConnectionStatus::failed(cc.target.context.clone(), diagnose(&e, &cc.target)),
    }
}

/// Builds a kube-rs client for `context` without sending anything.
///
/// Runs the exec credential plugin (kube-rs does so while building) only when
/// `opts.allow_exec` is set; the build then happens on a blocking thread.
pub async fn build_client(
    kc: &Kubeconfig,
    context: &str,
    opts: &ConnectOptions,
) -> Result<ContextClient, ClusterError> {
    let plan = plan(kc, context, opts).map_err(|failed| failed.0)?;
    build_from_plan(plan, context, opts).await
}

/// Like [`build_client`], with failures diagnosed as [`crate::CoreError::Cluster`] (for the CLI
/// and for requests that need no probe first).
pub async fn open_client(
    kc: &Kubeconfig,
    context: &str,
    opts: &ConnectOptions,
) -> Result<ContextClient, crate::CoreError> {
    let plan = plan(kc, context, opts).map_err(|failed| {
        let (e, target) = *failed;
        crate::CoreError::cluster(e, &target)
    })?;
    let target = plan.target.clone();
    build_from_plan(plan, context, opts)
        .await
        .map_err(|e| crate::CoreError::cluster(e, &target))
}

async fn build_from_plan(
    plan: Plan,
    context: &str,
    opts: &ConnectOptions,
) -> Result<ContextClient, ClusterError> {
    let options = KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    let mut config = Config::from_custom_kubeconfig(plan.kubeconfig, &options)
        .await
        .map_err(ClusterError::Kubeconfig)?;
    config.connect_timeout = Some(opts.timeout);
    if opts.impersonate.is_some() {
        config.auth_info.impersonate.clone_from(&opts.impersonate);
    }
    if !opts.impersonate_groups.is_empty() {
        config.auth_info.impersonate_groups = Some(opts.impersonate_groups.clone());
    }
    let mut target = plan.target;
    target.impersonation_from_flags =
        opts.impersonate.is_some() || !opts.impersonate_groups.is_empty();
    target.impersonate.clone_from(&config.auth_info.impersonate);
    target.impersonate_groups = config
        .auth_info
        .impersonate_groups
        .clone()
        .unwrap_or_default();
    let client = if plan.runs_command {
        // kube-rs runs the plugin synchronously (several times) inside `Client::try_from`.
        tokio::task::spawn_blocking(move || Client::try_from(config))
            .await
            .map_err(|e| ClusterError::Task(e.to_string()))?
    } else {
        Client::try_from(config)
    }
    .map_err(ClusterError::Kube)?;
    Ok(ContextClient { client, target })
}

/// Asks `/version`, checks the credentials, then times a second `/version` on the warm
/// connection (the first one includes the TCP and TLS handshakes).
pub async fn probe(
    client: &Client,
    target: &Target,
    timeout: Duration,
) -> Result<Probe, ClusterError> {
    let server = target.server.clone().unwrap_or_default();
    let within = |stage: &'static str| {
        let server = server.clone();
        move |_| ClusterError::Timeout {
            server,
            stage,
            after: timeout,
        }
    };
    let info = tokio::time::timeout(timeout, client.apiserver_version())
        .await
        .map_err(within("GET /version"))?
        .map_err(ClusterError::Kube)?;

    // /version is public on default RBAC, so a bad token would only show up later. A
    // SelfSubjectReview needs authentication and tells who the server thinks we are.
    let review = Api::<SelfSubjectReview>::all(client.clone());
    let user = match tokio::time::timeout(
        timeout,
        review.create(&PostParams::default(), &SelfSubjectReview::default()),
    )
    .await
    .map_err(within("SelfSubjectReview"))?
    {
        Ok(r) => r.status.and_then(|s| s.user_info).and_then(|u| u.username),
        // Before Kubernetes 1.28 (or with the API disabled): any authenticated call will do.
        Err(kube::Error::Api(s)) if s.code == 404 => {
            tokio::time::timeout(timeout, client.list_core_api_versions())
                .await
                .map_err(within("GET /api"))?
                .map_err(ClusterError::Kube)?;
            None
        }
        Err(e) => return Err(ClusterError::Kube(e)),
    };

    let start = Instant::now();
    tokio::time::timeout(timeout, client.apiserver_version())
        .await
        .map_err(within("GET /version"))?
        .map_err(ClusterError::Kube)?;
    Ok(Probe {
        server_version: info.git_version,
        latency: start.elapsed(),
        user,
    })
}

/// The one-context kubeconfig for kube-rs plus what the diagnosis needs.
struct Plan {
    kubeconfig: kube::config::Kubeconfig,
    target: Target,
    /// Whether building the client runs a command (exec plugin or gcp `cmd-path`).
    runs_command: bool,
}

/// Assembles the one-context kubeconfig. On failure, returns what is known of the target so the
/// diagnosis can still name the server and the credentials.
fn plan(
    kc: &Kubeconfig,
    context: &str,
    opts: &ConnectOptions,
) -> Result<Plan, Box<(ClusterError, Target)>> {
    let mut target = Target {
        context: context.to_string(),
        ..Default::default()
    };
    match plan_into(kc, context, opts, &mut target) {
        Ok((kubeconfig, runs_command)) => Ok(Plan {
            kubeconfig,
            target,
            runs_command,
        }),
        Err(e) => Err(Box::new((e, target))),
    }
}

fn plan_into(
    kc: &Kubeconfig,
    context: &str,
    opts: &ConnectOptions,
    target: &mut Target,
) -> Result<(kube::config::Kubeconfig, bool), ClusterError> {
    let ctx = kc
        .context(context)
        .ok_or_else(|| ClusterError::ContextNotFound {
            context: context.to_string(),
        })?;
    target.cluster = ctx.cluster.to_string();
    target.user = ctx.user.to_string();
    target.context_origin = Some(ctx.origin.to_path_buf());

    // kube-rs would report a missing cluster too, but Loupe checks first so it can name the file.
    let missing_cluster = || ClusterError::MissingCluster {
        context: context.to_string(),
        cluster: ctx.cluster.to_string(),
        origin: ctx.origin.to_path_buf(),
    };
    if ctx.cluster.is_empty() {
        return Err(missing_cluster());
    }
    // The kubeconfig module resolves relative paths against the defining file, as kubectl does
    // (kube-rs only does this for files it reads itself).
    let (Some(cluster_body), Some(cluster_origin)) = (
        kc.cluster_resolved(ctx.cluster),
        kc.cluster_origin(ctx.cluster),
    ) else {
        return Err(missing_cluster());
    };
    let cluster: Cluster = entry_body(ctx.cluster, cluster_body, "cluster", cluster_origin)?;
    target.server = cluster.server.clone();
    target.tls_server_name = cluster.tls_server_name.clone();
    target.proxy = cluster.proxy_url.clone();

    // A missing user means anonymous, as in kubectl (which would prompt for a password instead).
    let user_entry = (!ctx.user.is_empty()).then(|| kc.user(ctx.user)).flatten();
    let mut runs_command = false;
    let auth = match user_entry {
        None => {
            target.credential = CredentialKind::None;
            None
        }
        Some(entry) => {
            let user_origin = kc
                .user_origin(ctx.user)
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let body = kc.user_resolved(ctx.user).unwrap_or_default();
            let mut auth: AuthInfo = entry_body(ctx.user, body, "user", &user_origin)?;
            // An exec command stays as written: approvals are keyed by it and diagnoses name it;
            // `find_command` resolves it when it runs.
            if let (Some(exec), Some(raw)) = (
                auth.exec.as_mut(),
                entry.body.pointer("/exec/command").and_then(Value::as_str),
            ) {
                exec.command = Some(raw.to_string());
            }
            for field in ["token", "password", "client-key-data"] {
                if let Some(s) = entry.body.get(field).and_then(Value::as_str) {
                    target.add_secret(s);
                }
            }
            let token = apply_token_file(&mut auth, entry)?;
            if let Some(t) = &token {
                target.add_secret(t);
                target.token_expires = jwt_expiry(t);
            }
            target.credential = credential_kind(&auth);
            runs_command = gate_commands(&mut auth, opts, &user_origin, target)?;
            Some(auth)
        }
    };

    let kubeconfig = kube::config::Kubeconfig {
        clusters: vec![NamedCluster {
            name: ctx.cluster.to_string(),
            cluster: Some(cluster),
            ..Default::default()
        }],
        auth_infos: auth
            .map(|a| NamedAuthInfo {
                name: ctx.user.to_string(),
                auth_info: Some(a),
                ..Default::default()
            })
            .into_iter()
            .collect(),
        contexts: vec![NamedContext {
            name: context.to_string(),
            context: Some(Context {
                cluster: ctx.cluster.to_string(),
                user: user_entry.map(|_| ctx.user.to_string()),
                namespace: ctx.namespace.map(str::to_string),
                ..Default::default()
            }),
            ..Default::default()
        }],
        current_context: Some(context.to_string()),
        ..Default::default()
    };
    Ok((kubeconfig, runs_command))
}

/// A kubeconfig entry's body as kube-rs's type; a bad shape names the entry and its file.
fn entry_body<T: serde::de::DeserializeOwned>(
    name: &str,
    body: Value,
    section: &'static str,
    origin: &Path,
) -> Result<T, ClusterError> {
    serde_json::from_value(body).map_err(|source| ClusterError::InvalidEntry {
        section,
        name: name.to_string(),
        origin: origin.to_path_buf(),
        source,
    })
}

/// kubectl reads `tokenFile` itself, trims it, and prefers it over an inline `token` (which is
/// only the fallback when the file cannot be read). kube-rs does the opposite and does not trim,
/// so Loupe reads the file and hands kube-rs the token. Returns the bearer token in use.
fn apply_token_file(
    auth: &mut AuthInfo,
    entry: &crate::kubeconfig::Entry,
) -> Result<Option<String>, ClusterError> {
    let inline = entry
        .body
        .get("token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    let Some(path) = auth.token_file.take().filter(|p| !p.is_empty()) else {
        return Ok(inline);
    };
    let path = PathBuf::from(path);
    match std::fs::read_to_string(&path) {
        Ok(content) => {
            let token = content.trim();
            if token.is_empty() {
                return Err(ClusterError::EmptyTokenFile { path });
            }
            auth.token = Some(token.to_string().into());
            Ok(Some(token.to_string()))
        }
        Err(source) if inline.is_some() => {
            tracing::warn!(
                user = %entry.name,
                path = %path.display(),
                error = %source,
                "tokenFile unreadable; using the inline token, as kubectl does"
            );
            Ok(inline)
        }
        Err(source) => Err(ClusterError::TokenFile { path, source }),
    }
}

fn credential_kind(auth: &AuthInfo) -> CredentialKind {
    if auth.token.is_some() {
        CredentialKind::Token
    } else if auth.client_certificate.is_some() || auth.client_certificate_data.is_some() {
        CredentialKind::ClientCertificate
    } else if auth.username.is_some() && auth.password.is_some() {
        CredentialKind::Basic
    } else if auth.exec.is_some() {
        CredentialKind::Exec
    } else if auth.auth_provider.is_some() {
        CredentialKind::AuthProvider
    } else {
        CredentialKind::None
    }
}

/// Decides whether building the client may run a command, and prepares the exec plugin.
///
/// - A token, basic auth or client certificate make kubectl skip the exec plugin; Loupe drops it
///   so kube-rs does not run it either.
/// - Otherwise the plugin runs only with `allow_exec`, and only if it can be found.
/// - The legacy gcp auth-provider's `cmd-path` is a command too and gets the same gate.
fn gate_commands(
    auth: &mut AuthInfo,
    opts: &ConnectOptions,
    origin: &Path,
    target: &mut Target,
) -> Result<bool, ClusterError> {
    let static_creds = auth.token.is_some()
        || (auth.username.is_some() && auth.password.is_some())
        || auth.client_certificate.is_some()
        || auth.client_certificate_data.is_some();
    if static_creds {
        auth.exec = None;
    }
    let mut runs = false;
    if let Some(exec) = auth.exec.as_mut() {
        let command = exec.command.clone().unwrap_or_default();
        let args = exec.args.clone().unwrap_or_default();
        target.exec_command = Some(command.clone());
        if !opts.allow_exec {
            return Err(ClusterError::ExecNotApproved { command, args });
        }
        match find_command(&command, origin) {
            Ok(path) => exec.command = Some(path.to_string_lossy().into_owned()),
            Err(searched) => {
                return Err(ClusterError::ExecPluginMissing {
                    command,
                    install_hint: exec.install_hint.clone(),
                    searched,
                });
            }
        }
        runs = true;
    }
    if let Some(provider) = auth.auth_provider.as_ref()
        && let Some(cmd) = provider.config.get("cmd-path")
    {
        target.exec_command = Some(cmd.clone());
        if !opts.allow_exec {
            let args = provider
                .config
                .get("cmd-args")
                .map(|a| a.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default();
            return Err(ClusterError::ExecNotApproved {
                command: cmd.clone(),
                args,
            });
        }
        runs = true;
    }
    Ok(runs)
}

/// Finds an exec plugin as client-go does: a command with a path separator is a path (relative
/// to the kubeconfig file that names it), anything else is looked up on `PATH`. On failure,
/// returns where it looked.
fn find_command(command: &str, origin: &Path) -> Result<PathBuf, Vec<PathBuf>> {
    let path = std::env::var_os("PATH");
    find_executable(command, origin, path.as_ref()).ok_or_else(|| {
        if command.is_empty() {
            Vec::new()
        } else if has_separator(command) {
            vec![resolve(command, &base_dir(origin))]
        } else {
            path.map(|p| std::env::split_paths(&p).collect())
                .unwrap_or_default()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubeconfig::{ChainOrigin, FileConfig};
    use loupe_model::DiagnosisKind;

    fn chain(files: &[(&str, &str)]) -> Kubeconfig {
        Kubeconfig::from_files(
            files
                .iter()
                .map(|(path, yaml)| FileConfig::parse(Path::new(path), yaml.as_bytes()))
                .collect(),
            ChainOrigin::Env,
        )
    }

    const BASE: &str = r#"
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1", certificate-authority: ca.crt}
users:
- name: tok
  user: {token: inline-token-value, tokenFile: tok.txt}
- name: ex
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: some-plugin, args: [a, b], interactiveMode: Never}
- name: ex-with-cert
  user:
    client-certificate: c.crt
    client-key: c.key
    exec: {apiVersion: client.authentication.k8s.io/v1, command: some-plugin, interactiveMode: Never}
contexts:
- {name: tok, context: {cluster: c, user: tok, namespace: ns1}}
- {name: ex, context: {cluster: c, user: ex}}
- {name: ex-with-cert, context: {cluster: c, user: ex-with-cert}}
- {name: anon, context: {cluster: c, user: ghost}}
- {name: lost, context: {cluster: nowhere, user: tok}}
"#;

    fn auth_of(kc: &kube::config::Kubeconfig) -> Option<&AuthInfo> {
        kc.auth_infos.first().and_then(|a| a.auth_info.as_ref())
    }

    fn token_of(auth: &AuthInfo) -> Value {
        serde_json::to_value(auth).unwrap()["token"].clone()
    }

    #[test]
    fn token_file_is_trimmed_and_beats_inline_token() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tok.txt"), "file-token\n\n").unwrap();
        let path = dir.path().join("config");
        let kc = chain(&[(path.to_str().unwrap(), BASE)]);
        let plan = plan(&kc, "tok", &ConnectOptions::default()).ok().unwrap();
        let auth = auth_of(&plan.kubeconfig).unwrap();
        assert_eq!(token_of(auth), "file-token");
        assert!(auth.token_file.is_none());
        // The relative CA path is resolved against the defining file.
        let ca = plan.kubeconfig.clusters[0].cluster.as_ref().unwrap();
        assert_eq!(
            ca.certificate_authority.as_deref(),
            Some(dir.path().join("ca.crt").to_str().unwrap())
        );
        assert_eq!(
            plan.kubeconfig.contexts[0]
                .context
                .as_ref()
                .unwrap()
                .namespace
                .as_deref(),
            Some("ns1")
        );
        assert!(!plan.runs_command);
    }

    #[test]
    fn unreadable_token_file_falls_back_to_inline_token() {
        let kc = chain(&[("/nonexistent-dir/config", BASE)]);
        let plan = plan(&kc, "tok", &ConnectOptions::default()).ok().unwrap();
        let auth = auth_of(&plan.kubeconfig).unwrap();
        assert_eq!(token_of(auth), "inline-token-value");
    }

    #[test]
    fn empty_token_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tok.txt"), " \n").unwrap();
        let path = dir.path().join("config");
        let kc = chain(&[(path.to_str().unwrap(), BASE)]);
        let (err, _) = *plan(&kc, "tok", &ConnectOptions::default()).err().unwrap();
        assert!(matches!(err, ClusterError::EmptyTokenFile { .. }), "{err}");
    }

    #[test]
    fn exec_needs_approval() {
        let kc = chain(&[("/k/config", BASE)]);
        let (err, target) = *plan(&kc, "ex", &ConnectOptions::default()).err().unwrap();
        match &err {
            ClusterError::ExecNotApproved { command, args } => {
                assert_eq!(command, "some-plugin");
                assert_eq!(args, &["a", "b"]);
            }
            other => panic!("{other}"),
        }
        assert_eq!(diagnose(&err, &target).kind, DiagnosisKind::ExecNotApproved);
    }

    #[test]
    fn approved_exec_that_is_not_installed_is_missing() {
        let kc = chain(&[("/k/config", BASE)]);
        let opts = ConnectOptions {
            allow_exec: true,
            ..Default::default()
        };
        let (err, target) = *plan(&kc, "ex", &opts).err().unwrap();
        assert!(
            matches!(&err, ClusterError::ExecPluginMissing { command, .. } if command == "some-plugin"),
            "{err}"
        );
        assert_eq!(
            diagnose(&err, &target).kind,
            DiagnosisKind::ExecPluginMissing
        );
    }

    #[test]
    fn client_certificate_skips_exec_like_kubectl() {
        let kc = chain(&[("/k/config", BASE)]);
        let plan = plan(&kc, "ex-with-cert", &ConnectOptions::default())
            .ok()
            .unwrap();
        let auth = auth_of(&plan.kubeconfig).unwrap();
        assert!(auth.exec.is_none());
        assert_eq!(auth.client_certificate.as_deref(), Some("/k/c.crt"));
        assert!(!plan.runs_command);
    }

    #[test]
    fn missing_user_is_anonymous() {
        let kc = chain(&[("/k/config", BASE)]);
        let plan = plan(&kc, "anon", &ConnectOptions::default()).ok().unwrap();
        assert!(plan.kubeconfig.auth_infos.is_empty());
        assert_eq!(plan.target.credential, CredentialKind::None);
    }

    #[test]
    fn missing_cluster_and_context_are_typed() {
        let kc = chain(&[("/k/config", BASE)]);
        let (err, target) = *plan(&kc, "lost", &ConnectOptions::default()).err().unwrap();
        assert!(
            matches!(&err, ClusterError::MissingCluster { cluster, .. } if cluster == "nowhere")
        );
        assert_eq!(diagnose(&err, &target).kind, DiagnosisKind::MissingCluster);
        let (err, _) = *plan(&kc, "nope", &ConnectOptions::default()).err().unwrap();
        assert!(matches!(err, ClusterError::ContextNotFound { .. }));
    }

    #[test]
    fn entry_origin_is_the_defining_file() {
        let kc = chain(&[
            (
                "/a/config",
                "clusters: [{name: x, cluster: {server: 'https://a'}}]",
            ),
            ("/b/config", BASE),
        ]);
        assert_eq!(kc.cluster_origin("c"), Some(Path::new("/b/config")));
    }

    #[tokio::test]
    async fn a_silent_server_times_out() {
        // Accepts TCP connections (the kernel does, from the backlog) but never answers TLS.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let yaml = format!(
            "clusters: [{{name: c, cluster: {{server: 'https://127.0.0.1:{port}'}}}}]\n\
             contexts: [{{name: x, context: {{cluster: c}}}}]\n"
        );
        let kc = chain(&[("/k/config", &yaml)]);
        let opts = ConnectOptions {
            timeout: Duration::from_millis(300),
            ..Default::default()
        };
        let status = connect(&kc, "x", &opts).await;
        let d = status.error.unwrap();
        assert_eq!(d.kind, DiagnosisKind::Timeout, "{d:?}");
        assert!(
            d.title.contains(&format!("127.0.0.1:{port}")),
            "{}",
            d.title
        );
        drop(listener);
    }

    #[tokio::test]
    async fn refused_connection_is_diagnosed_from_a_real_error() {
        // A port that was just free: bind, note it, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let yaml = format!(
            "clusters: [{{name: c, cluster: {{server: 'http://127.0.0.1:{port}'}}}}]\n\
             contexts: [{{name: x, context: {{cluster: c}}}}]\n"
        );
        let kc = chain(&[("/k/config", &yaml)]);
        let status = connect(&kc, "x", &ConnectOptions::default()).await;
        assert_eq!(status.state, ConnectionState::Failed);
        let d = status.error.unwrap();
        assert_eq!(d.kind, DiagnosisKind::ConnectionRefused, "{d:?}");
        assert!(
            d.title.contains(&format!("127.0.0.1:{port}")),
            "{}",
            d.title
        );
    }
}
