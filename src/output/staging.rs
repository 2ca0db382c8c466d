//! [`Staging`]: the directory a new site is built in, filled while its
//! pages are rendered.
//!
//! A first build (no output directory yet) builds its tree beside the
//! output directory and renames it into place. Its pages can go there as
//! soon as they are rendered instead of all staying in memory until the
//! write: at 100,000 briefings the pages are 3.4 GB. Each page written is
//! then held as [`Bytes::on_disk`] (its path, length and hash); the link
//! check reads it back without keeping it ([`Bytes::with_contents`]) and
//! the writer leaves it where it is. Dropping a `Staging` the writer did
//! not swap in removes it, so a failed build leaves nothing behind.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::Bytes;

#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    /// Removes the directory if the process is interrupted.
    _scratch: crate::interrupt::Scratch,
}

impl Staging {
    /// A new staging directory for `out_dir`, when `out_dir` does not
    /// exist yet (`None` otherwise: an existing site is updated in place,
    /// see [`super::write_site`]). `None` too if it cannot be made: the
    /// writer then reports what is wrong.
    pub fn for_new_output(out_dir: &Path) -> Option<Staging> {
        match fs::symlink_metadata(out_dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            _ => return None,
        }
        Staging::new(out_dir).ok()
    }

    /// A new, empty staging directory beside `out_dir`.
    pub(super) fn new(out_dir: &Path) -> io::Result<Staging> {
        let dir = beside(out_dir, "tmp")?;
        if let Some(parent) = dir.parent() {
            fs::create_dir_all(parent)?;
        }
        remove_abandoned(out_dir);
        // Left by a dead process that had our process id.
        if fs::symlink_metadata(&dir).is_ok() {
            fs::remove_dir_all(&dir)?;
        }
        let scratch = crate::interrupt::Scratch::new(&dir);
        fs::create_dir(&dir)?;
        Ok(Staging {
            dir,
            _scratch: scratch,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `contents` as the file at `path` (relative to the output
    /// directory, `/`-separated) and gives them back as that file. An
    /// error leaves them to the writer: `path` is not a clean relative
    /// path, or collides with a file already there, or the disk refused.
    pub fn put(&self, path: &str, contents: &[u8]) -> io::Result<Bytes> {
        if crate::interrupt::interrupted() {
            // The directory is being removed: do not make it again.
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
        }
        if !is_clean(path) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("output path `{path}` is not a clean relative path"),
            ));
        }
        let dest = self.dir.join(path);
        // `create_new`: a path written twice keeps its first page (the
        // writer reports the clash).
        let create = || {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&dest)
        };
        let mut file = match create() {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(parent) = dest.parent() {
                    fs::create_dir_all(parent)?;
                }
                create()?
            }
            made => made?,
        };
        if let Err(e) = io::Write::write_all(&mut file, contents) {
            let _ = fs::remove_file(&dest);
            return Err(e);
        }
        let hash = crate::cache::hash_bytes(contents);
        Ok(Bytes::on_disk(dest, contents.len(), hash))
    }

    /// Whether `bytes` are the file at `path` in this directory.
    pub(super) fn holds(&self, path: &str, bytes: &Bytes) -> bool {
        bytes.file_path() == Some(self.dir.join(path).as_path())
    }
}

impl Drop for Staging {
    /// Removes the directory unless it was swapped in (then it is gone).
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Removes the staging directories of `out_dir` that builds which no
/// longer run left behind (killed outright, or the machine stopped).
/// Directories of running processes stay: another build may be using them.
fn remove_abandoned(out_dir: &Path) {
    let (Some(parent), Some(name)) = (out_dir.parent(), out_dir.file_name()) else {
        return;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let prefix = format!(".{}.tmp-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let entry_name = entry.file_name();
        let Some(rest) = entry_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !process_runs(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether a process with this id exists (any owner).
fn process_runs(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let sent = unsafe { libc::kill(pid, 0) } == 0;
    // EPERM: it exists but belongs to someone else.
    sent || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// A path beside `out_dir` no other build uses: `.NAME.KIND-PID-N`.
pub(super) fn beside(out_dir: &Path, kind: &str) -> io::Result<PathBuf> {
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out_dir.file_name().ok_or_else(|| {
        super::invalid(format!(
            "output directory `{}` has no name",
            out_dir.display()
        ))
    })?;
    static RUN: AtomicUsize = AtomicUsize::new(0);
    Ok(parent.join(format!(
        ".{}.{kind}-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        RUN.fetch_add(1, Ordering::Relaxed)
    )))
}

/// A relative path of plain names: nothing that could leave the directory.
pub(super) fn is_clean(path: &str) -> bool {
    !path
        .split('/')
        .any(|part| matches!(part, "" | "." | "..") || part.contains(['\\', '\0']))
}
