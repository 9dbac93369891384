//! Handover anchors: every `HandoverAccepted` event names the log's head (sequence number and
//! hash) at acceptance. A history rewritten and re-chained after the fact still links, but no
//! longer matches the hashes its anchors hold; this check finds that.

use std::collections::BTreeMap;
use std::path::Path;

use super::chain::Break;
use super::journal;
use crate::domain::{Event, EventBody};

/// Checks every handover anchor in the journal at `path`; returns the first mismatch.
///
/// Two passes, the second only when the log holds handovers: find the anchors, then read the
/// hashes of the events they name.
pub fn check(path: &Path) -> std::io::Result<Option<Break>> {
    // head_seq -> (the anchoring event's seq, the hash it holds)
    let mut wanted: BTreeMap<u64, Vec<(u64, String)>> = BTreeMap::new();
    for r in journal::read_lines(path)? {
        let (_, line) = r?;
        if !line.contains("\"kind\":\"handover_accepted\"") {
            continue;
        }
        if let Ok(e) = serde_json::from_str::<Event>(&line) {
            if let EventBody::HandoverAccepted {
                head_seq,
                head_hash,
                ..
            } = e.body
            {
                wanted.entry(head_seq).or_default().push((e.seq, head_hash));
            }
        }
    }
    if wanted.is_empty() {
        return Ok(None);
    }
    #[derive(serde::Deserialize)]
    struct Head {
        seq: u64,
        hash: String,
    }
    let mut first: Option<Break> = None;
    let mut note = |b: Break| {
        if !matches!(&first, Some(f) if f.seq <= b.seq) {
            first = Some(b);
        }
    };
    for r in journal::read_lines(path)? {
        let (no, line) = r?;
        let Ok(h) = serde_json::from_str::<Head>(&line) else {
            continue;
        };
        let Some(anchors) = wanted.remove(&h.seq) else {
            continue;
        };
        for (by, hash) in anchors {
            if hash != h.hash {
                note(Break {
                    seq: h.seq,
                    line: no,
                    reason: format!(
                        "the handover at #{by} anchored event #{} with hash {}…, the log now holds {}… (history rewritten and re-chained)",
                        h.seq,
                        short(&hash),
                        short(&h.hash)
                    ),
                });
            }
        }
    }
    for (seq, anchors) in wanted {
        for (by, _) in anchors {
            note(Break {
                seq,
                line: 0,
                reason: format!(
                    "the handover at #{by} anchored event #{seq}, which the log does not hold"
                ),
            });
        }
    }
    Ok(first)
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}
