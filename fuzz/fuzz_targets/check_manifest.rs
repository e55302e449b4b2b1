//! Arbitrary bytes as YAML or JSON manifests: reading and checking never
//! panic; the patch generator never panics.
#![no_main]

use core_pattern::k8s::{
    CheckOptions, ManifestSet, PatchOptions, check, ephemeral_patch, try_check,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    if let Ok(set) = ManifestSet::parse("fuzz", &text) {
        let r = check(&set, &CheckOptions::default());
        let _ = r.to_json();
        let _ = try_check(&set, &CheckOptions::default());
        let _ = ephemeral_patch(&set, &PatchOptions::default());
    }
});
