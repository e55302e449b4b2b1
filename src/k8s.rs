//! Checking the `alibabacloud.com/core-pattern` annotation against
//! Kubernetes manifests.
//!
//! Alibaba Cloud ACS turns core dumps on per pod with the annotation
//! `alibabacloud.com/core-pattern: "/data/dump-a/core-%E-%p-%t"` (ECI:
//! `k8s.aliyun.com/eci-core-pattern`). The core lands somewhere useful only
//! if the pod spec agrees: the annotation on the pod template, a writable
//! shared volume mounted at exactly that directory in every container, a
//! name unique across replicas, an ephemeral debug container that mounts the
//! same path. [`check`] verifies all of it; [`ephemeral_patch`] writes the
//! patch body for the ephemeral-container route.
//!
//! ```
//! use core_pattern::{CheckOptions, ManifestSet, check};
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
//! # Ok::<(), core_pattern::ManifestError>(())
//! ```

use crate::expand::Settings;
use crate::kernel::KernelProfile;
use crate::lint::{LintKind, Severity, lint};
use crate::parse::{Mode, TokenKind};
use crate::spec::Specifier;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::fmt;

/// The ACS pod annotation.
pub const ACS_ANNOTATION: &str = "alibabacloud.com/core-pattern";
/// The ECI pod annotation, with the same meaning.
pub const ECI_ANNOTATION: &str = "k8s.aliyun.com/eci-core-pattern";

/// The most bytes one manifest input may have (16 MiB).
pub const MAX_MANIFEST_BYTES: usize = 16 << 20;
/// The most documents one input may hold (after `kind: List` expansion).
pub const MAX_DOCUMENTS: usize = 100_000;

/// Every finding name [`check`] can report. Stable public API.
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

// ---------------------------------------------------------------------------
// Input

/// Why manifests could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// Not YAML or JSON.
    #[error("{source_name}: document {document}: not valid YAML or JSON{}: {message}", location(*line, *column))]
    Syntax {
        /// The input's name.
        source_name: String,
        /// 1-based document number.
        document: usize,
        /// 1-based line, when known.
        line: Option<u64>,
        /// 1-based column, when known.
        column: Option<u64>,
        /// What the parser said.
        message: String,
    },
    /// A field has the wrong type or is missing.
    #[error("{source_name}: document {document} ({object}): field `{path}` {problem}")]
    Field {
        /// The input's name.
        source_name: String,
        /// 1-based document number.
        document: usize,
        /// `Kind/namespace/name`, as far as known.
        object: String,
        /// The field's path, e.g. `spec.template.spec.containers[0].name`.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Over [`MAX_MANIFEST_BYTES`] or [`MAX_DOCUMENTS`].
    #[error("{source_name}: {what}")]
    TooLarge {
        /// The input's name.
        source_name: String,
        /// Which limit.
        what: String,
    },
}

fn location(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
        (Some(l), None) => format!(" at line {l}"),
        _ => String::new(),
    }
}

impl ManifestError {
    /// A stable numeric code (band 4xx).
    pub const fn code(&self) -> u32 {
        match self {
            ManifestError::Syntax { .. } => 400,
            ManifestError::Field { .. } => 401,
            ManifestError::TooLarge { .. } => 402,
        }
    }
}

/// One Kubernetes object from the input.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The input it came from.
    pub source: String,
    /// 1-based document number in that input.
    pub index: usize,
    /// The object.
    pub value: Value,
    /// A JSON input that is not valid JSON but was read as YAML: line and
    /// column of the JSON error (a patch body sent with curl must be JSON).
    pub invalid_json: Option<(usize, usize, String)>,
}

/// Manifests: every document of one or more inputs, with `kind: List`
/// expanded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ManifestSet {
    docs: Vec<Document>,
}

impl ManifestSet {
    /// Reads one input: YAML (several documents separated by `---`) or JSON
    /// (one object, or a `kind: List`).
    ///
    /// # Errors
    ///
    /// [`ManifestError::Syntax`] for input that is neither (with line and
    /// column); [`ManifestError::Field`] for a document that is not a
    /// mapping or whose `items` is not a list; [`ManifestError::TooLarge`].
    pub fn parse(source_name: &str, text: &str) -> Result<ManifestSet, ManifestError> {
        let mut set = ManifestSet::default();
        set.add(source_name, text)?;
        Ok(set)
    }

    /// Adds another input (see [`ManifestSet::parse`]).
    ///
    /// # Errors
    ///
    /// As [`ManifestSet::parse`].
    pub fn add(&mut self, source_name: &str, text: &str) -> Result<(), ManifestError> {
        if text.len() > MAX_MANIFEST_BYTES {
            return Err(ManifestError::TooLarge {
                source_name: source_name.into(),
                what: format!(
                    "{} bytes, over the limit of {MAX_MANIFEST_BYTES}",
                    text.len()
                ),
            });
        }
        let mut invalid_json = None;
        let values: Vec<Value> = if text.trim_start().starts_with(['{', '[']) {
            match serde_json::from_str::<Value>(text) {
                Ok(v) => vec![v],
                Err(e) => {
                    let (line, column) = (e.line(), e.column());
                    invalid_json = Some((line, column, e.to_string()));
                    // A JSON look-alike that YAML accepts (e.g. with a `#`
                    // comment): read it, and report the JSON error as a
                    // finding.
                    match read_yaml(source_name, text) {
                        Ok(v) => v,
                        Err(_) => {
                            return Err(ManifestError::Syntax {
                                source_name: source_name.into(),
                                document: 1,
                                line: Some(line as u64),
                                column: Some(column as u64),
                                message: e.to_string(),
                            });
                        }
                    }
                }
            }
        } else {
            read_yaml(source_name, text)?
        };
        let mut index = 0;
        for v in values {
            index += 1;
            if v.is_null() {
                continue; // an empty document
            }
            let Value::Object(_) = &v else {
                return Err(ManifestError::Field {
                    source_name: source_name.into(),
                    document: index,
                    object: "?".into(),
                    path: "(document)".into(),
                    problem: format!("must be a mapping (an object), not {}", type_name(&v)),
                });
            };
            if v.get("kind")
                .and_then(Value::as_str)
                .is_some_and(|k| k.ends_with("List"))
            {
                let items = match v.get("items") {
                    Some(Value::Array(a)) => a.clone(),
                    Some(Value::Null) | None => Vec::new(),
                    Some(other) => {
                        return Err(ManifestError::Field {
                            source_name: source_name.into(),
                            document: index,
                            object: "List".into(),
                            path: "items".into(),
                            problem: format!("must be a list, not {}", type_name(other)),
                        });
                    }
                };
                for item in items {
                    self.push(source_name, index, item, None)?;
                }
            } else {
                self.push(source_name, index, v, invalid_json.clone())?;
            }
        }
        Ok(())
    }

