//! Deterministic synthetic briefings for tests and the linking benchmark.
//!
//! Words are made of syllables by a seeded generator: a Zipf-like general
//! vocabulary shared by all stories plus a few topic words per topic, so that
//! briefings of one topic resemble each other the way news items on one story
//! do. Key issues and entities are drawn from per-topic pools, with surface
//! variants ("X relief", "relief from X") to exercise canonicalisation.

use chrono::{DateTime, TimeZone, Utc};

use crate::analysis::{Analysis, Entity, EntityKind, KeyIssue};
use crate::briefings::Briefing;
use crate::content::front_matter::FrontMatter;
use crate::content::{Page, PageKind};

/// A small, fast, seeded generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "to", "ri", "men", "sal", "vo", "de", "lin", "mar", "po", "quel", "tra", "bo", "nis",
    "fer", "gu", "ha", "jo", "lex", "nu", "or", "pra", "sti", "ven",
];

fn word(rng: &mut Rng) -> String {
    let n = 2 + rng.below(2);
    (0..n)
        .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
        .collect()
}

/// A page with the fields the link stage reads.
pub fn page(source: &str, date: DateTime<Utc>, tags: Vec<String>) -> Page {
    let slug = source
        .rsplit('/')
        .next()
        .unwrap_or(source)
        .trim_end_matches(".md")
        .to_string();
    Page {
        source: source.to_string(),
        file: format!("content/{source}"),
        kind: PageKind::Briefing,
        section: "briefings".into(),
        title: None,
        date: Some(date),
        updated: None,
        path: format!("/briefings/{slug}/"),
        slug,
        draft: false,
        aliases: Vec::new(),
        source_info: None,
        author: None,
        tags,
        template: None,
        front_matter: FrontMatter::default(),
        body: String::new(),
        body_line: 1,
        body_hash: Default::default(),
        released: None,
    }
}

/// A briefing from its parts.
pub fn briefing(
    source: &str,
    date: DateTime<Utc>,
    text: &str,
    issues: &[&str],
    entities: &[(&str, EntityKind)],
    tags: &[&str],
) -> Briefing {
    Briefing {
        page: page(source, date, tags.iter().map(|t| t.to_string()).collect()).into(),
        title: source.to_string(),
        title_derived: false,
        analysis: std::sync::Arc::new(Analysis {
            derived_title: None,
            bottom_line: text.split('.').next().unwrap_or("").to_string(),
            summary: Vec::new(),
            key_issues: issues
                .iter()
                .map(|l| KeyIssue {
                    label: l.to_string(),
                    score: 1.0,
                    evidence: String::new(),
                })
                .collect(),
            entities: entities
                .iter()
                .map(|(n, k)| Entity {
                    name: n.to_string(),
                    kind: *k,
                    mentions: 1,
                })
                .collect(),
        }),
        text: text.to_string().into(),
        text_hash: crate::cache::hash_bytes(text.as_bytes()),
    }
}

/// `n` synthetic briefings on `n / 25 + 1` topics, about 250 words each,
/// a few per day, in source order (not date order).
pub fn corpus(n: usize, seed: u64) -> Vec<Briefing> {
    let mut rng = Rng::new(seed);
    let general: Vec<String> = (0..8000).map(|_| word(&mut rng)).collect();
    let topics = n / 25 + 1;
    let topic_words: Vec<Vec<String>> = (0..topics)
        .map(|_| (0..12).map(|_| word(&mut rng)).collect())
        .collect();
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 6, 0, 0).unwrap();
    (0..n)
        .map(|i| {
            let t = rng.below(topics);
            let mut text = String::new();
            for s in 0..12 {
                for w in 0..20 {
                    // Zipf-like: the square of a uniform draw favours low ranks.
                    let word = if rng.below(5) == 0 {
                        &topic_words[t][rng.below(12)]
                    } else {
                        let r = rng.below(general.len());
                        &general[r * r / general.len()]
                    };
                    if w > 0 {
                        text.push(' ');
                    }
                    text.push_str(word);
                }
                text.push_str(if s % 4 == 3 { ".\n\n" } else { ". " });
            }
            let tw = &topic_words[t];
            let issue_a = match rng.below(3) {
                0 => format!("{} relief", tw[0]),
                1 => format!("{}s relief", tw[0]),
                _ => format!("relief from {}s", tw[0]),
            };
            let issue_b = format!("{} {}", tw[1], tw[2]);
            let place = format!("{}land", tw[3]);
            let person = format!("{} {}", tw[4], tw[5]);
            let date = start + chrono::Duration::minutes((i as i64) * 137 % (n as i64 * 90 + 1));
            briefing(
                &format!("briefings/b{i:06}.md"),
                date,
                &text,
                &[&issue_a, &issue_b],
                &[(&place, EntityKind::Place), (&person, EntityKind::Person)],
                &[],
            )
        })
        .collect()
}
