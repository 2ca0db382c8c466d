//! Corpus statistics: how many documents of the site use each term, so that
//! phrases that appear everywhere weigh less (inverse document frequency,
//! Sparck Jones 1972).

use std::collections::HashMap;

use super::tokens::{normalize, word_spans};
use super::Document;

/// Fewer documents than this and the frequencies say nothing: the analysis
/// falls back on its built-in prior (stop and weak word lists).
pub const MIN_DOCUMENTS: usize = 3;

#[derive(Debug, Clone, Default)]
pub struct CorpusStats {
    /// Number of documents counted.
    pub documents: usize,
    /// Lower-cased word (possessive dropped, typographic apostrophes made
    /// plain, as the analysis tokenises) -> number of documents containing it.
    pub document_frequency: HashMap<String, u32>,
}

impl CorpusStats {
    /// One pass over each document's words; linear in the corpus size.
    pub fn from_documents(docs: &[Document]) -> CorpusStats {
        let mut stats = CorpusStats::default();
        let mut seen: Vec<String> = Vec::new();
        for doc in docs {
            stats.documents += 1;
            seen.clear();
            for source in [doc.title.unwrap_or(""), doc.text] {
                for w in word_spans(source) {
                    seen.push(normalize(&source[w.start..w.end]));
                }
            }
            seen.sort_unstable();
            seen.dedup();
            for word in seen.drain(..) {
                *stats.document_frequency.entry(word).or_insert(0) += 1;
            }
        }
        stats
    }

    /// Smoothed inverse document frequency of a lower-cased word, as in
    /// scikit-learn's TfidfVectorizer: ln((1 + N) / (1 + df)) + 1. `None` when
    /// the corpus is too small to say anything.
    pub fn idf(&self, lower: &str) -> Option<f64> {
        if self.documents < MIN_DOCUMENTS {
            return None;
        }
        let df = self.document_frequency.get(lower).copied().unwrap_or(0) as f64;
        Some(((1.0 + self.documents as f64) / (1.0 + df)).ln() + 1.0)
    }
}
