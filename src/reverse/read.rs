//! Reading a name from both ends, where the shape leaves no choice.
//!
//! Most deployed patterns pin every field down. A number followed by a
//! literal that starts with a non-digit ends where its digits end; a text
//! field followed by a literal that starts with `/` or NUL (bytes no value
//! holds) ends at the first of them. The elements are read from the left
//! while that holds (the head), and from the right while the mirror rule
//! holds (the tail: a number after a literal that ends in a non-digit, a
//! text field after a literal that ends in `/` or NUL, and the element just
//! after the head, whose start the head fixes). What is left between them
//! (the middle) is empty for the ACS annotation, `core.%e.%p.%t`, every
//! anchored pattern and the systemd, apport and ABRT argv: then a name has
//! at most one match, found in one pass without allocating. A middle of
//! two text fields around a literal (`core.%e.%h.%p.%t`) is counted from
//! the literal's occurrences between them. Any other middle, and a signed
//! number the tail can read two ways, are left to the general program.
//!
//! Every step is a comparison or a scan of the bytes it consumes: O(n).

use super::compile::{Class, Elem, Numeric, numeric_value};
use super::count::TextRule;

/// Whether a text field's value stops at `b`: no field value holds a `/`
/// or a NUL.
fn stops_text(b: u8) -> bool {
    b == b'/' || b == 0
}

/// The first `/` or NUL in `b`.
fn first_stop(b: &[u8]) -> Option<usize> {
    memchr::memchr2(b'/', 0, b)
}

/// How a pattern's elements are read, chosen once when it is compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Plan {
    /// `elems[..head]` are read left to right.
    head: usize,
    /// `elems[tail..]` are read right to left (`tail >= head`).
    tail: usize,
    middle: Middle,
}

/// What lies between the head and the tail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Middle {
    /// Nothing: at most one match.
    Empty,
    /// A text field, a literal, a text field.
    TextLitText,
    /// Anything else: the general program counts.
    Other,
}

/// What a read found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Read {
    /// No match.
    None,
    /// Exactly one match; every element's end is written.
    One,
    /// The head and the tail match (their ends are written); the middle
    /// must match `name[a..b]`.
    Middle(usize, usize),
    /// A signed number of the tail reads two ways (`--5` after a `-`):
    /// left to the general program.
    Unsure,
}

/// Whether `value` is a value of element `e` (a literal's bytes, a number
/// in range, a text of the right length without `/`, NUL, `.` or `..`).
fn takes(e: &Elem, value: &[u8]) -> bool {
    match e {
        Elem::Lit(l) => l.as_slice() == value,
        Elem::Field(f) => match f.class {
            Class::Numeric(n) => numeric_value(&n, value).is_some(),
            Class::Text { .. } => {
                first_stop(value).is_none() && TextRule::of(e).is_some_and(|r| r.takes(value))
            }
        },
    }
}

/// A number of `num` starting at `pos` and running to the last digit
/// (a sign first, if signed): where it ends, when it is one. One pass.
fn read_number(num: &Numeric, name: &[u8], pos: usize) -> Option<usize> {
    let neg = num.signed && name.get(pos) == Some(&b'-');
    let first = pos + usize::from(neg);
    let digits = &name[first.min(name.len())..];
    let mut v: Option<u64> = Some(0);
    let mut len = 0;
    for &d in digits {
        let x = d.wrapping_sub(b'0');
        if x > 9 {
            break;
        }
        // Past a u64: out of every range (and never a panic).
        v = v.and_then(|v| v.checked_mul(10)?.checked_add(u64::from(x)));
        len += 1;
    }
    let v = v?;
    if len == 0 || len > num.max_digits || (len > 1 && digits[0] == b'0') || (neg && v == 0) {
        return None;
    }
    let v = if neg { -i128::from(v) } else { i128::from(v) };
    (num.min..=num.max).contains(&v).then_some(first + len)
}

