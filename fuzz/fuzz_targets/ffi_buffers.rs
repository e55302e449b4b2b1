//! The C ABI with arbitrary buffer lengths: short buffers are left
//! untouched and report the required length; nothing is written past
//! `buf_len` (a guard region checks it); results agree with the Rust API.
//! A crash no kernel has is `CPAT_RESULT_INVALID_ARGUMENT`, with the Rust
//! message from `cpat_crash_check`; the buffer checks then run on the
//! crash brought into range.
#![no_main]

#[path = "common.rs"]
mod common;

use core_pattern::ffi::*;
use core_pattern::{Crash, Outcome, ParseOptions};
use libfuzzer_sys::fuzz_target;

const GUARD: u8 = 0xA5;

/// The C view of `crash`; its byte strings borrow from it.
fn c_crash(crash: &Crash<'_>) -> cpat_crash {
    cpat_crash {
        pid: crash.pid,
        tid: crash.tid,
        global_pid: crash.global_pid,
        global_tid: crash.global_tid,
        uid: crash.uid,
        gid: crash.gid,
        dumpable: crash.dumpable,
        signal: crash.signal.number(),
        time: crash.time,
        hostname: crash.hostname.as_ptr(),
        hostname_len: crash.hostname.len(),
        comm: crash.comm.as_ptr(),
        comm_len: crash.comm.len(),
        exe: crash.exe.map_or(std::ptr::null(), <[u8]>::as_ptr),
        exe_len: crash.exe.map_or(0, <[u8]>::len),
        has_exe: crash.exe.is_some(),
        cpu: crash.cpu,
        core_limit_unlimited: matches!(crash.core_limit, core_pattern::CoreLimit::Unlimited),
        core_limit: match crash.core_limit {
            core_pattern::CoreLimit::Bytes(b) => b,
            core_pattern::CoreLimit::Unlimited => 0,
        },
    }
}

fuzz_target!(
    |input: (common::FuzzSettings, common::FuzzCrash, Vec<u8>, u16, u16)| {
        let (s, c, pattern, len_a, len_b) = input;
        let mut p: *mut cpat_pattern = std::ptr::null_mut();
        let mut diag = cpat_diag::default();
        // SAFETY: valid pointer and length; out-pointers are valid.
        let r = unsafe {
            cpat_pattern_parse(
                pattern.as_ptr(),
                pattern.len(),
                std::ptr::null(),
                &mut p,
                &mut diag,
            )
        };
        if r != cpat_result::CPAT_RESULT_OK {
            assert!(p.is_null());
            assert!(diag.end as usize <= pattern.len());
            return;
        }
        let rust = ParseOptions::new()
            .parse(&pattern)
            .expect("parses in Rust too");
        let settings = cpat_settings {
            core_uses_pid: u32::from(s.core_uses_pid),
            suid_dumpable: s.suid_dumpable % 3,
            core_pipe_limit: s.core_pipe_limit,
        };
        let raw = c.crash();
        let cc = c_crash(&raw);
        let len = usize::from(len_a % 128);
        let mut buf = vec![GUARD; len + 32];
        let mut out_len = usize::MAX;
        // SAFETY: `buf` has `len` writable bytes (plus a guard region).
        let r = unsafe { cpat_crash_check(&cc, buf.as_mut_ptr(), len, &mut out_len) };
        assert!(buf[len..].iter().all(|&b| b == GUARD), "wrote past buf_len");
        if let Err(e) = raw.check() {
            // No kernel has this crash: the C ABI says so, in Rust's words.
            let message = e.to_string();
            assert_eq!(out_len, message.len());
            if len >= message.len() {
                assert_eq!(r, cpat_result::CPAT_RESULT_INVALID_ARGUMENT);
                assert_eq!(&buf[..out_len], message.as_bytes());
            } else {
                assert_eq!(r, cpat_result::CPAT_RESULT_BUFFER_TOO_SMALL);
                assert!(buf.iter().all(|&b| b == GUARD), "a short buffer was written");
            }
            let mut out_len = usize::MAX;
            // SAFETY: live handle, valid inputs, a size query.
            let r = unsafe {
                cpat_pattern_expand_file_name(
                    p,
                    &settings,
                    &cc,
                    std::ptr::null_mut(),
                    0,
                    &mut out_len,
                )
            };
            assert_eq!(r, cpat_result::CPAT_RESULT_INVALID_ARGUMENT);
            assert_eq!(out_len, usize::MAX);
            let mut o: *mut cpat_outcome = std::ptr::null_mut();
            // SAFETY: live handle, valid inputs, valid out-pointer.
            let r = unsafe { cpat_pattern_expand(p, &settings, &cc, &mut o) };
            assert_eq!(r, cpat_result::CPAT_RESULT_INVALID_ARGUMENT);
            assert!(o.is_null());
        } else {
            assert_eq!((r, out_len), (cpat_result::CPAT_RESULT_OK, 0));
            assert!(buf.iter().all(|&b| b == GUARD), "a valid crash wrote a message");
        }
        let crash = common::possible(raw, u64::MAX);
        assert_eq!(crash.check(), Ok(()));
        let cc = c_crash(&crash);
        let expected = rust.expand(&s.settings(), &crash);
        for len in [usize::from(len_a % 600), usize::from(len_b % 64), 0] {
            let mut buf = vec![GUARD; len + 32];
            let mut out_len = usize::MAX;
            // SAFETY: `buf` has `len` writable bytes (plus a guard region).
            let r = unsafe {
                cpat_pattern_expand_file_name(
                    p,
                    &settings,
                    &cc,
                    buf.as_mut_ptr(),
                    len,
                    &mut out_len,
                )
            };
            assert!(buf[len..].iter().all(|&b| b == GUARD), "wrote past buf_len");
            match (&expected, r) {
                (Outcome::File { name }, cpat_result::CPAT_RESULT_OK) => {
                    assert_eq!(&buf[..out_len], name.as_slice());
                }
                (Outcome::File { name }, cpat_result::CPAT_RESULT_BUFFER_TOO_SMALL) => {
                    assert_eq!(out_len, name.len());
                    assert!(len < name.len());
                    assert!(
                        buf[..len].iter().all(|&b| b == GUARD),
                        "a short buffer was written"
                    );
                }
                (Outcome::File { .. }, other) => panic!("file outcome but {other:?}"),
                (_, cpat_result::CPAT_RESULT_OK) => panic!("no file outcome but OK"),
                _ => {}
            }
        }
        let mut o: *mut cpat_outcome = std::ptr::null_mut();
        // SAFETY: live handle, valid inputs, valid out-pointer.
        let r = unsafe { cpat_pattern_expand(p, &settings, &cc, &mut o) };
        assert_eq!(r, cpat_result::CPAT_RESULT_OK);
        // SAFETY: `o` is live.
        let argc = unsafe { cpat_outcome_argc(o) };
        if let Outcome::Pipe { argv, .. } = &expected {
            assert_eq!(argc, argv.len());
            for (i, a) in argv.iter().enumerate() {
                let mut need = 0usize;
                // SAFETY: size query with NULL/0.
                let r = unsafe { cpat_outcome_arg(o, i, std::ptr::null_mut(), 0, &mut need) };
                assert!(
                    r == cpat_result::CPAT_RESULT_OK
                        || r == cpat_result::CPAT_RESULT_BUFFER_TOO_SMALL
                );
                assert_eq!(need, a.len());
            }
        }
        // SAFETY: handles from this library, freed once.
        unsafe {
            cpat_outcome_free(o);
            cpat_pattern_free(p);
        }
    }
);
