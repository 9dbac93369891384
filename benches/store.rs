//! Store figures: durable append latency against a raw append+fdatasync baseline measured in
//! the same run, open-to-ready with a large log, verify throughput, database size.
//!
//! `cargo bench --bench store` (DUTYDESK_BENCH_INCIDENTS=100000 by default: 1M events).

use std::io::Write;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use dutydesk::domain::{
    Actor, Casualties, Count, EventBody, Flag, FlagClass, FlagKind, Report, ReportKind, Reporter,
};
use dutydesk::store::{self, OpenOptions, Store};

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1e3
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
        category: Some("fire".into()),
        level: None,
        casualties: Casualties {
            dead: Count::Known(0),
            injured: Count::Known((i % 5) as u32),
            missing: Count::NotStated,
            trapped: Count::Unknown,
        },
        summary: format!(
            "第{i}号：据群众反映，河口镇一处民房于凌晨起火，火势较大，现场浓烟，可能有人员被困，消防救援大队已出动两车十人赶赴现场处置，具体情况待核实。"
        ),
        measures: Some("已通知镇政府值班人员赶赴现场，疏散周边群众。".into()),
        requests: None,
        already_told: Some("已报县消防救援大队".into()),
        declined: Vec::new(),
        accepted: Vec::new(),
        recorder: "李明".into(),
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

/// About ten events per incident: first report, 2 flags, 3 follow-ups, a resolution, final…
fn incident_events(i: u64, base: DateTime<FixedOffset>) -> Vec<(DateTime<FixedOffset>, EventBody)> {
    let at = base + chrono::Duration::minutes(i as i64 * 7);
    let day = at.date_naive();
    let number = format!("{}-{:04}", day.format("%Y%m%d"), i % 10_000 + 1);
    let mut v = vec![(
        at,
        EventBody::ReportFiled {
            incident: number.clone(),
            report: Box::new(report(i, ReportKind::First, 0, at)),
        },
    )];
    for k in 1..=2 {
        v.push((
            at,
            EventBody::FlagRaised {
                incident: number.clone(),
                report: 0,
                flag: flag(&format!("R0-{k}")),
            },
        ));
    }
    for s in 1..=5u32 {
        v.push((
            at,
            EventBody::ReportFiled {
                incident: number.clone(),
                report: Box::new(report(i, ReportKind::FollowUp, s, at)),
            },
        ));
    }
    v.push((
        at,
        EventBody::ReportFiled {
            incident: number.clone(),
            report: Box::new(report(i, ReportKind::Final, 6, at)),
        },
    ));
    v.push((
        at,
        EventBody::Note {
            text: format!("closed {number}"),
        },
    ));
    v
}

