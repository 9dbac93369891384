//! Audit intervals: for each incident, how long each stage took, from the log alone.
//!
//! [`IntervalFold`] reads events in log order and keeps one small `Track` per incident; at the
//! end it turns tracks into [`Interval`]s, or counts them into the report's [`Figures`] without
//! keeping them ([`IntervalFold::figures`]). Durations come from UTC instants through
//! [`crate::clock::elapsed`]: a wall clock that stepped back gives zero, never a negative time,
//! and DST folds and gaps change nothing. Pure: no I/O, `now` is a parameter. Must not import
//! `store`, `service` or `cli`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::event::{AuditBody, AuditEvent};
use super::figures::Figures;
use super::shift::shift_day;
use super::stats::GroupBy;
use crate::clock::{elapsed, Zone};
use crate::config::Config;
use crate::domain::notice::Notice;
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
    /// The incident number (shared by the incident's intervals).
    pub incident: Arc<str>,
    /// Which stage.
    pub stage: Stage,
    /// When the stage's clock started.
    pub start: DateTime<FixedOffset>,
    /// When it stopped; `None` while still open at `now`.
    pub end: Option<DateTime<FixedOffset>>,
    /// The incident's level (the latest graded one), `None` = not yet graded.
    pub level: Option<Level>,
    /// The incident's category key (the latest stated one).
    pub category: Option<Arc<str>>,
    /// The officer who took the incident in.
    pub officer: Arc<str>,
    /// The shift day: the shift that began that day at `duty.shift_start`.
    pub shift: NaiveDate,
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

/// The fold's maps hash short keys it reads from the office's own log (incident numbers,
/// notice ids, names) millions of times: FxHash (rustc's) costs a fraction of SipHash there.
/// It is not built to resist keys crafted to collide; such a log would make the audit slow,
/// never wrong.
type Fx = rustc_hash::FxBuildHasher;

/// A key of the fold's maps, kept in the map's own memory when short (incident numbers and
/// notice ids are 13 to 20 bytes): comparing it on a lookup then reads no string elsewhere on
/// the heap (a cache miss per lookup, on 100k incidents). Looked up by a `Key` made of the
/// `&str` at hand, which copies at most 23 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// Length and bytes, zero after the length (so equal strings make equal keys).
    Short(u8, [u8; 23]),
    Long(Box<str>),
}

impl Key {
    fn new(s: &str) -> Key {
        let mut bytes = [0u8; 23];
        match (bytes.get_mut(..s.len()), u8::try_from(s.len())) {
            (Some(b), Ok(len)) => {
                b.copy_from_slice(s.as_bytes());
                Key::Short(len, bytes)
            }
            _ => Key::Long(s.into()),
        }
    }
}

/// The verification flags of one incident: which are open, when the last was raised/resolved.
#[derive(Debug, Default)]
struct FlagClock {
    open: Vec<Arc<str>>,
    last_raised: Option<DateTime<FixedOffset>>,
    last_resolved: Option<DateTime<FixedOffset>>,
}

/// What the fold keeps per incident: a few instants per stage, nothing of the reports' text.
#[derive(Debug)]
struct Track {
    incident: Arc<str>,
    received: DateTime<FixedOffset>,
    officer: Arc<str>,
    shift: NaiveDate,
    level: Option<Level>,
    category: Option<Arc<str>>,
    flags: FlagClock,
    notices: super::notice_stages::NoticeClock,
    instructions: super::instruction_stages::InstructionClock,
}

/// Whose a notice is: the track and slot it was queued in, and whether its id names that
/// track's incident (nearly always; known once, not compared at every event of the notice).
#[derive(Debug, Clone, Copy)]
struct Owner {
    track: usize,
    slot: usize,
    named: bool,
}

/// The fold from events to intervals. Feed events in log order with [`push`](Self::push), then
/// [`finish`](Self::finish). Memory grows with incidents, not with events.
#[derive(Debug)]
pub struct IntervalFold<'c> {
    config: &'c Config,
    zone: Zone,
    shift_start: NaiveTime,
    index: HashMap<Key, usize, Fx>,
    tracks: Vec<Track>,
    /// Officers' names, categories and flag ids, kept once each (they repeat).
    names: HashSet<Arc<str>, Fx>,
    /// Which track, and which slot of its notices, each notice is.
    notice_owner: HashMap<Key, Owner, Fx>,
    /// Which track each instruction belongs to.
    instruction_owner: HashMap<Key, usize, Fx>,
}

