//! The event: the only thing ever written. Each one is chained to the one before by SHA-256.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::flag::{Flag, Resolution};
use super::instruction::{Arrangement, ChaseStep, FeedbackForm, FeedbackKind, RelayedTo};
use super::notice::{CallOutcome, CloseReason, EscalationStep, Notice, QueuedNotice};
use super::report::Report;

/// The `prev` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The separator before the hash in a journal line; the hash covers every byte before it.
pub const HASH_MARK: &str = ",\"hash\":\"";

/// One recorded change of state.
///
/// Its journal line is the canonical JSON of this struct; `hash` is the last field and is the
/// SHA-256 of every byte of the line before `,"hash":"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// 1, 2, 3, … without gaps.
    pub seq: u64,
    /// When, in UTC with the officer's offset (e.g. `2026-11-23T02:07:36.120+08:00`).
    pub at: DateTime<FixedOffset>,
    /// The duty officer.
    pub officer: String,
    /// The OS account (from getuid).
    pub os_user: String,
    /// What happened.
    pub body: EventBody,
    /// The hash of the previous event ([`GENESIS_HASH`] for the first).
    pub prev: String,
    /// This event's hash.
    pub hash: String,
}

/// What an event records: its kind and payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum EventBody {
    /// The data folder was initialised.
    StoreCreated {
        /// Journal format version.
        format: u32,
    },
    /// A console session began.
    SessionStarted {
        /// Process id.
        pid: u32,
        /// The terminal, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tty: Option<String>,
    },
    /// A console session ended.
    SessionEnded {
        /// quit, sigterm, sighup, terminal-lost, panic…
        reason: String,
    },
    /// An officer signed in at the console.
    SignedIn {
        /// The officer's name.
        officer: String,
    },
    /// A report was filed (a first report opens the incident).
    ReportFiled {
        /// The incident number.
        incident: String,
        /// The report as filed (boxed: the largest event by far).
        report: Box<Report>,
    },
    /// A verification flag was raised on a report.
    FlagRaised {
        /// The incident number.
        incident: String,
        /// Which report (its `seq_in_incident`).
        report: u32,
        /// The flag.
        flag: Flag,
    },
    /// A verification flag was resolved.
    FlagResolved {
        /// The incident number.
        incident: String,
        /// The flag's id.
        flag: String,
        /// How, what, who, when.
        resolution: Resolution,
    },
    /// A notice was recorded in the outbox, before any attempt to send it.
    NoticeQueued {
        /// What is sent, to whom, how.
        notice: Box<QueuedNotice>,
    },
    /// A notice was handed to its channel (again, after a resume or a re-send).
    NoticeAttempted {
        /// The notice id.
        notice: String,
        /// 1 for the first hand-off.
        dispatch: u32,
    },
    /// The channel accepted a notice.
    NoticeDelivered {
        /// The notice id.
        notice: String,
        /// Which try succeeded.
        attempt: u32,
        /// What the channel said (sanitised, truncated, secrets removed).
        detail: String,
    },
    /// One try to send a notice failed.
    NoticeFailed {
        /// The notice id.
        notice: String,
        /// Which try.
        attempt: u32,
        /// Why (sanitised, truncated, secrets removed).
        error: String,
        /// True when the channel tries again after a pause.
        retrying: bool,
    },
    /// The officer called about a phone notice.
    NoticeCalled {
        /// The notice id.
        notice: String,
        /// What happened.
        outcome: CallOutcome,
        /// Note.
        #[serde(default)]
        note: String,
    },
    /// A recipient acknowledged a notice (回执).
    NoticeAcknowledged {
        /// The notice id.
        notice: String,
        /// Its token.
        token: String,
        /// Who acknowledged.
        by: String,
        /// How (phone, cli, in person…).
        via: String,
        /// Note.
        #[serde(default)]
        note: String,
        /// Acknowledged through a reminder or escalation notice (its id).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        through: Option<String>,
    },
    /// A step of escalation was taken for an unacknowledged notice.
    NoticeEscalated {
        /// The notice id.
        notice: String,
        /// Warned, reminded or escalated.
        step: EscalationStep,
        /// Who was told (for reminders and escalations).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
        /// The notice queued for it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sent: Option<String>,
    },
    /// A notice's life ended without its own acknowledgement: superseded by a newer notice to
    /// the same recipient, or (a reminder, an escalation) settled by the answer it chased.
    NoticeClosed {
        /// The notice id.
        notice: String,
        /// Why.
        reason: CloseReason,
    },
    /// A leader's instruction (批示) was recorded, verbatim.
    InstructionRecorded {
        /// `PS-YYYYMMDD-NN`.
        id: String,
        /// The incident it concerns, or none (a standalone supervision item).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        incident: Option<String>,
        /// Who gave it.
        leader: String,
        /// When the desk received it.
        received_at: DateTime<FixedOffset>,
        /// How it came (phone, written, in person…).
        channel: String,
        /// The words, verbatim.
        text: String,
        /// Time and place of a standalone item.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        arrangement: Option<Arrangement>,
    },
    /// An instruction was relayed (批示传达), each recipient with a feedback deadline.
    InstructionRelayed {
        /// The instruction.
        id: String,
        /// Who, by which notice, answer by when.
        recipients: Vec<RelayedTo>,
    },
    /// A recipient answered (by phone first, in writing after; progress, then the result).
    InstructionFeedback {
        /// The instruction.
        id: String,
        /// Who answered.
        recipient: String,
        /// Phone or written.
        form: FeedbackForm,
        /// Progress or final.
        #[serde(rename = "feedback_kind")]
        kind: FeedbackKind,
        /// What they said.
        text: String,
        /// When they said it.
        at: DateTime<FixedOffset>,
    },
    /// The time or place of a standalone item changed: everyone told must be told again.
    InstructionChanged {
        /// The instruction.
        id: String,
        /// The new time and place.
        arrangement: Arrangement,
    },
    /// A recipient was reminded before, or chased after, the feedback deadline.
    InstructionChased {
        /// The instruction.
        id: String,
        /// Who.
        recipient: String,
        /// Reminded or chased.
        step: ChaseStep,
        /// The notice queued for it, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sent: Option<String>,
    },
    /// A duty shift began (on the first sign-in of the shift, or at a handover's acceptance).
    ShiftStarted {
        /// The shift day.
        shift: chrono::NaiveDate,
        /// Who is on duty.
        officers: Vec<String>,
    },
    /// A duty shift ended (at a handover's acceptance).
    ShiftEnded {
        /// The shift day.
        shift: chrono::NaiveDate,
    },
    /// The incoming officer accepted the handover; anchors the log at its head.
    HandoverAccepted {
        /// The shift day handed over.
        shift: chrono::NaiveDate,
        /// The outgoing officer.
        from: String,
        /// The incoming officer.
        to: String,
        /// Every item handed over (each seen by the incoming officer), as it stood.
        items: Vec<super::handover::HandoverItem>,
        /// The outgoing officer's notes.
        #[serde(default)]
        notes: String,
        /// The sequence number of the log's last event before this one.
        head_seq: u64,
        /// That event's hash: a rewritten and re-chained history no longer matches it.
        head_hash: String,
    },
    /// Free note added to the log (e.g. a lock taken over, a recovery).
    Note {
        /// The text.
        text: String,
    },
}

