//! Sentence segmentation tuned for news text.
//!
//! Every line break ends a sentence: Markdown input arrives with paragraphs
//! separated by blank lines, and raw .txt input holds one paragraph (or one
//! sentence) per line. Inside a line, a sentence ends at `.`, `!`, `?` or an
//! ellipsis, plus any closing quotes and brackets, when the next word starts
//! like a sentence (an upper-case letter, a digit, an opening quote or
//! bracket). The exceptions follow the usual rules of rule-based segmenters
//! (cf. Kiss & Strunk 2006, Punkt, for what makes a period ambiguous):
//!
//! * titles and fixed abbreviations never end a sentence: "Mr.", "Dr.",
//!   "Gen.", "Jan.", "No.", "St.";
//! * single-letter initials ("John F. Kennedy") never end a sentence;
//! * letter-dot abbreviations ("U.S.", "U.K.") end one only when the next
//!   word is a function word that typically starts a sentence ("The", "It");
//! * a period inside a figure ("3.5%", "$1.4bn") is not followed by a space,
//!   so it is never a candidate;
//! * no break inside parentheses that close later on the same line;
//! * datelines ("TOKYO, March 31 (Reuters) -") contain no sentence-final
//!   punctuation and stay attached to the lead sentence.
//!
//! A run of more than [`MAX_SENTENCE_BYTES`] without a boundary (tables,
//! unpunctuated text) is cut at a space, so later stages stay linear.

/// Longest sentence kept in one piece.
pub const MAX_SENTENCE_BYTES: usize = 2000;

/// Abbreviations (lower case, without the dot) that do not end a sentence.
const NON_FINAL: &[&str] = &[
    "adm", "apr", "aug", "capt", "cmdr", "co", "col", "corp", "cpl", "dec", "dept", "dr", "e.g",
    "est", "etc", "feb", "fig", "gen", "gov", "i.e", "inc", "jan", "jr", "jul", "jun", "lt", "ltd",
    "maj", "mar", "messrs", "mr", "mrs", "ms", "mt", "no", "nos", "nov", "oct", "op", "pp", "prof",
    "pvt", "rep", "rev", "sen", "sep", "sept", "sgt", "sr", "st", "supt", "vol", "vs",
];

/// Capitalised function words after which a letter-dot abbreviation ("U.S.")
/// is taken to end its sentence.
const SENTENCE_STARTERS: &[&str] = &[
    "A",
    "After",
    "An",
    "And",
    "As",
    "At",
    "But",
    "He",
    "Her",
    "His",
    "I",
    "If",
    "In",
    "It",
    "Its",
    "Meanwhile",
    "Mr",
    "Mrs",
    "Ms",
    "On",
    "She",
    "That",
    "The",
    "Their",
    "There",
    "These",
    "They",
    "This",
    "Those",
    "We",
    "What",
    "When",
    "While",
    "You",
];

/// The sentences of `text`, trimmed, each a slice of the input.
pub fn split_sentences(text: &str) -> Vec<&str> {
    split_sentence_spans(text)
        .into_iter()
        .map(|(s, e)| &text[s..e])
        .collect()
}

/// Byte ranges of the sentences of `text` (trimmed, non-empty).
pub fn split_sentence_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        split_line(text, line_start, line_start + line.len(), &mut out);
        line_start += line.len();
    }
    out
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '’' | '”' | ')' | ']' | '»')
}

fn is_opener(c: char) -> bool {
    matches!(c, '"' | '\'' | '‘' | '“' | '(' | '[' | '«')
}

