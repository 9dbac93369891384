//! Answering `Request::Audit`: one pass over the event lines of the journal, each read through
//! the store's serde view ([`AuditLine`]), fed to the pure audit fold and, from the period's
//! first incident on, checked against the hash chain. Memory grows with incidents, not events.
//! The numbers come from [`crate::rules::audit`]; this module only reads.
//!
//! The journal is read in blocks of whole lines ([`audit_blocks`]), one block per core at a
//! time; scoped threads decode the blocks and hash their lines (SHA-256 by `sha2`), and the
//! caller's thread folds them in log order and checks the links.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};

use crate::config::Config;
use crate::domain::ReportKind;
use crate::rules::audit::{AuditBody, AuditReport, GroupBy, IntervalFold, Period, Source};
use crate::store::chain::hash_ok;
use crate::store::lines::Blocks;
use crate::store::view::AuditLine;
use crate::store::{ChainCheck, DbError, JournalOnly, Store, StoreError};

/// Bytes of whole lines per block: about 1,800 events.
pub const BLOCK: usize = 1 << 20;

/// Audits the store's log for `period` as of `now`.
///
/// `chain_verified` is true when every event from the period's first incident report to the
/// last event of a period incident hashes correctly and links to the one before, and no line of
/// the log failed to parse (a line that cannot be read could belong to any period), and the
/// journal's tail verified when the store opened. The lines checked are the journal's, up to
/// the database's head; `dutydesk verify` checks the whole journal.
pub fn run(
    store: &Store,
    config: &Config,
    now: DateTime<FixedOffset>,
    period: Period,
    by: Option<GroupBy>,
) -> Result<AuditReport, StoreError> {
    let blocks = store.db().event_blocks_from(1, BLOCK)?;
    run_blocks(blocks, store.tail_ok, config, now, period, by)
}

/// As [`run`], on a journal opened without its database (the CLI's audit when no console
/// holds the folder: sled's open is skipped). The lines checked are the journal's, up to its
/// last whole line.
pub fn run_journal(
    journal: &JournalOnly,
    config: &Config,
    now: DateTime<FixedOffset>,
    period: Period,
    by: Option<GroupBy>,
) -> Result<AuditReport, StoreError> {
    run_blocks(
        journal.event_blocks(BLOCK)?,
        journal.tail_ok,
        config,
        now,
        period,
        by,
    )
}

/// The audit of the lines `blocks` gives; `tail_ok` as the store found the journal's tail.
fn run_blocks(
    mut blocks: Blocks,
    tail_ok: bool,
    config: &Config,
    now: DateTime<FixedOffset>,
    period: Period,
    by: Option<GroupBy>,
) -> Result<AuditReport, StoreError> {
    let t0 = Instant::now();
    let fill = |buf: &mut Vec<u8>| {
        blocks
            .fill(buf)
            .map_err(|e| DbError::Journal(e.to_string()))
    };
    let pass = audit_blocks(fill, config, period, workers())?;
    let t_pass = t0.elapsed();
    let (report, t_intervals) = pass.finish_timed(tail_ok, now, by);
    trace_stages(&[
        ("pass", t_pass),
        ("intervals", t_intervals),
        ("statistics", t0.elapsed() - t_pass - t_intervals),
    ]);
    Ok(report)
}

/// Logs how long the audit's stages took (printed with `DUTYDESK_TRACE_AUDIT=1`).
pub fn trace_stages(stages: &[(&str, Duration)]) {
    crate::logging::timings("DUTYDESK_TRACE_AUDIT", "audit", stages);
}

/// Threads of the parallel pass: one per core this process may use (at least one, at most
/// eight).
pub fn workers() -> usize {
    cores()
}

/// The cores this process may use (at least one, at most eight).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// One line of a block as decoded by [`decode_block`].
struct Decoded<'b> {
    /// The line's bytes (without its `\n`).
    line: &'b [u8],
    /// The view, or `None` when the bytes are not an event as they stand.
    view: Option<AuditLine<'b>>,
    /// [`hash_ok`] of the line, worked out when the chain check will want it.
    hashed: Option<bool>,
}

