//! [`ephemeral_patch`]: the patch body that adds an ephemeral debug
//! container mounting the core volume at exactly the pattern's directory,
//! and the commands that apply it.

use super::check::CheckOptions;
use super::manifest::{ManifestError, ManifestSet};
use super::paths::pattern_directory;
use super::pod::{
    annotation, containers, covering_mount, effective_subpath, get, mounts, pod_template,
};
use crate::expand::Settings;
use crate::lint;
use crate::parse::Mode;
use serde::Serialize;
use serde_json::{Value, json};

/// Options for [`ephemeral_patch`].
///
/// Start from [`PatchOptions::new`] and set what differs:
///
/// ```
/// use core_pattern::k8s::PatchOptions;
/// let opts = PatchOptions::new().with_image("debian:12").with_target("app");
/// assert_eq!((opts.name.as_str(), opts.target.as_deref()), ("core-debugger", Some("app")));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PatchOptions {
    /// The ephemeral container's name (default `core-debugger`).
    pub name: String,
    /// Its image (default `alpine:3`; use one with gdb for analysis).
    pub image: String,
    /// The container whose namespaces it joins (default: the first
    /// container that mounts the core directory).
    pub target: Option<String>,
    /// As for [`check`](super::check()).
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

impl PatchOptions {
    /// The defaults: container `core-debugger`, image `alpine:3`, the
    /// target found from the manifest, [`CheckOptions::new`].
    pub fn new() -> PatchOptions {
        PatchOptions::default()
    }

    /// The ephemeral container's name.
    pub fn with_name(mut self, name: impl Into<String>) -> PatchOptions {
        self.name = name.into();
        self
    }

    /// The ephemeral container's image.
    pub fn with_image(mut self, image: impl Into<String>) -> PatchOptions {
        self.image = image.into();
        self
    }

    /// The container whose namespaces it joins.
    pub fn with_target(mut self, target: impl Into<String>) -> PatchOptions {
        self.target = Some(target.into());
        self
    }

    /// How the manifest is checked first.
    pub fn with_check(mut self, check: CheckOptions) -> PatchOptions {
        self.check = check;
        self
    }
}

/// A patch body for the pod's `ephemeralcontainers` subresource, and how to
/// apply it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
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
    for doc in set.documents() {
        let Some(t) = pod_template(doc)? else {
            continue;
        };
        let Some((_, value)) = annotation(t.pod_annotations, &opts.check.keys) else {
            continue;
        };
        let pattern = value.as_str().unwrap_or("");
        let report = lint::check(pattern.as_bytes(), &opts.check.kernel, &Settings::default());
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
        // Names come from the manifest: quoted for the shell wherever they
        // land in a command meant to be pasted (the `<pod-name>` placeholder
        // is meant to be replaced, and stays as it is).
        let quoted_pod = if pod == "<pod-name>" {
            pod.clone()
        } else {
            shell_quote(&pod)
        };
        let qns = shell_quote(&ns);
        let find = if t.kind == "Pod" || labels.is_empty() {
            String::new()
        } else {
            format!(
                "# <pod-name>: one of `kubectl -n {qns} get pods -l {}`\n",
                shell_quote(&labels.join(","))
            )
        };
        let kubectl = format!(
            "{find}kubectl -n {qns} patch pod {quoted_pod} --subresource=ephemeralcontainers --type=strategic --patch-file=patch.json && kubectl -n {qns} attach -it {quoted_pod} -c {}",
            shell_quote(&opts.name)
        );
        let url =
            format!("http://127.0.0.1:8001/api/v1/namespaces/{ns}/pods/{pod}/ephemeralcontainers");
        let url = if pod == "<pod-name>" && shell_quote(&ns) == ns {
            url
        } else {
            shell_quote(&url)
        };
        let curl = format!(
            "kubectl proxy & curl -X PATCH -H 'Content-Type: application/strategic-merge-patch+json' --data-binary @patch.json {url}"
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

/// `s` as one shell word: as it is when it has only characters no shell
/// treats specially, otherwise in single quotes (a `'` inside written as
/// `'\''`).
pub(super) fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'.' | b'_' | b'-' | b'/' | b':' | b'=' | b'@' | b'%' | b'+' | b','
                )
        });
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn shell_words() {
        assert_eq!(shell_quote("prod-1"), "prod-1");
        assert_eq!(shell_quote("app=nginx,tier=web"), "app=nginx,tier=web");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("x;rm -rf /"), "'x;rm -rf /'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("$(id)"), "'$(id)'");
        assert_eq!(shell_quote("\x1b[31m"), "'\x1b[31m'");
    }
}
