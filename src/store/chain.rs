//! Checking the hash chain of journal lines: the first bad sequence number and why.

use crate::domain::event::{line_hash, line_prefix};
use crate::domain::{Event, GENESIS_HASH};

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

    /// Checks the next line's sequence, link and hash without parsing its payload.
    pub fn check(&mut self, line_no: u64, line: &str) -> Result<(), Break> {
        #[derive(serde::Deserialize)]
        struct Head<'a> {
            seq: u64,
            #[serde(borrow)]
            prev: std::borrow::Cow<'a, str>,
            #[serde(borrow)]
            hash: std::borrow::Cow<'a, str>,
        }
        let head: Head = serde_json::from_str(line)
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
        self.check_digested(line_no, line, seq, prev, hash, None)
    }

    /// As [`check_parsed`](Self::check_parsed), with the line's digest computed ahead (perhaps
    /// on another thread) by [`line_digest`]; `None` computes it here.
    pub fn check_digested(
        &mut self,
        line_no: u64,
        line: &str,
        seq: u64,
        prev: &str,
        hash: &str,
        digest: Option<&str>,
    ) -> Result<(), Break> {
        if seq != self.expect_seq {
            return Err(self.bad(
                line_no,
                format!(
                "sequence number {seq} where {} was expected (a record deleted, inserted or moved)",
                self.expect_seq
            ),
            ));
        }
        if prev != self.prev_hash {
            return Err(self.bad(line_no,
                "does not link to the previous record (a record before it changed, deleted or inserted)".into(),
            ));
        }
        let computed;
        let digest = match digest {
            Some(d) => d,
            None => {
                computed =
                    line_digest(line).ok_or_else(|| self.bad(line_no, "no hash field".into()))?;
                computed.as_str()
            }
        };
        if digest != hash {
            return Err(self.bad(
                line_no,
                "hash does not match the content (the record was modified)".into(),
            ));
        }
        let tail_ok = line
            .strip_suffix("\"}")
            .and_then(|l| l.strip_suffix(hash))
            .is_some_and(|l| l.ends_with(crate::domain::event::HASH_MARK));
        if !tail_ok {
            return Err(self.bad(line_no, "bytes after the hash".into()));
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

/// The hash a journal line must carry: the hex SHA-256 of its bytes before `,"hash":"`; `None`
/// when it has no hash field.
pub fn line_digest(line: &str) -> Option<String> {
    line_prefix(line).map(line_hash)
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
