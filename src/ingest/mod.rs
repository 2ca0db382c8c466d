//! `briefing ingest`: turn articles (plain text, Markdown, HTML pages,
//! standard input) into briefing files under `content/<section>/`.
//!
//! The pipeline: read the inputs (IO) → decode and convert each one (pure,
//! in parallel) → analyse them as one corpus (pure) → plan what to write
//! against the site's existing content → write atomically (IO). Problems
//! with one input are reported and the others go on.

mod convert;
pub mod date;
pub mod decode;
pub mod html;
pub mod markdown;
mod plan;
pub mod text;
pub mod write;

use std::io::{Read, Write};
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};

use crate::cli::{EXIT_CONTENT, EXIT_IO, EXIT_OK};
use crate::config::Config;

pub use convert::{Draft, Kind};
pub use date::ArticleDate;

/// What an input yields before analysis: the article and what is known of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extracted {
    pub title: Option<String>,
    pub author: Option<String>,
    pub date: Option<ArticleDate>,
    /// Canonical URL of the article.
    pub url: Option<String>,
    /// The publication's name.
    pub site_name: Option<String>,
    pub tags: Vec<String>,
    /// The body as Markdown.
    pub body: String,
}

/// Default of `--max-bytes`: 5 MB.
pub const DEFAULT_MAX_BYTES: u64 = 5_000_000;

/// The command line of `briefing ingest`, resolved.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub root: PathBuf,
    pub date: Option<NaiveDate>,
    pub source_name: Option<String>,
    pub source_url: Option<String>,
    pub section: String,
    pub dry_run: bool,
    pub force: bool,
    pub max_bytes: u64,
    /// Files, directories, or `-` for standard input.
    pub inputs: Vec<PathBuf>,
}

/// An input read from disk or standard input.
#[derive(Debug, Clone)]
pub struct Input {
    /// How messages name it: the path as given, or `<stdin>`.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Runs the command; `now` is the clock, read by the caller. Returns the
/// exit code: non-zero when any input could not be ingested.
pub fn run(
    options: &IngestOptions,
    now: DateTime<Utc>,
    stdin: &mut dyn Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let config = match Config::from_root(&options.root) {
        Ok(c) => c,
        Err(problems) => {
            for p in problems {
                let _ = writeln!(err, "{p}");
            }
            return EXIT_CONTENT;
        }
    };
    let today = now.with_timezone(&config.timezone).date_naive();
    let (inputs, mut failures) = read_inputs(options, stdin);
    let total = inputs.len() + failures.len();
    let (drafts, mut bad) = convert::convert_all(inputs, options, &config, today);
    failures.append(&mut bad);
    for (name, message) in &failures {
        let _ = writeln!(err, "{name}: error: {message}");
    }
    let io_failed = plan::apply(&drafts, options, out, err);
    if !failures.is_empty() {
        let _ = writeln!(
            err,
            "error: {} of {total} input{} could not be ingested",
            failures.len(),
            if total == 1 { "" } else { "s" }
        );
    }
    if io_failed {
        EXIT_IO
    } else if failures.is_empty() {
        EXIT_OK
    } else {
        EXIT_CONTENT
    }
}

/// Reads every input; directories give their .txt, .md and .html files.
fn read_inputs(
    options: &IngestOptions,
    stdin: &mut dyn Read,
) -> (Vec<Input>, Vec<(String, String)>) {
    let mut inputs = Vec::new();
    let mut failures = Vec::new();
    for path in &options.inputs {
        if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            let limit = options.max_bytes.saturating_add(1);
            match stdin.take(limit).read_to_end(&mut bytes) {
                Ok(_) => inputs.push(Input {
                    name: "<stdin>".into(),
                    bytes,
                }),
                Err(e) => failures.push(("<stdin>".into(), format!("cannot read: {e}"))),
            }
            continue;
        }
        for file in expand(path, &mut failures) {
            let name = file.display().to_string();
            match read_file(&file, options.max_bytes) {
                Ok(bytes) => inputs.push(Input { name, bytes }),
                Err(message) => failures.push((name, message)),
            }
        }
    }
    (inputs, failures)
}

fn expand(path: &std::path::Path, failures: &mut Vec<(String, String)>) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let files: Vec<PathBuf> = walkdir::WalkDir::new(path)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.into_path())
        .filter(|p| Kind::from_extension(p).is_some())
        .collect();
    if files.is_empty() {
        failures.push((
            path.display().to_string(),
            "the directory has no .txt, .md or .html files".into(),
        ));
    }
    files
}

/// Reads a file, refusing one over the size limit before reading it.
fn read_file(path: &std::path::Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if meta.len() > max_bytes {
        return Err(decode::DecodeError::TooLarge {
            size: meta.len(),
            max: max_bytes,
        }
        .to_string());
    }
    std::fs::read(path).map_err(|e| format!("cannot read: {e}"))
}
