//! Which changes the user may make, asked of the API server (one SelfSubjectAccessReview per
//! action, in parallel), with the built-in role that would grant a denied one when the cluster's
//! roles are readable.

use crate::CoreError;
use crate::cluster::ContextClient;
use crate::rbac::{RbacCache, can_i};
use futures::future::join_all;
use loupe_model::changes::{ActionPermissions, ChangeVerb, Permission, restartable, scalable};
use loupe_model::rbac::{AccessFocus, Action, Attributes};
use loupe_model::resources::ApiResource;

/// The access review for `verb` on `target` (the request Loupe sends for it).
pub fn action_for(
    verb: ChangeVerb,
    r: &ApiResource,
    namespace: Option<&str>,
    name: &str,
) -> Action {
    let (v, sub) = match verb {
        // Loupe's edit is a PUT.
        ChangeVerb::Edit => ("update", ""),
        ChangeVerb::Create => ("create", ""),
        ChangeVerb::Delete => ("delete", ""),
        ChangeVerb::Scale => ("patch", "scale"),
        ChangeVerb::Restart => ("patch", ""),
    };
    Action {
        verb: v.into(),
        api_group: r.group.clone(),
        resource: r.plural.clone(),
        subresource: sub.into(),
        name: if verb == ChangeVerb::Create {
            String::new()
        } else {
            name.to_string()
        },
        namespace: if r.namespaced {
            namespace.unwrap_or_default().to_string()
        } else {
            String::new()
        },
        non_resource_url: None,
    }
}

/// `delete on pods in team-b`, `patch on deployments.apps/scale in team-b`, `list on nodes
/// (cluster-wide)`.
pub fn needs_text(a: &Action) -> String {
    let mut res = if a.api_group.is_empty() {
        a.resource.clone()
    } else {
        format!("{}.{}", a.resource, a.api_group)
    };
    if !a.subresource.is_empty() {
        res = format!("{res}/{}", a.subresource);
    }
    let scope = if a.namespace.is_empty() {
        "(cluster-wide)".to_string()
    } else {
        format!("in {}", a.namespace)
    };
    format!("{} on {res} {scope}", a.verb)
}

/// Answers one review per action; denied ones get the built-in role that would grant them when
/// Loupe can read the cluster's roles.
pub async fn check(
    cc: &ContextClient,
    cache: &RbacCache,
    actions: Vec<(ChangeVerb, Action)>,
) -> Result<Vec<(ChangeVerb, Permission)>, CoreError> {
    let reviews = join_all(actions.iter().map(|(_, a)| can_i(cc, a))).await;
    let mut out = Vec::new();
    for ((verb, action), review) in actions.iter().zip(reviews) {
        let review = review?;
        out.push((
            *verb,
            Permission {
                allowed: review.allowed,
                needs: needs_text(action),
                granted_by: None,
                reason: review.reason,
                focus: AccessFocus::from_action(action),
            },
        ));
    }
    if out.iter().any(|(_, p)| !p.allowed) {
        explain_denied(cc, cache, &actions, &mut out).await;
    }
    Ok(out)
}

/// Fills `granted_by` of denied permissions from the local RBAC evaluator (the RBAC objects
/// come from the per-context cache the Access view uses). Best effort: a user who may not read
/// ClusterRoles gets no suggestion.
async fn explain_denied(
    cc: &ContextClient,
    cache: &RbacCache,
    actions: &[(ChangeVerb, Action)],
    out: &mut [(ChangeVerb, Permission)],
) {
    let Some((user, groups)) = crate::rbac::whoami::self_review_user(cc).await else {
        return;
    };
    let Ok((snapshot, _)) = cache.snapshot(cc).await else {
        return;
    };
    for ((_, action), (_, p)) in actions.iter().zip(out.iter_mut()) {
        if p.allowed {
            continue;
        }
        let d = snapshot.why(&Attributes {
            user: user.clone(),
            groups: groups.clone(),
            action: action.clone(),
        });
        if let Some(g) = d.would_grant.first() {
            p.granted_by = Some(format!(
                "The built-in role {} would grant it: {}",
                g.role, g.command
            ));
        }
    }
}

/// The actions `r` supports for one object, and whether the user may run each.
pub async fn object_permissions(
    cc: &ContextClient,
    cache: &RbacCache,
    r: &ApiResource,
    namespace: Option<&str>,
    name: &str,
) -> Result<ActionPermissions, CoreError> {
    let mut verbs = Vec::new();
    if r.supports("update") {
        verbs.push(ChangeVerb::Edit);
    }
    if r.supports("delete") {
        verbs.push(ChangeVerb::Delete);
    }
    if scalable(r) {
        verbs.push(ChangeVerb::Scale);
    }
    if restartable(r) {
        verbs.push(ChangeVerb::Restart);
    }
    let actions = verbs
        .into_iter()
        .map(|v| (v, action_for(v, r, namespace, name)))
        .collect();
    Ok(ActionPermissions {
        actions: check(cc, cache, actions).await?,
    })
}

/// Whether the user may create objects of `r` in `namespace`.
pub async fn create_permission(
    cc: &ContextClient,
    cache: &RbacCache,
    r: &ApiResource,
    namespace: Option<&str>,
) -> Result<Permission, CoreError> {
    let a = action_for(ChangeVerb::Create, r, namespace, "");
    let mut p = check(cc, cache, vec![(ChangeVerb::Create, a)]).await?;
    Ok(p.remove(0).1)
}

/// For each of `resources`, whether the user may list it (in `namespace` for namespaced kinds;
/// cluster-wide for the others or when `namespace` is `None`). Only the denied ones are
/// returned, keyed by `resource.group`.
pub async fn list_denied(
    cc: &ContextClient,
    resources: &[ApiResource],
    namespace: Option<&str>,
) -> Result<Vec<(String, Permission)>, CoreError> {
    let actions: Vec<Action> = resources
        .iter()
        .map(|r| Action {
            verb: "list".into(),
            api_group: r.group.clone(),
            resource: r.plural.clone(),
            namespace: if r.namespaced {
                namespace.unwrap_or_default().to_string()
            } else {
                String::new()
            },
            ..Default::default()
        })
        .collect();
    let mut out = Vec::new();
    // 16 reviews in flight, like kubectl's parallelism for similar work.
    for chunk in actions.chunks(16).zip(resources.chunks(16)) {
        let answers = join_all(chunk.0.iter().map(|a| can_i(cc, a))).await;
        for ((a, r), review) in chunk.0.iter().zip(chunk.1).zip(answers) {
            let review = review?;
            if !review.allowed {
                out.push((
                    r.group_resource(),
                    Permission {
                        allowed: false,
                        needs: needs_text(a),
                        granted_by: None,
                        reason: review.reason,
                        focus: AccessFocus::from_action(a),
                    },
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_text_names_verb_resource_and_scope() {
        let a = Action {
            verb: "delete".into(),
            resource: "pods".into(),
            namespace: "team-b".into(),
            ..Default::default()
        };
        assert_eq!(needs_text(&a), "delete on pods in team-b");
        let a = Action {
            verb: "patch".into(),
            api_group: "apps".into(),
            resource: "deployments".into(),
            subresource: "scale".into(),
            namespace: "x".into(),
            ..Default::default()
        };
        assert_eq!(needs_text(&a), "patch on deployments.apps/scale in x");
        let a = Action {
            verb: "list".into(),
            resource: "nodes".into(),
            ..Default::default()
        };
        assert_eq!(needs_text(&a), "list on nodes (cluster-wide)");
    }
}
