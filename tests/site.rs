//! Whole-pipeline tests: real sites built by the real binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_briefing");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run briefing")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Copies a directory tree (fixtures are copied so tests never write into the repo).
fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        if rel.starts_with("expected") {
            continue;
        }
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Writes a site from (path, text) pairs into a fresh temporary directory.
fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    dir
}

fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut tree = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            tree.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    tree
}

fn build(root: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn built_fixture(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_tree(&fixture("basic"), &root);
    let out = dir.path().join("public");
    let o = build(&root, &out, extra);
    assert!(o.status.success(), "build failed: {}", stderr(&o));
    (dir, out)
}

/// The names of the entries of `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const MINIMAL_CONFIG: &str = "title = \"T\"\nbase_url = \"https://t.example.org/\"\n";

#[test]
fn golden_output_of_the_basic_fixture() {
    let (_dir, out) = built_fixture(&[]);
    let expected_dir = fixture("basic").join("expected");
    let actual = read_tree(&out);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&expected_dir);
        for (path, bytes) in &actual {
            let p = expected_dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        return;
    }
    let expected = read_tree(&expected_dir);
    let actual_names: Vec<&String> = actual.keys().collect();
    let expected_names: Vec<&String> = expected.keys().collect();
    assert_eq!(
        actual_names, expected_names,
        "file lists differ (UPDATE_GOLDEN=1 regenerates)"
    );
    for (path, bytes) in &actual {
        assert!(
            bytes == &expected[path],
            "{path} differs from tests/fixtures/basic/expected/{path} (UPDATE_GOLDEN=1 regenerates)"
        );
    }
}

#[test]
fn every_page_type_is_built() {
    let (_dir, out) = built_fixture(&[]);
    for path in [
        "index.html",
        "404.html",
        "atom.xml",
        "sitemap.xml",
        "robots.txt",
        "style.css",
        "briefings/index.html",
        "briefings/page/2/index.html",
        "briefings/harbour-reopens/index.html",
        "digests/index.html",
        "digests/2026-03-02/index.html",
        "digests/2026-02-10/index.html",
        "digests/atom.xml",
        "archive/index.html",
        "archive/2026/03/index.html",
        "archive/2026/02/index.html",
        "issues/index.html",
        "issues/harbour/index.html",
        "issues/harbour/atom.xml",
        "entities/index.html",
        "about/index.html",
        "old/harbour-news/index.html",
    ] {
        assert!(out.join(path).is_file(), "missing {path}");
    }
    let home = text(&out.join("index.html"));
    assert!(
        home.contains("Monday 2 March 2026"),
        "home shows the latest digest"
    );
}

#[test]
fn one_thread_and_many_threads_build_the_same_bytes() {
    // The repository's sample site: every stage that runs in parallel
    // (analysis, hubs, related, inline links, rendering, search index, link
    // check) must give what a sequential run gives.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for part in ["content", "static", "templates"] {
        if repo.join(part).is_dir() {
            copy_tree(&repo.join(part), &root.join(part));
        }
    }
    std::fs::copy(repo.join("site.toml"), root.join("site.toml")).unwrap();
    let mut trees = Vec::new();
    for threads in ["1", "8"] {
        let out = dir.path().join(format!("public-{threads}"));
        // No analysis cache from the other run: both analyse everything.
        let _ = std::fs::remove_dir_all(root.join(".briefing-cache"));
        let o = Command::new(BIN)
            .args([
                "build",
                "--root",
                root.to_str().unwrap(),
                "--output",
                out.to_str().unwrap(),
            ])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(o.status.success(), "{threads} threads: {}", stderr(&o));
        trees.push(read_tree(&out));
    }
    assert!(trees[0].len() > 50, "the sample site has pages");
    assert_eq!(trees[0], trees[1]);
}

#[test]
fn two_builds_are_byte_identical() {
    let (_d1, a) = built_fixture(&[]);
    let (_d2, b) = built_fixture(&[]);
    assert_eq!(read_tree(&a), read_tree(&b));
}

