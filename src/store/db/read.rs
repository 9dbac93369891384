//! The projection's read side: incidents, notices, instructions, tokens, counters and journal
//! lines through the sparse offset index.

use super::*;

impl Db {
    /// One incident.
    pub fn incident(&self, number: &str) -> Result<Option<Incident>, DbError> {
        match self.incidents.get(number.as_bytes())? {
            Some(v) => decode_value(&v)
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
            Some(v) => decode_value(&v)
                .map(Some)
                .map_err(|e| DbError::Decode(format!("notice {id}: {e}"))),
            None => Ok(None),
        }
    }

    /// One instruction (批示).
    pub fn instruction(&self, id: &str) -> Result<Option<Instruction>, DbError> {
        match self.instructions.get(id.as_bytes())? {
            Some(v) => decode_value(&v)
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
        if seq == 0 || seq > self.head()?.seq {
            return Ok(None);
        }
        let (seq0, offset) = self.floor_of(seq)?;
        let mut read = lines::Forward::open(&self.journal, seq0, offset, seq, seq, 1 << 16)
            .map_err(|e| DbError::Journal(e.to_string()))?;
        match read.next() {
            Some(Ok((_, _, line))) => Ok(Some(line)),
            Some(Err(e)) => Err(DbError::Journal(e.to_string())),
            None => Ok(None),
        }
    }

    /// Event lines from `from` (inclusive) up to the database's head, oldest first.
    pub fn event_lines_from(
        &self,
        from: u64,
    ) -> impl Iterator<Item = Result<(u64, String), DbError>> + '_ {
        let start = self
            .head()
            .and_then(|h| Ok((h.seq, self.floor_of(from.max(1))?)))
            .and_then(|(head, (seq0, offset))| {
                lines::Forward::open(&self.journal, seq0, offset, from.max(1), head, 1 << 20)
                    .map_err(|e| DbError::Journal(e.to_string()))
            });
        let (read, failed) = match start {
            Ok(r) => (r, None),
            Err(e) => (lines::Forward::empty(), Some(e)),
        };
        failed.map(Err).into_iter().chain(read.map(|r| {
            r.map(|(seq, _, line)| (seq, line))
                .map_err(|e| DbError::Journal(e.to_string()))
        }))
    }

    /// Event lines from `from` up to the database's head, oldest first, in blocks of about
    /// `size` bytes of whole lines (see [`lines::Blocks`]).
    pub fn event_blocks_from(&self, from: u64, size: usize) -> Result<lines::Blocks, DbError> {
        let head = self.head()?.seq;
        let (seq0, offset) = self.floor_of(from.max(1))?;
        lines::Blocks::open(&self.journal, seq0, offset, from.max(1), head, size)
            .map_err(|e| DbError::Journal(e.to_string()))
    }

    /// Event lines from the database's head down to `down_to` (inclusive), newest first.
    pub fn event_lines_rev(
        &self,
        down_to: u64,
    ) -> impl Iterator<Item = Result<(u64, String), DbError>> + '_ {
        let (head, failed) = match self.head() {
            Ok(h) => (h.seq, None),
            Err(e) => (0, Some(e)),
        };
        let floor = |seq| {
            self.floor_of(seq)
                .map_err(|e| std::io::Error::other(e.to_string()))
        };
        let read = lines::Backward::new(&self.journal, floor, down_to, head);
        failed
            .map(Err)
            .into_iter()
            .chain(read.map(|r| r.map_err(|e| DbError::Journal(e.to_string()))))
    }

    /// The first indexed event whose offset does not point at its own line in the journal
    /// (each indexed line must start `{"seq":N,`), if any.
    pub fn check_line_index(&self) -> Result<Option<u64>, DbError> {
        use std::os::unix::fs::FileExt;
        let f = std::fs::File::open(&self.journal).map_err(|e| DbError::Journal(e.to_string()))?;
        let mut buf = [0u8; 32];
        for r in self.meta.scan_prefix(OFFSETS) {
            let (k, v) = r?;
            let Ok((seq, offset)) = offset_entry(&k, &v) else {
                return Ok(Some(0));
            };
            let want = format!("{{\"seq\":{seq},");
            let n = f.read_at(&mut buf, offset).unwrap_or(0);
            if !buf[..n].starts_with(want.as_bytes()) {
                return Ok(Some(seq));
            }
        }
        Ok(None)
    }

    /// Number of events (sequence numbers are dense from 1).
    pub fn event_count(&self) -> usize {
        self.head().map(|h| h.seq as usize).unwrap_or(0)
    }

    /// Bytes on disk.
    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }
}
