//! Changes to objects from the UI: the object panel's action bar (Edit with a dry-run diff,
//! Delete, Scale, Restart, each gated by an access review), the Create dialog, and the action
//! log. Every dialog shows the kubectl command before it runs; Esc closes, Ctrl/Cmd+Enter runs.

use crate::bridge;
use crate::why::WhyLink;
use leptos::ev::KeyboardEvent;
use leptos::html::{Div, Pre, Textarea};
use leptos::prelude::*;
use leptos::task::spawn_local;
use loupe_model::UiError;
use loupe_model::changes::{
    self, ActionLogEntry, ActionPermissions, ChangeOutcome, ChangeVerb, DryRun, ObjectRef,
    Permission,
};
use loupe_model::resources::ApiResource;

/// A modal dialog: Esc (or the backdrop) closes it, Ctrl/Cmd+Enter runs its main action.
#[component]
fn Modal(
    title: String,
    testid: &'static str,
    on_close: Callback<()>,
    on_run: Callback<()>,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<Div>::new();
    let backdrop = NodeRef::<Div>::new();
    // Dialogs opened from the object panel would live inside its fixed, scrolling box; moved to
    // <body>, the backdrop covers the whole window (Leptos still removes it on close).
    // Then focus the dialog so its keys work at once; a textarea inside takes focus itself.
    request_animation_frame(move || {
        if let (Some(b), Some(body)) = (
            backdrop.get_untracked(),
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.body()),
        ) {
            let _ = body.append_child(&b);
        }
        if let Some(el) = node.get_untracked() {
            let focus_target = el
                .query_selector("textarea, input")
                .ok()
                .flatten()
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
            match focus_target {
                Some(t) => {
                    let _ = t.focus();
                }
                None => {
                    let _ = el.focus();
                }
            }
        }
    });
    let on_key = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            ev.stop_propagation();
            on_close.run(());
        }
        "Enter" if ev.ctrl_key() || ev.meta_key() => {
            ev.prevent_default();
            on_run.run(());
        }
        _ => {}
    };
    view! {
        <div class="modal-backdrop" node_ref=backdrop on:click=move |_| on_close.run(())>
            <div class="modal card" role="dialog" aria-modal="true" tabindex="-1" node_ref=node data-testid=testid
                on:click=|ev| ev.stop_propagation() on:keydown=on_key>
                <div class="card-head">
                    <h2>{title}</h2>
                    <button class="icon-button" title="Close (Esc)" data-testid="dialog-close" on:click=move |_| on_close.run(())>"✕"</button>
                </div>
                {children()}
                <div class="small muted">"Esc closes · Ctrl+Enter runs"</div>
            </div>
        </div>
    }
}

/// The kubectl command a dialog's action is equivalent to.
fn kubectl_line(cmd: impl Fn() -> String + Send + Sync + 'static) -> impl IntoView {
    view! {
        <div class="kubectl"><span class="label">"same as"</span><code data-testid="dialog-kubectl">{cmd}</code></div>
    }
}

/// A YAML editor: a monospace textarea with a line-number gutter that scrolls with it.
#[component]
fn YamlEditor(text: RwSignal<String>, testid: &'static str) -> impl IntoView {
    let gutter = NodeRef::<Pre>::new();
    let area = NodeRef::<Textarea>::new();
    let numbers = Memo::new(move |_| {
        let n = text.with(|t| t.lines().count().max(1) + usize::from(t.ends_with('\n')));
        (1..=n).map(|i| format!("{i}\n")).collect::<String>()
    });
    let sync = move || {
        if let (Some(g), Some(a)) = (gutter.get_untracked(), area.get_untracked()) {
            g.set_scroll_top(a.scroll_top());
        }
    };
    view! {
        <div class="editor">
            <pre class="gutter mono" node_ref=gutter aria-hidden="true">{numbers}</pre>
            <textarea class="mono" spellcheck="false" node_ref=area data-testid=testid
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
                on:scroll=move |_| sync()></textarea>
        </div>
    }
}

