//! Follow-up on notices (跟踪/催办): near an acknowledgement deadline, warn the officer; past it,
//! remind the recipient and tell the next person in the chain. A pure function of the notices
//! and `now`; the deadline, the warning time and the chain were fixed when each was queued.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::domain::{EscalationStep, Notice, NoticeKind};

/// What to do about one notice now.
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
    /// The deadline has passed: tell the next person in the chain (督办).
    Escalate {
        /// The notice id.
        notice: String,
        /// Who.
        to: String,
    },
}

impl Action {
    /// The notice the action concerns.
    pub fn notice(&self) -> &str {
        match self {
            Action::Warn { notice }
            | Action::Remind { notice }
            | Action::Escalate { notice, .. } => notice,
        }
    }
}

/// The actions due at `now`, each taken at most once per notice (the notice's `steps` record
/// what was done). Acknowledged notices, and reminders of acknowledged ones, need nothing.
pub fn due(notices: &[Notice], now: DateTime<FixedOffset>) -> Vec<Action> {
    let acked: std::collections::HashSet<&str> = notices
        .iter()
        .filter(|n| n.ack.is_some())
        .map(|n| n.q.id.as_str())
        .collect();
    let acked = |id: &str| acked.contains(id);
    let mut out = Vec::new();
    for n in notices {
        if n.ack.is_some() || n.q.parent.as_deref().is_some_and(acked) {
            continue;
        }
        let Some(deadline) = n.q.deadline else {
            continue;
        };
        let done = |s: EscalationStep| n.steps.contains(&s);
        if now >= deadline {
            let may_remind = !matches!(n.q.kind, NoticeKind::Reminder | NoticeKind::Escalation);
            if may_remind && !done(EscalationStep::Reminded) {
                out.push(Action::Remind {
                    notice: n.q.id.clone(),
                });
            }
            if let Some(to) = &n.q.escalate_to {
                if !done(EscalationStep::Escalated) && to != &n.q.recipient {
                    out.push(Action::Escalate {
                        notice: n.q.id.clone(),
                        to: to.clone(),
                    });
                }
            }
        } else if n.q.warn_at.is_some_and(|w| now >= w) && !done(EscalationStep::Warned) {
            out.push(Action::Warn {
                notice: n.q.id.clone(),
            });
        }
    }
    out
}
