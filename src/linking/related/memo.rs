//! What the related stage keeps between builds of the same site (`serve`):
//! stems by text, vectors, bars and lists, so that an edit ranks again only
//! the lists it can change; and the stems, which `build` also keeps on disk.

use std::borrow::Cow;

use super::*;

/// What [`compute`] keeps between builds of the same site (`serve`), to
/// rank again only the briefings whose lists can have changed.
///
/// Under `related_scope = "past"` a briefing's list depends only on the
/// briefings published up to it: their text, title, shared-hub features and
/// times. So when the oldest briefings, up to some point, are the same as
/// in the last build (same inputs, none added or removed among them), their
/// lists are too, exactly, and are taken from the last build; only the
/// newer ones are ranked. Editing today's briefing ranks a handful of
/// briefings; editing one from last month ranks the month since.
#[derive(Default)]
pub struct RelatedMemo {
    /// Per briefing of the last build, oldest first: its source, the hash
    /// of its ranking inputs and its list (targets by source, features by
    /// name, so that they survive renumbering).
    pub(super) oldest_first: Vec<MemoEntry>,
    /// The options the lists were made with.
    pub(super) options: (usize, bool),
    /// Briefings ranked by the last call (the others were reused).
    pub ranked: usize,
    /// Of those, the ones rescored rather than ranked (see [`Redo::Rescore`]).
    pub rescored: usize,
    /// The vocabulary generation the memo entries' vectors are in.
    pub(super) vectors_generation: u64,
    /// Set by the caller before a call: the hub set has the last call's
    /// features (same ids and names), so a reused list's reasons are the
    /// same too, unless they draw on a feature in `moved_features`.
    pub(crate) same_hubs: bool,
    /// Set by the caller with `same_hubs`: the keys of features some
    /// briefings gained or lost, whose counts (which order a list's
    /// reasons) may have changed, with the earliest time of such a
    /// briefing (under "past", lists of older briefings count without it).
    pub(crate) moved_features: Vec<(String, i64)>,
    /// The last call's sources in model order, and its lists.
    pub(super) last_sources: Vec<String>,
    pub(super) last_lists: Vec<Arc<Vec<Related>>>,
    /// Each text's stems, so that only new texts are tokenised.
    pub(super) stems: StemMemo,
    /// The last call's index, to patch after a text edit.
    pub(super) index: Option<Index>,
    /// There is no next call (a one-off `build`): the index is dropped
    /// once the lists are ranked, not kept (its postings were 180 MB at
    /// 100,000 briefings, held while the memo entries were made).
    pub(crate) last_call: bool,
    /// The entries came from disk ([`RelatedMemo::from_saved`]): lists
    /// without their vectors, bars and candidates, so only the oldest
    /// briefings' lists are reused, never read to rescore.
    pub(super) lists_only: bool,
    /// How many lists it was made from.
    loaded: usize,
    /// Made before the hubs ([`RelatedMemo::prepare`]), for the next call.
    prepared: Option<Prepared>,
    /// The inline links of the last build, by their inputs (`build` only:
    /// the rest of the link stage's memo that it keeps on disk).
    pub inline: crate::linking::SavedInline,
}

/// A briefing's related list as `build` keeps it on disk (see
/// `cache::related`): what reusing it needs. Scores are kept as their
/// bits, so that they come back exactly.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct SavedList {
    pub source: Arc<str>,
    pub inputs: u128,
    pub time: i64,
    pub text: u128,
    /// (target source, score bits, shared features).
    pub list: Vec<(Arc<str>, u64, Vec<Arc<str>>)>,
    /// Its features by key, and what its ranking chose from (see
    /// [`Ranked`]): what a later build needs to find the lists an edit
    /// can change instead of ranking every newer one again.
    pub ranked: Option<SavedRanking>,
}

/// The ranking state of a saved list: its features by key, its [`Bar`]
/// and its candidates, floats kept as their bits.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct SavedRanking {
    pub features: Vec<Arc<str>>,
    pub bar: Option<u32>,
    /// (position from the oldest, partial score bits, score bits), flat;
    /// None when the list had none (no ranking was needed).
    pub candidates: Option<Vec<u32>>,
}

impl RelatedMemo {
    /// A memo of the lists an earlier build saved ([`RelatedMemo::to_saved`]),
    /// made with `options` (how many, whether "past"), and of the stems
    /// of its texts.
    pub fn from_saved(
        stems: StemMemo,
        options: (usize, bool),
        lists: Vec<SavedList>,
    ) -> RelatedMemo {
        // Without every list's ranking state, the lists are only reused
        // when the briefings up to them are the same (see `lists_only`).
        let lists_only = lists.iter().any(|l| l.ranked.is_none());
        let oldest_first: Vec<MemoEntry> = lists
            .into_iter()
            .map(|l| {
                let (features, bar, candidates) = match l.ranked {
                    Some(r) => (
                        r.features,
                        r.bar.map(f32::from_bits),
                        r.candidates
                            .map(|flat| Arc::new(candidates_from_bits(&flat))),
                    ),
                    None => (Vec::new(), None, None),
                };
                MemoEntry {
                    source: l.source,
                    inputs: l.inputs,
                    time: l.time,
                    features,
                    text: l.text,
                    bar,
                    candidates,
                    list: l
                        .list
                        .into_iter()
                        .map(|(target, bits, common)| (target, f64::from_bits(bits), common))
                        .collect(),
                    // Made again from the stems when an edit needs them
                    // (see `readers::VectorsBefore`).
                    vector: None,
                }
            })
            .collect();
        RelatedMemo {
            loaded: oldest_first.len(),
            oldest_first,
            options,
            stems,
            lists_only,
            ..RelatedMemo::default()
        }
    }

