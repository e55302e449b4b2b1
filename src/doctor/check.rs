//! What the doctor checked at the destination: the directory of a core
//! file, the pipe helper or the socket, and what is at each path.

use super::mounts::Mount;
use std::fs;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// The kind of file at a path (symbolic links followed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileKind {
    /// A directory.
    Directory,
    /// A regular file.
    Regular,
    /// A Unix socket.
    Socket,
    /// Anything else (device, FIFO).
    Other,
}

/// The `stat(2)` facts about a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct FileInfo {
    /// Its type.
    pub kind: FileKind,
    /// Permission bits, with set-ID and sticky bits (`mode & 0o7777`).
    pub mode: u32,
    /// Owner UID.
    pub uid: u32,
    /// Owner GID.
    pub gid: u32,
}

/// What is at a path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PathState {
    /// Nothing (`ENOENT`, or a component is not a directory).
    Missing,
    /// It could not be looked at (e.g. `EACCES`); the error.
    Inaccessible(String),
    /// Something is there.
    Present(FileInfo),
}

impl PathState {
    /// `stat(2)` of `path`, following symbolic links.
    pub(super) fn of(path: &Path) -> PathState {
        match fs::metadata(path) {
            Ok(m) => {
                let t = m.file_type();
                let kind = if t.is_dir() {
                    FileKind::Directory
                } else if t.is_file() {
                    FileKind::Regular
                } else if t.is_socket() {
                    FileKind::Socket
                } else {
                    FileKind::Other
                };
                PathState::Present(FileInfo {
                    kind,
                    mode: m.mode() & 0o7777,
                    uid: m.uid(),
                    gid: m.gid(),
                })
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                PathState::Missing
            }
            Err(e) => PathState::Inaccessible(e.to_string()),
        }
    }

    /// The facts, when something is there.
    pub fn info(&self) -> Option<&FileInfo> {
        match self {
            PathState::Present(i) => Some(i),
            _ => None,
        }
    }
}

/// The directory a core file would be created in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DirectoryCheck {
    /// The directory as the process names it: the expanded name up to its
    /// last `/`, joined to the working directory for a relative name (left
    /// relative when the working directory cannot be read).
    pub dir: PathBuf,
    /// For a relative name, the process's working directory
    /// (`readlink /proc/PID/cwd`), when it could be read.
    pub cwd: Option<PathBuf>,
    /// The path the doctor looked at: `dir` itself, or the same directory
    /// through `/proc/PID/root` (`/proc/PID/cwd` for a relative name) when
    /// the process's mount namespace differs or could not be compared.
    pub looked_at: PathBuf,
    /// Whether `looked_at` goes through `/proc/PID`.
    pub through_proc: bool,
    /// What is there.
    pub state: PathState,
    /// The UID the core is created as: the process's filesystem UID, or 0
    /// for a suid-safe dump.
    pub dumper_uid: u32,
    /// Whether that UID may create a file there, on a mount that is not
    /// read-only. When the doctor's effective UID is that UID, the kernel's
    /// answer for the doctor: `faccessat(2)` with `AT_EACCESS` for write and
    /// search permission, which honours ACLs and read-only mounts (and uses
    /// the doctor's groups). Otherwise write and search permission from the
    /// mode bits against the process's filesystem UID, GID and groups (root
    /// always may; ACLs are not read). `None` when no directory was found.
    pub writable: Option<bool>,
    /// The mount the directory is on, from the mountinfo of the process
    /// (of PID 1 for a suid-safe dump). When mountinfo has no mount for it
    /// (a relative directory whose working directory is unknown, or no
    /// mountinfo) but the directory is there, a stand-in from `statfs(2)` of
    /// [`DirectoryCheck::looked_at`]: the filesystem type mountinfo would
    /// show for its magic number, and whether it is read-only, with `dir` as
    /// the mount point and an empty `root` and `source`.
    pub mount: Option<Mount>,
}

/// The pipe helper (`argv[0]`), as seen from the doctor's mount namespace:
/// the kernel runs helpers in the initial namespaces.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct HelperCheck {
    /// The program.
    pub program: PathBuf,
    /// What is there.
    pub state: PathState,
}

impl HelperCheck {
    /// Whether it is a regular file with an execute bit.
    pub fn is_executable(&self) -> bool {
        self.state
            .info()
            .is_some_and(|i| i.kind == FileKind::Regular && i.mode & 0o111 != 0)
    }
}

/// The socket of a `@`/`@@` pattern, as seen from the doctor's mount
/// namespace: the kernel looks it up beneath init's root.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SocketPathCheck {
    /// The socket path.
    pub path: PathBuf,
    /// What is there.
    pub state: PathState,
}

impl SocketPathCheck {
    /// Whether a Unix socket is there.
    pub fn is_socket(&self) -> bool {
        self.state
            .info()
            .is_some_and(|i| i.kind == FileKind::Socket)
    }
}

/// What the doctor checked at the destination.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DestinationCheck {
    /// File mode: the directory.
    Directory(DirectoryCheck),
    /// Pipe mode: the helper.
    Helper(HelperCheck),
    /// Socket mode: the socket.
    Socket(SocketPathCheck),
    /// There is no destination to check.
    Nothing,
}
