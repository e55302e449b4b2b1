//! Kernel profiles: the [`cpat_kernel`] handle, the backport bits, and the
//! rule the other handles share (a NULL kernel is the newest).

use super::panic::boundary;
use super::pointers::{bytes, give, release};
use super::result::cpat_result::{self, *};
use crate::feature::Feature;
use crate::kernel::KernelProfile;
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
pub(super) unsafe fn kernel_or_latest(k: *const cpat_kernel) -> KernelProfile {
    if k.is_null() {
        KernelProfile::latest()
    } else {
        // SAFETY: non-NULL and live by the caller's promise.
        unsafe { (*k).0 }
    }
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
}
