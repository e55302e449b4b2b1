//! Lints: every `LintKind` fires on some input and stays quiet on a close
//! one, with its exact name, severity and span; the names and codes are
//! stable; spans stay inside the input; `Pattern::lints` agrees with `lint`;
//! and the JSON that `corepat lint --format json` prints keeps its shape.
//!
//! Inputs are the bytes as written to `/proc/sys/kernel/core_pattern`
//! (kernel.md §0, §2, §3, §4, §5).

#[path = "../src/bin/corepat/json.rs"]
#[allow(dead_code)]
mod json;

use core_pattern::lint::{self, Lint, LintKind, LintReport, Severity};
use core_pattern::{Feature, KernelProfile, Mode, ParseOptions, Settings, Span, stored_value};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::Value;

// ---------------------------------------------------------------------------
// Helpers

/// `core_uses_pid=0`, `suid_dumpable=0`.
const DEFAULT: Settings = Settings::new()
    .with_core_uses_pid(false)
    .with_suid_dumpable(0)
    .with_core_pipe_limit(0);

/// `core_uses_pid=1`.
const USES_PID: Settings = Settings::new()
    .with_core_uses_pid(true)
    .with_suid_dumpable(0)
    .with_core_pipe_limit(0);

/// `fs.suid_dumpable=2`.
const SUID2: Settings = Settings::new()
    .with_core_uses_pid(false)
    .with_suid_dumpable(2)
    .with_core_pipe_limit(0);

/// IBM core-dump-handler with `HOST_DIR`/`CORE_DIR` under
/// `/var/mnt/core-dump-handler-production`: 131 bytes, so the kernel keeps
/// `... -h=%h -` and drops `E=%E` (kernel.md §8).
const IBM_131: &str = "|/var/mnt/core-dump-handler-production/cdc -c=%c -e=%e -p=%p -s=%s -t=%t -d=/var/mnt/core-dump-handler-production/cores -h=%h -E=%E";

/// The default IBM pattern: 109 bytes, stored whole.
const IBM_109: &str = "|/var/mnt/core-dump-handler/cdc -c=%c -e=%e -p=%p -s=%s -t=%t -d=/var/mnt/core-dump-handler/cores -h=%h -E=%E";

/// The current systemd pattern (kernel.md §8).
const SYSTEMD: &str = "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F";

/// The kernel profile of a release.
#[track_caller]
fn k(release: &str) -> KernelProfile {
    KernelProfile::parse(release).unwrap()
}

/// The newest behaviour.
fn latest() -> KernelProfile {
    KernelProfile::latest()
}

/// systemd-coredump behind a helper path long enough that the kernel's
/// 127-byte cut lands right after `%g`: 145 bytes.
fn systemd_long() -> String {
    format!(
        "|/opt/{}/systemd-coredump %P %u %g %s %t %c %h %d %F",
        "x".repeat(95)
    )
}

/// `write-128-cuts-specifier`: 128 bytes ending in `%p`; the kernel keeps
/// the `%` and drops the `p`.
fn cuts_specifier() -> String {
    format!("/tmp/cores/{}%p", "L".repeat(115))
}

/// Shows the lints of a report, for failure messages.
fn show(r: &LintReport) -> String {
    r.lints()
        .iter()
        .map(|l| {
            format!(
                "\n  {} {} {}: {}",
                l.name(),
                l.severity(),
                l.span(),
                l.message()
            )
        })
        .collect()
}

/// The lints named `name`, after checking that `name` is a real lint name.
#[track_caller]
fn named<'a>(r: &'a LintReport, name: &str) -> Vec<&'a Lint> {
    let kind = LintKind::from_name(name).unwrap_or_else(|| panic!("{name:?} is no lint name"));
    let found: Vec<&Lint> = r.lints().iter().filter(|l| l.name() == name).collect();
    for l in &found {
        assert_eq!(l.kind(), kind);
        assert_eq!(l.code(), kind.code());
    }
    found
}

/// `name` fires exactly once, with `severity` and `span`.
#[track_caller]
fn assert_fires(
    input: &[u8],
    kernel: KernelProfile,
    settings: Settings,
    name: &str,
    severity: Severity,
    span: std::ops::Range<u32>,
) -> LintReport {
    let r = lint::check(input, &kernel, &settings);
    let found = named(&r, name);
    assert_eq!(
        found.len(),
        1,
        "{name} on {:?} (kernel {kernel}): expected once; lints:{}",
        String::from_utf8_lossy(input),
        show(&r)
    );
    let l = found[0];
    assert_eq!(
        (l.severity(), l.span()),
        (severity, Span::new(span.start, span.end)),
        "{name} on {:?} (kernel {kernel}); lints:{}",
        String::from_utf8_lossy(input),
        show(&r)
    );
    assert!(!l.message().is_empty() && !l.help().is_empty());
    r
}

/// `name` does not fire.
#[track_caller]
fn assert_quiet(input: &[u8], kernel: KernelProfile, settings: Settings, name: &str) {
    let r = lint::check(input, &kernel, &settings);
    assert!(
        named(&r, name).is_empty(),
        "{name} fired on {:?} (kernel {kernel}); lints:{}",
        String::from_utf8_lossy(input),
        show(&r)
    );
}

/// One-line cases where a lint fires:
/// `fires!(test_name, input, kernel, settings => "lint-name", Severity, start..end);`
/// Also defines `FIRES`, the lint names covered.
macro_rules! fires {
    ($( $test:ident, $input:expr, $kernel:expr, $settings:expr => $lint:literal, $sev:ident, $span:expr; )*) => {
        $(
            #[test]
            fn $test() {
                let input = $input;
                let input: &[u8] = input.as_ref();
                assert_fires(input, $kernel, $settings, $lint, Severity::$sev, $span);
            }
        )*
        const FIRES: &[&str] = &[$($lint),*];
    };
}

/// One-line cases where a lint stays quiet:
/// `quiet!(test_name, input, kernel, settings => "lint-name");`
/// Also defines `QUIET`, the lint names covered.
macro_rules! quiet {
    ($( $test:ident, $input:expr, $kernel:expr, $settings:expr => $lint:literal; )*) => {
        $(
            #[test]
            fn $test() {
                let input = $input;
                let input: &[u8] = input.as_ref();
                assert_quiet(input, $kernel, $settings, $lint);
            }
        )*
        const QUIET: &[&str] = &[$($lint),*];
    };
}

// ---------------------------------------------------------------------------
// Every lint fires ...

