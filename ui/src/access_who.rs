//! "Who can": for a verb on a resource (subresources included) in a namespace or cluster-wide,
//! optionally one object by name, every user, group and ServiceAccount a binding allows, each
//! with the binding and role that grant it. Answered locally from the RBAC objects, so it needs
//! the right to read them; otherwise the reason is shown.

use crate::access::{Shared, subject_label};
use crate::bridge;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_model::UiError;
use loupe_model::rbac::{BindingKind, GrantChain, MATRIX_VERBS, RoleKind, SubjectKind, WhoCan};

const COMMON_RESOURCES: [&str; 16] = [
    "pods",
    "pods/log",
    "pods/exec",
    "pods/portforward",
    "secrets",
    "configmaps",
    "services",
    "deployments.apps",
    "deployments.apps/scale",
    "serviceaccounts",
    "serviceaccounts/token",
    "namespaces",
    "nodes",
    "nodes/proxy",
    "roles.rbac.authorization.k8s.io",
    "clusterroles.rbac.authorization.k8s.io",
];

fn binding_text(g: &GrantChain) -> String {
    match (&g.binding.kind, &g.binding.namespace) {
        (BindingKind::RoleBinding, Some(ns)) => format!("RoleBinding {ns}/{}", g.binding.name),
        (BindingKind::RoleBinding, None) => format!("RoleBinding {}", g.binding.name),
        (BindingKind::ClusterRoleBinding, _) => format!("ClusterRoleBinding {}", g.binding.name),
    }
}

fn role_text(g: &GrantChain) -> String {
    let kind = if g.role.kind == RoleKind::ClusterRole {
        "ClusterRole"
    } else {
        "Role"
    };
    format!(
        "{kind} {}{}",
        g.role.name,
        if g.role.aggregated {
            " (aggregated)"
        } else {
            ""
        }
    )
}

