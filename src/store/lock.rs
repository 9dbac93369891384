//! One writer per data folder: a lock file holding PID, user, tty and start time.
//!
//! The lock is `flock(2)` on `dutydesk.lock`, released by the kernel when the holder dies. Its
//! contents say who holds it, so a second console can name them (as vim's swap file does).

#![forbid(unsafe_code)]

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::os;

/// Who holds (or held) the data folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// Process id.
    pub pid: u32,
    /// OS account.
    pub user: String,
    /// Terminal, if any.
    #[serde(default)]
    pub tty: Option<String>,
    /// Since when.
    pub since: DateTime<FixedOffset>,
    /// console | cli
    #[serde(default)]
    pub purpose: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (PID {}{}, {}) since {}",
            self.user,
            self.pid,
            self.tty
                .as_deref()
                .map(|t| format!(", {t}"))
                .unwrap_or_default(),
            if self.purpose.is_empty() {
                "dutydesk"
            } else {
                &self.purpose
            },
            self.since.format("%Y-%m-%d %H:%M:%S %:z"),
        )
    }
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another live process holds it.
    #[error("数据目录正在使用中 / the data folder {path} is in use by {holder}")]
    Held {
        /// The folder.
        path: PathBuf,
        /// Who holds it.
        holder: Holder,
    },
    /// Held, but the holder did not say who it is.
    #[error("数据目录正在使用中 / the data folder {0} is locked by another process")]
    HeldUnknown(PathBuf),
    /// The lock file could not be used.
    #[error("cannot use lock file {path}: {source}{}", os_hint(source))]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// How long a held lock is waited for when the lock file names no live process but this one
/// (see [`acquire`]); a live holder named there is reported at once.
const LET_GO_WAIT: Duration = Duration::from_secs(2);

/// The held lock; released on drop (and by the kernel if the process dies).
#[derive(Debug)]
pub struct DataLock {
    /// The lock file; `None` for a reader on a file system where it could not be opened.
    file: Option<File>,
    /// Taken shared, by a reader that writes nothing (see [`acquire_for_reading`]).
    shared: bool,
    /// The previous holder, when a stale lock (dead PID) was taken over.
    pub took_over: Option<Holder>,
    /// A file whose `flock` (sled's own, on `db/db`) must be free before this lock goes.
    hold_until_free: Option<PathBuf>,
}

/// How long a release waits for sled's own lock to go (its threads outlive the handle).
const RELEASE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(3);

/// Takes the lock on `dir`, or says who holds it.
pub fn acquire(dir: &Path, me: &Holder) -> Result<DataLock, LockError> {
    let path = dir.join("dutydesk.lock");
    let io_err = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    let mut file = os::open_private_append(&path).map_err(io_err)?;
    let waited_since = Instant::now();
    let (previous, was_empty) = loop {
        let mut previous = String::new();
        file.rewind().map_err(io_err)?;
        file.read_to_string(&mut previous).map_err(io_err)?;
        let was_empty = previous.is_empty();
        let previous: Option<Holder> = serde_json::from_str(previous.trim()).ok();
        match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => break (previous, was_empty),
            Err(rustix::io::Errno::WOULDBLOCK) => {}
            Err(e) => return Err(io_err(e.into())),
        }
        // Held, but by nobody alive that says so: the file names nobody (a clean exit empties
        // it, a new holder has not written its name yet), this very process, or a process
        // that is gone. Then a child forked by a thread of the holder still has a copy of the
        // descriptor until it execs, which ends at once: wait for it. A live holder that
        // names itself is refused at once.
        let named_alive = previous
            .as_ref()
            .is_some_and(|h| h.pid != std::process::id() && os::pid_alive(h.pid));
        if !named_alive && waited_since.elapsed() < LET_GO_WAIT {
            std::thread::sleep(Duration::from_millis(2));
            continue;
        }
        return Err(match previous {
            Some(holder) => LockError::Held {
                path: dir.to_path_buf(),
                holder,
            },
            None => LockError::HeldUnknown(dir.to_path_buf()),
        });
    };
    // The kernel released the lock, so whoever is named in the file is gone (or never flocked).
    // A clean exit empties the file (see `Drop`), so a name left in it is a stale lock.
    let took_over = previous;
    // On a disk without a free block the write is not even tried (a write that fails still
    // stamps the file's time): the caller goes on read-only, the file left exactly as it was.
    if rustix::fs::fstatvfs(&file).is_ok_and(|s| s.f_bfree == 0) {
        return Err(io_err(rustix::io::Errno::NOSPC.into()));
    }
    // An empty file (the usual case) is written, not truncated first.
    if !was_empty {
        file.set_len(0).map_err(io_err)?;
        file.rewind().map_err(io_err)?;
    }
    let text = serde_json::to_string(me).map_err(|e| io_err(std::io::Error::other(e)))?;
    file.write_all(text.as_bytes()).map_err(io_err)?;
    file.sync_data().map_err(io_err)?;
    Ok(DataLock {
        file: Some(file),
        shared: false,
        took_over,
        hold_until_free: None,
    })
}

/// Takes the lock on `dir` for a reader that must neither create nor write a file (the disk
/// is full, or the file system read-only): the lock file, when it exists and can be opened,
/// is opened read-only and locked shared, so a writer (which locks it exclusive) still
/// excludes this reader and readers do not exclude one another. Where there is no lock file,
/// or it cannot be opened, nobody can be writing there either: the reader goes on unlocked.
pub fn acquire_for_reading(dir: &Path) -> Result<DataLock, LockError> {
    let path = dir.join("dutydesk.lock");
    let reader = |file| DataLock {
        file,
        shared: true,
        took_over: None,
        hold_until_free: None,
    };
    let Ok(file) = File::open(&path) else {
        return Ok(reader(None));
    };
    match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockShared) {
        Ok(()) => Ok(reader(Some(file))),
        Err(rustix::io::Errno::WOULDBLOCK) => Err(match holder(dir) {
            Some(holder) => LockError::Held {
                path: dir.to_path_buf(),
                holder,
            },
            None => LockError::HeldUnknown(dir.to_path_buf()),
        }),
        Err(e) => Err(LockError::Io {
            path,
            source: e.into(),
        }),
    }
}

