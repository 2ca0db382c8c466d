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

use std::io::{self, Write};

use rayon::prelude::*;
use std::path::Path;

use crate::linking::SavedList;

/// The file in the cache directory.
pub const FILE: &str = "related.jsonl";
const FORMAT: &str = "briefing-related v2";

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
/// of this code. Lines are parsed in parallel (at 10,000 briefings the
/// file is about 10 MB of JSON).
pub fn load(dir: &Path) -> Option<((usize, bool), Vec<SavedList>)> {
    let text = std::fs::read_to_string(dir.join(FILE)).ok()?;
    let mut lines = text.lines();
    let head = lines.next()?;
    let mut words = head.rsplitn(3, ' ');
    let past: bool = words.next()?.parse().ok()?;
    let k: usize = words.next()?.parse().ok()?;
    if head != header((k, past)) {
        return None;
    }
    let lines: Vec<&str> = lines.collect();
    let lists = lines
        .par_iter()
        .map(|line| serde_json::from_str(line).ok())
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
        for list in lists {
            serde_json::to_writer(&mut *out, list)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    })
}
