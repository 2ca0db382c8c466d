//! Titles of plain-text articles.
//!
//! A first line that reads as a headline (short, no closing full stop, not
//! ending on a function word or a comma, not continued by the next line) is
//! the title, and the body starts after it. Otherwise a headline-like line is
//! made from the lead sentence: news leads state the story (inverted pyramid),
//! so its first clause of a readable length, or the lead cut at a word
//! boundary, at most [`MAX_DERIVED`] characters.

use super::sentences::split_sentences;
use super::stopwords::is_stop;
use super::tokens::{normalize, word_spans};

/// Longest first line taken as a headline, in characters.
const MAX_HEADLINE: usize = 150;
/// Longest derived title, in characters.
pub const MAX_DERIVED: usize = 90;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleGuess {
    pub title: String,
    /// The title is the first line of the text, which is not body text.
    pub from_first_line: bool,
    /// Byte offset where the body starts (after the headline line when
    /// `from_first_line`, else 0).
    pub body_start: usize,
}

pub fn derive_title(text: &str) -> TitleGuess {
    // The first non-blank line.
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim().trim_start_matches('\u{feff}').trim();
        if content.is_empty() {
            offset += line.len();
            continue;
        }
        let rest = &text[offset + line.len()..];
        if is_headline(content, rest) {
            return TitleGuess {
                title: content.to_string(),
                from_first_line: true,
                body_start: offset + line.len(),
            };
        }
        break;
    }
    TitleGuess {
        title: headline_from_lead(text),
        from_first_line: false,
        body_start: 0,
    }
}

fn is_headline(line: &str, rest: &str) -> bool {
    let chars = line.chars().count();
    if chars > MAX_HEADLINE || !line.chars().any(char::is_alphabetic) {
        return false;
    }
    let last = line.chars().last().unwrap_or('.');
    if matches!(last, '.' | ',' | ';' | ':' | '-' | '–' | '—') && !line.ends_with("...") {
        return false;
    }
    // A headline does not end on an article, preposition, conjunction or
    // possessive ("... pulling the"); a cut-off line of prose does.
    let words = word_spans(line);
    if let Some(w) = words.last() {
        let lower = normalize(&line[w.start..w.end]);
        if DANGLING.contains(&lower.as_str()) {
            return false;
        }
    }
    // Hard-wrapped prose continues on the next line in lower case.
    let next = rest.lines().map(str::trim).find(|l| !l.is_empty());
    if let Some(next) = next {
        if next.chars().next().is_some_and(char::is_lowercase) {
            return false;
        }
    }
    // Several sentences are prose, unless the line is short ("Is it a cold?
    // Or an allergy?") or in title case, where abbreviations such as
    // "Ariz." fool the segmenter.
    let capitalised = words
        .iter()
        .filter(|w| {
            line[w.start..]
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
        })
        .count();
    let title_case = !words.is_empty() && capitalised * 10 >= words.len() * 6;
    split_sentences(line).len() == 1 || words.len() <= 15 || title_case
}

/// Words a headline does not end with.
const DANGLING: &[&str] = &[
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "her", "his", "in", "into", "its",
    "my", "of", "on", "or", "our", "than", "that", "the", "their", "to", "which", "with", "your",
];

fn headline_from_lead(text: &str) -> String {
    // Only the opening of the text matters: segment at most its first
    // 4 KB, so that deriving a title costs the same for any length.
    let mut head_end = text.len().min(4096);
    while !text.is_char_boundary(head_end) {
        head_end -= 1;
    }
    let sentences = split_sentences(&text[..head_end]);
    let lead = sentences
        .iter()
        .find(|s| word_spans(s).len() >= 3)
        .or(sentences.first())
        .copied()
        .unwrap_or("");
    let lead = strip_dateline(lead);
    let clean = |s: &str| -> String {
        let s = s.trim().trim_end_matches(|c: char| {
            c.is_whitespace() || matches!(c, '.' | ',' | ';' | ':' | '-' | '–' | '—')
        });
        // A clause may start with a conjunction that only made sense after
        // the previous clause.
        let mut s = s;
        for conj in [
            "and ", "but ", "or ", "so ", "yet ", "which ", "who ", "while ",
        ] {
            if s.len() > conj.len()
                && s.is_char_boundary(conj.len())
                && s[..conj.len()].eq_ignore_ascii_case(conj)
            {
                s = s[conj.len()..].trim_start();
                break;
            }
        }
        capitalise(&trim_trailing_function_words(s))
    };
    if lead.chars().count() <= MAX_DERIVED {
        return clean(lead);
    }
    // The longest clause of a readable length (split at , ; : and dashes).
    let mut best: Option<&str> = None;
    let mut start = 0;
    for (i, c) in lead.char_indices() {
        if matches!(c, ',' | ';' | ':' | '—' | '–') {
            let clause = lead[start..i].trim();
            let n = clause.chars().count();
            if (30..=MAX_DERIVED).contains(&n) && best.is_none_or(|b| n > b.chars().count()) {
                best = Some(clause);
            }
            start = i + c.len_utf8();
        }
    }
    let tail = lead[start..].trim();
    let n = tail.chars().count();
    if (30..=MAX_DERIVED).contains(&n) && best.is_none_or(|b| n > b.chars().count()) {
        best = Some(tail);
    }
    if let Some(b) = best {
        return clean(b);
    }
    // Cut at the last word boundary that fits.
    let mut cut = 0;
    for (i, c) in lead.char_indices() {
        if lead[..i].chars().count() > MAX_DERIVED {
            break;
        }
        if c.is_whitespace() {
            cut = i;
        }
    }
    if cut == 0 {
        // One enormous word: keep whole characters only.
        return lead
            .chars()
            .take(MAX_DERIVED)
            .collect::<String>()
            .trim()
            .to_string();
    }
    clean(&lead[..cut])
}

