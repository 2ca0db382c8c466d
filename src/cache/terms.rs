//! Each document's terms on disk (`terms.bin`), so that a warm `build`
//! does not tokenise every briefing again to count the corpus: at 10,000
//! briefings that was 0.4-0.5 s of a 3.5 s warm build, for 37 MB of
//! hashes that read back in a few milliseconds.
//!
//! The file is a header line naming the format, crate version and analysis
//! code, then records: the document hash (16 bytes), the number of terms
//! (4 bytes), the terms (8 bytes each) and a checksum of the record (8
//! bytes), all little-endian. A build appends the documents it tokenised;
//! when the file holds many records no longer used, it is written anew
//! with the live ones. A record that does not check out ends the reading
//! (a torn append): the documents after it are tokenised again. Term
//! lists feed the corpus counts, so a damaged one must never be used; and
//! since every record is checked, the file is not synced to disk.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use xxhash_rust::xxh3::xxh3_64;

use crate::fast_hash::FastMap;

/// The file in the cache directory.
pub const FILE: &str = "terms.bin";
const FORMAT: &str = "briefing-terms v1";

fn header() -> String {
    format!(
        "{FORMAT} {} {}\n",
        env!("CARGO_PKG_VERSION"),
        env!("BRIEFING_ANALYSIS_HASH")
    )
}

/// Document hash -> its sorted term hashes.
pub type TermLists = FastMap<u128, Arc<Vec<u64>>>;

/// What is known of the file on disk.
#[derive(Debug, Default)]
pub struct TermFile {
    dir: PathBuf,
    /// Records the file holds, readable or not (`None`: no usable file).
    records: Option<usize>,
}

/// Reads `dir/terms.bin`: the lists it holds and what the next save needs
/// to know of it. A missing, foreign or damaged file yields what could be
/// read before the damage.
pub fn load(dir: &Path) -> (TermLists, TermFile) {
    let mut file = TermFile {
        dir: dir.to_path_buf(),
        records: None,
    };
    let Ok(bytes) = std::fs::read(dir.join(FILE)) else {
        return (TermLists::default(), file);
    };
    let Some(mut rest) = bytes.strip_prefix(header().as_bytes()) else {
        return (TermLists::default(), file);
    };
    let mut lists = TermLists::default();
    let mut records = 0;
    while !rest.is_empty() {
        records += 1;
        match read_record(rest) {
            Some((key, terms, len)) => {
                lists.insert(key, Arc::new(terms));
                rest = &rest[len..];
            }
            // Appending after a torn record would hide the records behind
            // it: the next save writes the file anew.
            None => return (lists, file),
        }
    }
    file.records = Some(records);
    (lists, file)
}

/// One record at the start of `bytes`: key, terms and its length in bytes.
fn read_record(bytes: &[u8]) -> Option<(u128, Vec<u64>, usize)> {
    let key = u128::from_le_bytes(bytes.get(..16)?.try_into().ok()?);
    let n = u32::from_le_bytes(bytes.get(16..20)?.try_into().ok()?) as usize;
    let end = 20 + n.checked_mul(8)?;
    let body = bytes.get(..end)?;
    let sum = u64::from_le_bytes(bytes.get(end..end + 8)?.try_into().ok()?);
    if xxh3_64(body) != sum {
        return None;
    }
    let terms = body[20..]
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
        .collect();
    Some((key, terms, end + 8))
}

fn write_record(out: &mut Vec<u8>, key: u128, terms: &[u64]) {
    let start = out.len();
    out.reserve(16 + 4 + 8 * terms.len() + 8);
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(&(terms.len() as u32).to_le_bytes());
    for t in terms {
        out.extend_from_slice(&t.to_le_bytes());
    }
    let sum = xxh3_64(&out[start..]);
    out.extend_from_slice(&sum.to_le_bytes());
}

impl TermFile {
    /// Records the lists of this build: `live` is every document of the
    /// site, `added` those tokenised by this build (not in the file).
    /// Appends `added`, or writes the live lists anew when the file is
    /// unusable or mostly dead records. Keys in `added` and `live` must be
    /// in `lists`.
    pub fn save(&mut self, lists: &TermLists, live: &[u128], added: &[u128]) -> io::Result<()> {
        match self.records {
            Some(n) if super::appending_keeps_it_lean(n, added.len(), live.len()) => {
                self.append(lists, added)?;
                self.records = Some(n + added.len());
            }
            _ => self.records = Some(self.rewrite(lists, live)?),
        }
        Ok(())
    }

