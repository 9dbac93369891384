//! The desk on a thread of its own ([`DeskHandle`]), and the local socket that serves it to the
//! CLI while a console runs. One JSON [`Envelope`] a line in, one [`Response`] a line out.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

use super::api::{Envelope, Request, Response};
use super::desk::Desk;
use crate::domain::Actor;
use crate::store::SOCKET;

/// One request waiting for the desk.
struct Job {
    actor: Actor,
    request: Request,
    reply: oneshot::Sender<Response>,
}

/// A cloneable handle to the desk running on its own thread (store I/O never blocks a UI).
#[derive(Debug, Clone)]
pub struct DeskHandle {
    tx: std::sync::mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("request", &self.request)
            .finish()
    }
}

impl DeskHandle {
    /// Moves the desk onto a thread; it returns the desk (flushed) when every handle is gone.
    pub fn spawn(mut desk: Desk) -> (DeskHandle, std::thread::JoinHandle<Desk>) {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("desk".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    let resp = desk.handle(&job.actor, job.request);
                    let _ = job.reply.send(resp);
                }
                if let Err(e) = desk.flush() {
                    tracing::error!("flush on exit: {e}");
                }
                desk
            });
        match thread {
            Ok(t) => (DeskHandle { tx }, t),
            // Spawning a thread fails only when the OS is out of resources.
            Err(e) => panic!("cannot start the desk thread: {e}"),
        }
    }

    /// Asks the desk and waits (async).
    pub async fn call(&self, actor: Actor, request: Request) -> Response {
        let (reply, rx) = oneshot::channel();
        if self
            .tx
            .send(Job {
                actor,
                request,
                reply,
            })
            .is_err()
        {
            return Response::fail("the desk has stopped");
        }
        rx.await
            .unwrap_or_else(|_| Response::fail("the desk stopped before answering"))
    }

    /// Asks the desk and waits (blocking; not on an async runtime thread).
    pub fn call_blocking(&self, actor: Actor, request: Request) -> Response {
        let (reply, rx) = oneshot::channel();
        if self
            .tx
            .send(Job {
                actor,
                request,
                reply,
            })
            .is_err()
        {
            return Response::fail("the desk has stopped");
        }
        rx.blocking_recv()
            .unwrap_or_else(|_| Response::fail("the desk stopped before answering"))
    }
}

/// The socket path of a data folder.
pub fn socket_path(dir: &Path) -> PathBuf {
    dir.join(SOCKET)
}

/// Binds the socket (0600; a stale one is replaced: the caller holds the store lock).
pub fn bind(dir: &Path) -> std::io::Result<tokio::net::UnixListener> {
    use std::os::unix::fs::PermissionsExt;
    let path = socket_path(dir);
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    Ok(listener)
}

/// The longest request line the socket reads (a report is capped far below this); a longer one
/// is refused and the connection closed.
pub const MAX_REQUEST_BYTES: usize = 4 << 20;

/// How long a client waits for the console to take a request up before it says the console is
/// not responding (`DUTYDESK_SOCKET_WAIT_MS` changes it, for tests).
pub const ACCEPT_WAIT: Duration = Duration::from_secs(5);

/// The server's first line for a request it took up (protocol 2): the answer follows.
const ACCEPTED: &str = "{\"accepted\":true}\n";

/// How many answers the socket remembers by idempotency key.
const REMEMBERED: usize = 256;

/// Answers already given, by idempotency key, oldest first out.
#[derive(Debug, Default)]
struct Answered {
    order: std::collections::VecDeque<String>,
    by_key: std::collections::HashMap<String, Response>,
}

impl Answered {
    fn get(&self, key: &str) -> Option<Response> {
        self.by_key.get(key).cloned()
    }

    fn put(&mut self, key: String, response: Response) {
        if self.by_key.insert(key.clone(), response).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > REMEMBERED {
            if let Some(old) = self.order.pop_front() {
                self.by_key.remove(&old);
            }
        }
    }
}

fn unix_ms_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Reads one line of at most `MAX_REQUEST_BYTES`. `Ok(None)` at the end of the stream;
/// `Err(())` for a line over the cap (the rest of it is not read).
async fn read_request<R: tokio::io::AsyncBufRead + Unpin>(
    r: &mut R,
) -> std::io::Result<Option<Result<String, ()>>> {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let limit = u64::try_from(MAX_REQUEST_BYTES).unwrap_or(u64::MAX) + 1;
    let n = (&mut *r).take(limit).read_until(b'\n', &mut buf).await?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') && buf.len() > MAX_REQUEST_BYTES {
        return Ok(Some(Err(())));
    }
    Ok(Some(Ok(String::from_utf8_lossy(&buf).into_owned())))
}