/// Drops a news dateline ("TOKYO, March 31 (Reuters) - ") from a lead.
fn strip_dateline(s: &str) -> &str {
    for sep in [" - ", " — ", " – ", " -- "] {
        if let Some(i) = s.find(sep) {
            let head = &s[..i];
            let upper_start = head.split_whitespace().next().is_some_and(|w| {
                w.chars().filter(|c| c.is_alphabetic()).count() >= 2
                    && !w.chars().any(char::is_lowercase)
            });
            if i <= 60 && upper_start {
                return &s[i + sep.len()..];
            }
        }
    }
    s
}

fn trim_trailing_function_words(s: &str) -> String {
    let mut words: Vec<&str> = s.split_whitespace().collect();
    while words.len() > 1 {
        let last = words[words.len() - 1];
        let lower = normalize(last.trim_matches(|c: char| !c.is_alphanumeric()));
        if is_stop(&lower) || lower.is_empty() {
            words.pop();
        } else {
            break;
        }
    }
    let joined = words.join(" ");
    joined
        .trim_end_matches(|c: char| {
            c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '–' | '—')
        })
        .to_string()
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_headline() {
        let text = "Harbour strike ends after ten days\n\nDock workers returned on Monday. Cargo moved again.";
        let g = derive_title(text);
        assert!(g.from_first_line);
        assert_eq!(g.title, "Harbour strike ends after ten days");
        assert!(text[g.body_start..]
            .trim_start()
            .starts_with("Dock workers"));
    }

    #[test]
    fn crlf_headline() {
        let g = derive_title("Rivers rise in the north\r\nThe rain kept falling.\r\n");
        assert!(g.from_first_line);
        assert_eq!(g.title, "Rivers rise in the north");
    }

    #[test]
    fn prose_first_line_is_not_a_headline() {
        let text = "The council met on Tuesday, and after a long debate it voted to close the old bridge to heavy lorries for good.\nTraffic will be diverted.";
        let g = derive_title(text);
        assert!(!g.from_first_line);
        assert_eq!(g.body_start, 0);
        assert!(g.title.chars().count() <= MAX_DERIVED);
        assert!(!g.title.ends_with('.'));
        // Never cut mid-word: every word of the title is a word of the text.
        for w in g.title.to_lowercase().split_whitespace() {
            assert!(text.to_lowercase().contains(w), "{w}");
        }
    }

    #[test]
    fn headlines_with_abbreviations_or_two_questions() {
        let g = derive_title(
            "Facing Budget Gap, Ore. Moves Costs To Towns\nThe state said on Monday it would act.",
        );
        assert!(g.from_first_line);
        let g = derive_title("Flu or a cold? Or hay fever?\nDoctors say the signs overlap.");
        assert_eq!(g.title, "Flu or a cold? Or hay fever?");
        let g = derive_title(
            "Why the old harbour will never be the same for us\nIt was a grey morning.",
        );
        assert!(g.from_first_line);
    }

    #[test]
    fn wrapped_prose_is_not_a_headline() {
        let g = derive_title("The committee agreed to review\nthe proposal next year.");
        assert!(!g.from_first_line);
    }

    #[test]
    fn empty_and_odd_inputs() {
        assert_eq!(derive_title("").title, "");
        let g = derive_title(&"x".repeat(500));
        assert!(g.title.chars().count() <= MAX_DERIVED);
        let g = derive_title("TOKYO, March 31 (Reuters) - Exports rose sharply in March.");
        assert_eq!(g.title, "Exports rose sharply in March");
    }
}
