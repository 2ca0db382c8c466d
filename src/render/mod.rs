//! The render stage: builds the view objects of every page and renders them
//! with Tera into [`OutputFile`]s. Writes nothing itself.

mod identity;
pub mod shared;
pub mod templates;
pub mod views;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::briefings::Briefing;
use crate::cache::{RenderMemo, RenderedBody, StableHasher};
use crate::config::{Config, DigestPeriod};
use crate::content::{normalize_alias, Page, Section, BRIEFINGS_SECTION};
use crate::diagnostics::{line_col, Diagnostic};
use crate::linking::{date_of, entity_kind_label, local_day, Digest, Hub, HubKind, SiteModel};
use crate::markdown::{self, RenderContext, Rendered};
use crate::output::{Bytes, OutputFile};
use shared::Shared;
use views::*;

/// Words per minute for the reading time.
const READING_SPEED: usize = 220;
/// How many recent digests the home page links to.
const RECENT_DIGESTS: usize = 10;

/// What the render stage reads.
pub struct RenderInput<'a> {
    pub config: &'a Config,
    pub model: &'a SiteModel,
    /// Pages that are not briefings.
    pub pages: &'a [std::sync::Arc<Page>],
    pub sections: &'a [Section],
    pub tera: &'a Tera,
    /// False leaves the search index out (see [`search_files`]).
    pub search_index: bool,
    /// Briefings' search terms from an earlier build.
    pub search_terms: Option<&'a crate::cache::search_terms::SearchTermFile>,
}

/// The rendered site and the content problems found while rendering.
pub struct RenderOutput {
    pub files: Vec<OutputFile>,
    pub problems: Vec<Diagnostic>,
    /// Every briefing's card, in model order (what the search index lists).
    pub cards: Vec<Shared<BriefingCard>>,
    /// The search terms to record for the next build (with the index).
    pub search_terms: Option<crate::cache::search_terms::Update>,
}

/// The search index files of a site rendered without them.
pub fn search_files(model: &SiteModel, cards: &[Shared<BriefingCard>]) -> Vec<OutputFile> {
    crate::search::build_index(model, cards, None, None).0
}

/// The path part of an absolute base URL: `https://e.org/briefs/` -> `/briefs/`.
pub fn base_path(base_url: &str) -> String {
    let after_scheme = base_url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(base_url);
    match after_scheme.find('/') {
        Some(i) => {
            let p = &after_scheme[i..];
            if p.ends_with('/') {
                p.to_string()
            } else {
                format!("{p}/")
            }
        }
        None => "/".to_string(),
    }
}

/// Site-relative path (`/briefings/x/`) -> output file (`briefings/x/index.html`).
pub fn output_path(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    }
}

/// Turns site-relative paths into links and permalinks.
struct Urls {
    base_url: String,
    base_path: String,
}

impl Urls {
    fn link(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path.trim_start_matches('/'))
    }
    fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path.trim_start_matches('/'))
    }
}

