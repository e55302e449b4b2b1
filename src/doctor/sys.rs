//! The doctor's syscalls, as safe wrappers over `libc`: `statfs(2)` (and
//! `statvfs(3)`) for the filesystem a path is on, `faccessat(2)` for what
//! the doctor itself may do there, and `geteuid(2)`.

// This module is the one exception to the crate's `#![deny(unsafe_code)]`
// outside the C ABI (`ffi`): calling `libc` needs `unsafe`. Each call is a
// plain syscall wrapper with a NUL-terminated path we own and, for the
// `stat*` calls, an output buffer we own; nothing is kept across calls.
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

use std::ffi::CString;
use std::io;
use std::mem::MaybeUninit;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// What `statfs(2)` says about the filesystem a path is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct FsInfo {
    /// `f_type`: the filesystem's magic number (`linux/magic.h`).
    pub(super) magic: u32,
    /// Whether the mount refuses writes: `ST_RDONLY` in the flags, set for a
    /// read-only mount or a read-only super block.
    pub(super) read_only: bool,
}

/// `path` as a C string; an interior NUL is an `InvalidInput` error.
fn c_path(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes()).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} has a NUL byte at {}", path.display(), e.nul_position()),
        )
    })
}

/// `statfs(2)` of `path` (symbolic links followed): the filesystem's magic
/// number and whether the mount is read-only.
///
/// The flags come from `statvfs(3)`'s `f_flag`: `libc`'s `struct statfs`
/// does not expose the kernel's `f_flags` on every target (not on x86_64 or
/// aarch64 glibc), and glibc and musl fill `f_flag` from those same flags.
pub(super) fn statfs(path: &Path) -> io::Result<FsInfo> {
    let c = c_path(path)?;
    let mut fs = MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: `c` is a NUL-terminated string that outlives the call, and
    // `fs` points to writable memory the size of a `struct statfs`, which
    // the call fills on success; it keeps neither pointer.
    if unsafe { libc::statfs(c.as_ptr(), fs.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `statfs` returned 0, so it filled the whole struct.
    let fs = unsafe { fs.assume_init() };
    let mut vfs = MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: as above, with a `struct statvfs`.
    if unsafe { libc::statvfs(c.as_ptr(), vfs.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `statvfs` returned 0, so it filled the whole struct.
    let vfs = unsafe { vfs.assume_init() };
    // `f_type` is a signed or unsigned word depending on the target; magic
    // numbers are 32 bits, so the low 32 bits are the magic either way.
    #[allow(clippy::unnecessary_cast)]
    let magic = fs.f_type as u32;
    Ok(FsInfo {
        magic,
        read_only: vfs.f_flag & libc::ST_RDONLY != 0,
    })
}

/// `faccessat(AT_FDCWD, path, mode, AT_EACCESS)`: whether the doctor's
/// effective UID, GID and groups may access `path` with `mode` (`W_OK`,
/// `X_OK`, …), as the kernel decides: ACLs, read-only mounts and security
/// modules included.
///
/// `Ok(false)` when the kernel refuses (`EACCES`, `EPERM`, `EROFS`,
/// `ETXTBSY`); `Err` when it cannot tell (the path does not resolve, an
/// interior NUL, …).
pub(super) fn access_effective(path: &Path, mode: libc::c_int) -> io::Result<bool> {
    let c = c_path(path)?;
    // SAFETY: `c` is a NUL-terminated string that outlives the call, which
    // only reads it; `AT_FDCWD` needs no open descriptor.
    let rc = unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), mode, libc::AT_EACCESS) };
    if rc == 0 {
        return Ok(true);
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EACCES | libc::EPERM | libc::EROFS | libc::ETXTBSY) => Ok(false),
        _ => Err(e),
    }
}

/// The doctor's effective UID.
pub(super) fn effective_uid() -> u32 {
    // SAFETY: `geteuid` takes no arguments, always succeeds and touches no
    // memory of ours.
    unsafe { libc::geteuid() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::mounts::{magic_matches, mount_for, parse_mountinfo};

    /// A fresh directory under the temporary directory, removed on drop.
    struct TempDir(std::path::PathBuf);

    impl TempDir {
        fn new(tag: &str) -> TempDir {
            let d = std::env::temp_dir()
                .join(format!("corepat-doctor-sys-{}-{tag}", std::process::id()));
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(&d).expect("create temp dir");
            TempDir(d)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    #[cfg_attr(miri, ignore)] // syscalls
    fn statfs_of_proc() {
        let fs = statfs(Path::new("/proc")).expect("statfs /proc");
        assert_eq!(fs.magic, 0x9fa0, "PROC_SUPER_MAGIC");
        assert!(!fs.read_only);
    }

    #[test]
    #[cfg_attr(miri, ignore)] // syscalls
    fn statfs_of_a_temp_dir_agrees_with_mountinfo() {
        let d = TempDir::new("statfs");
        let fs = statfs(&d.0).expect("statfs temp dir");
        let text = std::fs::read_to_string("/proc/self/mountinfo").expect("mountinfo");
        let mounts = parse_mountinfo(&text);
        let real = std::fs::canonicalize(&d.0).expect("canonicalize");
        let m = mount_for(&real, &mounts).expect("a mount");
        assert_eq!(fs.read_only, m.read_only);
        assert_ne!(
            magic_matches(fs.magic, &m.fstype),
            Some(false),
            "f_type {:#x} is not {}",
            fs.magic,
            m.fstype
        );
    }

    #[test]
    #[cfg_attr(miri, ignore)] // syscalls
    fn access_to_an_own_temp_dir() {
        let d = TempDir::new("access");
        assert!(access_effective(&d.0, libc::W_OK | libc::X_OK).expect("faccessat"));
        let missing = d.0.join("missing");
        let e = access_effective(&missing, libc::W_OK).expect_err("no such path");
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        let e = statfs(&missing).expect_err("no such path");
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn interior_nul_is_an_error() {
        let p = Path::new(std::ffi::OsStr::from_bytes(b"/tmp/a\0b"));
        let e = statfs(p).expect_err("NUL");
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("NUL byte at 6"), "{e}");
        let e = access_effective(p, libc::W_OK).expect_err("NUL");
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    #[cfg_attr(miri, ignore)] // syscalls
    fn effective_uid_owns_new_files() {
        use std::os::unix::fs::MetadataExt;
        let d = TempDir::new("euid");
        let owner = std::fs::metadata(&d.0).expect("stat").uid();
        assert_eq!(effective_uid(), owner);
    }
}
