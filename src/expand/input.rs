//! The inputs of expansion besides the pattern: the sysctls ([`Settings`])
//! and the crashing process ([`Crash`], [`CoreLimit`]).

use crate::kernel::KernelProfile;
use crate::limits::{CPU_MAX, INVALID_ID, NSIG, PID_MAX_LIMIT, SUID_DUMP_ROOT};
use crate::signal::Signal;
use crate::spec::Specifier;
use core::fmt;

/// The sysctls besides `core_pattern` that matter at dump time.
///
/// Build one with [`Settings::new`] (every sysctl at its default, as after
/// boot) and the `with_*` methods; the fields stay readable and writable.
///
/// ```
/// use core_pattern::Settings;
/// let s = Settings::new().with_core_uses_pid(true).with_suid_dumpable(2);
/// assert!(s.core_uses_pid);
/// assert_eq!(s.core_pipe_limit, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Settings {
    /// `kernel.core_uses_pid` (any nonzero value counts): in file mode,
    /// append `.PID` unless `%p` was expanded.
    pub core_uses_pid: bool,
    /// `fs.suid_dumpable` (0, 1 or 2). It decides the crashing process's
    /// `dumpable` value after a setuid exec; the process value is what
    /// [`Crash::dumpable`] holds.
    pub suid_dumpable: u8,
    /// `kernel.core_pipe_limit`: how many pipe dumps may run at once
    /// (0: unlimited). It only matters under concurrency, which is not an
    /// input here.
    pub core_pipe_limit: u32,
}

impl Settings {
    /// The defaults after boot: `core_uses_pid` 0, `suid_dumpable` 0,
    /// `core_pipe_limit` 0. The same as [`Settings::default`], usable in
    /// `const` context.
    pub const fn new() -> Settings {
        Settings {
            core_uses_pid: false,
            suid_dumpable: 0,
            core_pipe_limit: 0,
        }
    }

    /// Sets `kernel.core_uses_pid`.
    pub const fn with_core_uses_pid(mut self, on: bool) -> Settings {
        self.core_uses_pid = on;
        self
    }

    /// Sets `fs.suid_dumpable`.
    pub const fn with_suid_dumpable(mut self, value: u8) -> Settings {
        self.suid_dumpable = value;
        self
    }

    /// Sets `kernel.core_pipe_limit`.
    pub const fn with_core_pipe_limit(mut self, limit: u32) -> Settings {
        self.core_pipe_limit = limit;
        self
    }
}

/// The soft `RLIMIT_CORE` of the crashing process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CoreLimit {
    /// `RLIM_INFINITY` (`ulimit -c unlimited`).
    Unlimited,
    /// A limit in bytes.
    Bytes(u64),
}

impl CoreLimit {
    /// The value `%c` prints on `kernel`.
    pub const fn value(self, kernel: &KernelProfile) -> u64 {
        match self {
            CoreLimit::Unlimited => kernel.rlim_infinity(),
            CoreLimit::Bytes(n) => n,
        }
    }
}

impl fmt::Display for CoreLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreLimit::Unlimited => f.write_str("unlimited"),
            CoreLimit::Bytes(n) => write!(f, "{n}"),
        }
    }
}

