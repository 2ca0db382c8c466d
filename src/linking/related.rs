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

    // Document frequencies and the IDF each document is weighted with.
    // "all": the whole corpus. "past": the briefings up to the document's own
    // time, swept from the oldest group to the newest.
    let idf = |df: u32, n: usize| ((1.0 + n as f32) / (1.0 + df as f32)).ln() + 1.0;
    let weigh = |tf: &[(u32, u32)], df: &[u32], n: usize| -> Vec<(u32, f32)> {
        let mut v: Vec<(u32, f32)> = tf
            .iter()
            .map(|&(t, c)| (t, (1.0 + (c as f32).ln()) * idf(df[t as usize], n)))
            .collect();
        let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|(_, w)| *w /= norm);
        }
        v
    };
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
    let mut feature_offsets = vec![0usize; n_features + 1];
    for d in docs {
        for &f in &d.features {
            feature_offsets[f as usize + 1] += 1;
        }
    }
    for f in 0..n_features {
        feature_offsets[f + 1] += feature_offsets[f];
    }
    let mut fill = feature_offsets.clone();
    let mut feature_postings = vec![0u32; feature_offsets[n_features]];
    for (p, &d) in order.iter().enumerate() {
        for &f in &docs[d].features {
            feature_postings[fill[f as usize]] = p as u32;
            fill[f as usize] += 1;
        }
    }
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
    rank_with_vectors(docs, bonus, scope, k, wanted, counts, None).0
}

/// [`rank`] taking the term vectors of `known` (by document, where given)
/// as they are, and returning every document's vector too.
fn rank_with_vectors(
    docs: &[RankDoc],
    bonus: &[f32],
    scope: RelatedScope,
    k: usize,
    wanted: Option<&[bool]>,
    counts: Option<TermCounts>,
    known: Option<&[Option<Arc<TermVector>>]>,
) -> (Vec<Vec<Ranked>>, Vec<Arc<TermVector>>) {
    let n = docs.len();
    if k == 0 || n < 2 {
        return (vec![Vec::new(); n], Vec::new());
    }
    let index = build_index(docs, scope, bonus.len(), counts, known);
    crate::trace::lap("related.build_index");
    let past = scope == RelatedScope::Past;
    let lists = (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0f32; n], Vec::<u32>::new(), vec![0f32; index.n_terms]),
            |(acc, touched, dense), i| {
                if wanted.is_some_and(|w| !w[i]) {
                    return Vec::new();
                }
                let p = index.pos_of[i];
                let from = index.group_start[p];
                let mut query: TermVector = index.vectors[i].to_vec();
                query.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                query.truncate(QUERY_TERMS);
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
                if candidates.len() > keep {
                    candidates.select_nth_unstable_by(keep - 1, by_score);
                    candidates.truncate(keep);
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
                ranked
                    .into_iter()
                    .map(|(s, q, common)| (index.order[q as usize], s as f64, common))
                    .collect()
            },
        )
        .collect();
    (lists, index.vectors)
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
}

/// The hash of a document's text parts (title, body).
fn text_hash(d: &RankDoc) -> u128 {
    let mut h = crate::cache::StableHasher::default();
    for part in &d.parts {
        h.field(part.as_bytes());
    }
    h.finish()
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
    /// Counts the vocabularies: term ids are the same while it is.
    generation: u64,
    vocab_len: usize,
    /// Text hash -> its counts by term id, valid while the vocabulary is.
    by_term: HashMap<u128, Arc<Vec<(u32, u32)>>>,
}

impl StemMemo {
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
    inputs: u128,
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
/// everything older are unchanged since the last call (see [`RelatedMemo`]).
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
    // Each text hashed once: for the stem memo and for the inputs.
    let text_hashes: Vec<u128> = docs.par_iter().map(text_hash).collect();
    crate::trace::lap("related.text_hashes");
    let inputs: Vec<u128> = briefings
        .par_iter()
        .zip(docs)
        .zip(&text_hashes)
        .map(|((b, d), text)| {
            let mut h = crate::cache::StableHasher::default();
            h.field(b.page.source.as_bytes())
                .number(d.time as u64)
                .wide(*text);
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
    // The longest run of oldest briefings equal to the last build's, then
    // cut back to a time boundary: a briefing's list also draws on the
    // briefings of its own time.
    let same_options = memo.options == (k, past);
    let mut unchanged = 0;
    if past && same_options {
        while unchanged < n
            && memo.oldest_first.get(unchanged).is_some_and(|e| {
                let i = order[unchanged];
                e.inputs == inputs[i] && e.source == briefings[i].page.source
            })
        {
            unchanged += 1;
        }
        while unchanged > 0
            && unchanged < n
            && docs[order[unchanged]].time == docs[order[unchanged - 1]].time
        {
            unchanged -= 1;
        }
    }
    let mut wanted = vec![true; n];
    for &i in &order[..unchanged] {
        wanted[i] = false;
    }
    memo.ranked = n - unchanged;
    crate::trace::lap("related.inputs+order");
    let counts = memo.stems.term_counts(docs, &text_hashes);
    crate::trace::lap("related.term_counts");
    // The unchanged oldest briefings' term vectors are the same too, while
    // the term ids are.
    let same_terms = memo.vectors_generation == memo.stems.generation;
    let mut known: Vec<Option<Arc<TermVector>>> = vec![None; n];
    if same_terms {
        for (pos, &i) in order[..unchanged].iter().enumerate() {
            known[i] = memo.oldest_first[pos].vector.clone();
        }
    }
    let (mut ranked, vectors) = rank_with_vectors(
        docs,
        bonus,
        options.related_scope,
        k,
        Some(&wanted),
        Some(counts),
        Some(&known),
    );
    let vector_of = |i: usize| vectors.get(i).cloned();
    crate::trace::lap("related.rank");
    // The caller takes reused lists from its last output when the indices
    // are the same; otherwise they are mapped back from the memo by name.
    if unchanged > 0 && !same_indices {
        let index_of: HashMap<&str, usize> = briefings
            .iter()
            .enumerate()
            .map(|(i, b)| (b.page.source.as_str(), i))
            .collect();
        let feature_of: HashMap<&str, u32> = (0..hubs.feature_keys.len() as u32)
            .map(|f| (feature_label(hubs, f), f))
            .collect();
        for (pos, &i) in order[..unchanged].iter().enumerate() {
            ranked[i] = memo.oldest_first[pos]
                .list
                .iter()
                .map(|(target, score, common)| {
                    // The targets and features of an unchanged older list
                    // are unchanged briefings' and exist in this build.
                    let mut ids: Vec<u32> = common.iter().map(|c| feature_of[c.as_str()]).collect();
                    ids.sort_unstable();
                    (index_of[target.as_str()], *score, ids)
                })
                .collect();
        }
    }
    memo.options = (k, past);
    crate::trace::lap("related.reuse");
    // The unchanged oldest entries stay as they are.
    memo.oldest_first.truncate(unchanged);
    let fresh: Vec<MemoEntry> = order[unchanged..]
        .iter()
        .map(|&i| MemoEntry {
            source: briefings[i].page.source.clone(),
            inputs: inputs[i],
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
        })
        .collect();
    if !same_terms {
        for (entry, &i) in memo.oldest_first.iter_mut().zip(&order) {
            entry.vector = vector_of(i);
        }
        memo.vectors_generation = memo.stems.generation;
    }
    memo.oldest_first.extend(fresh);
    let reused = wanted.iter().map(|w| !w).collect();
    (ranked, reused)
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
