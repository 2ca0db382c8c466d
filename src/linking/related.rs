//! Related briefings: for each briefing the k most related others, by text
//! similarity plus shared key issues and entities.
//!
//! How (and why):
//! - Text: TF-IDF cosine over stemmed content words of title and body, with
//!   sublinear term frequency (1 + ln tf: the tenth "tariff" says less than
//!   the first) and smoothed IDF (ln((1+n)/(1+df)) + 1, so a word in every
//!   document still counts a little and nothing divides by zero). Cosine
//!   normalisation keeps long briefings from being related to everything.
//! - Shared hubs: each key-issue hub both briefings belong to adds
//!   [`ISSUE_BONUS`], each entity hub [`ENTITY_BONUS`]; these are also the
//!   reasons shown, so a reason is always a hub both really share.
//! - Sub-quadratic: candidates come from an inverted index (term ->
//!   briefings), queried with each briefing's [`QUERY_TERMS`] heaviest terms,
//!   each postings list read for at most [`POSTINGS_CAP`] entries nearest in
//!   time; only the [`RESCORED`] best candidates get an exact cosine.
//! - Stable under `related_scope = "past"`: a briefing's list, its scores and
//!   the IDF behind them use only briefings published up to it (the postings
//!   window too), so publishing a newer briefing never rewrites an old page.
//! - Deterministic: every briefing is scored on its own (rayon only spreads
//!   them over threads), term ids come from sorted stems, and ties go to the
//!   newer briefing, then the earlier position.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::analysis::corpus::quantized_df;

use super::hubs::{issue_key, HubSet};
use super::text::{words, FastMap, Stems};
use super::LinkOptions;
use crate::briefings::Briefing;
use crate::config::RelatedScope;

/// A link to a related briefing and why it is there.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    /// Index of the target briefing.
    pub target: usize,
    pub score: f64,
    /// The shared key issues and entities, by name.
    pub reasons: Vec<String>,
}

/// A shared key issue nudges the ranking; text similarity decides it. Measured
/// on the dev split with the real analysis, larger bonuses (0.03-0.10) cost
/// 2-11 points of P@3: computed issues and entities are noisier evidence than
/// the whole text. `analyze` also scales it by the hub's specificity.
const ISSUE_BONUS: f32 = 0.01;
/// A shared entity (a country, a ministry) is weaker evidence than a shared
/// topic: half as much.
const ENTITY_BONUS: f32 = 0.005;
/// Query with a briefing's heaviest terms only: they carry most of its
/// vector's weight, and the light ones (common words) have the longest lists.
const QUERY_TERMS: usize = 32;
/// At most this many entries of one postings list are read per query: the
/// ones nearest in time, which also favours recent briefings for words that
/// are everywhere.
const POSTINGS_CAP: usize = 128;
/// Candidates (by partial score) that get an exact cosine.
const RESCORED: usize = 24;

/// One document as the ranking sees it.
pub(crate) struct RankDoc<'a> {
    /// Text parts (title, body), concatenated for counting.
    pub parts: Vec<&'a str>,
    /// Feature ids (shared-hub candidates), sorted and unique.
    pub features: Vec<u32>,
    /// Publication time as a sortable number; equal for undated documents.
    pub time: i64,
}

/// A ranked neighbour: document index, score, shared feature ids.
pub(crate) type Ranked = (usize, f64, Vec<u32>);

/// Term vectors and postings of a corpus, positions in time order (newest first).
struct Index {
    /// Position -> document index, newest first (ties: document index).
    order: Vec<usize>,
    /// Document index -> position.
    pos_of: Vec<usize>,
    /// Position -> first position with the same time (the "published up to it" boundary).
    group_start: Vec<usize>,
    /// Document index -> (term id, weight), sorted by term id, L2-normalised.
    vectors: Vec<Arc<TermVector>>,
    n_terms: usize,
    /// CSR postings: term id -> (position, weight), positions ascending.
    term_offsets: Vec<usize>,
    term_postings: Vec<(u32, f32)>,
    /// CSR postings of features: feature id -> positions ascending.
    feature_offsets: Vec<usize>,
    feature_postings: Vec<u32>,
}

/// Documents per chunk of [`term_counts`]: big enough that a chunk's word
/// cache pays off, small enough to spread over the threads.
const CHUNK: usize = 256;

/// What one chunk of documents learned: its stems and, per document,
/// (chunk-local stem id, tf).
struct ChunkCounts {
    stems: Vec<String>,
    docs: Vec<Vec<(u32, u32)>>,
}

