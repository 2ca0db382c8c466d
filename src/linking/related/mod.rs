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

mod before;
mod index;
mod memo;
mod readers;

use index::*;
use memo::*;
pub use memo::{RelatedMemo, SavedList, SavedListRef, SavedStems, StemMemo};
use readers::*;

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
        /// When `before` lacks the vectors (lists from disk): the edits,
        /// to make them again from (see [`before::vectors_before`]).
        edited: Option<before::Edited<'a>>,
    },
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
            candidates: vec![None; n],
            ranked: vec![true; n],
            rescored: 0,
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
        assert_same_index(
            patched,
            &build_index(docs, scope, bonus.len(), counts.clone(), None),
        );
    }
    // Today's counts, for making the last vectors again (see below).
    let counts_now = match &wanted {
        Wanted::ReadersOf {
            edited: Some(_), ..
        } => counts.as_ref().map(|c| c.0.clone()),
        _ => None,
    };
    let index = match patched {
        Some(index) => index,
        None => build_index(docs, scope, bonus.len(), counts, known),
    };
    crate::trace::lap("related.build_index");
    let past = scope == RelatedScope::Past;
    let mut before = None;
    let redo: Vec<Redo> = match wanted {
        Wanted::All => vec![Redo::Rank; n],
        Wanted::Mask(mask) => mask
            .into_iter()
            .map(|m| if m { Redo::Rank } else { Redo::Keep })
            .collect(),
        Wanted::ReadersOf {
            changed,
            moved,
            moved_features,
            before: last,
            edited,
        } => {
            before = last;
            if let (Some(before), Some(edited), Some(counts)) = (&mut before, edited, counts_now) {
                let made = before::vectors_before(&index, &counts, &changed, &edited);
                for (i, v) in made.into_iter().enumerate() {
                    if before.vectors[i].is_none() {
                        before.vectors[i] = v;
                    }
                }
                crate::trace::lap("related.vectors_before");
            }
            readers(
                &index,
                docs,
                bonus,
                changed,
                Moved {
                    terms: moved,
                    features: moved_features,
                },
                before.as_ref(),
            )
        }
    };
    let rescored = redo
        .iter()
        .filter(|r| matches!(r, Redo::Rescore(_)))
        .count();
    crate::trace::count("related.rescored", rescored);
    crate::trace::count(
        "related.ranked",
        redo.iter().filter(|r| **r == Redo::Rank).count(),
    );
    crate::trace::lap("related.readers");
    // Only the wanted, so that ranking a few costs no pass over all.
    let todo: Vec<usize> = (0..n).filter(|&i| !redo[i].is_keep()).collect();
    // A candidate's exact score: its cosine with the document whose
    // vector is scattered into `dense`, plus the bonus of shared features.
    let exact = |dense: &[f32], j: usize, common: &[u32]| -> f32 {
        let cosine: f32 = index.vectors[j]
            .iter()
            .map(|&(t, w)| dense[t as usize] * w)
            .sum();
        cosine + common.iter().map(|&f| bonus[f as usize]).sum::<f32>()
    };
    // Document `i`'s list from its candidates: the k best scores; ties to
    // the newer briefing (lower position). Shared features are found for
    // those k only.
    let finish = |i: usize, candidates: &[Candidate]| -> Vec<Ranked> {
        let mut ranked: Vec<(f32, u32)> = candidates
            .iter()
            .filter(|c| c.score > 0.0)
            .map(|c| (c.score, n as u32 - 1 - c.oldest_first))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.truncate(k);
        ranked
            .into_iter()
            .map(|(s, q)| {
                let j = index.order[q as usize];
                (j, s as f64, shared(&docs[i].features, &docs[j].features))
            })
            .collect()
    };
    let made = todo
        .par_iter()
        .map_init(
            || (vec![0f32; n], Vec::<u32>::new(), vec![0f32; index.n_terms]),
            |(acc, touched, dense), &i| {
                let p = index.pos_of[i];
                // Exact cosines against this document's vector scattered
                // into a dense array: one branch-free pass per candidate.
                for &(t, w) in index.vectors[i].iter() {
                    dense[t as usize] = w;
                }
                let select_here = |acc: &mut [f32], touched: &mut Vec<u32>, dense: &[f32]| {
                    select(
                        i,
                        p,
                        docs,
                        bonus,
                        &index,
                        past,
                        k,
                        acc,
                        touched,
                        |j, common| exact(dense, j, common),
                    )
                };
                let last = before
                    .as_ref()
                    .and_then(|b| Some((b.bars[i], b.candidates[i].as_ref()?)));
                let made = match (&redo[i], last) {
                    (Redo::Rescore(changed), Some((bar, last))) => {
                        let made = rescore(changed, last, bar, |c: &Candidate| {
                            let q = n - 1 - c.oldest_first as usize;
                            let j = index.order[q];
                            exact(dense, j, &shared(&docs[i].features, &docs[j].features))
                        });
                        // The same documents with the same exact scores as
                        // ranking would choose (partial scores may differ
                        // in their last bits: summed in another order).
                        #[cfg(test)]
                        {
                            let full = select_here(acc, touched, dense);
                            let scores = |c: &[Candidate]| {
                                let mut s: Vec<(u32, u32)> = c
                                    .iter()
                                    .map(|c| (c.oldest_first, c.score.to_bits()))
                                    .collect();
                                s.sort_unstable();
                                s
                            };
                            assert_eq!(scores(&made.1), scores(&full.1), "rescored list {i}");
                            assert_eq!(made.0.is_some(), full.0.is_some());
                            let near = |a: f32, b: f32| (a - b).abs() <= b.abs() * 1e-5 + 1e-6;
                            for c in &made.1 {
                                let f = full.1.iter().find(|f| f.oldest_first == c.oldest_first);
                                assert!(near(c.partial, f.unwrap().partial), "partial in list {i}");
                            }
                            if let (Some(a), Some(b)) = (made.0, full.0) {
                                assert!(near(a, b), "bar of list {i}");
                            }
                        }
                        made
                    }
                    _ => select_here(acc, touched, dense),
                };
                for &(t, _) in index.vectors[i].iter() {
                    dense[t as usize] = 0.0;
                }
                let (bar, candidates) = made;
                (finish(i, &candidates), bar, Arc::new(candidates))
            },
        )
        .collect::<Vec<_>>();
    let mut lists = vec![Vec::new(); n];
    let mut bars = vec![None; n];
    let mut candidates = vec![None; n];
    for (i, (list, bar, chosen)) in todo.into_iter().zip(made) {
        lists[i] = list;
        bars[i] = bar;
        candidates[i] = Some(chosen);
    }
    Ranking {
        lists,
        vectors: index.vectors.clone(),
        bars,
        candidates,
        ranked: redo.iter().map(|r| !r.is_keep()).collect(),
        rescored,
        index: Some(index),
    }
}

