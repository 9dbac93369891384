//! Audit figures: 1M events (100k incidents) generated in memory, each event sealed to its
//! journal line as the desk writes it, all lines held in memory (≈0.8 GB: counted in VmHWM, not
//! in the audit's own figure below). Then, over the same lines:
//!
//! 1. the desk's audit as `dutydesk audit` runs it ([`audit_blocks`]: the lines written to a
//!    journal file and read back in blocks, scoped threads decoding (the store's serde view)
//!    and hashing them, the fold, then statistics), minus the database;
//! 2. the old way, the baseline: every line parsed into a full `Event`, folded, the chain
//!    checked by `ChainCheck::check` (which reads the line again), one thread;
//! 3. the desk's steps one by one, one thread.
//!
//! Each incident is ten events: a first report, a flag and its check, the report to the leader
//! and a notice to a department with their deliveries and acknowledgements, a final report.
//!
//! Prints both end-to-end figures and their ratio, and peak resident memory (VmHWM).
//!
//! `cargo bench --bench audit` (DUTYDESK_BENCH_INCIDENTS=100000 by default: 1M events).
//! `DUTYDESK_BENCH_JOURNAL=path` keeps the journal (`scripts/audit-figures` makes a store of
//! it and times the real `dutydesk audit`).

use std::io::Write;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use dutydesk::config::Config;
use dutydesk::domain::{
    Casualties, Count, Event, EventBody, Flag, FlagClass, FlagKind, Level, QueuedNotice,
    RecipientKind, Report, ReportKind, Reporter, Resolution, ResolutionMethod, ResolutionResult,
    GENESIS_HASH,
};
use dutydesk::rules::audit::{self, GroupBy, IntervalFold, Period, Source};
use dutydesk::service::audit::{audit_blocks, workers, BLOCK};
use dutydesk::store::chain::hash_ok;
use dutydesk::store::lines::Blocks;
use dutydesk::store::view::AuditLine;
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
        declined: Vec::new(),
        accepted: Vec::new(),
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

/// A notice of `inc` to `who`, queued, as the desk writes it (with the report's text).
fn queued(
    inc: &str,
    n: u32,
    who: &str,
    kind: RecipientKind,
    at: DateTime<FixedOffset>,
) -> EventBody {
    EventBody::NoticeQueued {
        notice: Box::new(QueuedNotice {
            id: format!("{inc}/N{n}"),
            token: format!("{inc}-{n}"),
            incident: inc.into(),
            recipient: who.into(),
            recipient_kind: kind,
            subject: format!("【待核实】{inc} 河口镇民房起火"),
            text: format!("【值班室通知】{inc}：据群众反映，河口镇一处民房于凌晨起火，火势较大，现场浓烟，可能有人员被困。消防救援大队已出动。以下情况待核实：可能。请回复签收码 K7P2-Q9XD。"),
            deadline: Some(at + chrono::Duration::minutes(15)),
            ..QueuedNotice::default()
        }),
    }
}

fn delivered(inc: &str, n: u32) -> EventBody {
    EventBody::NoticeDelivered {
        notice: format!("{inc}/N{n}"),
        attempt: 1,
        detail: "200 OK".into(),
    }
}

fn acknowledged(inc: &str, n: u32, by: &str) -> EventBody {
    EventBody::NoticeAcknowledged {
        notice: format!("{inc}/N{n}"),
        token: format!("{inc}-{n}"),
        by: by.into(),
        via: "phone".into(),
        note: String::new(),
        through: None,
    }
}

/// Ten events: first report, a flag, the report to the leader (queued, delivered), the notice
/// to a department (queued), the check, the leader's acknowledgement, the department's
/// delivery and acknowledgement, the final report. Checks take 1–90 minutes.
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
        report: Box::new(report(i, k, s, t)),
    };
    let raised = |r, id: &str| EventBody::FlagRaised {
        incident: inc.clone(),
        report: r,
        flag: flag(id),
    };
    let (c1, a1, a2) = (1 + rng.below(90), 1 + rng.below(30), 2 + rng.below(40));
    vec![
        (at, filed(ReportKind::First, 0, at)),
        (at, raised(0, "R0-1")),
        (
            min(1),
            queued(&inc, 1, "值班领导", RecipientKind::Leader, min(1)),
        ),
        (min(1), delivered(&inc, 1)),
        (
            min(2),
            queued(&inc, 2, "县应急管理局", RecipientKind::Department, min(2)),
        ),
        (min(c1), resolved(&inc, "R0-1", min(c1))),
        (min(1 + a1), acknowledged(&inc, 1, "王副县长")),
        (min(2 + a2 / 2), delivered(&inc, 2)),
        (min(2 + a2), acknowledged(&inc, 2, "应急局值班员")),
        (min(300), filed(ReportKind::Final, 1, min(300))),
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

/// Every journal line of `incidents` incidents, `(seq, line)`, and their bytes.
fn journal(base: DateTime<FixedOffset>, incidents: u64) -> (Vec<(u64, String)>, u64) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut prev = GENESIS_HASH.to_string();
    let mut out = Vec::with_capacity(incidents as usize * 10);
    let mut bytes = 0;
    for i in 0..incidents {
        for (at, body) in incident(i, base, &mut rng) {
            let seq = out.len() as u64 + 1;
            let e = Event::seal(seq, at, OFFICERS[(i % 4) as usize], "duty", body, &prev);
            let line = e.to_line();
            bytes += line.len() as u64 + 1;
            prev = e.hash;
            out.push((seq, line));
        }
    }
    (out, bytes)
}

