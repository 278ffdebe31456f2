//! Each classification, from error chains shaped the way kube-rs produces them.

use super::*;
use rustls::pki_types::{ServerName, UnixTime};
use std::fmt;
use std::time::Duration;

fn target() -> Target {
    Target {
        context: "ctx".into(),
        cluster: "c1".into(),
        user: "u1".into(),
        server: Some("https://127.0.0.1:16452".into()),
        credential: CredentialKind::Token,
        ..Default::default()
    }
}

/// Stands in for hyper-util's private `ConnectError` / `legacy::Error`: a fixed message, a
/// `Debug` that carries the address, and a boxed cause.
struct Wrap {
    msg: &'static str,
    debug_addr: Option<&'static str>,
    cause: Box<dyn StdError + Send + Sync>,
}

impl fmt::Debug for Wrap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut t = f.debug_tuple("ConnectError");
        t.field(&self.msg);
        if let Some(a) = self.debug_addr {
            t.field(&format_args!("{a}"));
        }
        t.field(&self.cause).finish()
    }
}
impl fmt::Display for Wrap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.msg)
    }
}
impl StdError for Wrap {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.cause)
    }
}

/// `ServiceError: client error (Connect)` → `cause`, as kube-rs reports transport failures.
fn as_kube_transport(cause: impl StdError + Send + Sync + 'static) -> ClusterError {
    ClusterError::Kube(kube::Error::Service(Box::new(Wrap {
        msg: "client error (Connect)",
        debug_addr: None,
        cause: Box::new(cause),
    })))
}

/// A rustls certificate error as hyper-rustls/tokio-rustls surface it: inside an io::Error.
fn tls(ce: CertificateError) -> ClusterError {
    as_kube_transport(std::io::Error::new(
        IoKind::InvalidData,
        rustls::Error::InvalidCertificate(ce),
    ))
}

fn api(code: u16, reason: &str, message: &str) -> ClusterError {
    ClusterError::Kube(kube::Error::Api(
        kube::core::Status::failure(message, reason)
            .with_code(code)
            .boxed(),
    ))
}

#[test]
fn connection_refused_names_the_socket_address() {
    let err = as_kube_transport(Wrap {
        msg: "tcp connect error",
        debug_addr: Some("127.0.0.1:16452"),
        cause: Box::new(std::io::Error::from(IoKind::ConnectionRefused)),
    });
    let d = diagnose(&err, &target());
    assert_eq!(d.kind, DiagnosisKind::ConnectionRefused);
    assert_eq!(d.title, "Nothing is listening at 127.0.0.1:16452.");
    assert_eq!(
        d.kubectl_says.as_deref(),
        Some(
            "The connection to the server 127.0.0.1:16452 was refused - did you specify the right host or port?"
        )
    );
    assert!(d.message.contains("tcp connect error"), "{}", d.message);
    assert_eq!(d.status_code, None);
}

#[test]
fn connection_refused_without_address_uses_the_server_url() {
    let mut t = target();
    t.server = Some("https://[::1]:6443/base".into());
    let err = as_kube_transport(std::io::Error::from(IoKind::ConnectionRefused));
    let d = diagnose(&err, &t);
    assert_eq!(d.kind, DiagnosisKind::ConnectionRefused);
    assert!(d.title.contains("[::1]:6443"), "{}", d.title);
}

#[test]
fn unknown_issuer_is_an_untrusted_certificate() {
    let d = diagnose(&tls(CertificateError::UnknownIssuer), &target());
    assert_eq!(d.kind, DiagnosisKind::TlsUnknownAuthority);
    assert_eq!(
        d.title,
        "The cluster's certificate isn't trusted by this kubeconfig."
    );
    assert_eq!(
        d.kubectl_says.as_deref(),
        Some(
            "Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority"
        )
    );
    assert!(d.fix.contains("insecure-skip-tls-verify"));
    assert!(d.message.contains("UnknownIssuer"), "{}", d.message);
}

#[test]
fn name_mismatch_lists_the_certificate_names() {
    let ce = CertificateError::NotValidForNameContext {
        expected: ServerName::try_from("not-in-cert.example").unwrap(),
        presented: vec![
            "DnsName(\"localhost\")".into(),
            "DnsName(\"kubernetes\")".into(),
            "IpAddress(127.0.0.1)".into(),
        ],
    };
    let mut t = target();
    t.tls_server_name = Some("not-in-cert.example".into());
    let d = diagnose(&tls(ce), &t);
    assert_eq!(d.kind, DiagnosisKind::TlsNameMismatch);
    assert!(d.title.contains("\"not-in-cert.example\""), "{}", d.title);
    assert!(
        d.fix.contains("localhost, kubernetes, 127.0.0.1"),
        "{}",
        d.fix
    );
    assert!(
        d.fix.contains("the `tls-server-name` of cluster \"c1\""),
        "{}",
        d.fix
    );
    assert_eq!(
        d.kubectl_says.as_deref(),
        Some(
            "Unable to connect to the server: tls: failed to verify certificate: x509: certificate is valid for localhost, kubernetes, 127.0.0.1, not not-in-cert.example"
        )
    );
}

