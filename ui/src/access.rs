//! The access view of one cluster. Every request to the API server is authenticated (who are
//! you?), authorized (may you do this?) and admitted; this view explains the middle step:
//!
//! - who the API server thinks you are;
//! - what a subject (you, or anyone named by a binding, or typed) may do: a matrix of resources x
//!   verbs for several namespaces and the cluster scope, exportable as CSV or JSON;
//! - for any cell why: the chain subject -> binding -> role -> rule that grants it, or what would;
//! - who can do a given action ([`crate::access_who`]);
//! - the RBAC objects as lists and as a graph ([`crate::access_browse`]).
//!
//! Other views can point here with a `loupe_model::rbac::AccessFocus` signal (e.g. after a
//! 403): `<AccessView context=c focus=signal />` selects that cell and shows its why.

use crate::access_browse::{BrowseSection, YamlPanel, YamlTarget};
use crate::access_who::WhoCanSection;
use crate::bridge;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_model::UiError;
use loupe_model::rbac::{
    AccessFocus, AccessMatrix, Action, CellState, CheckedDecision, ExportFormat, Identity,
    MatrixMethod, MatrixScope, RbacBrowse, RoleKind, SubjectKind, SubjectMatrix,
    SubjectMatrixRequest, SubjectRef,
};
use wasm_bindgen::JsCast;

/// The parts of the view.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Matrix,
    WhoCan,
    Browse,
}

/// State shared by the parts of the view (all signals: `Copy`).
#[derive(Clone, Copy)]
pub(crate) struct Shared {
    pub ctx: StoredValue<String>,
    pub section: RwSignal<Section>,
    /// Whose matrix: `None` = me.
    pub subject: RwSignal<Option<SubjectRef>>,
    /// Namespaces the user can pick.
    pub namespaces: RwSignal<Vec<String>>,
    /// Namespaces shown in the matrix.
    pub selected: RwSignal<Vec<String>>,
    pub all_namespaces: RwSignal<bool>,
    pub cluster: RwSignal<bool>,
    /// RBAC objects (lists, subjects, graph); loaded once per refresh.
    pub browse: RwSignal<Option<Result<RbacBrowse, UiError>>>,
    /// Bumped by Refresh: everything is read again.
    pub epoch: RwSignal<u32>,
    /// The object whose YAML is open.
    pub yaml: RwSignal<Option<YamlTarget>>,
}

impl Shared {
    /// Shows `subject`'s matrix.
    pub fn open_subject(&self, subject: Option<SubjectRef>) {
        self.subject.set(subject);
        self.section.set(Section::Matrix);
    }
}

/// `user:NAME`, `group:NAME`, `sa:NS:NAME`: a subject as an option value.
pub(crate) fn subject_key(s: &SubjectRef) -> String {
    match s.kind {
        SubjectKind::Group => format!("group:{}", s.name),
        SubjectKind::ServiceAccount => format!(
            "sa:{}:{}",
            s.namespace.as_deref().unwrap_or_default(),
            s.name
        ),
        _ => format!("user:{}", s.name),
    }
}

/// The subject of a kind (`user`, `group`, `sa`) and a typed name (`NS:NAME` for ServiceAccounts;
/// `system:serviceaccount:NS:NAME` is understood too).
pub(crate) fn parse_subject(kind: &str, text: &str) -> Option<SubjectRef> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let sa = |t: &str| {
        let (ns, name) = t.split_once(':')?;
        (!ns.is_empty() && !name.is_empty() && !name.contains(':')).then(|| SubjectRef {
            kind: SubjectKind::ServiceAccount,
            name: name.to_string(),
            namespace: Some(ns.to_string()),
        })
    };
    if let Some(rest) = text.strip_prefix("system:serviceaccount:") {
        return sa(rest);
    }
    match kind {
        "group" => Some(SubjectRef {
            kind: SubjectKind::Group,
            name: text.to_string(),
            namespace: None,
        }),
        "sa" => sa(text),
        _ => Some(SubjectRef {
            kind: SubjectKind::User,
            name: text.to_string(),
            namespace: None,
        }),
    }
}

