//! Opening the store: the lock, the journal against its witnesses, sled (set aside and rebuilt
//! when damaged), and the read-only fallback on a full or read-only disk.

use super::*;

impl Store {
    /// Opens the store in `dir` (created 0700), taking the lock.
    ///
    /// Before anything is written, the journal is compared with every witness of its head
    /// that can be seen (sled's head and verified mark, the anchor file): a journal that is
    /// missing, empty, shorter than a witness, unreadable at its end, or holding another hash
    /// where a witness saw one, is refused with [`StoreError::Evidence`] and nothing on disk
    /// is touched. An unfinished last line is cut off only when no witness saw it. The chain
    /// since the last verified point is then checked; a break makes the store read-only.
    ///
    /// sled's own lock is taken only under the folder's lock and tried again for a while when
    /// refused (never taken for damage); a database sled cannot open, or panics on, is set
    /// aside and rebuilt from the journal ([`Store::db_repaired`] says so).
    pub fn open(dir: &Path, opts: OpenOptions) -> Result<Store, StoreError> {
        let first = guard::catch("opening the store", || Store::open_inner(dir, opts.clone()));
        let panic = match first {
            Ok(Err(e)) if unwritable(&e).is_some() => {
                return Store::open_for_reading(dir, &opts, e)
            }
            Ok(r) => return r,
            Err(panic) => panic,
        };
        // sled panicked reading a database it had opened: damage, answered as such, once.
        let dbpath = dir.join(DB_DIR);
        {
            let (_lock, _, _) = take_lock(dir, &opts)?;
            set_aside(&dbpath)?;
        }
        let mut store = guard::catch("opening the store", || Store::open_inner(dir, opts))
            .map_err(|p| StoreError::Db(DbError::Panicked(p)))??;
        store.repaired(&DbError::Panicked(panic));
        Ok(store)
    }

    /// Opens the store where nothing can be written (`cause` said why: a full disk, a
    /// read-only file system): the lock file read-only and shared (or none, where it cannot
    /// be opened), the journal read-only, and the projection replayed from the journal into
    /// an in-memory database (sled cannot open its own files there). Every read is answered;
    /// every write is refused with the condition named. Nothing on disk is created or changed.
    pub(super) fn open_for_reading(
        dir: &Path,
        opts: &OpenOptions,
        cause: StoreError,
    ) -> Result<Store, StoreError> {
        let why = unwritable(&cause).unwrap_or(READ_ONLY_FS);
        let jpath = dir.join(JOURNAL);
        if !jpath.is_file() {
            return Err(cause);
        }
        let lock = lock::acquire_for_reading(dir)?;
        let anchors = checkpoints::read(dir)
            .map_err(|e| StoreError::Evidence(witness::anchor_file_unreadable(&e)))?;
        let journal =
            Journal::open_read_only(&jpath).map_err(io(format!("read {}", jpath.display())))?;
        let head = witness::journal_head(&jpath, &journal)?;
        if let Some(c) = anchors.live().into_iter().max_by_key(|c| c.seq) {
            if c.seq > head.seq {
                return Err(StoreError::Evidence(format!(
                    "日志缺少已确认的记录：日志止于第 {} 号事件，但锚点文件见过第 {} 号。未作任何改动 / the journal is missing acknowledged records: it ends at event #{}, but the anchor file saw #{}. Nothing on disk was changed; run `dutydesk recover` once the folder can be written",
                    head.seq, c.seq, head.seq, c.seq
                )));
            }
        }
        tracing::warn!("the data folder cannot be written ({cause}); reading from the journal");
        let (zh, en) = why;
        let banner = format!(
            "{zh}：本次只读——记录从日志读入内存，不写任何文件，写入操作被拒绝 / {en}: read-only this time — the record is read from the journal into memory, no file is written, and writing commands are refused"
        );
        let mut store = Store {
            dir: dir.to_path_buf(),
            journal,
            db: Db::stand_in(&jpath)?,
            head,
            os_user: os::os_user(),
            open_notes: vec![banner.clone()],
            took_over: None,
            sled_behind: None,
            db_closed: false,
            tail_ok: true,
            read_only: Some(banner),
            anchor_every: opts.anchor_every.max(1),
            signer: opts.signer.clone(),
            last_anchor: anchors.all.last().map(|c| c.seq).unwrap_or(0),
            db_repaired: None,
            progress: true,
            _lock: lock,
        };
        let genesis = Head {
            seq: 0,
            hash: crate::domain::GENESIS_HASH.to_string(),
        };
        let (_, stop) = store.apply_journal_after(&genesis)?;
        if let Some(b) = stop {
            let banner = store.read_only.take();
            store.go_read_only(&b, false);
            store.open_notes.extend(banner);
        }
        store.progress = false;
        Ok(store)
    }

