//! The expansion itself: `coredump_parse()` and `cn_esc_printf()` writing
//! into a sink (a `Vec`, a caller's buffer, or pipe argv), then the checks
//! of `vfs_coredump()`, `coredump_file()` and `coredump_pipe()`.

use super::{CoreLimit, Crash, ExpandError, NoDumpReason, Outcome, Settings, SocketProblem};
use crate::feature::Feature;
use crate::kernel::KernelProfile;
use crate::limits::{COMM_MAX, HOSTNAME_MAX, MIN_COREDUMP, NAME_MAX, PATH_MAX, PIDFD_NUMBER};
use crate::parse::{Mode, Pattern, TokenKind, is_kernel_space};
use crate::spec::Specifier;

// ---------------------------------------------------------------------------
// Sinks: where expanded bytes go.

trait Sink {
    /// Bytes without `/` (values, numbers, separators).
    fn put(&mut self, bytes: &[u8]);
    /// Bytes of the pattern itself: the only place a `/` comes from.
    fn put_literal(&mut self, bytes: &[u8]) {
        self.put(bytes);
    }
    /// A value with every `/` written as `!` (`cn_esc_printf()`).
    fn put_slash_escaped(&mut self, value: &[u8]) {
        let mut start = 0;
        for slash in memchr::memchr_iter(b'/', value) {
            self.put(&value[start..slash]);
            self.put(b"!");
            start = slash + 1;
        }
        self.put(&value[start..]);
    }
    /// Bytes produced so far, NUL separators included (the kernel's `used`).
    fn used(&self) -> usize;
    /// Pipe mode: end the current argument and start a new one.
    fn separate(&mut self) {}
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn put_slash_escaped(&mut self, value: &[u8]) {
        self.extend(value.iter().map(|&b| if b == b'/' { b'!' } else { b }));
    }
    fn used(&self) -> usize {
        self.len()
    }
}

/// Writes into a caller's slice while it fits, and counts everything. It
/// also tracks the longest `/`-separated component as it goes, so the file
/// name is not scanned again: a `/` only ever comes from the pattern's own
/// bytes ([`Sink::put_literal`]); every value is escaped.
struct SliceSink<'b> {
    buf: &'b mut [u8],
    len: usize,
    /// Length of the component being written.
    component: usize,
    /// The longest finished component.
    longest: usize,
}

impl<'b> SliceSink<'b> {
    fn new(buf: &'b mut [u8]) -> SliceSink<'b> {
        SliceSink {
            buf,
            len: 0,
            component: 0,
            longest: 0,
        }
    }

    /// The longest component of everything written.
    fn longest_component(&self) -> usize {
        self.longest.max(self.component)
    }
}

impl Sink for SliceSink<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
        }
        self.len = end;
        self.component = self.component.saturating_add(bytes.len());
    }
    fn put_literal(&mut self, bytes: &[u8]) {
        let before = self.component;
        self.put(bytes);
        let mut component = before;
        for &b in bytes {
            if b == b'/' {
                self.longest = self.longest.max(component);
                component = 0;
            } else {
                component += 1;
            }
        }
        self.component = component;
    }
    fn put_slash_escaped(&mut self, value: &[u8]) {
        // One pass that the compiler vectorises, instead of a copy per piece.
        let end = self.len.saturating_add(value.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            for (d, &b) in dst.iter_mut().zip(value) {
                *d = if b == b'/' { b'!' } else { b };
            }
        }
        self.len = end;
        self.component = self.component.saturating_add(value.len());
    }
    fn used(&self) -> usize {
        self.len
    }
}

struct ArgvSink {
    argv: Vec<Vec<u8>>,
    used: usize,
}

impl Sink for ArgvSink {
    fn put(&mut self, bytes: &[u8]) {
        if let Some(last) = self.argv.last_mut() {
            last.extend_from_slice(bytes);
        }
        self.used += bytes.len();
    }
    fn used(&self) -> usize {
        self.used
    }
    fn separate(&mut self) {
        self.argv.push(Vec::new());
        self.used += 1;
    }
}

