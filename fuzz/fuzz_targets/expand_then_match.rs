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
    let (settings, crash) = (s.settings(), c.crash());
    // Only crashes a kernel can have: the matcher reads fields as the kernel
    // writes them (PIDs 1..=PID_MAX_LIMIT, dump mode 0-2, signals 1..=64,
    // a core limit no larger than RLIM_INFINITY).
    let pid_ok = |p: u32| (1..=4_194_304).contains(&p);
    let limit_ok = match crash.core_limit {
        core_pattern::CoreLimit::Bytes(b) => b <= kernel.rlim_infinity(),
        core_pattern::CoreLimit::Unlimited => true,
    };
    if ![crash.pid, crash.tid, crash.global_pid, crash.global_tid]
        .into_iter()
        .all(pid_ok)
        || crash.dumpable > 2
        || !(1..=64).contains(&crash.signal.number())
        || !limit_ok
    {
        return;
    }
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
