//! Lossless kubeconfig edits: the YAML text is changed in place (comments, key order, quoting
//! and unknown fields stay), and every result is re-parsed and compared with the expected
//! meaning before anyone may write it. An edit that does not come out exactly as intended is
//! refused; the file is never left half-edited or re-serialised.
//!
//! The syntax-tree work is done by `yaml-edit` (a rowan-based lossless YAML editor). Entries are
//! located through the semantic parse (serde-saphyr), by position, and the two views must agree
//! on the list length, so a parser disagreement is caught instead of editing the wrong entry.

use super::gofmt::plain_is_safe;
use crate::CoreError;
use serde_json::{Map, Value};
use std::path::Path;
use std::str::FromStr as _;
use yaml_edit::{Document, ScalarValue};

/// One of the three named lists of a kubeconfig.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Section {
    /// `clusters` / `cluster`.
    Clusters,
    /// `users` / `user`.
    Users,
    /// `contexts` / `context`.
    Contexts,
}

impl Section {
    /// The list's key.
    pub(crate) fn list(self) -> &'static str {
        match self {
            Section::Clusters => "clusters",
            Section::Users => "users",
            Section::Contexts => "contexts",
        }
    }

    /// The key of an entry's body.
    pub(crate) fn inner(self) -> &'static str {
        match self {
            Section::Clusters => "cluster",
            Section::Users => "user",
            Section::Contexts => "context",
        }
    }
}

/// One change to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TextEdit {
    /// Sets top-level `current-context` (adding the key if needed).
    SetCurrentContext(String),
    /// Removes every entry of `section` called `name`.
    RemoveEntry {
        /// The list.
        section: Section,
        /// The entry's name.
        name: String,
    },
    /// Renames the entry `from` to `to`.
    RenameEntry {
        /// The list.
        section: Section,
        /// Current name.
        from: String,
        /// New name.
        to: String,
    },
    /// Sets (`Some`) or removes (`None`) keys of the entry's body, appending the entry if the
    /// file does not have it.
    UpsertEntry {
        /// The list.
        section: Section,
        /// The entry's name.
        name: String,
        /// Keys of the body to set or remove, in order.
        fields: Vec<(String, Option<String>)>,
    },
}

/// What a file that has no content yet starts with (kubectl writes these two keys too).
const SKELETON: &str = "apiVersion: v1\nkind: Config\n";

/// Parses kubeconfig text into its meaning (an empty document is `null`).
pub(crate) fn semantic(text: &str) -> Result<Value, String> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_saphyr::from_str::<Value>(text).map_err(|e| e.to_string())
}

/// Applies `edits` to `original` (the content of `path`, empty if the file is new) and returns
/// the new text, verified to mean exactly what the edits intend.
pub(crate) fn apply(path: &Path, original: &str, edits: &[TextEdit]) -> Result<String, CoreError> {
    let unsafe_edit = |reason: String| CoreError::UnsafeEdit {
        path: path.to_path_buf(),
        reason,
    };
    let before = semantic(original).map_err(|e| unsafe_edit(format!("cannot parse it: {e}")))?;
    let expected = expected_after(&before, edits).map_err(unsafe_edit)?;
    let mut text = original.to_string();
    if before.is_null() {
        // Nothing but comments (or nothing at all): keep what is there, start the mapping after.
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(SKELETON);
    }
    // yaml-edit is young; a panic inside it must become a refusal, never a crash mid-write.
    let mut edited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        edit_text(&text, &before_or_skeleton(&before), edits)
    }))
    .map_err(|_| unsafe_edit("the YAML editor failed on this file's layout".into()))?
    .map_err(unsafe_edit)?;
    // A key appended at the end can leave the file without its final line break.
    if (text.ends_with('\n') || text.is_empty()) && !edited.ends_with('\n') {
        edited.push('\n');
    }
    let after = semantic(&edited)
        .map_err(|e| unsafe_edit(format!("the edited text does not parse ({e})")))?;
    if after != expected {
        return Err(unsafe_edit(
            "the edited text would not mean what the edit intends (this file's layout is not one Loupe can edit in place)".into(),
        ));
    }
    Ok(edited)
}

