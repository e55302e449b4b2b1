//! The doctor: the `/proc` parsers on realistic fixtures and garbage, the
//! mount lookup, whole reports over a fake `/proc` tree, and one look at
//! this machine.

use core_pattern::doctor::{
    DestinationCheck, Doctor, DoctorError, DoctorReport, FileKind, Mount, PathState, StorageKind,
    mount_for, parse_limits_core, parse_mountinfo, parse_stat_cpu, parse_status,
};
use core_pattern::lint::Severity;
use core_pattern::{CoreLimit, NoDumpReason, Outcome};
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------
// mountinfo

/// An Alibaba Cloud ACS pod: overlay root, a NAS (NFS) volume at
/// /data/dump-a, OSS through ossfs and s3fs, a tmpfs, an emptyDir at a path
/// with a space, a read-only bind mount, a read-only NFS super block.
const POD_MOUNTINFO: &str = "\
1203 1090 0:312 / / rw,relatime master:320 - overlay overlay rw,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/88/fs,upperdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/91/fs,workdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/91/work
1204 1203 0:315 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
1205 1203 0:316 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
1210 1203 0:52 /cores /data/dump-a rw,relatime - nfs4 0a1b2c3d-xyz1.cn-hangzhou.nas.aliyuncs.com:/cores rw,vers=4.0,rsize=1048576,wsize=1048576,namlen=255,hard,noresvport,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=192.168.0.10,local_lock=none,addr=192.168.0.20
1211 1203 0:63 / /data/oss rw,nosuid,nodev,relatime - fuse.ossfs ossfs rw,user_id=0,group_id=0,allow_other
1212 1203 0:64 / /data/s3 rw,nosuid,nodev,relatime shared:5 - fuse s3fs rw,user_id=0,group_id=0
1213 1203 0:70 / /scratch rw,relatime - tmpfs tmpfs rw,size=1048576k
1214 1203 254:1 /var/lib/kubelet/pods/abc/volumes/kubernetes.io~empty-dir/cores /my\\040cores rw,relatime - ext4 /dev/vda1 rw
1215 1203 254:1 /var/lib/kubelet/pods/abc/etc-hosts /etc/hosts ro,relatime - ext4 /dev/vda1 rw
1216 1203 0:80 / /data/ro-nas rw,relatime - nfs nas.example.com:/ro ro,vers=3
1217 1203 0:81 / /data/sshfs rw,nosuid,nodev - fuse.sshfs user@host:/srv rw,user_id=0
";

fn pod_mounts() -> Vec<Mount> {
    parse_mountinfo(POD_MOUNTINFO)
}

#[test]
fn mountinfo_fields() {
    let mounts = pod_mounts();
    let rows: Vec<(&str, &str, &str, bool)> = mounts
        .iter()
        .map(|m| {
            (
                m.mount_point.to_str().unwrap_or("?"),
                m.fstype.as_str(),
                m.source.as_str(),
                m.read_only,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("/", "overlay", "overlay", false),
            ("/proc", "proc", "proc", false),
            ("/dev", "tmpfs", "tmpfs", false),
            (
                "/data/dump-a",
                "nfs4",
                "0a1b2c3d-xyz1.cn-hangzhou.nas.aliyuncs.com:/cores",
                false
            ),
            ("/data/oss", "fuse.ossfs", "ossfs", false),
            ("/data/s3", "fuse", "s3fs", false),
            ("/scratch", "tmpfs", "tmpfs", false),
            ("/my cores", "ext4", "/dev/vda1", false),
            ("/etc/hosts", "ext4", "/dev/vda1", true),
            ("/data/ro-nas", "nfs", "nas.example.com:/ro", true),
            ("/data/sshfs", "fuse.sshfs", "user@host:/srv", false),
        ]
    );
    assert_eq!(mounts[3].root, Path::new("/cores"));
    assert_eq!(
        mounts[7].root,
        Path::new("/var/lib/kubelet/pods/abc/volumes/kubernetes.io~empty-dir/cores")
    );
}

#[test]
fn mountinfo_storage_kinds() {
    let kinds: Vec<StorageKind> = pod_mounts().iter().map(Mount::storage).collect();
    assert_eq!(
        kinds,
        [
            StorageKind::Overlay,
            StorageKind::Other("proc".into()),
            StorageKind::Tmpfs,
            StorageKind::Nfs,
            StorageKind::OssFuse,
            StorageKind::OssFuse,
            StorageKind::Tmpfs,
            StorageKind::LocalDisk,
            StorageKind::LocalDisk,
            StorageKind::Nfs,
            StorageKind::OtherFuse,
        ]
    );
}

#[test]
fn mountinfo_escapes() {
    let m = parse_mountinfo(
        r"30 1 0:40 /a\134b /mnt/tab\011and\040space\012nl rw - ext4 /dev/my\040disk rw",
    );
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].mount_point, Path::new("/mnt/tab\tand space\nnl"));
    assert_eq!(m[0].root, Path::new(r"/a\b"));
    assert_eq!(m[0].source, "/dev/my disk");
    // Not an escape: kept as it is.
    let m = parse_mountinfo(r"30 1 0:40 / /mnt/x\9y\04 rw - ext4 /dev/x rw");
    assert_eq!(m[0].mount_point, Path::new(r"/mnt/x\9y\04"));
}

#[test]
fn mountinfo_optional_fields_and_missing_super_options() {
    let m = parse_mountinfo(
        "40 30 0:50 / /a rw shared:1 master:2 propagate_from:3 unbindable - xfs /dev/sdb1 rw\n\
         41 30 0:51 / /b rw - tmpfs none\n",
    );
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].fstype, "xfs");
    assert_eq!(m[1].source, "none");
    assert!(!m[1].read_only);
}

#[test]
fn mountinfo_garbage_is_skipped() {
    let garbage = [
        "",
        "garbage",
        "1 2 3",
        "x 1 0:1 / /a rw - ext4 /dev/x rw",
        "1 x 0:1 / /a rw - ext4 /dev/x rw",
        "1 2 nodev / /a rw - ext4 /dev/x rw",
        "1 2 0:1 / /a rw ext4 /dev/x rw",
        "1 2 0:1 / /a rw -",
        "1 2 0:1 / /a rw - ext4",
        "1 2 0:1 / relative rw - ext4 /dev/x rw",
        "1 2 0:1 /",
        "\\\\\\ \\ \\\\ - - -",
        "- - - - - - - - -",
        "99999999999999999999999 1 0:1 / /big rw - ext4 /dev/x rw",
        "1 2 0:1 / /\\377\\400\\ rw - ext4 /dev/x rw",
        "\u{0}\u{1} 1 2",
    ];
    for line in garbage {
        let _ = parse_mountinfo(line);
    }
    let text = format!("{}\n{POD_MOUNTINFO}\n\n", garbage.join("\n"));
    let parsed = parse_mountinfo(&text);
    // The big ID and the odd escapes are still mount lines.
    assert_eq!(parsed.len(), pod_mounts().len() + 2);
    assert!(parse_mountinfo("").is_empty());
}

