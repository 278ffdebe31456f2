//! `loupe get`: lists objects of any kind, printed as `kubectl get` prints them.
//!
//! The flow follows kubectl's `get` command: resolve every type first (an unknown type fails
//! before any request), then one request per type (a list) or per type and name (a get), in
//! argument order; print what succeeded (tables grouped by kind, separated by a blank line,
//! NAME cells prefixed with the kind when several kinds were found); then the errors, one per
//! line, and exit 1 if there were any.

use crate::session::Session;
use loupe_core::CoreError;
use loupe_core::cluster::ContextClient;
use loupe_core::resources::print::{
    TableOptions, json_text, list_document, name_line, omit_managed_fields, table_cells, yaml_text,
};
use loupe_core::resources::{
    discover, expand_category, get_object, get_table, kubectl_message, list_objects, list_table,
    resolve,
};
use loupe_core::table::tabwrite;
use loupe_model::resources::{ApiResource, ListOptions, NamespaceScope, TableColumn, TableRow};
use serde_json::Value;
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `loupe get`.
#[derive(clap::Args)]
pub struct GetArgs {
    /// `TYPE[,TYPE...] [NAME...]` or `TYPE/NAME...`; types as kubectl takes them (pods, po,
    /// deployments.apps, Deployment, widgets.v1alpha1.demo.loupe.dev, all).
    pub args: Vec<String>,
    /// The namespace (default: the context's, else `default`).
    #[arg(short, long)]
    pub namespace: Option<String>,
    /// List the requested objects across all namespaces.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Label selector to filter on (`-l app=web,tier!=db`).
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Field selector to filter on (`--field-selector status.phase=Running`).
    #[arg(long)]
    pub field_selector: Option<String>,
    /// Output format: wide, json, yaml or name.
    #[arg(short, long)]
    pub output: Option<String>,
    /// Don't print headers.
    #[arg(long)]
    pub no_headers: bool,
    /// Keep `metadata.managedFields` in JSON and YAML output.
    #[arg(long)]
    pub show_managed_fields: bool,
    /// Objects per list request (kubectl's `--chunk-size`).
    #[arg(long, default_value_t = 500)]
    pub chunk_size: u32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    Table { wide: bool },
    Name,
    Json,
    Yaml,
}

/// One request: a list of a type, or a get of one name.
struct Request {
    resource: ApiResource,
    name: Option<String>,
}

/// kubectl's usage error when no type is given.
const NO_TYPE: &str = "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'loupe get -h' for help and examples";

