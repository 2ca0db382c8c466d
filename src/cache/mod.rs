//! The analysis cache (issue 7): analysis results keyed by a stable hash of
//! everything the analysis reads, kept in memory while serving and on disk
//! under `.briefing-cache/` for `build`, so unchanged articles are not
//! analysed again.
//!
//! The key of one briefing hashes: the cache format and crate version, the
//! analysis options for that page, the aliases, the title, the plain text,
//! and the corpus *as that document sees it*: the number of documents and
//! the document frequency of each term of the document (words and short
//! phrases, as [`CorpusStats::from_documents`] counts them). That last part
//! rests on an invariant of the analysis: it consults the corpus only for
//! terms of the document itself (idf of its words, how many documents use
//! its phrases), and the document count. Editing one briefing then
//! invalidates only the briefings that share a term whose frequency changed.
//!
//! The disk cache is one file, `analysis.bin`: a header line naming the
//! format and the crate version, then one record per entry: its key (16
//! bytes), the length of the analysis (4 bytes), the analysis in
//! postcard's binary form, and a checksum of the record (8 bytes). New
//! entries are appended; a record that does not check out (one cut short
//! by a crash) ends the reading, and the next save writes the file anew;
//! a file with another header is ignored; nothing about the cache is ever
//! fatal. Rewritten through a temporary file renamed over the old one, it
//! holds only the entries the last build used, so it does not grow
//! without bound. (JSON lines, before, took 0.1 s of CPU to read at 10,000
//! briefings, most of it parsing floats exactly.)

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3Default;

use crate::fast_hash::{FastMap, FastSet};

use crate::analysis::{
    document_terms, quantized_df, Aliases, Analysis, AnalysisOptions, CorpusStats, Document,
};
use crate::content::{self, Content, LoadOptions, CONTENT_DIR};
use crate::diagnostics::Diagnostic;
use crate::output::Bytes;

pub(crate) mod inline_links;
pub mod pages;
pub(crate) mod related;
pub(crate) mod search_terms;
pub(crate) mod stems;
mod terms;

/// The cache directory under a site root.
pub const CACHE_DIR: &str = ".briefing-cache";
/// Bump when the meaning of a key or the stored format changes.
const FORMAT: &str = "briefing-analysis-cache v5";
const FILE: &str = "analysis.bin";

/// A stable 128-bit hash (XXH3-128): the same bytes give the same value on
/// every machine, run and Rust version, unlike std's `DefaultHasher`. Not
/// keyed: keys come from our own content, and the memos hash hundreds of
/// megabytes per rebuild, so speed matters more than flooding resistance.
///
/// Most hashes are of a few short fields (a render memo's key, a page's
/// inputs), made tens of thousands of times per rebuild. Setting up XXH3's
/// streaming state costs more than hashing those, so the first
/// [`SMALL_INPUT`] bytes are gathered here and hashed in one call; the
/// streaming state is made only for longer input. Both give XXH3-128 of
/// the bytes written.
///
/// Longer input too is gathered [`SMALL_INPUT`] bytes at a time before it
/// goes to the streaming state: most writes are eight-byte numbers and
/// short fields, and a copy into the buffer (inlined, of a known length for
/// a number) costs far less than a call into the state per write.
#[derive(Clone)]
pub struct StableHasher {
    small: [u8; SMALL_INPUT],
    len: usize,
    streaming: Option<Box<Xxh3Default>>,
}

/// Input up to this length is hashed in one call (XXH3's fast path for
/// short input goes to 240 bytes).
const SMALL_INPUT: usize = 240;

impl Default for StableHasher {
    fn default() -> StableHasher {
        StableHasher {
            small: [0; SMALL_INPUT],
            len: 0,
            streaming: None,
        }
    }
}

impl StableHasher {
    /// Adds a length-prefixed field, so that ("ab", "c") and ("a", "bc") differ.
    #[inline]
    pub fn field(&mut self, bytes: &[u8]) -> &mut Self {
        self.write(&(bytes.len() as u64).to_le_bytes());
        self.write(bytes);
        self
    }
    #[inline]
    pub fn number(&mut self, n: u64) -> &mut Self {
        self.write(&n.to_le_bytes());
        self
    }
    /// Adds a 128-bit number (another hash): its low half, then its high
    /// half, as two [`StableHasher::number`]s.
    #[inline]
    pub fn wide(&mut self, n: u128) -> &mut Self {
        self.number(n as u64).number((n >> 64) as u64)
    }
    pub fn finish(&self) -> u128 {
        match &self.streaming {
            Some(state) if self.len == 0 => state.digest128(),
            Some(state) => {
                let mut state = state.clone();
                state.update(&self.small[..self.len]);
                state.digest128()
            }
            None => xxhash_rust::xxh3::xxh3_128(&self.small[..self.len]),
        }
    }
    /// Raw bytes, without a length prefix (serialised output streamed in).
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() <= SMALL_INPUT {
            self.small[self.len..self.len + bytes.len()].copy_from_slice(bytes);
            self.len += bytes.len();
        } else {
            self.spill(bytes);
        }
    }
    /// The buffer is full: what it holds goes to the streaming state, and
    /// `bytes` too when they would fill it again.
    #[inline(never)]
    fn spill(&mut self, bytes: &[u8]) {
        let state = self
            .streaming
            .get_or_insert_with(|| Box::new(Xxh3Default::new()));
        state.update(&self.small[..self.len]);
        self.len = 0;
        if bytes.len() >= SMALL_INPUT {
            state.update(bytes);
        } else {
            self.small[..bytes.len()].copy_from_slice(bytes);
            self.len = bytes.len();
        }
    }
}

/// Hash of one byte string.
pub fn hash_bytes(bytes: &[u8]) -> u128 {
    StableHasher::default().field(bytes).finish()
}

/// What the analyse stage keeps between builds. `build` starts from
/// [`Caches::open`] (disk entries loaded); `serve` keeps one for its life.
#[derive(Default)]
pub struct Caches {
    pub analysis: AnalysisCache,
    /// Body hash -> plain text (Markdown stripped) and its [`hash_bytes`].
    texts: FastMap<u128, (Arc<String>, u128)>,
    /// Document hash (title, text) -> its distinct terms (words and
    /// phrases) as [`term_hash`]es, sorted.
    words: FastMap<u128, Arc<Vec<u64>>>,
    /// The corpus of the last build, kept to update it by difference.
    corpus: Option<CorpusState>,
    /// Parsed content files (`serve` only).
    pub content: Option<ContentCache>,
    /// The content, read while the caches were (see `build`), with the
    /// options it was read with.
    pub read_content: Option<(
        crate::content::LoadOptions,
        (crate::content::Content, Vec<crate::diagnostics::Diagnostic>),
    )>,
    /// Rendered pages and bodies (`serve` only).
    pub render: Option<RenderMemo>,
    /// Related lists of the last build (`serve` only).
    pub link: Option<crate::linking::LinkMemo>,
    /// The related lists and the texts' stems, from the cache directory
    /// (`build` only: `serve` keeps the stems in `link`).
    pub related: Option<crate::linking::RelatedMemo>,
    stems_file: Option<stems::StemFile>,
    /// The briefings' search terms from the cache directory (`build`
    /// only: `serve` makes the index after the reload, from scratch), and
    /// what this build adds to them.
    pub search_terms: Option<search_terms::SearchTermFile>,
    pub search_update: Option<search_terms::Update>,
    /// The last written build's link check (`build` only), and this
    /// build's, to save once it is written.
    pub link_state: Option<crate::output::LinkState>,
    pub next_link_state: Option<crate::output::LinkState>,
    /// The templates, compiled, with their [`templates_fingerprint`]: a
    /// rebuild with the same templates does not parse them again.
    pub templates: Option<(u128, Arc<tera::Tera>)>,
    /// Leave the check of internal links to the caller
    /// ([`crate::build::link_problems`]): `serve` runs it after the reload.
    pub defer_link_check: bool,
    /// Leave the search index out of the build's files, to be made by
    /// [`crate::build::Built::search_files`]: `serve` builds it after the reload.
    pub defer_search: bool,
    /// The term lists file, when they were loaded from the cache directory.
    terms_file: Option<terms::TermFile>,
    /// Set by [`Caches::analysis_keys`]: per document, its key in the last
    /// call when the document and its options are the same but the key is
    /// not (a word's frequency in the rest of the site moved a step).
    pub previous_keys: Vec<Option<u128>>,
    /// Record newly made term lists and stems in the cache directory (a
    /// `build` that writes; `check` and `serve` only read them).
    pub persist_terms: bool,
    /// Why the term lists or the stems could not be recorded, for the
    /// build to warn.
    pub terms_error: Option<io::Error>,
    pub stems_error: Option<io::Error>,
    /// The related lists being saved beside the rendering (see
    /// [`Caches::done_with_related`]); joined by [`Caches::related_saved`].
    related_save: Option<std::thread::JoinHandle<io::Result<()>>>,
    /// Forget each document's words, the corpus and the plain texts once the
    /// analysis keys are made: a one-off `build` will not update them by
    /// difference, and at 10,000 briefings the word lists (phrases
    /// included) are hundreds of megabytes held through rendering.
    one_off: bool,
}

