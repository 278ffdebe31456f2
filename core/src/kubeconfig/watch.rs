//! Live reload: notices when kubectl (or an editor) changes a kubeconfig file.
//!
//! Editors and kubectl replace files (write to a temporary file, then rename), which breaks a
//! watch on the file itself, so we watch each file's parent folder and filter by name.
//! Access events (open, read, close) are ignored: Loupe reading the file after a change would
//! otherwise report a change again, forever.

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// Keeps the watch alive; dropping it stops watching (and its debounce thread).
pub struct KubeconfigWatch {
    _watcher: RecommendedWatcher,
}

/// Debounce window: long enough to fold an editor's write+rename, short enough to feel live.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// Calls `on_change` (on a background thread) whenever one of `files` is created, changed,
/// replaced or removed. Folders that do not exist are skipped.
pub fn watch_files(
    files: &[PathBuf],
    mut on_change: impl FnMut() + Send + 'static,
) -> notify::Result<KubeconfigWatch> {
    let wanted: HashSet<PathBuf> = files.iter().map(|p| absolute(p)).collect();
    let dirs: HashSet<PathBuf> = wanted
        .iter()
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect();
    let (tx, rx) = mpsc::channel::<()>();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(event) = res else { return };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        if event.paths.iter().any(|p| wanted.contains(&absolute(p))) {
            let _ = tx.send(());
        }
    })?;
    for dir in dirs.iter().filter(|d| d.is_dir()) {
        watcher.watch(dir, RecursiveMode::NonRecursive)?;
    }
    // The debounce thread ends when the watcher (and with it the sender) is dropped.
    std::thread::spawn(move || {
        while rx.recv().is_ok() {
            // Fold a burst of events into one reload.
            while rx.recv_timeout(DEBOUNCE).is_ok() {}
            on_change();
        }
    });
    Ok(KubeconfigWatch { _watcher: watcher })
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
