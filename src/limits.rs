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

// The bounds of the numbers a kernel writes for a crash. `Crash::check`
// refuses values outside them; each bound is one no kernel crosses.

/// `PID_MAX_LIMIT` of 64-bit kernels (`include/linux/threads.h`:
/// `4 * 1024 * 1024`), the largest value `kernel.pid_max` accepts.
///
/// `alloc_pid()` takes every PID and TID, in every PID namespace, from
/// `[1, pid_max)` (`idr_alloc_cyclic(…, pid_min, pid_max)`; `clone3()`'s
/// `set_tid` must be below `pid_max` too), and the idle task (PID 0) never
/// dumps. So `%p`, `%P`, `%i` and `%I` are `1..PID_MAX_LIMIT`, at most
/// 4,194,303. (32-bit kernels stop lower, at 32,768.)
pub const PID_MAX_LIMIT: u32 = 4 << 20;

/// `_NSIG` of the generic signal numbering (`asm-generic/signal.h`): signals
/// are `1..=NSIG`, so `%s` (`siginfo->si_signo` of a delivered signal) is
/// never 0 nor above 64. MIPS has 128 signals, but those above 64 are
/// real-time signals there, and no real-time signal dumps core.
pub const NSIG: u32 = 64;

/// `SUID_DUMP_ROOT` (`include/linux/sched/coredump.h`), the largest dumpable
/// mode: `set_dumpable()` refuses anything above it, so `%d` and
/// `fs.suid_dumpable` are 0, 1 or 2.
pub const SUID_DUMP_ROOT: u8 = 2;

/// `INVALID_UID` and `INVALID_GID`: `(uid_t)-1`. No task's credentials hold
/// it (`setresuid()` reads -1 as "unchanged", and since 3.5 `make_kuid()`
/// refuses it, `setuid(-1)` included), and the initial user namespace maps
/// every other value to itself, so `%u` and `%g` are at most
/// `INVALID_ID - 1`. Before 3.5 the kernel printed these fields with `%d`,
/// which shows -1 as `-1`, never as `4294967295`.
pub const INVALID_ID: u32 = u32::MAX;

/// The largest CPU number `%C` can print: `raw_smp_processor_id()` is an
/// `int` printed with `%d`, and CPU numbers are never negative.
///
/// CPU numbers are below `nr_cpu_ids` ≤ `CONFIG_NR_CPUS`, which is a build
/// option (8192 at most on x86-64 and powerpc today; patches for 16384
/// exist), so the type is the only bound every kernel keeps.
pub const CPU_MAX: u32 = 0x7fff_ffff;

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
    fn crash_bounds_are_the_kernels() {
        assert_eq!(PID_MAX_LIMIT, 4_194_304);
        assert_eq!(CPU_MAX, i32::MAX.unsigned_abs());
        assert_eq!(INVALID_ID, -1i32 as u32);
    }

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
