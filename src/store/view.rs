//! A journal line read in place: [`LineView`], the one serde view of the journal's format that
//! borrows its strings from the line. The chain check reads its head (`seq`, `prev`, `hash`;
//! the body as [`IgnoredAny`]); the audit reads [`BodyView`], the parts of the payload it
//! folds, and skips the rest unchecked (the hash covers those bytes). Replay reads the full
//! [`crate::domain::Event`]; field names and defaults here follow it, and a test checks that
//! every line the full decode reads, this view reads to the same audit event.

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset};
use serde::de::{self, IgnoredAny};
use serde::{Deserialize, Deserializer};

use crate::domain::instruction::FeedbackKind;
use crate::domain::{CallOutcome, Level, RecipientKind, ReportKind};
use crate::rules::audit::event::name_hash;
use crate::rules::audit::event::Relayed;
use crate::rules::audit::{AuditBody, AuditEvent};

type At = DateTime<FixedOffset>;

/// An instant as the journal writes it, read by chrono's RFC 3339 parser; any other form
/// chrono's `FromStr` takes (what `Event` reads) is read by that, so that both accept the same
/// lines.
#[derive(Debug, Clone, Copy)]
pub struct Instant(pub At);

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Instant, D::Error> {
        struct Rfc3339;
        impl de::Visitor<'_> for Rfc3339 {
            type Value = Instant;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an RFC 3339 instant")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Instant, E> {
                DateTime::parse_from_rfc3339(s)
                    .or_else(|_| s.parse())
                    .map(Instant)
                    .map_err(E::custom)
            }
        }
        d.deserialize_str(Rfc3339)
    }
}

/// One journal line, its strings borrowed where they need no unescaping; `B` is what is read
/// of the body.
#[derive(Debug, Deserialize)]
pub struct LineView<'a, B> {
    /// The sequence number.
    pub seq: u64,
    /// When.
    pub at: Instant,
    /// The duty officer.
    #[serde(borrow)]
    pub officer: Cow<'a, str>,
    /// The OS account, not read.
    pub os_user: IgnoredAny,
    /// The kind and payload, as far as `B` reads them.
    pub body: B,
    /// The previous event's hash.
    #[serde(borrow)]
    pub prev: Cow<'a, str>,
    /// This event's hash.
    #[serde(borrow)]
    pub hash: Cow<'a, str>,
}

/// A line as the chain check reads it: the body skipped.
pub type HeadView<'a> = LineView<'a, IgnoredAny>;

/// A line as the audit reads it.
pub type AuditLine<'a> = LineView<'a, BodyView<'a>>;

impl<'a, B: Deserialize<'a>> LineView<'a, B> {
    /// Reads a line; the error says why it is not an event.
    pub fn parse(line: &'a [u8]) -> Result<LineView<'a, B>, serde_json::Error> {
        serde_json::from_slice(line)
    }
}

/// The payload of an event as far as the audit reads it; kinds it ignores are
/// [`BodyView::Other`] (an unknown kind is an error, as in the full decode).
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum BodyView<'a> {
    ReportFiled {
        #[serde(borrow)]
        incident: Cow<'a, str>,
        #[serde(borrow)]
        report: ReportView<'a>,
    },
    FlagRaised {
        #[serde(borrow)]
        incident: Cow<'a, str>,
        report: IgnoredAny,
        #[serde(borrow)]
        flag: FlagView<'a>,
    },
    FlagResolved {
        #[serde(borrow)]
        incident: Cow<'a, str>,
        #[serde(borrow)]
        flag: Cow<'a, str>,
        resolution: ResolutionView,
    },
    NoticeQueued {
        #[serde(borrow)]
        notice: QueuedView<'a>,
    },
    NoticeDelivered {
        #[serde(borrow)]
        notice: Cow<'a, str>,
    },
    NoticeCalled {
        #[serde(borrow)]
        notice: Cow<'a, str>,
        outcome: CallOutcome,
    },
    NoticeAcknowledged {
        #[serde(borrow)]
        notice: Cow<'a, str>,
    },
    #[serde(
        alias = "notice_failed",
        alias = "notice_escalated",
        alias = "notice_closed"
    )]
    NoticeAttempted {
        #[serde(borrow)]
        notice: Cow<'a, str>,
    },
    InstructionRecorded {
        #[serde(borrow)]
        id: Cow<'a, str>,
        #[serde(default, borrow)]
        incident: Option<Cow<'a, str>>,
        received_at: Instant,
    },
    InstructionRelayed {
        #[serde(borrow)]
        id: Cow<'a, str>,
        #[serde(borrow)]
        recipients: Vec<RelayedView<'a>>,
    },
    InstructionFeedback {
        #[serde(borrow)]
        id: Cow<'a, str>,
        #[serde(borrow)]
        recipient: Cow<'a, str>,
        feedback_kind: FeedbackKind,
        at: Instant,
    },
    /// Every kind the audit ignores, listed one by one so that an unknown one fails.
    #[serde(
        rename = "store_created",
        alias = "session_started",
        alias = "session_ended",
        alias = "signed_in",
        alias = "instruction_changed",
        alias = "instruction_chased",
        alias = "shift_started",
        alias = "shift_ended",
        alias = "handover_accepted",
        alias = "note"
    )]
    Other(IgnoredAny),
}