fn is_text(e: &Elem) -> bool {
    TextRule::of(e).is_some()
}

impl Plan {
    /// The plan for `elems` (no specifier repeated: a repeat needs the
    /// search).
    pub(super) fn new(elems: &[Elem]) -> Plan {
        let k = elems.len();
        // Element `i` ends without a choice, given where it starts.
        let left = |i: usize| match &elems[i] {
            Elem::Lit(_) => true,
            Elem::Field(f) => match elems.get(i + 1) {
                None => true,
                Some(Elem::Field(_)) => false,
                Some(Elem::Lit(l)) => l.first().is_some_and(|&c| match f.class {
                    Class::Numeric(_) => !c.is_ascii_digit(),
                    Class::Text { .. } => stops_text(c),
                }),
            },
        };
        let head = (0..k).find(|&i| !left(i)).unwrap_or(k);
        // Element `i` starts without a choice, given where it ends.
        let right = |i: usize| match &elems[i] {
            Elem::Lit(_) => true,
            Elem::Field(f) => match i.checked_sub(1).map(|j| &elems[j]) {
                Some(Elem::Lit(l)) => l.last().is_some_and(|&c| match f.class {
                    Class::Numeric(_) => !c.is_ascii_digit(),
                    Class::Text { .. } => stops_text(c),
                }),
                _ => false,
            },
        };
        let mut tail = k;
        // The element just after the head starts where the head ends.
        while tail > head && (tail - 1 == head || right(tail - 1)) {
            tail -= 1;
        }
        let middle = match &elems[head..tail] {
            [] => Middle::Empty,
            [x, Elem::Lit(_), y] if is_text(x) && is_text(y) => Middle::TextLitText,
            _ => Middle::Other,
        };
        Plan { head, tail, middle }
    }

    /// What lies between the head and the tail.
    pub(super) fn middle(&self) -> Middle {
        self.middle
    }

    /// Reads `name`, writing the end of each element read into `ends`
    /// (`elems.len()` long).
    pub(super) fn read(&self, elems: &[Elem], name: &[u8], ends: &mut [usize]) -> Read {
        let Some(a) = self.read_left(elems, name, ends) else {
            return Read::None;
        };
        match self.read_right(elems, name, a, ends) {
            Err(r) => r,
            Ok(b) if self.middle == Middle::Empty => {
                if b == a {
                    Read::One
                } else {
                    Read::None
                }
            }
            Ok(b) => Read::Middle(a, b),
        }
    }

    /// The head, from the start: where it ends.
    fn read_left(&self, elems: &[Elem], name: &[u8], ends: &mut [usize]) -> Option<usize> {
        let n = name.len();
        let mut pos = 0;
        for (i, e) in elems[..self.head].iter().enumerate() {
            let end = match e {
                Elem::Lit(l) => {
                    if !name[pos..].starts_with(l) {
                        return None;
                    }
                    pos + l.len()
                }
                Elem::Field(f) => match &f.class {
                    Class::Numeric(num) => read_number(num, name, pos)?,
                    Class::Text { .. } => {
                        // No `/` or NUL before `end`.
                        let end = first_stop(&name[pos..]).map_or(n, |j| pos + j);
                        if !TextRule::of(e).is_some_and(|r| r.takes(&name[pos..end])) {
                            return None;
                        }
                        end
                    }
                },
            };
            ends[i] = end;
            pos = end;
        }
        Some(pos)
    }

