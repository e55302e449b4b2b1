//! The kernel's limits, and the path rules that both the sysctl write and
//! expansion apply. The bottom of the crate: it depends on nothing.

/// The kernel's limit on the stored pattern: `CORENAME_MAX_SIZE` (128) minus
/// the terminating NUL.
pub const MAX_PATTERN_LEN: usize = 127;

/// `binfmt->min_coredump` for ELF: one page. A soft `RLIMIT_CORE` below it
/// means no file dump.
pub const MIN_COREDUMP: u64 = 4096;
/// Longest file name component (`NAME_MAX`) on common filesystems.
pub const NAME_MAX: usize = 255;
/// `PATH_MAX`, including the terminating NUL.
pub const PATH_MAX: usize = 4096;
/// `UNIX_PATH_MAX`: size of `sun_path`; a socket path must be shorter.
pub const UNIX_PATH_MAX: usize = 108;
/// `TASK_COMM_LEN` minus the NUL: `%e` is at most 15 bytes.
pub const COMM_MAX: usize = 15;
/// `__NEW_UTS_LEN`: `%h` is at most 64 bytes.
pub const HOSTNAME_MAX: usize = 64;
/// The fd number `%F` prints and the helper's pidfd is installed at.
pub const PIDFD_NUMBER: u32 = 3;

/// Whether `..` appears as a path component (bounded by `/` or the ends of
/// the string), as the kernel's `name_contains_dotdot()` decides.
pub(crate) fn contains_dotdot_component(s: &[u8]) -> bool {
    s.windows(2).enumerate().any(|(i, w)| {
        w == b".." && (i == 0 || s[i - 1] == b'/') && (i + 2 == s.len() || s[i + 2] == b'/')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotdot_components() {
        for (s, want) in [
            (&b"@/a/../b"[..], true),
            (b"@/a/..", true),
            (b"..", true),
            (b"@/a..b", false),
            (b"@/a/...", false),
            (b"@..", false),
        ] {
            assert_eq!(contains_dotdot_component(s), want, "{s:?}");
        }
    }
}
