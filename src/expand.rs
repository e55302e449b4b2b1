//! Expanding a pattern for one crashing process: where the core goes, or why
//! there is none.
//!
//! This is `coredump_parse()` (formerly `format_corename()`), `cn_esc_printf()`
//! and the checks of `vfs_coredump()`/`coredump_file()`/`coredump_pipe()`,
//! restated over the inputs a caller can know: the stored pattern, the
//! sysctls, the crashing process and the kernel profile.

use crate::feature::Feature;
use crate::kernel::KernelProfile;
use crate::limits::{
    COMM_MAX, HOSTNAME_MAX, MIN_COREDUMP, NAME_MAX, PATH_MAX, PIDFD_NUMBER, UNIX_PATH_MAX,
    contains_dotdot_component,
};
use crate::parse::{Mode, Pattern, TokenKind, is_kernel_space};
use crate::signal::Signal;
use crate::spec::Specifier;
use core::fmt;

/// The sysctls besides `core_pattern` that matter at dump time.
///
/// Build one with [`Settings::new`] (every sysctl at its default, as after
/// boot) and the `with_*` methods; the fields stay readable and writable.
///
/// ```
/// use core_pattern::Settings;
/// let s = Settings::new().with_core_uses_pid(true).with_suid_dumpable(2);
/// assert!(s.core_uses_pid);
/// assert_eq!(s.core_pipe_limit, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Settings {
    /// `kernel.core_uses_pid` (any nonzero value counts): in file mode,
    /// append `.PID` unless `%p` was expanded.
    pub core_uses_pid: bool,
    /// `fs.suid_dumpable` (0, 1 or 2). It decides the crashing process's
    /// `dumpable` value after a setuid exec; the process value is what
    /// [`Crash::dumpable`] holds.
    pub suid_dumpable: u8,
    /// `kernel.core_pipe_limit`: how many pipe dumps may run at once
    /// (0: unlimited). It only matters under concurrency, which is not an
    /// input here.
    pub core_pipe_limit: u32,
}

impl Settings {
    /// The defaults after boot: `core_uses_pid` 0, `suid_dumpable` 0,
    /// `core_pipe_limit` 0. The same as [`Settings::default`], usable in
    /// `const` context.
    pub const fn new() -> Settings {
        Settings {
            core_uses_pid: false,
            suid_dumpable: 0,
            core_pipe_limit: 0,
        }
    }

    /// Sets `kernel.core_uses_pid`.
    pub const fn with_core_uses_pid(mut self, on: bool) -> Settings {
        self.core_uses_pid = on;
        self
    }

    /// Sets `fs.suid_dumpable`.
    pub const fn with_suid_dumpable(mut self, value: u8) -> Settings {
        self.suid_dumpable = value;
        self
    }

    /// Sets `kernel.core_pipe_limit`.
    pub const fn with_core_pipe_limit(mut self, limit: u32) -> Settings {
        self.core_pipe_limit = limit;
        self
    }
}

/// The soft `RLIMIT_CORE` of the crashing process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CoreLimit {
    /// `RLIM_INFINITY` (`ulimit -c unlimited`).
    Unlimited,
    /// A limit in bytes.
    Bytes(u64),
}

impl CoreLimit {
    /// The value `%c` prints on `kernel`.
    pub const fn value(self, kernel: &KernelProfile) -> u64 {
        match self {
            CoreLimit::Unlimited => kernel.rlim_infinity(),
            CoreLimit::Bytes(n) => n,
        }
    }
}

impl fmt::Display for CoreLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreLimit::Unlimited => f.write_str("unlimited"),
            CoreLimit::Bytes(n) => write!(f, "{n}"),
        }
    }
}

