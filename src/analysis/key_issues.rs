//! Key issues: the topics a document is about, as short readable phrases.
//!
//! Candidates come from a chunker in the manner of RAKE (Rose et al. 2010):
//! maximal runs of words that contain no stop word and no punctuation; a 1-
//! to 3-word span of a run is a candidate when it is a noun phrase by the
//! lexicon-based word-class guess of [`super::pos`]: modifiers (adjectives,
//! nouns, numbers, participles such as "frozen") then a word read as a noun
//! in its context ("the talks", not "they talk"); no weak word starts or
//! ends it (or stands inside it, uncapitalised). Verbs ("seeks", "warned"),
//! adverbs and bare adjectives are never labels, nor are fragments such as
//! "review their" or "said on Thursday". A word found in every document of
//! the corpus is not a candidate on its own.
//!
//! Scoring is TF × IDF (Salton & Buckley 1988) over stemmed terms, with the
//! site's document frequencies when a corpus is given (terms that appear
//! everywhere weigh less) and a position weight (words that come early in a
//! news story are more often its topic; cf. YAKE, Campos et al. 2020, and the
//! lead bias of news). A phrase scores the mean of its words' weights times a
//! factor that grows when it recurs as a unit, in the document and across
//! the site: a term phrase (its modifiers classify its head) that a large
//! share of the site's other documents use as a unit is one of the site's
//! subjects ("uranium enrichment", "sanctions relief" on a site that
//! follows one negotiation), the hubs that link its briefings, even where
//! a document mentions it once; IDF alone would bury it under words only
//! that document uses ("attempt", "maneuver"). Selection is greedy with a
//! coverage discount (the redundancy idea of MMR, Carbonell & Goldstein
//! 1998), so the labels spread over different words; a mix of strong single
//! words and 2–3-word phrases results. A bonus for title words was tried and
//! lowered accuracy on the development split, so [`Params::title`] is 1.

use super::corpus::{counted, CorpusStats, MIN_DOCUMENTS};
use super::pos::{
    adverb, classifying, conjunction, is_determiner, lex, noun_context, plural, verb_context, Lex,
};
use super::summary::overlap;
use super::tokens::{FastMap, Prepared, Tok};
use super::KeyIssue;

struct Candidate {
    stems: Vec<u32>,
    count: u32,
    /// First sentence it occurs in (0 for the title).
    first_sentence: usize,
    in_title: bool,
    /// First occurrence: source (0 = title, s + 1 = sentence s), index of
    /// its first token in that source, number of words. Labels are rendered
    /// from it only for the chosen candidates.
    at: (usize, usize, usize),
    /// Its modifiers classify the head ("nuclear program", "uranium
    /// enrichment", "2015 deal"), rather than describe it ("significant
    /// attempt", "struggling currency").
    term: bool,
    /// Site evidence of a term phrase: the share of the corpus's other
    /// documents that use it as a unit, times its cohesion (documents
    /// with the phrase over documents with its rarest word: 1 when the
    /// words never occur apart). 0 for single words, names, non-terms and
    /// without corpus statistics.
    site: f64,
    /// Creation order = order of first occurrence (shorter first at the
    /// same start); the deterministic tie-break.
    order: usize,
}

/// Can this word be part of a candidate at all?
fn usable(p: &Prepared, t: &Tok) -> bool {
    let w = p.word(t);
    !w.stop && counted(&w.lower) && w.lower.len() <= 40
}

/// May this word start a phrase? Not a weak word nor an adverb.
fn can_start(p: &Prepared, t: &Tok) -> bool {
    let w = p.word(t);
    !(w.weak || adverb(&w.lower))
}

/// May this word end a phrase? Not a weak word, a number or a single
/// character: English noun phrases end with their head noun (whether it is
/// a noun is [`Classes::head`]'s question).
fn can_end(p: &Prepared, t: &Tok) -> bool {
    let w = p.word(t);
    !(w.weak || w.numeric) && w.lower.chars().count() >= 2
}

/// Word classes of every token in context (see [`super::pos`]): may it
/// head a noun phrase, may it modify one ("nuclear", "2015", "frozen")?
struct Classes {
    /// Per token of the body, then per token of the title.
    head: Vec<bool>,
    modifier: Vec<bool>,
    /// Per stem: some occurrence heads a noun phrase.
    noun_seen: Vec<bool>,
    /// Per word: its context-free class, and whether it classifies a noun
    /// it modifies ([`classifying`]).
    lexes: Vec<Lex>,
    classifies: Vec<bool>,
}