    /// The tail, from the end down to `a` (where the head ended): where
    /// it starts.
    fn read_right(
        &self,
        elems: &[Elem],
        name: &[u8],
        a: usize,
        ends: &mut [usize],
    ) -> Result<usize, Read> {
        let mut pos = name.len();
        for i in (self.tail..elems.len()).rev() {
            ends[i] = pos;
            let e = &elems[i];
            let start = if i == self.head {
                a
            } else {
                match e {
                    Elem::Lit(l) => match pos.checked_sub(l.len()) {
                        Some(s) if s >= a => s,
                        _ => return Err(Read::None),
                    },
                    Elem::Field(f) => match f.class {
                        Class::Numeric(num) => {
                            let mut d = pos;
                            while d > a && name[d - 1].is_ascii_digit() {
                                d -= 1;
                            }
                            if num.signed && d > a && name[d - 1] == b'-' {
                                // Positive, after a literal ending in this
                                // `-`; or negative, after a literal ending
                                // before the sign.
                                let last = match &elems[i - 1] {
                                    Elem::Lit(l) => l.last().copied(),
                                    Elem::Field(_) => None,
                                };
                                let positive = last == Some(b'-');
                                let negative = d >= a + 2 && Some(name[d - 2]) == last;
                                if positive && negative {
                                    return Err(Read::Unsure);
                                }
                                if !positive {
                                    d -= 1;
                                }
                            }
                            d
                        }
                        Class::Text { .. } => {
                            memchr::memrchr2(b'/', 0, &name[a..pos]).map_or(a, |j| a + j + 1)
                        }
                    },
                }
            };
            if !takes(e, &name[start..pos]) {
                return Err(Read::None);
            }
            pos = start;
        }
        Ok(pos)
    }

