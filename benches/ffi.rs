//! The C ABI's call overhead: the same operations through the `extern "C"`
//! functions C and Go call, next to the Rust calls. The target: one expand
//! into a caller buffer costs at most 30 ns more through the C ABI.
//!
//! `cargo bench --features capi --bench ffi`

#[path = "common/mod.rs"]
mod common;

use core_pattern::ffi::cpat_result::CPAT_RESULT_OK;
use core_pattern::ffi::{
    CPAT_TARGET_PATH, cpat_crash, cpat_matcher, cpat_matcher_free, cpat_matcher_match_name,
    cpat_matcher_new, cpat_matches_count, cpat_matches_free, cpat_pattern,
    cpat_pattern_expand_file_name, cpat_pattern_free, cpat_pattern_parse, cpat_settings,
};
use core_pattern::reverse::MatchOptions;
use core_pattern::{Pattern, Settings};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::ptr;

#[allow(unsafe_code)]
fn ffi(c: &mut Criterion) {
    let mut g = c.benchmark_group("ffi");
    let crash = common::container_crash();
    let settings = Settings::default();
    let ccrash = cpat_crash::from(&crash);
    let csettings = cpat_settings {
        core_uses_pid: 0,
        suid_dumpable: 0,
        core_pipe_limit: 0,
    };

    // Expand the ACS pattern into a caller buffer.
    let rust = Pattern::parse(common::ACS).expect("parses");
    let mut cp: *mut cpat_pattern = ptr::null_mut();
    // SAFETY: the pattern bytes are valid for their length; `cp` is writable.
    let r = unsafe {
        cpat_pattern_parse(
            common::ACS.as_ptr(),
            common::ACS.len(),
            ptr::null(),
            &mut cp,
            ptr::null_mut(),
        )
    };
    assert_eq!(r, CPAT_RESULT_OK);
    let mut buf = [0u8; 4096];
    let n = rust
        .expand_file_name_into(&settings, &crash, &mut buf)
        .expect("expands");
    let want = buf[..n].to_vec();
    let mut len = 0usize;
    // SAFETY: live pattern, valid inputs, `buf` writable for its length.
    let r = unsafe {
        cpat_pattern_expand_file_name(
            cp,
            &csettings,
            &ccrash,
            buf.as_mut_ptr(),
            buf.len(),
            &mut len,
        )
    };
    assert_eq!((r, &buf[..len]), (CPAT_RESULT_OK, &want[..]));

    g.bench_function("expand-into-buffer/rust", |b| {
        b.iter(|| {
            black_box(&rust).expand_file_name_into(
                black_box(&settings),
                black_box(&crash),
                black_box(&mut buf),
            )
        })
    });
    g.bench_function("expand-into-buffer/c-abi", |b| {
        b.iter(|| {
            // SAFETY: as above.
            unsafe {
                cpat_pattern_expand_file_name(
                    black_box(cp),
                    black_box(&csettings),
                    black_box(&ccrash),
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut len,
                )
            }
        })
    });

    // Parse (and free) a pattern.
    g.bench_function("parse/rust", |b| {
        b.iter(|| Pattern::parse(black_box(common::ACS)))
    });
    g.bench_function("parse/c-abi", |b| {
        b.iter(|| {
            let mut p: *mut cpat_pattern = ptr::null_mut();
            // SAFETY: valid bytes; `p` writable; freed once below.
            unsafe {
                cpat_pattern_parse(
                    black_box(common::ACS.as_ptr()),
                    common::ACS.len(),
                    ptr::null(),
                    &mut p,
                    ptr::null_mut(),
                );
                cpat_pattern_free(p);
            }
        })
    });

    // Match a name and read the count.
    let m = rust
        .matcher(&settings, MatchOptions::new())
        .expect("matcher");
    let mut cm: *mut cpat_matcher = ptr::null_mut();
    // SAFETY: live pattern; `cm` writable.
    let r = unsafe { cpat_matcher_new(cp, &csettings, CPAT_TARGET_PATH, &mut cm) };
    assert_eq!(r, CPAT_RESULT_OK);
    g.bench_function("match-count/rust", |b| {
        b.iter(|| black_box(&m).match_name(black_box(&want)).count())
    });
    g.bench_function("match-count/c-abi", |b| {
        b.iter(|| {
            let mut out = ptr::null_mut();
            // SAFETY: live matcher; `want` valid for its length; freed once.
            unsafe {
                cpat_matcher_match_name(black_box(cm), want.as_ptr(), want.len(), 0, &mut out);
                let n = cpat_matches_count(out);
                cpat_matches_free(out);
                n
            }
        })
    });
    g.finish();
    // SAFETY: each handle is live and freed once.
    unsafe {
        cpat_matcher_free(cm);
        cpat_pattern_free(cp);
    }
}

criterion_group!(benches, ffi);
criterion_main!(benches);
