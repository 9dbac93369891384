//! The real binary in a pseudo-terminal: sign in, type a report in Chinese, save, see 已保存,
//! quit, start again and find the report on the board. Polls the screen with a deadline.

use crate::common;

use std::time::{Duration, Instant};

use common::pty::Console;

#[test]
fn sign_in_type_save_quit_and_find_it_again() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("desk");
    let mut c = Console::start(&data, home.path());
    c.wait_for("值班员签到");
    c.send("\r");
    c.wait_for("带班领导");
    c.wait_for("暂无事件");
    c.send("n");
    c.wait_for("新接报");
    c.send("王五");
    // From the reporter's name to the summary: unit, post, phone, occurred, location, category,
    // level, four casualty counts, summary.
    c.send(&"\t".repeat(12));
    c.send("据说河口镇化工厂起火，十几人被困");
    c.wait_for("十几人被困");
    c.send("\x13");
    c.wait_for("已保存");
    c.send("\x1b");
    c.wait_for("带班领导");
    c.wait_for("河口镇化工厂");
    c.send("q");
    c.wait_exit();
    assert!(
        !data.join("dutydesk.sock").exists(),
        "socket removed on exit"
    );

    let mut c = Console::start(&data, home.path());
    c.wait_for("值班员签到");
    c.send("\r");
    c.wait_for("据说河口镇化工厂起火");
    c.send("q");
    c.wait_exit();
}

#[test]
fn sigterm_records_the_end_and_exits_quickly() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("desk");
    let mut c = Console::start(&data, home.path());
    c.wait_for("值班员签到");
    let pid = c.pid();
    let t0 = Instant::now();
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    c.wait_exit();
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
    let log = std::fs::read_to_string(data.join("journal.jsonl")).unwrap_or_default();
    let any = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect::<String>();
    assert!(
        log.contains("sigterm") || any.contains("\"reason\":\"sigterm\""),
        "no session_ended(sigterm) in the journal"
    );
}
