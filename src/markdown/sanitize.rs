//! Sanitising of the rendered HTML with ammonia.
//!
//! Raw HTML in content may not run code: `<script>`, `<style>`, `<iframe>`,
//! `on*` handlers and `javascript:`/`vbscript:` URLs go, and so do `data:`
//! URLs except images. What Markdown itself produces is kept: heading ids
//! and classes, table alignment, footnote markup, `language-x` code
//! classes, `xref` links, image alt and title.
//!
//! Ids are kept verbatim (no ammonia `id_prefix`): a prefix would break
//! every `#anchor` link to a heading or footnote, and heading ids are part
//! of the site's public URLs. Ids are allowed only on the elements Markdown
//! puts them on.

use std::borrow::Cow;
use std::sync::OnceLock;

use ammonia::Builder;

const HEADINGS: [&str; 6] = ["h1", "h2", "h3", "h4", "h5", "h6"];

pub(super) fn clean(html: &str) -> String {
    static CLEANER: OnceLock<Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(builder).clean(html).to_string()
}

fn builder() -> Builder<'static> {
    let mut b = Builder::default();
    for h in HEADINGS {
        b.add_tag_attributes(h, &["id", "class"]);
    }
    b.add_tag_attributes("div", &["id", "class"])
        .add_tag_attributes("sup", &["id", "class"])
        .add_tag_attributes("a", &["class"])
        .add_tag_attributes("code", &["class"])
        .add_tag_attributes("th", &["style"])
        .add_tag_attributes("td", &["style"])
        .filter_style_properties(["text-align"].into_iter().collect())
        .add_url_schemes(&["data"])
        .link_rel(None)
        .attribute_filter(filter_attribute);
    b
}

fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    match attribute {
        _ if is_data_url(value) && matches!(attribute, "href" | "src") => {
            (element == "img" && attribute == "src" && is_image_data(value)).then_some(value.into())
        }
        "class" => filter_classes(element, value).map(Cow::Owned),
        _ => Some(value.into()),
    }
}

/// Normalises a URL as browsers do before looking at its scheme.
fn scheme_view(value: &str) -> String {
    value
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase()
}

fn is_data_url(value: &str) -> bool {
    scheme_view(value).starts_with("data:")
}

fn is_image_data(value: &str) -> bool {
    scheme_view(value).starts_with("data:image/")
}

/// The classes an element may keep; `None` when none is left.
fn filter_classes(element: &str, value: &str) -> Option<String> {
    let allowed = |class: &str| match element {
        "code" => class.starts_with("language-") && class.chars().all(is_class_char),
        "div" => class == "footnote-definition",
        "sup" => matches!(class, "footnote-reference" | "footnote-definition-label"),
        "a" => class == "xref",
        h if HEADINGS.contains(&h) => class.chars().all(is_class_char),
        _ => false,
    };
    let kept: Vec<&str> = value
        .split_ascii_whitespace()
        .filter(|c| allowed(c))
        .collect();
    (!kept.is_empty()).then(|| kept.join(" "))
}

fn is_class_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '#' | '.')
}
