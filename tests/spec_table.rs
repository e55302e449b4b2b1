//! The test vectors of `kernel.md` §10 (rows 1–66), context C0
//! (= `Crash::example()`), plus the real-kernel observations of §0 and the
//! parser's edge cases.
//!
//! Each row is one line through a table macro (globset/httparse style):
//!
//! - `expands!(name [@ "kernel"], pattern [, |crash, settings| changes] => outcome)`
//! - `writes!(name, kernel, previous, [chunks], suid => returns .., errno .., stored ..)`
//! - `tokens!(name [@ "kernel"], pattern => mode, [(kind, start..end), ..])`
//! - `rejects!(name, input => kind, start..end, code)`
//!
//! Rows that need several steps (write, then dump) are plain tests named
//! `rowNN_…`.

use core_pattern::{
    CoreLimit, Crash, DefaultAction, Errno, ExpandError, Feature, KernelProfile, KernelVersion,
    Mode, NoDumpReason, Outcome, ParseError, ParseErrorKind, ParseOptions, Pattern, Settings,
    Signal, SocketProblem, Span, Specifier, TokenKind, WriteOutcome, core_signals, is_kernel_space,
    socket_value_ok, stored_value, write_sysctl,
};

// ---------------------------------------------------------------------------
// Helpers

/// Kernel profile from a release string.
#[track_caller]
fn kernel(release: &str) -> KernelProfile {
    KernelProfile::parse(release).unwrap_or_else(|e| panic!("{release}: {e}"))
}

/// Parses for a kernel, panicking with the error.
#[track_caller]
fn pat_on(k: KernelProfile, bytes: &[u8]) -> Pattern {
    ParseOptions::new()
        .kernel(k)
        .parse(bytes)
        .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(bytes)))
}

fn file(name: impl AsRef<[u8]>) -> Outcome {
    Outcome::File {
        name: name.as_ref().to_vec(),
    }
}

fn pipe(argv: &[&[u8]], pidfd: bool) -> Outcome {
    Outcome::Pipe {
        argv: argv.iter().map(|a| a.to_vec()).collect(),
        pidfd,
    }
}

fn socket(path: &[u8], request: bool) -> Outcome {
    Outcome::Socket {
        path: path.to_vec(),
        request,
    }
}

fn none(reason: NoDumpReason) -> Outcome {
    Outcome::NoDump { reason }
}

/// An outcome, readable (byte strings shown lossily).
fn show(o: &Outcome) -> String {
    let s = |b: &[u8]| format!("{:?}", String::from_utf8_lossy(b));
    match o {
        Outcome::File { name } => format!("file {}", s(name)),
        Outcome::Pipe { argv, pidfd } => format!(
            "pipe [{}] pidfd={pidfd}",
            argv.iter().map(|a| s(a)).collect::<Vec<_>>().join(", ")
        ),
        Outcome::Socket { path, request } => format!("socket {} request={request}", s(path)),
        Outcome::NoDump { reason } => format!("none {reason:?}"),
        #[allow(unreachable_patterns)]
        other => format!("{other:?}"),
    }
}

/// Expands and compares; for file patterns, also checks that
/// `expand_file_name_into` agrees.
#[track_caller]
fn check(pattern: &Pattern, settings: &Settings, crash: &Crash<'_>, want: &Outcome) {
    let got = pattern.expand(settings, crash);
    assert!(
        got == *want,
        "pattern {:?} on {}:\n  got  {}\n  want {}",
        pattern.to_string(),
        pattern.kernel(),
        show(&got),
        show(want)
    );
    let mut buf = vec![0u8; 1 << 16];
    let into = pattern.expand_file_name_into(settings, crash, &mut buf);
    match (pattern.mode(), want) {
        (Mode::File, Outcome::File { name }) => {
            assert_eq!(into, Ok(name.len()), "expand_file_name_into length");
            assert_eq!(&buf[..name.len()], &name[..], "expand_file_name_into bytes");
        }
        (Mode::File, Outcome::NoDump { reason }) => {
            assert_eq!(into, Err(ExpandError::NoDump(reason.clone())));
        }
        (mode, _) => assert_eq!(into, Err(ExpandError::NotFileMode { mode })),
    }
}

/// `/` + `n` × `a`.
fn slash_a(n: usize) -> Vec<u8> {
    let mut v = b"/".to_vec();
    v.extend(std::iter::repeat_n(b'a', n));
    v
}

/// `prefix` + `n` × `a`.
fn prefixed_a(prefix: &[u8], n: usize) -> Vec<u8> {
    let mut v = prefix.to_vec();
    v.extend(std::iter::repeat_n(b'a', n));
    v
}

macro_rules! expands {
    ($name:ident $(@ $k:literal)?, $pat:expr $(, |$c:ident, $s:ident| $body:expr)? => $want:expr) => {
        #[test]
        fn $name() {
            #[allow(unused_mut, unused_assignments)]
            let mut k = KernelProfile::latest();
            $(k = kernel($k);)?
            let pattern = pat_on(k, $pat.as_ref());
            #[allow(unused_mut)]
            let mut crash = Crash::example();
            #[allow(unused_mut)]
            let mut settings = Settings::default();
            $({
                let $c = &mut crash;
                let $s = &mut settings;
                $body;
            })?
            check(&pattern, &settings, &crash, &$want);
        }
    };
}

struct WriteWant {
    returns: Vec<i64>,
    errno: Option<Errno>,
    stored: Vec<u8>,
    read_errno: Option<Errno>,
    suid_warning: bool,
}

#[track_caller]
fn check_write(got: &WriteOutcome, want: &WriteWant) {
    assert_eq!(got.returns, want.returns, "returns");
    assert_eq!(got.errno, want.errno, "errno");
    assert_eq!(
        String::from_utf8_lossy(&got.stored),
        String::from_utf8_lossy(&want.stored),
        "stored"
    );
    assert_eq!(got.stored, want.stored, "stored bytes");
    assert_eq!(got.read_errno, want.read_errno, "read_errno");
    assert_eq!(got.suid_warning, want.suid_warning, "suid_warning");
}

macro_rules! writes {
    (
        $name:ident, $kernel:expr, $prev:expr, [$($chunk:expr),* $(,)?], suid $suid:expr
        => returns [$($ret:expr),*], errno $errno:expr, stored $stored:expr
        $(, read_errno $rerr:expr)? $(, warning $warn:expr)? $(,)?
    ) => {
        #[test]
        fn $name() {
            let k: KernelProfile = $kernel;
            let owned: Vec<Vec<u8>> = vec![$(AsRef::<[u8]>::as_ref(&$chunk).to_vec()),*];
            let chunks: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
            let got = write_sysctl(&k, AsRef::<[u8]>::as_ref(&$prev), &chunks, $suid);
            #[allow(unused_mut)]
            let mut want = WriteWant {
                returns: vec![$($ret),*],
                errno: $errno,
                stored: AsRef::<[u8]>::as_ref(&$stored).to_vec(),
                read_errno: None,
                suid_warning: false,
            };
            $(want.read_errno = $rerr;)?
            $(want.suid_warning = $warn;)?
            check_write(&got, &want);
        }
    };
}

const EINVAL: Option<Errno> = Some(Errno::Einval);

fn latest() -> KernelProfile {
    KernelProfile::latest()
}

// ---------------------------------------------------------------------------
// Context C0

#[test]
fn c0_is_crash_example() {
    let c = Crash::example();
    assert_eq!(
        (c.pid, c.global_pid, c.tid, c.global_tid),
        (1234, 51234, 1240, 51240)
    );
    assert_eq!((c.uid, c.gid, c.dumpable), (1000, 1000, 1));
    assert_eq!(c.signal, Signal::new(11));
    assert_eq!(c.time, 1_700_000_000);
    assert_eq!(c.hostname, b"node1");
    assert_eq!(c.comm, b"myapp");
    assert_eq!(c.exe, Some(&b"/usr/bin/myapp"[..]));
    assert_eq!(c.cpu, 3);
    assert_eq!(c.core_limit, CoreLimit::Unlimited);
    let s = Settings::default();
    assert!(!s.core_uses_pid);
    assert_eq!((s.suid_dumpable, s.core_pipe_limit), (0, 0));
    // The table is for kernels >= 6.17.5/6.18; the default profile is newer.
    assert!(KernelProfile::latest().version() >= KernelVersion::new(6, 18, 0));
    assert_eq!(KernelProfile::default(), KernelProfile::latest());
}

// ---------------------------------------------------------------------------
// §10 rows 1–31: file mode

expands!(row01_core, b"core" => file("core"));
expands!(row02_core_uses_pid, b"core", |_c, s| s.core_uses_pid = true => file("core.1234"));
expands!(row03_empty_pattern, b"" => none(NoDumpReason::EmptyName));
expands!(row04_empty_pattern_uses_pid, b"", |_c, s| s.core_uses_pid = true => file(".1234"));
expands!(
    row05_pid_in_pattern_no_suffix,
    b"/var/crash/core.%e.%p.%t",
    |_c, s| s.core_uses_pid = true
    => file("/var/crash/core.myapp.1234.1700000000")
);
expands!(row06_global_pid_keeps_suffix, b"core.%P", |_c, s| s.core_uses_pid = true => file("core.51234.1234"));
expands!(row07_tids, b"core.%i.%I" => file("core.1240.51240"));
expands!(row08_trailing_percent, b"core%" => file("core"));
expands!(row09_trailing_percent_uses_pid, b"core%", |_c, s| s.core_uses_pid = true => file("core.1234"));
expands!(row10_double_percent, b"100%%" => file("100%"));
expands!(row11_double_then_trailing, b"a%%%" => file("a%"));
expands!(row12_literal_percent_p, b"core.%%p", |_c, s| s.core_uses_pid = true => file("core.%p.1234"));
expands!(row13_unknown_specifiers, b"core.%z.%Q" => file("core.."));
expands!(row14_percent_slash, b"/var/crash/%/core" => file("/var/crash/core"));
expands!(row15_comm_slash, b"core.%e", |c, _s| c.comm = b"a/b" => file("core.a!b"));
expands!(row16_comm_dot, b"/tmp/%e", |c, _s| c.comm = b"." => file("/tmp/!"));
expands!(row17_comm_dotdot, b"/tmp/%e", |c, _s| c.comm = b".." => file("/tmp/!."));
expands!(row18_comm_empty, b"/tmp/%e", |c, _s| c.comm = b"" => file("/tmp/!"));
expands!(row19_comm_three_dots, b"/tmp/%e", |c, _s| c.comm = b"..." => file("/tmp/..."));
expands!(row20_hostname_empty, b"/tmp/%h/%e", |c, _s| c.hostname = b"" => file("/tmp/!/myapp"));
expands!(row21_hostname_slash, b"core.%h", |c, _s| c.hostname = b"web/1" => file("core.web!1"));
expands!(row22_comm_space_file, b"core.%e", |c, _s| c.comm = b"my app" => file("core.my app"));
expands!(row23_exe_path, b"%E" => file("!usr!bin!myapp"));
expands!(row24_exe_name, b"core.%f" => file("core.myapp"));
expands!(
    row25a_exe_path_deleted,
    b"core.%E",
    |c, _s| c.exe = Some(b"/usr/bin/myapp (deleted)")
    => file("core.!usr!bin!myapp (deleted)")
);
expands!(
    row25b_exe_name_deleted,
    b"core.%f",
    |c, _s| c.exe = Some(b"/usr/bin/myapp (deleted)")
    => file("core.myapp (deleted)")
);
expands!(row26_no_exe_file, b"core.%E", |c, _s| c.exe = None => file("core.myapp (path unknown)"));

