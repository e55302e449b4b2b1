//! The C ABI (`core_pattern::ffi`, feature `capi`) called from Rust through
//! raw pointers, as C and Go call it.
//!
//! - The buffer protocol of every byte output: the size query
//!   (`NULL`, 0), a buffer one byte short (left untouched, `*out_len` the
//!   length needed) and the exact size. Buffers are allocated at their exact
//!   length, so Miri reports any write past `buf_len`.
//! - NULL for every pointer parameter: `CPAT_RESULT_NULL_PARAMETER` or the
//!   documented NULL value, never a crash; `_free(NULL)` is a no-op.
//! - Every handle created is freed (Miri's leak check sees the rest).
//! - Agreement with the Rust API: expansion, the sysctl model, lints,
//!   matching, manifests; a proptest drives `cpat_pattern_expand_file_name`
//!   with arbitrary patterns and buffer lengths 0..300 behind a guard region.
//!
//! The non-proptest tests are small and do no file I/O, so that
//! `cargo +nightly miri test --features capi --test ffi` runs them.
//!
//! Every `unsafe` block below calls a `cpat_*` function with pointers to
//! live locals or live handles of the same test and their true lengths.
#![cfg(feature = "capi")]

use core_pattern::ffi::cpat_result::*;
use core_pattern::ffi::*;
use core_pattern::k8s::{CheckOptions, ManifestSet, try_check};
use core_pattern::lint::{self, Severity};
use core_pattern::reverse::{MatchOptions, Target};
use core_pattern::{
    CoreLimit, Crash, Feature, KernelProfile, Outcome, ParseOptions, Pattern, Settings, Signal,
    TokenKind, write_sysctl,
};
use std::ffi::CStr;
use std::ptr::{self, NonNull};

const SENTINEL: u8 = 0xA5;
const ACS: &[u8] = b"/data/dump-a/core-%E-%p-%t";
const ACS_NAME: &[u8] = b"/data/dump-a/core-!usr!bin!myapp-1234-1700000000";
const SYSTEMD: &[u8] = b"|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F";

// ---------------------------------------------------------------------------
// Helpers

/// A pointer that is not NULL and must never be written through: `*out`
/// is set to it before calls that must leave `*out` alone.
fn poison<T>() -> *mut T {
    NonNull::<T>::dangling().as_ptr()
}

fn cstr(p: *const std::ffi::c_char) -> &'static str {
    assert!(!p.is_null());
    // SAFETY: the library returns static NUL-terminated strings.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap()
}

fn kernel(release: &str, backports: u32) -> *mut cpat_kernel {
    let mut k = ptr::null_mut();
    // SAFETY: see the module docs.
    let rc = unsafe { cpat_kernel_parse(release.as_ptr(), release.len(), backports, &mut k) };
    assert_eq!(rc, CPAT_RESULT_OK, "{release}");
    assert!(!k.is_null());
    k
}

fn parse_k(s: &[u8], k: *const cpat_kernel) -> *mut cpat_pattern {
    let mut p = ptr::null_mut();
    let mut d = cpat_diag::default();
    // SAFETY: see the module docs.
    let rc = unsafe { cpat_pattern_parse(s.as_ptr(), s.len(), k, &mut p, &mut d) };
    assert_eq!(rc, CPAT_RESULT_OK, "{:?}", String::from_utf8_lossy(s));
    assert!(!p.is_null());
    p
}

fn parse(s: &[u8]) -> *mut cpat_pattern {
    parse_k(s, ptr::null())
}

fn c_settings(s: &Settings) -> cpat_settings {
    cpat_settings {
        core_uses_pid: u32::from(s.core_uses_pid),
        suid_dumpable: s.suid_dumpable,
        core_pipe_limit: s.core_pipe_limit,
    }
}

/// Reads one byte output through the whole buffer protocol and checks it on
/// the way: the size query, a buffer of exactly `need - 1` bytes (untouched),
/// then one of exactly `need` bytes. `Err` is the result of the size query
/// when it is neither OK nor BUFFER_TOO_SMALL.
fn read_buf(f: impl Fn(*mut u8, usize, *mut usize) -> cpat_result) -> Result<Vec<u8>, cpat_result> {
    let mut need = usize::MAX;
    match f(ptr::null_mut(), 0, &mut need) {
        CPAT_RESULT_OK => {
            assert_eq!(need, 0, "the size query succeeded, so the output is empty");
            return Ok(Vec::new());
        }
        CPAT_RESULT_BUFFER_TOO_SMALL => assert!(need > 0),
        other => return Err(other),
    }
    // One byte short, in an allocation of exactly that size.
    let mut short = vec![SENTINEL; need - 1].into_boxed_slice();
    let mut n = 0;
    assert_eq!(
        f(short.as_mut_ptr(), short.len(), &mut n),
        CPAT_RESULT_BUFFER_TOO_SMALL
    );
    assert_eq!(n, need);
    assert!(
        short.iter().all(|&b| b == SENTINEL),
        "a short buffer was written to"
    );
    // Exactly the size.
    let mut exact = vec![SENTINEL; need].into_boxed_slice();
    let mut n = usize::MAX;
    assert_eq!(f(exact.as_mut_ptr(), exact.len(), &mut n), CPAT_RESULT_OK);
    assert_eq!(n, need);
    // A NULL out_len is refused.
    assert_eq!(
        f(exact.as_mut_ptr(), exact.len(), ptr::null_mut()),
        CPAT_RESULT_NULL_PARAMETER
    );
    Ok(exact.into_vec())
}

/// Everything an outcome handle says, read through the C ABI.
#[derive(Debug, PartialEq, Eq)]
enum COutcome {
    File(Vec<u8>),
    Pipe(Vec<Vec<u8>>, bool),
    Socket(Vec<u8>, bool),
    None(u32),
}

fn read_outcome(o: *const cpat_outcome) -> COutcome {
    // SAFETY (all blocks of this function): `o` is a live outcome.
    let kind = unsafe { cpat_outcome_kind(o) };
    let reason = unsafe { cpat_outcome_reason(o) };
    let argc = unsafe { cpat_outcome_argc(o) };
    let pidfd = unsafe { cpat_outcome_pidfd(o) };
    let request = unsafe { cpat_outcome_request(o) };
    let path = read_buf(|b, l, n| unsafe { cpat_outcome_path(o, b, l, n) });
    let arg_past = read_buf(|b, l, n| unsafe { cpat_outcome_arg(o, argc, b, l, n) });
    assert_eq!(arg_past, Err(CPAT_RESULT_INVALID_ARGUMENT));
    if kind != CPAT_OUTCOME_NONE {
        assert_eq!(reason, 0);
    }
    if kind != CPAT_OUTCOME_PIPE {
        assert_eq!(argc, 0);
        assert!(!pidfd);
    }
    if kind != CPAT_OUTCOME_SOCKET {
        assert!(!request);
    }
    match kind {
        CPAT_OUTCOME_FILE => COutcome::File(path.unwrap()),
        CPAT_OUTCOME_SOCKET => COutcome::Socket(path.unwrap(), request),
        CPAT_OUTCOME_PIPE => {
            assert_eq!(path, Err(CPAT_RESULT_INVALID_ARGUMENT));
            let argv = (0..argc)
                .map(|i| read_buf(|b, l, n| unsafe { cpat_outcome_arg(o, i, b, l, n) }).unwrap())
                .collect();
            COutcome::Pipe(argv, pidfd)
        }
        CPAT_OUTCOME_NONE => {
            assert_eq!(path, Err(CPAT_RESULT_INVALID_ARGUMENT));
            assert!((200..300).contains(&reason), "{reason}");
            COutcome::None(reason)
        }
        other => panic!("outcome kind {other}"),
    }
}

fn rust_outcome(o: &Outcome) -> COutcome {
    match o {
        Outcome::File { name } => COutcome::File(name.clone()),
        Outcome::Pipe { argv, pidfd } => COutcome::Pipe(argv.clone(), *pidfd),
        Outcome::Socket { path, request } => COutcome::Socket(path.clone(), *request),
        Outcome::NoDump { reason } => COutcome::None(reason.code()),
        other => panic!("an outcome the C ABI test does not know: {other:?}"),
    }
}

/// Expands through `cpat_pattern_expand` and reads the outcome back.
fn ffi_expand(p: *const cpat_pattern, s: &Settings, c: &Crash<'_>) -> COutcome {
    let cs = c_settings(s);
    let cc = cpat_crash::from(c);
    let mut o = ptr::null_mut();
    // SAFETY: see the module docs.
    assert_eq!(
        unsafe { cpat_pattern_expand(p, &cs, &cc, &mut o) },
        CPAT_RESULT_OK
    );
    let out = read_outcome(o);
    // SAFETY: created above, freed once.
    unsafe { cpat_outcome_free(o) };
    out
}

// ---------------------------------------------------------------------------
// Version, result codes, names

#[test]
fn version_matches_the_crate() {
    let v = cstr(cpat_version_string());
    assert_eq!(v, env!("CARGO_PKG_VERSION"));
    let parts: Vec<u32> = v.split('.').map(|x| x.parse().unwrap()).collect();
    assert_eq!(cpat_version(), parts[0] << 16 | parts[1] << 8 | parts[2]);
}