    /// For [`Middle::TextLitText`] over `name[a..b]`: every place the
    /// literal can stand, as its (start, end), in increasing order. Each is
    /// one match; the elements' ends are (start, end, `b`).
    pub(super) fn splits<'a>(
        &self,
        elems: &'a [Elem],
        name: &'a [u8],
        a: usize,
        b: usize,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        let h = self.head;
        let (x, lit, y) = match &elems[h..self.tail] {
            [x, Elem::Lit(l), y] => (TextRule::of(x), l.as_slice(), TextRule::of(y)),
            _ => (None, &[][..], None),
        };
        let w = &name[a..b];
        let first = lit.first().copied().unwrap_or(0);
        // Neither value holds a `/` or NUL: the literal starts at or before
        // the first one and ends at or after the last one.
        let (lo, hi) = match (x, y) {
            (Some(x), Some(_)) if !lit.is_empty() && w.len() >= lit.len() => {
                let hi = first_stop(w)
                    .unwrap_or(w.len())
                    .min(x.max)
                    .min(w.len() - lit.len());
                (x.min, hi)
            }
            _ => (1, 0),
        };
        let last_stop = memchr::memrchr2(b'/', 0, w).map_or(0, |j| j + 1);
        let scan = if lo <= hi { &w[lo..=hi] } else { &[][..] };
        memchr::memchr_iter(first, scan)
            .map(move |j| lo + j)
            .filter(move |&q| {
                let r = q + lit.len();
                r >= last_stop
                    && w[q..].starts_with(lit)
                    && x.is_some_and(|x| x.takes(&w[..q]))
                    && y.is_some_and(|y| y.takes(&w[r..]))
            })
            .map(move |q| (a + q, a + q + lit.len()))
    }

    /// The index of the middle's first element.
    pub(super) fn head(&self) -> usize {
        self.head
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::Settings;
    use crate::kernel::KernelProfile;
    use crate::parse::ParseOptions;
    use crate::reverse::count::forward_count;
    use crate::reverse::matches::{Matches, Paths};
    use crate::reverse::{MatchOptions, Matcher, Target};
    use proptest::prelude::*;

    fn matcher(pattern: &[u8], kernel: &str, target: Target) -> Matcher {
        let k = KernelProfile::parse(kernel).unwrap();
        ParseOptions::new()
            .kernel(k)
            .parse(pattern)
            .unwrap()
            .matcher(&Settings::default(), MatchOptions::new().target(target))
            .unwrap()
    }

    /// The same name through the general program: the forward count, and
    /// candidates searched for.
    fn general<'n>(m: &Matcher, name: &'n [u8]) -> Matches<'n> {
        let mut found = m.match_name(name);
        found.count = forward_count(&m.elems, name);
        found.paths = Paths::Searched;
        found
    }

    fn plan_of(pattern: &[u8]) -> (usize, usize, Middle) {
        let m = matcher(pattern, "6.12.0", Target::Path);
        let p = m.plan.expect("a plan");
        (p.head, p.tail, p.middle)
    }

    #[test]
    fn plans_of_deployed_shapes() {
        // Literal, %E, `-`, %p, `-`, %t: the tail reads back to the head.
        assert_eq!(
            plan_of(b"/data/dump-a/core-%E-%p-%t"),
            (1, 1, Middle::Empty)
        );
        assert_eq!(
            plan_of(b"/var/lib/cores/core.%e.%p.%t"),
            (1, 1, Middle::Empty)
        );
        assert_eq!(plan_of(b"/var/crash/core.%p.%s.%t"), (6, 6, Middle::Empty));
        assert_eq!(plan_of(b"core.%p"), (2, 2, Middle::Empty));
        assert_eq!(
            plan_of(b"/cores/core.%e.%h.%p.%t"),
            (1, 4, Middle::TextLitText)
        );
        // `/` ends a text field from the left.
        assert_eq!(plan_of(b"/cores/%h/core.%e.%p"), (3, 3, Middle::Empty));
        // Two numbers side by side: the general program.
        assert_eq!(plan_of(b"core.%p%u"), (1, 3, Middle::Other));
        assert_eq!(plan_of(b"core.%e.%p.%h"), (1, 6, Middle::Other));
        // Argv, NUL-joined: every argument reads off.
        for pipe in [
            crate::parse::Pattern::parse(
                "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F",
            ),
            crate::parse::Pattern::parse(
                "|/usr/share/apport/apport -p%p -s%s -c%c -d%d -P%P -u%u -g%g -F%F -- %E",
            ),
            crate::parse::Pattern::parse(
                "|/usr/libexec/abrt-hook-ccpp %s %c %p %u %g %t %e %P %I %h",
            ),
        ] {
            let m = pipe
                .unwrap()
                .matcher(&Settings::default(), MatchOptions::new())
                .unwrap();
            let p = m.plan.expect("a plan");
            assert_eq!((p.head, p.middle), (m.elems.len(), Middle::Empty));
        }
    }

    #[test]
    fn two_text_fields_around_a_literal() {
        let m = matcher(b"/cores/core.%e.%h.%p.%t", "6.12.0", Target::Path);
        let found = m.match_name(b"/cores/core.java.node-12.prod.23817.1795823961");
        // `.` may end %e at either dot.
        assert_eq!(found.count(), 2);
        let best = found.best().unwrap();
        let specs: Vec<_> = best.fields().iter().map(|f| f.bytes()).collect();
        assert_eq!(specs, [&b"23817"[..], b"1795823961"]);
        let all: Vec<Vec<&[u8]>> = found
            .iter()
            .map(|c| c.fields().iter().map(|f| f.bytes()).collect())
            .collect();
        assert_eq!(
            all,
            [
                vec![&b"java"[..], b"node-12.prod", b"23817", b"1795823961"],
                vec![&b"java.node-12"[..], b"prod", b"23817", b"1795823961"],
            ]
        );
        // %e holds at most 15 bytes: one way only.
        let found = m.match_name(b"/cores/core.envoy-worker.node-12.prod.23817.1795823961");
        assert_eq!(found.count(), 1);
        assert_eq!(found.best().unwrap().fields()[0].bytes(), b"envoy-worker");
        // A `/` can be in neither.
        assert_eq!(m.match_name(b"/cores/core.a/b.c.1.1").count(), 0);
        // A signed time read two ways: the general program decides.
        let m = matcher(b"core.%e-%t", "6.12.0", Target::Path);
        assert_eq!(m.match_name(b"core.a--5").count(), 2);
    }

    /// A pattern of pieces, and names made of the pieces' values: often
    /// the pattern's own expansions, often ambiguous.
    fn case() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
        let lit = prop::sample::select(vec![
            &b"."[..],
            b"-",
            b"/",
            b"core.",
            b"a",
            b"1",
            b"./",
            b"-.",
        ]);
        let value = prop::collection::vec(prop::sample::select(b".-/1a0!9".to_vec()), 0..5);
        let piece = prop_oneof![
            2 => (lit, prop::collection::vec(any::<u8>(), 0..1))
                .prop_map(|(l, noise)| (l.to_vec(), if noise.is_empty() { l.to_vec() } else { noise })),
            3 => (prop::sample::select(b"peEhtsugc".to_vec()), value)
                .prop_map(|(c, v)| (vec![b'%', c], v)),
        ];
        prop::collection::vec(piece, 1..7).prop_map(|pieces| {
            let mut pattern = Vec::new();
            let mut name = Vec::new();
            for (p, v) in pieces {
                // `%` of a literal would be a specifier.
                pattern.extend(p);
                name.extend(v);
            }
            (pattern, name)
        })
    }

    /// Two text fields around a literal, between a head and a tail that
    /// read off (a signed `%t` after a `-` may read two ways), and names of
    /// values with the literal's bytes in them.
    fn two_texts() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
        let text = || prop::collection::vec(prop::sample::select(b".-a1/!".to_vec()), 0..6);
        let number = prop::sample::select(vec![&b"5"[..], b"-5", b"-", b"12", b"0", b"-0", b""]);
        (
            prop::sample::select(vec![&b""[..], b"core.", b"/c/", b"%p."]),
            prop::sample::select(b"ehE".to_vec()),
            text(),
            prop::sample::select(vec![&b"."[..], b"-", b"..", b"-.", b"a"]),
            prop::sample::select(b"ehE".to_vec()),
            text(),
            prop::sample::select(vec![&b""[..], b".%p", b".%p.%t", b"-%t", b"--%t", b"/%p"]),
            number.clone(),
            number,
        )
            .prop_map(|(head, x, xv, lit, y, yv, tail, n1, n2)| {
                let pattern = [head, b"%", &[x], lit, b"%", &[y], tail].concat();
                let head_value: &[u8] = match head {
                    b"%p." => b"7.",
                    h => h,
                };
                let tail_value = tail
                    .split(|&c| c == b'%')
                    .enumerate()
                    .map(|(i, part)| match i {
                        0 => part.to_vec(),
                        1 => [n1, &part[1..]].concat(),
                        _ => [n2, &part[1..]].concat(),
                    })
                    .collect::<Vec<_>>()
                    .concat();
                let name = [head_value, &xv, lit, &yv, &tail_value].concat();
                (pattern, name)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2048),
            ..ProptestConfig::default()
        })]

        /// Reading from both ends gives the general program's count, its
        /// candidates in its order, and the same `best()`.
        #[test]
        fn reads_agree_with_the_general_program(
            (pattern, name) in prop_oneof![case(), two_texts()],
            kernel in prop::sample::select(vec!["6.12.0", "4.4.0"]),
            component in any::<bool>(),
        ) {
            let k = KernelProfile::parse(kernel).unwrap();
            let Ok(p) = ParseOptions::new().kernel(k).parse(&pattern) else {
                return Ok(());
            };
            let target = if component { Target::Component } else { Target::Path };
            let Ok(m) = p.matcher(&Settings::default(), MatchOptions::new().target(target)) else {
                return Ok(());
            };
            if m.plan.is_none() {
                return Ok(()); // a repeated specifier, or no field
            }
            let fast = m.match_name(&name);
            let slow = general(&m, &name);
            prop_assert_eq!(fast.count(), slow.count());
            prop_assert_eq!(fast.candidates(usize::MAX), slow.candidates(usize::MAX));
            prop_assert_eq!(fast.best(), slow.best());
        }
    }
}
