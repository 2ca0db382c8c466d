//! Updating an existing output directory in place (see [`super::write_site`]).

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::tree::parent_of;
use crate::fast_hash::{FastMap, FastSet};

/// The old tree: every entry by relative path, with its kind.
pub(super) type Tree = FastMap<String, Kind>;
use super::{directories_of, same_bytes, OutputFile, WriteStats};

/// What an update does.
pub(super) struct Plan {
    /// Indexes into the new files whose bytes must be written.
    write: Vec<usize>,
    /// Files of the old tree that are not in the new one, relative paths.
    stale: Vec<String>,
    /// Directories of the old tree, deepest first.
    old_dirs: Vec<String>,
    /// Those no new file is in, deepest first: removed once emptied.
    unneeded_dirs: Vec<String>,
    unchanged: usize,
}

/// Kinds of entries in the old tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    File,
    Dir,
    /// Symlinks and anything else: never written through.
    Other,
}

/// The update that turns the tree under `out_dir` into `files`, or `None`
/// when the old tree is in the way (a directory or symlink where a file
/// goes, a file where a directory goes): the caller rebuilds the tree then.
/// Files `known` vouches for are taken as unchanged without reading them.
/// `recorded` is the old tree when known ([`super::tree::TreeState`]);
/// else it is listed.
pub(super) fn plan(
    out_dir: &Path,
    files: &[OutputFile],
    known: &(dyn Fn(&OutputFile) -> bool + Sync),
    recorded: Option<Tree>,
) -> io::Result<Option<Plan>> {
    let old = match recorded {
        Some(old) => old,
        None => old_tree(out_dir)?,
    };
    for f in files {
        match old.get(f.path.as_str()) {
            None | Some(Kind::File) => {}
            Some(_) => return Ok(None),
        }
        for (i, _) in f.path.match_indices('/') {
            match old.get(&f.path[..i]) {
                None | Some(Kind::Dir) => {}
                Some(_) => return Ok(None),
            }
        }
    }
    crate::trace::lap("write.walk");
    // Comparing the bytes reads the old files: in parallel.
    let changed: Vec<bool> = files
        .par_iter()
        .map(|f| {
            old.get(f.path.as_str()) != Some(&Kind::File)
                || !(known(f) || same_bytes(&out_dir.join(&f.path), &f.bytes))
        })
        .collect();
    crate::trace::lap("write.compare");
    let write: Vec<usize> = (0..files.len()).filter(|&i| changed[i]).collect();
    let new: FastSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut stale: Vec<String> = Vec::new();
    // (depth, path) of the old directories.
    let mut old_dirs: Vec<(usize, String)> = Vec::new();
    for (path, kind) in old {
        match kind {
            Kind::Dir => old_dirs.push((path.matches('/').count(), path)),
            _ if !new.contains(path.as_str()) => stale.push(path),
            _ => {}
        }
    }
    stale.sort_unstable();
    // Deepest first, so a parent is looked at after its children (the
    // depth counted once per directory, not in every comparison).
    old_dirs.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let old_dirs: Vec<String> = old_dirs.into_iter().map(|(_, d)| d).collect();
    // Trying to remove every old directory cost a failing system call
    // per page directory (45 ms at 10,000 briefings).
    let needed: FastSet<&str> = files
        .iter()
        .flat_map(|f| f.path.match_indices('/').map(|(i, _)| &f.path[..i]))
        .collect();
    let unneeded_dirs = old_dirs
        .iter()
        .filter(|d| !needed.contains(d.as_str()))
        .cloned()
        .collect();
    Ok(Some(Plan {
        unchanged: files.len() - write.len(),
        write,
        stale,
        old_dirs,
        unneeded_dirs,
    }))
}

/// Every entry under `out_dir` with its kind, by `/`-separated relative
/// path. The first two levels are listed, then the directories there are
/// walked in parallel: a site has a directory per page (10,000 under
/// `briefings/` alone), and one thread listing them took 180 ms of a warm
/// build.
fn old_tree(out_dir: &Path) -> io::Result<Tree> {
    let kind_of = |t: fs::FileType| {
        if t.is_file() {
            Kind::File
        } else if t.is_dir() {
            Kind::Dir
        } else {
            Kind::Other
        }
    };
    let mut old = Tree::default();
    let mut second_level: Vec<PathBuf> = Vec::new();
    for first in fs::read_dir(out_dir)? {
        let first = first?;
        let kind = kind_of(first.file_type()?);
        old.insert(crate::diagnostics::slash_path(&first.path(), out_dir), kind);
        if kind != Kind::Dir {
            continue;
        }
        for second in fs::read_dir(first.path())? {
            let second = second?;
            let kind = kind_of(second.file_type()?);
            old.insert(
                crate::diagnostics::slash_path(&second.path(), out_dir),
                kind,
            );
            if kind == Kind::Dir {
                second_level.push(second.path());
            }
        }
    }
    let deeper: Vec<Vec<(String, Kind)>> = second_level
        .par_iter()
        .map(|dir| {
            walkdir::WalkDir::new(dir)
                .min_depth(1)
                .into_iter()
                .map(|entry| {
                    let entry = entry.map_err(io::Error::other)?;
                    let rel = crate::diagnostics::slash_path(entry.path(), out_dir);
                    Ok((rel, kind_of(entry.file_type())))
                })
                .collect()
        })
        .collect::<io::Result<_>>()?;
    old.extend(deeper.into_iter().flatten());
    Ok(old)
}

