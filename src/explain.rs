//! A pattern explained in plain words: its mode, what each token does,
//! how a helper's arguments are split, where the core of an example crash
//! goes, and the caveats (the [`lint`] findings among them).
//!
//! This is what `corepat explain` prints; a program can show the same text
//! ([`Explanation`]'s `Display`) or read the parts.
//!
//! ```
//! use core_pattern::explain::Explanation;
//! use core_pattern::{KernelProfile, Outcome, Settings};
//!
//! let e = Explanation::new(b"/data/dump-a/core-%E-%p-%t", &KernelProfile::latest(), &Settings::new())?;
//! assert_eq!(e.mode_text(), "file: the kernel creates the core file itself");
//! assert_eq!(e.tokens()[1].meaning, "path of the executable, with every `/` replaced by `!`");
//! assert!(matches!(e.outcome(), Outcome::File { .. }));
//! println!("{e}");
//! # Ok::<(), core_pattern::ParseError>(())
//! ```

use crate::expand::{Crash, Outcome, Settings};
use crate::feature::Feature;
use crate::kernel::KernelProfile;
use crate::limits::{MAX_PATTERN_LEN, MIN_COREDUMP};
use crate::lint::{self, LintReport};
use crate::parse::{Mode, ParseError, ParseOptions, Pattern, Token, TokenKind, is_kernel_space};
use crate::render::escape_line;
use crate::span::Span;
use crate::spec::Specifier;
use crate::sysctl::stored_value;
use core::fmt;

/// Bytes shown on one line, control bytes escaped.
fn show(b: &[u8]) -> String {
    escape_line(b).0
}

/// What the kernel keeps of a value written to `core_pattern`, in a
/// sentence, when it keeps less than was written (`None` otherwise).
///
/// ```
/// use core_pattern::explain::cut_note;
/// assert_eq!(cut_note(b"core\n"), Some("the kernel stores only \"core\" (4 of 5 bytes): the kernel stops at the first newline or NUL; dropped: \"\\\\n\"".into()));
/// assert_eq!(cut_note(b"core"), None);
/// ```
pub fn cut_note(written: &[u8]) -> Option<String> {
    let stored = stored_value(written);
    if stored.len() >= written.len() {
        return None;
    }
    let why = if matches!(written.get(stored.len()), Some(b'\n' | 0)) {
        "the kernel stops at the first newline or NUL"
    } else {
        "the kernel keeps only the first 127 bytes"
    };
    Some(format!(
        "the kernel stores only {:?} ({} of {} bytes): {why}; dropped: {:?}",
        show(stored),
        stored.len(),
        written.len(),
        show(&written[stored.len()..]),
    ))
}

/// One token, explained.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenNote {
    /// The bytes of the stored pattern it covers.
    pub span: Span,
    /// The token as shown (a literal in quotes, a specifier as `%x`).
    pub text: String,
    /// What the kernel does with it.
    pub meaning: String,
}

/// One argument of a pipe helper, explained.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ArgumentNote {
    /// The argument as written in the pattern.
    pub template: String,
    /// Its value for the example crash (5.3 and later, where arguments are
    /// split before expansion).
    pub example: Option<String>,
}

/// A pattern explained for one kernel and settings, with the destination
/// of [`Crash::example`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Explanation {
    written: Vec<u8>,
    pattern: Pattern,
    kernel: KernelProfile,
    notes: Vec<String>,
    tokens: Vec<TokenNote>,
    arguments: Vec<ArgumentNote>,
    outcome: Outcome,
    destination: Vec<String>,
    caveats: Vec<String>,
    lints: LintReport,
}

impl Explanation {
    /// Explains `written` (the bytes as written to
    /// `/proc/sys/kernel/core_pattern`) as `kernel` stores and reads it.
    ///
    /// # Errors
    ///
    /// A [`ParseError`] when the stored value cannot be parsed (it is longer
    /// than the kernel keeps, which the stored value never is).
    pub fn new(
        written: &[u8],
        kernel: &KernelProfile,
        settings: &Settings,
    ) -> Result<Explanation, ParseError> {
        let pattern = ParseOptions::new()
            .kernel(*kernel)
            .parse(stored_value(written))?;
        let crash = Crash::example();
        let outcome = pattern.expand(settings, &crash);
        let tokens = pattern
            .tokens()
            .iter()
            .filter(|t| t.kind != TokenKind::Space)
            .map(|t| token_note(&pattern, t))
            .collect();
        let arguments = if pattern.mode() == Mode::Pipe {
            argument_notes(&pattern, kernel, &outcome)
        } else {
            Vec::new()
        };
        let (destination, mut caveats) = destination(&pattern, &outcome);
        let lints = lint::check(written, kernel, settings);
        for l in lints.lints() {
            caveats.push(format!(
                "{} [{}]: {} (fix: {})",
                l.severity(),
                l.name(),
                l.message(),
                l.help()
            ));
        }
        caveats.dedup();
        Ok(Explanation {
            written: written.to_vec(),
            notes: cut_note(written).into_iter().collect(),
            pattern,
            kernel: *kernel,
            tokens,
            arguments,
            outcome,
            destination,
            caveats,
            lints,
        })
    }

