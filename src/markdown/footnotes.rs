//! Footnotes with stable, namespaced anchors.
//!
//! pulldown-cmark's own output uses the bare label as the id (`id="1"`),
//! which can collide with heading ids. Here references become
//! `<sup class="footnote-reference" id="fnref-LABEL"><a href="#fn-LABEL">N</a></sup>`
//! and definitions `<div class="footnote-definition" id="fn-LABEL">`, with
//! footnotes numbered in order of first reference (then unreferenced ones
//! in order of definition).

use std::collections::{BTreeSet, HashMap};

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::text::escape_html;
use super::{slugify, Spanned};

struct Note {
    number: usize,
    slug: String,
    referenced: bool,
}

/// Rewrites footnote events to HTML; returns the events and the ids used.
pub(super) fn rewrite(events: Vec<Spanned<'_>>) -> (Vec<Spanned<'_>>, Vec<String>) {
    let mut notes = number_notes(&events);
    if notes.is_empty() {
        return (events, Vec::new());
    }
    let mut out = Vec::with_capacity(events.len());
    for (event, range) in events {
        let event = match event {
            Event::FootnoteReference(label) => {
                let Some(note) = notes.get_mut(&key(&label)) else {
                    out.push((Event::FootnoteReference(label), range));
                    continue;
                };
                let id = if note.referenced {
                    String::new()
                } else {
                    format!(" id=\"fnref-{}\"", note.slug)
                };
                note.referenced = true;
                Event::InlineHtml(CowStr::from(format!(
                    "<sup class=\"footnote-reference\"{id}><a href=\"#fn-{}\">{}</a></sup>",
                    note.slug, note.number
                )))
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let Some(note) = notes.get(&key(&label)) else {
                    out.push((Event::Start(Tag::FootnoteDefinition(label)), range));
                    continue;
                };
                Event::Html(CowStr::from(format!(
                    "<div class=\"footnote-definition\" id=\"fn-{}\"><sup class=\"footnote-definition-label\">{}</sup>\n",
                    note.slug, note.number
                )))
            }
            Event::End(TagEnd::FootnoteDefinition) => Event::Html(CowStr::from("</div>\n")),
            other => other,
        };
        out.push((event, range));
    }
    let ids = notes
        .values()
        .flat_map(|n| [format!("fn-{}", n.slug), format!("fnref-{}", n.slug)])
        .collect();
    (out, ids)
}

fn key(label: &str) -> String {
    label.to_lowercase()
}

/// Numbers and slugs every footnote label; slugs are unique.
fn number_notes(events: &[Spanned<'_>]) -> HashMap<String, Note> {
    let referenced = events.iter().filter_map(|(e, _)| match e {
        Event::FootnoteReference(label) => Some(label),
        _ => None,
    });
    let defined = events.iter().filter_map(|(e, _)| match e {
        Event::Start(Tag::FootnoteDefinition(label)) => Some(label),
        _ => None,
    });
    let mut notes = HashMap::new();
    let mut slugs = BTreeSet::new();
    for label in referenced.chain(defined) {
        let k = key(label);
        if notes.contains_key(&k) {
            continue;
        }
        let number = notes.len() + 1;
        let base = escape_html(&slugify(label));
        let base = if base.is_empty() {
            number.to_string()
        } else {
            base
        };
        let slug = super::anchors::unique(&base, |s| slugs.contains(s));
        slugs.insert(slug.clone());
        notes.insert(
            k,
            Note {
                number,
                slug,
                referenced: false,
            },
        );
    }
    notes
}
