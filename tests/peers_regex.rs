//! Our reverse matching against the regex a crash collector builds from the
//! pattern (`benches/peers/regex.rs`): where do the answers differ?
//!
//! Three tables, each printed as a report
//! (`cargo test --test peers_regex -- --nocapture`):
//!
//! 1. names the kernel writes (the crate's own expansion of patterns people
//!    deploy, for crashes with `-`, `.`, digits, a newline or a non-UTF-8
//!    byte in their names): where ours finds one answer, the regex must
//!    give the same bytes, except in the cases listed, each with the reason;
//! 2. ambiguous names: ours reports every assignment, the regex silently
//!    picks one — which one is asserted;
//! 3. names the kernel cannot write, which the regex accepts.
//!
//! The three tests print concurrently; add `--test-threads=1` for a report
//! in order.
//!
//! Every expected value is written out by hand (the expansions are checked
//! against the crate's `Pattern::expand` and the true field values of the
//! crash).

#[path = "../benches/common/mod.rs"]
mod common;
#[path = "../benches/peers/regex.rs"]
mod regex_peer;

use core_pattern::reverse::{MatchOptions, Matches};
use core_pattern::{CoreLimit, Crash, Mode, Outcome, Pattern, Settings, Signal, Specifier};
use regex_peer::RegexPeer;

/// Field values as (specifier letter, bytes), in pattern order.
type Fields = Vec<(char, Vec<u8>)>;

fn letter(s: Specifier) -> char {
    s.byte() as char
}

fn show(b: &[u8]) -> String {
    b.escape_ascii().to_string()
}

/// A short name for a long pattern, in the report.
fn short(pattern: &str) -> &str {
    match pattern {
        common::SYSTEMD => "systemd",
        common::APPORT => "apport",
        common::IBM => "ibm",
        p => p,
    }
}

