//! What an interrupted run (Ctrl-C, SIGTERM, SIGHUP) leaves behind:
//! nothing half-made.
//!
//! Unfinished things on disk (a site being staged beside the output
//! directory, a temporary file about to replace a cache file) are
//! registered as [`Scratch`] while they exist; the handler removes them.
//! Steps that change what a reader or the next build sees (swapping a new
//! site in, updating one in place) run as [`critical`] sections: the
//! handler waits for them to finish, so a site is either the old one or
//! the new one, never a mix.
//!
//! The handler runs on a thread of its own (the `ctrlc` crate), not in
//! signal context, so it may take locks and touch the file system.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use crate::cli::EXIT_INTERRUPTED;

/// Held for reading by each critical section, for writing by the handler
/// (which therefore waits for them).
static GATE: RwLock<()> = RwLock::new(());
/// The scratch paths that exist now, by id.
static SCRATCH: Mutex<Vec<(u64, PathBuf)>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(0);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler: on a signal it waits for any critical section,
/// removes every registered scratch path and ends the process with
/// [`EXIT_INTERRUPTED`]. Without the handler (a library user, a test), the
/// rest of this module only keeps its lists.
pub fn install() {
    // Fails only if a handler is already set, which then stays in charge.
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        let busy = GATE.try_write().is_err();
        if busy {
            eprintln!("interrupted: finishing the write in progress first");
        }
        let _gate = GATE.write().unwrap_or_else(|e| e.into_inner());
        let scratch = std::mem::take(&mut *SCRATCH.lock().unwrap_or_else(|e| e.into_inner()));
        remove_all(&scratch);
        eprintln!("interrupted");
        std::process::exit(EXIT_INTERRUPTED);
    });
}

/// Whether the process is being interrupted: writers of scratch files
/// stop making new ones (they could recreate a directory just removed).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Runs `f` to its end even if the process is interrupted meanwhile.
/// Not to be nested.
pub fn critical<R>(f: impl FnOnce() -> R) -> R {
    let _gate = GATE.read().unwrap_or_else(|e| e.into_inner());
    f()
}

/// A path removed if the process is interrupted while this lives. Dropping
/// it does not remove the path: its owner does, or keeps it.
#[derive(Debug)]
pub struct Scratch {
    id: u64,
}

impl Scratch {
    pub fn new(path: &Path) -> Scratch {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        SCRATCH
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((id, path.to_path_buf()));
        Scratch { id }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let mut list = SCRATCH.lock().unwrap_or_else(|e| e.into_inner());
        list.retain(|(id, _)| *id != self.id);
    }
}

/// Removes each path, a directory with all it holds. Threads still
/// writing may add a file while a directory is being emptied: a few tries.
fn remove_all(paths: &[(u64, PathBuf)]) {
    for (_, path) in paths {
        for _ in 0..5 {
            let gone = match std::fs::symlink_metadata(path) {
                Err(_) => true,
                Ok(m) if m.is_dir() => std::fs::remove_dir_all(path).is_ok(),
                Ok(_) => std::fs::remove_file(path).is_ok(),
            };
            if gone {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_paths_are_listed_while_they_live_and_removed_by_remove_all() {
        let dir = tempfile::tempdir().unwrap();
        let staged = dir.path().join(".public.tmp-1-0");
        std::fs::create_dir_all(staged.join("a/b")).unwrap();
        std::fs::write(staged.join("a/b/index.html"), "x").unwrap();
        let file = dir.path().join(".cache.tmp-1");
        std::fs::write(&file, "y").unwrap();
        let listed = |p: &Path| SCRATCH.lock().unwrap().iter().any(|(_, q)| q == p);

        let (a, b) = (Scratch::new(&staged), Scratch::new(&file));
        assert!(listed(&staged) && listed(&file));
        let paths: Vec<(u64, PathBuf)> = SCRATCH
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, p)| p.starts_with(dir.path()))
            .cloned()
            .collect();
        remove_all(&paths);
        assert!(!staged.exists() && !file.exists());
        drop((a, b));
        assert!(!listed(&staged) && !listed(&file));
    }

    #[test]
    fn a_critical_section_holds_the_handler_off_until_it_ends() {
        let inside = critical(|| GATE.try_write().is_err());
        assert!(
            inside,
            "the handler could take the gate during a critical section"
        );
    }
}
