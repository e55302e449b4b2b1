//! Patterns: the [`cpat_pattern`] handle, its mode and tokens, and the
//! model of writing `kernel.core_pattern` (`cpat_sysctl_write`).

use super::kernel::{cpat_kernel, kernel_or_latest};
use super::panic::boundary;
use super::pointers::{bytes, give, handle, release, set_diag, write_out};
use super::result::cpat_result::{self, *};
use super::result::{cpat_diag, result_of_code};
use crate::parse::{Mode, ParseOptions, Pattern, TokenKind};
use crate::sysctl::write_sysctl;

/// A parsed pattern. Methods: `cpat_pattern_parse`, `cpat_pattern_mode`,
/// `cpat_pattern_token_count`, `cpat_pattern_token_get`,
/// `cpat_pattern_expand`, `cpat_pattern_expand_file_name`,
/// `cpat_matcher_new`, `cpat_pattern_free`.
pub struct cpat_pattern(pub(super) Pattern);

/// File mode.
pub const CPAT_MODE_FILE: u32 = 0;
/// `|helper` mode.
pub const CPAT_MODE_PIPE: u32 = 1;
/// `@socket` mode.
pub const CPAT_MODE_SOCKET: u32 = 2;
/// `@@socket` mode.
pub const CPAT_MODE_SOCKET_REQUEST: u32 = 3;

/// Token kind: the mode prefix.
pub const CPAT_TOKEN_MODE_PREFIX: u32 = 0;
/// Token kind: literal bytes.
pub const CPAT_TOKEN_LITERAL: u32 = 1;
/// Token kind: a known specifier (`specifier` holds its letter).
pub const CPAT_TOKEN_SPECIFIER: u32 = 2;
/// Token kind: an unknown `%x` (`specifier` holds the byte).
pub const CPAT_TOKEN_UNKNOWN: u32 = 3;
/// Token kind: a trailing lone `%`.
pub const CPAT_TOKEN_TRAILING_PERCENT: u32 = 4;
/// Token kind: pipe-mode whitespace.
pub const CPAT_TOKEN_SPACE: u32 = 5;

/// One token of a pattern.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct cpat_token {
    /// `CPAT_TOKEN_*`.
    pub kind: u32,
    /// The byte after `%` for specifier tokens, else 0.
    pub specifier: u32,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

/// Parses a pattern for `kernel` (NULL: the newest). On error `diag` (may be
/// NULL) gets the code and the offending span. `*out` is written only on
/// success; free it with `cpat_pattern_free`.
///
/// # Safety
///
/// `pattern` must point to `len` readable bytes (or be NULL with length 0);
/// `kernel` NULL or live; `out` writable; `diag` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_pattern_parse(
    pattern: *const u8,
    len: usize,
    kernel: *const cpat_kernel,
    out: *mut *mut cpat_pattern,
    diag: *mut cpat_diag,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promises.
        let input = try_ffi!(unsafe { bytes(pattern, len) });
        // SAFETY: forwarded caller promise.
        let k = unsafe { kernel_or_latest(kernel) };
        match ParseOptions::new().kernel(k).parse(input) {
            // SAFETY: forwarded caller promise.
            Ok(p) => unsafe { give(cpat_pattern(p), out) },
            Err(e) => {
                let d = cpat_diag {
                    code: e.code(),
                    start: e.span().start,
                    end: e.span().end,
                    ..Default::default()
                };
                // SAFETY: forwarded caller promise.
                unsafe { set_diag(diag, d) };
                result_of_code(e.code())
            }
        }
    })
}

/// Frees a pattern; NULL is a no-op.
///
/// # Safety
///
/// `p` must be NULL or a pattern from `cpat_pattern_parse`, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_pattern_free(p: *mut cpat_pattern) {
    // SAFETY: forwarded caller promise.
    boundary((), || unsafe { release(p) })
}

/// The pattern's mode (`CPAT_MODE_*`); `UINT32_MAX` for NULL.
///
/// # Safety
///
/// `p` must be NULL or a live pattern.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_pattern_mode(p: *const cpat_pattern) -> u32 {
    boundary(u32::MAX, || {
        // SAFETY: forwarded caller promise.
        match unsafe { handle(p) } {
            Ok(p) => match p.0.mode() {
                Mode::File => CPAT_MODE_FILE,
                Mode::Pipe => CPAT_MODE_PIPE,
                Mode::Socket => CPAT_MODE_SOCKET,
                _ => CPAT_MODE_SOCKET_REQUEST,
            },
            Err(_) => u32::MAX,
        }
    })
}