    /// The bytes as written.
    pub fn written(&self) -> &[u8] {
        &self.written
    }

    /// The stored pattern, parsed.
    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// The kernel it was explained for.
    pub fn kernel(&self) -> &KernelProfile {
        &self.kernel
    }

    /// The mode, in a sentence.
    pub fn mode_text(&self) -> &'static str {
        match self.pattern.mode() {
            Mode::File => "file: the kernel creates the core file itself",
            Mode::Pipe => "pipe: the kernel runs a helper and writes the core to its stdin",
            Mode::Socket => {
                "socket: the kernel connects to a Unix socket and writes the core to it"
            }
            Mode::SocketRequest => {
                "socket with request protocol: the kernel asks a Unix socket server how to dump"
            }
        }
    }

    /// Notes on what the kernel cut from the written value.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Every token but whitespace, explained.
    pub fn tokens(&self) -> &[TokenNote] {
        &self.tokens
    }

    /// For a pipe: the helper's arguments (the first is the program).
    pub fn arguments(&self) -> &[ArgumentNote] {
        &self.arguments
    }

    /// How the arguments are split on this kernel, in a sentence.
    pub fn split_text(&self) -> &'static str {
        if self.kernel.has(Feature::PipeSplitBeforeExpand) {
            "split on whitespace before expansion: a value with spaces stays one argument"
        } else {
            "before 5.3: expanded first, then split on whitespace; empty ones vanish"
        }
    }

    /// What happens to the core of [`Crash::example`].
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// The example crash, in words.
    pub fn crash_text(&self) -> String {
        let c = Crash::example();
        format!(
            "pid {}, global pid {}, uid {}, comm {:?}, exe {}, host {}, {}, time {}",
            c.pid,
            c.global_pid,
            c.uid,
            show(c.comm),
            c.exe.map_or_else(|| "(none)".into(), show),
            show(c.hostname),
            c.signal,
            c.time
        )
    }

    /// Where the core goes and what that implies, one line each.
    pub fn destination(&self) -> &[String] {
        &self.destination
    }

    /// What may go wrong: the mode's rules, then every lint.
    pub fn caveats(&self) -> &[String] {
        &self.caveats
    }

    /// The lints behind the caveats, and the recognised handler.
    pub fn lints(&self) -> &LintReport {
        &self.lints
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.pattern;
        writeln!(
            f,
            "pattern  {}  ({} bytes; the kernel holds at most {MAX_PATTERN_LEN})",
            show(&self.written),
            self.written.len()
        )?;
        writeln!(f, "kernel   {}", self.kernel)?;
        writeln!(f, "mode     {}", self.mode_text())?;
        for n in &self.notes {
            writeln!(f, "note     {n}")?;
        }
        writeln!(f)?;
        writeln!(f, "tokens")?;
        let (line, cols) = escape_line(p.as_bytes());
        writeln!(f, "  {line}")?;
        for t in &self.tokens {
            let (start, end) = (t.span.start as usize, t.span.end as usize);
            let col = cols[start];
            let width = (cols[end] - col).max(1);
            writeln!(
                f,
                "  {}{} {}  {}",
                " ".repeat(col),
                "^".repeat(width),
                t.text,
                t.meaning
            )?;
        }
        if p.mode() == Mode::Pipe {
            writeln!(f)?;
            writeln!(f, "arguments ({})", self.split_text())?;
            for (i, a) in self.arguments.iter().enumerate() {
                let example = a
                    .example
                    .as_ref()
                    .map(|e| format!("  e.g. {e:?}"))
                    .unwrap_or_default();
                let role = if i == 0 { "  (the helper program)" } else { "" };
                writeln!(f, "  argv[{i}]  {}{example}{role}", a.template)?;
            }
        }
        writeln!(f)?;
        writeln!(
            f,
            "where the core goes (for an example crash: {})",
            self.crash_text()
        )?;
        for d in &self.destination {
            writeln!(f, "  {d}")?;
        }
        if let Some(h) = self.lints.handler() {
            writeln!(f)?;
            writeln!(f, "{h}")?;
        }
        if !self.caveats.is_empty() {
            writeln!(f)?;
            writeln!(f, "caveats (`corepat lint` shows each under its bytes)")?;
            for c in &self.caveats {
                writeln!(f, "  - {c}")?;
            }
        }
        Ok(())
    }
}