fn subject_from_key(key: &str) -> Option<SubjectRef> {
    let (kind, rest) = key.split_once(':')?;
    parse_subject(kind, rest)
}

/// A short label of a subject, for headings and file names.
pub(crate) fn subject_label(s: &SubjectRef) -> String {
    match s.kind {
        SubjectKind::ServiceAccount => format!(
            "serviceaccount {}/{}",
            s.namespace.as_deref().unwrap_or_default(),
            s.name
        ),
        SubjectKind::Group => format!("group {}", s.name),
        _ => format!("user {}", s.name),
    }
}

/// A cell of the matrix the user picked: its label and action.
type Picked = Option<(String, Action)>;

/// The view for `context`. `focus`, when it changes to a cell, selects that cell of the caller's
/// own matrix (adding its namespace) and explains it.
#[component]
pub fn AccessView(
    context: String,
    #[prop(optional, into)] focus: Option<Signal<Option<AccessFocus>>>,
) -> impl IntoView {
    let s = Shared {
        ctx: StoredValue::new(context.clone()),
        section: RwSignal::new(Section::Matrix),
        subject: RwSignal::new(None),
        namespaces: RwSignal::new(Vec::new()),
        selected: RwSignal::new(Vec::new()),
        all_namespaces: RwSignal::new(false),
        cluster: RwSignal::new(true),
        browse: RwSignal::new(None),
        epoch: RwSignal::new(0),
        yaml: RwSignal::new(None),
    };
    let ctx = s.ctx;
    let identity = RwSignal::new(None::<Result<Identity, UiError>>);
    let refreshing = RwSignal::new(false);

    Effect::new(move |_| {
        s.epoch.track();
        identity.set(None);
        spawn_local(async move {
            identity.set(Some(bridge::whoami(&ctx.get_value()).await));
        });
    });
    Effect::new(move |_| {
        s.epoch.track();
        s.browse.set(None);
        spawn_local(async move {
            s.browse
                .set(Some(bridge::rbac_browse(&ctx.get_value()).await));
        });
    });
    spawn_local(async move {
        if let Ok(v) = bridge::visible_namespaces(&ctx.get_value()).await {
            // Start in "default" when listing works, else in the context's namespace.
            let first = if v.fell_back {
                v.names.first().cloned()
            } else {
                v.names
                    .iter()
                    .find(|n| n.as_str() == "default")
                    .or(v.names.first())
                    .cloned()
            };
            s.namespaces.set(v.names);
            if s.selected.get_untracked().is_empty() {
                s.selected.set(first.into_iter().collect());
            }
        } else if s.selected.get_untracked().is_empty() {
            s.selected.set(vec!["default".into()]);
        }
    });

    let refresh = move |_| {
        refreshing.set(true);
        spawn_local(async move {
            let _ = bridge::refresh_access(&ctx.get_value()).await;
            s.epoch.update(|e| *e += 1);
            refreshing.set(false);
        });
    };
    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" && s.yaml.get_untracked().is_some() {
            s.yaml.set(None);
        }
    };
    let tab = move |sec: Section, id: &'static str, label: &'static str| {
        view! {
            <button role="tab" data-testid=id aria-selected=move || (s.section.get() == sec).to_string()
                on:click=move |_| s.section.set(sec)>{label}</button>
        }
    };

    view! {
        <div class="access" data-testid="access-view" on:keydown=on_key>
            <section class="card" data-testid="whoami">
                <div class="card-head">
                    <h2>"Who am I"</h2>
                    <button class="icon-button" data-testid="access-refresh" title="Read the RBAC objects and your identity again (they are kept for a minute)"
                        disabled=move || refreshing.get() on:click=refresh>{move || if refreshing.get() { "Refreshing…" } else { "↻ Refresh" }}</button>
                </div>
                {move || match identity.get() {
                    None => view! { <div class="small muted"><span class="spinner inline" aria-hidden="true"></span>"Asking the API server who you are…"</div> }.into_any(),
                    Some(Err(e)) => view! { <div class="hint">{e.message}</div> }.into_any(),
                    Some(Ok(id)) => view! {
                        <div class="grid four">
                            <div class="fact"><div class="label">"username"</div><div class="value" data-testid="whoami-user">{if id.username.is_empty() { "(unknown)".to_string() } else { id.username.clone() }}</div></div>
                            <div class="fact"><div class="label">"groups"</div><div class="small">{id.groups.iter().map(|g| view! { <span class="badge muted-badge group">{g.clone()}</span>" " }).collect_view()}</div></div>
                        </div>
                        <ul class="explain">{id.explanation.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}</ul>
                    }.into_any(),
                }}
                <p class="small muted primer">"Every request is first "<strong>"authenticated"</strong>" (who are you?), then "<strong>"authorized"</strong>" (may you do this?), then "<strong>"admitted"</strong>" (is the object acceptable?). This tab explains authorization by RBAC: a "<em>"subject"</em>" (user, group or ServiceAccount) is named in a "<em>"binding"</em>", which grants a "<em>"role"</em>", whose "<em>"rules"</em>" list verbs on resources. RoleBindings count in one namespace, ClusterRoleBindings everywhere."</p>
            </section>
            <nav class="tabs" role="tablist">
                {tab(Section::Matrix, "access-tab-matrix", "What can … do")}
                {tab(Section::WhoCan, "access-tab-whocan", "Who can")}
                {tab(Section::Browse, "access-tab-browse", "Roles & bindings")}
            </nav>
            <div style:display=move || if s.section.get() == Section::Matrix { "contents" } else { "none" }>
                <MatrixSection s=s identity=identity focus=focus />
            </div>
            {move || (s.section.get() == Section::WhoCan).then(|| view! { <WhoCanSection s=s /> })}
            {move || (s.section.get() == Section::Browse).then(|| view! { <BrowseSection s=s /> })}
            {move || s.yaml.get().map(|t| view! { <YamlPanel s=s target=t /> })}
        </div>
    }
}

