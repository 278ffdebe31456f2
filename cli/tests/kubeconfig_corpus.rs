//! Differential tests: each situation of the corpus runs through `loupe config ...` and the real
//! `/usr/bin/kubectl config ...` on separate copies of the same files. stdout, warnings, the
//! error line, the exit code and the resulting files (parsed, compared semantically, plus file
//! modes and which files changed at all) must agree. After a Loupe edit, every comment and
//! unknown field marked `keep` must still be in the file: kubectl drops them, Loupe must not.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const KUBECTL: &str = "/usr/bin/kubectl";

const A: &str = "# keep: top comment of a
apiVersion: v1
kind: Config
x-keep-top: unknown top-level field # keep: trailing comment
clusters:
# keep: before c1
- name: c1
  cluster:
    server: 'https://127.0.0.1:6443'
    x-keep-cluster-field: 1
users:
- name: u1
  user: {token: abc}
contexts:
- name: shared
  context: {cluster: c1, user: u1, namespace: from-a}
- name: only-a
  context: {cluster: c1, user: u1} # keep: flow context comment
";

const B: &str = "# keep: b header
apiVersion: v1
kind: Config
current-context: ctxB
clusters:
- name: c2
  cluster:
    server: https://127.0.0.1:7443
- name: c3 # keep: c3 stays
  cluster:
    server: https://127.0.0.1:8443
    x-keep-c3: true
users:
- name: u2
  user:
    token: xyz
    x-keep-u2: unknown user field
contexts:
- name: shared
  context:
    cluster: c2
    user: u2
    namespace: from-b
- name: ctxB
  context:
    cluster: c2
    user: u2
";

const C: &str = "apiVersion: v1
kind: Config
current-context: exec-ctx
# keep: extensions survive kubectl too
extensions:
- name: loupe.dev/colour
  extension: {colour: teal, favourite: true, order: 3}
clusters:
- name: cert-cluster
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority: pki/ca.crt
    tls-server-name: kubernetes.default.svc
    extensions:
    - name: client.authentication.k8s.io/exec
      extension: {audience: my-aud}
users:
- name: exec-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/plugin
      args: [get-token, --cluster=dev, 'a b: c', '123']
      interactiveMode: Never
      provideClusterInfo: true
      installHint: Install the plugin with your package manager, then open a new terminal so that PATH is updated.
- name: beta-user
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: kubelogin, args: [get-token]}
- name: cert-user
  user:
    client-certificate: pki/user.crt
    client-key: pki/user.key
- name: token-user
  user:
    tokenFile: secrets/token
    as: alice
    as-groups: [dev, ops]
contexts:
- name: exec-ctx
  context: {cluster: cert-cluster, user: exec-user, namespace: dev}
- name: cert-ctx # keep: cert-ctx comment
  context:
    cluster: cert-cluster
    user: cert-user
    extensions:
    - name: loupe.dev/pinned
      extension: true
- name: token-ctx
  context: {cluster: cert-cluster, user: token-user}
";

const D: &str = "kind: Config
contexts:
- name: lonely
  context: {cluster: nowhere, user: nobody}
";

const F: &str = "# keep: nothing but a comment\n";

const S: &str = "apiVersion: v1
kind: Config
current-context: 'my ctx'
clusters:
- name: 'team:prod'
  cluster: {server: 'https://[::1]:6443'}
users:
- name: ünï
  user: {username: admin, password: hunter2}
contexts:
- name: 'my ctx'
  context: {cluster: 'team:prod', user: ünï}
- name: '2024-01-01'
  context: {cluster: 'team:prod', user: ünï, namespace: 'yes'}
- name: \"say \\\"hi\\\"\"
  context: {}
";

const G_CRLF: &str = "apiVersion: v1\r\nkind: Config\r\ncurrent-context: g1\r\ncontexts:\r\n- name: g1\r\n  context:\r\n    cluster: gc\r\n    user: gu\r\n- name: g2\r\n  context:\r\n    cluster: gc\r\n";

