//! Who am I, what may I do, why, and who else may: access reviews and a local RBAC evaluator
//! with the API server's semantics.
//!
//! - [`whoami`]: the identity the API server sees (SelfSubjectReview) and how the kubeconfig
//!   established it.
//! - [`review`]: SelfSubjectAccessReview ([`can_i`]), SubjectAccessReview,
//!   SelfSubjectRulesReview ([`rules`]) and `kubectl auth can-i`'s argument handling and output.
//! - [`eval`]: [`RbacSnapshot`], the RBAC objects of a cluster evaluated locally exactly as the
//!   API server's RBAC authorizer does ([`RbacSnapshot::why`], [`RbacSnapshot::who_can`]).
//! - [`matrix`]: the access matrix (resources × verbs per namespace) from one rules review per
//!   namespace, with access reviews only where those cannot settle a cell.
//!
//! Everything returned to the UI is a `loupe_model::rbac` type.

pub mod cache;
pub mod eval;
pub mod matrix;
pub mod resolve;
pub mod review;
pub mod subject;
pub mod whoami;

pub use cache::RbacCache;
pub use eval::RbacSnapshot;
pub use matrix::matrix;
pub use resolve::ApiCatalog;
pub use review::{can_i, rules, subject_access_review};
pub use whoami::whoami;

use crate::CoreError;
use crate::cluster::ContextClient;
use loupe_model::rbac::{Attributes, CheckedDecision};

/// Explains an action locally ([`RbacSnapshot::why`]) and asks the API server the same question,
/// flagging any disagreement (a webhook or Node authorizer, or RBAC objects changed meanwhile).
///
/// `as_self`: the attributes are the caller's own (a SelfSubjectAccessReview, which every user
/// may send); otherwise a SubjectAccessReview is sent, and when the caller may not, the decision
/// comes back without a review.
pub async fn explain(
    cc: &ContextClient,
    snapshot: &RbacSnapshot,
    attributes: &Attributes,
    as_self: bool,
) -> Result<CheckedDecision, CoreError> {
    let decision = snapshot.why(attributes);
    let review = if as_self {
        Some(can_i(cc, &attributes.action).await?)
    } else {
        match subject_access_review(cc, attributes).await {
            Ok(r) => Some(r),
            Err(e) if e.api_status().is_some_and(|s| s.code == 403) => None,
            Err(e) => return Err(e),
        }
    };
    let agrees = review.as_ref().map(|r| r.allowed == decision.allowed);
    let note = match (&review, agrees) {
        (None, _) => Some("You may not create SubjectAccessReviews, so the API server could not confirm this; it is RBAC only.".to_string()),
        (Some(r), Some(false)) if r.allowed => Some("The API server allows it although no RBAC rule does: another authorizer (a webhook, the Node authorizer) allowed it, or a binding was added meanwhile.".to_string()),
        (Some(_), Some(false)) => Some("The API server denies what RBAC allows: an authorizer before RBAC (a webhook) denied it, or a binding was removed meanwhile.".to_string()),
        _ => None,
    };
    Ok(CheckedDecision {
        decision,
        review,
        agrees,
        note,
    })
}
