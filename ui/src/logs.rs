//! A log view: one pod's container, or every pod of a workload merged in time order. Lines go
//! into a bounded ring buffer (old ones dropped with a marker) and only the visible ones are in
//! the DOM; search highlights and jumps, the filter shows matching lines only. JSON lines can be
//! pretty-printed and long lines wrapped: rows then have different heights, computed from the
//! text (monospace), so the list stays virtualised.

use crate::bridge;
use crate::prefs::{load, save};
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_model::UiError;
use loupe_model::logs::{
    ContainerSelection, LogBuffer, LogEvent, LogLine, LogMatcher, LogOptions, LogRequest,
    LogSource, MatchTracker, PodContainers, SourceState, StyledRun, WorkloadKind,
    WorkloadLogRequest, WorkloadTarget, has_ansi, next_match, parse_ansi, pretty_json,
};
use std::collections::HashMap;
use wasm_bindgen::JsCast;

/// Height of one row of text in pixels (a wrapped or pretty-printed line takes several).
const LINE_HEIGHT: f64 = 18.0;
/// Capacities offered for the ring buffer (lines per view); older lines are dropped and counted.
const CAPACITIES: [usize; 5] = [10_000, 50_000, 100_000, 250_000, 1_000_000];
/// Lines arriving are drawn at most this often (milliseconds).
const REDRAW_MS: u64 = 100;
/// Characters of one line put on screen at most; the rest is marked (Copy and Download keep
/// the whole line). Laying out 64 KiB in one row would stall the webview.
const DISPLAY_MAX_CHARS: usize = 5_000;
/// localStorage keys of the view's settings.
const KEY_CAPACITY: &str = "loupe.logs.capacity";
const KEY_WRAP: &str = "loupe.logs.wrap";
const KEY_JSON: &str = "loupe.logs.json";

/// The saved ring-buffer capacity, if it is one of [`CAPACITIES`], else the default.
fn saved_capacity() -> usize {
    load(KEY_CAPACITY)
        .and_then(|v| v.parse().ok())
        .filter(|c| CAPACITIES.contains(c))
        .unwrap_or(LogBuffer::DEFAULT_CAPACITY)
}

/// `100000` → `100,000`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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

/// The lines and what the stream said about its sources.
struct ViewState {
    buffer: LogBuffer,
    /// Lines received since the stream started (the buffer may have dropped some).
    received: u64,
    sources: HashMap<u32, LogSource>,
    states: HashMap<u32, SourceState>,
    error: Option<UiError>,
    ended: bool,
}

/// Colour classes for source labels (a workload view has several pods).
const PALETTE: usize = 8;

