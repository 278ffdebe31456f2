//! `loupe logs`: container logs, printed as `kubectl logs` prints them (same flags, output,
//! errors and exit codes). Where kubectl's order is random (several pods or containers, which
//! kubectl reads in Go map order), Loupe merges the lines by their timestamps.

use crate::session::Session;
use loupe_core::CoreError;
use loupe_core::logs::{
    self, RawEvent, RawLine, RawLogStream, Tuning, first_pod, parse_kind, time,
};
use loupe_model::UiError;
use loupe_model::logs::{
    ContainerSelection, LogOptions, LogRequest, LogSince, LogSource, WorkloadKind,
    WorkloadLogRequest, WorkloadTarget,
};
use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]";

/// Arguments of `loupe logs` (kubectl's flags).
#[derive(clap::Args)]
pub struct LogsArgs {
    /// POD or TYPE/NAME, and optionally the container.
    pub args: Vec<String>,
    /// Print the logs of this container.
    #[arg(short = 'c', long)]
    pub container: Option<String>,
    /// Get all containers' logs in the pod(s).
    #[arg(long, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub all_containers: Option<bool>,
    /// Get logs from all pod(s) of TYPE/NAME. Sets prefix to true.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub all_pods: Option<bool>,
    /// Specify if the logs should be streamed.
    #[arg(short = 'f', long, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub follow: Option<bool>,
    /// Lines of recent log file to display. Defaults to -1 with no selector, showing all log
    /// lines otherwise 10, if a selector is provided.
    #[arg(long, allow_negative_numbers = true)]
    pub tail: Option<i64>,
    /// Only return logs newer than a relative duration like 5s, 2m, or 3h.
    #[arg(long)]
    pub since: Option<String>,
    /// Only return logs after a specific date (RFC3339).
    #[arg(long)]
    pub since_time: Option<String>,
    /// Include timestamps on each line in the log output.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub timestamps: Option<bool>,
    /// Print the logs for the previous instance of the container in a pod if it exists.
    #[arg(short = 'p', long, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub previous: Option<bool>,
    /// Selector (label query) to filter on.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Prefix each log line with the log source (pod name and container name).
    #[arg(long, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub prefix: Option<bool>,
    /// Maximum bytes of logs to return. Defaults to no limit.
    #[arg(long, allow_negative_numbers = true)]
    pub limit_bytes: Option<i64>,
    /// Maximum number of concurrent logs to follow when using by a selector.
    #[arg(long, default_value_t = 5)]
    pub max_log_requests: u32,
    /// If watching / following pod logs, allow for any errors that occur to be non-fatal.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub ignore_errors: Option<bool>,
    /// The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one
    /// pod is running.
    #[arg(long, default_value = "20s")]
    pub pod_running_timeout: String,
    /// The namespace (default: the context's, else `default`).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
}

/// A failure printed as kubectl prints it.
enum Fail {
    /// `error: ...` (or kubectl's text for a server answer), exit 1.
    Error(UiError),
    /// A usage error: the message plus kubectl's pointer to the help.
    Usage(String),
    /// A flag that does not parse (cobra's wording).
    Flag(String),
}

impl From<CoreError> for Fail {
    fn from(e: CoreError) -> Self {
        Fail::Error(e.diagnose())
    }
}

fn print_error(e: &UiError) {
    match e.diagnosis.as_ref().and_then(|d| d.kubectl_says.as_deref()) {
        Some(k) => eprintln!("{k}"),
        None => eprintln!("error: {}", e.message),
    }
}

