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

/// Serves CLI requests until the listener is dropped or the task is cancelled. A request that
/// names no officer acts as `signed_in` (a console's signed-in officer), when there is one.
pub async fn serve(
    listener: tokio::net::UnixListener,
    handle: DeskHandle,
    signed_in: Option<std::sync::Arc<std::sync::Mutex<Actor>>>,
) {
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
        tokio::spawn(async move {
            let (r, mut w) = stream.into_split();
            let mut lines = tokio::io::BufReader::new(r).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let resp = match serde_json::from_str::<Envelope>(&line) {
                    Ok(mut env) if env.v == 1 => {
                        // The OS user is the peer's real uid, whatever the client claims.
                        if let Some(u) = &peer_user {
                            env.actor.os_user = u.clone();
                        }
                        if env.actor.officer.trim().is_empty() {
                            if let Some(name) = signed_in
                                .as_ref()
                                .and_then(|a| a.lock().ok().map(|a| a.officer.clone()))
                            {
                                env.actor.officer = name;
                            }
                        }
                        handle.call(env.actor, env.request).await
                    }
                    Ok(env) => Response::bad(format!("unsupported protocol version {}", env.v)),
                    Err(e) => Response::bad(format!("malformed request: {e}")),
                };
                let mut out = serde_json::to_string(&resp).unwrap_or_default();
                out.push('\n');
                if w.write_all(out.as_bytes()).await.is_err() {
                    break;
                }
            }
        });
    }
}

/// Sends one request to a running console. `Ok(None)` when no console serves this folder.
pub fn call_socket(
    dir: &Path,
    actor: &Actor,
    request: &Request,
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
    stream.set_read_timeout(Some(Duration::from_secs(600)))?;
    let env = Envelope {
        v: 1,
        actor: actor.clone(),
        request: request.clone(),
    };
    let mut line = serde_json::to_string(&env).unwrap_or_default();
    line.push('\n');
    (&stream).write_all(line.as_bytes())?;
    let mut reader = BufReader::new(&stream);
    let mut answer = String::new();
    reader.read_line(&mut answer)?;
    serde_json::from_str(&answer)
        .map(Some)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}
