//! Audit intervals: for each incident, how long each stage took, from the log alone.
//!
//! [`IntervalFold`] reads events in log order and keeps one small `Track` per incident; at the
//! end it turns tracks into [`Interval`]s. Durations come from UTC instants through
//! [`crate::clock::elapsed`]: a wall clock that stepped back gives zero, never a negative time,
//! and DST folds and gaps change nothing. Pure: no I/O, `now` is a parameter. Must not import
//! `store`, `service` or `cli`.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::event::{AuditBody, AuditEvent};
use super::shift::shift_day;
use crate::clock::{elapsed, Zone};
use crate::config::Config;
use crate::domain::{Event, Lang, Level, ReportKind};

/// A stage of handling an incident whose duration the audit measures (审计环节).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 接报→报告领导: received → first report to the leader sent.
    ReceivedToLeaderReported,
    /// 接报→领导确认: received → the leader acknowledged.
    ReceivedToLeaderAcknowledged,
    /// 接报→通报到位: received → every related department and region notified.
    ReceivedToAllNotified,
    /// 接报→核实完毕: received → every verification flag resolved.
    ReceivedToFlagsResolved,
    /// 通知→签收: one notice sent → acknowledged by its recipient.
    NoticeSentToAcknowledged,
    /// 批示→传达: a leader's instruction recorded → relayed.
    InstructionToRelayed,
    /// 传达→反馈: an instruction relayed → final feedback received.
    RelayedToFinalFeedback,
}

impl Stage {
    /// Every stage, in the order of the work (接、报、传、跟).
    pub const ALL: [Stage; 7] = [
        Stage::ReceivedToLeaderReported,
        Stage::ReceivedToLeaderAcknowledged,
        Stage::ReceivedToAllNotified,
        Stage::ReceivedToFlagsResolved,
        Stage::NoticeSentToAcknowledged,
        Stage::InstructionToRelayed,
        Stage::RelayedToFinalFeedback,
    ];

    /// The stages [`IntervalFold`] can measure from the events that exist today.
    pub const MEASURED: [Stage; 7] = Stage::ALL;

    /// The snake_case key, as in JSON and CSV.
    pub fn key(self) -> &'static str {
        match self {
            Stage::ReceivedToLeaderReported => "received_to_leader_reported",
            Stage::ReceivedToLeaderAcknowledged => "received_to_leader_acknowledged",
            Stage::ReceivedToAllNotified => "received_to_all_notified",
            Stage::ReceivedToFlagsResolved => "received_to_flags_resolved",
            Stage::NoticeSentToAcknowledged => "notice_sent_to_acknowledged",
            Stage::InstructionToRelayed => "instruction_to_relayed",
            Stage::RelayedToFinalFeedback => "relayed_to_final_feedback",
        }
    }

    /// A short name for tables and sentences.
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Stage::ReceivedToLeaderReported => lang.pick("接报→报告领导", "received → leader told"),
            Stage::ReceivedToLeaderAcknowledged => {
                lang.pick("接报→领导确认", "received → leader acknowledged")
            }
            Stage::ReceivedToAllNotified => lang.pick("接报→通报到位", "received → all notified"),
            Stage::ReceivedToFlagsResolved => {
                lang.pick("接报→核实完毕", "received → flags resolved")
            }
            Stage::NoticeSentToAcknowledged => lang.pick("通知→签收", "notice → acknowledged"),
            Stage::InstructionToRelayed => lang.pick("批示→传达", "instruction → relayed"),
            Stage::RelayedToFinalFeedback => lang.pick("传达→反馈", "relayed → feedback"),
        }
    }
}

/// How long one stage of one incident took (or has taken so far).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    /// The incident number.
    pub incident: String,
    /// Which stage.
    pub stage: Stage,
    /// When the stage's clock started.
    pub start: DateTime<FixedOffset>,
    /// When it stopped; `None` while still open at `now`.
    pub end: Option<DateTime<FixedOffset>>,
    /// The incident's level (the latest graded one), `None` = not yet graded.
    pub level: Option<Level>,
    /// The incident's category key (the latest stated one).
    pub category: Option<String>,
    /// The officer who took the incident in.
    pub officer: String,
    /// The shift day, `YYYY-MM-DD`: the shift that began that day at `duty.shift_start`.
    pub shift: String,
    /// The time allowed, if a limit applies.
    pub limit: Option<Duration>,
    /// From `start` to `end`, or to `now` while open; from UTC instants, never negative.
    pub duration: Duration,
}

