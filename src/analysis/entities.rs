//! Named entities: people, places, organisations and groups.
//!
//! A rule-based recogniser in the tradition of capitalisation-and-gazetteer
//! NER (cf. Mikheev, Moens & Grover 1999, who also use "is this word seen in
//! lower case elsewhere in the document?" to resolve sentence-initial
//! capitals):
//!
//! 1. editor aliases (site.toml `[aliases]`) are matched in the text first, so
//!    that a variant such as "Biden administration" counts for its canonical
//!    name even though it is not all capitalised;
//! 2. the built-in gazetteer is matched greedily, longest name first
//!    ("Gulf of Oman" before "Oman"), demonyms mapping to their country;
//! 3. other runs of capitalised words are names; a sentence-initial capital is
//!    trusted only if the word is not a stop word, is never written in lower
//!    case in the document, and (alone) is seen capitalised mid-sentence too;
//! 4. the kind comes from cues: an honorific or title before the name means a
//!    person; a suffix such as "Ministry", "Council", "Agency", "Bank" an
//!    organisation; "Sea", "River", "Province" a place; a plural demonym-like
//!    word ("-ists", "-ians") a group; an unknown acronym an organisation. A
//!    multi-word name whose last word is also used alone ("Maria Lopez" ...
//!    "Lopez said") is a person, and those mentions are merged;
//! 5. aliases are applied last to the names found.

use std::collections::HashMap;

use super::gazetteer;
use super::tokens::{normalize, FastMap, Prepared, Tok};
use super::{Aliases, Entity, EntityKind};
use crate::fast_hash::WordList;

/// Most entities reported for one document.
const MAX_ENTITIES: usize = 50;

/// Titles that precede a person's name (lower case, no dot).
const HONORIFICS: &[&str] = &[
    "ambassador",
    "ayatollah",
    "bishop",
    "capt",
    "captain",
    "chancellor",
    "chief",
    "coach",
    "col",
    "colonel",
    "commissioner",
    "congressman",
    "congresswoman",
    "dame",
    "dr",
    "gen",
    "general",
    "gov",
    "governor",
    "judge",
    "justice",
    "king",
    "lady",
    "lord",
    "lt",
    "madam",
    "mayor",
    "minister",
    "miss",
    "mr",
    "mrs",
    "ms",
    "pope",
    "premier",
    "president",
    "prince",
    "princess",
    "prof",
    "professor",
    "queen",
    "rabbi",
    "rep",
    "representative",
    "secretary",
    "sen",
    "senator",
    "sgt",
    "sheikh",
    "sir",
    "speaker",
];

/// Last words that make a name an organisation.
const ORG_SUFFIXES: &[&str] = &[
    "academy",
    "agency",
    "airlines",
    "airways",
    "alliance",
    "assembly",
    "association",
    "authority",
    "bank",
    "board",
    "bureau",
    "cabinet",
    "club",
    "co",
    "command",
    "commission",
    "committee",
    "company",
    "conference",
    "congress",
    "corp",
    "corporation",
    "council",
    "court",
    "department",
    "directorate",
    "federation",
    "forces",
    "foundation",
    "front",
    "fund",
    "group",
    "guard",
    "guards",
    "inc",
    "institute",
    "league",
    "ltd",
    "media",
    "ministry",
    "movement",
    "network",
    "office",
    "organisation",
    "organization",
    "parliament",
    "partners",
    "party",
    "police",
    "school",
    "senate",
    "service",
    "society",
    "tribunal",
    "trust",
    "union",
    "university",
];

/// First words that make "X of Y" an organisation.
const ORG_PREFIXES: &[&str] = &[
    "bank",
    "board",
    "church",
    "council",
    "court",
    "department",
    "house",
    "ministry",
    "office",
    "university",
];

/// Last words that make a name a place.
const PLACE_SUFFIXES: &[&str] = &[
    "avenue",
    "bay",
    "canal",
    "city",
    "coast",
    "county",
    "desert",
    "district",
    "gulf",
    "island",
    "islands",
    "lake",
    "mountain",
    "mountains",
    "ocean",
    "peninsula",
    "province",
    "region",
    "republic",
    "river",
    "road",
    "sea",
    "state",
    "strait",
    "street",
    "valley",
];

/// Capitalised words that are not names on their own.
const NOT_NAMES: &[&str] = &[
    "eastern", "internet", "islamic", "northern", "southern", "western",
];

/// Words that may join the capitalised words of one name ("Gulf of Oman",
/// "Abu Bakr al Baghdadi", "Ludwig van Beethoven").
const CONNECTORS: &[&str] = &[
    "al", "bin", "da", "de", "del", "der", "di", "du", "la", "le", "of", "van", "von",
];

struct Found {
    name: String,
    kind: EntityKind,
    mentions: u32,
    first: usize,
}

