//! `briefing ingest` through the real binary: each input kind, repeat runs,
//! --force keeping edits, --dry-run, and every bad input's message.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_briefing"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A temp dir holding a site made by `briefing init` under `site/`.
fn new_site() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(run_in(tmp.path(), &["init", "site"], b"").code, 0);
    tmp
}

fn ingest(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["ingest", "--root", "site"];
    args.extend_from_slice(extra);
    run_in(dir, &args, b"")
}

fn put(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ingest")
        .join(name)
}

fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}

fn briefing_file(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join("site/content/briefings").join(name)).unwrap()
}

const ARTICLE: &str = "Port strike halts exports\n\nBy Mara Lind\n\nDock workers walked out on Monday, halting grain exports.\n\nThe union wants its night-shift allowance back.\n";

#[test]
fn plain_text_with_headline_and_byline() {
    let tmp = new_site();
    put(tmp.path(), "a.txt", ARTICLE.as_bytes());
    let r = ingest(tmp.path(), &["--date", "2026-11-03", "a.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "created content/briefings/2026-11-03-port-strike-halts-exports.md from a.txt (date 2026-11-03 from --date)\n"
    );
    let f = briefing_file(tmp.path(), "2026-11-03-port-strike-halts-exports.md");
    assert!(f.starts_with("+++\ntitle = \"Port strike halts exports\"\ndate = 2026-11-03\nauthor = \"Mara Lind\"\n"), "{f}");
    assert!(
        f.contains("bottom_line = \"Dock workers walked out on Monday, halting grain exports.\"")
    );
    assert!(f.ends_with("+++\n\nDock workers walked out on Monday, halting grain exports.\n\nThe union wants its night-shift allowance back.\n"), "{f}");
}

#[test]
fn markdown_with_front_matter_and_source_flags() {
    let tmp = new_site();
    put(
        tmp.path(),
        "b.md",
        b"+++\ntitle = \"Talks resume\"\ndate = 2026-03-04\ntags = [\"iran\"]\n+++\n\nNegotiators met *again* in [Geneva](https://example.org/g).\n\n> A quote.\n",
    );
    let r = ingest(
        tmp.path(),
        &[
            "--source-name",
            "Desk",
            "--source-url",
            "https://desk.example/x",
            "b.md",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("date 2026-03-04 from the article"),
        "{}",
        r.stdout
    );
    let f = briefing_file(tmp.path(), "2026-03-04-talks-resume.md");
    assert!(f.contains("tags = [\"iran\"]"));
    assert!(
        f.contains("[source]\nname = \"Desk\"\nurl = \"https://desk.example/x\"\n"),
        "{f}"
    );
    assert!(
        f.contains("Negotiators met *again* in [Geneva](https://example.org/g).\n\n> A quote.\n")
    );
}

#[test]
fn markdown_without_front_matter_takes_its_heading() {
    let tmp = new_site();
    put(
        tmp.path(),
        "c.md",
        b"# Floods in the valley\n\nRivers rose overnight. Roads were closed.\n",
    );
    let r = ingest(tmp.path(), &["--date", "2026-05-01", "c.md"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let f = briefing_file(tmp.path(), "2026-05-01-floods-in-the-valley.md");
    assert!(f.contains("title = \"Floods in the valley\""));
    assert!(f.ends_with("+++\n\nRivers rose overnight. Roads were closed.\n"));
}

#[test]
fn html_page_metadata_and_main_content() {
    let tmp = new_site();
    let r = ingest(tmp.path(), &[fixture("article.html").to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let f = briefing_file(tmp.path(), "2026-10-19-port-strike-halts-grain-exports.md");
    assert!(
        f.contains("date = 2026-10-19T07:30:00Z\nauthor = \"Mara Lind\"\n"),
        "{f}"
    );
    assert!(f.contains("[source]\nname = \"The Harbour Times\"\nurl = \"https://harbour.example.com/news/port-strike-grain\"\n"));
    assert!(!f.contains("COMMENT-TEXT") && !f.contains("Share on") && !f.contains("SPONSORED"));
}

#[test]
fn standard_input_and_dateline() {
    let tmp = new_site();
    let text = b"Talks resume in Geneva\nGENEVA, March 4, 2026 \xE2\x80\x94 Negotiators met again on Wednesday.\n";
    let r = run_in(tmp.path(), &["ingest", "--root", "site", "-"], text);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "created content/briefings/2026-03-04-talks-resume-in-geneva.md from <stdin> (date 2026-03-04 from the article)\n"
    );
}

#[test]
fn windows_1252_text_is_decoded() {
    let tmp = new_site();
    put(
        tmp.path(),
        "w.txt",
        b"Caf\xe9 owners protest\n\nOwners of caf\xe9s said \x93enough\x94 on Monday.\n",
    );
    let r = ingest(tmp.path(), &["--date", "2026-01-02", "w.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("; decoded as Windows-1252)"),
        "{}",
        r.stdout
    );
    let f = briefing_file(tmp.path(), "2026-01-02-cafe-owners-protest.md");
    assert!(f.contains("Owners of cafés said “enough” on Monday."));
}

#[test]
fn rerunning_changes_nothing() {
    let tmp = new_site();
    put(tmp.path(), "a.txt", ARTICLE.as_bytes());
    let html = fixture("article.html");
    let args = ["--date", "2026-11-03", "a.txt", html.to_str().unwrap()];
    assert_eq!(ingest(tmp.path(), &args).code, 0);
    let before = tree(tmp.path());
    let again = ingest(tmp.path(), &args);
    assert_eq!(again.code, 0);
    assert_eq!(
        again.stdout.lines().next().unwrap(),
        "skipped a.txt: already ingested as content/briefings/2026-11-03-port-strike-halts-exports.md; use --force to refresh it"
    );
    assert_eq!(tree(tmp.path()), before);
    let forced = ingest(tmp.path(), &[&["--force"], &args[..]].concat());
    assert_eq!(forced.code, 0);
    assert!(
        forced.stdout.starts_with(
            "unchanged content/briefings/2026-11-03-port-strike-halts-exports.md from a.txt\n"
        ),
        "{}",
        forced.stdout
    );
    assert_eq!(tree(tmp.path()), before);
}

#[test]
fn same_article_reformatted_is_a_duplicate() {
    let tmp = new_site();
    put(tmp.path(), "a.txt", ARTICLE.as_bytes());
    put(
        tmp.path(),
        "b.txt",
        ARTICLE
            .replace("\n\n", "\n  \n\n")
            .replace(" on ", "   on\n")
            .as_bytes(),
    );
    let r = ingest(tmp.path(), &["a.txt", "b.txt"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .ends_with("skipped b.txt: the same article as a.txt\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn force_keeps_editor_changes() {
    let tmp = new_site();
    put(tmp.path(), "a.txt", ARTICLE.as_bytes());
    assert_eq!(
        ingest(tmp.path(), &["--date", "2026-11-03", "a.txt"]).code,
        0
    );
    let name = "2026-11-03-port-strike-halts-exports.md";
    let path = tmp.path().join("site/content/briefings").join(name);
    let original = std::fs::read_to_string(&path).unwrap();
    let edited = original
        .replace(
            "title = \"Port strike halts exports\"",
            "title = \"Dockers strike\"",
        )
        .replace(
            "allowance back.\n",
            "allowance back. Talks resume Friday.\n",
        );
    std::fs::write(&path, &edited).unwrap();
    // A new run with another date changes the generated date; the edits stay.
    let r = ingest(tmp.path(), &["--force", "--date", "2026-11-04", "a.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        format!("updated content/briefings/{name} from a.txt (date 2026-11-04 from --date; kept the editor's title, body)\n")
    );
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(after.contains("title = \"Dockers strike\""));
    assert!(after.contains("date = 2026-11-04\n"));
    assert!(after.contains("allowance back. Talks resume Friday.\n"));
}

#[test]
fn dry_run_writes_nothing() {
    let tmp = new_site();
    put(tmp.path(), "a.txt", ARTICLE.as_bytes());
    let before = tree(tmp.path());
    let r = ingest(tmp.path(), &["--dry-run", "--date", "2026-11-03", "a.txt"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("would create content/briefings/2026-11-03-port-strike-halts-exports.md from a.txt (date 2026-11-03 from --date)\n+++\ntitle = "), "{}", r.stdout);
    assert_eq!(tree(tmp.path()), before);
}

#[test]
fn bad_inputs_each_get_one_message_and_the_rest_go_on() {
    let tmp = new_site();
    put(tmp.path(), "good.txt", ARTICLE.as_bytes());
    put(tmp.path(), "empty.txt", b"");
    put(
        tmp.path(),
        "binary.txt",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    );
    put(tmp.path(), "bad.txt", b"Bad \x81\x8d bytes\n");
    put(tmp.path(), "nav.html", b"<html><head><title>Home</title></head><body><nav><a href=\"/\">Home</a> <a href=\"/a\">About</a></nav></body></html>");
    put(tmp.path(), "big.txt", &b"word ".repeat(300));
    let before = tree(tmp.path());
    let r = ingest(
        tmp.path(),
        &[
            "--max-bytes",
            "1000",
            "--date",
            "2026-11-03",
            "empty.txt",
            "binary.txt",
            "bad.txt",
            "nav.html",
            "big.txt",
            "missing.txt",
            "good.txt",
        ],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "big.txt: error: the file is 1500 bytes, over the limit of 1000 bytes (raise it with --max-bytes)\n\
         missing.txt: error: cannot read: No such file or directory (os error 2)\n\
         empty.txt: error: the file is empty\n\
         binary.txt: error: the file is binary, not text\n\
         bad.txt: error: the file is not valid UTF-8 (invalid byte at offset 4) and does not look like Windows-1252 text; save it as UTF-8\n\
         nav.html: error: no article found in the HTML page\n\
         error: 6 of 7 inputs could not be ingested\n"
    );
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    let after = tree(tmp.path());
    assert_eq!(after.len(), before.len() + 1, "only good.txt was written");
}
