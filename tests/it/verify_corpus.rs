//! The labelled corpus: precision and recall of the vague cues and of the source check.
//!
//! `tests/corpus/verify/reports.jsonl` holds reports as a county duty desk gets them at night,
//! each with the vague cues a careful duty officer would mark and whether the source needs
//! checking. Fails below 0.95 recall or 0.90 precision for either.

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use dutydesk::domain::{FlagKind, Report, ReportDraft};
use dutydesk::rules::verify::Verifier;
use serde_json::Value;

#[derive(Default, Clone, Copy)]
struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Score {
    fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
}

/// Counts matches of two multisets.
fn score<T: std::hash::Hash + Eq + Clone>(
    expected: &[T],
    got: &[T],
    s: &mut Score,
) -> (Vec<T>, Vec<T>) {
    let mut want: HashMap<T, usize> = HashMap::new();
    for e in expected {
        *want.entry(e.clone()).or_default() += 1;
    }
    let mut extra = Vec::new();
    for g in got {
        match want.get_mut(g) {
            Some(n) if *n > 0 => {
                *n -= 1;
                s.tp += 1;
            }
            _ => {
                s.fp += 1;
                extra.push(g.clone());
            }
        }
    }
    let mut missed = Vec::new();
    for (k, n) in want {
        s.fn_ += n;
        for _ in 0..n {
            missed.push(k.clone());
        }
    }
    (missed, extra)
}

fn draft(v: &Value) -> ReportDraft {
    serde_json::from_value(v.clone()).expect("corpus report in the ReportDraft shape")
}

#[test]
fn corpus_precision_and_recall() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/verify/reports.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("corpus file");
    let config = dutydesk::config::defaults();
    let verifier = Verifier::new(&config);
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 16, 0, 0).unwrap();
    let received = now.fixed_offset();
    let mut vague = Score::default();
    let mut by_class: HashMap<String, Score> = HashMap::new();
    let mut source = Score::default();
    let mut source_tn = 0;
    let mut n = 0;
    let mut problems = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let rec: Value = serde_json::from_str(line).expect("corpus line is JSON");
        let id = rec["id"].as_str().unwrap_or("?").to_string();
        let earlier: Vec<Report> = rec["earlier"]
            .as_array()
            .map(|a| {
                a.iter()
                    .enumerate()
                    .map(|(i, d)| Report::from_draft(draft(d), i as u32, received, "t"))
                    .collect()
            })
            .unwrap_or_default();
        let report = Report::from_draft(draft(&rec["report"]), earlier.len() as u32, received, "t");
        let a = verifier.assess(&report, &earlier, now);
        n += 1;

        let expected: Vec<(String, String, String)> = rec["expect"]["vague"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let t = t.as_array().unwrap();
                (
                    t[0].as_str().unwrap().into(),
                    t[1].as_str().unwrap().into(),
                    t[2].as_str().unwrap().into(),
                )
            })
            .collect();
        let got: Vec<(String, String, String)> = a
            .flags
            .iter()
            .filter(|f| f.kind == FlagKind::Vague)
            .map(|f| {
                let class = serde_json::to_value(f.class)
                    .unwrap()
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                (f.field.clone(), f.cue.clone().unwrap_or_default(), class)
            })
            .collect();
        let pair = |v: &[(String, String, String)]| {
            v.iter()
                .map(|(f, c, _)| (f.clone(), c.clone()))
                .collect::<Vec<_>>()
        };
        let (missed, extra) = score(&pair(&expected), &pair(&got), &mut vague);
        if !missed.is_empty() || !extra.is_empty() {
            problems.push(format!("{id}: vague missed {missed:?} extra {extra:?}"));
        }
        for class in ["hearsay", "guess", "approximate_number", "unknown"] {
            let pick = |v: &[(String, String, String)]| {
                v.iter()
                    .filter(|t| t.2 == class)
                    .cloned()
                    .collect::<Vec<_>>()
            };
            let s = by_class.entry(class.to_string()).or_default();
            score(&pick(&expected), &pick(&got), s);
        }

        let want_src = rec["expect"]["unverified_source"].as_bool().unwrap();
        let got_src = a.flags.iter().any(|f| f.kind == FlagKind::UnverifiedSource);
        match (want_src, got_src) {
            (true, true) => source.tp += 1,
            (false, true) => {
                source.fp += 1;
                problems.push(format!("{id}: source flagged, not expected"));
            }
            (true, false) => {
                source.fn_ += 1;
                problems.push(format!("{id}: source not flagged, expected"));
            }
            (false, false) => source_tn += 1,
        }
    }
    println!("\ncorpus: {n} reports");
    println!(
        "{:<22} {:>5} {:>5} {:>5} {:>9} {:>7}",
        "rule", "tp", "fp", "fn", "precision", "recall"
    );
    let row = |name: &str, s: &Score| {
        println!(
            "{:<22} {:>5} {:>5} {:>5} {:>9.3} {:>7.3}",
            name,
            s.tp,
            s.fp,
            s.fn_,
            s.precision(),
            s.recall()
        );
    };
    row("vague (field, cue)", &vague);
    for class in ["hearsay", "guess", "approximate_number", "unknown"] {
        row(&format!("  {class}"), &by_class[class]);
    }
    row("unverified_source", &source);
    println!("  (source true negatives: {source_tn})");
    for p in &problems {
        println!("  {p}");
    }
    assert!(
        n >= 150,
        "the corpus must hold at least 150 reports, has {n}"
    );
    for (name, s) in [("vague", vague), ("source", source)] {
        assert!(s.recall() >= 0.95, "{name} recall {:.3} < 0.95", s.recall());
        assert!(
            s.precision() >= 0.90,
            "{name} precision {:.3} < 0.90",
            s.precision()
        );
    }
}
