//! Reverse matching: from a core file name or a helper's argv back to the
//! fields that produced it.
//!
//! The folder, bottom up (each file uses the ones listed before it and what
//! this one defines, never one listed after it):
//! - `compile.rs`: the elements a pattern compiles to (literal runs, numeric
//!   and text fields), the shapes that choose the strategy, and
//!   [`Matcher::new`];
//! - `count.rs`: counting: the one-text-field program read from both ends,
//!   the forward count and the backward table;
//! - `read.rs`: the shapes that read off without a choice, from both ends
//!   (at most one match, or two text fields around a literal), in one pass;
//! - `search.rs`: the candidate searches: repeated specifiers (rolling
//!   hashes) and, before 5.3, the argv split after expansion;
//! - `matches.rs`: the results: [`Matches`], [`Candidate`], [`Field`] and
//!   the typed values;
//! - `mod.rs` (this file): this guide, the public types and the [`Matcher`]
//!   API.
//!
//! A [`Matcher`] is compiled once from a pattern (its kernel) and the
//! settings, and matches many names. It never guesses: a name that several
//! assignments of the fields explain is reported with every assignment
//! ([`Matches::count`], [`Matches::iter`]), and [`Matches::best`] keeps only
//! the fields all of them agree on.
//!
//! # Complexity
//!
//! Most deployed patterns read off without a choice, from both ends of the
//! name, in one O(n) pass (see [`Strategy::Anchored`]; the ACS annotation,
//! `core.%e.%p.%t` and the systemd, apport and ABRT argv, under
//! [`Strategy::General`], read the same way). Otherwise matching is a
//! dynamic program over (pattern element, name position): no
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
//!
//! # Example
//!
//! A crash collector watching the ACS volume recovers who crashed, and
//! when, from the names it finds there:
//!
//! ```
//! use core_pattern::reverse::{FieldValue, MatchOptions, Target};
//! use core_pattern::{Pattern, Settings, Specifier};
//!
//! let pattern = Pattern::parse("/data/dump-a/core-%E-%p-%t")?;
//! let matcher = pattern.matcher(&Settings::new(), MatchOptions::new().target(Target::Component))?;
//!
//! let found = matcher.match_name(b"core-!usr!lib!jvm!bin!java-1-1700000000");
//! let best = found.best().expect("the name matches");
//! match best.get(Specifier::ExePath).map(|f| f.value()) {
//!     // `%E` turned `/` into `!`; the likely original path is given back.
//!     Some(FieldValue::Text(e)) => assert_eq!(e.likely_original(), b"/usr/lib/jvm/bin/java"),
//!     other => panic!("{other:?}"),
//! }
//! assert_eq!(best.get(Specifier::Pid).map(|f| f.value()), Some(&FieldValue::Pid(1)));
//!
//! // A name this pattern cannot produce is no match, never a guess.
//! assert!(!matcher.match_name(b"core.1234").is_match());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compile;
mod count;
mod matches;
mod read;
mod search;

pub use matches::{Candidate, Escaped, Field, FieldValue, Matches};

use crate::expand::Settings;
use crate::feature::Feature;
use crate::kernel::KernelProfile;
use crate::parse::{Mode, Pattern};
use crate::spec::Specifier;
use compile::Elem;
use count::{OneText, forward_count, to_spans};
use matches::{Haystack, Paths};
use read::{Middle, Plan, Read};
use search::{presplit_search, search};

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
// The compiled matcher

