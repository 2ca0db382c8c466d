//! Each text's stem counts on disk (`stems.bin`), so that a warm `build`
//! does not tokenise and stem every briefing again to rank related
//! briefings: at 10,000 briefings that was about 0.25 s of a 3.2 s warm
//! build (`index.order` in a trace), for 20 MB that read back in a few
//! tens of milliseconds.
//!
//! The file is a header line naming the format, crate version and the
//! fingerprint of the linking and analysis code (and of `Cargo.lock`,
//! for the stemmer), then records, little-endian, each ending in a
//! checksum of the record (8 bytes):
//!
//! - `N`, a count, then that many stems (4-byte length, UTF-8 bytes):
//!   stems numbered on from those before;
//! - `T`, a text's hash (16 bytes), a count, then (stem number, tf) pairs
//!   of 4-byte numbers.
//!
//! A build appends the stems and texts it found, as `terms.bin` does, and
//! writes the file anew, with only the live texts and their stems, once
//! the dead ones pile up. A record that does not check out ends the
//! reading: the texts after it are stemmed again, and the next save
//! writes the file anew. Counts that do not fit their stems make the file
//! count as absent: they feed the related lists, so a damaged one must
//! never be used.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use xxhash_rust::xxh3::xxh3_64;

use crate::linking::StemMemo;

/// The file in the cache directory.
pub const FILE: &str = "stems.bin";
const FORMAT: &str = "briefing-stems v1";
const NAMES: u8 = b'N';
const TEXT: u8 = b'T';

fn header() -> String {
    format!(
        "{FORMAT} {} {}\n",
        env!("CARGO_PKG_VERSION"),
        env!("BRIEFING_LINK_HASH")
    )
}

/// What is known of the file on disk.
#[derive(Debug, Default)]
pub struct StemFile {
    dir: PathBuf,
    /// Text records it holds, live or not (`None`: no usable file, or one
    /// to write anew).
    texts: Option<usize>,
}

/// The memo saved in `dir` (empty when there is none usable) and what the
/// next save needs to know of the file.
pub fn load(dir: &Path) -> (StemMemo, StemFile) {
    let mut file = StemFile {
        dir: dir.to_path_buf(),
        texts: None,
    };
    let Ok(bytes) = std::fs::read(dir.join(FILE)) else {
        return (StemMemo::default(), file);
    };
    let Some(mut rest) = bytes.strip_prefix(header().as_bytes()) else {
        return (StemMemo::default(), file);
    };
    let mut names: Vec<String> = Vec::new();
    let mut texts = HashMap::new();
    let mut records = 0;
    let mut whole = true;
    while !rest.is_empty() {
        let Some(len) = read_record(rest, &mut names, &mut texts) else {
            // Appending after a torn record would hide what follows it.
            whole = false;
            break;
        };
        records += usize::from(rest[0] == TEXT);
        rest = &rest[len..];
    }
    match StemMemo::from_saved(names, texts) {
        Some(memo) => {
            file.texts = whole.then_some(records);
            (memo, file)
        }
        None => (StemMemo::default(), file),
    }
}

/// Saves what `memo` adds to the file it was loaded from (`file`), or the
/// whole memo anew (see the module docs). Takes the memo: once written
/// anew, the file numbers its stems otherwise.
pub fn save(memo: StemMemo, file: &mut StemFile) -> io::Result<()> {
    if !memo.changed() {
        return Ok(());
    }
    let live = memo.texts_known();
    let (saved, append) = match file.texts {
        Some(n) if super::appending_keeps_it_lean(n, memo.texts_added(), live) => {
            (memo.to_append(), true)
        }
        _ => (memo.to_save(), false),
    };
    let mut head = if append {
        Vec::new()
    } else {
        header().into_bytes()
    };
    if !saved.names.is_empty() {
        names_record(&mut head, &saved.names);
    }
    // 190 MB of text records at 100,000 briefings: written as encoded.
    let encode =
        |out: &mut Vec<u8>, text: &(u128, Cow<[(u32, u32)]>)| text_record(out, text.0, &text.1);
    if append {
        let mut out = head;
        super::write_records(&mut out, &saved.texts, encode)?;
        // Not synced: every record is checked on reading.
        super::append(&file.dir, FILE, &out, false)?;
        file.texts = file.texts.map(|n| n + saved.texts.len());
    } else {
        super::write_with(&file.dir, FILE, false, |out| {
            out.write_all(&head)?;
            super::write_records(out, &saved.texts, encode)
        })?;
        file.texts = Some(saved.texts.len());
    }
    Ok(())
}

fn names_record(out: &mut Vec<u8>, names: &[&str]) {
    let start = out.len();
    out.push(NAMES);
    out.extend_from_slice(&(names.len() as u32).to_le_bytes());
    for name in names {
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
    }
    let sum = xxh3_64(&out[start..]);
    out.extend_from_slice(&sum.to_le_bytes());
}

fn text_record(out: &mut Vec<u8>, hash: u128, counts: &[(u32, u32)]) {
    let start = out.len();
    out.reserve(1 + 16 + 4 + 8 * counts.len() + 8);
    out.push(TEXT);
    out.extend_from_slice(&hash.to_le_bytes());
    out.extend_from_slice(&(counts.len() as u32).to_le_bytes());
    for (id, tf) in counts {
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&tf.to_le_bytes());
    }
    let sum = xxh3_64(&out[start..]);
    out.extend_from_slice(&sum.to_le_bytes());
}

/// Reads little-endian numbers and byte runs off the front of a slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

/// Reads the record at the start of `bytes` into `names` or `texts`;
/// returns its length, or `None` (and reads nothing) when it does not
/// check out.
fn read_record(
    bytes: &[u8],
    names: &mut Vec<String>,
    texts: &mut HashMap<u128, Arc<Vec<(u32, u32)>>>,
) -> Option<usize> {
    let mut r = Reader(bytes);
    let kind = r.take(1)?[0];
    let end = match kind {
        NAMES => {
            let n = r.u32()? as usize;
            for _ in 0..n {
                let len = r.u32()? as usize;
                r.take(len)?;
            }
            bytes.len() - r.0.len()
        }
        TEXT => {
            r.take(16)?;
            let n = r.u32()? as usize;
            r.take(n.checked_mul(8)?)?;
            bytes.len() - r.0.len()
        }
        _ => return None,
    };
    let sum = u64::from_le_bytes(r.take(8)?.try_into().ok()?);
    let record = &bytes[..end];
    if xxh3_64(record) != sum {
        return None;
    }
    let mut r = Reader(&record[1..]);
    if kind == NAMES {
        let n = r.u32()? as usize;
        for _ in 0..n {
            let len = r.u32()? as usize;
            names.push(std::str::from_utf8(r.take(len)?).ok()?.to_string());
        }
    } else {
        let hash = u128::from_le_bytes(r.take(16)?.try_into().ok()?);
        let n = r.u32()? as usize;
        let counts = r
            .take(8 * n)?
            .chunks_exact(8)
            .map(|c| {
                let number = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                (number(&c[..4]), number(&c[4..]))
            })
            .collect();
        texts.insert(hash, Arc::new(counts));
    }
    Some(end + 8)
}
