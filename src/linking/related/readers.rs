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
pub(super) fn readers(
    index: &Index,
    docs: &[RankDoc],
    bonus: &[f32],
    changed: Vec<bool>,
    moved: Moved,
    before: Option<&Before>,
) -> Vec<bool> {
    let n = docs.len();
    let mut changed_at = vec![false; n];
    let mut oldest = None;
    for (i, _) in changed.iter().enumerate().filter(|c| *c.1) {
        let p = index.pos_of[i];
        changed_at[p] = true;
        oldest = oldest.max(Some(p));
    }
    let Some(oldest) = oldest else {
        return changed;
    };
    let n_changed = changed.iter().filter(|c| **c).count();
    crate::trace::count("related.changed_vectors", n_changed);
    // (term, position of the document that gained or lost it).
    let at = |moved: &[(usize, u32)]| {
        let mut at: Vec<(u32, usize)> = moved.iter().map(|&(c, t)| (t, index.pos_of[c])).collect();
        at.sort_unstable();
        at
    };
    let moved_at = at(moved.terms);
    let features_moved_at = at(moved.features);
    // The positions of the documents that gained or lost `key`, other than
    // the reader at `p`, from the start of its window (`from`) on.
    fn moved_in(
        moved: &[(u32, usize)],
        key: u32,
        p: usize,
        from: usize,
    ) -> impl Iterator<Item = usize> + '_ {
        let first = moved.partition_point(|m| m.0 < key);
        moved[first..]
            .iter()
            .take_while(move |m| m.0 == key)
            .map(|m| m.1)
            .filter(move |&p_c| p_c >= from && p_c != p)
    }
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
    if n_changed >= 64 && n_changed * 32 > end {
        let mut dirty = changed;
        for &i in &index.order[..end] {
            dirty[i] = true;
        }
        return dirty;
    }
    // The terms and features through which a changed document can be read.
    let mut term_read = vec![false; index.n_terms];
    let mut feature_read = vec![false; bonus.len()];
    for (p, _) in changed_at.iter().enumerate().filter(|c| *c.1) {
        let c = index.order[p];
        for &(t, _) in index.vectors[c].iter() {
            term_read[t as usize] = true;
        }
        for &f in &docs[c].features {
            feature_read[f as usize] = true;
        }
    }
    for &(t, _) in &moved_at {
        term_read[t as usize] = true;
    }
    for &(f, _) in &features_moved_at {
        feature_read[f as usize] = true;
    }
    let by_query = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    let reads_a_change = |p: usize| -> bool {
        let i = index.order[p];
        let from = index.group_start[p];
        let by_terms = index.vectors[i].iter().any(|&(t, _)| term_read[t as usize]);
        let by_features = docs[i].features.iter().any(|&f| feature_read[f as usize]);
        if !by_terms && !by_features {
            return false;
        }
        let mut query: TermVector = index.vectors[i].to_vec();
        if query.len() > QUERY_TERMS {
            query.select_nth_unstable_by(QUERY_TERMS - 1, by_query);
            query.truncate(QUERY_TERMS);
        }
        // Changed documents read: (position, partial score now, before).
        let mut seen: Vec<(usize, f32, f32)> = Vec::new();
        let mut note = |q: usize, now: f32, then: f32| match seen.iter_mut().find(|s| s.0 == q) {
            Some(s) => {
                s.1 += now;
                s.2 += then;
            }
            None => seen.push((q, now, then)),
        };
        for &(t, qw) in query.iter().filter(|q| term_read[q.0 as usize]) {
            let list = &index.term_postings
                [index.term_offsets[t as usize]..index.term_offsets[t as usize + 1]];
            let win = window(list, |e| e.0, p, from, true);
            let full = win.len() == POSTINGS_CAP;
            // A changed document's partial score here in the last ranking
            // (None: its last vector is not known).
            let then_of = |q: usize| -> Option<f32> {
                let old = before?.vectors[index.order[q]].as_ref()?;
                Some(
                    old.binary_search_by_key(&t, |e| e.0)
                        .map_or(0.0, |at| qw * old[at].1),
                )
            };
            for p_c in moved_in(&moved_at, t, p, from) {
                if full {
                    // It entered or left a full window, moving its last
                    // entry out or in.
                    if win[POSTINGS_CAP - 1].0 as usize >= p_c {
                        return true;
                    }
                } else if win.binary_search_by_key(&(p_c as u32), |e| e.0).is_err() {
                    // The window holds every document with the term, before
                    // as now: this one lost it, and was read here before.
                    let Some(then) = then_of(p_c) else {
                        return true;
                    };
                    note(p_c, 0.0, then);
                }
                // (Gained, in a window not full: read below like any other.)
            }
            for &(q, w) in win {
                let q = q as usize;
                if !changed_at[q] || q == p {
                    continue;
                }
                let Some(then) = then_of(q) else {
                    return true;
                };
                note(q, qw * w, then);
            }
        }
        for &f in docs[i]
            .features
            .iter()
            .filter(|f| feature_read[**f as usize])
        {
            let list = &index.feature_postings
                [index.feature_offsets[f as usize]..index.feature_offsets[f as usize + 1]];
            let win = window(list, |e| *e, p, from, true);
            let full = win.len() == POSTINGS_CAP;
            let mut gained = Vec::new();
            for p_c in moved_in(&features_moved_at, f, p, from) {
                if full {
                    if win[POSTINGS_CAP - 1] as usize >= p_c {
                        return true;
                    }
                } else if win.binary_search(&(p_c as u32)).is_ok() {
                    gained.push(p_c);
                } else {
                    // Lost it: it had the bonus here before.
                    note(p_c, 0.0, bonus[f as usize]);
                }
            }
            for &q in win {
                let q = q as usize;
                if gained.contains(&q) {
                    note(q, bonus[f as usize], 0.0);
                } else if changed_at[q] && q != p {
                    note(q, bonus[f as usize], bonus[f as usize]);
                }
            }
        }
        let Some(before) = before else {
            return !seen.is_empty();
        };
        seen.iter().any(|&(_, now, then)| match before.bars[i] {
            // Every candidate got an exact cosine: the changed one did or does.
            None => now > 0.0 || then > 0.0,
            Some(bar) => {
                let reach = bar - bar.abs() * 1e-4;
                now >= reach || then >= reach
            }
        })
    };
    let redo: Vec<bool> = (0..end)
        .into_par_iter()
        .map(|p| !changed_at[p] && reads_a_change(p))
        .collect();
    let mut dirty = changed;
    for (p, redo) in redo.into_iter().enumerate() {
        if redo {
            dirty[index.order[p]] = true;
        }
    }
    dirty
}
