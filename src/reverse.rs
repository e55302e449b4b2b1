//! Reverse matching: from a core file name or a helper's argv back to the
//! fields that produced it.
//!
//! A [`Matcher`] is compiled once from a pattern (its kernel) and the
//! settings, and matches many names. It never guesses: a name that several
//! assignments of the fields explain is reported with every assignment
//! ([`Matches::count`], [`Matches::iter`]), and [`Matches::best`] keeps only
//! the fields all of them agree on.
//!
//! # Complexity
//!
//! Matching is a dynamic program over (pattern element, name position): no
//! backtracking. For a pattern with `k` elements (literal runs and fields)
//! and a name of `n` bytes it takes O(k · n) time and O(k · n) memory
//! (8 bytes per cell); numeric fields add a factor of at most 20 (their
//! longest value). Counting never lists: [`Matches::count`] is exact and
//! saturates at `u64::MAX`. Listing costs O(k · n) per candidate at most.
//!
//! Fields are read as the kernel writes them: in a file name no text field
//! passes NAME_MAX (255 bytes: the kernel writes no core with a longer
//! component); in a helper's argument `%E` may reach 4095 bytes. On kernels
//! before 5.3 a helper's argv was split after expansion; the matcher then
//! models `argv_split()` (runs of whitespace collapse, empty values vanish)
//! with a bounded search, [`Strategy::SplitAfterExpand`].
//!
//! When the same specifier appears twice (`%E.%E`), its occurrences must
//! have the same value. Then only the first occurrence branches, later ones
//! are checked in O(1) with a rolling hash, and the search is bounded by
//! [`MatchOptions::budget`] steps; past it, [`Matches::is_exact`] is false
//! and the count is a lower bound.

use crate::expand::{CoreLimit, NAME_MAX, PATH_MAX, Settings};
use crate::kernel::{Feature, KernelProfile};
use crate::parse::{Mode, Pattern, TokenKind};
use crate::signal::Signal;
use crate::span::Span;
use crate::spec::Specifier;
use core::fmt;

/// How a matcher decides, chosen once when it is compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Strategy {
    /// No fields: the name must equal one byte string.
    Literal,
    /// Only numeric fields, each followed by a literal that starts with a
    /// non-digit (or the end): one left-to-right scan, at most one match.
    Anchored,
    /// Anything else: the dynamic program.
    General,
    /// The general program where a specifier repeats and its occurrences
    /// must agree: a bounded search.
    Backreference,
    /// A helper's argv on a kernel before 5.3, which expanded the pattern
    /// first and then split it on whitespace (dropping empty arguments and
    /// collapsing runs): a bounded search over the argv joined by single
    /// spaces; whitespace inside a text field reads back as one space.
    SplitAfterExpand,
}

impl Strategy {
    /// A stable name: `literal`, `anchored`, `general`, `backreference`,
    /// `split-after-expand`.
    pub const fn name(self) -> &'static str {
        match self {
            Strategy::Literal => "literal",
            Strategy::Anchored => "anchored",
            Strategy::General => "general",
            Strategy::Backreference => "backreference",
            Strategy::SplitAfterExpand => "split-after-expand",
        }
    }
}

/// What a matcher matches against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Target {
    /// The whole expanded file name (absolute, or relative as the pattern is).
    Path,
    /// Only the last component of the file name (what a directory listing
    /// gives).
    Component,
    /// The argv of a pipe helper, argument by argument.
    Argv,
}

/// Options for compiling a matcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchOptions {
    target: Option<Target>,
    budget: u64,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions::new()
    }
}

impl MatchOptions {
    /// Whole names for file patterns, argv for pipe patterns; a budget of
    /// 4,000,000 search steps for repeated specifiers.
    pub const fn new() -> MatchOptions {
        MatchOptions {
            target: None,
            budget: 4_000_000,
        }
    }

    /// Matches against `target` (for file patterns: [`Target::Path`] or
    /// [`Target::Component`]).
    pub const fn target(mut self, target: Target) -> MatchOptions {
        self.target = Some(target);
        self
    }

    /// The most search steps spent on a pattern whose specifiers repeat.
    pub const fn budget(mut self, steps: u64) -> MatchOptions {
        self.budget = steps;
        self
    }
}

/// Why a matcher cannot be compiled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MatchError {
    /// Socket patterns expand nothing: there are no fields to recover.
    #[error("a {mode} pattern has no fields to match: the kernel uses the path as it is")]
    NoFields {
        /// The pattern's mode.
        mode: Mode,
    },
    /// The target does not fit the mode (argv for a file pattern, a file
    /// name for a pipe pattern).
    #[error("cannot match {target:?} against a {mode} pattern")]
    WrongTarget {
        /// The target asked for.
        target: Target,
        /// The pattern's mode.
        mode: Mode,
    },
}

impl MatchError {
    /// A stable numeric code (band 3xx).
    pub const fn code(&self) -> u32 {
        match self {
            MatchError::NoFields { .. } => 300,
            MatchError::WrongTarget { .. } => 301,
        }
    }
}

// ---------------------------------------------------------------------------
// Field grammar

