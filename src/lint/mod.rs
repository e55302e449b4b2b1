//! Lints: what will go wrong with a pattern, before the crash.
//!
//! A [`Lint`] is a finding, never a parse failure: every value the kernel
//! can hold parses, and [`check`] looks at the bytes *as written* (so it can
//! say what the kernel cuts) and at the value the kernel stores. Each
//! [`LintKind`] has a stable kebab-case name and numeric code (band 5xx),
//! listed in [`LintKind::ALL`]; names are never reused. A [`Severity`] says
//! whether the pattern works at all ([`Severity::Error`]), works badly, or
//! only deserves a note.
//!
//! A pipe pattern that feeds a well-known handler (systemd-coredump,
//! apport, ...) is recognised by [`fingerprint`], which checks the
//! handler's argument contract: the [`Handler`] names are stable too
//! ([`Handler::NAMES`]).
//!
//! ```
//! use core_pattern::lint::{self, LintKind, Severity};
//! use core_pattern::{KernelProfile, Settings};
//!
//! // The ACS annotation, on a kernel with every feature.
//! let report = lint::check(b"/data/dump-a/core-%E-%p-%t", &KernelProfile::latest(), &Settings::new());
//! assert!(!report.has_errors());
//! for l in report.lints() {
//!     // Each lint: a stable name and code, where (a byte span) and how to fix it.
//!     println!("{} {} at {:?}: {}", l.severity(), l.name(), l.span(), l.help());
//! }
//! // %E can make a name longer than a file name may be.
//! assert!(report.lints().iter().any(|l| l.kind() == LintKind::NameTooLongRisk));
//!
//! // A trailing newline written by `echo` is cut by the kernel: fine. A lone
//! // `|` is a pipe to nothing: an error, rendered with a caret for people.
//! let report = lint::check(b"|", &KernelProfile::latest(), &Settings::new());
//! assert!(report.lints().iter().any(|l| l.severity() == Severity::Error));
//! println!("{}", report.render());
//!
//! // systemd-coredump's contract: %P (not %p) first.
//! let report = lint::check(b"|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h", &KernelProfile::latest(), &Settings::new());
//! assert_eq!(report.handler().map(|h| h.name()), Some("systemd-coredump"));
//! ```

mod handler;
mod rules;

pub use handler::{Handler, fingerprint};

use crate::expand::Settings;
use crate::kernel::KernelProfile;
use crate::parse::Pattern;
use crate::render::caret_block;
use crate::span::Span;
use crate::sysctl::stored_value;
use rules::{lint_pattern, sort, storage_lints};

use core::fmt;
use std::borrow::Cow;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "k8s",
    derive(serde::Serialize),
    serde(rename_all = "lowercase")
)]
#[non_exhaustive]
pub enum Severity {
    /// Advice; nothing goes wrong.
    Info,
    /// Cores are written, but something is likely to go wrong.
    Warning,
    /// Cores will not be written, or not where intended.
    Error,
}

