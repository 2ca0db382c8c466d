//! Build script: fingerprints the analysis sources, so that the on-disk
//! analysis cache (src/cache) is invalidated by any change to the analysis
//! code, not only by a new crate version; and the render and Markdown
//! sources, for the page manifest (src/cache/pages.rs) likewise, and the
//! linking sources for the saved stems (src/cache/stems.rs), and the search
//! index's for the saved search terms (src/cache/search_terms.rs).

use std::path::{Path, PathBuf};

/// FNV-1a over the relative names and contents of every file under `dirs`:
/// stable across machines and Rust versions.
fn fingerprint(dirs: &[&str]) -> u64 {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in dirs {
        println!("cargo:rerun-if-changed={dir}");
        collect(Path::new(dir), &mut files);
    }
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for path in files {
        let name = path.to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap_or_default();
        for b in name.as_bytes().iter().chain(&bytes) {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    if dir.is_file() {
        files.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

fn main() {
    let analysis = fingerprint(&["src/analysis"]);
    println!("cargo:rustc-env=BRIEFING_ANALYSIS_HASH={analysis:016x}");
    // Cargo.lock: the page manifest must not outlive a new Tera or
    // serde_json either.
    let render = fingerprint(&["src/render", "src/markdown", "Cargo.lock"]);
    // The related lists' stems: the linking code, the analysis code it
    // borrows, and the stemmer's version.
    let link = fingerprint(&["src/linking", "src/analysis", "Cargo.lock"]);
    println!("cargo:rustc-env=BRIEFING_LINK_HASH={link:016x}");
    let search = fingerprint(&["src/search.rs"]);
    println!("cargo:rustc-env=BRIEFING_SEARCH_HASH={search:016x}");
    println!("cargo:rustc-env=BRIEFING_RENDER_HASH={render:016x}");
}
