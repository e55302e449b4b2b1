//! The findings: what stops or spoils the next core, with what to do about
//! it, from a finished [`DoctorReport`].

use super::check::{DestinationCheck, DirectoryCheck, FileKind, PathState};
use super::mounts::StorageKind;
use super::report::{DoctorReport, Finding};
use crate::expand::{CoreLimit, NoDumpReason, Outcome};
use crate::limits::MIN_COREDUMP;
use crate::lint::Severity;
use crate::parse::{Mode, Pattern, TokenKind};
use crate::spec::Specifier;

pub(super) fn findings(report: &DoctorReport) -> Vec<Finding> {
    let mut out = Vec::new();
    let process = &report.process;
    let headline = report.outcome.as_ref().and_then(Outcome::no_dump_reason);
    let mode = report.pattern.as_ref().ok().map(Pattern::mode);

    if let Ok(p) = &report.pattern {
        for t in p.tokens() {
            if let TokenKind::Unknown(b) = t.kind
                && let Some(spec) = Specifier::from_byte(b)
            {
                out.push(Finding::new(
                    Severity::Warning,
                    format!(
                        "{spec} is not known to kernel {} (it came in {}): the kernel drops it with its letter",
                        report.kernel,
                        spec.info().since.map_or_else(|| "a later release".to_owned(), |v| v.to_string())
                    ),
                    "distribution kernels sometimes backport specifiers; if this one has not, use one the kernel knows",
                ));
            }
        }
    }

    match process.dumpable.value {
        0 if headline != Some(&NoDumpReason::NotDumpable) => out.push(Finding::new(
            Severity::Error,
            format!("the process is probably not dumpable (dumpable 0): {}", process.dumpable.why),
            NoDumpReason::NotDumpable.help(),
        )),
        2 => out.push(Finding::new(
            Severity::Info,
            "a suid-safe dump (dumpable 2) is written as root, needs an absolute file name, and is opened beneath init's root, not the process's",
            "if the process should dump as itself, call prctl(PR_SET_DUMPABLE, 1) after changing credentials",
        )),
        _ => {}
    }

    // A problem the headline already states is not repeated.
    let blocked = |reason: NoDumpReason| {
        (headline != Some(&reason))
            .then(|| Finding::new(Severity::Error, reason.to_string(), reason.help()))
    };
    let limit = match (mode, process.core_limit) {
        (Some(Mode::File), CoreLimit::Bytes(limit)) if limit < MIN_COREDUMP => {
            blocked(NoDumpReason::CoreLimitBelowPage { limit })
        }
        (Some(Mode::File), CoreLimit::Bytes(limit)) => Some(Finding::new(
            Severity::Info,
            format!("the soft core limit is {limit} bytes: larger cores are cut there"),
            "raise it (ulimit -c unlimited, or LimitCORE= / the container's rlimits) to get whole cores",
        )),
        (Some(Mode::Pipe), CoreLimit::Bytes(1)) => blocked(NoDumpReason::PipeRlimitOne),
        (Some(Mode::Pipe), CoreLimit::Bytes(limit)) if limit < MIN_COREDUMP => Some(Finding::new(
            Severity::Info,
            format!(
                "the kernel ignores the soft core limit ({limit} bytes) for pipes, but the helper gets it as %c and may honour it (systemd-coredump stores no core when it is 0)"
            ),
            "raise the limit if the helper should keep the core",
        )),
        _ => None,
    };
    out.extend(limit);

    match &report.check {
        DestinationCheck::Directory(d) => directory_findings(d, &mut out),
        DestinationCheck::Helper(h) => {
            let program = h.program.display();
            match &h.state {
                PathState::Missing => out.push(Finding::new(
                    Severity::Error,
                    format!("the helper {program} does not exist: the kernel logs \"pipe failed\" and no core is written"),
                    "install the helper, or fix the path in kernel.core_pattern",
                )),
                PathState::Inaccessible(e) => out.push(Finding::new(
                    Severity::Warning,
                    format!("could not look at the helper {program}: {e}"),
                    "run the doctor as root",
                )),
                PathState::Present(_) if !h.is_executable() => out.push(Finding::new(
                    Severity::Error,
                    format!("the helper {program} is not an executable file: the kernel cannot run it"),
                    "point kernel.core_pattern at the helper program, and make it executable",
                )),
                PathState::Present(_) => {}
            }
            if report.settings.core_pipe_limit > 0 {
                out.push(Finding::new(
                    Severity::Info,
                    format!(
                        "core_pipe_limit is {}: while that many pipe dumps run, further cores are skipped, and the kernel waits for each helper",
                        report.settings.core_pipe_limit
                    ),
                    "set kernel.core_pipe_limit=0 for no limit (and no waiting)",
                ));
            }
        }
        DestinationCheck::Socket(s) => {
            let path = s.path.display();
            match &s.state {
                PathState::Missing => out.push(Finding::new(
                    Severity::Error,
                    format!("nothing is at the socket path {path}: the dump fails"),
                    "start the coredump socket server, or fix the path in kernel.core_pattern",
                )),
                PathState::Inaccessible(e) => out.push(Finding::new(
                    Severity::Warning,
                    format!("could not look at the socket {path}: {e}"),
                    "run the doctor as root",
                )),
                PathState::Present(_) if !s.is_socket() => out.push(Finding::new(
                    Severity::Error,
                    format!("{path} is not a socket: the dump fails"),
                    "point kernel.core_pattern at the listening socket",
                )),
                PathState::Present(_) => {}
            }
        }
        DestinationCheck::Nothing => {}
    }
    out.sort_by_key(|f| core::cmp::Reverse(f.severity));
    out
}