fn date_display(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

fn rfc3339(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn digest_path(d: &Digest) -> String {
    format!("/digests/{}/", d.key)
}

fn digest_title(d: &Digest) -> String {
    match d.period {
        DigestPeriod::Day => d.start.format("%A %-d %B %Y").to_string(),
        DigestPeriod::Week => {
            let week = d.key.rsplit('W').next().unwrap_or("");
            format!(
                "Week {}, {} ({} – {})",
                week.trim_start_matches('0'),
                d.start.format("%G"),
                d.start.format("%-d %B"),
                d.end.format("%-d %B")
            )
        }
    }
}

fn hub_path(hub: &Hub) -> String {
    match hub.kind {
        HubKind::Issue => format!("/issues/{}/", hub.slug),
        HubKind::Entity(_) => format!("/entities/{}/", hub.slug),
    }
}

/// Renders every page of the site.
pub fn render_site(input: &RenderInput) -> Result<RenderOutput, String> {
    render_site_memo(input, None)
}

/// [`render_site`], reusing the pages and bodies of earlier renders whose
/// inputs are unchanged (`serve`). Same output as without the memo.
pub fn render_site_memo(
    input: &RenderInput,
    memo: Option<&RenderMemo>,
) -> Result<RenderOutput, String> {
    let config = input.config;
    let model = input.model;
    let urls = Urls {
        base_url: config.base_url.clone(),
        base_path: base_path(&config.base_url),
    };
    let tz = config.timezone;
    let site = site_view(input, &urls);
    crate::trace::lap("render.site_view");
    let source_paths = source_paths(input);
    let body_inputs = memo.map(|_| BodyInputs::new(&source_paths, &urls));
    crate::trace::lap("render.start");

    // Bodies first: they may hold content problems (broken `@/` links).
    // A body the last build rendered has none, and waits until its page
    // is rendered (most pages of a warm build are not). When pages go
    // straight to disk (a first build), every page is rendered and every
    // body waits for its page: its problems are gathered then, and no
    // body is held past its page (half a gigabyte of HTML at 100,000
    // briefings, held through the search index and every briefing page).
    let bodies_at_pages = memo.is_some_and(RenderMemo::streams_pages);
    let page_problems: Mutex<Vec<Diagnostic>> = Mutex::new(Vec::new());
    let mut problems = Vec::new();
    let render_briefing_body = |i: usize, inline: &[(String, String)]| {
        let b = &model.briefings[i];
        render_body(
            &b.page.markdown(),
            &b.page.file,
            b.page.body_line,
            &source_paths,
            &urls,
            inline,
            config.inline_links,
        )
    };
    let (bodies, body_keys): (Vec<Body>, Vec<u128>) = model
        .briefings
        .par_iter()
        .enumerate()
        .map(|(i, b)| {
            let (Some(memo), Some(shared)) = (memo, body_inputs) else {
                let inline = inline_links(model, i, config.inline_links);
                return (Body::Ready(Arc::new(render_briefing_body(i, &inline))), 0);
            };
            let key = body_key(
                shared.of(&b.page),
                &b.page.file,
                b.page.body_line,
                b.page.body_hash(),
                model,
                i,
                config.inline_links,
            );
            if bodies_at_pages {
                return (Body::AtPage, key);
            }
            if memo.body_can_wait(key) {
                return (Body::Waiting, key);
            }
            let body = memo.body(key, || {
                render_briefing_body(i, &inline_links(model, i, config.inline_links))
            });
            (Body::Ready(body), key)
        })
        .unzip();
    let body_of = |i: usize| match &bodies[i] {
        Body::Ready(body) => Arc::clone(body),
        Body::Waiting | Body::AtPage => {
            let inline = inline_links(model, i, config.inline_links);
            let body = match memo {
                Some(memo) => memo.body(body_keys[i], || render_briefing_body(i, &inline)),
                None => Arc::new(render_briefing_body(i, &inline)),
            };
            if matches!(bodies[i], Body::AtPage) && !body.1.is_empty() {
                page_problems.lock().unwrap().extend(body.1.iter().cloned());
            }
            body
        }
    };
    let rendered_pages: Vec<(Rendered, Vec<Diagnostic>)> = input
        .pages
        .iter()
        .map(|p| render_body(&p.body, &p.file, p.body_line, &source_paths, &urls, &[], 0))
        .collect();
    let briefing_bodies = bodies.iter().filter_map(|b| match b {
        Body::Ready(body) => Some(&**body),
        Body::Waiting | Body::AtPage => None,
    });
    for (_, p) in briefing_bodies.chain(&rendered_pages) {
        problems.extend(p.iter().cloned());
    }
    crate::trace::lap("render.bodies");

    let cards: Vec<Shared<BriefingCard>> = (0..model.briefings.len())
        .into_par_iter()
        .map(|i| {
            let Ok(card) = kept(
                memo,
                "card",
                &model.briefings[i],
                || card_deps(model, i, &urls, tz),
                || {
                    Ok::<_, std::convert::Infallible>(Shared::new(
                        card(model, i, &urls, tz),
                        memo.is_some(),
                    ))
                },
            );
            card
        })
        .collect();
    crate::trace::lap("render.cards");
    let renderer = Renderer {
        tera: input.tera,
        site: &site,
        memo: memo.map(|m| (m, RenderMemo::hash_value(&site))),
    };
    let site_hash = renderer.memo.map_or(0, |(_, h)| h);
    let mut files: Vec<OutputFile> = Vec::new();

    // The search index: in a cold build first, while few pages are held
    // (its working tables, every briefing's terms and the postings, are
    // freed before the pages pile up, and the allocator gives their memory
    // to the pages); after an edit, when few pages are rendered, beside
    // them, to fill the cores its serial stretches leave idle.
    let search_index = || {
        if input.search_index {
            let (files, update) =
                crate::search::build_index(model, &cards, input.search_terms, memo);
            (files, Some(update))
        } else {
            (Vec::new(), None)
        }
    };
    // Briefing pages, in parallel: the bulk of the work on a large site.
    let briefing_pages = || -> Result<Vec<OutputFile>, String> {
        model
            .briefings
            .par_iter()
            .enumerate()
            .map(|(i, b)| {
                let path = output_path(&b.page.path);
                // The page's key is what its view is made of: its page and
                // analysis by content, and everything else it shows
                // (`briefing_deps`, with the body's key). A page whose key
                // is known needs neither a view nor a body rendered.
                let render = || {
                    renderer.render_keyed(
                        Some(&path),
                        b.page.template.as_deref().unwrap_or("briefing.html"),
                        "briefing",
                        |h| {
                            h.wide(identity::page_identity(&b.page))
                                .wide(identity::analysis_identity(&b.analysis))
                                .wide(briefing_deps(
                                    model,
                                    i,
                                    &cards,
                                    body_keys[i],
                                    &urls,
                                    site_hash,
                                ));
                        },
                        || {
                            let body = body_of(i);
                            briefing_view(model, i, &cards, &body.0, &urls, memo.is_some())
                        },
                    )
                };
                // serve: a page whose inputs are all unchanged is not even viewed.
                let deps = || briefing_deps(model, i, &cards, body_keys[i], &urls, site_hash);
                let bytes = kept(memo, "page", b, deps, render)?;
                Ok(OutputFile { path, bytes })
            })
            .collect()
    };
    let warm = memo.is_some_and(RenderMemo::has_manifest);
    let ((search_index, search_terms), briefing_files) = if warm {
        rayon::join(search_index, briefing_pages)
    } else {
        let search = search_index();
        (search, briefing_pages())
    };
    files.extend(briefing_files?);
    problems.extend(page_problems.into_inner().unwrap());
    // The bodies are in their pages now: freed before the hub pages pile
    // up (half a gigabyte of HTML at 100,000 briefings).
    crate::drop_later::drop_later(bodies);
    let briefing_pages = files.len();
    crate::trace::lap("render.briefings");

    files.extend(render_pages(input, &renderer, &rendered_pages, &urls)?);
    files.extend(render_digests(model, &renderer, &cards, &urls)?);
    crate::trace::lap("render.pages+digests");
    let timeline = timeline_cards(model, &renderer, &cards)?;
    let feed = feed_entries(model, &cards, memo, config.feed_length);
    let entries = Entries {
        cards: &cards,
        timeline: &timeline,
        feed: &feed,
    };
    crate::trace::lap("render.timeline+feed");
    // The hub pages alongside the section and archive pages: after an
    // edit few of each are rendered, and one big page (a month of the
    // archive, a hub) would otherwise leave a core idle.
    let (hub_files, other_files) = rayon::join(
        || render_hubs(model, &renderer, &entries, &urls, config),
        || -> Result<_, String> {
            Ok((
                render_sections(input, &renderer, &cards, &urls, &source_paths)?,
                render_archive(model, &renderer, &cards, &urls)?,
            ))
        },
    );
    files.extend(hub_files?);
    let (section_files, archive_files) = other_files?;
    files.extend(section_files);
    files.extend(archive_files);
    crate::trace::lap("render.hubs+sections+archive");
    files.extend(render_feeds(input, &renderer, &entries, &urls)?);
    files.extend(render_aliases(input, &renderer, &urls)?);
    files.push(file_at("/search/", |_| {
        renderer.render_plain("search.html")
    })?);
    files.extend(search_index);
    files.push(OutputFile {
        path: "404.html".into(),
        bytes: renderer.render_plain("404.html")?,
    });
    crate::trace::lap("render.feeds..404");
    let sitemaps = sitemap(input, &renderer, &urls, &files, briefing_pages)?;
    files.extend(sitemaps);
    crate::trace::lap("render.sitemap");
    files.push(OutputFile {
        path: "robots.txt".into(),
        bytes: renderer.render_plain("robots.txt")?,
    });
    for (path, text) in templates::DEFAULT_STATIC {
        files.push(OutputFile {
            path: path.to_string(),
            bytes: (*text).into(),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    problems.sort();
    crate::drop_later::drop_later(source_paths);
    Ok(RenderOutput {
        files,
        problems,
        cards,
        search_terms,
    })
}

/// What every body's HTML may depend on besides its own text and inline
/// links: the base URL, and the content files' URLs (for `@/` links and
/// the hints of broken ones).
#[derive(Clone, Copy)]
struct BodyInputs {
    /// Hash of the base URL.
    base: u128,
    /// Hash of the base URL and of every content file's URL.
    with_pages: u128,
}

impl BodyInputs {
    fn new(pages: &BTreeMap<String, String>, urls: &Urls) -> BodyInputs {
        let mut h = StableHasher::default();
        h.field(urls.base_path.as_bytes())
            .field(urls.base_url.as_bytes());
        let base = h.finish();
        let mut h = StableHasher::default();
        h.wide(base);
        for (source, path) in pages {
            h.field(source.as_bytes()).field(path.as_bytes());
        }
        BodyInputs {
            base,
            with_pages: h.finish(),
        }
    }

    /// The inputs the body of `page` depends on. Only a body that can
    /// hold an `@/` link ([`crate::content::may_link_pages`]) depends on the
    /// content files' URLs. Without this, adding a
    /// briefing changed every body's key, and a warm build rendered every
    /// briefing page again to the same bytes.
    fn of(&self, page: &Page) -> u128 {
        if page.may_link_pages() {
            self.with_pages
        } else {
            self.base
        }
    }
}

/// A briefing's body for its page: rendered, or waiting until the page is
/// rendered ([`RenderMemo::body_can_wait`]), or rendered with its page
/// and its problems reported then ([`RenderMemo::streams_pages`]).
enum Body {
    Ready(Arc<RenderedBody>),
    Waiting,
    AtPage,
}

/// The key of a briefing's body: everything its HTML and problems depend
/// on (`shared` hashes the inputs common to every body). Its inline links
/// ([`inline_links`]) are hashed as phrase and hub ([`hash_hub_path`])
/// without building them: most bodies of a rebuild are not rendered, and
/// this runs for every one.
fn body_key(
    shared: u128,
    file: &str,
    body_line: usize,
    body_hash: u128,
    model: &SiteModel,
    i: usize,
    max_inline: usize,
) -> u128 {
    let mut h = StableHasher::default();
    h.wide(shared)
        .field(file.as_bytes())
        .number(body_line as u64)
        .wide(body_hash)
        .number(max_inline as u64);
    for l in model.inline_links[i].iter().take(max_inline) {
        h.field(l.phrase.as_bytes());
        hash_hub_path(&mut h, Some(model.hub(l.hub)));
    }
    h.finish()
}

/// Hashes what a link to a hub (or to none) depends on: its URL is its
/// kind's directory and its slug ([`hub_path`]).
fn hash_hub_path(h: &mut StableHasher, hub: Option<&Hub>) {
    match hub {
        Some(hub) => h
            .number(matches!(hub.kind, HubKind::Issue) as u64 + 1)
            .field(hub.slug.as_bytes()),
        None => h.number(0),
    };
}

/// Renders one body, turning its problems into diagnostics with file positions.
fn render_body(
    body: &str,
    file: &str,
    body_line: usize,
    pages: &BTreeMap<String, String>,
    urls: &Urls,
    inline: &[(String, String)],
    max_inline: usize,
) -> (Rendered, Vec<Diagnostic>) {
    let ctx = RenderContext {
        pages,
        base_path: &urls.base_path,
        inline_links: inline,
        max_inline_links: max_inline,
    };
    let (rendered, problems) = markdown::render(body, &ctx);
    let diagnostics = problems
        .into_iter()
        .map(|p| {
            let (line, column) = line_col(body, p.offset);
            let mut d = Diagnostic::error(file, p.message).at(line + body_line - 1, column);
            if let Some(h) = p.hint {
                d = d.with_hint(h);
            }
            d
        })
        .collect();
    (rendered, diagnostics)
}

/// Content source path -> site-relative URL path, for `@/` links.
fn source_paths(input: &RenderInput) -> BTreeMap<String, String> {
    // Built from a sorted list rather than insert by insert: this runs on
    // every rebuild of `serve`. (The sort is stable, and a map made from
    // a list keeps the last value of a key, as inserting did.)
    let mut briefings: Vec<(String, String)> = input
        .model
        .briefings
        .par_iter()
        .map(|b| (b.page.source.clone(), b.page.path.clone()))
        .collect();
    briefings.par_sort_by(|a, b| a.0.cmp(&b.0));
    let mut map: BTreeMap<String, String> = briefings.into_iter().collect();
    for p in input.pages {
        map.insert(p.source.clone(), p.path.clone());
    }
    for s in input.sections {
        let key = if s.dir.is_empty() {
            "_index.md".to_string()
        } else {
            format!("{}/_index.md", s.dir)
        };
        let path = if s.dir.is_empty() {
            "/".to_string()
        } else {
            format!("/{}/", s.dir)
        };
        map.insert(key, path);
    }
    map
}

/// The phrases of a briefing that link to a hub on first mention: the link
/// stage picks them as written in the text, in priority order.
fn inline_links(model: &SiteModel, i: usize, max: usize) -> Vec<(String, String)> {
    model.inline_links[i]
        .iter()
        .take(max)
        .map(|l| {
            let hub = model.hub(l.hub);
            (l.phrase.clone(), hub_path(hub))
        })
        .collect()
}

fn site_view(input: &RenderInput, urls: &Urls) -> SiteView {
    let config = input.config;
    let mut nav = vec![
        Link {
            title: "Digests".into(),
            url: urls.link("/digests/"),
        },
        Link {
            title: "Issues".into(),
            url: urls.link("/issues/"),
        },
        Link {
            title: "Entities".into(),
            url: urls.link("/entities/"),
        },
        Link {
            title: "Archive".into(),
            url: urls.link("/archive/"),
        },
    ];
    let mut extra_pages: Vec<Link> = input
        .pages
        .iter()
        .filter(|p| p.section.is_empty())
        .map(|p| Link {
            title: page_title(p),
            url: urls.link(&p.path),
        })
        .collect();
    extra_pages.sort_by(|a, b| a.title.cmp(&b.title));
    nav.extend(extra_pages);
    let year = input
        .model
        .briefings
        .first()
        .map(|b| {
            local_day(date_of(b), config.timezone)
                .format("%Y")
                .to_string()
                .parse()
                .unwrap_or(1970)
        })
        .unwrap_or(1970);
    SiteView {
        title: config.title.clone(),
        description: config.description.clone(),
        base_url: urls.base_url.clone(),
        base_path: urls.base_path.clone(),
        language: config.language.clone(),
        urls: SiteUrls {
            home: urls.link("/"),
            feed: urls.link("/atom.xml"),
            digests: urls.link("/digests/"),
            digests_feed: urls.link("/digests/atom.xml"),
            issues: urls.link("/issues/"),
            entities: urls.link("/entities/"),
            archive: urls.link("/archive/"),
            briefings: urls.link(&format!("/{BRIEFINGS_SECTION}/")),
            stylesheet: urls.link("/style.css"),
            favicon: urls.link("/favicon.svg"),
            search: urls.link("/search/"),
            search_script: urls.link("/search.js"),
            search_index: urls.link("/search/"),
        },
        nav,
        extra: config.extra.clone(),
        year,
    }
}

fn page_title(p: &Page) -> String {
    p.title.clone().unwrap_or_else(|| p.slug.replace('-', " "))
}

fn card(model: &SiteModel, i: usize, urls: &Urls, tz: Tz) -> BriefingCard {
    let b = &model.briefings[i];
    let instant = date_of(b);
    let day = local_day(instant, tz);
    BriefingCard {
        title: b.title.clone(),
        url: urls.link(&b.page.path),
        permalink: urls.permalink(&b.page.path),
        date: rfc3339(instant),
        date_display: date_display(day),
        day: day.format("%Y-%m-%d").to_string(),
        bottom_line: b.analysis.bottom_line.clone(),
        summary: b.analysis.summary.clone(),
        key_issues: b
            .analysis
            .key_issues
            .iter()
            .zip(&model.issue_links[i])
            .map(|(k, hub)| IssueChip {
                label: k.label.clone(),
                url: hub.map(|h| urls.link(&hub_path(&model.issue_hubs[h]))),
            })
            .collect(),
        source_name: b
            .page
            .source_info
            .as_ref()
            .map(|s| s.name.clone())
            .filter(|n| !n.is_empty()),
    }
}

fn briefing_view(
    model: &SiteModel,
    i: usize,
    cards: &[Shared<BriefingCard>],
    rendered: &Rendered,
    urls: &Urls,
    digest_body: bool,
) -> BriefingView {
    let b = &model.briefings[i];
    let digest = &model.digests[model.digest_of[i]];
    BriefingView {
        card: cards[i].clone(),
        updated: b.page.updated.map(rfc3339),
        updated_display: b.page.updated.map(|u| date_display(u.date_naive())),
        title_derived: b.title_derived,
        body_html: Shared::text(rendered.html.clone(), digest_body),
        headings: rendered.headings.clone(),
        word_count: rendered.word_count,
        reading_minutes: rendered.word_count.div_ceil(READING_SPEED).max(1),
        source: b.page.source_info.as_ref().map(|s| SourceView {
            name: s.name.clone(),
            url: s.url.clone(),
        }),
        author: b.page.author.clone(),
        tags: b.page.tags.clone(),
        tag_links: b
            .page
            .tags
            .iter()
            .zip(&model.tag_links[i])
            .map(|(tag, hub)| IssueChip {
                label: tag.clone(),
                url: hub.map(|h| {
                    let hub = model.hub(h);
                    urls.link(&hub_path(hub))
                }),
            })
            .collect(),
        issues: b
            .analysis
            .key_issues
            .iter()
            .zip(&model.issue_links[i])
            .map(|(k, hub)| KeyIssueView {
                label: k.label.clone(),
                score: format!("{:.3}", k.score),
                evidence: k.evidence.clone(),
                url: hub.map(|h| urls.link(&hub_path(&model.issue_hubs[h]))),
            })
            .collect(),
        entities: b
            .analysis
            .entities
            .iter()
            .zip(&model.entity_links[i])
            .map(|(e, hub)| EntityView {
                name: e.name.clone(),
                kind: e.kind.as_str().to_string(),
                mentions: e.mentions,
                url: hub.map(|h| urls.link(&hub_path(&model.entity_hubs[h]))),
            })
            .collect(),
        related: model.related[i]
            .iter()
            .map(|r| RelatedView {
                card: cards[r.target].clone(),
                score: related_score(r.score),
                reason: if r.reasons.is_empty() {
                    String::new()
                } else {
                    format!("Also on: {}", r.reasons.join(", "))
                },
            })
            .collect(),
        digest: Link {
            title: digest_title(digest),
            url: urls.link(&digest_path(digest)),
        },
        extra: b.page.front_matter.extra.clone(),
    }
}

/// `make()`, or the value of this kind that `serve`'s memo kept for
/// briefing `b` ([`RenderMemo::per_briefing`]); `deps` hashes what the
/// value shows beyond the briefing's page and analysis.
fn kept<T, E>(
    memo: Option<&RenderMemo>,
    kind: &'static str,
    b: &Briefing,
    deps: impl FnOnce() -> u128,
    make: impl FnOnce() -> Result<T, E>,
) -> Result<T, E>
where
    T: Clone + Send + Sync + 'static,
{
    match memo {
        Some(m) => m.per_briefing(kind, &b.page.path, &b.page, &b.analysis, deps, make),
        None => make(),
    }
}

/// The hash of what a briefing's card shows beyond its page and analysis
/// (which [`RenderMemo::per_briefing`] compares as Arcs): see [`card`].
fn card_deps(model: &SiteModel, i: usize, urls: &Urls, tz: Tz) -> u128 {
    let mut h = StableHasher::default();
    h.field(urls.base_url.as_bytes())
        .field(urls.base_path.as_bytes())
        .field(tz.name().as_bytes())
        .field(model.briefings[i].title.as_bytes());
    for l in &model.issue_links[i] {
        match l {
            Some(l) => h.field(model.issue_hubs[*l].slug.as_bytes()),
            None => h.number(0),
        };
    }
    h.finish()
}

/// A related briefing's score as pages show it (three decimals, a string
/// so that output is byte-stable).
fn related_score(score: f64) -> String {
    format!("{score:.3}")
}

/// The hash of what a briefing's page shows beyond its page and analysis
/// (which [`RenderMemo::per_briefing`] compares as Arcs, and a build's
/// page key by their content hashes, see [`identity`]): the site, its
/// URLs, its card, its body's inputs, the hubs it links to, its related briefings'
/// cards and reasons, and its digest. Kept in step with [`briefing_view`]:
/// `tests/serve_cache.rs` compares incremental and warm builds with full
/// and cold ones.
fn briefing_deps(
    model: &SiteModel,
    i: usize,
    cards: &[Shared<BriefingCard>],
    body_key: u128,
    urls: &Urls,
    site_hash: u128,
) -> u128 {
    let b = &model.briefings[i];
    let mut h = StableHasher::default();
    h.field(urls.base_url.as_bytes())
        .field(urls.base_path.as_bytes());
    h.wide(site_hash)
        .wide(cards[i].digest())
        .wide(body_key)
        .number(b.title_derived as u64);
    for r in &model.tag_links[i] {
        hash_hub_path(&mut h, r.map(|r| model.hub(r)));
    }
    for l in &model.issue_links[i] {
        hash_hub_path(&mut h, l.map(|l| &model.issue_hubs[l]));
    }
    for l in &model.entity_links[i] {
        hash_hub_path(&mut h, l.map(|l| &model.entity_hubs[l]));
    }
    h.number(model.related[i].len() as u64);
    for r in model.related[i].iter() {
        // The score as the view shows it: a related list ranked again
        // after a word's frequency moved a step often differs only in the
        // fourth decimal, and its page need not be rendered again.
        h.wide(cards[r.target].digest())
            .field(related_score(r.score).as_bytes());
        h.number(r.reasons.len() as u64);
        for reason in &r.reasons {
            h.field(reason.as_bytes());
        }
    }
    let digest = &model.digests[model.digest_of[i]];
    // What its title and path are made from (formatting them for every
    // briefing cost more than the rest of this hash).
    h.field(digest.key.as_bytes())
        .number(matches!(digest.period, DigestPeriod::Week) as u64)
        .number(digest.start.num_days_from_ce() as u64)
        .number(digest.end.num_days_from_ce() as u64);
    h.finish()
}

/// Renders templates with the `site` value always present.
struct Renderer<'a> {
    tera: &'a Tera,
    site: &'a SiteView,
    /// The memo and the hash of `site`.
    memo: Option<(&'a RenderMemo, u128)>,
}

impl Renderer<'_> {
    fn render<T: Serialize>(&self, template: &str, name: &str, value: &T) -> Result<Bytes, String> {
        self.render_to(None, template, name, value)
    }

    /// [`Renderer::render`] for the output file `to`, if it is one (see
    /// [`RenderMemo::page`]).
    fn render_to<T: Serialize>(
        &self,
        to: Option<&str>,
        template: &str,
        name: &str,
        value: &T,
    ) -> Result<Bytes, String> {
        self.render_memo(
            to,
            template,
            |h| {
                h.field(name.as_bytes());
                RenderMemo::hash_into(h, value);
            },
            |ctx| ctx.insert(name, value),
        )
    }

    /// The page at the site path `path` (`/x/`), [`Renderer::render`]ed.
    fn render_file<T: Serialize>(
        &self,
        path: &str,
        template: &str,
        name: &str,
        value: &T,
    ) -> Result<OutputFile, String> {
        file_at(path, |to| self.render_to(Some(to), template, name, value))
    }

    /// Renders `template` with `name` bound to what `view` makes; the
    /// memo key is what `key` feeds the hasher (with the template, `site`
    /// and `name`), so a known page is taken without making its view.
    fn render_keyed<T: Serialize>(
        &self,
        to: Option<&str>,
        template: &str,
        name: &str,
        key: impl FnOnce(&mut StableHasher),
        view: impl FnOnce() -> T,
    ) -> Result<Bytes, String> {
        self.render_memo(
            to,
            template,
            |h| {
                h.field(name.as_bytes());
                key(h);
            },
            |ctx| ctx.insert(name, &view()),
        )
    }

    fn render_with(
        &self,
        to: Option<&str>,
        template: &str,
        values: &[(&str, &dyn ErasedSerialize)],
    ) -> Result<Bytes, String> {
        self.render_memo(
            to,
            template,
            |h| {
                for (name, value) in values {
                    h.field(name.as_bytes());
                    value.hash_into(h);
                }
            },
            |ctx| {
                for (name, value) in values {
                    ctx.insert(*name, &ErasedRef(*value));
                }
            },
        )
    }

    /// The file `name`: with a memo (`serve`), kept from the last render
    /// while the hash `deps` gives (of the site's hash) is the same (see
    /// [`RenderMemo::file`]); without one, rendered.
    fn kept_file(
        &self,
        name: &str,
        deps: impl FnOnce(u128) -> u128,
        render: impl FnOnce() -> Result<OutputFile, String>,
    ) -> Result<OutputFile, String> {
        match self.memo {
            Some((memo, site)) => memo.file(name, || deps(site), render),
            None => render(),
        }
    }

    fn render_plain(&self, template: &str) -> Result<Bytes, String> {
        self.render_with(None, template, &[])
    }

    /// Renders `template` with the context `fill` makes plus `site`, or
    /// takes the memo's copy when the values `hash` feeds it are known:
    /// the key comes from the typed values, so a hit builds no context.
    fn render_memo(
        &self,
        to: Option<&str>,
        template: &str,
        hash: impl FnOnce(&mut StableHasher),
        fill: impl FnOnce(&mut Context),
    ) -> Result<Bytes, String> {
        let render = || {
            let mut ctx = Context::new();
            fill(&mut ctx);
            ctx.insert("site", self.site);
            self.tera
                .render(template, &ctx)
                .map_err(|e| format!("template {template}: {}", templates::error_chain(&e)))
        };
        let Some((memo, site_hash)) = self.memo else {
            return render().map(Bytes::from);
        };
        let mut h = StableHasher::default();
        h.field(template.as_bytes()).wide(site_hash);
        shared::with_digests(|| hash(&mut h));
        memo.page(h.finish(), to, render)
    }
}

/// Lets differently typed views share one call.
trait ErasedSerialize {
    fn to_json(&self) -> serde_json::Value;
    /// Feeds the value's JSON form into `h` without building it.
    fn hash_into(&self, h: &mut StableHasher);
}

impl<T: Serialize> ErasedSerialize for T {
    fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
    fn hash_into(&self, h: &mut StableHasher) {
        RenderMemo::hash_into(h, self);
    }
}

struct ErasedRef<'a>(&'a dyn ErasedSerialize);

impl Serialize for ErasedRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.to_json().serialize(s)
    }
}

/// The output file of the site path `path` (`/x/` -> `x/index.html`),
/// made by `render` from that output path: a page rendered for a file
/// can go to the staging directory at once ([`RenderMemo::page`]).
fn file_at(
    path: &str,
    render: impl FnOnce(&str) -> Result<Bytes, String>,
) -> Result<OutputFile, String> {
    let to = output_path(path);
    let bytes = render(&to)?;
    Ok(OutputFile { path: to, bytes })
}

fn render_pages(
    input: &RenderInput,
    r: &Renderer,
    rendered: &[(Rendered, Vec<Diagnostic>)],
    urls: &Urls,
) -> Result<Vec<OutputFile>, String> {
    let tz = input.config.timezone;
    input
        .pages
        .iter()
        .zip(rendered)
        .map(|(p, (body, _))| {
            let view = PageView {
                title: page_title(p),
                url: urls.link(&p.path),
                permalink: urls.permalink(&p.path),
                date: p.date.map(rfc3339),
                date_display: p.date.map(|d| date_display(local_day(d, tz))),
                body_html: body.html.clone(),
                extra: p.front_matter.extra.clone(),
            };
            r.render_file(
                &p.path,
                p.template.as_deref().unwrap_or("page.html"),
                "page",
                &view,
            )
        })
        .collect()
}

fn digest_view(
    model: &SiteModel,
    d: usize,
    cards: &[Shared<BriefingCard>],
    urls: &Urls,
) -> DigestView {
    let digest = &model.digests[d];
    let link = |i: usize| {
        model.digests.get(i).map(|x| Link {
            title: digest_title(x),
            url: urls.link(&digest_path(x)),
        })
    };
    DigestView {
        key: digest.key.clone(),
        title: digest_title(digest),
        url: urls.link(&digest_path(digest)),
        permalink: urls.permalink(&digest_path(digest)),
        start: digest.start.format("%Y-%m-%d").to_string(),
        end: digest.end.format("%Y-%m-%d").to_string(),
        briefings: digest.members.iter().map(|&m| cards[m].clone()).collect(),
        issues: digest
            .issues
            .iter()
            .map(|&(h, count)| HubLink {
                name: model.issue_hubs[h].name.clone(),
                url: urls.link(&hub_path(&model.issue_hubs[h])),
                count,
            })
            .collect(),
        previous: link(d + 1),
        next: if d == 0 { None } else { link(d - 1) },
    }
}

fn render_digests(
    model: &SiteModel,
    r: &Renderer,
    cards: &[Shared<BriefingCard>],
    urls: &Urls,
) -> Result<Vec<OutputFile>, String> {
    // In parallel: a digest lists a day's or a week's briefings, and at
    // 100,000 briefings rendering them one by one took a second.
    let mut files: Vec<OutputFile> = (0..model.digests.len())
        .into_par_iter()
        .map(|d| {
            let view = digest_view(model, d, cards, urls);
            r.render_file(
                &digest_path(&model.digests[d]),
                "digest.html",
                "digest",
                &view,
            )
        })
        .collect::<Result<_, String>>()?;
    let all: Vec<HubLink> = model
        .digests
        .iter()
        .map(|d| HubLink {
            name: digest_title(d),
            url: urls.link(&digest_path(d)),
            count: d.members.len(),
        })
        .collect();
    files.push(r.render_file("/digests/", "digests.html", "digests", &all)?);
    let home = HomeView {
        latest: (!model.digests.is_empty()).then(|| digest_view(model, 0, cards, urls)),
        recent: all.iter().skip(1).take(RECENT_DIGESTS).cloned().collect(),
        top_issues: top_hubs(&model.issue_hubs, urls, 12),
    };
    files.push(r.render_file("/", "home.html", "home", &home)?);
    Ok(files)
}

/// Hubs ranked by recent activity: newest member first, then size, then slug.
fn top_hubs(hubs: &[Hub], urls: &Urls, n: usize) -> Vec<HubLink> {
    let mut ranked: Vec<&Hub> = hubs.iter().collect();
    ranked.sort_by(|a, b| {
        b.latest
            .cmp(&a.latest)
            .then(b.members.len().cmp(&a.members.len()))
            .then(a.slug.cmp(&b.slug))
    });
    ranked
        .into_iter()
        .take(n)
        .map(|h| HubLink {
            name: h.name.clone(),
            url: urls.link(&hub_path(h)),
            count: h.members.len(),
        })
        .collect()
}

fn hub_links(pairs: &[(usize, usize)], hubs: &[Hub], urls: &Urls) -> Vec<HubLink> {
    pairs
        .iter()
        .map(|&(h, count)| HubLink {
            name: hubs[h].name.clone(),
            url: urls.link(&hub_path(&hubs[h])),
            count,
        })
        .collect()
}

/// Every briefing's timeline entry, rendered once for all the hubs it is on
/// (only briefings on some hub).
fn timeline_cards(
    model: &SiteModel,
    r: &Renderer,
    cards: &[Shared<BriefingCard>],
) -> Result<Vec<Option<Shared<TimelineCard>>>, String> {
    let mut on_hub = vec![false; cards.len()];
    for hub in model.issue_hubs.iter().chain(&model.entity_hubs) {
        for &m in &hub.members {
            on_hub[m] = true;
        }
    }
    cards
        .par_iter()
        .zip(on_hub)
        .zip(&model.briefings)
        .map(|((c, on_hub), b)| {
            if !on_hub {
                return Ok(None);
            }
            let make = || {
                let entry = TimelineCard {
                    card: c.clone(),
                    html: String::from_utf8_lossy(&r.render("timeline_card.html", "b", c)?)
                        .into_owned(),
                };
                Ok::<_, String>(Shared::new(entry, r.memo.is_some()))
            };
            // Made from the card alone (and the site the template sees).
            let site = r.memo.map_or(0, |(_, h)| h);
            let deps = || StableHasher::default().wide(site).wide(c.digest()).finish();
            let entry = kept(r.memo.map(|(m, _)| m), "timeline", b, deps, make)?;
            Ok(Some(entry))
        })
        .collect()
}

/// What the lists of briefings on hubs and feeds are made of, each made
/// once per briefing.
struct Entries<'a> {
    cards: &'a [Shared<BriefingCard>],
    /// Only for briefings on some hub.
    timeline: &'a [Option<Shared<TimelineCard>>],
    /// Only for briefings in some feed.
    feed: &'a [Option<Shared<FeedEntry>>],
}

