//! The spine: `build` runs the pipeline stage by stage and times each one.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::briefings;
use crate::cache::{Caches, RenderMemo, CACHE_DIR};
use crate::config::Config;
use crate::content::{self, LoadOptions, PageKind};
use crate::diagnostics::Diagnostic;
use crate::linking::{self, LinkOptions, SiteModel};
use crate::output::{self, OutputFile};
use crate::render::shared::Shared;
use crate::render::views::BriefingCard;
use crate::render::{self, templates, RenderInput};

/// How to build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Output directory; default: site.toml's `output_dir` under the root.
    pub output: Option<PathBuf>,
    /// Replaces site.toml's `base_url`.
    pub base_url: Option<String>,
    pub drafts: bool,
    /// False for `check`: do everything but write.
    pub write: bool,
}

/// A site built in memory: every output file, sorted by path.
#[derive(Debug, Clone, Default)]
pub struct Built {
    pub files: Vec<OutputFile>,
    pub report: Report,
    /// site.toml's `output_dir` under the root.
    pub output_dir: PathBuf,
    /// site.toml's `output_dir`, as written there (for messages).
    pub output_dir_name: String,
    /// site.toml's `base_url` (or the override).
    pub base_url: String,
    /// What the search index is made from, when the build left it out
    /// ([`Caches::defer_search`]).
    pub deferred_search: Option<Arc<DeferredSearch>>,
}

/// The inputs of a search index not yet built.
#[derive(Debug)]
pub struct DeferredSearch {
    model: SiteModel,
    cards: Vec<Shared<BriefingCard>>,
}

impl DeferredSearch {
    /// Builds the index.
    pub fn files(&self) -> Vec<OutputFile> {
        render::search_files(&self.model, &self.cards)
    }
}

impl Built {
    /// The search index files the build left out (none if it did not).
    pub fn search_files(&self) -> Vec<OutputFile> {
        self.deferred_search
            .as_ref()
            .map(|d| d.files())
            .unwrap_or_default()
    }
}

/// What a successful build did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub briefings: usize,
    pub pages: usize,
    pub files: usize,
    pub bytes: u64,
    pub output: Option<PathBuf>,
    /// Files written because they are new or changed (the others kept their bytes and mtime).
    pub written: usize,
    /// Pages (and hub entries, search index shards) taken back from the
    /// last build's output instead of being rendered (see [`build`]).
    pub reused: usize,
    pub warnings: Vec<Diagnostic>,
    /// Time of each stage, in pipeline order.
    pub timings: Vec<StageTiming>,
}

/// Why a build failed.
#[derive(Debug)]
pub enum BuildError {
    /// Problems in site.toml, content or links: every one of them.
    Content {
        problems: Vec<Diagnostic>,
        warnings: Vec<Diagnostic>,
    },
    /// A template that does not parse or render.
    Template(String),
    /// The machine failed us: unreadable directory, full disk.
    Io(String),
}

/// The static directory under a site root, copied verbatim.
pub const STATIC_DIR: &str = "static";

/// Wall-clock and CPU time of one stage. CPU time is of the whole process
/// (all threads): on a shared machine it varies far less than wall time, and
/// CPU over wall shows how well a stage uses the cores.
#[derive(Debug, Clone, Copy)]
pub struct StageTiming {
    pub stage: &'static str,
    pub wall: Duration,
    pub cpu: Duration,
}

impl std::fmt::Display for StageTiming {
    /// `  render      280.3 ms  (cpu     455.0 ms)`, as `-v` prints it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "  {:<8} {:>9.1} ms  (cpu {:>9.1} ms)",
            self.stage,
            self.wall.as_secs_f64() * 1000.0,
            self.cpu.as_secs_f64() * 1000.0
        )
    }
}

struct Stopwatch {
    last: Instant,
    last_cpu: Duration,
    timings: Vec<StageTiming>,
}