/// Files every case starts with (both tools get identical copies).
const FIXTURES: &[(&str, &str)] = &[
    ("a.yaml", A),
    ("b.yaml", B),
    ("c.yaml", C),
    ("d.yaml", D),
    ("e.yaml", ""),
    ("f.yaml", F),
    ("s.yaml", S),
    ("g.yaml", G_CRLF),
    (
        "pki/ca.crt",
        "-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n",
    ),
    ("pki/user.crt", "user certificate bytes\n"),
    ("pki/user.key", "user key bytes\n"),
    ("secrets/token", "token-from-file\n"),
];

#[derive(Clone, Copy)]
enum Chain<'a> {
    /// KUBECONFIG with these files (relative to the case folder), in order.
    Env(&'a [&'a str]),
    /// `--kubeconfig FILE`.
    Explicit(&'a str),
}

#[derive(Clone, Copy, PartialEq)]
enum Cmp {
    /// stdout byte for byte.
    Exact,
    /// stdout as a set of lines (kubectl prints some lists in random map order).
    SortedLines,
}

struct Case<'a> {
    name: &'a str,
    chain: Chain<'a>,
    args: &'a [&'a str],
    cmp: Cmp,
    /// A lock file to leave behind before running (a crashed writer).
    stale_lock: Option<&'a str>,
}

