//! Checking the `alibabacloud.com/core-pattern` annotation against
//! Kubernetes manifests.
//!
//! The folder, from the bottom up:
//! - `manifest.rs`: reading the input ([`ManifestSet`], [`Document`],
//!   [`ManifestError`]): JSON, multi-document YAML, `kind: List`, the limits
//!   (input size, documents, and the alias expansion budget of a whole set).
//! - `report.rs`: the output ([`Finding`], [`Report`], [`FINDING_NAMES`]).
//! - `paths.rs`: paths as the kernel resolves them ([`normalize_path`]) and
//!   the directory a pattern writes into.
//! - `pod.rs`: the typed walk over one workload: its pod template,
//!   containers, volume mounts, volumes and quantities ([`parse_quantity`]).
//! - `check/`: [`check`](fn@check) and [`try_check`], one function per
//!   rule: the pattern (`pattern.rs`), mounts and volumes (`storage.rs`),
//!   ephemeral containers and patches (`ephemeral.rs`).
//! - `patch.rs`: [`ephemeral_patch`], the ephemeral-container patch body.
//!
//! Alibaba Cloud ACS turns core dumps on per pod with the annotation
//! `alibabacloud.com/core-pattern: "/data/dump-a/core-%E-%p-%t"` (ECI:
//! `k8s.aliyun.com/eci-core-pattern`). The core lands somewhere useful only
//! if the pod spec agrees: the annotation on the pod template, a writable
//! shared volume mounted at exactly that directory in every container, a
//! name unique across replicas, an ephemeral debug container that mounts the
//! same path. [`check`](fn@check) verifies all of it; [`ephemeral_patch`]
//! writes the patch body for the ephemeral-container route.
//!
//! This module exists with the `k8s` feature (on by default), which brings
//! serde, serde_json and serde-saphyr. Three public items carry
//! `serde_json::Value`, so serde_json's major version is part of this
//! module's API: [`Document::value`], [`EphemeralPatch::body`] and
//! [`Report::to_json`]. [`Report`], [`Finding`] and [`EphemeralPatch`]
//! implement `serde::Serialize` (the `corepat check-manifest --format json`
//! shape).
//!
//! ```
//! use core_pattern::k8s::{CheckOptions, ManifestSet, check};
//! let yaml = r#"
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata: {name: app, namespace: prod}
//! spec:
//!   replicas: 3
//!   template:
//!     metadata:
//!       annotations:
//!         alibabacloud.com/core-pattern: "/data/dump-a/core-%E-%p-%t"
//!     spec:
//!       containers:
//!       - name: app
//!         image: app:1
//!         volumeMounts: [{name: cores, mountPath: /data/dump-a/}]
//!       volumes:
//!       - name: cores
//!         csi: {driver: nasplugin.csi.alibabacloud.com, volumeAttributes: {server: nas.example.com, path: /}}
//! "#;
//! let set = ManifestSet::parse("app.yaml", yaml)?;
//! let report = check(&set, &CheckOptions::default());
//! let names: Vec<_> = report.findings.iter().map(|f| f.name).collect();
//! // Three pods share one NAS directory, and %p is 1 in each of them.
//! assert!(names.contains(&"name-not-unique-across-pods"));
//! assert!(!report.has_errors());
//! # Ok::<(), core_pattern::k8s::ManifestError>(())
//! ```

mod check;
mod manifest;
mod patch;
mod paths;
mod pod;
mod report;

pub use check::{CheckOptions, check, try_check};
pub use manifest::{
    Document, MAX_DOCUMENTS, MAX_EXPANDED_SIZE, MAX_MANIFEST_BYTES, ManifestError, ManifestSet,
};
pub use patch::{EphemeralPatch, PatchError, PatchOptions, ephemeral_patch};
pub use paths::normalize_path;
pub use pod::parse_quantity;
pub use report::{FINDING_NAMES, Finding, Report};

/// The ACS pod annotation.
pub const ACS_ANNOTATION: &str = "alibabacloud.com/core-pattern";
/// The ECI pod annotation, with the same meaning.
pub const ECI_ANNOTATION: &str = "k8s.aliyun.com/eci-core-pattern";
