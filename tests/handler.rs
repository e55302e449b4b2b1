//! Handler fingerprints: the real-world patterns of kernel.md §8 are
//! recognised and keep their handler's argument contract; broken variants
//! (wrong order, missing arguments, cut at 127 bytes) are reported with what
//! is wrong; unknown helpers are not recognised.

use core_pattern::lint::{self, Handler, fingerprint};
use core_pattern::{KernelProfile, Pattern, Settings};

/// The handler of a stored pattern, for the newest kernel.
#[track_caller]
fn handler(pattern: &str) -> Option<Handler> {
    let p = Pattern::parse(pattern).unwrap_or_else(|e| panic!("{pattern:?}: {e}"));
    fingerprint(&p)
}

/// The handler [`lint`] reports for the bytes as written (it looks at the
/// value the kernel stores).
fn handler_as_written(input: &str, release: &str) -> Option<Handler> {
    lint::check(
        input.as_bytes(),
        &KernelProfile::parse(release).unwrap(),
        &Settings::default(),
    )
    .handler()
    .cloned()
}

/// Every handler name a test saw, to check against `Handler::NAMES`.
fn assert_listed(h: &Handler) {
    assert!(
        Handler::NAMES.contains(&h.name()),
        "{} is not in Handler::NAMES",
        h.name()
    );
}

/// `pattern` is recognised as `name` and keeps its contract.
#[track_caller]
fn assert_ok(pattern: &str, name: &str) {
    let h = handler(pattern).unwrap_or_else(|| panic!("{pattern:?}: not recognised"));
    assert_listed(&h);
    assert_eq!(h.name(), name, "{pattern:?}");
    assert!(h.ok(), "{pattern:?}: {:?}", h.problems());
    assert!(h.problems().is_empty());
    assert!(!h.contract().is_empty());
    let shown = h.to_string();
    assert!(
        shown.starts_with(&format!("handler: {name} — expects ")),
        "{shown}"
    );
    assert!(
        shown.ends_with("ok: the pattern keeps this contract"),
        "{shown}"
    );
    // `lint` agrees on the newest kernel.
    assert_eq!(handler_as_written(pattern, "7.3.4").as_ref(), Some(&h));
}

/// `pattern` is recognised as `name`, breaks its contract, and some problem
/// mentions each of `mentions`.
#[track_caller]
fn assert_broken(pattern: &str, name: &str, mentions: &[&str]) -> Handler {
    let h = handler(pattern).unwrap_or_else(|| panic!("{pattern:?}: not recognised"));
    check_broken(pattern, &h, name, mentions);
    h
}

#[track_caller]
fn check_broken(pattern: &str, h: &Handler, name: &str, mentions: &[&str]) {
    assert_listed(h);
    assert_eq!(h.name(), name, "{pattern:?}");
    assert!(!h.ok(), "{pattern:?} should be broken");
    assert!(!h.problems().is_empty());
    for m in mentions {
        assert!(
            h.problems().iter().any(|p| p.contains(m)),
            "{pattern:?}: no problem mentions {m:?}: {:?}",
            h.problems()
        );
    }
    let shown = h.to_string();
    assert!(shown.contains("\n  BROKEN:\n  - "), "{shown}");
}

/// One-line cases: `ok!(test_name: pattern => "handler");`
macro_rules! ok {
    ($( $test:ident: $pattern:expr => $name:literal; )*) => {
        $(
            #[test]
            fn $test() {
                assert_ok($pattern, $name);
            }
        )*
    };
}

/// One-line cases: `broken!(test_name: pattern => "handler", ["mention", ...]);`
macro_rules! broken {
    ($( $test:ident: $pattern:expr => $name:literal, [$($m:expr),* $(,)?]; )*) => {
        $(
            #[test]
            fn $test() {
                assert_broken($pattern, $name, &[$($m),*]);
            }
        )*
    };
}

// ---------------------------------------------------------------------------
// kernel.md §8: real-world patterns.