#[test]
fn row27_exe_path_too_long() {
    let p = Pattern::parse("core.%E").unwrap();
    let exe = slash_a(4095); // 4096 bytes: does not fit in PATH_MAX with its NUL
    let crash = Crash::example().with_exe(Some(&exe));
    check(
        &p,
        &Settings::default(),
        &crash,
        &none(NoDumpReason::ExePathTooLong { len: 4096 }),
    );
    // %f fails the same way (the whole path is rendered first).
    let p = Pattern::parse("core.%f").unwrap();
    check(
        &p,
        &Settings::default(),
        &crash,
        &none(NoDumpReason::ExePathTooLong { len: 4096 }),
    );
}

#[test]
fn row27_exe_path_boundary_in_a_pipe() {
    // 4095 bytes fit (PATH_MAX includes the NUL); a pipe has no VFS limits.
    let p = Pattern::parse("|/bin/h %E").unwrap();
    let exe = slash_a(4094);
    let crash = Crash::example().with_exe(Some(&exe));
    let mut escaped = b"!".to_vec();
    escaped.extend(std::iter::repeat_n(b'a', 4094));
    check(
        &p,
        &Settings::default(),
        &crash,
        &pipe(&[b"/bin/h", &escaped], false),
    );
    let exe = slash_a(4095);
    let crash = Crash::example().with_exe(Some(&exe));
    check(
        &p,
        &Settings::default(),
        &crash,
        &none(NoDumpReason::ExePathTooLong { len: 4096 }),
    );
}

expands!(row28_core_limit_unlimited, b"core.%c" => file("core.18446744073709551615"));

#[test]
fn row28_core_limit_unlimited_32_bit() {
    let k = KernelProfile::latest().with_rlim_infinity(4_294_967_295);
    let p = pat_on(k, b"core.%c");
    check(
        &p,
        &Settings::default(),
        &Crash::example(),
        &file("core.4294967295"),
    );
}

expands!(
    row29_core_limit_zero_no_file,
    b"core.%c",
    |c, _s| c.core_limit = CoreLimit::Bytes(0)
    => none(NoDumpReason::CoreLimitBelowPage { limit: 0 })
);
// The name itself is `core.0`: visible in a pipe, which ignores the limit.
expands!(
    row29_core_limit_zero_name_in_pipe,
    b"|/bin/h core.%c",
    |c, _s| c.core_limit = CoreLimit::Bytes(0)
    => pipe(&[b"/bin/h", b"core.0"], false)
);
expands!(
    row29_core_limit_4095,
    b"core",
    |c, _s| c.core_limit = CoreLimit::Bytes(4095)
    => none(NoDumpReason::CoreLimitBelowPage { limit: 4095 })
);
expands!(
    row29_core_limit_4096,
    b"core.%c",
    |c, _s| c.core_limit = CoreLimit::Bytes(4096)
    => file("core.4096")
);
expands!(
    row30_suid_relative_skipped,
    b"core.%d.%s.%C",
    |c, _s| { c.dumpable = 2; c.signal = Signal::SIGABRT; }
    => none(NoDumpReason::SuidNeedsAbsolute)
);
expands!(
    row30_suid_relative_skipped_suid_dumpable_2,
    b"core.%d.%s.%C",
    |c, s| { c.dumpable = 2; c.signal = Signal::new(6); s.suid_dumpable = 2; }
    => none(NoDumpReason::SuidNeedsAbsolute)
);
// The same values in an absolute name: the name would be `core.2.6.3`.
expands!(
    row30_values_in_absolute_name,
    b"/x/core.%d.%s.%C",
    |c, _s| { c.dumpable = 2; c.signal = Signal::SIGABRT; }
    => file("/x/core.2.6.3")
);
expands!(row31_pidfd_empty_in_file, b"core.%F" => file("core."));

// ---------------------------------------------------------------------------
// §10 rows 32–45: pipe mode

expands!(
    row32_systemd,
    b"|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F"
    => pipe(
        &[
            b"/usr/lib/systemd/systemd-coredump",
            b"51234",
            b"1000",
            b"1000",
            b"11",
            b"1700000000",
            b"18446744073709551615",
            b"node1",
            b"1",
            b"3",
        ],
        true,
    )
);

const APPORT: &[u8] = b"|/usr/share/apport/apport -p%p -s%s -c%c -d%d -P%P -u%u -g%g -F%F -- %E";

expands!(
    row33_apport,
    APPORT
    => pipe(
        &[
            b"/usr/share/apport/apport",
            b"-p1234",
            b"-s11",
            b"-c18446744073709551615",
            b"-d1",
            b"-P51234",
            b"-u1000",
            b"-g1000",
            b"-F3",
            b"--",
            b"!usr!bin!myapp",
        ],
        true,
    )
);
expands!(
    row33_apport_before_6_16 @ "6.12.117",
    APPORT
    => pipe(
        &[
            b"/usr/share/apport/apport",
            b"-p1234",
            b"-s11",
            b"-c18446744073709551615",
            b"-d1",
            b"-P51234",
            b"-u1000",
            b"-g1000",
            b"-F",
            b"--",
            b"!usr!bin!myapp",
        ],
        false,
    )
);
expands!(
    row33_apport_6_16_0 @ "6.16.0",
    APPORT
    => pipe(
        &[
            b"/usr/share/apport/apport",
            b"-p1234",
            b"-s11",
            b"-c18446744073709551615",
            b"-d1",
            b"-P51234",
            b"-u1000",
            b"-g1000",
            b"-F3",
            b"--",
            b"!usr!bin!myapp",
        ],
        true,
    )
);

#[test]
fn row33_apport_debian_backport_of_pidfd() {
    // §0: Debian's 6.12.117 (and 6.1.192) have %F.
    let k = kernel("6.12.117").with_feature(Feature::SpecPidfd);
    let Outcome::Pipe { argv, pidfd } =
        pat_on(k, APPORT).expand(&Settings::default(), &Crash::example())
    else {
        panic!("not a pipe")
    };
    assert_eq!(argv[8], b"-F3");
    assert!(pidfd);
}

expands!(
    row34_comm_space_one_argument,
    b"|/bin/h %e",
    |c, _s| c.comm = b"my app"
    => pipe(&[b"/bin/h", b"my app"], false)
);
expands!(
    row34_comm_space_split_before_5_3 @ "5.2.0",
    b"|/bin/h %e",
    |c, _s| c.comm = b"my app"
    => pipe(&[b"/bin/h", b"my", b"app"], false)
);
expands!(
    row34_comm_space_5_3_0 @ "5.3.0",
    b"|/bin/h %e",
    |c, _s| c.comm = b"my app"
    => pipe(&[b"/bin/h", b"my app"], false)
);
expands!(row35_whitespace_runs, b"|  /bin/h   a\tb  " => pipe(&[b"/bin/h", b"a", b"b"], false));
expands!(row36_nbsp_is_whitespace, b"|/bin/h\xA0x" => pipe(&[b"/bin/h", b"x"], false));
expands!(row37_trailing_percent_empty_arg, b"|/bin/h a %" => pipe(&[b"/bin/h", b"a", b""], false));
expands!(row38_unknown_spec_empty_arg, b"|/bin/h %z" => pipe(&[b"/bin/h", b""], false));
expands!(row39_percent_eats_space, b"|/bin/h a% b" => pipe(&[b"/bin/h", b"ab"], false));
expands!(row40_empty_first_token_merges, b"|%z /bin/h x" => pipe(&[b"/bin/h", b"x"], false));
expands!(row41_double_percent, b"|/bin/h %%" => pipe(&[b"/bin/h", b"%"], false));
expands!(row42_escaping_in_pipe, b"|/bin/h %e", |c, _s| c.comm = b"a/b" => pipe(&[b"/bin/h", b"a!b"], false));

#[test]
fn row43_bare_pipe_accepted_then_fails() {
    let w = write_sysctl(&latest(), b"core", &[b"|"], 0);
    check_write(
        &w,
        &WriteWant {
            returns: vec![1],
            errno: None,
            stored: b"|".to_vec(),
            read_errno: None,
            suid_warning: false,
        },
    );
    let p = Pattern::parse(&w.stored).unwrap();
    assert_eq!(p.mode(), Mode::Pipe);
    check(
        &p,
        &Settings::default(),
        &Crash::example(),
        &none(NoDumpReason::EmptyPipe),
    );
}

expands!(
    row44_pipe_ignores_core_limit_zero,
    b"|/bin/h",
    |c, _s| c.core_limit = CoreLimit::Bytes(0)
    => pipe(&[b"/bin/h"], false)
);
expands!(
    row45_pipe_core_limit_one_aborts,
    b"|/bin/h",
    |c, _s| c.core_limit = CoreLimit::Bytes(1)
    => none(NoDumpReason::PipeRlimitOne)
);

