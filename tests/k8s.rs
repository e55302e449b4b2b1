//! The Kubernetes manifest checker (`check`, `try_check`) and the
//! ephemeral-container patch generator (`ephemeral_patch`), against
//! checks A1–A12 of `shared/spec/annotation.md`.
//!
//! - The seed's three set-ups (tests/data/manifests/) have no errors; the
//!   document's ephemeral patch body is invalid JSON and targets a
//!   placeholder container; the generated patch round-trips clean.
//! - Every name in `FINDING_NAMES` fires on one small manifest, with its exact
//!   severity, object, container and path, and stays quiet on a close one.
//! - Workload kinds, annotation keys, multi-document and `kind: List` input,
//!   namespaces, path normalisation and `subPath`.
//! - Malformed input is a `ManifestError` naming the document and the field,
//!   never a panic.
//! - The JSON shape of a report; `normalize_path` and `parse_quantity`.

use core_pattern::KernelProfile;
use core_pattern::k8s::{
    ACS_ANNOTATION, CheckOptions, ECI_ANNOTATION, FINDING_NAMES, MAX_DOCUMENTS, MAX_MANIFEST_BYTES,
    ManifestError, ManifestSet, PatchError, PatchOptions, check, ephemeral_patch, normalize_path,
    parse_quantity, try_check,
};
use core_pattern::k8s::{Finding as ManifestFinding, Report as ManifestReport};
use core_pattern::lint::Severity;
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------
// The seed's files

const NAS: &str = include_str!("data/manifests/acs-nas.yaml");
const OSS: &str = include_str!("data/manifests/acs-oss.yaml");
const EMPTYDIR: &str = include_str!("data/manifests/acs-emptydir.yaml");
const PATCH: &str = include_str!("data/manifests/acs-ephemeral-patch.json");
const PATCH_FIXED: &str = include_str!("data/manifests/acs-ephemeral-patch-fixed.json");

const SEED_ANN: &str = "spec.template.metadata.annotations[\"alibabacloud.com/core-pattern\"]";

// ---------------------------------------------------------------------------
// Building manifests

/// A clean pattern: fixed directory, %h and %t for unique names, no %E.
const GOOD: &str = "/data/dump-a/core-%e-%h-%t";
/// The pattern's directory as the document mounts it (trailing slash).
const MOUNT: &str = "/data/dump-a/";
/// Where the ACS annotation sits on a workload's pod template.
const ANN: &str = "spec.template.metadata.annotations[\"alibabacloud.com/core-pattern\"]";
/// The default workload's object string.
const OBJ: &str = "Deployment/default/app";

fn mount(volume: &str, path: &str) -> Value {
    json!({ "name": volume, "mountPath": path })
}

fn ctr(name: &str, mounts: Vec<Value>) -> Value {
    json!({ "name": name, "image": "app:1", "volumeMounts": mounts })
}

fn nas(name: &str) -> Value {
    json!({
        "name": name,
        "csi": {
            "driver": "nasplugin.csi.alibabacloud.com",
            "volumeAttributes": { "server": "nas.example.com", "path": "/" }
        }
    })
}

fn empty_dir(name: &str) -> Value {
    json!({ "name": name, "emptyDir": {} })
}

fn pvc_volume(name: &str, claim: &str) -> Value {
    json!({ "name": name, "persistentVolumeClaim": { "claimName": claim } })
}

fn pvc(name: &str, mode: &str) -> String {
    format!(
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {name}\nspec:\n  accessModes: [{mode}]\n  resources: {{requests: {{storage: 50Gi}}}}\n"
    )
}

/// One workload with one pod template, written as YAML (block style for the
/// object, flow style for the annotations and the pod spec).
#[derive(Clone)]
struct W {
    kind: &'static str,
    name: &'static str,
    namespace: Option<&'static str>,
    /// `spec.replicas` (`spec.parallelism` for a Job; ignored for a Pod and
    /// a DaemonSet).
    replicas: Option<i64>,
    key: String,
    /// The annotation's value (`None`: no annotation).
    pattern: Option<Value>,
    /// Put the annotation on the workload's own metadata, not the pod's.
    on_workload: bool,
    containers: Vec<Value>,
    init_containers: Vec<Value>,
    ephemeral: Vec<Value>,
    volumes: Vec<Value>,
}

/// A workload of `kind` with pattern `pattern`, `replicas`, `volumes`, and
/// one container `app` with `mounts`.
fn workload(
    kind: &'static str,
    pattern: &str,
    replicas: Option<i64>,
    volumes: Vec<Value>,
    mounts: Vec<Value>,
) -> W {
    W {
        kind,
        name: "app",
        namespace: None,
        replicas,
        key: ACS_ANNOTATION.into(),
        pattern: Some(json!(pattern)),
        on_workload: false,
        containers: vec![ctr("app", mounts)],
        init_containers: Vec::new(),
        ephemeral: Vec::new(),
        volumes,
    }
}

/// A Deployment with a NAS volume `cores` mounted at `/data/dump-a/`.
fn deployment(pattern: &str, replicas: i64) -> W {
    workload(
        "Deployment",
        pattern,
        Some(replicas),
        vec![nas("cores")],
        vec![mount("cores", MOUNT)],
    )
}

/// A Pod with an emptyDir `cores` mounted at `/data/dump-a/`.
fn pod(pattern: &str) -> W {
    workload(
        "Pod",
        pattern,
        None,
        vec![empty_dir("cores")],
        vec![mount("cores", MOUNT)],
    )
}

fn flow(v: &Value) -> String {
    serde_json::to_string(v).unwrap()
}

impl W {
    fn yaml(&self) -> String {
        let ann = self.pattern.as_ref().map(|p| {
            let mut m = Map::new();
            m.insert(self.key.clone(), p.clone());
            Value::Object(m)
        });
        let mut spec = json!({ "containers": self.containers });
        if !self.init_containers.is_empty() {
            spec["initContainers"] = json!(self.init_containers);
        }
        if !self.ephemeral.is_empty() {
            spec["ephemeralContainers"] = json!(self.ephemeral);
        }
        if !self.volumes.is_empty() {
            spec["volumes"] = json!(self.volumes);
        }
        let api = match self.kind {
            "Pod" => "v1",
            "Job" | "CronJob" => "batch/v1",
            _ => "apps/v1",
        };
        let mut out = format!(
            "apiVersion: {api}\nkind: {}\nmetadata:\n  name: {}\n",
            self.kind, self.name
        );
        if let Some(ns) = self.namespace {
            out += &format!("  namespace: {ns}\n");
        }
        let (own, pod) = if self.kind == "Pod" || !self.on_workload {
            (None, ann)
        } else {
            (ann, None)
        };
        if self.kind == "Pod" {
            if let Some(a) = &pod {
                out += &format!("  annotations: {}\n", flow(a));
            }
            out += &format!("spec: {}\n", flow(&spec));
            return out;
        }
        if let Some(a) = &own {
            out += &format!("  annotations: {}\n", flow(a));
        }
        let template = |indent: &str| {
            let mut s = format!(
                "{indent}template:\n{indent}  metadata:\n{indent}    labels: {{app: {}}}\n",
                self.name
            );
            if let Some(a) = &pod {
                s += &format!("{indent}    annotations: {}\n", flow(a));
            }
            s += &format!("{indent}  spec: {}\n", flow(&spec));
            s
        };
        out += "spec:\n";
        match self.kind {
            "CronJob" => {
                out += "  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n";
                out += &template("      ");
            }
            "Job" => {
                if let Some(r) = self.replicas {
                    out += &format!("  parallelism: {r}\n");
                }
                out += &template("  ");
            }
            kind => {
                if let (Some(r), false) = (self.replicas, kind == "DaemonSet") {
                    out += &format!("  replicas: {r}\n");
                }
                out += &format!("  selector:\n    matchLabels: {{app: {}}}\n", self.name);
                out += &template("  ");
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Running and asserting

fn set_of(inputs: &[(&str, &str)]) -> ManifestSet {
    let mut set = ManifestSet::default();
    for (name, text) in inputs {
        set.add(name, text)
            .unwrap_or_else(|e| panic!("{e}\n--- input {name}:\n{text}"));
    }
    set
}

fn run_set(inputs: &[(&str, &str)], opts: &CheckOptions) -> ManifestReport {
    let set = set_of(inputs);
    match try_check(&set, opts) {
        Ok(report) => {
            // `check` agrees with `try_check` on well-formed input.
            assert_eq!(check(&set, opts), report);
            report
        }
        // Malformed workloads: `check` reports them as `manifest-invalid`.
        Err(e) => {
            let report = check(&set, opts);
            assert!(
                report
                    .findings
                    .iter()
                    .any(|f| f.name == "manifest-invalid" && f.message == e.to_string()),
                "{e}"
            );
            report
        }
    }
}

fn run(yaml: &str) -> ManifestReport {
    run_set(&[("test.yaml", yaml)], &CheckOptions::default())
}

fn run_opts(yaml: &str, opts: &CheckOptions) -> ManifestReport {
    run_set(&[("test.yaml", yaml)], opts)
}

/// `(name, severity)` of every finding, sorted.
fn names(r: &ManifestReport) -> Vec<(&'static str, Severity)> {
    let mut v: Vec<_> = r.findings.iter().map(|f| (f.name, f.severity)).collect();
    v.sort();
    v
}

fn errors(r: &ManifestReport) -> Vec<&'static str> {
    r.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.name)
        .collect()
}

fn dump(r: &ManifestReport) -> String {
    r.findings
        .iter()
        .map(|f| format!("  {f}\n"))
        .collect::<String>()
}

/// The only finding called `name`.
fn only<'a>(r: &'a ManifestReport, name: &str) -> &'a ManifestFinding {
    let all: Vec<_> = r.findings.iter().filter(|f| f.name == name).collect();
    assert_eq!(all.len(), 1, "expected one {name}, got:\n{}", dump(r));
    all[0]
}

/// Exactly one finding `name`, with these fields.
#[track_caller]
fn assert_finding(
    r: &ManifestReport,
    name: &str,
    severity: Severity,
    object: &str,
    container: Option<&str>,
    path: &str,
) {
    let f = only(r, name);
    assert_eq!(
        (
            f.severity,
            f.object.as_str(),
            f.container.as_deref(),
            f.path.as_str()
        ),
        (severity, object, container, path),
        "{name}:\n{}",
        dump(r)
    );
    assert!(!f.message.is_empty() && !f.help.is_empty(), "{f}");
}

#[track_caller]
fn assert_none(r: &ManifestReport, name: &str) {
    assert!(
        r.findings.iter().all(|f| f.name != name),
        "unexpected {name}:\n{}",
        dump(r)
    );
}

fn kernel_6_1() -> CheckOptions {
    CheckOptions::new().with_kernel(KernelProfile::parse("6.1.192").unwrap())
}

// ---------------------------------------------------------------------------
// 1. The seed's set-ups

#[test]
fn seed_nas_has_only_the_percent_e_warning() {
    let r = run_set(&[("acs-nas.yaml", NAS)], &CheckOptions::default());
    assert_eq!(
        names(&r),
        [("name-too-long-risk", Severity::Warning)],
        "{}",
        dump(&r)
    );
    assert_finding(
        &r,
        "name-too-long-risk",
        Severity::Warning,
        "Deployment/default/coredump-nas-volume-test",
        None,
        SEED_ANN,
    );
}

#[test]
fn seed_oss_warns_about_percent_e_and_two_replicas_without_percent_h() {
    let r = run_set(&[("acs-oss.yaml", OSS)], &CheckOptions::default());
    let obj = "Deployment/default/coredump-oss-volume-test";
    assert_eq!(
        names(&r),
        [
            ("name-not-unique-across-pods", Severity::Warning),
            ("name-too-long-risk", Severity::Warning),
        ],
        "{}",
        dump(&r)
    );
    assert_finding(
        &r,
        "name-not-unique-across-pods",
        Severity::Warning,
        obj,
        None,
        "spec.template.metadata.annotations",
    );
    assert_finding(
        &r,
        "name-too-long-risk",
        Severity::Warning,
        obj,
        None,
        SEED_ANN,
    );
    // The PVC is in the input (ReadWriteMany): neither pvc-not-found nor
    // pvc-not-read-write-many.
    assert_none(&r, "pvc-not-found");
    assert_none(&r, "pvc-not-read-write-many");
    assert_eq!(set_of(&[("acs-oss.yaml", OSS)]).documents().len(), 3);
}

