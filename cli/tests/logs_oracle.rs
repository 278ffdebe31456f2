//! `loupe logs` compared with the real `kubectl logs` (the oracle) on the sandbox cluster:
//! stdout, stderr and the exit code, for the same flags.
//!
//! Where kubectl's order is random (several pods or containers: it reads them in Go map order),
//! Loupe merges lines by timestamp, so those cases compare the lines sorted (the same multiset
//! of lines) and stderr and the exit code exactly.
//!
//! Run with `./dev test` (it sets `LOUPE_SANDBOX_KUBECONFIG`), or by hand:
//! `LOUPE_SANDBOX_KUBECONFIG=$LOUPE_SANDBOX_DIR/kubeconfigs/sandbox.yaml cargo test -p loupe-cli
//! --test logs_oracle -- --include-ignored`.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const KUBECTL: &str = "/usr/bin/kubectl";

fn kubeconfig() -> PathBuf {
    let path = std::env::var_os("LOUPE_SANDBOX_KUBECONFIG").unwrap_or_else(|| {
        panic!(
            "LOUPE_SANDBOX_KUBECONFIG is not set. These tests need the sandbox cluster: run \
             ./dev test, or `tests/sandbox/sandbox.sh up` and set LOUPE_SANDBOX_KUBECONFIG to its \
             kubeconfigs/sandbox.yaml"
        )
    });
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "{} does not exist: is the sandbox up?",
        path.display()
    );
    path
}

/// The sandbox state dir (`$LOUPE_SANDBOX_DIR`): the kubeconfig is in its `kubeconfigs/`.
fn sandbox_dir() -> PathBuf {
    kubeconfig()
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .to_path_buf()
}

#[derive(Debug)]
struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn run(bin: &Path, args: &[&str]) -> Run {
    let Output {
        stdout,
        stderr,
        status,
    } = Command::new(bin)
        .arg("logs")
        .args(args)
        .env("KUBECONFIG", kubeconfig())
        .env("HOME", "/nonexistent-home")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    Run {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        // Usage errors name the tool.
        stderr: String::from_utf8_lossy(&stderr).replace("'kubectl logs", "'loupe logs"),
        code: status.code(),
    }
}

fn loupe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_loupe"))
}

fn both(args: &[&str]) -> (Run, Run) {
    (run(Path::new(KUBECTL), args), run(&loupe(), args))
}

/// Same stdout, stderr and exit code.
fn assert_same(args: &[&str]) -> Run {
    let (k, l) = both(args);
    assert_eq!(l.stdout, k.stdout, "stdout of logs {args:?}");
    assert_eq!(l.stderr, k.stderr, "stderr of logs {args:?}");
    assert_eq!(l.code, k.code, "exit code of logs {args:?}");
    l
}

/// Same lines in any order (kubectl's order is random there), same stderr and exit code.
fn assert_same_sorted(args: &[&str]) -> Run {
    let (k, l) = both(args);
    let sorted = |s: &str| {
        let mut v: Vec<&str> = s.lines().collect();
        v.sort_unstable();
        v.join("\n")
    };
    assert_eq!(
        sorted(&l.stdout),
        sorted(&k.stdout),
        "lines of logs {args:?}"
    );
    assert_eq!(l.stderr, k.stderr, "stderr of logs {args:?}");
    assert_eq!(l.code, k.code, "exit code of logs {args:?}");
    l
}

