//! Links from a denial anywhere in the app (a 403, a disabled action, a locked kind) to the
//! Access view with that cell selected, where Loupe shows why and who may.

use leptos::prelude::*;
use loupe_model::rbac::AccessFocus;
use loupe_model::{UiError, parse_forbidden};

/// Opens the Access view on a matrix cell. The App provides it as context.
#[derive(Clone, Copy)]
pub struct AccessLink(pub Callback<AccessFocus>);

/// The matrix cell an error is about, when it is an RBAC 403 from the API server.
pub fn focus_of(e: &UiError) -> Option<AccessFocus> {
    let diagnosed = e.diagnosis.as_ref().map(|d| d.message.as_str());
    let denied = diagnosed
        .and_then(parse_forbidden)
        .or_else(|| parse_forbidden(&e.message))?;
    AccessFocus::from_denied(&denied)
}

/// "Why?": a button that opens the Access view on `focus` (nothing when there is no cell or
/// no Access view to open).
#[component]
pub fn WhyLink(focus: Option<AccessFocus>) -> impl IntoView {
    let link = use_context::<AccessLink>();
    focus.zip(link).map(|(f, AccessLink(open))| {
        let title = format!(
            "Open the Access view on {} {}{}: why, and who may",
            f.verb,
            f.resource,
            f.namespace
                .as_deref()
                .map(|n| format!(" in {n}"))
                .unwrap_or_default()
        );
        view! {
            <button class="link-button why-link" data-testid="why-link" title=title
                on:click=move |_| open.run(f.clone())>"Why? Open in Access →"</button>
        }
    })
}
