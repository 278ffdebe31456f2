//! Resolution against the sandbox's aggregated discovery (captured from kube-apiserver v1.34.4
//! with the widgets CRD); expected results are what kubectl v1.32 did on the same server.

#![allow(clippy::unwrap_used)]

use super::*;

fn sandbox() -> ApiDiscovery {
    let api: APIGroupDiscoveryList =
        serde_json::from_str(include_str!("../testdata/aggregated-api.json")).unwrap();
    let apis: APIGroupDiscoveryList =
        serde_json::from_str(include_str!("../testdata/aggregated-apis.json")).unwrap();
    from_aggregated(&[api, apis])
}

fn gvr(d: &ApiDiscovery, arg: &str) -> String {
    let r = resolve(d, arg)
        .unwrap_or_else(|e| panic!("{arg}: {e}"))
        .resource;
    format!("{}/{}/{}", r.group, r.version, r.plural)
}

#[test]
fn model_fields() {
    let d = sandbox();
    assert!(d.aggregated);
    assert!(d.failures.is_empty());
    let pods = d.find("", "pods").unwrap();
    assert_eq!(pods.kind, "Pod");
    assert_eq!(pods.singular, "pod");
    assert_eq!(pods.short_names, ["po"]);
    assert!(pods.namespaced);
    assert!(pods.supports("watch"));
    assert!(pods.subresources.contains(&"log".to_string()));
    assert_eq!(pods.categories, ["all"]);
    assert_eq!(pods.category, ResourceCategory::Workloads);
    let w = d.find("demo.loupe.dev", "widgets").unwrap();
    assert_eq!(
        (
            w.kind.as_str(),
            w.version.as_str(),
            w.short_names.as_slice()
        ),
        ("Widget", "v1alpha1", &["wdg".to_string()][..])
    );
    assert_eq!(w.category, ResourceCategory::CustomResources);
    assert_eq!(w.kind_prefix(), "widget.demo.loupe.dev");
    assert_eq!(
        d.find("apiextensions.k8s.io", "customresourcedefinitions")
            .unwrap()
            .category,
        ResourceCategory::CustomResources
    );
    assert!(!d.find("", "nodes").unwrap().namespaced);
    // autoscaling serves v2 (preferred) and v1.
    let hpas: Vec<_> = d
        .resources
        .iter()
        .filter(|r| r.plural == "horizontalpodautoscalers")
        .map(|r| (r.version.as_str(), r.preferred))
        .collect();
    assert_eq!(hpas, [("v2", true), ("v1", false)]);
    // No subresource appears as a resource of its own.
    assert!(d.resources.iter().all(|r| !r.plural.contains('/')));
}

#[test]
fn sidebar_sections() {
    let d = sandbox();
    let sidebar = d.sidebar();
    let names = |cat: ResourceCategory| -> Vec<String> {
        sidebar
            .iter()
            .find(|(c, _)| *c == cat)
            .map(|(_, rs)| rs.iter().map(|r| r.kind.clone()).collect())
            .unwrap_or_default()
    };
    let workloads = names(ResourceCategory::Workloads);
    for k in [
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "Job",
        "CronJob",
    ] {
        assert!(workloads.contains(&k.to_string()), "{k} in {workloads:?}");
    }
    assert!(names(ResourceCategory::Network).contains(&"Ingress".to_string()));
    assert!(names(ResourceCategory::Config).contains(&"ConfigMap".to_string()));
    assert!(names(ResourceCategory::Storage).contains(&"StorageClass".to_string()));
    assert!(names(ResourceCategory::AccessControl).contains(&"ClusterRole".to_string()));
    assert!(names(ResourceCategory::Cluster).contains(&"Node".to_string()));
    assert!(names(ResourceCategory::Cluster).contains(&"Namespace".to_string()));
    assert_eq!(
        names(ResourceCategory::CustomResources),
        ["CustomResourceDefinition", "Widget"]
    );
    // Not listable: reviews and bindings are left out.
    assert!(!names(ResourceCategory::Cluster).contains(&"SelfSubjectReview".to_string()));
    // One entry per kind (events exist in two groups, both listed once).
    let events = names(ResourceCategory::Cluster)
        .iter()
        .filter(|k| *k == "Event")
        .count();
    assert_eq!(events, 2);
}

