//! The related lists of the last build on disk (`related.bin`), so that
//! a warm `build` ranks only the briefings whose lists can have changed.
//! Under `related_scope = "past"` a list depends only on the briefings up
//! to its own: when a build adds the newest briefing, as most content
//! commits do, every other list is the last build's (see
//! [`crate::linking::RelatedMemo`]). At 10,000 briefings ranking them all
//! took about 0.4 s of a warm build.
//!
//! The file is a header line naming the format, the crate version, the
//! fingerprint of the linking code and the options the lists were made
//! with, then one record per briefing, oldest first ([`SavedList`] in
//! postcard's binary form, after its length in 4 bytes), then a checksum
//! of the records (8 bytes). It is written whole (through a temporary
//! file) by every build that writes; one that does not check out is not
//! used. JSON lines took 0.15 s of CPU to read and 0.05 s to write at
//! 10,000 briefings, most of it scanning strings for escapes.

use std::io::{self, Write};

use rayon::prelude::*;
use std::path::Path;
use xxhash_rust::xxh3::Xxh3Default;

use crate::linking::SavedList;

/// The file in the cache directory.
pub const FILE: &str = "related.bin";
const FORMAT: &str = "briefing-related v3";

fn header(options: (usize, bool)) -> String {
    format!(
        "{FORMAT} {} {} {} {}",
        env!("CARGO_PKG_VERSION"),
        env!("BRIEFING_LINK_HASH"),
        options.0,
        options.1
    )
}

/// The lists saved in `dir` with their options, if the file checks out
/// and is of this code. Records are decoded in parallel.
pub fn load(dir: &Path) -> Option<((usize, bool), Vec<SavedList>)> {
    let bytes = std::fs::read(dir.join(FILE)).ok()?;
    let line_end = bytes.iter().position(|&b| b == b'\n')?;
    let head = std::str::from_utf8(&bytes[..line_end]).ok()?;
    let mut words = head.rsplitn(3, ' ');
    let past: bool = words.next()?.parse().ok()?;
    let k: usize = words.next()?.parse().ok()?;
    if head != header((k, past)) {
        return None;
    }
    let records = super::checked_records(&bytes[line_end + 1..])?;
    let mut each = Vec::new();
    let mut rest = records;
    while !rest.is_empty() {
        let (len, tail) = rest.split_at_checked(4)?;
        let len = u32::from_le_bytes(len.try_into().ok()?) as usize;
        let (record, tail) = tail.split_at_checked(len)?;
        each.push(record);
        rest = tail;
    }
    let lists = each
        .par_iter()
        .map(|record| postcard::from_bytes(record).ok())
        .collect::<Option<Vec<SavedList>>>()?;
    Some(((k, past), lists))
}

/// Saves `lists`, made with `options`, in `dir`, whole or not at all,
/// written straight to the file. Serial: a build saves them on a thread
/// of its own while it renders (see `Caches::done_with_related`), where
/// work handed to the thread pool would wait for the rendering to end
/// (at 100,000 briefings the memo was then held through it).
pub fn save<L: serde::Serialize>(
    dir: &Path,
    options: (usize, bool),
    lists: &[L],
) -> io::Result<()> {
    super::write_with(dir, FILE, false, |out| {
        writeln!(out, "{}", header(options))?;
        let mut sum = Xxh3Default::new();
        let mut record = Vec::new();
        for list in lists {
            record.clear();
            record.extend_from_slice(&[0; 4]);
            record = postcard::to_extend(list, record).map_err(io::Error::other)?;
            let len = u32::try_from(record.len() - 4).map_err(io::Error::other)?;
            record[..4].copy_from_slice(&len.to_le_bytes());
            sum.update(&record);
            out.write_all(&record)?;
        }
        out.write_all(&sum.digest().to_le_bytes())
    })?;
    // The JSON lines of earlier versions, read by none now.
    let _ = std::fs::remove_file(dir.join("related.jsonl"));
    Ok(())
}