fn before_or_skeleton(before: &Value) -> Value {
    if before.is_null() {
        serde_json::json!({"apiVersion": "v1", "kind": "Config"})
    } else {
        before.clone()
    }
}

/// The meaning the file must have after `edits`: the same edits applied to the parsed value.
pub(crate) fn expected_after(before: &Value, edits: &[TextEdit]) -> Result<Value, String> {
    let mut doc = before_or_skeleton(before);
    let Value::Object(top) = &mut doc else {
        return Err("the top level is not a mapping".into());
    };
    for edit in edits {
        match edit {
            TextEdit::SetCurrentContext(v) => {
                top.insert("current-context".into(), Value::String(v.clone()));
            }
            TextEdit::RemoveEntry { section, name } => {
                if let Some(Value::Array(items)) = top.get_mut(section.list()) {
                    items.retain(|i| entry_name(i) != Some(name.as_str()));
                }
            }
            TextEdit::RenameEntry { section, from, to } => {
                let items = list_mut(top, *section)?;
                let item = items
                    .iter_mut()
                    .find(|i| entry_name(i) == Some(from.as_str()))
                    .ok_or_else(|| format!("{} {from:?} is not in this file", section.inner()))?;
                if let Value::Object(m) = item {
                    m.insert("name".into(), Value::String(to.clone()));
                }
            }
            TextEdit::UpsertEntry {
                section,
                name,
                fields,
            } => {
                match top.get(section.list()) {
                    Some(Value::Array(_)) => {}
                    None | Some(Value::Null) => {
                        top.insert(section.list().into(), Value::Array(Vec::new()));
                    }
                    Some(_) => return Err(format!("{} is not a list", section.list())),
                }
                let items = list_mut(top, *section)?;
                let pos = items
                    .iter()
                    .position(|i| entry_name(i) == Some(name.as_str()));
                let item = match pos {
                    Some(p) => &mut items[p],
                    None => {
                        let mut m = Map::new();
                        m.insert("name".into(), Value::String(name.clone()));
                        m.insert(section.inner().into(), Value::Object(Map::new()));
                        items.push(Value::Object(m));
                        items.last_mut().ok_or("the list vanished")?
                    }
                };
                let Value::Object(entry) = item else {
                    return Err(format!("{} {name:?} is not a mapping", section.inner()));
                };
                let body = entry
                    .entry(section.inner())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !body.is_object() {
                    *body = Value::Object(Map::new());
                }
                if let Value::Object(body) = body {
                    for (k, v) in fields {
                        match v {
                            Some(v) => {
                                body.insert(k.clone(), Value::String(v.clone()));
                            }
                            None => {
                                body.remove(k);
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(doc)
}

fn list_mut(top: &mut Map<String, Value>, section: Section) -> Result<&mut Vec<Value>, String> {
    match top.get_mut(section.list()) {
        Some(Value::Array(items)) => Ok(items),
        _ => Err(format!("{} is not a list", section.list())),
    }
}

fn entry_name(item: &Value) -> Option<&str> {
    item.get("name").and_then(Value::as_str)
}

/// A string scalar in the style yaml.v2 would use when it can be plain, else double-quoted
/// (the one style every YAML 1.1 and 1.2 reader agrees on).
fn scalar(v: &str) -> ScalarValue {
    if plain_is_safe(v) {
        ScalarValue::plain(v)
    } else {
        ScalarValue::double_quoted(v)
    }
}

/// Positions of the entries called `name` in the parsed list.
fn positions(list: Option<&Value>, name: &str) -> Vec<usize> {
    match list {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter(|(_, i)| entry_name(i) == Some(name))
            .map(|(p, _)| p)
            .collect(),
        _ => Vec::new(),
    }
}

fn edit_text(text: &str, before: &Value, edits: &[TextEdit]) -> Result<String, String> {
    let doc = Document::from_str(text).map_err(|e| format!("cannot parse it losslessly: {e}"))?;
    let top = doc
        .as_mapping()
        .ok_or("the top level is not a block or flow mapping")?;
    // The semantic view is kept in step so positions stay right across several edits.
    let mut state = before.clone();
    for edit in edits {
        match edit {
            TextEdit::SetCurrentContext(v) => top.set("current-context", scalar(v)),
            TextEdit::RemoveEntry { section, name } => {
                let pos = positions(state.get(section.list()), name);
                if !pos.is_empty() {
                    let seq = sequence_checked(&top, &state, *section)?;
                    for p in pos.into_iter().rev() {
                        seq.remove(p).ok_or("an entry to remove was not found")?;
                    }
                }
            }
            TextEdit::RenameEntry { section, from, to } => {
                let p = unique(&positions(state.get(section.list()), from), from)?;
                let seq = sequence_checked(&top, &state, *section)?;
                let entry = seq
                    .get(p)
                    .and_then(|n| n.as_mapping().cloned())
                    .ok_or("the entry is not a mapping")?;
                entry.set("name", scalar(to));
            }
            TextEdit::UpsertEntry {
                section,
                name,
                fields,
            } => {
                let pos = positions(state.get(section.list()), name);
                if pos.is_empty() {
                    append_entry(&top, &state, *section, name, fields)?;
                } else {
                    let p = unique(&pos, name)?;
                    let seq = sequence_checked(&top, &state, *section)?;
                    let entry = seq
                        .get(p)
                        .and_then(|n| n.as_mapping().cloned())
                        .ok_or("the entry is not a mapping")?;
                    match entry.get_mapping(section.inner()) {
                        Some(body) => {
                            for (k, v) in fields {
                                match v {
                                    Some(v) => body.set(k.as_str(), scalar(v)),
                                    None => {
                                        body.remove(k.as_str());
                                    }
                                }
                            }
                        }
                        None => {
                            // `context:` missing or null: give it a mapping with the set keys.
                            let body: String = fields
                                .iter()
                                .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
                                .map(|(k, v)| format!("{}: {}\n", scalar_text(k), scalar_text(v)))
                                .collect();
                            if body.is_empty() {
                                entry.set(section.inner(), yaml_edit::Mapping::new_flow());
                            } else {
                                let m = Document::from_str(&body)
                                    .map_err(|e| format!("cannot build a mapping: {e}"))?;
                                let m = m.as_mapping().ok_or("cannot build a mapping")?;
                                entry.set(section.inner(), m);
                            }
                        }
                    }
                }
            }
        }
        state = expected_after(&state, std::slice::from_ref(edit))?;
    }
    Ok(doc.to_string())
}

fn unique(pos: &[usize], name: &str) -> Result<usize, String> {
    match pos {
        [p] => Ok(*p),
        [] => Err(format!("{name:?} is not in this file")),
        _ => Err(format!(
            "{name:?} is defined more than once in this file (kubectl refuses such files too)"
        )),
    }
}

/// The list as a syntax node, checked to have as many items as the parsed list.
fn sequence_checked(
    top: &yaml_edit::Mapping,
    state: &Value,
    section: Section,
) -> Result<yaml_edit::Sequence, String> {
    let seq = top
        .get_sequence(section.list())
        .ok_or_else(|| format!("{} is not a list this editor understands", section.list()))?;
    let parsed = match state.get(section.list()) {
        Some(Value::Array(a)) => a.len(),
        _ => 0,
    };
    if seq.len() != parsed {
        return Err(format!(
            "{} has {} entries for the editor but {parsed} for the parser",
            section.list(),
            seq.len()
        ));
    }
    Ok(seq)
}

/// A scalar as snippet text: plain when safe, else a JSON string (valid YAML double quotes).
fn scalar_text(v: &str) -> String {
    if plain_is_safe(v) {
        v.to_string()
    } else {
        serde_json::to_string(v).unwrap_or_else(|_| format!("{v:?}"))
    }
}

/// A one-entry block list, as text: `- name: N` then the body mapping.
fn entry_snippet(section: Section, name: &str, fields: &[(String, Option<String>)]) -> String {
    let mut out = format!("- name: {}\n", scalar_text(name));
    let set: Vec<_> = fields
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
        .collect();
    if set.is_empty() {
        out.push_str(&format!("  {}: {{}}\n", section.inner()));
    } else {
        out.push_str(&format!("  {}:\n", section.inner()));
        for (k, v) in set {
            out.push_str(&format!("    {}: {}\n", scalar_text(k), scalar_text(v)));
        }
    }
    out
}

fn append_entry(
    top: &yaml_edit::Mapping,
    state: &Value,
    section: Section,
    name: &str,
    fields: &[(String, Option<String>)],
) -> Result<(), String> {
    // Built from text so the layout is the usual block style (and our quoting rules).
    let snippet = Document::from_str(&entry_snippet(section, name, fields))
        .map_err(|e| format!("cannot build the entry: {e}"))?;
    let seq = snippet.as_sequence().ok_or("cannot build the list")?;
    match state.get(section.list()) {
        Some(Value::Array(a)) if !a.is_empty() => {
            let item = seq
                .get(0)
                .and_then(|n| n.as_mapping().cloned())
                .ok_or("cannot build the entry")?;
            sequence_checked(top, state, section)?.push(item);
        }
        // Absent, null or an empty list: write a fresh block list.
        _ => top.set(section.list(), seq),
    }
    Ok(())
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;

    const KC: &str = "# top comment
apiVersion: v1
kind: Config
x-custom-top: keep # trailing
clusters:
- name: c1 # the first
  cluster:
    server: 'https://127.0.0.1:6443'
    x-unknown: 1
users:
  - name: u1
    user: {token: abc}
contexts:
# a comment before ctx
- name: shared
  context: {cluster: c1, user: u1, namespace: from-a}
- name: \"other\"
  context:
    cluster: c1
    user: u1   # who
current-context: shared
";

    fn run(text: &str, edits: &[TextEdit]) -> String {
        apply(Path::new("/t"), text, edits).unwrap()
    }

    fn upsert(name: &str, fields: &[(&str, Option<&str>)]) -> TextEdit {
        TextEdit::UpsertEntry {
            section: Section::Contexts,
            name: name.into(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
                .collect(),
        }
    }

    #[test]
    fn set_current_context_keeps_everything_else() {
        let out = run(KC, &[TextEdit::SetCurrentContext("other".into())]);
        assert_eq!(
            out,
            KC.replace("current-context: shared", "current-context: other")
        );
    }

    #[test]
    fn values_that_need_quotes_get_double_quotes() {
        for v in ["", "true", "a: b", "123", "#x", "2001-01-01"] {
            let out = run(KC, &[TextEdit::SetCurrentContext(v.into())]);
            assert!(
                out.contains(&format!(
                    "current-context: {}",
                    serde_json::to_string(v).unwrap()
                )),
                "{out}"
            );
        }
    }

    #[test]
    fn modify_flow_and_block_entries() {
        let out = run(
            KC,
            &[
                upsert("shared", &[("namespace", Some("new-ns"))]),
                upsert("other", &[("namespace", Some("ns2")), ("user", None)]),
            ],
        );
        assert!(out.contains("context: {cluster: c1, user: u1, namespace: new-ns}"));
        assert!(
            out.contains("  context:\n    cluster: c1\n    namespace: ns2\n"),
            "{out}"
        );
        assert!(out.contains("# top comment") && out.contains("x-unknown: 1"));
        assert!(out.contains("# a comment before ctx"));
    }

    #[test]
    fn rename_and_remove() {
        let out = run(
            KC,
            &[TextEdit::RenameEntry {
                section: Section::Contexts,
                from: "other".into(),
                to: "renamed".into(),
            }],
        );
        assert!(out.contains("- name: renamed\n"), "{out}");
        let out = run(
            KC,
            &[TextEdit::RemoveEntry {
                section: Section::Contexts,
                name: "shared".into(),
            }],
        );
        assert!(!out.contains("from-a"), "{out}");
        assert!(out.contains("# top comment"));
        let out = run(
            KC,
            &[TextEdit::RemoveEntry {
                section: Section::Users,
                name: "u1".into(),
            }],
        );
        let v = semantic(&out).unwrap();
        assert_eq!(v["users"], serde_json::json!([]));
    }

    #[test]
    fn append_to_existing_missing_null_and_flow_lists() {
        let new = upsert("new", &[("cluster", Some("c1")), ("user", Some(""))]);
        for text in [
            KC,
            "kind: Config\n",
            "kind: Config\ncontexts: null\n",
            "kind: Config\ncontexts:\n# c\nusers: []\n",
            "kind: Config\ncontexts: []\n",
            "kind: Config\ncontexts: [{name: a, context: {cluster: x}}]\n",
            "",
            "# only a comment\n",
            "# no newline",
        ] {
            let out = run(text, std::slice::from_ref(&new));
            let v = semantic(&out).unwrap();
            let ctxs = v["contexts"].as_array().unwrap();
            let last = ctxs.last().unwrap();
            assert_eq!(last["name"], "new", "{out}");
            assert_eq!(last["context"]["cluster"], "c1");
            assert_eq!(last["context"]["user"], "");
            if text.starts_with('#') {
                assert!(out.starts_with('#'), "{out}");
            }
        }
    }

    #[test]
    fn null_bodies_get_a_mapping() {
        let text = "contexts:\n- name: a\n  context:\n- name: b\n";
        let out = run(text, &[upsert("a", &[("namespace", Some("n"))])]);
        assert_eq!(
            semantic(&out).unwrap()["contexts"][0]["context"]["namespace"],
            "n"
        );
        let out = run(text, &[upsert("b", &[("cluster", Some("c"))])]);
        assert_eq!(
            semantic(&out).unwrap()["contexts"][1]["context"]["cluster"],
            "c"
        );
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let text = "kind: Config\r\ncontexts:\r\n- name: a\r\n  context:\r\n    cluster: x\r\ncurrent-context: a\r\n";
        let out = run(
            text,
            &[
                TextEdit::SetCurrentContext("b".into()),
                upsert("a", &[("namespace", Some("n"))]),
            ],
        );
        let v = semantic(&out).unwrap();
        assert_eq!(v["current-context"], "b");
        assert_eq!(v["contexts"][0]["context"]["namespace"], "n");
    }

    #[test]
    fn duplicates_and_odd_shapes_are_refused() {
        let dup = "contexts:\n- name: d\n  context: {cluster: a}\n- name: d\n  context: {}\n";
        assert!(
            apply(
                Path::new("/t"),
                dup,
                &[upsert("d", &[("cluster", Some("x"))])]
            )
            .is_err()
        );
        let list = "- a\n- b\n";
        assert!(
            apply(
                Path::new("/t"),
                list,
                &[TextEdit::SetCurrentContext("x".into())]
            )
            .is_err()
        );
        let scalar_list = "contexts: nope\n";
        assert!(apply(Path::new("/t"), scalar_list, &[upsert("n", &[])]).is_err());
    }

    #[test]
    fn anchors_that_would_change_other_entries_are_refused() {
        let text = "contexts:\n- name: a\n  context: &c {cluster: x}\n- name: b\n  context: *c\n";
        let r = apply(
            Path::new("/t"),
            text,
            &[upsert("a", &[("cluster", Some("y"))])],
        );
        // Either refused or correct; never a silent change of b.
        if let Ok(out) = r {
            let v = semantic(&out).unwrap();
            assert_eq!(v["contexts"][1]["context"]["cluster"], "x");
            assert_eq!(v["contexts"][0]["context"]["cluster"], "y");
        }
    }
}
