//! Digests (the briefings of one day or ISO week in the site's timezone) and
//! the monthly archive.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

use super::hubs::HubSet;
use super::{date_of, local_day, local_month, LinkOptions};
use crate::briefings::Briefing;
use crate::config::DigestPeriod;

/// The briefings of one period.
#[derive(Debug, Clone)]
pub struct Digest {
    /// URL key: `2026-11-03`, or `2026-W45` for weeks.
    pub key: String,
    pub period: DigestPeriod,
    /// First and last day of the period.
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Briefing indices, newest first.
    pub members: Vec<usize>,
    /// Issue hubs most present in the period (hub index, briefings).
    pub issues: Vec<(usize, usize)>,
}

/// The briefings of one calendar month.
#[derive(Debug, Clone)]
pub struct ArchiveMonth {
    pub year: i32,
    pub month: u32,
    pub members: Vec<usize>,
}

fn period_of(day: NaiveDate, period: DigestPeriod) -> (String, NaiveDate, NaiveDate) {
    match period {
        DigestPeriod::Day => (day.format("%Y-%m-%d").to_string(), day, day),
        DigestPeriod::Week => {
            let week = day.iso_week();
            let start = NaiveDate::from_isoywd_opt(week.year(), week.week(), chrono::Weekday::Mon)
                .unwrap_or(day);
            let end = start + chrono::Days::new(6);
            (format!("{}-W{:02}", week.year(), week.week()), start, end)
        }
    }
}

pub(super) fn group(
    briefings: &[Briefing],
    hubs: &HubSet,
    options: &LinkOptions,
) -> (Vec<Digest>, Vec<usize>) {
    let mut by_key: BTreeMap<String, Digest> = BTreeMap::new();
    for (i, b) in briefings.iter().enumerate() {
        let (key, start, end) = period_of(
            local_day(date_of(b), options.timezone),
            options.digest_period,
        );
        by_key
            .entry(key.clone())
            .or_insert_with(|| Digest {
                key,
                period: options.digest_period,
                start,
                end,
                members: Vec::new(),
                issues: Vec::new(),
            })
            .members
            .push(i);
    }
    let mut digests: Vec<Digest> = by_key.into_values().rev().collect();
    let mut digest_of = vec![0; briefings.len()];
    for (d, digest) in digests.iter_mut().enumerate() {
        let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
        for &m in &digest.members {
            digest_of[m] = d;
            for &h in &hubs.issue_members[m] {
                *counts.entry(h).or_insert(0) += 1;
            }
        }
        let mut ranked: Vec<(usize, usize)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(8);
        digest.issues = ranked;
    }
    (digests, digest_of)
}

pub(super) fn months(briefings: &[Briefing], tz: Tz) -> Vec<ArchiveMonth> {
    let mut by_month: BTreeMap<(i32, u32), Vec<usize>> = BTreeMap::new();
    for (i, b) in briefings.iter().enumerate() {
        by_month
            .entry(local_month(date_of(b), tz))
            .or_default()
            .push(i);
    }
    by_month
        .into_iter()
        .rev()
        .map(|((year, month), members)| ArchiveMonth {
            year,
            month,
            members,
        })
        .collect()
}
