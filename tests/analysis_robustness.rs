//! The analysis never panics and gives sensible output on odd input:
//! explicit cases plus property tests over arbitrary Unicode.

use briefing::analysis::{
    analyze, derive_title, split_sentences, Aliases, Analysis, AnalysisOptions, CorpusStats,
    Document,
};
use proptest::prelude::*;

fn run(text: &str) -> Analysis {
    let doc = Document { title: None, text };
    analyze(
        &doc,
        &AnalysisOptions::default(),
        &CorpusStats::default(),
        &Aliases::new(),
    )
}

/// Every summary sentence and the bottom line are verbatim pieces of the text.
fn check_invariants(text: &str, a: &Analysis, options: &AnalysisOptions) {
    assert!(a.summary.len() <= options.summary_sentences);
    assert!(a.key_issues.len() <= options.key_issues);
    for s in &a.summary {
        assert!(
            text.contains(s.as_str()),
            "summary sentence not in text: {s:?}"
        );
    }
    assert!(text.contains(a.bottom_line.as_str()));
    for k in &a.key_issues {
        assert!(!k.label.trim().is_empty());
        assert!(k.score.is_finite());
    }
    for e in &a.entities {
        assert!(e.mentions > 0 && !e.name.is_empty());
    }
    let title = a.derived_title.as_deref().unwrap_or("");
    assert!(title.chars().count() <= 150);
}

#[test]
fn empty_text() {
    let a = run("");
    assert!(a.summary.is_empty() && a.key_issues.is_empty() && a.entities.is_empty());
    assert_eq!(a.bottom_line, "");
    assert_eq!(a.derived_title.as_deref(), Some(""));
}

#[test]
fn one_sentence() {
    let text = "The river burst its banks near the old mill after a week of rain.";
    let a = run(text);
    assert_eq!(a.summary, vec![text.to_string()]);
    assert_eq!(a.bottom_line, text);
    assert!(!a.key_issues.is_empty());
}

#[test]
fn only_a_table_or_a_list() {
    let table = "| region | output |\n|---|---|\n| north | 12 |\n| south | 9 |\n";
    check_invariants(table, &run(table), &AnalysisOptions::default());
    let list = "- apples\n- pears\n- plums\n- cherries\n";
    check_invariants(list, &run(list), &AnalysisOptions::default());
}

#[test]
fn no_punctuation_all_capitals_and_foreign_text() {
    for text in [
        "the mayor opened the new bridge and the crowd cheered and the band played on",
        "STORM HITS COAST. THOUSANDS WITHOUT POWER AS WINDS TOPPLE TREES. SCHOOLS CLOSED.",
        "Der Bundestag hat am Donnerstag ein neues Gesetz beschlossen. Die Opposition protestierte.",
        "東京の株価は上昇した。円は下落した。",
        "Москва и Киев провели переговоры. Итоги не объявлены.",
    ] {
        let a = run(text);
        check_invariants(text, &a, &AnalysisOptions::default());
    }
    // Shouted text yields no entities made of every capitalised word.
    let a = run("STORM HITS COAST. THOUSANDS WITHOUT POWER AS WINDS TOPPLE TREES.");
    assert!(a.entities.is_empty(), "{:?}", a.entities);
}

#[test]
fn one_megabyte_of_text() {
    let paragraph = "Officials in the capital said the new budget would raise spending on schools by 4.5% next year. Critics argued that the plan relied on optimistic growth forecasts. ";
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 1_000_000 {
        text.push_str(paragraph);
        if i % 3 == 0 {
            text.push('\n');
        }
        i += 1;
    }
    let start = std::time::Instant::now();
    let a = run(&text);
    check_invariants(&text, &a, &AnalysisOptions::default());
    assert_eq!(a.summary.len(), 3);
    // Generous bound for an unoptimised build: the analysis is ~linear.
    assert!(start.elapsed().as_secs() < 60);
}

#[test]
fn large_k_and_zero_k() {
    let text = "First point here. Second point there. Third point everywhere.";
    let doc = Document {
        title: Some("Points"),
        text,
    };
    let corpus = CorpusStats::default();
    let big = AnalysisOptions {
        summary_sentences: 100,
        key_issues: 100,
    };
    let a = analyze(&doc, &big, &corpus, &Aliases::new());
    assert_eq!(a.summary.len(), 3);
    assert_eq!(a.derived_title, None);
    let zero = AnalysisOptions {
        summary_sentences: 0,
        key_issues: 0,
    };
    let a = analyze(&doc, &zero, &corpus, &Aliases::new());
    assert!(a.summary.is_empty() && a.key_issues.is_empty());
}

#[test]
fn deterministic() {
    let text = include_str!("../benches/article.txt");
    assert_eq!(run(text), run(text));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn never_panics_on_random_unicode(text in "\\PC{0,400}") {
        let a = run(&text);
        check_invariants(&text, &a, &AnalysisOptions::default());
        let _ = split_sentences(&text);
        let g = derive_title(&text);
        prop_assert!(g.body_start <= text.len());
        prop_assert!(text.is_char_boundary(g.body_start));
    }

    #[test]
    fn never_panics_on_wordy_noise(
        words in proptest::collection::vec(
            prop_oneof![
                Just("the"), Just("U.S."), Just("Mr."), Just("3.5%"), Just("Iran"),
                Just("(Reuters)"), Just("-"), Just("\n"), Just("\n\n"), Just("..."),
                Just("\"Yes.\""), Just("sanctions"), Just("relief"), Just("Dr."), Just("’s"),
                Just("É"), Just("?"), Just("New"), Just("York"), Just(","),
            ],
            0..120,
        ),
        k in 0usize..6,
        n in 0usize..12,
    ) {
        let text = words.join(" ");
        let doc = Document { title: None, text: &text };
        let options = AnalysisOptions { summary_sentences: k, key_issues: n };
        let corpus = CorpusStats::from_documents(&[doc, doc, doc]);
        let a = analyze(&doc, &options, &corpus, &Aliases::new());
        check_invariants(&text, &a, &options);
    }
}
