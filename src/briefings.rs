//! The analyse stage: every briefing page gets its analysis, with the
//! editor's front-matter values taking precedence over computed ones.
//!
//! Architecture invariant: pure. Pages in, [`Briefing`]s out, in the same
//! order; the only outputs besides them are warnings.

use std::sync::Arc;

use rayon::prelude::*;

use crate::analysis::{
    self, Aliases, Analysis, AnalysisOptions, Document, Entity, EntityKind, KeyIssue,
};
use crate::cache::Caches;
use crate::content::{BodySource, EntityOverride, FrontMatter, KeyIssueOverride, Page, PageKind};
use crate::diagnostics::Diagnostic;

/// A briefing page with its final title and analysis.
#[derive(Debug, Clone)]
pub struct Briefing {
    pub page: Arc<Page>,
    pub title: String,
    /// True when no title was set and one was derived from the text.
    pub title_derived: bool,
    pub analysis: Arc<Analysis>,
    /// The plain text of the body (for search and reading time).
    pub text: Arc<String>,
    /// [`crate::cache::hash_bytes`] of `text`, made once per distinct body:
    /// the stages that key memos by text use it rather than hash 50 MB of
    /// text again on every rebuild of a 10,000-briefing site.
    pub text_hash: u128,
}

impl Briefing {
    /// Replaces the plain text, keeping [`Briefing::text_hash`] in step.
    pub fn set_text(&mut self, text: String) {
        self.text_hash = crate::cache::hash_bytes(text.as_bytes());
        self.text = Arc::new(text);
    }

    /// Lets the plain text go, keeping [`Briefing::text_hash`]: for a
    /// one-off build once its last full reader is done (half a gigabyte at
    /// 100,000 briefings). [`Briefing::plain_text`] derives it again.
    pub fn release_text(&mut self) {
        self.text = Arc::default();
    }

    /// The plain text: held, or derived again from the body if released.
    pub fn plain_text(&self) -> std::borrow::Cow<'_, str> {
        if !self.text.is_empty() {
            return std::borrow::Cow::Borrowed(self.text.as_str());
        }
        match self.page.markdown() {
            body if body.is_empty() => std::borrow::Cow::Borrowed(""),
            body => std::borrow::Cow::Owned(crate::markdown::plain_text(&body)),
        }
    }

    /// Appends to the plain text, keeping [`Briefing::text_hash`] in step.
    pub fn push_text(&mut self, more: &str) {
        let text = format!("{}{more}", self.text);
        self.set_text(text);
    }
}

/// Analyses every briefing among `pages` (others are skipped), as one corpus.
pub fn analyse(
    pages: &[Arc<Page>],
    options: &AnalysisOptions,
    aliases: &Aliases,
) -> (Vec<Briefing>, Vec<Diagnostic>) {
    analyse_cached(
        pages.to_vec(),
        options,
        aliases,
        &mut Caches::in_memory(),
        None,
    )
}

