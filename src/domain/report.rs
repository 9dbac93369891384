//! A report (报告) and the JSON shape in which it arrives ([`ReportDraft`]).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// First report (初报), follow-up (续报) or final report (终报).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// 初报: opens an incident.
    #[default]
    First,
    /// 续报: progress on an open incident, numbered 1, 2, …
    FollowUp,
    /// 终报: outcome; closes the incident.
    Final,
}

/// How the report reached the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 电话
    Phone,
    /// 传真
    Fax,
    /// 短信
    Sms,
    /// 电子邮件
    Email,
    /// 当面
    InPerson,
    /// 电台
    Radio,
    /// 系统
    System,
    /// 其他
    Other,
}

impl Channel {
    /// Every channel, in the order the intake form offers them.
    pub const ALL: [Channel; 8] = [
        Channel::Phone,
        Channel::Fax,
        Channel::Sms,
        Channel::Email,
        Channel::InPerson,
        Channel::Radio,
        Channel::System,
        Channel::Other,
    ];

    /// The snake_case key used in JSON and config.
    pub fn key(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Fax => "fax",
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::InPerson => "in_person",
            Channel::Radio => "radio",
            Channel::System => "system",
            Channel::Other => "other",
        }
    }

    /// Parses the JSON key.
    pub fn from_key(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.key() == s)
    }
}

/// Event level: Ⅰ 特别重大, Ⅱ 重大, Ⅲ 较大, Ⅳ 一般. "Not yet graded" is `Option::None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    /// Ⅰ 特别重大
    I,
    /// Ⅱ 重大
    II,
    /// Ⅲ 较大
    III,
    /// Ⅳ 一般
    IV,
}

/// Casualty thresholds for one level: at least this many dead, or this many injured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// Dead at or above which the level applies.
    pub dead: u32,
    /// Seriously injured at or above which the level applies.
    pub injured: u32,
}

impl Level {
    /// Every level, gravest first.
    pub const ALL: [Level; 4] = [Level::I, Level::II, Level::III, Level::IV];

    /// The Roman numeral as written in Chinese documents (Ⅰ…Ⅳ).
    pub fn numeral(self) -> &'static str {
        match self {
            Level::I => "Ⅰ",
            Level::II => "Ⅱ",
            Level::III => "Ⅲ",
            Level::IV => "Ⅳ",
        }
    }

    /// The ASCII key used in JSON (`I`…`IV`).
    pub fn key(self) -> &'static str {
        match self {
            Level::I => "I",
            Level::II => "II",
            Level::III => "III",
            Level::IV => "IV",
        }
    }

    /// Parses `I`…`IV`, `Ⅰ`…`Ⅳ` or `1`…`4`.
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim() {
            "I" | "Ⅰ" | "1" | "i" => Some(Level::I),
            "II" | "Ⅱ" | "2" | "ii" => Some(Level::II),
            "III" | "Ⅲ" | "3" | "iii" => Some(Level::III),
            "IV" | "Ⅳ" | "4" | "iv" => Some(Level::IV),
            _ => None,
        }
    }

    /// 特别重大 / 重大 / 较大 / 一般, or the English names.
    pub fn name(self, lang: super::Lang) -> &'static str {
        match self {
            Level::I => lang.pick("特别重大", "particularly grave"),
            Level::II => lang.pick("重大", "grave"),
            Level::III => lang.pick("较大", "major"),
            Level::IV => lang.pick("一般", "ordinary"),
        }
    }
}

/// A count as told: not stated at all, stated as unknown (`null`), a number, or an
/// approximate value as said ("十几", "10余", "10+", "三四十", "dozens").
///
/// In JSON an absent key is [`Count::NotStated`], `null` is [`Count::Unknown`], a number is
/// [`Count::Known`], and a string is the caller's words: a plain numeral becomes a number,
/// anything else [`Count::About`], kept verbatim with the range read from it where one can be.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Count {
    /// The caller did not say.
    #[default]
    NotStated,
    /// The caller said it is not known yet (`null`).
    Unknown,
    /// A number.
    Known(u32),
    /// An approximate value, as said.
    About(Box<About>),
}

