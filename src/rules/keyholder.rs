//! The key-holder rule (钥匙的故事): when a notified fact changes — time, place, level,
//! casualties — everyone who holds an older version and not the current one must be told again,
//! supporting roles included. Pure functions of the incident and its notices.

use serde::{Deserialize, Serialize};

use crate::domain::{
    Incident, Lang, Notice, NoticeKind, NoticeState, RecipientKind, Report, ReportKind,
};

/// The facts whose change makes a recipient stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFacts {
    /// When.
    pub occurred: Option<String>,
    /// Where.
    pub place: Option<String>,
    /// Level.
    pub level: Option<crate::domain::Level>,
    /// Casualties.
    pub casualties: crate::domain::Casualties,
}

impl KeyFacts {
    /// The key facts of a report.
    pub fn of(r: &Report) -> KeyFacts {
        KeyFacts {
            occurred: r.occurred_at.as_ref().map(|o| match o {
                crate::domain::OccurredAt::At(t) => t.to_rfc3339(),
                crate::domain::OccurredAt::Words(w) => w.trim().to_string(),
            }),
            place: r.location.as_ref().map(|s| s.trim().to_string()),
            level: r.level,
            casualties: r.casualties.clone(),
        }
    }

    /// Which facts differ: `time`, `place`, `level`, `casualties`.
    pub fn changed(&self, newer: &KeyFacts) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.occurred != newer.occurred {
            out.push("time");
        }
        if self.place != newer.place {
            out.push("place");
        }
        if self.level != newer.level {
            out.push("level");
        }
        if self.casualties != newer.casualties {
            out.push("casualties");
        }
        out
    }
}

/// A recipient who holds an older version of the facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaleRecipient {
    /// Name.
    pub name: String,
    /// What they are.
    pub kind: RecipientKind,
    /// The newest version (report number) they hold.
    pub holds: u32,
    /// Which facts changed since: time, place, level, casualties.
    pub changed: Vec<String>,
}

impl StaleRecipient {
    /// "地点、伤亡已变更" / "place, casualties changed".
    pub fn changes_text(&self, lang: Lang) -> String {
        let names: Vec<&str> = self
            .changed
            .iter()
            .map(|c| match c.as_str() {
                "time" => lang.pick("时间", "time"),
                "place" => lang.pick("地点", "place"),
                "level" => lang.pick("级别", "level"),
                _ => lang.pick("伤亡", "casualties"),
            })
            .collect();
        match lang {
            Lang::Zh => format!("{}已变更", names.join("、")),
            Lang::En => format!("{} changed", names.join(", ")),
        }
    }
}

/// True when a notice carries the incident's facts to its recipient (or will): not failed, and
/// a notice of facts. Reminders, escalations (督办) and instructions carry none: being chased
/// about a notice tells nobody the new version.
fn carries_facts(n: &Notice) -> bool {
    let reached = match n.state {
        NoticeState::Failed => false,
        // Replaced after failing: it never carried anything.
        NoticeState::Superseded => n.is_delivered() || n.failures == 0,
        _ => true,
    };
    reached && n.q.kind.carries_facts()
}

/// Everyone who was told an older version of the key facts and has not been told the current.
pub fn stale(inc: &Incident, notices: &[Notice]) -> Vec<StaleRecipient> {
    let current = KeyFacts::of(inc.latest());
    let facts_of = |v: u32| inc.reports.get(v as usize).map(KeyFacts::of);
    let mut out: Vec<StaleRecipient> = Vec::new();
    let mut current_holders: Vec<&str> = Vec::new();
    for n in notices.iter().filter(|n| carries_facts(n)) {
        let Some(f) = facts_of(n.q.version) else {
            continue;
        };
        if f == current {
            current_holders.push(&n.q.recipient);
            continue;
        }
        match out.iter_mut().find(|s| s.name == n.q.recipient) {
            Some(s) if s.holds >= n.q.version => {}
            Some(s) => {
                s.holds = n.q.version;
                s.changed = f.changed(&current).iter().map(|c| c.to_string()).collect();
            }
            None => out.push(StaleRecipient {
                name: n.q.recipient.clone(),
                kind: n.q.recipient_kind,
                holds: n.q.version,
                changed: f.changed(&current).iter().map(|c| c.to_string()).collect(),
            }),
        }
    }
    out.retain(|s| !current_holders.contains(&s.name.as_str()));
    out
}

/// Names of everyone who holds the current key facts (or is being sent them).
pub fn current_holders(inc: &Incident, notices: &[Notice]) -> Vec<String> {
    let current = KeyFacts::of(inc.latest());
    let mut out: Vec<String> = notices
        .iter()
        .filter(|n| carries_facts(n))
        .filter(|n| {
            inc.reports.get(n.q.version as usize).map(KeyFacts::of) == Some(current.clone())
        })
        .map(|n| n.q.recipient.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The kind of an update for stale recipients: 终报 after a final report; 更正 when only the time
/// or place changed (an earlier statement was wrong, not the situation); otherwise 续报.
pub fn update_kind(inc: &Incident, stale: &[StaleRecipient]) -> NoticeKind {
    if inc.latest().kind == ReportKind::Final {
        return NoticeKind::Final;
    }
    let only_statement = !stale.is_empty()
        && stale
            .iter()
            .all(|s| s.changed.iter().all(|c| c == "time" || c == "place"));
    if only_statement {
        NoticeKind::Correction
    } else {
        NoticeKind::FollowUp
    }
}