fn show_fields(f: &Fields) -> String {
    if f.is_empty() {
        return "-".into();
    }
    f.iter()
        .map(|(l, v)| match v.len() {
            0..=48 => format!("{l}={}", show(v)),
            n => format!("{l}={}…({n} bytes)", show(&v[..16])),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn owned(f: &[(char, &str)]) -> Fields {
    f.iter().map(|(l, v)| (*l, v.as_bytes().to_vec())).collect()
}

/// What the kernel hands over: a file name or a helper's argv.
enum Input {
    Name(Vec<u8>),
    Argv(Vec<Vec<u8>>),
}

impl Input {
    fn show(&self) -> String {
        match self {
            Input::Name(n) => show(n),
            Input::Argv(a) => a.iter().map(|x| show(x)).collect::<Vec<_>>().join(" "),
        }
    }
}

fn expand(p: &Pattern, crash: &Crash<'_>) -> Input {
    match p.expand(&Settings::default(), crash) {
        Outcome::File { name } => Input::Name(name),
        Outcome::Pipe { argv, .. } => Input::Argv(argv),
        other => panic!("{p}: no core: {other:?}"),
    }
}

/// The value the kernel writes for one specifier of `crash`, by the crate's
/// own expansion of a one-specifier pattern.
fn truth(crash: &Crash<'_>, spec: Specifier, mode: Mode) -> Vec<u8> {
    if spec == Specifier::Pidfd {
        return if mode == Mode::Pipe {
            b"3".to_vec()
        } else {
            Vec::new()
        };
    }
    let p = Pattern::parse(format!("/%{}", letter(spec))).unwrap();
    match p.expand(&Settings::default(), crash) {
        Outcome::File { name } => name[1..].to_vec(),
        other => panic!("%{}: {other:?}", letter(spec)),
    }
}

/// Ours: the count, the fields every candidate agrees on (`best()`), and
/// every candidate.
struct Ours {
    count: u64,
    best: Fields,
    all: Vec<Fields>,
}

fn fields_of(c: &core_pattern::reverse::Candidate<'_>) -> Fields {
    c.fields()
        .iter()
        .map(|f| (letter(f.spec()), f.bytes().to_vec()))
        .collect()
}

fn summarize(found: &Matches<'_>) -> Ours {
    assert!(found.is_exact());
    Ours {
        count: found.count(),
        best: found.best().map(|c| fields_of(&c)).unwrap_or_default(),
        all: found.iter().map(|c| fields_of(&c)).collect(),
    }
}

fn ours(p: &Pattern, input: &Input) -> Ours {
    let m = p
        .matcher(&Settings::default(), MatchOptions::new())
        .unwrap();
    match input {
        Input::Name(n) => summarize(&m.match_name(n)),
        Input::Argv(a) => {
            let argv: Vec<&[u8]> = a.iter().map(Vec::as_slice).collect();
            summarize(&m.match_argv(&argv))
        }
    }
}

/// The regex's answer. In pipe mode ours reads `%F` as the literal `3` it
/// always is, not as a field; the regex's `F=3` is dropped to compare.
fn theirs(p: &Pattern, input: &Input) -> Option<Fields> {
    let peer = RegexPeer::new(p);
    let got = match input {
        Input::Name(n) => peer.match_name(n),
        Input::Argv(a) => {
            let argv: Vec<&[u8]> = a.iter().map(Vec::as_slice).collect();
            peer.match_argv(&argv)
        }
    }?;
    Some(
        got.into_iter()
            .map(|(s, v)| (letter(s), v))
            .filter(|(l, v)| !(p.mode() == Mode::Pipe && *l == 'F' && v == b"3"))
            .collect(),
    )
}

fn show_ours(o: &Ours) -> String {
    format!("count={} {}", o.count, show_fields(&o.best))
}

fn show_theirs(t: &Option<Fields>) -> String {
    match t {
        Some(f) => show_fields(f),
        None => "none".into(),
    }
}

fn report_header(title: &str) {
    println!("\n== {title}");
    println!(
        "{:<58} | {:<62} | {:<62} | verdict",
        "case", "ours (count, agreed fields)", "regex"
    );
}

fn report(case: &str, o: &Ours, t: &Option<Fields>, verdict: &str) {
    println!(
        "{case:<58} | {:<62} | {:<62} | {verdict}",
        show_ours(o),
        show_theirs(t)
    );
}

// ---------------------------------------------------------------------------
// Crashes

/// A Python service: digits and dots in `comm`, a dotted FQDN hostname.
fn python_crash() -> Crash<'static> {
    Crash::new(0)
        .with_pid(42)
        .with_tid(42)
        .with_global_pid(90_042)
        .with_global_tid(90_042)
        .with_uid(1000)
        .with_gid(1000)
        .with_dumpable(1)
        .with_signal(Signal::SIGSEGV)
        .with_time(1_700_000_000)
        .with_hostname(b"web-1.example.com")
        .with_comm(b"python3.11")
        .with_exe(Some(b"/usr/bin/python3.11"))
        .with_cpu(2)
        .with_core_limit(CoreLimit::Unlimited)
}

/// `-` followed by digits everywhere: comm, exe path, hostname (EC2 style).
fn dash_digits_crash() -> Crash<'static> {
    Crash::new(0)
        .with_pid(42)
        .with_tid(43)
        .with_global_pid(7042)
        .with_global_tid(7043)
        .with_uid(0)
        .with_gid(0)
        .with_dumpable(1)
        .with_signal(Signal::SIGABRT)
        .with_time(1_700_000_001)
        .with_hostname(b"ip-10-0-0-7")
        .with_comm(b"x-1")
        .with_exe(Some(b"/opt/app-2/bin/x-1"))
        .with_cpu(7)
        .with_core_limit(CoreLimit::Bytes(1 << 30))
}

/// An executable replaced while running: `%E` ends in ` (deleted)`.
fn deleted_exe_crash() -> Crash<'static> {
    Crash::example()
        .with_exe(Some(b"/usr/bin/app (deleted)"))
        .with_comm(b"app")
}

