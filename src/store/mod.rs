//! Where it is kept: the journal (the truth), the lock, and the sled projections.
//!
//! An append is durable before it returns: the lines are written to the journal and
//! `fdatasync`ed, then applied to sled in one transaction and flushed. On open the lock is
//! taken, a torn last line is removed, journal events that sled lacks are applied, and a
//! database that cannot be opened or disagrees is rebuilt from the journal.
//! This module (with [`db`]) is the only one that knows sled exists.

pub mod anchors;
pub mod chain;
pub mod checkpoints;
pub mod db;
pub mod digest;
pub mod journal;
pub mod lines;
pub mod lock;
pub mod os;
pub mod projection;
pub mod recover;
mod witness;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, NaiveDate};

pub use chain::{Break, ChainCheck};
pub use db::{Db, DbError, Head};
pub use journal::{Durability, Journal};
pub use lock::{DataLock, Holder, LockError};

use crate::domain::{Actor, Event, EventBody, Incident, IncidentNo};

/// The journal's file name in the data folder.
pub const JOURNAL: &str = "journal.jsonl";
/// The sled folder's name in the data folder.
pub const DB_DIR: &str = "db";
/// The local socket a running console serves the CLI on.
pub const SOCKET: &str = "dutydesk.sock";

/// What a full disk tells the officer, whichever file (journal or database) hit it.
const DISK_FULL: &str = " — 磁盘已满 / the disk is full: free space, then try again";

/// True when an I/O error says the disk (or the quota) is full, by its OS code or, for an
/// error rebuilt without one, by its kind.
pub(crate) fn io_is_disk_full(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT))
        || matches!(
            e.kind(),
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
        )
}

/// A store error a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the data folder.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// A file operation failed (disk full among them).
    #[error("{what}: {source}{}", if io_is_disk_full(source) { DISK_FULL } else { lock::os_hint(source) })]
    Io {
        /// What was being done.
        what: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The database failed.
    #[error("database: {}{}", .0, if .0.is_disk_full() { DISK_FULL } else { "" })]
    Db(#[from] DbError),
    /// The event would contradict the record; nothing was written.
    #[error("rejected, nothing written: {0}")]
    Rejected(String),
    /// The journal is damaged where it cannot be mended automatically.
    #[error("journal damaged at sequence {}: {}", .0.seq, .0.reason)]
    Corrupt(Break),
    /// The journal holds less than a witness saw, or other than it saw, or cannot be read:
    /// the store was not opened and nothing on disk was changed. The text says what to do.
    #[error("{0}")]
    Evidence(String),
    /// The chain is broken: the desk reads but writes nothing until that is resolved.
    #[error("{0}")]
    ReadOnly(String),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> StoreError {
    let what = what.into();
    move |source| StoreError::Io { what, source }
}

/// How to open a store.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Who we are, for the lock file.
    pub purpose: String,
    /// The journal's durability (always `Sync` but in the crash test's negative control).
    pub durability: Durability,
    /// Events between two checkpoints in the anchor file (`DUTYDESK_ANCHOR_EVERY`, default
    /// 1,000); a handover always writes one.
    pub anchor_every: u64,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            purpose: "dutydesk".into(),
            durability: Durability::Sync,
            anchor_every: checkpoints::every_from_env(),
        }
    }
}

/// The open store: the only writer of its data folder while it lives.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    journal: Journal,
    db: Db,
    head: Head,
    os_user: String,
    /// What opening had to do or found (shown to the officer, written to the log file).
    pub open_notes: Vec<String>,
    /// A stale lock that was taken over.
    pub took_over: Option<Holder>,
    /// Set when sled could not take the last append (the journal has it; the next request's
    /// [`Store::heal`] reopens sled and catches it up).
    pub sled_behind: Option<String>,
    /// True while `db` is a stand-in because reopening the real database failed.
    db_closed: bool,
    /// False when the chain since the last verified point did not verify on open.
    pub tail_ok: bool,
    /// Set while the chain is broken: why, for the banner; every append is refused.
    pub read_only: Option<String>,
    /// Events between checkpoints in the anchor file.
    anchor_every: u64,
    /// The newest checkpoint's sequence number.
    last_anchor: u64,
    _lock: DataLock,
}

/// The outcome of `verify`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VerifyReport {
    /// Events checked.
    pub events: u64,
    /// The first break in the chain.
    pub chain_break: Option<Break>,
    /// Bytes of an unfinished last line (not an error: never acknowledged).
    pub torn_tail_bytes: u64,
    /// Why the projections differ from a replay, if they do.
    pub projection_mismatch: Option<String>,
    /// The first handover anchor whose event no longer has the anchored hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor_break: Option<Break>,
    /// Milliseconds taken.
    pub millis: u64,
}

impl VerifyReport {
    /// True when the chain and the projections are sound.
    pub fn ok(&self) -> bool {
        self.chain_break.is_none()
            && self.projection_mismatch.is_none()
            && self.anchor_break.is_none()
    }
}

