//! What the audit reads of an event: [`AuditEvent`], a light view of one journal line that
//! borrows its strings from the line and keeps only the fields the fold uses (numbers, ids,
//! instants, the report's kind, level and category). Reports' text, reporters, flags' wording,
//! notices' text and every payload of a kind the fold ignores are skipped without being copied.
//!
//! [`AuditEvent::from_line`] decodes a canonical journal line (as [`Event::to_line`] writes it);
//! it fails on anything it is not sure about (a string with escapes, `payload` before `kind`,
//! an unknown kind), and the caller then falls back to the full [`Event`] and
//! [`AuditEvent::from`]. Where both decode a line, both give the same view (tested). The light
//! decode does not check the fields it skips: a line whose skipped fields are malformed but
//! whose JSON is well formed is read, where the full decode would refuse it.

use std::fmt;

use chrono::{DateTime, FixedOffset};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use crate::domain::instruction::FeedbackKind;
use crate::domain::notice::Notice;
use crate::domain::{CallOutcome, Event, EventBody, Level, RecipientKind, ReportKind};

type At = DateTime<FixedOffset>;

/// One event as the audit sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent<'a> {
    /// The sequence number.
    pub seq: u64,
    /// When.
    pub at: At,
    /// The duty officer.
    pub officer: &'a str,
    /// The previous event's hash.
    pub prev: &'a str,
    /// This event's hash.
    pub hash: &'a str,
    /// What the audit needs of the payload.
    pub body: AuditBody<'a>,
}

/// One recipient of a relayed instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relayed<'a> {
    /// Department, region or person.
    pub name: &'a str,
    /// Feedback due by then.
    pub deadline: At,
}

/// The parts of an event's payload the audit uses; kinds it ignores are [`AuditBody::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditBody<'a> {
    /// `report_filed`.
    ReportFiled {
        /// The incident number.
        incident: &'a str,
        /// First, follow-up or final.
        kind: ReportKind,
        /// When the desk received it.
        received_at: At,
        /// The level, if graded.
        level: Option<Level>,
        /// The category key, if stated.
        category: Option<&'a str>,
    },
    /// `flag_raised`.
    FlagRaised {
        /// The incident number.
        incident: &'a str,
        /// The flag's id.
        flag: &'a str,
    },
    /// `flag_resolved`.
    FlagResolved {
        /// The incident number.
        incident: &'a str,
        /// The flag's id.
        flag: &'a str,
        /// When it was resolved.
        at: At,
    },
    /// `notice_queued`.
    NoticeQueued {
        /// The notice id.
        id: &'a str,
        /// The incident number.
        incident: &'a str,
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
        notice: &'a str,
    },
    /// `notice_called`.
    NoticeCalled {
        /// The notice id.
        notice: &'a str,
        /// What the officer heard.
        outcome: CallOutcome,
    },
    /// `notice_acknowledged`.
    NoticeAcknowledged {
        /// The notice id.
        notice: &'a str,
    },
    /// `notice_attempted`, `notice_failed`, `notice_escalated`: they end no stage, but concern
    /// the notice's incident.
    NoticeOther {
        /// The notice id.
        notice: &'a str,
    },
    /// `instruction_recorded`.
    InstructionRecorded {
        /// The instruction id.
        id: &'a str,
        /// The incident it concerns, if any.
        incident: Option<&'a str>,
        /// When the desk received it.
        received_at: At,
    },
    /// `instruction_relayed`.
    InstructionRelayed {
        /// The instruction id.
        id: &'a str,
        /// Who, answer by when.
        recipients: Vec<Relayed<'a>>,
    },
    /// `instruction_feedback`.
    InstructionFeedback {
        /// The instruction id.
        id: &'a str,
        /// Who answered.
        recipient: &'a str,
        /// Progress or final.
        kind: FeedbackKind,
        /// When they said it.
        at: At,
    },
    /// Any other kind: the audit ignores it.
    Other,
}

