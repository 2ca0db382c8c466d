//! A small, forgiving HTML scanner: finds the link attributes (`href`,
//! `src`, `srcset`) and anchor targets (`id`, `name` on `<a>`) of a page.
//!
//! It understands comments, doctype/processing instructions, closing tags,
//! double/single-quoted and unquoted attribute values (with `>` inside
//! quotes), character references in values, and skips the raw text of
//! `<script>`, `<style>`, `<textarea>` and `<title>`. Malformed markup never
//! panics; it is read as far as it makes sense.

use std::collections::HashSet;

#[derive(Debug, Default)]
pub(super) struct Scan {
    /// Link values in document order (each `srcset` candidate separately).
    pub links: Vec<String>,
    /// Ids and `<a name>` values.
    pub anchors: HashSet<String>,
}

pub(super) fn scan(html: &str) -> Scan {
    let mut out = Scan::default();
    let mut i = 0;
    while let Some(offset) = html[i..].find('<') {
        let start = i + offset;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            i = skip_past(html, start + 4, "-->");
        } else if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
            i = skip_past(html, start + 2, ">");
        } else {
            let name_len = rest[1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
                .unwrap_or(rest.len() - 1);
            if name_len == 0 {
                i = start + 1;
                continue;
            }
            let name = &rest[1..1 + name_len];
            let is_a = name.eq_ignore_ascii_case("a");
            i = attributes(html, start + 1 + name_len, is_a, &mut out);
            if let Some(raw) = RAW_TEXT.iter().find(|r| name.eq_ignore_ascii_case(r)) {
                i = raw_text_end(html, i, raw);
            }
        }
    }
    out
}

/// Elements whose content is text, not markup (lower case).
const RAW_TEXT: [&str; 4] = ["script", "style", "textarea", "title"];

/// The index just past the first `needle` at or after `from` (or the end).
fn skip_past(html: &str, from: usize, needle: &str) -> usize {
    let from = from.min(html.len());
    html[from..]
        .find(needle)
        .map_or(html.len(), |k| from + k + needle.len())
}

/// Where the closing tag of a raw-text element starts (or the end).
fn raw_text_end(html: &str, from: usize, name: &str) -> usize {
    let closing = format!("</{name}");
    let bytes = html.as_bytes();
    let mut k = from;
    while let Some(offset) = html[k..].find("</") {
        let at = k + offset;
        let candidate = &bytes[at..(at + closing.len()).min(bytes.len())];
        if candidate.eq_ignore_ascii_case(closing.as_bytes()) {
            return at;
        }
        k = at + 2;
    }
    html.len()
}

/// What an attribute is to the scan.
enum Attribute {
    /// `href`, `src`: one link.
    Link,
    /// `srcset`: a list of links.
    Srcset,
    /// `id`, and `name` on `<a>`: an anchor.
    Anchor,
    Other,
}

/// Reads the attributes from `pos` to the end of the tag, recording links
/// and anchors (values decoded) into `out`; returns the index after the
/// tag. Names are matched without regard to case and without copying:
/// most attributes of a page (`class`, `lang`...) are skipped unread.
fn attributes(html: &str, mut pos: usize, is_a: bool, out: &mut Scan) -> usize {
    let bytes = html.as_bytes();
    loop {
        while pos < bytes.len() && (bytes[pos].is_ascii_whitespace() || bytes[pos] == b'/') {
            pos += 1;
        }
        if pos >= bytes.len() {
            return bytes.len();
        }
        if bytes[pos] == b'>' {
            return pos + 1;
        }
        let name_start = pos;
        // A name has at least one character, even a stray `=` or quote.
        pos += html[pos..].chars().next().map_or(1, char::len_utf8);
        while pos < bytes.len()
            && !matches!(bytes[pos], b'=' | b'>' | b'/')
            && !bytes[pos].is_ascii_whitespace()
        {
            pos += 1;
        }
        let name = &html[name_start..pos];
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        let kind = if is("href") || is("src") {
            Attribute::Link
        } else if is("srcset") {
            Attribute::Srcset
        } else if is("id") || (is_a && is("name")) {
            Attribute::Anchor
        } else {
            Attribute::Other
        };
        let mut after = pos;
        while after < bytes.len() && bytes[after].is_ascii_whitespace() {
            after += 1;
        }
        let raw = if after < bytes.len() && bytes[after] == b'=' {
            let (value, end) = value(html, after + 1);
            pos = end;
            value
        } else {
            ""
        };
        match kind {
            Attribute::Link => out.links.push(decode_entities(raw)),
            Attribute::Srcset => out.links.extend(srcset_urls(&decode_entities(raw))),
            Attribute::Anchor => {
                out.anchors.insert(decode_entities(raw));
            }
            Attribute::Other => {}
        }
    }
}

