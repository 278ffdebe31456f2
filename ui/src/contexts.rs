//! Kubeconfig views: the context sidebar, a context's WHERE / WHO / WHICH / NOW, notices, and
//! the empty state that explains what a kubeconfig is.

use crate::kubeconfig_view::{ImportForm, RemoveSource};

use crate::{bridge, insight};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_model::{
    ClusterInsight, ContextEntry, EditRequest, EditResult, KubeconfigOverview, Notice, NoticeLevel,
    SourceStatus, UiError, UserInsight,
};
use wasm_bindgen::JsCast;

fn item_id(name: &str) -> String {
    format!("ctx-{name}")
}

fn focus(id: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// The sidebar: every merged context, the current one marked, filterable and keyboard-driven
/// (↑/↓ move, `/` filters).
#[component]
pub fn ContextList(
    overview: Memo<Option<KubeconfigOverview>>,
    active: Memo<Option<ContextEntry>>,
    on_pick: Callback<String>,
) -> impl IntoView {
    let (filter, set_filter) = signal(String::new());
    let visible = Memo::new(move |_| {
        let needle = filter.get().to_lowercase();
        overview
            .get()
            .map(|o| o.contexts)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| {
                needle.is_empty()
                    || c.name.to_lowercase().contains(&needle)
                    || c.cluster.to_lowercase().contains(&needle)
                    || c.user.to_lowercase().contains(&needle)
            })
            .collect::<Vec<_>>()
    });
    let on_key = move |ev: KeyboardEvent| {
        let list = visible.get_untracked();
        let current = active.get_untracked().map(|c| c.name);
        let pos = list.iter().position(|c| Some(&c.name) == current.as_ref());
        let next = match ev.key().as_str() {
            "ArrowDown" => pos.map_or(0, |p| (p + 1).min(list.len().saturating_sub(1))),
            "ArrowUp" => pos.map_or(0, |p| p.saturating_sub(1)),
            "Home" => 0,
            "End" => list.len().saturating_sub(1),
            "/" => {
                ev.prevent_default();
                focus("context-filter");
                return;
            }
            _ => return,
        };
        if let Some(c) = list.get(next) {
            ev.prevent_default();
            on_pick.run(c.name.clone());
            focus(&item_id(&c.name));
        }
    };
    view! {
        <nav class="sidebar" aria-label="Contexts">
            <div class="sidebar-head">
                <span class="section-title">"Contexts"</span>
                <span class="count" data-testid="context-count">
                    {move || overview.get().map(|o| o.contexts.len()).unwrap_or(0)}
                </span>
            </div>
            <input
                id="context-filter"
                class="filter"
                type="search"
                placeholder="Filter contexts  ( / )"
                aria-label="Filter contexts"
                prop:value=filter
                on:input:target=move |ev| set_filter.set(ev.target().value())
                on:keydown=move |ev: KeyboardEvent| {
                    if ev.key() == "ArrowDown" || ev.key() == "Escape" {
                        ev.prevent_default();
                        if let Some(c) = active.get_untracked() { focus(&item_id(&c.name)); }
                    }
                }
            />
            <ul class="context-list" role="listbox" aria-label="Contexts" on:keydown=on_key>
                {move || {
                    let list = visible.get();
                    if list.is_empty() {
                        return view! { <li class="muted small pad">"No context matches the filter."</li> }.into_any();
                    }
                    list.into_iter().map(|c| {
                        let name = c.name.clone();
                        let is_active = {
                            let name = name.clone();
                            move || active.get().is_some_and(|a| a.name == name)
                        };
                        let is_active2 = is_active.clone();
                        let is_active3 = is_active.clone();
                        let broken = !c.cluster_found || !c.user_found;
                        view! {
                            <li>
                                <button
                                    id=item_id(&c.name)
                                    class="context-item"
                                    class:active=is_active
                                    role="option"
                                    aria-selected=move || is_active2().to_string()
                                    tabindex=move || if is_active3() { "0" } else { "-1" }
                                    data-testid="context-item"
                                    data-name=c.name.clone()
                                    data-current=c.is_current.to_string()
                                    on:click=move |_| on_pick.run(name.clone())
                                >
                                    <span class="row">
                                        <span class="name">{c.name.clone()}</span>
                                        {c.is_current.then(|| view! { <span class="badge now" title="current-context: what kubectl uses NOW">"NOW"</span> })}
                                        {broken.then(|| view! { <span class="badge warn" title="Points at a missing cluster or user">"!"</span> })}
                                    </span>
                                    <span class="sub">
                                        {c.cluster.clone()}" · "{c.user.clone()}
                                        {c.namespace.clone().map(|n| view! { <span class="ns">{n}</span> })}
                                    </span>
                                </button>
                            </li>
                        }
                    }).collect_view().into_any()
                }}
            </ul>
        </nav>
    }
}

