//! The shape of the configuration. Every struct rejects unknown keys and lets any key be left out
//! (a user file states only what it changes).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::{FlagClass, Lang, Level, Threshold};

pub use super::notices::{
    is_loopback, plaintext, Contact, DeliveryLimits, Endpoint, Notices, RoutingRule, SmtpTls,
    WebhookFormat,
};

/// The whole configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The office.
    pub office: Office,
    /// Time limits by level (`I`…`IV`, `ungraded`).
    pub limits: BTreeMap<String, Limit>,
    /// Casualty thresholds by level (`I`…`III`).
    pub levels: BTreeMap<String, Threshold>,
    /// Event categories.
    pub categories: Vec<Category>,
    /// The directory of units.
    pub units: Vec<Unit>,
    /// Leaders and officers.
    pub people: Vec<Person>,
    /// The duty roster.
    pub duty: Duty,
    /// Verification settings and the lexicon.
    pub verification: Verification,
    /// The console's look and keys.
    pub console: Console,
    /// Notices: routing, deadlines, endpoints, delivery.
    pub notices: Notices,
    /// Leaders' instructions: feedback deadlines, reminders and chasing (督办).
    pub instructions: super::instructions::Instructions,
    /// What the desk accepts: the size of a report.
    pub intake: Intake,
}

/// Limits on what the desk takes in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Intake {
    /// The most text one report may carry, in bytes of UTF-8, all fields together (a Chinese
    /// character is three). Larger reports are refused and nothing is recorded.
    pub max_report_bytes: usize,
    /// How far ahead of the desk's clock a report's times may lie, in hours.
    pub hours_ahead: u32,
    /// How far back, in days (a `received_at` of 1970 tops every audit as a breach of years).
    pub days_back: u32,
}

impl Intake {
    /// The built-in limit: 64 KiB, some 21,000 Chinese characters.
    pub const DEFAULT_MAX_REPORT_BYTES: usize = 64 * 1024;
    /// The range a configuration may choose from.
    pub const RANGE: std::ops::RangeInclusive<usize> = 1024..=16 * 1024 * 1024;
}

impl Default for Intake {
    fn default() -> Self {
        Intake {
            max_report_bytes: Intake::DEFAULT_MAX_REPORT_BYTES,
            hours_ahead: 24,
            days_back: 365,
        }
    }
}

/// Console settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Console {
    /// Draw borders with `+-|` (for terminals that draw box symbols wide).
    pub ascii_borders: bool,
    /// Key overrides by action name: `save = ["ctrl-w"]` replaces the keys of `save`.
    pub keymap: BTreeMap<String, Vec<String>>,
}

/// The office itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Office {
    /// 名称
    pub name: String,
    /// Name in English.
    pub name_en: String,
    /// IANA zone for display; empty = the system's.
    pub timezone: String,
    /// `zh-CN` or `en`; empty = from the locale.
    pub lang: String,
    /// The area the office covers.
    pub area: String,
}

/// Time limits for one level, in minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limit {
    /// Phone report to the leader / upward.
    pub phone_minutes: u32,
    /// Written report.
    pub written_minutes: u32,
}

/// The four classes of emergencies (四大类).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryClass {
    /// 自然灾害
    NaturalDisaster,
    /// 事故灾难
    #[default]
    Accident,
    /// 公共卫生事件
    PublicHealth,
    /// 社会安全事件
    SocialSecurity,
}

/// An event category.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Category {
    /// The key used in reports (`fire`).
    pub key: String,
    /// 中文名
    pub zh: String,
    /// English name.
    pub en: String,
    /// Which of the four classes.
    pub class: CategoryClass,
    /// Unit-name patterns of the functional departments for this category.
    pub functional: Vec<String>,
    /// Words in a report that suggest this category (读文字): `起火`, or `泄漏|爆炸+储罐|罐车`
    /// (one of the first group and one of the second in the same sentence).
    #[serde(default)]
    pub cues: Vec<String>,
    /// Categories that, read from the same words, make this one unneeded (`weather` yields to
    /// `flood`: the rain that floods a street is a flood).
    #[serde(default)]
    pub yields_to: Vec<String>,
}