    fn push(
        &mut self,
        source: &str,
        index: usize,
        value: Value,
        invalid_json: Option<(usize, usize, String)>,
    ) -> Result<(), ManifestError> {
        if self.docs.len() >= MAX_DOCUMENTS {
            return Err(ManifestError::TooLarge {
                source_name: source.into(),
                what: format!("more than {MAX_DOCUMENTS} documents"),
            });
        }
        if !value.is_object() {
            return Err(ManifestError::Field {
                source_name: source.into(),
                document: index,
                object: "List".into(),
                path: "items[]".into(),
                problem: format!("must be a mapping (an object), not {}", type_name(&value)),
            });
        }
        self.docs.push(Document {
            source: source.into(),
            index,
            value,
            invalid_json,
        });
        Ok(())
    }

    /// The documents.
    pub fn documents(&self) -> &[Document] {
        &self.docs
    }
}

/// Splits YAML text into documents at `---` markers (a document marker
/// stands at column 0, where content never does) and `...` ends; keeps each
/// document's first line number.
fn split_documents(text: &str) -> Vec<(usize, String)> {
    let mut docs: Vec<(usize, String)> = Vec::new();
    let mut cur = String::new();
    let mut start = 1;
    let mut explicit = false;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        let is_marker = |m: &str| {
            body == m
                || body
                    .strip_prefix(m)
                    .is_some_and(|r| r.starts_with([' ', '\t']))
        };
        if is_marker("---") {
            if explicit || !cur.trim().is_empty() {
                docs.push((start, std::mem::take(&mut cur)));
            }
            cur.clear();
            explicit = true;
            start = i + 1;
            // Content after the marker stays, at its column.
            cur.push_str("   ");
            cur.push_str(&line[3..]);
        } else if is_marker("...") {
            docs.push((start, std::mem::take(&mut cur)));
            explicit = false;
            start = i + 2;
        } else {
            cur.push_str(line);
        }
    }
    if explicit || !cur.trim().is_empty() {
        docs.push((start, cur));
    }
    docs
}

fn read_yaml(source_name: &str, text: &str) -> Result<Vec<Value>, ManifestError> {
    let mut out = Vec::new();
    for (n, (first_line, doc)) in split_documents(text).into_iter().enumerate() {
        // Blank and comment-only documents are null documents.
        let empty = doc
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        if empty {
            out.push(Value::Null);
            continue;
        }
        // Each document is read on its own (padding it to keep line numbers
        // would make a long stream quadratic); error lines are shifted back
        // to the input's.
        let offset = first_line.saturating_sub(1) as u64;
        let v = serde_saphyr::from_str::<Value>(&doc).map_err(|e| {
            let loc = e.location();
            ManifestError::Syntax {
                source_name: source_name.into(),
                document: n + 1,
                line: loc.map(|l| l.line() + offset),
                column: loc.map(|l| l.column()),
                message: e.to_string().lines().next().unwrap_or("").to_string(),
            }
        })?;
        out.push(v);
    }
    Ok(out)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

// ---------------------------------------------------------------------------
// Output

/// One finding about a manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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

/// The findings of [`check`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
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

/// What [`check`] looks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckOptions {
    /// The annotation keys that carry a pattern (default: the ACS and ECI keys).
    pub keys: Vec<String>,
    /// The kernel the nodes run (default: the newest behaviour).
    pub kernel: KernelProfile,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            keys: vec![ACS_ANNOTATION.into(), ECI_ANNOTATION.into()],
            kernel: KernelProfile::latest(),
        }
    }
}

// ---------------------------------------------------------------------------
// Paths

/// Normalises an absolute path lexically as the kernel resolves it: `//`,
/// `.` and `..` resolved (`/..` is `/`), no trailing slash (except `/`).
/// `None` for a relative path.
pub fn normalize_path(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// Whether `dir` is `mount` or below it (both normalised).
fn covers(mount: &str, dir: &str) -> bool {
    mount == "/" || dir == mount || dir.strip_prefix(mount).is_some_and(|r| r.starts_with('/'))
}

/// Parses a Kubernetes quantity (`1Gi`, `500M`, `1.5Gi`, `1024`) into bytes.
pub fn parse_quantity(q: &str) -> Option<u128> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    // Decimal exponents (`1e9`, `2E3`) and milli (`100m`, rounded down).
    if let Some(exp) = suffix
        .strip_prefix(['e', 'E'])
        .filter(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()))
    {
        let e: u32 = exp.parse().ok()?;
        let base = parse_quantity(num)?;
        return base.checked_mul(10u128.checked_pow(e)?);
    }
    if suffix == "m" {
        return Some(parse_quantity(num)? / 1000);
    }
    let mult: u128 = match suffix {
        "" => 1,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        "Pi" => 1 << 50,
        "Ei" => 1 << 60,
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        "P" => 1_000_000_000_000_000,
        "E" => 1_000_000_000_000_000_000,
        _ => return None,
    };
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let int: u128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut total = int.checked_mul(mult)?;
    if !frac.is_empty() {
        let digits = frac.len().min(18);
        let f: u128 = frac[..digits].parse().ok()?;
        total = total.checked_add(f.checked_mul(mult)? / 10u128.pow(digits as u32))?;
    }
    Some(total)
}

// ---------------------------------------------------------------------------
// The walk over one workload

/// A pod template found in a workload.
struct PodTemplate<'a> {
    kind: String,
    object: String,
    namespace: String,
    name: String,
    /// The workload's own metadata (same as the pod's for a Pod).
    own_annotations: Option<&'a Map<String, Value>>,
    /// The pod template's annotations.
    pod_annotations: Option<&'a Map<String, Value>>,
    pod_meta_path: String,
    spec: &'a Value,
    spec_path: String,
    /// Several pods may exist at once or over time.
    several_pods: bool,
    doc: &'a Document,
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

fn field_err(
    doc: &Document,
    object: &str,
    path: &str,
    problem: impl Into<String>,
) -> ManifestError {
    ManifestError::Field {
        source_name: doc.source.clone(),
        document: doc.index,
        object: object.into(),
        path: path.into(),
        problem: problem.into(),
    }
}

fn as_map<'a>(
    v: Option<&'a Value>,
    doc: &Document,
    object: &str,
    path: &str,
) -> Result<Option<&'a Map<String, Value>>, ManifestError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(other) => Err(field_err(
            doc,
            object,
            path,
            format!("must be a mapping, not {}", type_name(other)),
        )),
    }
}

