//! Which related lists an edit can change: [`readers`] finds the lists
//! that read a changed document, from the last ranking's vectors and bars.

use super::*;

/// The partial score of the last candidate of a list that got an exact
/// cosine, when some did not (None: every candidate got one). A document
/// whose partial score stays below it, before and after a change, is not
/// in the list's selection either time.
pub(super) type Bar = Option<f32>;

/// What the last ranking knew, for [`readers`].
pub(super) struct Before {
    pub(super) vectors: Vec<Option<Arc<TermVector>>>,
    pub(super) bars: Vec<Bar>,
    /// Each list's candidates, where known (see [`Candidate`]).
    pub(super) candidates: Vec<Option<Candidates>>,
}

/// A document a list's ranking gave an exact score: its position counted
/// from the oldest (stable while the documents up to it are the same, as
/// they are for every list the memo keeps), its partial score and its
/// exact score (cosine plus shared-feature bonus).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Candidate {
    pub(super) oldest_first: u32,
    pub(super) partial: f32,
    pub(super) score: f32,
}

/// A list's candidates, in no particular order.
pub(super) type Candidates = Arc<Vec<Candidate>>;

/// What an edit means for one list (see [`readers`]).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Redo {
    /// It is the same.
    Keep,
    /// Its candidates are the same documents, and these (positions
    /// counted from the oldest, with their partial scores now) need their
    /// exact scores again (see `rescore` in the ranking).
    Rescore(Vec<(u32, f32)>),
    /// It must be ranked again.
    Rank,
}

impl Redo {
    pub(super) fn is_keep(&self) -> bool {
        *self == Redo::Keep
    }
}

/// (document, term or feature) pairs of what a changed document gained or
/// lost, for [`readers`].
pub(super) struct Moved<'a> {
    pub(super) terms: &'a [(usize, u32)],
    pub(super) features: &'a [(usize, u32)],
}

