//! Commands of the log views: the container picker, pod and workload log streams.

use crate::commands::AppState;
use loupe_core::logs;
use loupe_core::tasks::Pacing;
use loupe_model::UiError;
use loupe_model::logs::{LogRequest, PodContainers, WorkloadLogRequest};
use tauri::State;
use tauri::ipc::{Channel, InvokeResponseBody};

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

/// Streams one container's log over `channel` until [`crate::commands::stop_watch`]`(stream_id)`,
/// paced by the view's [`ack_logs`]; `ring` is how many lines the view keeps.
#[tauri::command]
pub async fn stream_logs(
    state: State<'_, AppState>,
    context: String,
    stream_id: u64,
    request: LogRequest,
    ring: usize,
    channel: Channel<InvokeResponseBody>,
) -> Result<(), UiError> {
    let cc = state.client(&context).await?;
    forward(&state, stream_id, logs::stream(&cc, request), ring, channel);
    Ok(())
}

/// Streams every pod of a workload, merged in time order, over `channel`, paced by the view's
/// [`ack_logs`]; `ring` is how many lines the view keeps.
#[tauri::command]
pub async fn stream_workload_logs(
    state: State<'_, AppState>,
    context: String,
    stream_id: u64,
    request: WorkloadLogRequest,
    ring: usize,
    channel: Channel<InvokeResponseBody>,
) -> Result<(), UiError> {
    let cc = state.client(&context).await?;
    forward(
        &state,
        stream_id,
        logs::workload_stream(&cc, request),
        ring,
        channel,
    );
    Ok(())
}

/// Sends a log stream's batches to the view, paced by its acks, as packed bytes
/// ([`loupe_model::logs::LogBatch::to_wire`], one `ArrayBuffer` each in the page). While the view is behind,
/// the stream is read on and folded into one pending batch that keeps the newest `ring` lines
/// (the view's ring size: it would drop older ones anyway). A send fails once the view is
/// gone; that ends the job.
fn forward(
    state: &AppState,
    stream_id: u64,
    stream: logs::LogStream,
    ring: usize,
    channel: Channel<InvokeResponseBody>,
) {
    state.tasks.forward_coalesced(
        stream_id,
        stream,
        Pacing::LOGS,
        move |pending, next| pending.coalesce(next, ring),
        move |batch| {
            channel
                .send(InvokeResponseBody::Raw(batch.to_wire()))
                .is_ok()
        },
    );
}

/// The view has processed `processed` batches of stream `stream_id` in all; returns whether
/// the stream is still running.
#[tauri::command]
pub fn ack_logs(state: State<'_, AppState>, stream_id: u64, processed: u64) -> bool {
    state.tasks.ack(stream_id, processed)
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
