//! Each briefing's weighted search terms on disk (`search.bin`), so that
//! a warm `build` does not tokenise every briefing again for the search
//! index: at 10,000 briefings that was 0.25-0.3 s of a 2.6 s warm build
//! (`search.terms` in a trace).
//!
//! Terms are numbered: the file holds each distinct term once, and a
//! briefing's record holds term numbers. Building the index from numbers
//! files postings by number instead of hashing and comparing three million
//! strings (at 10,000 briefings that halved `search.terms` and
//! `search.postings`).
//!
//! The file is a header line naming the format, the crate version and a
//! fingerprint of `src/search.rs`, then records, little-endian, each ending
//! in a checksum of the record (8 bytes):
//! - `T`, terms: their number (4 bytes), then each term (2-byte length,
//!   UTF-8 bytes). Terms are numbered in the order the file gives them.
//! - `D`, a briefing: its key (16 bytes, a hash of everything its terms
//!   are counted from, `search::doc_key`), the number of terms (4 bytes),
//!   then each term's number (4 bytes) and weight (2 bytes).
//!
//! A build appends the terms new to the file and the records of the
//! briefings it tokenised, and writes the file anew with the live ones
//! (and only the terms they use) once a quarter of it is dead. A record
//! that does not check out ends the reading, and the next save writes the
//! file anew.

use std::collections::HashMap;
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::xxh3_64;

/// The file in the cache directory.
pub const FILE: &str = "search.bin";
const FORMAT: &str = "briefing-search-terms v2";
const TERMS: u8 = b'T';
const DOC: u8 = b'D';

fn header() -> String {
    format!(
        "{FORMAT} {} {}\n",
        env!("CARGO_PKG_VERSION"),
        env!("BRIEFING_SEARCH_HASH")
    )
}

/// The records of the file, read whole.
#[derive(Debug, Default)]
pub struct SearchTermFile {
    dir: PathBuf,
    bytes: Vec<u8>,
    /// Every term of the file, one after the other (checked UTF-8), and
    /// where each is in it, by number.
    text: String,
    terms: Vec<Range<usize>>,
    /// Key -> where its (number, weight) pairs are in `bytes`.
    docs: HashMap<u128, Range<usize>>,
    /// Briefing records in the file, live or not (`None`: no usable
    /// file, or one to write anew).
    in_file: Option<usize>,
}

/// What a build adds: its briefings' keys, in order, the terms it met
/// that the file did not have, and the terms of the briefings it
/// tokenised.
#[derive(Debug, Default)]
pub struct Update {
    pub live: Vec<u128>,
    /// How many terms the file had when the build numbered terms: the
    /// numbers from there on are `new_terms`.
    pub base: usize,
    pub new_terms: Vec<String>,
    /// Key -> (term number, weight) of each briefing tokenised.
    pub fresh: Vec<(u128, Vec<(u32, u32)>)>,
}

impl Update {
    /// The term with number `id`, from the file (below [`Update::base`])
    /// or new.
    fn term<'a>(&'a self, file: &'a SearchTermFile, id: u32) -> Option<&'a str> {
        match (id as usize).checked_sub(self.base) {
            None => file.term(id),
            Some(new) => self.new_terms.get(new).map(String::as_str),
        }
    }
}

