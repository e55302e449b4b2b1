//! Reading the machine: [`Doctor`] reads the sysctls and the process's
//! `/proc` files, predicts the core, and looks at its destination.

use super::check::{
    DestinationCheck, DirectoryCheck, FileInfo, FileKind, HelperCheck, PathState, SocketPathCheck,
};
use super::findings::findings;
use super::mounts::{Mount, fstypes_for_magic, magic_matches, mount_for, parse_mountinfo_bytes};
use super::proc::{ProcStatus, parse_limits_core, parse_stat_cpu, parse_status, strip_newline};
use super::report::{Bytes, DoctorReport, DumpableGuess, PatternError, ProcessInfo, Sysctls};
use super::sys;
use crate::expand::{CoreLimit, NoDumpReason, Outcome, Settings};
use crate::kernel::KernelProfile;
use crate::parse::ParseOptions;
use crate::signal::Signal;
use crate::spec::Specifier;
use crate::sysctl::stored_value;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Linux's `EINVAL`: what reading `kernel.core_pattern` fails with when it
/// holds an invalid `@` value (6.16.8+, 6.17.0–6.17.4).
const EINVAL: i32 = 22;

fn path_of(bytes: &[u8]) -> &Path {
    Path::new(OsStr::from_bytes(bytes))
}

/// Why the doctor could not examine the machine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DoctorError {
    /// A file under `/proc` could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The process does not exist (it may have exited).
    #[error("no process with PID {pid}: {} does not exist", .path.display())]
    NoSuchProcess {
        /// The PID.
        pid: u32,
        /// Its `/proc` directory.
        path: PathBuf,
    },
    /// A file does not hold what the kernel writes there.
    #[error("cannot understand {}: {what}", .path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is missing or wrong.
        what: String,
    },
}

/// The machine's core settings, as [`Doctor::machine`] reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Machine {
    /// The sysctls as read.
    pub sysctls: Sysctls,
    /// The settings they make.
    pub settings: Settings,
    /// The running kernel.
    pub kernel: KernelProfile,
    /// How things were read.
    pub notes: Vec<String>,
}

impl Machine {
    /// The stored `core_pattern` without the newline the kernel adds when
    /// it is read (`None`: the kernel refused the read, as it does for an
    /// invalid `@` value on some releases).
    pub fn pattern(&self) -> Option<&[u8]> {
        self.sysctls.core_pattern.as_deref().map(strip_newline)
    }
}

/// Reads the live machine, never writes.
///
/// [`Doctor::inspect`] looks at `/proc`; [`Doctor::with_proc_root`] reads
/// another tree laid out like it (for tests, or a host's `/proc` mounted
/// elsewhere). Files other than those under the root (the destination
/// directory, the helper, the socket) are looked at where they are.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Doctor {
    proc: PathBuf,
}

impl Default for Doctor {
    fn default() -> Self {
        Doctor::new()
    }
}

impl Doctor {
    /// A doctor reading `/proc`.
    pub fn new() -> Doctor {
        Doctor::with_proc_root("/proc")
    }

    /// A doctor reading `root` instead of `/proc`.
    pub fn with_proc_root(root: impl Into<PathBuf>) -> Doctor {
        Doctor { proc: root.into() }
    }

    /// Examines process `pid` (default: the current process) through `/proc`.
    ///
    /// # Errors
    ///
    /// [`DoctorError`] when a file the prediction needs cannot be read or
    /// understood: the sysctls, and the process's `status`, `limits`,
    /// `comm`, `stat` and `mountinfo`. Files that are only helpful (`exe`,
    /// `cwd`, the namespace links, the destination) become notes and
    /// findings instead.
    pub fn inspect(pid: Option<u32>) -> Result<DoctorReport, DoctorError> {
        Doctor::new().examine(pid)
    }

