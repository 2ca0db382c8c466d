//! [`TreeState`]: the output tree as the last write left it, so that the
//! next update in place need not list every directory of the site again.
//!
//! Updating in place needs the old tree: which files are stale, which
//! directories exist, whether a directory is where a file goes. Listing it
//! costs a directory open and read per page (a warm 10k build spent 87 ms
//! there, more on a disk). The state records every file and directory the
//! write left, with each directory's [`Stamp`]: a directory whose stamp is
//! unchanged lists what it listed then, since adding, removing or renaming
//! an entry sets its modification time. When every stamp holds, the old
//! tree is the recorded one; when any does not (somebody touched the
//! output), the tree is listed as before.
//!
//! As with `git`'s index, a change made within the same tick of the file
//! system's clock as the build's own last change to that directory (a few
//! milliseconds, on file systems without finer timestamps) leaves its
//! time as it was: a file put there that soon after a build survives the
//! next one. Deleting `tree.txt` makes the next build list the tree.

use std::collections::HashSet;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::update::{Kind, Tree};
use super::{directories_of, OutputFile, Stamp};

/// The file in the cache directory.
pub const FILE: &str = "tree.txt";
const FORMAT: &str = "briefing-output-tree v1";

/// Every directory and file of an output directory after a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeState {
    /// The output directory, as written to (symlinks resolved).
    out_dir: PathBuf,
    /// Directories, relative (`""`: the output directory), with their
    /// stamps; sorted.
    dirs: Vec<(String, Stamp)>,
    /// Files, relative; sorted.
    files: Vec<String>,
}

impl TreeState {
    /// The state saved under `cache_dir`, if there is a readable one.
    pub fn load(cache_dir: &Path) -> Option<TreeState> {
        let file = std::fs::File::open(cache_dir.join(FILE)).ok()?;
        let mut lines = io::BufReader::new(file).lines();
        let head = lines.next()?.ok()?;
        let out_dir = PathBuf::from(head.strip_prefix(FORMAT)?.strip_prefix(' ')?);
        let mut dirs = Vec::new();
        let mut files = Vec::new();
        for line in lines {
            let line = line.ok()?;
            match line.split_once(' ')? {
                ("F", path) => files.push(path.to_string()),
                ("D", rest) => {
                    let (stamp, path) = rest.split_once(' ').unwrap_or((rest, ""));
                    dirs.push((path.to_string(), Stamp::parse(stamp)??));
                }
                _ => return None,
            }
        }
        Some(TreeState {
            out_dir,
            dirs,
            files,
        })
    }

    /// Writes the state to `cache_dir` (a temporary file renamed over it;
    /// not synced: a state lost or cut short fails to load, or does not
    /// match the tree, and the tree is listed).
    pub fn save(&self, cache_dir: &Path) -> io::Result<()> {
        let mut text = String::with_capacity(64 * (self.dirs.len() + self.files.len()));
        text.push_str(&format!("{FORMAT} {}\n", self.out_dir.display()));
        for (path, stamp) in &self.dirs {
            for part in ["D ", &Stamp::word(Some(*stamp)), " ", path, "\n"] {
                text.push_str(part);
            }
        }
        for path in &self.files {
            for part in ["F ", path, "\n"] {
                text.push_str(part);
            }
        }
        crate::cache::write_unsynced(cache_dir, FILE, text.as_bytes())
    }

    /// The tree under `out_dir` as recorded, by relative path, if it is
    /// the directory recorded and every directory has its stamp still.
    pub(super) fn still_there(&self, out_dir: &Path) -> Option<Tree> {
        if self.out_dir != out_dir {
            return None;
        }
        let same = self
            .dirs
            .par_iter()
            .all(|(dir, stamp)| Stamp::of_dir(&out_dir.join(dir)) == Some(*stamp));
        if !same {
            return None;
        }
        let dirs = self.dirs.iter().filter(|(d, _)| !d.is_empty());
        let tree = dirs
            .map(|(d, _)| (d.clone(), Kind::Dir))
            .chain(self.files.iter().map(|f| (f.clone(), Kind::File)))
            .collect();
        Some(tree)
    }

    /// The state of `out_dir` once it holds exactly `files`. The
    /// directories of `last` not `touched` by the write keep their
    /// stamps (`last` must have been [`TreeState::still_there`] before the
    /// write); the others are stamped now. `None` when a path cannot be
    /// recorded (a line break in it) or a directory is gone.
    pub(super) fn after_write(
        out_dir: &Path,
        files: &[OutputFile],
        last: Option<(&TreeState, &HashSet<String>)>,
    ) -> Option<TreeState> {
        let recordable = |p: &str| !p.contains(['\n', '\r']);
        if !recordable(&out_dir.to_string_lossy()) || !files.iter().all(|f| recordable(&f.path)) {
            return None;
        }
        // Every directory a file is in, and the output directory itself
        // (first: "" sorts before every other path).
        let mut dirs = directories_of(files.iter().map(|f| f.path.as_str()));
        dirs.insert(0, "");
        // The stamps kept from `last`: both lists are sorted.
        let mut kept: Vec<Option<Stamp>> = vec![None; dirs.len()];
        if let Some((last, touched)) = last {
            let mut old = last.dirs.iter().peekable();
            for (i, dir) in dirs.iter().enumerate() {
                while old.next_if(|(d, _)| d.as_str() < *dir).is_some() {}
                if let Some((_, stamp)) = old.next_if(|(d, _)| d == dir) {
                    if !touched.contains(*dir) {
                        kept[i] = Some(*stamp);
                    }
                }
            }
        }
        let dirs = dirs
            .into_par_iter()
            .zip(kept)
            .map(|(dir, kept)| {
                let stamp = match kept {
                    Some(stamp) => stamp,
                    None => Stamp::of_dir(&out_dir.join(dir))?,
                };
                Some((dir.to_string(), stamp))
            })
            .collect::<Option<Vec<_>>>()?;
        let mut files: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
        files.par_sort_unstable();
        Some(TreeState {
            out_dir: out_dir.to_path_buf(),
            dirs,
            files,
        })
    }
}

/// The directory `path` (relative, `/`-separated) is in: `""` for the
/// output directory itself.
pub(super) fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}
