//! `briefing analyze`: read articles, analyse them as one corpus, print the
//! result as JSON (the contract other tools read) or as text.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::{self, Aliases, AnalysisOptions, CorpusStats, Document, Entity, KeyIssue};
use crate::cli::Format;
use crate::linking::{related_for_corpus, RelatedInput};

/// Related articles listed per article (the site's default `related_briefings`).
const RELATED_PER_ARTICLE: usize = 3;

/// What to analyse and how to print it.
#[derive(Debug, Clone)]
pub struct AnalyzeRequest {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub options: AnalysisOptions,
}

#[derive(Debug, Serialize)]
struct Output {
    briefings: Vec<BriefingOutput>,
}

#[derive(Debug, Serialize)]
struct BriefingOutput {
    path: String,
    title: String,
    bottom_line: String,
    summary: Vec<String>,
    key_issues: Vec<KeyIssue>,
    entities: Vec<Entity>,
    related: Vec<RelatedOutput>,
}

#[derive(Debug, Serialize)]
struct RelatedOutput {
    path: String,
    score: f64,
}

/// An article read from disk: its path, title if it has one, and plain text.
struct Article {
    path: String,
    title: Option<String>,
    text: String,
}

/// Runs the command; returns the process exit code. Problems with single
/// files are printed to `err` and the others are still analysed.
pub fn run(request: &AnalyzeRequest, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut failed = false;
    let mut files = Vec::new();
    for path in &request.paths {
        if let Err(e) = collect_files(path, &mut files) {
            let _ = writeln!(err, "{}: error: {e}", path.display());
            failed = true;
        }
    }
    let mut articles = Vec::new();
    for file in files {
        match read_article(&file) {
            Ok(article) => articles.push(article),
            Err(e) => {
                let _ = writeln!(err, "{}: error: {e}", file.display());
                failed = true;
            }
        }
    }
    let docs: Vec<Document> = articles
        .iter()
        .map(|a| Document {
            title: a.title.as_deref(),
            text: &a.text,
        })
        .collect();
    let corpus = CorpusStats::from_documents(&docs);
    let aliases = request
        .paths
        .first()
        .map_or_else(Aliases::new, |p| site_aliases(p, err));
    let analyses: Vec<analysis::Analysis> = docs
        .iter()
        .map(|doc| analysis::analyze(doc, &request.options, &corpus, &aliases))
        .collect();
    // Related articles across the whole set (no dates: every article may relate to every other).
    // A Markdown article's title is in its front matter, not its text: add it back.
    let related_texts: Vec<String> = articles
        .iter()
        .map(|a| match &a.title {
            Some(t) => format!("{t}\n\n{}", a.text),
            None => a.text.clone(),
        })
        .collect();
    let related_inputs: Vec<RelatedInput> = articles
        .iter()
        .zip(&analyses)
        .zip(&related_texts)
        .map(|((a, an), text)| RelatedInput {
            path: &a.path,
            text,
            key_issue_labels: an.key_issues.iter().map(|k| k.label.as_str()).collect(),
            entity_names: an.entities.iter().map(|e| e.name.as_str()).collect(),
            date: None,
        })
        .collect();
    let related = related_for_corpus(&related_inputs, RELATED_PER_ARTICLE);
    let briefings: Vec<BriefingOutput> = articles
        .iter()
        .zip(analyses)
        .zip(related)
        .map(|((article, analysis), related)| BriefingOutput {
            path: article.path.clone(),
            title: article
                .title
                .clone()
                .or(analysis.derived_title)
                .unwrap_or_default(),
            bottom_line: analysis.bottom_line,
            summary: analysis.summary,
            key_issues: analysis.key_issues,
            entities: analysis.entities,
            related: related
                .into_iter()
                .map(|(j, score)| RelatedOutput {
                    path: articles[j].path.clone(),
                    score,
                })
                .collect(),
        })
        .collect();
    let output = Output { briefings };
    let written = match request.format {
        Format::Json => serde_json::to_writer(&mut *out, &output)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out)),
        Format::Text => write_text(&output, out),
    };
    if let Err(e) = written {
        let _ = writeln!(err, "error: cannot write the output: {e}");
        return crate::cli::EXIT_IO;
    }
    if failed {
        crate::cli::EXIT_CONTENT
    } else {
        crate::cli::EXIT_OK
    }
}

/// The `[aliases]` of the site the articles belong to: that of the first
/// `site.toml` found in `path` or one of its ancestors (so a relative path
/// inside the current site finds it), else none. A `site.toml` that does
/// not validate is reported as a warning and its aliases are not used: the
/// articles can still be analysed.
fn site_aliases(path: &Path, err: &mut dyn Write) -> Aliases {
    let Ok(path) = std::path::absolute(path) else {
        return Aliases::new();
    };
    let Some(root) = path
        .ancestors()
        .find(|dir| dir.join(crate::config::CONFIG_FILE).is_file())
    else {
        return Aliases::new();
    };
    match crate::config::Config::from_root(root) {
        Ok(config) => config.aliases,
        Err(problems) => {
            let file = root.join(crate::config::CONFIG_FILE);
            for p in problems {
                let _ = writeln!(
                    err,
                    "{}: warning: {} (its aliases are not used)",
                    file.display(),
                    p.message
                );
            }
            Aliases::new()
        }
    }
}

fn collect_files(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
        let entry = entry?;
        let p = entry.path();
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if entry.file_type().is_file() && (ext == "md" || ext == "txt") {
            files.push(p.to_path_buf());
        }
    }
    Ok(())
}

fn read_article(path: &Path) -> Result<Article, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let display = path.display().to_string();
    let is_markdown = path.extension().and_then(|e| e.to_str()) == Some("md");
    if is_markdown {
        let split = crate::content::front_matter::split(&text, &display).map_err(|d| d.message)?;
        let fm = crate::content::front_matter::parse(&split, &display).map_err(|ds| {
            ds.into_iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        Ok(Article {
            path: display,
            title: fm.title,
            text: crate::markdown::plain_text(split.body),
        })
    } else {
        // Plain text: a first line that reads as a headline is the title and
        // not body text; otherwise the analysis derives a title.
        let text = text.replace("\r\n", "\n");
        let guess = crate::analysis::derive_title(&text);
        if guess.from_first_line {
            Ok(Article {
                path: display,
                title: Some(guess.title),
                text: text[guess.body_start..].to_string(),
            })
        } else {
            Ok(Article {
                path: display,
                title: None,
                text,
            })
        }
    }
}

fn write_text(output: &Output, out: &mut dyn Write) -> std::io::Result<()> {
    for b in &output.briefings {
        writeln!(out, "== {} ({})", b.title, b.path)?;
        writeln!(out, "Bottom line: {}", b.bottom_line)?;
        writeln!(out, "Summary:")?;
        for s in &b.summary {
            writeln!(out, "  - {s}")?;
        }
        writeln!(out, "Key issues:")?;
        for k in &b.key_issues {
            writeln!(out, "  - {} ({:.3}): {}", k.label, k.score, k.evidence)?;
        }
        writeln!(out, "Entities:")?;
        for e in &b.entities {
            writeln!(out, "  - {} [{}] x{}", e.name, e.kind.as_str(), e.mentions)?;
        }
        writeln!(out)?;
    }
    Ok(())
}
