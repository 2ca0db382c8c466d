//! Word tokens of one document, interned per document so that the later
//! stages compare small integers instead of strings.
//!
//! A word is a run of letters and digits, joined across an apostrophe
//! ("don't"), a hyphen ("off-ramp"), a decimal point or thousands separator
//! ("3.5", "1,000") and the dots of an abbreviation ("U.S."). A trailing
//! possessive ("Iran's", "Iran’s") is dropped, so that it counts as "Iran".
//! Words are stemmed with the Snowball English (Porter 2) stemmer so that
//! inflections ("sanction", "sanctions") count as one term.

use std::cell::RefCell;
use std::rc::Rc;

use rust_stemmers::{Algorithm, Stemmer};

use super::sentences::split_sentence_spans;
use super::stopwords::{is_stop, is_weak};

pub use crate::fast_hash::FastMap;

/// One word occurrence.
#[derive(Debug, Clone, Copy)]
pub struct Tok {
    /// Byte range in its source (the text, or the title for title tokens).
    pub start: usize,
    pub end: usize,
    /// Index into [`Prepared::words`].
    pub word: u32,
    /// Punctuation (not only spaces) separates it from the previous token of
    /// the same sentence; key phrases never span it.
    pub break_before: bool,
    /// First character is upper case.
    pub cap: bool,
    /// Index of its sentence (`usize::MAX` for title tokens).
    pub sentence: usize,
}

/// A distinct lower-cased word of the document.
#[derive(Debug, Clone)]
pub struct Word {
    /// Shared with every document of the thread that has the word.
    pub lower: Rc<str>,
    /// Index into [`Prepared::stems`].
    pub stem: u32,
    pub stop: bool,
    pub weak: bool,
    /// Only digits and separators: "2015", "3.5", "1,000".
    pub numeric: bool,
    /// Occurrences in the body, and how many of them are not capitalised.
    pub count: u32,
    pub lower_count: u32,
    /// Capitalised occurrences not at the start of a sentence.
    pub inner_cap_count: u32,
}

#[derive(Debug, Clone)]
pub struct Sentence<'a> {
    pub text: &'a str,
    pub start: usize,
    /// Range into [`Prepared::tokens`].
    pub tokens: std::ops::Range<usize>,
}

/// A document split into sentences and tokens.
pub struct Prepared<'a> {
    pub text: &'a str,
    pub title: Option<&'a str>,
    pub sentences: Vec<Sentence<'a>>,
    pub tokens: Vec<Tok>,
    pub title_tokens: Vec<Tok>,
    pub words: Vec<Word>,
    /// Number of distinct stems: [`Word::stem`] is below it.
    pub stems: usize,
}

impl<'a> Prepared<'a> {
    pub fn new(text: &'a str, title: Option<&'a str>) -> Prepared<'a> {
        let mut interner = Interner::new();
        let mut sentences = Vec::new();
        let mut tokens = Vec::new();
        for (start, end) in split_sentence_spans(text) {
            let first = tokens.len();
            let sentence = sentences.len();
            for (i, raw) in word_spans(&text[start..end]).into_iter().enumerate() {
                let (s, e) = (start + raw.start, start + raw.end);
                let surface = &text[s..e];
                let cap = surface.chars().next().is_some_and(char::is_uppercase);
                let word = interner.intern(surface);
                let w = &mut interner.words[word as usize];
                w.count += 1;
                if !cap {
                    w.lower_count += 1;
                } else if i > 0 && !raw.break_before {
                    w.inner_cap_count += 1;
                }
                tokens.push(Tok {
                    start: s,
                    end: e,
                    word,
                    break_before: raw.break_before,
                    cap,
                    sentence,
                });
            }
            sentences.push(Sentence {
                text: &text[start..end],
                start,
                tokens: first..tokens.len(),
            });
        }
        let mut title_tokens = Vec::new();
        if let Some(t) = title {
            let spans = word_spans(t);
            let caps = spans
                .iter()
                .filter(|w| t[w.start..].chars().next().is_some_and(char::is_uppercase))
                .count();
            // In a sentence-case title ("Depp could be back for more
            // Pirates") a capital inside says "name", as in the body; in a
            // title-case one it says nothing.
            let sentence_case = caps * 10 < spans.len() * 6;
            for (i, raw) in spans.into_iter().enumerate() {
                let surface = &t[raw.start..raw.end];
                let cap = surface.chars().next().is_some_and(char::is_uppercase);
                let word = interner.intern(surface);
                if sentence_case && cap && i > 0 && !raw.break_before {
                    interner.words[word as usize].inner_cap_count += 1;
                }
                title_tokens.push(Tok {
                    start: raw.start,
                    end: raw.end,
                    word,
                    break_before: raw.break_before,
                    cap,
                    sentence: usize::MAX,
                });
            }
        }
        Prepared {
            text,
            title,
            sentences,
            tokens,
            title_tokens,
            words: interner.words,
            stems: interner.by_stem.len(),
        }
    }

    pub fn word(&self, t: &Tok) -> &Word {
        &self.words[t.word as usize]
    }

    /// Surface text of a token (body or title).
    pub fn surface(&self, t: &Tok) -> &'a str {
        if t.sentence == usize::MAX {
            &self.title.unwrap_or("")[t.start..t.end]
        } else {
            &self.text[t.start..t.end]
        }
    }

    pub fn sentence_tokens(&self, i: usize) -> &[Tok] {
        &self.tokens[self.sentences[i].tokens.clone()]
    }
}

