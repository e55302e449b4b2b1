//! The C ABI (feature `capi`). The only module with `unsafe`.
//!
//! Conventions (see the README's "From C"):
//!
//! - Every function returns a [`cpat_result`] (0 is success) or a plain
//!   value, and never unwinds: a panic becomes [`cpat_result::CPAT_RESULT_PANIC`]
//!   (or NULL/0/false).
//! - Inputs are `(const uint8_t *ptr, size_t len)`, copied, never kept; a
//!   NULL `ptr` is allowed only with `len == 0`.
//! - Byte outputs use `(uint8_t *buf, size_t buf_len, size_t *out_len)`: on
//!   success the bytes are written and `*out_len` is their count; when
//!   `buf_len` is too small nothing is written, `*out_len` is the length
//!   needed, and the result is `CPAT_RESULT_BUFFER_TOO_SMALL`. `buf == NULL`
//!   with `buf_len == 0` asks for the length. Outputs are not NUL-terminated.
//! - Handles are created through `**out` (written only on success) and
//!   released with their `_free` function, which accepts NULL. Freeing twice
//!   is forbidden. Handles are immutable after creation and safe to share
//!   between threads.
//! - Enumerations received from C are taken as `uint32_t` and checked.

#![allow(unsafe_code)]
#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

use crate::expand::{CoreLimit, Crash, ExpandError, NoDumpReason, Outcome, Settings};
use crate::k8s::{CheckOptions, ManifestError, ManifestSet, try_check};
use crate::kernel::{Feature, KernelProfile};
use crate::lint::{LintReport, Severity, lint};
use crate::parse::{Mode, ParseOptions, Pattern, TokenKind};
use crate::reverse::{MatchError, MatchOptions, Matcher, Target};
use crate::signal::Signal;
use crate::sysctl::write_sysctl;
use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Result codes. `CPAT_RESULT_OK` is 0; the others are banded as the Rust
/// codes: 1xx parse, 2xx expand (no-dump reasons), 3xx matching, 4xx
/// manifests, 9xx API misuse.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum cpat_result {
    /// Success.
    CPAT_RESULT_OK = 0,
    /// The pattern is over 127 bytes.
    CPAT_RESULT_PARSE_TOO_LONG = 100,
    /// The pattern contains a newline.
    CPAT_RESULT_PARSE_NEWLINE = 101,
    /// The pattern contains a NUL byte.
    CPAT_RESULT_PARSE_NUL = 102,
    /// The kernel release string is not one.
    CPAT_RESULT_BAD_KERNEL_RELEASE = 110,
    /// No dump: the signal does not dump core.
    CPAT_RESULT_NO_DUMP_SIGNAL_NOT_CORE = 200,
    /// No dump: the process is not dumpable.
    CPAT_RESULT_NO_DUMP_NOT_DUMPABLE = 201,
    /// No dump: `|` with no helper.
    CPAT_RESULT_NO_DUMP_EMPTY_PIPE = 202,
    /// No dump: the executable path does not fit in PATH_MAX.
    CPAT_RESULT_NO_DUMP_EXE_PATH_TOO_LONG = 203,
    /// No dump: an invalid socket path.
    CPAT_RESULT_NO_DUMP_SOCKET_INVALID = 204,
    /// No dump: the core limit is below one page.
    CPAT_RESULT_NO_DUMP_CORE_LIMIT_BELOW_PAGE = 205,
    /// No dump: a suid-safe dump needs an absolute name.
    CPAT_RESULT_NO_DUMP_SUID_NEEDS_ABSOLUTE = 206,
    /// No dump: the file name is empty.
    CPAT_RESULT_NO_DUMP_EMPTY_NAME = 207,
    /// No dump: a name component is over 255 bytes.
    CPAT_RESULT_NO_DUMP_NAME_TOO_LONG = 208,
    /// No dump: the name is 4096 bytes or longer.
    CPAT_RESULT_NO_DUMP_PATH_TOO_LONG = 209,
    /// No dump: a core limit of 1 aborts pipe dumps.
    CPAT_RESULT_NO_DUMP_PIPE_RLIMIT_ONE = 210,
    /// Not returned any more (a relative helper is resolved from `/`); the
    /// code stays assigned.
    CPAT_RESULT_NO_DUMP_HELPER_NOT_ABSOLUTE = 211,
    /// The pattern is not a file pattern.
    CPAT_RESULT_NOT_FILE_MODE = 250,
    /// Socket patterns have no fields to match.
    CPAT_RESULT_MATCH_NO_FIELDS = 300,
    /// The match target does not fit the pattern's mode.
    CPAT_RESULT_MATCH_WRONG_TARGET = 301,
    /// The manifest is not YAML or JSON.
    CPAT_RESULT_MANIFEST_SYNTAX = 400,
    /// A manifest field has the wrong type or is missing.
    CPAT_RESULT_MANIFEST_FIELD = 401,
    /// The manifest is too large.
    CPAT_RESULT_MANIFEST_TOO_LARGE = 402,
    /// A required pointer is NULL.
    CPAT_RESULT_NULL_PARAMETER = 900,
    /// The output buffer is too small; `*out_len` holds the length needed.
    CPAT_RESULT_BUFFER_TOO_SMALL = 901,
    /// Input that must be UTF-8 is not.
    CPAT_RESULT_INVALID_UTF8 = 902,
    /// An enumeration value or index is out of range.
    CPAT_RESULT_INVALID_ARGUMENT = 903,
    /// A panic was caught (a bug in this library).
    CPAT_RESULT_PANIC = 999,
}

