//! [`check`] and [`try_check`]: find the pod templates and the patch
//! bodies that go with them, run the checks on each annotated template, and
//! sort the findings. The checks themselves, in the order they run: the
//! pattern (`pattern.rs`), the mounts and volumes behind its directory
//! (`storage.rs`), the ephemeral containers (`ephemeral.rs`).

mod ephemeral;
mod pattern;
mod storage;

use super::manifest::{Document, ManifestError, ManifestSet};
use super::pod::{
    MountRef, PodTemplate, annotation, as_list, containers, covering_mount, get, mounts,
    pod_template,
};
use super::report::{Finding, Report};
use super::{ACS_ANNOTATION, ECI_ANNOTATION};
use crate::expand::Settings;
use crate::kernel::KernelProfile;
use crate::lint::{self, Severity};
use crate::spec::Specifier;
use serde_json::Value;
use std::collections::HashMap;

/// What [`check`] looks for.
///
/// Start from [`CheckOptions::new`] (the ACS and ECI keys, the newest
/// kernel) and set what differs:
///
/// ```
/// use core_pattern::KernelProfile;
/// use core_pattern::k8s::CheckOptions;
/// let opts = CheckOptions::new()
///     .with_kernel(KernelProfile::parse("6.1.0-56-cloud-amd64")?)
///     .with_keys(["example.com/core-pattern"]);
/// assert_eq!(opts.keys, ["example.com/core-pattern"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
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

impl CheckOptions {
    /// The defaults: the ACS and ECI annotation keys, the newest kernel.
    pub fn new() -> CheckOptions {
        CheckOptions::default()
    }

    /// The annotation keys that carry a pattern, instead of the defaults.
    pub fn with_keys<S: Into<String>>(mut self, keys: impl IntoIterator<Item = S>) -> CheckOptions {
        self.keys = keys.into_iter().map(Into::into).collect();
        self
    }

    /// The kernel the nodes run.
    pub fn with_kernel(mut self, kernel: KernelProfile) -> CheckOptions {
        self.kernel = kernel;
        self
    }
}

struct Ctx<'a> {
    findings: Vec<Finding>,
    /// The PersistentVolumeClaims of the input by (namespace, name), the
    /// first of each: looked up once per volume instead of scanning every
    /// document (N Deployments with a PVC each were quadratic).
    pvcs: HashMap<(&'a str, &'a str), &'a Document>,
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

/// The names a list in a pod spec holds (`volumes` or `containers`).
fn spec_names<'a>(t: &PodTemplate<'a>, list: &str) -> Vec<&'a str> {
    t.spec
        .get(list)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.get("name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default()
}

/// Which ephemeral-container patches name what: the volumes their
/// containers mount and the containers they target, each to the patches
/// (by index) that name it. Built once, so matching patches to workloads
/// costs a lookup per volume and container name, not a scan of every patch
/// per workload.
#[derive(Default)]
struct PatchIndex<'a> {
    by_volume: HashMap<&'a str, Vec<usize>>,
    by_target: HashMap<&'a str, Vec<usize>>,
}

