//! What the link stage keeps between rebuilds of the same site (`serve`),
//! so that a body edit does not rebuild every hub and every inline link.

use std::sync::Arc;

use rayon::prelude::*;

use super::hubs::{self, HubSet};
use super::inline::{self, HubRef, InlineLink};
use super::{LinkOptions, RelatedMemo};
use crate::briefings::Briefing;

/// Memo of the link stage; see [`super::link_with`].
#[derive(Default)]
pub struct LinkMemo {
    /// Related lists (see [`RelatedMemo`]).
    pub related: RelatedMemo,
    last: Option<Last>,
    /// Whether the last call took the hubs from the call before.
    pub hubs_reused: bool,
    /// What the last hubs were made from, to patch (see [`hubs::State`]).
    hub_state: Option<hubs::State>,
    /// Whether the last call patched that rather than making it again.
    pub hubs_patched: bool,
    /// Set with a patch that kept every feature (same keys, same names):
    /// the keys of those some changed briefing gained or lost, with the
    /// earliest time (as related lists count it) of such a briefing.
    pub(super) moved_features: Option<Vec<(String, i64)>>,
}

/// The last call's inputs and results.
struct Last {
    /// The briefings, sorted as linked: their Arcs make unchanged ones
    /// cheap to recognise.
    briefings: Vec<Briefing>,
    hub_min_briefings: usize,
    curated: Vec<crate::config::CuratedIssue>,
    hubs: HubSet,
    inline_max: usize,
    inline: Vec<Vec<InlineLink>>,
}

/// Whether each hub's spellings differ from the hub at its index in `last`.
fn respelled(last: &[hubs::Hub], now: &[hubs::Hub]) -> Vec<bool> {
    now.iter()
        .zip(last)
        .map(|(a, b)| a.surface_forms != b.surface_forms)
        .collect()
}

/// Do two briefings give the hubs the same input: source, date, tags, key
/// issue labels and entities? Shared pages and analyses are equal at once.
fn same_hub_inputs(a: &Briefing, b: &Briefing) -> bool {
    let page = Arc::ptr_eq(&a.page, &b.page)
        || (a.page.source == b.page.source
            && a.page.date == b.page.date
            && a.page.tags == b.page.tags);
    let analysis = Arc::ptr_eq(&a.analysis, &b.analysis)
        || (a.analysis.key_issues.len() == b.analysis.key_issues.len()
            && a.analysis.entities.len() == b.analysis.entities.len()
            && a.analysis
                .key_issues
                .iter()
                .zip(&b.analysis.key_issues)
                .all(|(x, y)| x.label == y.label)
            && a.analysis
                .entities
                .iter()
                .zip(&b.analysis.entities)
                .all(|(x, y)| x.name == y.name && x.kind == y.kind));
    page && analysis
}

impl LinkMemo {
    /// The hub set of `briefings` (sorted as linked): the last one when
    /// no briefing changed what hubs are made from; else made from the last
    /// call's [`hubs::State`] patched where a few briefings changed, or
    /// from scratch.
    pub(super) fn hubs(&mut self, briefings: &[Briefing], options: &LinkOptions) -> HubSet {
        let comparable = self.last.as_ref().filter(|last| {
            last.hub_min_briefings == options.hub_min_briefings
                && last.curated == options.curated_issues
                && last.briefings.len() == briefings.len()
        });
        // Briefings at the same places (sources and dates) whose hub
        // inputs changed; None when places moved.
        let changed: Option<Vec<usize>> = comparable.and_then(|last| {
            let mut changed = Vec::new();
            for (i, (a, b)) in last.briefings.iter().zip(briefings).enumerate() {
                if !same_hub_inputs(a, b) {
                    if a.page.source != b.page.source || a.page.date != b.page.date {
                        return None;
                    }
                    changed.push(i);
                }
            }
            Some(changed)
        });
        self.hubs_reused = changed.as_ref().is_some_and(Vec::is_empty);
        self.hubs_patched = false;
        self.moved_features = None;
        if let (true, Some(last)) = (self.hubs_reused, &self.last) {
            return last.hubs.clone();
        }
        let state = self.hub_state.take();
        // A patch costs per changed briefing what a fresh state costs per
        // briefing, plus a pass over the drafts: worth it for a few.
        let changed = changed.filter(|c| c.len() * 8 <= briefings.len());
        let patched = match (state, &changed, &self.last) {
            (Some(state), Some(changed), Some(last)) => {
                state.patch(&last.briefings, briefings, changed, options)
            }
            _ => None,
        };
        self.hubs_patched = patched.is_some();
        let (state, set) = match (patched, &changed, &self.last) {
            (Some(state), Some(changed), Some(last)) => {
                #[cfg(test)]
                assert_eq!(
                    state,
                    hubs::State::new(briefings, options),
                    "patched hub state"
                );
                let set = state.hub_set(briefings, options, Some((&last.hubs, changed)));
                let (was, is) = (&last.hubs, &set);
                if was.feature_keys == is.feature_keys && was.feature_names == is.feature_names {
                    // (feature, time of a briefing that gained or lost it).
                    let mut moved: Vec<(u32, i64)> = Vec::new();
                    for &c in changed {
                        let (had, has) = (&was.features[c], &is.features[c]);
                        let time = super::date_of(&briefings[c]).timestamp();
                        let gained = has.iter().filter(|f| !had.contains(f));
                        let lost = had.iter().filter(|f| !has.contains(f));
                        moved.extend(gained.chain(lost).map(|&f| (f, time)));
                    }
                    // The earliest time of each.
                    moved.sort_unstable();
                    moved.dedup_by_key(|(f, _)| *f);
                    let key = |(f, time): (u32, i64)| (is.feature_keys[f as usize].clone(), time);
                    self.moved_features = Some(moved.into_iter().map(key).collect());
                }
                (state, set)
            }
            _ => {
                let state = hubs::State::new(briefings, options);
                let set = state.hub_set(briefings, options, None);
                (state, set)
            }
        };
        self.hub_state = Some(state);
        set
    }

