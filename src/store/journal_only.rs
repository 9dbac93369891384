//! The journal read alone, without sled (the audit's fast path).

use super::*;

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
        let opened = match open_journal(dir, &opts) {
            Err(e) if unwritable(&e).is_some() => open_journal_for_reading(dir, e)?,
            r => r?,
        };
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
