//! Table-driven tests of the audit rules: percentiles against a reference, clock steps, DST.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveTime};
use proptest::prelude::*;

use super::*;
use crate::config::Config;
use crate::domain::{
    Event, EventBody, Flag, FlagKind, Level, Report, ReportDraft, ReportKind, Resolution,
    ResolutionMethod, ResolutionResult, GENESIS_HASH,
};

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn config(zone: &str, shift_start: &str) -> Config {
    let mut c: Config = toml::from_str(crate::config::DEFAULT_TOML).unwrap();
    c.office.timezone = zone.into();
    c.duty.shift_start = shift_start.into();
    c
}

/// A log built event by event, sealed and chained.
struct Log(Vec<Event>);

impl Log {
    fn add(&mut self, at: &str, body: EventBody) -> &mut Log {
        let prev = self
            .0
            .last()
            .map_or(GENESIS_HASH.to_string(), |e| e.hash.clone());
        let seq = self.0.len() as u64 + 1;
        self.0
            .push(Event::seal(seq, t(at), "张三", "duty", body, &prev));
        self
    }

    fn report(&mut self, at: &str, inc: &str, kind: ReportKind, level: Option<Level>) -> &mut Log {
        let draft = ReportDraft {
            kind,
            level,
            summary: "河口镇仓库起火".into(),
            category: Some("fire".into()),
            ..ReportDraft::default()
        };
        let seq = if kind == ReportKind::First { 0 } else { 1 };
        let report = Report::from_draft(draft, seq, t(at), "张三");
        self.add(
            at,
            EventBody::ReportFiled {
                incident: inc.into(),
                report: Box::new(report),
            },
        )
    }

    fn raise(&mut self, at: &str, inc: &str, id: &str) -> &mut Log {
        let flag = Flag {
            id: id.into(),
            kind: FlagKind::Vague,
            field: "summary".into(),
            cue: None,
            class: None,
            start: None,
            end: None,
            reason_zh: String::new(),
            reason_en: String::new(),
            suggest_zh: String::new(),
            suggest_en: String::new(),
            weight: 50,
        };
        self.add(
            at,
            EventBody::FlagRaised {
                incident: inc.into(),
                report: 0,
                flag,
            },
        )
    }

    fn resolve(&mut self, at: &str, inc: &str, id: &str) -> &mut Log {
        let resolution = Resolution {
            method: ResolutionMethod::CallBack,
            result: ResolutionResult::Confirmed,
            note: String::new(),
            by: "张三".into(),
            at: t(at),
        };
        let body = EventBody::FlagResolved {
            incident: inc.into(),
            flag: id.into(),
            resolution,
        };
        self.add(at, body)
    }
}

/// The flags stage's intervals (these logs have no notices; see the notice-stage test).
fn run(log: &Log, c: &Config, now: &str) -> Vec<Interval> {
    intervals(log.0.iter(), c, t(now))
        .into_iter()
        .filter(|i| i.stage == Stage::ReceivedToFlagsResolved)
        .collect()
}

#[test]
fn flags_stage_ends_when_the_last_flag_is_resolved_and_reopens_on_a_new_flag() {
    let c = config("Asia/Shanghai", "08:30");
    let mut log = Log(Vec::new());
    log.report(
        "2026-11-22T23:00:00+08:00",
        "A",
        ReportKind::First,
        Some(Level::III),
    )
    .raise("2026-11-22T23:00:00+08:00", "A", "R0-1")
    .raise("2026-11-22T23:00:00+08:00", "A", "R0-2")
    .resolve("2026-11-22T23:10:00+08:00", "A", "R0-2")
    .resolve("2026-11-22T23:25:00+08:00", "A", "R0-1")
    .report("2026-11-22T23:30:00+08:00", "B", ReportKind::First, None);
    let v = run(&log, &c, "2026-11-23T01:00:00+08:00");
    assert_eq!(v.len(), 1, "B raised no flag, so it has nothing to resolve");
    assert_eq!(v[0].duration, Duration::from_secs(25 * 60));
    assert_eq!(v[0].end, Some(t("2026-11-22T23:25:00+08:00")));
    assert_eq!(v[0].limit, Some(Duration::from_secs(30 * 60)));
    assert_eq!(v[0].shift, day("2026-11-22"));
    assert_eq!(v[0].level, Some(Level::III));
    // A follow-up raises a new flag at 23:50: open again, measured to now, limit from the raise.
    log.report(
        "2026-11-22T23:50:00+08:00",
        "A",
        ReportKind::FollowUp,
        Some(Level::II),
    )
    .raise("2026-11-22T23:50:00+08:00", "A", "R1-1");
    let v = run(&log, &c, "2026-11-23T01:00:00+08:00");
    assert_eq!(v[0].end, None);
    assert_eq!(v[0].duration, Duration::from_secs(2 * 3600));
    assert_eq!(v[0].limit, Some(Duration::from_secs(80 * 60)));
    assert_eq!(v[0].over(), Some(Duration::from_secs(40 * 60)));
    assert_eq!(v[0].level, Some(Level::II), "the latest graded level");
}