impl EventBody {
    /// The snake_case kind, as in the journal.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::StoreCreated { .. } => "store_created",
            EventBody::SessionStarted { .. } => "session_started",
            EventBody::SessionEnded { .. } => "session_ended",
            EventBody::SignedIn { .. } => "signed_in",
            EventBody::ReportFiled { .. } => "report_filed",
            EventBody::FlagRaised { .. } => "flag_raised",
            EventBody::FlagResolved { .. } => "flag_resolved",
            EventBody::NoticeQueued { .. } => "notice_queued",
            EventBody::NoticeAttempted { .. } => "notice_attempted",
            EventBody::NoticeDelivered { .. } => "notice_delivered",
            EventBody::NoticeFailed { .. } => "notice_failed",
            EventBody::NoticeCalled { .. } => "notice_called",
            EventBody::NoticeAcknowledged { .. } => "notice_acknowledged",
            EventBody::NoticeEscalated { .. } => "notice_escalated",
            EventBody::NoticeClosed { .. } => "notice_closed",
            EventBody::InstructionRecorded { .. } => "instruction_recorded",
            EventBody::InstructionRelayed { .. } => "instruction_relayed",
            EventBody::InstructionFeedback { .. } => "instruction_feedback",
            EventBody::InstructionChanged { .. } => "instruction_changed",
            EventBody::InstructionChased { .. } => "instruction_chased",
            EventBody::Note { .. } => "note",
            EventBody::ShiftStarted { .. } => "shift_started",
            EventBody::ShiftEnded { .. } => "shift_ended",
            EventBody::HandoverAccepted { .. } => "handover_accepted",
        }
    }

    /// The instruction this event concerns, if any.
    pub fn instruction(&self) -> Option<&str> {
        match self {
            EventBody::InstructionRecorded { id, .. }
            | EventBody::InstructionRelayed { id, .. }
            | EventBody::InstructionFeedback { id, .. }
            | EventBody::InstructionChanged { id, .. }
            | EventBody::InstructionChased { id, .. } => Some(id),
            _ => None,
        }
    }

    /// The notice this event concerns, if any.
    pub fn notice(&self) -> Option<&str> {
        match self {
            EventBody::NoticeQueued { notice } => Some(&notice.id),
            EventBody::NoticeAttempted { notice, .. }
            | EventBody::NoticeDelivered { notice, .. }
            | EventBody::NoticeFailed { notice, .. }
            | EventBody::NoticeCalled { notice, .. }
            | EventBody::NoticeAcknowledged { notice, .. }
            | EventBody::NoticeEscalated { notice, .. }
            | EventBody::NoticeClosed { notice, .. } => Some(notice),
            _ => None,
        }
    }

    /// The incident this event concerns, if any.
    pub fn incident(&self) -> Option<&str> {
        match self {
            EventBody::ReportFiled { incident, .. }
            | EventBody::FlagRaised { incident, .. }
            | EventBody::FlagResolved { incident, .. } => Some(incident),
            EventBody::NoticeQueued { notice } => Some(&notice.incident),
            _ => self.notice().map(Notice::incident_of),
        }
    }
}

