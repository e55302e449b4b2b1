//! The `%` specifiers: one table, the single source of truth.
//!
//! Parsing, display, expansion, lints, reverse matching, the CLI's explanations, the
//! C ABI and the fuzz dictionary all read [`SPECIFIERS`]. Adding a specifier
//! means adding one variant and one row.

use crate::feature::Feature;
use crate::version::KernelVersion;
use core::fmt;

/// A `%` specifier the Linux kernel knows in some release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Specifier {
    /// `%%`: a literal `%`.
    Percent,
    /// `%p`: PID (TGID) in the crashing process's PID namespace.
    Pid,
    /// `%P`: PID (TGID) in the initial PID namespace.
    GlobalPid,
    /// `%i`: TID of the crashing thread in its PID namespace.
    Tid,
    /// `%I`: TID of the crashing thread in the initial PID namespace.
    GlobalTid,
    /// `%u`: real UID, as seen from the initial user namespace.
    Uid,
    /// `%g`: real GID, as seen from the initial user namespace.
    Gid,
    /// `%d`: dump mode (`PR_GET_DUMPABLE`, 0–2).
    Dumpable,
    /// `%s`: number of the signal that caused the dump.
    Signal,
    /// `%t`: time of the dump, seconds since the Epoch.
    Time,
    /// `%h`: hostname (UTS nodename), escaped.
    Hostname,
    /// `%e`: the crashing thread's name (`comm`, at most 15 bytes), escaped.
    Comm,
    /// `%E`: path of the executable, escaped (`/` becomes `!`).
    ExePath,
    /// `%f`: file name of the executable, escaped.
    ExeName,
    /// `%c`: soft `RLIMIT_CORE` in bytes.
    CoreLimit,
    /// `%C`: CPU the dump started on.
    Cpu,
    /// `%F`: pidfd number (`3`) for a pipe helper; nothing in file mode.
    Pidfd,
}

/// One row of the specifier table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpecifierInfo {
    /// The byte after `%`.
    pub byte: u8,
    /// The specifier.
    pub spec: Specifier,
    /// A short stable name, e.g. `"pid"`.
    pub name: &'static str,
    /// What the kernel substitutes, in a sentence (after core(5)).
    pub meaning: &'static str,
    /// First upstream release that knows it (`None`: every release this
    /// crate models).
    pub since: Option<KernelVersion>,
    /// The [`Feature`] a [`KernelProfile`](crate::KernelProfile) checks for it (`None`: always known).
    pub feature: Option<Feature>,
    /// Whether the value goes through the kernel's escaping (`cn_esc_printf`):
    /// `/` becomes `!`, and an expansion of exactly `.`, `..` or nothing
    /// becomes `!`, `!.` or `!`.
    pub escaped: bool,
    /// Whether the value exists only in pipe mode (`%F`; empty elsewhere).
    pub pipe_only: bool,
    /// Whether the value is a decimal number.
    pub numeric: bool,
}

macro_rules! row {
    ($b:literal, $s:ident, $name:literal, $f:expr, $esc:literal, $pipe:literal, $num:literal, $m:literal) => {
        SpecifierInfo {
            byte: $b,
            spec: Specifier::$s,
            name: $name,
            meaning: $m,
            since: match $f {
                Some(f) => Some(Feature::since(f)),
                None => None,
            },
            feature: $f,
            escaped: $esc,
            pipe_only: $pipe,
            numeric: $num,
        }
    };
}