impl Classes {
    /// May a word fill an empty slot of a short text (a title only)? Nouns
    /// and adjectives, never a verb or an adverb.
    fn fallback_ok(&self, t: &Tok, stem: u32) -> bool {
        self.noun_seen[stem as usize]
            || matches!(
                self.lexes[t.word as usize],
                Lex::Noun | Lex::NounVerb | Lex::Adjective | Lex::Ing | Lex::Ed
            )
    }

    fn new(p: &Prepared) -> Classes {
        let lexes: Vec<Lex> = p
            .words
            .iter()
            .map(|w| lex(&w.lower, w.count > 0 && w.lower_count == 0))
            .collect();
        let classifies: Vec<bool> = p
            .words
            .iter()
            .zip(&lexes)
            .map(|(w, &l)| classifying(&w.lower, l, w.count > 0 && w.lower_count == 0))
            .collect();
        let lex_of = |t: &Tok| lexes[t.word as usize];
        // Sources: the title, then every sentence.
        let mut sources: Vec<&[Tok]> = vec![p.title_tokens.as_slice()];
        sources.extend((0..p.sentences.len()).map(|i| p.sentence_tokens(i)));
        let prev_of = |toks: &[Tok], i: usize| -> Option<usize> {
            (i > 0 && !toks[i].break_before).then(|| i - 1)
        };
        let noun_ctx = |toks: &[Tok], i: usize| -> Option<bool> {
            prev_of(toks, i).map(|j| {
                let w = p.word(&toks[j]);
                noun_context(&w.lower, lex_of(&toks[j]), w.stop)
            })
        };
        // A noun/verb word is attested as a noun when some occurrence
        // follows a determiner, a preposition, an adjective or a number.
        // Per word, not per stem: "the end" says nothing about "ends".
        let mut attested = vec![false; p.words.len()];
        for toks in &sources {
            for i in 0..toks.len() {
                if lex_of(&toks[i]) == Lex::NounVerb && noun_ctx(toks, i) == Some(true) {
                    attested[toks[i].word as usize] = true;
                }
            }
        }
        let nbody = p.tokens.len();
        let mut head = vec![false; nbody + p.title_tokens.len()];
        let mut modifier = head.clone();
        let mut noun_seen = vec![false; p.stems];
        for (si, toks) in sources.iter().enumerate() {
            let base = if si == 0 {
                nbody
            } else {
                p.sentences[si - 1].tokens.start
            };
            for i in 0..toks.len() {
                let w = p.word(&toks[i]);
                let prev = prev_of(toks, i).map(|j| (p.word(&toks[j]), lex_of(&toks[j])));
                let noun_reading = match lex_of(&toks[i]) {
                    Lex::Noun => true,
                    Lex::NounVerb => match prev {
                        None => true,
                        Some((pw, pl)) => {
                            if conjunction(&pw.lower) {
                                // "limit X and increase Y", "X and talks":
                                // as the word reads elsewhere.
                                attested[toks[i].word as usize]
                            } else if noun_context(&pw.lower, pl, pw.stop) {
                                true
                            } else if verb_context(&pw.lower) || pl == Lex::Adverb {
                                false
                            } else if plural(&w.lower) {
                                // "round ends with" or "peace talks in": as
                                // the word reads elsewhere in the document;
                                // "oil prices fell", "oil prices ease": a
                                // subject before its verb.
                                attested[toks[i].word as usize]
                                    || toks.get(i + 1).is_none_or(|n| {
                                        n.break_before
                                            || match lex_of(n) {
                                                Lex::Verb | Lex::Ed => true,
                                                Lex::NounVerb => !plural(&p.word(n).lower),
                                                _ => false,
                                            }
                                    })
                            } else if matches!(pl, Lex::Noun | Lex::NounVerb) {
                                // "hardliners press", "talks in Muscat turn
                                // to", but "trade deal".
                                !plural(&pw.lower)
                                    && (attested[toks[i].word as usize]
                                        || toks.get(i + 1).is_none_or(|n| {
                                            let l: &str = &p.word(n).lower;
                                            n.break_before
                                                || !(l == "to"
                                                    || is_determiner(l)
                                                    || verb_context(l))
                                        }))
                            } else {
                                // After a verb: its object ("seek talks").
                                true
                            }
                        }
                    },
                    // "the fighting", "heavy fighting", but not "a
                    // working text", where it modifies the next word.
                    Lex::Ing => {
                        prev.is_some_and(|(pw, pl)| {
                            is_determiner(&pw.lower) || pl == Lex::Adjective
                        }) && toks.get(i + 1).is_none_or(|n| {
                            n.break_before || p.word(n).stop || lex_of(n) == Lex::Verb
                        })
                    }
                    _ => false,
                };
                let modifies = noun_reading
                    || match lex_of(&toks[i]) {
                        Lex::Adjective | Lex::Number => true,
                        // "frozen assets", "enriched uranium"; not "Iran
                        // halted production".
                        Lex::Ed => prev.is_none_or(|(pw, pl)| noun_context(&pw.lower, pl, pw.stop)),
                        _ => false,
                    };
                head[base + i] = noun_reading;
                modifier[base + i] = modifies;
                if noun_reading {
                    noun_seen[w.stem as usize] = true;
                }
            }
        }
        Classes {
            head,
            modifier,
            noun_seen,
            lexes,
            classifies,
        }
    }
}

