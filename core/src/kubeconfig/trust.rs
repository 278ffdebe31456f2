//! Consent for exec credential plugins, and the `PATH` they should be found on.
//!
//! A kubeconfig can make any client run any program. Loupe asks before the first run of an
//! exec stanza it has not seen, and remembers approved (command, args) pairs in
//! `$XDG_CONFIG_HOME/loupe/exec-trust.json` (else `~/.config/loupe/exec-trust.json`), mode 0600.
//! Nothing here runs a plugin.

use crate::CoreError;
use serde::{Deserialize, Serialize};
use std::ffi::{OsStr, OsString};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One approved exec plugin invocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedExec {
    /// `exec.command` exactly as written in the kubeconfig.
    pub command: String,
    /// `exec.args` exactly as written.
    pub args: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct TrustFile {
    version: u32,
    approved: Vec<TrustedExec>,
}

/// The exec plugin trust store.
#[derive(Debug, Clone)]
pub struct ExecTrust {
    path: PathBuf,
    approved: Vec<TrustedExec>,
}

impl ExecTrust {
    /// The store's default location: `$XDG_CONFIG_HOME/loupe/exec-trust.json`, else
    /// `$HOME/.config/loupe/exec-trust.json`. `None` without either variable.
    pub fn default_path() -> Option<PathBuf> {
        super::settings::default_path("exec-trust.json")
    }

    /// Opens the store at its default location ([`ExecTrust::default_path`]).
    pub fn open_default() -> Result<Self, CoreError> {
        let path = Self::default_path().ok_or_else(|| CoreError::ExecTrust {
            path: "~/.config/loupe/exec-trust.json".into(),
            reason: "neither XDG_CONFIG_HOME nor HOME is set".into(),
        })?;
        Self::open(path)
    }

    /// Opens the store at `path` (a missing file is an empty store).
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, CoreError> {
        let path = path.into();
        let approved = Self::read(&path)?.approved;
        Ok(Self { path, approved })
    }

    fn read(path: &Path) -> Result<TrustFile, CoreError> {
        let err = |reason: String| CoreError::ExecTrust {
            path: path.to_path_buf(),
            reason,
        };
        match super::settings::read(path) {
            Ok(Some(bytes)) => serde_json::from_slice(&bytes).map_err(|e| err(e.to_string())),
            Ok(None) => Ok(TrustFile::default()),
            Err(e) => Err(err(e.to_string())),
        }
    }

    /// The file backing this store.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every approved invocation.
    pub fn approved(&self) -> &[TrustedExec] {
        &self.approved
    }

    /// Whether this exact command and argument list was approved.
    pub fn is_trusted(&self, command: &str, args: &[String]) -> bool {
        self.approved
            .iter()
            .any(|t| t.command == command && t.args == args)
    }

    /// Records approval and saves the store (re-read first, so other Loupe windows' approvals
    /// are kept).
    pub fn approve(&mut self, command: &str, args: &[String]) -> Result<(), CoreError> {
        self.approved = Self::read(&self.path)?.approved;
        if !self.is_trusted(command, args) {
            self.approved.push(TrustedExec {
                command: command.to_string(),
                args: args.to_vec(),
            });
        }
        self.save()
    }

    /// Withdraws approval; returns whether it had been given.
    pub fn revoke(&mut self, command: &str, args: &[String]) -> Result<bool, CoreError> {
        self.approved = Self::read(&self.path)?.approved;
        let before = self.approved.len();
        self.approved
            .retain(|t| !(t.command == command && t.args == args));
        let removed = self.approved.len() != before;
        if removed {
            self.save()?;
        }
        Ok(removed)
    }

    fn save(&self) -> Result<(), CoreError> {
        let err = |e: std::io::Error| CoreError::ExecTrust {
            path: self.path.clone(),
            reason: e.to_string(),
        };
        let body = serde_json::to_vec_pretty(&TrustFile {
            version: 1,
            approved: self.approved.clone(),
        })
        .map_err(|e| err(std::io::Error::other(e)))?;
        super::settings::write(&self.path, &body).map_err(err)
    }
}

/// The `PATH` of the user's login shell (`$SHELL -l -c 'printf %s "$PATH"'`), for finding exec
/// plugins when Loupe was started from a desktop launcher that did not source the shell's
/// profile. Falls back to this process's `PATH` when there is no `$SHELL`, it fails, or it takes
/// longer than `timeout`.
pub fn login_shell_path(timeout: Duration) -> OsString {
    login_shell_path_with(
        std::env::var_os("SHELL").as_deref(),
        std::env::var_os("PATH").unwrap_or_default(),
        timeout,
    )
}

/// Marks where the value starts, so anything a profile prints on stdout is skipped.
const MARKER: &str = "__LOUPE_PATH__";

/// [`login_shell_path`] with the shell and the fallback given explicitly.
pub fn login_shell_path_with(
    shell: Option<&OsStr>,
    fallback: OsString,
    timeout: Duration,
) -> OsString {
    let Some(shell) = shell.filter(|s| !s.is_empty()) else {
        return fallback;
    };
    let child = Command::new(shell)
        .args(["-l", "-c", &format!("printf '{MARKER}%s' \"$PATH\"")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return fallback;
    };
    let Some(mut stdout) = child.stdout.take() else {
        return fallback;
    };
    // Read on a thread so a chatty profile cannot fill the pipe and stall the shell.
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() < timeout => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    if !status.is_some_and(|s| s.success()) {
        return fallback;
    }
    let Ok(out) = reader.join() else {
        return fallback;
    };
    let text = String::from_utf8_lossy(&out);
    match text.rfind(MARKER) {
        Some(i) if !text[i + MARKER.len()..].trim().is_empty() => {
            OsString::from(text[i + MARKER.len()..].trim_end_matches('\n'))
        }
        _ => fallback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_prefers_xdg() {
        assert_eq!(
            super::super::settings::path_from(
                Some(OsStr::new("/x")),
                Some(OsStr::new("/h")),
                "exec-trust.json"
            ),
            Some(PathBuf::from("/x/loupe/exec-trust.json"))
        );
        assert_eq!(
            super::super::settings::path_from(
                Some(OsStr::new("rel")),
                Some(OsStr::new("/h")),
                "exec-trust.json"
            ),
            Some(PathBuf::from("/h/.config/loupe/exec-trust.json"))
        );
        assert_eq!(super::super::settings::path_from(None, None, "x"), None);
    }

    #[test]
    fn approve_revoke_and_persist() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("cfg/loupe/exec-trust.json");
        let args = vec!["oidc-login".to_string(), "get-token".to_string()];
        let mut t = ExecTrust::open(&p).unwrap();
        assert!(!t.is_trusted("kubectl", &args));
        t.approve("kubectl", &args).unwrap();
        t.approve("kubectl", &args).unwrap();
        assert!(t.is_trusted("kubectl", &args));
        assert!(!t.is_trusted("kubectl", &args[..1]));
        let again = ExecTrust::open(&p).unwrap();
        assert_eq!(again.approved().len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let mut t = again;
        assert!(t.revoke("kubectl", &args).unwrap());
        assert!(!t.revoke("kubectl", &args).unwrap());
        assert!(!ExecTrust::open(&p).unwrap().is_trusted("kubectl", &args));
    }

    #[test]
    fn a_corrupt_store_is_an_error_naming_the_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("exec-trust.json");
        std::fs::write(&p, "{nope").unwrap();
        let e = ExecTrust::open(&p).unwrap_err();
        assert!(e.to_string().contains("exec-trust.json"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn login_shell_path_and_fallbacks() {
        let fb = OsString::from("/fallback");
        let t = Duration::from_secs(5);
        let got = login_shell_path_with(Some(OsStr::new("/bin/sh")), fb.clone(), t);
        assert!(!got.is_empty());
        assert_eq!(login_shell_path_with(None, fb.clone(), t), fb);
        assert_eq!(
            login_shell_path_with(Some(OsStr::new("/nonexistent/shell")), fb.clone(), t),
            fb
        );
        // A shell that hangs is cut off at the timeout.
        let d = tempfile::tempdir().unwrap();
        let slow = d.path().join("slow-shell");
        std::fs::write(&slow, "#!/bin/sh\nsleep 5\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).unwrap();
        let start = Instant::now();
        assert_eq!(
            login_shell_path_with(
                Some(slow.as_os_str()),
                fb.clone(),
                Duration::from_millis(200)
            ),
            fb
        );
        assert!(start.elapsed() < Duration::from_secs(3));
    }
}
