//! What the access view asks again and again, kept per context for a short while: the RBAC
//! objects ([`RbacSnapshot`]), who the caller is, and the API catalog. Explaining a cell or
//! answering "who can" then costs no request but the one access review that checks the answer.
//!
//! Entries expire after a short lifetime (RBAC objects change rarely, but a stale "why" would
//! mislead), and [`RbacCache::invalidate`] drops a context's entries at once (the view's
//! Refresh button, a reconnect).

use super::{ApiCatalog, RbacSnapshot};
use crate::CoreError;
use crate::cluster::ContextClient;
use crate::kubeconfig::Kubeconfig;
use loupe_model::rbac::Identity;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long cached RBAC objects, identities and catalogs are used by default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(60);

type Slot<T> = Option<(Instant, Arc<T>)>;

#[derive(Default)]
struct Entry {
    snapshot: Slot<RbacSnapshot>,
    identity: Slot<Identity>,
    catalog: Slot<ApiCatalog>,
}

/// Per-context cache of RBAC objects, identity and API catalog (see the module documentation).
pub struct RbacCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

impl Default for RbacCache {
    fn default() -> Self {
        Self::new(DEFAULT_TTL)
    }
}

impl std::fmt::Debug for RbacCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RbacCache")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl RbacCache {
    /// A cache whose entries live `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::default(),
        }
    }

    fn fresh<T>(
        &self,
        context: &str,
        pick: impl Fn(&Entry) -> &Slot<T>,
    ) -> Option<(Instant, Arc<T>)> {
        let entries = self.entries.lock().ok()?;
        let (at, v) = pick(entries.get(context)?).as_ref()?;
        (at.elapsed() < self.ttl).then(|| (*at, v.clone()))
    }

    fn store<T>(&self, context: &str, value: Arc<T>, put: impl FnOnce(&mut Entry, Slot<T>)) {
        if let Ok(mut entries) = self.entries.lock() {
            put(
                entries.entry(context.to_string()).or_default(),
                Some((Instant::now(), value)),
            );
        }
    }

    /// The RBAC objects of `cc`'s cluster as its user may read them, and how old they are.
    /// Loaded (five lists in parallel) when missing or expired.
    pub async fn snapshot(
        &self,
        cc: &ContextClient,
    ) -> Result<(Arc<RbacSnapshot>, Duration), CoreError> {
        let ctx = &cc.target.context;
        if let Some((at, s)) = self.fresh(ctx, |e| &e.snapshot) {
            return Ok((s, at.elapsed()));
        }
        let s = Arc::new(RbacSnapshot::load(cc).await?);
        self.store(ctx, s.clone(), |e, v| e.snapshot = v);
        Ok((s, Duration::ZERO))
    }

    /// Who the API server says `cc`'s user is ([`super::whoami`]).
    pub async fn identity(
        &self,
        cc: &ContextClient,
        kc: &Kubeconfig,
    ) -> Result<Arc<Identity>, CoreError> {
        let ctx = &cc.target.context;
        if let Some((_, id)) = self.fresh(ctx, |e| &e.identity) {
            return Ok(id);
        }
        let id = Arc::new(super::whoami(cc, kc).await?);
        self.store(ctx, id.clone(), |e, v| e.identity = v);
        Ok(id)
    }

    /// The API catalog (discovery) of `cc`'s cluster.
    pub async fn catalog(&self, cc: &ContextClient) -> Result<Arc<ApiCatalog>, CoreError> {
        let ctx = &cc.target.context;
        if let Some((_, c)) = self.fresh(ctx, |e| &e.catalog) {
            return Ok(c);
        }
        let c = Arc::new(ApiCatalog::load(cc).await?);
        self.store(ctx, c.clone(), |e, v| e.catalog = v);
        Ok(c)
    }

    /// Drops everything cached for `context`: the next call reads the cluster again.
    pub fn invalidate(&self, context: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(context);
        }
    }

    /// Whether `context` has a fresh snapshot (for tests and diagnostics).
    pub fn has_snapshot(&self, context: &str) -> bool {
        self.fresh(context, |e| &e.snapshot).is_some()
    }
}
