//! End to end: ingest the seed article and a saved news page into a site
//! made by `briefing init`, build it, and find both briefings rendered.

use std::path::Path;
use std::process::{Command, Output};

fn briefing(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_briefing"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/ingest/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn ingest_then_build_renders_both_briefings() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(briefing(tmp.path(), &["init", "site"]).status.success());
    let out = briefing(
        tmp.path(),
        &[
            "ingest",
            "--root",
            "site",
            &fixture("seed.txt"),
            &fixture("article.html"),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("date 2026-10-19 from the article"),
        "{stdout}"
    );
    assert!(
        stdout.contains("today in UTC; the article has no date"),
        "{stdout}"
    );

    let port = tmp
        .path()
        .join("site/content/briefings/2026-10-19-port-strike-halts-grain-exports.md");
    let page = read(&port);
    for key in [
        "title = ",
        "date = ",
        "author = \"Mara Lind\"",
        "bottom_line = ",
        "summary = [",
        "key_issues = ",
        "[source]",
        "[generated]",
        "content_hash = ",
    ] {
        assert!(page.contains(key), "missing {key}:\n{page}");
    }
    assert!(page.contains("url = \"https://harbour.example.com/news/port-strike-grain\""));
    for junk in [
        "Share on",
        "COMMENT-TEXT",
        "SPONSORED-CONTENT",
        "TRACKING-SCRIPT",
        "BUY CHEAP",
        "Most read",
        "Privacy",
    ] {
        assert!(!page.contains(junk), "{junk} leaked into:\n{page}");
    }
    for kept in [
        "*night-shift allowance*",
        "> We will not load",
        "[the latest export report](https://grain.example.org/report)",
        "**40 percent**",
        "- Rail deliveries",
    ] {
        assert!(page.contains(kept), "{kept} lost from:\n{page}");
    }

    let built = briefing(tmp.path(), &["build", "--root", "site"]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let html = read(
        &tmp.path()
            .join("site/public/briefings/port-strike-halts-grain-exports/index.html"),
    );
    assert!(html.contains("Port strike halts grain exports"));
    assert!(
        html.contains("Dock workers at the country"),
        "summary missing"
    );
    let seed_dir = std::fs::read_dir(tmp.path().join("site/public/briefings"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("delicate-diplomatic"))
        .expect("the seed briefing is rendered");
    let seed_html = read(&seed_dir.join("index.html"));
    assert!(seed_html.contains("senior officials from the United States and Iran"));
    // Its key issues and entities, computed at ingest, are rendered with it.
    assert!(
        seed_html.contains("class=\"issue-label\""),
        "key issues missing"
    );
    for entity in ["Oman", "Muscat", "Tehran"] {
        assert!(
            seed_html.contains(&format!(">{entity}<")),
            "{entity} missing"
        );
    }
    assert!(stdout.contains("the article has no title: one was derived from the text"));
}