impl<'c> IntervalFold<'c> {
    /// An empty fold for an office's configuration (zone, shift start, limits).
    pub fn new(config: &'c Config) -> IntervalFold<'c> {
        IntervalFold {
            config,
            zone: config.zone(),
            shift_start: config.shift_start(),
            index: HashMap::default(),
            tracks: Vec::new(),
            names: HashSet::default(),
            notice_owner: HashMap::default(),
            instruction_owner: HashMap::default(),
        }
    }

    /// The shift day of an instant in this office.
    pub fn shift_of(&self, t: &DateTime<FixedOffset>) -> NaiveDate {
        shift_day(self.zone, self.shift_start, t.with_timezone(&Utc))
    }

    /// A name kept once.
    fn name(&mut self, s: &str) -> Arc<str> {
        if let Some(n) = self.names.get(s) {
            return n.clone();
        }
        let n: Arc<str> = s.into();
        self.names.insert(n.clone());
        n
    }

    /// Takes one event into account. Events that do not concern a known incident are ignored.
    pub fn push(&mut self, e: &Event) {
        self.take(&AuditEvent::from(e));
    }

    /// Takes one event, as the audit reads it, into account (see [`AuditEvent`]).
    /// Returns the index of the track of the incident the event concerns
    /// ([`AuditBody::incident`]), if that incident is known.
    pub fn take(&mut self, e: &AuditEvent<&str>) -> Option<usize> {
        match &e.body {
            AuditBody::ReportFiled {
                incident,
                kind,
                received_at,
                level,
                category,
            } => return self.on_report(e, incident, *kind, received_at, *level, *category),
            AuditBody::FlagRaised { incident, flag } => {
                let i = *self.index.get(&Key::new(incident))?;
                let flag = self.name(flag);
                let f = &mut self.tracks[i].flags;
                f.open.push(flag);
                f.last_raised = Some(f.last_raised.map_or(e.at, |r| r.max(e.at)));
                return Some(i);
            }
            AuditBody::FlagResolved { incident, flag, at } => {
                let i = *self.index.get(&Key::new(incident))?;
                let f = &mut self.tracks[i].flags;
                if let Some(k) = f.open.iter().position(|o| &**o == *flag) {
                    f.open.swap_remove(k);
                    f.last_resolved = Some(f.last_resolved.map_or(*at, |r| r.max(*at)));
                }
                return Some(i);
            }
            AuditBody::NoticeQueued { id, incident, .. } => {
                let i = *self.index.get(&Key::new(incident))?;
                let key = Key::new(id);
                let before = match self.notice_owner.get(&key) {
                    Some(o) if o.track == i => Some(o.slot),
                    _ => None,
                };
                let slot = self.tracks[i].notices.queue(before, e.at, &e.body);
                if before.is_none() {
                    let named = Notice::incident_of(id) == *incident;
                    let owner = Owner {
                        track: i,
                        slot,
                        named,
                    };
                    self.notice_owner.insert(key, owner);
                }
                return Some(i);
            }
            AuditBody::NoticeDelivered { notice }
            | AuditBody::NoticeCalled { notice, .. }
            | AuditBody::NoticeAcknowledged { notice }
            | AuditBody::NoticeOther { notice } => {
                let owner = self.notice_owner.get(&Key::new(notice)).copied();
                // Attempts, failures and escalations (`NoticeOther`) change no stage's end.
                if let Some(o) = owner {
                    self.tracks[o.track].notices.push(o.slot, e.at, &e.body);
                }
                // A notice's incident is in its id; usually its owner's.
                return match owner {
                    Some(o) if o.named => Some(o.track),
                    _ => {
                        let incident = Notice::incident_of(notice);
                        self.index.get(&Key::new(incident)).copied()
                    }
                };
            }
            // Stages instruction_to_relayed and relayed_to_final_feedback, for instructions
            // that concern an incident.
            AuditBody::InstructionRecorded {
                id,
                incident: Some(no),
                ..
            } => {
                if let Some(&i) = self.index.get(&Key::new(no)) {
                    self.instruction_owner.insert(Key::new(id), i);
                    self.tracks[i].instructions.push(e.at, &e.body);
                }
            }
            AuditBody::InstructionRelayed { id, .. }
            | AuditBody::InstructionFeedback { id, .. } => {
                if let Some(&i) = self.instruction_owner.get(&Key::new(id)) {
                    self.tracks[i].instructions.push(e.at, &e.body);
                }
            }
            // Standalone instructions; every kind the audit does not read (listed in
            // `AuditBody::from`, so that a new event kind stops the build there until the
            // audit decides what it means): changes and chases end no stage.
            AuditBody::InstructionRecorded { incident: None, .. } | AuditBody::Other => {}
        }
        // Instructions concern no incident by `AuditBody::incident`.
        None
    }

    fn on_report(
        &mut self,
        e: &AuditEvent<&str>,
        incident: &str,
        kind: ReportKind,
        received_at: &DateTime<FixedOffset>,
        level: Option<Level>,
        category: Option<&str>,
    ) -> Option<usize> {
        let category = category.map(|c| self.name(c));
        let key = Key::new(incident);
        let Some(&i) = self.index.get(&key) else {
            if kind != ReportKind::First {
                return None;
            }
            let incident: Arc<str> = incident.into();
            let i = self.tracks.len();
            self.index.insert(key, i);
            let (officer, shift) = (self.name(e.officer), self.shift_of(received_at));
            self.tracks.push(Track {
                incident,
                received: *received_at,
                officer,
                shift,
                level,
                category,
                flags: FlagClock::default(),
                notices: Default::default(),
                instructions: Default::default(),
            });
            return Some(i);
        };
        // The latest graded level and stated category describe the incident.
        let t = &mut self.tracks[i];
        t.level = level.or(t.level);
        t.category = category.or(t.category.take());
        Some(i)
    }

    /// The intervals, in the order incidents were opened; open stages are measured to `now`.
    pub fn finish(self, now: DateTime<FixedOffset>) -> Vec<Interval> {
        self.finish_in(now, |_| true)
    }

    /// As [`finish`](Self::finish), for the incidents whose shift day `keep` accepts only
    /// (the others' intervals are never made).
    pub fn finish_in(
        self,
        now: DateTime<FixedOffset>,
        keep: impl Fn(NaiveDate) -> bool,
    ) -> Vec<Interval> {
        let (config, tracks) = self.into_tracks(keep);
        track_intervals(config, tracks, now)
    }

    /// The tracks of the incidents whose shift day `keep` accepts. The maps go first (memory
    /// peaks when the intervals are made), freed on another thread meanwhile.
    fn into_tracks(self, keep: impl Fn(NaiveDate) -> bool) -> (&'c Config, Vec<Track>) {
        let IntervalFold {
            config,
            mut tracks,
            index,
            names,
            notice_owner,
            instruction_owner,
            ..
        } = self;
        super::drop_aside((index, names, notice_owner, instruction_owner));
        tracks.retain(|t| keep(t.shift));
        (config, tracks)
    }

    /// The report's figures for the incidents whose shift day `keep` accepts, open stages
    /// measured to `now`, without keeping the intervals: they are made a few hundred incidents
    /// at a time and counted. With `threads` above one and many incidents, the incidents are
    /// shared out between that many threads and their figures merged.
    pub fn figures(
        self,
        now: DateTime<FixedOffset>,
        keep: impl Fn(NaiveDate) -> bool,
        by: Option<GroupBy>,
        threads: usize,
    ) -> Figures {
        let (config, tracks) = self.into_tracks(keep);
        let gather = |part: &[Track]| {
            let mut figures = Figures::new(by);
            let (mut some, mut own) = (Vec::new(), OwnNames::default());
            for chunk in part.chunks(256) {
                chunk_intervals(config, chunk, now, &mut some, &mut own);
                some.iter().for_each(|i| figures.add(i));
                some.clear();
            }
            figures
        };
        // Fewer than a few thousand incidents are not worth a thread.
        let per = tracks.len().div_ceil(threads.max(1)).max(4096);
        let figures = std::thread::scope(|s| {
            let mut parts = tracks.chunks(per);
            let first = parts.next().unwrap_or_default();
            let others: Vec<_> = parts.map(|p| s.spawn(move || gather(p))).collect();
            let mut figures = gather(first);
            for o in others {
                figures.merge(o.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
            }
            figures
        });
        super::drop_aside(tracks);
        figures
    }
}

/// The intervals of `tracks`, in their order; open stages measured to `now`.
fn track_intervals(
    config: &Config,
    tracks: Vec<Track>,
    now: DateTime<FixedOffset>,
) -> Vec<Interval> {
    // About five intervals an incident: flags and the notice stages.
    let mut out = Vec::with_capacity(tracks.len() * 5);
    // Tracks are freed on another thread, a chunk at a time as they are done with.
    let aside = super::aside();
    let mut own = OwnNames::default();
    let mut tracks = tracks.into_iter();
    loop {
        let chunk: Vec<Track> = tracks.by_ref().take(1024).collect();
        if chunk.is_empty() {
            break;
        }
        chunk_intervals(config, &chunk, now, &mut out, &mut own);
        let _ = aside.send(chunk);
    }
    out
}

/// A thread's own copies of the names tracks share (officers, categories), by the address of
/// the shared one: every interval holds its incident's officer and category, and two threads
/// cloning and dropping the same `Arc` fight over its count (with copies of their own, the
/// intervals of 100k incidents took 45 ms on two threads instead of 53). The fold makes every
/// name once (`names`) and none after, so the names tracks hold were all alive together: no
/// two have had the same address.
type OwnNames = HashMap<usize, Arc<str>, Fx>;

/// The intervals of `tracks`, appended to `out`.
fn chunk_intervals(
    config: &Config,
    tracks: &[Track],
    now: DateTime<FixedOffset>,
    out: &mut Vec<Interval>,
    own: &mut OwnNames,
) {
    let clock = config.verification.clock_minutes;
    let mut own = |shared: &Arc<str>| {
        own.entry(Arc::as_ptr(shared).cast::<u8>() as usize)
            .or_insert_with(|| Arc::from(&**shared))
            .clone()
    };
    for t in tracks {
        let base = Interval {
            incident: t.incident.clone(),
            stage: Stage::ReceivedToLeaderReported,
            start: t.received,
            end: None,
            level: t.level,
            category: t.category.as_ref().map(&mut own),
            officer: own(&t.officer),
            shift: t.shift,
            limit: None,
            duration: Duration::ZERO,
        };
        let phone = config.limit(t.level).phone_minutes;
        let phone = (phone > 0).then(|| Duration::from_secs(u64::from(phone) * 60));
        t.notices.intervals(&base, phone, now, out);
        t.instructions.intervals(&base, phone, now, out);
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
        let limit = (clock > 0)
            .then(|| elapsed(&t.received, &raised) + Duration::from_secs(u64::from(clock) * 60));
        let duration = elapsed(&t.received, &end.unwrap_or(now));
        out.push(Interval {
            stage: Stage::ReceivedToFlagsResolved,
            end,
            limit,
            duration,
            ..base
        });
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

#[cfg(test)]
mod tests {
    use super::Key;
    use std::collections::HashMap;

    #[test]
    fn keys_equal_exactly_when_their_strings_do_short_or_long() {
        let names = [
            "",
            "a",
            "20261122-0001",
            "20261122-0001/N1",
            "20261122-0001/N10",
            "12345678901234567890123",  // 23 bytes: the longest kept inline
            "123456789012345678901234", // 24: on the heap
            "1234567890123456789012345",
            "火灾\u{0}",
            "火灾",
        ];
        let map: HashMap<Key, usize> = names
            .iter()
            .enumerate()
            .map(|(k, n)| (Key::new(n), k))
            .collect();
        assert_eq!(map.len(), names.len());
        for (k, n) in names.iter().enumerate() {
            assert_eq!(map.get(&Key::new(n)), Some(&k), "{n:?}");
        }
        assert!(matches!(Key::new(names[5]), Key::Short(23, _)));
        assert!(matches!(Key::new(names[6]), Key::Long(_)));
        assert_eq!(map.get(&Key::new("20261122-000")), None);
    }
}