/// A cue as written in config: groups of alternatives, every group needed in one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordCue {
    /// `A|B+C|D` → `[[A, B], [C, D]]`, lower-cased.
    pub groups: Vec<Vec<String>>,
}

impl WordCue {
    /// Reads `A|B+C|D`; `None` when a group or an alternative is empty.
    pub fn parse(s: &str) -> Option<WordCue> {
        let groups: Vec<Vec<String>> = s
            .split('+')
            .map(|g| g.split('|').map(|w| w.trim().to_lowercase()).collect())
            .collect();
        if groups.iter().flatten().any(String::is_empty) {
            return None;
        }
        Some(WordCue { groups })
    }
}

impl Category {
    /// The name in a language.
    pub fn name(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}

/// What a unit is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// A functional department (职能部门).
    #[default]
    Department,
    /// A town or township government (地区).
    Region,
    /// An enterprise or park.
    Enterprise,
    /// A leader's office.
    LeaderOffice,
}

/// A unit in the directory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Unit {
    /// 单位名称
    pub name: String,
    /// Name in English.
    pub name_en: String,
    /// What it is.
    pub kind: UnitKind,
    /// Category keys it is an authoritative source for.
    pub authoritative_for: Vec<String>,
    /// Known phone numbers.
    pub phones: Vec<String>,
    /// Place names in its area (regions).
    pub places: Vec<String>,
    /// How to reach it, in order of preference.
    pub contacts: Vec<Contact>,
    /// Who is told when it does not acknowledge in time (default: the leader on duty).
    pub escalate_to: String,
}

/// A person's role.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 领导
    Leader,
    /// 值班员
    #[default]
    Officer,
}

/// A leader or officer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Person {
    /// 姓名
    pub name: String,
    /// 职务
    pub title: String,
    /// Title in English.
    pub title_en: String,
    /// Leader or officer.
    pub role: Role,
    /// Phone.
    pub phone: String,
    /// 1 = the head; a leader not acknowledging in time is escalated to the next lower number.
    pub rank: u32,
    /// A leader told of every incident at this level or graver (`I`…`IV`; empty = only on duty).
    pub notify_level: String,
    /// How to reach them, in order of preference.
    pub contacts: Vec<Contact>,
}

/// A dated roster entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RosterDay {
    /// `YYYY-MM-DD`: the shift starting that day.
    pub date: String,
    /// Officers on duty.
    pub officers: Vec<String>,
    /// The leader on duty.
    pub leader: String,
}

/// The duty roster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Duty {
    /// `HH:MM` local: when a shift starts (and the previous one ends).
    pub shift_start: String,
    /// Leaders rotating day by day.
    pub leader_rotation: Vec<String>,
    /// Officers rotating day by day.
    pub officer_rotation: Vec<String>,
    /// Dated entries, which win over the rotation.
    pub roster: Vec<RosterDay>,
}

/// One cue of the vague-word lexicon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cue {
    /// The word or phrase.
    pub cue: String,
    /// hearsay | guess | approximate_number | unknown
    pub class: FlagClass,
    /// 0–100: how strongly it signals doubt.
    #[serde(default = "default_weight")]
    pub weight: u8,
}

fn default_weight() -> u8 {
    50
}

/// Verification settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Verification {
    /// An open flag is overdue after this many minutes.
    pub clock_minutes: u32,
    /// Words that mark an individual or unofficial source.
    pub individual_words: Vec<String>,
    /// The vague-word lexicon.
    pub lexicon: Vec<Cue>,
    /// False friends: phrases inside which a lexicon cue is not a hedge (无人员伤亡, 可能性已排除,
    /// 下落不明, "a report about").
    pub false_friends: Vec<String>,
    /// Lexicon cues that are vague only before a number or quantity word ("about 20" is vague,
    /// "a report about the fire" is not).
    pub needs_number: Vec<String>,
}

