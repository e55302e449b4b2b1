//! Expansion: [`cpat_settings`], [`cpat_crash`], `cpat_pattern_expand*`
//! and the [`cpat_outcome`] handle.

use super::panic::boundary;
use super::pattern::cpat_pattern;
use super::pointers::{bytes, give, handle, release, write_out};
use super::result::cpat_result::{self, *};
use super::result::result_of_code;
use crate::expand::{CoreLimit, Crash, ExpandError, NoDumpReason, Outcome, Settings};
use crate::kernel::KernelProfile;
use crate::limits::SUID_DUMP_ROOT;
use crate::signal::Signal;

/// The sysctls besides `core_pattern`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct cpat_settings {
    /// `kernel.core_uses_pid` (nonzero: on).
    pub core_uses_pid: u32,
    /// `fs.suid_dumpable`.
    pub suid_dumpable: u8,
    /// `kernel.core_pipe_limit`.
    pub core_pipe_limit: u32,
}

/// The crashing process. Byte strings are pointer + length (NULL only with
/// length 0) and are read during the call only.
///
/// The numbers must be ones a kernel produces, or the functions taking a
/// crash return `CPAT_RESULT_INVALID_ARGUMENT`; `cpat_crash_check` says
/// which field is out of range.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct cpat_crash {
    /// `%p`: 1 to 4194303 (below `PID_MAX_LIMIT`).
    pub pid: u32,
    /// `%i`: 1 to 4194303.
    pub tid: u32,
    /// `%P`: 1 to 4194303.
    pub global_pid: u32,
    /// `%I`: 1 to 4194303.
    pub global_tid: u32,
    /// `%u`: not `UINT32_MAX` (`INVALID_UID`).
    pub uid: u32,
    /// `%g`: not `UINT32_MAX` (`INVALID_GID`).
    pub gid: u32,
    /// 0, 1 or 2 (`%d`).
    pub dumpable: u8,
    /// `%s`: 1 to 64.
    pub signal: u32,
    /// `%t`.
    pub time: i64,
    /// `%h`.
    pub hostname: *const u8,
    /// Its length.
    pub hostname_len: usize,
    /// `%e`.
    pub comm: *const u8,
    /// Its length.
    pub comm_len: usize,
    /// `%E`/`%f`; ignored when `has_exe` is false.
    pub exe: *const u8,
    /// Its length.
    pub exe_len: usize,
    /// Whether the process has an executable file.
    pub has_exe: bool,
    /// `%C`: at most `INT32_MAX`.
    pub cpu: u32,
    /// Whether the soft core limit is unlimited.
    pub core_limit_unlimited: bool,
    /// The soft core limit in bytes, when not unlimited.
    pub core_limit: u64,
}

/// The C view of a Rust [`Crash`], for Rust code (tests, benchmarks, a
/// Rust caller driving the C ABI). The byte-string pointers borrow from
/// `c`: the result is valid only while `c`'s bytes are.
impl From<&Crash<'_>> for cpat_crash {
    fn from(c: &Crash<'_>) -> cpat_crash {
        cpat_crash {
            pid: c.pid,
            tid: c.tid,
            global_pid: c.global_pid,
            global_tid: c.global_tid,
            uid: c.uid,
            gid: c.gid,
            dumpable: c.dumpable,
            signal: c.signal.number(),
            time: c.time,
            hostname: c.hostname.as_ptr(),
            hostname_len: c.hostname.len(),
            comm: c.comm.as_ptr(),
            comm_len: c.comm.len(),
            exe: c.exe.map_or(std::ptr::null(), <[u8]>::as_ptr),
            exe_len: c.exe.map_or(0, <[u8]>::len),
            has_exe: c.exe.is_some(),
            cpu: c.cpu,
            core_limit_unlimited: c.core_limit == CoreLimit::Unlimited,
            core_limit: match c.core_limit {
                CoreLimit::Bytes(n) => n,
                CoreLimit::Unlimited => 0,
            },
        }
    }
}