#[test]
fn every_result_code_has_its_name_and_a_message() {
    let known = [
        CPAT_RESULT_OK,
        CPAT_RESULT_PARSE_TOO_LONG,
        CPAT_RESULT_PARSE_NEWLINE,
        CPAT_RESULT_PARSE_NUL,
        CPAT_RESULT_BAD_KERNEL_RELEASE,
        CPAT_RESULT_NO_DUMP_SIGNAL_NOT_CORE,
        CPAT_RESULT_NO_DUMP_NOT_DUMPABLE,
        CPAT_RESULT_NO_DUMP_EMPTY_PIPE,
        CPAT_RESULT_NO_DUMP_EXE_PATH_TOO_LONG,
        CPAT_RESULT_NO_DUMP_SOCKET_INVALID,
        CPAT_RESULT_NO_DUMP_CORE_LIMIT_BELOW_PAGE,
        CPAT_RESULT_NO_DUMP_SUID_NEEDS_ABSOLUTE,
        CPAT_RESULT_NO_DUMP_EMPTY_NAME,
        CPAT_RESULT_NO_DUMP_NAME_TOO_LONG,
        CPAT_RESULT_NO_DUMP_PATH_TOO_LONG,
        CPAT_RESULT_NO_DUMP_PIPE_RLIMIT_ONE,
        CPAT_RESULT_NO_DUMP_HELPER_NOT_ABSOLUTE,
        CPAT_RESULT_NOT_FILE_MODE,
        CPAT_RESULT_MATCH_NO_FIELDS,
        CPAT_RESULT_MATCH_WRONG_TARGET,
        CPAT_RESULT_MANIFEST_SYNTAX,
        CPAT_RESULT_MANIFEST_FIELD,
        CPAT_RESULT_MANIFEST_TOO_LARGE,
        CPAT_RESULT_NULL_PARAMETER,
        CPAT_RESULT_BUFFER_TOO_SMALL,
        CPAT_RESULT_INVALID_UTF8,
        CPAT_RESULT_INVALID_ARGUMENT,
        CPAT_RESULT_PANIC,
    ];
    for r in known {
        // The name is the enumerator's name in the header (= the Rust name).
        assert_eq!(cstr(cpat_result_name(r as u32)), format!("{r:?}"));
        let msg = cstr(cpat_result_message(r as u32));
        assert!(!msg.is_empty() && msg != "unknown result code", "{r:?}");
    }
    // Every other code in the bands is unknown.
    let named = (0..1000u32)
        .filter(|&c| cstr(cpat_result_name(c)) != "CPAT_RESULT_UNKNOWN")
        .count();
    assert_eq!(named, known.len());
    for c in [1, 103, 212, 302, 403, 500, 904, 1000, u32::MAX] {
        assert_eq!(cstr(cpat_result_name(c)), "CPAT_RESULT_UNKNOWN");
        assert_eq!(cstr(cpat_result_message(c)), "unknown result code");
    }
}

#[test]
fn lint_names_match_the_rust_kinds() {
    for k in core_pattern::lint::LintKind::ALL {
        assert_eq!(cstr(cpat_lint_name(k.code())), k.name());
    }
    assert_eq!(cstr(cpat_lint_name(509)), "no-unique-field");
    for c in [0, 499, 525, 999, u32::MAX] {
        assert_eq!(cstr(cpat_lint_name(c)), "unknown");
    }
}

// ---------------------------------------------------------------------------
// Kernels and parsing

#[test]
fn kernel_parse_results() {
    // The %F backport decides how `%F` parses.
    let k = kernel("6.1.192", CPAT_FEATURE_SPEC_PIDFD);
    let plain = kernel("6.1.192", 0);
    let newest = kernel("", 0);
    for (kp, rust, want) in [
        (
            k,
            KernelProfile::parse("6.1.192")
                .unwrap()
                .with_feature(Feature::SpecPidfd),
            CPAT_TOKEN_SPECIFIER,
        ),
        (
            plain,
            KernelProfile::parse("6.1.192").unwrap(),
            CPAT_TOKEN_UNKNOWN,
        ),
        (newest, KernelProfile::latest(), CPAT_TOKEN_SPECIFIER),
    ] {
        let p = parse_k(b"|/bin/h %F", kp);
        let mut t = cpat_token::default();
        // SAFETY: see the module docs.
        assert_eq!(
            unsafe { cpat_pattern_token_get(p, 3, &mut t) },
            CPAT_RESULT_OK
        );
        assert_eq!((t.kind, t.specifier), (want, u32::from(b'F')));
        let rp = ParseOptions::new()
            .kernel(rust)
            .parse(b"|/bin/h %F")
            .unwrap();
        let want = rust_outcome(&rp.expand(&Settings::default(), &Crash::example()));
        assert_eq!(ffi_expand(p, &Settings::default(), &Crash::example()), want);
        // SAFETY: created above, freed once.
        unsafe { cpat_pattern_free(p) };
    }
    // SAFETY: created above, freed once each.
    unsafe {
        cpat_kernel_free(k);
        cpat_kernel_free(plain);
        cpat_kernel_free(newest);
    }

    // NULL with length 0 is the empty release: the newest kernel.
    let mut k = ptr::null_mut();
    // SAFETY: see the module docs.
    assert_eq!(
        unsafe { cpat_kernel_parse(ptr::null(), 0, 0, &mut k) },
        CPAT_RESULT_OK
    );
    // SAFETY: created above, freed once.
    unsafe { cpat_kernel_free(k) };

    // Only the five CPAT_FEATURE_* bits are accepted.
    let known = [
        CPAT_FEATURE_SPEC_EXE_NAME,
        CPAT_FEATURE_SPEC_CPU,
        CPAT_FEATURE_SPEC_PIDFD,
        CPAT_FEATURE_SOCKET_MODE,
        CPAT_FEATURE_SOCKET_REQUEST_MODE,
    ];
    for bit in (0..32).map(|i| 1u32 << i) {
        let mut k = poison();
        // SAFETY: see the module docs.
        let rc = unsafe { cpat_kernel_parse(b"5.4.0".as_ptr(), 5, bit, &mut k) };
        if known.contains(&bit) {
            assert_eq!(rc, CPAT_RESULT_OK, "bit {bit:#x}");
            assert_ne!(k, poison());
            // SAFETY: created above, freed once.
            unsafe { cpat_kernel_free(k) };
        } else {
            assert_eq!(rc, CPAT_RESULT_INVALID_ARGUMENT, "bit {bit:#x}");
            assert_eq!(k, poison(), "*out written on error");
        }
    }
    // All five at once: an old kernel with every backport.
    let all = known.iter().fold(0, |a, b| a | b);
    let k = kernel("5.4.0", all);
    let rust = KernelProfile::parse("5.4.0")
        .unwrap()
        .with_feature(Feature::SpecExeName)
        .with_feature(Feature::SpecCpu)
        .with_feature(Feature::SpecPidfd)
        .with_feature(Feature::SocketMode)
        .with_feature(Feature::SocketRequestMode);
    for pat in [b"@@/run/x".as_slice(), b"@/run/x", b"|/h %f %C %F"] {
        let p = parse_k(pat, k);
        let rp = ParseOptions::new().kernel(rust).parse(pat).unwrap();
        let want = rust_outcome(&rp.expand(&Settings::default(), &Crash::example()));
        assert_eq!(ffi_expand(p, &Settings::default(), &Crash::example()), want);
        // SAFETY: created above, freed once.
        unsafe { cpat_pattern_free(p) };
    }
    // SAFETY: created above, freed once.
    unsafe { cpat_kernel_free(k) };

    let cases: [(&[u8], cpat_result); 4] = [
        (b"not a kernel", CPAT_RESULT_BAD_KERNEL_RELEASE),
        (b"6.", CPAT_RESULT_BAD_KERNEL_RELEASE),
        (b"6.\xff", CPAT_RESULT_INVALID_UTF8),
        (b"\xc3", CPAT_RESULT_INVALID_UTF8),
    ];
    for (input, want) in cases {
        let mut k = poison();
        // SAFETY: see the module docs.
        let rc = unsafe { cpat_kernel_parse(input.as_ptr(), input.len(), 0, &mut k) };
        assert_eq!(rc, want, "{input:?}");
        assert_eq!(k, poison(), "*out written on error");
    }
}

#[test]
fn parse_tokens_agree_with_rust() {
    for s in [
        ACS,
        SYSTEMD,
        b"core.%z%".as_slice(),
        b"@@/run/x",
        b"@/run/x",
        b"",
        b" |/x %p",
        b"/cores/\xff%e.%p",
    ] {
        let p = parse(s);
        let rust = Pattern::parse(s).unwrap();
        // SAFETY (all blocks of this loop): `p` is live.
        let mode = unsafe { cpat_pattern_mode(p) };
        let want_mode = match rust.mode() {
            core_pattern::Mode::File => CPAT_MODE_FILE,
            core_pattern::Mode::Pipe => CPAT_MODE_PIPE,
            core_pattern::Mode::Socket => CPAT_MODE_SOCKET,
            _ => CPAT_MODE_SOCKET_REQUEST,
        };
        assert_eq!(mode, want_mode);
        let n = unsafe { cpat_pattern_token_count(p) };
        assert_eq!(n, rust.tokens().len());
        for (i, rt) in rust.tokens().iter().enumerate() {
            let mut t = cpat_token::default();
            assert_eq!(
                unsafe { cpat_pattern_token_get(p, i, &mut t) },
                CPAT_RESULT_OK
            );
            let (kind, spec) = match rt.kind {
                TokenKind::ModePrefix => (CPAT_TOKEN_MODE_PREFIX, 0),
                TokenKind::Literal => (CPAT_TOKEN_LITERAL, 0),
                TokenKind::Spec(s) => (CPAT_TOKEN_SPECIFIER, u32::from(s.byte())),
                TokenKind::Unknown(b) => (CPAT_TOKEN_UNKNOWN, u32::from(b)),
                TokenKind::TrailingPercent => (CPAT_TOKEN_TRAILING_PERCENT, 0),
                _ => (CPAT_TOKEN_SPACE, 0),
            };
            assert_eq!(
                t,
                cpat_token {
                    kind,
                    specifier: spec,
                    start: rt.span.start,
                    end: rt.span.end
                }
            );
        }
        let mut t = cpat_token::default();
        assert_eq!(
            unsafe { cpat_pattern_token_get(p, n, &mut t) },
            CPAT_RESULT_INVALID_ARGUMENT
        );
        assert_eq!(
            unsafe { cpat_pattern_token_get(p, usize::MAX, &mut t) },
            CPAT_RESULT_INVALID_ARGUMENT
        );
        // SAFETY: created above, freed once.
        unsafe { cpat_pattern_free(p) };
    }
}

