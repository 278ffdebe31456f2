//! The one typed door to the backend: Tauri `invoke` and Channels, with model types in and out.
//!
//! Binds only the public `window.__TAURI__` API (`withGlobalTauri`), never Tauri's internals.

use loupe_model::logs::{
    LogJump, LogLook, LogRequest, LogStatus, LogText, LogWindow, LogWindowRequest, PodContainers,
    WorkloadLogRequest,
};
use loupe_model::rbac::{
    AccessMatrix, Action, CheckedDecision, ExportFormat, Identity, RbacBrowse, SubjectMatrix,
    SubjectMatrixRequest, SubjectRef, WhoCan,
};
use loupe_model::resources::{
    ApiDiscovery, ApiResource, ListOptions, NamespaceScope, ObjectDetail, TableDelta,
    VisibleNamespaces,
};
use loupe_model::{
    ConnectionStatus, EditRequest, EditResult, ErrorKind, KubeconfigOverview, SecretField, UiError,
    commands,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["window", "__TAURI__", "core"], js_name = invoke)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    /// Tauri's JS `Channel`: an ordered stream of messages from a backend command.
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"])]
    type Channel;

    #[wasm_bindgen(constructor, js_namespace = ["window", "__TAURI__", "core"])]
    fn new() -> Channel;

    #[wasm_bindgen(method, setter)]
    fn set_onmessage(this: &Channel, f: &Closure<dyn FnMut(JsValue)>);
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, UiError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| UiError::new(ErrorKind::Internal, format!("cannot encode request: {e}")))
}

fn from_js<T: DeserializeOwned>(v: JsValue) -> Result<T, UiError> {
    serde_wasm_bindgen::from_value(v)
        .map_err(|e| UiError::new(ErrorKind::Internal, format!("unexpected reply: {e}")))
}

/// Backend errors arrive as a serialised [`UiError`]; anything else (Tauri's own failures) is
/// wrapped so callers only ever see one error type.
fn to_ui_error(e: JsValue) -> UiError {
    serde_wasm_bindgen::from_value::<UiError>(e.clone()).unwrap_or_else(|_| {
        UiError::new(
            ErrorKind::Internal,
            e.as_string().unwrap_or_else(|| format!("{e:?}")),
        )
    })
}

async fn call<A: Serialize, R: DeserializeOwned>(cmd: &str, args: &A) -> Result<R, UiError> {
    let reply = tauri_invoke(cmd, to_js(args)?).await.map_err(to_ui_error)?;
    from_js(reply)
}

#[derive(Serialize)]
struct NoArgs {}

#[derive(Serialize)]
struct ChannelArgs {
    #[serde(with = "serde_wasm_bindgen::preserve")]
    channel: JsValue,
}

/// A Tauri Channel whose messages are decoded as `T` and handed to `on_message`.
///
/// The handler closure is left to the page (one per subscription, a few hundred bytes): the
/// backend stops sending when its job stops, and Tauri keeps calling `onmessage` until then.
fn open_channel<T: DeserializeOwned + 'static>(
    mut on_message: impl FnMut(Result<T, UiError>) + 'static,
) -> JsValue {
    let channel = Channel::new();
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |v| on_message(from_js(v)));
    channel.set_onmessage(&handler);
    handler.forget();
    channel.into()
}

/// Asks the backend command `cmd` to feed a Channel for the life of the page.
async fn subscribe<T: DeserializeOwned + 'static>(
    cmd: &str,
    on_message: impl FnMut(Result<T, UiError>) + 'static,
) -> Result<(), UiError> {
    let args = ChannelArgs {
        channel: open_channel(on_message),
    };
    tauri_invoke(cmd, to_js(&args)?)
        .await
        .map_err(to_ui_error)?;
    Ok(())
}

/// The merged kubeconfig chain.
pub async fn kubeconfig_overview() -> Result<KubeconfigOverview, UiError> {
    call(commands::KUBECONFIG_OVERVIEW, &NoArgs {}).await
}

/// Live updates of the kubeconfig chain, whenever a file changes on disk.
pub async fn watch_kubeconfig(
    on_change: impl FnMut(Result<KubeconfigOverview, UiError>) + 'static,
) -> Result<(), UiError> {
    subscribe(commands::WATCH_KUBECONFIG, on_change).await
}

