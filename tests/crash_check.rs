//! `Crash::check` and `Crash::check_on`: every numeric field just inside and
//! just outside the range a kernel produces, the error's field, value, range
//! and message, and what expansion does with a crash `check` refuses.

use core_pattern::reverse::{MatchOptions, Target};
use core_pattern::{
    CPU_MAX, CoreLimit, Crash, CrashError, CrashField, Error, INVALID_ID, KernelProfile, NSIG,
    NoDumpReason, Outcome, PID_MAX_LIMIT, ParseOptions, Pattern, SUID_DUMP_ROOT, Settings, Signal,
    Specifier,
};
use proptest::prelude::*;

/// One bounded field: how to set it, the first and last values a kernel
/// produces, and a value just outside on each side (if the type has one).
struct Bound {
    field: CrashField,
    set: fn(Crash<'static>, u64) -> Crash<'static>,
    min: u64,
    max: u64,
}

fn bounds() -> Vec<Bound> {
    vec![
        Bound {
            field: CrashField::Pid,
            set: |c, v| c.with_pid(u32::try_from(v).unwrap()),
            min: 1,
            max: 4_194_303,
        },
        Bound {
            field: CrashField::Tid,
            set: |c, v| c.with_tid(u32::try_from(v).unwrap()),
            min: 1,
            max: 4_194_303,
        },
        Bound {
            field: CrashField::GlobalPid,
            set: |c, v| c.with_global_pid(u32::try_from(v).unwrap()),
            min: 1,
            max: 4_194_303,
        },
        Bound {
            field: CrashField::GlobalTid,
            set: |c, v| c.with_global_tid(u32::try_from(v).unwrap()),
            min: 1,
            max: 4_194_303,
        },
        Bound {
            field: CrashField::Uid,
            set: |c, v| c.with_uid(u32::try_from(v).unwrap()),
            min: 0,
            max: 4_294_967_294,
        },
        Bound {
            field: CrashField::Gid,
            set: |c, v| c.with_gid(u32::try_from(v).unwrap()),
            min: 0,
            max: 4_294_967_294,
        },
        Bound {
            field: CrashField::Dumpable,
            set: |c, v| c.with_dumpable(u8::try_from(v).unwrap()),
            min: 0,
            max: 2,
        },
        Bound {
            field: CrashField::Signal,
            set: |c, v| c.with_signal(Signal::new(u32::try_from(v).unwrap())),
            min: 1,
            max: 64,
        },
        Bound {
            field: CrashField::Cpu,
            set: |c, v| c.with_cpu(u32::try_from(v).unwrap()),
            min: 0,
            max: 2_147_483_647,
        },
    ]
}

#[test]
fn the_bounds_are_the_kernels() {
    assert_eq!(PID_MAX_LIMIT, 4 * 1024 * 1024);
    assert_eq!(NSIG, 64);
    assert_eq!(SUID_DUMP_ROOT, 2);
    assert_eq!(INVALID_ID, u32::MAX);
    assert_eq!(CPU_MAX, 2_147_483_647);
}

#[test]
fn every_bound_just_inside_and_just_outside() {
    for b in bounds() {
        let name = b.field.name();
        for inside in [b.min, b.max] {
            let c = (b.set)(Crash::example(), inside);
            assert_eq!(c.check(), Ok(()), "{name} {inside}");
            assert_eq!(
                c.check_on(&KernelProfile::latest()),
                Ok(()),
                "{name} {inside}"
            );
        }
        let type_max = match b.field {
            CrashField::Dumpable => u64::from(u8::MAX),
            _ => u64::from(u32::MAX),
        };
        let mut outside = vec![];
        if b.min > 0 {
            outside.push(b.min - 1);
        }
        if b.max < type_max {
            outside.push(b.max + 1);
            outside.push(type_max);
        }
        assert!(!outside.is_empty(), "{name} has no value outside");
        for v in outside {
            let c = (b.set)(Crash::example(), v);
            let e = c.check().expect_err(name);
            assert_eq!(
                (e.field(), e.value(), e.min(), e.max()),
                (b.field, v, b.min, b.max),
                "{name} {v}"
            );
            assert_eq!(c.check_on(&KernelProfile::latest()), Err(e.clone()));
            assert_eq!(
                e.to_string(),
                format!(
                    "{name} {v} is outside what a kernel produces for %{}: {}..={}",
                    char::from(b.field.specifier().byte()),
                    b.min,
                    b.max
                )
            );
        }
    }
}

/// The exact messages, one per field.
#[test]
fn messages() {
    let ex = Crash::example;
    let cases: [(Crash<'static>, &str); 10] = [
        (
            ex().with_pid(0),
            "pid 0 is outside what a kernel produces for %p: 1..=4194303",
        ),
        (
            ex().with_tid(4_194_304),
            "tid 4194304 is outside what a kernel produces for %i: 1..=4194303",
        ),
        (
            ex().with_global_pid(0),
            "global_pid 0 is outside what a kernel produces for %P: 1..=4194303",
        ),
        (
            ex().with_global_tid(u32::MAX),
            "global_tid 4294967295 is outside what a kernel produces for %I: 1..=4194303",
        ),
        (
            ex().with_uid(u32::MAX),
            "uid 4294967295 is outside what a kernel produces for %u: 0..=4294967294",
        ),
        (
            ex().with_gid(u32::MAX),
            "gid 4294967295 is outside what a kernel produces for %g: 0..=4294967294",
        ),
        (
            ex().with_dumpable(7),
            "dumpable 7 is outside what a kernel produces for %d: 0..=2",
        ),
        (
            ex().with_signal(Signal::new(0)),
            "signal 0 is outside what a kernel produces for %s: 1..=64",
        ),
        (
            ex().with_signal(Signal::new(65)),
            "signal 65 is outside what a kernel produces for %s: 1..=64",
        ),
        (
            ex().with_cpu(u32::MAX),
            "cpu 4294967295 is outside what a kernel produces for %C: 0..=2147483647",
        ),
    ];
    for (crash, want) in cases {
        assert_eq!(crash.check().unwrap_err().to_string(), want);
    }
    // Through the umbrella error too.
    let e: Error = ex().with_pid(0).check().unwrap_err().into();
    assert_eq!(
        e.to_string(),
        "pid 0 is outside what a kernel produces for %p: 1..=4194303"
    );
    assert!(matches!(e, Error::Crash(ref c) if c.field() == CrashField::Pid));
}

/// The first field out of range, in declaration order, is the one named.
#[test]
fn the_first_field_out_of_range_is_named() {
    let c = Crash::new(0).with_signal(Signal::new(0)).with_uid(u32::MAX);
    assert_eq!(c.check().unwrap_err().field(), CrashField::Pid);
    let c = Crash::new(7).with_signal(Signal::new(0)).with_uid(u32::MAX);
    assert_eq!(c.check().unwrap_err().field(), CrashField::Uid);
    let c = Crash::new(7).with_signal(Signal::new(0)).with_cpu(u32::MAX);
    assert_eq!(c.check().unwrap_err().field(), CrashField::Signal);
}

/// What a kernel can have but that gives no core is fine for `check`: a
/// signal that does not dump, dumpable 0, a core limit of 0, any time, any
/// byte strings.
#[test]
fn crashes_without_a_core_are_still_valid() {
    let long = vec![b'x'; 5000];
    for c in [
        Crash::example().with_signal(Signal::new(15)),
        Crash::example().with_signal(Signal::new(40)),
        Crash::example().with_dumpable(0),
        Crash::example().with_core_limit(CoreLimit::Bytes(0)),
        Crash::example().with_core_limit(CoreLimit::Bytes(u64::MAX)),
        Crash::example().with_time(i64::MIN),
        Crash::example().with_time(i64::MAX),
        Crash::example().with_exe(Some(&long)).with_comm(&long),
        Crash::new(1).with_uid(0).with_cpu(0),
    ] {
        assert_eq!(c.check(), Ok(()), "{c:?}");
    }
}

/// `check_on` adds the kernel's `RLIM_INFINITY`: a 32-bit kernel's limit
/// is at most 4294967295.
#[test]
fn core_limits_above_the_kernels_infinity() {
    let k64 = KernelProfile::latest();
    let k32 = KernelProfile::latest().with_rlim_infinity(u32::MAX.into());
    let at = Crash::example().with_core_limit(CoreLimit::Bytes(u32::MAX.into()));
    let over = Crash::example().with_core_limit(CoreLimit::Bytes(1 << 32));
    assert_eq!(at.check_on(&k32), Ok(()));
    assert_eq!(over.check(), Ok(()));
    assert_eq!(over.check_on(&k64), Ok(()));
    let e = over.check_on(&k32).unwrap_err();
    assert_eq!(
        (e.field(), e.value(), e.min(), e.max()),
        (CrashField::CoreLimit, 1 << 32, 0, u64::from(u32::MAX))
    );
    assert_eq!(
        e.to_string(),
        "core_limit 4294967296 is outside what a kernel produces for %c: 0..=4294967295"
    );
    assert_eq!(
        Crash::example()
            .with_core_limit(CoreLimit::Unlimited)
            .check_on(&k32),
        Ok(())
    );
    // `check` comes first.
    assert_eq!(
        over.with_pid(0).check_on(&k32).unwrap_err().field(),
        CrashField::Pid
    );
}

#[test]
fn field_names_and_specifiers() {
    let all = [
        (CrashField::Pid, "pid", Specifier::Pid),
        (CrashField::Tid, "tid", Specifier::Tid),
        (CrashField::GlobalPid, "global_pid", Specifier::GlobalPid),
        (CrashField::GlobalTid, "global_tid", Specifier::GlobalTid),
        (CrashField::Uid, "uid", Specifier::Uid),
        (CrashField::Gid, "gid", Specifier::Gid),
        (CrashField::Dumpable, "dumpable", Specifier::Dumpable),
        (CrashField::Signal, "signal", Specifier::Signal),
        (CrashField::Cpu, "cpu", Specifier::Cpu),
        (CrashField::CoreLimit, "core_limit", Specifier::CoreLimit),
    ];
    for (f, name, spec) in all {
        assert_eq!(
            (f.name(), f.to_string().as_str(), f.specifier()),
            (name, name, spec)
        );
    }
}

/// `expand` takes any crash and stays deterministic, as the `Crash` docs
/// say: numbers printed as given, a signal out of range does not dump, a
/// dumpable mode above 2 counts as 1.
#[test]
fn expand_on_a_refused_crash_is_documented() {
    let p = Pattern::parse("/c/core.%p.%i.%u.%C").unwrap();
    let s = Settings::new();
    let c = Crash::example()
        .with_pid(0)
        .with_tid(4_194_304)
        .with_uid(u32::MAX)
        .with_cpu(u32::MAX);
    assert!(c.check().is_err());
    assert_eq!(
        p.expand(&s, &c),
        Outcome::File {
            name: b"/c/core.0.4194304.4294967295.4294967295".to_vec()
        }
    );
    for n in [0, 65, u32::MAX] {
        let c = Crash::example().with_signal(Signal::new(n));
        assert_eq!(
            p.expand(&s, &c).no_dump_reason(),
            Some(&NoDumpReason::SignalNotCore {
                signal: Signal::new(n)
            })
        );
    }
    let rel = Pattern::parse("core").unwrap();
    for d in [3u8, 7, u8::MAX] {
        let c = Crash::example().with_dumpable(d);
        assert_eq!(
            rel.expand(&s, &c),
            rel.expand(&s, &Crash::example().with_dumpable(1)),
            "dumpable {d}"
        );
    }
}

/// `tests/fuzz/testdata/expand_then_match-tid-zero.pattern`: the fuzzer's
/// crash (TID 0, global PID 1701838848) is one `check` refuses, naming the
/// TID; the example crash passes, and its name matches its pattern.
#[test]
fn the_fuzzers_tid_zero_crash_is_refused() {
    let pattern = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fuzz/testdata/expand_then_match-tid-zero.pattern"
    ))
    .unwrap();
    let p = ParseOptions::new().parse(&pattern).unwrap();
    let impossible = Crash::example().with_tid(0).with_global_pid(1_701_838_848);
    let e: CrashError = impossible.check().unwrap_err();
    assert_eq!((e.field(), e.value()), (CrashField::Tid, 0));
    let e = impossible.with_tid(1).check().unwrap_err();
    assert_eq!(
        (e.field(), e.value()),
        (CrashField::GlobalPid, 1_701_838_848)
    );
    let ex = Crash::example();
    assert_eq!(ex.check_on(p.kernel()), Ok(()));
    let m = p
        .matcher(
            &Settings::default(),
            MatchOptions::new().target(Target::Path),
        )
        .unwrap();
    let Outcome::File { name } = p.expand(&Settings::default(), &ex) else {
        panic!("file outcome");
    };
    assert!(m.match_name(&name).is_match());
}