/// Is the word in every document of a corpus large enough to tell (to
/// the precision of [`quantized_df`])?
fn everywhere(corpus: &CorpusStats, lower: &str) -> bool {
    corpus.documents >= MIN_DOCUMENTS && corpus.df(lower) >= corpus.documents_seen() as u32
}

/// Renders a token for a label: proper names keep their capitals, other
/// words are lower-cased.
fn render(p: &Prepared, t: &Tok) -> String {
    let w = p.word(t);
    let surface = p.surface(t).replace('’', "'");
    let acronym = surface.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && surface.chars().all(|c| !c.is_lowercase());
    let known_name = || super::gazetteer::lookup(&w.lower).is_some();
    let capital = surface.chars().next().is_some_and(char::is_uppercase);
    if acronym || (w.lower_count == 0 && capital && (w.inner_cap_count > 0 || known_name())) {
        surface
    } else {
        w.lower.to_string()
    }
}

/// Weights of the scoring, tuned on a development split (see
/// bench/QUALITY.md); named so that they can be varied in experiments.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Multiplier of a multi-word phrase seen once, relative to the mean
    /// weight of its words (1.0: as good as its average word).
    pub phrase_once: f64,
    /// The same for a term: a phrase whose modifiers are nouns, numbers or
    /// classifying adjectives ("uranium enrichment", "nuclear program").
    /// Raising it above `phrase_once` puts such phrases first, as readers
    /// want, but costs exact F1@10 on the development split (1.1: 0.159,
    /// 1.3: 0.140; see bench/QUALITY.md), so it is not raised yet.
    pub term_once: f64,
    /// Extra multiplier per further occurrence of the phrase as a unit.
    pub phrase_step: f64,
    /// Cap of the phrase multiplier.
    pub phrase_max: f64,
    /// Lead bonus: a word first seen in sentence s weighs 1 + lead/sqrt(1+s).
    pub lead: f64,
    /// Multiplier of words of the title.
    pub title: f64,
    /// Exponent of the coverage discount in the greedy selection.
    pub coverage: f64,
    /// Longest phrase, in words.
    pub max_words: usize,
    /// Multiplier of proper names (capitalised mid-sentence, never in lower
    /// case); they are also listed as entities.
    pub name: f64,
    /// Weight of the site evidence of a term phrase ([`Candidate::site`]):
    /// its score is multiplied by 1 + `site` x share x (1 - share) x
    /// cohesion, so a term that a third of the other briefings use as a
    /// unit weighs about 4 times more, one that 1 in 250 other documents
    /// shares 1.06 times, and one that every briefing uses gains nothing.
    pub site: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            phrase_once: 1.04,
            term_once: 1.04,
            phrase_step: 0.25,
            phrase_max: 1.3,
            lead: 1.0,
            title: 1.0,
            coverage: 1.0,
            max_words: 3,
            name: 1.0,
            site: 25.0,
        }
    }
}

impl Params {
    /// Without corpus statistics every word has the same IDF, so frequent
    /// names crowd out the topics; names, already listed as entities, weigh
    /// less, and phrases that recur as a unit (reliably noun phrases) gain
    /// more. (Favouring every phrase was tried: without part-of-speech tags
    /// it surfaced verb fragments such as "talks argue".)
    pub fn single_document() -> Params {
        Params {
            name: 0.75,
            phrase_step: 0.6,
            phrase_max: 2.0,
            ..Params::default()
        }
    }
}

