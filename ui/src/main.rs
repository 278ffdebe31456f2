//! Loupe's webview UI: views and components only. All data comes through [`bridge`].
#![forbid(unsafe_code)]

mod access;
mod access_browse;
mod access_who;
mod app;
mod bridge;
mod changes;
mod connection;
mod contexts;
mod insight;
mod kubeconfig_view;
mod logs;
mod prefs;
mod resources;
mod theme;
mod why;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
