//! Bodies a one-off build lets go once they are analysed, and reads again
//! from their files when a page or the search index needs them.
//!
//! At 100,000 briefings the Markdown bodies are 0.4 GB, held from the read
//! to the last page otherwise. Read again, a body must be the one analysed:
//! its hash is checked, and a file changed (or gone) since the build read
//! it is a problem of the build, which then writes nothing.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::{front_matter, read_file, Page};
use crate::diagnostics::Diagnostic;

/// Where released bodies are read again from, and what went wrong doing
/// so; one per build, shared by its pages.
#[derive(Debug)]
pub struct BodySource {
    content_dir: PathBuf,
    problems: Mutex<Vec<Diagnostic>>,
}

impl BodySource {
    /// Bodies read again from `content_dir` (the build's `content/`).
    pub fn new(content_dir: PathBuf) -> Arc<BodySource> {
        Arc::new(BodySource {
            content_dir,
            problems: Mutex::new(Vec::new()),
        })
    }

    /// The problems met reading bodies again, taken (one per file).
    pub fn take_problems(&self) -> Vec<Diagnostic> {
        let mut problems = std::mem::take(&mut *self.problems.lock().unwrap());
        problems.sort();
        problems.dedup();
        problems
    }

    /// The body of `page` as the build read it, or why it cannot be had.
    fn read(&self, page: &Page) -> Result<String, Diagnostic> {
        let text = read_file(&page.source, &self.content_dir.join(&page.source))?;
        let split = front_matter::split(&text, &page.file)?;
        if crate::cache::hash_bytes(split.body.as_bytes()) != page.body_hash() {
            return Err(Diagnostic::error(
                &page.file,
                "the file changed while the site was being built",
            )
            .with_hint("build again once the edit is saved"));
        }
        Ok(split.body.to_string())
    }
}

/// What a page keeps of a body it let go.
#[derive(Debug, Clone)]
pub(crate) struct ReleasedBody {
    source: Arc<BodySource>,
    /// [`may_link_pages`] of the body.
    may_link_pages: bool,
}

/// Whether `body` can hold an `@/` link to another content file: it has an
/// `@`, or a `&` (`&#64;` and `&commat;` spell one).
pub fn may_link_pages(body: &str) -> bool {
    // memchr2: a plain `contains(['@', '&'])` decodes every character, and
    // a rebuild asks this of every body.
    memchr::memchr2(b'@', b'&', body.as_bytes()).is_some()
}

impl Page {
    /// Lets the body go, to be read again from `source` when asked for
    /// ([`Page::markdown`]). Its hash is kept, and so is what
    /// [`Page::may_link_pages`] says.
    pub fn release_body(&mut self, source: &Arc<BodySource>) {
        if self.released.is_some() {
            return;
        }
        self.body_hash();
        self.released = Some(Box::new(ReleasedBody {
            source: Arc::clone(source),
            may_link_pages: may_link_pages(&self.body),
        }));
        self.body = String::new();
    }

    /// The Markdown body: held, or read again. A body that cannot be read
    /// again as it was is empty, and its problem is left with the
    /// [`BodySource`] for the build to report.
    pub fn markdown(&self) -> std::borrow::Cow<'_, str> {
        let Some(released) = &self.released else {
            return std::borrow::Cow::Borrowed(&self.body);
        };
        match released.source.read(self) {
            Ok(body) => std::borrow::Cow::Owned(body),
            Err(problem) => {
                released.source.problems.lock().unwrap().push(problem);
                std::borrow::Cow::Borrowed("")
            }
        }
    }

    /// [`may_link_pages`] of the body, held or released.
    pub fn may_link_pages(&self) -> bool {
        match &self.released {
            Some(released) => released.may_link_pages,
            None => may_link_pages(&self.body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{parse_files, LoadOptions};

    fn page_of(text: &str) -> Page {
        let (content, problems) = parse_files(
            vec![("briefings/a.md".to_string(), text.to_string())],
            LoadOptions {
                include_drafts: false,
                timezone: chrono_tz::Tz::UTC,
            },
        );
        assert!(problems.is_empty(), "{problems:?}");
        Page::clone(&content.pages[0])
    }

    fn site(text: &str) -> (tempfile::TempDir, Arc<BodySource>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("briefings")).unwrap();
        std::fs::write(dir.path().join("briefings/a.md"), text).unwrap();
        let source = BodySource::new(dir.path().to_path_buf());
        (dir, source)
    }

    const FILE: &str = "+++\ntitle = \"Port\"\ndate = 2026-03-01\n+++\nDock workers met [the board](@/about.md).\n";

    #[test]
    fn a_released_body_is_read_again_the_same() {
        let (_dir, source) = site(FILE);
        let mut page = page_of(FILE);
        let held = page.markdown().into_owned();
        assert!(page.may_link_pages());
        page.release_body(&source);
        assert!(page.body.is_empty());
        assert!(page.may_link_pages());
        assert_eq!(page.markdown(), held);
        assert!(source.take_problems().is_empty());
    }

    #[test]
    fn a_body_changed_or_gone_since_the_read_is_a_problem_of_the_build() {
        let (dir, source) = site(FILE);
        let mut page = page_of(FILE);
        page.release_body(&source);
        let file = dir.path().join("briefings/a.md");
        std::fs::write(&file, FILE.replace("met", "left")).unwrap();
        assert_eq!(page.markdown(), "");
        // The same file twice is one problem.
        assert_eq!(page.markdown(), "");
        let problems = source.take_problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        let shown = problems[0].to_string();
        assert!(
            shown.starts_with(
                "content/briefings/a.md: error: the file changed while the site was being built"
            ),
            "{shown}"
        );
        std::fs::remove_file(&file).unwrap();
        assert_eq!(page.markdown(), "");
        let shown = source.take_problems()[0].to_string();
        assert!(shown.contains("cannot read the file"), "{shown}");
        // A page not released is not read again.
        let held = page_of(FILE);
        assert_eq!(held.markdown(), held.body);
    }
}
