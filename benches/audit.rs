//! Audit figures: 1M events (100k incidents) generated in memory in batches, each event sealed to
//! its journal line as the desk writes it. Two passes over the same lines (generated twice):
//!
//! 1. the desk's audit as `dutydesk audit` runs it ([`LogAudit`]: light decode, hash chain from
//!    the first incident on, fold, then statistics), with peak resident memory (VmHWM) after it;
//! 2. the old way, as the baseline: every line parsed into a full `Event`, folded, the chain
//!    checked by `ChainCheck::check` (which reads the line again); and the new steps one by one.
//!
//! Prints the end-to-end figure of both and their ratio.
//!
//! `cargo bench --bench audit` (DUTYDESK_BENCH_INCIDENTS=100000 by default: 1M events).

use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use dutydesk::config::Config;
use dutydesk::domain::{
    Casualties, Count, Event, EventBody, Flag, FlagClass, FlagKind, Level, Report, ReportKind,
    Reporter, Resolution, ResolutionMethod, ResolutionResult, GENESIS_HASH,
};
use dutydesk::rules::audit::{self, AuditEvent, GroupBy, IntervalFold, Period, Source};
use dutydesk::service::audit::LogAudit;
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

/// Journal lines, `BATCH` events at a time, the same on every run.
struct Lines {
    base: DateTime<FixedOffset>,
    rng: Rng,
    next_incident: u64,
    incidents: u64,
    seq: u64,
    prev: String,
    bytes: u64,
}

const BATCH: usize = 5000;

impl Lines {
    fn new(base: DateTime<FixedOffset>, incidents: u64) -> Lines {
        Lines {
            base,
            rng: Rng(0x9E37_79B9_7F4A_7C15),
            next_incident: 0,
            incidents,
            seq: 0,
            prev: GENESIS_HASH.to_string(),
            bytes: 0,
        }
    }

    /// The next batch of `(seq, line)`; empty at the end.
    fn batch(&mut self) -> Vec<(u64, String)> {
        let mut out = Vec::with_capacity(BATCH + 10);
        while out.len() < BATCH && self.next_incident < self.incidents {
            let i = self.next_incident;
            self.next_incident += 1;
            for (at, body) in incident(i, self.base, &mut self.rng) {
                self.seq += 1;
                let officer = OFFICERS[(i % 4) as usize];
                let e = Event::seal(self.seq, at, officer, "duty", body, &self.prev);
                let line = e.to_line();
                self.bytes += line.len() as u64 + 1;
                self.prev = e.hash;
                out.push((self.seq, line));
            }
        }
        out
    }
}

fn timed<T>(total: &mut Duration, f: impl FnOnce() -> T) -> T {
    let t0 = Instant::now();
    let r = f();
    *total += t0.elapsed();
    r
}

fn row(what: &str, d: Duration, events: u64) {
    println!(
        "{what:<44}{:>9.1} ms  ({:.0} k events/s)",
        ms(d),
        events as f64 / d.as_secs_f64() / 1e3
    );
}

