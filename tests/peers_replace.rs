//! The `str::replace` chain peer (`benches/peers/replace.rs`) against the
//! kernel-observed vectors: which ones it gets wrong, and why.
//!
//! Compared: every vector whose expected write has a `stored` value (the
//! pattern the kernel holds, which is the peer's input, as text) and whose
//! expected dump is a file, a pipe or a socket. File and socket: the path
//! (and the request flag); pipe: the argv (the peer has no notion of the
//! pidfd, so `pidfd` is not compared). Vectors where the kernel writes no
//! core are not compared but counted: the peer always predicts one.
//!
//! `cargo test --test peers_replace -- --nocapture` prints the report.

#[path = "../benches/common/mod.rs"]
mod common;
#[path = "../src/bin/corepat/json.rs"]
#[allow(dead_code)]
mod json;
#[path = "../benches/peers/replace.rs"]
mod replace_peer;

use core_pattern::{
    CoreLimit, Crash, Feature, KernelProfile, Mode, Outcome, ParseOptions, Pattern, Settings,
    Signal, Specifier, TokenKind,
};
use replace_peer::PeerOutcome;
use serde_json::Value;
use std::collections::BTreeMap;

const VECTORS: &str = include_str!("data/vectors/kernel-observed.jsonl");

/// The specifier letters the chain replaces (besides `%%`).
const CHAIN: &[u8] = b"pPiIugdstheEcCf";

/// A vector's crash, owning its byte strings.
struct OwnedCrash {
    ids: [u32; 6],
    dumpable: u8,
    signal: u32,
    time: i64,
    hostname: Vec<u8>,
    comm: Vec<u8>,
    exe: Option<Vec<u8>>,
    cpu: u32,
    core_limit: CoreLimit,
}

impl OwnedCrash {
    fn from_json(c: &Value) -> OwnedCrash {
        let num = |k: &str| u32::try_from(c[k].as_u64().expect(k)).expect(k);
        let bytes = |k: &str| json::json_to_bytes(&c[k]).expect(k);
        OwnedCrash {
            ids: [
                num("pid"),
                num("tid"),
                num("global_pid"),
                num("global_tid"),
                num("uid"),
                num("gid"),
            ],
            dumpable: u8::try_from(num("dumpable")).unwrap(),
            signal: num("signal"),
            time: c["time"].as_i64().unwrap(),
            hostname: bytes("hostname"),
            comm: bytes("comm"),
            exe: match &c["exe"] {
                Value::Null => None,
                e => Some(json::json_to_bytes(e).unwrap()),
            },
            cpu: num("cpu"),
            core_limit: match &c["core_limit"] {
                Value::String(s) => json::parse_core_limit(s).unwrap(),
                n => CoreLimit::Bytes(n.as_u64().unwrap()),
            },
        }
    }

    fn crash(&self) -> Crash<'_> {
        let [pid, tid, global_pid, global_tid, uid, gid] = self.ids;
        Crash::new(0)
            .with_pid(pid)
            .with_tid(tid)
            .with_global_pid(global_pid)
            .with_global_tid(global_tid)
            .with_uid(uid)
            .with_gid(gid)
            .with_dumpable(self.dumpable)
            .with_signal(Signal::new(self.signal))
            .with_time(self.time)
            .with_hostname(&self.hostname)
            .with_comm(&self.comm)
            .with_exe(self.exe.as_deref())
            .with_cpu(self.cpu)
            .with_core_limit(self.core_limit)
    }
}

/// A vector with a stored pattern and a crash.
struct Case {
    id: String,
    vector: Value,
    kernel: KernelProfile,
    settings: Settings,
    stored: Vec<u8>,
    crash: OwnedCrash,
}

impl Case {
    /// The expected dump, if the vector has one.
    fn dump(&self) -> Option<&Value> {
        self.vector["expect"].get("dump")
    }

