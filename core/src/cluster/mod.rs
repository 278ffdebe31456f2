//! Live connections to clusters: one kube-rs client per context, opened on demand, with a
//! diagnosis that explains failures (see [`diagnose`]).

pub mod connect;
pub mod diagnose;
pub mod error;

pub use connect::{
    ConnectOptions, ContextClient, Probe, build_client, connect, connect_client, open_client,
};
pub use diagnose::{Target, classify, diagnose};
pub use error::ClusterError;

use crate::CoreError;
use crate::kubeconfig::Kubeconfig;
use crate::kubeconfig::trust::ExecTrust;
use kube::Client;
use loupe_model::{ConnectionState, ConnectionStatus};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// The connection to one context: the last status and, when connected, the client.
struct Slot {
    client: Option<ContextClient>,
    status: ConnectionStatus,
}

/// Keeps one client per context, opened on first use.
///
/// Each context has its own lock, so a slow or hanging cluster never delays the others, and
/// concurrent callers for the same context share one connection attempt.
#[derive(Default)]
pub struct ConnectionManager {
    timeout: Option<Duration>,
    slots: Mutex<HashMap<String, Arc<Mutex<Slot>>>>,
}

impl std::fmt::Debug for ConnectionManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionManager")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ConnectionManager {
    /// A manager whose connection attempts and probes give up after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout: Some(timeout),
            slots: Mutex::default(),
        }
    }

    fn options(&self, allow_exec: bool) -> ConnectOptions {
        let mut o = ConnectOptions {
            allow_exec,
            ..Default::default()
        };
        if let Some(t) = self.timeout {
            o.timeout = t;
        }
        o
    }

    async fn slot(&self, context: &str) -> Arc<Mutex<Slot>> {
        let mut slots = self.slots.lock().await;
        slots
            .entry(context.to_string())
            .or_insert_with(|| {
                Arc::new(Mutex::new(Slot {
                    client: None,
                    status: ConnectionStatus::connecting(context),
                }))
            })
            .clone()
    }

    /// The status of `context`, connecting first if there is no working client yet (never
    /// connected, or the last attempt failed). A connected context returns its last status
    /// without network traffic; use [`ConnectionManager::refresh`] to re-check it.
    ///
    /// `allow_exec`: whether the user approved this context's exec credential plugin.
    pub async fn status(
        &self,
        kc: &Kubeconfig,
        context: &str,
        allow_exec: bool,
    ) -> ConnectionStatus {
        let slot = self.slot(context).await;
        let mut slot = slot.lock().await;
        if slot.client.is_none() {
            let (client, status) = connect_client(kc, context, &self.options(allow_exec)).await;
            slot.client = client;
            slot.status = status;
        }
        slot.status.clone()
    }

    /// Like [`ConnectionManager::status`], running the context's exec plugin only if the user
    /// approved exactly that command and those arguments before.
    pub async fn status_trusted(
        &self,
        kc: &Kubeconfig,
        context: &str,
        trust: &ExecTrust,
    ) -> ConnectionStatus {
        let allow = exec_of(kc, context).is_some_and(|(c, a)| trust.is_trusted(&c, &a));
        self.status(kc, context, allow).await
    }

    /// The client of `context`, connecting first if needed (exec plugins only when approved in
    /// `trust`). A context that cannot connect gives its diagnosis as [`CoreError::NotConnected`].
    pub async fn context_client(
        &self,
        kc: &Kubeconfig,
        context: &str,
        trust: Option<&ExecTrust>,
    ) -> Result<ContextClient, CoreError> {
        let allow =
            trust.is_some_and(|t| exec_of(kc, context).is_some_and(|(c, a)| t.is_trusted(&c, &a)));
        let slot = self.slot(context).await;
        let mut slot = slot.lock().await;
        if slot.client.is_none() {
            let (client, status) = connect_client(kc, context, &self.options(allow)).await;
            slot.client = client;
            slot.status = status;
        }
        match (&slot.client, &slot.status.error) {
            (Some(cc), _) => Ok(cc.clone()),
            (None, Some(d)) => Err(CoreError::NotConnected {
                context: context.to_string(),
                diagnosis: Box::new(d.clone()),
            }),
            (None, None) => Err(CoreError::NotConnected {
                context: context.to_string(),
                diagnosis: Box::new(loupe_model::Diagnosis {
                    kind: loupe_model::DiagnosisKind::Other,
                    title: format!("Loupe could not connect to {context}."),
                    message: String::new(),
                    fix: "Open the context and press Reconnect.".into(),
                    kubectl_says: None,
                    status_code: None,
                }),
            }),
        }
    }

    /// Records the approval of `context`'s exec plugin in `trust`, drops any previous
    /// connection and connects again, now allowed to run the plugin.
    pub async fn approve_and_connect(
        &self,
        kc: &Kubeconfig,
        context: &str,
        trust: &mut ExecTrust,
    ) -> Result<ConnectionStatus, CoreError> {
        approve_exec(kc, context, trust)?;
        self.disconnect(context).await;
        Ok(self.status(kc, context, true).await)
    }

    /// Re-probes a context that has a client (updating latency, or marking it failed and
    /// dropping the client). `None` if the context was never connected.
    pub async fn refresh(&self, context: &str) -> Option<ConnectionStatus> {
        let slot = self.slots.lock().await.get(context).cloned()?;
        let mut slot = slot.lock().await;
        if let Some(cc) = &slot.client {
            let status = connect::status_of(cc, self.options(false).timeout).await;
            if status.state != ConnectionState::Connected {
                slot.client = None;
            }
            slot.status = status;
        }
        Some(slot.status.clone())
    }

    /// The client of a connected context.
    pub async fn client(&self, context: &str) -> Option<Client> {
        let slot = self.slots.lock().await.get(context).cloned()?;
        let slot = slot.lock().await;
        slot.client.as_ref().map(|c| c.client.clone())
    }

    /// The last known status of every context seen so far; `Connecting` while an attempt runs.
    pub async fn statuses(&self) -> Vec<ConnectionStatus> {
        let slots = self.slots.lock().await;
        let mut out: Vec<ConnectionStatus> = slots
            .iter()
            .map(|(name, slot)| match slot.try_lock() {
                Ok(s) => s.status.clone(),
                Err(_) => ConnectionStatus::connecting(name.clone()),
            })
            .collect();
        out.sort_by(|a, b| a.context.cmp(&b.context));
        out
    }

    /// Forgets a context's client (after its kubeconfig entry changed, for example). Returns
    /// whether there was one.
    pub async fn disconnect(&self, context: &str) -> bool {
        self.slots.lock().await.remove(context).is_some()
    }
}