/// An approximate count: the caller's words and the range they mean (`十几` → 11–19).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct About {
    /// Exactly as said.
    pub said: String,
    /// At least this many, where it can be read.
    pub low: Option<u32>,
    /// At most this many, where it can be read.
    pub high: Option<u32>,
}

impl Count {
    /// The number, if one was given.
    pub fn known(&self) -> Option<u32> {
        match self {
            Count::Known(n) => Some(*n),
            _ => None,
        }
    }

    /// The least it can be: the number, or an approximate count's lower bound.
    pub fn at_least(&self) -> Option<u32> {
        match self {
            Count::Known(n) => Some(*n),
            Count::About(a) => a.low,
            _ => None,
        }
    }

    /// True unless the caller said nothing about it.
    pub fn is_stated(&self) -> bool {
        !matches!(self, Count::NotStated)
    }

    /// Reads a count as typed or said: empty → not stated; `?`, `不详`, `unknown` → unknown; a
    /// numeral (Arabic or Chinese) → the number; an approximate form → [`Count::About`] with
    /// its range. `None` when it is not a count at all ("很多人" is kept by the caller as text).
    pub fn parse(s: &str) -> Option<Count> {
        crate::domain::count_words::parse(s)
    }

    fn is_not_stated(&self) -> bool {
        matches!(self, Count::NotStated)
    }
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::Known(n) => s.serialize_u32(*n),
            Count::About(a) => s.serialize_str(&a.said),
            _ => s.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// A number, `null`, or the caller's words.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u32),
            Words(String),
        }
        // Reached only when the key is present: absent keys take the default (NotStated).
        Ok(match Option::<Raw>::deserialize(d)? {
            Some(Raw::Number(n)) => Count::Known(n),
            Some(Raw::Words(w)) => Count::parse(&w).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "{w:?} is not a count: give a number, an approximate number as said \
                     (十几, 10余, 10+, about 20), or null when not known"
                ))
            })?,
            None => Count::Unknown,
        })
    }
}

/// Casualties: dead, injured, missing, trapped.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Casualties {
    /// 死亡
    #[serde(default, skip_serializing_if = "Count::is_not_stated")]
    pub dead: Count,
    /// 受伤
    #[serde(default, skip_serializing_if = "Count::is_not_stated")]
    pub injured: Count,
    /// 失踪
    #[serde(default, skip_serializing_if = "Count::is_not_stated")]
    pub missing: Count,
    /// 被困
    #[serde(default, skip_serializing_if = "Count::is_not_stated")]
    pub trapped: Count,
}

impl Casualties {
    /// The four counts with their keys, in display order.
    pub fn entries(&self) -> [(&'static str, Count); 4] {
        [
            ("dead", self.dead.clone()),
            ("injured", self.injured.clone()),
            ("missing", self.missing.clone()),
            ("trapped", self.trapped.clone()),
        ]
    }

    /// True when at least one count was stated (a number or explicitly unknown).
    pub fn any_stated(&self) -> bool {
        self.entries().iter().any(|(_, c)| c.is_stated())
    }
}

/// Who called: name, unit, post, phone. Every part may be unknown.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reporter {
    /// 姓名
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 单位
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// 职务
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
    /// 电话
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// When it happened: an exact time, or the words the caller used ("昨晚十点多").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OccurredAt {
    /// A time given exactly (RFC 3339).
    At(DateTime<FixedOffset>),
    /// The caller's words, kept verbatim (a vague time).
    Words(String),
}

impl Serialize for OccurredAt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            OccurredAt::At(t) => s.serialize_str(&t.to_rfc3339()),
            OccurredAt::Words(w) => s.serialize_str(w),
        }
    }
}

