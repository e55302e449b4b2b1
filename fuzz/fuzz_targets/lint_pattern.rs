//! Lints never panic, spans stay inside the input, and handler fingerprints
//! never panic.
#![no_main]

#[path = "common.rs"]
mod common;

use core_pattern::lint;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (common::FuzzKernel, common::FuzzSettings, &[u8])| {
    let (k, s, bytes) = input;
    let r = lint::check(bytes, &k.profile(), &s.settings());
    for l in r.lints() {
        assert!(l.span().start <= l.span().end);
        assert!((l.span().end as usize) <= bytes.len(), "{l}");
        let _ = l.render(bytes);
    }
    let _ = r.render();
    let _ = r.pattern().lints(&s.settings());
});