#[test]
fn clock_steps_never_give_negative_durations() {
    let c = config("Asia/Shanghai", "08:30");
    let mut log = Log(Vec::new());
    // The wall clock stepped back 10 minutes between filing and resolving.
    log.report("2026-11-22T02:00:00+08:00", "A", ReportKind::First, None)
        .raise("2026-11-22T02:00:00+08:00", "A", "R0-1")
        .resolve("2026-11-22T01:50:00+08:00", "A", "R0-1")
        // Stepped forward an hour, then back: the later instant wins, durations from UTC.
        .report("2026-11-22T03:00:00+08:00", "B", ReportKind::First, None)
        .raise("2026-11-22T03:00:00+08:00", "B", "R0-1")
        .raise("2026-11-22T03:00:00+08:00", "B", "R0-2")
        .resolve("2026-11-22T04:10:00+08:00", "B", "R0-1")
        .resolve("2026-11-22T03:12:00+08:00", "B", "R0-2");
    let v = run(&log, &c, "2026-11-22T03:00:00+08:00");
    assert_eq!(v[0].duration, Duration::ZERO);
    assert_eq!(v[1].duration, Duration::from_secs(70 * 60));
    // An open stage with `now` behind its start (a clock stepped back) is zero, not negative.
    let mut log = Log(Vec::new());
    log.report("2026-11-22T05:00:00+08:00", "C", ReportKind::First, None)
        .raise("2026-11-22T05:00:00+08:00", "C", "R0-1");
    assert_eq!(
        run(&log, &c, "2026-11-22T04:00:00+08:00")[0].duration,
        Duration::ZERO
    );
}

#[test]
fn dst_fold_and_gap_give_true_durations_and_shifts() {
    // New York, shift start 01:30: on 2026-11-01 01:30 happens twice; the shift starts at the
    // first (05:30Z). On 2026-03-08 01:59 EST is followed by 03:00 EDT.
    let c = config("America/New_York", "01:30");
    let mut log = Log(Vec::new());
    log.report("2026-11-01T01:50:00-04:00", "FOLD", ReportKind::First, None)
        .raise("2026-11-01T01:50:00-04:00", "FOLD", "R0-1")
        // 01:10 EST, after 01:50 EDT: twenty minutes later although the wall clock says earlier.
        .resolve("2026-11-01T01:10:00-05:00", "FOLD", "R0-1")
        .report(
            "2026-11-01T01:10:00-05:00",
            "FOLD2",
            ReportKind::First,
            None,
        )
        .raise("2026-11-01T01:10:00-05:00", "FOLD2", "R0-1")
        .report("2026-03-08T01:50:00-05:00", "GAP", ReportKind::First, None)
        .raise("2026-03-08T01:50:00-05:00", "GAP", "R0-1")
        .resolve("2026-03-08T03:05:00-04:00", "GAP", "R0-1")
        .report("2026-03-08T01:20:00-05:00", "PRE", ReportKind::First, None)
        .raise("2026-03-08T01:20:00-05:00", "PRE", "R0-1");
    let v = run(&log, &c, "2026-11-01T02:00:00-05:00");
    let get = |n: &str| v.iter().find(|i| &*i.incident == n).unwrap();
    assert_eq!(get("FOLD").duration, Duration::from_secs(20 * 60));
    assert_eq!(get("FOLD").shift, day("2026-11-01"));
    assert_eq!(
        get("FOLD2").shift,
        day("2026-11-01"),
        "the second 01:10 is after the shift began"
    );
    assert_eq!(get("GAP").duration, Duration::from_secs(15 * 60));
    assert_eq!(get("GAP").shift, day("2026-03-08"));
    assert_eq!(get("PRE").shift, day("2026-03-07"));
    // A shift start inside the gap begins when the clock jumps past it (07:00Z).
    let ny = crate::clock::Zone::parse("America/New_York").unwrap();
    let start = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
    let at = |s: &str| t(s).with_timezone(&chrono::Utc);
    assert_eq!(
        shift_day(ny, start, at("2026-03-08T06:59:00Z")).to_string(),
        "2026-03-07"
    );
    assert_eq!(
        shift_day(ny, start, at("2026-03-08T07:00:00Z")).to_string(),
        "2026-03-08"
    );
}