/// Under `related_scope = "past"`, with the same documents and times as the
/// last ranking and only the documents marked `changed` having new term
/// vectors or features: the documents whose list can differ.
///
/// A list is a function of the document's own vector and features, the
/// postings windows it reads (for its query terms and its features) and the
/// vectors and features of the documents in them. A changed document in a
/// window changes only its own partial score there, so the list is redone
/// when:
/// - the document itself changed;
/// - a changed document entered or left one of its windows (`moved`: it
///   gained or lost the term or feature), which also moves the window's
///   last entry;
/// - a changed document is in one of its windows and its partial score,
///   before or after, reaches the list's [`Bar`]: it is (or becomes) a
///   candidate that gets an exact cosine. Without `before`, any changed
///   document in a window counts.
///
/// Exact, not a heuristic: the other lists come out bit for bit as a full
/// ranking would make them (the bar is compared with a margin, so float
/// rounding can only add lists, never miss one). Each possible reader reads
/// its windows once, as ranking it would, without the arithmetic.
///
/// A list whose last candidates are known ([`Before::candidates`]) and
/// stay the same documents (every changed one it selected stays above its
/// bar, every other stays below it, none entered or left a window) is not
/// ranked again but rescored ([`Redo::Rescore`]): a paragraph in the
/// middle of the archive moves the frequencies of a few hundred
/// documents' words, and most newer lists select one of them.
pub(super) fn readers(
    index: &Index,
    docs: &[RankDoc],
    bonus: &[f32],
    changed: Vec<bool>,
    moved: Moved,
    before: Option<&Before>,
) -> Vec<Redo> {
    let as_redo = |dirty: Vec<bool>| -> Vec<Redo> {
        dirty
            .into_iter()
            .map(|d| if d { Redo::Rank } else { Redo::Keep })
            .collect()
    };
    let n = docs.len();
    let mut changed_at = vec![false; n];
    let mut oldest = None;
    for (i, _) in changed.iter().enumerate().filter(|c| *c.1) {
        let p = index.pos_of[i];
        changed_at[p] = true;
        oldest = oldest.max(Some(p));
    }
    let Some(oldest) = oldest else {
        return as_redo(changed);
    };
    let n_changed = changed.iter().filter(|c| **c).count();
    crate::trace::count("related.changed_vectors", n_changed);
    // (term, position of the document that gained or lost it, the last
    // window start whose window is full before it: see `past_the_end`).
    let at = |moved: &[(usize, u32)], past_the_end: &(dyn Fn(u32, usize) -> Option<u32> + Sync)| {
        let mut at: Vec<(u32, usize, Option<u32>)> = moved
            .par_iter()
            .map(|&(c, t)| {
                let p = index.pos_of[c];
                (t, p, past_the_end(t, p))
            })
            .collect();
        at.sort_unstable();
        at
    };
    let moved_at = at(moved.terms, &|t, p| {
        let list = &index.term_postings
            [index.term_offsets[t as usize]..index.term_offsets[t as usize + 1]];
        past_the_end(list, |e| e.0, p)
    });
    let features_moved_at = at(moved.features, &|f, p| {
        let list = &index.feature_postings
            [index.feature_offsets[f as usize]..index.feature_offsets[f as usize + 1]];
        past_the_end(list, |e| *e, p)
    });
    // The documents that gained or lost `key`, other than the reader at
    // `p`, from the start of its window (`from`) on: (position, the last
    // window start whose window ends before it).
    fn moved_in(
        moved: &[(u32, usize, Option<u32>)],
        key: u32,
        p: usize,
        from: usize,
    ) -> impl Iterator<Item = (usize, Option<u32>)> + '_ {
        let first = moved.partition_point(|m| m.0 < key);
        moved[first..]
            .iter()
            .take_while(move |m| m.0 == key)
            .map(|m| (m.1, m.2))
            .filter(move |&(p_c, _)| p_c >= from && p_c != p)
    }
    // Whether the window starting at `from` changed its documents: some
    // move is not past the end of a full window (then the window is the
    // same before and after the move).
    let moves_window = |moved: &[(usize, Option<u32>)], from: usize| {
        moved
            .iter()
            .any(|&(_, last_start)| last_start.is_none_or(|s| from > s as usize))
    };
    // Readers are newer than a changed document or of its time.
    let mut end = oldest + 1;
    while end < n && index.group_start[end] <= oldest {
        end += 1;
    }
    // With many changed (an edit whose words moved other briefings'
    // frequencies), most later lists read one: a list keeps 24 candidates,
    // so with a share s of the later briefings changed about 1 - (1 - s)^24
    // of the lists must be ranked again, over half from s = 1/36 on, and
    // ranking them all costs less than finding the few that need not be.
    // Unless the lists can be rescored: reading their windows costs about a
    // quarter of ranking them (49 against 190 ms after a paragraph in the
    // middle of 10,000 briefings).
    let can_rescore = before.is_some_and(|b| b.candidates.iter().any(Option::is_some));
    if !can_rescore && n_changed >= 64 && n_changed * 32 > end {
        let mut dirty = changed;
        for &i in &index.order[..end] {
            dirty[i] = true;
        }
        return as_redo(dirty);
    }
    // The terms and features through which a changed document can be read.
    let mut term_read = vec![false; index.n_terms];
    let mut feature_read = vec![false; bonus.len()];
    // (term or feature, position) of the changed documents that have it
    // now, sorted: a window finds the changed documents it holds by range
    // instead of reading all of its entries.
    let mut changed_terms: Vec<(u32, u32)> = Vec::new();
    let mut changed_features: Vec<(u32, u32)> = Vec::new();
    for (p, _) in changed_at.iter().enumerate().filter(|c| *c.1) {
        let c = index.order[p];
        for &(t, _) in index.vectors[c].iter() {
            term_read[t as usize] = true;
            changed_terms.push((t, p as u32));
        }
        for &f in &docs[c].features {
            feature_read[f as usize] = true;
            changed_features.push((f, p as u32));
        }
    }
    changed_terms.sort_unstable();
    changed_features.sort_unstable();
    let changed_terms = ChangedInLists::new(
        &changed_terms,
        index.n_terms,
        |t| {
            &index.term_postings[index.term_offsets[t as usize]..index.term_offsets[t as usize + 1]]
        },
        |e| e.0,
        // The term's weight in the document's last vector (None: that
        // vector is not known).
        |t, p| {
            let old = before?.vectors[index.order[p as usize]].as_ref()?;
            Some(
                old.binary_search_by_key(&t, |e| e.0)
                    .map_or(0.0, |at| old[at].1),
            )
        },
    );
    let changed_features = ChangedInLists::new(
        &changed_features,
        bonus.len(),
        |f| {
            &index.feature_postings
                [index.feature_offsets[f as usize]..index.feature_offsets[f as usize + 1]]
        },
        |e| *e,
        // Whoever had the feature then had its bonus.
        |_, _| Some(1.0),
    );
    for &(t, _, _) in &moved_at {
        term_read[t as usize] = true;
    }
    for &(f, _, _) in &features_moved_at {
        feature_read[f as usize] = true;
    }
    let by_query = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    let reads_a_change = |p: usize| -> Redo {
        let i = index.order[p];
        let from = index.group_start[p];
        let by_terms = index.vectors[i].iter().any(|&(t, _)| term_read[t as usize]);
        let by_features = docs[i].features.iter().any(|&f| feature_read[f as usize]);
        if !by_terms && !by_features {
            return Redo::Keep;
        }
        let mut query: TermVector = index.vectors[i].to_vec();
        if query.len() > QUERY_TERMS {
            query.select_nth_unstable_by(QUERY_TERMS - 1, by_query);
            query.truncate(QUERY_TERMS);
        }
        // Changed documents read: (position, partial score now, before).
        let mut seen: Vec<(usize, f32, f32)> = Vec::new();
        // Unchanged documents a move pushed into or out of a window:
        // (position, partial score now minus before).
        let mut shifted: Vec<(usize, f32)> = Vec::new();
        let mut read = |q: usize, now: f32, then: f32| {
            if q == p {
            } else if changed_at[q] {
                match seen.iter_mut().find(|s| s.0 == q) {
                    Some(s) => {
                        s.1 += now;
                        s.2 += then;
                    }
                    None => seen.push((q, now, then)),
                }
            } else if now != then {
                match shifted.iter_mut().find(|s| s.0 == q) {
                    Some(s) => s.1 += now - then,
                    None => shifted.push((q, now - then)),
                }
            }
        };
        for &(t, qw) in query.iter().filter(|q| term_read[q.0 as usize]) {
            let list = &index.term_postings
                [index.term_offsets[t as usize]..index.term_offsets[t as usize + 1]];
            // A changed document's partial score here in the last ranking
            // (None: its last vector is not known).
            let then_of = |q: usize| -> Option<f32> {
                let old = before?.vectors[index.order[q]].as_ref()?;
                Some(
                    old.binary_search_by_key(&t, |e| e.0)
                        .map_or(0.0, |at| qw * old[at].1),
                )
            };
            let moved: Vec<(usize, Option<u32>)> = moved_in(&moved_at, t, p, from).collect();
            if !moves_window(&moved, from) {
                // The same documents in the window: only the changed ones'
                // entries can differ.
                for e in changed_terms.in_window(t, from) {
                    let Some(weight) = e.before else {
                        return Redo::Rank;
                    };
                    read(
                        e.position as usize,
                        qw * list[e.index as usize].1,
                        qw * weight,
                    );
                }
            } else if window_change(
                list,
                |e| e.0,
                from,
                &moved.iter().map(|m| m.0).collect::<Vec<_>>(),
                |e| qw * e.1,
                |q, e| match e {
                    Some(e) if !changed_at[q] => Some(qw * e.1),
                    _ => then_of(q),
                },
                &mut read,
            ) {
                return Redo::Rank;
            }
        }
        for &f in docs[i]
            .features
            .iter()
            .filter(|f| feature_read[**f as usize])
        {
            let list = &index.feature_postings
                [index.feature_offsets[f as usize]..index.feature_offsets[f as usize + 1]];
            let moved: Vec<(usize, Option<u32>)> =
                moved_in(&features_moved_at, f, p, from).collect();
            let bonus = bonus[f as usize];
            // Whoever had the feature then had its bonus.
            if !moves_window(&moved, from) {
                for e in changed_features.in_window(f, from) {
                    read(e.position as usize, bonus, bonus);
                }
            } else {
                window_change(
                    list,
                    |e| *e,
                    from,
                    &moved.iter().map(|m| m.0).collect::<Vec<_>>(),
                    |_| bonus,
                    |_, _| Some(bonus),
                    &mut read,
                );
            }
        }
        let Some(before) = before else {
            return if seen.is_empty() && shifted.is_empty() {
                Redo::Keep
            } else {
                Redo::Rank
            };
        };
        let bar = before.bars[i];
        let margin = bar.map_or(0.0, |bar| bar.abs() * 1e-4);
        let Some(candidates) = &before.candidates[i] else {
            let reaches = !shifted.is_empty()
                || seen.iter().any(|&(_, now, then)| match bar {
                    // Every candidate got an exact cosine: the changed one did or does.
                    None => now > 0.0 || then > 0.0,
                    Some(bar) => now >= bar - margin || then >= bar - margin,
                });
            return if reaches { Redo::Rank } else { Redo::Keep };
        };
        let candidate = |q: usize| {
            let oldest_first = (n - 1 - q) as u32;
            candidates.iter().find(|c| c.oldest_first == oldest_first)
        };
        // An unchanged document's partial score now, read from the windows
        // as ranking reads them (for the few a move pushed into one).
        let partial_now = |q: usize| -> f32 {
            let mut sum = 0.0;
            for &(t, qw) in &query {
                let list = &index.term_postings
                    [index.term_offsets[t as usize]..index.term_offsets[t as usize + 1]];
                let win = window(list, |e| e.0, p, from, true);
                if let Ok(at) = win.binary_search_by_key(&(q as u32), |e| e.0) {
                    sum += qw * win[at].1;
                }
            }
            for &f in &docs[i].features {
                let list = &index.feature_postings
                    [index.feature_offsets[f as usize]..index.feature_offsets[f as usize + 1]];
                if window(list, |e| *e, p, from, true)
                    .binary_search(&(q as u32))
                    .is_ok()
                {
                    sum += bonus[f as usize];
                }
            }
            sum
        };
        let mut rescore = Vec::new();
        for &(q, now, then) in &seen {
            let was = candidate(q).is_some();
            let stays = match bar {
                // Every document in a window is a candidate.
                None => was == (now > 0.0) && was == (then > 0.0),
                Some(bar) if was => now > bar + margin,
                Some(bar) => now < bar - margin && then < bar - margin,
            };
            if !stays {
                return Redo::Rank;
            }
            if was {
                rescore.push(((n - 1 - q) as u32, now));
            }
        }
        for &(q, delta) in &shifted {
            let stays = match (bar, candidate(q)) {
                // Whether it is still in some window is not known.
                (None, _) => false,
                (Some(bar), Some(c)) => {
                    let now = c.partial + delta;
                    rescore.push((c.oldest_first, now));
                    now > bar + margin
                }
                // Below the bar before, and lower now, or still below it.
                (Some(bar), None) => delta < 0.0 || partial_now(q) < bar - margin,
            };
            if !stays {
                return Redo::Rank;
            }
        }
        if rescore.is_empty() {
            Redo::Keep
        } else {
            Redo::Rescore(rescore)
        }
    };
    let redo: Vec<Redo> = (0..end)
        .into_par_iter()
        .map(|p| {
            if changed_at[p] {
                Redo::Rank
            } else {
                reads_a_change(p)
            }
        })
        .collect();
    let mut dirty = as_redo(changed);
    for (p, redo) in redo.into_iter().enumerate() {
        if !redo.is_keep() {
            dirty[index.order[p]] = redo;
        }
    }
    dirty
}

