//! `corepat` as a process: argument rules, exit statuses, and inputs that
//! once broke it (each test names the input).

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::ffi::OsStrExt;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn corepat<A: AsRef<OsStr>>(args: &[A], stdin: &[u8]) -> Output {
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
    let at_bounds = |signal: &str| {
        corepat(
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
                signal,
                "--cpu",
                "2147483647",
                "/c/%p.%i.%P.%I.%u.%g.%C",
            ],
            b"",
        )
    };
    // Signal 64 is a real-time signal: a valid crash that dumps no core.
    assert_eq!(at_bounds("64").status.code(), Some(1));
    let out = at_bounds("SIGSEGV");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "file /c/4194303.1.1.4194303.4294967294.0.2147483647\n"
    );
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("UTF-8 stderr")
}

/// Row 8 of issue 15: many short names and one 60 KB name on stdin once
/// padded every row to the widest and held the whole listing (1.3 MB of
/// input, 1.2 GB of output). Now each row is as wide as the header and the
/// first name need, a wider cell overflows on its own row, and the output
/// is proportional to the input.
#[test]
fn a_stream_with_one_huge_name_gives_output_proportional_to_its_input() {
    let long = "a".repeat(60_000);
    let mut names: Vec<String> = (1..=5_000).map(|i| format!("core.{i}")).collect();
    names.insert(2_500, long.clone());
    let input = names.join("\n") + "\n";
    let out = corepat(&["match", "--stdin", "core.%p"], input.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), names.len() + 1, "a header and one row a name");
    // In input order, columns from the header and the first name.
    assert_eq!(lines[0], "name    program  pid  time (UTC)  signal  match");
    assert_eq!(lines[1], "core.1  ?        1    ?           ?       unique");
    assert_eq!(
        lines[2_501],
        format!("{long}  -        -    -           -       no match")
    );
    assert_eq!(
        lines[5_001],
        "core.5000  ?        5000  ?           ?       unique"
    );
    // Every other row stays short: the output is the input plus a bounded
    // amount a name.
    assert!(lines.iter().filter(|l| l.len() > 64).count() == 1);
    assert!(
        text.len() <= input.len() + 64 * names.len(),
        "{} bytes of output for {} bytes of input",
        text.len(),
        input.len()
    );
    let out = corepat(
        &["match", "--stdin", "--format", "json", "core.%p"],
        input.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json = stdout(&out);
    let lines: Vec<&str> = json.lines().collect();
    assert_eq!(lines.len(), names.len());
    assert_eq!(
        lines[0],
        r#"{"name":"core.1","matched":true,"ambiguous":false,"count":1,"candidates":[{"fields":{"p":"1"}}]}"#
    );
    assert_eq!(
        lines[2_500],
        format!(
            r#"{{"name":"{long}","matched":false,"ambiguous":false,"count":0,"candidates":[]}}"#
        )
    );
    assert!(json.len() <= 2 * input.len() + 100 * names.len());
}

/// Reads lines of a child's stdout on a thread, so that a missing line
/// fails the test instead of hanging it.
fn line_reader(out: std::process::ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// `inotifywait -m DIR | corepat match --stdin PATTERN`: each name's line
/// comes out as soon as the name goes in, while stdin is still open.
#[test]
fn match_stdin_streams_each_line_as_it_is_matched() {
    for (format, first) in [
        (
            "text",
            vec![
                "name                           program      pid  time (UTC)           signal  match",
                "core-!opt!my-app-1-1700000000  /opt/my-app  1    2023-11-14 22:13:20  ?       unique",
            ],
        ),
        (
            "json",
            vec![
                r#"{"name":"core-!opt!my-app-1-1700000000","matched":true,"ambiguous":false,"count":1,"candidates":[{"fields":{"E":"!opt!my-app","p":"1","t":"1700000000"}}]}"#,
            ],
        ),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_corepat"))
            .args(["match", "--stdin", "--component", "--format", format])
            .arg("/data/dump-a/core-%E-%p-%t")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("corepat runs");
        let mut input = child.stdin.take().expect("stdin");
        let lines = line_reader(child.stdout.take().expect("stdout"));
        input
            .write_all(b"core-!opt!my-app-1-1700000000\n")
            .expect("write");
        input.flush().expect("flush");
        for want in &first {
            let got = lines
                .recv_timeout(Duration::from_secs(60))
                .expect("a line before stdin is closed");
            assert_eq!(&got, want);
        }
        input.write_all(b"not-a-core\n").expect("write");
        let got = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("the second line before stdin is closed");
        assert!(got.contains("not-a-core"), "{got}");
        drop(input);
        assert_eq!(child.wait().expect("corepat ends").code(), Some(0));
        assert!(lines.recv().is_err(), "nothing more");
    }
}

/// A line of stdin longer than any name is reported and skipped (and only
/// its first 64 KiB are held); the other names are listed; exit status 2.
#[test]
fn a_stdin_line_over_the_name_limit_is_reported_and_skipped() {
    let mut input = vec![b'a'; 70_000];
    input.extend_from_slice(b"\ncore.7\n");
    let out = corepat(&["match", "--stdin", "core.%p"], &input);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "corepat: error: stdin line 1: 70000 bytes, longer than any name (65536 bytes at most); skipped\n"
    );
    assert_eq!(
        stdout(&out),
        "name    program  pid  time (UTC)  signal  match\ncore.7  ?        7    ?           ?       unique\n"
    );
    // 65536 bytes is still a name.
    let exact = "a".repeat(65_536);
    let out = corepat(
        &["match", "--stdin", "--format", "json", "core"],
        exact.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "{{\"name\":\"{exact}\",\"matched\":false,\"ambiguous\":false,\"count\":0,\"candidates\":[]}}\n"
        )
    );
}

