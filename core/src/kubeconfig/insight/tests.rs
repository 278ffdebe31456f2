use super::*;
use crate::kubeconfig::{ChainOrigin, FileConfig, LoadRules};
use serde_json::json;
use std::time::Duration;

/// CN=alice, O=dev, O=ops, valid 2024-01-01 .. 2099-01-01 (a throwaway self-signed EC cert).
const VALID: &str = "-----BEGIN CERTIFICATE-----\nMIIBLDCB06ADAgECAgEBMAoGCCqGSM49BAMCMBIxEDAOBgNVBAMMB3Rlc3QtY2Ew\nIBcNMjQwMTAxMDAwMDAwWhgPMjA5OTAxMDEwMDAwMDBaMCwxDjAMBgNVBAMMBWFs\naWNlMQwwCgYDVQQKDANkZXYxDDAKBgNVBAoMA29wczBZMBMGByqGSM49AgEGCCqG\nSM49AwEHA0IABPl7prz6hEqfwGJ6osODPx/lPGGOchi1e3zMh+xcQ1CEyCtW69xz\nxr1knyCf4Tt7C3fjO8E0at4IJU88GmqfP5MwCgYIKoZIzj0EAwIDSAAwRQIgcplk\nS3ACmewsbTgtbPlRfsoMp7QG4Rg4QvIB8KqJligCIQCiuEAhwPPkbgwkjcOkozdC\n/yI+ge9THzdxun4589RH2A==\n-----END CERTIFICATE-----\n";
/// CN=bob, valid 2020-01-01 .. 2021-06-15T12:00:00Z.
const EXPIRED: &str = "-----BEGIN CERTIFICATE-----\nMIIBDDCBs6ADAgECAgEBMAoGCCqGSM49BAMCMBIxEDAOBgNVBAMMB3Rlc3QtY2Ew\nHhcNMjAwMTAxMDAwMDAwWhcNMjEwNjE1MTIwMDAwWjAOMQwwCgYDVQQDDANib2Iw\nWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAT5e6a8+oRKn8BieqLDgz8f5TxhjnIY\ntXt8zIfsXENQhMgrVuvcc8a9ZJ8gn+E7ewt34zvBNGreCCVPPBpqnz+TMAoGCCqG\nSM49BAMCA0gAMEUCIQDhE7u4sl+4zQuW78LO/lKgmtnGkPpp4KmWcl/nxfF/XwIg\nSlvkuT3b3tyREKXNu4vCLbam6rlbd9FfWb5TsHoxCkE=\n-----END CERTIFICATE-----\n";

fn env_at(unix: u64) -> InsightEnv {
    InsightEnv {
        path: Some("/nonexistent-bin".into()),
        now: UNIX_EPOCH + Duration::from_secs(unix),
    }
}

/// 2025-01-01T00:00:00Z.
const NOW: u64 = 1_735_689_600;

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn jwt(claims: Value) -> String {
    let e = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    format!(
        "{}.{}.sig",
        e(br#"{"alg":"none"}"#),
        e(claims.to_string().as_bytes())
    )
}

fn messages(n: &[Notice]) -> Vec<String> {
    n.iter().map(|n| n.message.clone()).collect()
}

#[test]
fn rfc3339_formatting() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(1_623_758_400), "2021-06-15T12:00:00Z");
    assert_eq!(rfc3339(4_070_908_800), "2099-01-01T00:00:00Z");
}

#[test]
fn certificate_facts_from_pem_and_expiry() {
    let f = cert_facts(VALID.as_bytes()).unwrap();
    assert_eq!(f.subject_cn.as_deref(), Some("alice"));
    assert_eq!(f.subject_o, ["dev", "ops"]);
    assert_eq!(f.issuer_cn.as_deref(), Some("test-ca"));
    assert_eq!(f.not_after, "2099-01-01T00:00:00Z");
    assert!(cert_facts(b"garbage").is_err());
}

