//! The template API: every value a template can see is one of these
//! serialisable view structs. README lists them; this file is their reference.
//!
//! Architecture invariant: views hold ready-to-print values (URLs with the
//! base path, formatted dates); templates never loop over the whole site.

use serde::Serialize;

use super::shared::Shared;

/// `site`: available in every template.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    /// Absolute base URL, ending with `/`.
    pub base_url: String,
    /// The path part of `base_url` (`/` or `/briefs/`): prefix of every internal link.
    pub base_path: String,
    pub language: String,
    /// Site-relative URLs of the site's main pages.
    pub urls: SiteUrls,
    /// Sections and plain pages for the navigation.
    pub nav: Vec<Link>,
    /// `[extra]` of site.toml, as written.
    pub extra: toml::Table,
    /// The year of the newest briefing (for the footer; never the clock).
    pub year: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteUrls {
    pub home: String,
    pub feed: String,
    pub digests: String,
    pub digests_feed: String,
    pub issues: String,
    pub entities: String,
    pub archive: String,
    pub briefings: String,
    pub stylesheet: String,
    pub favicon: String,
    /// The search page (works without a server; needs JavaScript for results).
    pub search: String,
    /// The search script and the directory of the search index.
    pub search_script: String,
    pub search_index: String,
}

/// A titled link.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// A link to a hub with the number of briefings it counts in context.
#[derive(Debug, Clone, Serialize)]
pub struct HubLink {
    pub name: String,
    pub url: String,
    pub count: usize,
}

/// A briefing as listed on digests, hubs, sections and the archive.
#[derive(Debug, Clone, Serialize)]
pub struct BriefingCard {
    pub title: String,
    pub url: String,
    pub permalink: String,
    /// RFC 3339 instant.
    pub date: String,
    /// The day in the site's timezone, e.g. "3 November 2026".
    pub date_display: String,
    /// `YYYY-MM-DD` in the site's timezone.
    pub day: String,
    pub bottom_line: String,
    pub summary: Vec<String>,
    pub key_issues: Vec<IssueChip>,
    pub source_name: Option<String>,
}

/// A key issue label with its hub URL, when it has a hub page.
#[derive(Debug, Clone, Serialize)]
pub struct IssueChip {
    pub label: String,
    pub url: Option<String>,
}

