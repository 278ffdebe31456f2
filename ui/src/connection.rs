//! The connection card: is the API server reachable with these credentials, and if not, why,
//! in plain words, with the fix and what kubectl would have said.

use crate::bridge;
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_model::{ConnectionState, ConnectionStatus, Diagnosis, DiagnosisKind, UiError};

/// Connects when shown and whenever the user asks to retry.
#[component]
pub fn ConnectionCard(
    context: String,
    server: Option<String>,
    /// The exec plugin this context's user runs (command line), shown before approval.
    exec: Option<String>,
) -> impl IntoView {
    let (status, set_status) = signal(None::<Result<ConnectionStatus, UiError>>);
    let (attempt, set_attempt) = signal(0u32);
    let ctx = context.clone();
    Effect::new(move |_| {
        let retry = attempt.get() > 0;
        let ctx = ctx.clone();
        set_status.set(None);
        spawn_local(async move {
            // The card may be gone by now (another context was selected): try_set is a no-op then.
            let _ = set_status.try_set(Some(bridge::connect_context(&ctx, retry).await));
        });
    });
    let retry = move |_| set_attempt.update(|n| *n += 1);
    let approve = Callback::new(move |()| {
        let ctx = context.clone();
        set_status.set(None);
        spawn_local(async move {
            let _ = set_status.try_set(Some(bridge::approve_exec_plugin(&ctx).await));
        });
    });
    let target = server.unwrap_or_else(|| "the API server".into());
    view! {
        <section class="card connection" data-testid="connection">
            <div class="card-head">
                <h2>"Connection"</h2>
                <button class="icon-button" on:click=retry data-testid="reconnect" title="Connect again">"↻ Reconnect"</button>
            </div>
            {move || match status.get() {
                None => view! {
                    <div class="conn-row" data-testid="connection-state" data-state="connecting">
                        <span class="dot connecting"></span>
                        <span>"Connecting to "<span class="mono">{target.clone()}</span>"…"</span>
                    </div>
                }.into_any(),
                Some(Err(e)) => view! {
                    <div class="conn-row" data-testid="connection-state" data-state="error">
                        <span class="dot failed"></span>
                        <span>{e.message.clone()}</span>
                    </div>
                }.into_any(),
                Some(Ok(s)) if s.state == ConnectionState::Connected => view! {
                    <div class="conn-row" data-testid="connection-state" data-state="connected">
                        <span class="dot connected"></span>
                        <strong>"Connected"</strong>
                    </div>
                    <div class="grid">
                        <div class="fact"><div class="label">"Kubernetes"</div><div class="value" data-testid="server-version">{s.server_version.clone().unwrap_or_default()}</div></div>
                        <div class="fact"><div class="label">"Round trip"</div><div class="value">{s.latency_ms.map(|l| if l == 0 { "< 1 ms".to_string() } else { format!("{l} ms") }).unwrap_or_default()}</div></div>
                        <div class="fact"><div class="label">"The API server knows you as"</div><div class="value" data-testid="server-user">{s.user.clone().unwrap_or_else(|| "(not reported)".into())}</div></div>
                    </div>
                }.into_any(),
                Some(Ok(s)) => match s.error {
                    Some(d) => view! { <DiagnosisView diagnosis=d exec=exec.clone() on_approve=approve /> }.into_any(),
                    None => view! {
                        <div class="conn-row" data-testid="connection-state" data-state="connecting">
                            <span class="dot connecting"></span><span>"Connecting…"</span>
                        </div>
                    }.into_any(),
                },
            }}
        </section>
    }
}

/// A failed connection explained: what is wrong, how to fix it, what kubectl would print.
#[component]
pub fn DiagnosisView(
    diagnosis: Diagnosis,
    exec: Option<String>,
    on_approve: Callback<()>,
) -> impl IntoView {
    let d = diagnosis;
    let needs_approval = d.kind == DiagnosisKind::ExecNotApproved;
    view! {
        <div class="diagnosis" data-testid="connection-state" data-state="failed" data-kind=format!("{:?}", d.kind)>
            <div class="conn-row">
                <span class="dot failed"></span>
                <strong data-testid="diagnosis-title">{d.title.clone()}</strong>
                {d.status_code.map(|c| view! { <span class="badge warn">{format!("HTTP {c}")}</span> })}
            </div>
            <div class="fix"><span class="label">"How to fix it"</span><p data-testid="diagnosis-fix">{d.fix.clone()}</p></div>
            {needs_approval.then(|| view! {
                <div class="approve">
                    <span class="label">"Loupe will run"</span>
                    <pre data-testid="exec-command">{exec.clone().unwrap_or_default()}</pre>
                    <button class="primary" data-testid="approve-exec" on:click=move |_| on_approve.run(())>
                        "Approve this command and connect"
                    </button>
                    <div class="hint">"Your approval is remembered for exactly this command and these arguments."</div>
                </div>
            })}
            {d.kubectl_says.clone().map(|k| view! {
                <div class="kubectl-says"><span class="label">"kubectl would print"</span><pre>{k}</pre></div>
            })}
            <details>
                <summary>"Technical details"</summary>
                <pre class="raw">{d.message.clone()}</pre>
            </details>
        </div>
    }
}
