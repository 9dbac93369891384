//! `dutydesk recover`: what to do when the journal holds less than its witnesses saw.
//!
//! sled keeps the projections (incidents, notices, instructions, day counters) and a sparse
//! index of line offsets, not the event lines themselves, so lost lines cannot be rebuilt
//! from it. `recover` therefore says exactly what is lost and makes sure nothing is reused:
//!
//! 1. the journal must be a sound chain up to where it was cut (a journal changed in the
//!    middle, or whose events no longer carry the hashes a witness saw, is refused: that is
//!    tampering, and the remedy is a copy, not a recovery);
//! 2. the journal, the anchor file and a report (`LOSS.txt`) go into a new `evidence-…`
//!    folder in the data folder (the database follows last), so nothing is thrown away;
//! 3. a checkpoint declaring the lost range is written to the anchor file;
//! 4. the journal is cut back to its sound part (the rest is in the evidence folder) and one
//!    placeholder event per lost sequence number is appended, the first carrying the highest
//!    incident number each day had reached in sled, so that no sequence number and no incident
//!    number is ever issued twice;
//! 5. the old database is moved into the evidence folder; the next open rebuilds it.
//!
//! Each step can be repeated: a recover cut off by a crash is run again.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use super::chain::{Break, ChainCheck};
use super::checkpoints::{self, Checkpoint, Lost};
use super::db::{Db, Head};
use super::journal::Journal;
use super::projection::{self, LossNote, MemView, LOSS_MARK};
use super::{os, witness, OpenOptions, StoreError, DB_DIR, JOURNAL};
use crate::domain::{Event, EventBody, GENESIS_HASH};

/// What `recover` found and did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RecoverReport {
    /// The folder holding the originals.
    pub evidence: PathBuf,
    /// The last sound event of the journal before recovery.
    pub journal_head: u64,
    /// The highest event a witness saw.
    pub witness_head: u64,
    /// Who saw it.
    pub witness: String,
    /// The lost range of sequence numbers, if any.
    pub lost: Option<(u64, u64)>,
    /// Bytes cut from the end of the journal (an unreadable or unfinished last line), kept in
    /// the evidence folder.
    pub removed_bytes: u64,
    /// Incidents the database held that the journal no longer has at all.
    pub lost_incidents: Vec<String>,
    /// Incidents the database held in a later state than the journal has (reports, flags or
    /// notices lost).
    pub changed_incidents: Vec<String>,
    /// Day → the highest incident number used, carried over so that none is issued again.
    pub counters: BTreeMap<String, u32>,
    /// False when no database could be read: which incident numbers the lost events used is
    /// then unknown.
    pub counters_known: bool,
    /// The journal's head after recovery.
    pub new_head: u64,
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> StoreError {
    super::io(what)
}

/// The sound part of a journal.
struct Walked {
    head: Head,
    /// Bytes of the sound lines.
    valid_end: u64,
    /// The first line that does not verify (at the end only; else refused).
    bad: Option<Break>,
    /// Bytes after the sound part.
    rest: u64,
    mem: MemView,
    hashes: BTreeMap<u64, String>,
}

fn walk(jpath: &Path, wanted: &[u64]) -> Result<Walked, StoreError> {
    let mut w = Walked {
        head: Head {
            seq: 0,
            hash: GENESIS_HASH.to_string(),
        },
        valid_end: 0,
        bad: None,
        rest: 0,
        mem: MemView::default(),
        hashes: BTreeMap::new(),
    };
    let f = match std::fs::File::open(jpath) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(w),
        Err(e) => return Err(io("read journal")(e)),
    };
    let total = f.metadata().map_err(io("read journal"))?.len();
    let mut reader = BufReader::with_capacity(1 << 20, f);
    let mut check = ChainCheck::default();
    let mut no = 0u64;
    let mut after_bad = 0u64;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(io("read journal"))?;
        if n == 0 || buf.last() != Some(&b'\n') {
            break;
        }
        no += 1;
        if w.bad.is_some() {
            after_bad += 1;
            continue;
        }
        buf.pop();
        let line = String::from_utf8_lossy(&buf);
        match check.next(no, &line) {
            Ok(e) => {
                if wanted.contains(&e.seq) {
                    w.hashes.insert(e.seq, e.hash.clone());
                }
                // A replay that refuses an event still counts the rest (verify reports it).
                let _ = projection::apply(&mut w.mem, &e);
                w.valid_end += n as u64;
                w.head = Head {
                    seq: e.seq,
                    hash: e.hash,
                };
            }
            Err(b) => w.bad = Some(b),
        }
    }
    w.rest = total - w.valid_end;
    if let Some(b) = &w.bad {
        if after_bad > 0 {
            return Err(StoreError::Evidence(format!(
                "日志在中间被改动（第 {} 号事件：{}），其后还有 {after_bad} 行：这不是截断，`recover` 不处理。未作任何改动。请运行 `dutydesk verify` 查看详情，并从副本恢复日志 / the journal was changed in the middle (event #{}: {}), with {after_bad} more lines after it: this is not a journal cut short, and `recover` does not mend it. Nothing on disk was changed. Run `dutydesk verify` for details and restore the journal from a copy",
                b.seq, b.reason, b.seq, b.reason
            )));
        }
    }
    Ok(w)
}

