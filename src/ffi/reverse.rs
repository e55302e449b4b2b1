//! Reverse matching: the [`cpat_matcher`] handle and its owned results,
//! [`cpat_matches`].

use super::expand::{cpat_settings, settings_of};
use super::panic::boundary;
use super::pattern::cpat_pattern;
use super::pointers::{bytes, give, handle, release, write_out};
use super::result::cpat_result::{self, *};
use crate::reverse::{MatchError, MatchOptions, Matcher, Target};

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
        let s = try_ffi!(unsafe { settings_of(settings) });
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