/// A unified diff with added and removed lines coloured.
fn diff_view(d: &DryRun) -> AnyView {
    if !d.changed {
        return view! { <div class="small" data-testid="diff-empty">"No change: the API server would store the object as it is."</div> }.into_any();
    }
    let lines = d
        .diff
        .lines()
        .map(|l| {
            let class = if l.starts_with("+++") || l.starts_with("---") {
                "diff-file"
            } else if l.starts_with('+') {
                "diff-add"
            } else if l.starts_with('-') {
                "diff-del"
            } else if l.starts_with("@@") {
                "diff-hunk"
            } else {
                ""
            };
            view! { <span class=class>{format!("{l}\n")}</span> }
        })
        .collect_view();
    view! { <pre class="diff mono" data-testid="diff">{lines}</pre> }.into_any()
}

fn error_view(e: &UiError) -> AnyView {
    view! {
        <div class="err-line" data-testid="dialog-error">
            <strong>{e.message.clone()}</strong>
            {e.hint.clone().map(|h| view! { <div class="hint">{h}</div> })}
        </div>
    }
    .into_any()
}

/// Which dialog of the action bar is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Edit,
    Delete,
    Scale,
    Restart,
}

/// `spec.replicas` read from an object's YAML (the first `replicas:` two spaces in).
fn replicas_in(yaml: &str) -> Option<i32> {
    yaml.lines()
        .find_map(|l| l.strip_prefix("  replicas: "))
        .and_then(|v| v.trim().parse().ok())
}

/// The action bar of an opened object. `yaml` is the object's current YAML (for the editor);
/// `on_done` gets each accepted change (the panel reloads, or closes after a delete).
#[component]
pub fn ObjectActions(
    context: String,
    target: ObjectRef,
    yaml: Signal<Option<String>>,
    on_done: Callback<(ChangeVerb, ChangeOutcome)>,
) -> impl IntoView {
    let perms = RwSignal::new(None::<Result<ActionPermissions, UiError>>);
    let ctx = StoredValue::new(context);
    let target = StoredValue::new(target);
    spawn_local(async move {
        let p = bridge::action_permissions(&ctx.get_value(), &target.get_value()).await;
        perms.set(Some(p));
    });
    let open = RwSignal::new(None::<Open>);
    let close = Callback::new(move |()| open.set(None));
    let done = Callback::new(move |(verb, outcome): (ChangeVerb, ChangeOutcome)| {
        open.set(None);
        on_done.run((verb, outcome));
    });
    let button = move |verb: ChangeVerb, label: &'static str, which: Open, danger: bool| {
        let p: Option<Permission> = perms.with(|p| match p {
            Some(Ok(a)) => a.get(verb).cloned(),
            _ => None,
        });
        let checking = perms.with(Option::is_none);
        let supported = perms.with(|p| match p {
            Some(Ok(a)) => a.get(verb).is_some(),
            // The check failed: offer the action, the API server decides.
            _ => true,
        });
        supported.then(|| {
            let denied = p.as_ref().is_some_and(|p| !p.allowed);
            let title = match (&p, checking) {
                (_, true) => "Checking whether you may…".to_string(),
                (Some(p), _) if !p.allowed => p.denied_text(),
                (Some(p), _) => format!("Allowed: {}", p.needs),
                (None, _) => String::new(),
            };
            let testid = format!("action-{}", verb.word());
            view! {
                <button class=if danger { "danger-outline" } else { "" } data-testid=testid
                    data-denied=denied.to_string() title=title disabled=denied || checking
                    on:click=move |_| open.set(Some(which))>
                    {if denied { format!("⊘ {label}") } else { label.to_string() }}
                </button>
            }
        })
    };
    view! {
        <div class="actions object-actions" data-testid="object-actions">
            {move || button(ChangeVerb::Edit, "Edit", Open::Edit, false)}
            {move || button(ChangeVerb::Scale, "Scale", Open::Scale, false)}
            {move || button(ChangeVerb::Restart, "Restart", Open::Restart, false)}
            {move || button(ChangeVerb::Delete, "Delete", Open::Delete, true)}
            {move || perms.with(|p| match p {
                Some(Err(e)) => Some(view! { <span class="small warn-text">{format!("Could not check permissions: {}", e.message)}</span> }),
                _ => None,
            })}
        </div>
        // Denied actions say why in the panel too, not only in their tooltips.
        {move || perms.with(|p| match p {
            Some(Ok(a)) if a.actions.iter().any(|(_, p)| !p.allowed) => Some(view! {
                <ul class="denied-reasons small" data-testid="action-denied-reasons">
                    {a.actions.iter().filter(|(_, p)| !p.allowed).map(|(v, p)| view! {
                        <li><strong>{v.word()}</strong>": "{p.denied_text()}" "<WhyLink focus=p.focus.clone() /></li>
                    }).collect_view()}
                </ul>
            }),
            _ => None,
        })}
        {move || open.get().map(|which| match which {
            Open::Edit => view! { <EditDialog context=ctx.get_value() target=target.get_value() yaml=yaml.get_untracked().unwrap_or_default() on_close=close on_done=done /> }.into_any(),
            Open::Delete => view! { <DeleteDialog context=ctx.get_value() target=target.get_value() on_close=close on_done=done /> }.into_any(),
            Open::Scale => {
                let current = yaml.get_untracked().as_deref().and_then(replicas_in).unwrap_or(1);
                view! { <ScaleDialog context=ctx.get_value() target=target.get_value() current=current on_close=close on_done=done /> }.into_any()
            }
            Open::Restart => view! { <RestartDialog context=ctx.get_value() target=target.get_value() on_close=close on_done=done /> }.into_any(),
        })}
    }
}