fn kubectl_out(args: &[&str]) -> String {
    let out = Command::new(KUBECTL)
        .args(args)
        .env("KUBECONFIG", kubeconfig())
        .env("HOME", "/nonexistent-home")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn plain_container_and_tail() {
    // Two containers: kubectl defaults to the first and says so on stderr.
    let r = assert_same(&["logger"]);
    assert!(
        r.stderr
            .contains("Defaulted container \"app\" out of: app, sidecar")
    );
    assert!(r.stdout.contains("logger starting"));
    assert_same(&["logger", "-c", "sidecar"]);
    assert_same(&["logger", "sidecar"]);
    assert_same(&["logger", "-c", "app", "--tail=2"]);
    assert_same(&["logger", "-c", "app", "--tail", "0"]);
    assert_same(&["logger", "-c", "app", "--tail=-1"]);
    assert_same(&["logger", "-c", "app", "--limit-bytes=30"]);
    assert_same(&["-n", "team-b", "db-0"]);
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn timestamps_previous_and_since() {
    let r = assert_same(&["logger", "-c", "app", "--timestamps"]);
    assert!(r.stdout.starts_with("20"), "{}", r.stdout);
    // crashy's previous instance is a Go panic (crashy-previous.log).
    let r = assert_same(&["-n", "team-a", "crashy", "--previous"]);
    assert!(r.stdout.contains("panic: runtime error"));
    assert_same(&["-n", "team-a", "crashy", "-p", "--timestamps"]);
    assert_same(&["-n", "team-a", "crashy"]);
    // Stable windows: everything (the sandbox is younger than a day, its lines too), nothing
    // (a time in the future), everything since 2000.
    let r = assert_same(&["logger", "-c", "app", "--since=24h"]);
    assert!(!r.stdout.is_empty());
    let r = assert_same(&["logger", "-c", "app", "--since-time=2099-01-01T00:00:00Z"]);
    assert!(r.stdout.is_empty());
    assert_same(&[
        "logger",
        "-c",
        "app",
        "--since-time=2000-01-01T00:00:00Z",
        "--timestamps",
    ]);
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn selectors_and_workloads() {
    // Three web pods: kubectl prints them pod by pod in random order, Loupe merged by time.
    let r = assert_same_sorted(&["-n", "team-a", "-l", "app=web", "--prefix"]);
    // team-a.log has 3 lines (more if a test appended some), read by each of the 3 pods.
    let n = r.stdout.lines().count();
    assert!(n >= 9 && n.is_multiple_of(3), "{n} lines");
    assert!(r.stdout.starts_with("[pod/web-"), "{}", r.stdout);
    assert_same_sorted(&["-n", "team-a", "-l", "app=web", "--tail=1"]);
    assert_same_sorted(&["-n", "team-b", "-l", "app=db", "--timestamps", "--prefix"]);
    assert_same_sorted(&["logger", "--all-containers", "--prefix"]);
    assert_same_sorted(&["-n", "team-a", "deploy/web", "--all-pods"]);
    // TYPE/NAME reads one pod, the one kubectl picks ("Found 3 pods, using pod/...").
    let r = assert_same(&["-n", "team-a", "deploy/web"]);
    assert!(
        r.stderr.starts_with("Found 3 pods, using pod/web-"),
        "{}",
        r.stderr
    );
    assert_same(&["-n", "team-a", "deployment.apps/web", "--tail=1"]);
    assert_same(&["-n", "team-b", "sts/db"]);
    assert_same(&["-n", "team-b", "job/migrate"]);
    assert_same(&["-n", "team-a", "svc/web"]);
    assert_same(&["pod/logger", "-c", "app"]);
    // Nothing matches: a notice on stderr, exit 0.
    assert_same(&["-n", "team-a", "-l", "app=nope"]);
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn errors_match_kubectl() {
    let r = assert_same(&["nope"]);
    assert_eq!(
        r.stderr,
        "error: error from server (NotFound): pods \"nope\" not found in namespace \"default\"\n"
    );
    assert_eq!(r.code, Some(1));
    let r = assert_same(&["logger", "-c", "nope"]);
    assert_eq!(
        r.stderr,
        "error: container nope is not valid for pod logger\n"
    );
    assert_same(&["-n", "team-a", "deploy/nope"]);
    assert_same(&["foo/bar"]);
    // No previous instance (kwok has no previous log file for logger).
    assert_same(&["logger", "-c", "app", "--previous"]);
    // Flag checks, in kubectl's order (after the pod is read).
    assert_same(&["logger", "--tail=-5"]);
    assert_same(&["logger", "--since=5m", "--since-time=2020-01-01T00:00:00Z"]);
    assert_same(&["logger", "--all-containers", "-c", "app"]);
    assert_same(&["logger", "-c", "app", "sidecar"]);
    assert_same(&["logger", "--since-time=bad"]);
    assert_same(&["logger", "--since=xyz"]);
    assert_same(&[]);
    assert_same(&["-l", "app=web", "web"]);
    assert_same(&[
        "-n",
        "team-a",
        "-l",
        "app=web",
        "-f",
        "--max-log-requests=2",
    ]);
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn forbidden_names_the_permission_like_kubectl() {
    // ci-bot (ServiceAccount team-a/ci-bot) may get pods and deployments in team-a, not pods/log.
    let pod = kubectl_out(&["get", "pods", "-n", "team-a", "-l", "app=web", "-o", "name"])
        .lines()
        .next()
        .unwrap()
        .to_string();
    let r = assert_same(&["--context", "sandbox-ci-bot", "-n", "team-a", &pod]);
    assert!(
        r.stderr.contains(
            "User \"system:serviceaccount:team-a:ci-bot\" cannot get resource \"pods/log\""
        ),
        "{}",
        r.stderr
    );
    assert_eq!(r.code, Some(1));
    assert_same(&["--context", "sandbox-ci-bot", "-n", "team-a", "deploy/web"]);
    // viewer cannot even read pods in team-b.
    assert_same(&["--context", "sandbox-viewer", "-n", "team-b", "db-0"]);
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn follow_shows_appended_lines() {
    let mut child = Command::new(loupe())
        .args(["logs", "-f", "logger", "-c", "app"])
        .env("KUBECONFIG", kubeconfig())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let wait_for = |want: &str, limit: Duration| -> Option<Duration> {
        let start = Instant::now();
        while let Some(left) = limit.checked_sub(start.elapsed()) {
            match rx.recv_timeout(left) {
                Ok(l) if l == want => return Some(start.elapsed()),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    };
    // The existing content first (as kubectl prints it), then the stream stays open.
    assert!(
        wait_for("tick 2", Duration::from_secs(10)).is_some(),
        "the existing lines never came"
    );
    let marker = format!("follow-test-{}-{}", std::process::id(), now_nanos());
    let status = Command::new(sandbox_sh())
        .args(["append-log", "logger-app.log", &marker])
        .env("LOUPE_SANDBOX_DIR", sandbox_dir())
        .status()
        .unwrap();
    assert!(status.success());
    let seen = wait_for(&marker, Duration::from_secs(2));
    let _ = child.kill();
    let _ = child.wait();
    let seen = seen.unwrap_or_else(|| panic!("{marker} did not show up within 2 s"));
    eprintln!("appended line shown after {} ms", seen.as_millis());
}

fn sandbox_sh() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/sandbox/sandbox.sh")
}

fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn ignore_errors_reports_failed_streams_among_the_lines() {
    // kwok answers `--previous` of a container that never restarted with an error (400), and
    // has a previous log for crashy: one source succeeds, the web pods' streams fail.
    let args = ["-n", "team-a", "-l", "app", "--tail=1", "-p"];
    let with = [args.as_slice(), &["--ignore-errors"]].concat();
    let sel = assert_same_sorted(&with);
    assert_eq!(sel.code, Some(0));
    let errors = sel
        .stdout
        .lines()
        .filter(|l| l.starts_with("error: "))
        .count();
    assert_eq!(errors, 3, "one error line per web pod: {sel:?}");
    assert!(
        sel.stdout.lines().any(|l| !l.starts_with("error: ")),
        "crashy's previous log is still printed: {sel:?}"
    );
    assert_same_sorted(&[with.as_slice(), &["--prefix"]].concat());
    // One pod: the error is a line on stdout, the exit code 0.
    let web = kubectl_out(&["get", "pods", "-n", "team-a", "-l", "app=web", "-o", "name"])
        .lines()
        .next()
        .unwrap()
        .to_string();
    let r = assert_same(&["-n", "team-a", &web, "-p", "--ignore-errors"]);
    assert!(r.stdout.starts_with("error: "), "{r:?}");
    assert_same(&["-n", "team-a", &web, "-p", "--ignore-errors=false"]);
    // Without it the first failed stream ends the command: kubectl's message, exit 1. Which
    // lines came before depends on kubectl's (random) order, so only a subset is compared.
    let (k, l) = both(&args);
    assert_eq!(l.stderr, k.stderr, "stderr of logs {args:?}");
    assert_eq!(l.code, Some(1));
    assert_eq!(l.code, k.code);
    let all: Vec<&str> = sel.stdout.lines().collect();
    for line in l.stdout.lines() {
        assert!(
            !line.starts_with("error: ") && all.contains(&line),
            "{line:?} is not a log line of {all:?}"
        );
    }
}

#[test]
#[ignore = "needs the sandbox cluster: run ./dev test"]
fn pod_running_timeout_waits_for_a_first_pod() {
    let name = format!("empty-{}", now_nanos() % 1_000_000_000);
    let created = Command::new(KUBECTL)
        .args([
            "create",
            "deployment",
            &name,
            "--image=nginx",
            "--replicas=0",
        ])
        .args(["-n", "team-a"])
        .env("KUBECONFIG", kubeconfig())
        .output()
        .unwrap();
    assert!(created.status.success(), "{created:?}");
    let object = format!("deployment/{name}");
    // No pod: both wait the timeout, then give up with the same words.
    let start = Instant::now();
    let r = run(
        &loupe(),
        &["-n", "team-a", &object, "--pod-running-timeout=2s"],
    );
    let waited = start.elapsed();
    assert_eq!(r.stderr, "error: timed out waiting for the condition\n");
    assert!(
        waited >= Duration::from_millis(1900),
        "loupe gave up after {waited:?}, before the 2 s timeout"
    );
    assert_same(&["-n", "team-a", &object, "--pod-running-timeout=2s"]);
    assert_same(&[
        "-n",
        "team-a",
        &object,
        "--all-pods",
        "--pod-running-timeout=1s",
    ]);
    // The flag's checks: cobra's parse error, then kubectl's own (before the object is read).
    for bad in ["0", "-1s", "abc", "5"] {
        let flag = format!("--pod-running-timeout={bad}");
        assert_same(&["-n", "team-a", &object, &flag]);
        assert_same(&["-n", "team-a", "deploy/nope", &flag]);
    }
    // A selector does not wait (kubectl lists pods once).
    assert_same(&["-n", "team-a", "-l", "app=nope", "--pod-running-timeout=2s"]);
    // With pods, it does not matter.
    assert_same(&[
        "-n",
        "team-a",
        "deploy/web",
        "--tail=1",
        "--pod-running-timeout=1ms",
    ]);
    // A pod that appears while waiting is the one read: scale up after a second.
    let scale = {
        let name = name.clone();
        let kc = kubeconfig();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(1));
            Command::new(KUBECTL)
                .args(["scale", "deployment", &name, "--replicas=1", "-n", "team-a"])
                .env("KUBECONFIG", kc)
                .output()
        })
    };
    let start = Instant::now();
    let r = run(
        &loupe(),
        &["-n", "team-a", &object, "--pod-running-timeout=30s"],
    );
    let took = start.elapsed();
    assert!(scale.join().unwrap().unwrap().status.success());
    let _ = Command::new(KUBECTL)
        .args([
            "delete",
            "deployment",
            &name,
            "-n",
            "team-a",
            "--wait=false",
        ])
        .env("KUBECONFIG", kubeconfig())
        .output();
    assert!(
        !r.stderr.contains("timed out") && took < Duration::from_secs(25),
        "the new pod was not picked up ({took:?}): {r:?}"
    );
}
