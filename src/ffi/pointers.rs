//! Pointers from C, used by every function: the `try_ffi!` macro and the
//! helpers for input slices, the buffer protocol with its required length,
//! diagnostics, and handles given out, borrowed and released.

use super::result::cpat_diag;
use super::result::cpat_result::{self, *};

/// Reads `(ptr, len)` as a slice.
///
/// # Safety
///
/// `ptr` must be NULL (then `len` must be 0) or point to `len` readable
/// bytes that stay valid and unchanged for the call.
pub(super) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], cpat_result> {
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
pub(super) unsafe fn write_out(
    data: &[u8],
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> cpat_result {
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
pub(super) unsafe fn set_diag(diag: *mut cpat_diag, d: cpat_diag) {
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
pub(super) unsafe fn give<T>(value: T, out: *mut *mut T) -> cpat_result {
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
pub(super) unsafe fn handle<'a, T>(p: *const T) -> Result<&'a T, cpat_result> {
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
pub(super) unsafe fn release<T>(p: *mut T) {
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