fn render_hubs(
    model: &SiteModel,
    r: &Renderer,
    entries: &Entries,
    urls: &Urls,
    config: &Config,
) -> Result<Vec<OutputFile>, String> {
    let hubs: Vec<&Hub> = model.issue_hubs.iter().chain(&model.entity_hubs).collect();
    // Hubs are independent pages: render them in parallel, collected in
    // order. `serve` keeps each page and feed until what it shows changes.
    let per_hub: Result<Vec<Vec<OutputFile>>, String> = hubs
        .par_iter()
        .map(|hub| {
            let path = hub_path(hub);
            let mut files = Vec::new();
            for page in hub_pages(&hub.members, config.hub_page_size) {
                files.push(r.kept_file(
                    &page.path(&path),
                    |site| hub_page_deps(model, hub, &page, entries, urls, config, site),
                    || render_hub_page(model, hub, &page, r, entries, urls, config),
                )?);
            }
            files.push(r.kept_file(
                &format!("{path}atom.xml"),
                |site| hub_feed_deps(hub, entries, urls, config, site),
                || render_hub_feed(hub, r, entries, urls, config),
            )?);
            Ok(files)
        })
        .collect();
    let mut files: Vec<OutputFile> = per_hub?.into_iter().flatten().collect();
    let issues = HubIndexView {
        title: "Key issues".into(),
        url: urls.link("/issues/"),
        groups: vec![HubGroup {
            label: "By recent activity".into(),
            hubs: top_hubs(&model.issue_hubs, urls, usize::MAX),
        }],
    };
    files.push(r.render_file("/issues/", "hub_index.html", "index", &issues)?);
    let mut groups: BTreeMap<crate::analysis::EntityKind, Vec<HubLink>> = BTreeMap::new();
    for hub in &model.entity_hubs {
        if let HubKind::Entity(k) = hub.kind {
            groups.entry(k).or_default().push(HubLink {
                name: hub.name.clone(),
                url: urls.link(&hub_path(hub)),
                count: hub.members.len(),
            });
        }
    }
    let entities = HubIndexView {
        title: "Entities".into(),
        url: urls.link("/entities/"),
        groups: groups
            .into_iter()
            .map(|(k, mut hubs)| {
                hubs.sort_by(|a, b| {
                    a.name
                        .to_lowercase()
                        .cmp(&b.name.to_lowercase())
                        .then(a.name.cmp(&b.name))
                });
                HubGroup {
                    label: entity_kind_label(k).to_string(),
                    hubs,
                }
            })
            .collect(),
    };
    files.push(r.render_file("/entities/", "hub_index.html", "index", &entities)?);
    Ok(files)
}

