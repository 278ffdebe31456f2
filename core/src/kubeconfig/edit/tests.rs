use super::*;
use crate::kubeconfig::write::{backup_name, lock_name};
use std::fs;

const A: &str = "# comment a
apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: 'https://127.0.0.1:6443', x-unknown: 1}
users:
- name: u1
  user: {token: abc}
contexts:
- name: shared
  context: {cluster: c1, user: u1, namespace: from-a}
- name: only-a
  context: {cluster: c1, user: u1}
x-custom-top: keep
";

const B: &str = "apiVersion: v1
kind: Config
current-context: ctxB
clusters:
- name: c2
  cluster: {server: 'https://127.0.0.1:7443'}
users:
- name: u2
  user: {token: xyz}
contexts:
- name: shared
  context: {cluster: c2, user: u2, namespace: from-b}
- name: ctxB
  context: {cluster: c2, user: u2}
";

struct Env {
    _d: tempfile::TempDir,
    a: PathBuf,
    b: PathBuf,
    rules: LoadRules,
}

fn env() -> Env {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (d.path().join("a.yaml"), d.path().join("b.yaml"));
    fs::write(&a, A).unwrap();
    fs::write(&b, B).unwrap();
    let rules = LoadRules {
        explicit: None,
        env: Some(std::env::join_paths([&a, &b]).unwrap()),
        home: None,
        imported: Vec::new(),
    };
    Env { _d: d, a, b, rules }
}

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap()
}

fn val(p: &Path) -> serde_json::Value {
    yaml_text::semantic(&read(p)).unwrap()
}

#[test]
fn use_context_writes_the_default_file_and_keeps_comments() {
    let e = env();
    let out = edit(&e.rules, &EditOp::UseContext("only-a".into())).unwrap();
    assert_eq!(out.message, "Switched to context \"only-a\".\n");
    assert_eq!(out.written, vec![e.a.clone()]);
    let a = read(&e.a);
    assert!(a.starts_with("# comment a\n") && a.contains("x-custom-top: keep"));
    assert!(a.contains("x-unknown: 1"));
    assert_eq!(val(&e.a)["current-context"], "only-a");
    assert_eq!(read(&e.b), B);
    assert!(backup_name(&e.a).exists());
    assert!(!lock_name(&e.a).exists() && !lock_name(&e.b).exists());
}

#[test]
fn use_context_of_the_current_one_writes_nothing() {
    let e = env();
    let out = edit(&e.rules, &EditOp::UseContext("ctxB".into())).unwrap();
    assert!(out.written.is_empty());
    assert_eq!((read(&e.a), read(&e.b)), (A.to_string(), B.to_string()));
}

#[test]
fn errors_use_kubectl_wording() {
    let e = env();
    let err = |op| edit(&e.rules, &op).unwrap_err().to_string();
    assert_eq!(
        err(EditOp::UseContext("nope".into())),
        "no context exists with the name: \"nope\""
    );
    assert_eq!(
        err(EditOp::UseContext("".into())),
        "empty context names are not allowed"
    );
    let a = e.a.display();
    assert_eq!(
        err(EditOp::DeleteContext("nope".into())),
        format!("cannot delete context nope, not in {a}")
    );
    assert_eq!(
        err(EditOp::DeleteCluster("nope".into())),
        format!("cannot delete cluster nope, not in {a}")
    );
    assert_eq!(
        err(EditOp::RenameContext {
            from: "shared".into(),
            to: "ctxB".into()
        }),
        format!("cannot rename the context \"shared\", the context \"ctxB\" already exists in {a}")
    );
    assert_eq!(
        err(EditOp::RenameContext {
            from: "nope".into(),
            to: "x".into()
        }),
        format!("cannot rename the context \"nope\", it's not in {a}")
    );
}

#[test]
fn set_context_modifies_origin_or_creates_in_default_file() {
    let e = env();
    let set = |name: &str, ns: Option<&str>, cluster: Option<&str>| EditOp::SetContext {
        name: Some(name.into()),
        current: false,
        cluster: cluster.map(Into::into),
        user: None,
        namespace: ns.map(Into::into),
    };
    let out = edit(&e.rules, &set("ctxB", Some("n1"), None)).unwrap();
    assert_eq!(out.message, "Context \"ctxB\" modified.\n");
    assert_eq!(out.written, vec![e.b.clone()]);
    assert_eq!(val(&e.b)["contexts"][1]["context"]["namespace"], "n1");
    let out = edit(&e.rules, &set("newctx", None, Some("c9"))).unwrap();
    assert_eq!(out.message, "Context \"newctx\" created.\n");
    assert_eq!(out.written, vec![e.a.clone()]);
    let a = val(&e.a);
    assert_eq!(a["contexts"][2]["name"], "newctx");
    assert_eq!(a["contexts"][2]["context"]["cluster"], "c9");
    assert_eq!(a["contexts"][2]["context"]["user"], "");
    // Removing the namespace of the shadowing definition in a.
    edit(&e.rules, &set("shared", Some(""), None)).unwrap();
    assert!(
        val(&e.a)["contexts"][0]["context"]
            .get("namespace")
            .is_none()
    );
    // --current follows the merged current-context (from b).
    let out = edit(
        &e.rules,
        &EditOp::SetContext {
            name: None,
            current: true,
            cluster: None,
            user: Some("zz".into()),
            namespace: None,
        },
    )
    .unwrap();
    assert_eq!(out.message, "Context \"ctxB\" modified.\n");
    assert_eq!(val(&e.b)["contexts"][1]["context"]["user"], "zz");
}

