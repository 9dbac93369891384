//! What the audit reads of an event: [`AuditEvent`], a light view of one journal line that
//! borrows its strings from the line and keeps only the fields the fold uses (numbers, ids,
//! instants, the report's kind, level and category). Reports' text, reporters, flags' wording,
//! notices' text and every payload of a kind the fold ignores are skipped without being copied.
//!
//! [`AuditEvent::from_line`] reads a canonical journal line (as [`Event::to_line`] writes it)
//! with a cursor that looks only at keys, quotes and brackets: the values the audit uses are
//! read, long texts are skipped with `memchr`. It gives up on anything it is not sure about (a
//! string with escapes, keys in another order, an unknown kind), and the caller then falls back
//! to the full [`Event`] and [`AuditEvent::from`]. Where both decode a line, both give the same
//! view (tested). The light decode does not check the values it skips: a line whose skipped
//! values are malformed (a number where the full decode wants text, a raw control character in
//! a summary) is read, where the full decode would refuse it. The hash chain covers those bytes.

use std::cell::Cell;

use chrono::{DateTime, FixedOffset};
use serde::de::{self, value::BorrowedStrDeserializer};
use serde::Deserialize;

use crate::domain::instruction::FeedbackKind;
use crate::domain::notice::Notice;
use crate::domain::{CallOutcome, Event, EventBody, Level, RecipientKind, ReportKind};

type At = DateTime<FixedOffset>;

/// One event as the audit sees it. Its strings `S` are `&str` borrowed from the line (or from
/// a full [`Event`]); the audit's workers hand them between threads as other types (see
/// [`AuditEvent::map`]).
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

impl<S> AuditEvent<S> {
    /// The same event with each string `s` replaced by `f(s)`: the audit's workers hand
    /// decoded events to the folding thread as spans of their block, not borrowed strings.
    pub fn map<T>(self, f: &mut impl FnMut(S) -> T) -> AuditEvent<T> {
        AuditEvent {
            seq: self.seq,
            at: self.at,
            officer: f(self.officer),
            prev: f(self.prev),
            hash: f(self.hash),
            body: self.body.map(f),
        }
    }
}

impl<S> AuditBody<S> {
    /// The same body with each string `s` replaced by `f(s)`.
    pub fn map<T>(self, f: &mut impl FnMut(S) -> T) -> AuditBody<T> {
        match self {
            AuditBody::ReportFiled {
                incident,
                kind,
                received_at,
                level,
                category,
            } => AuditBody::ReportFiled {
                incident: f(incident),
                kind,
                received_at,
                level,
                category: category.map(f),
            },
            AuditBody::FlagRaised { incident, flag } => AuditBody::FlagRaised {
                incident: f(incident),
                flag: f(flag),
            },
            AuditBody::FlagResolved { incident, flag, at } => AuditBody::FlagResolved {
                incident: f(incident),
                flag: f(flag),
                at,
            },
            AuditBody::NoticeQueued {
                id,
                incident,
                recipient,
                recipient_kind,
                deadline,
                follow_on,
            } => AuditBody::NoticeQueued {
                id: f(id),
                incident: f(incident),
                recipient,
                recipient_kind,
                deadline,
                follow_on,
            },
            AuditBody::NoticeDelivered { notice } => {
                AuditBody::NoticeDelivered { notice: f(notice) }
            }
            AuditBody::NoticeCalled { notice, outcome } => AuditBody::NoticeCalled {
                notice: f(notice),
                outcome,
            },
            AuditBody::NoticeAcknowledged { notice } => {
                AuditBody::NoticeAcknowledged { notice: f(notice) }
            }
            AuditBody::NoticeOther { notice } => AuditBody::NoticeOther { notice: f(notice) },
            AuditBody::InstructionRecorded {
                id,
                incident,
                received_at,
            } => AuditBody::InstructionRecorded {
                id: f(id),
                incident: incident.map(f),
                received_at,
            },
            AuditBody::InstructionRelayed { id, recipients } => AuditBody::InstructionRelayed {
                id: f(id),
                recipients: recipients
                    .into_iter()
                    .map(|r| Relayed {
                        name: f(r.name),
                        deadline: r.deadline,
                    })
                    .collect(),
            },
            AuditBody::InstructionFeedback {
                id,
                recipient,
                kind,
                at,
            } => AuditBody::InstructionFeedback {
                id: f(id),
                recipient: f(recipient),
                kind,
                at,
            },
            AuditBody::Other => AuditBody::Other,
        }
    }
}

