//! The only writer of the site: builds the output tree beside the output
//! directory and swaps it in, so a failed build leaves the previous site.
//! Also checks every internal link of the generated HTML.
//!
//! (First version: writes into a temporary directory and renames it.)

use std::collections::BTreeSet;
use std::path::Path;

/// One file of the generated site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output directory, `/`-separated (`briefings/x/index.html`).
    pub path: String,
    pub bytes: Vec<u8>,
}

/// An internal link of the generated site that resolves to nothing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BrokenLink {
    /// The page holding the link (output path).
    pub page: String,
    pub link: String,
    pub reason: String,
}

/// What writing did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub files: usize,
    pub bytes: u64,
}

/// Checks the `href` and `src` links of every HTML file that point into the
/// site (root-relative under `base_path`), including `#anchors`.
pub fn check_links(files: &[OutputFile], base_path: &str) -> Vec<BrokenLink> {
    let existing: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut broken = Vec::new();
    for file in files.iter().filter(|f| f.path.ends_with(".html")) {
        let html = String::from_utf8_lossy(&file.bytes);
        for link in extract_links(&html) {
            let Some(rest) = link.strip_prefix(base_path) else {
                continue;
            };
            let rest = rest.split('#').next().unwrap_or("");
            let target = if rest.is_empty() || rest.ends_with('/') {
                format!("{rest}index.html")
            } else {
                rest.to_string()
            };
            if !existing.contains(target.as_str()) {
                broken.push(BrokenLink {
                    page: file.path.clone(),
                    link: link.to_string(),
                    reason: "no such file in the built site".into(),
                });
            }
        }
    }
    broken
}

fn extract_links(html: &str) -> Vec<&str> {
    let mut links = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                links.push(&rest[..end]);
            }
        }
    }
    links
}

/// Writes `files` as the new content of `out_dir`.
pub fn write_site(out_dir: &Path, files: &[OutputFile]) -> std::io::Result<WriteStats> {
    let parent = out_dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let staging = parent.join(format!(".{name}.tmp"));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    let mut stats = WriteStats::default();
    for file in files {
        let path = staging.join(&file.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, &file.bytes)?;
        stats.files += 1;
        stats.bytes += file.bytes.len() as u64;
    }
    let old = parent.join(format!(".{name}.old"));
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    if out_dir.exists() {
        std::fs::rename(out_dir, &old)?;
    }
    std::fs::rename(&staging, out_dir)?;
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    Ok(stats)
}
