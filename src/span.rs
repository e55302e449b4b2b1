//! Byte spans into a pattern.

use core::fmt;
use core::ops::Range;

/// A half-open byte range `start..end` into the bytes a value was parsed from.
///
/// Spans are byte offsets, never character offsets: `core_pattern` is a
/// kernel byte string and may hold bytes that are not UTF-8.
///
/// ```
/// use core_pattern::Span;
/// let s = Span::new(2, 4);
/// assert_eq!(s.len(), 2);
/// assert_eq!(&b"a/%p"[s.range()], b"%p");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// First byte of the span.
    pub start: u32,
    /// One past the last byte of the span.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (half-open). `end` is raised to `start`
    /// if it is smaller, so a span is never inverted.
    pub const fn new(start: u32, end: u32) -> Span {
        Span {
            start,
            end: if end < start { start } else { end },
        }
    }

    /// A span built from `usize` offsets, saturating at `u32::MAX`.
    pub fn from_usize(start: usize, end: usize) -> Span {
        let c = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Span::new(c(start), c(end))
    }

    /// Number of bytes covered.
    pub const fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// True when the span covers no byte.
    pub const fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// The span as a `usize` range, for slicing.
    pub const fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<Span> for Range<usize> {
    fn from(s: Span) -> Range<usize> {
        s.range()
    }
}
