//! Sub-stage timings for profiling: with `BRIEFING_TRACE` set in the
//! environment, every [`lap`] prints the time since the previous lap on the
//! same thread to stderr, with the CPU time of the whole process in it. `-v` gives the stage times; this splits them
//! (`BRIEFING_TRACE=1 briefing serve -v`, see bench/SERVE.md).

use std::cell::Cell;
use std::sync::OnceLock;
use std::time::Instant;

thread_local! {
    /// When the last lap ended, and the process CPU time then.
    static LAST: Cell<Option<(Instant, std::time::Duration)>> = const { Cell::new(None) };
}

pub fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("BRIEFING_TRACE").is_some())
}

/// Ends the lap named `what` (and starts the next one).
pub fn lap(what: &str) {
    if !enabled() {
        return;
    }
    let now = (Instant::now(), crate::build::process_cpu_time());
    LAST.with(|last| {
        if let Some((then, then_cpu)) = last.get() {
            // CPU time of the whole process: on a shared machine it
            // varies far less than wall time.
            eprintln!(
                "    {what:<28} {:>8.1} ms  (cpu {:>8.1} ms, rss {:>6} MB{})",
                (now.0 - then).as_secs_f64() * 1000.0,
                now.1.saturating_sub(then_cpu).as_secs_f64() * 1000.0,
                resident_mb(),
                heap::lap_note()
            );
        }
        last.set(Some(now));
    });
}

/// The process's resident memory now, in MB (0 where `/proc` is not
/// there): where in a build memory grows. Freed memory the allocator keeps
/// still counts, so it shows the high-water mark so far more than the live
/// heap.
fn resident_mb() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096 / (1024 * 1024)
}

/// Prints a count that explains a lap (how much it had to redo).
pub fn count(what: &str, n: usize) {
    if enabled() {
        eprintln!("    {what:<28} {n:>8}");
    }
}

/// With the `heap-count` feature, a global allocator that counts the live
/// heap: RSS shows where memory was highest so far (the allocator keeps
/// what is freed), the live heap shows what each stage holds. Each lap
/// then prints the live heap and its peak since the previous lap.
#[cfg(feature = "heap-count")]
mod heap {
    use std::alloc::{GlobalAlloc, Layout};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    static LIVE: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);

    pub struct CountingHeap;

    impl CountingHeap {
        fn grew(by: usize) {
            let live = LIVE.fetch_add(by, Relaxed) + by;
            PEAK.fetch_max(live, Relaxed);
        }
    }

    // SAFETY: every call is passed on to mimalloc unchanged; the counters
    // only observe sizes.
    unsafe impl GlobalAlloc for CountingHeap {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let p = mimalloc::MiMalloc.alloc(layout);
            if !p.is_null() {
                Self::grew(layout.size());
            }
            p
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let p = mimalloc::MiMalloc.alloc_zeroed(layout);
            if !p.is_null() {
                Self::grew(layout.size());
            }
            p
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            LIVE.fetch_sub(layout.size(), Relaxed);
            mimalloc::MiMalloc.dealloc(ptr, layout)
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let p = mimalloc::MiMalloc.realloc(ptr, layout, new_size);
            if !p.is_null() {
                LIVE.fetch_sub(layout.size(), Relaxed);
                Self::grew(new_size);
            }
            p
        }
    }

    /// ", live N MB, peak M MB", the peak since the last call.
    pub fn lap_note() -> String {
        let mb = |b: usize| b / (1024 * 1024);
        let live = LIVE.load(Relaxed);
        let peak = PEAK.swap(live, Relaxed);
        format!(", live {:>5} MB, peak {:>5} MB", mb(live), mb(peak))
    }
}

#[cfg(not(feature = "heap-count"))]
mod heap {
    pub fn lap_note() -> &'static str {
        ""
    }
}

#[cfg(feature = "heap-count")]
pub use heap::CountingHeap;
