//! Tests of the link stage as a whole.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::synthetic::{briefing, corpus, Rng};
use super::*;
use crate::analysis::{Entity, EntityKind};
use crate::config::{CuratedIssue, DigestPeriod, RelatedScope};

fn options() -> LinkOptions {
    LinkOptions {
        timezone: chrono_tz::UTC,
        digest_period: DigestPeriod::Day,
        related_briefings: 3,
        related_scope: RelatedScope::Past,
        hub_min_briefings: 2,
        curated_issues: Vec::new(),
        inline_links: 5,
    }
}

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, 9, 0, 0).unwrap()
}

/// A briefing's source and its related list as (target source, score, reasons).
type RelatedBySource = (String, Vec<(String, String, Vec<String>)>);

/// Related lists by source path, so models of differently ordered input compare.
fn related_by_source(m: &SiteModel) -> Vec<RelatedBySource> {
    let mut v: Vec<_> = m
        .briefings
        .iter()
        .zip(&m.related)
        .map(|(b, rel)| {
            (
                b.page.source.clone(),
                rel.iter()
                    .map(|r| {
                        (
                            m.briefings[r.target].page.source.clone(),
                            format!("{:.6}", r.score),
                            r.reasons.clone(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn issue_variants_merge_into_one_hub() {
    let bs = vec![
        briefing(
            "b/1.md",
            day(1),
            "Talks on relief.",
            &["sanction relief"],
            &[],
            &[],
        ),
        briefing(
            "b/2.md",
            day(2),
            "More talks.",
            &["Sanctions relief"],
            &[],
            &[],
        ),
        briefing(
            "b/3.md",
            day(3),
            "Relief from sanctions.",
            &["relief from sanctions"],
            &[],
            &[],
        ),
        briefing(
            "b/4.md",
            day(4),
            "Still talking.",
            &["Sanctions relief"],
            &[],
            &[],
        ),
    ];
    let m = link(bs, &options());
    assert_eq!(m.issue_hubs.len(), 1, "{:?}", m.issue_hubs);
    let hub = &m.issue_hubs[0];
    assert_eq!(hub.members.len(), 4);
    // The most frequent surface form names the hub.
    assert_eq!(hub.name, "Sanctions relief");
    assert_eq!(hub.slug, "sanctions-relief");
    assert_eq!(
        issue_key("relief of the sanctions"),
        issue_key("sanction relief")
    );
}

#[test]
fn hub_name_ties_go_to_the_shortest_then_alphabetical() {
    let bs = vec![
        briefing("b/1.md", day(1), "x", &["relief from sanctions"], &[], &[]),
        briefing("b/2.md", day(2), "x", &["sanctions relief"], &[], &[]),
        briefing("b/3.md", day(3), "x", &["Sanction relief"], &[], &[]),
    ];
    let m = link(bs, &options());
    assert_eq!(m.issue_hubs[0].name, "Sanction relief");
}

#[test]
fn curated_issues_take_precedence() {
    let mut o = options();
    o.curated_issues = vec![CuratedIssue {
        name: "Iran sanctions".into(),
        matches: vec!["sanctions relief".into(), "oil embargo".into()],
    }];
    let bs = vec![
        briefing("b/1.md", day(1), "x", &["relief from sanctions"], &[], &[]),
        briefing("b/2.md", day(2), "x", &["Oil embargoes"], &[], &[]),
        briefing(
            "b/3.md",
            day(3),
            "x",
            &["Iran sanction"],
            &[],
            &["elections"],
        ),
        briefing("b/4.md", day(4), "x", &["elections"], &[], &[]),
    ];
    let m = link(bs, &o);
    let names: Vec<&str> = m.issue_hubs.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, vec!["elections", "Iran sanctions"]);
    assert_eq!(m.issue_hubs[1].members.len(), 3);
    assert_eq!(m.issue_hubs[1].slug, "iran-sanctions");
    // Tags feed issue hubs too.
    assert_eq!(m.issue_hubs[0].members.len(), 2);
}

#[test]
fn entity_hubs_merge_spellings_and_take_the_usual_kind() {
    let bs = vec![
        briefing(
            "b/1.md",
            day(1),
            "x",
            &[],
            &[("Zürich", EntityKind::Place)],
            &[],
        ),
        briefing(
            "b/2.md",
            day(2),
            "x",
            &[],
            &[("Zurich", EntityKind::Place)],
            &[],
        ),
        briefing(
            "b/3.md",
            day(3),
            "x",
            &[],
            &[("Zurich", EntityKind::Other)],
            &[],
        ),
    ];
    let m = link(bs, &options());
    assert_eq!(m.entity_hubs.len(), 1);
    assert_eq!(m.entity_hubs[0].name, "Zurich");
    assert_eq!(m.entity_hubs[0].kind, HubKind::Entity(EntityKind::Place));
}

#[test]
fn related_reasons_are_shared_hubs() {
    let m = link(corpus(300, 11), &options());
    let mut with_reasons = 0;
    for (i, rel) in m.related.iter().enumerate() {
        for r in rel.iter() {
            assert_ne!(r.target, i);
            for reason in &r.reasons {
                with_reasons += 1;
                let shared_issue = m.issue_hubs.iter().any(|h| {
                    &h.name == reason && h.members.contains(&i) && h.members.contains(&r.target)
                });
                let shared_entity = m.entity_hubs.iter().any(|h| {
                    &h.name == reason && h.members.contains(&i) && h.members.contains(&r.target)
                });
                assert!(shared_issue || shared_entity, "{reason} is not shared");
            }
        }
    }
    assert!(with_reasons > 100);
}

#[test]
fn past_scope_only_links_to_older_briefings() {
    let m = link(corpus(300, 5), &options());
    for (i, rel) in m.related.iter().enumerate() {
        for r in rel.iter() {
            assert!(date_of(&m.briefings[r.target]) <= date_of(&m.briefings[i]));
        }
    }
    // The oldest briefing has nothing before it.
    assert!(m.related.last().unwrap().is_empty());
}

#[test]
fn adding_a_newer_briefing_leaves_old_lists_unchanged() {
    let old = corpus(300, 3);
    let newest = old.iter().map(date_of).max().unwrap();
    let before = link(old.clone(), &options());
    let mut more = old.clone();
    // New briefings that copy old ones' text and hubs: strong matches for
    // many, which must still not appear in (or reorder) older lists, and
    // which make some hubs grow faster than others, which must not reorder
    // the reasons of older links either.
    for (n, i) in [7, 12, 19].repeat(15).into_iter().enumerate() {
        let mut new = old[i].clone();
        let at = newest + Duration::hours(1 + n as i64);
        new.page = super::synthetic::page(&format!("briefings/new{n}.md"), at, Vec::new()).into();
        more.push(new);
    }
    let after = link(more, &options());
    // A hub is named by its most used spelling, which the copies may
    // change ("relief from x" -> "x relief"): compare hubs by their first
    // spelling in sorted order, which copies cannot change.
    let by_spelling = |m: &SiteModel| -> Vec<RelatedBySource> {
        let spelling: HashMap<&str, &str> = m
            .issue_hubs
            .iter()
            .chain(&m.entity_hubs)
            .map(|h| {
                let first = h.surface_forms.iter().min().unwrap_or(&h.name);
                (h.name.as_str(), first.as_str())
            })
            .collect();
        let mut lists = related_by_source(m);
        for (_, list) in &mut lists {
            for (_, _, reasons) in list {
                for r in reasons {
                    *r = spelling[r.as_str()].to_string();
                }
            }
        }
        lists
    };
    let a = by_spelling(&after);
    let b = by_spelling(&before);
    let a: Vec<_> = a
        .into_iter()
        .filter(|(s, _)| !s.starts_with("briefings/new"))
        .collect();
    assert_eq!(a, b);
    // Under "all" it would have changed.
    let mut o = options();
    o.related_scope = RelatedScope::All;
    let all = link(after.briefings.clone(), &o);
    assert!(all
        .related
        .iter()
        .flat_map(|l| l.iter())
        .any(|r| r.target == 0));
}

#[test]
fn shuffled_input_gives_the_same_model() {
    let bs = corpus(400, 9);
    let mut shuffled = bs.clone();
    let mut rng = Rng::new(42);
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.below(i + 1));
    }
    for scope in [RelatedScope::Past, RelatedScope::All] {
        let mut o = options();
        o.related_scope = scope;
        let a = link(bs.clone(), &o);
        let b = link(shuffled.clone(), &o);
        assert_eq!(related_by_source(&a), related_by_source(&b));
        let hubs = |m: &SiteModel| -> Vec<(String, String, Vec<usize>)> {
            m.issue_hubs
                .iter()
                .chain(&m.entity_hubs)
                .map(|h| (h.slug.clone(), h.name.clone(), h.members.clone()))
                .collect()
        };
        assert_eq!(hubs(&a), hubs(&b));
        assert_eq!(a.inline_links, b.inline_links);
    }
}

#[test]
fn parallel_and_sequential_give_the_same_lists() {
    let bs = corpus(300, 21);
    let par = link(bs.clone(), &options());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let seq = pool.install(|| link(bs, &options()));
    assert_eq!(par.related, seq.related);
}

#[test]
fn text_similarity_finds_the_same_story() {
    let texts = [
        "The central bank raised interest rates again to fight inflation.",
        "Football club wins the cup final after penalties.",
        "Inflation pushes the central bank to a new interest rate rise.",
        "The striker scored twice as the club reached the cup final.",
        "Bank economists expect rates to stay high while inflation lasts.",
    ];
    let docs: Vec<RelatedInput> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| RelatedInput {
            path: ["a", "b", "c", "d", "e"][i],
            text: t,
            key_issue_labels: Vec::new(),
            entity_names: Vec::new(),
            date: None,
        })
        .collect();
    let rel = related_for_corpus(&docs, 2);
    assert_eq!(rel[0].iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 4]);
    assert_eq!(rel[1][0].0, 3);
    assert!(rel[0][0].1 >= rel[0][1].1);
}

/// Two briefings on sanctions relief in Oman, one writing "relief from
/// sanctions" and never "nuclear talks".
fn spelled_two_ways() -> Vec<Briefing> {
    vec![
        briefing(
            "b/1.md",
            day(1),
            "Talks on relief from sanctions went on in Muscat, Oman.",
            &["sanctions relief", "nuclear talks"],
            &[("Oman", EntityKind::Place)],
            &[],
        ),
        briefing(
            "b/2.md",
            day(2),
            "Sanctions relief was discussed; nuclear talks stalled in Oman.",
            &["Sanctions relief", "nuclear talks"],
            &[("Oman", EntityKind::Place)],
            &[],
        ),
    ]
}

#[test]
fn inline_phrases_are_written_as_in_the_text() {
    let bs = spelled_two_ways();
    let m = link(bs, &options());
    let phrases = |i: usize| -> Vec<&str> {
        m.inline_links[i]
            .iter()
            .map(|l| l.phrase.as_str())
            .collect()
    };
    // Newest first: b/2 is index 0.
    assert_eq!(
        phrases(0),
        vec!["Sanctions relief", "nuclear talks", "Oman"]
    );
    // b/1 writes "relief from sanctions" and never "nuclear talks".
    assert_eq!(phrases(1), vec!["relief from sanctions", "Oman"]);
    assert!(m.related[0][0].reasons.contains(&"Oman".to_string()));
}

#[test]
fn inline_phrases_stop_at_the_configured_number() {
    let text = "Sanctions relief was discussed; nuclear talks stalled in Oman.";
    let bs: Vec<Briefing> = (1..=2)
        .map(|d| {
            briefing(
                &format!("b/{d}.md"),
                day(d),
                text,
                &["sanctions relief", "nuclear talks"],
                &[("Oman", EntityKind::Place)],
                &[],
            )
        })
        .collect();
    let m = link(
        bs,
        &LinkOptions {
            inline_links: 2,
            ..options()
        },
    );
    let phrases: Vec<&str> = m.inline_links[0]
        .iter()
        .map(|l| l.phrase.as_str())
        .collect();
    // Priority order is kept: key issues before entities.
    assert_eq!(phrases, vec!["Sanctions relief", "nuclear talks"]);
}

#[test]
fn digests_aggregate_canonical_issues_of_their_briefings() {
    let at = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap();
    let bs = vec![
        briefing(
            "b/1.md",
            at(2, 8),
            "x",
            &["sanction relief", "oil"],
            &[],
            &[],
        ),
        briefing(
            "b/2.md",
            at(2, 20),
            "x",
            &["Relief from sanctions"],
            &[],
            &[],
        ),
        briefing("b/3.md", at(4, 9), "x", &["oil"], &[], &[]),
    ];
    let mut o = options();
    o.digest_period = DigestPeriod::Week;
    let m = link(bs, &o);
    // 2 and 4 March 2026 are in ISO week 10.
    assert_eq!(m.digests.len(), 1);
    assert_eq!(m.digests[0].key, "2026-W10");
    let issues: Vec<(&str, usize)> = m.digests[0]
        .issues
        .iter()
        .map(|&(h, n)| (m.issue_hubs[h].name.as_str(), n))
        .collect();
    // One use each: the shorter spelling names the hub.
    assert_eq!(issues, vec![("oil", 2), ("sanction relief", 2)]);
    o.digest_period = DigestPeriod::Day;
    let m = link(m.briefings, &o);
    assert_eq!(m.digests.len(), 2);
    assert_eq!(m.digests[1].members.len(), 2);
}

#[test]
fn a_hub_reaching_its_page_threshold_does_not_change_old_lists() {
    let mut o = options();
    o.hub_min_briefings = 3;
    let a = briefing(
        "b/a.md",
        day(1),
        "Port strike halts exports.",
        &["port strike"],
        &[],
        &[],
    );
    let b = briefing(
        "b/b.md",
        day(2),
        "Dockers extend the strike.",
        &["Port strikes"],
        &[],
        &[],
    );
    let c = briefing(
        "b/c.md",
        day(3),
        "Strike ends at the port.",
        &["port strike"],
        &[],
        &[],
    );
    let before = link(vec![a.clone(), b.clone()], &o);
    assert!(before.issue_hubs.is_empty());
    let after = link(vec![a, b, c], &o);
    assert_eq!(after.issue_hubs.len(), 1);
    let a = related_by_source(&after);
    let b = related_by_source(&before);
    assert_eq!(a[..2], b[..]);
    // The shared issue is a reason although it had no page yet.
    assert_eq!(b[1].1[0].2, vec!["port strike".to_string()]);
}

#[test]
fn newer_briefings_do_not_reorder_the_reasons_of_old_links() {
    let issues = ["port strike", "grain exports"];
    let a = briefing(
        "b/a.md",
        day(1),
        "Dockers strike; grain waits.",
        &issues,
        &[],
        &[],
    );
    let b = briefing(
        "b/b.md",
        day(2),
        "Dockers strike on; grain waits.",
        &issues,
        &[],
        &[],
    );
    let newer = |n: u32| {
        let source = format!("b/n{n}.md");
        briefing(
            &source,
            day(3 + n),
            "Grain ships leave.",
            &["grain exports"],
            &[],
            &[],
        )
    };
    let reasons_of_b = |m: &SiteModel| -> Vec<String> {
        let i = m
            .briefings
            .iter()
            .position(|x| x.page.source == "b/b.md")
            .unwrap();
        let link = m.related[i].iter().find(|r| r.target != i).unwrap();
        assert_eq!(m.briefings[link.target].page.source, "b/a.md");
        link.reasons.clone()
    };
    let before = link(vec![a.clone(), b.clone()], &options());
    // Both hubs have two briefings up to b's time: the tie goes to the
    // hub's order, whatever happens later.
    assert_eq!(reasons_of_b(&before), ["grain exports", "port strike"]);
    let after = link(vec![a, b, newer(0), newer(1)], &options());
    assert_eq!(reasons_of_b(&after), reasons_of_b(&before));
    // Counted over the whole site, the grown hub goes last.
    let mut all = options();
    all.related_scope = RelatedScope::All;
    let everything = link(after.briefings.clone(), &all);
    assert_eq!(reasons_of_b(&everything), ["port strike", "grain exports"]);
}

#[test]
fn key_issues_that_name_an_entity_make_no_issue_hub() {
    let bs: Vec<Briefing> = (1..=3)
        .map(|d| {
            briefing(
                &format!("b/{d}.md"),
                day(d),
                "Aleksander Abubakar met officials in Oman about sanctions relief.",
                &["Oman", "Abubakar", "sanctions relief"],
                &[
                    ("Oman", EntityKind::Place),
                    ("Aleksander Abubakar", EntityKind::Person),
                ],
                &[],
            )
        })
        .collect();
    let m = link(bs, &options());
    let issues: Vec<&str> = m.issue_hubs.iter().map(|h| h.slug.as_str()).collect();
    assert_eq!(issues, ["sanctions-relief"]);
    let entities: Vec<&str> = m.entity_hubs.iter().map(|h| h.slug.as_str()).collect();
    assert_eq!(entities, ["aleksander-abubakar", "oman"]);
    // The briefing keeps its key issues; only the hub links differ.
    assert_eq!(m.issue_links[0], vec![None, None, Some(0)]);
}

#[test]
fn tag_links_stay_aligned_when_a_tag_names_an_entity() {
    let bs: Vec<Briefing> = (1..=2)
        .map(|d| {
            briefing(
                &format!("b/{d}.md"),
                day(d),
                "Envoys met in Oman; the nuclear talks resume next week.",
                &[],
                &[("Oman", EntityKind::Place)],
                &["oman", "nuclear talks"],
            )
        })
        .collect();
    let m = link(bs, &options());
    let entity = m.entity_hubs.iter().position(|h| h.slug == "oman").unwrap();
    let issue = m
        .issue_hubs
        .iter()
        .position(|h| h.slug == "nuclear-talks")
        .unwrap();
    assert_eq!(
        m.tag_links[0],
        vec![Some(HubRef::Entity(entity)), Some(HubRef::Issue(issue))]
    );
    // The inline link of the second tag goes to its own hub, not the first's.
    let talks = m.inline_links[0]
        .iter()
        .find(|l| l.phrase == "nuclear talks")
        .expect("the tag phrase is linked");
    assert_eq!(talks.hub, HubRef::Issue(issue));
}

/// Indices of `bs`, oldest briefing first (ties by index).
fn oldest_first(bs: &[Briefing]) -> Vec<usize> {
    let mut by_date: Vec<usize> = (0..bs.len()).collect();
    by_date.sort_by_key(|&i| (bs[i].page.date, i));
    by_date
}

/// Links `bs` with `memo` and without: the whole models (hubs, inline
/// links, related lists...) must be equal. Returns how many related lists
/// the memo ranked again.
fn linked_alike(bs: &[Briefing], memo: &mut LinkMemo, what: &str) -> usize {
    let incremental = link_with(bs.to_vec(), &options(), Kept::Everything(memo));
    let full = link(bs.to_vec(), &options());
    assert_eq!(incremental.related, full.related, "{what}");
    assert_eq!(format!("{incremental:?}"), format!("{full:?}"), "{what}");
    memo.related.ranked
}

/// `model` as a `build`'s link stage leaves it: the plain texts let go
/// once the phrase search has read them (their hashes stay).
fn texts_released(mut model: SiteModel) -> SiteModel {
    for b in &mut model.briefings {
        assert!(!b.text.is_empty());
        b.release_text();
    }
    model
}

#[test]
fn stems_saved_by_one_build_give_the_next_the_same_model() {
    use crate::cache::stems;
    let dir = tempfile::tempdir().unwrap();
    let file_len = || {
        std::fs::metadata(dir.path().join(stems::FILE))
            .unwrap()
            .len()
    };
    let mut bs = corpus(120, 9);
    // Each build: the model of a build without saved stems, from the
    // stems saved by the builds before; then its stems are saved.
    let build = |bs: &[Briefing]| {
        let (stems_memo, mut file) = stems::load(dir.path());
        let mut memo = RelatedMemo::default();
        memo.start_from(stems_memo);
        let model = link_with(bs.to_vec(), &options(), Kept::Related(&mut memo));
        assert_eq!(
            format!("{model:?}"),
            format!("{:?}", texts_released(link(bs.to_vec(), &options())))
        );
        let stems_memo = memo.take_stems();
        let known = stems_memo.texts_known();
        let changed = stems_memo.changed();
        stems::save(stems_memo, &mut file).unwrap();
        (known, changed)
    };
    assert_eq!(build(&bs), (120, true));
    let whole = file_len();
    // Nothing new: the file is left alone.
    assert_eq!(build(&bs), (120, false));
    assert_eq!(file_len(), whole);

    // One text edited with words no other has: its stems and counts are
    // appended.
    bs[5].push_text(" Officials quelmar the vosal trakor again.");
    assert_eq!(build(&bs), (120, true));
    assert!(file_len() > whole && file_len() < whole + whole / 20);
    assert_eq!(
        stems::load(dir.path()).0.texts_known(),
        121,
        "one dead text"
    );

    // Dead texts pile up (every text edited): the file is written anew
    // with the live texts and the stems they use.
    for b in bs.iter_mut() {
        b.push_text(" The talks went on late into the night.");
    }
    bs.remove(7);
    assert_eq!(build(&bs), (119, true));
    assert_eq!(stems::load(dir.path()).0.texts_known(), 119);
    assert!(file_len() < whole + whole / 20);
    assert_eq!(build(&bs), (119, false));
}

/// `build` keeps its related lists (`cache::related`): the next build
/// reuses those of the briefings older than any change, and its model is
/// still a build's without them.
#[test]
fn saved_related_lists_are_reused_below_the_oldest_change() {
    use crate::cache::{related, stems};
    let dir = tempfile::tempdir().unwrap();
    let mut bs = corpus(150, 11);
    // Links `bs` from what the last call saved, lists and stems, as a
    // build does; returns how many lists it ranked, and how many of those
    // it only rescored.
    let build = |bs: &[Briefing], what: &str| -> (usize, usize) {
        let (stems_memo, mut stems_file) = stems::load(dir.path());
        let mut memo = match related::load(dir.path()) {
            Some((options, lists)) => RelatedMemo::from_saved(stems_memo, options, lists),
            None => {
                let mut memo = RelatedMemo::default();
                memo.start_from(stems_memo);
                memo
            }
        };
        let model = link_with(bs.to_vec(), &options(), Kept::Related(&mut memo));
        assert_eq!(
            format!("{model:?}"),
            format!("{:?}", texts_released(link(bs.to_vec(), &options()))),
            "{what}"
        );
        stems::save(memo.take_stems(), &mut stems_file).unwrap();
        let (options, lists) = memo.saved_lists();
        related::save(dir.path(), options, &lists).unwrap();
        (memo.ranked, memo.rescored)
    };
    assert_eq!(build(&bs, "first"), (150, 0));
    assert_eq!(build(&bs, "the same"), (0, 0));
    // Nothing to save: the lists are those read.
    let (options, lists) = related::load(dir.path()).unwrap();
    let memo = RelatedMemo::from_saved(StemMemo::default(), options, lists);
    assert!(!memo.lists_changed());

    // A new briefing, newer than all: only its list is ranked.
    let newest = (0..bs.len()).max_by_key(|&i| bs[i].page.date).unwrap();
    let mut added = bs[newest].clone();
    let page = Arc::make_mut(&mut added.page);
    page.source = "briefings/added.md".into();
    page.date = page.date.map(|d| d + Duration::hours(1));
    bs.push(added);
    assert_eq!(build(&bs, "one added"), (1, 0));

    // The oldest briefing edited: every newer list could read it, but the
    // saved bars and candidates tell which do (the model is still the
    // one ranking them all gives, checked in `build`).
    let oldest = (0..bs.len()).min_by_key(|&i| bs[i].page.date).unwrap();
    bs[oldest].push_text(" Officials quelmar the vosal trakor again.");
    let (ranked, rescored) = build(&bs, "oldest edited");
    assert!(
        ranked - rescored < 30 && rescored > 100,
        "{ranked} {rescored}"
    );
    let middle = {
        let mut by_date: Vec<usize> = (0..bs.len()).collect();
        by_date.sort_by_key(|&i| bs[i].page.date);
        by_date[by_date.len() / 2]
    };
    bs[middle].push_text(" The ministers met again on Tuesday.");
    let (ranked, _) = build(&bs, "middle edited");
    assert!(ranked < 40, "{ranked}");
    // Its text and its features: a key issue gone, another's entity.
    bs[middle].push_text(" Talks resume next week.");
    let other = (middle + 7) % bs.len();
    let entity = bs[other].analysis.entities[0].clone();
    let analysis = Arc::make_mut(&mut bs[middle].analysis);
    analysis.key_issues.pop();
    analysis.entities.push(entity);
    let (ranked, _) = build(&bs, "middle edited, features moved");
    assert!(ranked < 150, "{ranked}");

    // Lists saved without their ranking state (as a file of an earlier
    // version would be): an edit ranks every newer list again, and the
    // lists saved after that have it.
    let (options, mut lists) = related::load(dir.path()).unwrap();
    for list in &mut lists {
        list.ranked = None;
    }
    related::save(dir.path(), options, &lists).unwrap();
    bs[oldest].push_text(" Nothing else changed.");
    assert_eq!(build(&bs, "lists only"), (151, 0));
    bs[oldest].push_text(" Nothing changed again.");
    let (ranked, rescored) = build(&bs, "state saved again");
    assert!(ranked - rescored < 30, "{ranked} {rescored}");

    // Other options: nothing is reused.
    let (_, lists) = related::load(dir.path()).unwrap();
    related::save(dir.path(), (5, true), &lists).unwrap();
    assert_eq!(build(&bs, "other options"), (151, 0));
    // A damaged file is not used.
    let path = dir.path().join(related::FILE);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
    assert!(related::load(dir.path()).is_none());
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 1;
    std::fs::write(&path, &flipped).unwrap();
    assert!(related::load(dir.path()).is_none());
}

#[test]
fn a_damaged_or_foreign_stems_file_is_not_used() {
    use crate::cache::stems;
    let dir = tempfile::tempdir().unwrap();
    let bs = corpus(20, 4);
    let link_and_save = |bs: &[Briefing]| {
        let (stems_memo, mut file) = stems::load(dir.path());
        let mut memo = RelatedMemo::default();
        memo.start_from(stems_memo);
        link_with(bs.to_vec(), &options(), Kept::Related(&mut memo));
        stems::save(memo.take_stems(), &mut file).unwrap();
    };
    link_and_save(&bs);
    let path = dir.path().join(stems::FILE);
    let good = std::fs::read(&path).unwrap();
    let known = || stems::load(dir.path()).0.texts_known();
    assert_eq!(known(), 20);
    // Damage in a text record ends the reading there: the texts before it
    // are kept, the file is written anew by the next save.
    let mut flipped = good.clone();
    let near_end = flipped.len() - 20;
    flipped[near_end] ^= 1;
    std::fs::write(&path, &flipped).unwrap();
    assert_eq!(known(), 19);
    link_and_save(&bs);
    assert_eq!(std::fs::read(&path).unwrap(), good, "written anew");
    // So does a file cut short.
    std::fs::write(&path, &good[..good.len() - 1]).unwrap();
    assert_eq!(known(), 19);
    // Damage in the stems leaves the texts without them: nothing is used.
    let newline = good.iter().position(|&b| b == b'\n').unwrap();
    let mut flipped = good.clone();
    flipped[newline + 12] ^= 1;
    std::fs::write(&path, &flipped).unwrap();
    assert_eq!(known(), 0);
    // Another format, crate or linking code: nothing is read.
    let mut foreign = b"briefing-stems v0 0.0.0 0".to_vec();
    foreign.extend_from_slice(&good[newline..]);
    std::fs::write(&path, &foreign).unwrap();
    assert_eq!(known(), 0);
}

#[test]
fn link_memo_gives_the_full_model_and_reranks_only_newer_briefings() {
    let mut bs = corpus(300, 5);
    // Two briefings at the same instant: a list also draws on its own time.
    let tie = bs[40].page.date;
    Arc::make_mut(&mut bs[41].page).date = tie;
    let mut memo = LinkMemo::default();
    assert_eq!(linked_alike(&bs, &mut memo, "first"), 300);
    assert!(!memo.hubs_reused);
    assert_eq!(linked_alike(&bs, &mut memo, "nothing changed"), 0);
    assert!(memo.hubs_reused);

    // A new text: hubs stay, the inline links are found again (the newest
    // briefing is first in the model).
    let newest = (0..bs.len()).max_by_key(|&i| bs[i].page.date).unwrap();
    let links_before = link(bs.clone(), &options()).inline_links[0].clone();
    assert!(!links_before.is_empty());
    let text = format!(
        "{} Officials quelmar the vosal trakor again.",
        bs[newest].text.replace(&links_before[0].phrase, "it")
    );
    bs[newest].set_text(text);
    assert!(linked_alike(&bs, &mut memo, "newest edited") < 10);
    assert!(memo.hubs_reused);
    assert_ne!(link(bs.clone(), &options()).inline_links[0], links_before);

    let oldest = (0..bs.len()).min_by_key(|&i| bs[i].page.date).unwrap();
    bs[oldest].push_text(" Officials quelmar the vosal trakor again.");
    // Its vector may enter any newer list: nearly all are ranked again.
    assert!(linked_alike(&bs, &mut memo, "oldest edited") > 250);

    bs[41].push_text(" A tied story adds words.");
    linked_alike(&bs, &mut memo, "tied edited");
    Arc::make_mut(&mut bs[120].analysis).key_issues.pop();
    linked_alike(&bs, &mut memo, "features changed");
    assert!(!memo.hubs_reused);
    // Every briefing spells one issue in capitals: same hub, new name, so
    // the reasons of reused lists change though their inputs did not.
    let label = bs[0].analysis.key_issues[0].label.clone();
    for b in bs.iter_mut() {
        for k in &mut Arc::make_mut(&mut b.analysis).key_issues {
            if k.label == label {
                k.label = label.to_uppercase();
            }
        }
    }
    assert_eq!(linked_alike(&bs, &mut memo, "hub renamed"), 0);
    assert!(!memo.hubs_reused);
    let mut added = bs[7].clone();
    let page = Arc::make_mut(&mut added.page);
    page.source = "briefings/added.md".into();
    page.date = bs[newest].page.date.map(|d| d + Duration::hours(1));
    bs.push(added);
    assert!(linked_alike(&bs, &mut memo, "newest added") < 10);
    bs.remove(200);
    linked_alike(&bs, &mut memo, "one removed");
    bs.reverse();
    linked_alike(&bs, &mut memo, "input order changed");
}

#[test]
fn a_text_edit_reranks_only_the_lists_that_read_changed_vectors() {
    let mut bs = corpus(800, 11);
    let mut memo = LinkMemo::default();
    assert_eq!(linked_alike(&bs, &mut memo, "first"), 800);
    let by_date = oldest_first(&bs);
    // 399 briefings are newer than this one: ranking from it on (what an
    // edit of it cost before) would rank 400 lists.
    let middle = by_date[400];
    let words_of = |text: &str| -> std::collections::BTreeSet<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };

    // A word it has, once more: its own vector changes, and the lists
    // whose windows hold it are ranked again.
    let word = words_of(&bs[middle].text).into_iter().next().unwrap();
    bs[middle].push_text(&format!(" {word}."));
    let ranked = linked_alike(&bs, &mut memo, "a word repeated");
    assert!((1..60).contains(&ranked), "{ranked}");

    // A word no briefing had: a new vocabulary (every term id moves).
    bs[middle].push_text(" Zorblatine.");
    let ranked = linked_alike(&bs, &mut memo, "a new word");
    assert!((1..60).contains(&ranked), "{ranked}");

    // A word newer briefings use too, dropped: their document frequency
    // and so their vectors change.
    let newer: Vec<std::collections::BTreeSet<String>> = by_date[401..]
        .iter()
        .map(|&i| words_of(&bs[i].text))
        .collect();
    let shared = words_of(&bs[middle].text)
        .into_iter()
        .find(|w| (3..30).contains(&newer.iter().filter(|ws| ws.contains(w)).count()))
        .expect("a word a few newer briefings use");
    let text = bs[middle].text.replace(&shared, "");
    bs[middle].set_text(text);
    let ranked = linked_alike(&bs, &mut memo, "a shared word dropped");
    assert!((1..300).contains(&ranked), "{ranked}");
    // ... and taken up again, by this one and by an older one at once.
    bs[middle].push_text(&format!(" {shared}."));
    let older = by_date[300];
    bs[older].push_text(&format!(" {shared} {word}."));
    let ranked = linked_alike(&bs, &mut memo, "two edited");
    assert!((1..500).contains(&ranked), "{ranked}");
    assert_eq!(linked_alike(&bs, &mut memo, "nothing changed"), 0);
}

#[test]
fn a_feature_edit_reranks_only_the_lists_that_read_the_briefing() {
    let mut bs = corpus(800, 13);
    let mut memo = LinkMemo::default();
    assert_eq!(linked_alike(&bs, &mut memo, "first"), 800);
    let by_date = oldest_first(&bs);
    // 399 briefings are newer: ranking from it on would rank 400 lists.
    let middle = by_date[400];
    let other = by_date[650];

    // A key issue dropped: it leaves that hub's windows.
    Arc::make_mut(&mut bs[middle].analysis).key_issues.pop();
    let ranked = linked_alike(&bs, &mut memo, "an issue dropped");
    assert!(!memo.hubs_reused);
    assert!((1..200).contains(&ranked), "{ranked}");

    // Another briefing's key issue and entity taken up: it enters those
    // hubs, with the text also edited.
    let issue = bs[other].analysis.key_issues[0].clone();
    let entity = bs[other].analysis.entities[0].clone();
    let analysis = Arc::make_mut(&mut bs[middle].analysis);
    analysis.key_issues.push(issue);
    analysis.entities.push(entity);
    bs[middle].push_text(" Officials met again.");
    let ranked = linked_alike(&bs, &mut memo, "an issue and an entity taken up");
    assert!((1..200).contains(&ranked), "{ranked}");

    // An entity no other briefing names: a new feature, new feature ids.
    Arc::make_mut(&mut bs[middle].analysis)
        .entities
        .push(crate::analysis::Entity {
            name: "Quelmar Vosaline".into(),
            kind: crate::analysis::EntityKind::Person,
            mentions: 2,
        });
    let ranked = linked_alike(&bs, &mut memo, "a new entity");
    assert!((1..200).contains(&ranked), "{ranked}");

    // Two briefings at once, one older, each losing its entities: hubs
    // may fall under their threshold and other briefings' features move.
    let older = by_date[300];
    Arc::make_mut(&mut bs[older].analysis).entities.clear();
    Arc::make_mut(&mut bs[middle].analysis).entities.clear();
    let ranked = linked_alike(&bs, &mut memo, "two lose their entities");
    assert!((1..500).contains(&ranked), "{ranked}");
    assert_eq!(linked_alike(&bs, &mut memo, "nothing changed"), 0);

    // A hundred at once: nearly every later list reads one of them.
    for &i in &by_date[300..400] {
        Arc::make_mut(&mut bs[i].analysis).key_issues.truncate(1);
    }
    let ranked = linked_alike(&bs, &mut memo, "a hundred lose an issue");
    assert!((400..=500).contains(&ranked), "{ranked}");
}

#[test]
fn a_paragraph_in_the_middle_rescores_the_lists_that_keep_their_candidates() {
    let mut bs = corpus(800, 29);
    let mut memo = LinkMemo::default();
    linked_alike(&bs, &mut memo, "first");
    let by_date = oldest_first(&bs);
    let middle = by_date[400];
    // A paragraph of words from across the corpus: their document
    // frequencies move for many newer briefings, whose vectors change a
    // little, and the lists that selected those are rescored.
    let paragraph: Vec<String> = [100, 200, 500, 700]
        .iter()
        .map(|&i| bs[by_date[i]].text.chars().take(300).collect())
        .collect();
    let original = bs[middle].text.to_string();
    bs[middle].push_text(&format!("\n\n{}", paragraph.join(" ")));
    let redone = linked_alike(&bs, &mut memo, "a paragraph in the middle");
    let rescored = memo.related.rescored;
    assert!(rescored > 0 && rescored < redone, "{rescored} of {redone}");
    // And once more, from the rescored lists' candidates and bars.
    bs[middle].push_text(&format!(" {}", paragraph[1]));
    linked_alike(&bs, &mut memo, "another paragraph");
    assert!(memo.related.rescored > 0);
    // Taken out again: the words it loses let older briefings back into
    // full windows.
    bs[middle].set_text(original);
    linked_alike(&bs, &mut memo, "the paragraphs taken out");
    assert!(memo.related.rescored > 0);
    assert_eq!(linked_alike(&bs, &mut memo, "nothing changed"), 0);
}

#[test]
fn a_word_gained_changes_the_vectors_of_briefings_of_the_same_time() {
    let mut bs = corpus(300, 17);
    let by_date = oldest_first(&bs);
    let (edited, tied) = (by_date[150], by_date[151]);
    let date = bs[edited].page.date;
    Arc::make_mut(&mut bs[tied].page).date = date;
    let mut memo = LinkMemo::default();
    linked_alike(&bs, &mut memo, "first");
    let words_of = |text: &str| -> std::collections::BTreeSet<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() > 3)
            .map(str::to_lowercase)
            .collect()
    };
    // A rare word (counts below 32 are exact) the tied briefing has and
    // the edited one lacks: its count at their time moves by one.
    let has_it = |w: &String| bs.iter().filter(|b| words_of(&b.text).contains(w)).count();
    let lacks = words_of(&bs[edited].text);
    let word = words_of(&bs[tied].text)
        .into_iter()
        .find(|w| !lacks.contains(w) && has_it(w) < 20)
        .expect("a rare word of the tied briefing");
    bs[edited].push_text(&format!(" {word}."));
    let ranked = linked_alike(&bs, &mut memo, "a word the tied briefing has");
    assert!((1..150).contains(&ranked), "{ranked}");
}

