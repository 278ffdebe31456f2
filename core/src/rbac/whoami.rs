//! Who am I: the identity the API server sees (SelfSubjectReview), and how the kubeconfig user
//! entry established it (client certificate CN/O, ServiceAccount token claims, other tokens,
//! exec plugins, impersonation).
//!
//! Tokens are read only to decode their claims; neither the token nor any key leaves this module.

use crate::CoreError;
use crate::cluster::{ClusterError, ContextClient};
use crate::kubeconfig::Kubeconfig;
use crate::kubeconfig::gofmt::{GoValue, to_json, to_yaml};
use crate::kubeconfig::insight::{InsightEnv, user_insight};
use crate::kubeconfig::paths::{base_dir, resolve};
use crate::table::tabwrite;
use kube::api::PostParams;
use loupe_model::rbac::{
    AuthEvidence, Identity, IdentitySource, ImpersonationInfo, SUPERUSER_GROUP,
};
use loupe_model::{AuthKind, JwtFacts};
use serde_json::Value;
use std::collections::BTreeMap;

/// What kubectl prints when no version of the API is served.
pub const NOT_ENABLED: &str = "the selfsubjectreviews API is not enabled in the cluster";
/// What kubectl prints on a 403.
pub const FORBIDDEN: &str = "the selfsubjectreviews API is not enabled in the cluster or you do not have permission to call it";

/// The API versions tried, newest first (as `kubectl auth whoami` falls back on 404).
const VERSIONS: [&str; 3] = ["v1", "v1beta1", "v1alpha1"];

/// Asks the API server who the context's user is (SelfSubjectReview), and explains how that
/// identity was established from the kubeconfig. When the server does not serve the API, or
/// refuses it, the identity is derived from the kubeconfig instead and
/// [`IdentitySource::Kubeconfig`] says why.
///
/// Fails when the server cannot be reached, or when impersonation itself is refused.
pub async fn whoami(cc: &ContextClient, kc: &Kubeconfig) -> Result<Identity, CoreError> {
    let evidence = evidence_for(kc, &cc.target.context);
    let impersonation = impersonation_of(&cc.target);
    let mut last_404 = None;
    for v in VERSIONS {
        match self_subject_review(cc, v).await {
            Ok(answer) => {
                return Ok(from_review(
                    &cc.target.context,
                    &format!("authentication.k8s.io/{v}"),
                    &answer,
                    evidence,
                    impersonation,
                ));
            }
            Err(kube::Error::Api(s)) if s.code == 404 => last_404 = Some(s),
            Err(kube::Error::Api(s)) if s.code == 403 && !s.message.contains("impersonate") => {
                return Ok(offline(
                    &cc.target.context,
                    format!("{FORBIDDEN} ({})", s.message),
                    evidence,
                    impersonation,
                ));
            }
            Err(e) => return Err(CoreError::cluster(ClusterError::Kube(e), &cc.target)),
        }
    }
    let detail = last_404.map(|s| s.message).unwrap_or_default();
    Ok(offline(
        &cc.target.context,
        format!("{NOT_ENABLED} ({detail})"),
        evidence,
        impersonation,
    ))
}