struct Interner {
    by_lower: FastMap<Rc<str>, u32>,
    /// Stem (as its hash, see [`Lexicon`]) -> stem id.
    by_stem: FastMap<u64, u32>,
    words: Vec<Word>,
}

impl Interner {
    fn new() -> Interner {
        Interner {
            by_lower: FastMap::default(),
            by_stem: FastMap::default(),
            words: Vec::new(),
        }
    }

    fn intern(&mut self, surface: &str) -> u32 {
        // Most words are already in normal form: look them up without
        // allocating.
        let plain = !surface.chars().any(|c| c.is_uppercase() || c == '’');
        if plain {
            if let Some(&id) = self.by_lower.get(surface) {
                return id;
            }
        }
        let normalized;
        let lower = if plain {
            surface
        } else {
            normalized = normalize(surface);
            if let Some(&id) = self.by_lower.get(normalized.as_str()) {
                return id;
            }
            &normalized
        };
        let (lower, facts) = Lexicon::facts(lower);
        let next = self.by_stem.len() as u32;
        let stem = *self.by_stem.entry(facts.stem).or_insert(next);
        let id = self.words.len() as u32;
        self.words.push(Word {
            stop: facts.stop,
            weak: facts.weak,
            numeric: facts.numeric,
            lower: Rc::clone(&lower),
            stem,
            count: 0,
            lower_count: 0,
            inner_cap_count: 0,
        });
        self.by_lower.insert(lower, id);
        id
    }
}

/// What a lower-cased word is, whatever document it is in.
#[derive(Clone, Copy)]
struct WordFacts {
    /// Its Snowball stem as a 64-bit hash: only which words share a stem
    /// matters to the analysis, never the stem's text, so no stem is
    /// copied per document (two stems of one document sharing a hash is a
    /// one in 10^14 event).
    stem: u64,
    stop: bool,
    weak: bool,
    numeric: bool,
}

/// The words this thread has met, each once, with their [`WordFacts`].
/// A site's briefings share most of their words: a document's new word
/// costs one lookup here and a reference count, where stemming it, looking
/// it up in the stop and weak lists and copying it twice cost about half
/// of the tokenising (7 % of a cold 10k build's samples).
struct Lexicon {
    stemmer: Stemmer,
    words: FastMap<Rc<str>, WordFacts>,
}

impl Lexicon {
    /// Words kept before the lexicon starts over: a bound on a long
    /// `serve`'s memory, far above a news site's vocabulary.
    const MAX_WORDS: usize = 1 << 18;