/// Serves CLI requests until the listener is dropped or the task is cancelled. A request that
/// names no officer acts as `signed_in` (a console's signed-in officer), when there is one.
/// `changed` is told after every request that may have written, so a console shows at once
/// what arrived through its socket.
pub async fn serve(
    listener: tokio::net::UnixListener,
    handle: DeskHandle,
    signed_in: Option<std::sync::Arc<std::sync::Mutex<Actor>>>,
    changed: Option<std::sync::Arc<tokio::sync::Notify>>,
) {
    let answered = std::sync::Arc::new(std::sync::Mutex::new(Answered::default()));
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!("socket accept: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let peer_user = stream
            .peer_cred()
            .ok()
            .map(|c| crate::store::os::user_name(c.uid()));
        let handle = handle.clone();
        let signed_in = signed_in.clone();
        let changed = changed.clone();
        let answered = answered.clone();
        tokio::spawn(async move {
            let (r, mut w) = stream.into_split();
            let mut reader = tokio::io::BufReader::new(r);
            while let Ok(Some(line)) = read_request(&mut reader).await {
                let Ok(line) = line else {
                    tracing::warn!("socket: a request over {MAX_REQUEST_BYTES} bytes refused");
                    let resp = Response::bad(format!(
                        "请求过大 / request over {MAX_REQUEST_BYTES} bytes refused"
                    ));
                    let _ = w.write_all(answer_line(&resp).as_bytes()).await;
                    break;
                };
                let env = match serde_json::from_str::<Envelope>(&line) {
                    Ok(env) if env.v == 1 || env.v == 2 => env,
                    Ok(env) => {
                        let resp = Response::bad(format!("unsupported protocol version {}", env.v));
                        if w.write_all(answer_line(&resp).as_bytes()).await.is_err() {
                            break;
                        }
                        continue;
                    }
                    Err(e) => {
                        let resp = Response::bad(format!("malformed request: {e}"));
                        if w.write_all(answer_line(&resp).as_bytes()).await.is_err() {
                            break;
                        }
                        continue;
                    }
                };
                let resp = take_up(
                    &handle,
                    env,
                    &peer_user,
                    signed_in.as_ref(),
                    &answered,
                    &mut w,
                )
                .await;
                let Some((resp, wrote)) = resp else { break };
                if wrote {
                    if let Some(c) = &changed {
                        c.notify_one();
                    }
                }
                if w.write_all(answer_line(&resp).as_bytes()).await.is_err() {
                    break;
                }
            }
        });
    }
}

fn answer_line(resp: &Response) -> String {
    let mut out = serde_json::to_string(resp).unwrap_or_else(|e| {
        serde_json::to_string(&Response::fail(format!("cannot encode the answer: {e}")))
            .unwrap_or_default()
    });
    out.push('\n');
    out
}

/// Carries out one request: refused when read after its deadline (its client gave up), the
/// remembered answer when its key was answered before, else acknowledged with the acceptance
/// line and handed to the desk. `None` when the client is gone. The flag says the request may
/// have written.
async fn take_up(
    handle: &DeskHandle,
    mut env: Envelope,
    peer_user: &Option<String>,
    signed_in: Option<&std::sync::Arc<std::sync::Mutex<Actor>>>,
    answered: &std::sync::Mutex<Answered>,
    w: &mut tokio::net::unix::OwnedWriteHalf,
) -> Option<(Response, bool)> {
    if let Some(deadline) = env.deadline_ms {
        if unix_ms_now() > deadline {
            tracing::warn!(
                "socket: a request read {} ms after its client gave up was not carried out \
                 (writes: {})",
                unix_ms_now() - deadline,
                env.request.writes()
            );
            return Some((
                Response::bad(
                    "请求已过期：客户端已放弃，未执行 / the request expired: its client gave up \
                     waiting, nothing was done",
                ),
                false,
            ));
        }
    }
    if env.v >= 2 && w.write_all(ACCEPTED.as_bytes()).await.is_err() {
        return None;
    }
    let key = env.id.clone().filter(|k| !k.is_empty());
    if let Some(k) = &key {
        if let Some(r) = answered.lock().ok().and_then(|a| a.get(k)) {
            return Some((r, false));
        }
    }
    // The OS user is the peer's real uid, whatever the client claims.
    if let Some(u) = peer_user {
        env.actor.os_user = u.clone();
    }
    if env.actor.officer.trim().is_empty() {
        if let Some(name) = signed_in.and_then(|a| a.lock().ok().map(|a| a.officer.clone())) {
            env.actor.officer = name;
        }
    }
    let writes = env.request.writes();
    let resp = handle.call(env.actor, env.request).await;
    if let Some(k) = key {
        if let Ok(mut a) = answered.lock() {
            a.put(k, resp.clone());
        }
    }
    Some((resp, writes))
}

