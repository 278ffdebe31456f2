//! Objects as the detail panel shows them.

use serde_json::Value;

/// `kubectl get -o yaml` of `object`, with `metadata.managedFields` left out unless
/// `managed_fields` (they are long and rarely what a reader wants; kubectl also hides them by
/// default since 1.21).
pub fn object_yaml(mut object: Value, managed_fields: bool) -> String {
    if !managed_fields && let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut)
    {
        meta.remove("managedFields");
    }
    super::print::yaml_text(&object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn managed_fields_are_folded_unless_asked() {
        let obj = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "managedFields": [{"manager": "kubectl"}]}});
        let folded = object_yaml(obj.clone(), false);
        assert!(!folded.contains("managedFields"), "{folded}");
        assert!(folded.contains("name: p"), "{folded}");
        assert!(object_yaml(obj, true).contains("manager: kubectl"));
    }
}
