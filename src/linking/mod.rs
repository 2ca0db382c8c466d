//! The link stage: turns analysed briefings into a connected [`SiteModel`]:
//! related briefings, key-issue and entity hubs, digests and the archive.
//!
//! Architecture invariant: pure and deterministic. Every ranking has an
//! explicit tie-break (score, then date, then source path).

mod digests;
mod hubs;
mod inline;
mod inline_saved;
mod memo;
mod related;
#[doc(hidden)]
pub mod synthetic;
#[cfg(test)]
mod tests;
mod text;
pub(crate) use text::FastMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::analysis::EntityKind;
use crate::briefings::Briefing;
use crate::config::{CuratedIssue, DigestPeriod, RelatedScope};

pub use digests::{ArchiveMonth, Digest};
pub use hubs::{entity_key, issue_key, Hub, HubKind};
pub use inline::{HubRef, InlineLink};
pub use inline_saved::SavedInline;
pub use memo::LinkMemo;
pub use related::{
    related_for_corpus, Related, RelatedInput, RelatedMemo, SavedList, SavedListRef, SavedStems,
    StemMemo,
};

/// What the link stage needs from the configuration.
#[derive(Debug, Clone)]
pub struct LinkOptions {
    pub timezone: Tz,
    pub digest_period: DigestPeriod,
    pub related_briefings: usize,
    pub related_scope: RelatedScope,
    pub hub_min_briefings: usize,
    pub curated_issues: Vec<CuratedIssue>,
    /// Inline links per briefing (site.toml `inline_links`): the link stage
    /// stops looking once it has found this many.
    pub inline_links: usize,
}

/// The whole site as the templates see it, before rendering.
#[derive(Debug, Clone)]
pub struct SiteModel {
    /// Briefings, newest first (ties: source path).
    pub briefings: Vec<Briefing>,
    /// For each briefing (same index), its related briefings, best first.
    /// Shared: `serve` hands an unchanged list from one build to the next.
    pub related: Vec<std::sync::Arc<Vec<Related>>>,
    /// Key-issue hubs, sorted by slug; only hubs with enough briefings get pages.
    pub issue_hubs: Vec<Hub>,
    /// Entity hubs, sorted by slug.
    pub entity_hubs: Vec<Hub>,
    /// For each briefing, for each of its key issues: the issue hub, if it has a page.
    pub issue_links: Vec<Vec<Option<usize>>>,
    /// For each briefing, for each of its entities: the entity hub, if it has a page.
    pub entity_links: Vec<Vec<Option<usize>>>,
    /// For each briefing, the phrases of its body that link to a hub on first
    /// mention, as written in the text, in priority order (truncate to the
    /// configured maximum).
    pub inline_links: Vec<Vec<InlineLink>>,
    /// For each briefing, for each of its tags: the hub it links to, if any.
    pub tag_links: Vec<Vec<Option<HubRef>>>,
    /// Digests, newest first.
    pub digests: Vec<Digest>,
    /// For each briefing, the index of its digest.
    pub digest_of: Vec<usize>,
    /// Months of the archive, newest first.
    pub months: Vec<ArchiveMonth>,
}

impl SiteModel {
    /// The hub a reference points to.
    pub fn hub(&self, r: HubRef) -> &Hub {
        match r {
            HubRef::Issue(h) => &self.issue_hubs[h],
            HubRef::Entity(h) => &self.entity_hubs[h],
        }
    }
}

/// Links the corpus.
pub fn link(briefings: Vec<Briefing>, options: &LinkOptions) -> SiteModel {
    link_with(briefings, options, Kept::Nothing)
}