/// No executable file: `%E` and `%f` are `kworker (path unknown)`.
fn no_exe_crash() -> Crash<'static> {
    Crash::example()
        .with_pid(7)
        .with_tid(7)
        .with_global_pid(7)
        .with_global_tid(7)
        .with_exe(None)
        .with_comm(b"kworker")
}

/// A thread named with a newline (`prctl(PR_SET_NAME)` takes any byte but
/// NUL).
fn newline_comm_crash() -> Crash<'static> {
    Crash::example()
        .with_exe(Some(b"/usr/bin/worker"))
        .with_comm(b"worker\n1")
}

/// A Latin-1 (not UTF-8) byte in the executable's directory.
fn latin1_exe_crash() -> Crash<'static> {
    Crash::example()
        .with_exe(Some(b"/opt/caf\xe9/bin/srv"))
        .with_comm(b"srv")
}

fn crashes() -> Vec<(&'static str, Crash<'static>)> {
    vec![
        ("container", common::container_crash()),
        ("host", common::host_crash()),
        ("example", Crash::example()),
        ("python", python_crash()),
        ("dash-digits", dash_digits_crash()),
        ("deleted-exe", deleted_exe_crash()),
        ("no-exe", no_exe_crash()),
        ("newline-comm", newline_comm_crash()),
        ("latin1-exe", latin1_exe_crash()),
    ]
}

// ---------------------------------------------------------------------------
// 1. Names the kernel writes

/// A pattern of the matrix and the crashes it is expanded for (`None`: all).
const MATRIX: &[(&str, Option<&[&str]>)] = &[
    (common::ACS, None),
    ("/var/crash/core.%p.%s.%t", None),
    ("/cores/core.%e.%h.%p.%t", None),
    ("core.%p", None),
    ("core.%e.%p", None),
    ("core.%e-%h", None),
    ("/tmp/core-%f-%t", None),
    ("/cores/%h/core-%e-%P-%i-%u-%g-%d-%s-%c-%C", None),
    // Two patterns the kernel reads differently from a collector, on one
    // crash each.
    ("core.%p.%F", Some(&["example"])),
    ("core.%x.%p", Some(&["example"])),
    (common::SYSTEMD, None),
    (common::APPORT, None),
    (common::IBM, None),
];

/// Where the answers are not simply the same.
enum Expect {
    /// Ours finds exactly one assignment; the regex answers otherwise.
    Differs {
        regex: Option<&'static [(char, &'static str)]>,
        why: &'static str,
    },
    /// Ours finds `count` assignments (agreeing on `agreed`); the regex
    /// silently returns `regex`, which is or is not one of ours.
    Ambiguous {
        count: u64,
        agreed: &'static [(char, &'static str)],
        regex: &'static [(char, &'static str)],
        regex_is_candidate: bool,
        why: &'static str,
    },
}

const NEWLINE: &str = "regex `.` does not match `\\n`; comm may hold any byte but NUL";
const LATIN1: &str = "regex-crate `.` (Unicode) does not match a non-UTF-8 byte";
const COMM_MAX: &str = "%e over 15 bytes (TASK_COMM_LEN): greedy `.+` takes the next label";

