//! Related briefings: for each briefing, the others that share the most
//! key issues and entities, found through an inverted index (hub -> briefings)
//! rather than by comparing all pairs.

use std::collections::BTreeMap;

use super::hubs::HubSet;
use super::LinkOptions;
use crate::briefings::Briefing;
use crate::config::RelatedScope;

/// A link to a related briefing and why it is there.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    /// Index of the target briefing.
    pub target: usize,
    pub score: f64,
    /// The shared key issues and entities, by name.
    pub reasons: Vec<String>,
}

/// Shared entities count half as much as shared issues: an entity (a country,
/// say) is a weaker sign of the same story than a shared topic.
const ENTITY_WEIGHT: f64 = 0.5;

pub(super) fn compute(
    briefings: &[Briefing],
    hubs: &HubSet,
    options: &LinkOptions,
) -> Vec<Vec<Related>> {
    (0..briefings.len())
        .map(|i| related_to(i, briefings, hubs, options))
        .collect()
}

fn related_to(
    i: usize,
    briefings: &[Briefing],
    hubs: &HubSet,
    options: &LinkOptions,
) -> Vec<Related> {
    if options.related_briefings == 0 {
        return Vec::new();
    }
    let date = super::date_of(&briefings[i]);
    let mut scores: BTreeMap<usize, (f64, Vec<String>)> = BTreeMap::new();
    let mut add = |members: &[usize], name: &str, weight: f64| {
        for &j in members {
            if j == i {
                continue;
            }
            // Briefings are sorted newest first; "past" keeps only the ones up to this one.
            if options.related_scope == RelatedScope::Past && super::date_of(&briefings[j]) > date {
                continue;
            }
            let entry = scores.entry(j).or_insert((0.0, Vec::new()));
            entry.0 += weight;
            entry.1.push(name.to_string());
        }
    };
    for &h in &hubs.issue_members[i] {
        add(&hubs.issues[h].members, &hubs.issues[h].name, 1.0);
    }
    for &h in &hubs.entity_members[i] {
        add(
            &hubs.entities[h].members,
            &hubs.entities[h].name,
            ENTITY_WEIGHT,
        );
    }
    let mut ranked: Vec<Related> = scores
        .into_iter()
        .map(|(target, (score, reasons))| Related {
            target,
            score,
            reasons,
        })
        .collect();
    // Highest score; then the newer briefing (lower index); index is unique.
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.target.cmp(&b.target)));
    ranked.truncate(options.related_briefings);
    ranked
}