/// Reports that the first context list is on screen (for start-up timing).
pub async fn startup_painted() -> Result<(), UiError> {
    call(commands::STARTUP_PAINTED, &NoArgs {}).await
}

#[derive(Serialize)]
struct ConnectArgs<'a> {
    context: &'a str,
    retry: bool,
}

/// Connects to a context, or returns the status of its live connection.
pub async fn connect_context(context: &str, retry: bool) -> Result<ConnectionStatus, UiError> {
    call(commands::CONNECT_CONTEXT, &ConnectArgs { context, retry }).await
}

#[derive(Serialize)]
struct EditArgs<'a> {
    request: &'a EditRequest,
}

/// Changes the kubeconfig files as the equivalent kubectl command would.
pub async fn edit_kubeconfig(request: &EditRequest) -> Result<EditResult, UiError> {
    call(commands::EDIT_KUBECONFIG, &EditArgs { request }).await
}

#[derive(Serialize)]
struct ContextArgs<'a> {
    context: &'a str,
}

/// Approves a context's exec credential plugin (exact command and arguments) and connects.
pub async fn approve_exec_plugin(context: &str) -> Result<ConnectionStatus, UiError> {
    call(commands::APPROVE_EXEC_PLUGIN, &ContextArgs { context }).await
}

#[derive(Serialize)]
struct PathArgs<'a> {
    path: &'a str,
}

/// Imports a kubeconfig file into Loupe's chain (by reference) and returns the new overview.
pub async fn import_kubeconfig(path: &str) -> Result<KubeconfigOverview, UiError> {
    call(commands::IMPORT_KUBECONFIG, &PathArgs { path }).await
}

/// Removes an imported kubeconfig file from the chain (the file stays) and returns the overview.
pub async fn remove_kubeconfig_source(path: &str) -> Result<KubeconfigOverview, UiError> {
    call(commands::REMOVE_KUBECONFIG_SOURCE, &PathArgs { path }).await
}

#[derive(Serialize)]
struct RevealArgs<'a> {
    user: &'a str,
    field: SecretField,
}

/// One secret of a user entry (the user asked to see it).
pub async fn reveal_secret(user: &str, field: SecretField) -> Result<String, UiError> {
    call(commands::REVEAL_SECRET, &RevealArgs { user, field }).await
}

#[derive(Serialize)]
struct ContextOnly<'a> {
    context: &'a str,
}

/// Every kind the context's API server serves.
pub async fn discover_resources(context: &str) -> Result<ApiDiscovery, UiError> {
    call(commands::DISCOVER_RESOURCES, &ContextOnly { context }).await
}

/// The namespaces the user can pick.
pub async fn visible_namespaces(context: &str) -> Result<VisibleNamespaces, UiError> {
    call(commands::VISIBLE_NAMESPACES, &ContextOnly { context }).await
}

thread_local! {
    static NEXT_WATCH_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
}

/// A watch id unique in this page (the backend stops a job when another starts with its id).
pub fn next_watch_id() -> u64 {
    NEXT_WATCH_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WatchArgs<'a> {
    context: &'a str,
    watch_id: u64,
    resource: &'a ApiResource,
    scope: &'a NamespaceScope,
    options: &'a ListOptions,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    channel: JsValue,
}

