//! `corepat`: explain, expand and check Linux `core_pattern` values.
//!
//! ```text
//! cargo run --example corepat -- explain '/data/dump-a/core-%E-%p-%t'
//! cargo run --example corepat -- expand --comm 'my app' --pid 1 '|/usr/bin/helper %e %p'
//! cargo run --example corepat -- conform < tests/data/vectors/kernel-observed.jsonl
//! ```

use clap::{Args, Parser, Subcommand, ValueEnum};
use core_pattern::{
    Crash, Feature, KernelProfile, Mode, Outcome, ParseOptions, Pattern, Settings, Signal,
    Specifier, Token, TokenKind, stored_value,
};
use serde_json::{Value, json};

mod json;
use json::{bytes_to_json, conform_one, lint_json, match_json, outcome_json, parse_core_limit};
use std::io::{self, BufRead, Write};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "corepat",
    about = "Explain, expand and check Linux kernel.core_pattern values, exactly as the kernel reads them"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Explain a pattern in plain words: mode, tokens, where the core goes, caveats.
    Explain {
        #[command(flatten)]
        kernel: KernelArgs,
        #[command(flatten)]
        settings: SettingsArgs,
        /// The pattern, as you would write it to /proc/sys/kernel/core_pattern
        /// (use `--` before a pattern that starts with `-`).
        #[arg(allow_hyphen_values = true)]
        pattern: String,
    },
    /// Expand a pattern for one crashing process and print the outcome.
    Expand {
        #[command(flatten)]
        kernel: KernelArgs,
        #[command(flatten)]
        settings: SettingsArgs,
        #[command(flatten)]
        crash: Box<CrashArgs>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The pattern (use `--` before a pattern that starts with `-`).
        #[arg(allow_hyphen_values = true)]
        pattern: String,
    },
    /// Lint a pattern: what will go wrong, where, and how to fix it. Exit
    /// status 1 when an error-severity lint fires.
    Lint {
        #[command(flatten)]
        kernel: KernelArgs,
        #[command(flatten)]
        settings: SettingsArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The pattern (use `--` before a pattern that starts with `-`).
        #[arg(allow_hyphen_values = true)]
        pattern: String,
    },
    /// Look at this machine (read-only): where the next core of a process
    /// would go, or why there would be none. Exit status 1 when no core would
    /// be written or an error was found, 2 when /proc could not be read.
    Doctor {
        /// The process to look at (default: corepat itself).
        #[arg(long)]
        pid: Option<u32>,
    },
    /// Recover the fields from core file names (or a pipe helper's argv):
    /// which program, which PID, when, which signal. Ambiguity is reported,
    /// never guessed.
    Match {
        #[command(flatten)]
        kernel: KernelArgs,
        /// kernel.core_uses_pid (0 or 1): whether a `.PID` suffix is expected.
        #[arg(long, value_name = "N", default_value_t = 0)]
        core_uses_pid: u32,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The most candidates listed per name (the count is always exact).
        #[arg(long, value_name = "N", default_value_t = 16)]
        max_candidates: usize,
        /// Match only the last component of the pattern (names without
        /// their directory). Implied by --dir.
        #[arg(long)]
        component: bool,
        /// Read names from stdin, one per line.
        #[arg(long, conflicts_with = "dir")]
        stdin: bool,
        /// Match every entry of this directory (sorted by the time field).
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
        /// The pattern (use `--` before a pattern that starts with `-`).
        #[arg(allow_hyphen_values = true)]
        pattern: String,
        /// Names to match; for a pipe pattern, the helper's argv (argv[0]
        /// first; put `--` before them when an argument starts with `-`).
        names: Vec<std::ffi::OsString>,
    },
    /// Check the core-pattern annotation of Kubernetes manifests (YAML or
    /// JSON; `-` for stdin). Exit status 1 when any error is found.
    CheckManifest {
        #[command(flatten)]
        kernel: KernelArgs,
        /// Another annotation key to read (default: alibabacloud.com/core-pattern
        /// and k8s.aliyun.com/eci-core-pattern). Repeatable.
        #[arg(long = "key", value_name = "KEY")]
        keys: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Manifest files (`-` for stdin), including ephemeral-container patch bodies.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
    /// Print the patch body that adds an ephemeral debug container mounting
    /// the core volume at the pattern's directory, and how to apply it.
    EphemeralPatch {
        /// The ephemeral container's name.
        #[arg(long, default_value = "core-debugger")]
        name: String,
        /// Its image (one with gdb to analyse cores).
        #[arg(long, default_value = "alpine:3")]
        image: String,
        /// The container to target (default: the first that mounts the directory).
        #[arg(long)]
        target: Option<String>,
        /// The manifest with the annotated workload (`-` for stdin).
        manifest: std::path::PathBuf,
    },
    /// Read conformance vectors (JSON lines) on stdin; write one result line each.
    Conform,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Args)]
