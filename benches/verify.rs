//! Throughput of the verification engine: reports assessed per second on one core for typical
//! ~300-character reports, and p99 latency for a 5,000-character report, against a baseline of a
//! plain `str::contains` scan for every lexicon cue over the same texts.
//!
//! Run: `cargo bench --bench verify`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use dutydesk::domain::{Report, ReportDraft};
use dutydesk::rules::verify::Verifier;

/// Corpus summaries, joined into reports of about `len` characters.
fn reports(len: usize, count: usize) -> Vec<Report> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/verify/reports.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let drafts: Vec<ReportDraft> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| serde_json::from_value(v["report"].clone()).ok())
        .collect();
    let received = Utc
        .with_ymd_and_hms(2026, 11, 22, 16, 0, 0)
        .unwrap()
        .fixed_offset();
    let mut out = Vec::new();
    let mut k = 0;
    while out.len() < count && !drafts.is_empty() {
        let mut d = drafts[k % drafts.len()].clone();
        let mut summary = d.summary.clone();
        let mut j = k + 1;
        while summary.chars().count() < len {
            summary.push_str(&drafts[j % drafts.len()].summary);
            j += 7;
        }
        d.summary = summary.chars().take(len).collect();
        out.push(Report::from_draft(d, 0, received, "bench"));
        k += 1;
    }
    out
}

fn baseline(cues: &[String], r: &Report) -> usize {
    let mut hits = 0;
    for t in [
        Some(r.summary.as_str()),
        r.measures.as_deref(),
        r.location.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        for c in cues {
            if t.contains(c.as_str()) {
                hits += 1;
            }
        }
    }
    hits
}

fn main() {
    let config = dutydesk::config::defaults();
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 16, 0, 0).unwrap();
    let t0 = Instant::now();
    let verifier = Verifier::new(&config);
    let build = t0.elapsed();
    let cues: Vec<String> = config
        .verification
        .lexicon
        .iter()
        .map(|c| c.cue.clone())
        .collect();

    // Typical reports (~300 characters).
    let typical = reports(300, 500);
    let rounds = 40;
    let mut flags = 0;
    let t = Instant::now();
    for _ in 0..rounds {
        for r in &typical {
            flags += black_box(verifier.assess(black_box(r), &[], now))
                .flags
                .len();
        }
    }
    let engine = t.elapsed();
    let t = Instant::now();
    let mut hits = 0;
    for _ in 0..rounds {
        for r in &typical {
            hits += baseline(black_box(&cues), black_box(r));
        }
    }
    let base = t.elapsed();
    let n = (rounds * typical.len()) as f64;
    let per_s = n / engine.as_secs_f64();
    let base_per_s = n / base.as_secs_f64();
    println!("Verifier::new: {build:?} ({} lexicon cues)", cues.len());
    println!(
        "typical ~300-char reports: {per_s:.0} reports/s on one core ({:.1} µs each, {} flags); target ≥ 20000/s: {}",
        engine.as_secs_f64() * 1e6 / n,
        flags / rounds,
        if per_s >= 20_000.0 { "met" } else { "MISSED" }
    );
    println!(
        "baseline str::contains per cue: {base_per_s:.0} reports/s ({} hits); engine time / baseline time = {:.2}",
        hits / rounds,
        engine.as_secs_f64() / base.as_secs_f64()
    );

    // One long report (5,000 characters): p99 over many runs.
    let long = reports(5_000, 1).remove(0);
    let mut samples: Vec<Duration> = Vec::with_capacity(2_000);
    let mut base_samples: Vec<Duration> = Vec::with_capacity(2_000);
    for _ in 0..2_000 {
        let t = Instant::now();
        black_box(verifier.assess(black_box(&long), &[], now));
        samples.push(t.elapsed());
        let t = Instant::now();
        black_box(baseline(&cues, black_box(&long)));
        base_samples.push(t.elapsed());
    }
    samples.sort();
    base_samples.sort();
    let pct = |v: &[Duration], p: f64| v[((v.len() as f64 * p) as usize).min(v.len() - 1)];
    let p99 = pct(&samples, 0.99);
    println!(
        "5000-char report: p50 {:?}, p99 {:?}, max {:?}; target p99 ≤ 1 ms: {}",
        pct(&samples, 0.50),
        p99,
        samples[samples.len() - 1],
        if p99 <= Duration::from_millis(1) {
            "met"
        } else {
            "MISSED"
        }
    );
    println!(
        "baseline on the 5000-char report: p50 {:?}, p99 {:?}; ratio p99 engine / baseline = {:.2}",
        pct(&base_samples, 0.50),
        pct(&base_samples, 0.99),
        p99.as_secs_f64() / pct(&base_samples, 0.99).as_secs_f64()
    );
}
