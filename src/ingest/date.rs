//! Article dates as found in metadata (`2026-10-19T07:30:00Z`) or datelines
//! (`Nov. 3, 2026`, `3 November 2026`).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};

/// A date read from an article: a calendar day, or an instant with its offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleDate {
    Day(NaiveDate),
    Instant(DateTime<FixedOffset>),
}

/// Parses a metadata date: RFC 3339, a local date-time, or a plain date;
/// failing those, the first date written out in words.
pub fn parse(text: &str) -> Option<ArticleDate> {
    let text = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(ArticleDate::Instant(dt));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            return Some(ArticleDate::Day(local.date()));
        }
    }
    find_in_text(text)
}

/// The first date in running text: `2026-11-03`, `November 3, 2026`,
/// `Nov. 3, 2026` or `3 Nov 2026`.
pub fn find_in_text(text: &str) -> Option<ArticleDate> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_matches(|c: char| matches!(c, '.' | '(' | ')' | '—' | '–')))
        .filter(|w| !w.is_empty())
        .collect();
    for (i, word) in words.iter().enumerate() {
        if let Some(iso) = word.get(..10) {
            if let Ok(d) = NaiveDate::parse_from_str(iso, "%Y-%m-%d") {
                return Some(ArticleDate::Day(d));
            }
        }
        let Some(month) = month_number(word) else {
            continue;
        };
        let next = |k: usize| words.get(i + k).and_then(|w| w.parse::<u32>().ok());
        let prev = i.checked_sub(1).and_then(|p| {
            words[p]
                .trim_end_matches(['s', 't', 'n', 'd', 'r', 'h'])
                .parse::<u32>()
                .ok()
        });
        let day_month_year = prev.zip(next(1)).map(|(d, y)| (y, d));
        let month_day_year = next(1).zip(next(2)).map(|(d, y)| (y, d));
        for (year, day) in month_day_year.into_iter().chain(day_month_year) {
            if let Some(d) = NaiveDate::from_ymd_opt(year as i32, month, day) {
                if (1900..=2200).contains(&year) {
                    return Some(ArticleDate::Day(d));
                }
            }
        }
    }
    None
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = word.to_lowercase();
    if w.len() < 3 {
        return None;
    }
    let w = if w == "sept" { "sep".to_string() } else { w };
    MONTHS
        .iter()
        .position(|m| *m == w || (w.len() == 3 && m.starts_with(w.as_str())))
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Option<ArticleDate> {
        Some(ArticleDate::Day(NaiveDate::from_ymd_opt(y, m, d).unwrap()))
    }

    #[test]
    fn metadata_and_datelines() {
        assert!(matches!(
            parse("2026-10-19T07:30:00Z"),
            Some(ArticleDate::Instant(_))
        ));
        assert_eq!(parse("2026-10-19"), day(2026, 10, 19));
        assert_eq!(parse("19 October 2026"), day(2026, 10, 19));
        assert_eq!(
            find_in_text("WASHINGTON, Nov. 3, 2026 — Officials said"),
            day(2026, 11, 3)
        );
        assert_eq!(
            find_in_text("Published on 3rd March 2025."),
            day(2025, 3, 3)
        );
        assert_eq!(find_in_text("They may meet in March."), None);
    }
}