/// Whose matrix, where, the matrix itself, export, and the why of a picked cell.
#[component]
fn MatrixSection(
    s: Shared,
    identity: RwSignal<Option<Result<Identity, UiError>>>,
    focus: Option<Signal<Option<AccessFocus>>>,
) -> impl IntoView {
    let ctx = s.ctx;
    let matrix = RwSignal::new(None::<Result<SubjectMatrix, UiError>>);
    let filter = RwSignal::new(String::new());
    let only_allowed = RwSignal::new(false);
    let picked = RwSignal::new(None::<(String, Action)>);
    let why = RwSignal::new(None::<Result<CheckedDecision, UiError>>);
    let exported = RwSignal::new(None::<Result<String, UiError>>);
    let pending_focus = RwSignal::new(None::<AccessFocus>);
    let typed_kind = RwSignal::new("user".to_string());
    let typed_name = RwSignal::new(String::new());
    let typed_error = RwSignal::new(None::<String>);
    // Answers of superseded requests are dropped.
    let request_no = StoredValue::new(0u32);

    Effect::new(move |_| {
        s.epoch.track();
        let selected = s.selected.get();
        let all = s.all_namespaces.get();
        let cluster = s.cluster.get();
        let subject = s.subject.get();
        if selected.is_empty() && !all && !cluster {
            matrix.set(None);
            return;
        }
        matrix.set(None);
        picked.set(None);
        exported.set(None);
        request_no.update_value(|n| *n += 1);
        let mine = request_no.get_value();
        let request = SubjectMatrixRequest {
            subject,
            namespaces: selected,
            all_namespaces: all,
            cluster,
        };
        spawn_local(async move {
            let r = bridge::access_matrix(&ctx.get_value(), &request).await;
            if request_no.get_value() == mine {
                matrix.set(Some(r));
            }
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
        let subject = s.subject.get_untracked();
        spawn_local(async move {
            why.set(Some(
                bridge::explain_access(&ctx.get_value(), &action, subject.as_ref()).await,
            ));
        });
    });
    // A focus from elsewhere: my own matrix, with the cell's namespace (or the cluster scope).
    if let Some(focus) = focus {
        Effect::new(move |_| {
            let Some(f) = focus.get() else {
                return;
            };
            s.section.set(Section::Matrix);
            if s.subject.get_untracked().is_some() {
                s.subject.set(None);
            }
            match &f.namespace {
                Some(ns) if !s.selected.get_untracked().contains(ns) => {
                    s.selected.update(|v| v.push(ns.clone()))
                }
                None if !s.cluster.get_untracked() => s.cluster.set(true),
                _ => {}
            }
            filter.set(String::new());
            pending_focus.set(Some(f));
        });
    }
    Effect::new(move |_| {
        let Some(f) = pending_focus.get() else {
            return;
        };
        matrix.with(|m| {
            // Only my own matrix (a previous subject's may still be shown while mine loads).
            let Some(Ok(sm)) = m
                .as_ref()
                .filter(|m| matches!(m, Ok(sm) if sm.subject.is_none()))
            else {
                return;
            };
            if let Some(p) = find_cell(&sm.matrix, &f) {
                pending_focus.set(None);
                picked.set(Some(p));
                let css = focus_css(&f);
                request_animation_frame(move || {
                    if let Some(el) = document().query_selector(&css).ok().flatten() {
                        el.scroll_into_view();
                    }
                });
            }
        });
    });

    let export = move |format: ExportFormat| {
        let Some(Ok(sm)) = matrix.get_untracked() else {
            return;
        };
        let label = match &sm.subject {
            Some(sub) => subject_label(sub),
            None => sm.user.clone(),
        };
        exported.set(None);
        spawn_local(async move {
            exported.set(Some(
                bridge::export_access_matrix(&ctx.get_value(), &label, &sm.matrix, format).await,
            ));
        });
    };
    let show_typed =
        move || match parse_subject(&typed_kind.get_untracked(), &typed_name.get_untracked()) {
            Some(sub) => {
                typed_error.set(None);
                s.subject.set(Some(sub));
            }
            None => typed_error.set(Some(if typed_kind.get_untracked() == "sa" {
                "Type a ServiceAccount as namespace:name (for example team-a:ci-bot).".into()
            } else {
                "Type a name.".into()
            })),
        };
    let me_label = move || match identity.get() {
        Some(Ok(id)) if !id.username.is_empty() => format!("Me ({})", id.username),
        _ => "Me".to_string(),
    };
    let heading = move || match s.subject.get() {
        None => "What can I do".to_string(),
        Some(sub) => format!("What can {} do", subject_label(&sub)),
    };
    let ns_summary = move || {
        let mut parts = Vec::new();
        if s.all_namespaces.get() {
            parts.push("all namespaces".to_string());
        } else {
            let sel = s.selected.get();
            match sel.len() {
                0 => {}
                1..=3 => parts.push(sel.join(", ")),
                n => parts.push(format!("{n} namespaces")),
            }
        }
        if s.cluster.get() {
            parts.push("cluster scope".into());
        }
        if parts.is_empty() {
            "nothing selected".into()
        } else {
            parts.join(" + ")
        }
    };

    view! {
        <section class="card" data-testid="matrix-card">
            <div class="card-head">
                <h2 data-testid="matrix-heading">{heading}</h2>
                <div class="toolbar plain">
                    <button class="small-button" data-testid="export-csv" title="Save this matrix as CSV (one line per cell) in your Downloads folder"
                        disabled=move || !matches!(matrix.get(), Some(Ok(_))) on:click=move |_| export(ExportFormat::Csv)>"Export CSV"</button>
                    <button class="small-button" data-testid="export-json" title="Save this matrix as JSON in your Downloads folder"
                        disabled=move || !matches!(matrix.get(), Some(Ok(_))) on:click=move |_| export(ExportFormat::Json)>"Export JSON"</button>
                </div>
            </div>
            {move || exported.get().map(|r| match r {
                Ok(p) => view! { <div class="banner info small" data-testid="export-path">"Saved (readable only by you): "<code>{p}</code></div> }.into_any(),
                Err(e) => view! { <div class="banner warning small" data-testid="export-error">{e.message}</div> }.into_any(),
            })}
            <div class="subject-picker toolbar plain">
                <label class="small" for="subject-select">"Whose access"</label>
                <select id="subject-select" data-testid="subject-select"
                    on:change=move |ev| s.subject.set(subject_from_key(&event_target_value(&ev)))>
                    <option value="" selected=move || s.subject.get().is_none()>{me_label}</option>
                    {move || s.subject.get().map(|sub| {
                        let key = subject_key(&sub);
                        view! { <option value=key selected=true>{subject_label(&sub)}</option> }
                    })}
                    {move || match s.browse.get() {
                        Some(Ok(b)) => {
                            let current = s.subject.get();
                            let group = |label: &'static str, kind: SubjectKind| {
                                let items: Vec<SubjectRef> = b.subjects.iter().filter(|x| x.kind == kind && Some(*x) != current.as_ref()).cloned().collect();
                                (!items.is_empty()).then(|| view! {
                                    <optgroup label=label>
                                        {items.into_iter().map(|x| view! { <option value=subject_key(&x)>{subject_label(&x)}</option> }).collect_view()}
                                    </optgroup>
                                })
                            };
                            view! {
                                {group("Users", SubjectKind::User)}
                                {group("Groups", SubjectKind::Group)}
                                {group("ServiceAccounts", SubjectKind::ServiceAccount)}
                            }.into_any()
                        }
                        _ => ().into_any(),
                    }}
                </select>
                <span class="small muted">"or type one:"</span>
                <select data-testid="subject-kind" on:change=move |ev| typed_kind.set(event_target_value(&ev))>
                    <option value="user">"user"</option>
                    <option value="group">"group"</option>
                    <option value="sa">"serviceaccount"</option>
                </select>
                <input type="text" data-testid="subject-input" class="subject-input"
                    placeholder=move || if typed_kind.get() == "sa" { "namespace:name" } else { "name" }
                    prop:value=move || typed_name.get()
                    on:input=move |ev| typed_name.set(event_target_value(&ev))
                    on:keydown=move |ev: KeyboardEvent| if ev.key() == "Enter" { show_typed() } />
                <button class="small-button" data-testid="subject-show" on:click=move |_| show_typed()>"Show"</button>
                {move || typed_error.get().map(|e| view! { <span class="small err-text">{e}</span> })}
                {move || matches!(s.browse.get(), Some(Err(_))).then(|| view! {
                    <span class="small muted" title="Listing the subjects needs the right to read RoleBindings and ClusterRoleBindings">"(you may not read bindings: type a subject)"</span>
                })}
            </div>
            <div class="toolbar plain">
                <details class="ns-picker" data-testid="ns-picker">
                    <summary data-testid="ns-summary">{ns_summary}</summary>
                    <div class="ns-options">
                        <label class="small"><input type="checkbox" data-testid="ns-all" prop:checked=move || s.all_namespaces.get()
                            on:change=move |ev| s.all_namespaces.set(event_target_checked(&ev)) />" All namespaces"</label>
                        <label class="small"><input type="checkbox" data-testid="ns-cluster" prop:checked=move || s.cluster.get()
                            on:change=move |ev| s.cluster.set(event_target_checked(&ev)) />" Cluster scope (cluster-wide resources; namespaced ones in all namespaces at once)"</label>
                        <hr />
                        {move || s.namespaces.get().into_iter().map(|n| {
                            let (n1, n2, n3) = (n.clone(), n.clone(), n.clone());
                            view! {
                                <label class="small"><input type="checkbox" data-testid="ns-option" data-ns=n3
                                    prop:checked=move || s.all_namespaces.get() || s.selected.get().contains(&n1)
                                    disabled=move || s.all_namespaces.get()
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let n = n2.clone();
                                        s.selected.update(|v| if on { if !v.contains(&n) { v.push(n) } } else { v.retain(|x| *x != n) });
                                    } />" "{n}</label>
                            }
                        }).collect_view()}
                    </div>
                </details>
                <input type="search" placeholder="Filter resources" data-testid="access-filter"
                    prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev)) />
                <label class="small"><input type="checkbox" data-testid="only-allowed" on:change=move |ev| only_allowed.set(event_target_checked(&ev)) />" only what is allowed"</label>
            </div>
            {move || match matrix.get() {
                None => view! { <div class="center-state small" data-testid="matrix-loading"><div class="spinner" aria-hidden="true"></div>"Asking the API server what is allowed…"</div> }.into_any(),
                Some(Err(e)) => view! {
                    <div class="banner warning" data-testid="matrix-error"><strong>{e.message}</strong>{e.hint.map(|h| view! { <div class="small">{h}</div> })}</div>
                }.into_any(),
                Some(Ok(sm)) => view! {
                    {method_banner(&sm)}
                    {matrix_view(sm.matrix, filter, only_allowed, picked)}
                }.into_any(),
            }}
            <p class="small muted">"Click a cell (or press Enter on it; arrow keys move) to see why. ✓ allowed · ◐ only for some names · · denied · ? unknown · blank: the resource has no such verb. Red outline: a risky grant."</p>
        </section>
        {move || picked.get().map(|(label, _)| view! {
            <section class="card" data-testid="why">
                <div class="card-head">
                    <h2>{move || match s.subject.get() {
                        Some(sub) => format!("Why ({}): {label}", subject_label(&sub)),
                        None => format!("Why: {label}"),
                    }}</h2>
                    <button class="icon-button" title="Close" on:click=move |_| picked.set(None)>"✕"</button>
                </div>
                {move || match why.get() {
                    None => view! { <div class="small muted"><span class="spinner inline" aria-hidden="true"></span>"Evaluating RBAC…"</div> }.into_any(),
                    Some(Err(e)) => view! { <div class="hint">{e.message}</div> }.into_any(),
                    Some(Ok(d)) => decision_view(d).into_any(),
                }}
            </section>
        })}
    }
}

