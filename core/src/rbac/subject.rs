//! The access view's questions about subjects other than the caller, and its files:
//!
//! - [`subject_matrix`]: any subject's matrix, exact (the API server's rules reviews sent while
//!   impersonating it) when the caller may impersonate it, else evaluated locally from the RBAC
//!   objects ([`super::matrix::local_matrix`]);
//! - [`who_can`]: (verb, resource, namespace, name) → every subject with its granting chains;
//! - [`browse`]: the RBAC objects as lists and as a graph;
//! - [`export_matrix`]: a matrix as CSV or JSON in the Downloads folder (mode 0600).

use super::cache::RbacCache;
use super::matrix::{local_matrix, resources_from_catalog, to_csv, to_json};
use super::review::{self, can_i};
use crate::CoreError;
use crate::cluster::{ConnectOptions, ContextClient, open_client};
use crate::kubeconfig::Kubeconfig;
use crate::logs::{file_part, no_download_dir};
use loupe_model::rbac::{
    AccessMatrix, Action, ExportFormat, MatrixMethod, MatrixRequest, MatrixScope, RbacBrowse,
    SubjectKind, SubjectMatrix, SubjectMatrixRequest, SubjectRef, WhoCan,
};
use std::path::{Path, PathBuf};

/// The user name Loupe impersonates to see a group's rights: impersonating a group needs a
/// user, and this one is bound to nothing.
pub const GROUP_PROBE_USER: &str = "loupe:group-member-probe";

const AUTHENTICATED: &str = "system:authenticated";

/// The user and groups the API server would evaluate for `subject` when it authenticates with
/// no other group (what local evaluation assumes).
pub fn subject_user(subject: &SubjectRef) -> (String, Vec<String>) {
    match (subject.kind, &subject.namespace) {
        (SubjectKind::ServiceAccount, Some(ns)) => (
            subject.username(),
            vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{ns}"),
                AUTHENTICATED.into(),
            ],
        ),
        (SubjectKind::Group, _) => (
            GROUP_PROBE_USER.into(),
            vec![subject.name.clone(), AUTHENTICATED.into()],
        ),
        _ => (subject.name.clone(), vec![AUTHENTICATED.into()]),
    }
}

/// The access reviews that decide whether the caller may impersonate `subject` (all must allow).
pub fn impersonation_checks(subject: &SubjectRef) -> Vec<Action> {
    match (subject.kind, &subject.namespace) {
        (SubjectKind::ServiceAccount, Some(ns)) => {
            vec![
                Action::resource("impersonate", "", "serviceaccounts")
                    .named(&subject.name)
                    .in_namespace(ns),
            ]
        }
        (SubjectKind::Group, _) => vec![
            Action::resource("impersonate", "", "users").named(GROUP_PROBE_USER),
            Action::resource("impersonate", "", "groups").named(&subject.name),
        ],
        _ => vec![Action::resource("impersonate", "", "users").named(&subject.name)],
    }
}