fn pagination(base: &str, current: usize, total: usize, urls: &Urls) -> PaginationView {
    let page_url = |n: usize| {
        if n == 1 {
            urls.link(base)
        } else {
            urls.link(&format!("{base}page/{n}/"))
        }
    };
    PaginationView {
        current,
        total,
        previous: (current > 1).then(|| page_url(current - 1)),
        next: (current < total).then(|| page_url(current + 1)),
        pages: page_window(current, total, false, page_url),
        numbered_from_oldest: false,
    }
}

/// The pages a pager links: the first, the last and those within two of
/// the current one (listing every page on every page grows with the
/// square of the archive), in reading order, newest first: counting up,
/// or down when pages are numbered from the oldest.
fn page_window(
    current: usize,
    total: usize,
    numbered_from_oldest: bool,
    page_url: impl Fn(usize) -> String,
) -> Vec<Link> {
    let mut numbers: Vec<usize> = (1..=total)
        .filter(|&n| n == 1 || n == total || n.abs_diff(current) <= 2)
        .collect();
    if numbered_from_oldest {
        numbers.reverse();
    }
    numbers
        .into_iter()
        .map(|n| Link {
            title: n.to_string(),
            url: page_url(n),
        })
        .collect()
}

fn render_sections(
    input: &RenderInput,
    r: &Renderer,
    cards: &[Shared<BriefingCard>],
    urls: &Urls,
    source_paths: &BTreeMap<String, String>,
) -> Result<Vec<OutputFile>, String> {
    let config = input.config;
    let mut files = Vec::new();
    // Every directory holding briefings or pages gets a section page.
    let mut dirs: BTreeMap<String, ()> = BTreeMap::new();
    dirs.insert(BRIEFINGS_SECTION.to_string(), ());
    for p in input.pages.iter().filter(|p| !p.section.is_empty()) {
        dirs.insert(p.section.clone(), ());
    }
    for dir in dirs.keys() {
        let index = input.sections.iter().find(|s| &s.dir == dir);
        let (intro_html, mut problems) = match index {
            Some(s) => {
                let (rendered, problems) =
                    render_body(&s.body, &s.file, s.body_line, source_paths, urls, &[], 0);
                (rendered.html, problems)
            }
            None => (String::new(), Vec::new()),
        };
        problems.clear();
        let title = index
            .and_then(|s| s.title.clone())
            .unwrap_or_else(|| capitalise(dir));
        let base = format!("/{dir}/");
        let members: Vec<usize> = if dir == BRIEFINGS_SECTION {
            (0..input.model.briefings.len()).collect()
        } else {
            Vec::new()
        };
        let mut pages: Vec<Link> = input
            .pages
            .iter()
            .filter(|p| &p.section == dir)
            .map(|p| Link {
                title: page_title(p),
                url: urls.link(&p.path),
            })
            .collect();
        pages.sort_by(|a, b| a.title.cmp(&b.title));
        let chunks: Vec<&[usize]> = if members.is_empty() {
            vec![&[]]
        } else {
            members.chunks(config.page_size).collect()
        };
        let total = chunks.len();
        // In parallel: a briefing added at the top moves every page of the
        // list (1,000 at 10,000 briefings: 150 ms one after another).
        let rendered: Vec<OutputFile> = chunks
            .into_par_iter()
            .enumerate()
            .map(|(n, chunk)| {
                let view = SectionView {
                    title: title.clone(),
                    url: urls.link(&base),
                    intro_html: intro_html.clone(),
                    briefings: chunk.iter().map(|&m| cards[m].clone()).collect(),
                    pages: if n == 0 { pages.clone() } else { Vec::new() },
                };
                let p = pagination(&base, n + 1, total, urls);
                let path = if n == 0 {
                    base.clone()
                } else {
                    format!("{base}page/{}/", n + 1)
                };
                file_at(&path, |to| {
                    r.render_with(
                        Some(to),
                        "section.html",
                        &[("section", &view), ("pagination", &p)],
                    )
                })
            })
            .collect::<Result<_, String>>()?;
        files.extend(rendered);
    }
    Ok(files)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn render_archive(
    model: &SiteModel,
    r: &Renderer,
    cards: &[Shared<BriefingCard>],
    urls: &Urls,
) -> Result<Vec<OutputFile>, String> {
    let month_path = |y: i32, m: u32| format!("/archive/{y:04}/{m:02}/");
    let month_title = |y: i32, m: u32| {
        NaiveDate::from_ymd_opt(y, m, 1)
            .map(|d| d.format("%B %Y").to_string())
            .unwrap_or_default()
    };
    let months: Vec<HubLink> = model
        .months
        .iter()
        .map(|m| HubLink {
            name: month_title(m.year, m.month),
            url: urls.link(&month_path(m.year, m.month)),
            count: m.members.len(),
        })
        .collect();
    // In parallel: a month's view is hashed whole to find it in the memo,
    // a few hundred cards each.
    let mut files: Vec<OutputFile> = model
        .months
        .par_iter()
        .enumerate()
        .map(|(i, m)| {
            let link = |j: usize| {
                model.months.get(j).map(|x| Link {
                    title: month_title(x.year, x.month),
                    url: urls.link(&month_path(x.year, x.month)),
                })
            };
            let view = ArchiveView {
                title: month_title(m.year, m.month),
                url: urls.link(&month_path(m.year, m.month)),
                briefings: m.members.iter().map(|&b| cards[b].clone()).collect(),
                months: Vec::new(),
                previous: link(i + 1),
                next: if i == 0 { None } else { link(i - 1) },
            };
            r.render_file(
                &month_path(m.year, m.month),
                "archive.html",
                "archive",
                &view,
            )
        })
        .collect::<Result<_, String>>()?;
    let index = ArchiveView {
        title: "Archive".into(),
        url: urls.link("/archive/"),
        briefings: Vec::new(),
        months,
        previous: None,
        next: None,
    };
    files.push(r.render_file("/archive/", "archive.html", "archive", &index)?);
    Ok(files)
}

/// The feed entry of every briefing in some feed (the site's, or a hub's:
/// the newest `feed_length` of each), made once for all of them. The
/// others get none: at 100,000 briefings most are in no feed.
fn feed_entries(
    model: &SiteModel,
    cards: &[Shared<BriefingCard>],
    memo: Option<&RenderMemo>,
    feed_length: usize,
) -> Vec<Option<Shared<FeedEntry>>> {
    let mut in_feed = vec![false; cards.len()];
    let hubs = model.issue_hubs.iter().chain(&model.entity_hubs);
    let latest = hubs.flat_map(|hub| hub.members.iter().take(feed_length).copied());
    for m in (0..feed_length.min(cards.len())).chain(latest) {
        in_feed[m] = true;
    }
    model
        .briefings
        .par_iter()
        .zip(cards)
        .zip(in_feed)
        .map(|((b, c), in_feed)| {
            // Made from the card and the page alone.
            let make = || Ok::<_, std::convert::Infallible>(feed_entry(b, c, memo.is_some()));
            in_feed.then(|| {
                let Ok(entry) = kept(memo, "feed", b, || c.digest(), make);
                entry
            })
        })
        .collect()
}

/// A briefing's entry in the feeds.
fn feed_entry(b: &Briefing, c: &Shared<BriefingCard>, digest: bool) -> Shared<FeedEntry> {
    let mut content = String::new();
    for s in &c.summary {
        content.push_str("<p>");
        content.push_str(&templates::escape(s));
        content.push_str("</p>");
    }
    let entry = FeedEntry {
        title: c.title.clone(),
        url: c.permalink.clone(),
        published: c.date.clone(),
        updated: b
            .page
            .updated
            .map(rfc3339)
            .unwrap_or_else(|| c.date.clone()),
        summary: c.bottom_line.clone(),
        content_html: content,
        author: b.page.author.clone().or_else(|| c.source_name.clone()),
    };
    Shared::new(entry, digest)
}

fn briefing_feed(
    members: &[usize],
    feed_entries: &[Option<Shared<FeedEntry>>],
    title: &str,
    alternate: &str,
    urls: &Urls,
) -> FeedView {
    // `members` are among those [`feed_entries`] made entries for.
    let entries: Vec<Shared<FeedEntry>> = members
        .iter()
        .filter_map(|&i| feed_entries[i].clone())
        .collect();
    debug_assert_eq!(entries.len(), members.len());
    let updated = entries
        .iter()
        .map(|e| e.updated.clone())
        .max()
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    FeedView {
        title: title.to_string(),
        self_url: urls.permalink(&format!("{alternate}atom.xml")),
        alternate_url: urls.permalink(alternate),
        updated,
        entries,
    }
}

fn render_feeds(
    input: &RenderInput,
    r: &Renderer,
    entries: &Entries,
    urls: &Urls,
) -> Result<Vec<OutputFile>, String> {
    let model = input.model;
    let cards = entries.cards;
    let n = input.config.feed_length;
    let latest: Vec<usize> = (0..model.briefings.len().min(n)).collect();
    let main = briefing_feed(&latest, entries.feed, &input.config.title, "/", urls);
    let digest_entries: Vec<FeedEntry> = model
        .digests
        .iter()
        .take(n)
        .enumerate()
        .map(|(d, digest)| {
            let view = digest_view(model, d, cards, urls);
            let mut content = String::from("<ul>");
            for c in &view.briefings {
                content.push_str(&format!(
                    "<li><a href=\"{}\">{}</a>: {}</li>",
                    templates::escape(&c.permalink),
                    templates::escape(&c.title),
                    templates::escape(&c.bottom_line)
                ));
            }
            content.push_str("</ul>");
            let newest = view
                .briefings
                .first()
                .map(|c| c.date.clone())
                .unwrap_or_default();
            let _ = digest;
            FeedEntry {
                title: view.title.clone(),
                url: view.permalink.clone(),
                published: newest.clone(),
                updated: newest,
                summary: format!("{} briefings", view.briefings.len()),
                content_html: content,
                author: None,
            }
        })
        .collect();
    let digests_feed = FeedView {
        title: format!("Digests — {}", input.config.title),
        self_url: urls.permalink("/digests/atom.xml"),
        alternate_url: urls.permalink("/digests/"),
        updated: digest_entries
            .iter()
            .map(|e| e.updated.clone())
            .max()
            .unwrap_or_else(|| main.updated.clone()),
        entries: digest_entries
            .into_iter()
            .map(|e| Shared::new(e, r.memo.is_some()))
            .collect(),
    };
    Ok(vec![
        OutputFile {
            path: "atom.xml".into(),
            bytes: r.render("atom.xml", "feed", &main)?,
        },
        OutputFile {
            path: "digests/atom.xml".into(),
            bytes: r.render("atom.xml", "feed", &digests_feed)?,
        },
    ])
}

fn render_aliases(
    input: &RenderInput,
    r: &Renderer,
    urls: &Urls,
) -> Result<Vec<OutputFile>, String> {
    let mut files = Vec::new();
    let pages = input
        .model
        .briefings
        .iter()
        .map(|b| &b.page)
        .chain(input.pages.iter());
    for page in pages {
        for alias in &page.aliases {
            let path = normalize_alias(alias);
            let target = Link {
                title: page.title.clone().unwrap_or_default(),
                url: urls.permalink(&page.path),
            };
            files.push(OutputFile {
                path: output_path(&path),
                bytes: r.render("alias.html", "target", &target)?,
            });
        }
    }
    Ok(files)
}

/// Pages per sitemap file, on average, once a site has more than this:
/// past it, `sitemap.xml` is an index of shards (see [`sitemap_shards`]).
const SITEMAP_SHARD_PAGES: usize = 2_000;

/// How many sitemap files `pages` listed pages take: 1, or a power of two
/// giving shards of `SITEMAP_SHARD_PAGES / 2` to `SITEMAP_SHARD_PAGES`
/// pages on average (the protocol allows 50,000 per file).
fn sitemap_shards(pages: usize) -> usize {
    if pages <= SITEMAP_SHARD_PAGES {
        1
    } else {
        pages.div_ceil(SITEMAP_SHARD_PAGES).next_power_of_two()
    }
}

/// A page the sitemap lists: its directory (its URL path, without the
/// leading slash) and when it last changed.
type Listed<'a> = (&'a str, Option<DateTime<Utc>>);