fn as_list<'a>(
    v: Option<&'a Value>,
    doc: &Document,
    object: &str,
    path: &str,
) -> Result<&'a [Value], ManifestError> {
    match v {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(field_err(
            doc,
            object,
            path,
            format!("must be a list, not {}", type_name(other)),
        )),
    }
}

fn as_str<'a>(
    v: Option<&'a Value>,
    doc: &Document,
    object: &str,
    path: &str,
) -> Result<Option<&'a str>, ManifestError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(field_err(
            doc,
            object,
            path,
            format!("must be a string, not {}", type_name(other)),
        )),
    }
}

fn number(v: Option<&Value>) -> Option<i64> {
    match v {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
}

fn pod_template(doc: &Document) -> Result<Option<PodTemplate<'_>>, ManifestError> {
    let v = &doc.value;
    let kind = v
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let name = get(v, &["metadata", "name"])
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string();
    let namespace = get(v, &["metadata", "namespace"])
        .and_then(Value::as_str)
        .unwrap_or("default")
        .to_string();
    let object = format!("{kind}/{namespace}/{name}");
    let (meta_path, spec_path): (&[&str], &[&str]) = match kind.as_str() {
        "Pod" => (&["metadata"], &["spec"]),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => (
            &["spec", "template", "metadata"],
            &["spec", "template", "spec"],
        ),
        "CronJob" => (
            &["spec", "jobTemplate", "spec", "template", "metadata"],
            &["spec", "jobTemplate", "spec", "template", "spec"],
        ),
        _ => return Ok(None),
    };
    let own_annotations = as_map(
        get(v, &["metadata", "annotations"]),
        doc,
        &object,
        "metadata.annotations",
    )?;
    let pod_meta_path = meta_path.join(".");
    let pod_annotations = as_map(
        get(v, meta_path).and_then(|m| m.get("annotations")),
        doc,
        &object,
        &format!("{pod_meta_path}.annotations"),
    )?;
    let Some(spec) = get(v, spec_path) else {
        return Err(field_err(
            doc,
            &object,
            &spec_path.join("."),
            "is missing: a workload needs a pod spec",
        ));
    };
    if !spec.is_object() {
        return Err(field_err(
            doc,
            &object,
            &spec_path.join("."),
            format!("must be a mapping, not {}", type_name(spec)),
        ));
    }
    let several_pods = match kind.as_str() {
        "Pod" => false,
        "DaemonSet" | "CronJob" => true,
        "Job" => {
            number(get(v, &["spec", "parallelism"])).unwrap_or(1) > 1
                || number(get(v, &["spec", "completions"])).unwrap_or(1) > 1
        }
        _ => number(get(v, &["spec", "replicas"])).unwrap_or(1) > 1,
    };
    Ok(Some(PodTemplate {
        kind,
        object,
        namespace,
        name,
        own_annotations,
        pod_annotations,
        pod_meta_path,
        spec,
        spec_path: spec_path.join("."),
        several_pods,
        doc,
    }))
}

/// A container or ephemeral container of the pod.
struct Container<'a> {
    name: String,
    path: String,
    value: &'a Value,
}

fn containers<'a>(t: &PodTemplate<'a>, list: &str) -> Result<Vec<Container<'a>>, ManifestError> {
    let path = format!("{}.{list}", t.spec_path);
    let items = as_list(t.spec.get(list), t.doc, &t.object, &path)?;
    let mut out = Vec::new();
    for (i, c) in items.iter().enumerate() {
        let cpath = format!("{path}[{i}]");
        if !c.is_object() {
            return Err(field_err(
                t.doc,
                &t.object,
                &cpath,
                format!("must be a mapping, not {}", type_name(c)),
            ));
        }
        let name = as_str(c.get("name"), t.doc, &t.object, &format!("{cpath}.name"))?
            .unwrap_or("?")
            .to_string();
        out.push(Container {
            name,
            path: cpath,
            value: c,
        });
    }
    Ok(out)
}

/// A volume mount of a container.
struct MountRef<'a> {
    volume: String,
    mount_path: String,
    read_only: bool,
    sub_path: Option<String>,
    sub_path_expr: bool,
    path: String,
    #[allow(dead_code)]
    value: &'a Value,
}

fn mounts<'a>(
    doc: &Document,
    object: &str,
    c: &Container<'a>,
) -> Result<Vec<MountRef<'a>>, ManifestError> {
    let path = format!("{}.volumeMounts", c.path);
    let items = as_list(c.value.get("volumeMounts"), doc, object, &path)?;
    let mut out = Vec::new();
    for (i, m) in items.iter().enumerate() {
        let mpath = format!("{path}[{i}]");
        let volume = as_str(m.get("name"), doc, object, &format!("{mpath}.name"))?.unwrap_or("");
        let mount_path = as_str(
            m.get("mountPath"),
            doc,
            object,
            &format!("{mpath}.mountPath"),
        )?
        .ok_or_else(|| field_err(doc, object, &format!("{mpath}.mountPath"), "is missing"))?;
        let read_only = match m.get("readOnly") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true",
            _ => false,
        };
        out.push(MountRef {
            volume: volume.into(),
            mount_path: mount_path.into(),
            read_only,
            sub_path: as_str(m.get("subPath"), doc, object, &format!("{mpath}.subPath"))?
                .map(String::from),
            sub_path_expr: m.get("subPathExpr").is_some(),
            path: mpath,
            value: m,
        });
    }
    Ok(out)
}

/// What a volume is, for storage checks.
#[derive(Debug)]
enum VolumeKind {
    Nas,
    Oss,
    Nfs,
    Pvc(String),
    EmptyDir {
        memory: bool,
        size_limit: Option<u128>,
    },
    HostPath,
    ReadOnlyKind(&'static str),
    Other,
}

fn volume_kind(v: &Value) -> VolumeKind {
    if let Some(csi) = v.get("csi") {
        let driver = csi.get("driver").and_then(Value::as_str).unwrap_or("");
        return if driver.contains("nasplugin") {
            VolumeKind::Nas
        } else if driver.contains("ossplugin") {
            VolumeKind::Oss
        } else {
            VolumeKind::Other
        };
    }
    if let Some(p) = v.get("persistentVolumeClaim") {
        return VolumeKind::Pvc(
            p.get("claimName")
                .and_then(Value::as_str)
                .unwrap_or("")
                .into(),
        );
    }
    if v.get("nfs").is_some() {
        return VolumeKind::Nfs;
    }
    if let Some(e) = v.get("emptyDir") {
        return VolumeKind::EmptyDir {
            memory: e.get("medium").and_then(Value::as_str) == Some("Memory"),
            size_limit: e.get("sizeLimit").and_then(|s| match s {
                Value::String(s) => parse_quantity(s),
                Value::Number(n) => n.as_u64().map(u128::from),
                _ => None,
            }),
        };
    }
    if v.get("hostPath").is_some() {
        return VolumeKind::HostPath;
    }
    for k in ["configMap", "secret", "downwardAPI", "projected"] {
        if v.get(k).is_some() {
            return VolumeKind::ReadOnlyKind(match k {
                "configMap" => "configMap",
                "secret" => "secret",
                "downwardAPI" => "downwardAPI",
                _ => "projected",
            });
        }
    }
    VolumeKind::Other
}

struct Ctx<'a> {
    set: &'a ManifestSet,
    findings: Vec<Finding>,
}

