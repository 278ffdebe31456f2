//! `loupe auth`: who am I, can I, who can, why; printed as `kubectl auth` prints them.

use crate::session::Session;
use loupe_core::CoreError;
use loupe_core::rbac::ApiCatalog;
use loupe_core::rbac::RbacSnapshot;
use loupe_core::rbac::review::{
    self, CanIArgs as CoreCanIArgs, format_answer, format_rules_list, format_warning,
};
use loupe_core::rbac::whoami::{FORBIDDEN, WhoamiFormat, format_whoami};
use loupe_core::table::tabwrite;
use loupe_model::rbac::{
    Action, Attributes, DecisionVia, GrantChain, IdentitySource, Mismatch, RoleKind, SubjectKind,
};
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
    /// Lists every user, group and ServiceAccount that RBAC bindings allow to do an action, with
    /// the granting binding and role (needs read access to RBAC objects).
    ///
    /// VERB RESOURCE[/SUBRESOURCE] [NAME] or VERB /URL.
    WhoCan(ActionArgs),
    /// Explains why the current identity (or --as) may or may not do an action: every chain
    /// subject → binding → role → rule that grants it, or what is missing and which default role
    /// would grant it. Exit code 0 when allowed, 1 when not.
    ///
    /// VERB RESOURCE[/SUBRESOURCE] [NAME] or VERB /URL.
    Why(ActionArgs),
    /// What the identity (or --as) may do: resources × verbs per namespace and cluster-wide,
    /// non-resource URLs, and risky grants. One rules review per namespace; access reviews only
    /// for cells a rules review cannot settle.
    Matrix(MatrixArgs),
}

/// Arguments of `loupe auth matrix`.
#[derive(clap::Args)]
pub struct MatrixArgs {
    /// Namespaces (repeat; default: the context's namespace).
    #[arg(short, long)]
    namespace: Vec<String>,
    /// Every namespace you may list.
    #[arg(short = 'A', long)]
    all_namespaces: bool,
    /// Leave out the cluster scope (cluster-scoped resources, all-namespaces requests).
    #[arg(long)]
    no_cluster: bool,
    /// Leave out subresources (pods/log, pods/exec, ...).
    #[arg(long)]
    no_subresources: bool,
    /// Leave out non-resource URLs.
    #[arg(long)]
    no_urls: bool,
    /// Verbs (comma-separated; default: the eight API verbs plus escalate, bind, impersonate).
    #[arg(long, value_delimiter = ',')]
    verbs: Vec<String>,
    /// Output format: table, csv or json.
    #[arg(short, long, default_value = "table")]
    output: String,
    /// Access reviews in flight at most (only for cells a rules review cannot settle).
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Evaluate locally from the RBAC objects (read as yourself) for the --as user and
    /// --as-group groups, instead of asking the server as them (no impersonation right needed).
    #[arg(long)]
    local: bool,
}