// ---------------------------------------------------------------------------
// §10 rows 46–55: socket mode

expands!(row46_socket, b"@/run/cd.sock" => socket(b"/run/cd.sock", false));
expands!(
    row46_socket_no_pid_suffix,
    b"@/run/cd.sock",
    |_c, s| s.core_uses_pid = true
    => socket(b"/run/cd.sock", false)
);
expands!(
    row46_socket_ignores_core_limit,
    b"@/run/cd.sock",
    |c, _s| c.core_limit = CoreLimit::Bytes(0)
    => socket(b"/run/cd.sock", false)
);
expands!(row47_socket_request, b"@@/run/cd.sock" => socket(b"/run/cd.sock", true));
expands!(row47_socket_request_6_17_13 @ "6.17.13", b"@@/run/cd.sock" => socket(b"/run/cd.sock", true));
writes!(
    row47_socket_request_write_fails_on_6_16_3,
    kernel("6.16.3"), b"core", [b"@@/run/cd.sock"], suid 0
    => returns [-1], errno EINVAL, stored b"core"
);
writes!(
    row47_socket_request_write_accepted_on_latest,
    latest(), b"core", [b"@@/run/cd.sock"], suid 0
    => returns [14], errno None, stored b"@@/run/cd.sock"
);
// §0: on 6.16.12 the invalid value is accepted, reading fails, dumps fail.
writes!(
    row47_socket_request_6_16_12_read_fails,
    kernel("6.16.12"), b"core", [b"@@/run/cd.sock"], suid 0
    => returns [14], errno None, stored b"@@/run/cd.sock", read_errno EINVAL
);
expands!(
    row47_socket_request_6_16_12_dump_fails @ "6.16.12",
    b"@@/run/cd.sock"
    => none(NoDumpReason::SocketInvalid(SocketProblem::NotAbsolute))
);

#[test]
fn row48_percent_literal_in_socket_path() {
    let w = write_sysctl(&latest(), b"core", &[b"@/tmp/%p.sock"], 0);
    assert_eq!((w.returns.as_slice(), w.errno), (&[13][..], None));
    assert_eq!(w.stored, b"@/tmp/%p.sock");
    let p = Pattern::parse(&w.stored).unwrap();
    assert!(!p.uses(Specifier::Pid));
    check(
        &p,
        &Settings::new().with_core_uses_pid(true),
        &Crash::example(),
        &socket(b"/tmp/%p.sock", false),
    );
}

writes!(row49_at_alone, latest(), b"core", [b"@"], suid 0 => returns [-1], errno EINVAL, stored b"core");
writes!(row49_at_at, latest(), b"core", [b"@@"], suid 0 => returns [-1], errno EINVAL, stored b"core");
writes!(row49_triple_at, latest(), b"core", [b"@@@/x"], suid 0 => returns [-1], errno EINVAL, stored b"core");
writes!(row49_at_space, latest(), b"core", [b"@ /x"], suid 0 => returns [-1], errno EINVAL, stored b"core");
writes!(row49_at_relative, latest(), b"core", [b"@run/x"], suid 0 => returns [-1], errno EINVAL, stored b"core");
writes!(
    row49_old_value_kept,
    latest(), b"/var/crash/core.%p", [b"@run/x"], suid 0
    => returns [-1], errno EINVAL, stored b"/var/crash/core.%p"
);
writes!(row49_at_alone_6_16_3, kernel("6.16.3"), b"core", [b"@"], suid 0 => returns [-1], errno EINVAL, stored b"core");
writes!(row49_at_relative_6_16_3, kernel("6.16.3"), b"core", [b"@run/x"], suid 0 => returns [-1], errno EINVAL, stored b"core");
// §6.3: 6.17.0–6.17.4 do not check writes; reading back fails.
writes!(
    row49_at_relative_6_17_2_unchecked,
    kernel("6.17.2"), b"core", [b"@run/x"], suid 0
    => returns [6], errno None, stored b"@run/x", read_errno EINVAL
);
writes!(
    row49_at_relative_6_17_13_rejected,
    kernel("6.17.13"), b"core", [b"@run/x"], suid 0
    => returns [-1], errno EINVAL, stored b"core"
);
writes!(row50_dotdot_middle, latest(), b"core", [b"@/a/../b"], suid 0 => returns [-1], errno EINVAL, stored b"core");
writes!(row50_dotdot_end, latest(), b"core", [b"@/a/.."], suid 0 => returns [-1], errno EINVAL, stored b"core");
writes!(row50_request_dotdot, latest(), b"core", [b"@@/tmp/../x"], suid 0 => returns [-1], errno EINVAL, stored b"core");
writes!(row51_dots_in_name, latest(), b"core", [b"@/a..b"], suid 0 => returns [6], errno None, stored b"@/a..b");
writes!(row51_three_dots, latest(), b"core", [b"@/a/..."], suid 0 => returns [7], errno None, stored b"@/a/...");
writes!(
    row52_path_107_accepted,
    latest(), b"core", [prefixed_a(b"@/", 106)], suid 0
    => returns [108], errno None, stored prefixed_a(b"@/", 106)
);
writes!(
    row52_path_108_rejected,
    latest(), b"core", [prefixed_a(b"@/", 107)], suid 0
    => returns [-1], errno EINVAL, stored b"core"
);
writes!(
    row52_request_path_107_accepted,
    latest(), b"core", [prefixed_a(b"@@/", 106)], suid 0
    => returns [109], errno None, stored prefixed_a(b"@@/", 106)
);
writes!(
    row52_request_path_108_rejected,
    latest(), b"core", [prefixed_a(b"@@/", 107)], suid 0
    => returns [-1], errno EINVAL, stored b"core"
);
writes!(
    row53_non_initial_mount_ns,
    latest().with_initial_mount_ns(false), b"core", [b"@/run/x"], suid 0
    => returns [-1], errno EINVAL, stored b"core"
);
writes!(
    row53_non_initial_mount_ns_file_pattern_ok,
    latest().with_initial_mount_ns(false), b"core", [b"/run/x"], suid 0
    => returns [6], errno None, stored b"/run/x"
);

#[test]
fn row52_socket_value_ok_boundary() {
    assert!(socket_value_ok(&prefixed_a(b"@/", 106), &latest()));
    assert!(!socket_value_ok(&prefixed_a(b"@/", 107), &latest()));
    assert!(socket_value_ok(&prefixed_a(b"@@/", 106), &latest()));
    assert!(!socket_value_ok(&prefixed_a(b"@@/", 107), &latest()));
}

#[test]
fn row49_to_53_socket_value_ok() {
    let k = latest();
    for bad in [
        &b"@"[..],
        b"@@",
        b"@@@/x",
        b"@ /x",
        b"@run/x",
        b"@/a/../b",
        b"@/a/..",
        // The selftests' list (§3.1).
        b"@ /tmp/coredump.socket",
        b"@/tmp/../coredump.socket",
        b"@../coredump.socket",
        b"@/tmp/coredump.socket/..",
        b"@..",
        b"@@ /tmp/coredump.socket",
        b"@@/tmp/../coredump.socket",
        b"@@../coredump.socket",
        b"@@/tmp/coredump.socket/..",
        b"@@..",
        b"@@@/tmp/coredump.socket",
    ] {
        assert!(
            !socket_value_ok(bad, &k),
            "{:?} should be rejected",
            String::from_utf8_lossy(bad)
        );
    }
    for good in [
        &b"@/a..b"[..],
        b"@/a/...",
        b"@/run/cd.sock",
        b"@@/run/cd.sock",
        b"@/tmp/%p.sock",
        b"@/tmp/a b",
        b"core",
        b"|/bin/h",
        b"",
    ] {
        assert!(
            socket_value_ok(good, &k),
            "{:?} should be accepted",
            String::from_utf8_lossy(good)
        );
    }
    assert!(!socket_value_ok(
        b"@/run/x",
        &k.with_initial_mount_ns(false)
    ));
    // Before 6.16 `@` is not special.
    assert!(socket_value_ok(b"@run/x", &kernel("6.12.117")));
}

#[test]
fn row54_space_in_socket_path() {
    let w = write_sysctl(&latest(), b"core", &[b"@/tmp/a b"], 0);
    assert_eq!((w.returns.as_slice(), w.errno), (&[9][..], None));
    assert_eq!(w.stored, b"@/tmp/a b");
    let p = Pattern::parse(&w.stored).unwrap();
    check(
        &p,
        &Settings::default(),
        &Crash::example(),
        &none(NoDumpReason::SocketInvalid(SocketProblem::ContainsSpace)),
    );
}

// A tab passes (the kernel's check is `strchr(path, ' ')`).
expands!(row54_tab_in_socket_path_passes, b"@/tmp/a\tb" => socket(b"/tmp/a\tb", false));

expands!(row55_at_is_file_before_6_16 @ "6.12.117", b"@/run/x" => file("@/run/x"));
expands!(row55_at_is_file_on_6_15 @ "6.15.9", b"@/run/x" => file("@/run/x"));
expands!(
    row55_at_is_file_with_pid_suffix @ "6.1.192",
    b"@/run/x",
    |_c, s| s.core_uses_pid = true
    => file("@/run/x.1234")
);
writes!(
    row55_at_written_before_6_16,
    kernel("6.12.117"), b"core", [b"@run/cd.sock"], suid 0
    => returns [12], errno None, stored b"@run/cd.sock"
);

// ---------------------------------------------------------------------------
// §10 rows 56–61: writing the sysctl

writes!(
    row56_cut_to_127,
    latest(), b"core", [slash_a(127)], suid 0
    => returns [128], errno None, stored slash_a(126)
);
writes!(
    row57_127_bytes_and_newline,
    latest(), b"core", [[slash_a(126), b"\n".to_vec()].concat()], suid 0
    => returns [128], errno None, stored slash_a(126)
);
writes!(
    row58_newline_in_middle,
    latest(), b"previous", [b"core\nfoo"], suid 0
    => returns [8], errno None, stored b"core"
);

