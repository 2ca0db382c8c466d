//! Checking a rebuilt site's links against the last checked build of the
//! same output directory, scanning only the pages that changed.
//!
//! A page with the same bytes at the same path as in the last checked
//! build holds the same links, and they all resolved then. They still do
//! if no file of that build is gone and no page's anchors changed: then
//! only the changed pages' links are checked (and the anchors of the
//! unchanged pages they point into with a fragment are read). Otherwise
//! every page is checked, as in a cold build. [`LinkState`] is what the
//! next build needs of this one: each file's path with a hash of its bytes
//! and one of its anchors. Hashing a page is cheap next to scanning it,
//! and keeps the state true on its own, whatever happened to the output
//! or the other cache files in between.

use std::borrow::Borrow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{self, BufRead};
use std::path::Path;

use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3Default;

use super::{check_streaming_with_anchors, is_html, scan_bytes, Site};
use crate::fast_hash::FastMap;
use crate::output::scan::Scan;
use crate::output::{BrokenLink, OutputFile};

/// The file in the cache directory.
pub const FILE: &str = "links.txt";
const FORMAT: &str = "briefing-link-state v2";

/// What a checked build leaves for the next one's check.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LinkState {
    /// Hash of the output directory, base path and base URL the links were
    /// resolved with.
    context: u64,
    /// Every file of the build -> hashes of its bytes
    /// ([`crate::output::Bytes::content_hash`]: a page left on disk is not
    /// read for it) and of its anchors (both 0 for files that are not HTML
    /// pages).
    pages: FastMap<String, (u128, u64)>,
}

impl LinkState {
    /// The state saved under `cache_dir`, if there is a readable one.
    pub fn load(cache_dir: &Path) -> Option<LinkState> {
        let file = std::fs::File::open(cache_dir.join(FILE)).ok()?;
        let mut lines = io::BufReader::new(file).lines();
        let head = lines.next()?.ok()?;
        let context = head.strip_prefix(FORMAT)?.trim();
        let context = u64::from_str_radix(context, 16).ok()?;
        let mut pages = FastMap::default();
        for line in lines {
            let line = line.ok()?;
            let (bytes, rest) = line.split_once(' ')?;
            let (anchors, path) = rest.split_once(' ')?;
            let bytes = u128::from_str_radix(bytes, 16).ok()?;
            let anchors = u64::from_str_radix(anchors, 16).ok()?;
            pages.insert(path.to_string(), (bytes, anchors));
        }
        Some(LinkState { context, pages })
    }

    /// Writes the state to `cache_dir` (a temporary file renamed over it).
    pub fn save(&self, cache_dir: &Path) -> io::Result<()> {
        let mut paths: Vec<(&String, &(u128, u64))> = self.pages.iter().collect();
        paths.sort();
        let mut text = format!("{FORMAT} {:016x}\n", self.context);
        for (path, (bytes, anchors)) in paths {
            text.push_str(&format!("{bytes:032x} {anchors:016x} {path}\n"));
        }
        crate::cache::write_synced(cache_dir, FILE, text.as_bytes())
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

/// The broken links of `files`, to be written to `output_dir`, and, when
/// there are none, the state for the next check (a page with a broken link
/// must be checked again, changed or not). `previous` is the last state.
/// Same result as [`super::check_links_with_base_url`].
pub fn check_links_since<F: Borrow<OutputFile> + Sync>(
    files: &[F],
    output_dir: &Path,
    base_path: &str,
    base_url: &str,
    previous: Option<&LinkState>,
) -> (Vec<BrokenLink>, Option<LinkState>) {
    let (broken, state) = check_and_record(files, output_dir, base_path, base_url, previous);
    let state = broken.is_empty().then_some(state);
    (broken, state)
}

fn check_and_record<F: Borrow<OutputFile> + Sync>(
    files: &[F],
    output_dir: &Path,
    base_path: &str,
    base_url: &str,
    previous: Option<&LinkState>,
) -> (Vec<BrokenLink>, LinkState) {
    let (base_path, base_url) = super::normalized_bases(base_path, Some(base_url));
    let base_url = base_url.unwrap_or_default();
    let context = context_of(output_dir, &base_path, &base_url);
    if let Some(previous) = previous.filter(|p| p.context == context) {
        if let Some(done) = check_changed(files, &base_path, &base_url, previous) {
            return done;
        }
    }
    let (broken, page_anchors) = check_streaming_with_anchors(files, &base_path, Some(&base_url));
    let by_path: HashMap<&str, &OutputFile> = files
        .iter()
        .map(|f| (f.borrow().path.as_str(), f.borrow()))
        .collect();
    let hashed: Vec<(&str, (u128, u64))> = page_anchors
        .par_iter()
        .map(|(page, set)| {
            (
                *page,
                (by_path[page].bytes.content_hash(), anchors_hash(set)),
            )
        })
        .collect();
    let mut pages: FastMap<String, (u128, u64)> = files
        .iter()
        .map(|f| (f.borrow().path.clone(), (0, 0)))
        .collect();
    for (page, hashes) in hashed {
        pages.insert(page.to_string(), hashes);
    }
    (broken, LinkState { context, pages })
}

/// The check when the unchanged pages' links need no look: `None` when
/// they do (a file of the last build is gone, or a page's anchors changed).
fn check_changed<F: Borrow<OutputFile> + Sync>(
    files: &[F],
    base_path: &str,
    base_url: &str,
    previous: &LinkState,
) -> Option<(Vec<BrokenLink>, LinkState)> {
    let by_path: FastMap<&str, &OutputFile> = files
        .iter()
        .map(|f| (f.borrow().path.as_str(), f.borrow()))
        .collect();
    if !previous
        .pages
        .keys()
        .all(|p| by_path.contains_key(p.as_str()))
    {
        return None;
    }
    // Each HTML page's hash, and a scan of those that changed.
    let pages: Vec<(&str, u128, Option<Scan>)> = files
        .par_iter()
        .map(|f| f.borrow())
        .filter(|f| is_html(&f.path))
        .map(|f| {
            let hash = f.bytes.content_hash();
            let same = previous.pages.get(&f.path).is_some_and(|p| p.0 == hash);
            (f.path.as_str(), hash, (!same).then(|| scan_bytes(&f.bytes)))
        })
        .collect();
    let mut state: FastMap<String, (u128, u64)> = files
        .iter()
        .map(|f| (f.borrow().path.clone(), (0, 0)))
        .collect();
    let mut scanned: Vec<(&str, Scan)> = Vec::new();
    for (page, hash, scan) in pages {
        let anchors = match &scan {
            Some(scan) => anchors_hash(&scan.anchors),
            None => previous.pages[page].1,
        };
        if previous.pages.get(page).is_some_and(|p| p.1 != anchors) {
            return None;
        }
        state.insert(page.to_string(), (hash, anchors));
        if let Some(scan) = scan {
            scanned.push((page, scan));
        }
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
    let broken = super::broken_in(&site, scanned.par_iter().map(|(page, scan)| (*page, scan)));
    let context = previous.context;
    Some((
        broken,
        LinkState {
            context,
            pages: state,
        },
    ))
}