fires! {
    // truncated: the kernel keeps 127 bytes (§4).
    truncated_ibm_131, IBM_131, latest(), DEFAULT => "truncated", Error, 127..131;
    truncated_systemd_long, systemd_long(), latest(), DEFAULT => "truncated", Error, 127..145;
    truncated_cuts_specifier, cuts_specifier(), k("6.18.15"), DEFAULT => "truncated", Error, 127..128;
    truncated_before_trailing_newline, format!("/{}\n", "a".repeat(127)), latest(), DEFAULT => "truncated", Error, 127..128;

    // cut-at-newline: storage stops at `\n` or NUL (§0, §6.1).
    cut_at_newline_middle, "/var/crash/core.%e.%P.%t\nx", latest(), DEFAULT => "cut-at-newline", Error, 24..26;
    cut_at_nul, b"/var/crash/core.%P\0.%t", latest(), DEFAULT => "cut-at-newline", Error, 18..22;
    cut_at_second_newline, "/c/core.%t\n\n", latest(), DEFAULT => "cut-at-newline", Error, 10..12;

    // unknown-specifier: no kernel knows `%y`.
    unknown_specifier, "/c/core.%y.%t", latest(), DEFAULT => "unknown-specifier", Warning, 8..10;
    unknown_specifier_in_pipe_first_token, "|%z /bin/x", latest(), DEFAULT => "unknown-specifier", Warning, 1..3;

    // trailing-percent.
    trailing_percent, "/c/core.%t%", latest(), DEFAULT => "trailing-percent", Warning, 10..11;
    trailing_percent_after_cut, cuts_specifier(), k("6.18.15"), DEFAULT => "trailing-percent", Warning, 126..127;

    // unsupported-specifier: known upstream, not to this kernel (§0).
    unsupported_cpu_on_6_1, "/var/crash/core.%C.%t", k("6.1.192"), DEFAULT => "unsupported-specifier", Warning, 16..18;
    unsupported_pidfd_on_6_12, SYSTEMD, k("6.12.117"), DEFAULT => "unsupported-specifier", Warning, 59..61;
    unsupported_exe_name_on_5_8, "/c/core.%f.%t", k("5.8.0"), DEFAULT => "unsupported-specifier", Warning, 8..10;

    // pidfd-outside-pipe.
    pidfd_outside_pipe, "/c/core.%F.%t", latest(), DEFAULT => "pidfd-outside-pipe", Warning, 8..10;

    // relative-path: a Warning, an Error with suid_dumpable=2 (§7).
    relative_path, "core.%p.%t", latest(), DEFAULT => "relative-path", Warning, 0..5;
    relative_path_suid2, "core.%p.%t", latest(), SUID2 => "relative-path", Error, 0..5;
    relative_path_starts_with_specifier, "%e.%t", latest(), DEFAULT => "relative-path", Warning, 0..2;
    relative_path_socket_before_6_16, "@/run/x", k("6.12.117"), DEFAULT => "relative-path", Warning, 0..7;

    // leading-whitespace: an Error before `|`, else a Warning.
    leading_whitespace_before_pipe, " |/helper", latest(), DEFAULT => "leading-whitespace", Error, 0..1;
    leading_whitespace_before_socket, "\t@/run/x", latest(), DEFAULT => "leading-whitespace", Error, 0..1;
    leading_whitespace_file, "  core", latest(), DEFAULT => "leading-whitespace", Warning, 0..2;

    // quoted-value.
    quoted_value_double, "\"core\"", latest(), DEFAULT => "quoted-value", Warning, 0..1;
    quoted_value_single_unclosed, "'/c/core.%t", latest(), DEFAULT => "quoted-value", Warning, 0..1;

    // no-unique-field: `%%p` is not `%p`.
    no_unique_field, "/data/dump-a/core", latest(), DEFAULT => "no-unique-field", Warning, 0..17;
    no_unique_field_literal_pid, "/c/core.%%p", latest(), DEFAULT => "no-unique-field", Warning, 0..11;

    // pid-not-unique-in-containers.
    pid_not_unique, "/c/core.%p", latest(), DEFAULT => "pid-not-unique-in-containers", Warning, 8..10;

    // comm-truncated.
    comm_truncated, "/c/core.%e.%t", latest(), DEFAULT => "comm-truncated", Info, 8..10;

    // name-too-long-risk: `%E` can exceed NAME_MAX in one component (§4).
    name_too_long_exe_path, "/c/core.%E.%t", latest(), DEFAULT => "name-too-long-risk", Warning, 3..13;
    name_too_long_exe_name, "/c/core.%f.%t", latest(), DEFAULT => "name-too-long-risk", Info, 3..13;

    // specifier-in-directory.
    specifier_in_directory, "/var/%e/core.%t", latest(), DEFAULT => "specifier-in-directory", Warning, 5..7;

    // helper-not-absolute: resolved from `/` of the initial namespaces.
    helper_not_absolute, "|helper", latest(), DEFAULT => "helper-not-absolute", Warning, 1..7;

    // empty-pipe.
    empty_pipe, "|", latest(), DEFAULT => "empty-pipe", Error, 0..1;
    empty_pipe_space, "| ", latest(), DEFAULT => "empty-pipe", Error, 0..2;
    empty_pipe_unknown_only, "|%z", latest(), DEFAULT => "empty-pipe", Error, 0..3;

    // percent-swallows-whitespace (§2.1: `a% b` is one argument `ab`).
    percent_swallows_space_pipe, "|/bin/h a% b", latest(), DEFAULT => "percent-swallows-whitespace", Warning, 9..11;
    percent_swallows_space_file, "/c/core% .%t", latest(), DEFAULT => "percent-swallows-whitespace", Warning, 7..9;

    // empty-argument (§0: `a %z b` gives ["a", "", "b"]).
    empty_argument, "|/bin/h %z", latest(), DEFAULT => "empty-argument", Warning, 8..10;
    empty_argument_middle, "|/bin/h a %z b", latest(), DEFAULT => "empty-argument", Warning, 10..12;
    empty_argument_trailing_percent, "|/bin/h x %", latest(), DEFAULT => "empty-argument", Warning, 10..11;

    // split-before-5.3 (§2.2).
    split_before_5_3, "|/bin/h %e x", k("5.2.0"), DEFAULT => "split-before-5.3", Warning, 8..10;

    // socket-invalid, per release (§3, §6.3).
    socket_relative_6_16_3, "@run/x", k("6.16.3"), DEFAULT => "socket-invalid", Error, 1..6;
    socket_relative_6_16_12, "@run/x", k("6.16.12"), DEFAULT => "socket-invalid", Error, 1..6;
    socket_relative_6_17_2, "@run/x", k("6.17.2"), DEFAULT => "socket-invalid", Error, 1..6;
    socket_relative_6_18_15, "@run/x", k("6.18.15"), DEFAULT => "socket-invalid", Error, 1..6;
    socket_space_6_16_3, "@/tmp/a b", k("6.16.3"), DEFAULT => "socket-invalid", Error, 1..9;
    socket_space_6_16_12, "@/tmp/a b", k("6.16.12"), DEFAULT => "socket-invalid", Error, 1..9;
    socket_space_6_17_2, "@/tmp/a b", k("6.17.2"), DEFAULT => "socket-invalid", Error, 1..9;
    socket_space_6_18_15, "@/tmp/a b", k("6.18.15"), DEFAULT => "socket-invalid", Error, 1..9;
    socket_dotdot_6_16_3, "@/a/../b", k("6.16.3"), DEFAULT => "socket-invalid", Error, 1..8;
    socket_dotdot_6_16_12, "@/a/../b", k("6.16.12"), DEFAULT => "socket-invalid", Error, 1..8;
    socket_dotdot_6_17_2, "@/a/../b", k("6.17.2"), DEFAULT => "socket-invalid", Error, 1..8;
    socket_dotdot_6_18_15, "@/a/../b", k("6.18.15"), DEFAULT => "socket-invalid", Error, 1..8;
    socket_empty, "@", latest(), DEFAULT => "socket-invalid", Error, 1..1;
    socket_108_bytes, format!("@/{}", "a".repeat(107)), latest(), DEFAULT => "socket-invalid", Error, 1..109;
    socket_request_on_6_16_12, "@@/run/x", k("6.16.12"), DEFAULT => "socket-invalid", Error, 1..8;
    socket_request_relative, "@@run/x", latest(), DEFAULT => "socket-invalid", Error, 2..7;

    // socket-no-expansion: `%` is literal in socket paths (§3).
    socket_percent_6_16_3, "@/tmp/%p.sock", k("6.16.3"), DEFAULT => "socket-no-expansion", Warning, 6..8;
    socket_percent_6_16_12, "@/tmp/%p.sock", k("6.16.12"), DEFAULT => "socket-no-expansion", Warning, 6..8;
    socket_percent_6_17_2, "@/tmp/%p.sock", k("6.17.2"), DEFAULT => "socket-no-expansion", Warning, 6..8;
    socket_percent_6_18_15, "@/tmp/%p.sock", k("6.18.15"), DEFAULT => "socket-no-expansion", Warning, 6..8;
    socket_percent_at_end, "@/tmp/x%", latest(), DEFAULT => "socket-no-expansion", Warning, 7..8;
    socket_request_percent, "@@/tmp/%p.sock", latest(), DEFAULT => "socket-no-expansion", Warning, 7..9;

    // socket-unsupported.
    socket_unsupported_6_12, "@/run/x", k("6.12.117"), DEFAULT => "socket-unsupported", Error, 0..1;
    socket_request_unsupported_6_16_12, "@@/run/x", k("6.16.12"), DEFAULT => "socket-unsupported", Error, 0..2;
    socket_request_unsupported_6_12, "@@/run/x", k("6.12.117"), DEFAULT => "socket-unsupported", Error, 0..1;

    // core-uses-pid-suffix: `%P` does not count (§5).
    core_uses_pid_suffix, "/c/core", latest(), USES_PID => "core-uses-pid-suffix", Info, 7..7;
    core_uses_pid_suffix_global_pid, "/c/core.%P", latest(), USES_PID => "core-uses-pid-suffix", Info, 10..10;

    // ambiguous-fields (§9).
    ambiguous_pid_uid, "core.%p%u", latest(), DEFAULT => "ambiguous-fields", Warning, 5..9;
    ambiguous_comm_hostname, "/c/core.%e%h.%t", latest(), DEFAULT => "ambiguous-fields", Warning, 8..12;
    ambiguous_across_dropped_unknown, "/c/core.%p%z%u", latest(), DEFAULT => "ambiguous-fields", Warning, 8..14;
    ambiguous_in_pipe_argument, "|/bin/h %p%u", latest(), DEFAULT => "ambiguous-fields", Warning, 8..12;

    // empty-pattern: a Warning with core_uses_pid=1 (the core is `.PID`).
    empty_pattern, "", latest(), DEFAULT => "empty-pattern", Error, 0..0;
    empty_pattern_from_newline, "\n", latest(), DEFAULT => "empty-pattern", Error, 0..0;
    empty_pattern_uses_pid, "", latest(), USES_PID => "empty-pattern", Warning, 0..0;
}

