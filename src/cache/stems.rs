//! The related stage's stem counts of every briefing's text on disk
//! (`stems.bin`), so that a warm `build` does not tokenise and stem every
//! text again to rank related briefings (the bytes: see
//! `StemMemo::encode`). The header names the format, the crate version and
//! the link code, whose stemmer made the counts.

use std::io;
use std::path::Path;

use crate::linking::StemMemo;

/// The file in the cache directory.
pub const FILE: &str = "stems.bin";
const FORMAT: &str = "briefing-stems v1";

fn header() -> String {
    format!(
        "{FORMAT} {} {}\n",
        env!("CARGO_PKG_VERSION"),
        env!("BRIEFING_LINK_HASH")
    )
}

/// The memo saved in `dir`, or an empty one when there is none or it is
/// foreign or damaged (then every text is counted again).
pub fn load(dir: &Path) -> StemMemo {
    let bytes = std::fs::read(dir.join(FILE)).unwrap_or_default();
    crate::trace::lap("stems.read");
    let memo = bytes
        .strip_prefix(header().as_bytes())
        .and_then(StemMemo::decode)
        .unwrap_or_default();
    crate::trace::lap("stems.decode");
    memo
}

/// Saves `memo` in `dir` when it changed since it was loaded: whole or
/// not at all, and not synced (its checksum catches a torn file).
pub fn save(dir: &Path, memo: &StemMemo) -> io::Result<()> {
    if !memo.changed() {
        return Ok(());
    }
    let mut bytes = header().into_bytes();
    bytes.extend(memo.encode());
    crate::trace::lap("stems.encode");
    let written = super::write_unsynced(dir, FILE, &bytes);
    crate::trace::lap("stems.write");
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_or_missing_files_load_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!load(dir.path()).changed());
        std::fs::write(dir.path().join(FILE), "briefing-stems v0 0.0.0 x\nrest").unwrap();
        let memo = load(dir.path());
        assert_eq!(memo.encode(), StemMemo::default().encode());
        // Unchanged: nothing written.
        save(dir.path(), &memo).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join(FILE)).unwrap(),
            b"briefing-stems v0 0.0.0 x\nrest"
        );
    }
}
