//! Watching the site's sources: `content/`, `templates/`, `static/` and
//! `site.toml`, with editors' temporary files filtered out.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// Directories under the root whose changes trigger a rebuild.
pub const WATCHED_DIRS: &[&str] = &["content", "templates", "static"];
/// The configuration file under the root.
pub const CONFIG_FILE: &str = "site.toml";

/// What changed, as far as a rebuild cares.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Changed paths, relative to the root, `/`-separated.
    pub paths: Vec<String>,
    /// The watcher may have lost events (an error, a queue overflow): other
    /// files may have changed too, so the content directory must be walked.
    pub missed: bool,
}

impl Changes {
    pub fn config(&self) -> bool {
        self.paths.iter().any(|p| p == CONFIG_FILE)
    }
    pub fn templates(&self) -> bool {
        self.paths
            .iter()
            .any(|p| p.starts_with("templates/") || p == "templates")
    }
    /// Changed files under `content/`, relative to it.
    pub fn content(&self) -> impl Iterator<Item = &str> {
        self.paths.iter().filter_map(|p| p.strip_prefix("content/"))
    }
}

/// One event from the watcher, as [`next_batch`] receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Noticed {
    pub changes: Changes,
    /// The event finishes a save of its paths: a file written and closed,
    /// or renamed into place. Nothing more of that save is coming.
    pub saved: bool,
}

/// How long [`next_batch`] waits for a burst of events to end.
#[derive(Debug, Clone, Copy)]
pub struct Debounce {
    /// Quiet time while some path's save may still be going on (written
    /// but not yet closed, created, deleted, renamed away).
    pub writing: Duration,
    /// Quiet time once every path's last event finished its save: only
    /// the burst's tail (a backup removed, a second file of one save).
    pub saved: Duration,
}

impl Debounce {
    /// 50 ms for a save in progress; 10 ms once it is finished.
    pub const DEFAULT: Debounce = Debounce {
        writing: Duration::from_millis(50),
        saved: Duration::from_millis(10),
    };
}

/// Does this event finish a save of its paths? A file closed after
/// writing, or one renamed into place (how editors save atomically). A
/// file renamed away or removed may be written again right after (Vim's
/// and Emacs' backups), so those are not finished saves.
fn finishes_a_save(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Modify(ModifyKind::Name(RenameMode::To))
    )
}