impl<'a> AuditEvent<&'a str> {
    /// Decodes a canonical journal line; `None` for anything else (see the module notes).
    pub fn from_line(line: &'a str) -> Option<AuditEvent<&'a str>> {
        light(line.as_bytes())
    }

    /// As [`from_line`](Self::from_line), from the line's bytes, which need not all be UTF-8:
    /// only the strings read must be.
    pub fn from_bytes(line: &'a [u8]) -> Option<AuditEvent<&'a str>> {
        light(line)
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

// ---- the light decode -------------------------------------------------------------------
//
// A cursor over the canonical line: keys in the order `Event::to_line` writes them, no
// whitespace, `prev` and `hash` as 64 hex digits at the end. Required fields follow `Event` and
// the payload types (the full decode's rules): a required field the audit does not use is still
// looked for, and a field given twice fails, as in the full decode. Values the audit does not
// use are skipped by their brackets and quotes, not checked; the hash covers them. Any `None`
// sends the line to the full decode.

/// `,"prev":"` + 64 hex + `","hash":"` + 64 hex + `"}`.
const TAIL: usize = 9 + 64 + 10 + 64 + 2;

fn hex64(s: &[u8]) -> Option<()> {
    let s: &[u8; 64] = s.try_into().ok()?;
    // Without early exit, so that it is done 16 or 32 bytes at a time.
    let bad = s.iter().fold(false, |bad, &c| {
        bad | !(c.is_ascii_digit() | (b'a'..=b'f').contains(&c))
    });
    (!bad).then_some(())
}

/// The `prev` and `hash` of a line that ends as a canonical one does (`,"prev":"` + 64 hex +
/// `","hash":"` + 64 hex + `"}`); `None` otherwise. Every line the light decode reads ends so:
/// this finds them there again without decoding the line.
pub fn chain_tail(line: &[u8]) -> Option<(&str, &str)> {
    let cut = line.len().checked_sub(TAIL)?;
    let tail = line[cut..]
        .strip_prefix(b",\"prev\":\"")?
        .strip_suffix(b"\"}")?;
    let (prev, hash) = (
        tail.get(..64)?,
        tail.get(64..)?.strip_prefix(b"\",\"hash\":\"")?,
    );
    hex64(prev)?;
    hex64(hash)?;
    // Hex digits are ASCII: one check for both.
    let both = std::str::from_utf8(tail).ok()?;
    Some((both.get(..64)?, both.get(both.len() - 64..)?))
}

/// Reads a canonical line; `None` for anything else.
fn light(line: &[u8]) -> Option<AuditEvent<&str>> {
    let (prev, hash) = chain_tail(line)?;
    let head = &line[..line.len() - TAIL];
    let mut s = Scan { s: head, i: 0 };
    s.eat("{\"seq\":")?;
    let seq = s.u64()?;
    s.eat(",\"at\":")?;
    let at = s.instant()?;
    s.eat(",\"officer\":")?;
    let officer = s.str()?;
    s.eat(",\"os_user\":")?;
    s.text()?;
    s.eat(",\"body\":{\"kind\":")?;
    let kind = s.key()?;
    s.eat(",\"payload\":")?;
    let body = payload(&mut s, kind)?;
    s.byte(b'}')?;
    (s.i == head.len()).then_some(AuditEvent {
        seq,
        at,
        officer,
        prev,
        hash,
        body,
    })
}

/// Fills a slot once: `None` (a failed read, or the key given twice) fails the line.
fn once<T>(slot: &mut Option<T>, value: Option<T>) -> Option<bool> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value?);
    Some(true)
}

fn payload<'a>(s: &mut Scan<'a>, kind: &[u8]) -> Option<AuditBody<&'a str>> {
    let body = match kind {
        b"report_filed" => {
            let (mut incident, mut report) = (None, None);
            s.object(|s, k| match k {
                b"incident" => once(&mut incident, s.str()),
                b"report" => once(&mut report, light_report(s)),
                _ => Some(false),
            })?;
            let (kind, received_at, category, level) = report?;
            AuditBody::ReportFiled {
                incident: incident?,
                kind,
                received_at,
                level,
                category,
            }
        }
        b"flag_raised" => {
            let (mut incident, mut report, mut flag) = (None, None, None);
            s.object(|s, k| match k {
                b"incident" => once(&mut incident, s.str()),
                b"report" => once(&mut report, s.skip()),
                b"flag" => {
                    let mut id = None;
                    s.object(|s, k| match k {
                        b"id" => once(&mut id, s.str()),
                        _ => Some(false),
                    })?;
                    once(&mut flag, id)
                }
                _ => Some(false),
            })?;
            report?;
            AuditBody::FlagRaised {
                incident: incident?,
                flag: flag?,
            }
        }
        b"flag_resolved" => {
            let (mut incident, mut flag, mut at) = (None, None, None);
            s.object(|s, k| match k {
                b"incident" => once(&mut incident, s.str()),
                b"flag" => once(&mut flag, s.str()),
                b"resolution" => {
                    let mut when = None;
                    s.object(|s, k| match k {
                        b"at" => once(&mut when, s.instant()),
                        _ => Some(false),
                    })?;
                    once(&mut at, when)
                }
                _ => Some(false),
            })?;
            AuditBody::FlagResolved {
                incident: incident?,
                flag: flag?,
                at: at?,
            }
        }
        b"notice_queued" => {
            let mut notice = None;
            s.object(|s, k| match k {
                b"notice" => once(&mut notice, queued_notice(s)),
                _ => Some(false),
            })?;
            notice?
        }
        b"notice_delivered" => AuditBody::NoticeDelivered {
            notice: notice_id(s)?,
        },
        b"notice_acknowledged" => AuditBody::NoticeAcknowledged {
            notice: notice_id(s)?,
        },
        b"notice_attempted" | b"notice_failed" | b"notice_escalated" | b"notice_closed" => {
            AuditBody::NoticeOther {
                notice: notice_id(s)?,
            }
        }
        b"notice_called" => {
            let (mut notice, mut outcome) = (None, None);
            s.object(|s, k| match k {
                b"notice" => once(&mut notice, s.str()),
                b"outcome" => once(&mut outcome, s.unit()),
                _ => Some(false),
            })?;
            AuditBody::NoticeCalled {
                notice: notice?,
                outcome: outcome?,
            }
        }
        b"instruction_recorded" => {
            let (mut id, mut incident, mut received_at) = (None, None, None);
            s.object(|s, k| match k {
                b"id" => once(&mut id, s.str()),
                b"incident" => once(&mut incident, s.nullable(Scan::str)),
                b"received_at" => once(&mut received_at, s.instant()),
                _ => Some(false),
            })?;
            AuditBody::InstructionRecorded {
                id: id?,
                incident: incident.flatten(),
                received_at: received_at?,
            }
        }
        b"instruction_relayed" => {
            let (mut id, mut recipients) = (None, None);
            s.object(|s, k| match k {
                b"id" => once(&mut id, s.str()),
                b"recipients" => once(&mut recipients, s.array(relayed)),
                _ => Some(false),
            })?;
            AuditBody::InstructionRelayed {
                id: id?,
                recipients: recipients?,
            }
        }
        b"instruction_feedback" => {
            let (mut id, mut recipient, mut kind, mut at) = (None, None, None, None);
            s.object(|s, k| match k {
                b"id" => once(&mut id, s.str()),
                b"recipient" => once(&mut recipient, s.str()),
                b"feedback_kind" => once(&mut kind, s.unit()),
                b"at" => once(&mut at, s.instant()),
                _ => Some(false),
            })?;
            AuditBody::InstructionFeedback {
                id: id?,
                recipient: recipient?,
                kind: kind?,
                at: at?,
            }
        }
        // Listed one by one, as in `AuditBody::from`: an unknown kind is the full decode's.
        b"store_created"
        | b"session_started"
        | b"session_ended"
        | b"signed_in"
        | b"instruction_changed"
        | b"instruction_chased"
        | b"shift_started"
        | b"shift_ended"
        | b"handover_accepted"
        | b"note" => {
            s.skip()?;
            AuditBody::Other
        }
        _ => return None,
    };
    Some(body)
}