fn main() {
    let incidents: u64 = std::env::var("DUTYDESK_BENCH_INCIDENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let tmp = tempfile::tempdir().expect("tempdir");
    // DUTYDESK_BENCH_DIR keeps the data (and reuses a large log generated earlier).
    let keep = std::env::var("DUTYDESK_BENCH_DIR")
        .ok()
        .map(std::path::PathBuf::from);
    let root = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&root).expect("bench dir");
    let actor = Actor {
        officer: "李明".into(),
        os_user: "bench".into(),
    };
    let base = DateTime::parse_from_rfc3339("2026-01-01T08:00:00+08:00").expect("time");

    // 1. Durable append latency vs raw append + fdatasync of the same bytes.
    let small = root.join("small");
    let _ = std::fs::remove_dir_all(&small);
    let mut s = Store::open(&small, OpenOptions::default()).expect("open");
    let n = 300;
    let mut lat = Vec::with_capacity(n);
    let mut bytes = 0usize;
    for i in 0..n as u64 {
        let number = format!("20260101-{:04}", i + 1);
        let body = EventBody::ReportFiled {
            incident: number,
            report: Box::new(report(i, ReportKind::First, 0, base)),
        };
        let t0 = Instant::now();
        let ev = s.append(&actor, base, vec![body]).expect("append");
        lat.push(t0.elapsed());
        bytes += ev[0].to_line().len() + 1;
    }
    drop(s);
    let line = vec![b'x'; bytes / n];
    let raw_path = root.join("raw.log");
    let _ = std::fs::remove_file(&raw_path);
    let mut raw = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&raw_path)
        .expect("raw");
    let mut base_lat = Vec::with_capacity(n);
    for _ in 0..n {
        let t0 = Instant::now();
        raw.write_all(&line).expect("write");
        raw.sync_data().expect("fdatasync");
        base_lat.push(t0.elapsed());
    }
    let (p50, p99) = (pct(&mut lat, 0.5), pct(&mut lat, 0.99));
    let (b50, b99) = (pct(&mut base_lat, 0.5), pct(&mut base_lat, 0.99));
    println!(
        "durable append (report, {} B): p50 {p50:.3} ms, p99 {p99:.3} ms",
        bytes / n
    );
    println!("baseline write+fdatasync      : p50 {b50:.3} ms, p99 {b99:.3} ms");
    println!(
        "ratio p50 {:.2}x (target ≤ 3x), p99 {:.2}x",
        p50 / b50,
        p99 / b99
    );

    // 2. A large log.
    let big = root.join("big");
    let reuse = keep.is_some() && big.join(store::JOURNAL).exists();
    let mut s = Store::open(&big, OpenOptions::default()).expect("open");
    let incidents = if reuse { 0 } else { incidents };
    let t0 = Instant::now();
    let mut batch = Vec::new();
    let mut done = 0;
    for i in 0..incidents {
        batch.extend(incident_events(i, base));
        if batch.len() >= 50_000 {
            s.append_many(&actor, std::mem::take(&mut batch))
                .expect("bulk");
            done += 1;
            if done % 4 == 0 {
                eprint!("\r  generated {}/{} incidents", i + 1, incidents);
            }
        }
    }
    s.append_many(&actor, batch).expect("bulk");
    let events = s.head().seq;
    eprintln!();
    println!(
        "generated {incidents} incidents / {events} events in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    drop(s);

    let mut opens = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        let s = Store::open(&big, OpenOptions::default()).expect("reopen");
        // Ready: the board's first page (the newest 100 incidents) and the head are in hand.
        let page: Vec<_> = s.db().incidents_rev().take(100).collect();
        assert_eq!(page.len(), 100.min(s.db().incident_count()));
        opens.push(t0.elapsed());
        assert!(s.open_notes.is_empty(), "{:?}", s.open_notes);
    }
    println!(
        "open to ready ({events} events): p50 {:.1} ms, max {:.1} ms (target ≤ 150 ms)",
        pct(&mut opens.clone(), 0.5),
        pct(&mut opens, 1.0)
    );

    let t0 = Instant::now();
    let v = store::verify_journal(&big.join(store::JOURNAL), true).expect("verify");
    let chain = t0.elapsed();
    assert!(v.chain_break.is_none());
    println!(
        "verify chain: {} events in {:.2} s = {:.0} events/s (target ≥ 200k/s)",
        v.events,
        chain.as_secs_f64(),
        v.events as f64 / chain.as_secs_f64()
    );
    let s = Store::open(&big, OpenOptions::default()).expect("reopen");
    let t0 = Instant::now();
    let full = s.verify().expect("verify");
    assert!(full.ok(), "{full:?}");
    let whole = t0.elapsed();
    println!(
        "verify chain + projections: {:.2} s = {:.0} events/s",
        whole.as_secs_f64(),
        full.events as f64 / whole.as_secs_f64()
    );
    s.flush().expect("flush");
    let journal = std::fs::metadata(big.join(store::JOURNAL))
        .map(|m| m.len())
        .unwrap_or(0);
    let db = dir_size(&big.join(store::DB_DIR));
    println!(
        "journal {:.1} MB, sled {:.1} MB ({:.2}x the logical size)",
        journal as f64 / 1e6,
        db as f64 / 1e6,
        db as f64 / journal as f64
    );
}

fn dir_size(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => dir_size(&e.path()),
                    _ => e.metadata().map(|m| m.len()).unwrap_or(0),
                })
                .sum()
        })
        .unwrap_or(0)
}