/// Ranks document `i` (at position `p`): reads its query's postings
/// windows into partial scores (`acc`, with the positions it `touched`),
/// keeps the [`RESCORED`] best and scores them with `exact(document,
/// shared features)`. Returns its [`Bar`] and its candidates.
#[allow(clippy::too_many_arguments)]
fn select(
    i: usize,
    p: usize,
    docs: &[RankDoc],
    bonus: &[f32],
    index: &Index,
    past: bool,
    k: usize,
    acc: &mut [f32],
    touched: &mut Vec<u32>,
    exact: impl Fn(usize, &[u32]) -> f32,
) -> (Bar, Vec<Candidate>) {
    let n = index.order.len();
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
    let mut candidates: Vec<(f32, u32)> = touched.iter().map(|&q| (acc[q as usize], q)).collect();
    for &q in touched.iter() {
        acc[q as usize] = 0.0;
    }
    touched.clear();
    // The best RESCORED by partial score (ties: position, so the choice is
    // deterministic); a selection, not a full sort.
    let by_score = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    let keep = RESCORED.max(k);
    let mut bar = None;
    if candidates.len() > keep {
        candidates.select_nth_unstable_by(keep - 1, by_score);
        candidates.truncate(keep);
        bar = Some(candidates[keep - 1].0);
    }
    let chosen = candidates
        .into_iter()
        .map(|(partial, q)| {
            let j = index.order[q as usize];
            let common = shared(&docs[i].features, &docs[j].features);
            Candidate {
                oldest_first: (n - 1 - q as usize) as u32,
                partial,
                score: exact(j, &common),
            }
        })
        .collect();
    (bar, chosen)
}