/// The bytes a numeric field can be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Numeric {
    max_digits: usize,
    min: i128,
    max: i128,
    signed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Numeric(Numeric),
    /// Escaped text: no `/`, no NUL, `min..=max` bytes, never exactly `.`
    /// or `..` when `no_dots`.
    Text {
        min: usize,
        max: usize,
        no_dots: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FieldElem {
    spec: Specifier,
    class: Class,
    /// Index of the first element with the same specifier (itself when first).
    first: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Elem {
    Lit(Vec<u8>),
    Field(FieldElem),
}

fn class_of(spec: Specifier, kernel: &KernelProfile, file: bool) -> Class {
    let num = |max_digits, min, max| {
        Class::Numeric(Numeric {
            max_digits,
            min,
            max,
            signed: false,
        })
    };
    let dots = kernel.has(Feature::EscapeDotNames);
    // In a file name no component can pass NAME_MAX: the kernel writes no
    // core then.
    let cap = if file { NAME_MAX } else { usize::MAX };
    let text = |max: usize| Class::Text {
        min: usize::from(dots),
        max: max.min(cap),
        no_dots: dots,
    };
    match spec {
        // PID_MAX_LIMIT is 4194304.
        Specifier::Pid | Specifier::GlobalPid | Specifier::Tid | Specifier::GlobalTid => {
            num(7, 1, 4_194_304)
        }
        Specifier::Uid | Specifier::Gid | Specifier::Cpu => num(10, 0, u32::MAX.into()),
        Specifier::Dumpable => num(1, 0, 2),
        Specifier::Signal => num(2, 1, 64),
        Specifier::CoreLimit => num(20, 0, kernel.rlim_infinity().into()),
        Specifier::Time => Class::Numeric(Numeric {
            max_digits: 19,
            min: i64::MIN.into(),
            max: i64::MAX.into(),
            signed: true,
        }),
        Specifier::Comm => text(crate::expand::COMM_MAX),
        Specifier::Hostname => text(crate::expand::HOSTNAME_MAX),
        Specifier::ExePath => text(PATH_MAX - 1),
        Specifier::ExeName => text(NAME_MAX + " (deleted)".len()),
        // Handled as literals by the compiler.
        Specifier::Percent | Specifier::Pidfd => text(0),
    }
}

/// Whether `b` (a candidate value, no leading/trailing context) fits `class`.
fn numeric_value(n: &Numeric, b: &[u8]) -> Option<i128> {
    let (neg, digits) = match b {
        [b'-', rest @ ..] if n.signed => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > n.max_digits || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if digits.len() > 1 && digits[0] == b'0' {
        return None;
    }
    if neg && digits == b"0" {
        return None;
    }
    let mut v: i128 = 0;
    for d in digits {
        v = v * 10 + i128::from(d - b'0');
    }
    if neg {
        v = -v;
    }
    (n.min..=n.max).contains(&v).then_some(v)
}

fn text_byte_ok(b: u8) -> bool {
    b != b'/' && b != 0
}

// ---------------------------------------------------------------------------
// The compiled matcher

/// A compiled reverse matcher. Immutable and `Send + Sync`: share it.
///
/// ```
/// use core_pattern::{MatchOptions, Pattern, Settings, Specifier, Target};
/// let p = Pattern::parse("/data/dump-a/core-%E-%p-%t")?;
/// let m = p.matcher(&Settings::default(), MatchOptions::new().target(Target::Component))?;
/// let found = m.match_name(b"core-!opt!my-app-1-1700000000");
/// assert_eq!(found.count(), 1);
/// let c = found.iter().next().unwrap();
/// assert_eq!(c.get(Specifier::ExePath).unwrap().bytes(), b"!opt!my-app");
/// assert_eq!(c.get(Specifier::Pid).unwrap().bytes(), b"1");
/// assert_eq!(c.get(Specifier::Time).unwrap().bytes(), b"1700000000");
///
/// // Two adjacent numbers cannot be split back apart: reported, not guessed.
/// let m = Pattern::parse("core.%p%u")?.matcher(&Settings::default(), MatchOptions::new())?;
/// let found = m.match_name(b"core.12341000");
/// assert!(found.is_ambiguous());
/// assert_eq!(found.count(), 5); // 1234100/0, 1234/1000, 123/41000, 12/341000, 1/2341000
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matcher {
    elems: std::sync::Arc<[Elem]>,
    /// [`Strategy::General`] with one text field: its index (see `OneText`).
    one_text: Option<usize>,
    strategy: Strategy,
    target: Target,
    kernel: KernelProfile,
    budget: u64,
}

impl Pattern {
    /// Compiles a reverse matcher for this pattern under `settings`
    /// (`core_uses_pid` decides whether a `.PID` suffix is expected).
    ///
    /// # Errors
    ///
    /// [`MatchError::NoFields`] for socket patterns; [`MatchError::WrongTarget`]
    /// for [`Target::Argv`] on a file pattern or a file target on a pipe.
    pub fn matcher(&self, settings: &Settings, opts: MatchOptions) -> Result<Matcher, MatchError> {
        Matcher::new(self, settings, opts)
    }
}

impl Matcher {
    /// See [`Pattern::matcher`].
    ///
    /// # Errors
    ///
    /// As [`Pattern::matcher`].
    pub fn new(
        p: &Pattern,
        settings: &Settings,
        opts: MatchOptions,
    ) -> Result<Matcher, MatchError> {
        let mode = p.mode();
        let target = match (mode, opts.target) {
            (Mode::Socket | Mode::SocketRequest, _) => return Err(MatchError::NoFields { mode }),
            (Mode::Pipe, None | Some(Target::Argv)) => Target::Argv,
            (Mode::File, None) => Target::Path,
            (Mode::File, Some(t @ (Target::Path | Target::Component))) => t,
            (_, Some(t)) => return Err(MatchError::WrongTarget { target: t, mode }),
        };
        let kernel = *p.kernel();
        let mut b = Builder {
            file: mode == Mode::File,
            presplit: mode == Mode::Pipe && !kernel.has(Feature::PipeSplitBeforeExpand),
            ..Builder::default()
        };
        let split = kernel.has(Feature::PipeSplitBeforeExpand);
        // For a component target, start after the last literal `/`.
        let mut skip_to = 0;
        if target == Target::Component {
            for (i, t) in p.tokens().iter().enumerate() {
                if t.kind == TokenKind::Literal
                    && let Some(j) = p.token_bytes(t).iter().rposition(|&c| c == b'/')
                {
                    skip_to = i;
                    b.component_offset = j + 1;
                }
            }
        }
        if target == Target::Argv && !split {
            for t in p.tokens() {
                match t.kind {
                    TokenKind::ModePrefix => {}
                    TokenKind::TrailingPercent => break,
                    TokenKind::Literal => b.presplit_lit(p.token_bytes(t)),
                    TokenKind::Space => b.sep(),
                    _ => b.token(p, t, mode, &kernel, split),
                }
            }
        } else if target == Target::Argv {
            let args = p.pipe_arguments();
            for (ai, arg) in args.iter().enumerate() {
                if ai > 0 {
                    b.lit(if split { b"\0" } else { b" " });
                }
                for t in arg.iter() {
                    b.token(p, t, mode, &kernel, split);
                }
            }
        } else {
            for (i, t) in p.tokens().iter().enumerate().skip(skip_to) {
                if i == skip_to && target == Target::Component && t.kind == TokenKind::Literal {
                    let bytes = p.token_bytes(t);
                    b.lit(&bytes[b.component_offset..]);
                    continue;
                }
                if t.kind == TokenKind::TrailingPercent {
                    break;
                }
                b.token(p, t, mode, &kernel, split);
            }
            if settings.core_uses_pid && !p.uses(Specifier::Pid) {
                b.lit(b".");
                b.field(Specifier::Pid, &kernel);
            }
        }
        let elems = b.elems;
        let fields: Vec<&FieldElem> = elems
            .iter()
            .filter_map(|e| match e {
                Elem::Field(f) => Some(f),
                Elem::Lit(_) => None,
            })
            .collect();
        let repeats = elems
            .iter()
            .enumerate()
            .any(|(i, e)| matches!(e, Elem::Field(f) if f.first != i));
        let strategy = if target == Target::Argv && !split {
            Strategy::SplitAfterExpand
        } else if fields.is_empty() {
            Strategy::Literal
        } else if repeats {
            Strategy::Backreference
        } else if anchored(&elems) {
            Strategy::Anchored
        } else {
            Strategy::General
        };
        let one_text = match strategy {
            Strategy::General => one_text_field(&elems),
            _ => None,
        };
        Ok(Matcher {
            elems: elems.into(),
            one_text,
            strategy,
            target,
            kernel,
            budget: opts.budget,
        })
    }

    /// The strategy chosen at compile time.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// What the matcher matches against.
    pub fn target(&self) -> Target {
        self.target
    }

    /// The specifiers it recovers, in pattern order, each once.
    pub fn specifiers(&self) -> Vec<Specifier> {
        self.elems
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Elem::Field(f) if f.first == i => Some(f.spec),
                _ => None,
            })
            .collect()
    }

    /// Matches a file name (the whole name, or the last component, as
    /// compiled).
    pub fn match_name<'n>(&self, name: &'n [u8]) -> Matches<'n> {
        let hay: Haystack<'n> = Haystack::Borrowed(name);
        self.run(hay, Vec::new())
    }

    /// Matches the argv of a pipe helper (`argv[0]` first). Arguments never
    /// contain NUL, so they are matched as one NUL-joined string and fields
    /// never cross an argument boundary. On kernels before 5.3 the argv was
    /// split after expansion; it is joined with single spaces instead, and
    /// a field may span several arguments.
    pub fn match_argv<'n>(&self, argv: &[&'n [u8]]) -> Matches<'n> {
        let split = self.kernel.has(Feature::PipeSplitBeforeExpand);
        let sep = if split { 0u8 } else { b' ' };
        let mut joined = Vec::new();
        let mut starts = Vec::with_capacity(argv.len());
        for (i, a) in argv.iter().enumerate() {
            if i > 0 {
                joined.push(sep);
            }
            starts.push(joined.len());
            joined.extend_from_slice(a);
        }
        // The kernel always passes argv[0]. Arguments never contain NUL; before
        // 5.3 they are also never empty and never contain whitespace.
        let impossible = argv.is_empty()
            || argv.iter().any(|a| a.contains(&0))
            || (!split
                && argv
                    .iter()
                    .any(|a| a.is_empty() || a.iter().any(|&c| crate::parse::is_kernel_space(c))));
        if impossible {
            return Matches::none(self.strategy);
        }
        self.run(Haystack::Owned(joined), starts)
    }

    /// [`Strategy::General`]: the shape with one text field reads from
    /// both ends; anything else is counted by the full program and
    /// searched when candidates are asked for.
    fn general(&self, name: &[u8]) -> (u64, bool, Option<Vec<Spans>>) {
        let Some(t) = self.one_text else {
            return (forward_count(&self.elems, name), true, None);
        };
        if let Some(found) = one_text_anchored(&self.elems, t, name) {
            debug_assert_eq!(u64::from(found.is_some()), forward_count(&self.elems, name));
            let paths = found.iter().map(|p| to_spans(p)).collect();
            return (u64::from(found.is_some()), true, Some(paths));
        }
        let sides = OneText::new(&self.elems, t, name);
        let (count, joins) = sides.count();
        debug_assert_eq!(count, forward_count(&self.elems, name));
        // Few enough to list: keep them, as the other strategies do;
        // otherwise they are searched for.
        let paths = (count <= LIST_CAP as u64).then(|| {
            let paths = sides.paths(&joins);
            debug_assert_eq!(
                paths,
                search(&self.elems, name, u64::MAX, LIST_CAP, false).2,
                "both ends agree with the search"
            );
            paths.iter().map(|p| to_spans(p)).collect()
        });
        (count, true, paths)
    }

    fn run<'n>(&self, hay: Haystack<'n>, arg_starts: Vec<usize>) -> Matches<'n> {
        let name = hay.bytes();
        let (count, exact, paths) = match self.strategy {
            Strategy::Literal => {
                let ok = matches!(&self.elems[..], [] if name.is_empty())
                    || matches!(&self.elems[..], [Elem::Lit(l)] if l == name);
                let paths = if ok {
                    vec![vec![(0, name.len()); self.elems.len()]]
                } else {
                    Vec::new()
                };
                (u64::from(ok), true, Some(paths))
            }
            Strategy::Anchored => match anchored_scan(&self.elems, name) {
                Some(path) => (1, true, Some(vec![to_spans(&path)])),
                None => (0, true, Some(Vec::new())),
            },
            // Counting only; candidates are searched when asked for.
            Strategy::General => self.general(name),
            Strategy::Backreference => {
                let (count, exact, paths) = search(&self.elems, name, self.budget, LIST_CAP, true);
                (
                    count,
                    exact,
                    Some(paths.iter().map(|p| to_spans(p)).collect()),
                )
            }
            Strategy::SplitAfterExpand => {
                let (count, exact, paths) = presplit_search(&self.elems, name, self.budget);
                (count, exact, Some(paths))
            }
        };
        Matches {
            hay,
            arg_starts,
            count,
            exact,
            paths,
            elems: self.elems.clone(),
            rlim_infinity: self.kernel.rlim_infinity(),
            dots: self.kernel.has(Feature::EscapeDotNames),
            strategy: self.strategy,
        }
    }
}

