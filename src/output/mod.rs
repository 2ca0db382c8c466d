//! The only writer of the site: builds the output tree beside the output
//! directory and swaps it in, so a failed build leaves the previous site.
//! Also checks every internal link of the generated HTML ([`check_links`]).

mod bytes;
mod links;
mod scan;
mod staging;
mod stamp;
pub mod tree;
mod update;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use bytes::Bytes;
pub use links::{
    check_links, check_links_memo, check_links_since, check_links_with_base_url, LinkState,
    ScanMemo,
};
pub use staging::Staging;
pub use stamp::Stamp;
pub use tree::TreeState;

/// One file of the generated site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output directory, `/`-separated (`briefings/x/index.html`).
    pub path: String,
    pub bytes: Bytes,
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
    /// Files in the new output.
    pub files: usize,
    /// Bytes of all files in the new output.
    pub bytes: u64,
    /// Files whose bytes were written (new or changed).
    pub written: usize,
    /// Files identical to the previous output's, left as they were (or,
    /// when the tree is rebuilt, hard-linked from it) so they keep their
    /// modification time.
    pub unchanged: usize,
}

/// Writes `files` as the new content of `out_dir`: afterwards it holds
/// exactly these files.
///
/// **Update in place** when `out_dir` already holds a site: files
/// byte-identical to the new ones are not touched (they keep their
/// modification time, so deploys upload only what changed); new and changed
/// files are first all written beside their targets under temporary names,
/// and only when every write succeeded are they renamed over the targets
/// and stale files deleted. A failed write removes the temporary files and
/// leaves the previous site as it was. On a large site this costs the
/// changed files, where rebuilding the tree costs every file.
///
/// **Build and swap** for a new output directory, or when the old tree is
/// in the way (a directory where a file goes, a symlink): the tree is built
/// in a staging directory beside `out_dir` (`.NAME.tmp-PID-N`), then
/// swapped in; a failure before the swap leaves the previous output
/// untouched.
///
/// If `out_dir` is a symlink, the directory it points to is updated.
pub fn write_site(out_dir: &Path, files: &[OutputFile]) -> io::Result<WriteStats> {
    write_site_known(out_dir, files, &OnDisk::default())
}

/// Files the caller read from the output directory during this build and
/// found to hold exactly the bytes it now writes there: output path ->
/// address of those bytes ([`Bytes::address`]). The writer does not read
/// them again to compare. A file of that path whose bytes are another
/// allocation is compared as usual.
pub type OnDisk = HashMap<String, usize>;

/// [`write_site`], trusting `on_disk` for the files it names.
pub fn write_site_known(
    out_dir: &Path,
    files: &[OutputFile],
    on_disk: &OnDisk,
) -> io::Result<WriteStats> {
    write_site_tracked(out_dir, files, on_disk, None, None).map(|(stats, _)| stats)
}

/// [`write_site_known`], taking the old tree from `last` (the state an
/// earlier write returned) when the output directory still matches it,
/// and returning the state of the tree written (`None` if it cannot be
/// recorded). A new tree is built in `staging` when given (pages already
/// written there while they were rendered are left as they are); it is
/// removed if the output directory is updated in place instead.
pub fn write_site_tracked(
    out_dir: &Path,
    files: &[OutputFile],
    on_disk: &OnDisk,
    last: Option<&TreeState>,
    staging: Option<Staging>,
) -> io::Result<(WriteStats, Option<TreeState>)> {
    validate(files)?;
    let out_dir = resolve_out_dir(out_dir)?;
    let known = |f: &OutputFile| on_disk.get(&f.path) == Some(&f.bytes.address());
    if fs::symlink_metadata(&out_dir).is_ok_and(|m| m.is_dir()) {
        let old = last.and_then(|t| t.still_there(&out_dir));
        // Its stamps carry over only if the tree was still the recorded one.
        let last = last.filter(|_| old.is_some());
        if let Some(plan) = update::plan(&out_dir, files, &known, old)? {
            // Interrupted halfway, the site would be part old, part new
            // (and hold temporary files): the handler waits for the end.
            let (stats, touched) =
                crate::interrupt::critical(|| update::apply(&out_dir, files, plan))?;
            let tree = touched.and_then(|touched| {
                TreeState::after_write(&out_dir, files, last.map(|l| (l, &touched)))
            });
            return Ok((stats, tree));
        }
    }
    let stats = write_by_swap(&out_dir, files, &known, staging)?;
    Ok((stats, TreeState::after_write(&out_dir, files, None)))
}

