use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use super::*;

fn file(path: &str, bytes: &str) -> OutputFile {
    OutputFile {
        path: path.to_string(),
        bytes: bytes.into(),
    }
}

/// Every file under `dir` with its content, `/`-separated relative paths.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

fn siblings(parent: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn mtime(path: &Path) -> SystemTime {
    fs::metadata(path).unwrap().modified().unwrap()
}

// --- write_site -------------------------------------------------------------

#[test]
fn write_creates_the_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let files = [
        file("index.html", "home"),
        file("briefings/x/index.html", "x"),
    ];
    let stats = write_site(&out, &files).unwrap();
    assert_eq!(
        stats,
        WriteStats {
            files: 2,
            bytes: 5,
            written: 2,
            unchanged: 0
        }
    );
    assert_eq!(tree(&out).len(), 2);
    assert_eq!(fs::read(out.join("briefings/x/index.html")).unwrap(), b"x");
    assert_eq!(siblings(tmp.path()), ["public"]);
}

#[test]
fn swap_leaves_no_stale_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    write_site(
        &out,
        &[file("index.html", "old"), file("gone/index.html", "gone")],
    )
    .unwrap();
    write_site(&out, &[file("index.html", "new"), file("new.html", "n")]).unwrap();
    let t = tree(&out);
    assert_eq!(t.keys().collect::<Vec<_>>(), ["index.html", "new.html"]);
    assert_eq!(t["index.html"], b"new");
    assert!(!out.join("gone").exists());
    assert_eq!(
        siblings(tmp.path()),
        ["public"],
        "no staging or old directory left"
    );
}

#[test]
fn failure_leaves_previous_output_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let previous = [file("index.html", "old"), file("a/index.html", "a")];
    write_site(&out, &previous).unwrap();
    let before = tree(&out);
    // `x` is a file, so `x/y.html` cannot be created under it.
    let bad = [
        file("index.html", "new"),
        file("x", "file"),
        file("x/y.html", "y"),
    ];
    assert!(write_site(&out, &bad).is_err());
    assert_eq!(tree(&out), before);
    assert_eq!(
        siblings(tmp.path()),
        ["public"],
        "staging directory removed"
    );
}

// --- pages written while rendered (Staging) ----------------------------------

#[test]
fn pages_put_into_staging_are_kept_by_the_write() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let staging = Staging::for_new_output(&out).expect("public does not exist yet");
    let put = staging.put("briefings/x/index.html", b"<p>x</p>").unwrap();
    assert!(put.is_on_disk());
    assert_eq!(
        put.file_path()
            .unwrap()
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .parent(),
        Some(staging.dir())
    );
    let files = [
        file("index.html", "home"),
        OutputFile {
            path: "briefings/x/index.html".into(),
            bytes: put.clone(),
        },
    ];
    let (stats, _) = write_site_tracked(&out, &files, &OnDisk::new(), None, Some(staging)).unwrap();
    assert_eq!((stats.files, stats.written, stats.bytes), (2, 2, 12));
    assert_eq!(
        tree(&out),
        BTreeMap::from([
            ("briefings/x/index.html".to_string(), b"<p>x</p>".to_vec()),
            ("index.html".to_string(), b"home".to_vec()),
        ])
    );
    assert_eq!(
        siblings(tmp.path()),
        ["public"],
        "the staging directory became public"
    );
    // The page was left where it was put: never read back into memory.
    assert!(put.is_on_disk());
}

#[test]
fn staging_is_only_for_a_new_output_directory_and_is_removed_when_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let staging = Staging::for_new_output(&out).unwrap();
    staging.put("a/b.html", b"b").unwrap();
    // A path written twice keeps its first page; paths that leave the
    // directory are refused.
    assert!(staging.put("a/b.html", b"other").is_err());
    assert_eq!(fs::read(staging.dir().join("a/b.html")).unwrap(), b"b");
    for bad in ["../escape.html", "/abs.html", "a/./b.html", "a//b.html", ""] {
        assert!(staging.put(bad, b"x").is_err(), "{bad:?}");
    }
    assert!(!tmp.path().join("escape.html").exists());
    drop(staging);
    assert!(
        siblings(tmp.path()).is_empty(),
        "a failed build leaves nothing"
    );
    fs::create_dir(&out).unwrap();
    assert!(Staging::for_new_output(&out).is_none());
}

