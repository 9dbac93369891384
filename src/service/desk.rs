//! The desk: the one service that owns the store and answers [`Request`]s. The console calls it
//! in-process through a [`DeskHandle`]; the CLI calls it through the socket or, when no console
//! runs, directly.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::api::{Request, Response, Status};
use crate::clock::Clock;
use crate::config::Config;
use crate::domain::{Actor, EventBody, Resolution};
use crate::rules::reading::{self, Facts};
use crate::rules::verify::Verifier;
use crate::store::{OpenOptions, Store, StoreError};

/// The service: store + configuration + clock + rules.
#[derive(Debug)]
pub struct Desk {
    pub(super) store: Store,
    pub(super) config: Arc<Config>,
    clock: Arc<dyn Clock>,
    pub(super) verifier: Verifier,

    pub(super) notices: super::notices::NoticeDesk,
    /// The newest shift the log says has started (`ShiftStarted`): an accepted handover starts
    /// the next shift before the clock's shift start.
    pub(super) started: Option<chrono::NaiveDate>,
    /// The time of the log's last event, for the sequence number it was read at: no event is
    /// stamped before it (see [`Desk::now`]).
    last: std::cell::Cell<Option<(u64, DateTime<Utc>)>>,
    /// Set while the system clock reads earlier than the log's last event: (clock, last event).
    behind: std::cell::Cell<Option<(DateTime<Utc>, DateTime<Utc>)>>,
}

impl Desk {
    /// Opens the store in `dir` and builds the rules from `config`.
    pub fn open(
        dir: &std::path::Path,
        config: Arc<Config>,
        clock: Arc<dyn Clock>,
        opts: OpenOptions,
    ) -> Result<Desk, StoreError> {
        let opts = OpenOptions {
            created_at: opts
                .created_at
                .or_else(|| Some(config.zone().localize(clock.now()))),
            ..opts
        };
        let store = Store::open(dir, opts)?;
        for n in &store.open_notes {
            tracing::warn!("{n}");
        }
        let notices = super::notices::NoticeDesk::new(&config, &store);
        let mut desk = Desk {
            notices,
            verifier: Verifier::new(&config),
            store,
            config,
            clock,
            started: None,
            last: std::cell::Cell::new(None),
            behind: std::cell::Cell::new(None),
        };
        desk.started = desk.latest_shift_started()?;
        Ok(desk)
    }

    /// The facts of a report: its fields, and what its words suggest for the empty ones.
    pub(super) fn facts(&self, report: &crate::domain::Report) -> Facts {
        reading::facts(&self.config, report, &self.verifier.reader().read(report))
    }

    /// The store (read side, and for tests).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The configuration.
    pub fn config(&self) -> &Arc<Config> {
        &self.config
    }

    /// The time to stamp and judge by. The system clock, unless it reads earlier than the log's
    /// last event (stepped back, a dead RTC at 1970, a wrong manual setting): then that reading is
    /// not used — events would be stamped before the ones they follow, an acknowledgement before
    /// its notice, an incident numbered for 1970 — and the last event's time stands in until the
    /// clock passes it. [`Desk::clock_behind`] reports it (status, the console's banner, the CLI).
    pub(super) fn now(&self) -> (DateTime<Utc>, DateTime<chrono::FixedOffset>) {
        let clock = self.clock.now();
        let now = match self.last_event_at() {
            Some(last) if clock < last => {
                if self.behind.get().is_none() {
                    tracing::warn!(
                        "system clock {} is before the log's last event {}: stamping {} instead",
                        clock.to_rfc3339(),
                        last.to_rfc3339(),
                        last.to_rfc3339()
                    );
                }
                self.behind.set(Some((clock, last)));
                last
            }
            _ => {
                self.behind.set(None);
                clock
            }
        };
        (now, self.config.zone().localize(now))
    }

    /// The time of the log's last event, read once per head.
    fn last_event_at(&self) -> Option<DateTime<Utc>> {
        let seq = self.store.head().seq;
        match self.last.get() {
            Some((s, at)) if s == seq => Some(at),
            _ => {
                let at = self
                    .store
                    .event(seq)
                    .ok()
                    .flatten()
                    .map(|e| e.at.with_timezone(&Utc))?;
                self.last.set(Some((seq, at)));
                Some(at)
            }
        }
    }

