//! Linking benchmark: `cargo bench --bench linking [-- COUNT [RUNS]]`.
//!
//! A plain timing harness (no criterion, to keep the dependency tree small):
//! links a deterministic synthetic corpus (default 10,000 briefings of about
//! 250 words, see `briefing::linking::synthetic`) several times per
//! `related_scope` and prints min / median / max wall-clock time.

use std::time::Instant;

use briefing::config::{DigestPeriod, RelatedScope};
use briefing::linking::{self, synthetic, LinkOptions};

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let count = args.first().copied().unwrap_or(10_000);
    let runs = args.get(1).copied().unwrap_or(7).max(1);
    let corpus = synthetic::corpus(count, 1);
    let words: usize = corpus.iter().map(|b| b.text.split(' ').count()).sum();
    println!(
        "linking {count} briefings ({words} words), {runs} runs, {} threads",
        rayon::current_num_threads()
    );
    for scope in [RelatedScope::Past, RelatedScope::All] {
        let options = LinkOptions {
            timezone: chrono_tz::UTC,
            digest_period: DigestPeriod::Day,
            related_briefings: 3,
            related_scope: scope,
            hub_min_briefings: 2,
            curated_issues: Vec::new(),
            inline_links: 5,
        };
        let mut times = Vec::with_capacity(runs);
        let mut related = 0;
        for _ in 0..runs {
            let input = corpus.clone();
            let start = Instant::now();
            let model = linking::link(input, &options);
            times.push(start.elapsed().as_secs_f64());
            related = model.related.iter().map(|l| l.len()).sum();
        }
        times.sort_by(f64::total_cmp);
        println!(
            "scope {scope:?}: min {:.3} s, median {:.3} s, max {:.3} s ({related} related links)",
            times[0],
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
}
