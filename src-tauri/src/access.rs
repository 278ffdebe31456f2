//! Commands of the access (RBAC) view: who am I, the access matrix, and why a cell is what it is.

use crate::commands::AppState;
use loupe_core::rbac;
use loupe_model::UiError;
use loupe_model::rbac::{AccessMatrix, Action, CheckedDecision, Identity, MatrixRequest};
use tauri::State;

/// The identity the API server sees for `context`, and how the kubeconfig establishes it.
#[tauri::command]
pub async fn whoami(state: State<'_, AppState>, context: String) -> Result<Identity, UiError> {
    let cc = state.client(&context).await?;
    let kc = state.kubeconfig.load();
    Ok(rbac::whoami(&cc, &kc).await?)
}

/// What the user of `context` may do: resources x verbs for the namespaces and the cluster scope.
#[tauri::command]
pub async fn access_matrix(
    state: State<'_, AppState>,
    context: String,
    namespaces: Vec<String>,
) -> Result<AccessMatrix, UiError> {
    let cc = state.client(&context).await?;
    let request = MatrixRequest {
        namespaces,
        ..MatrixRequest::default()
    };
    Ok(rbac::matrix(&cc, &request).await?)
}

/// Why the user of `context` may (or may not) do `action`: the granting chains from a local RBAC
/// evaluation, checked against the API server's own answer.
#[tauri::command]
pub async fn explain_access(
    state: State<'_, AppState>,
    context: String,
    action: Action,
) -> Result<CheckedDecision, UiError> {
    let cc = state.client(&context).await?;
    let kc = state.kubeconfig.load();
    let identity = rbac::whoami(&cc, &kc).await?;
    let snapshot = rbac::RbacSnapshot::load(&cc).await?;
    Ok(rbac::explain(&cc, &snapshot, &identity.attributes(action), true).await?)
}