    /// Examines process `pid` (default: the current process,
    /// [`std::process::id`]) under this doctor's root.
    ///
    /// # Errors
    ///
    /// See [`Doctor::inspect`].
    pub fn examine(&self, pid: Option<u32>) -> Result<DoctorReport, DoctorError> {
        let pid = pid.unwrap_or_else(std::process::id);
        let Machine {
            sysctls,
            settings,
            kernel,
            mut notes,
        } = self.machine()?;
        let process = self.read_process(pid, settings.suid_dumpable, &mut notes)?;
        let pattern = match &sysctls.core_pattern {
            Some(raw) => ParseOptions::new()
                .kernel(kernel)
                .parse(stored_value(strip_newline(raw)))
                .map_err(PatternError::Parse),
            None => Err(PatternError::Unreadable),
        };
        let mut report = DoctorReport {
            sysctls,
            kernel,
            settings,
            process,
            signal: Signal::SIGSEGV,
            time: now(),
            pattern,
            outcome: None,
            destination: None,
            check: DestinationCheck::Nothing,
            findings: Vec::new(),
            notes,
        };
        let outcome = match &report.pattern {
            Ok(p) => Some(p.expand(&report.settings, &report.crash())),
            Err(_) => None,
        };
        report.outcome = outcome;
        report.destination = destination(&report);
        let (check, notes) = self.check_destination(&report);
        report.check = check;
        report.notes.extend(notes);
        report.findings = findings(&report);
        Ok(report)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.proc.join(rel)
    }

    fn number<T: core::str::FromStr>(&self, rel: &str, value: &str) -> Result<T, DoctorError> {
        value.trim().parse().map_err(|_| DoctorError::Malformed {
            path: self.path(rel),
            what: format!("{value:?} is not a number in range"),
        })
    }

    /// The machine's core settings: the sysctls, the [`Settings`] they make,
    /// and the running kernel (from `osrelease`; the newest known one, with
    /// a note, when it does not parse). `corepat explain` and `corepat lint`
    /// use it when no pattern is given.
    ///
    /// # Errors
    ///
    /// [`DoctorError`] when a sysctl cannot be read or is not a number.
    ///
    /// ```no_run
    /// use core_pattern::doctor::Doctor;
    /// let m = Doctor::new().machine()?;
    /// println!("{} on {}", String::from_utf8_lossy(m.pattern().unwrap_or(b"(unreadable)")), m.kernel);
    /// # Ok::<(), core_pattern::doctor::DoctorError>(())
    /// ```
    pub fn machine(&self) -> Result<Machine, DoctorError> {
        let mut notes = Vec::new();
        let sysctls = self.read_sysctls()?;
        let settings = Settings::new()
            .with_core_uses_pid(
                self.number::<i64>("sys/kernel/core_uses_pid", &sysctls.core_uses_pid)? != 0,
            )
            .with_suid_dumpable(self.number("sys/fs/suid_dumpable", &sysctls.suid_dumpable)?)
            .with_core_pipe_limit(
                self.number("sys/kernel/core_pipe_limit", &sysctls.core_pipe_limit)?,
            );
        let kernel = match KernelProfile::parse(sysctls.osrelease.trim()) {
            Ok(k) => k,
            Err(e) => {
                let k = KernelProfile::latest();
                notes.push(format!("{e}; assuming the newest known kernel, {k}"));
                k
            }
        };
        Ok(Machine {
            sysctls,
            settings,
            kernel,
            notes,
        })
    }

    fn read_sysctls(&self) -> Result<Sysctls, DoctorError> {
        let path = self.path("sys/kernel/core_pattern");
        let core_pattern = match fs::read(&path) {
            Ok(b) => Some(b),
            Err(e) if e.raw_os_error() == Some(EINVAL) => None,
            Err(source) => return Err(DoctorError::Read { path, source }),
        };
        let text = |rel: &str| -> Result<String, DoctorError> {
            let b = read(&self.path(rel))?;
            Ok(String::from_utf8_lossy(strip_newline(&b)).into_owned())
        };
        Ok(Sysctls {
            core_pattern,
            core_uses_pid: text("sys/kernel/core_uses_pid")?,
            suid_dumpable: text("sys/fs/suid_dumpable")?,
            core_pipe_limit: text("sys/kernel/core_pipe_limit")?,
            osrelease: text("sys/kernel/osrelease")?,
            hostname: strip_newline(&read(&self.path("sys/kernel/hostname"))?).to_vec(),
        })
    }