struct CorpusState {
    /// Document hash -> how many documents have it.
    docs: FastMap<u128, usize>,
    stats: Arc<CorpusStats>,
    /// Hash of (options, aliases) the keys below were made with.
    context: u128,
    /// Document hash + per-page options hash -> analysis key.
    keys: FastMap<(u128, u128), u128>,
}

impl Caches {
    /// In memory only.
    pub fn in_memory() -> Caches {
        Caches::default()
    }

    /// Whether these caches serve one build and no other (see `one_off`).
    pub fn is_one_off(&self) -> bool {
        self.one_off
    }

    /// With the disk cache of `root` loaded (an unreadable cache is empty).
    pub fn open(root: &Path) -> Caches {
        Caches::read(root, true)
    }

    /// The disk cache of `root`; the search terms and the related lists
    /// only `with_build_files` (`serve` makes its search index from
    /// scratch and keeps its own related memo: it does not read them).
    fn read(root: &Path, with_build_files: bool) -> Caches {
        let dir = root.join(CACHE_DIR);
        // The files are independent: read side by side.
        let (
            (analysis, ((words, terms_file), inline)),
            ((stems, stems_file), (search_terms, lists)),
        ) = rayon::join(
            || {
                rayon::join(
                    || AnalysisCache::open(&dir),
                    || {
                        rayon::join(
                            || terms::load(&dir),
                            || with_build_files.then(|| inline_links::load(&dir)),
                        )
                    },
                )
            },
            || {
                rayon::join(
                    || stems::load(&dir),
                    || {
                        rayon::join(
                            || with_build_files.then(|| search_terms::load(&dir)),
                            || with_build_files.then(|| related::load(&dir)).flatten(),
                        )
                    },
                )
            },
        );
        let mut related = match lists {
            Some((options, lists)) => {
                crate::linking::RelatedMemo::from_saved(stems, options, lists)
            }
            None => {
                let mut memo = crate::linking::RelatedMemo::default();
                memo.start_from(stems);
                memo
            }
        };
        // A build ranks once with it; `serve` takes only its stems.
        related.last_call = true;
        related.inline = inline.unwrap_or_default();
        Caches {
            analysis,
            related: Some(related),
            stems_file: Some(stems_file),
            search_terms,
            words,
            terms_file: Some(terms_file),
            one_off: true,
            ..Caches::default()
        }
    }

    /// For a process that builds the same site again and again (`serve`):
    /// the disk cache of analyses plus memos of parsed files and rendered
    /// pages, so that a rebuild only redoes what a change affects.
    pub fn for_serve(root: &Path) -> Caches {
        let mut caches = Caches::read(root, false);
        let mut link = crate::linking::LinkMemo::default();
        if let Some(mut related) = caches.related.take() {
            // The stems only: serve ranks every list once and then keeps
            // in memory what the saved lists lack (the vectors, the index).
            link.related.start_from(related.take_stems());
        }
        Caches {
            content: Some(ContentCache::default()),
            render: Some(RenderMemo::default()),
            link: Some(link),
            defer_link_check: true,
            defer_search: true,
            one_off: false,
            ..caches
        }
    }

    /// Saves the analysis cache ([`AnalysisCache::save`]) and the search
    /// terms this build counted (`search.bin`), side by side: they write
    /// different files.
    pub fn save_analyses_and_search_terms(&mut self) -> (io::Result<()>, io::Result<()>) {
        let Caches {
            analysis,
            search_terms,
            search_update,
            ..
        } = self;
        let update = search_update.take();
        rayon::join(
            || analysis.save(),
            || match (search_terms.as_mut(), update) {
                (Some(file), Some(update)) => file.save(&update),
                _ => Ok(()),
            },
        )
    }

    /// Once the related lists are made: saves them and the texts' stems
    /// in the cache directory they came from, if [`Caches::persist_terms`]
    /// (the stems when this build stemmed texts the file did not have or
    /// dropped some), and forgets them (tens of megabytes at 10,000
    /// briefings, not held through rendering).
    pub fn done_with_related(&mut self, root: &Path) {
        let Some(mut memo) = self.related.take() else {
            return;
        };
        if !self.persist_terms {
            return;
        }
        if let Some(file) = self.stems_file.as_mut() {
            if let Err(e) = stems::save(memo.take_stems(), file) {
                self.stems_error = Some(e);
            }
        }
        crate::trace::lap("save.stems");
        let inline = memo.inline.take_encoded();
        let lists_changed = memo.lists_changed();
        if lists_changed || inline.is_some() {
            // On a thread of its own, beside the rendering: 16 MB at
            // 10,000 briefings (the lists and the inline links).
            let dir = root.join(CACHE_DIR);
            self.related_save = Some(std::thread::spawn(move || {
                let inline = inline.map_or(Ok(()), |records| inline_links::save(&dir, &records));
                let lists = if lists_changed {
                    let (options, lists) = memo.saved_lists();
                    related::save(&dir, options, &lists)
                } else {
                    Ok(())
                };
                lists.and(inline)
            }));
        } else {
            crate::drop_later::drop_later(memo);
        }
    }

    /// Waits for the related lists to be saved (see
    /// [`Caches::done_with_related`]), noting why they could not be.
    pub fn related_saved(&mut self) {
        if let Some(saving) = self.related_save.take() {
            let result = saving.join().unwrap_or_else(|_| {
                Err(io::Error::other(
                    "the thread saving the related lists failed",
                ))
            });
            if let Err(e) = result {
                self.stems_error.get_or_insert(e);
            }
            crate::trace::lap("save.related");
        }
    }

    /// The plain text of each page's body and its [`hash_bytes`], both
    /// computed once per distinct body.
    pub fn plain_texts(&mut self, pages: &[Arc<crate::content::Page>]) -> Vec<(Arc<String>, u128)> {
        let bodies: Vec<&str> = pages.iter().map(|p| p.body.as_str()).collect();
        let hashes: Vec<u128> = pages.par_iter().map(|p| p.body_hash()).collect();
        let missing: Vec<(u128, &str)> = hashes
            .iter()
            .zip(&bodies)
            .filter(|(h, _)| !self.texts.contains_key(h))
            .map(|(h, b)| (*h, *b))
            .collect();
        let computed: Vec<(u128, (Arc<String>, u128))> = missing
            .par_iter()
            .map(|(h, b)| {
                let text = crate::markdown::plain_text(b);
                let hash = hash_bytes(text.as_bytes());
                (*h, (Arc::new(text), hash))
            })
            .collect();
        self.texts.extend(computed);
        let out: Vec<(Arc<String>, u128)> = hashes
            .iter()
            .map(|h| {
                let (text, hash) = &self.texts[h];
                (Arc::clone(text), *hash)
            })
            .collect();
        // Forget bodies no longer in the site.
        if self.texts.len() > 2 * hashes.len() + 64 {
            let live: FastSet<u128> = hashes.into_iter().collect();
            self.texts.retain(|h, _| live.contains(h));
        }
        out
    }

