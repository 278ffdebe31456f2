//! Container logs: one pod or whole workloads, streamed, followed and merged, with bounded memory.
//!
//! The API a log view uses:
//!
//! - [`containers`]: a pod's containers and their states, and the one kubectl picks by default
//!   (the container picker).
//! - [`stream`]: one container's log as a [`LogStream`] of [`loupe_model::logs::LogBatch`]es
//!   (lines every 50 ms or 1,000 lines, states, errors, the end). While following, a stream the
//!   server closes is reopened from the last timestamp seen without repeating lines, and a
//!   deleted pod ends the stream with a marker.
//! - [`workload_stream`]: every pod of a Deployment, StatefulSet, DaemonSet, Job, ReplicaSet,
//!   Service or label selector, merged in time order, each line tagged with its source; pods
//!   that appear while following join, pods that go away are marked.
//! - [`session`]: a view's lines kept in the backend ([`session::LogViews`]): the ring buffer,
//!   its search and row layout, status ticks for the UI and the window of rows it draws.
//! - [`download`]: the full log to a file, streamed.
//! - [`loupe_model::logs::LogBuffer`] and [`loupe_model::logs::LogMatcher`] (in the model crate,
//!   plain Rust): the view's ring buffer and its search.
//!
//! Every failure arrives as an event with a [`loupe_model::logs::LogProblem`] and a
//! [`loupe_model::UiError`] (a 403 names the missing permission), never as a hang.
//!
//! The `*_raw` variants give the server's bytes unchanged (for the CLI, which prints them as
//! kubectl does).

mod download;
mod errors;
#[cfg(test)]
mod fake;
pub mod pods;
pub mod session;
mod source;
pub mod split;
pub mod time;
mod view;
pub mod workload;

pub use download::{download, download_dir, download_path, download_to_default};
pub(crate) use download::{file_part, no_download_dir};
pub use errors::{diagnose, problem_of};
pub use source::{Backend, KubeBackend, PodWatch, Reader};
pub use split::{DEFAULT_MAX_LINE_BYTES, RawLine, Splitter};
pub use view::{LogStream, Plan, PodSet, RawBatch, RawEvent, RawLogStream, Tuning, open};
pub use workload::{first_pod, parse_kind};

use crate::CoreError;
use crate::cluster::ContextClient;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use loupe_model::logs::{
    ContainerSelection, LogProblem, LogRequest, PodContainers, WorkloadKind, WorkloadLogRequest,
    WorkloadTarget,
};

/// A pod's containers with their states and kubectl's default container, for the picker.
pub async fn containers(
    cc: &ContextClient,
    namespace: &str,
    pod: &str,
) -> Result<PodContainers, CoreError> {
    match Api::<Pod>::namespaced(cc.client.clone(), namespace)
        .get_opt(pod)
        .await
    {
        Ok(Some(p)) => Ok(pods::pod_containers(&p)),
        Ok(None) => Err(errors::pod_not_found(namespace, pod)),
        Err(e) => Err(errors::get_failure(
            e,
            &cc.target,
            namespace,
            LogProblem::PodNotFound,
        )),
    }
}

fn pod_plan(req: LogRequest) -> Plan {
    Plan {
        namespace: req.namespace,
        pods: PodSet::Named(req.pod),
        containers: req
            .container
            .map_or(ContainerSelection::Default, ContainerSelection::Named),
        options: req.options,
        max_streams: None,
    }
}

fn workload_plan(req: WorkloadLogRequest) -> Plan {
    let pods = match req.target {
        WorkloadTarget::Object {
            kind: WorkloadKind::Pod,
            name,
        } => PodSet::Named(name),
        other => PodSet::Target(other),
    };
    Plan {
        namespace: req.namespace,
        pods,
        containers: req.containers,
        options: req.options,
        max_streams: req.max_streams,
    }
}

/// One container's log, for a view. Must be called inside a tokio runtime; dropping the
/// stream stops it.
pub fn stream(cc: &ContextClient, req: LogRequest) -> LogStream {
    LogStream::new(stream_raw(cc, req, Tuning::default()))
}

/// [`stream`] with the server's bytes and chosen [`Tuning`].
pub fn stream_raw(cc: &ContextClient, req: LogRequest, tuning: Tuning) -> RawLogStream {
    open(KubeBackend::new(cc), pod_plan(req), tuning)
}

/// Every pod of a workload (or label selector), merged in time order, for a view.
pub fn workload_stream(cc: &ContextClient, req: WorkloadLogRequest) -> LogStream {
    LogStream::new(workload_stream_raw(cc, req, Tuning::default()))
}

/// [`workload_stream`] with the server's bytes and chosen [`Tuning`].
pub fn workload_stream_raw(
    cc: &ContextClient,
    req: WorkloadLogRequest,
    tuning: Tuning,
) -> RawLogStream {
    open(KubeBackend::new(cc), workload_plan(req), tuning)
}
