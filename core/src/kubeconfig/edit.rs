//! `kubectl config` write commands with kubectl's rules (which file each change goes to, its
//! lock files, its messages) and without its damage (Loupe edits the text in place).
//!
//! Which file is written (client-go `ModifyConfig` and `PathOptions.GetDefaultFilename`):
//! - a change to an existing cluster, user or context goes to the file that defines it (the
//!   one that won the merge);
//! - a new entry and a new `current-context` go to the default file: `--kubeconfig`, else the
//!   only `KUBECONFIG` file, else the first existing one, else the last one;
//! - clearing `current-context` clears the first file that sets it.

use super::write::{ChainLock, write_file};
use super::yaml_text::{self, Section, TextEdit};
use super::{ChainOrigin, FileState, Kubeconfig, LoadRules};
use crate::CoreError;
use crate::kubeconfig::go_quote;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A `kubectl config` write command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOp {
    /// `use-context NAME`.
    UseContext(String),
    /// `set-context [NAME | --current] [--cluster=] [--user=] [--namespace=]`.
    SetContext {
        /// The context; `None` with `current` set means the current context.
        name: Option<String>,
        /// `--current`.
        current: bool,
        /// `--cluster`, when given (possibly empty).
        cluster: Option<String>,
        /// `--user`, when given (possibly empty).
        user: Option<String>,
        /// `--namespace`, when given (empty removes it).
        namespace: Option<String>,
    },
    /// `rename-context OLD NEW`.
    RenameContext {
        /// Current name.
        from: String,
        /// New name.
        to: String,
    },
    /// `delete-context NAME`.
    DeleteContext(String),
    /// `delete-cluster NAME`.
    DeleteCluster(String),
    /// `delete-user NAME`.
    DeleteUser(String),
    /// `unset current-context`.
    UnsetCurrentContext,
}

/// What an edit did, with kubectl's messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditOutcome {
    /// What kubectl prints on stdout (with its trailing newline).
    pub message: String,
    /// What kubectl prints on stderr before succeeding (each line complete, e.g.
    /// `warning: this removed your active context, ...`).
    pub warnings: Vec<String>,
    /// Files whose content changed, in the order written.
    pub written: Vec<PathBuf>,
}

/// The file kubectl calls `GetDefaultFilename()`.
pub fn default_filename(rules: &LoadRules) -> PathBuf {
    let (files, origin) = rules.chain();
    let home_default = || {
        rules
            .home
            .clone()
            .unwrap_or_default()
            .join(".kube")
            .join("config")
    };
    match (origin, files.as_slice()) {
        (_, []) => home_default(),
        (ChainOrigin::Explicit | ChainOrigin::Default, [first, ..]) => first.clone(),
        (ChainOrigin::Env, [only]) => only.clone(),
        (ChainOrigin::Env, [.., last]) => files
            .iter()
            .find(|f| std::fs::metadata(f).is_ok())
            .unwrap_or(last)
            .clone(),
    }
}

/// Changes planned for the chain, file by file, and what to print.
#[derive(Debug, Default)]
struct Plan {
    edits: BTreeMap<PathBuf, Vec<TextEdit>>,
    outcome: EditOutcome,
}

impl Plan {
    fn add(&mut self, file: &Path, edit: TextEdit) {
        self.edits.entry(file.to_path_buf()).or_default().push(edit);
    }
}

