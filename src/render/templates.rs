//! Loading Tera templates: the site's `templates/` first, then the embedded
//! defaults for every name the site does not provide, so any single file can
//! be overridden.

use std::path::Path;

use tera::Tera;

/// The default templates, embedded in the binary: (name, text).
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("defaults/templates/base.html")),
    (
        "macros.html",
        include_str!("defaults/templates/macros.html"),
    ),
    ("home.html", include_str!("defaults/templates/home.html")),
    (
        "briefing.html",
        include_str!("defaults/templates/briefing.html"),
    ),
    (
        "digest.html",
        include_str!("defaults/templates/digest.html"),
    ),
    (
        "digests.html",
        include_str!("defaults/templates/digests.html"),
    ),
    ("hub.html", include_str!("defaults/templates/hub.html")),
    (
        "timeline_card.html",
        include_str!("defaults/templates/timeline_card.html"),
    ),
    (
        "hub_index.html",
        include_str!("defaults/templates/hub_index.html"),
    ),
    (
        "section.html",
        include_str!("defaults/templates/section.html"),
    ),
    (
        "archive.html",
        include_str!("defaults/templates/archive.html"),
    ),
    ("page.html", include_str!("defaults/templates/page.html")),
    ("404.html", include_str!("defaults/templates/404.html")),
    (
        "search.html",
        include_str!("defaults/templates/search.html"),
    ),
    ("alias.html", include_str!("defaults/templates/alias.html")),
    ("atom.xml", include_str!("defaults/templates/atom.xml")),
    (
        "sitemap.xml",
        include_str!("defaults/templates/sitemap.xml"),
    ),
    (
        "sitemap_index.xml",
        include_str!("defaults/templates/sitemap_index.xml"),
    ),
    ("robots.txt", include_str!("defaults/templates/robots.txt")),
];

/// The default static files of the theme: (path under the output, bytes).
pub const DEFAULT_STATIC: &[(&str, &str)] = &[
    ("style.css", include_str!("defaults/static/style.css")),
    ("search.js", include_str!("defaults/static/search.js")),
    ("favicon.svg", include_str!("defaults/static/favicon.svg")),
];

/// The templates directory under a site root.
pub const TEMPLATES_DIR: &str = "templates";

/// Loads the site's templates over the defaults. The error text names the
/// template and carries Tera's whole cause chain.
pub fn load(root: &Path) -> Result<Tera, String> {
    let dir = root.join(TEMPLATES_DIR);
    let mut user: Vec<(String, String)> = Vec::new();
    if dir.is_dir() {
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.map_err(|e| format!("{TEMPLATES_DIR}: cannot read: {e}"))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let name = crate::diagnostics::slash_path(entry.path(), &dir);
            if name.starts_with('.') || name.ends_with(".md") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path())
                .map_err(|e| format!("{TEMPLATES_DIR}/{name}: cannot read: {e}"))?;
            user.push((name, text));
        }
    }
    from_sources(&user)
}

/// Builds a Tera instance from user templates plus the defaults they do not replace.
pub fn from_sources(user: &[(String, String)]) -> Result<Tera, String> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(escape);
    tera.register_filter("json_script", JsonScript);
    let mut all: Vec<(String, String)> = user.to_vec();
    for (name, text) in DEFAULT_TEMPLATES {
        if !user.iter().any(|(n, _)| n == name) {
            all.push((name.to_string(), text.to_string()));
        }
    }
    // Tera's parse errors name the template and give line and column.
    tera.add_raw_templates(all).map_err(|e| {
        format!(
            "in {TEMPLATES_DIR}/ (or the built-in defaults): {}",
            error_chain(&e)
        )
    })?;
    Ok(tera)
}

/// Escapes text for HTML and XML. Unlike Tera's default it leaves `/`
/// alone, so URLs stay readable in the output and to the link checker.
///
/// The text between the characters it replaces is copied in runs: they
/// are all ASCII, so a byte scan finds them in UTF-8, and pushing every
/// character on its own was 1.5 % of a cold build's CPU.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out
}

/// The `json_script` filter: any value as JSON that is safe to print inside
/// `<script>` (e.g. JSON-LD) and in HTML attributes: `<`, `>`, `&`, `'` and
/// the JavaScript line separators are written as `\u` escapes, so no text
/// can close the element (`</script>`) or open a comment. Its output is
/// marked safe: autoescaping would corrupt the JSON.
pub struct JsonScript;

impl tera::Filter for JsonScript {
    fn filter(
        &self,
        value: &tera::Value,
        _args: &std::collections::HashMap<String, tera::Value>,
    ) -> tera::Result<tera::Value> {
        let json = serde_json::to_string(value).map_err(tera::Error::json)?;
        Ok(tera::Value::String(json_script(&json)))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// Escapes serialised JSON for a `<script>` element; the JSON value is unchanged.
pub fn json_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\'' => out.push_str("\\u0027"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Tera keeps the real cause deep in the source chain; print all of it.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Escaping one character at a time: what [`escape`] must equal.
    fn escape_each(text: &str) -> String {
        text.chars()
            .map(|c| match c {
                '&' => "&amp;".to_string(),
                '<' => "&lt;".to_string(),
                '>' => "&gt;".to_string(),
                '"' => "&quot;".to_string(),
                '\'' => "&#39;".to_string(),
                c => c.to_string(),
            })
            .collect()
    }

    #[test]
    fn escape_replaces_the_five_characters_and_keeps_the_rest() {
        assert_eq!(
            escape("Tom & Jerry's <b>\"café\"</b> / €5"),
            "Tom &amp; Jerry&#39;s &lt;b&gt;&quot;café&quot;&lt;/b&gt; / €5"
        );
        assert_eq!(escape(""), "");
        assert_eq!(escape("&"), "&amp;");
    }

    proptest! {
        #[test]
        fn escape_equals_escaping_each_character(text in "[a-z&<>\"' éü€\u{2028}😀]{0,40}") {
            prop_assert_eq!(escape(&text), escape_each(&text));
        }
    }

    #[test]
    fn json_script_cannot_close_the_script_element() {
        let tera = from_sources(&[(
            "ld.html".to_string(),
            "<script type=\"application/ld+json\">{\"headline\":{{ t | json_script }}}</script>"
                .to_string(),
        )])
        .unwrap();
        let mut ctx = tera::Context::new();
        let title = "A </script><script>alert(1)</script> & 'quotes' <!-- \u{2028}";
        ctx.insert("t", title);
        let html = tera.render("ld.html", &ctx).unwrap();
        let inner = html
            .strip_prefix("<script type=\"application/ld+json\">")
            .and_then(|s| s.strip_suffix("</script>"))
            .unwrap();
        assert!(!inner.contains('<') && !inner.contains('>'), "{inner}");
        let value: serde_json::Value = serde_json::from_str(inner).unwrap();
        assert_eq!(value["headline"], title);
    }
}
