//! Loading `content/`: walk the tree, split and parse front matter, resolve
//! dates, slugs and URLs, and find URL collisions.
//!
//! Architecture invariant: this stage reads files and nothing else; it knows
//! nothing of analysis or templates. Every problem becomes a [`Diagnostic`]
//! and loading goes on, so one run reports all of them.

pub mod front_matter;
mod released;

use std::borrow::Cow;
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::fast_hash::FastMap;
pub use front_matter::{EntityOverride, FrontMatter, KeyIssueOverride, Source};
pub use released::{may_link_pages, BodySource};

/// The content directory, under the site root.
pub const CONTENT_DIR: &str = "content";
/// The section that holds briefings.
pub const BRIEFINGS_SECTION: &str = "briefings";

/// What kind of page a content file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// A file under `content/briefings/`: analysed, linked and put in digests.
    Briefing,
    /// Any other page (`content/about.md`, `content/notes/x.md`).
    Page,
}

/// One content file, parsed and placed.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to `content/`, with `/` separators (`briefings/x.md`).
    pub source: String,
    /// Path as shown in messages (`content/briefings/x.md`).
    pub file: String,
    pub kind: PageKind,
    /// The section directory (`briefings`), empty for pages at the root.
    pub section: String,
    /// The editor's title, if set.
    pub title: Option<String>,
    /// Publication instant (date-only values are midnight in the site's timezone).
    pub date: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub slug: String,
    /// Site-relative URL path with leading and trailing `/` (`/briefings/x/`).
    pub path: String,
    pub draft: bool,
    pub aliases: Vec<String>,
    pub source_info: Option<Source>,
    pub author: Option<String>,
    pub tags: Vec<String>,
    pub template: Option<String>,
    pub front_matter: FrontMatter,
    /// The Markdown body, empty once released ([`Page::release_body`]):
    /// read it with [`Page::markdown`].
    pub body: String,
    /// 1-based line where the body starts in the file.
    pub body_line: usize,
    /// [`Page::body_hash`], computed once.
    pub(crate) body_hash: std::sync::OnceLock<u128>,
    /// Set when the body was let go, to be read again.
    pub(crate) released: Option<Box<released::ReleasedBody>>,
}

impl Page {
    /// The hash of the body: what memo keys take instead of hashing
    /// kilobytes of Markdown on every rebuild (pages are shared between
    /// rebuilds). Nothing changes a page's body once it is made; one let
    /// go ([`Page::release_body`]) keeps its hash.
    pub fn body_hash(&self) -> u128 {
        *self
            .body_hash
            .get_or_init(|| crate::cache::hash_bytes(self.body.as_bytes()))
    }
}

/// A section's `_index.md`.
#[derive(Debug, Clone)]
pub struct Section {
    /// Directory relative to `content/` (`briefings`); empty for the root.
    pub dir: String,
    pub file: String,
    pub title: Option<String>,
    pub body: String,
    pub body_line: usize,
}

/// Everything loaded from `content/`, sorted by source path.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// Shared: a rebuild hands unchanged pages on without copying them.
    pub pages: Vec<std::sync::Arc<Page>>,
    pub sections: Vec<Section>,
}

/// Options of the loading stage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadOptions {
    pub include_drafts: bool,
    pub timezone: Tz,
}

/// Reads every `*.md` under `root/content`. Files that cannot be read or
/// parsed are reported and left out; the rest is returned.
pub fn load(root: &Path, options: LoadOptions) -> (Content, Vec<Diagnostic>) {
    let content_dir = root.join(CONTENT_DIR);
    let mut files = Vec::new();
    let mut problems = Vec::new();
    if !content_dir.is_dir() {
        problems.push(
            Diagnostic::error(CONTENT_DIR, "the content directory is missing")
                .with_hint("create content/briefings/ and put Markdown briefings in it"),
        );
        return (Content::default(), problems);
    }
    // Read in parallel (a cold build reads thousands of files), kept in
    // file-name order.
    let read: Vec<Result<(String, String), Diagnostic>> =
        markdown_files(&content_dir, &mut problems)
            .into_par_iter()
            .map(|(relative, entry)| {
                read_file(&relative, entry.path()).map(|text| (relative, text))
            })
            .collect();
    for r in read {
        match r {
            Ok(file) => files.push(file),
            Err(d) => problems.push(d),
        }
    }
    let (content, mut more) = parse_files(files, options);
    problems.append(&mut more);
    (content, problems)
}

