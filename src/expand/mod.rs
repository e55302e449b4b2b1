//! Expanding a pattern for one crashing process: where the core goes, or why
//! there is none.
//!
//! This is `coredump_parse()` (formerly `format_corename()`), `cn_esc_printf()`
//! and the checks of `vfs_coredump()`/`coredump_file()`/`coredump_pipe()`,
//! restated over the inputs a caller can know: the stored pattern, the
//! sysctls, the crashing process and the kernel profile.

//!
//! The folder: `input.rs` (the sysctls and the crashing process),
//! `outcome.rs` (where the core goes, or why there is none) and
//! `engine.rs` (the expansion and the kernel's checks, written once for
//! every output: an owned name, a caller's buffer, pipe argv).

mod engine;
mod input;
mod outcome;

pub use input::{CoreLimit, Crash, CrashError, CrashField, Settings};
pub use outcome::{ExpandError, NoDumpReason, Outcome, SocketProblem};