use cpat_result::*;

impl cpat_result {
    fn from_code(code: u32) -> Option<cpat_result> {
        ALL_RESULTS.iter().copied().find(|r| *r as u32 == code)
    }
}

const ALL_RESULTS: [cpat_result; 28] = [
    CPAT_RESULT_OK,
    CPAT_RESULT_PARSE_TOO_LONG,
    CPAT_RESULT_PARSE_NEWLINE,
    CPAT_RESULT_PARSE_NUL,
    CPAT_RESULT_BAD_KERNEL_RELEASE,
    CPAT_RESULT_NO_DUMP_SIGNAL_NOT_CORE,
    CPAT_RESULT_NO_DUMP_NOT_DUMPABLE,
    CPAT_RESULT_NO_DUMP_EMPTY_PIPE,
    CPAT_RESULT_NO_DUMP_EXE_PATH_TOO_LONG,
    CPAT_RESULT_NO_DUMP_SOCKET_INVALID,
    CPAT_RESULT_NO_DUMP_CORE_LIMIT_BELOW_PAGE,
    CPAT_RESULT_NO_DUMP_SUID_NEEDS_ABSOLUTE,
    CPAT_RESULT_NO_DUMP_EMPTY_NAME,
    CPAT_RESULT_NO_DUMP_NAME_TOO_LONG,
    CPAT_RESULT_NO_DUMP_PATH_TOO_LONG,
    CPAT_RESULT_NO_DUMP_PIPE_RLIMIT_ONE,
    CPAT_RESULT_NO_DUMP_HELPER_NOT_ABSOLUTE,
    CPAT_RESULT_NOT_FILE_MODE,
    CPAT_RESULT_MATCH_NO_FIELDS,
    CPAT_RESULT_MATCH_WRONG_TARGET,
    CPAT_RESULT_MANIFEST_SYNTAX,
    CPAT_RESULT_MANIFEST_FIELD,
    CPAT_RESULT_MANIFEST_TOO_LARGE,
    CPAT_RESULT_NULL_PARAMETER,
    CPAT_RESULT_BUFFER_TOO_SMALL,
    CPAT_RESULT_INVALID_UTF8,
    CPAT_RESULT_INVALID_ARGUMENT,
    CPAT_RESULT_PANIC,
];

fn result_of_code(code: u32) -> cpat_result {
    cpat_result::from_code(code).unwrap_or(CPAT_RESULT_PANIC)
}

/// A diagnostic location: the code and the byte span it is about. Plain
/// data; every `cpat_diag *` parameter may be NULL.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct cpat_diag {
    /// The result code.
    pub code: u32,
    /// First byte of the span.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// A second span (line for manifests), or 0.
    pub aux_start: u32,
    /// End of the second span (column for manifests), or 0.
    pub aux_end: u32,
}

/// Runs `body`, turning a panic into `default`.
fn boundary<T>(default: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(default)
}

/// Reads `(ptr, len)` as a slice.
///
/// # Safety
///
/// `ptr` must be NULL (then `len` must be 0) or point to `len` readable
/// bytes that stay valid and unchanged for the call.
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], cpat_result> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(CPAT_RESULT_NULL_PARAMETER);
    }
    // SAFETY: non-NULL, and the caller promises `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Writes `data` with the buffer protocol.
///
/// # Safety
///
/// `buf` must be NULL or point to `buf_len` writable bytes; `out_len` must
/// be NULL or point to a writable `size_t`.
unsafe fn write_out(data: &[u8], buf: *mut u8, buf_len: usize, out_len: *mut usize) -> cpat_result {
    if out_len.is_null() {
        return CPAT_RESULT_NULL_PARAMETER;
    }
    // SAFETY: checked non-NULL; the caller promises it is writable.
    unsafe { *out_len = data.len() };
    if buf_len < data.len() {
        return CPAT_RESULT_BUFFER_TOO_SMALL;
    }
    if data.is_empty() {
        return CPAT_RESULT_OK;
    }
    if buf.is_null() {
        return CPAT_RESULT_NULL_PARAMETER;
    }
    // SAFETY: `buf` has at least `buf_len >= data.len()` writable bytes and
    // cannot overlap `data`, which the library owns.
    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), buf, data.len()) };
    CPAT_RESULT_OK
}