/// The content files under `content_dir`, as `(path relative to it, entry)`
/// in file-name order: `*.md` files outside dot-directories and not
/// dotfiles (editors' swap and backup files are not content). A directory
/// that cannot be read is reported in `problems`.
pub fn markdown_files(
    content_dir: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(String, walkdir::DirEntry)> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(content_dir).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                problems.push(Diagnostic::error(
                    CONTENT_DIR,
                    format!("cannot walk the content directory: {e}"),
                ));
                continue;
            }
        };
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let relative = crate::diagnostics::slash_path(path, content_dir);
        if relative.split('/').any(|part| part.starts_with('.')) {
            continue;
        }
        files.push((relative, entry));
    }
    files
}

/// The text of the content file `relative` (to `content/`) at `path`, or
/// why it cannot be read.
pub fn read_file(relative: &str, path: &Path) -> Result<String, Diagnostic> {
    let file = || format!("{CONTENT_DIR}/{relative}");
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            Diagnostic::error(file(), "the file is not valid UTF-8")
                .at_line(line_of_offset(e.as_bytes(), e.utf8_error().valid_up_to()))
                .with_hint("save the file as UTF-8")
        }),
        Err(e) => Err(Diagnostic::error(
            file(),
            format!("cannot read the file: {e}"),
        )),
    }
}

fn line_of_offset(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset].iter().filter(|b| **b == b'\n').count() + 1
}

/// Builds pages and sections from `(path relative to content/, text)` pairs.
/// Pure, so whole sites can be tested from strings.
pub fn parse_files(
    files: Vec<(String, String)>,
    options: LoadOptions,
) -> (Content, Vec<Diagnostic>) {
    /// What one file gives.
    enum Parsed {
        Section(Section),
        Page(std::sync::Arc<Page>),
        Nothing,
        Problems(Vec<Diagnostic>),
    }
    // Each file on its own, in parallel; gathered in file order.
    let parsed: Vec<Parsed> = files
        .into_par_iter()
        .map(|(relative, text)| {
            let file = format!("{CONTENT_DIR}/{relative}");
            let split = match front_matter::split(&text, &file) {
                Ok(s) => s,
                Err(d) => return Parsed::Problems(vec![d]),
            };
            let fm = match front_matter::parse(&split, &file) {
                Ok(fm) => fm,
                Err(ds) => return Parsed::Problems(ds),
            };
            let (dir, file_name) = match relative.rsplit_once('/') {
                Some((d, f)) => (d.to_string(), f.to_string()),
                None => (String::new(), relative.clone()),
            };
            if file_name == "_index.md" {
                return Parsed::Section(Section {
                    dir,
                    file,
                    title: fm.title,
                    body: split.body.to_string(),
                    body_line: split.body_line,
                });
            }
            match build_page(&relative, &dir, &file_name, &file, &split, fm, options) {
                Ok(Some(page)) => Parsed::Page(std::sync::Arc::new(page)),
                Ok(None) => Parsed::Nothing,
                Err(ds) => Parsed::Problems(ds),
            }
        })
        .collect();
    let mut content = Content::default();
    let mut problems = Vec::new();
    for p in parsed {
        match p {
            Parsed::Section(section) => content.sections.push(section),
            Parsed::Page(page) => content.pages.push(page),
            Parsed::Nothing => {}
            Parsed::Problems(mut ds) => problems.append(&mut ds),
        }
    }
    problems.extend(find_collisions(&content.pages));
    (content, problems)
}

