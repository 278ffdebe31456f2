//! The resource browser of one cluster: kinds in Lens's sidebar groups, a namespace picker that
//! copes with users who may not list namespaces, and a watched, virtualised table with
//! kubectl's columns, a text filter, sorting and ticking ages.

use crate::bridge;
use crate::changes::{ActionLogButton, CreateButton, LastView, ObjectActions};
use crate::logs::{LogTarget, LogView};
use crate::why::{WhyLink, focus_of};
use leptos::ev::KeyboardEvent;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_model::UiError;
use loupe_model::changes::{ChangeOutcome, ChangeVerb, ObjectRef, Permission};
use loupe_model::highlight::{Token, highlight_yaml};
use loupe_model::resources::{
    ApiDiscovery, ApiResource, ListOptions, NamespaceScope, ObjectDetail, ObjectSummary,
    OwnerSummary, TableColumn, TableDelta, TableRow, VisibleNamespaces, WatchState, age_text,
    cell_text,
};
use std::collections::HashMap;

/// Height of one table row in pixels; the virtual scroller relies on it being fixed.
const ROW_HEIGHT: f64 = 28.0;
/// Rows rendered above and below the visible ones, so fast scrolling shows no gaps.
const OVERSCAN: usize = 12;

/// The rows of a watched table, kept in arrival order with an index by uid.
#[derive(Debug, Clone, Default)]
struct Rows {
    columns: Vec<TableColumn>,
    rows: Vec<TableRow>,
    by_uid: HashMap<String, usize>,
    synced: bool,
    state: Option<(WatchState, Option<UiError>)>,
    /// Bumped on every change, so memos can compare cheaply.
    version: u64,
}

impl PartialEq for Rows {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

impl Rows {
    fn apply(&mut self, delta: TableDelta) {
        match delta {
            TableDelta::Reset { columns, rows } => {
                self.columns = columns;
                self.rows.clear();
                self.by_uid.clear();
                self.synced = false;
                self.upsert(rows);
            }
            TableDelta::Changes { upserted, deleted } => {
                self.upsert(upserted);
                for uid in deleted {
                    if let Some(i) = self.by_uid.remove(&uid) {
                        self.rows.swap_remove(i);
                        if let Some(moved) = self.rows.get(i) {
                            self.by_uid.insert(moved.uid.clone(), i);
                        }
                    }
                }
            }
            TableDelta::Synced { .. } => self.synced = true,
            TableDelta::Status { state, error, .. } => self.state = Some((state, error)),
        }
        self.version += 1;
    }

    /// The watch stopped with `e`.
    fn fail(&mut self, e: UiError) {
        self.state = Some((WatchState::Failed, Some(e)));
        self.version += 1;
    }

    fn upsert(&mut self, rows: Vec<TableRow>) {
        for row in rows {
            match self.by_uid.get(&row.uid) {
                Some(&i) => self.rows[i] = row,
                None => {
                    self.by_uid.insert(row.uid.clone(), self.rows.len());
                    self.rows.push(row);
                }
            }
        }
    }
}

fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// Sort key of a cell: numbers as numbers, ages by creation time, the rest as text.
#[derive(PartialEq, PartialOrd)]
enum Key {
    Num(f64),
    Text(String),
}

fn sort_key(col: &TableColumn, row: &TableRow, i: usize) -> Key {
    if col.age {
        // Older first when ascending, like sorting by age.
        let t = row
            .creation_timestamp
            .as_deref()
            .and_then(loupe_model::resources::parse_rfc3339)
            .unwrap_or(0);
        return Key::Num(-(t as f64));
    }
    match row.cells.get(i) {
        Some(serde_json::Value::Number(n)) => Key::Num(n.as_f64().unwrap_or(0.0)),
        Some(v) => Key::Text(cell_text(v).to_lowercase()),
        None => Key::Text(String::new()),
    }
}

/// The browser for `context`.
#[component]
pub fn ResourceBrowser(context: String) -> impl IntoView {
    let discovery = RwSignal::new(None::<Result<ApiDiscovery, UiError>>);
    let namespaces = RwSignal::new(None::<Result<VisibleNamespaces, UiError>>);
    let selected = RwSignal::new(None::<ApiResource>);
    // `None` means all namespaces.
    let namespace = RwSignal::new(None::<String>);
    let selector = RwSignal::new(String::new());
    let filter = RwSignal::new(String::new());
    let rows = RwSignal::new(Rows::default());
    let sort = RwSignal::new(None::<(usize, bool)>);
    let wide = RwSignal::new(false);
    let cursor = RwSignal::new(None::<String>);
    let opened = RwSignal::new(None::<TableRow>);
    // An object opened from a link (owner, owned) may be of another kind than the table's.
    let opened_kind = RwSignal::new(None::<(String, ApiResource)>);
    // Kinds the user may not list, by `resource.group`, with the reason.
    let locked = RwSignal::new(HashMap::<String, Permission>::new());
    // The last view of this cluster, from a previous run.
    let saved = LastView::load(&context);
    let pending_open = StoredValue::new(saved.as_ref().and_then(|v| v.object.clone()));
    if let Some(v) = &saved {
        filter.set(v.filter.clone());
    }
    let now = RwSignal::new(now_secs());
    // Ages tick once a second; only the visible cells are recomputed.
    if let Ok(h) = set_interval_with_handle(
        move || now.set(now_secs()),
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || h.clear());
    }

