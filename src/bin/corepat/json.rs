//! JSON for `corepat`: byte strings in the vectors' convention
//! (`tests/data/vectors/FORMAT.md`), outcomes, and the conformance driver
//! for one vector. Shared with `tests/vectors.rs`.

use core_pattern::{
    CoreLimit, Crash, Feature, KernelProfile, Outcome, ParseOptions, Settings, Signal, write_sysctl,
};
use serde_json::{Map, Value, json};

/// Parses `unlimited` or a number of bytes.
pub fn parse_core_limit(s: &str) -> Result<CoreLimit, String> {
    if s == "unlimited" || s == "infinity" {
        return Ok(CoreLimit::Unlimited);
    }
    s.parse::<u64>()
        .map(CoreLimit::Bytes)
        .map_err(|_| format!("invalid core limit {s:?}: give a number of bytes or `unlimited`"))
}

/// A byte string as JSON: a string when printable UTF-8, else `{"hex": ...}`.
pub fn bytes_to_json(b: &[u8]) -> Value {
    match std::str::from_utf8(b) {
        Ok(s) if !s.chars().any(char::is_control) => Value::String(s.to_owned()),
        _ => json!({ "hex": b.iter().map(|x| format!("{x:02x}")).collect::<String>() }),
    }
}

/// The bytes of a JSON byte string.
pub fn json_to_bytes(v: &Value) -> Result<Vec<u8>, String> {
    match v {
        Value::String(s) => Ok(s.as_bytes().to_vec()),
        Value::Object(o) => {
            let hex = o
                .get("hex")
                .and_then(Value::as_str)
                .ok_or("byte string object without a \"hex\" string")?;
            if hex.len() % 2 != 0 {
                return Err(format!("odd-length hex {hex:?}"));
            }
            (0..hex.len())
                .step_by(2)
                .map(|i| {
                    hex.get(i..i + 2)
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                        .ok_or_else(|| format!("invalid hex {hex:?}"))
                })
                .collect()
        }
        other => Err(format!("expected a byte string, got {other}")),
    }
}

/// An outcome as the vectors' `dump` object (plus `reason`, `code`, `message`, `help` for `none`).
pub fn outcome_json(o: &Outcome) -> Value {
    match o {
        Outcome::File { name } => json!({"kind": "file", "path": bytes_to_json(name)}),
        Outcome::Pipe { argv, pidfd } => json!({
            "kind": "pipe",
            "argv": argv.iter().map(|a| bytes_to_json(a)).collect::<Vec<_>>(),
            "pidfd": pidfd,
        }),
        Outcome::Socket { path, request } => {
            json!({"kind": "socket", "path": bytes_to_json(path), "request": request})
        }
        Outcome::NoDump { reason } => json!({
            "kind": "none",
            "reason": reason.name(),
            "code": reason.code(),
            "message": reason.to_string(),
            "help": reason.help(),
        }),
        other => json!({"kind": other.kind()}),
    }
}

fn field<'a>(o: &'a Value, k: &str) -> Result<&'a Value, String> {
    o.get(k).ok_or_else(|| format!("missing field {k:?}"))
}

fn num<T: TryFrom<u64>>(o: &Value, k: &str) -> Result<T, String> {
    field(o, k)?
        .as_u64()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| format!("field {k:?} is not a number in range"))
}