fn method_banner(sm: &SubjectMatrix) -> AnyView {
    let (method, title) = match sm.method {
        MatrixMethod::Own => ("own", "Your own access"),
        MatrixMethod::Impersonation => (
            "impersonation",
            "Exact, from the API server (impersonation)",
        ),
        MatrixMethod::LocalRbac => ("localRbac", "Evaluated locally by Loupe (RBAC only)"),
    };
    // The other methods' explanations name the groups themselves.
    let groups = if sm.groups.is_empty() || sm.method != MatrixMethod::Own {
        String::new()
    } else {
        format!(" Groups: {}.", sm.groups.join(", "))
    };
    view! {
        <div class=format!("method-banner {method}") data-testid="matrix-method" data-method=method>
            <strong>{title}". "</strong>{sm.explanation.clone()}<span class="muted">{groups}</span>
        </div>
    }
    .into_any()
}

/// The action of the cell `f` names in `m`, with its label.
fn find_cell(m: &AccessMatrix, f: &AccessFocus) -> Option<(String, Action)> {
    let ri = m.resources.iter().position(|r| r.key == f.resource)?;
    let ci = m.verbs.iter().position(|v| *v == f.verb)?;
    for (si, s) in m.scopes.iter().enumerate() {
        let hit = match (&s.scope, &f.namespace) {
            (MatrixScope::Namespace { name }, Some(ns)) => name == ns,
            (MatrixScope::Cluster, None) => true,
            _ => false,
        };
        if !hit {
            continue;
        }
        let row = s.rows.iter().position(|r| r.resource == ri)?;
        let action = m.action(si, row, ci)?;
        let scope = f.namespace.clone().unwrap_or_else(|| "cluster".into());
        return Some((format!("{} {} in {scope}", f.verb, f.resource), action));
    }
    None
}