#[test]
fn seed_emptydir_reminds_of_the_ephemeral_route() {
    let r = run_set(&[("acs-emptydir.yaml", EMPTYDIR)], &CheckOptions::default());
    let obj = "Deployment/default/coredump-emptydir-volume-test";
    assert_eq!(
        names(&r),
        [
            ("emptydir-needs-ephemeral-route", Severity::Info),
            ("name-too-long-risk", Severity::Warning),
        ],
        "{}",
        dump(&r)
    );
    assert_finding(
        &r,
        "emptydir-needs-ephemeral-route",
        Severity::Info,
        obj,
        Some("nginx"),
        "spec.template.spec.volumes[0].emptyDir",
    );
    // Two replicas, but an emptyDir is per pod: no collision across pods.
    assert_none(&r, "name-not-unique-across-pods");
}

#[test]
fn seed_all_three_together_have_no_errors() {
    let r = run_set(
        &[
            ("nas.yaml", NAS),
            ("oss.yaml", OSS),
            ("emptydir.yaml", EMPTYDIR),
        ],
        &CheckOptions::default(),
    );
    assert!(!r.has_errors(), "{}", dump(&r));
    assert_eq!(r.findings.len(), 5, "{}", dump(&r));
    // Grouped by object in input order.
    let objects: Vec<&str> = r.findings.iter().map(|f| f.object.as_str()).collect();
    assert_eq!(
        objects,
        [
            "Deployment/default/coredump-nas-volume-test",
            "Deployment/default/coredump-oss-volume-test",
            "Deployment/default/coredump-oss-volume-test",
            "Deployment/default/coredump-emptydir-volume-test",
            "Deployment/default/coredump-emptydir-volume-test",
        ]
    );
}

#[test]
fn seed_patch_body_is_invalid_json_and_targets_a_placeholder() {
    let r = run_set(
        &[
            ("acs-emptydir.yaml", EMPTYDIR),
            ("acs-ephemeral-patch.json", PATCH),
        ],
        &CheckOptions::default(),
    );
    let obj = "Deployment/default/coredump-emptydir-volume-test";
    assert_eq!(
        names(&r),
        [
            ("emptydir-needs-ephemeral-route", Severity::Info),
            ("ephemeral-target-missing", Severity::Error),
            ("name-too-long-risk", Severity::Warning),
            ("patch-invalid-json", Severity::Error),
        ],
        "{}",
        dump(&r)
    );
    let f = only(&r, "patch-invalid-json");
    assert_eq!(f.object, obj);
    assert_eq!(f.container, None);
    // The `#` comment after `"target-container",`.
    assert_eq!(f.path, "acs-ephemeral-patch.json line 14 column 52");
    assert_finding(
        &r,
        "ephemeral-target-missing",
        Severity::Error,
        obj,
        Some("debugger-container-name"),
        "acs-ephemeral-patch.json: spec.ephemeralContainers[0].targetContainerName",
    );
    assert!(
        only(&r, "ephemeral-target-missing")
            .message
            .contains("target-container")
    );
    // The mount itself is right: same volume, same path after normalisation.
    assert_none(&r, "ephemeral-mount-mismatch");
}

#[test]
fn seed_fixed_patch_body_only_misses_its_target() {
    let r = run_set(
        &[
            ("acs-emptydir.yaml", EMPTYDIR),
            ("acs-ephemeral-patch-fixed.json", PATCH_FIXED),
        ],
        &CheckOptions::default(),
    );
    assert_eq!(errors(&r), ["ephemeral-target-missing"], "{}", dump(&r));
    assert_eq!(
        names(&r),
        [
            ("emptydir-needs-ephemeral-route", Severity::Info),
            ("ephemeral-target-missing", Severity::Error),
            ("name-too-long-risk", Severity::Warning),
        ]
    );
    assert_finding(
        &r,
        "ephemeral-target-missing",
        Severity::Error,
        "Deployment/default/coredump-emptydir-volume-test",
        Some("debugger-container-name"),
        "acs-ephemeral-patch-fixed.json: spec.ephemeralContainers[0].targetContainerName",
    );
    // With the target set to the real container, the body is clean.
    let fixed = PATCH_FIXED.replace("\"target-container\"", "\"nginx\"");
    let r = run_set(
        &[("acs-emptydir.yaml", EMPTYDIR), ("fixed.json", &fixed)],
        &CheckOptions::default(),
    );
    assert!(!r.has_errors(), "{}", dump(&r));
}

#[test]
fn seed_patch_applied_twice_is_a_duplicate_name() {
    let fixed = PATCH_FIXED.replace("\"target-container\"", "\"nginx\"");
    let r = run_set(
        &[
            ("acs-emptydir.yaml", EMPTYDIR),
            ("first.json", &fixed),
            ("second.json", &fixed),
        ],
        &CheckOptions::default(),
    );
    assert_eq!(errors(&r), ["ephemeral-name-duplicate"], "{}", dump(&r));
    assert_finding(
        &r,
        "ephemeral-name-duplicate",
        Severity::Error,
        "Deployment/default/coredump-emptydir-volume-test",
        Some("debugger-container-name"),
        "second.json: spec.ephemeralContainers[0].name",
    );
}

#[test]
fn generated_patch_round_trips_on_the_seed_emptydir_deployment() {
    let set = set_of(&[("acs-emptydir.yaml", EMPTYDIR)]);
    let patch = ephemeral_patch(&set, &PatchOptions::default()).unwrap();
    assert_eq!(
        patch.object,
        "Deployment/default/coredump-emptydir-volume-test"
    );
    assert_eq!(
        patch.body,
        json!({
            "spec": {
                "ephemeralContainers": [{
                    "name": "core-debugger",
                    "image": "alpine:3",
                    "command": ["sh"],
                    "stdin": true,
                    "tty": true,
                    "targetContainerName": "nginx",
                    "volumeMounts": [{ "name": "emptydir-volume", "mountPath": "/data/dump-a" }],
                }]
            }
        })
    );
    assert!(patch.kubectl.contains("--subresource=ephemeralcontainers"));
    assert!(patch.kubectl.contains("-n default"));
    assert!(patch.kubectl.contains("-l app=nginx"), "{}", patch.kubectl);
    assert!(
        patch
            .curl
            .contains("/api/v1/namespaces/default/pods/<pod-name>/ephemeralcontainers"),
        "{}",
        patch.curl
    );
    // The body, as the JSON text written to patch.json, checks clean
    // against the Deployment.
    let text = serde_json::to_string_pretty(&patch.body).unwrap();
    let r = run_set(
        &[("acs-emptydir.yaml", EMPTYDIR), ("patch.json", &text)],
        &CheckOptions::default(),
    );
    assert!(!r.has_errors(), "{}", dump(&r));
    assert_eq!(
        names(&r),
        [
            ("emptydir-needs-ephemeral-route", Severity::Info),
            ("name-too-long-risk", Severity::Warning),
        ],
        "{}",
        dump(&r)
    );
}

#[test]
fn generated_patch_uses_a_sub_path_when_the_container_mounts_a_parent() {
    let mut w = workload(
        "Deployment",
        GOOD,
        Some(2),
        vec![empty_dir("cores")],
        vec![mount("cores", "/data")],
    );
    w.containers.insert(0, ctr("sidecar", vec![]));
    w.containers[1]["name"] = json!("server");
    let yaml = w.yaml();
    let before = run(&yaml);
    // The sidecar does not mount /data/dump-a.
    assert_eq!(errors(&before), Vec::<&str>::new(), "{}", dump(&before));
    let set = set_of(&[("app.yaml", &yaml)]);
    let patch = ephemeral_patch(&set, &PatchOptions::default()).unwrap();
    let c = &patch.body["spec"]["ephemeralContainers"][0];
    assert_eq!(c["targetContainerName"], "server");
    assert_eq!(
        c["volumeMounts"],
        json!([{ "name": "cores", "mountPath": "/data/dump-a", "subPath": "dump-a" }])
    );
    let text = patch.body.to_string();
    let r = run_set(
        &[("app.yaml", &yaml), ("patch.json", &text)],
        &CheckOptions::default(),
    );
    assert!(!r.has_errors(), "{}", dump(&r));
    assert_none(&r, "ephemeral-mount-mismatch");
}

#[test]
fn generated_patch_keeps_the_containers_sub_path() {
    let mut m = mount("cores", MOUNT);
    m["subPath"] = json!("cores/");
    let w = workload("Deployment", GOOD, None, vec![empty_dir("cores")], vec![m]);
    let yaml = w.yaml();
    let set = set_of(&[("app.yaml", &yaml)]);
    let patch = ephemeral_patch(&set, &PatchOptions::default()).unwrap();
    assert_eq!(
        patch.body["spec"]["ephemeralContainers"][0]["volumeMounts"],
        json!([{ "name": "cores", "mountPath": "/data/dump-a", "subPath": "cores" }])
    );
    let r = run_set(
        &[("app.yaml", &yaml), ("patch.json", &patch.body.to_string())],
        &CheckOptions::default(),
    );
    assert!(!r.has_errors(), "{}", dump(&r));
    // A parent mount with a subPath: the two join.
    let mut m = mount("cores", "/data");
    m["subPath"] = json!("pods");
    let yaml = workload("Deployment", GOOD, None, vec![empty_dir("cores")], vec![m]).yaml();
    let patch = ephemeral_patch(&set_of(&[("app.yaml", &yaml)]), &PatchOptions::default()).unwrap();
    assert_eq!(
        patch.body["spec"]["ephemeralContainers"][0]["volumeMounts"][0]["subPath"],
        "pods/dump-a"
    );
    let r = run_set(
        &[("app.yaml", &yaml), ("patch.json", &patch.body.to_string())],
        &CheckOptions::default(),
    );
    assert!(!r.has_errors(), "{}", dump(&r));
}

#[test]
fn generated_patch_options_and_pod_commands() {
    let mut w = pod(GOOD);
    w.containers
        .push(ctr("sidecar", vec![mount("cores", MOUNT)]));
    let yaml = w.yaml();
    let set = set_of(&[("pod.yaml", &yaml)]);
    let opts = PatchOptions::new()
        .with_name("gdb")
        .with_image("gdb:1")
        .with_target("sidecar");
    let patch = ephemeral_patch(&set, &opts).unwrap();
    assert_eq!(patch.object, "Pod/default/app");
    let c = &patch.body["spec"]["ephemeralContainers"][0];
    assert_eq!(c["name"], "gdb");
    assert_eq!(c["image"], "gdb:1");
    assert_eq!(c["targetContainerName"], "sidecar");
    assert!(
        patch.kubectl.contains("patch pod app "),
        "{}",
        patch.kubectl
    );
    assert!(patch.kubectl.contains("-c gdb"), "{}", patch.kubectl);
    assert!(!patch.kubectl.contains("<pod-name>"), "{}", patch.kubectl);
    assert!(
        patch
            .curl
            .ends_with("/namespaces/default/pods/app/ephemeralcontainers")
    );
    let r = run_set(
        &[("pod.yaml", &yaml), ("patch.json", &patch.body.to_string())],
        &CheckOptions::default(),
    );
    assert!(!r.has_errors(), "{}", dump(&r));
}

