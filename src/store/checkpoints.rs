//! The anchor file (`anchors.jsonl`): checkpoints of the journal's head kept outside the hash
//! chain. Every handover and every N events a line `{"seq":…,"hash":…,"at":…,"why":…}` is
//! appended (0600, `fdatasync`ed) *after* the journal's own `fdatasync`, so a checkpoint never
//! names an event the journal has not made durable. On open and in `verify` the journal must
//! hold every checkpoint's event with the checkpoint's hash: a journal cut short, emptied or
//! deleted, or rewritten and re-chained, no longer does.
//!
//! `dutydesk recover` appends a checkpoint carrying `lost`: the range of events it could not
//! restore. Earlier checkpoints inside that range are superseded by it (their events are gone
//! and the journal holds placeholders in their place); every other one is still checked.
//!
//! With the desk key ([`super::signing`]) each checkpoint is signed (Ed25519; `key` and `sig`
//! fields): whoever rewrites the journal and this file must also hold the key, and a checkpoint
//! that left the machine (the printed handover record) proves the head to anyone with the
//! public key. Without a key the file is still a second copy that must be changed consistently,
//! and sled records the newest checkpoint written, so a file cut short or deleted is noticed.

use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use super::os;

/// The anchor file's name in the data folder.
pub const ANCHORS: &str = "anchors.jsonl";

/// Events between two checkpoints unless `DUTYDESK_ANCHOR_EVERY` says otherwise.
pub const DEFAULT_EVERY: u64 = 1000;

/// One checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    /// The journal's head when it was written.
    pub seq: u64,
    /// That event's hash.
    pub hash: String,
    /// When (RFC 3339, local time with offset).
    pub at: String,
    /// `every`, `handover`, `open`, or `recover`.
    pub why: String,
    /// Set by `recover`: the events it could not restore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost: Option<Lost>,
    /// The desk's public key (hex) that signed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The Ed25519 signature (hex) of [`Checkpoint::message`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sig: Option<String>,
}

impl Checkpoint {
    /// What the signature covers. A loss range is part of it through `why`'s partner fields:
    /// the range is written into the message after the other fields.
    pub fn message(&self) -> Vec<u8> {
        let mut m = super::signing::checkpoint_message(self.seq, &self.hash, &self.at, &self.why);
        if let Some(l) = &self.lost {
            m.extend(format!("lost {} {} {}\n", l.from, l.to, l.witness_hash).into_bytes());
        }
        m
    }

    /// The checkpoint signed with `key`.
    pub fn signed(mut self, key: &super::signing::DeskKey) -> Checkpoint {
        self.key = Some(key.public_hex());
        self.sig = Some(key.sign(&self.message()));
        self
    }

    /// `None` for an unsigned checkpoint, else whether its signature verifies under its key.
    pub fn signature_ok(&self) -> Option<bool> {
        match (&self.key, &self.sig) {
            (None, None) => None,
            (Some(k), Some(s)) => Some(super::signing::verify(k, &self.message(), s)),
            _ => Some(false),
        }
    }
}

/// Events lost and replaced by placeholders.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lost {
    /// The first lost sequence number.
    pub from: u64,
    /// The last.
    pub to: u64,
    /// The hash a witness held for `to` (empty when no witness named it).
    #[serde(default)]
    pub witness_hash: String,
}

/// The anchor file of a data folder, as read.
#[derive(Debug, Clone, Default)]
pub struct Anchors {
    /// Every complete checkpoint line, oldest first.
    pub all: Vec<Checkpoint>,
    /// True when the file exists.
    pub exists: bool,
    /// Bytes of an unfinished last line (a write cut off; never relied on).
    pub torn_bytes: u64,
}

impl Anchors {
    /// The checkpoints still to be checked: those not inside the range of a later `lost`.
    pub fn live(&self) -> Vec<&Checkpoint> {
        self.all
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                !self.all[i + 1..].iter().any(|later| {
                    later
                        .lost
                        .as_ref()
                        .is_some_and(|l| c.seq >= l.from && c.seq <= l.to)
                })
            })
            .map(|(_, c)| c)
            .collect()
    }

    /// The highest sequence number any live checkpoint names.
    pub fn max_seq(&self) -> u64 {
        self.live().iter().map(|c| c.seq).max().unwrap_or(0)
    }

    /// True when `seq` lies in a range some `recover` declared lost.
    pub fn declared_lost(&self, seq: u64) -> bool {
        self.all
            .iter()
            .filter_map(|c| c.lost.as_ref())
            .any(|l| seq >= l.from && seq <= l.to)
    }

    /// The highest sequence number the file has ever named (checkpoints and lost ranges).
    pub fn max_named(&self) -> u64 {
        self.all
            .iter()
            .map(|c| c.seq.max(c.lost.as_ref().map(|l| l.to).unwrap_or(0)))
            .max()
            .unwrap_or(0)
    }
}

/// The anchor file's path in a data folder.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(ANCHORS)
}

