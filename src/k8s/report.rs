//! The output of [`check`](super::check()): [`Finding`]s gathered in a
//! [`Report`], and the stable list of their names.

use crate::lint::Severity;
use serde::Serialize;
use serde_json::{Value, json};
use std::fmt;

/// Every finding name [`check`](super::check()) can report. Stable public API.
pub const FINDING_NAMES: [&str; 26] = [
    "annotation-on-workload-only",
    "pattern-invalid",
    "pattern-not-file",
    "pattern-relative",
    "directory-has-specifier",
    "directory-not-mounted",
    "container-not-covered",
    "mount-read-only",
    "volume-not-shared",
    "emptydir-needs-ephemeral-route",
    "emptydir-memory-medium",
    "emptydir-size-limit",
    "name-not-unique-across-pods",
    "no-unique-field",
    "name-too-long-risk",
    "ephemeral-mount-mismatch",
    "ephemeral-name-duplicate",
    "ephemeral-target-missing",
    "pvc-not-read-write-many",
    "unknown-specifier",
    "trailing-percent",
    "patch-invalid-json",
    "pvc-not-found",
    "pattern-unsupported-specifier",
    "mount-subpath-expr",
    "manifest-invalid",
];

/// One finding about a manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// The stable kebab-case name (one of [`FINDING_NAMES`]).
    pub name: &'static str,
    /// How bad it is.
    pub severity: Severity,
    /// `Kind/namespace/name`.
    pub object: String,
    /// The container, when the finding is about one.
    pub container: Option<String>,
    /// The field's path, e.g. `spec.template.spec.containers[0].volumeMounts`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}] {}", self.severity, self.name, self.object)?;
        if let Some(c) = &self.container {
            write!(f, " container {c}")?;
        }
        write!(
            f,
            " at {}: {}\n  fix: {}",
            self.path, self.message, self.help
        )
    }
}

/// The findings of [`check`](super::check()).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// Every finding, grouped by object, most severe first within one.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// `{"findings": [...]}`.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or_else(|_| json!({ "findings": [] }))
    }
}