    /// Whether the last call's lists differ from those it was made from:
    /// it ranked some, or dropped some.
    pub fn lists_changed(&self) -> bool {
        self.ranked > 0 || self.oldest_first.len() != self.loaded
    }

    /// The options and lists of the last call, oldest first, to save,
    /// borrowed from the memo (copying 10,000 took 15 ms). Serial, for
    /// the thread that saves them beside the rendering (see
    /// `cache::related::save`).
    pub fn saved_lists(&self) -> ((usize, bool), Vec<SavedListRef<'_>>) {
        let lists = self
            .oldest_first
            .iter()
            .map(|e| SavedListRef {
                source: &e.source,
                inputs: e.inputs,
                time: e.time,
                text: e.text,
                list: e
                    .list
                    .iter()
                    .map(|(target, score, common)| (&**target, score.to_bits(), &common[..]))
                    .collect(),
                ranked: (!self.lists_only).then(|| SavedRankingRef {
                    features: &e.features,
                    bar: e.bar.map(f32::to_bits),
                    candidates: e.candidates.as_ref().map(|c| candidates_to_bits(c)),
                }),
            })
            .collect();
        (self.options, lists)
    }

    /// Hashes and stems the texts of `briefings` (sorted as the linking
    /// sorts them) before the hubs are made, so that a build does it
    /// beside them; the next call of the ranking takes it.
    pub fn prepare(&mut self, briefings: &[Briefing], options: &LinkOptions) {
        let docs: Vec<RankDoc> = briefings
            .iter()
            .map(|b| RankDoc {
                parts: vec![b.title.as_str(), b.text.as_str()],
                features: Vec::new(),
                time: crate::linking::date_of(b).timestamp(),
            })
            .collect();
        let prepared = prepare(briefings, &docs, options, self);
        self.prepared = Some(prepared);
    }

    /// Takes the stems, leaving none.
    pub fn take_stems(&mut self) -> StemMemo {
        std::mem::take(&mut self.stems)
    }
}

/// [`SavedList`] borrowed from the memo, written the same way.
#[derive(serde::Serialize)]
pub struct SavedListRef<'a> {
    source: &'a str,
    inputs: u128,
    time: i64,
    text: u128,
    list: Vec<(&'a str, u64, &'a [Arc<str>])>,
    ranked: Option<SavedRankingRef<'a>>,
}

/// [`SavedRanking`] borrowed from the memo.
#[derive(serde::Serialize)]
struct SavedRankingRef<'a> {
    features: &'a [Arc<str>],
    bar: Option<u32>,
    candidates: Option<Vec<u32>>,
}

/// Candidates as flat bits ([`SavedRanking::candidates`]).
fn candidates_to_bits(candidates: &[Candidate]) -> Vec<u32> {
    candidates
        .iter()
        .flat_map(|c| [c.oldest_first, c.partial.to_bits(), c.score.to_bits()])
        .collect()
}

/// Candidates from their flat bits ([`SavedRanking::candidates`]); a
/// trailing partial triple is dropped.
fn candidates_from_bits(flat: &[u32]) -> Vec<Candidate> {
    flat.chunks_exact(3)
        .map(|c| Candidate {
            oldest_first: c[0],
            partial: f32::from_bits(c[1]),
            score: f32::from_bits(c[2]),
        })
        .collect()
}

/// The hash of a briefing's text parts as [`compute`] makes its
/// [`RankDoc`]: its title and its text (by the text's hash, made once per
/// distinct body).
pub(super) fn text_hash(b: &Briefing) -> u128 {
    let mut h = crate::cache::StableHasher::default();
    h.field(b.title.as_bytes()).wide(b.text_hash);
    h.finish()
}

/// One text's (interned stem id, tf), by id.
pub(super) type StemCounts = Arc<Vec<(u32, u32)>>;

/// What an edit of texts changed, by document: see [`changed_vectors`].
pub(super) struct VectorChanges {
    /// Its term vector changed.
    pub(super) changed: Vec<bool>,
    /// (document, term) pairs of terms an edited document gained or lost.
    pub(super) moved: Vec<(usize, u32)>,
}

/// Stems and texts for [`StemMemo::from_saved`] to read back.
pub struct SavedStems<'a> {
    /// Stems, numbered from the first.
    pub names: Vec<&'a str>,
    /// Texts in hash order.
    pub texts: Vec<SavedText<'a>>,
}

/// A text's hash and its (stem number, tf), by stem number.
pub type SavedText<'a> = (u128, Cow<'a, [(u32, u32)]>);