/// The user name and groups from one SelfSubjectReview (`v1`), or `None` when the server does
/// not answer it. For the matrix, which only needs to know about `system:masters`.
pub async fn self_review_user(cc: &ContextClient) -> Option<(String, Vec<String>)> {
    let answer = self_subject_review(cc, "v1").await.ok()?;
    let info = &answer["status"]["userInfo"];
    let groups = info["groups"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|g| g.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Some((info["username"].as_str()?.to_string(), groups))
}

async fn self_subject_review(cc: &ContextClient, version: &str) -> Result<Value, kube::Error> {
    let body = serde_json::json!({
        "apiVersion": format!("authentication.k8s.io/{version}"),
        "kind": "SelfSubjectReview",
    });
    let req = kube::core::Request::new(format!(
        "/apis/authentication.k8s.io/{version}/selfsubjectreviews"
    ))
    .create(&PostParams::default(), body.to_string().into_bytes())
    .map_err(kube::Error::BuildRequest)?;
    cc.client.request::<Value>(req).await
}

fn impersonation_of(target: &crate::cluster::Target) -> Option<ImpersonationInfo> {
    (target.impersonate.is_some() || !target.impersonate_groups.is_empty()).then(|| {
        ImpersonationInfo {
            user: target.impersonate.clone(),
            groups: target.impersonate_groups.clone(),
            from_flags: target.impersonation_from_flags,
        }
    })
}

/// An identity from a SelfSubjectReview answer (`status.userInfo`).
pub fn from_review(
    context: &str,
    api_version: &str,
    answer: &Value,
    established_by: Vec<AuthEvidence>,
    impersonation: Option<ImpersonationInfo>,
) -> Identity {
    let info = &answer["status"]["userInfo"];
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let extra: BTreeMap<String, Vec<String>> = info["extra"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), strings(v))).collect())
        .unwrap_or_default();
    let groups = strings(&info["groups"]);
    let mut id = Identity {
        context: context.to_string(),
        username: info["username"].as_str().unwrap_or_default().to_string(),
        uid: info["uid"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        superuser: groups.iter().any(|g| g == SUPERUSER_GROUP),
        groups,
        extra,
        source: IdentitySource::SelfSubjectReview {
            api_version: api_version.to_string(),
        },
        reviewed_at: answer["metadata"]["creationTimestamp"]
            .as_str()
            .map(str::to_string),
        established_by,
        impersonation,
        explanation: Vec::new(),
    };
    id.explanation = explain(&id);
    id
}

/// The identity as far as the kubeconfig tells it, without asking the server: certain for
/// client certificates and ServiceAccount tokens (and impersonation), unknown otherwise.
pub fn offline(
    context: &str,
    reason: String,
    established_by: Vec<AuthEvidence>,
    impersonation: Option<ImpersonationInfo>,
) -> Identity {
    let (username, mut groups, certain) = derive(&established_by, impersonation.as_ref());
    if !username.is_empty()
        && username != "system:anonymous"
        && !groups.iter().any(|g| g == "system:authenticated")
    {
        groups.push("system:authenticated".into());
    }
    let mut id = Identity {
        context: context.to_string(),
        superuser: groups.iter().any(|g| g == SUPERUSER_GROUP),
        username,
        uid: None,
        groups,
        extra: BTreeMap::new(),
        source: IdentitySource::Kubeconfig { reason, certain },
        reviewed_at: None,
        established_by,
        impersonation,
        explanation: Vec::new(),
    };
    id.explanation = explain(&id);
    id
}

/// (user name, groups, certain) from the credentials, as the API server's authenticators and
/// impersonation filter would set them.
fn derive(
    evidence: &[AuthEvidence],
    imp: Option<&ImpersonationInfo>,
) -> (String, Vec<String>, bool) {
    if let Some(imp) = imp
        && let Some(user) = &imp.user
    {
        let mut groups = imp.groups.clone();
        if groups.is_empty()
            && let Some((ns, _)) = user
                .strip_prefix("system:serviceaccount:")
                .and_then(|r| r.split_once(':'))
        {
            groups = sa_groups(ns);
        }
        return (user.clone(), groups, true);
    }
    match evidence.first() {
        Some(AuthEvidence::ClientCertificate {
            common_name,
            organizations,
            ..
        }) => (
            common_name.clone().unwrap_or_default(),
            organizations.clone(),
            common_name.is_some(),
        ),
        Some(AuthEvidence::ServiceAccountToken {
            namespace,
            service_account,
            ..
        }) => (
            format!("system:serviceaccount:{namespace}:{service_account}"),
            sa_groups(namespace),
            true,
        ),
        Some(AuthEvidence::Anonymous) => (
            "system:anonymous".into(),
            vec!["system:unauthenticated".into()],
            true,
        ),
        _ => (String::new(), Vec::new(), false),
    }
}

fn sa_groups(ns: &str) -> Vec<String> {
    vec![
        "system:serviceaccounts".into(),
        format!("system:serviceaccounts:{ns}"),
    ]
}

