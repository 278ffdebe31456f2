//! Commands that change objects (edit, create, delete, scale, restart), the permission checks
//! that gate them, owned objects, and the local action log. Every change is recorded in the log
//! (command and outcome, never the YAML).

use crate::commands::AppState;
use loupe_core::CoreError;
use loupe_core::resources::change::log::{ActionLog, Record};
use loupe_core::resources::change::{self, permissions};
use loupe_model::UiError;
use loupe_model::changes::{
    ActionLogEntry, ActionPermissions, ChangeOutcome, ChangeVerb, DryRun, ObjectRef, Permission,
};
use loupe_model::resources::ApiResource;
use tauri::State;

/// Records `outcome` in the action log. A log that cannot be written is reported in the app's
/// log only: the change itself happened (or failed) either way.
fn record<T>(
    context: &str,
    verb: ChangeVerb,
    object: &str,
    kubectl: &str,
    dry_run: bool,
    outcome: &Result<T, CoreError>,
    message: impl FnOnce(&T) -> String,
) {
    let what = Record {
        context,
        verb,
        object,
        kubectl,
        dry_run,
    };
    let written = ActionLog::open_default().and_then(|log| log.record(&what, outcome, message));
    if let Err(e) = written {
        tracing::warn!("action log: {e}");
    }
}

/// Server-side dry run of replacing `target` with `yaml`: the diff against the live object.
#[tauri::command]
pub async fn dry_run_edit(
    state: State<'_, AppState>,
    context: String,
    target: ObjectRef,
    yaml: String,
) -> Result<DryRun, UiError> {
    let cc = state.client(&context).await?;
    let r = change::edit_dry_run(&cc, &target, &yaml).await;
    record(
        &context,
        ChangeVerb::Edit,
        &target.kubectl_args(),
        &change::replace_command(&cc, true),
        true,
        &r,
        |d| {
            if d.changed {
                "dry run: changes shown".into()
            } else {
                "dry run: no change".into()
            }
        },
    );
    Ok(r?)
}

/// Replaces `target` with `yaml`.
#[tauri::command]
pub async fn apply_edit(
    state: State<'_, AppState>,
    context: String,
    target: ObjectRef,
    yaml: String,
) -> Result<ChangeOutcome, UiError> {
    let cc = state.client(&context).await?;
    let r = change::apply_edit(&cc, &target, &yaml).await;
    record(
        &context,
        ChangeVerb::Edit,
        &target.kubectl_args(),
        &change::replace_command(&cc, false),
        false,
        &r,
        |o| o.message.clone(),
    );
    Ok(r?)
}

/// Server-side dry run of creating the object in `yaml` (in `namespace` when it names none).
#[tauri::command]
pub async fn dry_run_create(
    state: State<'_, AppState>,
    context: String,
    yaml: String,
    namespace: String,
) -> Result<(ObjectRef, DryRun), UiError> {
    let cc = state.client(&context).await?;
    let d = loupe_core::resources::discover(&cc).await?;
    let r = change::create_dry_run(&cc, &d, &yaml, &namespace).await;
    let object = match &r {
        Ok((t, _)) => t.kubectl_args(),
        Err(_) => format!("(new object) -n {namespace}"),
    };
    record(
        &context,
        ChangeVerb::Create,
        &object,
        &change::create_command(&cc, Some(&namespace), true),
        true,
        &r,
        |_| "dry run: accepted".into(),
    );
    Ok(r?)
}

/// Creates the object in `yaml`.
#[tauri::command]
pub async fn create_object(
    state: State<'_, AppState>,
    context: String,
    yaml: String,
    namespace: String,
) -> Result<ChangeOutcome, UiError> {
    let cc = state.client(&context).await?;
    let d = loupe_core::resources::discover(&cc).await?;
    let r = change::create(&cc, &d, &yaml, &namespace).await;
    let object = match &r {
        Ok(o) => o.object.clone(),
        Err(_) => format!("(new object) -n {namespace}"),
    };
    let kubectl = match &r {
        Ok(o) => o.kubectl.clone(),
        Err(_) => change::create_command(&cc, Some(&namespace), false),
    };
    record(
        &context,
        ChangeVerb::Create,
        &object,
        &kubectl,
        false,
        &r,
        |o| o.message.clone(),
    );
    Ok(r?)
}

