//! The typed walk over one workload: its pod template, containers, volume
//! mounts and volumes, each field read with its type checked (a wrong type
//! is a [`ManifestError::Field`] naming the field).

use super::manifest::{Document, ManifestError, type_name};
use super::paths::{covers, normalize_path};
use serde_json::{Map, Value};

/// A pod template found in a workload.
pub(super) struct PodTemplate<'a> {
    pub(super) kind: String,
    pub(super) object: String,
    pub(super) namespace: String,
    pub(super) name: String,
    /// The workload's own metadata (same as the pod's for a Pod).
    pub(super) own_annotations: Option<&'a Map<String, Value>>,
    /// The pod template's annotations.
    pub(super) pod_annotations: Option<&'a Map<String, Value>>,
    pub(super) pod_meta_path: String,
    pub(super) spec: &'a Value,
    pub(super) spec_path: String,
    /// Several pods may exist at once or over time.
    pub(super) several_pods: bool,
    pub(super) doc: &'a Document,
}

pub(super) fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
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

pub(super) fn as_list<'a>(
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

pub(super) fn pod_template(doc: &Document) -> Result<Option<PodTemplate<'_>>, ManifestError> {
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

pub(super) fn annotation<'a>(
    m: Option<&'a Map<String, Value>>,
    keys: &[String],
) -> Option<(&'a str, &'a Value)> {
    let m = m?;
    keys.iter()
        .find_map(|k| m.get_key_value(k.as_str()).map(|(k, v)| (k.as_str(), v)))
}

/// A container or ephemeral container of the pod.
pub(super) struct Container<'a> {
    pub(super) name: String,
    pub(super) path: String,
    pub(super) value: &'a Value,
}

pub(super) fn containers<'a>(
    t: &PodTemplate<'a>,
    list: &str,
) -> Result<Vec<Container<'a>>, ManifestError> {
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
pub(super) struct MountRef<'a> {
    pub(super) volume: String,
    pub(super) mount_path: String,
    pub(super) read_only: bool,
    sub_path: Option<String>,
    pub(super) sub_path_expr: bool,
    pub(super) path: String,
    #[allow(dead_code)]
    value: &'a Value,
}

pub(super) fn mounts<'a>(
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

/// The deepest of `mounts` whose mount path covers `dir`.
pub(super) fn covering_mount<'a>(mounts: Vec<MountRef<'a>>, dir: &str) -> Option<MountRef<'a>> {
    mounts
        .into_iter()
        .filter_map(|m| {
            let mp = normalize_path(&m.mount_path)?;
            covers(&mp, dir).then_some((mp.len(), m))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, m)| m)
}

/// The subdirectory of the volume that appears at `dir` through mount `m`.
pub(super) fn effective_subpath(m: &MountRef<'_>, dir: &str) -> String {
    let mp = normalize_path(&m.mount_path).unwrap_or_default();
    let rest = dir.strip_prefix(&mp).unwrap_or("").trim_start_matches('/');
    let base = m.sub_path.as_deref().unwrap_or("").trim_matches('/');
    match (base.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (false, true) => base.to_string(),
        (false, false) => format!("{base}/{rest}"),
    }
}

/// What a volume is, for storage checks.
#[derive(Debug)]
pub(super) enum VolumeKind {
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

pub(super) fn volume_kind(v: &Value) -> VolumeKind {
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