#[test]
fn generated_patch_errors() {
    let patch =
        |yaml: &str| ephemeral_patch(&set_of(&[("x.yaml", yaml)]), &PatchOptions::default());
    let mut w = deployment(GOOD, 1);
    w.pattern = None;
    assert_eq!(patch(&w.yaml()), Err(PatchError::NoAnnotatedWorkload));
    assert!(matches!(
        patch(&deployment("|/usr/bin/helper %p", 1).yaml()),
        Err(PatchError::NoDirectory { object, .. }) if object == OBJ
    ));
    assert!(matches!(
        patch(&deployment("/data/%h/core", 1).yaml()),
        Err(PatchError::NoDirectory { .. })
    ));
    assert!(matches!(
        patch(&deployment("core.%p", 1).yaml()),
        Err(PatchError::NoDirectory { .. })
    ));
    let w = workload("Deployment", GOOD, None, vec![], vec![]);
    assert_eq!(
        patch(&w.yaml()),
        Err(PatchError::NotMounted {
            object: OBJ.into(),
            dir: "/data/dump-a".into()
        })
    );
    // A target that does not mount the directory.
    let mut w = deployment(GOOD, 1);
    w.containers.push(ctr("sidecar", vec![]));
    let opts = PatchOptions::new().with_target("sidecar");
    assert!(matches!(
        ephemeral_patch(&set_of(&[("x.yaml", &w.yaml())]), &opts),
        Err(PatchError::NotMounted { .. })
    ));
    // A malformed manifest is a ManifestError, not a panic.
    let mut w = deployment(GOOD, 1);
    w.containers = vec![json!("app")];
    assert!(matches!(
        patch(&w.yaml()),
        Err(PatchError::Manifest(ManifestError::Field { .. }))
    ));
}

// ---------------------------------------------------------------------------
// 2. Every finding name: fires on one manifest, quiet on a close one

struct Case {
    name: &'static str,
    severity: Severity,
    fires: Vec<String>,
    quiet: Vec<String>,
    opts_fires: CheckOptions,
    opts_quiet: CheckOptions,
}

fn case(name: &'static str, severity: Severity, fires: String, quiet: String) -> Case {
    Case {
        name,
        severity,
        fires: vec![fires],
        quiet: vec![quiet],
        opts_fires: CheckOptions::default(),
        opts_quiet: CheckOptions::default(),
    }
}

fn cases() -> Vec<Case> {
    use Severity::{Error, Info, Warning};
    let mut on_workload = deployment(GOOD, 1);
    on_workload.on_workload = true;
    let mut two = deployment(GOOD, 1);
    two.containers.push(ctr("sidecar", vec![]));
    let mut two_ok = deployment(GOOD, 1);
    two_ok
        .containers
        .push(ctr("sidecar", vec![mount("cores", MOUNT)]));
    let mut ro = mount("cores", MOUNT);
    ro["readOnly"] = json!(true);
    let mut eph_other = pod(GOOD);
    eph_other.ephemeral = vec![ctr("debugger", vec![mount("cores", "/debug")])];
    let mut eph_ok = pod(GOOD);
    eph_ok.ephemeral = vec![ctr("debugger", vec![mount("cores", MOUNT)])];
    let mut eph_dup = eph_ok.clone();
    eph_dup.ephemeral[0]["name"] = json!("app");
    let mut eph_target = eph_ok.clone();
    eph_target.ephemeral[0]["targetContainerName"] = json!("nope");
    let mut eph_target_ok = eph_ok.clone();
    eph_target_ok.ephemeral[0]["targetContainerName"] = json!("app");
    let pvc_deploy = |replicas| {
        workload(
            "Deployment",
            GOOD,
            Some(replicas),
            vec![pvc_volume("cores", "cores-pvc")],
            vec![mount("cores", MOUNT)],
        )
        .yaml()
    };
    let mut memory = pod(GOOD);
    memory.volumes = vec![json!({ "name": "cores", "emptyDir": { "medium": "Memory" } })];
    let sized = |limit: &str| {
        let mut w = pod(GOOD);
        w.volumes = vec![json!({ "name": "cores", "emptyDir": { "sizeLimit": limit } })];
        w.containers[0]["resources"] = json!({ "limits": { "memory": "1Gi" } });
        w.yaml()
    };
    let volume = |v: Value| {
        workload(
            "Deployment",
            GOOD,
            Some(1),
            vec![v],
            vec![mount("cores", MOUNT)],
        )
        .yaml()
    };
    let mut cases = vec![
        case(
            "annotation-on-workload-only",
            Error,
            on_workload.yaml(),
            deployment(GOOD, 1).yaml(),
        ),
        case(
            "pattern-invalid",
            Error,
            deployment("/data/dump-a/core-%h\n-%t", 1).yaml(),
            deployment("/data/dump-a/core-%h-%t", 1).yaml(),
        ),
        case(
            "pattern-not-file",
            Error,
            deployment("|/usr/bin/helper %p", 1).yaml(),
            deployment("/usr/bin/helper-%p-%h", 1).yaml(),
        ),
        case(
            "pattern-relative",
            Error,
            deployment("data/dump-a/core-%e-%h-%t", 1).yaml(),
            deployment(GOOD, 1).yaml(),
        ),
        case(
            "directory-has-specifier",
            Error,
            deployment("/data/dump-a/%h/core-%e-%t", 1).yaml(),
            deployment("/data/dump-a/core-%h-%e-%t", 1).yaml(),
        ),
        case(
            "directory-not-mounted",
            Error,
            deployment("/data/dump-b/core-%e-%h-%t", 1).yaml(),
            deployment(GOOD, 1).yaml(),
        ),
        case("container-not-covered", Warning, two.yaml(), two_ok.yaml()),
        case(
            "mount-read-only",
            Error,
            workload("Deployment", GOOD, Some(1), vec![nas("cores")], vec![ro]).yaml(),
            deployment(GOOD, 1).yaml(),
        ),
        case(
            "volume-not-shared",
            Error,
            volume(json!({ "name": "cores", "configMap": { "name": "cm" } })),
            volume(json!({ "name": "cores", "nfs": { "server": "nfs", "path": "/" } })),
        ),
        case(
            "emptydir-needs-ephemeral-route",
            Info,
            volume(empty_dir("cores")),
            volume(nas("cores")),
        ),
        case(
            "emptydir-memory-medium",
            Warning,
            memory.yaml(),
            pod(GOOD).yaml(),
        ),
        case("emptydir-size-limit", Warning, sized("100Mi"), sized("2Gi")),
        case(
            "name-not-unique-across-pods",
            Warning,
            deployment("/data/dump-a/core-%e-%p-%t", 3).yaml(),
            deployment("/data/dump-a/core-%e-%p-%h-%t", 3).yaml(),
        ),
        case(
            "no-unique-field",
            Warning,
            deployment("/data/dump-a/core-%e", 1).yaml(),
            deployment("/data/dump-a/core-%e-%t", 1).yaml(),
        ),
        case(
            "name-too-long-risk",
            Warning,
            deployment("/data/dump-a/core-%E-%h-%t", 1).yaml(),
            deployment("/data/dump-a/core-%e-%h-%t", 1).yaml(),
        ),
        case(
            "ephemeral-mount-mismatch",
            Error,
            eph_other.yaml(),
            eph_ok.yaml(),
        ),
        case(
            "ephemeral-name-duplicate",
            Error,
            eph_dup.yaml(),
            eph_ok.yaml(),
        ),
        case(
            "ephemeral-target-missing",
            Error,
            eph_target.yaml(),
            eph_target_ok.yaml(),
        ),
        case(
            "pvc-not-read-write-many",
            Warning,
            format!(
                "{}---\n{}",
                pvc_deploy(2),
                pvc("cores-pvc", "ReadWriteOnce")
            ),
            format!(
                "{}---\n{}",
                pvc_deploy(2),
                pvc("cores-pvc", "ReadWriteMany")
            ),
        ),
        case(
            "unknown-specifier",
            Warning,
            deployment("/data/dump-a/core-%e-%h-%t-%b", 1).yaml(),
            deployment("/data/dump-a/core-%e-%h-%t-%%b", 1).yaml(),
        ),
        case(
            "trailing-percent",
            Warning,
            deployment("/data/dump-a/core-%e-%h-%t%", 1).yaml(),
            deployment("/data/dump-a/core-%e-%h-%t%%", 1).yaml(),
        ),
        case(
            "pvc-not-found",
            Info,
            pvc_deploy(1),
            format!(
                "{}---\n{}",
                pvc_deploy(1),
                pvc("cores-pvc", "ReadWriteOnce")
            ),
        ),
    ];
    cases.push(Case {
        name: "patch-invalid-json",
        severity: Error,
        fires: vec![EMPTYDIR.into(), PATCH.into()],
        quiet: vec![EMPTYDIR.into(), PATCH_FIXED.into()],
        opts_fires: CheckOptions::default(),
        opts_quiet: CheckOptions::default(),
    });
    let mut expr = mount("cores", MOUNT);
    expr["subPathExpr"] = json!("$(POD_NAME)");
    cases.push(case(
        "mount-subpath-expr",
        Warning,
        workload("Deployment", GOOD, Some(1), vec![nas("cores")], vec![expr]).yaml(),
        workload(
            "Deployment",
            GOOD,
            Some(1),
            vec![nas("cores")],
            vec![mount("cores", MOUNT)],
        )
        .yaml(),
    ));
    let mut broken = deployment(GOOD, 1);
    broken.containers = vec![json!("app")];
    cases.push(case(
        "manifest-invalid",
        Error,
        broken.yaml(),
        deployment(GOOD, 1).yaml(),
    ));
    let cpu = deployment("/data/dump-a/core-%e-%h-%t-%C", 1).yaml();
    cases.push(Case {
        name: "pattern-unsupported-specifier",
        severity: Warning,
        fires: vec![cpu.clone()],
        quiet: vec![cpu],
        opts_fires: kernel_6_1(),
        opts_quiet: CheckOptions::default(),
    });
    cases
}

fn inputs(texts: &[String]) -> Vec<(String, &str)> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("input-{i}"), t.as_str()))
        .collect()
}

fn run_texts(texts: &[String], opts: &CheckOptions) -> ManifestReport {
    let owned = inputs(texts);
    let refs: Vec<(&str, &str)> = owned.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    run_set(&refs, opts)
}

#[test]
fn finding_names_are_unique_kebab_case() {
    let mut sorted = FINDING_NAMES.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), FINDING_NAMES.len());
    for n in FINDING_NAMES {
        assert!(
            n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') && !n.starts_with('-'),
            "{n}"
        );
    }
}

#[test]
fn every_finding_name_fires_and_has_a_quiet_neighbour() {
    let cases = cases();
    for name in FINDING_NAMES {
        assert_eq!(
            cases.iter().filter(|c| c.name == name).count(),
            1,
            "no case for {name}"
        );
    }
    for c in &cases {
        assert!(FINDING_NAMES.contains(&c.name), "{}", c.name);
        let r = run_texts(&c.fires, &c.opts_fires);
        let hits: Vec<_> = r.findings.iter().filter(|f| f.name == c.name).collect();
        assert!(!hits.is_empty(), "{} does not fire:\n{}", c.name, dump(&r));
        for f in hits {
            assert_eq!(f.severity, c.severity, "{f}");
        }
        let r = run_texts(&c.quiet, &c.opts_quiet);
        assert_none(&r, c.name);
    }
}

#[test]
fn every_reported_name_is_listed() {
    for c in cases() {
        for (texts, opts) in [(&c.fires, &c.opts_fires), (&c.quiet, &c.opts_quiet)] {
            for f in run_texts(texts, opts).findings {
                assert!(FINDING_NAMES.contains(&f.name), "{}", f.name);
            }
        }
    }
}

// A1
#[test]
fn a1_annotation_on_the_deployment_itself() {
    let mut w = deployment(GOOD, 1);
    w.on_workload = true;
    let r = run(&w.yaml());
    assert_eq!(
        names(&r),
        [("annotation-on-workload-only", Severity::Error)],
        "{}",
        dump(&r)
    );
    assert_finding(
        &r,
        "annotation-on-workload-only",
        Severity::Error,
        OBJ,
        None,
        "metadata.annotations[\"alibabacloud.com/core-pattern\"]",
    );
    assert!(
        only(&r, "annotation-on-workload-only")
            .help
            .contains("spec.template.metadata.annotations")
    );
    // On both: the pod template's counts.
    let yaml = w.yaml().replace(
        "      labels: {app: app}\n",
        &format!(
            "      labels: {{app: app}}\n      annotations: {{\"{ACS_ANNOTATION}\": \"{GOOD}\"}}\n"
        ),
    );
    assert_ne!(yaml, w.yaml());
    let r = run(&yaml);
    assert_eq!(names(&r), [], "{yaml}\n{}", dump(&r));
}

