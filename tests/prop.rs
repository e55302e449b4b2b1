//! Properties of parsing, expansion and the sysctl model, checked with
//! proptest on arbitrary inputs.

use core_pattern::{
    CoreLimit, Crash, ExpandError, KernelProfile, KernelVersion, Mode, Outcome, ParseErrorKind,
    ParseOptions, Pattern, Settings, Signal, Specifier, TokenKind, is_kernel_space, stored_value,
    write_sysctl,
};
use proptest::collection::vec;
use proptest::prelude::*;

/// Every kernel the properties run on.
const KERNELS: [&str; 8] = [
    "4.4.0", "5.2.0", "5.3.0", "6.1.192", "6.16.3", "6.16.12", "6.17.2", "7.3.4",
];

fn profiles() -> Vec<KernelProfile> {
    KERNELS
        .iter()
        .map(|k| KernelProfile::parse(k).unwrap())
        .collect()
}

fn any_profile() -> impl Strategy<Value = KernelProfile> {
    prop::sample::select(profiles())
}

/// A byte that is often one the kernel treats specially.
fn spicy_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => prop::sample::select(
            b"%/.@| \t\xA0\r\x0b\x0cpPiIugdsthEefcCFz!-".to_vec()
        ),
        1 => Just(0u8),
        1 => Just(b'\n'),
        3 => any::<u8>(),
    ]
}

/// Arbitrary bytes, biased towards the interesting ones.
fn spicy_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(spicy_byte(), 0..=max)
}

/// A value for comm, hostname or exe: special shapes, or arbitrary bytes.
fn field(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        Just(b".".to_vec()),
        Just(b"..".to_vec()),
        Just(b"/".to_vec()),
        Just(b"a/b".to_vec()),
        Just(b"my app".to_vec()),
        Just(b"\xA0".to_vec()),
        spicy_bytes(max),
        vec(any::<u8>(), 0..=max),
    ]
}

/// A pattern the kernel can store (no `\n`, no NUL): a mode-ish prefix
/// followed by bytes rich in `%`.
fn pattern_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    let prefix = prop_oneof![
        Just(Vec::new()),
        Just(b"|".to_vec()),
        Just(b"|/bin/h ".to_vec()),
        Just(b"| ".to_vec()),
        Just(b"@".to_vec()),
        Just(b"@@/".to_vec()),
        Just(b"/d/".to_vec()),
    ];
    (prefix, spicy_bytes(max)).prop_map(|(mut p, rest)| {
        p.extend(rest.into_iter().filter(|&b| b != b'\n' && b != 0));
        p
    })
}

/// The owned parts of a [`Crash`].
#[derive(Clone, Debug)]
struct CrashData {
    ids: [u32; 6],
    cpu: u32,
    dumpable: u8,
    signal: Signal,
    time: i64,
    hostname: Vec<u8>,
    comm: Vec<u8>,
    exe: Option<Vec<u8>>,
    core_limit: CoreLimit,
}

impl CrashData {
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
            .with_signal(self.signal)
            .with_time(self.time)
            .with_hostname(&self.hostname)
            .with_comm(&self.comm)
            .with_exe(self.exe.as_deref())
            .with_cpu(self.cpu)
            .with_core_limit(self.core_limit)
    }
}

fn core_limit() -> impl Strategy<Value = CoreLimit> {
    prop_oneof![
        3 => Just(CoreLimit::Unlimited),
        2 => any::<u64>().prop_map(CoreLimit::Bytes),
        1 => (0u64..=4097).prop_map(CoreLimit::Bytes),
        1 => Just(CoreLimit::Bytes(1)),
    ]
}

fn exe() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop_oneof![
        1 => Just(None),
        4 => field(120).prop_map(Some),
        1 => (4090usize..4100).prop_map(|n| {
            let mut v = b"/".to_vec();
            v.extend(std::iter::repeat_n(b'x', n - 1));
            Some(v)
        }),
    ]
}