impl Store {
    /// Opens the store in `dir` (created 0700), taking the lock.
    ///
    /// Before anything is written, the journal is compared with every witness of its head
    /// that can be seen (sled's head and verified mark, the anchor file): a journal that is
    /// missing, empty, shorter than a witness, unreadable at its end, or holding another hash
    /// where a witness saw one, is refused with [`StoreError::Evidence`] and nothing on disk
    /// is touched. An unfinished last line is cut off only when no witness saw it. The chain
    /// since the last verified point is then checked; a break makes the store read-only.
    pub fn open(dir: &Path, opts: OpenOptions) -> Result<Store, StoreError> {
        let t0 = Instant::now();
        let (lock, me, mut notes) = take_lock(dir, &opts)?;
        let t_lock = t0.elapsed();
        let jpath = dir.join(JOURNAL);
        let dbpath = dir.join(DB_DIR);
        let anchors = checkpoints::read(dir)
            .map_err(|e| StoreError::Evidence(witness::anchor_file_unreadable(&e)))?;
        let journal_len = match std::fs::metadata(&jpath) {
            Ok(m) => Some(m.len()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(format!("read {}", jpath.display()))(e)),
        };
        if journal_len.unwrap_or(0) == 0 {
            // No journal (or an empty one): a new store, unless a witness saw one.
            witness::refuse_if_witnessed(dir, &dbpath, &jpath, &anchors, journal_len.is_some())?;
        }
        let existed = journal_len.is_some();
        let mut journal = Journal::open_untrimmed(&jpath, opts.durability)
            .map_err(io(format!("open {}", jpath.display())))?;
        if !existed {
            os::sync_dir(dir).map_err(io("sync data folder"))?;
        }
        let jhead = witness::journal_head(&jpath, &journal)?;
        let t_journal = t0.elapsed();
        let db = match Db::open(&dbpath, &jpath) {
            Ok(db) => db,
            Err(e) => {
                notes.push(format!(
                    "数据库无法打开，正从日志重建 / the database could not be opened ({e}); rebuilding it from the journal"
                ));
                set_aside(&dbpath)?;
                Db::open(&dbpath, &jpath)?
            }
        };
        let db = if db.has_line_copy() {
            slim(db, &dbpath, &jpath, &mut notes)?
        } else {
            db
        };
        // Every witness against the journal; refused before anything is written.
        witness::compare(&db, &jpath, &jhead, journal.torn_bytes(), &anchors)?;
        if journal.torn_bytes() > 0 {
            let repair = journal.trim_torn().map_err(io("trim journal"))?;
            notes.push(format!(
                "删除了未完成的末行 / removed an unfinished last journal line ({} bytes, never acknowledged)",
                repair.torn_bytes
            ));
        }
        let t_sled = t0.elapsed();
        let mut store = Store {
            dir: dir.to_path_buf(),
            journal,
            db,
            head: jhead.clone(),
            os_user: me.user,
            open_notes: notes,
            took_over: lock.took_over.clone(),
            sled_behind: None,
            db_closed: false,
            tail_ok: true,
            read_only: None,
            anchor_every: opts.anchor_every.max(1),
            last_anchor: anchors.all.last().map(|c| c.seq).unwrap_or(0),
            _lock: lock,
        };
        if let Some(b) = store.db.chain_break()? {
            store.go_read_only(&b, false);
        }
        store.check_since_mark()?;
        store.reconcile()?;
        if store.journal.is_empty() && store.read_only.is_none() {
            let at = chrono::Local::now().fixed_offset();
            let actor = Actor {
                officer: "system".into(),
                os_user: store.os_user.clone(),
            };
            store.append(&actor, at, vec![EventBody::StoreCreated { format: 1 }])?;
            // The anchor file exists from the first event on: its removal is then noticed.
            store.checkpoint("created");
            store.db.flush()?;
        } else if !anchors.exists && store.head.seq > 0 && store.read_only.is_none() {
            // A store from before the anchor file: its first checkpoint.
            store.checkpoint("open");
        }
        let t_reconcile = t0.elapsed();
        os::tighten_tree(dir).map_err(io("set file modes"))?;
        crate::logging::timings(
            "DUTYDESK_TRACE_OPEN",
            "store open",
            &[
                ("total", t0.elapsed()),
                ("lock", t_lock),
                ("journal tail", t_journal - t_lock),
                ("sled open", t_sled - t_journal),
                ("reconcile", t_reconcile - t_sled),
                ("modes", t0.elapsed() - t_reconcile),
            ],
        );
        Ok(store)
    }

    /// Makes the store read-only because of a chain break (recorded in sled when `record`).
    fn go_read_only(&mut self, b: &Break, record: bool) {
        if record {
            if let Err(e) = self.db.set_chain_break(Some(b)) {
                tracing::error!("could not record the chain break in the database: {e}");
            }
        }
        let banner = witness::read_only_banner(b);
        if self.read_only.is_none() {
            self.open_notes.insert(0, banner.clone());
        }
        self.tail_ok = false;
        self.read_only = Some(banner);
    }

    /// Checks the chain from the last verified point (sled's `verified` mark; the whole journal
    /// when there is none) to the head, and the line index; moves the mark up on success, makes
    /// the store read-only at a break.
    fn check_since_mark(&mut self) -> Result<(), StoreError> {
        let mark = self.db.meta_head(witness::VERIFIED)?;
        let found =
            witness::check_chain_from(&self.db, self.journal.path(), mark.as_ref(), &self.head)?;
        match found {
            Some(b) => self.go_read_only(&b, true),
            None => {
                if let Some(seq) = self.db.check_line_index()? {
                    let b = Break {
                        seq,
                        line: 0,
                        reason: "the database's line index no longer points at this event: a line before it was changed, deleted or inserted".into(),
                    };
                    self.go_read_only(&b, true);
                } else if self.read_only.is_none() && mark.as_ref() != Some(&self.head) {
                    self.db.put_meta_head(witness::VERIFIED, &self.head)?;
                    self.db.flush()?;
                }
            }
        }
        Ok(())
    }

