use super::*;
use std::io::Write;

const A: &str = "apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: 'https://127.0.0.1:6443'}
users:
- name: u1
  user: {token: abc}
contexts:
- name: shared
  context: {cluster: c1, user: u1, namespace: from-a}
- name: only-a
  context: {cluster: c1, user: u1}
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
- name: dangling
  context: {cluster: nowhere, user: u2}
";

fn write(dir: &tempfile::TempDir, name: &str, body: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::File::create(&p)
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    p
}

fn chain(paths: &[&Path]) -> Kubeconfig {
    let env = std::env::join_paths(paths).unwrap();
    Kubeconfig::load(&LoadRules {
        explicit: None,
        env: Some(env),
        home: None,
        imported: Vec::new(),
    })
}

#[test]
fn first_file_wins_and_first_current_context_wins() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (write(&d, "a", A), write(&d, "b", B));
    let kc = chain(&[&a, &b]);
    assert_eq!(kc.current_context().unwrap(), "ctxB");
    let shared = kc.context("shared").unwrap();
    assert_eq!((shared.cluster, shared.namespace), ("c1", Some("from-a")));
    assert_eq!(shared.origin, a.as_path());
    assert_eq!(kc.context("ctxB").unwrap().origin, b.as_path());
    let names: Vec<_> = kc.contexts().map(|c| c.name).collect();
    assert_eq!(names, ["ctxB", "dangling", "only-a", "shared"]);
    assert_eq!(kc.shadowed().len(), 1);
    assert_eq!(kc.shadowed()[0].name, "shared");
    assert_eq!(kc.shadowed()[0].winner, a.display().to_string());
    // Order matters: b first makes b's definition win.
    let kc = chain(&[&b, &a]);
    assert_eq!(kc.context("shared").unwrap().namespace, Some("from-b"));
}

#[test]
fn env_chain_is_deduplicated_and_skips_missing_files() {
    let d = tempfile::tempdir().unwrap();
    let a = write(&d, "a", A);
    let missing = d.path().join("missing");
    let kc = chain(&[&a, &missing, &a]);
    assert_eq!(kc.files.len(), 2);
    assert_eq!(kc.files[1].state, FileState::Missing);
    assert!(kc.current_context().is_err());
    let notices = kc.notices();
    assert!(
        notices
            .iter()
            .any(|n| n.message.contains("does not exist") && n.level == NoticeLevel::Info)
    );
    assert!(
        notices
            .iter()
            .any(|n| n.message.contains("localhost:8080") && n.level == NoticeLevel::Warning)
    );
}

#[test]
fn explicit_file_replaces_kubeconfig_env() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (write(&d, "a", A), write(&d, "b", B));
    let rules = LoadRules {
        explicit: Some(b.clone()),
        env: Some(a.into_os_string()),
        home: None,
        imported: Vec::new(),
    };
    assert_eq!(rules.chain(), (vec![b], ChainOrigin::Explicit));
}

#[test]
fn default_chain_is_home_kube_config() {
    let rules = LoadRules {
        explicit: None,
        env: Some("".into()),
        home: Some("/home/x".into()),
        imported: Vec::new(),
    };
    assert_eq!(
        rules.chain(),
        (
            vec![PathBuf::from("/home/x/.kube/config")],
            ChainOrigin::Default
        )
    );
}

#[test]
fn a_broken_file_does_not_hide_the_others() {
    let d = tempfile::tempdir().unwrap();
    let bad = write(&d, "bad", "clusters: [\n  - name: x\n  cluster: {");
    let b = write(&d, "b", B);
    let kc = chain(&[&bad, &b]);
    assert!(matches!(kc.files[0].state, FileState::Broken(_)));
    assert_eq!(kc.current_context().unwrap(), "ctxB");
    let o = kc.overview();
    assert_eq!(o.sources[0].status, SourceStatus::Broken);
    assert!(o.sources[0].error.as_deref().unwrap().contains("bad"));
    assert_eq!(o.contexts.len(), 3);
    assert!(o.notices[0].level == NoticeLevel::Error);
}

