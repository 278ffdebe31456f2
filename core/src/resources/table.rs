//! Lists and gets in the server's Table format (what `kubectl get` prints) and as full objects
//! (what `kubectl get -o json|yaml` prints).
//!
//! The Table format (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`) makes the API
//! server render the columns kubectl shows, for every kind including CRD printer columns, and
//! attach each object's metadata to its row. Lists are paged as kubectl pages them (500 per
//! request) and follow `continue` tokens.

use super::api_error;
use crate::CoreError;
use crate::cluster::ContextClient;
use kube::api::ListParams;
use loupe_model::resources::{
    ApiResource, ListOptions, NamespaceScope, TableColumn, TablePage, TableRow,
};
use serde::Deserialize;
use serde_json::Value;

/// The Accept header kubectl sends for human-readable output.
pub const ACCEPT_TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/// kubectl's default `--chunk-size`.
pub const DEFAULT_PAGE_SIZE: u32 = 500;

/// The URL of `r`'s collection, in `namespace` for namespaced kinds (cluster-wide when `None`).
pub fn collection_path(r: &ApiResource, namespace: Option<&str>) -> String {
    let base = if r.group.is_empty() {
        format!("/api/{}", r.version)
    } else {
        format!("/apis/{}/{}", r.group, r.version)
    };
    match namespace {
        Some(ns) if r.namespaced => format!("{base}/namespaces/{}/{}", escape(ns), r.plural),
        _ => format!("{base}/{}", r.plural),
    }
}

/// Percent-encodes a path segment (names are DNS labels in practice; this only guards oddities).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The namespaces to request one by one: `[None]` for a cluster-wide request.
pub(crate) fn scope_targets(r: &ApiResource, scope: &NamespaceScope) -> Vec<Option<String>> {
    match scope {
        _ if !r.namespaced => vec![None],
        NamespaceScope::All => vec![None],
        NamespaceScope::Namespaces { names } => names.iter().cloned().map(Some).collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// The wire format

/// `meta.k8s.io/v1 Table`, as much of it as Loupe reads.
#[derive(Debug, Deserialize, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireTable {
    #[serde(default)]
    pub metadata: WireListMeta,
    #[serde(default)]
    pub column_definitions: Option<Vec<WireColumn>>,
    #[serde(default)]
    pub rows: Option<Vec<WireRow>>,
}

#[derive(Debug, Deserialize, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireListMeta {
    #[serde(default)]
    pub resource_version: Option<String>,
    #[serde(default, rename = "continue")]
    pub continue_token: Option<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireColumn {
    pub name: String,
    #[serde(rename = "type", default)]
    pub column_type: String,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub priority: i32,
}

#[derive(Debug, Deserialize, Clone)]
pub(crate) struct WireRow {
    #[serde(default)]
    pub cells: Vec<Value>,
    #[serde(default)]
    pub object: Option<WireObject>,
}

#[derive(Debug, Deserialize, Clone, Default)]
pub(crate) struct WireObject {
    #[serde(default)]
    pub metadata: WireMeta,
}

#[derive(Debug, Deserialize, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireMeta {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub uid: Option<String>,
    #[serde(default)]
    pub resource_version: Option<String>,
    #[serde(default)]
    pub creation_timestamp: Option<String>,
}

impl WireColumn {
    pub(crate) fn into_model(self) -> TableColumn {
        // Built-in kinds describe AGE with metadata.creationTimestamp's documentation; CRD
        // columns name their JSONPath (`.metadata.creationTimestamp`).
        let age = self.name.eq_ignore_ascii_case("age")
            && self
                .description
                .to_ascii_lowercase()
                .contains("creationtimestamp");
        TableColumn {
            name: self.name,
            column_type: self.column_type,
            format: self.format,
            description: self.description,
            priority: self.priority,
            age,
        }
    }
}

impl WireRow {
    /// The row as the UI sees it; `None` for rows without object metadata (bookmarks).
    pub(crate) fn into_model(self) -> Option<TableRow> {
        let meta = self.object?.metadata;
        let uid = meta.uid.filter(|u| !u.is_empty())?;
        Some(TableRow {
            namespace: meta.namespace.filter(|n| !n.is_empty()),
            name: meta.name.unwrap_or_default(),
            uid,
            resource_version: meta.resource_version.unwrap_or_default(),
            creation_timestamp: meta.creation_timestamp,
            cells: self.cells,
        })
    }
}

impl WireTable {
    pub(crate) fn columns(&mut self) -> Option<Vec<TableColumn>> {
        self.column_definitions
            .take()
            .filter(|c| !c.is_empty())
            .map(|cols| cols.into_iter().map(WireColumn::into_model).collect())
    }

    pub(crate) fn take_rows(&mut self) -> Vec<TableRow> {
        self.rows
            .take()
            .unwrap_or_default()
            .into_iter()
            .filter_map(WireRow::into_model)
            .collect()
    }
}

pub(crate) fn list_params(opts: &ListOptions, continue_token: Option<String>) -> ListParams {
    ListParams {
        label_selector: opts.label_selector.clone(),
        field_selector: opts.field_selector.clone(),
        // 0: one unpaged request (kubectl's `--chunk-size=0`).
        limit: match opts.page_size {
            Some(0) => None,
            other => Some(other.unwrap_or(DEFAULT_PAGE_SIZE)),
        },
        continue_token,
        ..ListParams::default()
    }
}

