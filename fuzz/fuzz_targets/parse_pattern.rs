//! Any bytes, for any kernel: parsing never panics; tokens cover every byte
//! in order; errors point inside the input.
#![no_main]

#[path = "common.rs"]
mod common;

use core_pattern::{ParseOptions, Pattern};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (common::FuzzKernel, &[u8])| {
    let (k, bytes) = input;
    let opts = ParseOptions::new().kernel(k.profile()).max_len(4096);
    match opts.parse(bytes) {
        Ok(p) => {
            let mut pos = 0u32;
            for t in p.tokens() {
                assert_eq!(t.span.start, pos, "tokens are contiguous");
                assert!(t.span.end > t.span.start || bytes.is_empty());
                pos = t.span.end;
            }
            assert_eq!(pos as usize, bytes.len(), "tokens cover the input");
            let _ = p.pipe_arguments();
            let _ = format!("{p} {p:?} {p:#?}");
        }
        Err(e) => {
            assert!((e.span().end as usize) <= bytes.len());
            let _ = e.render(bytes);
        }
    }
    let _ = Pattern::parse(bytes);
});
