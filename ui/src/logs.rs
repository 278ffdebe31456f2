//! A log view: one pod's container, or every pod of a workload merged in time order. The
//! backend keeps the lines (a bounded ring buffer, old ones dropped with a marker), searches
//! and lays them out; the page holds only the rows on screen and asks for them again when the
//! log, the scroll position or the way of drawing changes. Search highlights and jumps, the
//! filter shows matching lines only; JSON lines can be pretty-printed and long lines wrapped
//! (rows then have different heights, counted from the text in the monospace font).

use crate::bridge;
use crate::prefs::{load, save};
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_model::UiError;
use loupe_model::logs::{
    ContainerSelection, LogBuffer, LogLine, LogLook, LogMatcher, LogOptions, LogRequest, LogSource,
    LogStatus, LogWindow, LogWindowRequest, PodContainers, SourceState, StyledRun, WorkloadKind,
    WorkloadLogRequest, WorkloadTarget, cut_note, display_text, has_ansi, parse_ansi,
    search_matcher, thousands,
};
use wasm_bindgen::JsCast;

/// Height of one row of text in pixels (a wrapped or pretty-printed line takes several).
const LINE_HEIGHT: f64 = 18.0;
/// Capacities offered for the ring buffer (lines per view); older lines are dropped and counted.
const CAPACITIES: [usize; 5] = [10_000, 50_000, 100_000, 250_000, 1_000_000];
/// localStorage keys of the view's settings.
const KEY_CAPACITY: &str = "loupe.logs.capacity";
const KEY_WRAP: &str = "loupe.logs.wrap";
const KEY_JSON: &str = "loupe.logs.json";
/// Rows asked for above and below the visible ones, so a short scroll needs no new window.
const MARGIN_ROWS: u64 = 40;

/// The saved ring-buffer capacity, if it is one of [`CAPACITIES`], else the default.
fn saved_capacity() -> usize {
    load(KEY_CAPACITY)
        .and_then(|v| v.parse().ok())
        .filter(|c| CAPACITIES.contains(c))
        .unwrap_or(LogBuffer::DEFAULT_CAPACITY)
}

/// What a log view shows.
#[derive(Debug, Clone, PartialEq)]
pub enum LogTarget {
    /// One pod (a container of it).
    Pod {
        /// Namespace.
        namespace: String,
        /// Pod name.
        pod: String,
    },
    /// Every pod of a workload.
    Workload {
        /// Namespace.
        namespace: String,
        /// Kind.
        kind: WorkloadKind,
        /// Name.
        name: String,
    },
}

impl LogTarget {
    /// The workload kind of a Kubernetes kind name, for kinds whose pods can be merged.
    pub fn workload_kind(kind: &str) -> Option<WorkloadKind> {
        Some(match kind {
            "Deployment" => WorkloadKind::Deployment,
            "StatefulSet" => WorkloadKind::StatefulSet,
            "DaemonSet" => WorkloadKind::DaemonSet,
            "Job" => WorkloadKind::Job,
            "ReplicaSet" => WorkloadKind::ReplicaSet,
            "Service" => WorkloadKind::Service,
            _ => return None,
        })
    }
}

