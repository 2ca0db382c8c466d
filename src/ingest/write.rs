//! The briefing file: front matter with a `[generated]` record, merging a
//! re-ingest into an edited file, content hashes, and atomic writes.
//!
//! `[generated]` holds `content_hash` (the article's normalised text),
//! `body` (hash of the body as written) and `fields`, the hash of each
//! front-matter value as generated. A field whose current value no longer
//! has its recorded hash was changed by an editor, and `--force` keeps it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::content::front_matter;

/// Front-matter fields that ingest generates, in the order they are written.
pub const FIELDS: [&str; 9] = [
    "title",
    "date",
    "author",
    "tags",
    "source",
    "bottom_line",
    "summary",
    "key_issues",
    "entities",
];

/// What ingest generates for one article.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// Values of [`FIELDS`] (absent ones are not written).
    pub fields: Table,
    /// The Markdown body.
    pub body: String,
    pub content_hash: String,
}

/// A re-ingest merged into an existing file.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub text: String,
    /// Fields (and `body`) kept because an editor changed them.
    pub kept: Vec<String>,
}

/// 64-bit FNV-1a: stable across runs, machines and Rust versions.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn hash_text(text: &str) -> String {
    format!("fnv1a64:{:016x}", fnv1a64(text.as_bytes()))
}

fn hash_value(value: &Value) -> String {
    hash_text(&inline(value))
}

/// The identity of an article: its words, lower-cased, joined by single
/// spaces, hashed. Whitespace, punctuation and markup do not change it.
pub fn content_hash(plain_text: &str) -> String {
    let words: Vec<String> = plain_text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    hash_text(&words.join(" "))
}

/// The text of a new briefing file.
pub fn render_new(g: &Generated) -> String {
    let recorded: Table = g
        .fields
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(hash_value(v))))
        .collect();
    let mut fm = g.fields.clone();
    fm.insert("generated".into(), record(g, recorded, &g.body));
    format_file(&fm, &g.body)
}

fn record(g: &Generated, fields: Table, body: &str) -> Value {
    let mut t = Table::new();
    t.insert("content_hash".into(), Value::String(g.content_hash.clone()));
    t.insert("body".into(), Value::String(hash_text(body.trim())));
    t.insert("fields".into(), Value::Table(fields));
    Value::Table(t)
}

/// Merges a re-ingest into `existing`: fields (and the body) an editor
/// changed are kept, the others take the new generated values.
pub fn merge(existing: &str, file: &str, g: &Generated) -> Result<Merged, String> {
    let split = front_matter::split(existing, file).map_err(|d| d.to_string())?;
    let mut fm: Table = toml::from_str(split.front_matter)
        .map_err(|e| format!("{file}: cannot read the front matter: {e}"))?;
    let old = match fm.remove("generated") {
        Some(Value::Table(t)) => t,
        _ => Table::new(),
    };
    let old_fields = match old.get("fields") {
        Some(Value::Table(t)) => t.clone(),
        _ => Table::new(),
    };
    let mut recorded = Table::new();
    let mut kept = Vec::new();
    for field in FIELDS {
        let current = fm.get(field);
        let before = old_fields.get(field).and_then(Value::as_str);
        let untouched = match (current, before) {
            (Some(c), Some(b)) => hash_value(c) == b,
            (None, None) => true,
            _ => false,
        };
        if untouched {
            fm.remove(field);
            if let Some(v) = g.fields.get(field) {
                recorded.insert(field.into(), Value::String(hash_value(v)));
                fm.insert(field.into(), v.clone());
            }
        } else {
            kept.push(field.to_string());
            if let Some(b) = before {
                recorded.insert(field.into(), Value::String(b.into()));
            }
        }
    }
    let body_untouched =
        old.get("body").and_then(Value::as_str) == Some(&hash_text(split.body.trim()));
    let body = if body_untouched {
        g.body.clone()
    } else {
        kept.push("body".into());
        split.body.trim().to_string()
    };
    let mut rec = record(g, recorded, &g.body);
    if !body_untouched {
        if let (Value::Table(t), Some(b)) = (&mut rec, old.get("body")) {
            t.insert("body".into(), b.clone());
        }
    }
    fm.insert("generated".into(), rec);
    Ok(Merged {
        text: format_file(&fm, &body),
        kept,
    })
}

/// `+++`, the front matter, `+++`, a blank line, the body.
pub fn format_file(fm: &Table, body: &str) -> String {
    let mut out = String::from("+++\n");
    write_table(&mut out, "", fm);
    out.push_str("+++\n\n");
    out.push_str(body.trim());
    out.push('\n');
    out
}