    /// The peer's answer, from the stored pattern as (lossy) text.
    fn peer(&self) -> PeerOutcome {
        replace_peer::expand(
            &String::from_utf8_lossy(&self.stored),
            &self.crash.crash(),
            &self.settings,
        )
    }

    /// The stored pattern as this kernel parses it.
    fn pattern(&self) -> Pattern {
        ParseOptions::new()
            .kernel(self.kernel)
            .parse(&self.stored)
            .expect("a stored pattern parses")
    }
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for line in VECTORS.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).expect("vector is JSON");
        let Some(stored) = v["expect"].get("write").and_then(|w| w.get("stored")) else {
            continue;
        };
        if v["crash"].is_null() {
            continue;
        }
        let mut kernel = KernelProfile::parse(v["kernel"].as_str().unwrap()).unwrap();
        for b in v["backports"].as_array().into_iter().flatten() {
            kernel = kernel.with_feature(Feature::from_name(b.as_str().unwrap()).unwrap());
        }
        let s = &v["settings"];
        let settings = Settings::new()
            .with_core_uses_pid(s["core_uses_pid"].as_u64().unwrap() != 0)
            .with_suid_dumpable(u8::try_from(s["suid_dumpable"].as_u64().unwrap()).unwrap())
            .with_core_pipe_limit(u32::try_from(s["core_pipe_limit"].as_u64().unwrap()).unwrap());
        out.push(Case {
            id: v["id"].as_str().unwrap().to_owned(),
            stored: json::json_to_bytes(stored).unwrap(),
            crash: OwnedCrash::from_json(&v["crash"]),
            kernel,
            settings,
            vector: v,
        });
    }
    out
}

fn bytes(v: &Value) -> Vec<u8> {
    json::json_to_bytes(v).expect("byte string")
}

/// Whether the peer's answer is the observed dump.
fn agrees(peer: &PeerOutcome, dump: &Value) -> bool {
    match (peer, dump["kind"].as_str().unwrap()) {
        (PeerOutcome::File { name }, "file") => name.as_bytes() == bytes(&dump["path"]),
        (PeerOutcome::Pipe { argv }, "pipe") => {
            let want: Vec<Vec<u8>> = dump["argv"].as_array().unwrap().iter().map(bytes).collect();
            argv.len() == want.len() && argv.iter().zip(&want).all(|(a, w)| a.as_bytes() == w)
        }
        (PeerOutcome::Socket { path, request }, "socket") => {
            path.as_bytes() == bytes(&dump["path"]) && Some(*request) == dump["request"].as_bool()
        }
        _ => false,
    }
}

