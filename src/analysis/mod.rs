//! Text analysis: summary, bottom line, key issues, entities and a derived title,
//! computed from a briefing's plain text.
//!
//! Architecture invariant: everything here is pure. No file, no clock, no
//! template, no global state: the same text and options give the same result,
//! which is what makes caching, parallelism and byte-identical output possible.
//! `analyze` takes shared references only and keeps its state on the stack, so
//! it can run on many documents in parallel (`Analysis`, `CorpusStats` are
//! `Send + Sync`).
//!
//! Pipeline (one file per stage):
//! * `title`: a headline first line becomes the title, else one is derived;
//! * `sentences`: news-aware sentence segmentation;
//! * `tokens`: words, interned and stemmed per document;
//! * `summary`: TextRank centrality + lead prior + MMR selection;
//! * `key_issues`: RAKE-style candidates scored by TF-IDF and position;
//! * `entities` with `gazetteer`: capitalisation, gazetteer, cues, aliases;
//! * `corpus`: document frequencies of a whole site;
//! * `stopwords`: the word lists.

pub(crate) mod corpus;
mod entities;
mod gazetteer;
mod key_issues;
mod pos;
mod sentences;
mod stopwords;
mod summary;
mod title;
mod tokens;

pub use corpus::{document_terms, quantized_df, term_hash, CorpusStats};
pub use sentences::split_sentences;
pub use title::{derive_title, TitleGuess};

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
/// When the document has no title, one is derived ([`derive_title`]); if the
/// text's first line is a headline, that line is the title and is not
/// analysed as body text.
pub fn analyze(
    doc: &Document,
    options: &AnalysisOptions,
    corpus: &CorpusStats,
    aliases: &Aliases,
) -> Analysis {
    let mut text = doc.text;
    let mut title = doc.title;
    let mut derived_title = None;
    let guess;
    if title.is_none() {
        guess = derive_title(text);
        if guess.from_first_line {
            text = &text[guess.body_start..];
            title = Some(guess.title.as_str());
        }
        derived_title = Some(guess.title.clone());
    }
    let prepared = tokens::Prepared::new(text, title);
    let ranked = summary::rank(&prepared);
    let summary = summary::select(&ranked, options.summary_sentences)
        .into_iter()
        .map(|i| prepared.sentences[i].text.to_string())
        .collect();
    let bottom_line = summary::bottom_line(&ranked)
        .map(|i| prepared.sentences[i].text.to_string())
        .unwrap_or_default();
    Analysis {
        derived_title,
        bottom_line,
        summary,
        key_issues: key_issues::extract(&prepared, corpus, options.key_issues),
        entities: entities::extract(&prepared, aliases),
    }
}