/// The crashing process, as the kernel sees it at dump time.
///
/// Byte strings are borrowed, so building a `Crash` allocates nothing. They
/// are taken as the kernel holds them: `comm` is cut at a NUL and to 15
/// bytes, `hostname` at a NUL and to 64 bytes, `exe` at a NUL.
///
/// Build one with [`Crash::new`] (or start from [`Crash::example`]) and the
/// `with_*` methods; the fields stay readable and writable.
///
/// ```
/// use core_pattern::{CoreLimit, Crash, Signal};
/// // PID 1 in a container, PID 48151 on the host, killed by SIGABRT.
/// let exe = b"/opt/app/server".to_vec();
/// let crash = Crash::new(1)
///     .with_global_pid(48151)
///     .with_global_tid(48151)
///     .with_signal(Signal::SIGABRT)
///     .with_comm(b"server")
///     .with_exe(Some(&exe))
///     .with_core_limit(CoreLimit::Bytes(1 << 30));
/// assert_eq!((crash.pid, crash.tid, crash.global_tid), (1, 1, 48151));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Crash<'a> {
    /// TGID in the process's own PID namespace (`%p`).
    pub pid: u32,
    /// TID of the crashing thread in its PID namespace (`%i`).
    pub tid: u32,
    /// TGID in the initial PID namespace (`%P`).
    pub global_pid: u32,
    /// TID in the initial PID namespace (`%I`).
    pub global_tid: u32,
    /// Real UID, as seen from the initial user namespace (`%u`).
    pub uid: u32,
    /// Real GID, as seen from the initial user namespace (`%g`).
    pub gid: u32,
    /// The process's dumpable mode: 0 (no dump), 1, or 2 (suid-safe: file
    /// dumps need an absolute name) (`%d`).
    pub dumpable: u8,
    /// The signal (`%s`). Only signals whose default action is "core" dump.
    pub signal: Signal,
    /// Seconds since the Epoch (`%t`).
    pub time: i64,
    /// Nodename of the process's UTS namespace (`%h`).
    pub hostname: &'a [u8],
    /// Name of the crashing thread (`%e`).
    pub comm: &'a [u8],
    /// Path of the executable as the kernel renders it, including a
    /// `" (deleted)"` suffix; `None` when the process has no executable file
    /// (then `%E` and `%f` give `"<comm> (path unknown)"`).
    pub exe: Option<&'a [u8]>,
    /// CPU on which the dump starts (`%C`).
    pub cpu: u32,
    /// Soft `RLIMIT_CORE` (`%c`).
    pub core_limit: CoreLimit,
}

impl Crash<'static> {
    /// A single-threaded process with PID `pid` in the initial namespaces
    /// (so `tid`, `global_pid` and `global_tid` are `pid` too), running as
    /// root (UID and GID 0), dumpable 1, killed by `SIGSEGV` at time 0, on
    /// CPU 0, with an empty hostname and comm, no executable path, and an
    /// unlimited core size. Set what you know with the `with_*` methods,
    /// one per field.
    pub const fn new(pid: u32) -> Crash<'static> {
        Crash {
            pid,
            tid: pid,
            global_pid: pid,
            global_tid: pid,
            uid: 0,
            gid: 0,
            dumpable: 1,
            signal: Signal::SIGSEGV,
            time: 0,
            hostname: b"",
            comm: b"",
            exe: None,
            cpu: 0,
            core_limit: CoreLimit::Unlimited,
        }
    }

    /// The example process used in documentation and by `corepat` when no
    /// value is given: PID 1234 (global 51234), TID 1240 (global 51240), UID
    /// and GID 1000, dumpable 1, SIGSEGV, time 1700000000, host `node1`,
    /// comm `myapp`, exe `/usr/bin/myapp`, CPU 3, unlimited core size.
    pub const fn example() -> Crash<'static> {
        Crash {
            pid: 1234,
            tid: 1240,
            global_pid: 51234,
            global_tid: 51240,
            uid: 1000,
            gid: 1000,
            dumpable: 1,
            signal: Signal::SIGSEGV,
            time: 1_700_000_000,
            hostname: b"node1",
            comm: b"myapp",
            exe: Some(b"/usr/bin/myapp"),
            cpu: 3,
            core_limit: CoreLimit::Unlimited,
        }
    }
}

impl<'a> Crash<'a> {
    /// Sets the PID (TGID) in the process's PID namespace (`%p`).
    pub const fn with_pid(mut self, pid: u32) -> Crash<'a> {
        self.pid = pid;
        self
    }

    /// Sets the crashing thread's TID in its PID namespace (`%i`).
    pub const fn with_tid(mut self, tid: u32) -> Crash<'a> {
        self.tid = tid;
        self
    }

    /// Sets the PID (TGID) in the initial PID namespace (`%P`).
    pub const fn with_global_pid(mut self, global_pid: u32) -> Crash<'a> {
        self.global_pid = global_pid;
        self
    }

    /// Sets the crashing thread's TID in the initial PID namespace (`%I`).
    pub const fn with_global_tid(mut self, global_tid: u32) -> Crash<'a> {
        self.global_tid = global_tid;
        self
    }

    /// Sets the real UID, as seen from the initial user namespace (`%u`).
    pub const fn with_uid(mut self, uid: u32) -> Crash<'a> {
        self.uid = uid;
        self
    }

    /// Sets the real GID, as seen from the initial user namespace (`%g`).
    pub const fn with_gid(mut self, gid: u32) -> Crash<'a> {
        self.gid = gid;
        self
    }

    /// Sets the dumpable mode (`%d`): 0, 1 or 2.
    pub const fn with_dumpable(mut self, dumpable: u8) -> Crash<'a> {
        self.dumpable = dumpable;
        self
    }

    /// Sets the signal (`%s`).
    pub const fn with_signal(mut self, signal: Signal) -> Crash<'a> {
        self.signal = signal;
        self
    }

    /// Sets the time of the dump, seconds since the Epoch (`%t`).
    pub const fn with_time(mut self, time: i64) -> Crash<'a> {
        self.time = time;
        self
    }

    /// Sets the hostname (`%h`).
    pub const fn with_hostname(mut self, hostname: &'a [u8]) -> Crash<'a> {
        self.hostname = hostname;
        self
    }

    /// Sets the crashing thread's name (`%e`).
    pub const fn with_comm(mut self, comm: &'a [u8]) -> Crash<'a> {
        self.comm = comm;
        self
    }

    /// Sets the executable path as the kernel renders it (`%E`, `%f`);
    /// `None` for a process without an executable file.
    pub const fn with_exe(mut self, exe: Option<&'a [u8]>) -> Crash<'a> {
        self.exe = exe;
        self
    }

    /// Sets the CPU the dump starts on (`%C`).
    pub const fn with_cpu(mut self, cpu: u32) -> Crash<'a> {
        self.cpu = cpu;
        self
    }

    /// Sets the soft `RLIMIT_CORE` (`%c`).
    pub const fn with_core_limit(mut self, core_limit: CoreLimit) -> Crash<'a> {
        self.core_limit = core_limit;
        self
    }
}

