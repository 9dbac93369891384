//! The spool channel (default, no network): each notice written as `.txt` (to print or fax) and
//! `.json` into `<data>/outbox/`, mode 0600, atomically. A resumed notice overwrites its own
//! files (the name carries the token), so a receiver never sees it twice.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::SendError;
use crate::domain::QueuedNotice;

/// The file stem of a notice: its id (with `/` as `_`) and token.
pub fn stem(n: &QueuedNotice) -> String {
    format!("{}_{}", n.id.replace('/', "_"), n.token)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_data()?;
    std::fs::rename(&tmp, path)
}

/// Writes the notice's two files; returns the text file's path.
pub async fn write(dir: &Path, n: &QueuedNotice) -> Result<String, SendError> {
    let dir: PathBuf = dir.to_path_buf();
    let n = n.clone();
    let done = tokio::task::spawn_blocking(move || -> std::io::Result<PathBuf> {
        {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)?;
        }
        let stem = stem(&n);
        let txt = dir.join(format!("{stem}.txt"));
        let mut body = format!("{}\n{}\n", n.subject, "=".repeat(40));
        if let Some(to) = &n.to {
            body.push_str(&format!("To: {} {}\n\n", n.recipient, to));
        }
        body.push_str(&n.text);
        body.push_str(&format!("\n[{}] {}\n", n.token, n.id));
        write_private(&txt, body.as_bytes())?;
        let json =
            serde_json::to_vec_pretty(&super::notice_json(&n)).map_err(std::io::Error::other)?;
        write_private(&dir.join(format!("{stem}.json")), &json)?;
        Ok(txt)
    })
    .await
    .map_err(|e| SendError::transient(format!("spool task: {e}")))?;
    match done {
        Ok(p) => Ok(format!("spooled {}", p.display())),
        Err(e) => Err(SendError::transient(format!("spool: {e}"))),
    }
}
