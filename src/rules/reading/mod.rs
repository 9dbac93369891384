//! Reading what the caller said (读文字): category, casualties, level, place and time suggested
//! from the report's words, each with its evidence (the span of text) and the rule that found it.
//!
//! [`Reader::new`] compiles the configuration once (the categories' `cues`, the area's place
//! names, the English and time patterns); [`Reader::read`] is then a pure function of the report.
//! A suggestion never overwrites what the officer typed: [`facts`] fills only the empty fields,
//! leaves out what the officer declined (`Report::declined`), and says which facts came from the
//! words so routing can say so in its reasons. A count in the text that disagrees with a typed
//! count is a [`Disagreement`], which verification turns into an `inconsistent` flag.
//!
//! | what | module |
//! |---|---|
//! | category | [`category`] (config `cues`, Aho–Corasick, negation, `A|B+C|D` in one sentence) |
//! | casualties | [`casualties`] (around each casualty word; English by patterns) |
//! | time | [`time`] |
//! | place | the region units' `places` found in the summary |
//! | level | [`crate::rules::level::suggest`] on the counts typed or read |

mod casualties;
mod category;
mod english;
mod facts;
#[cfg(test)]
mod tests;
mod time;

use serde::{Deserialize, Serialize};

use crate::config::{Config, UnitKind};
use crate::domain::{Casualties, Count, Lang, Level, OccurredAt, Report};
use crate::rules::level::{self, Threshold};
use crate::rules::verify::text::{normalise, Norm};

/// Dead, injured, missing or trapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CasualtyKind {
    /// 死亡
    Dead,
    /// 受伤
    Injured,
    /// 失踪
    Missing,
    /// 被困
    Trapped,
}

impl CasualtyKind {
    /// The four kinds in display order.
    pub const ALL: [CasualtyKind; 4] = [
        CasualtyKind::Dead,
        CasualtyKind::Injured,
        CasualtyKind::Missing,
        CasualtyKind::Trapped,
    ];

    /// The key in JSON and config (`dead`…).
    pub fn key(self) -> &'static str {
        match self {
            CasualtyKind::Dead => "dead",
            CasualtyKind::Injured => "injured",
            CasualtyKind::Missing => "missing",
            CasualtyKind::Trapped => "trapped",
        }
    }

    /// 死亡 / dead …
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            CasualtyKind::Dead => lang.pick("死亡", "dead"),
            CasualtyKind::Injured => lang.pick("受伤", "injured"),
            CasualtyKind::Missing => lang.pick("失踪", "missing"),
            CasualtyKind::Trapped => lang.pick("被困", "trapped"),
        }
    }

    /// The count of this kind in `c`.
    pub fn of(self, c: &Casualties) -> &Count {
        match self {
            CasualtyKind::Dead => &c.dead,
            CasualtyKind::Injured => &c.injured,
            CasualtyKind::Missing => &c.missing,
            CasualtyKind::Trapped => &c.trapped,
        }
    }

    /// The count of this kind in `c`, to set.
    pub fn of_mut(self, c: &mut Casualties) -> &mut Count {
        match self {
            CasualtyKind::Dead => &mut c.dead,
            CasualtyKind::Injured => &mut c.injured,
            CasualtyKind::Missing => &mut c.missing,
            CasualtyKind::Trapped => &mut c.trapped,
        }
    }
}

/// What the words suggest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Suggestion {
    /// A category key.
    Category {
        /// The key (`traffic`); `category` in JSON.
        #[serde(rename = "category")]
        key: String,
    },
    /// A casualty count.
    Casualty {
        /// Which count.
        kind: CasualtyKind,
        /// The count as said.
        count: Count,
    },
    /// The level the counts imply (Decree 493 thresholds from config).
    Level {
        /// The level.
        level: Level,
    },
    /// The place, and the region unit whose area it is in.
    Place {
        /// The words for the location field.
        location: String,
        /// The region unit.
        unit: String,
    },
    /// When it happened.
    Occurred {
        /// The time, or the words when vague.
        at: OccurredAt,
    },
}

/// A suggestion with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggested {
    /// What.
    #[serde(flatten)]
    pub what: Suggestion,
    /// The report field the evidence is in (`summary`).
    pub field: &'static str,
    /// Character offset (Unicode scalars) of the evidence in the field.
    pub start: usize,
    /// One past its end.
    pub end: usize,
    /// The words, as written.
    pub evidence: String,
    /// The rule that read them (`categories.traffic.cues: 相撞`).
    pub rule: String,
}

