//! Shared helpers for integration tests: the real binary with an isolated environment.
#![allow(dead_code)]

pub mod hostile;
pub mod pty;
pub mod smtp;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Opens a sled database directly, waiting (up to 2 s, as the store does) while its lock is
/// held: all tests share one process, and a child forked by another test's thread keeps a
/// copy of a just-closed database's descriptor until it execs.
pub fn open_sled(path: impl AsRef<Path>) -> sled::Result<sled::Db> {
    let since = Instant::now();
    loop {
        match sled::open(path.as_ref()) {
            Err(e)
                if e.to_string().contains("could not acquire lock")
                    && since.elapsed() < Duration::from_secs(2) =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            opened => return opened,
        }
    }
}

/// A scratch home: data, config and state folders of its own.
pub struct Sandbox {
    pub root: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            root: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn data(&self) -> PathBuf {
        self.root.path().join("data")
    }

    pub fn path(&self) -> &Path {
        self.root.path()
    }

    /// The real binary, isolated from the user's files and environment.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_dutydesk"));
        for (k, _) in std::env::vars() {
            if k.starts_with("DUTYDESK_") {
                c.env_remove(k);
            }
        }
        // Writing commands name their officer (the OS account never stands in for one); tests
        // that check the refusal remove it.
        c.env("DUTYDESK_OFFICER", "李明")
            .env("XDG_CONFIG_HOME", self.root.path().join("config"))
            .env("XDG_STATE_HOME", self.root.path().join("state"))
            .env("XDG_DATA_HOME", self.root.path().join("xdgdata"))
            .env("HOME", self.root.path())
            .env("LANG", "C.UTF-8")
            .arg("--data-dir")
            .arg(self.data())
            .stdin(Stdio::null());
        c
    }

    /// Runs with arguments and optional stdin; returns the output.
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        self.run_env(&[], args, stdin)
    }

    /// The same with environment changes: `(name, Some(value))` sets, `(name, None)` removes.
    pub fn run_env(
        &self,
        env: &[(&str, Option<&str>)],
        args: &[&str],
        stdin: Option<&str>,
    ) -> Output {
        let mut c = self.cmd();
        for (k, v) in env {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c.args(args);
        if stdin.is_some() {
            c.stdin(Stdio::piped());
        }
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn dutydesk");
        if let Some(text) = stdin {
            use std::io::Write;
            let mut si = child.stdin.take().expect("stdin");
            si.write_all(text.as_bytes()).expect("write stdin");
        }
        child.wait_with_output().expect("wait")
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A small xorshift generator: reproducible randomness without another dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn from_env_or_time() -> Rng {
        let seed = std::env::var("DUTYDESK_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(7)
            });
        eprintln!("seed: {seed} (set DUTYDESK_TEST_SEED to repeat)");
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A queued notice for delivery tests.
pub fn notice(
    id: &str,
    channel: dutydesk::domain::ChannelKind,
    endpoint: Option<&str>,
    to: Option<&str>,
) -> dutydesk::domain::QueuedNotice {
    dutydesk::domain::QueuedNotice {
        id: id.into(),
        token: "K7P2-Q9XD".into(),
        incident: "20261122-001".into(),
        kind: dutydesk::domain::NoticeKind::First,
        version: 0,
        recipient: "县应急管理局".into(),
        recipient_kind: dutydesk::domain::RecipientKind::Department,
        channel,
        endpoint: endpoint.map(str::to_string),
        to: to.map(str::to_string),
        subject: "【示例县】首报：火灾 河口镇（20261122-001）".into(),
        text: "县应急管理局：\n河口镇仓库起火，死亡 1。\n回执码 K7P2-Q9XD\n".into(),
        deadline: None,
        warn_at: None,
        escalate_to: None,
        parent: None,
        about: Vec::new(),
    }
}

/// One HTTP request as a test server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub at: std::time::Instant,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// A minimal HTTP/1.1 server on 127.0.0.1 for webhook tests: answers each request with the
/// next scripted (status, body, delay in ms), repeating the last; records what it saw.
pub struct HttpPeer {
    pub addr: std::net::SocketAddr,
    pub seen: std::sync::Arc<std::sync::Mutex<Vec<Seen>>>,
    /// Reply bytes written so far (head and body, every connection).
    pub written: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// One scripted reply: extra headers, and a body of `body` followed by `pad` bytes of `x`
/// written in 64 KiB pieces (for replies too long to hold).
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub pad: usize,
    pub delay_ms: u64,
}

impl HttpPeer {
    pub async fn start(script: Vec<(u16, String, u64)>) -> HttpPeer {
        HttpPeer::start_replies(
            script
                .into_iter()
                .map(|(status, body, delay_ms)| Reply {
                    status,
                    body,
                    delay_ms,
                    ..Reply::default()
                })
                .collect(),
        )
        .await
    }

    pub async fn start_replies(script: Vec<Reply>) -> HttpPeer {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let script = std::sync::Arc::new(script);
        let log = seen.clone();
        let written = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = written.clone();
        tokio::spawn(async move {
            let mut n = 0usize;
            loop {
                let Ok((mut s, _)) = listener.accept().await else {
                    return;
                };
                let r = script[n.min(script.len() - 1)].clone();
                n += 1;
                let log = log.clone();
                let count = count.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let head_end = loop {
                        let k = s.read(&mut chunk).await.unwrap_or(0);
                        if k == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..k]);
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    let mut lines = head.split("\r\n");
                    let first: Vec<String> = lines
                        .next()
                        .unwrap_or("")
                        .split(' ')
                        .map(String::from)
                        .collect();
                    let method = first.first().cloned().unwrap_or_default();
                    let target = first.get(1).cloned().unwrap_or_default();
                    let headers: Vec<(String, String)> = lines
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                        .collect();
                    let len: usize = headers
                        .iter()
                        .find(|(k, _)| k == "content-length")
                        .and_then(|(_, v)| v.parse().ok())
                        .unwrap_or(0);
                    while buf.len() < head_end + len {
                        let k = s.read(&mut chunk).await.unwrap_or(0);
                        if k == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..k]);
                    }
                    let seen_body = String::from_utf8_lossy(&buf[head_end..]).to_string();
                    log.lock().unwrap().push(Seen {
                        method,
                        at: std::time::Instant::now(),
                        target,
                        headers,
                        body: seen_body,
                    });
                    tokio::time::sleep(std::time::Duration::from_millis(r.delay_ms)).await;
                    let extra: String = r
                        .headers
                        .iter()
                        .map(|(k, v)| format!("{k}: {v}\r\n"))
                        .collect();
                    let resp = format!(
                        "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}connection: close\r\n\r\n{}",
                        r.status,
                        r.body.len() + r.pad,
                        r.body
                    );
                    if s.write_all(resp.as_bytes()).await.is_err() {
                        return;
                    }
                    count.fetch_add(resp.len(), std::sync::atomic::Ordering::SeqCst);
                    let piece = vec![b'x'; 64 * 1024];
                    let mut left = r.pad;
                    while left > 0 {
                        let k = left.min(piece.len());
                        if s.write_all(&piece[..k]).await.is_err() {
                            return;
                        }
                        count.fetch_add(k, std::sync::atomic::Ordering::SeqCst);
                        left -= k;
                    }
                });
            }
        });
        HttpPeer {
            addr,
            seen,
            written,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}