/// The who-can form and its answer.
#[component]
pub fn WhoCanSection(s: Shared) -> impl IntoView {
    let ctx = s.ctx;
    let verb = RwSignal::new("delete".to_string());
    let resource = RwSignal::new("secrets".to_string());
    let namespace = RwSignal::new(
        s.selected
            .get_untracked()
            .first()
            .cloned()
            .unwrap_or_default(),
    );
    let name = RwSignal::new(String::new());
    let answer = RwSignal::new(None::<Result<WhoCan, UiError>>);
    let asking = RwSignal::new(false);

    let ask = move || {
        let (v, r, ns, n) = (
            verb.get_untracked(),
            resource.get_untracked(),
            namespace.get_untracked(),
            name.get_untracked(),
        );
        if v.trim().is_empty() || r.trim().is_empty() {
            return;
        }
        asking.set(true);
        answer.set(None);
        spawn_local(async move {
            let ns = (!ns.is_empty()).then_some(ns);
            let n = (!n.trim().is_empty()).then(|| n.trim().to_string());
            let a = bridge::who_can(&ctx.get_value(), &v, &r, ns.as_deref(), n.as_deref()).await;
            answer.set(Some(a));
            asking.set(false);
        });
    };
    let on_enter = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" {
            ask();
        }
    };

    view! {
        <section class="card" data-testid="whocan">
            <h2>"Who can"</h2>
            <p class="small muted">"Every user, group and ServiceAccount that RBAC allows to do something, with the binding and role that allow it. Loupe reads every binding and role of the cluster to answer, which needs the right to read them."</p>
            <form class="whocan-form toolbar plain" on:submit=move |ev| { ev.prevent_default(); ask(); }>
                <label class="small">"verb "
                    <input type="text" list="whocan-verbs" data-testid="whocan-verb" class="short" prop:value=move || verb.get()
                        on:input=move |ev| verb.set(event_target_value(&ev)) on:keydown=on_enter />
                </label>
                <datalist id="whocan-verbs">{MATRIX_VERBS.iter().map(|v| view! { <option value=*v></option> }).collect_view()}</datalist>
                <label class="small">"resource "
                    <input type="text" list="whocan-resources" data-testid="whocan-resource" placeholder="pods, pods/log, deployments.apps" prop:value=move || resource.get()
                        on:input=move |ev| resource.set(event_target_value(&ev)) on:keydown=on_enter />
                </label>
                <datalist id="whocan-resources">{COMMON_RESOURCES.iter().map(|r| view! { <option value=*r></option> }).collect_view()}</datalist>
                <label class="small">"in "
                    <select data-testid="whocan-namespace" on:change=move |ev| namespace.set(event_target_value(&ev))>
                        <option value="" selected=move || namespace.get().is_empty()>"(cluster-wide)"</option>
                        {move || s.namespaces.get().into_iter().map(|n| {
                            let (n2, value) = (n.clone(), n.clone());
                            view! { <option value=value selected=move || namespace.get() == n2>{n}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="small">"name "
                    <input type="text" data-testid="whocan-name" class="short" placeholder="(any)" prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev)) on:keydown=on_enter />
                </label>
                <button type="submit" class="small-button primary" data-testid="whocan-ask" disabled=move || asking.get()>"Ask"</button>
            </form>
            {move || match answer.get() {
                None if asking.get() => view! { <div class="center-state small"><div class="spinner" aria-hidden="true"></div>"Reading bindings and roles…"</div> }.into_any(),
                None => view! { <div class="small muted empty-state">"Fill in the question and press Ask (or Enter)."</div> }.into_any(),
                Some(Err(e)) => view! {
                    <div class="banner warning" data-testid="whocan-error"><strong>"Who-can is not available here. "</strong>{e.message}{e.hint.map(|h| view! { <div class="small">{h}</div> })}</div>
                }.into_any(),
                Some(Ok(w)) => answer_view(s, w).into_any(),
            }}
        </section>
    }
}

fn answer_view(s: Shared, w: WhoCan) -> impl IntoView {
    let rows: Vec<_> = w
        .subjects
        .iter()
        .flat_map(|sub| sub.grants.iter().map(move |g| (sub, g)))
        .collect();
    let count = w.subjects.len();
    let action = w.action.clone();
    view! {
        <div class="small" data-testid="whocan-summary">
            {if count == 0 { format!("No binding allows: {}.", w.action.describe()) } else { format!("{count} subject(s) may {}:", w.action.describe()) }}
        </div>
        {(!rows.is_empty()).then(|| view! {
            <table class="list-table" data-testid="whocan-table">
                <thead><tr><th>"subject"</th><th>"kind"</th><th>"binding"</th><th>"role"</th><th>"rule"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(sub, g)| {
                        let subject = sub.subject.clone();
                        let kind = match subject.kind { SubjectKind::User => "User", SubjectKind::Group => "Group", SubjectKind::ServiceAccount => "ServiceAccount", SubjectKind::Other => "?" };
                        let name = match (&subject.kind, &subject.namespace) {
                            (SubjectKind::ServiceAccount, Some(ns)) => format!("{ns}/{}", subject.name),
                            _ => subject.name.clone(),
                        };
                        let note = sub.note.clone().unwrap_or_default();
                        let open = subject.clone();
                        let key = crate::access::subject_key(&subject);
                        view! {
                            <tr data-testid="whocan-row" data-subject=key>
                                <td>
                                    <button class="link-button" data-testid="whocan-subject" title=format!("Show the matrix of {}", subject_label(&subject))
                                        on:click=move |_| s.open_subject(Some(open.clone()))>{name}</button>
                                    {(!note.is_empty()).then(|| view! { <div class="small muted">{note}</div> })}
                                </td>
                                <td class="small">{kind}</td>
                                <td class="mono small">{binding_text(g)}</td>
                                <td class="mono small">{role_text(g)}</td>
                                <td class="mono small">{g.rule.describe_for(&action)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        })}
        <div class="small muted">{format!("Also allowed with no binding at all: members of {} (superusers; RBAC is not consulted for them).", w.superuser_groups.join(", "))}</div>
        {(!w.errors.is_empty()).then(|| view! { <ul class="small">{w.errors.iter().map(|e| view! { <li>{format!("{e} (this binding grants nothing)")}</li> }).collect_view()}</ul> })}
        {(!w.caveats.is_empty()).then(|| view! { <ul class="small muted">{w.caveats.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}</ul> })}
    }
}