/// What the audit reads of a report: kind, received, category, level.
type LightReport<'a> = (ReportKind, At, Option<&'a str>, Option<Level>);

fn light_report<'a>(s: &mut Scan<'a>) -> Option<LightReport<'a>> {
    let (mut kind, mut seq, mut received_at) = (None, None, None);
    let (mut category, mut level, mut summary, mut recorder) = (None, None, None, None);
    s.object(|s, k| match k {
        b"kind" => once(&mut kind, s.unit()),
        b"seq_in_incident" => once(&mut seq, s.skip()),
        b"received_at" => once(&mut received_at, s.instant()),
        b"category" => once(&mut category, s.nullable(Scan::str)),
        b"level" => once(&mut level, s.nullable(Scan::unit)),
        b"summary" => once(&mut summary, s.skip()),
        b"recorder" => once(&mut recorder, s.skip()),
        _ => Some(false),
    })?;
    seq.zip(summary).zip(recorder)?;
    Some((kind?, received_at?, category.flatten(), level.flatten()))
}

fn queued_notice<'a>(s: &mut Scan<'a>) -> Option<AuditBody<&'a str>> {
    let (mut id, mut incident, mut recipient, mut recipient_kind) = (None, None, None, None);
    let (mut deadline, mut parent) = (None, None);
    s.object(|s, k| match k {
        b"id" => once(&mut id, s.str()),
        b"incident" => once(&mut incident, s.str()),
        // Compared, never shown: hashed as it stands (a name with escapes is the full
        // decode's, as is every string the light decode reads).
        b"recipient" => once(&mut recipient, s.key().map(name_hash)),
        b"recipient_kind" => once(&mut recipient_kind, s.unit()),
        b"deadline" => once(&mut deadline, s.nullable(Scan::instant)),
        b"parent" => once(&mut parent, s.nullable(Scan::skip)),
        _ => Some(false),
    })?;
    Some(AuditBody::NoticeQueued {
        id: id?,
        incident: incident?,
        recipient: recipient?,
        recipient_kind: recipient_kind?,
        deadline: deadline.flatten(),
        follow_on: parent.flatten().is_some(),
    })
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