#[test]
fn hub_changes_of_a_few_briefings_patch_the_hubs_to_the_full_model() {
    let mut bs = corpus(300, 7);
    let mut memo = LinkMemo::default();
    linked_alike(&bs, &mut memo, "first");
    let mut edit = |bs: &mut Vec<Briefing>, i: usize, what: &str, f: &dyn Fn(&mut Briefing)| {
        f(&mut bs[i]);
        linked_alike(bs, &mut memo, what);
        (memo.hubs_reused, memo.hubs_patched)
    };
    let label_of = |b: &Briefing| b.analysis.key_issues[0].label.clone();
    // Joins a hub of another briefing and leaves one of its own.
    let other = label_of(&bs[3]);
    let joined = edit(&mut bs, 150, "label of another", &|b| {
        Arc::make_mut(&mut b.analysis).key_issues[0].label = other.clone();
    });
    assert_eq!(joined, (false, true));
    // A label no briefing had: a new draft, below the page threshold.
    let new_label = edit(&mut bs, 20, "new label", &|b| {
        Arc::make_mut(&mut b.analysis).key_issues[1].label = "Quelmar harbour levies".into();
    });
    assert_eq!(new_label, (false, true));
    // The same label on a second briefing: that hub now has a page.
    let second = edit(&mut bs, 280, "second of a new label", &|b| {
        Arc::make_mut(&mut b.analysis).key_issues[0].label = "quelmar harbour levy".into();
    });
    assert_eq!(second, (false, true));
    // An entity of another briefing, and a tag.
    let entity = bs
        .iter()
        .flat_map(|b| &b.analysis.entities)
        .find(|e| e.kind == EntityKind::Place)
        .cloned()
        .expect("a place");
    let gained = edit(&mut bs, 77, "entity of another", &|b| {
        Arc::make_mut(&mut b.analysis).entities.push(entity.clone());
    });
    assert_eq!(gained, (false, true));
    let tagged = edit(&mut bs, 78, "tag added", &|b| {
        Arc::make_mut(&mut b.page)
            .tags
            .push("Harbour levies".into());
    });
    assert_eq!(tagged, (false, true));
    // A label that names an entity of the site is that entity's, not an issue.
    let named = edit(&mut bs, 90, "label naming an entity", &|b| {
        Arc::make_mut(&mut b.analysis).key_issues[0].label = entity.name.clone();
    });
    assert_eq!(named, (false, true));
    // A person new to the site changes which labels of every briefing name
    // an entity: made again, not patched; so does the last one leaving.
    let person = Entity {
        name: "Ilse Quelmar".into(),
        kind: EntityKind::Person,
        mentions: 2,
    };
    let new_person = edit(&mut bs, 91, "new person", &|b| {
        Arc::make_mut(&mut b.analysis).entities.push(person.clone());
    });
    assert_eq!(new_person, (false, false));
    let surname = edit(&mut bs, 92, "label naming a surname", &|b| {
        Arc::make_mut(&mut b.analysis).key_issues[0].label = "Quelmar".into();
    });
    assert_eq!(surname, (false, true));
    let gone = edit(&mut bs, 91, "person gone", &|b| {
        Arc::make_mut(&mut b.analysis).entities.pop();
    });
    assert_eq!(gone, (false, false));
    // Nothing changed: the hubs are the last ones.
    let same = edit(&mut bs, 91, "nothing", &|_| {});
    assert_eq!(same, (true, false));
    // A new spelling of a hub's name, from a changed briefing, is found in
    // the text of an unchanged one that links to the hub.
    let zurich = |name: &str| Entity {
        name: name.into(),
        kind: EntityKind::Place,
        mentions: 1,
    };
    let (plain, accented) = (zurich("Zurich"), zurich("Zürich"));
    edit(&mut bs, 202, "a place new to the site", &|b| {
        Arc::make_mut(&mut b.analysis).entities.push(plain.clone());
    });
    edit(&mut bs, 200, "text spelling an entity otherwise", &|b| {
        b.set_text("Officials met in Zürich on Monday.".into());
        let a = Arc::make_mut(&mut b.analysis);
        a.key_issues.clear();
        a.entities = vec![plain.clone()];
    });
    let unlinked = link(bs.clone(), &options());
    let source = bs[200].page.source.clone();
    let at = |m: &SiteModel| m.briefings.iter().position(|b| b.page.source == source);
    assert!(unlinked.inline_links[at(&unlinked).unwrap()].is_empty());
    let respelled = edit(&mut bs, 201, "another spelling", &|b| {
        Arc::make_mut(&mut b.analysis)
            .entities
            .push(accented.clone());
    });
    assert_eq!(respelled, (false, true));
    let linked = link(bs.clone(), &options());
    assert_eq!(
        linked.inline_links[at(&linked).unwrap()][0].phrase,
        "Zürich"
    );
}

