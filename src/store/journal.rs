//! The append-only journal: one canonical JSON event a line, `fdatasync`ed before an append
//! returns. The sled database is a projection that can always be rebuilt from it.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::os;

/// Whether an append waits for the disk. `Off` exists only as the crash test's negative control:
/// lines are kept in a process buffer and acknowledged before they reach the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// write + fdatasync before returning (the only mode for real use).
    #[default]
    Sync,
    /// Negative control: acknowledge from a user-space buffer; lost on kill -9.
    UnsafeBuffered,
}

/// A planned I/O failure, for the reliability suite: the `fail_at`-th journal write or sync
/// from now fails (with EIO), once or, if `persistent`, from then on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultPlan {
    /// 1 = the next write or sync.
    pub fail_at: u64,
    /// Keep failing after the first failure.
    pub persistent: bool,
}

thread_local! {
    /// Per thread, so tests that share a process (one integration-test binary) never see
    /// another test's faults.
    static FAULTS: std::cell::Cell<Option<(FaultPlan, u64)>> = const { std::cell::Cell::new(None) };
}

/// Arms (or with `None`, disarms) a fault plan for the journal writes of the calling thread.
pub fn inject_faults(plan: Option<FaultPlan>) {
    FAULTS.set(plan.map(|p| (p, 0)));
}

/// Counts one journal I/O operation and says whether it must fail.
fn fault() -> io::Result<()> {
    let Some((plan, count)) = FAULTS.get() else {
        return Ok(());
    };
    let count = count + 1;
    FAULTS.set(Some((plan, count)));
    if count == plan.fail_at || (plan.persistent && count > plan.fail_at) {
        return Err(io::Error::from(rustix::io::Errno::IO));
    }
    Ok(())
}

/// The journal file, open for appending.
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
    len: u64,
    durability: Durability,
    pending: Vec<u8>,
    /// Bytes of an unfinished last line still in the file (see [`Journal::open_untrimmed`]).
    torn: u64,
}

/// What opening the journal had to mend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TailRepair {
    /// Bytes of an unfinished last line (a write cut off before it was acknowledged) removed.
    pub torn_bytes: u64,
}

impl Journal {
    /// Opens (creating 0600) the journal and removes a torn last line, which was never
    /// acknowledged because its `fdatasync` had not returned.
    pub fn open(path: &Path, durability: Durability) -> io::Result<(Journal, TailRepair)> {
        let mut j = Journal::open_untrimmed(path, durability)?;
        let repair = j.trim_torn()?;
        Ok((j, repair))
    }

    /// Opens (creating 0600) the journal, leaving an unfinished last line where it is: the
    /// caller decides, once it has compared the journal with its witnesses, whether to cut it
    /// off ([`Journal::trim_torn`]). Nothing is appended while it is there.
    pub fn open_untrimmed(path: &Path, durability: Durability) -> io::Result<Journal> {
        Journal::over(os::open_private_append(path)?, path, durability)
    }

    /// Opens an existing journal for reading only (a full disk, a read-only file system):
    /// nothing is created, trimmed or written; an append fails with the OS's own error.
    pub fn open_read_only(path: &Path) -> io::Result<Journal> {
        Journal::over(File::open(path)?, path, Durability::Sync)
    }