/// Reads `dir/search.bin`; a missing, foreign or damaged file yields the
/// records before the damage.
pub fn load(dir: &Path) -> SearchTermFile {
    let mut file = SearchTermFile {
        dir: dir.to_path_buf(),
        ..SearchTermFile::default()
    };
    let Ok(bytes) = std::fs::read(dir.join(FILE)) else {
        return file;
    };
    if !bytes.starts_with(header().as_bytes()) {
        return file;
    }
    let mut text = Vec::new();
    let mut terms = Vec::new();
    let mut docs = HashMap::new();
    let mut at = header().len();
    let mut count = 0;
    let mut whole = true;
    while at < bytes.len() {
        let Some(len) = record_len(&bytes[at..], terms.len()) else {
            whole = false;
            break;
        };
        let record = &bytes[at..at + len];
        if record[0] == TERMS {
            let n = u32::from_le_bytes(record[1..5].try_into().unwrap_or_default());
            let mut t = 5;
            for _ in 0..n {
                let len = u16::from_le_bytes([record[t], record[t + 1]]) as usize;
                let start = text.len();
                text.extend_from_slice(&record[t + 2..t + 2 + len]);
                terms.push(start..text.len());
                t += 2 + len;
            }
        } else {
            let key = u128::from_le_bytes(record[1..17].try_into().unwrap_or_default());
            docs.insert(key, at + 21..at + len - 8);
            count += 1;
        }
        at += len;
    }
    // Checked once, whole; then each term must start and end on a
    // character boundary.
    let Ok(text) = String::from_utf8(text) else {
        return file;
    };
    if !terms
        .iter()
        .all(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end))
    {
        return file;
    }
    file.bytes = bytes;
    file.text = text;
    file.terms = terms;
    file.docs = docs;
    file.in_file = whole.then_some(count);
    file
}

/// The length of the record at the start of `bytes`, if it checks out:
/// its kind, its lengths, its checksum, and (a briefing's) term numbers
/// below `terms`, the number of terms read before it.
fn record_len(bytes: &[u8], terms: usize) -> Option<usize> {
    let u32_at = |at: usize| -> Option<usize> {
        Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize)
    };
    let end = match *bytes.first()? {
        TERMS => {
            let mut at = 5;
            for _ in 0..u32_at(1)? {
                let len = u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?) as usize;
                at += 2 + len;
            }
            at
        }
        DOC => {
            let n = u32_at(17)?;
            let end = 21 + n.checked_mul(6)?;
            let pairs = bytes.get(21..end)?;
            if !pairs
                .chunks_exact(6)
                .all(|p| (u32::from_le_bytes([p[0], p[1], p[2], p[3]]) as usize) < terms)
            {
                return None;
            }
            end
        }
        _ => return None,
    };
    let sum = u64::from_le_bytes(bytes.get(end..end + 8)?.try_into().ok()?);
    (xxh3_64(bytes.get(..end)?) == sum).then_some(end + 8)
}

/// Appends a record of `terms` to `out`; false (and `out` partly
/// written) when a term is longer than 65,535 bytes.
fn write_terms<'a>(out: &mut Vec<u8>, terms: impl ExactSizeIterator<Item = &'a str>) -> bool {
    let start = out.len();
    out.push(TERMS);
    out.extend_from_slice(&(terms.len() as u32).to_le_bytes());
    for term in terms {
        let Ok(len) = u16::try_from(term.len()) else {
            return false;
        };
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(term.as_bytes());
    }
    let sum = xxh3_64(&out[start..]);
    out.extend_from_slice(&sum.to_le_bytes());
    true
}

/// Appends the record of briefing `key` to `out`; false when a weight is
/// above 65,535 (search weights are at most 999).
fn write_doc(
    out: &mut Vec<u8>,
    key: u128,
    pairs: impl ExactSizeIterator<Item = (u32, u32)>,
) -> bool {
    let start = out.len();
    out.push(DOC);
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(&(pairs.len() as u32).to_le_bytes());
    for (id, weight) in pairs {
        let Ok(weight) = u16::try_from(weight) else {
            out.truncate(start);
            return false;
        };
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&weight.to_le_bytes());
    }
    let sum = xxh3_64(&out[start..]);
    out.extend_from_slice(&sum.to_le_bytes());
    true
}

impl SearchTermFile {
    /// How many terms the file numbers.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// The term with number `id`.
    pub fn term(&self, id: u32) -> Option<&str> {
        self.text.get(self.terms.get(id as usize)?.clone())
    }

    /// Whether the file has the terms of briefing `key`.
    pub fn has(&self, key: u128) -> bool {
        self.docs.contains_key(&key)
    }