/// What the kernel does with the core.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// Written to a file with this name. A relative name is relative to the
    /// crashing process's cwd; both resolve in its mount namespace (a
    /// suid-safe dump resolves against init's root). The directory must
    /// exist: the kernel creates none.
    File {
        /// The name opened.
        name: Vec<u8>,
    },
    /// Piped to a helper run as root in the initial namespaces.
    Pipe {
        /// The helper's argv; `argv[0]` is the program.
        argv: Vec<Vec<u8>>,
        /// The helper gets a pidfd of the crashing process at fd 3 (`%F`).
        pidfd: bool,
    },
    /// Written to an `AF_UNIX` socket, looked up beneath init's root.
    Socket {
        /// The socket path.
        path: Vec<u8>,
        /// The `@@` request/ack protocol.
        request: bool,
    },
    /// No core at all.
    NoDump {
        /// Why.
        reason: NoDumpReason,
    },
}

impl Outcome {
    /// `file`, `pipe`, `socket` or `none`, as the vectors name them.
    pub const fn kind(&self) -> &'static str {
        match self {
            Outcome::File { .. } => "file",
            Outcome::Pipe { .. } => "pipe",
            Outcome::Socket { .. } => "socket",
            Outcome::NoDump { .. } => "none",
        }
    }

    /// The reason, for [`Outcome::NoDump`].
    pub const fn no_dump_reason(&self) -> Option<&NoDumpReason> {
        match self {
            Outcome::NoDump { reason } => Some(reason),
            _ => None,
        }
    }
}

/// Why a socket path fails the kernel's dump-time checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SocketProblem {
    /// Nothing after `@`/`@@`.
    Empty,
    /// The path does not start with `/`.
    NotAbsolute,
    /// The path contains a space (tabs pass).
    ContainsSpace,
    /// The path has a `..` component.
    DotDot,
    /// The path is 108 bytes or longer.
    TooLong,
}

impl SocketProblem {
    /// What is wrong, in words.
    pub const fn message(self) -> &'static str {
        match self {
            SocketProblem::Empty => "the socket path is empty",
            SocketProblem::NotAbsolute => "the socket path is not absolute",
            SocketProblem::ContainsSpace => "the socket path contains a space",
            SocketProblem::DotDot => "the socket path has a `..` component",
            SocketProblem::TooLong => "the socket path is 108 bytes or longer",
        }
    }

    /// The problem with `path` (the bytes after `@`/`@@`), if any.
    pub fn check(path: &[u8]) -> Option<SocketProblem> {
        if path.is_empty() {
            Some(SocketProblem::Empty)
        } else if path[0] != b'/' {
            Some(SocketProblem::NotAbsolute)
        } else if path.contains(&b' ') {
            Some(SocketProblem::ContainsSpace)
        } else if contains_dotdot_component(path) {
            Some(SocketProblem::DotDot)
        } else if path.len() >= UNIX_PATH_MAX {
            Some(SocketProblem::TooLong)
        } else {
            None
        }
    }
}

