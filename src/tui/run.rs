//! The event loop: crossterm's event stream, a one-second tick for the clock, and desk answers,
//! all as [`Msg`]s into [`App::update`]. It owns the [`DeskHandle`], serves the CLI socket
//! while the console runs, and on quit, SIGTERM, SIGHUP or a vanished terminal records the
//! session's end, restores the terminal and returns.

use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::app::App;
use super::effect::Effect;
use super::env::Env;
use super::keymap::{Key, Keymap};
use super::msg::{Msg, Reply};
use super::theme::Theme;
use crate::host::{attach_outbox, open_desk, tick_loop, Ctx, HostError, Signals};
use crate::service::socket::{bind, serve, socket_path};
use crate::service::{DeskHandle, Request};

/// How long the session-end record may take on the way out.
const END_TIMEOUT: Duration = Duration::from_millis(1500);

/// The environment the console starts with.
pub fn env_for(ctx: &Ctx) -> Result<Env, HostError> {
    let keymap = Keymap::with_overrides(&ctx.config.console.keymap).map_err(HostError::BadInput)?;
    let theme = Theme::from_env(ctx.config.console.ascii_borders);
    Ok(Env::new(
        ctx.config.clone(),
        ctx.lang,
        theme,
        keymap,
        ctx.actor.clone(),
        ctx.clock.now(),
    ))
}

/// Opens the desk in `ctx.data_dir` and runs the console until it ends.
pub fn run(ctx: &Ctx) -> Result<(), HostError> {
    let env = env_for(ctx)?;
    let mut desk = open_desk(ctx, "console")?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Notices reach people: the outbox delivers on this runtime, the tick records the results,
    // runs escalations and resumes what a crash interrupted.
    attach_outbox(ctx, &mut desk, rt.handle())?;
    let (handle, thread) = DeskHandle::spawn(desk);
    let dir = ctx.data_dir.clone();
    let officer = std::sync::Arc::new(std::sync::Mutex::new(ctx.actor.clone()));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            let listener = bind(&dir)?;
            let changed = std::sync::Arc::new(tokio::sync::Notify::new());
            let server = tokio::spawn(serve(
                listener,
                handle.clone(),
                Some(officer.clone()),
                Some(changed.clone()),
            ));
            let ticker = tokio::spawn(tick_loop(handle.clone(), officer.clone()));
            let r = console(ctx, env, handle.clone(), officer.clone(), changed).await;
            ticker.abort();
            server.abort();
            let _ = server.await;
            let _ = ticker.await;
            r
        })
    }));
    drop(rt);
    if result.is_err() {
        // The terminal was restored by the panic hook; record the end where still possible.
        let actor = officer
            .lock()
            .map(|a| a.clone())
            .unwrap_or_else(|p| p.into_inner().clone());
        let r = handle.call_blocking(
            actor,
            Request::SessionEnded {
                reason: "panic".into(),
            },
        );
        tracing::error!("console panicked; session end recorded: {r:?}");
    }
    drop(handle);
    let _ = std::fs::remove_file(socket_path(&dir));
    let _ = thread.join();
    match result {
        Ok(r) => r,
        Err(p) => std::panic::resume_unwind(p),
    }
}

fn install_panic_log() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!(
            "panic: {info}\n{}",
            std::backtrace::Backtrace::force_capture()
        );
        previous(info);
    }));
}

async fn console(
    ctx: &Ctx,
    env: Env,
    handle: DeskHandle,
    officer: std::sync::Arc<std::sync::Mutex<crate::domain::Actor>>,
    changed: std::sync::Arc<tokio::sync::Notify>,
) -> Result<(), HostError> {
    let mut terminal = ratatui::try_init()?;
    install_panic_log();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    let started = handle
        .call(
            env.actor.clone(),
            Request::SessionStarted {
                pid: std::process::id(),
                tty: crate::host::tty(),
            },
        )
        .await;
    tracing::info!("console session started: {started:?}");
    let mut app = App::new(env);
    let reason = event_loop(ctx, &mut app, &handle, &mut terminal, &officer, &changed).await;
    let actor = app.env.actor.clone();
    let ended = tokio::time::timeout(
        END_TIMEOUT,
        handle.call(
            actor,
            Request::SessionEnded {
                reason: reason.clone(),
            },
        ),
    )
    .await;
    tracing::info!("console session ended ({reason}): {ended:?}");
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    // Not `ratatui::restore()`: it reports failure with eprintln!, which panics (and aborts)
    // when the terminal is gone, as after an SSH drop.
    if let Err(e) = ratatui::try_restore() {
        tracing::warn!("restore terminal: {e}");
    }
    // Dropping a `Terminal` whose cursor is hidden shows it, and reports failure with
    // eprintln!. With the terminal gone, there is nothing to restore: forget it instead.
    match terminal.show_cursor() {
        Ok(()) => drop(terminal),
        Err(_) => std::mem::forget(terminal),
    }
    Ok(())
}