/// Edit: YAML editor → Dry run (diff against the live object) → Apply.
#[component]
fn EditDialog(
    context: String,
    target: ObjectRef,
    yaml: String,
    on_close: Callback<()>,
    on_done: Callback<(ChangeVerb, ChangeOutcome)>,
) -> impl IntoView {
    let text = RwSignal::new(yaml);
    // The dry run and the text it was made for: Apply needs a dry run of exactly this text.
    let dry = RwSignal::new(None::<(String, Result<DryRun, UiError>)>);
    let applied = RwSignal::new(None::<UiError>);
    let busy = RwSignal::new(false);
    let ctx = StoredValue::new(context.clone());
    let target = StoredValue::new(target);
    let checked = Memo::new(move |_| {
        dry.with(|d| {
            d.as_ref()
                .is_some_and(|(t, r)| r.as_ref().is_ok_and(|d| d.changed) && text.with(|x| x == t))
        })
    });
    let run_dry = move || {
        applied.set(None);
        let body = text.get_untracked();
        once_at_a_time(busy, async move {
            let r = bridge::dry_run_edit(&ctx.get_value(), &target.get_value(), &body).await;
            dry.set(Some((body, r)));
        });
    };
    let run_apply = move || {
        if !checked.get_untracked() {
            return;
        }
        let body = text.get_untracked();
        once_at_a_time(busy, async move {
            match bridge::apply_edit(&ctx.get_value(), &target.get_value(), &body).await {
                Ok(o) => on_done.run((ChangeVerb::Edit, o)),
                Err(e) => applied.set(Some(e)),
            }
        });
    };
    let on_run = Callback::new(move |()| {
        if checked.get_untracked() {
            run_apply();
        } else {
            run_dry();
        }
    });
    let title = format!("Edit {}", target.with_value(ObjectRef::type_name));
    view! {
        <Modal title=title testid="edit-dialog" on_close=on_close on_run=on_run>
            <YamlEditor text=text testid="edit-yaml" />
            {kubectl_line(move || changes::replace_command(&ctx.get_value(), !checked.get()))}
            <div class="actions">
                <button data-testid="edit-dry-run" disabled=move || busy.get() on:click=move |_| run_dry()>"Dry run"</button>
                <button class="primary" data-testid="edit-apply" disabled=move || busy.get() || !checked.get()
                    title=move || if checked.get() { "Replace the object (Ctrl+Enter)" } else { "Run a dry run of this text first" }
                    on:click=move |_| run_apply()>"Apply"</button>
                {move || busy.get().then(|| view! { <span class="small">"Asking the API server…"</span> })}
            </div>
            {move || dry.with(|d| d.as_ref().map(|(t, r)| match r {
                Ok(d) => {
                    let stale = text.with(|x| x != t);
                    view! {
                        {stale.then(|| view! { <div class="small warn-text">"The text changed since this dry run: run it again."</div> })}
                        {diff_view(d)}
                    }.into_any()
                }
                Err(e) => error_view(e),
            }))}
            {move || applied.get().map(|e| error_view(&e))}
        </Modal>
    }
}