const SYSTEMD: &str = "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F";
const IBM_109: &str = "|/var/mnt/core-dump-handler/cdc -c=%c -e=%e -p=%p -s=%s -t=%t -d=/var/mnt/core-dump-handler/cores -h=%h -E=%E";
const IBM_131: &str = "|/var/mnt/core-dump-handler-production/cdc -c=%c -e=%e -p=%p -s=%s -t=%t -d=/var/mnt/core-dump-handler-production/cores -h=%h -E=%E";

ok! {
    systemd_current: SYSTEMD => "systemd-coredump";
    systemd_current_with_global_tid: "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F %I" => "systemd-coredump";
    systemd_before_dumpable: "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h" => "systemd-coredump";
    systemd_with_comm: "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %e" => "systemd-coredump";
    systemd_debian_literal_limit: "|/lib/systemd/systemd-coredump %P %u %g %s %t 9223372036854775808 %h" => "systemd-coredump";
    systemd_minimal_six: "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c" => "systemd-coredump";

    apport_current: "|/usr/share/apport/apport -p%p -s%s -c%c -d%d -P%P -u%u -g%g -F%F -- %E" => "apport";
    apport_older_options: "|/usr/share/apport/apport -p%p -s%s -c%c -d%d -P%P -u%u -g%g -- %E" => "apport";
    apport_positional: "|/usr/share/apport/apport %p %s %c %d %P %E" => "apport";
    apport_positional_without_exe: "|/usr/share/apport/apport %p %s %c %d %P" => "apport";

    abrt_comm_tid: "|/usr/libexec/abrt-hook-ccpp %s %c %p %u %g %t %e %i" => "abrt";
    abrt_literal_e_tid: "|/usr/libexec/abrt-hook-ccpp %s %c %p %u %g %t e %i" => "abrt";
    abrt_rhel7: "|/usr/libexec/abrt-hook-ccpp %s %c %p %u %g %t e %P %I %h" => "abrt";
    abrt_literal_e: "|/usr/libexec/abrt-hook-ccpp %s %c %p %u %g %t e" => "abrt";

    ibm_default: IBM_109 => "ibm-core-dump-handler";

    chromeos: "|/sbin/crash_reporter --user=%P:%s:%u:%g:%e" => "chromeos-crash-reporter";
    chromeos_exe_name: "|/sbin/crash_reporter --user=%P:%s:%u:%g:%f" => "chromeos-crash-reporter";

    systemd_early_boot: "|/bin/false" => "systemd-early-boot";

    systemd_socket: "@/run/systemd/coredump" => "systemd-coredump-socket";
    systemd_socket_request: "@@/run/systemd/coredump" => "systemd-coredump-socket";
}

#[test]
fn real_world_lengths_match_kernel_md() {
    assert_eq!(SYSTEMD.len(), 61);
    assert_eq!(
        "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h".len(),
        55
    );
    assert_eq!(
        "|/lib/systemd/systemd-coredump %P %u %g %s %t 9223372036854775808 %h".len(),
        68
    );
    assert_eq!(
        "|/usr/share/apport/apport -p%p -s%s -c%c -d%d -P%P -u%u -g%g -F%F -- %E".len(),
        71
    );
    assert_eq!(IBM_109.len(), 109);
    assert_eq!(IBM_131.len(), 131);
    assert_eq!("|/bin/false".len(), 11);
}

#[test]
fn socket_handlers_need_socket_mode() {
    // 6.16+ for `@`, 6.17+ for `@@`.
    assert_eq!(
        handler_as_written("@/run/systemd/coredump", "6.16.12").map(|h| h.name()),
        Some("systemd-coredump-socket")
    );
    assert_eq!(
        handler_as_written("@@/run/systemd/coredump", "6.17.13").map(|h| h.name()),
        Some("systemd-coredump-socket")
    );
    // Before 6.16 `@...` is a relative file name.
    assert_eq!(
        handler_as_written("@/run/systemd/coredump", "6.12.117"),
        None
    );
    assert_eq!(
        handler_as_written("@@/run/systemd/coredump", "6.12.117"),
        None
    );
    // On 6.16 `@@/x` is `@` with the path `@/x`: not systemd's socket.
    assert_eq!(
        handler_as_written("@@/run/systemd/coredump", "6.16.12"),
        None
    );
}

