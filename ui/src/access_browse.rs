//! The RBAC objects of a cluster: Roles, ClusterRoles, RoleBindings, ClusterRoleBindings and
//! ServiceAccounts as lists, and the subject → binding → role graph as an SVG drawn here (three
//! columns, bindings and roles ordered by their neighbours to keep lines from crossing). Any
//! object opens its YAML (the `object_detail` command the resource browser uses).

use crate::access::{Shared, subject_key};
use crate::bridge;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_model::UiError;
use loupe_model::rbac::{
    BindingKind, BindingRef, GraphNode, GraphNodeKind, RbacBrowse, RbacCoverage, ReadState,
    RoleKind, RoleSummary, SubjectKind, SubjectRef,
};
use loupe_model::resources::ObjectDetail;
use std::collections::{HashMap, HashSet};

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// An object whose YAML to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlTarget {
    /// API group (`""` for ServiceAccounts).
    pub group: String,
    /// Plural resource name (`rolebindings`).
    pub plural: String,
    /// Kind, for the heading.
    pub kind: String,
    /// Namespace, for namespaced objects.
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
}

impl YamlTarget {
    fn rbac(kind: &str, plural: &str, namespace: Option<String>, name: &str) -> Self {
        Self {
            group: RBAC_GROUP.into(),
            plural: plural.into(),
            kind: kind.into(),
            namespace,
            name: name.into(),
        }
    }

    fn binding(b: &BindingRef) -> Self {
        match b.kind {
            BindingKind::ClusterRoleBinding => {
                Self::rbac("ClusterRoleBinding", "clusterrolebindings", None, &b.name)
            }
            BindingKind::RoleBinding => {
                Self::rbac("RoleBinding", "rolebindings", b.namespace.clone(), &b.name)
            }
        }
    }

    fn service_account(namespace: &str, name: &str) -> Self {
        Self {
            group: String::new(),
            plural: "serviceaccounts".into(),
            kind: "ServiceAccount".into(),
            namespace: Some(namespace.into()),
            name: name.into(),
        }
    }

    /// The object behind a graph node; `None` for users and groups (no object exists).
    fn of_node(n: &GraphNode) -> Option<Self> {
        let ns = n.namespace.clone();
        Some(match n.kind {
            GraphNodeKind::ClusterRoleBinding => {
                Self::rbac("ClusterRoleBinding", "clusterrolebindings", None, &n.label)
            }
            GraphNodeKind::RoleBinding => Self::rbac("RoleBinding", "rolebindings", ns, &n.label),
            GraphNodeKind::ClusterRole => Self::rbac("ClusterRole", "clusterroles", None, &n.label),
            GraphNodeKind::Role => Self::rbac("Role", "roles", ns, &n.label),
            GraphNodeKind::ServiceAccount => {
                Self::service_account(ns.as_deref().unwrap_or_default(), &n.label)
            }
            GraphNodeKind::User | GraphNodeKind::Group => return None,
        })
    }
}