#[test]
fn client_cert_user_from_relative_files_and_data() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("certs")).unwrap();
    std::fs::write(d.path().join("certs/alice.crt"), VALID).unwrap();
    std::fs::write(d.path().join("certs/alice.key"), "not really a key").unwrap();
    let origin = d.path().join("k.yaml");
    let u = user_insight(
        "alice",
        &json!({"client-certificate": "certs/alice.crt", "client-key": "certs/alice.key"}),
        &origin,
        &env_at(NOW),
    );
    let AuthKind::ClientCert { cert, key, facts } = &u.auth[0] else {
        panic!("{u:?}")
    };
    assert_eq!(
        cert,
        &CredentialSource::File {
            path: d.path().join("certs/alice.crt").display().to_string(),
            readable: true
        }
    );
    assert!(matches!(
        key,
        Some(CredentialSource::File { readable: true, .. })
    ));
    assert_eq!(facts.as_ref().unwrap().subject_cn.as_deref(), Some("alice"));
    assert!(u.warnings.is_empty(), "{:?}", u.warnings);

    let u = user_insight(
        "bob",
        &json!({"client-certificate-data": b64(EXPIRED), "client-key-data": b64("k")}),
        &origin,
        &env_at(NOW),
    );
    assert_eq!(u.warnings[0].level, NoticeLevel::Error);
    assert_eq!(
        u.warnings[0].message,
        "The client certificate of user \"bob\" expired on 2021-06-15T12:00:00Z."
    );
    // Three days before the end of validity: a warning, not an error.
    let soon = 4_070_908_800 - 3 * 86_400;
    let u = user_insight(
        "alice",
        &json!({"client-certificate-data": b64(VALID), "client-key-data": b64("k")}),
        &origin,
        &env_at(soon),
    );
    assert_eq!(u.warnings[0].level, NoticeLevel::Warning);
    assert!(
        u.warnings[0].message.ends_with("(in 3 days)."),
        "{:?}",
        u.warnings
    );
}

#[test]
fn missing_files_and_missing_key_use_kubectls_words() {
    let origin = Path::new("/cfg/k.yaml");
    let u = user_insight(
        "u",
        &json!({"client-certificate": "nope.crt"}),
        origin,
        &env_at(NOW),
    );
    let m = messages(&u.warnings);
    assert!(
        m.contains(
            &"unable to read client-cert /cfg/nope.crt for u due to no such file or directory"
                .to_string()
        ),
        "{m:?}"
    );
    assert!(m.contains(&"client-key-data or client-key must be specified for u to use the clientCert authentication method.".to_string()));
}

#[test]
fn tokens_jwt_claims_and_token_files() {
    let d = tempfile::tempdir().unwrap();
    let t = jwt(
        json!({"sub": "system:serviceaccount:dev:bot", "iss": "https://issuer", "exp": NOW - 60}),
    );
    std::fs::write(d.path().join("tok"), format!("{t}\n")).unwrap();
    let origin = d.path().join("k.yaml");
    let u = user_insight("sa", &json!({"tokenFile": "tok"}), &origin, &env_at(NOW));
    let AuthKind::TokenFile { readable, jwt, .. } = &u.auth[0] else {
        panic!()
    };
    assert!(*readable);
    let j = jwt.as_ref().unwrap();
    assert_eq!(j.sub.as_deref(), Some("system:serviceaccount:dev:bot"));
    assert_eq!(j.exp_unix, Some(NOW as i64 - 60));
    assert_eq!(u.warnings[0].level, NoticeLevel::Error);
    // An opaque token is not a JWT; basic auth with a token is kubectl's error.
    let u = user_insight(
        "x",
        &json!({"token": "opaque", "username": "a", "password": "p"}),
        &origin,
        &env_at(NOW),
    );
    assert_eq!(u.auth[0], AuthKind::Token { jwt: None });
    assert!(messages(&u.warnings).contains(&"more than one authentication method found for x; found [token basicAuth], only one is allowed".to_string()));
    let u = user_insight("m", &json!({"tokenFile": "missing"}), &origin, &env_at(NOW));
    assert!(matches!(
        u.auth[0],
        AuthKind::TokenFile {
            readable: false,
            ..
        }
    ));
    assert_eq!(u.warnings[0].level, NoticeLevel::Error);
}

