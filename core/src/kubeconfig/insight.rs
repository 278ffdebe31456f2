//! What each cluster and user entry really does, checked locally: where the CA comes from, which
//! credentials a user carries, when they expire, whether the exec plugin can be found, and the
//! configuration errors kubectl would only report when a command fails.
//!
//! Secrets never leave this module: certificates, keys and tokens are read to derive facts
//! (subject, expiry, claims) and then dropped.

use super::Kubeconfig;
use super::paths::{base_dir, has_separator, resolve};
use base64::Engine as _;
use loupe_model::{
    AuthKind, CaSource, CertFacts, ClusterInsight, CredentialSource, ExecFacts, Impersonation,
    JwtFacts, Notice, NoticeLevel, UserInsight,
};
use serde_json::Value;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Credentials expiring within this window get a warning.
const EXPIRY_WARNING_SECS: i64 = 7 * 24 * 3600;

/// The environment insights are computed in (explicit so tests need no global state).
#[derive(Debug, Clone)]
pub struct InsightEnv {
    /// The `PATH` exec plugins are looked up on (ideally the login shell's, see
    /// [`super::trust::login_shell_path`]).
    pub path: Option<OsString>,
    /// "Now", for expiry checks.
    pub now: SystemTime,
}

impl InsightEnv {
    /// This process's `PATH` and the current time.
    pub fn current() -> Self {
        Self {
            path: std::env::var_os("PATH"),
            now: SystemTime::now(),
        }
    }

    fn now_unix(&self) -> i64 {
        self.now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

struct Warnings<'a> {
    list: Vec<Notice>,
    origin: &'a Path,
}

impl Warnings<'_> {
    fn push(&mut self, level: NoticeLevel, message: String, hint: Option<String>) {
        self.list.push(Notice {
            level,
            message,
            file: Some(self.origin.display().to_string()),
            hint,
        });
    }

    fn error(&mut self, message: String, hint: Option<&str>) {
        self.push(NoticeLevel::Error, message, hint.map(str::to_string));
    }

    fn warn(&mut self, message: String, hint: Option<&str>) {
        self.push(NoticeLevel::Warning, message, hint.map(str::to_string));
    }

    fn info(&mut self, message: String, hint: Option<&str>) {
        self.push(NoticeLevel::Info, message, hint.map(str::to_string));
    }

    fn done(mut self) -> Vec<Notice> {
        self.list.sort_by_key(|n| n.level);
        self.list
    }
}

fn s<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
}

/// A file's bytes, or Go's wording of why not.
fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| super::gofmt::go_io_error(&e))
}

fn decode_b64(data: &str) -> Result<Vec<u8>, String> {
    let cleaned: String = data.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(cleaned)
        .map_err(|e| e.to_string())
}

/// RFC 3339 (UTC, seconds) for Unix seconds.
pub(crate) fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Subject, issuer and validity of the first certificate in `bytes` (PEM, or DER).
pub fn cert_facts(bytes: &[u8]) -> Result<CertFacts, String> {
    let pem;
    let der: &[u8] = if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        pem = x509_parser::pem::parse_x509_pem(bytes)
            .map_err(|e| format!("not a PEM certificate ({e})"))?
            .1;
        &pem.contents
    } else {
        bytes
    };
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| format!("not an X.509 certificate ({e})"))?;
    fn first<'a>(
        mut it: impl Iterator<Item = &'a x509_parser::x509::AttributeTypeAndValue<'a>>,
    ) -> Option<String> {
        it.next().and_then(|a| a.as_str().ok()).map(str::to_string)
    }
    let subject = cert.subject();
    let not_after = cert.validity().not_after.timestamp();
    Ok(CertFacts {
        subject_cn: first(subject.iter_common_name()),
        subject_o: subject
            .iter_organization()
            .filter_map(|a| a.as_str().ok().map(str::to_string))
            .collect(),
        issuer_cn: first(cert.issuer().iter_common_name()),
        not_before: rfc3339(cert.validity().not_before.timestamp()),
        not_after: rfc3339(not_after),
        not_after_unix: not_after,
    })
}