impl Ctx<'_> {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        name: &'static str,
        severity: Severity,
        t: &PodTemplate<'_>,
        container: Option<&str>,
        path: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.findings.push(Finding {
            name,
            severity,
            object: t.object.clone(),
            container: container.map(String::from),
            path: path.into(),
            message: message.into(),
            help: help.into(),
        });
    }
}

/// Checks every workload in `set` that carries one of `opts.keys`, against
/// checks A1–A12 of the annotation spec.
///
/// A workload whose fields have the wrong types gets one `manifest-invalid`
/// finding naming the field; the other workloads are checked as usual. Use
/// [`try_check`] to get the error instead.
pub fn check(set: &ManifestSet, opts: &CheckOptions) -> Report {
    match run(set, opts, false) {
        Ok(r) => r,
        // Unreachable: the lenient run turns errors into findings.
        Err(e) => Report {
            findings: vec![invalid_finding(&e)],
        },
    }
}

/// Like [`check`], but a manifest whose fields have the wrong types is an
/// error.
///
/// # Errors
///
/// [`ManifestError::Field`] naming the document and the field.
pub fn try_check(set: &ManifestSet, opts: &CheckOptions) -> Result<Report, ManifestError> {
    run(set, opts, true)
}

fn invalid_finding(e: &ManifestError) -> Finding {
    let (object, path) = match e {
        ManifestError::Field { object, path, .. } => (object.clone(), path.clone()),
        _ => ("?".into(), String::new()),
    };
    Finding {
        name: "manifest-invalid",
        severity: Severity::Error,
        object,
        container: None,
        path,
        message: e.to_string(),
        help: "fix the field so that the manifest is valid Kubernetes".into(),
    }
}

/// Whether an ephemeral-container patch is meant for workload `t`: it mounts
/// one of the pod's volumes or targets one of its containers.
fn patch_applies(t: &PodTemplate<'_>, patch: &Document) -> bool {
    let names = |list: &str, key: &str| -> Vec<String> {
        t.spec
            .get(list)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.get(key).and_then(Value::as_str).map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let volumes = names("volumes", "name");
    let containers = names("containers", "name");
    let items = get(&patch.value, &["spec", "ephemeralContainers"])
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    items.iter().any(|c| {
        let target = c.get("targetContainerName").and_then(Value::as_str);
        let mounts_ours = c
            .get("volumeMounts")
            .and_then(Value::as_array)
            .is_some_and(|ms| {
                ms.iter().any(|m| {
                    m.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| volumes.iter().any(|v| v == n))
                })
            });
        mounts_ours || target.is_some_and(|n| containers.iter().any(|c| c == n))
    })
}

fn run(set: &ManifestSet, opts: &CheckOptions, strict: bool) -> Result<Report, ManifestError> {
    let mut ctx = Ctx {
        set,
        findings: Vec::new(),
    };
    let mut templates: Vec<PodTemplate<'_>> = Vec::new();
    for doc in &set.docs {
        match pod_template(doc) {
            Ok(Some(t)) => templates.push(t),
            Ok(None) => {}
            Err(e) if strict => return Err(e),
            Err(e) => ctx.findings.push(invalid_finding(&e)),
        }
    }
    let patches: Vec<&Document> = set
        .docs
        .iter()
        .filter(|d| {
            d.value.get("kind").is_none()
                && get(&d.value, &["spec", "ephemeralContainers"]).is_some()
        })
        .collect();
    let annotated: Vec<usize> = templates
        .iter()
        .enumerate()
        .filter(|(_, t)| annotation(t.pod_annotations, &opts.keys).is_some())
        .map(|(i, _)| i)
        .collect();
    // Which patches go with which workload: all of them when one workload is
    // annotated, else those that mount its volumes or target its containers.
    let mut used = vec![false; patches.len()];
    for (i, t) in templates.iter().enumerate() {
        let mine: Vec<&Document> = patches
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                annotated.contains(&i) && (annotated.len() == 1 || patch_applies(t, d))
            })
            .map(|(j, d)| {
                used[j] = true;
                *d
            })
            .collect();
        match check_template(&mut ctx, t, opts, &mine) {
            Ok(()) => {}
            Err(e) if strict => return Err(e),
            Err(e) => ctx.findings.push(invalid_finding(&e)),
        }
    }
    for (d, _) in patches.iter().zip(&used).filter(|(_, u)| !**u) {
        if let Some((line, column, msg)) = &d.invalid_json {
            ctx.findings.push(Finding {
                name: "patch-invalid-json",
                severity: Severity::Error,
                object: d.source.clone(),
                container: None,
                path: format!("{} line {line} column {column}", d.source),
                message: format!("the ephemeral-container patch {} is not valid JSON ({msg}); the API server rejects it", d.source),
                help: "remove comments and trailing commas; `corepat ephemeral-patch` writes a valid body".into(),
            });
        }
    }
    // Stable order: by object (input order), then most severe first; the
    // order of findings within one severity is the order of the checks.
    let order: Vec<String> = templates.iter().map(|t| t.object.clone()).collect();
    ctx.findings.sort_by(|a, b| {
        let pos = |o: &str| order.iter().position(|x| x == o).unwrap_or(usize::MAX);
        (pos(&a.object), core::cmp::Reverse(a.severity))
            .cmp(&(pos(&b.object), core::cmp::Reverse(b.severity)))
    });
    // One finding per (name, object, container, path).
    let mut seen = std::collections::HashSet::new();
    ctx.findings.retain(|f| {
        seen.insert((
            f.name,
            f.object.clone(),
            f.container.clone(),
            f.path.clone(),
        ))
    });
    Ok(Report {
        findings: ctx.findings,
    })
}

fn annotation<'a>(
    m: Option<&'a Map<String, Value>>,
    keys: &[String],
) -> Option<(&'a str, &'a Value)> {
    let m = m?;
    keys.iter()
        .find_map(|k| m.get_key_value(k.as_str()).map(|(k, v)| (k.as_str(), v)))
}

