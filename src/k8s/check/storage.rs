//! The mounts that cover the pattern's directory (A6), and the volumes
//! behind them (A7): read-only sources, emptyDir, hostPath, PVCs.

use super::Ctx;
use crate::k8s::manifest::ManifestError;
use crate::k8s::pod::{MountRef, PodTemplate, VolumeKind, get, parse_quantity, volume_kind};
use crate::lint::Severity;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// The findings about how the containers mount `dir`: `covered_by` holds,
/// for each regular and init container, its name, the path of its
/// `volumeMounts` and the mount covering `dir`.
#[allow(clippy::too_many_arguments)]
pub(super) fn mount_findings(
    ctx: &mut Ctx<'_>,
    t: &PodTemplate<'_>,
    covered_by: &[(String, String, Option<MountRef<'_>>)],
    regular_names: &[&str],
    volumes: &[Value],
    volumes_path: &str,
    dir: &str,
    has_hostname: bool,
) -> Result<(), ManifestError> {
    // Looked up once per container or volume: sets and maps, so that a pod
    // with many containers or volumes costs O(n), not O(n²).
    let regular: HashSet<&str> = regular_names.iter().copied().collect();
    let mut by_name: HashMap<&str, (usize, &Value)> = HashMap::new();
    for (i, v) in volumes.iter().enumerate() {
        if let Some(n) = v.get("name").and_then(Value::as_str) {
            by_name.entry(n).or_insert((i, v));
        }
    }
    let volume_by_name = |n: &str| by_name.get(n).copied();
    let any_regular_covered = covered_by
        .iter()
        .any(|(n, _, m)| m.is_some() && regular.contains(n.as_str()));
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
    let mut shared_volumes: HashSet<&str> = HashSet::new();
    for (cname, mpath, m) in covered_by {
        let is_init = !regular.contains(cname.as_str());
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
        if !shared_volumes.insert(m.volume.as_str()) {
            continue;
        }
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
        volume_findings(ctx, t, cname, &vpath, vol, &m.volume, dir, has_hostname)?;
    }
    Ok(())
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
    let pvc = ctx.pvcs.get(&(t.namespace.as_str(), claim)).copied();
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
