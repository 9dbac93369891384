//! The terminal going away under the console: an SSH drop (the pseudo-terminal closed), also
//! under a parent that ignores SIGHUP; an injected panic; idle CPU. Each must end within 2 s
//! without spinning, with the terminal restored and the session's end recorded where possible.

use crate::common;

use std::time::Duration;

use common::pty::{command, cpu_seconds, Console};

fn journal_has(data: &std::path::Path, needle: &str) -> bool {
    std::fs::read_to_string(data.join("journal.jsonl"))
        .map(|s| s.contains(needle))
        .unwrap_or(false)
}

fn hang_up_under(wrapper: Option<&str>) -> (Duration, String) {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("desk");
    let mut c = Console::spawn(command(&data, home.path(), wrapper));
    c.wait_for("值班员签到");
    c.send("\r");
    c.wait_for("带班领导");
    c.hang_up();
    let (status, took) = c.wait_exit_within(Duration::from_secs(5));
    let log = std::fs::read_to_string(home.path().join("state/dutydesk/dutydesk.log"))
        .unwrap_or_default();
    assert!(!log.contains("panic"), "{log}");
    assert!(status.success(), "{status:?}\n{log}");
    let journal = std::fs::read_to_string(data.join("journal.jsonl")).unwrap_or_default();
    let reason = journal
        .lines()
        .rfind(|l| l.contains("\"session_ended\""))
        .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .and_then(|v| v["body"]["payload"]["reason"].as_str().map(str::to_string))
        .unwrap_or_default();
    assert!(!data.join("dutydesk.sock").exists(), "socket left behind");
    (took, reason)
}

#[test]
fn an_ssh_drop_ends_the_session_quickly() {
    let (took, reason) = hang_up_under(None);
    println!("terminal closed under the console: exit in {took:?}, session end {reason:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(
        matches!(reason.as_str(), "sighup" | "terminal-lost"),
        "{reason:?}"
    );
}

#[test]
fn an_ssh_drop_under_a_parent_that_ignores_sighup_ends_it_too() {
    // `trap '' HUP` then exec: the console starts with SIGHUP ignored.
    let (took, reason) = hang_up_under(Some("trap '' HUP; exec \"$0\" \"$@\""));
    println!(
        "terminal closed, SIGHUP ignored by the parent: exit in {took:?}, session end {reason:?}"
    );
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(
        matches!(reason.as_str(), "sighup" | "terminal-lost"),
        "{reason:?}"
    );
}

#[test]
fn idle_console_does_not_spin() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("desk");
    let mut c = Console::start(&data, home.path());
    c.wait_for("值班员签到");
    c.send("\r");
    c.wait_for("带班领导");
    let pid = c.pid();
    let before = cpu_seconds(pid);
    std::thread::sleep(Duration::from_secs(3));
    let used = cpu_seconds(pid) - before;
    println!(
        "idle console: {:.1} % of one core over 3 s",
        used / 3.0 * 100.0
    );
    // A spin would use ~100 %; the clock's redraw once a second is far below 1 %.
    assert!(used / 3.0 < 0.2, "busy while idle: {used} s");
    c.send("q");
    c.wait_exit();
}

#[test]
fn a_panic_restores_the_terminal_logs_and_records_the_end() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("desk");
    let mut cmd = command(&data, home.path(), None);
    cmd.env("DUTYDESK_TEST_PANIC_AFTER_MS", "300");
    let mut c = Console::spawn(cmd);
    c.wait_for("值班员签到");
    let (status, took) = c.wait_exit_within(Duration::from_secs(5));
    assert!(!status.success(), "a panic exits non-zero");
    assert!(took < Duration::from_secs(2), "{took:?}");
    // Give the reader thread a moment to drain what the program wrote last.
    std::thread::sleep(Duration::from_millis(100));
    let screen = c.screen.lock().unwrap();
    assert!(
        !screen.screen().alternate_screen(),
        "left in the alternate screen"
    );
    assert!(!screen.screen().hide_cursor(), "cursor left hidden");
    drop(screen);
    let log = std::fs::read_to_string(home.path().join("state/dutydesk/dutydesk.log"))
        .unwrap_or_default();
    assert!(
        log.contains("injected panic"),
        "panic not in the log file:\n{log}"
    );
    assert!(
        journal_has(&data, "\"reason\":\"panic\""),
        "no session_ended(panic)"
    );
    println!("panic: exit in {took:?}, terminal restored, logged, session end recorded");
}
