//! A scripted [`Backend`] for tests: each `open` of a pod plays the next script.

use super::source::{Backend, PodWatch, Reader};
use crate::CoreError;
use crate::cluster::Target;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::LogParams;
use loupe_model::logs::{LogProblem, WorkloadKind};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// What one `open` returns.
pub enum Script {
    /// These chunks, then a clean end.
    Body(Vec<Vec<u8>>),
    /// These chunks, then a broken connection.
    Cut(Vec<Vec<u8>>),
    /// These chunks, then nothing more (a followed stream that stays open).
    Open(Vec<Vec<u8>>),
    /// These chunks, then a broken connection, and the pod is deleted.
    CutAndDelete(Vec<Vec<u8>>),
    /// The API server answers with this status.
    Status(u16, &'static str, String),
}

#[derive(Default)]
pub struct State {
    pub scripts: HashMap<String, VecDeque<Script>>,
    pub pods: HashMap<String, Pod>,
    pub opens: Vec<(String, LogParams)>,
}

#[derive(Clone, Default)]
pub struct Fake {
    pub state: Arc<Mutex<State>>,
    target: Target,
}

impl Fake {
    pub fn with_pod(self, pod: Pod) -> Self {
        let name = pod.metadata.name.clone().unwrap_or_default();
        self.state.lock().unwrap().pods.insert(name, pod);
        self
    }

    pub fn script(self, pod: &str, s: Script) -> Self {
        self.state
            .lock()
            .unwrap()
            .scripts
            .entry(pod.to_string())
            .or_default()
            .push_back(s);
        self
    }

    pub fn remove_pod(&self, pod: &str) {
        self.state.lock().unwrap().pods.remove(pod);
    }

    pub fn opens(&self) -> Vec<(String, LogParams)> {
        self.state.lock().unwrap().opens.clone()
    }
}

fn reader(chunks: Vec<Vec<u8>>, end: Option<std::io::Error>, open: bool) -> Reader {
    let body = futures::stream::iter(chunks.into_iter().map(Ok::<_, std::io::Error>));
    let tail = futures::stream::iter(end.map(Err));
    if open {
        Box::pin(body.chain(futures::stream::pending()).into_async_read())
    } else {
        Box::pin(body.chain(tail).into_async_read())
    }
}

/// A running pod with one container per name, scheduled and started.
pub fn running_pod(name: &str, uid: &str, containers: &[&str]) -> Pod {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": name, "namespace": "ns", "uid": uid},
        "spec": {"nodeName": "node", "containers": containers.iter().map(|c| serde_json::json!({"name": c})).collect::<Vec<_>>()},
        "status": {"phase": "Running", "containerStatuses": containers.iter().map(|c| serde_json::json!({
            "name": c, "image": "i", "imageID": "", "ready": true, "restartCount": 0,
            "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}})).collect::<Vec<_>>()},
    }))
    .unwrap()
}

/// `n` CRI-style lines `<ts> <prefix> i`, one second apart from `start` (Unix seconds).
pub fn lines(start: i64, prefix: &str, range: std::ops::Range<i64>) -> Vec<u8> {
    let mut out = Vec::new();
    for i in range {
        let ts = jiff::Timestamp::from_second(start + i).unwrap();
        out.extend_from_slice(format!("{ts} {prefix} {i}\n").as_bytes());
    }
    out
}

impl Backend for Fake {
    async fn open(&self, _ns: &str, pod: &str, params: &LogParams) -> Result<Reader, kube::Error> {
        let script = {
            let mut st = self.state.lock().unwrap();
            st.opens.push((pod.to_string(), params.clone()));
            st.scripts.get_mut(pod).and_then(VecDeque::pop_front)
        };
        match script {
            Some(Script::Body(c)) => Ok(reader(c, None, false)),
            Some(Script::CutAndDelete(c)) => {
                self.remove_pod(pod);
                Ok(reader(
                    c,
                    Some(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "cut",
                    )),
                    false,
                ))
            }
            Some(Script::Cut(c)) => Ok(reader(
                c,
                Some(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "cut",
                )),
                false,
            )),
            Some(Script::Open(c)) => Ok(reader(c, None, true)),
            None => Ok(reader(Vec::new(), None, true)),
            Some(Script::Status(code, reason, message)) => Err(kube::Error::Api(
                kube::core::Status::failure(&message, reason)
                    .with_code(code)
                    .boxed(),
            )),
        }
    }

    async fn get_pod(&self, _ns: &str, pod: &str) -> Result<Option<Pod>, kube::Error> {
        Ok(self.state.lock().unwrap().pods.get(pod).cloned())
    }

    async fn list_pods(&self, _ns: &str, _selector: &str) -> Result<Vec<Pod>, kube::Error> {
        let mut pods: Vec<Pod> = self.state.lock().unwrap().pods.values().cloned().collect();
        pods.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        Ok(pods)
    }

    async fn selector_of(
        &self,
        _ns: &str,
        _kind: WorkloadKind,
        name: &str,
    ) -> Result<String, CoreError> {
        if name == "missing" {
            return Err(CoreError::Logs {
                problem: LogProblem::WorkloadNotFound,
                message: "not found".into(),
            });
        }
        Ok("app=x".into())
    }

    fn watch_pods(&self, _ns: &str, _l: Option<&str>, _f: Option<&str>) -> Option<PodWatch> {
        None
    }

    fn target(&self) -> &Target {
        &self.target
    }
}
