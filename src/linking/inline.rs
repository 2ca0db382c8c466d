//! Inline links: which phrases of a briefing's body link to which hub.
//!
//! The Markdown renderer places a link on the first mention of a phrase; it
//! can only find phrases that are really in the text. A hub's canonical name
//! often is not ("Sanctions relief" for a briefing that wrote "relief from
//! sanctions"), so for each hub the briefing belongs to we look for the
//! briefing's own spelling first, then the hub's other spellings, and hand
//! over the phrase exactly as the text writes it.

use super::hubs::{issue_key_with, HubSet};
use super::text::{words, FastSet, Stems};
use crate::briefings::Briefing;

/// A hub a phrase links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HubRef {
    Issue(usize),
    Entity(usize),
}

/// A phrase of the body (as written there) and the hub it links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineLink {
    pub phrase: String,
    pub hub: HubRef,
}

/// The byte offset of the first whole-word, ASCII-case-insensitive match of
/// `phrase` in `text` (`lower` is `text` lower-cased ASCII-wise, so offsets
/// agree).
fn find_word(text: &str, lower: &str, phrase: &str) -> Option<usize> {
    let needle = phrase.trim().to_ascii_lowercase();
    if needle.is_empty() {
        return None;
    }
    let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut from = 0;
    while let Some(at) = lower[from..].find(&needle) {
        let start = from + at;
        let end = start + needle.len();
        if !is_word(text[..start].chars().next_back()) && !is_word(text[end..].chars().next()) {
            return Some(start);
        }
        from = start + needle.chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// Byte spans of the words of a text.
fn spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (at, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(at),
            (false, Some(s)) => {
                out.push((s, at));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// A Snowball stem is a prefix of its word once a final "i" (for "y":
/// "polici") or "e" (restored: "hope" from "hoping") is dropped; used to skip
/// stemming words that cannot match.
fn stem_prefix(stem: &str) -> &str {
    stem.strip_suffix(['i', 'e']).unwrap_or(stem)
}

fn starts_with_ignore_case(word: &str, prefix: &str) -> bool {
    word.len() >= prefix.len()
        && word.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// The first run of words whose content stems are exactly the issue key's
/// ("relief from sanctions" for the key of "sanctions relief"): a phrase in
/// another word order or inflection still gets its link. The run must not
/// cross punctuation other than hyphens and apostrophes, and may hold stop
/// words only between key words.
fn find_by_key(
    text: &str,
    words: &[(usize, usize)],
    key: &str,
    stems: &mut Stems,
) -> Option<(usize, usize)> {
    let key: Vec<&str> = key.split(' ').collect();
    let prefixes: Vec<&str> = key.iter().map(|k| stem_prefix(k)).collect();
    let word = |i: usize| &text[words[i].0..words[i].1];
    for s in 0..words.len() {
        if !prefixes.iter().any(|p| starts_with_ignore_case(word(s), p)) {
            continue;
        }
        match stems.content_stem(word(s)) {
            Some(st) if key.contains(&st) => {}
            _ => continue,
        }
        let mut seen: Vec<String> = Vec::new();
        for e in s..words.len().min(s + 2 * key.len() + 2) {
            if e > s {
                let gap = &text[words[e - 1].1..words[e].0];
                if !gap
                    .chars()
                    .all(|c| c == ' ' || c == '-' || c == '\'' || c == '’')
                {
                    break;
                }
            }
            if let Some(st) = stems.content_stem(word(e)) {
                if !key.contains(&st) {
                    break;
                }
                if !seen.iter().any(|x| x == st) {
                    seen.push(st.to_string());
                }
            }
            if seen.len() == key.len() {
                return Some((words[s].0, words[e].1));
            }
        }
    }
    None
}

/// The hubs briefing `i` (of the model's order) may link to inline, each
/// with the briefing's own spelling, in priority order: its key issues (in
/// the analysis' order), then its entities, then its front-matter tags. A
/// hub can come more than once (a tag naming a key issue).
pub(super) fn candidates<'a>(
    b: &'a Briefing,
    hubs: &'a HubSet,
    i: usize,
) -> impl Iterator<Item = (&'a str, HubRef)> + 'a {
    let issues = b.analysis.key_issues.iter().zip(&hubs.issue_links[i]);
    let issues = issues.filter_map(|(k, h)| h.map(|h| (k.label.as_str(), HubRef::Issue(h))));
    let entities = b.analysis.entities.iter().zip(&hubs.entity_links[i]);
    let entities = entities.filter_map(|(e, h)| h.map(|h| (e.name.as_str(), HubRef::Entity(h))));
    let tags = b.page.tags.iter().zip(&hubs.tag_links[i]);
    let tags = tags.filter_map(|(t, h)| h.map(|h| (t.as_str(), h)));
    issues.chain(entities).chain(tags)
}

/// For every briefing, the key of everything its inline links are found
/// from ([`phrases`]): its text, the most it may have, and per candidate
/// hub ([`candidates`]) the briefing's spelling, the hub's kind and
/// spellings, and which earlier candidate is the same hub. Hub numbers are
/// not in it: they shift whenever a new hub sorts before others, and the
/// links of a briefing whose hubs kept their spellings stay the same.
pub(super) fn input_keys(briefings: &[Briefing], hubs: &HubSet, max: usize) -> Vec<u128> {
    use crate::cache::StableHasher;
    use rayon::prelude::*;
    let spellings = |list: &[super::hubs::Hub]| -> Vec<u128> {
        list.par_iter()
            .map(|hub| {
                let mut h = StableHasher::default();
                h.number(hub.surface_forms.len() as u64);
                for form in &hub.surface_forms {
                    h.field(form.as_bytes());
                }
                h.finish()
            })
            .collect()
    };
    let (issues, entities) = rayon::join(|| spellings(&hubs.issues), || spellings(&hubs.entities));
    briefings
        .par_iter()
        .enumerate()
        .map(|(i, b)| {
            let mut h = StableHasher::default();
            h.wide(b.text_hash).number(max as u64);
            let mut seen: Vec<HubRef> = Vec::new();
            for (own, hub) in candidates(b, hubs, i) {
                let (kind, forms) = match hub {
                    HubRef::Issue(x) => (0, issues[x]),
                    HubRef::Entity(x) => (1, entities[x]),
                };
                let same = seen.iter().position(|&s| s == hub).map_or(0, |at| at + 1);
                h.field(own.as_bytes())
                    .number(kind)
                    .wide(forms)
                    .number(same as u64);
                seen.push(hub);
            }
            h.number(seen.len() as u64).finish()
        })
        .collect()
}

/// For every briefing, its inline links in priority order: key issues (in
/// the analysis' order), then entities, then front-matter tags; one per hub,
/// one per phrase, and only phrases found in the text; at most `max` (the
/// renderer places no more than that).
/// `previous(i)`, when it gives a list, is briefing `i`'s list as it was
/// and is taken as it is (see [`super::LinkMemo`]).
pub(super) fn phrases<'p>(
    briefings: &[Briefing],
    hubs: &HubSet,
    max: usize,
    previous: impl Fn(usize) -> Option<&'p Vec<InlineLink>> + Sync,
) -> Vec<Vec<InlineLink>> {
    use rayon::prelude::*;
    briefings
        .par_iter()
        .enumerate()
        .map_init(Stems::default, |stems, (i, b)| {
            if let Some(links) = previous(i) {
                return links.clone();
            }
            let text = b.text.as_str();
            let mut word_spans: Option<Vec<(usize, usize)>> = None;
            let lower = text.to_ascii_lowercase();
            // The text's words, to rule out most phrases without scanning
            // the text: a phrase can only occur if each of its words does.
            // Built on first need: a briefing's own spelling is usually in
            // its text and is searched for directly.
            let mut vocabulary: Option<FastSet<&str>> = None;
            let mut may_occur = |form: &str| {
                let vocabulary = vocabulary.get_or_insert_with(|| {
                    let mut v = FastSet::default();
                    v.reserve(text.len() / 6);
                    v.extend(words(&lower));
                    v
                });
                form.split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .all(|w| {
                        let w = w.to_ascii_lowercase();
                        vocabulary.contains(w.as_str())
                    })
            };
            let mut links: Vec<InlineLink> = Vec::new();
            let mut try_hub = |own: &str, hub: HubRef| {
                if links.len() >= max || links.iter().any(|l| l.hub == hub) {
                    return;
                }
                let forms = match hub {
                    HubRef::Issue(h) => &hubs.issues[h].surface_forms,
                    HubRef::Entity(h) => &hubs.entities[h].surface_forms,
                };
                let mut tried: Vec<&str> = Vec::new();
                for form in std::iter::once(own).chain(forms.iter().map(String::as_str)) {
                    // Spellings differing only in case find the same text.
                    if tried.iter().any(|t| t.eq_ignore_ascii_case(form)) {
                        continue;
                    }
                    tried.push(form);
                    if tried.len() > 1 && !may_occur(form) {
                        continue;
                    }
                    if let Some(at) = find_word(text, &lower, form) {
                        let phrase = text[at..at + form.trim().len()].to_string();
                        if links.iter().any(|l| l.phrase.eq_ignore_ascii_case(&phrase)) {
                            continue;
                        }
                        links.push(InlineLink { phrase, hub });
                        return;
                    }
                }
                // Issues only: the same words in another order or inflection.
                if let HubRef::Issue(_) = hub {
                    let key = issue_key_with(own, stems);
                    // Cheap pre-check before scanning the words.
                    if !key.split(' ').all(|st| lower.contains(stem_prefix(st))) {
                        return;
                    }
                    let words = word_spans.get_or_insert_with(|| spans(text));
                    if let Some((s, e)) = find_by_key(text, words, &key, stems) {
                        let phrase = text[s..e].to_string();
                        if !links.iter().any(|l| l.phrase.eq_ignore_ascii_case(&phrase)) {
                            links.push(InlineLink { phrase, hub });
                        }
                    }
                }
            };
            for (own, hub) in candidates(b, hubs, i) {
                try_hub(own, hub);
            }
            links
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::find_word;
    use crate::linking::issue_key;

    #[test]
    fn finds_whole_words_only() {
        let t = "Sanctionsrelief aside, relief from sanctions.";
        let l = t.to_ascii_lowercase();
        assert_eq!(find_word(t, &l, "Relief from Sanctions"), Some(23));
        assert_eq!(find_word(t, &l, "sanctions relief"), None);
        assert_eq!(find_word("Oman's role", "oman's role", "Oman"), Some(0));
    }

    #[test]
    fn finds_issues_in_other_word_orders() {
        let t = "Talks, relief. Then relief from the sanctions came.";
        let mut st = super::Stems::default();
        let w = super::spans(t);
        let key = issue_key("sanction relief");
        let (s, e) = super::find_by_key(t, &w, &key, &mut st).unwrap();
        assert_eq!(&t[s..e], "relief from the sanctions");
    }
}