/// Stem counts of texts by hash, with stems interned across builds. Kept
/// by `serve` in its [`RelatedMemo`], and by `build` on disk (see
/// `cache::stems`), so that only new texts are tokenised and stemmed.
#[derive(Default)]
pub struct StemMemo {
    pub(super) ids: HashMap<String, u32>,
    pub(super) names: Vec<String>,
    /// Text hash -> (interned stem id, tf), by id.
    pub(super) texts: HashMap<u128, Arc<Vec<(u32, u32)>>>,
    /// For each interned stem, how many of the live texts have it: the
    /// vocabulary (stems in use) changes only when one goes to or from 0.
    pub(super) uses: Vec<u32>,
    /// Interned id -> term id of the last call's vocabulary (sorted stems).
    pub(super) term_of: Vec<u32>,
    /// Term id -> interned id, of this generation and of the one before.
    pub(super) vocab: Vec<u32>,
    pub(super) previous_vocab: Vec<u32>,
    /// Counts the vocabularies: term ids are the same while it is.
    pub(super) generation: u64,
    pub(super) vocab_len: usize,
    /// Text hash -> its counts by term id, valid while the vocabulary is.
    pub(super) by_term: HashMap<u128, Arc<Vec<(u32, u32)>>>,
    /// Stems interned when it was loaded (see [`StemMemo::from_saved`]):
    /// those after them are new.
    pub(super) loaded_names: usize,
    /// Texts added since it was made or loaded, and how many dropped.
    pub(super) added: Vec<u128>,
    pub(super) dropped: usize,
}

impl StemMemo {
    /// The memo of saved texts: `names` are the stems, `texts` each
    /// text's (index in `names`, tf), by index. `None` when they do not fit
    /// together (an index out of range, out of order or repeated, a stem
    /// named twice). Stems keep their indices as interned ids, so those
    /// interned later are the ones the file does not have.
    pub fn from_saved(names: Vec<String>, texts: HashMap<u128, StemCounts>) -> Option<StemMemo> {
        let mut ids = HashMap::with_capacity(names.len());
        for (id, name) in names.iter().enumerate() {
            if ids.insert(name.clone(), id as u32).is_some() {
                return None;
            }
        }
        let mut uses = vec![0u32; names.len()];
        for counts in texts.values() {
            let mut last = None;
            for &(id, _) in counts.iter() {
                if id as usize >= names.len() || last.is_some_and(|l| l >= id) {
                    return None;
                }
                uses[id as usize] += 1;
                last = Some(id);
            }
        }
        Some(StemMemo {
            ids,
            loaded_names: names.len(),
            names,
            texts,
            uses,
            ..StemMemo::default()
        })
    }

