//! Who am I, what may I do, why, and who else may: access reviews and a local RBAC evaluator
//! with the API server's semantics.
