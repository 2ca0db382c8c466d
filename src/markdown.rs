//! Markdown body -> HTML, and Markdown -> plain text for the analysis.
//!
//! (First version: plain pulldown-cmark rendering; anchors, sanitising,
//! internal links and inline cross-links come next.)

use std::collections::BTreeMap;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

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

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders a body to HTML. Problems (such as an `@/` link to a missing page)
/// are returned beside the HTML.
pub fn render(body: &str, ctx: &RenderContext) -> (Rendered, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut word_count = 0;
    let events: Vec<Event> = Parser::new_ext(body, options())
        .into_offset_iter()
        .map(|(event, range)| match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if dest_url.starts_with("@/") => {
                let (target, anchor) = match dest_url[2..].split_once('#') {
                    Some((t, a)) => (t.to_string(), format!("#{a}")),
                    None => (dest_url[2..].to_string(), String::new()),
                };
                let url = match ctx.pages.get(&target) {
                    Some(path) => format!("{}{}{anchor}", ctx.base_path, &path[1..]),
                    None => {
                        problems.push(Problem {
                            offset: range.start,
                            message: format!("the link `{dest_url}` points to a page that does not exist"),
                            hint: Some("write the target's path under content/, e.g. @/briefings/2026-11-03-talks.md".into()),
                        });
                        "#".to_string()
                    }
                };
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: url.into(),
                    title,
                    id,
                })
            }
            Event::Text(t) => {
                word_count += t.split_whitespace().count();
                Event::Text(t)
            }
            other => other,
        })
        .collect();
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    (
        Rendered {
            html,
            headings: Vec::new(),
            word_count,
        },
        problems,
    )
}

/// The running text of a body for analysis: paragraphs, list items, quotes
/// and headings as plain-text paragraphs separated by blank lines. Code and
/// raw HTML are left out.
pub fn plain_text(body: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for event in Parser::new_ext(body, options()) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(t) | Event::Code(t) if !in_code => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => out.push_str("\n\n"),
            _ => {}
        }
    }
    out
}
