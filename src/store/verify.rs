//! `verify`: the whole chain walked once, the projections compared with a replay, every
//! checkpoint of the anchor file checked.

use super::*;

impl Store {
    /// Checks the whole chain and that the projections equal a replay of the journal, in one
    /// pass over the journal.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        let t0 = Instant::now();
        let path = self.journal.path();
        let mut mem = projection::MemView::default();
        let mut replay_error = None;
        let trusted = self.signer.as_ref().map(|k| k.public_hex());
        let mut seen = witness::AnchorCheck::new(&self.dir, trusted.as_deref());
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
            checkpoints: seen.counts(),
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

    pub(super) fn compare_projection(
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
    /// Checkpoints in the anchor file, and how many of them are signed.
    #[serde(default)]
    pub checkpoints: (u64, u64),
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

/// Walks every complete line of a journal through `on_line` (which checks it with the chain
/// and may do more), stopping at the first break; counts an unfinished last line as torn.
pub(super) fn walk_chain(
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
    let mut seen = witness::AnchorCheck::new(path.parent().unwrap_or(Path::new(".")), None);
    let walk = walk_chain(path, &what, |check, no, line| {
        let e = check.next(no, line)?;
        seen.see(e.seq, &e.hash);
        Ok(())
    })?;
    let checkpoints = seen.counts();
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
        checkpoints,
        millis: t0.elapsed().as_millis() as u64,
    })
}

/// The first key whose value differs between two maps (or that only one holds).
pub(super) fn first_difference<V: PartialEq>(
    a: &std::collections::BTreeMap<String, V>,
    b: &std::collections::BTreeMap<String, V>,
) -> Option<String> {
    a.iter()
        .find(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .or_else(|| b.keys().find(|k| !a.contains_key(*k)).cloned())
}
