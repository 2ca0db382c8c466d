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
    /// The draft key of each issue hub and each entity hub, by index.
    pub hub_keys: [Vec<String>; 2],
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
#[derive(Debug, Clone, PartialEq)]
struct Draft {
    curated_name: Option<String>,
    forms: BTreeMap<String, usize>,
    kinds: BTreeMap<EntityKind, usize>,
    /// Briefing indices, ascending.
    members: Vec<usize>,
}

impl Draft {
    /// The draft for `key`: a curated hub's key names it ("curated:Name").
    fn new(key: &str) -> Self {
        Draft {
            curated_name: key.strip_prefix(CURATED).map(str::to_string),
            forms: BTreeMap::new(),
            kinds: BTreeMap::new(),
            members: Vec::new(),
        }
    }

    /// Counts a spelling (and an entity's kind) of the hub in briefing `i`.
    fn add(&mut self, i: usize, form: &str, kind: Option<EntityKind>) {
        // Most forms are seen before: no new string for those.
        let form = form.trim();
        match self.forms.get_mut(form) {
            Some(n) => *n += 1,
            None => {
                self.forms.insert(form.to_string(), 1);
            }
        }
        if let Some(kind) = kind {
            *self.kinds.entry(kind).or_insert(0) += 1;
        }
        // A full build adds briefings in index order; a patch anywhere.
        match self.members.last() {
            Some(&last) if last >= i => {
                if let Err(at) = self.members.binary_search(&i) {
                    self.members.insert(at, i);
                }
            }
            _ => self.members.push(i),
        }
    }

    /// Undoes one [`Draft::add`] of briefing `i` (all of them, for its
    /// membership: a briefing adds to a hub once per label or tag on it).
    fn remove(&mut self, i: usize, form: &str, kind: Option<EntityKind>) {
        fn uncount<K: Ord + ?Sized, Q>(counts: &mut BTreeMap<Q, usize>, key: &K)
        where
            Q: Ord + std::borrow::Borrow<K>,
        {
            if let Some(n) = counts.get_mut(key) {
                *n -= 1;
                if *n == 0 {
                    counts.remove(key);
                }
            }
        }
        uncount(&mut self.forms, form.trim());
        if let Some(kind) = kind {
            uncount(&mut self.kinds, &kind);
        }
        if let Ok(at) = self.members.binary_search(&i) {
            self.members.remove(at);
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

/// Prefix of a curated hub's key: computed keys (stems, slugs) never
/// contain a colon, so the two can never collide.
const CURATED: &str = "curated:";

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

/// The hub keys of one briefing's key issues, tags and entities.
#[derive(Debug, Clone, PartialEq)]
struct BriefingKeys {
    /// One per key issue; empty for a label that names an entity.
    issues: Vec<String>,
    /// One per tag; empty for a tag whose entity hub covers it.
    tags: Vec<String>,
    /// For each tag: its entity key when it names an entity of the site.
    tag_entities: Vec<Option<String>>,
    /// One per entity.
    entities: Vec<String>,
}

/// The keys of a briefing's labels before the site is known: issue and tag
/// keys (curated ones prefixed) and entity keys. Stemming and slugging are
/// the costly part of the hub stage and independent per briefing.
fn raw_keys(b: &Briefing, curated: &HashMap<String, String>, keys: &mut LabelKeys) -> BriefingKeys {
    BriefingKeys {
        issues: b
            .analysis
            .key_issues
            .iter()
            .map(|k| keys.issue(&k.label, curated))
            .collect(),
        tags: b.page.tags.iter().map(|t| keys.issue(t, curated)).collect(),
        tag_entities: Vec::new(),
        entities: b
            .analysis
            .entities
            .iter()
            .map(|e| keys.entity(&e.name))
            .collect(),
    }
}

/// Hub keys of labels, remembered: a site's briefings share most of their
/// key issues, tags and entities, and a label's key is the same wherever
/// it appears (making them was half of the hub stage in a warm build).
#[derive(Default)]
struct LabelKeys {
    stems: Stems,
    issues: HashMap<String, String>,
    entities: HashMap<String, String>,
}

impl LabelKeys {
    /// The hub key of an issue or tag label (curated ones prefixed).
    fn issue(&mut self, label: &str, curated: &HashMap<String, String>) -> String {
        if let Some(key) = self.issues.get(label) {
            return key.clone();
        }
        let key = issue_key_with(label, &mut self.stems);
        let key = match curated.get(&key) {
            Some(name) => format!("{CURATED}{name}"),
            None => key,
        };
        self.issues.insert(label.to_string(), key.clone());
        key
    }

    fn entity(&mut self, name: &str) -> String {
        if let Some(key) = self.entities.get(name) {
            return key.clone();
        }
        let key = entity_key(name);
        self.entities.insert(name.to_string(), key.clone());
        key
    }
}

/// Everything hubs are made from, per briefing and gathered into drafts:
/// `serve` keeps it, so that an edit changing a few briefings' key issues
/// or entities patches it ([`State::patch`]) rather than making it again.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct State {
    keys: Vec<BriefingKeys>,
    /// How many of the briefings' entities have each entity key.
    entity_key_uses: HashMap<String, usize>,
    /// How many of the briefings' entities are each person's name.
    person_uses: HashMap<String, usize>,
    /// Surname key -> how many people of the site carry it.
    surnames: HashMap<String, usize>,
    issues: HashMap<String, Draft>,
    entities: HashMap<String, Draft>,
}

/// The draft of `key`, made when first seen (no key string copied for the
/// others).
fn draft<'a>(drafts: &'a mut HashMap<String, Draft>, key: &str) -> &'a mut Draft {
    if !drafts.contains_key(key) {
        drafts.insert(key.to_string(), Draft::new(key));
    }
    drafts.get_mut(key).expect("inserted above")
}

