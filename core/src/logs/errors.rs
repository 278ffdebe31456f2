//! Failures of log requests as typed problems, with kubectl's wording and the cluster
//! diagnosis (a 403 names the missing permission: `get pods/log in namespace "team-a"`).

use crate::CoreError;
use crate::cluster::diagnose::parse_forbidden;
use crate::cluster::{ClusterError, Target};
use loupe_model::logs::LogProblem;
use loupe_model::{ErrorKind, UiError};

/// The status the API server answered with, if it answered.
pub(crate) fn status_of(err: &kube::Error) -> Option<&kube::core::Status> {
    match err {
        kube::Error::Api(s) => Some(s),
        _ => None,
    }
}

/// HTTP status code of an API answer.
pub(crate) fn code_of(err: &kube::Error) -> Option<u16> {
    status_of(err).map(|s| s.code)
}

/// A failed `pods/log` request.
pub(crate) fn log_failure(err: kube::Error, target: &Target) -> (LogProblem, CoreError) {
    let problem = match status_of(&err) {
        Some(s) if s.code == 403 => forbidden(&s.message),
        Some(s) if s.code == 404 => LogProblem::PodNotFound,
        Some(s) if s.code == 400 && s.message.contains("is waiting to start") => {
            LogProblem::ContainerWaiting {
                reason: s
                    .message
                    .rsplit_once(": ")
                    .map(|(_, r)| r.trim().to_string()),
            }
        }
        Some(s) if s.code == 400 && s.message.contains("previous terminated container") => {
            LogProblem::NoPreviousContainer
        }
        _ => LogProblem::Other,
    };
    (problem, CoreError::cluster(ClusterError::Kube(err), target))
}

/// A failed read of an object a view needs (the pod, the workload): 404 in kubectl's words
/// (`error from server (NotFound): pods "x" not found in namespace "ns"`), the rest diagnosed.
pub(crate) fn get_failure(
    err: kube::Error,
    target: &Target,
    namespace: &str,
    not_found: LogProblem,
) -> CoreError {
    match status_of(&err) {
        Some(s) if s.code == 404 => CoreError::Logs {
            problem: not_found,
            message: format!(
                "error from server (NotFound): {} in namespace \"{namespace}\"",
                s.message
            ),
        },
        _ => CoreError::cluster(ClusterError::Kube(err), target),
    }
}

/// kubectl's error for a pod that does not exist.
pub(crate) fn pod_not_found(namespace: &str, pod: &str) -> CoreError {
    CoreError::Logs {
        problem: LogProblem::PodNotFound,
        message: format!(
            "error from server (NotFound): pods \"{pod}\" not found in namespace \"{namespace}\""
        ),
    }
}

fn forbidden(message: &str) -> LogProblem {
    LogProblem::Forbidden {
        permission: parse_forbidden(message)
            .map_or_else(|| "get pods/log".to_string(), |d| d.describe()),
    }
}

/// The [`LogProblem`] of any core error (for errors that did not come from a log request).
pub fn problem_of(e: &CoreError) -> LogProblem {
    match e {
        CoreError::Logs { problem, .. } => problem.clone(),
        CoreError::Cluster { source, .. } => match &**source {
            ClusterError::Kube(k) => match status_of(k) {
                Some(s) if s.code == 403 => forbidden(&s.message),
                _ => LogProblem::Other,
            },
            _ => LogProblem::Other,
        },
        CoreError::InvalidArgument(_) => LogProblem::InvalidRequest,
        _ => LogProblem::Other,
    }
}

/// The [`UiError`] of a [`CoreError::Logs`].
pub fn diagnose(problem: &LogProblem, message: String) -> UiError {
    let (kind, hint) = match problem {
        LogProblem::PodNotFound => (
            ErrorKind::NotFound,
            "The pod may have been deleted and replaced (Deployments create new names); pick it \
             again from the pod list, or open the logs of its workload instead."
                .to_string(),
        ),
        LogProblem::WorkloadNotFound => (
            ErrorKind::NotFound,
            "Check the name and the namespace; `kubectl get deploy,sts,ds,job -n NAMESPACE` lists \
             them."
                .to_string(),
        ),
        LogProblem::ContainerNotFound { available } => (
            ErrorKind::NotFound,
            format!("This pod's containers are: {}.", available.join(", ")),
        ),
        LogProblem::ContainerWaiting { reason } => (
            ErrorKind::InvalidState,
            format!(
                "The container has not started yet ({}), so it has no log. Follow the log to \
                 see it as soon as it starts, or look at the pod's events to see what it waits \
                 for.",
                reason.as_deref().unwrap_or("waiting")
            ),
        ),
        LogProblem::NoPreviousContainer => (
            ErrorKind::NotFound,
            "Only a container that restarted has a previous log; this one has not restarted (or \
             its previous log was already removed)."
                .to_string(),
        ),
        LogProblem::Forbidden { permission } => (
            ErrorKind::Cluster,
            format!("Ask for a Role that allows {permission}."),
        ),
        LogProblem::TooManyStreams { max, .. } => (
            ErrorKind::InvalidState,
            format!(
                "Following opens one connection per container; the limit is {max}. Raise it \
                 (kubectl: --max-log-requests) or narrow the selector."
            ),
        ),
        LogProblem::InvalidRequest => (
            ErrorKind::InvalidState,
            "Check the request: `kubectl logs --help` lists the forms.".to_string(),
        ),
        LogProblem::Other => (
            ErrorKind::Internal,
            "The message above is the underlying error.".to_string(),
        ),
    };
    UiError::new(kind, message).with_hint(hint)
}
