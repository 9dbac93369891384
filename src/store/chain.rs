//! Checking the hash chain of journal lines: the first bad sequence number and why.

use sha2::{Digest, Sha256};

use crate::domain::event::HASH_MARK;
use crate::domain::{Event, GENESIS_HASH};

use super::view::HeadView;

/// Where and why a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Break {
    /// The sequence number expected at the first bad position.
    pub seq: u64,
    /// The journal line (1-based).
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

/// Walks lines in order, checking sequence, link and hash of each.
#[derive(Debug, Clone)]
pub struct ChainCheck {
    expect_seq: u64,
    prev_hash: String,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck {
            expect_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
        }
    }
}

impl ChainCheck {
    /// Continues a chain after a known event (for checking a tail).
    pub fn after(seq: u64, hash: &str) -> ChainCheck {
        ChainCheck {
            expect_seq: seq + 1,
            prev_hash: hash.to_string(),
        }
    }

    /// Checks the next line's sequence, link and hash without reading its payload (the
    /// journal's [`HeadView`]).
    pub fn check(&mut self, line_no: u64, line: &str) -> Result<(), Break> {
        let head = HeadView::parse(line.as_bytes())
            .map_err(|e| self.bad(line_no, format!("not a valid event: {e}")))?;
        self.check_parsed(line_no, line, head.seq, &head.prev, &head.hash)
    }

    /// Checks the next line whose `seq`, `prev` and `hash` the caller has already read from it
    /// (as [`check`](Self::check) does, without parsing the line again).
    pub fn check_parsed(
        &mut self,
        line_no: u64,
        line: &str,
        seq: u64,
        prev: &str,
        hash: &str,
    ) -> Result<(), Break> {
        self.check_bytes(line_no, line.as_bytes(), seq, prev, hash)
    }

    /// As [`check_parsed`](Self::check_parsed), for a line as bytes (not checked as UTF-8: the
    /// hash covers the bytes).
    pub fn check_bytes(
        &mut self,
        line_no: u64,
        line: &[u8],
        seq: u64,
        prev: &str,
        hash: &str,
    ) -> Result<(), Break> {
        self.check_hashed(line_no, line, seq, prev, hash, None)
    }

    /// As [`check_bytes`](Self::check_bytes), with [`hash_ok`] of the line if it was already
    /// worked out (on another thread: the audit hashes blocks of lines in parallel).
    pub fn check_hashed(
        &mut self,
        line_no: u64,
        line: &[u8],
        seq: u64,
        prev: &str,
        hash: &str,
        hashed: Option<bool>,
    ) -> Result<(), Break> {
        self.check_seq(line_no, seq)?;
        if prev != self.prev_hash {
            return Err(self.bad(line_no,
                "does not link to the previous record (a record before it changed, deleted or inserted)".into(),
            ));
        }
        // `hash` must be the one `hash_ok` checked: the last field, ending the line.
        let last = line.strip_suffix(b"\"}").is_some_and(|l| {
            l.strip_suffix(hash.as_bytes())
                .is_some_and(|l| l.ends_with(HASH_MARK.as_bytes()))
        });
        if !last {
            return Err(self.bad(line_no, "bytes after the hash".into()));
        }
        if !hashed.unwrap_or_else(|| hash_ok(line)) {
            return Err(self.bad(
                line_no,
                "hash does not match the content (the record was modified)".into(),
            ));
        }
        self.expect_seq += 1;
        self.prev_hash.clear();
        self.prev_hash.push_str(hash);
        Ok(())
    }

    /// Checks the next line; on success returns the parsed event.
    pub fn next(&mut self, line_no: u64, line: &str) -> Result<Event, Break> {
        let event: Event = serde_json::from_str(line)
            .map_err(|e| self.bad(line_no, format!("not a valid event: {e}")))?;
        self.check_parsed(line_no, line, event.seq, &event.prev, &event.hash)?;
        Ok(event)
    }

    fn check_seq(&self, line_no: u64, seq: u64) -> Result<(), Break> {
        if seq == self.expect_seq {
            return Ok(());
        }
        Err(self.bad(
            line_no,
            format!(
                "sequence number {seq} where {} was expected (a record deleted, inserted or moved)",
                self.expect_seq
            ),
        ))
    }

