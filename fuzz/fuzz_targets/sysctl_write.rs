//! The sysctl write model: stored values are what the kernel can hold, and
//! every write returns its length or -1.
#![no_main]

#[path = "common.rs"]
mod common;

use core_pattern::{Pattern, write_sysctl};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (common::FuzzKernel, Vec<u8>, Vec<Vec<u8>>, u8)| {
    let (k, previous, chunks, suid) = input;
    let chunks: Vec<&[u8]> = chunks.iter().take(8).map(Vec::as_slice).collect();
    let w = write_sysctl(&k.profile(), &previous, &chunks, suid % 3);
    assert!(w.stored.len() <= 127);
    assert!(!w.stored.contains(&b'\n') && !w.stored.contains(&0));
    assert_eq!(w.returns.len(), chunks.len());
    for (r, c) in w.returns.iter().zip(&chunks) {
        assert!(*r == -1 || *r == c.len() as i64);
    }
    Pattern::parse(&w.stored).expect("a stored value always parses");
});