impl Suggested {
    /// The key a decline is recorded under: `category:traffic`, `dead`, `level`, `location`,
    /// `occurred_at`.
    pub fn key(&self) -> String {
        match &self.what {
            Suggestion::Category { key } => format!("category:{key}"),
            Suggestion::Casualty { kind, .. } => kind.key().to_string(),
            Suggestion::Level { .. } => "level".into(),
            Suggestion::Place { .. } => "location".into(),
            Suggestion::Occurred { .. } => "occurred_at".into(),
        }
    }

    /// The value in words: 道路交通事故 · 死亡 12 · Ⅱ级 · 地点 县城人民路 · 时间 02:05.
    pub fn value_text(&self, config: &Config, lang: Lang) -> String {
        match &self.what {
            Suggestion::Category { key } => config.category_name(key, lang).to_string(),
            Suggestion::Casualty { kind, count } => {
                format!("{} {}", kind.name(lang), count_text(count, lang))
            }
            Suggestion::Level { level } => format!(
                "{}{}{}{}",
                level_words(*level, lang),
                lang.pick("（", " ("),
                level.name(lang),
                lang.pick("）", ")")
            ),
            Suggestion::Place { location, .. } => {
                format!("{} {location}", lang.pick("地点", "place"))
            }
            Suggestion::Occurred { at } => format!(
                "{} {}",
                lang.pick("时间", "time"),
                match at {
                    OccurredAt::At(t) => t.format("%m-%d %H:%M").to_string(),
                    OccurredAt::Words(w) => w.clone(),
                }
            ),
        }
    }
}

impl Suggested {
    /// One line: `道路交通事故 ←「相撞」`, the words cleaned for the terminal.
    pub fn line(&self, config: &Config, lang: Lang) -> String {
        format!(
            "{} ←「{}」",
            crate::sanitize::line(&self.value_text(config, lang)),
            crate::sanitize::line(&self.evidence)
        )
    }

    /// Fills the field of `draft` this suggestion is for (the officer accepted it).
    pub fn apply(&self, draft: &mut crate::domain::ReportDraft) {
        match &self.what {
            Suggestion::Category { key } => {
                if draft.category.is_none() {
                    draft.category = Some(key.clone());
                }
            }
            Suggestion::Casualty { kind, count } => {
                let c = draft.casualties.get_or_insert_with(Casualties::default);
                if !kind.of(c).is_stated() {
                    *kind.of_mut(c) = count.clone();
                }
            }
            Suggestion::Level { level } => {
                if draft.level.is_none() {
                    draft.level = Some(*level);
                }
            }
            Suggestion::Place { location, .. } => {
                if draft
                    .location
                    .as_deref()
                    .is_none_or(|l| l.trim().is_empty())
                {
                    draft.location = Some(location.clone());
                }
            }
            Suggestion::Occurred { at } => {
                if draft.occurred_at.is_none() {
                    draft.occurred_at = Some(at.clone());
                }
            }
        }
        let key = self.key();
        if !draft.accepted.contains(&key) {
            draft.accepted.push(key);
        }
    }
}

/// Ⅱ级 / level II.
pub fn level_words(l: Level, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}级", l.numeral()),
        Lang::En => format!("level {}", l.key()),
    }
}

/// A count in words: 12, 十几, 不详.
pub fn count_text(c: &Count, lang: Lang) -> String {
    match c {
        Count::NotStated => lang.pick("未说", "not stated").to_string(),
        Count::Unknown => lang.pick("不详", "unknown").to_string(),
        Count::Known(n) => n.to_string(),
        Count::About(a) => a.said.clone(),
    }
}

/// A typed count the words contradict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// Which count.
    pub kind: CasualtyKind,
    /// As typed.
    pub typed: Count,
    /// As the words say it.
    pub said: Count,
    /// The words.
    pub evidence: String,
    /// Character offset of the words in the summary.
    pub start: usize,
    /// One past their end.
    pub end: usize,
}

/// What the words of one report suggest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reading {
    /// Suggestions for the empty fields, in field order.
    pub suggestions: Vec<Suggested>,
    /// Typed counts the words contradict.
    pub disagreements: Vec<Disagreement>,
}

impl Reading {
    /// The suggestions the officer has not declined.
    pub fn open<'a>(&'a self, report: &'a Report) -> impl Iterator<Item = &'a Suggested> + 'a {
        self.suggestions
            .iter()
            .filter(move |s| !report.declined.iter().any(|d| *d == s.key()))
    }
}

/// A place name of a region unit, normalised.
struct Place {
    norm: String,
    unit: String,
}

/// The compiled reader: build once from the configuration, read many reports.
pub struct Reader {
    categories: category::Categories,
    english: Option<english::English>,
    times: Option<time::Times>,
    places: Vec<Place>,
    thresholds: Vec<(Level, Threshold)>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("cues", &self.categories.cues.len())
            .field("places", &self.places.len())
            .finish_non_exhaustive()
    }
}

