//! A kernel-exact model of Linux's `kernel.core_pattern`.
//!
//! Linux decides where a core file goes through one string (core(5)): a file
//! name with `%` specifiers, `|helper args` (a pipe to a helper), or
//! `@socket`/`@@socket` (6.16+). This crate knows what the kernel stores when
//! that string is written, and what it does with it when a process crashes,
//! release by release, byte for byte, checked against real kernels.
//!
//! ```
//! use core_pattern::{Crash, Outcome, Pattern, Settings};
//!
//! // Alibaba Cloud ACS: `alibabacloud.com/core-pattern: "/data/dump-a/core-%E-%p-%t"`
//! let pattern = Pattern::parse("/data/dump-a/core-%E-%p-%t")?;
//! let crash = Crash::example().with_pid(1).with_exe(Some(b"/opt/my app/server"));
//! match pattern.expand(&Settings::default(), &crash) {
//!     Outcome::File { name } => assert_eq!(name, b"/data/dump-a/core-!opt!my app!server-1-1700000000"),
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Where things are
//!
//! The crate root holds the core model: what the kernel stores, how it
//! reads it, and what it does with it at a crash.
//!
//! - **Write** ([`write_sysctl`], [`stored_value`]): what `write(2)` returns
//!   and what the kernel keeps (127 bytes, up to a `\n` or NUL, appending
//!   writes, `@` checks per release).
//! - **Parse** ([`Pattern::parse`], [`ParseOptions`]): bytes to a [`Mode`]
//!   and [`Token`]s with byte [`Span`]s, for a [`KernelProfile`].
//! - **Expand** ([`Pattern::expand`], [`Pattern::expand_file_name_into`]):
//!   for a [`Crash`] and [`Settings`], the [`Outcome`]: a file name, a pipe
//!   argv, a socket path, or no core and the [`NoDumpReason`].
//!
//! Each further concern is a module with its own guide:
//!
//! | module | what | feature |
//! |---|---|---|
//! | [`explain`] | a pattern in plain words: mode, tokens, arguments, where an example core goes, caveats ([`explain::Explanation`], what `corepat explain` prints) | core |
//! | [`lint`] | what will go wrong before the crash: [`lint::Lint`]s with a stable name, code, severity, span and fix; well-known pipe handlers ([`lint::Handler`]) and their argument contracts | core |
//! | [`reverse`] | from a core file name or a helper's argv back to the fields, with ambiguity reported ([`reverse::Matcher`]) | core |
//! | `k8s` | the `core-pattern` annotation checked against Kubernetes manifests, and the ephemeral-container patch | `k8s` |
//! | `doctor` | where a core of a process on this machine would go, and why it would not, read from `/proc` | `doctor` |
//! | `ffi` | the C ABI (`cpat_*`, `include/core_pattern.h`) | `capi` |
//!
//! # Crate features
//!
//! | feature | default | brings | dependencies |
//! |---|---|---|---|
//! | (core) | always | parse, sysctl write, expand, [`lint`], [`reverse`] | nom, thiserror, itoa, memchr |
//! | `k8s` | yes | the `k8s` module | serde, serde_json, serde-saphyr |
//! | `doctor` | yes | the `doctor` module | libc |
//! | `capi` | no | the `ffi` module (the C ABI); implies `k8s` | |
//! | `cli` | no | the `corepat` tool (`cargo install core-pattern --features cli`), no library API; implies `k8s` and `doctor` | clap, clap_complete, clap_mangen |
//!
//! `cargo add core-pattern` gives the core, the manifest checker and the
//! doctor. A program that only parses, expands, lints or matches patterns
//! (a container runtime, a crash collector) builds the core alone with
//! `cargo add core-pattern --no-default-features`. With `k8s`,
//! [`lint::Severity`] implements `serde::Serialize`. C and Go link the
//! static or shared library that the C build path makes with `capi` on;
//! Rust dependents only ever build an rlib.
//!
//! # Specifiers
//!
//! | spec | value | escaped | since |
//! |---|---|---|---|
//! | `%%` | a literal `%` | | |
//! | `%p` | PID in the process's PID namespace | | |
//! | `%P` | PID in the initial PID namespace | | 3.12 |
//! | `%i` / `%I` | TID, own / initial PID namespace | | 3.18 |
//! | `%u` / `%g` | real UID / GID, from the initial user namespace | | |
//! | `%d` | dump mode (1, or 2 for suid-safe) | | 3.7 |
//! | `%s` | signal number | | |
//! | `%t` | seconds since the Epoch | | |
//! | `%h` | hostname (UTS nodename) | yes | |
//! | `%e` | thread name (comm, ≤ 15 bytes) | yes | |
//! | `%E` | executable path, `/` → `!` | yes | 3.0 |
//! | `%f` | executable file name | yes | 5.9 |
//! | `%c` | soft `RLIMIT_CORE` in bytes | | 2.6.24 |
//! | `%C` | CPU | | 6.2 |
//! | `%F` | `3` (pidfd at fd 3), pipe only; empty in files | | 6.16 |
//!
//! `%` with any other byte drops both bytes; a lone trailing `%` is dropped
//! and ends the expansion. Escaping turns `/` into `!` and an expansion of
//! exactly `.`, `..` or nothing into `!`, `!.` or `!` (4.6+). [`SPECIFIERS`]
//! is the table in code.
//!
//! # Kernel versions
//!
//! A [`KernelProfile`] is a release plus overrides for backports: Debian's
//! 6.1.192 and 6.12.117 have `%F` though upstream added it in 6.16. The
//! default is the newest behaviour ([`KernelProfile::latest`]).
//!
//! # Input safety
//!
//! Everything this crate reads may come from an attacker or a broken
//! config: patterns (sysctls, annotations), core file names on a shared
//! volume, helper argv, manifests, and every C ABI argument. Nothing panics
//! on any input, nothing recurses on input-controlled depth, and the C ABI
//! never unwinds. The limits and bounds, and what checks each:
//!
//! | input | limit / bound | checked by |
//! |---|---|---|
//! | pattern | [`ParseOptions::max_len`] bytes (default 127, the kernel's); O(n) parse and expansion | `fuzz/parse_pattern`, `fuzz/roundtrip_pattern`, `fuzz/expand_pattern`, `tests/prop.rs` |
//! | sysctl writes | any number of chunks of any size; the stored value ≤ 127 bytes | `fuzz/sysctl_write`, `tests/prop.rs` |
//! | crash numbers | PIDs/TIDs 1 to `PID_MAX_LIMIT` − 1, UID/GID not `u32::MAX`, dumpable ≤ 2, signal 1 to `NSIG` (64), CPU ≤ `i32::MAX`: [`Crash::check`] refuses others with a [`CrashError`] naming the field, value and range (`corepat`: exit 2; C ABI: `CPAT_RESULT_INVALID_ARGUMENT`, the reason from `cpat_crash_check`); [`Pattern::expand`] itself takes any value without panicking | `tests/crash_check.rs`, `tests/ffi.rs`, `tests/cli.rs`, `fuzz/ffi_buffers`, `fuzz/expand_then_match` |
//! | crash byte strings | `comm` 15, `hostname` 64 bytes, `exe` < `PATH_MAX` (longer: [`NoDumpReason::ExePathTooLong`]) | `fuzz/expand_pattern`, `tests/spec_table.rs` |
//! | kernel releases | at most 64 bytes of the characters `uname -r` prints; 2.6.19 or later | `tests/spec_table.rs`, `tests/cli.rs`, `tests/ffi.rs` |
//! | lints | O(n) in the input; spans always inside it; rendering O(n) | `fuzz/lint_pattern`, `tests/lint.rs` |
//! | reverse matching | O(k · n) time, O(n) memory to count (k pattern elements, n name bytes); repeated specifiers: at most [`MatchOptions::budget`](reverse::MatchOptions::budget) steps; a candidate listing is capped by its caller (C ABI and `corepat`: 65,536) | `fuzz/match_name`, `fuzz/expand_then_match`, `tests/reverse.rs`, `benches/reverse.rs` (1 KiB → 64 KiB) |
//! | `corepat match` listings | names read one line at a time (a line over 64 KiB is skipped and reported), each result written as it is matched; memory independent of the number of names | `fuzz/match_listing`, `tests/cli.rs`, `tests/fuzz_regressions.rs` |
//! | manifests | `k8s::MAX_MANIFEST_BYTES` (16 MiB) an input, applied while reading; `k8s::MAX_DOCUMENTS` (100,000) documents; one alias expansion budget for a whole `ManifestSet`, `k8s::MAX_EXPANDED_SIZE` (32 MiB, every document of every input, each alias counted where it is used): over it is `ManifestError::ExpansionTooLarge`, never an abort; the YAML parser (serde-saphyr) also limits nesting per document. Checks find PVCs, containers, volumes and ephemeral patches through indexes | `fuzz/check_manifest`, `fuzz/manifest_stream`, `tests/k8s.rs`, `tests/k8s_budget.rs` |
//! | C ABI | pointer + length inputs, copied; outputs never written past `buf_len`; listing capped at `CPAT_MAX_LISTED_CANDIDATES` | `fuzz/ffi_buffers`, `tests/ffi.rs` (also under Miri), `tests/c/run.sh` (ASan, UBSan, valgrind) |
//!
//! How time grows with input, per entry point (n and 8n): `benches/scaling.rs`,
//! figures in `benches/README.md`.
//!
//! `comm`, `hostname` and `exe` are cut as the kernel holds them (15 bytes,
//! 64 bytes, a NUL). Expanded names are not limited by the kernel; names
//! that the VFS would refuse (a component over 255 bytes, 4096 bytes in
//! all) are reported as [`NoDumpReason`]s.
//!
#![deny(missing_docs)]
#![deny(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The core, bottom to top: data tables and limits, kernel profiles,
// parsing, then the sysctl write model and expansion.
mod error;
mod expand;
mod feature;
mod kernel;
mod limits;
mod parse;
mod render;
mod signal;
mod span;
mod spec;
mod sysctl;
mod version;

