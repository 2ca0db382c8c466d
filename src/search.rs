//! The site search index: static JSON files under `search/` that the theme's
//! `search.js` queries in the browser, so search works on any static host.
//!
//! Layout (see docs/search.md for why):
//!
//! Indexed: title, bottom line, key issues and tags, entities, summary, body.
//!
//! - `search/index.json`: the manifest: format version, number of documents,
//!   documents per metadata chunk, the shard prefix length `P`, the stop
//!   words, and the map shard key -> shard file name.
//! - `search/s/<name>.json`: one term shard `{"t": terms, "d": docs}`, named
//!   after its key ([`shard_stem`]). `t`: every term whose first `P`
//!   characters (or whole text, when shorter) are the shard's key, each with
//!   its postings `[doc, weight, doc, weight, ...]`, doc ids delta-encoded.
//!   Doc ids count from the oldest briefing. `d`: the display metadata
//!   `[doc, title, url, date, bottom line]` of each term's [`TOP_DOCS`]
//!   highest-weighted documents and of the documents with the term in their
//!   title, once per shard, by doc id.
//! - `search/d/<n>.json`: document metadata in chunks of [`DOC_CHUNK`]:
//!   `[title, url, date, bottom line]` per document.
//!
//! A query loads the manifest and one shard per query term, ranks, and shows
//! the first page from the shards' `d` tables: for a one-word query (exact
//! or prefix) the first page is always there, and for several words usually
//! (the best matches have the words in their titles), so results appear
//! without a second round trip. Only results outside the tables load
//! metadata chunks ("show more", rare several-word queries). Never the whole
//! index.
//!
//! The tokenizer must match `tokenize` in `search.js`: lower case, split on
//! anything that is neither alphabetic nor numeric, drop one-character tokens
//! and stop words.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rayon::prelude::*;
use serde::Serialize;

use crate::cache::search_terms::{SearchTermFile, Update};
use crate::cache::{RenderMemo, StableHasher};
use crate::fast_hash::WordList;
use crate::linking::FastMap;
use crate::linking::SiteModel;
use crate::output::OutputFile;
use crate::render::shared::Shared;
use crate::render::views::BriefingCard;

/// Format version of the index, checked by `search.js`.
pub const INDEX_VERSION: u32 = 3;
/// Documents per term whose metadata its shard carries: one page of results
/// in `search.js` (`PAGE`).
pub const TOP_DOCS: usize = 10;
/// Documents per metadata chunk.
pub const DOC_CHUNK: usize = 20;
/// The shard prefix length grows until the largest shard (postings and
/// metadata) is at most about this big (estimated uncompressed JSON bytes;
/// about a quarter of that gzipped), up to [`MAX_PREFIX`].
const SHARD_TARGET_BYTES: usize = 384 * 1024;
const MAX_PREFIX: usize = 4;

/// Words too common to search for; shipped in the manifest so the browser
/// drops the same ones.
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he",
    "her", "his", "how", "if", "in", "into", "is", "it", "its", "more", "most", "not", "of", "on",
    "or", "other", "our", "over", "said", "says", "she", "so", "some", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "to", "was", "we", "were",
    "what", "when", "which", "while", "who", "will", "with", "would", "you",
];

/// Field weights: a word in the title counts more than one in the body.
const W_TITLE: f64 = 8.0;
const W_BOTTOM_LINE: f64 = 4.0;
const W_KEY_ISSUE: f64 = 4.0;
const W_ENTITY: f64 = 4.0;
const W_SUMMARY: f64 = 2.0;
const W_BODY: f64 = 1.0;

/// Splits text into index terms.
pub fn tokenize(text: &str) -> Vec<String> {
    terms(text).map(Cow::into_owned).collect()
}

/// The longest of [`STOP_WORDS`], in bytes: longer words need no lookup.
const STOP_WORD_MAX_LEN: usize = 5;

fn is_search_stop(word: &str) -> bool {
    static STOPS: WordList = WordList::new(STOP_WORDS);
    STOPS.contains(word)
}

/// [`tokenize`] without copying: a word already in lower-case ASCII (most
/// of them) is borrowed from `text`.
fn terms(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                Cow::Borrowed(w)
            } else {
                Cow::Owned(w.to_lowercase())
            }
        })
        .filter(move |w| w.chars().nth(1).is_some() && !is_search_stop(w))
}

/// The shard a term lives in: its first `prefix` characters.
fn shard_key(term: &str, prefix: usize) -> &str {
    match term.char_indices().nth(prefix) {
        Some((i, _)) => &term[..i],
        None => term,
    }
}

/// A shard's file name (without `.json`): its key, ASCII letters and
/// digits as they are and any other character as `_<hex code point>_`, so
/// that the name is the same on every file system and in every URL, and
/// stays the same while the shard exists (a number would move whenever a
/// key sorted before it came or went). Keys that are device names on
/// Windows (`con`, `nul`, `com1`...) get a `_` after them.
fn shard_stem(key: &str) -> String {
    let mut stem = String::with_capacity(key.len());
    for c in key.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            stem.push(c);
        } else {
            stem.push_str(&format!("_{:x}_", u32::from(c)));
        }
    }
    const DEVICES: &[&str] = &["con", "prn", "aux", "nul"];
    let device = DEVICES.contains(&stem.as_str())
        || (stem.len() == 4
            && (stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.as_bytes()[3].is_ascii_digit());
    if device {
        stem.push('_');
    }
    stem
}

