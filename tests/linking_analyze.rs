//! `briefing analyze` fills `related` with the most similar other articles.

use std::process::Command;

#[test]
fn analyze_lists_related_articles_by_path_with_scores() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("rates-1.txt", "Central bank lifts rates\n\nThe central bank raised interest rates again to curb inflation.\nEconomists expect further rate rises.\n"),
        ("cup-1.txt", "Club wins the cup\n\nThe club won the cup final on penalties.\nIts striker scored twice in the final.\n"),
        ("rates-2.txt", "Inflation drives rate rise\n\nInflation pushed the central bank to another interest rate rise.\nMortgage rates will follow.\n"),
        ("cup-2.txt", "Striker stars in final\n\nA young striker scored the winner as the club lifted the cup.\nFans celebrated the final.\n"),
        ("rates-3.txt", "Rates stay high\n\nBank economists expect interest rates to stay high while inflation lasts.\n"),
    ];
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_briefing"))
        .args(["analyze", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let briefings = json["briefings"].as_array().unwrap();
    assert_eq!(briefings.len(), 5);
    for b in briefings {
        let path = b["path"].as_str().unwrap();
        let topic = if path.contains("rates") {
            "rates"
        } else {
            "cup"
        };
        let related = b["related"].as_array().unwrap();
        assert!(
            !related.is_empty() && related.len() <= 3,
            "{path}: {related:?}"
        );
        let first = related[0]["path"].as_str().unwrap();
        assert_ne!(first, path);
        assert!(first.contains(topic), "{path} -> {first}");
        let scores: Vec<f64> = related
            .iter()
            .map(|r| r["score"].as_f64().unwrap())
            .collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "{path}: {scores:?}"
        );
    }
}
