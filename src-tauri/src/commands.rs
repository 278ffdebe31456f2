//! Tauri commands: argument plumbing only; the work is in `loupe-core`.

use loupe_core::kubeconfig::{KubeconfigService, watch::KubeconfigWatch};
use loupe_model::{KubeconfigOverview, UiError};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;
use tauri::State;
use tauri::ipc::Channel;

/// Backend state shared by all commands.
pub struct AppState {
    kubeconfig: KubeconfigService,
    watch: Mutex<Option<KubeconfigWatch>>,
    started: Instant,
    painted: AtomicBool,
}

impl AppState {
    /// State for this process's environment (`KUBECONFIG`, `HOME`).
    pub fn from_env(started: Instant) -> Self {
        Self {
            kubeconfig: KubeconfigService::from_env(),
            watch: Mutex::new(None),
            started,
            painted: AtomicBool::new(false),
        }
    }
}

/// The kubeconfig chain, merged as kubectl merges it, with everything kubectl hides.
#[tauri::command]
pub fn kubeconfig_overview(state: State<'_, AppState>) -> Result<KubeconfigOverview, UiError> {
    Ok(state.kubeconfig.overview())
}

/// Sends a fresh overview over `channel` whenever a kubeconfig file changes. A new subscription
/// replaces the previous one (the webview reloaded).
#[tauri::command]
pub fn watch_kubeconfig(
    state: State<'_, AppState>,
    channel: Channel<KubeconfigOverview>,
) -> Result<(), UiError> {
    let watch = state.kubeconfig.watch(move |overview| {
        if let Err(e) = channel.send(overview) {
            tracing::debug!("kubeconfig channel closed: {e}");
        }
    })?;
    if let Ok(mut slot) = state.watch.lock() {
        *slot = Some(watch);
    }
    Ok(())
}

/// The UI calls this once its first context list is painted; the time since launch is logged
/// once (`./dev bench` reads it).
#[tauri::command]
pub fn startup_painted(state: State<'_, AppState>) {
    if !state.painted.swap(true, Ordering::Relaxed) {
        tracing::info!(
            target: "loupe::startup",
            "first context list painted {} ms after launch",
            state.started.elapsed().as_millis()
        );
    }
}