// ---------------------------------------------------------------------------
// mount_for

#[test]
fn mount_for_longest_component_prefix() {
    let mounts = pod_mounts();
    let at = |p: &str| mount_for(p, &mounts).map(|m| m.mount_point.to_string_lossy().into_owned());
    for (path, want) in [
        ("/data/dump-a/core-1", Some("/data/dump-a")),
        ("/data/dump-a", Some("/data/dump-a")),
        ("/data/dump-a/", Some("/data/dump-a")),
        ("/data/dump-a/sub/dir/core", Some("/data/dump-a")),
        ("/data/dump-ab/core", Some("/")),
        ("/data/dump", Some("/")),
        ("/data", Some("/")),
        ("/", Some("/")),
        ("/my cores/core.1", Some("/my cores")),
        ("/my", Some("/")),
        ("/scratch/../data/dump-a/x", Some("/data/dump-a")),
        ("/data/dump-a/../oss/x", Some("/data/oss")),
        ("/./data/./s3/x", Some("/data/s3")),
        ("/etc/hosts", Some("/etc/hosts")),
        ("/etc/hostsx", Some("/")),
        ("core", None),
        ("data/dump-a/core", None),
        ("", None),
    ] {
        assert_eq!(at(path).as_deref(), want, "{path:?}");
    }
}

#[test]
fn mount_for_is_not_a_string_prefix() {
    let mounts = parse_mountinfo(
        "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 0:50 / /data rw - nfs4 nas:/x rw\n",
    );
    let fstype = |p: &str| mount_for(p, &mounts).map(|m| m.fstype.clone());
    assert_eq!(fstype("/data/dump-a").as_deref(), Some("nfs4"));
    assert_eq!(fstype("/dat").as_deref(), Some("ext4"));
    assert_eq!(fstype("/dat/dump-a").as_deref(), Some("ext4"));
    assert_eq!(fstype("/database").as_deref(), Some("ext4"));
}

#[test]
fn mount_for_later_mounts_win() {
    let mounts = parse_mountinfo(
        "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n\
         2 1 0:50 / /data rw - nfs4 nas:/first rw\n\
         3 2 0:51 / /data ro - tmpfs tmpfs rw\n\
         4 1 0:52 / /other rw - xfs /dev/sdb rw\n",
    );
    let m = mount_for("/data/core", &mounts);
    assert_eq!(m.map(|m| m.fstype.as_str()), Some("tmpfs"));
    assert_eq!(m.map(|m| m.read_only), Some(true));
    // A root mounted over the root.
    let mounts = parse_mountinfo(
        "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 0:2 / / rw - overlay overlay rw\n",
    );
    assert_eq!(
        mount_for("/x", &mounts).map(Mount::storage),
        Some(StorageKind::Overlay)
    );
    assert_eq!(mount_for("/x", &[]), None);
}

// ---------------------------------------------------------------------------
// StorageKind

#[test]
fn storage_kind_table() {
    for (fstype, source, want) in [
        ("nfs", "nas:/x", StorageKind::Nfs),
        ("nfs4", "nas:/x", StorageKind::Nfs),
        ("NFS4", "nas:/x", StorageKind::Nfs),
        ("nfsd", "nfsd", StorageKind::Other("nfsd".into())),
        ("fuse.ossfs", "ossfs", StorageKind::OssFuse),
        ("fuse.s3fs", "s3fs", StorageKind::OssFuse),
        ("fuse.ossfs2", "bucket", StorageKind::OssFuse),
        ("fuse", "s3fs", StorageKind::OssFuse),
        ("fuse", "ossfs#bucket", StorageKind::OssFuse),
        ("fuse.sshfs", "u@h:/", StorageKind::OtherFuse),
        ("fuseblk", "/dev/sdc1", StorageKind::OtherFuse),
        ("fuse", "lxcfs", StorageKind::OtherFuse),
        ("overlay", "overlay", StorageKind::Overlay),
        (
            "fuse.fuse-overlayfs",
            "fuse-overlayfs",
            StorageKind::Overlay,
        ),
        ("tmpfs", "tmpfs", StorageKind::Tmpfs),
        ("ramfs", "none", StorageKind::Tmpfs),
        ("ext4", "/dev/vda1", StorageKind::LocalDisk),
        ("xfs", "/dev/sdb", StorageKind::LocalDisk),
        ("btrfs", "/dev/sdc", StorageKind::LocalDisk),
        ("9p", "hostshare", StorageKind::Other("9p".into())),
        ("cifs", "//srv/share", StorageKind::Other("cifs".into())),
        ("", "", StorageKind::Other(String::new())),
    ] {
        assert_eq!(
            StorageKind::classify(fstype, source),
            want,
            "{fstype} {source}"
        );
    }
}

#[test]
fn storage_kind_descriptions() {
    assert_eq!(
        StorageKind::Overlay.describe(),
        "the container's own root filesystem (overlay): cores stay in the container's writable layer, and a crash loop fills it"
    );
    for k in [
        StorageKind::Nfs,
        StorageKind::OssFuse,
        StorageKind::OtherFuse,
        StorageKind::Overlay,
        StorageKind::Tmpfs,
        StorageKind::LocalDisk,
        StorageKind::Other("9p".into()),
    ] {
        assert!(!k.describe().is_empty());
        assert!(!k.name().is_empty());
        assert!(k.to_string().starts_with(k.name()));
    }
    assert!(StorageKind::Nfs.describe().contains("0600"));
    assert_eq!(StorageKind::Other("9p".into()).to_string(), "other (9p)");
}

// ---------------------------------------------------------------------------
// limits

fn limits_text(soft: &str, hard: &str) -> String {
    format!(
        "Limit                     Soft Limit           Hard Limit           Units     \n\
         Max cpu time              unlimited            unlimited            seconds   \n\
         Max file size             unlimited            unlimited            bytes     \n\
         Max data size             unlimited            unlimited            bytes     \n\
         Max stack size            8388608              unlimited            bytes     \n\
         Max core file size        {soft:<20} {hard:<20} bytes     \n\
         Max resident set          unlimited            unlimited            bytes     \n\
         Max processes             96365                96365                processes \n\
         Max open files            1048576              1048576              files     \n"
    )
}