impl AuditBody<'_> {
    /// The incident this event concerns, if any (as [`EventBody::incident`]).
    pub fn incident(&self) -> Option<&str> {
        match self {
            AuditBody::ReportFiled { incident, .. }
            | AuditBody::FlagRaised { incident, .. }
            | AuditBody::FlagResolved { incident, .. }
            | AuditBody::NoticeQueued { incident, .. } => Some(incident),
            AuditBody::NoticeDelivered { notice }
            | AuditBody::NoticeCalled { notice, .. }
            | AuditBody::NoticeAcknowledged { notice }
            | AuditBody::NoticeOther { notice } => Some(Notice::incident_of(notice)),
            AuditBody::InstructionRecorded { .. }
            | AuditBody::InstructionRelayed { .. }
            | AuditBody::InstructionFeedback { .. }
            | AuditBody::Other => None,
        }
    }
}

impl<'a> AuditEvent<'a> {
    /// Decodes a canonical journal line; `Err` for anything else (see the module notes).
    pub fn from_line(line: &'a str) -> Result<AuditEvent<'a>, serde_json::Error> {
        let l: Line<'a> = serde_json::from_str(line)?;
        Ok(AuditEvent {
            seq: l.seq,
            at: l.at.0,
            officer: l.officer,
            prev: l.prev,
            hash: l.hash,
            body: l.body,
        })
    }
}

impl<'a> From<&'a Event> for AuditEvent<'a> {
    fn from(e: &'a Event) -> AuditEvent<'a> {
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

impl<'a> From<&'a EventBody> for AuditBody<'a> {
    fn from(b: &'a EventBody) -> AuditBody<'a> {
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
            | EventBody::NoticeEscalated { notice, .. } => AuditBody::NoticeOther { notice },
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
                        name: &r.name,
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

// ---- the light decode -------------------------------------------------------------------
//
// Field names and required fields follow `Event` and the payload types; fields the audit does
// not use but that the full decode requires are kept as `IgnoredAny` so that their absence still
// fails. `&'a str` fails on a string with escapes: the caller falls back to the full decode.

#[derive(Deserialize)]
struct Line<'a> {
    seq: u64,
    at: Instant,
    officer: &'a str,
    #[serde(rename = "os_user")]
    _os_user: &'a str,
    #[serde(borrow)]
    body: AuditBody<'a>,
    prev: &'a str,
    hash: &'a str,
}

#[derive(Deserialize)]
struct ReportFiled<'a> {
    incident: &'a str,
    #[serde(borrow)]
    report: LightReport<'a>,
}

#[derive(Deserialize)]
struct LightReport<'a> {
    kind: ReportKind,
    #[serde(rename = "seq_in_incident")]
    _seq_in_incident: IgnoredAny,
    received_at: Instant,
    #[serde(default, borrow)]
    category: Option<&'a str>,
    #[serde(default)]
    level: Option<Level>,
    #[serde(rename = "summary")]
    _summary: IgnoredAny,
    #[serde(rename = "recorder")]
    _recorder: IgnoredAny,
}

#[derive(Deserialize)]
struct FlagRaised<'a> {
    incident: &'a str,
    #[serde(rename = "report")]
    _report: IgnoredAny,
    #[serde(borrow)]
    flag: FlagId<'a>,
}

#[derive(Deserialize)]
struct FlagId<'a> {
    id: &'a str,
}

#[derive(Deserialize)]
struct FlagResolved<'a> {
    incident: &'a str,
    flag: &'a str,
    resolution: ResolvedAt,
}

#[derive(Deserialize)]
struct ResolvedAt {
    at: Instant,
}

#[derive(Deserialize)]
struct NoticeQueued<'a> {
    #[serde(borrow)]
    notice: QueuedNotice<'a>,
}

#[derive(Deserialize)]
struct QueuedNotice<'a> {
    id: &'a str,
    incident: &'a str,
    recipient_kind: RecipientKind,
    #[serde(default)]
    deadline: Option<Instant>,
    #[serde(default)]
    parent: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct NoticeId<'a> {
    notice: &'a str,
}

#[derive(Deserialize)]
struct NoticeCalled<'a> {
    notice: &'a str,
    outcome: CallOutcome,
}

