//! The window: top bar, sidebar of contexts, and the main pane later views slot into.

use crate::access::AccessView;
use crate::connection::ConnectionCard;
use crate::contexts::{ActionState, ContextDetail, ContextList, EmptyState, Notices, Sources};
use crate::kubeconfig_view::{ImportForm, KubeconfigView};
use crate::resources::ResourceBrowser;
use crate::why::AccessLink;
use crate::{bridge, theme};
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_model::rbac::AccessFocus;
use loupe_model::{AuthKind, KubeconfigOverview, UiError};

/// What the app knows about the kubeconfig right now.
#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    Loading,
    Ready(KubeconfigOverview),
    Failed(UiError),
}

/// Which tab of the main area is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    /// The selected context: its WHERE / WHO / NOW and its live connection.
    Context,
    /// Every entry of every file, and the files themselves.
    Kubeconfig,
    /// The selected context's cluster: its kinds and objects.
    Cluster,
    /// What the selected context's user may do in its cluster, and why.
    Access,
}

/// Which screen the main area shows.
#[derive(Debug, Clone, PartialEq)]
enum Mode {
    Loading,
    Failed(UiError),
    Empty,
    Ready,
}

#[component]
pub fn App() -> impl IntoView {
    let (load, set_load) = signal(Load::Loading);
    let (selected, set_selected) = signal(None::<String>);
    let (theme, set_theme) = signal(theme::initial());
    let (live_error, set_live_error) = signal(None::<UiError>);
    let action = RwSignal::new(ActionState::Idle);
    let tab = RwSignal::new(Tab::Context);
    // Clusters whose browser was opened: each stays mounted (its watch live, its view as it
    // was) so switching between clusters reloads nothing.
    let open_clusters = RwSignal::new(Vec::<String>::new());
    // Import and remove answer with the new overview; the file watcher follows later.
    let on_overview = Callback::new(move |o: KubeconfigOverview| set_load.set(Load::Ready(o)));
    // Picking another context in the sidebar clears the last action's result.
    let pick = Callback::new(move |name: String| {
        set_selected.set(Some(name));
        action.set(ActionState::Idle);
        // The cluster and access tabs stay open when switching contexts.
        if !matches!(tab.get_untracked(), Tab::Cluster | Tab::Access) {
            tab.set(Tab::Context);
        }
    });
    // A denial anywhere (a 403, a disabled action, a locked kind) opens the Access view on
    // that cell; the tab's own button opens it unfocused.
    let access_focus = RwSignal::new(None::<AccessFocus>);
    provide_context(AccessLink(Callback::new(move |f: AccessFocus| {
        access_focus.set(Some(f));
        tab.set(Tab::Access);
    })));
    theme::apply(theme.get_untracked(), false);

    spawn_local(async move {
        set_load.set(match bridge::kubeconfig_overview().await {
            Ok(o) => Load::Ready(o),
            Err(e) => Load::Failed(e),
        });
        // The next animation frame comes after the list above has been laid out and painted.
        request_animation_frame(|| {
            spawn_local(async {
                let _ = bridge::startup_painted().await;
            })
        });
        let watching = bridge::watch_kubeconfig(move |update| match update {
            Ok(o) => set_load.set(Load::Ready(o)),
            Err(e) => set_live_error.set(Some(e)),
        })
        .await;
        if let Err(e) = watching {
            set_live_error.set(Some(e));
        }
    });

    let overview = Memo::new(move |_| match load.get() {
        Load::Ready(o) => Some(o),
        _ => None,
    });
    // The selection follows the user's clicks; until then (or if the selected context vanished
    // from the files) it is the current context, else the first one.
    let active = Memo::new(move |_| {
        let o = overview.get()?;
        let wanted = selected.get();
        o.contexts
            .iter()
            .find(|c| Some(&c.name) == wanted.as_ref())
            .or_else(|| o.contexts.iter().find(|c| c.is_current))
            .or_else(|| o.contexts.first())
            .cloned()
    });

    // Which screen to show; a Memo, so a file reload that keeps the screen rebuilds nothing.
    let mode = Memo::new(move |_| match load.get() {
        Load::Loading => Mode::Loading,
        Load::Failed(e) => Mode::Failed(e),
        Load::Ready(o) if o.contexts.is_empty() => Mode::Empty,
        Load::Ready(_) => Mode::Ready,
    });
    // The selected context with what the files say about its cluster and user; re-renders the
    // detail only when one of the three changed.
    let detail = Memo::new(move |_| {
        let c = active.get()?;
        let o = overview.get()?;
        let cluster = o.clusters.iter().find(|i| i.name == c.cluster).cloned();
        let user = o.users.iter().find(|i| i.name == c.user).cloned();
        Some((c, cluster, user))
    });
    let connection_target = Memo::new(move |_| {
        let (c, _, user) = detail.get()?;
        // The command line an approval would cover, from the user's insight.
        let exec = user.and_then(|u| {
            u.auth.into_iter().find_map(|a| match a {
                AuthKind::Exec(e) => Some(
                    std::iter::once(e.command)
                        .chain(e.args)
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                _ => None,
            })
        });
        Some((c.name, c.server, exec))
    });

    // Opening the cluster tab mounts the selected context's browser once.
    Effect::new(move |_| {
        if tab.get() == Tab::Cluster
            && let Some(c) = active.get()
            && !open_clusters.with_untracked(|o| o.contains(&c.name))
        {
            open_clusters.update(|o| o.push(c.name));
        }
    });

    // Closing a cluster's tab unmounts its browser, which stops its watches.
    let close_cluster = Callback::new(move |name: String| {
        open_clusters.update(|o| o.retain(|c| *c != name));
        if active.get_untracked().is_some_and(|c| c.name == name) {
            match open_clusters.with_untracked(|o| o.last().cloned()) {
                Some(other) => set_selected.set(Some(other)),
                None => tab.set(Tab::Context),
            }
        }
    });

    let toggle_theme = move |_| {
        let next = theme.get_untracked().toggled();
        theme::apply(next, true);
        set_theme.set(next);
    };

    view! {
        <div class="shell">
            <header class="topbar">
                <div class="brand">
                    <span class="logo" aria-hidden="true">"◉"</span>
                    <span>"Loupe"</span>
                </div>
                <div class="topbar-info" data-testid="chain-info">
                    {move || overview.get().map(|o| {
                        let loaded = o.sources.iter().filter(|s| s.status == loupe_model::SourceStatus::Loaded).count();
                        format!("{} · {} of {} file(s) loaded", o.chain_origin, loaded, o.sources.len())
                    })}
                </div>
                <button class="icon-button" on:click=toggle_theme title="Switch light / dark theme" data-testid="theme-toggle">
                    {move || if theme.get() == theme::Theme::Dark { "☀ Light" } else { "☾ Dark" }}
                </button>
            </header>
            {move || live_error.get().map(|e| view! {
                <div class="banner warning" role="status">
                    <strong>"Live reload is off. "</strong>{e.message.clone()}
                    {e.hint.clone().map(|h| view! { <div class="hint">{h}</div> })}
                </div>
            })}
            {move || match mode.get() {
                Mode::Loading => view! {
                    <div class="center-state" data-testid="loading">
                        <div class="spinner" aria-hidden="true"></div>
                        <p>"Reading your kubeconfig…"</p>
                    </div>
                }.into_any(),
                Mode::Failed(e) => view! {
                    <div class="center-state error" data-testid="load-error">
                        <h2>"Loupe could not read your kubeconfig"</h2>
                        <p>{e.message.clone()}</p>
                        {e.hint.clone().map(|h| view! { <p class="hint">{h}</p> })}
                    </div>
                }.into_any(),
                Mode::Empty => view! {
                    <main class="main only">
                        {move || overview.get().map(|o| view! {
                            <EmptyState overview=o.clone() on_overview=on_overview />
                            <Notices notices=o.notices.clone() />
                        })}
                    </main>
                }.into_any(),
                // Built once: file reloads update the parts inside, so the filter, focus and
                // scroll position survive kubectl changing a file.
                Mode::Ready => view! {
                    <div class="body">
                        <ContextList overview=overview active=active on_pick=pick />
                        <main class="main">
                            <nav class="tabs" role="tablist">
                                <button role="tab" data-testid="tab-context" aria-selected=move || (tab.get() == Tab::Context).to_string()
                                    on:click=move |_| tab.set(Tab::Context)>"Context"</button>
                                <button role="tab" data-testid="tab-cluster" aria-selected=move || (tab.get() == Tab::Cluster).to_string()
                                    on:click=move |_| tab.set(Tab::Cluster)>"Cluster"</button>
                                <button role="tab" data-testid="tab-access" aria-selected=move || (tab.get() == Tab::Access).to_string()
                                    on:click=move |_| { access_focus.set(None); tab.set(Tab::Access); }>"Access"</button>
                                <button role="tab" data-testid="tab-kubeconfig" aria-selected=move || (tab.get() == Tab::Kubeconfig).to_string()
                                    on:click=move |_| tab.set(Tab::Kubeconfig)>"Kubeconfig"</button>
                            </nav>
                            <Show when=move || tab.get() == Tab::Cluster && !open_clusters.with(Vec::is_empty)>
                                <nav class="cluster-tabs" data-testid="cluster-tabs" aria-label="Open clusters">
                                    <For each=move || open_clusters.get() key=|c| c.clone() let:name>
                                        {
                                            let (n1, n2, n3) = (name.clone(), name.clone(), name.clone());
                                            view! {
                                                <span class="cluster-tab" data-testid="cluster-tab" data-context=name.clone()
                                                    aria-selected=move || active.get().is_some_and(|c| c.name == n1).to_string()>
                                                    <button data-testid="cluster-tab-open" title="Switch to this cluster" on:click=move |_| pick.run(n2.clone())>{name.clone()}</button>
                                                    <button data-testid="cluster-tab-close" title="Close this cluster (stops its watches)" on:click=move |_| close_cluster.run(n3.clone())>"✕"</button>
                                                </span>
                                            }
                                        }
                                    </For>
                                </nav>
                            </Show>
                            <For each=move || open_clusters.get() key=|c| c.clone() let:name>
                                {
                                    let shown = name.clone();
                                    let attr = name.clone();
                                    view! {
                                        <div class="cluster-pane" data-context=attr
                                            style:display=move || if tab.get() == Tab::Cluster && active.get().is_some_and(|c| c.name == shown) { "block" } else { "none" }>
                                            <ResourceBrowser context=name />
                                        </div>
                                    }
                                }
                            </For>
                            // The access view is rebuilt for each context (it is a snapshot).
                            {move || (tab.get() == Tab::Access).then(|| active.get().map(|c| view! { <AccessView context=c.name focus=access_focus /> }))}
                            <Show when=move || !matches!(tab.get(), Tab::Cluster | Tab::Access)>
                            <Show when=move || tab.get() == Tab::Context fallback=move || view! {
                                <KubeconfigView overview=overview on_pick=pick />
                                {move || overview.get().map(|o| view! {
                                    <Notices notices=o.notices.clone() />
                                    <Sources overview=o on_overview=on_overview />
                                })}
                                // Outside the reloading part, so its result survives the reload
                                // the import causes.
                                <section class="card"><ImportForm on_overview=on_overview /></section>
                            }>
                                {move || detail.get().map(|(c, cluster, user)| view! {
                                    <ContextDetail context=c cluster=cluster user=user on_select=set_selected action=action />
                                })}
                                // Only a different context (or server) makes a new connection card:
                                // file reloads that change nothing about it must not reconnect.
                                {move || connection_target.get().map(|(name, server, exec)| view! {
                                    <ConnectionCard context=name server=server exec=exec />
                                })}
                                {move || overview.get().map(|o| view! {
                                    <Notices notices=o.notices.clone() />
                                })}
                            </Show>
                            </Show>
                        </main>
                    </div>
                }.into_any(),
            }}
        </div>
    }
}
