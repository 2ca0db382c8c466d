//! Corpus statistics: how many documents of the site use each term, so that
//! phrases that appear everywhere weigh less (inverse document frequency,
//! Sparck Jones 1972).

use std::borrow::Cow;
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
    /// One pass over each document's words; linear in the corpus size. Words
    /// already in normal form (most of them) are borrowed, not copied, and a
    /// word is allocated only the first time the corpus sees it.
    pub fn from_documents(docs: &[Document]) -> CorpusStats {
        let mut stats = CorpusStats::default();
        let mut seen: Vec<Cow<str>> = Vec::new();
        for doc in docs {
            stats.documents += 1;
            seen.clear();
            for source in [doc.title.unwrap_or(""), doc.text] {
                for w in word_spans(source) {
                    let surface = &source[w.start..w.end];
                    if surface.chars().any(|c| c.is_uppercase() || c == '’') {
                        seen.push(Cow::Owned(normalize(surface)));
                    } else {
                        seen.push(Cow::Borrowed(surface));
                    }
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