/// The search box's text and what it compiles to (compared by text, compiled once).
#[derive(Clone)]
struct Pattern {
    text: String,
    matcher: Result<LogMatcher, String>,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

/// Colour classes for source labels (a workload view has several pods).
const PALETTE: usize = 8;

/// The log view of `target` in `context`.
#[component]
pub fn LogView(context: String, target: LogTarget) -> impl IntoView {
    let ctx = StoredValue::new(context);
    let capacity = RwSignal::new(saved_capacity());
    // The backend keeps the lines; the page keeps the stream's status and the rows on screen.
    let status = RwSignal::new(LogStatus::default());
    let window = RwSignal::new(None::<LogWindow>);
    let start_error = RwSignal::new(None::<UiError>);
    let containers = RwSignal::new(None::<Result<PodContainers, UiError>>);
    let container = RwSignal::new(None::<String>);
    let follow = RwSignal::new(true);
    let previous = RwSignal::new(false);
    let timestamps = RwSignal::new(false);
    let tail = RwSignal::new(1000i64);
    let search = RwSignal::new(String::new());
    let filter_only = RwSignal::new(false);
    // The current search match, by line seq.
    let current_match = RwSignal::new(None::<u64>);
    let stick_to_bottom = RwSignal::new(true);
    let is_workload = matches!(target, LogTarget::Workload { .. });
    let saved = RwSignal::new(None::<Result<String, UiError>>);
    let saving = RwSignal::new(false);
    let wrap = RwSignal::new(load(KEY_WRAP).as_deref() == Some("1"));
    let json = RwSignal::new(load(KEY_JSON).as_deref() == Some("1"));
    let copied = RwSignal::new(None::<Result<String, String>>);
    let search_box = NodeRef::<leptos::html::Input>::new();
    let pod_target = StoredValue::new(target.clone());
    let download = move |_| {
        let LogTarget::Pod { namespace, pod } = pod_target.get_value() else {
            return;
        };
        let req = LogRequest {
            namespace,
            pod,
            container: container.get_untracked(),
            options: LogOptions {
                previous: previous.get_untracked(),
                timestamps: timestamps.get_untracked(),
                ..LogOptions::default()
            },
        };
        saving.set(true);
        spawn_local(async move {
            saved.set(Some(bridge::download_logs(&ctx.get_value(), &req).await));
            saving.set(false);
        });
    };

    if let LogTarget::Pod { namespace, pod } = target.clone() {
        spawn_local(async move {
            let c = bridge::pod_containers(&ctx.get_value(), &namespace, &pod).await;
            if let Ok(pc) = &c {
                container.set(Some(pc.default_container.clone()));
            }
            containers.set(Some(c));
        });
    }

    // (Re)open the view whenever what to fetch changes.
    let stream_id = StoredValue::new(0u64);
    let target2 = target.clone();
    Effect::new(move |_| {
        let options = LogOptions {
            follow: follow.get(),
            tail_lines: Some(tail.get()).filter(|t| *t >= 0),
            timestamps: true,
            previous: previous.get(),
            ..LogOptions::default()
        };
        let chosen = container.get();
        if matches!(target2, LogTarget::Pod { .. }) && chosen.is_none() {
            return; // the container picker answers first
        }
        let old = stream_id.get_value();
        let id = bridge::next_watch_id();
        stream_id.set_value(id);
        status.set(LogStatus::default());
        window.set(None);
        start_error.set(None);
        current_match.set(None);
        let target = target2.clone();
        // The ring size now; a later change is sent with `log_capacity`.
        let ring = capacity.get_untracked();
        spawn_local(async move {
            if old > 0 {
                let _ = bridge::stop_watch(old).await;
            }
            let on_status = move |st: Result<LogStatus, UiError>| {
                if stream_id.try_get_value() != Some(id) {
                    return;
                }
                match st {
                    Ok(st) => status.set(st),
                    Err(e) => start_error.set(Some(e)),
                }
            };
            let started = match target {
                LogTarget::Pod { namespace, pod } => {
                    let req = LogRequest {
                        namespace,
                        pod,
                        container: chosen,
                        options,
                    };
                    bridge::stream_logs(&ctx.get_value(), id, &req, ring, on_status).await
                }
                LogTarget::Workload {
                    namespace,
                    kind,
                    name,
                } => {
                    let req = WorkloadLogRequest {
                        namespace,
                        target: WorkloadTarget::Object { kind, name },
                        containers: ContainerSelection::Default,
                        options,
                        max_streams: Some(50),
                    };
                    bridge::stream_workload_logs(&ctx.get_value(), id, &req, ring, on_status).await
                }
            };
            if let Err(e) = started {
                start_error.set(Some(e));
            }
        });
    });
    on_cleanup(move || {
        let id = stream_id.get_value();
        if id > 0 {
            spawn_local(async move {
                let _ = bridge::stop_watch(id).await;
            });
        }
    });

    // The search box, compiled here too: the rows on screen are highlighted in the page.
    let pattern = Memo::new(move |_| {
        let text = search.get();
        let matcher = search_matcher(&text).map_err(|e| e.to_string());
        Pattern { text, matcher }
    });
    let matcher = Signal::derive(move || pattern.with(|p| p.matcher.clone()));
    let multi = Memo::new(move |_| status.with(|s| s.sources.len() > 1));
    let scroller = NodeRef::<Div>::new();
    let char_probe = NodeRef::<leptos::html::Span>::new();
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(400.0f64);
    let width = RwSignal::new(800.0f64);
    let char_width = RwSignal::new(7.2f64);
    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            let top = f64::from(el.scroll_top());
            let h = f64::from(el.client_height());
            let before = scroll_top.get_untracked();
            scroll_top.set(top);
            viewport.set(h);
            width.set(f64::from(el.client_width()));
            // Scrolling up pauses the auto-scroll; back at the bottom resumes it. Only a move up
            // pauses: the scroll event of our own jump to the bottom may arrive after newer
            // rows made the list taller, and must not read as the user leaving the bottom.
            let bottom = f64::from(el.scroll_height()) - h;
            if top >= bottom - LINE_HEIGHT * 2.0 {
                stick_to_bottom.set(true);
            } else if top + 1.0 < before {
                stick_to_bottom.set(false);
            }
        }
        // The probe holds 100 characters in the log font: wrapping is computed from its width.
        if let Some(p) = char_probe.get_untracked() {
            let w = f64::from(p.offset_width()) / 100.0;
            if w > 0.0 {
                char_width.set(w);
            }
        }
    };
    request_animation_frame(measure);
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    // How the backend lays the lines out for this view.
    let look = Memo::new(move |_| LogLook {
        pattern: search.get(),
        filter_only: filter_only.get(),
        json: json.get(),
        wrap_columns: wrap.get().then(|| {
            text_columns(width.get(), char_width.get(), multi.get(), timestamps.get()) as u32
        }),
    });
    // The rows on screen and a margin around them; the last ones while following.
    let wanted = Memo::new(move |_| {
        let rows = (viewport.get() / LINE_HEIGHT) as u64 + 2 * MARGIN_ROWS;
        let at_end = stick_to_bottom.get();
        let first_row = if at_end {
            0
        } else {
            ((scroll_top.get() / LINE_HEIGHT) as u64).saturating_sub(MARGIN_ROWS)
        };
        LogWindowRequest {
            look: look.get(),
            first_row,
            rows,
            at_end,
        }
    });
    // One request in flight at a time; whatever changed meanwhile is asked for next.
    let in_flight = StoredValue::new(false);
    let asked = StoredValue::new(None::<(u64, u64, LogWindowRequest)>);
    let fetch = move || {
        if in_flight.get_value() {
            return;
        }
        in_flight.set_value(true);
        spawn_local(async move {
            loop {
                let id = stream_id.get_value();
                // Paused, a new version alone is no reason to ask (see the effect below).
                let version = if stick_to_bottom.get_untracked() {
                    status.with_untracked(|s| s.version)
                } else {
                    0
                };
                let key = (id, version, wanted.get_untracked());
                if id == 0 || asked.get_value().as_ref() == Some(&key) {
                    break;
                }
                asked.set_value(Some(key.clone()));
                match bridge::log_window(id, &key.2).await {
                    Ok(w) if stream_id.try_get_value() == Some(id) => window.set(Some(w)),
                    // A closed or replaced view: its successor asks again.
                    _ => {}
                }
            }
            in_flight.try_set_value(false);
        });
    };
    // While the user reads above the bottom (paused), new lines do not move what they read:
    // the window is asked for again when they scroll, not on every status tick.
    Effect::new(move |_| {
        if stick_to_bottom.get() {
            status.with(|s| s.version);
        }
        wanted.track();
        fetch();
    });
    // New lines keep the view at the bottom unless the user scrolled up.
    Effect::new(move |_| {
        window.track();
        if stick_to_bottom.get_untracked() {
            request_animation_frame(move || {
                if let Some(el) = scroller.get_untracked() {
                    el.set_scroll_top(el.scroll_height());
                }
            });
        }
    });
    let jump = move |forward: bool| {
        let id = stream_id.get_value();
        let l = look.get_untracked();
        let from = current_match.get_untracked();
        spawn_local(async move {
            let Ok(hit) = bridge::log_jump(id, &l, from, forward).await else {
                return;
            };
            current_match.set(hit.map(|h| h.seq));
            if let Some(h) = hit {
                stick_to_bottom.set(false);
                if let Some(el) = scroller.get_untracked() {
                    let top = h.row as f64 * LINE_HEIGHT - f64::from(el.client_height()) / 2.0;
                    el.set_scroll_top(top.max(0.0) as i32);
                }
            }
        });
    };
    let to_bottom = move || {
        stick_to_bottom.set(true);
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    };
    // Copy: the lines shown after the filter, as kubectl would print them (the backend
    // formats them: pod prefix when several sources, timestamps when shown, pretty JSON).
    let copy = move || {
        let id = stream_id.get_value();
        let l = look.get_untracked();
        let ts = timestamps.get_untracked();
        let lines = std::rc::Rc::new(std::cell::Cell::new(0u64));
        let counted = std::rc::Rc::clone(&lines);
        // Called now, while the click or key still counts as the user's gesture; the text
        // follows from the backend.
        let pending = copy_deferred(async move {
            let t = bridge::log_text(id, &l, ts).await.map_err(|e| e.message)?;
            counted.set(t.lines);
            Ok(t.text)
        });
        spawn_local(async move {
            let r = pending.await.map(|()| {
                let n = lines.get();
                format!(
                    "Copied {} line{}",
                    thousands(n),
                    if n == 1 { "" } else { "s" }
                )
            });
            copied.set(Some(r));
            set_timeout(move || copied.set(None), std::time::Duration::from_secs(6));
        });
    };
    let toggle_wrap = move || {
        wrap.update(|w| *w = !*w);
        save(KEY_WRAP, if wrap.get_untracked() { "1" } else { "0" });
    };
    let toggle_json = move || {
        json.update(|j| *j = !*j);
        save(KEY_JSON, if json.get_untracked() { "1" } else { "0" });
    };
    let set_capacity = move |c: usize| {
        capacity.set(c);
        save(KEY_CAPACITY, &c.to_string());
        let id = stream_id.get_value();
        spawn_local(async move {
            let _ = bridge::log_capacity(id, c).await;
        });
    };
    // Shortcuts while the view (not a text field) has the focus.
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
        if ev.ctrl_key() && ev.key() == "f" {
            ev.prevent_default();
            if let Some(i) = search_box.get_untracked() {
                let _ = i.focus();
            }
            return;
        }
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        match ev.key().as_str() {
            "/" => {
                ev.prevent_default();
                if let Some(i) = search_box.get_untracked() {
                    let _ = i.focus();
                }
            }
            "w" => toggle_wrap(),
            "j" => toggle_json(),
            "f" => follow.update(|f| *f = !*f),
            "c" => copy(),
            "n" => jump(true),
            "N" => jump(false),
            "End" | "G" => {
                ev.prevent_default();
                to_bottom();
            }
            _ => {}
        }
    };

    view! {
        <div class="logs" data-testid="log-view" on:keydown=on_key
            data-received=move || status.with(|s| s.received.to_string())
            data-kept=move || status.with(|s| s.kept.to_string())
            data-dropped=move || status.with(|s| s.dropped.to_string())
            data-wasm-bytes=move || { status.track(); wasm_memory_bytes().to_string() }>
            <div class="toolbar">
                {move || containers.get().map(|c| match c {
                    Ok(pc) => view! {
                        <select data-testid="log-container" title="Container" on:change=move |ev| container.set(Some(event_target_value(&ev)))>
                            {pc.containers.iter().map(|c| {
                                let name = c.name.clone();
                                let label = format!("{}{}", c.name, match c.kind { loupe_model::logs::ContainerKind::Init => " (init)", loupe_model::logs::ContainerKind::Ephemeral => " (ephemeral)", _ => "" });
                                let selected = Some(&c.name) == Some(&pc.default_container);
                                view! { <option value=name selected=selected>{label}</option> }
                            }).collect_view()}
                        </select>
                    }.into_any(),
                    Err(e) => view! { <span class="small warn-text">{e.message}</span> }.into_any(),
                })}
                <label class="small" title="Follow new lines (f)"><input type="checkbox" data-testid="log-follow" prop:checked=move || follow.get() on:change=move |ev| follow.set(event_target_checked(&ev)) />" follow"</label>
                {(!is_workload).then(|| view! {
                    <label class="small"><input type="checkbox" data-testid="log-previous" on:change=move |ev| previous.set(event_target_checked(&ev)) />" previous"</label>
                })}
                <label class="small"><input type="checkbox" data-testid="log-timestamps" on:change=move |ev| timestamps.set(event_target_checked(&ev)) />" timestamps"</label>
                <label class="small">"tail "
                    <select data-testid="log-tail" on:change=move |ev| tail.set(event_target_value(&ev).parse().unwrap_or(-1))>
                        <option value="100">"100"</option>
                        <option value="1000" selected=true>"1000"</option>
                        <option value="10000">"10000"</option>
                        <option value="-1">"all"</option>
                    </select>
                </label>
                <label class="small" title="Lines this view keeps; older ones are dropped (Download still saves the whole log)">"keep "
                    <select data-testid="log-capacity" on:change=move |ev| if let Ok(c) = event_target_value(&ev).parse() { set_capacity(c) }>
                        {CAPACITIES.iter().map(|&c| view! {
                            <option value=c.to_string() selected=c == capacity.get_untracked()>{thousands(c as u64)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <span class="toggles">
                    <button class="toggle" data-testid="log-wrap" title="Wrap long lines (w); off: scroll sideways"
                        aria-pressed=move || wrap.get().to_string() on:click=move |_| toggle_wrap()>"Wrap"</button>
                    <button class="toggle" data-testid="log-json" title="Pretty-print lines that are JSON objects (j)"
                        aria-pressed=move || json.get().to_string() on:click=move |_| toggle_json()>"{ } JSON"</button>
                </span>
                <input type="search" class="filter" placeholder="Search or /regex/" title="Search (/ or Ctrl+F); Enter: next match, Shift+Enter: previous" data-testid="log-search" node_ref=search_box
                    prop:value=move || search.get() on:input=move |ev| { search.set(event_target_value(&ev)); current_match.set(None); }
                    on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); jump(!ev.shift_key()); } />
                <button class="icon-button" title="Previous match (Shift+Enter, N)" on:click=move |_| jump(false)>"↑"</button>
                <button class="icon-button" title="Next match (Enter, n)" on:click=move |_| jump(true)>"↓"</button>
                <label class="small"><input type="checkbox" data-testid="log-filter" on:change=move |ev| filter_only.set(event_target_checked(&ev)) />" only matching"</label>
                <button class="icon-button" data-testid="log-copy" title="Copy the lines shown (after the filter) to the clipboard (c)"
                    on:click=move |_| copy()>"Copy"</button>
                {(!is_workload).then(|| view! {
                    <button class="icon-button" data-testid="log-download" title="Save the whole log (not only what is shown) to your Downloads folder"
                        disabled=move || saving.get() on:click=download>{move || if saving.get() { "Saving…" } else { "⤓ Download" }}</button>
                })}
                {move || copied.get().map(|r| match r {
                    Ok(m) => view! { <span class="small ok-text" data-testid="log-copied" role="status">{m}</span> }.into_any(),
                    Err(e) => view! { <span class="small warn-text" data-testid="log-copied" role="status">{format!("Copy failed: {e}")}</span> }.into_any(),
                })}
                <span class="count" data-testid="log-count">{move || {
                    // The count comes with the window, which follows the search box.
                    window.with(|w| match w {
                        Some(LogWindow { pattern_error: Some(e), .. }) => format!("bad pattern: {e}"),
                        Some(LogWindow { matches: Some(n), .. }) => {
                            format!("{n} match{}", if *n == 1 { "" } else { "es" })
                        }
                        _ => status.with(|s| format!("{} lines", s.kept)),
                    })
                }}</span>
                <span class="watch-state" data-testid="log-state">{move || {
                    status.with(|s| {
                        if s.error.is_some() || start_error.with(Option::is_some) { "stopped".to_string() }
                        else if s.ended { "ended".to_string() }
                        else if !stick_to_bottom.get() { "paused (scroll down or End to resume)".to_string() }
                        else if follow.get() { "following".to_string() }
                        else { "loading…".to_string() }
                    })
                }}</span>
            </div>
            {move || {
                status.with(|s| {
                    let waiting: Vec<String> = s.states.iter().filter_map(|(id, st)| match st {
                        SourceState::Waiting { reason, message } => Some(format!("{}: waiting ({reason}){}", s.sources.iter().find(|x| x.id == *id).map(|x| x.label.as_str()).unwrap_or("container"), message.as_ref().map(|m| format!(": {m}")).unwrap_or_default())),
                        _ => None,
                    }).collect();
                    view! {
                        {s.error.clone().or_else(|| start_error.get()).map(|e| view! {
                            <div class="banner warning small" data-testid="log-error">
                                <strong>{e.message.clone()}</strong>
                                {e.hint.clone().map(|h| view! { <div class="hint">{h}</div> })}
                            </div>
                        })}
                        {saved.get().map(|r| match r {
                            Ok(p) => view! { <div class="small ok-text" data-testid="log-saved">{format!("Saved to {p}")}</div> }.into_any(),
                            Err(e) => view! { <div class="small warn-text">{e.message}</div> }.into_any(),
                        })}
                        {(!waiting.is_empty()).then(|| view! { <div class="banner info small" data-testid="log-waiting">{waiting.join("; ")}</div> })}
                        {(s.dropped > 0).then(|| view! {
                            <div class="small muted dropped" data-testid="log-dropped">{format!(
                                "{} older lines dropped (this view keeps the last {} lines; Download saves them all)",
                                thousands(s.dropped), thousands(s.capacity))}</div>
                        })}
                    }
                })
            }}
            <span class="log-measure" aria-hidden="true" node_ref=char_probe>{"0".repeat(100)}</span>
            <div node_ref=scroller tabindex="0" data-testid="log-lines" on:scroll=move |_| measure()
                class=move || match (wrap.get(), json.get()) {
                    (true, _) => "log-lines wrap rows",
                    (false, true) => "log-lines nowrap rows",
                    (false, false) => "log-lines nowrap",
                }>
                {move || window.with(|w| w.is_none().then(|| view! {
                    <div class="small muted" data-testid="log-loading">"Loading…"</div>
                }))}
                // Spacers stand for the rows above and below the window: the scrollbar is the
                // whole log's.
                <div style=move || window.with(|w| format!("height: {}px",
                    w.as_ref().map_or(0.0, |w| w.first_row as f64 * LINE_HEIGHT)))></div>
                // Keyed by line and look: while following, rows already on screen are kept and
                // only the new ones are built.
                <For each=move || {
                    let opts = LineOpts {
                        show_ts: timestamps.get(),
                        json: json.get(),
                        variable: wrap.get() || json.get(),
                        multi: multi.get(),
                    };
                    let cur = current_match.get();
                    let pattern = search.get();
                    window.with(|w| w.as_ref().map(|w| w.lines.iter().map(|l| Row {
                        seq: l.line.seq,
                        rows: l.rows,
                        current: cur == Some(l.line.seq),
                        pattern: pattern.clone(),
                        opts,
                        line: l.line.clone(),
                        source: w.status.sources.iter().find(|s| s.id == l.line.source).cloned(),
                    }).collect::<Vec<_>>()).unwrap_or_default())
                } key=|r| (r.seq, r.rows, r.current, r.pattern.clone(), r.opts) let:r>
                    {line_view(r.seq, r.line, r.source, r.rows, r.opts, r.current, matcher.get_untracked().ok().as_ref())}
                </For>
                <div style=move || window.with(|w| format!("height: {}px", w.as_ref().map_or(0.0, |w| {
                    let window_rows: u64 = w.lines.iter().map(|l| u64::from(l.rows)).sum();
                    w.total_rows.saturating_sub(w.first_row + window_rows) as f64 * LINE_HEIGHT
                })))></div>
            </div>
        </div>
    }
}

/// Characters per row of wrapped text: the view's width less the padding and the fixed
/// columns of the pod label (12ch + 1ch) and the timestamp (30ch + 1ch), see style.css.
fn text_columns(width: f64, char_width: f64, multi: bool, timestamps: bool) -> usize {
    let all = ((width - 16.0) / char_width.max(1.0)).floor() as usize;
    let fixed = if multi { 13 } else { 0 } + if timestamps { 31 } else { 0 };
    // One column to spare: a row never ends up one character short.
    all.saturating_sub(fixed + 1).max(10)
}

/// The size of the UI's wasm memory (it only grows): a figure for the log benchmark, which
/// reads it from the view's `data-wasm-bytes` to tell the Rust heap from the page's JS heap.
fn wasm_memory_bytes() -> u32 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .unchecked_into::<js_sys::ArrayBuffer>()
                .byte_length()
        })
        .unwrap_or(0)
}