/// Is a file of this name an editor's temporary or backup file, which
/// never holds site content? Dotfiles (`.x.swp`, `.#x`, `.goutputstream-*`),
/// `x~` backups, Vim's `4913` write test and swap files, Emacs' `#x#`.
pub fn is_editor_noise(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
        || [
            ".swp",
            ".swx",
            ".swo",
            ".tmp",
            ".bak",
            ".crdownload",
            ".part",
        ]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// The path relative to the root if a change there matters, else `None`.
pub fn relevant(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let first = parts.first()?;
    let watched =
        (parts.len() == 1 && first == CONFIG_FILE) || WATCHED_DIRS.contains(&first.as_str());
    if !watched || parts.iter().any(|p| is_editor_noise(p)) {
        return None;
    }
    Some(parts.join("/"))
}

/// Starts watching `root`; each relevant change arrives on `tx` as it
/// happens (the caller debounces). Access events (a file or directory
/// opened or read, which every build does) are not changes, except that a
/// file closed after writing marks its save finished.
pub fn start(root: &Path, tx: Sender<Noticed>) -> notify::Result<RecommendedWatcher> {
    let root_for_events: PathBuf = root.to_path_buf();
    let mut watcher = notify::recommended_watcher(move |result: notify::Result<Event>| {
        let event = match result {
            Ok(event) => event,
            Err(e) => {
                eprintln!("warning: watching failed: {e}; looking at every file again");
                let _ = tx.send(Noticed::missed());
                return;
            }
        };
        if event.need_rescan() {
            let _ = tx.send(Noticed::missed());
            return;
        }
        let saved = finishes_a_save(&event.kind);
        // Both ends of a rename also arrive as events of their own.
        if (!saved && matches!(event.kind, EventKind::Access(_)))
            || event.kind == EventKind::Modify(ModifyKind::Name(RenameMode::Both))
        {
            return;
        }
        let mut paths: Vec<String> = event
            .paths
            .iter()
            .filter_map(|p| relevant(&root_for_events, p))
            .collect();
        paths.sort();
        paths.dedup();
        if !paths.is_empty() {
            let _ = tx.send(Noticed {
                changes: Changes {
                    paths,
                    missed: false,
                },
                saved,
            });
        }
    })?;
    // The root itself, not recursively: catches site.toml even when an
    // editor replaces it by renaming a new file over it, and watched
    // directories created after the start.
    watcher.watch(root, RecursiveMode::NonRecursive)?;
    for dir in WATCHED_DIRS {
        let path = root.join(dir);
        if path.is_dir() {
            watcher.watch(&path, RecursiveMode::Recursive)?;
        }
    }
    Ok(watcher)
}

impl Noticed {
    fn missed() -> Noticed {
        Noticed {
            changes: Changes {
                paths: Vec::new(),
                missed: true,
            },
            saved: false,
        }
    }
}

/// Waits for a change, then until a quiet time passes without another,
/// and returns them all (`None` once the watcher is gone). Editors save in
/// bursts (write a temporary file, rename it over, touch a backup); the
/// build reads the files only after the burst. The quiet time is short
/// once every changed path's last event finished its save, so a save
/// reaches the browser sooner without a half-written file being built.
pub fn next_batch(rx: &Receiver<Noticed>, debounce: Debounce) -> Option<Changes> {
    let mut changes = Changes::default();
    // Changed paths whose save may still be going on.
    let mut unfinished: BTreeSet<String> = BTreeSet::new();
    let mut take = |noticed: Noticed, changes: &mut Changes| {
        for path in &noticed.changes.paths {
            if noticed.saved {
                unfinished.remove(path);
            } else {
                unfinished.insert(path.clone());
            }
        }
        changes.paths.extend(noticed.changes.paths);
        changes.missed |= noticed.changes.missed;
        unfinished.is_empty() && !changes.missed
    };
    let mut finished = take(rx.recv().ok()?, &mut changes);
    loop {
        let quiet = if finished {
            debounce.saved
        } else {
            debounce.writing
        };
        match rx.recv_timeout(quiet) {
            Ok(more) => finished = take(more, &mut changes),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    changes.paths.sort();
    changes.paths.dedup();
    Some(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Instant;

    fn noticed(path: &str, saved: bool) -> Noticed {
        Noticed {
            changes: Changes {
                paths: vec![path.to_string()],
                missed: false,
            },
            saved,
        }
    }

    /// A batch ends after the short quiet time once every path's save is
    /// finished, and only after the long one while one may go on.
    #[test]
    fn a_finished_save_ends_the_batch_sooner() {
        let long = Duration::from_millis(400);
        let debounce = Debounce {
            writing: long,
            saved: Duration::ZERO,
        };
        let batch = |events: &[(&str, bool)]| {
            let (tx, rx) = mpsc::channel();
            for &(path, saved) in events {
                tx.send(noticed(path, saved)).unwrap();
            }
            // The sender stays alive: only the quiet time ends the batch.
            let start = Instant::now();
            let changes = next_batch(&rx, debounce).unwrap();
            drop(tx);
            (changes.paths, start.elapsed() >= long)
        };
        let a = "content/a.md";
        let b = "content/b.md";
        // Written, then closed: finished.
        assert_eq!(
            batch(&[(a, false), (a, true)]),
            (vec![a.to_string()], false)
        );
        // Written and not closed yet.
        assert_eq!(batch(&[(a, false)]), (vec![a.to_string()], true));
        // Closed, then written again (a second write of the same save).
        assert!(batch(&[(a, true), (a, false)]).1);
        // One of two files finished.
        assert_eq!(
            batch(&[(a, false), (b, false), (b, true)]),
            (vec![a.to_string(), b.to_string()], true)
        );
        assert!(!batch(&[(a, false), (b, false), (b, true), (a, true)]).1);
        // Lost events: anything may still be going on.
        let (tx, rx) = mpsc::channel();
        tx.send(Noticed::missed()).unwrap();
        tx.send(noticed(a, true)).unwrap();
        let start = Instant::now();
        assert!(next_batch(&rx, debounce).unwrap().missed);
        assert!(start.elapsed() >= long);
    }

    #[test]
    fn closing_after_writing_and_renaming_into_place_finish_a_save() {
        use notify::event::{CreateKind, DataChange, RemoveKind};
        for kind in [
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
        ] {
            assert!(finishes_a_save(&kind), "{kind:?}");
        }
        for kind in [
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Create(CreateKind::File),
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Modify(ModifyKind::Name(RenameMode::From)),
            EventKind::Remove(RemoveKind::File),
        ] {
            assert!(!finishes_a_save(&kind), "{kind:?}");
        }
    }

    #[test]
    fn editor_noise_is_ignored() {
        let root = Path::new("/s");
        for noise in [
            "/s/content/.x.md.swp",
            "/s/content/briefings/x.md~",
            "/s/content/briefings/4913",
            "/s/content/briefings/.#x.md",
            "/s/content/#x.md#",
            "/s/templates/base.html.swp",
            "/s/public/index.html",
            "/s/.briefing-cache/x",
            "/s/site.toml~",
            "/s/other.toml",
        ] {
            assert_eq!(relevant(root, Path::new(noise)), None, "{noise}");
        }
        assert_eq!(
            relevant(root, Path::new("/s/site.toml")).as_deref(),
            Some("site.toml")
        );
        assert_eq!(
            relevant(root, Path::new("/s/content/briefings/x.md")).as_deref(),
            Some("content/briefings/x.md")
        );
        assert_eq!(
            relevant(root, Path::new("/s/templates")).as_deref(),
            Some("templates")
        );
    }
}
