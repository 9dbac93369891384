//! The reader on the labelled corpus (issue 27): the units the words call for, and the accuracy
//! figures, do not fall below what they were when measured on the sets the cues were written
//! against; the untouched set (`holdout4`) is measured and printed.
//!
//! `cargo test --test it reading:: -- --nocapture` prints the table.

#[path = "reading_score.rs"]
mod score;

use dutydesk::rules::reading::Reader;
use score::{Figures, Outcome};

/// The set written apart and never looked at while the cues were written.
const NEVER_TUNED: &str = "holdout4";

fn outcomes() -> Vec<Outcome> {
    let config = dutydesk::config::defaults();
    let reader = Reader::new(&config);
    score::cases()
        .iter()
        .map(|c| score::score(&config, &reader, c))
        .collect()
}

fn show(o: &[Outcome]) {
    for x in o {
        if !x.units_missing.is_empty() || !x.categories_exact || !x.casualties_exact {
            eprintln!(
                "{} [{}] cat missed {:?} extra {:?} · casualties {} {} · level {} · units missing {:?} extra {:?}",
                x.id,
                x.split,
                x.categories_missed,
                x.categories_extra,
                if x.casualties_exact { "ok" } else { "WRONG" },
                x.casualties_said,
                x.level_said,
                x.units_missing,
                x.units_extra
            );
        }
    }
}

#[test]
fn the_corpus_is_labelled_and_split() {
    let cases = score::cases();
    assert!(cases.len() >= 150, "{} reports", cases.len());
    let holdout = cases.iter().filter(|c| c.split == "holdout").count();
    assert!(holdout >= 50, "{holdout} held out");
    assert!(cases.iter().any(|c| c.lang == "en") && cases.iter().any(|c| c.lang == "zh"));
}

#[test]
fn no_unit_the_words_call_for_is_left_out() {
    let o = outcomes();
    show(&o);
    for split in ["tune", "holdout", "holdout2", "holdout3", NEVER_TUNED] {
        eprintln!(
            "{}",
            Figures::of(o.iter().filter(|x| x.split == split)).line(split)
        );
    }
    for lang in ["zh", "en"] {
        eprintln!(
            "{}",
            Figures::of(o.iter().filter(|x| x.lang == lang)).line(lang)
        );
    }
    let all = Figures::of(o.iter());
    eprintln!("{}", all.line("all"));
    // The desk before reading the words: no suggestions, none of the rules by casualties or words.
    let mut before = dutydesk::config::defaults();
    before.notices.rules.clear();
    let b: Vec<Outcome> = score::cases()
        .iter()
        .map(|c| score::score_with(&before, c, |_| Default::default()))
        .collect();
    eprintln!("{}", Figures::of(b.iter()).line("before"));
    // The sets the cues were written against: what they reached when measured (2026-12-04)
    // must hold. `holdout4` was never looked at; its figures are printed, not gated.
    let seen = Figures::of(o.iter().filter(|x| x.split != NEVER_TUNED));
    assert!(seen.units_missing <= 4, "{}", seen.line("seen"));
    assert!(
        seen.categories_exact * 100 >= seen.reports * 89,
        "{}",
        seen.line("seen")
    );
    assert!(
        seen.casualties_exact * 100 >= seen.reports * 88,
        "{}",
        seen.line("seen")
    );
}