#[test]
fn parse_errors_fill_diag_and_leave_out_alone() {
    let too_long: Vec<u8> = std::iter::once(b'/').chain([b'a'; 127]).collect();
    let cases: [(&[u8], cpat_result, u32, u32); 4] = [
        (b"core\n.%p", CPAT_RESULT_PARSE_NEWLINE, 4, 5),
        (&too_long, CPAT_RESULT_PARSE_TOO_LONG, 127, 128),
        (b"co\0re", CPAT_RESULT_PARSE_NUL, 2, 3),
        (b"a\0b\nc", CPAT_RESULT_PARSE_NUL, 1, 2),
    ];
    for (input, want, start, end) in cases {
        let mut p = poison();
        let mut d = cpat_diag {
            aux_start: 7,
            aux_end: 7,
            ..Default::default()
        };
        // SAFETY: see the module docs.
        let rc =
            unsafe { cpat_pattern_parse(input.as_ptr(), input.len(), ptr::null(), &mut p, &mut d) };
        assert_eq!(rc, want);
        assert_eq!(p, poison(), "*out written on error");
        assert_eq!(
            d,
            cpat_diag {
                code: want as u32,
                start,
                end,
                aux_start: 0,
                aux_end: 0
            }
        );
        let rust = Pattern::parse(input).unwrap_err();
        assert_eq!(
            (rust.code(), rust.span().start, rust.span().end),
            (want as u32, start, end)
        );
        // diag may be NULL.
        // SAFETY: see the module docs.
        let rc = unsafe {
            cpat_pattern_parse(
                input.as_ptr(),
                input.len(),
                ptr::null(),
                &mut p,
                ptr::null_mut(),
            )
        };
        assert_eq!(rc, want);
    }
    // 127 bytes parse.
    let p = parse(&too_long[..127]);
    // SAFETY: created above, freed once.
    unsafe { cpat_pattern_free(p) };
}

// ---------------------------------------------------------------------------
// The buffer protocol

#[test]
fn expand_file_name_buffer_protocol() {
    let p = parse(ACS);
    let c = cpat_crash::from(&Crash::example());
    let need = ACS_NAME.len();

    // 1. Size query.
    let mut n = 0;
    // SAFETY: see the module docs.
    let rc =
        unsafe { cpat_pattern_expand_file_name(p, ptr::null(), &c, ptr::null_mut(), 0, &mut n) };
    assert_eq!((rc, n), (CPAT_RESULT_BUFFER_TOO_SMALL, need));

    // 2. Every short length leaves the buffer (and what follows) untouched.
    let mut buf = vec![SENTINEL; need + 16];
    for len in [0, 1, need / 2, need - 1] {
        let mut n = 0;
        // SAFETY: `buf` has at least `len` bytes.
        let rc = unsafe {
            cpat_pattern_expand_file_name(p, ptr::null(), &c, buf.as_mut_ptr(), len, &mut n)
        };
        assert_eq!((rc, n), (CPAT_RESULT_BUFFER_TOO_SMALL, need), "len {len}");
        assert!(buf.iter().all(|&b| b == SENTINEL), "len {len}: written to");
    }

    // 3. The exact size, in an allocation of exactly that size.
    let mut exact = vec![0u8; need].into_boxed_slice();
    let mut n = 0;
    // SAFETY: `exact` has `need` bytes.
    let rc = unsafe {
        cpat_pattern_expand_file_name(p, ptr::null(), &c, exact.as_mut_ptr(), need, &mut n)
    };
    assert_eq!((rc, n), (CPAT_RESULT_OK, need));
    assert_eq!(&exact[..], ACS_NAME);

    // 4. Larger: only `need` bytes written, no NUL.
    // SAFETY: `buf` has `buf.len()` bytes.
    let rc = unsafe {
        cpat_pattern_expand_file_name(p, ptr::null(), &c, buf.as_mut_ptr(), buf.len(), &mut n)
    };
    assert_eq!((rc, n), (CPAT_RESULT_OK, need));
    assert_eq!(&buf[..need], ACS_NAME);
    assert!(buf[need..].iter().all(|&b| b == SENTINEL));

    // It agrees with the Rust API.
    let mut rbuf = [0u8; 64];
    let rn = Pattern::parse(ACS)
        .unwrap()
        .expand_file_name_into(&Settings::default(), &Crash::example(), &mut rbuf)
        .unwrap();
    assert_eq!(&rbuf[..rn], &exact[..]);

    // NULL buffer with a length; NULL out_len.
    // SAFETY: see the module docs.
    unsafe {
        let rc = cpat_pattern_expand_file_name(p, ptr::null(), &c, ptr::null_mut(), 64, &mut n);
        assert_eq!(rc, CPAT_RESULT_NULL_PARAMETER);
        let rc = cpat_pattern_expand_file_name(
            p,
            ptr::null(),
            &c,
            buf.as_mut_ptr(),
            buf.len(),
            ptr::null_mut(),
        );
        assert_eq!(rc, CPAT_RESULT_NULL_PARAMETER);
        cpat_pattern_free(p);
    }
}

#[test]
fn expand_file_name_long_names_use_the_heap_path() {
    // Over the 512-byte stack buffer inside the library: three 200-byte %E.
    let exe: Vec<u8> = std::iter::once(b'/').chain([b'x'; 199]).collect();
    let crash = Crash::example().with_exe(Some(&exe));
    let pat = b"/c/%E/%E/%E";
    let rust = Pattern::parse(pat).unwrap();
    let Outcome::File { name } = rust.expand(&Settings::default(), &crash) else {
        panic!("not a file outcome")
    };
    assert!(name.len() > 512, "{}", name.len());
    let p = parse(pat);
    let c = cpat_crash::from(&crash);
    // SAFETY: see the module docs.
    let got =
        read_buf(|b, l, n| unsafe { cpat_pattern_expand_file_name(p, ptr::null(), &c, b, l, n) });
    assert_eq!(got.unwrap(), name);

    // A component over 255 bytes: the no-dump reason, whatever the buffer.
    let exe: Vec<u8> = std::iter::once(b'/').chain([b'y'; 299]).collect();
    let crash = Crash::example().with_exe(Some(&exe));
    let c = cpat_crash::from(&crash);
    let want = rust_outcome(&rust.expand(&Settings::default(), &crash));
    assert_eq!(
        want,
        COutcome::None(CPAT_RESULT_NO_DUMP_NAME_TOO_LONG as u32)
    );
    for len in [0usize, 10, 1000] {
        let mut buf = vec![SENTINEL; len];
        let mut n = 0;
        let bp = if len == 0 {
            ptr::null_mut()
        } else {
            buf.as_mut_ptr()
        };
        // SAFETY: `buf` has `len` bytes.
        let rc = unsafe { cpat_pattern_expand_file_name(p, ptr::null(), &c, bp, len, &mut n) };
        assert_eq!(rc, CPAT_RESULT_NO_DUMP_NAME_TOO_LONG, "len {len}");
        assert!(buf.iter().all(|&b| b == SENTINEL));
    }
    // SAFETY: created above, freed once.
    unsafe { cpat_pattern_free(p) };
}

#[test]
fn expand_file_name_errors() {
    let c = cpat_crash::from(&Crash::example());
    let mut buf = [SENTINEL; 64];
    let mut n = 0;
    for (pat, want) in [
        (SYSTEMD, CPAT_RESULT_NOT_FILE_MODE),
        (b"@@/run/x".as_slice(), CPAT_RESULT_NOT_FILE_MODE),
        (b"", CPAT_RESULT_NO_DUMP_EMPTY_NAME),
    ] {
        let p = parse(pat);
        // SAFETY: see the module docs.
        let rc = unsafe {
            cpat_pattern_expand_file_name(p, ptr::null(), &c, buf.as_mut_ptr(), buf.len(), &mut n)
        };
        assert_eq!(rc, want, "{:?}", String::from_utf8_lossy(pat));
        assert!(buf.iter().all(|&b| b == SENTINEL));
        // SAFETY: created above, freed once.
        unsafe { cpat_pattern_free(p) };
    }
    // A core limit of 0.
    let p = parse(ACS);
    let c0 = cpat_crash {
        core_limit_unlimited: false,
        core_limit: 0,
        ..c
    };
    // SAFETY: see the module docs.
    let rc = unsafe {
        cpat_pattern_expand_file_name(p, ptr::null(), &c0, buf.as_mut_ptr(), buf.len(), &mut n)
    };
    assert_eq!(rc, CPAT_RESULT_NO_DUMP_CORE_LIMIT_BELOW_PAGE);
    // SAFETY: created above, freed once.
    unsafe { cpat_pattern_free(p) };
}

// ---------------------------------------------------------------------------
// Expansion, sysctl, lints, matching, manifests: agreement with Rust

#[test]
fn expand_agrees_with_rust() {
    let comm_ff = [0xffu8];
    let crashes = [
        Crash::example(),
        Crash::example().with_comm(&comm_ff).with_exe(None),
        Crash::example().with_core_limit(CoreLimit::Bytes(0)),
        Crash::example()
            .with_dumpable(2)
            .with_signal(Signal::new(9)),
    ];
    let settings = [
        Settings::default(),
        Settings::new()
            .with_core_uses_pid(true)
            .with_suid_dumpable(2)
            .with_core_pipe_limit(4),
    ];
    let patterns: [&[u8]; 6] = [ACS, SYSTEMD, b"@@/run/x", b"core", b"|", b"/cores/%e.%h"];
    for pat in patterns {
        let p = parse(pat);
        let rust = Pattern::parse(pat).unwrap();
        for c in &crashes {
            for s in &settings {
                let want = rust_outcome(&rust.expand(s, c));
                assert_eq!(
                    ffi_expand(p, s, c),
                    want,
                    "{:?}",
                    String::from_utf8_lossy(pat)
                );
            }
        }
        // SAFETY: created above, freed once.
        unsafe { cpat_pattern_free(p) };
    }
    // The headline cases.
    let p = parse(SYSTEMD);
    match ffi_expand(p, &Settings::default(), &Crash::example()) {
        COutcome::Pipe(argv, pidfd) => {
            assert_eq!(argv.len(), 10);
            assert_eq!(argv[1], b"51234");
            assert!(pidfd);
        }
        other => panic!("{other:?}"),
    }
    // SAFETY: created above, freed once.
    unsafe { cpat_pattern_free(p) };
    let p = parse(b"@@/run/x");
    assert_eq!(
        ffi_expand(p, &Settings::default(), &Crash::example()),
        COutcome::Socket(b"/run/x".to_vec(), true)
    );
    // SAFETY: created above, freed once.
    unsafe { cpat_pattern_free(p) };
}

