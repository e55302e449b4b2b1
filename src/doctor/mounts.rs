//! Mounts: `/proc/PID/mountinfo` parsed into [`Mount`]s, the mount that
//! holds a path ([`mount_for`]), and what kind of storage it is
//! ([`StorageKind`]).

use core::fmt;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::{Component, Path, PathBuf};

/// One mount, from a line of `/proc/PID/mountinfo` (proc(5)).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Mount {
    /// Where it is mounted, relative to the process's root, with the
    /// kernel's octal escapes (`\040` for a space) decoded.
    pub mount_point: PathBuf,
    /// The directory of the filesystem that appears there: `/` for a whole
    /// filesystem, a subdirectory for a bind mount or a volume's sub-path.
    pub root: PathBuf,
    /// The filesystem type, e.g. `nfs4`, `overlay`, `fuse.ossfs`.
    pub fstype: String,
    /// The mount source, e.g. `server:/export`, `/dev/vda1`, `overlay`.
    pub source: String,
    /// Whether writes are refused: `ro` in the mount's options or in the
    /// filesystem's (super block) options.
    pub read_only: bool,
}

impl Mount {
    /// What kind of storage this is.
    pub fn storage(&self) -> StorageKind {
        StorageKind::classify(&self.fstype, &self.source)
    }

    /// A stand-in for a mount mountinfo does not show, from `statfs(2)` of
    /// `dir`: its filesystem type and read-only state. `statfs` tells neither
    /// the mount point nor the source, so the mount point is `dir` itself and
    /// `root` and `source` are empty (no mountinfo line has an empty source).
    pub(super) fn from_statfs(dir: &Path, fstype: String, read_only: bool) -> Mount {
        Mount {
            mount_point: dir.to_owned(),
            root: PathBuf::new(),
            fstype,
            source: String::new(),
            read_only,
        }
    }

    /// Whether this is a stand-in made by [`Mount::from_statfs`].
    pub(super) fn is_from_statfs(&self) -> bool {
        self.source.is_empty()
    }
}

/// Parses `/proc/PID/mountinfo`. Lines that are not mountinfo lines are
/// skipped; nothing panics.
///
/// Each line is `ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL…] -
/// FSTYPE SOURCE SUPER-OPTIONS`. The kernel escapes space, tab, newline and
/// backslash in paths as `\040`, `\011`, `\012` and `\134`; they are decoded.
/// Use the bytes of the file where paths may not be UTF-8: a `&str` made
/// with `from_utf8_lossy` changes such paths.
pub fn parse_mountinfo(text: &str) -> Vec<Mount> {
    parse_mountinfo_bytes(text.as_bytes())
}

pub(super) fn parse_mountinfo_bytes(text: &[u8]) -> Vec<Mount> {
    text.split(|&b| b == b'\n')
        .filter_map(parse_mount_line)
        .collect()
}

fn parse_mount_line(line: &[u8]) -> Option<Mount> {
    let mut fields = line.split(|&b| b == b' ').filter(|f| !f.is_empty());
    let id = fields.next()?;
    let parent = fields.next()?;
    let dev = fields.next()?;
    if !is_decimal(id) || !is_decimal(parent) || !dev.contains(&b':') {
        return None;
    }
    let root = fields.next()?;
    let mount_point = fields.next()?;
    let options = fields.next()?;
    // Optional fields (`shared:1`, `master:2`, …) end at a lone `-`.
    fields.by_ref().find(|f| *f == b"-")?;
    let fstype = fields.next()?;
    let source = fields.next()?;
    let super_options = fields.next().unwrap_or_default();
    if mount_point.first() != Some(&b'/') {
        return None;
    }
    let read_only = has_option(options, b"ro") || has_option(super_options, b"ro");
    Some(Mount {
        mount_point: path_from_bytes(unescape(mount_point)),
        root: path_from_bytes(unescape(root)),
        fstype: String::from_utf8_lossy(&unescape(fstype)).into_owned(),
        source: String::from_utf8_lossy(&unescape(source)).into_owned(),
        read_only,
    })
}

