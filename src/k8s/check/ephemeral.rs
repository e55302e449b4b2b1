//! A10: the ephemeral containers of the pod spec and of the patch bodies
//! that go with the workload: unique names, an existing target, and the
//! core volume mounted at exactly the pattern's directory.

use super::Ctx;
use crate::k8s::manifest::{Document, ManifestError};
use crate::k8s::paths::normalize_path;
use crate::k8s::pod::{Container, MountRef, PodTemplate, effective_subpath, get, mounts};
use crate::lint::Severity;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// The findings about the ephemeral containers `ephemeral` of the pod spec
/// and those in `patches`; `all_names` holds the names (and paths) of the
/// regular and init containers, `covered_by` the mount covering `dir` in
/// each of them.
#[allow(clippy::too_many_arguments)]
pub(super) fn ephemeral_findings(
    ctx: &mut Ctx<'_>,
    t: &PodTemplate<'_>,
    patches: &[&Document],
    ephemeral: Vec<Container<'_>>,
    all_names: Vec<(String, String)>,
    covered_by: &[(String, String, Option<MountRef<'_>>)],
    regular_names: &[&str],
    dir: &str,
) -> Result<(), ManifestError> {
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
    // Names seen so far and where, and the regular containers: looked up
    // in maps, so that many containers cost O(n), not O(n²).
    let regular: HashSet<&str> = regular_names.iter().copied().collect();
    let mut seen: HashMap<String, String> = HashMap::new();
    for (n, path) in all_names {
        seen.entry(n).or_insert(path);
    }
    for (c, patch_doc) in &eph {
        let patch_doc = *patch_doc;
        if let Some(first) = seen.get(&c.name) {
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
        seen.entry(c.name.clone()).or_insert_with(|| c.path.clone());
        if let Some(target) = c.value.get("targetContainerName").and_then(Value::as_str)
            && !regular.contains(target)
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
            .find(|m| normalize_path(&m.mount_path).as_deref() == Some(dir));
        let same_volume = ms.iter().find(|m| Some(m.volume.as_str()) == want_volume);
        let ok = match (at_dir, want_volume) {
            (Some(m), Some(v)) => {
                m.volume == v
                    && Some(effective_subpath(m, dir))
                        == core_mount.map(|cm| effective_subpath(cm, dir))
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
