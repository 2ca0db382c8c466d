//! `site.toml`: the raw serde shape, then a validated [`Config`].
//!
//! Unknown keys are errors naming the key and its line (a typo must not be
//! silently ignored); every problem in the file is reported in one run.

use std::collections::BTreeMap;
use std::path::Path;

use chrono_tz::Tz;
use serde::Deserialize;

use crate::analysis::{Aliases, AnalysisOptions};
use crate::diagnostics::{line_col, Diagnostic};

/// The file name of the site configuration, at the site root.
pub const CONFIG_FILE: &str = "site.toml";

/// The shape of `site.toml` as written. Defaults are documented in README.
#[derive(Debug, Deserialize)]
#[serde(default)]
struct RawConfig {
    title: String,
    description: String,
    base_url: Option<String>,
    language: String,
    timezone: String,
    output_dir: String,
    digest_period: String,
    summary_sentences: usize,
    key_issues: usize,
    related_briefings: usize,
    related_scope: String,
    feed_length: usize,
    page_size: usize,
    hub_page_size: usize,
    hub_min_briefings: usize,
    inline_links: usize,
    aliases: BTreeMap<String, String>,
    issues: Vec<CuratedIssue>,
    extra: toml::Table,
}

impl Default for RawConfig {
    fn default() -> Self {
        RawConfig {
            title: "Briefings".into(),
            description: String::new(),
            base_url: None,
            language: "en".into(),
            timezone: "UTC".into(),
            output_dir: "public".into(),
            digest_period: "day".into(),
            summary_sentences: 3,
            key_issues: 5,
            related_briefings: 3,
            related_scope: "past".into(),
            feed_length: 20,
            page_size: 10,
            hub_page_size: 30,
            hub_min_briefings: 2,
            inline_links: 5,
            aliases: BTreeMap::new(),
            issues: Vec::new(),
            extra: toml::Table::new(),
        }
    }
}

/// A key issue declared by the editors, with the phrases that map onto it.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
pub struct CuratedIssue {
    pub name: String,
    #[serde(default, rename = "match")]
    pub matches: Vec<String>,
}

/// How briefings are grouped into digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestPeriod {
    Day,
    Week,
}

/// Which briefings a briefing's related list may draw on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RelatedScope {
    /// Only briefings published up to it: adding content never rewrites old pages.
    Past,
    /// Every briefing of the site.
    All,
}

/// The validated site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Always ends with `/`.
    pub base_url: String,
    pub language: String,
    pub timezone: Tz,
    pub output_dir: String,
    pub digest_period: DigestPeriod,
    pub analysis: AnalysisOptions,
    pub related_briefings: usize,
    pub related_scope: RelatedScope,
    pub feed_length: usize,
    pub page_size: usize,
    /// Briefings per page of a hub's timeline.
    pub hub_page_size: usize,
    pub hub_min_briefings: usize,
    pub inline_links: usize,
    pub aliases: Aliases,
    pub issues: Vec<CuratedIssue>,
    pub extra: toml::Table,
}

impl Config {
    /// Reads `site.toml` under `root`.
    pub fn from_root(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            vec![Diagnostic::error(
                CONFIG_FILE,
                format!("cannot read the site configuration: {e}"),
            )
            .with_hint("run `briefing init DIR` to create a site, or pass --root to point at one")]
        })?;
        Config::parse(&text)
    }

    /// The default configuration, used to keep checking a site whose
    /// `site.toml` has errors (the build fails anyway).
    pub fn fallback() -> Config {
        let mut ignored = Vec::new();
        validate(
            RawConfig {
                base_url: Some("http://localhost/".into()),
                ..RawConfig::default()
            },
            "",
            &mut ignored,
        )
    }

    /// Parses and validates the text of a `site.toml`.
    pub fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let raw: RawConfig = match parse_strict(text, CONFIG_FILE, &mut problems) {
            Some(raw) => raw,
            None => return Err(problems),
        };
        let config = validate(raw, text, &mut problems);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }
}