#[test]
fn ip_without_ip_sans_reads_like_go() {
    let ce = CertificateError::NotValidForNameContext {
        expected: ServerName::try_from("10.0.0.1").unwrap(),
        presented: vec!["DnsName(\"kubernetes\")".into()],
    };
    let d = diagnose(&tls(ce), &target());
    assert_eq!(d.kind, DiagnosisKind::TlsNameMismatch);
    assert!(
        d.fix.contains("in the `server` URL of cluster \"c1\""),
        "{}",
        d.fix
    );
    assert!(d.kubectl_says.unwrap().ends_with(
        "cannot validate certificate for 10.0.0.1 because it doesn't contain any IP SANs"
    ));
}

#[test]
fn expired_certificate_gives_times_like_kubectl() {
    let ce = CertificateError::ExpiredContext {
        time: UnixTime::since_unix_epoch(Duration::from_secs(1_795_960_192)),
        not_after: UnixTime::since_unix_epoch(Duration::from_secs(1_580_515_200)),
    };
    let d = diagnose(&tls(ce), &target());
    assert_eq!(d.kind, DiagnosisKind::TlsExpired);
    assert!(d.title.contains("clock"), "{}", d.title);
    assert_eq!(
        d.kubectl_says.as_deref(),
        Some(
            "Unable to connect to the server: tls: failed to verify certificate: x509: certificate has expired or is not valid yet: current time 2026-11-29T13:49:52Z is after 2020-02-01T00:00:00Z"
        )
    );
    let d = diagnose(&tls(CertificateError::NotValidYet), &target());
    assert_eq!(d.kind, DiagnosisKind::TlsExpired);
}

#[test]
fn other_certificate_errors_are_not_misfiled() {
    let d = diagnose(&tls(CertificateError::BadSignature), &target());
    assert_eq!(d.kind, DiagnosisKind::Other);
    assert!(d.title.contains("TLS"), "{}", d.title);
}

#[test]
fn unauthorized_branches_on_the_code() {
    let d = diagnose(&api(401, "Unauthorized", "Unauthorized"), &target());
    assert_eq!(d.kind, DiagnosisKind::Unauthorized);
    assert_eq!(d.status_code, Some(401));
    assert_eq!(d.title, "The API server did not accept your token.");
    assert_eq!(
        d.kubectl_says.as_deref(),
        Some("error: You must be logged in to the server (Unauthorized)")
    );
    // A proxy's plain-text 401: kube-rs invents the reason; the code still decides.
    let d = diagnose(
        &api(401, "Failed to parse error data", "go away"),
        &target(),
    );
    assert_eq!(d.kind, DiagnosisKind::Unauthorized);
    assert_eq!(
        d.kubectl_says.as_deref(),
        Some(
            "error: You must be logged in to the server (the server has asked for the client to provide credentials)"
        )
    );
}

#[test]
fn unauthorized_with_an_expired_jwt_says_when() {
    let mut t = target();
    t.token_expires = Some(1_580_515_200);
    let d = diagnose(&api(401, "Unauthorized", "Unauthorized"), &t);
    assert_eq!(d.title, "Your token expired on 2020-02-01T00:00:00Z.");
    t.credential = CredentialKind::ClientCertificate;
    let d = diagnose(&api(401, "Unauthorized", "Unauthorized"), &t);
    assert!(d.title.contains("client certificate"), "{}", d.title);
}

#[test]
fn forbidden_names_user_verb_and_resource() {
    let msg = r#"pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default""#;
    let d = diagnose(&api(403, "Forbidden", msg), &target());
    assert_eq!(d.kind, DiagnosisKind::Forbidden);
    assert_eq!(d.status_code, Some(403));
    assert_eq!(
        d.title,
        "User \"bob\" is not allowed to list pods in namespace \"default\"."
    );
    assert_eq!(
        d.kubectl_says.as_deref(),
        Some(format!("Error from server (Forbidden): {msg}").as_str())
    );
    let msg = r#"deployments.apps is forbidden: User "bob" cannot watch resource "deployments" in API group "apps" at the cluster scope"#;
    let d = diagnose(&api(403, "Forbidden", msg), &target());
    assert_eq!(
        d.title,
        "User \"bob\" is not allowed to watch deployments.apps across the cluster."
    );
}

