//! Any pattern, any name: matching never panics, counts agree with listing
//! for small results, and work stays bounded (libFuzzer's timeout catches a
//! hang).
#![no_main]

#[path = "common.rs"]
mod common;

use core_pattern::reverse::{MatchOptions, Target};
use core_pattern::{ParseOptions, Settings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    |input: (common::FuzzKernel, bool, u8, &[u8], Vec<Vec<u8>>)| {
        let (k, uses_pid, target, pattern, names) = input;
        let Ok(p) = ParseOptions::new().kernel(k.profile()).parse(pattern) else {
            return;
        };
        let settings = Settings::new().with_core_uses_pid(uses_pid);
        let target = match target % 3 {
            0 => Target::Path,
            1 => Target::Component,
            _ => Target::Argv,
        };
        let Ok(m) = p.matcher(
            &settings,
            MatchOptions::new().target(target).budget(100_000),
        ) else {
            return;
        };
        if target == Target::Argv {
            let argv: Vec<&[u8]> = names.iter().take(16).map(Vec::as_slice).collect();
            let r = m.match_argv(&argv);
            let listed = r.candidates(64).len() as u64;
            assert_eq!(listed, r.count().min(64));
        } else {
            for n in names.iter().take(4) {
                let r = m.match_name(n);
                let listed = r.candidates(64).len() as u64;
                if r.is_exact() {
                    assert_eq!(listed, r.count().min(64));
                }
                let _ = r.best();
            }
        }
    }
);