#[test]
fn row56_to_58_dropped_bytes() {
    let k = latest();
    assert_eq!(write_sysctl(&k, b"core", &[&slash_a(127)], 0).dropped, 1);
    assert_eq!(write_sysctl(&k, b"core", &[b"core\nfoo"], 0).dropped, 4);
    assert_eq!(write_sysctl(&k, b"core", &[b"core"], 0).dropped, 0);
}

#[test]
fn row56_to_58_stored_value() {
    assert_eq!(stored_value(&slash_a(127)), &slash_a(126)[..]);
    assert_eq!(
        stored_value(&[slash_a(126), b"\n".to_vec()].concat()),
        &slash_a(126)[..]
    );
    assert_eq!(stored_value(b"core\nfoo"), b"core");
    assert_eq!(stored_value(b"core\0foo"), b"core");
    assert_eq!(stored_value(b"core\r"), b"core\r");
    assert_eq!(stored_value(b"\n"), b"");
    assert_eq!(stored_value(b""), b"");
}

writes!(
    row59_relative_with_suid_2_warns,
    latest(), b"|/bin/old", [b"core"], suid 2
    => returns [4], errno None, stored b"core", warning true
);
expands!(
    row59_dumpable_2_skipped,
    b"core",
    |c, s| { c.dumpable = 2; s.suid_dumpable = 2; }
    => none(NoDumpReason::SuidNeedsAbsolute)
);
writes!(
    row60_percent_first_warns,
    latest(), b"core", [b"%z/tmp/core"], suid 2
    => returns [11], errno None, stored b"%z/tmp/core", warning true
);
expands!(
    row60_expanded_name_absolute_dumps,
    b"%z/tmp/core",
    |c, s| { c.dumpable = 2; s.suid_dumpable = 2; }
    => file("/tmp/core")
);
writes!(row61_pipe_no_warning, latest(), b"core", [b"| /x"], suid 2 => returns [4], errno None, stored b"| /x", warning false);
writes!(row61_absolute_no_warning, latest(), b"core", [b"/tmp/core"], suid 2 => returns [9], errno None, stored b"/tmp/core", warning false);
writes!(row61_socket_no_warning, latest(), b"core", [b"@/x"], suid 2 => returns [3], errno None, stored b"@/x", warning false);
writes!(row61_suid_1_no_warning, latest(), b"core", [b"core"], suid 1 => returns [4], errno None, stored b"core", warning false);

// ---------------------------------------------------------------------------
// §10 rows 62–66

expands!(
    row62_acs_annotation,
    b"/data/dump-a/core-%E-%p-%t"
    => file("/data/dump-a/core-!usr!bin!myapp-1234-1700000000")
);

#[test]
fn row63_exe_250_bytes_component_too_long() {
    let p = Pattern::parse("/data/dump-a/core-%E-%p-%t").unwrap();
    let exe = prefixed_a(b"/opt/", 245);
    assert_eq!(exe.len(), 250);
    let crash = Crash::example().with_exe(Some(&exe));
    // "core-" (5) + 250 + "-1234" (5) + "-1700000000" (11)
    check(
        &p,
        &Settings::default(),
        &crash,
        &none(NoDumpReason::NameTooLong { len: 271 }),
    );
}

#[test]
fn row63_component_of_exactly_255_is_fine() {
    let p = Pattern::parse("/d/%E").unwrap();
    let exe = slash_a(254); // escaped: 255 bytes
    let crash = Crash::example().with_exe(Some(&exe));
    let mut want = b"/d/!".to_vec();
    want.extend(std::iter::repeat_n(b'a', 254));
    check(&p, &Settings::default(), &crash, &file(&want));
    let exe = slash_a(255);
    let crash = Crash::example().with_exe(Some(&exe));
    check(
        &p,
        &Settings::default(),
        &crash,
        &none(NoDumpReason::NameTooLong { len: 256 }),
    );
}

// Filesystem failures are not predicted: the name is what the kernel opens.
expands!(row64_nonexistent_dir, b"/nonexistent/dir/core" => file("/nonexistent/dir/core"));
expands!(row65_adjacent_numbers, b"core.%p%u" => file("core.12341000"));
expands!(row66_percent_eats_one_byte, b"x%\xC3\xA9" => file(b"x\xA9"));

// ---------------------------------------------------------------------------
// §0: observed on real kernels

expands!(obs_escape_anywhere_in_component, b"x%ey", |c, _s| c.comm = b".." => file("x!.y"));
expands!(obs_escape_dot_mid_component, b"x%ey", |c, _s| c.comm = b"." => file("x!y"));
expands!(obs_escape_empty_mid_component, b"core.[%e]", |c, _s| c.comm = b"" => file("core.[!]"));
expands!(obs_hostname_dot, b"/tmp/%h", |c, _s| c.hostname = b"." => file("/tmp/!"));
expands!(obs_cpu_unknown_on_6_1_192 @ "6.1.192", b"core.%C" => file("core."));
expands!(obs_cpu_known_on_6_12_117 @ "6.12.117", b"core.%C" => file("core.3"));
expands!(obs_pidfd_unknown_upstream_6_1 @ "6.1.192", b"|/bin/h %F" => pipe(&[b"/bin/h", b""], false));

#[test]
fn obs_pidfd_backport_on_6_1_192() {
    let k = kernel("6.1.192").with_feature(Feature::SpecPidfd);
    let p = pat_on(k, b"|/bin/h %F %C");
    check(
        &p,
        &Settings::default(),
        &Crash::example(),
        &pipe(&[b"/bin/h", b"3", b""], true),
    );
    let p = pat_on(k, b"/tmp/cores/core.[%F].x");
    check(
        &p,
        &Settings::default(),
        &Crash::example(),
        &file("/tmp/cores/core.[].x"),
    );
}

expands!(obs_empty_argument_between, b"|/bin/h a %z b" => pipe(&[b"/bin/h", b"a", b"", b"b"], false));
expands!(obs_percent_space_then_tab, b"|/bin/h a% b %\tc" => pipe(&[b"/bin/h", b"ab", b"c"], false));
expands!(obs_leading_whitespace_after_bar, b"|   /bin/h x" => pipe(&[b"/bin/h", b"x"], false));
expands!(obs_space_before_bar_is_file, b" |/bin/h" => file(" |/bin/h"));
expands!(obs_leading_spaces_file, b"  core" => file("  core"));
// A relative helper is resolved from `/` of the initial namespaces: the
// conformance harness saw `|bin/helper` run `/bin/helper` (6.1 to 7.3);
// the vectors' `|pipehelper` ran nothing only because `/pipehelper` did not
// exist.
expands!(obs_relative_helper, b"|pipehelper" => pipe(&[b"pipehelper"], false));
expands!(obs_relative_helper_with_dir, b"|bin/helper %p" => pipe(&[b"bin/helper", b"1234"], false));
expands!(obs_helper_from_specifier, b"|/tmp/bin/%e %e", |c, _s| c.comm = b"ph" => pipe(&[b"/tmp/bin/ph", b"ph"], false));
expands!(
    obs_pipe_no_pid_suffix,
    b"|/bin/h %e",
    |_c, s| s.core_uses_pid = true
    => pipe(&[b"/bin/h", b"myapp"], false)
);
expands!(
    obs_pipe_glued_specifiers,
    b"|/bin/h pid=%p,comm=%e,x%%y"
    => pipe(&[b"/bin/h", b"pid=1234,comm=myapp,x%y"], false)
);
expands!(obs_uses_pid_with_tid_only, b"core.%i", |_c, s| s.core_uses_pid = true => file("core.1240.1234"));
expands!(obs_uses_pid_with_global_tid, b"core.%I", |_c, s| s.core_uses_pid = true => file("core.51240.1234"));
expands!(obs_dumpable_0, b"/tmp/core.%p", |c, _s| c.dumpable = 0 => none(NoDumpReason::NotDumpable));
expands!(obs_dumpable_0_pipe, b"|/bin/h", |c, _s| c.dumpable = 0 => none(NoDumpReason::NotDumpable));
expands!(
    obs_sigterm_no_dump,
    b"/tmp/core.%s",
    |c, _s| c.signal = Signal::new(15)
    => none(NoDumpReason::SignalNotCore { signal: Signal::new(15) })
);
expands!(obs_comm_cut_to_15, b"e=%e", |c, _s| c.comm = b"abcdefghijklmnop" => file("e=abcdefghijklmno"));
expands!(obs_comm_non_ascii_and_newline, b"core.%e", |c, _s| c.comm = b"caf\xc3\xa9\nx" => file(b"core.caf\xc3\xa9\nx"));
expands!(obs_exe_dir_with_space, b"/tmp/cores/%E", |c, _s| c.exe = Some(b"/tmp/dir with space/crasher") => file("/tmp/cores/!tmp!dir with space!crasher"));
expands!(
    obs_uid_gid,
    b"/tmp/cores/core.%u.%g",
    |c, _s| { c.uid = 1000; c.gid = 2000; }
    => file("/tmp/cores/core.1000.2000")
);
expands!(
    obs_setuid_pipe_suid_2,
    b"|/bin/h %u %g %d",
    |c, s| { c.dumpable = 2; s.suid_dumpable = 2; }
    => pipe(&[b"/bin/h", b"1000", b"1000", b"2"], false)
);
expands!(
    obs_rlimit_finite,
    b"/tmp/cores/core.%c",
    |c, _s| c.core_limit = CoreLimit::Bytes(104_857_600)
    => file("/tmp/cores/core.104857600")
);
expands!(obs_unknown_misc, b"/tmp/cores/u%A%Z%1%-x%/y" => file("/tmp/cores/uxy"));
expands!(obs_percent_space_in_file, b"/tmp/cores/a% b" => file("/tmp/cores/ab"));

#[test]
fn obs_core_signals() {
    let want = [3u32, 4, 5, 6, 7, 8, 11, 24, 25, 31];
    let got: Vec<u32> = core_signals().map(|s| s.number).collect();
    assert_eq!(got, want);
    let p = Pattern::parse("/tmp/core.%s").unwrap();
    for n in 0..=70u32 {
        let crash = Crash::example().with_signal(Signal::new(n));
        let out = p.expand(&Settings::default(), &crash);
        if want.contains(&n) {
            assert_eq!(out, file(format!("/tmp/core.{n}")), "signal {n}");
        } else {
            assert_eq!(
                out,
                none(NoDumpReason::SignalNotCore {
                    signal: Signal::new(n)
                }),
                "signal {n}"
            );
        }
    }
}

