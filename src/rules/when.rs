//! Times as officers type them: `02:05` (today, or yesterday when that is still to come),
//! `12-03 02:05`, `2026-12-03 02:05`, `2026年12月3日 2时5分`, RFC 3339. A pure function of the
//! text, `now` and the display zone; what it cannot read exactly stays the caller's words (a
//! vague time, flagged as one). Shown back in full so the officer can confirm.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime};

use crate::clock::Zone;
use crate::domain::{OccurredAt, ReportDraft};

/// A time of day later than `now` by more than this is taken as yesterday's.
const AHEAD: Duration = Duration::minutes(10);

/// Reads a typed time exactly, or `None` when it is not an exact time (words, a hedge, a
/// range). A date without a year is this year's, or last year's when that is more than a day
/// ahead; a time without a date is the latest such time not ahead of `now`.
pub fn typed(s: &str, now: DateTime<FixedOffset>, zone: Zone) -> Option<DateTime<FixedOffset>> {
    let s = normalise(s);
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(&s) {
        return Some(t);
    }
    let local_now = zone.localize(now.to_utc()).naive_local();
    let (date, time) = match s.split_once(' ') {
        Some((d, t)) => (Some(d), t),
        None => (None, s.as_str()),
    };
    let time = clock_time(time)?;
    let naive = match date {
        None => {
            let today = local_now.date().and_time(time);
            if today > local_now + AHEAD {
                today - Duration::days(1)
            } else {
                today
            }
        }
        Some(d) => {
            let (y, m, day) = date_parts(d)?;
            let pick = |y: i32| NaiveDate::from_ymd_opt(y, m, day).map(|d| d.and_time(time));
            match y {
                Some(y) => pick(y)?,
                None => {
                    let this = pick(local_now.year())?;
                    if this > local_now + Duration::days(1) {
                        pick(local_now.year() - 1)?
                    } else {
                        this
                    }
                }
            }
        }
    };
    zone.from_local(naive)
}

/// Turns an `occurred_at` typed in words that are in fact an exact time into that time.
pub fn resolve_draft(draft: &mut ReportDraft, now: DateTime<FixedOffset>, zone: Zone) {
    if let Some(OccurredAt::Words(w)) = &draft.occurred_at {
        if let Some(t) = typed(w, now, zone) {
            draft.occurred_at = Some(OccurredAt::At(t));
        }
    }
}

/// Full-width digits and colons to ASCII, `T` between date and time to a space, runs of
/// space to one; `年月日` to dashes, `时/点 分` to a colon.
fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        let c = match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '：' => ':',
            '／' => '/',
            '－' => '-',
            c => c,
        };
        out.push(c);
    }
    if !out.contains('+') && !out.ends_with('Z') {
        // "2026-12-03T02:05" without an offset: a local time.
        if let Some(i) = out.find('T').filter(|i| *i >= 5) {
            out.replace_range(i..i + 1, " ");
        }
    }
    let out = out
        .replace(['年', '月'], "-")
        .replace('日', " ")
        .replace(['时', '点'], ":")
        .replace('分', "");
    let out = out.replace('/', "-");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `HH:MM` or `HH:MM:SS` (a trailing colon from `2时` alone means `:00`).
fn clock_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    let s = s
        .strip_suffix(':')
        .map_or(s.to_string(), |h| format!("{h}:00"));
    let parts: Vec<&str> = s.split(':').collect();
    let num = |p: &str| -> Option<u32> {
        (!p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    match parts.as_slice() {
        [h, m] => NaiveTime::from_hms_opt(num(h)?, num(m)?, 0),
        [h, m, sec] => NaiveTime::from_hms_opt(num(h)?, num(m)?, num(sec)?),
        _ => None,
    }
}

/// `2026-12-03`, `12-03`, with the separators already made dashes: (year, month, day).
fn date_parts(s: &str) -> Option<(Option<i32>, u32, u32)> {
    let parts: Vec<&str> = s.trim_end_matches('-').split('-').collect();
    let num = |p: &str| -> Option<u32> {
        (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => Some((Some(num(y)? as i32), num(m)?, num(d)?)),
        [m, d] => Some((None, num(m)?, num(d)?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn times_as_officers_type_them() {
        let zone = Zone::parse("Asia/Shanghai").unwrap();
        let now = at("2026-12-03T02:10:00+08:00");
        // (typed, read as)
        let cases: Vec<(&str, Option<&str>)> = vec![
            ("02:05", Some("2026-12-03T02:05:00+08:00")),
            ("2:05", Some("2026-12-03T02:05:00+08:00")),
            ("02：05", Some("2026-12-03T02:05:00+08:00")),
            ("02:15", Some("2026-12-03T02:15:00+08:00")), // within the ten minutes' slack
            ("23:40", Some("2026-12-02T23:40:00+08:00")), // yesterday, by the night shift
            ("02:05:30", Some("2026-12-03T02:05:30+08:00")),
            ("12-03 02:05", Some("2026-12-03T02:05:00+08:00")),
            ("12/02 23:40", Some("2026-12-02T23:40:00+08:00")),
            ("12-31 23:00", Some("2025-12-31T23:00:00+08:00")), // last year's, not ahead
            ("2026-12-03 02:05", Some("2026-12-03T02:05:00+08:00")),
            ("2026/12/3 2:05", Some("2026-12-03T02:05:00+08:00")),
            ("2026-12-03T02:05", Some("2026-12-03T02:05:00+08:00")),
            ("2026年12月3日 2时5分", Some("2026-12-03T02:05:00+08:00")),
            ("12月3日2点", Some("2026-12-03T02:00:00+08:00")),
            ("2026-12-02T18:05:00Z", Some("2026-12-02T18:05:00+00:00")),
            (
                "2026-12-03T02:05:00+08:00",
                Some("2026-12-03T02:05:00+08:00"),
            ),
            // Not exact: the caller's words stay words.
            ("两点左右", None),
            ("02:05左右", None),
            ("凌晨两点多", None),
            ("2点多", None),
            ("昨晚", None),
            ("25:00", None),
            ("02:61", None),
            ("13-40 02:00", None),
            ("", None),
            ("about 2am", None),
        ];
        for (typed_text, want) in cases {
            assert_eq!(typed(typed_text, now, zone), want.map(at), "{typed_text:?}");
        }
    }

    #[test]
    fn a_dst_gap_is_not_an_exact_time() {
        let zone = Zone::parse("America/New_York").unwrap();
        let now = at("2026-03-08T12:00:00-04:00");
        assert_eq!(typed("2026-03-08 02:30", now, zone), None);
        assert_eq!(
            typed("2026-03-08 01:30", now, zone),
            Some(at("2026-03-08T01:30:00-05:00"))
        );
        assert_eq!(
            typed("2026-03-08 03:30", now, zone),
            Some(at("2026-03-08T03:30:00-04:00"))
        );
    }
}