/// The YAML of one RBAC object or ServiceAccount, as a side panel (Esc closes).
#[component]
pub fn YamlPanel(s: Shared, target: YamlTarget) -> impl IntoView {
    let detail = RwSignal::new(None::<Result<ObjectDetail, UiError>>);
    let ctx = s.ctx;
    let t = target.clone();
    spawn_local(async move {
        let ctx = ctx.get_value();
        let r = match bridge::discover_resources(&ctx).await {
            Ok(d) => match d.find(&t.group, &t.plural).cloned() {
                Some(res) => {
                    bridge::object_detail(&ctx, &res, t.namespace.as_deref(), &t.name, false).await
                }
                None => Err(UiError::new(
                    loupe_model::ErrorKind::NotFound,
                    format!("The API server does not serve {}.", t.plural),
                )),
            },
            Err(e) => Err(e),
        };
        detail.set(Some(r));
    });
    let heading = format!("{} {}", target.kind, target.name);
    let sub = target
        .namespace
        .clone()
        .map(|n| format!("namespace {n}"))
        .unwrap_or_else(|| "cluster-wide".into());
    view! {
        <aside class="object-panel card" data-testid="rbac-yaml-panel" data-kind=target.kind.clone() data-name=target.name.clone()>
            <div class="card-head">
                <h2>{heading}</h2>
                <button class="icon-button" title="Close (Esc)" data-testid="rbac-yaml-close" on:click=move |_| s.yaml.set(None)>"✕"</button>
            </div>
            <div class="small muted">{sub}</div>
            {move || match detail.get() {
                None => view! { <div class="small muted"><span class="spinner inline" aria-hidden="true"></span>"Reading the object…"</div> }.into_any(),
                Some(Err(e)) => view! { <div class="banner warning small">{e.message}</div> }.into_any(),
                Some(Ok(d)) => view! { <pre class="yaml" data-testid="rbac-yaml">{d.yaml}</pre> }.into_any(),
            }}
        </aside>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum List {
    Graph,
    ClusterRoles,
    Roles,
    ClusterRoleBindings,
    RoleBindings,
    ServiceAccounts,
}

/// `""`: every namespace; [`CLUSTER_ONLY`]: cluster-wide objects only; else one namespace.
const CLUSTER_ONLY: &str = "\u{0}cluster";

fn ns_ok(filter: &str, ns: Option<&str>) -> bool {
    match ns {
        None => true,
        Some(ns) => filter.is_empty() || filter == ns,
    }
}

fn coverage_notes(c: &RbacCoverage) -> Vec<String> {
    let mut out = Vec::new();
    for (what, st) in [
        ("ClusterRoles", &c.cluster_roles),
        ("ClusterRoleBindings", &c.cluster_role_bindings),
        ("Roles", &c.roles),
        ("RoleBindings", &c.role_bindings),
        ("ServiceAccounts", &c.service_accounts),
    ] {
        match st {
            ReadState::Forbidden { .. } => {
                out.push(format!("You may not list {what}, so none are shown."))
            }
            ReadState::Failed { message } => {
                out.push(format!("{what} could not be read: {message}"))
            }
            ReadState::Namespaces { namespaces } => out.push(format!(
                "{what}: only namespaces {} could be read.",
                namespaces.join(", ")
            )),
            _ => {}
        }
    }
    out
}

/// Lists and graph of the RBAC objects.
#[component]
pub fn BrowseSection(s: Shared) -> impl IntoView {
    let list = RwSignal::new(List::Graph);
    let ns = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let system = RwSignal::new(false);
    let tab = move |l: List, id: &'static str, label: &'static str| {
        view! {
            <button role="tab" data-testid=id aria-selected=move || (list.get() == l).to_string() on:click=move |_| list.set(l)>{label}</button>
        }
    };
    view! {
        <section class="card" data-testid="rbac-browse">
            <div class="card-head">
                <h2>"Roles & bindings"</h2>
                {move || match s.browse.get() {
                    Some(Ok(b)) => view! { <span class="small muted">{format!("read {} s ago · Refresh reads them again", b.age_secs)}</span> }.into_any(),
                    _ => ().into_any(),
                }}
            </div>
            <p class="small muted">"A "<em>"Role"</em>" (one namespace) or "<em>"ClusterRole"</em>" is a list of rules. A "<em>"RoleBinding"</em>" grants a role to subjects in its namespace; a "<em>"ClusterRoleBinding"</em>" grants a ClusterRole everywhere. Click any object for its YAML, a user or group for its access."</p>
            <nav class="tabs" role="tablist">
                {tab(List::Graph, "browse-graph", "Graph")}
                {tab(List::ClusterRoles, "browse-clusterroles", "ClusterRoles")}
                {tab(List::Roles, "browse-roles", "Roles")}
                {tab(List::ClusterRoleBindings, "browse-crbs", "ClusterRoleBindings")}
                {tab(List::RoleBindings, "browse-rbs", "RoleBindings")}
                {tab(List::ServiceAccounts, "browse-sas", "ServiceAccounts")}
            </nav>
            <div class="toolbar plain">
                <select data-testid="browse-namespace" on:change=move |ev| ns.set(event_target_value(&ev))>
                    <option value="">"all namespaces"</option>
                    <option value=CLUSTER_ONLY>"cluster-wide objects only"</option>
                    {move || s.namespaces.get().into_iter().map(|n| { let v = n.clone(); view! { <option value=v>{n}</option> } }).collect_view()}
                </select>
                <input type="search" data-testid="browse-filter" placeholder="Filter by name or subject" prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev)) />
                <label class="small" title="Bindings and roles named system:… are the cluster's own (control plane, controllers)">
                    <input type="checkbox" data-testid="browse-system" on:change=move |ev| system.set(event_target_checked(&ev)) />" show system:* objects"</label>
            </div>
            {move || match s.browse.get() {
                None => view! { <div class="center-state small"><div class="spinner" aria-hidden="true"></div>"Reading roles, bindings and ServiceAccounts…"</div> }.into_any(),
                Some(Err(e)) => view! { <div class="banner warning" data-testid="browse-error">{e.message}</div> }.into_any(),
                Some(Ok(b)) => {
                    let notes = coverage_notes(&b.overview.coverage);
                    let b = StoredValue::new(b);
                    view! {
                        {(!notes.is_empty()).then(|| view! { <div class="banner warning small" data-testid="browse-coverage">{notes.join(" ")}</div> })}
                        {move || {
                            let (f, t, sys) = (ns.get(), text.get().to_lowercase(), system.get());
                            b.with_value(|b| match list.get() {
                                List::Graph => graph_view(s, b, &f, &t, sys).into_any(),
                                l => list_view(s, b, l, &f, &t, sys).into_any(),
                            })
                        }}
                    }.into_any()
                }
            }}
        </section>
    }
}