/// Delete, after a confirmation.
#[component]
fn DeleteDialog(
    context: String,
    target: ObjectRef,
    on_close: Callback<()>,
    on_done: Callback<(ChangeVerb, ChangeOutcome)>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<UiError>);
    let cmd = changes::delete_command(&context, &target);
    let what = match &target.namespace {
        Some(ns) if target.resource.namespaced => {
            format!("{} {} in namespace {ns}", target.resource.kind, target.name)
        }
        _ => format!("{} {}", target.resource.kind, target.name),
    };
    let ctx = StoredValue::new(context);
    let target = StoredValue::new(target);
    let run = Callback::new(move |()| {
        once_at_a_time(busy, async move {
            match bridge::delete_object(&ctx.get_value(), &target.get_value()).await {
                Ok(o) => on_done.run((ChangeVerb::Delete, o)),
                Err(e) => failed.set(Some(e)),
            }
        });
    });
    view! {
        <Modal title="Delete?".to_string() testid="delete-dialog" on_close=on_close on_run=run>
            <p>"Delete "<strong>{what}</strong>"? Objects it owns are deleted by the garbage collector afterwards (kubectl's default)."</p>
            {kubectl_line(move || cmd.clone())}
            <div class="confirm">
                <button data-testid="delete-cancel" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button class="danger" data-testid="delete-confirm" disabled=move || busy.get() on:click=move |_| run.run(())>"Delete"</button>
            </div>
            {move || failed.get().map(|e| error_view(&e))}
        </Modal>
    }
}

/// Scale: the replicas, through the scale subresource.
#[component]
fn ScaleDialog(
    context: String,
    target: ObjectRef,
    current: i32,
    on_close: Callback<()>,
    on_done: Callback<(ChangeVerb, ChangeOutcome)>,
) -> impl IntoView {
    let replicas = RwSignal::new(current);
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<UiError>);
    let ctx = StoredValue::new(context);
    let target = StoredValue::new(target);
    let run = Callback::new(move |()| {
        let n = replicas.get_untracked();
        once_at_a_time(busy, async move {
            match bridge::scale_object(&ctx.get_value(), &target.get_value(), n).await {
                Ok(o) => on_done.run((ChangeVerb::Scale, o)),
                Err(e) => failed.set(Some(e)),
            }
        });
    });
    let title = format!("Scale {}", target.with_value(ObjectRef::type_name));
    view! {
        <Modal title=title testid="scale-dialog" on_close=on_close on_run=run>
            <div class="inline-form">
                <label for="scale-replicas">"replicas"</label>
                <input id="scale-replicas" type="number" min="0" data-testid="scale-replicas"
                    prop:value=move || replicas.get().to_string()
                    on:input=move |ev| { if let Ok(n) = event_target_value(&ev).trim().parse::<i32>() { replicas.set(n.max(0)); } } />
                <span class="small">{format!("now {current}")}</span>
            </div>
            {kubectl_line(move || changes::scale_command(&ctx.get_value(), &target.get_value(), replicas.get()))}
            <div class="actions">
                <button class="primary" data-testid="scale-run" disabled=move || busy.get() on:click=move |_| run.run(())>"Scale"</button>
            </div>
            {move || failed.get().map(|e| error_view(&e))}
        </Modal>
    }
}

/// Rollout restart, after a confirmation.
#[component]
fn RestartDialog(
    context: String,
    target: ObjectRef,
    on_close: Callback<()>,
    on_done: Callback<(ChangeVerb, ChangeOutcome)>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<UiError>);
    let cmd = changes::restart_command(&context, &target);
    let ctx = StoredValue::new(context);
    let target = StoredValue::new(target);
    let run = Callback::new(move |()| {
        once_at_a_time(busy, async move {
            match bridge::restart_object(&ctx.get_value(), &target.get_value()).await {
                Ok(o) => on_done.run((ChangeVerb::Restart, o)),
                Err(e) => failed.set(Some(e)),
            }
        });
    });
    let title = format!("Restart {}", target.with_value(ObjectRef::type_name));
    view! {
        <Modal title=title testid="restart-dialog" on_close=on_close on_run=run>
            <p>"Every pod is replaced, a few at a time as the rollout strategy allows: the pod template gets a "
                <code>"kubectl.kubernetes.io/restartedAt"</code>" annotation with the current time."</p>
            {kubectl_line(move || cmd.clone())}
            <div class="actions">
                <button class="primary" data-testid="restart-run" disabled=move || busy.get() on:click=move |_| run.run(())>"Restart"</button>
            </div>
            {move || failed.get().map(|e| error_view(&e))}
        </Modal>
    }
}

