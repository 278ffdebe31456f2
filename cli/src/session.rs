//! What every cluster command needs: the loaded kubeconfig, the chosen context and a client.

use loupe_core::CoreError;
use loupe_core::cluster::{ConnectOptions, ContextClient, exec_of, open_client};
use loupe_core::kubeconfig::Kubeconfig;
use loupe_core::kubeconfig::trust::ExecTrust;

/// The kubeconfig and the global flags of one `loupe` run.
pub struct Session {
    /// The merged kubeconfig chain.
    pub kc: Kubeconfig,
    /// `--context`, if given.
    pub context: Option<String>,
    /// `--allow-exec`: run the context's exec credential plugin even if it was never approved.
    pub allow_exec: bool,
    /// `--as`.
    pub impersonate: Option<String>,
    /// `--as-group`.
    pub impersonate_groups: Vec<String>,
}

impl Session {
    /// `--context`, else the current context.
    pub fn context_name(&self) -> Result<String, CoreError> {
        match &self.context {
            Some(c) => Ok(c.clone()),
            None => self.kc.current_context().map(str::to_string),
        }
    }

    /// The namespace commands default to: the context's, else `default` (as kubectl).
    pub fn default_namespace(&self) -> String {
        self.context_name()
            .ok()
            .and_then(|c| {
                self.kc
                    .context(&c)
                    .and_then(|c| c.namespace.map(str::to_string))
            })
            .filter(|ns| !ns.is_empty())
            .unwrap_or_else(|| "default".to_string())
    }

    /// A client for the context as the user itself, ignoring `--as`/`--as-group` (to read RBAC
    /// objects the impersonated user may not read).
    pub async fn client_without_impersonation(&self) -> Result<ContextClient, CoreError> {
        let plain = Session {
            kc: self.kc.clone(),
            context: self.context.clone(),
            allow_exec: self.allow_exec,
            impersonate: None,
            impersonate_groups: Vec::new(),
        };
        plain.client().await
    }

    /// A client for the context. An exec credential plugin runs only with `--allow-exec` or
    /// when the user approved that exact command and arguments in Loupe before.
    pub async fn client(&self) -> Result<ContextClient, CoreError> {
        let context = self.context_name()?;
        // client-go refuses impersonated groups without an impersonated user, before any request.
        if self.impersonate.is_none() && !self.impersonate_groups.is_empty() {
            let user = self.kc.context(&context).map(|c| c.user.to_string());
            let configured_as = user
                .as_deref()
                .and_then(|u| self.kc.user(u))
                .and_then(|u| {
                    u.body
                        .get("as")
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                })
                .filter(|a| !a.is_empty());
            if configured_as.is_none() {
                return Err(CoreError::InvalidArgument(format!(
                    "requesting uid, groups or user-extra for {} without impersonating a user",
                    user.unwrap_or_default()
                )));
            }
        }
        let approved = exec_of(&self.kc, &context).is_some_and(|(command, args)| {
            ExecTrust::open_default().is_ok_and(|t| t.is_trusted(&command, &args))
        });
        let opts = ConnectOptions {
            allow_exec: self.allow_exec || approved,
            impersonate: self.impersonate.clone(),
            impersonate_groups: self.impersonate_groups.clone(),
            ..ConnectOptions::default()
        };
        open_client(&self.kc, &context, &opts).await
    }
}
