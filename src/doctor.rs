//! A read-only look at the live machine: where the next core of a process
//! would go, and what would stop it.
//!
//! This is the library side of `corepat doctor [--pid PID]`. [`Doctor`]
//! reads the core sysctls under `/proc/sys` and the process's files under
//! `/proc/PID`, builds the [`Crash`] a SIGSEGV would be right now, expands
//! the stored pattern for the running kernel, and then looks at the
//! destination: the directory of a core file (does it exist in the process's
//! mount namespace, may the process write there, which mount is it on), the
//! pipe helper, or the socket. Nothing is ever written.
//!
//! The parsers of the `/proc` files are pure functions and can be used on
//! their own: [`parse_mountinfo`], [`mount_for`], [`parse_limits_core`],
//! [`parse_status`], [`parse_stat_cpu`].
//!
//! ```
//! use core_pattern::{StorageKind, mount_for, parse_mountinfo};
//!
//! // An Alibaba Cloud ACS pod: overlay root, a NAS (NFS) volume for cores.
//! let mounts = parse_mountinfo(
//!     "20 1 0:40 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n\
//!      21 20 0:41 / /data/dump-a rw,relatime - nfs4 nas.example.com:/cores rw,vers=4.0\n",
//! );
//! let nas = mount_for("/data/dump-a/core-1", &mounts).map(|m| m.storage());
//! assert_eq!(nas, Some(StorageKind::Nfs));
//! let rootfs = mount_for("/tmp/core", &mounts).map(|m| m.storage());
//! assert_eq!(rootfs, Some(StorageKind::Overlay));
//! ```
//!
//! On the machine itself:
//!
//! ```no_run
//! let report = core_pattern::Doctor::inspect(None)?;
//! print!("{}", report.summary());
//! # Ok::<(), core_pattern::DoctorError>(())
//! ```

use crate::expand::{CoreLimit, Crash, MIN_COREDUMP, NoDumpReason, Outcome, Settings};
use crate::kernel::KernelProfile;
use crate::lint::Severity;
use crate::parse::{Mode, ParseError, ParseOptions, Pattern, TokenKind};
use crate::signal::Signal;
use crate::spec::Specifier;
use crate::sysctl::stored_value;
use core::fmt;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Linux's `EINVAL`: what reading `kernel.core_pattern` fails with when it
/// holds an invalid `@` value (6.16.8+, 6.17.0–6.17.4).
const EINVAL: i32 = 22;

// ---------------------------------------------------------------------------
// Mounts

/// One mount, from a line of `/proc/PID/mountinfo` (proc(5)).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mount {
    /// Where it is mounted, relative to the process's root, with the
    /// kernel's octal escapes (`\040` for a space) decoded.
    pub mount_point: PathBuf,
    /// The directory of the filesystem that appears there: `/` for a whole
    /// filesystem, a subdirectory for a bind mount or a volume's sub-path.
    pub root: PathBuf,
    /// The filesystem type, e.g. `nfs4`, `overlay`, `fuse.ossfs`.
    pub fstype: String,
    /// The mount source, e.g. `server:/export`, `/dev/vda1`, `overlay`.
    pub source: String,
    /// Whether writes are refused: `ro` in the mount's options or in the
    /// filesystem's (super block) options.
    pub read_only: bool,
}

impl Mount {
    /// What kind of storage this is.
    pub fn storage(&self) -> StorageKind {
        StorageKind::classify(&self.fstype, &self.source)
    }
}

/// Parses `/proc/PID/mountinfo`. Lines that are not mountinfo lines are
/// skipped; nothing panics.
///
/// Each line is `ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL…] -
/// FSTYPE SOURCE SUPER-OPTIONS`. The kernel escapes space, tab, newline and
/// backslash in paths as `\040`, `\011`, `\012` and `\134`; they are decoded.
/// Use the bytes of the file where paths may not be UTF-8: a `&str` made
/// with `from_utf8_lossy` changes such paths.
pub fn parse_mountinfo(text: &str) -> Vec<Mount> {
    parse_mountinfo_bytes(text.as_bytes())
}

fn parse_mountinfo_bytes(text: &[u8]) -> Vec<Mount> {
    text.split(|&b| b == b'\n')
        .filter_map(parse_mount_line)
        .collect()
}