    /// Why the desk does not use the system clock, when it does not: it reads earlier than the
    /// log's last event.
    pub fn clock_behind(&self) -> Option<String> {
        let _ = self.now();
        let (clock, last) = self.behind.get()?;
        let zone = self.config.zone();
        let fmt = |t: DateTime<Utc>| zone.localize(t).format("%Y-%m-%d %H:%M:%S %:z").to_string();
        Some(format!(
            "系统时钟 {} 早于日志最后一条记录 {}：在时钟追上之前按该时间记录，请校正系统时间 / \
             the system clock reads {}, before the log's last event at {}: events are stamped \
             with that time until the clock passes it; set the system clock right",
            fmt(clock),
            fmt(last),
            fmt(clock),
            fmt(last)
        ))
    }

    /// Answers one request. Errors come back as [`Response::Error`]; nothing is half-written.
    pub fn handle(&mut self, actor: &Actor, req: Request) -> Response {
        let system;
        let actor = if actor.officer.trim().is_empty() && req.is_system() {
            system = Actor {
                officer: super::api::SYSTEM_OFFICER.into(),
                os_user: actor.os_user.clone(),
            };
            &system
        } else {
            actor
        };
        if actor.officer.trim().is_empty() && req.writes() {
            return Response::bad(
                "未指明值班员：请在控制台签到，或用 --officer 姓名（或 DUTYDESK_OFFICER）/ \
                 no officer named: sign in at the console, or give --officer NAME (or \
                 DUTYDESK_OFFICER); the OS account never stands in for an officer",
            );
        }
        match self.handle_guarded(actor, req) {
            Ok(r) => r,
            Err(StoreError::Rejected(m)) => Response::bad(m),
            Err(e) => Response::fail(e.to_string()),
        }
    }

    /// [`Self::try_handle`] with sled's panics caught (issue 26, B1): a damaged database is
    /// set aside and rebuilt from the journal, and the request is answered from the rebuilt
    /// one — unless the journal took events before sled failed, when trying again would
    /// record them twice.
    fn handle_guarded(&mut self, actor: &Actor, req: Request) -> Result<Response, StoreError> {
        use crate::store::guard;
        let before = self.store.head().seq;
        let retry = req.clone();
        let panic = match guard::catch("a request", || self.try_handle(actor, req)) {
            Ok(r) => return r,
            Err(panic) => panic,
        };
        self.store.rebuild_after_panic(&panic)?;
        let head = self.store.head().seq;
        if head != before {
            return Ok(Response::fail(format!(
                "已记入日志（第 {} 至 {head} 号事件），随后数据库出错并已从日志重建；请先用 `list` 查看，勿重复提交 / recorded in the journal (events #{} to #{head}), then the database failed and was rebuilt from the journal; check with `list` before trying again",
                before + 1,
                before + 1
            )));
        }
        guard::catch("a request", || self.try_handle(actor, retry))
            .unwrap_or_else(|p| Err(crate::store::DbError::Panicked(p).into()))
    }

    fn record(&mut self, actor: &Actor, body: EventBody) -> Result<Response, StoreError> {
        let (_, local) = self.now();
        let events = self.store.append(actor, local, vec![body])?;
        Ok(Response::Recorded {
            seqs: events.iter().map(|e| e.seq).collect(),
        })
    }