fn notice_id<'a>(s: &mut Scan<'a>) -> Option<&'a str> {
    let mut notice = None;
    s.object(|s, k| match k {
        b"notice" => once(&mut notice, s.str()),
        _ => Some(false),
    })?;
    notice
}

fn relayed<'a>(s: &mut Scan<'a>) -> Option<Relayed<&'a str>> {
    let (mut name, mut deadline) = (None, None);
    s.object(|s, k| match k {
        b"name" => once(&mut name, s.str()),
        b"deadline" => once(&mut deadline, s.instant()),
        _ => Some(false),
    })?;
    Some(Relayed {
        name: name?,
        deadline: deadline?,
    })
}

/// Where the string starting `rest` ends: the first `"` or `\\` (short strings, most of those
/// the audit reads, are looked through byte by byte; long ones with `memchr`).
fn quote(rest: &[u8]) -> Option<usize> {
    let head = rest.len().min(24);
    match rest[..head].iter().position(|&c| c == b'"' || c == b'\\') {
        Some(n) => Some(n),
        None => memchr::memchr2(b'"', b'\\', &rest[head..]).map(|n| n + head),
    }
}

/// A cursor over JSON without whitespace. The line's bytes are not checked as UTF-8 as a
/// whole (the hash covers them); each string read is.
struct Scan<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Scan<'a> {
    fn rest(&self) -> &'a [u8] {
        self.s.get(self.i..).unwrap_or_default()
    }

    fn byte(&mut self, c: u8) -> Option<()> {
        (self.s.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    fn eat(&mut self, lit: &str) -> Option<()> {
        self.rest()
            .starts_with(lit.as_bytes())
            .then(|| self.i += lit.len())
    }

    /// A string without escapes or control characters (one with them is the full decode's).
    fn str(&mut self) -> Option<&'a str> {
        self.byte(b'"')?;
        let rest = self.rest();
        let n = quote(rest)?;
        if rest[n] != b'"' || rest[..n].iter().fold(false, |bad, &c| bad | (c < 0x20)) {
            return None;
        }
        let out = std::str::from_utf8(&rest[..n]).ok()?;
        self.i += n + 1;
        Some(out)
    }

    /// A key without escapes, as bytes (compared with the keys the audit knows, not read).
    fn key(&mut self) -> Option<&'a [u8]> {
        self.byte(b'"')?;
        let rest = self.rest();
        let n = quote(rest)?;
        if rest[n] != b'"' {
            return None;
        }
        self.i += n + 1;
        Some(&rest[..n])
    }

    /// A string, skipped.
    fn text(&mut self) -> Option<()> {
        (self.rest().first() == Some(&b'"')).then_some(())?;
        self.skip_str()
    }

    /// A number without sign, fraction or leading zero.
    fn u64(&mut self) -> Option<u64> {
        let rest = self.rest();
        let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || (n > 1 && rest[0] == b'0') {
            return None;
        }
        let v = std::str::from_utf8(&rest[..n]).ok()?.parse().ok()?;
        self.i += n;
        Some(v)
    }

    /// An instant. Events written together carry the same one: the last read on this thread
    /// is kept and not parsed again.
    fn instant(&mut self) -> Option<At> {
        thread_local!(static LAST: Cell<([u8; 40], usize, Option<At>)> = const { Cell::new(([0; 40], 0, None)) });
        // A key: no escapes; the fast parser reads digits and punctuation only.
        let s = self.key()?;
        let (mut key, len, at) = LAST.get();
        if let Some(at) = at.filter(|_| key.get(..len) == Some(s)) {
            return Some(at);
        }
        let at = match fast_rfc3339(s) {
            Some(at) => at,
            None => std::str::from_utf8(s).ok()?.parse().ok()?,
        };
        if let Some(k) = key.get_mut(..s.len()) {
            k.copy_from_slice(s);
            LAST.set((key, s.len(), Some(at)));
        }
        Some(at)
    }

    /// A unit variant of a `snake_case` enum, by its serde name.
    fn unit<T: Deserialize<'a>>(&mut self) -> Option<T> {
        let s = self.str()?;
        T::deserialize(BorrowedStrDeserializer::<de::value::Error>::new(s)).ok()
    }

    /// `null`, or what `read` reads.
    fn nullable<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.eat("null").is_some() {
            return Some(None);
        }
        read(self).map(Some)
    }

    /// Any value, by its brackets and quotes.
    fn skip(&mut self) -> Option<()> {
        match *self.rest().first()? {
            b'"' => self.skip_str(),
            b'{' | b'[' => {
                self.i += 1;
                self.rest_of_object()
            }
            _ => {
                let n = self
                    .rest()
                    .iter()
                    .position(|c| matches!(c, b',' | b'}' | b']'))?;
                (n > 0).then(|| self.i += n)
            }
        }
    }

    fn skip_str(&mut self) -> Option<()> {
        self.i += 1;
        loop {
            let rest = self.rest();
            let n = memchr::memchr2(b'"', b'\\', rest)?;
            self.i += n + if rest[n] == b'\\' { 2 } else { 1 };
            if rest[n] == b'"' {
                return Some(());
            }
        }
    }

    /// An object: `field` reads a key's value and says `true`, or says `false` to have it
    /// skipped; `None` fails.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a [u8]) -> Option<bool>) -> Option<()> {
        self.byte(b'{')?;
        if self.byte(b'}').is_some() {
            return Some(());
        }
        loop {
            let key = self.key()?;
            self.byte(b':')?;
            if !field(self, key)? {
                self.skip()?;
            }
            if self.byte(b',').is_none() {
                return self.byte(b'}');
            }
        }
    }

    /// After a value inside an object: on past the object's closing brace.
    fn rest_of_object(&mut self) -> Option<()> {
        let mut depth = 1usize;
        loop {
            match *self.rest().first()? {
                b'"' => {
                    self.skip_str()?;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        self.i += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
    }

    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.byte(b'[')?;
        let mut out = Vec::new();
        if self.byte(b']').is_some() {
            return Some(out);
        }
        loop {
            out.push(item(self)?);
            if self.byte(b',').is_none() {
                self.byte(b']')?;
                return Some(out);
            }
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,9}](+|-)HH:MM` or `…Z`, as chrono writes instants; `None` for
/// anything else (leap seconds included), which is then left to chrono's own parser.
fn fast_rfc3339(b: &[u8]) -> Option<At> {
    use chrono::{NaiveDate, NaiveTime};
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
            // Offset minutes past 59 are refused, as chrono's parser does.
            let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if om > 59 {
                return None;
            }
            let secs = (oh * 3600 + om * 60) as i32;
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
    // A fixed offset maps every local time to one instant (what `and_local_timezone` finds
    // the long way round).
    Some(DateTime::from_naive_utc_and_offset(
        local.checked_sub_offset(offset)?,
        offset,
    ))
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
                if let Some(fast) = fast_rfc3339(s.as_bytes()) {
                    prop_assert_eq!(Some(fast), chrono, "{}", s);
                    prop_assert_eq!(Some(*fast.offset()), chrono.map(|c| *c.offset()));
                }
            }
        }

        #[test]
        fn the_fast_instant_parser_refuses_what_chrono_refuses(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,10})?([+-][0-9]{2}:[0-9]{2}|Z|z)?") {
            let chrono: Option<At> = s.parse().ok();
            if let Some(fast) = fast_rfc3339(s.as_bytes()) {
                prop_assert_eq!(Some(fast), chrono);
            }
        }
    }

    /// A sealed first report, as the desk writes it.
    fn report_line() -> String {
        use crate::domain::{Report, ReportDraft, GENESIS_HASH};
        let at: At = "2026-11-22T02:07:36.120+08:00".parse().unwrap();
        let draft = ReportDraft {
            category: Some("fire".into()),
            level: Some(Level::III),
            summary: "据说\"仓库\"起火，\n十几人被困".into(),
            ..ReportDraft::default()
        };
        let body = EventBody::ReportFiled {
            incident: "20261122-001".into(),
            report: Report::from_draft(draft, 0, at, "李明"),
        };
        Event::seal(7, at, "李明", "duty", body, GENESIS_HASH).to_line()
    }

    #[test]
    fn the_light_decode_reads_the_canonical_line_as_the_full_decode() {
        let line = report_line();
        let full: Event = serde_json::from_str(&line).unwrap();
        assert_eq!(AuditEvent::from_line(&line), Some(AuditEvent::from(&full)));
        // Invalid UTF-8 in a skipped text is the hash's business, not the decode's.
        let mut bytes = line.clone().into_bytes();
        let at = line.find("十几人").unwrap();
        bytes[at] = 0xff;
        assert_eq!(
            AuditEvent::from_bytes(&bytes),
            Some(AuditEvent::from(&full))
        );
    }

    #[test]
    fn the_light_decode_leaves_what_it_is_not_sure_of_to_the_full_decode() {
        let line = report_line();
        let cases: [(&str, String); 10] = [
            (
                "keys in another order",
                line.replacen("{\"seq\":7,\"at\":", "{\"at\":", 1).replacen(
                    ",\"officer\"",
                    ",\"seq\":7,\"officer\"",
                    1,
                ),
            ),
            (
                "an escape in a string it reads",
                line.replacen("\"officer\":\"李明\"", "\"officer\":\"李\\u660e\"", 1),
            ),
            (
                "a field given twice",
                line.replacen(
                    "\"category\":\"fire\"",
                    "\"category\":\"fire\",\"category\":\"flood\"",
                    1,
                ),
            ),
            (
                "a required field missing",
                line.replacen("\"recorder\":\"李明\"", "\"recorder_x\":\"李明\"", 1),
            ),
            (
                "an unknown kind",
                line.replacen("\"kind\":\"report_filed\"", "\"kind\":\"report_filled\"", 1),
            ),
            ("bytes after the hash", format!("{line} ")),
            (
                "a hash in capitals",
                line.replacen(
                    &line[line.len() - 66..line.len() - 2],
                    &line[line.len() - 66..line.len() - 2].to_uppercase(),
                    1,
                ),
            ),
            ("whitespace", line.replacen("{\"seq\":7", "{ \"seq\":7", 1)),
            (
                "a leading zero",
                line.replacen("{\"seq\":7", "{\"seq\":07", 1),
            ),
            (
                "a raw control character in a string it reads",
                line.replacen(
                    "\"incident\":\"20261122-001\"",
                    "\"incident\":\"20261122\t001\"",
                    1,
                ),
            ),
        ];
        for (what, l) in cases {
            assert_ne!(l, line, "{what}: the case must change the line");
            assert_eq!(AuditEvent::from_line(&l), None, "{what}");
        }
        // What it skips, it does not check.
        let odd = line.replacen("\"seq_in_incident\":0", "\"seq_in_incident\":\"zero\"", 1);
        assert!(AuditEvent::from_line(&odd).is_some());
        assert!(serde_json::from_str::<Event>(&odd).is_err());
    }

    #[test]
    fn the_journal_shape_is_read_fast() {
        for s in [
            "2026-11-23T02:07:36.120+08:00",
            "2026-03-29T01:30:00+00:00",
            "2026-01-01T00:00:00Z",
        ] {
            assert_eq!(fast_rfc3339(s.as_bytes()), s.parse().ok(), "{s}");
            assert!(fast_rfc3339(s.as_bytes()).is_some());
        }
        assert_eq!(fast_rfc3339(b"2016-12-31T23:59:60+00:00"), None); // a leap second: chrono's
    }
}