/// Writes a diagnostic if `diag` is not NULL.
///
/// # Safety
///
/// `diag` must be NULL or point to a writable `cpat_diag`.
unsafe fn set_diag(diag: *mut cpat_diag, d: cpat_diag) {
    if !diag.is_null() {
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { *diag = d };
    }
}

/// Moves `value` into a handle written to `*out`.
///
/// # Safety
///
/// `out` must point to a writable pointer.
unsafe fn give<T>(value: T, out: *mut *mut T) -> cpat_result {
    if out.is_null() {
        return CPAT_RESULT_NULL_PARAMETER;
    }
    // SAFETY: checked non-NULL; the caller promises it is writable.
    unsafe { *out = Box::into_raw(Box::new(value)) };
    CPAT_RESULT_OK
}

/// Borrows a handle.
///
/// # Safety
///
/// `p` must be NULL or a live handle of this type from this library.
unsafe fn handle<'a, T>(p: *const T) -> Result<&'a T, cpat_result> {
    if p.is_null() {
        return Err(CPAT_RESULT_NULL_PARAMETER);
    }
    // SAFETY: non-NULL, and the caller promises a live handle.
    Ok(unsafe { &*p })
}

/// Releases a handle.
///
/// # Safety
///
/// `p` must be NULL or a handle from this library not freed before.
unsafe fn release<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: the handle came from `Box::into_raw` and is freed once.
        drop(unsafe { Box::from_raw(p) });
    }
}

macro_rules! try_ffi {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(code) => return code,
        }
    };
}

// ---------------------------------------------------------------------------
// Version and result names

/// The version as `major << 16 | minor << 8 | patch`.
#[unsafe(no_mangle)]
pub extern "C" fn cpat_version() -> u32 {
    boundary(0, || {
        let v = |s: &str| s.parse::<u32>().unwrap_or(0);
        (v(env!("CARGO_PKG_VERSION_MAJOR")) << 16)
            | (v(env!("CARGO_PKG_VERSION_MINOR")) << 8)
            | v(env!("CARGO_PKG_VERSION_PATCH"))
    })
}

/// The version as a static NUL-terminated string, e.g. `"0.1.0"`.
#[unsafe(no_mangle)]
pub extern "C" fn cpat_version_string() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The name of a result code (`"CPAT_RESULT_OK"`), a static NUL-terminated
/// string; `"CPAT_RESULT_UNKNOWN"` for codes that are not results. Never
/// fails, never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn cpat_result_name(code: u32) -> *const c_char {
    let s: &'static str = match cpat_result::from_code(code) {
        Some(r) => match r {
            CPAT_RESULT_OK => "CPAT_RESULT_OK\0",
            CPAT_RESULT_PARSE_TOO_LONG => "CPAT_RESULT_PARSE_TOO_LONG\0",
            CPAT_RESULT_PARSE_NEWLINE => "CPAT_RESULT_PARSE_NEWLINE\0",
            CPAT_RESULT_PARSE_NUL => "CPAT_RESULT_PARSE_NUL\0",
            CPAT_RESULT_BAD_KERNEL_RELEASE => "CPAT_RESULT_BAD_KERNEL_RELEASE\0",
            CPAT_RESULT_NO_DUMP_SIGNAL_NOT_CORE => "CPAT_RESULT_NO_DUMP_SIGNAL_NOT_CORE\0",
            CPAT_RESULT_NO_DUMP_NOT_DUMPABLE => "CPAT_RESULT_NO_DUMP_NOT_DUMPABLE\0",
            CPAT_RESULT_NO_DUMP_EMPTY_PIPE => "CPAT_RESULT_NO_DUMP_EMPTY_PIPE\0",
            CPAT_RESULT_NO_DUMP_EXE_PATH_TOO_LONG => "CPAT_RESULT_NO_DUMP_EXE_PATH_TOO_LONG\0",
            CPAT_RESULT_NO_DUMP_SOCKET_INVALID => "CPAT_RESULT_NO_DUMP_SOCKET_INVALID\0",
            CPAT_RESULT_NO_DUMP_CORE_LIMIT_BELOW_PAGE => {
                "CPAT_RESULT_NO_DUMP_CORE_LIMIT_BELOW_PAGE\0"
            }
            CPAT_RESULT_NO_DUMP_SUID_NEEDS_ABSOLUTE => "CPAT_RESULT_NO_DUMP_SUID_NEEDS_ABSOLUTE\0",
            CPAT_RESULT_NO_DUMP_EMPTY_NAME => "CPAT_RESULT_NO_DUMP_EMPTY_NAME\0",
            CPAT_RESULT_NO_DUMP_NAME_TOO_LONG => "CPAT_RESULT_NO_DUMP_NAME_TOO_LONG\0",
            CPAT_RESULT_NO_DUMP_PATH_TOO_LONG => "CPAT_RESULT_NO_DUMP_PATH_TOO_LONG\0",
            CPAT_RESULT_NO_DUMP_PIPE_RLIMIT_ONE => "CPAT_RESULT_NO_DUMP_PIPE_RLIMIT_ONE\0",
            CPAT_RESULT_NO_DUMP_HELPER_NOT_ABSOLUTE => "CPAT_RESULT_NO_DUMP_HELPER_NOT_ABSOLUTE\0",
            CPAT_RESULT_NOT_FILE_MODE => "CPAT_RESULT_NOT_FILE_MODE\0",
            CPAT_RESULT_MATCH_NO_FIELDS => "CPAT_RESULT_MATCH_NO_FIELDS\0",
            CPAT_RESULT_MATCH_WRONG_TARGET => "CPAT_RESULT_MATCH_WRONG_TARGET\0",
            CPAT_RESULT_MANIFEST_SYNTAX => "CPAT_RESULT_MANIFEST_SYNTAX\0",
            CPAT_RESULT_MANIFEST_FIELD => "CPAT_RESULT_MANIFEST_FIELD\0",
            CPAT_RESULT_MANIFEST_TOO_LARGE => "CPAT_RESULT_MANIFEST_TOO_LARGE\0",
            CPAT_RESULT_NULL_PARAMETER => "CPAT_RESULT_NULL_PARAMETER\0",
            CPAT_RESULT_BUFFER_TOO_SMALL => "CPAT_RESULT_BUFFER_TOO_SMALL\0",
            CPAT_RESULT_INVALID_UTF8 => "CPAT_RESULT_INVALID_UTF8\0",
            CPAT_RESULT_INVALID_ARGUMENT => "CPAT_RESULT_INVALID_ARGUMENT\0",
            CPAT_RESULT_PANIC => "CPAT_RESULT_PANIC\0",
        },
        None => "CPAT_RESULT_UNKNOWN\0",
    };
    s.as_ptr().cast()
}

