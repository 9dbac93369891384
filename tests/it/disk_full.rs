//! Disk full: a small tmpfs filled during intake, then space freed. Nothing acknowledged is
//! lost, the error says the disk is full, nothing panics, and intake resumes without a restart.
//! Needs root to mount a tmpfs (CI runs as root); without it the test fails, never skips.

use std::process::Command;
use std::sync::Arc;

use dutydesk::clock::SystemClock;
use dutydesk::config;
use dutydesk::domain::{Actor, ReportDraft};
use dutydesk::service::{Desk, Request, Response};
use dutydesk::store::OpenOptions;

/// The tests here run one at a time: each spawns `mount` and `umount`, and a child holds copies
/// of the process's open files until it execs, the other test's lock file among them, so a
/// store reopened in that instant was refused as "in use" (once in 34 runs).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

struct Mount(std::path::PathBuf);

impl Mount {
    /// Mounts a tmpfs of `size` on `dir`, unmounted when dropped. Needs root: fails, never skips.
    fn tmpfs(dir: &std::path::Path, size: &str) -> Mount {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(
            ok,
            "mounting a tmpfs needs root (CI runs as root): cannot run the disk-full test"
        );
        Mount(dir.to_path_buf())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn free_bytes(p: &std::path::Path) -> u64 {
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::statvfs(c.as_ptr(), &mut s) }, 0);
    s.f_bavail as u64 * s.f_frsize as u64
}

fn intake(d: &mut Desk, i: usize) -> Response {
    let draft = ReportDraft {
        summary: format!("第{i}起：城关镇东街一仓库冒烟，现场有人员疏散，具体情况正在核实。"),
        location: Some("城关镇东街".into()),
        ..ReportDraft::default()
    };
    let actor = Actor {
        officer: "孙丽".into(),
        os_user: "tester".into(),
    };
    d.handle(&actor, Request::AddReport { draft })
}

/// How many of the acknowledged incidents the store cannot give back.
fn unreadable(d: &Desk, acked: &[String]) -> usize {
    acked
        .iter()
        .filter(|n| d.store().incident(n).ok().flatten().is_none())
        .count()
}

fn open(dir: &std::path::Path) -> Desk {
    Desk::open(
        dir,
        Arc::new(config::defaults()),
        Arc::new(SystemClock),
        OpenOptions::default(),
    )
    .expect("open")
}

#[test]
fn disk_full_loses_nothing_and_recovers_without_restart() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let _guard = Mount::tmpfs(&mnt, "8m");
    let data = mnt.join("data");
    let mut d = open(&data);
    // Leave a little room, then fill it with reports.
    let filler = mnt.join("filler");
    let room = 160 * 1024;
    let fill = free_bytes(&mnt).saturating_sub(room);
    std::fs::write(&filler, vec![0u8; fill as usize]).unwrap();

    let mut acked = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for i in 0..3000 {
        match intake(&mut d, i) {
            Response::Filed { incident, .. } => acked.push(incident),
            Response::Error { message, .. } => {
                errors += 1;
                first_error.get_or_insert(message);
                if errors >= 5 {
                    break;
                }
            }
            other => panic!("{other:?}"),
        }
    }
    let msg = first_error.expect("the disk never filled up");
    assert!(
        msg.contains("disk is full") || msg.contains("磁盘已满"),
        "{msg}"
    );
    // Space comes back: intake goes on in the same process.
    std::fs::remove_file(&filler).unwrap();
    let resumed = match intake(&mut d, 9999) {
        Response::Filed { incident, .. } => incident,
        other => panic!("no recovery without restart: {other:?}"),
    };
    acked.push(resumed);
    drop(d);
    let d = open(&data);
    let lost = unreadable(&d, &acked);
    let v = d.store().verify().unwrap();
    println!(
        "disk full: {} reports acknowledged before and after, {errors} refused while full, lost {lost}, verify ok {}; first message: {msg}",
        acked.len(),
        v.ok()
    );
    assert_eq!(lost, 0);
    assert!(v.ok(), "{v:?}");
}

/// The database's own folder fills while the journal still has room (a tmpfs mounted on
/// `data/db`), so sled meets the full disk first, every time. Sled then fails every later call
/// with that error even when space is back; the store must close and reopen it by itself.
#[test]
fn a_full_database_disk_is_reopened_when_space_comes_back() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let dbdir = data.join("db");
    std::fs::create_dir_all(&dbdir).unwrap();
    let _guard = Mount::tmpfs(&dbdir, "4m");
    let mut d = open(&data);
    let filler = dbdir.join("filler");
    let fill = free_bytes(&dbdir).saturating_sub(64 * 1024);
    std::fs::write(&filler, vec![0u8; fill as usize]).unwrap();

    let mut acked = Vec::new();
    let mut refused = 0;
    let mut first_error = None;
    let mut behind_seen = false;
    for i in 0..400 {
        match intake(&mut d, i) {
            Response::Filed { incident, .. } => acked.push(incident),
            Response::Error { message, .. } => {
                assert!(
                    message.contains("disk is full") && message.contains("磁盘已满"),
                    "{message}"
                );
                refused += 1;
                first_error.get_or_insert(message);
            }
            other => panic!("{other:?}"),
        }
        behind_seen |= d.store().sled_behind.is_some();
        if refused >= 3 {
            break;
        }
    }
    assert!(
        behind_seen || first_error.is_some(),
        "the database's disk never filled up ({} reports)",
        acked.len()
    );
    std::fs::remove_file(&filler).unwrap();
    let resumed = match intake(&mut d, 9999) {
        Response::Filed { incident, .. } => incident,
        other => panic!("no recovery without restart: {other:?}"),
    };
    acked.push(resumed);
    assert!(d.store().sled_behind.is_none());
    // Readable in the same process, from the reopened database.
    let missing = unreadable(&d, &acked);
    assert_eq!(
        missing, 0,
        "the reopened database lacks acknowledged reports"
    );
    let v = d.store().verify().unwrap();
    assert!(v.ok(), "{v:?}");
    drop(d);
    let d = open(&data);
    let lost = unreadable(&d, &acked);
    println!(
        "database disk full: {} reports acknowledged, {refused} refused, sled behind seen {behind_seen}, lost {lost}; first message: {first_error:?}",
        acked.len()
    );
    assert_eq!(lost, 0);
    assert!(d.store().verify().unwrap().ok());
}