/// Chunks for the step-by-step timings (what is decoded is held only a chunk at a time).
const CHUNK: usize = 5000;

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
    let t0 = Instant::now();
    let (lines, bytes) = journal(base, incidents);
    let events = lines.len() as u64;
    let t_gen = t0.elapsed();
    let rss_lines = status("VmRSS:");
    let hwm_lines = status("VmHWM:");

    // 1. The desk's audit, reading the journal file (in the page cache, as a console's is).
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.jsonl");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("journal"));
        for (_, l) in &lines {
            writeln!(f, "{l}").expect("write");
        }
        f.flush().expect("flush");
    }
    // Kept for measuring the real `dutydesk audit` on a store made from it (the store replays a
    // journal put in an empty data folder).
    if let Ok(keep) = std::env::var("DUTYDESK_BENCH_JOURNAL") {
        std::fs::copy(&path, &keep).expect("copy the journal");
        println!("journal kept at {keep}");
    }
    let threads = workers();
    let mut t_feed = Duration::ZERO;
    let pass = timed(&mut t_feed, || {
        let mut blocks = Blocks::open(&path, 1, 0, 1, u64::MAX, BLOCK).expect("open");
        audit_blocks(|b| blocks.fill(b), &config, Period::default(), threads).expect("read")
    });
    let mut t_build = Duration::ZERO;
    let new_report = timed(&mut t_build, || pass.finish(true, now, by));
    let new_total = t_feed + t_build;
    let hwm_desk = status("VmHWM:");

    // 2. The old way.
    let mut old_fold = IntervalFold::new(&config);
    let mut old_chain = ChainCheck::default();
    let z = Duration::ZERO;
    let (mut t_parse, mut t_push, mut t_check) = (z, z, z);
    for chunk in lines.chunks(CHUNK) {
        let full: Vec<Event> = timed(&mut t_parse, || {
            chunk
                .iter()
                .map(|(_, l)| serde_json::from_str(l).expect("parse"))
                .collect()
        });
        timed(&mut t_push, || full.iter().for_each(|e| old_fold.push(e)));
        drop(full);
        timed(&mut t_check, || {
            for (seq, l) in chunk {
                old_chain.check(*seq, l).expect("chain");
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
        "the desk's audit differs from the full one"
    );

    // 3. The new steps one by one.
    let mut new_fold = IntervalFold::new(&config);
    let mut new_chain = ChainCheck::default();
    let (mut t_view, mut t_take, mut t_hash, mut t_check_parsed) = (z, z, z, z);
    for chunk in lines.chunks(CHUNK) {
        let views: Vec<AuditLine> = timed(&mut t_view, || {
            chunk
                .iter()
                .map(|(_, l)| AuditLine::parse(l.as_bytes()).expect("view"))
                .collect()
        });
        timed(&mut t_take, || {
            views.iter().for_each(|v| {
                new_fold.take(&v.audit());
            })
        });
        let hashed: Vec<bool> = timed(&mut t_hash, || {
            chunk.iter().map(|(_, l)| hash_ok(l.as_bytes())).collect()
        });
        timed(&mut t_check_parsed, || {
            for (((seq, l), v), h) in chunk.iter().zip(&views).zip(hashed) {
                new_chain
                    .check_hashed(*seq, l.as_bytes(), v.seq, &v.prev, &v.hash, Some(h))
                    .expect("chain");
            }
        });
    }
    let n_intervals = new_fold.finish(now).len();

    println!(
        "events {events} ({:.0} MB of journal lines), incidents {incidents}, intervals {n_intervals}",
        bytes as f64 / 1e6
    );
    row("generating + sealing (not counted)", t_gen, events);
    println!("the old way (full Event per line, one thread):");
    row("  parse lines → Event", t_parse, events);
    row("  fold (push)", t_push, events);
    row("  chain check (reads each line again)", t_check, events);
    row("  finish + statistics by officer", t_old_build, events);
    row("  END-TO-END, old", old_total, events);
    println!("the desk's steps one by one (one thread):");
    row("  serde view → AuditEvent", t_view, events);
    row("  fold (take)", t_take, events);
    row("  hash each line (hash_ok, sha2)", t_hash, events);
    row(
        "  chain links (decoded seq/prev/hash)",
        t_check_parsed,
        events,
    );
    println!(
        "the desk's audit (audit_blocks: {threads} block(s) at a time decoded and hashed on scoped threads; this thread folds):"
    );
    row("  journal file → folded", t_feed, events);
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
    println!("with the lines in memory: VmRSS {rss_lines}  VmHWM {hwm_lines}");
    println!("after the desk's audit:   VmHWM {hwm_desk} (the audit's own peak ≈ the difference)");
    println!(
        "after everything:         VmHWM {}  VmRSS {}",
        status("VmHWM:"),
        status("VmRSS:")
    );
}