fn focus_css(f: &AccessFocus) -> String {
    format!(
        "[data-testid=cell][data-scope=\"{}\"][data-verb=\"{}\"][data-resource=\"{}\"]",
        f.namespace.as_deref().unwrap_or("cluster"),
        f.verb,
        f.resource
    )
}

/// Arrow keys move between cells; Enter or Space picks one.
fn cell_key(ev: &KeyboardEvent) {
    let Some(td) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let index = {
        let mut i = 1;
        let mut cur = td.previous_element_sibling();
        while let Some(c) = cur {
            i += 1;
            cur = c.previous_element_sibling();
        }
        i
    };
    let sibling_row = |up: bool| {
        let tr = td.parent_element()?;
        let other = if up {
            tr.previous_element_sibling()
        } else {
            tr.next_element_sibling()
        }?;
        other
            .query_selector(&format!(":scope > td:nth-child({index})"))
            .ok()
            .flatten()
    };
    let next = match ev.key().as_str() {
        "ArrowRight" => td.next_element_sibling(),
        "ArrowLeft" => td
            .previous_element_sibling()
            .filter(|e| e.get_attribute("data-testid").as_deref() == Some("cell")),
        "ArrowUp" => sibling_row(true),
        "ArrowDown" => sibling_row(false),
        "Enter" | " " => {
            ev.prevent_default();
            if let Ok(h) = td.dyn_into::<web_sys::HtmlElement>() {
                h.click();
            }
            return;
        }
        _ => return,
    };
    if let Some(h) = next.and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) {
        ev.prevent_default();
        let _ = h.focus();
    }
}

