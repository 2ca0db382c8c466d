//! The HTTP side of `serve`: maps request paths onto the in-memory site,
//! refusing anything that is not a clean path inside it, and injects the
//! live-reload script (and the error overlay) into HTML responses.

use std::sync::Arc;

use crate::output::OutputFile;

/// Where the browser listens for reload events (server-sent events).
pub const EVENTS_PATH: &str = "/__briefing/events";

/// The site as served: output files by path, plus the last build's errors.
#[derive(Debug, Default)]
pub struct Site {
    /// The output files, shared between the published site, its
    /// errors-only successor and the next build's site.
    pub files: SiteFiles,
    /// The path part of the served base URL (`/` or `/briefs/`).
    pub base_path: String,
    /// Errors of the last build, shown over every page until a good build.
    pub errors: Vec<String>,
}

/// Output files as served: a few parts (the pages; the search index,
/// which is built after the pages are on screen), each sorted by path and
/// shared, never copied.
#[derive(Debug, Default, Clone)]
pub struct SiteFiles {
    parts: Vec<Arc<Vec<OutputFile>>>,
}

impl SiteFiles {
    /// Files from parts with no path in common, each sorted by path.
    pub fn new(parts: Vec<Arc<Vec<OutputFile>>>) -> SiteFiles {
        debug_assert!(parts
            .iter()
            .all(|p| p.windows(2).all(|w| w[0].path < w[1].path)));
        SiteFiles { parts }
    }

    /// One part, sorted here.
    pub fn from_files(mut files: Vec<OutputFile>) -> SiteFiles {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        SiteFiles::new(vec![Arc::new(files)])
    }

    pub fn part(&self, n: usize) -> Option<&Arc<Vec<OutputFile>>> {
        self.parts.get(n)
    }

    /// The bytes of the file at `path` (`briefings/x/index.html`).
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.parts.iter().find_map(|part| {
            part.binary_search_by(|f| f.path.as_str().cmp(path))
                .ok()
                .map(|i| part[i].bytes.as_slice())
        })
    }

    pub fn contains(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.iter().all(|p| p.is_empty())
    }

    /// Every file, part after part.
    pub fn iter(&self) -> impl Iterator<Item = &OutputFile> {
        self.parts.iter().flat_map(|p| p.iter())
    }
}

/// What to answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    File {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    Redirect(String),
    BadRequest,
    MethodNotAllowed,
}

/// Answers a GET or HEAD for the raw request target `url` (path and query).
pub fn respond(site: &Site, method: &str, url: &str) -> Reply {
    if method != "GET" && method != "HEAD" {
        return Reply::MethodNotAllowed;
    }
    let raw_path = url.split(['?', '#']).next().unwrap_or("");
    let path = match clean_path(raw_path) {
        Some(p) => p,
        None => return Reply::BadRequest,
    };
    let inner = match path.strip_prefix(&site.base_path) {
        Some(rest) => rest.to_string(),
        None if format!("{path}/") == site.base_path => {
            return Reply::Redirect(site.base_path.clone())
        }
        None if path == "/" => return Reply::Redirect(site.base_path.clone()),
        None => return not_found(site),
    };
    let file = if inner.is_empty() || inner.ends_with('/') {
        format!("{inner}index.html")
    } else {
        inner.clone()
    };
    if let Some(bytes) = site.files.get(&file) {
        let content_type = mime_type(&file);
        let body = if content_type.starts_with("text/html") {
            inject(bytes, &site.errors)
        } else {
            bytes.to_vec()
        };
        return Reply::File {
            status: 200,
            content_type,
            body,
        };
    }
    if !inner.is_empty()
        && !inner.ends_with('/')
        && site.files.contains(&format!("{inner}/index.html"))
    {
        // `/dir` -> `/dir/`, keeping the query.
        let query = url.find('?').map(|i| &url[i..]).unwrap_or("");
        return Reply::Redirect(format!("{}{inner}/{query}", site.base_path));
    }
    if site.files.is_empty() && !site.errors.is_empty() {
        // No good build yet: every page is the error.
        return Reply::File {
            status: 500,
            content_type: "text/html; charset=utf-8",
            body: inject(
                b"<!doctype html><title>Build failed</title><body></body>",
                &site.errors,
            ),
        };
    }
    not_found(site)
}

fn not_found(site: &Site) -> Reply {
    let body = match site.files.get("404.html") {
        Some(page) => inject(page, &site.errors),
        None => inject(
            b"<!doctype html><title>Not found</title><body><h1>Not found</h1></body>",
            &site.errors,
        ),
    };
    Reply::File {
        status: 404,
        content_type: "text/html; charset=utf-8",
        body,
    }
}

/// Percent-decodes the path and checks it is a clean absolute path: no
/// `.` or `..` segment, no backslash, no NUL, no encoded `/`, valid UTF-8.
/// Returns `None` for anything else: such requests are refused, never
/// "fixed up", so no spelling of a path can reach outside the site.
pub fn clean_path(raw: &str) -> Option<String> {
    if !raw.starts_with('/') {
        return None;
    }
    let lower = raw.to_ascii_lowercase();
    // An encoded separator would make one segment look like two after decoding.
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return None;
    }
    let decoded: Vec<u8> = percent_encoding::percent_decode_str(raw).collect();
    let decoded = String::from_utf8(decoded).ok()?;
    if decoded.contains(['\\', '\0']) || decoded.contains("//") {
        return None;
    }
    if decoded
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return None;
    }
    Some(decoded)
}

