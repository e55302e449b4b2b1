//! Expansion never panics; escaped values never contribute a `/`; pipe
//! arguments are never split inside an expansion; the buffer variant agrees.
#![no_main]

#[path = "common.rs"]
mod common;

use core_pattern::{ExpandError, Outcome, ParseOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (
    common::FuzzKernel,
    common::FuzzSettings,
    common::FuzzCrash,
    Vec<u8>,
    u16
)| {
    let (k, s, c, pattern, buf_len) = input;
    let kernel = k.profile();
    let Ok(p) = ParseOptions::new().kernel(kernel).parse(&pattern) else {
        return;
    };
    let (settings, crash) = (s.settings(), c.crash());
    // Expansion takes any crash, even one `check` refuses (it is total);
    // a refusal names a field whose value is outside the range it gives.
    if let Err(e) = crash.check_on(&kernel) {
        assert!(e.value() < e.min() || e.value() > e.max(), "{e}");
    }
    let out = p.expand(&settings, &crash);
    // One escaped field after a fixed directory: its value has no `/`.
    let plain = settings.with_core_uses_pid(false);
    for spec in [b'e', b'h', b'E', b'f'] {
        let probe = [b'/', b'd', b'/', b'%', spec];
        if let Ok(q) = ParseOptions::new().kernel(kernel).parse(probe) {
            if let Outcome::File { name } = q.expand(&plain, &crash) {
                assert!(
                    !name[3..].contains(&b'/'),
                    "escaped %{} gave a slash: {name:?}",
                    spec as char
                );
            }
        }
    }
    // Pipe: `%e %h` are two arguments whatever they hold (5.3+).
    if kernel.has(core_pattern::Feature::PipeSplitBeforeExpand) {
        let q = ParseOptions::new()
            .kernel(kernel)
            .parse("|/bin/h %e %h")
            .expect("parses");
        if let Outcome::Pipe { argv, .. } = q.expand(&settings, &crash) {
            assert_eq!(argv.len(), 3, "values are never split: {argv:?}");
        }
    }
    // The caller-buffer variant agrees with the allocating one.
    let mut buf = vec![0u8; usize::from(buf_len % 1024)];
    match (p.expand_file_name_into(&settings, &crash, &mut buf), &out) {
        (Ok(n), Outcome::File { name }) => assert_eq!(&buf[..n], name.as_slice()),
        (Err(ExpandError::BufferTooSmall { required }), Outcome::File { name }) => {
            assert_eq!(required, name.len());
            assert!(buf.len() < required);
        }
        (Err(ExpandError::BufferTooSmall { required }), Outcome::NoDump { .. }) => {
            // The name did not fit; the checks that need it did not run.
            assert!(buf.len() < required);
        }
        (Err(ExpandError::NoDump(r)), Outcome::NoDump { reason }) => assert_eq!(&r, reason),
        (Err(ExpandError::NotFileMode { .. }), o) => assert!(!matches!(o, Outcome::File { .. })),
        (r, o) => panic!("buffer variant {r:?} disagrees with {o:?}"),
    }
});
