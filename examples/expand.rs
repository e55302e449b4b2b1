//! Expand the ACS annotation's pattern for a crash inside a container, into
//! an allocated name and into a caller buffer. Run with
//! `cargo run --example expand`.

use core_pattern::{Crash, ExpandError, NoDumpReason, Outcome, Pattern, Settings};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // alibabacloud.com/core-pattern: "/data/dump-a/core-%E-%p-%t"
    let pattern = Pattern::parse("/data/dump-a/core-%E-%p-%t")?;
    let settings = Settings::default();
    // PID 1 inside the container, a path with a space, and a dash in the name.
    let crash = Crash::example()
        .with_pid(1)
        .with_exe(Some(b"/opt/my app/my-server"));

    let outcome = pattern.expand(&settings, &crash);
    let want = b"/data/dump-a/core-!opt!my app!my-server-1-1700000000";
    assert_eq!(
        outcome,
        Outcome::File {
            name: want.to_vec()
        }
    );
    println!("{}", String::from_utf8_lossy(want));

    // The same without allocating: ask for the length first if unsure.
    let mut buf = [0u8; 16];
    let needed = match pattern.expand_file_name_into(&settings, &crash, &mut buf) {
        Err(ExpandError::BufferTooSmall { required }) => required,
        other => panic!("expected a short buffer, got {other:?}"),
    };
    let mut buf = vec![0u8; needed];
    let n = pattern.expand_file_name_into(&settings, &crash, &mut buf)?;
    assert_eq!(&buf[..n], want);

    // A binary deep enough pushes the %E component past 255 bytes: no core.
    let deep = format!("/{}/app", "d".repeat(260));
    let crash = crash.with_exe(Some(deep.as_bytes()));
    let outcome = pattern.expand(&settings, &crash);
    assert!(matches!(
        outcome.no_dump_reason(),
        Some(NoDumpReason::NameTooLong { .. })
    ));
    println!("deep binary: {}", outcome.no_dump_reason().unwrap());
    Ok(())
}
