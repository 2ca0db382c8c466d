//! Internal links: `[text](@/briefings/x.md#anchor)` names a content file;
//! it becomes the URL of that page under the site's base path. A link to a
//! missing page is reported and rendered as its plain text.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::{Problem, RenderContext, Spanned};

pub(super) fn resolve_internal<'a>(
    events: Vec<Spanned<'a>>,
    ctx: &RenderContext,
    problems: &mut Vec<Problem>,
) -> Vec<Spanned<'a>> {
    let mut out = Vec::with_capacity(events.len());
    // One entry per open link: was its start dropped?
    let mut dropped: Vec<bool> = Vec::new();
    for (event, range) in events {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if dest_url.starts_with("@/") => match resolve(&dest_url, ctx) {
                Ok(url) => {
                    dropped.push(false);
                    let tag = Tag::Link {
                        link_type,
                        dest_url: url.into(),
                        title,
                        id,
                    };
                    out.push((Event::Start(tag), range));
                }
                Err(problem) => {
                    dropped.push(true);
                    problems.push(Problem {
                        offset: range.start,
                        ..problem
                    });
                }
            },
            Event::Start(Tag::Link { .. }) => {
                dropped.push(false);
                out.push((event, range));
            }
            Event::End(TagEnd::Link) => {
                if !dropped.pop().unwrap_or(false) {
                    out.push((event, range));
                }
            }
            other => out.push((other, range)),
        }
    }
    out
}

/// The site URL of an `@/path.md#anchor` link, or the problem (offset 0).
fn resolve(dest: &str, ctx: &RenderContext) -> Result<String, Problem> {
    let target = &dest[2..];
    let (path, anchor) = match target.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (target, None),
    };
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let Some(url) = ctx
        .pages
        .get(path)
        .or_else(|| ctx.pages.get(decoded.as_ref()))
    else {
        return Err(Problem {
            offset: 0,
            message: format!("the link `{dest}` points to a page that does not exist"),
            hint: Some(hint_for(path, ctx)),
        });
    };
    let mut out = join_base(ctx.base_path, url);
    if let Some(anchor) = anchor {
        out.push('#');
        out.push_str(anchor);
    }
    Ok(out)
}

/// `base_path` + a site-relative URL path, with exactly one `/` between.
pub(super) fn join_base(base_path: &str, url: &str) -> String {
    let base = base_path.trim_end_matches('/');
    let rest = url.trim_start_matches('/');
    format!("{base}/{rest}")
}

fn hint_for(path: &str, ctx: &RenderContext) -> String {
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let same_name = ctx
        .pages
        .keys()
        .find(|key| key.rsplit('/').next() == Some(file_name));
    match same_name {
        Some(key) => format!("did you mean `@/{key}`?"),
        None => {
            "an internal link names a file under content/, \
                 e.g. `@/briefings/2026-11-03-talks.md` or `@/briefings/2026-11-03-talks.md#anchor`"
                .to_string()
        }
    }
}
