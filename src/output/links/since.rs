//! Checking a rebuilt site's links against the last checked build of the
//! same output directory, scanning only the pages that changed.
//!
//! A page taken back unchanged from the output directory holds the links
//! it held when the build that wrote it checked them, and they all
//! resolved then. They still do if no file of that build is gone and no
//! page's anchors changed: then only the changed pages' links are checked
//! (and the anchors of the unchanged pages they point into with a
//! fragment are read). Otherwise every page is checked, as in a cold
//! build. [`LinkState`] is what the next build needs of this one: each
//! file's path with a hash of its anchors.

use std::borrow::Borrow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{self, BufRead, Write};
use std::path::Path;

use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3Default;

use super::{check_streaming_with_anchors, is_html, scan_bytes, Site};
use crate::output::scan::Scan;
use crate::output::{BrokenLink, OutputFile};

/// The file in the cache directory.
pub const FILE: &str = "links.txt";
const FORMAT: &str = "briefing-link-state v1";

/// What a checked build leaves for the next one's check.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LinkState {
    /// Hash of the output directory, base path and base URL the links were
    /// resolved with.
    context: u64,
    /// Every file of the build -> hash of its anchors (0 for files that
    /// are not HTML pages).
    anchors: HashMap<String, u64>,
}

impl LinkState {
    /// The state saved under `cache_dir`, if there is a readable one.
    pub fn load(cache_dir: &Path) -> Option<LinkState> {
        let file = std::fs::File::open(cache_dir.join(FILE)).ok()?;
        let mut lines = io::BufReader::new(file).lines();
        let head = lines.next()?.ok()?;
        let context = head.strip_prefix(FORMAT)?.trim();
        let context = u64::from_str_radix(context, 16).ok()?;
        let mut anchors = HashMap::new();
        for line in lines {
            let line = line.ok()?;
            let (hash, path) = line.split_once(' ')?;
            anchors.insert(path.to_string(), u64::from_str_radix(hash, 16).ok()?);
        }
        Some(LinkState { context, anchors })
    }