    /// Writes a checkpoint of the head to the anchor file and notes it in sled (flushed with
    /// the next apply). A failure is logged, never fatal: the journal already holds the events.
    fn checkpoint(&mut self, why: &str) {
        let c = checkpoints::Checkpoint {
            seq: self.head.seq,
            hash: self.head.hash.clone(),
            at: chrono::Local::now().fixed_offset().to_rfc3339(),
            why: why.into(),
            lost: None,
        };
        match checkpoints::append(&self.dir, &c) {
            Ok(()) => {
                self.last_anchor = c.seq;
                if let Err(e) = self.db.put_meta_head(witness::ANCHOR, &self.head) {
                    tracing::warn!("could not note the checkpoint in the database: {e}");
                }
            }
            Err(e) => tracing::error!("could not write a checkpoint to the anchor file: {e}"),
        }
    }

    /// After a durable journal write: a checkpoint when the batch held a handover, or crossed a
    /// multiple of the interval.
    fn checkpoint_after(&mut self, before: u64, handover: bool) {
        let every = self.anchor_every;
        if handover {
            self.checkpoint("handover");
        } else if self.head.seq / every > before / every {
            self.checkpoint("every");
        }
    }

    /// Brings sled level with the journal: apply what it lacks (each line checked against
    /// the chain from sled's head), or rebuild it when it cannot take them. Sled ahead of the
    /// journal, or holding another hash, never reaches here: [`witness::compare`] refused it.
    fn reconcile(&mut self) -> Result<(), StoreError> {
        let dbhead = match self.db.head() {
            Ok(h) => h,
            Err(e) => {
                self.open_notes.push(format!(
                    "数据库状态不可读，重建 / database head unreadable ({e}); rebuilding"
                ));
                return self.rebuild_inner().map(|_| ());
            }
        };
        if dbhead == self.head {
            return Ok(());
        }
        if dbhead.seq < self.head.seq {
            // A database whose trees went further than its head (sled can keep part of a
            // write that failed: a full disk) refuses what it already has; it is rebuilt.
            match self.apply_journal_after(&dbhead) {
                Ok((n, stop)) => {
                    self.open_notes.push(format!(
                        "补写了数据库缺少的 {n} 条事件 / applied {n} journal events the database lacked"
                    ));
                    if let Some(b) = stop {
                        self.go_read_only(&b, true);
                    }
                    return Ok(());
                }
                Err(StoreError::Db(DbError::Rejected(m))) => {
                    tracing::warn!("the database refused the journal's events after its head: {m}");
                }
                Err(e) => return Err(e),
            }
        }
        self.open_notes.push(format!(
            "数据库与日志不一致（数据库 #{}，日志 #{}），从日志重建 / database (#{}) disagrees with the journal (#{}); rebuilding",
            dbhead.seq, self.head.seq, dbhead.seq, self.head.seq
        ));
        self.rebuild_inner().map(|_| ())
    }

    /// Applies the journal's events after `from` (sled's head) to sled, checking each line
    /// against the chain from `from`: stops at the first line that does not verify and returns
    /// where (nothing from it on is applied: a changed value is never adopted).
    fn apply_journal_after(&mut self, from: &Head) -> Result<(u64, Option<Break>), StoreError> {
        let after = from.seq;
        // From the indexed line at or before the first one wanted (or the start).
        let (seq0, offset) = if after == 0 {
            (1, 0)
        } else {
            self.db.floor_of(after + 1).unwrap_or((1, 0))
        };
        let lines = lines::Forward::open(
            self.journal.path(),
            seq0,
            offset,
            after + 1,
            self.head.seq,
            1 << 20,
        )
        .map_err(io("read journal"))?;
        let mut check = if after == 0 {
            ChainCheck::default()
        } else {
            ChainCheck::after(after, &from.hash)
        };
        let mut batch = Vec::new();
        let mut first_offset = 0;
        let mut n = 0;
        let mut stop = None;
        for r in lines {
            let (counted, at, line) = r.map_err(io("read journal"))?;
            let e = match check.next(counted, &line) {
                Ok(e) => e,
                Err(b) => {
                    stop = Some(b);
                    break;
                }
            };
            if batch.is_empty() {
                first_offset = at;
            }
            batch.push((e, line));
            if batch.len() >= 2000 {
                n += batch.len() as u64;
                self.db.apply(&batch, first_offset)?;
                batch.clear();
            }
        }
        n += batch.len() as u64;
        self.db.apply(&batch, first_offset)?;
        if stop.is_none() && check.expected() <= self.head.seq {
            stop = Some(Break {
                seq: check.expected(),
                line: 0,
                reason: "the journal ends before its head: lines are missing".into(),
            });
        }
        Ok((n, stop))
    }

    /// Recreates the sled database from the journal (the old one is set aside, not deleted).
    /// Stops at the first event that does not verify: nothing from it on is taken, the store
    /// turns read-only and the break is returned as [`StoreError::Corrupt`].
    pub fn rebuild_db(&mut self) -> Result<(), StoreError> {
        match self.rebuild_inner()? {
            Some(b) => Err(StoreError::Corrupt(b)),
            None => Ok(()),
        }
    }

