//! The few OS facts the store, the log file and the console need: the real user, the terminal,
//! whether a PID lives, private file modes, fsync. Below both `store` and `logging`;
//! `store::os` re-exports it.

#![forbid(unsafe_code)]

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The account of the real uid, never `$USER` (which anyone can set); `uid:N` if unnamed.
pub fn os_user() -> String {
    user_name(rustix::process::getuid().as_raw())
}

/// The account name of a uid from `/etc/passwd` (`uid:N` if it has none there).
///
/// Read from the file rather than through `getpwuid_r`, which needs `unsafe` FFI: an account
/// known only to a directory service (LDAP, SSSD) is then written as `uid:N`, which still
/// names the account exactly.
pub fn user_name(uid: u32) -> String {
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|text| passwd_name(&text, uid))
        .unwrap_or_else(|| format!("uid:{uid}"))
}

/// The first account of `uid` in the text of a passwd file (`name:x:uid:gid:…`).
fn passwd_name(text: &str, uid: u32) -> Option<String> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let mut fields = l.split(':');
        let name = fields.next()?;
        let id = fields.nth(1)?.parse::<u32>().ok()?;
        (id == uid && !name.is_empty()).then(|| name.to_string())
    })
}

/// The terminal on standard input, if any (`/dev/pts/3`).
pub fn tty() -> Option<String> {
    std::fs::read_link("/proc/self/fd/0")
        .ok()
        .map(|p| p.display().to_string())
        .filter(|p| p.starts_with("/dev/pts") || p.starts_with("/dev/tty"))
}

/// True if a process with this PID exists (it may belong to another user).
pub fn pid_alive(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    // Signal 0 only checks for existence and permission.
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        Err(e) => e == rustix::io::Errno::PERM,
    }
}

/// Only the owner may read what the store writes, whatever the umask was.
pub fn restrict_umask() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Creates a folder (and parents) with mode 0700; tightens an existing one.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// Opens a file for appending, creating it 0600.
pub fn open_private_append(path: &Path) -> io::Result<File> {
    let f = OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .mode(0o600)
        .open(path)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(f)
}

/// Sets 0600 on every file and 0700 on every folder below `dir` (sled creates 0644 files).
pub fn tighten_tree(dir: &Path) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let ft = entry.file_type()?;
        if ft.is_dir() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700))?;
            tighten_tree(&path)?;
        } else if ft.is_file() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// `fdatasync(2)`: the data (and the size) reach the disk before this returns (std's
/// `sync_data` is `fdatasync` on Linux).
pub fn fdatasync(f: &File) -> io::Result<()> {
    f.sync_data()
}

/// `fsync` on a directory, so that a newly created file's name is durable too.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uid_is_named_from_the_passwd_text() {
        let text = "# comment\nroot:x:0:0:root:/root:/bin/bash\nduty:x:1000:1000::/home/duty:/bin/sh\nbad:x:notanumber:0::/:\n";
        let cases = [(0, Some("root")), (1000, Some("duty")), (4242, None)];
        for (uid, want) in cases {
            assert_eq!(passwd_name(text, uid).as_deref(), want, "{uid}");
        }
    }

    #[test]
    fn this_process_is_alive_and_pid_zero_is_not() {
        assert!(pid_alive(std::process::id()));
        assert!(!pid_alive(0));
        assert!(!pid_alive(u32::MAX));
    }
}