#[test]
fn nearest_rank_examples() {
    let d: Vec<Duration> = [10, 20, 30, 40].map(Duration::from_secs).to_vec();
    assert_eq!(percentile(&d, 50), Some(Duration::from_secs(20)));
    assert_eq!(percentile(&d, 90), Some(Duration::from_secs(40)));
    assert_eq!(percentile(&d, 25), Some(Duration::from_secs(10)));
    assert_eq!(percentile(&d, 0), Some(Duration::from_secs(10)));
    assert_eq!(percentile(&[], 50), None);
}

/// The reference: the smallest observed value with at least p % of the values at or below it.
fn reference(values: &[u64], p: u32) -> u64 {
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len() as u64;
    *v.iter()
        .find(|x| v.iter().filter(|y| y <= x).count() as u64 * 100 >= u64::from(p) * n)
        .unwrap()
}

proptest! {
    #[test]
    fn percentiles_match_the_reference(
        values in prop::collection::vec(0u64..100_000, 1..300),
        p in 1u32..=100,
    ) {
        let mut d: Vec<Duration> = values.iter().map(|s| Duration::from_secs(*s)).collect();
        d.sort_unstable();
        prop_assert_eq!(percentile(&d, p), Some(Duration::from_secs(reference(&values, p))));
        prop_assert_eq!(percentile(&d, 100), d.last().copied());
    }
}

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

/// Incident numbers whose order the breach sort's key gets wrong if it is not careful: equal
/// first 16 bytes, trailing NULs, longer than 16 bytes, non-ASCII.
const INCIDENTS: [&str; 9] = [
    "20261122-0001",
    "20261122-0002",
    "20261122-00010",
    "20261122-0001\0",
    "20261122-0001\0\0\0\0",
    "20261122-00010000",
    "20261122-000100001",
    "20261122-000100000",
    "火灾-1",
];

proptest! {
    #[test]
    fn breaches_come_in_breach_order(
        items in prop::collection::vec((0usize..9, 0usize..7, 0u64..6, 0u64..4, any::<bool>()), 0..200),
    ) {
        let intervals: Vec<Interval> = items
            .iter()
            .map(|&(inc, stage, over, limit, open)| Interval {
                incident: INCIDENTS[inc].into(),
                stage: Stage::ALL[stage],
                start: t("2026-11-22T02:00:00+08:00"),
                end: (!open).then(|| t("2026-11-22T03:00:00+08:00")),
                level: None,
                category: None,
                officer: "张三".into(),
                shift: day("2026-11-21"),
                // Few values, so that many breaches tie on how much they are over.
                limit: (limit > 0).then(|| Duration::from_secs(limit * 60)),
                duration: Duration::from_secs(limit * 60 + over * 30),
            })
            .collect();
        let got = stats::breaches(&intervals);
        // The reference: every breach, sorted by the order itself.
        let mut want: Vec<Breach> = intervals.iter().filter_map(Breach::of).collect();
        want.sort_by(stats::breach_order);
        prop_assert_eq!(got, want);
    }
}

proptest! {
    /// A row's percentiles, selected from whole seconds, are those of the exact durations
    /// (sorted, nearest rank) in whole seconds.
    #[test]
    fn rows_give_the_exact_percentiles_in_whole_seconds(
        millis in prop::collection::vec(0u64..600_000, 1..300),
    ) {
        let intervals: Vec<Interval> = millis
            .iter()
            .map(|&ms| Interval {
                incident: "20261122-0001".into(),
                stage: Stage::NoticeSentToAcknowledged,
                start: t("2026-11-22T02:00:00+08:00"),
                end: Some(t("2026-11-22T03:00:00+08:00")),
                level: None,
                category: None,
                officer: "张三".into(),
                shift: day("2026-11-21"),
                limit: None,
                duration: Duration::from_millis(ms),
            })
            .collect();
        let mut sorted: Vec<Duration> = intervals.iter().map(|i| i.duration).collect();
        sorted.sort_unstable();
        let secs = |p| percentile(&sorted, p).map(|d| d.as_secs());
        let rows = stats::totals(&intervals, &[Stage::NoticeSentToAcknowledged]);
        let r = &rows[0];
        prop_assert_eq!(
            (r.p50_s, r.p90_s, r.p95_s, r.max_s, r.count),
            (secs(50), secs(90), secs(95), secs(100), millis.len() as u64)
        );
    }
}