/// An attribute value starting at (or after whitespace from) `pos`.
fn value(html: &str, mut pos: usize) -> (&str, usize) {
    let bytes = html.as_bytes();
    while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
        pos += 1;
    }
    match bytes.get(pos) {
        Some(&quote @ (b'"' | b'\'')) => {
            let start = pos + 1;
            let end = html[start..]
                .find(quote as char)
                .map_or(html.len(), |k| start + k);
            (&html[start..end], (end + 1).min(html.len()))
        }
        _ => {
            let end = html[pos..]
                .find(|c: char| c.is_ascii_whitespace() || c == '>')
                .map_or(html.len(), |k| pos + k);
            (&html[pos..end], end)
        }
    }
}

fn srcset_urls(srcset: &str) -> Vec<String> {
    srcset
        .split(',')
        .filter_map(|candidate| candidate.split_ascii_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Decodes the character references links and ids use in practice:
/// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;` and numeric ones.
pub(super) fn decode_entities(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest[1..]
            .find(';')
            .filter(|&semi| semi <= 10)
            .and_then(|semi| entity(&rest[1..1 + semi]).map(|c| (c, semi + 2)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanner_reads_quoted_unquoted_and_entities() {
        let html = r#"<!doctype html><!-- <a href="/commented/"> -->
            <a HREF="/a/?x=1&amp;y=2" title='a > b'>x</a>
            <img src='/img.png' srcset="/s1.png 1x, /s2.png 2x">
            <a href=/unquoted/ id=top name="n">
            <h2 id="h&#39;s">t</h2><div name="not-an-anchor"></div>
            <script>var s = "<a href='/in-script/'>";</script>
            <p data-href="/no/">< a href="/not-a-tag/"> <a href="/last/""#;
        let s = scan(html);
        assert_eq!(
            s.links,
            [
                "/a/?x=1&y=2",
                "/img.png",
                "/s1.png",
                "/s2.png",
                "/unquoted/",
                "/last/"
            ]
        );
        let mut anchors: Vec<_> = s.anchors.into_iter().collect();
        anchors.sort();
        assert_eq!(anchors, ["h's", "n", "top"]);
    }

    #[test]
    fn tag_and_attribute_names_match_in_any_case() {
        let s = scan(
            "<A NAME=\"caps\" Href=\"/x/\"></A><DIV NAME=\"no\" Id=\"yes\"></DIV>\
             <SCRIPT>\"<a href='/in-script/'>\"</Script><a href>",
        );
        assert_eq!(s.links, ["/x/", ""]);
        let mut anchors: Vec<_> = s.anchors.into_iter().collect();
        anchors.sort();
        assert_eq!(anchors, ["caps", "yes"]);
    }

    #[test]
    fn scanner_survives_truncated_markup() {
        for html in [
            "<",
            "<a",
            "<a href",
            "<a href=",
            "<a href=\"x",
            "<!--",
            "<script>",
            "<a =\"x\">",
            "&#xFFFFFFFF;<a id=\"&#0;\">",
            "<a é=1 ü>",
        ] {
            let _ = scan(html);
        }
        assert_eq!(decode_entities("&bogus; &#x41; &#66 &"), "&bogus; A &#66 &");
    }
}