#[test]
fn obs_write_semantics() {
    let k = latest();
    // A zero-length write changes nothing.
    let w = write_sysctl(&k, b"/oracle-baseline/core.%p", &[b""], 0);
    assert_eq!(w.returns, [0]);
    assert_eq!(w.errno, None);
    assert_eq!(w.stored, b"/oracle-baseline/core.%p");
    // "\n" stores the empty pattern, which dumps nothing.
    let w = write_sysctl(&k, b"core", &[b"\n"], 0);
    assert_eq!(w.returns, [1]);
    assert_eq!(w.stored, b"");
    // `\r` is kept.
    let w = write_sysctl(&k, b"core", &[b"core\r"], 0);
    assert_eq!(w.stored, b"core\r");
    // Several write() calls append.
    let w = write_sysctl(&k, b"core", &[b"/tmp/cor", b"es/chunk", b"ed.%p"], 0);
    assert_eq!(w.returns, [8, 8, 5]);
    assert_eq!(w.stored, b"/tmp/cores/chunked.%p");
    // A 200-byte value: stored up to 127, write() says 200.
    let w = write_sysctl(&k, b"core", &[&prefixed_a(b"/tmp/cores/", 189)], 0);
    assert_eq!(w.returns, [200]);
    assert_eq!(w.stored, prefixed_a(b"/tmp/cores/", 116));
    // The cut can leave a trailing `%` (a `%p` split in two).
    let mut v = prefixed_a(b"/tmp/cores/", 115);
    v.extend_from_slice(b"%p");
    assert_eq!(v.len(), 128);
    let w = write_sysctl(&k, b"core", &[&v], 0);
    assert_eq!(w.returns, [128]);
    assert_eq!(w.stored.last(), Some(&b'%'));
    let p = Pattern::parse(&w.stored).unwrap();
    assert_eq!(p.tokens().last().unwrap().kind, TokenKind::TrailingPercent);
    check(
        &p,
        &Settings::default(),
        &Crash::example(),
        &file(prefixed_a(b"/tmp/cores/", 115)),
    );
}

// Escaping rules 1 and 2 are absent before 4.6 (§1.2).
expands!(pre_4_6_comm_dot @ "4.4.0", b"/tmp/%e", |c, _s| c.comm = b"." => file("/tmp/."));
expands!(pre_4_6_comm_dotdot @ "4.4.0", b"/tmp/%e", |c, _s| c.comm = b".." => file("/tmp/.."));
expands!(pre_4_6_comm_empty @ "4.4.0", b"/tmp/%e.x", |c, _s| c.comm = b"" => file("/tmp/.x"));
expands!(pre_4_6_slash_still_escaped @ "4.4.0", b"/tmp/%e", |c, _s| c.comm = b"a/b" => file("/tmp/a!b"));
expands!(pre_4_6_4_14_has_dot_rules @ "4.14.0", b"/tmp/%e", |c, _s| c.comm = b".." => file("/tmp/!."));
expands!(pre_5_9_no_exe_name @ "5.8.0", b"core.%f." => file("core.."));
expands!(on_5_9_exe_name @ "5.9.0", b"core.%f" => file("core.myapp"));
expands!(
    pre_5_3_no_empty_arguments @ "5.2.0",
    b"|/bin/h a %z % b %"
    => pipe(&[b"/bin/h", b"a", b"b"], false)
);
expands!(
    pre_5_3_nbsp_in_value_splits @ "5.2.0",
    b"|/bin/h %h",
    |c, _s| c.hostname = b"a\xA0b\tc"
    => pipe(&[b"/bin/h", b"a", b"b", b"c"], false)
);
expands!(
    post_5_3_nbsp_in_value_kept,
    b"|/bin/h %h",
    |c, _s| c.hostname = b"a\xA0b\tc"
    => pipe(&[b"/bin/h", b"a\xA0b\tc"], false)
);
expands!(
    exe_path_unknown_with_exe_name,
    b"core.%f",
    |c, _s| { c.exe = None; c.comm = b"a/b"; }
    => file("core.a!b (path unknown)")
);
expands!(socket_empty_path, b"@" => none(NoDumpReason::SocketInvalid(SocketProblem::Empty)));
expands!(socket_request_empty_path, b"@@" => none(NoDumpReason::SocketInvalid(SocketProblem::Empty)));
expands!(socket_dotdot_at_dump, b"@/a/../b" => none(NoDumpReason::SocketInvalid(SocketProblem::DotDot)));
expands!(socket_relative_at_dump, b"@run/x" => none(NoDumpReason::SocketInvalid(SocketProblem::NotAbsolute)));
expands!(socket_too_long_at_dump, prefixed_a(b"@/", 107) => none(NoDumpReason::SocketInvalid(SocketProblem::TooLong)));
expands!(socket_107_at_dump, prefixed_a(b"@/", 106) => socket(&slash_a(106), false));
// A pattern written on 6.16 (no `..` check) still fails at dump time.
expands!(socket_dotdot_6_16 @ "6.16.3", b"@/a/../b" => none(NoDumpReason::SocketInvalid(SocketProblem::DotDot)));
expands!(socket_on_6_16_0 @ "6.16.0", b"@/run/cd.sock" => socket(b"/run/cd.sock", false));
expands!(pipe_blank_helper, b"| " => none(NoDumpReason::EmptyPipe));
expands!(pipe_empty_expansion_helper, b"|%z" => none(NoDumpReason::EmptyPipe));
expands!(time_negative, b"core.%t", |c, _s| c.time = -5 => file("core.-5"));
expands!(hostname_cut_to_64, b"%h", |c, _s| c.hostname = &[b'h'; 70] => file([b'h'; 64]));
expands!(hostname_cut_at_nul, b"%h.x", |c, _s| c.hostname = b"ab\0cd" => file("ab.x"));
expands!(comm_nul_first_is_empty, b"%e.x", |c, _s| c.comm = b"\0ab" => file("!.x"));

// ---------------------------------------------------------------------------
// Parsing: token kinds and spans

macro_rules! tokens {
    ($name:ident $(@ $k:literal)?, $pat:expr => $mode:expr, [$(($kind:expr, $range:expr)),* $(,)?]) => {
        #[test]
        fn $name() {
            #[allow(unused_mut, unused_assignments)]
            let mut k = KernelProfile::latest();
            $(k = kernel($k);)?
            let p = pat_on(k, $pat.as_ref());
            assert_eq!(p.mode(), $mode, "mode");
            let got: Vec<(TokenKind, std::ops::Range<usize>)> =
                p.tokens().iter().map(|t| (t.kind, t.span.range())).collect();
            let want: Vec<(TokenKind, std::ops::Range<usize>)> = vec![$(($kind, $range)),*];
            assert_eq!(got, want);
        }
    };
}

use TokenKind::{Literal, ModePrefix, Space, TrailingPercent, Unknown};

fn spec(s: Specifier) -> TokenKind {
    TokenKind::Spec(s)
}