#[test]
fn systemd_with_pidfd_backport_on_debian_kernels() {
    for release in ["6.1.192", "6.12.117", "6.16.12", "7.3.4"] {
        let h = handler_as_written(SYSTEMD, release).unwrap();
        assert_eq!((h.name(), h.ok()), ("systemd-coredump", true), "{release}");
    }
}

// ---------------------------------------------------------------------------
// Broken variants.

broken! {
    systemd_five_arguments: "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t"
        => "systemd-coredump", ["at least 6 arguments", "gives 5"];
    systemd_namespace_pid_first: "|/usr/lib/systemd/systemd-coredump %p %u %g %s %t %e"
        => "systemd-coredump", ["%p", "global PID", "%P"];
    systemd_wrong_order: "|/usr/lib/systemd/systemd-coredump %P %g %u %s %t %c %h"
        => "systemd-coredump", ["argument 2 is `%g`", "argument 3 is `%u`"];
    systemd_extra_argument: "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F %x"
        => "systemd-coredump", ["argument 10 (`%x`)"];

    apport_without_exe: "|/usr/share/apport/apport -p%p -s%s -c%c -d%d -P%P -u%u -g%g"
        => "apport", ["-- %E"];
    apport_comm_after_dashdash: "|/usr/share/apport/apport -p%p -s%s -c%c -d%d -P%P -- %e"
        => "apport", ["exactly `%E` after `--`"];
    apport_missing_global_pid: "|/usr/share/apport/apport -p%p -s%s -c%c -d%d -- %E"
        => "apport", ["-P%P"];
    apport_wrong_option_value: "|/usr/share/apport/apport -p%P -s%s -c%c -d%d -P%P -- %E"
        => "apport", ["`-p%P`", "-p%p"];
    apport_positional_too_few: "|/usr/share/apport/apport %p %s %c %d"
        => "apport", ["at least 5 arguments"];

    abrt_missing_exe: "|/usr/libexec/abrt-hook-ccpp %s %c %p %u %g %t"
        => "abrt", ["at least 7 arguments", "gives 6"];
    abrt_wrong_order: "|/usr/libexec/abrt-hook-ccpp %c %s %p %u %g %t %e"
        => "abrt", ["argument 1 is `%c`"];

    ibm_missing_exe_path: "|/var/mnt/core-dump-handler/cdc -c=%c -e=%e -p=%p -s=%s -t=%t -d=/var/mnt/core-dump-handler/cores -h=%h"
        => "ibm-core-dump-handler", ["-E=%E"];
    ibm_wrong_value_and_no_dir: "|/var/mnt/core-dump-handler/cdc -c=%c -e=%e -p=%P -s=%s -t=%t -d= -h=%h -E=%E"
        => "ibm-core-dump-handler", ["`-p=%P`", "-p=%p", "no core directory"];

    chromeos_namespace_pid: "|/sbin/crash_reporter --user=%p:%s:%u:%g:%e"
        => "chromeos-crash-reporter", ["--user=%p:%s:%u:%g:%e", "--user=%P:%s:%u:%g:%e"];
    chromeos_missing_field: "|/sbin/crash_reporter --user=%P:%s:%u:%g"
        => "chromeos-crash-reporter", ["--user=%P:%s:%u:%g:%e"];
    chromeos_no_user: "|/sbin/crash_reporter"
        => "chromeos-crash-reporter", ["lacks"];
}

/// The old `sysctl.d/coredump.conf.in` form is broken by design: `%p` is the
/// PID in the crashing process's namespace, and systemd-coredump looks the
/// process up by the global PID.
#[test]
fn systemd_old_namespace_pid_form_names_the_global_pid() {
    let h = assert_broken(
        "|/usr/lib/systemd/systemd-coredump %p %u %g %s %t %e",
        "systemd-coredump",
        &[],
    );
    assert!(
        h.problems()
            .iter()
            .any(|p| p.contains("%p is the PID inside the crashing process's namespace")),
        "{:?}",
        h.problems()
    );
}

