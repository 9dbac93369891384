//! Diagnostics go to a file in the state folder, never to the screen (the console owns it).

use std::path::{Path, PathBuf};

/// The log folder: `$XDG_STATE_HOME/dutydesk`, else `<data>/logs`.
pub fn log_dir(data_dir: Option<&Path>) -> PathBuf {
    directories::ProjectDirs::from("", "", "dutydesk")
        .and_then(|d| d.state_dir().map(Path::to_path_buf))
        .or_else(|| data_dir.map(|d| d.join("logs")))
        .unwrap_or_else(std::env::temp_dir)
}

/// Logs how long the steps of `what` took ("store open: lock 1.4 ms, …"); with the environment
/// variable `var` set, also to standard error (`DUTYDESK_TRACE_OPEN=1`, `DUTYDESK_TRACE_AUDIT=1`:
/// where a command spends its time, for the README's figures).
pub fn timings(var: &str, what: &str, steps: &[(&str, std::time::Duration)]) {
    let text = steps
        .iter()
        .map(|(step, d)| format!("{step} {:.1} ms", d.as_secs_f64() * 1000.0))
        .collect::<Vec<_>>()
        .join(", ");
    tracing::info!("{what}: {text}");
    if std::env::var_os(var).is_some() {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "{what}: {text}");
    }
}

/// Keeps the log file open; drop at exit.
#[derive(Debug)]
pub struct Guard;

/// Starts logging to `dutydesk.log` (level from `DUTYDESK_LOG`, default `info`).
pub fn init(data_dir: Option<&Path>) -> Option<Guard> {
    let dir = log_dir(data_dir);
    crate::os::ensure_private_dir(&dir).ok()?;
    let file = crate::os::open_private_append(&dir.join("dutydesk.log")).ok()?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("DUTYDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(Guard)
}

/// When the process started, for "start to first frame" figures.
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Marks the process start (call first thing in `main`).
pub fn mark_start() {
    let _ = STARTED.set(std::time::Instant::now());
}