fn token_note(p: &Pattern, t: &Token) -> TokenNote {
    let bytes = p.token_bytes(t);
    let (text, meaning) = match t.kind {
        TokenKind::ModePrefix => (
            show(bytes),
            match p.mode() {
                Mode::Pipe => "pipe to a helper program".into(),
                Mode::Socket => "write to a Unix socket".into(),
                Mode::SocketRequest => {
                    "write to a Unix socket, with the request/ack protocol".into()
                }
                _ => String::new(),
            },
        ),
        TokenKind::Literal => (
            format!("{:?}", show(bytes)),
            if matches!(p.mode(), Mode::Socket | Mode::SocketRequest) {
                "the socket path, taken as is (% is never expanded here)".into()
            } else {
                "copied as is".into()
            },
        ),
        TokenKind::Spec(s) => {
            let i = s.info();
            let mut m = i.meaning.to_string();
            if s == Specifier::Pidfd && p.mode() != Mode::Pipe {
                m = "expands to nothing outside pipe mode (a pidfd is only for helpers)".into();
            } else if i.escaped && !m.contains('!') {
                m.push_str("; `/` becomes `!`");
            }
            (show(bytes), m)
        }
        TokenKind::Unknown(b) => {
            let why = match Specifier::from_byte(b) {
                Some(s) => format!(
                    "this kernel does not know {s} (since {}): both bytes are dropped",
                    s.info().since.map_or("?".into(), |v| v.to_string())
                ),
                None if b.is_ascii_graphic() => {
                    format!("unknown specifier %{}: both bytes are dropped", b as char)
                }
                None => format!(
                    "`%` followed by byte 0x{b:02x}: both are dropped (the `%` swallows it{})",
                    if is_kernel_space(b) {
                        ", even whitespace"
                    } else {
                        ""
                    }
                ),
            };
            (show(bytes), why)
        }
        TokenKind::TrailingPercent => (
            "%".into(),
            "a lone `%` at the end: dropped, and expansion stops".into(),
        ),
        TokenKind::Space => (
            format!("{:?}", show(bytes)),
            "whitespace: separates helper arguments".into(),
        ),
    };
    TokenNote {
        span: t.span,
        text,
        meaning,
    }
}

fn argument_notes(p: &Pattern, kernel: &KernelProfile, outcome: &Outcome) -> Vec<ArgumentNote> {
    let argv = match outcome {
        Outcome::Pipe { argv, .. } if kernel.has(Feature::PipeSplitBeforeExpand) => Some(argv),
        _ => None,
    };
    p.pipe_arguments()
        .iter()
        .enumerate()
        .filter_map(|(i, toks)| {
            let (first, last) = (toks.first()?, toks.last()?);
            let template = show(&p.as_bytes()[first.span.start as usize..last.span.end as usize]);
            Some(ArgumentNote {
                template: template.trim_end().to_owned(),
                example: argv.and_then(|a| a.get(i)).map(|a| show(a)),
            })
        })
        .collect()
}

/// The destination lines, and the caveats that come with the mode.
fn destination(p: &Pattern, outcome: &Outcome) -> (Vec<String>, Vec<String>) {
    let mut lines = Vec::new();
    let mut caveats = Vec::new();
    match outcome {
        Outcome::File { name } => {
            lines.push(format!("file {}", show(name)));
            lines.push(if name.first() == Some(&b'/') {
                "an absolute path, resolved inside the crashing process's mount namespace (its container's filesystem)".into()
            } else {
                "a RELATIVE path: it lands in the crashing process's current directory, wherever that is".into()
            });
            if let Some(i) = p.body().iter().rposition(|&b| b == b'/') {
                let dir = &p.body()[..i.max(1)];
                lines.push(format!(
                    "the directory {} must already exist there: the kernel creates no directories, and a missing one means no core and no log line",
                    show(dir)
                ));
            }
            lines.push("the file is created with mode 0600; a filesystem that cannot keep that owner and mode (NFS/NAS with root squash) refuses the dump".into());
            if p.uses(Specifier::Pid) {
                caveats.push("core_uses_pid has no effect: the pattern has %p".into());
            }
            caveats.push(format!(
                "the soft core limit (ulimit -c) must be at least {MIN_COREDUMP} bytes, or nothing is written"
            ));
        }
        Outcome::Pipe { argv, pidfd } => {
            lines.push(format!(
                "run {} as root, in the initial namespaces, with an empty environment; the core arrives on its stdin",
                show(&argv[0])
            ));
            if *pidfd {
                lines.push("the helper gets a pidfd of the crashing process at fd 3 (%F)".into());
            }
            caveats.push("core_uses_pid and the core size limit do not apply to pipes, except a limit of exactly 1, which aborts the dump".into());
        }
        Outcome::Socket { path, request } => {
            lines.push(format!(
                "connect to the Unix socket {} (looked up beneath the root of the initial mount namespace){}",
                show(path),
                if *request {
                    ", then exchange a coredump request and ack"
                } else {
                    ""
                }
            ));
            caveats.push("nothing is expanded in a socket path; core_uses_pid and the core size limit do not apply".into());
        }
        Outcome::NoDump { reason } => {
            lines.push(format!("NO CORE: {reason} [{}]", reason.name()));
            lines.push(format!("help: {}", reason.help()));
        }
    }
    (lines, caveats)
}
