//! From an input's bytes to a [`Draft`]: decode, convert by kind, analyse,
//! settle title, date and source. Pure: the clock's date comes in as `today`.

use chrono::NaiveDate;
use rayon::prelude::*;
use toml::{Table, Value};

use super::date::ArticleDate;
use super::write::{content_hash, Generated};
use super::{decode, html, markdown, text, Extracted, IngestOptions, Input};
use crate::analysis::{self, Analysis, CorpusStats, Document};
use crate::config::Config;
use crate::content::slugify;

/// The kinds of input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Markdown,
    Html,
}

impl Kind {
    pub fn from_extension(path: &std::path::Path) -> Option<Kind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(Kind::Text),
            "md" | "markdown" => Some(Kind::Markdown),
            "html" | "htm" | "xhtml" => Some(Kind::Html),
            _ => None,
        }
    }

    /// By extension, else by content: `<html`/`<!doctype html` is HTML,
    /// `+++` front matter is Markdown, anything else is plain text.
    pub fn detect(name: &str, text: &str) -> Kind {
        if let Some(kind) = Kind::from_extension(std::path::Path::new(name)) {
            return kind;
        }
        let head: String = text.trim_start().chars().take(512).collect();
        let head = head.to_ascii_lowercase();
        if head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<body")
        {
            Kind::Html
        } else if head.starts_with("+++") {
            Kind::Markdown
        } else {
            Kind::Text
        }
    }
}

/// An article ready to be planned and written.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The input's name in messages.
    pub input: String,
    pub generated: Generated,
    /// The date in the file name (the site's timezone).
    pub file_date: NaiveDate,
    /// Where the date came from, for the report.
    pub date_note: String,
    pub slug: String,
    /// Notes for the report (such as the encoding).
    pub notes: Vec<String>,
}

/// An input after conversion, before analysis.
struct Converted {
    input: String,
    extracted: Extracted,
    plain: String,
    notes: Vec<String>,
}

/// Converts and analyses every input; failures are (input, message).
pub fn convert_all(
    inputs: Vec<Input>,
    options: &IngestOptions,
    config: &Config,
    today: NaiveDate,
) -> (Vec<Draft>, Vec<(String, String)>) {
    let results: Vec<Result<Converted, (String, String)>> = inputs
        .into_par_iter()
        .map(|input| convert_one(&input, options.max_bytes).map_err(|e| (input.name, e)))
        .collect();
    let mut converted = Vec::new();
    let mut failures = Vec::new();
    for r in results {
        match r {
            Ok(c) => converted.push(c),
            Err(f) => failures.push(f),
        }
    }
    let docs: Vec<Document> = converted
        .iter()
        .map(|c| Document {
            title: c.extracted.title.as_deref(),
            text: &c.plain,
        })
        .collect();
    let corpus = CorpusStats::from_documents(&docs);
    let analyses: Vec<Analysis> = docs
        .par_iter()
        .map(|doc| analysis::analyze(doc, &config.analysis, &corpus, &config.aliases))
        .collect();
    drop(docs);
    let drafts = converted
        .into_par_iter()
        .zip(analyses.into_par_iter())
        .map(|(c, a)| draft(c, a, options, config, today))
        .collect();
    (drafts, failures)
}

fn convert_one(input: &Input, max_bytes: u64) -> Result<Converted, String> {
    let (source, encoding) = decode::decode(&input.bytes, max_bytes).map_err(|e| e.to_string())?;
    let extracted = match Kind::detect(&input.name, &source) {
        Kind::Text => text::convert(&source),
        Kind::Markdown => markdown::convert(&source, &input.name)?,
        Kind::Html => html::convert(&source)?,
    };
    let plain = crate::markdown::plain_text(&extracted.body);
    if plain.split_whitespace().next().is_none() {
        return Err("no article text found".into());
    }
    let mut notes = Vec::new();
    if encoding == decode::Encoding::Windows1252 {
        notes.push("decoded as Windows-1252".to_string());
    }
    Ok(Converted {
        input: input.name.clone(),
        extracted,
        plain,
        notes,
    })
}

fn draft(
    c: Converted,
    a: Analysis,
    options: &IngestOptions,
    config: &Config,
    today: NaiveDate,
) -> Draft {
    let e = &c.extracted;
    let title = settle_title(e.title.as_deref(), a.derived_title.as_deref(), &c.plain);
    let mut notes = c.notes;
    if e.title.is_none() {
        notes
            .push("the article has no title: one was derived from the text; review `title`".into());
    }
    let (date_value, file_date, date_note) = settle_date(options.date, e.date, config, today);
    let mut fields = Table::new();
    fields.insert("title".into(), Value::String(title.clone()));
    fields.insert("date".into(), date_value);
    if let Some(author) = &e.author {
        fields.insert("author".into(), Value::String(author.clone()));
    }
    if !e.tags.is_empty() {
        fields.insert("tags".into(), strings(&e.tags));
    }
    if let Some(source) = source_table(options, e) {
        fields.insert("source".into(), source);
    }
    insert_analysis(&mut fields, &a);
    Draft {
        input: c.input,
        generated: Generated {
            fields,
            content_hash: content_hash(&c.plain),
            body: e.body.clone(),
        },
        file_date,
        date_note,
        slug: short_slug(&title),
        notes,
    }
}

