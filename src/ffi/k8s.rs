//! Kubernetes manifests: `cpat_check_manifest`.

use super::panic::boundary;
use super::pointers::{bytes, set_diag, write_out};
use super::result::cpat_result::{self, *};
use super::result::{cpat_diag, result_of_code};
use crate::k8s::{CheckOptions, ManifestError, ManifestSet, try_check};

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
