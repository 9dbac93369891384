//! Audit statistics: count, p50/p90/p95/max and compliance per stage and group, the breaches,
//! and the slowest stage in one sentence. Pure: intervals in, numbers out.
//!
//! Percentiles use the **nearest-rank** method: for `n` durations sorted ascending, the p-th
//! percentile is the value at 1-based rank `⌈p·n/100⌉` (at least 1) — always a duration that
//! was actually observed, never an interpolation. p50 of 10, 20, 30, 40 is 20; p90 is 40.
//!
//! Compliance is `within / (within + breached)`: an interval is *within* when it ended inside
//! its limit and *breached* when it took (or, still open, has already taken) longer. Intervals
//! without a limit, and open ones still inside it, are not yet decided and not counted.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, NaiveDate};

use serde::{Deserialize, Serialize};

use super::intervals::{Interval, Stage};
use crate::domain::Lang;

/// How rows are grouped besides the per-stage totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// By the officer who took the incident in.
    Officer,
    /// By shift day (`YYYY-MM-DD`).
    Shift,
    /// By category key.
    Category,
    /// By level (`I`…`IV`, `ungraded`).
    Level,
    /// By the month of the shift day (`YYYY-MM`).
    Month,
}

impl GroupBy {
    /// The snake_case name, as in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Officer => "officer",
            GroupBy::Shift => "shift",
            GroupBy::Category => "category",
            GroupBy::Level => "level",
            GroupBy::Month => "month",
        }
    }

    /// The group key of an interval; `None` when the incident did not state it (category).
    pub fn key(self, i: &Interval) -> Option<String> {
        self.key_of(i).map(Cow::into_owned)
    }

    /// As [`key`](Self::key), borrowed where it can be.
    fn key_of(self, i: &Interval) -> Option<Cow<'_, str>> {
        match self {
            GroupBy::Officer => Some(Cow::Borrowed(&i.officer)),
            GroupBy::Shift => Some(Cow::Owned(i.shift.to_string())),
            GroupBy::Category => i.category.as_deref().map(Cow::Borrowed),
            GroupBy::Level => Some(Cow::Borrowed(i.level.map_or("ungraded", |l| l.key()))),
            GroupBy::Month => Some(Cow::Owned(format!(
                "{:04}-{:02}",
                i.shift.year(),
                i.shift.month()
            ))),
        }
    }
}

/// The nearest-rank percentile of durations sorted ascending; `None` when there are none.
pub fn percentile(sorted: &[Duration], p: u32) -> Option<Duration> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (p as usize * n).div_ceil(100).clamp(1, n);
    sorted.get(rank - 1).copied()
}

/// One row of statistics: a stage, overall or for one group. Durations in whole seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageRow {
    /// The stage.
    pub stage: Stage,
    /// The group key (`null` in the per-stage totals, and for a category not stated).
    pub group: Option<String>,
    /// Intervals, open ones included.
    pub count: u64,
    /// Of which still open (measured to `as_of`).
    pub open: u64,
    /// Median, nearest rank.
    pub p50_s: Option<u64>,
    /// 90th percentile, nearest rank.
    pub p90_s: Option<u64>,
    /// 95th percentile, nearest rank.
    pub p95_s: Option<u64>,
    /// The longest.
    pub max_s: Option<u64>,
    /// Ended within their limit.
    pub within: u64,
    /// Exceeded their limit (open ones included).
    pub breached: u64,
    /// `within / (within + breached)`, `null` when nothing is decided.
    pub compliance: Option<f64>,
}

/// One interval that exceeded its limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breach {
    /// The incident number.
    pub incident: Arc<str>,
    /// The stage.
    pub stage: Stage,
    /// The officer who took it in.
    pub officer: Arc<str>,
    /// The shift day (`YYYY-MM-DD` in JSON).
    pub shift: NaiveDate,
    /// How long it took (so far, when open).
    pub duration_s: u64,
    /// The limit.
    pub limit_s: u64,
    /// By how much it is over.
    pub over_s: u64,
    /// Still open.
    pub open: bool,
}

/// The slowest stage, named in both languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slowest {
    /// The stage.
    pub stage: Stage,
    /// 我们最慢的环节是…
    pub zh: String,
    /// we are slowest at …
    pub en: String,
}

/// The nearest-rank percentiles `ps` (ascending) of unsorted durations, by selection rather
/// than a full sort (each is the value a sort would put at its rank).
fn percentiles<const N: usize>(d: &mut [Duration], ps: [u32; N]) -> [Option<Duration>; N] {
    let n = d.len();
    let mut out = [None; N];
    let mut done = 0;
    for (k, p) in ps.into_iter().enumerate() {
        if n == 0 {
            break;
        }
        let rank = (p as usize * n).div_ceil(100).clamp(1, n) - 1;
        // Ranks ascend: select within what is right of the previous one.
        let (_, v, _) = d[done..].select_nth_unstable(rank - done);
        out[k] = Some(*v);
        done = rank;
    }
    out
}

