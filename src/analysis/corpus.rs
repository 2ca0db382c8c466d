//! Corpus statistics: how many documents of the site use each term, so that
//! phrases that appear everywhere weigh less (inverse document frequency,
//! Sparck Jones 1972), and how many use each short phrase as a unit, so that
//! the site's own terms ("uranium enrichment", "sanctions relief") can be
//! told from chance neighbours ("significant attempt").

use std::borrow::Cow;
use std::collections::HashMap;

use super::stopwords::is_stop;
use super::tokens::{normalize, word_spans};
use super::Document;

/// Fewer documents than this and the frequencies say nothing: the analysis
/// falls back on its built-in prior (stop and weak word lists).
pub const MIN_DOCUMENTS: usize = 3;

/// A document frequency kept to its 5 highest bits: exact below 32, then
/// within 3-6 % (an IDF within 0.06). The analysis reads frequencies only
/// through this, so an edit that moves a common word's count by one
/// changes what other briefings' analyses depend on only when it crosses
/// a step: `serve` re-analyses a few dozen briefings per such word instead
/// of every briefing that uses it, and their key issues stop shifting with
/// unrelated edits.
pub fn quantized_df(df: u32) -> u32 {
    const KEPT_BITS: u32 = 5;
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

#[derive(Debug, Clone, Default)]
pub struct CorpusStats {
    /// Number of documents counted.
    pub documents: usize,
    /// Term -> number of documents containing it. A term is a lower-cased
    /// word (possessive dropped, typographic apostrophes made plain, as the
    /// analysis tokenises) or a phrase of 2 to [`MAX_PHRASE_WORDS`] such
    /// words joined by single spaces, with no stop word and no punctuation
    /// inside: the shape of a key-issue candidate.
    /// Words never contain a space, so the two kinds cannot collide, and
    /// whatever handles the words of a document (the analysis cache)
    /// handles its phrases the same way.
    pub document_frequency: HashMap<String, u32>,
}

/// Longest phrase counted, in words (the longest key issue).
pub const MAX_PHRASE_WORDS: usize = 3;

impl CorpusStats {
    /// One pass over each document's words; linear in the corpus size. Words
    /// already in normal form (most of them) are borrowed, not copied, and a
    /// word is allocated only the first time the corpus sees it.
    pub fn from_documents(docs: &[Document]) -> CorpusStats {
        let mut stats = CorpusStats::default();
        let mut seen: Vec<Cow<str>> = Vec::new();
        let mut phrases: Vec<String> = Vec::new();
        for doc in docs {
            stats.documents += 1;
            seen.clear();
            for source in [doc.title.unwrap_or(""), doc.text] {
                // Index in `seen` where the current run of non-stop words
                // starts. A run ends at a stop word or punctuation only:
                // the analysis breaks its runs there too and more often
                // (sentence ends, numbers), so every phrase it looks up in
                // a document is one of that document's counted terms, as
                // the analysis cache requires.
                let mut run_start = seen.len();
                for w in word_spans(source) {
                    let surface = &source[w.start..w.end];
                    let word = if surface.chars().any(|c| c.is_uppercase() || c == '’') {
                        Cow::Owned(normalize(surface))
                    } else {
                        Cow::Borrowed(surface)
                    };
                    if w.break_before {
                        run_start = seen.len();
                    }
                    if !counted(&word) {
                        // Never a key-issue word, so never looked up: not
                        // counted, and it ends a run as it ends the
                        // analysis's. Counting "4" or "2025" would tie
                        // every briefing with a number to every edit
                        // that moves that number's frequency.
                        run_start = seen.len();
                        continue;
                    }
                    if is_stop(&word) {
                        seen.push(word);
                        run_start = seen.len();
                        continue;
                    }
                    // Phrases ending with this word, longest first.
                    let here = seen.len();
                    for n in (2..=MAX_PHRASE_WORDS).rev() {
                        if here + 1 >= run_start + n {
                            let mut phrase = String::new();
                            for part in &seen[here + 1 - n..here] {
                                phrase.push_str(part);
                                phrase.push(' ');
                            }
                            phrase.push_str(&word);
                            phrases.push(phrase);
                        }
                    }
                    seen.push(word);
                }
            }
            seen.extend(phrases.drain(..).map(Cow::Owned));
            seen.sort_unstable();
            seen.dedup();
            for word in seen.drain(..) {
                match stats.document_frequency.get_mut(word.as_ref()) {
                    Some(n) => *n += 1,
                    None => {
                        stats.document_frequency.insert(word.into_owned(), 1);
                    }
                }
            }
        }
        stats
    }

    /// Number of documents containing a term (a word or a phrase, see
    /// [`CorpusStats::document_frequency`]), as the analysis sees it:
    /// [`quantized_df`].
    pub fn df(&self, term: &str) -> u32 {
        quantized_df(self.document_frequency.get(term).copied().unwrap_or(0))
    }

    /// Smoothed inverse document frequency of a lower-cased word, as in
    /// scikit-learn's TfidfVectorizer: ln((1 + N) / (1 + df)) + 1. `None` when
    /// the corpus is too small to say anything.
    pub fn idf(&self, lower: &str) -> Option<f64> {
        if self.documents < MIN_DOCUMENTS {
            return None;
        }
        let df = self.df(lower) as f64;
        Some(((1.0 + self.documents as f64) / (1.0 + df)).ln() + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequencies_keep_five_significant_bits() {
        assert_eq!(quantized_df(0), 0);
        assert_eq!(quantized_df(31), 31);
        assert_eq!(quantized_df(32), 32);
        assert_eq!(quantized_df(33), 32);
        assert_eq!(quantized_df(34), 34);
        assert_eq!(quantized_df(1000), 992);
        assert_eq!(quantized_df(1023), 992);
        assert_eq!(quantized_df(1024), 1024);
        for df in 1..5000u32 {
            let q = quantized_df(df);
            assert!(
                q <= df && (df - q) as f64 <= df as f64 / 16.0,
                "{df} -> {q}"
            );
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
        assert_eq!(c.document_frequency["port"], 1);
        assert_eq!(c.document_frequency["cranes"], 2);
        assert_eq!(c.document_frequency["news"], 1);
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
        assert_eq!(c.document_frequency.get("4"), None);
        assert_eq!(c.document_frequency.get("2025"), None);
        assert_eq!(c.document_frequency.get("revision 4"), None);
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
