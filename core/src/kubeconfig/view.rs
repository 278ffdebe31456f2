//! `kubectl config view`: the merged chain as kubectl prints it (typed fields only, in its YAML
//! or JSON layout), with `--minify`, `--flatten`, `--raw` and kubectl's redaction.
//!
//! One deliberate difference: unless `--raw` (or `--flatten`) is given, Loupe also redacts the
//! secrets kubectl leaves visible, the `auth-provider` config values that hold tokens, secrets or
//! passwords and every `exec.env` value.

use super::Kubeconfig;
use super::gofmt::{GoValue, go_io_error, to_json, to_yaml};
use super::paths::{base_dir, resolve};
use crate::CoreError;
use base64::Engine as _;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Output format of `config view`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ViewFormat {
    /// `-o yaml` (the default).
    #[default]
    Yaml,
    /// `-o json`.
    Json,
}

/// Options of `config view`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewOptions {
    /// `--minify`: only the current (or `context`) context, its cluster and its user.
    pub minify: bool,
    /// `--flatten`: inline CA, client certificate and key files (implies raw).
    pub flatten: bool,
    /// `--raw`: no redaction at all.
    pub raw: bool,
    /// `--context`: with `minify`, the context to keep.
    pub context: Option<String>,
    /// `-o`.
    pub format: ViewFormat,
}

const REDACTED: &str = "REDACTED";
const DATA_OMITTED: &str = "DATA+OMITTED";

/// One merged entry: its body and the file it came from.
struct Item<'a> {
    body: Value,
    origin: &'a Path,
}

impl Kubeconfig {
    /// `kubectl config view` with `opts`: the text kubectl prints, or kubectl's error.
    pub fn view(&self, opts: &ViewOptions) -> Result<String, CoreError> {
        let collect = |map: &BTreeMap<String, super::Slot>,
                       pick: fn(&super::FileConfig) -> &Vec<super::Entry>| {
            map.iter()
                .filter_map(|(name, slot)| {
                    let f = self.files.get(slot.file)?;
                    let e = pick(f).get(slot.entry)?;
                    Some((
                        name.clone(),
                        Item {
                            body: e.body.clone(),
                            origin: f.path.as_path(),
                        },
                    ))
                })
                .collect::<BTreeMap<String, Item<'_>>>()
        };
        let mut clusters = collect(&self.clusters, |f| &f.clusters);
        let mut users = collect(&self.users, |f| &f.users);
        let mut contexts = collect(&self.contexts, |f| &f.contexts);
        let mut current = self
            .current
            .as_ref()
            .map(|(c, _)| c.clone())
            .unwrap_or_default();

        if opts.minify {
            if let Some(c) = opts.context.as_ref().filter(|c| !c.is_empty()) {
                current = c.clone();
            }
            if current.is_empty() {
                return Err(CoreError::Minify(
                    "current-context must exist in order to minify".into(),
                ));
            }
            let ctx = contexts
                .remove(&current)
                .ok_or_else(|| CoreError::Minify(format!("cannot locate context {current}")))?;
            let field = |k: &str| {
                ctx.body
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let (cluster, user) = (field("cluster"), field("user"));
            let mut keep_clusters = BTreeMap::new();
            if !cluster.is_empty() {
                let c = clusters
                    .remove(&cluster)
                    .ok_or_else(|| CoreError::Minify(format!("cannot locate cluster {cluster}")))?;
                keep_clusters.insert(cluster, c);
            }
            let mut keep_users = BTreeMap::new();
            if !user.is_empty() {
                let u = users
                    .remove(&user)
                    .ok_or_else(|| CoreError::Minify(format!("cannot locate user {user}")))?;
                keep_users.insert(user, u);
            }
            clusters = keep_clusters;
            users = keep_users;
            contexts = BTreeMap::from([(current.clone(), ctx)]);
        }

        if opts.flatten {
            // kubectl flattens users, then clusters.
            for item in users.values_mut() {
                flatten(item, "client-certificate", "client-certificate-data")?;
                flatten(item, "client-key", "client-key-data")?;
            }
            for item in clusters.values_mut() {
                flatten(item, "certificate-authority", "certificate-authority-data")?;
            }
        } else if !opts.raw {
            for item in users.values_mut() {
                redact_user(&mut item.body);
            }
            for item in clusters.values_mut() {
                if non_empty(&item.body, "certificate-authority-data") {
                    item.body["certificate-authority-data"] = DATA_OMITTED.into();
                }
            }
        }

        let list = |items: BTreeMap<String, Item<'_>>, inner: &str, conv: fn(&Value) -> GoValue| {
            if items.is_empty() {
                return GoValue::Null;
            }
            GoValue::Seq(
                items
                    .into_iter()
                    .map(|(name, item)| {
                        GoValue::Struct(vec![
                            ("name".into(), GoValue::Str(name)),
                            (inner.into(), conv(&item.body)),
                        ])
                    })
                    .collect(),
            )
        };
        let mut top = vec![
            ("kind".to_string(), GoValue::Str("Config".into())),
            ("apiVersion".into(), GoValue::Str("v1".into())),
            ("preferences".into(), self.merged_preferences()),
            ("clusters".into(), list(clusters, "cluster", typed_cluster)),
            ("users".into(), list(users, "user", typed_user)),
            ("contexts".into(), list(contexts, "context", typed_context)),
            ("current-context".into(), GoValue::Str(current)),
        ];
        let mut ext: BTreeMap<String, Value> = BTreeMap::new();
        for f in &self.files {
            for e in &f.extensions {
                ext.entry(e.name.clone()).or_insert_with(|| e.body.clone());
            }
        }
        if !ext.is_empty() {
            top.push(("extensions".into(), named_extensions(ext)));
        }
        let v = GoValue::Struct(top);
        Ok(match opts.format {
            ViewFormat::Yaml => to_yaml(&v),
            ViewFormat::Json => to_json(&v),
        })
    }