    let ctx = StoredValue::new(context.clone());
    spawn_local({
        let context = context.clone();
        let saved_kind = saved.as_ref().and_then(|v| v.kind.clone());
        async move {
            let d = bridge::discover_resources(&context).await;
            if let Ok(d) = &d
                && selected.get_untracked().is_none()
            {
                let want = saved_kind.and_then(|(g, p)| d.find(&g, &p).cloned());
                selected.set(want.or_else(|| d.find("", "pods").cloned()));
            }
            discovery.set(Some(d));
        }
    });
    spawn_local({
        let context = context.clone();
        let saved_ns = saved.as_ref().map(|v| v.namespace.clone());
        async move {
            let n = bridge::visible_namespaces(&context).await;
            // A user who may not list namespaces starts in the context's namespace.
            if let Ok(v) = &n
                && v.fell_back
            {
                namespace.set(v.names.first().cloned());
            }
            // The namespace of the last view, if it can still be picked.
            if let (Ok(v), Some(Some(ns))) = (&n, saved_ns)
                && (!v.fell_back || v.names.contains(&ns))
            {
                namespace.set(Some(ns));
            }
            namespaces.set(Some(n));
        }
    });

    // Which kinds the user may not list (in the namespace picked), for the sidebar's locks.
    // Only the newest request's answer counts: an older, slower one must not overwrite it.
    let locks_asked = StoredValue::new(0u32);
    Effect::new(move |_| {
        let Some(Ok(d)) = discovery.get() else {
            return;
        };
        if namespaces.with(Option::is_none) {
            return;
        }
        let ns = namespace.get();
        let kinds: Vec<ApiResource> = d
            .sidebar()
            .into_iter()
            .flat_map(|(_, items)| items.into_iter().cloned())
            .collect();
        locks_asked.update_value(|n| *n += 1);
        let mine = locks_asked.get_value();
        spawn_local(async move {
            if let Ok(list) =
                bridge::list_permissions(&ctx.get_value(), &kinds, ns.as_deref()).await
                && locks_asked.get_value() == mine
            {
                locked.set(list.into_iter().collect());
            }
        });
    });
    // Remember the view (kind, namespace, filter, opened object) for the next run.
    Effect::new(move |_| {
        let kind = selected.with(|s| s.as_ref().map(|r| (r.group.clone(), r.plural.clone())));
        if kind.is_none() || namespaces.with(Option::is_none) {
            return;
        }
        let object = opened
            .with(|o| o.as_ref().map(|r| (r.namespace.clone(), r.name.clone())))
            .or_else(|| pending_open.get_value());
        LastView {
            kind,
            namespace: namespace.get(),
            filter: filter.get(),
            object,
        }
        .save(&ctx.get_value());
    });
    // Reopen the object of the last view once its table has loaded.
    Effect::new(move |_| {
        let Some((ns, name)) = pending_open.get_value() else {
            return;
        };
        let found = rows.with(|r| {
            r.synced.then(|| {
                r.rows
                    .iter()
                    .find(|row| row.name == name && row.namespace == ns)
                    .cloned()
            })
        });
        if let Some(found) = found {
            pending_open.set_value(None);
            if let Some(row) = found {
                cursor.set(Some(row.uid.clone()));
                opened.set(Some(row));
            }
        }
    });

    // One watch at a time: a new kind, namespace or selector replaces it.
    let watch_id = StoredValue::new(0u64);
    Effect::new(move |_| {
        let Some(resource) = selected.get() else {
            return;
        };
        // Wait for the namespace answer so a limited user never starts with a forbidden watch.
        if namespaces.get().is_none() {
            return;
        }
        let scope = match namespace.get() {
            Some(ns) if resource.namespaced => NamespaceScope::one(ns),
            _ => NamespaceScope::All,
        };
        // A kind the user may not list shows its lock, not a watch error.
        if locked.with_untracked(|l| l.contains_key(&resource.group_resource())) {
            let old = watch_id.get_value();
            watch_id.set_value(0);
            rows.set(Rows::default());
            opened.set(None);
            if old > 0 {
                spawn_local(async move {
                    let _ = bridge::stop_watch(old).await;
                });
            }
            return;
        }
        let sel = selector.get().trim().to_string();
        let options = ListOptions {
            label_selector: (!sel.is_empty()).then_some(sel),
            ..ListOptions::default()
        };
        let old = watch_id.get_value();
        let id = bridge::next_watch_id();
        watch_id.set_value(id);
        rows.set(Rows::default());
        sort.set(None);
        opened.set(None);
        spawn_local(async move {
            if old > 0 {
                let _ = bridge::stop_watch(old).await;
            }
            let started = bridge::watch_table(
                &ctx.get_value(),
                id,
                &resource,
                &scope,
                &options,
                move |delta| {
                    // Deltas of a replaced watch may still be in flight; drop them.
                    if watch_id.get_value() != id {
                        return;
                    }
                    match delta {
                        Ok(d) => rows.update(|r| r.apply(d)),
                        Err(e) => rows.update(|r| r.fail(e)),
                    }
                },
            )
            .await;
            if let Err(e) = started {
                rows.update(|r| r.fail(e));
            }
        });
    });
    on_cleanup(move || {
        let id = watch_id.get_value();
        if id > 0 {
            spawn_local(async move {
                let _ = bridge::stop_watch(id).await;
            });
        }
    });