/// Runs `work` unless a request of the same dialog is still in flight; `busy` is set meanwhile
/// (it disables the dialog's buttons).
fn once_at_a_time(busy: RwSignal<bool>, work: impl std::future::Future<Output = ()> + 'static) {
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    spawn_local(async move {
        work.await;
        busy.set(false);
    });
}

/// A starting point for a new object of `r`.
fn template(r: &ApiResource, namespace: &str) -> String {
    let mut s = format!(
        "apiVersion: {}\nkind: {}\nmetadata:\n  name: my-{}\n",
        r.api_version(),
        r.kind,
        r.singular
    );
    if r.namespaced {
        s.push_str(&format!("  namespace: {namespace}\n"));
    }
    match (r.group.as_str(), r.kind.as_str()) {
        ("", "ConfigMap") => s.push_str("data:\n  key: value\n"),
        ("", "Secret") => s.push_str("type: Opaque\nstringData:\n  key: value\n"),
        ("apps", "Deployment") => s.push_str(
            "spec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: my-app\n  template:\n    metadata:\n      labels:\n        app: my-app\n    spec:\n      containers:\n      - name: app\n        image: nginx\n",
        ),
        _ => s.push_str("spec: {}\n"),
    }
    s
}

/// The browser's Create button and dialog: YAML editor → Dry run → Create.
#[component]
pub fn CreateButton(
    context: String,
    resource: Signal<Option<ApiResource>>,
    namespace: Signal<Option<String>>,
) -> impl IntoView {
    let ctx = StoredValue::new(context);
    let open = RwSignal::new(false);
    let perm = RwSignal::new(None::<Permission>);
    // Whether the user may create this kind here, asked again when kind or namespace change;
    // only the newest question's answer counts.
    let asked = StoredValue::new(0u32);
    Effect::new(move |_| {
        let Some(r) = resource.get() else {
            return;
        };
        let ns = namespace.get();
        perm.set(None);
        asked.update_value(|n| *n += 1);
        let mine = asked.get_value();
        spawn_local(async move {
            let target = ObjectRef {
                namespace: ns.clone().or(Some("default".into())),
                resource: r,
                name: String::new(),
            };
            if let Ok(p) = bridge::action_permissions(&ctx.get_value(), &target).await
                && asked.get_value() == mine
            {
                perm.set(p.get(ChangeVerb::Create).cloned());
            }
        });
    });
    let denied = move || perm.with(|p| p.as_ref().is_some_and(|p| !p.allowed));
    view! {
        <button class="icon-button" data-testid="create-button" data-denied=move || denied().to_string()
            disabled=denied
            title=move || perm.with(|p| match p {
                Some(p) if !p.allowed => p.denied_text(),
                _ => "Create an object from YAML".to_string(),
            })
            on:click=move |_| open.set(true)>{move || if denied() { "⊘ Create" } else { "+ Create" }}</button>
        {move || open.get().then(|| {
            let r = resource.get_untracked()?;
            let ns = namespace.get_untracked().unwrap_or_else(|| "default".into());
            Some(view! { <CreateDialog context=ctx.get_value() resource=r namespace=ns on_close=Callback::new(move |()| open.set(false)) /> })
        })}
    }
}

