//! Markdown body -> HTML, and Markdown -> plain text for the analysis.
//!
//! Rendering is a chain of small passes over pulldown-cmark's event stream
//! (each in its own submodule), then HTML output, then sanitising:
//!
//! 0. [`nesting::limit`] flattens absurdly deep quotes and lists;
//! 1. [`text::merge_text`] joins split text events (smart punctuation and
//!    soft breaks cut text into pieces) so later passes see whole sentences;
//! 2. [`links::resolve_internal`] turns `@/path.md#anchor` into site URLs;
//! 3. [`footnotes::rewrite`] gives footnotes stable, namespaced ids;
//! 4. [`anchors::assign_ids`] gives every heading a unique id;
//! 5. [`xref::link_phrases`] links the first mention of key phrases;
//! 6. [`sanitize::clean`] runs ammonia over the HTML.

mod anchors;
mod footnotes;
mod links;
mod nesting;
mod sanitize;
mod text;
mod xref;

use std::collections::BTreeMap;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

pub use anchors::slugify;

/// What rendering a body needs to know about the rest of the site.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext<'a> {
    /// Content source path (`briefings/x.md`) -> site-relative URL path (`/briefings/x/`).
    pub pages: &'a BTreeMap<String, String>,
    /// The site's base URL path prefix, with leading and trailing `/` (`/` or `/briefs/`).
    pub base_path: &'a str,
    /// Phrases to link on their first mention: (phrase, site-relative URL path).
    pub inline_links: &'a [(String, String)],
    /// At most this many inline links per body.
    pub max_inline_links: usize,
}

/// A heading of the body, with the id of its anchor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u32,
    pub id: String,
    pub text: String,
}

/// The HTML of a body and what was learned while rendering it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    /// Words of running text, for the reading time.
    pub word_count: usize,
}

/// A problem in a body, at a byte offset of the body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub offset: usize,
    pub message: String,
    pub hint: Option<String>,
}

/// An event with the byte range of the body it came from.
pub(crate) type Spanned<'a> = (Event<'a>, Range<usize>);

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders a body to HTML. Problems (such as an `@/` link to a missing page)
/// are returned beside the HTML; they never stop rendering.
pub fn render(body: &str, ctx: &RenderContext) -> (Rendered, Vec<Problem>) {
    let mut problems = Vec::new();
    let events: Vec<Spanned> = Parser::new_ext(body, options())
        .into_offset_iter()
        .collect();
    let events = nesting::limit(events, &mut problems);
    let events = text::merge_text(events);
    let events = links::resolve_internal(events, ctx, &mut problems);
    let (events, footnote_ids) = footnotes::rewrite(events);
    let (events, headings) = anchors::assign_ids(events, &footnote_ids, &mut problems);
    let word_count = text::count_words(&events);
    let events = xref::link_phrases(events, ctx);
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter().map(|(event, _)| event));
    let rendered = Rendered {
        html: sanitize::clean(&html),
        headings,
        word_count,
    };
    problems.sort_by_key(|p| p.offset);
    (rendered, problems)
}

/// The running text of a body for analysis: paragraphs, list items, quotes,
/// table cells and headings as plain-text paragraphs separated by blank
/// lines. Code (blocks and inline), raw HTML, image alt text and footnote
/// definitions are left out.
pub fn plain_text(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut skip = 0usize;
    for event in Parser::new_ext(body, options()) {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::FootnoteDefinition(_) | Tag::Image { .. }) => {
                skip += 1
            }
            Event::End(TagEnd::CodeBlock | TagEnd::FootnoteDefinition | TagEnd::Image) => {
                skip = skip.saturating_sub(1)
            }
            _ if skip > 0 => {}
            Event::Text(t) => push_text(&mut out, &t),
            Event::SoftBreak | Event::HardBreak | Event::Code(_) => push_space(&mut out),
            Event::Start(tag) if text::is_block(&tag) => paragraph_break(&mut out),
            Event::End(tag) if text::is_block_end(&tag) => paragraph_break(&mut out),
            _ => {}
        }
    }
    out.truncate(out.trim_end().len());
    out
}

fn push_text(out: &mut String, text: &str) {
    if out.is_empty() || out.ends_with(char::is_whitespace) {
        out.push_str(text.trim_start_matches([' ', '\t']));
    } else {
        out.push_str(text);
    }
}

fn push_space(out: &mut String) {
    if !out.is_empty() && !out.ends_with(char::is_whitespace) {
        out.push(' ');
    }
}

fn paragraph_break(out: &mut String) {
    out.truncate(out.trim_end_matches([' ', '\t']).len());
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.truncate(out.trim_end().len());
        out.push_str("\n\n");
    }
}

#[cfg(test)]
mod tests;