    // Columns on screen: priority 0, or all with "wide".
    let shown_columns = Memo::new(move |_| {
        let wide = wide.get();
        rows.with(|r| {
            r.columns
                .iter()
                .enumerate()
                .filter(|(_, c)| wide || c.priority == 0)
                .map(|(i, c)| (i, c.clone()))
                .collect::<Vec<_>>()
        })
    });
    let all_namespaces = Memo::new(move |_| namespace.get().is_none());
    // Row order after filter and sort, as indexes into `rows`.
    let order = Memo::new(move |_| {
        let needle = filter.get().to_lowercase();
        let sort = sort.get();
        rows.with(|r| {
            let mut idx: Vec<usize> = (0..r.rows.len())
                .filter(|&i| {
                    needle.is_empty() || {
                        let row = &r.rows[i];
                        row.name.to_lowercase().contains(&needle)
                            || row
                                .namespace
                                .as_deref()
                                .is_some_and(|n| n.contains(&needle))
                            || row
                                .cells
                                .iter()
                                .any(|c| cell_text(c).to_lowercase().contains(&needle))
                    }
                })
                .collect();
            match sort.and_then(|(c, asc)| r.columns.get(c).map(|col| (c, col, asc))) {
                Some((c, col, asc)) => {
                    let keys: HashMap<usize, Key> = idx
                        .iter()
                        .map(|&i| (i, sort_key(col, &r.rows[i], c)))
                        .collect();
                    idx.sort_by(|a, b| {
                        let o = keys[a]
                            .partial_cmp(&keys[b])
                            .unwrap_or(std::cmp::Ordering::Equal);
                        if asc { o } else { o.reverse() }
                    });
                }
                // kubectl's order: by namespace, then name.
                None => idx.sort_by(|&a, &b| {
                    let (x, y) = (&r.rows[a], &r.rows[b]);
                    (&x.namespace, &x.name).cmp(&(&y.namespace, &y.name))
                }),
            }
            idx
        })
    });