/// A list's candidates after an edit that left them the same documents
/// (see [`Redo::Rescore`]): those `changed` (by position from the oldest,
/// with their partial scores now) get their exact score from `exact`, the
/// others keep theirs. The bar is the lowest partial score again: the
/// candidates are the best by partial score.
fn rescore(
    changed: &[(u32, f32)],
    last: &[Candidate],
    bar: Bar,
    exact: impl Fn(&Candidate) -> f32,
) -> (Bar, Vec<Candidate>) {
    let mut candidates = last.to_vec();
    for c in &mut candidates {
        if let Some(&(_, now)) = changed.iter().find(|r| r.0 == c.oldest_first) {
            c.partial = now;
            c.score = exact(c);
        }
    }
    let bar = bar.map(|_| {
        candidates
            .iter()
            .map(|c| c.partial)
            .min_by(f32::total_cmp)
            .unwrap_or(0.0)
    });
    (bar, candidates)
}

/// What [`rank_with_vectors`] returns, by document.
struct Ranking {
    /// Lists of the ranked documents (others: empty).
    lists: Vec<Vec<Ranked>>,
    vectors: Vec<Arc<TermVector>>,
    /// Bars of the ranked documents (others: None).
    bars: Vec<Bar>,
    /// Candidates of the ranked documents (others: None).
    candidates: Vec<Option<Candidates>>,
    /// Which were ranked (or rescored).
    ranked: Vec<bool>,
    /// How many of them were rescored (see [`Redo::Rescore`]).
    rescored: usize,
    /// The index they were ranked with.
    index: Option<Index>,
}