/// Arguments and directories are listed by time by default; `--sort
/// input` keeps their order, `--sort time` sorts stdin.
#[test]
fn the_listing_order() {
    let by_time = "\
name     program  pid  time (UTC)           signal  match
core.10  ?        ?    1970-01-01 00:00:10  ?       unique
core.20  ?        ?    1970-01-01 00:00:20  ?       unique
core.x   -        -    -                    -       no match
";
    // Streamed: the columns are the header's and the first name's.
    let as_given = "\
name    program  pid  time (UTC)  signal  match
core.x  -        -    -           -       no match
core.20  ?        ?    1970-01-01 00:00:20  ?       unique
core.10  ?        ?    1970-01-01 00:00:10  ?       unique
";
    let args = ["match", "core.%t", "core.x", "core.20", "core.10"];
    assert_eq!(stdout(&corepat(&args, b"")), by_time);
    let out = corepat(
        &[&args[..2], &["--sort", "input"], &args[2..]].concat(),
        b"",
    );
    assert_eq!(stdout(&out), as_given);
    let names = b"core.x\ncore.20\ncore.10\n";
    assert_eq!(
        stdout(&corepat(&["match", "--stdin", "core.%t"], names)),
        as_given
    );
    assert_eq!(
        stdout(&corepat(
            &["match", "--stdin", "--sort", "time", "core.%t"],
            names
        )),
        by_time
    );
    let out = corepat(
        &["match", "--format", "json", "core.%t", "core.20", "core.10"],
        b"",
    );
    assert_eq!(
        stdout(&out),
        "\
{\"name\":\"core.10\",\"matched\":true,\"ambiguous\":false,\"count\":1,\"candidates\":[{\"fields\":{\"t\":\"10\"}}]}
{\"name\":\"core.20\",\"matched\":true,\"ambiguous\":false,\"count\":1,\"candidates\":[{\"fields\":{\"t\":\"20\"}}]}
"
    );
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dump-a");
    let out = corepat(
        &[
            "match",
            "--dir",
            dir,
            "--sort",
            "input",
            "--format",
            "json",
            "/data/dump-a/core-%E-%p-%t",
        ],
        b"",
    );
    let mut lines: Vec<String> = stdout(&out).lines().map(String::from).collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            r#"{"name":"core-!opt!my-app-1-1700000000","matched":true,"ambiguous":false,"count":1,"candidates":[{"fields":{"E":"!opt!my-app","p":"1","t":"1700000000"}}]}"#,
            r#"{"name":"core-!usr!bin!x-7-1600000000","matched":true,"ambiguous":false,"count":1,"candidates":[{"fields":{"E":"!usr!bin!x","p":"7","t":"1600000000"}}]}"#,
        ]
    );
}