/// How many candidates a backreference search keeps for listing.
const LIST_CAP: usize = 4096;

#[derive(Default)]
struct Builder {
    elems: Vec<Elem>,
    component_offset: usize,
    /// File mode: text fields are capped at NAME_MAX.
    file: bool,
    /// Split-after-expand mode: `Lit(" ")` is a separator, never merged.
    presplit: bool,
}

impl Builder {
    fn lit(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if let Some(Elem::Lit(l)) = self.elems.last_mut()
            && !(self.presplit && l == b" ")
        {
            l.extend_from_slice(bytes);
        } else {
            self.elems.push(Elem::Lit(bytes.to_vec()));
        }
    }

    /// Split-after-expand mode: a whitespace run (merged with a previous one).
    fn sep(&mut self) {
        if !self.elems.last().is_some_and(is_sep) {
            self.elems.push(Elem::Lit(b" ".to_vec()));
        }
    }

    /// Split-after-expand mode: literal bytes, whitespace runs as separators.
    fn presplit_lit(&mut self, bytes: &[u8]) {
        for (i, chunk) in bytes
            .split(|&b| crate::parse::is_kernel_space(b))
            .enumerate()
        {
            if i > 0 {
                self.sep();
            }
            self.lit(chunk);
        }
    }

    fn field(&mut self, spec: Specifier, kernel: &KernelProfile) {
        let file = self.file;
        let me = self.elems.len();
        let first = self
            .elems
            .iter()
            .position(|e| matches!(e, Elem::Field(f) if f.spec == spec))
            .unwrap_or(me);
        self.elems.push(Elem::Field(FieldElem {
            spec,
            class: class_of(spec, kernel, file),
            first,
        }));
    }

    fn token(
        &mut self,
        p: &Pattern,
        t: &crate::parse::Token,
        mode: Mode,
        kernel: &KernelProfile,
        split: bool,
    ) {
        match t.kind {
            TokenKind::Literal => self.lit(p.token_bytes(t)),
            TokenKind::Space if !split => self.lit(b" "),
            TokenKind::Spec(Specifier::Percent) => self.lit(b"%"),
            TokenKind::Spec(Specifier::Pidfd) if mode == Mode::Pipe => self.lit(b"3"),
            TokenKind::Spec(Specifier::Pidfd) => {}
            TokenKind::Spec(s) => self.field(s, kernel),
            _ => {}
        }
    }
}

/// Every numeric field is followed by a literal starting with a non-digit
/// (and not `-` for a signed one), or ends the pattern; no text fields.
fn anchored(elems: &[Elem]) -> bool {
    elems.iter().enumerate().all(|(i, e)| match e {
        Elem::Lit(_) => true,
        Elem::Field(f) => match f.class {
            Class::Text { .. } => false,
            Class::Numeric(_) => match elems.get(i + 1) {
                None => true,
                Some(Elem::Lit(l)) => !l[0].is_ascii_digit(),
                Some(Elem::Field(_)) => false,
            },
        },
    })
}

/// A path: for each element, the end position in the name.
type Path = Vec<usize>;

/// For each element, the bytes of the name it stands for.
type Spans = Vec<(usize, usize)>;

fn to_spans(path: &[usize]) -> Spans {
    let mut start = 0;
    path.iter()
        .map(|&end| {
            let span = (start, end);
            start = end;
            span
        })
        .collect()
}

fn anchored_scan(elems: &[Elem], name: &[u8]) -> Option<Path> {
    let mut path = vec![0; elems.len()];
    let end = anchored_prefix(elems, name, &mut path)?;
    (end == name.len()).then_some(path)
}

/// Reads anchored `elems` from the start of `name`, writing each element's
/// end into `path`; returns where they end.
fn anchored_prefix(elems: &[Elem], name: &[u8], path: &mut [usize]) -> Option<usize> {
    let mut pos = 0;
    for (e, end_out) in elems.iter().zip(path.iter_mut()) {
        match e {
            Elem::Lit(l) => {
                if !name[pos..].starts_with(l) {
                    return None;
                }
                pos += l.len();
            }
            Elem::Field(f) => {
                let Class::Numeric(n) = f.class else {
                    return None;
                };
                let mut end = pos;
                if n.signed && name.get(end) == Some(&b'-') {
                    end += 1;
                }
                while end < name.len() && name[end].is_ascii_digit() {
                    end += 1;
                }
                numeric_value(&n, &name[pos..end])?;
                pos = end;
            }
        }
        *end_out = pos;
    }
    Some(pos)
}

fn sat(v: u128) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// The most bytes an element without text can match.
fn max_len(e: &Elem) -> usize {
    match e {
        Elem::Lit(l) => l.len(),
        Elem::Field(f) => match f.class {
            Class::Numeric(n) => n.max_digits + usize::from(n.signed),
            Class::Text { max, .. } => max,
        },
    }
}

/// What a text field's value must be: `min..=max` bytes, never exactly `.`
/// or `..` when `no_dots` (the caller checks that it holds no `/` or NUL).
#[derive(Clone, Copy)]
struct TextRule {
    min: usize,
    max: usize,
    no_dots: bool,
}

