//! What the kernel stores when `kernel.core_pattern` is written.
//!
//! Models `_proc_do_string()` and `proc_dostring_coredump()` in
//! kernel/sysctl.c and fs/coredump.c, as observed on real kernels: a value is cut to 127 bytes and at the
//! first `\n` or NUL while `write(2)` still reports every byte consumed; an
//! empty write changes nothing; several `write(2)` calls on one open file
//! append; `@` values are checked per the kernel's [`SocketCheck`] timing.

use crate::feature::Feature;
use crate::kernel::{KernelProfile, SocketCheck};
use crate::limits::{MAX_PATTERN_LEN, UNIX_PATH_MAX, contains_dotdot_component};
use core::fmt;

/// An error number a sysctl write or read can return.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Errno {
    /// Invalid argument: a `@` value failed `check_coredump_socket()`.
    Einval,
}

impl Errno {
    /// The C name, e.g. `"EINVAL"`.
    pub const fn name(self) -> &'static str {
        match self {
            Errno::Einval => "EINVAL",
        }
    }

    /// The Linux errno number.
    pub const fn number(self) -> i32 {
        match self {
            Errno::Einval => 22,
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The result of writing `kernel.core_pattern` with one or more `write(2)`
/// calls on one open file.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriteOutcome {
    /// What each `write(2)` returned: the full length on success (even when
    /// the kernel stored fewer bytes), `-1` on error.
    pub returns: Vec<i64>,
    /// The errno of the first call that failed.
    pub errno: Option<Errno>,
    /// The value the kernel holds afterwards (and uses at the next dump).
    pub stored: Vec<u8>,
    /// Reading the value back fails with this error (6.16.8+ and
    /// 6.17.0–6.17.4 accept an invalid `@` value, then fail every read).
    pub read_errno: Option<Errno>,
    /// Bytes written that the kernel dropped: cut at 127 bytes, or after a
    /// `\n` or NUL.
    pub dropped: usize,
    /// The kernel logs "Unsafe core_pattern used with fs.suid_dumpable=2"
    /// (`suid_dumpable` is 2 and the value does not start with `/`, `|` or
    /// `@`). Only a warning: the value is stored.
    pub suid_warning: bool,
}

/// The value one `write(2)` of `bytes` stores: everything before the first
/// `\n` or NUL, at most 127 bytes.
///
/// ```
/// assert_eq!(core_pattern::stored_value(b"core.%p\n"), b"core.%p");
/// assert_eq!(core_pattern::stored_value(&[b'a'; 200]).len(), 127);
/// ```
pub fn stored_value(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .position(|&b| b == b'\n' || b == 0)
        .unwrap_or(bytes.len())
        .min(MAX_PATTERN_LEN);
    &bytes[..end]
}

/// `check_coredump_socket()`: whether a stored value passes the kernel's `@`
/// checks. Values not starting with `@` always pass.
pub fn socket_value_ok(value: &[u8], kernel: &KernelProfile) -> bool {
    if value.first() != Some(&b'@') || !kernel.has(Feature::SocketMode) {
        return true;
    }
    if !kernel.in_initial_mount_ns() {
        return false;
    }
    if kernel.has(Feature::SocketRequestMode) {
        let path = match value {
            [b'@', b'@', rest @ ..] => rest,
            [b'@', rest @ ..] => rest,
            _ => return false,
        };
        path.first() == Some(&b'/')
            && path.len() < UNIX_PATH_MAX
            && !contains_dotdot_component(value)
    } else {
        value.get(1) == Some(&b'/')
    }
}

/// Simulates writing `chunks` (one `write(2)` each, on one open file) to
/// `kernel.core_pattern` holding `previous`, with `fs.suid_dumpable` set to
/// `suid_dumpable`.
///
/// ```
/// use core_pattern::{Errno, KernelProfile, write_sysctl};
/// let k = KernelProfile::latest();
/// let w = write_sysctl(&k, b"core", &[b"/tmp/cor", b"es/%p\n"], 0);
/// assert_eq!(w.returns, [8, 6]);
/// assert_eq!(w.stored, b"/tmp/cores/%p");
///
/// // 6.17.5+ rejects a relative socket path and keeps the old value.
/// let w = write_sysctl(&k, b"core", &[b"@run/cd.sock"], 0);
/// assert_eq!((w.returns[0], w.errno), (-1, Some(Errno::Einval)));
/// assert_eq!(w.stored, b"core");
///
/// // 6.16.12 accepts it, and every read fails.
/// let w = write_sysctl(&KernelProfile::parse("6.16.12")?, b"core", &[b"@run/cd.sock"], 0);
/// assert_eq!((w.errno, w.read_errno), (None, Some(Errno::Einval)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_sysctl(
    kernel: &KernelProfile,
    previous: &[u8],
    chunks: &[&[u8]],
    suid_dumpable: u8,
) -> WriteOutcome {
    let mut data: Vec<u8> = stored_value(previous).to_vec();
    let mut pos: usize = 0; // the open file's offset
    let mut out = WriteOutcome {
        returns: Vec::with_capacity(chunks.len()),
        errno: None,
        stored: Vec::new(),
        read_errno: None,
        dropped: 0,
        suid_warning: false,
    };
    let check = kernel.socket_check();
    for chunk in chunks {
        if chunk.is_empty() {
            // `!*lenp`: nothing happens, and 0 is returned.
            out.returns.push(0);
            continue;
        }
        let old = data.clone();
        // _proc_do_string, sysctl_writes_strict = 1.
        let cur = data.len().min(MAX_PATTERN_LEN);
        let mut copied = 0;
        if pos <= cur {
            data.truncate(pos);
            let room = MAX_PATTERN_LEN.saturating_sub(pos);
            let take = chunk
                .iter()
                .take(room)
                .take_while(|&&c| c != 0 && c != b'\n')
                .count();
            data.extend_from_slice(&chunk[..take]);
            copied = take;
        }
        let rejected = matches!(check, SocketCheck::Write | SocketCheck::WriteAndRead)
            && !socket_value_ok(&data, kernel);
        if rejected {
            data = old;
            out.returns.push(-1);
            out.errno.get_or_insert(Errno::Einval);
            continue;
        }
        pos = pos.saturating_add(chunk.len());
        out.dropped += chunk.len() - copied;
        out.returns
            .push(i64::try_from(chunk.len()).unwrap_or(i64::MAX));
        if suid_dumpable == 2 && !matches!(data.first(), Some(b'/' | b'|' | b'@')) {
            out.suid_warning = true;
        }
    }
    if matches!(check, SocketCheck::ReadOnly | SocketCheck::WriteAndRead)
        && !socket_value_ok(&data, kernel)
    {
        out.read_errno = Some(Errno::Einval);
    }
    out.stored = data;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_after_a_cut_is_ignored() {
        let k = KernelProfile::latest();
        // The first write is cut at the newline but advances the offset by
        // its full length; the second write starts past the end: ignored.
        let w = write_sysctl(&k, b"core", &[b"ab\ncd", b"x"], 0);
        assert_eq!(w.returns, [5, 1]);
        assert_eq!(w.stored, b"ab");
        assert_eq!(w.dropped, 4);
    }

    #[test]
    fn socket_rules_by_version() {
        let k617 = KernelProfile::latest();
        let k616 = KernelProfile::parse("6.16.3").unwrap();
        for (v, ok617, ok616) in [
            (&b"@/run/x"[..], true, true),
            (b"@@/run/x", true, false),
            (b"@", false, false),
            (b"@@", false, false),
            (b"@@@/x", false, false),
            (b"@ /x", false, false),
            (b"@run/x", false, false),
            (b"@/a/../b", false, true),
            (b"@/a..b", true, true),
            (b"@/tmp/a b", true, true),
            (b"@/tmp/%p.sock", true, true),
        ] {
            assert_eq!(socket_value_ok(v, &k617), ok617, "{v:?} on 6.17+");
            assert_eq!(socket_value_ok(v, &k616), ok616, "{v:?} on 6.16");
        }
        let mut long = b"@/".to_vec();
        long.extend([b'a'; 106]);
        assert!(socket_value_ok(&long, &k617));
        long.push(b'a');
        assert!(!socket_value_ok(&long, &k617));
        let other_ns = k617.with_initial_mount_ns(false);
        assert!(!socket_value_ok(b"@/run/x", &other_ns));
        assert!(socket_value_ok(b"/core", &other_ns));
    }
}
