//! The inline links of the last build on disk (`inline.bin`): see
//! [`crate::linking::SavedInline`] for what they are and the records.
//!
//! The file is a header line naming the format, the crate version and the
//! fingerprint of the linking code, then the records, then a checksum of
//! them (8 bytes). A file that does not check out is not used; the build
//! then finds every briefing's links and writes the file anew.

use std::io::{self, Write};
use std::path::Path;

use xxhash_rust::xxh3::xxh3_64;

use crate::linking::SavedInline;

/// The file in the cache directory.
pub const FILE: &str = "inline.bin";
const FORMAT: &str = "briefing-inline v1";

fn header() -> String {
    format!(
        "{FORMAT} {} {}\n",
        env!("CARGO_PKG_VERSION"),
        env!("BRIEFING_LINK_HASH")
    )
}

/// The links saved in `dir`; none if the file is missing, of other code or
/// not whole.
pub fn load(dir: &Path) -> SavedInline {
    let read = || -> Option<SavedInline> {
        let bytes = std::fs::read(dir.join(FILE)).ok()?;
        let body = bytes.strip_prefix(header().as_bytes())?;
        SavedInline::decode(super::checked_records(body)?)
    };
    read().unwrap_or_default()
}

/// Saves `records` ([`SavedInline::take_encoded`]) in `dir`, through a
/// temporary file renamed over the last; not synced: the checksum tells a
/// file cut short by a crash, which costs only a search.
pub fn save(dir: &Path, records: &[u8]) -> io::Result<()> {
    super::write_with(dir, FILE, false, |out| {
        out.write_all(header().as_bytes())?;
        out.write_all(records)?;
        out.write_all(&xxh3_64(records).to_le_bytes())
    })
}