/// `briefing`: the briefing page.
#[derive(Debug, Clone, Serialize)]
pub struct BriefingView {
    #[serde(flatten)]
    pub card: Shared<BriefingCard>,
    pub updated: Option<String>,
    pub updated_display: Option<String>,
    /// True when the title was derived from the text (no `title` in front matter).
    pub title_derived: bool,
    pub body_html: Shared<String>,
    pub headings: Vec<crate::markdown::Heading>,
    pub word_count: usize,
    pub reading_minutes: usize,
    pub source: Option<SourceView>,
    pub author: Option<String>,
    pub tags: Vec<String>,
    /// The tags with the hub each links to (`url` empty without a hub page).
    pub tag_links: Vec<IssueChip>,
    pub issues: Vec<KeyIssueView>,
    pub entities: Vec<EntityView>,
    pub related: Vec<RelatedView>,
    pub digest: Link,
    pub extra: toml::Table,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub name: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeyIssueView {
    pub label: String,
    /// Score with three decimals (a string, so output is byte-stable).
    pub score: String,
    pub evidence: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntityView {
    pub name: String,
    pub kind: String,
    pub mentions: u32,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelatedView {
    #[serde(flatten)]
    pub card: Shared<BriefingCard>,
    pub score: String,
    /// "Also on: sanctions relief, Oman".
    pub reason: String,
}

/// `digest`: one period's briefings.
#[derive(Debug, Clone, Serialize)]
pub struct DigestView {
    pub key: String,
    pub title: String,
    pub url: String,
    pub permalink: String,
    pub start: String,
    pub end: String,
    pub briefings: Vec<Shared<BriefingCard>>,
    pub issues: Vec<HubLink>,
    /// The older digest.
    pub previous: Option<Link>,
    /// The newer digest.
    pub next: Option<Link>,
}

/// A day of a hub's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineDay {
    pub day: String,
    pub date_display: String,
    pub briefings: Vec<Shared<TimelineCard>>,
}

/// A briefing on a hub's timeline. A briefing appears on dozens of
/// timelines, so its entry is rendered once (`timeline_card.html`) and
/// placed as `html`; the short fields are there for templates that lay
/// entries out themselves. Templates see `title`, `url`, `date`,
/// `date_display`, `bottom_line` and `source_name`, read from the card
/// rather than copied: every briefing on a hub has one, held until the
/// last hub page is rendered.
#[derive(Debug, Clone)]
pub struct TimelineCard {
    pub card: Shared<BriefingCard>,
    pub html: String,
}

impl Serialize for TimelineCard {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let c = &*self.card;
        let mut s = serializer.serialize_struct("TimelineCard", 7)?;
        s.serialize_field("title", &c.title)?;
        s.serialize_field("url", &c.url)?;
        s.serialize_field("date", &c.date)?;
        s.serialize_field("date_display", &c.date_display)?;
        s.serialize_field("bottom_line", &c.bottom_line)?;
        s.serialize_field("source_name", &c.source_name)?;
        s.serialize_field("html", &self.html)?;
        s.end()
    }
}

/// `hub`: a key issue or entity page.
#[derive(Debug, Clone, Serialize)]
pub struct HubView {
    pub name: String,
    pub slug: String,
    /// "issue", or the entity kind ("person", "place", ...).
    pub kind: String,
    pub kind_label: String,
    pub url: String,
    pub feed_url: String,
    pub count: usize,
    pub timeline: Vec<TimelineDay>,
    pub co_issues: Vec<HubLink>,
    pub co_entities: Vec<HubLink>,
}

/// A group of hub links on the issues and entities indexes.
#[derive(Debug, Clone, Serialize)]
pub struct HubGroup {
    pub label: String,
    pub hubs: Vec<HubLink>,
}

/// `index`: the issues or entities index.
#[derive(Debug, Clone, Serialize)]
pub struct HubIndexView {
    pub title: String,
    pub url: String,
    pub groups: Vec<HubGroup>,
}

/// `pagination`: where a paginated list is.
#[derive(Debug, Clone, Serialize)]
pub struct PaginationView {
    pub current: usize,
    pub total: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// The first and last pages and those within two of the current one.
    pub pages: Vec<Link>,
    /// Pages counted from the oldest (a hub's timeline: its own page, the
    /// newest, is the last), not from the newest (sections).
    pub numbered_from_oldest: bool,
}

/// `section`: a section's list page.
#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    pub title: String,
    pub url: String,
    pub intro_html: String,
    pub briefings: Vec<Shared<BriefingCard>>,
    pub pages: Vec<Link>,
}

/// `archive`: one month, or (with `months`) the archive index.
#[derive(Debug, Clone, Serialize)]
pub struct ArchiveView {
    pub title: String,
    pub url: String,
    pub briefings: Vec<Shared<BriefingCard>>,
    pub months: Vec<HubLink>,
    pub previous: Option<Link>,
    pub next: Option<Link>,
}

/// `page`: a plain page.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub title: String,
    pub url: String,
    pub permalink: String,
    pub date: Option<String>,
    pub date_display: Option<String>,
    pub body_html: String,
    pub extra: toml::Table,
}

/// `home`: the latest digest and links to recent ones.
#[derive(Debug, Clone, Serialize)]
pub struct HomeView {
    pub latest: Option<DigestView>,
    pub recent: Vec<HubLink>,
    pub top_issues: Vec<HubLink>,
}

/// `feed`: an Atom feed.
#[derive(Debug, Clone, Serialize)]
pub struct FeedView {
    pub title: String,
    /// The feed's own absolute URL.
    pub self_url: String,
    /// The page the feed belongs to.
    pub alternate_url: String,
    /// RFC 3339: the newest entry's date (never the clock).
    pub updated: String,
    pub entries: Vec<Shared<FeedEntry>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedEntry {
    pub title: String,
    pub url: String,
    pub published: String,
    pub updated: String,
    pub summary: String,
    pub content_html: String,
    pub author: Option<String>,
}

/// One `<url>` of the sitemap.
#[derive(Debug, Clone, Serialize)]
pub struct SitemapEntry {
    pub loc: String,
    pub lastmod: Option<String>,
}
