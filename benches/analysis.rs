//! Benchmark of the text analysis: one ~800-word news article (written for
//! this project), analysed alone and with corpus statistics; plus the cost
//! of building corpus statistics. Run with `cargo bench --bench analysis`.

use briefing::analysis::{analyze, Aliases, AnalysisOptions, CorpusStats, Document};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

const ARTICLE: &str = include_str!("article.txt");

fn bench(c: &mut Criterion) {
    let doc = Document {
        title: None,
        text: ARTICLE,
    };
    let options = AnalysisOptions::default();
    let aliases = Aliases::new();
    let empty = CorpusStats::default();
    c.bench_function("analyze_800_words", |b| {
        b.iter(|| analyze(black_box(&doc), &options, &empty, &aliases))
    });
    // A corpus of 50 copies with varied paragraphs stands in for a site.
    let paragraphs: Vec<&str> = ARTICLE.split("\n\n").collect();
    let texts: Vec<String> = (0..50)
        .map(|i| {
            let mut p = paragraphs.clone();
            p.rotate_left(i % paragraphs.len());
            p.truncate(1 + i % paragraphs.len());
            p.join("\n\n")
        })
        .collect();
    let docs: Vec<Document> = texts
        .iter()
        .map(|t| Document {
            title: None,
            text: t,
        })
        .collect();
    let corpus = CorpusStats::from_documents(&docs);
    c.bench_function("analyze_800_words_with_corpus", |b| {
        b.iter(|| analyze(black_box(&doc), &options, &corpus, &aliases))
    });
    c.bench_function("corpus_stats_50_docs", |b| {
        b.iter(|| CorpusStats::from_documents(black_box(&docs)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