/// The Content-Type for an output path.
pub fn mime_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "rss" => "application/rss+xml",
        "atom" => "application/atom+xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// The live-reload client: reloads the page on each `reload` event; after
/// a lost connection (server restarted) it reloads once it is back.
const RELOAD_SCRIPT: &str = concat!(
    "<script>(function(){var lost=false;",
    "var es=new EventSource(\"/__briefing/events\");",
    "es.addEventListener(\"reload\",function(){location.reload();});",
    "es.onerror=function(){lost=true;};",
    "es.onopen=function(){if(lost){location.reload();}};",
    "})();</script>"
);

/// Adds the reload script, and the error overlay when there are errors,
/// before the last `</body>` (or at the end).
pub fn inject(html: &[u8], errors: &[String]) -> Vec<u8> {
    let mut extra = String::new();
    if !errors.is_empty() {
        extra.push_str(&overlay(errors));
    }
    extra.push_str(RELOAD_SCRIPT);
    let lower = html.to_ascii_lowercase();
    let at = find_last(&lower, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// The id of the overlay element (tests look for it).
pub const OVERLAY_ID: &str = "__briefing_errors";

fn overlay(errors: &[String]) -> String {
    let mut text = String::new();
    for e in errors {
        text.push_str(&crate::render::templates::escape(e));
        text.push('\n');
    }
    format!(
        "<div id=\"{OVERLAY_ID}\" style=\"position:fixed;inset:0;z-index:2147483647;\
         overflow:auto;background:rgba(20,20,20,.94);color:#fdd;padding:2em;\
         font:14px/1.5 ui-monospace,monospace\"><h2 style=\"color:#f88;margin-top:0\">\
         The last change did not build: still serving the previous site</h2>\
         <pre style=\"white-space:pre-wrap\">{text}</pre></div>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        let file = |path: &str, bytes: &[u8]| OutputFile {
            path: path.to_string(),
            bytes: bytes.into(),
        };
        let files = vec![
            file("index.html", b"<html><body>home</body></html>"),
            file("a/index.html", b"<p>a"),
            file("style.css", b"body{}"),
            file("404.html", b"<body>missing</body>"),
        ];
        Site {
            files: SiteFiles::from_files(files),
            base_path: "/".into(),
            errors: vec![],
        }
    }

    #[test]
    fn traversal_is_refused() {
        let s = site();
        for bad in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/a%2f..%2f..%2fetc",
            "/..%5c..%5cetc",
            "/a\\..\\..\\etc",
            "/./index.html",
            "/%00",
            "/%ff",
            "//etc/passwd",
        ] {
            assert_eq!(respond(&s, "GET", bad), Reply::BadRequest, "{bad}");
        }
    }

    #[test]
    fn files_redirects_and_404() {
        let s = site();
        match respond(&s, "GET", "/style.css?v=1") {
            Reply::File {
                status,
                content_type,
                body,
            } => {
                assert_eq!(
                    (status, content_type, body),
                    (200, "text/css; charset=utf-8", b"body{}".to_vec())
                )
            }
            r => panic!("{r:?}"),
        }
        assert_eq!(respond(&s, "GET", "/a"), Reply::Redirect("/a/".into()));
        match respond(&s, "GET", "/nope") {
            Reply::File { status, body, .. } => {
                assert_eq!(status, 404);
                assert!(String::from_utf8(body).unwrap().contains("missing"));
            }
            r => panic!("{r:?}"),
        }
        assert_eq!(respond(&s, "POST", "/"), Reply::MethodNotAllowed);
    }

    #[test]
    fn sub_path_base() {
        let mut s = site();
        s.base_path = "/briefs/".into();
        assert_eq!(respond(&s, "GET", "/"), Reply::Redirect("/briefs/".into()));
        assert_eq!(
            respond(&s, "GET", "/briefs"),
            Reply::Redirect("/briefs/".into())
        );
        assert!(matches!(
            respond(&s, "GET", "/briefs/a/"),
            Reply::File { status: 200, .. }
        ));
        assert!(matches!(
            respond(&s, "GET", "/a/"),
            Reply::File { status: 404, .. }
        ));
    }

    #[test]
    fn injects_before_body_end_and_escapes_errors() {
        let out = String::from_utf8(inject(
            b"<html><BODY>x</BODY></html>",
            &["a<b>:1:2: bad".into()],
        ))
        .unwrap();
        assert!(out.ends_with("</BODY></html>"));
        assert!(out.contains(EVENTS_PATH));
        assert!(out.contains("a&lt;b&gt;:1:2: bad"));
        assert!(out.contains(OVERLAY_ID));
    }

    #[test]
    fn mime_types() {
        for (p, m) in [
            ("x.svg", "image/svg+xml"),
            ("x.woff2", "font/woff2"),
            ("x.webp", "image/webp"),
            ("feed.xml", "application/xml"),
            ("x.json", "application/json"),
            ("x.JPG", "image/jpeg"),
            ("favicon.ico", "image/x-icon"),
            ("robots.txt", "text/plain; charset=utf-8"),
        ] {
            assert_eq!(mime_type(p), m);
        }
    }
}
