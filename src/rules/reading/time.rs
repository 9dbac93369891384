//! When it happened, from the words: "凌晨2时05分", "今日凌晨两点", "昨晚十点多", "02:05",
//! "at 2:05 am", "around 3 pm". An exact clock time becomes a time on the day the report was
//! received (the day before when that would be later than the report, or when the words say
//! 昨天/昨晚); a vague one (许, 左右, 多, 前后, around) stays as the caller's words.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, TimeZone};
use regex::Regex;

use crate::domain::OccurredAt;

pub(crate) struct Times {
    zh: Regex,
    clock: Regex,
    en: Regex,
}

/// A time phrase found: what it means and where (normalised character offsets).
pub(crate) struct FoundTime {
    pub at: OccurredAt,
    pub s: usize,
    pub e: usize,
}

fn zh_number(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    match crate::domain::Count::parse(s)? {
        crate::domain::Count::Known(n) => Some(n),
        _ => None,
    }
}

impl Times {
    pub(crate) fn new() -> Option<Times> {
        let zh = Regex::new(
            r"(今天|今日|今晨|昨天|昨日|昨晚|昨夜|前天)?(凌晨|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|夜间|夜里|深夜|午夜)?([0-9]{1,2}|[零一二两三四五六七八九十]{1,3})(?:时|点)(?:([0-9]{1,2}|[零一二三四五六七八九十]{1,3})分|(半))?(许|左右|多|前后|左右)?",
        )
        .ok()?;
        let clock =
            Regex::new(r"(?:^|[^0-9:])([01]?[0-9]|2[0-3]):([0-5][0-9])(?:[^0-9:]|$)").ok()?;
        let en = Regex::new(
            r"\b(?:at|around|about|shortly after|just after|before)\s+(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)",
        )
        .ok()?;
        Some(Times { zh, clock, en })
    }

    /// The first time phrase of the text, read against `received`.
    pub(crate) fn find(&self, text: &str, received: DateTime<FixedOffset>) -> Option<FoundTime> {
        [
            self.zh(text, received),
            self.clock(text, received),
            self.en(text, received),
        ]
        .into_iter()
        .flatten()
        .min_by_key(|f| f.s)
    }

    /// 凌晨2时05分, 今日凌晨两点, 昨晚十点多.
    fn zh(&self, text: &str, received: DateTime<FixedOffset>) -> Option<FoundTime> {
        let m = self.zh.captures(text)?;
        let all = m.get(0)?;
        let day = m.get(1).map(|d| d.as_str());
        let part = m.get(2).map(|p| p.as_str());
        let hour = zh_number(m.get(3)?.as_str());
        let minute = match (m.get(4), m.get(5)) {
            (Some(mm), _) => zh_number(mm.as_str()),
            (None, Some(_)) => Some(30),
            _ => Some(0),
        };
        let said = all.as_str().to_string();
        let at = match (hour, minute) {
            (Some(h), Some(mi)) if m.get(6).is_none() && h <= 24 && mi < 60 => {
                let h = match part {
                    Some("下午" | "傍晚" | "晚上") if h < 12 => h + 12,
                    Some("中午") if h < 6 => h + 12,
                    Some("夜间" | "夜里" | "深夜") if (6..12).contains(&h) => h + 12,
                    None if matches!(day, Some("昨晚" | "昨夜")) && (6..12).contains(&h) => {
                        h + 12
                    }
                    _ => h,
                };
                let back = match day {
                    Some("昨天" | "昨日" | "昨晚" | "昨夜") => 1,
                    Some("前天") => 2,
                    _ => 0,
                };
                on_day(received, h % 24, mi, back, day.is_none())
                    .map(OccurredAt::At)
                    .unwrap_or(OccurredAt::Words(said))
            }
            _ => OccurredAt::Words(said),
        };
        Some(found(text, at, all.start(), all.end()))
    }

    /// 02:05, 22:40.
    fn clock(&self, text: &str, received: DateTime<FixedOffset>) -> Option<FoundTime> {
        let m = self.clock.captures(text)?;
        let (h, mi) = (m.get(1)?, m.get(2)?);
        let t = on_day(
            received,
            h.as_str().parse().ok()?,
            mi.as_str().parse().ok()?,
            0,
            true,
        )?;
        Some(found(text, OccurredAt::At(t), h.start(), mi.end()))
    }

    /// at 2:05 am, around 3 pm (vague: kept as words).
    fn en(&self, text: &str, received: DateTime<FixedOffset>) -> Option<FoundTime> {
        let m = self.en.captures(text)?;
        let all = m.get(0)?;
        let h: u32 = m.get(1)?.as_str().parse().ok()?;
        let mi: u32 = m.get(2).map_or(Some(0), |x| x.as_str().parse().ok())?;
        let pm = m.get(3).is_some_and(|x| x.as_str().starts_with('p'));
        let vague = all.as_str().starts_with("around") || all.as_str().starts_with("about");
        let h = if pm && h < 12 {
            h + 12
        } else if !pm && h == 12 {
            0
        } else {
            h
        };
        let words = || OccurredAt::Words(all.as_str().to_string());
        let at = match vague {
            true => words(),
            false => on_day(received, h, mi, 0, true).map_or_else(words, OccurredAt::At),
        };
        Some(found(text, at, all.start(), all.end()))
    }
}

/// A time found at bytes `[b, e)` of `text`.
fn found(text: &str, at: OccurredAt, b: usize, e: usize) -> FoundTime {
    FoundTime {
        at,
        s: text[..b].chars().count(),
        e: text[..e].chars().count(),
    }
}

/// `h:mi` on the day of `received`, `back` days earlier; with `roll`, the day before when that
/// would be later than the report.
fn on_day(
    received: DateTime<FixedOffset>,
    h: u32,
    mi: u32,
    back: i64,
    roll: bool,
) -> Option<DateTime<FixedOffset>> {
    let day = received.date_naive() - Duration::days(back);
    let t = NaiveTime::from_hms_opt(h, mi, 0)?;
    let at = received
        .offset()
        .from_local_datetime(&day.and_time(t))
        .single()?;
    if roll && at > received {
        return Some(at - Duration::days(1));
    }
    (at <= received).then_some(at)
}