    fn try_handle(&mut self, actor: &Actor, req: Request) -> Result<Response, StoreError> {
        // What the request reads (the next number, an incident) must come from a whole database.
        self.store.heal()?;
        match req {
            Request::Status => Ok(Response::Status(self.status())),
            Request::AddReport { draft } => self.add_report(actor, draft),
            Request::ResolveFlag {
                incident,
                flag,
                method,
                result,
                note,
            } => {
                let Some(inc) = self.store.incident(&incident)? else {
                    return Ok(Response::bad(format!("没有事件 / no incident {incident}")));
                };
                match inc.flags.iter().find(|f| f.flag.id == flag) {
                    None => {
                        return Ok(Response::bad(format!(
                        "事件 {incident} 没有标记 {flag} / incident {incident} has no flag {flag}"
                    )))
                    }
                    Some(f) if !f.is_open() => {
                        return Ok(Response::bad(format!(
                            "标记 {flag} 已处理 / flag {flag} is already resolved"
                        )))
                    }
                    Some(_) => {}
                }
                let (_, local) = self.now();
                let body = EventBody::FlagResolved {
                    incident,
                    flag,
                    resolution: Resolution {
                        method,
                        result,
                        note,
                        by: actor.officer.clone(),
                        at: local,
                    },
                };
                self.record(actor, body)
            }
            Request::ResolveAnswered { incident, flags } => {
                self.resolve_answered(actor, &incident, &flags)
            }
            Request::List { open_only, limit } => self.list(open_only, limit),
            Request::Show { incident } => {
                let Some(inc) = self.store.incident(incident.trim())? else {
                    return Ok(Response::bad(format!("没有事件 / no incident {incident}")));
                };
                // The incident's own events and those of the leaders' instructions about it
                // (recorded, relayed, feedback, chased), in the order they happened.
                let mut seqs = inc.events.clone();
                for ins in self.instructions()? {
                    if ins.incident.as_deref() == Some(inc.number.as_str()) {
                        seqs.extend(&ins.events);
                    }
                }
                seqs.sort_unstable();
                seqs.dedup();
                let mut timeline = Vec::with_capacity(seqs.len());
                for seq in &seqs {
                    if let Some(e) = self.store.event(*seq)? {
                        timeline.push(e);
                    }
                }
                let notices = self.notices_of(inc.number.as_str())?;
                let stale = crate::rules::keyholder::stale(&inc, &notices);
                Ok(Response::Incident {
                    incident: Box::new(inc),
                    timeline,
                    notices,
                    stale,
                })
            }
            Request::Log {
                since,
                after_seq,
                limit,
            } => {
                let from = after_seq.map(|s| s + 1).unwrap_or(1);
                let mut events = Vec::new();
                let keep = |e: &crate::domain::Event| since.map(|t| e.at >= t).unwrap_or(true);
                match limit {
                    Some(n) => {
                        for r in self.store.db().event_lines_rev(from) {
                            let (_, line) = r?;
                            if let Ok(e) = serde_json::from_str(&line) {
                                if keep(&e) {
                                    events.push(e);
                                }
                            }
                            if events.len() >= n {
                                break;
                            }
                        }
                        events.reverse();
                    }
                    None => {
                        for r in self.store.db().event_lines_from(from) {
                            let (_, line) = r?;
                            if let Ok(e) = serde_json::from_str(&line) {
                                if keep(&e) {
                                    events.push(e);
                                }
                            }
                        }
                    }
                }
                Ok(Response::Events { events })
            }
            Request::Verify => Ok(Response::Verified(self.store.verify()?)),
            Request::SignIn => self.sign_in(actor),
            Request::SessionStarted { pid, tty } => {
                self.record(actor, EventBody::SessionStarted { pid, tty })
            }
            Request::SessionEnded { reason } => {
                self.record(actor, EventBody::SessionEnded { reason })
            }
            Request::Audit { from, to, by } => {
                let (_, local) = self.now();
                let period = crate::rules::audit::Period { from, to };
                let report = super::audit::run(&self.store, &self.config, local, period, by)?;
                Ok(Response::Audit(Box::new(report)))
            }
            // A read-only desk neither records delivery results nor escalates: they wait in
            // the outbox until the chain is whole (rather than failing once a second).
            Request::Tick if self.store.read_only.is_some() => {
                Ok(Response::Ticked(Default::default()))
            }
            Request::Tick => {
                let mut report = self.tick(actor)?;
                self.supervise(actor, &mut report)?;
                Ok(Response::Ticked(report))
            }
            req @ (Request::RecordInstruction(_)
            | Request::RelayInstruction { .. }
            | Request::RecordFeedback { .. }
            | Request::ChangeInstruction { .. }
            | Request::Instructions { .. }
            | Request::InstructionReport { .. }) => self.handle_instruction(actor, req),
            req @ (Request::Handover { .. } | Request::AcceptHandover { .. }) => {
                self.handle_handover(actor, req)
            }
            req => self.handle_notice(actor, req),
        }
    }

    fn status(&self) -> Status {
        Status {
            data_dir: self.store.dir().display().to_string(),
            head_seq: self.store.head().seq,
            head_hash: self.store.head().hash.clone(),
            incidents: self.store.db().incident_count() as u64,
            open_notes: self.store.open_notes.clone(),
            sled_behind: self.store.sled_behind.clone(),
            tail_ok: self.store.tail_ok,
            shift: Some(self.shift_day()),
            clock_behind: self.clock_behind(),
        }
    }

    /// Recreates the database from the journal.
    pub fn rebuild(&mut self) -> Result<(), StoreError> {
        self.store.rebuild_db()
    }

    /// Flushes the store (on exit).
    pub fn flush(&self) -> Result<(), StoreError> {
        self.store.flush()
    }
}