/// An independent model of the bounds.
fn model_ok(ids: [u32; 6], dumpable: u8, signal: u32, cpu: u32) -> bool {
    let [pid, tid, gpid, gtid, uid, gid] = ids;
    [pid, tid, gpid, gtid]
        .iter()
        .all(|&p| p != 0 && p < 4_194_304)
        && uid != u32::MAX
        && gid != u32::MAX
        && dumpable <= 2
        && (1..=64).contains(&signal)
        && cpu <= i32::MAX.unsigned_abs()
}

fn edge_u32() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(0u32),
        Just(1),
        Just(64),
        Just(65),
        Just(4_194_303),
        Just(4_194_304),
        Just(0x7fff_ffff),
        Just(0x8000_0000),
        Just(u32::MAX - 1),
        Just(u32::MAX),
        1u32..100,
        any::<u32>(),
    ]
}

proptest! {
    /// `check` accepts exactly what the model accepts; when it refuses, the
    /// value named is the field's and lies outside the range named.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn check_agrees_with_a_model(
        ids in proptest::array::uniform6(edge_u32()),
        dumpable in prop_oneof![0u8..=3, any::<u8>()],
        signal in edge_u32(),
        cpu in edge_u32(),
        time in any::<i64>(),
        limit in any::<u64>(),
    ) {
        let [pid, tid, gpid, gtid, uid, gid] = ids;
        let c = Crash::new(pid)
            .with_tid(tid)
            .with_global_pid(gpid)
            .with_global_tid(gtid)
            .with_uid(uid)
            .with_gid(gid)
            .with_dumpable(dumpable)
            .with_signal(Signal::new(signal))
            .with_cpu(cpu)
            .with_time(time)
            .with_core_limit(CoreLimit::Bytes(limit));
        let want = model_ok(ids, dumpable, signal, cpu);
        match c.check() {
            Ok(()) => prop_assert!(want),
            Err(e) => {
                prop_assert!(!want);
                prop_assert!(e.value() < e.min() || e.value() > e.max());
                let value = match e.field() {
                    CrashField::Pid => u64::from(pid),
                    CrashField::Tid => u64::from(tid),
                    CrashField::GlobalPid => u64::from(gpid),
                    CrashField::GlobalTid => u64::from(gtid),
                    CrashField::Uid => u64::from(uid),
                    CrashField::Gid => u64::from(gid),
                    CrashField::Dumpable => u64::from(dumpable),
                    CrashField::Signal => u64::from(signal),
                    CrashField::Cpu => u64::from(cpu),
                    other => return Err(TestCaseError::fail(format!("{other:?}"))),
                };
                prop_assert_eq!(e.value(), value);
            }
        }
    }
}
