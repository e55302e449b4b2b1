//! The rules: one function per concern, each pushing [`Lint`]s.

use super::{Lint, LintKind, Severity};
use crate::expand::{Settings, SocketProblem};
use crate::feature::Feature;
use crate::kernel::{KernelProfile, SocketCheck};
use crate::limits::{COMM_MAX, HOSTNAME_MAX, MAX_PATTERN_LEN, NAME_MAX, PATH_MAX};
use crate::parse::{Mode, Pattern, Token, TokenKind, is_kernel_space};
use crate::render::escape_line;
use crate::span::Span;
use crate::spec::{SPECIFIERS, Specifier};
use crate::sysctl::socket_value_ok;

pub(super) fn sort(lints: &mut [Lint]) {
    lints.sort_by(|a, b| {
        (a.span.start, core::cmp::Reverse(a.severity), a.kind.code()).cmp(&(
            b.span.start,
            core::cmp::Reverse(b.severity),
            b.kind.code(),
        ))
    });
}

fn shown(b: &[u8]) -> String {
    escape_line(b).0
}

/// `truncated` and `cut-at-newline`: what the kernel drops from the input.
pub(super) fn storage_lints(
    input: &[u8],
    stored: &[u8],
    kernel: &KernelProfile,
    out: &mut Vec<Lint>,
) {
    let cut = input.iter().position(|&b| b == b'\n' || b == 0);
    if let Some(i) = cut {
        let trailing_newline = input[i] == b'\n' && i + 1 == input.len();
        if !trailing_newline {
            let what = if input[i] == 0 {
                "a NUL byte"
            } else {
                "a newline"
            };
            out.push(Lint::new(
                LintKind::CutAtNewline,
                Severity::Error,
                Span::from_usize(i, input.len()),
                format!(
                    "the kernel stops storing at {what} (byte {i}); {:?} is dropped",
                    shown(&input[i..])
                ),
                "write one pattern on one line, without the newline or NUL",
            ));
        }
    }
    let before_cut = &input[..cut.unwrap_or(input.len())];
    if before_cut.len() > MAX_PATTERN_LEN {
        let full = Pattern::build(before_cut, *kernel);
        let mut msg = format!(
            "the pattern is {} bytes; the kernel keeps the first {MAX_PATTERN_LEN} and drops {:?} without an error",
            before_cut.len(),
            shown(&before_cut[MAX_PATTERN_LEN..])
        );
        if full.mode() == Mode::Pipe {
            let args = full.pipe_arguments();
            let lost: Vec<String> = args
                .iter()
                .filter_map(|a| {
                    let (f, l) = (a.first()?, a.last()?);
                    (f.span.start as usize >= MAX_PATTERN_LEN)
                        .then(|| shown(&before_cut[f.span.range().start..l.span.range().end]))
                })
                .collect();
            let cut_arg = args.iter().find_map(|a| {
                let (f, l) = (a.first()?, a.last()?);
                let (s, e) = (f.span.start as usize, l.span.end as usize);
                (s < MAX_PATTERN_LEN && e > MAX_PATTERN_LEN).then(|| {
                    format!(
                        "; the argument {:?} is cut to {:?}",
                        shown(&before_cut[s..e]),
                        shown(&before_cut[s..MAX_PATTERN_LEN])
                    )
                })
            });
            if !lost.is_empty() {
                msg.push_str(&format!(
                    "; the helper loses the argument{} {}",
                    if lost.len() == 1 { "" } else { "s" },
                    lost.iter()
                        .map(|a| format!("{a:?}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
            }
            msg.push_str(&cut_arg.unwrap_or_default());
        }
        let stored_tokens = Pattern::build(stored, *kernel);
        let splits = stored_tokens
            .tokens()
            .last()
            .is_some_and(|t| t.kind == TokenKind::TrailingPercent)
            && full
                .tokens()
                .iter()
                .any(|t| t.span.start as usize == MAX_PATTERN_LEN - 1 && t.span.len() == 2);
        if splits {
            msg.push_str("; the cut splits a specifier, leaving a trailing `%`");
        }
        out.push(Lint::new(
            LintKind::Truncated,
            Severity::Error,
            Span::from_usize(MAX_PATTERN_LEN, before_cut.len()),
            msg,
            "shorten the pattern to 127 bytes: a shorter directory or helper path, %e/%f instead of %E, fewer arguments",
        ));
    }
}

/// Nearest real specifier for an unknown letter.
fn suggestion(b: u8) -> Option<Specifier> {
    let swapped = if b.is_ascii_lowercase() {
        b.to_ascii_uppercase()
    } else {
        b.to_ascii_lowercase()
    };
    if let Some(s) = Specifier::from_byte(swapped) {
        return Some(s);
    }
    match b {
        b'n' | b'N' => Some(Specifier::Comm),           // name
        b'x' | b'X' | b'b' => Some(Specifier::ExePath), // exe, binary
        b'T' => Some(Specifier::Time),
        b'H' => Some(Specifier::Hostname),
        _ => None,
    }
}

/// Most bytes a specifier can expand to in file mode.
fn max_width(spec: Specifier) -> usize {
    match spec {
        Specifier::Percent | Specifier::Dumpable => 1,
        Specifier::Pid | Specifier::GlobalPid | Specifier::Tid | Specifier::GlobalTid => 7,
        Specifier::Uid | Specifier::Gid | Specifier::Cpu => 10,
        Specifier::Signal => 2,
        Specifier::Time | Specifier::CoreLimit => 20,
        Specifier::Hostname => HOSTNAME_MAX,
        Specifier::Comm => COMM_MAX,
        Specifier::ExePath => PATH_MAX - 1,
        Specifier::ExeName => NAME_MAX + " (deleted)".len(),
        Specifier::Pidfd => 0,
    }
}

/// Whether a specifier's width varies (it cannot be split from a neighbour).
fn variable_width(spec: Specifier, mode: Mode) -> bool {
    match spec {
        Specifier::Percent | Specifier::Dumpable => false,
        Specifier::Pidfd => false,
        _ => mode != Mode::Socket && mode != Mode::SocketRequest,
    }
}

const UNIQUE: [Specifier; 5] = [
    Specifier::Pid,
    Specifier::GlobalPid,
    Specifier::Tid,
    Specifier::GlobalTid,
    Specifier::Time,
];

fn first_spec(p: &Pattern, spec: Specifier) -> Option<&Token> {
    p.tokens().iter().find(|t| t.kind == TokenKind::Spec(spec))
}

fn body_span(p: &Pattern) -> Span {
    Span::from_usize(p.mode().prefix_len(), p.as_bytes().len())
}

pub(super) fn lint_pattern(p: &Pattern, settings: &Settings, out: &mut Vec<Lint>) {
    let k = p.kernel();
    let bytes = p.as_bytes();
    let mode = p.mode();

    // leading-whitespace, quoted-value: about the stored bytes (a newline
    // written before them is never stored; `cut-at-newline` covers it).
    let lead = bytes.iter().take_while(|&&b| is_kernel_space(b)).count();
    if lead > 0 {
        let next = bytes.get(lead).copied();
        let (sev, msg) = match next {
            Some(c @ (b'|' | b'@')) => (
                Severity::Error,
                format!(
                    "whitespace before `{}`: the kernel only looks at the very first byte, so this is a relative FILE pattern, not a {}",
                    c as char,
                    if c == b'|' { "pipe" } else { "socket" }
                ),
            ),
            _ => (
                Severity::Warning,
                "the pattern starts with whitespace, which becomes part of the file name"
                    .to_string(),
            ),
        };
        out.push(Lint::new(
            LintKind::LeadingWhitespace,
            sev,
            Span::from_usize(0, lead),
            msg,
            "remove the leading whitespace (tools such as sysctl strip it, a plain write does not)",
        ));
    }
    if let Some(&q @ (b'"' | b'\'')) = bytes.first() {
        let closing = bytes.len() > 1 && bytes.last() == Some(&q);
        out.push(Lint::new(
            LintKind::QuotedValue,
            Severity::Warning,
            Span::from_usize(0, 1),
            format!(
                "the value starts with a {} quote{}: the kernel keeps quotes as literal bytes",
                if q == b'"' { "double" } else { "single" },
                if closing { " and ends with one" } else { "" }
            ),
            "remove the quotes; sysctl.conf and the kernel take the value as it is",
        ));
    }

    // Per-token lints.
    for t in p.tokens() {
        match t.kind {
            TokenKind::Unknown(b) if is_kernel_space(b) => {
                let msg = if mode == Mode::Pipe {
                    "`%` followed by whitespace swallows it as an unknown specifier: the arguments on both sides become one"
                } else {
                    "`%` followed by whitespace: both bytes are dropped"
                };
                out.push(Lint::new(
                    LintKind::PercentSwallowsWhitespace,
                    Severity::Warning,
                    t.span,
                    msg,
                    "write `%%` for a literal percent sign, or remove the `%`",
                ));
            }
            TokenKind::Unknown(b) => match Specifier::from_byte(b) {
                Some(s) => {
                    let since = s.info().since.map(|v| v.to_string()).unwrap_or_default();
                    out.push(Lint::new(
                        LintKind::UnsupportedSpecifier,
                        Severity::Warning,
                        t.span,
                        format!(
                            "{s} is not known to kernel {k} (upstream since {since}): the kernel drops it with its letter"
                        ),
                        format!(
                            "remove {s}, target a kernel that has it, or declare a backport (KernelProfile::with_feature, corepat --with {s})"
                        ),
                    ));
                }
                None => {
                    let shown_spec = shown(p.token_bytes(t));
                    let help = match suggestion(b) {
                        Some(s) => format!(
                            "did you mean {s} ({})? Write `%%` for a literal `%`",
                            s.info().meaning
                        ),
                        None => {
                            let all: String = SPECIFIERS
                                .iter()
                                .map(|i| format!("%{}", i.byte as char))
                                .collect::<Vec<_>>()
                                .join(" ");
                            format!("the specifiers are {all}; write `%%` for a literal `%`")
                        }
                    };
                    out.push(Lint::new(
                        LintKind::UnknownSpecifier,
                        Severity::Warning,
                        t.span,
                        format!("unknown specifier {shown_spec}: the kernel drops both bytes"),
                        help,
                    ));
                }
            },
            TokenKind::TrailingPercent => out.push(Lint::new(
                LintKind::TrailingPercent,
                Severity::Warning,
                t.span,
                "a lone `%` at the end is dropped",
                "remove it, or write `%%` for a literal `%`",
            )),
            TokenKind::Spec(Specifier::Pidfd) if mode == Mode::File => out.push(Lint::new(
                LintKind::PidfdOutsidePipe,
                Severity::Warning,
                t.span,
                "%F expands to nothing in a file pattern: a pidfd only exists for pipe helpers",
                "remove %F",
            )),
            TokenKind::Spec(Specifier::Comm) => out.push(Lint::new(
                LintKind::CommTruncated,
                Severity::Info,
                t.span,
                "%e is the thread name: at most 15 bytes, and the program can change it",
                "use %f for the executable's file name",
            )),
            _ => {}
        }
    }

    match mode {
        Mode::File => file_lints(p, settings, out),
        Mode::Pipe => pipe_lints(p, out),
        _ => socket_lints(p, out),
    }

    // socket-unsupported: `@` on kernels that do not have it.
    if bytes.first() == Some(&b'@') {
        if !k.has(Feature::SocketMode) {
            out.push(Lint::new(
                LintKind::SocketUnsupported,
                Severity::Error,
                Span::from_usize(0, 1),
                format!(
                    "kernel {k} has no socket mode (6.16+): `{}` is a relative file name (a directory `@` in the crashing process's cwd)",
                    shown(bytes)
                ),
                "use a pipe helper on this kernel, or upgrade to 6.16+",
            ));
        } else if bytes.starts_with(b"@@") && !k.has(Feature::SocketRequestMode) {
            out.push(Lint::new(
                LintKind::SocketUnsupported,
                Severity::Error,
                Span::from_usize(0, 2),
                format!(
                    "kernel {k} has no `@@` (6.17+): this is `@` with the path `{}`, which is not absolute",
                    shown(&bytes[1..])
                ),
                "use `@/path` on 6.16, or upgrade to 6.17+ for the request protocol",
            ));
        }
    }

    ambiguous_fields(p, out);
}

fn file_lints(p: &Pattern, settings: &Settings, out: &mut Vec<Lint>) {
    let bytes = p.as_bytes();
    if !p.tokens().iter().any(|t| p.token_yields_bytes(t)) {
        let what = if bytes.is_empty() {
            "the pattern is empty".to_string()
        } else {
            format!("`{}` always expands to nothing", shown(bytes))
        };
        if settings.core_uses_pid {
            out.push(Lint::new(
                LintKind::EmptyPattern,
                Severity::Warning,
                Span::from_usize(0, bytes.len()),
                format!("{what}: with core_uses_pid=1 the core is named `.PID` in the crashing process's cwd"),
                "write a real pattern, e.g. /var/crash/core.%e.%P.%t",
            ));
        } else {
            out.push(Lint::new(
                LintKind::EmptyPattern,
                Severity::Error,
                Span::from_usize(0, bytes.len()),
                format!("{what}: the kernel opens \"\" and writes no core"),
                "write a real pattern, e.g. /var/crash/core.%e.%P.%t, or `|/bin/false` to disable dumps",
            ));
        }
        return;
    }
    // relative-path: the first byte produced is not `/`.
    let first = p.tokens().iter().find(|t| p.token_yields_bytes(t));
    let absolute = matches!(first, Some(t) if t.kind == TokenKind::Literal && p.token_bytes(t).first() == Some(&b'/'));
    if !absolute {
        let suid = settings.suid_dumpable == 2;
        let lead_ws = bytes.first().is_some_and(|&b| is_kernel_space(b));
        let mut msg = String::from(
            "relative file name: the core lands in the crashing process's current directory, wherever that is",
        );
        if suid {
            msg.push_str("; with suid_dumpable=2 the kernel warns at write time and skips every suid-safe dump");
        }
        if !lead_ws || suid {
            out.push(Lint::new(
                LintKind::RelativePath,
                if suid {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                first.map_or(Span::new(0, 0), |t| t.span),
                msg,
                "start the pattern with `/`, e.g. /var/crash/core.%e.%P.%t",
            ));
        }
    }
    // Components, for specifier-in-directory and name-too-long-risk.
    let mut comp_start = 0usize;
    let mut comp_max = 0usize;
    let mut risky: Option<Specifier> = None;
    let mut dir_specs: Vec<(Span, Specifier)> = Vec::new();
    let mut pending: Vec<(Span, Specifier)> = Vec::new();
    let flush = |start: usize,
                 end: usize,
                 max: usize,
                 risky: Option<Specifier>,
                 out: &mut Vec<Lint>| {
        if let Some(s) = risky
            && max > NAME_MAX
        {
            out.push(Lint::new(
                LintKind::NameTooLongRisk,
                if s == Specifier::ExePath { Severity::Warning } else { Severity::Info },
                Span::from_usize(start, end),
                format!(
                    "this file name component can reach {max} bytes ({s} alone up to {}); past {NAME_MAX} bytes the kernel writes no core and logs nothing",
                    max_width(s)
                ),
                "use %e or %f instead of %E, and keep literal text in the component short",
            ));
        }
    };
    for t in p.tokens() {
        match t.kind {
            TokenKind::Literal => {
                let lit = p.token_bytes(t);
                let mut off = t.span.start as usize;
                for piece in lit.split_inclusive(|&b| b == b'/') {
                    let slash = piece.last() == Some(&b'/');
                    comp_max += piece.len() - usize::from(slash);
                    off += piece.len();
                    if slash {
                        flush(comp_start, off - 1, comp_max, risky, out);
                        dir_specs.append(&mut pending);
                        comp_start = off;
                        comp_max = 0;
                        risky = None;
                    }
                }
            }
            TokenKind::Spec(s) => {
                comp_max += max_width(s);
                if matches!(
                    s,
                    Specifier::ExePath | Specifier::ExeName | Specifier::Hostname
                ) && risky != Some(Specifier::ExePath)
                {
                    risky = Some(s);
                }
                if s != Specifier::Percent {
                    pending.push((t.span, s));
                }
            }
            TokenKind::TrailingPercent => break,
            _ => {}
        }
    }
    if settings.core_uses_pid && !p.uses(Specifier::Pid) {
        comp_max += 8;
    }
    flush(comp_start, bytes.len(), comp_max, risky, out);
    out.reserve(dir_specs.len());
    for (span, spec) in dir_specs {
        out.push(Lint::new(
            LintKind::SpecifierInDirectory,
            Severity::Warning,
            span,
            format!(
                "{spec} is in a directory name: the kernel never creates directories, so each crash needs a directory that already exists"
            ),
            "keep specifiers in the last component, e.g. /var/crash/core.%e.%P.%t",
        ));
    }
    // Uniqueness.
    let unique = UNIQUE.iter().any(|s| p.uses(*s));
    if !unique && !settings.core_uses_pid {
        out.push(Lint::new(
            LintKind::NoUniqueField,
            Severity::Warning,
            body_span(p),
            "no %p, %P, %i, %I or %t: every crash overwrites the previous core",
            "add %t (time) and %P (global PID), e.g. core.%e.%P.%t",
        ));
    }
    if let Some(t) = first_spec(p, Specifier::Pid) {
        let other = [
            Specifier::GlobalPid,
            Specifier::GlobalTid,
            Specifier::Time,
            Specifier::Hostname,
        ]
        .iter()
        .any(|s| p.uses(*s));
        if !other {
            out.push(Lint::new(
                LintKind::PidNotUniqueInContainers,
                Severity::Warning,
                t.span,
                "%p is the PID inside the crashing process's PID namespace: 1 for the main process of every container, so cores of different pods collide",
                "add %h (the pod's hostname), %P (global PID) or %t (time)",
            ));
        }
    }
    if settings.core_uses_pid && !p.uses(Specifier::Pid) {
        out.push(Lint::new(
            LintKind::CoreUsesPidSuffix,
            Severity::Info,
            Span::from_usize(bytes.len(), bytes.len()),
            "core_uses_pid=1 and no %p: the kernel appends `.PID` (the PID in the crashing process's namespace)",
            "put %p where you want the PID, or set core_uses_pid=0",
        ));
    }
}

fn pipe_lints(p: &Pattern, out: &mut Vec<Lint>) {
    let args = p.pipe_arguments();
    let yields = |a: &[Token]| a.iter().any(|t| p.token_yields_bytes(t));
    let arg_span = |a: &[Token]| match (a.first(), a.last()) {
        (Some(f), Some(l)) => Span::new(f.span.start, l.span.end),
        _ => Span::new(1, 1),
    };
    if !args.iter().any(|a| yields(a)) {
        out.push(Lint::new(
            LintKind::EmptyPipe,
            Severity::Error,
            Span::from_usize(0, p.as_bytes().len()),
            "`|` with no helper: the kernel's parse fails and no core is written",
            "name an absolute helper, e.g. |/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h",
        ));
        return;
    }
    if let Some(a0) = args.first() {
        let first = a0.iter().find(|t| p.token_yields_bytes(t));
        let absolute = matches!(first, Some(t) if t.kind == TokenKind::Literal && p.token_bytes(t).first() == Some(&b'/'));
        if !absolute {
            out.push(Lint::new(
                LintKind::HelperNotAbsolute,
                Severity::Warning,
                arg_span(a0),
                "the helper is not an absolute path: the kernel resolves it from `/` of the initial namespaces (the host's root, not a container's), so `|bin/x` runs `/bin/x`",
                "start the helper with `/`, e.g. |/usr/local/bin/helper",
            ));
        }
    }
    for (i, a) in args.iter().enumerate().skip(1) {
        if !yields(a) {
            out.push(Lint::new(
                LintKind::EmptyArgument,
                Severity::Warning,
                arg_span(a),
                format!(
                    "argument {i} always expands to nothing: the helper gets an empty argv[{i}]{}",
                    if p.kernel().has(Feature::PipeSplitBeforeExpand) {
                        ""
                    } else {
                        " (before 5.3 it vanishes, shifting the arguments after it)"
                    }
                ),
                "remove it, or fix the specifiers in it",
            ));
        }
    }
    if !p.kernel().has(Feature::PipeSplitBeforeExpand) {
        let last = args.len().saturating_sub(1);
        for a in &args[..last] {
            for t in a.iter() {
                if let TokenKind::Spec(s) = t.kind
                    && s.info().escaped
                {
                    out.push(Lint::new(
                        LintKind::SplitBefore53,
                        Severity::Warning,
                        t.span,
                        format!(
                            "before 5.3 the kernel expands first and then splits on whitespace: a {s} value with spaces becomes several arguments and shifts the rest"
                        ),
                        format!("put {s} last (helpers such as apport join trailing arguments), or upgrade to 5.3+"),
                    ));
                }
            }
        }
    }
}

fn socket_lints(p: &Pattern, out: &mut Vec<Lint>) {
    let bytes = p.as_bytes();
    let k = p.kernel();
    let path = p.body();
    let prefix = p.mode().prefix_len();
    let write_ok = socket_value_ok(bytes, k);
    let dump_problem = SocketProblem::check(path);
    if !write_ok || dump_problem.is_some() {
        let what = match dump_problem {
            Some(pr) => pr.message().to_string(),
            None if !k.in_initial_mount_ns() => {
                "the writer is not in the initial mount namespace".to_string()
            }
            None => "the kernel's write-time check rejects it".to_string(),
        };
        let consequence = if write_ok {
            "the write succeeds, but every dump fails"
        } else {
            match k.socket_check() {
                SocketCheck::Write | SocketCheck::WriteAndRead => {
                    "writing it fails with EINVAL and the old value stays"
                }
                SocketCheck::ReadOnly => {
                    "this kernel accepts the write, then every read of the sysctl fails with EINVAL and every dump fails"
                }
                _ => "every dump fails",
            }
        };
        out.push(Lint::new(
            LintKind::SocketInvalid,
            Severity::Error,
            Span::from_usize(prefix, bytes.len()),
            format!("{what}: on kernel {k} {consequence}"),
            "use an absolute socket path under 108 bytes, without spaces or `..` components",
        ));
    }
    if let Some(i) = path.iter().position(|&b| b == b'%') {
        out.push(Lint::new(
            LintKind::SocketNoExpansion,
            Severity::Warning,
            Span::from_usize(prefix + i, prefix + i + 2.min(path.len() - i)),
            "`%` is never expanded in a socket path: the kernel connects to this literal name",
            "remove the specifier; the socket server learns the crashing process from the connection",
        ));
    }
}

/// Adjacent variable-width fields, ignoring tokens that expand to nothing.
fn ambiguous_fields(p: &Pattern, out: &mut Vec<Lint>) {
    let mode = p.mode();
    if !matches!(mode, Mode::File | Mode::Pipe) {
        return;
    }
    let mut prev: Option<(Specifier, Span)> = None;
    for t in p.tokens() {
        match t.kind {
            TokenKind::Spec(s) if variable_width(s, mode) => {
                if let Some((ps, pspan)) = prev {
                    out.push(Lint::new(
                        LintKind::AmbiguousFields,
                        Severity::Warning,
                        Span::new(pspan.start, t.span.end),
                        format!(
                            "{ps} and {s} are adjacent: their values cannot be told apart in the result"
                        ),
                        format!("put a separator between them, e.g. {ps}.{s}"),
                    ));
                }
                prev = Some((s, t.span));
            }
            TokenKind::Unknown(_) => {}
            TokenKind::Spec(Specifier::Pidfd) if mode == Mode::File => {}
            _ => prev = None,
        }
    }
}