// ... and stays quiet on a close input.

quiet! {
    quiet_truncated_127, format!("/tmp/cores/{}%p", "L".repeat(114)), latest(), DEFAULT => "truncated";
    quiet_truncated_127_and_newline, format!("/{}\n", "a".repeat(126)), latest(), DEFAULT => "truncated";
    quiet_truncated_ibm_109, IBM_109, latest(), DEFAULT => "truncated";

    quiet_cut_at_trailing_newline, "/var/crash/core.%e.%P.%t\n", latest(), DEFAULT => "cut-at-newline";
    quiet_cut_no_newline, "/var/crash/core.%e.%P.%t", latest(), DEFAULT => "cut-at-newline";

    quiet_unknown_literal_percent, "/c/core.%%y.%t", latest(), DEFAULT => "unknown-specifier";
    quiet_unknown_for_unsupported, "/var/crash/core.%C.%t", k("6.1.192"), DEFAULT => "unknown-specifier";

    quiet_trailing_percent_escaped, "/c/core.%t%%", latest(), DEFAULT => "trailing-percent";

    quiet_unsupported_cpu_on_6_12, "/var/crash/core.%C.%t", k("6.12.117"), DEFAULT => "unsupported-specifier";
    quiet_unsupported_pidfd_backport, SYSTEMD, k("6.12.117").with_feature(Feature::SpecPidfd), DEFAULT => "unsupported-specifier";
    quiet_unsupported_exe_name_on_5_9, "/c/core.%f.%t", k("5.9.0"), DEFAULT => "unsupported-specifier";

    quiet_pidfd_in_pipe, "|/bin/h %F", latest(), DEFAULT => "pidfd-outside-pipe";
    quiet_pidfd_unsupported, "/c/core.%F.%t", k("6.12.117"), DEFAULT => "pidfd-outside-pipe";

    quiet_relative_absolute, "/c/core.%p.%t", latest(), SUID2 => "relative-path";
    quiet_relative_dropped_unknown_first, "%z/c/core.%t", latest(), DEFAULT => "relative-path";
    quiet_relative_pipe, "|/bin/h %p", latest(), SUID2 => "relative-path";
    quiet_relative_socket, "@/run/x", latest(), SUID2 => "relative-path";

    quiet_leading_whitespace_after_pipe, "|  /helper %p", latest(), DEFAULT => "leading-whitespace";
    quiet_leading_whitespace_inside, "/c/core %t", latest(), DEFAULT => "leading-whitespace";

    quiet_quoted_at_end_only, "core\"", latest(), DEFAULT => "quoted-value";
    quiet_quoted_inside, "/c/\"core\".%t", latest(), DEFAULT => "quoted-value";

    quiet_no_unique_time, "/data/dump-a/core.%t", latest(), DEFAULT => "no-unique-field";
    quiet_no_unique_uses_pid, "/data/dump-a/core", latest(), USES_PID => "no-unique-field";
    quiet_no_unique_pipe, "|/bin/h", latest(), DEFAULT => "no-unique-field";

    quiet_pid_with_hostname, "/c/core.%p.%h", latest(), DEFAULT => "pid-not-unique-in-containers";
    quiet_pid_with_time, "/c/core.%p.%t", latest(), DEFAULT => "pid-not-unique-in-containers";
    quiet_pid_with_global_pid, "/c/core.%p.%P", latest(), DEFAULT => "pid-not-unique-in-containers";

    quiet_comm_exe_name, "/c/core.%f.%t", latest(), DEFAULT => "comm-truncated";

    quiet_name_too_long_comm, "/c/core.%e.%t", latest(), DEFAULT => "name-too-long-risk";
    quiet_name_too_long_hostname, "/var/crash/core.%h.%t", latest(), DEFAULT => "name-too-long-risk";
    quiet_name_too_long_pipe, "|/bin/h %E", latest(), DEFAULT => "name-too-long-risk";

    quiet_specifier_in_last_component, "/var/crash/core.%e.%t", latest(), DEFAULT => "specifier-in-directory";
    quiet_literal_percent_in_directory, "/var/100%%/core.%t", latest(), DEFAULT => "specifier-in-directory";

    quiet_helper_absolute, "|/helper", latest(), DEFAULT => "helper-not-absolute";
    quiet_helper_after_dropped_unknown, "|%z /bin/x", latest(), DEFAULT => "helper-not-absolute";

    quiet_empty_pipe_helper, "|/bin/false", latest(), DEFAULT => "empty-pipe";
    quiet_empty_pipe_file, "", latest(), DEFAULT => "empty-pipe";

    quiet_percent_escaped_before_space, "|/bin/h a%% b", latest(), DEFAULT => "percent-swallows-whitespace";
    quiet_percent_before_letter, "|/bin/h a%p b", latest(), DEFAULT => "percent-swallows-whitespace";

    quiet_empty_argument_known, "|/bin/h %p", latest(), DEFAULT => "empty-argument";
    quiet_empty_argument_pidfd_in_pipe, "|/bin/h %F", latest(), DEFAULT => "empty-argument";
    quiet_empty_argument_trailing_space, "|/bin/h x ", latest(), DEFAULT => "empty-argument";

    quiet_split_on_5_3, "|/bin/h %e x", k("5.3.0"), DEFAULT => "split-before-5.3";
    quiet_split_last_argument, "|/bin/h x %e", k("5.2.0"), DEFAULT => "split-before-5.3";

    quiet_socket_valid_6_16_3, "@/run/x", k("6.16.3"), DEFAULT => "socket-invalid";
    quiet_socket_valid_6_16_12, "@/run/x", k("6.16.12"), DEFAULT => "socket-invalid";
    quiet_socket_valid_6_17_2, "@/run/x", k("6.17.2"), DEFAULT => "socket-invalid";
    quiet_socket_valid_6_18_15, "@/run/x", k("6.18.15"), DEFAULT => "socket-invalid";
    quiet_socket_tab_passes, "@/tmp/a\tb", k("6.18.15"), DEFAULT => "socket-invalid";
    quiet_socket_dots_not_component, "@/a..b", k("6.18.15"), DEFAULT => "socket-invalid";
    quiet_socket_107_bytes, format!("@/{}", "a".repeat(106)), latest(), DEFAULT => "socket-invalid";
    quiet_socket_request_6_17_2, "@@/run/x", k("6.17.2"), DEFAULT => "socket-invalid";

    quiet_socket_no_percent, "@/tmp/p.sock", k("6.18.15"), DEFAULT => "socket-no-expansion";
    quiet_socket_percent_file_before_6_16, "@/tmp/%p.sock", k("6.12.117"), DEFAULT => "socket-no-expansion";

    quiet_socket_supported_6_16_3, "@/run/x", k("6.16.3"), DEFAULT => "socket-unsupported";
    quiet_socket_request_supported_6_17_2, "@@/run/x", k("6.17.2"), DEFAULT => "socket-unsupported";

    quiet_core_uses_pid_with_pid, "/c/core.%p", latest(), USES_PID => "core-uses-pid-suffix";
    quiet_core_uses_pid_off, "/c/core", latest(), DEFAULT => "core-uses-pid-suffix";
    quiet_core_uses_pid_pipe, "|/bin/h %e", latest(), USES_PID => "core-uses-pid-suffix";
    quiet_core_uses_pid_socket, "@/run/x", latest(), USES_PID => "core-uses-pid-suffix";

    quiet_ambiguous_separated, "/c/core.%p.%u", latest(), DEFAULT => "ambiguous-fields";
    quiet_ambiguous_dumpable_is_one_digit, "/c/core.%d%p", latest(), DEFAULT => "ambiguous-fields";
    quiet_ambiguous_literal_percent_between, "/c/core.%p%%%u", latest(), DEFAULT => "ambiguous-fields";
    quiet_ambiguous_pipe_arguments, "|/bin/h %p %u", latest(), DEFAULT => "ambiguous-fields";
    quiet_ambiguous_socket, "@/run/%p%u", latest(), DEFAULT => "ambiguous-fields";

    quiet_empty_pattern_nonempty, "/c/core.%t", latest(), DEFAULT => "empty-pattern";
    quiet_empty_pattern_pipe, "|", latest(), DEFAULT => "empty-pattern";
}