/// Every (pattern, crash) whose answers are not the same. Every other cell
/// of the matrix must be unambiguous with identical answers.
const EXCEPTIONS: &[(&str, &str, Expect)] = &[
    // /cores/core.%e.%h.%p.%t
    (
        "/cores/core.%e.%h.%p.%t",
        "host",
        // core.envoy-worker.node-12.prod.23817.1795823961: the only split
        // with a comm of at most 15 bytes is envoy-worker / node-12.prod.
        Expect::Differs {
            regex: Some(&[
                ('e', "envoy-worker.node-12"),
                ('h', "prod"),
                ('p', "23817"),
                ('t', "1795823961"),
            ]),
            why: COMM_MAX,
        },
    ),
    (
        "/cores/core.%e.%h.%p.%t",
        "python",
        // core.python3.11.web-1.example.com.42.1700000000: python3 /
        // 11.web-1.example.com or python3.11 / web-1.example.com
        // (python3.11.web-1 is 16 bytes: not a comm).
        Expect::Ambiguous {
            count: 2,
            agreed: &[('p', "42"), ('t', "1700000000")],
            regex: &[
                ('e', "python3.11.web-1.example"),
                ('h', "com"),
                ('p', "42"),
                ('t', "1700000000"),
            ],
            regex_is_candidate: false,
            why: "greedy guess with a 24-byte comm",
        },
    ),
    (
        "/cores/core.%e.%h.%p.%t",
        "newline-comm",
        Expect::Differs {
            regex: None,
            why: NEWLINE,
        },
    ),
    // core.%e.%p
    (
        "core.%e.%p",
        "newline-comm",
        Expect::Differs {
            regex: None,
            why: NEWLINE,
        },
    ),
    // core.%e-%h: every `-` could end the comm, up to 15 bytes.
    (
        "core.%e-%h",
        "container",
        // core.java-payments-api-7d9c8b6f4-x2lqp: java or java-payments
        // (java-payments-api is 17 bytes).
        Expect::Ambiguous {
            count: 2,
            agreed: &[],
            regex: &[('e', "java-payments-api-7d9c8b6f4"), ('h', "x2lqp")],
            regex_is_candidate: false,
            why: "greedy guess with a 27-byte comm",
        },
    ),
    (
        "core.%e-%h",
        "host",
        // core.envoy-worker-node-12.prod: envoy or envoy-worker
        // (envoy-worker-node is 17 bytes).
        Expect::Ambiguous {
            count: 2,
            agreed: &[],
            regex: &[('e', "envoy-worker-node"), ('h', "12.prod")],
            regex_is_candidate: false,
            why: "greedy guess with a 17-byte comm",
        },
    ),
    (
        "core.%e-%h",
        "python",
        // core.python3.11-web-1.example.com: python3.11 or python3.11-web.
        Expect::Ambiguous {
            count: 2,
            agreed: &[],
            regex: &[('e', "python3.11-web"), ('h', "1.example.com")],
            regex_is_candidate: true,
            why: "greedy guess, a wrong one",
        },
    ),
    (
        "core.%e-%h",
        "dash-digits",
        // core.x-1-ip-10-0-0-7: x, x-1, x-1-ip, x-1-ip-10, x-1-ip-10-0,
        // x-1-ip-10-0-0 (13 bytes).
        Expect::Ambiguous {
            count: 6,
            agreed: &[],
            regex: &[('e', "x-1-ip-10-0-0"), ('h', "7")],
            regex_is_candidate: true,
            why: "greedy guess, a wrong one",
        },
    ),
    (
        "core.%e-%h",
        "newline-comm",
        Expect::Differs {
            regex: None,
            why: NEWLINE,
        },
    ),
    // /cores/%h/core-%e-…
    (
        "/cores/%h/core-%e-%P-%i-%u-%g-%d-%s-%c-%C",
        "newline-comm",
        Expect::Differs {
            regex: None,
            why: NEWLINE,
        },
    ),
    // ACS
    (
        common::ACS,
        "latin1-exe",
        Expect::Differs {
            regex: None,
            why: LATIN1,
        },
    ),
    // The kernel's reading of the pattern.
    (
        "core.%p.%F",
        "example",
        // The kernel writes core.1234. (%F is empty in file mode).
        Expect::Differs {
            regex: None,
            why: "%F expands to nothing in file mode; the regex wants digits",
        },
    ),
    (
        "core.%x.%p",
        "example",
        // The kernel writes core..1234 (an unknown %x is dropped).
        Expect::Differs {
            regex: None,
            why: "the kernel drops an unknown %x; the regex keeps it literal",
        },
    ),
    // Helpers
    (
        common::APPORT,
        "latin1-exe",
        Expect::Differs {
            regex: None,
            why: LATIN1,
        },
    ),
    (
        common::IBM,
        "newline-comm",
        Expect::Differs {
            regex: None,
            why: NEWLINE,
        },
    ),
    (
        common::IBM,
        "latin1-exe",
        Expect::Differs {
            regex: None,
            why: LATIN1,
        },
    ),
];