/// The exec credential plugin the user of `context` runs, as (command, args), if any.
pub fn exec_of(kc: &Kubeconfig, context: &str) -> Option<(String, Vec<String>)> {
    let user = kc.user(kc.context(context)?.user)?;
    let exec = user.body.get("exec")?;
    let command = exec.get("command")?.as_str()?.to_string();
    let args = exec
        .get("args")
        .and_then(|a| a.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Some((command, args))
}

/// Records the user's approval of the exec plugin `context` runs (its exact command and
/// arguments), so later connections may run it.
pub fn approve_exec(
    kc: &Kubeconfig,
    context: &str,
    trust: &mut ExecTrust,
) -> Result<(), CoreError> {
    let (command, args) =
        exec_of(kc, context).ok_or_else(|| CoreError::NoExecPlugin(context.to_string()))?;
    trust.approve(&command, &args)
}

#[cfg(test)]
mod trust_tests {
    use super::*;
    use crate::kubeconfig::{ChainOrigin, FileConfig};
    use std::path::Path;

    #[test]
    fn approval_is_for_the_exact_command_and_args() {
        let f = FileConfig::parse(
            Path::new("/k"),
            b"contexts:\n- {name: c, context: {cluster: x, user: u}}\n- {name: t, context: {cluster: x, user: tok}}\nusers:\n- {name: u, user: {exec: {command: aws, args: [eks, get-token]}}}\n- {name: tok, user: {token: abc}}\n",
        );
        let kc = Kubeconfig::from_files(vec![f], ChainOrigin::Env);
        assert_eq!(
            exec_of(&kc, "c"),
            Some((
                "aws".to_string(),
                vec!["eks".to_string(), "get-token".to_string()]
            ))
        );
        let dir = tempfile::tempdir().unwrap();
        let mut trust = ExecTrust::open(dir.path().join("trust.json")).unwrap();
        assert!(!trust.is_trusted("aws", &["eks".into(), "get-token".into()]));
        approve_exec(&kc, "c", &mut trust).unwrap();
        assert!(trust.is_trusted("aws", &["eks".into(), "get-token".into()]));
        assert!(!trust.is_trusted("aws", &["eks".into()]));
        assert!(matches!(
            approve_exec(&kc, "t", &mut trust),
            Err(CoreError::NoExecPlugin(_))
        ));
    }
}