#[test]
fn bad_base64_flags_one_entry_and_keeps_the_rest() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        &d,
        "f",
        "kind: Config
current-context: good
clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]
users:
- {name: broken, user: {client-key-data: '!!!notbase64'}}
- {name: fine, user: {token: t}}
contexts:
- {name: good, context: {cluster: c, user: fine}}
",
    );
    let kc = chain(&[&f]);
    assert_eq!(kc.files[0].state, FileState::Loaded);
    assert_eq!(kc.files[0].flagged.len(), 1);
    assert!(kc.files[0].flagged[0].contains("client-key-data"));
    assert_eq!(kc.current_context().unwrap(), "good");
    assert!(kc.user("fine").is_some());
}

#[test]
fn duplicates_in_one_file_and_nameless_entries_are_flagged() {
    let f = FileConfig::parse(
        Path::new("/f"),
        b"contexts:\n- {name: a, context: {cluster: x}}\n- {name: a, context: {cluster: y}}\n- {context: {cluster: z}}\n",
    );
    assert_eq!(f.contexts.len(), 1);
    assert_eq!(f.contexts[0].body["cluster"], "x");
    assert_eq!(f.flagged.len(), 2);
}

#[test]
fn empty_and_wrong_kind_files() {
    assert_eq!(
        FileConfig::parse(Path::new("/e"), b"").state,
        FileState::Loaded
    );
    assert_eq!(
        FileConfig::parse(Path::new("/e"), b"\xef\xbb\xbf# only a comment\n").state,
        FileState::Loaded
    );
    let f = FileConfig::parse(Path::new("/p"), b"kind: Pod\n");
    assert!(matches!(f.state, FileState::Broken(_)));
    let f = FileConfig::parse(Path::new("/p"), b"- just\n- a list\n");
    assert!(matches!(f.state, FileState::Broken(_)));
}

#[test]
fn notices_name_dangling_references_and_missing_current_context() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        &d,
        "f",
        "current-context: ghost\ncontexts: [{name: a, context: {cluster: nowhere, user: nobody}}]\n",
    );
    let notices = chain(&[&f]).notices();
    let text: Vec<_> = notices.iter().map(|n| n.message.as_str()).collect();
    assert!(text[0].contains("\"ghost\""), "{text:?}");
    assert!(text.iter().any(|t| t.contains("cluster \"nowhere\"")));
    assert!(text.iter().any(|t| t.contains("user \"nobody\"")));
}

#[test]
fn get_contexts_table_and_names() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (write(&d, "a", A), write(&d, "b", B));
    let kc = chain(&[&a, &b]);
    let (out, err) = kc.get_contexts(&[], ContextsOutput::Table, true);
    assert!(err.is_none());
    assert_eq!(
        out,
        "CURRENT   NAME       CLUSTER   AUTHINFO   NAMESPACE
*         ctxB       c2        u2         
          dangling   nowhere   u2         
          only-a     c1        u1         
          shared     c1        u1         from-a
"
    );
    let (out, err) = kc.get_contexts(
        &["shared".into(), "nope".into(), "ctxB".into()],
        ContextsOutput::Name,
        true,
    );
    assert_eq!(out, "ctxB\nshared\n");
    assert_eq!(err.unwrap().to_string(), "context nope not found");
}

#[test]
fn overview_marks_current_and_resolves_servers() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (write(&d, "a", A), write(&d, "b", B));
    let o = chain(&[&a, &b]).overview();
    assert_eq!(o.current_context.as_deref(), Some("ctxB"));
    let current: Vec<_> = o.contexts.iter().filter(|c| c.is_current).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].server.as_deref(), Some("https://127.0.0.1:7443"));
    let dangling = o.contexts.iter().find(|c| c.name == "dangling").unwrap();
    assert!(!dangling.cluster_found && dangling.user_found);
    assert_eq!(o.chain_origin, "KUBECONFIG");
    assert!(!o.is_empty());
}