impl<'de> Deserialize<'de> for OccurredAt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(OccurredAt::parse(&s))
    }
}

impl OccurredAt {
    /// An RFC 3339 time becomes [`OccurredAt::At`]; anything else is kept as words.
    pub fn parse(s: &str) -> OccurredAt {
        match DateTime::parse_from_rfc3339(s.trim()) {
            Ok(t) => OccurredAt::At(t),
            Err(_) => OccurredAt::Words(s.to_string()),
        }
    }
}

/// A report as it arrives: the JSON shape of `dutydesk report add`, import and `check`.
///
/// Every field but `summary` may be missing; unknown fields are an error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportDraft {
    /// first | follow_up | final (default first).
    #[serde(default)]
    pub kind: ReportKind,
    /// The incident number, for follow_up and final.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// When the desk received it (default: now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<DateTime<FixedOffset>>,
    /// phone | fax | sms | email | in_person | radio | system | other
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// Who called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporter: Option<Reporter>,
    /// When it happened: RFC 3339, or the words as told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<OccurredAt>,
    /// Where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// A category key from config (e.g. `fire`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// I | II | III | IV | null (not yet graded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Dead, injured, missing, trapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub casualties: Option<Casualties>,
    /// What happened: cause, course, nature. Required.
    pub summary: String,
    /// Measures already taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measures: Option<String>,
    /// What the reporter asks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<String>,
    /// Whom the reporter has already told, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub already_told: Option<String>,
    /// Suggestions from the words the officer declined (`category:fire`, `dead`, `injured`,
    /// `missing`, `trapped`, `level`, `location`, `occurred_at`): never used for this report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declined: Vec<String>,
    /// Suggestions from the words the officer accepted into the fields (same keys): the record
    /// of where a field's value came from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<String>,
}

impl ReportDraft {
    /// The bytes of text the report carries (UTF-8, every free-text field added up): what
    /// `[intake] max_report_bytes` limits.
    pub fn text_bytes(&self) -> usize {
        let opt = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        let reporter = self.reporter.as_ref().map_or(0, |r| {
            opt(&r.name) + opt(&r.unit) + opt(&r.post) + opt(&r.phone)
        });
        let words = match &self.occurred_at {
            Some(OccurredAt::Words(w)) => w.len(),
            _ => 0,
        };
        self.summary.len()
            + opt(&self.incident)
            + opt(&self.location)
            + opt(&self.category)
            + opt(&self.measures)
            + opt(&self.requests)
            + opt(&self.already_told)
            + reporter
            + words
    }
}

/// A report as filed: a draft with its place in the sequence, the time received and the recorder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// first | follow_up | final
    pub kind: ReportKind,
    /// 0 for the first report, n for 续报n, the next number for the final report.
    pub seq_in_incident: u32,
    /// When the desk received it.
    pub received_at: DateTime<FixedOffset>,
    /// How it arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// Who called.
    #[serde(default)]
    pub reporter: Reporter,
    /// When it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<OccurredAt>,
    /// Where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Category key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Level, `None` = not yet graded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Casualties as told.
    #[serde(default)]
    pub casualties: Casualties,
    /// What happened.
    pub summary: String,
    /// Measures taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measures: Option<String>,
    /// Requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<String>,
    /// Whom the reporter already told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub already_told: Option<String>,
    /// Suggestions from the words the officer declined (see [`ReportDraft::declined`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declined: Vec<String>,
    /// Suggestions the officer accepted into the fields (see [`ReportDraft::accepted`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<String>,
    /// The officer who recorded it.
    pub recorder: String,
}

