//! Freeing large structures off the thread that waits for a rebuild.

/// Drops `value` on a rayon worker instead of here. Freeing a structure of
/// many small allocations (the last rebuild's memo entries, related lists,
/// copies of every briefing) takes milliseconds; `serve`'s rebuild thread
/// runs its serial stretches while the workers are idle, so there it costs
/// nothing. Nothing observable depends on when the memory is freed.
pub(crate) fn drop_later<T: Send + 'static>(value: T) {
    rayon::spawn(move || drop(value));
}
