//! The desk running on its own: the one tick loop (delivery results recorded, escalations
//! run, interrupted notices resumed), the signals that stop a run, and `dutydesk serve`.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::signal::unix::{signal, Signal, SignalKind};

use super::{attach_outbox, open_desk, Ctx, HostError};
use crate::domain::Actor;
use crate::service::{socket, DeskHandle, Request, Response};

/// Ticks the desk every second as `officer` (the console updates it at each sign-in):
/// delivery results recorded, escalations run, interrupted notices resumed. A tick missed
/// while the desk was busy is skipped, not made up in a burst.
pub async fn tick_loop(handle: DeskHandle, officer: Arc<Mutex<Actor>>) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        every.tick().await;
        let actor = officer
            .lock()
            .map(|a| a.clone())
            .unwrap_or_else(|p| p.into_inner().clone());
        if let Response::Error { message, .. } = handle.call(actor, Request::Tick).await {
            tracing::warn!("tick: {message}");
        }
    }
}

/// Which signal stopped a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// SIGTERM.
    Term,
    /// SIGINT.
    Int,
    /// SIGHUP: the terminal went away.
    Hup,
}

impl Stop {
    /// The reason recorded with a session's end (`sigterm`).
    pub fn reason(self) -> &'static str {
        match self {
            Stop::Term => "sigterm",
            Stop::Int => "sigint",
            Stop::Hup => "sighup",
        }
    }
}

/// The stopping signals a run listens for.
pub struct Signals {
    term: Signal,
    int: Option<Signal>,
    hup: Signal,
}

impl Signals {
    /// SIGTERM, SIGHUP and, when `interrupt`, SIGINT (the console reads Ctrl-C as a key).
    pub fn new(interrupt: bool) -> std::io::Result<Signals> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: interrupt
                .then(|| signal(SignalKind::interrupt()))
                .transpose()?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    /// Waits for the next stopping signal.
    pub async fn next(&mut self) -> Stop {
        let int = async {
            match self.int.as_mut() {
                Some(s) => s.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = self.term.recv() => Stop::Term,
            _ = int => Stop::Int,
            _ = self.hup.recv() => Stop::Hup,
        }
    }
}

/// `dutydesk serve`: the desk, its outbox and its socket without a console, until a signal.
pub fn serve(ctx: &Ctx, out: &mut impl Write) -> Result<(), HostError> {
    let mut desk = open_desk(ctx, "serve")?;
    for n in &desk.store().open_notes {
        writeln!(out, "{}", crate::sanitize::line(n))?;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    attach_outbox(ctx, &mut desk, rt.handle())?;
    let dir: &Path = &ctx.data_dir;
    let (handle, thread) = DeskHandle::spawn(desk);
    let officer = Arc::new(Mutex::new(ctx.actor.clone()));
    let ticker = rt.spawn(tick_loop(handle.clone(), officer));
    let result = rt.block_on(async move {
        let listener = socket::bind(dir)?;
        writeln!(out, "serving {}", socket::socket_path(dir).display())?;
        out.flush()?;
        let server = tokio::spawn(socket::serve(listener, handle, None, None));
        match Signals::new(true) {
            Ok(mut s) => {
                s.next().await;
            }
            Err(e) => tracing::warn!("signals: {e}"),
        }
        ticker.abort();
        server.abort();
        let _ = server.await;
        Ok::<(), HostError>(())
    });
    // Dropping the runtime drops every connection task and with them the last desk handles.
    drop(rt);
    let _ = std::fs::remove_file(socket::socket_path(dir));
    let _ = thread.join();
    result
}
