//! Text analysis: summary, bottom line, key issues, entities and a derived title,
//! computed from a briefing's plain text.
//!
//! Architecture invariant: everything here is pure. No file, no clock, no
//! template, no global state: the same text and options give the same result,
//! which is what makes caching, parallelism and byte-identical output possible.

mod corpus;
mod sentences;

pub use corpus::CorpusStats;
pub use sentences::split_sentences;

use serde::{Deserialize, Serialize};

/// What the analysis of one briefing is asked to produce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisOptions {
    /// Number of summary sentences (k).
    pub summary_sentences: usize,
    /// Number of key issues (N).
    pub key_issues: usize,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            summary_sentences: 3,
            key_issues: 5,
        }
    }
}

/// One document as the analysis sees it: an optional title and plain text
/// whose paragraphs are separated by blank lines (Markdown already stripped).
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    pub title: Option<&'a str>,
    pub text: &'a str,
}

/// The result of analysing one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Analysis {
    /// A headline-like title derived from the text, when the document has none.
    pub derived_title: Option<String>,
    /// The single most informative sentence.
    pub bottom_line: String,
    /// Summary sentences, in document order, as they appear in the text.
    pub summary: Vec<String>,
    pub key_issues: Vec<KeyIssue>,
    pub entities: Vec<Entity>,
}

/// A topic the document is about, with the sentence that best states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyIssue {
    pub label: String,
    pub score: f64,
    pub evidence: String,
}

/// A named person, place, organisation or group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    pub name: String,
    pub kind: EntityKind,
    pub mentions: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Place,
    Organization,
    Group,
    Other,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Place => "place",
            EntityKind::Organization => "organization",
            EntityKind::Group => "group",
            EntityKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<EntityKind> {
        Some(match s {
            "person" => EntityKind::Person,
            "place" => EntityKind::Place,
            "organization" | "organisation" => EntityKind::Organization,
            "group" => EntityKind::Group,
            "other" => EntityKind::Other,
            _ => return None,
        })
    }
}

/// Editor-supplied name merges (site.toml `[aliases]`): variant -> canonical name.
pub type Aliases = std::collections::BTreeMap<String, String>;

/// Analyse one document. `corpus` holds document frequencies of the whole
/// site (or [`CorpusStats::default`] when the document is analysed alone).
///
/// First implementation: the lead sentences as summary, the first as bottom
/// line; key issues and entities are left to the front matter's tags.
pub fn analyze(
    doc: &Document,
    options: &AnalysisOptions,
    _corpus: &CorpusStats,
    _aliases: &Aliases,
) -> Analysis {
    let sentences = split_sentences(doc.text);
    let summary: Vec<String> = sentences
        .iter()
        .take(options.summary_sentences)
        .map(|s| s.to_string())
        .collect();
    Analysis {
        derived_title: None,
        bottom_line: summary.first().cloned().unwrap_or_default(),
        summary,
        key_issues: Vec::new(),
        entities: Vec::new(),
    }
}
