//! The checks on the pattern itself: where the annotation is, whether the
//! kernel can hold and expand it, the directory it writes into, and whether
//! its names are unique.

use super::{CheckOptions, Ctx};
use crate::k8s::manifest::type_name;
use crate::k8s::paths::pattern_directory;
use crate::k8s::pod::{PodTemplate, annotation};
use crate::lint::{LintKind, LintReport, Severity};
use crate::parse::{Mode, Pattern};
use crate::spec::Specifier;

/// The pattern on `t`'s pod template and the path of its annotation, or
/// `None` (after a finding, if any) when the annotation is missing, only on
/// the workload's own metadata, or not a string.
pub(super) fn annotated_pattern<'a>(
    ctx: &mut Ctx<'_>,
    t: &PodTemplate<'a>,
    opts: &CheckOptions,
) -> Option<(&'a str, String)> {
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
            return None;
        }
        (None, None) => return None,
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
        return None;
    };
    Some((pattern, ann_path))
}

/// A2, A12 and A9: what the lints of the pattern say.
pub(super) fn lint_findings(
    ctx: &mut Ctx<'_>,
    t: &PodTemplate<'_>,
    report: &LintReport,
    p: &Pattern,
    ann_path: &str,
) {
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
            ann_path,
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
            ann_path,
            l.message(),
            l.help(),
        );
    }
}

/// A3 and A4: the pattern as written (`body`) and the directory it writes
/// into, or `None` (after a finding) when it is not an absolute file pattern
/// with a fixed directory.
pub(super) fn file_directory(
    ctx: &mut Ctx<'_>,
    t: &PodTemplate<'_>,
    pattern: &str,
    p: &Pattern,
    ann_path: &str,
) -> Option<(String, String)> {
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
        return None;
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
        return None;
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
            return None;
        }
    };
    Some((body, dir))
}

/// A8: a field that makes each core's name unique.
pub(super) fn unique_name_finding(
    ctx: &mut Ctx<'_>,
    t: &PodTemplate<'_>,
    p: &Pattern,
    body: &str,
    ann_path: &str,
) {
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
            ann_path,
            format!(
                "`{body}` has no %p, %P, %i, %I, %t or %h: every crash overwrites the previous core"
            ),
            "add %t (time) and %h (the pod's hostname), e.g. core-%e-%h-%t",
        );
    }
}