    fn bad(&self, line_no: u64, reason: String) -> Break {
        Break {
            seq: self.expect_seq,
            line: line_no,
            reason,
        }
    }

    /// The sequence number the next line must carry.
    pub fn expected(&self) -> u64 {
        self.expect_seq
    }

    /// The hash the next line must link to.
    pub fn prev_hash(&self) -> &str {
        &self.prev_hash
    }
}

/// True when a line (its bytes) ends with `,"hash":"`, 64 lowercase hex digits and `"}`, and
/// those digits are the SHA-256 of every byte before `,"hash":"`. Compares raw bytes and
/// allocates nothing.
pub fn hash_ok(line: &[u8]) -> bool {
    sealed(line).is_some_and(|(hashed, hex)| hex_is(&Sha256::digest(hashed).into(), hex))
}

/// A sealed line's hashed bytes (all before `,"hash":"`) and its stated hash (the 64 digits
/// after), if it ends as a sealed line does.
fn sealed(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let body = line.strip_suffix(b"\"}")?;
    let (prefix, hex) = body.split_at(body.len().checked_sub(64)?);
    Some((prefix.strip_suffix(HASH_MARK.as_bytes())?, hex))
}

/// True when `hex` is `digest` in lowercase hex.
fn hex_is(digest: &[u8; 32], hex: &[u8]) -> bool {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    hex.len() == 64
        && digest
            .iter()
            .zip(hex.chunks_exact(2))
            .all(|(b, h)| h[0] == HEX[usize::from(b >> 4)] && h[1] == HEX[usize::from(b & 15)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::EventBody;

    fn chain(n: u64) -> Vec<String> {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-22T02:00:00+08:00").unwrap();
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let e = Event::seal(
                    seq,
                    at,
                    "o",
                    "u",
                    EventBody::Note {
                        text: format!("n{seq}"),
                    },
                    &prev,
                );
                prev = e.hash.clone();
                e.to_line()
            })
            .collect()
    }

    fn first_bad(lines: &[String]) -> Option<u64> {
        let mut c = ChainCheck::default();
        for (i, l) in lines.iter().enumerate() {
            if let Err(b) = c.next(i as u64 + 1, l) {
                return Some(b.seq);
            }
        }
        None
    }

    #[test]
    fn a_line_hashes_right_only_as_written() {
        let good = chain(3);
        for l in &good {
            assert!(hash_ok(l.as_bytes()), "{l}");
        }
        let l = &good[1];
        let n = l.len();
        let upper = format!("{}{}\"}}", &l[..n - 66], l[n - 66..n - 2].to_uppercase());
        for bad in [
            l.replacen("n2", "n3", 1),
            format!("{l} "),
            format!("{}}}", l),
            upper,
            l[..n - 3].to_string() + "\"}",
            l.replacen(",\"hash\":\"", ",\"hash\": \"", 1),
            String::new(),
        ] {
            assert!(!hash_ok(bad.as_bytes()), "{bad}");
            // And the chain check agrees, whether the hash was checked ahead or not.
            for ahead in [None, Some(hash_ok(bad.as_bytes()))] {
                let mut c = ChainCheck::default();
                c.next(1, &good[0]).unwrap();
                let e: Result<Event, _> = serde_json::from_str(&bad);
                if let Ok(e) = e {
                    let checked = c.check_hashed(2, bad.as_bytes(), e.seq, &e.prev, &e.hash, ahead);
                    assert!(checked.is_err());
                }
            }
        }
    }

    #[test]
    fn tampering_is_found_at_the_right_place() {
        let good = chain(10);
        assert_eq!(first_bad(&good), None);
        let mut modified = good.clone();
        modified[4] = modified[4].replace("n5", "n6");
        assert_eq!(first_bad(&modified), Some(5));
        let mut deleted = good.clone();
        deleted.remove(6);
        assert_eq!(first_bad(&deleted), Some(7));
        let mut inserted = good.clone();
        inserted.insert(3, good[8].clone());
        assert_eq!(first_bad(&inserted), Some(4));
        let mut swapped = good.clone();
        swapped.swap(2, 3);
        assert_eq!(first_bad(&swapped), Some(3));
    }
}
