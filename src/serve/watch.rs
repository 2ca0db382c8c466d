//! Watching the site's sources: `content/`, `templates/`, `static/` and
//! `site.toml`, with editors' temporary files filtered out.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_mini::{new_debouncer, DebounceEventResult, Debouncer};

/// Directories under the root whose changes trigger a rebuild.
pub const WATCHED_DIRS: &[&str] = &["content", "templates", "static"];
/// The configuration file under the root.
pub const CONFIG_FILE: &str = "site.toml";

/// What changed, as far as a rebuild cares.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Changed paths, relative to the root, `/`-separated.
    pub paths: Vec<String>,
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

/// Starts watching `root`; batches of relevant changes arrive on `tx`
/// once `debounce` has passed without a new event.
pub fn start(
    root: &Path,
    debounce: Duration,
    tx: Sender<Changes>,
) -> notify::Result<Debouncer<notify::RecommendedWatcher>> {
    let root_for_events: PathBuf = root.to_path_buf();
    let mut debouncer = new_debouncer(debounce, move |result: DebounceEventResult| {
        let events = match result {
            Ok(events) => events,
            Err(e) => {
                eprintln!("warning: watching failed: {e}");
                return;
            }
        };
        let mut paths: Vec<String> = events
            .iter()
            .filter_map(|e| relevant(&root_for_events, &e.path))
            .collect();
        paths.sort();
        paths.dedup();
        if !paths.is_empty() {
            let _ = tx.send(Changes { paths });
        }
    })?;
    // The root itself, not recursively: catches site.toml even when an
    // editor replaces it by renaming a new file over it, and watched
    // directories created after the start.
    debouncer
        .watcher()
        .watch(root, RecursiveMode::NonRecursive)?;
    for dir in WATCHED_DIRS {
        let path = root.join(dir);
        if path.is_dir() {
            debouncer.watcher().watch(&path, RecursiveMode::Recursive)?;
        }
    }
    Ok(debouncer)
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