/// Reads one postings window of a reader whose window starts at `from`,
/// now and as it was before the documents at positions `moved` (ascending,
/// not empty) gained or lost the term or feature: `read(position,
/// contribution now, contribution before)` for every document in either
/// window (0 where it was or is not in it). `now` is an entry's
/// contribution now; `then` a document's before (with its entry of today,
/// if it has one). (When no document moved, only the changed documents'
/// entries can differ: see [`ChangedInLists`].) Returns whether a
/// contribution before was not known.
fn window_change<T>(
    list: &[T],
    pos: impl Fn(&T) -> u32,
    from: usize,
    moved: &[usize],
    now: impl Fn(&T) -> f32,
    then: impl Fn(usize, Option<&T>) -> Option<f32>,
    read: &mut impl FnMut(usize, f32, f32),
) -> bool {
    let mut unknown = false;
    let mut then_or_flag = |q: usize, e: Option<&T>| {
        then(q, e).unwrap_or_else(|| {
            unknown = true;
            0.0
        })
    };
    let start = list.partition_point(|e| (pos(e) as usize) < from);
    let end = (start + POSTINGS_CAP).min(list.len());
    let present = |q: usize| list.binary_search_by_key(&(q as u32), &pos).is_ok();
    // The list before: without those that gained it, with those that lost it.
    let (gained, lost): (Vec<usize>, Vec<usize>) = moved.iter().partition(|&&q| present(q));
    let mut before: Vec<(usize, Option<&T>)> = Vec::with_capacity(POSTINGS_CAP);
    let mut lost_at = 0;
    let mut k = start;
    while before.len() < POSTINGS_CAP {
        let next_listed = list.get(k).map(|e| pos(e) as usize);
        let next_lost = lost.get(lost_at).copied();
        match (next_listed, next_lost) {
            (Some(l), Some(q)) if q < l => {
                before.push((q, None));
                lost_at += 1;
            }
            (Some(l), _) => {
                if !gained.contains(&l) {
                    before.push((l, Some(&list[k])));
                }
                k += 1;
            }
            (None, Some(q)) => {
                before.push((q, None));
                lost_at += 1;
            }
            (None, None) => break,
        }
    }
    // Both windows are in position order: merged, each document once.
    let window_now = &list[start..end];
    let (mut a, mut b) = (0, 0);
    loop {
        match (window_now.get(a), before.get(b)) {
            (Some(e), Some(&(q, was))) if pos(e) as usize == q => {
                let t = then_or_flag(q, was);
                read(q, now(e), t);
                a += 1;
                b += 1;
            }
            (Some(e), Some(&(q, _))) if (pos(e) as usize) < q => {
                read(pos(e) as usize, now(e), 0.0);
                a += 1;
            }
            (Some(e), None) => {
                read(pos(e) as usize, now(e), 0.0);
                a += 1;
            }
            (_, Some(&(q, was))) => {
                let t = then_or_flag(q, was);
                read(q, 0.0, t);
                b += 1;
            }
            (None, None) => break,
        }
    }
    unknown
}