    /// What to add to the file it was loaded from: the stems interned
    /// since, and the texts added since that are still live; their stem
    /// numbers are the file's.
    pub fn to_append(&self) -> SavedStems<'_> {
        let mut texts: Vec<SavedText> = self
            .added
            .iter()
            .filter_map(|h| Some((*h, Cow::Borrowed(self.texts.get(h)?.as_slice()))))
            .collect();
        texts.sort_unstable_by_key(|t| t.0);
        SavedStems {
            names: self.names[self.loaded_names..]
                .iter()
                .map(String::as_str)
                .collect(),
            texts,
        }
    }

    /// What [`StemMemo::from_saved`] makes this memo again from, without
    /// what it no longer needs: the stems the texts use (numbered anew,
    /// in their interned order, so each text's counts stay sorted) and
    /// the texts.
    pub fn to_save(&self) -> SavedStems<'_> {
        let mut renumber = vec![u32::MAX; self.names.len()];
        let mut names = Vec::new();
        for (id, name) in self.names.iter().enumerate() {
            if self.uses[id] > 0 {
                renumber[id] = names.len() as u32;
                names.push(name.as_str());
            }
        }
        // When every stem is in use (a first build) the numbers stay: the
        // counts are lent, not copied (150 MB at 100,000 briefings).
        let same_numbers = names.len() == self.names.len();
        let mut texts: Vec<SavedText> = self
            .texts
            .par_iter()
            .map(|(h, counts)| {
                if same_numbers {
                    return (*h, Cow::Borrowed(counts.as_slice()));
                }
                let counts = counts
                    .iter()
                    .map(|&(id, tf)| (renumber[id as usize], tf))
                    .collect();
                (*h, Cow::Owned(counts))
            })
            .collect();
        texts.par_sort_unstable_by_key(|t| t.0);
        SavedStems { names, texts }
    }

    /// How many of the texts added since it was made or loaded are live:
    /// those [`StemMemo::to_append`] gives.
    pub fn texts_added(&self) -> usize {
        self.added
            .iter()
            .filter(|h| self.texts.contains_key(h))
            .count()
    }

    /// How many texts it holds the stems of.
    pub fn texts_known(&self) -> usize {
        self.texts.len()
    }

    /// Whether texts were added or dropped since it was made or loaded.
    pub fn changed(&self) -> bool {
        !self.added.is_empty() || self.dropped > 0
    }

    /// A vector of the generation before this one in this one's term ids:
    /// the same weights in the same order (term ids follow the sorted
    /// stems), minus stems no longer in use.
    fn renumber(&self, vector: &TermVector) -> TermVector {
        vector
            .iter()
            .filter_map(|&(t, w)| {
                let id = *self.previous_vocab.get(t as usize)?;
                let t = self.term_of[id as usize];
                (t != u32::MAX).then_some((t, w))
            })
            .collect()
    }

    /// What [`term_counts`] returns, tokenising only texts not seen before;
    /// `hashes[i]` is [`text_hash`] of `docs[i]`.
    pub(super) fn term_counts(&mut self, docs: &[RankDoc], hashes: &[u128]) -> TermCounts {
        let mut missing: Vec<usize> = Vec::new();
        let mut queued = std::collections::HashSet::new();
        for (i, h) in hashes.iter().enumerate() {
            if !self.texts.contains_key(h) && queued.insert(*h) {
                missing.push(i);
            }
        }
        // In chunks, as term_counts does: a cold build has every text to
        // stem, and each chunk interns its distinct stems once.
        let fresh: Vec<(&[usize], ChunkCounts)> = missing
            .par_chunks(CHUNK)
            .map_init(Stems::default, |stems, chunk| {
                (chunk, count_chunk(chunk.iter().map(|&i| &docs[i]), stems))
            })
            .collect();
        let mut vocabulary_changed = self.term_of.is_empty();
        for (chunk, counts) in fresh {
            let ids: Vec<u32> = counts
                .stems
                .into_iter()
                .map(|stem| match self.ids.get(&stem) {
                    Some(&id) => id,
                    None => {
                        let id = self.names.len() as u32;
                        self.names.push(stem.clone());
                        self.ids.insert(stem, id);
                        self.uses.push(0);
                        id
                    }
                })
                .collect();
            for (&i, local) in chunk.iter().zip(counts.docs) {
                let mut doc: Vec<(u32, u32)> = local
                    .iter()
                    .map(|&(local, tf)| (ids[local as usize], tf))
                    .collect();
                doc.sort_unstable();
                for &(id, _) in &doc {
                    self.uses[id as usize] += 1;
                    vocabulary_changed |= self.uses[id as usize] == 1;
                }
                self.texts.insert(hashes[i], Arc::new(doc));
                self.added.push(hashes[i]);
            }
        }
        let live: std::collections::HashSet<u128> = hashes.iter().copied().collect();
        let uses = &mut self.uses;
        let dropped = &mut self.dropped;
        self.texts.retain(|h, doc| {
            let keep = live.contains(h);
            if !keep {
                *dropped += 1;
                for &(id, _) in doc.iter() {
                    uses[id as usize] -= 1;
                    vocabulary_changed |= uses[id as usize] == 0;
                }
            }
            keep
        });
        if vocabulary_changed {
            self.generation += 1;
            // Term ids follow the sorted order of the stems in use, as in
            // term_counts: the index and its float sums come out the same.
            let mut vocab: Vec<u32> = (0..self.names.len() as u32)
                .filter(|&id| self.uses[id as usize] > 0)
                .collect();
            vocab
                .par_sort_unstable_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
            self.term_of = vec![u32::MAX; self.names.len()];
            for (t, &id) in vocab.iter().enumerate() {
                self.term_of[id as usize] = t as u32;
            }
            self.vocab_len = vocab.len();
            self.previous_vocab = std::mem::replace(&mut self.vocab, vocab);
            self.by_term.clear();
        }
        self.term_of.resize(self.names.len(), u32::MAX);
        self.by_term.retain(|h, _| live.contains(h));
        let missing: Vec<u128> = live
            .iter()
            .filter(|h| !self.by_term.contains_key(h))
            .copied()
            .collect();
        let remapped: Vec<(u128, Arc<TermFrequencies>)> = missing
            .par_iter()
            .map(|h| {
                let mut t: Vec<(u32, u32)> = self.texts[h]
                    .iter()
                    .map(|&(id, tf)| (self.term_of[id as usize], tf))
                    .collect();
                t.sort_unstable();
                (*h, Arc::new(t))
            })
            .collect();
        self.by_term.extend(remapped);
        let counts = hashes
            .iter()
            .map(|h| Arc::clone(&self.by_term[h]))
            .collect();
        (counts, self.vocab_len)
    }
}

impl RelatedMemo {
    /// A memo that knows the stems of these texts (saved by an earlier
    /// build) and nothing else yet.
    pub fn start_from(&mut self, stems: StemMemo) {
        self.stems = stems;
    }
}

pub(super) struct MemoEntry {
    pub(super) source: Arc<str>,
    /// Hash of its source, time and features.
    pub(super) inputs: u128,
    pub(super) time: i64,
    /// Its features by key (see [`feature_label`]). Labels and sources
    /// are shared between the entries made by one call: at 100,000
    /// briefings, copied, they were 0.26 GB held to the end of a build.
    pub(super) features: Vec<Arc<str>>,
    /// [`text_hash`] of its text.
    pub(super) text: u128,
    /// The [`Bar`] of its list.
    pub(super) bar: Bar,
    /// The candidates its list was chosen from.
    pub(super) candidates: Option<Candidates>,
    pub(super) list: Vec<(Arc<str>, f64, Vec<Arc<str>>)>,
    /// Its term vector, in the term ids of [`StemMemo::generation`] as of
    /// [`RelatedMemo::vectors_generation`].
    pub(super) vector: Option<Arc<TermVector>>,
}