pub fn extract(p: &Prepared, corpus: &CorpusStats, n: usize) -> Vec<KeyIssue> {
    let params = if corpus.idf("").is_some() {
        Params::default()
    } else {
        Params::single_document()
    };
    extract_with(p, corpus, n, &params)
}

pub fn extract_with(
    p: &Prepared,
    corpus: &CorpusStats,
    n: usize,
    params: &Params,
) -> Vec<KeyIssue> {
    if n == 0 {
        return Vec::new();
    }
    // Term frequency and first position of every stem.
    let nstems = p.stems;
    let mut tf = vec![0u32; nstems];
    let mut first = vec![usize::MAX; nstems];
    let mut in_title = vec![false; nstems];
    let mut idf = vec![1.0f64; nstems];
    for t in p.title_tokens.iter() {
        let s = p.word(t).stem as usize;
        tf[s] += 1;
        in_title[s] = true;
        first[s] = 0;
    }
    for t in &p.tokens {
        let s = p.word(t).stem as usize;
        tf[s] += 1;
        first[s] = first[s].min(t.sentence + usize::from(!p.title_tokens.is_empty()));
    }
    let mut is_name = vec![false; nstems];
    for w in &p.words {
        if w.inner_cap_count > 0 && w.lower_count == 0 {
            is_name[w.stem as usize] = true;
        }
    }
    // IDF per stem: the rarest of its surface forms in the corpus.
    for w in &p.words {
        if !counted(&w.lower) {
            continue;
        }
        if let Some(v) = corpus.idf(&w.lower) {
            let s = w.stem as usize;
            if idf[s] == 1.0 || v > idf[s] {
                idf[s] = v;
            }
        }
    }

    let classes = Classes::new(p);
    // Candidate phrases.
    // Keyed by up to 3 stems, padded, so that lookups allocate nothing.
    let mut index: FastMap<[u32; 3], usize> = FastMap::default();
    let mut cands: Vec<Candidate> = Vec::new();
    let title_sentence = [p.title_tokens.as_slice()];
    let sources = title_sentence
        .into_iter()
        .chain((0..p.sentences.len()).map(|i| p.sentence_tokens(i)));
    for (si, toks) in sources.enumerate() {
        let is_title = si == 0;
        let sentence_no = if p.title_tokens.is_empty() {
            si.saturating_sub(1)
        } else {
            si
        };
        let base = if is_title {
            p.tokens.len()
        } else {
            p.sentences[si - 1].tokens.start
        };
        let mut run_start = 0;
        for i in 0..=toks.len() {
            let boundary = i == toks.len() || !usable(p, &toks[i]) || toks[i].break_before;
            if !boundary {
                continue;
            }
            // toks[run_start..i] is a run (when the break is punctuation, the
            // token i itself starts the next run).
            let run = &toks[run_start..i];
            let a_base = run_start;
            for a in 0..run.len() {
                if !can_start(p, &run[a]) {
                    continue;
                }
                for b in a..(a + params.max_words).min(run.len()) {
                    // Modifiers first ("2015 nuclear"), a noun at the end.
                    if b > a && !classes.modifier[base + a_base + b - 1] {
                        break;
                    }
                    if !can_end(p, &run[b]) || !classes.head[base + a_base + b] {
                        continue;
                    }
                    // A word found in every document of the site says
                    // nothing about this one (the limit of IDF).
                    if b == a && everywhere(corpus, &p.word(&run[a]).lower) {
                        continue;
                    }
                    let span = &run[a..=b];
                    // Weak words may not stand inside a phrase either ("fund
                    // says ready"), unless capitalised as part of a name.
                    if span.len() > 2
                        && span[1..span.len() - 1]
                            .iter()
                            .any(|t| p.word(t).weak && !t.cap)
                    {
                        continue;
                    }
                    let mut key = [u32::MAX; 3];
                    for (slot, t) in key.iter_mut().zip(span) {
                        *slot = p.word(t).stem;
                    }
                    let id = *index.entry(key).or_insert_with(|| {
                        cands.push(Candidate {
                            stems: span.iter().map(|t| p.word(t).stem).collect(),
                            count: 0,
                            first_sentence: sentence_no,
                            in_title: false,
                            at: (si, a_base + a, span.len()),
                            term: span[..span.len() - 1]
                                .iter()
                                .all(|t| classes.classifies[t.word as usize]),
                            site: 0.0,
                            order: cands.len(),
                        });
                        cands.len() - 1
                    });
                    cands[id].count += 1;
                    cands[id].in_title |= is_title;
                }
            }
            run_start = if i < toks.len() && usable(p, &toks[i]) {
                i
            } else {
                i + 1
            };
        }
    }

    // Site evidence of every term phrase (see `Candidate::site`).
    if corpus.idf("").is_some() {
        let others = corpus.documents_seen().saturating_sub(1) as f64;
        let mut key = String::new();
        for c in cands.iter_mut().filter(|c| c.term && c.stems.len() > 1) {
            let (source, start, len) = c.at;
            let toks = if source == 0 {
                &p.title_tokens[..]
            } else {
                p.sentence_tokens(source - 1)
            };
            let span = &toks[start..start + len];
            // A name, or a phrase with a name in it, is an entity; the
            // names a site keeps repeating ("United States") are not its
            // topics (and on the development split boosting them cost
            // accuracy).
            if span.iter().any(|t| t.cap && p.word(t).lower_count == 0) {
                continue;
            }
            key.clear();
            let mut rarest = u32::MAX;
            for t in span {
                let lower = &p.word(t).lower;
                if !key.is_empty() {
                    key.push(' ');
                }
                key.push_str(lower);
                rarest = rarest.min(corpus.df(lower));
            }
            let df = corpus.df(&key);
            // The corpus is taken to include this document: the others
            // are the evidence.
            let cohesion = df as f64 / rarest.max(1) as f64;
            let share = (df.saturating_sub(1) as f64 / others).min(1.0);
            // Recurring topics weigh more; a phrase nearly every briefing
            // uses is boilerplate, not a topic: the boost falls back to
            // nothing there and the words' IDF makes it weigh less.
            c.site = cohesion * share * (1.0 - share);
        }
    }

    // Weight of a single stem.
    let weight = |s: usize| -> f64 {
        let position = 1.0 + params.lead / (1.0 + first[s] as f64).sqrt();
        let title = if in_title[s] { params.title } else { 1.0 };
        let title = title * if is_name[s] { params.name } else { 1.0 };
        // Sublinear term frequency (Salton & Buckley 1988).
        let tfw = 1.0 + (tf[s] as f64).ln();
        tfw * idf[s] * position * title
    };
    let mut scored: Vec<(f64, usize)> = cands
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mean =
                c.stems.iter().map(|&s| weight(s as usize)).sum::<f64>() / c.stems.len() as f64;
            let score = if c.stems.len() == 1 {
                mean
            } else {
                // A phrase must recur (or be in the title) to beat its words.
                let recur = c.count as f64;
                let once = if c.term {
                    params.term_once
                } else {
                    params.phrase_once
                };
                let unit =
                    (once + params.phrase_step * (recur - 1.0)).min(params.phrase_max.max(once));
                mean * unit * (1.0 + params.site * c.site)
            };
            (score, i)
        })
        .collect();
    // Score, then position, then text.
    scored.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(cands[a.1].first_sentence.cmp(&cands[b.1].first_sentence))
            .then(cands[a.1].order.cmp(&cands[b.1].order))
    });

    // Greedy selection with a coverage discount: a candidate's score is
    // scaled by the share of its stems that no chosen label covers yet, so
    // the labels spread over different words (the redundancy idea of MMR,
    // Carbonell & Goldstein 1998, applied to phrases).
    let mut chosen: Vec<usize> = Vec::new();
    let mut covered: Vec<u32> = Vec::new();
    let mut used = vec![false; scored.len()];
    while chosen.len() < n {
        let mut best: Option<(f64, usize)> = None;
        for (rank, &(score, i)) in scored.iter().enumerate() {
            if used[rank] {
                continue;
            }
            if let Some((b, _)) = best {
                // Scores are sorted; no later candidate can beat `b`.
                if score <= b {
                    break;
                }
            }
            let c = &cands[i];
            // Labels already covered word for word score 0: they come only
            // when no other candidate is left (short texts), before the
            // fallback words below.
            let fresh = c.stems.iter().filter(|s| !covered.contains(s)).count();
            let eff = score * (fresh as f64 / c.stems.len() as f64).powf(params.coverage);
            if best.is_none_or(|(b, _)| eff > b) {
                best = Some((eff, rank));
            }
        }
        let Some((_, rank)) = best else { break };
        used[rank] = true;
        let i = scored[rank].1;
        chosen.push(i);
        covered.extend(cands[i].stems.iter().copied());
    }
    // Too few phrases (a title-only document, a short note): fill up with
    // the remaining single words that are not function or weak words, such
    // as verbs in "-ed"; precision is judged over all N slots.
    let mut extra_scores: Vec<(usize, f64)> = Vec::new();
    if chosen.len() < n {
        let mut extra: Vec<(f64, usize, usize)> = Vec::new(); // (weight, order, token index)
        let mut seen: Vec<u32> = covered.clone();
        let all = p.title_tokens.iter().chain(p.tokens.iter());
        for (order, t) in all.enumerate() {
            let w = p.word(t);
            if !usable(p, t) || w.weak || !classes.fallback_ok(t, w.stem) || seen.contains(&w.stem)
            {
                continue;
            }
            seen.push(w.stem);
            extra.push((weight(w.stem as usize), order, order));
        }
        extra.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let nt = p.title_tokens.len();
        for (wt, _, ti) in extra.into_iter().take(n - chosen.len()) {
            let (t, at) = if ti < nt {
                (&p.title_tokens[ti], (0, ti, 1))
            } else {
                let t = &p.tokens[ti - nt];
                (
                    t,
                    (
                        t.sentence + 1,
                        ti - nt - p.sentences[t.sentence].tokens.start,
                        1,
                    ),
                )
            };
            cands.push(Candidate {
                stems: vec![p.word(t).stem],
                count: 1,
                first_sentence: first[p.word(t).stem as usize],
                in_title: false,
                at,
                term: false,
                site: 0.0,
                order: cands.len(),
            });
            chosen.push(cands.len() - 1);
            extra_scores.push((cands.len() - 1, wt));
        }
    }
    let top = scored.first().map_or(1.0, |s| s.0).max(f64::MIN_POSITIVE);
    let mut score_of = vec![0.0f64; cands.len()];
    for &(sc, i) in &scored {
        score_of[i] = sc;
    }
    for &(i, sc) in &extra_scores {
        score_of[i] = sc;
    }
    let mut used_sentences: Vec<usize> = Vec::new();
    chosen
        .into_iter()
        .map(|i| {
            let c = &cands[i];
            KeyIssue {
                label: label(p, c.at),
                score: ((score_of[i] / top) * 10000.0).round() / 10000.0,
                evidence: evidence(p, &c.stems, &mut used_sentences),
            }
        })
        .collect()
}

