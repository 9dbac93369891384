//! Answering `Request::Audit`: one pass over the event lines of the journal, each decoded (the
//! light [`AuditEvent`] view), fed to the pure audit fold and, from the period's first incident
//! on, checked against the hash chain. Memory grows with incidents, not events. The numbers come
//! from [`crate::rules::audit`]; this module only reads.
//!
//! The journal is read in blocks of whole lines ([`audit_blocks`]). Worker threads (one per
//! core, and one more) each take the next block, find its lines, decode each (the light view)
//! and, from the period's first incident on, hash it (SHA-256, two lines at a time) and check
//! its link to the line before it; the caller's thread takes the blocks back in log order,
//! checks the links at the blocks' edges and folds. Workers learn where the chain starts through an atomic: lines they
//! took before learning it are checked by the folding thread.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};

use crate::config::Config;
use crate::domain::{Event, ReportKind};
use crate::rules::audit::{
    event::chain_tail, AuditBody, AuditEvent, AuditReport, GroupBy, IntervalFold, Period, Source,
};
use crate::store::chain::{hashes_ok, Ahead};
use crate::store::lines::Blocks;
use crate::store::{ChainCheck, DbError, JournalOnly, Store, StoreError};

/// Bytes of whole lines per block: about 1,800 events. (On 1M events, one megabyte took 0.975
/// of the time of half a megabyte in two rounds, at the same peak memory; a quarter, 1.00.)
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

/// One worker per core and one more (at least one, at most eight): the folding thread needs
/// about a fifth of a core, and the extra worker takes up the time it leaves. On 2 cores and
/// 1M events, 3 workers took the audit 0.94 s where 2 took 1.02 s (same minutes).
pub fn workers() -> usize {
    (cores() + 1).min(8)
}

/// The cores this process may use (at least one, at most eight).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// Where a string lies in its block's text.
type Span = (usize, usize);

/// One line as a worker hands it back: where it ends in the block, what the worker checked of
/// its chain (from `hash_from` on, for lines it decoded), and the light decode (`None`: the
/// folding thread falls back to the full one) without `prev` and `hash` (see
/// [`LogAudit::feed_checked`]).
struct CheckedLine {
    end: usize,
    ahead: Option<Ahead>,
    event: Option<AuditEvent<Span>>,
}

/// A block as a worker hands it back: its text, the strings the light decode read (copied
/// into one `String`, so that the folding thread need not check them as UTF-8 again), and its
/// lines. Blocks are recycled, buffers and all.
#[derive(Default)]
struct Checked {
    first_seq: u64,
    text: Vec<u8>,
    strings: String,
    lines: Vec<CheckedLine>,
}

/// What the workers share: the source of blocks, the empty buffers, the next block's index.
struct Shared<F> {
    fill: F,
    free: mpsc::Receiver<Checked>,
    next: u64,
    done: bool,
}