#[test]
fn a1_on_a_cron_job_names_the_job_template() {
    let mut w = workload(
        "CronJob",
        GOOD,
        None,
        vec![nas("cores")],
        vec![mount("cores", MOUNT)],
    );
    w.on_workload = true;
    let r = run(&w.yaml());
    let f = only(&r, "annotation-on-workload-only");
    assert_eq!(f.object, "CronJob/default/app");
    assert!(
        f.help
            .contains("spec.jobTemplate.spec.template.metadata.annotations"),
        "{f}"
    );
}

#[test]
fn a1_a_pods_own_metadata_is_the_pod() {
    let r = run(&pod(GOOD).yaml());
    assert_none(&r, "annotation-on-workload-only");
    assert_eq!(
        names(&r),
        [("emptydir-needs-ephemeral-route", Severity::Info)]
    );
}

// A2
#[test]
fn a2_pattern_invalid() {
    let base = "/data/dump-a/core-%h-%t-";
    let at_limit = format!("{base}{}", "x".repeat(127 - base.len()));
    let over = format!("{base}{}", "x".repeat(128 - base.len()));
    assert_eq!(names(&run(&deployment(&at_limit, 1).yaml())), []);
    let r = run(&deployment(&over, 1).yaml());
    assert_eq!(
        names(&r),
        [("pattern-invalid", Severity::Error)],
        "{}",
        dump(&r)
    );
    assert_finding(&r, "pattern-invalid", Severity::Error, OBJ, None, ANN);
    // A newline or NUL inside: the kernel stops there.
    for p in ["/data/dump-a/core-%h\n-%t", "/data/dump-a/core-%h\0-%t"] {
        let r = run(&deployment(p, 1).yaml());
        assert_eq!(
            names(&r),
            [("pattern-invalid", Severity::Error)],
            "{p:?}\n{}",
            dump(&r)
        );
        assert_finding(&r, "pattern-invalid", Severity::Error, OBJ, None, ANN);
    }
    // Quoted inside the YAML string: the quotes are literal bytes, and the
    // value no longer starts with `/`.
    let r = run(&deployment("\"/data/dump-a/core-%h-%t\"", 1).yaml());
    assert_eq!(
        names(&r),
        [
            ("pattern-invalid", Severity::Error),
            ("pattern-relative", Severity::Error)
        ],
        "{}",
        dump(&r)
    );
    // Leading whitespace, an empty value.
    for p in [" /data/dump-a/core-%h-%t", ""] {
        let r = run(&deployment(p, 1).yaml());
        assert_eq!(
            names(&r),
            [
                ("pattern-invalid", Severity::Error),
                ("pattern-relative", Severity::Error)
            ],
            "{p:?}\n{}",
            dump(&r)
        );
    }
    // Not a string.
    for v in [json!(5), json!(true), json!(["/data"]), json!({ "a": 1 })] {
        let mut w = deployment(GOOD, 1);
        w.pattern = Some(v.clone());
        let r = run(&w.yaml());
        assert_eq!(names(&r), [("pattern-invalid", Severity::Error)], "{v}");
        assert_finding(&r, "pattern-invalid", Severity::Error, OBJ, None, ANN);
    }
}

// A3
#[test]
fn a3_pipe_socket_relative() {
    for p in [
        "|/usr/lib/systemd/systemd-coredump %P %u",
        "@/run/core.sock",
        "@@/run/core.sock",
    ] {
        let r = run(&deployment(p, 1).yaml());
        assert_eq!(
            names(&r),
            [("pattern-not-file", Severity::Error)],
            "{p}\n{}",
            dump(&r)
        );
        assert_finding(&r, "pattern-not-file", Severity::Error, OBJ, None, ANN);
    }
    for p in ["core-%e-%h-%t", "./core-%e-%h-%t", "data/dump-a/core-%h-%t"] {
        let r = run(&deployment(p, 1).yaml());
        assert_eq!(
            names(&r),
            [("pattern-relative", Severity::Error)],
            "{p}\n{}",
            dump(&r)
        );
        assert_finding(&r, "pattern-relative", Severity::Error, OBJ, None, ANN);
    }
}

// A4
#[test]
fn a4_directory_has_specifier() {
    for p in ["/data/%h/core", "/data/dump-a/%e/core-%t", "/%p/core"] {
        let r = run(&deployment(p, 1).yaml());
        assert_eq!(errors(&r), ["directory-has-specifier"], "{p}\n{}", dump(&r));
        assert_finding(
            &r,
            "directory-has-specifier",
            Severity::Error,
            OBJ,
            None,
            ANN,
        );
    }
    // `%%` is a literal percent sign, not a specifier.
    let w = workload(
        "Deployment",
        "/data/100%%/core-%e-%h-%t",
        Some(1),
        vec![nas("cores")],
        vec![mount("cores", "/data/100%")],
    );
    assert_eq!(names(&run(&w.yaml())), []);
}

// A5
#[test]
fn a5_directory_not_mounted() {
    let w = workload("Deployment", GOOD, Some(1), vec![], vec![]);
    let r = run(&w.yaml());
    assert_eq!(
        names(&r),
        [("directory-not-mounted", Severity::Error)],
        "{}",
        dump(&r)
    );
    assert_finding(
        &r,
        "directory-not-mounted",
        Severity::Error,
        OBJ,
        None,
        "spec.template.spec.containers[*].volumeMounts",
    );
    // A mount below the directory does not cover it.
    let r = run(&workload(
        "Deployment",
        GOOD,
        Some(1),
        vec![nas("cores")],
        vec![mount("cores", "/data/dump-a/sub")],
    )
    .yaml());
    assert_eq!(errors(&r), ["directory-not-mounted"]);
    // A sibling with a common prefix does not cover it.
    let r = run(&workload(
        "Deployment",
        GOOD,
        Some(1),
        vec![nas("cores")],
        vec![mount("cores", "/data/dump")],
    )
    .yaml());
    assert_eq!(errors(&r), ["directory-not-mounted"]);
    // A parent (or `/`) covers it.
    for parent in ["/data", "/data/", "/"] {
        let r = run(&workload(
            "Deployment",
            GOOD,
            Some(1),
            vec![nas("cores")],
            vec![mount("cores", parent)],
        )
        .yaml());
        assert_eq!(names(&r), [], "{parent}");
    }
    // The mount names a volume the pod does not define.
    let r = run(&workload(
        "Deployment",
        GOOD,
        Some(1),
        vec![nas("other")],
        vec![mount("cores", MOUNT)],
    )
    .yaml());
    assert_eq!(
        names(&r),
        [("directory-not-mounted", Severity::Error)],
        "{}",
        dump(&r)
    );
    assert_finding(
        &r,
        "directory-not-mounted",
        Severity::Error,
        OBJ,
        Some("app"),
        "spec.template.spec.containers[0].volumeMounts[0].name",
    );
}

#[test]
fn a5_container_not_covered() {
    let mut w = deployment(GOOD, 1);
    w.containers
        .push(ctr("sidecar", vec![mount("cores", "/other")]));
    w.init_containers = vec![ctr("init", vec![])];
    let r = run(&w.yaml());
    let covered: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.name == "container-not-covered")
        .map(|f| (f.severity, f.container.as_deref(), f.path.as_str()))
        .collect();
    assert_eq!(
        covered,
        [
            (
                Severity::Warning,
                Some("sidecar"),
                "spec.template.spec.containers[1].volumeMounts"
            ),
            (
                Severity::Warning,
                Some("init"),
                "spec.template.spec.initContainers[0].volumeMounts"
            ),
        ],
        "{}",
        dump(&r)
    );
    assert!(!r.has_errors(), "{}", dump(&r));
    assert!(
        r.findings
            .iter()
            .any(|f| f.container.as_deref() == Some("init") && f.message.contains("init container")),
        "{}",
        dump(&r)
    );
    // Everyone mounts it.
    let mut w = deployment(GOOD, 1);
    w.containers
        .push(ctr("sidecar", vec![mount("cores", "/data/dump-a")]));
    w.init_containers = vec![ctr("init", vec![mount("cores", "/data")])];
    assert_eq!(names(&run(&w.yaml())), []);
    // Only an init container mounts it: the regular containers are not
    // covered, which is an error, not a per-container warning.
    let mut w = workload("Deployment", GOOD, Some(1), vec![nas("cores")], vec![]);
    w.init_containers = vec![ctr("init", vec![mount("cores", MOUNT)])];
    let r = run(&w.yaml());
    assert_eq!(
        names(&r),
        [("directory-not-mounted", Severity::Error)],
        "{}",
        dump(&r)
    );
}

// A6
#[test]
fn a6_mount_read_only() {
    let mut m = mount("cores", MOUNT);
    m["readOnly"] = json!(true);
    let r = run(&workload(
        "Deployment",
        GOOD,
        Some(1),
        vec![nas("cores")],
        vec![m.clone()],
    )
    .yaml());
    assert_eq!(
        names(&r),
        [("mount-read-only", Severity::Error)],
        "{}",
        dump(&r)
    );
    assert_finding(
        &r,
        "mount-read-only",
        Severity::Error,
        OBJ,
        Some("app"),
        "spec.template.spec.containers[0].volumeMounts[0].readOnly",
    );
    m["readOnly"] = json!(false);
    let r = run(&workload("Deployment", GOOD, Some(1), vec![nas("cores")], vec![m]).yaml());
    assert_eq!(names(&r), []);
}

#[test]
fn a6_read_only_volume_source() {
    for v in [
        json!({ "name": "cores", "persistentVolumeClaim": { "claimName": "c", "readOnly": true } }),
        json!({ "name": "cores", "nfs": { "server": "nfs", "path": "/", "readOnly": true } }),
        json!({ "name": "cores", "csi": { "driver": "nasplugin.csi.alibabacloud.com", "readOnly": true } }),
    ] {
        let w = workload(
            "Deployment",
            GOOD,
            Some(1),
            vec![v.clone()],
            vec![mount("cores", MOUNT)],
        );
        let r = run(&format!("{}---\n{}", w.yaml(), pvc("c", "ReadWriteMany")));
        assert!(
            errors(&r)
                .iter()
                .any(|n| *n == "mount-read-only" || *n == "volume-not-shared"),
            "{v}\n{}",
            dump(&r)
        );
    }
}

#[test]
fn a6_the_deepest_mount_decides() {
    // A read-only parent, and a writable mount at the directory itself.
    let mut parent = mount("config", "/data");
    parent["readOnly"] = json!(true);
    let w = workload(
        "Deployment",
        GOOD,
        Some(1),
        vec![
            json!({ "name": "config", "configMap": { "name": "cm" } }),
            nas("cores"),
        ],
        vec![parent, mount("cores", MOUNT)],
    );
    assert_eq!(names(&run(&w.yaml())), []);
}

// A7
#[test]
fn a7_volume_not_shared() {
    let vol = |v: Value| {
        run(&workload(
            "Deployment",
            GOOD,
            Some(1),
            vec![v],
            vec![mount("cores", MOUNT)],
        )
        .yaml())
    };
    let r = vol(json!({ "name": "cores", "hostPath": { "path": "/var/cores" } }));
    assert_eq!(
        names(&r),
        [("volume-not-shared", Severity::Warning)],
        "{}",
        dump(&r)
    );
    assert_finding(
        &r,
        "volume-not-shared",
        Severity::Warning,
        OBJ,
        Some("app"),
        "spec.template.spec.volumes[0].hostPath",
    );
    for kind in ["configMap", "secret", "downwardAPI", "projected"] {
        let r = vol(json!({ "name": "cores", kind: {} }));
        assert_eq!(
            names(&r),
            [("volume-not-shared", Severity::Error)],
            "{kind}\n{}",
            dump(&r)
        );
        assert_finding(
            &r,
            "volume-not-shared",
            Severity::Error,
            OBJ,
            Some("app"),
            &format!("spec.template.spec.volumes[0].{kind}"),
        );
    }
    // NAS, OSS (csi), NFS: shared, nothing to say.
    for v in [
        nas("cores"),
        json!({ "name": "cores", "csi": { "driver": "ossplugin.csi.alibabacloud.com" } }),
        json!({ "name": "cores", "nfs": { "server": "nfs.example.com", "path": "/" } }),
    ] {
        assert_eq!(names(&vol(v.clone())), [], "{v}");
    }
}

