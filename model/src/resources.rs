//! Types of the resource browser (discovery, table rows, deltas, details) as they cross the IPC boundary.
//!
//! The flow for a list view: [`ApiDiscovery`] (once per connection, again when CRDs change) →
//! the user picks an [`ApiResource`] from [`ApiDiscovery::sidebar`] → the backend watches it in a
//! [`NamespaceScope`] and sends [`TableDelta`]s: a [`TableDelta::Reset`] with the columns (and the
//! first rows), then [`TableDelta::Changes`] batches, [`TableDelta::Synced`] when the rows equal
//! the server's list, and [`TableDelta::Status`] when the connection drops and recovers.
//! Rows carry the cells exactly as `kubectl get` prints them (the server's Table format); ages
//! tick in the UI with [`age_text`].

use serde::{Deserialize, Serialize};

/// The sidebar sections, as Lens groups kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ResourceCategory {
    /// Pods, Deployments, DaemonSets, StatefulSets, ReplicaSets, ReplicationControllers, Jobs,
    /// CronJobs.
    Workloads,
    /// Services, Endpoints, EndpointSlices, Ingresses, IngressClasses, NetworkPolicies, ...
    Network,
    /// ConfigMaps, Secrets, ResourceQuotas, LimitRanges, HPAs, PodDisruptionBudgets,
    /// PriorityClasses, RuntimeClasses, Leases, webhook configurations, ...
    Config,
    /// PersistentVolumeClaims, PersistentVolumes, StorageClasses, CSI objects, ...
    Storage,
    /// ServiceAccounts, Roles, ClusterRoles, RoleBindings, ClusterRoleBindings.
    AccessControl,
    /// CustomResourceDefinitions and every kind served from a group that is not built into
    /// Kubernetes (CRDs and aggregated APIs of add-ons).
    CustomResources,
    /// Everything else built in: Nodes, Namespaces, Events, APIServices, CSRs, flow control, ...
    Cluster,
}

impl ResourceCategory {
    /// All sections in sidebar order.
    pub const ALL: [ResourceCategory; 7] = [
        ResourceCategory::Cluster,
        ResourceCategory::Workloads,
        ResourceCategory::Config,
        ResourceCategory::Network,
        ResourceCategory::Storage,
        ResourceCategory::AccessControl,
        ResourceCategory::CustomResources,
    ];

    /// The section title.
    pub fn label(self) -> &'static str {
        match self {
            ResourceCategory::Workloads => "Workloads",
            ResourceCategory::Network => "Network",
            ResourceCategory::Config => "Config",
            ResourceCategory::Storage => "Storage",
            ResourceCategory::AccessControl => "Access Control",
            ResourceCategory::CustomResources => "Custom Resources",
            ResourceCategory::Cluster => "Cluster",
        }
    }
}

/// One kind of object the API server serves, in one version (discovery's `APIResource`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiResource {
    /// API group; `""` for the core group (pods, services, ...).
    pub group: String,
    /// API version within the group (`v1`, `v1alpha1`).
    pub version: String,
    /// The kind (`Deployment`).
    pub kind: String,
    /// The plural resource name used in URLs (`deployments`).
    pub plural: String,
    /// The singular name (`deployment`); the lower-cased kind when the server names none.
    pub singular: String,
    /// Short names (`deploy`).
    pub short_names: Vec<String>,
    /// Categories (`all`), as `kubectl get all` expands them.
    pub categories: Vec<String>,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
    /// Verbs the server supports (`get`, `list`, `watch`, `create`, ...).
    pub verbs: Vec<String>,
    /// Subresources (`status`, `scale`, `log`, ...).
    pub subresources: Vec<String>,
    /// Whether this is the version kubectl uses for this group and resource (the group's
    /// preferred version, or the first version that serves the resource). The sidebar shows
    /// only these; the other versions exist for `resource.version.group` arguments.
    pub preferred: bool,
    /// The sidebar section.
    pub category: ResourceCategory,
}