impl Interval {
    /// True while the stage has not ended.
    pub fn is_open(&self) -> bool {
        self.end.is_none()
    }

    /// By how much the limit is exceeded, if it is.
    pub fn over(&self) -> Option<Duration> {
        self.limit
            .and_then(|l| self.duration.checked_sub(l))
            .filter(|d| !d.is_zero())
    }
}

/// The verification flags of one incident: which are open, when the last was raised/resolved.
#[derive(Debug, Default)]
struct FlagClock {
    open: Vec<String>,
    last_raised: Option<DateTime<FixedOffset>>,
    last_resolved: Option<DateTime<FixedOffset>>,
}

/// What the fold keeps per incident: a few instants per stage, nothing of the reports' text.
#[derive(Debug)]
struct Track {
    incident: String,
    received: DateTime<FixedOffset>,
    officer: String,
    shift: String,
    level: Option<Level>,
    category: Option<String>,
    flags: FlagClock,
    notices: super::notice_stages::NoticeClock,
    instructions: super::instruction_stages::InstructionClock,
}

/// The fold from events to intervals. Feed events in log order with [`push`](Self::push), then
/// [`finish`](Self::finish). Memory grows with incidents, not with events.
#[derive(Debug)]
pub struct IntervalFold<'c> {
    config: &'c Config,
    zone: Zone,
    shift_start: NaiveTime,
    index: HashMap<String, usize>,
    tracks: Vec<Track>,
    /// Which track each notice belongs to.
    notice_owner: HashMap<String, usize>,
    /// Which track each instruction belongs to.
    instruction_owner: HashMap<String, usize>,
}