    /// kubectl merges `preferences` field by field; the first file with a value wins.
    fn merged_preferences(&self) -> GoValue {
        let mut colors = false;
        let mut ext: BTreeMap<String, Value> = BTreeMap::new();
        for f in &self.files {
            let Some(p) = &f.preferences else { continue };
            colors |= p.get("colors").and_then(Value::as_bool).unwrap_or(false);
            for e in super::file::extensions(p.get("extensions")) {
                ext.entry(e.name).or_insert(e.body);
            }
        }
        let mut fields = Vec::new();
        if colors {
            fields.push(("colors".to_string(), GoValue::Bool(true)));
        }
        if !ext.is_empty() {
            fields.push(("extensions".into(), named_extensions(ext)));
        }
        GoValue::Struct(fields)
    }
}

/// `FlattenContent`: reads a referenced file (relative to the defining file) into `*-data`.
fn flatten(item: &mut Item<'_>, path_key: &str, data_key: &str) -> Result<(), CoreError> {
    let Some(path) = item
        .body
        .get(path_key)
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty())
    else {
        return Ok(());
    };
    if non_empty(&item.body, data_key) {
        return Err(CoreError::InvalidArgument(
            "cannot have values for both path and contents".into(),
        ));
    }
    let abs = resolve(path, &base_dir(item.origin));
    let bytes = std::fs::read(&abs).map_err(|e| CoreError::ReadReferenced {
        path: abs.clone(),
        reason: go_io_error(&e),
    })?;
    item.body[data_key] = base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .into();
    if let Value::Object(m) = &mut item.body {
        m.remove(path_key);
    }
    Ok(())
}

fn non_empty(body: &Value, key: &str) -> bool {
    body.get(key)
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty())
}

/// kubectl's `RedactSecrets` + `ShortenConfig`, plus Loupe's own: auth-provider secrets and
/// exec env values.
fn redact_user(body: &mut Value) {
    for key in ["token", "password"] {
        if non_empty(body, key) {
            body[key] = REDACTED.into();
        }
    }
    for key in ["client-certificate-data", "client-key-data"] {
        if non_empty(body, key) {
            body[key] = DATA_OMITTED.into();
        }
    }
    if let Some(Value::Object(cfg)) = body.pointer_mut("/auth-provider/config") {
        for (k, v) in cfg.iter_mut() {
            if is_secret_key(k) && v.as_str().is_some_and(|s| !s.is_empty()) {
                *v = REDACTED.into();
            }
        }
    }
    if let Some(Value::Array(env)) = body.pointer_mut("/exec/env") {
        for e in env {
            if e.get("value")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty())
            {
                e["value"] = REDACTED.into();
            }
        }
    }
}

/// Auth-provider config keys that hold credentials (`id-token`, `refresh-token`,
/// `client-secret`, `access-token`, ...).
fn is_secret_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    ["token", "secret", "password"]
        .iter()
        .any(|w| k.contains(w))
}

