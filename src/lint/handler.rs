//! Fingerprints of well-known core dump handlers.
//!
//! A pipe handler expects its arguments in a fixed order; a pattern that
//! gets them wrong, or that the kernel cut at 127 bytes, feeds it garbage or
//! makes it reject the dump. [`fingerprint`] recognises the handler from the
//! stored pattern and checks its argument contract. Handler names are stable
//! public API: see [`Handler::NAMES`].

use crate::expand::SocketProblem;
use crate::parse::{Mode, Pattern};
use crate::sysctl::socket_value_ok;
use core::fmt;

/// A recognised handler and whether the pattern keeps its contract.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Handler {
    name: &'static str,
    contract: &'static str,
    problems: Vec<String>,
}

impl Handler {
    /// Every handler name [`fingerprint`] can return.
    pub const NAMES: [&'static str; 7] = [
        "systemd-coredump",
        "apport",
        "abrt",
        "ibm-core-dump-handler",
        "chromeos-crash-reporter",
        "systemd-early-boot",
        "systemd-coredump-socket",
    ];

    /// The stable name, e.g. `systemd-coredump`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The argument contract the handler expects, in words.
    pub fn contract(&self) -> &'static str {
        self.contract
    }

    /// Whether the pattern satisfies the contract.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// What breaks the contract (empty when [`ok`](Handler::ok)).
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

impl fmt::Display for Handler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "handler: {} — expects {}", self.name, self.contract)?;
        if self.ok() {
            write!(f, "\n  ok: the pattern keeps this contract")
        } else {
            write!(f, "\n  BROKEN:")?;
            for p in &self.problems {
                write!(f, "\n  - {p}")?;
            }
            Ok(())
        }
    }
}

const SYSTEMD: &str = "`%P %u %g %s %t %c %h [%d %F]`: global PID, UID, GID, signal, time, core limit, hostname, then optionally dump mode and pidfd; at least 6 arguments";
const APPORT: &str = "`-p%p -s%s -c%c -d%d -P%P [-u%u -g%g -F%F] -- %E` (or the older positional `%p %s %c %d %P [%E]`); %E last";
const ABRT: &str =
    "`%s %c %p %u %g %t %e` (or a literal `e` for the executable), then optional extras";
const IBM: &str = "`cdc -c=%c -e=%e -p=%p -s=%s -t=%t -d=<core dir> -h=%h -E=%E`";
const CHROMEOS: &str =
    "`--user=%P:%s:%u:%g:%e` (colon-separated global PID, signal, UID, GID, executable name)";
const EARLY: &str = "`|/bin/false`: systemd's PID 1 disables core dumps during early boot, until systemd-sysctl installs the real pattern";
const SOCKET: &str = "`@/run/systemd/...` or `@@/run/systemd/...`: systemd-coredump listening on a coredump socket (kernel 6.16+)";

