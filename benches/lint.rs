//! Diagnostics: `lint::check()` from the raw value (sysctl cut, parse, every lint,
//! handler fingerprint) for each pattern, and the 127-byte target.
//!
//! `cargo bench --bench lint`

#[path = "common/mod.rs"]
mod common;

use core_pattern::{KernelProfile, Pattern, Settings, lint};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn lints(c: &mut Criterion) {
    let mut g = c.benchmark_group("lint");
    let k = KernelProfile::latest();
    let settings = Settings::default();
    for (name, pattern) in common::PATTERNS {
        g.throughput(Throughput::Bytes(pattern.len() as u64));
        // Parse + lint from the bytes a user has: the target is for `long-127`.
        g.bench_function(format!("{name}/parse+lint"), |b| {
            b.iter(|| lint::check(black_box(pattern.as_bytes()), &k, &settings))
        });
        let parsed = Pattern::parse(pattern).expect("pattern parses");
        g.bench_function(format!("{name}/lints-only"), |b| {
            b.iter(|| black_box(&parsed).lints(&settings))
        });
    }
    // Rendering the caret report a person reads.
    let report = lint::check(common::LONG127.as_bytes(), &k, &settings);
    g.bench_function("long-127/render", |b| {
        b.iter(|| black_box(&report).render())
    });
    g.finish();
}

criterion_group!(benches, lints);
criterion_main!(benches);