/// For a document at position `at` that gained or lost the term (or
/// feature) of `list` (positions ascending): the last window start from
/// which a window is full before reaching it. Such a window holds the same
/// documents with the document and without it: the move is past its end.
/// None when no window is (fewer than `POSTINGS_CAP` entries before it).
fn past_the_end<T>(list: &[T], pos: impl Fn(&T) -> u32, at: usize) -> Option<u32> {
    // Where the document is, or would be, in the list.
    let k = list.partition_point(|e| (pos(e) as usize) < at);
    // A window starting at `from` begins at the first entry at or after
    // it, so it ends before entry k when entry k - CAP is at or after it.
    k.checked_sub(POSTINGS_CAP).map(|j| pos(&list[j]))
}

/// The smallest window start (`from`) whose window holds entry `k` of a
/// postings list (positions ascending). A window is the `POSTINGS_CAP`
/// entries from the first at or after `from`, so entry `k` is in it when
/// `from` is above the position of entry `k - POSTINGS_CAP` and at most
/// its own.
fn lowest_window_start<T>(list: &[T], pos: impl Fn(&T) -> u32, k: usize) -> u32 {
    match k.checked_sub(POSTINGS_CAP) {
        Some(before) => pos(&list[before]) + 1,
        None => 0,
    }
}

