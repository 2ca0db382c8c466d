//! Corpus statistics: how many documents of the site use each term, so that
//! phrases that appear everywhere weigh less (inverse document frequency,
//! Sparck Jones 1972), and how many use each short phrase as a unit, so that
//! the site's own terms ("uranium enrichment", "sanctions relief") can be
//! told from chance neighbours ("significant attempt").

use std::borrow::Cow;

use super::stopwords::is_stop;
use super::tokens::{normalize, word_spans};
use super::Document;
use crate::fast_hash::FastMap;

/// Fewer documents than this and the frequencies say nothing: the analysis
/// falls back on its built-in prior (stop and weak word lists).
pub const MIN_DOCUMENTS: usize = 3;

/// A document frequency kept to its 3 highest bits: exact below 8, then
/// within 12-25 % (an IDF within 0.29). The analysis reads frequencies only
/// through this, so an edit that moves a word's count by one changes what
/// other briefings' analyses depend on only when it crosses a step: `serve`
/// re-analyses a few briefings per such word instead of every briefing
/// that uses it, and their key issues stop shifting with unrelated edits.
/// Three bits, not five: on the quality harness' dev split the key-issue
/// and related scores are the same to the third decimal, and a paragraph
/// added to one of 10,000 briefings re-analyses 5-183 of them, not
/// 39-1,861 (bench/SERVE.md).
pub fn quantized_df(df: u32) -> u32 {
    const KEPT_BITS: u32 = 3;
    let bits = u32::BITS - df.leading_zeros();
    if bits <= KEPT_BITS {
        return df;
    }
    let dropped = bits - KEPT_BITS;
    (df >> dropped) << dropped
}

/// Is a word counted? Only words with a letter: the analysis weighs and
/// looks up no other (see `key_issues::usable`).
pub fn counted(word: &str) -> bool {
    word.chars().any(char::is_alphabetic)
}