impl Stopwatch {
    fn start() -> Stopwatch {
        Stopwatch {
            last: Instant::now(),
            last_cpu: process_cpu_time(),
            timings: Vec::new(),
        }
    }

    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        let cpu = process_cpu_time();
        self.timings.push(StageTiming {
            stage,
            wall: now - self.last,
            cpu: cpu.saturating_sub(self.last_cpu),
        });
        self.last = now;
        self.last_cpu = cpu;
    }
}

/// User plus system CPU time of this process so far (every thread).
pub fn process_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we pass and nothing else.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) } == 0;
    if ok {
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    } else {
        Duration::ZERO
    }
}

/// Builds the site under `root`. Pages whose view is unchanged since the
/// last build are taken back from the output directory (checked against
/// the hash the page manifest recorded) instead of being rendered again.
pub fn build(root: &Path, options: &BuildOptions) -> Result<Report, BuildError> {
    build_leaving(root, options).map(|(report, _)| report)
}

/// What a build leaves in memory once it is done: its caches and its
/// output files, freed when this is dropped.
pub struct Leftovers(Box<dyn std::any::Any + Send>);

impl Leftovers {
    /// Does not free them: for a process that exits right after (`briefing
    /// build`), where the exit returns the memory at once. Freeing their
    /// millions of small allocations one by one took 36 ms of a 1.3 s
    /// warm build of 10,000 briefings.
    pub fn leave_to_exit(self) {
        std::mem::forget(self.0);
    }
}