fn put_u64<S: Sink>(s: &mut S, v: u64) {
    s.put(itoa::Buffer::new().format(v).as_bytes());
}

fn put_i64<S: Sink>(s: &mut S, v: i64) {
    s.put(itoa::Buffer::new().format(v).as_bytes());
}

/// The bytes of a C string held in a buffer of `max + 1`: up to the first
/// NUL, at most `max` bytes.
fn c_str(b: &[u8], max: usize) -> &[u8] {
    let end = memchr::memchr(0, b).unwrap_or(b.len()).min(max);
    &b[..end]
}

/// `cn_esc_printf()` on a value made of `parts`.
fn put_escaped<S: Sink>(s: &mut S, parts: &[&[u8]], dot_names: bool) {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    if dot_names {
        if total == 0 {
            s.put(b"!");
            return;
        }
        if let [only] = parts {
            match *only {
                b"." => return s.put(b"!"),
                b".." => return s.put(b"!."),
                _ => {}
            }
        }
    }
    for part in parts {
        s.put_slash_escaped(part);
    }
}

/// What the walk over the tokens learned.
#[derive(Default)]
struct Walk {
    pid_in_pattern: bool,
    pidfd: bool,
}

/// Expands one specifier. `Err` when the kernel's parse fails.
fn put_spec<S: Sink>(
    s: &mut S,
    spec: Specifier,
    mode: Mode,
    crash: &Crash<'_>,
    kernel: &KernelProfile,
    walk: &mut Walk,
) -> Result<(), NoDumpReason> {
    let dots = kernel.has(Feature::EscapeDotNames);
    match spec {
        Specifier::Percent => s.put(b"%"),
        Specifier::Pid => {
            walk.pid_in_pattern = true;
            put_u64(s, crash.pid.into());
        }
        Specifier::GlobalPid => put_u64(s, crash.global_pid.into()),
        Specifier::Tid => put_u64(s, crash.tid.into()),
        Specifier::GlobalTid => put_u64(s, crash.global_tid.into()),
        Specifier::Uid => put_u64(s, crash.uid.into()),
        Specifier::Gid => put_u64(s, crash.gid.into()),
        Specifier::Dumpable => put_u64(s, crash.dumpable.into()),
        Specifier::Signal => put_u64(s, crash.signal.number().into()),
        Specifier::Time => put_i64(s, crash.time),
        Specifier::Hostname => put_escaped(s, &[c_str(crash.hostname, HOSTNAME_MAX)], dots),
        Specifier::Comm => put_escaped(s, &[c_str(crash.comm, COMM_MAX)], dots),
        Specifier::ExePath | Specifier::ExeName => match crash.exe {
            None => put_escaped(s, &[c_str(crash.comm, COMM_MAX), b" (path unknown)"], dots),
            Some(exe) => {
                let exe = c_str(exe, usize::MAX);
                if exe.len() >= PATH_MAX {
                    return Err(NoDumpReason::ExePathTooLong { len: exe.len() });
                }
                let value = if spec == Specifier::ExeName {
                    match exe.iter().rposition(|&b| b == b'/') {
                        Some(i) => &exe[i + 1..],
                        None => exe,
                    }
                } else {
                    exe
                };
                put_escaped(s, &[value], dots);
            }
        },
        Specifier::CoreLimit => put_u64(s, crash.core_limit.value(kernel)),
        Specifier::Cpu => put_u64(s, crash.cpu.into()),
        Specifier::Pidfd => {
            if mode == Mode::Pipe {
                walk.pidfd = true;
                put_u64(s, PIDFD_NUMBER.into());
            }
        }
    }
    Ok(())
}

