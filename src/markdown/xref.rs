//! Inline cross-links: the first mention of each key phrase in the running
//! text becomes `<a class="xref" href="...">original text</a>`.
//!
//! Rules:
//! - matching is case-insensitive, on whole words; runs of whitespace match
//!   a single space and curly apostrophes match straight ones;
//! - only running text: never inside headings, links, images, code or raw
//!   inline HTML elements;
//! - leftmost-longest: scanning in document order, the earliest match wins;
//!   at the same position the longest phrase wins; a phrase whose mention
//!   overlaps a chosen link waits for its next mention;
//! - each phrase at most once, at most `max_inline_links` per body;
//! - a phrase whose page the body already links to explicitly is not
//!   linked again.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::links::join_base;
use super::text::{escape_html, is_block_end};
use super::{RenderContext, Spanned};

/// A phrase to link, folded for matching.
struct Phrase {
    folded: String,
    /// The target URL, unescaped.
    url: String,
    /// The target URL, escaped for an attribute.
    href: String,
}

pub(super) fn link_phrases<'a>(events: Vec<Spanned<'a>>, ctx: &RenderContext) -> Vec<Spanned<'a>> {
    let phrases = prepare(ctx);
    if phrases.is_empty() || ctx.max_inline_links == 0 {
        return events;
    }
    let eligible = eligible_texts(&events);
    let linked = linked_urls(&events);
    let mut used: Vec<bool> = phrases.iter().map(|p| linked.contains(&p.url)).collect();
    let mut budget = ctx.max_inline_links;
    let mut out = Vec::with_capacity(events.len());
    for (i, (event, range)) in events.into_iter().enumerate() {
        match event {
            Event::Text(text) if eligible[i] && budget > 0 => {
                let found = find_matches(&text, &phrases, &mut used, &mut budget);
                for piece in split(&text, &found, &phrases) {
                    out.push((piece, range.clone()));
                }
            }
            other => out.push((other, range)),
        }
    }
    out
}

/// Folded, non-empty, distinct phrases with their hrefs, in input order.
fn prepare(ctx: &RenderContext) -> Vec<Phrase> {
    let mut phrases: Vec<Phrase> = Vec::new();
    for (phrase, url) in ctx.inline_links {
        let folded = fold(phrase.trim()).text;
        if folded.trim().is_empty() || phrases.iter().any(|p| p.folded == folded) {
            continue;
        }
        let url = join_base(ctx.base_path, url);
        phrases.push(Phrase {
            folded,
            href: escape_html(&url),
            url,
        });
    }
    phrases
}

/// The destinations of the body's own links, without fragments.
fn linked_urls(events: &[Spanned<'_>]) -> std::collections::HashSet<String> {
    events
        .iter()
        .filter_map(|(event, _)| match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                Some(dest_url.split('#').next().unwrap_or("").to_string())
            }
            _ => None,
        })
        .collect()
}

/// For each event: is it a `Text` of running text that may hold a link?
fn eligible_texts(events: &[Spanned<'_>]) -> Vec<bool> {
    let mut blocked = 0usize; // open headings, links, images, code blocks
    let mut raw_open = 0usize; // open raw inline HTML elements
    let mut eligible = Vec::with_capacity(events.len());
    for (event, _) in events {
        eligible.push(matches!(event, Event::Text(_)) && blocked == 0 && raw_open == 0);
        match event {
            Event::Start(tag) if blocks_links(tag) => blocked += 1,
            Event::End(end) => {
                if matches!(
                    end,
                    TagEnd::Heading(_) | TagEnd::Link | TagEnd::Image | TagEnd::CodeBlock
                ) {
                    blocked = blocked.saturating_sub(1);
                }
                if is_block_end(end) {
                    // Inline HTML cannot stay open across blocks.
                    raw_open = 0;
                }
            }
            Event::InlineHtml(html) => raw_open = track_raw(raw_open, html),
            _ => {}
        }
    }
    eligible
}

fn blocks_links(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Heading { .. } | Tag::Link { .. } | Tag::Image { .. } | Tag::CodeBlock(_)
    )
}

