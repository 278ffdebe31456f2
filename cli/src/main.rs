//! `loupe`: the same core as the app, without a window, for terminals and pipelines.
//!
//! Output matches kubectl's where kubectl has the same command, so scripts can switch between
//! them and tests can compare the two.
#![forbid(unsafe_code)]

mod auth;
mod get;
mod logs;
mod session;

use clap::{Parser, Subcommand, ValueEnum};
use loupe_core::CoreError;
use loupe_core::kubeconfig::{
    ContextsOutput, EditOp, Kubeconfig, LoadRules, ViewFormat, ViewOptions, edit,
};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "loupe",
    version,
    about = "Loupe, the Kubernetes IDE, from the command line"
)]
struct Cli {
    /// Path to the kubeconfig file to use (replaces KUBECONFIG, as in kubectl).
    #[arg(long, global = true)]
    kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(long, global = true)]
    context: Option<String>,
    /// Run the context's exec credential plugin even if it was never approved in Loupe.
    /// Without it, Loupe runs only plugin commands (and arguments) approved before.
    #[arg(long, global = true)]
    allow_exec: bool,
    /// Username to impersonate for the operation (as kubectl's `--as`).
    #[arg(long = "as", global = true)]
    as_user: Option<String>,
    /// Group to impersonate for the operation; repeat for several (as kubectl's `--as-group`).
    #[arg(long = "as-group", global = true)]
    as_group: Vec<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read and edit the kubeconfig (as `kubectl config`).
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Display one or many resources (as `kubectl get`).
    Get(get::GetArgs),
    /// Print the logs for a container in a pod (as `kubectl logs`).
    Logs(logs::LogsArgs),
    /// Inspect authorization (as `kubectl auth`, plus who-can and why).
    Auth {
        #[command(subcommand)]
        command: auth::AuthCommand,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Describe one or many contexts.
    GetContexts {
        /// Context names; all contexts when empty.
        names: Vec<String>,
        /// Output format. One of: (name).
        #[arg(short, long)]
        output: Option<OutputFormat>,
        /// Don't print headers.
        #[arg(long)]
        no_headers: bool,
    },
    /// Display the current-context.
    CurrentContext,
    /// Display clusters defined in the kubeconfig (sorted by name).
    GetClusters,
    /// Display users defined in the kubeconfig.
    GetUsers,
    /// Display merged kubeconfig settings or a specified kubeconfig file.
    ///
    /// Unlike kubectl, Loupe also hides auth-provider tokens and secrets and exec env values
    /// unless --raw is given.
    View {
        /// Remove all information not used by current-context from the output.
        #[arg(long)]
        minify: bool,
        /// Flatten the resulting kubeconfig file into self-contained output.
        #[arg(long)]
        flatten: bool,
        /// Display raw byte data and sensitive data.
        #[arg(long)]
        raw: bool,
        /// Merge the full hierarchy of kubeconfig files.
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
        merge: bool,
        /// Output format. One of: (yaml, json).
        #[arg(short, long, default_value = "yaml")]
        output: ViewOutput,
    },
    /// Set the current-context in a kubeconfig file.
    #[command(alias = "use")]
    UseContext {
        /// The context to switch to.
        name: String,
    },
    /// Set a context entry in kubeconfig (created if absent).
    SetContext {
        /// The context; omit with --current.
        name: Option<String>,
        /// Modify the current context.
        #[arg(long)]
        current: bool,
        /// Cluster for the context entry in kubeconfig.
        #[arg(long)]
        cluster: Option<String>,
        /// User for the context entry in kubeconfig.
        #[arg(long)]
        user: Option<String>,
        /// Namespace for the context entry in kubeconfig.
        #[arg(long)]
        namespace: Option<String>,
    },
    /// Rename a context from the kubeconfig file.
    RenameContext {
        /// The context to rename.
        name: String,
        /// Its new name.
        new_name: String,
    },
    /// Delete the specified context from the kubeconfig.
    DeleteContext {
        /// The context to delete.
        name: String,
    },
    /// Delete the specified cluster from the kubeconfig.
    DeleteCluster {
        /// The cluster to delete.
        name: String,
    },
    /// Delete the specified user from the kubeconfig.
    DeleteUser {
        /// The user to delete.
        name: String,
    },
    /// Unset a property in the kubeconfig (only current-context is supported).
    Unset {
        /// The property; only `current-context`.
        property: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Name,
}

#[derive(Clone, Copy, ValueEnum)]
enum ViewOutput {
    Yaml,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rules = LoadRules::from_env(cli.kubeconfig);
    let kc = Kubeconfig::load(&rules);
    // kubectl fails on any broken file; Loupe uses what it can and says what it skipped.
    for f in &kc.files {
        if let loupe_core::kubeconfig::FileState::Broken(e) = &f.state {
            eprintln!("warning: {e}");
        }
        for flag in &f.flagged {
            eprintln!("warning: {}: {flag}", f.path.display());
        }
    }
    let session = session::Session {
        kc,
        context: cli.context,
        allow_exec: cli.allow_exec,
        impersonate: cli.as_user,
        impersonate_groups: cli.as_group,
    };
    let result = match cli.command {
        Command::Config { command } => {
            run_config(&rules, &session.kc, session.context.clone(), command)
                .map(|()| ExitCode::SUCCESS)
        }
        Command::Get(args) => block_on(get::run(&session, args)),
        Command::Logs(args) => block_on(logs::run(&session, args)),
        Command::Auth { command } => block_on(auth::run(&session, command)),
    };
    match result {
        Ok(code) => code,
        // kubectl prints several aggregated errors one per line, without the `error: ` prefix.
        Err(CoreError::ContextsNotFound(names)) if names.len() > 1 => {
            for n in names {
                eprintln!("context {n} not found");
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a cluster command on a small runtime (the config commands need none).
fn block_on(
    fut: impl std::future::Future<Output = Result<ExitCode, CoreError>>,
) -> Result<ExitCode, CoreError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CoreError::InvalidArgument(format!("cannot start the async runtime: {e}")))?
        .block_on(fut)
}

fn run_config(
    rules: &LoadRules,
    kc: &Kubeconfig,
    context: Option<String>,
    cmd: ConfigCommand,
) -> Result<(), CoreError> {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (e.g. `| head`) is not an error worth reporting.
    let mut print = |text: &str| {
        let _ = stdout.write_all(text.as_bytes());
    };
    let op = match cmd {
        ConfigCommand::GetContexts {
            names,
            output,
            no_headers,
        } => {
            let output = match output {
                Some(OutputFormat::Name) => ContextsOutput::Name,
                None => ContextsOutput::Table,
            };
            let (text, err) = kc.get_contexts(&names, output, !no_headers);
            print(&text);
            return err.map_or(Ok(()), Err);
        }
        ConfigCommand::CurrentContext => {
            print(&format!("{}\n", kc.current_context()?));
            return Ok(());
        }
        ConfigCommand::GetClusters => {
            print(&kc.get_clusters());
            return Ok(());
        }
        ConfigCommand::GetUsers => {
            print(&kc.get_users());
            return Ok(());
        }
        ConfigCommand::View {
            minify,
            flatten,
            raw,
            merge,
            output,
        } => {
            if !merge && rules.explicit.is_none() {
                return Err(CoreError::InvalidArgument(
                    "if merge==false a precise file must be specified".into(),
                ));
            }
            let text = kc.view(&ViewOptions {
                minify,
                flatten,
                raw,
                context,
                format: match output {
                    ViewOutput::Yaml => ViewFormat::Yaml,
                    ViewOutput::Json => ViewFormat::Json,
                },
            })?;
            print(&text);
            return Ok(());
        }
        ConfigCommand::UseContext { name } => EditOp::UseContext(name),
        ConfigCommand::SetContext {
            name,
            current,
            cluster,
            user,
            namespace,
        } => EditOp::SetContext {
            name,
            current,
            cluster,
            user,
            namespace,
        },
        ConfigCommand::RenameContext { name, new_name } => EditOp::RenameContext {
            from: name,
            to: new_name,
        },
        ConfigCommand::DeleteContext { name } => EditOp::DeleteContext(name),
        ConfigCommand::DeleteCluster { name } => EditOp::DeleteCluster(name),
        ConfigCommand::DeleteUser { name } => EditOp::DeleteUser(name),
        ConfigCommand::Unset { property } => {
            if property != "current-context" {
                return Err(CoreError::InvalidArgument(format!(
                    "loupe can only unset current-context, not {property:?}"
                )));
            }
            EditOp::UnsetCurrentContext
        }
    };
    let outcome = edit(rules, &op)?;
    for w in &outcome.warnings {
        eprintln!("{w}");
    }
    print(&outcome.message);
    Ok(())
}