/// Watches `resource` as a table; `on_delta` gets every batch until [`stop_watch`]`(watch_id)`.
pub async fn watch_table(
    context: &str,
    watch_id: u64,
    resource: &ApiResource,
    scope: &NamespaceScope,
    options: &ListOptions,
    on_delta: impl FnMut(Result<TableDelta, UiError>) + 'static,
) -> Result<(), UiError> {
    let args = WatchArgs {
        context,
        watch_id,
        resource,
        scope,
        options,
        channel: open_channel(on_delta),
    };
    tauri_invoke(commands::WATCH_TABLE, to_js(&args)?)
        .await
        .map_err(to_ui_error)?;
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StopArgs {
    watch_id: u64,
}

/// Stops a watch or stream.
pub async fn stop_watch(watch_id: u64) -> Result<bool, UiError> {
    call(commands::STOP_WATCH, &StopArgs { watch_id }).await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectArgs<'a> {
    context: &'a str,
    resource: &'a ApiResource,
    namespace: Option<&'a str>,
    name: &'a str,
    managed_fields: bool,
}

/// One object's summary and `kubectl get -o yaml`.
pub async fn object_detail(
    context: &str,
    resource: &ApiResource,
    namespace: Option<&str>,
    name: &str,
    managed_fields: bool,
) -> Result<ObjectDetail, UiError> {
    call(
        commands::OBJECT_DETAIL,
        &ObjectArgs {
            context,
            resource,
            namespace,
            name,
            managed_fields,
        },
    )
    .await
}

/// The identity the API server sees for `context`.
pub async fn whoami(context: &str) -> Result<Identity, UiError> {
    call(commands::WHOAMI, &ContextOnly { context }).await
}

#[derive(Serialize)]
struct MatrixArgs<'a> {
    context: &'a str,
    request: &'a SubjectMatrixRequest,
}

/// A subject's matrix (the caller's own when `request.subject` is `None`), and how it was made.
pub async fn access_matrix(
    context: &str,
    request: &SubjectMatrixRequest,
) -> Result<SubjectMatrix, UiError> {
    call(commands::ACCESS_MATRIX, &MatrixArgs { context, request }).await
}

#[derive(Serialize)]
struct ExplainArgs<'a> {
    context: &'a str,
    action: &'a Action,
    subject: Option<&'a SubjectRef>,
}

/// Why `subject` (the caller when `None`) may or may not do `action`.
pub async fn explain_access(
    context: &str,
    action: &Action,
    subject: Option<&SubjectRef>,
) -> Result<CheckedDecision, UiError> {
    call(
        commands::EXPLAIN_ACCESS,
        &ExplainArgs {
            context,
            action,
            subject,
        },
    )
    .await
}

#[derive(Serialize)]
struct WhoCanArgs<'a> {
    context: &'a str,
    verb: &'a str,
    resource: &'a str,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
}

/// Every subject that may do `verb` on `resource` in `namespace` (cluster-wide when `None`).
pub async fn who_can(
    context: &str,
    verb: &str,
    resource: &str,
    namespace: Option<&str>,
    name: Option<&str>,
) -> Result<WhoCan, UiError> {
    call(
        commands::WHO_CAN,
        &WhoCanArgs {
            context,
            verb,
            resource,
            namespace,
            name,
        },
    )
    .await
}

/// The RBAC objects of `context` as lists and as a graph.
pub async fn rbac_browse(context: &str) -> Result<RbacBrowse, UiError> {
    call(commands::RBAC_BROWSE, &ContextOnly { context }).await
}

/// Forgets the cached RBAC objects and identity of `context`.
pub async fn refresh_access(context: &str) -> Result<(), UiError> {
    call(commands::REFRESH_ACCESS, &ContextOnly { context }).await
}

#[derive(Serialize)]
struct ExportArgs<'a> {
    context: &'a str,
    label: &'a str,
    matrix: &'a AccessMatrix,
    format: ExportFormat,
}

/// Saves `matrix` as CSV or JSON in the Downloads folder; returns the path.
pub async fn export_access_matrix(
    context: &str,
    label: &str,
    matrix: &AccessMatrix,
    format: ExportFormat,
) -> Result<String, UiError> {
    call(
        commands::EXPORT_ACCESS_MATRIX,
        &ExportArgs {
            context,
            label,
            matrix,
            format,
        },
    )
    .await
}

#[derive(Serialize)]
struct PodArgs<'a> {
    context: &'a str,
    namespace: &'a str,
    pod: &'a str,
}

/// A pod's containers and kubectl's default one.
pub async fn pod_containers(
    context: &str,
    namespace: &str,
    pod: &str,
) -> Result<PodContainers, UiError> {
    call(
        commands::POD_CONTAINERS,
        &PodArgs {
            context,
            namespace,
            pod,
        },
    )
    .await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StreamArgs<'a, R: Serialize> {
    context: &'a str,
    stream_id: u64,
    request: &'a R,
    ring: usize,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    channel: JsValue,
}

