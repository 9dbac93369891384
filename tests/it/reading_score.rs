//! Scoring the reader on the labelled corpus (`tests/corpus/reading/labelled.jsonl`): shared by
//! the regression test (`tests/it/reading.rs`) and the figures (`benches/reading.rs`), which
//! include this file by path.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset};
use dutydesk::config::Config;
use dutydesk::domain::{Count, RecipientKind, Report, ReportDraft};
use dutydesk::rules::reading::{self, CasualtyKind, Reader};
use dutydesk::rules::routing;
use serde::Deserialize;

/// One labelled report.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    pub id: String,
    pub split: String,
    pub lang: String,
    pub summary: String,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub casualties: BTreeMap<String, String>,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub units: Vec<String>,
}

/// How the reader did on one report.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub id: String,
    pub split: String,
    pub lang: String,
    pub categories_exact: bool,
    pub categories_missed: Vec<String>,
    pub categories_extra: Vec<String>,
    pub casualties_exact: bool,
    pub casualties_said: String,
    pub level_agrees: bool,
    pub level_said: String,
    pub units_called_for: usize,
    pub units_missing: Vec<String>,
    pub units_extra: Vec<String>,
}

/// The corpus: `labelled.jsonl` (splits `tune` and `holdout`, both seen while the cues were
/// written) and `holdout2.jsonl` (written apart, never tuned on).
pub fn cases() -> Vec<Case> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/reading");
    let mut out = Vec::new();
    for file in [
        "labelled.jsonl",
        "holdout2.jsonl",
        "holdout3.jsonl",
        "holdout4.jsonl",
    ] {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).expect("the labelled corpus");
        out.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str::<Case>(l).expect("a labelled line")),
        );
    }
    out
}

/// The time every corpus report is received (a night shift, Beijing time).
pub fn received() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-12-05T03:00:00+08:00").expect("a time")
}

/// The report a hurried officer files: the words, the place if typed, nothing else.
pub fn report(case: &Case) -> Report {
    let draft = ReportDraft {
        summary: case.summary.clone(),
        location: case.location.clone(),
        ..ReportDraft::default()
    };
    Report::from_draft(draft, 0, received(), "李明")
}

fn same(a: &Count, b: &Count) -> bool {
    match (a, b) {
        (Count::About(x), Count::About(y)) => x.low == y.low && x.high == y.high,
        _ => a == b,
    }
}

/// Scores one report.
pub fn score(config: &Config, reader: &Reader, case: &Case) -> Outcome {
    score_with(config, case, |r| reader.read(r))
}

/// Scores one report, its words read by `read` (an empty reading measures the desk before).
pub fn score_with(
    config: &Config,
    case: &Case,
    read: impl Fn(&Report) -> reading::Reading,
) -> Outcome {
    let r = report(case);
    let read = read(&r);
    let facts = reading::facts(config, &r, &read);
    let want: BTreeSet<&str> = case.categories.iter().map(String::as_str).collect();
    let got: BTreeSet<&str> = facts.categories.iter().map(String::as_str).collect();
    let mut casualties_exact = true;
    let mut said = Vec::new();
    for kind in CasualtyKind::ALL {
        let want = case
            .casualties
            .get(kind.key())
            .and_then(|s| Count::parse(s))
            .unwrap_or_default();
        let got = kind.of(&facts.casualties);
        if got.is_stated() {
            said.push(format!(
                "{}={}",
                kind.key(),
                reading::count_text(got, dutydesk::domain::Lang::En)
            ));
        }
        casualties_exact &= same(&want, got);
    }
    let level_said = facts.level.map(|l| l.key().to_string()).unwrap_or_default();
    let day = received().date_naive();
    let proposed: BTreeSet<String> = routing::propose_read(config, &r, &read, day)
        .into_iter()
        .filter(|p| !matches!(p.kind, RecipientKind::Leader | RecipientKind::Person))
        .map(|p| p.name)
        .collect();
    let called: BTreeSet<String> = case.units.iter().cloned().collect();
    Outcome {
        id: case.id.clone(),
        split: case.split.clone(),
        lang: case.lang.clone(),
        categories_exact: want == got,
        categories_missed: want.difference(&got).map(|s| s.to_string()).collect(),
        categories_extra: got.difference(&want).map(|s| s.to_string()).collect(),
        casualties_exact,
        casualties_said: said.join(" "),
        level_agrees: case.level.clone().unwrap_or_default() == level_said,
        level_said,
        units_called_for: called.len(),
        units_missing: called.difference(&proposed).cloned().collect(),
        units_extra: proposed.difference(&called).cloned().collect(),
    }
}

/// Figures over a set of outcomes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Figures {
    pub reports: usize,
    pub categories_exact: usize,
    pub casualties_exact: usize,
    pub level_agrees: usize,
    pub units_called_for: usize,
    pub units_missing: usize,
    pub reports_missing_a_unit: usize,
    pub units_extra: usize,
}

impl Figures {
    pub fn of<'a>(outcomes: impl Iterator<Item = &'a Outcome>) -> Figures {
        let mut f = Figures::default();
        for o in outcomes {
            f.reports += 1;
            f.categories_exact += usize::from(o.categories_exact);
            f.casualties_exact += usize::from(o.casualties_exact);
            f.level_agrees += usize::from(o.level_agrees);
            f.units_called_for += o.units_called_for;
            f.units_missing += o.units_missing.len();
            f.reports_missing_a_unit += usize::from(!o.units_missing.is_empty());
            f.units_extra += o.units_extra.len();
        }
        f
    }

    fn pct(n: usize, d: usize) -> String {
        if d == 0 {
            "—".into()
        } else {
            format!("{:.1} %", 100.0 * n as f64 / d as f64)
        }
    }

    /// One line of the table.
    pub fn line(&self, name: &str) -> String {
        format!(
            "{name:<10} {:>4} reports · category exact {:>7} · casualties exact {:>7} · level {:>7} · units called for {:>4}, missing {:>3} (in {} reports), extra {:>3}",
            self.reports,
            Self::pct(self.categories_exact, self.reports),
            Self::pct(self.casualties_exact, self.reports),
            Self::pct(self.level_agrees, self.reports),
            self.units_called_for,
            self.units_missing,
            self.reports_missing_a_unit,
            self.units_extra,
        )
    }
}