#[derive(Deserialize)]
struct InstructionRecorded<'a> {
    id: &'a str,
    #[serde(default, borrow)]
    incident: Option<&'a str>,
    received_at: Instant,
}

#[derive(Deserialize)]
struct InstructionRelayed<'a> {
    id: &'a str,
    #[serde(borrow)]
    recipients: Vec<LightRelayed<'a>>,
}

#[derive(Deserialize)]
struct LightRelayed<'a> {
    name: &'a str,
    deadline: Instant,
}

impl<'a> From<LightRelayed<'a>> for Relayed<'a> {
    fn from(r: LightRelayed<'a>) -> Relayed<'a> {
        Relayed {
            name: r.name,
            deadline: r.deadline.0,
        }
    }
}

#[derive(Deserialize)]
struct InstructionFeedback<'a> {
    id: &'a str,
    recipient: &'a str,
    feedback_kind: FeedbackKind,
    at: Instant,
}

impl<'de: 'a, 'a> Deserialize<'de> for AuditBody<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(BodyVisitor(std::marker::PhantomData))
    }
}

struct BodyVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for BodyVisitor<'a> {
    type Value = AuditBody<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an event body: `kind`, then `payload`")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        if map.next_key::<&str>()? != Some("kind") {
            return Err(de::Error::custom("the light decode wants `kind` first"));
        }
        let kind: &str = map.next_value()?;
        if map.next_key::<&str>()? != Some("payload") {
            return Err(de::Error::custom("the light decode wants `payload` second"));
        }
        let body = match kind {
            "report_filed" => {
                let p: ReportFiled = map.next_value()?;
                AuditBody::ReportFiled {
                    incident: p.incident,
                    kind: p.report.kind,
                    received_at: p.report.received_at.0,
                    level: p.report.level,
                    category: p.report.category,
                }
            }
            "flag_raised" => {
                let p: FlagRaised = map.next_value()?;
                AuditBody::FlagRaised {
                    incident: p.incident,
                    flag: p.flag.id,
                }
            }
            "flag_resolved" => {
                let p: FlagResolved = map.next_value()?;
                AuditBody::FlagResolved {
                    incident: p.incident,
                    flag: p.flag,
                    at: p.resolution.at.0,
                }
            }
            "notice_queued" => {
                let NoticeQueued { notice: n } = map.next_value()?;
                AuditBody::NoticeQueued {
                    id: n.id,
                    incident: n.incident,
                    recipient_kind: n.recipient_kind,
                    deadline: n.deadline.map(|d| d.0),
                    follow_on: n.parent.is_some(),
                }
            }
            "notice_delivered" => AuditBody::NoticeDelivered {
                notice: map.next_value::<NoticeId>()?.notice,
            },
            "notice_called" => {
                let p: NoticeCalled = map.next_value()?;
                AuditBody::NoticeCalled {
                    notice: p.notice,
                    outcome: p.outcome,
                }
            }
            "notice_acknowledged" => AuditBody::NoticeAcknowledged {
                notice: map.next_value::<NoticeId>()?.notice,
            },
            "notice_attempted" | "notice_failed" | "notice_escalated" => AuditBody::NoticeOther {
                notice: map.next_value::<NoticeId>()?.notice,
            },
            "instruction_recorded" => {
                let p: InstructionRecorded = map.next_value()?;
                AuditBody::InstructionRecorded {
                    id: p.id,
                    incident: p.incident,
                    received_at: p.received_at.0,
                }
            }
            "instruction_relayed" => {
                let p: InstructionRelayed = map.next_value()?;
                AuditBody::InstructionRelayed {
                    id: p.id,
                    recipients: p.recipients.into_iter().map(Relayed::from).collect(),
                }
            }
            "instruction_feedback" => {
                let p: InstructionFeedback = map.next_value()?;
                AuditBody::InstructionFeedback {
                    id: p.id,
                    recipient: p.recipient,
                    kind: p.feedback_kind,
                    at: p.at.0,
                }
            }
            "store_created"
            | "session_started"
            | "session_ended"
            | "signed_in"
            | "instruction_changed"
            | "instruction_chased"
            | "shift_started"
            | "shift_ended"
            | "handover_accepted"
            | "note" => {
                map.next_value::<IgnoredAny>()?;
                AuditBody::Other
            }
            other => return Err(de::Error::custom(format!("unknown event kind {other:?}"))),
        };
        if map.next_key::<IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(
                "the light decode wants only `kind` and `payload`",
            ));
        }
        Ok(body)
    }
}

