//! Relative paths in a kubeconfig, resolved as client-go's `ResolveLocalPaths` does: against
//! the folder of the file that defines the entry, never against the current directory.
//!
//! Resolved fields: cluster `certificate-authority`; user `client-certificate`, `client-key`,
//! `tokenFile`; and `exec.command` only when it contains a path separator (a bare name is looked
//! up on `PATH`). Not resolved, as in client-go: `exec.args`, `exec.env`, auth-provider paths.
//! The result is a view: files are never rewritten with resolved paths.

use super::Kubeconfig;
use serde_json::Value;
use std::path::{Component, Path, PathBuf};

/// The folder relative paths of `origin` resolve against (absolute, as client-go's `MakeAbs`).
pub fn base_dir(origin: &Path) -> PathBuf {
    let abs = std::path::absolute(origin).unwrap_or_else(|_| origin.to_path_buf());
    clean(abs.parent().unwrap_or(Path::new("/")))
}

/// `path` resolved against `base`, cleaned lexically like Go's `filepath.Join`. Empty and
/// absolute paths are returned as they are.
pub fn resolve(path: &str, base: &Path) -> PathBuf {
    let p = Path::new(path);
    if path.is_empty() || p.is_absolute() {
        return p.to_path_buf();
    }
    clean(&base.join(p))
}

/// Lexical clean: drops `.`, folds `..` into its parent (never above the root).
fn clean(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() || out.as_os_str().is_empty() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// True when an exec `command` names a path rather than a program to look up on `PATH`.
pub fn has_separator(command: &str) -> bool {
    command.contains('/') || (cfg!(windows) && command.contains('\\'))
}

fn resolve_field(body: &mut Value, key: &str, base: &Path) {
    if let Some(Value::String(s)) = body.get_mut(key)
        && !s.is_empty()
    {
        *s = resolve(s, base).to_string_lossy().into_owned();
    }
}

/// A cluster body with `certificate-authority` resolved against `origin`'s folder.
pub fn resolve_cluster(body: &Value, origin: &Path) -> Value {
    let base = base_dir(origin);
    let mut b = body.clone();
    resolve_field(&mut b, "certificate-authority", &base);
    b
}

/// A user body with `client-certificate`, `client-key`, `tokenFile` and a path-like
/// `exec.command` resolved against `origin`'s folder.
pub fn resolve_user(body: &Value, origin: &Path) -> Value {
    let base = base_dir(origin);
    let mut b = body.clone();
    for key in ["client-certificate", "client-key", "tokenFile"] {
        resolve_field(&mut b, key, &base);
    }
    if let Some(exec) = b.get_mut("exec")
        && exec
            .get("command")
            .and_then(Value::as_str)
            .is_some_and(has_separator)
    {
        resolve_field(exec, "command", &base);
    }
    b
}

impl Kubeconfig {
    fn origin_of(
        &self,
        map: &std::collections::BTreeMap<String, super::Slot>,
        name: &str,
    ) -> Option<&Path> {
        let slot = map.get(name)?;
        Some(self.files.get(slot.file)?.path.as_path())
    }

    /// The winning definition of a cluster, with its relative paths resolved.
    pub fn cluster_resolved(&self, name: &str) -> Option<Value> {
        let body = &self.cluster(name)?.body;
        Some(resolve_cluster(body, self.origin_of(&self.clusters, name)?))
    }

    /// The winning definition of a user, with its relative paths resolved.
    pub fn user_resolved(&self, name: &str) -> Option<Value> {
        let body = &self.user(name)?.body;
        Some(resolve_user(body, self.origin_of(&self.users, name)?))
    }

    /// The file that defines the winning cluster `name`.
    pub fn cluster_origin(&self, name: &str) -> Option<&Path> {
        self.origin_of(&self.clusters, name)
    }

    /// The file that defines the winning user `name`.
    pub fn user_origin(&self, name: &str) -> Option<&Path> {
        self.origin_of(&self.users, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_against_the_defining_file() {
        let origin = Path::new("/cfg/team/a.yaml");
        let c = resolve_cluster(
            &json!({"certificate-authority": "ca.crt", "server": "s"}),
            origin,
        );
        assert_eq!(c["certificate-authority"], "/cfg/team/ca.crt");
        let u = resolve_user(
            &json!({
                "client-certificate": "../certs/c.crt",
                "client-key": "/abs/c.key",
                "tokenFile": "./tok",
                "exec": {"command": "bin/plugin", "args": ["rel/arg"]},
            }),
            origin,
        );
        assert_eq!(u["client-certificate"], "/cfg/certs/c.crt");
        assert_eq!(u["client-key"], "/abs/c.key");
        assert_eq!(u["tokenFile"], "/cfg/team/tok");
        assert_eq!(u["exec"]["command"], "/cfg/team/bin/plugin");
        assert_eq!(u["exec"]["args"][0], "rel/arg");
        let bare = resolve_user(&json!({"exec": {"command": "kubelogin"}}), origin);
        assert_eq!(bare["exec"]["command"], "kubelogin");
    }

    #[test]
    fn relative_origins_become_absolute() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(base_dir(Path::new("k.yaml")), clean(&cwd));
    }
}
