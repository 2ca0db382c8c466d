//! TOML front matter between `+++` lines: splitting it from the body and
//! parsing it into [`FrontMatter`].

use serde::Deserialize;

use crate::config::parse_strict;
use crate::diagnostics::Diagnostic;

/// Front matter as written by an editor. Every field is optional.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub date: Option<toml::Value>,
    pub updated: Option<toml::Value>,
    pub slug: Option<String>,
    pub draft: bool,
    pub aliases: Vec<String>,
    pub source: Option<Source>,
    pub author: Option<String>,
    pub tags: Vec<String>,
    /// Name of a template under `templates/` to render this page with.
    pub template: Option<String>,
    /// Number of summary sentences for this briefing (overrides site.toml).
    pub summary_sentences: Option<usize>,
    /// Editor overrides of the analysis.
    pub bottom_line: Option<String>,
    pub summary: Option<Vec<String>>,
    pub key_issues: Option<Vec<KeyIssueOverride>>,
    pub entities: Option<Vec<EntityOverride>>,
    /// What `briefing ingest` generated, so later runs can tell editors' changes apart.
    pub generated: Option<toml::Table>,
    /// Free-form values passed to templates.
    pub extra: toml::Table,
}

/// Where a briefing comes from.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, serde::Serialize)]
pub struct Source {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
}

/// A key issue set by the editor: a bare label, or a label with its evidence.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum KeyIssueOverride {
    Label(String),
    Full {
        label: String,
        #[serde(default)]
        evidence: String,
    },
}

/// An entity set by the editor: a bare name, or a name with its kind.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum EntityOverride {
    Name(String),
    Full {
        name: String,
        #[serde(default)]
        kind: Option<String>,
    },
}

/// A file split into its front matter and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Split<'a> {
    /// The TOML text between the `+++` lines (empty when there is none).
    pub front_matter: &'a str,
    /// 1-based line of the first front-matter line.
    pub front_matter_line: usize,
    pub body: &'a str,
    /// 1-based line on which the body starts.
    pub body_line: usize,
}

/// Splits `text` into front matter and body. A file that does not start with
/// `+++` has no front matter; one that opens the block but never closes it is
/// an error.
pub fn split<'a>(text: &'a str, file: &str) -> Result<Split<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line_end = text.find('\n').map(|i| i + 1).unwrap_or(text.len());
    if text[..first_line_end].trim_end() != "+++" {
        if text.trim_start().starts_with("---") {
            return Err(Diagnostic::error(file, "front matter must be TOML between `+++` lines")
                .at(1, 1)
                .with_hint("YAML front matter (`---`) is not supported: write the fields as TOML between `+++` lines"));
        }
        return Ok(Split {
            front_matter: "",
            front_matter_line: 1,
            body: text,
            body_line: 1,
        });
    }
    let mut offset = first_line_end;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map(|i| offset + i + 1)
            .unwrap_or(text.len());
        if text[offset..end].trim_end() == "+++" {
            return Ok(Split {
                front_matter: &text[first_line_end..offset],
                front_matter_line: 2,
                body: &text[end..],
                body_line: line + 1,
            });
        }
        offset = end;
        line += 1;
    }
    Err(Diagnostic::error(file, "front matter is not closed")
        .at(1, 1)
        .with_hint("did you forget the closing `+++` line after the front matter?"))
}

/// Parses front-matter TOML; problems carry lines of the whole file.
pub fn parse(split: &Split, file: &str) -> Result<FrontMatter, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let parsed: Option<FrontMatter> = parse_strict(split.front_matter, file, &mut problems);
    for p in &mut problems {
        if let Some(line) = p.line.as_mut() {
            *line += split.front_matter_line - 1;
        }
    }
    match parsed {
        Some(fm) if problems.is_empty() => Ok(fm),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<FrontMatter, Vec<String>> {
        let s = split(text, "content/a.md").map_err(|d| vec![d.to_string()])?;
        parse(&s, "content/a.md").map_err(|ds| ds.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn splits_front_matter_and_body() {
        let s = split("+++\ntitle = \"A\"\n+++\nBody\n", "a.md").unwrap();
        assert_eq!(s.front_matter, "title = \"A\"\n");
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let s = split("Just text\n", "a.md").unwrap();
        assert_eq!(s.front_matter, "");
        assert_eq!(s.body, "Just text\n");
    }

    #[test]
    fn valid_front_matter() {
        let fm = parse_text("+++\ntitle = \"Talks\"\ndate = 2026-11-03\ntags = [\"iran\"]\nkey_issues = [\"sanctions relief\", { label = \"uranium enrichment\", evidence = \"E.\" }]\n[source]\nname = \"Desk\"\nurl = \"https://e.org/a\"\n+++\nBody").unwrap();
        assert_eq!(fm.title.as_deref(), Some("Talks"));
        assert_eq!(fm.tags, vec!["iran"]);
        assert_eq!(fm.source.unwrap().name, "Desk");
        assert_eq!(
            fm.key_issues.unwrap()[1],
            KeyIssueOverride::Full {
                label: "uranium enrichment".into(),
                evidence: "E.".into()
            }
        );
    }

    #[test]
    fn unclosed_front_matter() {
        assert_eq!(
            parse_text("+++\ntitle = \"x\"\nBody\n").unwrap_err(),
            vec!["content/a.md:1:1: error: front matter is not closed\n  hint: did you forget the closing `+++` line after the front matter?"]
        );
    }

    #[test]
    fn yaml_front_matter_is_rejected() {
        let e = parse_text("---\ntitle: x\n---\n").unwrap_err();
        assert_eq!(e, vec!["content/a.md:1:1: error: front matter must be TOML between `+++` lines\n  hint: YAML front matter (`---`) is not supported: write the fields as TOML between `+++` lines"]);
    }

    #[test]
    fn malformed_toml_has_file_line_and_column() {
        let e = parse_text("+++\ntitle = \"x\"\ntags = [\"a\",\n+++\n").unwrap_err();
        assert_eq!(
            e,
            vec!["content/a.md:3:13: error: unclosed array, expected `]`"]
        );
    }

    #[test]
    fn unknown_and_mistyped_fields() {
        let e = parse_text("+++\ntitle = \"x\"\ntilte = \"y\"\n[source]\nnmae = \"z\"\n+++\n")
            .unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[0].starts_with("content/a.md:3: error: unknown key `tilte`"),
            "{e:?}"
        );
        assert!(
            e[1].starts_with("content/a.md:5: error: unknown key `source.nmae`"),
            "{e:?}"
        );
        let e = parse_text("+++\ndraft = \"yes\"\n+++\n").unwrap_err();
        assert!(
            e[0].starts_with(
                "content/a.md:2:9: error: invalid type: string \"yes\", expected a boolean"
            ),
            "{e:?}"
        );
    }
}