const fn case<'a>(name: &'a str, chain: Chain<'a>, args: &'a [&'a str]) -> Case<'a> {
    Case {
        name,
        chain,
        args,
        cmp: Cmp::Exact,
        stale_lock: None,
    }
}

const AB: Chain<'static> = Chain::Env(&["a.yaml", "b.yaml"]);

fn corpus() -> Vec<Case<'static>> {
    use Chain::*;
    vec![
        // --- reading
        case("view merged a:b", AB, &["config", "view"]),
        case("view json", AB, &["config", "view", "-o", "json"]),
        case("view raw", AB, &["config", "view", "--raw"]),
        case("view minify", AB, &["config", "view", "--minify"]),
        case(
            "view minify --context",
            AB,
            &["config", "view", "--minify", "--context", "shared"],
        ),
        case(
            "view minify unknown context",
            AB,
            &["config", "view", "--minify", "--context", "nope"],
        ),
        case(
            "view minify without current-context",
            Env(&["d.yaml"]),
            &["config", "view", "--minify"],
        ),
        case(
            "view minify missing cluster",
            Env(&["d.yaml"]),
            &["config", "view", "--minify", "--context", "lonely"],
        ),
        case(
            "view missing file in chain",
            Env(&["a.yaml", "missing.yaml", "b.yaml"]),
            &["config", "view"],
        ),
        case(
            "view reversed chain",
            Env(&["b.yaml", "a.yaml"]),
            &["config", "view", "-o", "json"],
        ),
        case(
            "view exec/cert/token users raw",
            Env(&["c.yaml"]),
            &["config", "view", "--raw"],
        ),
        case(
            "view exec/cert/token users redacted",
            Env(&["c.yaml"]),
            &["config", "view"],
        ),
        case(
            "view exec users json",
            Env(&["c.yaml"]),
            &["config", "view", "-o", "json"],
        ),
        case(
            "view flatten relative paths",
            Env(&["c.yaml"]),
            &["config", "view", "--flatten"],
        ),
        case(
            "view flatten minify",
            Env(&["c.yaml"]),
            &[
                "config",
                "view",
                "--flatten",
                "--minify",
                "--context",
                "cert-ctx",
            ],
        ),
        case("view special names", Env(&["s.yaml"]), &["config", "view"]),
        case(
            "view special names json",
            Env(&["s.yaml"]),
            &["config", "view", "-o", "json"],
        ),
        case("view empty file", Explicit("e.yaml"), &["config", "view"]),
        case(
            "view comment-only file",
            Explicit("f.yaml"),
            &["config", "view"],
        ),
        case(
            "view explicit missing file",
            Explicit("nothere.yaml"),
            &["config", "view"],
        ),
        case("view crlf file", Env(&["g.yaml"]), &["config", "view"]),
        case(
            "view merge=false without file",
            AB,
            &["config", "view", "--merge=false"],
        ),
        Case {
            cmp: Cmp::SortedLines,
            ..case("get-clusters", AB, &["config", "get-clusters"])
        },
        case("get-users", AB, &["config", "get-users"]),
        case(
            "get-users empty",
            Explicit("e.yaml"),
            &["config", "get-users"],
        ),
        case(
            "get-contexts with extensions",
            Env(&["c.yaml", "a.yaml"]),
            &["config", "get-contexts"],
        ),
        case(
            "current-context unset",
            Env(&["d.yaml"]),
            &["config", "current-context"],
        ),
        // --- use-context
        case(
            "use-context writes default file",
            AB,
            &["config", "use-context", "only-a"],
        ),
        case(
            "use-context of current writes nothing",
            AB,
            &["config", "use-context", "ctxB"],
        ),
        case(
            "use-context unknown",
            AB,
            &["config", "use-context", "nope"],
        ),
        case("use-context empty name", AB, &["config", "use-context", ""]),
        case(
            "use-context first existing file",
            Env(&["missing.yaml", "b.yaml"]),
            &["config", "use-context", "shared"],
        ),
        case(
            "use-context explicit file",
            Explicit("b.yaml"),
            &["config", "use", "shared"],
        ),
        case(
            "use-context special name",
            Env(&["s.yaml"]),
            &["config", "use-context", "2024-01-01"],
        ),
        case(
            "use-context crlf",
            Env(&["g.yaml"]),
            &["config", "use-context", "g2"],
        ),
        // --- set-context
        case(
            "set-context modifies origin file",
            AB,
            &["config", "set-context", "ctxB", "--namespace=n1"],
        ),
        case(
            "set-context creates in default file",
            AB,
            &[
                "config",
                "set-context",
                "newctx",
                "--cluster=c9",
                "--user=u1",
            ],
        ),
        case(
            "set-context removes namespace",
            AB,
            &["config", "set-context", "shared", "--namespace="],
        ),
        case(
            "set-context --current",
            AB,
            &["config", "set-context", "--current", "--user=zz"],
        ),
        case(
            "set-context without changes",
            AB,
            &["config", "set-context", "ctxB"],
        ),
        case("set-context no name", AB, &["config", "set-context"]),
        case(
            "set-context name and --current",
            AB,
            &["config", "set-context", "x", "--current"],
        ),
        case(
            "set-context --current without current",
            Env(&["d.yaml"]),
            &["config", "set-context", "--current", "--namespace=x"],
        ),
        case(
            "set-context creates last missing file",
            Env(&["m1.yaml", "m2.yaml"]),
            &["config", "set-context", "fresh", "--namespace=ns"],
        ),
        case(
            "set-context creates explicit file",
            Explicit("new/dir/k.yaml"),
            &["config", "set-context", "fresh", "--cluster=c"],
        ),
        case(
            "set-context on empty file",
            Explicit("e.yaml"),
            &["config", "set-context", "e1", "--user=u"],
        ),
        case(
            "set-context on comment-only file",
            Explicit("f.yaml"),
            &["config", "set-context", "f1", "--namespace=default"],
        ),
        case(
            "set-context quoted values",
            Env(&["s.yaml"]),
            &[
                "config",
                "set-context",
                "my ctx",
                "--namespace=a: b",
                "--cluster=#x",
            ],
        ),
        case(
            "set-context flow entry with extensions",
            Env(&["c.yaml"]),
            &["config", "set-context", "cert-ctx", "--namespace=certs"],
        ),
        case(
            "set-context empty body",
            Env(&["s.yaml"]),
            &["config", "set-context", "say \"hi\"", "--user=u"],
        ),
        // --- rename-context
        case(
            "rename current context",
            AB,
            &["config", "rename-context", "ctxB", "renamed"],
        ),
        case(
            "rename shadowing context",
            AB,
            &["config", "rename-context", "shared", "renamed"],
        ),
        case(
            "rename to existing",
            AB,
            &["config", "rename-context", "shared", "ctxB"],
        ),
        case(
            "rename unknown",
            AB,
            &["config", "rename-context", "nope", "x"],
        ),
        case(
            "rename to empty",
            AB,
            &["config", "rename-context", "shared", ""],
        ),
        case(
            "rename keeps extensions",
            Env(&["c.yaml"]),
            &["config", "rename-context", "cert-ctx", "certs: pinned"],
        ),
        case(
            "rename unicode",
            Env(&["s.yaml"]),
            &["config", "rename-context", "my ctx", "é\"x"],
        ),
        // --- delete-*
        case(
            "delete current context",
            AB,
            &["config", "delete-context", "ctxB"],
        ),
        case(
            "delete shadowing context",
            AB,
            &["config", "delete-context", "shared"],
        ),
        case(
            "delete unknown context",
            AB,
            &["config", "delete-context", "nope"],
        ),
        case("delete cluster", AB, &["config", "delete-cluster", "c2"]),
        case(
            "delete unknown cluster",
            AB,
            &["config", "delete-cluster", "nope"],
        ),
        case(
            "delete user (last of its list)",
            AB,
            &["config", "delete-user", "u1"],
        ),
        case(
            "delete unknown user",
            AB,
            &["config", "delete-user", "nope"],
        ),
        case(
            "delete exec user",
            Env(&["c.yaml"]),
            &["config", "delete-user", "beta-user"],
        ),
        case(
            "delete context explicit file",
            Explicit("c.yaml"),
            &["config", "delete-context", "token-ctx"],
        ),
        case(
            "delete crlf",
            Env(&["g.yaml"]),
            &["config", "delete-context", "g2"],
        ),
        // --- unset
        case(
            "unset current-context",
            AB,
            &["config", "unset", "current-context"],
        ),
        case(
            "unset current-context when none",
            Env(&["d.yaml"]),
            &["config", "unset", "current-context"],
        ),
        // --- locks
        Case {
            stale_lock: Some("b.yaml.lock"),
            ..case(
                "stale lock on second file",
                AB,
                &["config", "use-context", "only-a"],
            )
        },
        Case {
            stale_lock: Some("a.yaml.lock"),
            ..case(
                "stale lock, no-op write",
                AB,
                &["config", "use-context", "ctxB"],
            )
        },
        Case {
            stale_lock: Some("a.yaml.lock"),
            ..case(
                "stale lock, validation error first",
                AB,
                &["config", "use-context", "nope"],
            )
        },
    ]
}

struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
    /// Relative path -> (content, mode) of every file after the run (locks and backups aside).
    files: BTreeMap<String, (Vec<u8>, u32)>,
}

fn setup(dir: &Path, case: &Case<'_>) {
    for (name, body) in FIXTURES {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, body).unwrap();
    }
    #[cfg(unix)]
    for (name, _) in FIXTURES {
        use std::os::unix::fs::PermissionsExt;
        // A mode kubectl and Loupe must both keep.
        std::fs::set_permissions(dir.join(name), std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    if let Some(lock) = case.stale_lock {
        std::fs::write(dir.join(lock), "").unwrap();
    }
}

fn snapshot(dir: &Path) -> BTreeMap<String, (Vec<u8>, u32)> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, (Vec<u8>, u32)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                walk(base, &p, out);
            } else if !rel.ends_with(".lock") && !rel.ends_with(".loupe-backup") {
                #[cfg(unix)]
                let mode = {
                    use std::os::unix::fs::PermissionsExt;
                    e.metadata().unwrap().permissions().mode() & 0o777
                };
                #[cfg(not(unix))]
                let mode = 0;
                out.insert(rel, (std::fs::read(&p).unwrap(), mode));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn run(bin: &Path, dir: &Path, case: &Case<'_>) -> Run {
    let mut cmd = Command::new(bin);
    cmd.current_dir(dir)
        .env_remove("KUBECONFIG")
        .env("HOME", dir.join("home"));
    match case.chain {
        Chain::Env(files) => {
            let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
            cmd.env("KUBECONFIG", std::env::join_paths(paths).unwrap());
        }
        Chain::Explicit(f) => {
            cmd.arg("--kubeconfig").arg(dir.join(f));
        }
    }
    cmd.args(case.args);
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    let norm = |b: &[u8]| String::from_utf8_lossy(b).replace(&dir.display().to_string(), "<DIR>");
    Run {
        stdout: norm(&out.stdout),
        stderr: norm(&out.stderr),
        code: out.status.code(),
        files: snapshot(dir),
    }
}

fn error_line(stderr: &str) -> Option<&str> {
    stderr.lines().rev().find(|l| l.starts_with("error: "))
}

fn warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("warning: this"))
        .collect()
}

