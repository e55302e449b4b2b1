//! The sysctl write model: one write of each pattern, a write the kernel
//! cuts at 127 bytes, and a value written in chunks.
//!
//! `cargo bench --bench sysctl`

#[path = "common/mod.rs"]
mod common;

use core_pattern::{KernelProfile, write_sysctl};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn sysctl(c: &mut Criterion) {
    let mut g = c.benchmark_group("sysctl");
    let k = KernelProfile::latest();
    for (name, pattern) in common::PATTERNS {
        let chunk = [pattern.as_bytes()];
        g.bench_function(name, |b| {
            b.iter(|| write_sysctl(&k, black_box(b"core"), black_box(&chunk), 0))
        });
    }
    let long = format!("/{}\n", "a".repeat(200));
    let chunk = [long.as_bytes()];
    g.bench_function("cut-at-127", |b| {
        b.iter(|| write_sysctl(&k, black_box(b"core"), black_box(&chunk), 0))
    });
    let chunks: Vec<&[u8]> = common::IBM.as_bytes().chunks(16).collect();
    g.bench_function("ibm-109-in-16-byte-chunks", |b| {
        b.iter(|| write_sysctl(&k, black_box(b"core"), black_box(&chunks), 2))
    });
    g.finish();
}

criterion_group!(benches, sysctl);
criterion_main!(benches);