struct KernelArgs {
    /// Kernel release to model, as `uname -r` prints it (default: newest known).
    #[arg(long, value_name = "RELEASE")]
    kernel: Option<String>,
    /// A feature the kernel has beyond its release (a backport), e.g. `%F`
    /// or `socket-mode`. Repeatable.
    #[arg(long = "with", value_name = "FEATURE")]
    with: Vec<String>,
}

impl KernelArgs {
    fn profile(&self) -> Result<(KernelProfile, bool), String> {
        let (mut k, given) = match &self.kernel {
            Some(r) => (KernelProfile::parse(r).map_err(|e| e.to_string())?, true),
            None => (KernelProfile::latest(), false),
        };
        for f in &self.with {
            let feat = Feature::from_name(f).ok_or_else(|| {
                let names: Vec<_> = Feature::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown feature {f:?}: use %F, %C, %f or one of {}",
                    names.join(", ")
                )
            })?;
            k = k.with_feature(feat);
        }
        Ok((k, given))
    }
}

#[derive(Args)]
struct SettingsArgs {
    /// kernel.core_uses_pid (0 or 1).
    #[arg(long, value_name = "N", default_value_t = 0)]
    core_uses_pid: u32,
    /// fs.suid_dumpable (0, 1 or 2).
    #[arg(long, value_name = "N", default_value_t = 0)]
    suid_dumpable: u8,
    /// kernel.core_pipe_limit.
    #[arg(long, value_name = "N", default_value_t = 0)]
    core_pipe_limit: u32,
}

impl SettingsArgs {
    fn settings(&self) -> Settings {
        Settings::new()
            .with_core_uses_pid(self.core_uses_pid != 0)
            .with_suid_dumpable(self.suid_dumpable)
            .with_core_pipe_limit(self.core_pipe_limit)
    }
}

#[derive(Args)]
struct CrashArgs {
    /// PID in the process's namespace (%p); also the default for --tid, --global-pid.
    #[arg(long)]
    pid: Option<u32>,
    /// TID in the process's namespace (%i).
    #[arg(long)]
    tid: Option<u32>,
    /// PID in the initial namespace (%P).
    #[arg(long)]
    global_pid: Option<u32>,
    /// TID in the initial namespace (%I).
    #[arg(long)]
    global_tid: Option<u32>,
    /// Real UID (%u).
    #[arg(long)]
    uid: Option<u32>,
    /// Real GID (%g).
    #[arg(long)]
    gid: Option<u32>,
    /// Dumpable mode 0, 1 or 2 (%d).
    #[arg(long)]
    dumpable: Option<u8>,
    /// Signal, by number or name (%s).
    #[arg(long)]
    signal: Option<String>,
    /// Seconds since the Epoch (%t).
    #[arg(long, allow_hyphen_values = true)]
    time: Option<i64>,
    /// Hostname (%h).
    #[arg(long)]
    hostname: Option<String>,
    /// Thread name, comm (%e).
    #[arg(long)]
    comm: Option<String>,
    /// Executable path (%E, %f).
    #[arg(long)]
    exe: Option<String>,
    /// The process has no executable file (%E gives "<comm> (path unknown)").
    #[arg(long, conflicts_with = "exe")]
    no_exe: bool,
    /// CPU (%C).
    #[arg(long)]
    cpu: Option<u32>,
    /// Soft RLIMIT_CORE in bytes, or `unlimited` (%c).
    #[arg(long, value_name = "BYTES|unlimited")]
    core_limit: Option<String>,
}

