//! The page manifest: which page each render-memo key produced in the last
//! `build`, so that the next build takes an unchanged page back from the
//! output directory instead of rendering it with Tera again.
//!
//! A page's key hashes its template and its whole view (see
//! [`super::RenderMemo`]), and the manifest records the hash of the bytes
//! written for it, and the file's stamp (size, modification time, inode)
//! once written. A file with the same stamp is taken as it is, unread
//! ([`Bytes::on_disk`]); one with another stamp (copied, restored from a
//! CI cache) is read and reused only when it still holds exactly those
//! bytes, and then stamped anew. So an edited, missing or truncated
//! output file is simply rendered again. Fragments that are not files
//! (hub timeline entries) are kept in the manifest itself. The manifest
//! is void when the templates, the crate version, the render code or the
//! locked crates change.

use std::collections::HashMap;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::fast_hash::{FastMap, FastSet};

use super::hash_bytes;
use crate::output::{Bytes, OnDisk, OutputFile, Stamp};

/// The manifest's file in the cache directory.
pub const FILE: &str = "pages.txt";
const FORMAT: &str = "briefing-page-manifest v2";

enum Stored {
    /// Written to `path` (relative to the output directory) with this
    /// hash; the file's stamp once written, if it could be read.
    File {
        path: String,
        hash: u128,
        stamp: Option<Stamp>,
    },
    /// Not a file of its own: the bytes.
    Inline(Bytes),
}

/// The last build's pages by key, and where to read them.
#[derive(Default)]
pub struct PageManifest {
    /// Templates fingerprint the pages were rendered with.
    templates: u128,
    entries: FastMap<u128, Stored>,
    /// Keys of the bodies the last build rendered (see
    /// [`PageManifest::body_was_clean`]).
    bodies: FastSet<u128>,
    output_dir: PathBuf,
    /// Pages taken from the output directory by this build.
    pub reused: AtomicUsize,
    /// The files those pages were taken from: path -> address of their
    /// bytes, so the writer need not compare them again.
    read_back: Mutex<OnDisk>,
    /// Keys of the pages whose file had another stamp but the same bytes:
    /// recorded again with the stamp it has now.
    restamped: Mutex<FastSet<u128>>,
    /// Entry lines in the file, used or not (`None`: no file of ours for
    /// these templates).
    lines_in_file: Option<usize>,
}

fn header(templates: u128) -> String {
    format!(
        "{FORMAT} {} {} {templates:032x}",
        env!("CARGO_PKG_VERSION"),
        env!("BRIEFING_RENDER_HASH")
    )
}

impl PageManifest {
    /// The manifest under `cache_dir`; empty when there is none, or it is
    /// unreadable or from other code.
    pub fn load(cache_dir: &Path) -> PageManifest {
        let Ok(file) = std::fs::File::open(cache_dir.join(FILE)) else {
            return PageManifest::default();
        };
        let mut lines = io::BufReader::new(file).lines();
        let Some(Ok(head)) = lines.next() else {
            return PageManifest::default();
        };
        let Some(templates) = head
            .strip_prefix(&header(0)[..header(0).len() - 32])
            .and_then(|t| u128::from_str_radix(t, 16).ok())
        else {
            return PageManifest::default();
        };
        let mut entries = FastMap::default();
        let mut bodies = FastSet::default();
        let mut count = 0;
        for line in lines {
            count += 1;
            let Ok(line) = line else {
                return PageManifest::default();
            };
            if let Some(key) = line.strip_suffix(" B") {
                match u128::from_str_radix(key, 16) {
                    Ok(key) => bodies.insert(key),
                    Err(_) => return PageManifest::default(),
                };
                continue;
            }
            match parse_line(&line) {
                Some((key, stored)) => {
                    entries.insert(key, stored);
                }
                None => return PageManifest::default(),
            }
        }
        PageManifest {
            templates,
            entries,
            bodies,
            lines_in_file: Some(count),
            ..PageManifest::default()
        }
    }

    /// Forgets everything unless the pages were rendered with these
    /// templates; pages are read from `output_dir`.
    pub fn start(&mut self, templates: u128, output_dir: PathBuf) {
        if templates != self.templates {
            self.entries.clear();
            self.bodies.clear();
            self.lines_in_file = None;
            self.templates = templates;
        }
        self.output_dir = output_dir;
        self.reused.store(0, Ordering::Relaxed);
        self.read_back.lock().unwrap().clear();
        self.restamped.lock().unwrap().clear();
    }

    /// The page the last build made for `key`, if its file still holds it.
    pub fn get(&self, key: u128) -> Option<Bytes> {
        let bytes = match self.entries.get(&key)? {
            Stored::Inline(bytes) => bytes.clone(),
            Stored::File { path, hash, stamp } => {
                let file = self.output_dir.join(path);
                let now = Stamp::of_file(&file)?;
                let bytes = if *stamp == Some(now) {
                    Bytes::on_disk(file, now.file_len() as usize, *hash)
                } else {
                    let bytes = std::fs::read(&file).ok()?;
                    if hash_bytes(&bytes) != *hash {
                        return None;
                    }
                    self.restamped.lock().unwrap().insert(key);
                    Bytes::from(bytes)
                };
                self.read_back
                    .lock()
                    .unwrap()
                    .insert(path.clone(), bytes.address());
                bytes
            }
        };
        self.reused.fetch_add(1, Ordering::Relaxed);
        Some(bytes)
    }