tokens!(tok_empty, b"" => Mode::File, []);
tokens!(tok_double_percent, b"%%" => Mode::File, [(spec(Specifier::Percent), 0..2)]);
tokens!(tok_unknown_z, b"%z" => Mode::File, [(Unknown(b'z'), 0..2)]);
tokens!(tok_trailing_percent, b"core%" => Mode::File, [(Literal, 0..4), (TrailingPercent, 4..5)]);
tokens!(tok_lone_percent, b"%" => Mode::File, [(TrailingPercent, 0..1)]);
tokens!(
    tok_double_then_trailing,
    b"a%%%"
    => Mode::File,
    [(Literal, 0..1), (spec(Specifier::Percent), 1..3), (TrailingPercent, 3..4)]
);
tokens!(
    tok_acs,
    b"/data/dump-a/core-%E-%p-%t"
    => Mode::File,
    [
        (Literal, 0..18),
        (spec(Specifier::ExePath), 18..20),
        (Literal, 20..21),
        (spec(Specifier::Pid), 21..23),
        (Literal, 23..24),
        (spec(Specifier::Time), 24..26),
    ]
);
tokens!(tok_file_spaces_are_literal, b"a b\xA0c" => Mode::File, [(Literal, 0..5)]);
tokens!(tok_percent_slash, b"/a/%/b" => Mode::File, [(Literal, 0..3), (Unknown(b'/'), 3..5), (Literal, 5..6)]);
tokens!(tok_percent_space_in_file, b"a% b" => Mode::File, [(Literal, 0..1), (Unknown(b' '), 1..3), (Literal, 3..4)]);
tokens!(
    tok_percent_eats_utf8_lead_byte,
    b"x%\xC3\xA9"
    => Mode::File,
    [(Literal, 0..1), (Unknown(0xC3), 1..3), (Literal, 3..4)]
);
tokens!(
    tok_pipe_percent_space,
    b"|/bin/h a% b"
    => Mode::Pipe,
    [
        (ModePrefix, 0..1),
        (Literal, 1..7),
        (Space, 7..8),
        (Literal, 8..9),
        (Unknown(b' '), 9..11),
        (Literal, 11..12),
    ]
);
tokens!(
    tok_pipe_nbsp,
    b"|/bin/h\xA0x"
    => Mode::Pipe,
    [(ModePrefix, 0..1), (Literal, 1..7), (Space, 7..8), (Literal, 8..9)]
);
tokens!(
    tok_pipe_whitespace_runs,
    b"|  /bin/h   a\tb  "
    => Mode::Pipe,
    [
        (ModePrefix, 0..1),
        (Space, 1..3),
        (Literal, 3..9),
        (Space, 9..12),
        (Literal, 12..13),
        (Space, 13..14),
        (Literal, 14..15),
        (Space, 15..17),
    ]
);
tokens!(
    tok_pipe_all_kernel_whitespace,
    b"|a\x09\x0B\x0C\x0D\x20\xA0b"
    => Mode::Pipe,
    [(ModePrefix, 0..1), (Literal, 1..2), (Space, 2..8), (Literal, 8..9)]
);
tokens!(
    tok_pipe_trailing_percent,
    b"|/bin/h a %"
    => Mode::Pipe,
    [(ModePrefix, 0..1), (Literal, 1..7), (Space, 7..8), (Literal, 8..9), (Space, 9..10), (TrailingPercent, 10..11)]
);
tokens!(tok_bare_pipe, b"|" => Mode::Pipe, [(ModePrefix, 0..1)]);
tokens!(tok_space_before_bar, b" |x" => Mode::File, [(Literal, 0..3)]);
tokens!(tok_at_is_file_on_6_12 @ "6.12.117", b"@/x" => Mode::File, [(Literal, 0..3)]);
tokens!(tok_at_at_is_file_on_6_12 @ "6.12.117", b"@@/x" => Mode::File, [(Literal, 0..4)]);
tokens!(tok_at_on_6_16 @ "6.16.3", b"@/x" => Mode::Socket, [(ModePrefix, 0..1), (Literal, 1..3)]);
tokens!(tok_at_at_on_6_16 @ "6.16.3", b"@@/x" => Mode::Socket, [(ModePrefix, 0..1), (Literal, 1..4)]);
tokens!(tok_at_at_on_6_17 @ "6.17.0", b"@@/x" => Mode::SocketRequest, [(ModePrefix, 0..2), (Literal, 2..4)]);
tokens!(tok_at_at_on_latest, b"@@/x" => Mode::SocketRequest, [(ModePrefix, 0..2), (Literal, 2..4)]);
tokens!(tok_socket_percent_not_parsed, b"@/tmp/%p.sock" => Mode::Socket, [(ModePrefix, 0..1), (Literal, 1..13)]);
tokens!(tok_socket_spaces_not_split, b"@/a b" => Mode::Socket, [(ModePrefix, 0..1), (Literal, 1..5)]);
tokens!(tok_at_alone, b"@" => Mode::Socket, [(ModePrefix, 0..1)]);
tokens!(tok_at_at_alone, b"@@" => Mode::SocketRequest, [(ModePrefix, 0..2)]);
tokens!(tok_cpu_unknown_6_1 @ "6.1.192", b"%C" => Mode::File, [(Unknown(b'C'), 0..2)]);
tokens!(tok_cpu_known_6_2 @ "6.2.0", b"%C" => Mode::File, [(spec(Specifier::Cpu), 0..2)]);
tokens!(tok_pidfd_unknown_6_12 @ "6.12.117", b"%F" => Mode::File, [(Unknown(b'F'), 0..2)]);
tokens!(tok_pidfd_known_6_16 @ "6.16.0", b"%F" => Mode::File, [(spec(Specifier::Pidfd), 0..2)]);
tokens!(tok_exe_name_unknown_5_8 @ "5.8.0", b"%f" => Mode::File, [(Unknown(b'f'), 0..2)]);
tokens!(tok_tid_unknown_3_17 @ "3.17.0", b"%i%I" => Mode::File, [(Unknown(b'i'), 0..2), (Unknown(b'I'), 2..4)]);
tokens!(tok_global_pid_unknown_3_11 @ "3.11.0", b"%P" => Mode::File, [(Unknown(b'P'), 0..2)]);
tokens!(tok_dumpable_unknown_3_6 @ "3.6.0", b"%d" => Mode::File, [(Unknown(b'd'), 0..2)]);

#[test]
fn tok_mode_detection_per_version() {
    for (release, at, at_at) in [
        ("4.4.0", Mode::File, Mode::File),
        ("6.12.117", Mode::File, Mode::File),
        ("6.15.0", Mode::File, Mode::File),
        ("6.16.0", Mode::Socket, Mode::Socket),
        ("6.16.3", Mode::Socket, Mode::Socket),
        ("6.16.12", Mode::Socket, Mode::Socket),
        ("6.17.0", Mode::Socket, Mode::SocketRequest),
        ("6.17.13", Mode::Socket, Mode::SocketRequest),
        ("6.18.15", Mode::Socket, Mode::SocketRequest),
        ("7.3.4", Mode::Socket, Mode::SocketRequest),
    ] {
        let k = kernel(release);
        assert_eq!(pat_on(k, b"@/x").mode(), at, "@/x on {release}");
        assert_eq!(pat_on(k, b"@@/x").mode(), at_at, "@@/x on {release}");
        assert_eq!(pat_on(k, b"|x").mode(), Mode::Pipe, "|x on {release}");
        assert_eq!(pat_on(k, b"x").mode(), Mode::File, "x on {release}");
        assert_eq!(Mode::detect(b"@@/x", &k), at_at);
    }
    // Without socket support (CONFIG_UNIX=n) `@` is a file name.
    let k = latest().without_feature(Feature::SocketMode);
    assert_eq!(pat_on(k, b"@/x").mode(), Mode::File);
}

#[test]
fn tok_body_and_socket_path() {
    let p = pat_on(kernel("6.16.3"), b"@@/x");
    assert_eq!(p.body(), b"@/x");
    assert_eq!(p.socket_path(), Some(&b"@/x"[..]));
    let p = pat_on(kernel("6.17.0"), b"@@/x");
    assert_eq!(p.body(), b"/x");
    assert_eq!(p.socket_path(), Some(&b"/x"[..]));
    let p = pat_on(kernel("6.12.117"), b"@@/x");
    assert_eq!(p.body(), b"@@/x");
    assert_eq!(p.socket_path(), None);
    let p = Pattern::parse("|/bin/h %e").unwrap();
    assert_eq!(p.body(), b"/bin/h %e");
    assert_eq!(p.socket_path(), None);
    let p = Pattern::parse("|").unwrap();
    assert_eq!(p.body(), b"");
}

#[test]
fn tok_mode_names() {
    assert_eq!(
        [
            Mode::File.name(),
            Mode::Pipe.name(),
            Mode::Socket.name(),
            Mode::SocketRequest.name(),
        ],
        ["file", "pipe", "socket", "socket-request"]
    );
    assert_eq!(Mode::SocketRequest.to_string(), "socket-request");
    assert_eq!(
        [
            Mode::File.prefix_len(),
            Mode::Pipe.prefix_len(),
            Mode::Socket.prefix_len(),
            Mode::SocketRequest.prefix_len(),
        ],
        [0, 1, 1, 2]
    );
}

#[test]
fn tok_specifiers_and_uses() {
    let p = Pattern::parse("core.%%p.%P.%z.%e").unwrap();
    let specs: Vec<Specifier> = p.specifiers().collect();
    assert_eq!(
        specs,
        [Specifier::Percent, Specifier::GlobalPid, Specifier::Comm]
    );
    assert!(!p.uses(Specifier::Pid));
    assert!(p.uses(Specifier::GlobalPid));
    let t = p.tokens()[1];
    assert_eq!(p.token_bytes(&t), b"%%");
}

#[test]
fn tok_pipe_arguments() {
    for (pattern, n) in [
        (&b"|/bin/h a %"[..], 3),
        (b"|/bin/h %z", 2),
        (b"|%z /bin/h x", 2),
        (b"|/bin/h a% b", 2),
        (b"|  /bin/h   a\tb  ", 3),
        (b"|/bin/h a %z b", 4),
        (
            b"|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F",
            10,
        ),
    ] {
        let p = Pattern::parse(pattern).unwrap();
        assert_eq!(
            p.pipe_arguments().len(),
            n,
            "{:?}",
            String::from_utf8_lossy(pattern)
        );
        let Outcome::Pipe { argv, .. } = p.expand(&Settings::default(), &Crash::example()) else {
            panic!("not a pipe")
        };
        assert_eq!(argv.len(), n);
    }
    assert!(Pattern::parse("core").unwrap().pipe_arguments().is_empty());
}

#[test]
fn tok_is_kernel_space() {
    let spaces: Vec<u8> = (0..=255u8).filter(|&b| is_kernel_space(b)).collect();
    assert_eq!(spaces, [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0]);
}

#[test]
fn tok_from_str_and_as_ref() {
    let p: Pattern = "core.%p".parse().unwrap();
    assert_eq!(p, Pattern::parse(b"core.%p").unwrap());
    assert_eq!(p.as_bytes(), b"core.%p");
    assert_eq!(AsRef::<[u8]>::as_ref(&p), b"core.%p");
    assert_eq!(p.kernel(), &KernelProfile::latest());
}

#[test]
fn tok_display_and_debug() {
    let p = Pattern::parse(b"x%\xC3\xA9").unwrap();
    assert_eq!(p.to_string(), "x%é");
    let p = Pattern::parse(b"x%\xC3").unwrap();
    assert_eq!(p.to_string(), "x%\\xc3");
    assert_eq!(format!("{p:?}"), "Pattern(\"x%\\\\xc3\")");
    let p = Pattern::parse("|/bin/h %e").unwrap();
    assert_eq!(p.to_string(), "|/bin/h %e");
    assert_eq!(Pattern::parse(p.to_string()).unwrap(), p);
}

// ---------------------------------------------------------------------------
// Parse errors: kind, span, code

macro_rules! rejects {
    ($name:ident, $input:expr => $kind:expr, $range:expr, $code:expr) => {
        #[test]
        fn $name() {
            let input: Vec<u8> = AsRef::<[u8]>::as_ref(&$input).to_vec();
            let err = Pattern::parse(&input).unwrap_err();
            assert_eq!(err.kind(), &$kind, "kind");
            assert_eq!(err.span().range(), $range, "span");
            assert_eq!(err.code(), $code, "code");
            assert_eq!(err.kind().code(), $code, "kind code");
        }
    };
}

rejects!(err_newline, b"core\n.%p" => ParseErrorKind::Newline, 4..5, 101);
rejects!(err_newline_first, b"\n" => ParseErrorKind::Newline, 0..1, 101);
rejects!(err_trailing_newline, b"core\n" => ParseErrorKind::Newline, 4..5, 101);
rejects!(err_nul, b"core\0x" => ParseErrorKind::Nul, 4..5, 102);
rejects!(err_nul_before_newline, b"a\0b\nc" => ParseErrorKind::Nul, 1..2, 102);
rejects!(err_newline_before_nul, b"a\nb\0c" => ParseErrorKind::Newline, 1..2, 101);
rejects!(err_too_long_128, slash_a(127) => ParseErrorKind::TooLong { len: 128, max: 127 }, 127..128, 100);
rejects!(err_too_long_200, slash_a(199) => ParseErrorKind::TooLong { len: 200, max: 127 }, 127..200, 100);

