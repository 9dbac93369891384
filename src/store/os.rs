//! The few OS facts the store needs: the real user, the terminal, whether a PID lives, file modes.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The account of the real uid (`getuid` + `getpwuid_r`), never `$USER`; `uid:N` if unnamed.
pub fn os_user() -> String {
    // SAFETY: getuid has no preconditions.
    user_name(unsafe { libc::getuid() })
}

/// The account name of a uid (`uid:N` if it has none).
pub fn user_name(uid: u32) -> String {
    let mut buf = vec![0u8; 4096];
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer refers to live memory of the stated size.
    let rc = unsafe {
        libc::getpwuid_r(
            uid,
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        )
    };
    if rc == 0 && !result.is_null() && !pwd.pw_name.is_null() {
        // SAFETY: pw_name points into buf, NUL-terminated by getpwuid_r.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        if let Ok(s) = name.to_str() {
            return s.to_string();
        }
    }
    format!("uid:{uid}")
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
    if pid == 0 || pid > i32::MAX as u32 {
        return false;
    }
    // SAFETY: signal 0 only checks for existence and permission.
    let rc = unsafe { libc::kill(pid as i32, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Only the owner may read what the store writes, whatever the umask was.
pub fn restrict_umask() {
    // SAFETY: umask cannot fail.
    unsafe {
        libc::umask(0o077);
    }
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

/// `fdatasync(2)`: the data (and the size) reach the disk before this returns.
pub fn fdatasync(f: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: the fd is owned by `f` and open.
    if unsafe { libc::fdatasync(f.as_raw_fd()) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// `fsync` on a directory, so that a newly created file's name is durable too.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}
