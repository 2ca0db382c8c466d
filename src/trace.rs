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
                "    {what:<28} {:>8.1} ms  (cpu {:>8.1} ms, rss {:>6} MB)",
                (now.0 - then).as_secs_f64() * 1000.0,
                now.1.saturating_sub(then_cpu).as_secs_f64() * 1000.0,
                resident_mb()
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
