//! Heading anchors: every heading gets a unique `id` — the slug of its
//! text, or its explicit `{#id}` — and is recorded for tables of contents.

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::{Heading, Problem, Spanned};

/// The slug of a text: its words, transliterated to lowercase ASCII and
/// joined by `-` (`"Über die EU’s Rolle"` -> `"uber-die-eus-rolle"`).
/// Apostrophes do not split words. Empty when the text has no words.
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut slug = String::with_capacity(ascii.len());
    let words = ascii
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '\''))
        .map(|w| w.replace('\'', ""))
        .filter(|w| !w.is_empty());
    for word in words {
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    slug
}

/// `base`, or the first of `base-1`, `base-2`, ... that is not taken.
pub(super) fn unique(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (1..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_default()
}

/// Sets the id of every heading; `reserved` ids (footnotes) are avoided.
/// An explicit id keeps its value unless an earlier heading has it already.
pub(super) fn assign_ids<'a>(
    mut events: Vec<Spanned<'a>>,
    reserved: &[String],
    problems: &mut Vec<Problem>,
) -> (Vec<Spanned<'a>>, Vec<Heading>) {
    let explicit: HashSet<String> = events
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .collect();
    let mut taken: HashSet<String> = reserved.iter().cloned().collect();
    let mut headings = Vec::new();
    for i in 0..events.len() {
        let (Event::Start(Tag::Heading { level, id, .. }), range) = &events[i] else {
            continue;
        };
        let text = heading_text(&events[i + 1..]);
        let id = match id {
            Some(id) if !taken.contains(id.as_ref()) => id.to_string(),
            Some(id) => {
                problems.push(Problem {
                    offset: range.start,
                    message: format!("two headings have the id `{id}`"),
                    hint: Some("give each heading its own {#id}".into()),
                });
                unique(id, |s| taken.contains(s))
            }
            None => {
                let slug = slugify(&text);
                let base = if slug.is_empty() { "section" } else { &slug };
                unique(base, |s| taken.contains(s) || explicit.contains(s))
            }
        };
        taken.insert(id.clone());
        headings.push(Heading {
            level: *level as u32,
            id: id.clone(),
            text,
        });
        if let (Event::Start(Tag::Heading { id: slot, .. }), _) = &mut events[i] {
            *slot = Some(CowStr::from(id));
        }
    }
    (events, headings)
}

/// The plain text of a heading whose events start at `events[0]`.
fn heading_text(events: &[Spanned<'_>]) -> String {
    let mut text = String::new();
    for (event, _) in events {
        match event {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