    /// The analysis key of each document, and the corpus they were made
    /// against. `text_hashes` is [`hash_bytes`] of each document's text,
    /// `page_options` its analysis options.
    pub fn analysis_keys(
        &mut self,
        docs: &[Document],
        text_hashes: &[u128],
        page_options: &[AnalysisOptions],
        options: &AnalysisOptions,
        aliases: &Aliases,
    ) -> (Vec<u128>, Arc<CorpusStats>) {
        let doc_hashes: Vec<u128> = docs
            .par_iter()
            .zip(text_hashes)
            .map(|(d, text)| {
                let mut h = StableHasher::default();
                match d.title {
                    Some(t) => h.number(1).field(t.as_bytes()),
                    None => h.number(0),
                };
                h.wide(*text).finish()
            })
            .collect();
        crate::trace::lap("keys.doc_hashes");
        // Words of documents not seen before.
        let missing: Vec<(u128, &Document)> = {
            let mut seen = HashSet::new();
            doc_hashes
                .iter()
                .zip(docs)
                .filter(|(h, _)| !self.words.contains_key(h) && seen.insert(**h))
                .map(|(h, d)| (*h, d))
                .collect()
        };
        let computed: Vec<(u128, Arc<Vec<u64>>)> = missing
            .par_iter()
            .map(|(h, d)| (*h, Arc::new(document_terms(d))))
            .collect();
        let added: Vec<u128> = computed.iter().map(|(h, _)| *h).collect();
        self.words.extend(computed);
        crate::trace::lap("keys.words");
        if let (true, Some(file)) = (self.persist_terms, self.terms_file.as_mut()) {
            if let Err(e) = file.save(&self.words, &doc_hashes, &added) {
                self.terms_error = Some(e);
            }
            crate::trace::lap("keys.save_terms");
        }

        let context = {
            let mut h = StableHasher::default();
            h.field(FORMAT.as_bytes())
                .field(env!("CARGO_PKG_VERSION").as_bytes())
                .field(env!("BRIEFING_ANALYSIS_HASH").as_bytes())
                .field(&serde_json::to_vec(options).unwrap_or_default())
                .field(&serde_json::to_vec(aliases).unwrap_or_default());
            h.finish()
        };
        let mut counts: FastMap<u128, usize> =
            FastMap::with_capacity_and_hasher(doc_hashes.len(), Default::default());
        for h in &doc_hashes {
            *counts.entry(*h).or_insert(0) += 1;
        }
        let previous = self.corpus.take();
        let (stats, changed_words, reusable_keys) = match previous {
            Some(prev) => {
                let (stats, changed) = self.update_corpus(&prev, &counts);
                // The analysis sees the quantized count only.
                let same_n = stats.documents_seen() == prev.stats.documents_seen();
                let keys = if same_n && prev.context == context {
                    prev.keys
                } else {
                    FastMap::default()
                };
                (stats, changed, keys)
            }
            None => (self.corpus_from(&counts), Vec::new(), FastMap::default()),
        };
        crate::trace::lap("keys.corpus");
        let stats = Arc::new(stats);
        let option_hashes: Vec<u128> = page_options
            .par_iter()
            .map(|o| hash_bytes(&serde_json::to_vec(o).unwrap_or_default()))
            .collect();
        crate::trace::lap("keys.options");
        let words = &self.words;
        let (keys, previous_keys): (Vec<u128>, Vec<Option<u128>>) = doc_hashes
            .par_iter()
            .zip(option_hashes.par_iter())
            .map(|(doc, opts)| {
                let doc_words = &words[doc];
                let previous = reusable_keys.get(&(*doc, *opts)).copied();
                if let Some(key) = previous {
                    // Both sorted: search the longer for each of the shorter.
                    let (few, many) = if changed_words.len() < doc_words.len() {
                        (&changed_words[..], &doc_words[..])
                    } else {
                        (&doc_words[..], &changed_words[..])
                    };
                    let touched = few.iter().any(|w| many.binary_search(w).is_ok());
                    if !touched {
                        return (key, None);
                    }
                }
                let mut h = StableHasher::default();
                h.number((context >> 64) as u64)
                    .number(context as u64)
                    .number(*doc as u64)
                    .number((*doc >> 64) as u64)
                    .number(*opts as u64)
                    .number((*opts >> 64) as u64)
                    .number(stats.documents_seen() as u64);
                for &w in doc_words.iter() {
                    // The analysis sees quantized frequencies only.
                    h.number(w).number(stats.df_of(w) as u64);
                }
                let key = h.finish();
                (key, previous.filter(|p| *p != key))
            })
            .unzip();
        self.previous_keys = previous_keys;
        crate::trace::lap("keys.keys");
        let key_map: FastMap<(u128, u128), u128> = doc_hashes
            .iter()
            .zip(&option_hashes)
            .zip(&keys)
            .map(|((d, o), k)| ((*d, *o), *k))
            .collect();
        if self.one_off {
            self.words = FastMap::default();
            self.texts = FastMap::default();
            return (keys, stats);
        }
        if self.words.len() > 2 * counts.len() + 64 {
            self.words.retain(|h, _| counts.contains_key(h));
        }
        self.corpus = Some(CorpusState {
            docs: counts,
            stats: Arc::clone(&stats),
            context,
            keys: key_map,
        });
        (keys, stats)
    }

    fn corpus_from(&self, counts: &FastMap<u128, usize>) -> CorpusStats {
        let mut stats = CorpusStats::default();
        for (h, n) in counts {
            stats.add(&self.words[h], *n as u32);
        }
        stats
    }

    /// The new corpus from the previous one by difference, and the words
    /// whose frequency changed. Falls back to a full count when most
    /// documents changed.
    fn update_corpus(
        &self,
        prev: &CorpusState,
        counts: &FastMap<u128, usize>,
    ) -> (CorpusStats, Vec<u64>) {
        let mut delta: FastMap<u128, i64> = FastMap::default();
        for (h, n) in counts {
            let before = prev.docs.get(h).copied().unwrap_or(0);
            if *n != before {
                delta.insert(*h, *n as i64 - before as i64);
            }
        }
        for (h, n) in &prev.docs {
            if !counts.contains_key(h) {
                delta.insert(*h, -(*n as i64));
            }
        }
        let removed_words_known = delta
            .iter()
            .all(|(h, d)| *d > 0 || self.words.contains_key(h));
        if delta.len() * 4 > counts.len() || !removed_words_known {
            let stats = self.corpus_from(counts);
            // Everything may have changed: no key is reused.
            let mut all: Vec<u64> = stats.term_hashes().collect();
            all.sort_unstable();
            return (stats, all);
        }
        let mut stats = (*prev.stats).clone();
        let mut word_delta: FastMap<u64, i64> = FastMap::default();
        for (h, d) in &delta {
            stats.documents = (stats.documents as i64 + d) as usize;
            for &w in self.words[h].iter() {
                *word_delta.entry(w).or_insert(0) += d;
            }
        }
        let mut changed = Vec::new();
        for (w, d) in word_delta {
            if d == 0 {
                continue;
            }
            let (before, after) = stats.shift(w, d);
            // Keys hash what the analysis sees: a count that stays within
            // its quantization step changes no analysis.
            if quantized_df(before) != quantized_df(after) {
                changed.push(w);
            }
        }
        changed.sort_unstable();
        (stats, changed)
    }
}

/// Analyses by key: in memory, backed by a file when opened on a directory.
#[derive(Default)]
pub struct AnalysisCache {
    entries: FastMap<u128, Arc<Analysis>>,
    /// Keys looked up or added since the last save.
    used: FastSet<u128>,
    dir: Option<PathBuf>,
    /// Keys of the entries added since the last save.
    added: Vec<u128>,
    /// Entry records the file holds, used or not (`None`: no file of ours,
    /// or one to write anew).
    lines_in_file: Option<usize>,
    pub hits: usize,
    pub misses: usize,
}

