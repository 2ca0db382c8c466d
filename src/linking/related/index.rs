//! The index related lists are ranked with: term counts and TF-IDF
//! vectors of every document, and postings of terms and features in time
//! order, built whole or patched after an edit.

use super::*;

/// Term vectors and postings of a corpus, positions in time order (newest first).
pub(super) struct Index {
    /// Position -> document index, newest first (ties: document index).
    pub(super) order: Vec<usize>,
    /// Document index -> position.
    pub(super) pos_of: Vec<usize>,
    /// Position -> first position with the same time (the "published up to it" boundary).
    pub(super) group_start: Vec<usize>,
    /// Document index -> (term id, weight), sorted by term id, L2-normalised.
    pub(super) vectors: Vec<Arc<TermVector>>,
    pub(super) n_terms: usize,
    /// CSR postings: term id -> (position, weight), positions ascending.
    pub(super) term_offsets: Vec<usize>,
    pub(super) term_postings: Vec<(u32, f32)>,
    /// The postings before the last patch ([`patch_index`]), kept as the
    /// next patch's buffer: a fresh one of tens of megabytes cost more in
    /// page faults than copying the postings into it.
    pub(super) spare_postings: Vec<(u32, f32)>,
    /// CSR postings of features: feature id -> positions ascending.
    pub(super) feature_offsets: Vec<usize>,
    pub(super) feature_postings: Vec<u32>,
}

/// Documents per chunk of [`term_counts`]: big enough that a chunk's word
/// cache pays off, small enough to spread over the threads.
pub(super) const CHUNK: usize = 256;

/// What one chunk of documents learned: its stems and, per document,
/// (chunk-local stem id, tf).
pub(super) struct ChunkCounts {
    pub(super) stems: Vec<String>,
    pub(super) docs: Vec<Vec<(u32, u32)>>,
}

pub(super) fn count_chunk<'d, 'a: 'd>(
    docs: impl IntoIterator<Item = &'d RankDoc<'a>>,
    stemmer: &mut Stems,
) -> ChunkCounts {
    // Raw word (as written) -> chunk-local stem id, or NONE for stop words:
    // most words repeat, so each distinct spelling is lower-cased and stemmed once.
    const NONE: u32 = u32::MAX;
    let mut word_ids: FastMap<&str, u32> = FastMap::default();
    let mut stem_ids: FastMap<String, u32> = FastMap::default();
    let mut stems: Vec<String> = Vec::new();
    let mut tf: Vec<u32> = Vec::new();
    let mut touched: Vec<u32> = Vec::new();
    let mut out = Vec::new();
    for d in docs {
        for part in &d.parts {
            for w in words(part) {
                let id = match word_ids.get(w) {
                    Some(&id) => id,
                    None => {
                        let id = match stemmer.content_stem(w) {
                            None => NONE,
                            Some(st) => match stem_ids.get(st) {
                                Some(&id) => id,
                                None => {
                                    let id = stems.len() as u32;
                                    stems.push(st.to_string());
                                    stem_ids.insert(st.to_string(), id);
                                    tf.push(0);
                                    id
                                }
                            },
                        };
                        word_ids.insert(w, id);
                        id
                    }
                };
                if id != NONE {
                    if tf[id as usize] == 0 {
                        touched.push(id);
                    }
                    tf[id as usize] += 1;
                }
            }
        }
        let mut counts: Vec<(u32, u32)> = touched.iter().map(|&t| (t, tf[t as usize])).collect();
        for &t in &touched {
            tf[t as usize] = 0;
        }
        touched.clear();
        counts.sort_unstable();
        out.push(counts);
    }
    ChunkCounts { stems, docs: out }
}