/// A systemd pattern behind a long helper path: the kernel keeps 127 bytes,
/// and systemd-coredump gets only `%P %u %g`.
#[test]
fn systemd_cut_at_127_bytes_is_broken() {
    let input = format!(
        "|/opt/{}/systemd-coredump %P %u %g %s %t %c %h %d %F",
        "x".repeat(95)
    );
    assert_eq!(input.len(), 145);
    // As written, the pattern is fine; the kernel's cut breaks it.
    let full = Pattern::parse(&input);
    assert!(full.is_err(), "over 127 bytes does not parse");
    let h = handler_as_written(&input, "7.3.4").expect("recognised after the cut");
    check_broken(
        &input,
        &h,
        "systemd-coredump",
        &["at least 6 arguments", "gives 3", "cut at 127 bytes"],
    );
    // The same contract on the stored value directly.
    assert_eq!(handler(&input[..127]), Some(h));
}

/// A cut that only loses the optional `%d %F` keeps the contract; a cut
/// through `%h` leaves a `%` where the hostname was.
#[test]
fn systemd_cut_keeps_or_breaks_the_contract() {
    // 127 bytes end right after `%h`.
    let input = format!(
        "|/opt/{}/systemd-coredump %P %u %g %s %t %c %h %d %F",
        "x".repeat(83)
    );
    assert_eq!(&input[..127][124..], " %h");
    let h = handler_as_written(&input, "7.3.4").unwrap();
    assert!(h.ok(), "{:?}", h.problems());

    // 127 bytes end in the middle of `%h`.
    let input = format!(
        "|/opt/{}/systemd-coredump %P %u %g %s %t %c %h %d %F",
        "x".repeat(84)
    );
    assert_eq!(&input[..127][125..], " %");
    let h = handler_as_written(&input, "7.3.4").unwrap();
    check_broken(&input, &h, "systemd-coredump", &["argument 7 is `%`"]);
}

/// IBM core-dump-handler with longer directories: 131 bytes, the kernel
/// drops `E=%E`, and `cdc` never gets `-E=%E`.
#[test]
fn ibm_cut_at_127_bytes_loses_the_exe_path() {
    let h = handler_as_written(IBM_131, "7.3.4").expect("recognised after the cut");
    check_broken(
        IBM_131,
        &h,
        "ibm-core-dump-handler",
        &["-E=%E", "cut at 127 bytes"],
    );
    assert_eq!(h.problems().len(), 1, "{:?}", h.problems());
    // Every other key survives the cut.
    assert_eq!(handler(&IBM_131[..127]), Some(h));
}

/// apport's current pattern behind a long install prefix loses `-- %E`.
#[test]
fn apport_cut_at_127_bytes_loses_the_exe_path() {
    let input = format!(
        "|/opt/{}/apport -p%p -s%s -c%c -d%d -P%P -u%u -g%g -F%F -- %E",
        "x".repeat(74)
    );
    assert_eq!(input.len(), 133);
    assert!(input[..127].ends_with(" -F%F"));
    let h = handler_as_written(&input, "7.3.4").unwrap();
    check_broken(&input, &h, "apport", &["-- %E"]);
}

// ---------------------------------------------------------------------------
// Not recognised.

#[test]
fn unknown_helpers_and_other_modes_are_not_recognised() {
    for p in [
        "|/usr/local/bin/myhandler %P %u %g %s %t %c %h",
        "|/usr/bin/false",
        "|/bin/false %p",
        "|/bin/true",
        "|/usr/lib/systemd/systemd-coredumpx %P %u %g %s %t %c %h",
        "|/usr/lib/systemd/systemd-coredump.sh %P %u %g %s %t %c %h",
        "|/usr/share/apport/apport-wrapper %p %s %c %d %P %E",
        "|/usr/libexec/abrt-hook-ccppx %s %c %p %u %g %t %e",
        "|/opt/cdc2 -c=%c",
        "|/sbin/crash_reporter2 --user=%P:%s:%u:%g:%e",
        "|",
        "| ",
        "/var/crash/core.%p",
        "/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h",
        "core",
        "",
        "@/run/other.sock",
        "@/tmp/systemd/coredump",
    ] {
        assert_eq!(handler(p), None, "{p:?}");
    }
}

