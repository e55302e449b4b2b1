//! The command line: subcommands, flags, and where the pattern, kernel and
//! settings come from.

use clap::{Args, Parser, Subcommand, ValueEnum};
use core_pattern::{Crash, Feature, KernelProfile, Settings, Signal};

use crate::json::parse_core_limit;

pub(crate) const EXIT_STATUS: &str = "\
Exit status:
  0  fine: the pattern works, every name matched, no error found
  1  a finding: no core would be written, an error-severity lint or manifest finding, no name matches
  2  usage or input error: an unknown flag, a bad value, an unreadable file or /proc

A pattern (or a name) that starts with `-` goes after `--`. A pattern's bytes
may be any but NUL as they are (bash: $'core.\\xff'), or any at all with
--hex (636f72652eff).";

/// `--hex`'s help.
const HEX_HELP: &str = "PATTERN is hex, two digits a byte (636f72652eff is core.\\xff): for bytes a shell word cannot carry, or copied from a `{\"hex\": ...}` of --format json";

#[derive(Parser)]
#[command(
    name = "corepat",
    version,
    about = "Explain, expand and check Linux kernel.core_pattern values, exactly as the kernel reads them",
    after_help = EXIT_STATUS
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) cmd: Cmd,
}

#[derive(Subcommand)]
pub(crate) enum Cmd {
    /// Explain a pattern in plain words: mode, tokens, where the core goes,
    /// caveats. Without PATTERN, this machine's: /proc/sys/kernel/core_pattern,
    /// its sysctls and the running kernel. Exit status 1 when no core would
    /// be written or an error-severity lint fires.
    #[command(after_help = EXIT_STATUS)]
    Explain(SubjectArgs),
    /// Expand a pattern for one crashing process and print the outcome.
    /// Exit status 1 when no core would be written.
    #[command(after_help = EXIT_STATUS)]
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
        #[arg(long, help = HEX_HELP)]
        hex: bool,
        /// The pattern.
        pattern: std::ffi::OsString,
    },
    /// Lint a pattern: what will go wrong, where, and how to fix it. Without
    /// PATTERN, this machine's. Exit status 1 when an error-severity lint
    /// fires.
    #[command(after_help = EXIT_STATUS)]
    Lint(SubjectArgs),
    /// Look at this machine (read-only): where the next core of a process
    /// would go, or why there would be none. Exit status 1 when no core would
    /// be written or an error was found, 2 when /proc could not be read.
    #[command(after_help = EXIT_STATUS)]
    Doctor {
        /// The process to look at (default: corepat itself).
        #[arg(long)]
        pid: Option<u32>,
        /// Where proc(5) is mounted: a host's /proc seen from a container,
        /// or a copy (tests/data/doctor/proc in this repository).
        #[arg(long, value_name = "DIR", default_value = "/proc")]
        proc: std::path::PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Recover the fields from core file names (or a pipe helper's argv):
    /// which program, which PID, when, which signal. Ambiguity is reported,
    /// never guessed. Exit status 1 when no name matches, 2 when a line of
    /// stdin was too long to be a name.
    ///
    /// With --stdin the listing streams: each line is written as soon as
    /// its name is read and matched (a live producer such as `inotifywait
    /// -m DIR --format %f | corepat match --stdin --component PATTERN`
    /// sees each result at once), in input order, in memory bounded
    /// whatever the number of names. Names given as arguments or found by
    /// --dir are listed sorted by time (--sort input lists them as they
    /// come). The text table's columns are as wide as the header and the
    /// first name need (all names, when sorted), at most 64 characters; a
    /// wider cell overflows on its own row. JSON is one object a line.
    #[command(after_help = EXIT_STATUS)]
    Match {
        #[command(flatten)]
        kernel: KernelArgs,
        /// kernel.core_uses_pid (0 or 1): whether a `.PID` suffix is expected.
        #[arg(long, value_name = "N", default_value_t = 0)]
        core_uses_pid: u32,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The most candidates listed per name, at most 65536 (the C ABI's
        /// CPAT_MAX_LISTED_CANDIDATES); the count is always exact.
        #[arg(long, value_name = "N", default_value_t = 16,
              value_parser = clap::value_parser!(u32).range(0..=65_536))]
        max_candidates: u32,
        /// Match only the last component of the pattern (names without
        /// their directory). Implied by --dir.
        #[arg(long)]
        component: bool,
        /// Read names from stdin, one a line, each written as it is matched
        /// (see --sort). A line of more than 65536 bytes is no name: it is
        /// reported on stderr and skipped, and the exit status is 2.
        #[arg(long, conflicts_with = "dir")]
        stdin: bool,
        /// Match every entry of this directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
        /// The listing's order: `time` (by the time field; names without
        /// one, or without a match, last, by name; every name is held until
        /// all are in) or `input` (as given, streamed). Default: `input`
        /// with --stdin, `time` otherwise.
        #[arg(long, value_enum, value_name = "ORDER")]
        sort: Option<Order>,
        #[arg(long, help = HEX_HELP)]
        hex: bool,
        /// The pattern.
        pattern: std::ffi::OsString,
        /// Names to match; for a pipe pattern, the helper's argv (argv[0]
        /// first; put `--` before the pattern when an argument starts with `-`).
        names: Vec<std::ffi::OsString>,
    },
    /// Check the core-pattern annotation of Kubernetes manifests (YAML or
    /// JSON; `-` for stdin). Exit status 1 when any error is found.
    #[command(after_help = EXIT_STATUS)]
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
    /// Read conformance vectors (JSON lines) on stdin; write one result line
    /// each. Exit status 1 when a vector could not be run.
    Conform,
    /// Print a shell completion script: `corepat completions bash >
    /// /usr/share/bash-completion/completions/corepat`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `corepat man > corepat.1`; a
    /// subcommand's, with its options, `corepat man match > corepat-match.1`.
    Man {
        /// The subcommand whose page to print (default: corepat's own).
        #[arg(value_name = "SUBCOMMAND", value_parser = [
            "explain", "expand", "lint", "doctor", "match", "check-manifest",
            "ephemeral-patch", "conform", "completions", "man",
        ])]
        command: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}

