//! Watching the site's sources: `content/`, `templates/`, `static/` and
//! `site.toml`, with editors' temporary files filtered out.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

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
/// opened or read, which every build does) are not changes.
pub fn start(root: &Path, tx: Sender<Changes>) -> notify::Result<RecommendedWatcher> {
    let root_for_events: PathBuf = root.to_path_buf();
    let mut watcher = notify::recommended_watcher(move |result: notify::Result<Event>| {
        let event = match result {
            Ok(event) => event,
            Err(e) => {
                eprintln!("warning: watching failed: {e}; looking at every file again");
                let _ = tx.send(Changes {
                    paths: Vec::new(),
                    missed: true,
                });
                return;
            }
        };
        if event.need_rescan() {
            let _ = tx.send(Changes {
                paths: Vec::new(),
                missed: true,
            });
            return;
        }
        if matches!(event.kind, EventKind::Access(_)) {
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
            let _ = tx.send(Changes {
                paths,
                missed: false,
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

/// Waits for a change, then until `quiet` passes without another, and
/// returns them all (`None` once the watcher is gone). Editors save in
/// bursts (write a temporary file, rename it over, touch a backup); the
/// build reads the files only after the burst.
pub fn next_batch(rx: &Receiver<Changes>, quiet: Duration) -> Option<Changes> {
    let mut changes = rx.recv().ok()?;
    loop {
        match rx.recv_timeout(quiet) {
            Ok(more) => {
                changes.paths.extend(more.paths);
                changes.missed |= more.missed;
            }
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