/// A context explained the way the kubeconfig is built: WHICH = WHERE + WHO, and whether it is
/// the one in use NOW; with kubectl's edit commands as buttons.
#[component]
pub fn ContextDetail(
    context: ContextEntry,
    cluster: Option<ClusterInsight>,
    user: Option<UserInsight>,
    on_select: WriteSignal<Option<String>>,
    action: RwSignal<ActionState>,
) -> impl IntoView {
    let c = context;
    let warnings: Vec<Notice> = cluster
        .iter()
        .flat_map(|i| i.warnings.clone())
        .chain(user.iter().flat_map(|i| i.warnings.clone()))
        .collect();
    let where_detail = match (&c.server, c.cluster_found) {
        (Some(s), _) => s.clone(),
        (None, true) => "cluster has no server URL".to_string(),
        (None, false) => "not defined in any kubeconfig file".to_string(),
    };
    let ca = cluster.as_ref().map(insight::ca_text);
    let who_lines = match (&user, c.user_found) {
        (Some(u), _) => insight::auth_lines(u),
        (None, true) => vec!["credentials defined".into()],
        (None, false) => vec!["not defined: requests would be anonymous".into()],
    };
    view! {
        <section class="card detail" data-testid="context-detail" data-name=c.name.clone()>
            <div class="detail-head">
                <h1 data-testid="detail-name">{c.name.clone()}</h1>
                {if c.is_current {
                    view! { <span class="badge now big">"current-context (NOW)"</span> }.into_any()
                } else {
                    view! { <span class="badge muted-badge big">"not current"</span> }.into_any()
                }}
            </div>
            <p class="muted">"A context is WHICH pair of cluster (where) and user (who) kubectl uses."</p>
            <div class="grid">
                <div class="fact">
                    <div class="label">"WHERE · cluster"</div>
                    <div class="value" data-testid="detail-cluster">{c.cluster.clone()}</div>
                    <div class="small mono">{where_detail}</div>
                    {ca.map(|t| view! { <div class="small">{t}</div> })}
                </div>
                <div class="fact">
                    <div class="label">"WHO · user"</div>
                    <div class="value" data-testid="detail-user">{c.user.clone()}</div>
                    {who_lines.into_iter().map(|l| view! { <div class="small" data-testid="detail-auth">{l}</div> }).collect_view()}
                </div>
                <div class="fact">
                    <div class="label">"Namespace"</div>
                    <div class="value" data-testid="detail-namespace">{c.namespace.clone().unwrap_or_else(|| "default".into())}</div>
                    <div class="small">{if c.namespace.is_some() { "set by the context" } else { "not set: kubectl uses \"default\"" }}</div>
                </div>
                <div class="fact">
                    <div class="label">"Defined in"</div>
                    <div class="value mono small-value" data-testid="detail-origin">{c.origin.clone()}</div>
                    <div class="small">"Edits to this context go to this file."</div>
                </div>
            </div>
            {(!warnings.is_empty()).then(|| view! { <NoticeList notices=warnings /> })}
            <ContextActions context=c.clone() on_select=on_select state=action />
        </section>
    }
}

/// What the last action did (or why it failed), with the kubectl command that does the same.
/// Kept by the app, not the card: an edit rewrites the file, the file reload re-creates the card,
/// and the result must survive that.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionState {
    Idle,
    Busy(String),
    Done(EditResult),
    Failed(UiError),
}

