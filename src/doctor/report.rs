//! The report: what the doctor read about the process and the machine
//! ([`ProcessInfo`], [`Sysctls`]), the [`Finding`]s, and [`DoctorReport`]
//! with its plain-language `Display`.

use super::check::{DestinationCheck, FileKind, PathState};
use super::mounts::Mount;
use super::proc::{ProcStatus, strip_newline};
use crate::expand::{CoreLimit, Crash, Outcome, Settings};
use crate::kernel::KernelProfile;
use crate::lint::Severity;
use crate::parse::{ParseError, Pattern};
use crate::signal::Signal;
use core::fmt;

/// The doctor's guess at the process's dumpable mode, which no `/proc` file
/// shows.
///
/// The kernel makes a process's `/proc/PID` files owned by its effective
/// UID when it is dumpable (1), and by root (of the process's user
/// namespace) otherwise (0 or 2). So a file owned by someone else than the
/// effective UID means "not 1"; for a root process the owner tells nothing.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DumpableGuess {
    /// The value assumed: 0, 1 or 2.
    pub value: u8,
    /// Whether the owner of `/proc/PID/stat` decides it.
    pub certain: bool,
    /// How the value was inferred, in a sentence.
    pub why: String,
}

/// What the doctor found out about the process.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProcessInfo {
    /// The PID examined, in the doctor's PID namespace.
    pub pid: u32,
    /// `/proc/PID/status`.
    pub status: ProcStatus,
    /// `/proc/PID/comm` without its newline (`%e`).
    pub comm: Vec<u8>,
    /// The target of `/proc/PID/exe` (`%E`, `%f`); `None` when it cannot be
    /// read (a kernel thread, or no permission).
    pub exe: Option<Vec<u8>>,
    /// The CPU it last ran on, from `/proc/PID/stat` (`%C`).
    pub cpu: u32,
    /// The soft core limit, from `/proc/PID/limits` (`%c`).
    pub core_limit: CoreLimit,
    /// The inferred dumpable mode (`%d`).
    pub dumpable: DumpableGuess,
    /// `/proc/PID/mountinfo`: the mounts as the process sees them.
    pub mounts: Vec<Mount>,
    /// Whether the process is in another mount namespace than the doctor
    /// (`Err`: the namespace links could not be read).
    pub other_mount_ns: Result<bool, String>,
    /// Whether the process is in another UTS namespace (hostname) than the
    /// doctor (`Err`: the namespace links could not be read).
    pub other_uts_ns: Result<bool, String>,
}

/// The core sysctls, as read. Each is without its trailing newline, except
/// `core_pattern`, which is kept exactly as read.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Sysctls {
    /// `/proc/sys/kernel/core_pattern`, exactly as read; `None` when the
    /// kernel refused the read with `EINVAL` (it holds an invalid `@` value).
    pub core_pattern: Option<Vec<u8>>,
    /// `/proc/sys/kernel/core_uses_pid`.
    pub core_uses_pid: String,
    /// `/proc/sys/fs/suid_dumpable`.
    pub suid_dumpable: String,
    /// `/proc/sys/kernel/core_pipe_limit`.
    pub core_pipe_limit: String,
    /// `/proc/sys/kernel/osrelease`.
    pub osrelease: String,
    /// `/proc/sys/kernel/hostname`: the doctor's UTS nodename (`%h`).
    pub hostname: Vec<u8>,
}

/// Why the stored pattern gives no prediction.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// Reading `kernel.core_pattern` fails with `EINVAL`: it holds an
    /// invalid `@` value (6.16.8+ and 6.17.0–6.17.4 accept one on write),
    /// and every dump fails.
    #[error(
        "reading kernel.core_pattern fails with EINVAL: it holds an invalid `@` socket value, and every dump fails"
    )]
    Unreadable,
    /// The value read does not parse.
    #[error("the stored pattern does not parse: {0}")]
    Parse(ParseError),
}

impl PatternError {
    /// How to fix it.
    pub fn help(&self) -> &'static str {
        match self {
            PatternError::Unreadable => {
                "write a valid value: `@` and an absolute socket path under 108 bytes, or a file or `|` pattern"
            }
            PatternError::Parse(e) => e.kind().help(),
        }
    }
}

/// One thing the doctor found.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Finding {
    /// How bad it is.
    pub severity: Severity,
    /// What is wrong, in a sentence.
    pub message: String,
    /// What to do about it.
    pub help: String,
}

impl Finding {
    pub(super) fn new(
        severity: Severity,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Finding {
        Finding {
            severity,
            message: message.into(),
            help: help.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}\n  help: {}",
            self.severity, self.message, self.help
        )
    }
}

