//! Scaling: every public entry point at an input of size n and 8n. Linear
//! means the time grows about 8× too; the target is at most 10× for every
//! entry point (`benches/scaling.py` prints the ratios from
//! `target/criterion/scaling`). Inputs grow in what an attacker or a broken
//! config controls: pattern bytes and specifiers, name bytes, argv length,
//! manifest documents, containers, volumes and annotation length.
//!
//! Entry points the kernel bounds (a stored value is at most 127 bytes, a
//! kernel release at most 64) are measured past that bound too: the refusal
//! or the cut must not depend on what follows it.
//!
//! `cargo bench --features capi --bench scaling`

#[path = "common/mod.rs"]
mod common;

use core_pattern::ffi::cpat_result;
use core_pattern::ffi::cpat_result::CPAT_RESULT_OK;
use core_pattern::ffi::{
    CPAT_TARGET_ARGV, CPAT_TARGET_PATH, cpat_kernel, cpat_kernel_free, cpat_kernel_parse,
    cpat_lint, cpat_lint_report_count, cpat_lint_report_free, cpat_lint_report_message,
    cpat_matcher, cpat_matcher_free, cpat_matcher_match_argv, cpat_matcher_match_name,
    cpat_matcher_new, cpat_matches_count, cpat_matches_free, cpat_pattern, cpat_pattern_free,
    cpat_pattern_parse, cpat_settings, cpat_sysctl_write,
};
use core_pattern::k8s::{CheckOptions, ManifestSet, PatchOptions, check, ephemeral_patch};
use core_pattern::reverse::MatchOptions;
use core_pattern::{KernelProfile, ParseOptions, Pattern, Settings, lint, write_sysctl};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;
use std::ptr;

/// The two sizes of every case: n and 8n.
const SCALES: [usize; 2] = [1, 8];

/// `unit` repeated until the result is at least `n` bytes, after `head`.
fn grow(head: &str, unit: &str, n: usize) -> String {
    let mut s = String::with_capacity(n + unit.len() + head.len());
    s.push_str(head);
    while s.len() < n {
        s.push_str(unit);
    }
    s
}

/// A pattern with no length limit (tools examine values longer than the
/// kernel keeps; every stage must stay linear in them).
fn long_pattern(text: &str) -> Pattern {
    ParseOptions::new()
        .max_len(usize::MAX)
        .parse(text)
        .expect("pattern parses")
}

fn group<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(format!("scaling/{name}"));
    g.sample_size(10);
    g.warm_up_time(std::time::Duration::from_millis(500));
    g.measurement_time(std::time::Duration::from_secs(2));
    g
}

