//! Corpus statistics: how many documents of the site use each term, so that
//! phrases that appear everywhere weigh less (inverse document frequency).

use std::collections::HashMap;

use super::Document;

#[derive(Debug, Clone, Default)]
pub struct CorpusStats {
    /// Number of documents counted.
    pub documents: usize,
    /// Lower-cased word -> number of documents containing it.
    pub document_frequency: HashMap<String, u32>,
}

impl CorpusStats {
    pub fn from_documents(docs: &[Document]) -> CorpusStats {
        let mut stats = CorpusStats::default();
        for doc in docs {
            stats.documents += 1;
            let mut seen: Vec<String> = doc
                .text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(|w| w.to_lowercase())
                .collect();
            seen.sort();
            seen.dedup();
            for word in seen {
                *stats.document_frequency.entry(word).or_insert(0) += 1;
            }
        }
        stats
    }
}
