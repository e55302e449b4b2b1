//! The listing of `corepat match`: names read one bounded line at a time,
//! each name's matches as a text row or a JSON line, written as it is
//! matched (or, for a time-sorted listing, once all names are in). Generic
//! over the reader and writer, so the `match_listing` fuzz target drives
//! exactly this code.

use core_pattern::Specifier as S;
use core_pattern::reverse::{FieldValue, Matcher, Matches};
use std::io::{self, BufRead, BufReader, Read, Write};

use crate::json::{bytes_to_json, match_json};
use crate::text::{show, terminal_safe};

/// The longest name read from a stream, in bytes (64 KiB). No core file
/// name comes near it: the kernel opens paths of at most PATH_MAX (4096
/// bytes). A longer line is reported and skipped; only its first
/// `NAME_MAX` bytes are ever held.
pub(crate) const NAME_MAX: usize = 65_536;

/// The widest a column of the text table gets, in characters: a longer
/// cell overflows its column on its own row instead of widening every row.
pub(crate) const TABLE_CELL_MAX: usize = 64;

/// The text table's header.
pub(crate) const HEADER: [&str; 6] = ["name", "program", "pid", "time (UTC)", "signal", "match"];

/// One line of a stream of names.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// A line of at most the cap, now in the buffer (without its `\n`).
    Name,
    /// A line of this many bytes, over the cap: the buffer holds its first
    /// `cap` bytes.
    TooLong(u64),
    /// The end of the stream.
    End,
}

/// Which side of the listing an I/O error came from.
#[derive(Debug)]
pub(crate) enum Io {
    Read(io::Error),
    Write(io::Error),
}

/// Reads the next line into `buf` (without its `\n`; the last line needs
/// none), holding at most `cap` bytes of it. Before each read that may
/// wait for the producer (nothing left in the reader's buffer), `out` is
/// flushed: a live producer (`inotifywait -m`) sees each name's result as
/// soon as the name is matched, and a file or a pipe that is already full
/// is not answered with one write per line.
pub(crate) fn next_line<R: Read, W: Write>(
    r: &mut BufReader<R>,
    buf: &mut Vec<u8>,
    cap: usize,
    out: &mut W,
) -> Result<Line, Io> {
    buf.clear();
    let mut len: u64 = 0;
    let mut started = false;
    loop {
        if r.buffer().is_empty() {
            out.flush().map_err(Io::Write)?;
        }
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Io::Read(e)),
        };
        if chunk.is_empty() {
            return Ok(match (started, len > cap as u64) {
                (false, _) => Line::End,
                (true, false) => Line::Name,
                (true, true) => Line::TooLong(len),
            });
        }
        started = true;
        let (take, newline) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        let room = cap.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room)]);
        len = len.saturating_add(take as u64);
        r.consume(take + usize::from(newline));
        if newline {
            return Ok(if len > cap as u64 {
                Line::TooLong(len)
            } else {
                Line::Name
            });
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) for seconds since the Epoch.
pub(crate) fn utc(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// What one name's matches say: its time (the sort key) and, for the text
/// table, its cells (name, program, pid, time, signal, match) from the
/// fields all candidates agree on.
pub(crate) struct Row {
    pub(crate) time: Option<i64>,
    pub(crate) cells: Option<[String; 6]>,
}

/// The time and (with `cells`) the table row of `name`; the candidates are
/// searched once.
pub(crate) fn row(name: &[u8], m: &Matches<'_>, cells: bool) -> Row {
    let Some(best) = m.best() else {
        return Row {
            time: None,
            cells: cells.then(|| {
                [
                    show(name),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    "no match".into(),
                ]
            }),
        };
    };
    let time = match best.get(S::Time).map(|f| *f.value()) {
        Some(FieldValue::Time(t)) => Some(t),
        _ => None,
    };
    if !cells {
        return Row { time, cells: None };
    }
    let text = |s: S| match best.get(s).map(|f| *f.value()) {
        Some(FieldValue::Text(e)) => Some(show(&if s == S::ExePath {
            e.likely_original()
        } else {
            e.escaped().to_vec()
        })),
        _ => None,
    };
    let program = text(S::ExePath)
        .or_else(|| text(S::ExeName))
        .or_else(|| text(S::Comm))
        .unwrap_or_else(|| "?".into());
    let pid = [S::Pid, S::GlobalPid]
        .iter()
        .find_map(|s| match best.get(*s).map(|f| *f.value()) {
            Some(FieldValue::Pid(p)) => Some(p.to_string()),
            _ => None,
        })
        .unwrap_or_else(|| "?".into());
    let signal = match best.get(S::Signal).map(|f| *f.value()) {
        Some(FieldValue::Signal(s)) => s.to_string(),
        _ => "?".into(),
    };
    let amb = if m.is_ambiguous() {
        format!("ambiguous ({} ways)", m.count())
    } else {
        "unique".into()
    };
    Row {
        time,
        cells: Some([
            show(name),
            program,
            pid,
            time.map_or_else(|| "?".into(), utc),
            signal,
            amb,
        ]),
    }
}

/// The text table's column widths: each the widest cell fitted so far, at
/// most [`TABLE_CELL_MAX`].
#[derive(Clone, Copy)]
pub(crate) struct Table {
    width: [usize; 6],
}

impl Table {
    /// Widths for the header alone.
    pub(crate) fn new() -> Table {
        Table {
            width: HEADER.map(str::len),
        }
    }

    /// Widens the columns for `cells` (up to [`TABLE_CELL_MAX`]).
    pub(crate) fn fit(&mut self, cells: &[String; 6]) {
        for (w, c) in self.width.iter_mut().zip(cells) {
            *w = (*w).max(c.chars().take(TABLE_CELL_MAX).count());
        }
    }

    /// One line of the table (no trailing spaces, no newline): each cell
    /// padded to its column's width, a longer one overflowing it.
    pub(crate) fn line<C: AsRef<str>>(&self, cells: &[C; 6]) -> String {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(self.width).enumerate() {
            let c = c.as_ref();
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < cells.len() {
                let n = c.chars().take(w).count();
                s.extend(std::iter::repeat_n(' ', w - n));
            }
        }
        s.truncate(s.trim_end().len());
        s
    }
}

/// How many names were listed, matched, and refused (over the line cap).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub(crate) names: u64,
    pub(crate) matched: u64,
    pub(crate) refused: u64,
}