#[test]
fn rename_of_current_context_moves_current_to_default_file() {
    let e = env();
    let out = edit(
        &e.rules,
        &EditOp::RenameContext {
            from: "ctxB".into(),
            to: "renamed".into(),
        },
    )
    .unwrap();
    assert_eq!(out.message, "Context \"ctxB\" renamed to \"renamed\".\n");
    assert_eq!(val(&e.a)["current-context"], "renamed");
    // As kubectl: b keeps its old (now dangling) value.
    assert_eq!(val(&e.b)["current-context"], "ctxB");
    assert_eq!(val(&e.b)["contexts"][1]["name"], "renamed");
}

#[test]
fn delete_names_the_default_file_and_warns_for_the_current_context() {
    let e = env();
    let out = edit(&e.rules, &EditOp::DeleteContext("ctxB".into())).unwrap();
    assert_eq!(
        out.message,
        format!("deleted context ctxB from {}\n", e.a.display())
    );
    assert_eq!(out.written, vec![e.b.clone()]);
    assert_eq!(out.warnings.len(), 1);
    assert_eq!(val(&e.b)["contexts"].as_array().unwrap().len(), 1);
    edit(&e.rules, &EditOp::DeleteUser("u1".into())).unwrap();
    assert_eq!(val(&e.a)["users"], serde_json::json!([]));
    edit(&e.rules, &EditOp::DeleteCluster("c2".into())).unwrap();
    assert_eq!(val(&e.b)["clusters"], serde_json::json!([]));
}

#[test]
fn unset_clears_the_first_file_that_sets_it() {
    let e = env();
    let out = edit(&e.rules, &EditOp::UnsetCurrentContext).unwrap();
    assert_eq!(out.message, "Property \"current-context\" unset.\n");
    assert_eq!(val(&e.b)["current-context"], "");
}

#[test]
fn a_stale_lock_fails_every_write_with_kubectls_message() {
    let e = env();
    fs::write(lock_name(&e.b), "").unwrap();
    let err = edit(&e.rules, &EditOp::UseContext("only-a".into())).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("open {}.lock: file exists", e.b.display())
    );
    assert_eq!(read(&e.a), A);
    assert!(!lock_name(&e.a).exists());
}

#[test]
fn default_filename_rules() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n);
    fs::write(p("x2"), "").unwrap();
    let env_rules = |files: &[PathBuf]| LoadRules {
        explicit: None,
        env: Some(std::env::join_paths(files).unwrap()),
        home: Some("/h".into()),
        imported: Vec::new(),
    };
    assert_eq!(default_filename(&env_rules(&[p("m"), p("x2")])), p("x2"));
    assert_eq!(default_filename(&env_rules(&[p("m1"), p("m2")])), p("m2"));
    assert_eq!(default_filename(&env_rules(&[p("m3")])), p("m3"));
    let explicit = LoadRules {
        explicit: Some(p("e")),
        ..env_rules(&[p("x2")])
    };
    assert_eq!(default_filename(&explicit), p("e"));
    let home = LoadRules {
        explicit: None,
        env: None,
        home: Some("/h".into()),
        imported: Vec::new(),
    };
    assert_eq!(default_filename(&home), PathBuf::from("/h/.kube/config"));
}

#[cfg(unix)]
#[test]
fn new_files_are_created_with_mode_0600() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let m = d.path().join("m3");
    let rules = LoadRules {
        explicit: None,
        env: Some(m.clone().into_os_string()),
        home: None,
        imported: Vec::new(),
    };
    edit(
        &rules,
        &EditOp::SetContext {
            name: Some("n".into()),
            current: false,
            cluster: None,
            user: None,
            namespace: Some("ns".into()),
        },
    )
    .unwrap();
    assert_eq!(
        fs::metadata(&m).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let v = val(&m);
    assert_eq!(v["kind"], "Config");
    assert_eq!(v["contexts"][0]["context"]["namespace"], "ns");
}

#[test]
fn a_broken_file_in_the_chain_blocks_edits() {
    let e = env();
    fs::write(&e.b, "clusters: [\n").unwrap();
    let err = edit(&e.rules, &EditOp::UseContext("only-a".into())).unwrap_err();
    assert!(err.to_string().contains("b.yaml"), "{err}");
    assert_eq!(read(&e.a), A);
}