#[test]
fn names_the_kernel_writes() {
    report_header("names the kernel writes (pattern x crash)");
    let mut seen = vec![false; EXCEPTIONS.len()];
    let (mut same, mut differs, mut ambiguous) = (0, 0, 0);
    for &(pattern, only) in MATRIX {
        let p = Pattern::parse(pattern).unwrap();
        for (label, crash) in crashes() {
            if only.is_some_and(|o| !o.contains(&label)) {
                continue;
            }
            let input = expand(&p, &crash);
            let o = ours(&p, &input);
            let t = theirs(&p, &input);
            let case = format!("{} / {label}", short(pattern));
            let what = format!("{case}: {}", input.show());
            // Ours always finds the crash among its candidates.
            let specs: Vec<Specifier> = p
                .matcher(&Settings::default(), MatchOptions::new())
                .unwrap()
                .specifiers();
            let true_fields: Fields = specs
                .iter()
                .map(|&s| (letter(s), truth(&crash, s, p.mode())))
                .collect();
            assert!(o.count >= 1, "{what}: ours matches the expansion");
            assert!(
                o.all.contains(&true_fields),
                "{what}: the crash is a candidate"
            );
            let exception = EXCEPTIONS
                .iter()
                .position(|(ep, ec, _)| *ep == pattern && *ec == label);
            match exception.map(|i| (i, &EXCEPTIONS[i].2)) {
                None => {
                    assert_eq!(o.count, 1, "{what}: unambiguous");
                    assert_eq!(o.best, true_fields, "{what}: ours");
                    assert_eq!(t.as_ref(), Some(&true_fields), "{what}: regex");
                    same += 1;
                    report(&case, &o, &t, "same");
                }
                Some((i, Expect::Differs { regex, why })) => {
                    seen[i] = true;
                    assert_eq!(o.count, 1, "{what}: unambiguous");
                    assert_eq!(o.best, true_fields, "{what}: ours");
                    assert_eq!(t, regex.map(owned), "{what}: regex");
                    assert_ne!(t.as_ref(), Some(&true_fields), "{what}: differs");
                    differs += 1;
                    report(&case, &o, &t, &format!("differs: {why}"));
                }
                Some((
                    i,
                    Expect::Ambiguous {
                        count,
                        agreed,
                        regex,
                        regex_is_candidate,
                        why,
                    },
                )) => {
                    seen[i] = true;
                    assert_eq!(o.count, *count, "{what}: count");
                    assert_eq!(o.best, owned(agreed), "{what}: agreed fields");
                    let guess = owned(regex);
                    assert_eq!(t.as_ref(), Some(&guess), "{what}: the regex's guess");
                    assert_eq!(
                        o.all.contains(&guess),
                        *regex_is_candidate,
                        "{what}: whether the guess is one of ours"
                    );
                    assert_ne!(guess, true_fields, "{what}: the guess is wrong");
                    ambiguous += 1;
                    report(&case, &o, &t, &format!("ambiguous: regex gives one, {why}"));
                }
            }
        }
    }
    assert!(seen.iter().all(|&s| s), "every exception is in the matrix");
    println!("-- {same} same, {differs} differ on unambiguous names, {ambiguous} ambiguous");
    assert_eq!((differs, ambiguous), (11, 5));
}

// ---------------------------------------------------------------------------
// 2. Ambiguous names, candidate by candidate