/// Runs a [`LogAudit`] over blocks of whole lines in log order: `fill(buf)` empties `buf`,
/// fills it with the next lines (each ending in `\n`) and returns the sequence number of the
/// first, or `None` at the end (as [`crate::store::lines::Blocks::fill`]). `workers` threads
/// read, decode and hash blocks while the caller's thread folds. Stops at the first error of
/// `fill`.
pub fn audit_blocks<'c, E: Send>(
    fill: impl FnMut(&mut Vec<u8>) -> Result<Option<u64>, E> + Send,
    config: &'c Config,
    period: Period,
    workers: usize,
) -> Result<LogAudit<'c>, E> {
    let workers = workers.max(1);
    let mut pass = LogAudit::new(config, period);
    // Lines from this sequence number on are hashed by the workers.
    let hash_from = AtomicU64::new(u64::MAX);
    let (free_tx, free_rx) = mpsc::channel();
    // Three blocks per worker and one being folded (with two, workers waited for the folding
    // thread more often): memory stays a few blocks.
    for _ in 0..3 * workers + 1 {
        let _ = free_tx.send(Checked::default());
    }
    let source = Mutex::new(Shared {
        fill,
        free: free_rx,
        next: 0,
        done: false,
    });
    std::thread::scope(|s| {
        // Owned here, so that if this thread stops early (an error, a panic) a worker waiting
        // for a free block wakes and ends.
        let free_tx = free_tx;
        let (done_tx, done_rx) = mpsc::channel::<(u64, Result<Checked, E>)>();
        for _ in 0..workers {
            let (done_tx, source, hash_from) = (done_tx.clone(), &source, &hash_from);
            s.spawn(move || loop {
                let (index, mut block) = {
                    let Ok(mut src) = source.lock() else { return };
                    if src.done {
                        return;
                    }
                    let Ok(mut block) = src.free.recv() else {
                        return;
                    };
                    let index = src.next;
                    src.next += 1;
                    match (src.fill)(&mut block.text) {
                        Ok(Some(first)) => {
                            block.first_seq = first;
                            (index, block)
                        }
                        Ok(None) => {
                            src.done = true;
                            return;
                        }
                        Err(e) => {
                            src.done = true;
                            let _ = done_tx.send((index, Err(e)));
                            return;
                        }
                    }
                };
                check_block(&mut block, hash_from.load(Ordering::Relaxed));
                if done_tx.send((index, Ok(block))).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        // Blocks come back in any order; fold them in log order.
        let mut waiting = BTreeMap::new();
        let mut next = 0u64;
        for (index, block) in done_rx {
            waiting.insert(index, block);
            while let Some(block) = waiting.remove(&next) {
                next += 1;
                let mut block = block?;
                let mut start = 0;
                let (text, strings) = (block.text.as_slice(), block.strings.as_str());
                let mut of = |(a, b): Span| strings.get(a..b).unwrap_or_default();
                for (k, l) in block.lines.drain(..).enumerate() {
                    let line = text.get(start..l.end).unwrap_or_default();
                    let event = l.event.map(|e| e.map(&mut of));
                    pass.feed_checked(block.first_seq + k as u64, line, event.as_ref(), l.ahead);
                    start = l.end + 1;
                }
                hash_from.store(pass.digests_wanted_from(), Ordering::Relaxed);
                let _ = free_tx.send(block);
            }
        }
        Ok(())
    })?;
    Ok(pass)
}

/// A worker's share of a block: where each line ends, the light decode of each line, and from
/// `hash_from` on, what can be checked of its chain here: its hash, and its link to the line
/// before it when that line is in the block (see [`Ahead`]). Lines are not checked as UTF-8 as
/// a whole: the hash covers their bytes, and the strings the audit reads are checked as it
/// reads them.
fn check_block(block: &mut Checked, hash_from: u64) {
    let Checked {
        first_seq,
        text,
        strings,
        lines,
    } = block;
    strings.clear();
    lines.clear();
    let mut span = |s: &str| {
        let a = strings.len();
        strings.push_str(s);
        (a, strings.len())
    };
    let mut start = 0;
    // The hash of the line before, if it was decoded.
    let mut before: Option<&[u8]> = None;
    // The lines to hash, hashed together at the end (two at a time, see `hashes_ok`), and
    // where their `Ahead` is.
    let (mut to_hash, mut at) = (Vec::new(), Vec::new());
    for (k, end) in memchr::memchr_iter(b'\n', text).enumerate() {
        let line = text.get(start..end).unwrap_or_default();
        start = end + 1;
        let Some(mut e) = AuditEvent::from_bytes(line) else {
            before = None;
            lines.push(CheckedLine {
                end,
                ahead: None,
                event: None,
            });
            continue;
        };
        let ahead = (*first_seq + k as u64 >= hash_from).then(|| Ahead {
            hash_ok: false,
            linked: before == Some(e.prev.as_bytes()),
            keep: true,
        });
        if ahead.is_some() {
            to_hash.push(line);
            at.push(lines.len());
        }
        before = Some(e.hash.as_bytes());
        // `prev` and `hash` are left in the line, found there again only when needed.
        (e.prev, e.hash) = ("", "");
        lines.push(CheckedLine {
            end,
            ahead,
            event: Some(e.map(&mut span)),
        });
        // A line whose successor's link was checked here need not hand its hash on.
        if let (Some(a), Some(b)) = (lines.len().checked_sub(2), ahead) {
            if let Some(prev) = lines[a].ahead.as_mut() {
                prev.keep = !b.linked;
            }
        }
    }
    hashes_ok(&to_hash, |j, ok| {
        if let Some(a) = at.get(j).and_then(|&k| lines.get_mut(k)?.ahead.as_mut()) {
            a.hash_ok = ok;
        }
    });
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
        let light = AuditEvent::from_line(line);
        self.feed_checked(seq, line.as_bytes(), light.as_ref(), None);
    }

    /// The sequence number from which the chain check wants lines hashed ahead: the first line
    /// it checks, `u64::MAX` before the period's first incident or after a break.
    pub fn digests_wanted_from(&self) -> u64 {
        match (&self.chain, self.first_break) {
            (Some(c), None) => c.expected(),
            _ => u64::MAX,
        }
    }

    /// As [`feed`](Self::feed), with the line's light decode ([`AuditEvent::from_line`]) and
    /// some of its chain checks done ahead (`ahead: None`: all done here if needed). The light
    /// event's `prev` and `hash` are not read: a line the light decode reads ends with them
    /// ([`chain_tail`]), and they are found there when needed.
    pub fn feed_checked(
        &mut self,
        seq: u64,
        line: &[u8],
        light: Option<&AuditEvent<&str>>,
        ahead: Option<Ahead>,
    ) {
        self.events_read += 1;
        // The light decode reads canonical lines; anything else goes through the full one.
        // (By reference: an event is larger than the compiler copies inline.)
        let full: Option<Event>;
        let (lossy, decoded);
        let is_light = light.is_some();
        let (event, line) = match light {
            Some(e) => (Some(e), line),
            None => {
                // As `Db::event_line` reads a line: an invalid byte replaced.
                lossy = String::from_utf8_lossy(line);
                full = serde_json::from_str(&lossy).ok();
                decoded = full.as_ref().map(AuditEvent::from);
                (decoded.as_ref(), lossy.as_bytes())
            }
        };
        self.unreadable |= event.is_none();
        // The event's `prev` and `hash`, read only when the chain check needs them.
        let chain = || match &event {
            Some(_) if is_light => chain_tail(line),
            Some(e) => Some((e.prev, e.hash)),
            None => None,
        };
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
                        let prev = chain().map_or("", |c| c.0);
                        self.chain = Some(ChainCheck::after(seq.saturating_sub(1), prev));
                    }
                }
            }
            if track.is_some_and(|t| self.in_period.get(t) == Some(&true)) {
                self.last_in_period = seq;
            }
        }
        if self.first_break.is_none() {
            if let Some(c) = self.chain.as_mut() {
                let checked = match (&event, ahead) {
                    (Some(e), Some(a)) => c.check_ahead(seq, e.seq, a, chain),
                    (Some(e), None) => {
                        let (prev, hash) = chain().unwrap_or_default();
                        c.check_bytes(seq, line, e.seq, prev, hash)
                    }
                    (None, _) => c.check(seq, &String::from_utf8_lossy(line)),
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