/// Term frequencies of every document: (term id, tf), sorted by term id.
/// Term ids follow the sorted order of the stems, so they do not depend on
/// the order of the input or of the threads.
pub(super) fn term_counts(docs: &[RankDoc]) -> TermCounts {
    // The stemmer's cache (lower-cased word -> stem) is shared by the chunks
    // one thread handles, so each word is stemmed about once per thread.
    let chunks: Vec<ChunkCounts> = docs
        .par_chunks(CHUNK)
        .map_init(Stems::default, |stems, chunk| count_chunk(chunk, stems))
        .collect();
    let mut vocab: Vec<&str> = chunks
        .iter()
        .flat_map(|c| c.stems.iter().map(String::as_str))
        .collect();
    vocab.par_sort_unstable();
    vocab.dedup();
    let ids: FastMap<&str, u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, s)| (*s, i as u32))
        .collect();
    let counts = chunks
        .par_iter()
        .flat_map_iter(|c| {
            let remap: Vec<u32> = c.stems.iter().map(|s| ids[s.as_str()]).collect();
            c.docs.iter().map(move |d| {
                let mut t: Vec<(u32, u32)> =
                    d.iter().map(|&(l, n)| (remap[l as usize], n)).collect();
                t.sort_unstable();
                Arc::new(t)
            })
        })
        .collect();
    (counts, vocab.len())
}

/// One document's (term id, frequency) pairs, sorted by term id.
pub(super) type TermFrequencies = Vec<(u32, u32)>;

/// One document's (term id, weight) pairs, sorted by term id.
pub(super) type TermVector = Vec<(u32, f32)>;

/// Term frequencies of every document and the number of terms, as
/// [`term_counts`] makes them.
pub(super) type TermCounts = (Vec<Arc<TermFrequencies>>, usize);

/// A document's term vector: sublinear tf times smoothed IDF (`df(term)`
/// of `n` documents, kept to its highest bits: see [`quantized_df`]),
/// L2-normalised.
///
/// Under "past" a document's frequencies count the documents up to its
/// time, so an edit adding a word moves them for every later document
/// with the word; quantized, only for the few whose count crosses a step,
/// and `serve` ranks again the lists that read those (see [`readers`]).
pub(super) fn weigh(tf: &[(u32, u32)], df: impl Fn(u32) -> u32, n: usize) -> TermVector {
    let idf = |df: u32| ((1.0 + n as f32) / (1.0 + quantized_df(df) as f32)).ln() + 1.0;
    let mut v: TermVector = tf
        .iter()
        .map(|&(t, c)| (t, (1.0 + (c as f32).ln()) * idf(df(t))))
        .collect();
    let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|(_, w)| *w /= norm);
    }
    v
}

/// [`build_index`] under "past" from the last call's index, when the
/// documents, their order and times are the same and only those marked
/// `changed` have new counts, vectors or features (the others' vectors are
/// `known`): the term postings are the last ones with the changed
/// documents' entries replaced, and only the changed documents are
/// weighed, each with the document frequencies its own postings give; the
/// feature postings (feature ids may have been renumbered) are made again.
/// None when it cannot be.
pub(super) fn patch_index(
    mut last: Index,
    docs: &[RankDoc],
    n_features: usize,
    counts: &TermCounts,
    known: &[Option<Arc<TermVector>>],
    changed: &[bool],
) -> Option<Index> {
    crate::trace::lap("index.patch_start");
    let (counts, n_terms) = (&counts.0, counts.1);
    let n = last.order.len();
    if n_terms != last.n_terms || counts.len() != n {
        return None;
    }
    let changed_docs: Vec<usize> = (0..n).filter(|&i| changed[i]).collect();
    let mut vectors: Vec<Arc<TermVector>> = Vec::with_capacity(n);
    for (i, v) in known.iter().enumerate() {
        match v {
            Some(v) if !changed[i] => vectors.push(Arc::clone(v)),
            _ if changed[i] => vectors.push(Arc::default()),
            _ => return None,
        }
    }
    let mut changed_at = vec![false; n];
    let mut touched = vec![false; n_terms];
    let mut fresh: Vec<(u32, u32)> = Vec::new();
    for &c in &changed_docs {
        let p = last.pos_of[c];
        changed_at[p] = true;
        for &(t, _) in last.vectors[c].iter() {
            touched[t as usize] = true;
        }
        for &(t, _) in counts[c].iter() {
            touched[t as usize] = true;
            fresh.push((t, p as u32));
        }
    }
    fresh.sort_unstable();
    let spare = std::mem::take(&mut last.spare_postings);
    let (mut postings, offsets, fresh_at) =
        patched_postings(&last, &touched, &changed_at, &fresh, spare);
    crate::trace::lap("index.patch_postings");
    // The changed documents' vectors: "past" IDF, the frequencies of the
    // documents up to each one's time group.
    let list = |t: u32| &postings[offsets[t as usize]..offsets[t as usize + 1]];
    let weighed: Vec<(usize, Arc<TermVector>)> = changed_docs
        .par_iter()
        .map(|&c| {
            let start = last.group_start[last.pos_of[c]];
            let df = |t: u32| {
                let l = list(t);
                (l.len() - l.partition_point(|e| (e.0 as usize) < start)) as u32
            };
            (c, Arc::new(weigh(&counts[c], df, n - start)))
        })
        .collect();
    for (c, v) in weighed {
        vectors[c] = v;
    }
    // The changed documents' entries get their weights: each looked up in
    // its document's vector (short, in parallel), not searched for in the
    // postings lists.
    let weights: Vec<Option<f32>> = fresh
        .par_iter()
        .map(|&(t, p)| {
            let v = &vectors[last.order[p as usize]];
            v.binary_search_by_key(&t, |e| e.0).ok().map(|at| v[at].1)
        })
        .collect();
    for (&at, w) in fresh_at.iter().zip(weights) {
        if let Some(w) = w {
            postings[at].1 = w;
        }
    }
    crate::trace::lap("index.patch_weigh");
    last.vectors = vectors;
    last.spare_postings = std::mem::replace(&mut last.term_postings, postings);
    last.term_offsets = offsets;
    (last.feature_offsets, last.feature_postings) = feature_postings(docs, &last.order, n_features);
    crate::trace::lap("index.patch_features");
    Some(last)
}

