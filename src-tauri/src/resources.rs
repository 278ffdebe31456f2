//! Commands of the resource browser: discovery, namespaces, watched tables, one object's YAML.

use crate::commands::AppState;
use loupe_core::resources;
use loupe_model::UiError;
use loupe_model::resources::ApiDiscovery;
use loupe_model::resources::ApiResource;
use tauri::State;

/// Every kind the context's API server serves (CRDs included), with Lens's sidebar groups.
#[tauri::command]
pub async fn discover_resources(
    state: State<'_, AppState>,
    context: String,
) -> Result<ApiDiscovery, UiError> {
    let cc = state.client(&context).await?;
    Ok(resources::discover(&cc).await?)
}

/// One object as `kubectl get -o yaml` prints it.
#[tauri::command]
pub async fn object_yaml(
    state: State<'_, AppState>,
    context: String,
    resource: ApiResource,
    namespace: Option<String>,
    name: String,
) -> Result<String, UiError> {
    let cc = state.client(&context).await?;
    let object = resources::get_object(&cc, &resource, namespace.as_deref(), &name).await?;
    Ok(resources::print::yaml_text(&object))
}

/// Stops a watch or stream the UI started.
#[tauri::command]
pub fn stop_watch(state: State<'_, AppState>, watch_id: u64) -> bool {
    state.tasks.stop(watch_id)
}