    fn rebuild_inner(&mut self) -> Result<Option<Break>, StoreError> {
        let dbpath = self.dir.join(DB_DIR);
        // The old database's witnesses, kept in the new one (it is a rebuild, not a reset).
        let mark = self.db.meta_head(witness::ANCHOR).ok().flatten();
        // sled must let go of its files before they move.
        self.db.flush().ok();
        self.close_db()?;
        set_aside(&dbpath)?;
        self.open_db()?;
        if let Some(m) = mark {
            self.db.put_meta_head(witness::ANCHOR, &m)?;
        }
        let genesis = Head {
            seq: 0,
            hash: crate::domain::GENESIS_HASH.to_string(),
        };
        let (n, stop) = self.apply_journal_after(&genesis)?;
        match &stop {
            None => {
                self.open_notes.push(format!(
                    "已从日志重建数据库，共 {n} 条事件 / rebuilt the database from {n} journal events"
                ));
                self.db.put_meta_head(witness::VERIFIED, &self.head)?;
                self.db.flush()?;
            }
            Some(b) => {
                self.open_notes.push(format!(
                    "重建在第 {} 号事件处停止，此后的事件未采用 / the rebuild stopped at event #{} ({}); nothing from it on was taken",
                    b.seq, b.seq, b.reason
                ));
                self.go_read_only(b, true);
            }
        }
        Ok(stop)
    }

    /// Appends events as one durable unit: journal + fdatasync, then sled + flush.
    /// Events that would contradict the record are refused and nothing is written.
    pub fn append(
        &mut self,
        actor: &Actor,
        at: DateTime<FixedOffset>,
        bodies: Vec<EventBody>,
    ) -> Result<Vec<Event>, StoreError> {
        self.refuse_if_read_only()?;
        let handover = bodies
            .iter()
            .any(|b| matches!(b, EventBody::HandoverAccepted { .. }));
        let before = self.head.seq;
        let mut prev = self.head.hash.clone();
        let mut seq = self.head.seq;
        let mut sealed = Vec::with_capacity(bodies.len());
        for body in bodies {
            seq += 1;
            let e = Event::seal(seq, at, &actor.officer, &actor.os_user, body, &prev);
            prev = e.hash.clone();
            let line = e.to_line();
            sealed.push((e, line));
        }
        let events: Vec<Event> = sealed.iter().map(|(e, _)| e.clone()).collect();
        self.dry_run(&events)?;
        let lines: Vec<String> = sealed.iter().map(|(_, l)| l.clone()).collect();
        let offset = self.journal.end();
        self.journal.append(&lines).map_err(io("write journal"))?;
        // Durable from here: the journal holds it, whatever sled does next. The anchor file
        // and sled follow the journal, never precede it: neither can name an event the
        // journal has not made durable, so a crash never looks like a journal cut short.
        self.head = Head { seq, hash: prev };
        self.checkpoint_after(before, handover);
        if let Err(e) = self.db.apply(&sealed, offset) {
            tracing::error!("sled apply failed after a durable journal write: {e}");
            self.sled_behind = Some(e.to_string());
        }
        Ok(events)
    }

    /// Appends many events (each with its own time) as one durable unit: one journal write, one
    /// `fdatasync`, sled in transactions of 2,000. For importers and data generators.
    pub fn append_many(
        &mut self,
        actor: &Actor,
        items: Vec<(DateTime<FixedOffset>, EventBody)>,
    ) -> Result<u64, StoreError> {
        self.refuse_if_read_only()?;
        let before = self.head.seq;
        let mut prev = self.head.hash.clone();
        let mut seq = self.head.seq;
        let mut sealed = Vec::with_capacity(items.len());
        for (at, body) in items {
            seq += 1;
            let e = Event::seal(seq, at, &actor.officer, &actor.os_user, body, &prev);
            prev = e.hash.clone();
            let line = e.to_line();
            sealed.push((e, line));
        }
        let events: Vec<Event> = sealed.iter().map(|(e, _)| e.clone()).collect();
        self.dry_run(&events)?;
        drop(events);
        let lines: Vec<String> = sealed.iter().map(|(_, l)| l.clone()).collect();
        let mut offset = self.journal.end();
        self.journal.append(&lines).map_err(io("write journal"))?;
        self.head = Head { seq, hash: prev };
        self.checkpoint_after(before, false);
        for chunk in sealed.chunks(2000) {
            if let Err(e) = self.db.apply(chunk, offset) {
                self.sled_behind = Some(e.to_string());
                break;
            }
            offset += chunk.iter().map(|(_, l)| l.len() as u64 + 1).sum::<u64>();
        }
        Ok(sealed.len() as u64)
    }

    /// Makes sled whole again before a request reads it, when it failed to take an append or
    /// is closed; does nothing when it is well. A sled that failed a write is not trusted as it
    /// stands: it keeps its flusher's first I/O error (a full disk, say) and fails every later
    /// call with it, even once space is back, and what it holds in memory can be part of the
    /// failed write (one run on a full disk then refused the next report as a second first
    /// report). So it is closed and opened again (sled recovers from its own log) and
    /// reconciled with the journal.
    pub fn heal(&mut self) -> Result<(), StoreError> {
        if self.sled_behind.is_some() || self.db_closed {
            self.reopen_db()?;
            self.sled_behind = None;
        }
        Ok(())
    }

