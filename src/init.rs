//! `briefing init DIR`: a new working site with one example briefing and the
//! default templates and static files written out for editing.

use std::path::Path;

use crate::render::templates::{DEFAULT_STATIC, DEFAULT_TEMPLATES, TEMPLATES_DIR};

const SITE_TOML: &str = r#"# Site configuration: every key is documented in briefing's README.
title = "My briefings"
description = "What happened, why it matters, what comes next"
base_url = "https://example.org/"
language = "en"
timezone = "UTC"
digest_period = "day"
summary_sentences = 3
key_issues = 5
related_briefings = 3

[extra]
"#;

const EXAMPLE: &str = r#"+++
title = "An example briefing"
date = 2026-01-05T09:00:00Z
tags = ["example"]

[source]
name = "Editorial desk"
+++

This is an example briefing. Replace it with your own articles, or bring them in with `briefing ingest`.

Each briefing gets a summary, key issues and entities computed from its text. Set `summary`, `key_issues` or `entities` in the front matter to override them.
"#;

/// Creates the site. Refuses a directory that already has files, so an
/// editor's work is never overwritten.
pub fn init(dir: &Path) -> Result<Vec<String>, String> {
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).map_err(|e| format!("{}: cannot read: {e}", dir.display()))?;
        if entries.next().is_some() {
            return Err(format!(
                "{}: the directory is not empty; choose a new or empty directory",
                dir.display()
            ));
        }
    }
    let mut files: Vec<(String, &str)> = vec![
        ("site.toml".into(), SITE_TOML),
        ("content/briefings/2026-01-05-example.md".into(), EXAMPLE),
    ];
    for (name, text) in DEFAULT_TEMPLATES {
        files.push((format!("{TEMPLATES_DIR}/{name}"), text));
    }
    for (name, text) in DEFAULT_STATIC {
        files.push((format!("{}/{name}", crate::STATIC_DIR), text));
    }
    let mut written = Vec::new();
    for (path, text) in files {
        let full = dir.join(&path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("{}: cannot create: {e}", parent.display()))?;
        }
        std::fs::write(&full, text)
            .map_err(|e| format!("{}: cannot write: {e}", full.display()))?;
        written.push(path);
    }
    Ok(written)
}