/// Runs one vector: its `write` and `dump` computed from its input alone.
pub fn conform_one(v: &Value) -> Result<Value, String> {
    let id = field(v, "id")?.clone();
    let release = field(v, "kernel")?
        .as_str()
        .ok_or("field \"kernel\" is not a string")?;
    let mut kernel = KernelProfile::parse(release).map_err(|e| e.to_string())?;
    if let Some(bp) = v.get("backports").and_then(Value::as_array) {
        for b in bp {
            let name = b.as_str().ok_or("backports entries must be strings")?;
            let f = Feature::from_name(name).ok_or_else(|| format!("unknown backport {name:?}"))?;
            kernel = kernel.with_feature(f);
        }
    }
    let s = field(v, "settings")?;
    let settings = Settings::new()
        .with_core_uses_pid(num::<u64>(s, "core_uses_pid")? != 0)
        .with_suid_dumpable(num(s, "suid_dumpable")?)
        .with_core_pipe_limit(num(s, "core_pipe_limit")?);
    let mut result = Map::new();
    result.insert("id".into(), id);
    let stored = match v.get("write") {
        Some(w) => {
            let previous = json_to_bytes(field(w, "previous")?)?;
            let chunks = field(w, "chunks")?
                .as_array()
                .ok_or("write.chunks is not an array")?
                .iter()
                .map(json_to_bytes)
                .collect::<Result<Vec<_>, _>>()?;
            let refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
            let w = write_sysctl(&kernel, &previous, &refs, settings.suid_dumpable);
            let mut wj = Map::new();
            wj.insert("returns".into(), json!(w.returns));
            wj.insert("errno".into(), json!(w.errno.map(|e| e.name())));
            match w.read_errno {
                Some(e) => wj.insert("read_errno".into(), json!(e.name())),
                None => wj.insert("stored".into(), bytes_to_json(&w.stored)),
            };
            result.insert("write".into(), Value::Object(wj));
            w.stored
        }
        None => b"core".to_vec(),
    };
    let crash = field(v, "crash")?;
    if !crash.is_null() {
        let bytes = |k: &str| json_to_bytes(field(crash, k)?);
        let hostname = bytes("hostname")?;
        let comm = bytes("comm")?;
        let exe = match crash.get("exe") {
            None | Some(Value::Null) => None,
            Some(e) => Some(json_to_bytes(e)?),
        };
        let core_limit = match field(crash, "core_limit")? {
            Value::String(s) => parse_core_limit(s)?,
            Value::Number(n) => CoreLimit::Bytes(n.as_u64().ok_or("core_limit out of range")?),
            other => return Err(format!("invalid core_limit {other}")),
        };
        let c = Crash::new(0)
            .with_pid(num(crash, "pid")?)
            .with_tid(num(crash, "tid")?)
            .with_global_pid(num(crash, "global_pid")?)
            .with_global_tid(num(crash, "global_tid")?)
            .with_uid(num(crash, "uid")?)
            .with_gid(num(crash, "gid")?)
            .with_dumpable(num(crash, "dumpable")?)
            .with_signal(Signal::new(num(crash, "signal")?))
            .with_time(
                field(crash, "time")?
                    .as_i64()
                    .ok_or("crash.time is not an integer")?,
            )
            .with_hostname(&hostname)
            .with_comm(&comm)
            .with_exe(exe.as_deref())
            .with_cpu(num(crash, "cpu")?)
            .with_core_limit(core_limit);
        let pattern = ParseOptions::new()
            .kernel(kernel)
            .parse(&stored)
            .map_err(|e| e.to_string())?;
        let outcome = pattern.expand(&settings, &c);
        result.insert("dump".into(), outcome_json(&outcome));
    }
    Ok(Value::Object(result))
}

/// `corepat lint --format json`: `{"pattern", "mode", "stored", "handler",
/// "diagnostics"}`. A public interface: keep it stable.
pub fn lint_json(r: &core_pattern::lint::LintReport) -> Value {
    json!({
        "pattern": bytes_to_json(r.input()),
        "mode": r.pattern().mode().name(),
        "stored": bytes_to_json(r.stored()),
        "handler": r.handler().map(|h| json!({
            "name": h.name(),
            "ok": h.ok(),
            "problems": h.problems(),
        })),
        "diagnostics": r.lints().iter().map(|l| json!({
            "name": l.name(),
            "code": l.code(),
            "severity": l.severity().name(),
            "span": [l.span().start, l.span().end],
            "message": l.message(),
            "help": l.help(),
        })).collect::<Vec<_>>(),
    })
}

/// `corepat match --format json`, one name: `{"name", "matched", "ambiguous",
/// "count", "candidates": [{"fields": {"E": ..., "p": ...}}]}`, fields keyed
/// by specifier letter, values as byte strings. A public interface.
pub fn match_json(
    key: &str,
    name: Value,
    m: &core_pattern::reverse::Matches<'_>,
    max: usize,
) -> Value {
    let candidates: Vec<Value> = m
        .candidates(max)
        .iter()
        .map(|c| {
            let fields: Map<String, Value> = c
                .fields()
                .iter()
                .map(|f| {
                    (
                        char::from(f.spec().byte()).to_string(),
                        bytes_to_json(f.bytes()),
                    )
                })
                .collect();
            json!({ "fields": fields })
        })
        .collect();
    let mut o = Map::new();
    o.insert(key.into(), name);
    o.insert("matched".into(), json!(m.is_match()));
    o.insert("ambiguous".into(), json!(m.is_ambiguous()));
    o.insert("count".into(), json!(m.count()));
    o.insert("candidates".into(), Value::Array(candidates));
    Value::Object(o)
}