#[test]
fn every_lint_kind_fires_and_stays_quiet_somewhere() {
    for kind in LintKind::ALL {
        assert!(
            FIRES.contains(&kind.name()),
            "no fires! case for {}",
            kind.name()
        );
        assert!(
            QUIET.contains(&kind.name()),
            "no quiet! case for {}",
            kind.name()
        );
    }
    for name in FIRES.iter().chain(QUIET) {
        assert!(LintKind::from_name(name).is_some(), "{name:?} is no lint");
    }
}

// ---------------------------------------------------------------------------
// Names and codes: stable public API.

#[test]
fn names_are_the_documented_ones() {
    let names: Vec<&str> = LintKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(
        names,
        [
            "truncated",
            "cut-at-newline",
            "unknown-specifier",
            "trailing-percent",
            "unsupported-specifier",
            "pidfd-outside-pipe",
            "relative-path",
            "leading-whitespace",
            "quoted-value",
            "no-unique-field",
            "pid-not-unique-in-containers",
            "comm-truncated",
            "name-too-long-risk",
            "specifier-in-directory",
            "helper-not-absolute",
            "empty-pipe",
            "percent-swallows-whitespace",
            "empty-argument",
            "split-before-5.3",
            "socket-invalid",
            "socket-no-expansion",
            "socket-unsupported",
            "core-uses-pid-suffix",
            "ambiguous-fields",
            "empty-pattern",
        ]
    );
}

