//! The kubeconfig chain, loaded with client-go's rules and without its blind spots.
//!
//! - Files come from `--kubeconfig`, else `KUBECONFIG` (split, de-duplicated, missing files
//!   skipped), else `~/.kube/config`.
//! - The first file to define a name wins, whole; the first non-empty `current-context` wins.
//! - Unlike kubectl, one broken entry does not sink its file and one broken file does not sink the
//!   chain: problems become [`Notice`]s, shadowed duplicates are listed, and every entry remembers
//!   the file it came from (the file an edit must go to).

mod edit;
mod file;
pub(crate) mod gofmt;
pub mod insight;
pub mod paths;
mod print;
mod reveal;
mod settings;
pub(crate) use settings::xdg_path;
pub mod sources;
pub mod trust;
mod view;
pub mod write;
mod yaml_text;
pub use edit::{EditOp, EditOutcome, default_filename, edit};
pub(crate) use gofmt::go_quote;
pub(crate) use gofmt::{GoValue, to_json, to_yaml};
pub use insight::InsightEnv;
pub use print::ContextsOutput;
pub use view::{ViewFormat, ViewOptions};
pub mod watch;

pub use file::{Entry, FileConfig, FileState};

use crate::CoreError;
use loupe_model::{
    ContextEntry, KubeconfigOverview, Notice, NoticeLevel, ShadowedEntry, SourceFile, SourceStatus,
};
use std::collections::{BTreeMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Where the list of files came from; it decides whether a missing file is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainOrigin {
    /// `--kubeconfig FILE`: exactly one file, no merging.
    Explicit,
    /// The `KUBECONFIG` environment variable.
    Env,
    /// `~/.kube/config`.
    Default,
}

/// Inputs that decide which files make up the chain (kept explicit so tests need no env vars).
#[derive(Debug, Clone, Default)]
pub struct LoadRules {
    /// `--kubeconfig`, if given: replaces `KUBECONFIG` entirely.
    pub explicit: Option<PathBuf>,
    /// The raw value of `KUBECONFIG`.
    pub env: Option<OsString>,
    /// The home directory (`$HOME`).
    pub home: Option<PathBuf>,
    /// Files imported into Loupe ([`sources::SourceList`]); the app appends them to the chain,
    /// the CLI (like kubectl) leaves this empty.
    pub imported: Vec<PathBuf>,
}

impl LoadRules {
    /// Rules from this process's environment, with an optional `--kubeconfig` override.
    pub fn from_env(explicit: Option<PathBuf>) -> Self {
        Self {
            explicit,
            env: std::env::var_os("KUBECONFIG"),
            home: std::env::var_os("HOME").map(PathBuf::from),
            imported: Vec::new(),
        }
    }

    /// The files in precedence order: [`LoadRules::chain`] then the imported files it does not
    /// already contain (none with `--kubeconfig`, which means exactly one file).
    pub fn files(&self) -> (Vec<PathBuf>, ChainOrigin) {
        let (mut files, origin) = self.chain();
        if origin != ChainOrigin::Explicit {
            for f in &self.imported {
                if !files.contains(f) {
                    files.push(f.clone());
                }
            }
        }
        (files, origin)
    }

    /// kubectl's files in precedence order, and where that list came from.
    pub fn chain(&self) -> (Vec<PathBuf>, ChainOrigin) {
        if let Some(p) = &self.explicit {
            return (vec![p.clone()], ChainOrigin::Explicit);
        }
        if let Some(env) = self.env.as_ref().filter(|e| !e.is_empty()) {
            let mut seen = HashSet::new();
            let files = std::env::split_paths(env)
                .filter(|p| !p.as_os_str().is_empty())
                .filter(|p| seen.insert(p.clone()))
                .collect();
            return (files, ChainOrigin::Env);
        }
        let home = self.home.clone().unwrap_or_default();
        (
            vec![home.join(".kube").join("config")],
            ChainOrigin::Default,
        )
    }
}

/// Where a merged entry lives: which file and which entry of that file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    file: usize,
    entry: usize,
}