/// Parse, lint, render, expand and sysctl writes: the pattern grows.
fn pattern_stages(c: &mut Criterion) {
    let k = KernelProfile::latest();
    let settings = Settings::default();
    let crash = common::container_crash();
    let mut g = group(c, "pattern");
    for s in SCALES {
        let n = 4096 * s;
        // A file pattern full of specifiers, and a pipe with n/8 arguments.
        let file = grow("/data/dump-a/", "core-%E-%p-%t-%e-%h/", n);
        let pipe = grow("|/usr/bin/helper", " %p %e -E%E", n);
        g.throughput(Throughput::Bytes(file.len() as u64));
        g.bench_with_input(BenchmarkId::new("parse-file", n), &file, |b, t| {
            b.iter(|| {
                ParseOptions::new()
                    .max_len(usize::MAX)
                    .parse(black_box(t.as_bytes()))
            })
        });
        g.bench_with_input(BenchmarkId::new("parse-pipe", n), &pipe, |b, t| {
            b.iter(|| {
                ParseOptions::new()
                    .max_len(usize::MAX)
                    .parse(black_box(t.as_bytes()))
            })
        });
        // Refused past 127 bytes without reading further than the scan for
        // `\n`/NUL: the default options.
        g.bench_with_input(
            BenchmarkId::new("parse-default-too-long", n),
            &file,
            |b, t| b.iter(|| Pattern::parse(black_box(t.as_bytes()))),
        );
        let pf = long_pattern(&file);
        let pp = long_pattern(&pipe);
        g.bench_with_input(BenchmarkId::new("lints-file", n), &pf, |b, p| {
            b.iter(|| black_box(p).lints(&settings))
        });
        g.bench_with_input(BenchmarkId::new("expand-file", n), &pf, |b, p| {
            b.iter(|| black_box(p).expand(&settings, &crash))
        });
        g.bench_with_input(BenchmarkId::new("expand-pipe", n), &pp, |b, p| {
            b.iter(|| black_box(p).expand(&settings, &crash))
        });
        let mut buf = vec![0u8; 64 * n];
        g.bench_with_input(BenchmarkId::new("expand-file-into", n), &pf, |b, p| {
            b.iter(|| black_box(p).expand_file_name_into(&settings, &crash, &mut buf))
        });
        // The raw value a user pastes: lint::check cuts it as the sysctl
        // does and points at what was dropped; render writes the carets
        // under the whole input.
        let raw = grow("/data/dump-a/core-%E-%p-%t-", "%e-", n);
        g.bench_with_input(BenchmarkId::new("lint-check", n), &raw, |b, t| {
            b.iter(|| lint::check(black_box(t.as_bytes()), &k, &settings))
        });
        let report = lint::check(raw.as_bytes(), &k, &settings);
        g.bench_with_input(BenchmarkId::new("lint-render", n), &report, |b, r| {
            b.iter(|| black_box(r).render())
        });
        let chunks: Vec<&[u8]> = raw.as_bytes().chunks(16).collect();
        g.bench_with_input(
            BenchmarkId::new("sysctl-write-chunks", n),
            &chunks,
            |b, ch| b.iter(|| write_sysctl(&k, b"core", black_box(ch), 0)),
        );
        let one = [raw.as_bytes()];
        g.bench_with_input(BenchmarkId::new("sysctl-write-one", n), &one, |b, ch| {
            b.iter(|| write_sysctl(&k, b"core", black_box(ch), 0))
        });
        let release = grow("6.1.", "1", n);
        g.bench_with_input(
            BenchmarkId::new("kernel-parse-refused", n),
            &release,
            |b, r| b.iter(|| KernelProfile::parse(black_box(r))),
        );
        g.bench_with_input(BenchmarkId::new("explain", n), &raw, |b, t| {
            b.iter(|| {
                core_pattern::explain::Explanation::new(black_box(t.as_bytes()), &k, &settings)
            })
        });
    }
    g.finish();
}

/// Reverse matching: names and argv grow.
fn matching(c: &mut Criterion) {
    let settings = Settings::default();
    let acs = Pattern::parse(common::ACS)
        .expect("pattern")
        .matcher(&settings, MatchOptions::new())
        .expect("matcher");
    let ehpt = Pattern::parse("/cores/core.%e.%h.%p.%t")
        .expect("pattern")
        .matcher(&settings, MatchOptions::new())
        .expect("matcher");
    let hehe = Pattern::parse("%h%e%h%e")
        .expect("pattern")
        .matcher(&settings, MatchOptions::new())
        .expect("matcher");
    let systemd = Pattern::parse(common::SYSTEMD)
        .expect("pattern")
        .matcher(&settings, MatchOptions::new())
        .expect("matcher");
    let mut g = group(c, "match");
    for s in SCALES {
        let n = 4096 * s;
        let name = grow("/data/dump-a/core-", "!opt!my-app", n) + "-1-1700000000";
        g.throughput(Throughput::Bytes(name.len() as u64));
        g.bench_with_input(BenchmarkId::new("acs-best", n), &name, |b, nm| {
            b.iter(|| acs.match_name(black_box(nm.as_bytes())).best().is_some())
        });
        let name = grow("/cores/core.", "a.b", n) + ".node-1.42.1700000000";
        g.bench_with_input(BenchmarkId::new("e-h-p-t-count", n), &name, |b, nm| {
            b.iter(|| ehpt.match_name(black_box(nm.as_bytes())).count())
        });
        let name = grow("", "aa", n);
        g.bench_with_input(BenchmarkId::new("h-e-h-e-count", n), &name, |b, nm| {
            b.iter(|| hehe.match_name(black_box(nm.as_bytes())).count())
        });
        // systemd's helper argv with an n-byte hostname argument.
        let long = "h".repeat(n);
        let argv = common::systemd_argv(long.as_bytes());
        g.bench_with_input(BenchmarkId::new("systemd-argv", n), &argv, |b, a| {
            b.iter(|| systemd.match_argv(black_box(a)).count())
        });
    }
    g.finish();
}