fn ffi_sysctl(
    k: *const cpat_kernel,
    prev: &[u8],
    chunks: &[&[u8]],
    suid: u8,
) -> (Vec<i64>, cpat_write_info, Vec<u8>) {
    let ptrs: Vec<*const u8> = chunks.iter().map(|c| c.as_ptr()).collect();
    let lens: Vec<usize> = chunks.iter().map(|c| c.len()).collect();
    let mut returns = vec![i64::MIN; chunks.len()];
    let mut info = cpat_write_info::default();
    let rp = returns.as_mut_ptr();
    let ip = &raw mut info;
    // SAFETY: see the module docs; `returns` has one entry per chunk.
    let stored = read_buf(|b, l, n| unsafe {
        cpat_sysctl_write(
            k,
            prev.as_ptr(),
            prev.len(),
            ptrs.as_ptr(),
            lens.as_ptr(),
            chunks.len(),
            suid,
            rp,
            ip,
            b,
            l,
            n,
        )
    })
    .unwrap();
    (returns, info, stored)
}

#[test]
fn sysctl_write_agrees_with_rust() {
    let big: Vec<u8> = std::iter::once(b'/').chain([b'a'; 199]).collect();
    let k61612 = kernel("6.16.12", 0);
    /// (release, kernel handle, previous value, chunks, suid_dumpable)
    type Case<'a> = (&'a str, *const cpat_kernel, &'a [u8], Vec<&'a [u8]>, u8);
    let cases: [Case<'_>; 6] = [
        ("", ptr::null(), b"core", vec![b"/tmp/cor", b"es/%p\n"], 0),
        ("", ptr::null(), b"core", vec![&big], 0),
        ("", ptr::null(), b"core", vec![b"@run/x"], 0),
        ("6.16.12", k61612, b"core", vec![b"@run/x"], 0),
        ("", ptr::null(), b"core", vec![b"core", b""], 2),
        ("", ptr::null(), b"/old", vec![], 0),
    ];
    for (release, k, prev, chunks, suid) in cases {
        let rk = if release.is_empty() {
            KernelProfile::latest()
        } else {
            KernelProfile::parse(release).unwrap()
        };
        let w = write_sysctl(&rk, prev, &chunks, suid);
        let (returns, info, stored) = ffi_sysctl(k, prev, &chunks, suid);
        assert_eq!(returns, w.returns);
        assert_eq!(stored, w.stored);
        assert_eq!(info.errno_value, w.errno.map_or(0, |e| e.number()));
        assert_eq!(info.read_errno, w.read_errno.map_or(0, |e| e.number()));
        assert_eq!(info.dropped, w.dropped);
        assert_eq!(info.suid_warning, w.suid_warning);
    }
    // The headline numbers.
    let (r, info, stored) = ffi_sysctl(ptr::null(), b"core", &[&big], 0);
    assert_eq!((r[0], info.dropped, stored.len()), (200, 73, 127));
    let (r, info, stored) = ffi_sysctl(ptr::null(), b"core", &[b"@run/x"], 0);
    assert_eq!(
        (r[0], info.errno_value, stored.as_slice()),
        (-1, 22, b"core".as_slice())
    );
    let (_, info, stored) = ffi_sysctl(k61612, b"core", &[b"@run/x"], 0);
    assert_eq!(
        (info.errno_value, info.read_errno, stored.as_slice()),
        (0, 22, b"@run/x".as_slice())
    );
    // SAFETY: created above, freed once.
    unsafe { cpat_kernel_free(k61612) };
}

#[test]
fn lint_agrees_with_rust() {
    let k = kernel("6.1.192", 0);
    let rk = KernelProfile::parse("6.1.192").unwrap();
    let s = Settings::new().with_core_uses_pid(true);
    let cs = c_settings(&s);
    for input in [
        b"core\n".as_slice(),
        ACS,
        SYSTEMD,
        b"core.%p%u",
        b"|",
        b"/c/%C%F",
    ] {
        for (kp, rkp) in [(ptr::null(), KernelProfile::latest()), (k.cast_const(), rk)] {
            for (sp, rs) in [(ptr::null(), Settings::default()), (ptr::from_ref(&cs), s)] {
                let want = lint::check(input, &rkp, &rs);
                let mut r = ptr::null_mut();
                // SAFETY (all blocks of this loop): see the module docs.
                let rc = unsafe { cpat_lint(input.as_ptr(), input.len(), kp, sp, &mut r) };
                assert_eq!(rc, CPAT_RESULT_OK);
                let n = unsafe { cpat_lint_report_count(r) };
                assert_eq!(
                    n,
                    want.lints().len(),
                    "{:?}",
                    String::from_utf8_lossy(input)
                );
                for (i, l) in want.lints().iter().enumerate() {
                    let mut item = cpat_lint_item::default();
                    assert_eq!(
                        unsafe { cpat_lint_report_get(r, i, &mut item) },
                        CPAT_RESULT_OK
                    );
                    let sev = match l.severity() {
                        Severity::Info => CPAT_SEVERITY_INFO,
                        Severity::Warning => CPAT_SEVERITY_WARNING,
                        Severity::Error => CPAT_SEVERITY_ERROR,
                        other => panic!("a severity the C ABI test does not know: {other:?}"),
                    };
                    assert_eq!(
                        item,
                        cpat_lint_item {
                            code: l.code(),
                            severity: sev,
                            start: l.span().start,
                            end: l.span().end
                        }
                    );
                    let msg =
                        read_buf(|b, len, o| unsafe { cpat_lint_report_message(r, i, b, len, o) });
                    assert_eq!(msg.unwrap(), l.message().as_bytes());
                    let help =
                        read_buf(|b, len, o| unsafe { cpat_lint_report_help(r, i, b, len, o) });
                    assert_eq!(help.unwrap(), l.help().as_bytes());
                }
                let mut item = cpat_lint_item::default();
                assert_eq!(
                    unsafe { cpat_lint_report_get(r, n, &mut item) },
                    CPAT_RESULT_INVALID_ARGUMENT
                );
                let past =
                    read_buf(|b, len, o| unsafe { cpat_lint_report_message(r, n, b, len, o) });
                assert_eq!(past, Err(CPAT_RESULT_INVALID_ARGUMENT));
                let past = read_buf(|b, len, o| unsafe { cpat_lint_report_help(r, n, b, len, o) });
                assert_eq!(past, Err(CPAT_RESULT_INVALID_ARGUMENT));
                let stored = read_buf(|b, len, o| unsafe { cpat_lint_report_stored(r, b, len, o) });
                assert_eq!(stored.unwrap(), want.stored());
                // SAFETY: created above, freed once.
                unsafe { cpat_lint_report_free(r) };
            }
        }
    }
    // SAFETY: created above, freed once.
    unsafe { cpat_kernel_free(k) };
}

/// Everything a match result says: count, exactness, candidates with their
/// fields (letter, arg, span, bytes).
type CMatches = (u64, bool, Vec<Vec<(cpat_field, Vec<u8>)>>);

fn read_matches(r: *const cpat_matches) -> CMatches {
    // SAFETY (all blocks of this function): `r` is a live match result.
    let count = unsafe { cpat_matches_count(r) };
    let exact = unsafe { cpat_matches_exact(r) };
    let nc = unsafe { cpat_matches_candidate_count(r) };
    let mut cands = Vec::new();
    for c in 0..nc {
        let nf = unsafe { cpat_matches_field_count(r, c) };
        let mut fields = Vec::new();
        for f in 0..nf {
            let mut fl = cpat_field::default();
            assert_eq!(
                unsafe { cpat_matches_field(r, c, f, &mut fl) },
                CPAT_RESULT_OK
            );
            let bytes =
                read_buf(|b, l, n| unsafe { cpat_matches_field_bytes(r, c, f, b, l, n) }).unwrap();
            assert_eq!(bytes.len(), (fl.end - fl.start) as usize);
            fields.push((fl, bytes));
        }
        let mut fl = cpat_field::default();
        assert_eq!(
            unsafe { cpat_matches_field(r, c, nf, &mut fl) },
            CPAT_RESULT_INVALID_ARGUMENT
        );
        cands.push(fields);
    }
    assert_eq!(unsafe { cpat_matches_field_count(r, nc) }, 0);
    let mut fl = cpat_field::default();
    assert_eq!(
        unsafe { cpat_matches_field(r, nc, 0, &mut fl) },
        CPAT_RESULT_INVALID_ARGUMENT
    );
    (count, exact, cands)
}

fn rust_matches(m: &core_pattern::reverse::Matches<'_>, max: usize) -> CMatches {
    let cands = m
        .candidates(max)
        .iter()
        .map(|c| {
            c.fields()
                .iter()
                .map(|f| {
                    let fl = cpat_field {
                        specifier: u32::from(f.spec().byte()),
                        arg: f.arg().map_or(0, |a| u32::try_from(a).unwrap()),
                        start: f.span().start,
                        end: f.span().end,
                    };
                    (fl, f.bytes().to_vec())
                })
                .collect()
        })
        .collect();
    (m.count(), m.is_exact(), cands)
}