/// Decoded blocks: each block's first sequence number and its lines.
type Batch<'b> = Vec<(u64, Vec<Decoded<'b>>)>;

/// Runs a [`LogAudit`] over blocks of whole lines in log order: `fill(buf)` empties `buf`,
/// fills it with the next lines (each ending in `\n`) and returns the sequence number of the
/// first, or `None` at the end (as [`crate::store::lines::Blocks::fill`]). Blocks are read
/// `workers` at a time and each is decoded and hashed on a scoped thread of its own while the
/// caller's thread folds the batch before, in log order. Stops at the first error of `fill`.
pub fn audit_blocks<'c, E>(
    mut fill: impl FnMut(&mut Vec<u8>) -> Result<Option<u64>, E>,
    config: &'c Config,
    period: Period,
    workers: usize,
) -> Result<LogAudit<'c>, E> {
    let mut pass = LogAudit::new(config, period);
    let workers = workers.max(1);
    let mut ended = false;
    // Two sets of blocks, taking turns: one decoded while the other is folded.
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut decoded_a = Vec::new();
    loop {
        let decoded_b = step(&mut pass, decoded_a, &mut b, &mut fill, workers, &mut ended)?;
        if decoded_b.is_empty() {
            return Ok(pass);
        }
        decoded_a = step(&mut pass, decoded_b, &mut a, &mut fill, workers, &mut ended)?;
        if decoded_a.is_empty() {
            return Ok(pass);
        }
    }
}

/// One turn of [`audit_blocks`]: fills `blocks` (unless the lines `ended`), decodes them on
/// scoped threads while folding `folding` here, and returns them decoded.
fn step<'b, E>(
    pass: &mut LogAudit,
    folding: Batch,
    blocks: &'b mut Vec<(u64, Vec<u8>)>,
    fill: &mut impl FnMut(&mut Vec<u8>) -> Result<Option<u64>, E>,
    workers: usize,
    ended: &mut bool,
) -> Result<Batch<'b>, E> {
    blocks.resize_with(workers, Default::default);
    let mut filled = 0;
    while filled < workers && !*ended {
        let (first, text) = &mut blocks[filled];
        match fill(text)? {
            Some(seq) => {
                *first = seq;
                filled += 1;
            }
            None => *ended = true,
        }
    }
    let blocks: &'b [(u64, Vec<u8>)] = &blocks[..filled];
    // Lines from here on are hashed with their decode: where the chain check starts, as far
    // as the blocks folded so far tell (lines it wants before that are hashed as folded).
    let hash_from = pass.digests_wanted_from();
    Ok(std::thread::scope(|s| {
        let decoding: Vec<_> = blocks
            .iter()
            .map(|(first, text)| {
                (
                    *first,
                    s.spawn(move || decode_block(*first, text, hash_from)),
                )
            })
            .collect();
        for (first, lines) in folding {
            for (k, d) in lines.into_iter().enumerate() {
                pass.feed_decoded(first + k as u64, d);
            }
        }
        decoding
            .into_iter()
            .map(|(first, h)| {
                let lines = h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
                (first, lines)
            })
            .collect()
    }))
}

/// Decodes each line of a block (the lines' bytes are not checked as UTF-8 as a whole: the
/// hash covers them, and the strings read are checked as they are read) and, from `hash_from`
/// on, hashes it.
fn decode_block(first_seq: u64, text: &[u8], hash_from: u64) -> Vec<Decoded<'_>> {
    text.split_inclusive(|&c| c == b'\n')
        .map(|l| l.strip_suffix(b"\n").unwrap_or(l))
        .enumerate()
        .map(|(k, line)| {
            let view = AuditLine::parse(line).ok();
            let hashed =
                (view.is_some() && first_seq + k as u64 >= hash_from).then(|| hash_ok(line));
            Decoded { line, view, hashed }
        })
        .collect()
}