fn str_of(body: &Value, key: &str) -> Option<String> {
    body.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Pushes `key` when it holds a non-empty string (Go's `omitempty`).
fn push_str(out: &mut Vec<(String, GoValue)>, body: &Value, key: &str) {
    if let Some(s) = str_of(body, key).filter(|s| !s.is_empty()) {
        out.push((key.into(), GoValue::Str(s)));
    }
}

/// Pushes `key` when it is `true`.
fn push_true(out: &mut Vec<(String, GoValue)>, body: &Value, key: &str) {
    if body.get(key).and_then(Value::as_bool) == Some(true) {
        out.push((key.into(), GoValue::Bool(true)));
    }
}

/// Base64 data as Go re-encodes it after decoding ([]byte fields); left as is if invalid.
fn push_data(out: &mut Vec<(String, GoValue)>, body: &Value, key: &str) {
    let Some(s) = str_of(body, key).filter(|s| !s.is_empty()) else {
        return;
    };
    let engine = base64::engine::general_purpose::STANDARD;
    let cleaned: String = s.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    let text = match engine.decode(&cleaned) {
        Ok(bytes) if !bytes.is_empty() => engine.encode(bytes),
        Ok(_) => return,
        Err(_) => s,
    };
    out.push((key.into(), GoValue::Str(text)));
}

fn push_extensions(out: &mut Vec<(String, GoValue)>, body: &Value) {
    let ext: BTreeMap<String, Value> = super::file::extensions(body.get("extensions"))
        .into_iter()
        .map(|e| (e.name, e.body))
        .collect();
    if !ext.is_empty() {
        out.push(("extensions".into(), named_extensions(ext)));
    }
}

fn named_extensions(ext: BTreeMap<String, Value>) -> GoValue {
    GoValue::Seq(
        ext.into_iter()
            .map(|(name, v)| {
                GoValue::Struct(vec![
                    ("name".into(), GoValue::Str(name)),
                    ("extension".into(), GoValue::from_json(&v)),
                ])
            })
            .collect(),
    )
}

fn string_list(v: Option<&Value>) -> Option<GoValue> {
    match v {
        Some(Value::Array(a)) => Some(GoValue::Seq(
            a.iter()
                .map(|s| GoValue::Str(s.as_str().unwrap_or_default().to_string()))
                .collect(),
        )),
        _ => None,
    }
}

/// `v1.Cluster` in field order.
fn typed_cluster(b: &Value) -> GoValue {
    let mut out = vec![(
        "server".to_string(),
        GoValue::Str(str_of(b, "server").unwrap_or_default()),
    )];
    push_str(&mut out, b, "tls-server-name");
    push_true(&mut out, b, "insecure-skip-tls-verify");
    push_str(&mut out, b, "certificate-authority");
    push_data(&mut out, b, "certificate-authority-data");
    push_str(&mut out, b, "proxy-url");
    push_true(&mut out, b, "disable-compression");
    push_extensions(&mut out, b);
    GoValue::Struct(out)
}

/// `v1.Context` in field order.
fn typed_context(b: &Value) -> GoValue {
    let mut out = vec![
        (
            "cluster".to_string(),
            GoValue::Str(str_of(b, "cluster").unwrap_or_default()),
        ),
        (
            "user".to_string(),
            GoValue::Str(str_of(b, "user").unwrap_or_default()),
        ),
    ];
    push_str(&mut out, b, "namespace");
    push_extensions(&mut out, b);
    GoValue::Struct(out)
}

/// `v1.AuthInfo` in field order.
fn typed_user(b: &Value) -> GoValue {
    let mut out = Vec::new();
    push_str(&mut out, b, "client-certificate");
    push_data(&mut out, b, "client-certificate-data");
    push_str(&mut out, b, "client-key");
    push_data(&mut out, b, "client-key-data");
    push_str(&mut out, b, "token");
    push_str(&mut out, b, "tokenFile");
    push_str(&mut out, b, "as");
    push_str(&mut out, b, "as-uid");
    if let Some(GoValue::Seq(g)) = string_list(b.get("as-groups"))
        && !g.is_empty()
    {
        out.push(("as-groups".into(), GoValue::Seq(g)));
    }
    if let Some(Value::Object(extra)) = b.get("as-user-extra")
        && !extra.is_empty()
    {
        out.push((
            "as-user-extra".into(),
            GoValue::Map(
                extra
                    .iter()
                    .map(|(k, v)| (k.clone(), string_list(Some(v)).unwrap_or(GoValue::Null)))
                    .collect(),
            ),
        ));
    }
    push_str(&mut out, b, "username");
    push_str(&mut out, b, "password");
    if let Some(ap) = b.get("auth-provider").filter(|v| v.is_object()) {
        let config = match ap.get("config") {
            Some(Value::Object(m)) => GoValue::Map(
                m.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            GoValue::Str(v.as_str().unwrap_or_default().to_string()),
                        )
                    })
                    .collect(),
            ),
            _ => GoValue::Null,
        };
        out.push((
            "auth-provider".into(),
            GoValue::Struct(vec![
                (
                    "name".into(),
                    GoValue::Str(str_of(ap, "name").unwrap_or_default()),
                ),
                ("config".into(), config),
            ]),
        ));
    }
    if let Some(ex) = b.get("exec").filter(|v| v.is_object()) {
        out.push(("exec".into(), typed_exec(ex)));
    }
    push_extensions(&mut out, b);
    GoValue::Struct(out)
}