#[test]
fn resolves_like_kubectl() {
    let d = sandbox();
    for (arg, want) in [
        ("pods", "/v1/pods"),
        ("pod", "/v1/pods"),
        ("po", "/v1/pods"),
        ("PODS", "/v1/pods"),
        ("Pod", "/v1/pods"),
        ("svc", "/v1/services"),
        ("ns", "/v1/namespaces"),
        ("no", "/v1/nodes"),
        ("sa", "/v1/serviceaccounts"),
        ("cm", "/v1/configmaps"),
        ("deploy", "apps/v1/deployments"),
        ("deploy.apps", "apps/v1/deployments"),
        ("deployments.apps", "apps/v1/deployments"),
        ("deployments.v1.apps", "apps/v1/deployments"),
        ("Deployment.apps", "apps/v1/deployments"),
        ("Deployment.v1.apps", "apps/v1/deployments"),
        ("deployment.v1.apps", "apps/v1/deployments"),
        ("rs", "apps/v1/replicasets"),
        ("hpa", "autoscaling/v2/horizontalpodautoscalers"),
        (
            "horizontalpodautoscalers.v1.autoscaling",
            "autoscaling/v1/horizontalpodautoscalers",
        ),
        ("hpa.autoscal", "autoscaling/v2/horizontalpodautoscalers"),
        ("events", "/v1/events"),
        ("events.events.k8s.io", "events.k8s.io/v1/events"),
        ("crd", "apiextensions.k8s.io/v1/customresourcedefinitions"),
        ("crds", "apiextensions.k8s.io/v1/customresourcedefinitions"),
        ("widgets", "demo.loupe.dev/v1alpha1/widgets"),
        ("widget", "demo.loupe.dev/v1alpha1/widgets"),
        ("wdg", "demo.loupe.dev/v1alpha1/widgets"),
        ("wdg.demo", "demo.loupe.dev/v1alpha1/widgets"),
        ("Widget", "demo.loupe.dev/v1alpha1/widgets"),
        ("widgets.demo.loupe.dev", "demo.loupe.dev/v1alpha1/widgets"),
        (
            "widgets.v1alpha1.demo.loupe.dev",
            "demo.loupe.dev/v1alpha1/widgets",
        ),
        ("Widget.demo.loupe.dev", "demo.loupe.dev/v1alpha1/widgets"),
        ("roles", "rbac.authorization.k8s.io/v1/roles"),
        ("clusterrole", "rbac.authorization.k8s.io/v1/clusterroles"),
    ] {
        assert_eq!(gvr(&d, arg), want, "{arg}");
    }
}

#[test]
fn ambiguous_short_name_warns_like_kubectl() {
    let d = sandbox();
    let r = resolve(&d, "ev").unwrap();
    assert_eq!(r.resource.group, "");
    assert_eq!(
        r.warnings,
        ["short name \"ev\" could also match lower priority resource events.events.k8s.io"]
    );
    assert!(resolve(&d, "events").unwrap().warnings.is_empty());
}

#[test]
fn unknown_kinds_fail_with_kubectls_words() {
    let d = sandbox();
    for (arg, named) in [
        ("foo", "foo"),
        ("foo.bar", "foo"),
        ("widgets.v1.demo.loupe.dev", "widgets"),
        ("po.apps", "po"),
    ] {
        let err = resolve(&d, arg).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("the server doesn't have a resource type \"{named}\""),
            "{arg}"
        );
    }
}

#[test]
fn categories_expand_in_discovery_order() {
    let d = sandbox();
    assert_eq!(
        expand_category(&d, "all").unwrap(),
        [
            "pods",
            "replicationcontrollers",
            "services",
            "daemonsets.apps",
            "deployments.apps",
            "replicasets.apps",
            "statefulsets.apps",
            "horizontalpodautoscalers.autoscaling",
            "cronjobs.batch",
            "jobs.batch",
        ]
    );
    assert_eq!(
        expand_category(&d, "loupe").unwrap(),
        ["widgets.demo.loupe.dev"]
    );
    assert!(expand_category(&d, "pods").is_none());
}