fn hidden_system(sys: bool, name: &str) -> bool {
    !sys && name.starts_with("system:")
}

fn subjects_text(subjects: &[SubjectRef]) -> String {
    subjects
        .iter()
        .map(|s| match (s.kind, &s.namespace) {
            (SubjectKind::ServiceAccount, Some(ns)) => format!("sa {ns}/{}", s.name),
            (SubjectKind::Group, _) => format!("group {}", s.name),
            _ => format!("user {}", s.name),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn list_view(s: Shared, b: &RbacBrowse, l: List, f: &str, t: &str, sys: bool) -> AnyView {
    let ns_filter = |ns: Option<&str>| {
        if f == CLUSTER_ONLY {
            ns.is_none()
        } else {
            ns_ok(f, ns)
        }
    };
    let hit = |hay: &str| t.is_empty() || hay.to_lowercase().contains(t);
    // (cells, target)
    let mut rows: Vec<(Vec<String>, YamlTarget)> = Vec::new();
    let headers: &[&str];
    let roles = |v: &[RoleSummary], rows: &mut Vec<(Vec<String>, YamlTarget)>| {
        for r in v {
            if !ns_filter(r.role.namespace.as_deref())
                || hidden_system(sys, &r.role.name)
                || !hit(&r.role.name)
            {
                continue;
            }
            let (kind, plural) = match r.role.kind {
                RoleKind::ClusterRole => ("ClusterRole", "clusterroles"),
                RoleKind::Role => ("Role", "roles"),
            };
            let rules = if r.rules.is_empty() {
                "(no rules)".to_string()
            } else {
                let first = r.rules[0].describe();
                if r.rules.len() > 1 {
                    format!("{first}  (+{} more)", r.rules.len() - 1)
                } else {
                    first
                }
            };
            let mut notes = Vec::new();
            if !r.aggregates.is_empty() {
                notes.push(format!("aggregates {}", r.aggregates.join(", ")));
            }
            rows.push((
                vec![
                    r.role.namespace.clone().unwrap_or_default(),
                    r.role.name.clone(),
                    rules,
                    format!(
                        "{}{}",
                        r.bound_by.len(),
                        if notes.is_empty() {
                            String::new()
                        } else {
                            format!(" · {}", notes.join("; "))
                        }
                    ),
                ],
                YamlTarget::rbac(kind, plural, r.role.namespace.clone(), &r.role.name),
            ));
        }
    };
    match l {
        List::ClusterRoles | List::Roles => {
            headers = &["namespace", "name", "rules", "bindings"];
            if l == List::ClusterRoles {
                roles(&b.overview.cluster_roles, &mut rows);
            } else {
                roles(&b.overview.roles, &mut rows);
            }
        }
        List::ClusterRoleBindings | List::RoleBindings => {
            headers = &["namespace", "name", "role", "subjects"];
            let v = if l == List::ClusterRoleBindings {
                &b.overview.cluster_role_bindings
            } else {
                &b.overview.role_bindings
            };
            for x in v {
                let subs = subjects_text(&x.subjects);
                if !ns_filter(x.binding.namespace.as_deref())
                    || hidden_system(sys, &x.binding.name)
                    || !(hit(&x.binding.name) || hit(&subs) || hit(&x.role.name))
                {
                    continue;
                }
                let role_kind = if x.role.kind == RoleKind::ClusterRole {
                    "ClusterRole"
                } else {
                    "Role"
                };
                rows.push((
                    vec![
                        x.binding.namespace.clone().unwrap_or_default(),
                        x.binding.name.clone(),
                        format!(
                            "{role_kind} {}{}",
                            x.role.name,
                            if x.role_exists { "" } else { " (missing!)" }
                        ),
                        subs,
                    ],
                    YamlTarget::binding(&x.binding),
                ));
            }
        }
        _ => {
            headers = &["namespace", "name", "user name", "bindings"];
            for a in &b.overview.service_accounts {
                if !ns_filter(Some(&a.namespace)) || f == CLUSTER_ONLY || !hit(&a.username) {
                    continue;
                }
                rows.push((
                    vec![
                        a.namespace.clone(),
                        a.name.clone(),
                        a.username.clone(),
                        a.bound_by
                            .iter()
                            .map(|b| b.name.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ],
                    YamlTarget::service_account(&a.namespace, &a.name),
                ));
            }
        }
    }
    let count = rows.len();
    view! {
        <div class="small muted" data-testid="browse-count">{format!("{count} shown")}</div>
        {if count == 0 {
            view! { <div class="empty-rows" data-testid="browse-empty">"Nothing matches (or nothing readable): change the namespace, the filter, or show system:* objects."</div> }.into_any()
        } else {
            view! {
                <div class="list-wrap">
                    <table class="list-table" data-testid="browse-table">
                        <thead><tr>{headers.iter().map(|h| view! { <th>{*h}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            {rows.into_iter().map(|(cells, target)| {
                                let t2 = target.clone();
                                view! {
                                    <tr data-testid="browse-row" data-name=target.name.clone() tabindex="0"
                                        on:keydown=move |ev: KeyboardEvent| if ev.key() == "Enter" { s.yaml.set(Some(t2.clone())) }>
                                        {cells.into_iter().enumerate().map(|(i, c)| {
                                            let t = target.clone();
                                            view! { <td class:mono={i >= 1} on:click=move |_| s.yaml.set(Some(t.clone()))>{c}</td> }
                                        }).collect_view()}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
    .into_any()
}

const NODE_W: f64 = 236.0;
const NODE_H: f64 = 26.0;
const ROW_H: f64 = 34.0;
const COL_X: [f64; 3] = [8.0, 312.0, 616.0];

fn column(kind: GraphNodeKind) -> usize {
    match kind {
        GraphNodeKind::User | GraphNodeKind::Group | GraphNodeKind::ServiceAccount => 0,
        GraphNodeKind::ClusterRoleBinding | GraphNodeKind::RoleBinding => 1,
        GraphNodeKind::ClusterRole | GraphNodeKind::Role => 2,
    }
}

fn kind_class(kind: GraphNodeKind) -> (&'static str, &'static str) {
    match kind {
        GraphNodeKind::User => ("g-user", "User"),
        GraphNodeKind::Group => ("g-group", "Group"),
        GraphNodeKind::ServiceAccount => ("g-sa", "SA"),
        GraphNodeKind::ClusterRoleBinding => ("g-crb", "CRB"),
        GraphNodeKind::RoleBinding => ("g-rb", "RB"),
        GraphNodeKind::ClusterRole => ("g-cr", "CR"),
        GraphNodeKind::Role => ("g-role", "Role"),
    }
}

fn node_text(n: &GraphNode) -> String {
    let full = match &n.namespace {
        Some(ns) => format!("{ns}/{}", n.label),
        None => n.label.clone(),
    };
    if full.chars().count() > 30 {
        let cut: String = full.chars().take(29).collect();
        format!("{cut}…")
    } else {
        full
    }
}

/// Orders a column by the mean position of its neighbours on the left (fewer crossings).
fn order_by_neighbours<'a>(
    col: &mut [&'a GraphNode],
    left: &[&'a GraphNode],
    edges: &[(&str, &str)],
) {
    let pos: HashMap<&str, usize> = left
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let key = |n: &GraphNode| -> f64 {
        let ps: Vec<f64> = edges
            .iter()
            .filter(|(_, z)| *z == n.id)
            .filter_map(|(a, _)| pos.get(a).map(|&p| p as f64))
            .collect();
        if ps.is_empty() {
            f64::MAX
        } else {
            ps.iter().sum::<f64>() / ps.len() as f64
        }
    };
    col.sort_by(|a, b| {
        key(a)
            .total_cmp(&key(b))
            .then_with(|| a.label.cmp(&b.label))
    });
}

/// The subject → binding → role graph, filtered (namespace, subject text, system objects) and
/// laid out in three columns.
fn graph_view(s: Shared, b: &RbacBrowse, f: &str, t: &str, sys: bool) -> AnyView {
    let g = &b.graph;
    let nodes: HashMap<&str, &GraphNode> = g.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    // Bindings kept by the namespace and system filters.
    let binding_ok = |n: &GraphNode| {
        let ns_hit = if f == CLUSTER_ONLY {
            n.kind == GraphNodeKind::ClusterRoleBinding
        } else {
            n.kind == GraphNodeKind::ClusterRoleBinding || ns_ok(f, n.namespace.as_deref())
        };
        ns_hit && !hidden_system(sys, &n.label)
    };
    let subject_hit = |n: &GraphNode| {
        t.is_empty()
            || n.label.to_lowercase().contains(t)
            || n.namespace
                .as_deref()
                .is_some_and(|ns| format!("{ns}/{}", n.label).to_lowercase().contains(t))
    };
    let mut subj_edges: Vec<(&str, &str)> = Vec::new();
    let mut role_edges: Vec<(&str, &str)> = Vec::new();
    for e in &g.edges {
        let (Some(a), Some(z)) = (nodes.get(e.from.as_str()), nodes.get(e.to.as_str())) else {
            continue;
        };
        match e.relation.as_str() {
            "subject" if binding_ok(z) && subject_hit(a) => {
                subj_edges.push((a.id.as_str(), z.id.as_str()))
            }
            "roleRef" if binding_ok(a) => role_edges.push((a.id.as_str(), z.id.as_str())),
            _ => {}
        }
    }
    let kept_bindings: HashSet<&str> = subj_edges.iter().map(|(_, z)| *z).collect();
    role_edges.retain(|(a, _)| kept_bindings.contains(a));
    let mut cols: [Vec<&GraphNode>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    let mut seen = HashSet::new();
    for id in subj_edges
        .iter()
        .flat_map(|(a, z)| [*a, *z])
        .chain(role_edges.iter().map(|(_, z)| *z))
    {
        if seen.insert(id)
            && let Some(n) = nodes.get(id)
        {
            cols[column(n.kind)].push(n);
        }
    }
    cols[0].sort_by(|a, b| (a.kind, &a.namespace, &a.label).cmp(&(b.kind, &b.namespace, &b.label)));
    let [c0, mut c1, mut c2] = cols;
    order_by_neighbours(&mut c1, &c0, &subj_edges);
    order_by_neighbours(&mut c2, &c1, &role_edges);
    let rows = c0.len().max(c1.len()).max(c2.len());
    if rows == 0 {
        return view! { <div class="empty-rows" data-testid="graph-empty">"No binding matches: change the namespace or the subject filter, or show system:* objects."</div> }.into_any();
    }
    let mut at: HashMap<&str, (f64, f64)> = HashMap::new();
    for (ci, col) in [&c0, &c1, &c2].into_iter().enumerate() {
        for (i, n) in col.iter().enumerate() {
            at.insert(n.id.as_str(), (COL_X[ci], 30.0 + i as f64 * ROW_H));
        }
    }
    let width = COL_X[2] + NODE_W + 8.0;
    let height = 30.0 + rows as f64 * ROW_H;
    let hl = RwSignal::new(None::<String>);
    let edges_view = subj_edges
        .iter()
        .chain(role_edges.iter())
        .filter_map(|(a, z)| {
            let (x1, y1) = at.get(a)?;
            let (x2, y2) = at.get(z)?;
            let (sx, sy, ex, ey) = (x1 + NODE_W, y1 + NODE_H / 2.0, *x2, y2 + NODE_H / 2.0);
            let mx = (sx + ex) / 2.0;
            let d = format!("M{sx:.1},{sy:.1} C{mx:.1},{sy:.1} {mx:.1},{ey:.1} {ex:.1},{ey:.1}");
            let (a, z) = (a.to_string(), z.to_string());
            Some(view! {
                <path class="g-edge" class:hl=move || hl.with(|h| h.as_deref() == Some(a.as_str()) || h.as_deref() == Some(z.as_str())) d=d />
            })
        })
        .collect_view();
    let node_views = [&c0, &c1, &c2]
        .into_iter()
        .flatten()
        .filter_map(|n| {
            let (x, y) = *at.get(n.id.as_str())?;
            let (class, badge) = kind_class(n.kind);
            let text = node_text(n);
            let title = match &n.namespace {
                Some(ns) => format!("{badge} {ns}/{}{}", n.label, if n.missing { " (does not exist)" } else { "" }),
                None => format!("{badge} {}{}", n.label, if n.missing { " (does not exist)" } else { "" }),
            };
            let node = (*n).clone();
            let open = move || match YamlTarget::of_node(&node) {
                Some(t) => s.yaml.set(Some(t)),
                None => {
                    let kind = if node.kind == GraphNodeKind::Group { SubjectKind::Group } else { SubjectKind::User };
                    s.open_subject(Some(SubjectRef { kind, name: node.label.clone(), namespace: None }));
                }
            };
            let (id1, id2) = (n.id.clone(), n.id.clone());
            let subject = match n.kind {
                GraphNodeKind::User | GraphNodeKind::Group | GraphNodeKind::ServiceAccount => Some(subject_key(&SubjectRef {
                    kind: match n.kind { GraphNodeKind::User => SubjectKind::User, GraphNodeKind::Group => SubjectKind::Group, _ => SubjectKind::ServiceAccount },
                    name: n.label.clone(),
                    namespace: n.namespace.clone(),
                })),
                _ => None,
            };
            Some(view! {
                <g class=format!("g-node {class}") class:missing=n.missing tabindex="0" role="button" data-testid="graph-node" data-id=n.id.clone() data-subject=subject
                    transform=format!("translate({x:.1},{y:.1})")
                    on:mouseenter=move |_| hl.set(Some(id1.clone())) on:focus=move |_| hl.set(Some(id2.clone()))
                    on:mouseleave=move |_| hl.set(None)
                    on:keydown={let open = open.clone(); move |ev: KeyboardEvent| if ev.key() == "Enter" { open() }}
                    on:click=move |_| open()>
                    <title>{title}</title>
                    <rect width=NODE_W.to_string() height=NODE_H.to_string() rx="6" />
                    <text class="g-badge" x="8" y="17">{badge}</text>
                    <text class="g-label" x="44" y="17">{text}</text>
                </g>
            })
        })
        .collect_view();
    let counts = format!(
        "{} subject(s) → {} binding(s) → {} role(s)",
        c0.len(),
        c1.len(),
        c2.len()
    );
    view! {
        <div class="small muted" data-testid="graph-counts">{counts}" · click a binding or role for its YAML, a user or group for its access"</div>
        <div class="graph-wrap">
            <svg class="rbac-graph" data-testid="rbac-graph" width=width.to_string() height=height.to_string() viewBox=format!("0 0 {width} {height}") role="img" aria-label="subjects, bindings and roles">
                <text class="g-col" x=COL_X[0].to_string() y="16">"SUBJECTS (who)"</text>
                <text class="g-col" x=COL_X[1].to_string() y="16">"BINDINGS (grant)"</text>
                <text class="g-col" x=COL_X[2].to_string() y="16">"ROLES (rules)"</text>
                {edges_view}
                {node_views}
            </svg>
        </div>
    }.into_any()
}
