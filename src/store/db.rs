//! The sled database: the projection trees and a sparse index of the journal's event lines,
//! written in one transaction and flushed before an append returns. The lines themselves are
//! read from the journal (see [`super::lines`]). The only file that imports sled.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sled::transaction::{
    ConflictableTransactionError, TransactionError, TransactionalTree, UnabortableTransactionError,
};
use sled::Transactional;

use super::lines::{self, Floor};
use super::projection::{self, ApplyError, View};
use crate::domain::{Event, EventBody, Incident, Instruction, Notice};

/// The database and its trees.
#[derive(Debug, Clone)]
pub struct Db {
    db: sled::Db,
    /// The journal whose lines the offset index points into.
    journal: PathBuf,
    incidents: sled::Tree,
    notices: sled::Tree,
    meta: sled::Tree,
    instructions: sled::Tree,
}

/// A database error: sled's own, or an event the projection refuses.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// sled failed.
    #[error("sled: {0}")]
    Sled(#[from] sled::Error),
    /// The event contradicts the projection.
    #[error("{0}")]
    Rejected(String),
    /// A stored value could not be read.
    #[error("stored value unreadable: {0}")]
    Decode(String),
    /// The journal's lines could not be read.
    #[error("journal: {0}")]
    Journal(String),
}

/// The last applied event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Head {
    /// Its sequence number (0 for none).
    pub seq: u64,
    /// Its hash.
    pub hash: String,
}

struct TxView<'a> {
    incidents: &'a TransactionalTree,
    notices: &'a TransactionalTree,
    meta: &'a TransactionalTree,
    instructions: &'a TransactionalTree,
}

/// Decodes the JSON value of one tree entry.
fn decode_entry<T: serde::de::DeserializeOwned>(
    entry: sled::Result<(sled::IVec, sled::IVec)>,
) -> Result<T, DbError> {
    let (_, v) = entry?;
    serde_json::from_slice(&v).map_err(|e| DbError::Decode(e.to_string()))
}

fn counter_key(day: &str) -> Vec<u8> {
    format!("day/{day}").into_bytes()
}

fn token_key(token: &str) -> Vec<u8> {
    format!("tok/{token}").into_bytes()
}

/// Prefix of the attention index in the meta tree: one key per incident still open or with an
/// open flag, so the board, `list --open` and the handover need not read every incident.
const ATTENTION: &str = "att/";
/// Set once the attention and live-notice indexes cover the whole database (databases made
/// before them are indexed on first open).
const ATTENTION_MARK: &str = "att-index-v1";

fn attention_key(number: &str) -> Vec<u8> {
    format!("{ATTENTION}{number}").into_bytes()
}

/// Prefix of the live-notice index in the meta tree: one key per notice not yet acknowledged
/// or still owed a send, so the once-a-second tick never reads every notice ever sent.
const LIVE: &str = "live/";

fn live_key(id: &str) -> Vec<u8> {
    format!("{LIVE}{id}").into_bytes()
}

/// Whether a notice belongs in the live-notice index.
pub fn is_live(n: &Notice) -> bool {
    n.is_live()
}

/// Prefix of the sparse line index in the meta tree: `eo/` + seq (big-endian) → byte offset
/// of that event's line in the journal, for every [`lines::STRIDE`]th event.
const OFFSETS: &[u8] = b"eo/";
/// Set once the line index covers the database's events.
const OFFSETS_MARK: &str = "eo-index-v1";

/// Where a chain break found by open, `rebuild` or `verify` is kept until a `verify` passes.
const CHAIN_BREAK: &str = "chain-break";

/// The tree in which databases made before the line index kept a copy of every line.
const LINE_COPY: &str = "events";

