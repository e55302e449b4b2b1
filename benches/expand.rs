//! Expansion: the patterns people deploy, for a crash in a container and one
//! on a host. Ours allocating (`Pattern::expand`), ours into a caller's
//! stack buffer (`Pattern::expand_file_name_into`, file patterns only), and
//! the `str::replace` chain a collector script uses (`peers/replace.rs`).
//!
//! IDs are `expand/<pattern>[-host]/<variant>`; the headline is
//! `expand/acs/into-buffer` (the ACS annotation's pattern, container crash;
//! target ≤ 60 ns).
//!
//! `cargo bench --bench expand`

#[path = "common/mod.rs"]
mod common;
#[path = "peers/replace.rs"]
mod replace_peer;

use core_pattern::{Crash, Mode, Outcome, Pattern, Settings};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn expand(c: &mut Criterion) {
    let mut g = c.benchmark_group("expand");
    let settings = Settings::default();
    let crashes: [(&str, Crash<'static>); 2] = [
        ("", common::container_crash()),
        ("-host", common::host_crash()),
    ];
    for (name, text) in common::PATTERNS {
        // Parsed once, outside the timed loops.
        let pattern = Pattern::parse(text).expect("the shared patterns parse");
        for (suffix, crash) in &crashes {
            // A socket path does not depend on the crash: one crash is enough.
            let socket = matches!(pattern.mode(), Mode::Socket | Mode::SocketRequest);
            if socket && !suffix.is_empty() {
                continue;
            }
            let label = format!("{name}{suffix}");
            let ours = pattern.expand(&settings, crash);
            assert!(
                !matches!(ours, Outcome::NoDump { .. }),
                "{label}: the bench inputs produce a core ({ours:?})"
            );
            if pattern.mode() == Mode::File {
                let mut buf = [0u8; 4096];
                let n = pattern
                    .expand_file_name_into(&settings, crash, &mut buf)
                    .expect("the name fits");
                assert_eq!(
                    ours,
                    Outcome::File {
                        name: buf[..n].to_vec()
                    },
                    "{label}"
                );
                g.bench_function(format!("{label}/into-buffer"), |b| {
                    b.iter(|| {
                        black_box(black_box(&pattern).expand_file_name_into(
                            black_box(&settings),
                            black_box(crash),
                            black_box(&mut buf[..]),
                        ))
                    })
                });
            }
            g.bench_function(format!("{label}/alloc"), |b| {
                b.iter(|| {
                    black_box(black_box(&pattern).expand(black_box(&settings), black_box(crash)))
                })
            });
            g.bench_function(format!("{label}/str-replace"), |b| {
                b.iter(|| {
                    black_box(replace_peer::expand(
                        black_box(text),
                        black_box(crash),
                        black_box(&settings),
                    ))
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, expand);
criterion_main!(benches);