/// The kernel's pattern loop over a file or pipe body. With `split`, a
/// whitespace run marks a pending separator (5.3+ pipe mode); without it,
/// whitespace tokens are copied.
fn walk_tokens<S: Sink>(
    p: &Pattern,
    crash: &Crash<'_>,
    s: &mut S,
    split: bool,
) -> Result<Walk, NoDumpReason> {
    let mut walk = Walk::default();
    let mut was_space = false;
    for t in p.tokens() {
        match t.kind {
            TokenKind::ModePrefix => {}
            TokenKind::Space if split => {
                if s.used() != 0 {
                    was_space = true;
                }
            }
            kind => {
                if was_space {
                    was_space = false;
                    s.separate();
                }
                match kind {
                    TokenKind::Literal | TokenKind::Space => s.put_literal(p.token_bytes(t)),
                    TokenKind::Spec(spec) => {
                        put_spec(s, spec, p.mode(), crash, p.kernel(), &mut walk)?
                    }
                    TokenKind::TrailingPercent => break,
                    _ => {}
                }
            }
        }
    }
    Ok(walk)
}

/// Checks common to every mode, before the pattern is looked at.
fn precheck(crash: &Crash<'_>) -> Result<(), NoDumpReason> {
    if !crash.signal.dumps_core() {
        return Err(NoDumpReason::SignalNotCore {
            signal: crash.signal,
        });
    }
    if crash.dumpable == 0 {
        return Err(NoDumpReason::NotDumpable);
    }
    Ok(())
}

/// `coredump_file()`'s checks on an expanded name.
fn check_file(name: &[u8], crash: &Crash<'_>) -> Result<(), NoDumpReason> {
    let mut longest = 0;
    let mut start = 0;
    for slash in memchr::memchr_iter(b'/', name) {
        longest = longest.max(slash - start);
        start = slash + 1;
    }
    check_file_name(name, longest.max(name.len() - start), crash)
}

/// [`check_file`] with the longest component already known.
fn check_file_name(name: &[u8], longest: usize, crash: &Crash<'_>) -> Result<(), NoDumpReason> {
    if let CoreLimit::Bytes(limit) = crash.core_limit
        && limit < MIN_COREDUMP
    {
        return Err(NoDumpReason::CoreLimitBelowPage { limit });
    }
    if crash.dumpable == 2 && name.first() != Some(&b'/') {
        return Err(NoDumpReason::SuidNeedsAbsolute);
    }
    if name.is_empty() {
        return Err(NoDumpReason::EmptyName);
    }
    if name.len() >= PATH_MAX {
        return Err(NoDumpReason::PathTooLong { len: name.len() });
    }
    if longest > NAME_MAX {
        return Err(NoDumpReason::NameTooLong { len: longest });
    }
    Ok(())
}

fn file_name<S: Sink>(
    p: &Pattern,
    settings: &Settings,
    crash: &Crash<'_>,
    s: &mut S,
) -> Result<(), NoDumpReason> {
    let walk = walk_tokens(p, crash, s, false)?;
    if settings.core_uses_pid && !walk.pid_in_pattern {
        s.put(b".");
        put_u64(s, crash.pid.into());
    }
    Ok(())
}

