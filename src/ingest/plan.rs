//! Deciding, for each draft, whether to create, update or skip a file, and
//! doing it (or, with `--dry-run`, printing it).

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::write::{self, merge, render_new};
use super::{Draft, IngestOptions};
use crate::content::CONTENT_DIR;

/// What to do with one draft.
enum Action {
    Create {
        path: PathBuf,
        text: String,
    },
    Update {
        path: PathBuf,
        text: String,
        kept: Vec<String>,
    },
    Unchanged {
        path: PathBuf,
    },
    Skip {
        reason: String,
    },
}

/// Plans and carries out every draft in order. Returns true when a write
/// failed.
pub fn apply(
    drafts: &[Draft],
    options: &IngestOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> bool {
    let content_dir = options.root.join(CONTENT_DIR);
    let mut known: HashMap<String, (PathBuf, String)> = write::scan_hashes(&content_dir)
        .into_iter()
        .map(|(hash, path)| (hash, (path, String::new())))
        .collect();
    let mut taken = HashSet::new();
    let mut failed = false;
    for draft in drafts {
        let action = plan(draft, options, &known, &mut taken);
        if let Action::Create { path, .. } = &action {
            let hash = draft.generated.content_hash.clone();
            known.insert(hash, (path.clone(), draft.input.clone()));
        }
        failed |= carry_out(draft, action, options, out, err);
    }
    failed
}

fn plan(
    draft: &Draft,
    options: &IngestOptions,
    known: &HashMap<String, (PathBuf, String)>,
    taken: &mut HashSet<PathBuf>,
) -> Action {
    let g = &draft.generated;
    if let Some((path, earlier_input)) = known.get(&g.content_hash) {
        let shown = relative(path, &options.root);
        if !earlier_input.is_empty() {
            return Action::Skip {
                reason: format!("the same article as {earlier_input}"),
            };
        }
        if !options.force {
            return Action::Skip {
                reason: format!("already ingested as {shown}; use --force to refresh it"),
            };
        }
        let existing = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                return Action::Skip {
                    reason: format!("cannot read {shown}: {e}"),
                }
            }
        };
        return match merge(&existing, &shown, g) {
            Ok(m) if m.text == existing => Action::Unchanged { path: path.clone() },
            Ok(m) => Action::Update {
                path: path.clone(),
                text: m.text,
                kept: m.kept,
            },
            Err(e) => Action::Skip { reason: e },
        };
    }
    let dir = options.root.join(CONTENT_DIR).join(&options.section);
    let path = free_path(&dir, &format!("{}-{}", draft.file_date, draft.slug), taken);
    Action::Create {
        path,
        text: render_new(g),
    }
}

/// `stem.md`, or `stem-2.md`, `stem-3.md`… when taken: a different article
/// never overwrites another's file.
fn free_path(dir: &Path, stem: &str, taken: &mut HashSet<PathBuf>) -> PathBuf {
    let mut n = 1;
    loop {
        let name = if n == 1 {
            format!("{stem}.md")
        } else {
            format!("{stem}-{n}.md")
        };
        let path = dir.join(name);
        if !path.exists() && taken.insert(path.clone()) {
            return path;
        }
        n += 1;
    }
}

fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn carry_out(
    draft: &Draft,
    action: Action,
    options: &IngestOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> bool {
    let notes = std::iter::once(draft.date_note.clone())
        .chain(draft.notes.iter().cloned())
        .collect::<Vec<_>>()
        .join("; ");
    let verb = |done: &str, would: &str| {
        if options.dry_run {
            would.to_string()
        } else {
            done.to_string()
        }
    };
    let (path, text, line) = match action {
        Action::Skip { reason } => {
            let _ = writeln!(out, "skipped {}: {reason}", draft.input);
            return false;
        }
        Action::Unchanged { path } => {
            let shown = relative(&path, &options.root);
            let _ = writeln!(out, "unchanged {shown} from {}", draft.input);
            return false;
        }
        Action::Create { path, text } => {
            let line = format!(
                "{} {} from {} ({notes})",
                verb("created", "would create"),
                relative(&path, &options.root),
                draft.input
            );
            (path, text, line)
        }
        Action::Update { path, text, kept } => {
            let kept = if kept.is_empty() {
                String::new()
            } else {
                format!("; kept the editor's {}", kept.join(", "))
            };
            let line = format!(
                "{} {} from {} ({notes}{kept})",
                verb("updated", "would update"),
                relative(&path, &options.root),
                draft.input
            );
            (path, text, line)
        }
    };
    let _ = writeln!(out, "{line}");
    if options.dry_run {
        let _ = write!(out, "{text}");
        return false;
    }
    match write::write_atomic(&path, &text) {
        Ok(()) => false,
        Err(e) => {
            let _ = writeln!(
                err,
                "{}: error: cannot write: {e}",
                relative(&path, &options.root)
            );
            true
        }
    }
}