/// The decoded payload of a JWT (`header.payload.signature`), without checking anything.
/// `None` when the token is not a JWT.
pub(crate) fn jwt_payload(token: &str) -> Option<Value> {
    let mut parts = token.trim().split('.');
    let (_, payload, _, None) = (parts.next()?, parts.next()?, parts.next()?, parts.next()) else {
        return None;
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Claims of a JWT (`header.payload.signature`), without checking anything. `None` when the
/// token is not a JWT.
pub fn jwt_facts(token: &str) -> Option<JwtFacts> {
    let claims = jwt_payload(token)?;
    let claims = claims.as_object()?;
    let exp_unix = claims
        .get("exp")
        .and_then(|e| e.as_i64().or_else(|| e.as_f64().map(|f| f as i64)));
    Some(JwtFacts {
        sub: claims
            .get("sub")
            .and_then(Value::as_str)
            .map(str::to_string),
        iss: claims
            .get("iss")
            .and_then(Value::as_str)
            .map(str::to_string),
        exp_unix,
        exp: exp_unix.map(rfc3339),
    })
}

/// Looks `command` up as client-go's exec plugin would: a path-like command is resolved against
/// the defining file's folder, a bare name is searched on `path`.
pub fn find_executable(command: &str, origin: &Path, path: Option<&OsString>) -> Option<PathBuf> {
    if command.is_empty() {
        return None;
    }
    if has_separator(command) {
        let p = resolve(command, &base_dir(origin));
        return is_executable(&p).then_some(p);
    }
    let dirs = std::env::split_paths(path?);
    for dir in dirs {
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let candidate = dir.join(command);
        if is_executable(&candidate) {
            return Some(candidate);
        }
        #[cfg(windows)]
        for ext in ["exe", "cmd", "bat"] {
            let c = candidate.with_extension(ext);
            if is_executable(&c) {
                return Some(c);
            }
        }
    }
    None
}

fn is_executable(p: &Path) -> bool {
    match std::fs::metadata(p) {
        Ok(m) if m.is_file() => {
            #[cfg(unix)]
            {
                std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0
            }
            #[cfg(not(unix))]
            {
                true
            }
        }
        _ => false,
    }
}

/// Adds expiry warnings for something that ends at `exp` (Unix seconds).
fn check_expiry(w: &mut Warnings<'_>, now: i64, exp: i64, what: &str, hint: &str) {
    if exp <= now {
        w.error(format!("{what} expired on {}.", rfc3339(exp)), Some(hint));
    } else if exp - now <= EXPIRY_WARNING_SECS {
        let days = (exp - now) / 86_400;
        let when = match days {
            0 => "today".to_string(),
            1 => "in 1 day".to_string(),
            n => format!("in {n} days"),
        };
        w.warn(
            format!("{what} expires on {} ({when}).", rfc3339(exp)),
            Some(hint),
        );
    }
}

/// Insight into one cluster body (paths already resolved by the caller's `origin`).
pub fn cluster_insight(
    name: &str,
    body: &Value,
    origin: &Path,
    env: &InsightEnv,
) -> ClusterInsight {
    let mut w = Warnings {
        list: Vec::new(),
        origin,
    };
    let base = base_dir(origin);
    let server = s(body, "server").map(str::to_string);
    match server.as_deref() {
        None => w.error(
            format!("no server found for cluster {}", super::go_quote(name)),
            Some("Set the API server URL: kubectl config set-cluster NAME --server=https://HOST:PORT"),
        ),
        Some(url) if !url.contains("://") => w.warn(
            format!("Server \"{url}\" has no scheme, so client-go sends plain http:// to it."),
            Some("Write the URL with https://."),
        ),
        Some(url) if url.starts_with("http://") => w.info(
            format!("Server \"{url}\" uses plain HTTP: credentials travel unencrypted."),
            None,
        ),
        _ => {}
    }
    let insecure = body
        .get("insecure-skip-tls-verify")
        .and_then(Value::as_bool)
        == Some(true);
    let ca_file = s(body, "certificate-authority");
    let ca_data = s(body, "certificate-authority-data");
    if ca_file.is_some() && ca_data.is_some() {
        w.error(
            format!("certificate-authority-data and certificate-authority are both specified for {name}. certificate-authority-data will override."),
            Some("Keep one of them; kubectl refuses the pair."),
        );
    }
    let mut ca_bytes = None;
    let ca = if insecure {
        if ca_file.is_some() || ca_data.is_some() {
            w.error(
                "specifying a root certificates file with the insecure flag is not allowed".into(),
                Some("Remove insecure-skip-tls-verify (the CA is enough) or the CA."),
            );
        } else {
            w.warn(
                "insecure-skip-tls-verify: the API server's certificate is not checked, so anyone in between can read your credentials.".into(),
                Some("Configure the cluster's CA (certificate-authority-data) instead."),
            );
        }
        CaSource::InsecureSkipTlsVerify
    } else if let Some(data) = ca_data {
        match decode_b64(data) {
            Ok(b) => ca_bytes = Some(b),
            Err(e) => w.error(
                format!(
                    "certificate-authority-data of cluster {} is not valid base64 ({e}).",
                    super::go_quote(name)
                ),
                None,
            ),
        }
        CaSource::Data
    } else if let Some(file) = ca_file {
        let path = resolve(file, &base);
        let readable = match read(&path) {
            Ok(b) => {
                ca_bytes = Some(b);
                true
            }
            Err(e) => {
                w.error(
                    format!(
                        "unable to read certificate-authority {} for {name} due to {e}",
                        path.display()
                    ),
                    Some("Relative paths are resolved against the folder of the kubeconfig that defines the cluster."),
                );
                false
            }
        };
        CaSource::File {
            path: path.display().to_string(),
            readable,
        }
    } else {
        CaSource::None
    };
    if let Some(bytes) = ca_bytes {
        match cert_facts(&bytes) {
            Ok(f) => check_expiry(
                &mut w,
                env.now_unix(),
                f.not_after_unix,
                &format!("The CA certificate of cluster {}", super::go_quote(name)),
                "Get the cluster's current CA from its administrator or provider.",
            ),
            Err(e) => w.warn(
                format!(
                    "The CA of cluster {} cannot be parsed: {e}.",
                    super::go_quote(name)
                ),
                None,
            ),
        }
    }
    let proxy_url = s(body, "proxy-url").map(str::to_string);
    if proxy_url
        .as_deref()
        .is_some_and(|p| p.starts_with("socks5"))
    {
        w.info(
            "socks5 proxies do not carry exec, attach or port-forward streams.".into(),
            None,
        );
    }
    ClusterInsight {
        name: name.to_string(),
        origin: origin.display().to_string(),
        server,
        ca,
        tls_server_name: s(body, "tls-server-name").map(str::to_string),
        proxy_url,
        warnings: w.done(),
    }
}

/// Where a credential comes from, and its bytes when they could be read.
fn credential(
    w: &mut Warnings<'_>,
    body: &Value,
    name: &str,
    file_key: &str,
    data_key: &str,
    label: &str,
    base: &Path,
) -> Option<(CredentialSource, Option<Vec<u8>>)> {
    let file = s(body, file_key);
    let data = s(body, data_key);
    if file.is_some() && data.is_some() {
        w.error(
            format!("{label}-data and {label} are both specified for {name}. {label}-data will override."),
            Some("Keep one of them; kubectl refuses the pair."),
        );
    }
    if let Some(data) = data {
        let bytes = match decode_b64(data) {
            Ok(b) => Some(b),
            Err(e) => {
                w.error(
                    format!(
                        "{data_key} of user {} is not valid base64 ({e}).",
                        super::go_quote(name)
                    ),
                    None,
                );
                None
            }
        };
        return Some((CredentialSource::Inline, bytes));
    }
    let path = resolve(file?, base);
    let (readable, bytes) = match read(&path) {
        Ok(b) => (true, Some(b)),
        Err(e) => {
            w.error(
                format!("unable to read {label} {} for {name} due to {e}", path.display()),
                Some("Relative paths are resolved against the folder of the kubeconfig that defines the user."),
            );
            (false, None)
        }
    };
    Some((
        CredentialSource::File {
            path: path.display().to_string(),
            readable,
        },
        bytes,
    ))
}

/// Insight into one user body.
pub fn user_insight(name: &str, body: &Value, origin: &Path, env: &InsightEnv) -> UserInsight {
    let mut w = Warnings {
        list: Vec::new(),
        origin,
    };
    let base = base_dir(origin);
    let now = env.now_unix();
    let q = super::go_quote(name);
    let mut auth = Vec::new();

    // Client certificate.
    let cert = credential(
        &mut w,
        body,
        name,
        "client-certificate",
        "client-certificate-data",
        "client-cert",
        &base,
    );
    let key = credential(
        &mut w,
        body,
        name,
        "client-key",
        "client-key-data",
        "client-key",
        &base,
    );
    match (&cert, &key) {
        (Some(_), None) => w.error(
            format!("client-key-data or client-key must be specified for {name} to use the clientCert authentication method."),
            None,
        ),
        (None, Some(_)) => w.error(
            format!("client-cert-data or client-cert must be specified for {name} to use the clientCert authentication method."),
            None,
        ),
        _ => {}
    }
    if let Some((source, bytes)) = cert {
        let facts = bytes.and_then(|b| match cert_facts(&b) {
            Ok(f) => Some(f),
            Err(e) => {
                w.error(
                    format!("The client certificate of user {q} cannot be parsed: {e}."),
                    None,
                );
                None
            }
        });
        if let Some(f) = &facts {
            check_expiry(
                &mut w,
                now,
                f.not_after_unix,
                &format!("The client certificate of user {q}"),
                "Get a new certificate (for kubeadm clusters: kubeadm kubeconfig user, or re-copy admin.conf).",
            );
        }
        auth.push(AuthKind::ClientCert {
            cert: source,
            key: key.map(|(k, _)| k),
            facts,
        });
    }

    // Bearer tokens: tokenFile beats token in client-go.
    let token = s(body, "token");
    let token_file = s(body, "tokenFile");
    if let Some(t) = token {
        let jwt = jwt_facts(t);
        if let Some(exp) = jwt.as_ref().and_then(|j| j.exp_unix) {
            check_expiry(
                &mut w,
                now,
                exp,
                &format!("The token of user {q}"),
                "Get a fresh token from your identity provider or cluster administrator.",
            );
        }
        auth.push(AuthKind::Token { jwt });
    }
    if let Some(file) = token_file {
        let path = resolve(file, &base);
        let (readable, jwt) = match read(&path) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                if text.trim().is_empty() {
                    w.error(
                        format!("tokenFile {} of user {q} is empty.", path.display()),
                        None,
                    );
                }
                (true, jwt_facts(text.trim()))
            }
            Err(e) => {
                w.error(
                    format!("tokenFile {} of user {q} cannot be read: {e}.", path.display()),
                    Some("Relative paths are resolved against the folder of the kubeconfig that defines the user."),
                );
                (false, None)
            }
        };
        if let Some(exp) = jwt.as_ref().and_then(|j| j.exp_unix) {
            check_expiry(
                &mut w,
                now,
                exp,
                &format!("The token in tokenFile of user {q}"),
                "Refresh the token file.",
            );
        }
        if token.is_some() {
            w.info(
                "Both token and tokenFile are set: client-go uses tokenFile (re-read every minute) and falls back to token.".into(),
                None,
            );
        }
        auth.push(AuthKind::TokenFile {
            path: path.display().to_string(),
            readable,
            jwt,
        });
    }

    // Basic auth.
    let username = s(body, "username");
    if username.is_some() || s(body, "password").is_some() {
        if token.is_some() {
            w.error(
                format!("more than one authentication method found for {name}; found [token basicAuth], only one is allowed"),
                None,
            );
        }
        w.warn(
            "Basic authentication (username/password) was removed from the API server in Kubernetes 1.19; expect 401 Unauthorized.".into(),
            Some("Use a token, client certificate or exec plugin instead."),
        );
        auth.push(AuthKind::Basic {
            username: username.map(str::to_string),
        });
    }
    let has_static = !auth.is_empty();

    // Exec plugin.
    if let Some(ex) = body.get("exec").filter(|v| v.is_object()) {
        let command = s(ex, "command").unwrap_or("").to_string();
        let resolved = find_executable(&command, origin, env.path.as_ref());
        let install_hint = s(ex, "installHint").map(str::to_string);
        let api_version = s(ex, "apiVersion").map(str::to_string);
        let interactive_mode = s(ex, "interactiveMode").map(str::to_string);
        if resolved.is_none() {
            w.push(
                NoticeLevel::Error,
                format!("exec: executable {command} not found"),
                Some(install_hint.clone().unwrap_or_else(|| {
                    "Install the credential plugin, or make sure its folder is on the PATH Loupe sees (apps started from a desktop often lack the login shell's PATH).".into()
                })),
            );
        }
        match api_version.as_deref() {
            Some("client.authentication.k8s.io/v1") => {
                if interactive_mode.is_none() {
                    w.error(
                        format!("interactiveMode must be specified for {name} to use exec authentication plugin"),
                        Some("Add interactiveMode: Never (or IfAvailable) to the exec stanza."),
                    );
                }
            }
            Some("client.authentication.k8s.io/v1beta1") => {}
            other => w.error(
                format!(
                    "exec plugin: invalid apiVersion {}",
                    super::go_quote(other.unwrap_or(""))
                ),
                Some("Use client.authentication.k8s.io/v1 (with interactiveMode) or v1beta1."),
            ),
        }
        match interactive_mode.as_deref() {
            None | Some("Never") | Some("IfAvailable") => {}
            Some("Always") => w.warn(
                "interactiveMode: Always needs a terminal; Loupe can only run it in its embedded terminal.".into(),
                None,
            ),
            Some(other) => w.error(
                format!("invalid interactiveMode {}: must be Never, IfAvailable or Always", super::go_quote(other)),
                None,
            ),
        }
        if has_static {
            w.info(
                "The exec plugin is skipped: static credentials (token, basic auth or client certificate) take precedence.".into(),
                None,
            );
        }
        let list = |v: Option<&Value>, f: fn(&Value) -> Option<String>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| a.iter().filter_map(f).collect())
                .unwrap_or_default()
        };
        auth.push(AuthKind::Exec(ExecFacts {
            found: resolved.is_some(),
            resolved_command: resolved.map(|p| p.display().to_string()),
            command,
            args: list(ex.get("args"), |a| a.as_str().map(str::to_string)),
            env_names: list(ex.get("env"), |e| {
                e.get("name").and_then(Value::as_str).map(str::to_string)
            }),
            api_version,
            install_hint,
            interactive_mode,
            provide_cluster_info: ex.get("provideClusterInfo").and_then(Value::as_bool)
                == Some(true),
        }));
    }

    // Legacy auth-provider.
    if let Some(ap) = body.get("auth-provider").filter(|v| v.is_object()) {
        let provider = s(ap, "name").unwrap_or("").to_string();
        let cfg = ap.get("config").cloned().unwrap_or(Value::Null);
        let id_token = s(&cfg, "id-token").and_then(jwt_facts);
        let has_refresh_token = s(&cfg, "refresh-token").is_some();
        match provider.as_str() {
            "oidc" => {
                if let Some(exp) = id_token.as_ref().and_then(|j| j.exp_unix)
                    && exp <= now
                    && !has_refresh_token
                {
                    w.error(
                        "No valid id-token, and cannot refresh without refresh-token".into(),
                        Some("Log in again, or switch to an exec plugin such as kubelogin."),
                    );
                }
            }
            "gcp" => w.error(
                "The gcp auth plugin has been removed.".into(),
                Some("Please use the \"gke-gcloud-auth-plugin\" kubectl/client-go credential plugin instead."),
            ),
            "azure" => w.error(
                "The azure auth plugin has been removed.".into(),
                Some("Please use the https://github.com/Azure/kubelogin kubectl/client-go credential plugin instead."),
            ),
            other => w.error(
                format!("no Auth Provider found for name {}", super::go_quote(other)),
                None,
            ),
        }
        auth.push(AuthKind::AuthProvider {
            name: provider,
            issuer: s(&cfg, "idp-issuer-url").map(str::to_string),
            client_id: s(&cfg, "client-id").map(str::to_string),
            has_refresh_token,
            id_token,
        });
    }

    // Impersonation.
    let groups: Vec<String> = body
        .get("as-groups")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|g| g.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let extra_keys: Vec<String> = body
        .get("as-user-extra")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let imp = Impersonation {
        user: s(body, "as").map(str::to_string),
        uid: s(body, "as-uid").map(str::to_string),
        groups,
        extra_keys,
    };
    let impersonation = (imp != Impersonation::default()).then_some(imp);
    if let Some(i) = &impersonation
        && i.user.is_none()
    {
        w.error(
            format!("requesting uid, groups or user-extra for {name} without impersonating a user"),
            Some("Add `as:` with the user to impersonate."),
        );
    }
    if auth.is_empty() {
        w.info(
            "No credentials: requests are sent anonymously (kubectl may prompt for a username)."
                .into(),
            None,
        );
    }
    UserInsight {
        name: name.to_string(),
        origin: origin.display().to_string(),
        auth,
        impersonation,
        warnings: w.done(),
    }
}

impl Kubeconfig {
    /// Insight into every merged cluster, sorted by name.
    pub fn cluster_insights(&self, env: &InsightEnv) -> Vec<ClusterInsight> {
        self.clusters
            .keys()
            .filter_map(|n| {
                let e = self.cluster(n)?;
                Some(cluster_insight(n, &e.body, self.cluster_origin(n)?, env))
            })
            .collect()
    }

    /// Insight into every merged user, sorted by name.
    pub fn user_insights(&self, env: &InsightEnv) -> Vec<UserInsight> {
        self.users
            .keys()
            .filter_map(|n| {
                let e = self.user(n)?;
                Some(user_insight(n, &e.body, self.user_origin(n)?, env))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
