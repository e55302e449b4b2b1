//! What `kernel.core_pattern` holds after a write, on three kernels. Run with
//! `cargo run --example sysctl_write`.

use core_pattern::{Errno, Feature, KernelProfile, write_sysctl};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // IBM core-dump-handler with a longer HOST_DIR and CORE_DIR: 131 bytes, silently cut.
    let ibm = b"|/var/mnt/core-dump-handler-production/cdc -c=%c -e=%e -p=%p -s=%s -t=%t -d=/var/mnt/core-dump-handler-production/cores -h=%h -E=%E";
    let w = write_sysctl(&KernelProfile::latest(), b"core", &[ibm], 0);
    assert_eq!(w.returns, [ibm.len() as i64]); // write(2) reports success
    assert_eq!(w.stored.len(), 127);
    assert_eq!(w.dropped, ibm.len() - 127);
    println!("stored {:?}", String::from_utf8_lossy(&w.stored));

    // A relative socket path: rejected on 6.18, accepted (and unreadable) on 6.16.12.
    let sock = b"@run/coredump.socket";
    let w = write_sysctl(&KernelProfile::parse("6.18.15")?, b"core", &[sock], 0);
    assert_eq!(
        (w.errno, w.stored.as_slice()),
        (Some(Errno::Einval), &b"core"[..])
    );
    let w = write_sysctl(&KernelProfile::parse("6.16.12")?, b"core", &[sock], 0);
    assert_eq!((w.errno, w.read_errno), (None, Some(Errno::Einval)));
    // Before 6.16 it is just a relative file name.
    let k61 = KernelProfile::parse("6.1.192")?.with_feature(Feature::SpecPidfd);
    let w = write_sysctl(&k61, b"core", &[sock], 0);
    assert_eq!((w.errno, w.stored.as_slice()), (None, &sock[..]));
    println!("@run/coredump.socket: EINVAL on 6.18, unreadable on 6.16.12, a file name on 6.1");
    Ok(())
}