impl CrashArgs {
    fn crash(&self) -> Result<Crash<'_>, String> {
        let ex = Crash::example();
        let pid = self.pid.unwrap_or(ex.pid);
        let tid = self.tid.or(self.pid).unwrap_or(ex.tid);
        let global_pid = self.global_pid.or(self.pid).unwrap_or(ex.global_pid);
        let global_tid = self
            .global_tid
            .or(self.global_pid.filter(|_| self.tid.is_none()))
            .or(self.tid.filter(|_| self.global_pid.is_none()))
            .or(self.pid)
            .unwrap_or(ex.global_tid);
        Ok(Crash::new(0)
            .with_pid(pid)
            .with_tid(tid)
            .with_global_pid(global_pid)
            .with_global_tid(global_tid)
            .with_uid(self.uid.unwrap_or(ex.uid))
            .with_gid(self.gid.unwrap_or(ex.gid))
            .with_dumpable(self.dumpable.unwrap_or(ex.dumpable))
            .with_signal(match &self.signal {
                Some(s) => s.parse::<Signal>().map_err(|e| e.to_string())?,
                None => ex.signal,
            })
            .with_time(self.time.unwrap_or(ex.time))
            .with_hostname(self.hostname.as_deref().map_or(ex.hostname, str::as_bytes))
            .with_comm(self.comm.as_deref().map_or(ex.comm, str::as_bytes))
            .with_exe(if self.no_exe {
                None
            } else {
                Some(
                    self.exe
                        .as_deref()
                        .map_or(b"/usr/bin/myapp".as_slice(), str::as_bytes),
                )
            })
            .with_cpu(self.cpu.unwrap_or(ex.cpu))
            .with_core_limit(match &self.core_limit {
                Some(s) => parse_core_limit(s)?,
                None => ex.core_limit,
            }))
    }
}

/// `writeln!` into a String (which cannot fail).
macro_rules! outln {
    ($o:expr) => {{ $o.push('\n'); }};
    ($o:expr, $($t:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($o, $($t)*);
    }};
}

