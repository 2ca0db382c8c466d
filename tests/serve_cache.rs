//! The analysis cache and incremental rebuilds give exactly the output of
//! a cold full build.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use briefing::cache::{Caches, CACHE_DIR};
use briefing::{build_in_memory, build_with, BuildOptions, Built};

const BIN: &str = env!("CARGO_BIN_EXE_briefing");

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

fn briefing(title: &str, day: u32, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = 2026-03-{day:02}T08:00:00Z\ntags = [\"gulf\", \"energy\"]\n+++\n\n{body}\n")
}

const BODIES: &[&str] = &[
    "Oman hosted a new round of talks in Muscat on Monday. Officials said the envoys met for five hours. Oil prices fell after the news.",
    "Insurers raised war-risk premiums for tankers in the Red Sea. Shipping firms weighed the longer route around the Cape. Analysts expect costs to rise.",
    "The IAEA asked for inspectors to return to the sites. Diplomats in Vienna said talks would resume. Iran did not comment.",
    "Oil prices eased as traders bet on progress in Muscat. Brent fell two percent. Analysts said supply worries remain.",
    "Senators pressed the envoy on the terms of the draft. Hardliners warned against sanctions relief. The White House defended the talks.",
];

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .arg("init")
        .arg(dir.path().join("s"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let root = dir.path().join("s");
    // One briefing per hub page: every hub of two or more briefings has
    // archive pages, which edits, additions and deletions move.
    let config = std::fs::read_to_string(root.join("site.toml")).unwrap();
    write(&root, "site.toml", &format!("hub_page_size = 1\n{config}"));
    for (i, body) in BODIES.iter().enumerate() {
        write(
            &root,
            &format!("content/briefings/2026-03-{:02}-b{i}.md", i + 1),
            &briefing(&format!("Briefing {i}"), i as u32 + 1, body),
        );
    }
    dir
}

/// Every file of a build, the search index it may have deferred included.
fn tree(built: &Built) -> BTreeMap<String, Vec<u8>> {
    let mut files: BTreeMap<String, Vec<u8>> = built
        .files
        .iter()
        .map(|f| (f.path.clone(), f.bytes.to_vec()))
        .collect();
    for f in built.search_files() {
        assert!(
            files.insert(f.path, f.bytes.to_vec()).is_none(),
            "search file twice"
        );
    }
    files
}

fn memory_options() -> BuildOptions {
    BuildOptions {
        base_url: Some("http://127.0.0.1:1111/".into()),
        ..BuildOptions::default()
    }
}

fn assert_same(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>, what: &str) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}: file lists differ"
    );
    for (path, bytes) in a {
        assert!(bytes == &b[path], "{what}: {path} differs");
    }
}

/// Tells the caches of a change as serve's watcher does: this path and no
/// other (a new or deleted file still makes the next load walk `content/`).
fn saw(caches: &mut Caches, path: &str) {
    let content = caches.content.as_mut().unwrap();
    content.mark_changed(path.strip_prefix("content/"), true);
}