fn check_template(
    ctx: &mut Ctx<'_>,
    t: &PodTemplate<'_>,
    opts: &CheckOptions,
    patches: &[&Document],
) -> Result<(), ManifestError> {
    let on_pod = annotation(t.pod_annotations, &opts.keys);
    let on_workload = if t.kind == "Pod" {
        None
    } else {
        annotation(t.own_annotations, &opts.keys)
    };
    let (key, value, ann_path) = match (on_pod, on_workload) {
        (Some((k, v)), _) => (k, v, format!("{}.annotations[\"{k}\"]", t.pod_meta_path)),
        (None, Some((k, _))) => {
            ctx.add(
                "annotation-on-workload-only",
                Severity::Error,
                t,
                None,
                format!("metadata.annotations[\"{k}\"]"),
                format!("`{k}` is on the {}'s own metadata, where it has no effect: core dumps stay off for its pods", t.kind),
                format!("move the annotation to {}.annotations (the pod template)", t.pod_meta_path),
            );
            return Ok(());
        }
        (None, None) => return Ok(()),
    };
    let Some(pattern) = value.as_str() else {
        ctx.add(
            "pattern-invalid",
            Severity::Error,
            t,
            None,
            ann_path,
            format!("the value of `{key}` is {}, not a string", type_name(value)),
            "quote the pattern: \"/data/dump-a/core-%E-%p-%t\"",
        );
        return Ok(());
    };
    let report = lint(pattern.as_bytes(), &opts.kernel, &Settings::default());
    let p = report.pattern();
    // A2: what the kernel cannot hold.
    let storage: Vec<String> = report
        .lints()
        .iter()
        .filter(|l| {
            matches!(
                l.kind(),
                LintKind::Truncated
                    | LintKind::CutAtNewline
                    | LintKind::EmptyPattern
                    | LintKind::QuotedValue
                    | LintKind::LeadingWhitespace
            )
        })
        .map(|l| format!("{} ({})", l.message(), l.name()))
        .collect();
    if !storage.is_empty() {
        ctx.add(
            "pattern-invalid",
            Severity::Error,
            t,
            None,
            ann_path.clone(),
            storage.join("; "),
            "write a pattern of at most 127 bytes on one line, without quotes or leading spaces, e.g. /data/dump-a/core-%e-%h-%t",
        );
    }
    // A12 and A9 from the lints.
    for l in report.lints() {
        let name = match l.kind() {
            LintKind::UnknownSpecifier | LintKind::PercentSwallowsWhitespace => "unknown-specifier",
            LintKind::UnsupportedSpecifier => "pattern-unsupported-specifier",
            LintKind::TrailingPercent => "trailing-percent",
            LintKind::NameTooLongRisk if p.uses(Specifier::ExePath) => "name-too-long-risk",
            _ => continue,
        };
        ctx.add(
            name,
            Severity::Warning,
            t,
            None,
            ann_path.clone(),
            l.message(),
            l.help(),
        );
    }
    // A3
    if p.mode() != Mode::File {
        ctx.add(
            "pattern-not-file",
            Severity::Error,
            t,
            None,
            ann_path,
            format!("`{pattern}` is a {} pattern: it names a host-side helper or socket, which the per-pod annotation is not for", p.mode()),
            "give a file path inside the container, e.g. /data/dump-a/core-%e-%h-%t",
        );
        return Ok(());
    }
    let body = String::from_utf8_lossy(p.as_bytes()).into_owned();
    if !body.starts_with('/') {
        ctx.add(
            "pattern-relative",
            Severity::Error,
            t,
            None,
            ann_path,
            format!("`{body}` is relative: cores land in the crashing process's working directory, not on the volume"),
            "start the pattern with the mounted directory, e.g. /data/dump-a/core-%e-%h-%t",
        );
        return Ok(());
    }
    // A4: the directory part (up to the last literal `/`).
    let dir = match pattern_directory(p) {
        Ok(dir) => dir,
        Err(spec) => {
            ctx.add(
            "directory-has-specifier",
            Severity::Error,
            t,
            None,
            ann_path,
            format!("{spec} is in the directory part of `{body}`: the kernel never creates directories, so that directory cannot exist as a mount point"),
            "keep specifiers in the file name: <mounted dir>/core-%e-%h-%t",
            );
            return Ok(());
        }
    };
    // A8: unique names.
    let uses = |s: Specifier| p.uses(s);
    if ![
        Specifier::Pid,
        Specifier::GlobalPid,
        Specifier::Tid,
        Specifier::GlobalTid,
        Specifier::Time,
        Specifier::Hostname,
    ]
    .iter()
    .any(|s| uses(*s))
    {
        ctx.add(
            "no-unique-field",
            Severity::Warning,
            t,
            None,
            ann_path.clone(),
            format!(
                "`{body}` has no %p, %P, %i, %I, %t or %h: every crash overwrites the previous core"
            ),
            "add %t (time) and %h (the pod's hostname), e.g. core-%e-%h-%t",
        );
    }
    // Volumes and mounts.
    let volumes_path = format!("{}.volumes", t.spec_path);
    let volumes = as_list(t.spec.get("volumes"), t.doc, &t.object, &volumes_path)?;
    let volume_by_name = |n: &str| {
        volumes
            .iter()
            .enumerate()
            .find(|(_, v)| v.get("name").and_then(Value::as_str) == Some(n))
    };
    let regular = containers(t, "containers")?;
    let init = containers(t, "initContainers")?;
    let ephemeral = containers(t, "ephemeralContainers")?;
    // The mount covering `dir` in each container (the deepest one).
    let mut covered_by: Vec<(String, String, Option<MountRef<'_>>)> = Vec::new();
    for c in regular.iter().chain(init.iter()) {
        let best = covering_mount(mounts(t.doc, &t.object, c)?, &dir);
        covered_by.push((c.name.clone(), format!("{}.volumeMounts", c.path), best));
    }
    let regular_names: Vec<&str> = regular.iter().map(|c| c.name.as_str()).collect();
    let any_regular_covered = covered_by
        .iter()
        .any(|(n, _, m)| m.is_some() && regular_names.contains(&n.as_str()));
    if !any_regular_covered {
        ctx.add(
            "directory-not-mounted",
            Severity::Error,
            t,
            None,
            format!("{}.containers[*].volumeMounts", t.spec_path),
            format!("no container mounts a volume at `{dir}` (or above it): the kernel does not create the directory, so cores are lost, or fill the container's rootfs if the image has it"),
            format!("add a volumeMount with mountPath `{dir}` to each container, backed by a NAS/OSS volume (or an emptyDir for the ephemeral-container route)"),
        );
    }
    let mut shared_volumes: Vec<String> = Vec::new();
    for (cname, mpath, m) in &covered_by {
        let is_init = !regular_names.contains(&cname.as_str());
        let Some(m) = m else {
            if any_regular_covered || is_init {
                ctx.add(
                    "container-not-covered",
                    Severity::Warning,
                    t,
                    Some(cname),
                    mpath.clone(),
                    format!("{}container `{cname}` does not mount `{dir}`: its cores go to its rootfs if the image has that directory, or are lost", if is_init { "init " } else { "" }),
                    format!("mount the same volume at `{dir}` in `{cname}`"),
                );
            }
            continue;
        };
        // A6
        if m.read_only {
            ctx.add(
                "mount-read-only",
                Severity::Error,
                t,
                Some(cname),
                format!("{}.readOnly", m.path),
                format!("the volume `{}` is mounted read-only at `{}`: the kernel cannot create the core file", m.volume, m.mount_path),
                "remove readOnly: true from this volumeMount",
            );
        }
        if m.sub_path_expr {
            ctx.add(
                "mount-subpath-expr",
                Severity::Warning,
                t,
                Some(cname),
                format!("{}.subPathExpr", m.path),
                "the mount uses subPathExpr: each pod writes into its own subdirectory of the volume, which a collector must know",
                "prefer a plain mount, or account for the per-pod subdirectory when collecting",
            );
        }
        if shared_volumes.contains(&m.volume) {
            continue;
        }
        shared_volumes.push(m.volume.clone());
        // A7
        let Some((vi, vol)) = volume_by_name(&m.volume) else {
            ctx.add(
                "directory-not-mounted",
                Severity::Error,
                t,
                Some(cname),
                format!("{}.name", m.path),
                format!(
                    "the volumeMount names volume `{}`, which the pod does not define",
                    m.volume
                ),
                format!("add `{}` to {volumes_path}", m.volume),
            );
            continue;
        };
        let vpath = format!("{volumes_path}[{vi}]");
        volume_findings(
            ctx,
            t,
            cname,
            &vpath,
            vol,
            &m.volume,
            &dir,
            p.uses(Specifier::Hostname),
        )?;
    }
    // A10: ephemeral containers in the pod spec and in patch bodies.
    let mut all_names: Vec<(String, String)> = regular
        .iter()
        .chain(init.iter())
        .map(|c| (c.name.clone(), c.path.clone()))
        .collect();
    let core_mount = covered_by.iter().find_map(|(_, _, m)| m.as_ref());
    let mut eph: Vec<(Container<'_>, Option<&Document>)> =
        ephemeral.into_iter().map(|c| (c, None)).collect();
    for d in patches {
        if let Some((line, column, msg)) = &d.invalid_json {
            ctx.add(
                "patch-invalid-json",
                Severity::Error,
                t,
                None,
                format!("{} line {line} column {column}", d.source),
                format!("the ephemeral-container patch {} is not valid JSON ({msg}); the API server rejects it", d.source),
                "remove comments and trailing commas; `corepat ephemeral-patch` writes a valid body",
            );
        }
        let items = match get(&d.value, &["spec", "ephemeralContainers"]) {
            Some(Value::Array(a)) => a.as_slice(),
            _ => &[],
        };
        for (i, c) in items.iter().enumerate() {
            let name = c
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            eph.push((
                Container {
                    name,
                    path: format!("{}: spec.ephemeralContainers[{i}]", d.source),
                    value: c,
                },
                Some(d),
            ));
        }
    }
    for (c, patch_doc) in &eph {
        let patch_doc = *patch_doc;
        if let Some((_, first)) = all_names.iter().find(|(n, _)| *n == c.name) {
            ctx.add(
                "ephemeral-name-duplicate",
                Severity::Error,
                t,
                Some(&c.name),
                format!("{}.name", c.path),
                format!(
                    "the ephemeral container name `{}` is already used by {first}",
                    c.name
                ),
                "give every ephemeral container a new, unique name (e.g. debugger-2)",
            );
        }
        all_names.push((c.name.clone(), c.path.clone()));
        if let Some(target) = c.value.get("targetContainerName").and_then(Value::as_str)
            && !regular_names.contains(&target)
        {
            ctx.add(
                "ephemeral-target-missing",
                Severity::Error,
                t,
                Some(&c.name),
                format!("{}.targetContainerName", c.path),
                format!(
                    "targetContainerName `{target}` is not a container of the pod (containers: {})",
                    regular_names.join(", ")
                ),
                "name one of the pod's containers, or leave targetContainerName out",
            );
        }
        // The ephemeral container must see the core volume at exactly `dir`.
        let ms = mounts(patch_doc.unwrap_or(t.doc), &t.object, c)?;
        let want_volume = core_mount.map(|m| m.volume.as_str());
        let at_dir = ms
            .iter()
            .find(|m| normalize_path(&m.mount_path).as_deref() == Some(dir.as_str()));
        let same_volume = ms.iter().find(|m| Some(m.volume.as_str()) == want_volume);
        let ok = match (at_dir, want_volume) {
            (Some(m), Some(v)) => {
                m.volume == v
                    && Some(effective_subpath(m, &dir))
                        == core_mount.map(|cm| effective_subpath(cm, &dir))
            }
            _ => false,
        };
        if !ok {
            let detail = match (same_volume, at_dir) {
                (Some(m), _) => format!(
                    "mounts `{}` at `{}`, not at `{dir}`",
                    m.volume, m.mount_path
                ),
                (None, Some(m)) => format!(
                    "mounts `{}` at `{dir}`, but the core volume is `{}`",
                    m.volume,
                    want_volume.unwrap_or("?")
                ),
                (None, None) => format!(
                    "does not mount the core volume `{}`",
                    want_volume.unwrap_or("?")
                ),
            };
            ctx.add(
                "ephemeral-mount-mismatch",
                Severity::Error,
                t,
                Some(&c.name),
                format!("{}.volumeMounts", c.path),
                format!("the ephemeral container `{}` {detail}: it will not see the core files at the path the pattern names", c.name),
                format!("mount volume `{}` at exactly `{dir}` (corepat ephemeral-patch writes this)", want_volume.unwrap_or("<core volume>")),
            );
        }
    }
    Ok(())
}

/// The directory of an absolute file pattern as the kernel expands it
/// (normalised), or the first specifier that stands in it.
fn pattern_directory(p: &crate::parse::Pattern) -> Result<String, String> {
    let mut dir_end = 0;
    for tok in p.tokens() {
        if tok.kind == TokenKind::Literal
            && let Some(i) = p.token_bytes(tok).iter().rposition(|&b| b == b'/')
        {
            dir_end = tok.span.start as usize + i;
        }
    }
    if let Some(tok) = p.tokens().iter().find(|tok| {
        (tok.span.start as usize) < dir_end
            && matches!(tok.kind, TokenKind::Spec(s) if s != Specifier::Percent)
    }) {
        return Err(String::from_utf8_lossy(p.token_bytes(tok)).into_owned());
    }
    Ok(normalize_path(&directory_text(p, dir_end)).unwrap_or_else(|| "/".into()))
}

/// The deepest of `mounts` whose mount path covers `dir`.
fn covering_mount<'a>(mounts: Vec<MountRef<'a>>, dir: &str) -> Option<MountRef<'a>> {
    mounts
        .into_iter()
        .filter_map(|m| {
            let mp = normalize_path(&m.mount_path)?;
            covers(&mp, dir).then_some((mp.len(), m))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, m)| m)
}

