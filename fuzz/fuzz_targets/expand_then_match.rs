//! The expansion's own values are among the candidates when matching it.
#![no_main]

#[path = "common.rs"]
mod common;

use core_pattern::reverse::{MatchOptions, Target};
use core_pattern::{
    CPU_MAX, CoreLimit, Crash, INVALID_ID, NSIG, Outcome, PID_MAX_LIMIT, ParseOptions,
    SUID_DUMP_ROOT, Signal,
};
use libfuzzer_sys::fuzz_target;

/// `c` with every number a kernel cannot produce brought into range, on a
/// kernel whose `RLIM_INFINITY` is `rlim_infinity`.
fn possible(c: Crash<'_>, rlim_infinity: u64) -> Crash<'_> {
    let pid = |v: u32| 1 + v % (PID_MAX_LIMIT - 1);
    let id = |v: u32| v.min(INVALID_ID - 1);
    let signal = match c.signal.number() {
        n @ 1..=NSIG => n,
        _ => Signal::SIGSEGV.number(),
    };
    let core_limit = match c.core_limit {
        CoreLimit::Bytes(b) => CoreLimit::Bytes(b.min(rlim_infinity)),
        CoreLimit::Unlimited => CoreLimit::Unlimited,
    };
    c.with_pid(pid(c.pid))
        .with_tid(pid(c.tid))
        .with_global_pid(pid(c.global_pid))
        .with_global_tid(pid(c.global_tid))
        .with_uid(id(c.uid))
        .with_gid(id(c.gid))
        .with_dumpable(c.dumpable % (SUID_DUMP_ROOT + 1))
        .with_signal(Signal::new(signal))
        .with_cpu(c.cpu & CPU_MAX)
        .with_core_limit(core_limit)
}

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
    let crash = possible(c.crash(), kernel.rlim_infinity());
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