fn write_by_swap(
    out_dir: &Path,
    files: &[OutputFile],
    known: &(dyn Fn(&OutputFile) -> bool + Sync),
    staging: Option<Staging>,
) -> io::Result<WriteStats> {
    let aside = staging::beside(out_dir, "old")?;
    // Dropped on every way out: removes the staging directory unless it
    // was swapped in.
    let staging = match staging {
        Some(staging) => staging,
        None => Staging::new(out_dir)?,
    };
    let stats = stage(&staging, out_dir, files, known)?;
    // Between the two renames there is no site: not to be interrupted.
    let old_site = crate::interrupt::critical(|| -> io::Result<_> {
        swap(out_dir, staging.dir(), &aside)?;
        Ok(crate::interrupt::Scratch::new(&aside))
    })?;
    // The new site is in place; failing to delete the old one is not
    // fatal. (If the swap failed and putting the old one back did too,
    // `aside` is the only copy of the previous site: it is left alone.)
    drop(fs::remove_dir_all(&aside));
    drop(old_site);
    Ok(stats)
}

/// Refuses paths that would escape the output directory or collide.
fn validate(files: &[OutputFile]) -> io::Result<()> {
    let mut seen = HashSet::with_capacity(files.len());
    for file in files {
        let p = &file.path;
        if !staging::is_clean(p) {
            return Err(invalid(format!(
                "output path `{p}` is not a clean relative path"
            )));
        }
        if !seen.insert(p.as_str()) {
            return Err(invalid(format!("output path `{p}` is written twice")));
        }
    }
    // A file cannot also be a directory of another file (`x` and `x/y.html`).
    for file in files {
        let p = file.path.as_str();
        for (i, _) in p.match_indices('/') {
            if seen.contains(&p[..i]) {
                return Err(invalid(format!(
                    "output path `{}` is a file and also the directory of `{p}`",
                    &p[..i]
                )));
            }
        }
    }
    Ok(())
}

fn resolve_out_dir(out_dir: &Path) -> io::Result<PathBuf> {
    match fs::symlink_metadata(out_dir) {
        Ok(meta) if meta.file_type().is_symlink() => fs::canonicalize(out_dir),
        Ok(meta) if !meta.is_dir() => Err(invalid(format!(
            "output directory `{}` exists and is not a directory",
            out_dir.display()
        ))),
        _ => Ok(out_dir.to_path_buf()),
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// Builds the whole tree in `staging`, reusing unchanged files of `previous`
/// and leaving the files already written there. Directories are made first
/// (parents before children), then the files are written in parallel: on a
/// large site the file system, not the CPU, is the cost, and it overlaps well.
fn stage(
    staging: &Staging,
    previous: &Path,
    files: &[OutputFile],
    known: &(dyn Fn(&OutputFile) -> bool + Sync),
) -> io::Result<WriteStats> {
    use rayon::prelude::*;
    for d in &directories_of(files.iter().map(|f| f.path.as_str())) {
        match fs::create_dir(staging.dir().join(d)) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            made => made?,
        }
    }
    let reused: Vec<bool> = files
        .par_iter()
        .map(|file| {
            if staging.holds(&file.path, &file.bytes) {
                return Ok(false);
            }
            let dest = staging.dir().join(&file.path);
            let old = previous.join(&file.path);
            let same = known(file) || same_bytes(&old, &file.bytes);
            if same && fs::hard_link(&old, &dest).is_ok() {
                Ok(true)
            } else {
                fs::write(&dest, file.bytes.contents()?).map(|()| false)
            }
        })
        .collect::<io::Result<Vec<bool>>>()?;
    let unchanged = reused.iter().filter(|r| **r).count();
    Ok(WriteStats {
        files: files.len(),
        bytes: files.iter().map(|f| f.bytes.len() as u64).sum(),
        written: files.len() - unchanged,
        unchanged,
    })
}

/// Every directory the files at `paths` need (`a` and `a/b` for
/// `a/b/c.html`), relative, sorted: a parent (a prefix of its children)
/// comes before them, so they can be created in order.
fn directories_of<'a>(paths: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut dirs: crate::fast_hash::FastSet<&str> = Default::default();
    for mut path in paths {
        while let Some((dir, _)) = path.rsplit_once('/') {
            if !dirs.insert(dir) {
                break;
            }
            path = dir;
        }
    }
    let mut dirs: Vec<&str> = dirs.into_iter().collect();
    dirs.sort_unstable();
    dirs
}

/// Is `path` a regular file (not a symlink) holding exactly `bytes`?
pub(crate) fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 => {
            fs::read(path).is_ok_and(|old| old == bytes)
        }
        _ => false,
    }
}

/// Renames the old output to `aside` and `staging` to `out_dir`; puts the
/// old output back if the second rename fails.
fn swap(out_dir: &Path, staging: &Path, aside: &Path) -> io::Result<()> {
    let had_old = fs::symlink_metadata(out_dir).is_ok();
    if had_old {
        fs::rename(out_dir, aside)?;
    }
    if let Err(e) = fs::rename(staging, out_dir) {
        if had_old {
            let _ = fs::rename(aside, out_dir);
        }
        return Err(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
