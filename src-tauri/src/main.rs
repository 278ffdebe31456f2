//! Loupe's desktop shell. It only wires Tauri commands and channels to `loupe-core`.
#![forbid(unsafe_code)]
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod access;
mod changes;
mod commands;
mod logs;
mod resources;

fn main() {
    let started = std::time::Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LOUPE_LOG")
                .unwrap_or_else(|_| "loupe=info,kube_client=off,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = tauri::Builder::default()
        .manage(commands::AppState::from_env(started))
        .manage(access::AccessState::default())
        .on_page_load(|webview, payload| {
            use tauri::Manager as _;
            if payload.event() == tauri::webview::PageLoadEvent::Started {
                commands::page_loading(&webview.state::<commands::AppState>());
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::kubeconfig_overview,
            commands::watch_kubeconfig,
            commands::startup_painted,
            commands::connect_context,
            commands::edit_kubeconfig,
            commands::approve_exec_plugin,
            commands::import_kubeconfig,
            commands::remove_kubeconfig_source,
            commands::reveal_secret,
            resources::discover_resources,
            resources::object_detail,
            commands::stop_watch,
            resources::visible_namespaces,
            resources::watch_table,
            access::whoami,
            access::access_matrix,
            access::explain_access,
            logs::pod_containers,
            logs::stream_logs,
            logs::stream_workload_logs,
            logs::log_window,
            logs::log_jump,
            logs::log_text,
            logs::log_capacity,
            logs::download_logs,
            access::who_can,
            access::rbac_browse,
            access::refresh_access,
            access::export_access_matrix,
            changes::dry_run_edit,
            changes::apply_edit,
            changes::dry_run_create,
            changes::create_object,
            changes::delete_object,
            changes::scale_object,
            changes::restart_object,
            changes::action_permissions,
            changes::action_log,
            changes::owned_objects,
            changes::list_permissions,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("Loupe could not start: {e}");
        std::process::exit(1);
    }
}