fn with_accept(
    cc: &ContextClient,
    req: Result<http::Request<Vec<u8>>, kube::core::request::Error>,
    accept: &str,
) -> Result<http::Request<Vec<u8>>, CoreError> {
    let mut req = req.map_err(|e| api_error(cc, kube::Error::BuildRequest(e)))?;
    req.headers_mut().insert(
        http::header::ACCEPT,
        http::HeaderValue::from_str(accept)
            .map_err(|e| api_error(cc, kube::Error::HttpError(e.into())))?,
    );
    Ok(req)
}

/// One page of `r` in `namespace` (cluster-wide when `None`) as a Table.
pub(crate) async fn table_page(
    cc: &ContextClient,
    r: &ApiResource,
    namespace: Option<&str>,
    opts: &ListOptions,
    continue_token: Option<String>,
) -> Result<WireTable, CoreError> {
    let path = collection_path(r, namespace);
    let req = with_accept(
        cc,
        kube::core::Request::new(path).list(&list_params(opts, continue_token)),
        ACCEPT_TABLE,
    )?;
    cc.client
        .request::<WireTable>(req)
        .await
        .map_err(|e| api_error(cc, e))
}

/// Every object of `r` in `scope` as `kubectl get` renders it (all pages, all columns; filter on
/// [`TableColumn::priority`] for the default view). With several namespaces the rows come
/// namespace by namespace and `resource_version` is empty.
pub async fn list_table(
    cc: &ContextClient,
    r: &ApiResource,
    scope: &NamespaceScope,
    opts: &ListOptions,
) -> Result<TablePage, CoreError> {
    let targets = scope_targets(r, scope);
    let mut page = TablePage {
        columns: Vec::new(),
        rows: Vec::new(),
        resource_version: String::new(),
    };
    for ns in &targets {
        let mut token = None;
        loop {
            let mut t = table_page(cc, r, ns.as_deref(), opts, token.take()).await?;
            if let Some(cols) = t.columns()
                && page.columns.is_empty()
            {
                page.columns = cols;
            }
            page.rows.extend(t.take_rows());
            if targets.len() == 1 {
                page.resource_version = t.metadata.resource_version.clone().unwrap_or_default();
            }
            match t.metadata.continue_token.filter(|c| !c.is_empty()) {
                Some(c) => token = Some(c),
                None => break,
            }
        }
    }
    Ok(page)
}

/// One named object of `r` as a one-row table (kubectl's `get KIND NAME`).
pub async fn get_table(
    cc: &ContextClient,
    r: &ApiResource,
    namespace: Option<&str>,
    name: &str,
) -> Result<TablePage, CoreError> {
    let path = collection_path(r, namespace);
    let req = with_accept(
        cc,
        kube::core::Request::new(path).get(name, &Default::default()),
        ACCEPT_TABLE,
    )?;
    let mut t = cc
        .client
        .request::<WireTable>(req)
        .await
        .map_err(|e| api_error(cc, e))?;
    Ok(TablePage {
        columns: t.columns().unwrap_or_default(),
        rows: t.take_rows(),
        resource_version: t.metadata.resource_version.unwrap_or_default(),
    })
}

/// Every object of `r` in `scope`, as full JSON objects with `apiVersion` and `kind` set (the
/// server leaves them out of list items; kubectl adds them back). Paged like kubectl.
pub async fn list_objects(
    cc: &ContextClient,
    r: &ApiResource,
    scope: &NamespaceScope,
    opts: &ListOptions,
) -> Result<Vec<Value>, CoreError> {
    let mut items = Vec::new();
    for ns in scope_targets(r, scope) {
        let mut token = None;
        loop {
            let path = collection_path(r, ns.as_deref());
            let req = with_accept(
                cc,
                kube::core::Request::new(path).list(&list_params(opts, token.take())),
                "application/json",
            )?;
            let list: ObjectList = cc.client.request(req).await.map_err(|e| api_error(cc, e))?;
            for mut item in list.items {
                set_type(&mut item, r);
                items.push(item);
            }
            match list.metadata.continue_token.filter(|c| !c.is_empty()) {
                Some(c) => token = Some(c),
                None => break,
            }
        }
    }
    Ok(items)
}

#[derive(Deserialize)]
struct ObjectList {
    #[serde(default)]
    metadata: WireListMeta,
    #[serde(default)]
    items: Vec<Value>,
}

fn set_type(item: &mut Value, r: &ApiResource) {
    if let Value::Object(m) = item
        && !m.contains_key("kind")
        && !m.contains_key("apiVersion")
    {
        m.insert("apiVersion".into(), Value::String(r.api_version()));
        m.insert("kind".into(), Value::String(r.kind.clone()));
    }
}

/// One named object of `r`, in full.
pub async fn get_object(
    cc: &ContextClient,
    r: &ApiResource,
    namespace: Option<&str>,
    name: &str,
) -> Result<Value, CoreError> {
    let path = collection_path(r, namespace);
    let req = with_accept(
        cc,
        kube::core::Request::new(path).get(name, &Default::default()),
        "application/json",
    )?;
    let mut v: Value = cc.client.request(req).await.map_err(|e| api_error(cc, e))?;
    set_type(&mut v, r);
    Ok(v)
}