/// The sitemap: `sitemap.xml` listing every page, or on a large site an
/// index of shards, each page in the shard its path hashes to. A page
/// added or gone changes its own shard only, so `serve` renders a few
/// thousand entries again rather than every page of the site.
/// `files[..briefing_pages]` are the briefings' pages, in model order.
fn sitemap(
    input: &RenderInput,
    r: &Renderer,
    urls: &Urls,
    files: &[OutputFile],
    briefing_pages: usize,
) -> Result<Vec<OutputFile>, String> {
    let briefings = &input.model.briefings;
    let aliases: HashSet<String> = briefings
        .iter()
        .map(|b| &b.page)
        .chain(input.pages.iter())
        .flat_map(|p| p.aliases.iter().map(|a| output_path(&normalize_alias(a))))
        .collect();
    // In parallel, as the shards below: the sitemap is made on every
    // rebuild of `serve`, and lists every page.
    let listed: Vec<Listed> = files
        .par_iter()
        .enumerate()
        .filter(|(_, f)| aliases.is_empty() || !aliases.contains(&f.path))
        .filter_map(|(i, f)| {
            let dir = f.path.strip_suffix("index.html")?;
            // The briefing rendered at `i`, checked by its path.
            let page = briefings
                .get(i)
                .filter(|b| i < briefing_pages && b.page.path.trim_start_matches('/') == dir);
            Some((dir, page.and_then(|b| b.page.updated.or(b.page.date))))
        })
        .collect();
    crate::trace::lap("sitemap.listed");
    let n_shards = sitemap_shards(listed.len());
    let shard_of: Vec<usize> = listed
        .par_iter()
        .map(|(dir, _)| (fnv1a(dir.as_bytes()) % n_shards as u64) as usize)
        .collect();
    let mut shards: Vec<Vec<Listed>> = vec![Vec::new(); n_shards];
    for (&entry, &shard) in listed.iter().zip(&shard_of) {
        shards[shard].push(entry);
    }
    // By URL, as the sitemap lists them.
    shards
        .par_iter_mut()
        .for_each(|shard| shard.sort_unstable_by_key(|&(dir, _)| dir));
    let shard_path = |n: usize| {
        if n_shards == 1 {
            "sitemap.xml".to_string()
        } else {
            format!("sitemaps/{}.xml", n + 1)
        }
    };
    crate::trace::lap("sitemap.shards");
    let mut out: Vec<OutputFile> = shards
        .par_iter()
        .enumerate()
        .map(|(n, shard)| {
            let path = shard_path(n);
            let render = || {
                let entries: Vec<SitemapEntry> = shard
                    .iter()
                    .map(|&(dir, date)| SitemapEntry {
                        loc: urls.permalink(dir),
                        lastmod: date.map(rfc3339),
                    })
                    .collect();
                Ok(OutputFile {
                    path: path.clone(),
                    bytes: r.render("sitemap.xml", "entries", &entries)?,
                })
            };
            // serve: what a shard lists, hashed, costs a fraction of listing it.
            r.kept_file(&path, |site| sitemap_deps(urls, shard, site), render)
        })
        .collect::<Result<_, String>>()?;
    if n_shards > 1 {
        let sitemaps: Vec<Link> = (0..n_shards)
            .map(|n| Link {
                title: (n + 1).to_string(),
                url: urls.permalink(&shard_path(n)),
            })
            .collect();
        out.push(OutputFile {
            path: "sitemap.xml".into(),
            bytes: r.render("sitemap_index.xml", "sitemaps", &sitemaps)?,
        });
    }
    Ok(out)
}

