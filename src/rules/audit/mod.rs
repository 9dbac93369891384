//! The response-time audit (我们慢在哪里 — where are we slow?): from the log alone, how long each
//! stage of each incident took, against the limits, grouped, with the breaches and the slowest
//! stage named. Pure: events in, an [`AuditReport`] out; the caller reads the log, checks the
//! chain and passes `now`. Must not import `store`, `service` or `cli`.
//!
//! Every stage is measured now ([`Stage::MEASURED`]): flags, the leader and notice stages, and
//! the instruction stages (instructions that concern an incident); `not_measured` in the report
//! stays for stages a future version adds before their events exist.
//!
//! # The JSON shape (`dutydesk audit --format json`), stable
//!
//! ```json
//! {
//!   "period": {"from": "2026-11-01", "to": "2026-11-30"},
//!   "as_of": "2026-12-01T09:00:00+08:00",
//!   "by": "officer",
//!   "chain_verified": true,
//!   "events_read": 48211,
//!   "incidents": 312,
//!   "stages": [{"stage": "received_to_flags_resolved", "group": null, "count": 240, "open": 3,
//!               "p50_s": 840, "p90_s": 2520, "p95_s": 3300, "max_s": 9000,
//!               "within": 190, "breached": 47, "compliance": 0.8017}],
//!   "groups": [{"stage": "received_to_flags_resolved", "group": "张三", "count": 80, "…": "…"}],
//!   "breaches": [{"incident": "20261122-003", "stage": "received_to_flags_resolved",
//!                 "officer": "张三", "shift": "2026-11-22", "duration_s": 5400,
//!                 "limit_s": 1800, "over_s": 3600, "open": false}],
//!   "slowest": {"stage": "received_to_flags_resolved", "zh": "我们最慢的环节是…", "en": "we are slowest at …"},
//!   "not_measured": ["received_to_leader_reported", "…"],
//!   "histogram": [{"up_to_s": 300, "count": 120}, "…", {"up_to_s": null, "count": 4}],
//!   "daily": [{"day": "2026-11-22", "intervals": 14, "breached": 2}]
//! }
//! ```
//!
//! `period.from`/`to` are shift days, inclusive (`null` = open-ended); an incident belongs to
//! the period of the shift in which it was received. `by` is `null` (and `groups` empty) without
//! grouping. Durations are whole seconds; `p*_s`/`max_s` are `null` for an empty row;
//! `compliance` is a share in 0…1 or `null` when nothing is decided (see [`stats`]).
//! `histogram` buckets closed durations at 5 m, 15 m, 30 m, 1 h, 2 h, 6 h and longer;
//! `daily` counts intervals and breaches per shift day (both added for the audit screen).

pub mod charts;
pub mod event;
pub mod figures;
mod instruction_stages;
pub mod intervals;
mod notice_stages;
pub mod shift;
pub mod stats;

pub use event::{AuditBody, AuditEvent};
pub use figures::Figures;
pub use intervals::{intervals, Interval, IntervalFold, Stage};
pub use shift::shift_day;
pub use stats::{percentile, Breach, GroupBy, Slowest, StageRow};

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// The audited period: shift days, inclusive; `None` = open-ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// The first shift day.
    pub from: Option<NaiveDate>,
    /// The last shift day.
    pub to: Option<NaiveDate>,
}

impl Period {
    /// True when a shift day lies in the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }
}

/// What the caller learnt while reading the log, which the rules cannot know.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Source {
    /// Events read.
    pub events_read: u64,
    /// Incidents received in the period.
    pub incidents: u64,
    /// The hash chain of the events the figures rest on verified.
    pub chain_verified: bool,
}

/// The audit: the documented JSON shape above.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    /// The period audited.
    pub period: Period,
    /// The time open stages were measured to.
    pub as_of: DateTime<FixedOffset>,
    /// The grouping of `groups`, if any.
    pub by: Option<GroupBy>,
    /// The hash chain from the period's first event to its last verified.
    pub chain_verified: bool,
    /// Events read from the log.
    pub events_read: u64,
    /// Incidents received in the period.
    pub incidents: u64,
    /// Per-stage totals, one row per measured stage.
    pub stages: Vec<StageRow>,
    /// Per stage and group.
    pub groups: Vec<StageRow>,
    /// Intervals over their limit, the worst first.
    pub breaches: Vec<Breach>,
    /// The slowest stage in one sentence, if any stage has data.
    pub slowest: Option<Slowest>,
    /// Stages the log cannot measure yet (their events do not exist).
    pub not_measured: Vec<Stage>,
    /// Durations of closed intervals in buckets (for the histogram).
    #[serde(default)]
    pub histogram: Vec<charts::Bucket>,
    /// Intervals and breaches per shift day (for the sparkline).
    #[serde(default)]
    pub daily: Vec<charts::Day>,
}

/// Frees `value` on a thread of its own, so that the caller goes on meanwhile (freeing the
/// intervals of 100k incidents, each holding shared strings, takes tens of milliseconds that
/// the report's output need not wait for). Freed here if no thread can be started.
pub fn drop_aside<T: Send + 'static>(value: T) {
    let _ = aside::<T>().send(value);
}

/// As [`drop_aside`], for values sent one after another (memory is freed as it goes, and
/// reused). If no thread can be started, a send fails and the value is freed by the sender.
fn aside<T: Send + 'static>() -> std::sync::mpsc::Sender<T> {
    let (tx, rx) = std::sync::mpsc::channel::<T>();
    let _ = std::thread::Builder::new()
        .name("drop-aside".into())
        .spawn(move || rx.into_iter().for_each(drop));
    tx
}

/// Builds the report from all intervals: keeps those of incidents received in `period`.
pub fn build(
    all: Vec<Interval>,
    period: Period,
    by: Option<GroupBy>,
    now: DateTime<FixedOffset>,
    source: Source,
) -> AuditReport {
    let mut figures = Figures::new(by);
    all.iter()
        .filter(|i| period.contains(i.shift))
        .for_each(|i| figures.add(i));
    drop_aside(all);
    figures.report(period, now, source)
}

#[cfg(test)]
mod tests;
