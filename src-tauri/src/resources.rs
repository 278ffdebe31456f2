//! Commands of the resource browser: discovery, namespaces, watched tables, one object's YAML.

use crate::commands::AppState;
use loupe_core::resources;
use loupe_model::UiError;
use loupe_model::resources::{
    ApiDiscovery, ApiResource, ListOptions, NamespaceScope, ObjectDetail, TableDelta,
    VisibleNamespaces,
};
use tauri::State;
use tauri::ipc::Channel;

/// Every kind the context's API server serves (CRDs included), with Lens's sidebar groups.
#[tauri::command]
pub async fn discover_resources(
    state: State<'_, AppState>,
    context: String,
) -> Result<ApiDiscovery, UiError> {
    let cc = state.client(&context).await?;
    Ok(resources::discover(&cc).await?)
}

/// One object for the detail panel: a readable summary and `kubectl get -o yaml` (managedFields
/// folded unless asked for).
#[tauri::command]
pub async fn object_detail(
    state: State<'_, AppState>,
    context: String,
    resource: ApiResource,
    namespace: Option<String>,
    name: String,
    managed_fields: Option<bool>,
) -> Result<ObjectDetail, UiError> {
    let cc = state.client(&context).await?;
    let object = resources::get_object(&cc, &resource, namespace.as_deref(), &name).await?;
    Ok(ObjectDetail {
        summary: resources::view::summary(&object),
        yaml: resources::view::object_yaml(object, managed_fields.unwrap_or(false)),
    })
}

/// The namespaces the user can pick; when listing them is forbidden, the context's namespace,
/// flagged so the UI can say so.
#[tauri::command]
pub async fn visible_namespaces(
    state: State<'_, AppState>,
    context: String,
) -> Result<VisibleNamespaces, UiError> {
    let cc = state.client(&context).await?;
    // The client already carries the context's namespace (`default` when it names none).
    let ns = cc.client.default_namespace().to_string();
    Ok(resources::namespaces::visible_namespaces(&cc, Some(&ns), &[]).await?)
}

/// Watches `resource` in `scope` and sends batched deltas over `channel` until
/// [`crate::commands::stop_watch`]`(watch_id)` or the page goes away.
#[tauri::command]
pub async fn watch_table(
    state: State<'_, AppState>,
    context: String,
    watch_id: u64,
    resource: ApiResource,
    scope: NamespaceScope,
    options: ListOptions,
    channel: Channel<TableDelta>,
) -> Result<(), UiError> {
    let cc = state.client(&context).await?;
    let watch = resources::watch::watch_table(
        cc,
        resource,
        scope,
        resources::watch::WatchOptions {
            list: options,
            ..Default::default()
        },
    );
    // A send fails once the page is gone; that ends the job.
    state
        .tasks
        .forward(watch_id, watch, move |delta| channel.send(delta).is_ok());
    Ok(())
}
