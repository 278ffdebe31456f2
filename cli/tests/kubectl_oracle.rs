//! `loupe config ...` compared byte for byte with the real kubectl (the oracle), on the same
//! kubeconfig chains: stdout, stderr's error line, and the exit code.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const KUBECTL: &str = "/usr/bin/kubectl";

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
- name: a-very-long-context-name-for-alignment
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
  context: {cluster: c2, user: u2, namespace: team-b}
- name: no-refs
  context: {}
";

const NO_CURRENT: &str = "apiVersion: v1
kind: Config
contexts:
- name: only
  context: {cluster: x, user: someone}  # not `y`: YAML 1.1 (kubectl) reads y as a boolean
";

struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn run(bin: &Path, kubeconfig: &str, args: &[&str]) -> Run {
    let Output {
        stdout,
        stderr,
        status,
    } = Command::new(bin)
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .env("HOME", "/nonexistent-home")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    Run {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        code: status.code(),
    }
}

fn loupe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_loupe"))
}

/// The `error: ...` line, which both tools print last on failure.
fn error_line(stderr: &str) -> Option<&str> {
    stderr.lines().rev().find(|l| l.starts_with("error: "))
}

fn assert_same(kubeconfig: &str, args: &[&str]) {
    assert!(
        Path::new(KUBECTL).exists(),
        "the oracle {KUBECTL} is missing"
    );
    let k = run(Path::new(KUBECTL), kubeconfig, args);
    let l = run(&loupe(), kubeconfig, args);
    assert_eq!(
        l.stdout, k.stdout,
        "stdout differs for {args:?} on {kubeconfig}"
    );
    assert_eq!(
        l.code, k.code,
        "exit code differs for {args:?} on {kubeconfig}"
    );
    assert_eq!(
        error_line(&l.stderr),
        error_line(&k.stderr),
        "error differs for {args:?} on {kubeconfig}"
    );
}

fn fixtures() -> (tempfile::TempDir, String, String, String) {
    let d = tempfile::tempdir().unwrap();
    for (name, body) in [("a.yaml", A), ("b.yaml", B), ("none.yaml", NO_CURRENT)] {
        std::fs::write(d.path().join(name), body).unwrap();
    }
    let p = |n: &str| d.path().join(n).display().to_string();
    let ab = format!("{}:{}", p("a.yaml"), p("b.yaml"));
    let ba = format!("{}:{}:{}", p("b.yaml"), p("missing.yaml"), p("a.yaml"));
    let none = p("none.yaml");
    (d, ab, ba, none)
}

#[test]
fn get_contexts_matches_kubectl() {
    let (_d, ab, ba, none) = fixtures();
    for chain in [&ab, &ba, &none] {
        assert_same(chain, &["config", "get-contexts"]);
        assert_same(chain, &["config", "get-contexts", "--no-headers"]);
        assert_same(chain, &["config", "get-contexts", "-o", "name"]);
    }
    assert_same(&ab, &["config", "get-contexts", "shared", "ctxB"]);
    assert_same(&ab, &["config", "get-contexts", "nope"]);
    assert_same(&ab, &["config", "get-contexts", "nope", "shared", "other"]);
    assert_same(&ab, &["config", "get-contexts", "-o", "name", "nope"]);
}

#[test]
fn current_context_matches_kubectl() {
    let (d, ab, ba, none) = fixtures();
    let missing = d.path().join("absent.yaml").display().to_string();
    for chain in [&ab, &ba, &none, &missing] {
        assert_same(chain, &["config", "current-context"]);
    }
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn sandbox_kubeconfig_matches_kubectl() {
    let kc = std::env::var("LOUPE_SANDBOX_KUBECONFIG")
        .expect("LOUPE_SANDBOX_KUBECONFIG must name the sandbox's merged kubeconfig");
    assert!(Path::new(&kc).exists(), "{kc} does not exist");
    assert_same(&kc, &["config", "get-contexts"]);
    assert_same(&kc, &["config", "current-context"]);
    let names = run(&loupe(), &kc, &["config", "get-contexts", "-o", "name"]);
    assert!(
        names.stdout.lines().count() >= 5,
        "the sandbox should define at least five contexts:\n{}",
        names.stdout
    );
}