#[test]
fn a_new_staging_directory_clears_those_of_builds_no_longer_running() {
    // A build killed outright (or a machine that stopped) cannot remove its
    // staging directory: the next build does, unless its process still runs.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let mut ended = std::process::Command::new("true").spawn().unwrap();
    let dead = ended.id();
    ended.wait().unwrap();
    let abandoned = tmp.path().join(format!(".public.tmp-{dead}-0"));
    fs::create_dir_all(abandoned.join("briefings")).unwrap();
    fs::write(abandoned.join("briefings/index.html"), "half").unwrap();
    // Process 1 always runs; another output's directory is not ours.
    let running = tmp.path().join(".public.tmp-1-0");
    let other_output = tmp.path().join(format!(".site.tmp-{dead}-0"));
    fs::create_dir(&running).unwrap();
    fs::create_dir(&other_output).unwrap();
    let staging = Staging::for_new_output(&out).unwrap();
    assert!(!abandoned.exists(), "the dead build's directory stayed");
    assert!(running.exists() && other_output.exists() && staging.dir().exists());
}

#[test]
fn staging_left_unused_when_the_output_appeared_meanwhile() {
    // Another process made the output directory after the pages were
    // rendered: it is updated in place with the staged pages' bytes.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let staging = Staging::for_new_output(&out).unwrap();
    let put = staging.put("x.html", b"staged").unwrap();
    fs::create_dir(&out).unwrap();
    fs::write(out.join("old.html"), "old").unwrap();
    let files = [OutputFile {
        path: "x.html".into(),
        bytes: put,
    }];
    write_site_tracked(&out, &files, &OnDisk::new(), None, Some(staging)).unwrap();
    assert_eq!(
        tree(&out),
        BTreeMap::from([("x.html".to_string(), b"staged".to_vec())])
    );
    assert_eq!(siblings(tmp.path()), ["public"]);
}

#[test]
fn unsafe_paths_are_refused_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    for bad in ["../escape.html", "/abs.html", "", "a//b", "a/./b", "dup"] {
        let mut files = vec![file(bad, "x")];
        if bad == "dup" {
            files.push(file("dup", "y"));
        }
        let err = write_site(&out, &files).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad}");
    }
    assert!(siblings(tmp.path()).is_empty());
}

#[test]
fn unchanged_files_keep_mtime() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    write_site(
        &out,
        &[
            file("same.html", "same"),
            file("changed.html", "v1"),
            file("d/same.css", "c"),
        ],
    )
    .unwrap();
    // Backdate the old files so a rewrite would be visible however coarse
    // the file system's clock is.
    let past = SystemTime::now() - Duration::from_secs(3600);
    for name in ["same.html", "changed.html", "d/same.css"] {
        fs::File::options()
            .write(true)
            .open(out.join(name))
            .unwrap()
            .set_modified(past)
            .unwrap();
    }
    let files = [
        file("same.html", "same"),
        file("changed.html", "v2"),
        file("d/same.css", "c"),
        file("added.html", "new"),
    ];
    let stats = write_site(&out, &files).unwrap();
    assert_eq!((stats.written, stats.unchanged, stats.files), (2, 2, 4));
    assert_eq!(mtime(&out.join("same.html")), past);
    assert_eq!(mtime(&out.join("d/same.css")), past);
    assert_ne!(mtime(&out.join("changed.html")), past);
    assert_eq!(fs::read(out.join("changed.html")).unwrap(), b"v2");
}