impl TextRule {
    fn of(e: &Elem) -> Option<TextRule> {
        match *e {
            Elem::Field(FieldElem {
                class: Class::Text { min, max, no_dots },
                ..
            }) => Some(TextRule { min, max, no_dots }),
            _ => None,
        }
    }

    fn takes(self, value: &[u8]) -> bool {
        (self.min..=self.max).contains(&value.len()) && !dots_excluded(self.no_dots, value)
    }
}

/// The shape most patterns have: literals and numeric fields, one text
/// field, literals and numeric fields, with no specifier repeated. Returns
/// the text field's index.
fn one_text_field(elems: &[Elem]) -> Option<usize> {
    let mut text = None;
    for (i, e) in elems.iter().enumerate() {
        if let Elem::Field(f) = e {
            if f.first != i {
                return None;
            }
            if matches!(f.class, Class::Text { .. }) {
                if text.is_some() {
                    return None;
                }
                text = Some(i);
            }
        }
    }
    text
}

/// The one-text-field shape when both sides read off without a choice:
/// the head is anchored (as [`anchored`], ending in a literal) and every
/// numeric field of the tail follows a literal that ends in a non-digit, so
/// the tail reads right to left. `None` when that does not hold (or a sign
/// makes the right-to-left reading ambiguous): use [`OneText`]. Otherwise
/// the one path, if any.
fn one_text_anchored(elems: &[Elem], t: usize, name: &[u8]) -> Option<Option<Path>> {
    let rule = TextRule::of(&elems[t])?;
    let head = &elems[..t];
    if !(anchored(head) && (t == 0 || matches!(head[t - 1], Elem::Lit(_)))) {
        return None;
    }
    let tail_ok = (t + 1..elems.len()).all(|i| match &elems[i] {
        Elem::Lit(_) => true,
        Elem::Field(_) => {
            i - 1 > t && matches!(&elems[i - 1], Elem::Lit(l) if !l[l.len() - 1].is_ascii_digit())
        }
    });
    if !tail_ok {
        return None;
    }
    let mut path = vec![0; elems.len()];
    let Some(a) = anchored_prefix(head, name, &mut path[..t]) else {
        return Some(None);
    };
    // The tail, right to left.
    let mut pos = name.len();
    for i in (t + 1..elems.len()).rev() {
        path[i] = pos;
        match &elems[i] {
            Elem::Lit(l) => {
                if pos < a + l.len() || &name[pos - l.len()..pos] != l.as_slice() {
                    return Some(None);
                }
                pos -= l.len();
            }
            Elem::Field(f) => {
                let Class::Numeric(num) = f.class else {
                    return None;
                };
                let Elem::Lit(before) = &elems[i - 1] else {
                    return None;
                };
                let last = before[before.len() - 1];
                let mut d = pos;
                while d > a && name[d - 1].is_ascii_digit() {
                    d -= 1;
                }
                let mut start = d;
                if num.signed && d > a && name[d - 1] == b'-' {
                    // Positive, the literal ending at `d`; or negative, the
                    // literal ending before the sign.
                    let positive = last == b'-';
                    let negative = d >= a + 2 && name[d - 2] == last;
                    if positive && negative {
                        return None;
                    }
                    if !positive {
                        start = d - 1;
                    }
                }
                if numeric_value(&num, &name[start..pos]).is_none() {
                    return Some(None);
                }
                pos = start;
            }
        }
    }
    let b = pos;
    path[t] = b;
    let ok = a <= b && memchr::memchr2(b'/', 0, &name[a..b]).is_none() && rule.takes(&name[a..b]);
    Some(ok.then_some(path))
}

/// Counts for the one-text-field shape, computed from both ends: the part
/// before the text field can only reach the first `Σ max_len` bytes and the
/// part after it only the last ones, so each side is a small program over
/// its window, and the text field joins a start `a` to an end `b` when
/// `name[a..b]` is a valid value. One O(n) scan for the first `/` or NUL;
/// everything else depends on the pattern, not on the name's length.
struct OneText<'e, 'n> {
    elems: &'e [Elem],
    name: &'n [u8],
    /// The text field's index.
    t: usize,
    rule: TextRule,
    /// Head window: positions `0..=w`.
    w: usize,
    /// `head[i * (w + 1) + a]`: ways elements `..i` match `name[..a]`, `i ≤ t`.
    head: Vec<u64>,
    /// `run_end[a]`: the first `/` or NUL at or after `a` (or the end).
    run_end: Vec<usize>,
    /// Tail window: positions `base..=n`.
    base: usize,
    /// `tail[j * (n - base + 1) + b - base]`: ways elements `t + 1 + j..`
    /// match `name[b..]`.
    tail: Vec<u64>,
}

impl<'e, 'n> OneText<'e, 'n> {
    fn new(elems: &'e [Elem], t: usize, name: &'n [u8]) -> OneText<'e, 'n> {
        let Some(rule) = TextRule::of(&elems[t]) else {
            unreachable!("one_text_field() returns a text field");
        };
        let n = name.len();
        let w = elems[..t].iter().map(max_len).sum::<usize>().min(n);
        let head_name = &name[..w];
        let row = w + 1;
        let mut head = vec![0u64; (t + 1) * row];
        head[0] = 1;
        for (i, e) in elems[..t].iter().enumerate() {
            let (done, rest) = head.split_at_mut((i + 1) * row);
            let cur = &done[i * row..];
            let next = &mut rest[..row];
            for (s, &c) in cur.iter().enumerate() {
                if c != 0 {
                    each_end(e, head_name, s, |end| {
                        next[end] = sat(u128::from(next[end]) + u128::from(c));
                        false
                    });
                }
            }
        }

        let mut run_end = vec![0; row];
        let mut stop = memchr::memchr2(b'/', 0, &name[w..]).map_or(n, |i| w + i);
        for a in (0..=w).rev() {
            if a < n && !text_byte_ok(name[a]) {
                stop = a;
            }
            run_end[a] = stop;
        }

        let after = &elems[t + 1..];
        let ws = after.iter().map(max_len).sum::<usize>().min(n);
        let base = n - ws;
        let tail_name = &name[base..];
        let trow = ws + 1;
        let mut tail = vec![0u64; (after.len() + 1) * trow];
        tail[after.len() * trow + ws] = 1;
        for (j, e) in after.iter().enumerate().rev() {
            let (done, rest) = tail.split_at_mut((j + 1) * trow);
            let cur = &mut done[j * trow..];
            let next = &rest[..trow];
            for (s, c) in cur.iter_mut().enumerate() {
                let mut sum: u128 = 0;
                each_end(e, tail_name, s, |end| {
                    sum += u128::from(next[end]);
                    false
                });
                *c = sat(sum);
            }
        }
        OneText {
            elems,
            name,
            t,
            rule,
            w,
            head,
            run_end,
            base,
            tail,
        }
    }

    fn head_at(&self, i: usize, a: usize) -> u64 {
        self.head[i * (self.w + 1) + a]
    }

    fn tail_at(&self, j: usize, b: usize) -> u64 {
        self.tail[j * (self.name.len() - self.base + 1) + b - self.base]
    }

