//! Bringing sled level with the journal: applying what it lacks, or rebuilding it.

use super::*;

impl Store {
    /// Brings sled level with the journal: apply what it lacks (each line checked against
    /// the chain from sled's head), or rebuild it when it cannot take them. Sled ahead of the
    /// journal, or holding another hash, never reaches here: [`witness::compare`] refused it.
    pub(super) fn reconcile(&mut self) -> Result<(), StoreError> {
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
    pub(super) fn apply_journal_after(
        &mut self,
        from: &Head,
    ) -> Result<(u64, Option<Break>), StoreError> {
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
        let total = self.head.seq.saturating_sub(after);
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
                if self.progress && total >= PROGRESS_FROM && n % 20_000 == 0 {
                    use std::io::Write;
                    let _ = writeln!(
                        std::io::stderr(),
                        "dutydesk: 正从日志重建数据库 / rebuilding the database from the journal: {n} / {total}"
                    );
                }
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
        self.progress = true;
        let r = self.rebuild_inner();
        self.progress = false;
        match r? {
            Some(b) => Err(StoreError::Corrupt(b)),
            None => Ok(()),
        }
    }

    pub(super) fn rebuild_inner(&mut self) -> Result<Option<Break>, StoreError> {
        let dbpath = self.dir.join(DB_DIR);
        // The old database's witnesses, kept in the new one (it is a rebuild, not a reset).
        // (read in a seam: a damaged database can panic even here).
        let mark = guard::catch("reading the anchor mark", || {
            self.db.meta_head(witness::ANCHOR).ok().flatten()
        })
        .ok()
        .flatten();
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
}
