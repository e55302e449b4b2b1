//! `corepat`: explain, expand and check Linux `core_pattern` values.
//!
//! ```text
//! cargo install core-pattern --features cli
//! corepat explain '/data/dump-a/core-%E-%p-%t'
//! corepat expand --comm 'my app' --pid 1 '|/usr/bin/helper %e %p'
//! corepat conform < tests/data/vectors/kernel-observed.jsonl
//! ```
//!
//! A thin layer over the library: every rule and every sentence it prints
//! comes from `core_pattern`; this file parses arguments and lays out text
//! and JSON.

// The doc comments of the argument types are clap's `--help` texts, written
// for a terminal (`argv[0]`, `<comm>`), not rustdoc links or HTML.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]

/// `writeln!` into a String (which cannot fail).
macro_rules! outln {
    ($o:expr) => {{ $o.push('\n'); }};
    ($o:expr, $($t:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($o, $($t)*);
    }};
}

mod args;
mod json;
mod listing;
mod manifests;
mod matching;
mod text;

use args::{Cli, Cmd, Format, Subject, pattern_bytes, subject};
use clap::{CommandFactory, Parser};
use core_pattern::explain::Explanation;
use core_pattern::{Crash, KernelProfile, Outcome, ParseOptions, Pattern, Settings, stored_value};
use json::{bytes_to_json, conform_one, lint_json, outcome_json};
use manifests::{check_manifest, ephemeral};
use matching::{Names, Request, match_names};
use serde_json::{Value, json};
use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use text::{pattern_word, show, terminal_safe};

/// Writes the output, terminal-safe; a closed pipe (`| head`) ends quietly.
fn emit(text: &str) -> Result<ExitCode, String> {
    let text = terminal_safe(text);
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(format!("writing stdout: {e}")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let r = match cli.cmd {
        Cmd::Explain(args) => {
            let format = args.format;
            subject(args).and_then(|s| explain(&s, format))
        }
        Cmd::Expand {
            kernel,
            settings,
            crash,
            format,
            hex,
            pattern,
        } => kernel.profile().and_then(|(k, _)| {
            let pattern = pattern_bytes(&pattern, hex)?;
            let c = crash.crash()?;
            expand(&pattern, &k, &settings.settings(), &c, format)
        }),
        Cmd::Lint(args) => {
            let format = args.format;
            subject(args).and_then(|s| lint(&s, format))
        }
        Cmd::Doctor { pid, proc, format } => doctor(&proc, pid, format),
        Cmd::Match {
            kernel,
            core_uses_pid,
            format,
            max_candidates,
            component,
            stdin,
            dir,
            sort,
            hex,
            pattern,
            names,
        } => kernel.profile().and_then(|(k, _)| {
            let pattern = pattern_bytes(&pattern, hex)?;
            let settings = Settings::new().with_core_uses_pid(core_uses_pid != 0);
            let source = match (stdin, dir) {
                (true, _) => Names::Stdin,
                (_, Some(d)) => Names::Dir(d),
                _ => Names::Args(names),
            };
            let req = Request {
                source,
                order: sort,
                component,
                format,
                max: max_candidates as usize,
            };
            match_names(&pattern, &k, &settings, req)
        }),
        Cmd::CheckManifest {
            kernel,
            keys,
            format,
            files,
        } => kernel
            .profile()
            .and_then(|(k, _)| check_manifest(&files, k, keys, format)),
        Cmd::EphemeralPatch {
            name,
            image,
            target,
            manifest,
        } => ephemeral(&manifest, name, image, target),
        Cmd::Conform => conform(),
        Cmd::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "corepat", &mut out);
            emit(&String::from_utf8_lossy(&out))
        }
        Cmd::Man { command } => {
            let mut out = Vec::new();
            let cli = Cli::command();
            // A subcommand's page is corepat-NAME(1), as corepat(1) names it.
            let page = match &command {
                None => Some(clap_mangen::Man::new(cli)),
                Some(name) => cli.find_subcommand(name).map(|c| {
                    let c = c.clone().bin_name(format!("corepat {name}"));
                    clap_mangen::Man::new(c)
                        .title(format!("corepat-{name}"))
                        .source(format!("corepat {}", env!("CARGO_PKG_VERSION")))
                }),
            };
            page.ok_or_else(|| format!("no subcommand {command:?}"))
                .and_then(|page| {
                    page.render(&mut out)
                        .map_err(|e| format!("rendering the man page: {e}"))
                })
                .and_then(|()| emit(&String::from_utf8_lossy(&out)))
        }
    };
    match r {
        Ok(code) => code,
        Err(e) => {
            eprintln!("corepat: error: {}", terminal_safe(&e));
            ExitCode::from(2)
        }
    }
}