/// One pass of the audit over event lines in log order (what [`run`] does with the database's
/// lines; public for the benchmark).
#[derive(Debug)]
pub struct LogAudit<'c> {
    period: Period,
    fold: IntervalFold<'c>,
    /// By the fold's track index: incidents received in the period.
    in_period: Vec<bool>,
    incidents: u64,
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
            in_period: Vec::new(),
            incidents: 0,
            chain: None,
            first_break: None,
            last_in_period: 0,
            unreadable: false,
            events_read: 0,
        }
    }

    /// Takes the next line of the log (`seq` is its key in the database).
    pub fn feed(&mut self, seq: u64, line: &str) {
        let line = line.as_bytes();
        let view = AuditLine::parse(line).ok();
        self.feed_decoded(
            seq,
            Decoded {
                line,
                view,
                hashed: None,
            },
        );
    }

    /// The sequence number from which the chain check wants lines hashed: the first line it
    /// checks, `u64::MAX` before the period's first incident or after a break.
    fn digests_wanted_from(&self) -> u64 {
        match (&self.chain, self.first_break) {
            (Some(c), None) => c.expected(),
            _ => u64::MAX,
        }
    }

    /// Takes a decoded line; one that is not an event as it stands is read again with each
    /// invalid byte replaced, as `Db::event_line` reads a line.
    fn feed_decoded(&mut self, seq: u64, d: Decoded) {
        if d.view.is_none() {
            if let Cow::Owned(lossy) = String::from_utf8_lossy(d.line) {
                let view = AuditLine::parse(lossy.as_bytes()).ok();
                return self.take(seq, lossy.as_bytes(), view.as_ref(), None);
            }
        }
        self.take(seq, d.line, d.view.as_ref(), d.hashed)
    }

    /// Folds one line and checks its chain link (`hashed`: its [`hash_ok`], if worked out).
    fn take(&mut self, seq: u64, line: &[u8], view: Option<&AuditLine>, hashed: Option<bool>) {
        self.events_read += 1;
        let event = view.map(AuditLine::audit);
        self.unreadable |= event.is_none();
        let track = event.as_ref().and_then(|e| self.fold.take(e));
        if let Some(e) = &event {
            if let AuditBody::ReportFiled {
                kind: ReportKind::First,
                received_at,
                ..
            } = &e.body
            {
                if self.period.contains(self.fold.shift_of(received_at)) {
                    if let Some(t) = track {
                        if self.in_period.len() <= t {
                            self.in_period.resize(t + 1, false);
                        }
                        self.incidents += u64::from(!self.in_period[t]);
                        self.in_period[t] = true;
                    }
                    if self.chain.is_none() {
                        self.chain = Some(ChainCheck::after(seq.saturating_sub(1), e.prev));
                    }
                }
            }
            if track.is_some_and(|t| self.in_period.get(t) == Some(&true)) {
                self.last_in_period = seq;
            }
        }
        if self.first_break.is_none() {
            if let Some(c) = self.chain.as_mut() {
                let checked = match &event {
                    Some(e) => c.check_hashed(seq, line, e.seq, e.prev, e.hash, hashed),
                    None => c.check(seq, &String::from_utf8_lossy(line)),
                };
                if let Err(b) = checked {
                    self.first_break = Some(b.seq);
                }
            }
        }
    }

    /// The report; `tail_ok` says whether the journal's tail verified when the store opened.
    pub fn finish(
        self,
        tail_ok: bool,
        now: DateTime<FixedOffset>,
        by: Option<GroupBy>,
    ) -> AuditReport {
        self.finish_timed(tail_ok, now, by).0
    }

    /// As [`finish`](Self::finish), with how long making the intervals took (the rest is
    /// statistics).
    fn finish_timed(
        self,
        tail_ok: bool,
        now: DateTime<FixedOffset>,
        by: Option<GroupBy>,
    ) -> (AuditReport, Duration) {
        let t0 = Instant::now();
        let source = Source {
            events_read: self.events_read,
            incidents: self.incidents,
            chain_verified: tail_ok
                && !self.unreadable
                && self.first_break.is_none_or(|b| b > self.last_in_period),
        };
        let period = self.period;
        let figures = self
            .fold
            .figures(now, |shift| period.contains(shift), by, cores());
        let t_intervals = t0.elapsed();
        (figures.report(period, now, source), t_intervals)
    }
}