    /// Whether the last build rendered a body with this key: the manifest
    /// is saved only by a build that succeeded, and a body's problems (a
    /// broken `@/` link) fail the build, so such a body has none. Its
    /// key hashes everything its HTML and problems depend on, so a page
    /// can be keyed by it and the body rendered only if the page is.
    pub fn body_was_clean(&self, key: u128) -> bool {
        self.bodies.contains(&key)
    }

    /// The files this build took pages from, as they were read.
    pub fn read_back(&self) -> OnDisk {
        self.read_back.lock().unwrap().clone()
    }

    /// Records the pages of a build: `pages` is what the render memo
    /// holds (key -> bytes), `files` the site as written. A page whose
    /// bytes are a file's (the same allocation) is recorded by path, any
    /// other as its bytes. Pages the manifest did not know are appended to
    /// its file while at most about a quarter of the file's lines are
    /// pages no longer made; else the file is written anew with this
    /// build's pages. A warm build thus hashes and records the pages it
    /// rendered, not the whole site again.
    pub fn save(
        &mut self,
        cache_dir: &Path,
        pages: &FastMap<u128, Bytes>,
        bodies: &FastSet<u128>,
        files: &[OutputFile],
    ) -> io::Result<()> {
        let by_address: HashMap<usize, &OutputFile> =
            files.iter().map(|f| (f.bytes.address(), f)).collect();
        let line = |key: &u128| {
            let bytes = &pages[key];
            match by_address.get(&bytes.address()) {
                Some(f) if f.bytes.len() == bytes.len() => {
                    let stamp = Stamp::of_file(&self.output_dir.join(&f.path));
                    format!(
                        "{key:032x} F {:032x} {} {}\n",
                        bytes.content_hash(),
                        Stamp::word(stamp),
                        f.path
                    )
                }
                _ => {
                    let text = String::from_utf8_lossy(bytes);
                    let json = serde_json::to_string(&text).unwrap_or_default();
                    format!("{key:032x} I {json}\n")
                }
            }
        };
        let body_lines = |keys: &mut Vec<&u128>| -> Vec<String> {
            keys.sort();
            keys.iter().map(|k| format!("{k:032x} B\n")).collect()
        };
        let restamped = self.restamped.get_mut().unwrap();
        let mut new: Vec<&u128> = pages
            .keys()
            .filter(|k| !self.entries.contains_key(k) || restamped.contains(k))
            .collect();
        new.sort();
        let mut new_bodies: Vec<&u128> =
            bodies.iter().filter(|k| !self.bodies.contains(k)).collect();
        let live = pages.len() + bodies.len();
        let added = new.len() + new_bodies.len();
        let result = match self.lines_in_file {
            Some(n) if super::appending_keeps_it_lean(n, added, live) => {
                let mut lines: Vec<String> = new.par_iter().map(|k| line(k)).collect();
                lines.extend(body_lines(&mut new_bodies));
                super::append_lines(cache_dir, FILE, &lines).map(|()| n + lines.len())
            }
            _ => {
                let mut keys: Vec<&u128> = pages.keys().collect();
                keys.sort();
                let mut lines: Vec<String> = keys.par_iter().map(|k| line(k)).collect();
                lines.extend(body_lines(&mut bodies.iter().collect()));
                super::write_lines(cache_dir, FILE, &header(self.templates), &lines)
                    .map(|()| lines.len())
            }
        };
        self.lines_in_file = result.as_ref().ok().copied();
        result.map(|_| ())
    }
}