/// What a [`link_with`] call takes from the last one on the same site and
/// keeps for the next.
pub enum Kept<'a> {
    Nothing,
    /// Every stage's results (`serve`): see [`LinkMemo`].
    Everything(&'a mut LinkMemo),
    /// The related lists and the stems of the texts (`build`, which
    /// saves them in its cache).
    Related(&'a mut RelatedMemo),
}

/// [`link`], taking what it can from the last call and keeping what lets
/// the next one redo less; same result.
pub fn link_with(mut briefings: Vec<Briefing>, options: &LinkOptions, kept: Kept) -> SiteModel {
    crate::trace::lap("link.start");
    briefings.sort_by(|a, b| {
        date_of(b)
            .cmp(&date_of(a))
            .then_with(|| a.page.source.cmp(&b.page.source))
    });
    crate::trace::lap("link.sort");
    let (hub_set, related, inline_links, (digests, digest_of, months)) = match kept {
        Kept::Everything(memo) => {
            let hub_set = memo.hubs(&briefings, options);
            crate::trace::lap("link.hubs");
            let ((related, inline_links), dated) =
                beside_dated(&briefings, &hub_set, options, || {
                    // Reused hubs, or patched ones with the same features:
                    // related lists kept as they were keep their reasons,
                    // except those sharing a feature whose membership moved.
                    let moved = memo.moved_features.take();
                    memo.related.same_hubs = memo.hubs_reused || moved.is_some();
                    memo.related.moved_features = moved.unwrap_or_default();
                    let related =
                        related::compute(&briefings, &hub_set, options, Some(&mut memo.related));
                    crate::trace::lap("link.related");
                    let inline_links = memo.inline(&briefings, &hub_set, options.inline_links);
                    crate::trace::lap("link.inline");
                    memo.keep(&briefings, options, &hub_set, &inline_links);
                    crate::trace::lap("link.keep");
                    (related, inline_links)
                });
            (hub_set, related, inline_links, dated)
        }
        one_off => {
            let memo = match one_off {
                Kept::Related(memo) => Some(memo),
                _ => None,
            };
            match memo {
                Some(memo) => {
                    // The texts are hashed and stemmed for the related
                    // lists while the hubs are made: neither needs the
                    // other.
                    let (hub_set, ()) = rayon::join(
                        || hubs::build(&briefings, options),
                        || memo.prepare(&briefings, options),
                    );
                    // The phrase search is the texts' last full reader: then
                    // they go, before the ranking's index is made (the
                    // search index derives again those it tokenises).
                    crate::trace::lap("link.hubs+prepare");
                    let max = options.inline_links;
                    let keys = inline::input_keys(&briefings, &hub_set, max);
                    crate::trace::lap("link.inline_keys");
                    let inline_links = memo.inline.links(&briefings, &hub_set, max, &keys);
                    memo.inline
                        .record(&briefings, &hub_set, &keys, &inline_links);
                    crate::trace::count("link.inline_reused", memo.inline.reused);
                    crate::trace::lap("link.inline");
                    for b in &mut briefings {
                        b.release_text();
                    }
                    crate::memory::give_back(briefings.len());
                    let (related, dated) = beside_dated(&briefings, &hub_set, options, || {
                        related::compute(&briefings, &hub_set, options, Some(memo))
                    });
                    crate::trace::lap("link.related");
                    (hub_set, related, inline_links, dated)
                }
                None => {
                    let hub_set = hubs::build(&briefings, options);
                    let ((related, inline_links), dated) =
                        beside_dated(&briefings, &hub_set, options, || {
                            // Side by side: ranking has serial stretches (the
                            // index's "past" sweep) that the phrase search
                            // fills.
                            rayon::join(
                                || related::compute(&briefings, &hub_set, options, None),
                                || {
                                    inline::phrases(
                                        &briefings,
                                        &hub_set,
                                        options.inline_links,
                                        |_| None,
                                    )
                                },
                            )
                        });
                    crate::trace::lap("link.related+inline");
                    (hub_set, related, inline_links, dated)
                }
            }
        }
    };
    crate::trace::lap("link.digests");
    SiteModel {
        related,
        issue_hubs: hub_set.issues,
        entity_hubs: hub_set.entities,
        issue_links: hub_set.issue_links,
        entity_links: hub_set.entity_links,
        inline_links,
        tag_links: hub_set.tag_links,
        digests,
        digest_of,
        months,
        briefings,
    }
}

/// The digests (with each briefing's) and the archive months.
type Dated = (Vec<Digest>, Vec<usize>, Vec<digests::ArchiveMonth>);

/// `link()` on this thread, and meanwhile on another the digests and
/// archive months, which need only the briefings and their hubs. (A
/// thread of our own, not rayon's: `link` keeps this thread, and its trace.)
fn beside_dated<R>(
    briefings: &[Briefing],
    hub_set: &hubs::HubSet,
    options: &LinkOptions,
    link: impl FnOnce() -> R,
) -> (R, Dated) {
    std::thread::scope(|scope| {
        let dated = scope.spawn(|| {
            let days = digests::local_days(briefings, options.timezone);
            let (digests, digest_of) = digests::group(&days, hub_set, options);
            (digests, digest_of, digests::months(&days))
        });
        let linked = link();
        // A panic there is a bug: carried on as if it had happened here.
        let dated = dated
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (linked, dated)
    })
}

/// A briefing's publication instant (every briefing has one after loading).
pub fn date_of(b: &Briefing) -> DateTime<Utc> {
    b.page.date.unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The calendar day of an instant in the site's timezone.
pub fn local_day(instant: DateTime<Utc>, tz: Tz) -> NaiveDate {
    instant.with_timezone(&tz).date_naive()
}

/// The kind shown for an entity hub.
pub fn entity_kind_label(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person => "People",
        EntityKind::Place => "Places",
        EntityKind::Organization => "Organisations",
        EntityKind::Group => "Groups",
        EntityKind::Other => "Other",
    }
}
