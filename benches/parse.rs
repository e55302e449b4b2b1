//! Parsing: the patterns people deploy, for the newest kernel and for 6.1.
//!
//! `cargo bench --bench parse`

#[path = "common/mod.rs"]
mod common;

use core_pattern::{KernelProfile, KernelVersion, ParseOptions, Pattern};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    let old = ParseOptions::new().kernel(KernelProfile::new(KernelVersion::new(6, 1, 0)));
    for (name, pattern) in common::PATTERNS {
        g.throughput(Throughput::Bytes(pattern.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| Pattern::parse(black_box(pattern.as_bytes())))
        });
        g.bench_function(format!("{name}/6.1"), |b| {
            b.iter(|| old.parse(black_box(pattern.as_bytes())))
        });
    }
    g.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