fn offset_key(seq: u64) -> Vec<u8> {
    let mut k = OFFSETS.to_vec();
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// Decodes one entry of the line index: (seq, byte offset).
fn offset_entry(k: &[u8], v: &[u8]) -> Result<(u64, u64), DbError> {
    let seq = k
        .get(OFFSETS.len()..)
        .and_then(|b| <[u8; 8]>::try_from(b).ok());
    let offset = <[u8; 8]>::try_from(v).ok();
    match (seq, offset) {
        (Some(s), Some(o)) => Ok((u64::from_be_bytes(s), u64::from_be_bytes(o))),
        _ => Err(DbError::Decode("a line index entry".into())),
    }
}

/// Whether an incident belongs in the attention index.
pub fn needs_attention(inc: &Incident) -> bool {
    !inc.closed || inc.open_flags().next().is_some()
}

impl View for TxView<'_> {
    type Err = UnabortableTransactionError;
    fn incident(&self, number: &str) -> Result<Option<Incident>, Self::Err> {
        Ok(self
            .incidents
            .get(number.as_bytes())?
            .and_then(|v| serde_json::from_slice(&v).ok()))
    }
    fn put_incident(&mut self, inc: Incident) -> Result<(), Self::Err> {
        let v = serde_json::to_vec(&inc).unwrap_or_default();
        self.incidents.insert(inc.number.0.as_bytes(), v)?;
        let key = attention_key(inc.number.as_str());
        if needs_attention(&inc) {
            self.meta.insert(key, &[])?;
        } else {
            self.meta.remove(key)?;
        }
        Ok(())
    }
    fn counter(&self, day: &str) -> Result<u32, Self::Err> {
        Ok(self
            .meta
            .get(counter_key(day))?
            .and_then(|v| <[u8; 4]>::try_from(v.as_ref()).ok())
            .map(u32::from_be_bytes)
            .unwrap_or(0))
    }
    fn put_counter(&mut self, day: &str, n: u32) -> Result<(), Self::Err> {
        self.meta.insert(counter_key(day), &n.to_be_bytes())?;
        Ok(())
    }
    fn notice(&self, id: &str) -> Result<Option<Notice>, Self::Err> {
        Ok(self
            .notices
            .get(id.as_bytes())?
            .and_then(|v| serde_json::from_slice(&v).ok()))
    }
    fn put_notice(&mut self, n: &Notice) -> Result<(), Self::Err> {
        let v = serde_json::to_vec(n).unwrap_or_default();
        self.notices.insert(n.q.id.as_bytes(), v)?;
        if is_live(n) {
            self.meta.insert(live_key(&n.q.id), &[])?;
        } else {
            self.meta.remove(live_key(&n.q.id))?;
        }
        Ok(())
    }
    fn token(&self, token: &str) -> Result<Option<String>, Self::Err> {
        Ok(self
            .meta
            .get(token_key(token))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }
    fn put_token(&mut self, token: &str, id: &str) -> Result<(), Self::Err> {
        self.meta.insert(token_key(token), id.as_bytes())?;
        Ok(())
    }
    fn instruction(&self, id: &str) -> Result<Option<Instruction>, Self::Err> {
        Ok(self
            .instructions
            .get(id.as_bytes())?
            .and_then(|v| serde_json::from_slice(&v).ok()))
    }
    fn put_instruction(&mut self, ins: &Instruction) -> Result<(), Self::Err> {
        let v = serde_json::to_vec(ins).unwrap_or_default();
        self.instructions.insert(ins.id.as_bytes(), v)?;
        Ok(())
    }
}

impl DbError {
    /// True when sled failed because the disk is full. Sled hands the error of its flusher to
    /// later calls as a clone, and its clone keeps only the kind (the OS code is lost), so the
    /// kind is checked as well as the code.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, DbError::Sled(sled::Error::Io(e)) if super::io_is_disk_full(e))
    }
}

/// How long an open waits for sled's lock on its folder: sled's own threads can hold it for a
/// moment after the last handle went, and a child forked by another thread meanwhile keeps a
/// copy of the descriptor until it execs. Refused for good, the open would set a healthy
/// database aside and rebuild it.
const SLED_LOCK_WAIT: Duration = Duration::from_secs(2);

