//! Candidate search: depth-first, guided by the backward table, for
//! repeated specifiers (bound at their first occurrence, compared by rolling
//! hash) and for the argv a kernel before 5.3 split after expansion.

use super::LIST_CAP;
use super::compile::{Class, Elem, dots_excluded, is_sep, text_byte_ok};
use super::count::{Path, Spans, backward, ends};

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
pub(super) fn search(
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
pub(super) fn presplit_search(elems: &[Elem], hay: &[u8], budget: u64) -> (u64, bool, Vec<Spans>) {
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
