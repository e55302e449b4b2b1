//! Which ephemeral-container patches go with which workload when several
//! workloads are annotated: a patch belongs to the workloads whose volumes
//! it mounts or whose containers it targets, and to no other. (The lookup
//! is indexed by name; `benches/scaling.rs` measures it at 100 and 800
//! workloads with a patch each.)
#![cfg(feature = "k8s")]

use core_pattern::k8s::{CheckOptions, ManifestSet, check};

const EMPTYDIR: &str = include_str!("data/manifests/acs-emptydir.yaml");
const PATCH_FIXED: &str = include_str!("data/manifests/acs-ephemeral-patch-fixed.json");

/// The seed Deployment renamed to `name`, its container to `container` and
/// its volume to `volume`.
fn workload(name: &str, container: &str, volume: &str) -> String {
    EMPTYDIR
        .replace("coredump-emptydir-volume-test", name)
        .replace("- name: nginx", &format!("- name: {container}"))
        .replace("emptydir-volume", volume)
}

fn patch(target: &str, volume: &str) -> String {
    PATCH_FIXED
        .replace("\"target-container\"", &format!("\"{target}\""))
        .replace("emptydir-volume", volume)
}

/// (finding name, object) pairs of the report on these inputs.
fn findings(inputs: &[(&str, String)]) -> Vec<(String, String)> {
    let mut set = ManifestSet::default();
    for (name, text) in inputs {
        set.add(name, text).expect("parses");
    }
    check(&set, &CheckOptions::default())
        .findings
        .iter()
        .map(|f| (f.name.to_string(), f.object.clone()))
        .collect()
}

#[test]
fn a_patch_applied_twice_is_reported_on_its_own_workload_only() {
    let inputs = [
        ("a.yaml", workload("app-a", "web-a", "cores-a")),
        ("b.yaml", workload("app-b", "web-b", "cores-b")),
        ("c.yaml", workload("app-c", "web-c", "cores-c")),
        // Both copies target app-b's container and mount app-b's volume.
        ("first.json", patch("web-b", "cores-b")),
        ("second.json", patch("web-b", "cores-b")),
    ];
    let dup: Vec<_> = findings(&inputs)
        .into_iter()
        .filter(|(n, _)| n == "ephemeral-name-duplicate")
        .collect();
    assert_eq!(
        dup,
        [(
            "ephemeral-name-duplicate".to_string(),
            "Deployment/default/app-b".to_string()
        )]
    );
}

#[test]
fn a_patch_goes_with_the_workload_it_targets_or_whose_volume_it_mounts() {
    // The first copy targets app-a's container (and mounts a volume no one
    // has); the second mounts app-a's volume (and targets no container of
    // app-a): both belong to app-a, so their names collide there.
    let inputs = [
        ("a.yaml", workload("app-a", "web-a", "cores-a")),
        ("b.yaml", workload("app-b", "web-b", "cores-b")),
        ("first.json", patch("web-a", "elsewhere")),
        ("second.json", patch("nobody", "cores-a")),
    ];
    let objects: Vec<String> = findings(&inputs)
        .into_iter()
        .filter(|(n, _)| n == "ephemeral-name-duplicate")
        .map(|(_, o)| o)
        .collect();
    assert_eq!(objects, ["Deployment/default/app-a"]);
}
