//! The sled database: the projection trees and a sparse index of the journal's event lines,
//! written in one transaction and flushed before an append returns. The lines themselves are
//! read from the journal (see [`super::lines`]). The only file that imports sled.

use std::path::{Path, PathBuf};

use sled::transaction::{
    ConflictableTransactionError, TransactionError, TransactionalTree, UnabortableTransactionError,
};
use sled::Transactional;

use super::lines::{self, Floor};
use super::projection::{self, ApplyError, View};
use crate::domain::{Event, EventBody, Incident, Instruction, Notice};

mod codec;
mod read;

use codec::*;
pub use codec::{is_live, needs_attention};

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
    /// sled still holds its folder's lock (another handle, or a previous holder's sled threads
    /// shutting down) after the retries: not damage, nothing is set aside.
    #[error("数据库仍被占用 / the database is still locked by another handle: {0}")]
    Busy(String),
    /// sled panicked opening or reading the database: damage, answered by a rebuild.
    #[error("数据库已损坏（sled 内部错误）/ the database is damaged (sled failed: {0})")]
    Panicked(String),
}

/// The last applied event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Head {
    /// Its sequence number (0 for none).
    pub seq: u64,
    /// Its hash.
    pub hash: String,
}

/// How long a refused sled lock is tried again before [`DbError::Busy`].
const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(3);

/// True when sled could not take its folder's lock (`could not acquire lock … WouldBlock`).
fn is_lock_error(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io) if io.to_string().contains("could not acquire lock"))
}

impl DbError {
    /// The kind of sled's I/O error, if it was one (a full disk, a read-only file system:
    /// conditions of the disk, not damage to the database).
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        match self {
            DbError::Sled(sled::Error::Io(e)) => Some(e.kind()),
            _ => None,
        }
    }

    /// True when sled's folder lock was still held after the retries: not damage.
    pub fn is_busy(&self) -> bool {
        matches!(self, DbError::Busy(_))
    }

    /// True when sled failed because the disk is full. Sled hands the error of its flusher to
    /// later calls as a clone, and its clone keeps only the kind (the OS code is lost), so the
    /// kind is checked as well as the code.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, DbError::Sled(sled::Error::Io(e)) if super::io_is_disk_full(e))
    }
}

impl Db {
    /// Opens (or creates) the database in `path`, over the lines of the journal at `journal`.
    ///
    /// sled's folder lock refused is tried again with backoff for about three seconds (a
    /// previous holder's sled threads can keep it a moment after its handle went), then
    /// [`DbError::Busy`]. A panic inside sled while opening, or in the first reads that check
    /// the database is usable, is [`DbError::Panicked`] (see [`super::guard`]).
    pub fn open(path: &Path, journal: &Path) -> Result<Db, DbError> {
        let mut wait = std::time::Duration::from_millis(5);
        let mut waited = std::time::Duration::ZERO;
        loop {
            let attempt = super::guard::catch("opening the database", || {
                let db = Db::open_once(path, journal)?;
                db.check_usable()?;
                Ok(db)
            });
            match attempt {
                Ok(Err(DbError::Sled(e))) if is_lock_error(&e) => {
                    if waited >= LOCK_PATIENCE {
                        return Err(DbError::Busy(e.to_string()));
                    }
                    std::thread::sleep(wait);
                    waited += wait;
                    wait = (wait * 2).min(std::time::Duration::from_millis(250));
                }
                Ok(r) => return r,
                Err(panic) => return Err(DbError::Panicked(panic)),
            }
        }
    }

    fn open_once(path: &Path, journal: &Path) -> Result<Db, DbError> {
        let db = sled::Config::new()
            .path(path)
            .cache_capacity(32 * 1024 * 1024)
            .open()?;
        let db = Db::with_trees(db, journal)?;
        db.index_attention()?;
        if !db.has_line_copy() {
            db.index_offsets()?;
        }
        Ok(db)
    }

    /// The first reads, before the database is used: the head, every day counter, and the
    /// first and last entry of every tree (a damaged page panics or fails here, inside the
    /// open seam, rather than in the middle of a command).
    fn check_usable(&self) -> Result<(), DbError> {
        self.head()?;
        self.day_counters()?;
        for tree in [
            &self.incidents,
            &self.notices,
            &self.meta,
            &self.instructions,
        ] {
            tree.first()?;
            tree.last()?;
        }
        for inc in self.incidents.iter().rev().take(1) {
            decode_entry::<Incident>(inc)?;
        }
        Ok(())
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
    pub fn dry_run(&self, events: &[(Event, String)]) -> Result<(), DbError> {
        let mut mem = projection::MemView::default();
        for (e, _) in events {
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

    /// Flushes everything to disk.
    pub fn flush(&self) -> Result<(), DbError> {
        self.db.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::DbError;

    /// Projection values are stored deflated, read back equal, and values stored before (plain
    /// JSON) still read; a damaged value is an error, never a panic.
    #[test]
    fn projection_values_are_deflated_and_old_plain_values_still_read() {
        let flag =
            "先报告、后核实：回拨报告人确认身份，并向属地政府或该类事件的职能部门核实事件是否属实";
        let value =
            serde_json::json!({"number": "20261203-001", "flags": [flag, flag, flag, flag]});
        let stored = super::encode_value(&value);
        let json = serde_json::to_vec(&value).unwrap();
        assert_eq!(stored[0], super::DEFLATED);
        assert!(
            stored.len() * 2 < json.len(),
            "{} of {}",
            stored.len(),
            json.len()
        );
        let cases: [(&[u8], bool); 4] = [
            (&stored, true),
            (&json, true),
            (&[super::DEFLATED, 0xff, 0x00, 0x13], false),
            (b"", false),
        ];
        for (bytes, ok) in cases {
            let back: Result<serde_json::Value, String> = super::decode_value(bytes);
            assert_eq!(
                back.as_ref().ok() == Some(&value),
                ok,
                "{bytes:?}: {back:?}"
            );
        }
    }

    /// Sled passes its flusher's error on as a clone that keeps only the kind; a full disk must
    /// still read as one (CI once printed the bare sled error for exactly this).
    #[test]
    fn a_full_disk_reads_as_full_whether_sled_kept_the_os_code_or_not() {
        let raw = || std::io::Error::from(rustix::io::Errno::NOSPC);
        let cases = [
            (sled::Error::Io(raw()), true),
            (sled::Error::Io(raw()).clone(), true),
            (
                sled::Error::Io(std::io::Error::from(rustix::io::Errno::DQUOT)).clone(),
                true,
            ),
            (
                sled::Error::Io(std::io::Error::from(rustix::io::Errno::IO)),
                false,
            ),
            (
                sled::Error::Io(std::io::Error::from(rustix::io::Errno::IO)).clone(),
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