/// The crashing process, as the kernel sees it at dump time.
///
/// Byte strings are borrowed, so building a `Crash` allocates nothing. They
/// are taken as the kernel holds them: `comm` is cut at a NUL and to 15
/// bytes, `hostname` at a NUL and to 64 bytes, `exe` at a NUL.
///
/// Build one with [`Crash::new`] (or start from [`Crash::example`]) and the
/// `with_*` methods; the fields stay readable and writable.
///
/// # Values no kernel produces
///
/// The numeric fields are plain integers, so a `Crash` can hold values no
/// kernel has: PID 0, a TID over [`PID_MAX_LIMIT`](crate::PID_MAX_LIMIT),
/// signal 0 or 99, dumpable 7. [`Crash::check`] (and
/// [`Crash::check_on`], which also knows the kernel's `RLIM_INFINITY`)
/// refuses them with a [`CrashError`] naming the field, the value and the
/// range; call it on a crash that comes from outside, as `corepat` (a usage
/// error) and the C ABI (`CPAT_RESULT_INVALID_ARGUMENT`) do.
///
/// [`Pattern::expand`](crate::Pattern::expand) does not check: it stays
/// total and deterministic on any value, and what it gives for an
/// impossible one is no kernel's behaviour. Numbers are printed as given
/// (PID 0 prints `0`); a signal outside `1..=64` is one that does not dump
/// core ([`NoDumpReason::SignalNotCore`](crate::NoDumpReason::SignalNotCore));
/// a dumpable mode above 2 counts as 1 (dumpable, not suid-safe). The
/// reverse matcher reads fields as a kernel writes them, so the name of an
/// impossible crash may not match its own pattern.
///
/// ```
/// use core_pattern::{CoreLimit, Crash, Signal};
/// // PID 1 in a container, PID 48151 on the host, killed by SIGABRT.
/// let exe = b"/opt/app/server".to_vec();
/// let crash = Crash::new(1)
///     .with_global_pid(48151)
///     .with_global_tid(48151)
///     .with_signal(Signal::SIGABRT)
///     .with_comm(b"server")
///     .with_exe(Some(&exe))
///     .with_core_limit(CoreLimit::Bytes(1 << 30));
/// assert_eq!((crash.pid, crash.tid, crash.global_tid), (1, 1, 48151));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Crash<'a> {
    /// TGID in the process's own PID namespace (`%p`): 1 to 4,194,303.
    pub pid: u32,
    /// TID of the crashing thread in its PID namespace (`%i`): 1 to
    /// 4,194,303.
    pub tid: u32,
    /// TGID in the initial PID namespace (`%P`): 1 to 4,194,303.
    pub global_pid: u32,
    /// TID in the initial PID namespace (`%I`): 1 to 4,194,303.
    pub global_tid: u32,
    /// Real UID, as seen from the initial user namespace (`%u`); never
    /// `u32::MAX` (`INVALID_UID`).
    pub uid: u32,
    /// Real GID, as seen from the initial user namespace (`%g`); never
    /// `u32::MAX` (`INVALID_GID`).
    pub gid: u32,
    /// The process's dumpable mode: 0 (no dump), 1, or 2 (suid-safe: file
    /// dumps need an absolute name) (`%d`).
    pub dumpable: u8,
    /// The signal (`%s`), 1 to 64. Only signals whose default action is
    /// "core" dump.
    pub signal: Signal,
    /// Seconds since the Epoch (`%t`).
    pub time: i64,
    /// Nodename of the process's UTS namespace (`%h`).
    pub hostname: &'a [u8],
    /// Name of the crashing thread (`%e`).
    pub comm: &'a [u8],
    /// Path of the executable as the kernel renders it, including a
    /// `" (deleted)"` suffix; `None` when the process has no executable file
    /// (then `%E` and `%f` give `"<comm> (path unknown)"`).
    pub exe: Option<&'a [u8]>,
    /// CPU on which the dump starts (`%C`), at most `i32::MAX`.
    pub cpu: u32,
    /// Soft `RLIMIT_CORE` (`%c`).
    pub core_limit: CoreLimit,
}