/// Why there is no core. Every reason follows from the inputs alone; failures
/// that depend on the filesystem (a missing directory, permissions, a helper
/// that does not exist) are not predicted.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NoDumpReason {
    /// The signal's default action is not "core" (e.g. SIGTERM).
    SignalNotCore {
        /// The signal.
        signal: Signal,
    },
    /// The process is not dumpable (`dumpable` 0: `PR_SET_DUMPABLE` 0, or a
    /// setuid/credential change with `suid_dumpable` 0).
    NotDumpable,
    /// The pattern is `|` with no helper: the kernel's parse fails.
    EmptyPipe,
    /// `%E`/`%f`: the executable path does not fit in `PATH_MAX`, so the
    /// parse fails.
    ExePathTooLong {
        /// Length of the path.
        len: usize,
    },
    /// The socket path fails the dump-time checks.
    SocketInvalid(SocketProblem),
    /// File mode with a soft `RLIMIT_CORE` below one page (4096 bytes).
    CoreLimitBelowPage {
        /// The limit.
        limit: u64,
    },
    /// A suid-safe dump (`dumpable` 2) in file mode needs an absolute
    /// expanded name.
    SuidNeedsAbsolute,
    /// The expanded file name is empty: opening `""` fails with `ENOENT`.
    EmptyName,
    /// A component of the file name is over 255 bytes: `ENAMETOOLONG`,
    /// silently.
    NameTooLong {
        /// Length of the longest component.
        len: usize,
    },
    /// The file name is 4096 bytes or longer: `ENAMETOOLONG`.
    PathTooLong {
        /// Length of the name.
        len: usize,
    },
    /// Pipe mode with a soft `RLIMIT_CORE` of exactly 1: the kernel's
    /// recursion guard aborts the dump.
    PipeRlimitOne,
    /// No longer produced; kept so that its name and code (211) stay
    /// assigned. A relative helper is not refused: the user-mode helper
    /// resolves it from `/` of the initial namespaces (observed in the
    /// conformance harness: `|bin/helper` runs `/bin/helper` on 6.1 to 7.3),
    /// so [`Pattern::expand`] gives [`Outcome::Pipe`] and whether the file
    /// exists is up to the host. The lint `helper-not-absolute` warns.
    HelperNotAbsolute,
}

impl NoDumpReason {
    /// A stable kebab-case name, e.g. `core-limit-below-page`.
    pub const fn name(&self) -> &'static str {
        match self {
            NoDumpReason::SignalNotCore { .. } => "signal-not-core",
            NoDumpReason::NotDumpable => "not-dumpable",
            NoDumpReason::EmptyPipe => "empty-pipe",
            NoDumpReason::ExePathTooLong { .. } => "exe-path-too-long",
            NoDumpReason::SocketInvalid(_) => "socket-invalid",
            NoDumpReason::CoreLimitBelowPage { .. } => "core-limit-below-page",
            NoDumpReason::SuidNeedsAbsolute => "suid-needs-absolute",
            NoDumpReason::EmptyName => "empty-name",
            NoDumpReason::NameTooLong { .. } => "name-too-long",
            NoDumpReason::PathTooLong { .. } => "path-too-long",
            NoDumpReason::PipeRlimitOne => "pipe-rlimit-one",
            NoDumpReason::HelperNotAbsolute => "helper-not-absolute",
        }
    }

    /// A stable numeric code (band 2xx). Retired codes are never reused.
    pub const fn code(&self) -> u32 {
        match self {
            NoDumpReason::SignalNotCore { .. } => 200,
            NoDumpReason::NotDumpable => 201,
            NoDumpReason::EmptyPipe => 202,
            NoDumpReason::ExePathTooLong { .. } => 203,
            NoDumpReason::SocketInvalid(_) => 204,
            NoDumpReason::CoreLimitBelowPage { .. } => 205,
            NoDumpReason::SuidNeedsAbsolute => 206,
            NoDumpReason::EmptyName => 207,
            NoDumpReason::NameTooLong { .. } => 208,
            NoDumpReason::PathTooLong { .. } => 209,
            NoDumpReason::PipeRlimitOne => 210,
            NoDumpReason::HelperNotAbsolute => 211,
        }
    }

    /// How to get a core after all.
    pub const fn help(&self) -> &'static str {
        match self {
            NoDumpReason::SignalNotCore { .. } => {
                "only SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ and SIGSYS dump core"
            }
            NoDumpReason::NotDumpable => {
                "call prctl(PR_SET_DUMPABLE, 1) after changing credentials, or set fs.suid_dumpable"
            }
            NoDumpReason::EmptyPipe => "name an absolute helper after `|`",
            NoDumpReason::ExePathTooLong { .. } => "use %e instead of %E/%f",
            NoDumpReason::SocketInvalid(_) => {
                "use an absolute socket path under 108 bytes, without spaces or `..`"
            }
            NoDumpReason::CoreLimitBelowPage { .. } => {
                "raise the soft core limit (ulimit -c unlimited, or LimitCORE= / the container's rlimits)"
            }
            NoDumpReason::SuidNeedsAbsolute => {
                "make the pattern absolute (start it with `/`) or use a pipe helper"
            }
            NoDumpReason::EmptyName => "write a non-empty pattern, e.g. `core`",
            NoDumpReason::NameTooLong { .. } => {
                "use %e or %f instead of %E, or shorten literal text in that component"
            }
            NoDumpReason::PathTooLong { .. } => "shorten the pattern's directories",
            NoDumpReason::PipeRlimitOne => {
                "set the crashing process's core limit to anything but 1 (1 marks a helper crashing itself)"
            }
            NoDumpReason::HelperNotAbsolute => "start the helper with `/`, e.g. `|/usr/bin/helper`",
        }
    }
}

