//! The fuzz targets' properties on stable, in every `cargo test`: the seeds in `fuzz/seeds/`,
//! the hostile-text corpus placed in every field, and mutations of both from a seeded generator
//! (byte flips, inserted payload fragments, truncations, splices). Real coverage-guided fuzzing
//! of the same properties is `scripts/fuzz` (cargo-fuzz); this keeps them compiled, linted and
//! exercised even where cargo-fuzz cannot be installed. `DUTYDESK_FUZZ_MUTATIONS` (default 1000)
//! sets the mutations per target.

use crate::common;

#[path = "../../fuzz/props.rs"]
mod props;

use common::hostile::payloads;

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 4] = [
    ("sanitize", props::sanitize),
    ("config", props::config),
    ("report_json", props::report_json),
    ("roster_csv", props::roster_csv),
];

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut out: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    // The hostile corpus, placed where each parser takes outside text.
    for p in payloads().iter().filter(|p| p.len() < 5_000) {
        let q = serde_json::to_string(p).unwrap();
        out.push(match target {
            "sanitize" => p.as_bytes().to_vec(),
            "config" => format!("[office]\nname = {q}\n[[people]]\nname = {q}\n").into_bytes(),
            "report_json" => format!(
                "{{\"summary\":{q},\"location\":{q},\"category\":{q},\"occurred_at\":{q},\
                 \"reporter\":{{\"name\":{q},\"unit\":{q}}},\"measures\":{q}}}"
            )
            .into_bytes(),
            _ => format!("2026-11-23,{p},陈静\n{p},李明,{p}\n").into_bytes(),
        });
    }
    out
}

/// xorshift64*: the same sequence on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, base: &[u8], other: &[u8], fragments: &[String]) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(6) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 => {
                let f = fragments[rng.below(fragments.len())].as_bytes();
                v.splice(at..at, f.iter().copied());
            }
            2 => v.truncate(at),
            3 if !v.is_empty() => {
                let end = (at + rng.below(16)).min(v.len());
                v.drain(at..end);
            }
            4 => {
                let s = rng.below(other.len() + 1);
                let e = (s + rng.below(64)).min(other.len());
                v.splice(at..at, other[s..e].iter().copied());
            }
            _ => {
                let b = [
                    b'"', b'\\', b'\n', b',', b'[', b']', b'=', b'{', 0xe2, 0x80, 0xff,
                ][rng.below(11)];
                v.insert(at, b);
            }
        }
    }
    v
}

/// Runs one input, naming it (lossy text and bytes) when a property fails.
fn run(name: &str, target: Target, input: &[u8]) {
    if std::panic::catch_unwind(|| target(input)).is_err() {
        panic!(
            "{name}: a property failed for {:?} (bytes {input:?})",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn fuzz_properties_hold_on_seeds_payloads_and_mutations() {
    let n: usize = std::env::var("DUTYDESK_FUZZ_MUTATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let mut fragments = payloads();
    fragments.retain(|p| p.len() < 200);
    let mut total = 0;
    for (name, target) in TARGETS {
        let corpus = seeds(name);
        assert!(corpus.len() > 100, "{name}: {} seeds", corpus.len());
        for input in &corpus {
            run(name, target, input);
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ name.len() as u64);
        for _ in 0..n {
            let base = &corpus[rng.below(corpus.len())];
            let other = &corpus[rng.below(corpus.len())];
            let input = mutate(&mut rng, base, other, &fragments);
            run(name, target, &input);
        }
        println!(
            "fuzz properties: {name}: {} seeds + {n} mutations, 0 failures",
            corpus.len()
        );
        total += corpus.len() + n;
    }
    println!("fuzz properties: {total} inputs through 4 targets, 0 failures");
}