#[test]
fn leading_whitespace_makes_a_file_pattern() {
    // ` |/bin/false` is a relative file name, not a pipe (kernel.md §0).
    assert_eq!(handler_as_written(" |/bin/false", "7.3.4"), None);
    assert_eq!(
        handler_as_written(
            " |/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h",
            "7.3.4"
        ),
        None
    );
}

#[test]
fn whitespace_after_the_pipe_is_skipped() {
    // The kernel skips whitespace after `|`; the helper and arguments are
    // the same.
    let h = handler("|  /usr/lib/systemd/systemd-coredump  %P %u\t%g %s %t %c %h").unwrap();
    assert_eq!(
        (h.name(), h.ok()),
        ("systemd-coredump", true),
        "{:?}",
        h.problems()
    );
}

// ---------------------------------------------------------------------------
// Names.

#[test]
fn names_are_unique_and_listed() {
    let mut seen = std::collections::HashSet::new();
    for n in Handler::NAMES {
        assert!(seen.insert(n), "duplicate {n}");
        assert!(
            n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{n} is not kebab-case"
        );
    }
}

#[test]
fn every_name_is_returned_by_some_pattern() {
    let patterns = [
        SYSTEMD,
        "|/usr/share/apport/apport %p %s %c %d %P %E",
        "|/usr/libexec/abrt-hook-ccpp %s %c %p %u %g %t e",
        IBM_109,
        "|/sbin/crash_reporter --user=%P:%s:%u:%g:%e",
        "|/bin/false",
        "@/run/systemd/coredump",
    ];
    let returned: Vec<&str> = patterns
        .iter()
        .map(|p| handler(p).unwrap_or_else(|| panic!("{p}")).name())
        .collect();
    let mut listed = Handler::NAMES.to_vec();
    listed.sort_unstable();
    let mut got = returned.clone();
    got.sort_unstable();
    assert_eq!(got, listed);
}

#[test]
fn broken_display_lists_every_problem() {
    let h = handler("|/usr/lib/systemd/systemd-coredump %p %u %g %s %t %e").unwrap();
    let shown = h.to_string();
    assert!(
        shown.starts_with("handler: systemd-coredump — expects `%P %u %g %s %t %c %h [%d %F]`")
    );
    for p in h.problems() {
        assert!(shown.contains(&format!("\n  - {p}")), "{shown}");
    }
}

// ---------------------------------------------------------------------------
// Older forms from kernel.md §8 that an older handler version read, checked
// against the current handler's contract (as the `%p` form above is): they
// are recognised, and reported broken for today's handler.

/// systemd before `%c` (0c00bda27c6d) read `%e` as argument 6; today's
/// systemd-coredump reads the core size limit there.
#[test]
fn systemd_pre_core_limit_form_is_recognised() {
    let h = assert_broken(
        "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %e",
        "systemd-coredump",
        &["argument 6 is `%e`"],
    );
    assert_eq!(h.problems().len(), 1, "{:?}", h.problems());
}

/// ABRT's older `%t %h %e <hex old pattern>` form: today's abrt-hook-ccpp
/// reads argument 7 as the executable name.
#[test]
fn abrt_older_hostname_comm_form_is_recognised() {
    let h = assert_broken(
        "|/usr/libexec/abrt-hook-ccpp %s %c %p %u %g %t %h %e 636f726500",
        "abrt",
        &["argument 7 is `%h`", "executable name"],
    );
    assert_eq!(h.problems().len(), 1, "{:?}", h.problems());
}

#[test]
fn a_relative_helper_breaks_any_handler() {
    let h = assert_broken(
        "|systemd-coredump %P %u %g %s %t %c %h",
        "systemd-coredump",
        &["not an absolute path"],
    );
    assert_eq!(h.problems().len(), 1);
}

#[test]
fn an_invalid_systemd_socket_is_broken() {
    assert_broken(
        "@/run/systemd/a b",
        "systemd-coredump-socket",
        &["contains a space"],
    );
    assert_broken("@/run/systemd/../x", "systemd-coredump-socket", &["`..`"]);
    assert_ok("@/run/systemd/coredump", "systemd-coredump-socket");
}