/// The log view of `target` in `context`.
#[component]
pub fn LogView(context: String, target: LogTarget) -> impl IntoView {
    let ctx = StoredValue::new(context);
    let capacity = RwSignal::new(saved_capacity());
    let state = StoredValue::new(ViewState {
        buffer: LogBuffer::new(capacity.get_untracked()),
        received: 0,
        sources: HashMap::new(),
        states: HashMap::new(),
        error: None,
        ended: false,
    });
    // Bumped whenever `state` changes (the buffer is too big to clone into a signal).
    let version = RwSignal::new(0u64);
    let redraw_pending = StoredValue::new(false);
    let containers = RwSignal::new(None::<Result<PodContainers, UiError>>);
    let container = RwSignal::new(None::<String>);
    let follow = RwSignal::new(true);
    let previous = RwSignal::new(false);
    let timestamps = RwSignal::new(false);
    let tail = RwSignal::new(1000i64);
    let search = RwSignal::new(String::new());
    let filter_only = RwSignal::new(false);
    let current_match = RwSignal::new(None::<usize>);
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

    // (Re)start the stream whenever what to fetch changes.
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
        state.update_value(|s| {
            s.buffer.clear();
            s.received = 0;
            s.sources.clear();
            s.states.clear();
            s.error = None;
            s.ended = false;
        });
        current_match.set(None);
        version.update(|v| *v += 1);
        let target = target2.clone();
        // The ring size now; a later change applies to the next stream (lines the backend
        // skipped while the view was behind are gone either way).
        let ring = capacity.get_untracked();
        spawn_local(async move {
            if old > 0 {
                let _ = bridge::stop_watch(old).await;
            }
            // Batches of this stream handled so far, acknowledged so the backend sends more
            // (it keeps only a few in flight: a fast stream then waits instead of queueing).
            let mut processed = 0u64;
            let on_batch = move |batch: Result<loupe_model::logs::LogBatch, UiError>| {
                if stream_id.get_value() != id {
                    return;
                }
                state.update_value(|s| match batch {
                    Ok(b) => {
                        s.received += b.line_count();
                        let (rest, _) = s.buffer.push_events(b.events);
                        for e in rest {
                            match e {
                                LogEvent::Source { source } => {
                                    s.sources.insert(source.id, source);
                                }
                                LogEvent::State { source, state } => {
                                    s.states.insert(source, state);
                                }
                                LogEvent::Error {
                                    error,
                                    source: None,
                                    ..
                                } => s.error = Some(error),
                                LogEvent::Error {
                                    error,
                                    source: Some(_),
                                    ..
                                } => {
                                    s.error.get_or_insert(error);
                                }
                                LogEvent::End { .. } => s.ended = true,
                                LogEvent::Lines { .. } | LogEvent::Skipped { .. } => {}
                            }
                        }
                    }
                    Err(e) => s.error = Some(e),
                });
                // Redraw at most every REDRAW_MS: a fast stream sends many batches a second,
                // and each redraw recomputes the shown lines, counts and visible rows.
                if !redraw_pending.get_value() {
                    redraw_pending.set_value(true);
                    set_timeout(
                        // `try_`: the view may be closed by then.
                        move || {
                            redraw_pending.try_set_value(false);
                            version.try_update(|v| *v += 1);
                        },
                        std::time::Duration::from_millis(REDRAW_MS),
                    );
                }
                processed += 1;
                bridge::ack_logs(id, processed);
            };
            let started = match target {
                LogTarget::Pod { namespace, pod } => {
                    let req = LogRequest {
                        namespace,
                        pod,
                        container: chosen,
                        options,
                    };
                    bridge::stream_logs(&ctx.get_value(), id, &req, ring, on_batch).await
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
                    bridge::stream_workload_logs(&ctx.get_value(), id, &req, ring, on_batch).await
                }
            };
            if let Err(e) = started {
                state.update_value(|s| s.error = Some(e));
                version.update(|v| *v += 1);
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

    let pattern = Memo::new(move |_| {
        let text = search.get();
        // A pattern in slashes is a regular expression; otherwise plain, case-insensitive text.
        let matcher = match text.strip_prefix('/').and_then(|t| t.strip_suffix('/')) {
            Some(re) if !re.is_empty() => LogMatcher::regex(re, false).map_err(|e| e.to_string()),
            _ => Ok(LogMatcher::plain(&text, false)),
        };
        Pattern { text, matcher }
    });
    let matcher = Signal::derive(move || pattern.with(|p| p.matcher.clone()));
    // Which kept lines match, updated with only the lines that arrived since the last redraw.
    let tracker = StoredValue::new(MatchTracker::default());
    let track_matches = move |text: &str, m: &LogMatcher| {
        state.with_value(|s| tracker.update_value(|t| t.update(&s.buffer, text, m)));
    };
    // The lines on screen, as buffer indexes.
    let shown = Memo::new(move |_| {
        version.track();
        let only = filter_only.get();
        pattern.with(|p| match (&p.matcher, only) {
            (Ok(m), true) => {
                track_matches(&p.text, m);
                state.with_value(|s| tracker.with_value(|t| t.indices(&s.buffer, true)))
            }
            _ => state.with_value(|s| (0..s.buffer.len()).collect::<Vec<_>>()),
        })
    });
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
            scroll_top.set(top);
            viewport.set(h);
            width.set(f64::from(el.client_width()));
            // Scrolling up pauses the auto-scroll; back at the bottom resumes it.
            let bottom = f64::from(el.scroll_height()) - h;
            stick_to_bottom.set(top >= bottom - LINE_HEIGHT * 2.0);
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

    // Rows per shown line when wrapping or pretty-printing (else every line is one row),
    // cached by line seq for the current settings: a batch only lays out its new lines.
    let row_cache = StoredValue::new((None::<(bool, Option<usize>)>, HashMap::<u64, u32>::new()));
    let layout = Memo::new(move |_| {
        let (wrap_on, json_on) = (wrap.get(), json.get());
        if !wrap_on && !json_on {
            return Layout::Uniform(shown.with(Vec::len));
        }
        version.track();
        let multi = state.with_value(|s| s.sources.len() > 1);
        let cols =
            wrap_on.then(|| text_columns(width.get(), char_width.get(), multi, timestamps.get()));
        let key = Some((json_on, cols));
        row_cache.update_value(|(k, cache)| {
            if *k != key {
                *k = key;
                cache.clear();
            }
        });
        shown.with(|v| {
            state.with_value(|s| {
                row_cache
                    .try_update_value(|(_, cache)| {
                        // Forget lines the ring buffer dropped.
                        if cache.len() > 2 * s.buffer.len() + 1_000
                            && let Some(first) = s.buffer.get(0).map(|l| l.seq)
                        {
                            cache.retain(|seq, _| *seq >= first);
                        }
                        let mut prefix = Vec::with_capacity(v.len() + 1);
                        let mut total = 0u32;
                        prefix.push(0);
                        for &i in v {
                            if let Some(l) = s.buffer.get(i) {
                                total += *cache
                                    .entry(l.seq)
                                    .or_insert_with(|| rows_of(l, json_on, cols));
                            }
                            prefix.push(total);
                        }
                        Layout::Rows(prefix)
                    })
                    .unwrap_or(Layout::Uniform(v.len()))
            })
        })
    });
    // New lines keep the view at the bottom unless the user scrolled up.
    Effect::new(move |_| {
        layout.track();
        if stick_to_bottom.get_untracked() {
            request_animation_frame(move || {
                if let Some(el) = scroller.get_untracked() {
                    el.set_scroll_top(el.scroll_height());
                }
            });
        }
    });
    let range = Memo::new(move |_| {
        let top_row = (scroll_top.get() / LINE_HEIGHT) as u32;
        let rows = (viewport.get() / LINE_HEIGHT) as u32;
        layout.with(|l| {
            let n = l.len();
            let first = l.item_at(top_row.saturating_sub(20)).min(n);
            let last = (l.item_at(top_row + rows + 20) + 1).min(n);
            let above = f64::from(l.row_of(first)) * LINE_HEIGHT;
            let below = f64::from(l.total_rows() - l.row_of(last)) * LINE_HEIGHT;
            (first, last, above, below)
        })
    });
    let jump = move |forward: bool| {
        let Ok(m) = matcher.get_untracked() else {
            return;
        };
        let hit =
            state.with_value(|s| next_match(&s.buffer, &m, current_match.get_untracked(), forward));
        current_match.set(hit);
        if let Some(i) = hit {
            let pos = shown
                .with_untracked(|v| v.iter().position(|&x| x == i))
                .unwrap_or(i);
            let row = layout.with_untracked(|l| l.row_of(pos.min(l.len())));
            stick_to_bottom.set(false);
            if let Some(el) = scroller.get_untracked() {
                let top = f64::from(row) * LINE_HEIGHT - f64::from(el.client_height()) / 2.0;
                el.set_scroll_top(top.max(0.0) as i32);
            }
        }
    };
    let to_bottom = move || {
        stick_to_bottom.set(true);
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    };
    // Copy: the lines on screen after the filter, as kubectl would print them (pod prefix when
    // several sources, timestamps when shown), pretty-printed when JSON is on; markers left out.
    let copy = move || {
        let (text, n) = shown.with_untracked(|v| {
            state.with_value(|s| {
                let multi = s.sources.len() > 1;
                let (show_ts, json_on) = (timestamps.get_untracked(), json.get_untracked());
                let mut out = String::new();
                let mut n = 0u64;
                for l in v.iter().filter_map(|&i| s.buffer.get(i)) {
                    if l.marker.is_some() {
                        continue;
                    }
                    if multi && let Some(src) = s.sources.get(&l.source) {
                        out.push_str(&src.prefix);
                        out.push(' ');
                    }
                    if show_ts && let Some(t) = &l.timestamp {
                        out.push_str(t);
                        out.push(' ');
                    }
                    match json_on.then(|| pretty_json(&l.text)).flatten() {
                        Some(p) => out.push_str(&p),
                        None => out.push_str(&l.text),
                    }
                    out.push('\n');
                    n += 1;
                }
                (out, n)
            })
        });
        spawn_local(async move {
            let r = write_clipboard(&text).await.map(|()| {
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
        // Buffer indexes move when old lines go: forget the current match.
        current_match.set(None);
        state.update_value(|s| s.buffer.set_capacity(c));
        version.update(|v| *v += 1);
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
            data-received=move || { version.track(); state.with_value(|s| s.received.to_string()) }
            data-kept=move || { version.track(); state.with_value(|s| s.buffer.len().to_string()) }
            data-dropped=move || { version.track(); state.with_value(|s| s.buffer.dropped().to_string()) }
            data-wasm-bytes=move || { version.track(); wasm_memory_bytes().to_string() }>
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
                    version.track();
                    pattern.with(|p| match &p.matcher {
                        Ok(m) if !m.is_empty() => {
                            track_matches(&p.text, m);
                            let n = tracker.with_value(|t| t.count(m));
                            format!("{n} match{}", if n == 1 { "" } else { "es" })
                        }
                        Err(e) => format!("bad pattern: {e}"),
                        _ => state.with_value(|s| format!("{} lines", s.buffer.len())),
                    })
                }}</span>
                <span class="watch-state" data-testid="log-state">{move || {
                    version.track();
                    state.with_value(|s| {
                        if s.error.is_some() { "stopped".to_string() }
                        else if s.ended { "ended".to_string() }
                        else if !stick_to_bottom.get() { "paused (scroll down or End to resume)".to_string() }
                        else if follow.get() { "following".to_string() }
                        else { "loading…".to_string() }
                    })
                }}</span>
            </div>
            {move || {
                version.track();
                state.with_value(|s| {
                    let waiting: Vec<String> = s.states.iter().filter_map(|(id, st)| match st {
                        SourceState::Waiting { reason, message } => Some(format!("{}: waiting ({reason}){}", s.sources.get(id).map(|x| x.label.as_str()).unwrap_or("container"), message.as_ref().map(|m| format!(": {m}")).unwrap_or_default())),
                        _ => None,
                    }).collect();
                    view! {
                        {s.error.clone().map(|e| view! {
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
                        {(s.buffer.dropped() > 0).then(|| view! {
                            <div class="small muted dropped" data-testid="log-dropped">{format!(
                                "{} older lines dropped (this view keeps the last {} lines; Download saves them all)",
                                thousands(s.buffer.dropped()), thousands(capacity.get() as u64))}</div>
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
                <div style=move || format!("height: {}px", range.get().2)></div>
                {move || {
                    let (first, last, _, below) = range.get();
                    let opts = LineOpts {
                        show_ts: timestamps.get(),
                        json: json.get(),
                        variable: wrap.get() || json.get(),
                        multi: state.with_value(|s| s.sources.len() > 1),
                    };
                    let cur = current_match.get();
                    let m = matcher.get().ok();
                    version.track();
                    let lines: Vec<(usize, LogLine, Option<LogSource>, u32)> = shown.with(|v| state.with_value(|s| layout.with(|l| {
                        (first..last).filter_map(|pos| {
                            let i = *v.get(pos)?;
                            let line = s.buffer.get(i)?;
                            let rows = l.row_of(pos + 1) - l.row_of(pos);
                            Some((i, line.clone(), s.sources.get(&line.source).cloned(), rows))
                        }).collect()
                    })));
                    let rendered = lines.into_iter().map(|(i, line, source, rows)| line_view(i, line, source, rows, opts, cur == Some(i), m.as_ref())).collect_view();
                    view! {
                        {rendered}
                        <div style=format!("height: {below}px")></div>
                    }
                }}
            </div>
        </div>
    }
}

/// Where each shown line starts, in rows of [`LINE_HEIGHT`].
#[derive(Debug, Clone, PartialEq)]
enum Layout {
    /// Every line is one row.
    Uniform(usize),
    /// Rows before each line (`prefix[i]`), and the total last: one more entry than lines.
    Rows(Vec<u32>),
}

impl Layout {
    fn len(&self) -> usize {
        match self {
            Layout::Uniform(n) => *n,
            Layout::Rows(p) => p.len() - 1,
        }
    }

    /// Rows before line `i` (`i` = `len()` gives the total).
    fn row_of(&self, i: usize) -> u32 {
        match self {
            Layout::Uniform(n) => i.min(*n) as u32,
            Layout::Rows(p) => p.get(i).or(p.last()).copied().unwrap_or(0),
        }
    }

    fn total_rows(&self) -> u32 {
        self.row_of(self.len())
    }

    /// The line that holds `row` (`len()` past the end).
    fn item_at(&self, row: u32) -> usize {
        match self {
            Layout::Uniform(n) => (row as usize).min(*n),
            Layout::Rows(p) => p
                .partition_point(|&r| r <= row)
                .saturating_sub(1)
                .min(self.len()),
        }
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

/// The text a line shows: pretty-printed when JSON is on and it is a JSON object, at most
/// [`DISPLAY_MAX_CHARS`]; with how many characters were left out.
fn display_text(line: &LogLine, json: bool) -> (std::borrow::Cow<'_, str>, usize) {
    use std::borrow::Cow;
    let text: Cow<'_, str> = match (json && line.marker.is_none())
        .then(|| pretty_json(&line.text))
        .flatten()
    {
        Some(p) => Cow::Owned(p),
        None => Cow::Borrowed(&line.text),
    };
    match text.char_indices().nth(DISPLAY_MAX_CHARS) {
        Some((at, _)) => {
            let hidden = text[at..].chars().count();
            (Cow::Owned(text[..at].to_string()), hidden)
        }
        None => (text, 0),
    }
}

/// The note after a line that is not shown whole.
fn cut_note(line: &LogLine, hidden: usize) -> Option<String> {
    match (line.full_len, hidden) {
        (Some(n), _) => Some(format!(
            " … (a line of {} bytes, cut for display; Download keeps it whole)",
            thousands(n)
        )),
        (None, h) if h > 0 => Some(format!(
            " … (+{} characters not shown; Copy and Download keep the whole line)",
            thousands(h as u64)
        )),
        _ => None,
    }
}

/// Rows a line takes: one per line of its text (pretty JSON has several), each split every
/// `cols` columns when wrapping. A tab counts as 8 columns, and a wide character (CJK, most
/// emoji) as 2: its glyph comes from a fallback font about 1em wide, near 1.7 columns of the
/// log font, so counting 2 may leave a little room but never clips a row.
fn rows_of(line: &LogLine, json: bool, cols: Option<usize>) -> u32 {
    let (text, hidden) = display_text(line, json);
    let mut visible: String = if has_ansi(&text) {
        parse_ansi(&text).into_iter().map(|r| r.text).collect()
    } else {
        text.into_owned()
    };
    if let Some(note) = cut_note(line, hidden) {
        visible.push_str(&note);
    }
    visible
        .split('\n')
        .map(|row| match cols {
            Some(c) => {
                let n: usize = row.chars().map(columns_of).sum();
                n.div_ceil(c).max(1) as u32
            }
            None => 1,
        })
        .sum()
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

/// Columns a character takes when wrapping (see [`rows_of`]). Control characters other than
/// tab are drawn as one replacement glyph.
fn columns_of(ch: char) -> usize {
    use unicode_width::UnicodeWidthChar;
    match ch {
        '\t' => 8,
        c => c.width().unwrap_or(1).max(1),
    }
}

/// How lines are drawn.
#[derive(Debug, Clone, Copy)]
struct LineOpts {
    show_ts: bool,
    json: bool,
    /// Rows have their own heights (wrap or JSON on).
    variable: bool,
    /// Several sources: show the pod label.
    multi: bool,
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
    index: usize,
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
        <div class=class data-testid="log-line" data-index=index style=height>
            {label.map(|(l, c)| view! { <span class=c>{l}</span> })}
            {ts.map(|t| view! { <span class="ts">{t}</span> })}
            <span class="text">
                {parts.into_iter().map(|(t, style, hit)| if hit { view! { <mark class=style>{t}</mark> }.into_any() } else { view! { <span class=style>{t}</span> }.into_any() }).collect_view()}
                {note.map(|n| view! { <span class="cut" data-testid="log-cut">{n}</span> })}
            </span>
        </div>
    }
}
