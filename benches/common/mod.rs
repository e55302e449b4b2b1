//! Inputs shared by every bench file: the patterns people deploy and crash
//! contexts with realistic names.
#![allow(dead_code)]

use core_pattern::{CoreLimit, Crash, Signal};

/// The ACS pod annotation `alibabacloud.com/core-pattern`.
pub const ACS: &str = "/data/dump-a/core-%E-%p-%t";
/// systemd-coredump, current upstream (61 bytes).
pub const SYSTEMD: &str = "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F";
/// Ubuntu's apport (71 bytes).
pub const APPORT: &str = "|/usr/share/apport/apport -p%p -s%s -c%c -d%d -P%P -u%u -g%g -F%F -- %E";
/// IBM core-dump-handler's default (109 bytes).
pub const IBM: &str = "|/var/mnt/core-dump-handler/cdc -c=%c -e=%e -p=%p -s=%s -t=%t -d=/var/mnt/core-dump-handler/cores -h=%h -E=%E";
/// A socket pattern (6.16+).
pub const SOCKET: &str = "@/run/systemd/coredump";
/// A file pattern of exactly 127 bytes, the longest the sysctl stores.
pub const LONG127: &str = "/var/lib/containers/storage/crash-dumps/tenant-a/namespace-b/core.%h.%e.%E.%p.%P.%i.%I.%u.%g.%s.%t.%c.%d.%C.%f.%%.end-of-patter";

/// Every named pattern, for the per-pattern benches.
pub const PATTERNS: [(&str, &str); 6] = [
    ("acs", ACS),
    ("systemd", SYSTEMD),
    ("apport", APPORT),
    ("ibm-109", IBM),
    ("socket", SOCKET),
    ("long-127", LONG127),
];

/// A crash inside a container: a Java service's JVM, PID 1 in its pid
/// namespace, with the pod's hostname.
pub fn container_crash() -> Crash<'static> {
    Crash::new(0)
        .with_pid(1)
        .with_tid(27)
        .with_global_pid(481_516)
        .with_global_tid(481_542)
        .with_uid(1000)
        .with_gid(1000)
        .with_dumpable(1)
        .with_signal(Signal::SIGSEGV)
        .with_time(1_795_823_960)
        .with_hostname(b"payments-api-7d9c8b6f4-x2lqp")
        .with_comm(b"java")
        .with_exe(Some(b"/usr/lib/jvm/java-17-openjdk-amd64/bin/java"))
        .with_cpu(1)
        .with_core_limit(CoreLimit::Unlimited)
}

/// A crash on a host: a C++ server with a dash in its name.
pub fn host_crash() -> Crash<'static> {
    Crash::new(0)
        .with_pid(23_817)
        .with_tid(23_830)
        .with_global_pid(23_817)
        .with_global_tid(23_830)
        .with_uid(0)
        .with_gid(0)
        .with_dumpable(1)
        .with_signal(Signal::SIGABRT)
        .with_time(1_795_823_961)
        .with_hostname(b"node-12.prod")
        .with_comm(b"envoy-worker")
        .with_exe(Some(b"/opt/envoy/bin/envoy-static"))
        .with_cpu(0)
        .with_core_limit(CoreLimit::Bytes(1 << 30))
}

/// ABRT's ccpp hook (Fedora, RHEL), as `abrt-ccpp.service` installs it.
pub const ABRT: &str = "|/usr/libexec/abrt-hook-ccpp %s %c %p %u %g %t %e %P %I %h";

/// The argv systemd-coredump gets for [`SYSTEMD`] (`%P %u %g %s %t %c %h
/// %d %F`), with `hostname` as `%h`.
pub fn systemd_argv(hostname: &[u8]) -> [&[u8]; 10] {
    [
        b"/usr/lib/systemd/systemd-coredump",
        b"51234",
        b"1000",
        b"1000",
        b"11",
        b"1700000000",
        b"18446744073709551615",
        hostname,
        b"1",
        b"3",
    ]
}
