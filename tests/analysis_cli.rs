//! `briefing analyze` end to end: the JSON contract, .txt titles, and a
//! parallel run of `analyze` over many documents.

use std::process::Command;

use briefing::analysis::{analyze, Aliases, AnalysisOptions, CorpusStats, Document};

const ARTICLE: &str = include_str!("../benches/article.txt");

#[test]
fn json_contract_on_a_folder_of_txt_and_md() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), ARTICLE.replace('\n', "\r\n")).unwrap();
    std::fs::write(
        dir.path().join("b.txt"),
        "The committee met for six hours on Monday and agreed a new timetable for the bridge repairs.\n\
         Work will start in spring.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("c.md"),
        "+++\ntitle = \"Ferry service resumes\"\n+++\n\nThe ferry to the islands runs again. \
         Repairs to the pier took four months.\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_briefing"))
        .args([
            "analyze",
            "--format",
            "json",
            "--summary-sentences",
            "2",
            "--key-issues",
            "4",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let briefings = v["briefings"].as_array().unwrap();
    assert_eq!(briefings.len(), 3);
    for b in briefings {
        for key in ["path", "title", "bottom_line"] {
            assert!(b[key].is_string(), "{key}");
        }
        assert!(b["summary"].as_array().unwrap().len() <= 2);
        assert!(b["key_issues"].as_array().unwrap().len() <= 4);
        for k in b["key_issues"].as_array().unwrap() {
            assert!(k["label"].is_string() && k["score"].is_number() && k["evidence"].is_string());
        }
        for e in b["entities"].as_array().unwrap() {
            let kind = e["kind"].as_str().unwrap();
            assert!(["person", "place", "organization", "group", "other"].contains(&kind));
            assert!(e["name"].is_string() && e["mentions"].is_u64());
        }
        for r in b["related"].as_array().unwrap() {
            assert!(r["path"].is_string() && r["score"].is_number());
            assert_ne!(r["path"], b["path"], "an article is not related to itself");
        }
    }
    // a.txt: the headline line is the title and not a summary sentence.
    let a = &briefings[0];
    assert_eq!(
        a["title"],
        "Arctic fishing talks end with a fragile quota deal"
    );
    for s in a["summary"].as_array().unwrap() {
        let s = s.as_str().unwrap();
        assert!(ARTICLE.contains(s), "not verbatim: {s}");
        assert!(!s.contains('\r'));
    }
    // b.txt: no headline, so a title is derived (at most 90 characters).
    let t = briefings[1]["title"].as_str().unwrap();
    assert!(!t.is_empty() && t.chars().count() <= 90, "{t}");
    // c.md: the front matter's title.
    assert_eq!(briefings[2]["title"], "Ferry service resumes");
}

#[test]
fn analyze_runs_in_parallel() {
    fn assert_sync<T: Sync + Send>() {}
    assert_sync::<CorpusStats>();
    assert_sync::<AnalysisOptions>();
    assert_sync::<Aliases>();
    let texts: Vec<String> = (0..32)
        .map(|i| ARTICLE.replace("mackerel", &format!("fish{i}")))
        .collect();
    let docs: Vec<Document> = texts
        .iter()
        .map(|t| Document {
            title: None,
            text: t,
        })
        .collect();
    let corpus = CorpusStats::from_documents(&docs);
    let options = AnalysisOptions::default();
    let aliases = Aliases::new();
    let serial: Vec<_> = docs
        .iter()
        .map(|d| analyze(d, &options, &corpus, &aliases))
        .collect();
    let parallel: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = docs
            .iter()
            .map(|d| s.spawn(|| analyze(d, &options, &corpus, &aliases)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(serial, parallel);
}

/// Articles inside a site are analysed with its `[aliases]`; the same
/// articles elsewhere are not.
#[test]
fn analyze_uses_the_aliases_of_the_site_the_paths_are_in() {
    let article = "+++\ntitle = \"Pier repairs\"\n+++\n\nThe Harbour Board approved the pier \
                   repairs on Monday. Engineers said the Harbour Board had waited too long.\n";
    let entities = |dir: &std::path::Path, path: &std::path::Path| -> Vec<String> {
        let out = Command::new(env!("CARGO_BIN_EXE_briefing"))
            .current_dir(dir)
            .args(["analyze", "--format", "json"])
            .arg(path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["briefings"][0]["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_string())
            .collect()
    };
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("site.toml"),
        "title = \"T\"\nbase_url = \"https://example.org/\"\n\n[aliases]\n\
         \"Harbour Board\" = \"Port Authority\"\n",
    )
    .unwrap();
    let briefings = site.path().join("content/briefings");
    std::fs::create_dir_all(&briefings).unwrap();
    std::fs::write(briefings.join("pier.md"), article).unwrap();
    // An absolute path inside the site, and a relative one from its root.
    for (cwd, path) in [
        (std::env::temp_dir(), briefings.clone()),
        (
            site.path().to_path_buf(),
            "content/briefings/pier.md".into(),
        ),
    ] {
        let got = entities(&cwd, &path);
        assert!(got.iter().any(|e| e == "Port Authority"), "{got:?}");
        assert!(!got.iter().any(|e| e == "Harbour Board"), "{got:?}");
    }
    // Outside any site: no aliases.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("pier.md"), article).unwrap();
    let got = entities(elsewhere.path(), &elsewhere.path().join("pier.md"));
    assert!(got.iter().any(|e| e == "Harbour Board"), "{got:?}");
}

/// A broken `site.toml` is a warning, not a failure: the articles are
/// still analysed, without aliases.
#[test]
fn analyze_warns_about_a_broken_site_toml() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("site.toml"), "titel = 3\n").unwrap();
    std::fs::write(site.path().join("a.txt"), "The pier reopened on Monday.\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_briefing"))
        .args(["analyze", "--format", "json"])
        .arg(site.path().join("a.txt"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("site.toml: warning:"), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["briefings"].as_array().unwrap().len(), 1);
}
