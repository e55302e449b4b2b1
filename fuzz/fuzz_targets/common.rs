//! Structured inputs shared by the fuzz targets.

#![allow(dead_code)]

use arbitrary::Arbitrary;
use core_pattern::{
    CPU_MAX, CoreLimit, Crash, Feature, INVALID_ID, KernelProfile, KernelVersion, NSIG,
    PID_MAX_LIMIT, SUID_DUMP_ROOT, Settings, Signal,
};

/// A kernel: a version near the ones whose rules differ, plus backports.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct FuzzKernel {
    major: u8,
    minor: u8,
    patch: u16,
    rc: Option<u8>,
    backports: u16,
    initial_mount_ns: bool,
    bits32: bool,
}

impl FuzzKernel {
    pub fn profile(&self) -> KernelProfile {
        let major = u16::from(self.major % 9);
        let minor = u16::from(self.minor % 24);
        let v = match self.rc {
            Some(rc) => KernelVersion::rc(major, minor, u16::from(rc % 9)),
            None => KernelVersion::new(major, minor, u32::from(self.patch % 300)),
        };
        let mut k = KernelProfile::new(v).with_initial_mount_ns(self.initial_mount_ns);
        for (i, f) in Feature::ALL.into_iter().enumerate() {
            if self.backports & (1 << i) != 0 {
                k = k.with_feature(f);
            }
        }
        if self.bits32 {
            k = k.with_rlim_infinity(u64::from(u32::MAX));
        }
        k
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct FuzzCrash {
    pub pid: u32,
    pub tid: u32,
    pub global_pid: u32,
    pub global_tid: u32,
    pub uid: u32,
    pub gid: u32,
    pub dumpable: u8,
    pub signal: u8,
    pub time: i64,
    pub hostname: Vec<u8>,
    pub comm: Vec<u8>,
    pub exe: Option<Vec<u8>>,
    pub cpu: u32,
    pub core_limit: Option<u64>,
}

impl FuzzCrash {
    pub fn crash(&self) -> Crash<'_> {
        Crash::new(self.pid)
            .with_tid(self.tid)
            .with_global_pid(self.global_pid)
            .with_global_tid(self.global_tid)
            .with_uid(self.uid)
            .with_gid(self.gid)
            .with_dumpable(self.dumpable % 4)
            // Mostly signals that dump core.
            .with_signal(Signal::new(if self.signal < 200 {
                11
            } else {
                u32::from(self.signal % 65)
            }))
            .with_time(self.time)
            .with_hostname(&self.hostname)
            .with_comm(&self.comm)
            .with_exe(self.exe.as_deref())
            .with_cpu(self.cpu)
            .with_core_limit(
                self.core_limit
                    .map_or(CoreLimit::Unlimited, CoreLimit::Bytes),
            )
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct FuzzSettings {
    pub core_uses_pid: bool,
    pub suid_dumpable: u8,
    pub core_pipe_limit: u32,
}

impl FuzzSettings {
    pub fn settings(&self) -> Settings {
        Settings::new()
            .with_core_uses_pid(self.core_uses_pid)
            .with_suid_dumpable(self.suid_dumpable % 3)
            .with_core_pipe_limit(self.core_pipe_limit)
    }
}

/// `c` with every number a kernel cannot produce brought into range, on a
/// kernel whose `RLIM_INFINITY` is `rlim_infinity`.
pub fn possible(c: Crash<'_>, rlim_infinity: u64) -> Crash<'_> {
    let pid = |v: u32| 1 + v % (PID_MAX_LIMIT - 1);
    let id = |v: u32| v.min(INVALID_ID - 1);
    let signal = match c.signal.number() {
        n @ 1..=NSIG => n,
        _ => Signal::SIGSEGV.number(),
    };
    let core_limit = match c.core_limit {
        CoreLimit::Bytes(b) => CoreLimit::Bytes(b.min(rlim_infinity)),
        CoreLimit::Unlimited => CoreLimit::Unlimited,
    };
    c.with_pid(pid(c.pid))
        .with_tid(pid(c.tid))
        .with_global_pid(pid(c.global_pid))
        .with_global_tid(pid(c.global_tid))
        .with_uid(id(c.uid))
        .with_gid(id(c.gid))
        .with_dumpable(c.dumpable % (SUID_DUMP_ROOT + 1))
        .with_signal(Signal::new(signal))
        .with_cpu(c.cpu & CPU_MAX)
        .with_core_limit(core_limit)
}
