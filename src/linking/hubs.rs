//! Hubs: one per canonical key issue and per entity, gathering the
//! briefings that mention it.
//!
//! Key issues are canonicalised so that inflections, word order and
//! function words do not split a topic: "sanction relief", "Sanctions
//! relief" and "relief from sanctions" all have the key `relief sanction`
//! (the sorted set of stemmed content words). Curated `[[issues]]` come
//! first: a label whose key equals the key of a curated issue's name or of
//! one of its `match` phrases belongs to that curated hub.

use rayon::prelude::*;
use std::collections::BTreeMap;

// Fx, not SipHash: every key is the site's own text, and every table
// iterated for output is sorted first (see `fast_hash`).
use crate::fast_hash::{FastMap as HashMap, FastSet as HashSet};

use chrono::{DateTime, Utc};

use super::inline::HubRef;
use super::text::{words, Stems};
use super::{date_of, LinkOptions};
use crate::analysis::EntityKind;
use crate::briefings::Briefing;
use crate::content::slugify;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HubKind {
    Issue,
    Entity(EntityKind),
}

/// A key issue or entity with every briefing on it.
#[derive(Debug, Clone)]
pub struct Hub {
    pub slug: String,
    pub name: String,
    pub kind: HubKind,
    /// Briefing indices, newest first.
    pub members: Vec<usize>,
    /// The newest member's date.
    pub latest: DateTime<Utc>,
    /// Issue hubs that co-occur most with this one (index, shared briefings).
    pub co_issues: Vec<(usize, usize)>,
    /// Entity hubs that co-occur most with this one.
    pub co_entities: Vec<(usize, usize)>,
    /// Every spelling the briefings used for it, most frequent first.
    pub surface_forms: Vec<String>,
}

#[derive(Clone)]
pub(super) struct HubSet {
    pub issues: Vec<Hub>,
    pub entities: Vec<Hub>,
    pub issue_links: Vec<Vec<Option<usize>>>,
    pub entity_links: Vec<Vec<Option<usize>>>,
    /// For each briefing, every issue hub (with a page) it belongs to.
    pub issue_members: Vec<Vec<usize>>,
    pub entity_members: Vec<Vec<usize>>,
    /// For each briefing, for each of its front-matter tags (same order):
    /// the hub it links to, if that has a page: the entity hub for a tag that
    /// names an entity of the site, else the tag's issue hub.
    pub tag_links: Vec<Vec<Option<HubRef>>>,
    /// Every issue and entity each briefing has, as ids into `feature_names`
    /// (issues first), also those whose hub is below `hub_min_briefings`:
    /// related lists use these, so whether an old pair shares an issue never
    /// depends on newer briefings pushing a hub over the page threshold.
    pub features: Vec<Vec<u32>>,
    /// Name of each feature (its hub's name); issue features come first.
    pub feature_names: Vec<String>,
    /// How many of the features are issues.
    pub issue_features: usize,
    /// Each feature's canonical key, unique (`i:` or `e:` before it): what
    /// identifies a feature from one build to the next.
    pub feature_keys: Vec<String>,
}

/// The canonical key of an issue label: its stemmed content words, sorted and
/// deduplicated ("relief from sanctions" -> "relief sanction"). A label made
/// only of stop words ("US") keeps its slug instead of vanishing.
pub fn issue_key(label: &str) -> String {
    let mut stems = Stems::default();
    issue_key_with(label, &mut stems)
}

pub(super) fn issue_key_with(label: &str, stems: &mut Stems) -> String {
    let mut parts: Vec<String> = words(label)
        .filter_map(|w| stems.content_stem(w).map(str::to_string))
        .collect();
    parts.sort();
    parts.dedup();
    if parts.is_empty() {
        slugify(label)
    } else {
        parts.join(" ")
    }
}

/// The key of an entity name: case, accents and punctuation folded
/// ("Zürich", "zurich"), word order kept (names are not bags of words).
pub fn entity_key(name: &str) -> String {
    slugify(name)
}

/// A hub being assembled: its surface forms with counts and its members.
struct Draft {
    curated_name: Option<String>,
    forms: BTreeMap<String, usize>,
    kinds: BTreeMap<EntityKind, usize>,
    members: Vec<usize>,
}

impl Draft {
    fn new(curated_name: Option<String>) -> Self {
        Draft {
            curated_name,
            forms: BTreeMap::new(),
            kinds: BTreeMap::new(),
            members: Vec::new(),
        }
    }

    fn add(&mut self, i: usize, form: &str) {
        // Most forms are seen before: no new string for those.
        let form = form.trim();
        match self.forms.get_mut(form) {
            Some(n) => *n += 1,
            None => {
                self.forms.insert(form.to_string(), 1);
            }
        }
        if self.members.last() != Some(&i) {
            self.members.push(i);
        }
    }