/// Runs effects: desk calls are spawned; a quit returns its reason.
fn execute(
    effects: Vec<Effect>,
    handle: &DeskHandle,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Option<String> {
    for e in effects {
        match e {
            Effect::Call {
                reply,
                actor,
                request,
            } => {
                let handle = handle.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let response = handle.call(actor, *request).await;
                    let _ = tx.send(Msg::Answer { reply, response });
                });
            }
            Effect::Quit { reason } => return Some(reason),
        }
    }
    None
}

async fn event_loop(
    ctx: &Ctx,
    app: &mut App,
    handle: &DeskHandle,
    terminal: &mut ratatui::DefaultTerminal,
    officer: &std::sync::Mutex<crate::domain::Actor>,
    changed: &tokio::sync::Notify,
) -> String {
    // Test aid for the reliability suite: panic this many ms after start.
    let panic_at = std::env::var("DUTYDESK_TEST_PANIC_AFTER_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(|ms| std::time::Instant::now() + Duration::from_millis(ms));
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let Ok(mut signals) = Signals::new(false) else {
        return "signal-setup-failed".into();
    };
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    if let Some(r) = execute(app.start(), handle, &tx) {
        return r;
    }
    let mut dirty = true;
    let mut first_frame_logged = false;
    loop {
        if dirty {
            if let Err(e) = terminal.draw(|f| app.render(f)) {
                tracing::warn!("draw: {e}");
                return "terminal-lost".into();
            }
            dirty = false;
            if !first_frame_logged && !app.board.loading {
                first_frame_logged = true;
                if let Some(t0) = crate::logging::STARTED.get() {
                    tracing::info!(
                        "first frame with the incident list ({} rows) {:.1} ms after start",
                        app.board.rows.len(),
                        t0.elapsed().as_secs_f64() * 1000.0
                    );
                }
            }
        }
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(TermEvent::Key(k))) if k.kind != KeyEventKind::Release => {
                    Key::from_crossterm(&k).map(Msg::Key)
                }
                Some(Ok(TermEvent::Paste(s))) => Some(Msg::Paste(s)),
                Some(Ok(TermEvent::Resize(..))) => Some(Msg::Resized),
                Some(Ok(_)) => None,
                Some(Err(e)) => {
                    tracing::warn!("terminal read: {e}");
                    return "terminal-lost".into();
                }
                None => return "terminal-lost".into(),
            },
            _ = tick.tick() => {
                if panic_at.is_some_and(|t| std::time::Instant::now() >= t) {
                    panic!("injected panic (DUTYDESK_TEST_PANIC_AFTER_MS)");
                }
                Some(Msg::Tick(ctx.clock.now()))
            }
            Some(m) = rx.recv() => Some(m),
            // Something came in through the socket (a report filed from the command line).
            _ = changed.notified() => Some(Msg::Changed),
            stop = signals.next() => return stop.reason().into(),
        };
        let Some(msg) = msg else { continue };
        let is_answer = matches!(
            msg,
            Msg::Answer {
                reply: Reply::Session,
                ..
            }
        );
        let effects = app.update(msg);
        if let Ok(mut a) = officer.lock() {
            if a.officer != app.env.actor.officer {
                *a = app.env.actor.clone();
            }
        }
        dirty = !is_answer || dirty;
        if let Some(reason) = execute(effects, handle, &tx) {
            return reason;
        }
    }
}