#[test]
fn a7_empty_dir() {
    let r = run(&pod(GOOD).yaml());
    assert_eq!(
        names(&r),
        [("emptydir-needs-ephemeral-route", Severity::Info)]
    );
    assert_finding(
        &r,
        "emptydir-needs-ephemeral-route",
        Severity::Info,
        "Pod/default/app",
        Some("app"),
        "spec.volumes[0].emptyDir",
    );
    // medium: Memory
    let mut w = pod(GOOD);
    w.volumes = vec![json!({ "name": "cores", "emptyDir": { "medium": "Memory" } })];
    let r = run(&w.yaml());
    assert_eq!(
        names(&r),
        [
            ("emptydir-memory-medium", Severity::Warning),
            ("emptydir-needs-ephemeral-route", Severity::Info),
        ]
    );
    assert_finding(
        &r,
        "emptydir-memory-medium",
        Severity::Warning,
        "Pod/default/app",
        Some("app"),
        "spec.volumes[0].emptyDir.medium",
    );
}

#[test]
fn a7_empty_dir_size_limit() {
    let sized = |limit: Value, memory: Option<Value>| {
        let mut w = pod(GOOD);
        w.volumes = vec![json!({ "name": "cores", "emptyDir": { "sizeLimit": limit } })];
        if let Some(m) = memory {
            w.containers[0]["resources"] = json!({ "limits": { "memory": m } });
        }
        run(&w.yaml())
    };
    let r = sized(json!("100Mi"), Some(json!("1Gi")));
    assert_eq!(
        names(&r),
        [
            ("emptydir-needs-ephemeral-route", Severity::Info),
            ("emptydir-size-limit", Severity::Warning),
        ]
    );
    assert_finding(
        &r,
        "emptydir-size-limit",
        Severity::Warning,
        "Pod/default/app",
        Some("app"),
        "spec.volumes[0].emptyDir.sizeLimit",
    );
    assert_none(
        &sized(json!("2Gi"), Some(json!("1Gi"))),
        "emptydir-size-limit",
    );
    assert_none(
        &sized(json!("1Gi"), Some(json!("1Gi"))),
        "emptydir-size-limit",
    );
    // The limit as a plain number of bytes.
    assert_none(
        &sized(json!("2Gi"), Some(json!(1_073_741_824u64))),
        "emptydir-size-limit",
    );
    only(
        &sized(json!("2Gi"), Some(json!("4Gi"))),
        "emptydir-size-limit",
    );
    // No memory limit: 1 GiB is assumed.
    only(&sized(json!("512Mi"), None), "emptydir-size-limit");
    assert_none(&sized(json!("1Gi"), None), "emptydir-size-limit");
}

// A8
#[test]
fn a8_name_not_unique_across_pods() {
    let p = "/data/dump-a/core-%e-%p-%t";
    let r = run(&deployment(p, 3).yaml());
    assert_eq!(
        names(&r),
        [("name-not-unique-across-pods", Severity::Warning)],
        "{}",
        dump(&r)
    );
    assert_finding(
        &r,
        "name-not-unique-across-pods",
        Severity::Warning,
        OBJ,
        None,
        "spec.template.metadata.annotations",
    );
    assert_eq!(
        names(&run(&deployment("/data/dump-a/core-%e-%p-%h-%t", 3).yaml())),
        []
    );
    assert_eq!(names(&run(&deployment(p, 1).yaml())), []);
    // replicas as a string, and no replicas (1).
    let yaml = deployment(p, 3)
        .yaml()
        .replace("replicas: 3", "replicas: \"3\"");
    only(&run(&yaml), "name-not-unique-across-pods");
    let yaml = deployment(p, 3).yaml().replace("  replicas: 3\n", "");
    assert_eq!(names(&run(&yaml)), []);
}

#[test]
fn a8_several_pods_by_kind() {
    let p = "/data/dump-a/core-%e-%p-%t";
    let nas_kind = |kind, replicas| {
        run(&workload(
            kind,
            p,
            replicas,
            vec![nas("cores")],
            vec![mount("cores", MOUNT)],
        )
        .yaml())
    };
    for (kind, replicas, several) in [
        ("DaemonSet", None, true),
        ("CronJob", None, true),
        ("StatefulSet", Some(3), true),
        ("StatefulSet", Some(1), false),
        ("ReplicaSet", Some(2), true),
        ("ReplicaSet", Some(1), false),
        ("ReplicationController", Some(2), true),
        ("Job", Some(4), true),
        ("Job", None, false),
        ("Pod", None, false),
    ] {
        let r = nas_kind(kind, replicas);
        let got = r
            .findings
            .iter()
            .any(|f| f.name == "name-not-unique-across-pods");
        assert_eq!(got, several, "{kind} {replicas:?}\n{}", dump(&r));
        if several {
            let f = only(&r, "name-not-unique-across-pods");
            assert_eq!(f.object, format!("{kind}/default/app"));
            assert_eq!(f.severity, Severity::Warning);
        }
    }
    // Job completions > 1 also runs several pods.
    let yaml = workload(
        "Job",
        p,
        None,
        vec![nas("cores")],
        vec![mount("cores", MOUNT)],
    )
    .yaml()
    .replace("spec:\n  template:", "spec:\n  completions: 5\n  template:");
    only(&run(&yaml), "name-not-unique-across-pods");
}

#[test]
fn a8_no_unique_field() {
    let r = run(&deployment("/data/dump-a/core-%e", 1).yaml());
    assert_eq!(
        names(&r),
        [("no-unique-field", Severity::Warning)],
        "{}",
        dump(&r)
    );
    assert_finding(&r, "no-unique-field", Severity::Warning, OBJ, None, ANN);
    for s in ["%p", "%P", "%i", "%I", "%t", "%h"] {
        let p = format!("/data/dump-a/core-%e-{s}");
        assert_none(&run(&deployment(&p, 1).yaml()), "no-unique-field");
    }
    // `%%p` is literal text.
    only(
        &run(&deployment("/data/dump-a/core-%%p", 1).yaml()),
        "no-unique-field",
    );
}

// A9
#[test]
fn a9_name_too_long_risk() {
    let r = run(&deployment("/data/dump-a/core-%E-%h-%t", 1).yaml());
    assert_eq!(
        names(&r),
        [("name-too-long-risk", Severity::Warning)],
        "{}",
        dump(&r)
    );
    assert_finding(&r, "name-too-long-risk", Severity::Warning, OBJ, None, ANN);
    for p in ["/data/dump-a/core-%e-%h-%t", "/data/dump-a/core-%f-%h-%t"] {
        assert_eq!(names(&run(&deployment(p, 1).yaml())), [], "{p}");
    }
}

// A10
#[test]
fn a10_ephemeral_mount_mismatch() {
    let eph = |mounts: Vec<Value>, volumes: Vec<Value>| {
        let mut w = pod(GOOD);
        w.volumes.extend(volumes);
        w.ephemeral = vec![ctr("debugger", mounts)];
        run(&w.yaml())
    };
    for (what, r) in [
        ("another path", eph(vec![mount("cores", "/debug")], vec![])),
        ("the parent", eph(vec![mount("cores", "/data")], vec![])),
        (
            "another volume",
            eph(vec![mount("other", MOUNT)], vec![empty_dir("other")]),
        ),
        ("no mount", eph(vec![], vec![])),
    ] {
        assert_eq!(
            errors(&r),
            ["ephemeral-mount-mismatch"],
            "{what}\n{}",
            dump(&r)
        );
        assert_finding(
            &r,
            "ephemeral-mount-mismatch",
            Severity::Error,
            "Pod/default/app",
            Some("debugger"),
            "spec.ephemeralContainers[0].volumeMounts",
        );
    }
    for p in [MOUNT, "/data/dump-a", "/data//dump-a/./"] {
        let r = eph(vec![mount("cores", p)], vec![]);
        assert_eq!(
            names(&r),
            [("emptydir-needs-ephemeral-route", Severity::Info)],
            "{p}\n{}",
            dump(&r)
        );
    }
}

#[test]
fn a10_ephemeral_sub_path_must_match() {
    // The app writes into subPath `cores` of the volume.
    let mut app = mount("cores", MOUNT);
    app["subPath"] = json!("cores");
    let mut w = workload("Pod", GOOD, None, vec![empty_dir("cores")], vec![app]);
    // The debugger mounts the volume's root there: it sees other files.
    w.ephemeral = vec![ctr("debugger", vec![mount("cores", MOUNT)])];
    let r = run(&w.yaml());
    assert_eq!(errors(&r), ["ephemeral-mount-mismatch"], "{}", dump(&r));
    // Same subPath: fine.
    let mut m = mount("cores", MOUNT);
    m["subPath"] = json!("cores");
    w.ephemeral = vec![ctr("debugger", vec![m])];
    let r = run(&w.yaml());
    assert_eq!(errors(&r), Vec::<&str>::new(), "{}", dump(&r));
}

#[test]
fn a10_ephemeral_name_duplicate() {
    let mut w = pod(GOOD);
    w.init_containers = vec![ctr("init", vec![mount("cores", MOUNT)])];
    for (name, dup) in [("app", true), ("init", true), ("debugger", false)] {
        w.ephemeral = vec![ctr(name, vec![mount("cores", MOUNT)])];
        let r = run(&w.yaml());
        if dup {
            assert_eq!(
                errors(&r),
                ["ephemeral-name-duplicate"],
                "{name}\n{}",
                dump(&r)
            );
            assert_finding(
                &r,
                "ephemeral-name-duplicate",
                Severity::Error,
                "Pod/default/app",
                Some(name),
                "spec.ephemeralContainers[0].name",
            );
        } else {
            assert_eq!(errors(&r), Vec::<&str>::new(), "{}", dump(&r));
        }
    }
    // Two ephemeral containers with one name.
    w.ephemeral = vec![
        ctr("debugger", vec![mount("cores", MOUNT)]),
        ctr("debugger", vec![mount("cores", MOUNT)]),
    ];
    let r = run(&w.yaml());
    assert_finding(
        &r,
        "ephemeral-name-duplicate",
        Severity::Error,
        "Pod/default/app",
        Some("debugger"),
        "spec.ephemeralContainers[1].name",
    );
}

#[test]
fn a10_ephemeral_target_missing() {
    let mut w = pod(GOOD);
    w.ephemeral = vec![ctr("debugger", vec![mount("cores", MOUNT)])];
    w.ephemeral[0]["targetContainerName"] = json!("target-container");
    let r = run(&w.yaml());
    assert_eq!(errors(&r), ["ephemeral-target-missing"], "{}", dump(&r));
    assert_finding(
        &r,
        "ephemeral-target-missing",
        Severity::Error,
        "Pod/default/app",
        Some("debugger"),
        "spec.ephemeralContainers[0].targetContainerName",
    );
    w.ephemeral[0]["targetContainerName"] = json!("app");
    assert_eq!(errors(&run(&w.yaml())), Vec::<&str>::new());
    // Optional.
    w.ephemeral[0]
        .as_object_mut()
        .unwrap()
        .remove("targetContainerName");
    assert_eq!(errors(&run(&w.yaml())), Vec::<&str>::new());
}