/// What the audit reads of a report.
#[derive(Debug, Deserialize)]
pub struct ReportView<'a> {
    pub kind: ReportKind,
    pub received_at: Instant,
    #[serde(default, borrow)]
    pub category: Option<Cow<'a, str>>,
    #[serde(default)]
    pub level: Option<Level>,
    // Required by the full decode, not read.
    #[serde(rename = "seq_in_incident")]
    _seq_in_incident: IgnoredAny,
    #[serde(rename = "summary")]
    _summary: IgnoredAny,
    #[serde(rename = "recorder")]
    _recorder: IgnoredAny,
}

/// What the audit reads of a raised flag.
#[derive(Debug, Deserialize)]
pub struct FlagView<'a> {
    #[serde(default, borrow)]
    pub id: Cow<'a, str>,
}

/// What the audit reads of a flag's resolution.
#[derive(Debug, Deserialize)]
pub struct ResolutionView {
    pub at: Instant,
}

/// What the audit reads of a queued notice.
#[derive(Debug, Deserialize)]
pub struct QueuedView<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow)]
    pub incident: Cow<'a, str>,
    #[serde(borrow)]
    pub recipient: Cow<'a, str>,
    pub recipient_kind: RecipientKind,
    #[serde(default)]
    pub deadline: Option<Instant>,
    #[serde(default)]
    pub parent: Option<IgnoredAny>,
}

/// What the audit reads of one recipient of a relayed instruction.
#[derive(Debug, Deserialize)]
pub struct RelayedView<'a> {
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    pub deadline: Instant,
}

impl AuditLine<'_> {
    /// The event as the audit folds it, its strings borrowed from this view.
    pub fn audit(&self) -> AuditEvent<&str> {
        AuditEvent {
            seq: self.seq,
            at: self.at.0,
            officer: &self.officer,
            prev: &self.prev,
            hash: &self.hash,
            body: self.body.audit(),
        }
    }
}

