//! Words as the link stage compares them: lower-cased, stop words dropped,
//! Snowball-stemmed, so that "sanctions", "Sanction" and "sanctioned" meet.

use rust_stemmers::{Algorithm, Stemmer};

/// Function words that say nothing about a topic. A generic English list
/// (the usual closed-class words: articles, pronouns, auxiliaries,
/// prepositions, conjunctions, common adverbs) plus a few reporting verbs
/// ("said", "says") that occur in nearly every news item and would otherwise
/// dominate raw counts.
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "across", "after", "afterwards", "again", "against", "all", "almost",
    "alone", "along", "already", "also", "although", "always", "am", "among", "amongst", "an",
    "and", "another", "any", "anyhow", "anyone", "anything", "anyway", "anywhere", "are", "around",
    "as", "at", "back", "be", "became", "because", "become", "becomes", "becoming", "been",
    "before", "beforehand", "behind", "being", "below", "beside", "besides", "between", "beyond",
    "both", "but", "by", "can", "cannot", "could", "did", "do", "does", "doing", "done", "down",
    "due", "during", "each", "eg", "either", "else", "elsewhere", "enough", "etc", "even", "ever",
    "every", "everyone", "everything", "everywhere", "except", "few", "for", "former", "formerly",
    "from", "further", "get", "gets", "got", "had", "has", "have", "having", "he", "hence", "her",
    "here", "hereafter", "hereby", "herein", "hers", "herself", "him", "himself", "his", "how",
    "however", "i", "ie", "if", "in", "indeed", "into", "is", "it", "its", "itself", "just",
    "last", "latter", "least", "less", "made", "make", "many", "may", "me", "meanwhile", "might",
    "mine", "more", "moreover", "most", "mostly", "much", "must", "my", "myself", "namely",
    "neither", "never", "nevertheless", "next", "no", "nobody", "none", "nor", "not", "nothing",
    "now", "nowhere", "of", "off", "often", "on", "once", "one", "only", "onto", "or", "other",
    "others", "otherwise", "our", "ours", "ourselves", "out", "over", "own", "per", "perhaps",
    "please", "rather", "really", "re", "said", "same", "say", "says", "see", "seem", "seemed",
    "seeming", "seems", "several", "she", "should", "since", "so", "some", "somehow", "someone",
    "something", "sometime", "sometimes", "somewhere", "still", "such", "than", "that", "the",
    "their", "theirs", "them", "themselves", "then", "thence", "there", "thereafter", "thereby",
    "therefore", "therein", "thereupon", "these", "they", "this", "those", "though", "through",
    "throughout", "thru", "thus", "to", "together", "too", "toward", "towards", "under", "until",
    "up", "upon", "us", "very", "via", "was", "we", "well", "were", "what", "whatever", "when",
    "whence", "whenever", "where", "whereafter", "whereas", "whereby", "wherein", "whereupon",
    "wherever", "whether", "which", "while", "whither", "who", "whoever", "whole", "whom", "whose",
    "why", "will", "with", "within", "without", "would", "yet", "you", "your", "yours", "yourself",
    "yourselves", "mr", "mrs", "ms", "s", "t", "ll", "ve", "d",
];

use crate::fast_hash::WordList;
pub use crate::fast_hash::{FastMap, FastSet};

static STOPS: WordList = WordList::new(STOP_WORDS);

pub fn is_stop_word(word: &str) -> bool {
    STOPS.contains(word)
}

/// Splits on anything that is not a letter or digit; an apostrophe ends a
/// word too, so "Iran's" gives "iran" (and a dropped "s").
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// A stemmer with a cache: news text repeats its words, and the Snowball
/// stemmer costs more than a hash lookup.
pub struct Stems {
    stemmer: Stemmer,
    cache: FastMap<String, Option<String>>,
    lower: String,
}

impl Default for Stems {
    fn default() -> Self {
        Stems {
            stemmer: Stemmer::create(Algorithm::English),
            cache: FastMap::default(),
            lower: String::new(),
        }
    }
}

impl Stems {
    /// The stem of a content word, or `None` for stop words, single
    /// characters and pure numbers (figures change from story to story and
    /// say little about the topic).
    pub fn content_stem(&mut self, word: &str) -> Option<&str> {
        self.lower.clear();
        for c in word.chars() {
            self.lower.extend(c.to_lowercase());
        }
        if !self.cache.contains_key(self.lower.as_str()) {
            let keep = self.lower.chars().count() > 1
                && !self.lower.chars().all(|c| c.is_ascii_digit())
                && !is_stop_word(&self.lower);
            let stem = keep.then(|| self.stemmer.stem(&self.lower).into_owned());
            self.cache.insert(self.lower.clone(), stem);
        }
        self.cache[self.lower.as_str()].as_deref()
    }
}

/// Stemmed content words of `text`, in order (repeats kept).
#[cfg(test)]
pub fn content_stems(text: &str, stems: &mut Stems) -> Vec<String> {
    words(text)
        .filter_map(|w| stems.content_stem(w).map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_merge_inflections_and_drop_stop_words() {
        let mut s = Stems::default();
        assert_eq!(
            content_stems("Relief from the Sanctions", &mut s),
            vec!["relief", "sanction"]
        );
        assert_eq!(
            content_stems("sanction relief 2024", &mut s),
            vec!["sanction", "relief"]
        );
        assert_eq!(content_stems("Iran's", &mut s), vec!["iran"]);
    }
}