    /// Closes sled and opens it again, then reconciles it with the journal. While the real
    /// database cannot be opened (the disk still full), an empty stand-in holds its place and
    /// the next request tries again.
    fn reopen_db(&mut self) -> Result<(), StoreError> {
        self.close_db()?;
        self.open_db()?;
        tracing::warn!("database reopened after an I/O error");
        self.reconcile()
    }

    /// Lets go of the real database (sled locks its folder, so the old handle must be gone
    /// before a new one opens): an empty stand-in takes its place until [`Self::open_db`].
    fn close_db(&mut self) -> Result<(), StoreError> {
        if !self.db_closed {
            let stand_in = Db::stand_in(self.journal.path())?;
            drop(std::mem::replace(&mut self.db, stand_in));
            self.db_closed = true;
        }
        Ok(())
    }

    /// Opens the real database in place of the stand-in ([`Db::open`] waits for sled's lock,
    /// which its own threads can hold for a moment after the old handle went).
    fn open_db(&mut self) -> Result<(), StoreError> {
        self.db = Db::open(&self.dir.join(DB_DIR), self.journal.path())?;
        self.db_closed = false;
        Ok(())
    }

    /// Checks that sled would take these events, catching it up (or reopening it) first when it
    /// missed an append or failed on its own.
    fn dry_run(&mut self, events: &[Event]) -> Result<(), StoreError> {
        self.heal()?;
        let first = match self.db.dry_run(events) {
            Err(DbError::Sled(e)) => {
                tracing::warn!("sled failed a dry run ({e}); reopening it");
                self.reopen_db()?;
                self.db.dry_run(events)
            }
            other => other,
        };
        first.map_err(|e| match e {
            DbError::Rejected(m) => StoreError::Rejected(m),
            other => StoreError::Db(other),
        })
    }

    /// Refuses a write while the chain is broken.
    fn refuse_if_read_only(&self) -> Result<(), StoreError> {
        match &self.read_only {
            Some(banner) => Err(StoreError::ReadOnly(banner.clone())),
            None => Ok(()),
        }
    }

    /// The last event's sequence number and hash.
    pub fn head(&self) -> &Head {
        &self.head
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The OS user the store writes as.
    pub fn os_user(&self) -> &str {
        &self.os_user
    }

    /// The projection database (read side).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// One incident.
    pub fn incident(&self, number: &str) -> Result<Option<Incident>, StoreError> {
        Ok(self.db.incident(number)?)
    }

    /// One notice.
    pub fn notice(&self, id: &str) -> Result<Option<crate::domain::Notice>, StoreError> {
        Ok(self.db.notice(id)?)
    }

    /// The next free incident number of a day.
    pub fn next_incident_no(&self, day: NaiveDate) -> Result<IncidentNo, StoreError> {
        let key = day.format("%Y%m%d").to_string();
        Ok(IncidentNo::new(day, self.db.counter(&key)? + 1))
    }

    /// One event.
    pub fn event(&self, seq: u64) -> Result<Option<Event>, StoreError> {
        Ok(self
            .db
            .event_line(seq)?
            .and_then(|l| serde_json::from_str(&l).ok()))
    }

    /// Checks the whole chain and that the projections equal a replay of the journal, in one
    /// pass over the journal.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        let t0 = Instant::now();
        let path = self.journal.path();
        let mut mem = projection::MemView::default();
        let mut replay_error = None;
        let mut seen = witness::AnchorCheck::new(&self.dir);
        let walk = walk_chain(path, "read journal", |check, no, line| {
            let e = check.next(no, line)?;
            seen.see(e.seq, &e.hash);
            if replay_error.is_none() {
                if let Err(err) = projection::apply(&mut mem, &e) {
                    replay_error = Some(format!("event {} does not replay: {err}", e.seq));
                }
            }
            Ok(())
        })?;
        let (events, chain_break, torn) = (walk.events, walk.chain_break, walk.torn_tail_bytes);
        let mut report = VerifyReport {
            events,
            torn_tail_bytes: torn,
            chain_break,
            projection_mismatch: None,
            anchor_break: None,
            millis: 0,
        };
        if report.chain_break.is_none() {
            report.projection_mismatch = match replay_error {
                Some(m) => Some(m),
                None => self.compare_projection(&mem, events)?,
            };
            report.anchor_break = match anchors::check(path).map_err(io("read journal"))? {
                Some(b) => Some(b),
                None => seen.finish(events),
            };
        }
        // The outcome is kept in sled: a break makes the desk read-only from the next open
        // until a verify passes.
        match report.chain_break.as_ref().or(report.anchor_break.as_ref()) {
            Some(b) => self.db.set_chain_break(Some(b))?,
            None if report.projection_mismatch.is_none() => {
                if self.db.chain_break()?.is_some() {
                    self.db.set_chain_break(None)?;
                }
                if events == self.head.seq {
                    self.db.put_meta_head(witness::VERIFIED, &self.head)?;
                    self.db.flush()?;
                }
            }
            None => {}
        }
        report.millis = t0.elapsed().as_millis() as u64;
        Ok(report)
    }