/// No grouping, then each.
fn groupings() -> impl Iterator<Item = Option<GroupBy>> {
    std::iter::once(None).chain(GroupBy::ALL.map(Some))
}

proptest! {
    /// The figures of intervals gathered in two parts and merged (as the audit's threads
    /// gather halves of the incidents) are those gathered whole; each group's row is the row
    /// of exactly its intervals, one row per stage and key met, in stage then key order; the
    /// totals and breaches are those computed over the list.
    #[test]
    fn figures_merged_from_parts_are_the_figures_of_the_whole(
        items in prop::collection::vec(
            (0usize..9, 0usize..7, 0usize..3, 0usize..4, 0usize..3, 0usize..5, 0u64..4, 0u64..6, any::<bool>()),
            0..120,
        ),
        cut in 0usize..120,
        by in 0usize..6,
    ) {
        let days = ["2026-10-31", "2026-11-01", "2026-11-21"];
        let levels = [None, Some(Level::I), Some(Level::II), Some(Level::III), Some(Level::IV)];
        let intervals: Vec<Interval> = items
            .iter()
            .map(|&(inc, stage, officer, category, shift, level, limit, over, open)| Interval {
                incident: INCIDENTS[inc].into(),
                stage: Stage::ALL[stage],
                start: t("2026-11-22T02:00:00+08:00"),
                end: (!open).then(|| t("2026-11-22T03:00:00+08:00")),
                level: levels[level],
                category: ["fire", "flood", "火灾"].get(category).map(|&c| c.into()),
                officer: ["张三", "李四", "Wang"][officer].into(),
                shift: day(days[shift]),
                limit: (limit > 0).then(|| Duration::from_secs(limit * 600)),
                duration: Duration::from_secs(limit * 600 + over * 400),
            })
            .collect();
        let by = groupings().nth(by).unwrap();
        let (now, source) = (t("2026-11-23T08:00:00+08:00"), Source::default());
        let whole = build(intervals.clone(), Period::default(), by, now, source);
        let cut = cut.min(intervals.len());
        let mut first = Figures::new(by);
        intervals[..cut].iter().for_each(|i| first.add(i));
        let mut second = Figures::new(by);
        intervals[cut..].iter().for_each(|i| second.add(i));
        first.merge(second);
        prop_assert_eq!(&first.report(Period::default(), now, source), &whole);
        prop_assert_eq!(&whole.stages, &stats::totals(&intervals, &Stage::MEASURED));
        prop_assert_eq!(&whole.breaches, &stats::breaches(&intervals));
        // Each group's row from its own intervals; every stage and key met has one.
        let mut met: Vec<(Stage, Option<String>)> = match by {
            Some(b) => intervals.iter().map(|i| (i.stage, b.key(i))).collect(),
            None => Vec::new(),
        };
        met.sort();
        met.dedup();
        let keys: Vec<(Stage, Option<String>)> =
            whole.groups.iter().map(|r| (r.stage, r.group.clone())).collect();
        prop_assert_eq!(&keys, &met);
        for r in &whole.groups {
            let b = by.unwrap();
            let own: Vec<Interval> = intervals
                .iter()
                .filter(|i| i.stage == r.stage && b.key(i) == r.group)
                .cloned()
                .collect();
            let mut want = stats::totals(&own, &[r.stage]).remove(0);
            want.group = r.group.clone();
            prop_assert_eq!(r, &want);
        }
    }
}