/// kubectl's config write commands as buttons: use-context, set-context --namespace,
/// rename-context, delete-context (confirmed first).
#[component]
fn ContextActions(
    context: ContextEntry,
    on_select: WriteSignal<Option<String>>,
    state: RwSignal<ActionState>,
) -> impl IntoView {
    let name = context.name.clone();
    let set_state = state.write_only();
    let (namespace, set_namespace) = signal(context.namespace.clone().unwrap_or_default());
    let (new_name, set_new_name) = signal(context.name.clone());
    let (confirm_delete, set_confirm_delete) = signal(false);
    let run = move |req: EditRequest, busy: &str, select_after: Option<String>| {
        set_state.set(ActionState::Busy(busy.to_string()));
        spawn_local(async move {
            let result = bridge::edit_kubeconfig(&req).await;
            if result.is_ok()
                && let Some(sel) = select_after
            {
                let _ = on_select.try_set(Some(sel));
            }
            let _ = set_state.try_set(match result {
                Ok(r) => ActionState::Done(r),
                Err(e) => ActionState::Failed(e),
            });
        });
    };
    let (n1, n2, n3, n4) = (name.clone(), name.clone(), name.clone(), name.clone());
    let use_ctx = move |_| {
        run(
            EditRequest::UseContext { name: n1.clone() },
            "Switching…",
            None,
        )
    };
    let set_ns = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        run(
            EditRequest::SetNamespace {
                context: n2.clone(),
                namespace: namespace.get_untracked().trim().to_string(),
            },
            "Saving namespace…",
            None,
        )
    };
    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let to = new_name.get_untracked().trim().to_string();
        if to.is_empty() || to == n3 {
            return;
        }
        run(
            EditRequest::RenameContext {
                from: n3.clone(),
                to: to.clone(),
            },
            "Renaming…",
            Some(to),
        )
    };
    let delete = move |_| {
        set_confirm_delete.set(false);
        run(
            EditRequest::DeleteContext { name: n4.clone() },
            "Deleting…",
            Some(String::new()),
        )
    };
    let is_current = context.is_current;
    view! {
        <div class="actions" data-testid="context-actions">
            {(!is_current).then(|| view! {
                <button class="primary" on:click=use_ctx data-testid="use-context">"Make current (use-context)"</button>
            })}
            <form class="inline-form" on:submit=set_ns>
                <label for="ns-input">"Namespace"</label>
                <input id="ns-input" data-testid="namespace-input" prop:value=namespace
                    placeholder="default" on:input:target=move |ev| set_namespace.set(ev.target().value()) />
                <button type="submit" data-testid="namespace-save">"Set"</button>
            </form>
            <form class="inline-form" on:submit=rename>
                <label for="rename-input">"Name"</label>
                <input id="rename-input" data-testid="rename-input" prop:value=new_name
                    on:input:target=move |ev| set_new_name.set(ev.target().value()) />
                <button type="submit" data-testid="rename-save">"Rename"</button>
            </form>
            {move || if confirm_delete.get() {
                let delete = delete.clone();
                view! {
                    <span class="confirm" role="alertdialog">
                        {format!("Delete context \"{}\" from its file? Its cluster and user stay.", name)}
                        <button class="danger" on:click=delete data-testid="delete-confirm">"Delete"</button>
                        <button on:click=move |_| set_confirm_delete.set(false)>"Cancel"</button>
                    </span>
                }.into_any()
            } else {
                view! { <button class="danger-outline" on:click=move |_| set_confirm_delete.set(true) data-testid="delete-context">"Delete…"</button> }.into_any()
            }}
        </div>
        <div class="action-result" data-testid="action-result">
            {move || match state.get() {
                ActionState::Idle => ().into_any(),
                ActionState::Busy(what) => view! { <span class="muted">{what}</span> }.into_any(),
                ActionState::Done(r) => view! {
                    <div class="ok-line" data-state="done">
                        <span>"✓ "{r.message.clone()}</span>
                        {r.warnings.iter().map(|w| view! { <div class="hint">{w.clone()}</div> }).collect_view()}
                        <div class="kubectl"><span class="label">"same as"</span><code data-testid="action-kubectl">{r.kubectl.clone()}</code></div>
                    </div>
                }.into_any(),
                ActionState::Failed(e) => view! {
                    <div class="err-line" data-state="failed">
                        <span>{e.message.clone()}</span>
                        {e.hint.clone().map(|h| view! { <div class="hint">{h}</div> })}
                    </div>
                }.into_any(),
            }}
        </div>
    }
}

/// Problems and remarks about the files, most serious first.
#[component]
pub fn Notices(notices: Vec<Notice>) -> impl IntoView {
    if notices.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="card" data-testid="notices">
            <h2>"Notices"</h2>
            <NoticeList notices=notices />
        </section>
    }
    .into_any()
}

