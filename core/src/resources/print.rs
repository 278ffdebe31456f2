//! kubectl's text output for `get`: its table printer (over the server's Table), `-o name`,
//! and `-o json|yaml` (Go's `encoding/json` and `sigs.k8s.io/yaml`, from
//! [`crate::kubeconfig`]'s emulation, which `config view` also uses).

use crate::kubeconfig::{GoValue, to_json, to_yaml};
use loupe_model::resources::{TableColumn, TableRow};
use serde_json::Value;

/// How a table is printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// `-o wide`: also the columns with a priority above 0.
    pub wide: bool,
    /// `--no-headers`.
    pub no_headers: bool,
    /// A NAMESPACE column first (`-A` on a namespaced kind).
    pub with_namespace: bool,
    /// Prefix of the name column (`pod`, `deployment.apps`) when several kinds are printed.
    pub kind_prefix: Option<String>,
}

/// The lines (cells) kubectl prints for one kind's rows, header first, for
/// [`crate::table::tabwrite`]. Empty when there are no rows (kubectl prints no header then).
pub fn table_cells(
    columns: &[TableColumn],
    rows: &[TableRow],
    opts: &TableOptions,
) -> Vec<Vec<String>> {
    if rows.is_empty() {
        return Vec::new();
    }
    let shown: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| opts.wide || c.priority == 0)
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::with_capacity(rows.len() + 1);
    if !opts.no_headers {
        let mut header = Vec::with_capacity(shown.len() + 1);
        if opts.with_namespace {
            header.push("NAMESPACE".to_string());
        }
        header.extend(shown.iter().map(|&i| columns[i].name.to_uppercase()));
        out.push(header);
    }
    for row in rows {
        let mut line = Vec::with_capacity(shown.len() + 1);
        if opts.with_namespace {
            line.push(escape_terminal(
                row.namespace.as_deref().unwrap_or_default(),
            ));
        }
        for &i in &shown {
            // kubectl stops at the row's last cell.
            let Some(cell) = row.cells.get(i) else {
                break;
            };
            let mut text = cell_text(cell);
            if columns[i].format == "name"
                && let Some(prefix) = &opts.kind_prefix
            {
                text = format!("{prefix}/{text}");
            }
            line.push(text);
        }
        out.push(line);
    }
    out
}

// The cell printer lives in the model crate so the UI prints cells exactly as this CLI does.
pub use loupe_model::resources::{cell_text, escape_terminal, go_sprint};

/// `-o name`: `pod/web-1`, `deployment.apps/web`.
pub fn name_line(kind_prefix: &str, name: &str) -> String {
    format!("{kind_prefix}/{name}\n")
}

/// kubectl's wrapper for several objects (`kind: List`, `metadata.resourceVersion: ""`).
pub fn list_document(items: Vec<Value>) -> Value {
    serde_json::json!({
        "apiVersion": "v1",
        "items": items,
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    })
}

/// Removes `metadata.managedFields` from an object, or from each item of a list, as kubectl's
/// `-o json|yaml` does unless `--show-managed-fields` is given.
pub fn omit_managed_fields(v: &mut Value) {
    if let Some(items) = v.get_mut("items").and_then(Value::as_array_mut) {
        items.iter_mut().for_each(omit_managed_fields);
    }
    if let Some(Value::Object(meta)) = v.get_mut("metadata") {
        meta.remove("managedFields");
    }
}

/// `-o json`: Go's `json.MarshalIndent` with 4 spaces, keys sorted, HTML characters escaped.
pub fn json_text(v: &Value) -> String {
    to_json(&GoValue::from_json(v))
}

/// `-o yaml`: `sigs.k8s.io/yaml` (yaml.v2: sorted keys, its quoting, folding at 80 columns).
pub fn yaml_text(v: &Value) -> String {
    to_yaml(&GoValue::from_json(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn col(name: &str, priority: i32, format: &str) -> TableColumn {
        TableColumn {
            name: name.into(),
            column_type: "string".into(),
            format: format.into(),
            description: String::new(),
            priority,
            age: false,
        }
    }

    fn row(ns: &str, cells: Vec<Value>) -> TableRow {
        TableRow {
            namespace: Some(ns.into()),
            name: "x".into(),
            uid: "u".into(),
            resource_version: "1".into(),
            creation_timestamp: None,
            cells,
        }
    }

    #[test]
    fn columns_priorities_namespace_and_kind() {
        let cols = [
            col("Name", 0, "name"),
            col("Ready", 0, ""),
            col("Nominated Node", 1, ""),
        ];
        let rows = [row("a", vec![json!("web"), json!("1/1"), json!("<none>")])];
        let opts = TableOptions::default();
        assert_eq!(
            table_cells(&cols, &rows, &opts),
            [vec!["NAME", "READY"], vec!["web", "1/1"]]
        );
        let opts = TableOptions {
            wide: true,
            with_namespace: true,
            kind_prefix: Some("pod".into()),
            ..Default::default()
        };
        assert_eq!(
            table_cells(&cols, &rows, &opts),
            [
                vec!["NAMESPACE", "NAME", "READY", "NOMINATED NODE"],
                vec!["a", "pod/web", "1/1", "<none>"]
            ]
        );
        assert!(table_cells(&cols, &[], &opts).is_empty());
    }

    #[test]
    fn cells_print_as_go_does() {
        assert_eq!(cell_text(&json!("a\nb")), "a...");
        assert_eq!(cell_text(&json!("\x1b[31mred")), "^[[31mred");
        assert_eq!(cell_text(&json!(42)), "42");
        assert_eq!(cell_text(&json!(1.0)), "1");
        assert_eq!(cell_text(&json!(0.5)), "0.5");
        assert_eq!(cell_text(&json!(1_000_000.0)), "1e+06");
        assert_eq!(cell_text(&json!(123_456.0)), "123456");
        assert_eq!(cell_text(&json!(0.00001)), "1e-05");
        assert_eq!(cell_text(&json!(true)), "true");
        assert_eq!(cell_text(&Value::Null), "");
        assert_eq!(cell_text(&json!(["a", 1])), "[a 1]");
        assert_eq!(cell_text(&json!({"b": 1, "a": "x"})), "map[a:x b:1]");
    }

    #[test]
    fn lists_wrap_like_kubectl() {
        let doc = list_document(vec![]);
        assert_eq!(
            json_text(&doc),
            "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n"
        );
        assert_eq!(
            yaml_text(&doc),
            "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n"
        );
    }
}