fn crash_data() -> impl Strategy<Value = CrashData> {
    (
        (
            any::<[u32; 6]>(),
            any::<u32>(),
            prop_oneof![3 => Just(1u8), 1 => Just(2u8), 1 => 0u8..=3],
        ),
        prop_oneof![
            3 => prop::sample::select(vec![3u32, 4, 5, 6, 7, 8, 11, 24, 25, 31]),
            1 => 0u32..=65,
            1 => any::<u32>(),
        ]
        .prop_map(Signal::new),
        any::<i64>(),
        (field(80), field(24), exe()),
        core_limit(),
    )
        .prop_map(
            |((ids, cpu, dumpable), signal, time, (hostname, comm, exe), core_limit)| CrashData {
                ids,
                cpu,
                dumpable,
                signal,
                time,
                hostname,
                comm,
                exe,
                core_limit,
            },
        )
}

/// A crash that dumps (core signal, dumpable 1, no limit) with arbitrary
/// names; `exe` is short enough that no component gets over 255 bytes.
fn dumping_crash() -> impl Strategy<Value = CrashData> {
    (
        field(80),
        field(24),
        prop_oneof![Just(None), field(200).prop_map(Some)],
    )
        .prop_map(|(hostname, comm, exe)| {
            let c = Crash::example();
            CrashData {
                ids: [c.pid, c.tid, c.global_pid, c.global_tid, c.uid, c.gid],
                cpu: c.cpu,
                dumpable: 1,
                signal: Signal::SIGSEGV,
                time: c.time,
                hostname,
                comm,
                exe,
                core_limit: CoreLimit::Unlimited,
            }
        })
}

fn settings() -> impl Strategy<Value = Settings> {
    (any::<bool>(), 0u8..=2, any::<u32>()).prop_map(|(core_uses_pid, suid_dumpable, limit)| {
        Settings::new()
            .with_core_uses_pid(core_uses_pid)
            .with_suid_dumpable(suid_dumpable)
            .with_core_pipe_limit(limit)
    })
}

/// The kernel's view of a byte string held in a buffer of `max + 1`.
fn c_str(b: &[u8], max: usize) -> &[u8] {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len()).min(max);
    &b[..end]
}

/// `cn_esc_printf()` (4.6+): `.`→`!`, `..`→`!.`, empty→`!`, `/`→`!`.
fn escape(v: &[u8]) -> Vec<u8> {
    match v {
        b"" | b"." => b"!".to_vec(),
        b".." => b"!.".to_vec(),
        _ => v
            .iter()
            .map(|&b| if b == b'/' { b'!' } else { b })
            .collect(),
    }
}

/// The escaped value of an escaped specifier (`%e %h %E %f`) for `d`.
fn escaped_value(spec: u8, d: &CrashData) -> Vec<u8> {
    let comm = c_str(&d.comm, 15);
    match (spec, &d.exe) {
        (b'e', _) => escape(comm),
        (b'h', _) => escape(c_str(&d.hostname, 64)),
        (b'E' | b'f', None) => {
            let mut v = comm.to_vec();
            v.extend_from_slice(b" (path unknown)");
            escape(&v)
        }
        (b'E', Some(exe)) => escape(c_str(exe, usize::MAX)),
        (b'f', Some(exe)) => {
            let exe = c_str(exe, usize::MAX);
            let name = match exe.iter().rposition(|&b| b == b'/') {
                Some(i) => &exe[i + 1..],
                None => exe,
            };
            escape(name)
        }
        _ => unreachable!(),
    }
}

