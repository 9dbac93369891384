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
    /// Every grouping.
    pub const ALL: [GroupBy; 5] = [
        GroupBy::Officer,
        GroupBy::Shift,
        GroupBy::Category,
        GroupBy::Level,
        GroupBy::Month,
    ];

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
    pub(super) fn key_of(self, i: &Interval) -> Option<Cow<'_, str>> {
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

impl Breach {
    /// The breach an interval is, if it is over its limit.
    pub fn of(i: &Interval) -> Option<Breach> {
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
    }
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
fn percentiles<T: Ord + Copy, const N: usize>(d: &mut [T], ps: [u32; N]) -> [Option<T>; N] {
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

/// What a row counts of its intervals, gathered in one pass over them (they are many and
/// large; the durations are then selected). Durations are kept in whole seconds, as the row
/// gives them: the seconds of the n-th longest duration are the n-th longest of the seconds.
#[derive(Debug, Default)]
pub(super) struct Tally {
    secs: Vec<u64>,
    open: u64,
    within: u64,
    breached: u64,
}

impl Tally {
    pub(super) fn add(&mut self, i: &Interval) {
        self.secs.push(i.duration.as_secs());
        let over = i.over().is_some();
        self.breached += u64::from(over);
        self.open += u64::from(i.is_open());
        self.within += u64::from(!i.is_open() && i.limit.is_some() && !over);
    }

    /// Adds another's intervals.
    pub(super) fn merge(&mut self, other: Tally) {
        if self.secs.is_empty() {
            self.secs = other.secs;
        } else {
            self.secs.extend_from_slice(&other.secs);
        }
        self.open += other.open;
        self.within += other.within;
        self.breached += other.breached;
    }

    /// True when no interval was added.
    pub(super) fn is_empty(&self) -> bool {
        self.secs.is_empty()
    }

    pub(super) fn row(mut self, stage: Stage, group: Option<String>) -> StageRow {
        let [p50_s, p90_s, p95_s, max_s] = percentiles(&mut self.secs, [50, 90, 95, 100]);
        let (within, breached) = (self.within, self.breached);
        StageRow {
            stage,
            group,
            count: self.secs.len() as u64,
            open: self.open,
            p50_s,
            p90_s,
            p95_s,
            max_s,
            within,
            breached,
            compliance: (within + breached > 0).then(|| within as f64 / (within + breached) as f64),
        }
    }
}

/// Per-stage totals for `stages` (a row even when empty), in stage order.
pub fn totals(intervals: &[Interval], stages: &[Stage]) -> Vec<StageRow> {
    let mut tallies: Vec<Tally> = stages.iter().map(|_| Tally::default()).collect();
    for i in intervals {
        if let Some(t) = stages
            .iter()
            .position(|s| *s == i.stage)
            .and_then(|k| tallies.get_mut(k))
        {
            t.add(i);
        }
    }
    stages
        .iter()
        .zip(tallies)
        .map(|(s, t)| t.row(*s, None))
        .collect()
}

/// Every interval over its limit, the worst first (see [`breach_order`]).
pub fn breaches(intervals: &[Interval]) -> Vec<Breach> {
    sort_breaches(intervals.iter().filter_map(Breach::of).collect())
}

/// Breaches in [`breach_order`].
pub fn sort_breaches(mut out: Vec<Breach>) -> Vec<Breach> {
    // Sorted by a key of plain numbers, with the breaches compared only where keys tie:
    // comparing the incident numbers, each behind a pointer, took most of the time of sorting
    // 200k breaches. The key orders as `breach_order` does as far as it goes: the incident's
    // first 16 bytes as two big-endian numbers and its length (exact for numbers of up to 16
    // bytes, `20261122-0001` is 13; longer ones tie and are compared whole).
    let mut keys: Vec<[u64; 4]> = out
        .iter()
        .enumerate()
        .map(|(k, b)| {
            let mut head = [0u8; 16];
            let n = b.incident.len().min(16);
            head[..n].copy_from_slice(&b.incident.as_bytes()[..n]);
            let [hi, lo] = [&head[..8], &head[8..]]
                .map(|h| u64::from_be_bytes(h.try_into().unwrap_or_default()));
            let len = b.incident.len().min(17) as u64;
            [u64::MAX - b.over_s, hi, lo, len << 32 | k as u64]
        })
        .collect();
    let index = |key: &[u64; 4]| (key[3] & u64::from(u32::MAX)) as usize;
    keys.sort_unstable_by(|x, y| {
        (x[0], x[1], x[2], x[3] >> 32)
            .cmp(&(y[0], y[1], y[2], y[3] >> 32))
            .then_with(|| match (out.get(index(x)), out.get(index(y))) {
                (Some(a), Some(b)) => breach_order(a, b),
                _ => std::cmp::Ordering::Equal,
            })
    });
    // Into that order in place, a cycle of the permutation at a time (a second list of 200k
    // breaches would raise the audit's peak memory).
    let mut order: Vec<usize> = keys.iter().map(index).collect();
    drop(keys);
    for i in 0..order.len() {
        let mut j = i;
        // Position j takes the breach at order[j]; the breach that was at i travels along
        // the cycle until the position that wants it.
        while order[j] != usize::MAX {
            let k = std::mem::replace(&mut order[j], usize::MAX);
            if k == i {
                break;
            }
            out.swap(j, k);
            j = k;
        }
    }
    out
}

/// The order of breaches: the worst (most over) first; then by incident number, stage,
/// duration, limit and openness, which only make the order total (the same on every run).
pub fn breach_order(a: &Breach, b: &Breach) -> std::cmp::Ordering {
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