impl Db {
    /// Opens (or creates) the database in `path`, over the lines of the journal at `journal`.
    /// Sled's lock on its folder refused is tried again for up to [`SLED_LOCK_WAIT`].
    pub fn open(path: &Path, journal: &Path) -> Result<Db, DbError> {
        let waited_since = Instant::now();
        let db = loop {
            match sled::Config::new()
                .path(path)
                .cache_capacity(32 * 1024 * 1024)
                .open()
            {
                Ok(db) => break db,
                Err(e)
                    if e.to_string().contains("could not acquire lock")
                        && waited_since.elapsed() < SLED_LOCK_WAIT =>
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(e.into()),
            }
        };
        let db = Db::with_trees(db, journal)?;
        db.index_attention()?;
        if !db.has_line_copy() {
            db.index_offsets()?;
        }
        Ok(db)
    }

    /// An empty database in a temporary place (shared memory on Linux), standing in while the
    /// real one is closed and opened again: sled holds a lock on its folder, so the old handle
    /// must be gone before the new one opens.
    pub fn stand_in(journal: &Path) -> Result<Db, DbError> {
        let config = || {
            sled::Config::new()
                .temporary(true)
                .cache_capacity(1024 * 1024)
        };
        // Where there is no /dev/shm, in the temporary folder.
        let db = config().open().or_else(|_| {
            let name = format!(
                "dutydesk-stand-in-{}-{}",
                std::process::id(),
                chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
            );
            config().path(std::env::temp_dir().join(name)).open()
        })?;
        Db::with_trees(db, journal)
    }

    fn with_trees(db: sled::Db, journal: &Path) -> Result<Db, DbError> {
        Ok(Db {
            journal: journal.to_path_buf(),
            incidents: db.open_tree("incidents")?,
            notices: db.open_tree("notices")?,
            meta: db.open_tree("meta")?,
            instructions: db.open_tree("instructions")?,
            db,
        })
    }

    /// True for a database made before the line index, which keeps a copy of every journal
    /// line in an `events` tree (the store copies its projections into a fresh one on open:
    /// [`Db::copy_projections`]).
    pub fn has_line_copy(&self) -> bool {
        self.db
            .tree_names()
            .iter()
            .any(|n| n.as_ref() == LINE_COPY.as_bytes())
    }

    /// Copies the projection trees into a fresh database at `to` (flushing every 10,000
    /// entries, so memory stays bounded); the line index is built there when it is opened.
    pub fn copy_projections(&self, to: &Path) -> Result<u64, DbError> {
        let fresh = sled::Config::new()
            .path(to)
            .cache_capacity(8 * 1024 * 1024)
            .open()?;
        let mut n = 0u64;
        for (name, tree) in [
            ("incidents", &self.incidents),
            ("notices", &self.notices),
            ("instructions", &self.instructions),
            ("meta", &self.meta),
        ] {
            let into = fresh.open_tree(name)?;
            for r in tree.iter() {
                let (k, v) = r?;
                into.insert(k, v)?;
                n += 1;
                if n % 10_000 == 0 {
                    fresh.flush()?;
                }
            }
        }
        fresh.flush()?;
        Ok(n)
    }

    /// Builds the line index from the journal, once (a new database is only marked).
    fn index_offsets(&self) -> Result<(), DbError> {
        if self.meta.contains_key(OFFSETS_MARK)? {
            return Ok(());
        }
        let head = self.head()?.seq;
        if head > 0 {
            let read = lines::Forward::open(&self.journal, 1, 0, 1, head, 1 << 20)
                .map_err(|e| DbError::Journal(e.to_string()))?;
            for r in read {
                let (seq, offset, _) = r.map_err(|e| DbError::Journal(e.to_string()))?;
                if lines::indexed(seq) {
                    self.meta.insert(offset_key(seq), &offset.to_be_bytes())?;
                }
            }
        }
        self.meta.insert(OFFSETS_MARK, &[])?;
        self.db.flush()?;
        Ok(())
    }

    /// The indexed event at or before `seq` and its line's offset ((1, 0) when none is): where
    /// to start reading the journal for event `seq`.
    pub fn floor_of(&self, seq: u64) -> Result<Floor, DbError> {
        match self.meta.range(offset_key(0)..=offset_key(seq)).next_back() {
            Some(r) => {
                let (k, v) = r?;
                offset_entry(&k, &v)
            }
            None => Ok((1, 0)),
        }
    }