impl fmt::Display for NoDumpReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoDumpReason::SignalNotCore { signal } => {
                write!(f, "{signal} does not dump core by default")
            }
            NoDumpReason::NotDumpable => f.write_str("the process is not dumpable (dumpable 0)"),
            NoDumpReason::EmptyPipe => f.write_str("the pattern is `|` with no helper"),
            NoDumpReason::ExePathTooLong { len } => write!(
                f,
                "the executable path ({len} bytes) does not fit in PATH_MAX"
            ),
            NoDumpReason::SocketInvalid(p) => f.write_str(p.message()),
            NoDumpReason::CoreLimitBelowPage { limit } => write!(
                f,
                "the soft core limit ({limit} bytes) is below one page ({MIN_COREDUMP} bytes)"
            ),
            NoDumpReason::SuidNeedsAbsolute => {
                f.write_str("a suid-safe dump (dumpable 2) needs an absolute file name")
            }
            NoDumpReason::EmptyName => f.write_str("the file name is empty"),
            NoDumpReason::NameTooLong { len } => write!(
                f,
                "a component of the file name is {len} bytes, over NAME_MAX ({NAME_MAX})"
            ),
            NoDumpReason::PathTooLong { len } => {
                write!(
                    f,
                    "the file name is {len} bytes, not under PATH_MAX ({PATH_MAX})"
                )
            }
            NoDumpReason::PipeRlimitOne => {
                f.write_str("the soft core limit is 1, which aborts pipe dumps (recursion guard)")
            }
            NoDumpReason::HelperNotAbsolute => {
                f.write_str("the pipe helper is not an absolute path")
            }
        }
    }
}

/// Why [`Pattern::expand_file_name_into`] wrote no name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExpandError {
    /// The buffer is too small; `required` bytes are needed. The buffer's
    /// contents are unspecified.
    #[error("buffer too small: the file name needs {required} bytes")]
    BufferTooSmall {
        /// Bytes needed.
        required: usize,
    },
    /// The pattern is not a file pattern.
    #[error("the pattern is in {mode} mode, not file mode")]
    NotFileMode {
        /// Its mode.
        mode: Mode,
    },
    /// The kernel writes no core.
    #[error("no core: {0}")]
    NoDump(NoDumpReason),
}

impl ExpandError {
    /// A stable numeric code: 2xx for [`ExpandError::NoDump`] (the reason's
    /// code), 250 for `NotFileMode`, 901 for `BufferTooSmall`.
    pub const fn code(&self) -> u32 {
        match self {
            ExpandError::BufferTooSmall { .. } => 901,
            ExpandError::NotFileMode { .. } => 250,
            ExpandError::NoDump(r) => r.code(),
        }
    }
}

// ---------------------------------------------------------------------------
// Sinks: where expanded bytes go.

trait Sink {
    /// Bytes without `/` (values, numbers, separators).
    fn put(&mut self, bytes: &[u8]);
    /// Bytes of the pattern itself: the only place a `/` comes from.
    fn put_literal(&mut self, bytes: &[u8]) {
        self.put(bytes);
    }
    /// A value with every `/` written as `!` (`cn_esc_printf()`).
    fn put_slash_escaped(&mut self, value: &[u8]) {
        let mut start = 0;
        for slash in memchr::memchr_iter(b'/', value) {
            self.put(&value[start..slash]);
            self.put(b"!");
            start = slash + 1;
        }
        self.put(&value[start..]);
    }
    /// Bytes produced so far, NUL separators included (the kernel's `used`).
    fn used(&self) -> usize;
    /// Pipe mode: end the current argument and start a new one.
    fn separate(&mut self) {}
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn put_slash_escaped(&mut self, value: &[u8]) {
        self.extend(value.iter().map(|&b| if b == b'/' { b'!' } else { b }));
    }
    fn used(&self) -> usize {
        self.len()
    }
}