impl Crash<'static> {
    /// A single-threaded process with PID `pid` in the initial namespaces
    /// (so `tid`, `global_pid` and `global_tid` are `pid` too), running as
    /// root (UID and GID 0), dumpable 1, killed by `SIGSEGV` at time 0, on
    /// CPU 0, with an empty hostname and comm, no executable path, and an
    /// unlimited core size. Set what you know with the `with_*` methods,
    /// one per field.
    pub const fn new(pid: u32) -> Crash<'static> {
        Crash {
            pid,
            tid: pid,
            global_pid: pid,
            global_tid: pid,
            uid: 0,
            gid: 0,
            dumpable: 1,
            signal: Signal::SIGSEGV,
            time: 0,
            hostname: b"",
            comm: b"",
            exe: None,
            cpu: 0,
            core_limit: CoreLimit::Unlimited,
        }
    }

    /// The example process used in documentation and by `corepat` when no
    /// value is given: PID 1234 (global 51234), TID 1240 (global 51240), UID
    /// and GID 1000, dumpable 1, SIGSEGV, time 1700000000, host `node1`,
    /// comm `myapp`, exe `/usr/bin/myapp`, CPU 3, unlimited core size.
    pub const fn example() -> Crash<'static> {
        Crash {
            pid: 1234,
            tid: 1240,
            global_pid: 51234,
            global_tid: 51240,
            uid: 1000,
            gid: 1000,
            dumpable: 1,
            signal: Signal::SIGSEGV,
            time: 1_700_000_000,
            hostname: b"node1",
            comm: b"myapp",
            exe: Some(b"/usr/bin/myapp"),
            cpu: 3,
            core_limit: CoreLimit::Unlimited,
        }
    }
}

impl<'a> Crash<'a> {
    /// Sets the PID (TGID) in the process's PID namespace (`%p`).
    pub const fn with_pid(mut self, pid: u32) -> Crash<'a> {
        self.pid = pid;
        self
    }

    /// Sets the crashing thread's TID in its PID namespace (`%i`).
    pub const fn with_tid(mut self, tid: u32) -> Crash<'a> {
        self.tid = tid;
        self
    }

    /// Sets the PID (TGID) in the initial PID namespace (`%P`).
    pub const fn with_global_pid(mut self, global_pid: u32) -> Crash<'a> {
        self.global_pid = global_pid;
        self
    }

    /// Sets the crashing thread's TID in the initial PID namespace (`%I`).
    pub const fn with_global_tid(mut self, global_tid: u32) -> Crash<'a> {
        self.global_tid = global_tid;
        self
    }

    /// Sets the real UID, as seen from the initial user namespace (`%u`).
    pub const fn with_uid(mut self, uid: u32) -> Crash<'a> {
        self.uid = uid;
        self
    }

    /// Sets the real GID, as seen from the initial user namespace (`%g`).
    pub const fn with_gid(mut self, gid: u32) -> Crash<'a> {
        self.gid = gid;
        self
    }

    /// Sets the dumpable mode (`%d`): 0, 1 or 2.
    pub const fn with_dumpable(mut self, dumpable: u8) -> Crash<'a> {
        self.dumpable = dumpable;
        self
    }

    /// Sets the signal (`%s`).
    pub const fn with_signal(mut self, signal: Signal) -> Crash<'a> {
        self.signal = signal;
        self
    }

    /// Sets the time of the dump, seconds since the Epoch (`%t`).
    pub const fn with_time(mut self, time: i64) -> Crash<'a> {
        self.time = time;
        self
    }

    /// Sets the hostname (`%h`).
    pub const fn with_hostname(mut self, hostname: &'a [u8]) -> Crash<'a> {
        self.hostname = hostname;
        self
    }

    /// Sets the crashing thread's name (`%e`).
    pub const fn with_comm(mut self, comm: &'a [u8]) -> Crash<'a> {
        self.comm = comm;
        self
    }

    /// Sets the executable path as the kernel renders it (`%E`, `%f`);
    /// `None` for a process without an executable file.
    pub const fn with_exe(mut self, exe: Option<&'a [u8]>) -> Crash<'a> {
        self.exe = exe;
        self
    }

    /// Sets the CPU the dump starts on (`%C`).
    pub const fn with_cpu(mut self, cpu: u32) -> Crash<'a> {
        self.cpu = cpu;
        self
    }

    /// Sets the soft `RLIMIT_CORE` (`%c`).
    pub const fn with_core_limit(mut self, core_limit: CoreLimit) -> Crash<'a> {
        self.core_limit = core_limit;
        self
    }
}