/// A free name `evidence-<UTC time>[-n]` in the data folder.
fn evidence_dir(dir: &Path) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    (0..)
        .map(|i| {
            if i == 0 {
                dir.join(format!("evidence-{stamp}"))
            } else {
                dir.join(format!("evidence-{stamp}-{i}"))
            }
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join("evidence"))
}

fn copy_synced(from: &Path, to: &Path) -> Result<(), StoreError> {
    std::fs::copy(from, to).map_err(io(format!("copy {}", from.display())))?;
    std::fs::File::open(to)
        .and_then(|f| f.sync_all())
        .map_err(io(format!("sync {}", to.display())))
}

/// Recovers the data folder `dir` (see the module's text). `Ok(None)` when the journal agrees
/// with every witness and nothing needed doing.
pub fn recover(dir: &Path, opts: &OpenOptions) -> Result<Option<RecoverReport>, StoreError> {
    let (lock, me, _) = super::take_lock(dir, opts)?;
    let jpath = dir.join(JOURNAL);
    let dbpath = dir.join(DB_DIR);
    let anchors = checkpoints::read(dir)
        .map_err(|e| StoreError::Evidence(witness::anchor_file_unreadable(&e)))?;

    // The witnesses: sled (head, verified mark, counters, incidents) and the anchor file.
    let mut witnesses: Vec<(String, Head)> = Vec::new();
    let mut sled_counters = None;
    let mut sled_incidents = Vec::new();
    let mut anchor_note = 0;
    // In a seam: a damaged database that panics sled says nothing, rather than ending recover.
    let read = dbpath.exists().then(|| {
        super::guard::catch("reading the database for recover", || {
            match Db::open(&dbpath, &jpath) {
                Ok(db) => {
                    if let Ok(h) = db.head() {
                        if h.seq > 0 && !anchors.declared_lost(h.seq) {
                            witnesses.push(("the database (sled)".into(), h));
                        }
                    }
                    if let Ok(Some(h)) = db.meta_head(witness::VERIFIED) {
                        if h.seq > 0 && !anchors.declared_lost(h.seq) {
                            witnesses.push(("the database's verified mark".into(), h));
                        }
                    }
                    if let Ok(Some(a)) = db.meta_head(witness::ANCHOR) {
                        anchor_note = a.seq;
                    }
                    sled_counters = db.day_counters().ok();
                    for inc in db.incidents() {
                        match inc {
                            Ok(i) => sled_incidents.push(i),
                            Err(e) => {
                                tracing::warn!("recover: an incident in sled is unreadable: {e}")
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!("recover: the database cannot be opened ({e})"),
            }
        })
    });
    if let Some(Err(panic)) = read {
        tracing::warn!("recover: the database is unreadable (sled panicked: {panic})");
    }
    for c in anchors.live() {
        witnesses.push((
            format!("the anchor file (checkpoint of {}, {})", c.at, c.why),
            Head {
                seq: c.seq,
                hash: c.hash.clone(),
            },
        ));
    }
    let wanted: Vec<u64> = witnesses.iter().map(|(_, h)| h.seq).collect();
    let walked = walk(&jpath, &wanted)?;
    let p = walked.head.seq;
    for (who, h) in &witnesses {
        if h.seq <= p && walked.hashes.get(&h.seq) != Some(&h.hash) {
            return Err(StoreError::Evidence(format!(
                "日志已被改写：第 {} 号事件与见证者记录的哈希不同——这不是截断，`recover` 不处理。未作任何改动。请运行 `dutydesk verify`，并从副本恢复日志 / the journal was rewritten: event #{} no longer has the hash {who} saw — this is not a journal cut short, and `recover` does not mend it. Nothing on disk was changed. Run `dutydesk verify` and restore the journal from a copy",
                h.seq, h.seq
            )));
        }
    }
    // The first witness with the highest head (sled before the anchor file).
    let top = witnesses
        .iter()
        .fold(None::<&(String, Head)>, |m, w| match m {
            Some(m) if m.1.seq >= w.1.seq => Some(m),
            _ => Some(w),
        })
        .cloned();
    let w = top.as_ref().map(|(_, h)| h.seq).unwrap_or(0);
    let anchor_short = anchor_note > anchors.max_named();
    if w <= p && walked.rest == 0 && !anchor_short {
        return Ok(None);
    }

    // 1. The originals, into the evidence folder.
    let evidence = evidence_dir(dir);
    os::ensure_private_dir(&evidence).map_err(io(format!("create {}", evidence.display())))?;
    if jpath.exists() {
        copy_synced(&jpath, &evidence.join(JOURNAL))?;
    }
    let apath = checkpoints::path(dir);
    if apath.exists() {
        copy_synced(&apath, &evidence.join(checkpoints::ANCHORS))?;
    }
    os::sync_dir(&evidence).map_err(io("sync evidence folder"))?;

    // 2. What is lost.
    let mut report = RecoverReport {
        evidence: evidence.clone(),
        journal_head: p,
        witness_head: w,
        witness: top.map(|(who, _)| who).unwrap_or_default(),
        lost: (w > p).then_some((p + 1, w)),
        removed_bytes: walked.rest,
        counters_known: sled_counters.is_some(),
        ..RecoverReport::default()
    };
    for inc in &sled_incidents {
        match walked.mem.incidents.get(inc.number.as_str()) {
            None => report.lost_incidents.push(inc.number.0.clone()),
            Some(m) if m != inc => report.changed_incidents.push(inc.number.0.clone()),
            Some(_) => {}
        }
    }
    for (day, n) in sled_counters.iter().flatten() {
        if walked.mem.counters.get(day).copied().unwrap_or(0) < *n {
            report.counters.insert(day.clone(), *n);
        }
    }

    // 3. The events that take the lost numbers' place (or note the removed tail).
    let at = chrono::Local::now().fixed_offset();
    let shown = evidence
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut bodies = Vec::new();
    if let Some((a, b)) = report.lost {
        let note = LossNote {
            from: a,
            to: b,
            counters: report.counters.clone(),
        };
        let json = serde_json::to_string(&note).map_err(|e| StoreError::Rejected(e.to_string()))?;
        bodies.push(EventBody::Note {
            text: format!(
                "记录丢失：第 {a}–{b} 号事件曾确认写入，现已不在日志中，无法恢复；这些序号及其用过的事件编号不再使用（涉及事件 {} 个）。原件保存在 {shown}。/ journal loss: events #{a}–#{b} were acknowledged and are gone from the journal; they cannot be restored; their sequence numbers, and the incident numbers they used, are never used again ({} incidents affected). The originals are kept in {shown}. {LOSS_MARK}{json}",
                report.lost_incidents.len() + report.changed_incidents.len(),
                report.lost_incidents.len() + report.changed_incidents.len(),
            ),
        });
        for k in a + 1..=b {
            bodies.push(EventBody::Note {
                text: format!(
                    "丢失事件占位 #{k}（见 #{a}）/ placeholder for lost event #{k} (see #{a})"
                ),
            });
        }
    } else if walked.rest > 0 {
        bodies.push(EventBody::Note {
            text: format!(
                "日志末尾 {} 字节无法读取或校验，已移出日志，原件保存在 {shown}；没有见证者见过它，无已确认事件丢失 / {} bytes at the end of the journal could not be read or verified and were removed; the original is kept in {shown}; no witness saw them, no acknowledged event is lost",
                walked.rest, walked.rest
            ),
        });
    }
    let mut prev = walked.head.hash.clone();
    let mut lines = Vec::with_capacity(bodies.len());
    let mut seq = p;
    for body in bodies {
        seq += 1;
        let e = Event::seal(seq, at, "system", &me.user, body, &prev);
        prev = e.hash.clone();
        lines.push(e.to_line());
    }
    report.new_head = seq;

    // 4. LOSS.txt beside the originals.
    write_loss_file(&evidence, &report).map_err(io("write LOSS.txt"))?;

    // 5. The anchor file first (a repeat supersedes it), then the journal.
    let cp = Checkpoint {
        seq,
        hash: prev,
        at: at.to_rfc3339(),
        why: "recover".into(),
        lost: report.lost.map(|(from, to)| Lost {
            from,
            to,
            witness_hash: witnesses
                .iter()
                .find(|(_, h)| h.seq == to)
                .map(|(_, h)| h.hash.clone())
                .unwrap_or_default(),
        }),
        key: None,
        sig: None,
    };
    let cp = match &opts.signer {
        Some(k) => cp.signed(k),
        None => cp,
    };
    checkpoints::append(dir, &cp).map_err(io("write the anchor file"))?;
    let existed = jpath.exists();
    let mut journal =
        Journal::open_untrimmed(&jpath, opts.durability).map_err(io("open journal"))?;
    journal
        .cut_to(walked.valid_end)
        .map_err(io("cut the journal back"))?;
    journal
        .append(lines.iter().map(String::as_str))
        .map_err(io("write journal"))?;
    drop(journal);
    if !existed {
        os::sync_dir(dir).map_err(io("sync data folder"))?;
    }

    // 6. The old database joins the evidence; the next open rebuilds it from the journal.
    if dbpath.exists() {
        std::fs::rename(&dbpath, evidence.join(DB_DIR)).map_err(io("move the database"))?;
        os::sync_dir(dir).map_err(io("sync data folder"))?;
    }
    drop(lock);
    Ok(Some(report))
}

/// The report, bilingual, as the officer reads it.
pub fn describe(r: &RecoverReport) -> String {
    let mut s = String::new();
    let ev = r.evidence.display();
    match r.lost {
        Some((a, b)) => {
            s.push_str(&format!(
                "丢失：第 {a}–{b} 号事件（共 {} 条）。日志原止于第 {} 号，{} 见过第 {} 号。\nLOST: events #{a}–#{b} ({} events). The journal ended at #{}; {} saw #{}.\n",
                b - a + 1,
                r.journal_head,
                r.witness,
                r.witness_head,
                b - a + 1,
                r.journal_head,
                r.witness,
                r.witness_head
            ));
            s.push_str(&format!(
                "已写入 {} 条占位事件（第 {a}–{b} 号），这些序号不再使用 / {} placeholder events written (#{a}–#{b}); these sequence numbers are never used again.\n",
                b - a + 1,
                b - a + 1
            ));
        }
        None => s.push_str("没有已确认的事件丢失 / no acknowledged event is lost.\n"),
    }
    if r.removed_bytes > 0 {
        s.push_str(&format!(
            "从日志末尾移出 {} 字节（无法读取或校验）/ {} bytes removed from the end of the journal (unreadable or not verifying).\n",
            r.removed_bytes, r.removed_bytes
        ));
    }
    if !r.lost_incidents.is_empty() {
        s.push_str(&format!(
            "日志中已完全没有的事件 / incidents gone from the journal: {}\n",
            r.lost_incidents.join(", ")
        ));
    }
    if !r.changed_incidents.is_empty() {
        s.push_str(&format!(
            "部分记录丢失的事件 / incidents with records lost: {}\n",
            r.changed_incidents.join(", ")
        ));
    }
    if !r.counters.is_empty() {
        let list: Vec<String> = r
            .counters
            .iter()
            .map(|(d, n)| format!("{d}-{n:03}"))
            .collect();
        s.push_str(&format!(
            "这些编号及之前的编号不再发放 / incident numbers up to these are never issued again: {}\n",
            list.join(", ")
        ));
    }
    if !r.counters_known && r.lost.is_some() {
        s.push_str("注意：数据库不可读，无法得知丢失的事件用过哪些事件编号 / NOTE: no database could be read, so which incident numbers the lost events used is unknown.\n");
    }
    s.push_str(&format!(
        "原件（日志、锚点文件、数据库）保存在 / the originals (journal, anchor file, database) are kept in: {ev}\n"
    ));
    s
}

fn write_loss_file(evidence: &Path, r: &RecoverReport) -> std::io::Result<()> {
    let path = evidence.join("LOSS.txt");
    let mut f = std::fs::File::create(&path)?;
    f.write_all(describe(r).as_bytes())?;
    let json = serde_json::to_string_pretty(r).map_err(std::io::Error::other)?;
    f.write_all(b"\n")?;
    f.write_all(json.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}