/// A context resolved against the merged chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextRef<'a> {
    /// Context name.
    pub name: &'a str,
    /// Referenced cluster name (empty if the context names none).
    pub cluster: &'a str,
    /// Referenced user name (empty if the context names none).
    pub user: &'a str,
    /// The context's default namespace.
    pub namespace: Option<&'a str>,
    /// The file that defines it.
    pub origin: &'a Path,
}

/// The merged kubeconfig chain.
#[derive(Debug, Clone)]
pub struct Kubeconfig {
    /// Every file of the chain, in precedence order, loaded or not.
    pub files: Vec<FileConfig>,
    /// Where the chain came from.
    pub origin: ChainOrigin,
    clusters: BTreeMap<String, Slot>,
    users: BTreeMap<String, Slot>,
    contexts: BTreeMap<String, Slot>,
    shadowed: Vec<ShadowedEntry>,
    current: Option<(String, usize)>,
    /// Files of [`Kubeconfig::files`] that are in the chain only because Loupe imported them.
    pub imported: Vec<PathBuf>,
}

impl Kubeconfig {
    /// Loads the chain described by `rules`. Never fails as a whole: per-file problems are kept
    /// in [`Kubeconfig::files`] and reported by [`Kubeconfig::notices`].
    pub fn load(rules: &LoadRules) -> Self {
        let (paths, origin) = rules.files();
        let mut kc = Self::from_files(paths.iter().map(|p| FileConfig::load(p)).collect(), origin);
        let (kubectl, _) = rules.chain();
        kc.imported = paths.into_iter().filter(|p| !kubectl.contains(p)).collect();
        kc
    }

    /// Merges already-loaded files (first definition of a name wins).
    pub fn from_files(files: Vec<FileConfig>, origin: ChainOrigin) -> Self {
        let mut kc = Kubeconfig {
            files,
            origin,
            clusters: BTreeMap::new(),
            users: BTreeMap::new(),
            contexts: BTreeMap::new(),
            shadowed: Vec::new(),
            current: None,
            imported: Vec::new(),
        };
        for (fi, f) in kc.files.iter().enumerate() {
            for (section, entries, map) in [
                ("cluster", &f.clusters, &mut kc.clusters),
                ("user", &f.users, &mut kc.users),
                ("context", &f.contexts, &mut kc.contexts),
            ] {
                for (ei, e) in entries.iter().enumerate() {
                    if let Some(win) = map.get(&e.name) {
                        // A duplicate inside one file is flagged by the file loader instead.
                        if win.file != fi {
                            kc.shadowed.push(ShadowedEntry {
                                section: section.to_string(),
                                name: e.name.clone(),
                                winner: kc_path(&kc.files[win.file].path),
                                ignored: kc_path(&f.path),
                            });
                        }
                    } else {
                        map.insert(
                            e.name.clone(),
                            Slot {
                                file: fi,
                                entry: ei,
                            },
                        );
                    }
                }
            }
            if kc.current.is_none()
                && let Some(cc) = f.current_context.as_ref().filter(|c| !c.is_empty())
            {
                kc.current = Some((cc.clone(), fi));
            }
        }
        kc
    }

    /// The effective current-context name, as `kubectl config current-context` prints it.
    pub fn current_context(&self) -> Result<&str, CoreError> {
        self.current
            .as_ref()
            .map(|(c, _)| c.as_str())
            .ok_or(CoreError::CurrentContextNotSet)
    }