#[derive(Default)]
struct Table {
    index: FastMap<String, usize>,
    found: Vec<Found>,
}

impl Table {
    fn add(&mut self, name: &str, kind: EntityKind, pos: usize) {
        if name.trim().is_empty() {
            return;
        }
        match self.index.get(name) {
            Some(&i) => {
                let f = &mut self.found[i];
                f.mentions += 1;
                // A known kind beats "other".
                if f.kind == EntityKind::Other {
                    f.kind = kind;
                }
            }
            None => {
                self.index.insert(name.to_string(), self.found.len());
                self.found.push(Found {
                    name: name.to_string(),
                    kind,
                    mentions: 1,
                    first: pos,
                });
            }
        }
    }
}

/// Is token `i` (of sentence `si`) the first word of its sentence, or of a
/// quotation or parenthesis inside it ("“Frankly, the deal …”")? Such a
/// capital says nothing about the word being a name.
fn clause_initial(p: &Prepared, toks: &[Tok], i: usize, si: usize) -> bool {
    if i == 0 {
        return true;
    }
    let from = toks[i - 1].end.max(p.sentences[si].start);
    p.text
        .get(from..toks[i].start)
        .is_some_and(|gap| gap.contains(['“', '"', '‘', '(', '[', '«']))
}

fn is_particle_name(lower: &str) -> bool {
    ["al-", "el-", "ad-", "as-"].iter().any(|p| {
        lower
            .strip_prefix(p)
            .is_some_and(|rest| rest.chars().count() > 1)
    })
}

// The lists above, looked up by hash.
static CONNECTORS_SET: WordList = WordList::new(CONNECTORS);
static HONORIFICS_SET: WordList = WordList::new(HONORIFICS);
static NOT_NAMES_SET: WordList = WordList::new(NOT_NAMES);
static ORG_PREFIXES_SET: WordList = WordList::new(ORG_PREFIXES);
static ORG_SUFFIXES_SET: WordList = WordList::new(ORG_SUFFIXES);
static PLACE_SUFFIXES_SET: WordList = WordList::new(PLACE_SUFFIXES);

/// Mostly upper-case text (a shouted headline, an all-caps document): its
/// capitals say nothing about names.
fn shouting(p: &Prepared, toks: &[Tok]) -> bool {
    let (mut upper, mut letters) = (0usize, 0usize);
    for t in toks {
        for c in p.surface(t).chars().filter(|c| c.is_alphabetic()) {
            letters += 1;
            if c.is_uppercase() {
                upper += 1;
            }
        }
    }
    toks.len() >= 2 && letters >= 6 && upper * 10 >= letters * 8
}