#[test]
fn incremental_result_equals_a_plain_write() {
    let tmp = tempfile::tempdir().unwrap();
    let files_v1 = [
        file("a.html", "1"),
        file("b/index.html", "2"),
        file("c.txt", "3"),
    ];
    let files_v2 = [
        file("a.html", "1"),
        file("b/index.html", "two"),
        file("d/e.html", "4"),
    ];
    let incremental = tmp.path().join("inc");
    write_site(&incremental, &files_v1).unwrap();
    write_site(&incremental, &files_v2).unwrap();
    let plain = tmp.path().join("plain");
    write_site(&plain, &files_v2).unwrap();
    assert_eq!(tree(&incremental), tree(&plain));
}

#[test]
fn an_update_touches_only_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    write_site(
        &out,
        &[
            file("index.html", "v1"),
            file("a/index.html", "a"),
            file("gone/deep/index.html", "g"),
        ],
    )
    .unwrap();
    let past = SystemTime::now() - Duration::from_secs(3600);
    for name in ["index.html", "a/index.html"] {
        fs::File::options()
            .write(true)
            .open(out.join(name))
            .unwrap()
            .set_modified(past)
            .unwrap();
    }
    let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&fs::metadata(p).unwrap());
    let a_inode = inode(&out.join("a/index.html"));
    let stats = write_site(
        &out,
        &[
            file("index.html", "v2"),
            file("a/index.html", "a"),
            file("b/c/index.html", "c"),
        ],
    )
    .unwrap();
    assert_eq!((stats.written, stats.unchanged), (2, 1));
    // The unchanged file is the same file, untouched.
    assert_eq!(inode(&out.join("a/index.html")), a_inode);
    assert_eq!(mtime(&out.join("a/index.html")), past);
    assert_ne!(mtime(&out.join("index.html")), past);
    let t = tree(&out);
    assert_eq!(
        t.keys().collect::<Vec<_>>(),
        ["a/index.html", "b/c/index.html", "index.html"]
    );
    assert!(
        !out.join("gone").exists(),
        "emptied directories are removed"
    );
    assert_eq!(siblings(tmp.path()), ["public"]);
}

#[test]
fn a_failed_update_leaves_the_previous_site() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    write_site(
        &out,
        &[file("index.html", "old"), file("a/index.html", "a")],
    )
    .unwrap();
    // A directory squats the temporary name of `a/index.html`'s new version,
    // so writing it fails after `index.html`'s new version was written.
    let squat = out.join(format!("a/.index.html.briefing-{}.tmp", std::process::id()));
    fs::create_dir(&squat).unwrap();
    let before = tree(&out);
    let err = write_site(
        &out,
        &[
            file("index.html", "new"),
            file("a/index.html", "changed"),
            file("n/index.html", "added"),
        ],
    );
    assert!(err.is_err());
    assert_eq!(tree(&out), before);
    assert!(
        !out.join("n").exists(),
        "directories made for the update are removed"
    );
    assert!(squat.is_dir());
}

#[test]
fn a_file_that_becomes_a_directory_rebuilds_the_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    write_site(&out, &[file("x", "file"), file("keep.html", "k")]).unwrap();
    write_site(&out, &[file("x/index.html", "dir"), file("keep.html", "k")]).unwrap();
    let t = tree(&out);
    assert_eq!(t.keys().collect::<Vec<_>>(), ["keep.html", "x/index.html"]);
    assert_eq!(siblings(tmp.path()), ["public"]);
}

#[test]
fn a_symlink_in_the_old_tree_is_never_written_through() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    write_site(&out, &[file("index.html", "old")]).unwrap();
    let outside = tmp.path().join("outside.txt");
    fs::write(&outside, "precious").unwrap();
    std::os::unix::fs::symlink(&outside, out.join("page.html")).unwrap();
    write_site(&out, &[file("index.html", "old"), file("page.html", "new")]).unwrap();
    assert_eq!(fs::read(&outside).unwrap(), b"precious");
    assert_eq!(fs::read(out.join("page.html")).unwrap(), b"new");
    assert!(!fs::symlink_metadata(out.join("page.html"))
        .unwrap()
        .is_symlink());
}

