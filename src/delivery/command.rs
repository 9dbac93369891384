//! The command channel: a configured program run from an argument list (never a shell), the
//! notice JSON on its stdin, an empty environment but a minimal PATH, killed when the try times
//! out. The exit status and a sanitised, truncated excerpt of its output are recorded.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use super::SendError;
use crate::config::Endpoint;
use crate::domain::QueuedNotice;

/// The only PATH a command sees.
pub const MINIMAL_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

fn expand(arg: &str, n: &QueuedNotice) -> String {
    arg.replace("{to}", n.to.as_deref().unwrap_or(""))
        .replace("{token}", &n.token)
        .replace("{id}", &n.id)
        .replace("{recipient}", &n.recipient)
}

fn excerpt(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let s = s.trim();
    let mut out: String = s.chars().take(200).collect();
    if s.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// Runs the endpoint's program for one notice.
pub async fn run(ep: &Endpoint, n: &QueuedNotice, timeout: Duration) -> Result<String, SendError> {
    let mut cmd = tokio::process::Command::new(&ep.program);
    cmd.args(ep.args.iter().map(|a| expand(a, n)))
        .env_clear()
        .env("PATH", MINIMAL_PATH)
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let input = serde_json::to_vec(&super::notice_json(n))
        .map_err(|e| SendError::permanent(format!("the notice as JSON: {e}")))?;
    let mut child = cmd
        .spawn()
        .map_err(|e| SendError::permanent(format!("cannot start {}: {e}", ep.program)))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A program that does not read its input is not an error in itself.
        let _ = stdin.write_all(&input).await;
        drop(stdin);
    }
    // Dropping the future on timeout drops the child, which kills it (kill_on_drop).
    let out = tokio::time::timeout(timeout, child.wait_with_output())
        .await
        .map_err(|_| {
            SendError::transient(format!(
                "{} 超时被终止 / killed after {} s",
                ep.program,
                timeout.as_secs()
            ))
        })?
        .map_err(|e| SendError::transient(format!("{}: {e}", ep.program)))?;
    let said = excerpt(if out.stdout.is_empty() {
        &out.stderr
    } else {
        &out.stdout
    });
    match out.status.code() {
        Some(0) => Ok(format!("exit 0: {said}")),
        Some(c) => Err(SendError::transient(format!(
            "exit {c}: {}",
            excerpt(if out.stderr.is_empty() {
                &out.stdout
            } else {
                &out.stderr
            })
        ))),
        None => Err(SendError::transient("killed by a signal".to_string())),
    }
}