/// A fresh idempotency key: unique per request of this machine.
fn request_key() -> String {
    use sha2::{Digest, Sha256};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = Sha256::new();
    h.update(std::process::id().to_be_bytes());
    h.update(unix_ms_now().to_be_bytes());
    h.update(
        COUNTER
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .to_be_bytes(),
    );
    h.update(format!("{:?}", std::time::Instant::now()).as_bytes());
    hex::encode(&h.finalize()[..16])
}

fn accept_wait() -> Duration {
    std::env::var("DUTYDESK_SOCKET_WAIT_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis)
        .unwrap_or(ACCEPT_WAIT)
}

/// Who serves `dir`, for messages: ("控制台", "the console", "PID 123, pts/4"), or the desk
/// service of `dutydesk serve`.
fn who_serves(dir: &Path) -> (&'static str, &'static str, String) {
    match crate::store::lock::holder(dir) {
        Some(h) => {
            let (zh, en) = if h.purpose == "console" {
                ("控制台", "the console")
            } else {
                ("值班服务", "the desk service")
            };
            let pid = match h.tty {
                Some(t) => format!("PID {}, {t}", h.pid),
                None => format!("PID {}", h.pid),
            };
            (zh, en, pid)
        }
        None => ("控制台", "the console", "PID ?".into()),
    }
}

/// Sends one request to a running console. `Ok(None)` when no console serves this folder.
/// The console must take the request up within [`ACCEPT_WAIT`]: a stopped or hung console is
/// reported as not responding, and the request it never took up is withdrawn (its deadline
/// passes, so it is refused if ever read). A connection lost after the console took it up is
/// asked again once under the same idempotency key, which never runs it twice.
pub fn call_socket(
    dir: &Path,
    actor: &Actor,
    request: &Request,
) -> std::io::Result<Option<Response>> {
    let key = request_key();
    match call_once(dir, actor, request, &key) {
        Err(e)
            if e.kind() == std::io::ErrorKind::ConnectionReset
                || e.kind() == std::io::ErrorKind::UnexpectedEof
                || e.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            tracing::warn!("socket: connection lost ({e}); asking again with the same key");
            call_once(dir, actor, request, &key)
        }
        r => r,
    }
}

fn call_once(
    dir: &Path,
    actor: &Actor,
    request: &Request,
    key: &str,
) -> std::io::Result<Option<Response>> {
    let path = socket_path(dir);
    let stream = match std::os::unix::net::UnixStream::connect(&path) {
        Ok(s) => s,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(e),
    };
    let wait = accept_wait();
    let not_responding = || {
        std::io::Error::new(std::io::ErrorKind::TimedOut, {
            let (zh, en, who) = who_serves(dir);
            format!(
                "{zh}无响应（{who}），请求已撤回，未记录任何内容 / {en} ({who}) is not \
                     responding: the request was withdrawn, nothing was recorded"
            )
        })
    };
    // The server refuses what it reads after this; the client waits a little longer than
    // that for the acceptance line, so a request it gives up on is never carried out.
    let deadline = unix_ms_now() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX) * 9 / 10;
    let env = Envelope {
        v: 2,
        actor: actor.clone(),
        request: request.clone(),
        id: Some(key.to_string()),
        deadline_ms: Some(deadline),
    };
    let line = serde_json::to_string(&env)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    stream.set_write_timeout(Some(wait))?;
    stream.set_read_timeout(Some(wait))?;
    let timed_out = |e: &std::io::Error| {
        matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        )
    };
    if let Err(e) = (&stream).write_all(format!("{line}\n").as_bytes()) {
        return Err(if timed_out(&e) { not_responding() } else { e });
    }
    let mut reader = BufReader::new(&stream);
    let mut first = String::new();
    match reader.read_line(&mut first) {
        Ok(0) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the console closed the connection",
            ))
        }
        Ok(_) => {}
        Err(e) if timed_out(&e) => return Err(not_responding()),
        Err(e) => return Err(e),
    }
    let answer = if first == ACCEPTED {
        // Taken up: the answer may take as long as the work does (a delivery, an audit).
        stream.set_read_timeout(Some(Duration::from_secs(600)))?;
        let mut answer = String::new();
        if reader.read_line(&mut answer)? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the console closed the connection before answering",
            ));
        }
        answer
    } else {
        // An answer without acceptance: a refusal, or a console of protocol 1.
        first
    };
    serde_json::from_str(&answer)
        .map(Some)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}