impl AnalysisCache {
    /// Loads `dir/analysis.bin`, up to the first record that does not
    /// check out.
    pub fn open(dir: &Path) -> AnalysisCache {
        let mut cache = AnalysisCache {
            dir: Some(dir.to_path_buf()),
            ..AnalysisCache::default()
        };
        let Ok(bytes) = std::fs::read(dir.join(FILE)) else {
            return cache;
        };
        let Some(body) = bytes.strip_prefix(format!("{}\n", header()).as_bytes()) else {
            return cache;
        };
        let (records, whole) = analysis_records(body);
        let parsed: Vec<(u128, Analysis)> = records
            .par_iter()
            .filter_map(|(key, payload)| Some((*key, postcard::from_bytes(payload).ok()?)))
            .collect();
        // A damaged file is written anew at the next save, not appended to.
        cache.lines_in_file = (whole && parsed.len() == records.len()).then_some(records.len());
        cache
            .entries
            .extend(parsed.into_iter().map(|(k, a)| (k, Arc::new(a))));
        cache
    }

    /// How many analyses it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&mut self, key: u128) -> Option<&Arc<Analysis>> {
        self.used.insert(key);
        let found = self.entries.get(&key);
        if found.is_some() {
            self.hits += 1;
        } else {
            self.misses += 1;
        }
        found
    }

    /// The entry of `key`, without marking it used or counting a lookup.
    pub fn peek(&self, key: u128) -> Option<&Arc<Analysis>> {
        self.entries.get(&key)
    }

    pub fn insert(&mut self, key: u128, analysis: Arc<Analysis>) {
        self.used.insert(key);
        self.added.push(key);
        self.entries.insert(key, analysis);
    }

    /// Forgets entries not used since the last call (memory only).
    pub fn retain_used(&mut self) {
        let used = std::mem::take(&mut self.used);
        self.entries.retain(|k, _| used.contains(k));
    }

    /// Records the entries added since opening: appended to the file while
    /// at most about a quarter of its lines are entries no longer used,
    /// else the used entries are written to a temporary file renamed over
    /// it. A warm build that re-analysed one briefing then writes one line,
    /// not every analysis of the site again (90 ms at 10,000). Errors are
    /// returned for the caller to report as a warning; the cache is never
    /// essential.
    pub fn save(&mut self) -> io::Result<()> {
        let Some(dir) = self.dir.clone() else {
            return Ok(());
        };
        let mut added: Vec<u128> = std::mem::take(&mut self.added);
        added.sort_unstable();
        added.dedup();
        let line = |k: &u128| analysis_record(*k, &self.entries[k]);
        let mut used: Vec<&u128> = self
            .used
            .iter()
            .filter(|k| self.entries.contains_key(k))
            .collect();
        let result = match self.lines_in_file {
            Some(n) if appending_keeps_it_lean(n, added.len(), used.len()) => {
                let records: Vec<Vec<u8>> = added.par_iter().map(line).collect();
                append(&dir, FILE, &records.concat(), true).map(|()| n + records.len())
            }
            _ => {
                used.sort();
                let records: Vec<Vec<u8>> = used.par_iter().map(|k| line(k)).collect();
                write_with(&dir, FILE, true, |out| {
                    writeln!(out, "{}", header())?;
                    records.iter().try_for_each(|r| out.write_all(r))
                })
                .map(|()| {
                    // The JSON lines of earlier versions, read by none now.
                    let _ = std::fs::remove_file(dir.join("analysis.jsonl"));
                    records.len()
                })
            }
        };
        match result {
            Ok(lines) => {
                self.lines_in_file = Some(lines);
                self.retain_used();
                Ok(())
            }
            Err(e) => {
                // Whatever the file holds now, the next save writes it anew.
                self.lines_in_file = None;
                Err(e)
            }
        }
    }
}

/// The record of one analysis in `analysis.bin` (see the module's doc).
fn analysis_record(key: u128, analysis: &Analysis) -> Vec<u8> {
    let mut record = Vec::with_capacity(512);
    record.extend_from_slice(&key.to_le_bytes());
    record.extend_from_slice(&[0; 4]);
    // Serialising into a Vec cannot fail for these plain types; if it
    // ever did, the empty payload would not decode and the entry would
    // be analysed again.
    let mut record = postcard::to_extend(analysis, record).unwrap_or_else(|_| {
        let mut empty = key.to_le_bytes().to_vec();
        empty.extend_from_slice(&[0; 4]);
        empty
    });
    let len = (record.len() - 20) as u32;
    record[16..20].copy_from_slice(&len.to_le_bytes());
    let sum = xxhash_rust::xxh3::xxh3_64(&record);
    record.extend_from_slice(&sum.to_le_bytes());
    record
}

/// The (key, analysis bytes) of each record of `body` up to the first
/// that does not check out, and whether every record did.
fn analysis_records(body: &[u8]) -> (Vec<(u128, &[u8])>, bool) {
    let mut records = Vec::new();
    let mut at = 0;
    while at < body.len() {
        let Some(head) = body.get(at..at + 20) else {
            return (records, false);
        };
        let len = u32::from_le_bytes(head[16..20].try_into().unwrap_or_default()) as usize;
        let end = at + 20 + len;
        let Some(sum) = body.get(end..end + 8) else {
            return (records, false);
        };
        if xxhash_rust::xxh3::xxh3_64(&body[at..end]).to_le_bytes() != sum {
            return (records, false);
        }
        let key = u128::from_le_bytes(head[..16].try_into().unwrap_or_default());
        records.push((key, &body[at + 20..end]));
        at = end + 8;
    }
    (records, true)
}

/// Whether a cache file holding `in_file` entries should have `added`
/// appended, when `live` entries are in use: yes while at most about a
/// quarter of it would be entries no longer used; otherwise it is written
/// anew with the live ones.
fn appending_keeps_it_lean(in_file: usize, added: usize, live: usize) -> bool {
    in_file + added <= live + 64 + live / 4
}

/// Appends `lines` (each ending in a newline) to `dir/file`, synced. A
/// line cut short by a crash does not parse and is skipped on reading.
fn append_lines(dir: &Path, file: &str, lines: &[String]) -> io::Result<()> {
    append(dir, file, lines.concat().as_bytes(), true)
}

/// Appends `bytes` to the existing `dir/file`, synced when `sync`.
fn append(dir: &Path, file: &str, bytes: &[u8], sync: bool) -> io::Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    let mut out = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join(file))?;
    out.write_all(bytes)?;
    if sync {
        out.sync_data()?;
    }
    Ok(())
}

/// Writes `header` and `lines` (each ending in a newline) to `dir/file`
/// whole or not at all (see [`write_with`]).
fn write_lines(dir: &Path, file: &str, header: &str, lines: &[String]) -> io::Result<()> {
    write_with(dir, file, true, |out| {
        out.write_all(header.as_bytes())?;
        out.write_all(b"\n")?;
        for line in lines {
            out.write_all(line.as_bytes())?;
        }
        Ok(())
    })
}

/// Writes `bytes` to `dir/file` whole or not at all, synced (see
/// [`write_with`]): for the cache files kept by other stages.
pub(crate) fn write_synced(dir: &Path, file: &str, bytes: &[u8]) -> io::Result<()> {
    write_with(dir, file, true, |out| out.write_all(bytes))
}

/// Writes `bytes` to `dir/file` through a temporary file renamed over it,
/// without waiting for the disk: for a file whose reader checks every
/// record, so that a crash costs only its contents (at 100,000 briefings
/// syncing the 370 MB term lists took 2.7 s of a cold build on disk).
pub(crate) fn write_unsynced(dir: &Path, file: &str, bytes: &[u8]) -> io::Result<()> {
    write_with(dir, file, false, |out| out.write_all(bytes))
}

/// The records of a file body that ends in a checksum of them (8 bytes,
/// `xxh3_64`, little-endian), if they check out: for the cache files
/// written whole (`related.bin`, `inline.bin`).
pub(crate) fn checked_records(body: &[u8]) -> Option<&[u8]> {
    let (records, sum) = body.split_at_checked(body.len().checked_sub(8)?)?;
    (xxhash_rust::xxh3::xxh3_64(records).to_le_bytes() == sum).then_some(records)
}

/// Records encoded before they are written ([`write_records`]).
const RECORDS_PER_BATCH: usize = 4096;