/// `v1.ExecConfig` in field order, with kubectl's defaulting of `interactiveMode`.
fn typed_exec(ex: &Value) -> GoValue {
    let mut out = vec![
        (
            "command".to_string(),
            GoValue::Str(str_of(ex, "command").unwrap_or_default()),
        ),
        (
            "args".into(),
            string_list(ex.get("args")).unwrap_or(GoValue::Null),
        ),
    ];
    let env = match ex.get("env") {
        Some(Value::Array(items)) => GoValue::Seq(
            items
                .iter()
                .map(|e| {
                    GoValue::Struct(vec![
                        (
                            "name".into(),
                            GoValue::Str(str_of(e, "name").unwrap_or_default()),
                        ),
                        (
                            "value".into(),
                            GoValue::Str(str_of(e, "value").unwrap_or_default()),
                        ),
                    ])
                })
                .collect(),
        ),
        _ => GoValue::Null,
    };
    out.push(("env".into(), env));
    let api = str_of(ex, "apiVersion").unwrap_or_default();
    push_str(&mut out, ex, "apiVersion");
    push_str(&mut out, ex, "installHint");
    out.push((
        "provideClusterInfo".into(),
        GoValue::Bool(ex.get("provideClusterInfo").and_then(Value::as_bool) == Some(true)),
    ));
    let mode = str_of(ex, "interactiveMode")
        .filter(|m| !m.is_empty())
        .or_else(|| {
            // client-go's SetDefaults_ExecConfig: only the old API versions default to IfAvailable.
            matches!(
                api.as_str(),
                "client.authentication.k8s.io/v1beta1" | "client.authentication.k8s.io/v1alpha1"
            )
            .then(|| "IfAvailable".to_string())
        });
    if let Some(m) = mode {
        out.push(("interactiveMode".into(), GoValue::Str(m)));
    }
    GoValue::Struct(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubeconfig::{ChainOrigin, FileConfig};

    fn kc(text: &str) -> Kubeconfig {
        Kubeconfig::from_files(
            vec![FileConfig::parse(Path::new("/cfg/k.yaml"), text.as_bytes())],
            ChainOrigin::Explicit,
        )
    }

    #[test]
    fn empty_config_matches_kubectl() {
        // Captured from kubectl v1.32.
        assert_eq!(
            kc("").view(&ViewOptions::default()).unwrap(),
            "apiVersion: v1\nclusters: null\ncontexts: null\ncurrent-context: \"\"\nkind: Config\npreferences: {}\nusers: null\n"
        );
        assert_eq!(
            kc("")
                .view(&ViewOptions {
                    format: ViewFormat::Json,
                    ..Default::default()
                })
                .unwrap(),
            "{\n    \"kind\": \"Config\",\n    \"apiVersion\": \"v1\",\n    \"preferences\": {},\n    \"clusters\": null,\n    \"users\": null,\n    \"contexts\": null,\n    \"current-context\": \"\"\n}\n"
        );
    }

    #[test]
    fn redaction_is_kubectls_plus_loupes() {
        let k = kc("users:
- name: u
  user:
    token: t
    client-key-data: a2V5
    auth-provider: {name: oidc, config: {client-id: k8s, id-token: x, refresh-token: r}}
    exec: {command: c, env: [{name: A, value: secret}]}
");
        let out = k.view(&ViewOptions::default()).unwrap();
        assert!(out.contains("client-key-data: DATA+OMITTED"));
        assert!(out.contains("token: REDACTED"));
        assert!(
            out.contains("id-token: REDACTED") && out.contains("refresh-token: REDACTED"),
            "{out}"
        );
        assert!(out.contains("client-id: k8s"));
        assert!(out.contains("value: REDACTED"));
        let raw = k
            .view(&ViewOptions {
                raw: true,
                ..Default::default()
            })
            .unwrap();
        assert!(
            raw.contains("token: t")
                && raw.contains("value: secret")
                && raw.contains("id-token: x")
        );
    }

    #[test]
    fn minify_errors_match_kubectl() {
        let k = kc(
            "current-context: x\ncontexts:\n- {name: x, context: {cluster: nope, user: u}}\n- {name: z, context: {}}\n",
        );
        let min = |c: Option<&str>| {
            k.view(&ViewOptions {
                minify: true,
                context: c.map(Into::into),
                ..Default::default()
            })
        };
        assert_eq!(
            min(None).unwrap_err().to_string(),
            "cannot locate cluster nope"
        );
        assert_eq!(
            min(Some("q")).unwrap_err().to_string(),
            "cannot locate context q"
        );
        assert!(min(Some("z")).unwrap().contains("current-context: z"));
        assert_eq!(
            kc("")
                .view(&ViewOptions {
                    minify: true,
                    ..Default::default()
                })
                .unwrap_err()
                .to_string(),
            "current-context must exist in order to minify"
        );
    }
}