/// One row of the list as `<For>` keys it.
#[derive(Clone)]
struct Row {
    seq: u64,
    rows: u32,
    current: bool,
    pattern: String,
    opts: LineOpts,
    line: LogLine,
    source: Option<LogSource>,
}

/// How lines are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct LineOpts {
    show_ts: bool,
    json: bool,
    /// Rows have their own heights (wrap or JSON on).
    variable: bool,
    /// Several sources: show the pod label.
    multi: bool,
}

/// Copies text that is still to come (from the backend) to the clipboard. A webview only lets
/// a page write the clipboard during a user gesture, which an IPC round trip outlasts, so the
/// write starts now with a `ClipboardItem` whose content is a promise of the text (WebKit keeps
/// the gesture for it). Where that is not available, the text is awaited and written as
/// [`write_clipboard`] does.
fn copy_deferred(
    text: impl std::future::Future<Output = Result<String, String>> + 'static,
) -> impl std::future::Future<Output = Result<(), String>> {
    use js_sys::{Array, Function, Object, Promise, Reflect};
    use wasm_bindgen::JsValue;
    // The text, once here, also for the fallback.
    let got = std::rc::Rc::new(std::cell::RefCell::new(None::<Result<String, String>>));
    let store = std::rc::Rc::clone(&got);
    let blob = wasm_bindgen_futures::future_to_promise(async move {
        let t = text.await;
        *store.borrow_mut() = Some(t.clone());
        let t = t.map_err(|e| JsValue::from_str(&e))?;
        let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
        let ctor: Function = Reflect::get(&window, &"Blob".into())?.dyn_into()?;
        let options = Object::new();
        Reflect::set(&options, &"type".into(), &"text/plain".into())?;
        let parts = Array::of1(&JsValue::from_str(&t));
        Reflect::construct(&ctor, &Array::of2(&parts, &options))
    });
    // `navigator.clipboard.write([new ClipboardItem({"text/plain": blob})])`, started now.
    let started = (|| -> Option<Promise> {
        let window = web_sys::window()?;
        let clipboard = Reflect::get(&window, &"navigator".into())
            .and_then(|n| Reflect::get(&n, &"clipboard".into()))
            .ok()
            .filter(|c| !c.is_undefined() && !c.is_null())?;
        let item_ctor: Function = Reflect::get(&window, &"ClipboardItem".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let content = Object::new();
        Reflect::set(&content, &"text/plain".into(), &blob).ok()?;
        let item = Reflect::construct(&item_ctor, &Array::of1(&content)).ok()?;
        let write: Function = Reflect::get(&clipboard, &"write".into())
            .ok()?
            .dyn_into()
            .ok()?;
        write
            .call1(&clipboard, &Array::of1(&item))
            .ok()?
            .dyn_into()
            .ok()
    })();
    async move {
        if let Some(p) = started
            && wasm_bindgen_futures::JsFuture::from(p).await.is_ok()
        {
            return Ok(());
        }
        // Not written: wait for the text (an error fetching it is the error to show), then try
        // the plain ways.
        let _ = wasm_bindgen_futures::JsFuture::from(blob).await;
        let text = got
            .borrow_mut()
            .take()
            .unwrap_or_else(|| Err("no text to copy".into()))?;
        write_clipboard(&text).await
    }
}

/// Copies `text` to the clipboard: the async Clipboard API, else (an older webview, or one
/// that refuses it) a hidden textarea and `execCommand("copy")`.
async fn write_clipboard(text: &str) -> Result<(), String> {
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::JsValue;
    let window = web_sys::window().ok_or("no window")?;
    let clipboard = Reflect::get(&window, &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"clipboard".into()))
        .unwrap_or(JsValue::UNDEFINED);
    if !clipboard.is_undefined() && !clipboard.is_null() {
        let promise = Reflect::get(&clipboard, &"writeText".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .and_then(|f| f.call1(&clipboard, &JsValue::from_str(text)).ok())
            .and_then(|p| p.dyn_into::<Promise>().ok());
        if let Some(p) = promise
            && wasm_bindgen_futures::JsFuture::from(p).await.is_ok()
        {
            return Ok(());
        }
    }
    let document = window.document().ok_or("no document")?;
    let body = document.body().ok_or("no document body")?;
    let area = document
        .create_element("textarea")
        .map_err(|_| "cannot create a textarea")?;
    let _ = area.set_attribute("readonly", "");
    let _ = area.set_attribute("style", "position:fixed;left:-10000px;top:0;opacity:0");
    let _ = Reflect::set(&area, &"value".into(), &JsValue::from_str(text));
    let _ = body.append_child(&area);
    let select = Reflect::get(&area, &"select".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
    if let Some(f) = select {
        let _ = f.call0(&area);
    }
    let copied = Reflect::get(&document, &"execCommand".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call1(&document, &"copy".into()).ok())
        .is_some_and(|r| r.is_truthy());
    area.remove();
    if copied {
        Ok(())
    } else {
        Err("the webview did not allow access to the clipboard".into())
    }
}

fn line_view(
    seq: u64,
    line: LogLine,
    source: Option<LogSource>,
    rows: u32,
    opts: LineOpts,
    current: bool,
    matcher: Option<&LogMatcher>,
) -> impl IntoView + use<> {
    let class = if line.marker.is_some() {
        "line marker"
    } else if current {
        "line current"
    } else {
        "line"
    };
    let label = source
        .filter(|_| opts.multi)
        .map(|s| (s.label, format!("src c{}", s.id as usize % PALETTE)));
    let ts = line.timestamp.clone().filter(|_| opts.show_ts);
    let (text, hidden) = display_text(&line, opts.json);
    let note = cut_note(&line, hidden);
    // Colour runs (ANSI codes), each split further at search matches for highlighting.
    let runs = if has_ansi(&text) {
        parse_ansi(&text)
    } else {
        vec![StyledRun {
            text: text.into_owned(),
            fg: None,
            bold: false,
        }]
    };
    let mut parts: Vec<(String, String, bool)> = Vec::new();
    for run in runs {
        let mut style = String::new();
        if let Some(fg) = run.fg {
            style.push_str(&format!("ansi-fg{fg}"));
        }
        if run.bold {
            style.push_str(" ansi-bold");
        }
        let text = run.text;
        match matcher {
            Some(m) if !m.is_empty() => {
                let mut at = 0;
                for r in m.find_iter(&text) {
                    if r.start > at {
                        parts.push((text[at..r.start].to_string(), style.clone(), false));
                    }
                    parts.push((text[r.start..r.end].to_string(), style.clone(), true));
                    at = r.end;
                }
                parts.push((text[at..].to_string(), style, false));
            }
            _ => parts.push((text, style, false)),
        }
    }
    let height = opts
        .variable
        .then(|| format!("height: {}px", f64::from(rows.max(1)) * LINE_HEIGHT));
    view! {
        <div class=class data-testid="log-line" data-seq=seq style=height>
            {label.map(|(l, c)| view! { <span class=c>{l}</span> })}
            {ts.map(|t| view! { <span class="ts">{t}</span> })}
            <span class="text">
                {parts.into_iter().map(|(t, style, hit)| if hit { view! { <mark class=style>{t}</mark> }.into_any() } else { view! { <span class=style>{t}</span> }.into_any() }).collect_view()}
                {note.map(|n| view! { <span class="cut" data-testid="log-cut">{n}</span> })}
            </span>
        </div>
    }
}
