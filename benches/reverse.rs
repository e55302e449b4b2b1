//! Reverse matching: typical names, ambiguous names, hostile names of
//! 1 KiB to 64 KiB (time must grow linearly with the name length), and the
//! regex a crash collector builds from the pattern (`vs-regex`, measured in
//! the same run on the file and pipe patterns people deploy; each case
//! first checks that both answer the same; `tests/peers_regex.rs` compares
//! the answers on many more names).
//!
//! `cargo bench --bench reverse`

#[path = "common/mod.rs"]
mod common;
#[path = "peers/regex.rs"]
mod regex_peer;

use core_pattern::reverse::{MatchOptions, Matches, Target};
use core_pattern::{Crash, Outcome, Pattern, Settings, Specifier};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn matcher(pattern: &str, target: Option<Target>) -> core_pattern::reverse::Matcher {
    let mut opts = MatchOptions::new();
    if let Some(t) = target {
        opts = opts.target(t);
    }
    Pattern::parse(pattern)
        .expect("pattern")
        .matcher(&Settings::default(), opts)
        .expect("matcher")
}

fn typical(c: &mut Criterion) {
    let mut g = c.benchmark_group("match");
    let acs = matcher("/data/dump-a/core-%E-%p-%t", None);
    let name = b"/data/dump-a/core-!opt!my-app!bin!my-server-1-1700000000";
    g.throughput(Throughput::Bytes(name.len() as u64));
    g.bench_function("acs-path", |b| {
        b.iter(|| black_box(acs.match_name(black_box(name))).count())
    });
    let acs_c = matcher("/data/dump-a/core-%E-%p-%t", Some(Target::Component));
    let comp = b"core-!opt!my-app!bin!my-server-1-1700000000";
    g.bench_function("acs-component", |b| {
        b.iter(|| black_box(acs_c.match_name(black_box(comp))).count())
    });
    let anchored = matcher("/var/crash/core.%p.%s.%t", None);
    let name = b"/var/crash/core.4242.11.1700000000";
    g.bench_function("anchored", |b| {
        b.iter(|| black_box(anchored.match_name(black_box(name))).count())
    });
    let amb = matcher("core.%p%u", None);
    g.bench_function("ambiguous-count", |b| {
        b.iter(|| black_box(amb.match_name(black_box(b"core.12341000"))).count())
    });
    g.bench_function("ambiguous-list", |b| {
        b.iter(|| {
            black_box(amb.match_name(black_box(b"core.12341000")))
                .candidates(16)
                .len()
        })
    });
    let systemd = matcher(
        "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F",
        None,
    );
    let argv = common::systemd_argv(b"node1");
    g.bench_function("systemd-argv", |b| {
        b.iter(|| black_box(systemd.match_argv(black_box(&argv))).count())
    });
    g.finish();
}

/// Hostile names: the time per byte must stay flat from 1 KiB to 64 KiB.
fn hostile(c: &mut Criterion) {
    let cases: [(&str, &str, u8); 5] = [
        ("E-E-E-E-E", "%E-%E-%E-%E-%E", b'-'),
        ("h-e-h-e", "%h%e%h%e", b'a'),
        ("E-f-h-e", "/c/%E-%f-%h-%e", b'-'),
        ("p-u-g-s-t", "%p%u%g%s%t", b'1'),
        ("E.t", "/c/%E.%t", b'.'),
    ];
    let mut g = c.benchmark_group("hostile");
    g.sample_size(10);
    for (label, pattern, fill) in cases {
        let m = matcher(pattern, None);
        for kib in [1usize, 4, 16, 64] {
            let mut name = Vec::with_capacity(kib * 1024);
            if pattern.starts_with("/c/") {
                name.extend_from_slice(b"/c/");
            }
            while name.len() < kib * 1024 {
                name.push(b'a');
                name.push(fill);
            }
            g.throughput(Throughput::Bytes(name.len() as u64));
            g.bench_with_input(
                BenchmarkId::new(label, format!("{kib}KiB")),
                &name,
                |b, n| b.iter(|| black_box(m.match_name(black_box(n))).count()),
            );
        }
    }
    g.finish();
}

/// The file name or argv `pattern` expands to for `crash`.
fn expand(pattern: &str, crash: &Crash<'_>) -> Outcome {
    let p = Pattern::parse(pattern).expect("pattern");
    match p.expand(&Settings::default(), crash) {
        o @ (Outcome::File { .. } | Outcome::Pipe { .. }) => o,
        other => panic!("{pattern}: no core: {other:?}"),
    }
}

/// Field values as (specifier, bytes), in pattern order.
type Answer<'a> = Vec<(Specifier, &'a [u8])>;

/// Ours: the fields of the one candidate.
fn answer<'a>(found: &'a Matches<'_>, label: &str) -> Answer<'a> {
    assert_eq!(found.count(), 1, "{label}: unambiguous");
    let best = found.best().expect("ours matches");
    best.fields()
        .iter()
        .map(|f| (f.spec(), f.bytes()))
        .collect()
}