    /// Inline links of every briefing: the last call's for a briefing whose
    /// text and hub inputs are unchanged, when the hubs it links to are the
    /// same hubs with the same spellings.
    pub(super) fn inline(
        &self,
        briefings: &[Briefing],
        hubs: &HubSet,
        max: usize,
    ) -> Vec<Vec<InlineLink>> {
        let last = self.last.as_ref().filter(|last| {
            last.inline_max == max
                && last.briefings.len() == briefings.len()
                && last.hubs.hub_keys == hubs.hub_keys
        });
        // Per hub: whether its spellings changed (none when the hubs are
        // the last ones).
        let respelled: [Vec<bool>; 2] = match last {
            Some(last) if !self.hubs_reused => [
                respelled(&last.hubs.issues, &hubs.issues),
                respelled(&last.hubs.entities, &hubs.entities),
            ],
            _ => [
                vec![false; hubs.issues.len()],
                vec![false; hubs.entities.len()],
            ],
        };
        inline::phrases(briefings, hubs, max, |i| {
            let last = last?;
            let (a, b) = (&last.briefings[i], &briefings[i]);
            let old = &last.hubs;
            let same = Arc::ptr_eq(&a.text, &b.text)
                && same_hub_inputs(a, b)
                && old.issue_links[i] == hubs.issue_links[i]
                && old.entity_links[i] == hubs.entity_links[i]
                && old.tag_links[i] == hubs.tag_links[i];
            let linked = hubs.issue_links[i]
                .iter()
                .flatten()
                .map(|&h| HubRef::Issue(h));
            let linked = linked
                .chain(
                    hubs.entity_links[i]
                        .iter()
                        .flatten()
                        .map(|&h| HubRef::Entity(h)),
                )
                .chain(hubs.tag_links[i].iter().flatten().copied());
            let respelled = |r: HubRef| match r {
                HubRef::Issue(h) => respelled[0][h],
                HubRef::Entity(h) => respelled[1][h],
            };
            (same && !linked.into_iter().any(respelled)).then(|| &last.inline[i])
        })
    }

    /// Keeps this call's inputs and results for the next.
    pub(super) fn keep(
        &mut self,
        briefings: &[Briefing],
        options: &LinkOptions,
        hubs: &HubSet,
        inline: &[Vec<InlineLink>],
    ) {
        // Reused hubs are the kept ones: no second copy.
        let kept_hubs = match self.last.take() {
            Some(last) if self.hubs_reused => {
                let Last {
                    hubs,
                    briefings,
                    inline,
                    ..
                } = last;
                crate::drop_later::drop_later((briefings, inline));
                Some(hubs)
            }
            last => {
                crate::drop_later::drop_later(last);
                None
            }
        };
        // Copied in parallel: this runs on every rebuild of `serve`.
        let (hubs, (briefings, inline)) = rayon::join(
            || kept_hubs.unwrap_or_else(|| hubs.clone()),
            || {
                rayon::join(
                    || briefings.par_iter().cloned().collect(),
                    || inline.par_iter().cloned().collect(),
                )
            },
        );
        self.last = Some(Last {
            briefings,
            hub_min_briefings: options.hub_min_briefings,
            curated: options.curated_issues.clone(),
            hubs,
            inline_max: options.inline_links,
            inline,
        });
    }
}