    fn compare_projection(
        &self,
        mem: &projection::MemView,
        events: u64,
    ) -> Result<Option<String>, StoreError> {
        if self.db.event_count() as u64 != events {
            return Ok(Some(format!(
                "the database holds {} events, the journal {}",
                self.db.event_count(),
                events
            )));
        }
        let mut n = 0usize;
        for inc in self.db.incidents() {
            let inc = inc?;
            n += 1;
            match mem.incidents.get(inc.number.as_str()) {
                Some(m) if *m == inc => {}
                Some(_) => {
                    return Ok(Some(format!(
                        "incident {} differs from a replay",
                        inc.number
                    )))
                }
                None => {
                    return Ok(Some(format!(
                        "incident {} is not in the journal",
                        inc.number
                    )))
                }
            }
        }
        if n != mem.incidents.len() {
            return Ok(Some(format!(
                "the database holds {n} incidents, a replay {}",
                mem.incidents.len()
            )));
        }
        for (day, c) in &mem.counters {
            if self.db.counter(day)? != *c {
                return Ok(Some(format!(
                    "the day counter of {day} differs from a replay"
                )));
            }
        }
        let mut stored = std::collections::BTreeMap::new();
        for notice in self.db.notices("") {
            let notice = notice?;
            stored.insert(notice.q.id.clone(), notice);
        }
        if let Some(id) = first_difference(&stored, &mem.notices) {
            return Ok(Some(format!("notice {id} differs from a replay")));
        }
        let tokens = self.db.tokens().collect::<Result<_, _>>()?;
        if let Some(t) = first_difference(&tokens, &mem.tokens) {
            return Ok(Some(format!("token {t} differs from a replay")));
        }
        let mut instructions = std::collections::BTreeMap::new();
        for ins in self.db.instructions("") {
            let ins = ins?;
            instructions.insert(ins.id.clone(), ins);
        }
        if let Some(id) = first_difference(&instructions, &mem.instructions) {
            return Ok(Some(format!("instruction {id} differs from a replay")));
        }
        if let Some(seq) = self.db.check_line_index()? {
            return Ok(Some(format!(
                "the line index does not point at event {seq} in the journal"
            )));
        }
        let indexed = self
            .db
            .attention_rev()
            .collect::<Result<std::collections::BTreeSet<String>, _>>()?;
        let replayed: std::collections::BTreeSet<String> = mem
            .incidents
            .values()
            .filter(|i| db::needs_attention(i))
            .map(|i| i.number.0.clone())
            .collect();
        if let Some(n) = indexed.symmetric_difference(&replayed).next() {
            return Ok(Some(format!(
                "the attention index differs from a replay at incident {n}"
            )));
        }
        let live: std::collections::BTreeSet<String> = self
            .db
            .live_notices()
            .map(|n| n.map(|n| n.q.id))
            .collect::<Result<_, _>>()?;
        let replayed: std::collections::BTreeSet<String> = mem
            .notices
            .values()
            .filter(|n| db::is_live(n))
            .map(|n| n.q.id.clone())
            .collect();
        if let Some(id) = live.symmetric_difference(&replayed).next() {
            return Ok(Some(format!(
                "the live-notice index differs from a replay at notice {id}"
            )));
        }
        Ok(None)
    }

    /// Flushes sled (the journal is always durable).
    pub fn flush(&self) -> Result<(), StoreError> {
        Ok(self.db.flush()?)
    }
}

/// What walking a journal's chain found.
struct Walk {
    events: u64,
    chain_break: Option<Break>,
    torn_tail_bytes: u64,
}

/// Walks every complete line of a journal through `on_line` (which checks it with the chain
/// and may do more), stopping at the first break; counts an unfinished last line as torn.
fn walk_chain(
    path: &Path,
    what: &str,
    mut on_line: impl FnMut(&mut ChainCheck, u64, &str) -> Result<(), Break>,
) -> Result<Walk, StoreError> {
    let mut check = ChainCheck::default();
    let mut events = 0u64;
    let mut seen = 0u64;
    let mut chain_break = None;
    for r in journal::read_lines(path).map_err(io(what))? {
        let (no, line) = match r {
            Ok(x) => x,
            Err(e) => {
                chain_break = Some(Break {
                    seq: check.expected(),
                    line: events + 1,
                    reason: format!("unreadable line: {e}"),
                });
                break;
            }
        };
        seen += line.len() as u64 + 1;
        match on_line(&mut check, no, &line) {
            Ok(()) => events += 1,
            Err(b) => {
                chain_break = Some(b);
                break;
            }
        }
    }
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let torn_tail_bytes = if chain_break.is_none() {
        bytes.saturating_sub(seen)
    } else {
        0
    };
    Ok(Walk {
        events,
        chain_break,
        torn_tail_bytes,
    })
}

/// Checks a journal file's chain, without opening sled or taking the lock.
pub fn verify_journal(path: &Path, _full: bool) -> Result<VerifyReport, StoreError> {
    let t0 = Instant::now();
    let what = format!("read {}", path.display());
    let mut seen = witness::AnchorCheck::new(path.parent().unwrap_or(Path::new(".")));
    let walk = walk_chain(path, &what, |check, no, line| {
        let e = check.next(no, line)?;
        seen.see(e.seq, &e.hash);
        Ok(())
    })?;
    let anchor_break = if walk.chain_break.is_none() {
        match anchors::check(path).map_err(io(what))? {
            Some(b) => Some(b),
            None => seen.finish(walk.events),
        }
    } else {
        None
    };
    Ok(VerifyReport {
        events: walk.events,
        chain_break: walk.chain_break,
        torn_tail_bytes: walk.torn_tail_bytes,
        projection_mismatch: None,
        anchor_break,
        millis: t0.elapsed().as_millis() as u64,
    })
}