/// Reads the anchor file; a missing file reads as empty. A complete line that is not a
/// checkpoint is an error naming its line (the file is damaged).
pub fn read(dir: &Path) -> io::Result<Anchors> {
    let p = path(dir);
    let f = match std::fs::File::open(&p) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Anchors::default()),
        Err(e) => return Err(e),
    };
    let mut out = Anchors {
        exists: true,
        ..Anchors::default()
    };
    let mut reader = BufReader::new(f);
    let mut no = 0u64;
    loop {
        let mut buf = Vec::new();
        let n = reader.read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        if buf.last() != Some(&b'\n') {
            out.torn_bytes = n as u64;
            break;
        }
        no += 1;
        buf.pop();
        let c: Checkpoint = serde_json::from_slice(&buf).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} line {no} is not a checkpoint: {e}", p.display()),
            )
        })?;
        out.all.push(c);
    }
    Ok(out)
}

/// Appends a checkpoint (the file created 0600) and `fdatasync`s it. An unfinished last line
/// left by a crash is cut off first (it was never complete, so nothing relied on it).
pub fn append(dir: &Path, c: &Checkpoint) -> io::Result<()> {
    let p = path(dir);
    let existed = p.exists();
    let mut f = os::open_private_append(&p)?;
    let len = f.metadata()?.len();
    if len > 0 {
        use std::io::{Read, Seek, SeekFrom};
        let mut last = [0u8; 1];
        f.seek(SeekFrom::Start(len - 1))?;
        f.read_exact(&mut last)?;
        if last[0] != b'\n' {
            // Find the start of the unfinished line and cut it off.
            let data = std::fs::read(&p)?;
            let keep = data.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            f.set_len(keep as u64)?;
        }
    }
    let mut line = serde_json::to_vec(c).map_err(io::Error::other)?;
    line.push(b'\n');
    f.write_all(&line)?;
    os::fdatasync(&f)?;
    if !existed {
        os::sync_dir(dir)?;
    }
    Ok(())
}

/// Events between checkpoints: `DUTYDESK_ANCHOR_EVERY` (at least 1), else [`DEFAULT_EVERY`].
pub fn every_from_env() -> u64 {
    std::env::var("DUTYDESK_ANCHOR_EVERY")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(DEFAULT_EVERY)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp(seq: u64, lost: Option<(u64, u64)>) -> Checkpoint {
        Checkpoint {
            seq,
            hash: format!("h{seq}"),
            at: String::new(),
            why: "every".into(),
            lost: lost.map(|(from, to)| Lost {
                from,
                to,
                witness_hash: String::new(),
            }),
            key: None,
            sig: None,
        }
    }

    #[test]
    fn a_signed_checkpoint_verifies_until_any_field_changes() {
        let key = crate::store::signing::DeskKey::from_bytes(&[3u8; 32]);
        let c = cp(40, Some((15, 30))).signed(&key);
        assert_eq!(c.signature_ok(), Some(true));
        assert_eq!(cp(40, None).signature_ok(), None);
        let changes: [fn(&mut Checkpoint); 6] = [
            |c| c.seq += 1,
            |c| c.hash.push('0'),
            |c| c.at.push('Z'),
            |c| c.why = "handover".into(),
            |c| c.lost = None,
            |c| c.sig = None,
        ];
        for change in changes {
            let mut d = c.clone();
            change(&mut d);
            assert_eq!(d.signature_ok(), Some(false), "{d:?}");
        }
        // A checkpoint read back from its line verifies as written.
        let line = serde_json::to_string(&c).unwrap();
        let back: Checkpoint = serde_json::from_str(&line).unwrap();
        assert_eq!(back.signature_ok(), Some(true));
    }

    #[test]
    fn a_loss_supersedes_only_the_checkpoints_inside_it_and_before_it() {
        let a = Anchors {
            all: vec![
                cp(10, None),
                cp(20, None),
                cp(30, None),
                cp(31, Some((15, 30))),
                cp(40, None),
            ],
            exists: true,
            torn_bytes: 0,
        };
        let live: Vec<u64> = a.live().iter().map(|c| c.seq).collect();
        assert_eq!(live, vec![10, 31, 40]);
        assert_eq!(a.max_seq(), 40);
        assert!(a.declared_lost(20));
        assert!(!a.declared_lost(31));
    }

    #[test]
    fn a_torn_line_is_cut_before_the_next_append_and_a_bad_line_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        append(dir.path(), &cp(1, None)).unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(path(dir.path()))
            .unwrap();
        f.write_all(b"{\"seq\":2,").unwrap();
        let read1 = read(dir.path()).unwrap();
        assert_eq!(read1.all.len(), 1);
        assert_eq!(read1.torn_bytes, 9);
        append(dir.path(), &cp(3, None)).unwrap();
        let read2 = read(dir.path()).unwrap();
        assert_eq!(read2.all.len(), 2);
        assert_eq!(read2.torn_bytes, 0);
        f.write_all(b"garbage\n").unwrap();
        assert!(read(dir.path()).is_err());
    }
}