/// The temporary name a new file is written under before it replaces its
/// target: hidden, beside the target, never a name the site generates.
fn temporary(target: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(target.file_name().unwrap_or_default());
    name.push(format!(".briefing-{}.tmp", std::process::id()));
    target.with_file_name(name)
}

/// Carries out a plan: writes everything new under temporary names, then
/// renames them into place and deletes what is stale. Also returns the
/// directories whose entries it changed (relative, `""` for `out_dir`),
/// or `None` when a directory it meant to remove stayed (it holds files
/// of somebody else's).
pub(super) fn apply(
    out_dir: &Path,
    files: &[OutputFile],
    plan: Plan,
) -> io::Result<(WriteStats, Option<HashSet<String>>)> {
    // Directories the new files need that the old tree lacks (the plan
    // walked it), parents first.
    let old_dirs: FastSet<&str> = plan.old_dirs.iter().map(String::as_str).collect();
    let new_dirs = directories_of(plan.write.iter().map(|&i| files[i].path.as_str()));
    let mut made: Vec<PathBuf> = Vec::new();
    let mut result: io::Result<()> = Ok(());
    for d in new_dirs.iter().filter(|d| !old_dirs.contains(*d)) {
        match fs::create_dir(out_dir.join(d)) {
            Ok(()) => made.push(out_dir.join(d)),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    let mut written: Vec<(PathBuf, PathBuf)> = Vec::new();
    if result.is_ok() {
        let attempts: Vec<(PathBuf, PathBuf, io::Result<()>)> = plan
            .write
            .par_iter()
            .map(|&i| {
                let target = out_dir.join(&files[i].path);
                let tmp = temporary(&target);
                let r = files[i].bytes.contents().and_then(|b| fs::write(&tmp, b));
                (tmp, target, r)
            })
            .collect();
        for (tmp, target, r) in attempts {
            match r {
                Ok(()) => written.push((tmp, target)),
                Err(e) => {
                    let _ = fs::remove_file(&tmp);
                    if result.is_ok() {
                        result = Err(io::Error::new(
                            e.kind(),
                            format!("{}: {e}", target.display()),
                        ));
                    }
                }
            }
        }
    }
    if let Err(e) = result {
        // Nothing of the old site was touched: take back what was added.
        for (tmp, _) in &written {
            let _ = fs::remove_file(tmp);
        }
        for d in made.iter().rev() {
            let _ = fs::remove_dir(d);
        }
        return Err(e);
    }
    crate::trace::lap("write.files");
    // In parallel: on a journaled disk a rename waits on metadata, and a
    // briefing added at the top renames about 1,700 files at 10,000.
    written
        .par_iter()
        .try_for_each(|(tmp, target)| fs::rename(tmp, target))?;
    for path in &plan.stale {
        fs::remove_file(out_dir.join(path))?;
    }
    let mut all_removed = true;
    for dir in &plan.unneeded_dirs {
        // Only empty directories go; a failure means the directory holds files.
        all_removed &= fs::remove_dir(out_dir.join(dir)).is_ok();
    }
    let touched = all_removed.then(|| {
        let mut touched: HashSet<String> = HashSet::new();
        let changed = plan.write.iter().map(|&i| files[i].path.as_str());
        let gone = plan.stale.iter().chain(&plan.unneeded_dirs);
        for path in changed.chain(gone.map(String::as_str)) {
            touched.insert(parent_of(path).to_string());
        }
        for dir in &made {
            let dir = crate::diagnostics::slash_path(dir, out_dir);
            touched.insert(parent_of(&dir).to_string());
            touched.insert(dir);
        }
        touched
    });
    let stats = WriteStats {
        files: files.len(),
        bytes: files.iter().map(|f| f.bytes.len() as u64).sum(),
        written: plan.write.len(),
        unchanged: plan.unchanged,
    };
    Ok((stats, touched))
}
