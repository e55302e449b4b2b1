//! The alias expansion budget of a `ManifestSet` ([`MAX_EXPANDED_SIZE`]):
//! one budget for every document of a stream and every input added to the
//! set, YAML and JSON alike.
//!
//! - A stream of documents that each alias one 16 KB scalar 4,000 times
//!   (with dummy anchors to pass the parser's alias/anchor ratio check) is
//!   `ManifestError::ExpansionTooLarge` at the document that crosses the
//!   budget, not an allocation failure.
//! - Documents that each fit but together do not, and inputs that each fit
//!   but together do not, fail at the exact document that crosses it.
//! - A 1,000-document stream with ordinary anchors and aliases parses, and
//!   what the budget counts is exact: one per value, plus the bytes of
//!   every string and key.
//! - Values are built as `serde_saphyr::from_str::<Value>` builds them.
//! - `corepat check-manifest` with several files and `cpat_check_manifest`
//!   report it too.
#![cfg(feature = "k8s")]

use core_pattern::k8s::{
    CheckOptions, MAX_EXPANDED_SIZE, MAX_MANIFEST_BYTES, ManifestError, ManifestSet, check,
};
use serde_json::{Value, json};
use std::fmt::Write as _;

/// One document of the issue's reproducer: a `scalar`-byte anchored
/// scalar, `aliases` aliases to it, and one dummy anchor per ten aliases
/// (the parser refuses more than ten aliases per anchor).
fn alias_document(scalar: usize, aliases: usize) -> String {
    let mut doc = String::from("kind: ConfigMap\nmetadata: {name: bomb}\n");
    let _ = writeln!(doc, "big: &a \"{}\"", "x".repeat(scalar));
    let dummies: Vec<String> = (0..aliases / 10).map(|i| format!("&d{i} 0")).collect();
    let _ = writeln!(doc, "dummies: [{}]", dummies.join(", "));
    let _ = writeln!(doc, "l: [{}]", vec!["*a"; aliases].join(","));
    doc
}

/// `doc` repeated, separated by `---`, up to about `bytes`.
fn stream_of(doc: &str, bytes: usize) -> String {
    let n = (bytes / (doc.len() + 4)).max(1);
    vec![doc; n].join("---\n")
}

/// What the budget counts for one value.
fn size(v: &Value) -> usize {
    1 + match v {
        Value::String(s) => s.len(),
        Value::Array(a) => a.iter().map(size).sum(),
        Value::Object(m) => m.iter().map(|(k, v)| k.len() + size(v)).sum(),
        _ => 0,
    }
}