#[test]
fn watch_sees_atomic_replace() {
    use std::sync::mpsc;
    let d = tempfile::tempdir().unwrap();
    let a = write(&d, "a", A);
    let (tx, rx) = mpsc::channel();
    let _w = watch::watch_files(std::slice::from_ref(&a), move || {
        let _ = tx.send(());
    })
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    // An unrelated file in the same folder must not trigger a reload, nor must reading the
    // watched file (Loupe reads it after every change: that would loop).
    write(&d, "unrelated", "x");
    let _ = std::fs::read(&a).unwrap();
    assert!(
        rx.recv_timeout(std::time::Duration::from_millis(800))
            .is_err()
    );
    // Write-then-rename, as kubectl-like tools and editors do.
    let tmp = write(&d, "a.tmp", B);
    std::fs::rename(&tmp, &a).unwrap();
    rx.recv_timeout(std::time::Duration::from_secs(5))
        .expect("change noticed");
}

#[test]
fn a_leftover_lock_file_is_a_notice() {
    let d = tempfile::tempdir().unwrap();
    let a = write(&d, "a", A);
    write(&d, "a.lock", "");
    let n = chain(&[&a]).notices();
    assert!(
        n.iter()
            .any(|n| n.level == NoticeLevel::Warning && n.message.contains("a.lock exists")),
        "{n:?}"
    );
}

#[test]
fn imported_files_join_after_kubectls_chain_and_can_be_removed() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (write(&d, "a", A), write(&d, "b", B));
    let store = d.path().join("cfg/sources.json");
    let svc = KubeconfigService::new(LoadRules {
        explicit: None,
        env: Some(a.clone().into_os_string()),
        home: None,
        imported: Vec::new(),
    })
    .with_sources(sources::SourceList::open(&store).unwrap());
    assert_eq!(svc.overview().contexts.len(), 2);

    assert_eq!(svc.import(&b).unwrap(), (b.clone(), true));
    let o = svc.overview();
    let names: Vec<_> = o.contexts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["ctxB", "dangling", "only-a", "shared"]);
    // kubectl's file keeps precedence: `shared` still comes from a.
    let shared = o.contexts.iter().find(|c| c.name == "shared").unwrap();
    assert_eq!(shared.namespace.as_deref(), Some("from-a"));
    assert_eq!(
        o.sources.iter().map(|s| s.imported).collect::<Vec<_>>(),
        [false, true]
    );
    // Edits of an entry defined only in the imported file go to that file.
    svc.edit(&EditOp::RenameContext {
        from: "ctxB".into(),
        to: "renamed".into(),
    })
    .unwrap();
    assert!(
        std::fs::read_to_string(&b)
            .unwrap()
            .contains("- name: renamed")
    );
    // The renamed context was current, and kubectl writes a new current-context to its
    // default file (the first of KUBECONFIG), which is not the imported one.
    let a_text = std::fs::read_to_string(&a).unwrap();
    assert!(a_text.contains("current-context: renamed"), "{a_text}");
    assert!(!a_text.contains("- name: renamed"), "{a_text}");

    assert!(svc.remove_source(&b).unwrap());
    assert_eq!(svc.overview().contexts.len(), 2);
    assert!(b.exists(), "removing a source never deletes the file");
}

#[test]
fn explicit_kubeconfig_ignores_imported_files() {
    let rules = LoadRules {
        explicit: Some("/x/one".into()),
        env: None,
        home: None,
        imported: vec!["/x/two".into()],
    };
    assert_eq!(rules.files().0, vec![PathBuf::from("/x/one")]);
    let rules = LoadRules {
        explicit: None,
        env: Some("/x/one:/x/two".into()),
        home: None,
        imported: vec!["/x/two".into(), "/x/three".into()],
    };
    assert_eq!(
        rules.files().0,
        ["/x/one", "/x/two", "/x/three"].map(PathBuf::from)
    );
}
