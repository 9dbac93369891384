//! Who is told (通报对象): a pure function of the configuration, the latest report and the
//! shift day. Each proposed recipient carries *why*, in Chinese and English, so the officer can
//! judge the proposal before adding or removing anyone.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::{Config, Contact, UnitKind};
use crate::domain::{ChannelKind, Lang, Level, RecipientKind, Report};
use crate::rules::reading::{self, CasualtyKind, Part, Reader, Reading};

/// A recipient the rules propose, with the contact to use and the reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposed {
    /// Name of the person or unit, as in the directory.
    pub name: String,
    /// What the recipient is.
    pub kind: RecipientKind,
    /// The preferred contact.
    pub contact: Contact,
    /// Why, in Chinese (reasons joined by ；).
    pub why_zh: String,
    /// Why, in English (reasons joined by "; ").
    pub why_en: String,
}

impl Proposed {
    fn add_reason(&mut self, zh: &str, en: &str) {
        if !self.why_zh.is_empty() {
            self.why_zh.push('；');
            self.why_en.push_str("; ");
        }
        self.why_zh.push_str(zh);
        self.why_en.push_str(en);
    }
}

/// The preferred contact: the first in the list; else a phone call for a person, a spooled
/// notice (print/fax) addressed to the first phone for a unit.
pub fn preferred_contact(contacts: &[Contact], phone: Option<&str>, person: bool) -> Contact {
    if let Some(c) = contacts.first() {
        return c.clone();
    }
    match phone.filter(|p| !p.trim().is_empty()) {
        Some(p) if person => Contact {
            channel: ChannelKind::Phone,
            to: p.to_string(),
            target: String::new(),
        },
        other => Contact {
            channel: ChannelKind::Spool,
            to: other.unwrap_or("").to_string(),
            target: String::new(),
        },
    }
}

/// Looks a name up in the directory: its kind and preferred contact.
pub fn resolve(config: &Config, name: &str) -> Option<(RecipientKind, Contact)> {
    let name = name.trim();
    if let Some(p) = config.people.iter().find(|p| p.name == name) {
        let kind = match p.role {
            crate::config::Role::Leader => RecipientKind::Leader,
            crate::config::Role::Officer => RecipientKind::Person,
        };
        return Some((kind, preferred_contact(&p.contacts, Some(&p.phone), true)));
    }
    let u = config
        .units
        .iter()
        .find(|u| u.name == name || (!u.name_en.is_empty() && u.name_en == name))?;
    let kind = match u.kind {
        UnitKind::Department | UnitKind::LeaderOffice => RecipientKind::Department,
        UnitKind::Region => RecipientKind::Region,
        UnitKind::Enterprise => RecipientKind::Enterprise,
    };
    let phone = u.phones.first().map(String::as_str);
    Some((kind, preferred_contact(&u.contacts, phone, false)))
}

fn level_matches(levels: &[String], level: Option<Level>) -> bool {
    levels.is_empty()
        || levels.iter().any(|l| match (Level::parse(l), level) {
            (Some(a), Some(b)) => a == b,
            (None, None) => l == "ungraded",
            _ => false,
        })
}

fn place_in(location: &str, place: &str) -> bool {
    !place.trim().is_empty() && location.to_lowercase().contains(&place.to_lowercase())
}

/// Proposes recipients for a report, in order: the leader on duty, higher leaders by level,
/// departments by category, regions by place, then configured rules. Each appears once, with
/// every reason that put it there. Fields left empty are filled from the report's words
/// ([`reading`]) unless the officer declined them, and a reason that rests on the words says so.
/// Compiles a [`Reader`] (about 5 ms): the desk keeps one and calls [`propose_read`].
pub fn propose(config: &Config, report: &Report, shift_day: NaiveDate) -> Vec<Proposed> {
    let reader = Reader::new(config);
    propose_read(config, report, &reader.read(report), shift_day)
}

