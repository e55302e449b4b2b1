//! The expansion's own values are among the candidates when matching it.
#![no_main]

#[path = "common.rs"]
mod common;

use core_pattern::reverse::{MatchOptions, Target};
use core_pattern::{Outcome, ParseOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (
    common::FuzzKernel,
    common::FuzzSettings,
    common::FuzzCrash,
    &[u8]
)| {
    let (k, s, c, pattern) = input;
    let kernel = k.profile();
    let Ok(p) = ParseOptions::new().kernel(kernel).parse(pattern) else {
        return;
    };
    // Only crashes a kernel can have (`Crash::check_on`): the matcher reads
    // fields as the kernel writes them. Impossible values are brought into
    // range rather than skipped, so that every input runs.
    let settings = s.settings();
    let crash = common::possible(c.crash(), kernel.rlim_infinity());
    assert_eq!(crash.check_on(&kernel), Ok(()));
    match p.expand(&settings, &crash) {
        Outcome::File { name } => {
            let m = p
                .matcher(
                    &settings,
                    MatchOptions::new().target(Target::Path).budget(200_000),
                )
                .expect("a file pattern compiles");
            let r = m.match_name(&name);
            if r.is_exact() {
                assert!(
                    r.is_match(),
                    "the expansion {name:?} of {p:?} does not match"
                );
            }
        }
        Outcome::Pipe { argv, .. } => {
            if let Ok(m) = p.matcher(&settings, MatchOptions::new().budget(200_000)) {
                let args: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
                let r = m.match_argv(&args);
                if r.is_exact() {
                    assert!(r.is_match(), "the argv {argv:?} of {p:?} does not match");
                }
            }
        }
        _ => {}
    }
});
