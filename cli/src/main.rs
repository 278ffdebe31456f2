//! `loupe`: the same core as the app, without a window, for terminals and pipelines.
//!
//! Output matches kubectl's where kubectl has the same command, so scripts can switch between
//! them and tests can compare the two.
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand, ValueEnum};
use loupe_core::CoreError;
use loupe_core::kubeconfig::{ContextsOutput, Kubeconfig, LoadRules};
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
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read the kubeconfig (as `kubectl config`).
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
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
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Name,
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
    let result = match cli.command {
        Command::Config { command } => run_config(&kc, command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // kubectl prints an aggregate of several errors one per line, without "error: ".
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

fn run_config(kc: &Kubeconfig, cmd: ConfigCommand) -> Result<(), CoreError> {
    let mut stdout = std::io::stdout().lock();
    match cmd {
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
            // A closed pipe (e.g. `| head`) is not an error worth reporting.
            let _ = stdout.write_all(text.as_bytes());
            err.map_or(Ok(()), Err)
        }
        ConfigCommand::CurrentContext => {
            let name = kc.current_context()?;
            let _ = writeln!(stdout, "{name}");
            Ok(())
        }
    }
}