/// Deletes `target` (background propagation).
#[tauri::command]
pub async fn delete_object(
    state: State<'_, AppState>,
    context: String,
    target: ObjectRef,
) -> Result<ChangeOutcome, UiError> {
    let cc = state.client(&context).await?;
    let r = change::delete(&cc, &target).await;
    record(
        &context,
        ChangeVerb::Delete,
        &target.kubectl_args(),
        &change::delete_command(&cc, &target),
        false,
        &r,
        |o| o.message.clone(),
    );
    Ok(r?)
}

/// Sets `target`'s replicas through its scale subresource.
#[tauri::command]
pub async fn scale_object(
    state: State<'_, AppState>,
    context: String,
    target: ObjectRef,
    replicas: i32,
) -> Result<ChangeOutcome, UiError> {
    let cc = state.client(&context).await?;
    let r = change::scale(&cc, &target, replicas).await;
    record(
        &context,
        ChangeVerb::Scale,
        &target.kubectl_args(),
        &change::scale_command(&cc, &target, replicas),
        false,
        &r,
        |o| o.message.clone(),
    );
    Ok(r?)
}

/// `kubectl rollout restart` of `target`.
#[tauri::command]
pub async fn restart_object(
    state: State<'_, AppState>,
    context: String,
    target: ObjectRef,
) -> Result<ChangeOutcome, UiError> {
    let cc = state.client(&context).await?;
    let r = change::restart(&cc, &target).await;
    record(
        &context,
        ChangeVerb::Restart,
        &target.kubectl_args(),
        &change::restart_command(&cc, &target),
        false,
        &r,
        |o| o.message.clone(),
    );
    Ok(r?)
}

/// The actions the user may run on `target`; with an empty name, only whether they may create
/// objects of its kind in its namespace.
#[tauri::command]
pub async fn action_permissions(
    state: State<'_, AppState>,
    access: State<'_, crate::access::AccessState>,
    context: String,
    target: ObjectRef,
) -> Result<ActionPermissions, UiError> {
    let cc = state.client(&context).await?;
    if target.name.is_empty() {
        let p = permissions::create_permission(
            &cc,
            &access.cache,
            &target.resource,
            target.namespace.as_deref(),
        )
        .await?;
        return Ok(ActionPermissions {
            actions: vec![(ChangeVerb::Create, p)],
        });
    }
    Ok(permissions::object_permissions(
        &cc,
        &access.cache,
        &target.resource,
        target.namespace.as_deref(),
        &target.name,
    )
    .await?)
}

/// The last `limit` entries of the action log, newest first.
#[tauri::command]
pub async fn action_log(limit: usize) -> Result<Vec<ActionLogEntry>, UiError> {
    Ok(ActionLog::open_default()?.recent(limit)?)
}

/// Objects that `target` (with `uid`) owns, with their uids.
#[tauri::command]
pub async fn owned_objects(
    state: State<'_, AppState>,
    context: String,
    target: ObjectRef,
    uid: String,
) -> Result<Vec<(ObjectRef, String)>, UiError> {
    let cc = state.client(&context).await?;
    let d = loupe_core::resources::discover(&cc).await?;
    Ok(change::owned_objects(&cc, &d, &target, &uid).await?)
}

/// The kinds among `resources` the user may not list (in `namespace`), with the reason.
#[tauri::command]
pub async fn list_permissions(
    state: State<'_, AppState>,
    context: String,
    resources: Vec<ApiResource>,
    namespace: Option<String>,
) -> Result<Vec<(String, Permission)>, UiError> {
    let cc = state.client(&context).await?;
    Ok(permissions::list_denied(&cc, &resources, namespace.as_deref()).await?)
}