    /// Every (start, end) of the text field where both sides match, with
    /// the number of ways each side can.
    fn joins(&self) -> impl Iterator<Item = (usize, usize, u64, u64)> + '_ {
        let n = self.name.len();
        (0..=self.w)
            .map(|a| (a, self.head_at(self.t, a)))
            .filter(|&(_, h)| h != 0)
            .flat_map(move |(a, h)| {
                (self.base.max(a)..=n)
                    .map(move |b| (a, b, h, self.tail_at(0, b)))
                    .filter(move |&(a, b, _, g)| {
                        g != 0 && b <= self.run_end[a] && self.rule.takes(&self.name[a..b])
                    })
            })
    }

    /// The number of paths, and the joins (computed once: listing the
    /// paths walks the same joins). Each join has at least one path, so the
    /// joins are kept only up to `LIST_CAP`, the most ever listed.
    fn count(&self) -> (u64, Vec<(usize, usize)>) {
        let mut total: u128 = 0;
        let mut joins = Vec::new();
        for (a, b, h, g) in self.joins() {
            total = total.saturating_add(u128::from(h) * u128::from(g));
            if joins.len() <= LIST_CAP {
                joins.push((a, b));
            }
        }
        (sat(total), joins)
    }

    /// Every path through `joins`, sorted (the order the general search
    /// lists them in). Only for a count small enough to list.
    fn paths(&self, joins: &[(usize, usize)]) -> Vec<Path> {
        let mut out = Vec::new();
        let mut path = vec![0; self.elems.len()];
        for &(a, b) in joins {
            path[self.t] = b;
            self.head_walk(self.t, a, b, &mut path, &mut out);
        }
        out.sort_unstable();
        out
    }

    /// Elements `..i` end at `pos`: choose their ends right to left (every
    /// step on a nonzero count completes), then the tail from `b`.
    fn head_walk(&self, i: usize, pos: usize, b: usize, path: &mut Path, out: &mut Vec<Path>) {
        if i == 0 {
            self.tail_walk(self.t + 1, b, path, out);
            return;
        }
        let head_name = &self.name[..self.w];
        for s in 0..=pos {
            if self.head_at(i - 1, s) != 0
                && each_end(&self.elems[i - 1], head_name, s, |e| e == pos)
            {
                path[i - 1] = pos;
                self.head_walk(i - 1, s, b, path, out);
            }
        }
    }

    /// Elements `i..` from `pos`, through the tail counts.
    fn tail_walk(&self, i: usize, pos: usize, path: &mut Path, out: &mut Vec<Path>) {
        if i == self.elems.len() {
            out.push(path.clone());
            return;
        }
        let tail_name = &self.name[self.base..];
        each_end(&self.elems[i], tail_name, pos - self.base, |end| {
            let end = self.base + end;
            if self.tail_at(i - self.t, end) != 0 {
                path[i] = end;
                self.tail_walk(i + 1, end, path, out);
            }
            false
        });
    }
}

/// How many ways the elements match the whole name (each occurrence on its
/// own), saturating at `u64::MAX`. Two rows of O(n) memory; text fields keep
/// a sliding window sum over the valid starts, so every element is O(n)
/// (numeric ones O(20 n)).
fn forward_count(elems: &[Elem], name: &[u8]) -> u64 {
    let n = name.len();
    let mut cur = vec![0u64; n + 1];
    let mut next = vec![0u64; n + 1];
    cur[0] = 1;
    for e in elems {
        next.iter_mut().for_each(|x| *x = 0);
        match e {
            Elem::Lit(l) => {
                for s in 0..=n.saturating_sub(l.len()) {
                    if cur[s] != 0 && name[s..].starts_with(l) {
                        next[s + l.len()] = cur[s];
                    }
                }
            }
            Elem::Field(f) => match f.class {
                Class::Numeric(_) => {
                    for (s, &c) in cur.iter().enumerate().take(n) {
                        if c == 0 {
                            continue;
                        }
                        each_end(e, name, s, |end| {
                            next[end] = sat(u128::from(next[end]) + u128::from(c));
                            false
                        });
                    }
                }
                Class::Text { min, max, no_dots } => {
                    // Valid starts for `end`: [lo, hi] with lo = max(run
                    // start, end - max) and hi = end - min, both
                    // non-decreasing in `end`: a sliding window.
                    let mut window: u128 = 0;
                    let (mut lo, mut hi_next) = (0usize, 0usize); // window = cur[lo..hi_next]
                    let mut run_start = 0usize;
                    for end in 0..=n {
                        if end > 0 && !text_byte_ok(name[end - 1]) {
                            run_start = end;
                        }
                        if end < min {
                            continue;
                        }
                        let hi = end - min;
                        while hi_next <= hi {
                            window += u128::from(cur[hi_next]);
                            hi_next += 1;
                        }
                        let new_lo = run_start.max(end.saturating_sub(max));
                        while lo < new_lo {
                            if lo < hi_next {
                                window -= u128::from(cur[lo]);
                            }
                            lo += 1;
                        }
                        if lo > hi {
                            continue;
                        }
                        let mut total = window;
                        if no_dots {
                            for dots in [1usize, 2] {
                                if end >= dots
                                    && (lo..=hi).contains(&(end - dots))
                                    && name[end - dots..end].iter().all(|&c| c == b'.')
                                {
                                    total -= u128::from(cur[end - dots]);
                                }
                            }
                        }
                        next[end] = sat(total);
                    }
                }
            },
        }
        core::mem::swap(&mut cur, &mut next);
    }
    cur[n]
}

/// Whether a text value of these bytes is excluded as exactly `.` or `..`.
fn dots_excluded(no_dots: bool, b: &[u8]) -> bool {
    no_dots && (b == b"." || b == b"..")
}

/// Candidate ends of element `e` starting at `s`, in increasing order.
/// Validation is incremental: O(1) per candidate end.
fn ends(e: &Elem, name: &[u8], s: usize) -> Vec<usize> {
    let mut out = Vec::new();
    each_end(e, name, s, |end| {
        out.push(end);
        false
    });
    out
}

/// Calls `f` with every end of a value of `e` starting at `s`, in order,
/// until `f` returns true; returns whether it did. Allocates nothing.
fn each_end(e: &Elem, name: &[u8], s: usize, mut f: impl FnMut(usize) -> bool) -> bool {
    let n = name.len();
    match e {
        Elem::Lit(l) => name[s..].starts_with(l) && f(s + l.len()),
        Elem::Field(fe) => match fe.class {
            Class::Numeric(num) => {
                // The value grows with each digit (what `numeric_value`
                // accepts, without parsing every prefix again).
                let neg = num.signed && name.get(s) == Some(&b'-');
                let first = s + usize::from(neg);
                let mut v: i128 = 0;
                let mut end = first;
                while end < n && end - first < num.max_digits && name[end].is_ascii_digit() {
                    if end > first && name[first] == b'0' {
                        break; // a leading zero: only "0" itself
                    }
                    v = v * 10 + i128::from(name[end] - b'0');
                    end += 1;
                    if neg && v == 0 {
                        continue; // "-0"
                    }
                    let value = if neg { -v } else { v };
                    if (num.min..=num.max).contains(&value) && f(end) {
                        return true;
                    }
                }
                false
            }
            Class::Text { min, max, no_dots } => {
                let lim = s.saturating_add(max).min(n);
                if min == 0 && f(s) {
                    return true;
                }
                for end in s + 1..=lim {
                    if !text_byte_ok(name[end - 1]) {
                        break;
                    }
                    if end - s >= min && !dots_excluded(no_dots, &name[s..end]) && f(end) {
                        return true;
                    }
                }
                false
            }
        },
    }
}

fn backward(elems: &[Elem], name: &[u8]) -> Vec<Vec<bool>> {
    let k = elems.len();
    let n = name.len();
    let mut feasible = vec![vec![false; n + 1]; k + 1];
    feasible[k][n] = true;
    // run_end[s]: largest e with name[s..e] all text bytes.
    let mut run_end = vec![n; n + 1];
    for s in (0..n).rev() {
        run_end[s] = if text_byte_ok(name[s]) {
            run_end[s + 1]
        } else {
            s
        };
    }
    let mut prefix = vec![0usize; n + 2];
    for i in (0..k).rev() {
        let (done, rest) = feasible.split_at_mut(i + 1);
        let next = &rest[0];
        let cur = &mut done[i];
        match &elems[i] {
            Elem::Lit(_)
            | Elem::Field(FieldElem {
                class: Class::Numeric(_),
                ..
            }) => {
                for (s, c) in cur.iter_mut().enumerate() {
                    // A literal only where it would land on a feasible end
                    // (a cheap test before the comparison).
                    if let Elem::Lit(l) = &elems[i]
                        && !next.get(s + l.len()).copied().unwrap_or(false)
                    {
                        continue;
                    }
                    *c = each_end(&elems[i], name, s, |e| next[e]);
                }
            }
            Elem::Field(FieldElem {
                class: Class::Text { min, max, no_dots },
                ..
            }) => {
                for e in 0..=n {
                    prefix[e + 1] = prefix[e] + usize::from(next[e]);
                }
                for s in 0..=n {
                    let lo = s + min;
                    let hi = run_end[s].min(s.saturating_add(*max)).min(n);
                    if lo > hi {
                        continue;
                    }
                    let mut total = prefix[hi + 1] - prefix[lo];
                    if *no_dots {
                        for dots in [1usize, 2] {
                            let e = s + dots;
                            if e >= lo && e <= hi && name[s..e].iter().all(|&c| c == b'.') {
                                total -= usize::from(next[e]);
                            }
                        }
                    }
                    cur[s] = total > 0;
                }
            }
        }
    }
    feasible
}