/// Known fields first, in [`FIELDS`] order, then the rest by name; sub-tables
/// after the values, `generated` last.
fn write_table(out: &mut String, prefix: &str, table: &Table) {
    let rank = |k: &str| match FIELDS.iter().position(|f| *f == k) {
        Some(i) => (0, i),
        None if k == "generated" => (2, 0),
        None => (1, 0),
    };
    let mut keys: Vec<&String> = table.keys().collect();
    keys.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
    let is_table = |k: &&String| matches!(table[k.as_str()], Value::Table(_));
    for key in keys.iter().filter(|k| !is_table(k)) {
        write_value(out, key, &table[key.as_str()]);
    }
    for key in keys.iter().filter(|k| is_table(k)) {
        let name = if prefix.is_empty() {
            toml_key(key)
        } else {
            format!("{prefix}.{}", toml_key(key))
        };
        if let Value::Table(t) = &table[key.as_str()] {
            out.push_str(&format!("\n[{name}]\n"));
            write_table(out, &name, t);
        }
    }
}

fn write_value(out: &mut String, key: &str, value: &Value) {
    let one_line = format!("{} = {}", toml_key(key), inline(value));
    match value {
        Value::Array(items) if one_line.len() > 90 && !items.is_empty() => {
            out.push_str(&format!("{} = [\n", toml_key(key)));
            for item in items {
                out.push_str(&format!("    {},\n", inline(item)));
            }
            out.push_str("]\n");
        }
        _ => {
            out.push_str(&one_line);
            out.push('\n');
        }
    }
}

/// A value on one line (tables as inline tables).
fn inline(value: &Value) -> String {
    match value {
        Value::Table(t) => {
            let parts: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{} = {}", toml_key(k), inline(v)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::String(s) => quote(s),
        other => other.to_string(),
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        quote(key)
    }
}

/// Every `content_hash` recorded under `content/`: hash -> file.
pub fn scan_hashes(content_dir: &Path) -> HashMap<String, PathBuf> {
    let mut found = HashMap::new();
    for entry in walkdir::WalkDir::new(content_dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if let Some(hash) = recorded_hash(&text) {
            found.entry(hash).or_insert_with(|| path.to_path_buf());
        }
    }
    found
}

/// The `content_hash` of a file's `[generated]` table.
pub fn recorded_hash(text: &str) -> Option<String> {
    let split = front_matter::split(text, "").ok()?;
    let fm: Table = toml::from_str(split.front_matter).ok()?;
    fm.get("generated")?
        .get("content_hash")?
        .as_str()
        .map(str::to_string)
}

/// Writes through a temporary file in the same directory and a rename, so a
/// reader (or a crash) never sees half a file.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let _scratch = crate::interrupt::Scratch::new(&tmp);
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated(title: &str, summary: &[&str], body: &str) -> Generated {
        let mut fields = Table::new();
        fields.insert("title".into(), Value::String(title.into()));
        fields.insert(
            "summary".into(),
            Value::Array(
                summary
                    .iter()
                    .map(|s| Value::String(s.to_string()))
                    .collect(),
            ),
        );
        Generated {
            fields,
            body: body.into(),
            content_hash: content_hash(body),
        }
    }

    #[test]
    fn content_hash_ignores_case_space_and_punctuation() {
        assert_eq!(
            content_hash("Hello,  World!\n"),
            content_hash("hello world")
        );
        assert_ne!(content_hash("hello world"), content_hash("hello there"));
    }

    #[test]
    fn new_file_parses_as_front_matter() {
        let text = render_new(&generated("A \"quoted\" title", &["One."], "Body."));
        let split = front_matter::split(&text, "a.md").unwrap();
        let fm = front_matter::parse(&split, "a.md").unwrap();
        assert_eq!(fm.title.as_deref(), Some("A \"quoted\" title"));
        assert_eq!(split.body, "\nBody.\n");
        assert_eq!(recorded_hash(&text), Some(content_hash("Body.")));
    }

    #[test]
    fn merge_keeps_edits_and_refreshes_the_rest() {
        let first = render_new(&generated("Old title", &["Old."], "Body."));
        let edited = first.replace("title = \"Old title\"", "title = \"Editor's title\"");
        let merged = merge(&edited, "a.md", &generated("New title", &["New."], "Body.")).unwrap();
        assert_eq!(merged.kept, vec!["title"]);
        assert!(merged.text.contains("title = \"Editor's title\""));
        assert!(merged.text.contains("summary = [\"New.\"]"));
        let again = merge(
            &merged.text,
            "a.md",
            &generated("Newer", &["New."], "Body."),
        )
        .unwrap();
        assert_eq!(again.text, merged.text);
    }

    #[test]
    fn merge_of_unedited_file_is_identity() {
        let g = generated("T", &["S."], "Body.");
        let text = render_new(&g);
        assert_eq!(merge(&text, "a.md", &g).unwrap().text, text);
    }
}
