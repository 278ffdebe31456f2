//! The local action log: one JSON line per change (context, verb, object, kubectl command,
//! outcome, time) in `$XDG_STATE_HOME/loupe/actions.jsonl` (else
//! `~/.local/state/loupe/actions.jsonl`), mode 0600. Object bodies are never written: YAML may
//! hold Secrets.

use crate::CoreError;
use loupe_model::changes::{ActionLogEntry, ChangeVerb};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// What an entry is about (its outcome comes separately).
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// The kubeconfig context.
    pub context: &'a str,
    /// What was done.
    pub verb: ChangeVerb,
    /// `TYPE/NAME -n NS`.
    pub object: &'a str,
    /// The equivalent kubectl command.
    pub kubectl: &'a str,
    /// A dry run only.
    pub dry_run: bool,
}

/// The log file.
#[derive(Debug, Clone)]
pub struct ActionLog {
    path: PathBuf,
}

/// `$XDG_STATE_HOME/loupe/actions.jsonl`, else `$HOME/.local/state/loupe/actions.jsonl`.
pub fn default_path() -> Option<PathBuf> {
    crate::kubeconfig::xdg_path(
        std::env::var_os("XDG_STATE_HOME").as_deref(),
        std::env::var_os("HOME").as_deref(),
        ".local/state",
        "actions.jsonl",
    )
}

fn err(path: &Path, e: impl ToString) -> CoreError {
    CoreError::ActionLog {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// The current time as RFC 3339 (UTC, seconds).
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

impl ActionLog {
    /// The log at its default place.
    pub fn open_default() -> Result<Self, CoreError> {
        let path = default_path().ok_or_else(|| {
            err(
                Path::new("~/.local/state/loupe/actions.jsonl"),
                "neither XDG_STATE_HOME nor HOME is set",
            )
        })?;
        Ok(Self::at(path))
    }

    /// The log at `path`.
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry (creating the file 0600 and its folder 0700).
    pub fn append(&self, entry: &ActionLogEntry) -> Result<(), CoreError> {
        if let Some(dir) = self.path.parent() {
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(dir).map_err(|e| err(&self.path, e))?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.create(true).append(true);
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&self.path).map_err(|e| err(&self.path, e))?;
        let mut line = serde_json::to_string(entry).map_err(|e| err(&self.path, e))?;
        line.push('\n');
        // One write per line: appends of whole lines do not interleave between processes.
        f.write_all(line.as_bytes()).map_err(|e| err(&self.path, e))
    }

    /// Records an action's outcome.
    pub fn record<T>(
        &self,
        what: &Record<'_>,
        outcome: &Result<T, CoreError>,
        message: impl FnOnce(&T) -> String,
    ) -> Result<(), CoreError> {
        let (ok, result) = match outcome {
            Ok(v) => (true, message(v)),
            Err(e) => (false, e.to_string()),
        };
        self.append(&ActionLogEntry {
            time: now_rfc3339(),
            context: what.context.to_string(),
            verb: what.verb,
            object: what.object.to_string(),
            kubectl: what.kubectl.to_string(),
            ok,
            result,
            dry_run: what.dry_run,
        })
    }

    /// The last `limit` entries, newest first. A missing file is an empty log; lines that do
    /// not parse (a crash mid-write) are skipped.
    pub fn recent(&self, limit: usize) -> Result<Vec<ActionLogEntry>, CoreError> {
        let f = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(err(&self.path, e)),
        };
        let mut out: std::collections::VecDeque<ActionLogEntry> = Default::default();
        for line in std::io::BufReader::new(f).lines() {
            let line = line.map_err(|e| err(&self.path, e))?;
            if let Ok(e) = serde_json::from_str(&line) {
                if out.len() == limit {
                    out.pop_front();
                }
                out.push_back(e);
            }
        }
        Ok(out.into_iter().rev().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn appends_private_lines_and_reads_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let log = ActionLog::at(dir.path().join("state/loupe/actions.jsonl"));
        assert!(log.recent(10).unwrap().is_empty());
        for i in 0..3 {
            let outcome: Result<String, CoreError> = Ok(format!("cm{i} replaced"));
            let object = format!("configmap/cm{i} -n a");
            let what = Record {
                context: "ctx",
                verb: ChangeVerb::Edit,
                object: &object,
                kubectl: "kubectl replace -f -",
                dry_run: false,
            };
            log.record(&what, &outcome, Clone::clone).unwrap();
        }
        let failed: Result<(), CoreError> = Err(CoreError::InvalidArgument("nope".into()));
        let what = Record {
            context: "ctx",
            verb: ChangeVerb::Delete,
            object: "pod/x",
            kubectl: "kubectl delete pod/x",
            dry_run: false,
        };
        log.record(&what, &failed, |_| String::new()).unwrap();
        let mode = std::fs::metadata(log.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let recent = log.recent(3).unwrap();
        assert_eq!(recent.len(), 3);
        assert_eq!(recent[0].verb, ChangeVerb::Delete);
        assert!(!recent[0].ok);
        assert_eq!(recent[0].result, "nope");
        assert_eq!(recent[2].result, "cm1 replaced");
    }
}