#[test]
fn err_127_bytes_ok() {
    let p = Pattern::parse(slash_a(126)).unwrap();
    assert_eq!(p.as_bytes().len(), 127);
}

#[test]
fn err_max_len_option() {
    let opts = ParseOptions::new().max_len(4096);
    assert_eq!(opts.get_max_len(), 4096);
    assert_eq!(ParseOptions::new().get_max_len(), 127);
    assert_eq!(ParseOptions::default(), ParseOptions::new());
    assert_eq!(opts.parse(slash_a(199)).unwrap().as_bytes().len(), 200);
    let err = ParseOptions::new().max_len(3).parse("core").unwrap_err();
    assert_eq!(err.kind(), &ParseErrorKind::TooLong { len: 4, max: 3 });
    assert_eq!(err.span(), Span::new(3, 4));
    let k = kernel("6.1.192");
    assert_eq!(ParseOptions::new().kernel(k).get_kernel(), &k);
}

#[test]
fn err_kind_names_and_help() {
    let too_long = ParseErrorKind::TooLong { len: 128, max: 127 };
    assert_eq!(too_long.name(), "too-long");
    assert_eq!(ParseErrorKind::Newline.name(), "newline");
    assert_eq!(ParseErrorKind::Nul.name(), "nul-byte");
    assert!(!too_long.help().is_empty());
    assert!(!ParseErrorKind::Newline.help().is_empty());
    assert!(!ParseErrorKind::Nul.help().is_empty());
}

/// Exact message strings, pinned apart from the table (semver style).
#[test]
fn err_messages_pinned() {
    let e = Pattern::parse(b"core\n.%p").unwrap_err();
    assert_eq!(
        e.to_string(),
        "the kernel stops storing the pattern at a newline at byte 4"
    );
    assert_eq!(
        format!("{e:?}"),
        "ParseError(\"the kernel stops storing the pattern at a newline at byte 4\")"
    );
    let e = Pattern::parse(b"core\0x").unwrap_err();
    assert_eq!(
        e.to_string(),
        "the kernel stops storing the pattern at a NUL byte at byte 4"
    );
    let e = Pattern::parse(slash_a(127)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "pattern is 128 bytes; the kernel keeps only the first 127 at byte 127"
    );
    assert_eq!(
        ParseErrorKind::TooLong { len: 128, max: 127 }.to_string(),
        "pattern is 128 bytes; the kernel keeps only the first 127"
    );
    assert_eq!(
        ParseErrorKind::Newline.to_string(),
        "the kernel stops storing the pattern at a newline"
    );
    assert_eq!(
        ParseErrorKind::Nul.to_string(),
        "the kernel stops storing the pattern at a NUL byte"
    );
    // The umbrella error is transparent.
    let e: core_pattern::Error = Pattern::parse(b"a\n").unwrap_err().into();
    assert_eq!(
        e.to_string(),
        "the kernel stops storing the pattern at a newline at byte 1"
    );
}

#[test]
fn err_render_newline() {
    let input = b"core\n.%p";
    let e = Pattern::parse(input).unwrap_err();
    assert_eq!(
        e.render(input),
        "error[E101]: the kernel stops storing the pattern at a newline\n\
         \x20 |\n\
         \x20 | core\\n.%p\n\
         \x20 |     ^^\n\
         \x20 = help: remove the newline; a trailing one is harmless when writing with echo, but it is not part of the pattern\n"
    );
}

#[test]
fn err_render_nul() {
    let input = b"core\0x";
    let e = Pattern::parse(input).unwrap_err();
    assert_eq!(
        e.render(input),
        "error[E102]: the kernel stops storing the pattern at a NUL byte\n\
         \x20 |\n\
         \x20 | core\\0x\n\
         \x20 |     ^^\n\
         \x20 = help: remove the NUL byte\n"
    );
}

#[test]
fn err_render_too_long() {
    let input = prefixed_a(b"", 130);
    let e = Pattern::parse(&input).unwrap_err();
    let want = format!(
        "error[E100]: pattern is 130 bytes; the kernel keeps only the first 127\n\
         \x20 |\n\
         \x20 | {}\n\
         \x20 | {}^^^\n\
         \x20 = help: shorten the pattern to 127 bytes: use a shorter directory, or %e/%f instead of %E\n",
        "a".repeat(130),
        " ".repeat(127)
    );
    assert_eq!(e.render(&input), want);
}

#[test]
fn err_render_caret_under_non_utf8() {
    // A lone 0xff, then a newline: the newline's caret sits after the
    // 4-column `\xff`.
    let input = b"ab\xff\ncd";
    let e: ParseError = Pattern::parse(input).unwrap_err();
    assert_eq!(e.span().range(), 3..4);
    let r = e.render(input);
    assert!(r.contains("  | ab\\xff\\ncd\n  |       ^^\n"), "{r}");
}

// ---------------------------------------------------------------------------
// Kernel versions

#[test]
fn kv_parse_ok() {
    for (s, want) in [
        ("6.18.15", KernelVersion::new(6, 18, 15)),
        ("7.3.4", KernelVersion::new(7, 3, 4)),
        ("6.1.0-56-cloud-amd64", KernelVersion::new(6, 1, 0)),
        ("6.17-rc3", KernelVersion::rc(6, 17, 3)),
        ("6.17.0-rc3+", KernelVersion::rc(6, 17, 3)),
        ("5.15", KernelVersion::new(5, 15, 0)),
        ("6.1.192", KernelVersion::new(6, 1, 192)),
        ("6.12.117", KernelVersion::new(6, 12, 117)),
        ("6.8.0-45-generic", KernelVersion::new(6, 8, 0)),
        ("4.18.0-553.el8_10.x86_64", KernelVersion::new(4, 18, 0)),
        ("6.16.12+deb13-cloud-amd64", KernelVersion::new(6, 16, 12)),
    ] {
        assert_eq!(KernelVersion::parse(s), Ok(want), "{s}");
        assert_eq!(s.parse::<KernelVersion>(), Ok(want), "{s}");
        assert_eq!(
            KernelProfile::parse(s).map(|k| k.version()),
            Ok(want),
            "{s}"
        );
    }
    let v = KernelVersion::parse("6.17-rc3").unwrap();
    assert_eq!((v.major, v.minor, v.patch, v.rc), (6, 17, 0, Some(3)));
}

#[test]
fn kv_parse_errors() {
    for s in [
        "",
        "linux",
        "6",
        "6.x",
        "6.",
        "x.1",
        ".6.1",
        "-6.1",
        " 6.1",
        "v6.1",
        "6.1.",
        "6.17-rc",
        "70000.1",
        "6.70000",
        "6.1.4294967296",
    ] {
        assert!(KernelVersion::parse(s).is_err(), "{s:?} should fail");
        assert!(KernelProfile::parse(s).is_err(), "{s:?} should fail");
    }
    assert_eq!(
        KernelVersion::parse("linux").unwrap_err().to_string(),
        "invalid kernel release \"linux\": expected MAJOR.MINOR[.PATCH] as `uname -r` prints it, e.g. `6.18.15` or `6.1.0-56-cloud-amd64`"
    );
}

#[test]
fn kv_order_and_display() {
    let rc3 = KernelVersion::rc(6, 17, 3);
    let rc4 = KernelVersion::rc(6, 17, 4);
    let v0 = KernelVersion::new(6, 17, 0);
    let v5 = KernelVersion::new(6, 17, 5);
    assert!(rc3 < rc4 && rc4 < v0 && v0 < v5);
    assert!(KernelVersion::new(6, 16, 12) < rc3);
    assert!(KernelVersion::new(6, 9, 0) < KernelVersion::new(6, 10, 0));
    assert!(KernelVersion::new(7, 0, 0) > KernelVersion::new(6, 99, 99));
    assert!(v5.at_least(v0) && v0.at_least(rc3) && !rc3.at_least(v0));
    assert_eq!(rc3.to_string(), "6.17-rc3");
    assert_eq!(KernelVersion::new(6, 1, 0).to_string(), "6.1.0");
    assert_eq!(
        KernelVersion::parse("6.1.0-56-cloud-amd64")
            .unwrap()
            .to_string(),
        "6.1.0"
    );
}

#[test]
fn kv_profiles() {
    let k = kernel("6.1.192");
    assert!(!k.has(Feature::SpecCpu));
    assert!(!k.has(Feature::SpecPidfd));
    let deb = k.with_feature(Feature::SpecPidfd);
    assert!(deb.has(Feature::SpecPidfd));
    assert_eq!(deb.backports().collect::<Vec<_>>(), [Feature::SpecPidfd]);
    assert_eq!(deb.to_string(), "6.1.192 (+spec-pidfd)");
    assert_eq!(k.to_string(), "6.1.192");
    assert!(kernel("6.2.0").has(Feature::SpecCpu));
    assert!(!kernel("5.2.0").has(Feature::PipeSplitBeforeExpand));
    assert!(kernel("5.3.0").has(Feature::PipeSplitBeforeExpand));
    assert!(!kernel("4.4.0").has(Feature::EscapeDotNames));
    assert!(kernel("4.6.0").has(Feature::EscapeDotNames));
    assert!(!kernel("6.15.11").has(Feature::SocketMode));
    assert!(kernel("6.16.0").has(Feature::SocketMode));
    assert!(!kernel("6.16.12").has(Feature::SocketRequestMode));
    assert!(kernel("6.17.0").has(Feature::SocketRequestMode));
    assert!(
        !latest()
            .without_feature(Feature::SpecCpu)
            .has(Feature::SpecCpu)
    );
    assert_eq!(Feature::from_name("%F"), Some(Feature::SpecPidfd));
    assert_eq!(Feature::from_name("%C"), Some(Feature::SpecCpu));
    assert_eq!(Feature::from_name("spec-pidfd"), Some(Feature::SpecPidfd));
    assert_eq!(Feature::from_name("%p"), None);
    assert_eq!(Feature::from_name("nope"), None);
    assert_eq!(latest().rlim_infinity(), u64::MAX);
}

