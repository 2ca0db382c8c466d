//! HTML pages: the main article is found with a readability-style scorer
//! (dom_smoothie), which drops navigation, ads, scripts, comments and share
//! widgets and gives the content as Markdown; title, byline, date, site name
//! and canonical URL come from the page's metadata.

use dom_smoothie::{Config, Readability, TextMode};

use super::{date, Extracted};

/// Fewer words than this is not an article (a page of links, a stub).
const MIN_WORDS: usize = 30;

/// The message for a page without an article.
pub const NO_ARTICLE: &str = "no article found in the HTML page";

/// Extracts the article of an HTML page.
pub fn convert(html: &str) -> Result<Extracted, String> {
    let doc = dom_query::Document::from(html);
    let canonical = canonical_url(&doc);
    let time = first_attr(&doc, "time[datetime]", "datetime");
    let config = Config {
        text_mode: TextMode::Markdown,
        ..Config::default()
    };
    let mut reader = Readability::with_document(doc, None, Some(config))
        .map_err(|e| format!("cannot read the HTML page: {e}"))?;
    let article = reader.parse().map_err(|_| NO_ARTICLE.to_string())?;
    let body = article.text_content.trim().to_string();
    if body.split_whitespace().count() < MIN_WORDS {
        return Err(NO_ARTICLE.to_string());
    }
    let published = article.published_time.as_deref().and_then(date::parse);
    Ok(Extracted {
        title: Some(article.title.trim().to_string()).filter(|t| !t.is_empty()),
        author: article.byline.as_deref().and_then(clean_byline),
        date: published.or_else(|| time.as_deref().and_then(date::parse)),
        url: canonical.or(article.url),
        site_name: article.site_name.filter(|s| !s.trim().is_empty()),
        tags: Vec::new(),
        body,
    })
}

fn canonical_url(doc: &dom_query::Document) -> Option<String> {
    first_attr(doc, "link[rel=canonical]", "href")
        .or_else(|| first_attr(doc, "meta[property='og:url']", "content"))
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
}

fn first_attr(doc: &dom_query::Document, selector: &str, attr: &str) -> Option<String> {
    doc.select(selector)
        .iter()
        .find_map(|s| s.attr(attr).map(|v| v.trim().to_string()))
        .filter(|v| !v.is_empty())
}

fn clean_byline(byline: &str) -> Option<String> {
    let b = byline.trim();
    let b = b
        .strip_prefix("By ")
        .or_else(|| b.strip_prefix("by "))
        .unwrap_or(b);
    Some(b.trim().to_string()).filter(|b| !b.is_empty())
}