/// The first key whose value differs between two maps (or that only one holds).
fn first_difference<V: PartialEq>(
    a: &std::collections::BTreeMap<String, V>,
    b: &std::collections::BTreeMap<String, V>,
) -> Option<String> {
    a.iter()
        .find(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .or_else(|| b.keys().find(|k| !a.contains_key(*k)).cloned())
}

/// A data folder's journal, opened and locked (see [`open_journal`]).
struct OpenedJournal {
    lock: DataLock,
    head: Head,
    tail_ok: bool,
    notes: Vec<String>,
}

/// The first half of opening a store, all a reader of the log alone needs: creates the
/// folder (0700), takes the lock, opens the journal and checks the tail of its chain. The
/// anchor file is the one witness it compares with (sled is not opened); an unfinished last
/// line is cut off only when there is no database that might have seen it, and otherwise left
/// for [`Store::open`] to judge (only complete lines are read).
fn open_journal(dir: &Path, opts: &OpenOptions) -> Result<OpenedJournal, StoreError> {
    let (lock, _, mut notes) = take_lock(dir, opts)?;
    let jpath = dir.join(JOURNAL);
    let anchors = checkpoints::read(dir)
        .map_err(|e| StoreError::Evidence(witness::anchor_file_unreadable(&e)))?;
    let mut journal = Journal::open_untrimmed(&jpath, opts.durability)
        .map_err(io(format!("open {}", jpath.display())))?;
    let head = witness::journal_head(&jpath, &journal)?;
    if let Some(c) = anchors.live().into_iter().max_by_key(|c| c.seq) {
        if c.seq > head.seq {
            return Err(StoreError::Evidence(format!(
                "日志缺少已确认的记录：日志止于第 {} 号事件，但锚点文件（{} 的检查点）见过第 {} 号。未作任何改动。请先备份数据目录，再运行 `dutydesk recover` / the journal is missing acknowledged records: it ends at event #{}, but the anchor file (checkpoint of {}) saw #{}. Nothing on disk was changed. Back up the data folder, then run `dutydesk recover`",
                head.seq, c.at, c.seq, head.seq, c.at, c.seq
            )));
        }
    }
    if journal.torn_bytes() > 0 && !dir.join(DB_DIR).exists() {
        let repair = journal.trim_torn().map_err(io("trim journal"))?;
        notes.push(format!(
            "删除了未完成的末行 / removed an unfinished last journal line ({} bytes, never acknowledged)",
            repair.torn_bytes
        ));
    }
    // A check of the tail of the chain.
    let tail = journal::tail_lines(&jpath, 256).map_err(io("read journal tail"))?;
    let (_, tail_ok) = check_tail(&tail, &mut notes);
    Ok(OpenedJournal {
        lock,
        head,
        tail_ok,
        notes,
    })
}

/// Creates the folder (0700) and takes its lock; notes a stale lock taken over.
fn take_lock(
    dir: &Path,
    opts: &OpenOptions,
) -> Result<(DataLock, Holder, Vec<String>), StoreError> {
    os::restrict_umask();
    os::ensure_private_dir(dir).map_err(io(format!("create {}", dir.display())))?;
    let me = Holder {
        pid: std::process::id(),
        user: os::os_user(),
        tty: os::tty(),
        since: chrono::Local::now().fixed_offset(),
        purpose: opts.purpose.clone(),
    };
    let lock = lock::acquire(dir, &me)?;
    let mut notes = Vec::new();
    if let Some(h) = &lock.took_over {
        notes.push(format!(
            "接管了失效的锁 / took over a stale lock held by {h}"
        ));
    }
    Ok((lock, me, notes))
}

/// A data folder's journal without its database, for a reader of the log alone (the audit):
/// opened as [`Store::open`] opens it (the lock taken, an unfinished last line removed, the
/// tail of the chain checked), but sled is neither opened nor brought level, which on a large
/// store is most of the time an open takes.
#[derive(Debug)]
pub struct JournalOnly {
    path: PathBuf,
    /// The journal's last event.
    pub head: Head,
    /// False when the tail of the chain did not verify.
    pub tail_ok: bool,
    /// What opening had to do or found.
    pub open_notes: Vec<String>,
    _lock: DataLock,
}

impl JournalOnly {
    /// Opens the journal in `dir`; `None` (and nothing created) when the folder has no
    /// journal, or an empty one: a new store is the full [`Store::open`]'s to make.
    pub fn open(dir: &Path, opts: OpenOptions) -> Result<Option<JournalOnly>, StoreError> {
        let path = dir.join(JOURNAL);
        match std::fs::metadata(&path) {
            Ok(m) if m.len() > 0 => {}
            _ => return Ok(None),
        }
        let opened = open_journal(dir, &opts)?;
        if opened.head.seq == 0 {
            return Ok(None);
        }
        for n in &opened.notes {
            tracing::warn!("{n}");
        }
        Ok(Some(JournalOnly {
            path,
            head: opened.head,
            tail_ok: opened.tail_ok,
            open_notes: opened.notes,
            _lock: opened.lock,
        }))
    }

    /// Every event line up to the head, oldest first, in blocks of about `size` bytes of
    /// whole lines (see [`lines::Blocks`]).
    pub fn event_blocks(&self, size: usize) -> Result<lines::Blocks, DbError> {
        lines::Blocks::open(&self.path, 1, 0, 1, self.head.seq, size)
            .map_err(|e| DbError::Journal(e.to_string()))
    }
}

fn check_tail(tail: &[String], notes: &mut Vec<String>) -> (Head, bool) {
    let Some(last) = tail.last() else {
        return (
            Head {
                seq: 0,
                hash: crate::domain::GENESIS_HASH.to_string(),
            },
            true,
        );
    };
    let first: Option<Event> = tail.first().and_then(|l| serde_json::from_str(l).ok());
    let mut ok = first.is_some();
    if let Some(first) = &first {
        let mut c = ChainCheck::after(first.seq.saturating_sub(1), &first.prev);
        for (i, l) in tail.iter().enumerate() {
            if let Err(b) = c.next(i as u64, l) {
                notes.push(format!(
                    "日志链尾部校验失败 / the tail of the log chain does not verify at #{}: {} — run `dutydesk verify`",
                    b.seq, b.reason
                ));
                ok = false;
                break;
            }
        }
    }
    match serde_json::from_str::<Event>(last) {
        Ok(e) => (
            Head {
                seq: e.seq,
                hash: e.hash,
            },
            ok,
        ),
        Err(_) => (
            Head {
                seq: 0,
                hash: crate::domain::GENESIS_HASH.to_string(),
            },
            false,
        ),
    }
}

/// Replaces a database made before the line index (a copy of every journal line in sled) with
/// a fresh one holding only the projections, once: the copy goes to `db.slim`, then takes the
/// old one's place. Interrupted anywhere, the next open finds either database (or none, and
/// rebuilds from the journal).
fn slim(old: Db, dbpath: &Path, jpath: &Path, notes: &mut Vec<String>) -> Result<Db, StoreError> {
    let t0 = Instant::now();
    let fresh = dbpath.with_file_name("db.slim");
    if fresh.exists() {
        std::fs::remove_dir_all(&fresh).map_err(io(format!("remove {}", fresh.display())))?;
    }
    let n = old.copy_projections(&fresh)?;
    drop(old);
    let before = dbpath.with_file_name("db.before-slim");
    if before.exists() {
        std::fs::remove_dir_all(&before).map_err(io(format!("remove {}", before.display())))?;
    }
    std::fs::rename(dbpath, &before).map_err(io(format!("move {}", dbpath.display())))?;
    std::fs::rename(&fresh, dbpath).map_err(io(format!("move {}", fresh.display())))?;
    if let Some(dir) = dbpath.parent() {
        os::sync_dir(dir).map_err(io("sync data folder"))?;
    }
    std::fs::remove_dir_all(&before).map_err(io(format!("remove {}", before.display())))?;
    let db = Db::open(dbpath, jpath)?;
    notes.push(format!(
        "数据库已精简：事件原文改从日志读取（一次性，{n} 项，{:.1} 秒）/ the database was slimmed: event lines are now read from the journal (once, {n} entries, {:.1} s)",
        t0.elapsed().as_secs_f64(),
        t0.elapsed().as_secs_f64()
    ));
    Ok(db)
}

fn set_aside(dbpath: &Path) -> Result<(), StoreError> {
    if !dbpath.exists() {
        return Ok(());
    }
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    // Never overwrite an earlier set-aside copy: find a free name.
    let aside = (0..)
        .map(|i| {
            let suffix = if i == 0 {
                String::new()
            } else {
                format!("-{i}")
            };
            dbpath.with_file_name(format!("db.broken-{stamp}{suffix}"))
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| dbpath.with_file_name("db.broken"));
    std::fs::rename(dbpath, &aside).map_err(io(format!("move {} aside", dbpath.display())))?;
    tracing::warn!("database set aside as {}", aside.display());
    prune_set_aside(dbpath, &aside);
    Ok(())
}

/// Keeps only the newest set-aside database (`aside`): each older `db.broken*` is removed with
/// a note (a disk-full minute once left 52 of them, 650 MB each at 100k incidents). The
/// journal, not these copies, is the record; a failure to remove one is only logged.
fn prune_set_aside(dbpath: &Path, aside: &Path) {
    let Some(dir) = dbpath.parent() else { return };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let older = p != aside
            && e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with("db.broken"));
        if older {
            match std::fs::remove_dir_all(&p) {
                Ok(()) => tracing::warn!(
                    "older set-aside database {} removed (the newest, {}, is kept)",
                    p.display(),
                    aside.display()
                ),
                Err(err) => tracing::warn!("could not remove {}: {err}", p.display()),
            }
        }
    }
}

/// How long something took, for figures.
pub fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod set_aside_tests {
    use super::*;

    #[test]
    fn only_the_newest_set_aside_database_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        for old in [
            "db.broken-20261201T000000Z",
            "db.broken-20261202T000000Z-1",
            "db.broken",
        ] {
            std::fs::create_dir_all(dir.path().join(old)).unwrap();
            std::fs::write(dir.path().join(old).join("conf"), b"x").unwrap();
        }
        std::fs::create_dir_all(&db).unwrap();
        std::fs::write(db.join("conf"), b"newest").unwrap();
        std::fs::write(dir.path().join("journal.jsonl"), b"kept").unwrap();
        set_aside(&db).unwrap();
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        let broken: Vec<&String> = left.iter().filter(|n| n.starts_with("db.broken")).collect();
        assert_eq!(broken.len(), 1, "{left:?}");
        assert_eq!(
            std::fs::read(dir.path().join(broken[0]).join("conf")).unwrap(),
            b"newest"
        );
        assert!(left.contains(&"journal.jsonl".to_string()), "{left:?}");
        assert!(!db.exists());
    }
}
