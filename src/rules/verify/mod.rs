//! The verification rule engine (核实规则): flags for one report, beside it, never in front of it.
//!
//! [`Verifier::new`] compiles the configuration once (Aho–Corasick automata for the lexicon, the
//! false friends and the individual-source words; the unit directory with phone digits);
//! [`Verifier::assess`] is then a pure function of the report, the incident's earlier reports and
//! `now`. Five rules, one module each:
//!
//! | kind | module |
//! |---|---|
//! | `unverified_source` | [`source`] |
//! | `vague` | [`lexicon`] (words) and [`numbers`] (十几人, 约30人, 30人左右) |
//! | `missing` | [`missing`] |
//! | `inconsistent`, `level_mismatch` | [`consistency`] |
//!
//! Offsets are Unicode-scalar offsets into the field's original text (see [`text`]).

pub mod answered;
mod consistency;
mod lexicon;
mod missing;
pub(crate) mod numbers;
mod source;
#[cfg(test)]
mod tests;
pub(crate) mod text;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::domain::{Flag, FlagClass, FlagKind, Level, OccurredAt, Report};
use crate::rules::level::Threshold;

/// Field names in output order.
pub const FIELDS: [&str; 13] = [
    "summary",
    "measures",
    "requests",
    "already_told",
    "location",
    "occurred_at",
    "reporter",
    "reporter.unit",
    "reporter.name",
    "reporter.phone",
    "casualties",
    "level",
    "category",
];

/// A candidate vague span in normalised character offsets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub s: usize,
    pub e: usize,
    pub class: FlagClass,
    pub weight: u8,
}

/// The compiled rule engine: build once from the configuration, assess many reports.
#[derive(Clone)]
pub struct Verifier {
    lexicon: lexicon::Lexicon,
    source: source::SourceCheck,
    thresholds: Vec<(Level, Threshold)>,
    reader: std::sync::Arc<crate::rules::reading::Reader>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").finish_non_exhaustive()
    }
}

/// What the engine found for one report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Assessment {
    /// Flags in stable order (kind, field, start), ids `R{seq}-{i}`.
    pub flags: Vec<Flag>,
    /// The level the casualties imply, when they imply one.
    pub level_suggested: Option<Level>,
    /// What the report's words suggest for its empty fields (读文字), live beside the flags.
    pub reading: crate::rules::reading::Reading,
}

/// A flag without cue or span.
pub(crate) fn new_flag(
    kind: FlagKind,
    field: &str,
    reason: (String, String),
    suggest: (&str, &str),
    weight: u8,
) -> Flag {
    Flag {
        id: String::new(),
        kind,
        field: field.to_string(),
        cue: None,
        class: None,
        start: None,
        end: None,
        reason_zh: reason.0,
        reason_en: reason.1,
        suggest_zh: suggest.0.to_string(),
        suggest_en: suggest.1.to_string(),
        weight,
    }
}

fn class_words(class: FlagClass) -> (&'static str, &'static str, &'static str, &'static str) {
    match class {
        FlagClass::Hearsay => (
            "是转述或传闻，消息来源未经核实",
            "is hearsay: passed on, not seen first-hand",
            "回拨报告人，问清是亲眼所见还是听人转述；向属地政府或职能部门核实",
            "Call back: seen first-hand or heard from others? Check with the local government or the responsible department.",
        ),
        FlagClass::Guess => (
            "是推测，不是已确认的事实",
            "is a guess, not a confirmed fact",
            "向现场人员或职能部门确认，问清判断依据",
            "Confirm with people on site or the responsible department; ask what the guess rests on.",
        ),
        FlagClass::ApproximateNumber => (
            "是约数，数字不确切",
            "is an approximate figure, not an exact one",
            "核实确切数字（现场、医院、职能部门），在续报中更正",
            "Get the exact figure (site, hospital, department) and give it in a follow-up.",
        ),
        FlagClass::Unknown => (
            "表明该情况尚不清楚",
            "says this is not known yet",
            "问清何时能查明、由谁负责，在续报中补充",
            "Ask when it will be known and who is finding out; add it in a follow-up.",
        ),
    }
}

/// A vague flag for `cue` at original chars `[start, end)` of `field`.
pub(crate) fn vague_flag(
    field: &str,
    cue: &str,
    start: usize,
    end: usize,
    class: FlagClass,
    weight: u8,
) -> Flag {
    let (zh, en, szh, sen) = class_words(class);
    let mut f = new_flag(
        FlagKind::Vague,
        field,
        (
            format!("「{cue}」{zh}"),
            format!("\u{201c}{cue}\u{201d} {en}"),
        ),
        (szh, sen),
        weight,
    );
    f.cue = Some(cue.to_string());
    f.class = Some(class);
    f.start = Some(start);
    f.end = Some(end);
    f
}

