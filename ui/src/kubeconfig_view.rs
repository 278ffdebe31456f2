//! The whole kubeconfig at a glance: every cluster (WHERE), user (WHO) and context (WHICH), the
//! current one (NOW) highlighted, the file each comes from and what is wrong with it; plus the
//! files of the chain with import and remove.

use crate::bridge;
use crate::contexts::NoticeList;
use crate::insight::{auth_lines, ca_text};
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_model::{AuthKind, KubeconfigOverview, SecretField, UiError, UserInsight};

/// Cards for all clusters, users and contexts.
#[component]
pub fn KubeconfigView(
    overview: Memo<Option<KubeconfigOverview>>,
    on_pick: Callback<String>,
) -> impl IntoView {
    let current = move || overview.get().and_then(|o| o.current_context);
    // The cluster and user of the current context are highlighted too: they are what NOW uses.
    let now_pair = move || {
        let o = overview.get()?;
        let cur = o.current_context.clone()?;
        o.contexts
            .iter()
            .find(|c| c.name == cur)
            .map(|c| (c.cluster.clone(), c.user.clone()))
    };
    view! {
        <section class="card" data-testid="kubeconfig-view">
            <h2>"Your kubeconfig"</h2>
            <p class="small">
                "Clusters say WHERE the API server is, users say WHO you are, contexts pick WHICH pair to use, and current-context is the one used NOW. "
                {move || match current() {
                    Some(c) => format!("Now: {c}."),
                    None => "No current-context is set: kubectl would silently try http://localhost:8080.".to_string(),
                }}
            </p>
            <h3>"WHICH · contexts"</h3>
            <div class="grid" data-testid="which">
                {move || overview.get().map(|o| o.contexts.into_iter().map(|c| {
                    let name = c.name.clone();
                    let class = if c.is_current { "fact entry now" } else { "fact entry" };
                    let problem = (!c.cluster_found || !c.user_found).then(|| {
                        let missing: Vec<&str> = [(!c.cluster_found).then_some("cluster"), (!c.user_found).then_some("user")].into_iter().flatten().collect();
                        format!("points at a {} no file defines", missing.join(" and a "))
                    });
                    view! {
                        <button class=class data-testid="which-entry" data-name=c.name.clone() title="Select this context"
                            on:click=move |_| on_pick.run(name.clone())>
                            <div class="label">{if c.is_current { "context · NOW" } else { "context" }}</div>
                            <div class="value">{c.name.clone()}</div>
                            <div class="small">{format!("cluster {} · user {}", c.cluster, if c.user.is_empty() { "(none)" } else { c.user.as_str() })}</div>
                            <div class="small">{format!("namespace {}", c.namespace.clone().unwrap_or_else(|| "default (not set)".into()))}</div>
                            <div class="small mono origin">{c.origin.clone()}</div>
                            {problem.map(|p| view! { <div class="small warn-text">{p}</div> })}
                        </button>
                    }
                }).collect_view())}
            </div>
            <h3>"WHERE · clusters"</h3>
            <div class="grid" data-testid="where">
                {move || {
                    let now = now_pair().map(|p| p.0);
                    overview.get().map(|o| o.clusters.into_iter().map(|c| {
                        let class = if now.as_deref() == Some(c.name.as_str()) { "fact entry now" } else { "fact entry" };
                        let ca = ca_text(&c);
                        view! {
                            <div class=class data-testid="where-entry" data-name=c.name.clone()>
                                <div class="label">"cluster"</div>
                                <div class="value">{c.name.clone()}</div>
                                <div class="small mono">{c.server.clone().unwrap_or_else(|| "no server set".into())}</div>
                                <div class="small">{ca}</div>
                                {c.tls_server_name.clone().map(|t| view! { <div class="small">{format!("certificate checked against {t}")}</div> })}
                                {c.proxy_url.clone().map(|p| view! { <div class="small">{format!("through proxy {p}")}</div> })}
                                <div class="small mono origin">{c.origin.clone()}</div>
                                {(!c.warnings.is_empty()).then(|| view! { <NoticeList notices=c.warnings.clone() /> })}
                            </div>
                        }
                    }).collect_view())
                }}
            </div>
            <h3>"WHO · users"</h3>
            <div class="grid" data-testid="who">
                {move || {
                    let now = now_pair().map(|p| p.1);
                    overview.get().map(|o| o.users.into_iter().map(|u| {
                        let class = if now.as_deref() == Some(u.name.as_str()) { "fact entry now" } else { "fact entry" };
                        let lines = auth_lines(&u);
                        view! {
                            <div class=class data-testid="who-entry" data-name=u.name.clone()>
                                <div class="label">"user"</div>
                                <div class="value">{u.name.clone()}</div>
                                {lines.into_iter().map(|l| view! { <div class="small">{l}</div> }).collect_view()}
                                <div class="reveals">
                                    {secrets_of(&u).into_iter().map(|(field, label)| view! {
                                        <RevealSecret user=u.name.clone() field=field label=label />
                                    }).collect_view()}
                                </div>
                                <div class="small mono origin">{u.origin.clone()}</div>
                                {(!u.warnings.is_empty()).then(|| view! { <NoticeList notices=u.warnings.clone() /> })}
                            </div>
                        }
                    }).collect_view())
                }}
            </div>
        </section>
    }
}