/// `deployments` Deployments in YAML, each with `containers` containers
/// (every other one mounting the dump directory `dir`, the rest not: one
/// finding each) and a ReadWriteOnce PVC (one finding each).
fn manifest(deployments: usize, containers: usize, dir: &str) -> String {
    manifest_with(deployments, containers, dir, false)
}

/// As [`manifest`], and with `patches` an ephemeral-container patch body per
/// Deployment that targets its first container.
fn manifest_with(deployments: usize, containers: usize, dir: &str, patches: bool) -> String {
    let mut out = String::new();
    for d in 0..deployments {
        let _ = write!(
            out,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{d}\n  namespace: team\nspec:\n  replicas: 2\n  template:\n    metadata:\n      annotations:\n        alibabacloud.com/core-pattern: \"{dir}/core-%e-%h-%t\"\n    spec:\n      volumes:\n        - name: cores\n          persistentVolumeClaim:\n            claimName: cores-{d}\n      containers:\n"
        );
        for c in 0..containers {
            let _ = write!(
                out,
                "        - name: app-{d}-c{c}\n          image: registry.example.com/app:1\n"
            );
            if c % 2 == 0 {
                let _ = write!(
                    out,
                    "          volumeMounts:\n            - name: cores\n              mountPath: {dir}\n"
                );
            }
        }
        let _ = write!(
            out,
            "---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: cores-{d}\n  namespace: team\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: alibabacloud-disk-essd\n"
        );
        if patches {
            let _ = write!(
                out,
                "---\n{{\"spec\": {{\"ephemeralContainers\": [{{\"name\": \"debug\", \"image\": \"busybox\", \"targetContainerName\": \"app-{d}-c0\"}}]}}}}\n"
            );
        }
    }
    out
}

/// Manifest reading and checking: documents, containers and the
/// annotation's length grow.
fn manifests(c: &mut Criterion) {
    let opts = CheckOptions::default();
    let mut g = group(c, "manifest");
    for s in SCALES {
        let cases = [
            ("deployments-pvc", manifest(100 * s, 2, "/data/dump-a")),
            ("containers", manifest(1, 250 * s, "/data/dump-a")),
            (
                "ephemeral-patches",
                manifest_with(100 * s, 2, "/data/dump-a", true),
            ),
            (
                "annotation-length",
                manifest(1, 2, &format!("/data/{}", "a".repeat(16 * 1024 * s))),
            ),
        ];
        for (label, text) in cases {
            let n = text.len();
            g.throughput(Throughput::Bytes(n as u64));
            g.bench_with_input(
                BenchmarkId::new(format!("{label}/parse"), s),
                &text,
                |b, t| b.iter(|| ManifestSet::parse("bench", black_box(t)).expect("parses")),
            );
            let set = ManifestSet::parse("bench", &text).expect("parses");
            g.bench_with_input(
                BenchmarkId::new(format!("{label}/check"), s),
                &set,
                |b, st| b.iter(|| check(black_box(st), &opts)),
            );
            let report = check(&set, &opts);
            g.bench_with_input(
                BenchmarkId::new(format!("{label}/json"), s),
                &report,
                |b, r| b.iter(|| black_box(r).to_json().to_string()),
            );
            g.bench_with_input(
                BenchmarkId::new(format!("{label}/patch"), s),
                &set,
                |b, st| b.iter(|| ephemeral_patch(black_box(st), &PatchOptions::default())),
            );
        }
    }
    g.finish();
}

