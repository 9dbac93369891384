//! A leader's instruction (批示) and its supervision (督办): what was said, to whom it was relayed
//! with which feedback deadline, and what each recipient answered (by phone first, in writing
//! after; progress, then the result). A fold over events ([`Instruction::apply`]), like
//! [`super::Notice`]. Plain data: no clock, no I/O.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::event::{Event, EventBody};

/// The time and place of a standalone item (a meeting, a briefing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arrangement {
    /// When, as said ("2026-11-23 16:00").
    pub time: String,
    /// Where.
    pub place: String,
}

impl Arrangement {
    /// "16:00 @ 三楼会议室".
    pub fn line(&self) -> String {
        format!("{} @ {}", self.time, self.place)
    }
}

/// How feedback came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackForm {
    /// By phone (first).
    Phone,
    /// In writing (after).
    Written,
}

/// What feedback says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    /// Progress so far (complex matters).
    Progress,
    /// The result: the recipient is done.
    Final,
}

/// One answer from a recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// Phone or written.
    pub form: FeedbackForm,
    /// Progress or final.
    pub kind: FeedbackKind,
    /// What they said.
    pub text: String,
    /// When they said it.
    pub at: DateTime<FixedOffset>,
}

/// One recipient as named in `InstructionRelayed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayedTo {
    /// Department, region or person.
    pub name: String,
    /// The 批示传达 notice, when one was queued (incident instructions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_id: Option<String>,
    /// Feedback due by then.
    pub deadline: DateTime<FixedOffset>,
}

/// Reminder before the deadline or chasing after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChaseStep {
    /// 提醒: the deadline is near.
    Reminded,
    /// 催办: the deadline passed without a final answer.
    Chased,
}

/// A recipient's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// Name.
    pub name: String,
    /// The latest notice sent (if any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_id: Option<String>,
    /// Feedback due by then.
    pub deadline: DateTime<FixedOffset>,
    /// When it was (last) relayed.
    pub relayed_at: DateTime<FixedOffset>,
    /// The arrangement version they were told (1 = the original).
    pub version: u32,
    /// Answers, oldest first.
    #[serde(default)]
    pub feedback: Vec<Feedback>,
    /// Reminders and chases, with when.
    #[serde(default)]
    pub chases: Vec<(ChaseStep, DateTime<FixedOffset>)>,
}

impl Recipient {
    /// The final answer, if in.
    pub fn final_answer(&self) -> Option<&Feedback> {
        self.feedback.iter().find(|f| f.kind == FeedbackKind::Final)
    }
}

/// A change of a standalone item's arrangement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrangementChange {
    /// When it was recorded.
    pub at: DateTime<FixedOffset>,
    /// Before.
    pub old: Arrangement,
    /// After.
    pub new: Arrangement,
}

/// An instruction as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instruction {
    /// `PS-20261123-01`.
    pub id: String,
    /// The incident it concerns, or none (a standalone supervision item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// Who gave it.
    pub leader: String,
    /// When the desk received it.
    pub received_at: DateTime<FixedOffset>,
    /// How (phone, written, in person, message…).
    pub channel: String,
    /// The words, verbatim.
    pub text: String,
    /// Time and place, for a standalone item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrangement: Option<Arrangement>,
    /// 1, then +1 for every change of the arrangement.
    pub version: u32,
    /// Changes of the arrangement, oldest first.
    #[serde(default)]
    pub changes: Vec<ArrangementChange>,
    /// Recipients in relay order.
    #[serde(default)]
    pub recipients: Vec<Recipient>,
    /// Sequence numbers of its events.
    pub events: Vec<u64>,
}

impl Instruction {
    /// A recipient by name.
    pub fn recipient(&self, name: &str) -> Option<&Recipient> {
        self.recipients.iter().find(|r| r.name == name)
    }

    /// True once relayed and every recipient gave a final answer.
    pub fn complete(&self) -> bool {
        !self.recipients.is_empty() && self.recipients.iter().all(|r| r.final_answer().is_some())
    }

    /// Recipients told an older arrangement than the current one (the key-holder rule).
    pub fn stale(&self) -> impl Iterator<Item = &Recipient> {
        self.recipients.iter().filter(|r| r.version < self.version)
    }

    /// Applies an event that concerns instructions. Others return `Ok(false)`; contradictions
    /// are errors (the log would not replay).
    pub fn apply(slot: &mut Option<Instruction>, e: &Event) -> Result<bool, String> {
        if let EventBody::InstructionRecorded {
            id,
            incident,
            leader,
            received_at,
            channel,
            text,
            arrangement,
        } = &e.body
        {
            if slot.is_some() {
                return Err(format!("instruction {id} recorded twice"));
            }
            *slot = Some(Instruction {
                id: id.clone(),
                incident: incident.clone(),
                leader: leader.clone(),
                received_at: *received_at,
                channel: channel.clone(),
                text: text.clone(),
                arrangement: arrangement.clone(),
                version: 1,
                changes: Vec::new(),
                recipients: Vec::new(),
                events: vec![e.seq],
            });
            return Ok(true);
        }
        let Some(id) = e.body.instruction() else {
            return Ok(false);
        };
        let ins = slot
            .as_mut()
            .ok_or_else(|| format!("event for unknown instruction {id}"))?;
        match &e.body {
            EventBody::InstructionRelayed { recipients, .. } => {
                for r in recipients {
                    let version = ins.version;
                    match ins.recipients.iter_mut().find(|x| x.name == r.name) {
                        Some(x) => {
                            x.notice_id = r.notice_id.clone().or(x.notice_id.take());
                            x.deadline = r.deadline;
                            x.relayed_at = e.at;
                            x.version = version;
                        }
                        None => ins.recipients.push(Recipient {
                            name: r.name.clone(),
                            notice_id: r.notice_id.clone(),
                            deadline: r.deadline,
                            relayed_at: e.at,
                            version,
                            feedback: Vec::new(),
                            chases: Vec::new(),
                        }),
                    }
                }
            }
            EventBody::InstructionFeedback {
                recipient,
                form,
                kind,
                text,
                at,
                ..
            } => {
                let r = ins
                    .recipients
                    .iter_mut()
                    .find(|x| x.name == *recipient)
                    .ok_or_else(|| format!("feedback from {recipient}, not a recipient of {id}"))?;
                if r.final_answer().is_some() {
                    return Err(format!("{recipient} already gave the final answer to {id}"));
                }
                r.feedback.push(Feedback {
                    form: *form,
                    kind: *kind,
                    text: text.clone(),
                    at: *at,
                });
            }
            EventBody::InstructionChanged { arrangement, .. } => {
                let old = ins
                    .arrangement
                    .clone()
                    .ok_or_else(|| format!("instruction {id} has no arrangement to change"))?;
                ins.changes.push(ArrangementChange {
                    at: e.at,
                    old,
                    new: arrangement.clone(),
                });
                ins.arrangement = Some(arrangement.clone());
                ins.version += 1;
            }
            EventBody::InstructionChased {
                recipient, step, ..
            } => {
                let r = ins
                    .recipients
                    .iter_mut()
                    .find(|x| x.name == *recipient)
                    .ok_or_else(|| format!("chase of {recipient}, not a recipient of {id}"))?;
                r.chases.push((*step, e.at));
            }
            _ => return Ok(false),
        }
        ins.events.push(e.seq);
        Ok(true)
    }
}
