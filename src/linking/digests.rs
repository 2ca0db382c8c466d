//! Digests (the briefings of one day or ISO week in the site's timezone) and
//! the monthly archive.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

use super::hubs::HubSet;
use rayon::prelude::*;

use super::{date_of, local_day, LinkOptions};
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

/// The first day of the period holding `day`.
fn period_start(day: NaiveDate, period: DigestPeriod) -> NaiveDate {
    match period {
        DigestPeriod::Day => day,
        DigestPeriod::Week => {
            let week = day.iso_week();
            NaiveDate::from_isoywd_opt(week.year(), week.week(), chrono::Weekday::Mon)
                .unwrap_or(day)
        }
    }
}

/// A period's URL key and last day, from its first day.
fn period_key(start: NaiveDate, period: DigestPeriod) -> (String, NaiveDate) {
    match period {
        DigestPeriod::Day => (start.format("%Y-%m-%d").to_string(), start),
        DigestPeriod::Week => {
            let week = start.iso_week();
            let end = start + chrono::Days::new(6);
            (format!("{}-W{:02}", week.year(), week.week()), end)
        }
    }
}

/// Each briefing's day in the site's timezone. Once per build: a
/// timezone conversion per briefing per use was most of this stage.
pub(super) fn local_days(briefings: &[Briefing], tz: Tz) -> Vec<NaiveDate> {
    briefings
        .par_iter()
        .map(|b| local_day(date_of(b), tz))
        .collect()
}

pub(super) fn group(
    days: &[NaiveDate],
    hubs: &HubSet,
    options: &LinkOptions,
) -> (Vec<Digest>, Vec<usize>) {
    // Periods by first day; keys are made once per period.
    let mut by_start: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
    for (i, day) in days.iter().enumerate() {
        by_start
            .entry(period_start(*day, options.digest_period))
            .or_default()
            .push(i);
    }
    let by_key = by_start.into_iter().map(|(start, members)| {
        let (key, end) = period_key(start, options.digest_period);
        Digest {
            key,
            period: options.digest_period,
            start,
            end,
            members,
            issues: Vec::new(),
        }
    });
    let mut digests: Vec<Digest> = by_key.rev().collect();
    let mut digest_of = vec![0; days.len()];
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

pub(super) fn months(days: &[NaiveDate]) -> Vec<ArchiveMonth> {
    let mut by_month: BTreeMap<(i32, u32), Vec<usize>> = BTreeMap::new();
    for (i, day) in days.iter().enumerate() {
        by_month
            .entry((day.year(), day.month()))
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