/// FNV-1a: a hash of a few bytes that never changes (a page's sitemap
/// shard must not move between builds or machines), cheap on short keys.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Everything one sitemap file shows: its pages and their dates.
fn sitemap_deps(urls: &Urls, shard: &[Listed], site: u128) -> u128 {
    let mut h = StableHasher::default();
    h.wide(site)
        .field(urls.base_url.as_bytes())
        .field(urls.base_path.as_bytes())
        .number(shard.len() as u64);
    for (path, date) in shard {
        h.field(path.as_bytes())
            .number(date.map_or(u64::MAX, |d| d.timestamp() as u64));
    }
    h.finish()
}

/// One page of a hub's timeline: see [`hub_pages`].
struct HubPage<'a> {
    /// Counted from the oldest page; the hub's own page is the last.
    number: usize,
    total: usize,
    /// Newest first.
    members: &'a [usize],
}

impl HubPage<'_> {
    /// The hub's own page (its newest briefings), not an archive page.
    fn is_main(&self) -> bool {
        self.number == self.total
    }

    fn path(&self, hub_path: &str) -> String {
        hub_page_path(hub_path, self.number, self.total)
    }
}

fn hub_page_path(hub_path: &str, number: usize, total: usize) -> String {
    if number == total {
        hub_path.to_string()
    } else {
        format!("{hub_path}page/{number}/")
    }
}