/// What [`rank_with_memo`] does before it needs the hubs: a one-off
/// build does it beside them ([`RelatedMemo::prepare`]).
pub(super) struct Prepared {
    /// Each text hashed once: for the stem memo and for the memo entries.
    text_hashes: Vec<u128>,
    /// Positions oldest first, as build_index orders them (newest first,
    /// ties by index) reversed.
    order: Vec<usize>,
    /// The same briefings at the same times, in the same order, as the
    /// last call's: only texts and features can have changed.
    same_places: bool,
    /// Then, the briefings whose text changed, with their stem counts of
    /// the last call, taken before the stem memo drops them.
    edited: Option<Vec<(usize, StemCounts)>>,
    /// Every text's term counts ([`StemMemo::term_counts`]). The index is
    /// made from them later, in the ranking: a one-off build has let the
    /// texts go by then, and the index and the texts are not held at once.
    counts: TermCounts,
}

/// See [`Prepared`]. `docs` need not have their features.
pub(super) fn prepare(
    briefings: &[Briefing],
    docs: &[RankDoc],
    options: &LinkOptions,
    memo: &mut RelatedMemo,
) -> Prepared {
    let n = docs.len();
    let past = options.related_scope == RelatedScope::Past;
    let text_hashes: Vec<u128> = briefings.par_iter().map(text_hash).collect();
    crate::trace::lap("related.text_hashes");
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| docs[b].time.cmp(&docs[a].time).then(a.cmp(&b)));
    order.reverse();
    let same_places = past
        && !memo.lists_only
        && memo.options == (options.related_briefings, past)
        && memo.oldest_first.len() == n
        && order.iter().enumerate().all(|(pos, &i)| {
            let e = &memo.oldest_first[pos];
            e.time == docs[i].time && *e.source == *briefings[i].page.source
        });
    let edited: Option<Vec<(usize, StemCounts)>> = if same_places {
        order
            .iter()
            .enumerate()
            .filter(|&(pos, &i)| memo.oldest_first[pos].text != text_hashes[i])
            .map(|(pos, &i)| {
                let before = memo.stems.texts.get(&memo.oldest_first[pos].text)?;
                Some((i, Arc::clone(before)))
            })
            .collect()
    } else {
        None
    };
    crate::trace::lap("related.order");
    let counts = memo.stems.term_counts(docs, &text_hashes);
    crate::trace::lap("related.term_counts");
    Prepared {
        text_hashes,
        order,
        same_places,
        edited,
        counts,
    }
}