/// Runs `op` against the chain described by `rules`, as kubectl would: validate, lock every file
/// of the chain, re-read, write the changed files, unlock.
pub fn edit(rules: &LoadRules, op: &EditOp) -> Result<EditOutcome, CoreError> {
    // kubectl validates against the files before it locks them, so its errors come first. A
    // file that does not load now may be mid-write by kubectl (which truncates, then writes):
    // the check under the lock below is the one that counts.
    if let Ok(kc) = load_strict(rules) {
        plan(rules, &kc, op)?;
    }
    let (files, _) = rules.files();
    let _lock = ChainLock::acquire(&files)?;
    // Re-read under the lock: another writer may have changed the files since.
    let kc = load_strict(rules)?;
    let mut plan = plan(rules, &kc, op)?;
    // Every file is edited and verified before the first one is written.
    let mut writes = Vec::new();
    for (file, edits) in &plan.edits {
        let original = match std::fs::read(file) {
            Ok(b) => String::from_utf8(b).map_err(|_| CoreError::UnsafeEdit {
                path: file.clone(),
                reason: "it is not UTF-8 text".into(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(CoreError::ReadKubeconfig {
                    path: file.clone(),
                    source,
                });
            }
        };
        let updated = yaml_text::apply(file, &original, edits)?;
        if updated != original {
            writes.push((file.clone(), updated));
        }
    }
    for (file, content) in writes {
        write_file(&file, &content)?;
        plan.outcome.written.push(file);
    }
    Ok(plan.outcome)
}

/// Loads the chain and refuses to edit one that kubectl could not load either: a broken file
/// would make the merge (and so the destination of each change) differ from kubectl's.
fn load_strict(rules: &LoadRules) -> Result<Kubeconfig, CoreError> {
    let kc = Kubeconfig::load(rules);
    for f in &kc.files {
        if let FileState::Broken(e) = &f.state {
            return Err(match e.as_ref() {
                CoreError::ReadKubeconfig { path, source } => CoreError::ReadKubeconfig {
                    path: path.clone(),
                    source: std::io::Error::new(source.kind(), source.to_string()),
                },
                CoreError::ParseKubeconfig { path, reason } => CoreError::ParseKubeconfig {
                    path: path.clone(),
                    reason: reason.clone(),
                },
                other => CoreError::ParseKubeconfig {
                    path: f.path.clone(),
                    reason: other.to_string(),
                },
            });
        }
    }
    Ok(kc)
}

/// The file named in kubectl's delete/rename messages: the explicit file, else the default one.
fn message_file(rules: &LoadRules) -> PathBuf {
    default_filename(rules)
}

fn plan(rules: &LoadRules, kc: &Kubeconfig, op: &EditOp) -> Result<Plan, CoreError> {
    let mut p = Plan::default();
    let current = kc.current.as_ref().map(|(c, _)| c.as_str());
    match op {
        EditOp::UseContext(name) => {
            if name.is_empty() {
                return Err(CoreError::InvalidArgument(
                    "empty context names are not allowed".into(),
                ));
            }
            if kc.context(name).is_none() {
                return Err(CoreError::NoSuchContext { name: name.clone() });
            }
            if current != Some(name.as_str()) {
                p.add(
                    &default_filename(rules),
                    TextEdit::SetCurrentContext(name.clone()),
                );
            }
            p.outcome.message = format!("Switched to context {}.\n", go_quote(name));
        }
        EditOp::UnsetCurrentContext => {
            if current.is_some() {
                let file = if rules.explicit.is_some() {
                    default_filename(rules)
                } else {
                    // The first file that sets it; later files may then take over.
                    kc.files
                        .iter()
                        .find(|f| f.current_context.as_deref().is_some_and(|c| !c.is_empty()))
                        .map(|f| f.path.clone())
                        .unwrap_or_else(|| default_filename(rules))
                };
                p.add(&file, TextEdit::SetCurrentContext(String::new()));
            }
            p.outcome.message = "Property \"current-context\" unset.\n".into();
        }
        EditOp::SetContext {
            name,
            current: use_current,
            cluster,
            user,
            namespace,
        } => {
            let name = match (name.as_deref().filter(|n| !n.is_empty()), use_current) {
                (None, false) => {
                    return Err(CoreError::InvalidArgument(
                        "you must specify a non-empty context name or --current".into(),
                    ));
                }
                (Some(_), true) => {
                    return Err(CoreError::InvalidArgument(
                        "you cannot specify both a context name and --current".into(),
                    ));
                }
                (Some(n), false) => n.to_string(),
                (None, true) => current
                    .ok_or_else(|| CoreError::InvalidArgument("no current context is set".into()))?
                    .to_string(),
            };
            match kc.context(&name) {
                Some(existing) => {
                    let mut fields = Vec::new();
                    if let Some(c) = cluster.as_ref().filter(|c| *c != existing.cluster) {
                        fields.push(("cluster".to_string(), Some(c.clone())));
                    }
                    if let Some(u) = user.as_ref().filter(|u| *u != existing.user) {
                        fields.push(("user".to_string(), Some(u.clone())));
                    }
                    if let Some(ns) = namespace
                        .as_ref()
                        .filter(|ns| Some(ns.as_str()) != existing.namespace)
                    {
                        // kubectl omits an empty namespace when it writes.
                        let v = (!ns.is_empty()).then(|| ns.clone());
                        fields.push(("namespace".to_string(), v));
                    }
                    if !fields.is_empty() {
                        p.add(
                            existing.origin,
                            TextEdit::UpsertEntry {
                                section: Section::Contexts,
                                name: name.clone(),
                                fields,
                            },
                        );
                    }
                    p.outcome.message = format!("Context {} modified.\n", go_quote(&name));
                }
                None => {
                    // A new context always carries cluster and user, as kubectl writes it.
                    let mut fields = vec![
                        (
                            "cluster".to_string(),
                            Some(cluster.clone().unwrap_or_default()),
                        ),
                        ("user".to_string(), Some(user.clone().unwrap_or_default())),
                    ];
                    if let Some(ns) = namespace.as_ref().filter(|n| !n.is_empty()) {
                        fields.push(("namespace".to_string(), Some(ns.clone())));
                    }
                    p.add(
                        &default_filename(rules),
                        TextEdit::UpsertEntry {
                            section: Section::Contexts,
                            name: name.clone(),
                            fields,
                        },
                    );
                    p.outcome.message = format!("Context {} created.\n", go_quote(&name));
                }
            }
        }
        EditOp::RenameContext { from, to } => {
            if to.is_empty() {
                return Err(CoreError::InvalidArgument(
                    "You must specify a new non-empty context name".into(),
                ));
            }
            let file = message_file(rules);
            let Some(ctx) = kc.context(from) else {
                return Err(CoreError::CannotRename {
                    from: from.clone(),
                    existing: None,
                    file,
                });
            };
            if kc.context(to).is_some() {
                return Err(CoreError::CannotRename {
                    from: from.clone(),
                    existing: Some(to.clone()),
                    file,
                });
            }
            // kubectl writes a changed current-context to its default file, not to the file
            // that set it, so that file may keep the old (now dangling) name.
            if current == Some(from.as_str()) {
                p.add(
                    &default_filename(rules),
                    TextEdit::SetCurrentContext(to.clone()),
                );
            }
            p.add(
                ctx.origin,
                TextEdit::RenameEntry {
                    section: Section::Contexts,
                    from: from.clone(),
                    to: to.clone(),
                },
            );
            p.outcome.message =
                format!("Context {} renamed to {}.\n", go_quote(from), go_quote(to));
        }
        EditOp::DeleteContext(name) | EditOp::DeleteCluster(name) | EditOp::DeleteUser(name) => {
            let (section, word, origin) = match op {
                EditOp::DeleteContext(_) => (
                    Section::Contexts,
                    "context",
                    kc.context(name).map(|c| c.origin.to_path_buf()),
                ),
                EditOp::DeleteCluster(_) => (
                    Section::Clusters,
                    "cluster",
                    kc.clusters.get(name).map(|s| kc.files[s.file].path.clone()),
                ),
                _ => (
                    Section::Users,
                    "user",
                    kc.users.get(name).map(|s| kc.files[s.file].path.clone()),
                ),
            };
            // kubectl names its default file here, even when the entry lives in another one.
            let file = message_file(rules);
            let Some(origin) = origin else {
                return Err(CoreError::CannotDelete {
                    section: word,
                    name: name.clone(),
                    file,
                });
            };
            if section == Section::Contexts && current == Some(name.as_str()) {
                p.outcome.warnings.push(
                    "warning: this removed your active context, use \"kubectl config use-context\" to select a different one".into(),
                );
            }
            p.add(
                &origin,
                TextEdit::RemoveEntry {
                    section,
                    name: name.clone(),
                },
            );
            p.outcome.message = format!("deleted {word} {name} from {}\n", file.display());
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests;

/// Quotes a word for a POSIX shell only when it needs it, so shown commands stay readable.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:@/=+,".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

impl From<&loupe_model::EditRequest> for EditOp {
    fn from(r: &loupe_model::EditRequest) -> Self {
        use loupe_model::EditRequest as R;
        match r {
            R::UseContext { name } => EditOp::UseContext(name.clone()),
            R::SetNamespace { context, namespace } => EditOp::SetContext {
                name: Some(context.clone()),
                current: false,
                cluster: None,
                user: None,
                namespace: Some(namespace.clone()),
            },
            R::RenameContext { from, to } => EditOp::RenameContext {
                from: from.clone(),
                to: to.clone(),
            },
            R::DeleteContext { name } => EditOp::DeleteContext(name.clone()),
        }
    }
}

impl EditOp {
    /// The kubectl command that makes the same change, for showing next to the action.
    pub fn kubectl_command(&self) -> String {
        let w = |s: &str| shell_word(s);
        match self {
            EditOp::UseContext(n) => format!("kubectl config use-context {}", w(n)),
            EditOp::SetContext {
                name,
                current,
                cluster,
                user,
                namespace,
            } => {
                let mut cmd = String::from("kubectl config set-context");
                match (name, current) {
                    (_, true) => cmd.push_str(" --current"),
                    (Some(n), false) => cmd.push_str(&format!(" {}", w(n))),
                    (None, false) => {}
                }
                for (flag, v) in [
                    ("cluster", cluster),
                    ("user", user),
                    ("namespace", namespace),
                ] {
                    if let Some(v) = v {
                        cmd.push_str(&format!(" --{flag}={}", w(v)));
                    }
                }
                cmd
            }
            EditOp::RenameContext { from, to } => {
                format!("kubectl config rename-context {} {}", w(from), w(to))
            }
            EditOp::DeleteContext(n) => format!("kubectl config delete-context {}", w(n)),
            EditOp::DeleteCluster(n) => format!("kubectl config delete-cluster {}", w(n)),
            EditOp::DeleteUser(n) => format!("kubectl config delete-user {}", w(n)),
            EditOp::UnsetCurrentContext => "kubectl config unset current-context".into(),
        }
    }
}

#[cfg(test)]
mod request_tests {
    use super::*;
    use loupe_model::EditRequest;

    #[test]
    fn requests_map_to_kubectl_commands() {
        let cases = [
            (
                EditRequest::UseContext { name: "dev".into() },
                "kubectl config use-context dev",
            ),
            (
                EditRequest::SetNamespace {
                    context: "my ctx".into(),
                    namespace: "team-a".into(),
                },
                "kubectl config set-context 'my ctx' --namespace=team-a",
            ),
            (
                EditRequest::RenameContext {
                    from: "a".into(),
                    to: "it's".into(),
                },
                r"kubectl config rename-context a 'it'\''s'",
            ),
            (
                EditRequest::DeleteContext {
                    name: "kind-kind".into(),
                },
                "kubectl config delete-context kind-kind",
            ),
        ];
        for (req, cmd) in cases {
            assert_eq!(EditOp::from(&req).kubectl_command(), cmd);
        }
    }
}
