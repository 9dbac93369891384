//! The composition root: what both faces (the command line in [`crate::cli`], the console in
//! [`crate::tui`]) stand on — the context from flags, config and environment, opening the
//! desk, the desk key and secrets, the outbox, the one tick loop, `serve`, and signals.
//! Both faces import this module; it imports neither of them.

mod context;
mod desk;
mod serve;

pub use context::{context, default_data_dir, pick_lang, Args, Ctx};
pub use desk::{attach_outbox, desk_key, open_desk, secrets};
pub use serve::{serve, tick_loop, Signals, Stop};

/// The terminal on standard input (`/dev/pts/3`), recorded when a console session starts.
pub use crate::os::tty;

use std::io::Write;
use std::process::ExitCode;

use crate::store::StoreError;

/// A failure a face reports, with its exit code: bad input (2) or anything else (1).
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The user asked for something malformed or absent.
    #[error("{0}")]
    BadInput(String),
    /// The operation failed.
    #[error("{0}")]
    Failure(String),
    /// Whoever read the output has gone (`dutydesk list | head -1`): nothing to say, and not
    /// a failure of the command.
    #[error("the output was closed")]
    Closed,
}

impl HostError {
    /// The process exit code: 2 for bad input, 1 for a failure.
    pub fn code(&self) -> u8 {
        match self {
            HostError::BadInput(_) => 2,
            HostError::Failure(_) => 1,
            HostError::Closed => 0,
        }
    }
}

impl From<StoreError> for HostError {
    fn from(e: StoreError) -> Self {
        HostError::Failure(e.to_string())
    }
}

impl From<std::io::Error> for HostError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return HostError::Closed;
        }
        HostError::Failure(e.to_string())
    }
}

/// The exit code of a run: 0, or the error said on standard error (sanitised) and its code.
pub fn exit(result: Result<(), HostError>) -> ExitCode {
    match result {
        Ok(()) | Err(HostError::Closed) => ExitCode::SUCCESS,
        Err(e) => {
            // Never eprintln!: it panics when the terminal has gone away.
            let _ = writeln!(
                std::io::stderr(),
                "dutydesk: {}",
                crate::sanitize::text(&e.to_string())
            );
            ExitCode::from(e.code())
        }
    }
}
