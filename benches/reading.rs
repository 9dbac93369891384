//! Reading the words (issue 27): accuracy on the labelled corpus (every split) and time per
//! report, against the verifier's own assessment of the same report measured in the same run
//! (what the form already spends on every keystroke).
//!
//! Run: `cargo bench --bench reading`.

use std::hint::black_box;
use std::time::{Duration, Instant};

#[path = "../tests/it/reading_score.rs"]
#[allow(dead_code)]
mod score;

use dutydesk::rules::reading::Reader;
use dutydesk::rules::routing;
use dutydesk::rules::verify::Verifier;
use score::Figures;

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    let config = dutydesk::config::defaults();
    let t = Instant::now();
    let reader = Reader::new(&config);
    let compile = t.elapsed();
    let cases = score::cases();
    let outcomes: Vec<_> = cases
        .iter()
        .map(|c| score::score(&config, &reader, c))
        .collect();
    println!("accuracy on {} labelled reports:", cases.len());
    for split in ["tune", "holdout", "holdout2", "holdout3", "holdout4"] {
        println!(
            "  {}",
            Figures::of(outcomes.iter().filter(|o| o.split == split)).line(split)
        );
    }
    println!("  {}", Figures::of(outcomes.iter()).line("all"));

    let reports: Vec<_> = cases.iter().map(score::report).collect();
    let verifier = Verifier::new(&config);
    let now = chrono::Utc::now();
    let rounds = 20;
    let (mut read, mut assess, mut route) = (Vec::new(), Vec::new(), Vec::new());
    let day = score::received().date_naive();
    for _ in 0..rounds {
        for r in &reports {
            let t = Instant::now();
            black_box(reader.read(black_box(r)));
            read.push(t.elapsed());
            let t = Instant::now();
            black_box(verifier.assess(black_box(r), &[], now));
            assess.push(t.elapsed());
            let t = Instant::now();
            let reading = reader.read(r);
            black_box(routing::propose_read(&config, r, &reading, day));
            route.push(t.elapsed());
        }
    }
    let (r50, r99, rmax) = (
        pct(&mut read, 0.5),
        pct(&mut read, 0.99),
        pct(&mut read, 1.0),
    );
    let (a50, a99) = (pct(&mut assess, 0.5), pct(&mut assess, 0.99));
    let (p50, p99) = (pct(&mut route, 0.5), pct(&mut route, 0.99));
    println!(
        "reader compiled once in {} ({} reports x {rounds} rounds, one core)",
        micros(compile),
        reports.len()
    );
    println!(
        "read per report: p50 {} · p99 {} · max {}   (target p99 <= 1 ms: {})",
        micros(r50),
        micros(r99),
        micros(rmax),
        if r99 <= Duration::from_millis(1) {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "baseline, the whole verifier (flags + reading) per report: p50 {} · p99 {}; reading is {:.0} % of it at p50",
        micros(a50),
        micros(a99),
        100.0 * r50.as_secs_f64() / a50.as_secs_f64().max(1e-9)
    );
    println!(
        "read + routing proposal per report: p50 {} · p99 {}",
        micros(p50),
        micros(p99)
    );
}