impl Verifier {
    /// Compiles the rules of `config`.
    pub fn new(config: &Config) -> Verifier {
        Verifier {
            lexicon: lexicon::Lexicon::new(&config.verification),
            source: source::SourceCheck::new(config),
            thresholds: config.thresholds(),
            reader: std::sync::Arc::new(crate::rules::reading::Reader::new(config)),
        }
    }

    /// The reader of the report's words, compiled with the rest.
    pub fn reader(&self) -> &crate::rules::reading::Reader {
        &self.reader
    }

    /// Vague flags for one free-text field.
    pub(crate) fn vague_in(&self, field: &str, text: &str, out: &mut Vec<Flag>) -> usize {
        if text.trim().is_empty() {
            return 0;
        }
        let n = text::Norm::new(text);
        let mut hits = Vec::new();
        self.lexicon.find(&n, &mut hits);
        numbers::find(&n, &mut hits);
        // Leftmost-longest across words and numbers, no overlaps.
        hits.sort_by(|a, b| a.s.cmp(&b.s).then(b.e.cmp(&a.e)));
        let mut last_end = 0;
        let mut count = 0;
        for h in hits {
            if h.s < last_end || h.e <= h.s {
                continue;
            }
            last_end = h.e;
            let (os, oe) = n.span(h.s, h.e);
            let cue = n.orig_slice(os, oe);
            out.push(vague_flag(field, cue, os, oe, h.class, h.weight));
            count += 1;
        }
        count
    }

    /// Flags for `report`, given the incident's earlier reports (oldest first). Flag ids:
    /// `R{report.seq_in_incident}-{i}` with i = 1, 2, … in output order.
    pub fn assess(&self, report: &Report, earlier: &[Report], now: DateTime<Utc>) -> Assessment {
        let mut flags = Vec::new();
        if let Some(f) = self.source.check(report) {
            flags.push(f);
        }
        let texts: [(&str, Option<&str>); 5] = [
            ("summary", Some(report.summary.as_str())),
            ("measures", report.measures.as_deref()),
            ("requests", report.requests.as_deref()),
            ("already_told", report.already_told.as_deref()),
            ("location", report.location.as_deref()),
        ];
        for (field, t) in texts {
            if let Some(t) = t {
                self.vague_in(field, t, &mut flags);
            }
        }
        if let Some(OccurredAt::Words(w)) = &report.occurred_at {
            if !w.trim().is_empty() && self.vague_in("occurred_at", w, &mut flags) == 0 {
                flags.push(missing::time_in_words(w));
            }
        }
        for (key, c) in report.casualties.entries() {
            if let crate::domain::Count::About(a) = c {
                flags.push(missing::count_as_said(key, &a));
            }
        }
        let reading = self.reader.read(report);
        missing::check(report, &mut flags);
        // The words say what the casualties were: a suggestion to accept, not a missing element.
        // ("伤亡还不清楚" is not: the caller still has to be asked.)
        let told = reading.suggestions.iter().any(|s| {
            matches!(&s.what, crate::rules::reading::Suggestion::Casualty { count, .. }
                if !matches!(count, crate::domain::Count::Unknown))
        });
        if told {
            flags.retain(|f| !(f.kind == FlagKind::Missing && f.field == "casualties"));
        }
        // So do the place and the time, when the words give them.
        for (field, key) in [("location", "location"), ("occurred_at", "occurred_at")] {
            if reading.suggestions.iter().any(|s| s.key() == key) {
                flags.retain(|f| !(f.kind == FlagKind::Missing && f.field == field));
            }
        }
        consistency::check(report, earlier, &mut flags);
        consistency::words_disagree(&reading.disagreements, &mut flags);
        let level_suggested = crate::rules::level::suggest(&report.casualties, &self.thresholds);
        consistency::level_mismatch(report, level_suggested, &mut flags);
        consistency::time_order(report, now, &mut flags);
        sort_flags(&mut flags);
        for (i, f) in flags.iter_mut().enumerate() {
            f.id = format!("R{}-{}", report.seq_in_incident, i + 1);
        }
        Assessment {
            flags,
            level_suggested,
            reading,
        }
    }
}

fn field_rank(field: &str) -> usize {
    FIELDS
        .iter()
        .position(|f| *f == field)
        .unwrap_or(FIELDS.len())
}

/// Stable order: kind, then field, then start.
fn sort_flags(flags: &mut [Flag]) {
    flags.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then(field_rank(&a.field).cmp(&field_rank(&b.field)))
            .then(a.start.unwrap_or(0).cmp(&b.start.unwrap_or(0)))
    });
}