#[test]
fn out_dir_that_is_a_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    fs::write(&out, "not a dir").unwrap();
    assert!(write_site(&out, &[file("index.html", "x")]).is_err());
    assert_eq!(fs::read(&out).unwrap(), b"not a dir");
}

// --- check_links ------------------------------------------------------------

fn page(path: &str, body: &str) -> OutputFile {
    file(
        path,
        &format!("<!doctype html><html><body>{body}</body></html>"),
    )
}

fn reasons(broken: &[BrokenLink]) -> Vec<(&str, &str)> {
    broken
        .iter()
        .map(|b| (b.page.as_str(), b.link.as_str()))
        .collect()
}

fn sample_site(base: &str) -> Vec<OutputFile> {
    vec![
        page(
            "index.html",
            &format!(
                "<a href=\"{base}briefings/x/\">x</a> <a href=\"{base}briefings/x/#talks\">t</a>\
                 <a href=\"{base}\">home</a> <img src=\"{base}img/a%20b.png\" srcset=\"{base}img/a%20b.png 1x, {base}img/2x.png 2x\">\
                 <a href=\"#top\">top</a> <a href=\"#main\">main</a><main id=\"main\"></main>\
                 <a href=\"mailto:a@b.c\">m</a> <a href=\"tel:+1\">t</a> <a href=\"https://other.example/x\">o</a>\
                 <img src=\"data:image/png;base64,AA\"> <a href=\"//cdn.example/x.js\">cdn</a>"
            ),
        ),
        page("briefings/x/index.html", "<h2 id=\"talks\">Talks</h2><a href=\"../../\">up</a> <a href=\"../y/\">y</a> <a href=\"./#talks\">self</a>"),
        page("briefings/y/index.html", "<a name=\"old-anchor\"></a><a href=\"../x/index.html#talks\">x</a>"),
        file("img/a b.png", "png"),
        file("img/2x.png", "png"),
    ]
}

#[test]
fn valid_site_has_no_broken_links() {
    assert_eq!(check_links(&sample_site("/"), "/"), []);
}

#[test]
fn base_path_sub_path_is_handled() {
    assert_eq!(check_links(&sample_site("/briefs/"), "/briefs/"), []);
    // a root-relative link that forgot the base path misses the site
    let mut files = sample_site("/briefs/");
    files.push(page(
        "z.html",
        "<a href=\"/briefings/x/\">no base</a> <a href=\"/briefs\">root</a>",
    ));
    let broken = check_links(&files, "/briefs/");
    assert_eq!(reasons(&broken), [("z.html", "/briefings/x/")]);
    assert!(
        broken[0].reason.contains("base path"),
        "{}",
        broken[0].reason
    );
}

#[test]
fn broken_link_is_detected() {
    let mut files = sample_site("/");
    files.push(page(
        "z.html",
        "<a href=\"/briefings/missing/\">m</a> <img src='/img/none.png'> <a href=nope.html>r</a>",
    ));
    let broken = check_links(&files, "/");
    assert_eq!(
        reasons(&broken),
        [
            ("z.html", "/briefings/missing/"),
            ("z.html", "/img/none.png"),
            ("z.html", "nope.html")
        ]
    );
    assert!(
        broken[0].reason.contains("briefings/missing/index.html"),
        "{}",
        broken[0].reason
    );
}

