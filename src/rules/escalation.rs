//! Follow-up on notices (跟踪/催办): near an acknowledgement deadline, warn the officer; past it,
//! remind the recipient once and tell the next person on the ladder once (督办). These are
//! steps of the notice's one life, never notices needing their own 回执: a pure function of
//! the open notices and `now`; the deadline, the warning time and the ladder were fixed when
//! each was queued.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::domain::{EscalationStep, Notice, QueuedNotice};

/// What to do now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// The deadline is near: warn the officer.
    Warn {
        /// The notice id.
        notice: String,
    },
    /// The deadline has passed: send a reminder (催办) to the same recipient.
    Remind {
        /// The notice id.
        notice: String,
    },
    /// Deadlines have passed: tell the next person on the ladder (督办) who has not answered —
    /// one message per incident and person, however many notices it is about.
    Escalate {
        /// The incident.
        incident: String,
        /// Who is told.
        to: String,
        /// The unanswered notices, in id order.
        notices: Vec<String>,
    },
}

impl Action {
    /// The first notice the action concerns.
    pub fn notice(&self) -> &str {
        match self {
            Action::Warn { notice } | Action::Remind { notice } => notice,
            Action::Escalate { notices, .. } => notices.first().map_or("", String::as_str),
        }
    }
}

/// The actions due at `now`, each step taken at most once per notice (the notice's `steps`
/// record what was done). Only open notices are followed up: a reminder or an escalation is a
/// step of another notice and is never itself chased; an answered, reached or superseded
/// notice needs nothing more.
pub fn due(notices: &[Notice], now: DateTime<FixedOffset>) -> Vec<Action> {
    let mut out = Vec::new();
    let mut escalations: Vec<Action> = Vec::new();
    for n in notices.iter().filter(|n| n.is_open()) {
        let Some(deadline) = n.q.deadline else {
            continue;
        };
        let done = |s: EscalationStep| n.steps.contains(&s);
        if now >= deadline {
            if !done(EscalationStep::Reminded) {
                out.push(Action::Remind {
                    notice: n.q.id.clone(),
                });
            }
            let Some(to) = n.q.escalate_to.as_ref().filter(|t| **t != n.q.recipient) else {
                continue;
            };
            if done(EscalationStep::Escalated) {
                continue;
            }
            let same = escalations.iter_mut().find(|a| {
                matches!(a, Action::Escalate { incident, to: t, .. }
                    if *incident == n.q.incident && t == to)
            });
            match same {
                Some(Action::Escalate { notices, .. }) => notices.push(n.q.id.clone()),
                _ => escalations.push(Action::Escalate {
                    incident: n.q.incident.clone(),
                    to: to.clone(),
                    notices: vec![n.q.id.clone()],
                }),
            }
        } else if n.q.warn_at.is_some_and(|w| now >= w) && !done(EscalationStep::Warned) {
            out.push(Action::Warn {
                notice: n.q.id.clone(),
            });
        }
    }
    for a in &mut escalations {
        if let Action::Escalate { notices, .. } = a {
            notices.sort();
        }
    }
    out.extend(escalations);
    out
}

/// Sorts open notices by how late they are: the latest first, then the soonest due, then
/// those with no deadline; ties in id order.
pub fn sort_by_lateness(rows: &mut [Notice]) {
    rows.sort_by(|a, b| match (a.q.deadline, b.q.deadline) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.q.id.cmp(&b.q.id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.q.id.cmp(&b.q.id),
    });
}

/// The open notices that a new notice replaces: every open notice of facts to the same
/// recipient about a version no newer than the one it carries. Pairs (old, new).
pub fn superseded(notices: &[Notice], new: &[QueuedNotice]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for q in new.iter().filter(|q| q.kind.carries_facts()) {
        for o in notices.iter().filter(|o| {
            o.is_open()
                && o.q.kind.carries_facts()
                && o.q.recipient == q.recipient
                && o.q.version <= q.version
                && o.q.id != q.id
        }) {
            if !out.iter().any(|(old, _)| *old == o.q.id) {
                out.push((o.q.id.clone(), q.id.clone()));
            }
        }
    }
    out
}

/// The steps (reminders, escalations) left with nothing to chase once the notices in `ended`
/// have ended: every notice a step chases is now answered, reached or superseded. Pairs
/// (step, the ended notice that settled it).
pub fn settled(notices: &[Notice], ended: &[&str]) -> Vec<(String, String)> {
    let is_ended =
        |id: &str| ended.contains(&id) || notices.iter().any(|n| n.q.id == id && n.is_ended());
    let mut out = Vec::new();
    for s in notices
        .iter()
        .filter(|s| s.q.kind.is_step() && !s.is_ended())
    {
        if ended.contains(&s.q.id.as_str()) {
            continue;
        }
        let chases = s.q.chases();
        let by = chases.iter().find(|c| ended.contains(c));
        if let Some(by) = by.filter(|_| chases.iter().all(|c| is_ended(c))) {
            out.push((s.q.id.clone(), by.to_string()));
        }
    }
    out
}