/// Why the peer's answer differs from the kernel's, most telling cause
/// first. Every cause is checked against the pattern as the kernel parsed it
/// and the crash, so it is present in the case, not guessed from the output.
fn causes(case: &Case, peer: &PeerOutcome) -> Vec<&'static str> {
    let dump = case.dump().unwrap();
    let p = case.pattern();
    let crash = case.crash.crash();
    let dots = case.kernel.has(Feature::EscapeDotNames);
    let specs: Vec<Specifier> = p.specifiers().collect();
    let uses = |s: Specifier| specs.contains(&s);
    let tokens = p.tokens();
    let mut out = Vec::new();
    if peer.kind() != dump["kind"].as_str().unwrap() {
        out.push("mode differs");
    }
    let percent_then_key = tokens.iter().any(|t| {
        t.kind == TokenKind::Spec(Specifier::Percent)
            && case
                .stored
                .get(t.span.range().end)
                .is_some_and(|b| CHAIN.contains(b))
    });
    if percent_then_key {
        out.push("`%%x` read as `%` + `%x` (chain order)");
    }
    if uses(Specifier::Pidfd) || tokens.iter().any(|t| t.kind == TokenKind::Unknown(b'F')) {
        out.push("`%F` left in (not in the chain)");
    }
    if tokens.iter().any(|t| {
        matches!(t.kind, TokenKind::Unknown(b) if b != b'F' && Specifier::from_byte(b).is_some())
    }) {
        out.push("specifier this kernel lacks expanded (`%C` before 6.2)");
    }
    if tokens
        .iter()
        .any(|t| matches!(t.kind, TokenKind::Unknown(b) if Specifier::from_byte(b).is_none()))
    {
        out.push("unknown specifier left in (kernel drops it)");
    }
    if tokens.iter().any(|t| t.kind == TokenKind::TrailingPercent) {
        out.push("trailing `%` left in (kernel drops it)");
    }
    let host = crash.hostname;
    let comm = crash.comm;
    if (uses(Specifier::Hostname) && host.contains(&b'/'))
        || (uses(Specifier::Comm) && comm.contains(&b'/'))
    {
        out.push("`/` in %h/%e not escaped to `!`");
    }
    let dot = |v: &[u8]| dots && matches!(v, b"" | b"." | b"..");
    let exe_name = crash
        .exe
        .map(|e| e.rsplit(|&b| b == b'/').next().unwrap_or_default());
    if (uses(Specifier::Hostname) && dot(host))
        || (uses(Specifier::Comm) && dot(comm))
        || (uses(Specifier::ExeName) && exe_name.is_some_and(dot))
    {
        out.push("`.`/`..`/empty %h/%e/%f not escaped");
    }
    if p.mode() == Mode::File && case.settings.core_uses_pid && !uses(Specifier::Pid) {
        out.push("core_uses_pid `.PID` suffix missing");
    }
    let exe = crash.exe.unwrap_or_default();
    let spaced = |v: &[u8]| v.iter().any(u8::is_ascii_whitespace);
    if p.mode() == Mode::Pipe
        && ((uses(Specifier::Hostname) && spaced(host))
            || (uses(Specifier::Comm) && spaced(comm))
            || ((uses(Specifier::ExePath) || uses(Specifier::ExeName)) && spaced(exe)))
    {
        out.push("pipe argv split after expansion");
    }
    if uses(Specifier::Comm) && comm.len() > 15 {
        out.push("comm not cut to 15 bytes");
    }
    if [host, comm, exe].iter().any(|v| v.contains(&b'%')) {
        out.push("`%` in a value expanded again");
    }
    if [host, comm, exe]
        .iter()
        .any(|v| std::str::from_utf8(v).is_err())
        || std::str::from_utf8(&case.stored).is_err()
    {
        out.push("bytes not UTF-8 (lossy)");
    }
    if out.is_empty() {
        out.push("unclassified");
    }
    out
}

struct Report {
    compared: usize,
    /// Compared vectors whose write was rejected: the stored pattern (the
    /// peer's input) is the previous value.
    rejected_write: usize,
    right: usize,
    /// Primary cause -> (count, first id).
    wrong: BTreeMap<&'static str, (usize, String)>,
    /// Wrong answers with more than one cause present.
    several_causes: usize,
    /// The peer predicted a core; the kernel wrote none. Reason -> (count, first id).
    no_core: BTreeMap<String, (usize, String)>,
}

impl Report {
    fn wrong_total(&self) -> usize {
        self.wrong.values().map(|(n, _)| n).sum()
    }
    fn no_core_total(&self) -> usize {
        self.no_core.values().map(|(n, _)| n).sum()
    }
    fn count(&self, cause: &str) -> usize {
        self.wrong.get(cause).map_or(0, |(n, _)| *n)
    }
}

fn run() -> Report {
    let mut r = Report {
        compared: 0,
        rejected_write: 0,
        right: 0,
        wrong: BTreeMap::new(),
        several_causes: 0,
        no_core: BTreeMap::new(),
    };
    for case in cases() {
        let Some(dump) = case.dump() else { continue };
        let peer = case.peer();
        match dump["kind"].as_str().unwrap() {
            "none" => {
                let ours = json::conform_one(&case.vector).unwrap();
                let reason = ours["dump"]["reason"].as_str().unwrap().to_owned();
                let e = r.no_core.entry(reason).or_insert((0, case.id.clone()));
                e.0 += 1;
            }
            _ => {
                r.compared += 1;
                if !case.vector["expect"]["write"]["errno"].is_null() {
                    r.rejected_write += 1;
                }
                if agrees(&peer, dump) {
                    r.right += 1;
                } else {
                    let causes = causes(&case, &peer);
                    if causes.len() > 1 {
                        r.several_causes += 1;
                    }
                    let e = r.wrong.entry(causes[0]).or_insert((0, case.id.clone()));
                    e.0 += 1;
                }
            }
        }
    }
    r
}

