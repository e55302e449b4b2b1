//! `corepat match`: names (or a helper's argv) back to their fields.

use core_pattern::{KernelProfile, Mode, Settings};
use serde_json::Value;
use std::io;
use std::process::ExitCode;

use crate::json::{bytes_to_json, match_json};
use crate::{Format, emit, parse_written, show};

pub(crate) enum Names {
    Args(Vec<std::ffi::OsString>),
    Stdin,
    Dir(std::path::PathBuf),
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) for seconds since the Epoch.
fn utc(t: i64) -> String {
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

/// One row of the text table: program, pid, time, signal (from the fields
/// all candidates agree on).
fn row(m: &core_pattern::reverse::Matches<'_>) -> [String; 5] {
    use core_pattern::Specifier as S;
    use core_pattern::reverse::FieldValue;
    let Some(best) = m.best() else {
        return [
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            "no match".into(),
        ];
    };
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
    let time = match best.get(S::Time).map(|f| *f.value()) {
        Some(FieldValue::Time(t)) => utc(t),
        _ => "?".into(),
    };
    let signal = match best.get(S::Signal).map(|f| *f.value()) {
        Some(FieldValue::Signal(s)) => s.to_string(),
        _ => "?".into(),
    };
    let amb = if m.is_ambiguous() {
        format!("ambiguous ({} ways)", m.count())
    } else {
        "unique".into()
    };
    [program, pid, time, signal, amb]
}

fn time_of(m: &core_pattern::reverse::Matches<'_>) -> Option<i64> {
    match m
        .best()?
        .get(core_pattern::Specifier::Time)
        .map(|f| *f.value())
    {
        Some(core_pattern::reverse::FieldValue::Time(t)) => Some(t),
        _ => None,
    }
}

/// The widest a column of the text table gets.
const TABLE_CELL_MAX: usize = 64;

pub(crate) fn match_names(
    raw: &[u8],
    kernel: &KernelProfile,
    settings: &Settings,
    component: bool,
    source: Names,
    format: Format,
    max: usize,
) -> Result<ExitCode, String> {
    use std::os::unix::ffi::OsStrExt;
    let (p, _) = parse_written(raw, kernel)?;
    let mut opts = core_pattern::reverse::MatchOptions::new();
    if p.mode() == Mode::File && (component || matches!(source, Names::Dir(_))) {
        opts = opts.target(core_pattern::reverse::Target::Component);
    }
    let matcher = p.matcher(settings, opts).map_err(|e| e.to_string())?;
    let mut o = String::new();
    if p.mode() == Mode::Pipe {
        let argv: Vec<Vec<u8>> = match source {
            Names::Args(a) => a.iter().map(|x| x.as_bytes().to_vec()).collect(),
            _ => return Err("for a pipe pattern, give the helper's argv as arguments".into()),
        };
        let refs: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
        let m = matcher.match_argv(&refs);
        match format {
            Format::Json => {
                let a = Value::Array(argv.iter().map(|x| bytes_to_json(x)).collect());
                outln!(o, "{}", match_json("argv", a, &m, max));
            }
            Format::Text => {
                outln!(o, "argv matches: {} ({} way(s))", m.is_match(), m.count());
                for (i, c) in m.candidates(max).iter().enumerate() {
                    outln!(o, "candidate {}", i + 1);
                    for f in c.fields() {
                        outln!(
                            o,
                            "  {}  argv[{}] = {:?}",
                            f.spec(),
                            f.arg().unwrap_or(0),
                            show(f.bytes())
                        );
                    }
                }
            }
        }
        emit(&o)?;
        return Ok(if m.is_match() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let names: Vec<Vec<u8>> = match source {
        Names::Args(a) => a.iter().map(|x| x.as_bytes().to_vec()).collect(),
        Names::Stdin => {
            let mut all = Vec::new();
            io::Read::read_to_end(&mut io::stdin().lock(), &mut all)
                .map_err(|e| format!("reading stdin: {e}"))?;
            all.split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(<[u8]>::to_vec)
                .collect()
        }
        Names::Dir(d) => {
            let mut v = Vec::new();
            for entry in std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
                let entry = entry.map_err(|e| format!("{}: {e}", d.display()))?;
                v.push(entry.file_name().as_bytes().to_vec());
            }
            v
        }
    };
    // Sorted by time; names without a time (or no match) last, by name. The
    // time is read once per name (it costs a search of the candidates).
    let mut keyed: Vec<(Option<i64>, &Vec<u8>, core_pattern::reverse::Matches<'_>)> = names
        .iter()
        .map(|n| {
            let m = matcher.match_name(n);
            (time_of(&m), n, m)
        })
        .collect();
    keyed.sort_by(|a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => x.cmp(&y).then(a.1.cmp(b.1)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.1.cmp(b.1),
    });
    let results: Vec<(&Vec<u8>, core_pattern::reverse::Matches<'_>)> =
        keyed.into_iter().map(|(_, n, m)| (n, m)).collect();
    let mut any = false;
    match format {
        Format::Json => {
            for (n, m) in &results {
                any |= m.is_match();
                outln!(o, "{}", match_json("name", bytes_to_json(n), m, max));
            }
        }
        Format::Text => {
            let header = ["name", "program", "pid", "time (UTC)", "signal", "match"];
            let mut rows: Vec<[String; 6]> = Vec::new();
            for (n, m) in &results {
                any |= m.is_match();
                let [prog, pid, time, sig, amb] = row(m);
                rows.push([show(n), prog, pid, time, sig, amb]);
            }
            // Columns are padded to the widest cell up to TABLE_CELL_MAX
            // characters; a longer cell overflows its column instead of
            // widening every row (a 64 KiB name must not pad every line to
            // 64 KiB, nor pass the formatter's width limit).
            let mut width = header.map(str::len);
            for r in &rows {
                for (w, c) in width.iter_mut().zip(r) {
                    *w = (*w).max(c.chars().count().min(TABLE_CELL_MAX));
                }
            }
            let line = |cells: &[String]| {
                cells
                    .iter()
                    .zip(width)
                    .map(|(c, w)| format!("{c:<w$}"))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_string()
            };
            outln!(o, "{}", line(&header.map(String::from)));
            for r in &rows {
                outln!(o, "{}", line(r));
            }
        }
    }
    emit(&o)?;
    Ok(if any || results.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