/// An RFC 3339 instant as chrono reads it, read faster when it has the journal's own shape.
struct Instant(At);

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: &str = Deserialize::deserialize(d)?;
        match fast_rfc3339(s) {
            Some(t) => Ok(Instant(t)),
            None => s.parse().map(Instant).map_err(de::Error::custom),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,9}](+|-)HH:MM` or `…Z`, as chrono writes instants; `None` for
/// anything else (leap seconds included), which is then left to chrono's own parser.
fn fast_rfc3339(s: &str) -> Option<At> {
    use chrono::{NaiveDate, NaiveTime};
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let punct = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if b.len() < 20 || punct.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 2)?, num(8, 2)?)?;
    let (h, m, sec) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if sec > 59 {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b[i] == b'.' {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) {
            return None;
        }
        nanos = num(i + 1, digits)? * 10u32.pow(9 - digits as u32);
        i += 1 + digits;
    }
    let offset = match (b.get(i), b.len() - i) {
        (Some(b'Z'), 1) => 0,
        (Some(&sign @ (b'+' | b'-')), 6) if b[i + 3] == b':' => {
            let secs = (num(i + 1, 2)? * 3600 + num(i + 4, 2)? * 60) as i32;
            if sign == b'-' {
                -secs
            } else {
                secs
            }
        }
        _ => return None,
    };
    let offset = FixedOffset::east_opt(offset)?;
    let local = date.and_time(NaiveTime::from_hms_nano_opt(h, m, sec, nanos)?);
    local.and_local_timezone(offset).single()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::SecondsFormat;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_fast_instant_parser_agrees_with_chrono(
            secs in -62_000_000_000i64..250_000_000_000,
            nanos in prop_oneof![Just(0u32), Just(120_000_000), 0u32..1_000_000_000],
            offset_min in -(23 * 60 + 59)..=(23 * 60 + 59),
            form in 0usize..4,
        ) {
            let offset = FixedOffset::east_opt(offset_min * 60).unwrap();
            let t = DateTime::from_timestamp(secs, nanos).unwrap().with_timezone(&offset);
            let f = [SecondsFormat::AutoSi, SecondsFormat::Secs, SecondsFormat::Millis, SecondsFormat::Nanos][form];
            for s in [t.to_rfc3339_opts(f, true), t.to_rfc3339_opts(f, false), serde_json::to_string(&t).unwrap().trim_matches('"').to_string()] {
                let chrono: Option<At> = s.parse().ok();
                if let Some(fast) = fast_rfc3339(&s) {
                    prop_assert_eq!(Some(fast), chrono, "{}", s);
                    prop_assert_eq!(Some(*fast.offset()), chrono.map(|c| *c.offset()));
                }
            }
        }

        #[test]
        fn the_fast_instant_parser_refuses_what_chrono_refuses(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,10})?([+-][0-9]{2}:[0-9]{2}|Z|z)?") {
            let chrono: Option<At> = s.parse().ok();
            if let Some(fast) = fast_rfc3339(&s) {
                prop_assert_eq!(Some(fast), chrono);
            }
        }
    }

    #[test]
    fn the_journal_shape_is_read_fast() {
        for s in [
            "2026-11-23T02:07:36.120+08:00",
            "2026-03-29T01:30:00+00:00",
            "2026-01-01T00:00:00Z",
        ] {
            assert_eq!(fast_rfc3339(s), s.parse().ok(), "{s}");
            assert!(fast_rfc3339(s).is_some());
        }
        assert_eq!(fast_rfc3339("2016-12-31T23:59:60+00:00"), None); // a leap second: chrono's
    }
}