#[test]
fn broken_anchor_is_detected() {
    let mut files = sample_site("/");
    files.push(page(
        "z.html",
        "<a href=\"/briefings/x/#nope\">a</a> <a href=\"#missing\">b</a> \
         <a href=\"/briefings/y/#old-anchor\">ok</a> <a href=\"/briefings/x/#talks\">ok</a>",
    ));
    let broken = check_links(&files, "/");
    assert_eq!(
        reasons(&broken),
        [("z.html", "#missing"), ("z.html", "/briefings/x/#nope")]
    );
    assert!(broken[1].reason.contains("`nope`"), "{}", broken[1].reason);
}

#[test]
fn relative_links_resolve_against_the_page_directory() {
    let files = [
        page("a/b/index.html", "<a href=\"../c/\">c</a> <a href=\"d.html?x=1#h\">d</a> <a href=\"../../../up\">too far</a>"),
        page("a/c/index.html", ""),
        page("a/b/d.html", "<h1 id=\"h\"></h1>"),
        page("a/e.html", "<a href=\"b\">dir without slash</a> <a href=\"%62/d.html\">encoded</a>"),
    ];
    let broken = check_links(&files, "/");
    assert_eq!(reasons(&broken), [("a/b/index.html", "../../../up")]);
}

#[test]
fn absolute_links_under_the_base_url_are_checked() {
    let mut files = sample_site("/briefs/");
    files.push(page(
        "z.html",
        "<link rel=\"canonical\" href=\"https://example.org/briefs/briefings/x/\">\
         <a href=\"https://example.org/briefs/gone/\">gone</a> <a href=\"https://example.org/elsewhere/\">other app</a>",
    ));
    let broken = check_links_with_base_url(&files, "/briefs/", "https://example.org/briefs/");
    assert_eq!(
        reasons(&broken),
        [("z.html", "https://example.org/briefs/gone/")]
    );
    // without the base URL, absolute links are not checked
    assert_eq!(check_links(&files, "/briefs/"), []);
}

#[test]
fn each_broken_link_is_reported_once_and_sorted() {
    let files = [
        page("b.html", "<a href=\"/x/\">1</a><a href=\"/x/\">2</a>"),
        page("a.html", "<a href=\"/y/\">1</a>"),
    ];
    let broken = check_links(&files, "/");
    assert_eq!(reasons(&broken), [("a.html", "/y/"), ("b.html", "/x/")]);
}

#[test]
fn a_memo_check_rescans_only_new_bytes_and_finds_what_a_full_check_finds() {
    let base = "https://e.org/";
    let mut memo = ScanMemo::default();
    let mut site = vec![
        page(
            "index.html",
            "<a href=\"/a/#talks\">a</a> <a href=\"/b/\">b</a>",
        ),
        page("a/index.html", "<h2 id=\"talks\">Talks</h2>"),
        page("b/index.html", "<a href=\"/\">home</a>"),
    ];
    let both = |site: &Vec<OutputFile>, memo: &mut ScanMemo| {
        let with = check_links_memo(site, "/", base, memo);
        assert_eq!(with, check_links_with_base_url(site, "/", base));
        with
    };
    assert!(both(&site, &mut memo).is_empty());
    // The target's anchor goes: the unchanged page linking to it, taken
    // from the memo, is reported.
    site[1] = page("a/index.html", "<h2 id=\"other\">Talks</h2>");
    assert_eq!(
        reasons(&both(&site, &mut memo)),
        [("index.html", "/a/#talks")]
    );
    // A page is removed: links to it break.
    site.pop();
    assert_eq!(reasons(&both(&site, &mut memo)).len(), 2);
    // A changed page is scanned again.
    site[0] = page("index.html", "<a href=\"/a/#other\">a</a>");
    assert!(both(&site, &mut memo).is_empty());
}