/// [`rank`], reusing the lists of the oldest briefings when they and
/// everything older are unchanged since the last call (see [`RelatedMemo`]),
/// and, when only texts changed, every list that reads no changed vector
/// (see [`readers`]).
pub(super) fn rank_with_memo(
    briefings: &[Briefing],
    docs: &[RankDoc],
    hubs: &HubSet,
    bonus: &[f32],
    options: &LinkOptions,
    memo: &mut RelatedMemo,
    same_indices: bool,
) -> (Vec<Vec<Ranked>>, Vec<bool>) {
    let n = docs.len();
    let k = options.related_briefings;
    let past = options.related_scope == RelatedScope::Past;
    let Prepared {
        text_hashes,
        order,
        same_places,
        edited,
        counts,
    } = match memo.prepared.take() {
        Some(prepared) if prepared.text_hashes.len() == n => prepared,
        _ => prepare(briefings, docs, options, memo),
    };
    // Everything else a list depends on: source, time, features.
    let inputs: Vec<u128> = briefings
        .par_iter()
        .zip(docs)
        .map(|(b, d)| {
            let mut h = crate::cache::StableHasher::default();
            h.field(b.page.source.as_bytes()).number(d.time as u64);
            for &f in &d.features {
                h.field(feature_label(hubs, f).as_bytes());
            }
            h.finish()
        })
        .collect();
    let same_options = memo.options == (k, past);
    let same_entry = |pos: usize, i: usize| {
        memo.oldest_first.get(pos).is_some_and(|e| {
            e.inputs == inputs[i]
                && e.text == text_hashes[i]
                && *e.source == *briefings[i].page.source
        })
    };
    // The longest run of oldest briefings equal to the last build's, then
    // cut back to a time boundary: a briefing's list also draws on the
    // briefings of its own time.
    let mut unchanged = 0;
    if past && same_options {
        while unchanged < n && same_entry(unchanged, order[unchanged]) {
            unchanged += 1;
        }
        while unchanged > 0
            && unchanged < n
            && docs[order[unchanged]].time == docs[order[unchanged - 1]].time
        {
            unchanged -= 1;
        }
    }
    // Only texts and features changed (`same_places`): what those whose
    // features changed gained or lost.
    // Feature ids by key, made at most once and only when needed (a text
    // edit changes no features and keeps the hubs).
    let feature_ids = std::cell::OnceCell::new();
    let feature_of = || -> &FastMap<&str, u32> {
        feature_ids.get_or_init(|| {
            (0..hubs.feature_keys.len() as u32)
                .map(|f| (feature_label(hubs, f), f))
                .collect()
        })
    };
    let (refeatured, moved_features): (Vec<usize>, Vec<(usize, u32)>) = if same_places {
        // (position, briefing) of those whose features changed.
        let changed: Vec<(usize, usize)> = order
            .iter()
            .enumerate()
            .filter(|&(pos, &i)| memo.oldest_first[pos].inputs != inputs[i])
            .map(|(pos, &i)| (pos, i))
            .collect();
        let mut moved = Vec::new();
        for &(pos, i) in &changed {
            let e = &memo.oldest_first[pos];
            let had: Vec<u32> = e
                .features
                .iter()
                .filter_map(|l| feature_of().get(&**l).copied())
                .collect();
            let has = &docs[i].features;
            // A feature no briefing has any more is not read by anyone;
            // one it gained always exists.
            moved.extend(has.iter().filter(|f| !had.contains(f)).map(|&f| (i, f)));
            moved.extend(had.iter().filter(|f| !has.contains(f)).map(|&f| (i, f)));
        }
        (changed.into_iter().map(|c| c.1).collect(), moved)
    } else {
        (Vec::new(), Vec::new())
    };
    crate::trace::lap("related.inputs");
    // A briefing whose features changed is read again like one whose
    // vector did (its vector is weighed again, to the same values).
    // A memo from disk has no vectors: the edits make the last ones again.
    let edited_before = match (
        &edited,
        memo.oldest_first.iter().any(|e| e.vector.is_none()),
    ) {
        (Some(edited), true) => Some(edited.clone()),
        _ => None,
    };
    let changed = edited
        .and_then(|edited| {
            // The last index, when in this call's term ids.
            let last = memo
                .index
                .as_ref()
                .filter(|_| memo.vectors_generation == memo.stems.generation);
            changed_vectors(docs, &counts, &memo.stems, &text_hashes, edited, last)
        })
        .map(|mut changes| {
            for &i in &refeatured {
                changes.changed[i] = true;
            }
            changes
        });
    let mut wanted = vec![true; n];
    for &i in &order[..unchanged] {
        wanted[i] = false;
    }
    // The term vectors of briefings not changed are the same too, in
    // this vocabulary's term ids (renumbered when a stem came or went).
    let same_terms = memo.vectors_generation == memo.stems.generation;
    let one_behind = memo.vectors_generation + 1 == memo.stems.generation;
    let stems = &memo.stems;
    let in_these_terms = |v: &Option<Arc<TermVector>>| -> Option<Arc<TermVector>> {
        let v = v.as_ref()?;
        if same_terms {
            Some(Arc::clone(v))
        } else if one_behind {
            Some(Arc::new(stems.renumber(v)))
        } else {
            None
        }
    };
    let known: Vec<Option<Arc<TermVector>>> = {
        let mut known = vec![None; n];
        let kept: Vec<(usize, usize)> = order
            .iter()
            .enumerate()
            .filter(|&(pos, &i)| match &changed {
                Some(c) => !c.changed[i],
                None => pos < unchanged,
            })
            .map(|(pos, &i)| (pos, i))
            .collect();
        let vectors: Vec<Option<Arc<TermVector>>> = kept
            .par_iter()
            .map(|&(pos, _)| in_these_terms(&memo.oldest_first[pos].vector))
            .collect();
        for ((_, i), v) in kept.into_iter().zip(vectors) {
            known[i] = v;
        }
        known
    };
    let moved;
    let wanted = match changed {
        Some(VectorChanges {
            changed: vector_changed,
            moved: moved_terms,
        }) => {
            moved = moved_terms;
            // The last vectors of the changed, in this build's term ids.
            let before = (same_terms || one_behind).then(|| {
                let mut before = Before {
                    vectors: vec![None; n],
                    bars: vec![None; n],
                    candidates: vec![None; n],
                };
                for (pos, &i) in order.iter().enumerate() {
                    let e = &memo.oldest_first[pos];
                    if vector_changed[i] {
                        before.vectors[i] = in_these_terms(&e.vector);
                    }
                    before.bars[i] = e.bar;
                    before.candidates[i] = e.candidates.clone();
                }
                before
            });
            Wanted::ReadersOf {
                changed: vector_changed,
                moved: &moved,
                moved_features: &moved_features,
                before,
                edited: edited_before.map(|before| super::before::Edited {
                    before,
                    names: &memo.stems.names,
                    term_of: &memo.stems.term_of,
                    vocab: &memo.stems.vocab,
                }),
            }
        }
        None => Wanted::Mask(wanted),
    };
    // The last index is in this call's term ids only if the vocabulary is
    // the same.
    let last_index = std::mem::take(&mut memo.index).filter(|_| same_terms);
    if memo.last_call {
        // No next call reads the counts by term id (the stems are saved
        // by interned id): the index alone holds them, until its vectors
        // are made.
        memo.stems.by_term = HashMap::new();
    }
    let Ranking {
        lists: mut ranked,
        vectors,
        bars,
        candidates,
        ranked: wanted,
        rescored,
        index,
    } = rank_with_vectors(
        docs,
        bonus,
        options.related_scope,
        k,
        wanted,
        Known {
            counts: Some(counts),
            vectors: Some(&known),
            index: last_index,
        },
    );
    memo.index = index.filter(|_| !memo.last_call);
    memo.ranked = wanted.iter().filter(|w| **w).count();
    memo.rescored = rescored;
    let vector_of = |i: usize| vectors.get(i).cloned();
    crate::trace::lap("related.rank");
    // The caller takes reused lists from its last output when the indices
    // are the same, except those sharing a moved feature (their reasons
    // are made again); the others are mapped back from the memo by name.
    let mut restated = vec![false; n];
    if same_indices && !memo.moved_features.is_empty() {
        // Feature id -> from when its count moved, as `i`'s list counts.
        let ids = feature_of();
        let moved: FastMap<u32, i64> = memo
            .moved_features
            .iter()
            .filter_map(|(key, time)| Some((*ids.get(key.as_str())?, *time)))
            .collect();
        let moved_for =
            |i: usize, f: u32| moved.get(&f).is_some_and(|&t| !past || docs[i].time >= t);
        for (pos, &i) in order.iter().enumerate() {
            // Its list's shared features are among its own: most
            // briefings have none that moved, or are older than the move.
            if wanted[i] || !docs[i].features.iter().any(|&f| moved_for(i, f)) {
                continue;
            }
            restated[i] = memo.oldest_first[pos].list.iter().any(|(_, _, common)| {
                common
                    .iter()
                    .any(|c| ids.get(&**c).is_some_and(|&f| moved_for(i, f)))
            });
        }
    }
    crate::trace::count("related.restated", restated.iter().filter(|r| **r).count());
    crate::trace::lap("related.restated");
    if !same_indices || restated.contains(&true) {
        let index_of: FastMap<&str, usize> = briefings
            .iter()
            .enumerate()
            .map(|(i, b)| (b.page.source.as_str(), i))
            .collect();
        let feature_of = feature_of();
        let reused: Vec<(usize, Vec<Ranked>)> = order
            .par_iter()
            .enumerate()
            .filter(|&(_, &i)| !wanted[i] && (!same_indices || restated[i]))
            .map(|(pos, &i)| {
                let list = memo.oldest_first[pos]
                    .list
                    .iter()
                    .map(|(target, score, common)| {
                        // A list not ranked again is an unchanged briefing's
                        // and selects only unchanged briefings (see readers):
                        // their shared features exist in this build.
                        let mut ids: Vec<u32> = common.iter().map(|c| feature_of[&**c]).collect();
                        ids.sort_unstable();
                        (index_of[&**target], *score, ids)
                    })
                    .collect();
                (i, list)
            })
            .collect();
        for (i, list) in reused {
            ranked[i] = list;
        }
    }
    memo.options = (k, past);
    crate::trace::lap("related.reuse");
    // Entries of reused lists stay (their vectors brought to this
    // vocabulary); the others are made again.
    let mut last = std::mem::take(&mut memo.oldest_first).into_iter();
    let mut entries = Vec::with_capacity(n);
    // The entries replaced, freed elsewhere (see `drop_later`).
    let mut replaced = Vec::new();
    // The new entries are made first, in parallel: each shares its
    // briefing's feature names and its list's sources and reasons.
    let kept_entries = last.len();
    let any_made = order
        .iter()
        .enumerate()
        .any(|(pos, &i)| pos >= kept_entries || wanted[i]);
    let (labels, sources): (Vec<Arc<str>>, Vec<Arc<str>>) = if any_made {
        (
            hubs.feature_keys
                .iter()
                .map(|k| Arc::from(k.as_str()))
                .collect(),
            briefings
                .iter()
                .map(|b| Arc::from(b.page.source.as_str()))
                .collect(),
        )
    } else {
        Default::default()
    };
    let mut made: Vec<Option<MemoEntry>> = order
        .par_iter()
        .enumerate()
        .map(|(pos, &i)| {
            if pos < kept_entries && !wanted[i] {
                return None;
            }
            Some(MemoEntry {
                source: Arc::clone(&sources[i]),
                inputs: inputs[i],
                time: docs[i].time,
                features: docs[i]
                    .features
                    .iter()
                    .map(|&f| Arc::clone(&labels[f as usize]))
                    .collect(),
                text: text_hashes[i],
                list: ranked[i]
                    .iter()
                    .map(|(target, score, common)| {
                        (
                            Arc::clone(&sources[*target]),
                            *score,
                            common
                                .iter()
                                .map(|&f| Arc::clone(&labels[f as usize]))
                                .collect(),
                        )
                    })
                    .collect(),
                vector: vector_of(i),
                bar: bars[i],
                candidates: candidates[i].clone(),
            })
        })
        .collect();
    for (&i, made) in order.iter().zip(&mut made) {
        let old = last.next();
        let entry = match (old, made.take()) {
            (old, Some(new)) => {
                replaced.extend(old);
                new
            }
            (Some(mut e), None) => {
                // Its bar too is the same: no changed document was or
                // is in its selection.
                e.text = text_hashes[i];
                if !same_terms || e.vector.is_none() {
                    e.vector = vector_of(i);
                }
                e
            }
            (None, None) => unreachable!("an entry is made for every position past the last"),
        };
        entries.push(entry);
    }
    crate::drop_later::drop_later((replaced, last));
    crate::trace::lap("related.entries");
    // Entries kept from lists-only ones still lack their ranking state.
    memo.lists_only = memo.lists_only && order.iter().any(|&i| !wanted[i]);
    memo.oldest_first = entries;
    memo.vectors_generation = memo.stems.generation;
    let reused = wanted
        .iter()
        .zip(&restated)
        .map(|(w, r)| !w && !r)
        .collect();
    (ranked, reused)
}

