//! Extractive summary and bottom line.
//!
//! 1. Sentence centrality with TextRank (Mihalcea & Tarau 2004): a graph whose
//!    nodes are sentences and whose edges weigh the overlap of their stemmed
//!    content words, normalised by the log of their lengths; PageRank (Brin &
//!    Page 1998, damping 0.85) over it. To stay linear in the length of the
//!    text, a sentence is linked only to the [`WINDOW`] sentences on each side.
//! 2. Priors: news puts the most important facts first (the "inverted
//!    pyramid"; the lead baseline is hard to beat, cf. Nenkova 2005), so
//!    earlier sentences get a bonus; fragments of a few words get a malus.
//!    (A bonus for sentences sharing words with the title, Edmundson 1969,
//!    was tried and lowered ROUGE on the development split: news titles are
//!    short and often punning, so it is not used.)
//! 3. Maximal Marginal Relevance (Carbonell & Goldstein 1998) picks k
//!    sentences, trading score against similarity to those already picked, so
//!    the summary covers more than one fact. They are returned in document
//!    order.

use super::tokens::Prepared;

/// Sentences linked on each side in the TextRank graph.
const WINDOW: usize = 150;
/// PageRank damping factor (Brin & Page 1998; used by TextRank as is).
const DAMPING: f64 = 0.85;
/// MMR trade-off: weight of relevance against redundancy.
const MMR_LAMBDA: f64 = 0.75;

pub struct Ranked {
    /// Final score of every sentence.
    pub scores: Vec<f64>,
    /// Stemmed content words of every sentence, sorted, without repeats.
    pub stems: Vec<Vec<u32>>,
}

/// Scores every sentence of the document.
pub fn rank(p: &Prepared) -> Ranked {
    let n = p.sentences.len();
    let mut stems: Vec<Vec<u32>> = Vec::with_capacity(n);
    let mut lengths: Vec<usize> = Vec::with_capacity(n);
    for i in 0..n {
        let toks = p.sentence_tokens(i);
        let mut s: Vec<u32> = toks
            .iter()
            .map(|t| p.word(t))
            .filter(|w| !w.stop)
            .map(|w| w.stem)
            .collect();
        lengths.push(s.len());
        s.sort_unstable();
        s.dedup();
        stems.push(s);
    }
    let centrality = textrank(&stems, &lengths);
    let max_c = centrality.iter().cloned().fold(0.0, f64::max);
    let scores = (0..n)
        .map(|i| {
            let c = if max_c > 0.0 {
                centrality[i] / max_c
            } else {
                0.0
            };
            // Lead bonus, decaying with the position.
            let position = 1.0 + 0.35 / (1.0 + i as f64).sqrt();
            // Fragments (headings, captions, list items) rarely make a good
            // summary sentence.
            let len = lengths[i];
            let length = if len < 4 {
                0.4 + 0.15 * len as f64
            } else {
                1.0
            };
            c * position * length
        })
        .collect();
    Ranked { scores, stems }
}

/// Number of common items of two sorted lists.
pub fn overlap(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

fn textrank(stems: &[Vec<u32>], lengths: &[usize]) -> Vec<f64> {
    let n = stems.len();
    if n == 0 {
        return Vec::new();
    }
    // Edge weights, stored per node as (neighbour, weight).
    let mut edges: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for i in 0..n {
        let hi = (i + WINDOW + 1).min(n);
        for j in i + 1..hi {
            let common = overlap(&stems[i], &stems[j]);
            if common == 0 {
                continue;
            }
            // Mihalcea & Tarau's similarity: |Si ∩ Sj| / (log|Si| + log|Sj|);
            // ln(1 + x) keeps one-word sentences finite.
            let w =
                common as f64 / ((1.0 + lengths[i] as f64).ln() + (1.0 + lengths[j] as f64).ln());
            edges[i].push((j, w));
            edges[j].push((i, w));
        }
    }
    let out_weight: Vec<f64> = edges.iter().map(|e| e.iter().map(|x| x.1).sum()).collect();
    let mut score = vec![1.0; n];
    let mut next = vec![0.0; n];
    for _ in 0..50 {
        for i in 0..n {
            let mut s = 0.0;
            for &(j, w) in &edges[i] {
                if out_weight[j] > 0.0 {
                    s += w / out_weight[j] * score[j];
                }
            }
            next[i] = (1.0 - DAMPING) + DAMPING * s;
        }
        let delta: f64 = score
            .iter()
            .zip(&next)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        std::mem::swap(&mut score, &mut next);
        if delta < 1e-7 {
            break;
        }
    }
    score
}

/// Cosine similarity of two sets of stems.
fn cosine(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    overlap(a, b) as f64 / ((a.len() * b.len()) as f64).sqrt()
}

/// Picks k sentences by MMR; returns their indices in document order.
pub fn select(ranked: &Ranked, k: usize) -> Vec<usize> {
    let n = ranked.scores.len();
    let k = k.min(n);
    let max_s = ranked.scores.iter().cloned().fold(0.0, f64::max);
    let norm = |i: usize| {
        if max_s > 0.0 {
            ranked.scores[i] / max_s
        } else {
            0.0
        }
    };
    let mut chosen = vec![false; n];
    let mut redundancy = vec![0.0f64; n];
    let mut picked = Vec::with_capacity(k);
    for _ in 0..k {
        let mut best: Option<(f64, usize)> = None;
        for i in 0..n {
            if chosen[i] {
                continue;
            }
            let v = MMR_LAMBDA * norm(i) - (1.0 - MMR_LAMBDA) * redundancy[i];
            // Strictly greater: ties go to the earlier sentence.
            if best.is_none_or(|(b, _)| v > b) {
                best = Some((v, i));
            }
        }
        let Some((_, s)) = best else { break };
        chosen[s] = true;
        picked.push(s);
        for i in 0..n {
            if !chosen[i] {
                let c = cosine(&ranked.stems[i], &ranked.stems[s]);
                if c > redundancy[i] {
                    redundancy[i] = c;
                }
            }
        }
    }
    picked.sort_unstable();
    picked
}

/// The single most informative sentence: best score, earliest on ties.
pub fn bottom_line(ranked: &Ranked) -> Option<usize> {
    let mut best: Option<(f64, usize)> = None;
    for (i, &s) in ranked.scores.iter().enumerate() {
        if best.is_none_or(|(b, _)| s > b) {
            best = Some((s, i));
        }
    }
    best.map(|b| b.1)
}