/// Splits text[start..end] (one line) and pushes trimmed spans.
fn split_line(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let line = &text[start..end];
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    // Position of the last ')' of the line, to know whether an open
    // parenthesis closes later.
    let last_close = chars.iter().rposition(|&(_, c)| c == ')');
    let mut depth: i32 = 0;
    let mut sent_start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        match c {
            '(' => depth += 1,
            ')' => depth = (depth - 1).max(0),
            _ => {}
        }
        if !matches!(c, '.' | '!' | '?' | '…') {
            i += 1;
            continue;
        }
        // Extend over repeated terminators ("?!", "...") and closers.
        let mut j = i + 1;
        while j < chars.len() && matches!(chars[j].1, '.' | '!' | '?' | '…') {
            j += 1;
        }
        while j < chars.len() && is_closer(chars[j].1) {
            if chars[j].1 == ')' {
                depth = (depth - 1).max(0);
            }
            j += 1;
        }
        // Needs white space, then a sentence-like start.
        let mut k = j;
        while k < chars.len() && chars[k].1.is_whitespace() {
            k += 1;
        }
        if k == j || k >= chars.len() {
            i = j;
            continue;
        }
        let next = chars[k].1;
        let next_starts = next.is_uppercase()
            || next.is_ascii_digit()
            || (is_opener(next)
                && chars
                    .get(k + 1)
                    .is_some_and(|x| x.1.is_uppercase() || x.1.is_ascii_digit()));
        let inside_parens = depth > 0 && last_close.is_some_and(|p| p > i);
        let ok = next_starts
            && !inside_parens
            && (c != '.' || j > i + 1 || period_ends_sentence(line, &chars, i, k));
        if ok {
            push_trimmed(text, start + chars[sent_start].0, start + chars[j].0, out);
            sent_start = k;
        }
        i = j;
    }
    if sent_start < chars.len() {
        push_trimmed(text, start + chars[sent_start].0, end, out);
    }
}

/// Decides for a single `.` at chars[i] followed by a candidate start at chars[k].
fn period_ends_sentence(line: &str, chars: &[(usize, char)], i: usize, k: usize) -> bool {
    // The word before the period.
    let mut b = i;
    while b > 0 && (chars[b - 1].1.is_alphanumeric() || chars[b - 1].1 == '.') {
        b -= 1;
    }
    let word = &line[chars[b].0..chars[i].0];
    if word.is_empty() {
        return true;
    }
    let lower = word.to_lowercase();
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    // Initials: "F." in "John F. Kennedy"; lower-case single letters ("p. 5").
    if word.chars().count() == 1 && word.chars().all(char::is_alphabetic) {
        return false;
    }
    if NON_FINAL.binary_search(&lower.as_str()).is_ok() {
        return false;
    }
    // Letter-dot abbreviations: "U.S." ends a sentence only before a typical
    // sentence-starting function word.
    if word.contains('.') && letters <= 4 {
        let mut e = k;
        while e < chars.len() && chars[e].1.is_alphanumeric() {
            e += 1;
        }
        let next_end = chars.get(e).map_or(line.len(), |x| x.0);
        let next_word = &line[chars[k].0..next_end];
        return SENTENCE_STARTERS.contains(&next_word);
    }
    true
}

