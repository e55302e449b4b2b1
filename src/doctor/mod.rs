//! A read-only look at the live machine: where the next core of a process
//! would go, and what would stop it.
//!
//! The folder, from the bottom up:
//!
//! - `sys.rs`: the syscalls (`statfs`, `faccessat`), the only `unsafe` here.
//! - `proc.rs`: the `/proc/PID` text readers (`limits`, `status`, `stat`).
//! - `mounts.rs`: `mountinfo`, the mount of a path, the kind of storage.
//! - `check.rs`: what was checked at the destination, and what is at a path.
//! - `report.rs`: [`DoctorReport`], its parts, [`Finding`], and its text.
//! - `findings.rs`: the findings drawn from a report.
//! - `inspect.rs`: [`Doctor`], which reads the machine and builds the report.
//!
//! This is the library side of `corepat doctor [--pid PID]`. [`Doctor`]
//! reads the core sysctls under `/proc/sys` and the process's files under
//! `/proc/PID`, builds the [`Crash`](crate::Crash) a SIGSEGV would be right
//! now, expands the stored pattern for the running kernel, and then looks at
//! the destination: the directory of a core file (does it exist in the
//! process's mount namespace, may the process write there, which mount is it
//! on), the pipe helper, or the socket. Nothing is ever written.
//!
//! # The directory of a core file
//!
//! The directory is looked at as the process sees it, through
//! `/proc/PID/root` (or `/proc/PID/cwd`) when the process is in another
//! mount namespace or chrooted. Its mount comes from the process's
//! `mountinfo`; the kernel is asked too:
//!
//! - `statfs(2)` of the directory (which works through `/proc/PID/root`)
//!   gives the filesystem's magic number and whether it is read-only. When
//!   it disagrees with mountinfo (another type, or another read-only state),
//!   a note says so and the check follows mountinfo. When mountinfo has no
//!   mount for the directory (a relative name and an unknown working
//!   directory, or no mountinfo), [`DirectoryCheck::mount`] is a stand-in
//!   from `statfs`: the type mountinfo would show for the magic number
//!   (`nfs`, `tmpfs`, `overlay`, `ext4`, `xfs`, `btrfs`, `fuse`, `cifs`, …)
//!   and the read-only state, so the storage and read-only findings still
//!   apply.
//! - Whether the core's owner may create files there
//!   ([`DirectoryCheck::writable`]): when the doctor's effective UID is that
//!   UID (it examines itself, or a process of its own user), the kernel
//!   answers for the doctor with `faccessat(2)` and `AT_EACCESS` (write and
//!   search), which honours ACLs and read-only mounts; a note says so.
//!   Otherwise the doctor cannot ask for another user, and reads the mode
//!   bits against the process's filesystem UID, GID and groups. Either way a
//!   read-only mount in mountinfo means not writable.
//!
//! The parsers of the `/proc` files are pure functions and can be used on
//! their own: [`parse_mountinfo`], [`mount_for`], [`parse_limits_core`],
//! [`parse_status`], [`parse_stat_cpu`].
//!
//! ```
//! use core_pattern::doctor::{StorageKind, mount_for, parse_mountinfo};
//!
//! // An Alibaba Cloud ACS pod: overlay root, a NAS (NFS) volume for cores.
//! let mounts = parse_mountinfo(
//!     "20 1 0:40 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n\
//!      21 20 0:41 / /data/dump-a rw,relatime - nfs4 nas.example.com:/cores rw,vers=4.0\n",
//! );
//! let nas = mount_for("/data/dump-a/core-1", &mounts).map(|m| m.storage());
//! assert_eq!(nas, Some(StorageKind::Nfs));
//! let rootfs = mount_for("/tmp/core", &mounts).map(|m| m.storage());
//! assert_eq!(rootfs, Some(StorageKind::Overlay));
//! ```
//!
//! On the machine itself:
//!
//! ```no_run
//! let report = core_pattern::doctor::Doctor::inspect(None)?;
//! print!("{}", report.summary());
//! # Ok::<(), core_pattern::doctor::DoctorError>(())
//! ```

mod check;
mod findings;
mod inspect;
mod mounts;
mod proc;
mod report;
mod sys;

pub use check::{
    DestinationCheck, DirectoryCheck, FileInfo, FileKind, HelperCheck, PathState, SocketPathCheck,
};
pub use inspect::{Doctor, DoctorError, Machine};
pub use mounts::{Mount, StorageKind, mount_for, parse_mountinfo};
pub use proc::{ProcStatus, StatusIds, parse_limits_core, parse_stat_cpu, parse_status};
pub use report::{DoctorReport, DumpableGuess, Finding, PatternError, ProcessInfo, Sysctls};
