//! Each briefing's weighted search terms on disk (`search.bin`), so that
//! a warm `build` does not tokenise every briefing again for the search
//! index: at 10,000 briefings that was 0.25-0.3 s of a 2.6 s warm build
//! (`search.terms` in a trace).
//!
//! A briefing's record is keyed by a hash of everything its terms are
//! counted from (`search::doc_key`). The file is a header line naming the
//! format, the crate version and a fingerprint of `src/search.rs`, then
//! records, little-endian: the key (16 bytes), the number of terms (4
//! bytes), each term (2-byte length, UTF-8 bytes, 2-byte weight), and a
//! checksum of the record (8 bytes). A build appends the records of the
//! briefings it tokenised, and writes the file anew with the live ones
//! once a quarter of it is dead. A record that does not check out ends
//! the reading, and the next save writes the file anew.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::xxh3_64;

/// The file in the cache directory.
pub const FILE: &str = "search.bin";
const FORMAT: &str = "briefing-search-terms v1";

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
    /// Key -> where its record is in `bytes`.
    records: HashMap<u128, Range<usize>>,
    /// Records in the file, live or not (`None`: no usable file, or one
    /// to write anew).
    in_file: Option<usize>,
}

/// What a build adds: its briefings' keys, in order, and the records of
/// those it tokenised, encoded.
#[derive(Debug, Default)]
pub struct Update {
    pub live: Vec<u128>,
    pub fresh: Vec<u8>,
    pub fresh_at: HashMap<u128, Range<usize>>,
}

impl Update {
    /// Adds the record of `key`, unless a term is too long for the format
    /// (the briefing is then tokenised again next time).
    pub fn add<'a>(&mut self, key: u128, terms: impl ExactSizeIterator<Item = (&'a str, u32)>) {
        if let Some(record) = record(key, terms) {
            self.add_record(key, &record);
        }
    }

    /// Adds a record made by [`record`].
    pub fn add_record(&mut self, key: u128, record: &[u8]) {
        let start = self.fresh.len();
        self.fresh.extend_from_slice(record);
        self.fresh_at.insert(key, start..self.fresh.len());
    }
}

/// The record of `key`, or `None` when a term is too long for the format.
pub fn record<'a>(
    key: u128,
    terms: impl ExactSizeIterator<Item = (&'a str, u32)>,
) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    encode(&mut out, key, terms).then_some(out)
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
    let mut at = header().len();
    let mut count = 0;
    let mut whole = true;
    while at < bytes.len() {
        match record_len(&bytes[at..]) {
            Some((key, len)) => {
                file.records.insert(key, at..at + len);
                at += len;
                count += 1;
            }
            None => {
                whole = false;
                break;
            }
        }
    }
    file.bytes = bytes;
    file.in_file = whole.then_some(count);
    file
}

/// The key and length of the record at the start of `bytes`, if it checks out.
fn record_len(bytes: &[u8]) -> Option<(u128, usize)> {
    let key = u128::from_le_bytes(bytes.get(..16)?.try_into().ok()?);
    let n = u32::from_le_bytes(bytes.get(16..20)?.try_into().ok()?);
    let mut at = 20;
    for _ in 0..n {
        let len = u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?) as usize;
        at += 2 + len + 2;
    }
    let sum = u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?);
    (xxh3_64(bytes.get(..at)?) == sum).then_some((key, at + 8))
}

/// Appends the record of `key` to `out`; false (and `out` partly
/// written) when a term is longer than 65,535 bytes.
fn encode<'a>(
    out: &mut Vec<u8>,
    key: u128,
    terms: impl ExactSizeIterator<Item = (&'a str, u32)>,
) -> bool {
    let start = out.len();
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(&(terms.len() as u32).to_le_bytes());
    for (term, weight) in terms {
        let (Ok(len), Ok(weight)) = (u16::try_from(term.len()), u16::try_from(weight)) else {
            return false;
        };
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(term.as_bytes());
        out.extend_from_slice(&weight.to_le_bytes());
    }
    let sum = xxh3_64(&out[start..]);
    out.extend_from_slice(&sum.to_le_bytes());
    true
}

impl SearchTermFile {
    /// The terms recorded for `key`, borrowing the file's bytes.
    pub fn get(&self, key: u128) -> Option<Vec<(Cow<'_, str>, u32)>> {
        let record = &self.bytes[self.records.get(&key)?.clone()];
        let n = u32::from_le_bytes(record[16..20].try_into().ok()?) as usize;
        let mut terms = Vec::with_capacity(n);
        let mut at = 20;
        for _ in 0..n {
            let len = u16::from_le_bytes(record[at..at + 2].try_into().ok()?) as usize;
            let term = std::str::from_utf8(&record[at + 2..at + 2 + len]).ok()?;
            let weight = u16::from_le_bytes(record[at + 2 + len..at + 4 + len].try_into().ok()?);
            terms.push((Cow::Borrowed(term), u32::from(weight)));
            at += 4 + len;
        }
        Some(terms)
    }