fn is_decimal(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_digit)
}

fn has_option(options: &[u8], name: &[u8]) -> bool {
    options.split(|&b| b == b',').any(|o| o == name)
}

/// Decodes the kernel's `\ooo` escapes (`mangle()` in `fs/proc_namespace.c`).
/// Anything else, including a lone backslash, is kept as it is.
fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut rest = field;
    while let Some((&first, tail)) = rest.split_first() {
        if let [
            b'\\',
            a @ b'0'..=b'3',
            b @ b'0'..=b'7',
            c @ b'0'..=b'7',
            more @ ..,
        ] = rest
        {
            out.push(((a - b'0') << 6) | ((b - b'0') << 3) | (c - b'0'));
            rest = more;
        } else {
            out.push(first);
            rest = tail;
        }
    }
    out
}

fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(OsString::from_vec(bytes))
}

/// The mount that holds `path`: the one whose mount point is the longest
/// path-component prefix of `path`. Among mounts on the same mount point the
/// later one wins, as later mounts stack on top of earlier ones.
///
/// `path` must be absolute, as seen from the same root as the mount points;
/// a relative path matches nothing. `.` and `..` components are resolved
/// lexically; symbolic links are not followed.
///
/// ```
/// use core_pattern::doctor::{mount_for, parse_mountinfo};
/// let mounts = parse_mountinfo(
///     "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 0:50 / /data rw - nfs4 nas:/x rw\n",
/// );
/// assert_eq!(mount_for("/data/dump-a", &mounts).map(|m| m.fstype.as_str()), Some("nfs4"));
/// assert_eq!(mount_for("/dat", &mounts).map(|m| m.fstype.as_str()), Some("ext4"));
/// ```
pub fn mount_for(path: impl AsRef<Path>, mounts: &[Mount]) -> Option<&Mount> {
    let path = normalize(path.as_ref())?;
    let mut best: Option<(usize, &Mount)> = None;
    for m in mounts {
        if path.starts_with(&m.mount_point) {
            let depth = m.mount_point.components().count();
            if best.is_none_or(|(d, _)| depth >= d) {
                best = Some((depth, m));
            }
        }
    }
    best.map(|(_, m)| m)
}

/// An absolute path with `.` and `..` resolved lexically; `None` for a
/// relative path.
fn normalize(path: &Path) -> Option<PathBuf> {
    if !path.has_root() {
        return None;
    }
    let mut out = PathBuf::from("/");
    for c in path.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::ParentDir => {
                out.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    Some(out)
}

/// What kind of storage a mount is, as far as core files are concerned.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StorageKind {
    /// NFS (`nfs`, `nfs4`), e.g. an Alibaba Cloud NAS volume.
    Nfs,
    /// An OSS (or other S3) bucket through a FUSE client: `fuse.ossfs`,
    /// `fuse.s3fs`, or any FUSE mount whose type or source names ossfs or
    /// s3fs.
    OssFuse,
    /// Any other FUSE filesystem.
    OtherFuse,
    /// An overlay filesystem: a container's own root filesystem
    /// (`overlay`, or `fuse.fuse-overlayfs` for rootless containers).
    Overlay,
    /// Memory: `tmpfs` or `ramfs`.
    Tmpfs,
    /// A local disk filesystem: ext2/3/4, xfs, btrfs, zfs, f2fs, …
    LocalDisk,
    /// Anything else, with its filesystem type.
    Other(String),
}