    fn context_at(&self, name: &str, slot: Slot) -> Option<ContextRef<'_>> {
        let f = self.files.get(slot.file)?;
        let e = f.contexts.get(slot.entry)?;
        let field = |k: &str| e.body.get(k).and_then(|v| v.as_str());
        Some(ContextRef {
            name: self.contexts.get_key_value(name).map(|(k, _)| k.as_str())?,
            cluster: field("cluster").unwrap_or(""),
            user: field("user").unwrap_or(""),
            namespace: field("namespace").filter(|n| !n.is_empty()),
            origin: &f.path,
        })
    }

    /// A context by name, if the chain defines it.
    pub fn context(&self, name: &str) -> Option<ContextRef<'_>> {
        self.context_at(name, *self.contexts.get(name)?)
    }

    /// All merged contexts, sorted by name.
    pub fn contexts(&self) -> impl Iterator<Item = ContextRef<'_>> {
        self.contexts
            .iter()
            .filter_map(|(n, s)| self.context_at(n, *s))
    }

    /// The winning definition of a cluster (the map under `cluster:`).
    pub fn cluster(&self, name: &str) -> Option<&Entry> {
        self.entry(&self.clusters, name, |f| &f.clusters)
    }

    /// The winning definition of a user (the map under `user:`).
    pub fn user(&self, name: &str) -> Option<&Entry> {
        self.entry(&self.users, name, |f| &f.users)
    }

    fn entry<'a>(
        &'a self,
        map: &BTreeMap<String, Slot>,
        name: &str,
        section: impl Fn(&'a FileConfig) -> &'a Vec<Entry>,
    ) -> Option<&'a Entry> {
        let slot = map.get(name)?;
        section(self.files.get(slot.file)?).get(slot.entry)
    }

    /// Entries defined in more than one file, with the file that wins.
    pub fn shadowed(&self) -> &[ShadowedEntry] {
        &self.shadowed
    }

    /// Everything worth telling the user about this chain, most serious first.
    pub fn notices(&self) -> Vec<Notice> {
        let mut out = Vec::new();
        let notice = |level, message: String, file: Option<&Path>, hint: Option<&str>| Notice {
            level,
            message,
            file: file.map(kc_path),
            hint: hint.map(str::to_string),
        };
        for f in &self.files {
            match &f.state {
                FileState::Loaded => {}
                FileState::Missing => out.push(if self.origin == ChainOrigin::Env {
                    notice(
                        NoticeLevel::Info,
                        format!(
                            "{} does not exist; kubectl skips it silently.",
                            f.path.display()
                        ),
                        Some(&f.path),
                        Some("Remove it from KUBECONFIG or create the file."),
                    )
                } else {
                    notice(
                        NoticeLevel::Info,
                        format!("No kubeconfig at {}.", f.path.display()),
                        Some(&f.path),
                        None,
                    )
                }),
                FileState::Broken(e) => {
                    let d = e.diagnose();
                    out.push(notice(
                        NoticeLevel::Error,
                        d.message,
                        Some(&f.path),
                        d.hint.as_deref(),
                    ));
                }
            }
            for flag in &f.flagged {
                out.push(notice(
                    NoticeLevel::Warning,
                    flag.clone(),
                    Some(&f.path),
                    Some(
                        "kubectl refuses the whole file because of this entry; Loupe loads the rest.",
                    ),
                ));
            }
        }
        for f in &self.files {
            let lock = write::lock_name(&f.path);
            if lock.exists() {
                out.push(notice(
                    NoticeLevel::Warning,
                    format!(
                        "{} exists, so every kubectl (and Loupe) write to this kubeconfig fails with \"file exists\".",
                        lock.display()
                    ),
                    Some(&f.path),
                    Some("If no kubectl or Loupe is writing right now, a crashed one left it behind: delete the .lock file."),
                ));
            }
        }
        let has_loaded = self.files.iter().any(|f| f.state == FileState::Loaded);
        match &self.current {
            None if has_loaded && !self.contexts.is_empty() => out.push(notice(
                NoticeLevel::Warning,
                "No current-context is set: kubectl would silently talk to http://localhost:8080."
                    .into(),
                None,
                Some("Choose one with `kubectl config use-context NAME`."),
            )),
            Some((cc, fi)) if !self.contexts.contains_key(cc) => out.push(notice(
                NoticeLevel::Error,
                format!("current-context \"{cc}\" names a context that does not exist."),
                self.files.get(*fi).map(|f| f.path.as_path()),
                Some("Switch to an existing context with `kubectl config use-context NAME`."),
            )),
            _ => {}
        }
        for c in self.contexts() {
            for (kind, name, map) in [
                ("cluster", c.cluster, &self.clusters),
                ("user", c.user, &self.users),
            ] {
                if !map.contains_key(name) {
                    let what = if name.is_empty() {
                        format!("Context \"{}\" names no {kind}.", c.name)
                    } else {
                        format!(
                            "Context \"{}\" points at {kind} \"{name}\", which no file defines.",
                            c.name
                        )
                    };
                    out.push(notice(NoticeLevel::Warning, what, Some(c.origin), None));
                }
            }
        }
        for s in &self.shadowed {
            out.push(Notice {
                level: NoticeLevel::Info,
                message: format!(
                    "{} \"{}\" is defined in {} and again in {}; the first file wins and the second definition is ignored.",
                    capitalise(&s.section),
                    s.name,
                    s.winner,
                    s.ignored
                ),
                file: Some(s.ignored.clone()),
                hint: Some("Rename one of them so both can be used.".into()),
            });
        }
        out.sort_by_key(|n| n.level);
        out
    }

    /// The chain as the UI shows it, with insights computed for this process's `PATH` and the
    /// current time.
    pub fn overview(&self) -> KubeconfigOverview {
        self.overview_with(&InsightEnv::current())
    }

    /// The chain as the UI shows it, with insights computed in `env`.
    pub fn overview_with(&self, env: &InsightEnv) -> KubeconfigOverview {
        let current = self.current.as_ref().map(|(c, _)| c.as_str());
        let contexts = self
            .contexts()
            .map(|c| {
                let cluster = self.cluster(c.cluster);
                ContextEntry {
                    name: c.name.to_string(),
                    cluster: c.cluster.to_string(),
                    user: c.user.to_string(),
                    namespace: c.namespace.map(str::to_string),
                    is_current: current == Some(c.name),
                    origin: kc_path(c.origin),
                    server: cluster
                        .and_then(|e| e.body.get("server"))
                        .and_then(|s| s.as_str())
                        .map(str::to_string),
                    cluster_found: cluster.is_some(),
                    user_found: self.user(c.user).is_some(),
                }
            })
            .collect();
        KubeconfigOverview {
            sources: self
                .files
                .iter()
                .map(|f| SourceFile {
                    path: kc_path(&f.path),
                    status: match f.state {
                        FileState::Loaded => SourceStatus::Loaded,
                        FileState::Missing => SourceStatus::Missing,
                        FileState::Broken(_) => SourceStatus::Broken,
                    },
                    error: match &f.state {
                        FileState::Broken(e) => Some(e.to_string()),
                        _ => None,
                    },
                    counts: [f.contexts.len(), f.clusters.len(), f.users.len()],
                    imported: self.imported.contains(&f.path),
                })
                .collect(),
            chain_origin: match self.origin {
                ChainOrigin::Explicit => "--kubeconfig",
                ChainOrigin::Env => "KUBECONFIG",
                ChainOrigin::Default => "~/.kube/config",
            }
            .to_string(),
            contexts,
            current_context: current.map(str::to_string),
            shadowed: self.shadowed.clone(),
            notices: self.notices(),
            clusters: self.cluster_insights(env),
            users: self.user_insights(env),
        }
    }
}

