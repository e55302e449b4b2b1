//! Peer: expansion by a chain of `str::replace` calls, the way a crash
//! collector or platform script fills in a pattern (StarlingX's Python
//! k8s-coredump handler does it with `str.replace` in a loop, in
//! `config_functions.parse_core_pattern`).
//!
//! Shared by `benches/expand.rs` (speed) and `tests/peers_replace.rs` (which
//! kernel-observed vectors it gets wrong). It is deliberately naive in the
//! way such scripts are, and no more: every value is what the script could
//! know about the crash, formatted the way the kernel formats it.
//!
//! What it does:
//!
//! - **Pipe** (`|` first): drop the `|`, run the chain over the rest, then
//!   split the result on whitespace into argv (`str.split()`).
//! - **Socket** (`@` first): the path after `@`, or after `@@` with the
//!   request flag set. Nothing is expanded (the kernel expands nothing there
//!   either).
//! - **File** (anything else): the chain's result is the name.
//!
//! What it does not do, as such scripts do not: scan left to right (so
//! `%%p` becomes `%` + PID), drop unknown specifiers or a trailing `%`,
//! escape `/` (or `.`/`..`/empty values) in `%h`/`%e`, know `%F` or which
//! specifiers a kernel release lacks, split a pipe pattern before
//! expanding, append core_uses_pid's `.PID`, or predict that no core is
//! written at all.
//!
//! Byte fields (`hostname`, `comm`, `exe`) are turned into text with
//! [`String::from_utf8_lossy`], as a script reading them as `str` would; a
//! name that is not UTF-8 comes out with U+FFFD in it.
#![allow(dead_code)]

use core_pattern::{CoreLimit, Crash, Settings};

/// What the peer says the kernel does with the core. It always predicts a
/// core: it has no notion of "no dump".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerOutcome {
    /// A file with this name.
    File {
        /// The expanded pattern.
        name: String,
    },
    /// A helper run with this argv.
    Pipe {
        /// The expanded pattern after `|`, split on whitespace.
        argv: Vec<String>,
    },
    /// A socket at this path.
    Socket {
        /// The text after `@` (or `@@`).
        path: String,
        /// `@@`: the request protocol.
        request: bool,
    },
}

impl PeerOutcome {
    /// `file`, `pipe` or `socket`, as the vectors name them.
    pub fn kind(&self) -> &'static str {
        match self {
            PeerOutcome::File { .. } => "file",
            PeerOutcome::Pipe { .. } => "pipe",
            PeerOutcome::Socket { .. } => "socket",
        }
    }
}

/// The core's destination for `pattern` (the stored `core_pattern`, as
/// text) and `crash`.
///
/// `_settings` is taken for symmetry with `Pattern::expand` and is not read:
/// a collector handed the pattern gets no sysctls (StarlingX's
/// `parse_core_pattern` gets the pattern and the crash's values only), so
/// `core_uses_pid`'s `.PID` suffix is missing.
pub fn expand(pattern: &str, crash: &Crash<'_>, _settings: &Settings) -> PeerOutcome {
    if let Some(rest) = pattern.strip_prefix('@') {
        return match rest.strip_prefix('@') {
            Some(path) => PeerOutcome::Socket {
                path: path.to_owned(),
                request: true,
            },
            None => PeerOutcome::Socket {
                path: rest.to_owned(),
                request: false,
            },
        };
    }
    if let Some(command) = pattern.strip_prefix('|') {
        let line = substitute(command, crash);
        return PeerOutcome::Pipe {
            argv: line.split_whitespace().map(str::to_owned).collect(),
        };
    }
    PeerOutcome::File {
        name: substitute(pattern, crash),
    }
}

/// The chain itself.
///
/// The order is the one a script author writes: StarlingX's order (`%p %P
/// %u %g %s %t %h %e`) with the thread ids next to the pids and `%d` next to
/// `%s`, then the specifiers StarlingX leaves out in the order core(5) adds
/// them (`%E %c %C %f`), and `%%` last. `%%` goes last because putting it
/// first visibly breaks `%%p` (it becomes `%p`, then the PID); last breaks
/// it too (the `%p` inside `%%p` is replaced first), and no order of a
/// replace chain can be right, since only a left-to-right scan knows which
/// `%` pairs with which letter. The order also decides which substituted
/// values are searched again: a value inserted early (say a PID) passes
/// through every later `replace`, so a hostname or comm containing `%e`,
/// `%E`, `%c`, `%C`, `%f` or `%%` would be expanded again.
///
/// Values, all formatted as the kernel prints them: ids and numbers in
/// decimal; `%c` is `RLIM_INFINITY` (`18446744073709551615` on Linux) when
/// the limit is unlimited; `%E` is the executable path with every `/`
/// turned into `!`; `%f` its last component; with no executable, `%E` and
/// `%f` are empty (a script's `readlink` of `/proc/PID/exe` fails).
///
/// Written as a Rust user would write the chain: each argument is formatted
/// before the call, and each `replace` returns a new `String`, so one
/// expansion allocates for all 16 links and every formatted value whatever
/// the pattern contains.
pub fn substitute(text: &str, crash: &Crash<'_>) -> String {
    let hostname = String::from_utf8_lossy(crash.hostname);
    let comm = String::from_utf8_lossy(crash.comm);
    let exe = crash.exe.map(String::from_utf8_lossy).unwrap_or_default();
    let exe_name = exe.rsplit('/').next().unwrap_or_default();
    let core_limit = match crash.core_limit {
        CoreLimit::Unlimited => u64::MAX,
        CoreLimit::Bytes(n) => n,
    };
    text.replace("%p", &crash.pid.to_string())
        .replace("%P", &crash.global_pid.to_string())
        .replace("%i", &crash.tid.to_string())
        .replace("%I", &crash.global_tid.to_string())
        .replace("%u", &crash.uid.to_string())
        .replace("%g", &crash.gid.to_string())
        .replace("%d", &crash.dumpable.to_string())
        .replace("%s", &crash.signal.number().to_string())
        .replace("%t", &crash.time.to_string())
        .replace("%h", &hostname)
        .replace("%e", &comm)
        .replace("%E", &exe.replace('/', "!"))
        .replace("%c", &core_limit.to_string())
        .replace("%C", &crash.cpu.to_string())
        .replace("%f", exe_name)
        .replace("%%", "%")
}