/// Recognises the handler a (stored) pattern feeds, if it is a well-known
/// one, and checks its argument contract.
///
/// ```
/// use core_pattern::Pattern;
/// use core_pattern::lint::fingerprint;
/// let p = Pattern::parse("|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h")?;
/// let h = fingerprint(&p).unwrap();
/// assert_eq!((h.name(), h.ok()), ("systemd-coredump", true));
///
/// // The old form with %p hands systemd a PID it cannot look up.
/// let p = Pattern::parse("|/usr/lib/systemd/systemd-coredump %p %u %g %s %t %e")?;
/// assert!(!fingerprint(&p).unwrap().ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fingerprint(p: &Pattern) -> Option<Handler> {
    match p.mode() {
        Mode::Pipe => {}
        Mode::Socket | Mode::SocketRequest => {
            let path = p.body();
            if !path.starts_with(b"/run/systemd/") {
                return None;
            }
            let mut problems = Vec::new();
            if let Some(pr) = SocketProblem::check(path) {
                problems.push(format!("{}: every dump fails", pr.message()));
            } else if !socket_value_ok(p.as_bytes(), p.kernel()) {
                problems.push(format!(
                    "kernel {} rejects this value when it is written",
                    p.kernel()
                ));
            }
            return Some(Handler {
                name: "systemd-coredump-socket",
                contract: SOCKET,
                problems,
            });
        }
        _ => return None,
    }
    if p.as_bytes() == b"|/bin/false" {
        return Some(Handler {
            name: "systemd-early-boot",
            contract: EARLY,
            problems: Vec::new(),
        });
    }
    let args: Vec<&[u8]> = p
        .pipe_arguments()
        .iter()
        .filter_map(|a| {
            let (f, l) = (a.first()?, a.last()?);
            p.as_bytes().get(f.span.range().start..l.span.range().end)
        })
        .collect();
    let (prog, rest) = args.split_first()?;
    let base = prog.rsplit(|&b| b == b'/').next().unwrap_or(prog);
    let (name, contract, problems) = match base {
        b"systemd-coredump" => ("systemd-coredump", SYSTEMD, systemd(rest)),
        b"apport" => ("apport", APPORT, apport(rest)),
        b"abrt-hook-ccpp" => ("abrt", ABRT, abrt(rest)),
        b"cdc" => ("ibm-core-dump-handler", IBM, ibm(rest)),
        b"crash_reporter" => ("chromeos-crash-reporter", CHROMEOS, chromeos(rest)),
        _ => return None,
    };
    let mut problems = problems;
    if prog.first() != Some(&b'/') {
        problems.insert(
            0,
            format!(
                "the helper `{}` is not an absolute path: the kernel resolves it from the host's `/`",
                show(prog)
            ),
        );
    }
    Some(Handler {
        name,
        contract,
        problems,
    })
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Checks positional arguments against `(allowed templates, meaning)`.
fn positional(
    rest: &[&[u8]],
    expected: &[(&[&[u8]], &str)],
    required: usize,
    handler: &str,
    problems: &mut Vec<String>,
) {
    if rest.len() < required {
        let want: Vec<String> = expected[..required]
            .iter()
            .map(|(t, _)| show(t[0]))
            .collect();
        problems.push(format!(
            "{handler} needs at least {required} arguments ({}); the pattern gives {} (cut at 127 bytes?)",
            want.join(" "),
            rest.len()
        ));
    }
    for (i, (arg, (allowed, meaning))) in rest.iter().zip(expected).enumerate() {
        let digits = !arg.is_empty() && arg.iter().all(u8::is_ascii_digit);
        let numeric_ok = digits && allowed.contains(&&b"<number>"[..]);
        if !allowed.contains(arg) && !numeric_ok {
            let want: Vec<String> = allowed.iter().map(|t| show(t)).collect();
            problems.push(format!(
                "argument {} is `{}`, but {handler} reads it as the {meaning} ({})",
                i + 1,
                show(arg),
                want.join(" or ")
            ));
        }
    }
}

fn systemd(rest: &[&[u8]]) -> Vec<String> {
    let mut problems = Vec::new();
    let expected: [(&[&[u8]], &str); 9] = [
        (&[b"%P"], "global PID"),
        (&[b"%u"], "UID"),
        (&[b"%g"], "GID"),
        (&[b"%s"], "signal"),
        (&[b"%t"], "time"),
        (&[b"%c", b"<number>"], "core size limit"),
        (&[b"%h", b"%e"], "hostname"),
        (&[b"%d"], "dump mode"),
        (&[b"%F"], "pidfd"),
    ];
    positional(rest, &expected, 6, "systemd-coredump", &mut problems);
    if let Some(first) = rest.first()
        && *first == b"%p"
    {
        problems.push(
            "%p is the PID inside the crashing process's namespace; systemd-coredump looks the process up by the global PID, %P".into(),
        );
    }
    for (i, extra) in rest.iter().enumerate().skip(expected.len()) {
        if *extra != b"%I" {
            problems.push(format!(
                "argument {} (`{}`) is not one systemd-coredump reads",
                i + 1,
                show(extra)
            ));
        }
    }
    problems
}