/// The postings with the changed documents' entries replaced, their
/// offsets, and where each of `fresh` went. Untouched lists are copied as
/// they are; touched ones lose the changed documents' entries (at
/// `changed_at` positions) and get their new ones, `fresh` as (term,
/// position) sorted, with weight 0 for the caller to fill in. The new
/// postings are written over `buffer`.
///
/// The touched lists are merged, and then every list copied into place,
/// in parallel: the postings of 10,000 briefings are tens of megabytes,
/// and `serve` patches them on every edit.
fn patched_postings(
    last: &Index,
    touched: &[bool],
    changed_at: &[bool],
    fresh: &[(u32, u32)],
    mut buffer: Vec<(u32, f32)>,
) -> (Vec<(u32, f32)>, Vec<usize>, Vec<usize>) {
    let old_list = |t: usize| &last.term_postings[last.term_offsets[t]..last.term_offsets[t + 1]];
    let touched_terms: Vec<usize> = (0..touched.len()).filter(|&t| touched[t]).collect();
    // (position, weight) entries, positions ascending.
    type Postings = Vec<(u32, f32)>;
    // Each touched list merged, with the indices of its fresh entries.
    let merged: Vec<(Postings, Vec<usize>)> = touched_terms
        .par_iter()
        .map(|&t| {
            let from = fresh.partition_point(|x| (x.0 as usize) < t);
            let to = fresh.partition_point(|x| (x.0 as usize) <= t);
            let old = old_list(t);
            let mut list = Vec::with_capacity(old.len() + to - from);
            let mut fresh_at = Vec::with_capacity(to - from);
            let mut new = fresh[from..to].iter().map(|&(_, p)| (p, 0.0)).peekable();
            for &e in old.iter().filter(|e| !changed_at[e.0 as usize]) {
                while let Some(x) = new.next_if(|x| x.0 < e.0) {
                    fresh_at.push(list.len());
                    list.push(x);
                }
                list.push(e);
            }
            for x in new {
                fresh_at.push(list.len());
                list.push(x);
            }
            (list, fresh_at)
        })
        .collect();
    // Offsets, and the merged list of each touched term.
    let mut offsets = Vec::with_capacity(touched.len() + 1);
    offsets.push(0);
    let mut merged_of: Vec<Option<usize>> = vec![None; touched.len()];
    for (m, &t) in touched_terms.iter().enumerate() {
        merged_of[t] = Some(m);
    }
    for t in 0..touched.len() {
        let len = match merged_of[t] {
            Some(m) => merged[m].0.len(),
            None => old_list(t).len(),
        };
        offsets.push(offsets[t] + len);
    }
    let fresh_at: Vec<usize> = touched_terms
        .iter()
        .zip(&merged)
        .flat_map(|(&t, (_, at))| {
            let base = offsets[t];
            at.iter().map(move |&a| base + a)
        })
        .collect();
    let total = offsets[touched.len()];
    // Every entry is written below: only a longer buffer's new part is
    // filled here.
    buffer.truncate(total);
    buffer.resize(total, (0, 0.0));
    let mut postings = buffer;
    copy_lists(&mut postings, &offsets, |t| match merged_of[t] {
        Some(m) => &merged[m].0[..],
        None => old_list(t),
    });
    (postings, offsets, fresh_at)
}