    fn append(&self, lists: &TermLists, keys: &[u128]) -> io::Result<()> {
        let mut sorted = keys.to_vec();
        sorted.sort_unstable();
        let mut out = Vec::new();
        for k in sorted {
            write_record(&mut out, k, &lists[&k]);
        }
        // Not synced, as the whole file is not: see `write_unsynced`.
        super::append(&self.dir, FILE, &out, false)
    }

    /// Writes the file anew with the `live` lists; returns how many.
    fn rewrite(&self, lists: &TermLists, live: &[u128]) -> io::Result<usize> {
        use rayon::prelude::*;
        let mut sorted = live.to_vec();
        sorted.par_sort_unstable();
        sorted.dedup();
        super::write_with(&self.dir, FILE, false, |file| {
            file.write_all(header().as_bytes())?;
            super::write_records(file, &sorted, |out, k| write_record(out, *k, &lists[k]))
        })?;
        Ok(sorted.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists(entries: &[(u128, &[u64])]) -> TermLists {
        entries
            .iter()
            .map(|(k, t)| (*k, Arc::new(t.to_vec())))
            .collect()
    }

    #[test]
    fn lists_come_back_as_saved_and_appends_add_to_them() {
        let dir = tempfile::tempdir().unwrap();
        let (empty, mut file) = load(dir.path());
        assert!(empty.is_empty());
        let first = lists(&[(1, &[10, 20]), (2, &[])]);
        file.save(&first, &[1, 2], &[1, 2]).unwrap();
        let (back, mut file) = load(dir.path());
        assert_eq!(back, first);
        // One more document: appended, the file is not rewritten.
        let len_before = std::fs::metadata(dir.path().join(FILE)).unwrap().len();
        let second = lists(&[(1, &[10, 20]), (2, &[]), (3, &[7])]);
        file.save(&second, &[1, 2, 3], &[3]).unwrap();
        let len_after = std::fs::metadata(dir.path().join(FILE)).unwrap().len();
        assert_eq!(len_after, len_before + 16 + 4 + 8 + 8);
        assert_eq!(load(dir.path()).0, second);
    }

    #[test]
    fn dead_records_are_dropped_when_they_pile_up() {
        let dir = tempfile::tempdir().unwrap();
        let (_, mut file) = load(dir.path());
        let all: TermLists = (0..200u128)
            .map(|k| (k, Arc::new(vec![k as u64])))
            .collect();
        let first: Vec<u128> = (0..100).collect();
        file.save(&all, &first, &first).unwrap();
        // A site of 100 other documents: 200 records for 100 live ones is
        // more than a quarter dead, so the file holds the live ones only.
        let second: Vec<u128> = (100..200).collect();
        file.save(&all, &second, &second).unwrap();
        let (back, _) = load(dir.path());
        assert_eq!(back.len(), 100);
        assert!(back.keys().all(|k| *k >= 100));
    }

    #[test]
    fn a_file_written_anew_in_batches_holds_every_list() {
        let dir = tempfile::tempdir().unwrap();
        let (_, mut file) = load(dir.path());
        let n = 2 * super::super::RECORDS_PER_BATCH as u128 + 3;
        let all: TermLists = (0..n)
            .map(|k| (k * 7919, Arc::new((0..(k % 5) as u64).collect())))
            .collect();
        let mut live: Vec<u128> = all.keys().copied().collect();
        live.reverse();
        file.save(&all, &live, &live).unwrap();
        assert_eq!(load(dir.path()).0, all);
    }

    #[test]
    fn a_damaged_record_ends_the_reading_and_the_next_save_rewrites() {
        let dir = tempfile::tempdir().unwrap();
        let (_, mut file) = load(dir.path());
        let saved = lists(&[(1, &[10]), (2, &[20]), (3, &[30])]);
        file.save(&saved, &[1, 2, 3], &[1, 2, 3]).unwrap();
        let path = dir.path().join(FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        // Flip a bit in the second record's term.
        let second_term = header().len() + 36 + 20;
        bytes[second_term] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let (back, mut file) = load(dir.path());
        assert_eq!(back, lists(&[(1, &[10])]));
        // A file cut short is read up to the cut.
        std::fs::write(&path, &bytes[..header().len() + 30]).unwrap();
        assert!(load(dir.path()).0.is_empty());
        // Saving after damage writes every live list again.
        file.save(&saved, &[1, 2, 3], &[]).unwrap();
        assert_eq!(load(dir.path()).0, saved);
        // Another format or analysis: nothing is read.
        std::fs::write(&path, b"briefing-terms v0 x y\n").unwrap();
        assert!(load(dir.path()).0.is_empty());
    }
}