/// The meaning of a kubeconfig as kubectl's typed model sees it: unknown fields dropped, empty
/// values (Go's omitempty) dropped, lists keyed by name, kubectl's defaults applied.
fn normalize(text: &[u8]) -> Value {
    let text = String::from_utf8_lossy(text);
    let v: Value = if text.trim().is_empty() {
        Value::Null
    } else {
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("unparsable result {e}:\n{text}"))
    };
    let get = |k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    let mut out = Map::new();
    for (list, inner, fields) in [
        ("clusters", "cluster", CLUSTER_FIELDS),
        ("users", "user", USER_FIELDS),
        ("contexts", "context", CONTEXT_FIELDS),
    ] {
        let mut m = Map::new();
        if let Value::Array(items) = get(list) {
            for item in items {
                let name = item["name"].as_str().unwrap_or_default().to_string();
                let body = item.get(inner).cloned().unwrap_or(Value::Null);
                m.insert(name, typed(&body, fields));
            }
        }
        if !m.is_empty() {
            out.insert(list.into(), Value::Object(m));
        }
    }
    if let Some(cc) = get("current-context").as_str().filter(|c| !c.is_empty()) {
        out.insert("current-context".into(), cc.into());
    }
    if let Some(ext) = extensions(&get("extensions")) {
        out.insert("extensions".into(), ext);
    }
    Value::Object(out)
}

const CLUSTER_FIELDS: &[&str] = &[
    "server",
    "tls-server-name",
    "insecure-skip-tls-verify",
    "certificate-authority",
    "certificate-authority-data",
    "proxy-url",
    "disable-compression",
    "extensions",
];
const CONTEXT_FIELDS: &[&str] = &["cluster", "user", "namespace", "extensions"];
const USER_FIELDS: &[&str] = &[
    "client-certificate",
    "client-certificate-data",
    "client-key",
    "client-key-data",
    "token",
    "tokenFile",
    "as",
    "as-uid",
    "as-groups",
    "as-user-extra",
    "username",
    "password",
    "auth-provider",
    "exec",
    "extensions",
];

fn typed(body: &Value, fields: &[&str]) -> Value {
    let mut m = Map::new();
    for f in fields {
        let Some(v) = body.get(*f) else { continue };
        let v = match *f {
            "extensions" => match extensions(v) {
                Some(e) => e,
                None => continue,
            },
            "exec" => {
                let mut ex = drop_empty(v.clone());
                let api = ex["apiVersion"].as_str().unwrap_or_default().to_string();
                if ex.get("interactiveMode").is_none()
                    && (api.ends_with("/v1beta1") || api.ends_with("/v1alpha1"))
                {
                    ex["interactiveMode"] = "IfAvailable".into();
                }
                ex
            }
            _ => drop_empty(v.clone()),
        };
        if !is_empty(&v) {
            m.insert((*f).into(), v);
        }
    }
    Value::Object(m)
}

fn extensions(v: &Value) -> Option<Value> {
    let Value::Array(items) = v else { return None };
    let m: Map<String, Value> = items
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap_or_default().to_string(),
                i.get("extension").cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    (!m.is_empty()).then_some(Value::Object(m))
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Number(_) => false,
    }
}