impl Report {
    /// Files a draft: `received_at` defaults to `now`, the recorder is the officer.
    pub fn from_draft(
        draft: ReportDraft,
        seq_in_incident: u32,
        now: DateTime<FixedOffset>,
        recorder: &str,
    ) -> Report {
        Report {
            kind: draft.kind,
            seq_in_incident,
            received_at: draft.received_at.unwrap_or(now),
            channel: draft.channel,
            reporter: draft.reporter.unwrap_or_default(),
            occurred_at: draft.occurred_at,
            location: draft.location,
            category: draft.category,
            level: draft.level,
            casualties: draft.casualties.unwrap_or_default(),
            summary: draft.summary,
            measures: draft.measures,
            requests: draft.requests,
            already_told: draft.already_told,
            declined: draft.declined,
            accepted: draft.accepted,
            recorder: recorder.to_string(),
        }
    }

    /// The draft this report would be edited from (for follow-ups pre-filled from the last one).
    pub fn to_draft(&self) -> ReportDraft {
        ReportDraft {
            kind: self.kind,
            incident: None,
            received_at: Some(self.received_at),
            channel: self.channel,
            reporter: Some(self.reporter.clone()),
            occurred_at: self.occurred_at.clone(),
            location: self.location.clone(),
            category: self.category.clone(),
            level: self.level,
            casualties: Some(self.casualties.clone()),
            summary: self.summary.clone(),
            measures: self.measures.clone(),
            requests: self.requests.clone(),
            already_told: self.already_told.clone(),
            declined: Vec::new(),
            accepted: Vec::new(),
        }
    }

    /// 初报 / 续报三 / 终报, or First report / Follow-up 3 / Final report.
    pub fn title(&self, lang: super::Lang) -> String {
        match (self.kind, lang) {
            (ReportKind::First, super::Lang::Zh) => "初报".into(),
            (ReportKind::First, super::Lang::En) => "First report".into(),
            (ReportKind::FollowUp, super::Lang::Zh) => {
                format!("续报{}", chinese_numeral(self.seq_in_incident))
            }
            (ReportKind::FollowUp, super::Lang::En) => {
                format!("Follow-up {}", self.seq_in_incident)
            }
            (ReportKind::Final, super::Lang::Zh) => "终报".into(),
            (ReportKind::Final, super::Lang::En) => "Final report".into(),
        }
    }
}

/// 1 → 一, 12 → 十二, 20 → 二十, 105 → 105 (numbers above 99 stay Arabic).
pub fn chinese_numeral(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[(n - 10) as usize] }),
        20..=99 => format!(
            "{}十{}",
            D[(n / 10) as usize],
            if n % 10 == 0 {
                ""
            } else {
                D[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_distinguish_absent_null_and_number() {
        let c: Casualties = serde_json::from_str(r#"{"dead":null,"injured":3}"#).unwrap();
        assert_eq!(c.dead, Count::Unknown);
        assert_eq!(c.injured, Count::Known(3));
        assert_eq!(c.missing, Count::NotStated);
        let back = serde_json::to_string(&c).unwrap();
        assert_eq!(back, r#"{"dead":null,"injured":3}"#);
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let e = serde_json::from_str::<ReportDraft>(r#"{"summary":"x","sumary":"y"}"#);
        assert!(e.unwrap_err().to_string().contains("sumary"));
    }

    #[test]
    fn occurred_at_keeps_words() {
        let d: ReportDraft =
            serde_json::from_str(r#"{"summary":"x","occurred_at":"昨晚十点多"}"#).unwrap();
        assert_eq!(d.occurred_at, Some(OccurredAt::Words("昨晚十点多".into())));
        let d: ReportDraft =
            serde_json::from_str(r#"{"summary":"x","occurred_at":"2026-11-22T22:10:00+08:00"}"#)
                .unwrap();
        assert!(matches!(d.occurred_at, Some(OccurredAt::At(_))));
    }

    #[test]
    fn numerals() {
        let table = [
            (1, "一"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (35, "三十五"),
            (100, "100"),
        ];
        for (n, want) in table {
            assert_eq!(chinese_numeral(n), want, "{n}");
        }
    }
}