pub fn extract(p: &Prepared, aliases: &Aliases) -> Vec<Entity> {
    // Aliases as lower-case word sequences, longest first.
    let mut alias_seqs: Vec<(Vec<String>, &str)> = aliases
        .iter()
        .map(|(variant, canonical)| {
            let words = super::tokens::word_spans(variant)
                .into_iter()
                .map(|w| normalize(&variant[w.start..w.end]))
                .collect::<Vec<_>>();
            (words, canonical.as_str())
        })
        .filter(|(w, _)| !w.is_empty())
        .collect();
    alias_seqs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));

    let mut table = Table::default();
    for si in 0..p.sentences.len() {
        let toks = p.sentence_tokens(si);
        let loud = shouting(p, toks);
        let mut i = 0;
        while i < toks.len() {
            let pos = p.sentences[si].tokens.start + i;
            // 1. Editor aliases.
            if let Some((len, canonical)) = match_alias(p, toks, i, &alias_seqs) {
                let kind =
                    gazetteer::lookup(&normalize(canonical)).map_or(EntityKind::Other, |g| g.1);
                table.add(canonical, kind, pos);
                i += len;
                continue;
            }
            let t = &toks[i];
            if !t.cap || loud {
                i += 1;
                continue;
            }
            let w = p.word(t);
            // Sentence-initial capitals of ordinary words.
            if clause_initial(p, toks, i, si)
                && (w.stop || w.weak || w.lower_count > 0)
                && !HONORIFICS_SET.contains(&w.lower)
            {
                i += 1;
                continue;
            }
            // 2. Gazetteer, longest match first.
            if let Some((len, name, kind)) = match_gazetteer(p, toks, i) {
                table.add(name, kind, pos);
                i += len;
                continue;
            }
            // 3. A run of capitalised words.
            let mut j = i + 1;
            // An abbreviated title's dot ("Mr. Berg") does not break a name.
            let titled_dot = |j: usize| {
                HONORIFICS_SET.contains(&p.word(&toks[j - 1]).lower)
                    && p.text[toks[j - 1].end..toks[j].start].trim() == "."
            };
            while j < toks.len() && (!toks[j].break_before || titled_dot(j)) {
                let wj = p.word(&toks[j]);
                if toks[j].cap && !wj.stop {
                    j += 1;
                } else if is_particle_name(&wj.lower) {
                    // "Tariq bin Hamad al-Marzouqi": an Arabic article joined to a name.
                    j += 1;
                } else if CONNECTORS_SET.contains(&wj.lower)
                    && j + 1 < toks.len()
                    && toks[j + 1].cap
                    && !toks[j + 1].break_before
                {
                    j += 2;
                } else {
                    break;
                }
            }
            let run = &toks[i..j];
            let initial = clause_initial(p, toks, i, si);
            i = j;
            let lowers: Vec<&str> = run.iter().map(|t| &*p.word(t).lower).collect();
            if run.len() == 1 {
                let w = p.word(&run[0]);
                if (initial && w.inner_cap_count == 0)
                    || w.lower_count > 0
                    || w.stop
                    || w.weak
                    || w.numeric
                    || NOT_NAMES_SET.contains(&w.lower)
                    || HONORIFICS_SET.contains(&w.lower)
                {
                    continue;
                }
            }
            let (name, kind) = classify(p, run, &lowers);
            if let Some(name) = name {
                table.add(&name, kind, pos);
            }
        }
    }

    merge_surnames(&mut table);

    // 5. Aliases on the names found.
    let mut merged = Table::default();
    let lower_aliases: HashMap<String, &str> = aliases
        .iter()
        .map(|(k, v)| (normalize(k), v.as_str()))
        .collect();
    for f in &table.found {
        let (name, kind) = match lower_aliases.get(&normalize(&f.name)) {
            Some(c) => (
                c.to_string(),
                gazetteer::lookup(&normalize(c)).map_or(f.kind, |g| g.1),
            ),
            None => (f.name.clone(), f.kind),
        };
        for _ in 0..f.mentions {
            merged.add(&name, kind, f.first);
        }
        let idx = merged.index[&name];
        merged.found[idx].first = merged.found[idx].first.min(f.first);
    }

    let mut found = merged.found;
    found.sort_by(|a, b| {
        b.mentions
            .cmp(&a.mentions)
            .then(a.first.cmp(&b.first))
            .then(a.name.cmp(&b.name))
    });
    found.truncate(MAX_ENTITIES);
    found
        .into_iter()
        .map(|f| Entity {
            name: f.name,
            kind: f.kind,
            mentions: f.mentions,
        })
        .collect()
}

fn match_alias<'s>(
    p: &Prepared,
    toks: &[Tok],
    i: usize,
    seqs: &'s [(Vec<String>, &'s str)],
) -> Option<(usize, &'s str)> {
    seqs.iter().find_map(|(words, canonical)| {
        let len = words.len();
        let fits = i + len <= toks.len()
            && toks[i + 1..i + len].iter().all(|t| !t.break_before)
            && words
                .iter()
                .zip(&toks[i..i + len])
                .all(|(w, t)| **w == *p.word(t).lower);
        fits.then_some((len, *canonical))
    })
}

fn match_gazetteer(
    p: &Prepared,
    toks: &[Tok],
    i: usize,
) -> Option<(usize, &'static str, EntityKind)> {
    let max = gazetteer::MAX_WORDS.min(toks.len() - i);
    for len in (1..=max).rev() {
        let span = &toks[i..i + len];
        // The gazetteer key is explicit, so a lower-case last word is fine
        // ("Bab el-Mandeb"); a single word must still be capitalised.
        if span[1..].iter().any(|t| t.break_before) || (len == 1 && !span[0].cap) {
            continue;
        }
        let key = span
            .iter()
            .map(|t| &*p.word(t).lower)
            .collect::<Vec<_>>()
            .join(" ");
        if let Some((name, kind)) = gazetteer::lookup(&key) {
            return Some((len, name, kind));
        }
    }
    // "Iranian-backed": the part before the hyphen.
    let lower = &p.word(&toks[i]).lower;
    if let Some((head, _)) = lower.split_once('-') {
        if let Some((name, kind)) = gazetteer::lookup(head) {
            return Some((1, name, kind));
        }
    }
    None
}