// A11
#[test]
fn a11_pvc_access_modes() {
    let deploy = |replicas| {
        workload(
            "Deployment",
            GOOD,
            Some(replicas),
            vec![pvc_volume("cores", "cores-pvc")],
            vec![mount("cores", MOUNT)],
        )
        .yaml()
    };
    let r = run(&format!(
        "{}---\n{}",
        deploy(2),
        pvc("cores-pvc", "ReadWriteOnce")
    ));
    assert_eq!(
        names(&r),
        [("pvc-not-read-write-many", Severity::Warning)],
        "{}",
        dump(&r)
    );
    assert_finding(
        &r,
        "pvc-not-read-write-many",
        Severity::Warning,
        OBJ,
        Some("app"),
        "PersistentVolumeClaim/default/cores-pvc: spec.accessModes",
    );
    for (replicas, mode) in [(2, "ReadWriteMany"), (1, "ReadWriteOnce")] {
        let r = run(&format!(
            "{}---\n{}",
            deploy(replicas),
            pvc("cores-pvc", mode)
        ));
        assert_eq!(names(&r), [], "{replicas} {mode}\n{}", dump(&r));
    }
    // The PVC before the Deployment: order does not matter.
    let r = run(&format!(
        "{}---\n{}",
        pvc("cores-pvc", "ReadWriteOnce"),
        deploy(2)
    ));
    only(&r, "pvc-not-read-write-many");
}

#[test]
fn a11_pvc_not_found() {
    let w = workload(
        "Deployment",
        GOOD,
        Some(1),
        vec![pvc_volume("cores", "cores-pvc")],
        vec![mount("cores", MOUNT)],
    );
    let r = run(&w.yaml());
    assert_eq!(
        names(&r),
        [("pvc-not-found", Severity::Info)],
        "{}",
        dump(&r)
    );
    assert_finding(
        &r,
        "pvc-not-found",
        Severity::Info,
        OBJ,
        Some("app"),
        "spec.template.spec.volumes[0].persistentVolumeClaim.claimName",
    );
    // A PVC of that name in another namespace is not it.
    let mut w2 = w.clone();
    w2.namespace = Some("prod");
    let r = run(&format!(
        "{}---\n{}",
        w2.yaml(),
        pvc("cores-pvc", "ReadWriteMany")
    ));
    assert_finding(
        &r,
        "pvc-not-found",
        Severity::Info,
        "Deployment/prod/app",
        Some("app"),
        "spec.template.spec.volumes[0].persistentVolumeClaim.claimName",
    );
    let r = run(&format!(
        "{}---\n{}",
        w.yaml(),
        pvc("cores-pvc", "ReadWriteMany")
    ));
    assert_eq!(names(&r), []);
}

// A12
#[test]
fn a12_unknown_specifier_and_trailing_percent() {
    let r = run(&deployment("/data/dump-a/core-%e-%h-%t-%b", 1).yaml());
    assert_eq!(
        names(&r),
        [("unknown-specifier", Severity::Warning)],
        "{}",
        dump(&r)
    );
    assert_finding(&r, "unknown-specifier", Severity::Warning, OBJ, None, ANN);
    let r = run(&deployment("/data/dump-a/core-%e-%h-%t%", 1).yaml());
    assert_eq!(
        names(&r),
        [("trailing-percent", Severity::Warning)],
        "{}",
        dump(&r)
    );
    assert_finding(&r, "trailing-percent", Severity::Warning, OBJ, None, ANN);
    for p in [
        "/data/dump-a/core-%e-%h-%t-%%b",
        "/data/dump-a/core-%e-%h-%t%%",
    ] {
        assert_eq!(names(&run(&deployment(p, 1).yaml())), [], "{p}");
    }
}

#[test]
fn a12_unsupported_specifier_depends_on_the_kernel() {
    let yaml = deployment("/data/dump-a/core-%e-%h-%t-%C", 1).yaml();
    let r = run_opts(&yaml, &kernel_6_1());
    assert_eq!(
        names(&r),
        [("pattern-unsupported-specifier", Severity::Warning)],
        "{}",
        dump(&r)
    );
    assert_finding(
        &r,
        "pattern-unsupported-specifier",
        Severity::Warning,
        OBJ,
        None,
        ANN,
    );
    assert_eq!(names(&run(&yaml)), []);
    assert_eq!(
        names(&run_opts(
            &yaml,
            &CheckOptions::new().with_kernel(KernelProfile::parse("6.2").unwrap())
        )),
        []
    );
}

#[test]
fn a12_unknown_specifier_in_the_directory_is_dropped() {
    // The kernel writes /data/dump-a/core-<host>-<time>, which the mount
    // covers: a warning for %b, but no error.
    let r = run(&deployment("/data/dump-a%b/core-%h-%t", 1).yaml());
    assert_eq!(
        names(&r),
        [("unknown-specifier", Severity::Warning)],
        "{}",
        dump(&r)
    );
}

// ---------------------------------------------------------------------------
// 3. Kinds, keys, documents, namespaces, paths

#[test]
fn every_workload_kind_has_its_pod_template_found() {
    for (kind, spec, meta) in [
        ("Pod", "spec", "metadata"),
        ("Deployment", "spec.template.spec", "spec.template.metadata"),
        (
            "StatefulSet",
            "spec.template.spec",
            "spec.template.metadata",
        ),
        ("DaemonSet", "spec.template.spec", "spec.template.metadata"),
        ("ReplicaSet", "spec.template.spec", "spec.template.metadata"),
        (
            "ReplicationController",
            "spec.template.spec",
            "spec.template.metadata",
        ),
        ("Job", "spec.template.spec", "spec.template.metadata"),
        (
            "CronJob",
            "spec.jobTemplate.spec.template.spec",
            "spec.jobTemplate.spec.template.metadata",
        ),
    ] {
        // Unmounted: the finding names the pod spec's path.
        let r = run(&workload(kind, GOOD, None, vec![], vec![]).yaml());
        assert_eq!(
            names(&r),
            [("directory-not-mounted", Severity::Error)],
            "{kind}"
        );
        assert_finding(
            &r,
            "directory-not-mounted",
            Severity::Error,
            &format!("{kind}/default/app"),
            None,
            &format!("{spec}.containers[*].volumeMounts"),
        );
        // A pattern problem names the pod metadata's path.
        let r = run(&workload(
            kind,
            "/data/dump-a/core-%e",
            None,
            vec![nas("cores")],
            vec![mount("cores", MOUNT)],
        )
        .yaml());
        let f = only(&r, "no-unique-field");
        assert_eq!(
            f.path,
            format!("{meta}.annotations[\"alibabacloud.com/core-pattern\"]")
        );
        // A clean one.
        let r = run(&workload(
            kind,
            GOOD,
            None,
            vec![nas("cores")],
            vec![mount("cores", MOUNT)],
        )
        .yaml());
        assert_eq!(names(&r), [], "{kind}\n{}", dump(&r));
    }
}

#[test]
fn non_workloads_and_unannotated_workloads_are_ignored() {
    let cm = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations: {{\"{ACS_ANNOTATION}\": \"core\"}}\ndata: {{a: b}}\n"
    );
    assert_eq!(names(&run(&cm)), []);
    let mut w = deployment("core", 1);
    w.pattern = None;
    assert_eq!(names(&run(&w.yaml())), []);
    // Another key is not this annotation.
    let mut w = deployment("core", 1);
    w.key = "example.com/core-pattern".into();
    assert_eq!(names(&run(&w.yaml())), []);
}

#[test]
fn eci_key() {
    let mut w = deployment("/data/dump-a/core-%e", 1);
    w.key = ECI_ANNOTATION.into();
    let r = run(&w.yaml());
    assert_finding(
        &r,
        "no-unique-field",
        Severity::Warning,
        OBJ,
        None,
        "spec.template.metadata.annotations[\"k8s.aliyun.com/eci-core-pattern\"]",
    );
    w.on_workload = true;
    let r = run(&w.yaml());
    assert_finding(
        &r,
        "annotation-on-workload-only",
        Severity::Error,
        OBJ,
        None,
        "metadata.annotations[\"k8s.aliyun.com/eci-core-pattern\"]",
    );
}

#[test]
fn custom_keys() {
    let mut w = deployment("/data/dump-a/core-%e", 1);
    w.key = "example.com/core".into();
    let opts = CheckOptions::new().with_keys(["example.com/core"]);
    let r = run_opts(&w.yaml(), &opts);
    assert_finding(
        &r,
        "no-unique-field",
        Severity::Warning,
        OBJ,
        None,
        "spec.template.metadata.annotations[\"example.com/core\"]",
    );
    // The default keys are not looked at any more.
    let acs = deployment("/data/dump-a/core-%e", 1).yaml();
    assert_eq!(names(&run_opts(&acs, &opts)), []);
    assert_eq!(names(&run(&w.yaml())), []);
}

#[test]
fn multi_document_yaml() {
    let mut a = deployment("/data/dump-a/core-%e", 1);
    a.name = "a";
    let mut b = workload("StatefulSet", GOOD, Some(1), vec![], vec![]);
    b.name = "b";
    b.namespace = Some("prod");
    let yaml = format!("---\n{}---\n# b\n{}\n...\n", a.yaml(), b.yaml());
    let set = set_of(&[("all.yaml", &yaml)]);
    let docs = set.documents();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].source, "all.yaml");
    assert_eq!((docs[0].index, docs[1].index), (1, 2));
    let r = run(&yaml);
    let got: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.object.as_str(), f.name))
        .collect();
    assert_eq!(
        got,
        [
            ("Deployment/default/a", "no-unique-field"),
            ("StatefulSet/prod/b", "directory-not-mounted"),
        ]
    );
}

#[test]
fn list_yaml_and_json() {
    let pattern = "/data/dump-a/core-%e";
    let item = |name: &str| {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": { "name": name },
            "spec": {
                "replicas": 1,
                "template": {
                    "metadata": { "annotations": { ACS_ANNOTATION: pattern } },
                    "spec": {
                        "containers": [ctr("app", vec![mount("cores", MOUNT)])],
                        "volumes": [nas("cores")]
                    }
                }
            }
        })
    };
    let list = json!({ "apiVersion": "v1", "kind": "List", "items": [item("a"), item("b")] });
    let json_text = serde_json::to_string_pretty(&list).unwrap();
    let yaml_text = format!(
        "apiVersion: v1\nkind: List\nitems:\n- {}\n- {}\n",
        flow(&item("a")),
        flow(&item("b"))
    );
    let typed = json_text.replace("\"List\"", "\"DeploymentList\"");
    for text in [&json_text, &yaml_text, &typed] {
        let set = set_of(&[("list", text)]);
        assert_eq!(set.documents().len(), 2, "{text}");
        assert!(set.documents().iter().all(|d| d.index == 1));
        let r = run(text);
        let got: Vec<_> = r
            .findings
            .iter()
            .map(|f| (f.object.as_str(), f.name))
            .collect();
        assert_eq!(
            got,
            [
                ("Deployment/default/a", "no-unique-field"),
                ("Deployment/default/b", "no-unique-field"),
            ],
            "{text}"
        );
    }
    // An empty List, and a null `items`.
    for text in [
        "kind: List\nitems: []\n",
        "kind: List\n",
        "{\"kind\": \"List\", \"items\": null}",
    ] {
        assert_eq!(set_of(&[("l", text)]).documents().len(), 0, "{text}");
    }
}

#[test]
fn json_single_object() {
    let w = deployment("/data/dump-a/core-%e", 1);
    let set = set_of(&[("w.yaml", &w.yaml())]);
    let text = serde_json::to_string(&set.documents()[0].value).unwrap();
    let r = run(&text);
    assert_finding(&r, "no-unique-field", Severity::Warning, OBJ, None, ANN);
    assert_eq!(
        set_of(&[("w.json", &text)]).documents()[0].invalid_json,
        None
    );
}

#[test]
fn namespaces_default_to_default() {
    let mut w = deployment("/data/dump-a/core-%e", 1);
    assert_eq!(only(&run(&w.yaml()), "no-unique-field").object, OBJ);
    w.namespace = Some("prod");
    assert_eq!(
        only(&run(&w.yaml()), "no-unique-field").object,
        "Deployment/prod/app"
    );
}