/// A path field that imports a kubeconfig file into Loupe's chain.
#[component]
pub fn ImportForm(on_overview: Callback<KubeconfigOverview>) -> impl IntoView {
    let path = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<UiError>);
    let done = RwSignal::new(None::<String>);
    let submit = move || {
        let p = path.get_untracked().trim().to_string();
        if p.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        done.set(None);
        spawn_local(async move {
            match bridge::import_kubeconfig(&p).await {
                Ok(o) => {
                    done.set(Some(format!("Imported {p}. Loupe keeps a reference to the file; kubectl does not read it.")));
                    path.set(String::new());
                    on_overview.run(o);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="import" data-testid="import-form" on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <label class="label" for="import-path">"Import a kubeconfig file"</label>
            <div class="row">
                <input id="import-path" class="mono" type="text" placeholder="/path/to/kubeconfig.yaml" data-testid="import-path"
                    prop:value=move || path.get() on:input=move |ev| path.set(event_target_value(&ev)) />
                <button type="submit" class="primary" data-testid="import-button" disabled=move || busy.get()>
                    {move || if busy.get() { "Importing…" } else { "Import" }}
                </button>
            </div>
            <div class="small">"Its contexts join the list after your KUBECONFIG files, so they never replace an entry kubectl uses."</div>
            {move || done.get().map(|m| view! { <div class="result ok" data-testid="import-result">{m}</div> })}
            {move || error.get().map(|e| view! {
                <div class="result error" role="alert" data-testid="import-error">
                    <div>{e.message.clone()}</div>
                    {e.hint.clone().map(|h| view! { <div class="hint">{h}</div> })}
                </div>
            })}
        </form>
    }
}

/// The remove button of an imported source.
#[component]
pub fn RemoveSource(path: String, on_overview: Callback<KubeconfigOverview>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let click = move |_| {
        let p = path.clone();
        spawn_local(async move {
            match bridge::remove_kubeconfig_source(&p).await {
                Ok(o) => on_overview.run(o),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <button class="link-button" data-testid="remove-source" title="Remove from Loupe (the file is not deleted)" on:click=click>"Remove"</button>
        {move || error.get().map(|e| view! { <span class="small warn-text">{e}</span> })}
    }
}

/// The secrets a user entry holds, with the button label for each.
fn secrets_of(u: &UserInsight) -> Vec<(SecretField, &'static str)> {
    let mut out = Vec::new();
    for a in &u.auth {
        match a {
            AuthKind::Token { .. } | AuthKind::TokenFile { .. } => {
                out.push((SecretField::Token, "token"));
            }
            AuthKind::Basic { .. } => out.push((SecretField::Password, "password")),
            AuthKind::ClientCert { key, .. } => {
                out.push((SecretField::ClientCertificate, "certificate"));
                if key.is_some() {
                    out.push((SecretField::ClientKey, "private key"));
                }
            }
            _ => {}
        }
    }
    out
}

/// A secret, masked until the user asks to see it; hidden again with one click.
#[component]
fn RevealSecret(user: String, field: SecretField, label: &'static str) -> impl IntoView {
    let value = RwSignal::new(None::<Result<String, UiError>>);
    let toggle = move |_| {
        if value.get_untracked().is_some() {
            value.set(None);
            return;
        }
        let user = user.clone();
        spawn_local(async move {
            value.set(Some(bridge::reveal_secret(&user, field).await));
        });
    };
    view! {
        <div class="reveal" data-testid="reveal" data-field=label>
            <button class="link-button" data-testid="reveal-toggle" on:click=toggle>
                {move || if value.get().is_some() { format!("Hide {label}") } else { format!("Reveal {label}") }}
            </button>
            {move || match value.get() {
                None => view! { <span class="mono masked">"••••••••"</span> }.into_any(),
                Some(Ok(v)) => view! { <pre class="secret" data-testid="secret-value">{v}</pre> }.into_any(),
                Some(Err(e)) => view! { <span class="small warn-text">{e.message}</span> }.into_any(),
            }}
        </div>
    }
}