fn expect_budget_error(e: &ManifestError, source: &str, doc: usize) {
    let ManifestError::ExpansionTooLarge {
        source_name,
        document,
        limit,
        ..
    } = e
    else {
        panic!("not ExpansionTooLarge: {e:?}");
    };
    assert_eq!(
        (source_name.as_str(), *document, *limit),
        (source, doc, MAX_EXPANDED_SIZE)
    );
    assert_eq!(e.code(), 402);
    let msg = e.to_string();
    assert!(
        msg.starts_with(&format!(
            "{source}: document {doc}: over the alias expansion budget for the whole input"
        )),
        "{msg}"
    );
    assert!(
        msg.contains("write out the content that aliases (*name) repeat"),
        "{msg}"
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn the_issue_reproducer_is_a_typed_error() {
    // 16 KB scalar, 400 dummy anchors, 4,000 aliases: about 31 KB a
    // document, 64 MB once expanded; repeated up to 2 MB of input. The
    // first document alone is over the budget.
    let doc = alias_document(16 * 1024, 4000);
    assert!((30_000..33_000).contains(&doc.len()), "{}", doc.len());
    let text = stream_of(&doc, 2_000_000);
    assert!(text.len() > 1_900_000 && text.matches("\n---\n").count() > 60);
    let e = ManifestSet::parse("bomb.yaml", &text).unwrap_err();
    expect_budget_error(&e, "bomb.yaml", 1);
}

#[test]
#[cfg_attr(miri, ignore)]
fn the_budget_covers_the_whole_stream() {
    // Each document expands to about 4 MB and fits on its own; the stream
    // fails at the document that takes the total past the budget.
    let doc = alias_document(16 * 1024, 250);
    let one = ManifestSet::parse("one.yaml", &doc).unwrap();
    let per_doc = one.expanded_size();
    assert_eq!(per_doc, size(&one.documents()[0].value));
    assert!(
        per_doc > 4_000_000 && per_doc < MAX_EXPANDED_SIZE / 4,
        "{per_doc}"
    );
    let fits = MAX_EXPANDED_SIZE / per_doc;
    let at_limit = vec![doc.as_str(); fits].join("---\n");
    let set = ManifestSet::parse("fits.yaml", &at_limit).unwrap();
    assert_eq!(set.documents().len(), fits);
    assert_eq!(set.expanded_size(), fits * per_doc);
    let over = vec![doc.as_str(); fits + 3].join("---\n");
    let e = ManifestSet::parse("over.yaml", &over).unwrap_err();
    expect_budget_error(&e, "over.yaml", fits + 1);
}

#[test]
#[cfg_attr(miri, ignore)]
fn the_budget_covers_every_input_of_a_set() {
    // What `corepat check-manifest a.yaml b.yaml ...` does: one set.
    let doc = alias_document(16 * 1024, 250);
    let per_doc = ManifestSet::parse("one.yaml", &doc)
        .unwrap()
        .expanded_size();
    let three = [doc.as_str(); 3].join("---\n");
    let mut set = ManifestSet::default();
    let mut added = 0;
    let e = loop {
        match set.add(&format!("in{added}.yaml"), &three) {
            Ok(()) => added += 1,
            Err(e) => break e,
        }
    };
    // Every input fits alone; the one that crosses fails at its document.
    let fits = MAX_EXPANDED_SIZE / per_doc;
    assert_eq!(added, fits / 3);
    expect_budget_error(&e, &format!("in{added}.yaml"), fits % 3 + 1);
    assert_eq!(set.expanded_size(), added * 3 * per_doc);
    // The set keeps what it read and still checks.
    assert_eq!(set.documents().len(), added * 3);
    let _ = check(&set, &CheckOptions::default());
}

#[test]
#[cfg_attr(miri, ignore)]
fn json_streams_count_against_the_same_budget() {
    // JSON has no aliases, but a set of JSON inputs shares the budget:
    // concatenated objects, each with a 1 MiB string, in inputs of 8 MiB.
    let object = |i: usize| {
        format!(
            "{{\"kind\": \"ConfigMap\", \"metadata\": {{\"name\": \"c{i}\"}}, \"data\": {{\"k\": \"{}\"}}}}\n",
            "y".repeat(1 << 20)
        )
    };
    let input: String = (0..8).map(object).collect();
    assert!(input.len() < MAX_MANIFEST_BYTES);
    let one = ManifestSet::parse("one.json", &object(0)).unwrap();
    let per_object = one.expanded_size();
    assert_eq!(per_object, size(&one.documents()[0].value));
    // 1 + kind 4 + (1 + 9) + metadata 8 + (1 + name 4 + (1 + 2)) + data 4 + (1 + k 1 + (1 + 2^20))
    assert_eq!(
        per_object,
        1 + 4 + 10 + 8 + 1 + 4 + 3 + 4 + 1 + 1 + 1 + (1 << 20)
    );
    let mut set = ManifestSet::default();
    set.add("a.json", &input).unwrap();
    set.add("b.json", &input).unwrap();
    set.add("c.json", &input).unwrap();
    assert_eq!(set.expanded_size(), 24 * per_object);
    let e = set.add("d.json", &input).unwrap_err();
    let fits = MAX_EXPANDED_SIZE / per_object;
    expect_budget_error(&e, "d.json", fits - 24 + 1);
    // The same object as YAML costs the same.
    let yaml = format!(
        "kind: ConfigMap\nmetadata: {{name: c0}}\ndata:\n  k: {}\n",
        "y".repeat(1 << 20)
    );
    assert_eq!(
        ManifestSet::parse("c.yaml", &yaml).unwrap().expanded_size(),
        per_object
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_json_look_alike_read_as_yaml_counts_once() {
    // Not JSON (a comment), read as YAML: the JSON attempt's charges are
    // dropped, the YAML document is charged.
    let text = "{\"kind\": \"ConfigMap\", # a comment\n \"metadata\": {\"name\": \"a\"}}\n";
    let set = ManifestSet::parse("c.json", text).unwrap();
    assert!(set.documents()[0].invalid_json.is_some());
    assert_eq!(set.expanded_size(), size(&set.documents()[0].value));
    assert_eq!(set.expanded_size(), 1 + 4 + 10 + 8 + 1 + 4 + 2);
}

/// A realistic stream: Deployments whose containers share resources and
/// environment through anchors, as Helm output and hand-written stacks do.
fn anchored_stream(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        if i > 0 {
            out.push_str("---\n");
        }
        let _ = write!(
            out,
            r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i:04}
  namespace: team-{ns}
  labels: &labels
    app: svc-{i:04}
    tier: backend
spec:
  replicas: 2
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels: *labels
      annotations:
        alibabacloud.com/core-pattern: "/cores/core.%e.%h.%p.%t"
    spec:
      containers:
        - name: main
          image: registry.example.com/svc-{i:04}:1.{i}
          resources: &res
            limits: {{memory: 512Mi, ephemeral-storage: 2Gi}}
            requests: {{memory: 256Mi, cpu: 250m}}
          env: &env
            - {{name: LOG_LEVEL, value: info}}
            - {{name: CORE_DIR, value: /cores}}
          volumeMounts: &mounts
            - {{name: cores, mountPath: /cores}}
        - name: sidecar
          image: registry.example.com/proxy:2.3
          resources: *res
          env: *env
          volumeMounts: *mounts
      volumes:
        - name: cores
          emptyDir: {{}}
"#,
            ns = i % 7
        );
    }
    out
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_legitimate_anchored_stream_of_1000_documents_parses() {
    let text = anchored_stream(1000);
    let set = ManifestSet::parse("stack.yaml", &text).unwrap();
    assert_eq!(set.documents().len(), 1000);
    let d = &set.documents()[999].value;
    assert_eq!(
        d["spec"]["selector"]["matchLabels"],
        json!({"app": "svc-0999", "tier": "backend"})
    );
    let containers = d["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    assert_eq!(containers[1]["resources"], containers[0]["resources"]);
    assert_eq!(
        containers[1]["env"][1],
        json!({"name": "CORE_DIR", "value": "/cores"})
    );
    assert_eq!(
        containers[1]["volumeMounts"],
        json!([{"name": "cores", "mountPath": "/cores"}])
    );
    // Exactly what the documents hold, aliases expanded; here less than
    // the text itself (indentation and punctuation are not counted).
    let total: usize = set.documents().iter().map(|d| size(&d.value)).sum();
    assert_eq!(set.expanded_size(), total);
    assert!(total < text.len(), "{total} vs {}", text.len());
    // The checker sees every document.
    let report = check(&set, &CheckOptions::default());
    assert!(!report.has_errors(), "{:?}", report.findings.first());
}

#[test]
fn what_the_budget_counts() {
    for (text, expected) in [
        // map 1 + "a" 1 + value 1 + "b" 1
        ("{a: b}", 4),
        // an empty document is one null: here one before the mapping
        ("---\n---\n{}\n", 2),
        // map, key `kind` 4, "List" 1 + 4, key `items` 5, list 1, two
        // objects 1 each
        ("kind: List\nitems: [{}, {}]\n", 1 + 4 + 5 + 5 + 1 + 1 + 1),
        // an alias counts what it stands for, each time
        ("a: &x [1, 2]\nb: *x\nc: *x\n", 1 + 3 * (1 + 3)),
        // numbers, booleans and nulls are one each
        ("{n: 12345, t: true, z: ~}", 1 + 3 * 2),
    ] {
        let set = ManifestSet::parse("t.yaml", text).unwrap();
        assert_eq!(set.expanded_size(), expected, "{text}");
    }
}

#[test]
fn values_are_built_as_the_yaml_parser_builds_them() {
    // Keys that are not strings, numbers at the edges of i64/u64, floats
    // that JSON cannot hold, merge keys, nested aliases, tags.
    for doc in [
        "1: a\ntrue: b\n1.5: d\n",
        "~: c\n",
        "a: 18446744073709551615\nb: -9223372036854775808\nc: 18446744073709551616\n",
        "a: .inf\n",
        "d: 1e300\ne: 0x1F\nf: 0o17\ng: 1_000\nh: 0.5\n",
        "base: &b {x: 1, y: [2, 3]}\nd:\n  <<: *b\n  y: 4\n",
        "a: &a [1, &b {c: 2}]\nb: [*a, *b, *a]\n",
        "a: !!str 12\nb: !!binary aGVsbG8=\nc: !custom x\n",
        "a: |\n  text\n  more\nb: >-\n  folded\n  line\n",
        "a: \"\\u00e9\\t\\x41\"\nb: 'it''s'\n",
        "[1, 2]: x\n",
        "{a: 1, a: 2}\n",
        "a: *undefined\n",
        "- just\n- a list\n",
        "\"key\": {\"json\": [1, 2.5, null, false]}\n",
    ] {
        let expected = serde_saphyr::from_str::<Value>(doc);
        let got = ManifestSet::parse("t.yaml", doc);
        match (&expected, &got) {
            (Ok(v), Ok(set)) => {
                assert_eq!(set.documents().len(), 1, "{doc}");
                assert_eq!(&set.documents()[0].value, v, "{doc}");
            }
            (Ok(Value::Array(_)), Err(ManifestError::Field { path, .. })) => {
                assert_eq!(path, "(document)", "{doc}");
            }
            (Err(_), Err(ManifestError::Syntax { .. })) => {}
            _ => panic!("{doc}: saphyr {expected:?}, set {got:?}"),
        }
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn the_fuzz_regression_input_fails_at_its_second_document() {
    // Two documents of about 20 KB that each expand to about 18 MB: within
    // a per-document budget, over the set's at document 2.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fuzz/testdata/check_manifest-alias-budget-stream.yaml"
    ))
    .unwrap();
    assert!(text.len() < 48 * 1024);
    let first = text.split("---\n").next().unwrap();
    let one = ManifestSet::parse("first.yaml", first).unwrap();
    assert!(one.expanded_size() > MAX_EXPANDED_SIZE / 2);
    let e = ManifestSet::parse("t.yaml", &text).unwrap_err();
    expect_budget_error(&e, "t.yaml", 2);
}

/// `corepat check-manifest a.yaml b.yaml c.yaml`: the files that each fit
/// but together do not are a usage error naming the file and document.
#[cfg(feature = "cli")]
#[test]
#[cfg_attr(miri, ignore)]
fn check_manifest_with_several_files_shares_the_budget() {
    let dir = std::env::temp_dir().join(format!("corepat-budget-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Each file: two documents of about 9 MB once expanded.
    let doc = alias_document(16 * 1024, 550);
    let text = [doc.as_str(); 2].join("---\n");
    let files: Vec<_> = (0..3)
        .map(|i| {
            let p = dir.join(format!("f{i}.yaml"));
            std::fs::write(&p, &text).unwrap();
            p
        })
        .collect();
    let run = |files: &[std::path::PathBuf]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_corepat"))
            .arg("check-manifest")
            .args(files)
            .output()
            .unwrap()
    };
    let one = run(&files[..1]);
    assert_eq!(
        one.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    let all = run(&files);
    let stderr = String::from_utf8_lossy(&all.stderr);
    assert_eq!(all.status.code(), Some(2), "{stderr}");
    let expected = format!(
        "{}: document 2: over the alias expansion budget for the whole input",
        files[1].display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `fuzz/manifest_stream`'s form of row 2: a control byte (0x1f: read the
/// inputs 32 times into one set), then one 4 KB document that aliases a
/// 2,100-byte scalar 520 times. Each reading fits; the set crosses the
/// budget at the reading that takes it past, the same document each time.
#[test]
#[cfg_attr(miri, ignore)]
fn the_stream_fuzz_input_crosses_the_budget_across_inputs() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fuzz/testdata/manifest_stream-alias-budget-repeated.bin"
    ))
    .unwrap();
    let (&control, body) = bytes.split_first().unwrap();
    assert_eq!(control, 0x1f);
    assert!(bytes.len() <= 4096 && !body.contains(&0xff));
    let text = std::str::from_utf8(body).unwrap();
    let per_input = ManifestSet::parse("one.yaml", text)
        .unwrap()
        .expanded_size();
    assert_eq!(
        per_input,
        size(&ManifestSet::parse("one.yaml", text).unwrap().documents()[0].value)
    );
    assert!(per_input > 1_000_000);
    let crosses_at = MAX_EXPANDED_SIZE / per_input + 1;
    assert!(crosses_at <= 32);
    let mut set = ManifestSet::default();
    for round in 1..=32 {
        match set.add("input0", text) {
            Ok(()) => assert!(round < crosses_at),
            Err(e) => {
                assert_eq!(round, crosses_at);
                expect_budget_error(&e, "input0", 1);
                break;
            }
        }
    }
    assert_eq!(set.expanded_size(), (crosses_at - 1) * per_input);
}

/// The C ABI reads one input into one set: the reproducer is
/// `CPAT_RESULT_MANIFEST_TOO_LARGE` with code 402.
#[cfg(feature = "capi")]
#[test]
#[cfg_attr(miri, ignore)]
fn the_c_abi_reports_the_budget_as_too_large() {
    use core_pattern::ffi::{cpat_check_manifest, cpat_diag, cpat_result};
    let text = stream_of(&alias_document(16 * 1024, 4000), 2_000_000);
    let mut d = cpat_diag::default();
    let mut n = 0;
    // SAFETY: `text` is readable for its length; no output buffer (length
    // 0); `n` and `d` are writable; `has_errors` may be NULL.
    let rc = unsafe {
        cpat_check_manifest(
            text.as_ptr(),
            text.len(),
            std::ptr::null_mut(),
            0,
            &mut n,
            std::ptr::null_mut(),
            &mut d,
        )
    };
    assert_eq!(rc, cpat_result::CPAT_RESULT_MANIFEST_TOO_LARGE);
    assert_eq!(d.code, 402);
}
