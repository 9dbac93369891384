//! The facts routing and the notice text go by: what was typed, and for the empty fields what
//! the words suggest, unless declined.

use super::{count_text, level_words, CasualtyKind, Reading, Suggestion};
use crate::config::{Config, WordCue};
use crate::domain::{Casualties, Count, Lang, Level, OccurredAt, Report};
use crate::rules::level;
use crate::rules::verify::text::normalise;

/// The facts routing and the notice text go by: the typed fields, and for those left empty what
/// the words suggest (unless declined), with a note of what came from the words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Category keys.
    pub categories: Vec<String>,
    /// The categories that came from the words.
    pub categories_read: Vec<String>,
    /// Casualty counts.
    pub casualties: Casualties,
    /// The kinds read from the words.
    pub casualties_read: Vec<CasualtyKind>,
    /// The level: typed, or from the counts.
    pub level: Option<Level>,
    /// True when the level came from the counts (typed or read) rather than typed.
    pub level_read: bool,
    /// The place.
    pub location: Option<String>,
    /// True when the place came from the words.
    pub location_read: bool,
    /// When it happened.
    pub occurred: Option<OccurredAt>,
    /// True when the time came from the words.
    pub occurred_read: bool,
    /// The report's words, normalised (summary, location), for the rules' `words`.
    pub words: String,
}

/// The facts of `report` by `reading` (see [`Facts`]).
pub fn facts(config: &Config, report: &Report, reading: &Reading) -> Facts {
    let mut f = Facts {
        casualties: report.casualties.clone(),
        level: report.level,
        location: report.location.clone().filter(|l| !l.trim().is_empty()),
        occurred: report.occurred_at.clone(),
        words: normalise(&format!(
            "{}\n{}",
            report.summary,
            report.location.as_deref().unwrap_or("")
        )),
        ..Facts::default()
    };
    if let Some(c) = report.category.as_deref().filter(|c| !c.is_empty()) {
        f.categories.push(c.to_string());
    }
    for s in reading.open(report) {
        match &s.what {
            Suggestion::Category { key } if !f.categories.contains(key) => {
                f.categories.push(key.clone());
                f.categories_read.push(key.clone());
            }
            Suggestion::Casualty { kind, count } if !kind.of(&report.casualties).is_stated() => {
                *kind.of_mut(&mut f.casualties) = count.clone();
                f.casualties_read.push(*kind);
            }
            Suggestion::Place { location, .. } if f.location.is_none() => {
                f.location = Some(location.clone());
                f.location_read = true;
            }
            Suggestion::Occurred { at } if f.occurred.is_none() => {
                f.occurred = Some(at.clone());
                f.occurred_read = true;
            }
            _ => {}
        }
    }
    if f.level.is_none() && !report.declined.iter().any(|d| d == "level") {
        f.level = level::suggest(&f.casualties, &config.thresholds());
        f.level_read = f.level.is_some();
    }
    f
}

impl Facts {
    /// True when some category came from the words.
    pub fn category_read(&self) -> bool {
        !self.categories_read.is_empty()
    }

    /// A casualty count of `kind` of one or more (or approximate, or unknown-but-some).
    pub fn has(&self, kind: CasualtyKind) -> bool {
        match kind.of(&self.casualties) {
            Count::Known(n) => *n > 0,
            Count::About(a) => a.high != Some(0),
            _ => false,
        }
    }

    /// True when a rule word (`A|B+C|D`) is in the words, every group in one sentence.
    pub fn says(&self, word: &str) -> bool {
        let Some(cue) = WordCue::parse(word) else {
            return false;
        };
        self.words
            .split(['。', '!', '?', ';', '\n'])
            .any(|sentence| {
                cue.groups
                    .iter()
                    .all(|g| g.iter().any(|w| affirmed(sentence, &normalise(w))))
            })
    }

    /// What came from the words, in a language: "道路交通事故 · 死亡 12、受伤 30 → Ⅱ级".
    pub fn note(&self, config: &Config, lang: Lang) -> String {
        let mut parts = Vec::new();
        for part in [Part::Category, Part::Casualties] {
            let n = self.note_on(part, config, lang);
            if !n.is_empty() {
                parts.push(n);
            }
        }
        let mut note = parts.join(" · ");
        if let (true, Some(l)) = (self.level_read, self.level) {
            if note.is_empty() {
                note = lang.pick("按伤亡人数", "by the casualties").to_string();
            }
            note.push_str(&format!(" → {}", level_words(l, lang)));
        }
        note
    }

    /// What one kind of fact rests on, when it came from the words ("" when typed):
    /// `道路交通事故`, `死亡 12、受伤 30`, `死亡 12、受伤 30 → Ⅱ级`, `县城人民路`.
    pub fn note_on(&self, part: Part, config: &Config, lang: Lang) -> String {
        let sep = lang.pick("、", ", ");
        let counts = |kinds: &[CasualtyKind]| {
            kinds
                .iter()
                .filter(|k| k.of(&self.casualties).is_stated())
                .map(|k| {
                    format!(
                        "{} {}",
                        k.name(lang),
                        count_text(k.of(&self.casualties), lang)
                    )
                })
                .collect::<Vec<_>>()
                .join(sep)
        };
        match part {
            Part::Category => self
                .categories_read
                .iter()
                .map(|c| config.category_name(c, lang).to_string())
                .collect::<Vec<_>>()
                .join(sep),
            Part::Casualties => counts(&self.casualties_read),
            Part::Level => match (self.level_read, self.level) {
                (true, Some(l)) => {
                    let c = counts(&[CasualtyKind::Dead, CasualtyKind::Injured]);
                    format!("{c} → {}", level_words(l, lang))
                }
                _ => String::new(),
            },
            Part::Place => match (self.location_read, &self.location) {
                (true, Some(l)) => l.clone(),
                _ => String::new(),
            },
        }
    }
}

/// Which kind of fact a routing reason rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The categories read.
    Category,
    /// The counts read.
    Casualties,
    /// The level from the counts.
    Level,
    /// The place read.
    Place,
}

/// True when `word` is in `sentence` somewhere not right after a negation ("未见泄漏",
/// "there was no leak").
fn affirmed(sentence: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    sentence.match_indices(word).any(|(b, _)| {
        let before = &sentence[..b];
        let zh: Vec<char> = before.chars().rev().take(3).collect();
        let zh_negated = zh
            .iter()
            .take_while(|c| matches!(**c as u32, 0x4E00..=0x9FFF))
            .any(|c| matches!(c, '未' | '无' | '没' | '不'));
        let en_negated = before
            .split_whitespace()
            .rev()
            .take(2)
            .any(|w| matches!(w, "no" | "not" | "without" | "never"));
        !(zh_negated || en_negated)
    })
}