    fn over(mut file: File, path: &Path, durability: Durability) -> io::Result<Journal> {
        let len = file.metadata()?.len();
        let mut keep = len;
        if len > 0 {
            // Find the last newline from the end.
            let mut pos = len;
            let mut buf = vec![0u8; 64 * 1024];
            'scan: loop {
                let start = pos.saturating_sub(buf.len() as u64);
                let n = (pos - start) as usize;
                file.seek(SeekFrom::Start(start))?;
                file.read_exact(&mut buf[..n])?;
                if let Some(i) = buf[..n].iter().rposition(|&b| b == b'\n') {
                    keep = start + i as u64 + 1;
                    break 'scan;
                }
                if start == 0 {
                    keep = 0;
                    break 'scan;
                }
                pos = start;
            }
        }
        Ok(Journal {
            file,
            path: path.to_path_buf(),
            len: keep,
            durability,
            pending: Vec::new(),
            torn: len - keep,
        })
    }

    /// Bytes of an unfinished last line still in the file.
    pub fn torn_bytes(&self) -> u64 {
        self.torn
    }

    /// Cuts off an unfinished last line (never acknowledged: its `fdatasync` had not
    /// returned), durably.
    pub fn trim_torn(&mut self) -> io::Result<TailRepair> {
        let repair = TailRepair {
            torn_bytes: self.torn,
        };
        if self.torn > 0 {
            self.file.set_len(self.len)?;
            os::fdatasync(&self.file)?;
            self.torn = 0;
        }
        Ok(repair)
    }

    /// Cuts the journal back to `len` bytes (for `recover`, after the rest was copied aside),
    /// durably.
    pub(crate) fn cut_to(&mut self, len: u64) -> io::Result<()> {
        self.file.set_len(len)?;
        os::fdatasync(&self.file)?;
        self.len = len;
        self.torn = 0;
        Ok(())
    }

    /// Appends lines (without newlines) as one write; durable when this returns `Ok`.
    /// On any error the file is cut back to where it was, so no partial line remains.
    pub fn append<'a>(&mut self, lines: impl IntoIterator<Item = &'a str>) -> io::Result<()> {
        let mut buf = Vec::new();
        for l in lines {
            buf.extend_from_slice(l.as_bytes());
            buf.push(b'\n');
        }
        if self.torn > 0 {
            return Err(io::Error::other(
                "the journal ends in an unfinished line that was not removed",
            ));
        }
        if self.durability == Durability::UnsafeBuffered {
            self.pending.extend_from_slice(&buf);
            if self.pending.len() > 256 * 1024 {
                self.flush_pending()?;
            }
            return Ok(());
        }
        let result = fault()
            .and_then(|_| self.file.write_all(&buf))
            .and_then(|_| fault())
            .and_then(|_| os::fdatasync(&self.file));
        match result {
            Ok(()) => {
                self.len += buf.len() as u64;
                Ok(())
            }
            Err(e) => {
                // Whatever reached the file is not acknowledged: take it back.
                let _ = self.file.set_len(self.len);
                let _ = os::fdatasync(&self.file);
                Err(e)
            }
        }
    }

    fn flush_pending(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.file.write_all(&self.pending)?;
            self.len += self.pending.len() as u64;
            self.pending.clear();
        }
        Ok(())
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes in the journal (acknowledged lines only).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Where the next line starts: the acknowledged bytes plus any still buffered (only the
    /// unsafe buffered mode buffers).
    pub fn end(&self) -> u64 {
        self.len + self.pending.len() as u64
    }

    /// True when nothing was ever written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        let _ = self.flush_pending();
    }
}

/// Reads every complete line of a journal file, with 1-based line numbers.
pub fn read_lines(path: &Path) -> io::Result<impl Iterator<Item = io::Result<(u64, String)>>> {
    let f = File::open(path)?;
    let reader = BufReader::with_capacity(1 << 20, f);
    Ok(reader.split(b'\n').enumerate().map(|(i, r)| {
        r.and_then(|bytes| {
            String::from_utf8(bytes)
                .map(|s| (i as u64 + 1, s))
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
        })
    }))
}

/// The last `n` complete lines of a journal (oldest first), read from the end.
pub fn tail_lines(path: &Path, n: usize) -> io::Result<Vec<String>> {
    let mut f = File::open(path)?;
    let len = f.metadata()?.len();
    let mut chunk = 64 * 1024u64;
    loop {
        let start = len.saturating_sub(chunk);
        f.seek(SeekFrom::Start(start))?;
        let mut buf = Vec::with_capacity((len - start) as usize);
        f.read_to_end(&mut buf)?;
        let text = String::from_utf8_lossy(&buf);
        let mut lines: Vec<&str> = text.split('\n').collect();
        // The piece after the last newline is empty (or torn); the first may be partial.
        lines.pop();
        if start > 0 {
            if lines.len() > n {
                let from = lines.len() - n;
                return Ok(lines[from..].iter().map(|s| s.to_string()).collect());
            }
            chunk *= 4;
            continue;
        }
        let from = lines.len().saturating_sub(n);
        return Ok(lines[from..].iter().map(|s| s.to_string()).collect());
    }
}