#[test]
#[cfg_attr(miri, ignore)]
fn replace_chain_against_kernel_vectors() {
    let r = run();
    println!("str::replace chain vs kernel-observed vectors");
    println!(
        "  compared {} (file/pipe/socket dumps with a stored pattern; {} after a rejected write): right {}, wrong {}",
        r.compared,
        r.rejected_write,
        r.right,
        r.wrong_total()
    );
    println!(
        "  wrong, by first cause ({} had more than one):",
        r.several_causes
    );
    let mut by_count: Vec<_> = r.wrong.iter().collect();
    by_count.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    for (cause, (n, id)) in by_count {
        println!("    {n:4}  {cause}  (e.g. {id})");
    }
    println!(
        "  predicted a core where the kernel wrote none: {}",
        r.no_core_total()
    );
    for (reason, (n, id)) in &r.no_core {
        println!("    {n:4}  {reason}  (e.g. {id})");
    }

    assert_eq!(r.compared, 425, "compared");
    assert_eq!(r.rejected_write, 6, "compared after a rejected write");
    assert_eq!(r.right, 304, "right");
    assert_eq!(r.wrong_total(), 121, "wrong");
    assert_eq!(r.several_causes, 1, "wrong with more than one cause");
    let want = [
        ("unknown specifier left in (kernel drops it)", 30),
        ("`.`/`..`/empty %h/%e/%f not escaped", 24),
        ("`/` in %h/%e not escaped to `!`", 18),
        ("core_uses_pid `.PID` suffix missing", 18),
        ("`%F` left in (not in the chain)", 12),
        ("trailing `%` left in (kernel drops it)", 12),
        ("pipe argv split after expansion", 6),
        ("specifier this kernel lacks expanded (`%C` before 6.2)", 1),
    ];
    for (cause, n) in want {
        assert_eq!(r.count(cause), n, "{cause}");
    }
    assert_eq!(
        want.iter().map(|(_, n)| n).sum::<usize>(),
        r.wrong_total(),
        "no other cause (in particular none unclassified)"
    );
    // (`|pipehelper` is not counted: its outcome depends on whether
    // `/pipehelper` exists, so the vectors do not compare it.)
    assert_eq!(
        r.no_core_total(),
        48,
        "predicted a core where there is none"
    );
    let none = [
        ("core-limit-below-page", 12),
        ("empty-name", 6),
        ("empty-pipe", 6),
        ("not-dumpable", 12),
        ("signal-not-core", 6),
        ("suid-needs-absolute", 6),
    ];
    for (reason, n) in none {
        assert_eq!(r.no_core.get(reason).map_or(0, |e| e.0), n, "{reason}");
    }
}

/// The peer's answer for one vector.
fn peer_for(id: &str) -> PeerOutcome {
    cases()
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no vector {id}"))
        .peer()
}

fn file(name: &str) -> PeerOutcome {
    PeerOutcome::File { name: name.into() }
}