fn matrix_view(
    m: AccessMatrix,
    filter: RwSignal<String>,
    only_allowed: RwSignal<bool>,
    picked: RwSignal<Picked>,
) -> impl IntoView {
    let stats = if m.stats.rules_reviews > 0 {
        format!(
            "{} rules review(s), {} access review(s), {} ms · {} cells",
            m.stats.rules_reviews, m.stats.access_reviews, m.stats.elapsed_ms, m.stats.cells
        )
    } else {
        format!(
            "{} cells, evaluated locally in {} ms",
            m.stats.cells, m.stats.elapsed_ms
        )
    };
    let risks = m.risks.clone();
    let verbs = m.verbs.clone();
    let notes = m.notes.clone();
    let m = StoredValue::new(m);
    view! {
        <div class="small muted" data-testid="matrix-stats">{stats}{m.with_value(|m| if m.superuser { " · member of system:masters: RBAC is not consulted, everything is allowed" } else { "" })}</div>
        {(!notes.is_empty()).then(|| view! {
            <details class="notes small"><summary>{format!("{} note(s) on how this was computed", notes.len())}</summary>
                <ul>{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
            </details>
        })}
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
                        let current = picked.get().map(|(l, _)| l);
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
                                        let selected = current.as_deref() == Some(label.as_str());
                                        let title = if c.names.is_empty() { label.clone() } else { format!("{label} (only {})", c.names.join(", ")) };
                                        let state = format!("{:?}", c.state).to_lowercase();
                                        view! {
                                            <td class=class class:risky=risky class:selected=selected title=title tabindex="0" data-testid="cell" data-scope=scope_label.clone() data-verb=c.verb.clone() data-resource=res.key.clone() data-state=state
                                                on:keydown=move |ev: KeyboardEvent| cell_key(&ev)
                                                on:click=move |_| if let Some(a) = action.clone() { picked.set(Some((label.clone(), a))); }>
                                                {mark}
                                            </td>
                                        }
                                    }).collect_view();
                                    let scope_title = scope_label.clone();
                                    out.push(view! { <tr><td class="scope" title=scope_title>{scope_label}</td><td class="res mono">{res.key.clone()}</td>{cells}</tr> });
                                }
                            }
                            if out.is_empty() {
                                return view! { <tr><td colspan="20" class="empty-rows" data-testid="matrix-empty">"No resource matches the filter."</td></tr> }.into_any();
                            }
                            out.collect_view().into_any()
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
        // The verdict is already said in bold.
        let s = d.summary.as_str();
        s.strip_prefix("Allowed: ")
            .or_else(|| s.strip_prefix("Denied: "))
            .unwrap_or(s)
            .to_string()
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
                            <span class="node subject" title="subject: who">{g.subject.describe()}</span>
                            <span class="arrow">"→"</span>
                            <span class="node binding" title="binding: grants the role to the subject">{binding}</span>
                            <span class="arrow">"→"</span>
                            <span class="node role" title="role: a set of rules">{format!("{role_kind} {}", g.role.name)}{g.role.aggregated.then_some(" (aggregated)")}</span>
                            <span class="arrow">"→"</span>
                            <span class="node rule mono" title="rule: verbs on resources">{g.rule.describe()}</span>
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
