//! What expansion decides: the [`Outcome`], and why there is no core
//! ([`NoDumpReason`], [`SocketProblem`], [`ExpandError`]).

use crate::limits::{MIN_COREDUMP, NAME_MAX, PATH_MAX, UNIX_PATH_MAX, contains_dotdot_component};
use crate::parse::Mode;
use crate::signal::Signal;
use core::fmt;

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
    /// so [`Pattern::expand`](crate::Pattern::expand) gives [`Outcome::Pipe`] and whether the file
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

/// Why [`Pattern::expand_file_name_into`](crate::Pattern::expand_file_name_into) wrote no name.
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
