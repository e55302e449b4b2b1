//! The expand path into a caller buffer does not touch the heap: a counting
//! global allocator proves it (a count, not a timing).

use core_pattern::{
    CoreLimit, Crash, ExpandError, KernelProfile, KernelVersion, NoDumpReason, ParseOptions,
    Pattern, Settings, Signal,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts allocations made by the current thread (the test harness runs
/// tests on several threads; a global count would see the others).
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn bump() {
    // `try_with`: during thread teardown the slot may be gone.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to `System` with the caller's arguments.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations `f` makes on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = f();
    (ALLOCATIONS.with(Cell::get) - before, out)
}

fn container_crash() -> Crash<'static> {
    Crash::example()
        .with_pid(1)
        .with_tid(27)
        .with_global_pid(481_516)
        .with_global_tid(481_542)
        .with_hostname(b"payments-api-7d9c8b6f4-x2lqp")
        .with_comm(b"java")
        .with_exe(Some(b"/usr/lib/jvm/java-17-openjdk-amd64/bin/java"))
}

#[test]
fn the_counter_counts() {
    let (n, v) = allocations(|| vec![1u8; 16]);
    assert_eq!(n, 1);
    assert_eq!(v.len(), 16);
    let (n, _) = allocations(|| Pattern::parse("/data/dump-a/core-%E-%p-%t"));
    assert!(n > 0, "parsing allocates the token list");
}

#[test]
fn expand_acs_into_a_caller_buffer_allocates_nothing() {
    let p = Pattern::parse("/data/dump-a/core-%E-%p-%t").unwrap();
    let settings = Settings::default();
    let crash = container_crash();
    let mut buf = [0u8; 4096];
    let (n, r) = allocations(|| p.expand_file_name_into(&settings, &crash, &mut buf));
    let len = r.unwrap();
    assert_eq!(
        &buf[..len],
        b"/data/dump-a/core-!usr!lib!jvm!java-17-openjdk-amd64!bin!java-1-1700000000"
    );
    assert_eq!(n, 0, "expand_file_name_into allocated {n} times");
}

#[test]
fn every_specifier_and_every_error_path_allocates_nothing() {
    let settings = Settings::new().with_core_uses_pid(true);
    let newest = KernelProfile::new(KernelVersion::new(7, 0, 0));
    let crash = container_crash();
    let deep = format!("/{}/app", "d".repeat(300));
    let long_exe = format!("/{}", "x/".repeat(2100));
    let deep_crash = crash.with_exe(Some(deep.as_bytes()));
    let cases: Vec<(Pattern, Crash<'_>, Result<usize, ExpandError>)> = vec![
        (
            ParseOptions::new()
                .kernel(newest)
                .parse("/c/%%-%p-%P-%i-%I-%u-%g-%d-%s-%t-%h-%e-%E-%f-%c-%C-%F-%z-%")
                .unwrap(),
            crash,
            Ok(0),
        ),
        (
            Pattern::parse("core").unwrap(),
            crash.with_signal(Signal::new(15)),
            Err(ExpandError::NoDump(NoDumpReason::SignalNotCore {
                signal: Signal::new(15),
            })),
        ),
        (
            Pattern::parse("/c/%E").unwrap(),
            deep_crash,
            // `!` + 300 × `d` + `!app`, then core_uses_pid's `.1`.
            Err(ExpandError::NoDump(NoDumpReason::NameTooLong { len: 307 })),
        ),
        (
            Pattern::parse("/c/%E").unwrap(),
            crash.with_exe(Some(long_exe.as_bytes())),
            Err(ExpandError::NoDump(NoDumpReason::ExePathTooLong {
                len: long_exe.len(),
            })),
        ),
        (
            Pattern::parse("core").unwrap(),
            crash.with_core_limit(CoreLimit::Bytes(100)),
            Err(ExpandError::NoDump(NoDumpReason::CoreLimitBelowPage {
                limit: 100,
            })),
        ),
        (
            Pattern::parse("|/bin/helper %p").unwrap(),
            crash,
            Err(ExpandError::NotFileMode {
                mode: core_pattern::Mode::Pipe,
            }),
        ),
    ];
    for (p, crash, want) in &cases {
        let mut buf = [0u8; 4096];
        let (n, got) = allocations(|| p.expand_file_name_into(&settings, crash, &mut buf));
        match want {
            Ok(_) => assert!(got.is_ok(), "{p}: {got:?}"),
            Err(e) => assert_eq!(&got, &Err(e.clone()), "{p}"),
        }
        assert_eq!(n, 0, "{p}: {n} allocations");
        // A buffer too small: the required length, still no allocation.
        if let Ok(len) = got {
            let (n, short) =
                allocations(|| p.expand_file_name_into(&settings, crash, &mut buf[..len - 1]));
            assert_eq!(short, Err(ExpandError::BufferTooSmall { required: len }));
            assert_eq!(n, 0, "{p}: short buffer: {n} allocations");
        }
    }
}