/// Where the place words stop: punctuation, the event's own words.
const PLACE_STOPS: &[&str] = &["发生", "突发", "出现", "有人"];

impl Reader {
    /// Compiles the configuration.
    pub fn new(config: &Config) -> Reader {
        let mut places: Vec<Place> = config
            .units
            .iter()
            .filter(|u| u.kind == UnitKind::Region || !u.places.is_empty())
            .flat_map(|u| {
                u.places.iter().map(|p| Place {
                    norm: normalise(p),
                    unit: u.name.clone(),
                })
            })
            .filter(|p| !p.norm.trim().is_empty())
            .collect();
        // Longest first: 城关镇 before 城关.
        places.sort_by_key(|p| std::cmp::Reverse(p.norm.chars().count()));
        Reader {
            categories: category::Categories::new(config),
            english: english::English::new(),
            times: time::Times::new(),
            places,
            thresholds: config.thresholds(),
        }
    }

    /// What the words of `report` suggest for its empty fields, and where they contradict it.
    pub fn read(&self, report: &Report) -> Reading {
        let n = Norm::new(&report.summary);
        let mut out = Reading::default();
        // Where the event's own words begin: a place phrase stops there.
        let (mut stops, cats) = self.read_categories(&n, report, &mut out);
        let read = self.read_casualties(&n, report, &cats, &mut out, &mut stops);
        self.read_level(report, &read, &mut out);
        if report
            .location
            .as_deref()
            .is_none_or(|l| l.trim().is_empty())
        {
            if let Some(p) = self.place(&n, &stops) {
                out.suggestions.push(p);
            }
        }
        if report.occurred_at.is_none() {
            if let Some(t) = self
                .times
                .as_ref()
                .and_then(|t| t.find(&n.text, report.received_at))
            {
                let what = Suggestion::Occurred { at: t.at };
                out.suggestions
                    .push(suggested(&n, what, t.s, t.e, "occurred_at".into()));
            }
        }
        out
    }

    /// Every category the words call for besides the one typed (a crash that leaks chemicals is
    /// traffic and hazmat, whichever the officer chose); returns where their words begin, and
    /// every category the report is about (read or typed).
    fn read_categories(
        &self,
        n: &Norm<'_>,
        report: &Report,
        out: &mut Reading,
    ) -> (Vec<usize>, Vec<String>) {
        let found = self.categories.find(n);
        let stops = found.iter().map(|f| f.s).collect();
        let cats = found
            .iter()
            .map(|f| f.category.clone())
            .chain(report.category.clone())
            .collect();
        for f in found
            .into_iter()
            .filter(|f| report.category.as_deref() != Some(f.category.as_str()))
        {
            let rule = format!("categories.{}.cues: {}", f.category, f.cue);
            let what = Suggestion::Category { key: f.category };
            out.suggestions.push(suggested(n, what, f.s, f.e, rule));
        }
        (stops, cats)
    }

    /// The counts the words give: suggestions for the counts not typed, disagreements with those
    /// typed. Returns the counts read.
    fn read_casualties(
        &self,
        n: &Norm<'_>,
        report: &Report,
        cats: &[String],
        out: &mut Reading,
        stops: &mut Vec<usize>,
    ) -> Casualties {
        let mut mentions = Vec::new();
        casualties::zh(&n.chars, &mut mentions);
        if let Some(en) = &self.english {
            en.find(&n.text, &mut mentions);
        }
        // In an epidemic a fever is a case, not an injury; after a meal or a gas it is one.
        if cats.iter().any(|c| c == "outbreak")
            && !cats
                .iter()
                .any(|c| matches!(c.as_str(), "food_safety" | "hazmat"))
        {
            mentions.retain(|m| !m.symptom);
        }
        stops.extend(mentions.iter().map(|m| m.s));
        let mut read = Casualties::default();
        for kind in CasualtyKind::ALL {
            let found = match (kind, casualties::parts_sum(&mentions)) {
                (CasualtyKind::Injured, Some((sum, s, e))) => Some((Count::Known(sum), s, e)),
                _ => casualties::settle(&mentions, kind).map(|m| (m.count.clone(), m.s, m.e)),
            };
            let Some((count, s, e)) = found else { continue };
            *kind.of_mut(&mut read) = count.clone();
            let typed = kind.of(&report.casualties);
            let rule = format!("casualties.{}", kind.key());
            let sug = suggested(
                n,
                Suggestion::Casualty {
                    kind,
                    count: count.clone(),
                },
                s,
                e,
                rule,
            );
            if !typed.is_stated() {
                out.suggestions.push(sug);
            } else if disagree(typed, &count) {
                out.disagreements.push(Disagreement {
                    kind,
                    typed: typed.clone(),
                    said: count,
                    evidence: sug.evidence,
                    start: sug.start,
                    end: sug.end,
                });
            }
        }
        read
    }

