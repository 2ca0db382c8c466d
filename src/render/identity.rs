//! Content hashes of a briefing's page and analysis: what a warm `build`
//! keys a briefing page by, where `serve` compares the very same `Arc`s
//! ([`crate::cache::RenderMemo::per_briefing`]). Together with
//! `briefing_deps` (everything else a page shows) they let a build find an
//! unchanged page in the last build's manifest without making its view:
//! making and hashing 10,000 views was a fifth of a warm build's CPU.
//!
//! Every field is taken apart by name, so a field added to [`Page`] or
//! [`Analysis`] does not compile here until it is hashed or said to be
//! covered elsewhere.

use std::io::Write as _;

use crate::analysis::{Analysis, Entity, KeyIssue};
use crate::cache::{HashWriter, StableHasher};
use crate::content::{FrontMatter, Page};

fn optional(h: &mut StableHasher, s: Option<&str>) {
    match s {
        Some(s) => h.number(1).field(s.as_bytes()),
        None => h.number(0),
    };
}

fn instant(h: &mut StableHasher, t: Option<chrono::DateTime<chrono::Utc>>) {
    match t {
        Some(t) => h
            .number(1)
            .number(t.timestamp() as u64)
            .number(u64::from(t.timestamp_subsec_nanos())),
        None => h.number(0),
    };
}

/// A hash of everything in `page`: equal for two pages parsed from the
/// same file under the same settings.
pub fn page_identity(page: &Page) -> u128 {
    let Page {
        source,
        file,
        kind,
        section,
        title,
        date,
        updated,
        slug,
        path,
        draft,
        aliases,
        source_info,
        author,
        tags,
        template,
        front_matter,
        body: _, // as its hash
        body_line,
        body_hash: _,
        released: _, // the body's hash stays
    } = page;
    let mut h = StableHasher::default();
    h.field(source.as_bytes())
        .field(file.as_bytes())
        .field(section.as_bytes())
        .field(slug.as_bytes())
        .field(path.as_bytes())
        .number(*draft as u64)
        .number(*body_line as u64)
        .wide(page.body_hash());
    let _ = write!(HashWriter(&mut h), "{kind:?}");
    optional(&mut h, title.as_deref());
    instant(&mut h, *date);
    instant(&mut h, *updated);
    optional(&mut h, author.as_deref());
    optional(&mut h, template.as_deref());
    for list in [aliases, tags] {
        h.number(list.len() as u64);
        for item in list {
            h.field(item.as_bytes());
        }
    }
    match source_info {
        Some(s) => {
            h.number(1).field(s.name.as_bytes());
            optional(&mut h, s.url.as_deref());
        }
        None => {
            h.number(0);
        }
    }
    front_matter_rest(&mut h, front_matter);
    h.finish()
}

/// What the page's own fields do not show of its front matter: the
/// overrides of the analysis (which the analysis shows too, but cheaply
/// hashed here when set), `extra` and `generated`. The rest the page
/// holds as parsed (`date` as `Page::date`, `source` as
/// `Page::source_info`, ...).
fn front_matter_rest(h: &mut StableHasher, front_matter: &FrontMatter) {
    let FrontMatter {
        title: _,
        date: _,
        updated: _,
        slug: _,
        draft: _,
        aliases: _,
        source: _,
        author: _,
        tags: _,
        template: _,
        summary_sentences,
        bottom_line,
        summary,
        key_issues,
        entities,
        generated,
        extra,
    } = front_matter;
    h.number(summary_sentences.map_or(0, |n| n as u64 + 1));
    optional(h, bottom_line.as_deref());
    // `Debug` (the one complete form TOML values and the overrides share)
    // only when set: formatting every briefing's front matter cost as
    // much as the rest of the page's hash.
    if summary.is_some() || key_issues.is_some() || entities.is_some() {
        let _ = write!(HashWriter(h), "{summary:?}{key_issues:?}{entities:?}");
    }
    match generated {
        Some(table) => {
            let _ = write!(HashWriter(h.number(1)), "{table:?}");
        }
        None => {
            h.number(0);
        }
    }
    h.number(extra.len() as u64);
    if !extra.is_empty() {
        let _ = write!(HashWriter(h), "{extra:?}");
    }
}