#[test]
fn names_are_unique_kebab_case() {
    let mut seen = std::collections::HashSet::new();
    for kind in LintKind::ALL {
        let name = kind.name();
        assert!(seen.insert(name), "duplicate name {name}");
        assert!(!name.is_empty());
        assert!(!name.starts_with('-') && !name.ends_with('-') && !name.contains("--"));
        // Lower-case words, digits and `.` (as in `split-before-5.3`),
        // joined by `-`.
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'),
            "{name} is not kebab-case"
        );
        assert!(name.as_bytes()[0].is_ascii_lowercase(), "{name}");
        assert_eq!(kind.to_string(), name);
    }
}

#[test]
fn codes_are_unique_in_the_5xx_band_and_in_order() {
    let mut seen = std::collections::HashSet::new();
    for kind in LintKind::ALL {
        let code = kind.code();
        assert!((500..600).contains(&code), "{kind}: {code}");
        assert!(seen.insert(code), "duplicate code {code}");
    }
    let codes: Vec<u32> = LintKind::ALL.iter().map(|k| k.code()).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    assert_eq!(codes, sorted, "ALL is documented to be in code order");
}

#[test]
fn from_name_round_trips() {
    for &kind in LintKind::ALL {
        assert_eq!(LintKind::from_name(kind.name()), Some(kind));
    }
    for bad in [
        "",
        "Truncated",
        "TRUNCATED",
        "truncated ",
        "no_unique_field",
        "split-before-5-3",
        "E500",
        "500",
    ] {
        assert_eq!(LintKind::from_name(bad), None, "{bad:?}");
    }
}

#[test]
fn severity_names_and_order() {
    assert_eq!(
        [Severity::Info, Severity::Warning, Severity::Error].map(Severity::name),
        ["info", "warning", "error"]
    );
    assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
    assert_eq!(Severity::Error.to_string(), "error");
}

// ---------------------------------------------------------------------------
// Messages that carry facts.