#[test]
fn incremental_rebuilds_equal_full_builds() {
    let dir = site();
    let root = dir.path().join("s");
    let options = memory_options();
    // Related lists that show their targets' bottom lines: a page must
    // change when only a briefing it lists does.
    let template = std::fs::read_to_string(root.join("templates/briefing.html")).unwrap();
    let shows = "{% for r in briefing.related %}<p>{{ r.bottom_line }}</p>{% endfor %}\n{% endblock content %}";
    write(
        &root,
        "templates/briefing.html",
        &template.replace("{% endblock content %}", shows),
    );
    let mut caches = Caches::for_serve(&root);
    let first = build_with(&root, &options, &mut caches).unwrap();
    assert!(
        first.deferred_search.is_some()
            && !first.files.iter().any(|f| f.path == "search/index.json"),
        "serve leaves the search index for after the reload"
    );
    assert_same(
        &tree(&first),
        &tree(&build_in_memory(&root, &options).unwrap()),
        "first build",
    );
    assert!(
        tree(&first).contains_key("issues/gulf/page/1/index.html"),
        "hubs have archive pages"
    );

    let edits: Vec<(&str, String)> = vec![
        // A body edit that adds a word other briefings use.
        ("content/briefings/2026-03-01-b0.md", briefing("Briefing 0", 1, &format!("{} Brent rose later.", BODIES[0]))),
        // Only its bottom line changes (not its text): the pages listing it.
        ("content/briefings/2026-03-01-b0.md", briefing("Briefing 0", 1, &format!("{} Brent rose later.", BODIES[0])).replacen("+++\n", "+++\nbottom_line = \"Talks went well.\"\n", 1)),
        // A title edit.
        ("content/briefings/2026-03-02-b1.md", briefing("Insurers raise premiums", 2, BODIES[1])),
        // A new URL and nothing else: the pages that list it as related
        // show the new link though their own inputs did not change.
        ("content/briefings/2026-03-04-b3.md", briefing("Briefing 3", 4, BODIES[3]).replacen("+++\n", "+++\nslug = \"oil-eases\"\n", 1)),
        // An update date and an alias, which only the sitemap (and the
        // alias page) show.
        ("content/briefings/2026-03-02-b1.md", briefing("Insurers raise premiums", 2, BODIES[1]).replacen("+++\n", "+++\nupdated = 2026-03-20T08:00:00Z\n", 1)),
        ("content/briefings/2026-03-02-b1.md", briefing("Insurers raise premiums", 2, BODIES[1]).replacen("+++\n", "+++\nupdated = 2026-03-20T08:00:00Z\naliases = [\"/old/insurers/\"]\n", 1)),
        // A new briefing.
        ("content/briefings/2026-03-09-new.md", briefing("New one", 9, "Muscat talks ended without a deal. Oil prices rose.")),
        // Front matter overriding the analysis.
        ("content/briefings/2026-03-03-b2.md", format!("+++\ntitle = \"Briefing 2\"\ndate = 2026-03-03T08:00:00Z\nsummary_sentences = 1\n+++\n\n{}\n", BODIES[2])),
        // A template change.
        ("templates/briefing.html", format!("{}\n<!-- changed -->\n", std::fs::read_to_string(root.join("templates/briefing.html")).unwrap())),
    ];
    for (path, text) in edits {
        write(&root, path, &text);
        saw(&mut caches, path);
        let incremental = build_with(&root, &options, &mut caches).unwrap();
        let full = build_in_memory(&root, &options).unwrap();
        assert_same(&tree(&incremental), &tree(&full), path);
    }
    // A broken file fails the build; fixing it recovers.
    let b4 = "content/briefings/2026-03-05-b4.md";
    write(&root, b4, "+++\ntitle = \"broken\n+++\nx\n");
    saw(&mut caches, b4);
    assert!(build_with(&root, &options, &mut caches).is_err());
    write(&root, b4, &briefing("Briefing 4 again", 5, BODIES[4]));
    saw(&mut caches, b4);
    let incremental = build_with(&root, &options, &mut caches).unwrap();
    let full = build_in_memory(&root, &options).unwrap();
    assert_same(&tree(&incremental), &tree(&full), "recovery");
    // A config change.
    let config = std::fs::read_to_string(root.join("site.toml")).unwrap();
    write(
        &root,
        "site.toml",
        &config.replace("title = \"My briefings\"", "title = \"Gulf desk\""),
    );
    let incremental = build_with(&root, &options, &mut caches).unwrap();
    let full = build_in_memory(&root, &options).unwrap();
    assert_same(&tree(&incremental), &tree(&full), "site.toml");
    // A deletion.
    std::fs::remove_file(root.join("content/briefings/2026-03-04-b3.md")).unwrap();
    saw(&mut caches, "content/briefings/2026-03-04-b3.md");
    let incremental = build_with(&root, &options, &mut caches).unwrap();
    let full = build_in_memory(&root, &options).unwrap();
    assert_same(&tree(&incremental), &tree(&full), "deletion");
    assert!(caches.analysis.hits > 0, "the cache was used");
}

fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn build_cli(root: &Path, out: &Path) {
    build_cli_with(root, out, &[]);
}

