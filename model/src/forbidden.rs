//! The parts of an API server 403 ("... is forbidden: User "u" cannot VERB ..."), parsed from
//! its message. Shared by core (diagnoses, log errors) and the UI (links from a denial to the
//! Access view with that cell selected).

use crate::rbac::Action;

/// The parts of an RBAC denial: `... is forbidden: User "u" cannot VERB resource "r" in API group
/// "g" in the namespace "ns"` or `... cannot VERB path "/p"` (errors.md §2).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Denied {
    /// The user the API server saw.
    pub user: String,
    /// The verb.
    pub verb: String,
    /// The resource (with `/subresource`), if a resource was denied.
    pub resource: Option<String>,
    /// The API group (`""` for core).
    pub group: Option<String>,
    /// The namespace, or `None` at the cluster scope.
    pub namespace: Option<String>,
    /// The non-resource URL, if a path was denied.
    pub path: Option<String>,
    /// The object's name, when the request named one (`pods "web" is forbidden`).
    #[serde(default)]
    pub name: Option<String>,
}

impl Denied {
    /// What was denied, in words: `get pods/log in namespace "team-a"`.
    pub fn describe(&self) -> String {
        if let Some(p) = &self.path {
            return format!("{} the path {p}", self.verb);
        }
        let resource = self.resource.clone().unwrap_or_else(|| "this".into());
        let qualified = match self.group.as_deref() {
            Some(g) if !g.is_empty() => format!("{resource}.{g}"),
            _ => resource,
        };
        match &self.namespace {
            Some(ns) => format!("{} {qualified} in namespace \"{ns}\"", self.verb),
            None => format!("{} {qualified} across the cluster", self.verb),
        }
    }
}

/// Parses an API server 403 message (possibly inside kubectl's `Error from server
/// (Forbidden): ...`, with the authorizer's reason after it); `None` if it doesn't have the
/// RBAC shape. Quoted values are read as Go quotes them (`\"` inside a name).
pub fn parse_forbidden(message: &str) -> Option<Denied> {
    let at = message.find("User \"")?;
    let head = &message[..at];
    let (user, rest) = quoted(&message[at + 5..])?;
    let rest = rest.strip_prefix(" cannot ")?;
    let (verb, rest) = rest.split_once(' ')?;
    if let Some(p) = rest.strip_prefix("path ") {
        return Some(Denied {
            user,
            verb: verb.to_string(),
            path: Some(quoted(p)?.0),
            ..Denied::default()
        });
    }
    let (resource, rest) = quoted(rest.strip_prefix("resource ")?)?;
    let (group, rest) = quoted(rest.strip_prefix(" in API group ")?)?;
    let namespace = match rest.strip_prefix(" in the namespace ") {
        Some(r) => Some(quoted(r)?.0),
        None => None,
    };
    // The object name sits before "is forbidden": `pods "web" is forbidden`.
    let name = head
        .trim_end()
        .strip_suffix("is forbidden:")
        .and_then(|h| h.trim_end().rsplit_once(' '))
        .and_then(|(_, n)| quoted(n).map(|q| q.0));
    Some(Denied {
        user,
        verb: verb.to_string(),
        resource: Some(resource),
        group: Some(group),
        namespace,
        name,
        path: None,
    })
}

/// A Go-quoted string at the start of `s`, and what follows it.
fn quoted(s: &str) -> Option<(String, &str)> {
    let s = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?.1),
            '"' => return Some((out, &s[i + 1..])),
            c => out.push(c),
        }
    }
    None
}

impl Denied {
    /// The denied request as an [`Action`] (what access reviews and the matrix take).
    pub fn action(&self) -> Action {
        if let Some(p) = &self.path {
            return Action::non_resource(&self.verb, p);
        }
        let combined = self.resource.as_deref().unwrap_or_default();
        let (resource, sub) = combined.split_once('/').unwrap_or((combined, ""));
        Action::resource(
            &self.verb,
            self.group.as_deref().unwrap_or_default(),
            resource,
        )
        .with_subresource(sub)
        .named(self.name.as_deref().unwrap_or_default())
        .in_namespace(self.namespace.as_deref().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_namespaced_resource_denial() {
        let d = parse_forbidden(
            r#"pods "web" is forbidden: User "viewer" cannot delete resource "pods" in API group "" in the namespace "team-a""#,
        )
        .expect("an RBAC denial");
        assert_eq!(d.user, "viewer");
        assert_eq!(d.verb, "delete");
        assert_eq!(d.resource.as_deref(), Some("pods"));
        assert_eq!(d.group.as_deref(), Some(""));
        assert_eq!(d.namespace.as_deref(), Some("team-a"));
        assert_eq!(d.describe(), r#"delete pods in namespace "team-a""#);
        assert_eq!(d.name.as_deref(), Some("web"));
        assert_eq!(
            d.action(),
            Action::resource("delete", "", "pods")
                .named("web")
                .in_namespace("team-a")
        );
        // Inside kubectl's prefix, with the authorizer's reason after, and a quote in a name.
        let k = parse_forbidden(
            r#"Error from server (Forbidden): configmaps "a\"b" is forbidden: User "x" cannot get resource "configmaps" in API group "" in the namespace "n": RBAC: role "r" not found"#,
        )
        .expect("an RBAC denial");
        assert_eq!(
            (k.name.as_deref(), k.namespace.as_deref()),
            (Some("a\"b"), Some("n"))
        );
    }

    #[test]
    fn cluster_scope_subresource_and_path() {
        let d = parse_forbidden(
            r#"nodes is forbidden: User "editor-b" cannot list resource "nodes/proxy" in API group "" at the cluster scope"#,
        )
        .expect("an RBAC denial");
        assert_eq!(d.namespace, None);
        assert_eq!(d.describe(), "list nodes/proxy across the cluster");
        let p = parse_forbidden(r#"forbidden: User "viewer" cannot get path "/metrics""#)
            .expect("a path denial");
        assert_eq!(p.path.as_deref(), Some("/metrics"));
        assert_eq!(p.action(), Action::non_resource("get", "/metrics"));
        assert_eq!(parse_forbidden("connection refused"), None);
    }
}