/// The regex's answer, without `%F` in pipe mode (ours reads it as the
/// literal `3` it always is there, not as a field).
fn peer_answer(mut fields: Answer<'_>, pipe: bool) -> Answer<'_> {
    fields.retain(|(s, v)| !(pipe && *s == Specifier::Pidfd && *v == b"3"));
    fields
}

/// Ours against the collector's regex, on names both answer the same
/// (`tests/peers_regex.rs`): a complete answer each, i.e. the field values.
/// Ours: `match_name` (or `match_argv`) then `best()`; the regex:
/// `captures` and extraction. For a pipe, both ways a collector would use
/// regexes are timed: one regex over the argv joined by spaces (the join
/// included), and one regex per argument.
fn vs_regex(c: &mut Criterion) {
    let cases: [(&str, &str, Crash<'static>); 12] = [
        ("acs-container", common::ACS, common::container_crash()),
        ("acs-host", common::ACS, common::host_crash()),
        ("anchored", "/var/crash/core.%p.%s.%t", common::host_crash()),
        (
            "e-h-p-t",
            "/cores/core.%e.%h.%p.%t",
            common::container_crash(),
        ),
        (
            "e-p-t",
            "/var/lib/cores/core.%e.%p.%t",
            common::host_crash(),
        ),
        ("core-e-p-t", "core-%e-%p-%t", common::host_crash()),
        ("core-e-p", "core.%e.%p", common::host_crash()),
        ("core-p", "core.%p", common::host_crash()),
        ("acs-component", common::ACS, common::container_crash()),
        ("systemd", common::SYSTEMD, common::container_crash()),
        ("apport", common::APPORT, common::container_crash()),
        ("abrt", common::ABRT, common::host_crash()),
    ];
    let mut g = c.benchmark_group("vs-regex");
    for (label, pattern, crash) in cases {
        let p = Pattern::parse(pattern).expect("pattern");
        let peer = regex_peer::RegexPeer::new(&p);
        match expand(pattern, &crash) {
            Outcome::File { name } => {
                // The component case: a directory listing's name, and the
                // regex built from the pattern's last component.
                let (ours, peer, name) = if label == "acs-component" {
                    let last = name.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
                    let tail = &pattern[pattern.rfind('/').map_or(0, |i| i + 1)..];
                    let peer = regex_peer::RegexPeer::new(&Pattern::parse(tail).expect("tail"));
                    (
                        matcher(pattern, Some(Target::Component)),
                        peer,
                        name[last..].to_vec(),
                    )
                } else {
                    (matcher(pattern, None), peer, name)
                };
                // Both answer, the same.
                let found = ours.match_name(&name);
                let theirs = peer.match_name_ref(&name).expect("the regex matches");
                assert_eq!(answer(&found, label), peer_answer(theirs, false), "{label}");
                g.throughput(Throughput::Bytes(name.len() as u64));
                g.bench_function(format!("{label}/ours"), |b| {
                    b.iter(|| {
                        let found = ours.match_name(black_box(&name));
                        black_box(&found.best());
                    })
                });
                g.bench_function(format!("{label}/regex"), |b| {
                    b.iter(|| black_box(peer.match_name_ref(black_box(&name))))
                });
            }
            Outcome::Pipe { argv, .. } => {
                let ours = matcher(pattern, None);
                let per_arg = regex_peer::ArgvRegexPeer::new(&p);
                let argv: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
                // All three answer, the same.
                let found = ours.match_argv(&argv);
                let want = answer(&found, label);
                let joined = argv.join(&b' ');
                let theirs = peer.match_name_ref(&joined).expect("the regex matches");
                assert_eq!(want, peer_answer(theirs, true), "{label}: joined");
                let theirs = per_arg.match_argv_ref(&argv).expect("the regexes match");
                assert_eq!(want, peer_answer(theirs, true), "{label}: per argument");
                g.throughput(Throughput::Bytes(joined.len() as u64));
                g.bench_function(format!("{label}/ours"), |b| {
                    b.iter(|| {
                        let found = ours.match_argv(black_box(&argv));
                        black_box(&found.best());
                    })
                });
                g.bench_function(format!("{label}/regex"), |b| {
                    b.iter(|| {
                        let joined = black_box(&argv).join(&b' ');
                        black_box(peer.match_name_ref(&joined).map(|f| f.len()))
                    })
                });
                g.bench_function(format!("{label}/regex-per-arg"), |b| {
                    b.iter(|| black_box(per_arg.match_argv_ref(black_box(&argv))))
                });
            }
            other => panic!("{label}: {other:?}"),
        }
    }
    g.finish();
}

criterion_group!(benches, typical, hostile, vs_regex);
criterion_main!(benches);
