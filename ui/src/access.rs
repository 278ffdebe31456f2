//! The access view of one cluster: who the API server thinks you are, what you may do (a matrix
//! of resources x verbs per namespace and cluster-wide), and for any cell why: the chain
//! subject -> binding -> role -> rule that grants it, or what would.

use crate::bridge;
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_model::UiError;
use loupe_model::rbac::{
    AccessMatrix, Action, CellState, CheckedDecision, Identity, MatrixScope, RoleKind,
};

/// The view for `context`.
#[component]
pub fn AccessView(context: String) -> impl IntoView {
    let ctx = StoredValue::new(context.clone());
    let identity = RwSignal::new(None::<Result<Identity, UiError>>);
    let namespaces = RwSignal::new(Vec::<String>::new());
    let namespace = RwSignal::new(None::<String>);
    let matrix = RwSignal::new(None::<Result<AccessMatrix, UiError>>);
    let filter = RwSignal::new(String::new());
    let only_allowed = RwSignal::new(false);
    let picked = RwSignal::new(None::<(String, Action)>);
    let why = RwSignal::new(None::<Result<CheckedDecision, UiError>>);

    spawn_local(async move {
        identity.set(Some(bridge::whoami(&ctx.get_value()).await));
    });
    spawn_local(async move {
        if let Ok(v) = bridge::visible_namespaces(&ctx.get_value()).await {
            // Start in the context's namespace when listing fell back, else the first one.
            let first = v
                .names
                .iter()
                .find(|n| n.as_str() == "default")
                .or(v.names.first())
                .cloned();
            namespace.set(if v.fell_back {
                v.names.first().cloned()
            } else {
                first
            });
            namespaces.set(v.names);
        } else {
            namespace.set(Some("default".into()));
        }
    });
    Effect::new(move |_| {
        let Some(ns) = namespace.get() else {
            return;
        };
        matrix.set(None);
        picked.set(None);
        spawn_local(async move {
            matrix.set(Some(bridge::access_matrix(&ctx.get_value(), &[ns]).await));
        });
    });
    Effect::new(move |_| {
        let Some((_, action)) = picked.get() else {
            return;
        };
        why.set(None);
        // Bring the answer into view (the matrix can be long).
        request_animation_frame(|| {
            if let Some(el) = document()
                .query_selector("[data-testid=why]")
                .ok()
                .flatten()
            {
                el.scroll_into_view();
            }
        });
        spawn_local(async move {
            why.set(Some(
                bridge::explain_access(&ctx.get_value(), &action).await,
            ));
        });
    });

    view! {
        <div class="access" data-testid="access-view">
            <section class="card" data-testid="whoami">
                <h2>"Who am I"</h2>
                {move || match identity.get() {
                    None => view! { <div class="small muted">"Asking the API server…"</div> }.into_any(),
                    Some(Err(e)) => view! { <div class="hint">{e.message}</div> }.into_any(),
                    Some(Ok(id)) => view! {
                        <div class="grid four">
                            <div class="fact"><div class="label">"username"</div><div class="value" data-testid="whoami-user">{if id.username.is_empty() { "(unknown)".to_string() } else { id.username.clone() }}</div></div>
                            <div class="fact"><div class="label">"groups"</div><div class="small">{id.groups.iter().map(|g| view! { <span class="badge muted-badge group">{g.clone()}</span>" " }).collect_view()}</div></div>
                        </div>
                        <ul class="explain">{id.explanation.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}</ul>
                    }.into_any(),
                }}
            </section>
            <section class="card" data-testid="matrix-card">
                <div class="card-head">
                    <h2>"What can I do"</h2>
                    <div class="toolbar plain">
                        <select data-testid="access-namespace" on:change=move |ev| namespace.set(Some(event_target_value(&ev)))>
                            {move || namespaces.get().into_iter().map(|n| {
                                let (value, label) = (n.clone(), n.clone());
                                view! { <option value=value selected=move || namespace.get().as_deref() == Some(n.as_str())>{label}</option> }
                            }).collect_view()}
                        </select>
                        <input type="search" placeholder="Filter resources" data-testid="access-filter"
                            prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev)) />
                        <label class="small"><input type="checkbox" on:change=move |ev| only_allowed.set(event_target_checked(&ev)) />" only what I may do"</label>
                    </div>
                </div>
                <p class="small muted">"Every request is authenticated (who), then authorized (may you?) by RBAC: rules in Roles and ClusterRoles, granted to you by RoleBindings (one namespace) and ClusterRoleBindings (everywhere). Click a cell to see why."</p>
                {move || match matrix.get() {
                    None => view! { <div class="center-state small"><div class="spinner" aria-hidden="true"></div>"Asking the API server what you may do…"</div> }.into_any(),
                    Some(Err(e)) => view! { <div class="hint" data-testid="matrix-error">{e.message}</div> }.into_any(),
                    Some(Ok(m)) => matrix_view(m, filter, only_allowed, picked).into_any(),
                }}
            </section>
            {move || picked.get().map(|(label, _)| view! {
                <section class="card" data-testid="why">
                    <div class="card-head">
                        <h2>{format!("Why: {label}")}</h2>
                        <button class="icon-button" title="Close" on:click=move |_| picked.set(None)>"✕"</button>
                    </div>
                    {move || match why.get() {
                        None => view! { <div class="small muted">"Evaluating RBAC…"</div> }.into_any(),
                        Some(Err(e)) => view! { <div class="hint">{e.message}</div> }.into_any(),
                        Some(Ok(d)) => decision_view(d).into_any(),
                    }}
                </section>
            })}
        </div>
    }
}