/// Everything the doctor read, predicted and checked for one process.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DoctorReport {
    /// The sysctls as read.
    pub sysctls: Sysctls,
    /// The kernel profile, from `osrelease` (the newest one when it does not
    /// parse).
    pub kernel: KernelProfile,
    /// The settings, from the sysctls.
    pub settings: Settings,
    /// The process.
    pub process: ProcessInfo,
    /// The signal assumed: SIGSEGV.
    pub signal: Signal,
    /// The time assumed: when the doctor ran, in seconds since the Epoch.
    pub time: i64,
    /// The stored pattern, parsed for `kernel`.
    pub pattern: Result<Pattern, PatternError>,
    /// What the kernel would do with a core right now (`None` when the
    /// pattern gives no prediction).
    pub outcome: Option<Outcome>,
    /// Where the core would go: the outcome, or, when there is no core only
    /// because of the process (dumpable 0, or its core limit), where it would
    /// go once that is fixed.
    pub destination: Option<Outcome>,
    /// What was checked at the destination.
    pub check: DestinationCheck,
    /// The problems found, most severe first.
    pub findings: Vec<Finding>,
    /// How things were looked at, and what could not be.
    pub notes: Vec<String>,
}

impl DoctorReport {
    /// The crash the prediction assumes: SIGSEGV in the examined thread, at
    /// [`DoctorReport::time`], with the process's IDs, names, CPU, core limit and
    /// inferred dumpable mode.
    ///
    /// `%h` is the doctor's hostname and `%P`/`%u`/`%g` are as the doctor
    /// sees them, which is right when the doctor runs on the host (in the
    /// initial namespaces).
    pub fn crash(&self) -> Crash<'_> {
        let p = &self.process;
        Crash {
            pid: p.status.local_tgid(),
            tid: p.status.local_pid(),
            global_pid: p.status.outer_tgid(),
            global_tid: p.status.outer_pid(),
            uid: p.status.uid.real,
            gid: p.status.gid.real,
            dumpable: p.dumpable.value,
            signal: self.signal,
            time: self.time,
            hostname: &self.sysctls.hostname,
            comm: &p.comm,
            exe: p.exe.as_deref(),
            cpu: p.cpu,
            core_limit: p.core_limit,
        }
    }

    /// The answer in plain language: where the next core would go, or why
    /// there would be none, then what was assumed, the findings and the
    /// notes. The same text as `Display`.
    pub fn summary(&self) -> String {
        self.to_string()
    }

    /// Whether any finding is an error, or no core would be written.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
            || !matches!(
                self.outcome,
                Some(Outcome::File { .. } | Outcome::Pipe { .. } | Outcome::Socket { .. })
            )
    }
}

impl fmt::Display for DoctorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_headline(f)?;
        self.write_context(f)?;
        self.write_check(f)?;
        if self.findings.is_empty() {
            if matches!(self.outcome, None | Some(Outcome::NoDump { .. })) {
                writeln!(f, "No other problems found.")?;
            } else {
                writeln!(f, "No problems found.")?;
            }
        } else {
            writeln!(f, "Findings:")?;
            for x in &self.findings {
                writeln!(f, "  {}: {}", x.severity, x.message)?;
                writeln!(f, "    help: {}", x.help)?;
            }
        }
        if !self.notes.is_empty() {
            writeln!(f, "Notes:")?;
            for n in &self.notes {
                writeln!(f, "  - {n}")?;
            }
        }
        Ok(())
    }
}

impl DoctorReport {
    /// "The next core of PID N (comm) would go to …".
    fn write_headline(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.process;
        write!(f, "The next core of PID {} ({}", p.pid, Bytes(&p.comm))?;
        if p.status.local_tgid() != p.status.outer_tgid() {
            write!(
                f,
                "; PID {} in its own PID namespace",
                p.status.local_tgid()
            )?;
        }
        f.write_str(")")?;
        match (&self.pattern, &self.outcome) {
            (Err(e), _) => writeln!(f, " cannot be predicted: {e} — {}.", e.help()),
            (Ok(_), Some(Outcome::NoDump { reason })) => {
                writeln!(f, " would NOT be written: {reason} — {}.", reason.help())?;
                if let Some(d) = &self.destination {
                    f.write_str("Once that is fixed, it would go to ")?;
                    self.write_destination(f, d)?;
                }
                Ok(())
            }
            (Ok(_), Some(o)) => {
                f.write_str(" would go to ")?;
                self.write_destination(f, o)
            }
            (Ok(_), None) => writeln!(f, " cannot be predicted."),
        }
    }

