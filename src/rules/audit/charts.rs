//! What the audit screen draws: a histogram of durations and a count per shift day.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::intervals::Interval;

/// Upper bounds of the histogram buckets, in seconds (the last bucket has none).
pub const BUCKETS_S: [u64; 6] = [5 * 60, 15 * 60, 30 * 60, 3600, 2 * 3600, 6 * 3600];

/// One histogram bucket: intervals whose duration is at most `up_to_s` (and above the bucket
/// before); `None` for the last, open-ended one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// Upper bound in seconds, `None` for "longer".
    pub up_to_s: Option<u64>,
    /// How many intervals.
    pub count: u64,
}

/// One shift day: intervals that started in it, and how many broke their limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Day {
    /// The shift day (`YYYY-MM-DD`).
    pub day: String,
    /// Intervals started that day.
    pub intervals: u64,
    /// Of those, over their limit.
    pub breached: u64,
}

/// Durations of closed intervals in [`BUCKETS_S`] buckets.
pub fn histogram(kept: &[Interval]) -> Vec<Bucket> {
    let mut h = Histogram::default();
    kept.iter().for_each(|i| h.add(i));
    h.buckets()
}

/// Intervals and breaches per shift day, oldest first.
pub fn daily(kept: &[Interval]) -> Vec<Day> {
    let mut d = Daily::default();
    kept.iter().for_each(|i| d.add(i));
    d.days()
}

/// The histogram's counts, an interval at a time.
#[derive(Debug, Default, Clone)]
pub(super) struct Histogram([u64; BUCKETS_S.len() + 1]);

impl Histogram {
    /// Counts a closed interval in its bucket.
    pub(super) fn add(&mut self, i: &Interval) {
        if i.is_open() {
            return;
        }
        let s = i.duration.as_secs();
        let b = BUCKETS_S
            .iter()
            .position(|up| s <= *up)
            .unwrap_or(BUCKETS_S.len());
        self.0[b] += 1;
    }

    /// Adds another's counts.
    pub(super) fn merge(&mut self, other: &Histogram) {
        self.0.iter_mut().zip(other.0).for_each(|(a, b)| *a += b);
    }

    pub(super) fn buckets(&self) -> Vec<Bucket> {
        self.0
            .iter()
            .enumerate()
            .map(|(b, c)| Bucket {
                up_to_s: BUCKETS_S.get(b).copied(),
                count: *c,
            })
            .collect()
    }
}

/// The daily counts, an interval at a time.
#[derive(Debug, Default, Clone)]
pub(super) struct Daily {
    days: BTreeMap<NaiveDate, (u64, u64)>,
    /// Intervals come by incident, so in runs of one day: counted in a run, then added.
    run: Option<(NaiveDate, (u64, u64))>,
}

impl Daily {
    pub(super) fn add(&mut self, i: &Interval) {
        let over = u64::from(i.over().is_some());
        match &mut self.run {
            Some((day, (n, b))) if *day == i.shift => {
                *n += 1;
                *b += over;
            }
            run => {
                if let Some(r) = run.replace((i.shift, (1, over))) {
                    Self::add_run(&mut self.days, r);
                }
            }
        }
    }

    fn add_run(days: &mut BTreeMap<NaiveDate, (u64, u64)>, (day, (n, b)): (NaiveDate, (u64, u64))) {
        let e = days.entry(day).or_default();
        e.0 += n;
        e.1 += b;
    }

    /// Adds another's counts.
    pub(super) fn merge(&mut self, other: Daily) {
        other
            .days
            .into_iter()
            .chain(other.run)
            .for_each(|r| Self::add_run(&mut self.days, r));
    }

    pub(super) fn days(mut self) -> Vec<Day> {
        if let Some(r) = self.run.take() {
            Self::add_run(&mut self.days, r);
        }
        self.days
            .into_iter()
            .map(|(d, (n, b))| Day {
                day: d.to_string(),
                intervals: n,
                breached: b,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::audit::Stage;
    use chrono::DateTime;
    use std::time::Duration;

    fn interval(shift: &str, minutes: u64, limit: u64, open: bool) -> Interval {
        let t = DateTime::parse_from_rfc3339("2026-11-22T02:00:00+08:00").unwrap();
        Interval {
            incident: "20261122-001".into(),
            stage: Stage::ReceivedToFlagsResolved,
            start: t,
            end: (!open).then_some(t),
            level: None,
            category: None,
            officer: "李明".into(),
            shift: shift.parse().unwrap(),
            limit: Some(Duration::from_secs(limit * 60)),
            duration: Duration::from_secs(minutes * 60),
        }
    }

    #[test]
    fn buckets_and_days() {
        let kept = vec![
            interval("2026-11-21", 3, 30, false),
            interval("2026-11-21", 5, 30, false),
            interval("2026-11-22", 40, 30, false),
            interval("2026-11-22", 400, 30, false),
            interval("2026-11-22", 10, 30, true),
        ];
        let h = histogram(&kept);
        let counts: Vec<u64> = h.iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![2, 0, 0, 1, 0, 0, 1]);
        assert_eq!(h.last().unwrap().up_to_s, None);
        let d = daily(&kept);
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].intervals, d[0].breached), (2, 0));
        assert_eq!((d[1].intervals, d[1].breached), (3, 2));
    }

    #[test]
    fn days_that_come_back_are_added_up_in_order() {
        let kept = vec![
            interval("2026-11-22", 40, 30, false),
            interval("2026-11-21", 5, 30, false),
            interval("2026-11-22", 400, 30, true),
            interval("2026-11-22", 10, 30, false),
            interval("2026-11-20", 50, 30, false),
            interval("2026-11-21", 60, 30, false),
        ];
        let d: Vec<(String, u64, u64)> = daily(&kept)
            .into_iter()
            .map(|d| (d.day, d.intervals, d.breached))
            .collect();
        assert_eq!(
            d,
            [
                ("2026-11-20".to_string(), 1, 1),
                ("2026-11-21".to_string(), 2, 1),
                ("2026-11-22".to_string(), 3, 2),
            ]
        );
        assert!(daily(&[]).is_empty());
    }
}