/// Writes into a caller's slice while it fits, and counts everything. It
/// also tracks the longest `/`-separated component as it goes, so the file
/// name is not scanned again: a `/` only ever comes from the pattern's own
/// bytes ([`Sink::put_literal`]); every value is escaped.
struct SliceSink<'b> {
    buf: &'b mut [u8],
    len: usize,
    /// Length of the component being written.
    component: usize,
    /// The longest finished component.
    longest: usize,
}

impl<'b> SliceSink<'b> {
    fn new(buf: &'b mut [u8]) -> SliceSink<'b> {
        SliceSink {
            buf,
            len: 0,
            component: 0,
            longest: 0,
        }
    }

    /// The longest component of everything written.
    fn longest_component(&self) -> usize {
        self.longest.max(self.component)
    }
}

impl Sink for SliceSink<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
        }
        self.len = end;
        self.component = self.component.saturating_add(bytes.len());
    }
    fn put_literal(&mut self, bytes: &[u8]) {
        let before = self.component;
        self.put(bytes);
        let mut component = before;
        for &b in bytes {
            if b == b'/' {
                self.longest = self.longest.max(component);
                component = 0;
            } else {
                component += 1;
            }
        }
        self.component = component;
    }
    fn put_slash_escaped(&mut self, value: &[u8]) {
        // One pass that the compiler vectorises, instead of a copy per piece.
        let end = self.len.saturating_add(value.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            for (d, &b) in dst.iter_mut().zip(value) {
                *d = if b == b'/' { b'!' } else { b };
            }
        }
        self.len = end;
        self.component = self.component.saturating_add(value.len());
    }
    fn used(&self) -> usize {
        self.len
    }
}

struct ArgvSink {
    argv: Vec<Vec<u8>>,
    used: usize,
}

impl Sink for ArgvSink {
    fn put(&mut self, bytes: &[u8]) {
        if let Some(last) = self.argv.last_mut() {
            last.extend_from_slice(bytes);
        }
        self.used += bytes.len();
    }
    fn used(&self) -> usize {
        self.used
    }
    fn separate(&mut self) {
        self.argv.push(Vec::new());
        self.used += 1;
    }
}

fn put_u64<S: Sink>(s: &mut S, v: u64) {
    s.put(itoa::Buffer::new().format(v).as_bytes());
}

fn put_i64<S: Sink>(s: &mut S, v: i64) {
    s.put(itoa::Buffer::new().format(v).as_bytes());
}

/// The bytes of a C string held in a buffer of `max + 1`: up to the first
/// NUL, at most `max` bytes.
fn c_str(b: &[u8], max: usize) -> &[u8] {
    let end = memchr::memchr(0, b).unwrap_or(b.len()).min(max);
    &b[..end]
}

/// `cn_esc_printf()` on a value made of `parts`.
fn put_escaped<S: Sink>(s: &mut S, parts: &[&[u8]], dot_names: bool) {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    if dot_names {
        if total == 0 {
            s.put(b"!");
            return;
        }
        if let [only] = parts {
            match *only {
                b"." => return s.put(b"!"),
                b".." => return s.put(b"!."),
                _ => {}
            }
        }
    }
    for part in parts {
        s.put_slash_escaped(part);
    }
}

/// What the walk over the tokens learned.
#[derive(Default)]
struct Walk {
    pid_in_pattern: bool,
    pidfd: bool,
}

/// Expands one specifier. `Err` when the kernel's parse fails.
fn put_spec<S: Sink>(
    s: &mut S,
    spec: Specifier,
    mode: Mode,
    crash: &Crash<'_>,
    kernel: &KernelProfile,
    walk: &mut Walk,
) -> Result<(), NoDumpReason> {
    let dots = kernel.has(Feature::EscapeDotNames);
    match spec {
        Specifier::Percent => s.put(b"%"),
        Specifier::Pid => {
            walk.pid_in_pattern = true;
            put_u64(s, crash.pid.into());
        }
        Specifier::GlobalPid => put_u64(s, crash.global_pid.into()),
        Specifier::Tid => put_u64(s, crash.tid.into()),
        Specifier::GlobalTid => put_u64(s, crash.global_tid.into()),
        Specifier::Uid => put_u64(s, crash.uid.into()),
        Specifier::Gid => put_u64(s, crash.gid.into()),
        Specifier::Dumpable => put_u64(s, crash.dumpable.into()),
        Specifier::Signal => put_u64(s, crash.signal.number().into()),
        Specifier::Time => put_i64(s, crash.time),
        Specifier::Hostname => put_escaped(s, &[c_str(crash.hostname, HOSTNAME_MAX)], dots),
        Specifier::Comm => put_escaped(s, &[c_str(crash.comm, COMM_MAX)], dots),
        Specifier::ExePath | Specifier::ExeName => match crash.exe {
            None => put_escaped(s, &[c_str(crash.comm, COMM_MAX), b" (path unknown)"], dots),
            Some(exe) => {
                let exe = c_str(exe, usize::MAX);
                if exe.len() >= PATH_MAX {
                    return Err(NoDumpReason::ExePathTooLong { len: exe.len() });
                }
                let value = if spec == Specifier::ExeName {
                    match exe.iter().rposition(|&b| b == b'/') {
                        Some(i) => &exe[i + 1..],
                        None => exe,
                    }
                } else {
                    exe
                };
                put_escaped(s, &[value], dots);
            }
        },
        Specifier::CoreLimit => put_u64(s, crash.core_limit.value(kernel)),
        Specifier::Cpu => put_u64(s, crash.cpu.into()),
        Specifier::Pidfd => {
            if mode == Mode::Pipe {
                walk.pidfd = true;
                put_u64(s, PIDFD_NUMBER.into());
            }
        }
    }
    Ok(())
}