fn build_page(
    relative: &str,
    dir: &str,
    file_name: &str,
    file: &str,
    split: &front_matter::Split,
    fm: FrontMatter,
    options: LoadOptions,
) -> Result<Option<Page>, Vec<Diagnostic>> {
    if fm.draft && !options.include_drafts {
        return Ok(None);
    }
    let mut problems = Vec::new();
    let section = dir.split('/').next().unwrap_or("").to_string();
    let kind = if section == BRIEFINGS_SECTION {
        PageKind::Briefing
    } else {
        PageKind::Page
    };
    let stem = file_name.trim_end_matches(".md");
    let (name_date, name_rest) = split_date_prefix(stem);

    let date = match &fm.date {
        Some(value) => match parse_date(value, options.timezone) {
            Ok(d) => Some(d),
            Err(message) => {
                problems.push(field_error(file, split, "date", message));
                None
            }
        },
        None => name_date.map(|d| midnight(d, options.timezone)),
    };
    if date.is_none() && fm.date.is_none() && kind == PageKind::Briefing {
        problems.push(
            Diagnostic::error(file, "the briefing has no date")
                .at(1, 1)
                .with_hint("add `date = 2026-11-03` to the front matter, or start the file name with the date (2026-11-03-title.md)"),
        );
    }
    let updated = match &fm.updated {
        Some(value) => match parse_date(value, options.timezone) {
            Ok(d) => Some(d),
            Err(message) => {
                problems.push(field_error(file, split, "updated", message));
                None
            }
        },
        None => None,
    };

    let slug = match &fm.slug {
        Some(s) => {
            let cleaned = slugify(s);
            if cleaned.is_empty() {
                problems.push(field_error(
                    file,
                    split,
                    "slug",
                    format!("the slug `{s}` has no letters or digits"),
                ));
            }
            cleaned
        }
        None => slugify(name_rest),
    };
    let slug = if slug.is_empty() { slugify(stem) } else { slug };
    if !problems.is_empty() {
        return Err(problems);
    }
    let path = if dir.is_empty() {
        format!("/{slug}/")
    } else {
        format!("/{dir}/{slug}/")
    };
    let _ = relative;
    Ok(Some(Page {
        source: relative.to_string(),
        file: file.to_string(),
        kind,
        section,
        title: fm.title.clone().filter(|t| !t.trim().is_empty()),
        date,
        updated,
        slug,
        path,
        draft: fm.draft,
        aliases: fm.aliases.clone(),
        source_info: fm.source.clone(),
        author: fm.author.clone(),
        tags: fm.tags.clone(),
        template: fm.template.clone(),
        body: split.body.to_string(),
        body_line: split.body_line,
        body_hash: Default::default(),
        released: None,
        front_matter: fm,
    }))
}

/// An error on a front-matter field, placed on the line that sets it.
fn field_error(file: &str, split: &front_matter::Split, key: &str, message: String) -> Diagnostic {
    let mut d = Diagnostic::error(file, message);
    for (i, line) in split.front_matter.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with(key) && trimmed[key.len()..].trim_start().starts_with('=') {
            let column = line.find('=').map(|c| c + 2).unwrap_or(1);
            let column = line[column.min(line.len())..]
                .find(|c: char| !c.is_whitespace())
                .map(|o| column + o + 1)
                .unwrap_or(column);
            d = d.at(split.front_matter_line + i, column);
            break;
        }
    }
    if key == "date" || key == "updated" {
        d = d
            .with_hint("write a date (2026-11-03) or an RFC 3339 date-time (2026-11-03T08:30:00Z)");
    }
    d
}