/// [`propose`] with the report's words already read.
pub fn propose_read(
    config: &Config,
    report: &Report,
    reading: &Reading,
    shift_day: NaiveDate,
) -> Vec<Proposed> {
    let mut p = Proposal {
        config,
        facts: reading::facts(config, report, reading),
        out: Vec::new(),
    };
    p.leaders(shift_day);
    p.departments();
    p.regions();
    p.rules();
    p.out
}

/// A proposal being made: the facts it goes by and the recipients so far.
struct Proposal<'a> {
    config: &'a Config,
    facts: reading::Facts,
    out: Vec<Proposed>,
}

impl Proposal<'_> {
    /// Adds a recipient, or a reason to one already there.
    fn add(&mut self, name: &str, (zh, en): (String, String)) {
        if let Some(p) = self.out.iter_mut().find(|p| p.name == name) {
            p.add_reason(&zh, &en);
            return;
        }
        if let Some((kind, contact)) = resolve(self.config, name) {
            let mut p = Proposed {
                name: name.to_string(),
                kind,
                contact,
                why_zh: String::new(),
                why_en: String::new(),
            };
            p.add_reason(&zh, &en);
            self.out.push(p);
        }
    }

    /// A reason resting on the words says which words: "（按报告文字推断：道路交通事故）"; `None`
    /// names everything the words supplied.
    fn on(&self, part: Option<Part>, zh: String, en: String) -> (String, String) {
        let note = |lang| match part {
            Some(p) => self.facts.note_on(p, self.config, lang),
            None => self.facts.note(self.config, lang),
        };
        let (nz, ne) = (note(Lang::Zh), note(Lang::En));
        // A level from counts the officer typed rests on those counts, not on the words.
        let f = &self.facts;
        let typed_counts = f.casualties_read.is_empty() && !f.category_read() && !f.location_read;
        if nz.is_empty() {
            (zh, en)
        } else if typed_counts && matches!(part, Some(Part::Level) | None) {
            let level = |lang| f.note_on(Part::Level, self.config, lang);
            (
                format!("{zh}（按伤亡人数定级：{}）", level(Lang::Zh)),
                format!("{en} (graded by the casualties: {})", level(Lang::En)),
            )
        } else {
            (
                format!("{zh}（按报告文字推断：{nz}）"),
                format!("{en} (read from the report's words: {ne})"),
            )
        }
    }

    /// The leader on duty, and the leaders told of every incident at this level or graver.
    fn leaders(&mut self, shift_day: NaiveDate) {
        if let Some(leader) = self.config.leader_on_duty(shift_day) {
            let name = leader.name.clone();
            self.add(&name, ("带班领导".into(), "leader on duty".into()));
        }
        let Some(level) = self.facts.level else {
            return;
        };
        let mut leaders: Vec<_> = self
            .config
            .people
            .iter()
            .filter(|p| Level::parse(&p.notify_level).is_some_and(|l| level <= l))
            .collect();
        leaders.sort_by_key(|p| p.rank);
        let reasons: Vec<(String, (String, String))> = leaders
            .into_iter()
            .map(|p| {
                let zh = format!("{}级及以上事件报{}", level.numeral(), p.title);
                let en = format!("level {} or graver goes to the {}", level.key(), p.title_en);
                (p.name.clone(), self.on(Some(Part::Level), zh, en))
            })
            .collect();
        for (name, why) in reasons {
            self.add(&name, why);
        }
    }

    /// The functional departments of each category typed or read.
    fn departments(&mut self) {
        let mut reasons = Vec::new();
        for cat in &self.facts.categories {
            let cname = self.config.category_name(cat, Lang::Zh);
            let ename = self.config.category_name(cat, Lang::En);
            for u in self.config.units.iter().filter(|u| {
                u.kind == UnitKind::Department && u.authoritative_for.iter().any(|c| c == cat)
            }) {
                let why = (
                    format!("{cname}的职能部门"),
                    format!("functional department for {ename}"),
                );
                let why = if self.facts.categories_read.contains(cat) {
                    self.on(Some(Part::Category), why.0, why.1)
                } else {
                    why
                };
                reasons.push((u.name.clone(), why));
            }
        }
        for (name, why) in reasons {
            self.add(&name, why);
        }
    }

    /// Regions (and parks) by place: the place typed or read, else any of their place names the
    /// words mention ("火线距我县石门乡约5公里").
    fn regions(&mut self) {
        let mut reasons = Vec::new();
        for u in self
            .config
            .units
            .iter()
            .filter(|u| u.kind != UnitKind::Department)
        {
            let typed = self
                .facts
                .location
                .as_deref()
                .and_then(|loc| u.places.iter().find(|p| place_in(loc, p)));
            if let Some(place) = typed {
                let why = self.on(
                    Some(Part::Place),
                    format!("事发地在辖区（{place}）"),
                    format!("the place is in its area ({place})"),
                );
                reasons.push((u.name.clone(), why));
            } else if let Some(place) = u.places.iter().find(|p| place_in(&self.facts.words, p)) {
                reasons.push((
                    u.name.clone(),
                    (
                        format!("报告提到其辖区（{place}）"),
                        format!("the report names a place in its area ({place})"),
                    ),
                ));
            }
        }
        for (name, why) in reasons {
            self.add(&name, why);
        }
    }

    /// The configured rules whose every non-empty condition the facts meet.
    fn rules(&mut self) {
        let mut reasons = Vec::new();
        for rule in &self.config.notices.rules {
            if !self.matches(rule) {
                continue;
            }
            let f = &self.facts;
            let read = (!rule.categories.is_empty() && f.category_read())
                || (!rule.levels.is_empty() && f.level_read)
                || (!rule.places.is_empty() && f.location_read)
                || (!rule.casualties.is_empty() && !f.casualties_read.is_empty());
            for name in &rule.to {
                let why = (rule.why_zh.clone(), rule.why_en.clone());
                let why = if read {
                    self.on(None, why.0, why.1)
                } else {
                    why
                };
                reasons.push((name.clone(), why));
            }
        }
        for (name, why) in reasons {
            self.add(&name, why);
        }
    }

    fn matches(&self, rule: &crate::config::RoutingRule) -> bool {
        let f = &self.facts;
        let cat_ok =
            rule.categories.is_empty() || f.categories.iter().any(|c| rule.categories.contains(c));
        let place_ok = rule.places.is_empty()
            || f.location
                .as_deref()
                .is_some_and(|l| rule.places.iter().any(|p| place_in(l, p)));
        let casualties_ok = rule.casualties.is_empty()
            || CasualtyKind::ALL
                .iter()
                .any(|k| rule.casualties.iter().any(|r| r == k.key()) && f.has(*k));
        let words_ok = rule.words.is_empty() || rule.words.iter().any(|w| f.says(w));
        let uncategorised_ok = !rule.uncategorised || f.categories.is_empty();
        cat_ok
            && uncategorised_ok
            && place_ok
            && casualties_ok
            && words_ok
            && level_matches(&rule.levels, f.level)
    }
}

/// Who is told when `name` does not acknowledge in time about an incident of `level`: a
/// leader's next higher leader by rank; a unit's `escalate_to`, else the leader on duty —
/// each only at the levels the ladder (`[notices.escalation]`) lists. `None` at the top of the
/// chain or off the ladder.
pub fn escalation_target(
    config: &Config,
    name: &str,
    shift_day: NaiveDate,
    level: Option<Level>,
) -> Option<String> {
    let ladder = &config.notices.escalation;
    if let Some(p) = config.people.iter().find(|p| p.name == name) {
        if p.rank == 0 || !ladder.leaders(level) {
            return None;
        }
        return config
            .people
            .iter()
            .filter(|q| q.role == crate::config::Role::Leader && q.rank > 0 && q.rank < p.rank)
            .max_by_key(|q| q.rank)
            .map(|q| q.name.clone());
    }
    let u = config.units.iter().find(|u| u.name == name)?;
    if !ladder.units(level) {
        return None;
    }
    if !u.escalate_to.is_empty() {
        return Some(u.escalate_to.clone());
    }
    config.leader_on_duty(shift_day).map(|p| p.name.clone())
}