/// The settings behind `s`; all zero for NULL.
///
/// # Errors
///
/// `CPAT_RESULT_INVALID_ARGUMENT` for a `suid_dumpable` no kernel accepts
/// (only 0, 1 and 2).
///
/// # Safety
///
/// `s` must be NULL or point to a valid `cpat_settings`.
pub(super) unsafe fn settings_of(s: *const cpat_settings) -> Result<Settings, cpat_result> {
    if s.is_null() {
        return Ok(Settings::default());
    }
    // SAFETY: non-NULL and valid by the caller's promise.
    let s = unsafe { &*s };
    if s.suid_dumpable > SUID_DUMP_ROOT {
        return Err(CPAT_RESULT_INVALID_ARGUMENT);
    }
    Ok(Settings::new()
        .with_core_uses_pid(s.core_uses_pid != 0)
        .with_suid_dumpable(s.suid_dumpable)
        .with_core_pipe_limit(s.core_pipe_limit))
}

/// The Rust view of a C crash, its numbers unchecked.
///
/// # Errors
///
/// `CPAT_RESULT_NULL_PARAMETER` for a NULL byte string with a nonzero
/// length.
///
/// # Safety
///
/// The crash's byte strings must be valid for their lengths while the
/// result is used.
unsafe fn crash_of<'a>(c: &cpat_crash) -> Result<Crash<'a>, cpat_result> {
    Ok(Crash {
        pid: c.pid,
        tid: c.tid,
        global_pid: c.global_pid,
        global_tid: c.global_tid,
        uid: c.uid,
        gid: c.gid,
        dumpable: c.dumpable,
        signal: Signal::new(c.signal),
        time: c.time,
        // SAFETY: each byte string is valid for its length by promise.
        hostname: unsafe { bytes(c.hostname, c.hostname_len) }?,
        // SAFETY: as above.
        comm: unsafe { bytes(c.comm, c.comm_len) }?,
        exe: if c.has_exe {
            // SAFETY: as above.
            Some(unsafe { bytes(c.exe, c.exe_len) }?)
        } else {
            None
        },
        cpu: c.cpu,
        core_limit: if c.core_limit_unlimited {
            CoreLimit::Unlimited
        } else {
            CoreLimit::Bytes(c.core_limit)
        },
    })
}

/// The settings and the crash for an expansion on `kernel`.
///
/// # Errors
///
/// `CPAT_RESULT_NULL_PARAMETER` for a NULL crash (or a NULL byte string
/// with a length); `CPAT_RESULT_INVALID_ARGUMENT` for a `suid_dumpable` or
/// a crash field no kernel has ([`Crash::check_on`]).
///
/// # Safety
///
/// `s` and `c` must be NULL or valid, with the crash's byte strings valid
/// for their lengths.
unsafe fn inputs<'a>(
    s: *const cpat_settings,
    c: *const cpat_crash,
    kernel: &KernelProfile,
) -> Result<(Settings, Crash<'a>), cpat_result> {
    if c.is_null() {
        return Err(CPAT_RESULT_NULL_PARAMETER);
    }
    // SAFETY: forwarded caller promise.
    let settings = unsafe { settings_of(s) }?;
    // SAFETY: non-NULL and valid by promise, byte strings included.
    let crash = unsafe { crash_of(&*c) }?;
    // PID 0, signal 0, dumpable 7...: no kernel has them.
    if crash.check_on(kernel).is_err() {
        return Err(CPAT_RESULT_INVALID_ARGUMENT);
    }
    Ok((settings, crash))
}

/// What the kernel does with a core. Methods: `cpat_outcome_kind`,
/// `cpat_outcome_reason`, `cpat_outcome_path`, `cpat_outcome_argc`,
/// `cpat_outcome_arg`, `cpat_outcome_pidfd`, `cpat_outcome_request`,
/// `cpat_outcome_free`.
pub struct cpat_outcome(Outcome);

/// Outcome kind: a file.
pub const CPAT_OUTCOME_FILE: u32 = 0;
/// Outcome kind: a pipe helper.
pub const CPAT_OUTCOME_PIPE: u32 = 1;
/// Outcome kind: a socket.
pub const CPAT_OUTCOME_SOCKET: u32 = 2;
/// Outcome kind: no core (`cpat_outcome_reason` says why).
pub const CPAT_OUTCOME_NONE: u32 = 3;