    /// Where a core goes, in words.
    fn write_destination(&self, f: &mut fmt::Formatter<'_>, o: &Outcome) -> fmt::Result {
        match o {
            Outcome::File { name } => {
                write!(f, "the file {}", Bytes(name))?;
                if let DestinationCheck::Directory(d) = &self.check
                    && let Some(cwd) = &d.cwd
                {
                    write!(f, " (relative to its working directory {})", cwd.display())?;
                }
                writeln!(f, ".")
            }
            Outcome::Pipe { argv, pidfd } => {
                let program = argv.first().map_or(&[][..], Vec::as_slice);
                write!(
                    f,
                    "the helper {} through a pipe, run as root in the initial namespaces; argv:",
                    Bytes(program)
                )?;
                for a in argv {
                    write!(f, " {:?}", Bytes(a).to_string())?;
                }
                if *pidfd {
                    f.write_str("; a pidfd of the process at fd 3")?;
                }
                writeln!(f, ".")
            }
            Outcome::Socket { path, request } => {
                write!(f, "the socket {}", Bytes(path))?;
                if *request {
                    f.write_str(" (with the @@ request protocol)")?;
                }
                writeln!(f, ".")
            }
            Outcome::NoDump { reason } => writeln!(f, "nowhere: {reason}."),
        }
    }

    /// What was read and assumed.
    fn write_context(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (s, p) = (&self.sysctls, &self.process);
        match &s.core_pattern {
            Some(raw) => write!(
                f,
                "  pattern:   {:?}",
                Bytes(strip_newline(raw)).to_string()
            )?,
            None => f.write_str("  pattern:   (unreadable)")?,
        }
        writeln!(
            f,
            " on kernel {} (osrelease {:?})",
            self.kernel, s.osrelease
        )?;
        writeln!(
            f,
            "  sysctls:   core_uses_pid={} fs.suid_dumpable={} core_pipe_limit={}",
            s.core_uses_pid, s.suid_dumpable, s.core_pipe_limit
        )?;
        let limit = match p.core_limit {
            CoreLimit::Unlimited => "unlimited".to_owned(),
            CoreLimit::Bytes(n) => format!("{n} bytes"),
        };
        writeln!(
            f,
            "  assumed:   {} at {} on CPU {}; core limit {limit}",
            self.signal, self.time, p.cpu
        )?;
        let how = if p.dumpable.certain {
            "known"
        } else {
            "a guess"
        };
        writeln!(
            f,
            "  dumpable:  {}, {how}: {}",
            p.dumpable.value, p.dumpable.why
        )
    }

    /// What was found at the destination.
    fn write_check(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.check {
            DestinationCheck::Directory(d) => {
                write!(f, "  directory: {}", d.dir.display())?;
                if !d.dir.has_root() {
                    f.write_str(" in the process's working directory, which could not be read,")?;
                }
                match &d.state {
                    PathState::Missing => f.write_str(" does not exist")?,
                    PathState::Inaccessible(e) => write!(f, " could not be looked at ({e})")?,
                    PathState::Present(i) if i.kind != FileKind::Directory => {
                        f.write_str(" is not a directory")?
                    }
                    PathState::Present(i) => {
                        let can = if d.writable == Some(true) { "" } else { "not " };
                        write!(
                            f,
                            " (mode {:04o}, owner {}:{}, {can}writable by UID {})",
                            i.mode, i.uid, i.gid, d.dumper_uid
                        )?;
                    }
                }
                if d.through_proc {
                    write!(f, ", looked at as {}", d.looked_at.display())?;
                }
                writeln!(f)?;
                if let Some(m) = &d.mount {
                    let ro = if m.read_only { ", read-only" } else { "" };
                    if m.is_from_statfs() {
                        writeln!(
                            f,
                            "  mount:     not in mountinfo; statfs(2): {}{ro}: {}",
                            m.fstype,
                            m.storage().describe()
                        )?;
                    } else {
                        writeln!(
                            f,
                            "  mount:     {} ({} from {}{ro}): {}",
                            m.mount_point.display(),
                            m.fstype,
                            m.source,
                            m.storage().describe()
                        )?;
                    }
                }
                Ok(())
            }
            DestinationCheck::Helper(h) => writeln!(
                f,
                "  helper:    {} ({})",
                h.program.display(),
                describe_state(&h.state, h.is_executable())
            ),
            DestinationCheck::Socket(s) => writeln!(
                f,
                "  socket:    {} ({})",
                s.path.display(),
                describe_state(&s.state, s.is_socket())
            ),
            DestinationCheck::Nothing => Ok(()),
        }
    }
}

fn describe_state(state: &PathState, good: bool) -> String {
    match state {
        PathState::Missing => "does not exist".to_owned(),
        PathState::Inaccessible(e) => format!("could not be looked at: {e}"),
        PathState::Present(i) => format!(
            "{}, mode {:04o}, owner {}:{}",
            if good { "ok" } else { "wrong type or mode" },
            i.mode,
            i.uid,
            i.gid
        ),
    }
}

/// Bytes shown as UTF-8 where they are, `\xNN` elsewhere.
pub(super) struct Bytes<'a>(pub(super) &'a [u8]);

impl fmt::Display for Bytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_display() {
        assert_eq!(Bytes(b"a\xffb").to_string(), "a\\xffb");
    }
}