/// Notices as a list, each with its level and the fix.
#[component]
pub fn NoticeList(notices: Vec<Notice>) -> impl IntoView {
    view! {
        <ul class="notices">
            {notices.into_iter().map(|n| {
                let (class, label) = match n.level {
                    NoticeLevel::Error => ("notice error", "Error"),
                    NoticeLevel::Warning => ("notice warning", "Warning"),
                    NoticeLevel::Info => ("notice info", "Info"),
                };
                view! {
                    <li class=class>
                        <span class="level">{label}</span>
                        <div>
                            <div>{n.message}</div>
                            {n.hint.map(|h| view! { <div class="hint">{h}</div> })}
                        </div>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The files of the kubeconfig chain, in precedence order: first file wins.
#[component]
pub fn Sources(
    overview: KubeconfigOverview,
    on_overview: Callback<KubeconfigOverview>,
) -> impl IntoView {
    let origin = overview.chain_origin.clone();
    view! {
        <section class="card" data-testid="sources">
            <h2>"Kubeconfig files"</h2>
            <p class="small">{format!("From {origin}, then the files you imported into Loupe, in order: when two files define the same name, the first one wins.")}</p>
            <ol class="sources">
                {overview.sources.into_iter().map(|f| {
                    let (class, label) = match f.status {
                        SourceStatus::Loaded => ("badge ok", "loaded"),
                        SourceStatus::Missing => ("badge muted-badge", "missing"),
                        SourceStatus::Broken => ("badge bad", "broken"),
                    };
                    let [contexts, clusters, users] = f.counts;
                    view! {
                        <li data-testid="source" data-status=label>
                            <span class=class>{label}</span>
                            {f.imported.then(|| view! { <span class="badge muted-badge" data-testid="imported">"imported"</span> })}
                            <span class="mono">{f.path.clone()}</span>
                            {f.imported.then(|| view! { <RemoveSource path=f.path.clone() on_overview=on_overview /> })}
                            {(f.status == SourceStatus::Loaded).then(|| view! {
                                <span class="small">{format!("{} · {} · {}", count(contexts, "context"), count(clusters, "cluster"), count(users, "user"))}</span>
                            })}
                            {f.error.map(|e| view! { <div class="hint">{e}</div> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

/// No kubeconfig at all: explain what one is and how to get one.
#[component]
pub fn EmptyState(
    overview: KubeconfigOverview,
    on_overview: Callback<KubeconfigOverview>,
) -> impl IntoView {
    let looked_at: Vec<String> = overview
        .sources
        .iter()
        .map(|s| {
            let status = match s.status {
                SourceStatus::Loaded => "loaded, but it has no contexts",
                SourceStatus::Missing => "not found",
                SourceStatus::Broken => "could not be read",
            };
            format!("{} ({status})", s.path)
        })
        .collect();
    view! {
        <section class="card empty" data-testid="empty-state">
            <h1>"No Kubernetes contexts yet"</h1>
            <p>
                "Loupe reads the same file kubectl does: your "<strong>"kubeconfig"</strong>
                ". It is your passbook for the API server, the gatekeeper every request goes through."
            </p>
            <div class="grid four">
                <div class="fact"><div class="label">"clusters"</div><div class="value">"WHERE"</div><div class="small">"the API server's URL and the CA that proves it is genuine"</div></div>
                <div class="fact"><div class="label">"users"</div><div class="value">"WHO"</div><div class="small">"your credentials: a client certificate, a token, or a command that fetches one"</div></div>
                <div class="fact"><div class="label">"contexts"</div><div class="value">"WHICH"</div><div class="small">"a named pair of cluster + user (+ default namespace)"</div></div>
                <div class="fact"><div class="label">"current-context"</div><div class="value">"NOW"</div><div class="small">"the context kubectl uses when you don't say otherwise"</div></div>
            </div>
            <h2>"How to get one"</h2>
            <ul class="howto">
                <li>"From your cloud: "<code>"aws eks update-kubeconfig --name CLUSTER"</code>", "<code>"gcloud container clusters get-credentials CLUSTER"</code>", "<code>"az aks get-credentials -n CLUSTER -g GROUP"</code></li>
                <li>"From your cluster admin: a file to save as "<code>"~/.kube/config"</code>" (keep it private: mode 0600)."</li>
                <li>"To explore safely: Loupe's own sandbox cluster, started by "<code>"./dev run"</code>" when you have no kubeconfig."</li>
            </ul>
            <p class="small muted">"Looked at: "{looked_at.join(", ")}</p>
            <ImportForm on_overview=on_overview />
        </section>
    }
}
