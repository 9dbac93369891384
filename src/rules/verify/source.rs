//! The source check (来源核实): is the caller an authoritative unit or functional department for
//! this category of event?
//!
//! In order:
//! 1. a callback number found in the directory (digits compared) whose unit is authoritative for
//!    the category settles it: no flag;
//! 2. words such as 群众, 网友, 匿名, 自媒体, "netizen" in the name, unit or post mark an individual or
//!    unofficial source: flag;
//! 3. no unit at all: an individual: flag;
//! 4. a unit that contains a directory unit's name (人民 ignored: 城关镇政府 is 城关镇人民政府; or
//!    equals its English name) and that unit is
//!    authoritative for the category, or a unit matching one of the category's functional
//!    patterns (substring, Latin case-insensitive): no flag; otherwise flag.
//!
//! With no category (or an unknown one), any directory unit or functional pattern counts.
//! A known number of a non-authoritative unit, an unknown number and no number at all are named
//! in the reason.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::new_flag;
use super::text::{digits, is_latin, is_word_char, normalise, Norm};
use crate::config::Config;
use crate::domain::{Flag, FlagKind, Report};

#[derive(Clone)]
struct UnitInfo {
    name: String,
    name_norm: String,
    name_en_norm: String,
    authoritative_for: Vec<String>,
    phones: Vec<String>,
}

/// The compiled directory and individual-source words.
#[derive(Clone)]
pub(crate) struct SourceCheck {
    units: Vec<UnitInfo>,
    functional: HashMap<String, Vec<String>>,
    individual: Option<AhoCorasick>,
    individual_latin: Vec<bool>,
}

impl SourceCheck {
    /// Compiles the directory of `config`.
    pub fn new(config: &Config) -> SourceCheck {
        let units = config
            .units
            .iter()
            .map(|u| UnitInfo {
                name: u.name.clone(),
                name_norm: normalise(u.name.trim()).replace("人民", ""),
                name_en_norm: normalise(u.name_en.trim()),
                authoritative_for: u.authoritative_for.clone(),
                phones: u
                    .phones
                    .iter()
                    .map(|p| digits(p))
                    .filter(|d| d.len() >= 5)
                    .collect(),
            })
            .collect();
        let functional = config
            .categories
            .iter()
            .map(|c| {
                let pats = c
                    .functional
                    .iter()
                    .map(|p| normalise(p.trim()))
                    .filter(|p| !p.is_empty())
                    .collect();
                (c.key.clone(), pats)
            })
            .collect();
        let words: Vec<String> = config
            .verification
            .individual_words
            .iter()
            .map(|w| normalise(w.trim()))
            .filter(|w| !w.is_empty())
            .collect();
        let individual = if words.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .build(&words)
                .ok()
        };
        SourceCheck {
            units,
            functional,
            individual,
            individual_latin: words.iter().map(|w| is_latin(w)).collect(),
        }
    }

    fn authoritative(&self, u: &UnitInfo, cat: Option<&str>) -> bool {
        match cat {
            Some(c) if self.functional.contains_key(c) => {
                u.authoritative_for.iter().any(|k| k == c)
            }
            _ => true,
        }
    }

    fn functional_match(&self, unit_norm: &str, cat: Option<&str>) -> bool {
        let hit = |pats: &Vec<String>| pats.iter().any(|p| unit_norm.contains(p.as_str()));
        match cat.and_then(|c| self.functional.get(c)) {
            Some(pats) => hit(pats),
            None => self.functional.values().any(hit),
        }
    }

    /// The first individual-source word in `text`, as written there.
    fn individual_word(&self, text: &str) -> Option<String> {
        let ac = self.individual.as_ref()?;
        let n = Norm::new(text);
        for m in ac.find_overlapping_iter(&n.text) {
            let (s, e) = (n.char_at_byte(m.start()), n.char_at_byte(m.end()));
            let latin = self
                .individual_latin
                .get(m.pattern().as_usize())
                .copied()
                .unwrap_or(false);
            if latin {
                let before = s.checked_sub(1).and_then(|i| n.at(i));
                if before.is_some_and(is_word_char) || n.at(e).is_some_and(is_word_char) {
                    continue;
                }
            }
            let (os, oe) = n.span(s, e);
            return Some(n.orig_slice(os, oe).to_string());
        }
        None
    }

    /// The `unverified_source` flag for `report`, if its source is not authoritative.
    pub fn check(&self, report: &Report) -> Option<Flag> {
        let r = &report.reporter;
        let cat = report.category.as_deref();
        let unit = r.unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
        let phone = r.phone.as_deref().map(digits).filter(|d| !d.is_empty());
        let phone_unit = phone
            .as_ref()
            .and_then(|p| self.units.iter().find(|u| u.phones.iter().any(|x| x == p)));
        if phone_unit.is_some_and(|u| self.authoritative(u, cat)) {
            return None;
        }
        let (cue, mut zh, mut en, weight) = if let Some(w) = [&r.name, &r.unit, &r.post]
            .into_iter()
            .flatten()
            .find_map(|t| self.individual_word(t))
        {
            (
                w.clone(),
                format!("报告人为个人或非官方来源（「{w}」），不是法定权威单位或职能部门"),
                format!("the caller is an individual or unofficial source (\u{201c}{w}\u{201d}), not an authoritative unit or department"),
                80,
            )
        } else if let Some(u) = unit {
            let un = normalise(u);
            let un_short = un.replace("人民", "");
            let dir = self.units.iter().find(|d| {
                !d.name_norm.is_empty() && un_short.contains(d.name_norm.as_str())
                    || !d.name_en_norm.is_empty() && un == d.name_en_norm
            });
            if dir.is_some_and(|d| self.authoritative(d, cat)) || self.functional_match(&un, cat) {
                return None;
            }
            let cat_zh = cat.unwrap_or("未分类");
            (
                u.to_string(),
                format!("报告单位「{u}」不是「{cat_zh}」类事件的权威单位或职能部门"),
                format!("the reporting unit \u{201c}{u}\u{201d} is not an authoritative unit or department for \u{201c}{}\u{201d}", cat.unwrap_or("uncategorised")),
                60,
            )
        } else {
            (
                String::new(),
                "报告人未说明单位，按个人来源对待".to_string(),
                "the caller gave no unit: treated as an individual".to_string(),
                75,
            )
        };
        match (&phone, phone_unit) {
            (Some(_), Some(u)) => {
                zh.push_str(&format!(
                    "；回拨号码属于通讯录中的「{}」，但该单位不是此类事件的权威来源",
                    u.name
                ));
                en.push_str(&format!("; the callback number belongs to \u{201c}{}\u{201d} in the directory, which is not authoritative for this category", u.name));
            }
            (Some(p), None) => {
                zh.push_str(&format!("；号码{p}不在通讯录中"));
                en.push_str(&format!("; the number {p} is not in the directory"));
            }
            (None, _) => {
                zh.push_str("；未留回拨电话");
                en.push_str("; no callback number");
            }
        }
        let mut f = new_flag(
            FlagKind::UnverifiedSource,
            "reporter",
            (zh, en),
            (
                "先报告、后核实：回拨报告人确认身份，并向属地政府或该类事件的职能部门核实事件是否属实",
                "Report first, check beside it: call the caller back to confirm who they are, and check the event with the local government or the responsible department.",
            ),
            weight,
        );
        if !cue.is_empty() {
            f.cue = Some(cue);
        }
        Some(f)
    }
}