fn parse_mount_line(line: &[u8]) -> Option<Mount> {
    let mut fields = line.split(|&b| b == b' ').filter(|f| !f.is_empty());
    let id = fields.next()?;
    let parent = fields.next()?;
    let dev = fields.next()?;
    if !is_decimal(id) || !is_decimal(parent) || !dev.contains(&b':') {
        return None;
    }
    let root = fields.next()?;
    let mount_point = fields.next()?;
    let options = fields.next()?;
    // Optional fields (`shared:1`, `master:2`, …) end at a lone `-`.
    fields.by_ref().find(|f| *f == b"-")?;
    let fstype = fields.next()?;
    let source = fields.next()?;
    let super_options = fields.next().unwrap_or_default();
    if mount_point.first() != Some(&b'/') {
        return None;
    }
    let read_only = has_option(options, b"ro") || has_option(super_options, b"ro");
    Some(Mount {
        mount_point: path_from_bytes(unescape(mount_point)),
        root: path_from_bytes(unescape(root)),
        fstype: String::from_utf8_lossy(&unescape(fstype)).into_owned(),
        source: String::from_utf8_lossy(&unescape(source)).into_owned(),
        read_only,
    })
}

fn is_decimal(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_digit)
}

fn has_option(options: &[u8], name: &[u8]) -> bool {
    options.split(|&b| b == b',').any(|o| o == name)
}

/// Decodes the kernel's `\ooo` escapes (`mangle()` in `fs/proc_namespace.c`).
/// Anything else, including a lone backslash, is kept as it is.
fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut rest = field;
    while let Some((&first, tail)) = rest.split_first() {
        if let [
            b'\\',
            a @ b'0'..=b'3',
            b @ b'0'..=b'7',
            c @ b'0'..=b'7',
            more @ ..,
        ] = rest
        {
            out.push(((a - b'0') << 6) | ((b - b'0') << 3) | (c - b'0'));
            rest = more;
        } else {
            out.push(first);
            rest = tail;
        }
    }
    out
}

fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(OsString::from_vec(bytes))
}

fn path_of(bytes: &[u8]) -> &Path {
    Path::new(OsStr::from_bytes(bytes))
}

/// The mount that holds `path`: the one whose mount point is the longest
/// path-component prefix of `path`. Among mounts on the same mount point the
/// later one wins, as later mounts stack on top of earlier ones.
///
/// `path` must be absolute, as seen from the same root as the mount points;
/// a relative path matches nothing. `.` and `..` components are resolved
/// lexically; symbolic links are not followed.
///
/// ```
/// use core_pattern::{mount_for, parse_mountinfo};
/// let mounts = parse_mountinfo(
///     "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 0:50 / /data rw - nfs4 nas:/x rw\n",
/// );
/// assert_eq!(mount_for("/data/dump-a", &mounts).map(|m| m.fstype.as_str()), Some("nfs4"));
/// assert_eq!(mount_for("/dat", &mounts).map(|m| m.fstype.as_str()), Some("ext4"));
/// ```
pub fn mount_for(path: impl AsRef<Path>, mounts: &[Mount]) -> Option<&Mount> {
    let path = normalize(path.as_ref())?;
    let mut best: Option<(usize, &Mount)> = None;
    for m in mounts {
        if path.starts_with(&m.mount_point) {
            let depth = m.mount_point.components().count();
            if best.is_none_or(|(d, _)| depth >= d) {
                best = Some((depth, m));
            }
        }
    }
    best.map(|(_, m)| m)
}

/// An absolute path with `.` and `..` resolved lexically; `None` for a
/// relative path.
fn normalize(path: &Path) -> Option<PathBuf> {
    if !path.has_root() {
        return None;
    }
    let mut out = PathBuf::from("/");
    for c in path.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::ParentDir => {
                out.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    Some(out)
}

/// What kind of storage a mount is, as far as core files are concerned.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StorageKind {
    /// NFS (`nfs`, `nfs4`), e.g. an Alibaba Cloud NAS volume.
    Nfs,
    /// An OSS (or other S3) bucket through a FUSE client: `fuse.ossfs`,
    /// `fuse.s3fs`, or any FUSE mount whose type or source names ossfs or
    /// s3fs.
    OssFuse,
    /// Any other FUSE filesystem.
    OtherFuse,
    /// An overlay filesystem: a container's own root filesystem
    /// (`overlay`, or `fuse.fuse-overlayfs` for rootless containers).
    Overlay,
    /// Memory: `tmpfs` or `ramfs`.
    Tmpfs,
    /// A local disk filesystem: ext2/3/4, xfs, btrfs, zfs, f2fs, …
    LocalDisk,
    /// Anything else, with its filesystem type.
    Other(String),
}