fn kc_path(p: &Path) -> String {
    p.display().to_string()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;

/// The kubeconfig as an app uses it: loaded on demand, watched for changes.
#[derive(Debug, Clone)]
pub struct KubeconfigService {
    rules: LoadRules,
    /// Files the user imported into Loupe; shared by clones (the watcher holds one).
    sources: Option<std::sync::Arc<std::sync::Mutex<sources::SourceList>>>,
    /// Where exec plugins are looked up (a GUI's own PATH is usually not the user's).
    exec_path: Option<std::ffi::OsString>,
}

impl KubeconfigService {
    /// A service for the given rules.
    pub fn new(rules: LoadRules) -> Self {
        Self {
            rules,
            sources: None,
            exec_path: None,
        }
    }

    /// Appends the files of `list` to the chain, and lets [`KubeconfigService::import`] and
    /// [`KubeconfigService::remove_source`] change it.
    #[must_use]
    pub fn with_sources(mut self, list: sources::SourceList) -> Self {
        self.sources = Some(std::sync::Arc::new(std::sync::Mutex::new(list)));
        self
    }

    /// The rules with the imported files filled in.
    pub fn rules(&self) -> LoadRules {
        let mut rules = self.rules.clone();
        if let Some(list) = &self.sources
            && let Ok(list) = list.lock()
        {
            rules.imported = list.files().to_vec();
        }
        rules
    }

    fn source_list(&self) -> Result<std::sync::MutexGuard<'_, sources::SourceList>, CoreError> {
        let path = sources::SourceList::default_path().unwrap_or_default();
        let list = self.sources.as_ref().ok_or_else(|| CoreError::Sources {
            path: path.clone(),
            reason: "this Loupe keeps no list of imported files".into(),
        })?;
        list.lock().map_err(|_| CoreError::Sources {
            path,
            reason: "the list's lock was poisoned".into(),
        })
    }

    /// Imports a kubeconfig file by reference; returns its stored (absolute) path and whether it
    /// was new. Restart [`KubeconfigService::watch`] afterwards so the file is watched too.
    pub fn import(&self, file: &Path) -> Result<(PathBuf, bool), CoreError> {
        self.source_list()?.add(file)
    }

    /// One secret of a user entry, for an explicit "reveal" in the UI.
    pub fn reveal(&self, user: &str, field: loupe_model::SecretField) -> Result<String, CoreError> {
        self.load().reveal(user, field)
    }

    /// Removes an imported file from the chain (the file itself is left alone).
    pub fn remove_source(&self, file: &Path) -> Result<bool, CoreError> {
        self.source_list()?.remove(file)
    }

    /// Looks exec plugins up on `path` (e.g. [`trust::login_shell_path`]) instead of this
    /// process's `PATH`.
    #[must_use]
    pub fn with_exec_path(mut self, path: std::ffi::OsString) -> Self {
        self.exec_path = Some(path);
        self
    }

    fn insight_env(&self) -> InsightEnv {
        let mut env = InsightEnv::current();
        if let Some(p) = &self.exec_path {
            env.path = Some(p.clone());
        }
        env
    }

    /// A service for this process's environment.
    pub fn from_env() -> Self {
        Self::new(LoadRules::from_env(None))
    }

    /// Loads the chain now. Files are small and read fresh, so what is shown is what is on disk.
    pub fn load(&self) -> Kubeconfig {
        Kubeconfig::load(&self.rules())
    }

    /// The chain as the UI shows it.
    pub fn overview(&self) -> KubeconfigOverview {
        self.load().overview_with(&self.insight_env())
    }

    /// The chain as the UI shows it, with exec plugins looked up on `env.path` (e.g. the login
    /// shell's, from [`trust::login_shell_path`]).
    pub fn overview_with(&self, env: &InsightEnv) -> KubeconfigOverview {
        self.load().overview_with(env)
    }

    /// Runs a `kubectl config` write command against the chain (kubectl's file rules and locks,
    /// lossless edits).
    pub fn edit(&self, op: &EditOp) -> Result<EditOutcome, CoreError> {
        edit::edit(&self.rules(), op)
    }

    /// Applies a change the UI asked for, and says what kubectl command does the same.
    pub fn apply(
        &self,
        request: &loupe_model::EditRequest,
    ) -> Result<loupe_model::EditResult, CoreError> {
        let op = EditOp::from(request);
        let outcome = self.edit(&op)?;
        Ok(loupe_model::EditResult {
            message: outcome.message.trim_end().to_string(),
            warnings: outcome.warnings,
            written: outcome.written.iter().map(|p| kc_path(p)).collect(),
            kubectl: op.kubectl_command(),
        })
    }

    /// Calls `on_change` with a fresh overview whenever a file of the chain changes.
    pub fn watch(
        &self,
        mut on_change: impl FnMut(KubeconfigOverview) + Send + 'static,
    ) -> Result<watch::KubeconfigWatch, CoreError> {
        let (files, _) = self.rules().files();
        let this = self.clone();
        watch::watch_files(&files, move || on_change(this.overview()))
            .map_err(|e| CoreError::Watch(e.to_string()))
    }
}