#[test]
fn paths_are_compared_after_normalisation() {
    // Mount with a trailing slash, pattern with `//` and `.`.
    for (pattern, mount_path) in [
        ("/data/dump-a//core-%e-%h-%t", "/data/dump-a/"),
        ("/data/dump-a/./core-%e-%h-%t", "/data/dump-a"),
        ("/data//dump-a/core-%e-%h-%t", "//data/dump-a//"),
        ("/data/x/../dump-a/core-%e-%h-%t", "/data/dump-a"),
    ] {
        let w = workload(
            "Deployment",
            pattern,
            Some(1),
            vec![nas("cores")],
            vec![mount("cores", mount_path)],
        );
        let r = run(&w.yaml());
        assert_eq!(names(&r), [], "{pattern} on {mount_path}\n{}", dump(&r));
    }
    // `..` that escapes the mount.
    let w = deployment("/data/dump-a/../other/core-%e-%h-%t", 1);
    let r = run(&w.yaml());
    assert_eq!(
        names(&r),
        [("directory-not-mounted", Severity::Error)],
        "{}",
        dump(&r)
    );
    assert!(
        only(&r, "directory-not-mounted")
            .message
            .contains("/data/other")
    );
}

#[test]
fn dot_dot_above_the_root_stays_at_the_root() {
    let r = run(&deployment("/../data/dump-a/core-%e-%h-%t", 1).yaml());
    assert!(!r.has_errors(), "{}", dump(&r));
}

#[test]
fn sub_path_is_respected() {
    // A plain container mount with a subPath still covers its mountPath.
    let mut m = mount("cores", MOUNT);
    m["subPath"] = json!("cores");
    let r = run(&workload("Deployment", GOOD, Some(1), vec![nas("cores")], vec![m]).yaml());
    assert_eq!(names(&r), [], "{}", dump(&r));
    // subPathExpr: covered, but each pod writes into its own subdirectory.
    let mut m = mount("cores", MOUNT);
    m["subPathExpr"] = json!("$(POD_NAME)");
    let r = run(&workload("Deployment", GOOD, Some(1), vec![nas("cores")], vec![m]).yaml());
    assert!(!r.has_errors(), "{}", dump(&r));
    assert_finding(
        &r,
        "mount-subpath-expr",
        Severity::Warning,
        OBJ,
        Some("app"),
        "spec.template.spec.containers[0].volumeMounts[0].subPathExpr",
    );
}

#[test]
fn order_is_by_object_then_severity() {
    let mut a = workload(
        "Deployment",
        "/data/dump-a/core-%E",
        Some(1),
        vec![],
        vec![],
    );
    a.name = "a";
    let b = pod("/data/dump-a/core-%e-%h-%t-%b");
    let yaml = format!("{}---\n{}", a.yaml(), b.yaml());
    let r = run(&yaml);
    let got: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.object.as_str(), f.severity))
        .collect();
    let mut want = got.clone();
    want.sort_by_key(|(o, s)| (*o != "Deployment/default/a", core::cmp::Reverse(*s)));
    assert_eq!(got, want, "{}", dump(&r));
    assert_eq!(
        got.first(),
        Some(&("Deployment/default/a", Severity::Error))
    );
    assert_eq!(got.last(), Some(&("Pod/default/app", Severity::Info)));
}

// ---------------------------------------------------------------------------
// 4. Malformed input