impl StorageKind {
    /// Classifies a mount by its filesystem type and source.
    ///
    /// ```
    /// use core_pattern::StorageKind;
    /// assert_eq!(StorageKind::classify("fuse.ossfs", "ossfs"), StorageKind::OssFuse);
    /// assert_eq!(StorageKind::classify("fuse", "s3fs"), StorageKind::OssFuse);
    /// assert_eq!(StorageKind::classify("nfs4", "nas:/"), StorageKind::Nfs);
    /// assert_eq!(StorageKind::classify("9p", "hostshare"), StorageKind::Other("9p".into()));
    /// ```
    pub fn classify(fstype: &str, source: &str) -> StorageKind {
        let t = fstype.to_ascii_lowercase();
        match t.as_str() {
            "nfs" | "nfs4" => StorageKind::Nfs,
            "overlay" | "overlayfs" | "fuse.fuse-overlayfs" => StorageKind::Overlay,
            "tmpfs" | "ramfs" => StorageKind::Tmpfs,
            "ext2" | "ext3" | "ext4" | "xfs" | "btrfs" | "zfs" | "f2fs" | "bcachefs" | "jfs"
            | "reiserfs" | "nilfs2" => StorageKind::LocalDisk,
            _ if t == "fuse" || t == "fuseblk" || t.starts_with("fuse.") => {
                let s = source.to_ascii_lowercase();
                let oss = |x: &str| x.contains("ossfs") || x.contains("s3fs");
                if oss(&t) || oss(&s) {
                    StorageKind::OssFuse
                } else {
                    StorageKind::OtherFuse
                }
            }
            _ => StorageKind::Other(fstype.to_owned()),
        }
    }

    /// A short stable name: `nfs`, `oss-fuse`, `fuse`, `overlay`, `tmpfs`,
    /// `local-disk` or `other`.
    pub fn name(&self) -> &'static str {
        match self {
            StorageKind::Nfs => "nfs",
            StorageKind::OssFuse => "oss-fuse",
            StorageKind::OtherFuse => "fuse",
            StorageKind::Overlay => "overlay",
            StorageKind::Tmpfs => "tmpfs",
            StorageKind::LocalDisk => "local-disk",
            StorageKind::Other(_) => "other",
        }
    }

    /// What this storage means for core files, in a sentence.
    pub fn describe(&self) -> &'static str {
        match self {
            StorageKind::Nfs => {
                "an NFS share (e.g. Alibaba Cloud NAS): cores outlive the container, but the server must keep the core's owner and mode 0600"
            }
            StorageKind::OssFuse => {
                "an OSS bucket through a FUSE client (ossfs/s3fs): owners and modes are emulated, and a core is staged locally and uploaded when it is closed"
            }
            StorageKind::OtherFuse => {
                "a FUSE filesystem: its daemon decides whether the core's owner and mode 0600 are kept"
            }
            StorageKind::Overlay => {
                "the container's own root filesystem (overlay): cores stay in the container's writable layer, and a crash loop fills it"
            }
            StorageKind::Tmpfs => {
                "memory (tmpfs): cores use RAM, count against a container's memory limit, and are gone after a reboot"
            }
            StorageKind::LocalDisk => "a local disk filesystem",
            StorageKind::Other(_) => {
                "another filesystem: it must keep the core's owner and mode 0600, or the kernel refuses the dump"
            }
        }
    }
}

impl fmt::Display for StorageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageKind::Other(t) => write!(f, "other ({t})"),
            k => f.write_str(k.name()),
        }
    }
}

// ---------------------------------------------------------------------------
// limits, status, stat

/// The soft "Max core file size" of `/proc/PID/limits`: `unlimited` is
/// [`CoreLimit::Unlimited`], a number is bytes. `None` when the line is
/// missing or malformed.
///
/// ```
/// use core_pattern::{CoreLimit, parse_limits_core};
/// let text = "Limit                     Soft Limit           Hard Limit           Units\n\
///             Max core file size        0                    unlimited            bytes\n";
/// assert_eq!(parse_limits_core(text), Some(CoreLimit::Bytes(0)));
/// ```
pub fn parse_limits_core(text: &str) -> Option<CoreLimit> {
    text.lines().find_map(|line| {
        let soft = line
            .strip_prefix("Max core file size")?
            .split_whitespace()
            .next()?;
        if soft == "unlimited" {
            Some(CoreLimit::Unlimited)
        } else {
            soft.parse().ok().map(CoreLimit::Bytes)
        }
    })
}