impl Config {
    /// Checks that the parts fit together; on failure returns (dotted key, message).
    pub fn validate(&self) -> Result<(), (String, String)> {
        if !Intake::RANGE.contains(&self.intake.max_report_bytes) {
            return Err((
                "intake.max_report_bytes".into(),
                format!(
                    "{} is outside {}..={} bytes",
                    self.intake.max_report_bytes,
                    Intake::RANGE.start(),
                    Intake::RANGE.end()
                ),
            ));
        }
        crate::clock::Zone::parse(&self.office.timezone)
            .map_err(|m| ("office.timezone".to_string(), m))?;
        if !self.office.lang.is_empty() && Lang::from_locale(&self.office.lang).is_none() {
            return Err((
                "office.lang".into(),
                format!("unknown language {:?}: use zh-CN or en", self.office.lang),
            ));
        }
        for k in self.limits.keys().chain(self.levels.keys()) {
            if k != "ungraded" && Level::parse(k).is_none() {
                return Err((
                    format!("limits.{k}"),
                    format!("unknown level {k:?}: use I, II, III, IV or ungraded"),
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (i, c) in self.categories.iter().enumerate() {
            if c.key.is_empty() || !seen.insert(c.key.as_str()) {
                return Err((
                    format!("categories[{i}].key"),
                    format!("category key {:?} is empty or repeated", c.key),
                ));
            }
        }
        for (i, c) in self.categories.iter().enumerate() {
            if let Some(k) = c.yields_to.iter().find(|k| self.category(k).is_none()) {
                return Err((
                    format!("categories[{i}].yields_to"),
                    format!("unknown category {k:?}"),
                ));
            }
            if let Some(w) = c.cues.iter().find(|w| WordCue::parse(w).is_none()) {
                return Err((
                    format!("categories[{i}].cues"),
                    format!("{w:?} is not a word, A|B or A|B+C|D"),
                ));
            }
        }
        for (i, u) in self.units.iter().enumerate() {
            for k in &u.authoritative_for {
                if self.category(k).is_none() {
                    return Err((
                        format!("units[{i}].authoritative_for"),
                        format!("unit {:?} names unknown category {k:?}", u.name),
                    ));
                }
            }
        }
        let names: std::collections::HashSet<&str> =
            self.people.iter().map(|p| p.name.as_str()).collect();
        let roster_names = self
            .duty
            .leader_rotation
            .iter()
            .chain(&self.duty.officer_rotation)
            .chain(self.duty.roster.iter().flat_map(|d| d.officers.iter()))
            .chain(self.duty.roster.iter().map(|d| &d.leader));
        for n in roster_names {
            if !names.contains(n.as_str()) {
                return Err((
                    "duty".into(),
                    format!("roster names {n:?}, who is not in [[people]]"),
                ));
            }
        }
        let known = |n: &str| {
            self.people.iter().any(|p| p.name == n) || self.units.iter().any(|u| u.name == n)
        };
        self.notices.validate(&known)?;
        for (i, p) in self.people.iter().enumerate() {
            if !p.notify_level.is_empty() && Level::parse(&p.notify_level).is_none() {
                return Err((
                    format!("people[{i}].notify_level"),
                    format!("unknown level {:?}: use I, II, III or IV", p.notify_level),
                ));
            }
            for c in &p.contacts {
                self.notices
                    .check_contact(c)
                    .map_err(|m| (format!("people[{i}].contacts"), m))?;
            }
        }
        for (i, u) in self.units.iter().enumerate() {
            for c in &u.contacts {
                self.notices
                    .check_contact(c)
                    .map_err(|m| (format!("units[{i}].contacts"), m))?;
            }
            if !u.escalate_to.is_empty() && !known(&u.escalate_to) {
                return Err((
                    format!("units[{i}].escalate_to"),
                    format!(
                        "{:?} is neither in [[people]] nor in [[units]]",
                        u.escalate_to
                    ),
                ));
            }
        }
        if !self.duty.shift_start.is_empty()
            && chrono::NaiveTime::parse_from_str(&self.duty.shift_start, "%H:%M").is_err()
        {
            return Err((
                "duty.shift_start".into(),
                format!("{:?} is not a time HH:MM", self.duty.shift_start),
            ));
        }
        Ok(())
    }

    /// A category by key.
    pub fn category(&self, key: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.key == key)
    }

    /// The display name of a category key (the key itself if unknown).
    pub fn category_name<'a>(&'a self, key: &'a str, lang: Lang) -> &'a str {
        self.category(key).map(|c| c.name(lang)).unwrap_or(key)
    }

    /// The display zone.
    pub fn zone(&self) -> crate::clock::Zone {
        crate::clock::Zone::parse(&self.office.timezone).unwrap_or(crate::clock::Zone::Local)
    }

    /// Level thresholds, gravest first.
    pub fn thresholds(&self) -> Vec<(Level, Threshold)> {
        Level::ALL
            .into_iter()
            .filter_map(|l| self.levels.get(l.key()).map(|t| (l, *t)))
            .collect()
    }

    /// The time limit for a level (`None` = ungraded).
    pub fn limit(&self, level: Option<Level>) -> Limit {
        let key = level.map(|l| l.key()).unwrap_or("ungraded");
        self.limits.get(key).copied().unwrap_or(Limit {
            phone_minutes: 30,
            written_minutes: 60,
        })
    }

    /// Officers who may sign in (the roster's names first).
    pub fn officers(&self) -> Vec<&Person> {
        self.people
            .iter()
            .filter(|p| p.role == Role::Officer)
            .collect()
    }

    /// The leader on duty for the shift that started on `day`.
    pub fn leader_on_duty(&self, day: chrono::NaiveDate) -> Option<&Person> {
        let key = day.format("%Y-%m-%d").to_string();
        let name = match self.duty.roster.iter().find(|d| d.date == key) {
            Some(d) => Some(d.leader.as_str()),
            None => rotate(&self.duty.leader_rotation, day),
        }?;
        self.people.iter().find(|p| p.name == name)
    }

    /// The officer(s) on duty for the shift that started on `day`.
    pub fn officers_on_duty(&self, day: chrono::NaiveDate) -> Vec<String> {
        let key = day.format("%Y-%m-%d").to_string();
        match self.duty.roster.iter().find(|d| d.date == key) {
            Some(d) => d.officers.clone(),
            None => rotate(&self.duty.officer_rotation, day)
                .map(|s| vec![s.to_string()])
                .unwrap_or_default(),
        }
    }

    /// The day whose shift is on at a local time (before the shift start, the previous day's).
    pub fn shift_day(&self, local: chrono::NaiveDateTime) -> chrono::NaiveDate {
        if local.time() < self.shift_start() {
            local.date().pred_opt().unwrap_or(local.date())
        } else {
            local.date()
        }
    }

    /// The shift start time (default 08:30).
    pub fn shift_start(&self) -> chrono::NaiveTime {
        chrono::NaiveTime::parse_from_str(&self.duty.shift_start, "%H:%M")
            .unwrap_or_else(|_| chrono::NaiveTime::from_hms_opt(8, 30, 0).unwrap_or_default())
    }
}

fn rotate(list: &[String], day: chrono::NaiveDate) -> Option<&str> {
    use chrono::Datelike;
    if list.is_empty() {
        return None;
    }
    let i = day.num_days_from_ce().rem_euclid(list.len() as i32) as usize;
    list.get(i).map(String::as_str)
}
