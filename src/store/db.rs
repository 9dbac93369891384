//! The sled database: the events tree and the projection trees, written in one transaction and
//! flushed before an append returns. The only file that imports sled.

use std::path::Path;

use sled::transaction::{
    ConflictableTransactionError, TransactionError, TransactionalTree, UnabortableTransactionError,
};
use sled::Transactional;

use super::projection::{self, ApplyError, View};
use crate::domain::{Event, EventBody, Incident, Instruction, Notice};

/// The database and its trees.
#[derive(Debug, Clone)]
pub struct Db {
    db: sled::Db,
    events: sled::Tree,
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

impl Db {
    /// Opens (or creates) the database in `path`.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        let db = sled::Config::new()
            .path(path)
            .cache_capacity(32 * 1024 * 1024)
            .open()?;
        Ok(Db {
            events: db.open_tree("events")?,
            incidents: db.open_tree("incidents")?,
            notices: db.open_tree("notices")?,
            meta: db.open_tree("meta")?,
            instructions: db.open_tree("instructions")?,
            db,
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

    /// Writes events and their projections in one transaction, then flushes.
    pub fn apply(&self, events: &[(Event, String)]) -> Result<(), DbError> {
        let Some((last, _)) = events.last() else {
            return Ok(());
        };
        let head = serde_json::to_vec(&Head {
            seq: last.seq,
            hash: last.hash.clone(),
        })
        .unwrap_or_default();
        let trees = (
            &self.events,
            &self.incidents,
            &self.notices,
            &self.meta,
            &self.instructions,
        );
        let result = trees.transaction(|(ev, inc, notices, meta, instructions)| {
            let mut view = TxView {
                incidents: inc,
                notices,
                meta,
                instructions,
            };
            for (e, line) in events {
                ev.insert(&e.seq.to_be_bytes(), line.as_bytes())?;
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
        Ok(self
            .events
            .get(seq.to_be_bytes())?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Event lines from `from` (inclusive) upward.
    pub fn event_lines_from(
        &self,
        from: u64,
    ) -> impl DoubleEndedIterator<Item = Result<(u64, String), DbError>> + '_ {
        self.events.range(from.to_be_bytes()..).map(|r| {
            let (k, v) = r?;
            let seq = <[u8; 8]>::try_from(k.as_ref())
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            // As `from_utf8_lossy`, without its slower scan when the bytes are valid.
            let line = String::from_utf8(v.to_vec())
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            Ok((seq, line))
        })
    }

    /// Number of events.
    pub fn event_count(&self) -> usize {
        self.events.len()
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