/// A hash of everything in `analysis`.
pub fn analysis_identity(analysis: &Analysis) -> u128 {
    let Analysis {
        derived_title,
        bottom_line,
        summary,
        key_issues,
        entities,
    } = analysis;
    let mut h = StableHasher::default();
    optional(&mut h, derived_title.as_deref());
    h.field(bottom_line.as_bytes()).number(summary.len() as u64);
    for s in summary {
        h.field(s.as_bytes());
    }
    h.number(key_issues.len() as u64);
    for KeyIssue {
        label,
        score,
        evidence,
    } in key_issues
    {
        h.field(label.as_bytes())
            .number(score.to_bits())
            .field(evidence.as_bytes());
    }
    h.number(entities.len() as u64);
    for Entity {
        name,
        kind,
        mentions,
    } in entities
    {
        h.field(name.as_bytes())
            .field(kind.as_str().as_bytes())
            .number(u64::from(*mentions));
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::EntityKind;

    fn page(front: &str) -> Page {
        let text =
            format!("+++\ntitle = \"T\"\ndate = 2026-03-01T08:00:00Z\n{front}+++\n\nBody.\n");
        let options = crate::content::LoadOptions {
            include_drafts: false,
            timezone: chrono_tz::UTC,
        };
        let (content, problems) =
            crate::content::parse_files(vec![("briefings/t.md".into(), text)], options);
        assert!(problems.is_empty(), "{problems:?}");
        Page::clone(&content.pages[0])
    }

    #[test]
    fn pages_differ_by_any_front_matter_value() {
        let base = page_identity(&page(""));
        assert_eq!(base, page_identity(&page("")), "deterministic");
        let edits = [
            "updated = 2026-03-02T08:00:00Z\n",
            "author = \"A. Writer\"\n",
            "tags = [\"oil\"]\n",
            "aliases = [\"/old/\"]\n",
            "template = \"other.html\"\n",
            "bottom_line = \"Set by hand.\"\n",
            "summary_sentences = 1\n",
            "[source]\nname = \"Wire\"\n",
            "[extra]\ndesk = \"Gulf\"\n",
        ];
        let mut seen = vec![base];
        for edit in edits {
            let id = page_identity(&page(edit));
            assert!(!seen.contains(&id), "{edit:?} did not change the hash");
            seen.push(id);
        }
    }

    #[test]
    fn analyses_differ_by_any_value() {
        let base = Analysis {
            derived_title: None,
            bottom_line: "Oil rose.".into(),
            summary: vec!["Oil rose.".into()],
            key_issues: vec![KeyIssue {
                label: "oil prices".into(),
                score: 0.5,
                evidence: "Oil rose.".into(),
            }],
            entities: vec![Entity {
                name: "Muscat".into(),
                kind: EntityKind::Place,
                mentions: 2,
            }],
        };
        let id = analysis_identity(&base);
        assert_eq!(id, analysis_identity(&base.clone()));
        let mut changed = Vec::new();
        let mut a = base.clone();
        a.derived_title = Some("Oil".into());
        changed.push(a);
        let mut a = base.clone();
        a.key_issues[0].score = 0.6;
        changed.push(a);
        let mut a = base.clone();
        a.key_issues[0].evidence = "Oil fell.".into();
        changed.push(a);
        let mut a = base.clone();
        a.entities[0].kind = EntityKind::Organization;
        changed.push(a);
        let mut a = base.clone();
        a.entities[0].mentions = 3;
        changed.push(a);
        let mut a = base.clone();
        a.summary.push("Then it fell.".into());
        changed.push(a);
        for a in changed {
            assert_ne!(analysis_identity(&a), id, "{a:?}");
        }
    }
}