impl StorageKind {
    /// Classifies a mount by its filesystem type and source.
    ///
    /// ```
    /// use core_pattern::doctor::StorageKind;
    /// assert_eq!(StorageKind::classify("fuse.ossfs", "ossfs"), StorageKind::OssFuse);
    /// assert_eq!(StorageKind::classify("fuse", "s3fs"), StorageKind::OssFuse);
    /// assert_eq!(StorageKind::classify("nfs4", "nas:/"), StorageKind::Nfs);
    /// assert_eq!(StorageKind::classify("9p", "hostshare"), StorageKind::Other("9p".into()));
    /// ```
    pub fn classify(fstype: &str, source: &str) -> StorageKind {
        let t = fstype.to_ascii_lowercase();
        match t.as_str() {
            "nfs" | "nfs4" => StorageKind::Nfs,
            "overlay" | "overlayfs" | "fuse.fuse-overlayfs" => StorageKind::Overlay,
            "tmpfs" | "ramfs" => StorageKind::Tmpfs,
            "ext2" | "ext3" | "ext4" | "xfs" | "btrfs" | "zfs" | "f2fs" | "bcachefs" | "jfs"
            | "reiserfs" | "nilfs2" => StorageKind::LocalDisk,
            _ if t == "fuse" || t == "fuseblk" || t.starts_with("fuse.") => {
                let s = source.to_ascii_lowercase();
                let oss = |x: &str| x.contains("ossfs") || x.contains("s3fs");
                if oss(&t) || oss(&s) {
                    StorageKind::OssFuse
                } else {
                    StorageKind::OtherFuse
                }
            }
            _ => StorageKind::Other(fstype.to_owned()),
        }
    }

    /// A short stable name: `nfs`, `oss-fuse`, `fuse`, `overlay`, `tmpfs`,
    /// `local-disk` or `other`.
    pub fn name(&self) -> &'static str {
        match self {
            StorageKind::Nfs => "nfs",
            StorageKind::OssFuse => "oss-fuse",
            StorageKind::OtherFuse => "fuse",
            StorageKind::Overlay => "overlay",
            StorageKind::Tmpfs => "tmpfs",
            StorageKind::LocalDisk => "local-disk",
            StorageKind::Other(_) => "other",
        }
    }

    /// What this storage means for core files, in a sentence.
    pub fn describe(&self) -> &'static str {
        match self {
            StorageKind::Nfs => {
                "an NFS share (e.g. Alibaba Cloud NAS): cores outlive the container, but the server must keep the core's owner and mode 0600"
            }
            StorageKind::OssFuse => {
                "an OSS bucket through a FUSE client (ossfs/s3fs): owners and modes are emulated, and a core is staged locally and uploaded when it is closed"
            }
            StorageKind::OtherFuse => {
                "a FUSE filesystem: its daemon decides whether the core's owner and mode 0600 are kept"
            }
            StorageKind::Overlay => {
                "the container's own root filesystem (overlay): cores stay in the container's writable layer, and a crash loop fills it"
            }
            StorageKind::Tmpfs => {
                "memory (tmpfs): cores use RAM, count against a container's memory limit, and are gone after a reboot"
            }
            StorageKind::LocalDisk => "a local disk filesystem",
            StorageKind::Other(_) => {
                "another filesystem: it must keep the core's owner and mode 0600, or the kernel refuses the dump"
            }
        }
    }
}

impl fmt::Display for StorageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageKind::Other(t) => write!(f, "other ({t})"),
            k => f.write_str(k.name()),
        }
    }
}

