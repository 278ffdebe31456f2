//! Tauri commands: argument plumbing only; the work is in `loupe-core`.

use loupe_core::CoreError;
use loupe_core::cluster::ConnectionManager;
use loupe_core::kubeconfig::sources::SourceList;
use loupe_core::kubeconfig::trust::{ExecTrust, login_shell_path};
use loupe_core::kubeconfig::{KubeconfigService, watch::KubeconfigWatch};
use loupe_model::{
    ConnectionStatus, EditRequest, EditResult, KubeconfigOverview, SecretField, UiError,
};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long one connection attempt may take before it is reported as a timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the login shell may take to tell us its PATH at start-up.
const LOGIN_SHELL_TIMEOUT: Duration = Duration::from_secs(1);
use tauri::State;
use tauri::ipc::Channel;

/// Backend state shared by all commands.
pub struct AppState {
    pub(crate) kubeconfig: KubeconfigService,
    /// The live watch and the channel it reports to (kept to re-watch after an import).
    watch: Mutex<Option<(KubeconfigWatch, Channel<KubeconfigOverview>)>>,
    connections: ConnectionManager,
    /// Exec plugins the user approved; `Err` if the store cannot be opened (then none run).
    trust: Mutex<Result<ExecTrust, CoreError>>,
    started: Instant,
    painted: AtomicBool,
    /// Watches the UI started, by the id it gave them.
    pub(crate) tasks: loupe_core::tasks::TaskSet,
    /// Open log views (their lines live here, not in the page), by the id the UI gave them.
    pub(crate) log_views: loupe_core::logs::session::LogViews,
}

impl AppState {
    /// State for this process's environment (`KUBECONFIG`, `HOME`).
    pub fn from_env(started: Instant) -> Self {
        // Desktop launchers do not pass the login shell's PATH; exec plugins live there.
        let mut kubeconfig =
            KubeconfigService::from_env().with_exec_path(login_shell_path(LOGIN_SHELL_TIMEOUT));
        match SourceList::open_default() {
            Ok(list) => kubeconfig = kubeconfig.with_sources(list),
            Err(e) => tracing::warn!("imported kubeconfig files are not loaded: {e}"),
        }
        Self {
            kubeconfig,
            watch: Mutex::new(None),
            connections: ConnectionManager::new(CONNECT_TIMEOUT),
            trust: Mutex::new(ExecTrust::open_default()),
            started,
            painted: AtomicBool::new(false),
            tasks: loupe_core::tasks::TaskSet::default(),
            log_views: loupe_core::logs::session::LogViews::default(),
        }
    }
}

impl AppState {
    /// The approved exec plugins, as a snapshot (no lock is held across awaits).
    fn trust_snapshot(&self) -> Option<ExecTrust> {
        self.trust
            .lock()
            .ok()
            .and_then(|t| t.as_ref().ok().cloned())
    }

    /// Whether `context`'s exec credential plugin (if any) was approved, so a second client of
    /// it (e.g. one that impersonates) may run the plugin too.
    pub(crate) fn exec_allowed(
        &self,
        kc: &loupe_core::kubeconfig::Kubeconfig,
        context: &str,
    ) -> bool {
        let trust = self.trust_snapshot();
        trust.is_some_and(|t| {
            loupe_core::cluster::exec_of(kc, context).is_some_and(|(c, a)| t.is_trusted(&c, &a))
        })
    }

