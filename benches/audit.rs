//! Audit figures: 1M events (100k incidents) generated in memory one at a time, each serialised
//! to its journal line and parsed back as the desk does, then folded. Prints the parse time as
//! the baseline, the audit's own time (fold + statistics), the chain check the desk adds when
//! the whole log is in the period, and peak resident memory (VmHWM).
//!
//! `cargo bench --bench audit` (DUTYDESK_BENCH_INCIDENTS=100000 by default: 1M events).

use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use dutydesk::config::Config;
use dutydesk::domain::{
    Casualties, Count, Event, EventBody, Flag, FlagClass, FlagKind, Level, Report, ReportKind,
    Reporter, Resolution, ResolutionMethod, ResolutionResult, GENESIS_HASH,
};
use dutydesk::rules::audit::{self, GroupBy, IntervalFold, Period, Source};
use dutydesk::store::ChainCheck;

const OFFICERS: [&str; 4] = ["李明", "张三", "王五", "赵六"];
const CATEGORIES: [&str; 4] = ["fire", "traffic", "hazmat", "flood"];

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn report(i: u64, kind: ReportKind, seq: u32, at: DateTime<FixedOffset>) -> Report {
    Report {
        kind,
        seq_in_incident: seq,
        received_at: at,
        channel: None,
        reporter: Reporter {
            name: Some("王某".into()),
            unit: Some("河口镇人民政府".into()),
            post: Some("值班员".into()),
            phone: Some("13903790123".into()),
        },
        occurred_at: None,
        location: Some(format!("河口镇{}村", i % 37)),
        category: Some(CATEGORIES[(i % 4) as usize].into()),
        level: [None, Some(Level::IV), Some(Level::III), Some(Level::II)][(i % 4) as usize],
        casualties: Casualties {
            dead: Count::Known(0),
            injured: Count::Known((i % 5) as u32),
            missing: Count::NotStated,
            trapped: Count::Unknown,
        },
        summary: format!("第{i}号：据群众反映，河口镇一处民房于凌晨起火，火势较大，现场浓烟，可能有人员被困，消防救援大队已出动两车十人赶赴现场处置，具体情况待核实。"),
        measures: Some("已通知镇政府值班人员赶赴现场，疏散周边群众。".into()),
        requests: None,
        already_told: Some("已报县消防救援大队".into()),
        recorder: OFFICERS[(i % 4) as usize].into(),
    }
}

fn flag(id: &str) -> Flag {
    Flag {
        id: id.into(),
        kind: FlagKind::Vague,
        field: "summary".into(),
        cue: Some("可能".into()),
        class: Some(FlagClass::Guess),
        start: Some(30),
        end: Some(32),
        reason_zh: "推测性表述".into(),
        reason_en: "a guess".into(),
        suggest_zh: "回拨核实".into(),
        suggest_en: "call back".into(),
        weight: 60,
    }
}

fn resolved(inc: &str, id: &str, at: DateTime<FixedOffset>) -> EventBody {
    EventBody::FlagResolved {
        incident: inc.into(),
        flag: id.into(),
        resolution: Resolution {
            method: ResolutionMethod::CallBack,
            result: ResolutionResult::Confirmed,
            note: "回拨报告人，情况属实".into(),
            by: "李明".into(),
            at,
        },
    }
}

/// Ten events: first report, two flags, a follow-up, two checks, a follow-up with a flag, its
/// check, the final report. Checks take 1–90 minutes.
fn incident(
    i: u64,
    base: DateTime<FixedOffset>,
    rng: &mut Rng,
) -> Vec<(DateTime<FixedOffset>, EventBody)> {
    let at = base + chrono::Duration::minutes(i as i64 * 5);
    let min = |m: u64| at + chrono::Duration::minutes(m as i64);
    let inc = format!("{}-{:04}", at.date_naive().format("%Y%m%d"), i % 10_000 + 1);
    let filed = |k, s, t| EventBody::ReportFiled {
        incident: inc.clone(),
        report: report(i, k, s, t),
    };
    let raised = |r, id: &str| EventBody::FlagRaised {
        incident: inc.clone(),
        report: r,
        flag: flag(id),
    };
    let (c1, c2, c3) = (1 + rng.below(90), 1 + rng.below(90), 1 + rng.below(90));
    vec![
        (at, filed(ReportKind::First, 0, at)),
        (at, raised(0, "R0-1")),
        (at, raised(0, "R0-2")),
        (min(20), filed(ReportKind::FollowUp, 1, min(20))),
        (min(c1), resolved(&inc, "R0-1", min(c1))),
        (min(c2), resolved(&inc, "R0-2", min(c2))),
        (min(100), filed(ReportKind::FollowUp, 2, min(100))),
        (min(100), raised(2, "R2-1")),
        (min(100 + c3), resolved(&inc, "R2-1", min(100 + c3))),
        (min(300), filed(ReportKind::Final, 3, min(300))),
    ]
}