fn push_trimmed(text: &str, s: usize, e: usize, out: &mut Vec<(usize, usize)>) {
    let piece = &text[s..e];
    let trimmed_start = s + (piece.len() - piece.trim_start().len());
    let trimmed_end = s + piece.trim_end().len();
    if trimmed_start >= trimmed_end {
        return;
    }
    // Cut over-long pieces at a space (or any char boundary, failing that).
    let mut a = trimmed_start;
    while trimmed_end - a > MAX_SENTENCE_BYTES {
        let mut cut = a + MAX_SENTENCE_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let window = &text[a..cut];
        let at = window
            .rfind(char::is_whitespace)
            .filter(|&p| p > 0)
            .unwrap_or(window.len());
        let piece_end = a + at;
        let p = &text[a..piece_end];
        if !p.trim().is_empty() {
            out.push((a, a + p.trim_end().len()));
        }
        a = piece_end;
        while a < trimmed_end {
            let c = text[a..].chars().next().unwrap_or(' ');
            if !c.is_whitespace() {
                break;
            }
            a += c.len_utf8();
        }
    }
    if a < trimmed_end {
        out.push((a, trimmed_end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_final_list_is_sorted() {
        for w in NON_FINAL.windows(2) {
            assert!(w[0] < w[1], "{:?}", w);
        }
    }

    #[test]
    fn plain_sentences_and_lines() {
        assert_eq!(
            split_sentences("One fish swam. Two fish hid!\nA third line\n\nWhy? Because."),
            vec![
                "One fish swam.",
                "Two fish hid!",
                "A third line",
                "Why?",
                "Because."
            ]
        );
    }

    #[test]
    fn letter_dot_abbreviations() {
        assert_eq!(
            split_sentences("The U.S. and the U.K. signed a pact. Trade grew."),
            vec!["The U.S. and the U.K. signed a pact.", "Trade grew."]
        );
        assert_eq!(
            split_sentences("Ships sailed to the U.S. The crews rested."),
            vec!["Ships sailed to the U.S.", "The crews rested."]
        );
    }

    #[test]
    fn titles_and_ranks() {
        assert_eq!(
            split_sentences("Mr. Lee met Dr. Ruiz and Gen. Okafor. They talked."),
            vec!["Mr. Lee met Dr. Ruiz and Gen. Okafor.", "They talked."]
        );
    }

    #[test]
    fn months_and_numbers() {
        assert_eq!(
            split_sentences("The vote is on Jan. 5 at No. 10 Downing Street. Crowds are expected."),
            vec![
                "The vote is on Jan. 5 at No. 10 Downing Street.",
                "Crowds are expected."
            ]
        );
    }

    #[test]
    fn initials() {
        assert_eq!(
            split_sentences("A speech by John F. Kennedy was read. It moved many."),
            vec!["A speech by John F. Kennedy was read.", "It moved many."]
        );
    }

    #[test]
    fn decimals_and_money() {
        assert_eq!(
            split_sentences("Output rose 3.5% to $1.4bn in May. Prices fell 0.2 points."),
            vec![
                "Output rose 3.5% to $1.4bn in May.",
                "Prices fell 0.2 points."
            ]
        );
    }

    #[test]
    fn quotations() {
        assert_eq!(
            split_sentences("\"Will it hold?\" she asked. \"We hope so.\" The talks resumed."),
            vec![
                "\"Will it hold?\" she asked.",
                "\"We hope so.\"",
                "The talks resumed."
            ]
        );
        assert_eq!(
            split_sentences("He said: “It is over.” Nobody replied."),
            vec!["He said: “It is over.”", "Nobody replied."]
        );
    }

    #[test]
    fn parentheses() {
        assert_eq!(
            split_sentences("The fund (see fig. 2. Details below) grew. Then it shrank."),
            vec![
                "The fund (see fig. 2. Details below) grew.",
                "Then it shrank."
            ]
        );
        assert_eq!(
            split_sentences("The deal collapsed. (It was signed in 2015.) Talks went on."),
            vec![
                "The deal collapsed.",
                "(It was signed in 2015.)",
                "Talks went on."
            ]
        );
    }

    #[test]
    fn ellipses() {
        assert_eq!(
            split_sentences("We waited... and waited. Then... Nothing happened… Again."),
            vec![
                "We waited... and waited.",
                "Then...",
                "Nothing happened…",
                "Again."
            ]
        );
    }

    #[test]
    fn datelines() {
        assert_eq!(
            split_sentences("TOKYO, March 31 (Reuters) - Japan's exports rose 4.2%. Imports fell."),
            vec![
                "TOKYO, March 31 (Reuters) - Japan's exports rose 4.2%.",
                "Imports fell."
            ]
        );
    }

    #[test]
    fn degenerate_inputs() {
        assert!(split_sentences("").is_empty());
        assert!(split_sentences("  \n\n \n").is_empty());
        assert_eq!(
            split_sentences("no punctuation at all"),
            vec!["no punctuation at all"]
        );
        let long = "word ".repeat(2000);
        let parts = split_sentences(&long);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| p.len() <= MAX_SENTENCE_BYTES));
        let unbroken = "é".repeat(3000);
        assert!(split_sentences(&unbroken).iter().all(|p| !p.is_empty()));
    }
}
