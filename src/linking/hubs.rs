//! Hubs: one per canonical key issue and per entity, gathering the
//! briefings that mention it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

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
}

pub(super) struct HubSet {
    pub issues: Vec<Hub>,
    pub entities: Vec<Hub>,
    pub issue_links: Vec<Vec<Option<usize>>>,
    pub entity_links: Vec<Vec<Option<usize>>>,
    /// For each briefing, every issue hub it belongs to (also below the page threshold).
    pub issue_members: Vec<Vec<usize>>,
    pub entity_members: Vec<Vec<usize>>,
}

/// The canonical key of an issue label: lower-case words, so that case
/// variants share a hub.
pub fn issue_key(label: &str) -> String {
    slugify(label)
}

struct Draft {
    name: String,
    kind: HubKind,
    members: Vec<usize>,
}

pub(super) fn build(briefings: &[Briefing], options: &LinkOptions) -> HubSet {
    let mut issues: BTreeMap<String, Draft> = BTreeMap::new();
    let mut entities: BTreeMap<String, Draft> = BTreeMap::new();
    let mut issue_keys: Vec<Vec<String>> = Vec::with_capacity(briefings.len());
    // The hub key of each listed key issue (tags are hub members but not shown as issues).
    let mut shown_issue_keys: Vec<Vec<String>> = Vec::with_capacity(briefings.len());
    let mut entity_keys: Vec<Vec<String>> = Vec::with_capacity(briefings.len());
    for (i, b) in briefings.iter().enumerate() {
        let mut keys = Vec::new();
        shown_issue_keys.push(
            b.analysis
                .key_issues
                .iter()
                .map(|k| curated_key(&k.label, options).unwrap_or_else(|| issue_key(&k.label)))
                .collect(),
        );
        let labels = b.analysis.key_issues.iter().map(|k| k.label.as_str());
        for label in labels.chain(b.page.tags.iter().map(String::as_str)) {
            let key = curated_key(label, options).unwrap_or_else(|| issue_key(label));
            if key.is_empty() {
                continue;
            }
            let name = options
                .curated_issues
                .iter()
                .find(|c| slugify(&c.name) == key)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| label.to_string());
            let draft = issues.entry(key.clone()).or_insert_with(|| Draft {
                name,
                kind: HubKind::Issue,
                members: Vec::new(),
            });
            if draft.members.last() != Some(&i) {
                draft.members.push(i);
            }
            keys.push(key);
        }
        issue_keys.push(keys);
        let mut keys = Vec::new();
        for e in &b.analysis.entities {
            let key = slugify(&e.name);
            if key.is_empty() {
                continue;
            }
            let draft = entities.entry(key.clone()).or_insert_with(|| Draft {
                name: e.name.clone(),
                kind: HubKind::Entity(e.kind),
                members: Vec::new(),
            });
            if draft.members.last() != Some(&i) {
                draft.members.push(i);
            }
            keys.push(key);
        }
        entity_keys.push(keys);
    }
    let (issue_hubs, issue_index) = finish(issues, briefings, options.hub_min_briefings);
    let (entity_hubs, entity_index) = finish(entities, briefings, options.hub_min_briefings);
    let lookup = |keys: &Vec<String>, index: &BTreeMap<String, usize>| -> Vec<Option<usize>> {
        keys.iter().map(|k| index.get(k).copied()).collect()
    };
    let issue_members: Vec<Vec<usize>> = issue_keys
        .iter()
        .map(|ks| {
            dedup(
                ks.iter()
                    .filter_map(|k| issue_index.get(k).copied())
                    .collect(),
            )
        })
        .collect();
    let entity_members: Vec<Vec<usize>> = entity_keys
        .iter()
        .map(|ks| {
            dedup(
                ks.iter()
                    .filter_map(|k| entity_index.get(k).copied())
                    .collect(),
            )
        })
        .collect();
    let mut set = HubSet {
        issue_links: shown_issue_keys
            .iter()
            .map(|ks| lookup(ks, &issue_index))
            .collect(),
        entity_links: entity_keys
            .iter()
            .map(|ks| lookup(ks, &entity_index))
            .collect(),
        issues: issue_hubs,
        entities: entity_hubs,
        issue_members,
        entity_members,
    };
    co_occurrence(&mut set);
    set
}

fn dedup(mut v: Vec<usize>) -> Vec<usize> {
    v.sort_unstable();
    v.dedup();
    v
}

fn curated_key(label: &str, options: &LinkOptions) -> Option<String> {
    let key = issue_key(label);
    options
        .curated_issues
        .iter()
        .find(|c| slugify(&c.name) == key || c.matches.iter().any(|m| issue_key(m) == key))
        .map(|c| slugify(&c.name))
}

/// Keeps hubs with at least `min` briefings; returns them and key -> index.
fn finish(
    drafts: BTreeMap<String, Draft>,
    briefings: &[Briefing],
    min: usize,
) -> (Vec<Hub>, BTreeMap<String, usize>) {
    let mut hubs = Vec::new();
    let mut index = BTreeMap::new();
    for (key, draft) in drafts {
        if draft.members.len() < min {
            continue;
        }
        index.insert(key.clone(), hubs.len());
        hubs.push(Hub {
            latest: date_of(&briefings[draft.members[0]]),
            slug: key,
            name: draft.name,
            kind: draft.kind,
            members: draft.members,
            co_issues: Vec::new(),
            co_entities: Vec::new(),
        });
    }
    (hubs, index)
}

/// For every hub, the other hubs sharing the most briefings with it.
fn co_occurrence(set: &mut HubSet) {
    const SHOWN: usize = 6;
    let count = |members: &[usize], per_briefing: &[Vec<usize>], skip: Option<usize>| {
        let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
        for &m in members {
            for &h in &per_briefing[m] {
                if Some(h) != skip {
                    *counts.entry(h).or_insert(0) += 1;
                }
            }
        }
        let mut ranked: Vec<(usize, usize)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(SHOWN);
        ranked
    };
    for i in 0..set.issues.len() {
        let members = set.issues[i].members.clone();
        set.issues[i].co_issues = count(&members, &set.issue_members, Some(i));
        set.issues[i].co_entities = count(&members, &set.entity_members, None);
    }
    for i in 0..set.entities.len() {
        let members = set.entities[i].members.clone();
        set.entities[i].co_issues = count(&members, &set.issue_members, None);
        set.entities[i].co_entities = count(&members, &set.entity_members, Some(i));
    }
}
