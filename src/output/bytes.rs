//! [`Bytes`]: the contents of an output file, shared rather than copied.
//!
//! A page the render memo kept, or the site `serve` publishes while it
//! builds the next one, is the same allocation: at 10,000 briefings the
//! output is hundreds of megabytes, and copying it on every rebuild cost
//! more than rendering the pages that changed.
//!
//! A page a warm `build` takes back from the output directory need not be
//! in memory at all: [`Bytes::on_disk`] stands for a file the page
//! manifest vouches for (by its size, modification time and inode, as
//! `git` trusts its index). The writer leaves such a file where it is and
//! the link check takes its hash from the manifest, so a warm build reads
//! none of the hundreds of megabytes it keeps. Whoever needs the bytes
//! themselves gets them read on first use.

use std::fmt;
use std::io;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

#[derive(Clone)]
pub struct Bytes(Arc<Store>);

enum Store {
    Memory(Vec<u8>),
    File(KeptFile),
}

/// A file of the output directory holding a page of the last build.
struct KeptFile {
    path: PathBuf,
    len: usize,
    /// [`crate::cache::hash_bytes`] of its contents.
    hash: u128,
    /// The contents, once somebody asked for them.
    read: OnceLock<io::Result<Vec<u8>>>,
}

impl KeptFile {
    /// The file's contents, checked against its length and hash.
    fn read_checked(&self) -> io::Result<Vec<u8>> {
        let bytes = std::fs::read(&self.path)?;
        if bytes.len() != self.len || crate::cache::hash_bytes(&bytes) != self.hash {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "changed while the site was built; build again",
            ));
        }
        Ok(bytes)
    }

    /// `e`, naming the file.
    fn named(&self, e: &io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("{}: {e}", self.path.display()))
    }
}

impl Default for Bytes {
    fn default() -> Bytes {
        Bytes::from(Vec::new())
    }
}

impl Bytes {
    /// The file at `path`, of `len` bytes hashing to `hash`, taken as it
    /// is: its contents are read only if asked for ([`Bytes::contents`]).
    pub fn on_disk(path: PathBuf, len: usize, hash: u128) -> Bytes {
        Bytes(Arc::new(Store::File(KeptFile {
            path,
            len,
            hash,
            read: OnceLock::new(),
        })))
    }

    /// The contents; for a file ([`Bytes::on_disk`]), read the first time
    /// and checked against its length and hash: an error if it can no
    /// longer be read or changed since it was vouched for.
    pub fn contents(&self) -> io::Result<&[u8]> {
        match &*self.0 {
            Store::Memory(v) => Ok(v),
            Store::File(f) => {
                let read = f.read.get_or_init(|| f.read_checked());
                read.as_deref().map_err(|e| f.named(e))
            }
        }
    }

    /// Calls `use_them` with the contents. A file not yet read is read for
    /// the call only and not kept (checked as [`Bytes::contents`] checks
    /// it): how the link check reads pages written out while they were
    /// rendered ([`super::Staging`]) without holding the site in memory.
    pub fn with_contents<R>(&self, use_them: impl FnOnce(&[u8]) -> R) -> io::Result<R> {
        match &*self.0 {
            Store::File(f) if f.read.get().is_none() => match f.read_checked() {
                Ok(bytes) => Ok(use_them(&bytes)),
                Err(e) => Err(f.named(&e)),
            },
            _ => self.contents().map(use_them),
        }
    }

    /// The file these bytes stand for, if they are one ([`Bytes::on_disk`]).
    pub fn file_path(&self) -> Option<&Path> {
        match &*self.0 {
            Store::Memory(_) => None,
            Store::File(f) => Some(&f.path),
        }
    }

    /// The contents ([`Bytes::contents`]); empty if a file can no longer
    /// be read. Whatever writes bytes uses `contents`, so such a file is
    /// never written out empty.
    pub fn as_slice(&self) -> &[u8] {
        self.contents().unwrap_or(&[])
    }