async fn stream<R: Serialize>(
    cmd: &str,
    context: &str,
    stream_id: u64,
    request: &R,
    ring: usize,
    on_status: impl FnMut(Result<LogStatus, UiError>) + 'static,
) -> Result<(), UiError> {
    let args = StreamArgs {
        context,
        stream_id,
        request,
        ring,
        channel: open_channel(on_status),
    };
    tauri_invoke(cmd, to_js(&args)?)
        .await
        .map_err(to_ui_error)?;
    Ok(())
}

/// Opens log view `stream_id` of one container until [`stop_watch`]`(stream_id)`: the backend
/// keeps its last `ring` lines and reports its status to `on_status` as it changes; the rows
/// to draw come from [`log_window`].
pub async fn stream_logs(
    context: &str,
    stream_id: u64,
    request: &LogRequest,
    ring: usize,
    on_status: impl FnMut(Result<LogStatus, UiError>) + 'static,
) -> Result<(), UiError> {
    stream(
        commands::STREAM_LOGS,
        context,
        stream_id,
        request,
        ring,
        on_status,
    )
    .await
}

/// Opens log view `stream_id` of every pod of a workload, merged, as [`stream_logs`].
pub async fn stream_workload_logs(
    context: &str,
    stream_id: u64,
    request: &WorkloadLogRequest,
    ring: usize,
    on_status: impl FnMut(Result<LogStatus, UiError>) + 'static,
) -> Result<(), UiError> {
    stream(
        commands::STREAM_WORKLOAD_LOGS,
        context,
        stream_id,
        request,
        ring,
        on_status,
    )
    .await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WindowArgs<'a> {
    stream_id: u64,
    request: &'a LogWindowRequest,
}

/// The rows of log view `stream_id` to draw.
pub async fn log_window(stream_id: u64, request: &LogWindowRequest) -> Result<LogWindow, UiError> {
    call(commands::LOG_WINDOW, &WindowArgs { stream_id, request }).await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JumpArgs<'a> {
    stream_id: u64,
    look: &'a LogLook,
    from: Option<u64>,
    forward: bool,
}

/// The next (`forward`) or previous search match of log view `stream_id` after line `from`.
pub async fn log_jump(
    stream_id: u64,
    look: &LogLook,
    from: Option<u64>,
    forward: bool,
) -> Result<Option<LogJump>, UiError> {
    call(
        commands::LOG_JUMP,
        &JumpArgs {
            stream_id,
            look,
            from,
            forward,
        },
    )
    .await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TextArgs<'a> {
    stream_id: u64,
    look: &'a LogLook,
    timestamps: bool,
}

/// The shown lines of log view `stream_id` as text (Copy).
pub async fn log_text(
    stream_id: u64,
    look: &LogLook,
    timestamps: bool,
) -> Result<LogText, UiError> {
    call(
        commands::LOG_TEXT,
        &TextArgs {
            stream_id,
            look,
            timestamps,
        },
    )
    .await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CapacityArgs {
    stream_id: u64,
    capacity: usize,
}

/// Log view `stream_id` keeps `capacity` lines from now on.
pub async fn log_capacity(stream_id: u64, capacity: usize) -> Result<(), UiError> {
    call(
        commands::LOG_CAPACITY,
        &CapacityArgs {
            stream_id,
            capacity,
        },
    )
    .await
}

#[derive(Serialize)]
struct DownloadArgs<'a> {
    context: &'a str,
    request: &'a LogRequest,
}

/// Saves a pod's whole log to the Downloads folder; returns the file's path.
pub async fn download_logs(context: &str, request: &LogRequest) -> Result<String, UiError> {
    call(commands::DOWNLOAD_LOGS, &DownloadArgs { context, request }).await
}

// ---------------------------------------------------------------------------------------------
// Changes: edit, create, delete, scale, restart; permissions; the action log.