/// How the context's user entry authenticates, most relevant (the one client-go uses) first.
pub fn evidence_for(kc: &Kubeconfig, context: &str) -> Vec<AuthEvidence> {
    let Some(ctx) = kc.context(context) else {
        return Vec::new();
    };
    let Some(entry) = (!ctx.user.is_empty()).then(|| kc.user(ctx.user)).flatten() else {
        return vec![AuthEvidence::Anonymous];
    };
    let origin = kc.user_origin(ctx.user).unwrap_or(ctx.origin).to_path_buf();
    let insight = user_insight(ctx.user, &entry.body, &origin, &InsightEnv::current());
    let mut out = Vec::new();
    // The API server tries client certificates before bearer tokens, so a certificate wins when
    // an entry carries both; list it first.
    let token_text = |from_file: bool| -> Option<String> {
        if from_file {
            let path = entry.body.get("tokenFile")?.as_str()?;
            let p = resolve(path, &base_dir(&origin));
            std::fs::read_to_string(p)
                .ok()
                .map(|t| t.trim().to_string())
        } else {
            entry.body.get("token")?.as_str().map(str::to_string)
        }
    };
    for cert_pass in [true, false] {
        for a in &insight.auth {
            match (a, cert_pass) {
                (AuthKind::ClientCert { facts, .. }, true) => {
                    out.push(AuthEvidence::ClientCertificate {
                        common_name: facts.as_ref().and_then(|f| f.subject_cn.clone()),
                        organizations: facts
                            .as_ref()
                            .map(|f| f.subject_o.clone())
                            .unwrap_or_default(),
                        issuer: facts.as_ref().and_then(|f| f.issuer_cn.clone()),
                        not_after: facts.as_ref().map(|f| f.not_after.clone()),
                    })
                }
                // client-go prefers tokenFile (when readable) over token.
                (AuthKind::TokenFile { jwt, .. }, false) => {
                    out.push(token_evidence(
                        token_text(true).as_deref(),
                        jwt.clone(),
                        true,
                    ));
                }
                (AuthKind::Token { jwt }, false) if !has_token_file(&insight.auth) => {
                    out.push(token_evidence(
                        token_text(false).as_deref(),
                        jwt.clone(),
                        false,
                    ));
                }
                (AuthKind::Basic { username }, false) => out.push(AuthEvidence::Basic {
                    username: username.clone(),
                }),
                (AuthKind::Exec(e), false) => out.push(AuthEvidence::ExecPlugin {
                    command: e.command.clone(),
                    args: e.args.clone(),
                    api_version: e.api_version.clone(),
                }),
                (AuthKind::AuthProvider { name, .. }, false) => {
                    out.push(AuthEvidence::AuthProvider { name: name.clone() })
                }
                _ => {}
            }
        }
    }
    if out.is_empty() {
        out.push(AuthEvidence::Anonymous);
    }
    out
}

fn has_token_file(auth: &[AuthKind]) -> bool {
    auth.iter()
        .any(|a| matches!(a, AuthKind::TokenFile { readable: true, .. }))
}

/// A token's evidence: ServiceAccount claims when it is a ServiceAccount JWT.
pub fn token_evidence(token: Option<&str>, jwt: Option<JwtFacts>, from_file: bool) -> AuthEvidence {
    if let Some(claims) = token.and_then(crate::kubeconfig::insight::jwt_payload)
        && let Some(sa) = service_account_claims(&claims, jwt.as_ref(), from_file)
    {
        return sa;
    }
    AuthEvidence::BearerToken { jwt, from_file }
}

/// ServiceAccount facts from JWT claims: bound tokens (`kubernetes.io` claim) and legacy Secret
/// tokens (`kubernetes.io/serviceaccount/*` claims).
fn service_account_claims(
    claims: &Value,
    jwt: Option<&JwtFacts>,
    from_file: bool,
) -> Option<AuthEvidence> {
    let s = |v: &Value| v.as_str().map(str::to_string);
    let issuer = jwt.and_then(|j| j.iss.clone());
    let expires = jwt.and_then(|j| j.exp.clone());
    if let Some(k) = claims.get("kubernetes.io") {
        return Some(AuthEvidence::ServiceAccountToken {
            namespace: s(&k["namespace"])?,
            service_account: s(&k["serviceaccount"]["name"])?,
            bound_pod: s(&k["pod"]["name"]),
            bound_node: s(&k["node"]["name"]),
            issuer,
            expires,
            legacy: false,
            from_file,
        });
    }
    let ns = s(&claims["kubernetes.io/serviceaccount/namespace"])?;
    let name = s(&claims["kubernetes.io/serviceaccount/service-account.name"])?;
    Some(AuthEvidence::ServiceAccountToken {
        namespace: ns,
        service_account: name,
        bound_pod: None,
        bound_node: None,
        issuer,
        expires,
        legacy: true,
        from_file,
    })
}

