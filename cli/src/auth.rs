//! `loupe auth`: who am I, can I, who can, why; printed as `kubectl auth` prints them.

use crate::session::Session;
use loupe_core::CoreError;
use loupe_core::cluster::ClusterError;
use loupe_core::rbac::ApiCatalog;
use loupe_core::rbac::review::{
    self, CanIArgs as CoreCanIArgs, format_answer, format_rules_list, format_warning,
};
use loupe_core::rbac::whoami::{FORBIDDEN, WhoamiFormat, format_whoami};
use loupe_model::rbac::IdentitySource;
use std::io::Write;
use std::process::ExitCode;

/// Subcommands of `loupe auth`.
#[derive(clap::Subcommand)]
pub enum AuthCommand {
    /// Shows the identity the API server sees (as `kubectl auth whoami`).
    Whoami(WhoamiArgs),
    /// Checks whether an action is allowed (as `kubectl auth can-i`).
    ///
    /// VERB TYPE[/NAME] | VERB NONRESOURCEURL, exactly as kubectl; Loupe also accepts
    /// VERB RESOURCE[/SUBRESOURCE] NAME.
    CanI(CanIArgs),
}

/// Arguments of `loupe auth whoami`.
#[derive(clap::Args)]
pub struct WhoamiArgs {
    /// Output format. One of: (json, yaml).
    #[arg(short, long)]
    output: Option<String>,
}

/// Arguments of `loupe auth can-i`.
#[derive(clap::Args)]
pub struct CanIArgs {
    /// VERB TYPE[/NAME] or VERB /URL (or VERB RESOURCE[/SUBRESOURCE] NAME).
    args: Vec<String>,
    /// Namespace to check in (default: the context's, else `default`).
    #[arg(short, long)]
    namespace: Option<String>,
    /// If true, check the specified action in all namespaces.
    #[arg(short = 'A', long)]
    all_namespaces: bool,
    /// If true, suppress output and just return the exit code.
    #[arg(short, long)]
    quiet: bool,
    /// SubResource such as pod/log or deployment/scale.
    #[arg(long)]
    subresource: Option<String>,
    /// If true, prints all allowed actions.
    #[arg(long)]
    list: bool,
    /// If true, prints allowed actions without headers.
    #[arg(long)]
    no_headers: bool,
}

/// Runs a `loupe auth` subcommand.
pub async fn run(session: &Session, cmd: AuthCommand) -> Result<ExitCode, CoreError> {
    let result = match cmd {
        AuthCommand::Whoami(a) => whoami(session, a).await,
        AuthCommand::CanI(a) => can_i(session, a).await,
    };
    match result {
        Err(e) => {
            eprintln!("{}", kubectl_error(&e));
            Ok(ExitCode::FAILURE)
        }
        ok => ok,
    }
}

/// An error as kubectl's `CheckErr` prints it: `Error from server (Reason): message` for API
/// errors, `error: ...` for the rest.
fn kubectl_error(e: &CoreError) -> String {
    if let Some(s) = api_status(e) {
        return if s.reason == "Unauthorized" {
            format!("error: You must be logged in to the server ({})", s.message)
        } else if !s.reason.is_empty() {
            format!("Error from server ({}): {}", s.reason, s.message)
        } else {
            format!("Error from server: {}", s.message)
        };
    }
    format!("error: {e}")
}

fn api_status(e: &CoreError) -> Option<&kube::core::Status> {
    match e {
        CoreError::Cluster { source, .. } => match source.as_ref() {
            ClusterError::Kube(kube::Error::Api(s)) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

fn out(text: &str) {
    // A closed pipe (e.g. `| head`) is not an error worth reporting.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

async fn whoami(session: &Session, args: WhoamiArgs) -> Result<ExitCode, CoreError> {
    let format = match args.output.as_deref() {
        None => WhoamiFormat::Table,
        Some("json") => WhoamiFormat::Json,
        Some("yaml") => WhoamiFormat::Yaml,
        Some(other) => {
            return Err(CoreError::InvalidArgument(format!(
                "unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,yaml"
            )));
        }
    };
    let cc = session.client().await?;
    let id = match loupe_core::rbac::whoami(&cc, &session.kc).await {
        Ok(id) => id,
        Err(e) if api_status(&e).is_some_and(|s| s.code == 403) => {
            return Err(CoreError::InvalidArgument(FORBIDDEN.into()));
        }
        Err(e) => return Err(e),
    };
    if let IdentitySource::Kubeconfig { reason, certain } = &id.source {
        // kubectl stops here; Loupe says so and shows what the kubeconfig tells.
        eprint!(
            "{}",
            format_warning(
                &format!(
                    "{reason}; the identity below is derived from the kubeconfig{}",
                    if *certain {
                        ""
                    } else {
                        " and may be incomplete"
                    }
                ),
                false
            )
        );
    }
    out(&format_whoami(&id, format));
    Ok(ExitCode::SUCCESS)
}

async fn can_i(session: &Session, a: CanIArgs) -> Result<ExitCode, CoreError> {
    // kubectl's Complete, then Validate, then Run; same checks, same order, same words.
    if a.list {
        if !a.args.is_empty() {
            return Err(CoreError::InvalidArgument(
                "list option must be specified with no arguments".into(),
            ));
        }
        if a.quiet || a.all_namespaces || a.subresource.is_some() {
            return Err(CoreError::InvalidArgument(
                "list option can't be specified with neither quiet, all-namespaces nor subresource options".into(),
            ));
        }
        let ns = a
            .namespace
            .clone()
            .unwrap_or_else(|| session.default_namespace());
        let cc = session.client().await?;
        let review = review::rules(&cc, &ns).await?;
        if review.incomplete {
            eprint!(
                "{}",
                format_warning(
                    &format!("the list may be incomplete: {}", review.evaluation_error),
                    false
                )
            );
        }
        out(&format_rules_list(&review, !a.no_headers));
        return Ok(ExitCode::SUCCESS);
    }
    if !(2..=3).contains(&a.args.len()) {
        return Err(CoreError::InvalidArgument(
            "you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'loupe auth can-i -h' for help and examples.".into(),
        ));
    }
    let namespace = if a.all_namespaces {
        None
    } else {
        Some(
            a.namespace
                .clone()
                .unwrap_or_else(|| session.default_namespace()),
        )
    };
    let args = CoreCanIArgs {
        verb: a.args[0].clone(),
        target: a.args[1].clone(),
        name: a.args.get(2).cloned(),
        subresource: a.subresource.clone(),
        namespace,
    };
    let cc = session.client().await?;
    // Only resource types need discovery.
    let catalog = if args.target.starts_with('/') {
        ApiCatalog::default()
    } else {
        ApiCatalog::load(&cc).await?
    };
    let plan = review::plan_can_i(&catalog, &args)?;
    for w in &plan.warnings {
        eprint!("{}", format_warning(w, true));
    }
    if a.no_headers {
        return Err(CoreError::InvalidArgument(
            "--no-headers cannot be set without --list specified".into(),
        ));
    }
    let answer = loupe_core::rbac::can_i(&cc, &plan.action).await?;
    if !a.quiet {
        out(&format_answer(&answer));
    }
    Ok(if answer.allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