/// Rolling hash of a name, for O(1) substring comparison.
struct Hashes {
    h: Vec<u64>,
    p: Vec<u64>,
}

const MOD: u64 = (1 << 61) - 1;

fn mulmod(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    let lo = (r & u128::from(MOD)) as u64;
    let hi = (r >> 61) as u64;
    let s = lo + hi;
    if s >= MOD { s - MOD } else { s }
}

impl Hashes {
    fn new(name: &[u8]) -> Hashes {
        const BASE: u64 = 1_000_003;
        let mut h = vec![0u64; name.len() + 1];
        let mut p = vec![1u64; name.len() + 1];
        for (i, &b) in name.iter().enumerate() {
            h[i + 1] = (mulmod(h[i], BASE) + u64::from(b) + 1) % MOD;
            p[i + 1] = mulmod(p[i], BASE);
        }
        Hashes { h, p }
    }

    fn get(&self, s: usize, e: usize) -> u64 {
        (self.h[e] + MOD - mulmod(self.h[s], self.p[e - s])) % MOD
    }
}

/// Depth-first search for paths, guided by `feasible` (every branch taken
/// can still complete); repeated specifiers are bound at their first
/// occurrence and checked with a rolling hash at the later ones. With
/// `count_all`, visits every path (bounded by `budget` steps) and keeps the
/// first `limit`; otherwise stops after `limit` paths.
fn search(
    elems: &[Elem],
    name: &[u8],
    budget: u64,
    limit: usize,
    count_all: bool,
) -> (u64, bool, Vec<Path>) {
    let k = elems.len();
    // feasible[i][s]: elements i.. can match name[s..] (occurrences independent).
    let feasible = backward(elems, name);
    // Only a repeated specifier compares values; without one, skip hashing.
    let repeated = elems
        .iter()
        .enumerate()
        .any(|(i, e)| matches!(e, Elem::Field(f) if f.first != i));
    let hashes = Hashes::new(if repeated { name } else { &[] });
    struct St<'a> {
        elems: &'a [Elem],
        name: &'a [u8],
        feasible: &'a [Vec<bool>],
        hashes: &'a Hashes,
        steps: u64,
        budget: u64,
        count: u64,
        exhausted: bool,
        done: bool,
        count_all: bool,
        out: Vec<Path>,
        limit: usize,
        path: Vec<usize>,
        bound: Vec<Option<(usize, usize)>>,
    }
    fn rec(st: &mut St<'_>, i: usize, s: usize) {
        if st.exhausted || st.done {
            return;
        }
        st.steps += 1;
        if st.steps > st.budget {
            st.exhausted = true;
            return;
        }
        if i == st.elems.len() {
            if s == st.name.len() {
                // Verify repeated values byte for byte (the hash may collide).
                let ok = st.elems.iter().enumerate().all(|(j, e)| match e {
                    Elem::Field(f) if f.first != j => {
                        let (a, b) = span_of(&st.path, f.first);
                        let (c, d) = span_of(&st.path, j);
                        st.name[a..b] == st.name[c..d]
                    }
                    _ => true,
                });
                if ok {
                    st.count = st.count.saturating_add(1);
                    if st.out.len() < st.limit {
                        st.out.push(st.path.clone());
                    }
                    if !st.count_all && st.out.len() >= st.limit {
                        st.done = true;
                    }
                }
            }
            return;
        }
        let e = &st.elems[i];
        if let Elem::Field(f) = e
            && f.first != i
            && let Some((a, b)) = st.bound[f.first]
        {
            let len = b - a;
            let end = s + len;
            if end <= st.name.len()
                && st.feasible[i + 1][end]
                && st.hashes.get(a, b) == st.hashes.get(s, end)
            {
                st.path[i] = end;
                rec(st, i + 1, end);
            }
            return;
        }
        let ends: Vec<usize> = ends(e, st.name, s)
            .into_iter()
            .filter(|&x| st.feasible[i + 1][x])
            .collect();
        for end in ends {
            st.path[i] = end;
            if matches!(e, Elem::Field(_)) {
                st.bound[i] = Some((s, end));
            }
            rec(st, i + 1, end);
            st.bound[i] = None;
            if st.exhausted || st.done {
                return;
            }
        }
    }
    fn span_of(path: &[usize], i: usize) -> (usize, usize) {
        (if i == 0 { 0 } else { path[i - 1] }, path[i])
    }
    let mut st = St {
        elems,
        name,
        feasible: &feasible,
        hashes: &hashes,
        steps: 0,
        budget,
        count: 0,
        exhausted: false,
        done: limit == 0 && !count_all,
        count_all,
        out: Vec::new(),
        limit,
        path: vec![0; k],
        bound: vec![None; k],
    };
    if feasible[0][0] {
        rec(&mut st, 0, 0);
    }
    (st.count, !st.exhausted, st.out)
}

// ---------------------------------------------------------------------------
// Before 5.3: argv split after expansion

/// Where the whitespace normalisation of `argv_split()` stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Ws {
    /// Nothing produced yet: whitespace is dropped.
    Start,
    /// The last byte produced was not whitespace.
    Clean,
    /// Whitespace seen after some output: one separator is pending.
    Pending,
}

/// The separator element of the split-after-expand mode.
fn is_sep(e: &Elem) -> bool {
    matches!(e, Elem::Lit(l) if l == b" ")
}

/// The moves of element `e` from `(j, ws)` in the joined argv: the bytes it
/// stands for, and the next state.
fn presplit_moves(e: &Elem, hay: &[u8], j: usize, ws: Ws) -> Vec<((usize, usize), usize, Ws)> {
    let n = hay.len();
    let after_ws = |ws: Ws| match ws {
        Ws::Start => Ws::Start,
        Ws::Clean | Ws::Pending => Ws::Pending,
    };
    let mut out = Vec::new();
    if is_sep(e) {
        out.push(((j, j), j, after_ws(ws)));
        return out;
    }
    // Where the next visible byte starts.
    let visible = |j: usize| -> Option<usize> {
        match ws {
            Ws::Pending => (hay.get(j) == Some(&b' ')).then_some(j + 1),
            _ => Some(j),
        }
    };
    match e {
        Elem::Lit(l) => {
            if let Some(a) = visible(j)
                && hay[a.min(n)..].starts_with(l)
            {
                out.push(((a, a + l.len()), a + l.len(), Ws::Clean));
            }
        }
        Elem::Field(f) => match f.class {
            Class::Numeric(_) => {
                if let Some(a) = visible(j).filter(|&a| a <= n) {
                    for end in ends(e, hay, a) {
                        out.push(((a, end), end, Ws::Clean));
                    }
                }
            }
            Class::Text { min, max, no_dots } => {
                // An empty value (before 4.6 the kernel writes nothing for
                // one): nothing visible, and nothing changes.
                if min == 0 {
                    out.push(((j, j), j, ws));
                }
                // A value of whitespace only: nothing visible.
                if max >= 1 {
                    out.push(((j, j), j, after_ws(ws)));
                }
                // (start of the visible bytes, leading whitespace in the value)
                let mut starts = Vec::new();
                match ws {
                    Ws::Pending => starts.extend(visible(j).map(|a| (a, false))),
                    Ws::Start => starts.push((j, false)),
                    Ws::Clean => {
                        starts.push((j, false));
                        if hay.get(j) == Some(&b' ') {
                            starts.push((j + 1, true));
                        }
                    }
                }
                for (a, lead) in starts {
                    if a >= n || hay[a] == b' ' {
                        continue;
                    }
                    for b in a + 1..=n {
                        let c = hay[b - 1];
                        if !text_byte_ok(c) {
                            break;
                        }
                        if c == b' ' {
                            continue;
                        }
                        let core = b - a;
                        for trail in [false, true] {
                            if core + usize::from(lead) + usize::from(trail) > max {
                                continue;
                            }
                            if !lead && !trail && dots_excluded(no_dots, &hay[a..b]) {
                                continue;
                            }
                            let next = if trail { Ws::Pending } else { Ws::Clean };
                            out.push(((a, b), b, next));
                        }
                    }
                }
            }
        },
    }
    out
}