#[track_caller]
fn field_error(text: &str) -> (usize, String, String, String) {
    let set = set_of(&[("bad.yaml", text)]);
    let e = try_check(&set, &CheckOptions::default()).unwrap_err();
    // `check` reports it rather than panicking.
    let r = check(&set, &CheckOptions::default());
    assert!(r.has_errors());
    assert!(
        r.findings.iter().any(|f| f.message == e.to_string()),
        "{}",
        dump(&r)
    );
    assert_eq!(e.code(), 401);
    match e {
        ManifestError::Field {
            source_name,
            document,
            object,
            path,
            problem,
        } => {
            assert_eq!(source_name, "bad.yaml");
            (document, object, path, problem)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_not_yaml() {
    for text in [
        ": : :\n\t- [",
        "kind: Deployment\nmetadata: {name: [\n",
        "a: b: c\n",
        "{\"a\": ",
    ] {
        let e = ManifestSet::parse("bad.yaml", text).unwrap_err();
        let ManifestError::Syntax {
            source_name,
            document,
            line,
            ..
        } = &e
        else {
            panic!("{text:?}: {e:?}");
        };
        assert_eq!(
            (source_name.as_str(), *document),
            ("bad.yaml", 1),
            "{text:?}"
        );
        assert!(line.is_some(), "{e:?}");
        assert_eq!(e.code(), 400);
        let msg = e.to_string();
        assert!(
            msg.starts_with("bad.yaml: document 1: not valid YAML or JSON at line "),
            "{msg}"
        );
    }
}

#[test]
fn malformed_yaml_names_the_broken_document() {
    let e = ManifestSet::parse("bad.yaml", "a: 1\n---\nb: 2\n---\nc: [\n").unwrap_err();
    assert!(
        matches!(
            e,
            ManifestError::Syntax {
                document: 3,
                line: Some(5),
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn malformed_documents_that_are_not_mappings() {
    for (text, document, what) in [
        ("hello\n", 1, "a string"),
        ("42\n", 1, "a number"),
        ("a: 1\n---\n- x\n", 2, "a list"),
        ("[1, 2]", 1, "a list"),
        ("kind: Pod\n---\nkind: Pod\n---\ntrue\n", 3, "a boolean"),
    ] {
        let e = ManifestSet::parse("bad.yaml", text).unwrap_err();
        assert_eq!(
            e,
            ManifestError::Field {
                source_name: "bad.yaml".into(),
                document,
                object: "?".into(),
                path: "(document)".into(),
                problem: format!("must be a mapping (an object), not {what}"),
            },
            "{text:?}"
        );
        assert!(
            e.to_string().contains(&format!("document {document} ")),
            "{e}"
        );
    }
    // Empty input and empty documents are no documents.
    for text in ["", "---\n", "# nothing\n", "---\n---\n"] {
        assert_eq!(ManifestSet::parse("e", text).unwrap().documents().len(), 0);
    }
}

#[test]
fn empty_documents_keep_their_number() {
    for text in [
        "kind: Pod\n---\n---\ntrue\n",
        "kind: Pod\n---\n~\n---\ntrue\n",
    ] {
        let e = ManifestSet::parse("bad.yaml", text).unwrap_err();
        assert!(
            matches!(e, ManifestError::Field { document: 3, .. }),
            "{text:?}: {e:?}"
        );
    }
    let set = set_of(&[("x.yaml", "kind: Pod\n---\n# nothing\n---\nkind: Pod\n")]);
    let idx: Vec<usize> = set.documents().iter().map(|d| d.index).collect();
    assert_eq!(idx, [1, 3]);
}

#[test]
fn malformed_list_items() {
    let e = ManifestSet::parse("bad.yaml", "a: 1\n---\nkind: List\nitems: {a: 1}\n").unwrap_err();
    assert_eq!(
        e,
        ManifestError::Field {
            source_name: "bad.yaml".into(),
            document: 2,
            object: "List".into(),
            path: "items".into(),
            problem: "must be a list, not a mapping".into(),
        }
    );
    assert_eq!(
        e.to_string(),
        "bad.yaml: document 2 (List): field `items` must be a list, not a mapping"
    );
    let e = ManifestSet::parse("bad.json", "{\"kind\": \"List\", \"items\": [\"x\"]}").unwrap_err();
    assert!(
        matches!(&e, ManifestError::Field { document: 1, path, .. } if path == "items[]"),
        "{e:?}"
    );
}

#[test]
fn malformed_fields() {
    let second = |w: &W| format!("kind: ConfigMap\nmetadata: {{name: c}}\n---\n{}", w.yaml());
    // containers not a list
    let mut w = deployment(GOOD, 1);
    w.containers = Vec::new();
    let yaml = second(&w).replace("\"containers\":[]", "\"containers\":\"app\"");
    let (doc, object, path, problem) = field_error(&yaml);
    assert_eq!(
        (doc, object.as_str(), path.as_str(), problem.as_str()),
        (
            2,
            OBJ,
            "spec.template.spec.containers",
            "must be a list, not a string"
        )
    );
    // a container that is not a mapping
    let mut w = deployment(GOOD, 1);
    w.containers = vec![json!(["app"])];
    let (doc, _, path, _) = field_error(&w.yaml());
    assert_eq!(
        (doc, path.as_str()),
        (1, "spec.template.spec.containers[0]")
    );
    // a container name that is not a string
    let mut w = deployment(GOOD, 1);
    w.containers[0]["name"] = json!(7);
    let (_, _, path, problem) = field_error(&w.yaml());
    assert_eq!(
        (path.as_str(), problem.as_str()),
        (
            "spec.template.spec.containers[0].name",
            "must be a string, not a number"
        )
    );
    // volumeMounts[0].mountPath missing
    let mut w = deployment(GOOD, 1);
    w.containers[0]["volumeMounts"] = json!([{ "name": "cores" }]);
    let (doc, object, path, problem) = field_error(&second(&w));
    assert_eq!(
        (doc, object.as_str(), path.as_str(), problem.as_str()),
        (
            2,
            OBJ,
            "spec.template.spec.containers[0].volumeMounts[0].mountPath",
            "is missing"
        )
    );
    // volumeMounts not a list
    let mut w = deployment(GOOD, 1);
    w.containers[0]["volumeMounts"] = json!({ "name": "cores" });
    let (_, _, path, _) = field_error(&w.yaml());
    assert_eq!(path, "spec.template.spec.containers[0].volumeMounts");
    // volumes not a list
    let mut w = deployment(GOOD, 1);
    w.volumes = Vec::new();
    let yaml = w.yaml().replace("}]}\n", "}],\"volumes\":\"cores\"}\n");
    let (_, _, path, problem) = field_error(&yaml);
    assert_eq!(
        (path.as_str(), problem.as_str()),
        ("spec.template.spec.volumes", "must be a list, not a string"),
        "{yaml}"
    );
    // subPath not a string
    let mut w = deployment(GOOD, 1);
    w.containers[0]["volumeMounts"][0]["subPath"] = json!(["a"]);
    let (_, _, path, _) = field_error(&w.yaml());
    assert_eq!(
        path,
        "spec.template.spec.containers[0].volumeMounts[0].subPath"
    );
}

#[test]
fn malformed_annotations_and_pod_specs() {
    // The pod template's annotations a list.
    let yaml = format!(
        "kind: Deployment\nmetadata: {{name: app}}\nspec:\n  template:\n    metadata:\n      annotations: [\"{ACS_ANNOTATION}\", \"{GOOD}\"]\n    spec: {{containers: []}}\n"
    );
    let (doc, object, path, problem) = field_error(&yaml);
    assert_eq!(
        (doc, object.as_str(), path.as_str(), problem.as_str()),
        (
            1,
            OBJ,
            "spec.template.metadata.annotations",
            "must be a mapping, not a list"
        )
    );
    // The workload's own annotations a list.
    let yaml = format!(
        "kind: Deployment\nmetadata:\n  name: app\n  annotations: [a]\nspec:\n  template:\n    metadata: {{annotations: {{\"{ACS_ANNOTATION}\": \"{GOOD}\"}}}}\n    spec: {{containers: []}}\n"
    );
    let (_, _, path, _) = field_error(&yaml);
    assert_eq!(path, "metadata.annotations");
    // A Pod's annotations a string.
    let (_, object, path, problem) =
        field_error("kind: Pod\nmetadata: {name: p, annotations: x}\nspec: {containers: []}\n");
    assert_eq!(
        (object.as_str(), path.as_str(), problem.as_str()),
        (
            "Pod/default/p",
            "metadata.annotations",
            "must be a mapping, not a string"
        )
    );
    // No pod spec.
    let (_, object, path, problem) =
        field_error("kind: Deployment\nmetadata: {name: app}\nspec: {replicas: 1}\n");
    assert_eq!(
        (object.as_str(), path.as_str(), problem.as_str()),
        (
            OBJ,
            "spec.template.spec",
            "is missing: a workload needs a pod spec"
        )
    );
    let (_, _, path, problem) = field_error(
        "kind: CronJob\nmetadata: {name: c}\nspec: {jobTemplate: {spec: {template: {spec: [1]}}}}\n",
    );
    assert_eq!(
        (path.as_str(), problem.as_str()),
        (
            "spec.jobTemplate.spec.template.spec",
            "must be a mapping, not a list"
        )
    );
}

#[test]
fn malformed_ephemeral_container_mounts() {
    for (mounts, path) in [
        (json!("x"), "spec.ephemeralContainers[0].volumeMounts"),
        (
            json!([{ "name": "cores" }]),
            "spec.ephemeralContainers[0].volumeMounts[0].mountPath",
        ),
    ] {
        let mut w = pod(GOOD);
        w.ephemeral = vec![json!({ "name": "debugger", "volumeMounts": mounts })];
        let (_, object, got, _) = field_error(&w.yaml());
        assert_eq!((object.as_str(), got.as_str()), ("Pod/default/app", path));
    }
}

#[test]
fn field_errors_display_the_document_and_the_field() {
    let mut w = deployment(GOOD, 1);
    w.containers[0]["volumeMounts"] = json!([{ "name": "cores" }]);
    let set = set_of(&[("app.yaml", &w.yaml())]);
    let e = try_check(&set, &CheckOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "app.yaml: document 1 (Deployment/default/app): field `spec.template.spec.containers[0].volumeMounts[0].mountPath` is missing"
    );
}

#[test]
fn check_keeps_what_could_be_checked() {
    let mut good = deployment("/data/dump-a/core-%e-%p-%t", 3);
    good.name = "good";
    let mut bad = deployment(GOOD, 1);
    bad.name = "bad";
    bad.containers = vec![json!("app")];
    let yaml = format!("{}---\n{}", good.yaml(), bad.yaml());
    let r = check(&set_of(&[("x.yaml", &yaml)]), &CheckOptions::default());
    assert_none(&r, "pattern-invalid");
    assert_finding(
        &r,
        "name-not-unique-across-pods",
        Severity::Warning,
        "Deployment/default/good",
        None,
        "spec.template.metadata.annotations",
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn too_large() {
    let big = " ".repeat(MAX_MANIFEST_BYTES + 1);
    let e = ManifestSet::parse("big.yaml", &big).unwrap_err();
    assert!(matches!(e, ManifestError::TooLarge { .. }), "{e:?}");
    assert_eq!(e.code(), 402);
}

#[test]
#[cfg_attr(miri, ignore)]
fn too_many_documents() {
    let items = vec!["{}"; MAX_DOCUMENTS + 1].join(",");
    let text = format!("{{\"kind\": \"List\", \"items\": [{items}]}}");
    let e = ManifestSet::parse("many.json", &text).unwrap_err();
    assert!(matches!(e, ManifestError::TooLarge { .. }), "{e:?}");
}

/// Reads `text` as a second input next to the seed's emptyDir Deployment
/// (so patch bodies meet a workload), then checks, tries and patches: none
/// of it may panic, and every finding is listed.
fn exercise(text: &str) {
    for opts in [CheckOptions::default(), kernel_6_1()] {
        let alone = ManifestSet::parse("fuzz.yaml", text);
        let mut with_seed = set_of(&[("seed.yaml", EMPTYDIR)]);
        let added = with_seed.add("fuzz.yaml", text);
        assert_eq!(alone.is_ok(), added.is_ok());
        for set in [alone.ok(), added.ok().map(|()| with_seed)]
            .into_iter()
            .flatten()
        {
            let r = check(&set, &opts);
            for f in &r.findings {
                assert!(FINDING_NAMES.contains(&f.name), "{}", f.name);
            }
            let _ = r.to_json();
            match try_check(&set, &opts) {
                Ok(t) => assert_eq!(t, r),
                Err(e) => assert!(r.has_errors() && !e.to_string().is_empty()),
            }
            let _ = ephemeral_patch(&set, &PatchOptions::new().with_check(opts.clone()));
        }
    }
}

const FRAGMENTS: &[&str] = &[
    "kind: Deployment",
    "kind: Pod",
    "kind: CronJob",
    "kind: List",
    "kind: PersistentVolumeClaim",
    "apiVersion: v1",
    "metadata:",
    "name: app",
    "namespace: prod",
    "annotations:",
    "alibabacloud.com/core-pattern: /data/dump-a/core-%E-%p-%t",
    "alibabacloud.com/core-pattern: \"|/x %p\"",
    "alibabacloud.com/core-pattern: /data/%h/c",
    "alibabacloud.com/core-pattern: 5",
    "k8s.aliyun.com/eci-core-pattern: core%",
    "spec:",
    "template:",
    "jobTemplate:",
    "replicas: 3",
    "replicas: x",
    "containers:",
    "initContainers:",
    "ephemeralContainers:",
    "- name: app",
    "- name: dbg",
    "targetContainerName: app",
    "volumeMounts:",
    "- name: v",
    "mountPath: /data/dump-a/",
    "mountPath: /data",
    "mountPath: 7",
    "readOnly: true",
    "subPath: x",
    "subPathExpr: y",
    "volumes:",
    "emptyDir: {medium: Memory, sizeLimit: 1Mi}",
    "persistentVolumeClaim: {claimName: c}",
    "accessModes: [ReadWriteOnce]",
    "hostPath: {path: /x}",
    "csi: {driver: nasplugin.csi.alibabacloud.com}",
    "items:",
    "items: 3",
    "- 1",
    "- {}",
    "---",
    "[",
    "{",
    "}",
    ": :",
    "&a [*a]",
    "'",
    "\"",
    "#",
    "\t",
    "%",
];

fn yamlish() -> impl Strategy<Value = String> {
    vec((0usize..6, prop::sample::select(FRAGMENTS)), 0..32).prop_map(|lines| {
        lines
            .into_iter()
            .map(|(indent, f)| format!("{}{f}\n", "  ".repeat(indent)))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    #[cfg_attr(miri, ignore)]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..400)) {
        exercise(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn yamlish_text_never_panics(text in yamlish()) {
        exercise(&text);
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn any_pattern_never_panics(pattern in vec(any::<u8>(), 0..200), replicas in 0i64..4) {
        let p = String::from_utf8_lossy(&pattern);
        exercise(&deployment(&p, replicas).yaml());
        let mut w = pod(&p);
        w.ephemeral = vec![ctr("debugger", vec![mount("cores", MOUNT)])];
        exercise(&w.yaml());
    }
}

// ---------------------------------------------------------------------------
// 5. The JSON shape; normalize_path, parse_quantity

#[test]
fn report_json_shape() {
    let r = run_set(
        &[
            ("acs-emptydir.yaml", EMPTYDIR),
            ("acs-ephemeral-patch.json", PATCH),
        ],
        &CheckOptions::default(),
    );
    let v = r.to_json();
    let top: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(top, ["findings"]);
    let list = v["findings"].as_array().unwrap();
    assert_eq!(list.len(), r.findings.len());
    let mut severities = Vec::new();
    let mut containers = (false, false);
    for (j, f) in list.iter().zip(&r.findings) {
        let keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "name",
                "severity",
                "object",
                "container",
                "path",
                "message",
                "help"
            ]
        );
        assert_eq!(j["name"], f.name);
        assert_eq!(j["severity"], f.severity.name());
        assert_eq!(j["object"], f.object.as_str());
        assert_eq!(j["path"], f.path.as_str());
        assert_eq!(j["message"], f.message.as_str());
        assert_eq!(j["help"], f.help.as_str());
        match &j["container"] {
            Value::Null => containers.0 = true,
            Value::String(s) => {
                containers.1 = true;
                assert_eq!(Some(s.as_str()), f.container.as_deref());
            }
            other => panic!("container {other}"),
        }
        severities.push(j["severity"].as_str().unwrap().to_string());
    }
    assert_eq!(containers, (true, true));
    severities.sort();
    severities.dedup();
    assert_eq!(severities, ["error", "info", "warning"]);
    assert_eq!(
        ManifestReport::default().to_json(),
        json!({ "findings": [] })
    );
}

#[test]
fn normalize_path_table() {
    for (input, want) in [
        ("/", Some("/")),
        ("//", Some("/")),
        ("/data/dump-a/", Some("/data/dump-a")),
        ("/data/dump-a", Some("/data/dump-a")),
        ("/data/dump-a//core", Some("/data/dump-a/core")),
        ("/data/./dump-a/.", Some("/data/dump-a")),
        ("/data/dump-a/../other", Some("/data/other")),
        ("/a/b/../../c/", Some("/c")),
        ("/a/..", Some("/")),
        ("/a/...", Some("/a/...")),
        // The kernel resolves `/..` as `/`.
        ("/..", Some("/")),
        ("/a/../..", Some("/")),
        ("/../a", Some("/a")),
        ("relative/x", None),
        ("1e3", None),
    ] {
        assert_eq!(normalize_path(input).as_deref(), want, "{input}");
    }
}

#[test]
fn parse_quantity_table() {
    for (input, want) in [
        ("0", Some(0)),
        ("1024", Some(1024)),
        ("1k", Some(1_000)),
        ("1Ki", Some(1_024)),
        ("100Mi", Some(100 << 20)),
        ("500M", Some(500_000_000)),
        ("1Gi", Some(1 << 30)),
        ("2G", Some(2_000_000_000)),
        ("1.5Gi", Some(3 << 29)),
        (".5Gi", Some(1 << 29)),
        (" 2Gi ", Some(2 << 30)),
        ("1Ti", Some(1 << 40)),
        ("1Pi", Some(1 << 50)),
        ("1Ei", Some(1 << 60)),
        ("16Ei", Some(1 << 64)),
        ("1T", Some(1_000_000_000_000)),
        ("1P", Some(1_000_000_000_000_000)),
        ("1E", Some(1_000_000_000_000_000_000)),
        ("", None),
        ("Gi", None),
        (".", None),
        ("1K", None),
        ("1GB", None),
        ("1.2.3Gi", None),
        ("-1Gi", None),
        ("abc", None),
        ("999999999999999999999999999999999999999999Ei", None),
        ("1e9", Some(1_000_000_000)),
        ("2E3", Some(2_000)),
        ("100m", Some(0)),
        ("1500m", Some(1)),
    ] {
        assert_eq!(parse_quantity(input), want, "{input:?}");
    }
}

/// `%YAML` and `%TAG` directives belong to the document their `---` starts
/// (they were read as a broken document of their own).
#[test]
fn yaml_directives_before_a_document() {
    let text = "%YAML 1.2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n...\n%YAML 1.2\n%TAG ! tag:example.com,2026:\n--- \napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
    let set = ManifestSet::parse("d.yaml", text).unwrap();
    let names: Vec<_> = set
        .documents()
        .iter()
        .map(|d| d.value["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
    // Errors keep the input's line numbers.
    let e = ManifestSet::parse("d.yaml", "%YAML 1.2\n---\na: 1\nb: [\n").unwrap_err();
    assert!(
        matches!(e, ManifestError::Syntax { line: Some(4), .. }),
        "{e:?}"
    );
    // Directives with no document after them are an error, not ignored.
    assert!(ManifestSet::parse("d.yaml", "a: 1\n...\n%YAML 1.2\n").is_err());
}

/// JSON objects one after another, as `kubectl get -o json` output
/// concatenated by a script, and as kubectl accepts them.
#[test]
fn concatenated_json_objects() {
    let text = r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}
{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}"#;
    let set = ManifestSet::parse("c.json", text).unwrap();
    assert_eq!(set.documents().len(), 2);
    assert!(set.documents().iter().all(|d| d.invalid_json.is_none()));
    // A broken second object is reported where it breaks.
    let e = ManifestSet::parse("c.json", "{\"a\": 1}\n{\"b\": }\n");
    match e {
        Ok(set) => assert!(set.documents().iter().any(|d| d.invalid_json.is_some())),
        Err(ManifestError::Syntax { line, .. }) => assert_eq!(line, Some(2)),
        Err(other) => panic!("{other:?}"),
    }
}