/// The listing of one matcher's results, written to `out`: one JSON object
/// a line, or the text table.
pub(crate) struct Listing<'a, W: Write> {
    matcher: &'a Matcher,
    json: bool,
    max: usize,
    out: W,
    /// The text table's widths, fixed once the header is written.
    table: Option<Table>,
    tally: Tally,
}

impl<'a, W: Write> Listing<'a, W> {
    /// A listing of `matcher`'s results: JSON lines (`json`) or a text
    /// table, at most `max` candidates listed per name in JSON.
    pub(crate) fn new(matcher: &'a Matcher, json: bool, max: usize, out: W) -> Self {
        Listing {
            matcher,
            json,
            max,
            out,
            table: None,
            tally: Tally::default(),
        }
    }

    fn write_line(&mut self, line: &str) -> io::Result<()> {
        self.out.write_all(terminal_safe(line).as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// The text table's header, once, with the widths `table` has now.
    fn header(&mut self, table: Table) -> io::Result<()> {
        if self.json || self.table.is_some() {
            return Ok(());
        }
        self.table = Some(table);
        self.write_line(&table.line(&HEADER))
    }

    /// Matches `name` and writes its line now. The text table's widths
    /// come from the header and the first name (a bounded prefix): later
    /// rows do not move the columns, and a wider cell overflows its column
    /// on its own row.
    pub(crate) fn one(&mut self, name: &[u8]) -> io::Result<()> {
        let m = self.matcher.match_name(name);
        self.tally.names += 1;
        self.tally.matched += u64::from(m.is_match());
        if self.json {
            let line = match_json("name", bytes_to_json(name), &m, self.max).to_string();
            return self.write_line(&line);
        }
        let cells = row(name, &m, true).cells.unwrap_or_default();
        let mut table = Table::new();
        table.fit(&cells);
        self.header(table)?;
        let line = self.table.unwrap_or(table).line(&cells);
        self.write_line(&line)
    }

    /// Matches every name, then writes the listing sorted by time (names
    /// without a time, or without a match, last, by name). The text
    /// table's widths come from every row. Holds each name and its row
    /// (not its candidates) until all are in; in JSON each name is matched
    /// again as it is written, so memory stays proportional to the names.
    pub(crate) fn sorted(&mut self, names: Vec<Vec<u8>>) -> io::Result<()> {
        let mut rows: Vec<(Vec<u8>, Row)> = names
            .into_iter()
            .map(|n| {
                let m = self.matcher.match_name(&n);
                self.tally.names += 1;
                self.tally.matched += u64::from(m.is_match());
                let r = row(&n, &m, !self.json);
                drop(m);
                (n, r)
            })
            .collect();
        rows.sort_by(|(a, x), (b, y)| {
            (x.time.is_none(), x.time, a).cmp(&(y.time.is_none(), y.time, b))
        });
        if self.json {
            for (n, _) in &rows {
                let m = self.matcher.match_name(n);
                let line = match_json("name", bytes_to_json(n), &m, self.max).to_string();
                self.write_line(&line)?;
            }
            return Ok(());
        }
        let mut table = Table::new();
        for c in rows.iter().filter_map(|(_, r)| r.cells.as_ref()) {
            table.fit(c);
        }
        self.header(table)?;
        for c in rows.iter().filter_map(|(_, r)| r.cells.as_ref()) {
            let line = table.line(c);
            self.write_line(&line)?;
        }
        Ok(())
    }

    /// Lists every line of `r` as it is read (empty lines skipped), each
    /// at most `cap` bytes: a longer line is passed to `refused` (its line
    /// number and length), counted, and skipped. Memory is bounded by
    /// `cap` and the reader's buffer, whatever the number of names.
    pub(crate) fn stream<R: Read>(
        &mut self,
        r: &mut BufReader<R>,
        cap: usize,
        refused: &mut dyn FnMut(u64, u64),
    ) -> Result<(), Io> {
        let mut buf = Vec::new();
        let mut number = 0u64;
        loop {
            number += 1;
            match next_line(r, &mut buf, cap, &mut self.out)? {
                Line::End => return Ok(()),
                Line::TooLong(len) => {
                    self.tally.refused += 1;
                    refused(number, len);
                }
                Line::Name if buf.is_empty() => {}
                Line::Name => self.one(&buf).map_err(Io::Write)?,
            }
        }
    }

    /// Counts `n` lines refused by the caller's own reading.
    pub(crate) fn refuse(&mut self, n: u64) {
        self.tally.refused += n;
    }

    /// Ends the listing (the text header when no name came) and flushes
    /// it; returns the tally.
    pub(crate) fn finish(&mut self) -> io::Result<Tally> {
        self.header(Table::new())?;
        self.out.flush()?;
        Ok(self.tally)
    }
}
