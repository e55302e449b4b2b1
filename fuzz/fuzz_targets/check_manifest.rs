//! Arbitrary bytes as YAML or JSON manifests: reading and checking never
//! panic; the patch generator never panics; a set never holds more than
//! its alias expansion budget. (`manifest_stream` reads several inputs
//! into one set.)
#![no_main]

use core_pattern::k8s::{
    CheckOptions, MAX_EXPANDED_SIZE, ManifestSet, PatchOptions, check, ephemeral_patch, try_check,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    if let Ok(set) = ManifestSet::parse("fuzz", &text) {
        assert!(set.expanded_size() <= MAX_EXPANDED_SIZE);
        let r = check(&set, &CheckOptions::default());
        let _ = r.to_json();
        let _ = try_check(&set, &CheckOptions::default());
        let _ = ephemeral_patch(&set, &PatchOptions::default());
    }
});