impl Event {
    /// Builds and seals an event after `prev`: fills in `hash`.
    pub fn seal(
        seq: u64,
        at: DateTime<FixedOffset>,
        officer: &str,
        os_user: &str,
        body: EventBody,
        prev: &str,
    ) -> Event {
        Event::sealed(seq, at, officer, os_user, body, prev).0
    }

    /// [`Event::seal`], with the event's journal line: serialised once, the hash appended to the
    /// prefix it covers (the hash is the last field, so the line is the prefix, the mark, the hash
    /// and `"}`).
    pub fn sealed(
        seq: u64,
        at: DateTime<FixedOffset>,
        officer: &str,
        os_user: &str,
        body: EventBody,
        prev: &str,
    ) -> (Event, String) {
        let mut e = Event {
            seq,
            at,
            officer: officer.to_string(),
            os_user: os_user.to_string(),
            body,
            prev: prev.to_string(),
            hash: String::new(),
        };
        let unsealed = e.to_line();
        let prefix = line_prefix(&unsealed).unwrap_or(&unsealed);
        e.hash = line_hash(prefix);
        let line = format!("{prefix}{HASH_MARK}{}\"}}", e.hash);
        (e, line)
    }

    /// The canonical journal line, without the trailing newline.
    pub fn to_line(&self) -> String {
        // Serialising a struct of strings, numbers and enums cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The bytes of a journal line that its hash covers (everything before `,"hash":"`).
pub fn line_prefix(line: &str) -> Option<&str> {
    line.rfind(HASH_MARK).map(|i| &line[..i])
}

/// The hex SHA-256 of a line prefix.
pub fn line_hash(prefix: &str) -> String {
    hex::encode(Sha256::digest(prefix.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_line_is_the_events_own_line() {
        let at = DateTime::parse_from_rfc3339("2026-12-03T02:05:00+08:00").unwrap();
        let bodies = [
            EventBody::Note {
                text: "引号\"、反斜杠\\ 与 \u{202e}".into(),
            },
            EventBody::StoreCreated { format: 1 },
        ];
        for body in bodies {
            let (e, line) = Event::sealed(7, at, "李明", "duty", body, GENESIS_HASH);
            assert_eq!(line, e.to_line());
        }
    }

    #[test]
    fn sealed_line_hash_covers_prefix() {
        let at = DateTime::parse_from_rfc3339("2026-11-22T02:00:00+08:00").unwrap();
        let e = Event::seal(
            1,
            at,
            "张三",
            "duty",
            EventBody::Note { text: "x".into() },
            GENESIS_HASH,
        );
        let line = e.to_line();
        assert!(line.ends_with(&format!("\"hash\":\"{}\"}}", e.hash)));
        assert_eq!(line_hash(line_prefix(&line).unwrap()), e.hash);
        let back: Event = serde_json::from_str(&line).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.to_line(), line);
    }

    #[test]
    fn a_payload_key_named_hash_does_not_confuse_the_prefix() {
        let at = DateTime::parse_from_rfc3339("2026-11-22T02:00:00+08:00").unwrap();
        let e = Event::seal(
            2,
            at,
            "a",
            "b",
            EventBody::Note {
                text: ",\"hash\":\"deadbeef".into(),
            },
            GENESIS_HASH,
        );
        let line = e.to_line();
        assert_eq!(line_hash(line_prefix(&line).unwrap()), e.hash);
    }
}
