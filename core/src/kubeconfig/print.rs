//! Output of the `config` subcommands, byte-compatible with kubectl.

use super::Kubeconfig;
use crate::CoreError;
use crate::table::tabwrite;

/// How `config get-contexts` prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ContextsOutput {
    /// The table.
    #[default]
    Table,
    /// `-o name`: one name per line.
    Name,
}

impl Kubeconfig {
    /// `kubectl config get-contexts [NAME...]`: what goes to stdout, and the error kubectl would
    /// exit 1 with (contexts asked for that do not exist), printed after the found ones.
    pub fn get_contexts(
        &self,
        names: &[String],
        output: ContextsOutput,
        headers: bool,
    ) -> (String, Option<CoreError>) {
        let current = self.current_context().ok();
        let mut missing = Vec::new();
        let mut rows: Vec<_> = if names.is_empty() {
            self.contexts().collect()
        } else {
            names
                .iter()
                .filter_map(|n| {
                    let c = self.context(n);
                    if c.is_none() {
                        missing.push(n.clone());
                    }
                    c
                })
                .collect()
        };
        rows.sort_by(|a, b| a.name.cmp(b.name));
        let out = match output {
            ContextsOutput::Name => rows.iter().map(|c| format!("{}\n", c.name)).collect(),
            ContextsOutput::Table => {
                let mut table = Vec::with_capacity(rows.len() + 1);
                if headers {
                    table.push(
                        ["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"]
                            .map(String::from)
                            .to_vec(),
                    );
                }
                table.extend(rows.iter().map(|c| {
                    vec![
                        if current == Some(c.name) { "*" } else { "" }.to_string(),
                        c.name.to_string(),
                        c.cluster.to_string(),
                        c.user.to_string(),
                        c.namespace.unwrap_or("").to_string(),
                    ]
                }));
                tabwrite(&table)
            }
        };
        let err = (!missing.is_empty()).then_some(CoreError::ContextsNotFound(missing));
        (out, err)
    }
}

impl Kubeconfig {
    /// `kubectl config get-clusters`: a `NAME` header and one name per line. kubectl prints them
    /// in Go map order (random from run to run); Loupe sorts them.
    pub fn get_clusters(&self) -> String {
        names_table(self.clusters.keys())
    }

    /// `kubectl config get-users`: a `NAME` header and the names, sorted (as kubectl does).
    pub fn get_users(&self) -> String {
        names_table(self.users.keys())
    }
}

fn names_table<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let mut out = String::from("NAME\n");
    for n in names {
        out.push_str(n);
        out.push('\n');
    }
    out
}