    let scroller = NodeRef::<Div>::new();
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(600.0f64);
    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            scroll_top.set(f64::from(el.scroll_top()));
            viewport.set(f64::from(el.client_height()));
        }
    };
    request_animation_frame(measure);
    let window_range = Memo::new(move |_| {
        let total = order.with(Vec::len);
        let first = ((scroll_top.get() / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let count = (viewport.get() / ROW_HEIGHT) as usize + 2 * OVERSCAN;
        (first.min(total), (first + count).min(total), total)
    });

    let move_cursor = move |delta: isize| {
        order.with(|o| {
            if o.is_empty() {
                return;
            }
            let pos = cursor.get_untracked().and_then(|uid| {
                rows.with_untracked(|r| o.iter().position(|&i| r.rows[i].uid == uid))
            });
            let next = match pos {
                None => 0,
                Some(p) => (p as isize + delta).clamp(0, o.len() as isize - 1) as usize,
            };
            let uid = rows.with_untracked(|r| r.rows[o[next]].uid.clone());
            cursor.set(Some(uid));
            // Keep the cursor on screen.
            if let Some(el) = scroller.get_untracked() {
                let top = next as f64 * ROW_HEIGHT;
                let st = f64::from(el.scroll_top());
                let h = f64::from(el.client_height()) - ROW_HEIGHT * 2.0;
                if top < st {
                    el.set_scroll_top(top as i32);
                } else if top > st + h {
                    el.set_scroll_top((top - h) as i32);
                }
            }
        });
    };
    let on_key = move |ev: KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" | "j" => {
            ev.prevent_default();
            move_cursor(1);
        }
        "ArrowUp" | "k" => {
            ev.prevent_default();
            move_cursor(-1);
        }
        "PageDown" => {
            ev.prevent_default();
            move_cursor((viewport.get_untracked() / ROW_HEIGHT) as isize);
        }
        "PageUp" => {
            ev.prevent_default();
            move_cursor(-((viewport.get_untracked() / ROW_HEIGHT) as isize));
        }
        "Enter" => {
            if let Some(uid) = cursor.get_untracked() {
                opened.set(rows.with_untracked(|r| r.by_uid.get(&uid).map(|&i| r.rows[i].clone())));
            }
        }
        "Escape" => opened.set(None),
        _ => {}
    };

    view! {
        <div class="browser" data-testid="resource-browser">
            <nav class="kinds" aria-label="Kinds">
                {move || match discovery.get() {
                    None => view! { <div class="small muted pad">"Discovering the API…"</div> }.into_any(),
                    Some(Err(e)) => view! { <div class="hint pad" data-testid="discovery-error">{e.message}</div> }.into_any(),
                    Some(Ok(d)) => {
                        let failures = d.failures.len();
                        view! {
                            {d.sidebar().into_iter().map(|(cat, items)| view! {
                                <div class="kind-group">
                                    <div class="label">{cat.label()}</div>
                                    {
                                    // Two kinds with one name (core and events.k8s.io Events) show their group.
                                    let dup = |k: &str| items.iter().filter(|i| i.kind == k).count() > 1;
                                    let labelled: Vec<(ApiResource, String)> = items.iter().map(|r| {
                                        let label = if dup(&r.kind) && !r.group.is_empty() { format!("{} ({})", r.kind, r.group) } else { r.kind.clone() };
                                        ((*r).clone(), label)
                                    }).collect();
                                    labelled.into_iter().map(|(r, label)| {
                                        let key = (r.group.clone(), r.plural.clone());
                                        let k2 = key.clone();
                                        let gr = r.group_resource();
                                        let gr2 = gr.clone();
                                        let title = move || locked.with(|l| match l.get(&gr) {
                                            Some(p) => format!("⊘ You may not list these: needs {}", p.needs),
                                            None => gr.clone(),
                                        });
                                        let locked_now = Memo::new(move |_| locked.with(|l| l.contains_key(&gr2)));
                                        let is_locked = move || locked_now.get();
                                        view! {
                                            <button class="kind" class:locked=is_locked data-testid="kind" data-plural=r.plural.clone() title=title
                                                data-locked=move || is_locked().to_string()
                                                aria-current=move || selected.with(|s| s.as_ref().is_some_and(|s| (s.group.clone(), s.plural.clone()) == k2)).to_string()
                                                on:click=move |_| { let _ = &key; selected.set(Some(r.clone())); }>
                                                {move || if is_locked() { format!("⊘ {label}") } else { label.clone() }}
                                            </button>
                                        }
                                    }).collect_view()
                                    }
                                </div>
                            }).collect_view()}
                            {(failures > 0).then(|| view! { <div class="small warn-text pad">{format!("{failures} API group(s) could not be read")}</div> })}
                        }.into_any()
                    }
                }}
            </nav>
            <section class="table-pane">
                <div class="toolbar">
                    <strong class="kind-title" data-testid="kind-title">{move || selected.get().map(|r| r.kind).unwrap_or_default()}</strong>
                    {move || {
                        let namespaced = selected.get().is_some_and(|r| r.namespaced);
                        namespaced.then(|| view! {
                            <select data-testid="namespace-select" title="Namespace"
                                on:change=move |ev| { let v = event_target_value(&ev); namespace.set((!v.is_empty()).then_some(v)); }>
                                {move || {
                                    let fell_back = namespaces.with(|n| matches!(n, Some(Ok(v)) if v.fell_back));
                                    (!fell_back).then(|| view! { <option value="" selected=move || namespace.get().is_none()>"All namespaces"</option> })
                                }}
                                {move || namespaces.get().and_then(Result::ok).map(|v| v.names.into_iter().map(|n| {
                                    let (value, label) = (n.clone(), n.clone());
                                    view! { <option value=value selected=move || namespace.get().as_deref() == Some(n.as_str())>{label}</option> }
                                }).collect_view())}
                            </select>
                        })
                    }}
                    <input class="filter" type="search" placeholder="Filter rows" data-testid="row-filter"
                        prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev)) />
                    <input class="selector mono" type="text" placeholder="label selector, e.g. app=web" data-testid="label-selector"
                        on:change=move |ev| selector.set(event_target_value(&ev)) />
                    <label class="small wide-toggle"><input type="checkbox" on:change=move |ev| wide.set(event_target_checked(&ev)) />" wide"</label>
                    <span class="count" data-testid="row-count">{move || {
                        let shown = order.with(Vec::len);
                        let total = rows.with(|r| r.rows.len());
                        if shown == total { format!("{total}") } else { format!("{shown} of {total}") }
                    }}</span>
                    <span class="watch-state" data-testid="watch-state">{move || rows.with(|r| match &r.state {
                        _ if selected.with(|s| s.as_ref().is_some_and(|s| locked.with(|l| l.contains_key(&s.group_resource())))) => "locked",
                        Some((WatchState::Reconnecting, _)) => "reconnecting…",
                        Some((WatchState::Failed, _)) => "stopped",
                        Some((WatchState::Listing, _)) => "listing…",
                        _ if r.synced => "live",
                        _ => "loading…",
                    })}</span>
                    <CreateButton context=context.clone() resource=Signal::from(selected) namespace=Signal::from(namespace) />
                    <ActionLogButton />
                </div>
                {move || selected.get().and_then(|r| locked.with(|l| l.get(&r.group_resource()).cloned())).map(|p| view! {
                    <div class="banner info small" data-testid="kind-locked">
                        {format!("⊘ You may not list these (needs {}). Kinds you may not list are locked in the sidebar; ask for a role that grants it.", p.needs)}
                        {p.granted_by.map(|g| view! { <div class="hint">{g}</div> })}
                        <WhyLink focus=p.focus />
                    </div>
                })}
                {move || namespaces.get().and_then(Result::ok).filter(|v| v.fell_back).map(|v| view! {
                    <div class="banner info small" data-testid="namespace-fallback">
                        "You may not list namespaces in this cluster, so Loupe shows the ones it knows: "{v.names.join(", ")}". "
                        {v.reason.map(|r| r.message)}
                    </div>
                })}
                {move || rows.with(|r| match &r.state {
                    Some((WatchState::Failed | WatchState::Reconnecting, Some(e))) => Some(view! {
                        <div class="banner warning small" data-testid="watch-error">
                            <strong>{e.message.clone()}</strong>
                            {e.hint.clone().map(|h| view! { <div class="hint">{h}</div> })}
                            <WhyLink focus=focus_of(e) />
                        </div>
                    }),
                    _ => None,
                })}
                <div class="vt" node_ref=scroller tabindex="0" data-testid="table" on:scroll=move |_| measure() on:keydown=on_key>
                    <table>
                        <colgroup>
                            {move || all_namespaces.get().then(|| view! { <col style="width: 16ch" /> })}
                            {move || shown_columns.get().into_iter().map(|(_, c)| {
                                let w = if c.format == "name" { 32 } else { (c.name.len() + 4).clamp(8, 24) };
                                view! { <col style=format!("width: {w}ch") /> }
                            }).collect_view()}
                        </colgroup>
                        <thead>
                            <tr>
                                {move || (all_namespaces.get() && selected.with(|s| s.as_ref().is_some_and(|s| s.namespaced))).then(|| view! { <th>"NAMESPACE"</th> })}
                                {move || shown_columns.get().into_iter().map(|(i, c)| {
                                    let title = c.description.clone();
                                    view! {
                                        <th title=title on:click=move |_| sort.update(|s| *s = match *s {
                                            Some((j, true)) if j == i => Some((i, false)),
                                            Some((j, false)) if j == i => None,
                                            _ => Some((i, true)),
                                        })>
                                            {c.name.to_uppercase()}
                                            {move || match sort.get() {
                                                Some((j, true)) if j == i => " ▲",
                                                Some((j, false)) if j == i => " ▼",
                                                _ => "",
                                            }}
                                        </th>
                                    }
                                }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            <tr class="spacer" style=move || format!("height: {}px", window_range.get().0 as f64 * ROW_HEIGHT)></tr>
                            // Keyed by uid and resourceVersion: a row is rebuilt only when its object
                            // changed, and ages tick inside their own cells.
                            <For each=move || {
                                let (first, last, _) = window_range.get();
                                let cols = shown_columns.get();
                                let ns_col = all_namespaces.get() && selected.with(|s| s.as_ref().is_some_and(|s| s.namespaced));
                                let layout = (cols.len(), ns_col);
                                order.with(|o| rows.with(|r| o[first..last].iter().map(|&i| (r.rows[i].clone(), layout)).collect::<Vec<_>>()))
                            }
                                key=|(row, layout)| (row.uid.clone(), row.resource_version.clone(), *layout)
                                let:item>
                                {
                                    let (row, (_, ns_col)) = item;
                                    let cols = shown_columns.get_untracked();
                                    let r2 = row.clone();
                                    let uid = row.uid.clone();
                                    let uid2 = row.uid.clone();
                                    view! {
                                        <tr class:cursor=move || cursor.with(|c| c.as_deref() == Some(uid2.as_str())) data-testid="row" data-name=row.name.clone()
                                            on:click=move |_| { cursor.set(Some(uid.clone())); opened.set(Some(r2.clone())); }>
                                            {ns_col.then(|| view! { <td>{row.namespace.clone().unwrap_or_default()}</td> })}
                                            {cols.iter().map(|(i, c)| {
                                                if c.age {
                                                    let ts = row.creation_timestamp.clone();
                                                    view! { <td>{move || age_text(ts.as_deref(), now.get())}</td> }.into_any()
                                                } else {
                                                    let text = row.cells.get(*i).map(cell_text).unwrap_or_default();
                                                    let title = text.clone();
                                                    view! { <td title=title>{text}</td> }.into_any()
                                                }
                                            }).collect_view()}
                                        </tr>
                                    }
                                }
                            </For>
                            <tr class="spacer" style=move || { let (_, last, total) = window_range.get(); format!("height: {}px", (total - last) as f64 * ROW_HEIGHT) }></tr>
                        </tbody>
                    </table>
                    {move || {
                        let empty = rows.with(|r| r.synced && r.rows.is_empty());
                        empty.then(|| view! {
                            <div class="empty-rows" data-testid="no-rows">{move || match (selected.get(), namespace.get()) {
                                (Some(r), Some(ns)) if r.namespaced => format!("No {} in namespace {ns}.", r.plural),
                                (Some(r), _) => format!("No {} found.", r.plural),
                                _ => String::new(),
                            }}</div>
                        })
                    }}
                </div>
            </section>
            {move || opened.get().map(|row| {
                let resource = opened_kind
                    .with_untracked(|k| k.as_ref().filter(|(uid, _)| *uid == row.uid).map(|(_, r)| r.clone()))
                    .or_else(|| selected.get_untracked());
                let d = discovery.with_untracked(|d| match d {
                    Some(Ok(d)) => Some(d.clone()),
                    _ => None,
                });
                let events = d.as_ref().and_then(|d| d.find("", "events").cloned());
                let on_open = Callback::new(move |(r, row): (ApiResource, TableRow)| {
                    opened_kind.set(Some((row.uid.clone(), r)));
                    opened.set(Some(row));
                });
                view! { <ObjectPanel context=ctx.get_value() resource=resource events=events row=row discovery=d on_open=on_open on_close=Callback::new(move |()| opened.set(None)) /> }
            })}
        </div>
    }
}