fn people(b: &Briefing) -> impl Iterator<Item = &str> {
    b.analysis
        .entities
        .iter()
        .filter(|e| e.kind == EntityKind::Person)
        .map(|e| e.name.as_str())
}

impl State {
    pub(super) fn new(briefings: &[Briefing], options: &LinkOptions) -> State {
        let curated = curated_keys(options, &mut Stems::default());
        let raw: Vec<BriefingKeys> = briefings
            .par_iter()
            .map_init(LabelKeys::default, |keys, b| raw_keys(b, &curated, keys))
            .collect();
        crate::trace::lap("hubs.keys");
        let mut entity_key_uses: HashMap<String, usize> = HashMap::default();
        for k in &raw {
            for e in &k.entities {
                match entity_key_uses.get_mut(e) {
                    Some(n) => *n += 1,
                    None => {
                        entity_key_uses.insert(e.clone(), 1);
                    }
                }
            }
        }
        let mut person_uses: HashMap<String, usize> = HashMap::default();
        for name in briefings.iter().flat_map(people) {
            match person_uses.get_mut(name) {
                Some(n) => *n += 1,
                None => {
                    person_uses.insert(name.to_string(), 1);
                }
            }
        }
        let mut state = State {
            keys: Vec::new(),
            surnames: surnames(person_uses.keys()),
            entity_key_uses,
            person_uses,
            issues: HashMap::default(),
            entities: HashMap::default(),
        };
        crate::trace::lap("hubs.surnames");
        let keys: Vec<BriefingKeys> = raw
            .into_par_iter()
            .zip(briefings.par_iter())
            .map(|(k, b)| state.settle(k, b))
            .collect();
        for (i, (b, k)) in briefings.iter().zip(&keys).enumerate() {
            tally(&mut state.issues, &mut state.entities, (i, b, k), true);
        }
        state.keys = keys;
        crate::trace::lap("hubs.drafts");
        state
    }

    /// A briefing's keys once the site's entities are known. A tag that
    /// names an entity of the site ("iran") would make an issue hub
    /// duplicating the entity's hub ("Iran"): the entity hub covers it.
    /// Likewise a computed key issue that is a name ("Amman", or "Abubakar"
    /// for a briefing that also names "Aleksander Abubakar"): a person or
    /// place is an entity, and its entity hub is its page. Surnames count
    /// when only one person of the site carries them.
    fn settle(&self, mut k: BriefingKeys, b: &Briefing) -> BriefingKeys {
        let names_an_entity = |label: &str| {
            let key = entity_key(label);
            self.entity_key_uses.contains_key(key.as_str()) || self.surnames.get(&key) == Some(&1)
        };
        for (key, issue) in k.issues.iter_mut().zip(&b.analysis.key_issues) {
            if !key.starts_with(CURATED) && names_an_entity(&issue.label) {
                key.clear();
            }
        }
        k.tag_entities = b
            .page
            .tags
            .iter()
            .map(|t| Some(entity_key(t)).filter(|e| self.entity_key_uses.contains_key(e.as_str())))
            .collect();
        for (key, entity) in k.tags.iter_mut().zip(&k.tag_entities) {
            if entity.is_some() {
                // Kept in place (empty) so the keys stay aligned with the tags.
                key.clear();
            }
        }
        k
    }