impl<'a> PatchIndex<'a> {
    fn new(patches: &[&'a Document]) -> PatchIndex<'a> {
        let mut ix = PatchIndex::default();
        for (j, patch) in patches.iter().enumerate() {
            let items = get(&patch.value, &["spec", "ephemeralContainers"])
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            for c in items {
                if let Some(n) = c.get("targetContainerName").and_then(Value::as_str) {
                    ix.by_target.entry(n).or_default().push(j);
                }
                for m in c
                    .get("volumeMounts")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                {
                    if let Some(n) = m.get("name").and_then(Value::as_str) {
                        ix.by_volume.entry(n).or_default().push(j);
                    }
                }
            }
        }
        ix
    }

    /// The patches meant for workload `t`, in input order: those that
    /// mount one of its volumes or target one of its containers.
    fn for_template(&self, t: &PodTemplate<'_>) -> Vec<usize> {
        let mut mine: Vec<usize> = Vec::new();
        for v in spec_names(t, "volumes") {
            mine.extend(self.by_volume.get(v).into_iter().flatten());
        }
        for c in spec_names(t, "containers") {
            mine.extend(self.by_target.get(c).into_iter().flatten());
        }
        mine.sort_unstable();
        mine.dedup();
        mine
    }
}

fn run(set: &ManifestSet, opts: &CheckOptions, strict: bool) -> Result<Report, ManifestError> {
    let mut pvcs = HashMap::new();
    for d in set.documents() {
        if d.value.get("kind").and_then(Value::as_str) != Some("PersistentVolumeClaim") {
            continue;
        }
        let Some(name) = get(&d.value, &["metadata", "name"]).and_then(Value::as_str) else {
            continue;
        };
        let ns = get(&d.value, &["metadata", "namespace"])
            .and_then(Value::as_str)
            .unwrap_or("default");
        pvcs.entry((ns, name)).or_insert(d);
    }
    let mut ctx = Ctx {
        findings: Vec::new(),
        pvcs,
    };
    let mut templates: Vec<PodTemplate<'_>> = Vec::new();
    for doc in set.documents() {
        match pod_template(doc) {
            Ok(Some(t)) => templates.push(t),
            Ok(None) => {}
            Err(e) if strict => return Err(e),
            Err(e) => ctx.findings.push(invalid_finding(&e)),
        }
    }
    let patches: Vec<&Document> = set
        .documents()
        .iter()
        .filter(|d| {
            d.value.get("kind").is_none()
                && get(&d.value, &["spec", "ephemeralContainers"]).is_some()
        })
        .collect();
    let annotated: Vec<bool> = templates
        .iter()
        .map(|t| annotation(t.pod_annotations, &opts.keys).is_some())
        .collect();
    let n_annotated = annotated.iter().filter(|a| **a).count();
    // Which patches go with which workload: all of them when one workload is
    // annotated, else those that mount its volumes or target its containers.
    let index = PatchIndex::new(&patches);
    let mut used = vec![false; patches.len()];
    for (i, t) in templates.iter().enumerate() {
        let mine: Vec<usize> = match (annotated[i], n_annotated) {
            (false, _) => Vec::new(),
            (true, 1) => (0..patches.len()).collect(),
            (true, _) => index.for_template(t),
        };
        let mine: Vec<&Document> = mine
            .into_iter()
            .map(|j| {
                used[j] = true;
                patches[j]
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
    // Each object's position is looked up once (a map, not a scan per
    // comparison); the sort is stable.
    let mut order: HashMap<&str, usize> = HashMap::with_capacity(templates.len());
    for (i, t) in templates.iter().enumerate() {
        order.entry(t.object.as_str()).or_insert(i);
    }
    let mut keyed: Vec<(usize, core::cmp::Reverse<Severity>, Finding)> = ctx
        .findings
        .drain(..)
        .map(|f| {
            let pos = order.get(f.object.as_str()).copied().unwrap_or(usize::MAX);
            (pos, core::cmp::Reverse(f.severity), f)
        })
        .collect();
    keyed.sort_by_key(|k| (k.0, k.1));
    ctx.findings = keyed.into_iter().map(|(_, _, f)| f).collect();
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

fn check_template(
    ctx: &mut Ctx<'_>,
    t: &PodTemplate<'_>,
    opts: &CheckOptions,
    patches: &[&Document],
) -> Result<(), ManifestError> {
    let Some((pattern, ann_path)) = pattern::annotated_pattern(ctx, t, opts) else {
        return Ok(());
    };
    let report = lint::check(pattern.as_bytes(), &opts.kernel, &Settings::default());
    let p = report.pattern();
    pattern::lint_findings(ctx, t, &report, p, &ann_path);
    let Some((body, dir)) = pattern::file_directory(ctx, t, pattern, p, &ann_path) else {
        return Ok(());
    };
    pattern::unique_name_finding(ctx, t, p, &body, &ann_path);
    // Volumes and mounts.
    let volumes_path = format!("{}.volumes", t.spec_path);
    let volumes = as_list(t.spec.get("volumes"), t.doc, &t.object, &volumes_path)?;
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
    storage::mount_findings(
        ctx,
        t,
        &covered_by,
        &regular_names,
        volumes,
        &volumes_path,
        &dir,
        p.uses(Specifier::Hostname),
    )?;
    // A10: ephemeral containers in the pod spec and in patch bodies.
    let all_names: Vec<(String, String)> = regular
        .iter()
        .chain(init.iter())
        .map(|c| (c.name.clone(), c.path.clone()))
        .collect();
    ephemeral::ephemeral_findings(
        ctx,
        t,
        patches,
        ephemeral,
        all_names,
        &covered_by,
        &regular_names,
        &dir,
    )
}