/// A one-line description of a result code, a static NUL-terminated string.
/// Never fails, never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn cpat_result_message(code: u32) -> *const c_char {
    let s: &'static str = match cpat_result::from_code(code) {
        Some(CPAT_RESULT_OK) => "success\0",
        Some(CPAT_RESULT_PARSE_TOO_LONG) => {
            "the pattern is over 127 bytes; the kernel keeps only the first 127\0"
        }
        Some(CPAT_RESULT_PARSE_NEWLINE) => "the kernel stops storing the pattern at a newline\0",
        Some(CPAT_RESULT_PARSE_NUL) => "the kernel stops storing the pattern at a NUL byte\0",
        Some(CPAT_RESULT_BAD_KERNEL_RELEASE) => {
            "not a kernel release: expected MAJOR.MINOR[.PATCH] as uname -r prints it\0"
        }
        Some(CPAT_RESULT_NO_DUMP_SIGNAL_NOT_CORE) => {
            "no core: the signal's default action does not dump core\0"
        }
        Some(CPAT_RESULT_NO_DUMP_NOT_DUMPABLE) => "no core: the process is not dumpable\0",
        Some(CPAT_RESULT_NO_DUMP_EMPTY_PIPE) => "no core: the pattern is | with no helper\0",
        Some(CPAT_RESULT_NO_DUMP_EXE_PATH_TOO_LONG) => {
            "no core: the executable path does not fit in PATH_MAX\0"
        }
        Some(CPAT_RESULT_NO_DUMP_SOCKET_INVALID) => {
            "no core: the socket path fails the kernel's checks\0"
        }
        Some(CPAT_RESULT_NO_DUMP_CORE_LIMIT_BELOW_PAGE) => {
            "no core: the soft core limit is below one page (4096 bytes)\0"
        }
        Some(CPAT_RESULT_NO_DUMP_SUID_NEEDS_ABSOLUTE) => {
            "no core: a suid-safe dump needs an absolute file name\0"
        }
        Some(CPAT_RESULT_NO_DUMP_EMPTY_NAME) => "no core: the file name is empty\0",
        Some(CPAT_RESULT_NO_DUMP_NAME_TOO_LONG) => {
            "no core: a file name component is over 255 bytes\0"
        }
        Some(CPAT_RESULT_NO_DUMP_PATH_TOO_LONG) => {
            "no core: the file name is 4096 bytes or longer\0"
        }
        Some(CPAT_RESULT_NO_DUMP_PIPE_RLIMIT_ONE) => {
            "no core: a core limit of 1 aborts pipe dumps\0"
        }
        Some(CPAT_RESULT_NO_DUMP_HELPER_NOT_ABSOLUTE) => {
            "no core: the pipe helper is not an absolute path\0"
        }
        Some(CPAT_RESULT_NOT_FILE_MODE) => "the pattern is not a file pattern\0",
        Some(CPAT_RESULT_MATCH_NO_FIELDS) => "socket patterns have no fields to match\0",
        Some(CPAT_RESULT_MATCH_WRONG_TARGET) => {
            "the match target does not fit the pattern's mode\0"
        }
        Some(CPAT_RESULT_MANIFEST_SYNTAX) => "the manifest is not valid YAML or JSON\0",
        Some(CPAT_RESULT_MANIFEST_FIELD) => "a manifest field has the wrong type or is missing\0",
        Some(CPAT_RESULT_MANIFEST_TOO_LARGE) => "the manifest is too large\0",
        Some(CPAT_RESULT_NULL_PARAMETER) => "a required pointer is NULL\0",
        Some(CPAT_RESULT_BUFFER_TOO_SMALL) => {
            "the buffer is too small; *out_len holds the length needed\0"
        }
        Some(CPAT_RESULT_INVALID_UTF8) => "the input is not valid UTF-8\0",
        Some(CPAT_RESULT_INVALID_ARGUMENT) => "an enumeration value or index is out of range\0",
        Some(CPAT_RESULT_PANIC) => "internal error (a panic was caught); please report it\0",
        None => "unknown result code\0",
    };
    s.as_ptr().cast()
}