pub(super) fn compute(
    briefings: &[Briefing],
    hubs: &HubSet,
    options: &LinkOptions,
    memo: Option<&mut RelatedMemo>,
) -> Vec<Arc<Vec<Related>>> {
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
    let hub_sizes = HubSizes::new(&docs, hubs.feature_names.len(), options.related_scope);
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
    let to_related = |i: usize, list: Vec<Ranked>| -> Vec<Related> {
        list.into_iter()
            .map(|(target, score, common)| Related {
                target,
                score,
                reasons: reasons(&common, hubs, |f| hub_sizes.at(f, docs[i].time)),
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
        return ranked
            .into_par_iter()
            .enumerate()
            .map(|(i, list)| Arc::new(to_related(i, list)))
            .collect();
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
    let lists: Vec<Arc<Vec<Related>>> = ranked
        .into_par_iter()
        .zip(reused)
        .enumerate()
        .map(|(i, (list, reused))| {
            if reused && same_indices {
                Arc::clone(&last_lists[i])
            } else {
                Arc::new(to_related(i, list))
            }
        })
        .collect();
    crate::drop_later::drop_later(last_lists);
    if !same_indices {
        memo.last_sources = briefings.iter().map(|b| b.page.source.clone()).collect();
    }
    crate::trace::lap("related.lists");
    memo.last_lists = lists.clone();
    lists
}

/// A feature as the memo knows it: by its unique key.
fn feature_label(hubs: &HubSet, f: u32) -> &str {
    &hubs.feature_keys[f as usize]
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

/// How many briefings each hub (feature) has, for ordering reasons: under
/// `related_scope = "past"` counted among the briefings published up to a
/// time, as the related lists themselves are, so that publishing a new
/// briefing does not reorder the reasons on old pages (it did: about 200
/// of 10,000 pages were rewritten for it); otherwise over the whole site.
struct HubSizes {
    /// Per feature: the times of its briefings, ascending ("past"), or
    /// empty with `site` holding the whole-site count.
    times: Vec<Vec<i64>>,
    site: Vec<u32>,
}

impl HubSizes {
    fn new(docs: &[RankDoc], n_features: usize, scope: RelatedScope) -> HubSizes {
        let past = scope == RelatedScope::Past;
        let mut times = vec![Vec::new(); if past { n_features } else { 0 }];
        let mut site = vec![0u32; n_features];
        for d in docs {
            for &f in &d.features {
                site[f as usize] += 1;
                if past {
                    times[f as usize].push(d.time);
                }
            }
        }
        times.iter_mut().for_each(|t| t.sort_unstable());
        HubSizes { times, site }
    }

    /// Briefings of hub `f` as a list of a briefing published at `time` sees it.
    fn at(&self, f: u32, time: i64) -> u32 {
        match self.times.get(f as usize) {
            Some(times) => times.partition_point(|&t| t <= time) as u32,
            None => self.site[f as usize],
        }
    }
}

/// The shared hubs worth naming: key issues before entities, and within each
/// the rarer first (a hub every briefing shares says little; `size` gives a
/// hub's count); names that differ only in case are named once.
fn reasons(common: &[u32], hubs: &HubSet, size: impl Fn(u32) -> u32) -> Vec<String> {
    let mut ranked: Vec<u32> = common.to_vec();
    ranked.sort_by_key(|&f| {
        let is_entity = f as usize >= hubs.issue_features;
        (is_entity, size(f), f)
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

    /// Which lists are redone (ranked or rescored).
    fn dirty(redo: Vec<Redo>) -> Vec<bool> {
        redo.iter().map(|r| !r.is_keep()).collect()
    }

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
            candidates: vec![None; 3],
        };
        let run = |docs: &[RankDoc], index: &Index, moved: &[(usize, u32)], before: &Before| {
            let moved = Moved {
                terms: &[],
                features: moved,
            };
            dirty(readers(
                index,
                docs,
                &bonus,
                vec![true, false, false],
                moved,
                Some(before),
            ))
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
        let before = Before {
            vectors,
            bars,
            candidates: vec![None; docs.len()],
        };
        let mut mark = vec![false; docs.len()];
        mark[changed] = true;
        let read = |terms: &[(usize, u32)], features: &[(usize, u32)]| {
            let moved = Moved { terms, features };
            !readers(&index, &docs, &bonus, mark.clone(), moved, Some(&before))[reader].is_keep()
        };
        assert!(read(&[], &[(changed, 0)]));
        assert!(!read(&[], &[]));
        // The same with a term (every document has "weather").
        let weather = index.vectors[0][0].0;
        assert!(index.vectors[reader].iter().any(|e| e.0 == weather));
        assert!(read(&[(changed, weather)], &[]));
    }

    /// `POSTINGS_CAP + 1` briefings sharing a common word, one a time
    /// unit apart, oldest first: a newer briefing's window for the word
    /// holds all but the oldest two (it holds the reader itself too).
    fn common_word_texts() -> Vec<String> {
        (0..=POSTINGS_CAP)
            .map(|t| format!("weather report number{t}"))
            .collect()
    }

    /// What [`readers`] is given after `edited` (the only edited text) was
    /// edited since `last` was ranked: the index now, which vectors
    /// changed, the terms the edited one gained or lost, and what the last
    /// ranking knew.
    fn after_an_edit(
        last: &Ranking,
        docs: &[RankDoc],
        edited: usize,
    ) -> (Index, Vec<bool>, Vec<(usize, u32)>, Before) {
        let index = build_index(docs, RelatedScope::Past, 0, None, None);
        let changed: Vec<bool> = (0..docs.len())
            .map(|i| index.vectors[i] != last.vectors[i])
            .collect();
        let terms = |v: &TermVector| -> Vec<u32> { v.iter().map(|e| e.0).collect() };
        let (now, then) = (terms(&index.vectors[edited]), terms(&last.vectors[edited]));
        let moved = now
            .iter()
            .filter(|t| !then.contains(t))
            .chain(then.iter().filter(|t| !now.contains(t)))
            .map(|&t| (edited, t))
            .collect();
        let before = Before {
            vectors: last.vectors.iter().cloned().map(Some).collect(),
            bars: last.bars.clone(),
            candidates: last.candidates.clone(),
        };
        (index, changed, moved, before)
    }

    fn ranked_fully(docs: &[RankDoc], k: usize) -> Ranking {
        rank_with_vectors(
            docs,
            &[],
            RelatedScope::Past,
            k,
            Wanted::All,
            Known::default(),
        )
    }

    #[test]
    fn a_candidate_pushed_out_of_a_full_window_is_rescored() {
        // Briefings sharing a common word; three of them also share the
        // reader's rare words, so they are candidates whatever the common
        // word adds. A newer briefing taking up the common word enters the
        // reader's full window for it and pushes the oldest there out: one
        // of those three, whose partial score drops.
        let mut texts = common_word_texts();
        let n_old = texts.len();
        for t in &mut texts[1..4] {
            *t = format!("{t} harbour cranes strike");
        }
        texts.push("harbour talks".into());
        texts.push("weather harbour cranes strike resume".into());
        let (edited, reader) = (n_old, n_old + 1);
        let times: Vec<i64> = (0..n_old as i64).chain([500, 600]).collect();
        fn docs_of<'a>(texts: &'a [String], times: &[i64]) -> Vec<RankDoc<'a>> {
            texts
                .iter()
                .zip(times)
                .map(|(t, &time)| doc(t, time))
                .collect()
        }
        let k = 3;
        let last = ranked_fully(&docs_of(&texts, &times), k);
        texts[edited] = "weather harbour talks".into();
        let docs = docs_of(&texts, &times);
        let (index, changed, gained, before) = after_an_edit(&last, &docs, edited);
        assert!(changed[edited] && !changed[reader]);
        assert_eq!(gained.len(), 1);
        let redo = readers(
            &index,
            &docs,
            &[],
            changed.clone(),
            Moved {
                terms: &gained,
                features: &[],
            },
            Some(&before),
        );
        let Redo::Rescore(rescored) = &redo[reader] else {
            panic!("{:?}", redo[reader]);
        };
        // Rescored: the edited briefing and the one pushed out.
        let oldest_first = |d: usize| (docs.len() - 1 - index.pos_of[d]) as u32;
        let mut which: Vec<u32> = rescored.iter().map(|r| r.0).collect();
        which.sort_unstable();
        assert_eq!(which, vec![oldest_first(2), oldest_first(edited)]);
        // Rescored, the list is what ranking from scratch gives.
        let incremental = rank_with_vectors(
            &docs,
            &[],
            RelatedScope::Past,
            k,
            Wanted::ReadersOf {
                changed,
                moved: &gained,
                moved_features: &[],
                before: Some(before),
                edited: None,
            },
            Known::default(),
        );
        assert!(incremental.rescored > 0);
        let full = rank(&docs, &[], RelatedScope::Past, k, None, None);
        assert_eq!(incremental.lists[reader], full[reader]);
        assert!(!full[reader].is_empty());
    }

    #[test]
    fn a_briefing_let_back_into_a_full_window_above_the_bar_ranks_the_list_again() {
        // The reverse move: a newer briefing drops the common word, and the
        // one it had pushed out of the reader's window comes back, with a
        // partial score above the reader's bar (it repeats the word): the
        // candidates change, so the list is ranked, not rescored.
        let mut texts = common_word_texts();
        let n_old = texts.len();
        texts[2] = "weather weather weather report number2".into();
        texts.push("weather harbour talks".into());
        texts.push("weather harbour cranes strike resume".into());
        let (edited, reader) = (n_old, n_old + 1);
        let times: Vec<i64> = (0..n_old as i64).chain([500, 600]).collect();
        let mut docs: Vec<RankDoc> = texts
            .iter()
            .zip(&times)
            .map(|(t, &time)| doc(t, time))
            .collect();
        let last = ranked_fully(&docs, 3);
        let let_back = docs.len() - 1 - last.index.as_ref().unwrap().pos_of[2];
        let selects = |c: &Candidates| c.iter().any(|c| c.oldest_first as usize == let_back);
        assert!(!selects(last.candidates[reader].as_ref().unwrap()));
        docs[edited] = doc("harbour talks", 500);
        let (index, changed, lost, before) = after_an_edit(&last, &docs, edited);
        assert!(!changed[reader]);
        assert_eq!(lost.len(), 1);
        let redo = readers(
            &index,
            &docs,
            &[],
            changed,
            Moved {
                terms: &lost,
                features: &[],
            },
            Some(&before),
        );
        assert_eq!(redo[reader], Redo::Rank);
        let full = ranked_fully(&docs, 3);
        assert!(selects(full.candidates[reader].as_ref().unwrap()));
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
                candidates: vec![None; 3],
            };
            dirty(readers(
                &index,
                &docs,
                &[],
                vec![true, false, false],
                Moved {
                    terms: moved,
                    features: &[],
                },
                Some(&before),
            ))
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
        let blind = dirty(readers(
            &index,
            &docs,
            &[],
            vec![true, false, false],
            none,
            None,
        ));
        assert_eq!(blind, redone);
    }
}