impl Severity {
    /// `info`, `warning` or `error`.
    pub const fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! lint_kinds {
    ($( $(#[$doc:meta])* $v:ident = $code:literal, $name:literal; )*) => {
        /// A kind of finding. Names and codes are stable public API.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum LintKind {
            $( $(#[$doc])* $v, )*
        }

        impl LintKind {
            /// Every lint kind, in code order.
            pub const ALL: &'static [LintKind] = &[ $( LintKind::$v, )* ];

            /// The stable kebab-case name, e.g. `no-unique-field`.
            pub const fn name(self) -> &'static str {
                match self { $( LintKind::$v => $name, )* }
            }

            /// The stable numeric code (band 5xx).
            pub const fn code(self) -> u32 {
                match self { $( LintKind::$v => $code, )* }
            }

            /// The name as a NUL-terminated string, for the C ABI.
            #[allow(dead_code)]
            pub(crate) const fn c_name(self) -> &'static core::ffi::CStr {
                match self {
                    $( LintKind::$v => match core::ffi::CStr::from_bytes_with_nul(concat!($name, "\0").as_bytes()) {
                        Ok(c) => c,
                        Err(_) => c"unknown",
                    }, )*
                }
            }
        }
    };
}

lint_kinds! {
    /// Over 127 bytes: the kernel keeps the first 127, silently.
    Truncated = 500, "truncated";
    /// A `\n` or NUL with bytes after it: the kernel stores what is before it.
    CutAtNewline = 501, "cut-at-newline";
    /// `%x` that no kernel knows: dropped with its letter.
    UnknownSpecifier = 502, "unknown-specifier";
    /// A lone `%` at the end: dropped.
    TrailingPercent = 503, "trailing-percent";
    /// A specifier the target kernel does not know yet (`%C` on 6.1, `%F`
    /// before 6.16 without a backport, `%f` before 5.9): dropped.
    UnsupportedSpecifier = 504, "unsupported-specifier";
    /// `%F` in a file pattern expands to nothing.
    PidfdOutsidePipe = 505, "pidfd-outside-pipe";
    /// A file name relative to the crashing process's cwd.
    RelativePath = 506, "relative-path";
    /// Whitespace before the first byte: ` |/helper` is a *file* pattern.
    LeadingWhitespace = 507, "leading-whitespace";
    /// Quotes copied from a config file are literal bytes.
    QuotedValue = 508, "quoted-value";
    /// No `%p %P %i %I %t`: every crash overwrites the last core.
    NoUniqueField = 509, "no-unique-field";
    /// `%p` alone: it is 1 in every container.
    PidNotUniqueInContainers = 510, "pid-not-unique-in-containers";
    /// `%e` is at most 15 bytes.
    CommTruncated = 511, "comm-truncated";
    /// `%E`/`%f`/`%h` can push a name component past 255 bytes: no core, no log.
    NameTooLongRisk = 512, "name-too-long-risk";
    /// A specifier in a directory: the kernel never creates directories.
    SpecifierInDirectory = 513, "specifier-in-directory";
    /// The pipe helper is not an absolute path.
    HelperNotAbsolute = 514, "helper-not-absolute";
    /// `|` with no helper.
    EmptyPipe = 515, "empty-pipe";
    /// `%` followed by whitespace swallows it: `a% b` is one argument `ab`.
    PercentSwallowsWhitespace = 516, "percent-swallows-whitespace";
    /// A pipe argument that always expands to nothing (an empty argv entry).
    EmptyArgument = 517, "empty-argument";
    /// Before 5.3, spaces inside `%e`/`%E`/`%f`/`%h` split the argument.
    SplitBefore53 = 518, "split-before-5.3";
    /// A socket path the kernel rejects on write or at dump time.
    SocketInvalid = 519, "socket-invalid";
    /// `%` in a socket path is literal.
    SocketNoExpansion = 520, "socket-no-expansion";
    /// `@` before 6.16 (a relative file name), `@@` before 6.17.
    SocketUnsupported = 521, "socket-unsupported";
    /// `core_uses_pid` appends `.PID` to the file name.
    CoreUsesPidSuffix = 522, "core-uses-pid-suffix";
    /// Adjacent variable-width fields (`%p%u`, `%e%h`) cannot be split apart.
    AmbiguousFields = 523, "ambiguous-fields";
    /// An empty file pattern: no core at all.
    EmptyPattern = 524, "empty-pattern";
}

impl LintKind {
    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<LintKind> {
        LintKind::ALL.iter().copied().find(|k| k.name() == name)
    }
}

impl fmt::Display for LintKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One finding: what, where, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Lint {
    kind: LintKind,
    severity: Severity,
    span: Span,
    // Most helps and many messages are fixed text: borrowed, not copied
    // (a long hostile pattern yields one lint per specifier).
    message: Cow<'static, str>,
    help: Cow<'static, str>,
}

impl Lint {
    fn new(
        kind: LintKind,
        severity: Severity,
        span: Span,
        message: impl Into<Cow<'static, str>>,
        help: impl Into<Cow<'static, str>>,
    ) -> Lint {
        Lint {
            kind,
            severity,
            span,
            message: message.into(),
            help: help.into(),
        }
    }

    /// The kind.
    pub fn kind(&self) -> LintKind {
        self.kind
    }

    /// The stable name of the kind.
    pub fn name(&self) -> &'static str {
        self.kind.name()
    }

    /// The stable code of the kind.
    pub fn code(&self) -> u32 {
        self.kind.code()
    }

    /// How bad it is (may depend on the settings).
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The bytes of the input it is about (may be empty: a position).
    pub fn span(&self) -> Span {
        self.span
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// How to fix it.
    pub fn help(&self) -> &str {
        &self.help
    }

    /// The finding drawn under `input`, rustc-style.
    pub fn render(&self, input: &[u8]) -> String {
        caret_block(
            self.severity.name(),
            self.kind.name(),
            &self.message,
            input,
            self.span,
            &self.help,
        )
    }
}

impl fmt::Display for Lint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}] at {}: {}",
            self.severity, self.kind, self.span, self.message
        )
    }
}