#[test]
fn internal_source_links_resolve_with_anchor() {
    let (_dir, out) = built_fixture(&[]);
    let page = text(&out.join("briefings/harbour-reopens/index.html"));
    assert!(
        page.contains("href=\"/briefings/harbour-closes/#why-it-closed\""),
        "{page}"
    );
    let about = text(&out.join("about/index.html"));
    assert!(about.contains("href=\"/briefings/harbour-reopens/\""));
}

#[test]
fn missing_internal_link_target_fails_with_position() {
    let dir = site(&[
        ("site.toml", MINIMAL_CONFIG),
        (
            "content/briefings/2026-01-01-a.md",
            "+++\ntitle = \"A\"\n+++\nText.\n\nSee [b](@/briefings/nope.md).\n",
        ),
    ]);
    let o = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("content/briefings/2026-01-01-a.md:6:5: error: the link `@/briefings/nope.md` points to a page that does not exist"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn base_url_with_a_sub_path() {
    let (_dir, out) = built_fixture(&["--base-url", "https://example.org/briefs/"]);
    let page = text(&out.join("briefings/harbour-reopens/index.html"));
    assert!(page.contains("href=\"/briefs/style.css\""));
    assert!(page.contains("href=\"/briefs/briefings/harbour-closes/#why-it-closed\""));
    assert!(page.contains(
        "<link rel=\"canonical\" href=\"https://example.org/briefs/briefings/harbour-reopens/\">"
    ));
    assert!(
        !page.contains("href=\"/briefings/"),
        "a link misses the sub-path"
    );
    let feed = text(&out.join("atom.xml"));
    assert!(feed.contains("https://example.org/briefs/briefings/harbour-reopens/"));
    let robots = text(&out.join("robots.txt"));
    assert!(robots.contains("Sitemap: https://example.org/briefs/sitemap.xml"));
}

#[test]
fn raw_html_is_sanitised() {
    let dir = site(&[
        ("site.toml", MINIMAL_CONFIG),
        (
            "content/briefings/2026-01-01-a.md",
            "+++\ntitle = \"A\"\n+++\nHello <b onclick=\"steal()\">bold</b>.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2)) <a href=\"javascript:alert(3)\">y</a>\n",
        ),
    ]);
    let out = dir.path().join("out");
    let o = build(dir.path(), &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = text(&out.join("briefings/a/index.html"));
    let body = &page[page.find("class=\"body\"").unwrap()..];
    assert!(body.contains("<b>bold</b>"), "{body}");
    assert!(!body.contains("onclick"));
    assert!(!body.contains("<script>alert"));
    assert!(!body.contains("javascript:"));
}

#[test]
fn a_single_template_can_be_overridden() {
    let (_dir, out) = built_fixture(&[]);
    let about = text(&out.join("about/index.html"));
    assert!(about.contains("<article class=\"custom-page\">"));
    assert!(
        about.contains("Small and checked"),
        "site.extra reaches templates"
    );
    // The other templates are still the defaults.
    assert!(
        text(&out.join("briefings/harbour-reopens/index.html")).contains("class=\"summary-box\"")
    );
}

#[test]
fn atom_feed_parses_back() {
    let (_dir, out) = built_fixture(&[]);
    let feed =
        feed_rs::parser::parse(std::fs::read(out.join("atom.xml")).unwrap().as_slice()).unwrap();
    assert_eq!(feed.title.unwrap().content, "Fixture Briefings");
    assert_eq!(feed.entries.len(), 3);
    // Newest first; the feed's updated is the newest content date, not the clock.
    assert_eq!(
        feed.entries[0].title.as_ref().unwrap().content,
        "Ferry operator holds fares for spring"
    );
    assert_eq!(
        feed.updated.unwrap().to_rfc3339(),
        "2026-03-02T15:00:00+00:00"
    );
    assert_eq!(
        feed.entries[0].links[0].href,
        "https://fixture.example.org/briefings/ferry-fares/"
    );
    let hub = feed_rs::parser::parse(
        std::fs::read(out.join("issues/harbour/atom.xml"))
            .unwrap()
            .as_slice(),
    )
    .unwrap();
    assert_eq!(hub.entries.len(), 3);
    let digests = feed_rs::parser::parse(
        std::fs::read(out.join("digests/atom.xml"))
            .unwrap()
            .as_slice(),
    )
    .unwrap();
    assert_eq!(digests.entries.len(), 2);
}

#[test]
fn sitemap_lists_pages_but_not_aliases() {
    let (_dir, out) = built_fixture(&[]);
    let sitemap = text(&out.join("sitemap.xml"));
    assert!(sitemap.starts_with("<?xml"));
    assert!(sitemap.contains("<loc>https://fixture.example.org/briefings/harbour-reopens/</loc>\n    <lastmod>2026-03-02T07:15:00Z</lastmod>"));
    assert!(sitemap.contains("<loc>https://fixture.example.org/</loc>"));
    assert!(sitemap.contains("<loc>https://fixture.example.org/about/</loc>"));
    assert!(!sitemap.contains("old/harbour-news"));
    assert!(!sitemap.contains("404"));
}

#[test]
fn aliases_redirect_to_the_page() {
    let (_dir, out) = built_fixture(&[]);
    let alias = text(&out.join("old/harbour-news/index.html"));
    assert!(alias.contains("<meta http-equiv=\"refresh\" content=\"0; url=https://fixture.example.org/briefings/harbour-reopens/\">"));
}

#[test]
fn front_matter_overrides_the_analysis() {
    let (_dir, out) = built_fixture(&[]);
    let page = text(&out.join("briefings/ferry-fares/index.html"));
    assert!(
        page.contains(
            "<p class=\"bottom-line\">Fares stay at last year&#39;s level until June.</p>"
        ),
        "{page}"
    );
    assert!(page.contains("ferry fares"));
}

#[test]
fn digest_days_follow_the_site_timezone() {
    // 16:00+01:00 is 15:00 UTC = 15:00 in London (GMT in March): still 2 March.
    let (_dir, out) = built_fixture(&[]);
    let digest = text(&out.join("digests/2026-03-02/index.html"));
    assert!(digest.contains("Ferry operator holds fares for spring"));
    assert!(digest.contains("Harbour reopens after storm repairs"));
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_tree(&fixture("basic"), &root);
    let out = dir.path().join("public");
    assert!(build(&root, &out, &[]).status.success());
    let before = read_tree(&out);
    std::fs::write(
        root.join("content/briefings/2026-03-05-broken.md"),
        "+++\ntitle = \"x\"\ndate = 2026-13-45\n+++\nBody",
    )
    .unwrap();
    let o = build(&root, &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nothing was written"));
    assert_eq!(read_tree(&out), before);
    // A template error also leaves it untouched.
    std::fs::remove_file(root.join("content/briefings/2026-03-05-broken.md")).unwrap();
    std::fs::write(root.join("templates/page.html"), "{% if %}").unwrap();
    let o = build(&root, &out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("page.html"),
        "the error names the template: {}",
        stderr(&o)
    );
    assert_eq!(read_tree(&out), before);
}

/// Writes `text` to `file` in a copy of the basic fixture and builds it
/// into a new directory (a first build, whose pages go to a staging
/// directory): the build must fail with `message` and leave no site and
/// no staging directory.
fn first_build_fails_and_leaves_nothing(file: &str, text: &str, message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_tree(&fixture("basic"), &root);
    std::fs::write(root.join(file), text).unwrap();
    let out = dir.path().join("public");
    let o = build(&root, &out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains(message), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing was written"), "{}", stderr(&o));
    assert_eq!(
        names_in(dir.path()),
        ["site"],
        "no output, no staging directory"
    );
}

#[test]
fn a_first_build_that_fails_late_leaves_nothing_behind() {
    // A first build writes its pages into a staging directory as it
    // renders them; a broken link found afterwards (in a template, so
    // only the check of the output sees it) must still leave no site and
    // no staging directory.
    first_build_fails_and_leaves_nothing(
        "templates/page.html",
        "<html><body><a href=\"/no-such-page/\">gone</a>{{ page.body_html | safe }}</body></html>",
        "broken link `/no-such-page/`",
    );
}

#[test]
fn a_first_build_reports_the_problems_of_bodies_rendered_with_their_pages() {
    // A first build renders each briefing's body with its page (pages go
    // straight to disk); a body's problems must still fail the build,
    // with their positions, and leave nothing behind.
    first_build_fails_and_leaves_nothing(
        "content/briefings/2026-01-01-broken.md",
        "+++\ntitle = \"Broken\"\n+++\nText.\n\nSee [b](@/briefings/nope.md).\n",
        "content/briefings/2026-01-01-broken.md:6:5: error: the link `@/briefings/nope.md` points to a page that does not exist",
    );
}

#[test]
fn a_successful_build_leaves_no_stale_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_tree(&fixture("basic"), &root);
    let out = dir.path().join("public");
    std::fs::create_dir_all(out.join("stale")).unwrap();
    std::fs::write(out.join("stale/old.html"), "old").unwrap();
    assert!(build(&root, &out, &[]).status.success());
    assert!(!out.join("stale").exists());
    let siblings = names_in(dir.path());
    assert_eq!(
        siblings.len(),
        2,
        "no temporary directories left: {siblings:?}"
    );
}

#[test]
fn check_reports_all_four_problems_and_writes_nothing() {
    let dir = site(&[
        (
            "site.toml",
            "title = \"T\"\nbase_url = \"https://t.example.org/\"\npage_szie = 4\n",
        ),
        (
            "content/briefings/2026-01-01-a.md",
            "+++\ntitle = \"A\"\n+++\nSee [b](@/briefings/missing.md).\n",
        ),
        (
            "content/briefings/2026-01-02-b.md",
            "+++\ntitle = \"B\"\ndate = \"yesterday\"\n+++\nText.\n",
        ),
        (
            "content/briefings/2026-01-03-c.md",
            "+++\ntitle = \"C\n+++\nText.\n",
        ),
    ]);
    let o = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("site.toml:3: error: unknown key `page_szie`"),
        "{err}"
    );
    assert!(
        err.contains(
            "content/briefings/2026-01-02-b.md:3:8: error: `yesterday` is not a valid date"
        ),
        "{err}"
    );
    assert!(
        err.contains("content/briefings/2026-01-03-c.md:2:"),
        "{err}"
    );
    assert!(err.contains("content/briefings/2026-01-01-a.md:4:5: error: the link `@/briefings/missing.md` points to a page that does not exist"), "{err}");
    assert!(!dir.path().join("public").exists());
}

#[test]
fn check_passes_on_a_good_site_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("basic"), dir.path());
    let o = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dir.path().join("public").exists());
}