/// The number of tokens; 0 for NULL.
///
/// # Safety
///
/// `p` must be NULL or a live pattern.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_pattern_token_count(p: *const cpat_pattern) -> usize {
    // SAFETY: forwarded caller promise.
    boundary(0, || unsafe { handle(p) }.map_or(0, |p| p.0.tokens().len()))
}

/// Token `i` into `*out`.
///
/// # Safety
///
/// `p` NULL or live; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_pattern_token_get(
    p: *const cpat_pattern,
    i: usize,
    out: *mut cpat_token,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promise.
        let p = try_ffi!(unsafe { handle(p) });
        if out.is_null() {
            return CPAT_RESULT_NULL_PARAMETER;
        }
        let Some(t) = p.0.tokens().get(i) else {
            return CPAT_RESULT_INVALID_ARGUMENT;
        };
        let (kind, specifier) = match t.kind {
            TokenKind::ModePrefix => (CPAT_TOKEN_MODE_PREFIX, 0),
            TokenKind::Literal => (CPAT_TOKEN_LITERAL, 0),
            TokenKind::Spec(s) => (CPAT_TOKEN_SPECIFIER, u32::from(s.byte())),
            TokenKind::Unknown(b) => (CPAT_TOKEN_UNKNOWN, u32::from(b)),
            TokenKind::TrailingPercent => (CPAT_TOKEN_TRAILING_PERCENT, 0),
            _ => (CPAT_TOKEN_SPACE, 0),
        };
        // SAFETY: checked non-NULL; writable by the caller's promise.
        unsafe {
            *out = cpat_token {
                kind,
                specifier,
                start: t.span.start,
                end: t.span.end,
            }
        };
        CPAT_RESULT_OK
    })
}

// ---------------------------------------------------------------------------
// The sysctl write model

/// What a simulated write of `kernel.core_pattern` did.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct cpat_write_info {
    /// The errno of the first failing `write(2)` (22 for EINVAL), or 0.
    pub errno_value: i32,
    /// The errno reading the value back fails with, or 0.
    pub read_errno: i32,
    /// Bytes written that the kernel dropped.
    pub dropped: usize,
    /// Whether the kernel logs the suid_dumpable=2 warning.
    pub suid_warning: bool,
}

/// Simulates `n` `write(2)` calls of `chunks[i]` (`chunk_lens[i]` bytes) on
/// one open `/proc/sys/kernel/core_pattern` holding `previous`, on `kernel`
/// (NULL: the newest) with `fs.suid_dumpable` = `suid_dumpable`. Writes each
/// call's return value to `returns[i]` (NULL: skipped), the details to
/// `*info` (NULL: skipped) and the stored value with the buffer protocol.
///
/// # Safety
///
/// Every pointer must be NULL or valid for its length: `chunks` and
/// `chunk_lens` for `n` entries, each chunk for its length; `returns` for
/// `n` writable `int64_t`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn cpat_sysctl_write(
    kernel: *const cpat_kernel,
    previous: *const u8,
    previous_len: usize,
    chunks: *const *const u8,
    chunk_lens: *const usize,
    n: usize,
    suid_dumpable: u8,
    returns: *mut i64,
    info: *mut cpat_write_info,
    stored: *mut u8,
    stored_len: usize,
    stored_out_len: *mut usize,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promises.
        let prev = try_ffi!(unsafe { bytes(previous, previous_len) });
        if n > 0 && (chunks.is_null() || chunk_lens.is_null()) {
            return CPAT_RESULT_NULL_PARAMETER;
        }
        let mut owned: Vec<&[u8]> = Vec::with_capacity(n);
        for i in 0..n {
            // SAFETY: `chunks` and `chunk_lens` hold `n` entries by promise.
            let (p, l) = unsafe { (*chunks.add(i), *chunk_lens.add(i)) };
            // SAFETY: each chunk is readable for its length by promise.
            owned.push(try_ffi!(unsafe { bytes(p, l) }));
        }
        // SAFETY: forwarded caller promise.
        let k = unsafe { kernel_or_latest(kernel) };
        let w = write_sysctl(&k, prev, &owned, suid_dumpable);
        if !returns.is_null() {
            for (i, r) in w.returns.iter().enumerate() {
                // SAFETY: `returns` holds `n` writable entries by promise.
                unsafe { *returns.add(i) = *r };
            }
        }
        if !info.is_null() {
            // SAFETY: checked non-NULL; writable by promise.
            unsafe {
                *info = cpat_write_info {
                    errno_value: w.errno.map_or(0, |e| e.number()),
                    read_errno: w.read_errno.map_or(0, |e| e.number()),
                    dropped: w.dropped,
                    suid_warning: w.suid_warning,
                }
            };
        }
        // SAFETY: forwarded caller promise.
        unsafe { write_out(&w.stored, stored, stored_len, stored_out_len) }
    })
}
