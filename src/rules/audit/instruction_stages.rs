//! The instruction stages of the audit, from Instruction… events of instructions that concern
//! an incident: instruction recorded (its `received_at`) → first relayed, limited by the level's
//! phone limit ("relay the leader's instructions quickly"); and, per recipient, relayed → final
//! feedback, limited by the feedback deadline set on relaying.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use super::event::AuditBody;
use super::intervals::{Interval, Stage};
use crate::clock::elapsed;
use crate::domain::instruction::FeedbackKind;

type At = DateTime<FixedOffset>;

#[derive(Debug)]
struct Asked {
    relayed: At,
    deadline: At,
    answered: Option<At>,
}

#[derive(Debug)]
struct Item {
    received: At,
    relayed: Option<At>,
    asked: BTreeMap<String, Asked>,
}

/// What one incident's instructions tell the audit.
#[derive(Debug, Default)]
pub(super) struct InstructionClock {
    items: BTreeMap<String, Item>,
}

impl InstructionClock {
    /// Takes an instruction event (the caller has routed it to this incident).
    pub(super) fn push(&mut self, at: At, body: &AuditBody<&str>) {
        match body {
            AuditBody::InstructionRecorded {
                id, received_at, ..
            } => {
                self.items.entry((*id).to_string()).or_insert(Item {
                    received: *received_at,
                    relayed: None,
                    asked: BTreeMap::new(),
                });
            }
            AuditBody::InstructionRelayed { id, recipients } => {
                let Some(item) = self.items.get_mut(*id) else {
                    return;
                };
                item.relayed.get_or_insert(at);
                for r in recipients {
                    let a = item.asked.entry(r.name.to_string()).or_insert(Asked {
                        relayed: at,
                        deadline: r.deadline,
                        answered: None,
                    });
                    a.deadline = r.deadline;
                }
            }
            AuditBody::InstructionFeedback {
                id,
                recipient,
                kind: FeedbackKind::Final,
                at: said,
            } => {
                if let Some(a) = self
                    .items
                    .get_mut(*id)
                    .and_then(|i| i.asked.get_mut(*recipient))
                {
                    a.answered.get_or_insert(*said);
                }
            }
            _ => {}
        }
    }

    /// The instruction intervals; `base` carries the incident's descriptive fields, `phone`
    /// the level's phone limit.
    pub(super) fn intervals(
        &self,
        base: &Interval,
        phone: Option<Duration>,
        now: At,
        out: &mut Vec<Interval>,
    ) {
        let mk = |stage: Stage, start: At, end: Option<At>, limit: Option<Duration>| Interval {
            stage,
            start,
            end,
            limit,
            duration: elapsed(&start, &end.unwrap_or(now)),
            ..base.clone()
        };
        for item in self.items.values() {
            out.push(mk(
                Stage::InstructionToRelayed,
                item.received,
                item.relayed,
                phone,
            ));
            for a in item.asked.values() {
                let limit = Some(elapsed(&a.relayed, &a.deadline));
                out.push(mk(
                    Stage::RelayedToFinalFeedback,
                    a.relayed,
                    a.answered,
                    limit,
                ));
            }
        }
    }
}