impl ApiResource {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployments.apps`, or `pods` for the core group (kubectl's fully qualified name).
    pub fn group_resource(&self) -> String {
        qualify(&self.plural, &self.group)
    }

    /// `deployment.apps`, or `pod` (the prefix of `kubectl get -o name` and of NAME cells when
    /// several kinds are printed).
    pub fn kind_prefix(&self) -> String {
        qualify(&self.kind.to_lowercase(), &self.group)
    }

    /// Whether the server supports `verb` (`list`, `watch`, ...) on this resource.
    pub fn supports(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }

    /// Whether the resource can be shown as a table (it can be listed).
    pub fn listable(&self) -> bool {
        self.supports("list")
    }
}

fn qualify(name: &str, group: &str) -> String {
    if group.is_empty() {
        name.to_string()
    } else {
        format!("{name}.{group}")
    }
}

/// A group version whose resources could not be discovered (e.g. an aggregated API server that
/// is down). kubectl prints these as warnings and carries on; so does Loupe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveryFailure {
    /// `metrics.k8s.io/v1beta1`.
    pub group_version: String,
    /// What went wrong.
    pub message: String,
}

/// Everything the API server serves.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiDiscovery {
    /// Every resource of every served version, in kubectl's priority order: the core group
    /// first, then groups in the server's order; within a group the preferred version first.
    /// Subresources are not listed separately (see [`ApiResource::subresources`]).
    pub resources: Vec<ApiResource>,
    /// Whether the server answered with aggregated discovery (2 requests) rather than the
    /// legacy per-group form.
    pub aggregated: bool,
    /// Group versions that could not be read; their resources are missing from `resources`.
    pub failures: Vec<DiscoveryFailure>,
}

impl ApiDiscovery {
    /// The sidebar: for each section (in [`ResourceCategory::ALL`] order) the listable kinds in
    /// their preferred version, sorted by kind.
    pub fn sidebar(&self) -> Vec<(ResourceCategory, Vec<&ApiResource>)> {
        ResourceCategory::ALL
            .iter()
            .map(|&cat| {
                let mut items: Vec<&ApiResource> = self
                    .resources
                    .iter()
                    .filter(|r| r.preferred && r.category == cat && r.listable())
                    .collect();
                items.sort_by(|a, b| a.kind.cmp(&b.kind).then(a.group.cmp(&b.group)));
                (cat, items)
            })
            .filter(|(_, items)| !items.is_empty())
            .collect()
    }

    /// The preferred version of `plural` in `group`, if served.
    pub fn find(&self, group: &str, plural: &str) -> Option<&ApiResource> {
        self.resources
            .iter()
            .find(|r| r.preferred && r.group == group && r.plural == plural)
    }
}

/// Which namespaces a list or watch covers. Cluster-scoped kinds ignore it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum NamespaceScope {
    /// Every namespace (one cluster-wide request; needs cluster-wide list rights).
    All,
    /// These namespaces (one request each).
    Namespaces {
        /// The namespaces, at least one.
        names: Vec<String>,
    },
}

impl NamespaceScope {
    /// One namespace.
    pub fn one(ns: impl Into<String>) -> Self {
        NamespaceScope::Namespaces {
            names: vec![ns.into()],
        }
    }
}

/// Filters of a list or watch, applied by the server.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListOptions {
    /// A label selector (`app=web,tier!=db`), as kubectl's `-l`.
    pub label_selector: Option<String>,
    /// A field selector (`status.phase=Running`), as kubectl's `--field-selector`.
    pub field_selector: Option<String>,
    /// Page size for list requests; kubectl's default (500) when `None`, no paging with `0`.
    pub page_size: Option<u32>,
}

/// A column of the server's Table, as `kubectl get` shows it (upper-cased) when `priority` is 0,
/// and with `-o wide` otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableColumn {
    /// The name as the server gives it (`Nominated Node`); kubectl prints it upper-cased.
    pub name: String,
    /// OpenAPI type: `string`, `integer`, `number`, `boolean`, `date`.
    #[serde(rename = "type")]
    pub column_type: String,
    /// OpenAPI format; `name` marks the object's name column.
    pub format: String,
    /// What the column means (for a tooltip).
    pub description: String,
    /// 0: shown by default; higher: only with `-o wide`.
    pub priority: i32,
    /// Whether the cells are the object's age (derived from `creationTimestamp`): the UI can
    /// recompute them with [`age_text`] so they keep ticking.
    pub age: bool,
}

/// One object's row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableRow {
    /// The namespace; `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
    /// The UID (the row's identity in deltas).
    pub uid: String,
    /// The object's resourceVersion when this row was rendered.
    pub resource_version: String,
    /// `metadata.creationTimestamp` (RFC 3339), for ticking ages.
    pub creation_timestamp: Option<String>,
    /// The cells, one per column, as the server rendered them (strings, numbers, booleans).
    pub cells: Vec<serde_json::Value>,
}

/// One list request's result as a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TablePage {
    /// The columns (all priorities).
    pub columns: Vec<TableColumn>,
    /// The rows, in the server's order.
    pub rows: Vec<TableRow>,
    /// The list's resourceVersion (where a watch continues).
    pub resource_version: String,
}