/// Copies list `t` into `out[offsets[t]..offsets[t + 1]]` for every `t`,
/// in runs of lists holding about the same number of entries, each run
/// into its own part of `out`, on the rayon workers.
fn copy_lists<'a>(
    out: &mut [(u32, f32)],
    offsets: &[usize],
    list: impl Fn(usize) -> &'a [(u32, f32)] + Sync,
) {
    let n_lists = offsets.len() - 1;
    let runs = rayon::current_num_threads() * 8;
    let per_run = out.len().div_ceil(runs).max(1);
    // (first list, end of the lists, where they go)
    type Run<'o> = (usize, usize, &'o mut [(u32, f32)]);
    let mut parts: Vec<Run> = Vec::with_capacity(runs + 1);
    let mut rest = out;
    let mut t = 0;
    while t < n_lists {
        let start = t;
        while t < n_lists && offsets[t + 1] - offsets[start] < per_run {
            t += 1;
        }
        // At least one list per run, however long.
        t = t.max(start + 1);
        let (part, tail) = std::mem::take(&mut rest).split_at_mut(offsets[t] - offsets[start]);
        rest = tail;
        parts.push((start, t, part));
    }
    parts.into_par_iter().for_each(|(from, to, part)| {
        let base = offsets[from];
        for t in from..to {
            part[offsets[t] - base..offsets[t + 1] - base].copy_from_slice(list(t));
        }
    });
}

pub(super) fn build_index(
    docs: &[RankDoc],
    scope: RelatedScope,
    n_features: usize,
    counts: Option<TermCounts>,
    known: Option<&[Option<Arc<TermVector>>]>,
) -> Index {
    let mut index = term_index(docs, scope, counts, known);
    with_features(&mut index, docs, n_features);
    index
}

/// Asserts that an index made another way (patched, or completed from a
/// term part made early) is the one [`build_index`] makes (`full`).
#[cfg(test)]
pub(super) fn assert_same_index(index: &Index, full: &Index) {
    assert_eq!(index.order, full.order);
    assert_eq!(index.vectors, full.vectors);
    assert_eq!(index.term_offsets, full.term_offsets);
    assert_eq!(index.term_postings, full.term_postings);
    assert_eq!(index.feature_offsets, full.feature_offsets);
    assert_eq!(index.feature_postings, full.feature_postings);
}

/// Gives `index` (from [`term_index`]) the feature postings of `docs`.
pub(super) fn with_features(index: &mut Index, docs: &[RankDoc], n_features: usize) {
    (index.feature_offsets, index.feature_postings) =
        feature_postings(docs, &index.order, n_features);
}

