//! The related lists of the last build on disk (`related.jsonl`), so that
//! a warm `build` ranks only the briefings whose lists can have changed.
//! Under `related_scope = "past"` a list depends only on the briefings up
//! to its own: when a build adds the newest briefing, as most content
//! commits do, every other list is the last build's (see
//! [`crate::linking::RelatedMemo`]). At 10,000 briefings ranking them all
//! took about 0.4 s of a warm build.
//!
//! The file is a header line naming the format, the crate version, the
//! fingerprint of the linking code and the options the lists were made
//! with, then one JSON array per briefing, oldest first
//! ([`SavedList`]). It is written whole (through a temporary file) by
//! every build that writes; one that does not read back whole is not used.

use std::io::{self, BufRead, Write};
use std::path::Path;

use crate::linking::SavedList;

/// The file in the cache directory.
pub const FILE: &str = "related.jsonl";
const FORMAT: &str = "briefing-related v1";

fn header(options: (usize, bool)) -> String {
    format!(
        "{FORMAT} {} {} {} {}",
        env!("CARGO_PKG_VERSION"),
        env!("BRIEFING_LINK_HASH"),
        options.0,
        options.1
    )
}

/// The lists saved in `dir` with their options, if the file is whole and
/// of this code.
pub fn load(dir: &Path) -> Option<((usize, bool), Vec<SavedList>)> {
    let file = std::fs::File::open(dir.join(FILE)).ok()?;
    let mut lines = io::BufReader::new(file).lines();
    let head = lines.next()?.ok()?;
    let mut words = head.rsplitn(3, ' ');
    let past: bool = words.next()?.parse().ok()?;
    let k: usize = words.next()?.parse().ok()?;
    if head != header((k, past)) {
        return None;
    }
    let lists = lines
        .map(|line| serde_json::from_str(&line.ok()?).ok())
        .collect::<Option<Vec<SavedList>>>()?;
    Some(((k, past), lists))
}

/// Saves `lists`, made with `options`, in `dir`, whole or not at all.
pub fn save(dir: &Path, options: (usize, bool), lists: &[SavedList]) -> io::Result<()> {
    super::write_with(dir, FILE, false, |out| {
        writeln!(out, "{}", header(options))?;
        for list in lists {
            serde_json::to_writer(&mut *out, list)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    })
}