#[test]
fn forbidden_parses_paths_and_subresources() {
    let d = parse_forbidden(r#"forbidden: User "x" cannot get path "/metrics""#).unwrap();
    assert_eq!(d.user, "x");
    assert_eq!(d.verb, "get");
    assert_eq!(d.path.as_deref(), Some("/metrics"));
    let d = parse_forbidden(
        r#"pods "web" is forbidden: User "system:serviceaccount:a:b" cannot create resource "pods/exec" in API group "" in the namespace "a""#,
    )
    .unwrap();
    assert_eq!(d.user, "system:serviceaccount:a:b");
    assert_eq!(d.resource.as_deref(), Some("pods/exec"));
    assert_eq!(d.group.as_deref(), Some(""));
    assert_eq!(d.namespace.as_deref(), Some("a"));
    assert!(parse_forbidden("denied by webhook").is_none());
}

#[test]
fn anonymous_403_is_an_authentication_problem() {
    let msg = r#"namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in API group "" at the cluster scope"#;
    let mut t = target();
    t.credential = CredentialKind::None;
    let d = diagnose(&api(403, "Forbidden", msg), &t);
    assert_eq!(d.kind, DiagnosisKind::Unauthorized);
    assert!(d.title.contains("anonymous"), "{}", d.title);
    assert!(d.fix.contains("no user"), "{}", d.fix);
}

#[test]
fn html_from_a_proxy_is_blamed_on_the_proxy() {
    let d = diagnose(
        &api(
            502,
            "Failed to parse error data",
            "<html>Bad Gateway</html>",
        ),
        &target(),
    );
    assert_eq!(d.kind, DiagnosisKind::Other);
    assert_eq!(d.status_code, Some(502));
    assert!(d.title.starts_with("Something in front"), "{}", d.title);
    assert_eq!(
        d.kubectl_says.as_deref(),
        Some(
            "Error from server (InternalError): an error on the server (\"<html>Bad Gateway</html>\") has prevented the request from succeeding"
        )
    );
}

#[test]
fn dns_failure() {
    let mut t = target();
    t.server = Some("https://api.example.invalid:6443".into());
    let err = as_kube_transport(Wrap {
        msg: "dns error",
        debug_addr: None,
        cause: Box::new(std::io::Error::other(
            "failed to lookup address information: Name or service not known",
        )),
    });
    let d = diagnose(&err, &t);
    assert_eq!(d.kind, DiagnosisKind::Dns);
    assert_eq!(
        d.title,
        "The cluster's hostname \"api.example.invalid\" doesn't resolve."
    );
    assert!(d.fix.contains("VPN"));
}

#[test]
fn timeouts() {
    let err = as_kube_transport(std::io::Error::from(IoKind::TimedOut));
    assert_eq!(diagnose(&err, &target()).kind, DiagnosisKind::Timeout);
    let err = ClusterError::Timeout {
        server: "https://127.0.0.1:16452".into(),
        stage: "GET /version",
        after: Duration::from_secs(10),
    };
    let d = diagnose(&err, &target());
    assert_eq!(d.kind, DiagnosisKind::Timeout);
    assert_eq!(
        d.title,
        "The API server at 127.0.0.1:16452 didn't answer within 10 s."
    );
}

#[test]
fn exec_plugin_missing_shows_the_install_hint() {
    let err = ClusterError::ExecPluginMissing {
        command: "kubectl-oidc_login".into(),
        install_hint: Some("brew install int128/kubelogin/kubelogin\n".into()),
        searched: vec!["/usr/bin".into(), "/bin".into()],
    };
    let d = diagnose(&err, &target());
    assert_eq!(d.kind, DiagnosisKind::ExecPluginMissing);
    assert!(d.fix.contains("brew install int128/kubelogin/kubelogin"));
    assert!(d.fix.contains("PATH"));
    assert!(d.message.contains("/usr/bin:/bin"), "{}", d.message);
    let kubectl = d.kubectl_says.unwrap();
    assert!(kubectl.starts_with(
        "Unable to connect to the server: getting credentials: exec: executable kubectl-oidc_login not found"
    ));
    assert!(kubectl.ends_with("brew install int128/kubelogin/kubelogin"));
}

#[test]
fn exec_start_not_found_from_kube_is_missing_plugin() {
    let err = ClusterError::Kube(kube::Error::Auth(AuthError::AuthExecStart(
        std::io::Error::from(IoKind::NotFound),
    )));
    let mut t = target();
    t.exec_command = Some("gke-gcloud-auth-plugin".into());
    let d = diagnose(&err, &t);
    assert_eq!(d.kind, DiagnosisKind::ExecPluginMissing);
    assert!(d.title.contains("gke-gcloud-auth-plugin"));
}

#[cfg(unix)]
#[test]
fn failing_exec_plugin_output_is_redacted() {
    use std::os::unix::process::ExitStatusExt as _;
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    let err = ClusterError::Kube(kube::Error::Auth(AuthError::AuthExecRun {
        cmd: format!("\"plugin\" \"KUBERNETES_EXEC_INFO\"=\"{{...{jwt}}}\""),
        out: Box::new(std::process::Output {
            status: std::process::ExitStatus::from_raw(3 << 8),
            stdout: jwt.as_bytes().to_vec(),
            stderr: format!("session expired; old token {jwt}\n").into_bytes(),
        }),
    }));
    let mut t = target();
    t.exec_command = Some("plugin".into());
    let d = diagnose(&err, &t);
    assert_eq!(
        d.title,
        "The credential helper `plugin` failed (exit code 3)."
    );
    assert!(d.message.contains("session expired"), "{}", d.message);
    assert!(!d.message.contains(jwt), "{}", d.message);
    assert!(!d.message.contains("KUBERNETES_EXEC_INFO"), "{}", d.message);
}

#[test]
fn exec_not_approved_lists_the_command() {
    let err = ClusterError::ExecNotApproved {
        command: "aws".into(),
        args: vec!["eks".into(), "get-token".into()],
    };
    let d = diagnose(&err, &target());
    assert_eq!(d.kind, DiagnosisKind::ExecNotApproved);
    assert!(d.fix.contains("`aws eks get-token`"), "{}", d.fix);
    assert_eq!(d.kubectl_says, None);
}

#[test]
fn config_problems() {
    let d = diagnose(
        &ClusterError::MissingCluster {
            context: "ctx".into(),
            cluster: "ghost".into(),
            origin: "/k/config".into(),
        },
        &target(),
    );
    assert_eq!(d.kind, DiagnosisKind::MissingCluster);
    assert!(d.fix.contains("/k/config"));
    assert!(d.kubectl_says.unwrap().contains("localhost:8080"));

    let err = ClusterError::Kubeconfig(KubeconfigError::LoadClusterOfContext("ghost".into()));
    assert_eq!(
        diagnose(&err, &target()).kind,
        DiagnosisKind::MissingCluster
    );
    let err = ClusterError::Kubeconfig(KubeconfigError::CurrentContextNotSet);
    assert_eq!(
        diagnose(&err, &target()).kind,
        DiagnosisKind::NoCurrentContext
    );
    assert_eq!(
        diagnose(&ClusterError::NoCurrentContext, &target()).kind,
        DiagnosisKind::NoCurrentContext
    );
}

#[test]
fn key_mismatch_is_explained() {
    let err = ClusterError::Kube(kube::Error::Service(Box::new(
        rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch),
    )));
    let d = diagnose(&err, &target());
    assert_eq!(d.kind, DiagnosisKind::Other);
    assert!(d.title.contains("doesn't belong"), "{}", d.title);
}