/// Runs `briefing build` with `args`, asserts it succeeded, returns its stderr.
fn build_cli_with(root: &Path, out: &Path, args: &[&str]) -> String {
    let o = Command::new(BIN)
        .arg("build")
        .args(args)
        .arg("--root")
        .arg(root)
        .arg("--output")
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn disk_cache_gives_the_same_site_as_a_cold_build() {
    let dir = site();
    let root = dir.path().join("s");
    let cold = dir.path().join("cold");
    build_cli(&root, &cold);
    let cache_file = root.join(CACHE_DIR).join("analysis.bin");
    let cached = std::fs::read(&cache_file).expect("build wrote the cache");
    let entries = briefing::cache::AnalysisCache::open(&root.join(CACHE_DIR)).len();
    assert!(entries > BODIES.len(), "{entries}");

    let leftovers: Vec<_> = std::fs::read_dir(root.join(CACHE_DIR))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            ![
                "analysis.bin",
                "inline.bin",
                "links.txt",
                "pages.txt",
                "related.bin",
                "search.bin",
                "stems.bin",
                "terms.bin",
                "tree.txt",
            ]
            .contains(&n.as_str())
        })
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    // A second build analyses nothing: every briefing comes from the cache.
    let mut caches = Caches::open(&root);
    build_with(&root, &memory_options(), &mut caches).unwrap();
    assert_eq!(caches.analysis.misses, 0);
    assert_eq!(caches.analysis.hits, entries);

    let warm = dir.path().join("warm");
    build_cli(&root, &warm);
    assert_same(&read_tree(&cold), &read_tree(&warm), "warm build");

    // `check` reads the cache but writes nothing, not even it.
    std::fs::remove_dir_all(root.join(CACHE_DIR)).unwrap();
    let o = Command::new(BIN)
        .arg("check")
        .arg("--root")
        .arg(&root)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!root.join(CACHE_DIR).exists(), "check wrote the cache");
    build_cli(&root, &dir.path().join("rebuild-cache"));

    // A corrupt cache is ignored, never fatal.
    let mut corrupt = cached.clone();
    corrupt.truncate(corrupt.len() / 2);
    corrupt.extend_from_slice(b"\nnot a record\n");
    std::fs::write(&cache_file, corrupt).unwrap();
    let again = dir.path().join("again");
    build_cli(&root, &again);
    assert_same(
        &read_tree(&cold),
        &read_tree(&again),
        "build over a corrupt cache",
    );
    // ... and rewritten whole.
    assert_eq!(std::fs::read(&cache_file).unwrap(), cached);

    std::fs::write(&cache_file, [0xff, 0xfe, 0x00]).unwrap();
    let binary = dir.path().join("binary");
    build_cli(&root, &binary);
    assert_same(
        &read_tree(&cold),
        &read_tree(&binary),
        "build over a garbage cache",
    );
}

fn build_cli_verbose(root: &Path, out: &Path) -> String {
    build_cli_with(root, out, &["-v"])
}

/// The number in "N pages taken from the last build's output" (0 if absent).
fn reused(log: &str) -> usize {
    log.lines()
        .find_map(|l| {
            l.trim()
                .strip_suffix(" pages taken from the last build's output")
        })
        .map_or(0, |n| n.parse().unwrap())
}

#[test]
fn a_warm_build_reuses_unchanged_pages_and_equals_a_cold_build() {
    let dir = site();
    let root = dir.path().join("s");
    let out = dir.path().join("out");
    assert_eq!(
        reused(&build_cli_verbose(&root, &out)),
        0,
        "nothing to reuse yet"
    );

    // One body edited, one briefing added (and with it a content file's
    // URL, which only bodies that can hold an `@/` link depend on), an
    // unchanged page's output damaged by hand, and a file that is not the
    // site's put in one of its directories (the tree the last build
    // recorded is not trusted then: the stray file goes).
    write(
        &root,
        "content/briefings/2026-03-05-b4.md",
        &briefing("Briefing 4", 5, &format!("{} Oil rose later.", BODIES[4])),
    );
    write(
        &root,
        "content/briefings/2026-03-06-b5.md",
        &briefing(
            "Briefing 5",
            6,
            "Tanker insurers in Muscat cut premiums. Oil fell.",
        ),
    );
    std::fs::write(out.join("archive/index.html"), "tampered").unwrap();
    // Past the file system's clock tick (a few ms on some): a change in
    // the same tick as the build's own can leave a directory's time as it was.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(out.join("archive/stray.html"), "stray").unwrap();
    let log = build_cli_verbose(&root, &out);
    assert!(!out.join("archive/stray.html").exists());
    assert!(reused(&log) > 10, "{log}");

    let fresh = tempfile::tempdir().unwrap();
    let copy = fresh.path().join("s");
    let o = Command::new("cp")
        .arg("-r")
        .arg(&root)
        .arg(&copy)
        .output()
        .unwrap();
    assert!(o.status.success());
    std::fs::remove_dir_all(copy.join(CACHE_DIR)).unwrap();
    let cold = fresh.path().join("cold");
    build_cli(&copy, &cold);
    assert_same(
        &read_tree(&cold),
        &read_tree(&out),
        "warm build after an edit",
    );

    // New templates: every page is rendered again.
    let template = root.join("templates/briefing.html");
    let text = std::fs::read_to_string(&template).unwrap();
    std::fs::write(&template, format!("{text}\n<!-- changed -->\n")).unwrap();
    let log = build_cli_verbose(&root, &out);
    assert_eq!(reused(&log), 0, "{log}");
}