#[component]
fn CreateDialog(
    context: String,
    resource: ApiResource,
    namespace: String,
    on_close: Callback<()>,
) -> impl IntoView {
    let text = RwSignal::new(template(&resource, &namespace));
    let dry = RwSignal::new(None::<(String, Result<(ObjectRef, DryRun), UiError>)>);
    let created = RwSignal::new(None::<Result<ChangeOutcome, UiError>>);
    let busy = RwSignal::new(false);
    let ctx = StoredValue::new(context);
    let ns = StoredValue::new(namespace);
    let checked = Memo::new(move |_| {
        dry.with(|d| {
            d.as_ref()
                .is_some_and(|(t, r)| r.is_ok() && text.with(|x| x == t))
        })
    });
    let run_dry = move || {
        created.set(None);
        let body = text.get_untracked();
        once_at_a_time(busy, async move {
            let r = bridge::dry_run_create(&ctx.get_value(), &body, &ns.get_value()).await;
            dry.set(Some((body, r)));
        });
    };
    let run_create = move || {
        if !checked.get_untracked() {
            return;
        }
        let body = text.get_untracked();
        once_at_a_time(busy, async move {
            let r = bridge::create_object(&ctx.get_value(), &body, &ns.get_value()).await;
            created.set(Some(r));
        });
    };
    let on_run = Callback::new(move |()| {
        if checked.get_untracked() {
            run_create();
        } else {
            run_dry();
        }
    });
    let namespaced = resource.namespaced;
    view! {
        <Modal title=format!("Create {}", resource.kind) testid="create-dialog" on_close=on_close on_run=on_run>
            <YamlEditor text=text testid="create-yaml" />
            {kubectl_line(move || changes::create_command(&ctx.get_value(), namespaced.then(|| ns.get_value()).as_deref(), !checked.get()))}
            <div class="actions">
                <button data-testid="create-dry-run" disabled=move || busy.get() on:click=move |_| run_dry()>"Dry run"</button>
                <button class="primary" data-testid="create-run" disabled=move || busy.get() || !checked.get() on:click=move |_| run_create()>"Create"</button>
            </div>
            {move || created.get().map(|r| match r {
                Ok(o) => view! {
                    <div class="ok-line" data-testid="create-result">{o.message}
                        <div class="kubectl"><span class="label">"same as"</span><code>{o.kubectl}</code></div></div>
                }.into_any(),
                Err(e) => error_view(&e),
            })}
            {move || dry.with(|d| d.as_ref().map(|(_, r)| match r {
                Ok((_, d)) => diff_view(d),
                Err(e) => error_view(e),
            }))}
        </Modal>
    }
}

/// The action log, newest first.
#[component]
pub fn ActionLogButton() -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button class="icon-button" data-testid="action-log-button" title="Changes made from Loupe" on:click=move |_| open.set(true)>"Action log"</button>
        {move || open.get().then(|| view! { <ActionLogDialog on_close=Callback::new(move |()| open.set(false)) /> })}
    }
}

#[component]
fn ActionLogDialog(on_close: Callback<()>) -> impl IntoView {
    let entries = RwSignal::new(None::<Result<Vec<ActionLogEntry>, UiError>>);
    spawn_local(async move {
        entries.set(Some(bridge::action_log(200).await));
    });
    view! {
        <Modal title="Action log".to_string() testid="action-log" on_close=on_close on_run=Callback::new(|()| {})>
            <div class="small">"Every change made from Loupe, newest first: the command and its outcome (never the YAML, which may hold secrets). Kept in ~/.local/state/loupe/actions.jsonl."</div>
            {move || match entries.get() {
                None => view! { <div class="small">"Reading the log…"</div> }.into_any(),
                Some(Err(e)) => error_view(&e),
                Some(Ok(list)) if list.is_empty() => view! { <div class="small" data-testid="action-log-empty">"No changes yet."</div> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="action-log">
                        {list.into_iter().map(|e| {
                            let class = if e.ok { "ok-text" } else { "warn-text" };
                            view! {
                                <li data-testid="action-log-entry">
                                    <div><span class="small mono">{e.time.clone()}</span>" "
                                        <span class="badge muted-badge">{e.context.clone()}</span>" "
                                        <strong>{e.verb.word()}{e.dry_run.then_some(" (dry run)")}</strong>" "
                                        <span class="mono">{e.object.clone()}</span></div>
                                    <div class=class>{e.result.clone()}</div>
                                    <code class="small">{e.kubectl.clone()}</code>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </Modal>
    }
}

/// The last view of one cluster (kind, namespace, filter, opened object), kept in localStorage
/// keyed by context so it survives restarts.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LastView {
    /// The kind's group and plural.
    pub kind: Option<(String, String)>,
    /// The namespace (`None`: all).
    pub namespace: Option<String>,
    /// The row filter.
    pub filter: String,
    /// The opened object: its namespace and name.
    pub object: Option<(Option<String>, String)>,
}

fn view_key(context: &str) -> String {
    format!("loupe.view.{context}")
}

impl LastView {
    /// The saved view of `context`.
    pub fn load(context: &str) -> Option<Self> {
        serde_json::from_str(&crate::prefs::load(&view_key(context))?).ok()
    }

    /// Saves it for `context` (best effort: a full or disabled storage only loses the memory).
    pub fn save(&self, context: &str) {
        if let Ok(text) = serde_json::to_string(self) {
            crate::prefs::save(&view_key(context), &text);
        }
    }
}
