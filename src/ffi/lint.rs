//! Lints: `cpat_lint`, the [`cpat_lint_report`] handle and lint names.

use super::expand::{cpat_settings, settings_of};
use super::kernel::{cpat_kernel, kernel_or_latest};
use super::panic::boundary;
use super::pointers::{bytes, give, handle, release, write_out};
use super::result::cpat_result::{self, *};
use crate::lint::{self, LintReport, Severity};
use std::ffi::c_char;

/// Lint findings. Methods: `cpat_lint`, `cpat_lint_report_count`,
/// `cpat_lint_report_get`, `cpat_lint_report_message`,
/// `cpat_lint_report_help`, `cpat_lint_report_stored`, `cpat_lint_report_free`.
pub struct cpat_lint_report(LintReport);

/// Severity: info.
pub const CPAT_SEVERITY_INFO: u32 = 0;
/// Severity: warning.
pub const CPAT_SEVERITY_WARNING: u32 = 1;
/// Severity: error.
pub const CPAT_SEVERITY_ERROR: u32 = 2;

/// One lint: its stable code (5xx), severity and span.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct cpat_lint_item {
    /// The lint's code (500–524); `cpat_lint_name` gives its name.
    pub code: u32,
    /// `CPAT_SEVERITY_*`.
    pub severity: u32,
    /// First byte of the input it is about.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

/// Lints `input` (the bytes as written) for `kernel` (NULL: newest) and
/// `settings` (NULL: all zero). `*out` is written only on success.
///
/// # Safety
///
/// `input` readable for `len`; `kernel`/`settings` NULL or valid; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_lint(
    input: *const u8,
    len: usize,
    kernel: *const cpat_kernel,
    settings: *const cpat_settings,
    out: *mut *mut cpat_lint_report,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promises.
        let input = try_ffi!(unsafe { bytes(input, len) });
        // SAFETY: forwarded caller promise.
        let k = unsafe { kernel_or_latest(kernel) };
        // SAFETY: forwarded caller promise.
        let s = try_ffi!(unsafe { settings_of(settings) });
        // SAFETY: forwarded caller promise.
        unsafe { give(cpat_lint_report(lint::check(input, &k, &s)), out) }
    })
}

/// Frees a lint report; NULL is a no-op.
///
/// # Safety
///
/// `r` NULL or from `cpat_lint`, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_lint_report_free(r: *mut cpat_lint_report) {
    // SAFETY: forwarded caller promise.
    boundary((), || unsafe { release(r) })
}

/// The number of lints; 0 for NULL.
///
/// # Safety
///
/// `r` NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_lint_report_count(r: *const cpat_lint_report) -> usize {
    // SAFETY: forwarded caller promise.
    boundary(0, || unsafe { handle(r) }.map_or(0, |r| r.0.lints().len()))
}

/// Lint `i` into `*out`.
///
/// # Safety
///
/// `r` live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_lint_report_get(
    r: *const cpat_lint_report,
    i: usize,
    out: *mut cpat_lint_item,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promise.
        let r = try_ffi!(unsafe { handle(r) });
        if out.is_null() {
            return CPAT_RESULT_NULL_PARAMETER;
        }
        let Some(l) = r.0.lints().get(i) else {
            return CPAT_RESULT_INVALID_ARGUMENT;
        };
        let severity = match l.severity() {
            Severity::Info => CPAT_SEVERITY_INFO,
            Severity::Warning => CPAT_SEVERITY_WARNING,
            Severity::Error => CPAT_SEVERITY_ERROR,
        };
        // SAFETY: checked non-NULL; writable by promise.
        unsafe {
            *out = cpat_lint_item {
                code: l.code(),
                severity,
                start: l.span().start,
                end: l.span().end,
            }
        };
        CPAT_RESULT_OK
    })
}

/// The message of lint `i` (UTF-8) with the buffer protocol.
///
/// # Safety
///
/// `r` live; `buf` NULL or writable for `buf_len`; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_lint_report_message(
    r: *const cpat_lint_report,
    i: usize,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promises.
        unsafe { lint_text(r, i, |l| l.message(), buf, buf_len, out_len) }
    })
}

/// The fix hint of lint `i` (UTF-8) with the buffer protocol.
///
/// # Safety
///
/// As `cpat_lint_report_message`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_lint_report_help(
    r: *const cpat_lint_report,
    i: usize,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promises.
        unsafe { lint_text(r, i, |l| l.help(), buf, buf_len, out_len) }
    })
}

/// The value the kernel stores (the input cut as the kernel cuts it), with
/// the buffer protocol.
///
/// # Safety
///
/// As `cpat_lint_report_message`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_lint_report_stored(
    r: *const cpat_lint_report,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promise.
        let r = try_ffi!(unsafe { handle(r) });
        // SAFETY: forwarded caller promises.
        unsafe { write_out(r.0.stored(), buf, buf_len, out_len) }
    })
}

/// Writes one text of lint `i` with the buffer protocol.
///
/// # Safety
///
/// `r` live; `buf` NULL or writable for `buf_len`; `out_len` writable.
unsafe fn lint_text(
    r: *const cpat_lint_report,
    i: usize,
    text: impl Fn(&crate::lint::Lint) -> &str,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> cpat_result {
    // SAFETY: forwarded caller promise.
    let r = try_ffi!(unsafe { handle(r) });
    let Some(l) = r.0.lints().get(i) else {
        return CPAT_RESULT_INVALID_ARGUMENT;
    };
    // SAFETY: forwarded caller promises.
    unsafe { write_out(text(l).as_bytes(), buf, buf_len, out_len) }
}

/// The stable name of a lint code (e.g. `"no-unique-field"`), a static
/// NUL-terminated string; `"unknown"` for other codes. Never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn cpat_lint_name(code: u32) -> *const c_char {
    boundary(c"unknown".as_ptr(), || {
        crate::lint::LintKind::ALL
            .iter()
            .find(|k| k.code() == code)
            .map_or(c"unknown".as_ptr(), |k| k.c_name().as_ptr())
    })
}