fn row(stage: Stage, group: Option<String>, items: &[&Interval]) -> StageRow {
    // One pass over the intervals (they are many and large; the durations are then selected).
    let mut d = Vec::with_capacity(items.len());
    let (mut open, mut within, mut breached) = (0u64, 0u64, 0u64);
    for i in items {
        d.push(i.duration);
        let over = i.over().is_some();
        breached += u64::from(over);
        open += u64::from(i.is_open());
        within += u64::from(!i.is_open() && i.limit.is_some() && !over);
    }
    let [p50, p90, p95, max] = percentiles(&mut d, [50, 90, 95, 100]);
    let secs = |p: Option<Duration>| p.map(|x| x.as_secs());
    StageRow {
        stage,
        group,
        count: items.len() as u64,
        open,
        p50_s: secs(p50),
        p90_s: secs(p90),
        p95_s: secs(p95),
        max_s: secs(max),
        within,
        breached,
        compliance: (within + breached > 0).then(|| within as f64 / (within + breached) as f64),
    }
}

/// Per-stage totals for `stages` (a row even when empty), in stage order.
pub fn totals(intervals: &[Interval], stages: &[Stage]) -> Vec<StageRow> {
    let mut by_stage: Vec<Vec<&Interval>> = vec![Vec::new(); stages.len()];
    for i in intervals {
        if let Some(k) = stages.iter().position(|s| *s == i.stage) {
            by_stage[k].push(i);
        }
    }
    stages
        .iter()
        .zip(by_stage)
        .map(|(s, items)| row(*s, None, &items))
        .collect()
}

/// Rows per stage and group, in stage then key order (`null` key first).
pub fn grouped(intervals: &[Interval], by: GroupBy) -> Vec<StageRow> {
    let mut groups: BTreeMap<(Stage, Option<Cow<str>>), Vec<&Interval>> = BTreeMap::new();
    for i in intervals {
        groups.entry((i.stage, by.key_of(i))).or_default().push(i);
    }
    groups
        .into_iter()
        .map(|((stage, key), items)| row(stage, key.map(Cow::into_owned), &items))
        .collect()
}

/// Every interval over its limit, the worst first.
pub fn breaches(intervals: &[Interval]) -> Vec<Breach> {
    let mut out: Vec<Breach> = intervals
        .iter()
        .filter_map(|i| {
            let over = i.over()?;
            Some(Breach {
                incident: i.incident.clone(),
                stage: i.stage,
                officer: i.officer.clone(),
                shift: i.shift,
                duration_s: i.duration.as_secs(),
                limit_s: i.limit.map_or(0, |l| l.as_secs()),
                over_s: over.as_secs(),
                open: i.is_open(),
            })
        })
        .collect();
    // The worst first; the rest of the key only makes the order total (and the sort stable).
    out.sort_unstable_by(|a, b| {
        (
            b.over_s,
            &a.incident,
            a.stage,
            a.duration_s,
            a.limit_s,
            a.open,
        )
            .cmp(&(
                a.over_s,
                &b.incident,
                b.stage,
                b.duration_s,
                b.limit_s,
                b.open,
            ))
    });
    out
}

/// The slowest stage among the totals: the worst compliance (no limit counts as full), then
/// the longest p90. `None` when no stage has an interval.
pub fn slowest(totals: &[StageRow]) -> Option<Slowest> {
    let worst = totals.iter().filter(|r| r.count > 0).min_by(|a, b| {
        let ca = a.compliance.unwrap_or(1.0);
        let cb = b.compliance.unwrap_or(1.0);
        ca.total_cmp(&cb).then(b.p90_s.cmp(&a.p90_s))
    })?;
    let p90 = Duration::from_secs(worst.p90_s.unwrap_or(0));
    let (zh_c, en_c) = match worst.compliance {
        Some(c) => (
            format!("时限内完成 {:.0}%", c * 100.0),
            format!("{:.0}% within the limit", c * 100.0),
        ),
        None => ("未设时限".to_string(), "no limit set".to_string()),
    };
    Some(Slowest {
        stage: worst.stage,
        zh: format!(
            "我们最慢的环节是{}：p90 为 {}，{}。",
            worst.stage.name(Lang::Zh),
            spoken(p90, Lang::Zh),
            zh_c
        ),
        en: format!(
            "we are slowest at {}: p90 {}, {}.",
            worst.stage.name(Lang::En),
            spoken(p90, Lang::En),
            en_c
        ),
    })
}

/// A duration for sentences: `1 小时 5 分钟`, `42 分钟`, `40 秒` / `1 h 5 min`, `42 min`, `40 s`.
pub fn spoken(d: Duration, lang: Lang) -> String {
    let s = d.as_secs();
    let (h, m) = (s / 3600, (s % 3600) / 60);
    match (h, m) {
        (0, 0) => format!("{s} {}", lang.pick("秒", "s")),
        (0, m) => format!("{m} {}", lang.pick("分钟", "min")),
        (h, 0) => format!("{h} {}", lang.pick("小时", "h")),
        (h, m) => format!(
            "{h} {} {m} {}",
            lang.pick("小时", "h"),
            lang.pick("分钟", "min")
        ),
    }
}