fn main() {
    let incidents: u64 = std::env::var("DUTYDESK_BENCH_INCIDENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let config: Config = toml::from_str(dutydesk::config::DEFAULT_TOML).expect("default config");
    let base = DateTime::parse_from_rfc3339("2026-01-01T08:00:00+08:00").expect("time");
    let now = base + chrono::Duration::days(400);
    let by = Some(GroupBy::Officer);
    println!(
        "before: VmHWM {}  VmRSS {}",
        status("VmHWM:"),
        status("VmRSS:")
    );

    // 1. The desk's audit.
    let mut lines = Lines::new(base, incidents);
    let mut pass = LogAudit::new(&config, Period::default());
    let mut t_feed = Duration::ZERO;
    loop {
        let batch = lines.batch();
        if batch.is_empty() {
            break;
        }
        timed(&mut t_feed, || {
            for (seq, line) in &batch {
                pass.feed(*seq, line);
            }
        });
    }
    let events = lines.seq;
    let mut t_build = Duration::ZERO;
    let new_report = timed(&mut t_build, || pass.finish(true, now, by));
    let new_total = t_feed + t_build;
    let hwm_desk = status("VmHWM:");

    // 2. The old way, and the new steps one by one.
    let mut lines = Lines::new(base, incidents);
    let mut old_fold = IntervalFold::new(&config);
    let mut new_fold = IntervalFold::new(&config);
    let mut old_chain = ChainCheck::default();
    let mut new_chain = ChainCheck::default();
    let z = Duration::ZERO;
    let (mut t_parse, mut t_push, mut t_check) = (z, z, z);
    let (mut t_light, mut t_take, mut t_check_parsed) = (z, z, z);
    loop {
        let batch = lines.batch();
        if batch.is_empty() {
            break;
        }
        let full: Vec<Event> = timed(&mut t_parse, || {
            batch
                .iter()
                .map(|(_, l)| serde_json::from_str(l).expect("parse"))
                .collect()
        });
        timed(&mut t_push, || full.iter().for_each(|e| old_fold.push(e)));
        drop(full);
        timed(&mut t_check, || {
            for (seq, l) in &batch {
                old_chain.check(*seq, l).expect("chain");
            }
        });
        let light: Vec<AuditEvent> = timed(&mut t_light, || {
            batch
                .iter()
                .map(|(_, l)| AuditEvent::from_line(l).expect("light decode"))
                .collect()
        });
        timed(&mut t_take, || light.iter().for_each(|e| new_fold.take(e)));
        timed(&mut t_check_parsed, || {
            for ((seq, l), e) in batch.iter().zip(&light) {
                new_chain
                    .check_parsed(*seq, l, e.seq, e.prev, e.hash)
                    .expect("chain");
            }
        });
    }
    let mut t_old_build = Duration::ZERO;
    let old_report = timed(&mut t_old_build, || {
        let src = Source {
            events_read: events,
            incidents,
            chain_verified: true,
        };
        audit::build(old_fold.finish(now), Period::default(), by, now, src)
    });
    let old_total = t_parse + t_push + t_check + t_old_build;
    assert_eq!(
        old_report, new_report,
        "the light audit differs from the full one"
    );
    let new_intervals = new_fold.finish(now).len();

    println!(
        "events {events} ({:.0} MB of journal lines), incidents {incidents}, intervals {new_intervals}",
        lines.bytes as f64 / 1e6
    );
    println!("the old way (full Event per line):");
    row("  parse lines → Event", t_parse, events);
    row("  fold (push)", t_push, events);
    row("  chain check (reads each line again)", t_check, events);
    row("  finish + statistics by officer", t_old_build, events);
    row("  END-TO-END, old", old_total, events);
    println!("the new steps one by one:");
    row("  light decode → AuditEvent", t_light, events);
    row("  fold (take)", t_take, events);
    row(
        "  chain check (decoded seq/prev/hash)",
        t_check_parsed,
        events,
    );
    println!("the desk's audit (LogAudit):");
    row("  decode + chain + fold (feed)", t_feed, events);
    row("  finish + statistics by officer", t_build, events);
    row("  END-TO-END, new", new_total, events);
    println!(
        "new / old: {:.2} ({:.1}x faster)",
        new_total.as_secs_f64() / old_total.as_secs_f64(),
        old_total.as_secs_f64() / new_total.as_secs_f64()
    );
    if let Some(s) = &new_report.slowest {
        println!("{}\n{}", s.zh, s.en);
    }
    println!("peak RSS after the desk's audit (pass 1, incl. the generator): VmHWM {hwm_desk}");
    println!(
        "after both passes: VmHWM {}  VmRSS {}",
        status("VmHWM:"),
        status("VmRSS:")
    );
}
