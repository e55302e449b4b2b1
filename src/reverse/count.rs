//! Counting: the programs over (element, name position) that count the
//! ways a name matches without listing them (shapes that read off without
//! a choice are in `read.rs`).

use super::LIST_CAP;
use super::compile::{Class, Elem, FieldElem, dots_excluded, text_byte_ok};

/// A path: for each element, the end position in the name.
pub(super) type Path = Vec<usize>;

/// For each element, the bytes of the name it stands for.
pub(super) type Spans = Vec<(usize, usize)>;

pub(super) fn to_spans(path: &[usize]) -> Spans {
    let mut start = 0;
    path.iter()
        .map(|&end| {
            let span = (start, end);
            start = end;
            span
        })
        .collect()
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
pub(super) struct TextRule {
    pub(super) min: usize,
    pub(super) max: usize,
    no_dots: bool,
}

impl TextRule {
    pub(super) fn of(e: &Elem) -> Option<TextRule> {
        match *e {
            Elem::Field(FieldElem {
                class: Class::Text { min, max, no_dots },
                ..
            }) => Some(TextRule { min, max, no_dots }),
            _ => None,
        }
    }

    pub(super) fn takes(self, value: &[u8]) -> bool {
        (self.min..=self.max).contains(&value.len()) && !dots_excluded(self.no_dots, value)
    }
}

/// Counts for the one-text-field shape, computed from both ends: the part
/// before the text field can only reach the first `Σ max_len` bytes and the
/// part after it only the last ones, so each side is a small program over
/// its window, and the text field joins a start `a` to an end `b` when
/// `name[a..b]` is a valid value. One O(n) scan for the first `/` or NUL;
/// everything else depends on the pattern, not on the name's length.
pub(super) struct OneText<'e, 'n> {
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
    pub(super) fn new(elems: &'e [Elem], t: usize, name: &'n [u8]) -> OneText<'e, 'n> {
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
    pub(super) fn count(&self) -> (u64, Vec<(usize, usize)>) {
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
    pub(super) fn paths(&self, joins: &[(usize, usize)]) -> Vec<Path> {
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
pub(super) fn forward_count(elems: &[Elem], name: &[u8]) -> u64 {
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

/// Candidate ends of element `e` starting at `s`, in increasing order.
/// Validation is incremental: O(1) per candidate end.
pub(super) fn ends(e: &Elem, name: &[u8], s: usize) -> Vec<usize> {
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

pub(super) fn backward(elems: &[Elem], name: &[u8]) -> Vec<Vec<bool>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reverse::compile::{Numeric, numeric_value};
    use crate::spec::Specifier;

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
