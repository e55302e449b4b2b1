//! The panic boundary: every exported function runs its body through
//! [`boundary`], so that no panic unwinds into C or Go.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs `body`, turning a panic into `default`.
pub(super) fn boundary<T>(default: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(default)
}