// ---------------------------------------------------------------------------
// Kernel profiles

/// A kernel profile. Methods: `cpat_kernel_parse`, `cpat_kernel_free`.
pub struct cpat_kernel(KernelProfile);

/// Backport bit: `%f`.
pub const CPAT_FEATURE_SPEC_EXE_NAME: u32 = 1 << 7;
/// Backport bit: `%C`.
pub const CPAT_FEATURE_SPEC_CPU: u32 = 1 << 8;
/// Backport bit: `%F` (Debian's 6.1.192 and 6.12.117 have it).
pub const CPAT_FEATURE_SPEC_PIDFD: u32 = 1 << 9;
/// Backport bit: `@` socket mode.
pub const CPAT_FEATURE_SOCKET_MODE: u32 = 1 << 10;
/// Backport bit: `@@` socket request mode.
pub const CPAT_FEATURE_SOCKET_REQUEST_MODE: u32 = 1 << 11;

/// The backport bits C may pass, and the features they stand for.
const BACKPORTS: [(u32, Feature); 5] = [
    (CPAT_FEATURE_SPEC_EXE_NAME, Feature::SpecExeName),
    (CPAT_FEATURE_SPEC_CPU, Feature::SpecCpu),
    (CPAT_FEATURE_SPEC_PIDFD, Feature::SpecPidfd),
    (CPAT_FEATURE_SOCKET_MODE, Feature::SocketMode),
    (CPAT_FEATURE_SOCKET_REQUEST_MODE, Feature::SocketRequestMode),
];

/// Parses a kernel release (`uname -r`; empty: the newest behaviour) and
/// adds the backported features in `backports` (`CPAT_FEATURE_*` bits;
/// any other bit gives `CPAT_RESULT_INVALID_ARGUMENT`).
/// `*out` is written only on success; free it with `cpat_kernel_free`.
///
/// # Safety
///
/// `release` must point to `release_len` readable bytes (or be NULL with
/// length 0); `out` must be a writable pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_kernel_parse(
    release: *const u8,
    release_len: usize,
    backports: u32,
    out: *mut *mut cpat_kernel,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promise.
        let r = try_ffi!(unsafe { bytes(release, release_len) });
        let mut k = if r.is_empty() {
            KernelProfile::latest()
        } else {
            let Ok(s) = std::str::from_utf8(r) else {
                return CPAT_RESULT_INVALID_UTF8;
            };
            match KernelProfile::parse(s) {
                Ok(k) => k,
                Err(_) => return CPAT_RESULT_BAD_KERNEL_RELEASE,
            }
        };
        let known = BACKPORTS.iter().fold(0, |acc, (bit, _)| acc | bit);
        if backports & !known != 0 {
            return CPAT_RESULT_INVALID_ARGUMENT;
        }
        for (bit, f) in BACKPORTS {
            if backports & bit != 0 {
                k = k.with_feature(f);
            }
        }
        // SAFETY: forwarded caller promise.
        unsafe { give(cpat_kernel(k), out) }
    })
}

/// Frees a kernel profile; NULL is a no-op.
///
/// # Safety
///
/// `k` must be NULL or a profile from `cpat_kernel_parse`, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_kernel_free(k: *mut cpat_kernel) {
    // SAFETY: forwarded caller promise.
    boundary((), || unsafe { release(k) })
}

/// # Safety
///
/// `k` must be NULL (the newest kernel) or a live profile.
unsafe fn kernel_or_latest(k: *const cpat_kernel) -> KernelProfile {
    if k.is_null() {
        KernelProfile::latest()
    } else {
        // SAFETY: non-NULL and live by the caller's promise.
        unsafe { (*k).0 }
    }
}