/// Writes the output; a closed pipe (`| head`) ends quietly.
fn emit(text: &str) -> Result<ExitCode, String> {
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
        Cmd::Explain {
            kernel,
            settings,
            pattern,
        } => kernel
            .profile()
            .and_then(|k| explain(pattern.as_bytes(), k, &settings.settings())),
        Cmd::Expand {
            kernel,
            settings,
            crash,
            format,
            pattern,
        } => kernel.profile().and_then(|(k, _)| {
            let c = crash.crash()?;
            expand(pattern.as_bytes(), &k, &settings.settings(), &c, format)
        }),
        Cmd::Lint {
            kernel,
            settings,
            format,
            pattern,
        } => kernel
            .profile()
            .and_then(|(k, _)| lint(pattern.as_bytes(), &k, &settings.settings(), format)),
        Cmd::Doctor { pid } => doctor(pid),
        Cmd::Match {
            kernel,
            core_uses_pid,
            format,
            max_candidates,
            component,
            stdin,
            dir,
            pattern,
            names,
        } => kernel.profile().and_then(|(k, _)| {
            let settings = Settings::new().with_core_uses_pid(core_uses_pid != 0);
            let source = match (stdin, dir) {
                (true, _) => Names::Stdin,
                (_, Some(d)) => Names::Dir(d),
                _ => Names::Args(names),
            };
            match_names(
                pattern.as_bytes(),
                &k,
                &settings,
                component,
                source,
                format,
                max_candidates,
            )
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
    };
    match r {
        Ok(code) => code,
        Err(e) => {
            eprintln!("corepat: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Human-readable bytes: UTF-8 where possible, `\xNN` otherwise.
fn show(b: &[u8]) -> String {
    let mut s = String::new();
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                s.push_str(&c.escape_default().to_string());
            } else {
                s.push(c);
            }
        }
        for x in chunk.invalid() {
            s.push_str(&format!("\\x{x:02x}"));
        }
    }
    s
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
    let mut notes = Vec::new();
    if stored.len() < raw.len() {
        let why = if raw.len() > stored.len() && matches!(raw.get(stored.len()), Some(b'\n' | 0)) {
            "the kernel stops at the first newline or NUL"
        } else {
            "the kernel keeps only the first 127 bytes"
        };
        notes.push(format!(
            "the kernel stores only {:?} ({} of {} bytes): {why}; dropped: {:?}",
            show(stored),
            stored.len(),
            raw.len(),
            show(&raw[stored.len()..]),
        ));
    }
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
    emit(&o)
}

// ---------------------------------------------------------------------------
// lint

fn lint(
    raw: &[u8],
    kernel: &KernelProfile,
    settings: &Settings,
    format: Format,
) -> Result<ExitCode, String> {
    let report = core_pattern::lint::check(raw, kernel, settings);
    let mut o = String::new();
    match format {
        Format::Json => outln!(o, "{}", lint_json(&report)),
        Format::Text => {
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
    Ok(if report.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

// ---------------------------------------------------------------------------
// match

enum Names {
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

fn match_names(
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
    let mut results: Vec<(&Vec<u8>, core_pattern::reverse::Matches<'_>)> =
        names.iter().map(|n| (n, matcher.match_name(n))).collect();
    // Sorted by time; names without a time (or no match) last, by name.
    results.sort_by(|a, b| {
        let (ta, tb) = (time_of(&a.1), time_of(&b.1));
        match (ta, tb) {
            (Some(x), Some(y)) => x.cmp(&y).then(a.0.cmp(b.0)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.0.cmp(b.0),
        }
    });
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
            let mut width = header.map(str::len);
            for r in &rows {
                for (w, c) in width.iter_mut().zip(r) {
                    *w = (*w).max(c.chars().count());
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

// ---------------------------------------------------------------------------
// manifests

fn read_input(path: &std::path::Path) -> Result<(String, String), String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        io::Read::read_to_string(&mut io::stdin().lock(), &mut s)
            .map_err(|e| format!("reading stdin: {e}"))?;
        return Ok(("<stdin>".into(), s));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((path.display().to_string(), text))
}

fn check_manifest(
    files: &[std::path::PathBuf],
    kernel: KernelProfile,
    keys: Vec<String>,
    format: Format,
) -> Result<ExitCode, String> {
    let mut set = core_pattern::k8s::ManifestSet::default();
    for f in files {
        let (name, text) = read_input(f)?;
        set.add(&name, &text).map_err(|e| e.to_string())?;
    }
    let mut opts = core_pattern::k8s::CheckOptions::new().with_kernel(kernel);
    if !keys.is_empty() {
        opts.keys = keys;
    }
    let report = core_pattern::k8s::try_check(&set, &opts).map_err(|e| e.to_string())?;
    let mut o = String::new();
    match format {
        Format::Json => outln!(o, "{}", report.to_json()),
        Format::Text => {
            let mut last: Option<&str> = None;
            for f in &report.findings {
                if last != Some(f.object.as_str()) {
                    if last.is_some() {
                        outln!(o);
                    }
                    outln!(o, "{}", f.object);
                    last = Some(&f.object);
                }
                let c = f
                    .container
                    .as_deref()
                    .map(|c| format!(" [{c}]"))
                    .unwrap_or_default();
                outln!(o, "  {}[{}]{c} {}", f.severity, f.name, f.path);
                outln!(o, "    {}", f.message);
                outln!(o, "    fix: {}", f.help);
            }
            let errors = report
                .findings
                .iter()
                .filter(|f| f.severity == core_pattern::lint::Severity::Error)
                .count();
            if report.findings.is_empty() {
                outln!(o, "no findings");
            } else {
                outln!(o);
                outln!(o, "{} finding(s), {errors} error(s)", report.findings.len());
            }
        }
    }
    emit(&o)?;
    Ok(if report.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn ephemeral(
    manifest: &std::path::Path,
    name: String,
    image: String,
    target: Option<String>,
) -> Result<ExitCode, String> {
    let (src, text) = read_input(manifest)?;
    let set = core_pattern::k8s::ManifestSet::parse(&src, &text).map_err(|e| e.to_string())?;
    let mut opts = core_pattern::k8s::PatchOptions::new()
        .with_name(name)
        .with_image(image);
    if let Some(t) = target {
        opts = opts.with_target(t);
    }
    let patch = core_pattern::k8s::ephemeral_patch(&set, &opts).map_err(|e| e.to_string())?;
    let body = serde_json::to_string_pretty(&patch.body).map_err(|e| e.to_string())?;
    let mut o = String::new();
    outln!(o, "{body}");
    eprintln!(
        "# patch for {}: save the JSON above as patch.json, then:",
        patch.object
    );
    for line in patch.kubectl.lines() {
        if line.starts_with('#') {
            eprintln!("{line}");
        } else {
            eprintln!("#   {line}");
        }
    }
    eprintln!("# or, through the API server proxy:");
    eprintln!("#   {}", patch.curl);
    emit(&o)
}

// ---------------------------------------------------------------------------
// doctor

fn doctor(pid: Option<u32>) -> Result<ExitCode, String> {
    let report = core_pattern::doctor::Doctor::inspect(pid).map_err(|e| e.to_string())?;
    let mut o = report.summary();
    if let Ok(p) = &report.pattern {
        let lints = core_pattern::lint::check(p.as_bytes(), &report.kernel, &report.settings);
        if !lints.lints().is_empty() || lints.handler().is_some() {
            outln!(o);
            outln!(o, "the pattern itself (corepat lint):");
            o.push_str(&lints.render());
        }
    }
    emit(&o)?;
    Ok(if report.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

// ---------------------------------------------------------------------------
// explain

fn token_text(p: &Pattern, t: &Token) -> (String, String) {
    let bytes = p.token_bytes(t);
    match t.kind {
        TokenKind::ModePrefix => (
            show(bytes),
            match p.mode() {
                Mode::Pipe => "pipe to a helper program".into(),
                Mode::Socket => "write to a Unix socket".into(),
                Mode::SocketRequest => {
                    "write to a Unix socket, with the request/ack protocol".into()
                }
                _ => String::new(),
            },
        ),
        TokenKind::Literal => (
            format!("{:?}", show(bytes)),
            if matches!(p.mode(), Mode::Socket | Mode::SocketRequest) {
                "the socket path, taken as is (% is never expanded here)".into()
            } else {
                "copied as is".into()
            },
        ),
        TokenKind::Spec(s) => {
            let i = s.info();
            let mut m = i.meaning.to_string();
            if s == Specifier::Pidfd && p.mode() != Mode::Pipe {
                m = "expands to nothing outside pipe mode (a pidfd is only for helpers)".into();
            } else if i.escaped && !m.contains('!') {
                m.push_str("; `/` becomes `!`");
            }
            (show(bytes), m)
        }
        TokenKind::Unknown(b) => {
            let why = match Specifier::from_byte(b) {
                Some(s) => format!(
                    "this kernel does not know {s} (since {}): both bytes are dropped",
                    s.info().since.map_or("?".into(), |v| v.to_string())
                ),
                None if b.is_ascii_graphic() => {
                    format!("unknown specifier %{}: both bytes are dropped", b as char)
                }
                None => format!(
                    "`%` followed by byte 0x{b:02x}: both are dropped (the `%` swallows it{})",
                    if core_pattern::is_kernel_space(b) {
                        ", even whitespace"
                    } else {
                        ""
                    }
                ),
            };
            (show(bytes), why)
        }
        TokenKind::TrailingPercent => (
            "%".into(),
            "a lone `%` at the end: dropped, and expansion stops".into(),
        ),
        TokenKind::Space => (
            format!("{:?}", show(bytes)),
            "whitespace: separates helper arguments".into(),
        ),
        _ => (show(bytes), String::new()),
    }
}

fn explain(
    raw: &[u8],
    (kernel, given): (KernelProfile, bool),
    settings: &Settings,
) -> Result<ExitCode, String> {
    let mut o = String::new();
    let (p, notes) = parse_written(raw, &kernel)?;
    outln!(
        o,
        "pattern  {}  ({} bytes; the kernel holds at most 127)",
        show(raw),
        raw.len()
    );
    outln!(
        o,
        "kernel   {kernel}{}",
        if given {
            ""
        } else {
            " (newest known behaviour; --kernel RELEASE picks another)"
        }
    );
    let mode_text = match p.mode() {
        Mode::File => "file: the kernel creates the core file itself",
        Mode::Pipe => "pipe: the kernel runs a helper and writes the core to its stdin",
        Mode::Socket => "socket: the kernel connects to a Unix socket and writes the core to it",
        Mode::SocketRequest => {
            "socket with request protocol: the kernel asks a Unix socket server how to dump"
        }
        _ => "a mode this tool does not describe",
    };
    outln!(o, "mode     {mode_text}");
    for n in &notes {
        outln!(o, "note     {n}");
    }
    outln!(o);
    let crash = Crash::example();
    let outcome = p.expand(settings, &crash);
    outln!(o, "tokens");
    let line = show(p.as_bytes());
    outln!(o, "  {line}");
    for t in p.tokens() {
        if t.kind == TokenKind::Space {
            continue;
        }
        let col = show(&p.as_bytes()[..t.span.start as usize]).chars().count();
        let width = show(p.token_bytes(t)).chars().count().max(1);
        let (text, meaning) = token_text(&p, t);
        outln!(
            o,
            "  {}{} {text}  {meaning}",
            " ".repeat(col),
            "^".repeat(width)
        );
    }
    if p.mode() == Mode::Pipe {
        outln!(o);
        if kernel.has(Feature::PipeSplitBeforeExpand) {
            outln!(
                o,
                "arguments (split on whitespace before expansion: a value with spaces stays one argument)"
            );
        } else {
            outln!(
                o,
                "arguments (before 5.3: expanded first, then split on whitespace; empty ones vanish)"
            );
        }
        let argv = match &outcome {
            Outcome::Pipe { argv, .. } if kernel.has(Feature::PipeSplitBeforeExpand) => Some(argv),
            _ => None,
        };
        for (i, toks) in p.pipe_arguments().iter().enumerate() {
            let (Some(first), Some(last)) = (toks.first(), toks.last()) else {
                continue;
            };
            let template = show(&p.as_bytes()[first.span.start as usize..last.span.end as usize]);
            let example = argv
                .and_then(|a| a.get(i))
                .map(|a| format!("  e.g. {:?}", show(a)))
                .unwrap_or_default();
            let role = if i == 0 { "  (the helper program)" } else { "" };
            outln!(o, "  argv[{i}]  {}{example}{role}", template.trim_end());
        }
    }
    outln!(o);
    let crash = Crash::example();
    let outcome = p.expand(settings, &crash);
    outln!(
        o,
        "where the core goes (for an example crash: pid 1234, global pid 51234, uid 1000, comm \"myapp\", exe /usr/bin/myapp, host node1, SIGSEGV, time 1700000000)"
    );
    let mut caveats: Vec<String> = Vec::new();
    match &outcome {
        Outcome::File { name } => {
            outln!(o, "  file {}", show(name));
            if name.first() == Some(&b'/') {
                outln!(
                    o,
                    "  an absolute path, resolved inside the crashing process's mount namespace (its container's filesystem)"
                );
            } else {
                outln!(
                    o,
                    "  a RELATIVE path: it lands in the crashing process's current directory, wherever that is"
                );
            }
            if let Some(i) = p.body().iter().rposition(|&b| b == b'/') {
                let dir = &p.body()[..i.max(1)];
                outln!(
                    o,
                    "  the directory {} must already exist there: the kernel creates no directories, and a missing one means no core and no log line",
                    show(dir)
                );
            }
            outln!(
                o,
                "  the file is created with mode 0600; a filesystem that cannot keep that owner and mode (NFS/NAS with root squash) refuses the dump"
            );
            if p.uses(Specifier::Pid) {
                caveats.push("core_uses_pid has no effect: the pattern has %p".into());
            }
            caveats.push("the soft core limit (ulimit -c) must be at least 4096 bytes, or nothing is written".into());
        }
        Outcome::Pipe { argv, pidfd } => {
            outln!(
                o,
                "  run {} as root, in the initial namespaces, with an empty environment; the core arrives on its stdin",
                show(&argv[0])
            );
            if *pidfd {
                outln!(
                    o,
                    "  the helper gets a pidfd of the crashing process at fd 3 (%F)"
                );
            }
            caveats.push("core_uses_pid and the core size limit do not apply to pipes, except a limit of exactly 1, which aborts the dump".into());
        }
        Outcome::Socket { path, request } => {
            outln!(
                o,
                "  connect to the Unix socket {} (looked up beneath the root of the initial mount namespace){}",
                show(path),
                if *request {
                    ", then exchange a coredump request and ack"
                } else {
                    ""
                }
            );
            caveats.push("nothing is expanded in a socket path; core_uses_pid and the core size limit do not apply".into());
        }
        Outcome::NoDump { reason } => {
            outln!(o, "  NO CORE: {reason} [{}]", reason.name());
            outln!(o, "  help: {}", reason.help());
        }
        other => outln!(o, "  {}", other.kind()),
    }
    let report = core_pattern::lint::check(raw, &kernel, settings);
    for l in report.lints() {
        caveats.push(format!(
            "{} [{}]: {} (fix: {})",
            l.severity(),
            l.name(),
            l.message(),
            l.help()
        ));
    }
    if let Some(h) = report.handler() {
        outln!(o);
        outln!(o, "{h}");
    }
    caveats.dedup();
    if !caveats.is_empty() {
        outln!(o);
        outln!(o, "caveats (`corepat lint` shows each under its bytes)");
        for c in caveats {
            outln!(o, "  - {c}");
        }
    }
    outln!(o);
    outln!(
        o,
        "try: corepat expand [--pid N --comm NAME --exe PATH ...] '{}'",
        show(raw)
    );
    emit(&o)
}
