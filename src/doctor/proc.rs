//! The readers of `/proc/PID` text files: `limits` (the core limit),
//! `status` (IDs and PID namespaces) and `stat` (the last CPU). Pure
//! functions of the text; nothing here touches the machine.

use crate::expand::CoreLimit;

/// The soft "Max core file size" of `/proc/PID/limits`: `unlimited` is
/// [`CoreLimit::Unlimited`], a number is bytes. `None` when the line is
/// missing or malformed.
///
/// ```
/// use core_pattern::CoreLimit;
/// use core_pattern::doctor::parse_limits_core;
/// let text = "Limit                     Soft Limit           Hard Limit           Units\n\
///             Max core file size        0                    unlimited            bytes\n";
/// assert_eq!(parse_limits_core(text), Some(CoreLimit::Bytes(0)));
/// ```
pub fn parse_limits_core(text: &str) -> Option<CoreLimit> {
    text.lines().find_map(|line| {
        let soft = line
            .strip_prefix("Max core file size")?
            .split_whitespace()
            .next()?;
        if soft == "unlimited" {
            Some(CoreLimit::Unlimited)
        } else {
            soft.parse().ok().map(CoreLimit::Bytes)
        }
    })
}

/// The four IDs of a `Uid:` or `Gid:` line of `/proc/PID/status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct StatusIds {
    /// Real ID (`%u`/`%g`).
    pub real: u32,
    /// Effective ID: the owner of the process's `/proc` files when it is
    /// dumpable.
    pub effective: u32,
    /// Saved set-ID.
    pub saved: u32,
    /// Filesystem ID: the owner a core file is created with.
    pub filesystem: u32,
}

/// What `/proc/PID/status` says about a process. IDs are as seen from the
/// reader's namespaces.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ProcStatus {
    /// `Name`: the thread name, as the kernel shows it there (with `\n` and
    /// `\\` escaped); `/proc/PID/comm` has the raw bytes.
    pub name: String,
    /// `Tgid`: the thread group (process) ID in the reader's PID namespace.
    pub tgid: u32,
    /// `Pid`: the thread ID in the reader's PID namespace.
    pub pid: u32,
    /// `NStgid`: the TGID in each PID namespace from the reader's down to
    /// the process's own (just `[tgid]` when the kernel has no `NStgid`).
    pub ns_tgid: Vec<u32>,
    /// `NSpid`: the thread ID in each PID namespace, likewise.
    pub ns_pid: Vec<u32>,
    /// `Uid`: real, effective, saved and filesystem UID.
    pub uid: StatusIds,
    /// `Gid`: real, effective, saved and filesystem GID.
    pub gid: StatusIds,
    /// `Groups`: the supplementary groups.
    pub groups: Vec<u32>,
}

impl ProcStatus {
    /// The TGID in the process's own PID namespace (`%p`): the last
    /// `NStgid` value.
    pub fn local_tgid(&self) -> u32 {
        self.ns_tgid.last().copied().unwrap_or(self.tgid)
    }

    /// The thread ID in the process's own PID namespace (`%i`): the last
    /// `NSpid` value.
    pub fn local_pid(&self) -> u32 {
        self.ns_pid.last().copied().unwrap_or(self.pid)
    }

    /// The TGID in the outermost PID namespace the reader sees (`%P` when
    /// the reader is in the initial one): the first `NStgid` value.
    pub fn outer_tgid(&self) -> u32 {
        self.ns_tgid.first().copied().unwrap_or(self.tgid)
    }

    /// The thread ID in the outermost PID namespace the reader sees (`%I`
    /// when the reader is in the initial one): the first `NSpid` value.
    pub fn outer_pid(&self) -> u32 {
        self.ns_pid.first().copied().unwrap_or(self.pid)
    }
}

/// Parses `/proc/PID/status`. `Name`, `Tgid`, `Pid`, `Uid` and `Gid` are
/// required; `None` when one is missing or any known field is malformed.
///
/// ```
/// use core_pattern::doctor::parse_status;
/// let s = parse_status("Name:\tserver\nTgid:\t4242\nPid:\t4242\nNStgid:\t4242\t1\n\
///                       NSpid:\t4242\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\n")
///     .unwrap();
/// assert_eq!((s.outer_tgid(), s.local_tgid()), (4242, 1));
/// ```
pub fn parse_status(text: &str) -> Option<ProcStatus> {
    let (mut name, mut tgid, mut pid, mut uid, mut gid) = (None, None, None, None, None);
    let (mut ns_tgid, mut ns_pid, mut groups) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        match key {
            "Name" => name = Some(value.strip_prefix('\t').unwrap_or(value).to_owned()),
            "Tgid" => tgid = Some(value.trim().parse().ok()?),
            "Pid" => pid = Some(value.trim().parse().ok()?),
            "NStgid" => ns_tgid = numbers(value)?,
            "NSpid" => ns_pid = numbers(value)?,
            "Uid" => uid = Some(ids(value)?),
            "Gid" => gid = Some(ids(value)?),
            "Groups" => groups = numbers(value)?,
            _ => {}
        }
    }
    let (tgid, pid) = (tgid?, pid?);
    if ns_tgid.is_empty() {
        ns_tgid.push(tgid);
    }
    if ns_pid.is_empty() {
        ns_pid.push(pid);
    }
    Some(ProcStatus {
        name: name?,
        tgid,
        pid,
        ns_tgid,
        ns_pid,
        uid: uid?,
        gid: gid?,
        groups,
    })
}

fn numbers(value: &str) -> Option<Vec<u32>> {
    value.split_whitespace().map(|n| n.parse().ok()).collect()
}

fn ids(value: &str) -> Option<StatusIds> {
    let n = numbers(value)?;
    let (&real, &effective) = (n.first()?, n.get(1)?);
    Some(StatusIds {
        real,
        effective,
        saved: n.get(2).copied().unwrap_or(effective),
        filesystem: n.get(3).copied().unwrap_or(effective),
    })
}

/// Field 39 of `/proc/PID/stat`, the CPU the process last ran on (`%C`).
///
/// The second field is the name in parentheses, which may itself contain
/// spaces and `)`; fields are counted after the last `)`.
///
/// ```
/// let stat = "42 (a) (b) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 100 1 1 \
///             18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 5 0 0 0 0 0";
/// assert_eq!(core_pattern::doctor::parse_stat_cpu(stat), Some(5));
/// ```
pub fn parse_stat_cpu(text: &str) -> Option<u32> {
    let close = text.rfind(')')?;
    // Field 3 (state) is the first after the name: field 39 is the 37th.
    text.get(close + 1..)?
        .split_whitespace()
        .nth(36)?
        .parse()
        .ok()
}

/// The bytes without one trailing newline, as `/proc` and `/proc/sys`
/// files end.
pub(super) fn strip_newline(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\n").unwrap_or(b)
}
