//! Witnesses of the journal's head, compared on open: sled's head and its verified mark, the
//! checkpoints of the anchor file, and sled's note of the newest checkpoint. The journal must
//! hold every event a witness saw, with the hash the witness saw; when it does not, the store
//! is not opened and nothing on disk is touched (a rebuild from a shorter journal would
//! destroy the proof of the loss and hand out lost numbers again).

use std::collections::BTreeMap;
use std::path::Path;

use super::chain::{Break, ChainCheck};
use super::checkpoints::{self, Anchors};
use super::db::{Db, Head};
use super::journal::{self, Journal};
use super::lines;
use super::StoreError;

/// sled's meta key: the chain was checked from the first event up to this head.
pub const VERIFIED: &str = "verified";
/// sled's meta key: the newest checkpoint written to the anchor file.
pub const ANCHOR: &str = "anchor";

/// What to do, said once for every refusal.
const KEEP: &str = "未作任何改动，日志、数据库与锚点文件均保持原样";

#[derive(serde::Deserialize)]
struct SeqHash {
    seq: u64,
    hash: String,
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

/// A witness: who, and the head it saw.
struct Witness {
    zh: String,
    en: String,
    head: Head,
}

/// The refusal for an anchor file that cannot be read.
pub fn anchor_file_unreadable(e: &std::io::Error) -> String {
    format!(
        "锚点文件 {} 无法读取（{e}）；{KEEP}。请检查该文件（可能被改动），从副本恢复后重试 / the anchor file {} cannot be read ({e}); nothing on disk was changed. Check it (it may have been tampered with), restore it from a copy and try again",
        checkpoints::ANCHORS,
        checkpoints::ANCHORS
    )
}

/// The banner of a read-only desk.
pub fn read_only_banner(b: &Break) -> String {
    format!(
        "只读：日志链在第 {} 号事件处断裂（{}），解决之前不接受任何写入。请运行 `dutydesk verify` 查看详情，并从副本恢复日志；校验通过后即可写入 / READ-ONLY: the log's chain breaks at event #{} ({}); nothing is written until this is resolved. Run `dutydesk verify` for details and restore the journal from a copy; writes are accepted again once a verify passes",
        b.seq, b.reason, b.seq, b.reason
    )
}

/// Refuses to start a new store over a journal that is missing or empty while a witness saw
/// events in it.
pub fn refuse_if_witnessed(
    dir: &Path,
    dbpath: &Path,
    jpath: &Path,
    anchors: &Anchors,
    exists: bool,
) -> Result<(), StoreError> {
    let mut seen: Option<Witness> = None;
    if anchors.max_named() > 0 {
        let c = anchors.all.iter().max_by_key(|c| c.seq);
        seen = c.map(anchor_witness);
    }
    if seen.is_none() && dbpath.exists() {
        // sled's own head; a database that cannot be opened says nothing either way.
        if let Ok(db) = Db::open(dbpath, jpath) {
            if let Ok(h) = db.head() {
                if h.seq > 0 {
                    seen = Some(db_witness(h));
                }
            }
        }
    }
    let Some(w) = seen else {
        return Ok(());
    };
    let (zh, en) = if exists {
        ("为空", "is empty")
    } else {
        ("不存在", "is missing")
    };
    Err(StoreError::Evidence(format!(
        "日志 {} {zh}，但{}见过第 {} 号事件（哈希 {}…）：第 1–{} 号事件全部丢失。{KEEP}，也没有新建空的日志。请先备份整个数据目录 {}，再运行 `dutydesk recover`（它会说明丢失了什么，且序号与事件编号不再重复使用）/ the journal {} {en}, but {} saw event #{} (hash {}…): events #1–#{} are lost. Nothing on disk was changed and no new journal was started. Back up the whole data folder {}, then run `dutydesk recover` (it says exactly what is lost and never reuses a sequence or incident number)",
        jpath.display(),
        w.zh,
        w.head.seq,
        short(&w.head.hash),
        w.head.seq,
        dir.display(),
        jpath.display(),
        w.en,
        w.head.seq,
        short(&w.head.hash),
        w.head.seq,
        dir.display(),
    )))
}

fn db_witness(head: Head) -> Witness {
    Witness {
        zh: "数据库（sled）".into(),
        en: "the database (sled)".into(),
        head,
    }
}

fn anchor_witness(c: &checkpoints::Checkpoint) -> Witness {
    Witness {
        zh: format!("锚点文件（{} 的检查点，{}）", c.at, c.why),
        en: format!("the anchor file (checkpoint of {}, {})", c.at, c.why),
        head: Head {
            seq: c.seq,
            hash: c.hash.clone(),
        },
    }
}

/// The journal's head: its last complete line, which must be an event. A last line that is
/// not one is refused (an append writes whole lines; a crash leaves at most a line without its
/// newline, which is not this).
pub fn journal_head(jpath: &Path, journal: &Journal) -> Result<Head, StoreError> {
    if journal.is_empty() {
        return Ok(Head {
            seq: 0,
            hash: crate::domain::GENESIS_HASH.to_string(),
        });
    }
    let tail = journal::tail_lines(jpath, 1).map_err(|source| StoreError::Io {
        what: "read journal tail".into(),
        source,
    })?;
    let last = tail.last().map(String::as_str).unwrap_or("");
    match serde_json::from_str::<SeqHash>(last) {
        Ok(h) => Ok(Head {
            seq: h.seq,
            hash: h.hash,
        }),
        Err(e) => {
            let at = journal.len().saturating_sub(last.len() as u64 + 1);
            Err(StoreError::Evidence(format!(
                "日志末行（第 {at} 字节起）不是有效事件（{e}），无法确定日志的末尾。{KEEP}。请先备份数据目录，再运行 `dutydesk recover`：它把这一行移入证据目录，并说明是否有已确认的事件丢失 / the journal's last line (from byte {at}) is not a valid event ({e}), so where the log ends is unknown. Nothing on disk was changed. Back up the data folder, then run `dutydesk recover`: it moves the line into an evidence folder and says whether an acknowledged event is lost"
            )))
        }
    }
}

/// The hash the journal holds for event `seq` (found through sled's line index, or from the
/// start when the index does not lead to it), or `None` when it holds no such event.
pub fn hash_at(db: &Db, jpath: &Path, seq: u64) -> Result<Option<String>, StoreError> {
    let io = |source| StoreError::Io {
        what: "read journal".into(),
        source,
    };
    let floor = db.floor_of(seq).unwrap_or((1, 0));
    for (seq0, offset) in [floor, (1, 0)] {
        let read =
            lines::Forward::open(jpath, seq0, offset, seq0, u64::MAX, 1 << 16).map_err(io)?;
        for r in read {
            let (_, _, line) = r.map_err(io)?;
            let Ok(h) = serde_json::from_str::<SeqHash>(&line) else {
                continue;
            };
            if h.seq == seq {
                return Ok(Some(h.hash));
            }
            if h.seq > seq {
                break;
            }
        }
        if (seq0, offset) == (1, 0) {
            break;
        }
    }
    Ok(None)
}

/// Compares the journal (its head `jhead`, `torn` bytes of an unfinished line after it) with
/// every witness; refuses with the first disagreement.
pub fn compare(
    db: &Db,
    jpath: &Path,
    jhead: &Head,
    torn: u64,
    anchors: &Anchors,
) -> Result<(), StoreError> {
    let mut witnesses = Vec::new();
    if let Ok(h) = db.head() {
        if h.seq > 0 && !anchors.declared_lost(h.seq) {
            witnesses.push(db_witness(h));
        }
    }
    if let Ok(Some(h)) = db.meta_head(VERIFIED) {
        if h.seq > 0 && !anchors.declared_lost(h.seq) {
            witnesses.push(Witness {
                zh: "数据库的校验标记".into(),
                en: "the database's verified mark".into(),
                head: h,
            });
        }
    }
    // The newest checkpoint is enough on open: a history re-chained before it changes its
    // hash too, and a journal cut before it is shorter. `verify` checks every one.
    if let Some(c) = anchors.live().into_iter().max_by_key(|c| c.seq) {
        witnesses.push(anchor_witness(c));
    }
    // The first witness with the highest head (sled before the anchor file).
    let top = witnesses.iter().fold(None::<&Witness>, |m, w| match m {
        Some(m) if m.head.seq >= w.head.seq => Some(m),
        _ => Some(w),
    });
    if let Some(w) = top {
        if w.head.seq > jhead.seq {
            let torn_zh = if torn > 0 {
                format!("，末尾另有 {torn} 字节的不完整行")
            } else {
                String::new()
            };
            let torn_en = if torn > 0 {
                format!(", followed by an unfinished line of {torn} bytes")
            } else {
                String::new()
            };
            return Err(StoreError::Evidence(format!(
                "日志缺少已确认的记录：日志止于第 {} 号事件{torn_zh}，但{}见过第 {} 号（哈希 {}…）；第 {}–{} 号事件不在日志中。{KEEP}。请先备份整个数据目录，再运行 `dutydesk recover`（它会说明丢失了什么，且序号与事件编号不再重复使用）/ the journal is missing acknowledged records: it ends at event #{}{torn_en}, but {} saw #{} (hash {}…); events #{}–#{} are not in the journal. Nothing on disk was changed. Back up the whole data folder, then run `dutydesk recover` (it says exactly what is lost and never reuses a sequence or incident number)",
                jhead.seq,
                w.zh,
                w.head.seq,
                short(&w.head.hash),
                jhead.seq + 1,
                w.head.seq,
                jhead.seq,
                w.en,
                w.head.seq,
                short(&w.head.hash),
                jhead.seq + 1,
                w.head.seq,
            )));
        }
    }
    if let Ok(Some(a)) = db.meta_head(ANCHOR) {
        if a.seq > anchors.max_named() {
            return Err(StoreError::Evidence(format!(
                "锚点文件被截短或删除：数据库记录写过第 {} 号事件的检查点，而锚点文件 {} 最新的是第 {} 号。{KEEP}。请从副本恢复锚点文件 / the anchor file was cut short or deleted: the database recorded a checkpoint of event #{}, the anchor file {} holds none past #{}. Nothing on disk was changed. Restore the anchor file from a copy",
                a.seq,
                checkpoints::ANCHORS,
                anchors.max_named(),
                a.seq,
                checkpoints::ANCHORS,
                anchors.max_named()
            )));
        }
    }
    // Each witness's event must still carry the hash it saw. One lookup per distinct seq.
    let mut wanted: BTreeMap<u64, Vec<&Witness>> = BTreeMap::new();
    for w in &witnesses {
        wanted.entry(w.head.seq).or_default().push(w);
    }
    for (seq, ws) in wanted {
        let held = if seq == jhead.seq {
            Some(jhead.hash.clone())
        } else {
            hash_at(db, jpath, seq)?
        };
        for w in ws {
            if held.as_deref() == Some(w.head.hash.as_str()) {
                continue;
            }
            let held = held.as_deref().map(short).unwrap_or("—");
            return Err(StoreError::Evidence(format!(
                "日志已被改写：第 {seq} 号事件的哈希是 {held}…，而{}记录的是 {}…——在它见过之后，历史被改动并重新链接（或中间的记录丢失）。{KEEP}。请运行 `dutydesk verify` 查看详情，并从副本恢复日志 / the journal was rewritten: event #{seq} has hash {held}…, but {} recorded {}… — history was changed and re-chained after it was seen (or records in the middle are gone). Nothing on disk was changed. Run `dutydesk verify` for details and restore the journal from a copy",
                w.zh,
                short(&w.head.hash),
                w.en,
                short(&w.head.hash),
            )));
        }
    }
    Ok(())
}

/// Checks the chain from the verified `mark` (the whole journal without one) to the journal's
/// head; returns the first break.
pub fn check_chain_from(
    db: &Db,
    jpath: &Path,
    mark: Option<&Head>,
    jhead: &Head,
) -> Result<Option<Break>, StoreError> {
    let io = |source| StoreError::Io {
        what: "read journal".into(),
        source,
    };
    if let Some(m) = mark.filter(|m| m.seq > 0 && m.seq <= jhead.seq) {
        let (seq0, offset) = db.floor_of(m.seq).unwrap_or((1, 0));
        let read =
            lines::Forward::open(jpath, seq0, offset, seq0, u64::MAX, 1 << 20).map_err(io)?;
        let mut check: Option<ChainCheck> = None;
        for r in read {
            let (no, _, line) = r.map_err(io)?;
            match check.as_mut() {
                None => {
                    if let Ok(h) = serde_json::from_str::<SeqHash>(&line) {
                        if h.seq == m.seq && h.hash == m.hash {
                            check = Some(ChainCheck::after(m.seq, &m.hash));
                        } else if h.seq >= m.seq {
                            break;
                        }
                    }
                }
                Some(c) => {
                    if let Err(b) = c.check(no, &line) {
                        return Ok(Some(b));
                    }
                }
            }
        }
        if check.is_some() {
            return Ok(None);
        }
        // The index did not lead to the mark: check everything.
    }
    let mut check = ChainCheck::default();
    for r in journal::read_lines(jpath).map_err(io)? {
        let (no, line) = match r {
            Ok(x) => x,
            Err(e) => {
                return Ok(Some(Break {
                    seq: check.expected(),
                    line: 0,
                    reason: format!("unreadable line: {e}"),
                }))
            }
        };
        if let Err(b) = check.check(no, &line) {
            return Ok(Some(b));
        }
    }
    Ok(None)
}

/// The anchor file's checkpoints checked against the hashes a walk of the journal saw.
#[derive(Debug)]
pub struct AnchorCheck {
    wanted: BTreeMap<u64, Vec<checkpoints::Checkpoint>>,
    found: BTreeMap<u64, String>,
    unreadable: Option<String>,
    /// The first checkpoint whose signature does not verify, or that another key signed.
    forged: Option<Break>,
    /// Checkpoints in the file, and how many are signed.
    counts: (u64, u64),
}

impl AnchorCheck {
    /// Reads the anchor file of the data folder `dir`. Every signed checkpoint must verify, and
    /// under `trusted` (the desk key's public half) when given: a checkpoint re-signed with
    /// some other key is no checkpoint of this desk.
    pub fn new(dir: &Path, trusted: Option<&str>) -> AnchorCheck {
        let mut wanted: BTreeMap<u64, Vec<checkpoints::Checkpoint>> = BTreeMap::new();
        let mut unreadable = None;
        let mut forged = None;
        let mut counts = (0, 0);
        match checkpoints::read(dir) {
            Ok(a) => {
                counts = (
                    a.all.len() as u64,
                    a.all.iter().filter(|c| c.sig.is_some()).count() as u64,
                );
                let mut signing_began = false;
                for (i, c) in a.all.iter().enumerate() {
                    let why = match (c.signature_ok(), &c.key) {
                        (Some(false), _) => Some("carries a signature that does not verify"),
                        (Some(true), Some(k)) if trusted.is_some_and(|t| t != k) => Some(
                            "is signed by a key that is not this desk's (if this desk's \
                                 desk.key was lost or replaced, put the old one back)",
                        ),
                        // A desk with its key signs every checkpoint: an unsigned one after
                        // the first signed one was written by someone without the key.
                        (None, _) if signing_began && trusted.is_some() => {
                            Some("is unsigned, after checkpoints this desk signed")
                        }
                        _ => None,
                    };
                    signing_began |= c.sig.is_some();
                    if let (Some(why), None) = (why, &forged) {
                        forged = Some(Break {
                            seq: c.seq,
                            line: 0,
                            reason: format!(
                                "the anchor file's checkpoint of {} (line {}, event #{}) {why}: the anchor file was changed",
                                c.at,
                                i + 1,
                                c.seq
                            ),
                        });
                    }
                }
                for c in a.live() {
                    wanted.entry(c.seq).or_default().push(c.clone());
                }
            }
            Err(e) => unreadable = Some(e.to_string()),
        }
        AnchorCheck {
            wanted,
            found: BTreeMap::new(),
            unreadable,
            forged,
            counts,
        }
    }