#[test]
fn a_feature_moved_restates_the_reasons_of_lists_of_the_same_time() {
    let mut bs = corpus(600, 29);
    let by_date = oldest_first(&bs);
    // A hundred briefings published at the same time as the edited one:
    // under "past" their lists count its hubs with it.
    let middle = by_date[300];
    let date = bs[middle].page.date;
    for &i in &by_date[250..350] {
        Arc::make_mut(&mut bs[i].page).date = date;
    }
    let mut memo = LinkMemo::default();
    linked_alike(&bs, &mut memo, "first");
    for (step, &other) in by_date[400..406].iter().enumerate() {
        let issue = bs[other].analysis.key_issues[0].clone();
        let entity = bs[other].analysis.entities[0].clone();
        let analysis = Arc::make_mut(&mut bs[middle].analysis);
        analysis.key_issues.push(issue);
        analysis.entities.push(entity);
        linked_alike(&bs, &mut memo, &format!("taken up, step {step}"));
        let analysis = Arc::make_mut(&mut bs[middle].analysis);
        analysis.key_issues.remove(0);
        analysis.entities.remove(0);
        linked_alike(&bs, &mut memo, &format!("dropped, step {step}"));
    }
}

/// `build` keeps its inline links (`cache::inline_links`): the next build
/// takes those whose inputs are the same, searches the others again, and
/// its links are still those of a build without the file.
#[test]
fn saved_inline_links_are_taken_while_their_inputs_hold() {
    use crate::cache::inline_links;
    let dir = tempfile::tempdir().unwrap();
    // Links `bs` from the saved links, as a build does, and saves them;
    // returns how many were taken and whether the file was written.
    let build = |bs: &[Briefing]| -> (usize, bool) {
        let mut memo = RelatedMemo::default();
        memo.inline = inline_links::load(dir.path());
        let model = link_with(bs.to_vec(), &options(), Kept::Related(&mut memo));
        assert_eq!(
            model.inline_links,
            link(bs.to_vec(), &options()).inline_links
        );
        let records = memo.inline.take_encoded();
        if let Some(records) = &records {
            inline_links::save(dir.path(), records).unwrap();
        }
        (memo.inline.reused, records.is_some())
    };
    let mut bs = spelled_two_ways();
    assert!(!link(bs.clone(), &options()).inline_links[0].is_empty());
    assert_eq!(build(&bs), (0, true));
    assert_eq!(build(&bs), (2, false), "the same site: nothing to write");

    // A new briefing spells the issue another way: the hub's spellings
    // change, so the links of both briefings on it are searched again.
    bs.push(briefing(
        "b/3.md",
        day(3),
        "Relief from sanctions is near, officials in Oman said.",
        &["relief from sanctions"],
        &[("Oman", EntityKind::Place)],
        &[],
    ));
    assert_eq!(build(&bs), (0, true));
    assert_eq!(build(&bs), (3, false));

    // A text edit: only that briefing is searched again.
    bs[0].push_text(" Oman hosted the talks.");
    assert_eq!(build(&bs), (2, true));

    // A damaged file is not used.
    let path = dir.path().join(inline_links::FILE);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
    assert_eq!(build(&bs), (0, true));

    // A larger site through edits and a removal.
    let mut bs = corpus(120, 9);
    assert_eq!(build(&bs).0, 0);
    assert_eq!(build(&bs), (120, false));
    bs[5].push_text(" Officials met again.");
    bs.remove(9);
    let (taken, written) = build(&bs);
    assert!(written && (100..119).contains(&taken), "{taken}");
}
