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
pub mod guard;
pub mod journal;
pub mod lines;
pub mod lock;
pub use crate::os;
pub mod projection;
pub mod recover;
pub mod signing;
pub mod view;
mod witness;

mod journal_only;
mod open;
mod rebuild;
mod verify;

pub use journal_only::JournalOnly;
use open::{open_journal, open_journal_for_reading, set_aside, take_lock};
pub use verify::{verify_journal, VerifyReport};

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

/// Events to apply from which a rebuild or catch-up says how far it is, on standard error.
const PROGRESS_FROM: u64 = 50_000;

/// What a full disk tells the officer, whichever file (journal or database) hit it.
const DISK_FULL: &str = " — 磁盘已满 / the disk is full: free space, then try again";

/// True when an I/O error says the disk (or the quota) is full, by its OS code or, for an
/// error rebuilt without one, by its kind.
pub(crate) fn io_is_disk_full(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error().map(rustix::io::Errno::from_raw_os_error),
        Some(rustix::io::Errno::NOSPC | rustix::io::Errno::DQUOT)
    ) || matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// The condition, in plain words, when an error says the data folder cannot be written at
/// all (the disk or quota is full, the file system is read-only): reads then go on from the
/// journal alone ([`Store::open`]), nothing is set aside and nothing is written.
pub(crate) fn unwritable(e: &StoreError) -> Option<(&'static str, &'static str)> {
    use std::io::ErrorKind as K;
    let kind = match e {
        StoreError::Io { source, .. } | StoreError::Lock(LockError::Io { source, .. }) => {
            if io_is_disk_full(source) {
                K::StorageFull
            } else {
                source.kind()
            }
        }
        StoreError::Db(d) if d.is_disk_full() => K::StorageFull,
        StoreError::Db(d) => d.io_kind()?,
        _ => return None,
    };
    match kind {
        K::StorageFull | K::QuotaExceeded => Some(DISK_FULL_PLAIN),
        K::ReadOnlyFilesystem => Some(READ_ONLY_FS),
        _ => None,
    }
}

/// The banner's words for a full disk.
const DISK_FULL_PLAIN: (&str, &str) = ("磁盘已满", "disk full");
/// The banner's words for a read-only file system.
const READ_ONLY_FS: (&str, &str) = ("只读文件系统", "read-only file system");

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
    /// The desk key that signs the checkpoints (none: they are written unsigned).
    pub signer: Option<std::sync::Arc<signing::DeskKey>>,
    /// The time a new store's first event is stamped with: the desk's clock (default: the
    /// system clock).
    pub created_at: Option<DateTime<FixedOffset>>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            purpose: "dutydesk".into(),
            durability: Durability::Sync,
            anchor_every: checkpoints::every_from_env(),
            signer: None,
            created_at: None,
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
    /// The desk key that signs checkpoints.
    signer: Option<std::sync::Arc<signing::DeskKey>>,
    /// Set when opening (or a request) found the database damaged and rebuilt it from the
    /// journal: what happened, for the officer (the CLI prints it on standard error).
    pub db_repaired: Option<String>,
    /// True while opening or `rebuild` runs (a CLI's standard error is the officer's): a long
    /// rebuild says how far it is. Never while a console owns the terminal.
    progress: bool,
    /// Dropped last: the folder stays locked until sled (dropped before it) has let go.
    _lock: DataLock,
}

impl Drop for Store {
    fn drop(&mut self) {
        // sled's writes reach its files before the handle goes (then `db`, then the lock).
        if let Err(e) = self.db.flush() {
            tracing::warn!("flushing the database on close: {e}");
        }
    }
}

impl Store {
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
            key: None,
            sig: None,
        };
        let c = match &self.signer {
            Some(k) => c.signed(k),
            None => c,
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
            let (e, line) = Event::sealed(seq, at, &actor.officer, &actor.os_user, body, &prev);
            prev = e.hash.clone();
            sealed.push((e, line));
        }
        self.dry_run(&sealed)?;
        let offset = self.journal.end();
        self.journal
            .append(sealed.iter().map(|(_, l)| l.as_str()))
            .map_err(io("write journal"))?;
        // Durable from here: the journal holds it, whatever sled does next. The anchor file
        // and sled follow the journal, never precede it: neither can name an event the
        // journal has not made durable, so a crash never looks like a journal cut short.
        self.head = Head { seq, hash: prev };
        self.checkpoint_after(before, handover);
        if let Err(e) = self.db.apply(&sealed, offset) {
            tracing::error!("sled apply failed after a durable journal write: {e}");
            self.sled_behind = Some(e.to_string());
        }
        Ok(sealed.into_iter().map(|(e, _)| e).collect())
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
            let (e, line) = Event::sealed(seq, at, &actor.officer, &actor.os_user, body, &prev);
            prev = e.hash.clone();
            sealed.push((e, line));
        }
        self.dry_run(&sealed)?;
        let mut offset = self.journal.end();
        self.journal
            .append(sealed.iter().map(|(_, l)| l.as_str()))
            .map_err(io("write journal"))?;
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

    /// Opens the real database in place of the stand-in (sled's own threads can hold its
    /// folder's lock for a moment after the old handle went: [`Db::open`] tries again).
    fn open_db(&mut self) -> Result<(), StoreError> {
        self.db = Db::open(&self.dir.join(DB_DIR), self.journal.path())?;
        self.db_closed = false;
        Ok(())
    }

    /// Answers sled panicking in the middle of a request (`what` it said): the database is
    /// set aside and rebuilt from the journal, as for damage found on open. The caller tries
    /// its request again.
    pub fn rebuild_after_panic(&mut self, what: &str) -> Result<(), StoreError> {
        tracing::error!("sled panicked during a request ({what}); rebuilding the database");
        let stop = self.rebuild_inner()?;
        self.repaired(&DbError::Panicked(what.to_string()));
        match stop {
            Some(b) => Err(StoreError::Corrupt(b)),
            None => Ok(()),
        }
    }

    /// Checks that sled would take these events, catching it up (or reopening it) first when it
    /// missed an append or failed on its own.
    fn dry_run(&mut self, events: &[(Event, String)]) -> Result<(), StoreError> {
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

/// A data folder's journal, opened and locked (see [`open_journal`]).
struct OpenedJournal {
    lock: DataLock,
    head: Head,
    tail_ok: bool,
    notes: Vec<String>,
}

/// How long something took, for figures.
pub fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
