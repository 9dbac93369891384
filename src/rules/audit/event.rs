//! What the audit reads of an event: [`AuditEvent`], a view of one event that borrows its
//! strings and keeps only the fields the fold uses (numbers, ids, instants, the report's kind,
//! level and category). It is made from a journal line by the store's serde view
//! (`store::view::AuditLine`, which skips reports' text, reporters, flags' wording and
//! notices' text unread) or from a full [`Event`] ([`AuditEvent::from`]); both give the same
//! view (tested).

use chrono::{DateTime, FixedOffset};

use crate::domain::instruction::FeedbackKind;
use crate::domain::notice::Notice;
use crate::domain::{CallOutcome, Event, EventBody, Level, RecipientKind, ReportKind};

type At = DateTime<FixedOffset>;

/// One event as the audit sees it. Its strings `S` are `&str` borrowed from a journal line's
/// view or from a full [`Event`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent<S> {
    /// The sequence number.
    pub seq: u64,
    /// When.
    pub at: At,
    /// The duty officer.
    pub officer: S,
    /// The previous event's hash.
    pub prev: S,
    /// This event's hash.
    pub hash: S,
    /// What the audit needs of the payload.
    pub body: AuditBody<S>,
}

/// One recipient of a relayed instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relayed<S> {
    /// Department, region or person.
    pub name: S,
    /// Feedback due by then.
    pub deadline: At,
}

/// The parts of an event's payload the audit uses; kinds it ignores are [`AuditBody::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditBody<S> {
    /// `report_filed`.
    ReportFiled {
        /// The incident number.
        incident: S,
        /// First, follow-up or final.
        kind: ReportKind,
        /// When the desk received it.
        received_at: At,
        /// The level, if graded.
        level: Option<Level>,
        /// The category key, if stated.
        category: Option<S>,
    },
    /// `flag_raised`.
    FlagRaised {
        /// The incident number.
        incident: S,
        /// The flag's id.
        flag: S,
    },
    /// `flag_resolved`.
    FlagResolved {
        /// The incident number.
        incident: S,
        /// The flag's id.
        flag: S,
        /// When it was resolved.
        at: At,
    },
    /// `notice_queued`.
    NoticeQueued {
        /// The notice id.
        id: S,
        /// The incident number.
        incident: S,
        /// Who, as a hash of the name ([`name_hash`]): the audit only tells one incident's
        /// recipients apart.
        recipient: u64,
        /// What the recipient is.
        recipient_kind: RecipientKind,
        /// Acknowledge by then.
        deadline: Option<At>,
        /// A reminder or escalation of another notice.
        follow_on: bool,
    },
    /// `notice_delivered`.
    NoticeDelivered {
        /// The notice id.
        notice: S,
    },
    /// `notice_called`.
    NoticeCalled {
        /// The notice id.
        notice: S,
        /// What the officer heard.
        outcome: CallOutcome,
    },
    /// `notice_acknowledged`.
    NoticeAcknowledged {
        /// The notice id.
        notice: S,
    },
    /// `notice_attempted`, `notice_failed`, `notice_escalated`, `notice_closed`: they end no
    /// stage, but concern
    /// the notice's incident.
    NoticeOther {
        /// The notice id.
        notice: S,
    },
    /// `instruction_recorded`.
    InstructionRecorded {
        /// The instruction id.
        id: S,
        /// The incident it concerns, if any.
        incident: Option<S>,
        /// When the desk received it.
        received_at: At,
    },
    /// `instruction_relayed`.
    InstructionRelayed {
        /// The instruction id.
        id: S,
        /// Who, answer by when.
        recipients: Vec<Relayed<S>>,
    },
    /// `instruction_feedback`.
    InstructionFeedback {
        /// The instruction id.
        id: S,
        /// Who answered.
        recipient: S,
        /// Progress or final.
        kind: FeedbackKind,
        /// When they said it.
        at: At,
    },
    /// Any other kind: the audit ignores it.
    Other,
}