#[test]
fn redaction() {
    let mut t = target();
    t.add_secret("s3cr3t-token-value");
    t.add_secret("abc"); // too short to redact safely
    let text = "token s3cr3t-token-value; Authorization: Bearer xyz123 \
                jwt eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.sig-_x done \
                -----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY----- tail abc";
    let r = t.redact(text);
    assert!(!r.contains("s3cr3t"), "{r}");
    assert!(!r.contains("xyz123"), "{r}");
    assert!(!r.contains("eyJleHAi"), "{r}");
    assert!(!r.contains("MHcCAQEE"), "{r}");
    assert!(r.contains("[redacted PEM] tail abc"), "{r}");
    assert!(r.contains("done"), "{r}");
    assert!(!format!("{t:?}").contains("s3cr3t"));
}

#[test]
fn jwt_expiry_reads_exp() {
    // {"alg":"none"} . {"exp":1580515200,"sub":"x"} . (no signature)
    let tok = "eyJhbGciOiJub25lIn0.eyJleHAiOjE1ODA1MTUyMDAsInN1YiI6IngifQ.";
    assert_eq!(jwt_expiry(tok), Some(1_580_515_200));
    assert_eq!(jwt_expiry("not-a-jwt"), None);
}

#[test]
fn rfc3339_dates() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(rfc3339(4_102_444_799_i64), "2099-12-31T23:59:59Z");
}

#[test]
fn every_diagnosis_has_title_fix_and_message() {
    let errs = [
        tls(CertificateError::UnknownIssuer),
        api(401, "Unauthorized", "Unauthorized"),
        api(500, "InternalError", "boom"),
        as_kube_transport(std::io::Error::from(IoKind::ConnectionReset)),
        as_kube_transport(std::io::Error::other("something else")),
        ClusterError::ContextNotFound {
            context: "x".into(),
        },
        ClusterError::EmptyTokenFile { path: "/t".into() },
        ClusterError::Task("panicked".into()),
    ];
    for e in errs {
        let d = diagnose(&e, &target());
        assert!(
            !d.title.is_empty() && !d.fix.is_empty() && !d.message.is_empty(),
            "{d:?}"
        );
    }
}