/// The `<loc>`s of one sitemap file.
/// The site a cold build of `root` (a copy without its cache) makes.
fn cold_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let fresh = tempfile::tempdir().unwrap();
    let copy = fresh.path().join("s");
    let o = Command::new("cp")
        .arg("-r")
        .arg(root)
        .arg(&copy)
        .output()
        .unwrap();
    assert!(o.status.success());
    let _ = std::fs::remove_dir_all(copy.join(CACHE_DIR));
    let cold = fresh.path().join("cold");
    build_cli(&copy, &cold);
    read_tree(&cold)
}

#[test]
fn warm_builds_after_front_matter_edits_equal_cold_builds() {
    // A warm build finds an unchanged briefing page by a hash of its page
    // and analysis: every value an editor can set must reach it. The
    // template shows those the default one does not.
    let dir = site();
    let root = dir.path().join("s");
    let template = std::fs::read_to_string(root.join("templates/briefing.html")).unwrap();
    let shows = "<p>{{ briefing.extra | json_encode }} {{ briefing.author }} \
        {{ briefing.updated }} {{ briefing.source.name | default(value='') }}</p>\n\
        {% endblock content %}";
    write(
        &root,
        "templates/briefing.html",
        &template.replace("{% endblock content %}", shows),
    );
    let out = dir.path().join("out");
    build_cli(&root, &out);
    let path = "content/briefings/2026-03-03-b2.md";
    let edits = [
        "updated = 2026-03-20T08:00:00Z\n",
        "author = \"A. Writer\"\n",
        "bottom_line = \"Inspectors may return.\"\n",
        "summary = [\"Diplomats in Vienna said talks would resume.\"]\n",
        "key_issues = [\"nuclear inspections\"]\n",
        "entities = [{ name = \"Vienna\", kind = \"place\" }]\n",
        "[source]\nname = \"Wire\"\n",
        "[extra]\ndesk = \"Europe\"\n",
        "[extra]\ndesk = \"Gulf\"\n",
    ];
    for edit in edits {
        let text = briefing("Briefing 2", 3, BODIES[2]);
        // Tables go last in TOML front matter.
        let text = match edit.starts_with('[') {
            true => text.replacen("+++\n\n", &format!("{edit}+++\n\n"), 1),
            false => text.replacen("+++\n", &format!("+++\n{edit}"), 1),
        };
        write(&root, path, &text);
        build_cli(&root, &out);
        assert_same(&cold_tree(&root), &read_tree(&out), edit);
    }
}

fn locs(xml: &[u8]) -> Vec<String> {
    let xml = std::str::from_utf8(xml).unwrap();
    xml.split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap().to_string())
        .collect()
}