impl Crash<'_> {
    /// Whether every field holds a value some kernel produces: PIDs and TIDs
    /// `1..PID_MAX_LIMIT`, UID and GID below `u32::MAX`, dumpable 0 to 2,
    /// signal 1 to 64, CPU at most `i32::MAX` (the bounds, with their kernel
    /// sources, are [`PID_MAX_LIMIT`](crate::PID_MAX_LIMIT),
    /// [`INVALID_ID`](crate::INVALID_ID), [`SUID_DUMP_ROOT`](crate::SUID_DUMP_ROOT),
    /// [`NSIG`](crate::NSIG) and [`CPU_MAX`](crate::CPU_MAX)). Fields are
    /// checked in declaration order; the first one out of range is the error.
    ///
    /// Not checked, because a kernel can produce any value: the time (a
    /// clock can be set before the Epoch on old kernels), the core limit
    /// (see [`Crash::check_on`]), and the byte strings, which are taken as
    /// the kernel holds them (see [`Crash`]). A valid crash can still give
    /// no core, e.g. SIGTERM or dumpable 0: that is an
    /// [`Outcome::NoDump`](crate::Outcome::NoDump), not an error.
    ///
    /// # Errors
    ///
    /// A [`CrashError`] for the first field out of range, e.g. a TID of 0,
    /// a PID of 4194304, a UID of `u32::MAX`, dumpable 3, signal 0 or 65, or
    /// CPU 2147483648.
    ///
    /// ```
    /// use core_pattern::{Crash, CrashField, Signal};
    /// assert_eq!(Crash::example().check(), Ok(()));
    /// let err = Crash::example().with_tid(0).check().unwrap_err();
    /// assert_eq!((err.field(), err.value(), err.min(), err.max()), (CrashField::Tid, 0, 1, 4_194_303));
    /// assert_eq!(err.to_string(), "tid 0 is outside what a kernel produces for %i: 1..=4194303");
    /// let err = Crash::example().with_signal(Signal::new(65)).check().unwrap_err();
    /// assert_eq!(err.field(), CrashField::Signal);
    /// ```
    pub fn check(&self) -> Result<(), CrashError> {
        let pid = 1..=u64::from(PID_MAX_LIMIT - 1);
        let id = 0..=u64::from(INVALID_ID - 1);
        let fields = [
            (CrashField::Pid, self.pid.into(), pid.clone()),
            (CrashField::Tid, self.tid.into(), pid.clone()),
            (CrashField::GlobalPid, self.global_pid.into(), pid.clone()),
            (CrashField::GlobalTid, self.global_tid.into(), pid),
            (CrashField::Uid, self.uid.into(), id.clone()),
            (CrashField::Gid, self.gid.into(), id),
            (
                CrashField::Dumpable,
                self.dumpable.into(),
                0..=SUID_DUMP_ROOT.into(),
            ),
            (
                CrashField::Signal,
                self.signal.number().into(),
                1..=NSIG.into(),
            ),
            (CrashField::Cpu, self.cpu.into(), 0..=CPU_MAX.into()),
        ];
        for (field, value, range) in fields {
            if !range.contains(&value) {
                return Err(CrashError {
                    field,
                    value,
                    min: *range.start(),
                    max: *range.end(),
                });
            }
        }
        Ok(())
    }

    /// [`Crash::check`], plus what depends on the kernel: a core limit in
    /// bytes is at most the kernel's `RLIM_INFINITY`
    /// ([`KernelProfile::rlim_infinity`]; a 32-bit kernel's `unsigned long`
    /// limit cannot hold more, and `setrlimit()` turns larger values into
    /// `RLIM_INFINITY`).
    ///
    /// # Errors
    ///
    /// As [`Crash::check`]; then [`CrashField::CoreLimit`] for
    /// `CoreLimit::Bytes(1 << 32)` on a kernel whose `RLIM_INFINITY` is
    /// `u32::MAX`.
    ///
    /// ```
    /// use core_pattern::{CoreLimit, Crash, CrashField, KernelProfile};
    /// let bits32 = KernelProfile::latest().with_rlim_infinity(u32::MAX.into());
    /// let crash = Crash::example().with_core_limit(CoreLimit::Bytes(1 << 32));
    /// assert_eq!(crash.check_on(&KernelProfile::latest()), Ok(()));
    /// assert_eq!(crash.check_on(&bits32).unwrap_err().field(), CrashField::CoreLimit);
    /// ```
    pub fn check_on(&self, kernel: &KernelProfile) -> Result<(), CrashError> {
        self.check()?;
        match self.core_limit {
            CoreLimit::Bytes(n) if n > kernel.rlim_infinity() => Err(CrashError {
                field: CrashField::CoreLimit,
                value: n,
                min: 0,
                max: kernel.rlim_infinity(),
            }),
            _ => Ok(()),
        }
    }
}