    fn facts(lower: &str) -> (Rc<str>, WordFacts) {
        thread_local! {
            static LEXICON: RefCell<Lexicon> = RefCell::new(Lexicon {
                stemmer: Stemmer::create(Algorithm::English),
                words: FastMap::default(),
            });
        }
        LEXICON.with(|lexicon| {
            let mut lexicon = lexicon.borrow_mut();
            if let Some((word, facts)) = lexicon.words.get_key_value(lower) {
                return (Rc::clone(word), *facts);
            }
            let facts = WordFacts {
                stem: xxhash_rust::xxh3::xxh3_64(lexicon.stemmer.stem(lower).as_bytes()),
                stop: is_stop(lower),
                weak: is_weak(lower),
                numeric: is_numeric(lower),
            };
            if lexicon.words.len() >= Lexicon::MAX_WORDS {
                lexicon.words.clear();
            }
            let word: Rc<str> = Rc::from(lower);
            lexicon.words.insert(Rc::clone(&word), facts);
            (word, facts)
        })
    }
}

/// Lower case, with typographic apostrophes made plain.
pub fn normalize(surface: &str) -> String {
    surface.to_lowercase().replace('’', "'")
}

pub fn is_numeric(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_digit())
        && word
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

/// A word's byte range within a sentence, and whether punctuation separates it
/// from the previous word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawWord {
    pub start: usize,
    pub end: usize,
    pub break_before: bool,
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// Splits a piece of text into words (see the module comment).
///
/// It walks the text by byte position, decoding the characters it looks
/// at; it used to index a table of every decoded character, built per
/// call, which was a third of its time. `spans_by_table` in the tests is
/// that first version, and a property test holds the two to each other.
pub fn word_spans(text: &str) -> Vec<RawWord> {
    let len = text.len();
    // The character at byte `p` (`p` on a boundary), and where the next starts.
    let at = |p: usize| -> Option<char> { text.get(p..).and_then(|t| t.chars().next()) };
    let next = |p: usize| -> usize { p + at(p).map_or(1, char::len_utf8) };
    let prev = |p: usize| -> usize { p - text[..p].chars().next_back().map_or(1, char::len_utf8) };
    let is_alnum = |p: usize| at(p).is_some_and(char::is_alphanumeric);
    let mut out = Vec::new();
    let mut i = 0;
    let mut prev_end = 0;
    let mut first = true;
    while i < len {
        if !is_alnum(i) {
            i = next(i);
            continue;
        }
        let start = i;
        let mut j = next(i);
        while j < len {
            let Some(c) = at(j) else { break };
            if c.is_alphanumeric() {
                j += c.len_utf8();
                continue;
            }
            let before = prev(j);
            let prev_c = at(before).unwrap_or(' ');
            let after = j + c.len_utf8();
            let next_c = at(after);
            let joins = match c {
                // 3.5, 1,000
                '.' | ','
                    if prev_c.is_ascii_digit() && next_c.is_some_and(|n| n.is_ascii_digit()) =>
                {
                    true
                }
                // U.S., e.g.: a single letter then a dot then a letter
                '.' if prev_c.is_alphabetic()
                    && (before == 0 || !is_alnum(prev(before)))
                    && next_c.is_some_and(char::is_alphabetic)
                    && !is_alnum(next(after)) =>
                {
                    true
                }
                '-' | '\'' | '’' => next_c.is_some_and(char::is_alphanumeric),
                _ => false,
            };
            if joins {
                j = next(after);
            } else {
                break;
            }
        }
        // Keep the final dot of a letter-dot abbreviation such as "U.S." or "U.K.".
        if j < len && at(j) == Some('.') {
            let before = prev(j);
            if before > 0
                && at(prev(before)) == Some('.')
                && at(before).is_some_and(char::is_alphabetic)
            {
                j += 1;
            }
        }
        let word = finish_word(text, start, j.min(len), prev_end, first);
        // The gap to the next word starts at the end of this one, so a
        // dropped possessive counts as punctuation: "Tehran's nuclear
        // programme" yields no phrase "Tehran nuclear".
        prev_end = word.end;
        first = false;
        out.push(word);
        i = j;
    }
    out
}