/// [`build_index`] without the feature postings, which are all that
/// needs the documents' features: a build makes it beside the hubs.
pub(super) fn term_index(
    docs: &[RankDoc],
    scope: RelatedScope,
    counts: Option<TermCounts>,
    known: Option<&[Option<Arc<TermVector>>]>,
) -> Index {
    let n = docs.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| docs[b].time.cmp(&docs[a].time).then(a.cmp(&b)));
    let mut pos_of = vec![0; n];
    for (p, &d) in order.iter().enumerate() {
        pos_of[d] = p;
    }
    let mut group_start = vec![0; n];
    for p in 1..n {
        group_start[p] = if docs[order[p]].time == docs[order[p - 1]].time {
            group_start[p - 1]
        } else {
            p
        };
    }
    let (counts, n_terms) = counts.unwrap_or_else(|| term_counts(docs));
    crate::trace::lap("index.order");

    // Document frequencies and the IDF each document is weighted with.
    // "all": the whole corpus. "past": the briefings up to the document's own
    // time, swept from the oldest group to the newest.
    let weigh = |tf: &[(u32, u32)], df: &[u32], n: usize| weigh(tf, |t| df[t as usize], n);
    let mut df = vec![0u32; n_terms];
    let mut vectors: Vec<Arc<TermVector>> = vec![Arc::default(); n];
    match scope {
        RelatedScope::All => {
            for c in &counts {
                for &(t, _) in c.iter() {
                    df[t as usize] += 1;
                }
            }
            vectors = counts
                .par_iter()
                .map(|c| Arc::new(weigh(c, &df, n)))
                .collect();
        }
        RelatedScope::Past => {
            let mut end = n;
            while end > 0 {
                let start = group_start[end - 1];
                for &d in &order[start..end] {
                    for &(t, _) in counts[d].iter() {
                        df[t as usize] += 1;
                    }
                }
                let seen = n - start;
                for &d in &order[start..end] {
                    // A vector the caller knows is the same (see RelatedMemo).
                    vectors[d] = match known.and_then(|k| k[d].clone()) {
                        Some(v) => v,
                        None => Arc::new(weigh(&counts[d], &df, seen)),
                    };
                }
                end = start;
            }
        }
    }

    // The counts go before the postings are made: at 100,000 briefings
    // they are 0.2 GB, which the postings can then reuse (a one-off build
    // holds them nowhere else; see `RelatedMemo::last_call`).
    drop(counts);
    crate::trace::lap("index.vectors");
    // Postings in position order (CSR: count, offsets, fill).
    let mut term_offsets = vec![0usize; n_terms + 1];
    for v in &vectors {
        for &(t, _) in v.iter() {
            term_offsets[t as usize + 1] += 1;
        }
    }
    for t in 0..n_terms {
        term_offsets[t + 1] += term_offsets[t];
    }
    let mut fill = term_offsets.clone();
    let mut term_postings = vec![(0u32, 0f32); term_offsets[n_terms]];
    for (p, &d) in order.iter().enumerate() {
        for &(t, w) in vectors[d].iter() {
            term_postings[fill[t as usize]] = (p as u32, w);
            fill[t as usize] += 1;
        }
    }
    crate::trace::lap("index.postings");
    Index {
        order,
        pos_of,
        group_start,
        vectors,
        n_terms,
        term_offsets,
        term_postings,
        spare_postings: Vec::new(),
        feature_offsets: Vec::new(),
        feature_postings: Vec::new(),
    }
}

/// Postings of features (CSR): feature id -> positions in `order`, ascending.
pub(super) fn feature_postings(
    docs: &[RankDoc],
    order: &[usize],
    n_features: usize,
) -> (Vec<usize>, Vec<u32>) {
    let mut offsets = vec![0usize; n_features + 1];
    for d in docs {
        for &f in &d.features {
            offsets[f as usize + 1] += 1;
        }
    }
    for f in 0..n_features {
        offsets[f + 1] += offsets[f];
    }
    let mut fill = offsets.clone();
    let mut postings = vec![0u32; offsets[n_features]];
    for (p, &d) in order.iter().enumerate() {
        for &f in &docs[d].features {
            postings[fill[f as usize]] = p as u32;
            fill[f as usize] += 1;
        }
    }
    (offsets, postings)
}

/// The part of a postings list (positions ascending) a query at position `p`
/// reads: under "past" the first `cap` entries at or after the start of `p`'s
/// time group (the most recent up to it); under "all" the `cap` entries
/// nearest to `p`.
pub(super) fn window<T>(
    list: &[T],
    pos: impl Fn(&T) -> u32,
    p: usize,
    from: usize,
    past: bool,
) -> &[T] {
    if past {
        let start = list.partition_point(|e| (pos(e) as usize) < from);
        let end = (start + POSTINGS_CAP).min(list.len());
        &list[start..end]
    } else if list.len() <= POSTINGS_CAP {
        list
    } else {
        let at = list.partition_point(|e| (pos(e) as usize) < p);
        let start = at
            .saturating_sub(POSTINGS_CAP / 2)
            .min(list.len() - POSTINGS_CAP);
        &list[start..start + POSTINGS_CAP]
    }
}