#[test]
fn url_collisions_fail_the_build() {
    let dir = site(&[
        ("site.toml", MINIMAL_CONFIG),
        (
            "content/briefings/2026-01-01-talks.md",
            "+++\ntitle = \"A\"\n+++\nx\n",
        ),
        (
            "content/briefings/2026-01-02-talks.md",
            "+++\ntitle = \"B\"\n+++\nx\n",
        ),
    ]);
    let o = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("content/briefings/2026-01-02-talks.md: error: the URL /briefings/talks/ is also the URL of content/briefings/2026-01-01-talks.md"));
}

#[test]
fn drafts_are_built_only_when_asked() {
    let dir = site(&[
        ("site.toml", MINIMAL_CONFIG),
        (
            "content/briefings/2026-01-01-a.md",
            "+++\ntitle = \"A\"\n+++\nx\n",
        ),
        (
            "content/briefings/2026-01-02-b.md",
            "+++\ntitle = \"B\"\ndraft = true\n+++\nx\n",
        ),
    ]);
    let out = dir.path().join("out");
    assert!(build(dir.path(), &out, &[]).status.success());
    assert!(!out.join("briefings/b/index.html").exists());
    assert!(build(dir.path(), &out, &["--drafts"]).status.success());
    assert!(out.join("briefings/b/index.html").exists());
}