use loupe_model::changes::{
    ActionLogEntry, ActionPermissions, ChangeOutcome, DryRun, ObjectRef, Permission,
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TargetArgs<'a> {
    context: &'a str,
    target: &'a ObjectRef,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TargetYamlArgs<'a> {
    context: &'a str,
    target: &'a ObjectRef,
    yaml: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateArgs<'a> {
    context: &'a str,
    yaml: &'a str,
    namespace: &'a str,
}

/// Server-side dry run of an edit; the diff against the live object.
pub async fn dry_run_edit(
    context: &str,
    target: &ObjectRef,
    yaml: &str,
) -> Result<DryRun, UiError> {
    call(
        commands::DRY_RUN_EDIT,
        &TargetYamlArgs {
            context,
            target,
            yaml,
        },
    )
    .await
}

/// Replaces the object with the edited YAML.
pub async fn apply_edit(
    context: &str,
    target: &ObjectRef,
    yaml: &str,
) -> Result<ChangeOutcome, UiError> {
    call(
        commands::APPLY_EDIT,
        &TargetYamlArgs {
            context,
            target,
            yaml,
        },
    )
    .await
}

/// Server-side dry run of a create.
pub async fn dry_run_create(
    context: &str,
    yaml: &str,
    namespace: &str,
) -> Result<(ObjectRef, DryRun), UiError> {
    call(
        commands::DRY_RUN_CREATE,
        &CreateArgs {
            context,
            yaml,
            namespace,
        },
    )
    .await
}

/// Creates the object in `yaml`.
pub async fn create_object(
    context: &str,
    yaml: &str,
    namespace: &str,
) -> Result<ChangeOutcome, UiError> {
    call(
        commands::CREATE_OBJECT,
        &CreateArgs {
            context,
            yaml,
            namespace,
        },
    )
    .await
}

/// Deletes the object.
pub async fn delete_object(context: &str, target: &ObjectRef) -> Result<ChangeOutcome, UiError> {
    call(commands::DELETE_OBJECT, &TargetArgs { context, target }).await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScaleArgs<'a> {
    context: &'a str,
    target: &'a ObjectRef,
    replicas: i32,
}

/// Sets the replicas.
pub async fn scale_object(
    context: &str,
    target: &ObjectRef,
    replicas: i32,
) -> Result<ChangeOutcome, UiError> {
    call(
        commands::SCALE_OBJECT,
        &ScaleArgs {
            context,
            target,
            replicas,
        },
    )
    .await
}

/// `kubectl rollout restart`.
pub async fn restart_object(context: &str, target: &ObjectRef) -> Result<ChangeOutcome, UiError> {
    call(commands::RESTART_OBJECT, &TargetArgs { context, target }).await
}

/// Which actions the user may run on the object (with an empty name: whether they may create).
pub async fn action_permissions(
    context: &str,
    target: &ObjectRef,
) -> Result<ActionPermissions, UiError> {
    call(
        commands::ACTION_PERMISSIONS,
        &TargetArgs { context, target },
    )
    .await
}

#[derive(Serialize)]
struct LimitArgs {
    limit: usize,
}

/// The action log, newest first.
pub async fn action_log(limit: usize) -> Result<Vec<ActionLogEntry>, UiError> {
    call(commands::ACTION_LOG, &LimitArgs { limit }).await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OwnedArgs<'a> {
    context: &'a str,
    target: &'a ObjectRef,
    uid: &'a str,
}

/// Objects the target owns, with their uids.
pub async fn owned_objects(
    context: &str,
    target: &ObjectRef,
    uid: &str,
) -> Result<Vec<(ObjectRef, String)>, UiError> {
    call(
        commands::OWNED_OBJECTS,
        &OwnedArgs {
            context,
            target,
            uid,
        },
    )
    .await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListPermArgs<'a> {
    context: &'a str,
    resources: &'a [ApiResource],
    namespace: Option<&'a str>,
}

/// The kinds the user may not list, by `resource.group`, with the reason.
pub async fn list_permissions(
    context: &str,
    resources: &[ApiResource],
    namespace: Option<&str>,
) -> Result<Vec<(String, Permission)>, UiError> {
    call(
        commands::LIST_PERMISSIONS,
        &ListPermArgs {
            context,
            resources,
            namespace,
        },
    )
    .await
}