#[test]
fn limits_core() {
    for (soft, hard, want) in [
        ("unlimited", "unlimited", Some(CoreLimit::Unlimited)),
        ("0", "unlimited", Some(CoreLimit::Bytes(0))),
        ("1", "1", Some(CoreLimit::Bytes(1))),
        ("4096", "unlimited", Some(CoreLimit::Bytes(4096))),
        ("1073741824", "unlimited", Some(CoreLimit::Bytes(1 << 30))),
        (
            "18446744073709551614",
            "unlimited",
            Some(CoreLimit::Bytes(u64::MAX - 1)),
        ),
        ("-1", "unlimited", None),
        ("lots", "unlimited", None),
        ("18446744073709551616", "unlimited", None),
        ("", "", None),
    ] {
        assert_eq!(
            parse_limits_core(&limits_text(soft, hard)),
            want,
            "{soft:?}"
        );
    }
}

#[test]
fn limits_garbage() {
    for text in [
        "",
        "garbage",
        "Max core file size",
        "Max core file size\n",
        "Max cpu time unlimited unlimited seconds",
        "max core file size 0 0 bytes",
        "\u{0}\u{0}\u{0}",
    ] {
        assert_eq!(parse_limits_core(text), None, "{text:?}");
    }
    assert_eq!(
        parse_limits_core("Max core file size\t0\tunlimited\tbytes"),
        Some(CoreLimit::Bytes(0))
    );
}

// ---------------------------------------------------------------------------
// status

fn status_text(name: &str, tgid: u32, pid: u32, ns: &str, uid: &str, gid: &str) -> String {
    format!(
        "Name:\t{name}\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t{tgid}\nNgid:\t0\nPid:\t{pid}\n\
         PPid:\t4200\nTracerPid:\t0\nUid:\t{uid}\nGid:\t{gid}\nFDSize:\t64\nGroups:\t10 27 1000 \n\
         NStgid:\t{ns}\nNSpid:\t{ns}\nNSpgid:\t{ns}\nNSsid:\t{ns}\nKthread:\t0\nVmPeak:\t    3060 kB\n\
         Threads:\t1\nSigQ:\t0/96365\nCapEff:\t0000000000000000\nCpus_allowed_list:\t0-1\n"
    )
}

#[test]
fn status_two_pid_namespaces() {
    let s = parse_status(&status_text(
        "my server",
        4242,
        4242,
        "4242\t1",
        "1000\t1001\t1002\t1003",
        "2000\t2001\t2002\t2003",
    ))
    .expect("parses");
    assert_eq!(s.name, "my server");
    assert_eq!((s.tgid, s.pid), (4242, 4242));
    assert_eq!(s.ns_tgid, [4242, 1]);
    assert_eq!(s.ns_pid, [4242, 1]);
    assert_eq!((s.local_tgid(), s.outer_tgid()), (1, 4242));
    assert_eq!((s.local_pid(), s.outer_pid()), (1, 4242));
    assert_eq!(
        (s.uid.real, s.uid.effective, s.uid.saved, s.uid.filesystem),
        (1000, 1001, 1002, 1003)
    );
    assert_eq!(
        (s.gid.real, s.gid.effective, s.gid.saved, s.gid.filesystem),
        (2000, 2001, 2002, 2003)
    );
    assert_eq!(s.groups, [10, 27, 1000]);
}

#[test]
fn status_thread_in_three_namespaces() {
    let text = status_text("worker", 500, 507, "500\t20\t7", "0\t0\t0\t0", "0\t0\t0\t0")
        .replace("NSpid:\t500\t20\t7", "NSpid:\t507\t27\t9");
    let s = parse_status(&text).expect("parses");
    assert_eq!((s.local_tgid(), s.local_pid()), (7, 9));
    assert_eq!((s.outer_tgid(), s.outer_pid()), (500, 507));
}

#[test]
fn status_without_ns_lines_or_groups() {
    // Kernels before 4.1 have no NStgid/NSpid.
    let s = parse_status(
        "Name:\tinit\nTgid:\t1\nPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\n",
    )
    .expect("parses");
    assert_eq!(
        (s.ns_tgid.as_slice(), s.ns_pid.as_slice()),
        (&[1][..], &[1][..])
    );
    assert_eq!(s.local_tgid(), 1);
    assert!(s.groups.is_empty());
    // Two IDs only: saved and filesystem follow the effective one.
    let s = parse_status("Name:\tx\nTgid:\t2\nPid:\t2\nUid:\t5\t6\nGid:\t7\t8\n").expect("parses");
    assert_eq!((s.uid.saved, s.uid.filesystem, s.gid.filesystem), (6, 6, 8));
}

#[test]
fn status_garbage() {
    let good = status_text("x", 1, 1, "1", "0\t0\t0\t0", "0\t0\t0\t0");
    assert!(parse_status(&good).is_some());
    for text in [
        String::new(),
        "garbage".to_owned(),
        "::::\n:\n".to_owned(),
        good.replace("Tgid:\t1\n", ""),
        good.replace("Pid:\t1\n", ""),
        good.replace("Name:\tx\n", ""),
        good.replace("Uid:\t0\t0\t0\t0\n", ""),
        good.replace("Gid:\t0\t0\t0\t0\n", "Gid:\n"),
        good.replace("Tgid:\t1", "Tgid:\tone"),
        good.replace("Pid:\t1", "Pid:\t-1"),
        good.replace("Uid:\t0\t0\t0\t0", "Uid:\t0"),
        good.replace("Uid:\t0\t0\t0\t0", "Uid:\t0\tx\t0\t0"),
        good.replace("NStgid:\t1", "NStgid:\t1\t?"),
        good.replace("Groups:\t10 27 1000 ", "Groups:\t10 x"),
        good.replace("Tgid:\t1", "Tgid:\t99999999999"),
    ] {
        assert_eq!(parse_status(&text), None, "{text:?}");
    }
}

// ---------------------------------------------------------------------------
// stat

fn stat_text(pid: u32, comm: &str, cpu: &str) -> String {
    let mut fields: Vec<String> = (0..52).map(|_| "0".to_owned()).collect();
    fields[0] = pid.to_string();
    fields[1] = format!("({comm})");
    fields[2] = "S".to_owned();
    fields[3] = "1".to_owned();
    fields[6] = "-1".to_owned();
    fields[24] = "18446744073709551615".to_owned();
    fields[38] = cpu.to_owned();
    fields.join(" ") + "\n"
}

