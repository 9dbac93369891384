//! Tampering: modify, delete, insert or reorder one record of a journal; the chain check must
//! catch every one and name the right first bad sequence number.
//! `DUTYDESK_TAMPER_EVENTS` (default 2,000) and `DUTYDESK_TAMPER_TRIALS` (default 100 per kind);
//! the full size is 100,000 events and 1,000 trials.

mod common;

use common::Rng;
use dutydesk::domain::{Event, EventBody, GENESIS_HASH};
use dutydesk::store::ChainCheck;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn chain(n: usize) -> Vec<String> {
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-22T02:00:00+08:00").unwrap();
    let mut prev = GENESIS_HASH.to_string();
    (1..=n as u64)
        .map(|seq| {
            let e = Event::seal(
                seq,
                at + chrono::Duration::seconds(seq as i64),
                "李明",
                "duty",
                EventBody::Note {
                    text: format!("第{seq}条记录：河口镇现场情况通报"),
                },
                &prev,
            );
            prev = e.hash.clone();
            e.to_line()
        })
        .collect()
}

/// The first bad sequence number, checking from a known-good point before `from` (lines before
/// it are untouched in every trial, so starting there is the same as starting at line 1).
fn first_bad(lines: &[String], good: &[String], from: usize) -> Option<u64> {
    let mut c = if from == 0 {
        ChainCheck::default()
    } else {
        let e: Event = serde_json::from_str(&good[from - 1]).unwrap();
        ChainCheck::after(e.seq, &e.hash)
    };
    for (i, l) in lines.iter().enumerate().skip(from) {
        if let Err(b) = c.next(i as u64 + 1, l) {
            return Some(b.seq);
        }
    }
    None
}

#[test]
fn every_tampering_is_detected_at_the_right_place() {
    let n = env("DUTYDESK_TAMPER_EVENTS", 2_000);
    let trials = env("DUTYDESK_TAMPER_TRIALS", 100);
    let good = chain(n);
    // The untouched log verifies from the start.
    assert_eq!(first_bad(&good, &good, 0), None);
    let mut rng = Rng::from_env_or_time();
    let mut detected = [0usize; 4];
    let mut right_place = [0usize; 4];
    for kind in 0..4 {
        for _ in 0..trials {
            let k = rng.below(n as u64 - 1) as usize; // 0-based line index, never the last
            let mut lines = good.clone();
            let expected = match kind {
                0 => {
                    // Modify one character of the text.
                    lines[k] = lines[k].replacen("河口镇", "河口乡", 1);
                    k as u64 + 1
                }
                1 => {
                    lines.remove(k);
                    k as u64 + 1
                }
                2 => {
                    let other = (k + 1 + rng.below(n as u64 - 1) as usize) % n;
                    lines.insert(k, good[other].clone());
                    k as u64 + 1
                }
                _ => {
                    lines.swap(k, k + 1);
                    k as u64 + 1
                }
            };
            // Start a few lines before the change: what precedes is identical to `good`.
            let from = k.saturating_sub(3);
            if let Some(seq) = first_bad(&lines, &good, from) {
                detected[kind] += 1;
                if seq == expected {
                    right_place[kind] += 1;
                }
            }
        }
    }
    let names = ["modify", "delete", "insert", "reorder"];
    for kind in 0..4 {
        println!(
            "tamper {:<8} {} trials on {} events: detected {} ({:.0} %), right sequence number {}",
            names[kind],
            trials,
            n,
            detected[kind],
            detected[kind] as f64 * 100.0 / trials as f64,
            right_place[kind]
        );
        assert_eq!(detected[kind], trials, "{}", names[kind]);
        assert_eq!(right_place[kind], trials, "{}", names[kind]);
    }
}