/// When only the texts of `edited` (document, its stem counts of the last
/// call) changed: which documents' term vectors changed, and the
/// (document, term) pairs of terms an edited document gained or lost.
/// Under "past" a document's vector depends on its own counts and on the
/// document frequencies, up to its time, of its terms: those move only for
/// the terms an edit added or removed, and only from the edited document's
/// time on. None when an edited text's counts are not known.
pub(super) fn changed_vectors(
    docs: &[RankDoc],
    counts: &TermCounts,
    stems: &StemMemo,
    text_hashes: &[u128],
    edited: Vec<(usize, StemCounts)>,
    last: Option<&Index>,
) -> Option<VectorChanges> {
    let n = docs.len();
    let edited_docs: Vec<usize> = edited.iter().map(|(i, _)| *i).collect();
    let mut is_edited = vec![false; n];
    for &i in &edited_docs {
        is_edited[i] = true;
    }
    // The documents that have a term now, as (time, document), times
    // ascending: those the last index lists, whose texts are unchanged
    // unless edited, and the edited ones that have it; without that index,
    // all that have it.
    let having = |term: u32| -> Vec<(i64, usize)> {
        let has_it = |i: usize| counts.0[i].binary_search_by_key(&term, |e| e.0).is_ok();
        let Some(index) = last.filter(|index| (term as usize) < index.n_terms) else {
            let mut with: Vec<(i64, usize)> = (0..n)
                .filter(|&i| has_it(i))
                .map(|i| (docs[i].time, i))
                .collect();
            with.sort_unstable();
            return with;
        };
        let t = term as usize;
        let list = &index.term_postings[index.term_offsets[t]..index.term_offsets[t + 1]];
        // Postings are newest first: reversed, times ascend.
        let mut with: Vec<(i64, usize)> = list
            .iter()
            .rev()
            .map(|&(p, _)| index.order[p as usize])
            .filter(|&i| !is_edited[i])
            .map(|i| (docs[i].time, i))
            .collect();
        for &i in edited_docs.iter().filter(|&&i| has_it(i)) {
            let at = with.partition_point(|w| w.0 <= docs[i].time);
            with.insert(at, (docs[i].time, i));
        }
        with
    };
    let mut changed = vec![false; n];
    let mut moved = Vec::new();
    // (term id, time of the edit, +1 gained or -1 lost): the term's
    // document frequency moved for documents at or after that time.
    let mut since: Vec<(u32, i64, i64)> = Vec::new();
    for (i, before) in edited {
        changed[i] = true;
        let after = stems.texts.get(&text_hashes[i])?;
        let had: std::collections::HashSet<u32> = before.iter().map(|&(id, _)| id).collect();
        let has: std::collections::HashSet<u32> = after.iter().map(|&(id, _)| id).collect();
        for &id in had.symmetric_difference(&has) {
            // A stem no document has any more has no term id, and no
            // other document's vector used it.
            let Some(&term) = stems.term_of.get(id as usize).filter(|t| **t != u32::MAX) else {
                continue;
            };
            since.push((term, docs[i].time, if has.contains(&id) { 1 } else { -1 }));
            moved.push((i, term));
        }
    }
    // A later document with the term weighs it with the quantized
    // frequency up to its time: its vector changed if that did.
    since.sort_unstable();
    let terms: Vec<u32> = {
        let mut t: Vec<u32> = since.iter().map(|s| s.0).collect();
        t.dedup();
        t
    };
    let moved_by: Vec<Vec<usize>> = terms
        .par_iter()
        .map(|&term| {
            let edits = &since
                [since.partition_point(|s| s.0 < term)..since.partition_point(|s| s.0 <= term)];
            let mut with = having(term);
            // (Times ascend unless a date changed since the last index.)
            if !with.is_sorted_by_key(|w| w.0) {
                with.sort_unstable();
            }
            let mut out = Vec::new();
            let mut k = 0;
            while k < with.len() {
                let time = with[k].0;
                let end = k + with[k..].partition_point(|w| w.0 == time);
                // Documents up to this time with the term, now and before.
                let now = end as i64;
                let then = now
                    - edits
                        .iter()
                        .filter(|e| e.1 <= time)
                        .map(|e| e.2)
                        .sum::<i64>();
                if quantized_df(now as u32) != quantized_df(then as u32) {
                    out.extend(with[k..end].iter().map(|w| w.1));
                }
                k = end;
            }
            out
        })
        .collect();
    for i in moved_by.into_iter().flatten() {
        changed[i] = true;
    }
    Some(VectorChanges { changed, moved })
}