    /// Records a build's terms: appends its fresh records, or writes the
    /// file anew with the live ones when it is unusable or would be more
    /// than about a quarter dead records.
    pub fn save(&mut self, update: &Update) -> io::Result<()> {
        let added = update.fresh_at.len();
        match self.in_file {
            Some(n) if super::appending_keeps_it_lean(n, added, update.live.len()) => {
                if added > 0 {
                    // Not synced: every record is checked on reading.
                    super::append(&self.dir, FILE, &update.fresh, false)?;
                }
                self.in_file = Some(n + added);
            }
            _ => {
                // Streamed, not gathered: at 10,000 briefings the records
                // are 30 MB, all of them fresh in a cold build.
                let mut written = std::collections::HashSet::new();
                super::write_with(&self.dir, FILE, false, |out| {
                    out.write_all(header().as_bytes())?;
                    for key in &update.live {
                        let record = match (update.fresh_at.get(key), self.records.get(key)) {
                            (Some(at), _) => &update.fresh[at.clone()],
                            (None, Some(at)) => &self.bytes[at.clone()],
                            (None, None) => continue,
                        };
                        if written.insert(*key) {
                            out.write_all(record)?;
                        }
                    }
                    Ok(())
                })?;
                self.in_file = Some(written.len());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(file: &SearchTermFile, key: u128) -> Option<Vec<(String, u32)>> {
        file.get(key)
            .map(|t| t.into_iter().map(|(s, w)| (s.into_owned(), w)).collect())
    }

    fn update(live: &[u128], fresh: &[(u128, &[(&str, u32)])]) -> Update {
        let mut u = Update {
            live: live.to_vec(),
            ..Update::default()
        };
        for (key, t) in fresh {
            u.add(*key, t.iter().copied());
        }
        u
    }

    #[test]
    fn records_come_back_appended_and_are_rewritten_when_dead_ones_pile_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = load(dir.path());
        assert_eq!(terms(&file, 1), None);
        file.save(&update(
            &[1, 2],
            &[(1, &[("oman", 8), ("talks", 3)]), (2, &[])],
        ))
        .unwrap();
        let file_len = || std::fs::metadata(dir.path().join(FILE)).unwrap().len();
        let first = file_len();
        let mut file = load(dir.path());
        assert_eq!(
            terms(&file, 1),
            Some(vec![("oman".into(), 8), ("talks".into(), 3)])
        );
        assert_eq!(terms(&file, 2), Some(vec![]));
        // One briefing changed: its record is appended.
        file.save(&update(&[1, 3], &[(3, &[("muscat", 2)])]))
            .unwrap();
        assert_eq!(file_len(), first + 16 + 4 + 2 + 6 + 2 + 8);
        let mut file = load(dir.path());
        assert_eq!(terms(&file, 3), Some(vec![("muscat".into(), 2)]));
        // 200 briefings, then 200 others: the second time, the file would
        // be more than a quarter dead, so it is written anew with the live.
        let words = |keys: &[u128]| -> Vec<(u128, &[(&str, u32)])> {
            keys.iter().map(|k| (*k, &[("word", 1)][..])).collect()
        };
        let first: Vec<u128> = (1000..1200).collect();
        file.save(&update(&first, &words(&first))).unwrap();
        let mut file = load(dir.path());
        assert_eq!(file.records.len(), 203);
        let live: Vec<u128> = (100..300).collect();
        file.save(&update(&live, &words(&live))).unwrap();
        let file = load(dir.path());
        assert_eq!(file.records.len(), 200);
        assert_eq!(terms(&file, 1), None);
        assert_eq!(terms(&file, 1100), None);
        assert_eq!(terms(&file, 150), Some(vec![("word".into(), 1)]));
    }

    #[test]
    fn a_damaged_record_ends_the_reading_and_the_next_save_rewrites() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = load(dir.path());
        file.save(&update(
            &[1, 2, 3],
            &[(1, &[("a1", 1)]), (2, &[("b2", 2)]), (3, &[("c3", 3)])],
        ))
        .unwrap();
        let path = dir.path().join(FILE);
        let good = std::fs::read(&path).unwrap();
        let record = 16 + 4 + 2 + 2 + 2 + 8;
        let mut bytes = good.clone();
        // A bit of the second record's term flipped.
        bytes[header().len() + record + 22] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let mut file = load(dir.path());
        assert_eq!(terms(&file, 1), Some(vec![("a1".into(), 1)]));
        assert_eq!(terms(&file, 2), None);
        assert_eq!(terms(&file, 3), None);
        file.save(&update(&[1, 2, 3], &[(2, &[("b2", 2)]), (3, &[("c3", 3)])]))
            .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), good);
        // Cut short: read up to the cut.
        std::fs::write(&path, &good[..good.len() - 3]).unwrap();
        assert_eq!(load(dir.path()).records.len(), 2);
        // Another format or code: nothing.
        std::fs::write(&path, b"briefing-search-terms v0 x y\n").unwrap();
        assert!(load(dir.path()).records.is_empty());
    }

    #[test]
    fn a_term_too_long_for_the_format_leaves_its_briefing_out() {
        let long = "x".repeat(70_000);
        let u = update(&[1, 2], &[(1, &[(long.as_str(), 1)]), (2, &[("ok", 1)])]);
        assert!(!u.fresh_at.contains_key(&1));
        assert_eq!(u.fresh_at[&2], 0..u.fresh.len());
    }
}