fn apport(rest: &[&[u8]]) -> Vec<String> {
    let mut problems = Vec::new();
    if !rest.iter().any(|a| a.first() == Some(&b'-')) {
        let expected: [(&[&[u8]], &str); 6] = [
            (&[b"%p"], "PID"),
            (&[b"%s"], "signal"),
            (&[b"%c"], "core size limit"),
            (&[b"%d"], "dump mode"),
            (&[b"%P"], "global PID"),
            (&[b"%E"], "executable path"),
        ];
        positional(rest, &expected, 5, "apport", &mut problems);
        for extra in rest.iter().skip(expected.len()) {
            problems.push(format!("`{}` is not an argument apport reads", show(extra)));
        }
        return problems;
    }
    let dashdash = rest.iter().position(|a| *a == b"--");
    let opts = &rest[..dashdash.unwrap_or(rest.len())];
    for (opt, spec, required) in [
        (&b"-p"[..], &b"%p"[..], true),
        (b"-s", b"%s", true),
        (b"-c", b"%c", true),
        (b"-d", b"%d", true),
        (b"-P", b"%P", true),
        (b"-u", b"%u", false),
        (b"-g", b"%g", false),
        (b"-F", b"%F", false),
    ] {
        match opts.iter().find(|a| a.starts_with(opt)) {
            Some(a) if a[opt.len()..] != *spec => problems.push(format!(
                "`{}`: apport expects `{}{}`",
                show(a),
                show(opt),
                show(spec)
            )),
            None if required => problems.push(format!(
                "apport needs `{}{}`, which the pattern lacks (cut at 127 bytes?)",
                show(opt),
                show(spec)
            )),
            _ => {}
        }
    }
    match dashdash {
        Some(i) if rest.get(i + 1..) == Some(&[&b"%E"[..]][..]) => {}
        Some(_) => {
            problems.push("apport expects exactly `%E` after `--`, as the last argument".into())
        }
        None => problems.push(
            "apport needs `-- %E` at the end, which the pattern lacks (cut at 127 bytes?)".into(),
        ),
    }
    problems
}

fn abrt(rest: &[&[u8]]) -> Vec<String> {
    let mut problems = Vec::new();
    let expected: [(&[&[u8]], &str); 7] = [
        (&[b"%s"], "signal"),
        (&[b"%c"], "core size limit"),
        (&[b"%p"], "PID"),
        (&[b"%u"], "UID"),
        (&[b"%g"], "GID"),
        (&[b"%t"], "time"),
        (&[b"%e", b"e"], "executable name"),
    ];
    positional(rest, &expected, 7, "abrt-hook-ccpp", &mut problems);
    problems
}

fn ibm(rest: &[&[u8]]) -> Vec<String> {
    let mut problems = Vec::new();
    for (key, spec) in [
        (&b"-c="[..], Some(&b"%c"[..])),
        (b"-e=", Some(b"%e")),
        (b"-p=", Some(b"%p")),
        (b"-s=", Some(b"%s")),
        (b"-t=", Some(b"%t")),
        (b"-d=", None),
        (b"-h=", Some(b"%h")),
        (b"-E=", Some(b"%E")),
    ] {
        match (rest.iter().find(|a| a.starts_with(key)), spec) {
            (None, _) => problems.push(format!(
                "cdc needs `{}{}`, which the pattern lacks (cut at 127 bytes?)",
                show(key),
                spec.map_or("<core dir>".into(), show)
            )),
            (Some(a), Some(spec)) if a[key.len()..] != *spec => problems.push(format!(
                "`{}`: cdc expects `{}{}`",
                show(a),
                show(key),
                show(spec)
            )),
            (Some(a), None) if a.len() == key.len() => {
                problems.push("`-d=` names no core directory".into())
            }
            _ => {}
        }
    }
    problems
}

fn chromeos(rest: &[&[u8]]) -> Vec<String> {
    match rest.iter().find(|a| a.starts_with(b"--user=")) {
        Some(a) if matches!(&a[7..], b"%P:%s:%u:%g:%e" | b"%P:%s:%u:%g:%f") => Vec::new(),
        Some(a) => vec![format!(
            "`{}`: crash_reporter expects `--user=%P:%s:%u:%g:%e`",
            show(a)
        )],
        None => {
            vec!["crash_reporter needs `--user=%P:%s:%u:%g:%e`, which the pattern lacks".into()]
        }
    }
}