fn pipe(argv: &[&str]) -> PeerOutcome {
    PeerOutcome::Pipe {
        argv: argv.iter().map(|&a| a.into()).collect(),
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn specific_vectors_by_hand() {
    // Right: `%%` before a letter the chain does not know.
    assert_eq!(peer_for("spec-percent@6.18.15"), file("/tmp/cores/a%b"));
    // Right: the request protocol.
    assert_eq!(
        peer_for("sock-req@6.18.15"),
        PeerOutcome::Socket {
            path: "/run/cd.sock".into(),
            request: true
        }
    );
    // Wrong: the kernel gives `/tmp/cores/core..x` (`%z` dropped).
    assert_eq!(
        peer_for("spec-unknown-z@6.18.15"),
        file("/tmp/cores/core.%z.x")
    );
    // Wrong: the kernel gives `/tmp/cores/core.` (the `%` dropped).
    assert_eq!(
        peer_for("spec-trailing-percent@6.18.15"),
        file("/tmp/cores/core.%")
    );
    // Wrong: the kernel gives `/tmp/cores/core.a!b!c`.
    assert_eq!(
        peer_for("name-comm-slash@6.18.15"),
        file("/tmp/cores/core.a/b/c")
    );
    // Wrong: the kernel gives `/tmp/cores/!` (comm `.`).
    assert_eq!(peer_for("name-comm-dot@6.18.15"), file("/tmp/cores/."));
    // Wrong: core_uses_pid=1, no `%p`: the kernel appends `.PID`.
    assert_eq!(peer_for("usespid-plain@6.18.15"), file("/tmp/cores/core"));
    // Wrong: `%C` is not known before 6.2; the kernel gives `/tmp/cores/core.`.
    assert_eq!(peer_for("spec-C@6.1.192"), file("/tmp/cores/core.1"));
    // Wrong: the kernel splits before expanding, so a comm with spaces is one
    // argument: `["/oracle/bin/pipehelper", "my crash prog", ...]`.
    assert_eq!(
        peer_for("pipe-space-in-names@6.18.15"),
        pipe(&[
            "/oracle/bin/pipehelper",
            "my",
            "crash",
            "prog",
            "!tmp!bin!my",
            "crash",
            "prog",
            "my",
            "crash",
            "prog",
        ])
    );
    // Wrong: `%F` stays; the kernel passes `3`.
    let PeerOutcome::Pipe { argv } = peer_for("pipe-all-specs@6.18.15") else {
        panic!("pipe");
    };
    assert_eq!(argv[16], "%F");
    // Wrong: the kernel drops `%z` and passes an empty argument.
    assert_eq!(
        peer_for("pipe-empty-arg@6.18.15"),
        pipe(&["/oracle/bin/pipehelper", "a", "%z", "b"])
    );
    // Predicted a core for SIGTERM, which dumps none.
    assert_eq!(
        peer_for("sig-term@6.18.15"),
        file("/tmp/cores/core.15.crasher")
    );
}

/// `%%p` is not among the vectors; no order of the chain gets it right.
#[test]
fn percent_percent_p_goes_wrong() {
    let crash = common::container_crash();
    let settings = Settings::default();
    let ours = Pattern::parse("/tmp/a%%p-%p")
        .unwrap()
        .expand(&settings, &crash);
    assert_eq!(
        ours,
        Outcome::File {
            name: b"/tmp/a%p-1".to_vec()
        }
    );
    assert_eq!(
        replace_peer::expand("/tmp/a%%p-%p", &crash, &settings),
        file("/tmp/a%1-1")
    );
}

/// A case it gets right: the ACS annotation's pattern for a container crash.
#[test]
fn acs_pattern_agrees_with_ours() {
    let settings = Settings::default();
    for crash in [common::container_crash(), common::host_crash()] {
        let Outcome::File { name } = Pattern::parse(common::ACS)
            .unwrap()
            .expand(&settings, &crash)
        else {
            panic!("ACS is a file pattern");
        };
        let PeerOutcome::File { name: peer } = replace_peer::expand(common::ACS, &crash, &settings)
        else {
            panic!("the peer sees a file pattern");
        };
        assert_eq!(peer.as_bytes(), name.as_slice());
    }
    assert_eq!(
        replace_peer::expand(common::ACS, &common::container_crash(), &settings),
        file("/data/dump-a/core-!usr!lib!jvm!java-17-openjdk-amd64!bin!java-1-1795823960")
    );
}