/// A compiled reverse matcher. Immutable and `Send + Sync`: share it.
///
/// ```
/// use core_pattern::reverse::{MatchOptions, Target};
/// use core_pattern::{Pattern, Settings, Specifier};
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
    /// [`Strategy::Anchored`] and [`Strategy::General`]: how the name is
    /// read from both ends (see `read.rs`).
    plan: Option<Plan>,
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
        // The kernel always passes argv[0]. Arguments never contain NUL; before
        // 5.3 they are also never empty and never contain whitespace.
        let impossible = argv.is_empty()
            || (!split
                && argv
                    .iter()
                    .any(|a| a.is_empty() || a.iter().any(|&c| crate::parse::is_kernel_space(c))));
        if impossible {
            return Matches::none(self.strategy);
        }
        let sep = if split { 0u8 } else { b' ' };
        let mut joined = Vec::with_capacity(argv.iter().map(|a| a.len() + 1).sum());
        let mut starts = Vec::with_capacity(argv.len());
        for (i, a) in argv.iter().enumerate() {
            if i > 0 {
                joined.push(sep);
            }
            starts.push(joined.len());
            joined.extend_from_slice(a);
        }
        // One scan: the separators are the only NULs (with spaces as
        // separators, any NUL).
        let nuls = memchr::memchr_iter(0, &joined).count();
        if nuls != if split { argv.len() - 1 } else { 0 } {
            return Matches::none(self.strategy);
        }
        self.run(Haystack::Owned(joined), starts)
    }

    /// Adds the plan of [`Strategy::Anchored`] and [`Strategy::General`].
    fn planned(mut self) -> Matcher {
        if matches!(self.strategy, Strategy::Anchored | Strategy::General) {
            self.plan = Some(Plan::new(&self.elems));
        }
        self
    }

    /// [`Strategy::Anchored`] and [`Strategy::General`]: read from both
    /// ends when the shape allows it; otherwise the shape with one text
    /// field is counted from both ends, and anything else by the full
    /// program and searched when candidates are asked for.
    fn general(&self, name: &[u8]) -> (u64, bool, Paths) {
        if let Some(plan) = &self.plan {
            let k = self.elems.len();
            let mut inline = [0usize; 40];
            let mut heap = Vec::new();
            let ends: &mut [usize] = if k <= inline.len() {
                &mut inline[..k]
            } else {
                heap.resize(k, 0);
                &mut heap
            };
            match plan.read(&self.elems, name, ends) {
                Read::None => {
                    debug_assert_eq!(forward_count(&self.elems, name), 0);
                    return (0, true, Paths::Listed(Vec::new()));
                }
                Read::One => {
                    debug_assert_eq!(forward_count(&self.elems, name), 1);
                    return (1, true, Paths::one(ends));
                }
                Read::Middle(a, b) if plan.middle() == Middle::TextLitText => {
                    let h = plan.head();
                    let mut count: u64 = 0;
                    let mut paths = Vec::new();
                    for (q, r) in plan.splits(&self.elems, name, a, b) {
                        count += 1;
                        if paths.len() <= LIST_CAP {
                            ends[h] = q;
                            ends[h + 1] = r;
                            ends[h + 2] = b;
                            paths.push(to_spans(ends));
                        }
                    }
                    debug_assert_eq!(count, forward_count(&self.elems, name));
                    let paths = if paths.len() > LIST_CAP {
                        Paths::Searched
                    } else {
                        Paths::Listed(paths)
                    };
                    return (count, true, paths);
                }
                Read::Middle(..) | Read::Unsure => {}
            }
        }
        let Some(t) = self.one_text else {
            return (forward_count(&self.elems, name), true, Paths::Searched);
        };
        let sides = OneText::new(&self.elems, t, name);
        let (count, joins) = sides.count();
        debug_assert_eq!(count, forward_count(&self.elems, name));
        // Few enough to list: keep them, as the other strategies do;
        // otherwise they are searched for.
        if count > LIST_CAP as u64 {
            return (count, true, Paths::Searched);
        }
        let paths = sides.paths(&joins);
        debug_assert_eq!(
            paths,
            search(&self.elems, name, u64::MAX, LIST_CAP, false).2,
            "both ends agree with the search"
        );
        (
            count,
            true,
            Paths::Listed(paths.iter().map(|p| to_spans(p)).collect()),
        )
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
                (u64::from(ok), true, Paths::Listed(paths))
            }
            Strategy::Anchored | Strategy::General => self.general(name),
            Strategy::Backreference => {
                let (count, exact, paths) = search(&self.elems, name, self.budget, LIST_CAP, true);
                (
                    count,
                    exact,
                    Paths::Listed(paths.iter().map(|p| to_spans(p)).collect()),
                )
            }
            Strategy::SplitAfterExpand => {
                let (count, exact, paths) = presplit_search(&self.elems, name, self.budget);
                (count, exact, Paths::Listed(paths))
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
