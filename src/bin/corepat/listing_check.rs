//! What the listing of `corepat match` promises on any input, checked on
//! one: not a module of `corepat`, but included (with `listing.rs`,
//! `json.rs` and `text.rs`, as modules of the same names) by the
//! `match_listing` fuzz target and by `tests/fuzz_regressions.rs`, which
//! replays what it found.
//!
//! The input is what a user gives `corepat match --stdin`: a pattern (up to
//! the first `\n`), then the names, one a line. The listing runs as the
//! command runs it, in every mode (text and JSON, streamed and sorted by
//! time, whole paths and last components), with a small line cap so that
//! long lines are common, and reads through tiny buffers so that lines
//! cross reads.

use core_pattern::reverse::{MatchOptions, Target};
use core_pattern::{KernelProfile, Mode, ParseOptions, Settings, stored_value};
use serde_json::Value;
use std::io::BufReader;

use crate::json::json_to_bytes;
use crate::listing::{Line, Listing, TABLE_CELL_MAX, next_line};
use crate::text::show;

/// The line cap the checks use (the command's is 64 KiB).
pub(crate) const CAP: usize = 256;

/// The most candidates listed per name (the command's default).
const MAX: usize = 16;

/// Runs the listing on `input` and checks what it wrote; panics on a
/// broken promise.
pub(crate) fn check(input: &[u8]) {
    let (pattern, stream) = match input.iter().position(|&b| b == b'\n') {
        Some(i) => (&input[..i], &input[i + 1..]),
        None => (input, &[][..]),
    };
    // The lines as `split` sees them (a last `\n` ends a line, it does not
    // start an empty one).
    let mut lines: Vec<&[u8]> = stream.split(|&b| b == b'\n').collect();
    if stream.is_empty() || stream.ends_with(b"\n") {
        lines.pop();
    }
    for capacity in [1, 7, 4096] {
        let mut r = BufReader::with_capacity(capacity, stream);
        let (mut buf, mut flushed) = (Vec::new(), Vec::new());
        for want in &lines {
            match next_line(&mut r, &mut buf, CAP, &mut flushed) {
                Ok(Line::Name) => assert_eq!(&buf[..], *want),
                Ok(Line::TooLong(n)) => {
                    assert!(want.len() > CAP);
                    assert_eq!(n, want.len() as u64);
                    assert_eq!(&buf[..], &want[..CAP], "only the first CAP bytes held");
                }
                other => panic!("{other:?} for a line of {} bytes", want.len()),
            }
        }
        assert!(matches!(
            next_line(&mut r, &mut buf, CAP, &mut flushed),
            Ok(Line::End)
        ));
    }
    let Ok(p) = ParseOptions::new()
        .kernel(KernelProfile::latest())
        .parse(stored_value(pattern))
    else {
        return;
    };
    if p.mode() == Mode::Pipe {
        // A pipe pattern matches one argv, not a listing.
        return;
    }
    let names: Vec<&[u8]> = lines
        .iter()
        .copied()
        .filter(|l| !l.is_empty() && l.len() <= CAP)
        .collect();
    let over: Vec<u64> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.len() > CAP)
        .map(|(i, _)| i as u64 + 1)
        .collect();
    for target in [Target::Path, Target::Component] {
        let Ok(m) = p.matcher(&Settings::new(), MatchOptions::new().target(target)) else {
            continue;
        };
        let mut matched = None;
        for json in [false, true] {
            let mut out = Vec::new();
            let mut refused = Vec::new();
            let mut listing = Listing::new(&m, json, MAX, &mut out);
            let mut r = BufReader::with_capacity(7, stream);
            listing
                .stream(&mut r, CAP, &mut |line, _| refused.push(line))
                .expect("no I/O error");
            let tally = listing.finish().expect("no I/O error");
            assert_eq!(refused, over, "the refused lines, by number");
            assert_eq!(tally.refused, over.len() as u64);
            assert_eq!(tally.names, names.len() as u64);
            assert!(*matched.get_or_insert(tally.matched) == tally.matched);
            output(&out, &names, json, false);

            let mut out = Vec::new();
            let mut listing = Listing::new(&m, json, MAX, &mut out);
            listing
                .sorted(names.iter().map(|n| n.to_vec()).collect())
                .expect("no I/O error");
            let sorted = listing.finish().expect("no I/O error");
            assert_eq!(sorted.names, names.len() as u64);
            assert_eq!(sorted.matched, tally.matched);
            output(&out, &names, json, true);
        }
    }
}

/// One listing's output: terminal-safe, one line a name (plus the text
/// header), each name's own, and no row longer than its own cells and
/// bounded padding.
fn output(out: &[u8], names: &[&[u8]], json: bool, sorted: bool) {
    let text = std::str::from_utf8(out).expect("UTF-8 output");
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "terminal-safe: {text:?}"
    );
    assert!(text.ends_with('\n') || (json && text.is_empty()));
    let lines: Vec<&str> = text.split_terminator('\n').collect();
    let mut listed: Vec<Vec<u8>> = Vec::new();
    if json {
        assert_eq!(lines.len(), names.len());
        for l in &lines {
            let v: Value = serde_json::from_str(l).expect("one JSON object a line");
            let name = json_to_bytes(&v["name"]).expect("a byte string");
            let count = v["count"].as_u64().expect("a count");
            let candidates = v["candidates"].as_array().expect("candidates");
            assert_eq!(v["matched"].as_bool(), Some(count > 0));
            assert_eq!(v["ambiguous"].as_bool(), Some(count > 1));
            assert!(candidates.len() <= MAX && candidates.len() as u64 <= count);
            listed.push(name);
        }
    } else {
        assert_eq!(lines.len(), names.len() + 1, "a header and a row a name");
        assert!(lines[0].starts_with("name  "), "{:?}", lines[0]);
        assert!(lines[0].len() <= 6 * (TABLE_CELL_MAX + 2));
        let longest = names.iter().map(|n| n.len()).max().unwrap_or(0);
        for (i, l) in lines[1..].iter().enumerate() {
            // Each row starts with its name, and is at most its cells (the
            // name and the program at most four bytes a byte of the name,
            // the rest short) plus padding up to the column limit. Sorted,
            // which name a row is for is not always plain (a name may hold
            // two spaces): JSON checks that every name is there once.
            let (name, len) = if sorted {
                assert!(
                    names.iter().any(|n| l.starts_with(&(show(n) + "  "))),
                    "a row for no name: {l:?}"
                );
                (None, longest)
            } else {
                (Some(names[i]), names[i].len())
            };
            if let Some(name) = name {
                assert!(l.starts_with(&(show(name) + "  ")), "{l:?}");
                listed.push(name.to_vec());
            }
            assert!(
                l.len() <= 8 * len + 5 * (TABLE_CELL_MAX + 2) + 160,
                "a row of {} bytes for a name of {len}",
                l.len(),
            );
        }
        if sorted {
            return;
        }
    }
    let mut given: Vec<Vec<u8>> = names.iter().map(|n| n.to_vec()).collect();
    if sorted {
        listed.sort();
        given.sort();
    }
    assert_eq!(listed, given, "every name once");
}