#[cfg(unix)]
#[test]
fn exec_plugins_are_looked_up_on_path_and_checked() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let bin = d.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let plugin = bin.join("my-plugin");
    std::fs::write(&plugin, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let env = InsightEnv {
        path: Some(bin.clone().into_os_string()),
        now: UNIX_EPOCH + Duration::from_secs(NOW),
    };
    let origin = d.path().join("k.yaml");
    let u = user_insight(
        "e",
        &json!({"exec": {"command": "my-plugin", "apiVersion": "client.authentication.k8s.io/v1", "interactiveMode": "Never", "env": [{"name": "SECRET", "value": "s3cr3t"}]}}),
        &origin,
        &env,
    );
    let AuthKind::Exec(x) = &u.auth[0] else {
        panic!()
    };
    assert!(x.found);
    assert_eq!(
        x.resolved_command.as_deref(),
        Some(plugin.to_str().unwrap())
    );
    assert_eq!(x.env_names, ["SECRET"]);
    assert!(u.warnings.is_empty(), "{:?}", u.warnings);
    // Relative to the kubeconfig's folder when the command has a separator.
    let u = user_insight(
        "e",
        &json!({"exec": {"command": "./bin/my-plugin", "apiVersion": "client.authentication.k8s.io/v1beta1"}}),
        &origin,
        &InsightEnv {
            path: None,
            ..env.clone()
        },
    );
    let AuthKind::Exec(x) = &u.auth[0] else {
        panic!()
    };
    assert!(x.found, "{x:?}");
    let u = user_insight(
        "e",
        &json!({"exec": {"command": "kubelogin", "apiVersion": "client.authentication.k8s.io/v1", "installHint": "brew install kubelogin"}}),
        &origin,
        &env,
    );
    let m = messages(&u.warnings);
    assert!(m.contains(&"exec: executable kubelogin not found".to_string()));
    assert!(m.contains(
        &"interactiveMode must be specified for e to use exec authentication plugin".to_string()
    ));
    let nf = u
        .warnings
        .iter()
        .find(|w| w.message.contains("not found"))
        .unwrap();
    assert_eq!(nf.hint.as_deref(), Some("brew install kubelogin"));
    let u = user_insight(
        "e",
        &json!({"exec": {"command": "my-plugin", "apiVersion": "client.authentication.k8s.io/v1alpha1"}}),
        &origin,
        &env,
    );
    assert!(messages(&u.warnings).contains(
        &"exec plugin: invalid apiVersion \"client.authentication.k8s.io/v1alpha1\"".to_string()
    ));
}

#[test]
fn clusters_ca_sources_and_their_errors() {
    let origin = Path::new("/cfg/k.yaml");
    let c = cluster_insight(
        "c",
        &json!({"server": "https://h:6443", "insecure-skip-tls-verify": true, "certificate-authority": "ca.crt"}),
        origin,
        &env_at(NOW),
    );
    assert_eq!(c.ca, CaSource::InsecureSkipTlsVerify);
    assert!(messages(&c.warnings).contains(
        &"specifying a root certificates file with the insecure flag is not allowed".to_string()
    ));
    let c = cluster_insight(
        "c",
        &json!({"server": "https://h", "certificate-authority": "ca.crt"}),
        origin,
        &env_at(NOW),
    );
    assert_eq!(
        c.ca,
        CaSource::File {
            path: "/cfg/ca.crt".into(),
            readable: false
        }
    );
    assert_eq!(
        c.warnings[0].message,
        "unable to read certificate-authority /cfg/ca.crt for c due to no such file or directory"
    );
    let c = cluster_insight(
        "c",
        &json!({"server": "https://h", "certificate-authority": "ca.crt", "certificate-authority-data": b64(VALID), "tls-server-name": "kubernetes.default.svc", "proxy-url": "socks5://127.0.0.1:1080"}),
        origin,
        &env_at(NOW),
    );
    assert_eq!(c.ca, CaSource::Data);
    assert_eq!(c.tls_server_name.as_deref(), Some("kubernetes.default.svc"));
    assert!(messages(&c.warnings).contains(&"certificate-authority-data and certificate-authority are both specified for c. certificate-authority-data will override.".to_string()));
    let c = cluster_insight("c", &json!({}), origin, &env_at(NOW));
    assert_eq!(c.warnings[0].message, "no server found for cluster \"c\"");
}