    /// The (term number, weight) pairs recorded for `key`.
    pub fn get(&self, key: u128) -> Option<Vec<(u32, u32)>> {
        let pairs = &self.bytes[self.docs.get(&key)?.clone()];
        Some(
            pairs
                .chunks_exact(6)
                .map(|p| {
                    (
                        u32::from_le_bytes([p[0], p[1], p[2], p[3]]),
                        u32::from(u16::from_le_bytes([p[4], p[5]])),
                    )
                })
                .collect(),
        )
    }

    /// Records a build's terms: appends the new terms and its fresh
    /// records, or writes the file anew with the live ones when it is
    /// unusable, would be more than about a quarter dead records, or the
    /// build numbered its terms against another file.
    pub fn save(&mut self, update: &Update) -> io::Result<()> {
        let added = update.fresh.len();
        match self.in_file {
            Some(n)
                if update.base == self.terms.len()
                    && super::appending_keeps_it_lean(n, added, update.live.len()) =>
            {
                let mut out = Vec::new();
                // A term too long for the format is written empty, so that
                // the numbers after it stay; no record uses it.
                let too_long = |t: &String| t.len() > usize::from(u16::MAX);
                if !update.new_terms.is_empty() {
                    let terms =
                        update
                            .new_terms
                            .iter()
                            .map(|t| if too_long(t) { "" } else { t.as_str() });
                    write_terms(&mut out, terms);
                }
                let mut written = 0;
                for (key, pairs) in &update.fresh {
                    let fits = pairs.iter().all(|&(id, _)| {
                        (id as usize)
                            .checked_sub(update.base)
                            .is_none_or(|new| !too_long(&update.new_terms[new]))
                    });
                    if fits && write_doc(&mut out, *key, pairs.iter().copied()) {
                        written += 1;
                    }
                }
                // Not synced: every record is checked on reading.
                super::append(&self.dir, FILE, &out, false)?;
                self.in_file = Some(n + written);
            }
            _ => self.rewrite(update)?,
        }
        Ok(())
    }

    /// Writes the file anew with the live briefings' records, numbering
    /// anew the terms they use.
    fn rewrite(&mut self, update: &Update) -> io::Result<()> {
        use rayon::prelude::*;
        use std::borrow::Cow;
        let fresh: crate::fast_hash::FastMap<u128, &[(u32, u32)]> =
            update.fresh.iter().map(|(k, p)| (*k, &p[..])).collect();
        let mut seen = crate::fast_hash::FastSet::default();
        // (key, pairs) of each live briefing, once; a cold build's are all
        // fresh, and borrowed.
        /// A briefing's key and its (term number, weight) pairs.
        type Record<'a> = (u128, Cow<'a, [(u32, u32)]>);
        let mut live: Vec<Record> = Vec::with_capacity(update.live.len());
        for key in &update.live {
            if !seen.insert(*key) {
                continue;
            }
            let pairs = match fresh.get(key) {
                Some(p) => Cow::Borrowed(*p),
                None => match self.get(*key).filter(|_| update.base == self.terms.len()) {
                    Some(p) => Cow::Owned(p),
                    None => continue,
                },
            };
            live.push((*key, pairs));
        }
        // The terms in use, numbered anew in their old order: old number
        // -> new one (`NONE` for a term no live briefing uses). Numbers
        // are dense, so a table, not a map: a cold build looks up every
        // pair of every briefing (three million at 10,000 briefings).
        const NONE: u32 = u32::MAX;
        let top = live
            .iter()
            .flat_map(|(_, p)| p.iter().map(|&(id, _)| id as usize + 1))
            .max()
            .unwrap_or(0);
        let mut renumber = vec![NONE; top];
        for (_, pairs) in &live {
            for &(id, _) in pairs.iter() {
                renumber[id as usize] = 0;
            }
        }
        let mut names: Vec<&str> = Vec::new();
        for (id, new) in renumber.iter_mut().enumerate() {
            if *new == NONE {
                continue;
            }
            // A term too long for the format leaves out its briefings.
            match update
                .term(self, id as u32)
                .filter(|t| t.len() <= usize::from(u16::MAX))
            {
                Some(term) => {
                    *new = names.len() as u32;
                    names.push(term);
                }
                None => *new = NONE,
            }
        }
        let mut head = Vec::new();
        if !names.is_empty() {
            write_terms(&mut head, names.iter().copied());
        }
        // Records encoded in parallel runs, written in order.
        let runs: Vec<(Vec<u8>, usize)> = live
            .par_chunks(256)
            .map(|chunk| {
                let mut out = Vec::new();
                let mut written = 0;
                for (key, pairs) in chunk {
                    let known = pairs.iter().all(|&(id, _)| renumber[id as usize] != NONE);
                    let renumbered = pairs.iter().map(|&(id, w)| (renumber[id as usize], w));
                    if known && write_doc(&mut out, *key, renumbered) {
                        written += 1;
                    }
                }
                (out, written)
            })
            .collect();
        let written = runs.iter().map(|r| r.1).sum();
        super::write_with(&self.dir, FILE, false, |file| {
            file.write_all(header().as_bytes())?;
            file.write_all(&head)?;
            for (run, _) in &runs {
                file.write_all(run)?;
            }
            Ok(())
        })?;
        self.in_file = Some(written);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(file: &SearchTermFile, key: u128) -> Option<Vec<(String, u32)>> {
        file.get(key).map(|t| {
            t.into_iter()
                .map(|(id, w)| (file.term(id).unwrap().to_string(), w))
                .collect()
        })
    }