/// The kernel's pattern loop over a file or pipe body. With `split`, a
/// whitespace run marks a pending separator (5.3+ pipe mode); without it,
/// whitespace tokens are copied.
fn walk_tokens<S: Sink>(
    p: &Pattern,
    crash: &Crash<'_>,
    s: &mut S,
    split: bool,
) -> Result<Walk, NoDumpReason> {
    let mut walk = Walk::default();
    let mut was_space = false;
    for t in p.tokens() {
        match t.kind {
            TokenKind::ModePrefix => {}
            TokenKind::Space if split => {
                if s.used() != 0 {
                    was_space = true;
                }
            }
            kind => {
                if was_space {
                    was_space = false;
                    s.separate();
                }
                match kind {
                    TokenKind::Literal | TokenKind::Space => s.put_literal(p.token_bytes(t)),
                    TokenKind::Spec(spec) => {
                        put_spec(s, spec, p.mode(), crash, p.kernel(), &mut walk)?
                    }
                    TokenKind::TrailingPercent => break,
                    _ => {}
                }
            }
        }
    }
    Ok(walk)
}

/// Checks common to every mode, before the pattern is looked at.
fn precheck(crash: &Crash<'_>) -> Result<(), NoDumpReason> {
    if !crash.signal.dumps_core() {
        return Err(NoDumpReason::SignalNotCore {
            signal: crash.signal,
        });
    }
    if crash.dumpable == 0 {
        return Err(NoDumpReason::NotDumpable);
    }
    Ok(())
}

/// `coredump_file()`'s checks on an expanded name.
fn check_file(name: &[u8], crash: &Crash<'_>) -> Result<(), NoDumpReason> {
    let mut longest = 0;
    let mut start = 0;
    for slash in memchr::memchr_iter(b'/', name) {
        longest = longest.max(slash - start);
        start = slash + 1;
    }
    check_file_name(name, longest.max(name.len() - start), crash)
}

/// [`check_file`] with the longest component already known.
fn check_file_name(name: &[u8], longest: usize, crash: &Crash<'_>) -> Result<(), NoDumpReason> {
    if let CoreLimit::Bytes(limit) = crash.core_limit
        && limit < MIN_COREDUMP
    {
        return Err(NoDumpReason::CoreLimitBelowPage { limit });
    }
    if crash.dumpable == 2 && name.first() != Some(&b'/') {
        return Err(NoDumpReason::SuidNeedsAbsolute);
    }
    if name.is_empty() {
        return Err(NoDumpReason::EmptyName);
    }
    if name.len() >= PATH_MAX {
        return Err(NoDumpReason::PathTooLong { len: name.len() });
    }
    if longest > NAME_MAX {
        return Err(NoDumpReason::NameTooLong { len: longest });
    }
    Ok(())
}

fn file_name<S: Sink>(
    p: &Pattern,
    settings: &Settings,
    crash: &Crash<'_>,
    s: &mut S,
) -> Result<(), NoDumpReason> {
    let walk = walk_tokens(p, crash, s, false)?;
    if settings.core_uses_pid && !walk.pid_in_pattern {
        s.put(b".");
        put_u64(s, crash.pid.into());
    }
    Ok(())
}