#[test]
fn stat_cpu() {
    for (comm, cpu, want) in [
        ("myapp", "3", Some(3)),
        ("my app", "0", Some(0)),
        ("evil) (name", "7", Some(7)),
        (") S 1 2 3 4 5", "12", Some(12)),
        ("((()))", "1", Some(1)),
        ("", "63", Some(63)),
        ("x", "-1", None),
        ("x", "cpu", None),
    ] {
        assert_eq!(parse_stat_cpu(&stat_text(42, comm, cpu)), want, "{comm:?}");
    }
    // A real line from this kind of machine.
    let real = "27024 (cat) R 27022 27022 22093 0 -1 4194304 101 0 0 0 0 0 0 0 20 0 1 0 145972 \
                3133440 415 18446744073709551615 94075506380800 94075506400681 140730508445760 \
                0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94075506416688 94075506418304 94075692355584 \
                140730508450335 140730508450355 140730508450355 140730508451819 0";
    assert_eq!(parse_stat_cpu(real), Some(1));
}

#[test]
fn stat_garbage() {
    for text in [
        "",
        "garbage",
        "42 (x",
        "42 (x) S 1 2 3",
        ")",
        "))))))",
        "42 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35",
    ] {
        assert_eq!(parse_stat_cpu(text), None, "{text:?}");
    }
}

// ---------------------------------------------------------------------------
// A fake /proc

/// A `/proc`-like tree in a temporary directory, removed on drop.
struct Fixture {
    dir: PathBuf,
}

/// One process in the fixture.
struct Proc<'a> {
    pid: u32,
    comm: &'a str,
    /// `NStgid`/`NSpid`, tab-separated.
    ns: &'a str,
    /// UID for every `Uid` field; `None`: the owner of the fixture's files,
    /// so that the process looks dumpable.
    uid: Option<u32>,
    limit: &'a str,
    cpu: u32,
    exe: Option<&'a str>,
    /// The target of `cwd`.
    cwd: Option<PathBuf>,
    /// The target of `root`.
    root: Option<PathBuf>,
    mountinfo: &'a str,
    /// Another mount namespace than the doctor's.
    other_mnt_ns: bool,
    other_uts_ns: bool,
}

impl Default for Proc<'_> {
    fn default() -> Self {
        Proc {
            pid: 4242,
            comm: "myapp",
            ns: "4242",
            uid: None,
            limit: "unlimited",
            cpu: 5,
            exe: Some("/usr/bin/myapp"),
            cwd: None,
            root: None,
            mountinfo: POD_MOUNTINFO,
            other_mnt_ns: false,
            other_uts_ns: false,
        }
    }
}

