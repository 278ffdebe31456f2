//! One kubeconfig file, parsed leniently.

use crate::CoreError;
use base64::Engine as _;
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A named entry of `clusters`, `users` or `contexts`.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The entry's `name`.
    pub name: String,
    /// The map under `cluster:`, `user:` or `context:` (an empty map if absent).
    pub body: Value,
}

/// Whether a file of the chain could be used.
#[derive(Debug, Clone)]
pub enum FileState {
    /// Parsed; entries may still be flagged.
    Loaded,
    /// Not on disk.
    Missing,
    /// Unreadable or unparsable (shared so that a loaded chain stays cheap to clone).
    Broken(Arc<CoreError>),
}

impl PartialEq for FileState {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (FileState::Loaded, FileState::Loaded) | (FileState::Missing, FileState::Missing) => {
                true
            }
            (FileState::Broken(a), FileState::Broken(b)) => a.to_string() == b.to_string(),
            _ => false,
        }
    }
}

/// One file's content, split into its sections. Entries keep file order.
#[derive(Debug, Clone)]
pub struct FileConfig {
    /// The file.
    pub path: PathBuf,
    /// Load status.
    pub state: FileState,
    /// Its `current-context`, if set (possibly empty).
    pub current_context: Option<String>,
    /// `clusters` entries (WHERE).
    pub clusters: Vec<Entry>,
    /// `users` entries (WHO).
    pub users: Vec<Entry>,
    /// `contexts` entries (WHICH).
    pub contexts: Vec<Entry>,
    /// Problems with single entries that kubectl would reject the whole file for.
    pub flagged: Vec<String>,
    /// Top-level `extensions` (name and the value under `extension:`), in file order.
    pub extensions: Vec<Entry>,
    /// Top-level `preferences`, if set.
    pub preferences: Option<Value>,
}

impl FileConfig {
    fn empty(path: &Path, state: FileState) -> Self {
        Self {
            path: path.to_path_buf(),
            state,
            current_context: None,
            clusters: Vec::new(),
            users: Vec::new(),
            contexts: Vec::new(),
            flagged: Vec::new(),
            extensions: Vec::new(),
            preferences: None,
        }
    }

    /// Reads and parses `path`. A missing file is [`FileState::Missing`], not an error.
    pub fn load(path: &Path) -> Self {
        match std::fs::read(path) {
            Ok(bytes) => Self::parse(path, &bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Self::empty(path, FileState::Missing)
            }
            Err(source) => Self::empty(
                path,
                FileState::Broken(Arc::new(CoreError::ReadKubeconfig {
                    path: path.to_path_buf(),
                    source,
                })),
            ),
        }
    }

    /// Parses file content; `path` is used for messages and as the entries' origin.
    pub fn parse(path: &Path, bytes: &[u8]) -> Self {
        let broken = |reason: String| {
            Self::empty(
                path,
                FileState::Broken(Arc::new(CoreError::ParseKubeconfig {
                    path: path.to_path_buf(),
                    reason,
                })),
            )
        };
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t.trim_start_matches('\u{feff}'),
            Err(e) => return broken(format!("not UTF-8 text: {e}")),
        };
        if text.trim().is_empty() {
            // kubectl treats an empty file as an empty config.
            return Self::empty(path, FileState::Loaded);
        }
        let doc: Value = match serde_saphyr::from_str(text) {
            Ok(v) => v,
            Err(e) => return broken(e.to_string()),
        };
        let map =
            match &doc {
                Value::Object(m) => m,
                Value::Null => return Self::empty(path, FileState::Loaded),
                _ => return broken(
                    "the top level must be a mapping (apiVersion, kind, clusters, users, contexts)"
                        .into(),
                ),
            };
        let mut f = Self::empty(path, FileState::Loaded);
        if let Some(kind) = map.get("kind").and_then(Value::as_str)
            && kind != "Config"
        {
            return broken(format!(
                "kind is \"{kind}\", a kubeconfig has kind \"Config\""
            ));
        }
        f.current_context = match map.get("current-context") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => None,
            Some(other) => {
                f.flagged
                    .push(format!("current-context must be a string, found {other}"));
                None
            }
        };
        f.clusters = section(map.get("clusters"), "clusters", "cluster", &mut f.flagged);
        f.users = section(map.get("users"), "users", "user", &mut f.flagged);
        f.contexts = section(map.get("contexts"), "contexts", "context", &mut f.flagged);
        f.extensions = extensions(map.get("extensions"));
        f.preferences = map.get("preferences").filter(|p| !p.is_null()).cloned();
        for c in &f.clusters {
            check_base64(
                &c.body,
                "cluster",
                &c.name,
                &["certificate-authority-data"],
                &mut f.flagged,
            );
        }
        for u in &f.users {
            check_base64(
                &u.body,
                "user",
                &u.name,
                &["client-certificate-data", "client-key-data"],
                &mut f.flagged,
            );
        }
        f
    }
}

/// Extracts one of the three named lists. Bad entries are flagged and skipped, never fatal.
fn section(v: Option<&Value>, list: &str, inner: &str, flagged: &mut Vec<String>) -> Vec<Entry> {
    let items = match v {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            flagged.push(format!(
                "{list} must be a list of {{name, {inner}}} entries"
            ));
            return Vec::new();
        }
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let name = item.get("name").and_then(Value::as_str).unwrap_or("");
        if name.is_empty() {
            flagged.push(format!("{list}[{i}] has no name and is ignored"));
            continue;
        }
        let body = match item.get(inner) {
            None | Some(Value::Null) => Value::Object(Default::default()),
            Some(b @ Value::Object(_)) => b.clone(),
            Some(_) => {
                flagged.push(format!(
                    "{inner} \"{name}\": `{inner}:` must be a mapping; entry ignored"
                ));
                continue;
            }
        };
        if !seen.insert(name.to_string()) {
            flagged.push(format!(
                "{inner} \"{name}\" is defined twice in this file; the first definition is used"
            ));
            continue;
        }
        out.push(Entry {
            name: name.to_string(),
            body,
        });
    }
    out
}

/// Named extensions (`{name, extension}`); entries without a name are ignored as kubectl's
/// map conversion would make them collide on "".
pub(crate) fn extensions(v: Option<&Value>) -> Vec<Entry> {
    let Some(Value::Array(items)) = v else {
        return Vec::new();
    };
    let mut seen = HashSet::new();
    items
        .iter()
        .filter_map(|i| {
            let name = i.get("name").and_then(Value::as_str)?;
            seen.insert(name.to_string()).then(|| Entry {
                name: name.to_string(),
                body: i.get("extension").cloned().unwrap_or(Value::Null),
            })
        })
        .collect()
}

fn check_base64(body: &Value, kind: &str, name: &str, fields: &[&str], flagged: &mut Vec<String>) {
    for field in fields {
        if let Some(s) = body.get(*field).and_then(Value::as_str)
            && let Err(e) = base64::engine::general_purpose::STANDARD.decode(s.trim())
        {
            flagged.push(format!(
                "{kind} \"{name}\": {field} is not valid base64 ({e})"
            ));
        }
    }
}