    /// Surface forms, most frequent first; ties: shortest, then alphabetical.
    fn ranked_forms(&self) -> Vec<String> {
        let mut forms: Vec<(&String, &usize)> = self.forms.iter().collect();
        forms.sort_by(|a, b| {
            b.1.cmp(a.1)
                .then(a.0.chars().count().cmp(&b.0.chars().count()))
                .then(a.0.cmp(b.0))
        });
        forms.into_iter().map(|(f, _)| f.clone()).collect()
    }
}

/// Canonical keys of the curated issues' names and `match` phrases -> the
/// curated name. The first curated issue to claim a key keeps it.
fn curated_keys(options: &LinkOptions, stems: &mut Stems) -> HashMap<String, String> {
    let mut keys = HashMap::default();
    for c in &options.curated_issues {
        for phrase in std::iter::once(&c.name).chain(&c.matches) {
            let key = issue_key_with(phrase, stems);
            if !key.is_empty() {
                keys.entry(key).or_insert_with(|| c.name.clone());
            }
        }
    }
    keys
}

pub(super) fn build(briefings: &[Briefing], options: &LinkOptions) -> HubSet {
    let curated = curated_keys(options, &mut Stems::default());
    // Curated hubs are keyed by their name's key, prefixed so that they can
    // never collide with a computed key.
    let issue_hub_key = |label: &str, stems: &mut Stems| -> (String, Option<String>) {
        let key = issue_key_with(label, stems);
        match curated.get(&key) {
            Some(name) => (format!("curated:{name}"), Some(name.clone())),
            None => (key, None),
        }
    };
    // Keys of every briefing's issues, tags and entities: stemming and
    // slugging are the costly part and independent per briefing.
    struct Keys {
        issues: Vec<(String, Option<String>)>,
        tags: Vec<(String, Option<String>)>,
        entities: Vec<String>,
    }
    let keys: Vec<Keys> = briefings
        .par_iter()
        .map_init(Stems::default, |stems, b| Keys {
            issues: b
                .analysis
                .key_issues
                .iter()
                .map(|k| issue_hub_key(&k.label, stems))
                .collect(),
            tags: b
                .page
                .tags
                .iter()
                .map(|t| issue_hub_key(t, stems))
                .collect(),
            entities: b
                .analysis
                .entities
                .iter()
                .map(|e| entity_key(&e.name))
                .collect(),
        })
        .collect();
    crate::trace::lap("hubs.keys");
    // Gathered by hash, then ordered by key once (feature ids and hub order
    // follow the keys).
    let mut issues: HashMap<String, Draft> = HashMap::default();
    let mut entities: HashMap<String, Draft> = HashMap::default();
    let mut shown_issue_keys: Vec<Vec<String>> = Vec::with_capacity(briefings.len());
    let mut tag_keys: Vec<Vec<String>> = Vec::with_capacity(briefings.len());
    let mut entity_keys: Vec<Vec<String>> = Vec::with_capacity(briefings.len());
    // A tag that names an entity of the site ("iran") would make an issue hub
    // duplicating the entity's hub ("Iran"): the entity hub covers it.
    let site_entity_keys: HashSet<String> = keys
        .iter()
        .flat_map(|k| k.entities.iter().cloned())
        .collect();
    // Likewise a computed key issue that is a name ("Amman", or "Abubakar"
    // for a briefing that also names "Aleksander Abubakar"): a person or
    // place is an entity, and its entity hub is its page. Surnames count
    // when only one person of the site carries them.
    let mut surnames: HashMap<String, usize> = HashMap::default();
    let mut seen_people: HashSet<&str> = HashSet::default();
    for b in briefings {
        for e in &b.analysis.entities {
            if e.kind == EntityKind::Person && seen_people.insert(e.name.as_str()) {
                if let Some(last) = e.name.split_whitespace().last() {
                    if last != e.name {
                        *surnames.entry(entity_key(last)).or_insert(0) += 1;
                    }
                }
            }
        }
    }
    crate::trace::lap("hubs.surnames");
    let names_an_entity = |label: &str| {
        let key = entity_key(label);
        site_entity_keys.contains(key.as_str()) || surnames.get(&key) == Some(&1)
    };
    let keys: Vec<Keys> = keys
        .into_par_iter()
        .zip(briefings.par_iter())
        .map(|(mut k, b)| {
            for ((key, curated), issue) in k.issues.iter_mut().zip(&b.analysis.key_issues) {
                if curated.is_none() && names_an_entity(&issue.label) {
                    key.clear();
                }
            }
            k
        })
        .collect();
    // For each tag: its entity key when it names an entity of the site.
    let tag_entities: Vec<Vec<Option<String>>> = briefings
        .par_iter()
        .map(|b| {
            b.page
                .tags
                .iter()
                .map(|t| Some(entity_key(t)).filter(|k| site_entity_keys.contains(k.as_str())))
                .collect()
        })
        .collect();
    // The draft of `key`, made when first seen (no key string copied for
    // the others).
    fn draft<'a>(
        drafts: &'a mut HashMap<String, Draft>,
        key: &str,
        name: &Option<String>,
    ) -> &'a mut Draft {
        if !drafts.contains_key(key) {
            drafts.insert(key.to_string(), Draft::new(name.clone()));
        }
        drafts.get_mut(key).expect("inserted above")
    }
    for (i, (b, k)) in briefings.iter().zip(keys).enumerate() {
        for (issue, (key, name)) in b.analysis.key_issues.iter().zip(&k.issues) {
            if !key.is_empty() {
                draft(&mut issues, key, name).add(i, &issue.label);
            }
        }
        // Front-matter tags feed issue hubs too.
        let mut keys = Vec::new();
        for ((tag, (key, name)), entity) in b.page.tags.iter().zip(&k.tags).zip(&tag_entities[i]) {
            if entity.is_some() {
                // Kept in place (empty) so the keys stay aligned with the tags.
                keys.push(String::new());
                continue;
            }
            if !key.is_empty() {
                draft(&mut issues, key, name).add(i, tag);
            }
            keys.push(key.clone());
        }
        tag_keys.push(keys);
        for (e, key) in b.analysis.entities.iter().zip(&k.entities) {
            if !key.is_empty() {
                let draft = draft(&mut entities, key, &None);
                draft.add(i, &e.name);
                *draft.kinds.entry(e.kind).or_insert(0) += 1;
            }
        }
        shown_issue_keys.push(k.issues.into_iter().map(|(key, _)| key).collect());
        entity_keys.push(k.entities);
    }
    drop(site_entity_keys);
    let issues: BTreeMap<String, Draft> = issues.into_iter().collect();
    let entities: BTreeMap<String, Draft> = entities.into_iter().collect();
    crate::trace::lap("hubs.drafts");
    // Feature ids: every draft key, issues then entities, in key order.
    let mut feature_id: HashMap<(bool, &str), u32> = HashMap::default();
    let mut feature_names = Vec::new();
    let mut feature_keys = Vec::new();
    for (issue, drafts) in [(true, &issues), (false, &entities)] {
        for (key, draft) in drafts.iter() {
            feature_id.insert((issue, key.as_str()), feature_names.len() as u32);
            feature_keys.push(format!("{}:{key}", if issue { 'i' } else { 'e' }));
            feature_names.push(
                draft
                    .curated_name
                    .clone()
                    .unwrap_or_else(|| draft.ranked_forms()[0].clone()),
            );
        }
    }
    let issue_features = issues.len();
    let features: Vec<Vec<u32>> = (0..briefings.len())
        .map(|i| {
            let issue_keys = shown_issue_keys[i].iter().chain(&tag_keys[i]);
            let mut f: Vec<u32> = issue_keys
                .filter_map(|k| feature_id.get(&(true, k.as_str())).copied())
                .chain(
                    entity_keys[i]
                        .iter()
                        .filter_map(|k| feature_id.get(&(false, k.as_str())).copied()),
                )
                .collect();
            f.sort_unstable();
            f.dedup();
            f
        })
        .collect();
    drop(feature_id);
    crate::trace::lap("hubs.features");
    let (issue_hubs, issue_index) = finish(issues, briefings, options.hub_min_briefings, true);
    let (entity_hubs, entity_index) = finish(entities, briefings, options.hub_min_briefings, false);
    crate::trace::lap("hubs.finish");
    let lookup = |keys: &[String], index: &HashMap<String, usize>| -> Vec<Option<usize>> {
        keys.iter().map(|k| index.get(k).copied()).collect()
    };
    let members = |keys: &[String], index: &HashMap<String, usize>| -> Vec<usize> {
        let mut v: Vec<usize> = keys.iter().filter_map(|k| index.get(k).copied()).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut set = HubSet {
        issue_links: shown_issue_keys
            .iter()
            .map(|ks| lookup(ks, &issue_index))
            .collect(),
        tag_links: tag_keys
            .iter()
            .zip(&tag_entities)
            .map(|(keys, entities)| {
                keys.iter()
                    .zip(entities)
                    .map(|(key, entity)| match entity {
                        Some(e) => entity_index.get(e).map(|&h| HubRef::Entity(h)),
                        None => issue_index.get(key).map(|&h| HubRef::Issue(h)),
                    })
                    .collect()
            })
            .collect(),
        entity_links: entity_keys
            .iter()
            .map(|ks| lookup(ks, &entity_index))
            .collect(),
        issue_members: shown_issue_keys
            .iter()
            .zip(&tag_keys)
            .map(|(a, b)| members(&[a.as_slice(), b.as_slice()].concat(), &issue_index))
            .collect(),
        entity_members: entity_keys
            .iter()
            .map(|ks| members(ks, &entity_index))
            .collect(),
        issues: issue_hubs,
        entities: entity_hubs,
        features,
        feature_names,
        feature_keys,
        issue_features,
    };
    co_occurrence(&mut set);
    crate::trace::lap("hubs.co_occurrence");
    set
}

