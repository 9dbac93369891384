//! The report's figures gathered an interval at a time ([`Figures`]): the per-stage and
//! per-group tallies, the breaches and the charts' counts. An audit of a large log never holds
//! its intervals (100k incidents make 600k, of 120 bytes each): they are made a few hundred
//! incidents at a time, added here and dropped, and halves of the incidents are gathered on
//! two threads and merged ([`super::IntervalFold::figures`]).

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};

use super::charts::{Daily, Histogram};
use super::intervals::{Interval, Stage};
use super::stats::{self, Breach, GroupBy, StageRow, Tally};
use super::{AuditReport, Period, Source};

/// One tally per stage, indexed by the stage's place in [`Stage::ALL`].
type ByStage = [Tally; Stage::ALL.len()];

/// What the report counts of the intervals added so far.
#[derive(Debug, Default)]
pub struct Figures {
    by: Option<GroupBy>,
    totals: ByStage,
    /// The groups' keys (`None`: a category not stated) and their tallies, in the order met.
    groups: Vec<(Option<String>, ByStage)>,
    /// Where each stated key is in `groups`.
    named: HashMap<String, usize>,
    /// Where the `None` key is in `groups`.
    unnamed: Option<usize>,
    breaches: Vec<Breach>,
    histogram: Histogram,
    daily: Daily,
}

impl Figures {
    /// Nothing counted yet; rows per group too when `by` is given.
    pub fn new(by: Option<GroupBy>) -> Figures {
        Figures {
            by,
            ..Figures::default()
        }
    }

    /// Counts one interval.
    pub fn add(&mut self, i: &Interval) {
        // The stages are declared in the order of `Stage::ALL`.
        let stage = i.stage as usize;
        if let Some(t) = self.totals.get_mut(stage) {
            t.add(i);
        }
        if let Some(by) = self.by {
            let g = self.group(by.key_of(i));
            if let Some(t) = self.groups.get_mut(g).and_then(|(_, t)| t.get_mut(stage)) {
                t.add(i);
            }
        }
        if let Some(b) = Breach::of(i) {
            self.breaches.push(b);
        }
        self.histogram.add(i);
        self.daily.add(i);
    }

    /// The place of a group key in `groups`, added if new.
    fn group(&mut self, key: Option<Cow<'_, str>>) -> usize {
        let found = match &key {
            Some(k) => self.named.get(k.as_ref()).copied(),
            None => self.unnamed,
        };
        found.unwrap_or_else(|| {
            let g = self.groups.len();
            match &key {
                Some(k) => {
                    self.named.insert(k.to_string(), g);
                }
                None => self.unnamed = Some(g),
            }
            self.groups
                .push((key.map(Cow::into_owned), ByStage::default()));
            g
        })
    }

    /// Adds what another gathering counted (of other intervals, with the same grouping).
    pub fn merge(&mut self, other: Figures) {
        for (mine, theirs) in self.totals.iter_mut().zip(other.totals) {
            mine.merge(theirs);
        }
        for (key, tallies) in other.groups {
            let g = self.group(key.map(Cow::Owned));
            if let Some((_, mine)) = self.groups.get_mut(g) {
                for (m, t) in mine.iter_mut().zip(tallies) {
                    m.merge(t);
                }
            }
        }
        self.breaches.extend(other.breaches);
        self.histogram.merge(&other.histogram);
        self.daily.merge(other.daily);
    }

    /// The report of what was counted.
    pub fn report(self, period: Period, now: DateTime<FixedOffset>, source: Source) -> AuditReport {
        let Figures {
            by,
            totals,
            groups,
            breaches,
            histogram,
            daily,
            ..
        } = self;
        // The breaches' sort, the longest part, on another thread beside the rows.
        let (breaches, stages, groups) = std::thread::scope(|s| {
            let sorted = s.spawn(|| stats::sort_breaches(breaches));
            let stages: Vec<StageRow> = Stage::ALL
                .into_iter()
                .zip(totals)
                .filter(|(stage, _)| Stage::MEASURED.contains(stage))
                .map(|(stage, t)| t.row(stage, None))
                .collect();
            let mut rows: Vec<StageRow> = groups
                .into_iter()
                .flat_map(|(key, tallies)| {
                    Stage::ALL
                        .into_iter()
                        .zip(tallies)
                        .filter(|(_, t)| !t.is_empty())
                        .map(move |(stage, t)| t.row(stage, key.clone()))
                })
                .collect();
            rows.sort_by(|a, b| (a.stage, &a.group).cmp(&(b.stage, &b.group)));
            let sorted = sorted
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (sorted, stages, rows)
        });
        AuditReport {
            period,
            as_of: now,
            by,
            chain_verified: source.chain_verified,
            events_read: source.events_read,
            incidents: source.incidents,
            slowest: stats::slowest(&stages),
            groups,
            breaches,
            histogram: histogram.buckets(),
            daily: daily.days(),
            stages,
            not_measured: Stage::ALL
                .into_iter()
                .filter(|s| !Stage::MEASURED.contains(s))
                .collect(),
        }
    }
}