/// [`analyse`], taking analyses from `caches` when the key of a briefing
/// (its text, options and view of the corpus: see [`crate::cache`]) is
/// known, and adding the ones it computes. With `release`, each body a
/// page holds alone is let go once its plain text is made, to be read
/// again from there ([`Page::release_body`]).
pub fn analyse_cached(
    pages: Vec<Arc<Page>>,
    options: &AnalysisOptions,
    aliases: &Aliases,
    caches: &mut Caches,
    release: Option<&Arc<BodySource>>,
) -> (Vec<Briefing>, Vec<Diagnostic>) {
    let mut briefing_pages: Vec<Arc<Page>> = pages
        .into_iter()
        .filter(|p| p.kind == PageKind::Briefing)
        .collect();
    let (texts, text_hashes): (Vec<Arc<String>>, Vec<u128>) =
        caches.plain_texts(&briefing_pages).into_iter().unzip();
    if let Some(source) = release {
        briefing_pages.par_iter_mut().for_each(|p| {
            if let Some(page) = Arc::get_mut(p) {
                page.release_body(source);
            }
        });
    }
    crate::trace::lap("analyse.texts");
    let docs: Vec<Document> = briefing_pages
        .iter()
        .zip(&texts)
        .map(|(p, text)| Document {
            title: p.title.as_deref(),
            text: text.as_str(),
        })
        .collect();
    let page_options: Vec<AnalysisOptions> = briefing_pages
        .iter()
        .map(|page| AnalysisOptions {
            summary_sentences: page
                .front_matter
                .summary_sentences
                .unwrap_or(options.summary_sentences),
            ..options.clone()
        })
        .collect();
    let (keys, corpus) = caches.analysis_keys(&docs, &text_hashes, &page_options, options, aliases);
    crate::trace::lap("analyse.keys");
    let cached: Vec<Option<Arc<Analysis>>> = keys
        .iter()
        .map(|k| caches.analysis.get(*k).cloned())
        .collect();
    // A briefing analysed again only because a word's frequency elsewhere
    // moved a step mostly comes out the same: it then keeps its last
    // analysis, the same Arc, so that the stages after this one, which
    // compare analyses by pointer, see it unchanged and redo nothing for it.
    let previous: Vec<Option<Arc<Analysis>>> = (0..keys.len())
        .map(|i| {
            let old = caches.previous_keys.get(i).copied().flatten()?;
            caches.analysis.peek(old).cloned()
        })
        .collect();
    let computed: Vec<Option<Arc<Analysis>>> = docs
        .par_iter()
        .zip(page_options.par_iter())
        .zip(cached.par_iter().zip(previous.par_iter()))
        .map(|((doc, per_page), (hit, previous))| match hit {
            Some(_) => None,
            None => {
                let fresh = analysis::analyze(doc, per_page, &corpus, aliases);
                Some(match previous {
                    Some(old) if **old == fresh => Arc::clone(old),
                    _ => Arc::new(fresh),
                })
            }
        })
        .collect();
    if crate::trace::enabled() {
        let same = computed
            .iter()
            .zip(&previous)
            .filter(|(c, p)| matches!((c, p), (Some(c), Some(p)) if Arc::ptr_eq(c, p)))
            .count();
        crate::trace::count("analyse.same_as_before", same);
    }
    let analyses: Vec<Arc<Analysis>> = cached
        .into_iter()
        .zip(computed)
        .zip(&keys)
        .map(|((hit, fresh), key)| match (hit, fresh) {
            (Some(a), _) => a,
            (None, Some(a)) => {
                caches.analysis.insert(*key, a.clone());
                a
            }
            (None, None) => unreachable!("every miss is analysed"),
        })
        .collect();
    crate::trace::lap("analyse.analyse");
    let results: Vec<(Briefing, Option<Diagnostic>)> = briefing_pages
        .par_iter()
        .zip(texts.par_iter().zip(&text_hashes))
        .zip(analyses.into_par_iter())
        .map(|((page, (text, hash)), computed)| finish(page, text, *hash, computed))
        .collect();
    let mut briefings = Vec::with_capacity(results.len());
    let mut warnings = Vec::new();
    for (b, w) in results {
        briefings.push(b);
        warnings.extend(w);
    }
    (briefings, warnings)
}

/// Applies front-matter overrides and settles the title.
fn finish(
    page: &Arc<Page>,
    text: &Arc<String>,
    text_hash: u128,
    computed: Arc<Analysis>,
) -> (Briefing, Option<Diagnostic>) {
    let fm = &page.front_matter;
    let overridden = fm.summary.is_some()
        || fm.bottom_line.is_some()
        || fm.key_issues.is_some()
        || fm.entities.is_some();
    // Most briefings keep the computed analysis as it is: shared, not copied.
    let analysis = if overridden {
        Arc::new(apply_overrides(fm, &computed))
    } else {
        computed
    };
    let (title, derived, warning) = match &page.title {
        Some(t) => (t.clone(), false, None),
        None => {
            let title = analysis
                .derived_title
                .clone()
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| page.slug.replace('-', " "));
            let warning = Diagnostic::warning(
                &page.file,
                format!("the briefing has no title; using \"{title}\""),
            )
            .at(1, 1)
            .with_hint("set `title = \"...\"` in the front matter");
            (title, true, Some(warning))
        }
    };
    (
        Briefing {
            page: page.clone(),
            title,
            title_derived: derived,
            analysis,
            text: text.clone(),
            text_hash,
        },
        warning,
    )
}

/// The computed analysis with the editor's front-matter values in place.
fn apply_overrides(fm: &FrontMatter, computed: &Analysis) -> Analysis {
    let mut analysis = computed.clone();
    if let Some(summary) = &fm.summary {
        analysis.summary = summary.clone();
    }
    if let Some(bottom_line) = &fm.bottom_line {
        analysis.bottom_line = bottom_line.clone();
    } else if fm.summary.is_some() {
        analysis.bottom_line = analysis.summary.first().cloned().unwrap_or_default();
    }
    if let Some(issues) = &fm.key_issues {
        analysis.key_issues = issues
            .iter()
            .map(|k| key_issue_override(k, &analysis.key_issues))
            .collect();
    }
    if let Some(entities) = &fm.entities {
        analysis.entities = entities
            .iter()
            .map(|e| entity_override(e, &analysis.entities))
            .collect();
    }
    analysis
}