// ---------------------------------------------------------------------------
// Patterns

/// A parsed pattern. Methods: `cpat_pattern_parse`, `cpat_pattern_mode`,
/// `cpat_pattern_token_count`, `cpat_pattern_token_get`,
/// `cpat_pattern_expand`, `cpat_pattern_expand_file_name`,
/// `cpat_matcher_new`, `cpat_pattern_free`.
pub struct cpat_pattern(Pattern);

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

// ---------------------------------------------------------------------------
// Expansion

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
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct cpat_crash {
    /// `%p`.
    pub pid: u32,
    /// `%i`.
    pub tid: u32,
    /// `%P`.
    pub global_pid: u32,
    /// `%I`.
    pub global_tid: u32,
    /// `%u`.
    pub uid: u32,
    /// `%g`.
    pub gid: u32,
    /// 0, 1 or 2 (`%d`).
    pub dumpable: u8,
    /// `%s`.
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
    /// `%C`.
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
/// # Safety
///
/// `s` must be NULL or point to a valid `cpat_settings`.
unsafe fn settings_of(s: *const cpat_settings) -> Settings {
    if s.is_null() {
        return Settings::default();
    }
    // SAFETY: non-NULL and valid by the caller's promise.
    let s = unsafe { &*s };
    Settings {
        core_uses_pid: s.core_uses_pid != 0,
        suid_dumpable: s.suid_dumpable,
        core_pipe_limit: s.core_pipe_limit,
    }
}

/// # Safety
///
/// `s` and `c` must be NULL or valid, with the crash's byte strings valid
/// for their lengths.
unsafe fn inputs<'a>(
    s: *const cpat_settings,
    c: *const cpat_crash,
) -> Result<(Settings, Crash<'a>), cpat_result> {
    if c.is_null() {
        return Err(CPAT_RESULT_NULL_PARAMETER);
    }
    // SAFETY: forwarded caller promise.
    let settings = unsafe { settings_of(s) };
    // SAFETY: non-NULL and valid by promise.
    let c = unsafe { &*c };
    let crash = Crash {
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
    };
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
        let (s, c) = try_ffi!(unsafe { inputs(settings, crash) });
        let o = p.0.expand(&s, &c);
        // SAFETY: forwarded caller promise.
        unsafe { give(cpat_outcome(o), out) }
    })
}

/// The file name for a crash into a caller buffer, without allocating.
/// Returns `CPAT_RESULT_OK`, `CPAT_RESULT_BUFFER_TOO_SMALL` (with the length
/// needed in `*out_len`), `CPAT_RESULT_NOT_FILE_MODE`, or the no-dump reason
/// (2xx).
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
        let (s, c) = try_ffi!(unsafe { inputs(settings, crash) });
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

// ---------------------------------------------------------------------------
// Lints

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
        let s = unsafe { settings_of(settings) };
        // SAFETY: forwarded caller promise.
        unsafe { give(cpat_lint_report(lint(input, &k, &s)), out) }
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

// ---------------------------------------------------------------------------
// Reverse matching

/// A compiled matcher. Methods: `cpat_matcher_new`,
/// `cpat_matcher_match_name`, `cpat_matcher_match_argv`, `cpat_matcher_free`.
pub struct cpat_matcher(Matcher);

/// Match target: the whole file name.
pub const CPAT_TARGET_PATH: u32 = 0;
/// Match target: the last component of the file name.
pub const CPAT_TARGET_COMPONENT: u32 = 1;
/// Match target: a pipe helper's argv.
pub const CPAT_TARGET_ARGV: u32 = 2;

/// Compiles a matcher for `p` under `settings` (NULL: all zero) against
/// `target` (`CPAT_TARGET_*`).
///
/// # Safety
///
/// `p` live; `settings` NULL or valid; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_matcher_new(
    p: *const cpat_pattern,
    settings: *const cpat_settings,
    target: u32,
    out: *mut *mut cpat_matcher,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promise.
        let p = try_ffi!(unsafe { handle(p) });
        let t = match target {
            CPAT_TARGET_PATH => Target::Path,
            CPAT_TARGET_COMPONENT => Target::Component,
            CPAT_TARGET_ARGV => Target::Argv,
            _ => return CPAT_RESULT_INVALID_ARGUMENT,
        };
        // SAFETY: forwarded caller promise.
        let s = unsafe { settings_of(settings) };
        match p.0.matcher(&s, MatchOptions::new().target(t)) {
            // SAFETY: forwarded caller promise.
            Ok(m) => unsafe { give(cpat_matcher(m), out) },
            Err(MatchError::NoFields { .. }) => CPAT_RESULT_MATCH_NO_FIELDS,
            Err(_) => CPAT_RESULT_MATCH_WRONG_TARGET,
        }
    })
}

