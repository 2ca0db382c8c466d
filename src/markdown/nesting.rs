//! A cap on the nesting of block containers (quotes, lists, items).
//!
//! HTML parsing in the sanitiser is quadratic in nesting depth: 20 000
//! nested `>` take many seconds. Nobody writes more than a few levels, so
//! containers deeper than [`MAX_DEPTH`] are flattened (their content stays)
//! and the body gets one problem.
//!
//! Deeply nested raw HTML (`<div>` x 10 000) is not flattened and is still
//! slow to sanitise; it would need an HTML-aware depth count.

use pulldown_cmark::{Event, Tag};

use super::{Problem, Spanned};

pub(super) const MAX_DEPTH: usize = 64;

pub(super) fn limit<'a>(events: Vec<Spanned<'a>>, problems: &mut Vec<Problem>) -> Vec<Spanned<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut depth = 0usize;
    // One entry per open tag: was its start dropped?
    let mut dropped: Vec<bool> = Vec::new();
    let mut reported = false;
    for (event, range) in events {
        match &event {
            Event::Start(tag) if depth >= MAX_DEPTH && is_container(tag) => {
                dropped.push(true);
                if !reported {
                    reported = true;
                    problems.push(Problem {
                        offset: range.start,
                        message: format!(
                            "quotes or lists are nested more than {MAX_DEPTH} levels deep"
                        ),
                        hint: Some(
                            "deeper levels are flattened; check for a run of `>` or indentation"
                                .into(),
                        ),
                    });
                }
                continue;
            }
            Event::Start(_) => {
                dropped.push(false);
                depth += 1;
            }
            Event::End(_) => match dropped.pop() {
                Some(true) => continue,
                Some(false) => depth -= 1,
                None => {}
            },
            _ => {}
        }
        out.push((event, range));
    }
    out
}

fn is_container(tag: &Tag) -> bool {
    matches!(tag, Tag::BlockQuote(_) | Tag::List(_) | Tag::Item)
}