    /// This state with the briefings at `changed` replaced: `old` are the
    /// briefings it was made from, `new` the same briefings (same sources,
    /// dates and order) with new key issues, entities or tags at `changed`.
    /// None when a change reaches further than those briefings' own hubs:
    /// an entity key or a person's name new to the site or gone from it
    /// changes which labels of every briefing name an entity.
    pub(super) fn patch(
        mut self,
        old: &[Briefing],
        new: &[Briefing],
        changed: &[usize],
        options: &LinkOptions,
    ) -> Option<State> {
        let curated = curated_keys(options, &mut Stems::default());
        let mut keys = LabelKeys::default();
        let raw: Vec<BriefingKeys> = changed
            .iter()
            .map(|&i| raw_keys(&new[i], &curated, &mut keys))
            .collect();
        for (&i, fresh) in changed.iter().zip(&raw) {
            for e in &self.keys[i].entities {
                let n = self.entity_key_uses.get_mut(e)?;
                *n -= 1;
            }
            for e in &fresh.entities {
                *self.entity_key_uses.get_mut(e)? += 1;
            }
            for name in people(&old[i]) {
                *self.person_uses.get_mut(name)? -= 1;
            }
            for name in people(&new[i]) {
                *self.person_uses.get_mut(name)? += 1;
            }
        }
        let gone = |uses: &HashMap<String, usize>| uses.values().any(|&n| n == 0);
        if gone(&self.entity_key_uses) || gone(&self.person_uses) {
            return None;
        }
        for (&i, fresh) in changed.iter().zip(raw) {
            let settled = self.settle(fresh, &new[i]);
            let before = std::mem::replace(&mut self.keys[i], settled);
            let (issues, entities) = (&mut self.issues, &mut self.entities);
            tally(issues, entities, (i, &old[i], &before), false);
            tally(issues, entities, (i, &new[i], &self.keys[i]), true);
        }
        self.issues.retain(|_, d| !d.members.is_empty());
        self.entities.retain(|_, d| !d.members.is_empty());
        Some(self)
    }