#[test]
fn files_read_back_this_build_are_not_compared_again() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    write_site(&out, &[file("a.html", "old a"), file("b.html", "old b")]).unwrap();
    // The caller vouches for `a.html` holding these very bytes (it read
    // them from there). To show the writer takes its word, the file says
    // otherwise: it is left alone. `b.html` is vouched for with another
    // allocation, so it is compared and rewritten as usual.
    let a = file("a.html", "new a");
    let b = file("b.html", "new b");
    let on_disk: OnDisk = [
        ("a.html".to_string(), a.bytes.address()),
        ("b.html".to_string(), Bytes::from("new b").address()),
    ]
    .into();
    let stats = write_site_known(&out, &[a, b], &on_disk).unwrap();
    assert_eq!((stats.written, stats.unchanged), (1, 1));
    let t = tree(&out);
    assert_eq!(t["a.html"], b"old a");
    assert_eq!(t["b.html"], b"new b");
}

// --- check_links_since --------------------------------------------------------

/// The incremental check of `files` after the checked build `before`;
/// asserts it finds what a full check finds, and returns that and the
/// new state (none when a link is broken).
fn check_since(before: &LinkState, files: &[OutputFile]) -> (Vec<BrokenLink>, Option<LinkState>) {
    let (broken, state) = check_links_since(
        files,
        Path::new("/out"),
        "/",
        "https://e.org/",
        Some(before),
    );
    assert_eq!(
        broken,
        check_links_with_base_url(files, "/", "https://e.org/"),
        "the incremental check finds what a full check finds"
    );
    assert_eq!(state.is_none(), !broken.is_empty());
    (broken, state)
}

fn first_state(files: &[OutputFile]) -> LinkState {
    let (broken, state) = check_links_since(files, Path::new("/out"), "/", "https://e.org/", None);
    assert_eq!(broken, []);
    state.unwrap()
}

#[test]
fn an_incremental_check_finds_what_a_full_check_finds() {
    let site = sample_site("/");
    let state = first_state(&site);

    // A changed page with a new broken link and a link to a missing anchor
    // of an unchanged page: found, though the unchanged pages are not read.
    let mut edited = site.clone();
    edited[1] = page(
        "briefings/x/index.html",
        "<h2 id=\"talks\">Talks</h2><a href=\"../gone/\">g</a> <a href=\"../y/#nowhere\">n</a> <a href=\"../y/#old-anchor\">o</a>",
    );
    let (broken, next) = check_since(&state, &edited);
    assert_eq!(
        reasons(&broken),
        [
            ("briefings/x/index.html", "../gone/"),
            ("briefings/x/index.html", "../y/#nowhere")
        ]
    );
    assert_eq!(next, None, "a failed check leaves no state to trust");

    // A page gone: the unchanged pages that linked to it are read again.
    let without_y: Vec<OutputFile> = site
        .iter()
        .filter(|f| f.path != "briefings/y/index.html")
        .cloned()
        .collect();
    let (broken, _) = check_since(&state, &without_y);
    assert_eq!(reasons(&broken), [("briefings/x/index.html", "../y/")]);

    // A changed page lost an anchor an unchanged page points to.
    let mut renamed = site.clone();
    renamed[1] = page(
        "briefings/x/index.html",
        "<h2 id=\"renamed\">Talks</h2><a href=\"../../\">up</a> <a href=\"../y/\">y</a>",
    );
    let (broken, _) = check_since(&state, &renamed);
    assert_eq!(
        reasons(&broken),
        [
            ("briefings/y/index.html", "../x/index.html#talks"),
            ("index.html", "/briefings/x/#talks")
        ]
    );

    // A page changed without breaking anything: a new state, from which
    // the same site checks clean again.
    let mut fixed = site.clone();
    fixed[1] = page(
        "briefings/x/index.html",
        "<h2 id=\"talks\">Talks, again</h2><a href=\"../y/#old-anchor\">o</a>",
    );
    let (broken, next) = check_since(&state, &fixed);
    assert_eq!(broken, []);
    let next = next.unwrap();
    assert_ne!(next, state);
    assert_eq!(check_since(&next, &fixed).1, Some(next.clone()));

    // A page changed behind the build's back (same path, other bytes) is
    // checked like any changed page.
    let mut tampered = site.clone();
    tampered[0] = page("index.html", "<a href=\"/nowhere/\">x</a>");
    let (broken, _) = check_since(&state, &tampered);
    assert_eq!(reasons(&broken), [("index.html", "/nowhere/")]);

    // Another output directory or base URL: nothing is taken as checked.
    let (broken, elsewhere) = check_links_since(
        &fixed,
        Path::new("/elsewhere"),
        "/",
        "https://e.org/",
        Some(&next),
    );
    assert_eq!(broken, []);
    assert_ne!(elsewhere, Some(next));
}