/// [`build`], handing back what it leaves in memory (see [`Leftovers`]).
pub fn build_leaving(
    root: &Path,
    options: &BuildOptions,
) -> Result<(Report, Leftovers), BuildError> {
    crate::trace::lap("build.open");
    let cache_dir = root.join(CACHE_DIR);
    // The content is read beside the caches: reading it is mostly system
    // calls, which leave room on the cores the caches' parsing fills.
    let ((mut caches, (manifest, link_state, last_tree)), read_content) = rayon::join(
        || {
            rayon::join(
                || Caches::open(root),
                || match options.write {
                    true => (
                        Some(RenderMemo::with_manifest(&cache_dir)),
                        output::LinkState::load(&cache_dir),
                        output::TreeState::load(&cache_dir),
                    ),
                    false => (None, None, None),
                },
            )
        },
        || {
            // With a broken site.toml, build_with reads it (with the
            // defaults) once it has reported it.
            let config = Config::from_root(root).ok()?;
            let load_options = LoadOptions {
                include_drafts: options.drafts,
                timezone: config.timezone,
            };
            Some((load_options, content::load(root, load_options)))
        },
    );
    caches.render = manifest;
    caches.link_state = link_state;
    caches.read_content = read_content;
    crate::trace::lap("build.caches");
    let Built {
        files,
        mut report,
        output_dir,
        ..
    } = build_and_save_analyses(root, options, &mut caches)?;
    if options.write {
        let mut clock = Stopwatch::start();
        let out_dir = options.output.clone().unwrap_or(output_dir);
        let on_disk = caches
            .render
            .as_ref()
            .map(|m| m.pages_on_disk())
            .unwrap_or_default();
        let staging = caches.render.as_mut().and_then(|m| m.take_staging());
        let (stats, tree) =
            output::write_site_tracked(&out_dir, &files, &on_disk, last_tree.as_ref(), staging)
                .map_err(|e| {
                    BuildError::Io(format!("{}: cannot write the site: {e}", out_dir.display()))
                })?;
        report.written = stats.written;
        report.output = Some(out_dir);
        crate::trace::lap("write.site");
        if let Some(memo) = caches.render.as_mut() {
            if let Err(e) = memo.save_manifest(&root.join(CACHE_DIR), &files) {
                report.warnings.push(cache_not_saved(
                    "the page manifest",
                    e,
                    "renders every page again",
                ));
            }
        }
        if let Some(state) = caches.next_link_state.take() {
            if let Err(e) = state.save(&root.join(CACHE_DIR)) {
                report.warnings.push(cache_not_saved(
                    "the link state",
                    e,
                    "checks every page's links",
                ));
            }
        }
        let tree_saved = match tree {
            Some(tree) => tree.save(&cache_dir),
            // Nothing to trust next time: the tree is listed then.
            None => match std::fs::remove_file(cache_dir.join(output::tree::FILE)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
        };
        if let Err(e) = tree_saved {
            report.warnings.push(cache_not_saved(
                "the output tree",
                e,
                "lists the output directory",
            ));
        }
        crate::trace::lap("write.manifest");
        clock.lap("write");
        report.timings.extend(clock.timings);
    }
    Ok((report, Leftovers(Box::new((caches, files, last_tree)))))
}

/// The warning for a cache file (`what`) that could not be saved: the
/// site is fine, and the next build does more (`next_build`).
fn cache_not_saved(what: &str, e: std::io::Error, next_build: &str) -> Diagnostic {
    Diagnostic::warning(CACHE_DIR, format!("cannot save {what}: {e}"))
        .with_hint(format!("the site is fine; the next build {next_build}"))
}

/// Runs every stage but the write: the site as files in memory
/// (`options.output` is ignored). Analyses come from and go to the disk
/// cache under `root` (saved only when `options.write`: `check` writes nothing).
pub fn build_in_memory(root: &Path, options: &BuildOptions) -> Result<Built, BuildError> {
    build_and_save_analyses(root, options, &mut Caches::open(root))
}

/// [`build_with`], then saves the analysis cache when `options.write`.
fn build_and_save_analyses(
    root: &Path,
    options: &BuildOptions,
    caches: &mut Caches,
) -> Result<Built, BuildError> {
    caches.persist_terms = options.write;
    let mut result = build_with(root, options, caches);
    crate::trace::lap("build.with");
    if options.write {
        let mut problems = Vec::new();
        // Side by side: in a cold build each is a few hundred milliseconds
        // per 10,000 briefings, and nothing else is left to run.
        let (analysis_saved, search_terms_saved) = caches.save_analyses_and_search_terms();
        if let Err(e) = analysis_saved {
            problems.push(cache_not_saved(
                "the analysis cache",
                e,
                "analyses every briefing again",
            ));
        }
        if let Err(e) = search_terms_saved {
            problems.push(cache_not_saved(
                "the search terms",
                e,
                "reads every briefing's search terms again",
            ));
        }
        caches.related_saved();
        if let Some(e) = caches.stems_error.take() {
            problems.push(cache_not_saved(
                "the related lists, the inline links or the texts' stems",
                e,
                "ranks, stems and searches every briefing again",
            ));
        }
        if let Some(e) = caches.terms_error.take() {
            problems.push(cache_not_saved(
                "the documents' term lists",
                e,
                "reads every briefing's terms again",
            ));
        }
        match &mut result {
            Ok(built) => built.report.warnings.extend(problems),
            Err(BuildError::Content { warnings, .. }) => warnings.extend(problems),
            Err(_) => {}
        }
        crate::trace::lap("save.analyses");
    }
    result
}

/// [`build_in_memory`] with caches the caller keeps (`serve` keeps them
/// in memory between rebuilds).
pub fn build_with(
    root: &Path,
    options: &BuildOptions,
    caches: &mut Caches,
) -> Result<Built, BuildError> {
    let mut clock = Stopwatch::start();
    crate::trace::lap("build.start");
    // Config errors and content errors are reported together.
    let mut problems = Vec::new();
    let mut config = match Config::from_root(root) {
        Ok(c) => Some(c),
        Err(mut ds) => {
            problems.append(&mut ds);
            None
        }
    };
    if let (Some(c), Some(url)) = (config.as_mut(), options.base_url.as_ref()) {
        c.base_url = if url.ends_with('/') {
            url.clone()
        } else {
            format!("{url}/")
        };
    }
    clock.lap("config");
    let tz = config
        .as_ref()
        .map(|c| c.timezone)
        .unwrap_or(chrono_tz::Tz::UTC);
    let load_options = LoadOptions {
        include_drafts: options.drafts,
        timezone: tz,
    };
    let read = caches
        .read_content
        .take()
        .filter(|(options, _)| *options == load_options);
    let (mut content, mut content_problems) = match (read, caches.content.as_mut()) {
        (Some((_, read)), _) => read,
        (None, Some(cache)) => cache.load(root, load_options),
        (None, None) => content::load(root, load_options),
    };
    problems.append(&mut content_problems);
    crate::trace::lap("content");
    clock.lap("content");
    // With a broken site.toml, go on with the defaults to find the other problems too.
    let config = config.unwrap_or_else(Config::fallback);

    // The briefings' pages go to the analysis, which makes each briefing
    // the only holder of its page. A one-off build lets the bodies go once
    // their plain texts are made, until their pages are rendered: 0.4 GB
    // at 100,000 briefings, held through analysis and linking otherwise.
    // `serve` keeps them for the next rebuild.
    let released_bodies = caches
        .is_one_off()
        .then(|| content::BodySource::new(root.join(content::CONTENT_DIR)));
    let (briefing_pages, other_pages): (Vec<_>, Vec<_>) = std::mem::take(&mut content.pages)
        .into_iter()
        .partition(|p| p.kind == PageKind::Briefing);
    content.pages = other_pages;
    let (briefing_list, warnings) = briefings::analyse_cached(
        briefing_pages,
        &config.analysis,
        &config.aliases,
        caches,
        released_bodies.as_ref(),
    );
    crate::trace::lap("analyse");
    clock.lap("analyse");
    let model = linking::link_with(
        briefing_list,
        &LinkOptions {
            timezone: config.timezone,
            digest_period: config.digest_period,
            related_briefings: config.related_briefings,
            related_scope: config.related_scope,
            hub_min_briefings: config.hub_min_briefings,
            curated_issues: config.issues.clone(),
            inline_links: config.inline_links,
        },
        match (caches.link.as_mut(), caches.related.as_mut()) {
            (Some(memo), _) => linking::Kept::Everything(memo),
            (None, Some(related)) => linking::Kept::Related(related),
            (None, None) => linking::Kept::Nothing,
        },
    );
    caches.done_with_related(root);
    // `serve` keeps its memos for the next rebuild: little is freed here.
    if caches.is_one_off() {
        crate::memory::give_back(model.briefings.len());
    }
    clock.lap("link");

    // With a render memo the templates are fingerprinted anyway; the same
    // fingerprint as last time means the same compiled templates.
    let fingerprint = caches
        .render
        .as_ref()
        .map(|_| crate::cache::templates_fingerprint(root));
    let tera = match (&caches.templates, fingerprint) {
        (Some((kept, tera)), Some(now)) if *kept == now => Arc::clone(tera),
        _ => {
            let tera = Arc::new(templates::load(root).map_err(BuildError::Template)?);
            caches.templates = fingerprint.map(|now| (now, Arc::clone(&tera)));
            tera
        }
    };
    crate::trace::lap("render.templates");
    let other_pages: Vec<Arc<content::Page>> = content
        .pages
        .into_iter()
        .filter(|p| p.kind == PageKind::Page)
        .collect();
    // Where the site goes: the manifest reads pages back from there, and
    // the link state is kept per output directory.
    let out_dir = options
        .output
        .clone()
        .unwrap_or_else(|| root.join(&config.output_dir));
    if let (Some(memo), Some(fingerprint)) = (caches.render.as_mut(), fingerprint) {
        memo.start(fingerprint, &out_dir);
        // A first build writes its pages as it renders them, into the
        // tree that becomes the output directory: at 100,000 briefings
        // they would otherwise hold gigabytes until the write.
        if options.write && memo.has_manifest() {
            memo.write_pages_into(output::Staging::for_new_output(&out_dir));
        }
    }
    let mut rendered = render::render_site_memo(
        &RenderInput {
            config: &config,
            model: &model,
            pages: &other_pages,
            sections: &content.sections,
            tera: &tera,
            search_index: !caches.defer_search,
            search_terms: caches.search_terms.as_ref(),
        },
        caches.render.as_ref(),
    )
    .map_err(BuildError::Template)?;
    problems.extend(rendered.problems);
    if let Some(source) = &released_bodies {
        problems.extend(source.take_problems());
    }
    let mut files = std::mem::take(&mut rendered.files);
    caches.search_update = rendered.search_terms.take();
    clock.lap("render");

    add_static_files(root, &mut files).map_err(BuildError::Io)?;
    // A broken link in content was already reported at its source line; the
    // output check catches what remains (templates, anchors).
    // `serve` defers this check until the page is on screen.
    if problems.is_empty() && !caches.defer_link_check {
        match caches.render.as_ref().filter(|m| m.has_manifest()) {
            // A build that writes checks only the pages that changed
            // since the last one, when that is enough.
            Some(_) => {
                let (broken, state) = output::check_links_since(
                    &files,
                    &out_dir,
                    &render::base_path(&config.base_url),
                    &config.base_url,
                    caches.link_state.as_ref(),
                );
                problems.extend(broken_link_problems(broken, &config.output_dir));
                caches.next_link_state = state;
            }
            None => problems.extend(link_problems(&files, &config.base_url, &config.output_dir)),
        }
    }
    clock.lap("check");
    if !problems.is_empty() {
        problems.sort();
        problems.dedup();
        return Err(BuildError::Content { problems, warnings });
    }

    let report = Report {
        briefings: model.briefings.len(),
        pages: files.iter().filter(|f| f.path.ends_with(".html")).count(),
        files: files.len(),
        bytes: files.iter().map(|f| f.bytes.len() as u64).sum(),
        warnings,
        timings: clock.timings,
        reused: caches.render.as_ref().map_or(0, |m| m.reused()),
        ..Report::default()
    };
    let deferred_search = if caches.defer_search {
        Some(Arc::new(DeferredSearch {
            model,
            cards: rendered.cards,
        }))
    } else {
        // The model is done with: freed while the site is written.
        crate::drop_later::drop_later((model, rendered.cards));
        None
    };
    Ok(Built {
        files,
        report,
        output_dir: root.join(&config.output_dir),
        output_dir_name: config.output_dir.clone(),
        base_url: config.base_url.clone(),
        deferred_search,
    })
}

/// Internal links of the generated site that resolve to nothing, as errors
/// on the output files holding them (`output_dir/page`).
pub fn link_problems<F: std::borrow::Borrow<OutputFile> + Sync>(
    files: &[F],
    base_url: &str,
    output_dir: &str,
) -> Vec<Diagnostic> {
    link_problems_memo(files, base_url, output_dir, None)
}

/// [`link_problems`], scanning again only the pages `memo` has not seen
/// (`serve`).
pub fn link_problems_memo<F: std::borrow::Borrow<OutputFile> + Sync>(
    files: &[F],
    base_url: &str,
    output_dir: &str,
    memo: Option<&mut output::ScanMemo>,
) -> Vec<Diagnostic> {
    let base_path = render::base_path(base_url);
    let broken = match memo {
        Some(memo) => output::check_links_memo(files, &base_path, base_url, memo),
        None => output::check_links_with_base_url(files, &base_path, base_url),
    };
    broken_link_problems(broken, output_dir)
}

/// Broken links as errors on the output files holding them.
fn broken_link_problems(broken: Vec<output::BrokenLink>, output_dir: &str) -> Vec<Diagnostic> {
    broken
        .into_iter()
        .map(|broken| {
            Diagnostic::error(
                format!("{output_dir}/{}", broken.page),
                format!("broken link `{}`: {}", broken.link, broken.reason),
            )
            .with_hint("fix the link in the content or template that produced this page")
        })
        .collect()
}

/// Adds the files of `static/`, which replace theme defaults of the same path.
fn add_static_files(root: &Path, files: &mut Vec<OutputFile>) -> Result<(), String> {
    let dir = root.join(STATIC_DIR);
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = entry.map_err(|e| format!("{STATIC_DIR}: cannot read: {e}"))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = crate::diagnostics::slash_path(entry.path(), &dir);
        let bytes = std::fs::read(entry.path())
            .map_err(|e| format!("{STATIC_DIR}/{rel}: cannot read: {e}"))?;
        files.retain(|f| f.path != rel);
        files.push(OutputFile {
            path: rel,
            bytes: bytes.into(),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(())
}