#[test]
fn ambiguous_names() {
    report_header("ambiguous names: ours lists, the regex guesses");
    struct Case {
        pattern: &'static str,
        crash: Crash<'static>,
        name: &'static str,
        candidates: &'static [&'static [(char, &'static str)]],
        regex: &'static [(char, &'static str)],
    }
    let cases = [
        // Two adjacent numbers: the doc example of `Matcher`.
        Case {
            pattern: "core.%p%u",
            crash: Crash::example(),
            name: "core.12341000",
            candidates: &[
                &[('p', "1"), ('u', "2341000")],
                &[('p', "12"), ('u', "341000")],
                &[('p', "123"), ('u', "41000")],
                &[('p', "1234"), ('u', "1000")],
                &[('p', "1234100"), ('u', "0")],
            ],
            regex: &[('p', "1234100"), ('u', "0")],
        },
        Case {
            pattern: "/cores/core.%e.%h.%p.%t",
            crash: python_crash(),
            name: "/cores/core.python3.11.web-1.example.com.42.1700000000",
            candidates: &[
                &[
                    ('e', "python3"),
                    ('h', "11.web-1.example.com"),
                    ('p', "42"),
                    ('t', "1700000000"),
                ],
                &[
                    ('e', "python3.11"),
                    ('h', "web-1.example.com"),
                    ('p', "42"),
                    ('t', "1700000000"),
                ],
            ],
            regex: &[
                ('e', "python3.11.web-1.example"),
                ('h', "com"),
                ('p', "42"),
                ('t', "1700000000"),
            ],
        },
        Case {
            pattern: "core.%e-%h",
            crash: dash_digits_crash(),
            name: "core.x-1-ip-10-0-0-7",
            candidates: &[
                &[('e', "x"), ('h', "1-ip-10-0-0-7")],
                &[('e', "x-1"), ('h', "ip-10-0-0-7")],
                &[('e', "x-1-ip"), ('h', "10-0-0-7")],
                &[('e', "x-1-ip-10"), ('h', "0-0-7")],
                &[('e', "x-1-ip-10-0"), ('h', "0-7")],
                &[('e', "x-1-ip-10-0-0"), ('h', "7")],
            ],
            regex: &[('e', "x-1-ip-10-0-0"), ('h', "7")],
        },
    ];
    for c in cases {
        let p = Pattern::parse(c.pattern).unwrap();
        let input = expand(&p, &c.crash);
        let Input::Name(name) = &input else {
            panic!("file pattern")
        };
        assert_eq!(show(name), c.name, "{}: the kernel writes it", c.pattern);
        let o = ours(&p, &input);
        let t = theirs(&p, &input);
        let case = format!("{} / {}", c.pattern, c.name);
        let mut got = o.all.clone();
        got.sort();
        let mut want: Vec<Fields> = c.candidates.iter().map(|f| owned(f)).collect();
        want.sort();
        assert_eq!(got, want, "{case}: every candidate");
        assert_eq!(o.count, want.len() as u64, "{case}: count");
        assert!(o.count > 1, "{case}: ambiguous");
        assert_eq!(t, Some(owned(c.regex)), "{case}: the regex's one guess");
        let verdict = if want.contains(&owned(c.regex)) {
            "ambiguous: regex picks one candidate"
        } else {
            "ambiguous: regex picks a non-candidate"
        };
        report(&case, &o, &t, verdict);
        for cand in &o.all {
            println!("{:<58} |   candidate {}", "", show_fields(cand));
        }
    }

    // The ACS pattern is never ambiguous: `%p-%t` are the last two
    // `-`-delimited runs of digits, so an exe path with `-` and digits
    // (`/opt/app-2/bin/x-1`) splits one way only, and the greedy regex
    // finds the same split.
    let p = Pattern::parse(common::ACS).unwrap();
    let input = expand(&p, &dash_digits_crash());
    let Input::Name(name) = &input else {
        panic!("file pattern")
    };
    assert_eq!(
        show(name),
        "/data/dump-a/core-!opt!app-2!bin!x-1-42-1700000001"
    );
    let o = ours(&p, &input);
    let t = theirs(&p, &input);
    let want = owned(&[
        ('E', "!opt!app-2!bin!x-1"),
        ('p', "42"),
        ('t', "1700000001"),
    ]);
    assert_eq!((o.count, &o.best), (1, &want));
    assert_eq!(t, Some(want));
    report(
        &format!("{} / {}", common::ACS, show(name)),
        &o,
        &t,
        "same: not ambiguous",
    );
}