impl BodyView<'_> {
    /// The payload as the audit folds it.
    pub fn audit(&self) -> AuditBody<&str> {
        match self {
            BodyView::ReportFiled { incident, report } => AuditBody::ReportFiled {
                incident,
                kind: report.kind,
                received_at: report.received_at.0,
                level: report.level,
                category: report.category.as_deref(),
            },
            BodyView::FlagRaised { incident, flag, .. } => AuditBody::FlagRaised {
                incident,
                flag: &flag.id,
            },
            BodyView::FlagResolved {
                incident,
                flag,
                resolution,
            } => AuditBody::FlagResolved {
                incident,
                flag,
                at: resolution.at.0,
            },
            BodyView::NoticeQueued { notice: n } => AuditBody::NoticeQueued {
                id: &n.id,
                incident: &n.incident,
                recipient: name_hash(n.recipient.as_bytes()),
                recipient_kind: n.recipient_kind,
                deadline: n.deadline.map(|d| d.0),
                follow_on: n.parent.is_some(),
            },
            BodyView::NoticeDelivered { notice } => AuditBody::NoticeDelivered { notice },
            BodyView::NoticeCalled { notice, outcome } => AuditBody::NoticeCalled {
                notice,
                outcome: *outcome,
            },
            BodyView::NoticeAcknowledged { notice } => AuditBody::NoticeAcknowledged { notice },
            BodyView::NoticeAttempted { notice } => AuditBody::NoticeOther { notice },
            BodyView::InstructionRecorded {
                id,
                incident,
                received_at,
            } => AuditBody::InstructionRecorded {
                id,
                incident: incident.as_deref(),
                received_at: received_at.0,
            },
            BodyView::InstructionRelayed { id, recipients } => AuditBody::InstructionRelayed {
                id,
                recipients: recipients
                    .iter()
                    .map(|r| Relayed {
                        name: r.name.as_ref(),
                        deadline: r.deadline.0,
                    })
                    .collect(),
            },
            BodyView::InstructionFeedback {
                id,
                recipient,
                feedback_kind,
                at,
            } => AuditBody::InstructionFeedback {
                id,
                recipient,
                kind: *feedback_kind,
                at: at.0,
            },
            BodyView::Other(_) => AuditBody::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Event, EventBody, Report, ReportDraft, GENESIS_HASH};

    /// A sealed first report, as the desk writes it.
    fn report_line() -> String {
        let at: At = "2026-11-22T02:07:36.120+08:00".parse().unwrap();
        let draft = ReportDraft {
            category: Some("fire".into()),
            level: Some(Level::III),
            summary: "据说\"仓库\"起火，\n十几人被困".into(),
            ..ReportDraft::default()
        };
        let body = EventBody::ReportFiled {
            incident: "20261122-001".into(),
            report: Box::new(Report::from_draft(draft, 0, at, "李明")),
        };
        Event::seal(7, at, "李明", "duty", body, GENESIS_HASH).to_line()
    }

    fn audit_of(line: &str) -> Option<AuditEvent<String>> {
        let v = AuditLine::parse(line.as_bytes()).ok()?;
        let e = v.audit();
        Some(owned(&e))
    }

    fn owned(e: &AuditEvent<&str>) -> AuditEvent<String> {
        let s = |s: &str| s.to_string();
        AuditEvent {
            seq: e.seq,
            at: e.at,
            officer: s(e.officer),
            prev: s(e.prev),
            hash: s(e.hash),
            body: match &e.body {
                AuditBody::ReportFiled {
                    incident,
                    kind,
                    received_at,
                    level,
                    category,
                } => AuditBody::ReportFiled {
                    incident: s(incident),
                    kind: *kind,
                    received_at: *received_at,
                    level: *level,
                    category: category.map(s),
                },
                _ => AuditBody::Other,
            },
        }
    }

    #[test]
    fn the_view_reads_a_line_as_the_full_decode_does() {
        let line = report_line();
        let full: Event = serde_json::from_str(&line).unwrap();
        let want = owned(&AuditEvent::from(&full));
        assert_eq!(audit_of(&line), Some(want.clone()));
        // Escapes, whitespace and keys in another order are JSON's business, not the view's.
        let escaped = line.replacen("\"officer\":\"李明\"", "\"officer\":\"李\\u660e\"", 1);
        let spaced = line.replacen("{\"seq\":7", "{ \"seq\" : 7", 1);
        let moved = line.replacen("{\"seq\":7,\"at\":", "{\"at\":", 1).replacen(
            ",\"officer\"",
            ",\"seq\":7,\"officer\"",
            1,
        );
        for l in [escaped, spaced, moved] {
            assert_eq!(audit_of(&l), Some(want.clone()), "{l}");
        }
    }

    #[test]
    fn the_view_refuses_what_is_not_an_event() {
        let line = report_line();
        let cases = [
            (
                "an unknown kind",
                line.replacen("\"kind\":\"report_filed\"", "\"kind\":\"report_filled\"", 1),
            ),
            (
                "a required field missing",
                line.replacen("\"recorder\":\"李明\"", "\"recorder_x\":\"李明\"", 1),
            ),
            (
                "a field given twice",
                line.replacen(
                    "\"category\":\"fire\"",
                    "\"category\":\"fire\",\"category\":\"flood\"",
                    1,
                ),
            ),
            ("bytes after the line", format!("{line}}}")),
            ("a bad instant", line.replacen("T02:07:36", "T25:07:36", 1)),
        ];
        for (what, l) in cases {
            assert_ne!(l, line, "{what}: the case must change the line");
            assert!(audit_of(&l).is_none(), "{what}");
        }
        // What it skips, it does not check (the hash covers those bytes).
        let odd = line.replacen("\"seq_in_incident\":0", "\"seq_in_incident\":\"zero\"", 1);
        assert!(audit_of(&odd).is_some());
        assert!(serde_json::from_str::<Event>(&odd).is_err());
    }

    #[test]
    fn the_head_skips_the_body() {
        let line = report_line();
        let head = HeadView::parse(line.as_bytes()).unwrap();
        assert_eq!(head.seq, 7);
        assert_eq!(head.prev, GENESIS_HASH);
        assert_eq!(head.hash.len(), 64);
    }
}
