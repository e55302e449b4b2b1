//! Several manifest inputs read into one set, as `corepat check-manifest
//! a.yaml b.yaml ...` does: YAML streams (directives, `---`, `...`),
//! concatenated JSON objects and `kind: List`, all sharing one alias
//! expansion budget.
//!
//! Input: a control byte, then the inputs separated by 0xFF (a byte no
//! UTF-8 text holds). The control byte's low five bits repeat the list of
//! inputs up to 32 times, so a few kilobytes of aliases can reach the
//! set's budget.
//!
//! Checked: reading never panics; the set never holds more than
//! `MAX_EXPANDED_SIZE`, and holds at least what its documents take; the
//! budget is exact and additive: a set of several inputs holds the sum of
//! what each holds alone, and fails on the budget exactly at the input
//! whose sum crosses it; checking and patching the set never panic.
#![no_main]

use core_pattern::k8s::{
    CheckOptions, MAX_EXPANDED_SIZE, ManifestError, ManifestSet, PatchOptions, check,
    ephemeral_patch, try_check,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// What the budget counts for one value: one, plus the bytes of every
/// string and key.
fn size(v: &Value) -> usize {
    let mut total = 0;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        total += 1;
        match v {
            Value::String(s) => total += s.len(),
            Value::Array(a) => stack.extend(a),
            Value::Object(m) => {
                for (k, v) in m {
                    total += k.len();
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
    total
}

fuzz_target!(|bytes: &[u8]| {
    let Some((&control, body)) = bytes.split_first() else {
        return;
    };
    let repeat = usize::from(control & 31) + 1;
    let inputs: Vec<String> = body
        .split(|&b| b == 0xFF)
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .collect();
    // Each input on its own: its size, or why it is refused.
    let alone: Vec<Result<usize, ManifestError>> = inputs
        .iter()
        .map(|text| ManifestSet::parse("alone", text).map(|s| s.expanded_size()))
        .collect();
    let mut set = ManifestSet::default();
    let mut expected = 0usize;
    'inputs: for _ in 0..repeat {
        for (i, text) in inputs.iter().enumerate() {
            let name = format!("input{i}");
            let before = set.expanded_size();
            let added = set.add(&name, text);
            assert!(set.expanded_size() <= MAX_EXPANDED_SIZE);
            match (&alone[i], added) {
                (Ok(size), Ok(())) => {
                    expected += size;
                    assert_eq!(set.expanded_size(), expected, "sizes add up");
                }
                (Ok(size), Err(ManifestError::ExpansionTooLarge { source_name, .. })) => {
                    assert_eq!(source_name, name);
                    assert!(
                        before + size > MAX_EXPANDED_SIZE,
                        "fails only over the budget"
                    );
                    assert_eq!(set.expanded_size(), before, "a failed input adds nothing");
                    break 'inputs;
                }
                (Ok(_), Err(ManifestError::TooLarge { .. })) => break 'inputs, // MAX_DOCUMENTS
                (Ok(_), Err(e)) => panic!("{name} reads alone but not in the set: {e}"),
                (Err(_), Ok(())) => panic!("{name} reads in the set but not alone"),
                (Err(_), Err(_)) => break 'inputs,
            }
        }
    }
    let docs: usize = set.documents().iter().map(|d| size(&d.value)).sum();
    assert!(docs <= set.expanded_size());
    let r = check(&set, &CheckOptions::default());
    let _ = r.to_json();
    let _ = try_check(&set, &CheckOptions::default());
    let _ = ephemeral_patch(&set, &PatchOptions::default());
});