#[test]
fn the_link_state_round_trips_through_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let state = first_state(&sample_site("/"));
    state.save(dir.path()).unwrap();
    assert_eq!(LinkState::load(dir.path()), Some(state));
    fs::write(dir.path().join("links.txt"), "something else\n").unwrap();
    assert_eq!(LinkState::load(dir.path()), None);
}

/// Past the file system's clock tick, so that a change sets another
/// modification time (a few ms on some file systems).
fn next_tick() {
    std::thread::sleep(Duration::from_millis(20));
}

#[test]
fn a_recorded_tree_is_trusted_only_while_its_directories_are_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let cache = dir.path().join("cache");
    let first = vec![
        file("index.html", "home"),
        file("a/index.html", "a"),
        file("a/b/index.html", "b"),
        file("gone/index.html", "gone"),
    ];
    let (_, state) = write_site_tracked(&out, &first, &OnDisk::default(), None, None).unwrap();
    let state = state.unwrap();
    state.save(&cache).unwrap();
    let state = TreeState::load(&cache).unwrap();

    // From the recorded tree: a new page, a changed one, one gone.
    next_tick();
    let second = vec![
        file("index.html", "home"),
        file("a/index.html", "a2"),
        file("a/b/index.html", "b"),
        file("c/index.html", "c"),
    ];
    let (stats, state) =
        write_site_tracked(&out, &second, &OnDisk::default(), Some(&state), None).unwrap();
    assert_eq!(stats.written, 2);
    let expected: BTreeMap<String, Vec<u8>> = second
        .iter()
        .map(|f| (f.path.clone(), f.bytes.to_vec()))
        .collect();
    assert_eq!(tree(&out), expected);
    assert!(!out.join("gone").exists(), "its emptied directory went too");
    let state = state.unwrap();
    // The stamps it kept and the ones it took again are the tree's now.
    assert_eq!(
        TreeState::after_write(&out, &second, None).as_ref(),
        Some(&state)
    );

    // Somebody adds a file in the output: its directory's stamp moves, so
    // the tree is listed again and the stray file goes, as without a state.
    next_tick();
    fs::write(out.join("a/b/stray.html"), "stray").unwrap();
    let (_, _) = write_site_tracked(&out, &second, &OnDisk::default(), Some(&state), None).unwrap();
    assert_eq!(tree(&out), expected);

    // A state of another output directory is not used.
    let other = dir.path().join("other");
    write_site(&other, &second).unwrap();
    fs::write(other.join("stray.html"), "stray").unwrap();
    write_site_tracked(&other, &second, &OnDisk::default(), Some(&state), None).unwrap();
    assert!(!other.join("stray.html").exists());
}

#[test]
fn a_damaged_tree_state_does_not_load() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let (_, state) = write_site_tracked(
        &out,
        &[file("a/index.html", "a")],
        &OnDisk::default(),
        None,
        None,
    )
    .unwrap();
    state.unwrap().save(dir.path()).unwrap();
    let path = dir.path().join(tree::FILE);
    let text = fs::read_to_string(&path).unwrap();
    assert!(TreeState::load(dir.path()).is_some());
    fs::write(&path, text.replace("D ", "D x")).unwrap();
    assert_eq!(TreeState::load(dir.path()), None);
    fs::write(&path, "garbage\n").unwrap();
    assert_eq!(TreeState::load(dir.path()), None);
}