impl<'c> IntervalFold<'c> {
    /// An empty fold for an office's configuration (zone, shift start, limits).
    pub fn new(config: &'c Config) -> IntervalFold<'c> {
        IntervalFold {
            config,
            zone: config.zone(),
            shift_start: config.shift_start(),
            index: HashMap::new(),
            tracks: Vec::new(),
            notice_owner: HashMap::new(),
            instruction_owner: HashMap::new(),
        }
    }

    /// The shift day of an instant in this office.
    pub fn shift_of(&self, t: &DateTime<FixedOffset>) -> NaiveDate {
        shift_day(self.zone, self.shift_start, t.with_timezone(&Utc))
    }

    fn track(&mut self, incident: &str) -> Option<&mut Track> {
        let i = *self.index.get(incident)?;
        self.tracks.get_mut(i)
    }

    /// Takes one event into account. Events that do not concern a known incident are ignored.
    pub fn push(&mut self, e: &Event) {
        self.take(&AuditEvent::from(e));
    }

    /// Takes one event, as the audit reads it, into account (see [`AuditEvent::from_line`]).
    pub fn take(&mut self, e: &AuditEvent<'_>) {
        match &e.body {
            AuditBody::ReportFiled {
                incident,
                kind,
                received_at,
                level,
                category,
            } => self.on_report(e, incident, *kind, received_at, *level, *category),
            AuditBody::FlagRaised { incident, flag } => {
                if let Some(t) = self.track(incident) {
                    t.flags.open.push((*flag).to_string());
                    t.flags.last_raised = Some(t.flags.last_raised.map_or(e.at, |r| r.max(e.at)));
                }
            }
            AuditBody::FlagResolved { incident, flag, at } => {
                if let Some(t) = self.track(incident) {
                    if let Some(i) = t.flags.open.iter().position(|f| f == flag) {
                        t.flags.open.swap_remove(i);
                        t.flags.last_resolved =
                            Some(t.flags.last_resolved.map_or(*at, |r| r.max(*at)));
                    }
                }
            }
            AuditBody::NoticeQueued { id, incident, .. } => {
                if let Some(&i) = self.index.get(*incident) {
                    self.notice_owner.insert((*id).to_string(), i);
                    self.tracks[i].notices.push(e.at, &e.body);
                }
            }
            AuditBody::NoticeDelivered { notice }
            | AuditBody::NoticeCalled { notice, .. }
            | AuditBody::NoticeAcknowledged { notice } => {
                if let Some(&i) = self.notice_owner.get(*notice) {
                    self.tracks[i].notices.push(e.at, &e.body);
                }
            }
            // Attempts, failures and escalations change no stage's end.
            AuditBody::NoticeOther { .. } => {}
            // Stages instruction_to_relayed and relayed_to_final_feedback, for instructions
            // that concern an incident.
            AuditBody::InstructionRecorded {
                id,
                incident: Some(no),
                ..
            } => {
                if let Some(&i) = self.index.get(*no) {
                    self.instruction_owner.insert((*id).to_string(), i);
                    self.tracks[i].instructions.push(e.at, &e.body);
                }
            }
            AuditBody::InstructionRelayed { id, .. }
            | AuditBody::InstructionFeedback { id, .. } => {
                if let Some(&i) = self.instruction_owner.get(*id) {
                    self.tracks[i].instructions.push(e.at, &e.body);
                }
            }
            // Standalone instructions; every kind the audit does not read (listed in
            // `AuditBody::from`, so that a new event kind stops the build there until the
            // audit decides what it means): changes and chases end no stage.
            AuditBody::InstructionRecorded { incident: None, .. } | AuditBody::Other => {}
        }
    }

    fn on_report(
        &mut self,
        e: &AuditEvent<'_>,
        incident: &str,
        kind: ReportKind,
        received_at: &DateTime<FixedOffset>,
        level: Option<Level>,
        category: Option<&str>,
    ) {
        if kind == ReportKind::First && !self.index.contains_key(incident) {
            let shift = self.shift_of(received_at);
            self.index.insert(incident.to_string(), self.tracks.len());
            self.tracks.push(Track {
                incident: incident.to_string(),
                received: *received_at,
                officer: e.officer.to_string(),
                shift: shift.format("%Y-%m-%d").to_string(),
                level,
                category: category.map(str::to_string),
                flags: FlagClock::default(),
                notices: Default::default(),
                instructions: Default::default(),
            });
            return;
        }
        if let Some(t) = self.track(incident) {
            // The latest graded level and stated category describe the incident.
            t.level = level.or(t.level);
            if let Some(c) = category {
                c.clone_into(t.category.get_or_insert_with(String::new));
            }
        }
    }

    /// The intervals, in the order incidents were opened; open stages are measured to `now`.
    pub fn finish(self, now: DateTime<FixedOffset>) -> Vec<Interval> {
        let clock = self.config.verification.clock_minutes;
        let mut out = Vec::with_capacity(self.tracks.len());
        for t in self.tracks {
            let base = Interval {
                incident: t.incident.clone(),
                stage: Stage::ReceivedToLeaderReported,
                start: t.received,
                end: None,
                level: t.level,
                category: t.category.clone(),
                officer: t.officer.clone(),
                shift: t.shift.clone(),
                limit: None,
                duration: Duration::ZERO,
            };
            let phone = self.config.limit(t.level).phone_minutes;
            let phone = (phone > 0).then(|| Duration::from_secs(u64::from(phone) * 60));
            out.extend(t.notices.intervals(&base, phone, now));
            out.extend(t.instructions.intervals(&base, phone, now));
            // Stage received_to_flags_resolved: only incidents that had something to check.
            let Some(raised) = t.flags.last_raised else {
                continue;
            };
            let end = if t.flags.open.is_empty() {
                t.flags.last_resolved
            } else {
                None
            };
            // The verification clock runs from the last flag raised (for flags raised with the
            // first report: from filing, which is about receipt).
            let limit = (clock > 0).then(|| {
                elapsed(&t.received, &raised) + Duration::from_secs(u64::from(clock) * 60)
            });
            let duration = elapsed(&t.received, &end.unwrap_or(now));
            out.push(Interval {
                incident: t.incident,
                stage: Stage::ReceivedToFlagsResolved,
                start: t.received,
                end,
                level: t.level,
                category: t.category,
                officer: t.officer,
                shift: t.shift,
                limit,
                duration,
            });
        }
        out
    }
}

/// Every interval the events give, measured at `now` (a convenience over [`IntervalFold`]).
pub fn intervals<'a>(
    events: impl Iterator<Item = &'a Event>,
    config: &Config,
    now: DateTime<FixedOffset>,
) -> Vec<Interval> {
    let mut fold = IntervalFold::new(config);
    for e in events {
        fold.push(e);
    }
    fold.finish(now)
}