pub mod explain;
pub mod lint;
pub mod reverse;

#[cfg(feature = "k8s")]
#[cfg_attr(docsrs, doc(cfg(feature = "k8s")))]
pub mod k8s;

#[cfg(feature = "doctor")]
#[cfg_attr(docsrs, doc(cfg(feature = "doctor")))]
pub mod doctor;

#[cfg(feature = "capi")]
#[cfg_attr(docsrs, doc(cfg(feature = "capi")))]
pub mod ffi;

pub use error::Error;
pub use expand::{
    CoreLimit, Crash, CrashError, CrashField, ExpandError, NoDumpReason, Outcome, Settings,
    SocketProblem,
};
pub use feature::Feature;
pub use kernel::{KernelProfile, SocketCheck};
pub use limits::{
    COMM_MAX, CPU_MAX, HOSTNAME_MAX, INVALID_ID, MAX_PATTERN_LEN, MIN_COREDUMP, NAME_MAX, NSIG,
    PATH_MAX, PID_MAX_LIMIT, PIDFD_NUMBER, SUID_DUMP_ROOT, UNIX_PATH_MAX,
};
pub use parse::{
    Mode, ParseError, ParseErrorKind, ParseOptions, Pattern, Token, TokenKind, is_kernel_space,
};
pub use signal::{DefaultAction, SIGNALS, Signal, SignalInfo, SignalParseError, core_signals};
pub use span::Span;
pub use spec::{SPECIFIERS, Specifier, SpecifierInfo};
pub use sysctl::{Errno, WriteOutcome, socket_value_ok, stored_value, write_sysctl};
pub use version::{KernelVersion, KernelVersionError};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