/// A term's identity in the corpus tables: the 64-bit XXH3 hash of its
/// text. A site has a few million distinct terms (words and phrases), so
/// the chance that two share a hash is about one in a million million;
/// counting hashes instead of strings spares an allocation per phrase per
/// document, and the per-document term lists the analysis cache keeps are
/// an eighth of the size.
pub fn term_hash(term: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(term.as_bytes())
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CorpusStats {
    /// Number of documents counted.
    pub documents: usize,
    /// Term hash ([`term_hash`]) -> number of documents containing it. A
    /// term is a lower-cased word (possessive dropped, typographic
    /// apostrophes made plain, as the analysis tokenises) or a phrase of 2
    /// to [`MAX_PHRASE_WORDS`] such words joined by single spaces, with no
    /// stop word and no punctuation inside: the shape of a key-issue
    /// candidate. Words never contain a space, so the two kinds cannot
    /// collide, and whatever handles the words of a document (the analysis
    /// cache) handles its phrases the same way.
    document_frequency: FastMap<u64, u32>,
}

/// Longest phrase counted, in words (the longest key issue).
pub const MAX_PHRASE_WORDS: usize = 3;

/// The distinct terms of one document (see
/// [`CorpusStats::document_frequency`]) as [`term_hash`]es, sorted.
/// One pass over its words; linear in its length. Words already in normal
/// form (most of them) are borrowed, not copied, and phrases are hashed
/// from one reused buffer.
pub fn document_terms(doc: &Document) -> Vec<u64> {
    let mut terms: Vec<u64> = Vec::new();
    // The current run of content words.
    let mut run: Vec<Cow<str>> = Vec::new();
    let mut phrase = String::new();
    for source in [doc.title.unwrap_or(""), doc.text] {
        // A run ends at a stop word or punctuation only: the analysis
        // breaks its runs there too and more often (sentence ends,
        // numbers), so every phrase it looks up in a document is one of
        // that document's counted terms, as the analysis cache requires.
        run.clear();
        for w in word_spans(source) {
            let surface = &source[w.start..w.end];
            let word = if surface.chars().any(|c| c.is_uppercase() || c == '’') {
                Cow::Owned(normalize(surface))
            } else {
                Cow::Borrowed(surface)
            };
            if w.break_before {
                run.clear();
            }
            if !counted(&word) {
                // Never a key-issue word, so never looked up: not counted,
                // and it ends a run as it ends the analysis's. Counting "4"
                // or "2025" would tie every briefing with a number to
                // every edit that moves that number's frequency.
                run.clear();
                continue;
            }
            terms.push(term_hash(&word));
            if is_stop(&word) {
                run.clear();
                continue;
            }
            // Phrases ending with this word.
            for n in 2..=MAX_PHRASE_WORDS.min(run.len() + 1) {
                phrase.clear();
                for part in &run[run.len() + 1 - n..] {
                    phrase.push_str(part);
                    phrase.push(' ');
                }
                phrase.push_str(&word);
                terms.push(term_hash(&phrase));
            }
            run.push(word);
        }
    }
    terms.sort_unstable();
    terms.dedup();
    // A build holds every document's terms at once, and most pushes were
    // repeats: an exact copy, not the grown buffer (a shrinking realloc
    // may keep the block).
    terms.as_slice().to_vec()
}

impl CorpusStats {
    /// Counts every document's terms ([`document_terms`]).
    pub fn from_documents(docs: &[Document]) -> CorpusStats {
        let mut stats = CorpusStats::default();
        for doc in docs {
            stats.add(&document_terms(doc), 1);
        }
        stats
    }

    /// Counts `times` more documents with these distinct terms.
    pub fn add(&mut self, terms: &[u64], times: u32) {
        self.documents += times as usize;
        for t in terms {
            *self.document_frequency.entry(*t).or_insert(0) += times;
        }
    }

    /// Moves the count of a term by `delta` (at least zero), returning it
    /// before and after. The document count is the caller's to keep.
    pub fn shift(&mut self, term: u64, delta: i64) -> (u32, u32) {
        let entry = self.document_frequency.entry(term).or_insert(0);
        let before = *entry;
        *entry = (before as i64 + delta).max(0) as u32;
        let after = *entry;
        if after == 0 {
            self.document_frequency.remove(&term);
        }
        (before, after)
    }

    /// Number of documents containing a term (a word or a phrase, see
    /// [`CorpusStats::document_frequency`]), as the analysis sees it:
    /// [`quantized_df`].
    pub fn df(&self, term: &str) -> u32 {
        self.df_of(term_hash(term))
    }

    /// [`CorpusStats::df`] by hash.
    pub fn df_of(&self, term: u64) -> u32 {
        quantized_df(self.frequency(term))
    }

    /// The exact count of documents with this term hash.
    pub fn frequency(&self, term: u64) -> u32 {
        self.document_frequency.get(&term).copied().unwrap_or(0)
    }

    /// Every counted term hash (no order).
    pub fn term_hashes(&self) -> impl Iterator<Item = u64> + '_ {
        self.document_frequency.keys().copied()
    }

    /// The number of documents as the analysis sees it: like the
    /// frequencies, kept to its 3 highest bits ([`quantized_df`]). Every
    /// analysis depends on it, so with the exact count each briefing
    /// published made every other one be analysed again (a warm build
    /// after adding one briefing to 10,000 took as long as a cold one);
    /// quantized, that happens once per step (every 1,024th briefing
    /// between 8,192 and 16,383), and the IDF moves by at most 0.22 for it.
    pub fn documents_seen(&self) -> usize {
        quantized_df(self.documents.min(u32::MAX as usize) as u32) as usize
    }

    /// Smoothed inverse document frequency of a lower-cased word, as in
    /// scikit-learn's TfidfVectorizer: ln((1 + N) / (1 + df)) + 1, N being
    /// [`CorpusStats::documents_seen`]. `None` when the corpus is too small
    /// to say anything.
    pub fn idf(&self, lower: &str) -> Option<f64> {
        if self.documents < MIN_DOCUMENTS {
            return None;
        }
        let df = self.df(lower) as f64;
        Some(((1.0 + self.documents_seen() as f64) / (1.0 + df)).ln() + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequencies_keep_three_significant_bits() {
        assert_eq!(quantized_df(0), 0);
        assert_eq!(quantized_df(7), 7);
        assert_eq!(quantized_df(8), 8);
        assert_eq!(quantized_df(9), 8);
        assert_eq!(quantized_df(15), 14);
        assert_eq!(quantized_df(19), 16);
        assert_eq!(quantized_df(20), 20);
        assert_eq!(quantized_df(39), 32);
        assert_eq!(quantized_df(40), 40);
        assert_eq!(quantized_df(1000), 896);
        assert_eq!(quantized_df(1023), 896);
        assert_eq!(quantized_df(1024), 1024);
        for df in 1..5000u32 {
            let q = quantized_df(df);
            assert!(q <= df && (df - q) * 4 < df, "{df} -> {q}");
        }
    }

    #[test]
    fn counts_documents_not_occurrences() {
        let docs = [
            Document {
                title: Some("Port news"),
                text: "The port reopened. The Port’s cranes work.",
            },
            Document {
                title: None,
                text: "Cranes and more cranes.",
            },
        ];
        let c = CorpusStats::from_documents(&docs);
        assert_eq!(c.documents, 2);
        assert_eq!(c.frequency(term_hash("port")), 1);
        assert_eq!(c.frequency(term_hash("cranes")), 2);
        assert_eq!(c.frequency(term_hash("news")), 1);
        // Too few documents for IDF to mean anything.
        assert_eq!(c.idf("port"), None);
        let many = CorpusStats::from_documents(&[docs[0], docs[1], docs[1], docs[1]]);
        assert!(many.idf("port").unwrap() > many.idf("cranes").unwrap());
    }

    #[test]
    fn words_without_a_letter_are_not_counted_and_end_phrases() {
        let docs = [Document {
            title: None,
            text: "Revision 4 of the 2025 budget: 3.5% growth, G7 talks.",
        }];
        let c = CorpusStats::from_documents(&docs);
        assert_eq!(c.frequency(term_hash("4")), 0);
        assert_eq!(c.frequency(term_hash("2025")), 0);
        assert_eq!(c.frequency(term_hash("revision 4")), 0);
        assert_eq!(c.df("revision"), 1);
        assert_eq!(c.df("g7 talks"), 1);
        assert_eq!(c.df("growth"), 1);
    }

    #[test]
    fn counts_phrases_within_runs_of_content_words() {
        let docs = [
            Document {
                title: Some("Uranium enrichment talks"),
                text: "Iran’s uranium enrichment resumed. Uranium, enrichment and \
                       the talks.\n\nNew uranium",
            },
            Document {
                title: None,
                text: "Limits on uranium enrichment levels.",
            },
        ];
        let c = CorpusStats::from_documents(&docs);
        assert_eq!(c.df("uranium enrichment"), 2);
        assert_eq!(c.df("uranium enrichment talks"), 1);
        assert_eq!(c.df("enrichment talks"), 1);
        assert_eq!(c.df("uranium enrichment levels"), 1);
        // Not across punctuation, a stop word or a possessive.
        assert_eq!(c.df("enrichment resumed uranium"), 0);
        assert_eq!(c.df("resumed uranium"), 0);
        assert_eq!(c.df("talks new"), 0);
        assert_eq!(c.df("enrichment the"), 0);
        assert_eq!(c.df("iran uranium"), 0);
        assert_eq!(c.df("new uranium"), 1);
        assert_eq!(c.df("on uranium"), 0);
        // Nor longer than three words.
        assert_eq!(c.df("limits"), 1);
        assert_eq!(c.df("uranium enrichment levels limits"), 0);
    }
}