/// A pattern may hold any byte (the kernel takes any): as raw argument
/// bytes, or with `--hex` for every subcommand that takes a PATTERN; it is
/// echoed back escaped.
#[test]
fn patterns_that_are_not_utf8() {
    let raw = OsStr::from_bytes(b"/c/core.\xff\x1b");
    let hex = "2f632f636f72652eff1b";
    let out = corepat(&[OsStr::new("expand"), raw], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "file /c/core.\\xff\\x1b\n");
    let out = corepat(&["expand", "--hex", hex], b"");
    assert_eq!(stdout(&out), "file /c/core.\\xff\\x1b\n");
    // Upper-case digits too.
    let out = corepat(&["expand", "--hex", &hex.to_uppercase()], b"");
    assert_eq!(stdout(&out), "file /c/core.\\xff\\x1b\n");
    let out = corepat(&["expand", "--format", "json", "--hex", hex], b"");
    assert_eq!(
        stdout(&out),
        format!(
            "{{\"kind\":\"file\",\"path\":{{\"hex\":\"{hex}\"}},\"stored\":{{\"hex\":\"{hex}\"}},\"mode\":\"file\",\"kernel\":\"7.3.4\"}}\n"
        )
    );
    let out = corepat(&["lint", "--format", "json", "--hex", hex], b"");
    assert!(
        stdout(&out).starts_with(&format!(
            "{{\"pattern\":{{\"hex\":\"{hex}\"}},\"mode\":\"file\",\"stored\":{{\"hex\":\"{hex}\"}},"
        )),
        "{}",
        stdout(&out)
    );
    let out = corepat(&["lint", "--hex", hex], b"");
    let text = stdout(&out);
    assert!(text.contains("\npattern  /c/core.\\xff\\x1b\n"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    let out = corepat(&["explain", "--hex", hex], b"");
    let text = stdout(&out);
    assert!(
        text.contains("\npattern  /c/core.\\xff\\x1b  (10 bytes;"),
        "{text}"
    );
    // The command to try next carries the pattern as hex.
    assert!(
        text.ends_with(&format!(
            "try: corepat expand [--pid N --comm NAME --exe PATH ...] --hex {hex}\n"
        )),
        "{text}"
    );
    // A printable pattern is quoted for the shell.
    let out = corepat(&["explain", "--", "-it's"], b"");
    assert!(
        stdout(&out)
            .ends_with("try: corepat expand [--pid N --comm NAME --exe PATH ...] -- '-it'\\''s'\n"),
        "{}",
        stdout(&out)
    );
    let out = corepat(
        &[
            OsStr::new("match"),
            OsStr::new("--hex"),
            OsStr::new("636f72652e25702eff"),
            OsStr::from_bytes(b"core.12.\xff"),
            OsStr::from_bytes(b"core.1\x1b"),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "\
name          program  pid  time (UTC)  signal  match
core.1\\x1b    -        -    -           -       no match
core.12.\\xff  ?        12   ?           ?       unique
"
    );
}

/// A `--hex` PATTERN that is not hex is a usage error that says why.
#[test]
fn an_invalid_hex_pattern_is_a_usage_error() {
    for (args, message) in [
        (
            &["expand", "--hex", "636f7zz2"][..],
            "corepat: error: invalid --hex PATTERN \"636f7zz2\": \"z\" at byte 5 is not a hex digit (write the pattern's bytes as pairs of 0-9a-f, e.g. 636f7265ff for core\\xff)\n",
        ),
        (
            &["lint", "--hex", "636"],
            "corepat: error: invalid --hex PATTERN \"636\": 3 hex digits, an odd number (two digits make one byte)\n",
        ),
        (
            &["explain", "--hex", "0x63"],
            "corepat: error: invalid --hex PATTERN \"0x63\": \"x\" at byte 1 is not a hex digit (write the pattern's bytes as pairs of 0-9a-f, e.g. 636f7265ff for core\\xff)\n",
        ),
        (
            &["match", "--hex", "63 6f", "core"],
            "corepat: error: invalid --hex PATTERN \"63 6f\": 5 hex digits, an odd number (two digits make one byte)\n",
        ),
    ] {
        let out = corepat(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&out), message, "{args:?}");
        assert!(out.stdout.is_empty());
    }
    // --hex needs a PATTERN (this machine's is not hex).
    let out = corepat(&["explain", "--hex"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("<PATTERN>"), "{}", stderr(&out));
}

/// `corepat man SUBCOMMAND` prints the page corepat(1) refers to, with the
/// subcommand's options and long help.
#[test]
fn a_subcommand_has_its_man_page() {
    let out = corepat(&["man"], b"");
    assert!(
        stdout(&out).contains("\n.TH corepat 1 "),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("corepat\\-match(1)"));
    let out = corepat(&["man", "match"], b"");
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(page.contains("\n.TH corepat-match 1 "), "{page}");
    for option in [
        "\\fB\\-\\-stdin\\fR",
        "\\fB\\-\\-sort\\fR",
        "\\fB\\-\\-hex\\fR",
    ] {
        assert!(page.contains(option), "{option} in {page}");
    }
    assert!(
        page.contains("With \\-\\-stdin the listing streams"),
        "{page}"
    );
    assert_eq!(corepat(&["man", "nope"], b"").status.code(), Some(2));
}
