//! Answering `Request::Audit`: one pass over the event lines of the database, each decoded (the
//! light [`AuditEvent`] view), fed to the pure audit fold and, from the period's first incident
//! on, checked against the hash chain. Memory grows with incidents, not events. The numbers come
//! from [`crate::rules::audit`]; this module only reads.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};

use crate::config::Config;
use crate::domain::{Event, ReportKind};
use crate::rules::audit::{
    self, AuditBody, AuditEvent, AuditReport, GroupBy, IntervalFold, Period, Source,
};
use crate::store::{ChainCheck, Store, StoreError};

/// Audits the store's log for `period` as of `now`.
///
/// `chain_verified` is true when every event from the period's first incident report to the
/// last event of a period incident hashes correctly and links to the one before, and no line of
/// the log failed to parse (a line that cannot be read could belong to any period), and the
/// journal's tail verified when the store opened. The lines checked are the database's copies;
/// `dutydesk verify` checks the whole journal.
pub fn run(
    store: &Store,
    config: &Config,
    now: DateTime<FixedOffset>,
    period: Period,
    by: Option<GroupBy>,
) -> Result<AuditReport, StoreError> {
    let mut pass = LogAudit::new(config, period);
    for r in store.db().event_lines_from(1) {
        let (seq, line) = r?;
        pass.feed(seq, &line);
    }
    Ok(pass.finish(store.tail_ok, now, by))
}

/// One pass of the audit over event lines in log order (what [`run`] does with the database's
/// lines; public for the benchmark).
#[derive(Debug)]
pub struct LogAudit<'c> {
    period: Period,
    fold: IntervalFold<'c>,
    in_period: HashSet<String>,
    chain: Option<ChainCheck>,
    first_break: Option<u64>,
    last_in_period: u64,
    unreadable: bool,
    events_read: u64,
}

impl<'c> LogAudit<'c> {
    /// A pass for `period` in an office's configuration.
    pub fn new(config: &'c Config, period: Period) -> LogAudit<'c> {
        LogAudit {
            period,
            fold: IntervalFold::new(config),
            in_period: HashSet::new(),
            chain: None,
            first_break: None,
            last_in_period: 0,
            unreadable: false,
            events_read: 0,
        }
    }

    /// Takes the next line of the log (`seq` is its key in the database).
    pub fn feed(&mut self, seq: u64, line: &str) {
        self.events_read += 1;
        // The light decode reads canonical lines; anything else goes through the full one.
        let full: Option<Event>;
        let event = match AuditEvent::from_line(line) {
            Ok(e) => Some(e),
            Err(_) => {
                full = serde_json::from_str(line).ok();
                full.as_ref().map(AuditEvent::from)
            }
        };
        self.unreadable |= event.is_none();
        if let Some(e) = &event {
            if let AuditBody::ReportFiled {
                incident,
                kind: ReportKind::First,
                received_at,
                ..
            } = &e.body
            {
                if self.period.contains(self.fold.shift_of(received_at)) {
                    self.in_period.insert((*incident).to_string());
                    self.chain
                        .get_or_insert_with(|| ChainCheck::after(seq.saturating_sub(1), e.prev));
                }
            }
            if e.body
                .incident()
                .is_some_and(|i| self.in_period.contains(i))
            {
                self.last_in_period = seq;
            }
        }
        if self.first_break.is_none() {
            if let Some(c) = self.chain.as_mut() {
                let checked = match &event {
                    Some(e) => c.check_parsed(seq, line, e.seq, e.prev, e.hash),
                    None => c.check(seq, line),
                };
                if let Err(b) = checked {
                    self.first_break = Some(b.seq);
                }
            }
        }
        if let Some(e) = &event {
            self.fold.take(e);
        }
    }

    /// The report; `tail_ok` says whether the journal's tail verified when the store opened.
    pub fn finish(
        self,
        tail_ok: bool,
        now: DateTime<FixedOffset>,
        by: Option<GroupBy>,
    ) -> AuditReport {
        let source = Source {
            events_read: self.events_read,
            incidents: self.in_period.len() as u64,
            chain_verified: tail_ok
                && !self.unreadable
                && self.first_break.map_or(true, |b| b > self.last_in_period),
        };
        audit::build(self.fold.finish(now), self.period, by, now, source)
    }
}
