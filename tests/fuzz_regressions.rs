//! Inputs the fuzzers found, kept as regression tests. Each file under
//! `tests/fuzz/testdata/` is replayed through every entry point and through
//! `corepat match`'s listing (nothing may panic), and each has a test below
//! saying what it showed.

// The listing of `corepat match` and its checks, as the `match_listing`
// fuzz target includes them.
#[allow(dead_code)]
#[path = "../src/bin/corepat/json.rs"]
mod json;
#[allow(dead_code)]
#[path = "../src/bin/corepat/listing.rs"]
mod listing;
#[path = "../src/bin/corepat/listing_check.rs"]
mod listing_check;
#[allow(dead_code)]
#[path = "../src/bin/corepat/text.rs"]
mod text;

use core_pattern::reverse::{MatchOptions, Target};
use core_pattern::{Crash, KernelProfile, Outcome, ParseOptions, Settings, lint, write_sysctl};

fn testdata() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz/testdata");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("testdata directory")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("readable"),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
#[cfg_attr(miri, ignore)]
fn every_input_goes_through_every_entry_point() {
    let data = testdata();
    assert!(!data.is_empty());
    for (name, bytes) in data {
        for k in ["4.4.0", "5.2.0", "6.1.192", "6.16.12", "7.3.4"] {
            let k = KernelProfile::parse(k).unwrap();
            let r = lint::check(&bytes, &k, &Settings::default());
            if let Ok(p) = ParseOptions::new().kernel(k).max_len(4096).parse(&bytes) {
                let out = p.expand(&Settings::default(), &Crash::example());
                if let Ok(m) = p.matcher(&Settings::default(), MatchOptions::new()) {
                    match &out {
                        Outcome::File { name } => {
                            let _ = m.match_name(name).count();
                        }
                        Outcome::Pipe { argv, .. } => {
                            let a: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
                            let _ = m.match_argv(&a).count();
                        }
                        _ => {}
                    }
                }
            }
            let _ = r.render();
            let _ = write_sysctl(&k, b"core", &[&bytes], 2);
        }
        #[cfg(not(feature = "k8s"))]
        let _ = name;
        #[cfg(feature = "k8s")]
        if let Ok(set) =
            core_pattern::k8s::ManifestSet::parse(&name, &String::from_utf8_lossy(&bytes))
        {
            let _ = core_pattern::k8s::check(&set, &core_pattern::k8s::CheckOptions::new());
        }
    }
}

/// Every input, read as `corepat match --stdin` reads it (a pattern line,
/// then names), keeps the listing's promises (`listing_check.rs`).
#[test]
#[cfg_attr(miri, ignore)]
fn every_input_goes_through_the_match_listing() {
    for (name, bytes) in testdata() {
        let run = std::panic::catch_unwind(|| listing_check::check(&bytes));
        assert!(run.is_ok(), "{name}");
    }
}

/// Row 8 of issue 15, small: many short names and one long one (and one
/// over the line cap). Every row was padded to the widest and the whole
/// listing held; now each row is bounded by its own cells, the long line
/// is refused by number, and the listing streams.
/// Input: `match_listing-row8-one-long-name.txt`.
#[test]
#[cfg_attr(miri, ignore)]
fn one_long_name_does_not_widen_every_row() {
    let input = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fuzz/testdata/match_listing-row8-one-long-name.txt"
    ))
    .unwrap();
    listing_check::check(&input);
    let p = ParseOptions::new().parse("core.%p").unwrap();
    let m = p
        .matcher(&Settings::default(), MatchOptions::new())
        .unwrap();
    let stream = &input[b"core.%p\n".len()..];
    let mut out = Vec::new();
    let mut refused = Vec::new();
    let mut l = listing::Listing::new(&m, false, 16, &mut out);
    l.stream(
        &mut std::io::BufReader::new(stream),
        listing_check::CAP,
        &mut |line, len| refused.push((line, len)),
    )
    .unwrap();
    let tally = l.finish().unwrap();
    assert_eq!(refused, [(102, 600)]);
    assert_eq!(
        tally,
        listing::Tally {
            names: 201,
            matched: 200,
            refused: 1
        }
    );
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "name    program  pid  time (UTC)  signal  match");
    assert_eq!(lines[1], "core.1  ?        1    ?           ?       unique");
    assert_eq!(
        lines[100],
        "core.100  ?        100  ?           ?       unique"
    );
    assert_eq!(
        lines[101],
        format!(
            "{}  -        -    -           -       no match",
            "a".repeat(250)
        )
    );
    assert_eq!(
        lines[201],
        "core.200  ?        200  ?           ?       unique"
    );
    assert_eq!(lines.len(), 202);
}

/// `expand_then_match` found that a crash with TID 0 and a global PID over
/// PID_MAX_LIMIT expands to a name the matcher rejects. That is by design:
/// the matcher reads fields as the kernel writes them (PIDs are
/// 1..=4194304), and no kernel has such a crash. The harness now feeds
/// only crashes a kernel can have; this test pins both halves.
#[test]
fn impossible_crash_values_are_not_matched_but_possible_ones_are() {
    let pattern = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fuzz/testdata/expand_then_match-tid-zero.pattern"
    ))
    .unwrap();
    let p = ParseOptions::new().parse(&pattern).unwrap();
    let m = p
        .matcher(
            &Settings::default(),
            MatchOptions::new().target(Target::Path),
        )
        .unwrap();
    let impossible = Crash::example().with_tid(0).with_global_pid(1_701_838_848);
    let Outcome::File { name } = p.expand(&Settings::default(), &impossible) else {
        panic!("file outcome");
    };
    assert_eq!(m.match_name(&name).count(), 0);
    let Outcome::File { name } = p.expand(&Settings::default(), &Crash::example()) else {
        panic!("file outcome");
    };
    assert!(m.match_name(&name).is_match());
}

/// `expand_then_match` found that on kernels before 4.6 (an empty `%h` or
/// `%e` writes nothing) and before 5.3 (argv split after expansion), the
/// matcher had no move for an empty text value, so the helper's real argv
/// did not match its own pattern. Input:
/// `expand_then_match-presplit-empty-value.bin`.
#[test]
fn empty_text_values_before_4_6_match_split_argv() {
    let k = KernelProfile::parse("3.10.0").unwrap();
    for (pattern, hostname) in [
        ("|/h a%hb %e", &b""[..]),
        ("|/h %h %e", b""),
        ("|/h x %h", b""),
        ("|/h a%hb %e", b"node"),
    ] {
        let p = ParseOptions::new().kernel(k).parse(pattern).unwrap();
        let crash = Crash::example().with_hostname(hostname);
        let Outcome::Pipe { argv, .. } = p.expand(&Settings::default(), &crash) else {
            panic!("pipe");
        };
        let m = p
            .matcher(&Settings::default(), MatchOptions::new())
            .unwrap();
        let a: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
        let found = m.match_argv(&a);
        assert!(
            found.is_match(),
            "{pattern} with hostname {hostname:?}: {argv:?}"
        );
        // The real values are among the candidates.
        assert!(found.candidates(1000).iter().any(|c| {
            c.get(core_pattern::Specifier::Hostname)
                .is_none_or(|f| f.bytes() == hostname)
        }));
    }
}