    /// The update of a build that tokenised `fresh`, numbering its terms
    /// after those of `file`.
    fn update(file: &SearchTermFile, live: &[u128], fresh: &[(u128, &[(&str, u32)])]) -> Update {
        let mut ids: HashMap<String, u32> = (0..file.term_count() as u32)
            .map(|id| (file.term(id).unwrap().to_string(), id))
            .collect();
        let mut u = Update {
            live: live.to_vec(),
            base: file.term_count(),
            ..Update::default()
        };
        for (key, t) in fresh {
            let pairs = t
                .iter()
                .map(|(term, w)| {
                    let next = (u.base + u.new_terms.len()) as u32;
                    let id = *ids.entry(term.to_string()).or_insert_with(|| {
                        u.new_terms.push(term.to_string());
                        next
                    });
                    (id, *w)
                })
                .collect();
            u.fresh.push((*key, pairs));
        }
        u
    }

    #[test]
    fn records_come_back_appended_and_are_rewritten_when_dead_ones_pile_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = load(dir.path());
        assert_eq!(terms(&file, 1), None);
        let u = update(
            &file,
            &[1, 2],
            &[(1, &[("oman", 8), ("talks", 3)]), (2, &[])],
        );
        file.save(&u).unwrap();
        let file_len = || std::fs::metadata(dir.path().join(FILE)).unwrap().len();
        let first = file_len();
        let mut file = load(dir.path());
        assert_eq!(
            terms(&file, 1),
            Some(vec![("oman".into(), 8), ("talks".into(), 3)])
        );
        assert_eq!(terms(&file, 2), Some(vec![]));
        assert_eq!(file.term_count(), 2);
        // One briefing changed: the new term and its record are appended;
        // the terms it shares are not written again.
        let u = update(&file, &[1, 3], &[(3, &[("muscat", 2), ("oman", 1)])]);
        file.save(&u).unwrap();
        let terms_record = 1 + 4 + 2 + 6 + 8;
        let doc_record = 1 + 16 + 4 + 2 * 6 + 8;
        assert_eq!(file_len(), first + terms_record + doc_record);
        let mut file = load(dir.path());
        assert_eq!(
            terms(&file, 3),
            Some(vec![("muscat".into(), 2), ("oman".into(), 1)])
        );
        assert_eq!(file.term_count(), 3);
        // 200 briefings, then 200 others: the second time, the file would
        // be more than a quarter dead, so it is written anew with the live
        // and the terms they use.
        let words = |keys: &[u128]| -> Vec<(u128, &[(&str, u32)])> {
            keys.iter().map(|k| (*k, &[("word", 1)][..])).collect()
        };
        let first: Vec<u128> = (1000..1200).collect();
        file.save(&update(&file, &first, &words(&first))).unwrap();
        let mut file = load(dir.path());
        assert_eq!(file.docs.len(), 203);
        let live: Vec<u128> = (100..300).collect();
        file.save(&update(&file, &live, &words(&live))).unwrap();
        let file = load(dir.path());
        assert_eq!(file.docs.len(), 200);
        assert_eq!(file.term_count(), 1);
        assert_eq!(terms(&file, 1), None);
        assert_eq!(terms(&file, 1100), None);
        assert_eq!(terms(&file, 150), Some(vec![("word".into(), 1)]));
    }

    #[test]
    fn a_damaged_record_ends_the_reading_and_the_next_save_rewrites() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = load(dir.path());
        let fresh: [(u128, &[(&str, u32)]); 3] =
            [(1, &[("a1", 1)]), (2, &[("b2", 2)]), (3, &[("c3", 3)])];
        file.save(&update(&file, &[1, 2, 3], &fresh)).unwrap();
        let path = dir.path().join(FILE);
        let good = std::fs::read(&path).unwrap();
        let terms_record = 1 + 4 + 3 * (2 + 2) + 8;
        let doc_record = 1 + 16 + 4 + 6 + 8;
        let mut bytes = good.clone();
        // A bit of the second briefing's term number flipped.
        bytes[header().len() + terms_record + doc_record + 21] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let mut file = load(dir.path());
        assert_eq!(terms(&file, 1), Some(vec![("a1".into(), 1)]));
        assert_eq!(terms(&file, 2), None);
        assert_eq!(terms(&file, 3), None);
        let fresh = &fresh[1..];
        file.save(&update(&file, &[1, 2, 3], fresh)).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), good);
        // Cut short: read up to the cut.
        std::fs::write(&path, &good[..good.len() - 3]).unwrap();
        assert_eq!(load(dir.path()).docs.len(), 2);
        // A term that is not UTF-8: nothing.
        let mut bytes = good.clone();
        let first_term = header().len() + 1 + 4 + 2;
        bytes[first_term] = 0xff;
        let sum = xxh3_64(&bytes[header().len()..header().len() + terms_record - 8]);
        bytes[header().len() + terms_record - 8..header().len() + terms_record]
            .copy_from_slice(&sum.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        assert!(load(dir.path()).docs.is_empty());
        // Another format or code: nothing.
        std::fs::write(&path, b"briefing-search-terms v0 x y\n").unwrap();
        assert!(load(dir.path()).docs.is_empty());
    }

    #[test]
    fn a_term_too_long_for_the_format_leaves_its_briefing_out() {
        let dir = tempfile::tempdir().unwrap();
        let long = "x".repeat(70_000);
        let mut file = load(dir.path());
        file.save(&update(&file, &[9], &[(9, &[("ok", 1)])]))
            .unwrap();
        let mut file = load(dir.path());
        let u = update(
            &file,
            &[9, 1, 2],
            &[(1, &[(long.as_str(), 1)]), (2, &[("ok", 1), ("fine", 2)])],
        );
        // Appended: the long term is kept in place, empty.
        file.save(&u).unwrap();
        let mut file = load(dir.path());
        assert_eq!(terms(&file, 1), None);
        assert_eq!(
            terms(&file, 2),
            Some(vec![("ok".into(), 1), ("fine".into(), 2)])
        );
        // Numbered against no file: written anew, the same.
        let none = SearchTermFile::default();
        let u = update(
            &none,
            &[1, 2],
            &[(1, &[(long.as_str(), 1)]), (2, &[("ok", 1)])],
        );
        file.save(&u).unwrap();
        let file = load(dir.path());
        assert_eq!(terms(&file, 1), None);
        assert_eq!(terms(&file, 2), Some(vec![("ok".into(), 1)]));
        assert_eq!(file.term_count(), 1);
    }
}