/// Expands `p` for a crash. `settings` may be NULL (all zero). `*out` is
/// written only on success; free it with `cpat_outcome_free`.
/// `CPAT_RESULT_INVALID_ARGUMENT` for a crash with a number no kernel
/// produces (PID 0, signal 65, `dumpable` 7: `cpat_crash_check` names the
/// field and its range) or a `suid_dumpable` above 2.
///
/// # Safety
///
/// `p` live; `settings` NULL or valid; `crash` valid with its byte strings;
/// `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_pattern_expand(
    p: *const cpat_pattern,
    settings: *const cpat_settings,
    crash: *const cpat_crash,
    out: *mut *mut cpat_outcome,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promises.
        let p = try_ffi!(unsafe { handle(p) });
        // SAFETY: forwarded caller promises.
        let (s, c) = try_ffi!(unsafe { inputs(settings, crash, p.0.kernel()) });
        let o = p.0.expand(&s, &c);
        // SAFETY: forwarded caller promise.
        unsafe { give(cpat_outcome(o), out) }
    })
}

/// The file name for a crash into a caller buffer, without allocating.
/// Returns `CPAT_RESULT_OK`, `CPAT_RESULT_BUFFER_TOO_SMALL` (with the length
/// needed in `*out_len`), `CPAT_RESULT_NOT_FILE_MODE`, the no-dump reason
/// (2xx), or `CPAT_RESULT_INVALID_ARGUMENT` as `cpat_pattern_expand` (a
/// crash `cpat_crash_check` refuses, a `suid_dumpable` above 2).
///
/// # Safety
///
/// As `cpat_pattern_expand`; `buf` NULL or writable for `buf_len` bytes;
/// `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_pattern_expand_file_name(
    p: *const cpat_pattern,
    settings: *const cpat_settings,
    crash: *const cpat_crash,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promises.
        let p = try_ffi!(unsafe { handle(p) });
        // SAFETY: forwarded caller promises.
        let (s, c) = try_ffi!(unsafe { inputs(settings, crash, p.0.kernel()) });
        if out_len.is_null() {
            return CPAT_RESULT_NULL_PARAMETER;
        }
        // Expand into a stack buffer first so that a short caller buffer is
        // left untouched; long names fall back to the heap.
        let mut stack = [0u8; 512];
        let r = p.0.expand_file_name_into(&s, &c, &mut stack);
        let heap;
        let name: &[u8] = match r {
            Ok(n) => &stack[..n],
            Err(ExpandError::BufferTooSmall { required }) => {
                let mut v = vec![0u8; required];
                match p.0.expand_file_name_into(&s, &c, &mut v) {
                    Ok(n) => {
                        v.truncate(n);
                        heap = v;
                        &heap
                    }
                    Err(e) => return result_of_code(e.code()),
                }
            }
            Err(e) => return result_of_code(e.code()),
        };
        // SAFETY: forwarded caller promises.
        unsafe { write_out(name, buf, buf_len, out_len) }
    })
}

/// Checks that every number in a crash is one a kernel produces: `pid`,
/// `tid`, `global_pid` and `global_tid` 1 to 4194303, `uid` and `gid` not
/// `UINT32_MAX`, `dumpable` 0 to 2, `signal` 1 to 64, `cpu` at most
/// `INT32_MAX`. These are the crashes `cpat_pattern_expand` and
/// `cpat_pattern_expand_file_name` accept.
///
/// Returns `CPAT_RESULT_OK` for such a crash (nothing is written to `buf`,
/// `*out_len` is 0). Otherwise the result is not `CPAT_RESULT_OK`, and the
/// first field out of range is described with the buffer protocol, e.g.
/// `tid 0 is outside what a kernel produces for %i: 1..=4194303`:
/// `CPAT_RESULT_INVALID_ARGUMENT` when the message was written (its length
/// in `*out_len`), `CPAT_RESULT_BUFFER_TOO_SMALL` when it does not fit
/// (`*out_len` is the length needed; `buf == NULL` with `buf_len == 0` asks
/// for it). `CPAT_RESULT_NULL_PARAMETER` for a NULL `crash` or `out_len`,
/// or a NULL byte string with a nonzero length.
///
/// Stateless and thread-safe; the message is not NUL-terminated.
///
/// # Safety
///
/// `crash` NULL or valid with its byte strings; `buf` NULL or writable for
/// `buf_len` bytes; `out_len` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_crash_check(
    crash: *const cpat_crash,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        if crash.is_null() || out_len.is_null() {
            return CPAT_RESULT_NULL_PARAMETER;
        }
        // SAFETY: non-NULL and valid by promise, byte strings included.
        let c = try_ffi!(unsafe { crash_of(&*crash) });
        match c.check() {
            Ok(()) => {
                // SAFETY: non-NULL and writable by promise.
                unsafe { *out_len = 0 };
                CPAT_RESULT_OK
            }
            Err(e) => {
                let message = e.to_string();
                // SAFETY: forwarded caller promises.
                match unsafe { write_out(message.as_bytes(), buf, buf_len, out_len) } {
                    CPAT_RESULT_OK => CPAT_RESULT_INVALID_ARGUMENT,
                    other => other,
                }
            }
        }
    })
}

