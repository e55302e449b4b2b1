//! `corepat match`: names (or a helper's argv) back to their fields.

use core_pattern::{KernelProfile, Mode, Settings};
use serde_json::Value;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::process::ExitCode;

use crate::args::Order;
use crate::json::{bytes_to_json, match_json};
use crate::listing::{Io, Line, Listing, NAME_MAX, next_line};
use crate::{Format, emit, exit, parse_written, show};

/// Where the names come from.
pub(crate) enum Names {
    Args(Vec<std::ffi::OsString>),
    Stdin,
    Dir(std::path::PathBuf),
}

/// What to match and how to list it.
pub(crate) struct Request {
    pub(crate) source: Names,
    /// `None`: input order for stdin, time order otherwise.
    pub(crate) order: Option<Order>,
    /// Match the last component of the pattern only (implied by a directory).
    pub(crate) component: bool,
    pub(crate) format: Format,
    /// The most candidates listed per name.
    pub(crate) max: usize,
}

/// What stderr says about a line over [`NAME_MAX`].
fn refused(line: u64, len: u64) {
    eprintln!(
        "corepat: error: stdin line {line}: {len} bytes, longer than any name ({NAME_MAX} bytes at most); skipped"
    );
}

pub(crate) fn match_names(
    raw: &[u8],
    kernel: &KernelProfile,
    settings: &Settings,
    req: Request,
) -> Result<ExitCode, String> {
    let Request {
        source,
        order,
        component,
        format,
        max,
    } = req;
    let (p, _) = parse_written(raw, kernel)?;
    let mut opts = core_pattern::reverse::MatchOptions::new();
    if p.mode() == Mode::File && (component || matches!(source, Names::Dir(_))) {
        opts = opts.target(core_pattern::reverse::Target::Component);
    }
    let matcher = p.matcher(settings, opts).map_err(|e| e.to_string())?;
    if p.mode() == Mode::Pipe {
        let mut o = String::new();
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
    let json = matches!(format, Format::Json);
    let order = order.unwrap_or(match source {
        Names::Stdin => Order::Input,
        _ => Order::Time,
    });
    let mut listing = Listing::new(&matcher, json, max, io::BufWriter::new(io::stdout().lock()));
    let written = match (source, order) {
        (Names::Stdin, Order::Input) => {
            let mut r = io::BufReader::with_capacity(NAME_MAX, io::stdin().lock());
            match listing.stream(&mut r, NAME_MAX, &mut refused) {
                Ok(()) => Ok(()),
                Err(Io::Read(e)) => return Err(format!("reading stdin: {e}")),
                Err(Io::Write(e)) => Err(e),
            }
        }
        (Names::Stdin, Order::Time) => {
            let mut r = io::BufReader::with_capacity(NAME_MAX, io::stdin().lock());
            let mut names = Vec::new();
            let mut buf = Vec::new();
            let mut number = 0u64;
            let mut over = 0u64;
            loop {
                number += 1;
                match next_line(&mut r, &mut buf, NAME_MAX, &mut io::sink()) {
                    Ok(Line::End) => break,
                    Ok(Line::TooLong(len)) => {
                        over += 1;
                        refused(number, len);
                    }
                    Ok(Line::Name) if buf.is_empty() => {}
                    Ok(Line::Name) => names.push(buf.clone()),
                    Err(Io::Read(e) | Io::Write(e)) => return Err(format!("reading stdin: {e}")),
                }
            }
            listing.refuse(over);
            listing.sorted(names)
        }
        (Names::Args(a), Order::Time) => {
            listing.sorted(a.iter().map(|x| x.as_bytes().to_vec()).collect())
        }
        (Names::Args(a), Order::Input) => a.iter().try_for_each(|x| listing.one(x.as_bytes())),
        (Names::Dir(d), order) => {
            let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", show_path(&d)))?;
            let mut names = Vec::new();
            let mut done = Ok(());
            for entry in entries {
                let entry = entry.map_err(|e| format!("{}: {e}", show_path(&d)))?;
                let name = entry.file_name();
                match order {
                    Order::Time => names.push(name.as_bytes().to_vec()),
                    Order::Input => {
                        done = listing.one(name.as_bytes());
                        if done.is_err() {
                            break;
                        }
                    }
                }
            }
            done.and_then(|()| listing.sorted(names))
        }
    };
    let tally = written.and_then(|()| listing.finish());
    match tally {
        Ok(t) if t.refused > 0 => Ok(ExitCode::from(2)),
        Ok(t) => Ok(exit(t.matched > 0 || t.names == 0)),
        // `| head`: the reader has all it wants.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(format!("writing stdout: {e}")),
    }
}

/// A directory for an error message.
fn show_path(d: &std::path::Path) -> String {
    show(d.as_os_str().as_bytes())
}