/// Tokens cover every byte exactly once, in order, and each token's bytes
/// fit its kind.
fn check_tokens(p: &Pattern) -> Result<(), TestCaseError> {
    let bytes = p.as_bytes();
    let mut pos = 0usize;
    for t in p.tokens() {
        let r = t.span.range();
        prop_assert_eq!(r.start, pos, "tokens are contiguous: {:?}", p.tokens());
        prop_assert!(r.end > r.start, "empty token {:?}", t);
        prop_assert!(r.end <= bytes.len());
        let tb = p.token_bytes(t);
        prop_assert_eq!(tb, &bytes[r.clone()]);
        match t.kind {
            TokenKind::ModePrefix => {
                prop_assert_eq!(r.start, 0);
                prop_assert!(matches!(tb, b"|" | b"@" | b"@@"), "prefix {:?}", tb);
            }
            TokenKind::Spec(s) => prop_assert_eq!(tb, &[b'%', s.byte()][..]),
            TokenKind::Unknown(b) => {
                prop_assert_eq!(tb, &[b'%', b][..]);
                // Unknown to this kernel, whatever other releases say.
                if let Some(s) = Specifier::from_byte(b) {
                    prop_assert!(!s.known_by(p.kernel()));
                }
            }
            TokenKind::TrailingPercent => {
                prop_assert_eq!(tb, b"%");
                prop_assert_eq!(r.end, bytes.len());
            }
            TokenKind::Space => {
                prop_assert_eq!(p.mode(), Mode::Pipe);
                prop_assert!(tb.iter().all(|&b| is_kernel_space(b)));
            }
            TokenKind::Literal => {
                if p.mode() == Mode::Pipe {
                    prop_assert!(!tb.iter().any(|&b| is_kernel_space(b)));
                }
                if matches!(p.mode(), Mode::File | Mode::Pipe) {
                    prop_assert!(!tb.contains(&b'%'));
                }
            }
            _ => {}
        }
        pos = r.end;
    }
    prop_assert_eq!(pos, bytes.len(), "tokens end at the end");
    Ok(())
}

/// A valid-UTF-8 pattern the kernel can hold: no `\n`, no NUL, ≤ 127 bytes.
fn utf8_pattern() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        3 => prop::sample::select(vec![
            '%', '|', '@', ' ', '\t', '/', '.', 'p', 'e', 'E', 'F', 'z', '\u{a0}', 'é', '€',
        ]),
        2 => any::<char>().prop_map(|c| if c == '\n' || c == '\0' { 'x' } else { c }),
    ];
    vec(ch, 0..=127).prop_map(|cs| {
        let mut s = String::new();
        for c in cs {
            if s.len() + c.len_utf8() > 127 {
                break;
            }
            s.push(c);
        }
        s
    })
}