/// Frees an outcome; NULL is a no-op.
///
/// # Safety
///
/// `o` must be NULL or an outcome from `cpat_pattern_expand`, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_outcome_free(o: *mut cpat_outcome) {
    // SAFETY: forwarded caller promise.
    boundary((), || unsafe { release(o) })
}

/// The outcome's kind (`CPAT_OUTCOME_*`); `UINT32_MAX` for NULL.
///
/// # Safety
///
/// `o` NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_outcome_kind(o: *const cpat_outcome) -> u32 {
    boundary(u32::MAX, || {
        // SAFETY: forwarded caller promise.
        match unsafe { handle(o) } {
            Ok(o) => match o.0 {
                Outcome::File { .. } => CPAT_OUTCOME_FILE,
                Outcome::Pipe { .. } => CPAT_OUTCOME_PIPE,
                Outcome::Socket { .. } => CPAT_OUTCOME_SOCKET,
                Outcome::NoDump { .. } => CPAT_OUTCOME_NONE,
            },
            Err(_) => u32::MAX,
        }
    })
}

/// Why there is no core: the reason's code (2xx), or 0 when there is a core
/// or `o` is NULL.
///
/// # Safety
///
/// `o` NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_outcome_reason(o: *const cpat_outcome) -> u32 {
    boundary(0, || {
        // SAFETY: forwarded caller promise.
        unsafe { handle(o) }
            .ok()
            .and_then(|o| o.0.no_dump_reason().map(NoDumpReason::code))
            .unwrap_or(0)
    })
}

/// The file name (file outcomes) or socket path (socket outcomes), with the
/// buffer protocol; `CPAT_RESULT_INVALID_ARGUMENT` for other kinds.
///
/// # Safety
///
/// `o` live; `buf` NULL or writable for `buf_len`; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_outcome_path(
    o: *const cpat_outcome,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promise.
        let o = try_ffi!(unsafe { handle(o) });
        let data = match &o.0 {
            Outcome::File { name } => name,
            Outcome::Socket { path, .. } => path,
            _ => return CPAT_RESULT_INVALID_ARGUMENT,
        };
        // SAFETY: forwarded caller promises.
        unsafe { write_out(data, buf, buf_len, out_len) }
    })
}

/// The number of helper arguments (pipe outcomes), else 0.
///
/// # Safety
///
/// `o` NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_outcome_argc(o: *const cpat_outcome) -> usize {
    // SAFETY: forwarded caller promise.
    boundary(0, || match unsafe { handle(o) } {
        Ok(cpat_outcome(Outcome::Pipe { argv, .. })) => argv.len(),
        _ => 0,
    })
}

/// Helper argument `i` with the buffer protocol.
///
/// # Safety
///
/// `o` live; `buf` NULL or writable for `buf_len`; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_outcome_arg(
    o: *const cpat_outcome,
    i: usize,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promise.
        let o = try_ffi!(unsafe { handle(o) });
        let Outcome::Pipe { argv, .. } = &o.0 else {
            return CPAT_RESULT_INVALID_ARGUMENT;
        };
        let Some(a) = argv.get(i) else {
            return CPAT_RESULT_INVALID_ARGUMENT;
        };
        // SAFETY: forwarded caller promises.
        unsafe { write_out(a, buf, buf_len, out_len) }
    })
}

/// Whether the helper gets a pidfd at fd 3 (pipe outcomes).
///
/// # Safety
///
/// `o` NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_outcome_pidfd(o: *const cpat_outcome) -> bool {
    boundary(false, || {
        // SAFETY: forwarded caller promise.
        let o = unsafe { handle(o) };
        matches!(o, Ok(cpat_outcome(Outcome::Pipe { pidfd: true, .. })))
    })
}

/// Whether the socket uses the `@@` request protocol (socket outcomes).
///
/// # Safety
///
/// `o` NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_outcome_request(o: *const cpat_outcome) -> bool {
    boundary(false, || {
        // SAFETY: forwarded caller promise.
        let o = unsafe { handle(o) };
        matches!(o, Ok(cpat_outcome(Outcome::Socket { request: true, .. })))
    })
}