/// Open raw elements after an inline HTML tag: opening tags of non-void
/// elements count up, closing tags count down.
fn track_raw(open: usize, html: &str) -> usize {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    let html = html.trim();
    if html.starts_with("<!") || html.starts_with("<?") || html.ends_with("/>") {
        return open;
    }
    if html.starts_with("</") {
        return open.saturating_sub(1);
    }
    let name: String = html
        .trim_start_matches('<')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect::<String>()
        .to_ascii_lowercase();
    if name.is_empty() || VOID.contains(&name.as_str()) {
        open
    } else {
        open + 1
    }
}

/// A match in the original text: byte range and phrase index.
type Match = (std::ops::Range<usize>, usize);

/// Chooses the links of one text (leftmost-longest), marking phrases used.
fn find_matches(
    text: &str,
    phrases: &[Phrase],
    used: &mut [bool],
    budget: &mut usize,
) -> Vec<Match> {
    let folded = fold(text);
    let mut candidates: Vec<Match> = Vec::new();
    for (index, phrase) in phrases.iter().enumerate() {
        if used[index] {
            continue;
        }
        for (start, _) in folded.text.match_indices(&phrase.folded) {
            if let Some(range) = folded.original(start, start + phrase.folded.len()) {
                if is_whole_word(text, &range) {
                    candidates.push((range, index));
                }
            }
        }
    }
    candidates.sort_by_key(|(r, index)| (r.start, std::cmp::Reverse(r.end), *index));
    let mut chosen = Vec::new();
    let mut cursor = 0;
    for (range, index) in candidates {
        if *budget == 0 {
            break;
        }
        if range.start < cursor || used[index] {
            continue;
        }
        cursor = range.end;
        used[index] = true;
        *budget -= 1;
        chosen.push((range, index));
    }
    chosen
}

fn is_whole_word(text: &str, range: &std::ops::Range<usize>) -> bool {
    let before = text[..range.start].chars().next_back();
    let after = text[range.end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// The text cut into plain pieces and links around the chosen matches.
fn split<'a>(text: &CowStr<'a>, found: &[Match], phrases: &[Phrase]) -> Vec<Event<'a>> {
    if found.is_empty() {
        return vec![Event::Text(text.clone())];
    }
    let mut pieces = Vec::with_capacity(found.len() * 4 + 1);
    let mut at = 0;
    for (range, index) in found {
        if range.start > at {
            pieces.push(Event::Text(text[at..range.start].to_string().into()));
        }
        let open = format!("<a class=\"xref\" href=\"{}\">", phrases[*index].href);
        pieces.push(Event::InlineHtml(open.into()));
        pieces.push(Event::Text(text[range.clone()].to_string().into()));
        pieces.push(Event::InlineHtml("</a>".into()));
        at = range.end;
    }
    if at < text.len() {
        pieces.push(Event::Text(text[at..].to_string().into()));
    }
    pieces
}

/// Text folded for matching, with a map back to the original bytes.
struct Folded {
    text: String,
    /// For each byte of `text` (and one past the end): the original offset.
    origin: Vec<usize>,
    /// For each byte of `text` (and one past the end): does an original
    /// character start here?
    starts: Vec<bool>,
}

impl Folded {
    /// The original byte range of `text[start..end]`, if both ends fall on
    /// original character boundaries.
    fn original(&self, start: usize, end: usize) -> Option<std::ops::Range<usize>> {
        (self.starts[start] && self.starts[end]).then(|| self.origin[start]..self.origin[end])
    }
}

/// Lowercases, collapses whitespace runs to one space, straightens curly
/// apostrophes.
fn fold(s: &str) -> Folded {
    let mut folded = Folded {
        text: String::with_capacity(s.len()),
        origin: Vec::with_capacity(s.len() + 1),
        starts: Vec::with_capacity(s.len() + 1),
    };
    let mut previous_space = false;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if !previous_space {
                push_char(&mut folded, ' ', i, true);
            }
            previous_space = true;
            continue;
        }
        previous_space = false;
        let c = if matches!(c, '\u{2018}' | '\u{2019}') {
            '\''
        } else {
            c
        };
        for (k, lower) in c.to_lowercase().enumerate() {
            push_char(&mut folded, lower, i, k == 0);
        }
    }
    folded.origin.push(s.len());
    folded.starts.push(true);
    folded
}

fn push_char(folded: &mut Folded, c: char, origin: usize, starts: bool) {
    folded.text.push(c);
    for byte in 0..c.len_utf8() {
        folded.origin.push(origin);
        folded.starts.push(starts && byte == 0);
    }
}