/// An editor's key issue keeps the computed score and evidence when the
/// label matches one the analysis found.
fn key_issue_override(o: &KeyIssueOverride, computed: &[KeyIssue]) -> KeyIssue {
    let (label, evidence) = match o {
        KeyIssueOverride::Label(l) => (l.clone(), String::new()),
        KeyIssueOverride::Full { label, evidence } => (label.clone(), evidence.clone()),
    };
    let found = computed
        .iter()
        .find(|k| k.label.eq_ignore_ascii_case(&label));
    KeyIssue {
        evidence: if evidence.is_empty() {
            found.map(|k| k.evidence.clone()).unwrap_or_default()
        } else {
            evidence
        },
        score: found.map(|k| k.score).unwrap_or(1.0),
        label,
    }
}

fn entity_override(o: &EntityOverride, computed: &[Entity]) -> Entity {
    let (name, kind) = match o {
        EntityOverride::Name(n) => (n.clone(), None),
        EntityOverride::Full { name, kind } => {
            (name.clone(), kind.as_deref().and_then(EntityKind::parse))
        }
    };
    let found = computed.iter().find(|e| e.name == name);
    Entity {
        kind: kind.or(found.map(|e| e.kind)).unwrap_or(EntityKind::Other),
        mentions: found.map(|e| e.mentions).unwrap_or(1),
        name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn pages(bodies: &[String]) -> Vec<Arc<Page>> {
        bodies
            .iter()
            .enumerate()
            .map(|(i, body)| {
                let date = Utc
                    .with_ymd_and_hms(2026, 1, 1 + i as u32 % 28, 9, 0, 0)
                    .unwrap();
                let mut p =
                    crate::linking::synthetic::page(&format!("briefings/b{i}.md"), date, vec![]);
                p.title = Some(format!("Harbour report {i}"));
                p.body = body.clone();
                Arc::new(p)
            })
            .collect()
    }

    #[test]
    fn a_released_text_is_derived_again_the_same() {
        let bodies = [
            "The *harbour* council met on [Tuesday](https://example.org/).\n\n\
             > Fees rise \"soon\", it said.\n\n- one\n- two's\n"
                .to_string(),
            String::new(),
        ];
        let (mut briefings, _) = analyse(
            &pages(&bodies),
            &AnalysisOptions::default(),
            &Aliases::new(),
        );
        let held: Vec<(String, u128)> = briefings
            .iter()
            .map(|b| (b.text.to_string(), b.text_hash))
            .collect();
        assert!(held[0].0.contains("harbour council"), "{}", held[0].0);
        for b in &mut briefings {
            b.release_text();
        }
        assert!(briefings[0].text.is_empty(), "the text was not let go");
        for (b, (text, hash)) in briefings.iter().zip(&held) {
            assert!(matches!(b.plain_text(), std::borrow::Cow::Owned(_)) || text.is_empty());
            assert_eq!(&*b.plain_text(), text);
            assert_eq!(b.text_hash, *hash);
        }
    }

    #[test]
    fn an_analysis_that_comes_out_the_same_keeps_its_arc() {
        let options = AnalysisOptions::default();
        let aliases = Aliases::new();
        // The last briefing gains "ridge", which 7 others have (exact
        // below 8: every one of them sees a new frequency), and "upon",
        // which the other 39 have (39 counts as 32 at three significant
        // bits, 40 as 40). All are analysed again; "upon" is a stop word
        // no analysis weighs, so the 32 without "ridge" come out the same.
        let mut bodies: Vec<String> = (0..40)
            .map(|i| {
                format!(
                    "The port authority of Velmora said cargo volumes rose {i} percent. \
                     Dock workers in Velmora {} their contract talks on Tuesday.\n\n\
                     Shipping lines expect the new crane{i} to cut waiting times{}.",
                    if i < 7 {
                        "on the ridge resumed"
                    } else {
                        "resumed"
                    },
                    if i < 39 { " upon" } else { "" },
                )
            })
            .collect();
        let mut caches = Caches::in_memory();
        let (before, _) = analyse_cached(pages(&bodies), &options, &aliases, &mut caches, None);
        bodies[39] = bodies[39]
            .replace("resumed", "on the ridge resumed")
            .replace("times.", "times upon.");
        let (after, _) = analyse_cached(pages(&bodies), &options, &aliases, &mut caches, None);
        let again: Vec<usize> = (0..39)
            .filter(|&i| caches.previous_keys[i].is_some())
            .collect();
        assert_eq!(again.len(), 39, "every other briefing is analysed again");
        let mut kept = 0;
        for i in 0..39 {
            let same_value = *after[i].analysis == *before[i].analysis;
            let same_arc = Arc::ptr_eq(&after[i].analysis, &before[i].analysis);
            assert_eq!(same_value, same_arc, "briefing {i}");
            kept += usize::from(same_arc && again.contains(&i));
        }
        assert_eq!(kept, 32, "those without \"ridge\" came out the same");
        // Equal to analysing from scratch.
        let (fresh, _) = analyse(&pages(&bodies), &options, &aliases);
        for (a, f) in after.iter().zip(&fresh) {
            assert_eq!(*a.analysis, *f.analysis);
        }
    }
}