/// The pages of a hub's timeline (members newest first), numbered from the
/// oldest: archive page k holds the k-th `size` briefings counted from the
/// oldest, and the hub's own page, the last, the newest `size` to
/// `2 × size − 1`. A briefing joining or leaving changes the pages from its
/// own on, so the newest briefing's edits touch the hub's own page (and
/// every `size`-th join adds an archive page); numbered newest first,
/// every page would shift. The archive pages keep their URLs' briefings as
/// the hub grows.
fn hub_pages(members: &[usize], size: usize) -> Vec<HubPage<'_>> {
    let size = size.max(1);
    let m = members.len();
    let total = (m / size).max(1);
    let mut pages: Vec<HubPage> = (1..total)
        .map(|k| HubPage {
            number: k,
            total,
            members: &members[m - k * size..m - (k - 1) * size],
        })
        .collect();
    pages.push(HubPage {
        number: total,
        total,
        members: &members[..m - (total - 1) * size],
    });
    pages
}

/// Where a hub page is among the hub's pages, which are numbered from the
/// oldest (see [`hub_pages`]): `previous` is the newer page, `next` the
/// older, as on newest-first lists; the window lists the newest first.
fn hub_pagination(path: &str, page: &HubPage, urls: &Urls) -> PaginationView {
    let (current, total) = (page.number, page.total);
    let page_url = |n: usize| urls.link(&hub_page_path(path, n, total));
    PaginationView {
        current,
        total,
        previous: (current < total).then(|| page_url(current + 1)),
        next: (current > 1).then(|| page_url(current - 1)),
        pages: page_window(current, total, true, page_url),
        numbered_from_oldest: true,
    }
}

fn hub_kind(hub: &Hub) -> (String, String) {
    match hub.kind {
        HubKind::Issue => ("issue".to_string(), "Key issue".to_string()),
        HubKind::Entity(k) => (k.as_str().to_string(), entity_kind_singular(k).to_string()),
    }
}

/// One page of a hub's timeline. The hub's own page shows its count and
/// connections; an archive page shows what does not move as the hub grows:
/// its count is the briefings up to its newest one (`number × size`), and
/// it lists no connections (see [`hub_pages`]).
fn render_hub_page(
    model: &SiteModel,
    hub: &Hub,
    page: &HubPage,
    r: &Renderer,
    entries: &Entries,
    urls: &Urls,
    config: &Config,
) -> Result<OutputFile, String> {
    let path = hub_path(hub);
    let main = page.is_main();
    let view = || {
        let (kind, kind_label) = hub_kind(hub);
        HubView {
            name: hub.name.clone(),
            slug: hub.slug.clone(),
            kind,
            kind_label,
            url: urls.link(&path),
            feed_url: urls.link(&format!("{path}atom.xml")),
            count: if main {
                hub.members.len()
            } else {
                page.number * config.hub_page_size.max(1)
            },
            timeline: timeline(page.members, entries.cards, entries.timeline),
            co_issues: if main {
                hub_links(&hub.co_issues, &model.issue_hubs, urls)
            } else {
                Vec::new()
            },
            co_entities: if main {
                hub_links(&hub.co_entities, &model.entity_hubs, urls)
            } else {
                Vec::new()
            },
        }
    };
    // Keyed by what the page shows (`hub_page_deps`, the site's hash
    // aside: the memo adds it), so that a build whose last output has
    // the page takes it without making the view and hashing it (every
    // hub's first page was made again on each build, 0.13 s of CPU in a
    // warm build at 10,000 briefings).
    file_at(&page.path(&path), |to| {
        r.render_memo(
            Some(to),
            "hub.html",
            |h| {
                h.field(b"hub page")
                    .wide(hub_page_deps(model, hub, page, entries, urls, config, 0));
            },
            |ctx| {
                ctx.insert("hub", &view());
                ctx.insert("pagination", &hub_pagination(&path, page, urls));
            },
        )
    })
}