/// `2026-11-03-talks` -> (Some(2026-11-03), "talks").
pub fn split_date_prefix(stem: &str) -> (Option<NaiveDate>, &str) {
    if stem.len() >= 10 && stem.is_char_boundary(10) {
        if let Ok(date) = NaiveDate::parse_from_str(&stem[..10], "%Y-%m-%d") {
            let rest = stem[10..].trim_start_matches(['-', '_']);
            return (Some(date), rest);
        }
    }
    (None, stem)
}

fn midnight(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local_to_utc(date.and_time(NaiveTime::MIN), tz)
}

fn local_to_utc(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    // At a DST gap the local time does not exist: take the instant just after it.
    match tz.from_local_datetime(&local).earliest() {
        Some(dt) => dt.with_timezone(&Utc),
        None => Utc.from_utc_datetime(&local),
    }
}

/// A front-matter date: a TOML date, date-time or local date-time, or a
/// string holding one of those.
fn parse_date(value: &toml::Value, tz: Tz) -> Result<DateTime<Utc>, String> {
    let text = match value {
        toml::Value::Datetime(dt) => dt.to_string(),
        toml::Value::String(s) => s.trim().to_string(),
        other => return Err(format!("expected a date, found {}", other.type_str())),
    };
    if let Ok(dt) = DateTime::parse_from_rfc3339(&text) {
        return Ok(dt.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(&text, format) {
            return Ok(local_to_utc(local, tz));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        return Ok(midnight(date, tz));
    }
    Err(format!("`{text}` is not a valid date"))
}

/// Lower-case ASCII words joined by `-`: the form of every slug in URLs.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        let c = fold_accent(c);
        if c.is_ascii_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(c.to_ascii_lowercase());
        } else if c != '\'' && c != '’' {
            pending_dash = true;
        }
    }
    slug
}

/// Folds common Latin accented letters to ASCII so "Zürich" slugs to "zurich".
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' => 'A',
        'ç' | 'č' => 'c',
        'Ç' | 'Č' => 'C',
        'è' | 'é' | 'ê' | 'ë' | 'ē' => 'e',
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' => 'E',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => 'I',
        'ñ' => 'n',
        'Ñ' => 'N',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' => 'O',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => 'u',
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' => 'U',
        'ý' | 'ÿ' => 'y',
        'š' => 's',
        'ž' => 'z',
        other => other,
    }
}

/// Two pages (or a page and an alias) with the same URL path. Public for
/// `serve`, which parses changed files one by one.
pub fn find_collisions(pages: &[std::sync::Arc<Page>]) -> Vec<Diagnostic> {
    // Problems come in page order, so a hash map does: it runs on every
    // rebuild of `serve`, over every page, and a path is seldom copied.
    let mut owners: FastMap<Cow<str>, &str> = FastMap::default();
    owners.reserve(pages.len());
    let mut problems = Vec::new();
    for page in pages {
        let alias_paths = page.aliases.iter().map(|a| Cow::Owned(normalize_alias(a)));
        for path in std::iter::once(Cow::Borrowed(page.path.as_str())).chain(alias_paths) {
            if let Some(other) = owners.get(&path) {
                problems.push(
                    Diagnostic::error(
                        &page.file,
                        format!("the URL {path} is also the URL of {other}"),
                    )
                    .with_hint("give one of them another `slug` (or remove the duplicate alias)"),
                );
            } else {
                owners.insert(path, &page.file);
            }
        }
    }
    problems
}