#[test]
fn match_name_agrees_with_rust() {
    /// (pattern, C target, Rust target, name, max_candidates)
    type Case<'a> = (&'a [u8], u32, Target, &'a [u8], usize);
    let cases: [Case<'_>; 6] = [
        (
            ACS,
            CPAT_TARGET_COMPONENT,
            Target::Component,
            b"core-!usr!bin!myapp-1234-1700000000",
            8,
        ),
        (ACS, CPAT_TARGET_PATH, Target::Path, ACS_NAME, 8),
        (ACS, CPAT_TARGET_PATH, Target::Path, b"vmcore", 8),
        (
            b"core.%p%u",
            CPAT_TARGET_PATH,
            Target::Path,
            b"core.12341000",
            2,
        ),
        (
            b"core.%p%u",
            CPAT_TARGET_PATH,
            Target::Path,
            b"core.12341000",
            0,
        ),
        (
            b"/cores/core.%e.%p",
            CPAT_TARGET_COMPONENT,
            Target::Component,
            b"core.\xff.1234",
            4,
        ),
    ];
    for (pat, ct, rt, name, max) in cases {
        let p = parse(pat);
        let rm = Pattern::parse(pat)
            .unwrap()
            .matcher(&Settings::default(), MatchOptions::new().target(rt))
            .unwrap();
        let want = rust_matches(&rm.match_name(name), max);
        let mut m = ptr::null_mut();
        let mut r = ptr::null_mut();
        // SAFETY: see the module docs.
        unsafe {
            assert_eq!(cpat_matcher_new(p, ptr::null(), ct, &mut m), CPAT_RESULT_OK);
            assert_eq!(
                cpat_matcher_match_name(m, name.as_ptr(), name.len(), max, &mut r),
                CPAT_RESULT_OK
            );
        }
        let got = read_matches(r);
        assert_eq!(got, want, "{:?}", String::from_utf8_lossy(name));
        assert!(got.2.len() <= max);
        // SAFETY: created above, freed once each.
        unsafe {
            cpat_matches_free(r);
            cpat_matcher_free(m);
            cpat_pattern_free(p);
        }
    }
    // The headline numbers.
    let p = parse(b"core.%p%u");
    let mut m = ptr::null_mut();
    let mut r = ptr::null_mut();
    // SAFETY: see the module docs.
    unsafe {
        assert_eq!(
            cpat_matcher_new(p, ptr::null(), CPAT_TARGET_PATH, &mut m),
            CPAT_RESULT_OK
        );
        assert_eq!(
            cpat_matcher_match_name(m, b"core.12341000".as_ptr(), 13, 2, &mut r),
            CPAT_RESULT_OK
        );
        assert_eq!(
            (cpat_matches_count(r), cpat_matches_candidate_count(r)),
            (5, 2)
        );
        cpat_matches_free(r);
        cpat_matcher_free(m);
        cpat_pattern_free(p);
    }
}

#[test]
fn match_argv_agrees_with_rust() {
    let p = parse(SYSTEMD);
    let rust = Pattern::parse(SYSTEMD).unwrap();
    let Outcome::Pipe { argv, .. } = rust.expand(&Settings::default(), &Crash::example()) else {
        panic!()
    };
    let rm = rust
        .matcher(&Settings::default(), MatchOptions::new())
        .unwrap();
    let mut m = ptr::null_mut();
    // SAFETY: see the module docs.
    assert_eq!(
        unsafe { cpat_matcher_new(p, ptr::null(), CPAT_TARGET_ARGV, &mut m) },
        CPAT_RESULT_OK
    );
    let mut wrong = argv.clone();
    wrong[0] = b"/bin/true".to_vec();
    for args in [&argv, &wrong, &Vec::new()] {
        let slices: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
        let want = rust_matches(&rm.match_argv(&slices), 4);
        let ptrs: Vec<*const u8> = args.iter().map(|a| a.as_ptr()).collect();
        let lens: Vec<usize> = args.iter().map(Vec::len).collect();
        let mut r = ptr::null_mut();
        // SAFETY: see the module docs.
        let rc = unsafe {
            cpat_matcher_match_argv(m, ptrs.as_ptr(), lens.as_ptr(), args.len(), 4, &mut r)
        };
        assert_eq!(rc, CPAT_RESULT_OK);
        assert_eq!(read_matches(r), want);
        // SAFETY: created above, freed once.
        unsafe { cpat_matches_free(r) };
    }
    let slices: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
    let found = rust_matches(&rm.match_argv(&slices), 4);
    assert_eq!(found.0, 1);
    assert_eq!(found.2[0][0].0.arg, 1);
    assert_eq!(found.2[0][0].1, b"51234");
    // SAFETY: created above, freed once each.
    unsafe {
        cpat_matcher_free(m);
        cpat_pattern_free(p);
    }
}

