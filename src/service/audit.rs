//! Answering `Request::Audit`: one pass over the event lines of the database, each decoded (the
//! light [`AuditEvent`] view), fed to the pure audit fold and, from the period's first incident
//! on, checked against the hash chain. Memory grows with incidents, not events. The numbers come
//! from [`crate::rules::audit`]; this module only reads.
//!
//! Two threads: one reads the lines from the database and, from the period's first incident on,
//! hashes them (SHA-256, the costly part of the chain check); the caller's thread decodes,
//! folds and checks the links in log order. The reader is told where the chain starts through
//! an atomic: lines it read before learning it are hashed by the folding thread.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use chrono::{DateTime, FixedOffset};

use crate::config::Config;
use crate::domain::{Event, ReportKind};
use crate::rules::audit::{
    self, AuditBody, AuditEvent, AuditReport, GroupBy, IntervalFold, Period, Source,
};
use crate::store::chain::line_digest;
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
    let pass = audit_lines(store.db().event_lines_from(1), config, period)?;
    Ok(pass.finish(store.tail_ok, now, by))
}

/// A line read ahead: its key, text and, when the reader hashed it, its digest.
type ReadLine = (u64, String, Option<String>);

const BATCH: usize = 1024;

/// Runs a [`LogAudit`] over `(seq, line)` in log order, reading (and hashing) on a second
/// thread; stops at the first error of `lines`. What [`run`] does with the database's lines.
pub fn audit_lines<'c, E: Send>(
    lines: impl Iterator<Item = Result<(u64, String), E>> + Send,
    config: &'c Config,
    period: Period,
) -> Result<LogAudit<'c>, E> {
    let mut pass = LogAudit::new(config, period);
    // Lines from this sequence number on are hashed by the reader.
    let hash_from = AtomicU64::new(u64::MAX);
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel::<Result<Vec<ReadLine>, E>>(8);
        let hash_from = &hash_from;
        s.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            for r in lines {
                match r {
                    Ok((seq, line)) => {
                        let digest = (seq >= hash_from.load(Ordering::Relaxed))
                            .then(|| line_digest(&line))
                            .flatten();
                        batch.push((seq, line, digest));
                        if batch.len() == BATCH {
                            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                            if tx.send(Ok(full)).is_err() {
                                return;
                            }
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Ok(std::mem::take(&mut batch)));
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
            let _ = tx.send(Ok(batch));
        });
        for batch in rx {
            for (seq, line, digest) in batch? {
                pass.feed_digested(seq, &line, digest.as_deref());
            }
            hash_from.store(pass.digests_wanted_from(), Ordering::Relaxed);
        }
        Ok(())
    })?;
    Ok(pass)
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
        self.feed_digested(seq, line, None);
    }

    /// The sequence number from which the chain check wants lines' digests: the first line it
    /// checks, `u64::MAX` before the period's first incident or after a break.
    pub fn digests_wanted_from(&self) -> u64 {
        match (&self.chain, self.first_break) {
            (Some(c), None) => c.expected(),
            _ => u64::MAX,
        }
    }

    /// As [`feed`](Self::feed), with the line's digest computed ahead by
    /// [`line_digest`] (`None`: computed here if the chain check needs it).
    pub fn feed_digested(&mut self, seq: u64, line: &str, digest: Option<&str>) {
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
                    Some(e) => c.check_digested(seq, line, e.seq, e.prev, e.hash, digest),
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
