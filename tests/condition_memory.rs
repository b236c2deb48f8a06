//! Raising a condition costs the same memory and time at any depth: a
//! condition raised and caught at every level of a deep recursion runs in a
//! few MiB, and allocates a bounded amount per raise (each condition used
//! to record the whole stack: 815 MB at depth 10,000).
//!
//! Memory is measured by counting every allocation of this test binary, so
//! it has one test: the peak would otherwise include other tests' memory.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use elle_vm::Vm;

/// The system allocator, counting the bytes allocated now and at the peak.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Every byte ever allocated.
static TOTAL: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    TOTAL.fetch_add(bytes, Ordering::Relaxed);
    let now = CURRENT.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is passed on to the system allocator unchanged; the
// counters are only read by the test.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        grew(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What running a program allocated.
struct Measured {
    value: String,
    /// The most memory allocated at once, beyond what was before.
    peak: usize,
    /// All the bytes allocated: what recording traces cost in time.
    total: usize,
}

/// Runs `src` in a fresh VM on a thread with a large stack (as the `elle`
/// binary does), measuring its allocations.
fn run_measured(src: &'static str) -> Measured {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut vm = Vm::new();
            let before = CURRENT.load(Ordering::Relaxed);
            PEAK.store(before, Ordering::Relaxed);
            let total_before = TOTAL.load(Ordering::Relaxed);
            let value = match vm.eval_source(src, "test") {
                Ok(v) => elle_vm::printer::write_string(&vm, v),
                Err(e) => format!("{e}"),
            };
            Measured {
                value,
                peak: PEAK.load(Ordering::Relaxed) - before,
                total: TOTAL.load(Ordering::Relaxed) - total_before,
            }
        })
        .expect("spawn test thread")
        .join()
        .expect("test thread panicked")
}

/// The most a program below may have allocated at once. Most of it is the
/// depth itself: frame records and registers of 20,000 to 100,000 calls
/// (the value stack and the frame vector double as they grow). Recording
/// whole stacks took 815 MB at depth 10,000.
const PEAK_LIMIT: usize = 48 << 20;

/// The most a program below may allocate in all for each condition it
/// raises, traces included, whatever the depth. With the whole stack in
/// each trace, a raise 100,000 frames deep allocates 1.6 MB.
const BYTES_PER_RAISE: usize = 2048;

/// Runs `src`, which raises `raises` conditions at depths up to the depth
/// limit, and checks its value and what it allocated.
fn check(src: &'static str, value: &str, raises: usize) {
    let m = run_measured(src);
    assert_eq!(m.value, value);
    assert!(m.peak < PEAK_LIMIT, "peak allocation {} bytes", m.peak);
    let bound = PEAK_LIMIT + raises * BYTES_PER_RAISE;
    assert!(m.total < bound, "allocated {} bytes in all", m.total);
}

#[test]
fn conditions_raised_at_every_level_of_a_deep_recursion_stay_in_bounded_memory() {
    // Each level catches the condition from below and raises its own.
    check(
        r#"(define (f n)
             (if (= n 20000)
                 (error "bottom")
                 (try (f (+ n 1)) (catch e (error "wrapped" n)))))
           (try (f 0) (catch e (list (condition-message e) (length (condition-trace e)))))"#,
        r#"("wrapped" 2)"#,
        20_001,
    );
    // A stack-overflow at the default depth limit (100,000), then a new
    // error from the cleanup of every level as the stack unwinds.
    check(
        r#"(define (f) (try (f) (finally (error "fin"))))
           (try (f) (catch e (list (condition-message e) (length (condition-trace e)))))"#,
        r#"("fin" 2)"#,
        100_001,
    );
}