/// A changed document's entry in a postings list, for [`ChangedInLists`].
struct ChangedEntry {
    position: u32,
    /// The smallest window start whose window holds the entry.
    lowest_from: u32,
    /// Its index in the postings list.
    index: u32,
    /// Its weight there in the last ranking (None: not known).
    before: Option<f32>,
}

/// Where the changed documents sit in the postings lists of their terms
/// (or features): each reader's window then finds the changed documents it
/// holds in this short list, instead of searching the postings list for
/// its start and for each changed document, and their last weights are
/// looked up once, not once per reader.
struct ChangedInLists {
    /// Per term (or feature), its range in `entries`.
    ranges: Vec<(u32, u32)>,
    /// Per term, positions ascending, and so window starts too.
    entries: Vec<ChangedEntry>,
}

impl ChangedInLists {
    /// `pairs`: (key, position) of the changed documents having the key,
    /// ascending; `list_of(key)`: the key's postings list, whose entries
    /// have positions `pos(entry)`; `before(key, position)`: the
    /// document's weight for the key in the last ranking.
    fn new<'a, T: Sync + 'a>(
        pairs: &[(u32, u32)],
        n_keys: usize,
        list_of: impl Fn(u32) -> &'a [T] + Sync,
        pos: impl Fn(&T) -> u32 + Sync,
        before: impl Fn(u32, u32) -> Option<f32> + Sync,
    ) -> ChangedInLists {
        let found: Vec<Option<ChangedEntry>> = pairs
            .par_iter()
            .map(|&(key, p)| {
                let list = list_of(key);
                let k = list.partition_point(|e| pos(e) < p);
                // Every changed document is listed under its own terms and
                // features; one that were not would be in no window.
                (k < list.len() && pos(&list[k]) == p).then(|| ChangedEntry {
                    position: p,
                    lowest_from: lowest_window_start(list, &pos, k),
                    index: k as u32,
                    before: before(key, p),
                })
            })
            .collect();
        let mut ranges = vec![(0, 0); n_keys];
        let mut entries = Vec::with_capacity(pairs.len());
        for (&(key, _), entry) in pairs.iter().zip(found) {
            if let Some(entry) = entry {
                let range = &mut ranges[key as usize];
                if range.1 == range.0 {
                    *range = (entries.len() as u32, entries.len() as u32);
                }
                entries.push(entry);
                range.1 += 1;
            }
        }
        ChangedInLists { ranges, entries }
    }

