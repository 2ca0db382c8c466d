//! What the link stage keeps between rebuilds of the same site (`serve`),
//! so that a body edit does not rebuild every hub and every inline link.

use std::sync::Arc;

use super::hubs::{self, HubSet};
use super::inline::{self, InlineLink};
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
    /// no briefing changed what hubs are made from, else built again.
    pub(super) fn hubs(&mut self, briefings: &[Briefing], options: &LinkOptions) -> HubSet {
        let reusable = self.last.as_ref().is_some_and(|last| {
            last.hub_min_briefings == options.hub_min_briefings
                && last.curated == options.curated_issues
                && last.briefings.len() == briefings.len()
                && last
                    .briefings
                    .iter()
                    .zip(briefings)
                    .all(|(a, b)| same_hub_inputs(a, b))
        });
        self.hubs_reused = reusable;
        match (&self.last, reusable) {
            (Some(last), true) => last.hubs.clone(),
            _ => hubs::build(briefings, options),
        }
    }

    /// Inline links of every briefing: the last call's for a briefing whose
    /// text and hub inputs are unchanged, when the hubs are too.
    pub(super) fn inline(
        &self,
        briefings: &[Briefing],
        hubs: &HubSet,
        max: usize,
    ) -> Vec<Vec<InlineLink>> {
        let last = self
            .last
            .as_ref()
            .filter(|last| self.hubs_reused && last.inline_max == max);
        inline::phrases(briefings, hubs, max, |i| {
            let last = last?;
            let (a, b) = (&last.briefings[i], &briefings[i]);
            (Arc::ptr_eq(&a.text, &b.text) && same_hub_inputs(a, b)).then(|| &last.inline[i])
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
        let hubs = match self.last.take() {
            Some(last) if self.hubs_reused => last.hubs,
            _ => hubs.clone(),
        };
        self.last = Some(Last {
            briefings: briefings.to_vec(),
            hub_min_briefings: options.hub_min_briefings,
            curated: options.curated_issues.clone(),
            hubs,
            inline_max: options.inline_links,
            inline: inline.to_vec(),
        });
    }
}
