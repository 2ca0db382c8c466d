//! Text-level helpers shared by the passes: merging split text events,
//! counting words, telling block tags from inline ones.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::Spanned;

/// Joins runs of `Text` and `SoftBreak` events into one `Text` event.
///
/// pulldown-cmark splits text at smart punctuation, entities and line
/// breaks; phrase matching and word counting need the whole run. A soft
/// break becomes `"\n"`, which renders exactly as the break did.
pub(super) fn merge_text(events: Vec<Spanned<'_>>) -> Vec<Spanned<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut pending: Option<(String, Range<usize>)> = None;
    for (event, range) in events {
        let piece: Option<&str> = match &event {
            Event::Text(t) => Some(t),
            Event::SoftBreak => Some("\n"),
            _ => None,
        };
        match (piece, pending.as_mut()) {
            (Some(piece), Some((text, run))) => {
                text.push_str(piece);
                run.end = run.end.max(range.end);
            }
            (Some(piece), None) => pending = Some((piece.to_string(), range)),
            (None, _) => {
                flush(&mut out, &mut pending);
                out.push((event, range));
            }
        }
    }
    flush(&mut out, &mut pending);
    out
}

fn flush<'a>(out: &mut Vec<Spanned<'a>>, pending: &mut Option<(String, Range<usize>)>) {
    if let Some((text, range)) = pending.take() {
        out.push((Event::Text(CowStr::from(text)), range));
    }
}

/// Words of running text: text outside code blocks, raw HTML and image alt
/// text. Inline formatting does not split words (`foo**bar**` is one word);
/// tokens without a letter or digit (a lone dash) are not words.
pub(super) fn count_words(events: &[Spanned<'_>]) -> usize {
    let mut text = String::new();
    let mut skip = 0usize;
    for (event, _) in events {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::Image { .. }) => skip += 1,
            Event::End(TagEnd::CodeBlock | TagEnd::Image) => skip = skip.saturating_sub(1),
            _ if skip > 0 => {}
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::Start(tag) if !is_inline(tag) => text.push(' '),
            Event::End(end) if !is_inline_end(end) => text.push(' '),
            Event::HardBreak | Event::SoftBreak | Event::Rule => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

fn is_inline(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_inline_end(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// Tags that start a plain-text paragraph of their own.
pub(super) fn is_block(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::Item
            | Tag::TableCell
            | Tag::List(_)
            | Tag::Table(_)
    )
}

/// Ends of the tags of [`is_block`].
pub(super) fn is_block_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::Item
            | TagEnd::TableCell
            | TagEnd::List(_)
            | TagEnd::Table
    )
}

/// Escapes text for HTML content and double-quoted attribute values.
pub(super) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