/// A hub's Atom feed: its newest briefings.
fn render_hub_feed(
    hub: &Hub,
    r: &Renderer,
    entries: &Entries,
    urls: &Urls,
    config: &Config,
) -> Result<OutputFile, String> {
    let path = hub_path(hub);
    let feed = || {
        let latest: Vec<usize> = hub
            .members
            .iter()
            .copied()
            .take(config.feed_length)
            .collect();
        briefing_feed(
            &latest,
            entries.feed,
            &format!("{} — {}", hub.name, config.title),
            &path,
            urls,
        )
    };
    // Keyed by what it shows, as the hub's pages are.
    let bytes = r.render_keyed(
        None,
        "atom.xml",
        "feed",
        |h| {
            h.field(b"hub feed")
                .wide(hub_feed_deps(hub, entries, urls, config, 0));
        },
        feed,
    )?;
    Ok(OutputFile {
        path: format!("{}atom.xml", path.trim_start_matches('/')),
        bytes,
    })
}

/// What every page and the feed of a hub show of it: for [`RenderMemo::file`].
fn hub_identity(h: &mut StableHasher, hub: &Hub, urls: &Urls, site_hash: u128) {
    h.wide(site_hash)
        .field(urls.base_url.as_bytes())
        .field(urls.base_path.as_bytes())
        .field(hub.name.as_bytes())
        .field(hub.slug.as_bytes())
        .field(format!("{:?}", hub.kind).as_bytes());
}

/// The hash of everything one page of a hub shows (see [`render_hub_page`]).
fn hub_page_deps(
    model: &SiteModel,
    hub: &Hub,
    page: &HubPage,
    entries: &Entries,
    urls: &Urls,
    config: &Config,
    site_hash: u128,
) -> u128 {
    let mut h = StableHasher::default();
    hub_identity(&mut h, hub, urls, site_hash);
    h.number(config.hub_page_size as u64)
        .number(page.number as u64)
        .number(page.total as u64)
        .number(page.members.len() as u64);
    for &m in page.members {
        // The day headings come from the card, the entry from the timeline.
        h.wide(entries.cards[m].digest())
            .wide(entries.timeline[m].as_ref().map_or(0, |t| t.digest()));
    }
    if page.is_main() {
        h.number(hub.members.len() as u64);
        for (pairs, hubs) in [
            (&hub.co_issues, &model.issue_hubs),
            (&hub.co_entities, &model.entity_hubs),
        ] {
            h.number(pairs.len() as u64);
            for &(other, count) in pairs {
                h.field(hubs[other].name.as_bytes())
                    .field(hub_path(&hubs[other]).as_bytes())
                    .number(count as u64);
            }
        }
    }
    h.finish()
}

/// The hash of everything a hub's feed shows (see [`render_hub_feed`]).
fn hub_feed_deps(
    hub: &Hub,
    entries: &Entries,
    urls: &Urls,
    config: &Config,
    site_hash: u128,
) -> u128 {
    let mut h = StableHasher::default();
    hub_identity(&mut h, hub, urls, site_hash);
    h.field(config.title.as_bytes())
        .number(config.feed_length as u64);
    let latest = &hub.members[..hub.members.len().min(config.feed_length)];
    h.number(latest.len() as u64);
    for &m in latest {
        h.wide(entries.feed[m].as_ref().map_or(0, |e| e.digest()));
    }
    h.finish()
}

/// Briefings grouped by day, in the order given (newest first).
fn timeline(
    members: &[usize],
    cards: &[Shared<BriefingCard>],
    entries: &[Option<Shared<TimelineCard>>],
) -> Vec<TimelineDay> {
    let mut days: Vec<TimelineDay> = Vec::new();
    for &m in members {
        let c = &cards[m];
        let Some(entry) = &entries[m] else { continue };
        match days.last_mut() {
            Some(day) if day.day == c.day => day.briefings.push(entry.clone()),
            _ => days.push(TimelineDay {
                day: c.day.clone(),
                date_display: c.date_display.clone(),
                briefings: vec![entry.clone()],
            }),
        }
    }
    days
}

fn entity_kind_singular(kind: crate::analysis::EntityKind) -> &'static str {
    use crate::analysis::EntityKind::*;
    match kind {
        Person => "Person",
        Place => "Place",
        Organization => "Organisation",
        Group => "Group",
        Other => "Name",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Members newest first: `n - 1` down to 0, so a member's value is
    /// its place counted from the oldest.
    fn members(n: usize) -> Vec<usize> {
        (0..n).rev().collect()
    }

    #[test]
    fn sitemap_shards_hold_one_to_two_thousand_pages() {
        assert_eq!(sitemap_shards(0), 1);
        assert_eq!(sitemap_shards(2_000), 1);
        assert_eq!(sitemap_shards(2_001), 2);
        assert_eq!(sitemap_shards(4_000), 2);
        assert_eq!(sitemap_shards(4_001), 4);
        // 100,000 briefings and their hubs: well under 50,000 per file.
        assert_eq!(sitemap_shards(190_000), 128);
    }

    #[test]
    fn hub_pages_count_from_the_oldest_and_the_hub_page_holds_the_rest() {
        let shape = |n: usize| -> Vec<(usize, usize, Vec<usize>)> {
            let m = members(n);
            hub_pages(&m, 3)
                .iter()
                .map(|p| (p.number, p.total, p.members.to_vec()))
                .collect()
        };
        assert_eq!(shape(0), vec![(1, 1, vec![])]);
        assert_eq!(shape(5), vec![(1, 1, vec![4, 3, 2, 1, 0])]);
        assert_eq!(shape(6), vec![(1, 2, vec![2, 1, 0]), (2, 2, vec![5, 4, 3])]);
        assert_eq!(
            shape(11),
            vec![
                (1, 3, vec![2, 1, 0]),
                (2, 3, vec![5, 4, 3]),
                (3, 3, vec![10, 9, 8, 7, 6]),
            ]
        );
        // Every member on exactly one page, in order; an archive page keeps
        // its briefings as newer ones join.
        for n in 0..40 {
            let flat: Vec<usize> = shape(n).into_iter().rev().flat_map(|p| p.2).collect();
            assert_eq!(flat, members(n), "{n}");
            let (now, later) = (shape(n), shape(n + 1));
            for (a, b) in now.iter().zip(&later) {
                if a.0 < a.1 {
                    assert_eq!(a.2, b.2, "page {} of {n} moved", a.0);
                }
            }
        }
    }

    #[test]
    fn hub_pagination_links_newer_pages_as_previous_and_the_newest_is_the_hub() {
        let urls = Urls {
            base_url: "https://e.org/".into(),
            base_path: "/".into(),
        };
        let m = members(30);
        let pages = hub_pages(&m, 3);
        let view = |k: usize| hub_pagination("/issues/x/", &pages[k - 1], &urls);
        let newest = view(10);
        assert_eq!((newest.current, newest.total), (10, 10));
        assert_eq!(newest.previous, None);
        assert_eq!(newest.next.as_deref(), Some("/issues/x/page/9/"));
        let nine = view(9);
        assert_eq!(nine.previous.as_deref(), Some("/issues/x/"));
        let oldest = view(1);
        assert_eq!(oldest.next, None);
        assert_eq!(oldest.previous.as_deref(), Some("/issues/x/page/2/"));
        let five = view(5);
        let titles: Vec<&str> = five.pages.iter().map(|l| l.title.as_str()).collect();
        assert_eq!(titles, ["10", "7", "6", "5", "4", "3", "1"]);
        assert!(five.numbered_from_oldest);
        assert_eq!(hub_page_path("/issues/x/", 1, 10), "/issues/x/page/1/");
    }

    #[test]
    fn only_bodies_that_can_link_with_at_depend_on_the_content_urls() {
        let urls = Urls {
            base_url: "https://e.org/".into(),
            base_path: "/".into(),
        };
        let mut pages = BTreeMap::new();
        pages.insert("briefings/a.md".to_string(), "/briefings/a/".to_string());
        let before = BodyInputs::new(&pages, &urls);
        pages.insert("briefings/b.md".to_string(), "/briefings/b/".to_string());
        let after = BodyInputs::new(&pages, &urls);
        let page = |body: &str| Page {
            body: body.to_string(),
            ..crate::linking::synthetic::page("briefings/x.md", DateTime::UNIX_EPOCH, vec![])
        };
        let plain = &page("Oil prices fell in Muscat.");
        assert_eq!(before.of(plain), after.of(plain));
        for linking in [
            "See [a](@/briefings/a.md).",
            "See [a](\\@/briefings/a.md).",
            "See [a](&#64;/briefings/a.md).",
        ] {
            assert_ne!(
                before.of(&page(linking)),
                after.of(&page(linking)),
                "{linking}"
            );
        }
        let other = Urls {
            base_url: "https://e.org/briefs/".into(),
            base_path: "/briefs/".into(),
        };
        assert_ne!(BodyInputs::new(&pages, &other).of(plain), after.of(plain));
    }
}