/// Frees a matcher; NULL is a no-op.
///
/// # Safety
///
/// `m` NULL or from `cpat_matcher_new`, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_matcher_free(m: *mut cpat_matcher) {
    // SAFETY: forwarded caller promise.
    boundary((), || unsafe { release(m) })
}

/// One recovered field: its specifier letter, the argument it stands in
/// (argv matches; else 0) and its span there.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct cpat_field {
    /// The byte after `%` (`'p'`, `'E'`, ...).
    pub specifier: u32,
    /// The argument index (argv matches), else 0.
    pub arg: u32,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

/// The result of a match, owned (the name is copied). Methods:
/// `cpat_matches_count`, `cpat_matches_exact`, `cpat_matches_candidate_count`,
/// `cpat_matches_field_count`, `cpat_matches_field`, `cpat_matches_field_bytes`,
/// `cpat_matches_free`.
pub struct cpat_matches {
    count: u64,
    exact: bool,
    candidates: Vec<Vec<(cpat_field, Vec<u8>)>>,
}

/// The most candidates one match lists through the C ABI (the count is
/// always complete): listing is copied into the handle, and an unbounded
/// request on a hostile name could take gigabytes.
pub const CPAT_MAX_LISTED_CANDIDATES: usize = 65_536;

fn collect(m: &crate::reverse::Matches<'_>, max: usize) -> cpat_matches {
    let max = max.min(CPAT_MAX_LISTED_CANDIDATES);
    let candidates = m
        .candidates(max)
        .iter()
        .map(|c| {
            c.fields()
                .iter()
                .map(|f| {
                    (
                        cpat_field {
                            specifier: u32::from(f.spec().byte()),
                            arg: f.arg().map_or(0, |a| u32::try_from(a).unwrap_or(u32::MAX)),
                            start: f.span().start,
                            end: f.span().end,
                        },
                        f.bytes().to_vec(),
                    )
                })
                .collect()
        })
        .collect();
    cpat_matches {
        count: m.count(),
        exact: m.is_exact(),
        candidates,
    }
}

/// Matches a file name, listing up to `max_candidates` candidates (at most
/// `CPAT_MAX_LISTED_CANDIDATES`; the count is always complete).
///
/// # Safety
///
/// `m` live; `name` readable for `len`; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_matcher_match_name(
    m: *const cpat_matcher,
    name: *const u8,
    len: usize,
    max_candidates: usize,
    out: *mut *mut cpat_matches,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promises.
        let m = try_ffi!(unsafe { handle(m) });
        // SAFETY: forwarded caller promise.
        let name = try_ffi!(unsafe { bytes(name, len) });
        let r = m.0.match_name(name);
        // SAFETY: forwarded caller promise.
        unsafe { give(collect(&r, max_candidates), out) }
    })
}

/// Matches a helper's argv (`argc` arguments, `argv[i]` of `lens[i]` bytes).
///
/// # Safety
///
/// `m` live; `argv` and `lens` valid for `argc` entries, each argument
/// readable for its length; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_matcher_match_argv(
    m: *const cpat_matcher,
    argv: *const *const u8,
    lens: *const usize,
    argc: usize,
    max_candidates: usize,
    out: *mut *mut cpat_matches,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promise.
        let m = try_ffi!(unsafe { handle(m) });
        if argc > 0 && (argv.is_null() || lens.is_null()) {
            return CPAT_RESULT_NULL_PARAMETER;
        }
        let mut args: Vec<&[u8]> = Vec::with_capacity(argc);
        for i in 0..argc {
            // SAFETY: `argv` and `lens` hold `argc` entries by promise.
            let (p, l) = unsafe { (*argv.add(i), *lens.add(i)) };
            // SAFETY: each argument readable for its length by promise.
            args.push(try_ffi!(unsafe { bytes(p, l) }));
        }
        let r = m.0.match_argv(&args);
        // SAFETY: forwarded caller promise.
        unsafe { give(collect(&r, max_candidates), out) }
    })
}

/// Frees a match result; NULL is a no-op.
///
/// # Safety
///
/// `r` NULL or from a `cpat_matcher_match_*` call, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_matches_free(r: *mut cpat_matches) {
    // SAFETY: forwarded caller promise.
    boundary((), || unsafe { release(r) })
}

/// How many assignments explain the name (saturating); 0 for NULL.
///
/// # Safety
///
/// `r` NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_matches_count(r: *const cpat_matches) -> u64 {
    // SAFETY: forwarded caller promise.
    boundary(0, || unsafe { handle(r) }.map_or(0, |r| r.count))
}

/// Whether the count is exact (false only when a repeated-specifier search
/// ran out of budget).
///
/// # Safety
///
/// `r` NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_matches_exact(r: *const cpat_matches) -> bool {
    // SAFETY: forwarded caller promise.
    boundary(false, || unsafe { handle(r) }.is_ok_and(|r| r.exact))
}