/// Keeps hubs with at least `min` briefings, names and slugs them, sorts them
/// by slug; returns them and draft key -> index.
fn finish(
    drafts: BTreeMap<String, Draft>,
    briefings: &[Briefing],
    min: usize,
    issue: bool,
) -> (Vec<Hub>, HashMap<String, usize>) {
    let mut hubs: Vec<(String, Hub)> = Vec::new();
    for (key, draft) in drafts {
        if draft.members.len() < min.max(1) {
            continue;
        }
        let surface_forms = draft.ranked_forms();
        let name = draft
            .curated_name
            .clone()
            .unwrap_or_else(|| surface_forms[0].clone());
        // The most frequent kind; ties go to the first in the enum's order.
        let kind = if issue {
            HubKind::Issue
        } else {
            let mut kinds: Vec<(&EntityKind, &usize)> = draft.kinds.iter().collect();
            kinds.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            HubKind::Entity(kinds.first().map(|k| *k.0).unwrap_or(EntityKind::Other))
        };
        let mut slug = slugify(&name);
        if slug.is_empty() {
            slug = slugify(&key);
        }
        hubs.push((
            key,
            Hub {
                latest: date_of(&briefings[draft.members[0]]),
                slug,
                name,
                kind,
                members: draft.members,
                co_issues: Vec::new(),
                co_entities: Vec::new(),
                surface_forms,
            },
        ));
    }
    // Two keys can name hubs with the same slug ("U.S." and "US" as
    // entities): the later (by key) gets "-2", "-3"... deterministically.
    hubs.sort_by(|a, b| a.1.slug.cmp(&b.1.slug).then(a.0.cmp(&b.0)));
    let mut taken: HashSet<String> = hubs.iter().map(|(_, h)| h.slug.clone()).collect();
    for i in 1..hubs.len() {
        let base = hubs[i].1.slug.clone();
        if hubs[..i].iter().any(|(_, h)| h.slug == base) {
            let mut n = 2;
            while taken.contains(&format!("{base}-{n}")) {
                n += 1;
            }
            hubs[i].1.slug = format!("{base}-{n}");
            taken.insert(hubs[i].1.slug.clone());
        }
    }
    hubs.sort_by(|a, b| a.1.slug.cmp(&b.1.slug));
    let index = hubs
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.clone(), i))
        .collect();
    (hubs.into_iter().map(|(_, h)| h).collect(), index)
}