/// Whether the caller of `cc` may impersonate `subject` (one access review per check).
pub async fn may_impersonate(cc: &ContextClient, subject: &SubjectRef) -> Result<bool, CoreError> {
    for a in impersonation_checks(subject) {
        if !can_i(cc, &a).await?.allowed {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The namespaces of a request: the ones named, plus (for `all_namespaces`) every namespace the
/// caller may list, or when it may not, the ones that have RoleBindings.
async fn namespaces_of(
    cache: &RbacCache,
    cc: &ContextClient,
    req: &SubjectMatrixRequest,
) -> Vec<String> {
    let mut out = req.namespaces.clone();
    if req.all_namespaces {
        let all = match super::matrix::list_namespaces(cc).await {
            Ok(all) => all,
            Err(_) => match cache.snapshot(cc).await {
                Ok((s, _)) => s.namespaces_with_bindings(),
                Err(_) => Vec::new(),
            },
        };
        for n in all {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// A subject's matrix (see the module documentation). `kc` and `allow_exec` open the
/// impersonating connection (the context's own credentials, with `Impersonate-*` headers).
pub async fn subject_matrix(
    cache: &RbacCache,
    cc: &ContextClient,
    kc: &Kubeconfig,
    allow_exec: bool,
    req: &SubjectMatrixRequest,
) -> Result<SubjectMatrix, CoreError> {
    let Some(subject) = &req.subject else {
        let id = cache.identity(cc, kc).await?;
        let m = super::matrix(
            cc,
            &MatrixRequest {
                namespaces: req.namespaces.clone(),
                all_namespaces: req.all_namespaces,
                cluster: req.cluster,
                ..MatrixRequest::default()
            },
        )
        .await?;
        return Ok(SubjectMatrix {
            subject: None,
            user: id.username.clone(),
            groups: id.groups.clone(),
            method: MatrixMethod::Own,
            explanation: "Your own rights, as the API server's rules reviews state them for your credentials.".into(),
            matrix: m,
        });
    };
    if subject.kind == SubjectKind::Other
        || (subject.kind == SubjectKind::ServiceAccount && subject.namespace.is_none())
        || subject.name.is_empty()
    {
        return Err(CoreError::InvalidArgument(format!(
            "{} is not a subject RBAC can match (a user, a group, or a ServiceAccount with its namespace)",
            subject.describe()
        )));
    }
    let namespaces = namespaces_of(cache, cc, req).await;
    let (user, groups) = subject_user(subject);
    if may_impersonate(cc, subject).await? {
        // ServiceAccounts get their groups from the API server; a group needs a user.
        let (imp_user, imp_groups) = match subject.kind {
            SubjectKind::Group => (GROUP_PROBE_USER.to_string(), vec![subject.name.clone()]),
            _ => (subject.username(), Vec::new()),
        };
        let opts = ConnectOptions {
            allow_exec,
            impersonate: Some(imp_user.clone()),
            impersonate_groups: imp_groups.clone(),
            ..ConnectOptions::default()
        };
        let as_subject = open_client(kc, &cc.target.context, &opts).await?;
        let m = super::matrix(
            &as_subject,
            &MatrixRequest {
                namespaces,
                all_namespaces: false,
                cluster: req.cluster,
                ..MatrixRequest::default()
            },
        )
        .await?;
        let explanation = match subject.kind {
            SubjectKind::Group => format!(
                "The API server answered rules reviews sent as a user \"{GROUP_PROBE_USER}\" (bound to nothing) in group \"{}\", with every authorizer. Members also have the rights of their own user name and other groups.",
                subject.name
            ),
            SubjectKind::ServiceAccount => "The API server answered rules reviews sent while impersonating this ServiceAccount (with its groups system:serviceaccounts and system:serviceaccounts:NAMESPACE), with every authorizer.".into(),
            _ => format!(
                "The API server answered rules reviews sent while impersonating user \"{}\", with every authorizer. Only system:authenticated is added as a group: groups the real user gets from its credentials (certificate O, token) are not included.",
                subject.name
            ),
        };
        return Ok(SubjectMatrix {
            subject: Some(subject.clone()),
            user: imp_user,
            groups: imp_groups,
            method: MatrixMethod::Impersonation,
            explanation,
            matrix: m,
        });
    }
    let ((snapshot, _), catalog) = tokio::try_join!(cache.snapshot(cc), cache.catalog(cc))?;
    let cov = snapshot.coverage();
    if !cov.cluster_role_bindings.complete() || !cov.cluster_roles.complete() {
        return Err(CoreError::InvalidArgument(format!(
            "Another subject's rights need either the right to impersonate it or the right to read RBAC objects (ClusterRoles and ClusterRoleBindings); {} has neither.",
            cc.target.user
        )));
    }
    let mut scopes: Vec<MatrixScope> = namespaces
        .into_iter()
        .map(|name| MatrixScope::Namespace { name })
        .collect();
    if req.cluster {
        scopes.push(MatrixScope::Cluster);
    }
    let m = local_matrix(
        &snapshot,
        &user,
        &groups,
        resources_from_catalog(&catalog, true),
        &scopes,
        &[],
    );
    Ok(SubjectMatrix {
        subject: Some(subject.clone()),
        explanation: format!(
            "You may not impersonate this subject, so Loupe evaluated the RBAC objects itself: RBAC only (a webhook authorizer is not seen), and a binding you cannot read is missed. Groups assumed: {}.",
            groups.join(", ")
        ),
        user,
        groups,
        method: MatrixMethod::LocalRbac,
        matrix: m,
    })
}

/// Who may do `verb` on `resource` (`pods`, `pods/log`, `deployments.apps`, or a `/url`) in
/// `namespace` (`None`: cluster-wide), optionally on the object `name`. Needs the right to read
/// ClusterRoles and ClusterRoleBindings; the error says so plainly otherwise.
pub async fn who_can(
    cache: &RbacCache,
    cc: &ContextClient,
    verb: &str,
    resource: &str,
    namespace: Option<&str>,
    name: Option<&str>,
) -> Result<WhoCan, CoreError> {
    let (snapshot, _) = cache.snapshot(cc).await?;
    let c = snapshot.coverage();
    if !c.cluster_roles.complete() || !c.cluster_role_bindings.complete() {
        return Err(CoreError::InvalidArgument(format!(
            "Who-can reads every binding and role of the cluster, and {} may not read ClusterRoles or ClusterRoleBindings. Ask for a role that can (for example the built-in \"view\" does not; a ClusterRole with get/list on rbac.authorization.k8s.io does), or check one subject at a time with the matrix.",
            cc.target.user
        )));
    }
    let resource = resource.trim();
    let (target, sub) = match resource.split_once('/') {
        Some((t, s)) if !resource.starts_with('/') => (t, Some(s)),
        _ => (resource, None),
    };
    let catalog = if target.starts_with('/') {
        std::sync::Arc::new(super::ApiCatalog::default())
    } else {
        cache.catalog(cc).await?
    };
    let plan = review::plan_action(
        &catalog,
        verb.trim(),
        target,
        name.filter(|n| !n.is_empty()),
        sub.filter(|s| !s.is_empty()),
        namespace.filter(|n| !n.is_empty()),
    )?;
    let mut wc = snapshot.who_can(&plan.action);
    wc.caveats.splice(0..0, plan.warnings);
    Ok(wc)
}

/// The RBAC objects for the Browse part of the view.
pub async fn browse(cache: &RbacCache, cc: &ContextClient) -> Result<RbacBrowse, CoreError> {
    let (s, age) = cache.snapshot(cc).await?;
    Ok(RbacBrowse {
        overview: s.overview(),
        subjects: s.subjects(),
        graph: s.graph(None),
        age_secs: age.as_secs(),
    })
}

/// Where exports go: `$XDG_DOWNLOAD_DIR`, else `~/Downloads` (as log downloads).
fn export_path(context: &str, label: &str, format: ExportFormat, dir: &Path) -> PathBuf {
    let ext = match format {
        ExportFormat::Csv => "csv",
        ExportFormat::Json => "json",
    };
    let now = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S");
    dir.join(format!(
        "access_{}_{}_{now}.{ext}",
        file_part(context),
        file_part(label)
    ))
}

/// Writes `m` as CSV or JSON ([`to_csv`], [`to_json`]) to `dir` (default: the Downloads folder),
/// mode 0600, named after the context, the subject and the time. Returns the file.
pub fn export_matrix(
    m: &AccessMatrix,
    format: ExportFormat,
    context: &str,
    label: &str,
    dir: Option<&Path>,
) -> Result<PathBuf, CoreError> {
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => crate::logs::download_dir().ok_or_else(no_download_dir)?,
    };
    let io = |p: &Path, e: std::io::Error| {
        CoreError::InvalidArgument(format!("cannot write {}: {e}", p.display()))
    };
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let path = export_path(context, label, format, &dir);
    let text = match format {
        ExportFormat::Csv => to_csv(m),
        ExportFormat::Json => to_json(m),
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(&path).map_err(|e| io(&path, e))?;
    std::io::Write::write_all(&mut f, text.as_bytes()).map_err(|e| io(&path, e))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_map_to_the_user_and_groups_the_server_would_see() {
        let sa = SubjectRef {
            kind: SubjectKind::ServiceAccount,
            name: "ci-bot".into(),
            namespace: Some("team-a".into()),
        };
        let (u, g) = subject_user(&sa);
        assert_eq!(u, "system:serviceaccount:team-a:ci-bot");
        assert_eq!(
            g,
            [
                "system:serviceaccounts",
                "system:serviceaccounts:team-a",
                "system:authenticated"
            ]
        );
        let checks = impersonation_checks(&sa);
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].resource, "serviceaccounts");
        assert_eq!(checks[0].namespace, "team-a");
        let group = SubjectRef {
            kind: SubjectKind::Group,
            name: "devs".into(),
            namespace: None,
        };
        assert_eq!(subject_user(&group).1, ["devs", "system:authenticated"]);
        assert_eq!(impersonation_checks(&group).len(), 2);
    }

    #[test]
    fn export_writes_a_private_file_with_cores_csv() {
        let dir = tempfile::tempdir().unwrap();
        let m = AccessMatrix {
            subject: Some("x".into()),
            superuser: false,
            verbs: vec!["get".into()],
            resources: Vec::new(),
            scopes: Vec::new(),
            non_resource: Vec::new(),
            risks: Vec::new(),
            notes: Vec::new(),
            stats: Default::default(),
        };
        let p = export_matrix(&m, ExportFormat::Csv, "ctx/a", "me", Some(dir.path())).unwrap();
        assert!(
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("access_ctx_a_me_")
        );
        assert_eq!(std::fs::read_to_string(&p).unwrap(), to_csv(&m));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let j = export_matrix(&m, ExportFormat::Json, "c", "me", Some(dir.path())).unwrap();
        let back: AccessMatrix =
            serde_json::from_str(&std::fs::read_to_string(j).unwrap()).unwrap();
        assert_eq!(back, m);
    }
}