    /// The hubs, their links and co-occurrences. `last` is the hub set
    /// this state made before being patched at the briefings `changed`:
    /// hubs none of those belonged to keep their co-occurrences when the
    /// hubs are the same ones.
    pub(super) fn hub_set(
        &self,
        briefings: &[Briefing],
        options: &LinkOptions,
        last: Option<(&HubSet, &[usize])>,
    ) -> HubSet {
        // Ordered by key once: feature ids and hub order follow the keys.
        fn sorted(drafts: &HashMap<String, Draft>) -> Vec<(&String, &Draft)> {
            let mut v: Vec<(&String, &Draft)> = drafts.iter().collect();
            v.sort_unstable_by(|a, b| a.0.cmp(b.0));
            v
        }
        let (issues, entities) = (sorted(&self.issues), sorted(&self.entities));
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
        let features: Vec<Vec<u32>> = self
            .keys
            .par_iter()
            .map(|k| {
                let issue_keys = k.issues.iter().chain(&k.tags);
                let mut f: Vec<u32> = issue_keys
                    .filter_map(|k| feature_id.get(&(true, k.as_str())).copied())
                    .chain(
                        k.entities
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
        let min = options.hub_min_briefings;
        let (issue_hubs, issue_index) = finish(issues, briefings, min, true);
        let (entity_hubs, entity_index) = finish(entities, briefings, min, false);
        crate::trace::lap("hubs.finish");
        let lookup = |keys: &[String], index: &HashMap<&str, usize>| -> Vec<Option<usize>> {
            keys.iter()
                .map(|k| index.get(k.as_str()).copied())
                .collect()
        };
        // Each briefing's links and memberships, in parallel: lookups of
        // every label of 10,000 briefings were 16 ms on one thread.
        type Looked = (
            Vec<Option<usize>>,
            Vec<Option<HubRef>>,
            Vec<Option<usize>>,
            Vec<usize>,
            Vec<usize>,
        );
        let looked: Vec<Looked> = self
            .keys
            .par_iter()
            .map(|k| {
                // A tag is a member of its issue hub even when it links to
                // an entity's.
                let mut tag_issues = Vec::new();
                let tags = k
                    .tags
                    .iter()
                    .zip(&k.tag_entities)
                    .map(|(key, entity)| {
                        let issue = issue_index.get(key.as_str()).copied();
                        tag_issues.extend(issue);
                        match entity {
                            Some(e) => entity_index.get(e.as_str()).map(|&h| HubRef::Entity(h)),
                            None => issue.map(HubRef::Issue),
                        }
                    })
                    .collect();
                let issues = lookup(&k.issues, &issue_index);
                let entities = lookup(&k.entities, &entity_index);
                let members = |found: &mut dyn Iterator<Item = usize>| {
                    let mut v: Vec<usize> = found.collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                };
                let issue_members =
                    members(&mut issues.iter().flatten().copied().chain(tag_issues));
                let entity_members = members(&mut entities.iter().flatten().copied());
                (issues, tags, entities, issue_members, entity_members)
            })
            .collect();
        let n = looked.len();
        let (mut issue_links, mut tag_links, mut entity_links) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let (mut issue_members, mut entity_members) =
            (Vec::with_capacity(n), Vec::with_capacity(n));
        for (i, t, e, im, em) in looked {
            issue_links.push(i);
            tag_links.push(t);
            entity_links.push(e);
            issue_members.push(im);
            entity_members.push(em);
        }
        let mut set = HubSet {
            issue_links,
            tag_links,
            entity_links,
            issue_members,
            entity_members,
            issues: issue_hubs,
            entities: entity_hubs,
            features,
            feature_names,
            feature_keys,
            issue_features,
            hub_keys: Default::default(),
        };
        crate::trace::lap("hubs.set");
        let (issue_keys, entity_keys) = (hub_keys(&issue_index), hub_keys(&entity_index));
        set.hub_keys = [issue_keys, entity_keys];
        // Hubs a changed briefing is in, or was in (same hubs only).
        let last = last.filter(|(last, _)| last.hub_keys == set.hub_keys);
        let stale = last.map(|(last, changed)| {
            let mut stale = [
                vec![false; set.issues.len()],
                vec![false; set.entities.len()],
            ];
            for &c in changed {
                let lists = [
                    (&last.issue_members[c], &set.issue_members[c], 0),
                    (&last.entity_members[c], &set.entity_members[c], 1),
                ];
                for (before, after, kind) in lists {
                    for &h in before.iter().chain(after) {
                        stale[kind][h] = true;
                    }
                }
            }
            (last, stale)
        });
        crate::trace::lap("hubs.stale");
        co_occurrence(&mut set, stale.as_ref().map(|(last, stale)| (*last, stale)));
        crate::trace::lap("hubs.co_occurrence");
        set
    }
}

/// The keys of an index's hubs, by hub index.
fn hub_keys(index: &HashMap<&str, usize>) -> Vec<String> {
    let mut keys = vec![String::new(); index.len()];
    for (k, &i) in index {
        keys[i] = k.to_string();
    }
    keys
}

/// Surname key -> how many of these people carry it.
fn surnames<'a>(people: impl Iterator<Item = &'a String>) -> HashMap<String, usize> {
    let mut surnames: HashMap<String, usize> = HashMap::default();
    for name in people {
        if let Some(last) = name.split_whitespace().last() {
            if last != name {
                *surnames.entry(entity_key(last)).or_insert(0) += 1;
            }
        }
    }
    surnames
}

/// Each label of a briefing with its hub key (`k`, its keys) and, for an
/// entity, its kind: key issues and front-matter tags (issue hubs), then
/// entities. Labels without a key are left out.
fn labelled<'a>(
    b: &'a Briefing,
    k: &'a BriefingKeys,
) -> impl Iterator<Item = (&'a str, &'a str, Option<EntityKind>)> {
    let issues = b
        .analysis
        .key_issues
        .iter()
        .map(|issue| issue.label.as_str())
        .chain(b.page.tags.iter().map(String::as_str))
        .zip(k.issues.iter().chain(&k.tags))
        .map(|(label, key)| (label, key.as_str(), None));
    let entities = b
        .analysis
        .entities
        .iter()
        .zip(&k.entities)
        .map(|(e, key)| (e.name.as_str(), key.as_str(), Some(e.kind)));
    issues.chain(entities).filter(|(_, key, _)| !key.is_empty())
}

/// Adds briefing `i`'s labels (`k`, its keys) to the drafts of their keys,
/// or with `add` false takes back what adding them did.
fn tally(
    issues: &mut HashMap<String, Draft>,
    entities: &mut HashMap<String, Draft>,
    (i, b, k): (usize, &Briefing, &BriefingKeys),
    add: bool,
) {
    for (label, key, kind) in labelled(b, k) {
        let drafts = if kind.is_some() {
            &mut *entities
        } else {
            &mut *issues
        };
        if add {
            draft(drafts, key).add(i, label, kind);
        } else if let Some(d) = drafts.get_mut(key) {
            d.remove(i, label, kind);
        }
    }
}

/// The hubs of `briefings`.
pub(super) fn build(briefings: &[Briefing], options: &LinkOptions) -> HubSet {
    State::new(briefings, options).hub_set(briefings, options, None)
}

/// Keeps hubs with at least `min` briefings, names and slugs them, sorts them
/// by slug; returns them and draft key -> index.
fn finish<'a>(
    drafts: Vec<(&'a String, &Draft)>,
    briefings: &[Briefing],
    min: usize,
    issue: bool,
) -> (Vec<Hub>, HashMap<&'a str, usize>) {
    let mut hubs: Vec<(&str, Hub)> = Vec::new();
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
            slug = slugify(key);
        }
        hubs.push((
            key,
            Hub {
                latest: date_of(&briefings[draft.members[0]]),
                slug,
                name,
                kind,
                members: draft.members.clone(),
                co_issues: Vec::new(),
                co_entities: Vec::new(),
                surface_forms,
            },
        ));
    }
    // Two keys can name hubs with the same slug ("U.S." and "US" as
    // entities): the later (by key) gets "-2", "-3"... deterministically.
    hubs.sort_by(|a, b| a.1.slug.cmp(&b.1.slug).then(a.0.cmp(b.0)));
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
    let index = hubs.iter().enumerate().map(|(i, (k, _))| (*k, i)).collect();
    (hubs.into_iter().map(|(_, h)| h).collect(), index)
}

