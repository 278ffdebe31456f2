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

pub mod eval;
pub mod matrix;
pub mod resolve;
pub mod review;
pub mod whoami;

pub use eval::RbacSnapshot;
pub use matrix::matrix;
pub use resolve::ApiCatalog;
pub use review::{can_i, rules, subject_access_review};
pub use whoami::whoami;