    fn read_process(
        &self,
        pid: u32,
        suid_dumpable: u8,
        notes: &mut Vec<String>,
    ) -> Result<ProcessInfo, DoctorError> {
        let dir = self.proc.join(pid.to_string());
        let status_path = dir.join("status");
        let status_text = match fs::read(&status_path) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(DoctorError::NoSuchProcess { pid, path: dir });
            }
            Err(source) => {
                return Err(DoctorError::Read {
                    path: status_path,
                    source,
                });
            }
        };
        let status = parse_status(&status_text).ok_or_else(|| DoctorError::Malformed {
            path: status_path.clone(),
            what: "expected Name, Tgid, Pid, Uid and Gid lines".to_owned(),
        })?;

        let limits_path = dir.join("limits");
        let core_limit =
            parse_limits_core(&read_text(&limits_path)?).ok_or_else(|| DoctorError::Malformed {
                path: limits_path.clone(),
                what: "no \"Max core file size\" line with a soft limit".to_owned(),
            })?;

        let comm = strip_newline(&read(&dir.join("comm"))?).to_vec();

        let stat_path = dir.join("stat");
        let cpu =
            parse_stat_cpu(&read_text(&stat_path)?).ok_or_else(|| DoctorError::Malformed {
                path: stat_path.clone(),
                what: "no processor field (field 39)".to_owned(),
            })?;
        let owner = fs::metadata(&stat_path)
            .map_err(|source| DoctorError::Read {
                path: stat_path.clone(),
                source,
            })?
            .uid();
        let dumpable = guess_dumpable(pid, &status, owner, suid_dumpable);

        let exe_path = dir.join("exe");
        let exe = match fs::read_link(&exe_path) {
            Ok(p) => Some(p.into_os_string().into_vec()),
            Err(e) => {
                notes.push(format!(
                    "cannot read {}: {e}; %E and %f are predicted as \"<comm> (path unknown)\", as for a process without an executable",
                    exe_path.display()
                ));
                None
            }
        };

        let mounts = parse_mountinfo_bytes(&read(&dir.join("mountinfo"))?);
        Ok(ProcessInfo {
            pid,
            status,
            comm,
            exe,
            cpu,
            core_limit,
            dumpable,
            mounts,
            other_mount_ns: self.other_ns(pid, "mnt"),
            other_uts_ns: self.other_ns(pid, "uts"),
        })
    }

    /// Whether `pid` is in another namespace of kind `ns` than the doctor.
    fn other_ns(&self, pid: u32, ns: &str) -> Result<bool, String> {
        let link = |who: &str| {
            let path = self.proc.join(who).join("ns").join(ns);
            fs::read_link(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        Ok(link("self")? != link(&pid.to_string())?)
    }

    fn check_destination(&self, report: &DoctorReport) -> (DestinationCheck, Vec<String>) {
        let mut notes = Vec::new();
        let check = match &report.destination {
            Some(Outcome::File { name }) => {
                DestinationCheck::Directory(self.check_directory(report, name, &mut notes))
            }
            Some(Outcome::Pipe { argv, .. }) => {
                let program = path_of(argv.first().map_or(&[][..], Vec::as_slice)).to_owned();
                let state = PathState::of(&program);
                notes.push(
                    "the helper was looked up in the doctor's own mount namespace: the kernel runs it in the initial namespaces".to_owned(),
                );
                if let Ok(true) = self.other_ns(1, "mnt") {
                    notes.push("the doctor is not in PID 1's mount namespace, so the kernel may see another file at the helper's path".to_owned());
                }
                DestinationCheck::Helper(HelperCheck { program, state })
            }
            Some(Outcome::Socket { path, .. }) => {
                let path = path_of(path).to_owned();
                let state = PathState::of(&path);
                notes.push(
                    "the socket was looked up in the doctor's own mount namespace: the kernel looks it up beneath init's root".to_owned(),
                );
                DestinationCheck::Socket(SocketPathCheck { path, state })
            }
            Some(Outcome::NoDump { .. }) | None => DestinationCheck::Nothing,
        };
        if let Ok(p) = &report.pattern
            && p.uses(Specifier::Hostname)
            && report.process.other_uts_ns == Ok(true)
        {
            notes.push(format!(
                "%h was predicted with the doctor's hostname {:?}; the process has its own UTS namespace, so the kernel uses its hostname (in a pod: usually the pod's name)",
                Bytes(&report.sysctls.hostname).to_string()
            ));
        }
        (check, notes)
    }

    fn check_directory(
        &self,
        report: &DoctorReport,
        name: &[u8],
        notes: &mut Vec<String>,
    ) -> DirectoryCheck {
        let process = &report.process;
        let suid_safe = process.dumpable.value == 2;
        // A suid-safe dump opens the name beneath init's root.
        let view = if suid_safe { 1 } else { process.pid };
        let view_dir = self.proc.join(view.to_string());
        let dir_bytes = match name.iter().rposition(|&b| b == b'/') {
            Some(0) => &b"/"[..],
            Some(i) => &name[..i],
            None => &b""[..],
        };
        let rel_dir = path_of(dir_bytes);
        let other_ns = if view == process.pid {
            process.other_mount_ns.clone()
        } else {
            self.other_ns(view, "mnt")
        };
        let absolute = name.first() == Some(&b'/');
        let (dir, cwd, via_proc) = if absolute {
            let inside = rel_dir.strip_prefix("/").unwrap_or(rel_dir);
            (rel_dir.to_owned(), None, view_dir.join("root").join(inside))
        } else {
            let cwd_path = view_dir.join("cwd");
            let cwd = match fs::read_link(&cwd_path) {
                Ok(c) => Some(c),
                Err(e) => {
                    notes.push(format!("cannot read {}: {e}", cwd_path.display()));
                    None
                }
            };
            let dir = match (&cwd, dir_bytes.is_empty()) {
                (Some(c), true) => c.clone(),
                (Some(c), false) => c.join(rel_dir),
                (None, true) => PathBuf::from("."),
                (None, false) => rel_dir.to_owned(),
            };
            if let Some(c) = &cwd {
                notes.push(format!(
                    "the core name is relative: the kernel opens it in the process's working directory, {}",
                    c.display()
                ));
            }
            let via_proc = if dir_bytes.is_empty() {
                cwd_path
            } else {
                cwd_path.join(rel_dir)
            };
            (dir, cwd, via_proc)
        };
        // A chrooted process in the doctor's mount namespace resolves
        // absolute names against its own root.
        let chroot = match (&other_ns, absolute) {
            (Ok(false), true) => fs::read_link(view_dir.join("root"))
                .ok()
                .filter(|r| r != Path::new("/")),
            _ => None,
        };
        let (looked_at, through_proc) = match (&other_ns, &chroot) {
            (Ok(false), None) if dir.has_root() => (dir.clone(), false),
            (Ok(false), None) => {
                notes.push(format!(
                    "the working directory is unknown: the directory check looks through {}",
                    via_proc.display()
                ));
                (via_proc, true)
            }
            (Ok(false), Some(root)) => {
                notes.push(format!(
                    "PID {view} runs with its root at {}: the directory check looks through {}",
                    root.display(),
                    via_proc.display()
                ));
                (via_proc, true)
            }
            (Ok(true), _) => {
                notes.push(format!(
                    "PID {view} is in another mount namespace than the doctor: the directory check looks through {}",
                    via_proc.display()
                ));
                (via_proc, true)
            }
            (Err(e), _) => {
                notes.push(format!(
                    "could not compare mount namespaces ({e}): the directory check looks through {}",
                    via_proc.display()
                ));
                (via_proc, true)
            }
        };
        if suid_safe {
            notes.push(
                "a suid-safe dump (dumpable 2) is written as root beneath init's root: the directory was looked at as PID 1 sees it".to_owned(),
            );
        }
        let state = PathState::of(&looked_at);

        let view_mounts;
        let mounts = if view == process.pid {
            &process.mounts
        } else {
            let path = view_dir.join("mountinfo");
            view_mounts = match fs::read(&path) {
                Ok(b) => parse_mountinfo_bytes(&b),
                Err(e) => {
                    notes.push(format!("cannot read {}: {e}", path.display()));
                    Vec::new()
                }
            };
            &view_mounts
        };
        // In the doctor's own namespace symbolic links can be resolved.
        let resolved = match (&state, through_proc) {
            (PathState::Present(_), false) => fs::canonicalize(&dir).ok(),
            _ => None,
        };
        let mount = mount_for(resolved.as_deref().unwrap_or(&dir), mounts).cloned();
        let mount = match &state {
            PathState::Present(_) => check_statfs(mount, &dir, &looked_at, notes),
            _ => mount,
        };

        let status = &process.status;
        let (uid, gid) = if suid_safe {
            (0, 0)
        } else {
            (status.uid.filesystem, status.gid.filesystem)
        };
        let writable = match &state {
            PathState::Present(i) if i.kind == FileKind::Directory => Some(
                may_create_at(&looked_at, i, uid, gid, &status.groups, notes)
                    && !mount.as_ref().is_some_and(|m| m.read_only),
            ),
            _ => None,
        };
        DirectoryCheck {
            dir,
            cwd,
            looked_at,
            through_proc,
            state,
            dumper_uid: uid,
            writable,
            mount,
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, DoctorError> {
    fs::read(path).map_err(|source| DoctorError::Read {
        path: path.to_owned(),
        source,
    })
}

fn read_text(path: &Path) -> Result<String, DoctorError> {
    Ok(String::from_utf8_lossy(&read(path)?).into_owned())
}

fn now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// Infers the dumpable mode from the owner of `/proc/PID/stat`
/// (`task_dump_owner()`: the effective UID when dumpable is 1, root of the
/// process's user namespace otherwise).
fn guess_dumpable(pid: u32, status: &ProcStatus, owner: u32, suid_dumpable: u8) -> DumpableGuess {
    let euid = status.uid.effective;
    let file = format!("/proc/{pid}/stat");
    if owner != euid {
        let (value, likely) = if suid_dumpable == 2 {
            (
                2,
                "with fs.suid_dumpable=2 that is most likely 2 (suid-safe, after a setuid exec or credential change); it is 0 if the process called prctl(PR_SET_DUMPABLE, 0)",
            )
        } else {
            (
                0,
                "that is 0 (prctl(PR_SET_DUMPABLE, 0), or a setuid exec or credential change with fs.suid_dumpable=0); it is 2 only if fs.suid_dumpable was 2 at that change",
            )
        };
        DumpableGuess {
            value,
            certain: false,
            why: format!(
                "{file} is owned by UID {owner}, not by the process's effective UID {euid}, which the kernel does only when dumpable is not 1; {likely}"
            ),
        }
    } else if euid == 0 {
        DumpableGuess {
            value: 1,
            certain: false,
            why: "the process runs as root, so its /proc files are owned by root whether it is dumpable or not; assuming 1, as only prctl(PR_GET_DUMPABLE) inside the process can tell".to_owned(),
        }
    } else {
        DumpableGuess {
            value: 1,
            certain: true,
            why: format!(
                "{file} is owned by the process's effective UID {euid}, which the kernel does only when dumpable is 1"
            ),
        }
    }
}

/// The mount of `dir` from mountinfo, checked against `statfs(2)` of
/// `looked_at` (the same directory, as the doctor reaches it): a note when
/// they disagree on the filesystem type or on read-only, and, when mountinfo
/// has no mount for `dir`, a mount made from what `statfs` says
/// ([`Mount::from_statfs`]).
fn check_statfs(
    mount: Option<Mount>,
    dir: &Path,
    looked_at: &Path,
    notes: &mut Vec<String>,
) -> Option<Mount> {
    let fs = match sys::statfs(looked_at) {
        Ok(fs) => fs,
        Err(e) => {
            notes.push(format!("cannot statfs {}: {e}", looked_at.display()));
            return mount;
        }
    };
    // The type as mountinfo would name it, and as the notes say it.
    let (fstype, what) = match fstypes_for_magic(fs.magic).first() {
        Some(&name) => (name.to_owned(), format!("{name} (f_type {:#x})", fs.magic)),
        None => {
            let unknown = format!("unknown (f_type {:#x})", fs.magic);
            (unknown.clone(), unknown)
        }
    };
    let rw = |read_only: bool| if read_only { "read-only" } else { "read-write" };
    let Some(m) = mount else {
        notes.push(format!(
            "mountinfo has no mount for {}: statfs(2) of {} says it is on {what}, {}",
            dir.display(),
            looked_at.display(),
            rw(fs.read_only)
        ));
        return Some(Mount::from_statfs(dir, fstype, fs.read_only));
    };
    if magic_matches(fs.magic, &m.fstype) == Some(false) {
        notes.push(format!(
            "mountinfo puts {} on {} ({} at {}), but statfs(2) of {} says {what}; the check follows mountinfo",
            dir.display(),
            m.fstype,
            m.source,
            m.mount_point.display(),
            looked_at.display()
        ));
    }
    if m.read_only != fs.read_only {
        notes.push(format!(
            "mountinfo says the mount at {} is {}, but statfs(2) of {} says {}; the check follows mountinfo",
            m.mount_point.display(),
            rw(m.read_only),
            looked_at.display(),
            rw(fs.read_only)
        ));
    }
    Some(m)
}

/// Whether `uid`/`gid`/`groups` may create a file in the directory at
/// `looked_at`, whose facts are `info`. When the doctor's effective UID is
/// `uid` (it examines itself, or a process of its own user), the kernel is
/// asked: `faccessat(2)` with `AT_EACCESS` for write and search permission,
/// which honours ACLs, read-only mounts and security modules, with the
/// doctor's own groups. Otherwise, or when the kernel cannot tell, the mode
/// bits are read ([`may_create`]).
fn may_create_at(
    looked_at: &Path,
    info: &FileInfo,
    uid: u32,
    gid: u32,
    groups: &[u32],
    notes: &mut Vec<String>,
) -> bool {
    if uid == sys::effective_uid() {
        match sys::access_effective(looked_at, libc::W_OK | libc::X_OK) {
            Ok(allowed) => {
                notes.push(format!(
                    "the doctor runs as UID {uid}, the UID the core is created as: whether it may create files in {} was asked of the kernel (faccessat(2) with AT_EACCESS, which honours ACLs and read-only mounts; with the doctor's groups)",
                    looked_at.display()
                ));
                return allowed;
            }
            Err(e) => notes.push(format!(
                "faccessat(2) of {} failed ({e}): whether UID {uid} may create files there is read from the mode bits",
                looked_at.display()
            )),
        }
    }
    may_create(info, uid, gid, groups)
}

/// Whether `uid`/`gid`/`groups` may create a file in the directory `dir`:
/// write and search permission (root: always, by `CAP_DAC_OVERRIDE`).
fn may_create(dir: &FileInfo, uid: u32, gid: u32, groups: &[u32]) -> bool {
    if uid == 0 {
        return true;
    }
    let bits = if dir.uid == uid {
        dir.mode >> 6
    } else if dir.gid == gid || groups.contains(&dir.gid) {
        dir.mode >> 3
    } else {
        dir.mode
    };
    bits & 0o3 == 0o3
}

/// Where the core would go: the outcome, or, when the process alone stops
/// the dump, the outcome with dumpable 1 and no core limit.
fn destination(report: &DoctorReport) -> Option<Outcome> {
    let pattern = report.pattern.as_ref().ok()?;
    match report.outcome.as_ref()? {
        Outcome::NoDump {
            reason:
                NoDumpReason::NotDumpable
                | NoDumpReason::CoreLimitBelowPage { .. }
                | NoDumpReason::PipeRlimitOne,
        } => {
            let mut crash = report.crash();
            crash.dumpable = crash.dumpable.max(1);
            crash.core_limit = CoreLimit::Unlimited;
            match pattern.expand(&report.settings, &crash) {
                Outcome::NoDump { .. } => None,
                o => Some(o),
            }
        }
        Outcome::NoDump { .. } => None,
        o => Some(o.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::proc::StatusIds;

    #[test]
    fn create_permission() {
        let dir = |mode, uid, gid| FileInfo {
            kind: FileKind::Directory,
            mode,
            uid,
            gid,
        };
        assert!(may_create(&dir(0o000, 5, 5), 0, 0, &[]));
        assert!(may_create(&dir(0o700, 1000, 5), 1000, 1000, &[]));
        assert!(!may_create(&dir(0o500, 1000, 5), 1000, 1000, &[]));
        assert!(
            !may_create(&dir(0o600, 1000, 5), 1000, 1000, &[]),
            "no search"
        );
        assert!(may_create(&dir(0o770, 0, 5), 1000, 5, &[]));
        assert!(may_create(&dir(0o770, 0, 7), 1000, 5, &[7]));
        assert!(
            !may_create(&dir(0o705, 0, 7), 1000, 7, &[]),
            "group bits apply"
        );
        assert!(may_create(&dir(0o1777, 0, 0), 1000, 1000, &[]));
        assert!(!may_create(&dir(0o755, 0, 0), 1000, 1000, &[]));
    }

    fn status(euid: u32) -> ProcStatus {
        ProcStatus {
            name: "x".into(),
            tgid: 9,
            pid: 9,
            ns_tgid: vec![9],
            ns_pid: vec![9],
            uid: StatusIds {
                real: euid,
                effective: euid,
                saved: euid,
                filesystem: euid,
            },
            gid: StatusIds {
                real: 0,
                effective: 0,
                saved: 0,
                filesystem: 0,
            },
            groups: vec![],
        }
    }

    #[test]
    fn dumpable_from_owner() {
        let g = guess_dumpable(9, &status(1000), 1000, 0);
        assert_eq!((g.value, g.certain), (1, true));
        let g = guess_dumpable(9, &status(1000), 0, 0);
        assert_eq!((g.value, g.certain), (0, false));
        let g = guess_dumpable(9, &status(1000), 0, 2);
        assert_eq!((g.value, g.certain), (2, false));
        // A user namespace's root, mapped to 100000.
        let g = guess_dumpable(9, &status(0), 100_000, 0);
        assert_eq!(g.value, 0);
        let g = guess_dumpable(9, &status(0), 0, 0);
        assert_eq!((g.value, g.certain), (1, false));
        assert!(g.why.contains("root"));
    }
}