#[test]
fn init_creates_a_site_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("new-site");
    let o = run(&["init", root.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(root.join("templates/briefing.html").is_file());
    assert!(root.join("static/style.css").is_file());
    let o = run(&["build", "--root", root.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(root.join("public/briefings/example/index.html").is_file());
    // Never over an editor's work.
    let o = run(&["init", root.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("the directory is not empty"));
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(run(&["build", "--no-such-flag"]).status.code(), Some(2));
    assert_eq!(run(&[]).status.code(), Some(2));
}

#[test]
fn missing_config_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["build", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("site.toml: error: cannot read the site configuration"),
        "{}",
        stderr(&o)
    );
}

/// A site of `count` generated briefings, big enough that building it
/// takes a while: varied words so that hubs and related lists form.
fn generated_site(root: &Path, count: usize) {
    const WORDS: [&str; 24] = [
        "harbour",
        "ministers",
        "tariffs",
        "fishing",
        "council",
        "budget",
        "ferry",
        "strike",
        "election",
        "grain",
        "pipeline",
        "drought",
        "court",
        "reform",
        "border",
        "talks",
        "refinery",
        "coalition",
        "vaccine",
        "port",
        "inflation",
        "treaty",
        "bridge",
        "rail",
    ];
    const PLACES: [&str; 6] = [
        "Kestrel Bay",
        "Oldmoor",
        "Vantia",
        "Port Ilse",
        "Dunmarrow",
        "Serel",
    ];
    std::fs::create_dir_all(root.join("content/briefings")).unwrap();
    std::fs::write(
        root.join("site.toml"),
        "title = \"Generated\"\nbase_url = \"https://example.org/\"\n",
    )
    .unwrap();
    for i in 0..count {
        let word = |k: usize| WORDS[(i * 7 + k * 13 + k * k) % WORDS.len()];
        let place = PLACES[i % PLACES.len()];
        let mut body = String::new();
        for s in 0..24 {
            body.push_str(&format!(
                "Officials in {place} said the {} and the {} would shape the {} debate, \
                 after {} weeks of {} over the {}. ",
                word(s),
                word(s + 1),
                word(s + 2),
                s + 2,
                word(s + 3),
                word(s + 4)
            ));
            if s % 6 == 5 {
                body.push_str("\n\n");
            }
        }
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 12;
        std::fs::write(
            root.join(format!("content/briefings/2026-{month:02}-{day:02}-b{i}.md")),
            format!(
                "+++\ntitle = \"{place} {} {} number {i}\"\ndate = 2026-{month:02}-{day:02}\n+++\n{body}\n",
                word(0),
                word(1)
            ),
        )
        .unwrap();
    }
}

#[test]
fn an_interrupted_first_build_leaves_nothing_behind() {
    // A first build streams its pages into a staging directory beside the
    // output; Ctrl-C while it does must remove that directory, not leave
    // half a site under a hidden name.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    generated_site(&root, 1500);
    let out = dir.path().join("public");
    let mut child = Command::new(BIN)
        .args(["build", "-q", "--root"])
        .arg(&root)
        .arg("--output")
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let staging_has_pages = || {
        names_in(dir.path())
            .iter()
            .filter(|n| n.starts_with(".public.tmp-"))
            .any(|n| {
                walkdir::WalkDir::new(dir.path().join(n))
                    .into_iter()
                    .count()
                    > 50
            })
    };
    let started = std::time::Instant::now();
    while !staging_has_pages() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before its pages were staged: make the site bigger"
        );
        assert!(
            started.elapsed().as_secs() < 120,
            "no staging directory appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(stderr(&o).contains("interrupted"), "{}", stderr(&o));
    assert_eq!(
        names_in(dir.path()),
        ["site"],
        "no output, no staging directory"
    );
}