// ---------------------------------------------------------------------------
// conform

fn conform() -> Result<ExitCode, String> {
    let stdin = io::stdin();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut bad = 0;
    for line in stdin.lock().split(b'\n') {
        let line = line.map_err(|e| format!("reading stdin: {e}"))?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let result = match serde_json::from_slice::<Value>(&line) {
            Ok(v) => conform_one(&v).unwrap_or_else(|e| {
                bad += 1;
                json!({"id": v.get("id").cloned().unwrap_or(Value::Null), "error": e})
            }),
            Err(e) => {
                bad += 1;
                json!({"id": null, "error": format!("invalid JSON: {e}")})
            }
        };
        writeln!(out, "{result}").map_err(|e| format!("writing stdout: {e}"))?;
    }
    out.flush().map_err(|e| format!("writing stdout: {e}"))?;
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

// ---------------------------------------------------------------------------
// expand

fn parse_written(raw: &[u8], kernel: &KernelProfile) -> Result<(Pattern, Vec<String>), String> {
    let stored = stored_value(raw);
    let notes: Vec<String> = core_pattern::explain::cut_note(raw).into_iter().collect();
    let p = ParseOptions::new()
        .kernel(*kernel)
        .parse(stored)
        .map_err(|e| e.render(stored))?;
    Ok((p, notes))
}

fn expand(
    raw: &[u8],
    kernel: &KernelProfile,
    settings: &Settings,
    crash: &Crash<'_>,
    format: Format,
) -> Result<ExitCode, String> {
    let mut o = String::new();
    let (p, notes) = parse_written(raw, kernel)?;
    let outcome = p.expand(settings, crash);
    match format {
        Format::Json => {
            let mut j = outcome_json(&outcome);
            if let Value::Object(o) = &mut j {
                o.insert("stored".into(), bytes_to_json(p.as_bytes()));
                o.insert("mode".into(), json!(p.mode().name()));
                o.insert("kernel".into(), json!(kernel.to_string()));
            }
            outln!(o, "{j}");
        }
        Format::Text => {
            for n in &notes {
                outln!(o, "note: {n}");
            }
            match &outcome {
                Outcome::File { name } => outln!(o, "file {}", show(name)),
                Outcome::Pipe { argv, pidfd } => {
                    outln!(o, "pipe{}", if *pidfd { " (pidfd at fd 3)" } else { "" });
                    for (i, a) in argv.iter().enumerate() {
                        outln!(o, "  argv[{i}] = {:?}", show(a));
                    }
                }
                Outcome::Socket { path, request } => outln!(
                    o,
                    "socket {}{}",
                    show(path),
                    if *request { " (request protocol)" } else { "" }
                ),
                Outcome::NoDump { reason } => {
                    outln!(o, "none: {reason} [{}]", reason.name());
                    outln!(o, "  help: {}", reason.help());
                }
                other => outln!(o, "{}", other.kind()),
            }
        }
    }
    emit(&o)?;
    Ok(exit(outcome.no_dump_reason().is_none()))
}

/// 0 when all is well, 1 for a finding (no core, an error, no match).
fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

// ---------------------------------------------------------------------------
// lint

fn lint(subject: &Subject, format: Format) -> Result<ExitCode, String> {
    let (raw, kernel) = (&subject.written[..], &subject.kernel);
    let report = core_pattern::lint::check(raw, kernel, &subject.settings);
    let mut o = String::new();
    match format {
        Format::Json => outln!(o, "{}", lint_json(&report)),
        Format::Text => {
            outln!(o, "{}", subject.source);
            outln!(o, "pattern  {}", show(raw));
            if report.stored() != raw {
                outln!(o, "stored   {}", show(report.stored()));
            }
            outln!(o, "mode     {}   kernel {kernel}", report.pattern().mode());
            outln!(o);
            o.push_str(&report.render());
            let count = |s: core_pattern::lint::Severity| {
                report.lints().iter().filter(|l| l.severity() == s).count()
            };
            outln!(
                o,
                "{} error(s), {} warning(s), {} note(s)",
                count(core_pattern::lint::Severity::Error),
                count(core_pattern::lint::Severity::Warning),
                count(core_pattern::lint::Severity::Info)
            );
        }
    }
    emit(&o)?;
    Ok(exit(!report.has_errors()))
}

// ---------------------------------------------------------------------------
// doctor

fn doctor(proc: &std::path::Path, pid: Option<u32>, format: Format) -> Result<ExitCode, String> {
    let report = core_pattern::doctor::Doctor::with_proc_root(proc)
        .examine(pid)
        .map_err(|e| e.to_string())?;
    let lints = report
        .pattern
        .as_ref()
        .ok()
        .map(|p| core_pattern::lint::check(p.as_bytes(), &report.kernel, &report.settings));
    let mut o = String::new();
    match format {
        Format::Json => outln!(o, "{}", doctor_json(&report, lints.as_ref())),
        Format::Text => {
            o = report.summary();
            if let Some(lints) = lints.filter(|l| !l.lints().is_empty() || l.handler().is_some()) {
                outln!(o);
                outln!(o, "the pattern itself (corepat lint):");
                o.push_str(&lints.render());
            }
        }
    }
    emit(&o)?;
    Ok(exit(!report.has_errors()))
}

// ---------------------------------------------------------------------------
// explain

fn explain(subject: &Subject, format: Format) -> Result<ExitCode, String> {
    let e = Explanation::new(&subject.written, &subject.kernel, &subject.settings)
        .map_err(|e| e.render(stored_value(&subject.written)))?;
    let mut o = String::new();
    match format {
        Format::Json => {
            let mut j = explain_json(&e);
            if let Value::Object(m) = &mut j {
                m.insert(
                    "source".into(),
                    json!({"pattern": subject.pattern_from, "kernel": subject.kernel_from}),
                );
            }
            outln!(o, "{j}");
        }
        Format::Text => {
            outln!(o, "{}", subject.source);
            o.push_str(&e.to_string());
            outln!(o);
            outln!(
                o,
                "try: corepat expand [--pid N --comm NAME --exe PATH ...] {}",
                pattern_word(&subject.written)
            );
        }
    }
    emit(&o)?;
    Ok(exit(
        e.outcome().no_dump_reason().is_none() && !e.lints().has_errors(),
    ))
}

/// `corepat explain --format json`: the [`Explanation`]'s parts.
///
/// [`Explanation`]: core_pattern::explain::Explanation
pub fn explain_json(e: &core_pattern::explain::Explanation) -> Value {
    json!({
        "pattern": bytes_to_json(e.written()),
        "stored": bytes_to_json(e.pattern().as_bytes()),
        "kernel": e.kernel().to_string(),
        "mode": e.pattern().mode().name(),
        "mode_text": e.mode_text(),
        "notes": e.notes(),
        "tokens": e.tokens().iter().map(|t| json!({
            "span": [t.span.start, t.span.end],
            "text": t.text,
            "meaning": t.meaning,
        })).collect::<Vec<_>>(),
        "arguments": e.arguments().iter().map(|a| json!({
            "template": a.template,
            "example": a.example,
        })).collect::<Vec<_>>(),
        "example_crash": e.crash_text(),
        "outcome": outcome_json(e.outcome()),
        "destination": e.destination(),
        "caveats": e.caveats(),
        "lint": lint_json(e.lints()),
    })
}

/// `corepat doctor --format json`: the report's prediction and findings.
pub fn doctor_json(
    r: &core_pattern::doctor::DoctorReport,
    lints: Option<&core_pattern::lint::LintReport>,
) -> Value {
    let s = &r.sysctls;
    json!({
        "kernel": r.kernel.to_string(),
        "sysctls": {
            "core_pattern": s.core_pattern.as_deref().map(bytes_to_json),
            "core_uses_pid": s.core_uses_pid,
            "suid_dumpable": s.suid_dumpable,
            "core_pipe_limit": s.core_pipe_limit,
            "osrelease": s.osrelease,
        },
        "pid": r.process.pid,
        "pattern_error": r.pattern.as_ref().err().map(|e| e.to_string()),
        "outcome": r.outcome.as_ref().map(outcome_json),
        "destination": r.destination.as_ref().map(outcome_json),
        "findings": r.findings.iter().map(|f| json!({
            "severity": f.severity.name(),
            "message": f.message,
            "help": f.help,
        })).collect::<Vec<_>>(),
        "notes": r.notes,
        "lint": lints.map(lint_json),
        "summary": r.summary(),
    })
}