/// Every specifier, in core(5) order.
pub const SPECIFIERS: [SpecifierInfo; 17] = [
    row!(
        b'%',
        Percent,
        "percent",
        None,
        false,
        false,
        false,
        "a literal `%`"
    ),
    row!(
        b'p',
        Pid,
        "pid",
        None,
        false,
        false,
        true,
        "PID of the dumped process, as seen in its own PID namespace"
    ),
    row!(
        b'P',
        GlobalPid,
        "global-pid",
        Some(Feature::SpecGlobalPid),
        false,
        false,
        true,
        "PID of the dumped process, as seen in the initial PID namespace"
    ),
    row!(
        b'i',
        Tid,
        "tid",
        Some(Feature::SpecTid),
        false,
        false,
        true,
        "TID of the thread that triggered the dump, as seen in its own PID namespace"
    ),
    row!(
        b'I',
        GlobalTid,
        "global-tid",
        Some(Feature::SpecTid),
        false,
        false,
        true,
        "TID of the thread that triggered the dump, as seen in the initial PID namespace"
    ),
    row!(
        b'u',
        Uid,
        "uid",
        None,
        false,
        false,
        true,
        "real UID of the dumped process, as seen from the initial user namespace"
    ),
    row!(
        b'g',
        Gid,
        "gid",
        None,
        false,
        false,
        true,
        "real GID of the dumped process, as seen from the initial user namespace"
    ),
    row!(
        b'd',
        Dumpable,
        "dumpable",
        Some(Feature::SpecDumpable),
        false,
        false,
        true,
        "dump mode, as PR_GET_DUMPABLE returns it (1, or 2 for a suid-safe dump)"
    ),
    row!(
        b's',
        Signal,
        "signal",
        None,
        false,
        false,
        true,
        "number of the signal that caused the dump"
    ),
    row!(
        b't',
        Time,
        "time",
        None,
        false,
        false,
        true,
        "time of the dump, in seconds since the Epoch"
    ),
    row!(
        b'h',
        Hostname,
        "hostname",
        None,
        true,
        false,
        false,
        "hostname (UTS nodename) of the dumped process's UTS namespace, at most 64 bytes"
    ),
    row!(
        b'e',
        Comm,
        "comm",
        None,
        true,
        false,
        false,
        "name of the crashing thread (comm), at most 15 bytes; through a symlink, the link's name"
    ),
    row!(
        b'E',
        ExePath,
        "exe-path",
        Some(Feature::SpecExePath),
        true,
        false,
        false,
        "path of the executable, with every `/` replaced by `!`"
    ),
    row!(
        b'f',
        ExeName,
        "exe-name",
        Some(Feature::SpecExeName),
        true,
        false,
        false,
        "file name of the executable, without its directory"
    ),
    row!(
        b'c',
        CoreLimit,
        "core-limit",
        Some(Feature::SpecCoreLimit),
        false,
        false,
        true,
        "soft RLIMIT_CORE of the dumped process, in bytes"
    ),
    row!(
        b'C',
        Cpu,
        "cpu",
        Some(Feature::SpecCpu),
        false,
        false,
        true,
        "CPU on which the dump started"
    ),
    row!(
        b'F',
        Pidfd,
        "pidfd",
        Some(Feature::SpecPidfd),
        false,
        true,
        true,
        "the number 3: the pipe helper gets a pidfd of the dumped process at fd 3 (empty in file mode)"
    ),
];

impl Specifier {
    /// The specifier for the byte after `%`, if any release knows it.
    ///
    /// ```
    /// use core_pattern::Specifier;
    /// assert_eq!(Specifier::from_byte(b'E'), Some(Specifier::ExePath));
    /// assert_eq!(Specifier::from_byte(b'b'), None);
    /// ```
    pub const fn from_byte(b: u8) -> Option<Specifier> {
        let mut i = 0;
        while i < SPECIFIERS.len() {
            if SPECIFIERS[i].byte == b {
                return Some(SPECIFIERS[i].spec);
            }
            i += 1;
        }
        None
    }

    /// The specifier's row in [`SPECIFIERS`].
    pub const fn info(self) -> &'static SpecifierInfo {
        let mut i = 0;
        while i < SPECIFIERS.len() {
            if SPECIFIERS[i].spec as u8 == self as u8 {
                return &SPECIFIERS[i];
            }
            i += 1;
        }
        // Every variant has a row; the table test keeps it that way.
        &SPECIFIERS[0]
    }

    /// The byte after `%`.
    pub const fn byte(self) -> u8 {
        self.info().byte
    }
}

impl Feature {
    /// Looks a feature up by its [`name`](Feature::name) or, for specifier
    /// features, by the specifier as the vectors' `backports` list writes it
    /// (`"%F"`, `"%C"`).
    ///
    /// (Defined here because the `%` form reads the specifier table.)
    pub fn from_name(s: &str) -> Option<Feature> {
        if let Some(letter) = s.strip_prefix('%') {
            let b = match letter.as_bytes() {
                [b] => *b,
                _ => return None,
            };
            return Specifier::from_byte(b).and_then(|s| s.info().feature);
        }
        Feature::ALL.into_iter().find(|f| f.name() == s)
    }
}

impl fmt::Display for Specifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "%{}", self.byte() as char)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_its_own_variant() {
        for (i, row) in SPECIFIERS.iter().enumerate() {
            assert_eq!(row.spec as usize, i, "row order matches the enum");
            assert_eq!(Specifier::from_byte(row.byte), Some(row.spec));
            assert_eq!(row.spec.info().byte, row.byte);
        }
    }
}