/// An alias as a site-relative path with leading and trailing `/`.
pub fn normalize_alias(alias: &str) -> String {
    let trimmed = alias.trim().trim_matches('/');
    let trimmed = trimmed
        .strip_suffix("index.html")
        .unwrap_or(trimmed)
        .trim_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else if trimmed.ends_with(".html") {
        format!("/{trimmed}")
    } else {
        format!("/{trimmed}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_strs(files: &[(&str, &str)]) -> (Content, Vec<String>) {
        let (c, ds) = parse_files(
            files
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
            LoadOptions {
                include_drafts: false,
                timezone: Tz::UTC,
            },
        );
        (c, ds.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn date_from_front_matter_datetime() {
        let (c, e) = load_strs(&[(
            "briefings/a.md",
            "+++\ntitle = \"A\"\ndate = 2026-11-03T08:30:00+02:00\n+++\nx",
        )]);
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(
            c.pages[0].date.unwrap().to_rfc3339(),
            "2026-11-03T06:30:00+00:00"
        );
    }

    #[test]
    fn date_only_is_midnight_in_site_timezone() {
        let (c, _) = parse_files(
            vec![(
                "briefings/a.md".into(),
                "+++\ndate = 2026-11-03\n+++\nx".into(),
            )],
            LoadOptions {
                include_drafts: false,
                timezone: "Europe/Berlin".parse().unwrap(),
            },
        );
        assert_eq!(
            c.pages[0].date.unwrap().to_rfc3339(),
            "2026-11-02T23:00:00+00:00"
        );
    }

    #[test]
    fn date_from_file_name_prefix() {
        let (c, e) = load_strs(&[(
            "briefings/2026-11-04-talks-resume.md",
            "+++\ntitle = \"A\"\n+++\nx",
        )]);
        assert!(e.is_empty());
        assert_eq!(
            c.pages[0].date.unwrap().to_rfc3339(),
            "2026-11-04T00:00:00+00:00"
        );
        assert_eq!(c.pages[0].slug, "talks-resume");
        assert_eq!(c.pages[0].path, "/briefings/talks-resume/");
    }

    #[test]
    fn missing_date_is_an_error() {
        let (_, e) = load_strs(&[("briefings/talks.md", "+++\ntitle = \"A\"\n+++\nx")]);
        assert_eq!(e, vec!["content/briefings/talks.md:1:1: error: the briefing has no date\n  hint: add `date = 2026-11-03` to the front matter, or start the file name with the date (2026-11-03-title.md)"]);
    }

    #[test]
    fn bad_date_names_line_and_column() {
        let (_, e) = load_strs(&[(
            "briefings/a.md",
            "+++\ntitle = \"A\"\ndate = \"3 November\"\n+++\nx",
        )]);
        assert_eq!(e, vec!["content/briefings/a.md:3:8: error: `3 November` is not a valid date\n  hint: write a date (2026-11-03) or an RFC 3339 date-time (2026-11-03T08:30:00Z)"]);
    }

    #[test]
    fn pages_without_dates_are_fine_outside_briefings() {
        let (c, e) = load_strs(&[("about.md", "+++\ntitle = \"About\"\n+++\nx")]);
        assert!(e.is_empty());
        assert_eq!(c.pages[0].path, "/about/");
        assert_eq!(c.pages[0].kind, PageKind::Page);
    }

    #[test]
    fn url_collision_names_both_files() {
        let (_, e) = load_strs(&[
            (
                "briefings/2026-11-03-talks.md",
                "+++\ntitle = \"A\"\n+++\nx",
            ),
            (
                "briefings/2026-11-04-talks.md",
                "+++\ntitle = \"B\"\n+++\nx",
            ),
        ]);
        assert_eq!(e, vec!["content/briefings/2026-11-04-talks.md: error: the URL /briefings/talks/ is also the URL of content/briefings/2026-11-03-talks.md\n  hint: give one of them another `slug` (or remove the duplicate alias)"]);
    }

    #[test]
    fn drafts_are_skipped_unless_asked() {
        let (c, _) = load_strs(&[("briefings/2026-11-03-a.md", "+++\ndraft = true\n+++\nx")]);
        assert!(c.pages.is_empty());
    }

    #[test]
    fn slugify_folds_and_joins() {
        assert_eq!(
            slugify("Oman’s talks: Round 2 — Zürich"),
            "omans-talks-round-2-zurich"
        );
        assert_eq!(normalize_alias("old/path"), "/old/path/");
        assert_eq!(normalize_alias("/old/page.html"), "/old/page.html");
    }
}