/// Writes a record for each of `items`, as `encode` appends it to a
/// buffer. Records are encoded in parallel runs of 256, a batch of
/// [`RECORDS_PER_BATCH`] at a time: encoded whole first, a cache file was
/// a second copy of its records in memory (370 MB for the term lists at
/// 100,000 briefings) when the build's memory peaks.
fn write_records<T: Sync>(
    out: &mut impl Write,
    items: &[T],
    encode: impl Fn(&mut Vec<u8>, &T) + Sync,
) -> io::Result<()> {
    for batch in items.chunks(RECORDS_PER_BATCH) {
        let runs: Vec<Vec<u8>> = batch
            .par_chunks(256)
            .map(|run| {
                let mut bytes = Vec::new();
                for item in run {
                    encode(&mut bytes, item);
                }
                bytes
            })
            .collect();
        for run in &runs {
            out.write_all(run)?;
        }
    }
    Ok(())
}

/// Writes what `fill` writes to `dir/file` whole or not at all: a
/// temporary file, synced when `sync`, renamed over it.
fn write_with(
    dir: &Path,
    file: &str,
    sync: bool,
    fill: impl FnOnce(&mut io::BufWriter<std::fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{file}.tmp-{}", std::process::id()));
    let _scratch = crate::interrupt::Scratch::new(&tmp);
    let result = (|| {
        let mut out = io::BufWriter::new(std::fs::File::create(&tmp)?);
        fill(&mut out)?;
        let written = out.into_inner().map_err(|e| e.into_error())?;
        if sync {
            written.sync_all()?;
        }
        std::fs::rename(&tmp, dir.join(file))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn header() -> String {
    format!(
        "{FORMAT} {} {}",
        env!("CARGO_PKG_VERSION"),
        env!("BRIEFING_ANALYSIS_HASH")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gathering short input changes no hash: every value in the caches
    /// on disk stays valid. Pieces of all sizes, across the switch to the
    /// streaming state, against XXH3-128 streamed as before and in one call.
    #[test]
    fn stable_hashes_are_xxh3_of_the_bytes_written() {
        let bytes: Vec<u8> = (0..3000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        for sizes in [
            &[0usize][..],
            &[1],
            &[8, 8],
            &[200, 39],
            &[200, 40],
            &[200, 41],
            &[240],
            &[241],
            &[17, 300, 5, 1000],
            &[2999],
            &[239, 1, 240, 241, 8, 8, 8],
            &[8; 300],
            &[
                100, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 1000, 3,
            ],
        ] {
            let mut ours = StableHasher::default();
            let mut streamed = Xxh3Default::new();
            let mut at = 0;
            for &size in sizes {
                ours.write(&bytes[at..at + size]);
                streamed.update(&bytes[at..at + size]);
                at += size;
            }
            assert_eq!(ours.finish(), streamed.digest128(), "{sizes:?}");
            assert_eq!(
                ours.finish(),
                xxhash_rust::xxh3::xxh3_128(&bytes[..at]),
                "{sizes:?}"
            );
        }
        // A known value: the caches written by earlier versions still match.
        assert_eq!(hash_bytes(b"briefing"), {
            let mut h = Xxh3Default::new();
            h.update(&8u64.to_le_bytes());
            h.update(b"briefing");
            h.digest128()
        });
    }

    fn hashes(docs: &[Document]) -> Vec<u128> {
        docs.iter().map(|d| hash_bytes(d.text.as_bytes())).collect()
    }

    fn doc<'a>(title: &'a str, text: &'a str) -> Document<'a> {
        Document {
            title: Some(title),
            text,
        }
    }

    #[test]
    fn hash_is_stable() {
        // A fixed value: a change here invalidates every cache out there.
        assert_eq!(
            format!("{:032x}", hash_bytes(b"briefing")),
            "f7dbac4c1ca78a6b656e64c63a7e0957"
        );
        assert_ne!(hash_bytes(b"a"), hash_bytes(b"b"));
    }

    #[test]
    fn keys_follow_the_corpus_words_of_each_document() {
        let opts = AnalysisOptions::default();
        let aliases = Aliases::new();
        let a = doc("A", "oil prices fell");
        let b = doc("B", "talks in muscat");
        let c = doc("C", "oil tankers wait");
        let mut caches = Caches::in_memory();
        let po = vec![opts.clone(); 3];
        let (k1, _) = caches.analysis_keys(&[a, b, c], &hashes(&[a, b, c]), &po, &opts, &aliases);
        // Editing C without touching words of B keeps B's key; A shares "oil"
        // (unchanged df) but C's new word "gas" is not in A: A keeps its key too.
        let c2 = doc("C", "oil gas tankers wait");
        let (k2, _) = caches.analysis_keys(&[a, b, c2], &hashes(&[a, b, c2]), &po, &opts, &aliases);
        assert_eq!(k1[0], k2[0]);
        assert_eq!(k1[1], k2[1]);
        assert_ne!(k1[2], k2[2]);
        // Now C drops "oil": A's view of the corpus changed.
        let c3 = doc("C", "gas tankers wait");
        let (k3, _) = caches.analysis_keys(&[a, b, c3], &hashes(&[a, b, c3]), &po, &opts, &aliases);
        assert_ne!(k2[0], k3[0]);
        assert_eq!(k2[1], k3[1]);
        // Incremental keys equal keys computed from scratch.
        let (fresh, stats) = Caches::in_memory().analysis_keys(
            &[a, b, c3],
            &hashes(&[a, b, c3]),
            &po,
            &opts,
            &aliases,
        );
        assert_eq!(fresh, k3);
        let docs = [a, b, c3];
        let full = CorpusStats::from_documents(&docs);
        assert_eq!(*stats, full);
    }

    #[test]
    fn a_new_document_keeps_the_keys_of_unrelated_ones_until_the_count_steps() {
        let opts = AnalysisOptions::default();
        let aliases = Aliases::new();
        let texts: Vec<(String, String)> = (0..40)
            .map(|i| {
                (
                    format!("T{i}"),
                    format!("talks on topic{} and word{i}", i % 5),
                )
            })
            .collect();
        // Titles and words no other document has.
        let added: Vec<(String, String)> = (0..8)
            .map(|i| (format!("Extra{i}"), format!("zebra{i} quokka{i}")))
            .collect();
        let mut docs: Vec<Document> = texts.iter().map(|(t, x)| doc(t, x)).collect();
        let mut caches = Caches::in_memory();
        let po = |n: usize| vec![opts.clone(); n];
        let (before, _) = caches.analysis_keys(&docs, &hashes(&docs), &po(40), &opts, &aliases);
        // 41 to 47 documents count as 40 (three significant bits): the
        // others' analyses are the same, and so are their keys.
        let mut keys = before;
        for n in 41..=47 {
            docs.push(doc(&added[n - 41].0, &added[n - 41].1));
            let (after, _) = caches.analysis_keys(&docs, &hashes(&docs), &po(n), &opts, &aliases);
            assert_eq!(after[..n - 1], keys[..], "{n} documents");
            let (fresh, _) =
                Caches::in_memory().analysis_keys(&docs, &hashes(&docs), &po(n), &opts, &aliases);
            assert_eq!(fresh, after);
            keys = after;
        }
        // 48 is the next step: every analysis may change, every key does.
        docs.push(doc(&added[7].0, &added[7].1));
        let (stepped, _) = caches.analysis_keys(&docs, &hashes(&docs), &po(48), &opts, &aliases);
        assert!(stepped[..47].iter().zip(&keys).all(|(a, b)| a != b));
        let (fresh, _) =
            Caches::in_memory().analysis_keys(&docs, &hashes(&docs), &po(48), &opts, &aliases);
        assert_eq!(fresh, stepped);
    }

    #[test]
    fn disk_cache_round_trips_and_ignores_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = AnalysisCache::open(dir.path());
        let analysis = Analysis {
            bottom_line: "x".into(),
            summary: vec!["x".into()],
            key_issues: vec![crate::analysis::KeyIssue {
                label: "l".into(),
                score: 0.1 + 0.2,
                evidence: "e".into(),
            }],
            ..Analysis::default()
        };
        assert!(cache.get(7).is_none());
        cache.insert(7, Arc::new(analysis.clone()));
        cache.save().unwrap();
        let file = dir.path().join(FILE);
        let whole = std::fs::read(&file).unwrap();
        // A record cut short (a crash while appending) ends the reading;
        // the file is then written anew, not appended to.
        let mut bytes = whole.clone();
        let cut = analysis_record(10, &analysis);
        bytes.extend_from_slice(&cut[..cut.len() - 3]);
        std::fs::write(&file, &bytes).unwrap();
        let mut again = AnalysisCache::open(dir.path());
        assert_eq!(again.get(7).map(|a| &**a), Some(&analysis));
        assert!(again.get(10).is_none());
        assert_eq!(again.lines_in_file, None);
        // So does one with a byte changed.
        let mut bytes = whole.clone();
        bytes.extend_from_slice(&cut);
        let last = bytes.len() - 12;
        bytes[last] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        let mut again = AnalysisCache::open(dir.path());
        assert!(again.get(7).is_some() && again.get(10).is_none());
        bytes[last] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        assert!(AnalysisCache::open(dir.path()).get(10).is_some());
        // Another format's file is ignored entirely.
        std::fs::write(&file, "briefing-analysis-cache v0\n").unwrap();
        assert!(AnalysisCache::open(dir.path()).get(7).is_none());
    }

    #[test]
    fn new_analyses_are_appended_until_dead_lines_pile_up() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE);
        let analysis = |n: usize| {
            Arc::new(Analysis {
                bottom_line: format!("line {n}"),
                ..Analysis::default()
            })
        };
        // Records in the file, read back whole.
        let lines = || {
            assert!(file.exists());
            AnalysisCache::open(dir.path()).lines_in_file.unwrap()
        };
        let mut cache = AnalysisCache::open(dir.path());
        for k in 0..100 {
            cache.insert(k, analysis(k as usize));
        }
        cache.save().unwrap();
        assert_eq!(lines(), 100);
        // One briefing edited: its new analysis is one more line, and
        // the old one stays in the file, unused, for now.
        let mut cache = AnalysisCache::open(dir.path());
        for k in 1..100 {
            assert!(cache.get(k).is_some());
        }
        cache.insert(100, analysis(100));
        cache.save().unwrap();
        assert_eq!(lines(), 101);
        let mut back = AnalysisCache::open(dir.path());
        assert_eq!(
            back.get(100).map(|a| a.bottom_line.clone()),
            Some("line 100".into())
        );
        // A site of 100 other briefings: now most lines would be dead, so
        // the file is written anew with the used entries only.
        let mut cache = AnalysisCache::open(dir.path());
        for k in 200..300 {
            cache.insert(k, analysis(k as usize));
        }
        cache.save().unwrap();
        assert_eq!(lines(), 100);
        assert!(AnalysisCache::open(dir.path()).get(5).is_none());
    }
}

/// Rendered pages and bodies of the previous build, keyed by a hash of
/// everything that went into them, so a rebuild renders only what changed.
/// Used by `serve`; a `build` has no previous render to reuse.
///
/// A page's key hashes the template name and the whole Tera context (the
/// serialised view and `site`); the memo is emptied when the templates
/// change ([`RenderMemo::start`]). A body's key hashes its text and every
/// input of the Markdown renderer.
#[derive(Default)]
pub struct RenderMemo {
    /// The last `build`'s pages, read back from the output directory
    /// (`build` only).
    disk: Option<pages::PageManifest>,
    templates: Mutex<u128>,
    pages: Mutex<FastMap<u128, Bytes>>,
    bodies: Mutex<FastMap<u128, Arc<RenderedBody>>>,
    used_pages: Mutex<FastSet<u128>>,
    used_bodies: Mutex<FastSet<u128>>,
    /// Values made from one briefing (its page, card...) by kind and name
    /// (`serve` only): see [`RenderMemo::per_briefing`]. In shards by key:
    /// the render threads look up every briefing's values at once.
    kept: [Mutex<crate::linking::FastMap<u128, Kept>>; KEPT_SHARDS],
    /// Counts renders: a kept value not used by the last one is forgotten.
    render_count: u64,
    /// Files by name with the hash of their inputs (`serve` only): see
    /// [`RenderMemo::file`].
    groups: Mutex<HashMap<String, (u128, crate::output::OutputFile)>>,
    used_groups: Mutex<HashSet<String>>,
    /// Pages rendered by Tera in the last render (the others came from the memo).
    pub pages_rendered: AtomicUsize,
    pub bodies_rendered: AtomicUsize,
    /// Where pages go as they are rendered, for a first build (`build`
    /// only; see [`crate::output::Staging`]).
    staging: Option<crate::output::Staging>,
}

/// How many locks [`RenderMemo::per_briefing`]'s values are spread over.
const KEPT_SHARDS: usize = 16;

/// The shard of a kept value's key.
fn kept_shard(key: u128) -> usize {
    (key >> 120) as usize % KEPT_SHARDS
}

/// A value made from one briefing, with what it was made from.
struct Kept {
    page: Arc<crate::content::Page>,
    analysis: Arc<crate::analysis::Analysis>,
    deps: u128,
    value: Arc<dyn std::any::Any + Send + Sync>,
    /// The last render that used it.
    used_by: u64,
}

/// A rendered body and its problems.
pub type RenderedBody = (
    crate::markdown::Rendered,
    Vec<crate::diagnostics::Diagnostic>,
);

impl RenderMemo {
    /// A memo that also takes pages of the last `build` from its output
    /// directory, as the page manifest in `cache_dir` records them.
    pub fn with_manifest(cache_dir: &Path) -> RenderMemo {
        RenderMemo {
            disk: Some(pages::PageManifest::load(cache_dir)),
            ..RenderMemo::default()
        }
    }

    /// Pages taken from the last build's output in this render.
    pub fn reused(&self) -> usize {
        self.disk
            .as_ref()
            .map_or(0, |d| d.reused.load(Ordering::Relaxed))
    }

    /// Whether pages come from the last build's output (a `build` that
    /// writes), as the page manifest records them.
    pub fn has_manifest(&self) -> bool {
        self.disk.is_some()
    }

    /// Output files this render took pages from, unchanged (see
    /// [`crate::output::write_site_known`]).
    pub fn pages_on_disk(&self) -> crate::output::OnDisk {
        self.disk
            .as_ref()
            .map(|d| d.read_back())
            .unwrap_or_default()
    }

    /// Writes the pages rendered from now on into `staging` (see
    /// [`RenderMemo::page`]).
    pub fn write_pages_into(&mut self, staging: Option<crate::output::Staging>) {
        self.staging = staging;
    }

    /// Whether pages rendered now go straight to disk (a first build):
    /// then nothing of a page need be held after it is rendered.
    pub fn streams_pages(&self) -> bool {
        self.staging.is_some()
    }

    /// The staging directory the pages went to, for the writer.
    pub fn take_staging(&mut self) -> Option<crate::output::Staging> {
        self.staging.take()
    }

    /// Records this render's pages for the next `build` (with a manifest
    /// only): call once `files` are written.
    pub fn save_manifest(
        &mut self,
        cache_dir: &Path,
        files: &[crate::output::OutputFile],
    ) -> io::Result<()> {
        let pages = self.pages.get_mut().unwrap();
        let bodies = self.used_bodies.get_mut().unwrap();
        match self.disk.as_mut() {
            Some(disk) => disk.save(cache_dir, pages, bodies, files),
            None => Ok(()),
        }
    }

    /// Begins a render with these templates, output to `output_dir`:
    /// forgets everything if they changed, and entries the previous render
    /// did not use.
    pub fn start(&mut self, fingerprint: u128, output_dir: &Path) {
        if let Some(disk) = self.disk.as_mut() {
            disk.start(fingerprint, output_dir.to_path_buf());
        }
        let mut templates = self.templates.lock().unwrap();
        let mut pages = self.pages.lock().unwrap();
        let mut bodies = self.bodies.lock().unwrap();
        let used_pages = std::mem::take(&mut *self.used_pages.lock().unwrap());
        let used_bodies = std::mem::take(&mut *self.used_bodies.lock().unwrap());
        let last_render = self.render_count;
        self.render_count += 1;
        let used_groups = std::mem::take(&mut *self.used_groups.lock().unwrap());
        let mut groups = self.groups.lock().unwrap();
        if *templates != fingerprint {
            *templates = fingerprint;
            pages.clear();
            self.kept.iter().for_each(|k| k.lock().unwrap().clear());
            groups.clear();
        } else {
            // The shards side by side, beside the page memo: these hold
            // an entry for every briefing and page.
            let pages = &mut *pages;
            rayon::join(
                || pages.retain(|k, _| used_pages.contains(k)),
                || {
                    self.kept.par_iter().for_each(|shard| {
                        shard
                            .lock()
                            .unwrap()
                            .retain(|_, k| k.used_by == last_render)
                    })
                },
            );
            groups.retain(|k, _| used_groups.contains(k));
        }
        bodies.retain(|k, _| used_bodies.contains(k));
        self.pages_rendered.store(0, Ordering::Relaxed);
        self.bodies_rendered.store(0, Ordering::Relaxed);
    }

    /// The page whose inputs hash to `key` (the caller hashes the template
    /// name and the typed values of its context, never a built context:
    /// building one costs more than rendering from the memo), rendered by
    /// `render` only when not known. A page rendered for the output file
    /// `to` goes straight into the staging directory when there is one
    /// ([`RenderMemo::write_pages_into`]), and stays in memory only if it
    /// cannot be written there (the writer then tries, and reports).
    pub fn page(
        &self,
        key: u128,
        to: Option<&str>,
        render: impl FnOnce() -> Result<String, String>,
    ) -> Result<Bytes, String> {
        self.used_pages.lock().unwrap().insert(key);
        if let Some(html) = self.pages.lock().unwrap().get(&key) {
            return Ok(html.clone());
        }
        if let Some(html) = self.disk.as_ref().and_then(|d| d.get(key)) {
            self.pages.lock().unwrap().insert(key, html.clone());
            return Ok(html);
        }
        self.pages_rendered.fetch_add(1, Ordering::Relaxed);
        let html = render()?;
        let html = match (&self.staging, to) {
            (Some(staging), Some(to)) => staging
                .put(to, html.as_bytes())
                .unwrap_or_else(|_| Bytes::from(html)),
            _ => Bytes::from(html),
        };
        self.pages.lock().unwrap().insert(key, html.clone());
        Ok(html)
    }

    /// Whether values are kept between renders ([`RenderMemo::per_briefing`],
    /// [`RenderMemo::file`]): in `serve`, whose memo lives as long as the
    /// pages and analyses it compares.
    fn keeps_values(&self) -> bool {
        self.disk.is_none()
    }

    /// The value of kind `kind` named `name` made from one briefing: the
    /// last render's when it was made from the same page and analysis (the
    /// very same Arcs: the content and analysis caches hand unchanged ones
    /// on) and from other inputs hashing to `deps()`, else what `make`
    /// makes. A hit builds nothing: no view, no hash of one. Without kept
    /// values (a `build`) it is `make()`, and `deps` is not called.
    pub fn per_briefing<T, E>(
        &self,
        kind: &'static str,
        name: &str,
        page: &Arc<crate::content::Page>,
        analysis: &Arc<crate::analysis::Analysis>,
        deps: impl FnOnce() -> u128,
        make: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E>
    where
        T: Clone + Send + Sync + 'static,
    {
        if !self.keeps_values() {
            return make();
        }
        let deps = deps();
        let mut h = StableHasher::default();
        h.field(kind.as_bytes()).field(name.as_bytes());
        let key = h.finish();
        // One lock per hit, marking the value used in the same breath.
        let shard = &self.kept[kept_shard(key)];
        let hit = shard.lock().unwrap().get_mut(&key).and_then(|k| {
            let same =
                k.deps == deps && Arc::ptr_eq(&k.page, page) && Arc::ptr_eq(&k.analysis, analysis);
            let value = same.then(|| k.value.downcast_ref::<T>().cloned()).flatten();
            if value.is_some() {
                k.used_by = self.render_count;
            }
            value
        });
        if let Some(value) = hit {
            return Ok(value);
        }
        let value = make()?;
        let kept = Kept {
            page: page.clone(),
            analysis: analysis.clone(),
            deps,
            value: Arc::new(value.clone()),
            used_by: self.render_count,
        };
        shard.lock().unwrap().insert(key, kept);
        Ok(value)
    }

    /// The file `name` (a hub page, a feed, a sitemap shard): the last
    /// render's when the hash of everything it is made from, `deps`, is the
    /// same, else what `render` makes. Only `serve` keeps files; a `build`
    /// always renders (its pages still go through [`RenderMemo::page`]).
    pub fn file(
        &self,
        name: &str,
        deps: impl FnOnce() -> u128,
        render: impl FnOnce() -> Result<crate::output::OutputFile, String>,
    ) -> Result<crate::output::OutputFile, String> {
        if !self.keeps_values() {
            return render();
        }
        let deps = deps();
        self.used_groups.lock().unwrap().insert(name.to_string());
        if let Some((kept, file)) = self.groups.lock().unwrap().get(name) {
            if *kept == deps {
                return Ok(file.clone());
            }
        }
        let file = render()?;
        self.groups
            .lock()
            .unwrap()
            .insert(name.to_string(), (deps, file.clone()));
        Ok(file)
    }

    /// Whether the body with this key can wait until a page needs it: it
    /// can when the last build rendered it, so it has no problems to
    /// report (a `build` with a page manifest only; see
    /// [`pages::PageManifest::body_was_clean`]). Then it counts as used,
    /// and [`RenderMemo::body`] renders it if a page asks.
    pub fn body_can_wait(&self, key: u128) -> bool {
        let clean = self.disk.as_ref().is_some_and(|d| d.body_was_clean(key));
        if clean {
            self.used_bodies.lock().unwrap().insert(key);
        }
        clean
    }

    /// Feeds the JSON form of `value` (what a template sees) into `h`.
    pub fn hash_into<S: serde::Serialize + ?Sized>(h: &mut StableHasher, value: &S) {
        let _ = serde_json::to_writer(HashWriter(h), value);
    }

    /// Hash of a value, as [`RenderMemo::page`] wants for `site`.
    pub fn hash_value<S: serde::Serialize>(value: &S) -> u128 {
        let mut h = StableHasher::default();
        Self::hash_into(&mut h, value);
        h.finish()
    }

    /// The body whose inputs hash to `key`, rendered by `render` only when
    /// not known. A `build` (a memo with a page manifest) keeps no bodies:
    /// it renders each once, and at 100,000 briefings their copies were
    /// half a gigabyte.
    pub fn body(&self, key: u128, render: impl FnOnce() -> RenderedBody) -> Arc<RenderedBody> {
        self.used_bodies.lock().unwrap().insert(key);
        if self.disk.is_some() {
            self.bodies_rendered.fetch_add(1, Ordering::Relaxed);
            return Arc::new(render());
        }
        if let Some(body) = self.bodies.lock().unwrap().get(&key) {
            return body.clone();
        }
        self.bodies_rendered.fetch_add(1, Ordering::Relaxed);
        let body = Arc::new(render());
        self.bodies.lock().unwrap().insert(key, body.clone());
        body
    }
}

/// Feeds serialised or formatted bytes straight into a hasher.
pub(crate) struct HashWriter<'a>(pub(crate) &'a mut StableHasher);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Changes whenever a file under `root/templates/` (or the built-in
/// defaults, which come with the binary) changes.
pub fn templates_fingerprint(root: &Path) -> u128 {
    let dir = root.join(crate::render::templates::TEMPLATES_DIR);
    let mut h = StableHasher::default();
    for (name, text) in crate::render::templates::DEFAULT_TEMPLATES {
        h.field(name.as_bytes()).field(text.as_bytes());
    }
    for entry in walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if entry.file_type().is_file() {
            h.field(entry.path().to_string_lossy().as_bytes());
            h.field(&std::fs::read(entry.path()).unwrap_or_default());
        }
    }
    h.finish()
}

/// Parsed content files of the previous build, so a rebuild reads and
/// parses only the files that changed (size, modification time, or named
/// by the watcher). Same result as [`content::load`].
#[derive(Default)]
pub struct ContentCache {
    options: Option<(bool, chrono_tz::Tz)>,
    files: crate::fast_hash::FastMap<String, ContentFile>,
    /// Paths under `content/` to read again whatever their metadata says.
    changed: HashSet<String>,
    /// Whether `changed` lists every file that changed since the last load
    /// (see [`ContentCache::mark_changed`]); `None`: nobody said.
    complete: Option<bool>,
    /// Every Markdown file of the last load, in load order.
    order: Vec<String>,
    /// Problems of the last walk of the content directory.
    walk_problems: Vec<Diagnostic>,
}

struct ContentFile {
    modified: Option<std::time::SystemTime>,
    len: u64,
    content: Content,
    problems: Vec<Diagnostic>,
}

impl ContentCache {
    /// Marks files (relative to `content/`) as changed. `complete` vouches
    /// that no other file changed since the last load (a watcher that lost
    /// no events): the next load then reads just these, without walking the
    /// content directory, when they are all files it already knows.
    pub fn mark_changed<'a>(&mut self, paths: impl IntoIterator<Item = &'a str>, complete: bool) {
        self.changed.extend(paths.into_iter().map(str::to_string));
        self.complete = Some(self.complete.unwrap_or(true) && complete);
    }

    /// [`content::load`], reusing what is unchanged.
    pub fn load(&mut self, root: &Path, options: LoadOptions) -> (Content, Vec<Diagnostic>) {
        let key = (options.include_drafts, options.timezone);
        if self.options != Some(key) {
            self.files.clear();
            self.options = Some(key);
        }
        let content_dir = root.join(CONTENT_DIR);
        if !content_dir.is_dir() {
            self.files.clear();
            return content::load(root, options);
        }
        let changed = std::mem::take(&mut self.changed);
        let complete = self.complete.take().unwrap_or(false);
        let (order, to_parse, mut problems) =
            match self.changed_files_only(&content_dir, &changed, complete) {
                Some(to_parse) => (
                    std::mem::take(&mut self.order),
                    to_parse,
                    self.walk_problems.clone(),
                ),
                None => self.walk(&content_dir, &changed),
            };
        crate::trace::lap("content.walk");
        let parsed: Vec<(String, ContentFile)> = to_parse
            .into_par_iter()
            .map(|(relative, modified, len, path)| {
                let (content, problems) = parse_one(&relative, &path, options);
                (
                    relative,
                    ContentFile {
                        modified,
                        len,
                        content,
                        problems,
                    },
                )
            })
            .collect();
        self.files.extend(parsed);
        crate::trace::lap("content.parse");
        let live: crate::fast_hash::FastSet<&String> = order.iter().collect();
        self.files.retain(|k, _| live.contains(k));
        let mut content = Content::default();
        for relative in &order {
            let file = &self.files[relative];
            content.pages.extend(file.content.pages.iter().cloned());
            content
                .sections
                .extend(file.content.sections.iter().cloned());
            problems.extend(file.problems.iter().cloned());
        }
        self.order = order;
        crate::trace::lap("content.clone");
        problems.extend(content::find_collisions(&content.pages));
        (content, problems)
    }

    /// The files to read again when the caller vouched that `changed` is
    /// complete and every one of them is a Markdown file the cache knows and
    /// that still exists; `None` when the content directory must be walked
    /// (first load, a file added or removed, a directory renamed, a watcher
    /// that lost events).
    fn changed_files_only(
        &self,
        content_dir: &Path,
        changed: &HashSet<String>,
        complete: bool,
    ) -> Option<Vec<FileToParse>> {
        if !complete || self.order.is_empty() {
            return None;
        }
        changed
            .iter()
            .map(|relative| {
                if !self.files.contains_key(relative) {
                    return None;
                }
                let path = content_dir.join(relative);
                let meta = std::fs::metadata(&path).ok().filter(|m| m.is_file())?;
                Some((relative.clone(), meta.modified().ok(), meta.len(), path))
            })
            .collect()
    }

    /// Walks `content/`: every Markdown file in order, the ones to read
    /// again (new, or size or modification time changed, or in `changed`),
    /// and problems of the walk.
    fn walk(
        &mut self,
        content_dir: &Path,
        changed: &HashSet<String>,
    ) -> (Vec<String>, Vec<FileToParse>, Vec<Diagnostic>) {
        let mut order: Vec<String> = Vec::new();
        let mut problems = Vec::new();
        let mut to_parse: Vec<FileToParse> = Vec::new();
        for (relative, entry) in content::markdown_files(content_dir, &mut problems) {
            let path = entry.path();
            let meta = entry.metadata().ok();
            let modified = meta.as_ref().and_then(|m| m.modified().ok());
            let len = meta.as_ref().map(|m| m.len()).unwrap_or(0);
            let fresh = match self.files.get(&relative) {
                Some(f) => {
                    f.modified.is_some()
                        && f.modified == modified
                        && f.len == len
                        && !changed.contains(&relative)
                }
                None => false,
            };
            if !fresh {
                to_parse.push((relative.clone(), modified, len, path.to_path_buf()));
            }
            order.push(relative);
        }
        self.walk_problems = problems.clone();
        (order, to_parse, problems)
    }
}

/// A content file to read: relative path, modification time, size, path.
type FileToParse = (String, Option<std::time::SystemTime>, u64, PathBuf);

/// Reads and parses one content file, as [`content::load`] does.
fn parse_one(relative: &str, path: &Path, options: LoadOptions) -> (Content, Vec<Diagnostic>) {
    match content::read_file(relative, path) {
        // A collision within the file is found again across all files; the
        // build removes duplicate problems.
        Ok(text) => content::parse_files(vec![(relative.to_string(), text)], options),
        Err(problem) => (Content::default(), vec![problem]),
    }
}

#[cfg(test)]
mod content_cache_tests {
    use super::*;

    fn briefing(title: &str) -> String {
        format!("+++\ntitle = \"{title}\"\ndate = 2026-03-01T08:00:00Z\n+++\n\nOil prices fell.\n")
    }

    fn titles(content: &Content) -> Vec<String> {
        content
            .pages
            .iter()
            .map(|p| p.title.clone().unwrap())
            .collect()
    }

    #[test]
    fn a_complete_change_list_reads_only_the_named_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let briefings = root.join("content/briefings");
        std::fs::create_dir_all(&briefings).unwrap();
        std::fs::write(briefings.join("a.md"), briefing("A")).unwrap();
        std::fs::write(briefings.join("b.md"), briefing("B")).unwrap();
        let options = LoadOptions {
            include_drafts: false,
            timezone: chrono_tz::Tz::UTC,
        };
        let mut cache = ContentCache::default();
        assert_eq!(titles(&cache.load(root, options).0), ["A", "B"]);

        // Both files change, the watcher names only a.md and vouches for the
        // list: b.md is not looked at (no walk). The same list without the
        // vouch walks the directory and finds b.md by its size and mtime.
        std::fs::write(briefings.join("a.md"), briefing("A2")).unwrap();
        std::fs::write(briefings.join("b.md"), briefing("B2 longer")).unwrap();
        cache.mark_changed(["briefings/a.md"], true);
        assert_eq!(titles(&cache.load(root, options).0), ["A2", "B"]);
        cache.mark_changed(["briefings/a.md"], false);
        assert_eq!(titles(&cache.load(root, options).0), ["A2", "B2 longer"]);

        // A new file, even named, makes the load walk: it has no place yet.
        std::fs::write(briefings.join("0.md"), briefing("Zero")).unwrap();
        cache.mark_changed(["briefings/0.md"], true);
        assert_eq!(
            titles(&cache.load(root, options).0),
            ["Zero", "A2", "B2 longer"]
        );
        // So does a deleted one.
        std::fs::remove_file(briefings.join("a.md")).unwrap();
        cache.mark_changed(["briefings/a.md"], true);
        assert_eq!(titles(&cache.load(root, options).0), ["Zero", "B2 longer"]);
        // Lists marked complete and incomplete before one load: incomplete.
        std::fs::write(briefings.join("b.md"), briefing("B3 longer still")).unwrap();
        cache.mark_changed([], false);
        cache.mark_changed([], true);
        assert_eq!(
            titles(&cache.load(root, options).0),
            ["Zero", "B3 longer still"]
        );
    }
}