/// `statfs(2)` magic numbers (`f_type`, from `linux/magic.h` and the
/// filesystems' own headers) and the types mountinfo shows for them, the
/// usual name first.
const MAGICS: &[(u32, &[&str])] = &[
    (0x6969, &["nfs", "nfs4"]),
    (0x0102_1994, &["tmpfs", "devtmpfs"]),
    (0x8584_58f6, &["ramfs"]),
    (0x794c_7630, &["overlay"]),
    (0xef53, &["ext4", "ext3", "ext2"]),
    (0x5846_5342, &["xfs"]),
    (0x9123_683e, &["btrfs"]),
    (0x2fc1_2fc1, &["zfs"]),
    (0xf2f5_2010, &["f2fs"]),
    (0xca45_1a4e, &["bcachefs"]),
    (0x3153_464a, &["jfs"]),
    (0x5265_4973, &["reiserfs"]),
    (0x3434, &["nilfs2"]),
    (0xe0f5_e1e2, &["erofs"]),
    (0x7371_7368, &["squashfs"]),
    (0x9660, &["iso9660"]),
    (0x4d44, &["vfat", "msdos"]),
    (0x2011_bab0, &["exfat"]),
    // Also virtiofs; `fuse.NAME` types are matched by prefix.
    (0x6573_5546, &["fuse", "fuseblk", "virtiofs"]),
    (0xff53_4d42, &["cifs", "smb3"]),
    (0xfe53_4d42, &["cifs", "smb3"]),
    (0x0102_1997, &["9p"]),
    (0x00c3_6400, &["ceph"]),
    (0x0bd0_0bd0, &["lustre"]),
    (0x0116_1970, &["gfs2"]),
    (0x7461_636f, &["ocfs2"]),
    (0xf15f, &["ecryptfs"]),
    (0x0187, &["autofs"]),
    (0x9fa0, &["proc"]),
    (0x6265_6572, &["sysfs"]),
    (0x1cd1, &["devpts"]),
    (0x0027_e0eb, &["cgroup"]),
    (0x6367_7270, &["cgroup2"]),
    (0x9584_58f6, &["hugetlbfs"]),
    (0x6e73_6673, &["nsfs"]),
    (0x6462_6720, &["debugfs"]),
    (0x7472_6163, &["tracefs"]),
    (0xcafe_4a11, &["bpf"]),
];

/// The filesystem types mountinfo shows for the `statfs(2)` magic number
/// `magic`, the usual name first; empty for a magic number not in the table.
pub(super) fn fstypes_for_magic(magic: u32) -> &'static [&'static str] {
    MAGICS
        .iter()
        .find(|(m, _)| *m == magic)
        .map_or(&[], |(_, names)| names)
}

/// Whether mountinfo's `fstype` names the filesystem of magic number
/// `magic`; `None` when the magic number is not in the table.
pub(super) fn magic_matches(magic: u32, fstype: &str) -> Option<bool> {
    let names = fstypes_for_magic(magic);
    if names.is_empty() {
        return None;
    }
    let t = fstype.to_ascii_lowercase();
    Some(names.contains(&t.as_str()) || (names[0] == "fuse" && t.starts_with("fuse.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_octal() {
        for (input, want) in [
            (&b"a\\040b"[..], &b"a b"[..]),
            (b"\\011\\012\\134", b"\t\n\\"),
            (b"\\377", b"\xff"),
            (b"\\400", b"\\400"),
            (b"\\08", b"\\08"),
            (b"end\\", b"end\\"),
            (b"\\04", b"\\04"),
            (b"", b""),
        ] {
            assert_eq!(unescape(input), want, "{input:?}");
        }
    }

    #[test]
    fn normalize_paths() {
        assert_eq!(
            normalize(Path::new("/a/./b/../c/")),
            Some(PathBuf::from("/a/c"))
        );
        assert_eq!(normalize(Path::new("/../..")), Some(PathBuf::from("/")));
        assert_eq!(normalize(Path::new("a/b")), None);
    }

    #[test]
    fn magic_numbers() {
        assert_eq!(fstypes_for_magic(0x9fa0), ["proc"]);
        assert_eq!(fstypes_for_magic(0x0102_1994)[0], "tmpfs");
        assert!(fstypes_for_magic(0x1234_5678).is_empty());
        assert_eq!(magic_matches(0x6969, "nfs4"), Some(true));
        assert_eq!(magic_matches(0xef53, "ext3"), Some(true));
        assert_eq!(magic_matches(0x6573_5546, "fuse.ossfs"), Some(true));
        assert_eq!(magic_matches(0x6573_5546, "fuseblk"), Some(true));
        assert_eq!(magic_matches(0x794c_7630, "ext4"), Some(false));
        assert_eq!(magic_matches(0x9123_683e, "fuse.btrfs"), Some(false));
        assert_eq!(magic_matches(0x1234_5678, "ext4"), None);
        let mut seen = std::collections::HashSet::new();
        for (m, names) in MAGICS {
            assert!(!names.is_empty(), "{m:#x}");
            assert!(seen.insert(m), "{m:#x} twice");
        }
    }
}