fn insert_analysis(fields: &mut Table, a: &Analysis) {
    fields.insert("bottom_line".into(), Value::String(a.bottom_line.clone()));
    fields.insert("summary".into(), strings(&a.summary));
    let issues = a.key_issues.iter().map(|k| {
        let mut t = Table::new();
        t.insert("label".into(), Value::String(k.label.clone()));
        t.insert("evidence".into(), Value::String(k.evidence.clone()));
        Value::Table(t)
    });
    // An empty list in front matter would be an editor's "none" and override
    // the build's analysis (which sees the whole site): leave it out instead.
    if !a.key_issues.is_empty() {
        fields.insert("key_issues".into(), Value::Array(issues.collect()));
    }
    let entities = a.entities.iter().map(|e| {
        let mut t = Table::new();
        t.insert("name".into(), Value::String(e.name.clone()));
        t.insert("kind".into(), Value::String(e.kind.as_str().into()));
        Value::Table(t)
    });
    if !a.entities.is_empty() {
        fields.insert("entities".into(), Value::Array(entities.collect()));
    }
}

fn strings(items: &[String]) -> Value {
    Value::Array(items.iter().map(|s| Value::String(s.clone())).collect())
}

/// The article's own title, else the analysis' derived one, else the first
/// line's headline guess. (One place to switch to `analysis::derive_title`.)
pub fn settle_title(found: Option<&str>, derived: Option<&str>, plain: &str) -> String {
    found
        .or(derived)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| text::fallback_title(plain))
}

/// `--date`, else the article's date, else today: (front-matter value,
/// date of the file name, how it was chosen).
fn settle_date(
    flag: Option<NaiveDate>,
    found: Option<ArticleDate>,
    config: &Config,
    today: NaiveDate,
) -> (Value, NaiveDate, String) {
    let day_value =
        |d: NaiveDate| Value::Datetime(d.to_string().parse().expect("a NaiveDate is a TOML date"));
    match (flag, found) {
        (Some(d), _) => (day_value(d), d, format!("date {d} from --date")),
        (None, Some(ArticleDate::Day(d))) => {
            (day_value(d), d, format!("date {d} from the article"))
        }
        (None, Some(ArticleDate::Instant(t))) => {
            let utc = t.with_timezone(&chrono::Utc);
            let local = utc.with_timezone(&config.timezone).date_naive();
            let text = utc.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let value = Value::Datetime(text.parse().expect("RFC 3339 is a TOML date-time"));
            (value, local, format!("date {local} from the article"))
        }
        (None, None) => (
            day_value(today),
            today,
            format!(
                "date {today}: today in {}; the article has no date",
                config.timezone
            ),
        ),
    }
}

/// `[source]`: flags first, then the page's site name and canonical URL.
fn source_table(options: &IngestOptions, e: &Extracted) -> Option<Value> {
    let url = options.source_url.clone().or(e.url.clone());
    let name = options
        .source_name
        .clone()
        .or(e.site_name.clone())
        .or_else(|| url.as_deref().and_then(host));
    let mut t = Table::new();
    t.insert("name".into(), Value::String(name?));
    if let Some(url) = url {
        t.insert("url".into(), Value::String(url));
    }
    Some(Value::Table(t))
}

fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    Some(host.trim_start_matches("www.").to_string()).filter(|h| !h.is_empty())
}

/// The title's slug, cut at a word boundary to at most 60 characters.
pub fn short_slug(title: &str) -> String {
    let slug = slugify(title);
    let mut out = String::new();
    for word in slug.split('-') {
        if !out.is_empty() && out.len() + 1 + word.len() > 60 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        "article".into()
    } else {
        out.chars().take(60).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(Kind::detect("a.HTML", "x"), Kind::Html);
        assert_eq!(
            Kind::detect("<stdin>", "  <!DOCTYPE html><html>"),
            Kind::Html
        );
        assert_eq!(
            Kind::detect("<stdin>", "+++\ntitle = \"x\"\n+++\n"),
            Kind::Markdown
        );
        assert_eq!(Kind::detect("<stdin>", "Just words."), Kind::Text);
    }

    #[test]
    fn slugs_are_short() {
        assert_eq!(
            short_slug("Port strike halts grain exports"),
            "port-strike-halts-grain-exports"
        );
        assert!(short_slug(&"word ".repeat(40)).len() <= 60);
        assert_eq!(short_slug("!!!"), "article");
    }
}
