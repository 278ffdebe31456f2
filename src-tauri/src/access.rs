//! Commands of the access (RBAC) view: who am I, the access matrix (own or another subject's),
//! why a cell is what it is, who can, the RBAC objects, and exporting a matrix.

use crate::commands::AppState;
use loupe_core::rbac::{self, RbacCache, subject};
use loupe_model::UiError;
use loupe_model::rbac::{
    AccessMatrix, Action, CheckedDecision, ExportFormat, Identity, RbacBrowse, SubjectMatrix,
    SubjectMatrixRequest, SubjectRef, WhoCan,
};
use tauri::State;

/// The access view's per-context cache of RBAC objects, identity and API catalog.
#[derive(Default)]
pub struct AccessState {
    /// Also used by the change actions' permission hints.
    pub(crate) cache: RbacCache,
}

/// The identity the API server sees for `context`, and how the kubeconfig establishes it.
#[tauri::command]
pub async fn whoami(
    state: State<'_, AppState>,
    access: State<'_, AccessState>,
    context: String,
) -> Result<Identity, UiError> {
    let cc = state.client(&context).await?;
    let kc = state.kubeconfig.load();
    Ok((*access.cache.identity(&cc, &kc).await?).clone())
}

/// A subject's access matrix (the caller's own when `request.subject` is `None`) for the
/// namespaces and the cluster scope, and the method used.
#[tauri::command]
pub async fn access_matrix(
    state: State<'_, AppState>,
    access: State<'_, AccessState>,
    context: String,
    request: SubjectMatrixRequest,
) -> Result<SubjectMatrix, UiError> {
    let cc = state.client(&context).await?;
    let kc = state.kubeconfig.load();
    let allow_exec = state.exec_allowed(&kc, &context);
    Ok(subject::subject_matrix(&access.cache, &cc, &kc, allow_exec, &request).await?)
}

/// Why `subject` (the caller when `None`) may or may not do `action`: the granting chains from
/// a local RBAC evaluation, checked against the API server's own answer.
#[tauri::command]
pub async fn explain_access(
    state: State<'_, AppState>,
    access: State<'_, AccessState>,
    context: String,
    action: Action,
    subject: Option<SubjectRef>,
) -> Result<CheckedDecision, UiError> {
    let cc = state.client(&context).await?;
    let (snapshot, _) = access.cache.snapshot(&cc).await?;
    let (attributes, as_self) = match &subject {
        None => {
            let kc = state.kubeconfig.load();
            (
                access.cache.identity(&cc, &kc).await?.attributes(action),
                true,
            )
        }
        Some(s) => {
            let (user, groups) = subject::subject_user(s);
            (
                loupe_model::rbac::Attributes {
                    user,
                    groups,
                    action,
                },
                false,
            )
        }
    };
    Ok(rbac::explain(&cc, &snapshot, &attributes, as_self).await?)
}

/// Every subject that may do `verb` on `resource` in `namespace` (cluster-wide when `None`).
#[tauri::command]
pub async fn who_can(
    state: State<'_, AppState>,
    access: State<'_, AccessState>,
    context: String,
    verb: String,
    resource: String,
    namespace: Option<String>,
    name: Option<String>,
) -> Result<WhoCan, UiError> {
    let cc = state.client(&context).await?;
    Ok(subject::who_can(
        &access.cache,
        &cc,
        &verb,
        &resource,
        namespace.as_deref(),
        name.as_deref(),
    )
    .await?)
}

/// The RBAC objects as lists and as a subject → binding → role graph.
#[tauri::command]
pub async fn rbac_browse(
    state: State<'_, AppState>,
    access: State<'_, AccessState>,
    context: String,
) -> Result<RbacBrowse, UiError> {
    let cc = state.client(&context).await?;
    Ok(subject::browse(&access.cache, &cc).await?)
}

/// Forgets the cached RBAC objects, identity and catalog of `context` (the Refresh button).
#[tauri::command]
pub fn refresh_access(access: State<'_, AccessState>, context: String) {
    access.cache.invalidate(&context);
}

/// Writes `matrix` as CSV or JSON (mode 0600) to the Downloads folder; returns the path.
#[tauri::command]
pub fn export_access_matrix(
    context: String,
    label: String,
    matrix: AccessMatrix,
    format: ExportFormat,
) -> Result<String, UiError> {
    let path = subject::export_matrix(&matrix, format, &context, &label, None)?;
    Ok(path.display().to_string())
}
