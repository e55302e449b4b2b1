//! The C ABI (feature `capi`). With the doctor's `sys` module, the only
//! place with `unsafe`.
//!
//! One file per concern, low-level first (the header follows this order):
//!
//! - `panic.rs`: the panic boundary every function runs in;
//! - `pointers.rs`: `try_ffi!`, pointer and buffer helpers;
//! - `result.rs`: result codes, their names and messages, `cpat_diag`, version;
//! - `kernel.rs`: `cpat_kernel` and the backport bits;
//! - `pattern.rs`: `cpat_pattern`, its tokens, and `cpat_sysctl_write`;
//! - `expand.rs`: `cpat_settings`, `cpat_crash` and `cpat_outcome`;
//! - `lint.rs`: `cpat_lint_report` and lint names;
//! - `reverse.rs`: `cpat_matcher` and `cpat_matches`;
//! - `k8s.rs`: `cpat_check_manifest`.
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
//!
//! C and Go link the static or shared library that the C build path makes
//! (`cargo rustc --lib --features capi --crate-type staticlib,cdylib`); Rust
//! code can call the same functions, which is how the tests check them:
//!
//! ```
//! use core_pattern::Crash;
//! use core_pattern::ffi::*;
//! use std::ptr;
//!
//! let pattern = b"/data/dump-a/core-%E-%p-%t";
//! let mut p = ptr::null_mut();
//! // SAFETY: pointer + length of a live buffer; NULL kernel = the newest.
//! let rc = unsafe { cpat_pattern_parse(pattern.as_ptr(), pattern.len(), ptr::null(), &mut p, ptr::null_mut()) };
//! assert_eq!(rc, cpat_result::CPAT_RESULT_OK);
//!
//! let crash = cpat_crash::from(&Crash::example().with_pid(1));
//! // Ask for the length first (NULL buffer, length 0), then expand.
//! let mut need = 0;
//! // SAFETY: `p` and `crash` are valid; NULL settings = the defaults.
//! let rc = unsafe { cpat_pattern_expand_file_name(p, ptr::null(), &crash, ptr::null_mut(), 0, &mut need) };
//! assert_eq!(rc, cpat_result::CPAT_RESULT_BUFFER_TOO_SMALL);
//! let mut buf = vec![0u8; need];
//! let mut len = 0;
//! // SAFETY: as above, with a buffer of `need` bytes.
//! let rc = unsafe { cpat_pattern_expand_file_name(p, ptr::null(), &crash, buf.as_mut_ptr(), buf.len(), &mut len) };
//! assert_eq!(rc, cpat_result::CPAT_RESULT_OK);
//! assert_eq!(&buf[..len], b"/data/dump-a/core-!usr!bin!myapp-1-1700000000");
//! // SAFETY: created above, freed once.
//! unsafe { cpat_pattern_free(p) };
//! ```

#![allow(unsafe_code)]
#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

// Declared in the header's order (cbindgen follows it); the blank lines keep
// rustfmt from sorting them. `pointers` comes first: its `try_ffi!` macro is
// used by the files after it.
#[macro_use]
mod pointers;

mod panic;

mod result;

mod kernel;

mod pattern;

mod expand;

mod lint;

mod reverse;

mod k8s;

pub use expand::*;
pub use k8s::*;
pub use kernel::*;
pub use lint::*;
pub use pattern::*;
pub use result::*;
pub use reverse::*;