/// The four IDs of a `Uid:` or `Gid:` line of `/proc/PID/status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StatusIds {
    /// Real ID (`%u`/`%g`).
    pub real: u32,
    /// Effective ID: the owner of the process's `/proc` files when it is
    /// dumpable.
    pub effective: u32,
    /// Saved set-ID.
    pub saved: u32,
    /// Filesystem ID: the owner a core file is created with.
    pub filesystem: u32,
}

/// What `/proc/PID/status` says about a process. IDs are as seen from the
/// reader's namespaces.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProcStatus {
    /// `Name`: the thread name, as the kernel shows it there (with `\n` and
    /// `\\` escaped); `/proc/PID/comm` has the raw bytes.
    pub name: String,
    /// `Tgid`: the thread group (process) ID in the reader's PID namespace.
    pub tgid: u32,
    /// `Pid`: the thread ID in the reader's PID namespace.
    pub pid: u32,
    /// `NStgid`: the TGID in each PID namespace from the reader's down to
    /// the process's own (just `[tgid]` when the kernel has no `NStgid`).
    pub ns_tgid: Vec<u32>,
    /// `NSpid`: the thread ID in each PID namespace, likewise.
    pub ns_pid: Vec<u32>,
    /// `Uid`: real, effective, saved and filesystem UID.
    pub uid: StatusIds,
    /// `Gid`: real, effective, saved and filesystem GID.
    pub gid: StatusIds,
    /// `Groups`: the supplementary groups.
    pub groups: Vec<u32>,
}

impl ProcStatus {
    /// The TGID in the process's own PID namespace (`%p`): the last
    /// `NStgid` value.
    pub fn local_tgid(&self) -> u32 {
        self.ns_tgid.last().copied().unwrap_or(self.tgid)
    }

    /// The thread ID in the process's own PID namespace (`%i`): the last
    /// `NSpid` value.
    pub fn local_pid(&self) -> u32 {
        self.ns_pid.last().copied().unwrap_or(self.pid)
    }

    /// The TGID in the outermost PID namespace the reader sees (`%P` when
    /// the reader is in the initial one): the first `NStgid` value.
    pub fn outer_tgid(&self) -> u32 {
        self.ns_tgid.first().copied().unwrap_or(self.tgid)
    }

    /// The thread ID in the outermost PID namespace the reader sees (`%I`
    /// when the reader is in the initial one): the first `NSpid` value.
    pub fn outer_pid(&self) -> u32 {
        self.ns_pid.first().copied().unwrap_or(self.pid)
    }
}

/// Parses `/proc/PID/status`. `Name`, `Tgid`, `Pid`, `Uid` and `Gid` are
/// required; `None` when one is missing or any known field is malformed.
///
/// ```
/// use core_pattern::parse_status;
/// let s = parse_status("Name:\tserver\nTgid:\t4242\nPid:\t4242\nNStgid:\t4242\t1\n\
///                       NSpid:\t4242\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\n")
///     .unwrap();
/// assert_eq!((s.outer_tgid(), s.local_tgid()), (4242, 1));
/// ```
pub fn parse_status(text: &str) -> Option<ProcStatus> {
    let (mut name, mut tgid, mut pid, mut uid, mut gid) = (None, None, None, None, None);
    let (mut ns_tgid, mut ns_pid, mut groups) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        match key {
            "Name" => name = Some(value.strip_prefix('\t').unwrap_or(value).to_owned()),
            "Tgid" => tgid = Some(value.trim().parse().ok()?),
            "Pid" => pid = Some(value.trim().parse().ok()?),
            "NStgid" => ns_tgid = numbers(value)?,
            "NSpid" => ns_pid = numbers(value)?,
            "Uid" => uid = Some(ids(value)?),
            "Gid" => gid = Some(ids(value)?),
            "Groups" => groups = numbers(value)?,
            _ => {}
        }
    }
    let (tgid, pid) = (tgid?, pid?);
    if ns_tgid.is_empty() {
        ns_tgid.push(tgid);
    }
    if ns_pid.is_empty() {
        ns_pid.push(pid);
    }
    Some(ProcStatus {
        name: name?,
        tgid,
        pid,
        ns_tgid,
        ns_pid,
        uid: uid?,
        gid: gid?,
        groups,
    })
}

fn numbers(value: &str) -> Option<Vec<u32>> {
    value.split_whitespace().map(|n| n.parse().ok()).collect()
}