    /// The client of `context`, connecting on first use.
    pub(crate) async fn client(
        &self,
        context: &str,
    ) -> Result<loupe_core::cluster::ContextClient, UiError> {
        let kc = self.kubeconfig.load();
        let trust = self.trust_snapshot();
        Ok(self
            .connections
            .context_client(&kc, context, trust.as_ref())
            .await?)
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
    watch_with(&state, channel)
}

fn watch_with(state: &AppState, channel: Channel<KubeconfigOverview>) -> Result<(), UiError> {
    let sender = channel.clone();
    let watch = state.kubeconfig.watch(move |overview| {
        if let Err(e) = sender.send(overview) {
            tracing::debug!("kubeconfig channel closed: {e}");
        }
    })?;
    if let Ok(mut slot) = state.watch.lock() {
        *slot = Some((watch, channel));
    }
    Ok(())
}

/// Watches the chain again (it changed) with the UI's existing channel.
fn rewatch(state: &AppState) -> Result<(), UiError> {
    let channel = state
        .watch
        .lock()
        .ok()
        .and_then(|slot| slot.as_ref().map(|(_, c)| c.clone()));
    match channel {
        Some(c) => watch_with(state, c),
        None => Ok(()),
    }
}

/// Adds a kubeconfig file to Loupe's chain by reference and returns the new overview.
#[tauri::command]
pub fn import_kubeconfig(
    state: State<'_, AppState>,
    path: String,
) -> Result<KubeconfigOverview, UiError> {
    state.kubeconfig.import(std::path::Path::new(&path))?;
    rewatch(&state)?;
    Ok(state.kubeconfig.overview())
}

/// Removes an imported kubeconfig file from Loupe's chain (the file stays on disk).
#[tauri::command]
pub fn remove_kubeconfig_source(
    state: State<'_, AppState>,
    path: String,
) -> Result<KubeconfigOverview, UiError> {
    state
        .kubeconfig
        .remove_source(std::path::Path::new(&path))?;
    rewatch(&state)?;
    Ok(state.kubeconfig.overview())
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

/// Connects to `context` (or returns the live connection's status). `retry` drops a previous
/// connection first. Exec credential plugins are not run until exec approval exists.
#[tauri::command]
pub async fn connect_context(
    state: State<'_, AppState>,
    context: String,
    retry: bool,
) -> Result<ConnectionStatus, UiError> {
    if retry {
        state.connections.disconnect(&context).await;
    }
    let kc = state.kubeconfig.load();
    // A snapshot, so the lock is not held across the connection attempt.
    let trust = state.trust_snapshot();
    Ok(match trust {
        Some(t) => state.connections.status_trusted(&kc, &context, &t).await,
        None => state.connections.status(&kc, &context, false).await,
    })
}

/// Approves the exec credential plugin of `context` (its exact command and arguments, stored
/// in Loupe's settings) and connects with it.
#[tauri::command]
pub async fn approve_exec_plugin(
    state: State<'_, AppState>,
    context: String,
) -> Result<ConnectionStatus, UiError> {
    let kc = state.kubeconfig.load();
    // The store is cloned out and written back so the lock is not held across the connection.
    let mut trust = state
        .trust
        .lock()
        .map_err(|_| {
            UiError::new(
                loupe_model::ErrorKind::Internal,
                "exec trust store lock poisoned",
            )
        })?
        .as_ref()
        .map_err(|e| e.diagnose())?
        .clone();
    let status = state
        .connections
        .approve_and_connect(&kc, &context, &mut trust)
        .await?;
    if let Ok(mut slot) = state.trust.lock() {
        *slot = Ok(trust);
    }
    Ok(status)
}

/// Changes the kubeconfig files as the equivalent kubectl command would (same files, locks,
/// messages), keeping comments and unknown fields.
#[tauri::command]
pub fn edit_kubeconfig(
    state: State<'_, AppState>,
    request: EditRequest,
) -> Result<EditResult, UiError> {
    Ok(state.kubeconfig.apply(&request)?)
}

/// One secret of a user entry, shown because the user clicked "reveal" (never logged).
#[tauri::command]
pub fn reveal_secret(
    state: State<'_, AppState>,
    user: String,
    field: SecretField,
) -> Result<String, UiError> {
    Ok(state.kubeconfig.reveal(&user, field)?)
}

/// The page is (re)loading: the watches and log views the previous page started have no one
/// to report to, so they stop.
pub fn page_loading(state: &AppState) {
    state.tasks.stop_all();
    state.log_views.close_all();
}

/// Stops a watch or closes a log view the UI started.
#[tauri::command]
pub fn stop_watch(state: State<'_, AppState>, watch_id: u64) -> bool {
    // Both: ids come from one counter in the UI, so at most one of them knows the id.
    state.tasks.stop(watch_id) | state.log_views.close(watch_id)
}