fn directory_findings(d: &DirectoryCheck, out: &mut Vec<Finding>) {
    let dir = d.dir.display();
    match &d.state {
        PathState::Missing => out.push(Finding::new(
            Severity::Error,
            format!("the directory {dir} does not exist in the process's mount namespace: the kernel creates no directories, so the dump fails silently"),
            "create it, or mount a volume there (on ACS: a NAS or OSS volume, or an emptyDir, mounted at this path)",
        )),
        PathState::Inaccessible(e) => out.push(Finding::new(
            Severity::Warning,
            format!("could not look at {}: {e}", d.looked_at.display()),
            "run the doctor as root, or as the process's user: looking into another process's files needs ptrace access to it",
        )),
        PathState::Present(i) if i.kind != FileKind::Directory => out.push(Finding::new(
            Severity::Error,
            format!("{dir} is not a directory: the core cannot be created in it"),
            "point kernel.core_pattern at a directory",
        )),
        PathState::Present(i) => {
            if let Some(m) = d.mount.as_ref().filter(|m| m.read_only) {
                out.push(Finding::new(
                    Severity::Error,
                    format!("{dir} is on a read-only mount ({} at {})", m.fstype, m.mount_point.display()),
                    "mount it read-write (in Kubernetes: readOnly: false on the volumeMount)",
                ));
            } else if d.writable == Some(false) {
                out.push(Finding::new(
                    Severity::Error,
                    format!(
                        "UID {} cannot create files in {dir} (owner {}:{}, mode {:04o})",
                        d.dumper_uid, i.uid, i.gid, i.mode
                    ),
                    "make the directory writable for the process (chown/chmod, or fsGroup in the pod's securityContext)",
                ));
            }
        }
    }
    let Some(m) = &d.mount else { return };
    let kind = m.storage();
    let (severity, message, help) = match kind {
        StorageKind::Overlay => (
            Severity::Warning,
            format!("{dir} is on {}", kind.describe()),
            format!("mount a volume at {dir} (NAS, OSS, or an emptyDir with the ephemeral-container route) so cores leave the container's layer"),
        ),
        StorageKind::Nfs => (
            Severity::Warning,
            format!(
                "{dir} is on NFS{}: the kernel creates the core with mode 0600 as UID {} and refuses it (\"cannot preserve file owner/permissions\" in the kernel log) when the server squashes that owner (root_squash, all_squash) or changes the mode",
                if m.is_from_statfs() { String::new() } else { format!(" ({})", m.source) },
                d.dumper_uid
            ),
            "export it without squashing for this UID (Alibaba Cloud NAS: a permission group rule without root squash), and check the mount's umask-like options".to_owned(),
        ),
        StorageKind::OssFuse => (
            Severity::Warning,
            format!(
                "{dir} is an OSS bucket through FUSE ({} from {}): the client emulates owners and modes, and the kernel refuses the core when it does not keep owner UID {} and mode 0600; a core is staged on local disk and uploaded only when it is closed",
                m.fstype, m.source, d.dumper_uid
            ),
            "prefer NAS for cores; otherwise check the client's uid/gid/umask options so that a file created with mode 0600 keeps its owner and mode".to_owned(),
        ),
        StorageKind::OtherFuse => (
            Severity::Info,
            format!("{dir} is on {} ({})", kind.describe(), m.fstype),
            "check that a file created there with mode 0600 keeps its owner and mode".to_owned(),
        ),
        StorageKind::Tmpfs => (
            Severity::Info,
            format!("{dir} is in {}", kind.describe()),
            "use a disk or network volume for large cores".to_owned(),
        ),
        StorageKind::LocalDisk | StorageKind::Other(_) => return,
    };
    out.push(Finding::new(severity, message, help));
}