/// How many candidates were listed (at most the `max_candidates` asked for).
///
/// # Safety
///
/// `r` NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_matches_candidate_count(r: *const cpat_matches) -> usize {
    // SAFETY: forwarded caller promise.
    boundary(0, || unsafe { handle(r) }.map_or(0, |r| r.candidates.len()))
}

/// How many fields candidate `c` has; 0 when out of range.
///
/// # Safety
///
/// `r` NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_matches_field_count(r: *const cpat_matches, c: usize) -> usize {
    boundary(0, || {
        // SAFETY: forwarded caller promise.
        unsafe { handle(r) }.map_or(0, |r| r.candidates.get(c).map_or(0, Vec::len))
    })
}

/// Field `f` of candidate `c` into `*out`.
///
/// # Safety
///
/// `r` live; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_matches_field(
    r: *const cpat_matches,
    c: usize,
    f: usize,
    out: *mut cpat_field,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promise.
        let r = try_ffi!(unsafe { handle(r) });
        if out.is_null() {
            return CPAT_RESULT_NULL_PARAMETER;
        }
        let Some((field, _)) = r.candidates.get(c).and_then(|c| c.get(f)) else {
            return CPAT_RESULT_INVALID_ARGUMENT;
        };
        // SAFETY: checked non-NULL; writable by promise.
        unsafe { *out = *field };
        CPAT_RESULT_OK
    })
}

/// The bytes of field `f` of candidate `c` (as they stand in the name:
/// escaped for text fields), with the buffer protocol.
///
/// # Safety
///
/// `r` live; `buf` NULL or writable for `buf_len`; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_matches_field_bytes(
    r: *const cpat_matches,
    c: usize,
    f: usize,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promise.
        let r = try_ffi!(unsafe { handle(r) });
        let Some((_, b)) = r.candidates.get(c).and_then(|c| c.get(f)) else {
            return CPAT_RESULT_INVALID_ARGUMENT;
        };
        // SAFETY: forwarded caller promises.
        unsafe { write_out(b, buf, buf_len, out_len) }
    })
}

// ---------------------------------------------------------------------------
// Manifests

/// Checks Kubernetes manifests (`text`: UTF-8 YAML or JSON, several
/// documents) and writes the JSON report `{"findings": [...]}` with the
/// buffer protocol. `*has_errors` (may be NULL) tells whether any finding is
/// an error. A manifest that cannot be read gives `CPAT_RESULT_MANIFEST_*`
/// and, in `diag` (may be NULL), the line (`aux_start`) and column
/// (`aux_end`) when known.
///
/// # Safety
///
/// `text` readable for `len`; `buf` NULL or writable for `buf_len`;
/// `out_len` writable; `has_errors` and `diag` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cpat_check_manifest(
    text: *const u8,
    len: usize,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
    has_errors: *mut bool,
    diag: *mut cpat_diag,
) -> cpat_result {
    boundary(CPAT_RESULT_PANIC, || {
        // SAFETY: forwarded caller promise.
        let text = try_ffi!(unsafe { bytes(text, len) });
        let Ok(text) = std::str::from_utf8(text) else {
            return CPAT_RESULT_INVALID_UTF8;
        };
        let report = ManifestSet::parse("<input>", text)
            .and_then(|set| try_check(&set, &CheckOptions::default()));
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                let (line, column) = match &e {
                    ManifestError::Syntax { line, column, .. } => {
                        (line.unwrap_or(0), column.unwrap_or(0))
                    }
                    _ => (0, 0),
                };
                let d = cpat_diag {
                    code: e.code(),
                    aux_start: u32::try_from(line).unwrap_or(u32::MAX),
                    aux_end: u32::try_from(column).unwrap_or(u32::MAX),
                    ..Default::default()
                };
                // SAFETY: forwarded caller promise.
                unsafe { set_diag(diag, d) };
                return result_of_code(e.code());
            }
        };
        if !has_errors.is_null() {
            // SAFETY: checked non-NULL; writable by promise.
            unsafe { *has_errors = report.has_errors() };
        }
        let json = report.to_json().to_string();
        // SAFETY: forwarded caller promises.
        unsafe { write_out(json.as_bytes(), buf, buf_len, out_len) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backport_bits_are_the_feature_bits() {
        for (bit, f) in BACKPORTS {
            assert_eq!(bit, 1 << f as u8, "{f}");
        }
    }

    #[test]
    fn every_result_has_a_name_and_message() {
        for r in ALL_RESULTS {
            let code = r as u32;
            // SAFETY: static NUL-terminated strings.
            let name = unsafe { std::ffi::CStr::from_ptr(cpat_result_name(code)) };
            assert!(name.to_str().unwrap().starts_with("CPAT_RESULT_"));
            // SAFETY: static NUL-terminated strings.
            let msg = unsafe { std::ffi::CStr::from_ptr(cpat_result_message(code)) };
            assert!(!msg.to_bytes().is_empty());
        }
    }
}