fn drop_empty(v: Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| (k, drop_empty(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        other => other,
    }
}

/// Compares one case; returns the differences (empty when the tools agree).
fn compare(case: &Case<'_>, k: &Run, l: &Run) -> Vec<String> {
    let mut diffs = Vec::new();
    let (ks, ls) = match case.cmp {
        Cmp::Exact => (k.stdout.clone(), l.stdout.clone()),
        Cmp::SortedLines => {
            let sort = |s: &str| {
                let mut v: Vec<&str> = s.lines().collect();
                v.sort();
                v.join("\n")
            };
            (sort(&k.stdout), sort(&l.stdout))
        }
    };
    if ks != ls {
        diffs.push(format!("stdout:\n--- kubectl\n{ks}\n--- loupe\n{ls}"));
    }
    if k.code != l.code {
        diffs.push(format!(
            "exit code: kubectl {:?}, loupe {:?}",
            k.code, l.code
        ));
    }
    if error_line(&k.stderr) != error_line(&l.stderr) {
        diffs.push(format!(
            "error line: kubectl {:?}, loupe {:?}",
            error_line(&k.stderr),
            error_line(&l.stderr)
        ));
    }
    if warnings(&k.stderr) != warnings(&l.stderr) {
        diffs.push(format!(
            "warnings: kubectl {:?}, loupe {:?}",
            warnings(&k.stderr),
            warnings(&l.stderr)
        ));
    }
    let names: BTreeSet<&String> = k.files.keys().chain(l.files.keys()).collect();
    for name in names {
        match (k.files.get(name), l.files.get(name)) {
            (Some((kb, km)), Some((lb, lm))) => {
                let original = FIXTURES
                    .iter()
                    .find(|(n, _)| *n == name.as_str())
                    .map(|(_, b)| b.as_bytes());
                if original == Some(kb.as_slice()) && original != Some(lb.as_slice()) {
                    diffs.push(format!("{name}: kubectl left it alone, loupe changed it"));
                }
                if original != Some(kb.as_slice()) && original == Some(lb.as_slice()) {
                    diffs.push(format!("{name}: kubectl changed it, loupe did not"));
                }
                if name.ends_with(".yaml") && normalize(kb) != normalize(lb) {
                    diffs.push(format!(
                        "{name} means something else:\n--- kubectl\n{}\n--- loupe\n{}",
                        String::from_utf8_lossy(kb),
                        String::from_utf8_lossy(lb)
                    ));
                }
                if km != lm {
                    diffs.push(format!("{name}: mode kubectl {km:o}, loupe {lm:o}"));
                }
            }
            (k_has, l_has) => diffs.push(format!(
                "{name}: exists after kubectl {}, after loupe {}",
                k_has.is_some(),
                l_has.is_some()
            )),
        }
    }
    diffs
}

/// Every `keep` line of an original fixture Loupe rewrote must still be there.
fn lossless(l: &Run) -> Vec<String> {
    let mut lost = Vec::new();
    for (name, body) in FIXTURES {
        let Some((after, _)) = l.files.get(*name) else {
            continue;
        };
        if after.as_slice() == body.as_bytes() {
            continue;
        }
        let after = String::from_utf8_lossy(after);
        for line in body.lines().filter(|l| l.contains("keep")) {
            let line = line.trim_end_matches('\r');
            // A comment must survive even when its line's value was edited (a rename); an
            // unknown field (`x-keep-...`) must survive whole.
            let must_keep = match line.find("# keep") {
                Some(i) => &line[i..],
                None => line.trim(),
            };
            if !after.contains(must_keep) {
                lost.push(format!("{name}: lost {line:?}"));
            }
        }
    }
    lost
}

fn loupe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_loupe"))
}