/// Runs `loupe get`. Errors are printed here, in kubectl's words (`Error from server
/// (NotFound): ...`), so the caller only sees the exit code.
pub async fn run(session: &Session, args: GetArgs) -> Result<ExitCode, CoreError> {
    match run_inner(session, args).await {
        Ok(code) => Ok(code),
        Err(e) => {
            eprintln!("{}", kubectl_message(&e));
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn run_inner(session: &Session, args: GetArgs) -> Result<ExitCode, CoreError> {
    let output = match args.output.as_deref() {
        None | Some("") => Output::Table { wide: false },
        Some("wide") => Output::Table { wide: true },
        Some("name") => Output::Name,
        Some("json") => Output::Json,
        Some("yaml") => Output::Yaml,
        Some(other) => {
            return Err(CoreError::InvalidArgument(format!(
                "unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,name,wide,yaml"
            )));
        }
    };
    if args.args.is_empty() {
        eprintln!("{NO_TYPE}");
        return Ok(ExitCode::FAILURE);
    }
    // (type, names) pairs, before any request.
    let slash = args.args.iter().filter(|a| a.contains('/')).count();
    let pairs: Vec<(String, Vec<String>)> = if slash > 0 {
        if slash != args.args.len() {
            return Err(CoreError::InvalidArgument(
                "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".into(),
            ));
        }
        let mut pairs = Vec::new();
        for a in &args.args {
            let (t, n) = a.split_once('/').unwrap_or((a, ""));
            if t.is_empty() || n.is_empty() {
                return Err(CoreError::InvalidArgument(format!(
                    "arguments in resource/name form must have a single resource and name: {a}"
                )));
            }
            pairs.push((t.to_string(), vec![n.to_string()]));
        }
        pairs
    } else {
        let names: Vec<String> = args.args[1..].to_vec();
        args.args[0]
            .split(',')
            .filter(|t| !t.is_empty())
            .map(|t| (t.to_string(), names.clone()))
            .collect()
    };
    let named = pairs.iter().any(|(_, n)| !n.is_empty());
    if named && args.selector.is_some() {
        return Err(CoreError::InvalidArgument(
            "name cannot be provided when a selector is specified".into(),
        ));
    }
    if named && args.all_namespaces {
        return Err(CoreError::InvalidArgument(
            "a resource cannot be retrieved by name across all namespaces".into(),
        ));
    }
    // kubectl's "single item implied": one type and one name, so the object prints bare.
    let single_item = pairs.len() == 1 && pairs[0].1.len() == 1;

    let cc = session.client().await?;
    let discovery = discover(&cc).await?;
    for f in &discovery.failures {
        eprintln!(
            "E0000 unable to retrieve the complete list of server APIs: {}: {}",
            f.group_version, f.message
        );
    }
    let mut requests = Vec::new();
    for (ty, names) in &pairs {
        // Categories (`all`, a CRD's) expand before names are resolved, as in kubectl.
        let types = expand_category(&discovery, ty).unwrap_or_else(|| vec![ty.clone()]);
        for t in types {
            let resolved = resolve(&discovery, &t)?;
            for w in &resolved.warnings {
                eprintln!("Warning: {w}");
            }
            if names.is_empty() {
                requests.push(Request {
                    resource: resolved.resource,
                    name: None,
                });
            } else {
                for n in names {
                    requests.push(Request {
                        resource: resolved.resource.clone(),
                        name: Some(n.clone()),
                    });
                }
            }
        }
    }

    let namespace = args
        .namespace
        .clone()
        .unwrap_or_else(|| session.default_namespace());
    let ctx = Ctx {
        cc: &cc,
        scope: if args.all_namespaces {
            NamespaceScope::All
        } else {
            NamespaceScope::one(namespace.clone())
        },
        namespace,
        opts: ListOptions {
            label_selector: args.selector.clone(),
            field_selector: args.field_selector.clone(),
            page_size: Some(args.chunk_size),
        },
    };
    let mut out = std::io::stdout().lock();
    let errors = match output {
        Output::Table { wide } => print_tables(&ctx, &requests, wide, &args, &mut out).await,
        Output::Name => print_names(&ctx, &requests, &mut out).await,
        Output::Json | Output::Yaml => {
            let json = output == Output::Json;
            let managed = args.show_managed_fields;
            print_objects(&ctx, &requests, single_item, json, managed, &mut out).await?
        }
    };
    let _ = out.flush();
    for e in &errors {
        eprintln!("{}", kubectl_message(e));
    }
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

struct Ctx<'a> {
    cc: &'a ContextClient,
    namespace: String,
    scope: NamespaceScope,
    opts: ListOptions,
}

impl Ctx<'_> {
    fn namespace_for(&self, r: &ApiResource) -> Option<&str> {
        r.namespaced.then_some(self.namespace.as_str())
    }
}

/// A table fetched by one request: the kubectl "info" it stands for.
struct Info {
    resource: ApiResource,
    columns: Vec<TableColumn>,
    rows: Vec<TableRow>,
}

async fn fetch_table(ctx: &Ctx<'_>, req: &Request) -> Result<Info, CoreError> {
    let page = match &req.name {
        None => list_table(ctx.cc, &req.resource, &ctx.scope, &ctx.opts).await?,
        Some(name) => {
            get_table(
                ctx.cc,
                &req.resource,
                ctx.namespace_for(&req.resource),
                name,
            )
            .await?
        }
    };
    Ok(Info {
        resource: req.resource.clone(),
        columns: page.columns,
        rows: page.rows,
    })
}

fn same_kind(a: &ApiResource, b: &ApiResource) -> bool {
    a.group == b.group && a.version == b.version && a.kind == b.kind
}

async fn print_tables(
    ctx: &Ctx<'_>,
    requests: &[Request],
    wide: bool,
    args: &GetArgs,
    out: &mut impl Write,
) -> Vec<CoreError> {
    let mut infos = Vec::new();
    let mut errors = Vec::new();
    for req in requests {
        match fetch_table(ctx, req).await {
            Ok(info) => infos.push(info),
            Err(e) => errors.push(e),
        }
    }
    let with_kind = infos
        .iter()
        .any(|i| !same_kind(&i.resource, &infos[0].resource));
    let all_namespaced = !args.all_namespaces && infos.iter().all(|i| i.resource.namespaced);
    let mut written = 0usize;
    // Consecutive infos of one kind share a header and column widths.
    let mut start = 0;
    while start < infos.len() {
        let r = &infos[start].resource;
        let end = start
            + infos[start..]
                .iter()
                .take_while(|i| same_kind(&i.resource, r))
                .count();
        let group = &infos[start..end];
        let opts = TableOptions {
            wide,
            no_headers: args.no_headers,
            with_namespace: args.all_namespaces && r.namespaced,
            kind_prefix: with_kind.then(|| r.kind_prefix()),
        };
        let columns = group
            .iter()
            .map(|i| &i.columns)
            .find(|c| !c.is_empty())
            .cloned()
            .unwrap_or_default();
        let rows: Vec<TableRow> = group.iter().flat_map(|i| i.rows.iter().cloned()).collect();
        let cells = table_cells(&columns, &rows, &opts);
        if !cells.is_empty() {
            let text = tabwrite(&cells);
            if start > 0 && !args.no_headers && written > 0 {
                let _ = out.write_all(b"\n");
            }
            written += text.len();
            let _ = out.write_all(text.as_bytes());
        }
        start = end;
    }
    if written == 0 && errors.is_empty() {
        if all_namespaced {
            eprintln!("No resources found in {} namespace.", ctx.namespace);
        } else {
            eprintln!("No resources found");
        }
    }
    errors
}

async fn print_names(ctx: &Ctx<'_>, requests: &[Request], out: &mut impl Write) -> Vec<CoreError> {
    let mut errors = Vec::new();
    for req in requests {
        match fetch_table(ctx, req).await {
            Ok(info) => {
                let prefix = info.resource.kind_prefix();
                for row in &info.rows {
                    let _ = out.write_all(name_line(&prefix, &row.name).as_bytes());
                }
            }
            Err(e) => errors.push(e),
        }
    }
    errors
}

async fn print_objects(
    ctx: &Ctx<'_>,
    requests: &[Request],
    single_item: bool,
    json: bool,
    show_managed_fields: bool,
    out: &mut impl Write,
) -> Result<Vec<CoreError>, CoreError> {
    let mut items: Vec<Value> = Vec::new();
    let mut errors = Vec::new();
    for req in requests {
        let got = match &req.name {
            None => list_objects(ctx.cc, &req.resource, &ctx.scope, &ctx.opts).await,
            Some(name) => get_object(
                ctx.cc,
                &req.resource,
                ctx.namespace_for(&req.resource),
                name,
            )
            .await
            .map(|o| vec![o]),
        };
        match got {
            Ok(objs) => items.extend(objs),
            // A single named object that fails is the only output (kubectl returns at once).
            Err(e) if single_item => return Err(e),
            Err(e) => errors.push(e),
        }
    }
    let mut doc = if single_item && items.len() == 1 {
        items.pop().unwrap_or_default()
    } else {
        list_document(items)
    };
    if !show_managed_fields {
        omit_managed_fields(&mut doc);
    }
    let text = if json {
        json_text(&doc)
    } else {
        yaml_text(&doc)
    };
    let _ = out.write_all(text.as_bytes());
    Ok(errors)
}
