//! A log view: one pod's container, or every pod of a workload merged in time order. Lines go
//! into a bounded ring buffer (old ones dropped with a marker) and only the visible ones are in
//! the DOM; search highlights and jumps, the filter shows matching lines only.

use crate::bridge;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_model::UiError;
use loupe_model::logs::{
    ContainerSelection, LogBuffer, LogEvent, LogLine, LogMatcher, LogOptions, LogRequest,
    LogSource, PodContainers, SourceState, StyledRun, WorkloadKind, WorkloadLogRequest,
    WorkloadTarget, count_matches, filter_indices, has_ansi, next_match, parse_ansi,
};
use std::collections::HashMap;

/// Height of one log line in pixels (lines are not wrapped, so it is fixed).
const LINE_HEIGHT: f64 = 18.0;
/// Lines kept per view; older ones are dropped (and counted).
const CAPACITY: usize = 100_000;

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
    let state = StoredValue::new(ViewState {
        buffer: LogBuffer::new(CAPACITY),
        sources: HashMap::new(),
        states: HashMap::new(),
        error: None,
        ended: false,
    });
    // Bumped whenever `state` changes (the buffer is too big to clone into a signal).
    let version = RwSignal::new(0u64);
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
            s.sources.clear();
            s.states.clear();
            s.error = None;
            s.ended = false;
        });
        current_match.set(None);
        version.update(|v| *v += 1);
        let target = target2.clone();
        spawn_local(async move {
            if old > 0 {
                let _ = bridge::stop_watch(old).await;
            }
            let on_batch = move |batch: Result<loupe_model::logs::LogBatch, UiError>| {
                if stream_id.get_value() != id {
                    return;
                }
                state.update_value(|s| match batch {
                    Ok(b) => {
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
                                LogEvent::Lines { .. } => {}
                            }
                        }
                    }
                    Err(e) => s.error = Some(e),
                });
                version.update(|v| *v += 1);
            };
            let started = match target {
                LogTarget::Pod { namespace, pod } => {
                    let req = LogRequest {
                        namespace,
                        pod,
                        container: chosen,
                        options,
                    };
                    bridge::stream_logs(&ctx.get_value(), id, &req, on_batch).await
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
                    bridge::stream_workload_logs(&ctx.get_value(), id, &req, on_batch).await
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
    // The lines on screen, as buffer indexes.
    let shown = Memo::new(move |_| {
        version.track();
        let only = filter_only.get();
        let m = matcher.get();
        state.with_value(|s| match (&m, only) {
            (Ok(m), true) => filter_indices(&s.buffer, m, true),
            _ => (0..s.buffer.len()).collect::<Vec<_>>(),
        })
    });
    let scroller = NodeRef::<Div>::new();
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(400.0f64);
    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            let top = f64::from(el.scroll_top());
            let h = f64::from(el.client_height());
            scroll_top.set(top);
            viewport.set(h);
            // Scrolling up pauses the auto-scroll; back at the bottom resumes it.
            let bottom = f64::from(el.scroll_height()) - h;
            stick_to_bottom.set(top >= bottom - LINE_HEIGHT * 2.0);
        }
    };
    request_animation_frame(measure);
    // New lines keep the view at the bottom unless the user scrolled up.
    Effect::new(move |_| {
        shown.track();
        if stick_to_bottom.get_untracked() {
            request_animation_frame(move || {
                if let Some(el) = scroller.get_untracked() {
                    el.set_scroll_top(el.scroll_height());
                }
            });
        }
    });
    let range = Memo::new(move |_| {
        let total = shown.with(Vec::len);
        let first = ((scroll_top.get() / LINE_HEIGHT) as usize).saturating_sub(20);
        let count = (viewport.get() / LINE_HEIGHT) as usize + 40;
        (first.min(total), (first + count).min(total), total)
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
            stick_to_bottom.set(false);
            if let Some(el) = scroller.get_untracked() {
                let top = pos as f64 * LINE_HEIGHT - f64::from(el.client_height()) / 2.0;
                el.set_scroll_top(top.max(0.0) as i32);
            }
        }
    };

    view! {
        <div class="logs" data-testid="log-view">
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
                <label class="small"><input type="checkbox" data-testid="log-follow" prop:checked=move || follow.get() on:change=move |ev| follow.set(event_target_checked(&ev)) />" follow"</label>
                {(!is_workload).then(|| view! {
                    <label class="small"><input type="checkbox" data-testid="log-previous" on:change=move |ev| previous.set(event_target_checked(&ev)) />" previous"</label>
                })}
                <label class="small"><input type="checkbox" data-testid="log-timestamps" on:change=move |ev| timestamps.set(event_target_checked(&ev)) />" timestamps"</label>
                <label class="small">"tail "
                    <select on:change=move |ev| tail.set(event_target_value(&ev).parse().unwrap_or(-1))>
                        <option value="100">"100"</option>
                        <option value="1000" selected=true>"1000"</option>
                        <option value="10000">"10000"</option>
                        <option value="-1">"all"</option>
                    </select>
                </label>
                <input type="search" class="filter" placeholder="Search (or /regex/)" data-testid="log-search"
                    prop:value=move || search.get() on:input=move |ev| { search.set(event_target_value(&ev)); current_match.set(None); }
                    on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); jump(!ev.shift_key()); } />
                <button class="icon-button" title="Previous match (Shift+Enter)" on:click=move |_| jump(false)>"↑"</button>
                <button class="icon-button" title="Next match (Enter)" on:click=move |_| jump(true)>"↓"</button>
                <label class="small"><input type="checkbox" data-testid="log-filter" on:change=move |ev| filter_only.set(event_target_checked(&ev)) />" only matching"</label>
                {(!is_workload).then(|| view! {
                    <button class="icon-button" data-testid="log-download" title="Save the whole log (not only what is shown) to your Downloads folder"
                        disabled=move || saving.get() on:click=download>{move || if saving.get() { "Saving…" } else { "⤓ Download" }}</button>
                })}
                <span class="count" data-testid="log-count">{move || {
                    version.track();
                    let m = matcher.get();
                    state.with_value(|s| match &m {
                        Ok(m) if !m.is_empty() => {
                            let n = count_matches(&s.buffer, m);
                            format!("{n} match{}", if n == 1 { "" } else { "es" })
                        }
                        Err(e) => format!("bad pattern: {e}"),
                        _ => format!("{} lines", s.buffer.len()),
                    })
                }}</span>
                <span class="watch-state" data-testid="log-state">{move || {
                    version.track();
                    state.with_value(|s| {
                        if s.error.is_some() { "stopped".to_string() }
                        else if s.ended { "ended".to_string() }
                        else if !stick_to_bottom.get() { "paused (scroll down to resume)".to_string() }
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
                            <div class="small muted dropped" data-testid="log-dropped">{format!("{} older lines dropped (the view keeps the last {CAPACITY})", s.buffer.dropped())}</div>
                        })}
                    }
                })
            }}
            <div class="log-lines" node_ref=scroller tabindex="0" data-testid="log-lines" on:scroll=move |_| measure()>
                <div style=move || format!("height: {}px", range.get().0 as f64 * LINE_HEIGHT)></div>
                {move || {
                    let (first, last, total) = range.get();
                    let show_ts = timestamps.get();
                    let cur = current_match.get();
                    let m = matcher.get().ok();
                    version.track();
                    let lines: Vec<(usize, LogLine, Option<LogSource>)> = shown.with(|v| state.with_value(|s| {
                        v[first..last].iter().filter_map(|&i| s.buffer.get(i).map(|l| (i, l.clone(), s.sources.get(&l.source).cloned()))).collect()
                    }));
                    let multi = state.with_value(|s| s.sources.len() > 1);
                    let rendered = lines.into_iter().map(|(i, line, source)| line_view(i, line, source, multi, show_ts, cur == Some(i), m.as_ref())).collect_view();
                    view! {
                        {rendered}
                        <div style=format!("height: {}px", (total - last) as f64 * LINE_HEIGHT)></div>
                    }
                }}
            </div>
        </div>
    }
}

fn line_view(
    index: usize,
    line: LogLine,
    source: Option<LogSource>,
    multi: bool,
    show_ts: bool,
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
        .filter(|_| multi)
        .map(|s| (s.label, format!("src c{}", s.id as usize % PALETTE)));
    let ts = line.timestamp.clone().filter(|_| show_ts);
    // Colour runs (ANSI codes), each split further at search matches for highlighting.
    let runs = if has_ansi(&line.text) {
        parse_ansi(&line.text)
    } else {
        vec![StyledRun {
            text: line.text.clone(),
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
    view! {
        <div class=class data-testid="log-line" data-index=index>
            {label.map(|(l, c)| view! { <span class=c>{l}</span> })}
            {ts.map(|t| view! { <span class="ts">{t}</span> })}
            {parts.into_iter().map(|(t, style, hit)| if hit { view! { <mark class=style>{t}</mark> }.into_any() } else { view! { <span class=style>{t}</span> }.into_any() }).collect_view()}
            {line.full_len.map(|n| view! { <span class="cut">{format!(" … ({n} bytes, cut for display)")}</span> })}
        </div>
    }
}
