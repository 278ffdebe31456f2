//! Live reload: notices when kubectl (or an editor) changes a kubeconfig file.
//!
//! Editors and kubectl replace files (write to a temporary file, then rename), which breaks a
//! watch on the file itself, so we watch each file's parent folder and filter by name.

use notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Keeps the watch alive; dropping it stops watching.
pub struct KubeconfigWatch {
    _debouncer: Debouncer<notify::RecommendedWatcher>,
}

/// Debounce window: long enough to fold an editor's write+rename, short enough to feel live.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// Calls `on_change` (on a background thread) whenever one of `files` is created, changed,
/// replaced or removed. Folders that do not exist are skipped.
pub fn watch_files(
    files: &[PathBuf],
    mut on_change: impl FnMut() + Send + 'static,
) -> notify::Result<KubeconfigWatch> {
    let names: HashSet<PathBuf> = files.iter().map(|p| absolute(p)).collect();
    let wanted = names.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, move |res: DebounceEventResult| {
        if let Ok(events) = res
            && events.iter().any(|e| wanted.contains(&absolute(&e.path)))
        {
            on_change();
        }
    })?;
    let dirs: HashSet<PathBuf> = names
        .iter()
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect();
    for dir in dirs.iter().filter(|d| d.is_dir()) {
        debouncer
            .watcher()
            .watch(dir, RecursiveMode::NonRecursive)?;
    }
    Ok(KubeconfigWatch {
        _debouncer: debouncer,
    })
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