/// Renders the words of a candidate's first occurrence.
fn label(p: &Prepared, (source, start, len): (usize, usize, usize)) -> String {
    let toks = if source == 0 {
        &p.title_tokens[..]
    } else {
        p.sentence_tokens(source - 1)
    };
    let span = &toks[start..start + len];
    let words: Vec<String> = span.iter().map(|t| render(p, t)).collect();
    // A capitalised name of several words keeps all its capitals even if
    // one of its words also occurs in lower case ("European Union" beside
    // "a union leader").
    let name = span.len() > 1
        && span.iter().all(|t| t.cap)
        && words
            .iter()
            .any(|w| w.chars().next().is_some_and(char::is_uppercase));
    if name {
        span.iter()
            .map(|t| p.surface(t).replace('’', "'"))
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        words.join(" ")
    }
}

/// Is `needle` a contiguous part of `hay`?
fn contains_run(hay: &[u32], needle: &[u32]) -> bool {
    needle.len() <= hay.len() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The sentence that best states a phrase: the most of its stems, a bonus
/// when it holds the phrase itself, earliest on ties; the title when the body
/// has no sentence that mentions it. A sentence already given as evidence
/// of a higher-ranked issue (`used`) counts one stem less, so that when
/// another sentence states the phrase as fully it is shown instead: a
/// reader gains nothing from the same sentence under every issue.
fn evidence(p: &Prepared, stems: &[u32], used: &mut Vec<usize>) -> String {
    let mut wanted = stems.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut best: Option<(usize, usize)> = None;
    for i in 0..p.sentences.len() {
        let toks = p.sentence_tokens(i);
        let seq: Vec<u32> = toks.iter().map(|t| p.word(t).stem).collect();
        let mut set = seq.clone();
        set.sort_unstable();
        set.dedup();
        let mut v = overlap(&set, &wanted) * 2;
        if v == 0 {
            continue;
        }
        if contains_run(&seq, stems) {
            v += 1;
        }
        // A stem is worth 2: an unused sentence gets one stem more.
        let v = if used.contains(&i) { v } else { v + 2 };
        if best.is_none_or(|(b, _)| v > b) {
            best = Some((v, i));
        }
    }
    match best {
        Some((_, i)) => {
            used.push(i);
            p.sentences[i].text.to_string()
        }
        None => p.title.unwrap_or("").trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str, n: usize) -> Vec<String> {
        let p = Prepared::new(text, None);
        extract(&p, &CorpusStats::default(), n)
            .into_iter()
            .map(|k| k.label)
            .collect()
    }

    #[test]
    fn adverbs_by_ending_only() {
        for w in [
            "reportedly",
            "largely",
            "significantly",
            "possibly",
            "easily",
        ] {
            assert!(adverb(w), "{w}");
        }
        for w in ["family", "supply", "assembly", "rally", "italy", "monopoly"] {
            assert!(!adverb(w), "{w}");
        }
    }

    #[test]
    fn no_fragments() {
        let text = "The ministers will review their plans on Thursday. \
                    The fuel subsidy review said on Thursday that fuel subsidy costs rose. \
                    Critics said the fuel subsidy was reportedly too generous.";
        let got = labels(text, 10);
        assert!(!got.is_empty());
        for l in &got {
            let first = l.split(' ').next().unwrap().to_lowercase();
            let last = l.split(' ').next_back().unwrap().to_lowercase();
            for bad in [
                "the",
                "their",
                "on",
                "said",
                "thursday",
                "reportedly",
                "will",
            ] {
                assert!(first != bad && last != bad, "{l}");
            }
        }
        assert!(got.iter().any(|l| l == "fuel subsidy"), "{got:?}");
    }

    #[test]
    fn evidence_is_the_sentence_with_most_of_the_phrase() {
        let text = "Rain fell. Sanctions were eased. Sanctions relief for exporters began. \
                    Exporters cheered the sanctions relief.";
        let p = Prepared::new(text, None);
        let issues = extract(&p, &CorpusStats::default(), 5);
        let relief = issues
            .iter()
            .find(|k| k.label == "sanctions relief")
            .expect("phrase");
        assert_eq!(relief.evidence, "Sanctions relief for exporters began.");
    }

    #[test]
    fn evidence_prefers_a_sentence_not_already_shown() {
        let mut used = Vec::new();
        let text = "Uranium enrichment and frozen assets top the agenda. \
                    Negotiators say frozen assets come later. \
                    Uranium enrichment limits are the first item.";
        let p = Prepared::new(text, None);
        let stems = |words: &str| -> Vec<u32> {
            words
                .split(' ')
                .map(|w| {
                    let t = p
                        .tokens
                        .iter()
                        .find(|t| *p.word(t).lower == *w)
                        .expect("word");
                    p.word(t).stem
                })
                .collect()
        };
        let first = evidence(&p, &stems("uranium enrichment"), &mut used);
        assert_eq!(
            first,
            "Uranium enrichment and frozen assets top the agenda."
        );
        // The first sentence states "frozen assets" as fully as the second,
        // but it is already shown.
        let second = evidence(&p, &stems("frozen assets"), &mut used);
        assert_eq!(second, "Negotiators say frozen assets come later.");
        // With no other sentence, a shown one is given again.
        let third = evidence(&p, &stems("agenda"), &mut used);
        assert_eq!(
            third,
            "Uranium enrichment and frozen assets top the agenda."
        );
    }
}

#[cfg(test)]
mod noun_phrase_tests {
    use super::*;
    use crate::analysis::Document;

    /// Invented news paragraphs, full of verbs that used to surface.
    const NEWS: &str = "The port authority seeks new funding for the harbour wall repairs. \
        Engineers warned that the harbour wall repairs cannot wait another winter. \
        The mayor said on Monday she was asking the ministry to engage with the engineers. \
        Residents told reporters the harbour wall repairs were overdue, and officials added \
        that a storm surge warning remains in force. The ministry prepares a response and \
        says it is keeping all options open while it seeks a compromise.";

    #[test]
    fn no_verb_like_key_issue_and_the_repeated_phrase_is_chosen() {
        let p = Prepared::new(NEWS, None);
        let issues = extract(&p, &CorpusStats::default(), 8);
        let labels: Vec<&str> = issues.iter().map(|k| k.label.as_str()).collect();
        for l in &labels {
            for w in l.split(' ') {
                let w = w.to_lowercase();
                for bad in [
                    "said", "seeks", "warned", "asking", "told", "added", "engage", "prepares",
                    "says", "keeping", "wait", "remains",
                ] {
                    assert_ne!(w, bad, "{labels:?}");
                }
            }
        }
        assert!(
            labels
                .iter()
                .any(|l| l.contains("wall repairs") || *l == "harbour wall"),
            "{labels:?}"
        );
    }

    fn sample_site() -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/briefings");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                // Drop the TOML front matter; the body is plain enough.
                let body = match text.strip_prefix("+++") {
                    Some(rest) => rest.split_once("+++").map_or(rest, |x| x.1).to_string(),
                    None => text,
                };
                (p.file_name().unwrap().to_string_lossy().into_owned(), body)
            })
            .collect()
    }

    fn seed_issues() -> Vec<String> {
        let site = sample_site();
        let docs: Vec<Document> = site
            .iter()
            .map(|(_, t)| Document {
                title: None,
                text: t,
            })
            .collect();
        let corpus = CorpusStats::from_documents(&docs);
        let (_, seed) = site
            .iter()
            .find(|(n, _)| n == "2026-11-03-us-iran-quiet-talks-oman.md")
            .expect("seed article");
        let p = Prepared::new(seed, None);
        extract(&p, &corpus, 5)
            .into_iter()
            .map(|k| k.label)
            .collect()
    }

    #[test]
    fn seed_article_key_issues_are_not_verbs() {
        let got = seed_issues();
        assert_eq!(got.len(), 5);
        for l in &got {
            let last = l.rsplit(' ').next().unwrap().to_lowercase();
            assert!(
                !matches!(
                    lex(&last, false),
                    Lex::Verb | Lex::Ing | Lex::Ed | Lex::Adverb | Lex::Adjective
                ),
                "{got:?}"
            );
        }
    }

    /// The product requirement: the seed's key issues are its topics. The
    /// phrases that state them occur once each in the seed; what lifts
    /// them is that the sample site's other briefings use them too (see
    /// `Params::site`). Not yet met: "program" (of "nuclear program") still
    /// takes the fifth slot; demoting general nouns cost exact F1@10 below
    /// its bar (bench/QUALITY.md).
    #[test]
    fn seed_article_key_issues_are_its_topics() {
        let got = seed_issues();
        let ok = [
            "uranium enrichment",
            "sanctions relief",
            "nuclear deal",
            "2015 nuclear deal",
            "regional proxies",
            "nuclear program",
            "economic sanctions",
            "international monitoring",
            "diplomatic off-ramp",
            "drone technology",
            "ballistic missile program",
            "nuclear activities",
            "freeze for freeze",
            // What the talks aim at ("any lasting nuclear understanding");
            // three briefings of the sample site use the phrase.
            "nuclear understanding",
        ];
        let hits = got.iter().filter(|l| ok.contains(&l.as_str())).count();
        assert!(hits >= 3, "{got:?}");
        // The first three are topics; no general noun before them.
        assert!(got[..3].iter().all(|l| ok.contains(&l.as_str())), "{got:?}");
        for generic in ["discussions", "attempt", "talks", "security", "timing"] {
            assert!(!got.iter().any(|l| l == generic), "{got:?}");
        }
    }

    /// A term that other documents of the corpus use as a unit outranks a
    /// chance phrase of the same weight; without corpus statistics (or
    /// when no other document uses it) nothing changes.
    #[test]
    fn a_phrase_the_site_uses_as_a_unit_weighs_more() {
        let doc = "Officials met in the capital. The port tariff and the \
                   coastal erosion survey were both discussed.";
        let others = [
            "The coastal erosion survey is late.",
            "Coastal erosion threatens the road.",
            "Farmers want rain.",
            "A new bridge opened.",
        ];
        let rank = |corpus: &CorpusStats, label: &str| {
            let p = Prepared::new(doc, None);
            extract(&p, corpus, 10)
                .iter()
                .position(|k| k.label == label)
                .unwrap_or(usize::MAX)
        };
        let mut docs = vec![Document {
            title: None,
            text: doc,
        }];
        docs.extend(others.iter().map(|t| Document {
            title: None,
            text: t,
        }));
        let with = CorpusStats::from_documents(&docs);
        assert!(
            rank(&with, "coastal erosion") < rank(&with, "port tariff"),
            "{:?}",
            extract(&Prepared::new(doc, None), &with, 10)
        );
        // The same corpus without the other uses of the phrase.
        let docs2: Vec<Document> = docs
            .iter()
            .map(|d| Document {
                title: None,
                text: if d.text.contains("erosion") && d.text != doc {
                    "Nothing here."
                } else {
                    d.text
                },
            })
            .collect();
        let without = CorpusStats::from_documents(&docs2);
        assert!(rank(&without, "port tariff") < rank(&without, "coastal erosion"));
    }
}