/// The real binary on `data`, isolated from the user's files.
fn dutydesk(data: &std::path::Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut c = Command::new(env!("CARGO_BIN_EXE_dutydesk"));
    for (k, _) in std::env::vars() {
        if k.starts_with("DUTYDESK_") {
            c.env_remove(k);
        }
    }
    let home = data.parent().unwrap().parent().unwrap().join("home");
    c.env("DUTYDESK_OFFICER", "孙丽")
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("LANG", "C.UTF-8")
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn dutydesk");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

/// Every file below `dir` with its size and modification time, to show nothing was written.
fn snapshot(dir: &std::path::Path) -> Vec<(std::path::PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let m = e.metadata().unwrap();
            if m.is_dir() {
                todo.push(e.path());
            }
            out.push((e.path(), m.len(), m.modified().unwrap()));
        }
    }
    out.sort();
    out
}

/// The read commands, and what each must print.
const READS: &[(&[&str], &str)] = &[
    (&["list"], "第1起"),
    (&["show", "NUMBER"], "第1起"),
    (&["verify"], "hash chain intact"),
    (&["status"], "incidents: 3"),
    (&["export", "--format", "jsonl"], "report_filed"),
    (&["log"], "First report"),
    (&["audit"], "incidents 3"),
];

/// Files three reports through the binary; returns the first incident's number.
fn three_reports(data: &std::path::Path) -> String {
    let mut first = String::new();
    for i in 1..=3 {
        let o = dutydesk(
            data,
            &["report", "add", "-"],
            Some(&format!(r#"{{"summary":"第{i}起：城关镇东街仓库冒烟"}}"#)),
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        if i == 1 {
            first = String::from_utf8_lossy(&o.stdout).trim().to_string();
        }
    }
    first
}

/// Runs every read command; each must succeed, print its part of the record and name the
/// condition; a writing command is refused naming it. Nothing in the folder changes.
fn reads_work_and_write_nothing(data: &std::path::Path, first: &str, condition: &[&str]) {
    let before = snapshot(data);
    for (args, want) in READS {
        let args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "NUMBER" { first } else { a })
            .collect();
        let o = dutydesk(data, &args, None);
        let (out, err) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        assert!(o.status.success(), "{args:?} failed: {err}");
        assert!(out.contains(want), "{args:?}: {out}");
        assert!(
            !err.contains("create "),
            "{args:?}: a misleading 'create': {err}"
        );
        if args[0] != "audit" {
            assert!(
                condition.iter().all(|c| err.contains(c)),
                "{args:?} does not say {condition:?}: {err}"
            );
        }
    }
    let o = dutydesk(
        data,
        &["report", "add", "-"],
        Some(r#"{"summary":"第4起"}"#),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "a write went through");
    assert!(
        condition.iter().all(|c| err.contains(c)),
        "the refusal does not say {condition:?}: {err}"
    );
    assert_eq!(
        snapshot(data),
        before,
        "a read command changed the data folder"
    );
}

/// Issue 26, item 5: with the disk full, every read command still works (the lock file is
/// opened read-only, the journal read-only, the projection replayed into memory), says
/// "disk full", and writes nothing; a write is refused saying so. Space back: all as before.
#[test]
fn reads_work_on_a_full_disk_and_write_nothing() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let _guard = Mount::tmpfs(&mnt, "8m");
    let data = mnt.join("data");
    let first = three_reports(&data);
    // Fill the disk to the last byte.
    let filler = mnt.join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        while f.write_all(&[0u8]).is_ok() {}
    }
    assert_eq!(free_bytes(&mnt), 0);
    reads_work_and_write_nothing(&data, &first, &["磁盘已满", "disk full"]);
    std::fs::remove_file(&filler).unwrap();
    let o = dutydesk(
        &data,
        &["report", "add", "-"],
        Some(r#"{"summary":"第4起"}"#),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let list = String::from_utf8_lossy(&dutydesk(&data, &["list"], None).stdout).into_owned();
    assert!(list.contains("第4起") && list.contains("第1起"), "{list}");
    assert!(!std::fs::read_dir(&data)
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("db.broken")));
}

/// The same on a read-only file system: a tmpfs remounted read-only (the tests run as root,
/// so `chmod` would not stop them; a real read-only mount does).
#[test]
fn reads_work_on_a_read_only_file_system() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let _guard = Mount::tmpfs(&mnt, "8m");
    let data = mnt.join("data");
    let first = three_reports(&data);
    let remount = |how: &str| {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{how}")])
            .arg(&mnt)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "remount {how} (needs root, as the tmpfs does)");
    };
    remount("ro");
    assert!(
        std::fs::write(mnt.join("probe"), b"x").is_err(),
        "not read-only"
    );
    reads_work_and_write_nothing(&data, &first, &["只读文件系统", "read-only file system"]);
    remount("rw");
    let o = dutydesk(
        &data,
        &["report", "add", "-"],
        Some(r#"{"summary":"第4起"}"#),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