impl DataLock {
    /// Keeps the folder locked, when this lock is released, until nobody holds a `flock` on
    /// `path` any more (the store names sled's `db/db`): the next process then never finds
    /// the folder free while sled's threads of this one still hold the database (issue 26, B3).
    pub fn hold_until_free(&mut self, path: PathBuf) {
        self.hold_until_free = Some(path);
    }
}

/// Waits (with backoff, up to [`RELEASE_PATIENCE`]) until an exclusive `flock` on `path` can be
/// taken, then lets it go at once. A file that cannot be opened has no lock to wait for.
fn wait_until_unlocked(path: &Path) {
    let Ok(f) = File::open(path) else { return };
    let t0 = std::time::Instant::now();
    let mut wait = std::time::Duration::from_millis(1);
    loop {
        match rustix::fs::flock(&f, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Err(rustix::io::Errno::WOULDBLOCK) if t0.elapsed() < RELEASE_PATIENCE => {
                std::thread::sleep(wait);
                wait = (wait * 2).min(std::time::Duration::from_millis(100));
            }
            Err(rustix::io::Errno::WOULDBLOCK) => {
                tracing::warn!(
                    "{} still locked after {:?}; releasing the data folder anyway",
                    path.display(),
                    RELEASE_PATIENCE
                );
                return;
            }
            // Taken (closing `f` lets it go), or flock unsupported: nothing to wait for.
            _ => return,
        }
    }
}

impl Drop for DataLock {
    fn drop(&mut self) {
        if let Some(path) = &self.hold_until_free {
            wait_until_unlocked(path);
        }
        // Best effort: an emptied file tells the next start that this exit was clean (a
        // reader wrote nothing, and empties nothing).
        if let (Some(file), false) = (&self.file, self.shared) {
            let _ = file.set_len(0);
            let _ = file.sync_data();
        }
    }
}

/// Reads who holds the lock without taking it (for messages).
pub fn holder(dir: &Path) -> Option<Holder> {
    let text = std::fs::read_to_string(dir.join("dutydesk.lock")).ok()?;
    serde_json::from_str(text.trim()).ok()
}

/// What to do about the OS errors an officer can meet at the lock: a full disk, a read-only
/// file system, a folder they may not write (issue 26: "os error 28" alone said nothing).
pub fn os_hint(e: &std::io::Error) -> &'static str {
    match e.raw_os_error() {
        Some(28) => " — 磁盘已满：请腾出空间后重试 / the disk is full: free space, then try again",
        Some(30) => {
            " — 文件系统为只读：请把数据目录放在可写的位置（--data-dir）/ the file system is \
             read-only: put the data folder where it can be written (--data-dir)"
        }
        Some(13) => {
            " — 没有权限：请检查数据目录的属主与权限 / permission denied: check the data \
             folder's owner and mode"
        }
        _ => "",
    }
}

#[cfg(test)]
mod hint_tests {
    use super::*;

    #[test]
    fn os_errors_at_the_lock_say_what_to_do() {
        let cases = [
            (28, "磁盘已满"),
            (30, "read-only"),
            (13, "permission denied"),
        ];
        for (code, want) in cases {
            let e = LockError::Io {
                path: PathBuf::from("/data/dutydesk.lock"),
                source: std::io::Error::from_raw_os_error(code),
            };
            assert!(e.to_string().contains(want), "{code}: {e}");
        }
        let other = std::io::Error::from_raw_os_error(5);
        assert_eq!(os_hint(&other), "");
    }
}

#[cfg(test)]
mod fork_tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    fn me() -> Holder {
        Holder {
            pid: std::process::id(),
            user: "tester".into(),
            tty: None,
            since: chrono::Local::now().fixed_offset(),
            purpose: "test".into(),
        }
    }

    /// A child forked by another thread keeps a copy of the lock's descriptor until it execs;
    /// a lock let go cleanly in that instant is still taken by the next open (one test binary
    /// runs store tests beside tests that spawn). Refused here without the wait: 99 of 100
    /// takes; waiting only while the file names nobody: 24 of 100, as "in use by" this process.
    #[test]
    fn a_lock_let_go_while_children_are_forked_is_taken_again() {
        let dir = tempfile::tempdir().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let spawners: Vec<_> = (0..2)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let _ = std::process::Command::new("true").status();
                    }
                })
            })
            .collect();
        let lock_file = dir.path().join("dutydesk.lock");
        let refused = (0..100)
            .filter(|i| {
                let taken = acquire(dir.path(), &me());
                let refused = taken.is_err();
                drop(taken);
                if i % 2 == 1 {
                    // As a killed holder leaves it: the file still names this process.
                    let name = serde_json::to_string(&me()).unwrap();
                    std::fs::write(&lock_file, name).unwrap();
                }
                refused
            })
            .count();
        stop.store(true, Ordering::Relaxed);
        for s in spawners {
            s.join().unwrap();
        }
        assert_eq!(refused, 0);
        // Held by this process itself: refused (after the wait), naming the holder.
        let held = acquire(dir.path(), &me()).unwrap();
        match acquire(dir.path(), &me()) {
            Err(LockError::Held { holder, .. }) => assert_eq!(holder.user, "tester"),
            other => panic!("{other:?}"),
        }
        drop(held);
    }
}
