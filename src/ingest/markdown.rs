//! Markdown articles, with or without `+++` TOML front matter: the front
//! matter's title, date, author, source and tags are kept; without a title,
//! a leading `# Heading` becomes it.

use super::{date, Extracted};
use crate::content::front_matter;

/// Converts a Markdown article; `file` names it in error messages.
pub fn convert(text: &str, file: &str) -> Result<Extracted, String> {
    let split = front_matter::split(text, file).map_err(|d| d.message)?;
    let fm = front_matter::parse(&split, file).map_err(|ds| {
        ds.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    let (heading, body) = leading_heading(split.body);
    let found_date = fm.date.as_ref().and_then(|v| match v {
        toml::Value::String(s) => date::parse(s),
        other => date::parse(&other.to_string()),
    });
    let source = fm.source.clone();
    Ok(Extracted {
        title: fm.title.clone().or(heading),
        author: fm.author.clone(),
        date: found_date,
        url: source.as_ref().and_then(|s| s.url.clone()),
        site_name: source.map(|s| s.name).filter(|n| !n.is_empty()),
        tags: fm.tags.clone(),
        body: body.trim().to_string(),
    })
}

/// `# Title` on the first non-blank line: (title, rest of the body).
fn leading_heading(body: &str) -> (Option<String>, &str) {
    let trimmed = body.trim_start();
    let Some(rest) = trimmed.strip_prefix("# ") else {
        return (None, body);
    };
    let end = rest.find('\n').unwrap_or(rest.len());
    let title = rest[..end].trim().trim_end_matches('#').trim();
    (Some(title.to_string()), &rest[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_fields_are_kept() {
        let a = convert(
            "+++\ntitle = \"Talks\"\ndate = 2026-11-03\nauthor = \"Ann\"\ntags = [\"iran\"]\n[source]\nname = \"Desk\"\n+++\nBody *text*.\n",
            "a.md",
        )
        .unwrap();
        assert_eq!(a.title.as_deref(), Some("Talks"));
        assert_eq!(a.author.as_deref(), Some("Ann"));
        assert_eq!(a.site_name.as_deref(), Some("Desk"));
        assert_eq!(a.tags, vec!["iran"]);
        assert_eq!(a.body, "Body *text*.");
        assert!(a.date.is_some());
    }

    #[test]
    fn heading_becomes_the_title() {
        let a = convert("\n# Port strike #\n\nDock workers walked out.\n", "a.md").unwrap();
        assert_eq!(a.title.as_deref(), Some("Port strike"));
        assert_eq!(a.body, "Dock workers walked out.");
    }

    #[test]
    fn bad_front_matter_is_an_error() {
        let e = convert("+++\ntitle = \n+++\nx", "a.md").unwrap_err();
        assert!(e.starts_with("a.md:2"), "{e}");
    }
}