#[test]
fn truncated_ibm_names_the_cut_argument() {
    let r = assert_fires(
        IBM_131.as_bytes(),
        latest(),
        DEFAULT,
        "truncated",
        Severity::Error,
        127..131,
    );
    assert_eq!(IBM_131.len(), 131);
    assert!(r.stored().ends_with(b" -h=%h -"), "{:?}", r.stored());
    let msg = named(&r, "truncated")[0].message();
    assert!(msg.contains("131 bytes"), "{msg}");
    assert!(msg.contains(r#"drops "E=%E""#), "{msg}");
    assert!(
        msg.contains(r#"the argument "-E=%E" is cut to "-""#),
        "{msg}"
    );
    assert!(!msg.contains("trailing `%`"), "{msg}");
}

#[test]
fn truncated_systemd_names_the_lost_arguments() {
    let input = systemd_long();
    assert_eq!(input.len(), 145);
    let r = assert_fires(
        input.as_bytes(),
        latest(),
        DEFAULT,
        "truncated",
        Severity::Error,
        127..145,
    );
    assert!(r.stored().ends_with(b"systemd-coredump %P %u %g"));
    let msg = named(&r, "truncated")[0].message();
    assert!(
        msg.contains(r#"the helper loses the arguments "%s" "%t" "%c" "%h" "%d" "%F""#),
        "{msg}"
    );
    assert!(!msg.contains("is cut to"), "{msg}");
    assert!(r.has_errors());
}

#[test]
fn truncated_one_lost_argument_is_singular() {
    // Cut right after `%d`: only `%F` is lost.
    let input = format!(
        "|/opt/{}/systemd-coredump %P %u %g %s %t %c %h %d %F",
        "x".repeat(80)
    );
    assert_eq!(input.len(), 127 + 3);
    let r = lint::check(input.as_bytes(), &latest(), &DEFAULT);
    let msg = named(&r, "truncated")[0].message();
    assert!(
        msg.contains(r#"the helper loses the argument "%F""#),
        "{msg}"
    );
}

#[test]
fn truncation_that_splits_a_specifier_says_so() {
    let input = cuts_specifier();
    assert_eq!(input.len(), 128);
    let r = lint::check(input.as_bytes(), &k("6.18.15"), &DEFAULT);
    assert!(r.stored().ends_with(b"LL%"));
    let msg = named(&r, "truncated")[0].message();
    assert!(msg.contains(r#"drops "p""#), "{msg}");
    assert!(
        msg.contains("the cut splits a specifier, leaving a trailing `%`"),
        "{msg}"
    );
}

#[test]
fn truncation_after_a_complete_literal_percent_does_not_split() {
    // Bytes 125..127 are `%%` (a literal `%`, kept whole); the cut drops
    // only the `x`. The stored value has no trailing lone `%`.
    let input = format!("/tmp/cores/{}%%x", "L".repeat(114));
    assert_eq!(input.len(), 128);
    let r = lint::check(input.as_bytes(), &latest(), &DEFAULT);
    assert!(r.stored().ends_with(b"L%%"));
    assert!(named(&r, "trailing-percent").is_empty());
    let msg = named(&r, "truncated")[0].message();
    assert!(!msg.contains("splits a specifier"), "{msg}");
}

#[test]
fn cut_at_newline_messages() {
    let r = lint::check(b"/var/crash/core.%e.%P.%t\nx", &latest(), &DEFAULT);
    let msg = named(&r, "cut-at-newline")[0].message();
    assert!(msg.contains("a newline (byte 24)"), "{msg}");
    let r = lint::check(b"/var/crash/core.%P\0.%t", &latest(), &DEFAULT);
    let msg = named(&r, "cut-at-newline")[0].message();
    assert!(msg.contains("a NUL byte (byte 18)"), "{msg}");
}

#[test]
fn relative_path_suid2_message_names_the_sysctl() {
    let r = lint::check(b"core.%p.%t", &latest(), &SUID2);
    let msg = named(&r, "relative-path")[0].message();
    assert!(msg.contains("suid_dumpable=2"), "{msg}");
    let r = lint::check(b"core.%p.%t", &latest(), &DEFAULT);
    let msg = named(&r, "relative-path")[0].message();
    assert!(!msg.contains("suid_dumpable"), "{msg}");
}

#[test]
fn leading_whitespace_before_pipe_is_a_file_pattern() {
    let r = lint::check(b" |/helper", &latest(), &DEFAULT);
    assert_eq!(r.pattern().mode(), Mode::File);
    let msg = named(&r, "leading-whitespace")[0].message();
    assert!(msg.contains("FILE pattern"), "{msg}");
    // Without suid_dumpable=2 the relative path is not reported twice.
    assert!(named(&r, "relative-path").is_empty(), "{}", show(&r));
    // With it, it is an error on its own.
    let r = lint::check(b" |/helper", &latest(), &SUID2);
    assert_eq!(named(&r, "relative-path")[0].severity(), Severity::Error);
}

#[test]
fn socket_invalid_messages_follow_the_release() {
    let msg = |input: &str, release: &str| {
        let r = lint::check(input.as_bytes(), &k(release), &DEFAULT);
        named(&r, "socket-invalid")[0].message().to_string()
    };
    // 6.16.0-6.16.7: checked on write (byte 1 must be `/`).
    assert!(msg("@run/x", "6.16.3").contains("writing it fails with EINVAL"));
    // 6.16.8+ and 6.17.0-6.17.4: accepted, then every read fails.
    assert!(msg("@run/x", "6.16.12").contains("every read of the sysctl fails"));
    assert!(msg("@run/x", "6.17.2").contains("every read of the sysctl fails"));
    // 6.17.5+ and 6.18: rejected on write, the old value stays.
    assert!(msg("@run/x", "6.18.15").contains("writing it fails with EINVAL"));
    // A space passes every write check and fails every dump.
    for release in ["6.16.3", "6.16.12", "6.17.2", "6.18.15"] {
        let m = msg("@/tmp/a b", release);
        assert!(m.contains("contains a space"), "{release}: {m}");
        assert!(
            m.contains("the write succeeds, but every dump fails"),
            "{release}: {m}"
        );
    }
    // `..` is checked on write from 6.17 only.
    assert!(msg("@/a/../b", "6.16.3").contains("the write succeeds, but every dump fails"));
    assert!(msg("@/a/../b", "6.16.12").contains("the write succeeds, but every dump fails"));
    assert!(msg("@/a/../b", "6.17.2").contains("every read of the sysctl fails"));
    assert!(msg("@/a/../b", "6.18.15").contains("writing it fails with EINVAL"));
}

#[test]
fn socket_request_on_6_16_is_socket_mode_with_a_relative_path() {
    let r = lint::check(b"@@/run/x", &k("6.16.12"), &DEFAULT);
    assert_eq!(r.pattern().mode(), Mode::Socket);
    assert!(
        named(&r, "socket-unsupported")[0]
            .message()
            .contains("has no `@@`")
    );
    let r = lint::check(b"@@/run/x", &k("6.17.2"), &DEFAULT);
    assert_eq!(r.pattern().mode(), Mode::SocketRequest);
    assert!(r.lints().is_empty(), "{}", show(&r));
}

#[test]
fn socket_invalid_outside_the_initial_mount_namespace() {
    let kernel = k("6.18.15").with_initial_mount_ns(false);
    let r = assert_fires(
        b"@/run/x",
        kernel,
        DEFAULT,
        "socket-invalid",
        Severity::Error,
        1..7,
    );
    let msg = named(&r, "socket-invalid")[0].message();
    assert!(msg.contains("initial mount namespace"), "{msg}");
}

#[test]
fn clean_patterns_have_no_findings() {
    for (input, release) in [
        ("/var/crash/core.%P.%t", "7.3.4"),
        (
            "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h",
            "6.1.192",
        ),
        (SYSTEMD, "6.16.12"),
        ("@/run/systemd/coredump", "6.16.12"),
        ("@@/run/systemd/coredump", "6.17.13"),
        ("|/bin/false", "7.3.4"),
    ] {
        let r = lint::check(input.as_bytes(), &k(release), &DEFAULT);
        assert!(r.lints().is_empty(), "{input} on {release}:{}", show(&r));
        assert!(!r.has_errors());
    }
}

#[test]
fn report_accessors() {
    let input = b"/var/crash/core.%e.%P.%t\n";
    let r = lint::check(input, &latest(), &DEFAULT);
    assert_eq!(r.input(), input);
    assert_eq!(r.stored(), b"/var/crash/core.%e.%P.%t");
    assert_eq!(r.pattern().as_bytes(), r.stored());
    assert_eq!(r.pattern().kernel(), &latest());
    assert!(r.handler().is_none());
    assert!(!r.has_errors());
    // Only an Info: no errors.
    assert_eq!(r.lints().len(), 1);
    assert_eq!(r.lints()[0].severity(), Severity::Info);

    let r = lint::check(b"|", &latest(), &DEFAULT);
    assert!(r.has_errors());
    assert_eq!(r.pattern().mode(), Mode::Pipe);
}

#[test]
fn lints_are_in_input_order_most_severe_first() {
    // Three lints start at 0: relative-path, quoted-value, no-unique-field.
    let r = lint::check(b"\"core\"", &latest(), &SUID2);
    let got: Vec<(&str, Severity, u32)> = r
        .lints()
        .iter()
        .map(|l| (l.name(), l.severity(), l.span().start))
        .collect();
    assert_eq!(
        got,
        [
            ("relative-path", Severity::Error, 0),
            ("quoted-value", Severity::Warning, 0),
            ("no-unique-field", Severity::Warning, 0),
        ]
    );
}

#[test]
fn lint_display() {
    let r = lint::check(b"/c/core.%y.%t", &latest(), &DEFAULT);
    assert_eq!(
        r.lints()[0].to_string(),
        "warning[unknown-specifier] at 8..10: unknown specifier %y: the kernel drops both bytes"
    );
}

// ---------------------------------------------------------------------------
// Suspected library bugs (kept, ignored; see the reasons).

#[test]
fn newline_is_not_leading_whitespace() {
    // Writing "\n" stores the empty pattern (kernel.md §0): nothing becomes
    // part of a file name.
    let r = lint::check(b"\n", &latest(), &DEFAULT);
    assert!(named(&r, "leading-whitespace").is_empty(), "{}", show(&r));
    let r = lint::check(b"\ncore", &latest(), &DEFAULT);
    assert!(named(&r, "leading-whitespace").is_empty(), "{}", show(&r));
    // Only the stored bytes are leading whitespace.
    assert_fires(
        b"  \n",
        latest(),
        DEFAULT,
        "leading-whitespace",
        Severity::Warning,
        0..2,
    );
}

#[test]
fn quoted_value_closing_quote_is_judged_on_the_stored_value() {
    // Stored `"core"`: it does end with a quote.
    let r = lint::check(b"\"core\"\n", &latest(), &DEFAULT);
    let msg = named(&r, "quoted-value")[0].message();
    assert!(msg.contains("and ends with one"), "{msg}");
    // The closing quote is past byte 127 and dropped: the stored value does
    // not end with one.
    let input = format!("\"/c/{}\"", "a".repeat(130));
    let r = lint::check(input.as_bytes(), &latest(), &DEFAULT);
    let msg = named(&r, "quoted-value")[0].message();
    assert!(!msg.contains("and ends with one"), "{msg}");
}

#[test]
fn pattern_that_expands_to_nothing_is_an_error() {
    // `%z`, a lone `%` and (in a file) `%F` expand to "": the kernel opens "" and writes no
    // core (NoDumpReason::EmptyName), exactly as for the empty pattern.
    for input in ["%z", "%", "%F"] {
        let r = lint::check(input.as_bytes(), &latest(), &DEFAULT);
        assert!(r.has_errors(), "{input}:{}", show(&r));
    }
}

// ---------------------------------------------------------------------------
// Rendering, pinned exactly.

#[test]
fn render_unsupported_specifier() {
    let r = lint::check(b"/var/crash/core.%C.%t", &k("6.1.192"), &DEFAULT);
    let l = &named(&r, "unsupported-specifier")[0];
    assert_eq!(
        l.render(r.input()),
        "warning[unsupported-specifier]: %C is not known to kernel 6.1.192 (upstream since 6.2.0): the kernel drops it with its letter\n\
         \x20 |\n\
         \x20 | /var/crash/core.%C.%t\n\
         \x20 |                 ^^\n\
         \x20 = help: remove %C, target a kernel that has it, or declare a backport (KernelProfile::with_feature, corepat --with %C)\n"
    );
}

#[test]
fn render_helper_not_absolute() {
    let r = lint::check(b"|helper %p", &latest(), &DEFAULT);
    let l = &named(&r, "helper-not-absolute")[0];
    assert_eq!(
        l.render(r.input()),
        "warning[helper-not-absolute]: the helper is not an absolute path: the kernel resolves it from `/` of the initial namespaces (the host's root, not a container's), so `|bin/x` runs `/bin/x`\n\
         \x20 |\n\
         \x20 | |helper %p\n\
         \x20 |  ^^^^^^\n\
         \x20 = help: start the helper with `/`, e.g. |/usr/local/bin/helper\n"
    );
}

#[test]
fn report_render_lists_lints_then_the_handler() {
    let r = lint::check(
        b"|/usr/lib/systemd/systemd-coredump %P %u %g %s %t",
        &latest(),
        &DEFAULT,
    );
    assert!(r.lints().is_empty());
    let out = r.render();
    assert!(out.starts_with("handler: systemd-coredump"), "{out}");
    assert!(out.contains("BROKEN"), "{out}");
    let r = lint::check(b"|helper %p", &latest(), &DEFAULT);
    assert!(r.render().starts_with("warning[helper-not-absolute]"));
}

// ---------------------------------------------------------------------------
// Properties over arbitrary bytes.

const KERNELS: [&str; 12] = [
    "4.4.0", "5.2.0", "5.3.0", "5.8.0", "6.1.192", "6.12.117", "6.16.3", "6.16.12", "6.17.2",
    "6.17.13", "6.18.15", "7.3.4",
];

fn any_kernel() -> impl Strategy<Value = KernelProfile> {
    (
        prop::sample::select(KERNELS.to_vec()),
        any::<bool>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(release, pidfd, other_ns)| {
            let mut kernel = KernelProfile::parse(release).unwrap();
            if pidfd {
                kernel = kernel.with_feature(Feature::SpecPidfd);
            }
            kernel.with_initial_mount_ns(!other_ns)
        })
}

fn any_settings() -> impl Strategy<Value = Settings> {
    (any::<bool>(), 0u8..=2).prop_map(|(core_uses_pid, suid_dumpable)| {
        Settings::new()
            .with_core_uses_pid(core_uses_pid)
            .with_suid_dumpable(suid_dumpable)
            .with_core_pipe_limit(0)
    })
}

/// A byte that is often one the kernel or the lints treat specially.
fn spicy_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        4 => prop::sample::select(
            b"%/.@|\"' \t\xA0\r\npPiIugdsthEefcCFyz!-:=".to_vec()
        ),
        1 => Just(0u8),
        3 => any::<u8>(),
    ]
}

/// Up to 300 bytes, often starting like a mode prefix.
fn input_bytes() -> impl Strategy<Value = Vec<u8>> {
    let prefix = prop_oneof![
        Just(Vec::new()),
        Just(b"|".to_vec()),
        Just(b"|/bin/h ".to_vec()),
        Just(b" |".to_vec()),
        Just(b"@".to_vec()),
        Just(b"@@/".to_vec()),
        Just(b"/var/crash/".to_vec()),
        Just(b"\"".to_vec()),
    ];
    (prefix, vec(spicy_byte(), 0..=300)).prop_map(|(mut p, rest)| {
        p.extend(rest);
        p.truncate(300);
        p
    })
}

proptest! {
    #[test]
    #[cfg_attr(miri, ignore)]
    fn spans_lie_within_the_input(
        input in input_bytes(),
        kernel in any_kernel(),
        settings in any_settings(),
    ) {
        let r = lint::check(&input, &kernel, &settings);
        prop_assert_eq!(r.input(), &input[..]);
        prop_assert_eq!(r.stored(), stored_value(&input));
        let mut last_start = 0;
        for l in r.lints() {
            let s = l.span();
            prop_assert!(s.start <= s.end, "{}", l);
            prop_assert!(s.end as usize <= input.len(), "{} on {} bytes", l, input.len());
            prop_assert!(s.start >= last_start, "not in input order: {}", l);
            last_start = s.start;
            prop_assert_eq!(LintKind::from_name(l.name()), Some(l.kind()));
            prop_assert!(!l.message().is_empty());
            prop_assert!(!l.help().is_empty());
            // Rendering never panics and shows the finding's header.
            let header = format!("{}[{}]: ", l.severity(), l.name());
            prop_assert!(l.render(&input).starts_with(&header));
        }
        let _ = r.render();
        let _ = json::lint_json(&r);
        prop_assert_eq!(
            r.has_errors(),
            r.lints().iter().any(|l| l.severity() == Severity::Error)
        );
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn arbitrary_bytes_never_panic(
        input in vec(any::<u8>(), 0..=300),
        kernel in any_kernel(),
        settings in any_settings(),
    ) {
        let r = lint::check(&input, &kernel, &settings);
        for l in r.lints() {
            prop_assert!(l.span().end as usize <= input.len());
        }
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn pattern_lints_agree_with_lint_on_stored_values(
        input in input_bytes(),
        kernel in any_kernel(),
        settings in any_settings(),
    ) {
        let stored = stored_value(&input);
        let pattern = ParseOptions::new().kernel(kernel).parse(stored).unwrap();
        let r = lint::check(stored, &kernel, &settings);
        prop_assert_eq!(r.pattern(), &pattern);
        let from_lint: Vec<&Lint> = r
            .lints()
            .iter()
            .filter(|l| !matches!(l.kind(), LintKind::Truncated | LintKind::CutAtNewline))
            .collect();
        // A stored value is never cut again.
        prop_assert_eq!(from_lint.len(), r.lints().len());
        let from_pattern = pattern.lints(&settings);
        prop_assert_eq!(from_lint, from_pattern.iter().collect::<Vec<_>>());
        // And the handler is the pattern's.
        let handler = core_pattern::lint::fingerprint(&pattern);
        prop_assert_eq!(r.handler(), handler.as_ref());
    }
}

// ---------------------------------------------------------------------------
// The JSON of `corepat lint --format json`.

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

/// The shape every report's JSON has, and its agreement with the report.
#[track_caller]
fn check_json_shape(r: &LintReport) -> Value {
    let v = json::lint_json(r);
    assert_eq!(
        keys(&v),
        ["diagnostics", "handler", "mode", "pattern", "stored"]
    );
    assert_eq!(v["mode"], r.pattern().mode().name());
    assert_eq!(json::json_to_bytes(&v["pattern"]).unwrap(), r.input());
    assert_eq!(json::json_to_bytes(&v["stored"]).unwrap(), r.stored());
    let diags = v["diagnostics"]
        .as_array()
        .expect("diagnostics is an array");
    assert_eq!(diags.len(), r.lints().len());
    for (d, l) in diags.iter().zip(r.lints()) {
        assert_eq!(
            keys(d),
            ["code", "help", "message", "name", "severity", "span"]
        );
        assert_eq!(d["name"], l.name());
        assert_eq!(d["code"], l.code());
        assert_eq!(d["severity"], l.severity().name());
        let span = d["span"].as_array().expect("span is an array");
        assert_eq!(span.len(), 2);
        assert_eq!(span[0], l.span().start);
        assert_eq!(span[1], l.span().end);
        assert_eq!(d["message"], l.message());
        assert_eq!(d["help"], l.help());
    }
    match r.handler() {
        None => assert!(v["handler"].is_null()),
        Some(h) => {
            assert_eq!(keys(&v["handler"]), ["name", "ok", "problems"]);
            assert_eq!(v["handler"]["name"], h.name());
            assert_eq!(v["handler"]["ok"], h.ok());
            let problems: Vec<&str> = v["handler"]["problems"]
                .as_array()
                .expect("problems is an array")
                .iter()
                .map(|p| p.as_str().expect("a problem is a string"))
                .collect();
            assert_eq!(problems, h.problems());
        }
    }
    v
}

#[test]
fn json_file_pattern() {
    let r = lint::check(b"core.%p%u", &latest(), &DEFAULT);
    let v = check_json_shape(&r);
    assert_eq!(v["pattern"], "core.%p%u");
    assert_eq!(v["stored"], "core.%p%u");
    assert_eq!(v["mode"], "file");
    assert!(v["handler"].is_null());
    assert_eq!(v["diagnostics"][0]["name"], "relative-path");
    assert_eq!(v["diagnostics"][0]["code"], 506);
    assert_eq!(v["diagnostics"][0]["severity"], "warning");
    assert_eq!(v["diagnostics"][0]["span"], serde_json::json!([0, 5]));
    assert_eq!(v["diagnostics"][2]["name"], "ambiguous-fields");
    assert_eq!(v["diagnostics"][2]["span"], serde_json::json!([5, 9]));
}

#[test]
fn json_handler_ok_and_broken() {
    let r = lint::check(SYSTEMD.as_bytes(), &latest(), &DEFAULT);
    let v = check_json_shape(&r);
    assert_eq!(v["mode"], "pipe");
    assert_eq!(
        v["handler"],
        serde_json::json!({"name": "systemd-coredump", "ok": true, "problems": []})
    );
    assert_eq!(v["diagnostics"], serde_json::json!([]));

    let input = systemd_long();
    let r = lint::check(input.as_bytes(), &latest(), &DEFAULT);
    let v = check_json_shape(&r);
    assert_eq!(v["pattern"], input.as_str());
    assert_eq!(v["stored"], &input[..127]);
    assert_eq!(v["handler"]["name"], "systemd-coredump");
    assert_eq!(v["handler"]["ok"], false);
    assert_eq!(v["handler"]["problems"].as_array().unwrap().len(), 1);
    assert_eq!(v["diagnostics"][0]["name"], "truncated");
    assert_eq!(v["diagnostics"][0]["code"], 500);
    assert_eq!(v["diagnostics"][0]["severity"], "error");
    assert_eq!(v["diagnostics"][0]["span"], serde_json::json!([127, 145]));
}

#[test]
fn json_socket_modes() {
    let r = lint::check(b"@@/run/systemd/coredump", &k("6.17.13"), &DEFAULT);
    let v = check_json_shape(&r);
    assert_eq!(v["mode"], "socket-request");
    assert_eq!(v["handler"]["name"], "systemd-coredump-socket");
    let r = lint::check(b"@/tmp/%p.sock", &k("6.16.12"), &DEFAULT);
    let v = check_json_shape(&r);
    assert_eq!(v["mode"], "socket");
    assert!(v["handler"].is_null());
    assert_eq!(v["diagnostics"][0]["name"], "socket-no-expansion");
}

#[test]
fn json_byte_strings_follow_format_md() {
    // Not UTF-8: {"hex": ...}, for the input and the stored value.
    let r = lint::check(b"/c/core.\xff%p", &latest(), &DEFAULT);
    let v = check_json_shape(&r);
    assert_eq!(
        v["pattern"],
        serde_json::json!({"hex": "2f632f636f72652eff2570"})
    );
    assert_eq!(v["stored"], v["pattern"]);

    // A control byte (the trailing newline) is not printable: hex; the
    // stored value without it is a plain string.
    let r = lint::check(b"/c/core.%t\n", &latest(), &DEFAULT);
    let v = check_json_shape(&r);
    assert_eq!(
        v["pattern"],
        serde_json::json!({"hex": "2f632f636f72652e25740a"})
    );
    assert_eq!(v["stored"], "/c/core.%t");

    // Printable UTF-8 beyond ASCII stays a string.
    let r = lint::check("/c/ядро.%t".as_bytes(), &latest(), &DEFAULT);
    let v = check_json_shape(&r);
    assert_eq!(v["pattern"], "/c/ядро.%t");

    // The empty pattern is the empty string.
    let r = lint::check(b"", &latest(), &DEFAULT);
    let v = check_json_shape(&r);
    assert_eq!(v["pattern"], "");
    assert_eq!(v["stored"], "");
    assert_eq!(v["diagnostics"][0]["span"], serde_json::json!([0, 0]));
}