    /// The changed documents having `key` in the window starting at
    /// `from`, positions ascending.
    fn in_window(&self, key: u32, from: usize) -> impl Iterator<Item = &ChangedEntry> {
        let (a, b) = self.ranges[key as usize];
        let entries = &self.entries[a as usize..b as usize];
        // Positions at or after `from`; of those, the first few whose
        // smallest window start is at most `from`.
        let first = entries.partition_point(|e| (e.position as usize) < from);
        entries[first..]
            .iter()
            .take_while(move |e| e.lowest_from as usize <= from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checked against the windows ranking reads, for every window start:
    /// a document at or after `past_the_end` is in no window starting
    /// there or earlier, and `ChangedInLists` finds an entry in exactly
    /// the windows that hold it.
    #[test]
    fn window_bounds_agree_with_the_windows_read() {
        // Positions with gaps, longer than two windows.
        let list: Vec<u32> = (0..(2 * POSTINGS_CAP as u32 + 40))
            .map(|k| k * 3 + k % 2)
            .collect();
        let last = *list.last().unwrap() as usize;
        let in_window =
            |from: usize, at: u32| index::window(&list, |e| *e, from, from, true).contains(&at);
        for at in [
            0,
            5,
            list[POSTINGS_CAP] as usize,
            list[POSTINGS_CAP] as usize + 1,
            last,
            last + 7,
        ] {
            let bound = past_the_end(&list, |e| *e, at);
            for from in 0..=at {
                // Where the document is or would be: a window holding the
                // slot before it ends there.
                let k = list.partition_point(|&e| (e as usize) < at);
                let window = index::window(&list, |e| *e, from, from, true);
                let start = list.partition_point(|&e| (e as usize) < from);
                let full_before = start + window.len() <= k && window.len() == POSTINGS_CAP;
                assert_eq!(
                    bound.is_some_and(|b| from <= b as usize),
                    full_before,
                    "document at {at}, window from {from}"
                );
            }
        }
        let pairs: Vec<(u32, u32)> = [0, 7, POSTINGS_CAP, POSTINGS_CAP + 1, list.len() - 1]
            .iter()
            .map(|&k| (0, list[k]))
            .collect();
        let changed = ChangedInLists::new(&pairs, 1, |_| list.as_slice(), |e| *e, |_, _| Some(1.0));
        for from in 0..=last + 1 {
            let found: Vec<u32> = changed.in_window(0, from).map(|e| e.position).collect();
            let expected: Vec<u32> = pairs
                .iter()
                .map(|p| p.1)
                .filter(|&q| in_window(from, q))
                .collect();
            assert_eq!(found, expected, "window from {from}");
        }
    }
}