/// Every distinct way the elements explain the joined argv (before 5.3),
/// bounded by `budget` steps; keeps the first `LIST_CAP`.
fn presplit_search(elems: &[Elem], hay: &[u8], budget: u64) -> (u64, bool, Vec<Spans>) {
    use std::collections::{BTreeSet, HashMap};
    struct St<'a> {
        elems: &'a [Elem],
        hay: &'a [u8],
        memo: HashMap<(usize, usize, Ws), bool>,
        steps: u64,
        budget: u64,
        exhausted: bool,
        spans: Spans,
        found: BTreeSet<Spans>,
    }
    impl St<'_> {
        /// Whether elements `i..` can explain `hay[j..]` from `ws`.
        fn feasible(&mut self, i: usize, j: usize, ws: Ws) -> bool {
            if i == self.elems.len() {
                return j == self.hay.len();
            }
            if let Some(&v) = self.memo.get(&(i, j, ws)) {
                return v;
            }
            self.steps += 1;
            let moves = presplit_moves(&self.elems[i], self.hay, j, ws);
            let v = moves
                .into_iter()
                .any(|(_, j2, ws2)| self.feasible(i + 1, j2, ws2));
            self.memo.insert((i, j, ws), v);
            v
        }

        fn rec(&mut self, i: usize, j: usize, ws: Ws) {
            if self.exhausted {
                return;
            }
            self.steps += 1;
            if self.steps > self.budget {
                self.exhausted = true;
                return;
            }
            if i == self.elems.len() {
                let consistent = self.elems.iter().enumerate().all(|(k, e)| match e {
                    Elem::Field(f) if f.first != k => {
                        let (a, b) = self.spans[f.first];
                        let (c, d) = self.spans[k];
                        self.hay[a..b] == self.hay[c..d]
                    }
                    _ => true,
                });
                if j == self.hay.len() && consistent {
                    self.found.insert(self.spans.clone());
                }
                return;
            }
            for (span, j2, ws2) in presplit_moves(&self.elems[i], self.hay, j, ws) {
                if !self.feasible(i + 1, j2, ws2) {
                    continue;
                }
                self.spans[i] = span;
                self.rec(i + 1, j2, ws2);
                if self.exhausted {
                    return;
                }
            }
        }
    }
    let mut st = St {
        elems,
        hay,
        memo: HashMap::new(),
        steps: 0,
        budget,
        exhausted: false,
        spans: vec![(0, 0); elems.len()],
        found: BTreeSet::new(),
    };
    if st.feasible(0, 0, Ws::Start) {
        st.rec(0, 0, Ws::Start);
    }
    let count = u64::try_from(st.found.len()).unwrap_or(u64::MAX);
    (
        count,
        !st.exhausted,
        st.found.into_iter().take(LIST_CAP).collect(),
    )
}

// ---------------------------------------------------------------------------
// Results

enum Haystack<'n> {
    Borrowed(&'n [u8]),
    Owned(Vec<u8>),
}

impl Haystack<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Haystack::Borrowed(b) => b,
            Haystack::Owned(v) => v,
        }
    }
}

/// The result of matching one name or argv.
pub struct Matches<'n> {
    hay: Haystack<'n>,
    arg_starts: Vec<usize>,
    count: u64,
    exact: bool,
    /// Precomputed paths (all strategies but `General`, which searches on
    /// demand).
    paths: Option<Vec<Spans>>,
    elems: std::sync::Arc<[Elem]>,
    rlim_infinity: u64,
    dots: bool,
    strategy: Strategy,
}

impl fmt::Debug for Matches<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Matches")
            .field("count", &self.count)
            .field("exact", &self.exact)
            .field("strategy", &self.strategy)
            .finish_non_exhaustive()
    }
}

impl<'n> Matches<'n> {
    fn none(strategy: Strategy) -> Matches<'n> {
        Matches {
            hay: Haystack::Borrowed(&[]),
            arg_starts: Vec::new(),
            count: 0,
            exact: true,
            paths: Some(Vec::new()),
            elems: std::sync::Arc::from([]),
            rlim_infinity: u64::MAX,
            dots: true,
            strategy,
        }
    }

    /// How many distinct assignments of the fields explain the name
    /// (saturating at `u64::MAX`).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether the pattern can have produced the name.
    pub fn is_match(&self) -> bool {
        self.count > 0
    }

    /// Whether more than one assignment explains the name.
    pub fn is_ambiguous(&self) -> bool {
        self.count > 1
    }

    /// Whether [`count`](Matches::count) is exact (always, except when a
    /// search over repeated specifiers ran out of budget: then it is a lower
    /// bound).
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// The strategy that produced this result.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// The candidates, up to `limit` of them.
    pub fn candidates(&self, limit: usize) -> Vec<Candidate<'_>> {
        if limit == 0 {
            return Vec::new();
        }
        let paths = match &self.paths {
            Some(p) => p.iter().take(limit).cloned().collect(),
            None if self.count == 0 => Vec::new(),
            None => search(&self.elems, self.hay.bytes(), u64::MAX, limit, false)
                .2
                .iter()
                .map(|p| to_spans(p))
                .collect(),
        };
        paths.into_iter().map(|p| self.candidate(&p)).collect()
    }

    /// The candidates: at most 1,048,576 of them (2^20), and for a repeated
    /// specifier search at most the 4,096 kept. [`count`](Matches::count)
    /// is always the full number; use [`candidates`](Matches::candidates)
    /// to choose the limit.
    pub fn iter(&self) -> impl Iterator<Item = Candidate<'_>> + '_ {
        let limit = usize::try_from(self.count)
            .unwrap_or(usize::MAX)
            .min(1 << 20);
        self.candidates(limit).into_iter()
    }

    /// The fields every candidate agrees on (same bytes at the same place).
    /// `None` when nothing matched; when more than 4096 candidates exist,
    /// only fields of a unique match are reported (an empty candidate).
    pub fn best(&self) -> Option<Candidate<'_>> {
        if self.count == 0 {
            return None;
        }
        let all = self.candidates(4096);
        let mut iter = all.into_iter();
        let mut best = iter.next()?;
        if self.count > 4096 || !self.exact {
            best.fields.clear();
            return Some(best);
        }
        for c in iter {
            best.fields.retain(|f| {
                c.fields
                    .iter()
                    .any(|g| g.spec == f.spec && g.span == f.span)
            });
        }
        Some(best)
    }

    fn candidate(&self, spans: &[(usize, usize)]) -> Candidate<'_> {
        let name = self.hay.bytes();
        let mut fields = Vec::new();
        for (i, e) in self.elems.iter().enumerate() {
            let Some(&(start, end)) = spans.get(i) else {
                break;
            };
            if let Elem::Field(f) = e
                && f.first == i
            {
                let bytes = &name[start..end];
                let (arg, span) = self.locate(start, end);
                fields.push(Field {
                    spec: f.spec,
                    span,
                    arg,
                    bytes,
                    value: value_of(f.spec, bytes, self.rlim_infinity, self.dots),
                });
            }
        }
        Candidate { fields }
    }

    /// (argument index, span within it) for argv; (None, span) for names.
    fn locate(&self, s: usize, e: usize) -> (Option<usize>, Span) {
        if self.arg_starts.is_empty() {
            return (None, Span::from_usize(s, e));
        }
        let i = self
            .arg_starts
            .partition_point(|&a| a <= s)
            .saturating_sub(1);
        let base = self.arg_starts[i];
        (Some(i), Span::from_usize(s - base, e - base))
    }
}

