//! Verification flags (核实标记): what needs checking, raised beside a report, never in front of it.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// What kind of doubt a flag records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// The source is not an authoritative unit or functional department for this category.
    UnverifiedSource,
    /// A vague or doubtful word (据说, 十几人, maybe).
    Vague,
    /// A required element is absent.
    Missing,
    /// A follow-up contradicts an earlier report.
    Inconsistent,
    /// The stated level is lower than the casualties imply.
    LevelMismatch,
}

impl FlagKind {
    /// The snake_case key.
    pub fn key(self) -> &'static str {
        match self {
            FlagKind::UnverifiedSource => "unverified_source",
            FlagKind::Vague => "vague",
            FlagKind::Missing => "missing",
            FlagKind::Inconsistent => "inconsistent",
            FlagKind::LevelMismatch => "level_mismatch",
        }
    }

    /// A short label for badges and lists.
    pub fn label(self, lang: super::Lang) -> &'static str {
        match self {
            FlagKind::UnverifiedSource => lang.pick("来源待核", "source"),
            FlagKind::Vague => lang.pick("表述模糊", "vague"),
            FlagKind::Missing => lang.pick("要素缺失", "missing"),
            FlagKind::Inconsistent => lang.pick("前后矛盾", "inconsistent"),
            FlagKind::LevelMismatch => lang.pick("级别偏低", "level"),
        }
    }
}

/// The lexicon class of a vague cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagClass {
    /// 据说, reportedly
    Hearsay,
    /// 可能, maybe
    Guess,
    /// 十几人, about 20
    ApproximateNumber,
    /// 不详, unknown
    Unknown,
}

/// One doubt about one report: which field, which words, why, and how to check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// Stable within the incident: `R{report}-{n}`, e.g. `R0-2`.
    #[serde(default)]
    pub id: String,
    /// What kind of doubt.
    pub kind: FlagKind,
    /// The report field (`summary`, `reporter`, `reporter.unit`, `location`, …).
    pub field: String,
    /// The words that raised it, as written in the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue: Option<String>,
    /// The lexicon class, for vague cues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<FlagClass>,
    /// Character offset (Unicode scalar values) of the cue's start in the field text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    /// Character offset one past the cue's end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
    /// Why, in Chinese.
    pub reason_zh: String,
    /// Why, in English.
    pub reason_en: String,
    /// How to check it, in Chinese.
    #[serde(default)]
    pub suggest_zh: String,
    /// How to check it, in English.
    #[serde(default)]
    pub suggest_en: String,
    /// The lexicon weight or rule severity (0–100).
    #[serde(default)]
    pub weight: u8,
}

impl Flag {
    /// The reason in the given language.
    pub fn reason(&self, lang: super::Lang) -> &str {
        lang.pick(&self.reason_zh, &self.reason_en)
    }

    /// The suggested check in the given language.
    pub fn suggest(&self, lang: super::Lang) -> &str {
        lang.pick(&self.suggest_zh, &self.suggest_en)
    }
}

/// How a flag was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionMethod {
    /// 回拨报告人
    CallBack,
    /// 与职能部门核对
    CrossCheck,
    /// 现场核实
    OnSite,
    /// 官方发布
    OfficialRelease,
}

impl ResolutionMethod {
    /// Every method, in the order offered.
    pub const ALL: [ResolutionMethod; 4] = [
        ResolutionMethod::CallBack,
        ResolutionMethod::CrossCheck,
        ResolutionMethod::OnSite,
        ResolutionMethod::OfficialRelease,
    ];

    /// A label for lists.
    pub fn label(self, lang: super::Lang) -> &'static str {
        match self {
            ResolutionMethod::CallBack => lang.pick("回拨报告人", "called back"),
            ResolutionMethod::CrossCheck => lang.pick("与部门核对", "cross-checked"),
            ResolutionMethod::OnSite => lang.pick("现场核实", "on site"),
            ResolutionMethod::OfficialRelease => lang.pick("官方发布", "official release"),
        }
    }
}

/// What the check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionResult {
    /// 属实
    Confirmed,
    /// 有更正 (a follow-up with the correction is proposed)
    Corrected,
    /// 不实
    Refuted,
    /// 无法核实
    CannotVerify,
}

impl ResolutionResult {
    /// Every result, in the order offered.
    pub const ALL: [ResolutionResult; 4] = [
        ResolutionResult::Confirmed,
        ResolutionResult::Corrected,
        ResolutionResult::Refuted,
        ResolutionResult::CannotVerify,
    ];

    /// A label for lists.
    pub fn label(self, lang: super::Lang) -> &'static str {
        match self {
            ResolutionResult::Confirmed => lang.pick("属实", "confirmed"),
            ResolutionResult::Corrected => lang.pick("有更正", "corrected"),
            ResolutionResult::Refuted => lang.pick("不实", "refuted"),
            ResolutionResult::CannotVerify => lang.pick("无法核实", "cannot verify"),
        }
    }
}

/// How and when a flag was resolved, and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// How it was checked.
    pub method: ResolutionMethod,
    /// What was found.
    pub result: ResolutionResult,
    /// Free note (whom was called, what they said).
    #[serde(default)]
    pub note: String,
    /// Who resolved it.
    pub by: String,
    /// When.
    pub at: DateTime<FixedOffset>,
}