/// The opened object: its identity, its events (live) and its YAML.
#[component]
fn ObjectPanel(
    context: String,
    resource: Option<ApiResource>,
    events: Option<ApiResource>,
    row: TableRow,
    discovery: Option<ApiDiscovery>,
    on_open: Callback<(ApiResource, TableRow)>,
    on_close: Callback<()>,
) -> impl IntoView {
    let yaml = RwSignal::new(None::<Result<ObjectDetail, UiError>>);
    let managed = RwSignal::new(false);
    // Bumped after a change, to read the object again.
    let reload = RwSignal::new(0u32);
    let outcome = RwSignal::new(None::<(ChangeVerb, ChangeOutcome)>);
    let ctx = StoredValue::new(context.clone());
    let target = resource.clone().map(|r| ObjectRef {
        resource: r,
        namespace: row.namespace.clone(),
        name: row.name.clone(),
    });
    // Links: owners (from the summary) and owned objects (asked of the API server).
    let discovery = StoredValue::new(discovery);
    let link_row = |namespace: Option<String>, name: String, uid: String| TableRow {
        namespace,
        name,
        uid,
        resource_version: String::new(),
        creation_timestamp: None,
        cells: Vec::new(),
    };
    let owner_ns = row.namespace.clone();
    let open_owner = Callback::new(move |o: OwnerSummary| {
        let (group, version) = o
            .api_version
            .rsplit_once('/')
            .unwrap_or(("", o.api_version.as_str()));
        let r = discovery.with_value(|d| {
            d.as_ref().and_then(|d| {
                d.resources
                    .iter()
                    .find(|r| {
                        r.group == group
                            && r.kind == o.kind
                            && (r.preferred || r.version == version)
                    })
                    .cloned()
            })
        });
        if let Some(r) = r {
            let ns = if r.namespaced { owner_ns.clone() } else { None };
            on_open.run((r, link_row(ns, o.name.clone(), o.uid.clone())));
        }
    });
    let owned = RwSignal::new(None::<Result<Vec<(ObjectRef, String)>, UiError>>);
    let owns_children = target.as_ref().is_some_and(|t| {
        matches!(
            (t.resource.group.as_str(), t.resource.kind.as_str()),
            (
                "apps",
                "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet"
            ) | ("batch", "Job" | "CronJob")
                | ("", "ReplicationController")
        )
    });
    if owns_children && let Some(t) = target.clone() {
        let uid = row.uid.clone();
        Effect::new(move |_| {
            reload.get();
            let (t, uid) = (t.clone(), uid.clone());
            spawn_local(async move {
                owned.set(Some(
                    bridge::owned_objects(&ctx.get_value(), &t, &uid).await,
                ));
            });
        });
    }
    if let Some(r) = resource.clone() {
        let (ns, name) = (row.namespace.clone(), row.name.clone());
        Effect::new(move |_| {
            reload.get();
            let show = managed.get();
            let (r, ns, name) = (r.clone(), ns.clone(), name.clone());
            yaml.set(None);
            spawn_local(async move {
                let y =
                    bridge::object_detail(&ctx.get_value(), &r, ns.as_deref(), &name, show).await;
                yaml.set(Some(y));
            });
        });
    }
    // The object's events, watched like any table (field selector on the involved object).
    let event_rows = RwSignal::new(Rows::default());
    if let Some(ev) = events {
        let id = bridge::next_watch_id();
        let scope = match &row.namespace {
            Some(ns) => NamespaceScope::one(ns.clone()),
            None => NamespaceScope::All,
        };
        let options = ListOptions {
            field_selector: Some(format!("involvedObject.uid={}", row.uid)),
            ..ListOptions::default()
        };
        spawn_local(async move {
            let r =
                bridge::watch_table(
                    &ctx.get_value(),
                    id,
                    &ev,
                    &scope,
                    &options,
                    move |d| match d {
                        Ok(d) => event_rows.update(|r| r.apply(d)),
                        Err(e) => event_rows.update(|r| r.fail(e)),
                    },
                )
                .await;
            if let Err(e) = r {
                event_rows.update(|r| r.fail(e));
            }
        });
        on_cleanup(move || {
            spawn_local(async move {
                let _ = bridge::stop_watch(id).await;
            });
        });
    }
    let kind = resource.map(|r| r.kind).unwrap_or_default();
    // Pods have a log; workloads have the merged log of their pods.
    let log_target = match (&row.namespace, kind.as_str()) {
        (Some(ns), "Pod") => Some(LogTarget::Pod {
            namespace: ns.clone(),
            pod: row.name.clone(),
        }),
        (Some(ns), k) => LogTarget::workload_kind(k).map(|kind| LogTarget::Workload {
            namespace: ns.clone(),
            kind,
            name: row.name.clone(),
        }),
        _ => None,
    };
    let show_logs = RwSignal::new(false);
    let has_logs = log_target.is_some();
    view! {
        <aside class="object-panel card" class:wide-panel=move || show_logs.get() data-testid="object-panel">
            <div class="card-head">
                <h2>{format!("{kind} {}", row.name)}</h2>
                <button class="icon-button" title="Close (Esc)" on:click=move |_| on_close.run(())>"✕"</button>
            </div>
            <div class="small muted">{row.namespace.clone().map(|n| format!("namespace {n} · ")).unwrap_or_default()}{format!("uid {}", row.uid)}</div>
            {target.clone().map(|t| {
                let current = Signal::derive(move || yaml.with(|d| match d {
                    Some(Ok(d)) => Some(d.yaml.clone()),
                    _ => None,
                }));
                let on_done = Callback::new(move |(verb, o): (ChangeVerb, ChangeOutcome)| {
                    outcome.set(Some((verb, o)));
                    if verb != ChangeVerb::Delete {
                        reload.update(|n| *n += 1);
                    }
                });
                view! { <ObjectActions context=ctx.get_value() target=t yaml=current on_done=on_done /> }
            })}
            {move || outcome.get().map(|(_, o)| view! {
                <div class="ok-line action-result" data-testid="change-result">
                    <strong>{o.message}</strong>
                    <div class="kubectl"><span class="label">"same as"</span><code>{o.kubectl}</code></div>
                </div>
            })}
            {has_logs.then(|| view! {
                <nav class="tabs" role="tablist">
                    <button role="tab" data-testid="panel-details" aria-selected=move || (!show_logs.get()).to_string() on:click=move |_| show_logs.set(false)>"Details"</button>
                    <button role="tab" data-testid="panel-logs" aria-selected=move || show_logs.get().to_string() on:click=move |_| show_logs.set(true)>
                        {if kind == "Pod" { "Logs" } else { "Logs (all pods)" }}
                    </button>
                </nav>
            })}
            {move || (show_logs.get()).then(|| log_target.clone().map(|t| view! { <LogView context=ctx.get_value() target=t /> }))}
            <div class="details" style:display=move || if show_logs.get() { "none" } else { "block" }>
            {move || yaml.with(|d| match d {
                Some(Ok(d)) => Some(summary_view(&d.summary, open_owner)),
                _ => None,
            })}
            {move || owned.get().map(|o| match o {
                Ok(list) if list.is_empty() => view! { <div class="small muted" data-testid="owned-none">"Owns no objects right now."</div> }.into_any(),
                Ok(list) => view! {
                    <div class="small"><span class="label">"owns"</span>" "
                        {list.into_iter().map(|(r, uid)| {
                            let label = format!("{} {}", r.resource.kind, r.name);
                            let row = link_row(r.namespace.clone(), r.name.clone(), uid);
                            let res = r.resource.clone();
                            view! { <button class="chip link-chip" data-testid="owned-link" on:click=move |_| on_open.run((res.clone(), row.clone()))>{label}</button> }
                        }).collect_view()}
                    </div>
                }.into_any(),
                Err(e) => view! { <div class="small warn-text">{format!("Owned objects: {}", e.message)}</div> }.into_any(),
            })}
            <h3>"Events"</h3>
            <div class="events" data-testid="object-events">
                {move || event_rows.with(|r| {
                    if let Some((WatchState::Failed, Some(e))) = &r.state {
                        return view! { <div class="small warn-text">{e.message.clone()}</div> }.into_any();
                    }
                    if r.rows.is_empty() {
                        let text = if r.synced { "No events (the API server keeps them for an hour)." } else { "Loading events…" };
                        return view! { <div class="small muted">{text}</div> }.into_any();
                    }
                    let col = |name: &str| r.columns.iter().position(|c| c.name.eq_ignore_ascii_case(name));
                    let (ty, reason, msg) = (col("Type"), col("Reason"), col("Message"));
                    let mut rows = r.rows.clone();
                    rows.sort_by(|a, b| b.creation_timestamp.cmp(&a.creation_timestamp));
                    let cell = |row: &TableRow, i: Option<usize>| i.and_then(|i| row.cells.get(i)).map(cell_text).unwrap_or_default();
                    view! {
                        <ul class="event-list">
                            {rows.iter().map(|e| {
                                let t = cell(e, ty);
                                let class = if t == "Warning" { "event warning" } else { "event" };
                                view! { <li class=class><span class="badge muted-badge">{t}</span>" "<strong>{cell(e, reason)}</strong>" "<span>{cell(e, msg)}</span></li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            </div>
            <div class="yaml-head">
                <h3>"YAML"</h3>
                <label class="small"><input type="checkbox" data-testid="show-managed-fields" on:change=move |ev| managed.set(event_target_checked(&ev)) />" show managedFields"</label>
            </div>
            {move || match yaml.get() {
                None => view! { <div class="small muted">"Loading YAML…"</div> }.into_any(),
                Some(Ok(d)) => view! { <pre class="yaml" data-testid="object-yaml">{yaml_spans(&d.yaml)}</pre> }.into_any(),
                Some(Err(e)) => view! { <div class="hint">{e.message}</div> }.into_any(),
            }}
            </div>
        </aside>
    }
}

/// Phase, containers, conditions, owners, labels and annotations, readable at a glance.
fn summary_view(s: &ObjectSummary, open_owner: Callback<OwnerSummary>) -> AnyView {
    let chips = |pairs: &[(String, String)]| {
        pairs
            .iter()
            .map(|(k, v)| {
                let text = if v.is_empty() {
                    k.clone()
                } else {
                    format!("{k}={v}")
                };
                view! { <span class="chip mono">{text}</span> }
            })
            .collect_view()
    };
    view! {
        <div class="summary" data-testid="object-summary">
            {s.phase.clone().map(|p| view! { <div><span class="label">"phase"</span>" "<strong data-testid="summary-phase">{p}</strong></div> })}
            {(!s.containers.is_empty()).then(|| view! {
                <h3>"Containers"</h3>
                <ul class="containers">
                    {s.containers.iter().map(|c| {
                        let class = if c.ready { "ok-text" } else if c.state.starts_with("waiting") || c.state.contains("Error") { "warn-text" } else { "" };
                        view! {
                            <li data-testid="summary-container">
                                <strong>{c.name.clone()}</strong>{c.init.then_some(" (init)")}" "
                                <span class=class>{c.state.clone()}</span>
                                {(c.restarts > 0).then(|| format!(" · {} restarts", c.restarts))}
                                <div class="small muted mono">{c.image.clone()}</div>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {(!s.conditions.is_empty()).then(|| view! {
                <h3>"Conditions"</h3>
                <ul class="conditions">
                    {s.conditions.iter().map(|c| {
                        let class = if c.status == "True" { "ok-text" } else { "warn-text" };
                        view! {
                            <li><strong>{c.kind.clone()}</strong>" "<span class=class>{c.status.clone()}</span>
                                {c.reason.clone().map(|r| format!(" · {r}"))}
                                {c.message.clone().map(|m| view! { <div class="small muted">{m}</div> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {(!s.owners.is_empty()).then(|| view! {
                <div class="small"><span class="label">"owned by"</span>" "
                    {s.owners.iter().map(|o| {
                        let owner = o.clone();
                        view! { <button class="chip link-chip" data-testid="summary-owner" title="Open the owner" on:click=move |_| open_owner.run(owner.clone())>{format!("{} {}", o.kind, o.name)}</button> }
                    }).collect_view()}
                </div>
            })}
            {(!s.labels.is_empty()).then(|| view! { <div class="chips"><span class="label">"labels"</span>" "{chips(&s.labels)}</div> })}
            {(!s.annotations.is_empty()).then(|| view! { <div class="chips"><span class="label">"annotations"</span>" "{chips(&s.annotations)}</div> })}
        </div>
    }
    .into_any()
}

/// The object's YAML as coloured pieces; the page's text stays exactly the YAML.
fn yaml_spans(yaml: &str) -> impl IntoView + use<> {
    let lines = highlight_yaml(yaml);
    let last = lines.len().saturating_sub(1);
    lines
        .into_iter()
        .enumerate()
        .map(|(i, pieces)| {
            let pieces = pieces
                .into_iter()
                .map(|(t, text)| {
                    let class = match t {
                        Token::Plain => "",
                        Token::Key => "y-key",
                        Token::Punct => "y-punct",
                        Token::Str => "y-str",
                        Token::Num => "y-num",
                        Token::Literal => "y-lit",
                        Token::Comment => "y-comment",
                    };
                    view! { <span class=class>{text}</span> }
                })
                .collect_view();
            view! { {pieces}{(i < last).then_some("\n")} }
        })
        .collect_view()
}