fn status(key: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "?".into())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let incidents: u64 = std::env::var("DUTYDESK_BENCH_INCIDENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let config: Config = toml::from_str(dutydesk::config::DEFAULT_TOML).expect("default config");
    let base = DateTime::parse_from_rfc3339("2026-01-01T08:00:00+08:00").expect("time");
    let now = base + chrono::Duration::days(400);
    println!(
        "before: VmHWM {}  VmRSS {}",
        status("VmHWM:"),
        status("VmRSS:")
    );
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut fold = IntervalFold::new(&config);
    let mut chain = ChainCheck::default();
    let (mut parse, mut push, mut check) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let (mut events, mut bytes) = (0u64, 0u64);
    let mut prev = GENESIS_HASH.to_string();
    let t_all = Instant::now();
    for i in 0..incidents {
        for (at, body) in incident(i, base, &mut rng) {
            events += 1;
            let line =
                Event::seal(events, at, OFFICERS[(i % 4) as usize], "duty", body, &prev).to_line();
            bytes += line.len() as u64 + 1;
            let t0 = Instant::now();
            let e: Event = serde_json::from_str(&line).expect("parse");
            let t1 = Instant::now();
            fold.push(&e);
            let t2 = Instant::now();
            chain.check(events, &line).expect("chain");
            check += t2.elapsed();
            parse += t1 - t0;
            push += t2 - t1;
            prev = e.hash;
        }
    }
    let generated = t_all.elapsed() - parse - push - check;
    let t0 = Instant::now();
    let all = fold.finish(now);
    let t_finish = t0.elapsed();
    let n_intervals = all.len();
    let t0 = Instant::now();
    let src = Source {
        events_read: events,
        incidents,
        chain_verified: true,
    };
    let r1 = audit::build(
        all.clone(),
        Period::default(),
        Some(GroupBy::Officer),
        now,
        src,
    );
    let t_stats = t0.elapsed();
    let t0 = Instant::now();
    let r2 = audit::build(all, Period::default(), Some(GroupBy::Shift), now, src);
    let t_stats_shift = t0.elapsed();
    let audit_total = push + t_finish + t_stats;
    println!("events {events} ({:.0} MB of journal lines), incidents {incidents}, intervals {n_intervals}", bytes as f64 / 1e6);
    println!(
        "generating + sealing (not counted)      {:>9.1} ms",
        ms(generated)
    );
    println!(
        "baseline: parse lines → Event           {:>9.1} ms  ({:.0} k events/s)",
        ms(parse),
        events as f64 / parse.as_secs_f64() / 1e3
    );
    println!(
        "audit fold (push, 1M events)            {:>9.1} ms",
        ms(push)
    );
    println!(
        "finish (tracks → intervals)             {:>9.1} ms",
        ms(t_finish)
    );
    println!(
        "statistics, by officer                  {:>9.1} ms  ({} groups, {} breaches)",
        ms(t_stats),
        r1.groups.len(),
        r1.breaches.len()
    );
    println!(
        "statistics, by shift                    {:>9.1} ms  ({} groups)",
        ms(t_stats_shift),
        r2.groups.len()
    );
    println!(
        "AUDIT (fold + finish + stats)           {:>9.1} ms",
        ms(audit_total)
    );
    println!(
        "parse + audit (the desk's work per line){:>9.1} ms",
        ms(parse + audit_total)
    );
    println!(
        "chain check over all lines              {:>9.1} ms  ({:.0} k events/s)",
        ms(check),
        events as f64 / check.as_secs_f64() / 1e3
    );
    if let Some(s) = &r1.slowest {
        println!("{}\n{}", s.zh, s.en);
    }
    println!(
        "after: VmHWM {}  VmRSS {}",
        status("VmHWM:"),
        status("VmRSS:")
    );
}
