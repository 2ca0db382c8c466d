//! The last ranking's term vectors of the documents an edit changed, made
//! again from the stems: a `build` keeps lists, bars and candidates on
//! disk but not the vectors (tens of megabytes), and [`readers`] needs the
//! changed documents' last vectors to tell which lists read them.
//!
//! Under "past" a vector is a function of the document's stem counts, the
//! document frequencies of its stems among the documents up to its time
//! and how many those are (see [`weigh`]). With the same documents at the
//! same times, only the edited texts' counts differ from the last build:
//! their old counts are in the stem memo, and the old frequencies are
//! today's minus what the edited documents brought and plus what they
//! had. Weighed in the same order as then (term ids follow the sorted
//! stems), the vectors come out bit for bit as the last build made them.

use super::*;

/// What [`vectors_before`] needs besides the index: the edited documents
/// with their stem counts of the last build (interned stem ids, sorted),
/// and the stem memo's names and ids.
pub(super) struct Edited<'a> {
    pub(super) before: Vec<(usize, StemCounts)>,
    /// Interned stem id -> stem.
    pub(super) names: &'a [String],
    /// Interned stem id -> term id now (`u32::MAX`: no document has it).
    pub(super) term_of: &'a [u32],
    /// Term id now -> interned stem id.
    pub(super) vocab: &'a [u32],
}

/// The last vectors, in today's term ids, of the documents marked
/// `changed` (None for the others). `counts` are today's term counts.
/// A stem only an edited text had, which has no term id now, counts in
/// its norm but is left out, as a vector brought to a new vocabulary is.
pub(super) fn vectors_before(
    index: &Index,
    counts: &[Arc<TermFrequencies>],
    changed: &[bool],
    edited: &Edited,
) -> Vec<Option<Arc<TermVector>>> {
    let n = index.order.len();
    // How many documents at positions from `start` on have term `t` now.
    let df_now = |t: u32, start: usize| -> i64 {
        let list = &index.term_postings
            [index.term_offsets[t as usize]..index.term_offsets[t as usize + 1]];
        (list.len() - list.partition_point(|e| (e.0 as usize) < start)) as i64
    };
    // What the edits moved the frequency of a stem (interned `id`, term
    // `t` now if any) by, among the documents from `start` on.
    let moved_by = |id: u32, t: Option<u32>, start: usize| -> i64 {
        let mut by = 0;
        for (e, before) in &edited.before {
            if index.pos_of[*e] < start {
                continue;
            }
            let has = t.is_some_and(|t| counts[*e].binary_search_by_key(&t, |c| c.0).is_ok());
            let had = before.binary_search_by_key(&id, |c| c.0).is_ok();
            by += i64::from(has) - i64::from(had);
        }
        by
    };
    (0..n)
        .into_par_iter()
        .map(|i| {
            if !changed[i] {
                return None;
            }
            let start = index.group_start[index.pos_of[i]];
            let seen = n - start;
            let old = edited.before.iter().find(|(e, _)| *e == i);
            let vector = match old {
                // Its text is the same: today's counts, then's frequencies.
                None => weigh(
                    &counts[i],
                    |t| {
                        let id = edited.vocab[t as usize];
                        (df_now(t, start) - moved_by(id, Some(t), start)) as u32
                    },
                    seen,
                ),
                Some((_, before)) => {
                    // Its counts of then, in then's term order: by stem.
                    let mut stems: Vec<(u32, u32)> = before.to_vec();
                    stems.sort_unstable_by(|a, b| {
                        edited.names[a.0 as usize].cmp(&edited.names[b.0 as usize])
                    });
                    let term =
                        |id: u32| Some(edited.term_of[id as usize]).filter(|&t| t != u32::MAX);
                    let local: Vec<(u32, u32)> = (0..stems.len() as u32)
                        .map(|k| (k, stems[k as usize].1))
                        .collect();
                    let weighed = weigh(
                        &local,
                        |k| {
                            let id = stems[k as usize].0;
                            let t = term(id);
                            let now = t.map_or(0, |t| df_now(t, start));
                            (now - moved_by(id, t, start)) as u32
                        },
                        seen,
                    );
                    weighed
                        .into_iter()
                        .filter_map(|(k, w)| Some((term(stems[k as usize].0)?, w)))
                        .collect()
                }
            };
            Some(Arc::new(vector))
        })
        .collect()
}