#[derive(Serialize)]
struct Manifest<'a> {
    v: u32,
    docs: usize,
    chunk: usize,
    prefix: usize,
    stop: &'a [&'a str],
    /// Shard key -> shard file name ([`shard_stem`]).
    shards: BTreeMap<&'a str, String>,
}

/// One term shard as written: terms with their postings, and the metadata
/// of the documents they rank first.
#[derive(Serialize, Default)]
struct Shard<'a> {
    t: BTreeMap<&'a str, DeltaPostings<'a>>,
    /// `[doc, title, url, date, bottom line]`, by doc id.
    d: Vec<(usize, &'a str, &'a str, &'a str, &'a str)>,
    #[serde(skip)]
    docs: BTreeSet<usize>,
}

/// A term's postings `(doc, weight)`, in document order, written as
/// `[doc, weight, doc, weight, ...]` with each doc id the difference from
/// the one before. Serialised straight from the index's postings: a copy
/// per shard held the whole index a second time (230 MB at 100,000
/// briefings, at the build's highest point).
#[derive(Clone, Copy, Default)]
struct DeltaPostings<'a>(&'a [(u32, u32)]);

impl<'a> DeltaPostings<'a> {
    fn numbers(self) -> impl Iterator<Item = u32> + 'a {
        let mut last = 0;
        self.0.iter().flat_map(move |&(doc, weight)| {
            let delta = doc - last;
            last = doc;
            [delta, weight]
        })
    }
}

impl Serialize for DeltaPostings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.numbers())
    }
}

/// Every term's postings, filled by term number, in chunks of whole terms
/// of at most [`POSTINGS_PER_CHUNK`] pairs (a longer term has its own).
/// One array of them all (220 MB at 100,000 briefings) was a block the
/// allocator could not make of the memory earlier stages freed, and
/// raised the peak RSS by its size.
struct ChunkedPostings {
    chunks: Vec<Vec<(u32, u32)>>,
    /// Term number -> its chunk.
    chunk_of: Vec<u32>,
    /// Chunk -> the offset (in the terms' prefix sums) its first pair has.
    chunk_start: Vec<usize>,
}

/// 8 MB chunks.
const POSTINGS_PER_CHUNK: usize = 1 << 20;

impl ChunkedPostings {
    /// Room for every term's postings, `offsets` being the prefix sums of
    /// their lengths (term `t`'s are `offsets[t]..offsets[t + 1]`), in
    /// chunks of at most `per_chunk` pairs.
    fn new(offsets: &[usize], per_chunk: usize) -> ChunkedPostings {
        let n_terms = offsets.len() - 1;
        let mut chunks = Vec::new();
        let mut chunk_of = Vec::with_capacity(n_terms);
        let mut chunk_start = Vec::new();
        let mut t = 0;
        while t < n_terms {
            let start = offsets[t];
            let mut end_term = t + 1;
            while end_term < n_terms && offsets[end_term + 1] - start <= per_chunk {
                end_term += 1;
            }
            chunk_of.extend(std::iter::repeat_n(chunks.len() as u32, end_term - t));
            chunk_start.push(start);
            chunks.push(vec![(0, 0); offsets[end_term] - start]);
            t = end_term;
        }
        ChunkedPostings {
            chunks,
            chunk_of,
            chunk_start,
        }
    }

    /// Sets the pair at `at` (an offset in the prefix sums) of term `t`.
    fn set(&mut self, t: usize, at: usize, pair: (u32, u32)) {
        let c = self.chunk_of[t] as usize;
        self.chunks[c][at - self.chunk_start[c]] = pair;
    }

    /// Term `t`'s postings.
    fn of<'a>(&'a self, t: usize, offsets: &[usize]) -> &'a [(u32, u32)] {
        let c = self.chunk_of[t] as usize;
        let start = self.chunk_start[c];
        &self.chunks[c][offsets[t] - start..offsets[t + 1] - start]
    }
}

/// Counts the terms of `text` ([`terms`]) in `tf` under `field`, without
/// allocating for a word seen before: a word with capitals is lowered
/// into `lower` to look it up, and copied only when new. Counting was
/// 0.4 s of a 10k build when every capitalised word was copied.
fn count_terms<'a>(
    tf: &mut FastMap<Cow<'a, str>, [u32; 6]>,
    lower: &mut String,
    text: &'a str,
    field: usize,
) {
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let plain = word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        let term: &str = if plain {
            word
        } else if word.is_ascii() {
            lower.clear();
            lower.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
            lower
        } else {
            // Unicode lowering has context rules (a final sigma): the
            // library's, as `terms` and search.js use.
            *lower = word.to_lowercase();
            lower
        };
        let long_enough = if term.is_ascii() {
            term.len() > 1
        } else {
            term.chars().nth(1).is_some()
        };
        if !long_enough || (term.len() <= STOP_WORD_MAX_LEN && is_search_stop(term)) {
            continue;
        }
        match tf.get_mut(term) {
            Some(counts) => counts[field] += 1,
            None => {
                let key = if plain {
                    Cow::Borrowed(word)
                } else {
                    Cow::Owned(term.to_string())
                };
                tf.entry(key).or_insert([0; 6])[field] += 1;
            }
        }
    }
}

