//! Build script: fingerprints the analysis sources, so that the on-disk
//! analysis cache (src/cache.rs) is invalidated by any change to the analysis
//! code, not only by a new crate version.

use std::path::Path;

fn main() {
    let dir = Path::new("src/analysis");
    println!("cargo:rerun-if-changed=src/analysis");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    // FNV-1a over file names and contents: stable across machines and Rust versions.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(&path).unwrap_or_default();
        for b in name.as_bytes().iter().chain(&bytes) {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=BRIEFING_ANALYSIS_HASH={hash:016x}");
}