/// Where a watch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WatchState {
    /// Listing (first time, or again after the server forgot our place).
    Listing,
    /// Following changes as they happen.
    Live,
    /// The connection dropped; retrying with backoff. Rows are kept and stay valid as of the
    /// last change received.
    Reconnecting,
    /// Given up: the error says why (e.g. the user may not list this kind here). Nothing more
    /// will come for this namespace.
    Failed,
}

/// A batch of changes for a watched table (at most one message per ~100 ms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum TableDelta {
    /// Forget every row; these are the columns and the first rows. The rest of the initial list
    /// follows as [`TableDelta::Changes`], then [`TableDelta::Synced`]. Sent first, and again
    /// only if the columns change (a CRD's printer columns were edited).
    Reset {
        /// All columns (filter on `priority` for the default view).
        columns: Vec<TableColumn>,
        /// The first rows.
        rows: Vec<TableRow>,
    },
    /// Rows to insert or replace (matched by uid) and uids to remove. A uid never appears in
    /// both lists of one message.
    Changes {
        /// New or changed rows, latest state.
        upserted: Vec<TableRow>,
        /// UIDs of deleted objects.
        deleted: Vec<String>,
    },
    /// The rows now equal the server's list (after the initial list, and after every relist
    /// that followed a lost connection or a `410 Gone`; a relist is sent as
    /// [`TableDelta::Changes`], so rows never flicker).
    Synced {
        /// Number of rows.
        total: usize,
        /// Whether this follows a relist (the watch had lost its place).
        relisted: bool,
    },
    /// The connection state changed.
    Status {
        /// The namespace the state is about; `None` for a cluster-wide watch.
        namespace: Option<String>,
        /// The new state.
        state: WatchState,
        /// Why, for `Reconnecting` and `Failed`.
        error: Option<crate::UiError>,
    },
}

/// Namespaces the user can pick from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisibleNamespaces {
    /// Namespace names, sorted.
    pub names: Vec<String>,
    /// `true` when listing namespaces was forbidden and `names` are only the context's namespace
    /// plus those the user added: other namespaces may exist.
    pub fell_back: bool,
    /// Why listing was not possible, in plain words, when `fell_back`.
    pub reason: Option<crate::UiError>,
}

/// One object for the detail panel: its summary and its YAML.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectDetail {
    /// Phase, conditions, containers, labels, annotations, owners.
    pub summary: ObjectSummary,
    /// `kubectl get -o yaml` (managedFields folded unless asked for).
    pub yaml: String,
}

/// The readable part of an object's detail panel, read from the object itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectSummary {
    /// `status.phase` (pods, namespaces, PVCs), when set.
    pub phase: Option<String>,
    /// `status.conditions`, as the object reports them.
    pub conditions: Vec<ConditionSummary>,
    /// Containers (init first) with their state, for pods.
    pub containers: Vec<ContainerSummary>,
    /// Labels, sorted.
    pub labels: Vec<(String, String)>,
    /// Annotations, sorted (kubectl's last-applied-configuration left out: it repeats the object).
    pub annotations: Vec<(String, String)>,
    /// `metadata.ownerReferences`.
    pub owners: Vec<OwnerSummary>,
}

/// One condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionSummary {
    /// `Ready`, `Available`, ...
    pub kind: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// Why, in one word.
    pub reason: Option<String>,
    /// Details.
    pub message: Option<String>,
}

/// One container of a pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerSummary {
    /// Name.
    pub name: String,
    /// Image.
    pub image: String,
    /// An init container.
    pub init: bool,
    /// `running`, `waiting (CrashLoopBackOff)`, `terminated (Completed, exit 0)` or `unknown`.
    pub state: String,
    /// Ready.
    pub ready: bool,
    /// Restarts.
    pub restarts: i64,
}

/// An owner of the object (a link to open it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerSummary {
    /// `apps/v1`.
    pub api_version: String,
    /// `ReplicaSet`.
    pub kind: String,
    /// The owner's name (same namespace).
    pub name: String,
    /// Whether it is the managing controller.
    pub controller: bool,
    /// The owner's uid.
    #[serde(default)]
    pub uid: String,
}

/// One cell as kubectl prints it: strings cut at the first line break (with `...`), terminal
/// escapes neutralised, other values as Go's `fmt.Sprint` prints them.
pub fn cell_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => match s.find(['\x0c', '\n', '\r']) {
            Some(i) => format!("{}...", escape_terminal(&s[..i])),
            None => escape_terminal(s),
        },
        // A null cell prints nothing (kubectl skips nil cells).
        serde_json::Value::Null => String::new(),
        other => escape_terminal(&go_sprint(other)),
    }
}

