//! The real binary in a pseudo-terminal: a vt100 screen fed by the pty, keys written to it,
//! polling with deadlines (no fixed sleeps).

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, ExitStatus, MasterPty, PtySize};

pub struct Console {
    pub screen: Arc<Mutex<vt100::Parser>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    writer: Option<Box<dyn Write + Send>>,
    pub child: Box<dyn Child + Send + Sync>,
    master: Option<Box<dyn MasterPty + Send>>,
}

/// The console's command: the binary with an isolated environment, or wrapped in `sh -c`.
pub fn command(data: &Path, home: &Path, wrapper: Option<&str>) -> CommandBuilder {
    let bin = env!("CARGO_BIN_EXE_dutydesk");
    let mut cmd = match wrapper {
        Some(script) => {
            let mut c = CommandBuilder::new("/bin/sh");
            c.args(["-c", script, bin]);
            c
        }
        None => CommandBuilder::new(bin),
    };
    cmd.args(["--data-dir", data.to_str().unwrap(), "--lang", "zh-CN"]);
    cmd.env("XDG_CONFIG_HOME", home.join("config"));
    cmd.env("XDG_STATE_HOME", home.join("state"));
    cmd.env("XDG_DATA_HOME", home.join("data"));
    cmd.env("LANG", "zh_CN.UTF-8");
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("DUTYDESK_NOW");
    cmd
}

impl Console {
    pub fn start(data: &Path, home: &Path) -> Console {
        Console::spawn(command(data, home, None))
    }

    pub fn spawn(cmd: CommandBuilder) -> Console {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 110,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        // Non-blocking (the flag is shared with the reader's duplicate descriptor), so that the
        // reader can let go of the master when the test hangs up.
        if let Some(fd) = pair.master.as_raw_fd() {
            unsafe {
                let flags = libc::fcntl(fd, libc::F_GETFL);
                libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
            }
        }
        let writer = pair.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(30, 110, 0)));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (s2, stop2) = (screen.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while !stop2.load(std::sync::atomic::Ordering::SeqCst) {
                match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => s2.lock().unwrap().process(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5))
                    }
                    Err(_) => break,
                }
            }
            // Dropping `reader` closes the last duplicate of the master.
        });
        Console {
            screen,
            stop,
            writer: Some(writer),
            child,
            master: Some(pair.master),
        }
    }

    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    pub fn wait_for(&self, needle: &str) {
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

    pub fn send(&mut self, s: &str) {
        let w = self.writer.as_mut().expect("terminal open");
        w.write_all(s.as_bytes()).unwrap();
        w.flush().unwrap();
    }

    pub fn pid(&self) -> i32 {
        self.child.process_id().unwrap() as i32
    }

    /// Closes the terminal under the program, as a dropped SSH session does.
    pub fn hang_up(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.writer = None;
        self.master = None;
    }

    /// Waits up to `limit` for the exit; returns the status and how long it took.
    pub fn wait_exit_within(&mut self, limit: Duration) -> (ExitStatus, Duration) {
        let t0 = Instant::now();
        while t0.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return (status, t0.elapsed());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        panic!(
            "the console did not exit within {limit:?}; screen:\n{}",
            self.contents()
        );
    }

    pub fn wait_exit(&mut self) {
        let (status, _) = self.wait_exit_within(Duration::from_secs(10));
        assert!(status.success(), "exit status {status:?}");
    }
}

/// CPU seconds (user + system) a live process has used, from /proc.
pub fn cpu_seconds(pid: i32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields after the name: state is 0, utime is 11, stime is 12.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (ticks(11) + ticks(12)) / hz.max(1.0)
}
