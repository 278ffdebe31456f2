//! The parts of an API server 403 ("... is forbidden: User "u" cannot VERB ..."), parsed from
//! its message. Shared by core (diagnoses, log errors) and the UI (links from a denial to the
//! Access view with that cell selected).

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

/// Parses an API server 403 message; `None` if it doesn't have the RBAC shape.
pub fn parse_forbidden(message: &str) -> Option<Denied> {
    let user = between(message, "User \"", "\"")?;
    let rest = message.split_once("\" cannot ")?.1;
    let verb = rest.split_whitespace().next()?.to_string();
    Some(Denied {
        user: user.to_string(),
        verb,
        resource: between(rest, "resource \"", "\"").map(str::to_string),
        group: between(rest, "in API group \"", "\"").map(str::to_string),
        namespace: between(rest, "in the namespace \"", "\"").map(str::to_string),
        path: between(rest, "path \"", "\"").map(str::to_string),
    })
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
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
        assert_eq!(parse_forbidden("connection refused"), None);
    }
}
