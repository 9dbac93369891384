//! The real binary in a pseudo-terminal: sign in, type a report in Chinese, save, see 已保存,
//! quit, start again and find the report on the board. Polls the screen with a deadline.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

struct Console {
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
}

impl Console {
    fn start(data: &Path, home: &Path) -> Console {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: 30,
                cols: 110,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_dutydesk"));
        cmd.args(["--data-dir", data.to_str().unwrap(), "--lang", "zh-CN"]);
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env("XDG_STATE_HOME", home.join("state"));
        cmd.env("XDG_DATA_HOME", home.join("data"));
        cmd.env("LANG", "zh_CN.UTF-8");
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("DUTYDESK_NOW");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(30, 110, 0)));
        let s2 = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s2.lock().unwrap().process(&buf[..n]);
            }
        });
        Console {
            screen,
            writer,
            child,
            _master: pair.master,
        }
    }

    fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.contents().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!(
            "timed out waiting for {needle:?}; screen:\n{}",
            self.contents()
        );
    }

    fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "exit status {status:?}");
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = self.child.kill();
        panic!("console did not exit; screen:\n{}", self.contents());
    }
}

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
    let pid = c.child.process_id().unwrap() as i32;
    let t0 = Instant::now();
    unsafe {
        libc_kill(pid, 15);
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

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}