/// The audit's way (figures gathered by threads, each taking a share of the incidents, and
/// merged) gives the report that making every interval and building from them gives, for a
/// period and with each grouping; on enough incidents that the threads are used.
#[test]
fn figures_of_a_fold_shared_out_between_threads_are_the_report_of_its_intervals() {
    let c = config("Asia/Shanghai", "08:30");
    let mut log = Log(Vec::new());
    let start = t("2026-11-01T00:00:00+08:00");
    let at = |minutes: i64| (start + chrono::TimeDelta::minutes(minutes)).to_rfc3339();
    let levels = [None, Some(Level::I), Some(Level::III)];
    for k in 0..12_000i64 {
        let inc = format!("2026-{k:05}");
        log.report(&at(k), &inc, ReportKind::First, levels[k as usize % 3])
            .raise(&at(k), &inc, "R0-1");
        if k % 4 != 0 {
            log.resolve(&at(k + k % 90), &inc, "R0-1");
        }
    }
    let now = t("2026-11-12T08:00:00+08:00");
    let period = Period {
        from: Some(day("2026-11-02")),
        to: Some(day("2026-11-07")),
    };
    let source = Source::default();
    for by in groupings() {
        let fold = |log: &Log| {
            let mut f = IntervalFold::new(&c);
            log.0.iter().for_each(|e| f.push(e));
            f
        };
        let want = build(fold(&log).finish(now), period, by, now, source);
        let got = fold(&log)
            .figures(now, |d| period.contains(d), by, 3)
            .report(period, now, source);
        assert!(want.breaches.len() > 1000 && want.stages.iter().any(|r| r.count > 5000));
        assert_eq!(got, want, "{by:?}");
    }
}

/// "All notified" is every unit's first delivery: a follow-up (续报) or an instruction relayed
/// to a unit told before does not stretch it; a unit told only later (added on a follow-up)
/// does, since it is one of the units to notify.
#[test]
fn all_notified_ends_at_each_units_first_delivery_whatever_is_sent_to_it_later() {
    use crate::domain::{NoticeKind, QueuedNotice, RecipientKind};
    let c = config("Asia/Shanghai", "08:30");
    let notice = |log: &mut Log, at: &str, n: u32, to: &str, kind: NoticeKind| {
        let q = QueuedNotice {
            id: format!("A/N{n:03}"),
            incident: "A".into(),
            kind,
            recipient: to.into(),
            recipient_kind: RecipientKind::Department,
            ..QueuedNotice::default()
        };
        log.add(
            at,
            EventBody::NoticeQueued {
                notice: Box::new(q),
            },
        );
    };
    let delivered = |log: &mut Log, at: &str, n: u32| {
        let id = format!("A/N{n:03}");
        let body = EventBody::NoticeDelivered {
            notice: id,
            attempt: 1,
            detail: String::new(),
        };
        log.add(at, body);
    };
    let all_notified = |log: &Log| {
        intervals(log.0.iter(), &c, t("2026-11-23T06:00:00+08:00"))
            .into_iter()
            .find(|i| i.stage == Stage::ReceivedToAllNotified)
            .map(|i| (i.duration.as_secs() / 60, i.is_open()))
    };
    let mut log = Log(Vec::new());
    log.report(
        "2026-11-23T02:00:00+08:00",
        "A",
        ReportKind::First,
        Some(Level::III),
    );
    notice(
        &mut log,
        "2026-11-23T02:04:00+08:00",
        1,
        "县消防救援大队",
        NoticeKind::First,
    );
    notice(
        &mut log,
        "2026-11-23T02:04:00+08:00",
        2,
        "县应急管理局",
        NoticeKind::First,
    );
    delivered(&mut log, "2026-11-23T02:05:00+08:00", 1);
    delivered(&mut log, "2026-11-23T02:07:00+08:00", 2);
    assert_eq!(all_notified(&log), Some((7, false)));
    // A follow-up and an instruction to the same units, an hour later.
    notice(
        &mut log,
        "2026-11-23T03:00:00+08:00",
        3,
        "县消防救援大队",
        NoticeKind::FollowUp,
    );
    notice(
        &mut log,
        "2026-11-23T03:10:00+08:00",
        4,
        "县应急管理局",
        NoticeKind::Instruction,
    );
    assert_eq!(all_notified(&log), Some((7, false)), "not yet delivered");
    delivered(&mut log, "2026-11-23T03:02:00+08:00", 3);
    delivered(&mut log, "2026-11-23T03:12:00+08:00", 4);
    assert_eq!(all_notified(&log), Some((7, false)), "delivered: still 7");
    // A unit first told with the follow-up.
    notice(
        &mut log,
        "2026-11-23T03:30:00+08:00",
        5,
        "河口镇人民政府",
        NoticeKind::FollowUp,
    );
    assert_eq!(
        all_notified(&log),
        Some((240, true)),
        "open until it is delivered"
    );
    delivered(&mut log, "2026-11-23T03:31:00+08:00", 5);
    assert_eq!(all_notified(&log), Some((91, false)));
}
