//! [`Stamp`]: what tells that a file or directory was not touched since.

use std::fs;
use std::path::Path;

/// Size, modification time (to the nanosecond, where the file system keeps
/// it) and inode of a file or directory. As `git` trusts its index, a file
/// whose stamp is as recorded is taken to hold what it held then, and a
/// directory to list what it listed (adding, removing or renaming an entry
/// sets its modification time). This program replaces a file by renaming a
/// new one over it: a new inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    len: u64,
    modified_ns: i128,
    inode: u64,
}

impl Stamp {
    /// The stamp of the regular file at `path`, not following a symlink
    /// (`None`: no such file, not a regular file, or no modification time
    /// on this system).
    pub fn of_file(path: &Path) -> Option<Stamp> {
        Stamp::of(path, false)
    }

    /// The stamp of the directory at `path`, not following a symlink.
    pub fn of_dir(path: &Path) -> Option<Stamp> {
        Stamp::of(path, true)
    }

    fn of(path: &Path, dir: bool) -> Option<Stamp> {
        let meta = fs::symlink_metadata(path).ok()?;
        if (dir && !meta.is_dir()) || (!dir && !meta.is_file()) {
            return None;
        }
        let modified_ns = match meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH) {
            Ok(after) => after.as_nanos() as i128,
            Err(before) => -(before.duration().as_nanos() as i128),
        };
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Stamp {
            len: meta.len(),
            modified_ns,
            inode,
        })
    }

    pub fn file_len(&self) -> u64 {
        self.len
    }

    /// One word (`len.modified.inode` in hex; `-` for none), for the
    /// cache's text files.
    pub fn word(stamp: Option<Stamp>) -> String {
        match stamp {
            Some(s) => format!("{:x}.{:x}.{:x}", s.len, s.modified_ns, s.inode),
            None => "-".to_string(),
        }
    }

    /// What [`Stamp::word`] wrote; `None` if it is not such a word.
    pub fn parse(word: &str) -> Option<Option<Stamp>> {
        if word == "-" {
            return Some(None);
        }
        let mut parts = word.split('.');
        let stamp = Stamp {
            len: u64::from_str_radix(parts.next()?, 16).ok()?,
            modified_ns: i128::from_str_radix(parts.next()?, 16).ok()?,
            inode: u64::from_str_radix(parts.next()?, 16).ok()?,
        };
        parts.next().is_none().then_some(Some(stamp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_tell_files_from_directories_and_read_back_from_their_word() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, "abc").unwrap();
        let stamp = Stamp::of_file(&file).unwrap();
        assert_eq!(stamp.file_len(), 3);
        assert_eq!(Stamp::of_dir(&file), None);
        assert_eq!(Stamp::of_file(dir.path()), None);
        assert_eq!(Stamp::of_file(&dir.path().join("none")), None);
        assert_eq!(Stamp::parse(&Stamp::word(Some(stamp))), Some(Some(stamp)));
        assert_eq!(Stamp::parse("-"), Some(None));
        assert_eq!(Stamp::parse("1.2"), None);
        assert_eq!(Stamp::parse("1.2.3.4"), None);

        // A file renamed over another: another inode, another stamp.
        let before = Stamp::of_dir(dir.path()).unwrap();
        // Past the file system's clock tick (a few ms on some).
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(dir.path().join("g"), "abc").unwrap();
        fs::rename(dir.path().join("g"), &file).unwrap();
        assert_ne!(Stamp::of_file(&file), Some(stamp));
        assert_ne!(
            Stamp::of_dir(dir.path()),
            Some(before),
            "an entry came and went"
        );
    }
}
