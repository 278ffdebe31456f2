//! Commands of the log views: the container picker, pod and workload log streams.

use crate::commands::AppState;
use loupe_core::logs;
use loupe_model::UiError;
use loupe_model::logs::{
    LogJump, LogLook, LogRequest, LogStatus, LogText, LogWindow, LogWindowRequest, PodContainers,
    WorkloadLogRequest,
};
use tauri::State;
use tauri::ipc::Channel;

/// A pod's containers with their states and kubectl's default.
#[tauri::command]
pub async fn pod_containers(
    state: State<'_, AppState>,
    context: String,
    namespace: String,
    pod: String,
) -> Result<PodContainers, UiError> {
    let cc = state.client(&context).await?;
    Ok(logs::containers(&cc, &namespace, &pod).await?)
}

/// Opens log view `stream_id` of one container, keeping `ring` lines; its status goes over
/// `channel` until [`crate::commands::stop_watch`]`(stream_id)`.
#[tauri::command]
pub async fn stream_logs(
    state: State<'_, AppState>,
    context: String,
    stream_id: u64,
    request: LogRequest,
    ring: usize,
    channel: Channel<LogStatus>,
) -> Result<(), UiError> {
    let cc = state.client(&context).await?;
    open(&state, stream_id, logs::stream(&cc, request), ring, channel);
    Ok(())
}

/// Opens log view `stream_id` of every pod of a workload, merged in time order, as
/// [`stream_logs`].
#[tauri::command]
pub async fn stream_workload_logs(
    state: State<'_, AppState>,
    context: String,
    stream_id: u64,
    request: WorkloadLogRequest,
    ring: usize,
    channel: Channel<LogStatus>,
) -> Result<(), UiError> {
    let cc = state.client(&context).await?;
    open(
        &state,
        stream_id,
        logs::workload_stream(&cc, request),
        ring,
        channel,
    );
    Ok(())
}

/// The backend keeps the view's lines; the page gets status ticks and asks for its rows. (The
/// commands that read a view are `async` so they run on the async runtime, not on the main
/// thread that also drives the webview.)
fn open(
    state: &AppState,
    stream_id: u64,
    stream: logs::LogStream,
    ring: usize,
    channel: Channel<LogStatus>,
) {
    state
        .log_views
        .open(stream_id, stream, ring, move |status| {
            channel.send(status).is_ok()
        });
}

/// The rows of log view `stream_id` that the UI draws.
#[tauri::command]
pub async fn log_window(
    state: State<'_, AppState>,
    stream_id: u64,
    request: LogWindowRequest,
) -> Result<LogWindow, UiError> {
    Ok(state.log_views.get(stream_id)?.window(&request))
}

/// The next (`forward`) or previous search match of log view `stream_id` after the line with
/// seq `from`.
#[tauri::command]
pub async fn log_jump(
    state: State<'_, AppState>,
    stream_id: u64,
    look: LogLook,
    from: Option<u64>,
    forward: bool,
) -> Result<Option<LogJump>, UiError> {
    Ok(state.log_views.get(stream_id)?.jump(&look, from, forward))
}

/// The shown lines of log view `stream_id` as text (Copy).
#[tauri::command]
pub async fn log_text(
    state: State<'_, AppState>,
    stream_id: u64,
    look: LogLook,
    timestamps: bool,
) -> Result<LogText, UiError> {
    Ok(state.log_views.get(stream_id)?.text(&look, timestamps))
}

/// Log view `stream_id` keeps `capacity` lines from now on.
#[tauri::command]
pub async fn log_capacity(
    state: State<'_, AppState>,
    stream_id: u64,
    capacity: usize,
) -> Result<(), UiError> {
    state.log_views.get(stream_id)?.set_capacity(capacity);
    Ok(())
}

/// Saves the whole log of `request` (not just what the view keeps) to the Downloads folder and
/// returns the file's path.
#[tauri::command]
pub async fn download_logs(
    state: State<'_, AppState>,
    context: String,
    request: LogRequest,
) -> Result<String, UiError> {
    let cc = state.client(&context).await?;
    let (path, _) = logs::download_to_default(&cc, &request).await?;
    Ok(path.display().to_string())
}