    /// Length, without reading a file.
    pub fn len(&self) -> usize {
        match &*self.0 {
            Store::Memory(v) => v.len(),
            Store::File(f) => f.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// [`crate::cache::hash_bytes`] of the contents: for a file, the hash
    /// it was vouched for with, without reading it.
    pub fn content_hash(&self) -> u128 {
        match &*self.0 {
            Store::Memory(v) => crate::cache::hash_bytes(v),
            Store::File(f) => f.hash,
        }
    }

    /// Whether these are the contents of a file left in place
    /// ([`Bytes::on_disk`]) and not yet read.
    pub fn is_on_disk(&self) -> bool {
        matches!(&*self.0, Store::File(f) if f.read.get().is_none())
    }

    /// Which bytes these are: clones share it, so it tells whether two
    /// `Bytes` are the same (not merely equal).
    pub fn address(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Bytes {
        Bytes(Arc::new(Store::Memory(v)))
    }
}

impl From<String> for Bytes {
    fn from(s: String) -> Bytes {
        Bytes::from(s.into_bytes())
    }
}

impl From<&str> for Bytes {
    fn from(s: &str) -> Bytes {
        Bytes::from(s.as_bytes().to_vec())
    }
}

impl From<&[u8]> for Bytes {
    fn from(s: &[u8]) -> Bytes {
        Bytes::from(s.to_vec())
    }
}

impl PartialEq for Bytes {
    fn eq(&self, other: &Bytes) -> bool {
        self.address() == other.address() || self.as_slice() == other.as_slice()
    }
}

impl Eq for Bytes {}

impl PartialEq<[u8]> for Bytes {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<Vec<u8>> for Bytes {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Store::File(file) = &*self.0 {
            if file.read.get().is_none() {
                return write!(f, "Bytes({} bytes in {})", file.len, file.path.display());
            }
        }
        let bytes = self.as_slice();
        write!(
            f,
            "Bytes({} bytes: {:?})",
            bytes.len(),
            String::from_utf8_lossy(&bytes[..bytes.len().min(64)])
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` written to `page.html` in `dir`: its path and hash.
    fn page_in(dir: &tempfile::TempDir, text: &str) -> (PathBuf, u128) {
        let path = dir.path().join("page.html");
        std::fs::write(&path, text).unwrap();
        (path, crate::cache::hash_bytes(text.as_bytes()))
    }

    #[test]
    fn a_file_on_disk_is_read_only_when_asked_for_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let (path, hash) = page_in(&dir, "<p>kept</p>");
        let kept = Bytes::on_disk(path.clone(), 11, hash);
        assert!(kept.is_on_disk());
        assert_eq!(kept.len(), 11);
        assert_eq!(kept.content_hash(), hash);
        assert_eq!(kept.contents().unwrap(), b"<p>kept</p>");
        assert!(!kept.is_on_disk(), "read now");
        assert_eq!(kept, Bytes::from("<p>kept</p>"));

        // Changed behind its back: an error naming the file, never other bytes.
        std::fs::write(&path, "<p>edit</p>").unwrap();
        let stale = Bytes::on_disk(path.clone(), 11, hash);
        let err = stale.contents().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("page.html"), "{err}");
        assert_eq!(stale.as_slice(), b"");
        std::fs::remove_file(&path).unwrap();
        assert!(Bytes::on_disk(path, 11, hash).contents().is_err());
    }

    #[test]
    fn with_contents_reads_a_file_without_keeping_it() {
        let dir = tempfile::tempdir().unwrap();
        let (path, hash) = page_in(&dir, "<p>spilled</p>");
        let page = Bytes::on_disk(path.clone(), 14, hash);
        assert_eq!(page.file_path(), Some(path.as_path()));
        assert_eq!(
            page.with_contents(|b| b.to_vec()).unwrap(),
            b"<p>spilled</p>"
        );
        assert!(page.is_on_disk(), "read for the call only");
        std::fs::write(&path, "<p>edited!</p>").unwrap();
        let err = page.with_contents(|b| b.len()).unwrap_err();
        assert!(err.to_string().contains("page.html"), "{err}");
        std::fs::remove_file(&path).unwrap();
        assert!(page.with_contents(|b| b.len()).is_err());

        let memory = Bytes::from("abc");
        assert_eq!(memory.file_path(), None);
        assert_eq!(memory.with_contents(|b| b.len()).unwrap(), 3);
    }

    #[test]
    fn bytes_in_memory_hash_as_the_cache_does() {
        let b = Bytes::from("abc");
        assert_eq!(b.content_hash(), crate::cache::hash_bytes(b"abc"));
        assert_eq!(b.len(), 3);
        assert_eq!(b.clone().address(), b.address());
        assert_ne!(Bytes::from("abc").address(), b.address());
    }
}