fn matrix_view(
    m: AccessMatrix,
    filter: RwSignal<String>,
    only_allowed: RwSignal<bool>,
    picked: RwSignal<Option<(String, Action)>>,
) -> impl IntoView {
    let stats = format!(
        "{} rules review(s), {} access review(s), {} ms",
        m.stats.rules_reviews, m.stats.access_reviews, m.stats.elapsed_ms
    );
    let risks = m.risks.clone();
    let verbs = m.verbs.clone();
    let m = StoredValue::new(m);
    view! {
        <div class="small muted">{stats}{m.with_value(|m| if m.superuser { " · you are in system:masters: RBAC is not consulted, everything is allowed" } else { "" })}</div>
        {(!risks.is_empty()).then(|| view! {
            <details class="risks" data-testid="risks">
                <summary>{format!("{} risky grant(s)", risks.len())}</summary>
                <ul>{risks.iter().map(|r| view! { <li><strong>{format!("{} {}", r.scope.label(), r.resource)}</strong>" "{r.verbs.join(", ")}": "{r.message.clone()}</li> }).collect_view()}</ul>
            </details>
        })}
        <div class="matrix-wrap">
            <table class="matrix" data-testid="matrix">
                <thead><tr><th>"scope"</th><th>"resource"</th>{verbs.iter().map(|v| view! { <th>{v.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {move || {
                        let needle = filter.get().to_lowercase();
                        let only = only_allowed.get();
                        m.with_value(|m| {
                            let mut out = Vec::new();
                            for (si, s) in m.scopes.iter().enumerate() {
                                for (ri, row) in s.rows.iter().enumerate() {
                                    let Some(res) = m.resources.get(row.resource) else { continue };
                                    if !needle.is_empty() && !res.key.to_lowercase().contains(&needle) {
                                        continue;
                                    }
                                    if only && !row.cells.iter().any(|c| matches!(c.state, CellState::Allowed | CellState::NamedOnly)) {
                                        continue;
                                    }
                                    let scope_label = match &s.scope { MatrixScope::Cluster => "cluster".to_string(), MatrixScope::Namespace { name } => name.clone() };
                                    let cells = row.cells.iter().enumerate().map(|(ci, c)| {
                                        let (class, mark) = match (c.applicable, c.state) {
                                            (false, _) => ("cell na", ""),
                                            (_, CellState::Allowed) => ("cell yes", "✓"),
                                            (_, CellState::NamedOnly) => ("cell named", "◐"),
                                            (_, CellState::Denied) => ("cell no", "·"),
                                            (_, CellState::Unknown) => ("cell unknown", "?"),
                                        };
                                        let risky = !c.risks.is_empty();
                                        let action = m.action(si, ri, ci);
                                        let label = format!("{} {} in {}", c.verb, res.key, scope_label);
                                        let title = if c.names.is_empty() { label.clone() } else { format!("{label} (only {})", c.names.join(", ")) };
                                        let state = format!("{:?}", c.state).to_lowercase();
                                        view! {
                                            <td class=class class:risky=risky title=title data-testid="cell" data-scope=scope_label.clone() data-verb=c.verb.clone() data-resource=res.key.clone() data-state=state
                                                on:click=move |_| if let Some(a) = action.clone() { picked.set(Some((label.clone(), a))); }>
                                                {mark}
                                            </td>
                                        }
                                    }).collect_view();
                                    out.push(view! { <tr><td class="scope">{scope_label}</td><td class="res mono">{res.key.clone()}</td>{cells}</tr> });
                                }
                            }
                            out.collect_view()
                        })
                    }}
                </tbody>
            </table>
        </div>
    }
}

fn decision_view(c: CheckedDecision) -> impl IntoView {
    let d = c.decision;
    // The API server's answer is the truth; the local evaluation explains it when Loupe can
    // read the RBAC objects (a limited user often cannot: then the server's reason explains).
    let allowed = c.review.as_ref().map_or(d.allowed, |r| r.allowed);
    let verdict = if allowed { "allowed" } else { "denied" };
    let blind = !d.caveats.is_empty();
    let summary = if c.agrees == Some(false) && blind {
        "Loupe cannot read the RBAC objects that decide this, so the API server's own reason is shown below.".to_string()
    } else {
        d.summary.clone()
    };
    view! {
        <div class=format!("verdict {verdict}") data-testid="why-verdict" data-allowed=allowed.to_string()>
            <strong>{if allowed { "Allowed. " } else { "Denied. " }}</strong>{summary}
        </div>
        {c.review.as_ref().map(|r| view! {
            <div class="small server-says" data-testid="why-server">{format!("The API server says: {}{}", if r.allowed { "allowed" } else { "denied" }, if r.reason.is_empty() { String::new() } else { format!(", {}", r.reason) })}</div>
        })}
        {c.note.clone().filter(|_| !blind).map(|n| view! { <div class="banner warning small">{n}</div> })}
        {(!d.grants.is_empty()).then(|| view! {
            <ol class="chains" data-testid="why-chains">
                {d.grants.iter().map(|g| {
                    let role_kind = if g.role.kind == RoleKind::ClusterRole { "ClusterRole" } else { "Role" };
                    let binding = match &g.binding.namespace { Some(ns) => format!("{:?} {ns}/{}", g.binding.kind, g.binding.name), None => format!("{:?} {}", g.binding.kind, g.binding.name) };
                    view! {
                        <li class="chain">
                            <span class="node subject">{g.subject.describe()}</span>
                            <span class="arrow">"→"</span>
                            <span class="node binding">{binding}</span>
                            <span class="arrow">"→"</span>
                            <span class="node role">{format!("{role_kind} {}", g.role.name)}{g.role.aggregated.then_some(" (aggregated)")}</span>
                            <span class="arrow">"→"</span>
                            <span class="node rule mono">{g.rule.describe()}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        })}
        {(!d.would_grant.is_empty()).then(|| view! {
            <div class="would-grant">
                <div class="small">"Nothing grants it. A built-in role that would:"</div>
                <ul>{d.would_grant.iter().map(|g| view! { <li><strong>{g.role.clone()}</strong>" "<code>{g.command.clone()}</code></li> }).collect_view()}</ul>
            </div>
        })}
        {(!d.caveats.is_empty()).then(|| view! {
            <ul class="small muted">{d.caveats.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}</ul>
        })}
    }
}