/// Terminal escapes neutralised as kubectl's printer does (`ESC` as `^[`, `\r` as `\\r`).
pub fn escape_terminal(s: &str) -> String {
    if s.contains(['\x1b', '\r']) {
        s.replace('\x1b', "^[").replace('\r', "\\r")
    } else {
        s.to_string()
    }
}

/// Go's `fmt.Sprint` of a value decoded by apimachinery's JSON (int64 where integral, else
/// float64).
pub fn go_sprint(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "<nil>".into(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                return i.to_string();
            }
            if let Some(u) = n.as_u64() {
                // Beyond int64 apimachinery falls back to float64.
                return go_float(u as f64);
            }
            go_float(n.as_f64().unwrap_or(0.0))
        }
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => format!(
            "[{}]",
            a.iter().map(go_sprint).collect::<Vec<_>>().join(" ")
        ),
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            format!(
                "map[{}]",
                keys.iter()
                    .map(|k| format!("{k}:{}", go_sprint(&m[k.as_str()])))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        }
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 64)` (what `%v` prints for a float64).
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if f == 0.0 {
        return "0".into();
    }
    let sci = format!("{:e}", f.abs());
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if f < 0.0 { "-" } else { "" };
    // Shortest 'g': %e when the exponent is < -4 or >= 6.
    if !(-4..6).contains(&exp) {
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{mant}e{esign}{:02}", exp.abs());
    }
    let s = format!("{}", f.abs());
    format!("{sign}{}", s.strip_suffix(".0").unwrap_or(&s))
}

/// kubectl's `HumanDuration` (`k8s.io/apimachinery/pkg/util/duration`): `45s`, `3m10s`, `5h`,
/// `12d`, `2y30d`.
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// The AGE cell for an object created at `creation_timestamp` (RFC 3339), `now` being Unix
/// seconds: what the server would print at that moment (`<unknown>` without a timestamp).
pub fn age_text(creation_timestamp: Option<&str>, now: i64) -> String {
    match creation_timestamp.and_then(parse_rfc3339) {
        Some(t) => human_duration(now - t),
        None => "<unknown>".into(),
    }
}

/// Unix seconds of an RFC 3339 timestamp (`2026-11-29T17:25:20Z`, offsets and fractions
/// accepted).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let oh: i64 = rest.get(1..3)?.parse().ok()?;
            let om: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_duration_matches_apimachinery() {
        let cases = [
            (-5, "<invalid>"),
            (-1, "0s"),
            (0, "0s"),
            (119, "119s"),
            (120, "2m"),
            (185, "3m5s"),
            (600, "10m"),
            (179 * 60, "179m"),
            (3 * 3600, "3h"),
            (3 * 3600 + 60 * 7, "3h7m"),
            (8 * 3600, "8h"),
            (47 * 3600, "47h"),
            (48 * 3600, "2d"),
            (50 * 3600, "2d2h"),
            (8 * 86400, "8d"),
            (729 * 86400, "729d"),
            (730 * 86400, "2y"),
            (731 * 86400, "2y1d"),
            (8 * 365 * 86400, "8y"),
        ];
        for (secs, want) in cases {
            assert_eq!(human_duration(secs), want, "{secs}");
        }
    }

    #[test]
    fn rfc3339_parses() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2026-11-29T17:25:20Z"), Some(1_795_973_120));
        assert_eq!(
            parse_rfc3339("2026-11-29T18:25:20.123+01:00"),
            Some(1_795_973_120)
        );
        assert_eq!(parse_rfc3339("nope"), None);
        assert_eq!(
            age_text(Some("2026-11-29T17:25:20Z"), 1_795_973_120 + 185),
            "3m5s"
        );
        assert_eq!(age_text(None, 0), "<unknown>");
    }

    #[test]
    fn wire_shapes_are_camel_case() {
        let d = TableDelta::Changes {
            upserted: vec![TableRow {
                namespace: Some("ns".into()),
                name: "n".into(),
                uid: "u".into(),
                resource_version: "1".into(),
                creation_timestamp: None,
                cells: vec![serde_json::json!("n"), serde_json::json!(3)],
            }],
            deleted: vec!["x".into()],
        };
        let j = serde_json::to_string(&d).unwrap();
        assert!(j.contains("\"type\":\"changes\""), "{j}");
        assert!(j.contains("\"resourceVersion\":\"1\""), "{j}");
        let s = serde_json::to_string(&NamespaceScope::one("a")).unwrap();
        assert_eq!(s, r#"{"type":"namespaces","names":["a"]}"#);
    }
}