    /// The level the counts imply, when some count came from the words and none was typed.
    fn read_level(&self, report: &Report, read: &Casualties, out: &mut Reading) {
        if report.level.is_some() {
            return;
        }
        let merged = merge(&report.casualties, read, &report.declined);
        let from_words = CasualtyKind::ALL
            .iter()
            .any(|k| !k.of(&report.casualties).is_stated() && k.of(&merged).is_stated());
        let Some(l) = level::suggest(&merged, &self.thresholds).filter(|_| from_words) else {
            return;
        };
        let (start, end, evidence) = out
            .suggestions
            .iter()
            .find(|s| matches!(s.what, Suggestion::Casualty { .. }))
            .map(|s| (s.start, s.end, s.evidence.clone()))
            .unwrap_or_default();
        out.suggestions.push(Suggested {
            what: Suggestion::Level { level: l },
            field: "summary",
            start,
            end,
            evidence,
            rule: level_rule(l, &merged, &self.thresholds),
        });
    }

    /// The first place name of the area in the summary, with the words after it up to the event.
    fn place(&self, n: &Norm<'_>, stops: &[usize]) -> Option<Suggested> {
        let (s, p) = self
            .places
            .iter()
            .filter_map(|p| n.text.find(&p.norm).map(|b| (n.char_at_byte(b), p)))
            .min_by_key(|(s, p)| (*s, std::cmp::Reverse(p.norm.len())))?;
        let c = &n.chars;
        let mut e = s + p.norm.chars().count();
        let cjk = |ch: char| matches!(ch as u32, 0x4E00..=0x9FFF);
        if c.get(s).is_some_and(|ch| cjk(*ch)) {
            while e < c.len() && e - s < 24 && cjk(c[e]) && !stops.contains(&e) {
                let rest: String = c[e..(e + 2).min(c.len())].iter().collect();
                // 一 opens the event's subject (一辆, 一储罐, 一民房) — but not in 第一 or the
                // schools 县一中, 城关一小.
                let subject = c[e] == '一'
                    && c.get(e.wrapping_sub(1)) != Some(&'第')
                    && !matches!(c.get(e + 1), Some('中' | '小'));
                if subject || PLACE_STOPS.iter().any(|w| rest.starts_with(w)) {
                    break;
                }
                e += 1;
            }
        }
        let (os, oe) = n.span(s, e);
        let location = n.orig_slice(os, oe).to_string();
        Some(Suggested {
            what: Suggestion::Place {
                location: location.clone(),
                unit: p.unit.clone(),
            },
            field: "summary",
            start: os,
            end: oe,
            evidence: location,
            rule: format!("units.places: {}", p.norm),
        })
    }
}

/// A suggestion whose evidence is the summary's normalised characters `[s, e)`.
fn suggested(n: &Norm<'_>, what: Suggestion, s: usize, e: usize, rule: String) -> Suggested {
    let (start, end) = n.span(s, e.max(s + 1));
    Suggested {
        what,
        field: "summary",
        start,
        end,
        evidence: n.orig_slice(start, end).to_string(),
        rule,
    }
}

/// True when the words give a different count than the one typed.
fn disagree(typed: &Count, said: &Count) -> bool {
    match (typed, said) {
        (Count::Known(a), Count::Known(b)) => a != b,
        (Count::Known(a), Count::About(x)) => {
            x.low.is_some_and(|l| *a < l) || x.high.is_some_and(|h| *a > h)
        }
        _ => false,
    }
}

/// Typed counts, with the words' counts where nothing was typed and nothing declined.
fn merge(typed: &Casualties, read: &Casualties, declined: &[String]) -> Casualties {
    let mut out = typed.clone();
    for kind in CasualtyKind::ALL {
        if !kind.of(typed).is_stated() && !declined.iter().any(|d| d == kind.key()) {
            *kind.of_mut(&mut out) = kind.of(read).clone();
        }
    }
    out
}

fn level_rule(l: Level, c: &Casualties, thresholds: &[(Level, Threshold)]) -> String {
    match thresholds.iter().find(|(k, _)| *k == l) {
        Some((_, t)) => format!(
            "levels.{}: dead ≥ {} or injured ≥ {} (dead {}, injured {})",
            l.key(),
            t.dead,
            t.injured,
            count_text(&c.dead, Lang::En),
            count_text(&c.injured, Lang::En)
        ),
        None => format!(
            "levels: below level III (dead {}, injured {})",
            count_text(&c.dead, Lang::En),
            count_text(&c.injured, Lang::En)
        ),
    }
}

pub use facts::{facts, Facts, Part};