impl Pattern {
    /// What the kernel does with a core of `crash` under this pattern and
    /// `settings`, on the pattern's kernel.
    ///
    /// ```
    /// use core_pattern::{Crash, Outcome, Pattern, Settings};
    /// let p = Pattern::parse("/data/dump-a/core-%E-%p-%t")?;
    /// let out = p.expand(&Settings::default(), &Crash::example());
    /// assert_eq!(out, Outcome::File { name: b"/data/dump-a/core-!usr!bin!myapp-1234-1700000000".to_vec() });
    ///
    /// let p = Pattern::parse("|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F")?;
    /// let Outcome::Pipe { argv, pidfd } = p.expand(&Settings::default(), &Crash::example()) else { panic!() };
    /// assert_eq!(argv[1], b"51234");
    /// assert!(pidfd);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expand(&self, settings: &Settings, crash: &Crash<'_>) -> Outcome {
        match self.try_expand(settings, crash) {
            Ok(o) => o,
            Err(reason) => Outcome::NoDump { reason },
        }
    }

    fn try_expand(&self, settings: &Settings, crash: &Crash<'_>) -> Result<Outcome, NoDumpReason> {
        precheck(crash)?;
        match self.mode() {
            Mode::File => {
                let mut name = Vec::with_capacity(self.as_bytes().len() + 32);
                file_name(self, settings, crash, &mut name)?;
                check_file(&name, crash)?;
                Ok(Outcome::File { name })
            }
            Mode::Pipe => {
                if self.body().is_empty() {
                    return Err(NoDumpReason::EmptyPipe);
                }
                let (argv, walk) = if self.kernel().has(Feature::PipeSplitBeforeExpand) {
                    let mut s = ArgvSink {
                        argv: vec![Vec::new()],
                        used: 0,
                    };
                    let walk = walk_tokens(self, crash, &mut s, true)?;
                    (s.argv, walk)
                } else {
                    // Before 5.3: expand everything, then argv_split().
                    let mut all = Vec::new();
                    let walk = walk_tokens(self, crash, &mut all, false)?;
                    let argv: Vec<Vec<u8>> = all
                        .split(|&b| is_kernel_space(b))
                        .filter(|a| !a.is_empty())
                        .map(<[u8]>::to_vec)
                        .collect();
                    if argv.is_empty() {
                        return Err(NoDumpReason::EmptyPipe);
                    }
                    (argv, walk)
                };
                if crash.core_limit == CoreLimit::Bytes(1) {
                    return Err(NoDumpReason::PipeRlimitOne);
                }
                if argv[0].is_empty() {
                    // Only whitespace or empty expansions: nothing to run.
                    return Err(NoDumpReason::EmptyPipe);
                }
                Ok(Outcome::Pipe {
                    argv,
                    pidfd: walk.pidfd,
                })
            }
            Mode::Socket | Mode::SocketRequest => {
                let path = self.body();
                if let Some(problem) = SocketProblem::check(path) {
                    return Err(NoDumpReason::SocketInvalid(problem));
                }
                Ok(Outcome::Socket {
                    path: path.to_vec(),
                    request: self.mode() == Mode::SocketRequest,
                })
            }
        }
    }

    /// The file name for `crash`, written into `buf` without allocating;
    /// returns its length. The same checks as [`Pattern::expand`] apply.
    ///
    /// # Errors
    ///
    /// - [`ExpandError::BufferTooSmall`] with the length needed (call again
    ///   with a larger buffer; the contents of `buf` are unspecified);
    /// - [`ExpandError::NotFileMode`] for pipe and socket patterns;
    /// - [`ExpandError::NoDump`] when the kernel would write no core.
    ///
    /// ```
    /// use core_pattern::{Crash, ExpandError, Pattern, Settings};
    /// let p = Pattern::parse("/data/dump-a/core-%E-%p-%t")?;
    /// let mut buf = [0u8; 64];
    /// let n = p.expand_file_name_into(&Settings::default(), &Crash::example(), &mut buf)?;
    /// assert_eq!(&buf[..n], b"/data/dump-a/core-!usr!bin!myapp-1234-1700000000");
    /// let err = p.expand_file_name_into(&Settings::default(), &Crash::example(), &mut buf[..8]);
    /// assert_eq!(err, Err(ExpandError::BufferTooSmall { required: n }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expand_file_name_into(
        &self,
        settings: &Settings,
        crash: &Crash<'_>,
        buf: &mut [u8],
    ) -> Result<usize, ExpandError> {
        if self.mode() != Mode::File {
            return Err(ExpandError::NotFileMode { mode: self.mode() });
        }
        precheck(crash).map_err(ExpandError::NoDump)?;
        let mut s = SliceSink::new(buf);
        file_name(self, settings, crash, &mut s).map_err(ExpandError::NoDump)?;
        let (len, longest) = (s.len, s.longest_component());
        let Some(name) = s.buf.get(..len) else {
            return Err(ExpandError::BufferTooSmall { required: len });
        };
        debug_assert_eq!(
            check_file(name, crash),
            check_file_name(name, longest, crash),
            "the tracked component length agrees with a scan"
        );
        check_file_name(name, longest, crash).map_err(ExpandError::NoDump)?;
        Ok(len)
    }
}