/// For every hub, the other hubs sharing the most briefings with it.
fn co_occurrence(set: &mut HubSet) {
    const SHOWN: usize = 6;
    // Counts in a dense array per thread; only the touched slots are read
    // back and reset, so a hub costs the size of its members' hub lists.
    let count = |scratch: &mut (Vec<usize>, Vec<usize>),
                 members: &[usize],
                 per_briefing: &[Vec<usize>],
                 n_hubs: usize,
                 skip: Option<usize>| {
        let (counts, touched) = scratch;
        if counts.len() < n_hubs {
            counts.resize(n_hubs, 0);
        }
        for &m in members {
            for &h in &per_briefing[m] {
                if Some(h) != skip {
                    if counts[h] == 0 {
                        touched.push(h);
                    }
                    counts[h] += 1;
                }
            }
        }
        let mut ranked: Vec<(usize, usize)> = touched.iter().map(|&h| (h, counts[h])).collect();
        for &h in touched.iter() {
            counts[h] = 0;
        }
        touched.clear();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(SHOWN);
        ranked
    };
    let (n_issues, n_entities) = (set.issues.len(), set.entities.len());
    let (issue_members, entity_members) = (&set.issue_members, &set.entity_members);
    let scratch = || (Vec::new(), Vec::new());
    set.issues
        .par_iter_mut()
        .enumerate()
        .for_each_init(scratch, |s, (i, hub)| {
            hub.co_issues = count(s, &hub.members, issue_members, n_issues, Some(i));
            hub.co_entities = count(s, &hub.members, entity_members, n_entities, None);
        });
    set.entities
        .par_iter_mut()
        .enumerate()
        .for_each_init(scratch, |s, (i, hub)| {
            hub.co_issues = count(s, &hub.members, issue_members, n_issues, None);
            hub.co_entities = count(s, &hub.members, entity_members, n_entities, Some(i));
        });
}