/// For every hub, the other hubs sharing the most briefings with it. With
/// `last` (the last set, with the same hubs), a hub not marked stale takes
/// its lists from there: none of its members' hubs changed.
fn co_occurrence(set: &mut HubSet, last: Option<(&HubSet, &[Vec<bool>; 2])>) {
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
    let kept = |kind: usize, i: usize| -> Option<&Hub> {
        let (last, stale) = last?;
        (!stale[kind][i]).then(|| {
            if kind == 0 {
                &last.issues[i]
            } else {
                &last.entities[i]
            }
        })
    };
    set.issues
        .par_iter_mut()
        .enumerate()
        .for_each_init(scratch, |s, (i, hub)| match kept(0, i) {
            Some(last) => {
                hub.co_issues = last.co_issues.clone();
                hub.co_entities = last.co_entities.clone();
            }
            None => {
                hub.co_issues = count(s, &hub.members, issue_members, n_issues, Some(i));
                hub.co_entities = count(s, &hub.members, entity_members, n_entities, None);
            }
        });
    set.entities
        .par_iter_mut()
        .enumerate()
        .for_each_init(scratch, |s, (i, hub)| match kept(1, i) {
            Some(last) => {
                hub.co_issues = last.co_issues.clone();
                hub.co_entities = last.co_entities.clone();
            }
            None => {
                hub.co_issues = count(s, &hub.members, issue_members, n_issues, None);
                hub.co_entities = count(s, &hub.members, entity_members, n_entities, Some(i));
            }
        });
}