    /// Says (on the open notes and in [`Store::db_repaired`]) that the database was damaged,
    /// set aside and rebuilt from the journal.
    pub(super) fn repaired(&mut self, why: &DbError) {
        let text = format!(
            "数据库已损坏，已移至 db.broken-* 并从日志重建（日志完好，未丢失记录）/ the database was damaged ({why}); it was set aside as db.broken-* and rebuilt from the journal (the journal is intact: nothing was lost)"
        );
        self.open_notes.push(text.clone());
        self.db_repaired = Some(text);
    }

    pub(super) fn open_inner(dir: &Path, opts: OpenOptions) -> Result<Store, StoreError> {
        let t0 = Instant::now();
        let (mut lock, me, mut notes) = take_lock(dir, &opts)?;
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
        let mut damaged = None;
        let db = match Db::open(&dbpath, &jpath) {
            Ok(db) => db,
            // A lock still held, a full disk or a read-only file system is not damage:
            // nothing is set aside.
            Err(e) if e.is_busy() => return Err(e.into()),
            Err(e)
                if e.is_disk_full()
                    || e.io_kind() == Some(std::io::ErrorKind::ReadOnlyFilesystem) =>
            {
                return Err(e.into())
            }
            Err(e) => {
                notes.push(format!(
                    "数据库无法打开，正从日志重建 / the database could not be opened ({e}); rebuilding it from the journal"
                ));
                set_aside(&dbpath)?;
                damaged = Some(e);
                Db::open(&dbpath, &jpath)?
            }
        };
        // The next holder of the folder's lock must find sled's lock free too.
        lock.hold_until_free(dbpath.join("db"));
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
            signer: opts.signer.clone(),
            last_anchor: anchors.all.last().map(|c| c.seq).unwrap_or(0),
            db_repaired: None,
            progress: true,
            _lock: lock,
        };
        if let Some(e) = &damaged {
            store.db_repaired = Some(format!(
                "数据库无法打开，已移至 db.broken-* 并从日志重建 / the database could not be opened ({e}); it was set aside as db.broken-* and rebuilt from the journal"
            ));
        }
        if let Some(b) = store.db.chain_break()? {
            store.go_read_only(&b, false);
        }
        store.check_since_mark()?;
        store.reconcile()?;
        if store.journal.is_empty() && store.read_only.is_none() {
            let at = opts
                .created_at
                .unwrap_or_else(|| chrono::Local::now().fixed_offset());
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
        store.progress = false;
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
}

/// The first half of opening a store, all a reader of the log alone needs: creates the
/// folder (0700), takes the lock, opens the journal and checks the tail of its chain. The
/// anchor file is the one witness it compares with (sled is not opened); an unfinished last
/// line is cut off only when there is no database that might have seen it, and otherwise left
/// for [`Store::open`] to judge (only complete lines are read).
pub(super) fn open_journal(dir: &Path, opts: &OpenOptions) -> Result<OpenedJournal, StoreError> {
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

/// [`open_journal`] where nothing can be written (`cause` says why): the lock read-only and
/// shared (or none), the journal read-only, an unfinished last line left where it is.
pub(super) fn open_journal_for_reading(
    dir: &Path,
    cause: StoreError,
) -> Result<OpenedJournal, StoreError> {
    let why = unwritable(&cause).unwrap_or(READ_ONLY_FS);
    let lock = lock::acquire_for_reading(dir)?;
    let jpath = dir.join(JOURNAL);
    let anchors = checkpoints::read(dir)
        .map_err(|e| StoreError::Evidence(witness::anchor_file_unreadable(&e)))?;
    let journal =
        Journal::open_read_only(&jpath).map_err(io(format!("read {}", jpath.display())))?;
    let head = witness::journal_head(&jpath, &journal)?;
    if let Some(c) = anchors.live().into_iter().max_by_key(|c| c.seq) {
        if c.seq > head.seq {
            return Err(StoreError::Evidence(format!(
                "日志缺少已确认的记录：日志止于第 {} 号事件，但锚点文件见过第 {} 号 / the journal is missing acknowledged records: it ends at event #{}, but the anchor file saw #{}",
                head.seq, c.seq, head.seq, c.seq
            )));
        }
    }
    tracing::warn!("the data folder cannot be written ({cause}); reading the journal only");
    let (zh, en) = why;
    let mut notes = vec![format!(
        "{zh}：本次只读，不写任何文件 / {en}: read-only this time, no file is written"
    )];
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
pub(super) fn take_lock(
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

pub(super) fn check_tail(tail: &[String], notes: &mut Vec<String>) -> (Head, bool) {
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
pub(super) fn slim(
    old: Db,
    dbpath: &Path,
    jpath: &Path,
    notes: &mut Vec<String>,
) -> Result<Db, StoreError> {
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

pub(super) fn set_aside(dbpath: &Path) -> Result<(), StoreError> {
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
pub(super) fn prune_set_aside(dbpath: &Path, aside: &Path) {
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
