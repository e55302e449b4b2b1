//! Result codes ([`cpat_result`]), their names and messages, the
//! [`cpat_diag`] location, and the library's version.

use super::panic::boundary;
use std::ffi::c_char;

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
    /// An argument is out of range: an enumeration value or index, or a
    /// crash or sysctl value no kernel has (`cpat_crash_check` says which
    /// crash field).
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

pub(super) fn result_of_code(code: u32) -> cpat_result {
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

// ---------------------------------------------------------------------------
// Version and result names

/// The major version of the library the header was generated for
/// (`CPAT_VERSION_MAJOR`). Compare with `cpat_version() >> 16` at run time.
pub const CPAT_VERSION_MAJOR: u32 = 0;

/// The minor version of the header (`CPAT_VERSION_MINOR`). While the major
/// version is 0, a new minor version may break the ABI; the shared library's
/// SONAME (`libcore_pattern.so.MAJOR.MINOR`) changes with it.
pub const CPAT_VERSION_MINOR: u32 = 2;

/// The patch version of the header (`CPAT_VERSION_PATCH`).
pub const CPAT_VERSION_PATCH: u32 = 0;

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
        Some(CPAT_RESULT_INVALID_ARGUMENT) => {
            "an argument is out of range: an enumeration value, an index, or a crash or sysctl value no kernel has\0"
        }
        Some(CPAT_RESULT_PANIC) => "internal error (a panic was caught); please report it\0",
        None => "unknown result code\0",
    };
    s.as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_constants_match_cargo_toml() {
        let parse = |s: &str| s.parse::<u32>().unwrap();
        assert_eq!(CPAT_VERSION_MAJOR, parse(env!("CARGO_PKG_VERSION_MAJOR")));
        assert_eq!(CPAT_VERSION_MINOR, parse(env!("CARGO_PKG_VERSION_MINOR")));
        assert_eq!(CPAT_VERSION_PATCH, parse(env!("CARGO_PKG_VERSION_PATCH")));
        assert_eq!(
            cpat_version(),
            CPAT_VERSION_MAJOR << 16 | CPAT_VERSION_MINOR << 8 | CPAT_VERSION_PATCH
        );
        let s = format!("{CPAT_VERSION_MAJOR}.{CPAT_VERSION_MINOR}.{CPAT_VERSION_PATCH}");
        // SAFETY: a static NUL-terminated string.
        let v = unsafe { std::ffi::CStr::from_ptr(cpat_version_string()) };
        assert_eq!(v.to_str().unwrap(), s);
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