fn parse_line(line: &str) -> Option<(u128, Stored)> {
    let (key, rest) = line.split_once(' ')?;
    let key = u128::from_str_radix(key, 16).ok()?;
    let (kind, rest) = rest.split_once(' ')?;
    let stored = match kind {
        "F" => {
            let (hash, rest) = rest.split_once(' ')?;
            let (stamp, path) = rest.split_once(' ')?;
            Stored::File {
                path: path.to_string(),
                hash: u128::from_str_radix(hash, 16).ok()?,
                stamp: Stamp::parse(stamp)?,
            }
        }
        "I" => Stored::Inline(Bytes::from(serde_json::from_str::<String>(rest).ok()?)),
        _ => return None,
    };
    Some((key, stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, bytes: &Bytes) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: bytes.clone(),
        }
    }

    /// The manifest saved in `cache`, started for `out` with templates `t`.
    fn loaded(cache: &tempfile::TempDir, out: &tempfile::TempDir, t: u128) -> PageManifest {
        let mut m = PageManifest::load(cache.path());
        m.start(t, out.path().to_path_buf());
        m
    }

    /// Saves a first build's `pages`, written as `files`.
    fn first_build(
        cache: &tempfile::TempDir,
        out: &tempfile::TempDir,
        pages: &FastMap<u128, Bytes>,
        files: &[OutputFile],
    ) {
        let mut first = PageManifest::default();
        first.start(7, out.path().to_path_buf());
        first
            .save(cache.path(), pages, &Default::default(), files)
            .unwrap();
    }

    #[test]
    fn pages_come_back_only_while_their_files_hold_them() {
        let cache = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let page = Bytes::from("<p>page</p>");
        let fragment = Bytes::from("<li>entry \"quoted\"</li>\n");
        std::fs::create_dir_all(out.path().join("a")).unwrap();
        std::fs::write(out.path().join("a/index.html"), &*page).unwrap();
        let pages: FastMap<u128, Bytes> = [(1, page.clone()), (2, fragment.clone())]
            .into_iter()
            .collect();
        first_build(&cache, &out, &pages, &[file("a/index.html", &page)]);

        let m = loaded(&cache, &out, 7);
        assert_eq!(m.get(1).as_deref(), Some(&b"<p>page</p>"[..]));
        assert_eq!(m.get(2).as_deref(), Some(&fragment[..]));
        assert_eq!(m.get(3), None);
        // An edited output file is not trusted.
        std::fs::write(out.path().join("a/index.html"), "<p>edited</p>").unwrap();
        assert_eq!(m.get(1), None);
        // Other templates: nothing is reused.
        let m = loaded(&cache, &out, 8);
        assert_eq!(m.get(2), None);
        // A damaged manifest is ignored.
        std::fs::write(cache.path().join(FILE), "garbage\n").unwrap();
        let m = loaded(&cache, &out, 7);
        assert_eq!(m.get(2), None);
    }

    #[test]
    fn a_file_with_its_stamp_is_taken_unread_and_a_copy_is_stamped_anew() {
        let cache = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let page = Bytes::from("<p>page</p>");
        std::fs::write(out.path().join("p.html"), &*page).unwrap();
        let pages: FastMap<u128, Bytes> = [(1, page.clone())].into_iter().collect();
        first_build(&cache, &out, &pages, &[file("p.html", &page)]);

        // Untouched since it was stamped: not read, and the writer is told so.
        let m = loaded(&cache, &out, 7);
        let kept = m.get(1).unwrap();
        assert!(kept.is_on_disk());
        assert_eq!(kept.content_hash(), hash_bytes(b"<p>page</p>"));
        assert_eq!(m.read_back().get("p.html"), Some(&kept.address()));

        // A copy (as a CI cache restores it): another inode, so read and
        // checked, then recorded with its new stamp.
        let copy = out.path().join("p.copy");
        std::fs::copy(out.path().join("p.html"), &copy).unwrap();
        std::fs::rename(&copy, out.path().join("p.html")).unwrap();
        let mut m = loaded(&cache, &out, 7);
        let read = m.get(1).unwrap();
        assert!(!read.is_on_disk());
        assert_eq!(read, page);
        let pages: FastMap<u128, Bytes> = [(1, read.clone())].into_iter().collect();
        m.save(
            cache.path(),
            &pages,
            &Default::default(),
            &[file("p.html", &read)],
        )
        .unwrap();
        let m = loaded(&cache, &out, 7);
        assert!(m.get(1).unwrap().is_on_disk());

        // The same size written in place: a new modification time, so
        // read, and the other bytes are not taken.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(out.path().join("p.html"), "<p>edit</p>").unwrap();
        let m = loaded(&cache, &out, 7);
        assert_eq!(m.get(1), None);
    }

    #[test]
    fn new_pages_are_appended_and_dead_ones_dropped_when_they_pile_up() {
        let cache = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let lines = || {
            std::fs::read_to_string(cache.path().join(FILE))
                .unwrap()
                .lines()
                .count()
                - 1
        };
        let fragments = |keys: std::ops::Range<u128>| -> FastMap<u128, Bytes> {
            keys.map(|k| (k, Bytes::from(format!("<li>{k}</li>"))))
                .collect()
        };
        let mut m = loaded(&cache, &out, 7);
        m.save(cache.path(), &fragments(0..100), &Default::default(), &[])
            .unwrap();
        assert_eq!(lines(), 100);
        // The next build keeps 99 and makes one new: one line appended.
        let mut m = loaded(&cache, &out, 7);
        m.save(cache.path(), &fragments(1..101), &Default::default(), &[])
            .unwrap();
        assert_eq!(lines(), 101);
        let back = loaded(&cache, &out, 7);
        assert_eq!(back.get(100).as_deref(), Some(&b"<li>100</li>"[..]));
        // Mostly other pages: the file is written anew.
        let mut m = loaded(&cache, &out, 7);
        m.save(cache.path(), &fragments(500..600), &Default::default(), &[])
            .unwrap();
        assert_eq!(lines(), 100);
        // Other templates: written anew, under the new fingerprint.
        let mut m = loaded(&cache, &out, 8);
        m.save(cache.path(), &fragments(500..510), &Default::default(), &[])
            .unwrap();
        assert_eq!(lines(), 10);
        let back = loaded(&cache, &out, 8);
        assert!(back.get(505).is_some());
    }
}