/// The result of [`check`]: the value as written, what the kernel stores, the
/// findings, and the pipe handler it recognises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintReport {
    input: Vec<u8>,
    pattern: Pattern,
    lints: Vec<Lint>,
    handler: Option<Handler>,
}

impl LintReport {
    /// The bytes as written.
    pub fn input(&self) -> &[u8] {
        &self.input
    }

    /// The value the kernel stores, parsed for the kernel.
    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// The stored bytes.
    pub fn stored(&self) -> &[u8] {
        self.pattern.as_bytes()
    }

    /// The findings, in input order (ties: most severe first).
    pub fn lints(&self) -> &[Lint] {
        &self.lints
    }

    /// The recognised pipe or socket handler, with whether the pattern keeps
    /// its argument contract.
    pub fn handler(&self) -> Option<&Handler> {
        self.handler.as_ref()
    }

    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.lints.iter().any(|l| l.severity == Severity::Error)
    }

    /// Every finding drawn under the input, plus the handler verdict.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for l in &self.lints {
            out.push_str(&l.render(&self.input));
            out.push('\n');
        }
        if let Some(h) = &self.handler {
            out.push_str(&h.to_string());
            out.push('\n');
        }
        out
    }
}

/// Lints `input`, the bytes as they would be written to
/// `/proc/sys/kernel/core_pattern`, for `kernel` and `settings`.
///
/// ```
/// use core_pattern::{KernelProfile, Settings, lint};
/// let report = lint::check(b"/data/dump-a/core", &KernelProfile::latest(), &Settings::default());
/// let names: Vec<_> = report.lints().iter().map(|l| l.name()).collect();
/// assert_eq!(names, ["no-unique-field"]);
///
/// let report = lint::check(b"/var/crash/%e/core.%p.%C", &KernelProfile::parse("6.1.192")?, &Settings::default());
/// let names: Vec<_> = report.lints().iter().map(|l| l.name()).collect();
/// assert!(names.contains(&"specifier-in-directory"));
/// assert!(names.contains(&"unsupported-specifier"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check(input: &[u8], kernel: &KernelProfile, settings: &Settings) -> LintReport {
    let stored = stored_value(input);
    let pattern = Pattern::build(stored, *kernel);
    let mut lints = Vec::new();
    storage_lints(input, stored, kernel, &mut lints);
    lint_pattern(&pattern, settings, &mut lints);
    sort(&mut lints);
    let handler = fingerprint(&pattern);
    LintReport {
        input: input.to_vec(),
        pattern,
        lints,
        handler,
    }
}

impl Pattern {
    /// The findings for this (stored) pattern under `settings`. [`check`]
    /// also reports what the kernel cuts from a value as written.
    ///
    /// ```
    /// use core_pattern::{Pattern, Settings};
    /// let p = Pattern::parse("core.%p%u")?;
    /// let names: Vec<_> = p.lints(&Settings::default()).iter().map(|l| l.name()).collect();
    /// assert_eq!(names, ["relative-path", "pid-not-unique-in-containers", "ambiguous-fields"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lints(&self, settings: &Settings) -> Vec<Lint> {
        let mut lints = Vec::new();
        lint_pattern(self, settings, &mut lints);
        sort(&mut lints);
        lints
    }
}