#[test]
fn matcher_new_errors() {
    let cases: [(&[u8], u32, cpat_result); 6] = [
        (b"@@/run/x", CPAT_TARGET_PATH, CPAT_RESULT_MATCH_NO_FIELDS),
        (b"@/run/x", CPAT_TARGET_ARGV, CPAT_RESULT_MATCH_NO_FIELDS),
        (ACS, CPAT_TARGET_ARGV, CPAT_RESULT_MATCH_WRONG_TARGET),
        (
            SYSTEMD,
            CPAT_TARGET_COMPONENT,
            CPAT_RESULT_MATCH_WRONG_TARGET,
        ),
        (ACS, 3, CPAT_RESULT_INVALID_ARGUMENT),
        (ACS, u32::MAX, CPAT_RESULT_INVALID_ARGUMENT),
    ];
    for (pat, target, want) in cases {
        let p = parse(pat);
        let mut m = poison();
        // SAFETY: see the module docs.
        assert_eq!(
            unsafe { cpat_matcher_new(p, ptr::null(), target, &mut m) },
            want
        );
        assert_eq!(m, poison(), "*out written on error");
        // SAFETY: created above, freed once.
        unsafe { cpat_pattern_free(p) };
    }
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    metadata:
      annotations:
        alibabacloud.com/core-pattern: \"/data/dump-a/core-%E-%p-%t\"
    spec:
      containers:
        - name: app
          image: app:1
";

#[test]
fn check_manifest_agrees_with_rust() {
    let want = try_check(
        &ManifestSet::parse("<input>", DEPLOYMENT).unwrap(),
        &CheckOptions::default(),
    )
    .unwrap();
    let mut has_errors = !want.has_errors();
    let mut d = cpat_diag::default();
    let he = &raw mut has_errors;
    let dp = &raw mut d;
    let json = read_buf(|b, l, n| {
        // SAFETY: see the module docs.
        unsafe { cpat_check_manifest(DEPLOYMENT.as_ptr(), DEPLOYMENT.len(), b, l, n, he, dp) }
    })
    .unwrap();
    assert_eq!(String::from_utf8(json).unwrap(), want.to_json().to_string());
    assert_eq!(has_errors, want.has_errors());
    assert!(has_errors, "the pattern's directory is not mounted");

    // Errors: the code, and the line in aux_start.
    let cases: [(&[u8], cpat_result); 4] = [
        (
            b"kind: Deployment\nmetadata: [a, b\n",
            CPAT_RESULT_MANIFEST_SYNTAX,
        ),
        (b"42\n", CPAT_RESULT_MANIFEST_FIELD),
        (b"kind: \xff\n", CPAT_RESULT_INVALID_UTF8),
        (b"kind: List\nitems: 3\n", CPAT_RESULT_MANIFEST_FIELD),
    ];
    for (text, want) in cases {
        let mut d = cpat_diag::default();
        let mut n = 0;
        // SAFETY: see the module docs.
        let rc = unsafe {
            cpat_check_manifest(
                text.as_ptr(),
                text.len(),
                ptr::null_mut(),
                0,
                &mut n,
                ptr::null_mut(),
                &mut d,
            )
        };
        assert_eq!(rc, want, "{:?}", String::from_utf8_lossy(text));
        if want == CPAT_RESULT_MANIFEST_SYNTAX {
            assert_eq!(d.code, want as u32);
            assert_eq!(d.aux_start, 2, "line");
            let rust =
                ManifestSet::parse("<input>", std::str::from_utf8(text).unwrap()).unwrap_err();
            let core_pattern::k8s::ManifestError::Syntax { line, column, .. } = rust else {
                panic!("{rust:?}")
            };
            assert_eq!(
                (Some(u64::from(d.aux_start)), Some(u64::from(d.aux_end))),
                (line, column)
            );
        } else if want != CPAT_RESULT_INVALID_UTF8 {
            assert_eq!(d.code, want as u32);
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "16 MiB of input is slow under Miri")]
fn check_manifest_too_large() {
    let text = vec![b' '; core_pattern::k8s::MAX_MANIFEST_BYTES + 1];
    let mut d = cpat_diag::default();
    let mut n = 0;
    // SAFETY: see the module docs.
    let rc = unsafe {
        cpat_check_manifest(
            text.as_ptr(),
            text.len(),
            ptr::null_mut(),
            0,
            &mut n,
            ptr::null_mut(),
            &mut d,
        )
    };
    assert_eq!(rc, CPAT_RESULT_MANIFEST_TOO_LARGE);
    assert_eq!(d.code, 402);
}

// ---------------------------------------------------------------------------
// NULL

#[test]
fn null_arguments_never_crash() {
    const NP: cpat_result = CPAT_RESULT_NULL_PARAMETER;
    let np = ptr::null_mut::<u8>();
    let c = cpat_crash::from(&Crash::example());
    let mut n = 0usize;
    let mut buf = [0u8; 8];
    let b = buf.as_mut_ptr();
    let p = parse(ACS);
    let pipe = parse(SYSTEMD);
    let mut o = ptr::null_mut();
    let mut m = ptr::null_mut();
    let mut r = ptr::null_mut();
    let mut lr = ptr::null_mut();
    // SAFETY: the non-NULL pointers are live; the NULL ones are what is tested.
    unsafe {
        // Free functions accept NULL.
        cpat_kernel_free(ptr::null_mut());
        cpat_pattern_free(ptr::null_mut());
        cpat_outcome_free(ptr::null_mut());
        cpat_lint_report_free(ptr::null_mut());
        cpat_matcher_free(ptr::null_mut());
        cpat_matches_free(ptr::null_mut());

        // Kernels.
        assert_eq!(
            cpat_kernel_parse(ptr::null(), 3, 0, &mut ptr::null_mut()),
            NP
        );
        assert_eq!(
            cpat_kernel_parse(b"6.1".as_ptr(), 3, 0, ptr::null_mut()),
            NP
        );

        // Patterns.
        let mut out = poison();
        assert_eq!(
            cpat_pattern_parse(ptr::null(), 4, ptr::null(), &mut out, ptr::null_mut()),
            NP
        );
        assert_eq!(out, poison());
        assert_eq!(
            cpat_pattern_parse(
                ACS.as_ptr(),
                ACS.len(),
                ptr::null(),
                ptr::null_mut(),
                ptr::null_mut()
            ),
            NP
        );
        assert_eq!(cpat_pattern_mode(ptr::null()), u32::MAX);
        assert_eq!(cpat_pattern_token_count(ptr::null()), 0);
        let mut t = cpat_token::default();
        assert_eq!(cpat_pattern_token_get(ptr::null(), 0, &mut t), NP);
        assert_eq!(cpat_pattern_token_get(p, 0, ptr::null_mut()), NP);

        // Sysctl.
        let one = [b"x".as_ptr()];
        let one_len = [1usize];
        let null_chunk = [ptr::null::<u8>()];
        let s = |prev: *const u8, pl, ch: *const *const u8, cl: *const usize, cn, sb, sl, so| {
            cpat_sysctl_write(
                ptr::null(),
                prev,
                pl,
                ch,
                cl,
                cn,
                0,
                ptr::null_mut(),
                ptr::null_mut(),
                sb,
                sl,
                so,
            )
        };
        assert_eq!(
            s(ptr::null(), 4, ptr::null(), ptr::null(), 0, b, 8, &mut n),
            NP
        );
        assert_eq!(
            s(
                ptr::null(),
                0,
                ptr::null(),
                one_len.as_ptr(),
                1,
                b,
                8,
                &mut n
            ),
            NP
        );
        assert_eq!(
            s(ptr::null(), 0, one.as_ptr(), ptr::null(), 1, b, 8, &mut n),
            NP
        );
        assert_eq!(
            s(
                ptr::null(),
                0,
                null_chunk.as_ptr(),
                one_len.as_ptr(),
                1,
                b,
                8,
                &mut n
            ),
            NP
        );
        assert_eq!(
            s(
                ptr::null(),
                0,
                one.as_ptr(),
                one_len.as_ptr(),
                1,
                b,
                8,
                ptr::null_mut()
            ),
            NP
        );
        assert_eq!(
            s(
                ptr::null(),
                0,
                one.as_ptr(),
                one_len.as_ptr(),
                1,
                np,
                8,
                &mut n
            ),
            NP
        );
        // All NULL with nothing to do is fine.
        assert_eq!(
            s(ptr::null(), 0, ptr::null(), ptr::null(), 0, np, 0, &mut n),
            CPAT_RESULT_OK
        );
        assert_eq!(n, 0);

        // Expansion.
        let bad = cpat_crash {
            hostname: ptr::null(),
            hostname_len: 1,
            ..c
        };
        let no_exe = cpat_crash {
            exe: ptr::null(),
            exe_len: 7,
            has_exe: false,
            ..c
        };
        assert_eq!(
            cpat_pattern_expand(ptr::null(), ptr::null(), &c, &mut o),
            NP
        );
        assert_eq!(cpat_pattern_expand(p, ptr::null(), ptr::null(), &mut o), NP);
        assert_eq!(cpat_pattern_expand(p, ptr::null(), &c, ptr::null_mut()), NP);
        assert_eq!(cpat_pattern_expand(p, ptr::null(), &bad, &mut o), NP);
        assert!(o.is_null());
        assert_eq!(
            cpat_pattern_expand(p, ptr::null(), &no_exe, &mut o),
            CPAT_RESULT_OK
        );
        cpat_outcome_free(o);
        assert_eq!(
            cpat_pattern_expand_file_name(ptr::null(), ptr::null(), &c, b, 8, &mut n),
            NP
        );
        assert_eq!(
            cpat_pattern_expand_file_name(p, ptr::null(), ptr::null(), b, 8, &mut n),
            NP
        );
        assert_eq!(
            cpat_pattern_expand_file_name(p, ptr::null(), &bad, b, 8, &mut n),
            NP
        );
        assert_eq!(
            cpat_pattern_expand_file_name(p, ptr::null(), &c, b, 8, ptr::null_mut()),
            NP
        );
        assert_eq!(cpat_outcome_kind(ptr::null()), u32::MAX);
        assert_eq!(cpat_outcome_reason(ptr::null()), 0);
        assert_eq!(cpat_outcome_argc(ptr::null()), 0);
        assert!(!cpat_outcome_pidfd(ptr::null()));
        assert!(!cpat_outcome_request(ptr::null()));
        assert_eq!(cpat_outcome_path(ptr::null(), b, 8, &mut n), NP);
        assert_eq!(cpat_outcome_arg(ptr::null(), 0, b, 8, &mut n), NP);

        // Lints.
        assert_eq!(
            cpat_lint(ptr::null(), 4, ptr::null(), ptr::null(), &mut lr),
            NP
        );
        assert_eq!(
            cpat_lint(
                ACS.as_ptr(),
                ACS.len(),
                ptr::null(),
                ptr::null(),
                ptr::null_mut()
            ),
            NP
        );
        assert!(lr.is_null());
        assert_eq!(
            cpat_lint(ptr::null(), 0, ptr::null(), ptr::null(), &mut lr),
            CPAT_RESULT_OK
        );
        let mut item = cpat_lint_item::default();
        assert_eq!(cpat_lint_report_get(lr, 0, ptr::null_mut()), NP);
        cpat_lint_report_free(lr);
        assert_eq!(cpat_lint_report_count(ptr::null()), 0);
        assert_eq!(cpat_lint_report_get(ptr::null(), 0, &mut item), NP);
        assert_eq!(cpat_lint_report_message(ptr::null(), 0, b, 8, &mut n), NP);
        assert_eq!(cpat_lint_report_help(ptr::null(), 0, b, 8, &mut n), NP);
        assert_eq!(cpat_lint_report_stored(ptr::null(), b, 8, &mut n), NP);

        // Matching.
        assert_eq!(
            cpat_matcher_new(ptr::null(), ptr::null(), CPAT_TARGET_PATH, &mut m),
            NP
        );
        assert_eq!(
            cpat_matcher_new(p, ptr::null(), CPAT_TARGET_PATH, ptr::null_mut()),
            NP
        );
        assert_eq!(
            cpat_matcher_new(p, ptr::null(), CPAT_TARGET_PATH, &mut m),
            CPAT_RESULT_OK
        );
        assert_eq!(
            cpat_matcher_match_name(ptr::null(), b"x".as_ptr(), 1, 1, &mut r),
            NP
        );
        assert_eq!(cpat_matcher_match_name(m, ptr::null(), 1, 1, &mut r), NP);
        assert_eq!(
            cpat_matcher_match_name(m, b"x".as_ptr(), 1, 1, ptr::null_mut()),
            NP
        );
        assert!(r.is_null());
        assert_eq!(
            cpat_matcher_match_name(m, ptr::null(), 0, 1, &mut r),
            CPAT_RESULT_OK
        );
        assert_eq!(cpat_matches_count(r), 0);
        let mut fl = cpat_field::default();
        assert_eq!(cpat_matches_field(r, 0, 0, ptr::null_mut()), NP);
        cpat_matches_free(r);
        r = ptr::null_mut();
        cpat_matcher_free(m);
        m = ptr::null_mut();
        assert_eq!(
            cpat_matcher_new(pipe, ptr::null(), CPAT_TARGET_ARGV, &mut m),
            CPAT_RESULT_OK
        );
        assert_eq!(
            cpat_matcher_match_argv(ptr::null(), one.as_ptr(), one_len.as_ptr(), 1, 1, &mut r),
            NP
        );
        assert_eq!(
            cpat_matcher_match_argv(m, ptr::null(), one_len.as_ptr(), 1, 1, &mut r),
            NP
        );
        assert_eq!(
            cpat_matcher_match_argv(m, one.as_ptr(), ptr::null(), 1, 1, &mut r),
            NP
        );
        assert_eq!(
            cpat_matcher_match_argv(m, null_chunk.as_ptr(), one_len.as_ptr(), 1, 1, &mut r),
            NP
        );
        assert_eq!(
            cpat_matcher_match_argv(m, one.as_ptr(), one_len.as_ptr(), 1, 1, ptr::null_mut()),
            NP
        );
        assert!(r.is_null());
        assert_eq!(
            cpat_matcher_match_argv(m, ptr::null(), ptr::null(), 0, 1, &mut r),
            CPAT_RESULT_OK
        );
        assert_eq!(cpat_matches_count(r), 0);
        cpat_matches_free(r);
        cpat_matcher_free(m);
        assert_eq!(cpat_matches_count(ptr::null()), 0);
        assert!(!cpat_matches_exact(ptr::null()));
        assert_eq!(cpat_matches_candidate_count(ptr::null()), 0);
        assert_eq!(cpat_matches_field_count(ptr::null(), 0), 0);
        assert_eq!(cpat_matches_field(ptr::null(), 0, 0, &mut fl), NP);
        assert_eq!(
            cpat_matches_field_bytes(ptr::null(), 0, 0, b, 8, &mut n),
            NP
        );

        // Manifests.
        let t = b"kind: x\n";
        let nn = ptr::null_mut();
        assert_eq!(
            cpat_check_manifest(ptr::null(), 4, b, 8, &mut n, nn, ptr::null_mut()),
            NP
        );
        assert_eq!(
            cpat_check_manifest(
                t.as_ptr(),
                t.len(),
                b,
                8,
                ptr::null_mut(),
                nn,
                ptr::null_mut()
            ),
            NP
        );
        // An empty input is no manifest at all: an empty report.
        let mut he = true;
        let hep = &raw mut he;
        let empty =
            read_buf(|b, l, o| cpat_check_manifest(ptr::null(), 0, b, l, o, hep, ptr::null_mut()));
        assert!(!he);
        assert_eq!(
            String::from_utf8(empty.unwrap()).unwrap(),
            r#"{"findings":[]}"#
        );

        cpat_pattern_free(p);
        cpat_pattern_free(pipe);
    }
}

// ---------------------------------------------------------------------------
// Threads

/// A handle pointer that may cross threads: the ABI documents handles as
/// immutable and safe to share.
struct Shared<T>(*const T);
impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Shared<T> {}
// SAFETY: the library documents its handles as immutable and thread-safe.
unsafe impl<T> Send for Shared<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for Shared<T> {}

#[test]
fn handles_are_shared_between_threads() {
    let p = Shared(parse(ACS).cast_const());
    let mut m = ptr::null_mut();
    // SAFETY: see the module docs.
    assert_eq!(
        unsafe { cpat_matcher_new(p.0, ptr::null(), CPAT_TARGET_PATH, &mut m) },
        CPAT_RESULT_OK
    );
    let m = Shared(m.cast_const());
    std::thread::scope(|scope| {
        for pid in [1u32, 22, 333] {
            scope.spawn(move || {
                let p = p;
                let m = m;
                let crash = Crash::example().with_pid(pid);
                let c = cpat_crash::from(&crash);
                // SAFETY: `p` and `m` stay live until the scope ends.
                let name = read_buf(|b, l, n| unsafe {
                    cpat_pattern_expand_file_name(p.0, ptr::null(), &c, b, l, n)
                })
                .unwrap();
                let mut r = ptr::null_mut();
                // SAFETY: as above.
                unsafe {
                    assert_eq!(
                        cpat_matcher_match_name(m.0, name.as_ptr(), name.len(), 1, &mut r),
                        CPAT_RESULT_OK
                    );
                }
                let (count, _, cands) = read_matches(r);
                assert_eq!(count, 1);
                assert_eq!(cands[0][1].1, pid.to_string().as_bytes());
                // SAFETY: created above, freed once.
                unsafe { cpat_matches_free(r) };
            });
        }
    });
    // SAFETY: created above, freed once each, after every thread ended.
    unsafe {
        cpat_matcher_free(m.0.cast_mut());
        cpat_pattern_free(p.0.cast_mut());
    }
}

// ---------------------------------------------------------------------------
// Property: cpat_pattern_expand_file_name agrees with the Rust API and never
// writes outside the first `buf_len` bytes.

mod proptests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    /// Bytes after the caller's buffer that must stay untouched.
    const GUARD: usize = 64;

    const KERNELS: [&str; 6] = ["", "4.4.0", "5.3.0", "6.1.192", "6.16.12", "6.17.2"];

    fn piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            Just(b"/".to_vec()),
            Just(b"core".to_vec()),
            Just(b".".to_vec()),
            Just(b"..".to_vec()),
            Just(b"-".to_vec()),
            Just(b"%E".to_vec()),
            Just(b"%e".to_vec()),
            Just(b"%f".to_vec()),
            Just(b"%h".to_vec()),
            Just(b"%p".to_vec()),
            Just(b"%t".to_vec()),
            Just(b"%c".to_vec()),
            Just(b"%C".to_vec()),
            Just(b"%F".to_vec()),
            Just(b"%%".to_vec()),
            Just(b"%".to_vec()),
            Just(b"%z".to_vec()),
            Just(b"|".to_vec()),
            Just(b"@".to_vec()),
            Just(b" ".to_vec()),
            Just(b"\xff".to_vec()),
            Just(b"\n".to_vec()),
            vec(any::<u8>(), 1..4),
        ]
    }

    fn pattern() -> impl Strategy<Value = Vec<u8>> {
        vec(piece(), 0..14).prop_map(|v| v.concat())
    }

    fn text(max: usize) -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            vec(
                prop_oneof![Just(b'/'), Just(b'.'), Just(b' '), b'a'..=b'z', any::<u8>()],
                0..max
            ),
            Just(b".".to_vec()),
            Just(b"..".to_vec()),
        ]
    }

    #[derive(Debug, Clone)]
    struct Input {
        kernel: &'static str,
        pattern: Vec<u8>,
        hostname: Vec<u8>,
        comm: Vec<u8>,
        exe: Option<Vec<u8>>,
        pid: u32,
        signal: u32,
        dumpable: u8,
        limit: Option<u64>,
        core_uses_pid: bool,
        suid_dumpable: u8,
        buf_len: BufLen,
        null_when_empty: bool,
    }

    /// The caller's buffer length: any in 0..300, or within 2 bytes of the
    /// length needed (where off-by-one errors live).
    #[derive(Debug, Clone, Copy)]
    enum BufLen {
        Exactly(usize),
        NearNeed(i8),
    }

    fn input() -> impl Strategy<Value = Input> {
        (
            (
                prop::sample::select(KERNELS.to_vec()),
                pattern(),
                text(70),
                text(20),
                proptest::option::of(text(260)),
            ),
            (
                // Mostly PIDs a kernel has; any other is an invalid argument.
                prop_oneof![Just(1u32), Just(1234), 1u32..4_194_304, any::<u32>()],
                // Mostly crashes that dump, so that most cases yield a name.
                prop_oneof![6 => Just(11u32), 2 => Just(6), 1 => prop::sample::select(vec![9u32, 15, 0])],
                prop_oneof![4 => Just(1u8), 1 => Just(2), 1 => Just(0)],
                prop_oneof![
                    4 => Just(None),
                    1 => prop::sample::select(vec![0u64, 1, 4095, 4096, 1 << 30]).prop_map(Some),
                ],
                any::<bool>(),
                0u8..=2,
                prop_oneof![
                    (0usize..300).prop_map(BufLen::Exactly),
                    (-2i8..=2).prop_map(BufLen::NearNeed),
                ],
                any::<bool>(),
            ),
        )
            .prop_map(
                |(
                    (kernel, pattern, hostname, comm, exe),
                    (pid, signal, dumpable, limit, core_uses_pid, suid_dumpable, buf_len, null_when_empty),
                )| Input {
                    kernel,
                    pattern,
                    hostname,
                    comm,
                    exe,
                    pid,
                    signal,
                    dumpable,
                    limit,
                    core_uses_pid,
                    suid_dumpable,
                    buf_len,
                    null_when_empty,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        #[cfg_attr(miri, ignore)]
        fn expand_file_name_agrees_and_stays_in_bounds(i in input()) {
            let rk = if i.kernel.is_empty() {
                KernelProfile::latest()
            } else {
                KernelProfile::parse(i.kernel).unwrap()
            };
            let k = kernel(i.kernel, 0);
            let crash = Crash::example().with_pid(i.pid).with_signal(Signal::new(i.signal)).with_dumpable(i.dumpable).with_hostname(&i.hostname).with_comm(&i.comm).with_exe(i.exe.as_deref()).with_core_limit(i.limit.map_or(CoreLimit::Unlimited, CoreLimit::Bytes));
            let settings = Settings::new().with_core_uses_pid(i.core_uses_pid).with_suid_dumpable(i.suid_dumpable).with_core_pipe_limit(0);

            // Parsing agrees, errors included.
            let mut p = poison();
            let mut d = cpat_diag::default();
            // SAFETY: see the module docs.
            let rc = unsafe {
                cpat_pattern_parse(i.pattern.as_ptr(), i.pattern.len(), k, &mut p, &mut d)
            };
            let rust = ParseOptions::new().kernel(rk).parse(&i.pattern);
            let rust = match rust {
                Err(e) => {
                    prop_assert_eq!(rc as u32, e.code());
                    prop_assert_eq!((d.code, d.start, d.end), (e.code(), e.span().start, e.span().end));
                    prop_assert_eq!(p, poison());
                    // SAFETY: created above, freed once.
                    unsafe { cpat_kernel_free(k) };
                    return Ok(());
                }
                Ok(r) => r,
            };
            prop_assert_eq!(rc, CPAT_RESULT_OK);

            // What the Rust API says: the outcome, and the buffer API with
            // plenty of room.
            let outcome = rust.expand(&settings, &crash);
            let mut big = vec![0u8; 8192];
            let into = rust.expand_file_name_into(&settings, &crash, &mut big);

            // The call under test, with a guard region after `buf_len`.
            let buf_len = match i.buf_len {
                BufLen::Exactly(n) => n,
                BufLen::NearNeed(d) => {
                    let need = into.as_ref().map_or(0, |n| *n);
                    need.saturating_add_signed(isize::from(d))
                }
            };
            let mut mem = vec![SENTINEL; buf_len + GUARD];
            let buf = if buf_len == 0 && i.null_when_empty {
                ptr::null_mut()
            } else {
                mem.as_mut_ptr()
            };
            let mut n = usize::MAX;
            let cs = c_settings(&settings);
            let cc = cpat_crash::from(&crash);
            // SAFETY: `mem` has `buf_len` (+ GUARD) bytes; the rest as above.
            let rc = unsafe { cpat_pattern_expand_file_name(p, &cs, &cc, buf, buf_len, &mut n) };

            if crash.check().is_err() {
                // PID 0 or over the limit, signal 0: refused, nothing written.
                prop_assert_eq!((rc, n), (CPAT_RESULT_INVALID_ARGUMENT, usize::MAX));
                prop_assert!(mem.iter().all(|&b| b == SENTINEL), "written on error");
                let mut o = poison();
                // SAFETY: see the module docs.
                let rc = unsafe { cpat_pattern_expand(p, &cs, &cc, &mut o) };
                prop_assert_eq!((rc, o), (CPAT_RESULT_INVALID_ARGUMENT, poison()));
                // SAFETY: created above, freed once each.
                unsafe {
                    cpat_pattern_free(p);
                    cpat_kernel_free(k);
                }
                return Ok(());
            }
            match (&into, &outcome) {
                (Ok(len), Outcome::File { name }) => {
                    prop_assert_eq!(&big[..*len], name.as_slice());
                    prop_assert_eq!(n, name.len());
                    if buf_len >= name.len() {
                        prop_assert_eq!(rc, CPAT_RESULT_OK);
                        prop_assert_eq!(&mem[..name.len()], name.as_slice());
                        prop_assert!(mem[name.len()..].iter().all(|&b| b == SENTINEL),
                            "bytes after the name written");
                    } else {
                        prop_assert_eq!(rc, CPAT_RESULT_BUFFER_TOO_SMALL);
                        prop_assert!(mem.iter().all(|&b| b == SENTINEL), "short buffer written");
                    }
                }
                (Err(e), _) => {
                    // Not file mode, or a no-dump reason (the same as expand's).
                    prop_assert_eq!(rc as u32, e.code());
                    match &outcome {
                        Outcome::NoDump { reason } if rust.mode() == core_pattern::Mode::File => {
                            prop_assert_eq!(reason.code(), e.code());
                        }
                        _ => prop_assert_eq!(rc, CPAT_RESULT_NOT_FILE_MODE),
                    }
                    prop_assert!(mem.iter().all(|&b| b == SENTINEL), "written on error");
                }
                (Ok(_), other) => prop_assert!(false, "expand_file_name_into Ok but expand gave {:?}", other),
            }

            // The outcome handle says the same as `expand`.
            prop_assert_eq!(ffi_expand(p, &settings, &crash), rust_outcome(&outcome));

            // SAFETY: created above, freed once each.
            unsafe {
                cpat_pattern_free(p);
                cpat_kernel_free(k);
            }
        }
    }
}

/// A dumpable mode or `fs.suid_dumpable` no kernel has is an invalid
/// argument (7 was modelled as 1), for every function that takes them; the
/// out-pointers stay untouched.
#[test]
fn impossible_dumpable_values_are_invalid_arguments() {
    let p = parse(b"/cores/core.%p");
    let bad_settings = cpat_settings {
        core_uses_pid: 0,
        suid_dumpable: 3,
        core_pipe_limit: 0,
    };
    let good = c_settings(&Settings::new());
    let mut crash = cpat_crash::from(&Crash::example());
    let mut o = poison();
    // SAFETY: see the module docs.
    let rc = unsafe { cpat_pattern_expand(p, &bad_settings, &crash, &mut o) };
    assert_eq!((rc, o), (CPAT_RESULT_INVALID_ARGUMENT, poison()));
    crash.dumpable = 7;
    // SAFETY: as above.
    let rc = unsafe { cpat_pattern_expand(p, &good, &crash, &mut o) };
    assert_eq!((rc, o), (CPAT_RESULT_INVALID_ARGUMENT, poison()));
    let mut need = 0;
    // SAFETY: as above.
    let rc =
        unsafe { cpat_pattern_expand_file_name(p, &good, &crash, ptr::null_mut(), 0, &mut need) };
    assert_eq!(rc, CPAT_RESULT_INVALID_ARGUMENT);
    let mut r = poison();
    // SAFETY: as above.
    let rc = unsafe { cpat_lint(b"core".as_ptr(), 4, ptr::null(), &bad_settings, &mut r) };
    assert_eq!((rc, r), (CPAT_RESULT_INVALID_ARGUMENT, poison()));
    let mut m = poison();
    // SAFETY: as above.
    let rc = unsafe { cpat_matcher_new(p, &bad_settings, CPAT_TARGET_PATH, &mut m) };
    assert_eq!((rc, m), (CPAT_RESULT_INVALID_ARGUMENT, poison()));
    // 2 is a real mode.
    crash.dumpable = 2;
    // SAFETY: as above.
    let rc = unsafe { cpat_pattern_expand(p, &good, &crash, &mut o) };
    assert_eq!(rc, CPAT_RESULT_OK);
    // SAFETY: created above, freed once.
    unsafe {
        cpat_outcome_free(o);
        cpat_pattern_free(p);
    }
}

// ---------------------------------------------------------------------------
// Crash fields no kernel produces

/// Reads `cpat_crash_check`'s verdict through the buffer protocol: `None`
/// for a crash a kernel can have, else the message.
fn crash_problem(c: &cpat_crash) -> Option<String> {
    let mut need = usize::MAX;
    // SAFETY: see the module docs.
    match unsafe { cpat_crash_check(c, ptr::null_mut(), 0, &mut need) } {
        CPAT_RESULT_OK => {
            assert_eq!(need, 0);
            return None;
        }
        rc => assert_eq!(rc, CPAT_RESULT_BUFFER_TOO_SMALL),
    }
    // One byte short: untouched.
    let mut short = vec![SENTINEL; need - 1].into_boxed_slice();
    let mut n = 0;
    // SAFETY: `short` has exactly `need - 1` bytes.
    let rc = unsafe { cpat_crash_check(c, short.as_mut_ptr(), short.len(), &mut n) };
    assert_eq!((rc, n), (CPAT_RESULT_BUFFER_TOO_SMALL, need));
    assert!(short.iter().all(|&b| b == SENTINEL));
    // Exactly the size: written, and the result still says "invalid".
    let mut exact = vec![SENTINEL; need].into_boxed_slice();
    let mut n = 0;
    // SAFETY: `exact` has exactly `need` bytes.
    let rc = unsafe { cpat_crash_check(c, exact.as_mut_ptr(), exact.len(), &mut n) };
    assert_eq!((rc, n), (CPAT_RESULT_INVALID_ARGUMENT, need));
    Some(String::from_utf8(exact.into_vec()).unwrap())
}

/// Each bounded field just inside and just outside its range: outside is
/// `CPAT_RESULT_INVALID_ARGUMENT` from both expand functions (out-pointers
/// untouched) and `cpat_crash_check` names the field, the value and the
/// range, in the Rust API's words; inside expands as Rust does.
#[test]
fn impossible_crash_fields_are_invalid_arguments() {
    type Edit = fn(&mut cpat_crash, u32);
    let cases: [(&str, Edit, u32, u32); 11] = [
        ("pid", |c, v| c.pid = v, 1, 0),
        ("pid", |c, v| c.pid = v, 4_194_303, 4_194_304),
        ("tid", |c, v| c.tid = v, 1, 0),
        ("global_pid", |c, v| c.global_pid = v, 4_194_303, 4_194_304),
        ("global_tid", |c, v| c.global_tid = v, 1, u32::MAX),
        ("uid", |c, v| c.uid = v, u32::MAX - 1, u32::MAX),
        ("gid", |c, v| c.gid = v, u32::MAX - 1, u32::MAX),
        ("signal", |c, v| c.signal = v, 1, 0),
        ("signal", |c, v| c.signal = v, 64, 65),
        ("cpu", |c, v| c.cpu = v, 0x7fff_ffff, 0x8000_0000),
        ("dumpable", |c, v| c.dumpable = v as u8, 2, 3),
    ];
    let p = parse(b"/cores/core.%p.%i.%P.%I.%u.%g.%s.%C.%d");
    let settings = c_settings(&Settings::new());
    let example = Crash::example();
    for (field, edit, inside, outside) in cases {
        // Just inside: accepted, and the same outcome as Rust's.
        let mut c = cpat_crash::from(&example);
        edit(&mut c, inside);
        assert_eq!(crash_problem(&c), None, "{field} {inside}");
        let mut o = ptr::null_mut();
        // SAFETY: see the module docs.
        let rc = unsafe { cpat_pattern_expand(p, &settings, &c, &mut o) };
        assert_eq!(rc, CPAT_RESULT_OK, "{field} {inside}");
        // SAFETY: created above, freed once.
        unsafe { cpat_outcome_free(o) };

        // Just outside: refused, the message from Rust.
        let mut c = cpat_crash::from(&example);
        edit(&mut c, outside);
        let message = crash_problem(&c).unwrap_or_else(|| panic!("{field} {outside} accepted"));
        assert!(
            message.starts_with(&format!(
                "{field} {outside} is outside what a kernel produces for %"
            )),
            "{message}"
        );
        let mut o = poison();
        // SAFETY: see the module docs.
        let rc = unsafe { cpat_pattern_expand(p, &settings, &c, &mut o) };
        assert_eq!((rc, o), (CPAT_RESULT_INVALID_ARGUMENT, poison()), "{field}");
        let mut need = usize::MAX;
        let mut buf = [SENTINEL; 128];
        // SAFETY: `buf` has 128 bytes.
        let rc = unsafe {
            cpat_pattern_expand_file_name(p, &settings, &c, buf.as_mut_ptr(), buf.len(), &mut need)
        };
        assert_eq!(
            (rc, need),
            (CPAT_RESULT_INVALID_ARGUMENT, usize::MAX),
            "{field}"
        );
        assert!(buf.iter().all(|&b| b == SENTINEL));
    }
    // The exact message, for one field.
    let c = cpat_crash::from(&example.with_tid(0));
    assert_eq!(
        crash_problem(&c).as_deref(),
        Some("tid 0 is outside what a kernel produces for %i: 1..=4194303")
    );
    // SAFETY: created above, freed once.
    unsafe { cpat_pattern_free(p) };
}

/// `cpat_crash_check`'s NULLs: a NULL crash or `out_len`, a NULL byte
/// string with a length; a NULL byte string of length 0 is fine.
#[test]
fn crash_check_nulls() {
    let good = cpat_crash::from(&Crash::example());
    let mut n = usize::MAX;
    // SAFETY: NULL crash; the rest valid.
    let rc = unsafe { cpat_crash_check(ptr::null(), ptr::null_mut(), 0, &mut n) };
    assert_eq!((rc, n), (CPAT_RESULT_NULL_PARAMETER, usize::MAX));
    // SAFETY: NULL out_len.
    let rc = unsafe { cpat_crash_check(&good, ptr::null_mut(), 0, ptr::null_mut()) };
    assert_eq!(rc, CPAT_RESULT_NULL_PARAMETER);
    let mut c = good;
    c.comm = ptr::null();
    c.comm_len = 3;
    // SAFETY: a NULL byte string with a length, which the library refuses.
    let rc = unsafe { cpat_crash_check(&c, ptr::null_mut(), 0, &mut n) };
    assert_eq!(rc, CPAT_RESULT_NULL_PARAMETER);
    c.comm_len = 0;
    // SAFETY: NULL with length 0 is an empty string.
    let rc = unsafe { cpat_crash_check(&c, ptr::null_mut(), 0, &mut n) };
    assert_eq!((rc, n), (CPAT_RESULT_OK, 0));
}