/// Deserialises TOML text, reporting every unknown key (with its line) and any
/// syntax or type error (with line and column) into `problems`.
pub fn parse_strict<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &str,
    problems: &mut Vec<Diagnostic>,
) -> Option<T> {
    let deserializer = match toml::de::Deserializer::parse(text) {
        Ok(d) => d,
        Err(e) => {
            problems.push(toml_error(text, file, &e));
            return None;
        }
    };
    let mut unknown = Vec::new();
    let value = serde_ignored::deserialize(deserializer, |path| {
        // serde_ignored writes `?` for an Option level; it is not part of the key.
        let key: Vec<String> = path
            .to_string()
            .split('.')
            .filter(|p| *p != "?")
            .map(String::from)
            .collect();
        unknown.push(key.join("."));
    });
    match value {
        Ok(value) => {
            // serde visits tables in its own order; report in file order.
            let mut unknown: Vec<(Option<usize>, String)> = unknown
                .into_iter()
                .map(|key| (find_key_line(text, &key), key))
                .collect();
            unknown.sort();
            for (line, key) in unknown {
                let mut d = Diagnostic::error(file, format!("unknown key `{key}`")).with_hint(
                    "check the spelling against the reference in README.md, or remove the key",
                );
                if let Some(line) = line {
                    d = d.at_line(line);
                }
                problems.push(d);
            }
            if problems.is_empty() {
                Some(value)
            } else {
                None
            }
        }
        Err(e) => {
            problems.push(toml_error(text, file, &e));
            None
        }
    }
}

fn toml_error(text: &str, file: &str, error: &toml::de::Error) -> Diagnostic {
    // The message of a toml error repeats the place as a drawing; keep the first line.
    let message = error
        .message()
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .to_string();
    let mut d = Diagnostic::error(file, message);
    if let Some(span) = error.span() {
        let (line, column) = line_col(text, span.start);
        d = d.at(line, column);
    }
    d
}

/// Finds the line that defines a dotted key path such as `extra2` or
/// `source.nmae` (1-based). Array indices in the path are skipped.
fn find_key_line(text: &str, path: &str) -> Option<usize> {
    let parts: Vec<&str> = path
        .split('.')
        .filter(|p| !p.chars().all(|c| c.is_ascii_digit()))
        .collect();
    let (key, tables) = parts.split_last()?;
    let wanted_table = tables.join(".");
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[') {
            let name = header.trim_start_matches('[');
            let name = name.split(']').next().unwrap_or("").trim();
            if tables.is_empty() || name != wanted_table {
                // A whole unknown table is reported at its header.
                if name == path {
                    return Some(i + 1);
                }
            }
            current = name.to_string();
            continue;
        }
        if current == wanted_table {
            let name = trimmed
                .split('=')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"');
            if name == *key && trimmed.contains('=') {
                return Some(i + 1);
            }
        }
    }
    None
}