#[test]
fn kv_socket_check_timing() {
    use core_pattern::SocketCheck;
    for (release, want) in [
        ("6.15.0", SocketCheck::Never),
        ("6.16.0", SocketCheck::WriteAndRead),
        ("6.16.7", SocketCheck::WriteAndRead),
        ("6.16.8", SocketCheck::ReadOnly),
        ("6.16.12", SocketCheck::ReadOnly),
        ("6.17-rc1", SocketCheck::WriteAndRead),
        ("6.17-rc4", SocketCheck::WriteAndRead),
        ("6.17.0", SocketCheck::ReadOnly),
        ("6.17.4", SocketCheck::ReadOnly),
        ("6.17.5", SocketCheck::Write),
        ("6.17.13", SocketCheck::Write),
        ("6.18-rc2", SocketCheck::Write),
        ("6.18.15", SocketCheck::Write),
        ("7.3.4", SocketCheck::Write),
    ] {
        assert_eq!(kernel(release).socket_check(), want, "{release}");
    }
}

// ---------------------------------------------------------------------------
// Signals

#[test]
fn sig_parse() {
    for (s, n) in [
        ("11", 11),
        ("SIGSEGV", 11),
        ("SEGV", 11),
        ("segv", 11),
        ("SigSegv", 11),
        ("SIGABRT", 6),
        ("SIGIOT", 6),
        ("iot", 6),
        ("SIGPOLL", 29),
        ("SIGIO", 29),
        ("SIGSYS", 31),
        ("QUIT", 3),
        ("15", 15),
        ("64", 64),
    ] {
        assert_eq!(s.parse::<Signal>(), Ok(Signal::new(n)), "{s}");
    }
    for s in ["", "SIG", "SIGFOO", "-1", "sig segv", "11x", "4294967296"] {
        assert!(s.parse::<Signal>().is_err(), "{s:?} should fail");
    }
    assert_eq!(
        "SIGFOO".parse::<Signal>().unwrap_err().to_string(),
        "unknown signal \"SIGFOO\": give a number (11) or a name (SIGSEGV, SEGV)"
    );
}

#[test]
fn sig_names_and_actions() {
    assert_eq!(Signal::SIGSEGV.number(), 11);
    assert_eq!(Signal::SIGABRT.number(), 6);
    assert_eq!(Signal::new(11).name(), Some("SIGSEGV"));
    assert_eq!(Signal::new(11).to_string(), "SIGSEGV");
    assert_eq!(Signal::new(40).name(), None);
    assert_eq!(Signal::new(40).to_string(), "signal 40");
    assert_eq!(Signal::new(40).default_action(), DefaultAction::Term);
    assert_eq!(Signal::new(15).default_action(), DefaultAction::Term);
    assert_eq!(Signal::new(17).default_action(), DefaultAction::Ign);
    assert_eq!(Signal::new(19).default_action(), DefaultAction::Stop);
    assert_eq!(Signal::new(18).default_action(), DefaultAction::Cont);
    assert!(Signal::new(3).dumps_core());
    assert!(!Signal::new(15).dumps_core());
    assert!(!Signal::new(0).dumps_core());
}

// ---------------------------------------------------------------------------
// Reasons and errors: stable names and codes

#[test]
fn reason_codes_pinned() {
    let cases = [
        (
            NoDumpReason::SignalNotCore {
                signal: Signal::new(15),
            },
            "signal-not-core",
            200,
        ),
        (NoDumpReason::NotDumpable, "not-dumpable", 201),
        (NoDumpReason::EmptyPipe, "empty-pipe", 202),
        (
            NoDumpReason::ExePathTooLong { len: 4096 },
            "exe-path-too-long",
            203,
        ),
        (
            NoDumpReason::SocketInvalid(SocketProblem::Empty),
            "socket-invalid",
            204,
        ),
        (
            NoDumpReason::CoreLimitBelowPage { limit: 0 },
            "core-limit-below-page",
            205,
        ),
        (NoDumpReason::SuidNeedsAbsolute, "suid-needs-absolute", 206),
        (NoDumpReason::EmptyName, "empty-name", 207),
        (NoDumpReason::NameTooLong { len: 256 }, "name-too-long", 208),
        (
            NoDumpReason::PathTooLong { len: 4096 },
            "path-too-long",
            209,
        ),
        (NoDumpReason::PipeRlimitOne, "pipe-rlimit-one", 210),
        (NoDumpReason::HelperNotAbsolute, "helper-not-absolute", 211),
    ];
    for (reason, name, code) in cases {
        assert_eq!(reason.name(), name);
        assert_eq!(reason.code(), code);
        assert_eq!(ExpandError::NoDump(reason.clone()).code(), code);
    }
    assert_eq!(ExpandError::BufferTooSmall { required: 1 }.code(), 901);
    assert_eq!(ExpandError::NotFileMode { mode: Mode::Pipe }.code(), 250);
    assert_eq!(
        Outcome::NoDump {
            reason: NoDumpReason::EmptyName
        }
        .kind(),
        "none"
    );
    assert_eq!(file("x").kind(), "file");
    assert_eq!(pipe(&[b"/x"], false).kind(), "pipe");
    assert_eq!(socket(b"/x", false).kind(), "socket");
    assert_eq!(
        none(NoDumpReason::EmptyName).no_dump_reason(),
        Some(&NoDumpReason::EmptyName)
    );
    assert_eq!(file("x").no_dump_reason(), None);
}

#[test]
fn expand_into_buffer_too_small_and_not_file() {
    let p = Pattern::parse("/data/dump-a/core-%E-%p-%t").unwrap();
    let want = b"/data/dump-a/core-!usr!bin!myapp-1234-1700000000";
    let mut buf = [0u8; 64];
    let n = p
        .expand_file_name_into(&Settings::default(), &Crash::example(), &mut buf)
        .unwrap();
    assert_eq!(&buf[..n], want);
    for len in [0, 1, want.len() - 1] {
        assert_eq!(
            p.expand_file_name_into(&Settings::default(), &Crash::example(), &mut buf[..len]),
            Err(ExpandError::BufferTooSmall {
                required: want.len()
            }),
            "buffer of {len}"
        );
    }
    let n = p
        .expand_file_name_into(
            &Settings::default(),
            &Crash::example(),
            &mut buf[..want.len()],
        )
        .unwrap();
    assert_eq!(n, want.len());
    let p = Pattern::parse("|/bin/h").unwrap();
    assert_eq!(
        p.expand_file_name_into(&Settings::default(), &Crash::example(), &mut buf),
        Err(ExpandError::NotFileMode { mode: Mode::Pipe })
    );
    let p = Pattern::parse("@@/x").unwrap();
    assert_eq!(
        p.expand_file_name_into(&Settings::default(), &Crash::example(), &mut buf),
        Err(ExpandError::NotFileMode {
            mode: Mode::SocketRequest
        })
    );
}

// ---------------------------------------------------------------------------
// More rules from §2–§6

expands!(
    socket_ignores_core_limit_one,
    b"@/run/cd.sock",
    |c, _s| c.core_limit = CoreLimit::Bytes(1)
    => socket(b"/run/cd.sock", false)
);
expands!(
    socket_suid_dump_needs_nothing_more,
    b"@@/run/cd.sock",
    |c, s| { c.dumpable = 2; s.suid_dumpable = 2; }
    => socket(b"/run/cd.sock", true)
);
expands!(
    pipe_core_limit_two_runs,
    b"|/bin/h %c",
    |c, _s| c.core_limit = CoreLimit::Bytes(2)
    => pipe(&[b"/bin/h", b"2"], false)
);
expands!(
    pipe_many_empty_arguments,
    b"|/bin/h %z %z x"
    => pipe(&[b"/bin/h", b"", b"", b"x"], false)
);
expands!(
    pipe_escaped_empty_value_is_bang,
    b"|/bin/h %e",
    |c, _s| c.comm = b""
    => pipe(&[b"/bin/h", b"!"], false)
);

writes!(
    sysctl_appends_up_to_127,
    latest(), b"core", [prefixed_a(b"/", 99), prefixed_a(b"", 100)], suid 0
    => returns [100, 100], errno None, stored slash_a(126)
);
// A rejected write does not move the file offset (`write(2)` failed), so
// the next chunk starts again at 0.
writes!(
    sysctl_rejected_write_keeps_offset,
    latest(), b"core", [b"@", b"run/x"], suid 0
    => returns [-1, 5], errno EINVAL, stored b"run/x"
);
writes!(
    sysctl_append_checked_as_a_whole,
    latest(), b"core", [b"@/run", b"/../x"], suid 0
    => returns [5, -1], errno EINVAL, stored b"@/run"
);
writes!(
    sysctl_append_socket_path,
    latest(), b"core", [b"@/run", b"/cd.sock\n"], suid 0
    => returns [5, 9], errno None, stored b"@/run/cd.sock"
);

/// Release strings with characters no `uname -r` prints, longer than a
/// release can be, or older than the first kernel with pipe patterns are
/// refused, with a reason (they were read by their numeric prefix).
#[test]
fn releases_a_kernel_cannot_have_are_refused() {
    for (release, why) in [
        ("6.1;rm", "only letters, digits"),
        ("6.1 x", "only letters, digits"),
        ("6.1.0-`id`", "only letters, digits"),
        (&"6.1.0-".repeat(12), "longer than the 64 bytes"),
        ("2.6.0", "before 2.6.19"),
        ("2.4.37", "before 2.6.19"),
    ] {
        let e = KernelProfile::parse(release).unwrap_err();
        assert!(e.to_string().contains(why), "{release}: {e}");
    }
    for release in [
        "2.6.19",
        "6.1.0-56-cloud-amd64",
        "5.15.133.1-microsoft-standard-WSL2",
        "6.5.6-300.fc39.x86_64",
        "6.17.0-rc3+",
        "4.19.157-perf~1",
        "6.6.1-arch1_1",
    ] {
        assert!(KernelProfile::parse(release).is_ok(), "{release}");
    }
}