/// Runs `loupe logs`.
pub async fn run(session: &Session, args: LogsArgs) -> Result<ExitCode, CoreError> {
    match run_inner(session, args).await {
        Ok(code) => Ok(code),
        Err(Fail::Error(e)) => {
            print_error(&e);
            Ok(ExitCode::FAILURE)
        }
        Err(Fail::Usage(m)) => {
            eprintln!("error: {m}\nSee 'loupe logs -h' for help and examples");
            Ok(ExitCode::FAILURE)
        }
        Err(Fail::Flag(m)) => {
            eprintln!("Error: {m}\nSee 'loupe logs --help' for usage.");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn invalid(m: impl Into<String>) -> Fail {
    Fail::Error(CoreError::InvalidArgument(m.into()).diagnose())
}

/// What to read.
enum Target {
    /// One container of one pod (kubectl's default container if `None`).
    Pod(String, Option<String>),
    /// Several sources, merged.
    Many(WorkloadLogRequest),
}

async fn run_inner(session: &Session, a: LogsArgs) -> Result<ExitCode, Fail> {
    // Flag parsing (cobra's errors come first).
    let since_seconds = match &a.since {
        None => None,
        Some(s) => {
            let d = time::parse_go_duration(s).map_err(|e| {
                Fail::Flag(format!(
                    "invalid argument \"{s}\" for \"--since\" flag: {e}"
                ))
            })?;
            (d != 0).then(|| time::round_to_seconds(d))
        }
    };
    let pod_wait = time::parse_go_duration(&a.pod_running_timeout).map_err(|e| {
        Fail::Flag(format!(
            "invalid argument \"{}\" for \"--pod-running-timeout\" flag: {e}",
            a.pod_running_timeout
        ))
    })?;
    // kubectl's Complete: the arguments.
    let selector = a.selector.clone().filter(|s| !s.is_empty());
    let mut container = a.container.clone();
    let resource = match a.args.as_slice() {
        [] if selector.is_none() => return Err(expected_usage()),
        [] => None,
        [r] => {
            if selector.is_some() {
                return Err(Fail::Usage(
                    "only a selector (-l) or a POD name is allowed".into(),
                ));
            }
            Some(r.clone())
        }
        [r, c] => {
            if container.is_some() {
                // Validated later by kubectl, after the object is read; the wording is the same.
                return Err(invalid(
                    "only one of -c or an inline [CONTAINER] arg is allowed",
                ));
            }
            container = Some(c.clone());
            Some(r.clone())
        }
        _ => return Err(expected_usage()),
    };
    // Then the timeout (before --since-time is parsed and the object is read, as kubectl).
    if pod_wait <= 0 {
        return Err(invalid("--pod-running-timeout must be higher than zero"));
    }
    let pod_wait = std::time::Duration::from_nanos(u64::try_from(pod_wait).unwrap_or(u64::MAX));
    let all_pods = a.all_pods.unwrap_or(false);
    let all_containers = a.all_containers.unwrap_or(false);
    let prefix = a.prefix.unwrap_or(false) || all_pods;
    let follow = a.follow.unwrap_or(false);
    let timestamps = a.timestamps.unwrap_or(false);
    let since = match (&a.since_time, since_seconds) {
        (Some(t), None) => {
            time::parse_since_time(t).map_err(invalid)?;
            Some(LogSince::Time(t.clone()))
        }
        (None, Some(s)) => Some(LogSince::Seconds(s)),
        (None, None) => None,
        (Some(_), Some(_)) => None, // rejected below, after the object is read (as kubectl)
    };
    let tail = match (a.tail, &selector) {
        (Some(-1), _) => None,
        (Some(n), _) => Some(n),
        (None, Some(_)) => Some(10),
        (None, None) => None,
    };
    let options = LogOptions {
        follow,
        tail_lines: tail,
        since,
        timestamps,
        previous: a.previous.unwrap_or(false),
        limit_bytes: a.limit_bytes.filter(|b| *b != 0),
    };
    let namespace = a
        .namespace
        .clone()
        .unwrap_or_else(|| session.default_namespace());
    let cc = session.client().await?;

    // The object. kubectl prints its notices (which pod, which container) after validating.
    let mut notices = Vec::new();
    let target = match (&resource, &selector) {
        (_, Some(sel)) => Target::Many(WorkloadLogRequest {
            namespace: namespace.clone(),
            target: WorkloadTarget::Selector {
                selector: sel.clone(),
            },
            containers: selection(all_containers, &container),
            options: options.clone(),
            max_streams: Some(a.max_log_requests),
        }),
        (Some(r), None) => match r.split_once('/') {
            None => Target::Pod(r.clone(), container.clone()),
            Some((kind, name)) => {
                let kind = parse_kind(kind).ok_or_else(|| {
                    invalid(format!(
                        "the server doesn't have a resource type \"{kind}\""
                    ))
                })?;
                if kind == WorkloadKind::Pod {
                    Target::Pod(name.to_string(), container.clone())
                } else if all_pods {
                    // kubectl waits for a first pod here too.
                    first_pod(&cc, &namespace, kind, name, pod_wait).await?;
                    Target::Many(WorkloadLogRequest {
                        namespace: namespace.clone(),
                        target: WorkloadTarget::Object {
                            kind,
                            name: name.to_string(),
                        },
                        containers: selection(all_containers, &container),
                        options: options.clone(),
                        max_streams: Some(a.max_log_requests),
                    })
                } else {
                    let (pod, count) = first_pod(&cc, &namespace, kind, name, pod_wait).await?;
                    if count > 1 {
                        notices.push(format!("Found {count} pods, using pod/{pod}"));
                    }
                    Target::Pod(pod, container.clone())
                }
            }
        },
        (None, None) => return Err(expected_usage()),
    };
    // A single pod: kubectl reads it first (not found); the default container, its notice
    // and the container check come after the validation below.
    let mut deferred = None;
    let target = match target {
        Target::Pod(pod, c) => {
            let pc = logs::containers(&cc, &namespace, &pod).await?;
            if all_containers {
                if c.is_none() {
                    Target::Many(WorkloadLogRequest {
                        namespace: namespace.clone(),
                        target: WorkloadTarget::Object {
                            kind: WorkloadKind::Pod,
                            name: pod,
                        },
                        containers: ContainerSelection::All,
                        options: options.clone(),
                        max_streams: Some(a.max_log_requests),
                    })
                } else {
                    Target::Pod(pod, c)
                }
            } else {
                let c = match c {
                    Some(c) => c,
                    None => {
                        notices.extend(pc.annotation_notice.clone());
                        if !all_pods {
                            notices.extend(pc.default_notice.clone());
                        }
                        pc.default_container.clone()
                    }
                };
                if !pc.containers.iter().any(|x| x.name == c) {
                    deferred = Some(invalid(format!("container {c} is not valid for pod {pod}")));
                }
                Target::Pod(pod, Some(c))
            }
        }
        many => many,
    };
    // kubectl's Validate.
    if a.since_time.is_some() && since_seconds.is_some() {
        return Err(invalid(
            "at most one of `sinceTime` or `sinceSeconds` may be specified",
        ));
    }
    if all_containers && let Some(c) = &container {
        return Err(invalid(format!(
            "--all-containers=true should not be specified with container name {c}"
        )));
    }
    if a.limit_bytes.is_some_and(|b| b < 0) {
        return Err(invalid("--limit-bytes must be greater than 0"));
    }
    if since_seconds.is_some_and(|s| s < 0) {
        return Err(invalid("--since must be greater than 0"));
    }
    if a.tail.is_some_and(|t| t < -1) {
        return Err(invalid("--tail must be greater than or equal to -1"));
    }

    for n in notices {
        eprintln!("{n}");
    }
    if let Some(e) = deferred {
        return Err(e);
    }
    // The CLI prints whole lines, exactly the server's bytes; a selector that matches nothing
    // ends at once, also when following (kubectl does).
    let tuning = Tuning {
        max_line_bytes: usize::MAX,
        end_when_empty: true,
        line_timestamps: false,
        ..Tuning::default()
    };
    let (stream, by_selector) = match target {
        Target::Pod(pod, c) => (
            logs::stream_raw(
                &cc,
                LogRequest {
                    namespace: namespace.clone(),
                    pod,
                    container: c,
                    options,
                },
                tuning,
            ),
            false,
        ),
        Target::Many(req) => {
            let by_selector = matches!(req.target, WorkloadTarget::Selector { .. });
            (logs::workload_stream_raw(&cc, req, tuning), by_selector)
        }
    };
    let printed = print(stream, prefix, timestamps, a.ignore_errors.unwrap_or(false)).await;
    if by_selector && printed.sources == 0 && !printed.failed {
        eprintln!("No resources found in {namespace} namespace.");
    }
    Ok(if printed.failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// What [`print`] saw.
struct Printed {
    sources: usize,
    failed: bool,
}

/// Prints a view as kubectl prints logs: each line as the server sent it (with its timestamp
/// only if asked for, after `[pod/NAME/CONTAINER] ` with `--prefix`), errors on stderr.
/// Loupe's own notices (a followed pod left, a stream was reopened) go to stderr.
///
/// As kubectl: the first failed stream ends the command (exit 1), unless `ignore_errors`, where
/// it is reported as an `error: ...` line among the log lines (stdout) and the others go on.
/// A failure of the whole view (a bad selector, too many streams) always ends it.
async fn print(
    mut stream: RawLogStream,
    prefix: bool,
    timestamps: bool,
    ignore_errors: bool,
) -> Printed {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
    let mut prefixes: HashMap<u32, Vec<u8>> = HashMap::new();
    let mut printed = Printed {
        sources: 0,
        failed: false,
    };
    while let Some(batch) = stream.next_batch().await {
        let mut end = false;
        for ev in batch.events {
            match ev {
                RawEvent::Source(LogSource { id, prefix: p, .. }) => {
                    printed.sources += 1;
                    prefixes.insert(id, format!("{p} ").into_bytes());
                }
                RawEvent::Lines(lines) => {
                    for l in lines {
                        if write_line(
                            &mut out,
                            &l,
                            prefix.then(|| prefixes.get(&l.source)).flatten(),
                            timestamps,
                        )
                        .is_err()
                        {
                            // A closed pipe (`| head`): stop quietly.
                            return printed;
                        }
                    }
                }
                RawEvent::State { .. } => {}
                RawEvent::Error {
                    error,
                    source: Some(_),
                    ..
                } if ignore_errors => {
                    let line = format!("error: {}\n", go_error_text(&error));
                    if out.write_all(line.as_bytes()).is_err() {
                        return printed;
                    }
                }
                RawEvent::Error { error, .. } => {
                    let _ = out.flush();
                    print_error(&error);
                    printed.failed = true;
                    return printed;
                }
                RawEvent::End(_) => end = true,
            }
        }
        if out.flush().is_err() || end {
            break;
        }
    }
    printed
}

/// The error as Go's `err.Error()` gives it (what kubectl prints after `error: ` with
/// `--ignore-errors`): a server's answer without kubectl's `Error from server (Reason): `.
fn go_error_text(e: &UiError) -> String {
    let said = e.diagnosis.as_ref().and_then(|d| d.kubectl_says.as_deref());
    match said {
        Some(s) if s.starts_with("Error from server") => {
            s.split_once("): ").map_or(s, |(_, rest)| rest).to_string()
        }
        Some(s) => s.strip_prefix("error: ").unwrap_or(s).to_string(),
        None => e.message.clone(),
    }
}

fn write_line(
    out: &mut impl Write,
    l: &RawLine,
    prefix: Option<&Vec<u8>>,
    timestamps: bool,
) -> std::io::Result<()> {
    if l.marker.is_some() {
        out.flush()?;
        eprintln!("loupe: {}", String::from_utf8_lossy(&l.bytes));
        return Ok(());
    }
    if let Some(p) = prefix {
        out.write_all(p)?;
    }
    out.write_all(if timestamps { &l.bytes } else { l.text() })?;
    if !l.partial {
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn expected_usage() -> Fail {
    Fail::Usage(format!(
        "expected '{USAGE}'.\nPOD or TYPE/NAME is a required argument for the logs command"
    ))
}

fn selection(all: bool, container: &Option<String>) -> ContainerSelection {
    match (all, container) {
        (true, _) => ContainerSelection::All,
        (false, Some(c)) => ContainerSelection::Named(c.clone()),
        (false, None) => ContainerSelection::Default,
    }
}
