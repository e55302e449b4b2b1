//! Every vector observed on real kernels (`tests/data/vectors/`, see
//! FORMAT.md there) through the same driver `corepat conform` uses, compared
//! with the observation the way `compare.py` does.

#[path = "../src/bin/corepat/json.rs"]
#[allow(dead_code)]
mod json;

use serde_json::Value;

const VECTORS: &str = include_str!("data/vectors/kernel-observed.jsonl");
/// Recorded by `conformance/run.py --kernels all` (the project's own harness).
const HARNESS: &str = include_str!("data/vectors/harness-observed.jsonl");

fn bytes(v: Option<&Value>) -> Option<Vec<u8>> {
    v.map(|v| json::json_to_bytes(v).expect("byte string"))
}

/// The differences between an expectation and a result, as compare.py sees them.
fn differences(vec: &Value, res: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    let exp = &vec["expect"];
    if let Some(ew) = exp.get("write") {
        let rw = &res["write"];
        if ew.get("returns").is_some() && rw.get("returns") != ew.get("returns") {
            errs.push(format!(
                "write.returns {} != {}",
                rw["returns"], ew["returns"]
            ));
        }
        if rw.get("errno") != ew.get("errno") {
            errs.push(format!("write.errno {} != {}", rw["errno"], ew["errno"]));
        }
        if ew.get("stored").is_some() && bytes(rw.get("stored")) != bytes(ew.get("stored")) {
            errs.push(format!("write.stored {} != {}", rw["stored"], ew["stored"]));
        }
        if ew.get("read_errno").is_some() && rw.get("read_errno") != ew.get("read_errno") {
            errs.push(format!(
                "write.read_errno {} != {}",
                rw["read_errno"], ew["read_errno"]
            ));
        }
    }
    if let Some(ed) = exp.get("dump") {
        let rd = &res["dump"];
        let kind = ed["kind"].as_str().unwrap();
        if rd["kind"].as_str() != Some(kind) {
            errs.push(format!("dump.kind {} != {kind} ({rd})", rd["kind"]));
        } else if kind == "file" || kind == "socket" {
            if bytes(rd.get("path")) != bytes(ed.get("path")) {
                errs.push(format!("dump.path {} != {}", rd["path"], ed["path"]));
            }
            if kind == "socket" && rd["request"].as_bool() != ed["request"].as_bool() {
                errs.push("dump.request differs".into());
            }
        } else if kind == "pipe" {
            let argv = |d: &Value| -> Vec<Vec<u8>> {
                d["argv"]
                    .as_array()
                    .map(|a| a.iter().map(|x| bytes(Some(x)).unwrap()).collect())
                    .unwrap_or_default()
            };
            if argv(rd) != argv(ed) {
                errs.push(format!("dump.argv {} != {}", rd["argv"], ed["argv"]));
            }
            if ed.get("pidfd").is_some() && rd["pidfd"].as_bool() != ed["pidfd"].as_bool() {
                errs.push(format!("dump.pidfd {} != {}", rd["pidfd"], ed["pidfd"]));
            }
        }
    }
    errs
}

#[test]
#[cfg_attr(miri, ignore)]
fn every_real_kernel_vector_passes() {
    assert_eq!(
        run_all(VECTORS),
        522,
        "the public vector set has 522 vectors"
    );
}

/// The vectors the harness recorded: 201 cases on each of six kernels.
#[test]
#[cfg_attr(miri, ignore)]
fn every_harness_vector_passes() {
    assert_eq!(run_all(HARNESS), 1206);
}

/// Runs every vector of `set`; panics with the differences; returns how many.
fn run_all(set: &str) -> usize {
    let mut total = 0;
    let mut failures = Vec::new();
    for line in set.lines().filter(|l| !l.trim().is_empty()) {
        let vec: Value = serde_json::from_str(line).expect("vector is JSON");
        let res = json::conform_one(&vec).unwrap_or_else(|e| panic!("{}: {e}", vec["id"]));
        assert_eq!(res["id"], vec["id"]);
        total += 1;
        let errs = differences(&vec, &res);
        if !errs.is_empty() {
            failures.push(format!(
                "{} [{}]: {}",
                vec["id"],
                vec["desc"],
                errs.join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    total
}

#[test]
#[cfg_attr(miri, ignore)]
fn no_dump_results_carry_a_reason() {
    for line in VECTORS.lines().filter(|l| !l.trim().is_empty()) {
        let vec: Value = serde_json::from_str(line).unwrap();
        let res = json::conform_one(&vec).unwrap();
        if res["dump"]["kind"] == "none" {
            let reason = res["dump"]["reason"].as_str().unwrap_or("");
            assert!(!reason.is_empty(), "{}: none without a reason", vec["id"]);
        }
    }
}

/// The reasons the driver gives for the observed no-dump cases are the
/// right ones (the comparison itself does not look at them).
#[test]
#[cfg_attr(miri, ignore)]
fn no_dump_reasons_match_the_cases() {
    let want = [
        ("pipe-only-bar", "empty-pipe"),
        ("write-newline-only", "empty-name"),
        ("setuid-exe-suid2-rel", "suid-needs-absolute"),
        ("setuid-call-no-dump", "not-dumpable"),
        ("dumpable-0", "not-dumpable"),
        ("rlimit-0-file", "core-limit-below-page"),
        ("rlimit-4095-file", "core-limit-below-page"),
        ("sig-term", "signal-not-core"),
    ];
    for line in VECTORS.lines().filter(|l| !l.trim().is_empty()) {
        let vec: Value = serde_json::from_str(line).unwrap();
        let id = vec["id"].as_str().unwrap();
        let case = id.split('@').next().unwrap();
        if let Some((_, reason)) = want.iter().find(|(c, _)| *c == case) {
            let res = json::conform_one(&vec).unwrap();
            assert_eq!(res["dump"]["reason"], *reason, "{id}");
        }
        if id.starts_with("sock-relative@6.16") || id.starts_with("sock-req@6.16") {
            let res = json::conform_one(&vec).unwrap();
            assert_eq!(res["dump"]["reason"], "socket-invalid", "{id}");
        }
    }
}