fn count_chunk(docs: &[RankDoc], stemmer: &mut Stems) -> ChunkCounts {
    // Raw word (as written) -> chunk-local stem id, or NONE for stop words:
    // most words repeat, so each distinct spelling is lower-cased and stemmed once.
    const NONE: u32 = u32::MAX;
    let mut word_ids: FastMap<&str, u32> = FastMap::default();
    let mut stem_ids: FastMap<String, u32> = FastMap::default();
    let mut stems: Vec<String> = Vec::new();
    let mut tf: Vec<u32> = Vec::new();
    let mut touched: Vec<u32> = Vec::new();
    let mut out = Vec::with_capacity(docs.len());
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
fn term_counts(docs: &[RankDoc]) -> TermCounts {
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
type TermFrequencies = Vec<(u32, u32)>;

/// One document's (term id, weight) pairs, sorted by term id.
type TermVector = Vec<(u32, f32)>;

/// Term frequencies of every document and the number of terms, as
/// [`term_counts`] makes them.
type TermCounts = (Vec<Arc<TermFrequencies>>, usize);

/// A document's term vector: sublinear tf times smoothed IDF (`df(term)`
/// of `n` documents, kept to its highest bits: see [`quantized_df`]),
/// L2-normalised.
///
/// Under "past" a document's frequencies count the documents up to its
/// time, so an edit adding a word moves them for every later document
/// with the word; quantized, only for the few whose count crosses a step,
/// and `serve` ranks again the lists that read those (see [`readers`]).
fn weigh(tf: &[(u32, u32)], df: impl Fn(u32) -> u32, n: usize) -> TermVector {
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
fn patch_index(
    mut last: Index,
    docs: &[RankDoc],
    n_features: usize,
    counts: &TermCounts,
    known: &[Option<Arc<TermVector>>],
    changed: &[bool],
) -> Option<Index> {
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
    // Untouched lists are copied as they are; touched ones lose the
    // changed documents' entries and get their new ones, by position.
    let mut postings: Vec<(u32, f32)> = Vec::with_capacity(last.term_postings.len() + fresh.len());
    let mut offsets = Vec::with_capacity(n_terms + 1);
    offsets.push(0);
    let mut f = 0;
    for (t, &touched) in touched.iter().enumerate() {
        let old = &last.term_postings[last.term_offsets[t]..last.term_offsets[t + 1]];
        if !touched {
            postings.extend_from_slice(old);
        } else {
            let from = f;
            while f < fresh.len() && fresh[f].0 as usize == t {
                f += 1;
            }
            let mut new = fresh[from..f].iter().map(|&(_, p)| (p, 0.0)).peekable();
            for &e in old.iter().filter(|e| !changed_at[e.0 as usize]) {
                while let Some(x) = new.next_if(|x| x.0 < e.0) {
                    postings.push(x);
                }
                postings.push(e);
            }
            postings.extend(new);
        }
        offsets.push(postings.len());
    }
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
        let p = last.pos_of[c] as u32;
        for &(t, w) in v.iter() {
            let l = &mut postings[offsets[t as usize]..offsets[t as usize + 1]];
            if let Ok(at) = l.binary_search_by_key(&p, |e| e.0) {
                l[at].1 = w;
            }
        }
        vectors[c] = v;
    }
    last.vectors = vectors;
    last.term_postings = postings;
    last.term_offsets = offsets;
    (last.feature_offsets, last.feature_postings) = feature_postings(docs, &last.order, n_features);
    Some(last)
}

fn build_index(
    docs: &[RankDoc],
    scope: RelatedScope,
    n_features: usize,
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
    let (feature_offsets, feature_postings) = feature_postings(docs, &order, n_features);
    Index {
        order,
        pos_of,
        group_start,
        vectors,
        n_terms,
        term_offsets,
        term_postings,
        feature_offsets,
        feature_postings,
    }
}

/// Postings of features (CSR): feature id -> positions in `order`, ascending.
fn feature_postings(
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
fn window<T>(list: &[T], pos: impl Fn(&T) -> u32, p: usize, from: usize, past: bool) -> &[T] {
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

fn shared(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// For every document, its `k` best neighbours in `scope`, best first.
/// `bonus[f]` is what sharing feature `f` adds to the score. Documents
/// whose `wanted` entry is false get an empty list (the caller has theirs).
pub(crate) fn rank(
    docs: &[RankDoc],
    bonus: &[f32],
    scope: RelatedScope,
    k: usize,
    wanted: Option<&[bool]>,
    counts: Option<TermCounts>,
) -> Vec<Vec<Ranked>> {
    let wanted = match wanted {
        Some(mask) => Wanted::Mask(mask.to_vec()),
        None => Wanted::All,
    };
    let known = Known {
        counts,
        ..Known::default()
    };
    rank_with_vectors(docs, bonus, scope, k, wanted, known).lists
}

/// What [`rank_with_vectors`] may take from an earlier call instead of
/// computing it.
#[derive(Default)]
struct Known<'a> {
    /// Every document's term counts.
    counts: Option<TermCounts>,
    /// Term vectors, by document, where known to be the same.
    vectors: Option<&'a [Option<Arc<TermVector>>]>,
    /// The last call's index (see [`patch_index`]).
    index: Option<Index>,
}

/// A document's query: its [`QUERY_TERMS`] heaviest terms, heaviest first
/// (ties: term id).
fn query_of(vector: &TermVector) -> TermVector {
    let mut query = vector.to_vec();
    query.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    query.truncate(QUERY_TERMS);
    query
}

/// The partial score of the last candidate of a list that got an exact
/// cosine, when some did not (None: every candidate got one). A document
/// whose partial score stays below it, before and after a change, is not
/// in the list's selection either time.
type Bar = Option<f32>;

/// Which documents [`rank_with_vectors`] ranks.
enum Wanted<'a> {
    All,
    /// Those marked.
    Mask(Vec<bool>),
    /// Those whose list can differ from the last ranking's, when only the
    /// marked documents' term vectors or features changed since (see
    /// [`readers`]).
    ReadersOf {
        changed: Vec<bool>,
        /// (document, term) pairs of terms a document gained or lost.
        moved: &'a [(usize, u32)],
        /// (document, feature) pairs of features a document gained or lost.
        moved_features: &'a [(usize, u32)],
        /// The last ranking's vectors of changed documents (in the same term
        /// ids) and bars of every document, when known.
        before: Option<Before>,
    },
}

/// What the last ranking knew, for [`readers`].
struct Before {
    vectors: Vec<Option<Arc<TermVector>>>,
    bars: Vec<Bar>,
}

/// [`rank`] taking the term vectors of `known` (by document, where given)
/// as they are, and returning every document's vector too and which
/// documents were ranked.
fn rank_with_vectors(
    docs: &[RankDoc],
    bonus: &[f32],
    scope: RelatedScope,
    k: usize,
    wanted: Wanted,
    known: Known,
) -> Ranking {
    let Known {
        counts,
        vectors: known,
        index: last,
    } = known;
    let n = docs.len();
    if k == 0 || n < 2 {
        return Ranking {
            lists: vec![Vec::new(); n],
            vectors: Vec::new(),
            bars: vec![None; n],
            ranked: vec![true; n],
            index: None,
        };
    }
    // After a text edit, the last index patched (see patch_index).
    let patched = match (&wanted, &counts, known, last) {
        (Wanted::ReadersOf { changed, .. }, Some(counts), Some(known), Some(last)) => {
            patch_index(last, docs, bonus.len(), counts, known, changed)
        }
        _ => None,
    };
    #[cfg(test)]
    if let Some(patched) = &patched {
        let full = build_index(docs, scope, bonus.len(), counts.clone(), None);
        assert_eq!(patched.term_offsets, full.term_offsets);
        assert_eq!(patched.term_postings, full.term_postings);
        assert_eq!(patched.vectors, full.vectors);
        assert_eq!(patched.feature_offsets, full.feature_offsets);
        assert_eq!(patched.feature_postings, full.feature_postings);
    }
    let index = match patched {
        Some(index) => index,
        None => build_index(docs, scope, bonus.len(), counts, known),
    };
    crate::trace::lap("related.build_index");
    let past = scope == RelatedScope::Past;
    let wanted = match wanted {
        Wanted::All => vec![true; n],
        Wanted::Mask(mask) => mask,
        Wanted::ReadersOf {
            changed,
            moved,
            moved_features,
            before,
        } => readers(
            &index,
            docs,
            bonus,
            changed,
            Moved {
                terms: moved,
                features: moved_features,
            },
            before.as_ref(),
        ),
    };
    crate::trace::lap("related.readers");
    // Only the wanted, so that ranking a few costs no pass over all.
    let todo: Vec<usize> = (0..n).filter(|&i| wanted[i]).collect();
    let made = todo
        .par_iter()
        .map_init(
            || (vec![0f32; n], Vec::<u32>::new(), vec![0f32; index.n_terms]),
            |(acc, touched, dense), &i| {
                let p = index.pos_of[i];
                let from = index.group_start[p];
                let query = query_of(&index.vectors[i]);
                let mut add = |q: u32, w: f32| {
                    if q as usize == p {
                        return;
                    }
                    if acc[q as usize] == 0.0 {
                        touched.push(q);
                    }
                    acc[q as usize] += w;
                };
                for &(t, qw) in &query {
                    let list = &index.term_postings
                        [index.term_offsets[t as usize]..index.term_offsets[t as usize + 1]];
                    for &(q, w) in window(list, |e| e.0, p, from, past) {
                        add(q, qw * w);
                    }
                }
                for &f in &docs[i].features {
                    let list = &index.feature_postings
                        [index.feature_offsets[f as usize]..index.feature_offsets[f as usize + 1]];
                    for &q in window(list, |e| *e, p, from, past) {
                        add(q, bonus[f as usize]);
                    }
                }
                let mut candidates: Vec<(f32, u32)> =
                    touched.iter().map(|&q| (acc[q as usize], q)).collect();
                for &q in touched.iter() {
                    acc[q as usize] = 0.0;
                }
                touched.clear();
                // The best RESCORED by partial score (ties: position, so the
                // choice is deterministic); a selection, not a full sort.
                let by_score =
                    |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
                let keep = RESCORED.max(k);
                let mut bar = None;
                if candidates.len() > keep {
                    candidates.select_nth_unstable_by(keep - 1, by_score);
                    candidates.truncate(keep);
                    bar = Some(candidates[keep - 1].0);
                }
                // Exact cosines against this document's vector scattered
                // into a dense array: one branch-free pass per candidate.
                for &(t, w) in index.vectors[i].iter() {
                    dense[t as usize] = w;
                }
                let mut ranked: Vec<(f32, u32, Vec<u32>)> = candidates
                    .into_iter()
                    .map(|(_, q)| {
                        let j = index.order[q as usize];
                        let common = shared(&docs[i].features, &docs[j].features);
                        let cosine: f32 = index.vectors[j]
                            .iter()
                            .map(|&(t, w)| dense[t as usize] * w)
                            .sum();
                        let score = cosine + common.iter().map(|&f| bonus[f as usize]).sum::<f32>();
                        (score, q, common)
                    })
                    .filter(|(s, _, _)| *s > 0.0)
                    .collect();
                for &(t, _) in index.vectors[i].iter() {
                    dense[t as usize] = 0.0;
                }
                // Best score; ties to the newer briefing (lower position).
                ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                ranked.truncate(k);
                let list = ranked
                    .into_iter()
                    .map(|(s, q, common)| (index.order[q as usize], s as f64, common))
                    .collect();
                (list, bar)
            },
        )
        .collect::<Vec<_>>();
    let mut lists = vec![Vec::new(); n];
    let mut bars = vec![None; n];
    for (i, (list, bar)) in todo.into_iter().zip(made) {
        lists[i] = list;
        bars[i] = bar;
    }
    Ranking {
        lists,
        vectors: index.vectors.clone(),
        bars,
        ranked: wanted,
        index: Some(index),
    }
}

/// What [`rank_with_vectors`] returns, by document.
struct Ranking {
    /// Lists of the ranked documents (others: empty).
    lists: Vec<Vec<Ranked>>,
    vectors: Vec<Arc<TermVector>>,
    /// Bars of the ranked documents (others: None).
    bars: Vec<Bar>,
    /// Which were ranked.
    ranked: Vec<bool>,
    /// The index they were ranked with.
    index: Option<Index>,
}

/// (document, term or feature) pairs of what a changed document gained or
/// lost, for [`readers`].
struct Moved<'a> {
    terms: &'a [(usize, u32)],
    features: &'a [(usize, u32)],
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
fn readers(
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
            for p_c in moved_in(&moved_at, t, p, from) {
                let in_window = win.binary_search_by_key(&(p_c as u32), |e| e.0).is_ok();
                if full {
                    // It entered or left a full window, moving its last
                    // entry out or in.
                    if win[POSTINGS_CAP - 1].0 as usize >= p_c {
                        return true;
                    }
                } else if !in_window {
                    // The window holds every document with the term, before
                    // as now: this one lost it, and was read here before.
                    let Some(old) = before.and_then(|b| b.vectors[index.order[p_c]].as_ref())
                    else {
                        return true;
                    };
                    let then = old
                        .binary_search_by_key(&t, |e| e.0)
                        .map_or(0.0, |at| qw * old[at].1);
                    note(p_c, 0.0, then);
                }
                // (Gained, in a window not full: read below like any other.)
            }
            for &(q, w) in win {
                let q = q as usize;
                if !changed_at[q] || q == p {
                    continue;
                }
                let Some(old) = before.and_then(|b| b.vectors[index.order[q]].as_ref()) else {
                    return true;
                };
                let then = old
                    .binary_search_by_key(&t, |e| e.0)
                    .map_or(0.0, |at| qw * old[at].1);
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
                let in_window = win.binary_search(&(p_c as u32)).is_ok();
                if full {
                    if win[POSTINGS_CAP - 1] as usize >= p_c {
                        return true;
                    }
                } else if in_window {
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

/// What [`compute`] keeps between builds of the same site (`serve`), to
/// rank again only the briefings whose lists can have changed.
///
/// Under `related_scope = "past"` a briefing's list depends only on the
/// briefings published up to it: their text, title, shared-hub features and
/// times. So when the oldest briefings, up to some point, are the same as
/// in the last build (same inputs, none added or removed among them), their
/// lists are too, exactly, and are taken from the last build; only the
/// newer ones are ranked. Editing today's briefing ranks a handful of
/// briefings; editing one from last month ranks the month since.
#[derive(Default)]
pub struct RelatedMemo {
    /// Per briefing of the last build, oldest first: its source, the hash
    /// of its ranking inputs and its list (targets by source, features by
    /// name, so that they survive renumbering).
    oldest_first: Vec<MemoEntry>,
    /// The options the lists were made with.
    options: (usize, bool),
    /// Briefings ranked by the last call (the others were reused).
    pub ranked: usize,
    /// The vocabulary generation the memo entries' vectors are in.
    vectors_generation: u64,
    /// Set by the caller before a call: the hub set is the last call's
    /// (same features, names and counts), so a reused list's reasons are too.
    pub(super) same_hubs: bool,
    /// The last call's sources in model order, and its lists.
    last_sources: Vec<String>,
    last_lists: Vec<Vec<Related>>,
    /// Each text's stems, so that only new texts are tokenised.
    stems: StemMemo,
    /// The last call's index, to patch after a text edit.
    index: Option<Index>,
}

/// The hash of a document's text parts (title, body).
fn text_hash(d: &RankDoc) -> u128 {
    let mut h = crate::cache::StableHasher::default();
    for part in &d.parts {
        h.field(part.as_bytes());
    }
    h.finish()
}

/// One text's (interned stem id, tf), by id.
type StemCounts = Arc<Vec<(u32, u32)>>;

/// What an edit of texts changed, by document: see [`changed_vectors`].
struct VectorChanges {
    /// Its term vector changed.
    changed: Vec<bool>,
    /// (document, term) pairs of terms an edited document gained or lost.
    moved: Vec<(usize, u32)>,
}

/// Stem counts of texts by hash, with stems interned across builds.
#[derive(Default)]
struct StemMemo {
    ids: HashMap<String, u32>,
    names: Vec<String>,
    /// Text hash -> (interned stem id, tf), by id.
    texts: HashMap<u128, Arc<Vec<(u32, u32)>>>,
    /// For each interned stem, how many of the live texts have it: the
    /// vocabulary (stems in use) changes only when one goes to or from 0.
    uses: Vec<u32>,
    /// Interned id -> term id of the last call's vocabulary (sorted stems).
    term_of: Vec<u32>,
    /// Term id -> interned id, of this generation and of the one before.
    vocab: Vec<u32>,
    previous_vocab: Vec<u32>,
    /// Counts the vocabularies: term ids are the same while it is.
    generation: u64,
    vocab_len: usize,
    /// Text hash -> its counts by term id, valid while the vocabulary is.
    by_term: HashMap<u128, Arc<Vec<(u32, u32)>>>,
}

impl StemMemo {
    /// A vector of the generation before this one in this one's term ids:
    /// the same weights in the same order (term ids follow the sorted
    /// stems), minus stems no longer in use.
    fn renumber(&self, vector: &TermVector) -> TermVector {
        vector
            .iter()
            .filter_map(|&(t, w)| {
                let id = *self.previous_vocab.get(t as usize)?;
                let t = self.term_of[id as usize];
                (t != u32::MAX).then_some((t, w))
            })
            .collect()
    }

    /// What [`term_counts`] returns, tokenising only texts not seen before;
    /// `hashes[i]` is [`text_hash`] of `docs[i]`.
    fn term_counts(&mut self, docs: &[RankDoc], hashes: &[u128]) -> TermCounts {
        let mut missing: Vec<usize> = Vec::new();
        let mut queued = std::collections::HashSet::new();
        for (i, h) in hashes.iter().enumerate() {
            if !self.texts.contains_key(h) && queued.insert(*h) {
                missing.push(i);
            }
        }
        let fresh: Vec<(u128, ChunkCounts)> = missing
            .par_iter()
            .map_init(Stems::default, |stems, &i| {
                (
                    hashes[i],
                    count_chunk(std::slice::from_ref(&docs[i]), stems),
                )
            })
            .collect();
        let mut vocabulary_changed = self.term_of.is_empty();
        for (h, chunk) in fresh {
            let ids: Vec<u32> = chunk
                .stems
                .into_iter()
                .map(|stem| match self.ids.get(&stem) {
                    Some(&id) => id,
                    None => {
                        let id = self.names.len() as u32;
                        self.names.push(stem.clone());
                        self.ids.insert(stem, id);
                        self.uses.push(0);
                        id
                    }
                })
                .collect();
            let mut doc: Vec<(u32, u32)> = chunk.docs[0]
                .iter()
                .map(|&(local, tf)| (ids[local as usize], tf))
                .collect();
            doc.sort_unstable();
            for &(id, _) in &doc {
                self.uses[id as usize] += 1;
                vocabulary_changed |= self.uses[id as usize] == 1;
            }
            self.texts.insert(h, Arc::new(doc));
        }
        let live: std::collections::HashSet<u128> = hashes.iter().copied().collect();
        let uses = &mut self.uses;
        self.texts.retain(|h, doc| {
            let keep = live.contains(h);
            if !keep {
                for &(id, _) in doc.iter() {
                    uses[id as usize] -= 1;
                    vocabulary_changed |= uses[id as usize] == 0;
                }
            }
            keep
        });
        if vocabulary_changed {
            self.generation += 1;
            // Term ids follow the sorted order of the stems in use, as in
            // term_counts: the index and its float sums come out the same.
            let mut vocab: Vec<u32> = (0..self.names.len() as u32)
                .filter(|&id| self.uses[id as usize] > 0)
                .collect();
            vocab
                .par_sort_unstable_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
            self.term_of = vec![u32::MAX; self.names.len()];
            for (t, &id) in vocab.iter().enumerate() {
                self.term_of[id as usize] = t as u32;
            }
            self.vocab_len = vocab.len();
            self.previous_vocab = std::mem::replace(&mut self.vocab, vocab);
            self.by_term.clear();
        }
        self.term_of.resize(self.names.len(), u32::MAX);
        self.by_term.retain(|h, _| live.contains(h));
        let missing: Vec<u128> = live
            .iter()
            .filter(|h| !self.by_term.contains_key(h))
            .copied()
            .collect();
        let remapped: Vec<(u128, Arc<TermFrequencies>)> = missing
            .par_iter()
            .map(|h| {
                let mut t: Vec<(u32, u32)> = self.texts[h]
                    .iter()
                    .map(|&(id, tf)| (self.term_of[id as usize], tf))
                    .collect();
                t.sort_unstable();
                (*h, Arc::new(t))
            })
            .collect();
        self.by_term.extend(remapped);
        let counts = hashes
            .iter()
            .map(|h| Arc::clone(&self.by_term[h]))
            .collect();
        (counts, self.vocab_len)
    }
}

struct MemoEntry {
    source: String,
    /// Hash of its source, time and features.
    inputs: u128,
    time: i64,
    /// Its features by key (see [`feature_label`]).
    features: Vec<String>,
    /// [`text_hash`] of its text.
    text: u128,
    /// The [`Bar`] of its list.
    bar: Bar,
    list: Vec<(String, f64, Vec<String>)>,
    /// Its term vector, in the term ids of [`StemMemo::generation`] as of
    /// [`RelatedMemo::vectors_generation`].
    vector: Option<Arc<TermVector>>,
}

pub(super) fn compute(
    briefings: &[Briefing],
    hubs: &HubSet,
    options: &LinkOptions,
    memo: Option<&mut RelatedMemo>,
) -> Vec<Vec<Related>> {
    let docs: Vec<RankDoc> = briefings
        .iter()
        .zip(&hubs.features)
        .map(|(b, features)| RankDoc {
            parts: vec![b.title.as_str(), b.text.as_str()],
            features: features.clone(),
            time: super::date_of(b).timestamp(),
        })
        .collect();
    crate::trace::lap("related.docs");
    let mut feature_df = vec![0u32; hubs.feature_names.len()];
    for features in &hubs.features {
        for &f in features {
            feature_df[f as usize] += 1;
        }
    }
    let bonus: Vec<f32> = (0..hubs.feature_names.len())
        .map(|f| {
            // Flat on the site: a specificity counted over the whole site
            // would change old briefings' scores when new ones arrive.
            if f < hubs.issue_features {
                ISSUE_BONUS
            } else {
                ENTITY_BONUS
            }
        })
        .collect();
    let to_related = |list: Vec<Ranked>| -> Vec<Related> {
        list.into_iter()
            .map(|(target, score, common)| Related {
                target,
                score,
                reasons: reasons(&common, hubs, &feature_df),
            })
            .collect()
    };
    let Some(memo) = memo else {
        let ranked = rank(
            &docs,
            &bonus,
            options.related_scope,
            options.related_briefings,
            None,
            None,
        );
        return ranked.into_par_iter().map(to_related).collect();
    };
    // With the same briefings in the same order and the same hubs, a
    // reused list is the last call's list as it is, reasons and all.
    let same_indices = memo.same_hubs
        && memo.last_sources.len() == briefings.len()
        && memo
            .last_sources
            .iter()
            .zip(briefings)
            .all(|(s, b)| *s == b.page.source);
    let (ranked, reused) =
        rank_with_memo(briefings, &docs, hubs, &bonus, options, memo, same_indices);
    let last_lists = std::mem::take(&mut memo.last_lists);
    let lists: Vec<Vec<Related>> = ranked
        .into_par_iter()
        .zip(reused)
        .enumerate()
        .map(|(i, (list, reused))| {
            if reused && same_indices {
                last_lists[i].clone()
            } else {
                to_related(list)
            }
        })
        .collect();
    if !same_indices {
        memo.last_sources = briefings.iter().map(|b| b.page.source.clone()).collect();
    }
    memo.last_lists = lists.clone();
    lists
}

/// A feature as the memo knows it: by its unique key.
fn feature_label(hubs: &HubSet, f: u32) -> &str {
    &hubs.feature_keys[f as usize]
}

/// [`rank`], reusing the lists of the oldest briefings when they and
/// everything older are unchanged since the last call (see [`RelatedMemo`]),
/// and, when only texts changed, every list that reads no changed vector
/// (see [`readers`]).
fn rank_with_memo(
    briefings: &[Briefing],
    docs: &[RankDoc],
    hubs: &HubSet,
    bonus: &[f32],
    options: &LinkOptions,
    memo: &mut RelatedMemo,
    same_indices: bool,
) -> (Vec<Vec<Ranked>>, Vec<bool>) {
    let n = docs.len();
    let k = options.related_briefings;
    let past = options.related_scope == RelatedScope::Past;
    // Each text hashed once: for the stem memo and for the memo entries.
    let text_hashes: Vec<u128> = docs.par_iter().map(text_hash).collect();
    crate::trace::lap("related.text_hashes");
    // Everything else a list depends on: source, time, features.
    let inputs: Vec<u128> = briefings
        .par_iter()
        .zip(docs)
        .map(|(b, d)| {
            let mut h = crate::cache::StableHasher::default();
            h.field(b.page.source.as_bytes()).number(d.time as u64);
            for &f in &d.features {
                h.field(feature_label(hubs, f).as_bytes());
            }
            h.finish()
        })
        .collect();
    // Positions oldest first, as build_index orders them (newest first, ties
    // by index) reversed.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| docs[b].time.cmp(&docs[a].time).then(a.cmp(&b)));
    order.reverse();
    let same_options = memo.options == (k, past);
    let same_entry = |pos: usize, i: usize| {
        memo.oldest_first.get(pos).is_some_and(|e| {
            e.inputs == inputs[i]
                && e.text == text_hashes[i]
                && e.source == briefings[i].page.source
        })
    };
    // The longest run of oldest briefings equal to the last build's, then
    // cut back to a time boundary: a briefing's list also draws on the
    // briefings of its own time.
    let mut unchanged = 0;
    if past && same_options {
        while unchanged < n && same_entry(unchanged, order[unchanged]) {
            unchanged += 1;
        }
        while unchanged > 0
            && unchanged < n
            && docs[order[unchanged]].time == docs[order[unchanged - 1]].time
        {
            unchanged -= 1;
        }
    }
    // Only texts and features changed (the same briefings at the same
    // times, in the same order): the briefings whose text changed, with
    // their stem counts of the last call, taken before the stem memo drops
    // them, and what those whose features changed gained or lost.
    let same_places = past
        && same_options
        && memo.oldest_first.len() == n
        && order.iter().enumerate().all(|(pos, &i)| {
            let e = &memo.oldest_first[pos];
            e.time == docs[i].time && e.source == briefings[i].page.source
        });
    let mut refeatured: Vec<usize> = Vec::new();
    let moved_features: Vec<(usize, u32)> = if same_places {
        // (position, briefing) of those whose features changed.
        let changed: Vec<(usize, usize)> = order
            .iter()
            .enumerate()
            .filter(|&(pos, &i)| memo.oldest_first[pos].inputs != inputs[i])
            .map(|(pos, &i)| (pos, i))
            .collect();
        refeatured.extend(changed.iter().map(|c| c.1));
        // Made only when some features changed (a text edit has none).
        let feature_of: HashMap<&str, u32> = if changed.is_empty() {
            HashMap::new()
        } else {
            (0..hubs.feature_keys.len() as u32)
                .map(|f| (feature_label(hubs, f), f))
                .collect()
        };
        let mut moved = Vec::new();
        for (pos, i) in changed {
            let e = &memo.oldest_first[pos];
            let had: Vec<u32> = e
                .features
                .iter()
                .filter_map(|l| feature_of.get(l.as_str()).copied())
                .collect();
            let has = &docs[i].features;
            // A feature no briefing has any more is not read by anyone;
            // one it gained always exists.
            moved.extend(has.iter().filter(|f| !had.contains(f)).map(|&f| (i, f)));
            moved.extend(had.iter().filter(|f| !has.contains(f)).map(|&f| (i, f)));
        }
        moved
    } else {
        Vec::new()
    };
    let edited: Option<Vec<(usize, StemCounts)>> = if same_places {
        order
            .iter()
            .enumerate()
            .filter(|&(pos, &i)| memo.oldest_first[pos].text != text_hashes[i])
            .map(|(pos, &i)| {
                let before = memo.stems.texts.get(&memo.oldest_first[pos].text)?;
                Some((i, Arc::clone(before)))
            })
            .collect()
    } else {
        None
    };
    crate::trace::lap("related.inputs+order");
    let counts = memo.stems.term_counts(docs, &text_hashes);
    crate::trace::lap("related.term_counts");
    // A briefing whose features changed is read again like one whose
    // vector did (its vector is weighed again, to the same values).
    let changed = edited
        .and_then(|edited| changed_vectors(docs, &counts, &memo.stems, &text_hashes, edited))
        .map(|mut changes| {
            for &i in &refeatured {
                changes.changed[i] = true;
            }
            changes
        });
    let mut wanted = vec![true; n];
    for &i in &order[..unchanged] {
        wanted[i] = false;
    }
    // The term vectors of briefings not changed are the same too, in
    // this vocabulary's term ids (renumbered when a stem came or went).
    let same_terms = memo.vectors_generation == memo.stems.generation;
    let one_behind = memo.vectors_generation + 1 == memo.stems.generation;
    let stems = &memo.stems;
    let in_these_terms = |v: &Option<Arc<TermVector>>| -> Option<Arc<TermVector>> {
        let v = v.as_ref()?;
        if same_terms {
            Some(Arc::clone(v))
        } else if one_behind {
            Some(Arc::new(stems.renumber(v)))
        } else {
            None
        }
    };
    let known: Vec<Option<Arc<TermVector>>> = {
        let mut known = vec![None; n];
        let kept: Vec<(usize, usize)> = order
            .iter()
            .enumerate()
            .filter(|&(pos, &i)| match &changed {
                Some(c) => !c.changed[i],
                None => pos < unchanged,
            })
            .map(|(pos, &i)| (pos, i))
            .collect();
        let vectors: Vec<Option<Arc<TermVector>>> = kept
            .par_iter()
            .map(|&(pos, _)| in_these_terms(&memo.oldest_first[pos].vector))
            .collect();
        for ((_, i), v) in kept.into_iter().zip(vectors) {
            known[i] = v;
        }
        known
    };
    let moved;
    let wanted = match changed {
        Some(VectorChanges {
            changed: vector_changed,
            moved: moved_terms,
        }) => {
            moved = moved_terms;
            // The last vectors of the changed, in this build's term ids.
            let before = (same_terms || one_behind).then(|| {
                let mut before = Before {
                    vectors: vec![None; n],
                    bars: vec![None; n],
                };
                for (pos, &i) in order.iter().enumerate() {
                    let e = &memo.oldest_first[pos];
                    if vector_changed[i] {
                        before.vectors[i] = in_these_terms(&e.vector);
                    }
                    before.bars[i] = e.bar;
                }
                before
            });
            Wanted::ReadersOf {
                changed: vector_changed,
                moved: &moved,
                moved_features: &moved_features,
                before,
            }
        }
        None => Wanted::Mask(wanted),
    };
    // The last index is in this call's term ids only if the vocabulary is
    // the same.
    let last_index = std::mem::take(&mut memo.index).filter(|_| same_terms);
    let Ranking {
        lists: mut ranked,
        vectors,
        bars,
        ranked: wanted,
        index,
    } = rank_with_vectors(
        docs,
        bonus,
        options.related_scope,
        k,
        wanted,
        Known {
            counts: Some(counts),
            vectors: Some(&known),
            index: last_index,
        },
    );
    memo.index = index;
    memo.ranked = wanted.iter().filter(|w| **w).count();
    let vector_of = |i: usize| vectors.get(i).cloned();
    crate::trace::lap("related.rank");
    // The caller takes reused lists from its last output when the indices
    // are the same; otherwise they are mapped back from the memo by name
    // (only the oldest can be reused then).
    if !same_indices {
        let index_of: HashMap<&str, usize> = briefings
            .iter()
            .enumerate()
            .map(|(i, b)| (b.page.source.as_str(), i))
            .collect();
        let feature_of: HashMap<&str, u32> = (0..hubs.feature_keys.len() as u32)
            .map(|f| (feature_label(hubs, f), f))
            .collect();
        for (pos, &i) in order.iter().enumerate().filter(|&(_, &i)| !wanted[i]) {
            ranked[i] = memo.oldest_first[pos]
                .list
                .iter()
                .map(|(target, score, common)| {
                    // A list not ranked again is an unchanged briefing's
                    // and selects only unchanged briefings (see readers):
                    // their shared features exist in this build.
                    let mut ids: Vec<u32> = common.iter().map(|c| feature_of[c.as_str()]).collect();
                    ids.sort_unstable();
                    (index_of[target.as_str()], *score, ids)
                })
                .collect();
        }
    }
    memo.options = (k, past);
    crate::trace::lap("related.reuse");
    // Entries of reused lists stay (their vectors brought to this
    // vocabulary); the others are made again.
    let mut last = std::mem::take(&mut memo.oldest_first).into_iter();
    let mut entries = Vec::with_capacity(n);
    for &i in &order {
        let old = last.next();
        let entry = match old {
            Some(mut e) if !wanted[i] => {
                // Its bar too is the same: no changed document was or
                // is in its selection.
                e.text = text_hashes[i];
                if !same_terms {
                    e.vector = vector_of(i);
                }
                e
            }
            _ => MemoEntry {
                source: briefings[i].page.source.clone(),
                inputs: inputs[i],
                time: docs[i].time,
                features: docs[i]
                    .features
                    .iter()
                    .map(|&f| feature_label(hubs, f).to_string())
                    .collect(),
                text: text_hashes[i],
                list: ranked[i]
                    .iter()
                    .map(|(target, score, common)| {
                        (
                            briefings[*target].page.source.clone(),
                            *score,
                            common
                                .iter()
                                .map(|&f| feature_label(hubs, f).to_string())
                                .collect(),
                        )
                    })
                    .collect(),
                vector: vector_of(i),
                bar: bars[i],
            },
        };
        entries.push(entry);
    }
    memo.oldest_first = entries;
    memo.vectors_generation = memo.stems.generation;
    let reused = wanted.iter().map(|w| !w).collect();
    (ranked, reused)
}

/// When only the texts of `edited` (document, its stem counts of the last
/// call) changed: which documents' term vectors changed, and the
/// (document, term) pairs of terms an edited document gained or lost.
/// Under "past" a document's vector depends on its own counts and on the
/// document frequencies, up to its time, of its terms: those move only for
/// the terms an edit added or removed, and only from the edited document's
/// time on. None when an edited text's counts are not known.
fn changed_vectors(
    docs: &[RankDoc],
    counts: &TermCounts,
    stems: &StemMemo,
    text_hashes: &[u128],
    edited: Vec<(usize, StemCounts)>,
) -> Option<VectorChanges> {
    let n = docs.len();
    let mut changed = vec![false; n];
    let mut moved = Vec::new();
    // (term id, time of the edit, +1 gained or -1 lost): the term's
    // document frequency moved for documents at or after that time.
    let mut since: Vec<(u32, i64, i64)> = Vec::new();
    for (i, before) in edited {
        changed[i] = true;
        let after = stems.texts.get(&text_hashes[i])?;
        let had: std::collections::HashSet<u32> = before.iter().map(|&(id, _)| id).collect();
        let has: std::collections::HashSet<u32> = after.iter().map(|&(id, _)| id).collect();
        for &id in had.symmetric_difference(&has) {
            // A stem no document has any more has no term id, and no
            // other document's vector used it.
            let Some(&term) = stems.term_of.get(id as usize).filter(|t| **t != u32::MAX) else {
                continue;
            };
            since.push((term, docs[i].time, if has.contains(&id) { 1 } else { -1 }));
            moved.push((i, term));
        }
    }
    // A later document with the term weighs it with the quantized
    // frequency up to its time: its vector changed if that did.
    since.sort_unstable();
    let terms: Vec<u32> = {
        let mut t: Vec<u32> = since.iter().map(|s| s.0).collect();
        t.dedup();
        t
    };
    let moved_by: Vec<Vec<usize>> = terms
        .par_iter()
        .map(|&term| {
            let edits = &since
                [since.partition_point(|s| s.0 < term)..since.partition_point(|s| s.0 <= term)];
            let mut with: Vec<(i64, usize)> = (0..n)
                .filter(|&i| counts.0[i].binary_search_by_key(&term, |e| e.0).is_ok())
                .map(|i| (docs[i].time, i))
                .collect();
            with.sort_unstable();
            let mut out = Vec::new();
            let mut k = 0;
            while k < with.len() {
                let time = with[k].0;
                let end = k + with[k..].partition_point(|w| w.0 == time);
                // Documents up to this time with the term, now and before.
                let now = end as i64;
                let then = now
                    - edits
                        .iter()
                        .filter(|e| e.1 <= time)
                        .map(|e| e.2)
                        .sum::<i64>();
                if quantized_df(now as u32) != quantized_df(then as u32) {
                    out.extend(with[k..end].iter().map(|w| w.1));
                }
                k = end;
            }
            out
        })
        .collect();
    for i in moved_by.into_iter().flatten() {
        changed[i] = true;
    }
    Some(VectorChanges { changed, moved })
}

/// One article for [`related_for_corpus`].
#[derive(Debug, Clone)]
pub struct RelatedInput<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub key_issue_labels: Vec<&'a str>,
    pub entity_names: Vec<&'a str>,
    pub date: Option<DateTime<Utc>>,
}

/// Related documents of a free-standing corpus (`briefing analyze`): for each
/// document, up to `k` others as (index, score), best first. Every document
/// may relate to every other (there is no site history to keep stable); key
/// issues and entities are matched by their canonical keys; dates, where
/// given, only break ties in favour of the newer document.
pub fn related_for_corpus(docs: &[RelatedInput], k: usize) -> Vec<Vec<(usize, f64)>> {
    let mut features: HashMap<(bool, String), u32> = HashMap::new();
    let mut keyed: Vec<Vec<(bool, String)>> = Vec::with_capacity(docs.len());
    for d in docs {
        let mut keys: Vec<(bool, String)> = d
            .key_issue_labels
            .iter()
            .map(|l| (true, issue_key(l)))
            .chain(
                d.entity_names
                    .iter()
                    .map(|e| (false, super::hubs::entity_key(e))),
            )
            .filter(|(_, k)| !k.is_empty())
            .collect();
        keys.sort();
        keys.dedup();
        keyed.push(keys);
    }
    // Feature ids in sorted key order, for determinism.
    let mut all: Vec<&(bool, String)> = keyed.iter().flatten().collect();
    all.sort();
    all.dedup();
    let mut df: HashMap<&(bool, String), u32> = HashMap::new();
    for keys in &keyed {
        for k in keys {
            *df.entry(k).or_insert(0) += 1;
        }
    }
    let bonus: Vec<f32> = all
        .iter()
        .map(|key| {
            let base = if key.0 { ISSUE_BONUS } else { ENTITY_BONUS };
            base * specificity(df[key], docs.len())
        })
        .collect();
    for (i, key) in all.into_iter().enumerate() {
        features.insert(key.clone(), i as u32);
    }
    let rank_docs: Vec<RankDoc> = docs
        .iter()
        .zip(&keyed)
        .map(|(d, keys)| {
            let mut f: Vec<u32> = keys.iter().map(|k| features[k]).collect();
            f.sort_unstable();
            RankDoc {
                parts: vec![d.text],
                features: f,
                time: d.date.map(|t| t.timestamp()).unwrap_or(0),
            }
        })
        .collect();
    rank(&rank_docs, &bonus, RelatedScope::All, k, None, None)
        .into_iter()
        .map(|l| l.into_iter().map(|(j, s, _)| (j, s)).collect())
        .collect()
}

/// At most this many shared hubs are named as a link's reason.
const MAX_REASONS: usize = 4;

/// The shared hubs worth naming: key issues before entities, and within each
/// the rarer first (a hub every briefing shares says little); names that
/// differ only in case are named once.
fn reasons(common: &[u32], hubs: &HubSet, feature_df: &[u32]) -> Vec<String> {
    let mut ranked: Vec<u32> = common.to_vec();
    ranked.sort_by_key(|&f| {
        let is_entity = f as usize >= hubs.issue_features;
        (is_entity, feature_df[f as usize], f)
    });
    let mut names: Vec<String> = Vec::new();
    for f in ranked {
        let name = &hubs.feature_names[f as usize];
        if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.push(name.clone());
        }
        if names.len() == MAX_REASONS {
            break;
        }
    }
    names
}

/// How much sharing a hub says, from 1 (a hub of two briefings) down to 0
/// (a hub every briefing is in): the IDF idea (Sparck Jones 1972) applied to
/// hubs, so "United States" on every page does not make pages related.
fn specificity(df: u32, n: usize) -> f32 {
    if n <= 2 || df <= 1 {
        return 1.0;
    }
    let n = n as f32;
    ((n / df as f32).ln() / (n / 2.0).ln()).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str, time: i64) -> RankDoc<'_> {
        RankDoc {
            parts: vec![text],
            features: Vec::new(),
            time,
        }
    }

    #[test]
    fn a_list_is_redone_when_a_changed_document_gained_or_lost_a_feature_it_reads() {
        let bonus = [ISSUE_BONUS];
        // Lost: the changed document no longer has the reader's feature, so
        // its partial score there was higher by the bonus. With the bar
        // between the two, only knowing that it was there redoes the list.
        let mut docs = vec![
            doc("harbour cranes idle during the strike", 0),
            doc("harbour cranes strike talks resume", 1),
            doc("unrelated weather report", 2),
        ];
        docs[1].features = vec![0];
        let index = build_index(&docs, RelatedScope::Past, 1, None, None);
        let query = query_of(&index.vectors[1]);
        let terms: f32 = query
            .iter()
            .filter_map(|&(t, qw)| index.vectors[0].iter().find(|e| e.0 == t).map(|e| qw * e.1))
            .sum();
        assert!(terms > 0.0);
        let before = Before {
            vectors: vec![Some(Arc::clone(&index.vectors[0])), None, None],
            bars: vec![None, Some(terms + ISSUE_BONUS / 2.0), None],
        };
        let run = |docs: &[RankDoc], index: &Index, moved: &[(usize, u32)], before: &Before| {
            let moved = Moved {
                terms: &[],
                features: moved,
            };
            readers(
                index,
                docs,
                &bonus,
                vec![true, false, false],
                moved,
                Some(before),
            )
        };
        assert_eq!(
            run(&docs, &index, &[(0, 0)], &before),
            vec![true, true, false]
        );
        assert_eq!(run(&docs, &index, &[], &before), vec![true, false, false]);

        // Gained, in a full window: it enters at the front and pushes the
        // last document out, whatever the scores.
        let mut docs: Vec<RankDoc> = (0..POSTINGS_CAP as i64 + 1)
            .map(|t| doc("weather", t))
            .collect();
        for d in &mut docs {
            d.features = vec![0];
        }
        docs.push(doc("weather harbour cranes idle during the strike", 500));
        docs.push(doc("weather harbour cranes strike talks resume", 600));
        let (changed, reader) = (docs.len() - 2, docs.len() - 1);
        docs[changed].features = vec![0];
        docs[reader].features = vec![0];
        let index = build_index(&docs, RelatedScope::Past, 1, None, None);
        let mut bars = vec![None; docs.len()];
        bars[reader] = Some(10.0);
        let mut vectors = vec![None; docs.len()];
        vectors[changed] = Some(Arc::clone(&index.vectors[changed]));
        let before = Before { vectors, bars };
        let mut mark = vec![false; docs.len()];
        mark[changed] = true;
        let read = |terms: &[(usize, u32)], features: &[(usize, u32)]| {
            let moved = Moved { terms, features };
            readers(&index, &docs, &bonus, mark.clone(), moved, Some(&before))[reader]
        };
        assert!(read(&[], &[(changed, 0)]));
        assert!(!read(&[], &[]));
        // The same with a term (every document has "weather").
        let weather = index.vectors[0][0].0;
        assert!(index.vectors[reader].iter().any(|e| e.0 == weather));
        assert!(read(&[(changed, weather)], &[]));
    }

    #[test]
    fn a_list_is_redone_when_a_changed_document_was_or_is_selected() {
        let docs = [
            doc("harbour cranes idle during the strike", 0),
            doc("harbour cranes strike talks resume", 1),
            doc("unrelated weather report", 2),
        ];
        let index = build_index(&docs, RelatedScope::Past, 0, None, None);
        let (changed, reader) = (0, 1);
        let query = query_of(&index.vectors[reader]);
        // Its partial score in the reader's ranking (every window holds
        // every older document here).
        let score = |v: &TermVector| -> f32 {
            query
                .iter()
                .filter_map(|&(t, qw)| v.iter().find(|e| e.0 == t).map(|e| qw * e.1))
                .sum()
        };
        let now = score(&index.vectors[changed]);
        assert!(now > 0.0);
        // The same terms, weighed otherwise by the last ranking.
        let reweighed = |f: f32| -> TermVector {
            index.vectors[changed]
                .iter()
                .map(|&(t, w)| (t, w * f))
                .collect()
        };
        let (heavier, lighter) = (reweighed(3.0), reweighed(0.1));
        assert!(score(&heavier) > now && score(&lighter) < now);
        let run = |old: &TermVector, bar: f32, moved: &[(usize, u32)]| {
            let before = Before {
                vectors: vec![Some(Arc::new(old.clone())), None, None],
                bars: vec![None, Some(bar), None],
            };
            readers(
                &index,
                &docs,
                &[],
                vec![true, false, false],
                Moved {
                    terms: moved,
                    features: &[],
                },
                Some(&before),
            )
        };
        let redone = vec![true, true, false];
        let kept = vec![true, false, false];
        // Below the reader's bar before and after: its list stays.
        assert_eq!(run(&heavier, score(&heavier) * 2.0, &[]), kept);
        // Selected before and not after, or after and not before.
        assert_eq!(run(&heavier, (now + score(&heavier)) / 2.0, &[]), redone);
        assert_eq!(run(&lighter, (now + score(&lighter)) / 2.0, &[]), redone);
        // A term it gained or lost, in a window that is not full (it holds
        // every document with the term): judged by the scores too.
        let term = query[0].0;
        assert_eq!(
            run(&heavier, score(&heavier) * 2.0, &[(changed, term)]),
            kept
        );
        // A term it lost, in a window that is not full: read by its score
        // before.
        let lost = query
            .iter()
            .map(|e| e.0)
            .find(|t| !index.vectors[changed].iter().any(|e| e.0 == *t))
            .expect("a query term the changed document lacks");
        let mut had: TermVector = index.vectors[changed].to_vec();
        had.push((lost, 0.9));
        had.sort_by_key(|e| e.0);
        let then = score(&had);
        assert!(then > now);
        assert_eq!(run(&had, (now + then) / 2.0, &[(changed, lost)]), redone);
        assert_eq!(run(&had, then * 2.0, &[(changed, lost)]), kept);
        // Without the last ranking's scores: every reader.
        let none = Moved {
            terms: &[],
            features: &[],
        };
        let blind = readers(&index, &docs, &[], vec![true, false, false], none, None);
        assert_eq!(blind, redone);
    }
}
