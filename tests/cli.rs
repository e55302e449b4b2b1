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

/// Names from a manifest reach the terminal with their control bytes
/// escaped, and the shell commands meant to be pasted with them quoted.
#[test]
fn manifest_names_are_terminal_and_shell_safe() {
    let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"evil\\e[31m$(id)\"\n  namespace: \"ns;rm -rf /\"\n  annotations:\n    alibabacloud.com/core-pattern: /data/dump-a/core-%e-%h-%t\nspec:\n  containers:\n  - name: app\n    image: app:1\n    volumeMounts: [{name: cores, mountPath: /data/dump-a}]\n  volumes:\n  - name: cores\n    emptyDir: {}\n";
    let out = corepat(&["check-manifest", "-"], manifest.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("evil\\x1b[31m$(id)"), "{text}");
    let out = corepat(&["ephemeral-patch", "-"], manifest.as_bytes());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let how = String::from_utf8_lossy(&out.stderr);
    assert!(!how.contains('\u{1b}'), "{how}");
    assert!(
        how.contains("kubectl -n 'ns;rm -rf /' patch pod 'evil\\x1b[31m$(id)'"),
        "{how}"
    );
}

/// Values no kernel can hold are usage errors, not silently modelled.
#[test]
fn impossible_values_are_usage_errors() {
    for args in [
        &["expand", "--suid-dumpable", "7", "core"][..],
        &["expand", "--dumpable", "7", "core"],
        &["lint", "--suid-dumpable", "3", "core"],
    ] {
        assert_eq!(corepat(args, b"").status.code(), Some(2), "{args:?}");
    }
    assert_eq!(
        corepat(&["expand", "--dumpable", "2", "/c/core"], b"")
            .status
            .code(),
        Some(0)
    );
}

/// A kernel release no kernel has is a usage error.
#[test]
fn impossible_kernel_releases_are_usage_errors() {
    for release in ["6.1;rm", "2.6.0", "linux"] {
        let out = corepat(&["expand", "--kernel", release, "core"], b"");
        assert_eq!(out.status.code(), Some(2), "{release}");
    }
}

// ---------------------------------------------------------------------------
// Crash fields no kernel produces (`Crash::check`)

/// A crash value no kernel produces is a usage error (exit 2) whose message
/// names the field, the value and the range; nothing goes to stdout.
#[test]
fn impossible_crash_fields_are_usage_errors() {
    let cases: [(&[&str], &str); 10] = [
        (
            &["--pid", "0"],
            "pid 0 is outside what a kernel produces for %p: 1..=4194303",
        ),
        (
            &["--tid", "0"],
            "tid 0 is outside what a kernel produces for %i: 1..=4194303",
        ),
        (
            &["--global-pid", "4194304"],
            "global_pid 4194304 is outside what a kernel produces for %P: 1..=4194303",
        ),
        (
            &["--global-tid", "4294967295"],
            "global_tid 4294967295 is outside what a kernel produces for %I: 1..=4194303",
        ),
        (
            &["--uid", "4294967295"],
            "uid 4294967295 is outside what a kernel produces for %u: 0..=4294967294",
        ),
        (
            &["--gid", "4294967295"],
            "gid 4294967295 is outside what a kernel produces for %g: 0..=4294967294",
        ),
        (
            &["--signal", "0"],
            "signal 0 is outside what a kernel produces for %s: 1..=64",
        ),
        (
            &["--signal", "65"],
            "signal 65 is outside what a kernel produces for %s: 1..=64",
        ),
        (
            &["--cpu", "2147483648"],
            "cpu 2147483648 is outside what a kernel produces for %C: 0..=2147483647",
        ),
        // --pid is the default of the other three; the first field is named.
        (
            &["--pid", "5000000"],
            "pid 5000000 is outside what a kernel produces for %p: 1..=4194303",
        ),
    ];
    for (flags, message) in cases {
        for format in ["text", "json"] {
            let mut args = vec!["expand", "--format", format];
            args.extend_from_slice(flags);
            args.push("/cores/core.%p");
            let out = corepat(&args, b"");
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert!(out.stdout.is_empty(), "{args:?}");
            assert_eq!(
                String::from_utf8_lossy(&out.stderr),
                format!("corepat: error: {message}\n"),
                "{args:?}"
            );
        }
    }
}

/// The last values a kernel produces are accepted and printed as given.
#[test]
fn crash_fields_at_their_bounds_expand() {
    let out = corepat(
        &[
            "expand",
            "--pid",
            "4194303",
            "--tid",
            "1",
            "--global-pid",
            "1",
            "--global-tid",
            "4194303",
            "--uid",
            "4294967294",
            "--gid",
            "0",
            "--signal",
            "64",
            "--cpu",
            "2147483647",
            "/c/%p.%i.%P.%I.%u.%g.%C",
        ],
        b"",
    );
    // Signal 64 is a real-time signal: a valid crash that dumps no core.
    assert_eq!(out.status.code(), Some(1));
    let out = corepat(
        &[
            "expand",
            "--pid",
            "4194303",
            "--tid",
            "1",
            "--global-pid",
            "1",
            "--global-tid",
            "4194303",
            "--uid",
            "4294967294",
            "--gid",
            "0",
            "--signal",
            "SIGSEGV",
            "--cpu",
            "2147483647",
            "/c/%p.%i.%P.%I.%u.%g.%C",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "file /c/4194303.1.1.4194303.4294967294.0.2147483647\n"
    );
}