/// One sentence per fact, for someone new to Kubernetes authentication.
pub fn explain(id: &Identity) -> Vec<String> {
    let mut out = Vec::new();
    match &id.source {
        IdentitySource::SelfSubjectReview { api_version } => out.push(format!(
            "The API server identifies you as \"{}\" (SelfSubjectReview, {api_version}).",
            id.username
        )),
        IdentitySource::Kubeconfig { reason, certain } => {
            out.push(format!("The API server could not be asked: {reason}."));
            out.push(if *certain {
                format!(
                    "From the kubeconfig alone, you are \"{}\"; the server would see the same.",
                    id.username
                )
            } else {
                "With this kind of credential only the server knows the user name and groups."
                    .to_string()
            });
        }
    }
    if let Some(imp) = &id.impersonation {
        let who = imp.user.as_deref().unwrap_or("(no user)");
        let src = if imp.from_flags {
            "--as/--as-group"
        } else {
            "the kubeconfig's as/as-groups"
        };
        out.push(format!(
            "Requests impersonate \"{who}\"{} (from {src}): the server first checks that your real identity may impersonate, then authorizes every request as the impersonated user.",
            if imp.groups.is_empty() {
                String::new()
            } else {
                format!(" with groups {}", imp.groups.join(", "))
            }
        ));
    }
    for e in &id.established_by {
        out.push(match e {
            AuthEvidence::ClientCertificate {
                common_name,
                organizations,
                issuer,
                ..
            } => format!(
                "Your client certificate (issued by {}) carries CN={}: the API server takes the user name from the CN and the groups from the O entries ({}).",
                issuer.as_deref().unwrap_or("an unknown CA"),
                common_name.as_deref().unwrap_or("(none)"),
                if organizations.is_empty() {
                    "none".to_string()
                } else {
                    organizations.join(", ")
                }
            ),
            AuthEvidence::ServiceAccountToken {
                namespace,
                service_account,
                legacy,
                expires,
                ..
            } => format!(
                "Your token is a {} ServiceAccount token for {namespace}/{service_account}: the user is system:serviceaccount:{namespace}:{service_account}, in groups system:serviceaccounts and system:serviceaccounts:{namespace}{}.",
                if *legacy { "legacy (Secret-based)" } else { "bound" },
                match (legacy, expires) {
                    (true, _) => "; it never expires".to_string(),
                    (false, Some(e)) => format!("; it expires {e}"),
                    (false, None) => String::new(),
                }
            ),
            AuthEvidence::BearerToken { jwt, .. } => match jwt {
                Some(j) => format!(
                    "A bearer token (JWT, issuer {}): the API server's token authenticator (OIDC, webhook) decides the user and groups.",
                    j.iss.as_deref().unwrap_or("unknown")
                ),
                None => "A bearer token: the API server looks it up (static token file, webhook) and decides the user and groups; the kubeconfig cannot tell them.".to_string(),
            },
            AuthEvidence::ExecPlugin { command, .. } => format!(
                "The exec plugin \"{command}\" produces the credential each time one is needed; the identity depends on what it returns."
            ),
            AuthEvidence::AuthProvider { name } => {
                format!("The legacy auth-provider \"{name}\" supplies a token.")
            }
            AuthEvidence::Basic { .. } => {
                "Username and password (basic auth) were removed from Kubernetes in 1.19.".to_string()
            }
            AuthEvidence::Anonymous => {
                "No credentials: requests are anonymous (system:anonymous), if the server allows that at all.".to_string()
            }
        });
    }
    if id.groups.iter().any(|g| g == "system:authenticated") {
        out.push("system:authenticated is added to every authenticated user; default roles (discovery, self reviews) are bound to it.".into());
    }
    if id.superuser {
        out.push(format!(
            "You are in {SUPERUSER_GROUP}: every request is allowed before RBAC runs, without any binding, and rules reviews do not show it."
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// kubectl auth whoami output

/// Output formats of `kubectl auth whoami`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhoamiFormat {
    /// The `ATTRIBUTE  VALUE` table.
    Table,
    /// `-o json`.
    Json,
    /// `-o yaml`.
    Yaml,
}

/// `kubectl auth whoami` output, byte for byte.
pub fn format_whoami(id: &Identity, format: WhoamiFormat) -> String {
    match format {
        WhoamiFormat::Table => {
            let mut rows = vec![vec!["ATTRIBUTE".to_string(), "VALUE".to_string()]];
            if !id.username.is_empty() {
                rows.push(vec!["Username".into(), id.username.clone()]);
            }
            if let Some(uid) = &id.uid {
                rows.push(vec!["UID".into(), uid.clone()]);
            }
            if !id.groups.is_empty() {
                rows.push(vec!["Groups".into(), format!("[{}]", id.groups.join(" "))]);
            }
            for (k, v) in &id.extra {
                rows.push(vec![format!("Extra: {k}"), format!("[{}]", v.join(" "))]);
            }
            tabwrite(&rows)
        }
        WhoamiFormat::Json => to_json(&review_object(id)),
        WhoamiFormat::Yaml => to_yaml(&review_object(id)),
    }
}

/// The SelfSubjectReview object as kubectl re-encodes it (Go field order, empty fields omitted).
fn review_object(id: &Identity) -> GoValue {
    let api_version = match &id.source {
        IdentitySource::SelfSubjectReview { api_version } => api_version.clone(),
        IdentitySource::Kubeconfig { .. } => "authentication.k8s.io/v1".into(),
    };
    let strs = |v: &[String]| GoValue::Seq(v.iter().map(|s| GoValue::Str(s.clone())).collect());
    let mut info = Vec::new();
    if !id.username.is_empty() {
        info.push(("username".to_string(), GoValue::Str(id.username.clone())));
    }
    if let Some(uid) = &id.uid {
        info.push(("uid".into(), GoValue::Str(uid.clone())));
    }
    if !id.groups.is_empty() {
        info.push(("groups".into(), strs(&id.groups)));
    }
    if !id.extra.is_empty() {
        info.push((
            "extra".into(),
            GoValue::Map(id.extra.iter().map(|(k, v)| (k.clone(), strs(v))).collect()),
        ));
    }
    GoValue::Struct(vec![
        ("kind".into(), GoValue::Str("SelfSubjectReview".into())),
        ("apiVersion".into(), GoValue::Str(api_version)),
        (
            "metadata".into(),
            GoValue::Struct(vec![(
                "creationTimestamp".into(),
                id.reviewed_at.clone().map_or(GoValue::Null, GoValue::Str),
            )]),
        ),
        (
            "status".into(),
            GoValue::Struct(vec![("userInfo".into(), GoValue::Struct(info))]),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(v: &Value) -> String {
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            v.to_string(),
        )
    }

    fn review() -> Value {
        serde_json::json!({
            "kind": "SelfSubjectReview",
            "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"creationTimestamp": "2026-11-29T17:25:52Z"},
            "status": {"userInfo": {
                "username": "system:serviceaccount:team-a:ci-bot",
                "uid": "2e6c1aab",
                "groups": ["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"],
                "extra": {"authentication.kubernetes.io/credential-id": ["JTI=356f"]}
            }}
        })
    }

    #[test]
    fn table_json_and_yaml_are_kubectls() {
        let id = from_review("c", "authentication.k8s.io/v1", &review(), vec![], None);
        assert_eq!(
            format_whoami(&id, WhoamiFormat::Table),
            "ATTRIBUTE                                           VALUE\n\
             Username                                            system:serviceaccount:team-a:ci-bot\n\
             UID                                                 2e6c1aab\n\
             Groups                                              [system:serviceaccounts system:serviceaccounts:team-a system:authenticated]\n\
             Extra: authentication.kubernetes.io/credential-id   [JTI=356f]\n"
        );
        let json = format_whoami(&id, WhoamiFormat::Json);
        assert!(
            json.starts_with("{\n    \"kind\": \"SelfSubjectReview\",\n    \"apiVersion\""),
            "{json}"
        );
        assert!(
            json.contains("\"creationTimestamp\": \"2026-11-29T17:25:52Z\""),
            "{json}"
        );
        assert_eq!(
            format_whoami(&id, WhoamiFormat::Yaml),
            "apiVersion: authentication.k8s.io/v1\nkind: SelfSubjectReview\nmetadata:\n  creationTimestamp: \"2026-11-29T17:25:52Z\"\nstatus:\n  userInfo:\n    extra:\n      authentication.kubernetes.io/credential-id:\n      - JTI=356f\n    groups:\n    - system:serviceaccounts\n    - system:serviceaccounts:team-a\n    - system:authenticated\n    uid: 2e6c1aab\n    username: system:serviceaccount:team-a:ci-bot\n"
        );
    }

    #[test]
    fn service_account_tokens_are_recognised_without_keeping_them() {
        let claims = serde_json::json!({
            "iss": "https://kubernetes.default.svc.cluster.local",
            "sub": "system:serviceaccount:team-a:ci-bot",
            "exp": 1900000000,
            "kubernetes.io": {"namespace": "team-a", "serviceaccount": {"name": "ci-bot", "uid": "u"}}
        });
        let token = format!(
            "{}.{}.sig",
            b64(&serde_json::json!({"alg": "RS256"})),
            b64(&claims)
        );
        let jwt = crate::kubeconfig::insight::jwt_facts(&token);
        let e = token_evidence(Some(&token), jwt, false);
        match &e {
            AuthEvidence::ServiceAccountToken {
                namespace,
                service_account,
                legacy,
                ..
            } => {
                assert_eq!(
                    (namespace.as_str(), service_account.as_str(), *legacy),
                    ("team-a", "ci-bot", false)
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(!format!("{e:?}").contains("sig"));
        let legacy = serde_json::json!({
            "iss": "kubernetes/serviceaccount",
            "kubernetes.io/serviceaccount/namespace": "ns",
            "kubernetes.io/serviceaccount/service-account.name": "old"
        });
        let token = format!("x.{}.y", b64(&legacy));
        assert!(matches!(
            token_evidence(Some(&token), None, true),
            AuthEvidence::ServiceAccountToken { legacy: true, .. }
        ));
        assert!(matches!(
            token_evidence(Some("opaque-static-token"), None, false),
            AuthEvidence::BearerToken { .. }
        ));
    }

    #[test]
    fn offline_identity_follows_the_authenticators() {
        let cert = AuthEvidence::ClientCertificate {
            common_name: Some("editor-b".into()),
            organizations: vec!["loupe:team-b".into()],
            issuer: Some("loupe-ca".into()),
            not_after: None,
        };
        let id = offline("c", "x".into(), vec![cert.clone()], None);
        assert_eq!(id.username, "editor-b");
        assert_eq!(id.groups, ["loupe:team-b", "system:authenticated"]);
        assert!(matches!(
            id.source,
            IdentitySource::Kubeconfig { certain: true, .. }
        ));
        // Impersonating a ServiceAccount without groups gets the ServiceAccount groups.
        let imp = ImpersonationInfo {
            user: Some("system:serviceaccount:team-a:ci-bot".into()),
            groups: vec![],
            from_flags: true,
        };
        let id = offline("c", "x".into(), vec![cert], Some(imp));
        assert_eq!(
            id.groups,
            [
                "system:serviceaccounts",
                "system:serviceaccounts:team-a",
                "system:authenticated"
            ]
        );
        let id = offline(
            "c",
            "x".into(),
            vec![AuthEvidence::BearerToken {
                jwt: None,
                from_file: false,
            }],
            None,
        );
        assert!(matches!(
            id.source,
            IdentitySource::Kubeconfig { certain: false, .. }
        ));
        assert!(id.username.is_empty());
        let masters = serde_json::json!({"status": {"userInfo": {"username": "k", "groups": ["system:masters", "system:authenticated"]}}});
        let id = from_review("c", "v1", &masters, vec![], None);
        assert!(id.superuser);
        assert!(id.explanation.iter().any(|l| l.contains("system:masters")));
        assert_eq!(
            format_whoami(&id, WhoamiFormat::Yaml).lines().nth(3),
            Some("  creationTimestamp: null")
        );
    }
}