/// The word at `text[start..end]` as found, trimmed of a possessive, and
/// whether punctuation stands between it and the last word (which ended
/// at `prev_end`; `first` when there was none).
fn finish_word(text: &str, start: usize, mut end: usize, prev_end: usize, first: bool) -> RawWord {
    // Drop a possessive 's.
    let word = &text[start..end];
    for suffix in ["'s", "’s", "'S", "’S"] {
        if word.len() > suffix.len() + 1 && word.ends_with(suffix) {
            end -= suffix.len();
            break;
        }
    }
    // A trailing apostrophe (plural possessive) is not part of the word.
    while end > start && text[..end].ends_with(is_apostrophe) {
        end -= text[..end].chars().last().map_or(1, char::len_utf8);
    }
    let gap = &text[prev_end..start];
    RawWord {
        start,
        end,
        break_before: !first && gap.chars().any(|c| !c.is_whitespace()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The splitter as it was first written, over a table of the decoded
    /// characters: the reference [`word_spans`] is checked against.
    fn spans_by_table(text: &str) -> Vec<RawWord> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut out = Vec::new();
        let mut i = 0;
        let mut prev_end = 0;
        let mut first = true;
        while i < chars.len() {
            if !chars[i].1.is_alphanumeric() {
                i += 1;
                continue;
            }
            let start_idx = i;
            let mut j = i + 1;
            while j < chars.len() {
                let c = chars[j].1;
                if c.is_alphanumeric() {
                    j += 1;
                    continue;
                }
                let prev = chars[j - 1].1;
                let next = chars.get(j + 1).map(|x| x.1);
                let joins = match c {
                    // 3.5, 1,000
                    '.' | ','
                        if prev.is_ascii_digit() && next.is_some_and(|n| n.is_ascii_digit()) =>
                    {
                        true
                    }
                    // U.S., e.g.: a single letter then a dot then a letter
                    '.' if prev.is_alphabetic()
                        && (j < 2 || !chars[j - 2].1.is_alphanumeric())
                        && next.is_some_and(char::is_alphabetic)
                        && chars.get(j + 2).is_none_or(|x| !x.1.is_alphanumeric()) =>
                    {
                        true
                    }
                    '-' | '\'' | '’' => next.is_some_and(char::is_alphanumeric),
                    _ => false,
                };
                if joins {
                    j += 2;
                } else {
                    break;
                }
            }
            // Keep the final dot of a letter-dot abbreviation such as "U.S." or "U.K.".
            if j < chars.len()
                && chars[j].1 == '.'
                && j >= 2
                && chars[j - 2].1 == '.'
                && chars[j - 1].1.is_alphabetic()
            {
                j += 1;
            }
            let start = chars[start_idx].0;
            let end = chars.get(j).map_or(text.len(), |x| x.0);
            // Trimming the word is shared: what this checks is finding it.
            let word = finish_word(text, start, end, prev_end, first);
            prev_end = word.end;
            first = false;
            out.push(word);
            i = j;
        }
        out
    }

    fn words(text: &str) -> Vec<&str> {
        word_spans(text)
            .into_iter()
            .map(|w| &text[w.start..w.end])
            .collect()
    }

    #[test]
    fn joins_abbreviations_figures_and_compounds() {
        assert_eq!(
            words("The U.S. paid $1.4bn, up 3.5%, for an off-ramp."),
            vec!["The", "U.S.", "paid", "1.4bn", "up", "3.5", "for", "an", "off-ramp"]
        );
        assert_eq!(
            words("Oslo’s plan and the owners' club"),
            vec!["Oslo", "plan", "and", "the", "owners", "club"]
        );
        assert_eq!(words("don't stop"), vec!["don't", "stop"]);
    }

    proptest::proptest! {
        /// Walking by byte position reads the words the table did, in
        /// any script and around every joiner.
        #[test]
        fn spans_are_the_table_spans(text in "[a-zA-Z0-9 .,'’\\-é日ßİ“”\u{301}]{0,60}") {
            proptest::prop_assert_eq!(word_spans(&text), spans_by_table(&text));
        }

        #[test]
        fn spans_of_any_text_are_the_table_spans(text in "\\PC{0,40}") {
            proptest::prop_assert_eq!(word_spans(&text), spans_by_table(&text));
        }
    }

    #[test]
    fn marks_punctuation_breaks() {
        let w = word_spans("red, green blue");
        assert!(!w[0].break_before && w[1].break_before && !w[2].break_before);
    }

    #[test]
    fn prepared_interns_and_stems() {
        let p = Prepared::new("Sanctions bite. The sanction stays.", None);
        assert_eq!(p.sentences.len(), 2);
        let a = p.word(&p.tokens[0]);
        let b = p.word(&p.tokens[3]);
        assert_eq!(a.stem, b.stem);
        assert!(p.word(&p.tokens[2]).stop);
    }
}