fn ids(value: &str) -> Option<StatusIds> {
    let n = numbers(value)?;
    let (&real, &effective) = (n.first()?, n.get(1)?);
    Some(StatusIds {
        real,
        effective,
        saved: n.get(2).copied().unwrap_or(effective),
        filesystem: n.get(3).copied().unwrap_or(effective),
    })
}

/// Field 39 of `/proc/PID/stat`, the CPU the process last ran on (`%C`).
///
/// The second field is the name in parentheses, which may itself contain
/// spaces and `)`; fields are counted after the last `)`.
///
/// ```
/// let stat = "42 (a) (b) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 100 1 1 \
///             18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 5 0 0 0 0 0";
/// assert_eq!(core_pattern::parse_stat_cpu(stat), Some(5));
/// ```
pub fn parse_stat_cpu(text: &str) -> Option<u32> {
    let close = text.rfind(')')?;
    // Field 3 (state) is the first after the name: field 39 is the 37th.
    text.get(close + 1..)?
        .split_whitespace()
        .nth(36)?
        .parse()
        .ok()
}

// ---------------------------------------------------------------------------
// The report

/// The doctor's guess at the process's dumpable mode, which no `/proc` file
/// shows.
///
/// The kernel makes a process's `/proc/PID` files owned by its effective
/// UID when it is dumpable (1), and by root (of the process's user
/// namespace) otherwise (0 or 2). So a file owned by someone else than the
/// effective UID means "not 1"; for a root process the owner tells nothing.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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

/// The kind of file at a path (symbolic links followed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileKind {
    /// A directory.
    Directory,
    /// A regular file.
    Regular,
    /// A Unix socket.
    Socket,
    /// Anything else (device, FIFO).
    Other,
}

/// The `stat(2)` facts about a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileInfo {
    /// Its type.
    pub kind: FileKind,
    /// Permission bits, with set-ID and sticky bits (`mode & 0o7777`).
    pub mode: u32,
    /// Owner UID.
    pub uid: u32,
    /// Owner GID.
    pub gid: u32,
}

/// What is at a path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PathState {
    /// Nothing (`ENOENT`, or a component is not a directory).
    Missing,
    /// It could not be looked at (e.g. `EACCES`); the error.
    Inaccessible(String),
    /// Something is there.
    Present(FileInfo),
}

impl PathState {
    /// `stat(2)` of `path`, following symbolic links.
    fn of(path: &Path) -> PathState {
        match fs::metadata(path) {
            Ok(m) => {
                let t = m.file_type();
                let kind = if t.is_dir() {
                    FileKind::Directory
                } else if t.is_file() {
                    FileKind::Regular
                } else if t.is_socket() {
                    FileKind::Socket
                } else {
                    FileKind::Other
                };
                PathState::Present(FileInfo {
                    kind,
                    mode: m.mode() & 0o7777,
                    uid: m.uid(),
                    gid: m.gid(),
                })
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                PathState::Missing
            }
            Err(e) => PathState::Inaccessible(e.to_string()),
        }
    }

    /// The facts, when something is there.
    pub fn info(&self) -> Option<&FileInfo> {
        match self {
            PathState::Present(i) => Some(i),
            _ => None,
        }
    }
}

/// The directory a core file would be created in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DirectoryCheck {
    /// The directory as the process names it: the expanded name up to its
    /// last `/`, joined to the working directory for a relative name (left
    /// relative when the working directory cannot be read).
    pub dir: PathBuf,
    /// For a relative name, the process's working directory
    /// (`readlink /proc/PID/cwd`), when it could be read.
    pub cwd: Option<PathBuf>,
    /// The path the doctor looked at: `dir` itself, or the same directory
    /// through `/proc/PID/root` (`/proc/PID/cwd` for a relative name) when
    /// the process's mount namespace differs or could not be compared.
    pub looked_at: PathBuf,
    /// Whether `looked_at` goes through `/proc/PID`.
    pub through_proc: bool,
    /// What is there.
    pub state: PathState,
    /// The UID the core is created as: the process's filesystem UID, or 0
    /// for a suid-safe dump.
    pub dumper_uid: u32,
    /// Whether that UID may create a file there: write and search
    /// permission from the mode bits against the process's filesystem UID,
    /// GID and groups (root always may; ACLs are not read), on a read-write
    /// mount. `None` when no directory was found.
    pub writable: Option<bool>,
    /// The mount the directory is on, from the mountinfo of the process
    /// (of PID 1 for a suid-safe dump).
    pub mount: Option<Mount>,
}