/// Name and kind of a run of capitalised words.
fn classify(p: &Prepared, run: &[Tok], lowers: &[&str]) -> (Option<String>, EntityKind) {
    let surface = |r: &[Tok]| -> String {
        r.iter()
            .map(|t| p.surface(t).replace('’', "'"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let first = lowers[0];
    let last = lowers[lowers.len() - 1];
    // Honorific + name: a person, named without the title.
    if run.len() >= 2 && HONORIFICS_SET.contains(first) {
        let mut k = 1;
        while k < run.len() - 1 && HONORIFICS_SET.contains(lowers[k]) {
            k += 1;
        }
        // "Prime Minister X": skip "prime" too.
        return (Some(surface(&run[k..])), EntityKind::Person);
    }
    // "Foreign Minister X", "Deputy Director General X": a title ending in an
    // honorific, then the name. The last honorific before the name ends the title.
    if run.len() >= 3 && !lowers.contains(&"of") {
        if let Some(k) = (1..run.len() - 1)
            .rev()
            .find(|&k| HONORIFICS_SET.contains(lowers[k]))
        {
            return (Some(surface(&run[k + 1..])), EntityKind::Person);
        }
    }
    if run.len() >= 2 && first == "prime" && lowers.get(1) == Some(&"minister") {
        if run.len() > 2 {
            return (Some(surface(&run[2..])), EntityKind::Person);
        }
        return (None, EntityKind::Other);
    }
    let name = surface(run);
    if ORG_SUFFIXES_SET.contains(last) || (run.len() >= 3 && ORG_PREFIXES_SET.contains(first)) {
        return (Some(name), EntityKind::Organization);
    }
    // "North Atlantic", "South Sudan"-like names: a compass word before a
    // name mostly makes a region.
    let compass = [
        "north", "south", "east", "west", "northern", "southern", "eastern", "western",
    ];
    if run.len() >= 2
        && (PLACE_SUFFIXES_SET.contains(last) || (run.len() == 2 && compass.contains(&first)))
    {
        return (Some(name), EntityKind::Place);
    }
    let letters: Vec<char> = name.chars().filter(|c| c.is_alphabetic()).collect();
    if run.len() == 1
        && (2..=6).contains(&letters.len())
        && letters.iter().all(|c| c.is_uppercase())
    {
        return (Some(name), EntityKind::Organization);
    }
    if run.len() == 1
        && (last.ends_with("ists") || last.ends_with("ians") || last.ends_with("ites"))
    {
        return (Some(name), EntityKind::Group);
    }
    (Some(name), EntityKind::Other)
}

/// "Maria Lopez" ... "Lopez": the single word is the same person.
fn merge_surnames(table: &mut Table) {
    let n = table.found.len();
    for i in 0..n {
        let parts: Vec<String> = table.found[i].name.split(' ').map(str::to_string).collect();
        if parts.len() < 2
            || parts.len() > 3
            || !matches!(table.found[i].kind, EntityKind::Other | EntityKind::Person)
        {
            continue;
        }
        let surname = parts[parts.len() - 1].clone();
        if let Some(&j) = table.index.get(&surname) {
            if j != i
                && matches!(table.found[j].kind, EntityKind::Other | EntityKind::Person)
                && table.found[j].mentions > 0
            {
                let m = table.found[j].mentions;
                table.found[j].mentions = 0;
                table.found[i].mentions += m;
                table.found[i].kind = EntityKind::Person;
            }
        } else if table.found[i].kind == EntityKind::Person {
            continue;
        }
    }
    table.found.retain(|f| f.mentions > 0);
    table.index = table
        .found
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.clone(), i))
        .collect();
}

#[cfg(test)]
mod tests {
    use crate::analysis::{analyze, Aliases, AnalysisOptions, CorpusStats, Document, EntityKind};

    fn entities(text: &str) -> Vec<(String, EntityKind)> {
        let doc = Document { title: None, text };
        analyze(
            &doc,
            &AnalysisOptions::default(),
            &CorpusStats::default(),
            &Aliases::new(),
        )
        .entities
        .into_iter()
        .map(|e| (e.name, e.kind))
        .collect()
    }

    #[test]
    fn gazetteer_names_with_a_lower_case_word() {
        let e = entities("Two tankers were hit near the Bab el-Mandeb strait on Monday.");
        assert!(
            e.contains(&("Bab el-Mandeb".to_string(), EntityKind::Place)),
            "{e:?}"
        );
    }

    #[test]
    fn a_title_before_a_name_marks_a_person_and_is_dropped() {
        let e =
            entities("Deputy Foreign Minister Leila Haddad al-Amin said the talks would go on.");
        assert!(
            e.contains(&("Leila Haddad al-Amin".to_string(), EntityKind::Person)),
            "{e:?}"
        );
    }

    #[test]
    fn the_first_word_of_a_quotation_is_not_a_name() {
        let e = entities(
            "The minister spoke in Lagos. “Frankly, the tariff should have been settled,” \
             said Okafor. Aides agreed: “Frankly, nobody expected this.” \
             Okafor later met (Reportedly) the envoy in Accra.",
        );
        let names: Vec<&str> = e.iter().map(|(n, _)| n.as_str()).collect();
        assert!(!names.contains(&"Frankly"), "{names:?}");
        assert!(!names.contains(&"Reportedly"), "{names:?}");
        assert!(names.contains(&"Okafor"), "{names:?}");
        assert!(names.contains(&"Lagos"), "{names:?}");
    }
}