impl Pattern {
    /// What the kernel does with a core of `crash` under this pattern and
    /// `settings`, on the pattern's kernel.
    ///
    /// ```
    /// use core_pattern::{Crash, Outcome, Pattern, Settings};
    /// let p = Pattern::parse("/data/dump-a/core-%E-%p-%t")?;
    /// let out = p.expand(&Settings::default(), &Crash::example());
    /// assert_eq!(out, Outcome::File { name: b"/data/dump-a/core-!usr!bin!myapp-1234-1700000000".to_vec() });
    ///
    /// let p = Pattern::parse("|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F")?;
    /// let Outcome::Pipe { argv, pidfd } = p.expand(&Settings::default(), &Crash::example()) else { panic!() };
    /// assert_eq!(argv[1], b"51234");
    /// assert!(pidfd);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expand(&self, settings: &Settings, crash: &Crash<'_>) -> Outcome {
        match self.try_expand(settings, crash) {
            Ok(o) => o,
            Err(reason) => Outcome::NoDump { reason },
        }
    }

    fn try_expand(&self, settings: &Settings, crash: &Crash<'_>) -> Result<Outcome, NoDumpReason> {
        precheck(crash)?;
        match self.mode() {
            Mode::File => {
                let mut name = Vec::with_capacity(self.as_bytes().len() + 32);
                file_name(self, settings, crash, &mut name)?;
                check_file(&name, crash)?;
                Ok(Outcome::File { name })
            }
            Mode::Pipe => {
                if self.body().is_empty() {
                    return Err(NoDumpReason::EmptyPipe);
                }
                let (argv, walk) = if self.kernel().has(Feature::PipeSplitBeforeExpand) {
                    let mut s = ArgvSink {
                        argv: vec![Vec::new()],
                        used: 0,
                    };
                    let walk = walk_tokens(self, crash, &mut s, true)?;
                    (s.argv, walk)
                } else {
                    // Before 5.3: expand everything, then argv_split().
                    let mut all = Vec::new();
                    let walk = walk_tokens(self, crash, &mut all, false)?;
                    let argv: Vec<Vec<u8>> = all
                        .split(|&b| is_kernel_space(b))
                        .filter(|a| !a.is_empty())
                        .map(<[u8]>::to_vec)
                        .collect();
                    if argv.is_empty() {
                        return Err(NoDumpReason::EmptyPipe);
                    }
                    (argv, walk)
                };
                if crash.core_limit == CoreLimit::Bytes(1) {
                    return Err(NoDumpReason::PipeRlimitOne);
                }
                if argv[0].is_empty() {
                    // Only whitespace or empty expansions: nothing to run.
                    return Err(NoDumpReason::EmptyPipe);
                }
                Ok(Outcome::Pipe {
                    argv,
                    pidfd: walk.pidfd,
                })
            }
            Mode::Socket | Mode::SocketRequest => {
                let path = self.body();
                if let Some(problem) = SocketProblem::check(path) {
                    return Err(NoDumpReason::SocketInvalid(problem));
                }
                Ok(Outcome::Socket {
                    path: path.to_vec(),
                    request: self.mode() == Mode::SocketRequest,
                })
            }
        }
    }

    /// The file name for `crash`, written into `buf` without allocating;
    /// returns its length. The same checks as [`Pattern::expand`] apply.
    ///
    /// # Errors
    ///
    /// - [`ExpandError::BufferTooSmall`] with the length needed (call again
    ///   with a larger buffer; the contents of `buf` are unspecified);
    /// - [`ExpandError::NotFileMode`] for pipe and socket patterns;
    /// - [`ExpandError::NoDump`] when the kernel would write no core.
    ///
    /// ```
    /// use core_pattern::{Crash, ExpandError, Pattern, Settings};
    /// let p = Pattern::parse("/data/dump-a/core-%E-%p-%t")?;
    /// let mut buf = [0u8; 64];
    /// let n = p.expand_file_name_into(&Settings::default(), &Crash::example(), &mut buf)?;
    /// assert_eq!(&buf[..n], b"/data/dump-a/core-!usr!bin!myapp-1234-1700000000");
    /// let err = p.expand_file_name_into(&Settings::default(), &Crash::example(), &mut buf[..8]);
    /// assert_eq!(err, Err(ExpandError::BufferTooSmall { required: n }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expand_file_name_into(
        &self,
        settings: &Settings,
        crash: &Crash<'_>,
        buf: &mut [u8],
    ) -> Result<usize, ExpandError> {
        if self.mode() != Mode::File {
            return Err(ExpandError::NotFileMode { mode: self.mode() });
        }
        precheck(crash).map_err(ExpandError::NoDump)?;
        let mut s = SliceSink::new(buf);
        file_name(self, settings, crash, &mut s).map_err(ExpandError::NoDump)?;
        let (len, longest) = (s.len, s.longest_component());
        let Some(name) = s.buf.get(..len) else {
            return Err(ExpandError::BufferTooSmall { required: len });
        };
        debug_assert_eq!(
            check_file(name, crash),
            check_file_name(name, longest, crash),
            "the tracked component length agrees with a scan"
        );
        check_file_name(name, longest, crash).map_err(ExpandError::NoDump)?;
        Ok(len)
    }
}
