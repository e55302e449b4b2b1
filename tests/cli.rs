//! `corepat` as a process: argument rules, exit statuses, and inputs that
//! once broke it (each test names the input).

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn corepat(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_corepat"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("corepat runs");
    let mut input = child.stdin.take().expect("stdin");
    // The process may stop reading early (a limit); a broken pipe is fine.
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().expect("corepat ends")
}

#[test]
fn version_and_unknown_flags() {
    let out = corepat(&["--version"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("corepat {}", env!("CARGO_PKG_VERSION"))
    );
    for args in [
        &["explain", "--foo"][..],
        &["lint", "--foo", "core"],
        &["match", "--foo", "core", "core"],
    ] {
        assert_eq!(corepat(args, b"").status.code(), Some(2), "{args:?}");
    }
    // A pattern that starts with `-` goes after `--`.
    assert_eq!(
        corepat(&["expand", "--", "-core"], b"").status.code(),
        Some(0)
    );
}

/// A 64 KiB name once panicked the text table ("Formatting argument out of
/// range": it padded every cell to the widest) and padded every row to it.
#[test]
fn a_huge_name_neither_panics_nor_pads_every_row() {
    let long = "a".repeat(65_536);
    let out = corepat(&["match", "core", &long, "core", "core"], b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "a header and three rows");
    // The short rows stay short.
    assert!(
        lines.iter().filter(|l| l.len() < 200).count() >= 3,
        "{:?}",
        &lines[..1]
    );
}

/// `--max-candidates` is capped as the C ABI caps its listing.
#[test]
fn the_candidate_listing_is_capped() {
    let out = corepat(
        &[
            "match",
            "--format",
            "json",
            "--max-candidates",
            "100000000",
            "core.%p%u",
            "core.12341000",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    let out = corepat(
        &[
            "match",
            "--format",
            "json",
            "--max-candidates",
            "65536",
            "core.%p%u",
            "core.12341000",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"count\":5"));
}

/// A manifest input larger than the limit is refused while it is read, not
/// after all of it is in memory (`yes | corepat check-manifest -`).
#[test]
fn a_manifest_input_over_the_limit_is_refused_while_reading() {
    let big = b"# yes\n".repeat((16 << 20) / 6 + 16);
    let out = corepat(&["check-manifest", "-"], &big);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("more than 16777216 bytes"), "{err}");
}