#[test]
fn a_large_sitemap_is_sharded_and_only_shards_listing_a_new_page_change() {
    let dir = site();
    let root = dir.path().join("s");
    // Past 2,000 pages the sitemap is an index of shards.
    for i in 0..2_100 {
        let day = i % 28 + 1;
        write(
            &root,
            &format!("content/briefings/2026-03-{day:02}-n{i}.md"),
            &briefing(
                &format!("Note {i}"),
                day as u32,
                "Oman hosted talks in Muscat.",
            ),
        );
    }
    let options = memory_options();
    let mut caches = Caches::for_serve(&root);
    let first = tree(&build_with(&root, &options, &mut caches).unwrap());
    let index = locs(&first["sitemap.xml"]);
    assert!(
        index.len() >= 2 && index.len().is_power_of_two(),
        "{index:?}"
    );
    let mut listed = Vec::new();
    for shard in &index {
        let path = shard.strip_prefix("http://127.0.0.1:1111/").unwrap();
        let locs = locs(&first[path]);
        assert!(locs.windows(2).all(|w| w[0] < w[1]), "{path} is sorted");
        assert!(!locs.is_empty() && locs.len() < 50_000);
        listed.extend(locs);
    }
    listed.sort();
    let mut pages: Vec<String> = first
        .keys()
        .filter_map(|p| p.strip_suffix("index.html"))
        .map(|dir| format!("http://127.0.0.1:1111/{dir}"))
        .collect();
    pages.sort();
    assert_eq!(listed, pages, "every page in exactly one shard");

    let path = "content/briefings/2026-03-28-late.md";
    write(
        &root,
        path,
        &briefing("Late", 28, "Oman hosted talks in Muscat."),
    );
    saw(&mut caches, path);
    let second = tree(&build_with(&root, &options, &mut caches).unwrap());
    assert_same(
        &second,
        &tree(&build_in_memory(&root, &options).unwrap()),
        path,
    );
    // The shards that changed are those listing a new page.
    let new_pages: Vec<String> = second
        .keys()
        .filter(|p| !first.contains_key(*p))
        .filter_map(|p| p.strip_suffix("index.html"))
        .map(|dir| format!("http://127.0.0.1:1111/{dir}"))
        .collect();
    assert!(new_pages.contains(&"http://127.0.0.1:1111/briefings/late/".to_string()));
    let mut changed: Vec<&String> = second
        .keys()
        .filter(|p| p.starts_with("sitemaps/"))
        .filter(|p| first.get(*p) != second.get(*p))
        .collect();
    let mut holding: Vec<&String> = second
        .iter()
        .filter(|(p, xml)| {
            p.starts_with("sitemaps/") && locs(xml).iter().any(|l| new_pages.contains(l))
        })
        .map(|(p, _)| p)
        .collect();
    changed.sort();
    holding.sort();
    assert_eq!(changed, holding);
    assert!(changed.len() < index.len(), "{changed:?}");
    assert_eq!(first["sitemap.xml"], second["sitemap.xml"]);
}

/// A one-off build lets the analysed bodies go and reads them again for
/// their pages: a file edited in between fails the build, naming it,
/// rather than pairing the old analysis with the new text.
#[test]
fn a_briefing_edited_while_a_build_runs_fails_that_build() {
    let dir = site();
    let root = dir.path().join("s");
    let options = BuildOptions {
        write: false,
        ..memory_options()
    };
    let unchanged = {
        let mut caches = Caches::open(&root);
        build_with(&root, &options, &mut caches).unwrap()
    };
    let load_options = briefing::content::LoadOptions {
        include_drafts: false,
        timezone: briefing::config::Config::from_root(&root).unwrap().timezone,
    };
    // As `build` does: the content is read before the stages run.
    let read_first = || (load_options, briefing::content::load(&root, load_options));
    let mut caches = Caches::open(&root);
    caches.read_content = Some(read_first());
    let again = build_with(&root, &options, &mut caches).unwrap();
    assert_same(
        &tree(&unchanged),
        &tree(&again),
        "a build with the bodies read again",
    );

    let mut caches = Caches::open(&root);
    caches.read_content = Some(read_first());
    let edited = "content/briefings/2026-03-02-b1.md";
    write(
        &root,
        edited,
        &briefing("Briefing 1", 2, "Edited after the read."),
    );
    match build_with(&root, &options, &mut caches) {
        Err(briefing::BuildError::Content { problems, .. }) => {
            let shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            assert_eq!(shown.len(), 1, "{shown:?}");
            assert!(
                shown[0].starts_with(&format!(
                    "{edited}: error: the file changed while the site was being built"
                )),
                "{shown:?}"
            );
        }
        other => panic!(
            "expected the edit to fail the build, got {:?}",
            other.map(|b| b.report)
        ),
    }
}