    /// Writes the state to `cache_dir` (a temporary file renamed over it).
    pub fn save(&self, cache_dir: &Path) -> io::Result<()> {
        let mut paths: Vec<(&String, &u64)> = self.anchors.iter().collect();
        paths.sort();
        let mut text = format!("{FORMAT} {:016x}\n", self.context);
        for (path, hash) in paths {
            text.push_str(&format!("{hash:016x} {path}\n"));
        }
        std::fs::create_dir_all(cache_dir)?;
        let tmp = cache_dir.join(format!(".{FILE}.tmp-{}", std::process::id()));
        let result = (|| {
            let mut out = std::fs::File::create(&tmp)?;
            out.write_all(text.as_bytes())?;
            out.sync_all()?;
            std::fs::rename(&tmp, cache_dir.join(FILE))
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

fn context_of(output_dir: &Path, base_path: &str, base_url: &str) -> u64 {
    let mut h = Xxh3Default::new();
    for part in [
        output_dir.to_string_lossy().as_bytes(),
        base_path.as_bytes(),
        base_url.as_bytes(),
    ] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.digest()
}

/// Hash of a set of anchors, whatever their order.
fn anchors_hash(anchors: &HashSet<String>) -> u64 {
    let mut sorted: Vec<&String> = anchors.iter().collect();
    sorted.sort();
    let mut h = Xxh3Default::new();
    for a in sorted {
        h.update(&(a.len() as u64).to_le_bytes());
        h.update(a.as_bytes());
    }
    // 0 stands for "not a page".
    h.digest().max(1)
}

/// The broken links of `files`, to be written to `output_dir`, and the
/// state for the next check. `unchanged` tells the files taken back from
/// `output_dir` as they were; `previous` is the last checked build's state.
/// Same result as [`super::check_links_with_base_url`].
pub fn check_links_since<F: Borrow<OutputFile> + Sync>(
    files: &[F],
    output_dir: &Path,
    base_path: &str,
    base_url: &str,
    unchanged: &(dyn Fn(&OutputFile) -> bool + Sync),
    previous: Option<&LinkState>,
) -> (Vec<BrokenLink>, LinkState) {
    let (base_path, base_url) = super::normalized_bases(base_path, Some(base_url));
    let base_url = base_url.unwrap_or_default();
    let context = context_of(output_dir, &base_path, &base_url);
    if let Some(previous) = previous.filter(|p| p.context == context) {
        if let Some(done) = check_changed(files, &base_path, &base_url, unchanged, previous) {
            return done;
        }
    }
    let (broken, page_anchors) = check_streaming_with_anchors(files, &base_path, Some(&base_url));
    let mut anchors: HashMap<String, u64> = files
        .iter()
        .map(|f| (f.borrow().path.clone(), 0))
        .collect();
    for (page, set) in page_anchors {
        anchors.insert(page.to_string(), anchors_hash(&set));
    }
    (broken, LinkState { context, anchors })
}

/// The check when the unchanged pages' links need no look: `None` when
/// they do (a file of the last build is gone, or a page's anchors changed).
fn check_changed<F: Borrow<OutputFile> + Sync>(
    files: &[F],
    base_path: &str,
    base_url: &str,
    unchanged: &(dyn Fn(&OutputFile) -> bool + Sync),
    previous: &LinkState,
) -> Option<(Vec<BrokenLink>, LinkState)> {
    let by_path: HashMap<&str, &OutputFile> = files
        .iter()
        .map(|f| (f.borrow().path.as_str(), f.borrow()))
        .collect();
    if !previous.anchors.keys().all(|p| by_path.contains_key(p.as_str())) {
        return None;
    }
    // Pages to check: HTML pages not taken back as they were.
    let scanned: Vec<(&str, Scan)> = files
        .par_iter()
        .map(|f| f.borrow())
        .filter(|f| is_html(&f.path))
        .filter(|f| !(unchanged(f) && previous.anchors.contains_key(&f.path)))
        .map(|f| (f.path.as_str(), scan_bytes(&f.bytes)))
        .collect();
    let mut anchors: HashMap<String, u64> = HashMap::with_capacity(files.len());
    for f in files {
        let path = &f.borrow().path;
        anchors.insert(path.clone(), previous.anchors.get(path).copied().unwrap_or(0));
    }
    for (page, scan) in &scanned {
        let hash = anchors_hash(&scan.anchors);
        if previous.anchors.get(*page).is_some_and(|h| *h != hash) {
            return None;
        }
        anchors.insert(page.to_string(), hash);
    }
    let no_anchors = HashMap::new();
    let mut site = Site {
        files: by_path.keys().copied().collect(),
        anchors: &no_anchors,
        base_path,
        base_url: Some(base_url),
    };
    // The unchanged pages the checked links point into with a fragment:
    // their anchors are read.
    let scanned_pages: HashSet<&str> = scanned.iter().map(|(p, _)| *p).collect();
    let targets: BTreeSet<String> = scanned
        .iter()
        .flat_map(|(page, scan)| {
            let site = &site;
            scan.links
                .iter()
                .filter(|l| l.contains('#'))
                .filter_map(move |l| {
                    let link = l.trim_matches(|c: char| c.is_ascii_whitespace());
                    let (path, _) = site.site_path(page, link).ok()??;
                    site.target_file(&path).ok()
                })
        })
        .filter(|t| is_html(t) && !scanned_pages.contains(t.as_str()))
        .collect();
    let target_scans: Vec<(&str, HashSet<String>)> = targets
        .par_iter()
        .map(|t| (t.as_str(), scan_bytes(&by_path[t.as_str()].bytes).anchors))
        .collect();
    let anchor_sets: HashMap<&str, &HashSet<String>> = scanned
        .iter()
        .map(|(p, s)| (*p, &s.anchors))
        .chain(target_scans.iter().map(|(p, a)| (*p, a)))
        .collect();
    site.anchors = &anchor_sets;
    let site = &site;
    let broken: BTreeSet<BrokenLink> = scanned
        .par_iter()
        .flat_map_iter(|(page, scan)| {
            scan.links.iter().filter_map(move |link| {
                site.check(page, link).err().map(|reason| BrokenLink {
                    page: page.to_string(),
                    link: link.clone(),
                    reason,
                })
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let context = previous.context;
    Some((broken.into_iter().collect(), LinkState { context, anchors }))
}