impl Fixture {
    fn new(tag: &str) -> Fixture {
        let dir = std::env::temp_dir().join(format!("corepat-doctor-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let f = Fixture { dir };
        for d in [
            "proc/sys/kernel",
            "proc/sys/fs",
            "proc/self/ns",
            "container",
        ] {
            fs::create_dir_all(f.dir.join(d)).expect("create fixture dirs");
        }
        symlink("mnt:[4026531832]", f.proc().join("self/ns/mnt")).expect("symlink");
        symlink("uts:[4026531838]", f.proc().join("self/ns/uts")).expect("symlink");
        for (name, value) in [
            ("kernel/core_pattern", "core\n"),
            ("kernel/core_uses_pid", "0\n"),
            ("fs/suid_dumpable", "0\n"),
            ("kernel/core_pipe_limit", "0\n"),
            ("kernel/osrelease", "6.18.15\n"),
            ("kernel/hostname", "node1\n"),
        ] {
            f.sysctl(name, value);
        }
        f
    }

    fn proc(&self) -> PathBuf {
        self.dir.join("proc")
    }

    /// The container's root filesystem, as `/proc/PID/root` shows it.
    fn container(&self) -> PathBuf {
        self.dir.join("container")
    }

    fn doctor(&self) -> Doctor {
        Doctor::with_proc_root(self.proc())
    }

    fn sysctl(&self, name: &str, value: &str) {
        fs::write(self.proc().join("sys").join(name), value).expect("write sysctl");
    }

    fn mkdir(&self, rel: &str, mode: u32) -> PathBuf {
        let d = self.container().join(rel);
        fs::create_dir_all(&d).expect("mkdir");
        fs::set_permissions(&d, fs::Permissions::from_mode(mode)).expect("chmod");
        d
    }

    /// The UID that owns the fixture's files.
    fn owner(&self) -> u32 {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(&self.dir).expect("stat fixture").uid()
    }

    fn add(&self, p: &Proc<'_>) {
        let dir = self.proc().join(p.pid.to_string());
        fs::create_dir_all(dir.join("ns")).expect("mkdir pid");
        fs::write(
            dir.join("stat"),
            stat_text(p.pid, p.comm, &p.cpu.to_string()),
        )
        .expect("stat");
        let uid = p.uid.unwrap_or_else(|| self.owner());
        let ids = format!("{uid}\t{uid}\t{uid}\t{uid}");
        let text = status_text(p.comm, p.pid, p.pid, p.ns, &ids, &ids);
        fs::write(dir.join("status"), text).expect("status");
        fs::write(dir.join("limits"), limits_text(p.limit, "unlimited")).expect("limits");
        fs::write(dir.join("comm"), format!("{}\n", p.comm)).expect("comm");
        fs::write(dir.join("mountinfo"), p.mountinfo).expect("mountinfo");
        if let Some(exe) = p.exe {
            symlink(exe, dir.join("exe")).expect("exe");
        }
        if let Some(cwd) = &p.cwd {
            symlink(cwd, dir.join("cwd")).expect("cwd");
        }
        symlink(
            p.root.as_deref().unwrap_or(Path::new("/")),
            dir.join("root"),
        )
        .expect("root");
        let mnt = if p.other_mnt_ns {
            "mnt:[4026532999]"
        } else {
            "mnt:[4026531832]"
        };
        symlink(mnt, dir.join("ns/mnt")).expect("ns");
        let uts = if p.other_uts_ns {
            "uts:[4026532998]"
        } else {
            "uts:[4026531838]"
        };
        symlink(uts, dir.join("ns/uts")).expect("ns");
    }

    /// The ACS pod: PID 4242 on the host, 1 in the container, with its own
    /// mount namespace and the container's root.
    fn pod(&self) -> Proc<'static> {
        Proc {
            ns: "4242\t1",
            root: Some(self.container()),
            other_mnt_ns: true,
            other_uts_ns: true,
            ..Proc::default()
        }
    }

    fn examine(&self, pid: u32) -> DoctorReport {
        self.doctor()
            .examine(Some(pid))
            .unwrap_or_else(|e| panic!("examine {pid}: {e}"))
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn has(report: &DoctorReport, level: Severity, text: &str) -> bool {
    report
        .findings
        .iter()
        .any(|f| f.severity == level && f.message.contains(text))
}

fn directory(report: &DoctorReport) -> &core_pattern::doctor::DirectoryCheck {
    match &report.check {
        DestinationCheck::Directory(d) => d,
        other => panic!("not a directory check: {other:?}"),
    }
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn acs_pod_with_nas_volume() {
    let f = Fixture::new("nas");
    f.sysctl("kernel/core_pattern", "/data/dump-a/core-%E-%p-%t\n");
    f.mkdir("data/dump-a", 0o777);
    f.add(&f.pod());
    let r = f.examine(4242);

    let crash = r.crash();
    assert_eq!((crash.pid, crash.global_pid, crash.tid), (1, 4242, 1));
    assert_eq!(
        (crash.cpu, crash.hostname, crash.comm),
        (5, &b"node1"[..], &b"myapp"[..])
    );
    assert_eq!(crash.exe, Some(&b"/usr/bin/myapp"[..]));
    assert_eq!(crash.core_limit, CoreLimit::Unlimited);
    assert_eq!(r.kernel.version().to_string(), "6.18.15");

    let want = format!("/data/dump-a/core-!usr!bin!myapp-1-{}", r.time);
    assert_eq!(
        r.outcome,
        Some(Outcome::File {
            name: want.clone().into_bytes()
        })
    );
    assert_eq!(r.destination, r.outcome);

    let d = directory(&r);
    assert_eq!(d.dir, Path::new("/data/dump-a"));
    assert!(d.through_proc);
    assert_eq!(d.looked_at, f.proc().join("4242/root/data/dump-a"));
    assert!(matches!(&d.state, PathState::Present(i) if i.kind == FileKind::Directory));
    assert_eq!(d.writable, Some(true));
    let m = d.mount.as_ref().expect("a mount");
    assert_eq!((m.fstype.as_str(), m.storage()), ("nfs4", StorageKind::Nfs));

    assert!(
        !r.findings.iter().any(|f| f.severity == Severity::Error),
        "{:#?}",
        r.findings
    );
    assert!(has(&r, Severity::Warning, "NFS"));
    assert!(!r.has_errors());

    let s = r.summary();
    assert!(
        s.contains("The next core of PID 4242 (myapp; PID 1 in its own PID namespace) would go to"),
        "{s}"
    );
    assert!(s.contains(&want), "{s}");
    assert!(s.contains("4242/root/data/dump-a"), "{s}");
    assert!(s.contains("root_squash"), "{s}");
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn missing_directory_on_the_overlay_root() {
    let f = Fixture::new("missing");
    f.sysctl("kernel/core_pattern", "/data/dump-b/core-%e-%p-%t\n");
    f.add(&f.pod());
    let r = f.examine(4242);
    let d = directory(&r);
    assert_eq!(d.state, PathState::Missing);
    assert_eq!(d.writable, None);
    assert_eq!(
        d.mount.as_ref().map(Mount::storage),
        Some(StorageKind::Overlay)
    );
    assert!(has(&r, Severity::Error, "does not exist"));
    assert!(has(&r, Severity::Warning, "overlay"));
    assert_eq!(r.findings[0].severity, Severity::Error, "errors first");
    assert!(r.has_errors());
    assert!(r.summary().contains("/data/dump-b does not exist"));
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn read_only_volume() {
    let f = Fixture::new("ro");
    f.sysctl("kernel/core_pattern", "/data/ro-nas/core.%p\n");
    f.mkdir("data/ro-nas", 0o777);
    f.add(&f.pod());
    let r = f.examine(4242);
    let d = directory(&r);
    assert_eq!(d.writable, Some(false));
    assert!(d.mount.as_ref().is_some_and(|m| m.read_only));
    assert!(has(&r, Severity::Error, "read-only"));
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn oss_fuse_and_tmpfs_caveats() {
    let f = Fixture::new("oss");
    f.mkdir("data/oss", 0o777);
    f.mkdir("scratch", 0o1777);
    f.add(&f.pod());
    f.sysctl("kernel/core_pattern", "/data/oss/core.%p\n");
    let r = f.examine(4242);
    assert!(
        has(&r, Severity::Warning, "OSS bucket through FUSE"),
        "{:#?}",
        r.findings
    );
    f.sysctl("kernel/core_pattern", "/scratch/core.%p\n");
    let r = f.examine(4242);
    assert!(has(&r, Severity::Info, "tmpfs"), "{:#?}", r.findings);
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn not_dumpable_and_not_writable() {
    let f = Fixture::new("nodump");
    f.sysctl("kernel/core_pattern", "/data/dump-a/core.%p\n");
    f.mkdir("data/dump-a", 0o755);
    // The process's effective UID is not the owner of its /proc files.
    let uid = f.owner().wrapping_add(12345);
    f.add(&Proc {
        uid: Some(uid),
        ..f.pod()
    });
    let r = f.examine(4242);
    assert_eq!(
        (r.process.dumpable.value, r.process.dumpable.certain),
        (0, false)
    );
    assert!(
        r.process
            .dumpable
            .why
            .contains("not by the process's effective UID")
    );
    assert_eq!(
        r.outcome,
        Some(Outcome::NoDump {
            reason: NoDumpReason::NotDumpable
        })
    );
    // Where it would go once dumpable.
    assert_eq!(
        r.destination,
        Some(Outcome::File {
            name: b"/data/dump-a/core.1".to_vec()
        })
    );
    let d = directory(&r);
    assert_eq!((d.dumper_uid, d.writable), (uid, Some(false)));
    assert!(has(&r, Severity::Error, "cannot create files"));
    assert!(
        !has(&r, Severity::Error, "not dumpable"),
        "the headline says it"
    );
    let s = r.summary();
    assert!(
        s.contains("would NOT be written: the process is not dumpable"),
        "{s}"
    );
    assert!(
        s.contains("Once that is fixed, it would go to the file /data/dump-a/core.1"),
        "{s}"
    );
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn suid_dumpable_2_guess() {
    let f = Fixture::new("suid");
    f.sysctl("fs/suid_dumpable", "2\n");
    f.sysctl("kernel/core_pattern", "core\n");
    let uid = f.owner().wrapping_add(1);
    f.add(&Proc {
        uid: Some(uid),
        cwd: Some(f.container()),
        ..Proc::default()
    });
    let r = f.examine(4242);
    assert_eq!(r.process.dumpable.value, 2);
    assert_eq!(
        r.outcome,
        Some(Outcome::NoDump {
            reason: NoDumpReason::SuidNeedsAbsolute
        })
    );
    assert_eq!(r.check, DestinationCheck::Nothing);
    assert!(has(&r, Severity::Info, "suid-safe"));
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn core_limit_zero_and_a_relative_name() {
    let f = Fixture::new("limit");
    let work = f.mkdir("work", 0o755);
    f.add(&Proc {
        limit: "0",
        cwd: Some(work.clone()),
        ..Proc::default()
    });
    let r = f.examine(4242);
    assert_eq!(r.process.core_limit, CoreLimit::Bytes(0));
    assert_eq!(
        r.outcome,
        Some(Outcome::NoDump {
            reason: NoDumpReason::CoreLimitBelowPage { limit: 0 }
        })
    );
    assert_eq!(
        r.destination,
        Some(Outcome::File {
            name: b"core".to_vec()
        })
    );
    let d = directory(&r);
    assert_eq!(d.dir, work);
    assert_eq!(d.cwd.as_deref(), Some(work.as_path()));
    assert!(!d.through_proc, "same mount namespace: looked at directly");
    assert!(matches!(&d.state, PathState::Present(_)));
    assert!(
        !has(&r, Severity::Error, "below one page"),
        "the headline says it"
    );
    let s = r.summary();
    assert!(
        s.contains("would NOT be written: the soft core limit (0 bytes) is below one page"),
        "{s}"
    );
    assert!(s.contains("relative to its working directory"), "{s}");
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn core_limit_hidden_behind_dumpable_is_still_reported() {
    let f = Fixture::new("both");
    let work = f.mkdir("work", 0o777);
    let uid = f.owner().wrapping_add(7);
    f.add(&Proc {
        limit: "1024",
        uid: Some(uid),
        cwd: Some(work),
        ..Proc::default()
    });
    let r = f.examine(4242);
    assert_eq!(
        r.outcome.as_ref().and_then(Outcome::no_dump_reason),
        Some(&NoDumpReason::NotDumpable)
    );
    assert!(has(&r, Severity::Error, "below one page"));
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn relative_name_in_another_mount_namespace() {
    let f = Fixture::new("relns");
    let work = f.mkdir("srv/app", 0o777);
    f.sysctl("kernel/core_pattern", "cores/core.%p\n");
    f.add(&Proc {
        cwd: Some(work.clone()),
        ..f.pod()
    });
    let r = f.examine(4242);
    let d = directory(&r);
    assert_eq!(d.dir, work.join("cores"));
    assert!(d.through_proc);
    assert_eq!(d.looked_at, f.proc().join("4242/cwd/cores"));
    assert_eq!(d.state, PathState::Missing);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("another mount namespace"))
    );
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn pipe_helper_missing() {
    let f = Fixture::new("pipemiss");
    f.sysctl(
        "kernel/core_pattern",
        "|/nonexistent/corepat-doctor-helper %P %s\n",
    );
    f.sysctl("kernel/core_pipe_limit", "4\n");
    f.add(&Proc::default());
    let r = f.examine(4242);
    let Some(Outcome::Pipe { argv, .. }) = &r.outcome else {
        panic!("{:?}", r.outcome)
    };
    assert_eq!(argv[1], b"4242");
    let DestinationCheck::Helper(h) = &r.check else {
        panic!("{:?}", r.check)
    };
    assert_eq!(h.state, PathState::Missing);
    assert!(!h.is_executable());
    assert!(has(&r, Severity::Error, "does not exist"));
    assert!(has(&r, Severity::Info, "core_pipe_limit is 4"));
    assert!(r.notes.iter().any(|n| n.contains("initial namespaces")));
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn pipe_helper_present_and_core_limit_ignored() {
    let f = Fixture::new("pipeok");
    let exe = std::env::current_exe().expect("current exe");
    let pattern = format!("|{} %c", exe.display());
    if pattern.len() > 127 || pattern.contains(' ') {
        return; // The test binary's path does not fit in a pattern here.
    }
    f.sysctl("kernel/core_pattern", &format!("{pattern}\n"));
    f.add(&Proc {
        limit: "0",
        ..Proc::default()
    });
    let r = f.examine(4242);
    assert!(
        matches!(r.outcome, Some(Outcome::Pipe { .. })),
        "{:?}",
        r.outcome
    );
    let DestinationCheck::Helper(h) = &r.check else {
        panic!("{:?}", r.check)
    };
    assert!(h.is_executable());
    assert!(!r.has_errors(), "{:#?}", r.findings);
    assert!(has(&r, Severity::Info, "ignores the soft core limit"));
    assert!(r.summary().contains("through a pipe"));
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn pipe_rlimit_one() {
    let f = Fixture::new("pipeone");
    f.sysctl(
        "kernel/core_pattern",
        "|/usr/lib/systemd/systemd-coredump %P\n",
    );
    f.add(&Proc {
        limit: "1",
        ..Proc::default()
    });
    let r = f.examine(4242);
    assert_eq!(
        r.outcome,
        Some(Outcome::NoDump {
            reason: NoDumpReason::PipeRlimitOne
        })
    );
    assert!(matches!(r.destination, Some(Outcome::Pipe { .. })));
    assert!(matches!(r.check, DestinationCheck::Helper(_)));
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn socket_present_and_missing() {
    let f = Fixture::new("sock");
    let path = f.dir.join("cd.sock");
    let pattern = format!("@{}", path.display());
    if pattern.len() >= 108 || pattern.contains(' ') {
        return; // The temporary directory's path is too long for a socket.
    }
    f.add(&Proc::default());
    f.sysctl("kernel/core_pattern", &format!("{pattern}\n"));
    let r = f.examine(4242);
    let DestinationCheck::Socket(s) = &r.check else {
        panic!("{:?}", r.check)
    };
    assert_eq!(s.state, PathState::Missing);
    assert!(has(&r, Severity::Error, "nothing is at the socket path"));

    let _listener = std::os::unix::net::UnixListener::bind(&path).expect("bind");
    let r = f.examine(4242);
    let DestinationCheck::Socket(s) = &r.check else {
        panic!("{:?}", r.check)
    };
    assert!(s.is_socket());
    assert!(!r.has_errors(), "{:#?}", r.findings);
    assert!(r.summary().contains("would go to the socket"));
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn unknown_release_falls_back_to_latest() {
    let f = Fixture::new("release");
    f.sysctl("kernel/osrelease", "linux-custom\n");
    f.add(&Proc {
        cwd: Some(f.container()),
        ..Proc::default()
    });
    let r = f.examine(4242);
    assert_eq!(r.kernel, core_pattern::KernelProfile::latest());
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("linux-custom") && n.contains("newest"))
    );
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn specifier_unknown_to_the_running_kernel() {
    let f = Fixture::new("spec");
    f.sysctl("kernel/osrelease", "5.10.0-28-amd64\n");
    f.sysctl("kernel/core_pattern", "/data/dump-a/core.%C.%p\n");
    f.mkdir("data/dump-a", 0o777);
    f.add(&f.pod());
    let r = f.examine(4242);
    assert_eq!(
        r.outcome,
        Some(Outcome::File {
            name: b"/data/dump-a/core..1".to_vec()
        })
    );
    assert!(
        has(&r, Severity::Warning, "%C is not known to kernel 5.10.0"),
        "{:#?}",
        r.findings
    );
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn hostname_of_another_uts_namespace() {
    let f = Fixture::new("uts");
    f.sysctl("kernel/core_pattern", "/data/dump-a/core.%h.%p\n");
    f.mkdir("data/dump-a", 0o777);
    f.add(&f.pod());
    let r = f.examine(4242);
    assert_eq!(r.process.other_uts_ns, Ok(true));
    assert!(r.notes.iter().any(|n| n.contains("%h")), "{:#?}", r.notes);
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn core_uses_pid_and_settings() {
    let f = Fixture::new("settings");
    f.sysctl("kernel/core_uses_pid", "1\n");
    f.sysctl("kernel/core_pipe_limit", "16\n");
    f.add(&Proc {
        cwd: Some(f.container()),
        ..Proc::default()
    });
    let r = f.examine(4242);
    assert!(r.settings.core_uses_pid);
    assert_eq!(r.settings.core_pipe_limit, 16);
    assert_eq!(r.sysctls.core_uses_pid, "1");
    assert_eq!(r.sysctls.core_pattern.as_deref(), Some(&b"core\n"[..]));
    assert_eq!(
        r.outcome,
        Some(Outcome::File {
            name: b"core.4242".to_vec()
        })
    );
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn process_without_exe_or_cwd() {
    let f = Fixture::new("noexe");
    f.sysctl("kernel/core_pattern", "core-%E\n");
    f.add(&Proc {
        exe: None,
        cwd: None,
        ..Proc::default()
    });
    let r = f.examine(4242);
    assert_eq!(r.process.exe, None);
    assert_eq!(
        r.outcome,
        Some(Outcome::File {
            name: b"core-myapp (path unknown)".to_vec()
        })
    );
    let d = directory(&r);
    assert_eq!(d.cwd, None);
    assert_eq!(d.state, PathState::Missing);
    assert!(r.notes.iter().any(|n| n.contains("exe")));
    assert!(r.notes.iter().any(|n| n.contains("cwd")));
    let _ = r.summary();
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn errors_name_the_file() {
    let f = Fixture::new("errors");
    let e = f.doctor().examine(Some(777)).expect_err("no such process");
    assert!(matches!(e, DoctorError::NoSuchProcess { pid: 777, .. }));
    assert!(e.to_string().contains("PID 777"), "{e}");

    f.add(&Proc {
        pid: 778,
        ..Proc::default()
    });
    fs::write(f.proc().join("778/limits"), "Limit Soft Hard\n").expect("write");
    let e = f.doctor().examine(Some(778)).expect_err("bad limits");
    assert!(matches!(e, DoctorError::Malformed { .. }));
    assert!(e.to_string().contains("778/limits"), "{e}");

    f.add(&Proc {
        pid: 779,
        ..Proc::default()
    });
    fs::write(f.proc().join("779/stat"), "779 (x) S").expect("write");
    let e = f.doctor().examine(Some(779)).expect_err("bad stat");
    assert!(e.to_string().contains("779/stat"), "{e}");

    f.sysctl("fs/suid_dumpable", "many\n");
    let e = f.doctor().examine(Some(779)).expect_err("bad sysctl");
    assert!(e.to_string().contains("suid_dumpable"), "{e}");

    fs::remove_file(f.proc().join("sys/kernel/core_pattern")).expect("rm");
    let e = f.doctor().examine(Some(779)).expect_err("no core_pattern");
    assert!(matches!(e, DoctorError::Read { .. }));
    assert!(e.to_string().contains("core_pattern"), "{e}");
}

// ---------------------------------------------------------------------------
// This machine

#[test]
#[cfg_attr(miri, ignore)]
fn live_machine() {
    let r = Doctor::inspect(None).unwrap_or_else(|e| panic!("doctor on this machine: {e}"));
    let pid = std::process::id();
    assert_eq!(r.process.pid, pid);
    assert_eq!(r.process.status.tgid, pid);
    assert!(r.outcome.is_some() || r.pattern.is_err());
    let s = r.summary();
    assert!(s.contains(&format!("PID {pid}")), "{s}");
    assert!(s.starts_with("The next core of PID"), "{s}");
}

#[test]
#[cfg_attr(miri, ignore)] // real files, symlinks and sockets
fn chrooted_process_is_looked_at_through_its_root() {
    let f = Fixture::new("chroot");
    f.sysctl("kernel/core_pattern", "/cores/core.%p\n");
    f.mkdir("cores", 0o777);
    f.add(&Proc {
        root: Some(f.container()),
        mountinfo: "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n",
        ..Proc::default()
    });
    let r = f.examine(4242);
    let d = directory(&r);
    assert!(d.through_proc);
    assert_eq!(d.looked_at, f.proc().join("4242/root/cores"));
    assert!(matches!(&d.state, PathState::Present(i) if i.kind == FileKind::Directory));
    assert_eq!(
        d.mount.as_ref().map(Mount::storage),
        Some(StorageKind::LocalDisk)
    );
    assert!(r.notes.iter().any(|n| n.contains("runs with its root at")));
    assert!(!r.has_errors(), "{:#?}", r.findings);
}

// ---------------------------------------------------------------------------
// What the kernel says: statfs(2) and faccessat(2)

/// The mount of `path` as this machine's own mountinfo shows it.
fn real_mount(path: &Path) -> Mount {
    let text = fs::read_to_string("/proc/self/mountinfo").expect("read mountinfo");
    let real = fs::canonicalize(path).expect("canonicalize");
    mount_for(&real, &parse_mountinfo(&text))
        .cloned()
        .expect("a mount for the path")
}

fn notes_contain(report: &DoctorReport, all: &[&str]) -> bool {
    report
        .notes
        .iter()
        .any(|n| all.iter().all(|text| n.contains(text)))
}

#[test]
#[cfg_attr(miri, ignore)] // real files and syscalls
fn statfs_stands_in_when_mountinfo_has_no_mount() {
    let f = Fixture::new("statfs");
    let cores = f.mkdir("cores", 0o700);
    f.sysctl(
        "kernel/core_pattern",
        &format!("{}/core.%p\n", cores.display()),
    );
    f.add(&Proc {
        mountinfo: "",
        ..Proc::default()
    });
    let r = f.examine(4242);
    let d = directory(&r);
    assert!(!d.through_proc);
    assert_eq!(d.looked_at, cores);
    let m = d.mount.as_ref().expect("a mount from statfs");
    let real = real_mount(&cores);
    assert_eq!(m.storage(), real.storage(), "{m:?} vs {real:?}");
    assert_eq!(m.read_only, real.read_only);
    assert_eq!(m.mount_point, cores);
    assert!(
        m.source.is_empty() && m.root.as_os_str().is_empty(),
        "{m:?}"
    );
    assert!(
        notes_contain(&r, &["mountinfo has no mount", "statfs(2)", "f_type 0x"]),
        "{:#?}",
        r.notes
    );
    let s = r.summary();
    assert!(
        s.contains("mount:     not in mountinfo; statfs(2): "),
        "{s}"
    );
}

#[test]
#[cfg_attr(miri, ignore)] // real files and syscalls
fn statfs_of_proc_is_procfs() {
    let f = Fixture::new("procfs");
    f.sysctl("kernel/core_pattern", "/proc/core.%p\n");
    f.add(&Proc {
        mountinfo: "",
        ..Proc::default()
    });
    let r = f.examine(4242);
    let d = directory(&r);
    assert_eq!(d.looked_at, Path::new("/proc"));
    let m = d.mount.as_ref().expect("a mount from statfs");
    assert_eq!(m.fstype, "proc");
    assert_eq!(m.storage(), StorageKind::Other("proc".into()));
    assert!(!m.read_only);
    assert!(
        notes_contain(&r, &["statfs(2) of /proc", "proc (f_type 0x9fa0)"]),
        "{:#?}",
        r.notes
    );
}

#[test]
#[cfg_attr(miri, ignore)] // real files and syscalls
fn statfs_disagreeing_with_mountinfo_is_a_note() {
    let f = Fixture::new("disagree");
    let cores = f.mkdir("cores", 0o777);
    f.sysctl(
        "kernel/core_pattern",
        &format!("{}/core.%p\n", cores.display()),
    );
    f.add(&Proc {
        mountinfo: "1 0 0:99 / / ro - nfs4 nas.example.com:/x ro\n",
        ..Proc::default()
    });
    let r = f.examine(4242);
    let d = directory(&r);
    let m = d.mount.as_ref().expect("mountinfo's mount");
    assert_eq!(m.fstype, "nfs4", "the check follows mountinfo");
    assert_eq!(d.writable, Some(false), "read-only in mountinfo");
    assert!(has(&r, Severity::Error, "read-only mount"));
    let real = real_mount(&cores);
    assert!(
        !real.read_only,
        "a temporary directory on a read-only mount"
    );
    assert!(
        notes_contain(
            &r,
            &[
                "mountinfo says the mount at / is read-only, but statfs(2) of",
                "says read-write"
            ]
        ),
        "{:#?}",
        r.notes
    );
    if real.storage() != StorageKind::Nfs {
        assert!(
            notes_contain(&r, &["mountinfo puts", "on nfs4", "but statfs(2) of"]),
            "{:#?}",
            r.notes
        );
    }
}

#[test]
#[cfg_attr(miri, ignore)] // real files and syscalls
fn own_user_asks_the_kernel_whether_it_may_write() {
    let f = Fixture::new("access");
    let open = f.mkdir("open", 0o700);
    let shut = f.mkdir("shut", 0o500);
    let root = f.owner() == 0;
    let asked = ["faccessat(2) with AT_EACCESS"];

    f.sysctl("kernel/core_pattern", &format!("{}/core\n", open.display()));
    f.add(&Proc::default());
    let r = f.examine(4242);
    assert_eq!(directory(&r).dumper_uid, f.owner());
    assert_eq!(directory(&r).writable, Some(true));
    assert!(notes_contain(&r, &asked), "{:#?}", r.notes);

    // Root may write anyway (CAP_DAC_OVERRIDE); anyone else may not.
    f.sysctl("kernel/core_pattern", &format!("{}/core\n", shut.display()));
    let r = f.examine(4242);
    assert_eq!(directory(&r).writable, Some(root));
    assert!(notes_contain(&r, &asked), "{:#?}", r.notes);
    assert_eq!(has(&r, Severity::Error, "cannot create files"), !root);

    // Another user: the doctor cannot ask for it, and reads the mode bits.
    let other = f.owner().wrapping_add(1);
    f.add(&Proc {
        pid: 4343,
        uid: Some(other),
        ..Proc::default()
    });
    f.sysctl("kernel/core_pattern", &format!("{}/core\n", open.display()));
    let r = f.examine(4343);
    assert_eq!(directory(&r).dumper_uid, other);
    assert_eq!(
        directory(&r).writable,
        Some(false),
        "mode 0700, another owner"
    );
    assert!(!notes_contain(&r, &asked), "{:#?}", r.notes);
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_auto<T: Send + Sync + Unpin>() {}
    assert_auto::<Doctor>();
    assert_auto::<DoctorError>();
    assert_auto::<DoctorReport>();
    assert_auto::<core_pattern::doctor::ProcessInfo>();
    assert_auto::<core_pattern::doctor::Sysctls>();
    assert_auto::<core_pattern::doctor::PatternError>();
    assert_auto::<core_pattern::doctor::DumpableGuess>();
    assert_auto::<core_pattern::doctor::ProcStatus>();
    assert_auto::<core_pattern::doctor::StatusIds>();
    assert_auto::<Mount>();
    assert_auto::<StorageKind>();
    assert_auto::<DestinationCheck>();
    assert_auto::<core_pattern::doctor::DirectoryCheck>();
    assert_auto::<core_pattern::doctor::HelperCheck>();
    assert_auto::<core_pattern::doctor::SocketPathCheck>();
    assert_auto::<PathState>();
    assert_auto::<core_pattern::doctor::FileInfo>();
    assert_auto::<FileKind>();
    assert_auto::<core_pattern::doctor::Finding>();
    assert_auto::<Severity>();
}
