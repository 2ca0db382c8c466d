//! The site search index: static JSON files under `search/` that the theme's
//! `search.js` queries in the browser, so search works on any static host.
//!
//! Layout (see docs/search.md for why):
//!
//! Indexed: title, bottom line, key issues and tags, entities, summary, body.
//!
//! - `search/index.json`: the manifest: format version, number of documents,
//!   documents per metadata chunk, the shard prefix length `P`, the stop
//!   words, and the map shard key -> shard number.
//! - `search/s/<n>.json`: one term shard: every term whose first `P`
//!   characters (or whole text, when shorter) are the shard's key, each with
//!   its postings `[doc, weight, doc, weight, ...]`, doc ids delta-encoded.
//! - `search/d/<n>.json`: document metadata in chunks of [`DOC_CHUNK`]:
//!   `[title, url, date, bottom line]` per document.
//!
//! A query loads the manifest, one shard per query term and the metadata
//! chunks of the results it shows: never the whole index.
//!
//! The tokenizer must match `tokenize` in `search.js`: lower case, split on
//! anything that is neither alphabetic nor numeric, drop one-character tokens
//! and stop words.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::linking::SiteModel;
use crate::output::OutputFile;
use crate::render::views::BriefingCard;

/// Format version of the index, checked by `search.js`.
pub const INDEX_VERSION: u32 = 1;
/// Documents per metadata chunk.
pub const DOC_CHUNK: usize = 20;
/// The shard prefix length grows until the largest shard is about this big
/// (estimated uncompressed JSON bytes; about a quarter of that gzipped), up to [`MAX_PREFIX`].
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
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .filter(|w| w.chars().count() > 1 && !STOP_WORDS.contains(&w.as_str()))
        .collect()
}

/// The shard a term lives in: its first `prefix` characters.
fn shard_key(term: &str, prefix: usize) -> &str {
    match term.char_indices().nth(prefix) {
        Some((i, _)) => &term[..i],
        None => term,
    }
}

#[derive(Serialize)]
struct Manifest<'a> {
    v: u32,
    docs: usize,
    chunk: usize,
    prefix: usize,
    stop: &'a [&'a str],
    /// Shard key -> shard file number.
    shards: BTreeMap<&'a str, usize>,
}

/// The weighted terms of one briefing.
fn doc_terms(model: &SiteModel, i: usize, card: &BriefingCard) -> HashMap<String, f64> {
    let b = &model.briefings[i];
    let mut tf: HashMap<String, [u32; 6]> = HashMap::new();
    let mut add = |text: &str, field: usize| {
        for t in tokenize(text) {
            tf.entry(t).or_insert([0; 6])[field] += 1;
        }
    };
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
    add(&b.text, 5);
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
            (t, score)
        })
        .collect()
}

/// Builds the search index of the site's briefings. `cards[i]` is the card
/// of `model.briefings[i]` (its URL, title and date as the site shows them).
/// Deterministic: the same model gives the same bytes.
pub fn build_index(model: &SiteModel, cards: &[BriefingCard]) -> Vec<OutputFile> {
    // term -> postings (doc, weight), docs ascending.
    let mut postings: BTreeMap<String, Vec<(usize, u32)>> = BTreeMap::new();
    for (i, card) in cards.iter().enumerate().take(model.briefings.len()) {
        for (term, score) in doc_terms(model, i, card) {
            // Integer weights keep the files small and the output stable.
            let w = (score * 2.0).round().clamp(1.0, 999.0) as u32;
            postings.entry(term).or_default().push((i, w));
        }
    }
    for list in postings.values_mut() {
        list.sort_unstable();
    }

    // The shortest prefix whose largest shard stays near the target size.
    let estimate = |term: &str, list: &[(usize, u32)]| term.len() + 6 + list.len() * 6;
    let mut prefix = 1;
    while prefix < MAX_PREFIX {
        let mut sizes: HashMap<&str, usize> = HashMap::new();
        for (term, list) in &postings {
            *sizes.entry(shard_key(term, prefix)).or_default() += estimate(term, list);
        }
        if sizes.values().all(|&s| s <= SHARD_TARGET_BYTES) {
            break;
        }
        prefix += 1;
    }

    let mut shards: BTreeMap<&str, BTreeMap<&str, Vec<u32>>> = BTreeMap::new();
    for (term, list) in &postings {
        let mut flat = Vec::with_capacity(list.len() * 2);
        let mut last = 0;
        for &(doc, w) in list {
            flat.push((doc - last) as u32);
            flat.push(w);
            last = doc;
        }
        shards
            .entry(shard_key(term, prefix))
            .or_default()
            .insert(term, flat);
    }

    let mut files = Vec::new();
    let mut numbers = BTreeMap::new();
    for (n, (key, terms)) in shards.iter().enumerate() {
        numbers.insert(*key, n);
        files.push(json_file(format!("search/s/{n}.json"), terms));
    }
    for (n, chunk) in cards.chunks(DOC_CHUNK).enumerate() {
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
        files.push(json_file(format!("search/d/{n}.json"), &docs));
    }
    let manifest = Manifest {
        v: INDEX_VERSION,
        docs: cards.len(),
        chunk: DOC_CHUNK,
        prefix,
        stop: STOP_WORDS,
        shards: numbers,
    };
    files.push(json_file("search/index.json".into(), &manifest));
    files
}

fn json_file<T: Serialize>(path: String, value: &T) -> OutputFile {
    OutputFile {
        path,
        bytes: serde_json::to_vec(value).expect("search index values serialise"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_lowercases_splits_and_drops_stop_words() {
        assert_eq!(
            tokenize("The U.S. and Iran's talks in Muscat — 2026, Ōman"),
            vec!["iran", "talks", "muscat", "2026", "ōman"]
        );
    }

    /// Builds a small site through the whole pipeline and reads its index
    /// back the way `search.js` does.
    #[test]
    fn built_index_finds_briefings_by_title_and_body_words() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("site.toml"),
            "title = \"T\"\nbase_url = \"https://e.org/\"\n",
        )
        .unwrap();
        let briefings = root.join("content/briefings");
        std::fs::create_dir_all(&briefings).unwrap();
        let docs = [
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
        ];
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
        let out = root.join("out");
        let options = crate::BuildOptions {
            output: Some(out.clone()),
            write: true,
            ..Default::default()
        };
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
        let lookup = |term: &str| -> Vec<String> {
            let n = &manifest["shards"][shard_key(term, prefix)];
            let shard: BTreeMap<String, Vec<u64>> =
                serde_json::from_slice(&read(&format!("search/s/{n}.json"))).unwrap();
            let chunk: Vec<[String; 4]> = serde_json::from_slice(&read("search/d/0.json")).unwrap();
            let mut doc = 0;
            shard[term]
                .chunks(2)
                .map(|p| {
                    doc += p[0] as usize;
                    chunk[doc][0].clone()
                })
                .collect()
        };
        // Newest first: doc 0 is the newest briefing.
        assert_eq!(
            lookup("muscat"),
            ["Oman hosts envoys", "Muscat talks resume"]
        );
        assert_eq!(lookup("insurers"), ["Tanker rates climb"]);
        // Deterministic: a second build writes the same bytes.
        let first = read("search/index.json");
        let (_, read_again) = build();
        assert_eq!(first, read_again("search/index.json"));
    }

    #[test]
    fn shard_keys_count_characters_not_bytes() {
        assert_eq!(shard_key("ōman", 2), "ōm");
        assert_eq!(shard_key("ab", 3), "ab");
    }
}