/// The directory as the kernel expands it: literal bytes and `%%` up to
/// `dir_end` (unknown specifiers vanish).
fn directory_text(p: &crate::parse::Pattern, dir_end: usize) -> String {
    if dir_end == 0 {
        return "/".into();
    }
    let mut out = Vec::new();
    for tok in p.tokens() {
        let start = tok.span.start as usize;
        if start >= dir_end {
            break;
        }
        match tok.kind {
            TokenKind::Literal => {
                let b = p.token_bytes(tok);
                let take = (dir_end - start).min(b.len());
                out.extend_from_slice(&b[..take]);
            }
            TokenKind::Spec(Specifier::Percent) => out.push(b'%'),
            _ => {}
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The subdirectory of the volume that appears at `dir` through mount `m`.
fn effective_subpath(m: &MountRef<'_>, dir: &str) -> String {
    let mp = normalize_path(&m.mount_path).unwrap_or_default();
    let rest = dir.strip_prefix(&mp).unwrap_or("").trim_start_matches('/');
    let base = m.sub_path.as_deref().unwrap_or("").trim_matches('/');
    match (base.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (false, true) => base.to_string(),
        (false, false) => format!("{base}/{rest}"),
    }
}

#[allow(clippy::too_many_arguments)]
fn volume_findings(
    ctx: &mut Ctx<'_>,
    t: &PodTemplate<'_>,
    cname: &str,
    vpath: &str,
    vol: &Value,
    vname: &str,
    dir: &str,
    has_hostname: bool,
) -> Result<(), ManifestError> {
    let kind = volume_kind(vol);
    for src in [
        "persistentVolumeClaim",
        "nfs",
        "csi",
        "hostPath",
        "iscsi",
        "cephfs",
    ] {
        if vol
            .get(src)
            .and_then(|v| v.get("readOnly"))
            .and_then(Value::as_bool)
            == Some(true)
        {
            ctx.add(
                "mount-read-only",
                Severity::Error,
                t,
                Some(cname),
                format!("{vpath}.{src}.readOnly"),
                format!("the volume `{vname}` is read-only at its source ({src}.readOnly: true): the kernel cannot create the core file"),
                format!("remove readOnly: true from {src}"),
            );
        }
    }
    let shared = matches!(
        kind,
        VolumeKind::Nas
            | VolumeKind::Oss
            | VolumeKind::Nfs
            | VolumeKind::Pvc(_)
            | VolumeKind::HostPath
    );
    match &kind {
        VolumeKind::EmptyDir { memory, size_limit } => {
            ctx.add(
                "emptydir-needs-ephemeral-route",
                Severity::Info,
                t,
                Some(cname),
                format!("{vpath}.emptyDir"),
                format!("`{vname}` is an emptyDir: cores live only as long as the pod; read them through an ephemeral container that mounts `{vname}` at `{dir}`"),
                "run `corepat ephemeral-patch` to get the patch body, or use a NAS/OSS volume to keep cores",
            );
            if *memory {
                ctx.add(
                    "emptydir-memory-medium",
                    Severity::Warning,
                    t,
                    Some(cname),
                    format!("{vpath}.emptyDir.medium"),
                    "the emptyDir is in memory (medium: Memory): core files count against the pod's memory limit, and a large core gets the pod OOM-killed",
                    "drop medium: Memory for the core volume",
                );
            }
            if let Some(limit) = size_limit {
                let memory_limit = container_memory_limit(t, cname);
                let expected = memory_limit.unwrap_or(1 << 30);
                if *limit < expected {
                    ctx.add(
                        "emptydir-size-limit",
                        Severity::Warning,
                        t,
                        Some(cname),
                        format!("{vpath}.emptyDir.sizeLimit"),
                        format!(
                            "sizeLimit is {limit} bytes, below the expected core size ({} {expected} bytes): a core that large gets the pod evicted",
                            if memory_limit.is_some() { "the container's memory limit," } else { "no memory limit set; assuming" }
                        ),
                        "raise sizeLimit above the container's memory limit, or remove it",
                    );
                }
            }
        }
        VolumeKind::HostPath => ctx.add(
            "volume-not-shared",
            Severity::Warning,
            t,
            Some(cname),
            format!("{vpath}.hostPath"),
            format!("`{vname}` is a hostPath: cores fill the node's disk, and a crash loop can take the node down"),
            "use a NAS (nasplugin.csi.alibabacloud.com) or OSS (ossplugin) volume",
        ),
        VolumeKind::ReadOnlyKind(k) => ctx.add(
            "volume-not-shared",
            Severity::Error,
            t,
            Some(cname),
            format!("{vpath}.{k}"),
            format!("`{vname}` is a {k} volume, which is read-only: no core can be written"),
            "mount a NAS/OSS volume (or an emptyDir) at the core directory",
        ),
        VolumeKind::Pvc(claim) => {
            pvc_findings(ctx, t, cname, vpath, claim)?;
        }
        _ => {}
    }
    if shared && t.several_pods && !has_hostname {
        ctx.add(
            "name-not-unique-across-pods",
            Severity::Warning,
            t,
            None,
            format!("{}.annotations", t.pod_meta_path),
            format!(
                "several pods of {} share `{vname}`, and the pattern has no %h: %p is the PID inside each container (often 1), so cores of different pods collide",
                t.object
            ),
            "add %h (the pod's hostname) to the file name, e.g. core-%e-%h-%t",
        );
    }
    Ok(())
}

fn container_memory_limit(t: &PodTemplate<'_>, cname: &str) -> Option<u128> {
    let list = t.spec.get("containers")?.as_array()?;
    let c = list
        .iter()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(cname))?;
    match get(c, &["resources", "limits", "memory"])? {
        Value::String(s) => parse_quantity(s),
        Value::Number(n) => n.as_u64().map(u128::from),
        _ => None,
    }
}

fn pvc_findings(
    ctx: &mut Ctx<'_>,
    t: &PodTemplate<'_>,
    cname: &str,
    vpath: &str,
    claim: &str,
) -> Result<(), ManifestError> {
    let pvc = ctx.set.docs.iter().find(|d| {
        d.value.get("kind").and_then(Value::as_str) == Some("PersistentVolumeClaim")
            && get(&d.value, &["metadata", "name"]).and_then(Value::as_str) == Some(claim)
            && get(&d.value, &["metadata", "namespace"])
                .and_then(Value::as_str)
                .unwrap_or("default")
                == t.namespace
    });
    let Some(pvc) = pvc else {
        ctx.add(
            "pvc-not-found",
            Severity::Info,
            t,
            Some(cname),
            format!("{vpath}.persistentVolumeClaim.claimName"),
            format!("PersistentVolumeClaim `{claim}` is not in the input: its storage and access modes were not checked"),
            "pass the PVC (and its PV) to check-manifest too",
        );
        return Ok(());
    };
    let modes: Vec<&str> = get(&pvc.value, &["spec", "accessModes"])
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if t.several_pods && !modes.contains(&"ReadWriteMany") {
        ctx.add(
            "pvc-not-read-write-many",
            Severity::Warning,
            t,
            Some(cname),
            format!("PersistentVolumeClaim/{}/{claim}: spec.accessModes", t.namespace),
            format!("several pods of {} mount PVC `{claim}`, whose access modes are [{}]: pods on other nodes cannot mount it", t.object, modes.join(", ")),
            "use accessModes: [ReadWriteMany] (NAS and OSS support it)",
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The ephemeral-container patch

/// Options for [`ephemeral_patch`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchOptions {
    /// The ephemeral container's name (default `core-debugger`).
    pub name: String,
    /// Its image (default `alpine:3`; use one with gdb for analysis).
    pub image: String,
    /// The container whose namespaces it joins (default: the first
    /// container that mounts the core directory).
    pub target: Option<String>,
    /// As for [`check`].
    pub check: CheckOptions,
}

impl Default for PatchOptions {
    fn default() -> Self {
        PatchOptions {
            name: "core-debugger".into(),
            image: "alpine:3".into(),
            target: None,
            check: CheckOptions::default(),
        }
    }
}

/// A patch body for the pod's `ephemeralcontainers` subresource, and how to
/// apply it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EphemeralPatch {
    /// `Kind/namespace/name` of the workload it is for.
    pub object: String,
    /// The strategic-merge patch body (valid JSON).
    pub body: Value,
    /// A `kubectl patch` command that applies it.
    pub kubectl: String,
    /// The same through `kubectl proxy` and curl.
    pub curl: String,
}

/// Why no patch could be written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatchError {
    /// No workload carries the annotation.
    #[error("no workload in the input carries a core-pattern annotation on its pod template")]
    NoAnnotatedWorkload,
    /// The pattern is not an absolute file pattern with a fixed directory.
    #[error("{object}: the pattern {pattern:?} has no fixed absolute directory")]
    NoDirectory {
        /// The workload.
        object: String,
        /// The pattern.
        pattern: String,
    },
    /// No container mounts the directory.
    #[error("{object}: no container mounts {dir}; there is no volume to share")]
    NotMounted {
        /// The workload.
        object: String,
        /// The directory.
        dir: String,
    },
    /// A malformed manifest.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
}

/// Writes the patch that adds an ephemeral debug container mounting the
/// core volume at exactly the pattern's directory, for the first workload in
/// `set` that carries the annotation.
///
/// # Errors
///
/// [`PatchError`] when there is no annotated workload, no fixed directory,
/// or no mount of it.
pub fn ephemeral_patch(
    set: &ManifestSet,
    opts: &PatchOptions,
) -> Result<EphemeralPatch, PatchError> {
    for doc in &set.docs {
        let Some(t) = pod_template(doc)? else {
            continue;
        };
        let Some((_, value)) = annotation(t.pod_annotations, &opts.check.keys) else {
            continue;
        };
        let pattern = value.as_str().unwrap_or("");
        let report = lint(pattern.as_bytes(), &opts.check.kernel, &Settings::default());
        let p = report.pattern();
        let bytes = String::from_utf8_lossy(p.as_bytes()).into_owned();
        let no_dir = || PatchError::NoDirectory {
            object: t.object.clone(),
            pattern: pattern.into(),
        };
        if p.mode() != Mode::File || !bytes.starts_with('/') {
            return Err(no_dir());
        }
        let dir = pattern_directory(p).map_err(|_| no_dir())?;
        let regular = containers(&t, "containers")?;
        let mut found = None;
        for c in &regular {
            if opts.target.as_deref().is_some_and(|want| want != c.name) {
                continue;
            }
            if let Some(m) = covering_mount(mounts(t.doc, &t.object, c)?, &dir) {
                found = Some((c.name.clone(), m));
                break;
            }
        }
        let Some((target, m)) = found else {
            return Err(PatchError::NotMounted {
                object: t.object.clone(),
                dir,
            });
        };
        let sub = effective_subpath(&m, &dir);
        let mut mount = json!({ "name": m.volume, "mountPath": dir });
        if !sub.is_empty() {
            mount["subPath"] = json!(sub);
        }
        let body = json!({
            "spec": {
                "ephemeralContainers": [{
                    "name": opts.name,
                    "image": opts.image,
                    "command": ["sh"],
                    "stdin": true,
                    "tty": true,
                    "targetContainerName": opts.target.clone().unwrap_or(target),
                    "volumeMounts": [mount],
                }]
            }
        });
        let pod = if t.kind == "Pod" {
            t.name.clone()
        } else {
            "<pod-name>".into()
        };
        let ns = t.namespace.clone();
        let labels: Vec<String> = get(
            t.doc.value.get("spec").unwrap_or(&Value::Null),
            &["selector", "matchLabels"],
        )
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
                .collect()
        })
        .unwrap_or_default();
        let find = if t.kind == "Pod" || labels.is_empty() {
            String::new()
        } else {
            format!(
                "# <pod-name>: one of `kubectl -n {ns} get pods -l {}`\n",
                labels.join(",")
            )
        };
        let kubectl = format!(
            "{find}kubectl -n {ns} patch pod {pod} --subresource=ephemeralcontainers --type=strategic --patch-file=patch.json && kubectl -n {ns} attach -it {pod} -c {}",
            opts.name
        );
        let curl = format!(
            "kubectl proxy & curl -X PATCH -H 'Content-Type: application/strategic-merge-patch+json' --data-binary @patch.json http://127.0.0.1:8001/api/v1/namespaces/{ns}/pods/{pod}/ephemeralcontainers"
        );
        return Ok(EphemeralPatch {
            object: t.object.clone(),
            body,
            kubectl,
            curl,
        });
    }
    Err(PatchError::NoAnnotatedWorkload)
}