// ---------------------------------------------------------------------------
// 3. Names the kernel cannot write

#[test]
fn names_the_kernel_cannot_write() {
    report_header("names the kernel cannot write: ours rejects, the regex accepts");
    let long_exe = "a".repeat(300);
    let long_name = format!("/data/dump-a/core-{long_exe}-1-1700000000");
    /// (pattern, name or argv, the regex's answer, why the kernel cannot
    /// write it).
    type Case<'a> = (&'a str, Input, Fields, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            common::ACS,
            Input::Name(b"/data/dump-a/core-/opt/x-1-1700000000".to_vec()),
            owned(&[('E', "/opt/x"), ('p', "1"), ('t', "1700000000")]),
            "%E with `/`: the kernel escapes it to `!`",
        ),
        (
            common::ACS,
            Input::Name(long_name.clone().into_bytes()),
            owned(&[('E', &long_exe), ('p', "1"), ('t', "1700000000")]),
            "a component of 300+ bytes: over NAME_MAX, no core is written",
        ),
        (
            "/var/crash/core.%p.%s.%t",
            Input::Name(b"/var/crash/core.0.11.1700000000".to_vec()),
            owned(&[('p', "0"), ('s', "11"), ('t', "1700000000")]),
            "PID 0 never dumps core",
        ),
        (
            "/var/crash/core.%p.%s.%t",
            Input::Name(b"/var/crash/core.0042.11.1700000000".to_vec()),
            owned(&[('p', "0042"), ('s', "11"), ('t', "1700000000")]),
            "a leading zero: the kernel prints none",
        ),
        (
            "/var/crash/core.%p.%s.%t",
            Input::Name(b"/var/crash/core.4194305.11.1700000000".to_vec()),
            owned(&[('p', "4194305"), ('s', "11"), ('t', "1700000000")]),
            "a PID over PID_MAX_LIMIT (4194304)",
        ),
        (
            "/var/crash/core.%p.%s.%t",
            Input::Name(b"/var/crash/core.4242.99.1700000000".to_vec()),
            owned(&[('p', "4242"), ('s', "99"), ('t', "1700000000")]),
            "signal 99: signals are 1 to 64",
        ),
        (
            "/cores/core.%e.%h.%p.%t",
            Input::Name(b"/cores/core.averyverylongname1.node1.42.1700000000".to_vec()),
            owned(&[
                ('e', "averyverylongname1"),
                ('h', "node1"),
                ('p', "42"),
                ('t', "1700000000"),
            ]),
            "an 18-byte comm: %e is at most 15 bytes",
        ),
        (
            common::SYSTEMD,
            Input::Argv(
                [
                    "/usr/lib/systemd/systemd-coredump",
                    "51234",
                    "1000",
                    "1000",
                    "11",
                    "1700000000",
                    "18446744073709551615",
                    "node1",
                    "7",
                    "3",
                ]
                .iter()
                .map(|a| a.as_bytes().to_vec())
                .collect(),
            ),
            owned(&[
                ('P', "51234"),
                ('u', "1000"),
                ('g', "1000"),
                ('s', "11"),
                ('t', "1700000000"),
                ('c', "18446744073709551615"),
                ('h', "node1"),
                ('d', "7"),
            ]),
            "dumpable 7: %d is 0, 1 or 2",
        ),
    ];
    for (pattern, input, regex, why) in &cases {
        let p = Pattern::parse(pattern).unwrap();
        let o = ours(&p, input);
        let t = theirs(&p, input);
        let shown = input.show();
        let case = format!(
            "{} / {}",
            short(pattern),
            if shown.len() > 40 {
                format!("{}…", &shown[..40])
            } else {
                shown
            }
        );
        assert_eq!(o.count, 0, "{case}: ours rejects");
        assert!(o.best.is_empty() && o.all.is_empty(), "{case}");
        assert_eq!(t.as_ref(), Some(regex), "{case}: the regex accepts");
        report(&case, &o, &t, &format!("differs: {why}"));
    }
}