#[test]
fn impersonation_and_auth_providers() {
    let origin = Path::new("/cfg/k.yaml");
    let u = user_insight(
        "i",
        &json!({"as-groups": ["g"], "token": "t"}),
        origin,
        &env_at(NOW),
    );
    assert_eq!(u.impersonation.as_ref().unwrap().groups, ["g"]);
    assert!(messages(&u.warnings).contains(
        &"requesting uid, groups or user-extra for i without impersonating a user".to_string()
    ));
    let id = jwt(json!({"exp": NOW - 1, "iss": "https://issuer"}));
    let u = user_insight(
        "o",
        &json!({"auth-provider": {"name": "oidc", "config": {"id-token": id, "idp-issuer-url": "https://issuer", "client-id": "k8s"}}}),
        origin,
        &env_at(NOW),
    );
    let AuthKind::AuthProvider {
        issuer,
        has_refresh_token,
        id_token,
        ..
    } = &u.auth[0]
    else {
        panic!()
    };
    assert_eq!(issuer.as_deref(), Some("https://issuer"));
    assert!(!has_refresh_token);
    assert!(id_token.is_some());
    assert_eq!(
        u.warnings[0].message,
        "No valid id-token, and cannot refresh without refresh-token"
    );
    let u = user_insight(
        "g",
        &json!({"auth-provider": {"name": "gcp"}}),
        origin,
        &env_at(NOW),
    );
    assert_eq!(
        u.warnings[0].message,
        "The gcp auth plugin has been removed."
    );
}

#[test]
fn overview_carries_insights_without_secrets() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("k.yaml");
    let tok = jwt(json!({"sub": "me", "exp": 4_070_908_800u64}));
    std::fs::write(
        &p,
        format!(
            "kind: Config
clusters:
- {{name: c, cluster: {{server: 'https://h', certificate-authority-data: {}}}}}
users:
- {{name: t, user: {{token: '{tok}'}}}}
- {{name: b, user: {{username: admin, password: hunter2-secret}}}}
- {{name: k, user: {{client-certificate-data: {}, client-key-data: {}}}}}
- {{name: o, user: {{auth-provider: {{name: oidc, config: {{refresh-token: refresh-secret, client-secret: client-secret-value}}}}}}}}
- {{name: e, user: {{exec: {{command: x, apiVersion: client.authentication.k8s.io/v1beta1, env: [{{name: K, value: env-secret-value}}]}}}}}}
",
            b64(VALID),
            b64(VALID),
            b64("private-key-material")
        ),
    )
    .unwrap();
    let kc = Kubeconfig::load(&LoadRules {
        explicit: Some(p),
        env: None,
        home: None,
        imported: Vec::new(),
    });
    let o = kc.overview();
    assert_eq!(o.clusters.len(), 1);
    assert_eq!(o.users.len(), 5);
    let json = serde_json::to_string(&o).unwrap();
    for secret in [
        tok.as_str(),
        "hunter2-secret",
        "refresh-secret",
        "client-secret-value",
        "env-secret-value",
        &b64("private-key-material"),
        &b64(VALID),
        "MIIB",
    ] {
        assert!(!json.contains(secret), "{secret} leaked");
    }
    let _ = (FileConfig::parse, ChainOrigin::Env);
}