/// Everything [`doc_terms`] reads of a briefing, hashed: the key of its
/// terms in the cache (`cache::search_terms`).
fn doc_key(model: &SiteModel, i: usize, card: &BriefingCard) -> u128 {
    let b = &model.briefings[i];
    let mut h = StableHasher::default();
    h.field(card.title.as_bytes())
        .field(card.bottom_line.as_bytes());
    let mut list = |items: &mut dyn ExactSizeIterator<Item = &str>| {
        h.number(items.len() as u64);
        for item in items {
            h.field(item.as_bytes());
        }
    };
    list(&mut b.analysis.key_issues.iter().map(|k| k.label.as_str()));
    list(&mut b.analysis.entities.iter().map(|e| e.name.as_str()));
    list(&mut b.page.tags.iter().map(String::as_str));
    list(&mut card.summary.iter().map(String::as_str));
    h.wide(b.text_hash);
    h.finish()
}

/// A briefing's terms with their weights, integers (which keep the files
/// small and the output stable).
type Weighted<'a> = Vec<(Cow<'a, str>, u32)>;

/// The weighted terms of one briefing.
fn doc_terms<'a>(model: &'a SiteModel, i: usize, card: &'a BriefingCard) -> Weighted<'a> {
    let b = &model.briefings[i];
    let text = b.plain_text();
    let mut tf: FastMap<Cow<'a, str>, [u32; 6]> =
        FastMap::with_capacity_and_hasher(text.len() / 16, Default::default());
    let mut lower = String::new();
    let mut add = |text: &'a str, field: usize| count_terms(&mut tf, &mut lower, text, field);
    add(&card.title, 0);
    add(&card.bottom_line, 1);
    for k in &b.analysis.key_issues {
        add(&k.label, 2);
    }
    for e in &b.analysis.entities {
        add(&e.name, 3);
    }
    for t in &b.page.tags {
        add(t, 2);
    }
    for s in &card.summary {
        add(s, 4);
    }
    match text {
        Cow::Borrowed(text) => add(text, 5),
        Cow::Owned(text) => {
            // Released by a one-off build's link stage and derived again:
            // counted apart, then its terms are copied out of it.
            let mut body: FastMap<Cow<str>, [u32; 6]> = FastMap::default();
            count_terms(&mut body, &mut lower, &text, 5);
            for (term, counts) in body {
                tf.entry(Cow::Owned(term.into_owned())).or_insert([0; 6])[5] += counts[5];
            }
        }
    }
    let weights = [
        W_TITLE,
        W_BOTTOM_LINE,
        W_KEY_ISSUE,
        W_ENTITY,
        W_SUMMARY,
        W_BODY,
    ];
    tf.into_iter()
        .map(|(t, counts)| {
            // Sub-linear in the count: the tenth mention adds little.
            let score: f64 = counts
                .iter()
                .zip(weights)
                .filter(|(c, _)| **c > 0)
                .map(|(c, w)| w * (1.0 + f64::from(*c).ln()))
                .sum();
            (t, (score * 2.0).round().clamp(1.0, 999.0) as u32)
        })
        .collect()
}

/// The terms of the briefings a build tokenised, numbered after those of
/// the cache file (see `cache::search_terms`).
struct Numbered {
    /// How many terms the file numbers: new ones count from there.
    base: usize,
    new_terms: Vec<String>,
    /// (model index, its (term number, weight), numbers ascending), by
    /// index.
    fresh: Vec<(usize, Vec<(u32, u32)>)>,
}

/// Briefings tokenised at once in [`number_terms`]: their terms as text
/// are held only until numbered (a gigabyte at 100,000 briefings when
/// every briefing's were held at once).
const DOCS_PER_BATCH: usize = 4096;

/// Tokenises the briefings at `todo` (model indices, ascending) with
/// `terms_of`, `docs_per_batch` at a time, and numbers their terms: those the file has keep its
/// numbers, the others get new ones, in the order the briefings first use
/// them. Within a batch, chunks of briefings number their terms locally
/// in parallel, then the chunks' terms are numbered in order; batches
/// follow each other, so the numbers are those of one pass in order.
fn number_terms<'a>(
    todo: &[usize],
    terms_of: impl Fn(usize) -> Weighted<'a> + Sync,
    known: Option<&'a SearchTermFile>,
    docs_per_batch: usize,
) -> Numbered {
    let base = known.map_or(0, SearchTermFile::term_count);
    let mut numbered = Numbered {
        base,
        new_terms: Vec::new(),
        fresh: Vec::with_capacity(todo.len()),
    };
    if todo.is_empty() {
        return numbered;
    }
    let mut ids: FastMap<Cow<'a, str>, u32> = match known {
        Some(file) => (0..base as u32)
            .filter_map(|id| Some((Cow::Borrowed(file.term(id)?), id)))
            .collect(),
        None => FastMap::default(),
    };
    for batch in todo.chunks(docs_per_batch) {
        let weighted: Vec<Weighted<'a>> = batch.par_iter().map(|&i| terms_of(i)).collect();
        // (the chunk's terms, each briefing's (local number, weight)).
        type Chunk<'t, 'a> = (Vec<&'t Cow<'a, str>>, Vec<Vec<(u32, u32)>>);
        let chunks: Vec<Chunk> = weighted
            .par_chunks(256)
            .map(|chunk| {
                let mut local: FastMap<&str, u32> = FastMap::default();
                let mut names = Vec::new();
                let docs = chunk
                    .iter()
                    .map(|terms| {
                        terms
                            .iter()
                            .map(|(t, w)| {
                                let id = *local.entry(t.as_ref()).or_insert_with(|| {
                                    names.push(t);
                                    names.len() as u32 - 1
                                });
                                (id, *w)
                            })
                            .collect()
                    })
                    .collect();
                (names, docs)
            })
            .collect();
        let mut at = numbered.fresh.len();
        for (names, docs) in chunks {
            let global: Vec<u32> = names
                .into_iter()
                .map(|name| match ids.get(name.as_ref()) {
                    Some(id) => *id,
                    None => {
                        let id = (base + numbered.new_terms.len()) as u32;
                        numbered.new_terms.push(name.to_string());
                        ids.insert(name.clone(), id);
                        id
                    }
                })
                .collect();
            for doc in docs {
                let mut pairs: Vec<(u32, u32)> = doc
                    .into_iter()
                    .map(|(local, w)| (global[local as usize], w))
                    .collect();
                pairs.sort_unstable();
                numbered.fresh.push((todo[at], pairs));
                at += 1;
            }
        }
    }
    numbered
}

