//! The result of matching: the candidates, their fields, and the typed
//! values read back from the bytes.

use super::Strategy;
use super::compile::Elem;
use super::count::{Spans, to_spans};
use super::search::search;
use crate::expand::CoreLimit;
use crate::signal::Signal;
use crate::span::Span;
use crate::spec::Specifier;
use core::fmt;

pub(super) enum Haystack<'n> {
    Borrowed(&'n [u8]),
    Owned(Vec<u8>),
}

impl Haystack<'_> {
    pub(super) fn bytes(&self) -> &[u8] {
        match self {
            Haystack::Borrowed(b) => b,
            Haystack::Owned(v) => v,
        }
    }
}

/// The candidates of a match, as found.
pub(super) enum Paths {
    /// Listed while matching (at most `LIST_CAP` of them).
    Listed(Vec<Spans>),
    /// Searched for when asked (the general program counts only).
    Searched,
    /// The one match of a read without a choice, kept inline.
    One(OnePath),
}

/// The most elements whose one path is kept inline.
const ONE_MAX: usize = 40;

/// Each element's end, for a pattern of at most `ONE_MAX` elements and a
/// name under 4 GiB.
#[derive(Clone, Copy)]
pub(super) struct OnePath {
    len: u8,
    ends: [u32; ONE_MAX],
}

impl Paths {
    /// The one path whose elements end at `ends`: inline when it fits.
    pub(super) fn one(ends: &[usize]) -> Paths {
        let mut one = OnePath {
            len: 0,
            ends: [0; ONE_MAX],
        };
        if let Ok(len) = u8::try_from(ends.len())
            && ends.len() <= ONE_MAX
            && ends.last().is_none_or(|&e| u32::try_from(e).is_ok())
        {
            one.len = len;
            for (slot, &e) in one.ends.iter_mut().zip(ends) {
                // Ends never decrease: all fit when the last does.
                *slot = e as u32;
            }
            Paths::One(one)
        } else {
            Paths::Listed(vec![to_spans(ends)])
        }
    }
}

impl OnePath {
    fn span(&self, i: usize) -> (usize, usize) {
        let end = self.ends[i] as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        (start, end)
    }
}

/// The result of matching one name or argv.
pub struct Matches<'n> {
    pub(super) hay: Haystack<'n>,
    pub(super) arg_starts: Vec<usize>,
    pub(super) count: u64,
    pub(super) exact: bool,
    /// The candidates, listed, searched for on demand, or the one.
    pub(super) paths: Paths,
    pub(super) elems: std::sync::Arc<[Elem]>,
    pub(super) rlim_infinity: u64,
    pub(super) dots: bool,
    pub(super) strategy: Strategy,
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
    pub(super) fn none(strategy: Strategy) -> Matches<'n> {
        Matches {
            hay: Haystack::Borrowed(&[]),
            arg_starts: Vec::new(),
            count: 0,
            exact: true,
            paths: Paths::Listed(Vec::new()),
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
        if limit == 0 || self.count == 0 {
            return Vec::new();
        }
        match &self.paths {
            Paths::Listed(p) => p
                .iter()
                .take(limit)
                .map(|s| self.candidate(s.len(), |i| s[i]))
                .collect(),
            Paths::One(one) => vec![self.candidate(usize::from(one.len), |i| one.span(i))],
            Paths::Searched => search(&self.elems, self.hay.bytes(), u64::MAX, limit, false)
                .2
                .iter()
                .map(|p| {
                    let s = to_spans(p);
                    self.candidate(s.len(), |i| s[i])
                })
                .collect(),
        }
    }

    /// The first candidate.
    fn first(&self) -> Option<Candidate<'_>> {
        match &self.paths {
            _ if self.count == 0 => None,
            Paths::Listed(p) => p.first().map(|s| self.candidate(s.len(), |i| s[i])),
            Paths::One(one) => Some(self.candidate(usize::from(one.len), |i| one.span(i))),
            Paths::Searched => self.candidates(1).pop(),
        }
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
        if self.count == 1 && self.exact {
            return self.first();
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

    /// The candidate whose element `i` (of the first `len`) stands for the
    /// bytes `span(i)`.
    fn candidate(&self, len: usize, span: impl Fn(usize) -> (usize, usize)) -> Candidate<'_> {
        let name = self.hay.bytes();
        let elems = &self.elems[..len.min(self.elems.len())];
        let firsts = |(i, e): (usize, &Elem)| matches!(e, Elem::Field(f) if f.first == i);
        let mut fields =
            Vec::with_capacity(elems.iter().enumerate().filter(|&x| firsts(x)).count());
        for (i, e) in elems.iter().enumerate() {
            if let Elem::Field(f) = e
                && f.first == i
            {
                let (start, end) = span(i);
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
    // The bytes were read as a value of the field: digits, maybe a sign,
    // a magnitude that fits a u64.
    let num = || -> i128 {
        let (neg, d) = match b {
            [b'-', rest @ ..] => (true, rest),
            _ => (false, b),
        };
        let v = d.iter().fold(0u64, |v, &c| {
            v.wrapping_mul(10)
                .wrapping_add(u64::from(c.wrapping_sub(b'0')))
        });
        if neg { -i128::from(v) } else { i128::from(v) }
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
