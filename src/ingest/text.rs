//! Plain text to an article: paragraphs, a headline on the first line, a
//! "By …" byline and a dateline, with Markdown's special characters escaped.

use super::{date, Extracted};

/// Converts a plain-text article. Paragraphs are separated by blank lines;
/// a text without blank lines has one paragraph per line.
pub fn convert(text: &str) -> Extracted {
    let mut paragraphs = paragraphs(text);
    let title = first_line_headline(&paragraphs);
    if title.is_some() {
        paragraphs.remove(0);
    }
    let author = paragraphs.first().and_then(|p| byline(p));
    if author.is_some() {
        paragraphs.remove(0);
    }
    let mut found_date = paragraphs.first().and_then(|p| dateline(p));
    if found_date.is_none() {
        // A line holding only a date ("Published 3 March 2026") is dropped.
        found_date = paragraphs
            .first()
            .filter(|p| p.len() <= 40)
            .and_then(|p| date::find_in_text(p));
        if found_date.is_some() {
            paragraphs.remove(0);
        }
    }
    let body = paragraphs
        .iter()
        .map(|p| escape(p))
        .collect::<Vec<_>>()
        .join("\n\n");
    Extracted {
        title,
        author,
        date: found_date,
        body,
        ..Extracted::default()
    }
}

fn paragraphs(text: &str) -> Vec<String> {
    let blocks: Vec<&str> = if text.contains("\n\n") || text.contains("\n \n") {
        text.split("\n\n").collect()
    } else {
        text.lines().collect()
    };
    blocks
        .iter()
        .map(|b| b.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// The first paragraph, when it reads like a headline: short, one line, not
/// ending like a sentence, and followed by more text.
///
/// (Stands in for `analysis::derive_title` until that lands.)
pub fn first_line_headline(paragraphs: &[String]) -> Option<String> {
    let first = paragraphs.first()?;
    let words = first.split_whitespace().count();
    let sentence_end = first.ends_with(['.', ',', ';', ':']);
    (paragraphs.len() > 1 && words <= 20 && first.len() <= 150 && !sentence_end)
        .then(|| first.clone())
}

fn byline(paragraph: &str) -> Option<String> {
    let rest = paragraph
        .strip_prefix("By ")
        .or_else(|| paragraph.strip_prefix("by "))?;
    let name = rest.split([',', '|', '·']).next()?.trim();
    (paragraph.len() <= 80 && !name.is_empty()).then(|| name.to_string())
}

/// A dateline opens the first paragraph: `WASHINGTON, Nov. 3, 2026 — …`.
fn dateline(paragraph: &str) -> Option<date::ArticleDate> {
    let head = paragraph
        .split([' ', '—', '–'])
        .take(8)
        .collect::<Vec<_>>()
        .join(" ");
    let dash = paragraph
        .find(['—', '–'])
        .or_else(|| paragraph.find(" -- "))?;
    (dash <= 60).then(|| date::find_in_text(&head)).flatten()
}

/// Escapes what Markdown would read as markup, so the text stays text.
pub fn escape(paragraph: &str) -> String {
    let mut out = String::with_capacity(paragraph.len() + 8);
    for c in paragraph.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    escape_line_start(out)
}

/// `1. ` or `- ` at the start of a paragraph would start a list.
fn escape_line_start(p: String) -> String {
    let digits = p.chars().take_while(|c| c.is_ascii_digit()).count();
    let after = p[digits..].chars().next();
    let list_number = digits > 0 && matches!(after, Some('.' | ')'));
    if list_number {
        return format!("{}\\{}", &p[..digits], &p[digits..]);
    }
    if p.starts_with(['-', '+', '=']) {
        return format!("\\{p}");
    }
    p
}

/// A title when the article has none: the first sentence's opening clause,
/// or its first twelve words.
pub fn fallback_title(plain: &str) -> String {
    let first = crate::analysis::split_sentences(plain)
        .first()
        .map(|s| s.to_string())
        .unwrap_or_default();
    let clause = first.split([',', ';', ':']).next().unwrap_or("").trim();
    let clause = clause.trim_end_matches(['.', '!', '?']);
    let words = clause.split_whitespace().count();
    if (3..=16).contains(&words) {
        return clause.to_string();
    }
    let mut title: Vec<&str> = first.split_whitespace().take(12).collect();
    if first.split_whitespace().count() > 12 {
        title.push("…");
    }
    title.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_byline_and_paragraphs() {
        let a = convert("Port strike halts exports\n\nBy Mara Lind\n\nDock workers walked out.\nThey want pay.\n\nTalks failed.\n");
        assert_eq!(a.title.as_deref(), Some("Port strike halts exports"));
        assert_eq!(a.author.as_deref(), Some("Mara Lind"));
        assert_eq!(
            a.body,
            "Dock workers walked out. They want pay.\n\nTalks failed."
        );
    }

    #[test]
    fn one_paragraph_per_line_without_blank_lines() {
        let a = convert("First paragraph here.\nSecond one.\n");
        assert_eq!(a.title, None);
        assert_eq!(a.body, "First paragraph here.\n\nSecond one.");
    }

    #[test]
    fn dateline_is_read_and_kept() {
        let a = convert("Talks resume\nGENEVA, March 4, 2026 — Negotiators met again.\n");
        assert_eq!(
            a.date,
            Some(date::ArticleDate::Day(
                chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()
            ))
        );
        assert!(a.body.starts_with("GENEVA, March 4, 2026 —"));
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape("a *b* [c] <d>"), "a \\*b\\* \\[c\\] \\<d\\>");
        assert_eq!(escape("1. first"), "1\\. first");
        assert_eq!(escape("- item"), "\\- item");
    }
}