fn validate(raw: RawConfig, text: &str, problems: &mut Vec<Diagnostic>) -> Config {
    let mut error_at = |key: &str, message: String, hint: &str| {
        let mut d = Diagnostic::error(CONFIG_FILE, message).with_hint(hint);
        if let Some(line) = find_key_line(text, key) {
            d = d.at_line(line);
        }
        problems.push(d);
    };

    let mut missing_base_url = false;
    let base_url = match raw.base_url {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            if url.ends_with('/') {
                url
            } else {
                format!("{url}/")
            }
        }
        Some(url) => {
            error_at(
                "base_url",
                format!("`base_url` must be an absolute http(s) URL, not `{url}`"),
                "write for example base_url = \"https://example.org/briefs/\"",
            );
            String::from("http://localhost/")
        }
        None => {
            missing_base_url = true;
            String::from("http://localhost/")
        }
    };
    let timezone = raw.timezone.parse::<Tz>().unwrap_or_else(|_| {
        error_at(
            "timezone",
            format!("unknown timezone `{}`", raw.timezone),
            "use an IANA name such as \"UTC\", \"Europe/London\" or \"America/New_York\"",
        );
        Tz::UTC
    });
    let digest_period = match raw.digest_period.as_str() {
        "day" => DigestPeriod::Day,
        "week" => DigestPeriod::Week,
        other => {
            error_at(
                "digest_period",
                format!("`digest_period` must be \"day\" or \"week\", not \"{other}\""),
                "digests gather the briefings of one day or one ISO week",
            );
            DigestPeriod::Day
        }
    };
    let related_scope = match raw.related_scope.as_str() {
        "past" => RelatedScope::Past,
        "all" => RelatedScope::All,
        other => {
            error_at(
                "related_scope",
                format!("`related_scope` must be \"past\" or \"all\", not \"{other}\""),
                "\"past\" keeps old pages stable when new briefings arrive",
            );
            RelatedScope::Past
        }
    };
    for (key, value) in [
        ("summary_sentences", raw.summary_sentences),
        ("feed_length", raw.feed_length),
        ("page_size", raw.page_size),
        ("hub_page_size", raw.hub_page_size),
        ("hub_min_briefings", raw.hub_min_briefings),
    ] {
        if value == 0 {
            error_at(
                key,
                format!("`{key}` must be at least 1"),
                "set a positive number",
            );
        }
    }
    if missing_base_url {
        problems.insert(
            0,
            Diagnostic::error(CONFIG_FILE, "`base_url` is missing").with_hint(
                "add base_url = \"https://your.host/\" (feeds and sitemaps need absolute URLs)",
            ),
        );
    }
    Config {
        title: raw.title,
        description: raw.description,
        base_url,
        language: raw.language,
        timezone,
        output_dir: raw.output_dir,
        digest_period,
        analysis: AnalysisOptions {
            summary_sentences: raw.summary_sentences,
            key_issues: raw.key_issues,
        },
        related_briefings: raw.related_briefings,
        related_scope,
        feed_length: raw.feed_length,
        page_size: raw.page_size,
        hub_page_size: raw.hub_page_size,
        hub_min_briefings: raw.hub_min_briefings,
        inline_links: raw.inline_links,
        aliases: raw.aliases,
        issues: raw.issues,
        extra: raw.extra,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        Config::parse(text)
            .err()
            .unwrap_or_default()
            .iter()
            .map(|d| d.to_string())
            .collect()
    }

    #[test]
    fn minimal_config_gets_defaults() {
        let c = Config::parse("base_url = \"https://example.org\"").unwrap();
        assert_eq!(c.base_url, "https://example.org/");
        assert_eq!(c.output_dir, "public");
        assert_eq!(c.analysis.summary_sentences, 3);
        assert_eq!(c.analysis.key_issues, 5);
        assert_eq!(c.related_briefings, 3);
        assert_eq!(c.digest_period, DigestPeriod::Day);
        assert_eq!(c.timezone, Tz::UTC);
    }

    #[test]
    fn unknown_keys_are_all_reported_with_lines() {
        let text = "base_url = \"https://e.org/\"\ntitel = \"x\"\n\n[extra]\nanything = 1\n\n[[issues]]\nname = \"a\"\nmatches = [\"b\"]\n";
        assert_eq!(
            errors(text),
            vec![
                "site.toml:2: error: unknown key `titel`\n  hint: check the spelling against the reference in README.md, or remove the key".to_string(),
                "site.toml:9: error: unknown key `issues.0.matches`\n  hint: check the spelling against the reference in README.md, or remove the key".to_string(),
            ]
        );
    }

    #[test]
    fn type_errors_have_line_and_column() {
        let e = errors("base_url = \"https://e.org/\"\npage_size = \"ten\"\n");
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("site.toml:2:13: error: invalid type"),
            "{}",
            e[0]
        );
    }

    #[test]
    fn bad_values_are_collected() {
        let e =
            errors("base_url = \"e.org\"\ntimezone = \"Mars/Base\"\ndigest_period = \"month\"\n");
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[0].starts_with("site.toml:1: error: `base_url` must be an absolute"));
        assert!(e[1].starts_with("site.toml:2: error: unknown timezone `Mars/Base`"));
        assert!(e[2].starts_with("site.toml:3: error: `digest_period` must be"));
    }

    #[test]
    fn missing_base_url_is_an_error() {
        let e = errors("title = \"x\"\n");
        assert!(
            e[0].starts_with("site.toml: error: `base_url` is missing"),
            "{e:?}"
        );
    }
}