/// `VERB RESOURCE[/SUBRESOURCE] [NAME]` and where.
#[derive(clap::Args)]
pub struct ActionArgs {
    /// The verb (get, list, create, impersonate, ...).
    verb: String,
    /// RESOURCE[/SUBRESOURCE] (short names and resource.group work) or a /non-resource-url.
    resource: String,
    /// The object name.
    name: Option<String>,
    /// The subresource (log, exec, scale, ...).
    #[arg(long)]
    subresource: Option<String>,
    /// The namespace (default: the context's, else `default`).
    #[arg(short, long)]
    namespace: Option<String>,
    /// Cluster-wide (no namespace: only ClusterRoleBindings count).
    #[arg(short = 'A', long)]
    all_namespaces: bool,
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
        AuthCommand::WhoCan(a) => who_can(session, a).await,
        AuthCommand::Why(a) => why(session, a).await,
        AuthCommand::Matrix(a) => matrix(session, a).await,
    };
    match result {
        Err(e) => {
            eprintln!("{}", loupe_core::resources::kubectl_message(&e));
            Ok(ExitCode::FAILURE)
        }
        ok => ok,
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
        Err(e) if e.api_status().is_some_and(|s| s.code == 403) => {
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

// ---------------------------------------------------------------------------------------------
// who-can and why: Loupe's own tables

/// Resolves the action arguments against discovery; prints the plan's warnings.
async fn plan(
    session: &Session,
    cc: &loupe_core::cluster::ContextClient,
    a: &ActionArgs,
) -> Result<Action, CoreError> {
    let namespace = if a.all_namespaces {
        None
    } else {
        Some(
            a.namespace
                .clone()
                .unwrap_or_else(|| session.default_namespace()),
        )
    };
    let catalog = if a.resource.starts_with('/') {
        ApiCatalog::default()
    } else {
        ApiCatalog::load(cc).await?
    };
    let plan = review::plan_action(
        &catalog,
        &a.verb,
        &a.resource,
        a.name.as_deref(),
        a.subresource.as_deref(),
        namespace.as_deref(),
    )?;
    for w in &plan.warnings {
        eprint!("{}", format_warning(w, false));
    }
    Ok(plan.action)
}

fn binding_text(g: &GrantChain) -> String {
    match &g.binding.namespace {
        Some(ns) => format!("RoleBinding/{ns}/{}", g.binding.name),
        None => format!("ClusterRoleBinding/{}", g.binding.name),
    }
}

fn role_text(g: &GrantChain) -> String {
    let mut s = match g.role.kind {
        RoleKind::ClusterRole => format!("ClusterRole/{}", g.role.name),
        RoleKind::Role => format!(
            "Role/{}/{}",
            g.role.namespace.as_deref().unwrap_or_default(),
            g.role.name
        ),
    };
    if g.role.aggregated {
        s.push_str(" (aggregated");
        if !g.aggregated_from.is_empty() {
            s.push_str(" from ");
            s.push_str(&g.aggregated_from.join(", "));
        }
        s.push(')');
    }
    s
}

fn subject_text(kind: SubjectKind, name: &str, ns: Option<&str>) -> (String, &'static str) {
    match kind {
        SubjectKind::User => (name.to_string(), "User"),
        SubjectKind::Group => (name.to_string(), "Group"),
        SubjectKind::ServiceAccount => (
            format!("{}/{name}", ns.unwrap_or_default()),
            "ServiceAccount",
        ),
        SubjectKind::Other => (name.to_string(), "?"),
    }
}

async fn load_snapshot(
    session: &Session,
) -> Result<(RbacSnapshot, loupe_core::cluster::ContextClient), CoreError> {
    let cc = session.client_without_impersonation().await?;
    let snap = RbacSnapshot::load(&cc).await?;
    Ok((snap, cc))
}

async fn who_can(session: &Session, a: ActionArgs) -> Result<ExitCode, CoreError> {
    let (snap, cc) = load_snapshot(session).await?;
    let action = plan(session, &cc, &a).await?;
    let c = snap.coverage();
    if !c.cluster_roles.complete() || !c.cluster_role_bindings.complete() {
        return Err(CoreError::InvalidArgument(format!(
            "who-can needs to read ClusterRoles and ClusterRoleBindings, and {} may not (ask for a role that can, or use `loupe auth can-i --list`)",
            cc.target.user
        )));
    }
    let wc = snap.who_can(&action);
    let mut text = format!("Who can {}:\n\n", action.describe());
    let mut rows = vec![
        ["SUBJECT", "KIND", "BINDING", "ROLE", "RULE"]
            .map(str::to_string)
            .to_vec(),
    ];
    for s in &wc.subjects {
        let (name, kind) = subject_text(
            s.subject.kind,
            &s.subject.name,
            s.subject.namespace.as_deref(),
        );
        for g in &s.grants {
            rows.push(vec![
                name.clone(),
                kind.to_string(),
                binding_text(g),
                role_text(g),
                g.rule.describe_for(&action),
            ]);
        }
    }
    if wc.subjects.is_empty() {
        text.push_str("No binding grants it.\n");
    } else {
        text.push_str(&tabwrite(&rows));
    }
    text.push_str(&format!(
        "\nAlso allowed without any binding: group {} (superusers; the authorizer lets them through before RBAC).\n",
        wc.superuser_groups.join(", ")
    ));
    let notes: Vec<String> = wc
        .subjects
        .iter()
        .filter(|s| s.subject.kind == SubjectKind::Group)
        .filter_map(|s| {
            s.note
                .as_ref()
                .map(|n| format!("  {} = {n}", s.subject.name))
        })
        .collect();
    if !notes.is_empty() {
        text.push_str("Groups:\n");
        text.push_str(&notes.join("\n"));
        text.push('\n');
    }
    for e in &wc.errors {
        text.push_str(&format!("Note: {e} (this binding grants nothing)\n"));
    }
    for cav in &wc.caveats {
        text.push_str(&format!("Note: {cav}\n"));
    }
    out(&text);
    Ok(ExitCode::SUCCESS)
}

async fn why(session: &Session, a: ActionArgs) -> Result<ExitCode, CoreError> {
    let cc = session.client().await?;
    let action = plan(session, &cc, &a).await?;
    let id = loupe_core::rbac::whoami(&cc, &session.kc).await?;
    if id.username.is_empty() {
        return Err(CoreError::InvalidArgument(
            "cannot tell who you are: the server did not answer a SelfSubjectReview and the credentials do not say (use --as)".into(),
        ));
    }
    let attributes = Attributes {
        user: id.username.clone(),
        groups: id.groups.clone(),
        action: action.clone(),
    };
    let review = loupe_core::rbac::can_i(&cc, &action).await?;
    let mut text = String::new();
    text.push_str(&format!("Request:   {}\n", action.describe()));
    text.push_str(&format!(
        "Identity:  {} (groups: {}){}\n",
        id.username,
        id.groups.join(", "),
        match &id.source {
            IdentitySource::SelfSubjectReview { .. } => "",
            IdentitySource::Kubeconfig { .. } => " [from the kubeconfig]",
        }
    ));
    let (snap, _) = load_snapshot(session).await?;
    let c = snap.coverage();
    let local = (c.cluster_roles.complete() && c.cluster_role_bindings.complete())
        .then(|| snap.why(&attributes));
    let verdict = if review.allowed { "ALLOWED" } else { "DENIED" };
    text.push_str(&format!(
        "API server: {verdict} (SelfSubjectAccessReview{})\n",
        if review.reason.is_empty() {
            String::new()
        } else {
            format!(": {}", review.reason)
        }
    ));
    match &local {
        None => {
            text.push_str("\nLoupe cannot read the RBAC objects with this identity, so it cannot name the bindings.\n");
            let ns = if action.namespace.is_empty() {
                review::CLUSTER_SCOPE_NAMESPACE.to_string()
            } else {
                action.namespace.clone()
            };
            if let Ok(rules) = loupe_core::rbac::rules(&cc, &ns).await {
                let matching: Vec<_> = rules
                    .resource_rules
                    .iter()
                    .chain(rules.non_resource_rules.iter())
                    .filter(|r| loupe_core::rbac::eval::rule_allows(r, &action))
                    .collect();
                if matching.is_empty() {
                    text.push_str("Your rules review has no rule that covers it.\n");
                    if action.namespace.is_empty() && !review.allowed {
                        let home = session.default_namespace();
                        if let Ok(r) = loupe_core::rbac::rules(&cc, &home).await
                            && r.resource_rules
                                .iter()
                                .any(|x| loupe_core::rbac::eval::rule_allows(x, &action))
                        {
                            text.push_str(&format!(
                                "In namespace {home} a rule covers it: it comes from a RoleBinding there, and cluster-wide requests consider ClusterRoleBindings only.\n"
                            ));
                        }
                    }
                } else {
                    text.push_str(
                        "Rules of yours that cover it (from a SelfSubjectRulesReview):\n",
                    );
                    for r in matching {
                        text.push_str(&format!("  {}\n", r.describe()));
                    }
                }
            }
        }
        Some(d) => {
            text.push_str(&format!(
                "Local RBAC: {}\n\n{}\n",
                if d.allowed { "ALLOWED" } else { "DENIED" },
                d.summary
            ));
            if d.via == DecisionVia::Superuser {
                text.push_str("(system:masters is checked before any authorizer: no rule or binding is involved.)\n");
            }
            if !d.grants.is_empty() {
                text.push_str("\nGranted by:\n");
                let mut rows = vec![
                    ["SUBJECT", "BINDING", "ROLE", "RULE"]
                        .map(str::to_string)
                        .to_vec(),
                ];
                for g in &d.grants {
                    let (name, kind) = subject_text(
                        g.subject.kind,
                        &g.subject.name,
                        g.subject.namespace.as_deref(),
                    );
                    rows.push(vec![
                        format!("{kind} {name}"),
                        binding_text(g),
                        role_text(g),
                        g.rule.describe_for(&action),
                    ]);
                }
                text.push_str(&indent(&tabwrite(&rows)));
            }
            if !d.near_misses.is_empty() {
                text.push_str("\nClose, but not enough:\n");
                for n in &d.near_misses {
                    let what = match &n.mismatch {
                        Mismatch::Verb => format!("lacks the verb {}", action.verb),
                        Mismatch::ApiGroup => format!(
                            "is for API group(s) {}, not {:?}",
                            n.chain.rule.api_groups.join(", "),
                            action.api_group
                        ),
                        Mismatch::Resource => format!(
                            "names {}, not {}",
                            n.chain.rule.resources.join(", "),
                            action.combined_resource()
                        ),
                        Mismatch::ResourceName { allowed } => {
                            if action.name.is_empty() {
                                format!(
                                    "only covers the objects named {} (a request without a name, such as list or create, is not covered)",
                                    allowed.join(", ")
                                )
                            } else {
                                format!("only covers the objects named {}", allowed.join(", "))
                            }
                        }
                        Mismatch::NonResourceUrl => format!(
                            "covers {}, not {}",
                            n.chain.rule.non_resource_urls.join(", "),
                            action.non_resource_url.clone().unwrap_or_default()
                        ),
                        Mismatch::Scope { namespace } => format!(
                            "is granted in namespace {namespace} only; cluster-wide requests consider ClusterRoleBindings only"
                        ),
                    };
                    text.push_str(&format!(
                        "  {} → {}: rule {} {what}\n",
                        binding_text(&n.chain),
                        role_text(&n.chain),
                        n.chain.rule.describe_for(&action)
                    ));
                }
            }
            if !d.would_grant.is_empty() {
                text.push_str("\nDefault roles that would grant it:\n");
                for s in &d.would_grant {
                    text.push_str(&format!("  {:<14} {}\n", s.role, s.command));
                }
            }
            for e in &d.errors {
                text.push_str(&format!(
                    "\nNote: a binding of yours references a missing role: {e}\n"
                ));
            }
            if d.allowed != review.allowed {
                text.push_str(&format!(
                    "\nDISAGREEMENT: the API server says {} but RBAC alone says {}. Another authorizer decided (a webhook or the Node authorizer), or the RBAC objects changed in between.\n",
                    if review.allowed { "yes" } else { "no" },
                    if d.allowed { "yes" } else { "no" }
                ));
            }
        }
    }
    out(&text);
    Ok(if review.allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {}\n", l.trim_end()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// matrix

async fn matrix(session: &Session, a: MatrixArgs) -> Result<ExitCode, CoreError> {
    use loupe_core::rbac::matrix::{local_matrix, resources_from_catalog, to_csv, to_json};
    use loupe_model::rbac::{MatrixRequest, MatrixScope};
    if !matches!(a.output.as_str(), "table" | "csv" | "json") {
        return Err(CoreError::InvalidArgument(format!(
            "unknown output format {:?} (table, csv, json)",
            a.output
        )));
    }
    let mut namespaces = a.namespace.clone();
    if namespaces.is_empty() && !a.all_namespaces {
        namespaces.push(session.default_namespace());
    }
    let m = if a.local {
        let cc = session.client_without_impersonation().await?;
        let (snap, catalog) = tokio::join!(RbacSnapshot::load(&cc), ApiCatalog::load(&cc));
        let (snap, catalog) = (snap?, catalog?);
        let (user, groups) = match &session.impersonate {
            Some(u) => {
                let mut g = session.impersonate_groups.clone();
                if let Some((ns, _)) = u
                    .strip_prefix("system:serviceaccount:")
                    .and_then(|r| r.split_once(':'))
                    && g.is_empty()
                {
                    g = vec![
                        "system:serviceaccounts".into(),
                        format!("system:serviceaccounts:{ns}"),
                    ];
                }
                g.push("system:authenticated".into());
                (u.clone(), g)
            }
            None => {
                let id = loupe_core::rbac::whoami(&cc, &session.kc).await?;
                (id.username, id.groups)
            }
        };
        if a.all_namespaces {
            for ns in snap.namespaces_with_bindings() {
                if !namespaces.contains(&ns) {
                    namespaces.push(ns);
                }
            }
        }
        let mut scopes: Vec<MatrixScope> = namespaces
            .into_iter()
            .map(|name| MatrixScope::Namespace { name })
            .collect();
        if !a.no_cluster {
            scopes.push(MatrixScope::Cluster);
        }
        let mut m = local_matrix(
            &snap,
            &user,
            &groups,
            resources_from_catalog(&catalog, !a.no_subresources),
            &scopes,
            &a.verbs,
        );
        if a.no_urls {
            m.non_resource.clear();
        }
        m
    } else {
        let cc = session.client().await?;
        let req = MatrixRequest {
            namespaces,
            all_namespaces: a.all_namespaces,
            cluster: !a.no_cluster,
            verbs: a.verbs.clone(),
            subresources: !a.no_subresources,
            non_resource_urls: !a.no_urls,
            max_concurrent_reviews: a.concurrency,
        };
        loupe_core::rbac::matrix(&cc, &req).await?
    };
    match a.output.as_str() {
        "csv" => out(&to_csv(&m)),
        "json" => out(&to_json(&m)),
        _ => out(&matrix_table(&m)),
    }
    Ok(ExitCode::SUCCESS)
}

fn matrix_table(m: &loupe_model::rbac::AccessMatrix) -> String {
    use loupe_model::rbac::{Cell, CellState};
    let sym = |c: &Cell| -> String {
        if !c.applicable {
            return "·".into();
        }
        match c.state {
            CellState::Allowed => "✔".into(),
            CellState::Denied => "✖".into(),
            CellState::NamedOnly => "~".into(),
            CellState::Unknown => "?".into(),
        }
    };
    let mut text = String::new();
    if let Some(s) = &m.subject {
        text.push_str(&format!("Access of {s}"));
        if m.superuser {
            text.push_str(" (system:masters: everything)");
        }
        text.push('\n');
    }
    text.push_str("✔ allowed  ✖ denied  ~ only some names  ? unknown  · verb not served\n");
    for s in &m.scopes {
        text.push_str(&format!(
            "\n== {}{}\n",
            match s.scope.namespace() {
                Some(ns) => format!("namespace {ns}"),
                None => "cluster scope (cluster-scoped resources; namespaced ones across all namespaces)".into(),
            },
            if s.incomplete { " [rules review incomplete]" } else { "" }
        ));
        let mut rows = vec![
            std::iter::once("RESOURCE".to_string())
                .chain(m.verbs.iter().map(|v| v.to_uppercase()))
                .collect::<Vec<_>>(),
        ];
        for row in &s.rows {
            let mut r = vec![m.resources[row.resource].key.clone()];
            r.extend(row.cells.iter().map(sym));
            rows.push(r);
        }
        text.push_str(&tabwrite(&rows));
        for row in &s.rows {
            for c in row
                .cells
                .iter()
                .filter(|c| c.state == CellState::NamedOnly && c.applicable)
            {
                text.push_str(&format!(
                    "  ~ {} {}: only {}\n",
                    c.verb,
                    m.resources[row.resource].key,
                    c.names.join(", ")
                ));
            }
        }
    }
    if !m.non_resource.is_empty() {
        text.push_str("\n== non-resource URLs (ClusterRoleBindings only)\n");
        let mut rows = vec![
            std::iter::once("PATH".to_string())
                .chain(
                    loupe_model::rbac::NON_RESOURCE_VERBS
                        .iter()
                        .map(|v| v.to_uppercase()),
                )
                .collect::<Vec<_>>(),
        ];
        for row in &m.non_resource {
            let mut r = vec![row.path.clone()];
            r.extend(row.cells.iter().map(sym));
            rows.push(r);
        }
        text.push_str(&tabwrite(&rows));
    }
    if !m.risks.is_empty() {
        text.push_str("\n== risky grants\n");
        for f in &m.risks {
            text.push_str(&format!(
                "  [{}] {} {} [{}]: {}\n",
                f.scope.label(),
                loupe_core::rbac::matrix::enum_word(&f.kind),
                f.resource,
                f.verbs.join(" "),
                f.message
            ));
        }
    }
    for n in &m.notes {
        text.push_str(&format!("Note: {n}\n"));
    }
    text.push_str(&format!(
        "\n{} cells from {} rules review(s) and {} access review(s) in {} ms (discovery {} ms).\n",
        m.stats.cells,
        m.stats.rules_reviews,
        m.stats.access_reviews,
        m.stats.elapsed_ms,
        m.stats.discovery_ms
    ));
    text
}
