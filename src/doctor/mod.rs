//! A read-only look at the live machine: where the next core of a process
//! would go, and what would stop it.
//!
//! The folder, from the bottom up:
//!
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
//! The parsers of the `/proc` files are pure functions and can be used on
//! their own: [`parse_mountinfo`], [`mount_for`], [`parse_limits_core`],
//! [`parse_status`], [`parse_stat_cpu`].
//!
//! ```
//! use core_pattern::{StorageKind, mount_for, parse_mountinfo};
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
//! let report = core_pattern::Doctor::inspect(None)?;
//! print!("{}", report.summary());
//! # Ok::<(), core_pattern::DoctorError>(())
//! ```

mod check;
mod findings;
mod inspect;
mod mounts;
mod proc;
mod report;

pub use check::{
    DestinationCheck, DirectoryCheck, FileInfo, FileKind, HelperCheck, PathState, SocketPathCheck,
};
pub use inspect::{Doctor, DoctorError};
pub use mounts::{Mount, StorageKind, mount_for, parse_mountinfo};
pub use proc::{ProcStatus, StatusIds, parse_limits_core, parse_stat_cpu, parse_status};
pub use report::{DoctorReport, DumpableGuess, Finding, PatternError, ProcessInfo, Sysctls};