fn value_of(spec: Specifier, b: &[u8], rlim_infinity: u64, dots: bool) -> FieldValue<'_> {
    let num = || -> i128 {
        let (neg, d) = match b {
            [b'-', rest @ ..] => (true, rest),
            _ => (false, b),
        };
        let v = d.iter().fold(0i128, |v, c| v * 10 + i128::from(c - b'0'));
        if neg { -v } else { v }
    };
    let u32v = || u32::try_from(num()).unwrap_or(u32::MAX);
    match spec {
        Specifier::Pid | Specifier::GlobalPid | Specifier::Tid | Specifier::GlobalTid => {
            FieldValue::Pid(u32v())
        }
        Specifier::Uid | Specifier::Gid => FieldValue::Id(u32v()),
        Specifier::Cpu => FieldValue::Cpu(u32v()),
        Specifier::Dumpable => FieldValue::Dumpable(u8::try_from(num()).unwrap_or(u8::MAX)),
        Specifier::Signal => FieldValue::Signal(Signal::new(u32v())),
        Specifier::Time => FieldValue::Time(i64::try_from(num()).unwrap_or(i64::MAX)),
        Specifier::CoreLimit => {
            let v = u64::try_from(num()).unwrap_or(u64::MAX);
            FieldValue::CoreLimit(if v == rlim_infinity {
                CoreLimit::Unlimited
            } else {
                CoreLimit::Bytes(v)
            })
        }
        _ => FieldValue::Text(Escaped { bytes: b, dots }),
    }
}

/// One way to assign the fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate<'m> {
    fields: Vec<Field<'m>>,
}

impl<'m> Candidate<'m> {
    /// The fields, in pattern order, each specifier once.
    pub fn fields(&self) -> &[Field<'m>] {
        &self.fields
    }

    /// The field of `spec`, if the pattern has it (and, for
    /// [`Matches::best`], all candidates agree on it).
    pub fn get(&self, spec: Specifier) -> Option<&Field<'m>> {
        self.fields.iter().find(|f| f.spec == spec)
    }
}

/// One recovered field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field<'m> {
    spec: Specifier,
    span: Span,
    arg: Option<usize>,
    bytes: &'m [u8],
    value: FieldValue<'m>,
}

impl<'m> Field<'m> {
    /// The specifier.
    pub fn spec(&self) -> Specifier {
        self.spec
    }

    /// Where in the name (or in the argument, for argv) the value stands.
    pub fn span(&self) -> Span {
        self.span
    }

    /// For argv matches: the index of the argument.
    pub fn arg(&self) -> Option<usize> {
        self.arg
    }

    /// The bytes as they stand in the name (escaped for text fields).
    pub fn bytes(&self) -> &'m [u8] {
        self.bytes
    }

    /// The typed value.
    pub fn value(&self) -> &FieldValue<'m> {
        &self.value
    }
}

/// A recovered value, typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldValue<'m> {
    /// `%p %P %i %I`.
    Pid(u32),
    /// `%u %g`.
    Id(u32),
    /// `%C`.
    Cpu(u32),
    /// `%d`.
    Dumpable(u8),
    /// `%s`.
    Signal(Signal),
    /// `%t`: seconds since the Epoch.
    Time(i64),
    /// `%c` (`Unlimited` for the kernel's `RLIM_INFINITY`).
    CoreLimit(CoreLimit),
    /// `%e %E %f %h`: escaped text.
    Text(Escaped<'m>),
}

/// An escaped value (`%e`, `%E`, `%f`, `%h`). Escaping is lossy: every `!`
/// may have been `/` or a `!`; from 4.6 on, the value `!` may also have been
/// `.` or empty, and `!.` may have been `..`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Escaped<'m> {
    bytes: &'m [u8],
    /// The kernel escapes `.`, `..` and empty values (4.6+).
    dots: bool,
}

impl<'m> Escaped<'m> {
    /// The bytes as the kernel wrote them.
    pub fn escaped(&self) -> &'m [u8] {
        self.bytes
    }

    /// Whether the value is certainly the original (it has no `!`).
    pub fn is_exact(&self) -> bool {
        !self.bytes.contains(&b'!')
    }

    /// The most likely original: every `!` read as `/` (what apport does
    /// for `%E`).
    pub fn likely_original(&self) -> Vec<u8> {
        self.bytes
            .iter()
            .map(|&b| if b == b'!' { b'/' } else { b })
            .collect()
    }

    /// How many originals the kernel could have escaped to these bytes
    /// (saturating).
    pub fn original_count(&self) -> u64 {
        let bangs = self.bytes.iter().filter(|&&b| b == b'!').count();
        let base = if bangs >= 64 { u64::MAX } else { 1u64 << bangs };
        let extra = match self.bytes {
            b"!" if self.dots => 2,  // "." and ""
            b"!." if self.dots => 1, // ".."
            _ => 0,
        };
        base.saturating_add(extra)
    }

    /// The possible originals, up to `limit` of them.
    pub fn originals(&self, limit: usize) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = Vec::new();
        match self.bytes {
            b"!" if self.dots => out.extend([b".".to_vec(), Vec::new()]),
            b"!." if self.dots => out.push(b"..".to_vec()),
            _ => {}
        }
        let bangs: Vec<usize> = self
            .bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'!')
            .map(|(i, _)| i)
            .collect();
        let combos: u64 = if bangs.len() >= 64 {
            u64::MAX
        } else {
            1 << bangs.len()
        };
        let mut mask: u64 = 0;
        while out.len() < limit && mask < combos {
            let mut v = self.bytes.to_vec();
            for (bit, &i) in bangs.iter().enumerate() {
                // Bit set: the byte stays `!`; clear: it was `/`.
                if mask & (1 << bit.min(63)) == 0 {
                    v[i] = b'/';
                }
            }
            out.push(v);
            mask += 1;
        }
        out.truncate(limit);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `each_end` builds numeric values digit by digit; it must accept
    /// exactly the prefixes `numeric_value` accepts.
    #[test]
    fn numeric_ends_agree_with_numeric_value() {
        let classes = [
            Numeric {
                max_digits: 10,
                min: 1,
                max: 4_194_304,
                signed: false,
            },
            Numeric {
                max_digits: 10,
                min: 0,
                max: u32::MAX.into(),
                signed: false,
            },
            Numeric {
                max_digits: 19,
                min: i64::MIN.into(),
                max: i64::MAX.into(),
                signed: true,
            },
            Numeric {
                max_digits: 2,
                min: 1,
                max: 64,
                signed: false,
            },
        ];
        let names: [&[u8]; 9] = [
            b"0",
            b"007",
            b"-0",
            b"-01",
            b"-1700000000x",
            b"12345678901234567890123",
            b"4194304",
            b"4194305",
            b"-9223372036854775808",
        ];
        for num in classes {
            let e = Elem::Field(FieldElem {
                spec: Specifier::Pid,
                first: 0,
                class: Class::Numeric(num),
            });
            for name in names {
                for s in 0..name.len() {
                    let want: Vec<usize> = (s + 1..=name.len())
                        .filter(|&end| numeric_value(&num, &name[s..end]).is_some())
                        .collect();
                    assert_eq!(ends(&e, name, s), want, "{num:?} {:?} at {s}", name);
                }
            }
        }
    }
}