impl<S: AsRef<str>> AuditBody<S> {
    /// The incident this event concerns, if any (as [`EventBody::incident`]).
    pub fn incident(&self) -> Option<&str> {
        match self {
            AuditBody::ReportFiled { incident, .. }
            | AuditBody::FlagRaised { incident, .. }
            | AuditBody::FlagResolved { incident, .. }
            | AuditBody::NoticeQueued { incident, .. } => Some(incident.as_ref()),
            AuditBody::NoticeDelivered { notice }
            | AuditBody::NoticeCalled { notice, .. }
            | AuditBody::NoticeAcknowledged { notice }
            | AuditBody::NoticeOther { notice } => Some(Notice::incident_of(notice.as_ref())),
            AuditBody::InstructionRecorded { .. }
            | AuditBody::InstructionRelayed { .. }
            | AuditBody::InstructionFeedback { .. }
            | AuditBody::Other => None,
        }
    }
}

impl<'a> From<&'a Event> for AuditEvent<&'a str> {
    fn from(e: &'a Event) -> AuditEvent<&'a str> {
        AuditEvent {
            seq: e.seq,
            at: e.at,
            officer: &e.officer,
            prev: &e.prev,
            hash: &e.hash,
            body: AuditBody::from(&e.body),
        }
    }
}

impl<'a> From<&'a EventBody> for AuditBody<&'a str> {
    fn from(b: &'a EventBody) -> AuditBody<&'a str> {
        match b {
            EventBody::ReportFiled { incident, report } => AuditBody::ReportFiled {
                incident,
                kind: report.kind,
                received_at: report.received_at,
                level: report.level,
                category: report.category.as_deref(),
            },
            EventBody::FlagRaised { incident, flag, .. } => AuditBody::FlagRaised {
                incident,
                flag: &flag.id,
            },
            EventBody::FlagResolved {
                incident,
                flag,
                resolution,
            } => AuditBody::FlagResolved {
                incident,
                flag,
                at: resolution.at,
            },
            EventBody::NoticeQueued { notice } => AuditBody::NoticeQueued {
                id: &notice.id,
                incident: &notice.incident,
                recipient: name_hash(notice.recipient.as_bytes()),
                recipient_kind: notice.recipient_kind,
                deadline: notice.deadline,
                follow_on: notice.parent.is_some(),
            },
            EventBody::NoticeDelivered { notice, .. } => AuditBody::NoticeDelivered { notice },
            EventBody::NoticeCalled {
                notice, outcome, ..
            } => AuditBody::NoticeCalled {
                notice,
                outcome: *outcome,
            },
            EventBody::NoticeAcknowledged { notice, .. } => {
                AuditBody::NoticeAcknowledged { notice }
            }
            EventBody::NoticeAttempted { notice, .. }
            | EventBody::NoticeFailed { notice, .. }
            | EventBody::NoticeEscalated { notice, .. }
            | EventBody::NoticeClosed { notice, .. } => AuditBody::NoticeOther { notice },
            EventBody::InstructionRecorded {
                id,
                incident,
                received_at,
                ..
            } => AuditBody::InstructionRecorded {
                id,
                incident: incident.as_deref(),
                received_at: *received_at,
            },
            EventBody::InstructionRelayed { id, recipients } => AuditBody::InstructionRelayed {
                id,
                recipients: recipients
                    .iter()
                    .map(|r| Relayed {
                        name: r.name.as_str(),
                        deadline: r.deadline,
                    })
                    .collect(),
            },
            EventBody::InstructionFeedback {
                id,
                recipient,
                kind,
                at,
                ..
            } => AuditBody::InstructionFeedback {
                id,
                recipient,
                kind: *kind,
                at: *at,
            },
            // Listed one by one so that a new kind stops the build here.
            EventBody::StoreCreated { .. }
            | EventBody::SessionStarted { .. }
            | EventBody::SessionEnded { .. }
            | EventBody::SignedIn { .. }
            | EventBody::InstructionChanged { .. }
            | EventBody::InstructionChased { .. }
            | EventBody::ShiftStarted { .. }
            | EventBody::ShiftEnded { .. }
            | EventBody::HandoverAccepted { .. }
            | EventBody::Note { .. } => AuditBody::Other,
        }
    }
}

/// A 64-bit hash of a name (SipHash, with the same keys on every thread of a run), by which
/// the audit tells a notice's recipients apart: two of one incident's recipients would have to
/// collide, a chance of one in 2^64 for each pair.
pub fn name_hash(name: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    h.write(name);
    h.finish()
}