/// A numeric field of a [`Crash`], as a [`CrashError`] names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CrashField {
    /// [`Crash::pid`] (`%p`).
    Pid,
    /// [`Crash::tid`] (`%i`).
    Tid,
    /// [`Crash::global_pid`] (`%P`).
    GlobalPid,
    /// [`Crash::global_tid`] (`%I`).
    GlobalTid,
    /// [`Crash::uid`] (`%u`).
    Uid,
    /// [`Crash::gid`] (`%g`).
    Gid,
    /// [`Crash::dumpable`] (`%d`).
    Dumpable,
    /// [`Crash::signal`] (`%s`).
    Signal,
    /// [`Crash::cpu`] (`%C`).
    Cpu,
    /// [`Crash::core_limit`] (`%c`).
    CoreLimit,
}

impl CrashField {
    /// The field's name in [`Crash`] and in the C ABI's `cpat_crash`, e.g.
    /// `global_pid`.
    pub const fn name(self) -> &'static str {
        match self {
            CrashField::Pid => "pid",
            CrashField::Tid => "tid",
            CrashField::GlobalPid => "global_pid",
            CrashField::GlobalTid => "global_tid",
            CrashField::Uid => "uid",
            CrashField::Gid => "gid",
            CrashField::Dumpable => "dumpable",
            CrashField::Signal => "signal",
            CrashField::Cpu => "cpu",
            CrashField::CoreLimit => "core_limit",
        }
    }

    /// The specifier that prints the field.
    pub const fn specifier(self) -> Specifier {
        match self {
            CrashField::Pid => Specifier::Pid,
            CrashField::Tid => Specifier::Tid,
            CrashField::GlobalPid => Specifier::GlobalPid,
            CrashField::GlobalTid => Specifier::GlobalTid,
            CrashField::Uid => Specifier::Uid,
            CrashField::Gid => Specifier::Gid,
            CrashField::Dumpable => Specifier::Dumpable,
            CrashField::Signal => Specifier::Signal,
            CrashField::Cpu => Specifier::Cpu,
            CrashField::CoreLimit => Specifier::CoreLimit,
        }
    }
}

impl fmt::Display for CrashField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A [`Crash`] no kernel can have: one field holds a value outside the
/// range a kernel produces (from [`Crash::check`] and [`Crash::check_on`]).
///
/// ```
/// use core_pattern::{Crash, CrashField};
/// let err = Crash::example().with_global_pid(4_194_304).check().unwrap_err();
/// assert_eq!(err.field(), CrashField::GlobalPid);
/// assert_eq!(err.value(), 4_194_304);
/// assert_eq!(err.min()..=err.max(), 1..=4_194_303);
/// assert_eq!(
///     err.to_string(),
///     "global_pid 4194304 is outside what a kernel produces for %P: 1..=4194303",
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{field} {value} is outside what a kernel produces for %{spec}: {min}..={max}",
    spec = char::from(.field.specifier().byte())
)]
pub struct CrashError {
    field: CrashField,
    value: u64,
    min: u64,
    max: u64,
}

impl CrashError {
    /// The field out of range.
    pub const fn field(&self) -> CrashField {
        self.field
    }

    /// Its value.
    pub const fn value(&self) -> u64 {
        self.value
    }

    /// The smallest value a kernel produces for the field.
    pub const fn min(&self) -> u64 {
        self.min
    }

    /// The largest value a kernel produces for the field.
    pub const fn max(&self) -> u64 {
        self.max
    }
}