/// The order of `corepat match`'s listing.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Order {
    /// By the time field (`%t`); names without one last, by name.
    Time,
    /// As the names come, each written as soon as it is matched.
    Input,
}

/// The bytes of a PATTERN argument: as given, or decoded from hex.
pub(crate) fn pattern_bytes(p: &std::ffi::OsStr, hex: bool) -> Result<Vec<u8>, String> {
    use std::os::unix::ffi::OsStrExt;
    if hex {
        crate::text::unhex(p)
    } else {
        Ok(p.as_bytes().to_vec())
    }
}

#[derive(Args)]
pub(crate) struct KernelArgs {
    /// Kernel release to model, as `uname -r` prints it (default: newest known).
    #[arg(long, value_name = "RELEASE")]
    kernel: Option<String>,
    /// A feature the kernel has beyond its release (a backport), e.g. `%F`
    /// or `socket-mode`. Repeatable.
    #[arg(long = "with", value_name = "FEATURE")]
    with: Vec<String>,
}

impl KernelArgs {
    pub(crate) fn profile(&self) -> Result<(KernelProfile, bool), String> {
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
pub(crate) struct SettingsArgs {
    /// kernel.core_uses_pid (0 or 1; default 0, or this machine's without PATTERN).
    #[arg(long, value_name = "N")]
    core_uses_pid: Option<u32>,
    /// fs.suid_dumpable (0, 1 or 2; default 0, or this machine's without PATTERN).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=2))]
    suid_dumpable: Option<u8>,
    /// kernel.core_pipe_limit (default 0, or this machine's without PATTERN).
    #[arg(long, value_name = "N")]
    core_pipe_limit: Option<u32>,
}

impl SettingsArgs {
    /// `base` with every value given on the command line.
    pub(crate) fn over(&self, base: Settings) -> Settings {
        let mut s = base;
        if let Some(v) = self.core_uses_pid {
            s = s.with_core_uses_pid(v != 0);
        }
        if let Some(v) = self.suid_dumpable {
            s = s.with_suid_dumpable(v);
        }
        if let Some(v) = self.core_pipe_limit {
            s = s.with_core_pipe_limit(v);
        }
        s
    }

    pub(crate) fn settings(&self) -> Settings {
        self.over(Settings::new())
    }
}

/// The arguments of `explain` and `lint`: a pattern (or this machine's), the
/// kernel, the settings, the output format.
#[derive(Args)]
pub(crate) struct SubjectArgs {
    #[command(flatten)]
    pub(crate) kernel: KernelArgs,
    #[command(flatten)]
    pub(crate) settings: SettingsArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    #[arg(long, help = HEX_HELP, requires = "pattern")]
    pub(crate) hex: bool,
    /// The pattern, as you would write it to /proc/sys/kernel/core_pattern
    /// (default: this machine's).
    pub(crate) pattern: Option<std::ffi::OsString>,
}

/// The pattern, kernel and settings to explain or lint, and where each came
/// from: the command line, or (without a pattern) this machine.
pub(crate) struct Subject {
    pub(crate) written: Vec<u8>,
    pub(crate) kernel: KernelProfile,
    pub(crate) settings: Settings,
    /// The first line of the text output.
    pub(crate) source: String,
    /// For JSON: `"command-line"` or `"machine"`, and the kernel's origin.
    pub(crate) pattern_from: &'static str,
    pub(crate) kernel_from: &'static str,
}

pub(crate) fn subject(args: SubjectArgs) -> Result<Subject, String> {
    let SubjectArgs {
        kernel,
        settings,
        pattern,
        hex,
        ..
    } = args;
    let (given_kernel, kernel_given) = kernel.profile()?;
    if let Some(p) = pattern {
        let (kernel_from, kernel_text) = if kernel_given {
            ("command-line", "kernel from --kernel".to_string())
        } else {
            (
                "newest",
                format!(
                    "kernel {given_kernel}, the newest known behaviour (--kernel RELEASE models another)"
                ),
            )
        };
        return Ok(Subject {
            written: pattern_bytes(&p, hex)?,
            kernel: given_kernel,
            settings: settings.settings(),
            source: format!("source   the pattern given; {kernel_text}"),
            pattern_from: "command-line",
            kernel_from,
        });
    }
    let m = core_pattern::doctor::Doctor::new()
        .machine()
        .map_err(|e| format!("no PATTERN given, and this machine's cannot be read: {e}"))?;
    let written = m
        .pattern()
        .ok_or("no PATTERN given, and the kernel refuses to show its core_pattern (an invalid `@` value)")?
        .to_vec();
    let (kernel, kernel_from, kernel_text) = if kernel_given {
        (
            given_kernel,
            "command-line",
            "kernel from --kernel".to_string(),
        )
    } else {
        (
            m.kernel,
            "machine",
            format!(
                "the running kernel {} (uname -r)",
                m.sysctls.osrelease.trim()
            ),
        )
    };
    Ok(Subject {
        written,
        kernel,
        settings: settings.over(m.settings),
        source: format!(
            "source   this machine: /proc/sys/kernel/core_pattern and its sysctls; {kernel_text}"
        ),
        pattern_from: "machine",
        kernel_from,
    })
}

#[derive(Args)]
pub(crate) struct CrashArgs {
    /// PID in the process's namespace (%p), 1-4194303; also the default for --tid, --global-pid.
    #[arg(long)]
    pid: Option<u32>,
    /// TID in the process's namespace (%i), 1-4194303.
    #[arg(long)]
    tid: Option<u32>,
    /// PID in the initial namespace (%P), 1-4194303.
    #[arg(long)]
    global_pid: Option<u32>,
    /// TID in the initial namespace (%I), 1-4194303.
    #[arg(long)]
    global_tid: Option<u32>,
    /// Real UID (%u), 0-4294967294.
    #[arg(long)]
    uid: Option<u32>,
    /// Real GID (%g), 0-4294967294.
    #[arg(long)]
    gid: Option<u32>,
    /// Dumpable mode 0, 1 or 2 (%d).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=2))]
    dumpable: Option<u8>,
    /// Signal, by number (1-64) or name (%s).
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
    /// CPU (%C), 0-2147483647.
    #[arg(long)]
    cpu: Option<u32>,
    /// Soft RLIMIT_CORE in bytes, or `unlimited` (%c).
    #[arg(long, value_name = "BYTES|unlimited")]
    core_limit: Option<String>,
}

impl CrashArgs {
    /// The crash the flags describe (the example crash where a flag is
    /// missing). A value no kernel produces (PID 0, signal 65, ...) is an
    /// error naming the field and its range: a usage error (exit 2).
    pub(crate) fn crash(&self) -> Result<Crash<'_>, String> {
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
        let crash = Crash::new(0)
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
            });
        crash.check().map_err(|e| e.to_string())?;
        Ok(crash)
    }
}