/// Calls a C function and checks it succeeded.
fn ok(r: cpat_result) {
    assert_eq!(r, CPAT_RESULT_OK, "C call failed");
}

/// The C functions that take input of any length: the same inputs as the
/// Rust cases. (Handles' accessors are O(1) or copy one stored value.)
#[allow(unsafe_code)]
fn c_abi(c: &mut Criterion) {
    let csettings = cpat_settings {
        core_uses_pid: 0,
        suid_dumpable: 0,
        core_pipe_limit: 0,
    };
    let mut g = group(c, "c-abi");
    for s in SCALES {
        let n = 4096 * s;
        let raw = grow("/data/dump-a/core-%E-%p-%t-", "%e-", n);
        // cpat_pattern_parse: the kernel's 127-byte limit; refused past it.
        g.bench_with_input(
            BenchmarkId::new("cpat_pattern_parse-too-long", n),
            &raw,
            |b, t| {
                b.iter(|| {
                    let mut p: *mut cpat_pattern = ptr::null_mut();
                    // SAFETY: `t` is readable for its length; `p` writable.
                    let r = unsafe {
                        cpat_pattern_parse(
                            t.as_ptr(),
                            t.len(),
                            ptr::null(),
                            &mut p,
                            ptr::null_mut(),
                        )
                    };
                    // SAFETY: NULL or a live pattern.
                    unsafe { cpat_pattern_free(p) };
                    r
                })
            },
        );
        g.bench_with_input(BenchmarkId::new("cpat_lint+message", n), &raw, |b, t| {
            b.iter(|| {
                let mut r = ptr::null_mut();
                // SAFETY: `t` readable for its length; NULL kernel and
                // settings mean the defaults; `r` writable.
                ok(unsafe { cpat_lint(t.as_ptr(), t.len(), ptr::null(), ptr::null(), &mut r) });
                let mut buf = [0u8; 256];
                let mut len = 0usize;
                // SAFETY: `r` live; `buf` writable for its length.
                let count = unsafe { cpat_lint_report_count(r) };
                for i in 0..count {
                    // SAFETY: as above; `i` < count.
                    let _ = unsafe {
                        cpat_lint_report_message(r, i, buf.as_mut_ptr(), buf.len(), &mut len)
                    };
                }
                // SAFETY: `r` from cpat_lint, freed once.
                unsafe { cpat_lint_report_free(r) };
                len
            })
        });
        let chunks: Vec<&[u8]> = raw.as_bytes().chunks(16).collect();
        let ptrs: Vec<*const u8> = chunks.iter().map(|c| c.as_ptr()).collect();
        let lens: Vec<usize> = chunks.iter().map(|c| c.len()).collect();
        g.bench_with_input(
            BenchmarkId::new("cpat_sysctl_write-chunks", n),
            &(),
            |b, ()| {
                b.iter(|| {
                    let mut returns = vec![0i64; ptrs.len()];
                    let mut stored = [0u8; 128];
                    let mut stored_len = 0usize;
                    // SAFETY: `ptrs`/`lens` describe `chunks`, readable; outputs
                    // writable for their lengths.
                    unsafe {
                        cpat_sysctl_write(
                            ptr::null(),
                            b"core".as_ptr(),
                            4,
                            ptrs.as_ptr(),
                            lens.as_ptr(),
                            ptrs.len(),
                            0,
                            returns.as_mut_ptr(),
                            ptr::null_mut(),
                            stored.as_mut_ptr(),
                            stored.len(),
                            &mut stored_len,
                        )
                    }
                })
            },
        );
        let release = grow("6.1.", "1", n);
        g.bench_with_input(
            BenchmarkId::new("cpat_kernel_parse-refused", n),
            &release,
            |b, r| {
                b.iter(|| {
                    let mut k: *mut cpat_kernel = ptr::null_mut();
                    // SAFETY: `r` readable for its length; `k` writable.
                    let res = unsafe { cpat_kernel_parse(r.as_ptr(), r.len(), 0, &mut k) };
                    // SAFETY: NULL or a live kernel.
                    unsafe { cpat_kernel_free(k) };
                    res
                })
            },
        );

        // Matching through the C ABI: a 127-byte pattern (the most the C
        // ABI parses), names and argv that grow.
        let mut cp: *mut cpat_pattern = ptr::null_mut();
        // SAFETY: the pattern is readable for its length; `cp` writable.
        ok(unsafe {
            cpat_pattern_parse(
                common::ACS.as_ptr(),
                common::ACS.len(),
                ptr::null(),
                &mut cp,
                ptr::null_mut(),
            )
        });
        let mut m: *mut cpat_matcher = ptr::null_mut();
        // SAFETY: live pattern, valid settings, `m` writable.
        ok(unsafe { cpat_matcher_new(cp, &csettings, CPAT_TARGET_PATH, &mut m) });
        let name = grow("/data/dump-a/core-", "!opt!my-app", n) + "-1-1700000000";
        g.bench_with_input(
            BenchmarkId::new("cpat_matcher_match_name", n),
            &name,
            |b, nm| {
                b.iter(|| {
                    let mut r = ptr::null_mut();
                    // SAFETY: live matcher, `nm` readable, `r` writable.
                    ok(unsafe { cpat_matcher_match_name(m, nm.as_ptr(), nm.len(), 16, &mut r) });
                    // SAFETY: `r` live until freed below.
                    let count = unsafe { cpat_matches_count(r) };
                    // SAFETY: from cpat_matcher_match_name, freed once.
                    unsafe { cpat_matches_free(r) };
                    count
                })
            },
        );
        // SAFETY: created above, freed once.
        unsafe {
            cpat_matcher_free(m);
            cpat_pattern_free(cp);
        }

        let sys = common::SYSTEMD;
        let mut sp: *mut cpat_pattern = ptr::null_mut();
        // SAFETY: as above.
        ok(unsafe {
            cpat_pattern_parse(
                sys.as_ptr(),
                sys.len(),
                ptr::null(),
                &mut sp,
                ptr::null_mut(),
            )
        });
        let mut sm: *mut cpat_matcher = ptr::null_mut();
        // SAFETY: as above.
        ok(unsafe { cpat_matcher_new(sp, &csettings, CPAT_TARGET_ARGV, &mut sm) });
        // An argv with a long hostname-like argument: n bytes in all.
        let long = "h".repeat(n);
        let argv = common::systemd_argv(long.as_bytes());
        let ptrs: Vec<*const u8> = argv.iter().map(|a| a.as_ptr()).collect();
        let lens: Vec<usize> = argv.iter().map(|a| a.len()).collect();
        g.bench_function(BenchmarkId::new("cpat_matcher_match_argv", n), |b| {
            b.iter(|| {
                let mut r = ptr::null_mut();
                // SAFETY: live matcher, `ptrs`/`lens` describe `argv`.
                ok(unsafe {
                    cpat_matcher_match_argv(
                        sm,
                        ptrs.as_ptr(),
                        lens.as_ptr(),
                        ptrs.len(),
                        16,
                        &mut r,
                    )
                });
                // SAFETY: live until freed.
                let count = unsafe { cpat_matches_count(r) };
                // SAFETY: freed once.
                unsafe { cpat_matches_free(r) };
                count
            })
        });
        // SAFETY: created above, freed once.
        unsafe {
            cpat_matcher_free(sm);
            cpat_pattern_free(sp);
        }

        let text = manifest(100 * s, 2, "/data/dump-a");
        g.bench_with_input(BenchmarkId::new("cpat_check_manifest", s), &text, |b, t| {
            let mut buf = vec![0u8; 1 << 20];
            b.iter(|| {
                let mut len = 0usize;
                let mut errors = false;
                // SAFETY: `t` readable for its length; `buf` writable for its
                // length; the outputs writable.
                unsafe {
                    core_pattern::ffi::cpat_check_manifest(
                        t.as_ptr(),
                        t.len(),
                        buf.as_mut_ptr(),
                        buf.len(),
                        &mut len,
                        &mut errors,
                        ptr::null_mut(),
                    )
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, pattern_stages, matching, manifests, c_abi);
criterion_main!(benches);