    /// Checkpoints in the anchor file, and how many of them are signed.
    pub fn counts(&self) -> (u64, u64) {
        self.counts
    }

    /// One event of the walk.
    pub fn see(&mut self, seq: u64, hash: &str) {
        if self.wanted.contains_key(&seq) {
            self.found.insert(seq, hash.to_string());
        }
    }

    /// The first checkpoint the journal (of `events` events) does not match.
    pub fn finish(self, events: u64) -> Option<Break> {
        if let Some(e) = self.unreadable {
            return Some(Break {
                seq: 0,
                line: 0,
                reason: format!("the anchor file cannot be read: {e}"),
            });
        }
        if let Some(b) = self.forged {
            return Some(b);
        }
        for (seq, cs) in &self.wanted {
            for c in cs {
                match self.found.get(seq) {
                    Some(h) if *h == c.hash => {}
                    Some(h) => {
                        return Some(Break {
                            seq: *seq,
                            line: 0,
                            reason: format!(
                                "the anchor file's checkpoint of {} holds hash {}… for event #{seq}, the log now holds {}… (history rewritten and re-chained)",
                                c.at,
                                short(&c.hash),
                                short(h)
                            ),
                        })
                    }
                    None => {
                        return Some(Break {
                            seq: *seq,
                            line: 0,
                            reason: format!(
                                "the anchor file's checkpoint of {} names event #{seq}, the log ends at #{events} (records lost)",
                                c.at
                            ),
                        })
                    }
                }
            }
        }
        None
    }
}