/// Builds the search index of the site's briefings. `cards[i]` is the card
/// of `model.briefings[i]` (its URL, title and date as the site shows them).
/// Deterministic: the same model gives the same bytes. A briefing's terms
/// come from `known` when it has them (the cache of an earlier build);
/// the returned update records those of the others.
///
/// With a render `memo`, a shard file whose contents' inputs hash to what
/// the last build's did is taken from it ([`RenderMemo::page`]): a `build`
/// leaves it on disk, unread, and serialising the shards was a fifth of
/// the index's time in a warm build.
pub fn build_index(
    model: &SiteModel,
    cards: &[Shared<BriefingCard>],
    known: Option<&SearchTermFile>,
    memo: Option<&RenderMemo>,
) -> (Vec<OutputFile>, Update) {
    let n = model.briefings.len();
    // Doc ids count from the oldest briefing (the model lists the newest
    // first), so that publishing a briefing appends one: the other ids,
    // the metadata chunks before the last one and the shards without the
    // new briefing's words stay byte for byte what they were, and a deploy
    // uploads only those that changed.
    let card_of = |doc: usize| -> &BriefingCard { &cards[n - 1 - doc] };
    // Each briefing's key, and its terms when the cache does not have
    // them: tokenising is per briefing, in parallel.
    let keys: Vec<u128> = cards[..n]
        .par_iter()
        .enumerate()
        .map(|(i, card)| doc_key(model, i, card))
        .collect();
    let todo: Vec<usize> = (0..n)
        .filter(|&i| !known.is_some_and(|k| k.has(keys[i])))
        .collect();
    let Numbered {
        base,
        new_terms,
        fresh,
    } = number_terms(
        &todo,
        |i| doc_terms(model, i, &cards[i]),
        known,
        DOCS_PER_BATCH,
    );
    let term = |id: u32| -> &str {
        match (id as usize).checked_sub(base) {
            None => known.and_then(|k| k.term(id)).unwrap_or_default(),
            Some(new) => &new_terms[new],
        }
    };
    // Model index -> its place in `fresh`.
    let mut fresh_at: Vec<Option<usize>> = vec![None; n];
    for (at, (i, _)) in fresh.iter().enumerate() {
        fresh_at[*i] = Some(at);
    }
    // (term number, weight) of every briefing, oldest first.
    let pairs: Vec<Cow<[(u32, u32)]>> = (0..n)
        .into_par_iter()
        .map(|doc| {
            let i = n - 1 - doc;
            match fresh_at[i] {
                Some(at) => Cow::Borrowed(&fresh[at].1[..]),
                None => Cow::Owned(known.and_then(|k| k.get(keys[i])).unwrap_or_default()),
            }
        })
        .collect();
    crate::trace::lap("search.terms");
    // Postings by term number (CSR), filled in document order, so that
    // every list is in document order.
    let n_terms = base + new_terms.len();
    let mut offsets = vec![0usize; n_terms + 1];
    for doc in &pairs {
        for &(id, _) in doc.iter() {
            offsets[id as usize + 1] += 1;
        }
    }
    for t in 0..n_terms {
        offsets[t + 1] += offsets[t];
    }
    let mut flat = ChunkedPostings::new(&offsets, POSTINGS_PER_CHUNK);
    let mut fill = offsets.clone();
    for (doc, terms) in pairs.iter().enumerate() {
        for &(id, w) in terms.iter() {
            flat.set(id as usize, fill[id as usize], (doc as u32, w));
            fill[id as usize] += 1;
        }
    }
    drop(fill);
    // The terms in use, in text order.
    let mut used: Vec<u32> = (0..n_terms as u32)
        .filter(|&t| offsets[t as usize + 1] > offsets[t as usize])
        .collect();
    used.par_sort_unstable_by(|&a, &b| term(a).cmp(term(b)));
    if used.windows(2).any(|w| term(w[0]) == term(w[1])) && known.is_some() {
        // A term numbered twice: only a file made by other code could do
        // that. Counted afresh instead.
        return build_index(model, cards, None, memo);
    }
    let postings: Vec<(&str, &[(u32, u32)])> = used
        .iter()
        .map(|&t| (term(t), flat.of(t as usize, &offsets)))
        .collect();
    drop(pairs);
    crate::trace::lap("search.postings");

    // The documents whose metadata a term's shard carries: its best ones,
    // which its one-word queries show first (weight down, then newer first,
    // as `search.js` ranks them), and those with the term in their title,
    // which rank first for most queries of several words.
    let mut shown: Vec<BTreeSet<usize>> = postings
        .par_iter()
        .map(|(_, list)| {
            // The TOP_DOCS best by weight, then newer: the higher id (a
            // total order, so the set is the same whichever way it is
            // selected).
            if list.len() <= TOP_DOCS {
                return list.iter().map(|p| p.0 as usize).collect();
            }
            let mut best = list.to_vec();
            best.select_nth_unstable_by(TOP_DOCS - 1, |a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
            best.truncate(TOP_DOCS);
            best.iter().map(|p| p.0 as usize).collect()
        })
        .collect();
    for doc in 0..n {
        for word in tokenize(&card_of(doc).title) {
            if let Ok(at) = postings.binary_search_by(|p| p.0.cmp(word.as_str())) {
                shown[at].insert(doc);
            }
        }
    }
    crate::trace::lap("search.shown");
    let meta_size = |doc: usize| {
        let c = card_of(doc);
        c.title.len() + c.url.len() + c.date_display.len() + c.bottom_line.len() + 24
    };

    // The shortest prefix whose largest shard (postings and metadata) stays
    // near the target size.
    let digits = |n: usize| n.checked_ilog10().unwrap_or(0) as usize + 1;
    let estimate = |term: &str, list: &[(u32, u32)]| {
        let mut last = 0;
        let mut size = term.len() + 6;
        for &(doc, w) in list {
            size += digits((doc - last) as usize) + digits(w as usize) + 2;
            last = doc;
        }
        size
    };
    // Each term's size and shown documents, once, whatever the prefix.
    let estimates: Vec<(&str, usize, &BTreeSet<usize>)> = postings
        .par_iter()
        .zip(&shown)
        .map(|((term, list), docs)| (*term, estimate(term, list), docs))
        .collect();
    let mut prefix = 1;
    while prefix < MAX_PREFIX {
        let mut sizes: HashMap<&str, (usize, HashSet<usize>)> = HashMap::new();
        for &(term, estimate, docs_shown) in &estimates {
            let (size, docs) = sizes.entry(shard_key(term, prefix)).or_default();
            *size += estimate;
            docs.extend(docs_shown);
        }
        let largest = sizes
            .values()
            .map(|(size, docs)| size + docs.iter().map(|&d| meta_size(d)).sum::<usize>())
            .max()
            .unwrap_or(0);
        if largest <= SHARD_TARGET_BYTES {
            break;
        }
        prefix += 1;
    }

    crate::trace::lap("search.prefix");
    let mut shards: BTreeMap<&str, Shard> = BTreeMap::new();
    for ((term, list), docs) in postings.iter().zip(&shown) {
        let shard = shards.entry(shard_key(term, prefix)).or_default();
        shard.t.insert(term, DeltaPostings(list));
        shard.docs.extend(docs);
    }
    drop(shown);

    crate::trace::lap("search.shards");
    let stems: BTreeMap<&str, String> = shards.keys().map(|key| (*key, shard_stem(key))).collect();
    let shards: Vec<(&str, Shard)> = shards.into_iter().collect();
    // Each shard is dropped once its file is made.
    let mut files: Vec<OutputFile> = shards
        .into_par_iter()
        .map(|(key, mut shard)| {
            shard.d = shard
                .docs
                .iter()
                .map(|&doc| {
                    let c = card_of(doc);
                    (
                        doc,
                        c.title.as_str(),
                        c.url.as_str(),
                        c.date_display.as_str(),
                        c.bottom_line.as_str(),
                    )
                })
                .collect();
            let path = format!("search/s/{}.json", stems[key]);
            match memo {
                Some(memo) => {
                    let json = || serde_json::to_string(&shard).map_err(|e| e.to_string());
                    match memo.page(shard_memo_key(&path, &shard), Some(&path), json) {
                        Ok(bytes) => OutputFile { path, bytes },
                        Err(_) => json_file(path, &shard),
                    }
                }
                None => json_file(path, &shard),
            }
        })
        .collect();
    crate::trace::lap("search.shard_files");
    let oldest_first: Vec<&BriefingCard> = (0..n).map(card_of).collect();
    let chunks: Vec<OutputFile> = oldest_first
        .par_chunks(DOC_CHUNK)
        .enumerate()
        .map(|(n, chunk)| {
            let docs: Vec<[&str; 4]> = chunk
                .iter()
                .map(|c| {
                    [
                        c.title.as_str(),
                        c.url.as_str(),
                        c.date_display.as_str(),
                        c.bottom_line.as_str(),
                    ]
                })
                .collect();
            json_file(format!("search/d/{n}.json"), &docs)
        })
        .collect();
    files.extend(chunks);
    let manifest = Manifest {
        v: INDEX_VERSION,
        docs: n,
        chunk: DOC_CHUNK,
        prefix,
        stop: STOP_WORDS,
        shards: stems,
    };
    files.push(json_file("search/index.json".into(), &manifest));
    let update = Update {
        fresh: fresh.into_iter().map(|(i, p)| (keys[i], p)).collect(),
        live: keys,
        base,
        new_terms,
    };
    (files, update)
}

/// Everything a shard file's bytes are made from, hashed: its path, its
/// terms with their postings, its documents' metadata, and the code that
/// writes it.
fn shard_memo_key(path: &str, shard: &Shard) -> u128 {
    let mut h = StableHasher::default();
    h.field(b"search shard")
        .field(env!("BRIEFING_SEARCH_HASH").as_bytes())
        .field(path.as_bytes());
    let mut numbers: Vec<u8> = Vec::new();
    h.number(shard.t.len() as u64);
    for (term, postings) in &shard.t {
        numbers.clear();
        numbers.extend(postings.numbers().flat_map(|n| n.to_le_bytes()));
        h.field(term.as_bytes()).field(&numbers);
    }
    h.number(shard.d.len() as u64);
    for (doc, title, url, date, bottom_line) in &shard.d {
        h.number(*doc as u64);
        for text in [title, url, date, bottom_line] {
            h.field(text.as_bytes());
        }
    }
    h.finish()
}

fn json_file<T: Serialize>(path: String, value: &T) -> OutputFile {
    OutputFile {
        path,
        bytes: serde_json::to_vec(value)
            .expect("search index values serialise")
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_finds_the_tokenizer_terms() {
        let text = "The U.S. and Iran's talks: IRAN, Iran, iran. ΟΔΟΣ Ōman x Σ 2026 would";
        let mut tf = FastMap::default();
        let mut lower = String::new();
        count_terms(&mut tf, &mut lower, text, 5);
        let mut expected: FastMap<String, u32> = FastMap::default();
        for t in tokenize(text) {
            *expected.entry(t).or_default() += 1;
        }
        let counted: FastMap<String, u32> = tf.iter().map(|(t, c)| (t.to_string(), c[5])).collect();
        assert_eq!(counted, expected);
        assert_eq!(counted["iran"], 4);
        assert_eq!(
            counted["οδος"], 1,
            "a final sigma lowers as the library does"
        );
    }

    #[test]
    fn terms_are_numbered_alike_in_batches_of_any_size() {
        // 600 briefings of overlapping words, some owned (lowered), so
        // that chunks of 256 and batches of every size cut across them.
        let words = ["port", "talks", "Grain", "oman", "muscat", "Truce", "ship"];
        let terms_of = |i: usize| -> Weighted<'static> {
            (0..1 + i % 5)
                .map(|k| {
                    let w = words[(i * 3 + k * 5) % words.len()];
                    let term = match w.chars().next().unwrap().is_uppercase() {
                        true => Cow::Owned(format!("{}{}", w.to_lowercase(), i % 11)),
                        false => Cow::Borrowed(w),
                    };
                    (term, (i + k) as u32)
                })
                .collect()
        };
        let todo: Vec<usize> = (0..600).filter(|i| i % 7 != 3).collect();
        let whole = number_terms(&todo, terms_of, None, usize::MAX);
        assert!(
            whole.new_terms.len() > words.len(),
            "owned terms are numbered too"
        );
        assert_eq!(whole.fresh.len(), todo.len());
        for batch in [1, 2, 255, 256, 257, 4096] {
            let batched = number_terms(&todo, terms_of, None, batch);
            assert_eq!(batched.new_terms, whole.new_terms, "batch {batch}");
            assert_eq!(batched.fresh, whole.fresh, "batch {batch}");
        }
    }

    #[test]
    fn chunked_postings_keep_each_term_whole_and_in_place() {
        // Terms of 3, 0, 5, 1, 2 and 4 pairs.
        let lengths = [3usize, 0, 5, 1, 2, 4];
        let mut offsets = vec![0];
        for len in lengths {
            offsets.push(offsets.last().unwrap() + len);
        }
        for per_chunk in [1, 2, 4, 6, 100] {
            let mut postings = ChunkedPostings::new(&offsets, per_chunk);
            for (t, len) in lengths.iter().enumerate() {
                for k in 0..*len {
                    postings.set(t, offsets[t] + k, (t as u32, k as u32));
                }
            }
            for (t, len) in lengths.iter().enumerate() {
                let want: Vec<(u32, u32)> = (0..*len).map(|k| (t as u32, k as u32)).collect();
                assert_eq!(postings.of(t, &offsets), &want[..], "chunks of {per_chunk}");
            }
            // Whole terms per chunk: no chunk over the size unless one
            // term alone is.
            for chunk in &postings.chunks {
                assert!(chunk.len() <= per_chunk.max(5), "chunks of {per_chunk}");
            }
        }
        assert_eq!(ChunkedPostings::new(&offsets, 6).chunks.len(), 3);
    }

    #[test]
    fn stop_words_fit_the_length_that_skips_the_lookup() {
        let longest = STOP_WORDS.iter().map(|w| w.len()).max().unwrap();
        assert_eq!(longest, STOP_WORD_MAX_LEN);
    }

    #[test]
    fn tokenizer_lowercases_splits_and_drops_stop_words() {
        assert_eq!(
            tokenize("The U.S. and Iran's talks in Muscat — 2026, Ōman"),
            vec!["iran", "talks", "muscat", "2026", "ōman"]
        );
    }

    /// Writes a site with the given briefings `(slug, title, body)`, the
    /// slug starting with the date; returns its root and output directory.
    fn site(docs: &[(String, String, String)]) -> (tempfile::TempDir, crate::BuildOptions) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("site.toml"),
            "title = \"T\"\nbase_url = \"https://e.org/\"\n",
        )
        .unwrap();
        let briefings = root.join("content/briefings");
        std::fs::create_dir_all(&briefings).unwrap();
        for (slug, title, body) in docs {
            std::fs::write(
                briefings.join(format!("{slug}.md")),
                format!(
                    "+++\ntitle = \"{title}\"\ndate = {}T10:00:00Z\n+++\n\n{body}\n",
                    &slug[..10]
                ),
            )
            .unwrap();
        }
        let options = crate::BuildOptions {
            output: Some(root.join("out")),
            write: true,
            ..Default::default()
        };
        (dir, options)
    }

    /// Three briefings `(slug, title, body)`, two of them on Muscat.
    fn three_briefings() -> [(String, String, String); 3] {
        [
            (
                "2026-01-01-a",
                "Muscat talks resume",
                "Envoys met in Oman again.",
            ),
            (
                "2026-01-02-b",
                "Tanker rates climb",
                "Insurers cite the Red Sea.",
            ),
            (
                "2026-01-03-c",
                "Oman hosts envoys",
                "A second Muscat round began.",
            ),
        ]
        .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()))
    }

    /// Builds a small site through the whole pipeline and reads its index
    /// back the way `search.js` does.
    #[test]
    fn built_index_finds_briefings_by_title_and_body_words() {
        let (dir, options) = site(&three_briefings());
        let root = dir.path();
        let out = options.output.clone().unwrap();
        let build = || {
            crate::build(root, &options).unwrap_or_else(|_| panic!("build failed"));
            let read = |p: &str| std::fs::read(out.join(p)).unwrap();
            let manifest: serde_json::Value =
                serde_json::from_slice(&read("search/index.json")).unwrap();
            (manifest, read)
        };
        let (manifest, read) = build();
        assert_eq!(manifest["docs"], 3);
        let prefix = manifest["prefix"].as_u64().unwrap() as usize;
        // Titles of a term's documents, from its shard's own metadata table
        // (every document here is among its terms' first ten) and, to
        // check that both agree, from the metadata chunk.
        let lookup = |term: &str| -> Vec<String> {
            let n = &manifest["shards"][shard_key(term, prefix)];
            let shard: serde_json::Value =
                serde_json::from_slice(&read(&format!("search/s/{}.json", n.as_str().unwrap())))
                    .unwrap();
            let chunk: Vec<[String; 4]> = serde_json::from_slice(&read("search/d/0.json")).unwrap();
            let table: BTreeMap<u64, Vec<String>> = shard["d"]
                .as_array()
                .unwrap()
                .iter()
                .map(|row| {
                    let row = row.as_array().unwrap();
                    let strings = row[1..].iter().map(|v| v.as_str().unwrap().to_owned());
                    (row[0].as_u64().unwrap(), strings.collect())
                })
                .collect();
            let mut doc = 0;
            shard["t"][term]
                .as_array()
                .unwrap()
                .chunks(2)
                .map(|p| {
                    doc += p[0].as_u64().unwrap();
                    assert_eq!(table[&doc], chunk[doc as usize]);
                    table[&doc][0].clone()
                })
                .collect()
        };
        // Doc ids count from the oldest briefing.
        assert_eq!(
            lookup("muscat"),
            ["Muscat talks resume", "Oman hosts envoys"]
        );
        assert_eq!(lookup("insurers"), ["Tanker rates climb"]);
        // Deterministic: a second build writes the same bytes.
        let shard = format!("search/s/{}.json", shard_stem(shard_key("muscat", prefix)));
        let files = ["search/index.json", shard.as_str(), "search/d/0.json"];
        let first = files.map(read);
        let (_, read_again) = build();
        assert_eq!(first, files.map(read_again));
    }

    /// A shard carries the metadata of each term's ten best documents and
    /// of every document with the term in its title, and no others.
    /// A warm build takes unchanged briefings' terms from the cache
    /// (`search.bin`): whatever an editor changes without touching the
    /// body (tags, a summary, the title), its index is a cold build's.
    #[test]
    fn a_warm_index_with_front_matter_edits_is_a_cold_ones() {
        let (dir, options) = site(&three_briefings()[..2]);
        let root = dir.path();
        let index_files = |out: &std::path::Path| -> BTreeMap<String, Vec<u8>> {
            walkdir::WalkDir::new(out.join("search"))
                .into_iter()
                .map(|e| e.unwrap())
                .filter(|e| e.file_type().is_file())
                .map(|e| {
                    let rel = e.path().strip_prefix(out).unwrap().display().to_string();
                    (rel, std::fs::read(e.path()).unwrap())
                })
                .collect()
        };
        let front = "+++\ntitle = \"Tanker rates climb\"\ndate = 2026-01-02T10:00:00Z\n";
        let body = "+++\n\nInsurers cite the Red Sea.\n";
        let tagged = format!("{front}tags = [\"zanzibar\"]\n");
        let summary = |second: &str| {
            format!("{tagged}summary = [\"Insurers cite the Red Sea.\", \"{second}\"]\n{body}")
        };
        let edits = [
            format!("{tagged}{body}"),
            summary("Quoted premiums doubled."),
            // The second sentence only: the bottom line stays.
            summary("Brokers expect calmer seas."),
            summary("Brokers expect calmer seas.").replace("Tanker", "Freight"),
        ];
        crate::build(root, &options).unwrap_or_else(|_| panic!("build failed"));
        for (step, text) in edits.iter().enumerate() {
            std::fs::write(root.join("content/briefings/2026-01-02-b.md"), text).unwrap();
            crate::build(root, &options).unwrap_or_else(|_| panic!("warm build failed"));
            let cold = tempfile::tempdir().unwrap();
            std::fs::write(
                cold.path().join("site.toml"),
                std::fs::read(root.join("site.toml")).unwrap(),
            )
            .unwrap();
            let briefings = cold.path().join("content/briefings");
            std::fs::create_dir_all(&briefings).unwrap();
            for e in std::fs::read_dir(root.join("content/briefings")).unwrap() {
                let e = e.unwrap();
                std::fs::copy(e.path(), briefings.join(e.file_name())).unwrap();
            }
            let cold_options = crate::BuildOptions {
                output: Some(cold.path().join("out")),
                ..options.clone()
            };
            crate::build(cold.path(), &cold_options)
                .unwrap_or_else(|_| panic!("cold build failed"));
            assert_eq!(
                index_files(&options.output.clone().unwrap()),
                index_files(&cold.path().join("out")),
                "edit {step}"
            );
        }
        assert!(root.join(".briefing-cache/search.bin").exists());
    }

    #[test]
    fn shards_carry_metadata_of_best_and_title_documents() {
        // 12 briefings say "harbour" in title and body, one only in its
        // title (13th best), one only in its body (14th best).
        let mut docs: Vec<(String, String, String)> = (1..=12)
            .map(|i| {
                (
                    format!("2026-01-{i:02}-h{i}"),
                    format!("Harbour story {i}"),
                    "The harbour reopened. Harbour fees rose at the harbour.".to_owned(),
                )
            })
            .collect();
        docs.push((
            "2026-02-01-t".into(),
            "Harbour dues".into(),
            "Fees rose.".into(),
        ));
        docs.push((
            "2026-02-02-b".into(),
            "Port dues".into(),
            "A harbour closed.".into(),
        ));
        let (dir, options) = site(&docs);
        if let Err(e) = crate::build(dir.path(), &options) {
            panic!("build failed: {e:?}");
        }
        let out = options.output.unwrap();
        let read = |p: &str| -> serde_json::Value {
            serde_json::from_slice(&std::fs::read(out.join(p)).unwrap()).unwrap()
        };
        let manifest = read("search/index.json");
        let prefix = manifest["prefix"].as_u64().unwrap() as usize;
        let n = &manifest["shards"][shard_key("harbour", prefix)];
        let shard = read(&format!("search/s/{}.json", n.as_str().unwrap()));
        let titles: Vec<&str> = shard["d"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row[1].as_str().unwrap())
            .collect();
        assert_eq!(shard["t"]["harbour"].as_array().unwrap().len(), 2 * 14);
        assert_eq!(titles.len(), 13, "{titles:?}");
        assert!(titles.contains(&"Harbour dues"));
        assert!(!titles.contains(&"Port dues"));
    }

    /// Publishing a newer briefing leaves the files its words are not in
    /// as they were: the earlier metadata chunks and the shards of other
    /// keys (same names, same bytes). The analysis is fixed in front matter,
    /// so that the new briefing cannot move the others' key issues.
    #[test]
    fn a_new_briefing_changes_only_the_files_with_its_words() {
        let (dir, options) = site(&[]);
        let briefings = dir.path().join("content/briefings");
        let write = |slug: &str, title: &str, body: &str| {
            let front = format!(
                "title = \"{title}\"\ndate = {}T10:00:00Z\nbottom_line = \"{body}\"\n\
                 summary = [\"{body}\"]\nkey_issues = []\nentities = []\n",
                &slug[..10]
            );
            std::fs::write(
                briefings.join(format!("{slug}.md")),
                format!("+++\n{front}+++\n\n{body}\n"),
            )
            .unwrap();
        };
        for i in 0..45 {
            write(
                &format!("2026-01-{:02}-d{i}", 1 + i % 28),
                &format!("Harbour story {i}"),
                &format!("The harbour reopened after repairs number {i}. Fees rose."),
            );
        }
        let out = options.output.clone().unwrap();
        let snapshot = || -> BTreeMap<String, Vec<u8>> {
            let mut files = BTreeMap::new();
            for sub in ["s", "d"] {
                for entry in std::fs::read_dir(out.join("search").join(sub)).unwrap() {
                    let path = entry.unwrap().path();
                    let name = format!("{sub}/{}", path.file_name().unwrap().to_string_lossy());
                    files.insert(name, std::fs::read(&path).unwrap());
                }
            }
            files
        };
        crate::build(dir.path(), &options).unwrap_or_else(|_| panic!("build failed"));
        let before = snapshot();
        write("2026-03-01-new", "Zebra crossing", "Quokka wombat.");
        crate::build(dir.path(), &options).unwrap_or_else(|_| panic!("build failed"));
        let after = snapshot();
        let changed: Vec<&String> = after
            .iter()
            .filter(|(name, bytes)| before.get(*name) != Some(*bytes))
            .map(|(name, _)| name)
            .collect();
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("search/index.json")).unwrap()).unwrap();
        let prefix = manifest["prefix"].as_u64().unwrap() as usize;
        // 45 documents before: chunks 0-2, the last one gaining document 45.
        assert!(before.contains_key("d/2.json") && !before.contains_key("d/3.json"));
        let mut expected: Vec<String> = ["zebra", "crossing", "quokka", "wombat"]
            .iter()
            .map(|t| format!("s/{}.json", shard_stem(shard_key(t, prefix))))
            .chain(["d/2.json".to_string()])
            .collect();
        expected.sort();
        expected.dedup();
        assert_eq!(changed, expected.iter().collect::<Vec<_>>());
        assert!(after.len() > changed.len() + 3, "{after:?}");
    }

    #[test]
    fn shard_file_names_are_the_keys_made_safe() {
        assert_eq!(shard_stem("oman"), "oman");
        assert_eq!(shard_stem("ōman"), "_14d_man");
        assert_eq!(shard_stem("2026"), "2026");
        assert_eq!(shard_stem("con"), "con_");
        assert_eq!(shard_stem("com1"), "com1_");
        assert_eq!(shard_stem("coma"), "coma");
        assert_ne!(shard_stem("_14d_"), shard_stem("ō"));
    }

    #[test]
    fn shard_keys_count_characters_not_bytes() {
        assert_eq!(shard_key("ōman", 2), "ōm");
        assert_eq!(shard_key("ab", 3), "ab");
    }
}