/// The pipe helper (`argv[0]`), as seen from the doctor's mount namespace:
/// the kernel runs helpers in the initial namespaces.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HelperCheck {
    /// The program.
    pub program: PathBuf,
    /// What is there.
    pub state: PathState,
}

impl HelperCheck {
    /// Whether it is a regular file with an execute bit.
    pub fn is_executable(&self) -> bool {
        self.state
            .info()
            .is_some_and(|i| i.kind == FileKind::Regular && i.mode & 0o111 != 0)
    }
}

/// The socket of a `@`/`@@` pattern, as seen from the doctor's mount
/// namespace: the kernel looks it up beneath init's root.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SocketPathCheck {
    /// The socket path.
    pub path: PathBuf,
    /// What is there.
    pub state: PathState,
}

impl SocketPathCheck {
    /// Whether a Unix socket is there.
    pub fn is_socket(&self) -> bool {
        self.state
            .info()
            .is_some_and(|i| i.kind == FileKind::Socket)
    }
}

/// What the doctor checked at the destination.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DestinationCheck {
    /// File mode: the directory.
    Directory(DirectoryCheck),
    /// Pipe mode: the helper.
    Helper(HelperCheck),
    /// Socket mode: the socket.
    Socket(SocketPathCheck),
    /// There is no destination to check.
    Nothing,
}

/// One thing the doctor found.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Finding {
    /// How bad it is.
    pub severity: Severity,
    /// What is wrong, in a sentence.
    pub message: String,
    /// What to do about it.
    pub help: String,
}

impl Finding {
    fn new(severity: Severity, message: impl Into<String>, help: impl Into<String>) -> Finding {
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
                    writeln!(
                        f,
                        "  mount:     {} ({} from {}{}): {}",
                        m.mount_point.display(),
                        m.fstype,
                        m.source,
                        if m.read_only { ", read-only" } else { "" },
                        m.storage().describe()
                    )?;
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
struct Bytes<'a>(&'a [u8]);

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

fn strip_newline(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\n").unwrap_or(b)
}

// ---------------------------------------------------------------------------
// Reading the machine

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
        let mut notes = Vec::new();
        let sysctls = self.read_sysctls()?;
        let settings = Settings {
            core_uses_pid: self
                .number::<i64>("sys/kernel/core_uses_pid", &sysctls.core_uses_pid)?
                != 0,
            suid_dumpable: self.number("sys/fs/suid_dumpable", &sysctls.suid_dumpable)?,
            core_pipe_limit: self.number("sys/kernel/core_pipe_limit", &sysctls.core_pipe_limit)?,
        };
        let kernel = match KernelProfile::parse(sysctls.osrelease.trim()) {
            Ok(k) => k,
            Err(e) => {
                let k = KernelProfile::latest();
                notes.push(format!("{e}; assuming the newest known kernel, {k}"));
                k
            }
        };
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

        let status = &process.status;
        let (uid, gid) = if suid_safe {
            (0, 0)
        } else {
            (status.uid.filesystem, status.gid.filesystem)
        };
        let writable = match &state {
            PathState::Present(i) if i.kind == FileKind::Directory => Some(
                may_create(i, uid, gid, &status.groups)
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

fn findings(report: &DoctorReport) -> Vec<Finding> {
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
                "{dir} is on NFS ({}): the kernel creates the core with mode 0600 as UID {} and refuses it (\"cannot preserve file owner/permissions\" in the kernel log) when the server squashes that owner (root_squash, all_squash) or changes the mode",
                m.source, d.dumper_uid
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_octal() {
        for (input, want) in [
            (&b"a\\040b"[..], &b"a b"[..]),
            (b"\\011\\012\\134", b"\t\n\\"),
            (b"\\377", b"\xff"),
            (b"\\400", b"\\400"),
            (b"\\08", b"\\08"),
            (b"end\\", b"end\\"),
            (b"\\04", b"\\04"),
            (b"", b""),
        ] {
            assert_eq!(unescape(input), want, "{input:?}");
        }
    }

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

    #[test]
    fn normalize_paths() {
        assert_eq!(
            normalize(Path::new("/a/./b/../c/")),
            Some(PathBuf::from("/a/c"))
        );
        assert_eq!(normalize(Path::new("/../..")), Some(PathBuf::from("/")));
        assert_eq!(normalize(Path::new("a/b")), None);
    }

    #[test]
    fn bytes_display() {
        assert_eq!(Bytes(b"a\xffb").to_string(), "a\\xffb");
    }
}