#[test]
fn corpus_agrees_with_kubectl() {
    assert!(
        Path::new(KUBECTL).exists(),
        "the oracle {KUBECTL} is missing"
    );
    let cases = corpus();
    let mut failures = Vec::new();
    let mut agreed = 0;
    for case in &cases {
        let (kd, ld) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        setup(kd.path(), case);
        setup(ld.path(), case);
        let k = run(Path::new(KUBECTL), kd.path(), case);
        let l = run(&loupe(), ld.path(), case);
        let mut diffs = compare(case, &k, &l);
        diffs.extend(lossless(&l));
        if diffs.is_empty() {
            agreed += 1;
        } else {
            failures.push(format!(
                "## {} ({:?})\n{}",
                case.name,
                case.args,
                diffs.join("\n")
            ));
        }
    }
    eprintln!(
        "kubeconfig corpus: {agreed}/{} cases agree with kubectl",
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(cases.len() >= 30);
}

/// The comparison itself must notice differences, or a green corpus means nothing.
#[test]
fn the_comparison_catches_differences() {
    let case = case("self-test", AB, &["config", "view"]);
    let base = || Run {
        stdout: "x\n".into(),
        stderr: String::new(),
        code: Some(0),
        files: BTreeMap::from([("a.yaml".to_string(), (A.as_bytes().to_vec(), 0o640))]),
    };
    assert!(compare(&case, &base(), &base()).is_empty());
    let mut other = base();
    other.stdout = "y\n".into();
    assert_eq!(compare(&case, &base(), &other).len(), 1);
    let mut other = base();
    other.code = Some(1);
    other.stderr = "error: boom\n".into();
    assert_eq!(compare(&case, &base(), &other).len(), 2);
    // Same meaning, other layout: kubectl's rewrite of `a.yaml` vs Loupe's in-place edit.
    let mut k = base();
    k.files.insert(
        "a.yaml".into(),
        (
            A.replace("namespace: from-a", "namespace: x").into_bytes(),
            0o640,
        ),
    );
    let mut l = base();
    l.files.insert(
        "a.yaml".into(),
        (
            A.replace("from-a", "x")
                .replace("# keep: top comment of a\n", "")
                .into_bytes(),
            0o640,
        ),
    );
    assert!(compare(&case, &k, &l).is_empty());
    l.files.insert(
        "a.yaml".into(),
        (A.replace("from-a", "y").into_bytes(), 0o600),
    );
    assert_eq!(compare(&case, &k, &l).len(), 2, "meaning and mode");
    // A dropped `keep` comment is caught.
    assert_eq!(lossless(&k).len(), 0);
    let mut lossy = base();
    lossy.files.insert(
        "a.yaml".into(),
        (A.replace("# keep: before c1\n", "").into_bytes(), 0o640),
    );
    assert_eq!(lossless(&lossy).len(), 1);
}

/// Where Loupe differs on purpose: `config view` also hides auth-provider secrets and exec env
/// values unless `--raw`. Everything else about those outputs matches kubectl.
#[test]
fn deliberate_differences() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("k.yaml");
    std::fs::write(
        &p,
        "kind: Config
users:
- name: oidc
  user:
    auth-provider:
      name: oidc
      config: {client-id: k8s, client-secret: s3cr3t, id-token: idtok, refresh-token: reftok, idp-issuer-url: 'https://issuer'}
- name: exec
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, env: [{name: AWS_PROFILE, value: prof}]}
",
    )
    .unwrap();
    let view = |bin: &Path, raw: bool| {
        let mut c = Command::new(bin);
        c.env_remove("KUBECONFIG")
            .arg("--kubeconfig")
            .arg(&p)
            .args(["config", "view"]);
        if raw {
            c.arg("--raw");
        }
        String::from_utf8(c.output().unwrap().stdout).unwrap()
    };
    let (k, l) = (view(Path::new(KUBECTL), false), view(&loupe(), false));
    for secret in ["s3cr3t", "idtok", "reftok", "prof"] {
        assert!(k.contains(secret), "kubectl shows {secret}");
        assert!(!l.contains(secret), "loupe hides {secret}");
    }
    let redacted = ["s3cr3t", "idtok", "reftok", "prof"]
        .iter()
        .fold(k.clone(), |acc, s| acc.replace(s, "REDACTED"));
    assert_eq!(l, redacted);
    assert_eq!(view(Path::new(KUBECTL), true), view(&loupe(), true));
}