    /// Builds the attention and live-notice indexes of a database made before they existed (one
    /// pass over incidents and notices, once); a new database is only marked.
    fn index_attention(&self) -> Result<(), DbError> {
        if self.meta.contains_key(ATTENTION_MARK)? {
            return Ok(());
        }
        for inc in self.incidents() {
            let inc = inc?;
            if needs_attention(&inc) {
                self.meta.insert(attention_key(inc.number.as_str()), &[])?;
            }
        }
        for n in self.notices("") {
            let n = n?;
            if is_live(&n) {
                self.meta.insert(live_key(&n.q.id), &[])?;
            }
        }
        self.meta.insert(ATTENTION_MARK, &[])?;
        self.db.flush()?;
        Ok(())
    }

    /// Notices not yet acknowledged or still owed a send, in id order.
    pub fn live_notices(&self) -> impl Iterator<Item = Result<Notice, DbError>> + '_ {
        self.meta.scan_prefix(LIVE).filter_map(|r| {
            let id = match r {
                Ok((k, _)) => String::from_utf8_lossy(&k[LIVE.len()..]).into_owned(),
                Err(e) => return Some(Err(e.into())),
            };
            self.notice(&id).transpose()
        })
    }

    /// Numbers of the incidents still open or with an open flag, newest first.
    pub fn attention_rev(&self) -> impl Iterator<Item = Result<String, DbError>> + '_ {
        self.meta.scan_prefix(ATTENTION).rev().map(|r| {
            let (k, _) = r?;
            Ok(String::from_utf8_lossy(&k[ATTENTION.len()..]).into_owned())
        })
    }

    /// The last applied event (seq 0 when empty).
    pub fn head(&self) -> Result<Head, DbError> {
        match self.meta.get("head")? {
            Some(v) => serde_json::from_slice(&v).map_err(|e| DbError::Decode(e.to_string())),
            None => Ok(Head {
                seq: 0,
                hash: crate::domain::GENESIS_HASH.to_string(),
            }),
        }
    }

    /// A head kept in the meta tree under `key` (`verified`: the chain was checked up to it;
    /// `anchor`: the newest checkpoint written to the anchor file).
    pub fn meta_head(&self, key: &str) -> Result<Option<Head>, DbError> {
        match self.meta.get(key)? {
            Some(v) => serde_json::from_slice(&v)
                .map(Some)
                .map_err(|e| DbError::Decode(format!("{key}: {e}"))),
            None => Ok(None),
        }
    }

    /// Keeps a head in the meta tree under `key` (flushed with the next [`Db::apply`], or by
    /// [`Db::flush`]).
    pub fn put_meta_head(&self, key: &str, head: &Head) -> Result<(), DbError> {
        let v = serde_json::to_vec(head).map_err(|e| DbError::Decode(e.to_string()))?;
        self.meta.insert(key, v)?;
        Ok(())
    }

    /// The chain break a check recorded and no later check cleared, if any.
    pub fn chain_break(&self) -> Result<Option<super::Break>, DbError> {
        match self.meta.get(CHAIN_BREAK)? {
            Some(v) => serde_json::from_slice(&v)
                .map(Some)
                .map_err(|e| DbError::Decode(format!("{CHAIN_BREAK}: {e}"))),
            None => Ok(None),
        }
    }

    /// Records (or with `None` clears) a chain break, durably.
    pub fn set_chain_break(&self, b: Option<&super::Break>) -> Result<(), DbError> {
        match b {
            Some(b) => {
                let v = serde_json::to_vec(b).map_err(|e| DbError::Decode(e.to_string()))?;
                self.meta.insert(CHAIN_BREAK, v)?;
            }
            None => {
                self.meta.remove(CHAIN_BREAK)?;
            }
        }
        self.db.flush()?;
        Ok(())
    }

    /// Every day counter (`YYYYMMDD` → the highest number used that day).
    pub fn day_counters(&self) -> Result<std::collections::BTreeMap<String, u32>, DbError> {
        let mut out = std::collections::BTreeMap::new();
        for r in self.meta.scan_prefix("day/") {
            let (k, v) = r?;
            if let Ok(b) = <[u8; 4]>::try_from(v.as_ref()) {
                out.insert(
                    String::from_utf8_lossy(&k[4..]).into_owned(),
                    u32::from_be_bytes(b),
                );
            }
        }
        Ok(out)
    }

    /// Checks that events apply to the current projection, without writing anything.
    pub fn dry_run(&self, events: &[Event]) -> Result<(), DbError> {
        let mut mem = projection::MemView::default();
        for e in events {
            if let Some(no) = e.body.incident() {
                if !mem.incidents.contains_key(no) {
                    if let Some(inc) = self.incident(no)? {
                        mem.incidents.insert(no.to_string(), inc);
                    }
                }
            }
            if let Some(id) = e.body.notice() {
                if !mem.notices.contains_key(id) {
                    if let Some(n) = self.notice(id)? {
                        mem.notices.insert(id.to_string(), n);
                    }
                }
            }
            if let Some(id) = e.body.instruction() {
                if !mem.instructions.contains_key(id) {
                    if let Some(ins) = self.instruction(id)? {
                        mem.instructions.insert(id.to_string(), ins);
                    }
                }
            }
            if let EventBody::NoticeQueued { notice } = &e.body {
                if let Some(other) = self.token(&notice.token)? {
                    mem.tokens.insert(notice.token.clone(), other);
                }
            }
            projection::apply(&mut mem, e).map_err(|e| match e {
                ApplyError::Rejected(m) => DbError::Rejected(m),
                ApplyError::Storage(never) => match never {},
            })?;
        }
        Ok(())
    }

    /// Writes the projections of events (whose lines start at byte `first_offset` of the
    /// journal, one after another) and their line index in one transaction, then flushes.
    pub fn apply(&self, events: &[(Event, String)], first_offset: u64) -> Result<(), DbError> {
        let Some((last, _)) = events.last() else {
            return Ok(());
        };
        let head = serde_json::to_vec(&Head {
            seq: last.seq,
            hash: last.hash.clone(),
        })
        .unwrap_or_default();
        let trees = (
            &self.incidents,
            &self.notices,
            &self.meta,
            &self.instructions,
        );
        let result = trees.transaction(|(inc, notices, meta, instructions)| {
            let mut view = TxView {
                incidents: inc,
                notices,
                meta,
                instructions,
            };
            let mut offset = first_offset;
            for (e, line) in events {
                if lines::indexed(e.seq) {
                    meta.insert(offset_key(e.seq), &offset.to_be_bytes())?;
                }
                offset += line.len() as u64 + 1;
                projection::apply(&mut view, e).map_err(|err| match err {
                    ApplyError::Rejected(m) => ConflictableTransactionError::Abort(m),
                    ApplyError::Storage(u) => u.into(),
                })?;
            }
            meta.insert("head", head.as_slice())?;
            Ok(())
        });
        match result {
            Ok(()) => {}
            Err(TransactionError::Abort(m)) => return Err(DbError::Rejected(m)),
            Err(TransactionError::Storage(e)) => return Err(DbError::Sled(e)),
        }
        self.db.flush()?;
        Ok(())
    }

    /// One incident.
    pub fn incident(&self, number: &str) -> Result<Option<Incident>, DbError> {
        match self.incidents.get(number.as_bytes())? {
            Some(v) => serde_json::from_slice(&v)
                .map(Some)
                .map_err(|e| DbError::Decode(format!("incident {number}: {e}"))),
            None => Ok(None),
        }
    }

    /// Every incident, in number order.
    pub fn incidents(&self) -> impl Iterator<Item = Result<Incident, DbError>> + '_ {
        self.incidents.iter().map(decode_entry)
    }

    /// Incidents whose number starts with `YYYYMMDD` of a day, or later days (for ranges).
    pub fn incidents_from(
        &self,
        number: &str,
    ) -> impl DoubleEndedIterator<Item = Result<Incident, DbError>> + '_ {
        self.incidents.range(number.as_bytes()..).map(decode_entry)
    }

    /// The newest incidents first.
    pub fn incidents_rev(&self) -> impl Iterator<Item = Result<Incident, DbError>> + '_ {
        self.incidents.iter().rev().map(decode_entry)
    }

    /// One notice.
    pub fn notice(&self, id: &str) -> Result<Option<Notice>, DbError> {
        match self.notices.get(id.as_bytes())? {
            Some(v) => serde_json::from_slice(&v)
                .map(Some)
                .map_err(|e| DbError::Decode(format!("notice {id}: {e}"))),
            None => Ok(None),
        }
    }

    /// One instruction (批示).
    pub fn instruction(&self, id: &str) -> Result<Option<Instruction>, DbError> {
        match self.instructions.get(id.as_bytes())? {
            Some(v) => serde_json::from_slice(&v)
                .map(Some)
                .map_err(|e| DbError::Decode(format!("instruction {id}: {e}"))),
            None => Ok(None),
        }
    }

    /// Instructions whose id starts with `prefix` ("" for all), in id order.
    pub fn instructions(
        &self,
        prefix: &str,
    ) -> impl Iterator<Item = Result<Instruction, DbError>> + '_ {
        self.instructions
            .scan_prefix(prefix.as_bytes())
            .map(decode_entry)
    }

    /// The notice id a token belongs to.
    pub fn token(&self, token: &str) -> Result<Option<String>, DbError> {
        Ok(self
            .meta
            .get(token_key(token))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Every token and its notice id, in token order.
    pub fn tokens(&self) -> impl Iterator<Item = Result<(String, String), DbError>> + '_ {
        self.meta.scan_prefix(b"tok/").map(|r| {
            let (k, v) = r?;
            let k = String::from_utf8_lossy(&k[4..]).into_owned();
            Ok((k, String::from_utf8_lossy(&v).into_owned()))
        })
    }

    /// Notices whose id starts with `prefix` (an incident number and `/`, or "" for all).
    pub fn notices(&self, prefix: &str) -> impl Iterator<Item = Result<Notice, DbError>> + '_ {
        self.notices
            .scan_prefix(prefix.as_bytes())
            .map(decode_entry)
    }

    /// Number of incidents: the sum of the day counters (numbers are dense within a day), so
    /// it costs one entry a day rather than a scan of every incident.
    pub fn incident_count(&self) -> usize {
        self.meta
            .scan_prefix("day/")
            .filter_map(Result::ok)
            .filter_map(|(_, v)| <[u8; 4]>::try_from(v.as_ref()).ok())
            .map(|b| u32::from_be_bytes(b) as usize)
            .sum()
    }

    /// The highest counter used on a day.
    pub fn counter(&self, day: &str) -> Result<u32, DbError> {
        Ok(self
            .meta
            .get(counter_key(day))?
            .and_then(|v| <[u8; 4]>::try_from(v.as_ref()).ok())
            .map(u32::from_be_bytes)
            .unwrap_or(0))
    }

    /// One event's journal line.
    pub fn event_line(&self, seq: u64) -> Result<Option<String>, DbError> {
        if seq == 0 || seq > self.head()?.seq {
            return Ok(None);
        }
        let (seq0, offset) = self.floor_of(seq)?;
        let mut read = lines::Forward::open(&self.journal, seq0, offset, seq, seq, 1 << 16)
            .map_err(|e| DbError::Journal(e.to_string()))?;
        match read.next() {
            Some(Ok((_, _, line))) => Ok(Some(line)),
            Some(Err(e)) => Err(DbError::Journal(e.to_string())),
            None => Ok(None),
        }
    }

    /// Event lines from `from` (inclusive) up to the database's head, oldest first.
    pub fn event_lines_from(
        &self,
        from: u64,
    ) -> impl Iterator<Item = Result<(u64, String), DbError>> + '_ {
        let start = self
            .head()
            .and_then(|h| Ok((h.seq, self.floor_of(from.max(1))?)))
            .and_then(|(head, (seq0, offset))| {
                lines::Forward::open(&self.journal, seq0, offset, from.max(1), head, 1 << 20)
                    .map_err(|e| DbError::Journal(e.to_string()))
            });
        let (read, failed) = match start {
            Ok(r) => (r, None),
            Err(e) => (lines::Forward::empty(), Some(e)),
        };
        failed.map(Err).into_iter().chain(read.map(|r| {
            r.map(|(seq, _, line)| (seq, line))
                .map_err(|e| DbError::Journal(e.to_string()))
        }))
    }

    /// Event lines from `from` up to the database's head, oldest first, in blocks of about
    /// `size` bytes of whole lines (see [`lines::Blocks`]).
    pub fn event_blocks_from(&self, from: u64, size: usize) -> Result<lines::Blocks, DbError> {
        let head = self.head()?.seq;
        let (seq0, offset) = self.floor_of(from.max(1))?;
        lines::Blocks::open(&self.journal, seq0, offset, from.max(1), head, size)
            .map_err(|e| DbError::Journal(e.to_string()))
    }

    /// Event lines from the database's head down to `down_to` (inclusive), newest first.
    pub fn event_lines_rev(
        &self,
        down_to: u64,
    ) -> impl Iterator<Item = Result<(u64, String), DbError>> + '_ {
        let (head, failed) = match self.head() {
            Ok(h) => (h.seq, None),
            Err(e) => (0, Some(e)),
        };
        let floor = |seq| {
            self.floor_of(seq)
                .map_err(|e| std::io::Error::other(e.to_string()))
        };
        let read = lines::Backward::new(&self.journal, floor, down_to, head);
        failed
            .map(Err)
            .into_iter()
            .chain(read.map(|r| r.map_err(|e| DbError::Journal(e.to_string()))))
    }

    /// The first indexed event whose offset does not point at its own line in the journal
    /// (each indexed line must start `{"seq":N,`), if any.
    pub fn check_line_index(&self) -> Result<Option<u64>, DbError> {
        use std::os::unix::fs::FileExt;
        let f = std::fs::File::open(&self.journal).map_err(|e| DbError::Journal(e.to_string()))?;
        let mut buf = [0u8; 32];
        for r in self.meta.scan_prefix(OFFSETS) {
            let (k, v) = r?;
            let Ok((seq, offset)) = offset_entry(&k, &v) else {
                return Ok(Some(0));
            };
            let want = format!("{{\"seq\":{seq},");
            let n = f.read_at(&mut buf, offset).unwrap_or(0);
            if !buf[..n].starts_with(want.as_bytes()) {
                return Ok(Some(seq));
            }
        }
        Ok(None)
    }

    /// Number of events (sequence numbers are dense from 1).
    pub fn event_count(&self) -> usize {
        self.head().map(|h| h.seq as usize).unwrap_or(0)
    }

    /// Bytes on disk.
    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }

    /// Flushes everything to disk.
    pub fn flush(&self) -> Result<(), DbError> {
        self.db.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::DbError;

    /// Sled passes its flusher's error on as a clone that keeps only the kind; a full disk must
    /// still read as one (CI once printed the bare sled error for exactly this).
    #[test]
    fn a_full_disk_reads_as_full_whether_sled_kept_the_os_code_or_not() {
        let raw = || std::io::Error::from_raw_os_error(libc::ENOSPC);
        let cases = [
            (sled::Error::Io(raw()), true),
            (sled::Error::Io(raw()).clone(), true),
            (
                sled::Error::Io(std::io::Error::from_raw_os_error(libc::EDQUOT)).clone(),
                true,
            ),
            (
                sled::Error::Io(std::io::Error::from_raw_os_error(libc::EIO)),
                false,
            ),
            (
                sled::Error::Io(std::io::Error::from_raw_os_error(libc::EIO)).clone(),
                false,
            ),
            (sled::Error::Unsupported("x".into()), false),
        ];
        for (e, full) in cases {
            let shown = format!("{e}");
            let err = crate::store::StoreError::Db(DbError::Sled(e));
            assert_eq!(err.to_string().contains("disk is full"), full, "{shown}");
        }
    }
}