proptest! {
    /// `Pattern::parse(p.to_string()) == p`, and the tokens cover the bytes.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn display_round_trip(s in utf8_pattern()) {
        let p = Pattern::parse(&s).unwrap();
        prop_assert_eq!(p.to_string(), s.clone());
        prop_assert_eq!(p.as_bytes(), s.as_bytes());
        let again = Pattern::parse(p.to_string()).unwrap();
        prop_assert_eq!(&again, &p);
        prop_assert_eq!(s.parse::<Pattern>().unwrap(), p.clone());
        check_tokens(&p)?;
    }

    /// Parsing arbitrary bytes never panics, on any kernel; a success covers
    /// every byte, a failure is exactly a `\n`/NUL or a length problem.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn parse_never_panics(bytes in prop_oneof![vec(any::<u8>(), 0..300), spicy_bytes(300)]) {
        let first_stop = bytes.iter().position(|&b| b == b'\n' || b == 0);
        for k in profiles() {
            let r = ParseOptions::new().kernel(k).max_len(4096).parse(&bytes);
            match (r, first_stop) {
                (Ok(p), None) => {
                    prop_assert_eq!(p.as_bytes(), &bytes[..]);
                    prop_assert_eq!(p.kernel(), &k);
                    check_tokens(&p)?;
                }
                (Err(e), Some(i)) => {
                    let want = if bytes[i] == 0 { ParseErrorKind::Nul } else { ParseErrorKind::Newline };
                    prop_assert_eq!(e.kind(), &want);
                    prop_assert_eq!(e.span().range(), i..i + 1);
                    let _ = e.render(&bytes);
                }
                (r, _) => prop_assert!(false, "unexpected {:?} for {:?}", r, bytes),
            }
            // The default limit of 127.
            match ParseOptions::new().kernel(k).parse(&bytes) {
                Ok(p) => prop_assert!(p.as_bytes().len() <= 127 && first_stop.is_none()),
                Err(e) => {
                    if first_stop.is_none() {
                        prop_assert_eq!(
                            e.kind(),
                            &ParseErrorKind::TooLong { len: bytes.len(), max: 127 }
                        );
                        prop_assert_eq!(e.span().range(), 127..bytes.len());
                    }
                    let _ = e.render(&bytes);
                    let _ = e.to_string();
                }
            }
        }
    }

    /// Expansion never panics, and its outcome is well formed.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn expand_never_panics(
        pat in pattern_bytes(300),
        d in crash_data(),
        s in settings(),
        k in any_profile(),
    ) {
        let Ok(p) = ParseOptions::new().kernel(k).max_len(4096).parse(&pat) else {
            return Ok(());
        };
        let crash = d.crash();
        let out = p.expand(&s, &crash);
        let _ = p.pipe_arguments();
        match &out {
            Outcome::File { name } => {
                prop_assert_eq!(p.mode(), Mode::File);
                prop_assert!(!name.is_empty());
                prop_assert!(!name.contains(&0));
            }
            Outcome::Pipe { argv, pidfd } => {
                prop_assert_eq!(p.mode(), Mode::Pipe);
                // A helper is never empty (relative ones resolve from `/`).
                prop_assert!(!argv[0].is_empty());
                prop_assert!(!argv.iter().any(|a| a.contains(&0)));
                if *pidfd {
                    prop_assert!(p.uses(Specifier::Pidfd));
                }
            }
            Outcome::Socket { path, request } => {
                prop_assert!(matches!(p.mode(), Mode::Socket | Mode::SocketRequest));
                prop_assert_eq!(*request, p.mode() == Mode::SocketRequest);
                prop_assert_eq!(Some(&path[..]), p.socket_path());
            }
            Outcome::NoDump { reason } => {
                let _ = (reason.to_string(), reason.name(), reason.code(), reason.help());
            }
            other => prop_assert!(false, "an outcome this test does not know: {other:?}"),
        }
        let mut small = [0u8; 7];
        let _ = p.expand_file_name_into(&s, &crash, &mut small);
        let _ = p.expand_file_name_into(&s, &crash, &mut []);
    }

    /// An escaped value never contributes a `/`: after `/d/` in `/d/%X`, and
    /// anywhere in `x%Xy`, for `%e %h %E %f` (and it is exactly the kernel's
    /// escaping of the value, on 4.6+).
    #[test]
    #[cfg_attr(miri, ignore)]
    fn escaped_values_have_no_slash(
        d in dumping_crash(),
        spec in prop::sample::select(b"ehEf".to_vec()),
        k in prop::sample::select(vec!["4.4.0", "5.9.0", "6.1.192", "7.3.4"]),
    ) {
        let k = KernelProfile::parse(k).unwrap();
        if spec == b'f' && k.version() < KernelVersion::new(5, 9, 0) {
            return Ok(());
        }
        let crash = d.crash();
        let dots = k.version() >= KernelVersion::new(4, 6, 0);
        for (prefix, suffix) in [(&b"/d/"[..], &b""[..]), (b"x", b"y"), (b"/", b"")] {
            let mut pat = prefix.to_vec();
            pat.extend_from_slice(&[b'%', spec]);
            pat.extend_from_slice(suffix);
            let p = ParseOptions::new().kernel(k).parse(&pat).unwrap();
            let out = p.expand(&Settings::default(), &crash);
            let Outcome::File { name } = &out else {
                return Err(TestCaseError::fail(format!(
                    "{:?} gave {out:?}",
                    String::from_utf8_lossy(&pat)
                )));
            };
            prop_assert!(name.starts_with(prefix) && name.ends_with(suffix));
            let value = &name[prefix.len()..name.len() - suffix.len()];
            prop_assert!(!value.contains(&b'/'), "{:?} has a slash", value);
            if dots {
                prop_assert_eq!(value, &escaped_value(spec, &d)[..]);
            }
        }
    }

    /// Pipe mode (5.3+): an expansion is never split, whatever it holds.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn pipe_expansions_stay_one_argument(
        d in dumping_crash(),
        k in prop::sample::select(vec!["5.3.0", "6.1.192", "6.16.3", "7.3.4"]),
    ) {
        let k = KernelProfile::parse(k).unwrap();
        let p = ParseOptions::new().kernel(k).parse("|/bin/h %e %h").unwrap();
        let out = p.expand(&Settings::default(), &d.crash());
        let Outcome::Pipe { argv, pidfd } = out else {
            return Err(TestCaseError::fail(format!("not a pipe: {out:?}")));
        };
        prop_assert!(!pidfd);
        prop_assert_eq!(argv.len(), 3);
        prop_assert_eq!(&argv[0], b"/bin/h");
        prop_assert_eq!(&argv[1], &escaped_value(b'e', &d));
        prop_assert_eq!(&argv[2], &escaped_value(b'h', &d));
    }

    /// Pipe mode before 5.3: argv is split after expansion, so no argument
    /// is empty or holds whitespace.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn pipe_before_5_3_splits_everything(d in dumping_crash(), body in pattern_bytes(60)) {
        let k = KernelProfile::parse("5.2.0").unwrap();
        let mut pat = b"|/bin/h ".to_vec();
        pat.extend(body);
        let Ok(p) = ParseOptions::new().kernel(k).parse(&pat) else { return Ok(()) };
        if let Outcome::Pipe { argv, .. } = p.expand(&Settings::default(), &d.crash()) {
            prop_assert_eq!(&argv[0], b"/bin/h");
            for a in &argv {
                prop_assert!(!a.is_empty());
                prop_assert!(!a.iter().any(|&b| is_kernel_space(b)), "{:?}", a);
            }
        }
    }

    /// Pipe mode (5.3+): `pipe_arguments` predicts the argv length.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn pipe_arguments_match_argv(
        head in prop::sample::select(vec![
            &b"|"[..],
            b"|/bin/h",
            b"|/bin/h ",
            b"| \xA0/x%z ",
            b"|%z /x\t",
            b"|/x%",
        ]),
        body in pattern_bytes(120),
        d in dumping_crash(),
        k in prop::sample::select(vec!["5.3.0", "6.1.192", "7.3.4"]),
    ) {
        let k = KernelProfile::parse(k).unwrap();
        let mut pat = head.to_vec();
        pat.extend(body);
        let Ok(p) = ParseOptions::new().kernel(k).max_len(4096).parse(&pat) else {
            return Ok(());
        };
        if let Outcome::Pipe { argv, .. } = p.expand(&Settings::default(), &d.crash()) {
            prop_assert_eq!(p.pipe_arguments().len(), argv.len());
        }
    }

    /// The sysctl write model: what is stored is something the kernel can
    /// hold, and each `write(2)` returns -1 or its full length.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn sysctl_write_model(
        previous in spicy_bytes(200),
        chunks in vec(prop_oneof![spicy_bytes(200), vec(any::<u8>(), 0..200)], 1..4),
        suid in 0u8..=2,
        k in any_profile(),
    ) {
        let refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
        let w = write_sysctl(&k, &previous, &refs, suid);
        prop_assert!(w.stored.len() <= 127);
        prop_assert!(!w.stored.contains(&b'\n') && !w.stored.contains(&0));
        prop_assert_eq!(w.returns.len(), chunks.len());
        for (r, c) in w.returns.iter().zip(&chunks) {
            prop_assert!(*r == -1 || *r == c.len() as i64, "returned {} for {} bytes", r, c.len());
        }
        prop_assert_eq!(w.errno.is_some(), w.returns.contains(&-1));
        // What is stored always parses.
        prop_assert!(ParseOptions::new().kernel(k).parse(&w.stored).is_ok());
    }

    /// One write from offset 0 stores `stored_value` of the bytes, unless a
    /// `@` check can reject it or the write is empty.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn stored_value_matches_single_write(
        mut previous in spicy_bytes(200),
        (first, rest) in (any::<u8>(), prop_oneof![spicy_bytes(200), vec(any::<u8>(), 0..200)]),
        k in any_profile(),
    ) {
        // A non-empty chunk that does not start with `@`, over a previous
        // value that is not a `@` value.
        let mut chunk = vec![if first == b'@' { b'a' } else { first }];
        chunk.extend(rest);
        if previous.first() == Some(&b'@') {
            previous[0] = b'p';
        }
        let w = write_sysctl(&k, &previous, &[&chunk], 0);
        prop_assert_eq!(&w.stored[..], stored_value(&chunk));
        prop_assert_eq!(w.returns, vec![chunk.len() as i64]);
        prop_assert_eq!(w.errno, None);
        prop_assert_eq!(w.read_errno, None);
        prop_assert_eq!(w.dropped, chunk.len() - w.stored.len());
    }

    /// `expand_file_name_into` agrees with `expand` for file patterns: the
    /// same bytes, `BufferTooSmall` with the right length, or the same reason.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn expand_into_agrees(
        pat in pattern_bytes(200),
        d in crash_data(),
        s in settings(),
        k in any_profile(),
    ) {
        let Ok(p) = ParseOptions::new().kernel(k).max_len(4096).parse(&pat) else {
            return Ok(());
        };
        let crash = d.crash();
        let out = p.expand(&s, &crash);
        if p.mode() != Mode::File {
            prop_assert_eq!(
                p.expand_file_name_into(&s, &crash, &mut [0u8; 16]),
                Err(ExpandError::NotFileMode { mode: p.mode() })
            );
            return Ok(());
        }
        match out {
            Outcome::File { name } => {
                let mut buf = vec![0xEEu8; name.len() + 3];
                prop_assert_eq!(p.expand_file_name_into(&s, &crash, &mut buf), Ok(name.len()));
                prop_assert_eq!(&buf[..name.len()], &name[..]);
                let mut exact = vec![0u8; name.len()];
                prop_assert_eq!(p.expand_file_name_into(&s, &crash, &mut exact), Ok(name.len()));
                prop_assert_eq!(&exact, &name);
                for short in [0, name.len() / 2, name.len() - 1] {
                    let mut buf = vec![0u8; short];
                    prop_assert_eq!(
                        p.expand_file_name_into(&s, &crash, &mut buf),
                        Err(ExpandError::BufferTooSmall { required: name.len() })
                    );
                }
            }
            Outcome::NoDump { reason } => {
                // Ask for the size, then expand into a buffer that fits.
                let required = match p.expand_file_name_into(&s, &crash, &mut []) {
                    Err(ExpandError::BufferTooSmall { required }) => required,
                    other => {
                        prop_assert_eq!(other, Err(ExpandError::NoDump(reason)));
                        return Ok(());
                    }
                };
                let mut buf = vec![0u8; required];
                prop_assert_eq!(
                    p.expand_file_name_into(&s, &crash, &mut buf),
                    Err(ExpandError::NoDump(reason))
                );
            }
            other => prop_assert!(false, "file pattern gave {:?}", other),
        }
    }

    /// Kernel versions print and parse back, and order like their numbers.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn kernel_version_round_trip(
        a in (any::<u16>(), any::<u16>(), any::<u32>(), prop::option::of(any::<u16>())),
        b in (any::<u16>(), any::<u16>(), any::<u32>(), prop::option::of(any::<u16>())),
    ) {
        let mk = |(major, minor, patch, rc): (u16, u16, u32, Option<u16>)| match rc {
            Some(rc) => KernelVersion::rc(major, minor, rc),
            None => KernelVersion::new(major, minor, patch),
        };
        let (va, vb) = (mk(a), mk(b));
        prop_assert_eq!(KernelVersion::parse(&va.to_string()), Ok(va));
        let key = |v: KernelVersion| (v.major, v.minor, v.patch, v.rc.map_or(u32::MAX, u32::from));
        prop_assert_eq!(va.cmp(&vb), key(va).cmp(&key(vb)));
        prop_assert_eq!(va.at_least(vb), va >= vb);
    }
}
