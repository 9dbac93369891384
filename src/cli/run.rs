//! Executing subcommands. Exit codes: 0 ok, 1 failure, 2 bad input.

use std::io::Write;
use std::process::ExitCode;

pub use super::input::{parse_draft, parse_enum, read_input};
use super::{Cli, Command, ConfigCommand, ReportCommand};
use crate::config;
use crate::domain::ReportDraft;
pub use crate::host::{open_desk, Ctx};
use crate::service::socket::call_socket;
use crate::service::{Desk, ErrorCode, Request, Response};
use crate::store::OpenOptions;

/// A failure the CLI reports: bad input (exit 2) or anything else (exit 1).
pub type CliError = crate::host::HostError;

/// What the binary does after the command line has run: exit, or start the console.
#[derive(Debug)]
pub enum Next {
    /// Done, with this exit code.
    Exit(ExitCode),
    /// Open the console in this context (no command, or `demo` without `--no-console`).
    Console(Box<Ctx>),
}

/// Builds the context from the parsed flags.
pub fn context(cli: &Cli) -> Result<Ctx, CliError> {
    crate::host::context(&crate::host::Args {
        data_dir: cli.data_dir.clone(),
        config: cli.config.clone(),
        lang: cli.lang.clone(),
        officer: cli.officer.clone(),
    })
}

/// Asks the running console over its socket, or opens the store directly.
pub fn ask(ctx: &Ctx, req: Request) -> Result<Response, CliError> {
    if let Some(r) = call_socket(&ctx.data_dir, &ctx.actor, &req)? {
        return Ok(r);
    }
    let mut desk = open_desk(ctx, "cli")?;
    if let Some(banner) = &desk.store().read_only {
        // Every command run on a read-only desk says so, reads included.
        let _ = writeln!(
            std::io::stderr(),
            "dutydesk: {}",
            crate::sanitize::text(banner)
        );
    }
    let at_open = desk.store().db_repaired.is_some();
    let answer = desk.handle(&ctx.actor, req);
    // Damage found by the request itself (damage found by opening was said by `open_desk`).
    if let Some(repaired) = desk.store().db_repaired.as_ref().filter(|_| !at_open) {
        let _ = writeln!(
            std::io::stderr(),
            "dutydesk: {}",
            crate::sanitize::text(repaired)
        );
    }
    if let Some(c) = desk.clock_behind() {
        let _ = writeln!(std::io::stderr(), "dutydesk: {}", crate::sanitize::text(&c));
    }
    Ok(answer)
}

/// A bad-input or failure answer as an error; anything else as it is.
pub fn ok_or_err(r: Response) -> Result<Response, CliError> {
    match r {
        Response::Error {
            code: ErrorCode::BadInput,
            message,
        } => Err(CliError::BadInput(message)),
        Response::Error { message, .. } => Err(CliError::Failure(message)),
        r => Ok(r),
    }
}

/// The error for an answer of the wrong kind.
pub fn unexpected(r: &Response) -> CliError {
    CliError::Failure(format!("unexpected answer from the desk: {r:?}"))
}

/// Runs the parsed command line; the console is the caller's to start.
pub fn main(cli: Cli) -> Next {
    let mut out = std::io::stdout().lock();
    match dispatch(cli, &mut out) {
        Ok(None) => Next::Exit(ExitCode::SUCCESS),
        Ok(Some(ctx)) => Next::Console(Box::new(ctx)),
        Err(e) => {
            let _ = out.flush();
            Next::Exit(crate::host::exit(Err(e)))
        }
    }
}

/// Runs a command; the context of the console to open, if one is to be opened.
fn dispatch(cli: Cli, out: &mut impl Write) -> Result<Option<Ctx>, CliError> {
    let Some(command) = cli.command.as_ref() else {
        return context(&cli).map(Some);
    };
    match command {
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut cmd, "dutydesk", out);
            return Ok(None);
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd).render(out)?;
            return Ok(None);
        }
        Command::Report(ReportCommand::Schema) => {
            out.write_all(REPORT_SCHEMA.as_bytes())?;
            return Ok(None);
        }
        Command::Config(ConfigCommand::PrintDefault) => {
            out.write_all(config::DEFAULT_TOML.as_bytes())?;
            return Ok(None);
        }
        Command::Config(ConfigCommand::Check { file }) => {
            let loaded = config::load(Some(file)).map_err(|e| CliError::BadInput(e.to_string()))?;
            writeln!(
                out,
                "{}: ok ({} categories, {} units, {} people, {} lexicon cues)",
                file.display(),
                loaded.config.categories.len(),
                loaded.config.units.len(),
                loaded.config.people.len(),
                loaded.config.verification.lexicon.len()
            )?;
            return Ok(None);
        }
        Command::Check { file, format: f } => {
            let ctx = context(&cli)?;
            let text = read_input(file)?;
            let format = match f {
                super::CheckOutput::Json => crate::rules::check::CheckFormat::Json,
                super::CheckOutput::Text => crate::rules::check::CheckFormat::Text,
            };
            let name = if file == "-" {
                "<stdin>"
            } else {
                file.as_str()
            };
            let printed = crate::rules::check::run_check(
                &text,
                &ctx.config,
                format,
                ctx.lang,
                ctx.clock.now(),
            )
            .map_err(|e| CliError::BadInput(format!("{name}: {e}")))?;
            out.write_all(printed.as_bytes())?;
            if !printed.ends_with('\n') && !printed.is_empty() {
                writeln!(out)?;
            }
            return Ok(None);
        }
        Command::Roster(super::handover::RosterCommand::Import { file }) => {
            let ctx = context(&cli)?;
            let cfg = ctx
                .config_file
                .clone()
                .or_else(config::user_config_path)
                .ok_or_else(|| CliError::BadInput("no config folder / 找不到配置目录".into()))?;
            return super::handover::import_roster(&ctx.config, &cfg, file, ctx.lang, out)
                .map(|()| None);
        }
        Command::Demo {
            incidents,
            no_console,
        } => {
            let mut ctx = context(&cli)?;
            ctx.data_dir = super::demo::demo_dir(cli.data_dir.as_deref());
            return super::demo::run(&ctx, *incidents, *no_console, out);
        }
        _ => {}
    }
    let ctx = context(&cli)?;
    run_store_command(&ctx, command, out).map(|()| None)
}

/// Runs a command that needs the store.
pub fn run_store_command(
    ctx: &Ctx,
    command: &Command,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let lang = ctx.lang;
    match command {
        Command::Init => super::store_cmds::init(ctx, out)?,
        Command::Report(ReportCommand::Add {
            file,
            accept,
            decline,
        }) => super::reports::add(ctx, file, accept, decline, out)?,
        Command::Report(ReportCommand::Schema) => {}
        Command::List {
            open,
            limit,
            format: f,
        } => super::reports::list(ctx, *open, *limit, *f, out)?,
        Command::Show { number, format: f } => super::reports::show(ctx, number, *f, out)?,
        Command::Resolve {
            number,
            answered: true,
            ..
        } => super::reports::resolve_answered(ctx, number, out)?,
        Command::Resolve {
            number,
            flag,
            method,
            result,
            note,
            ..
        } => super::reports::resolve(ctx, number, flag, method, result, note, out)?,
        Command::Log {
            since,
            limit,
            format: f,
        } => super::store_cmds::log(ctx, since, *limit, *f, out)?,
        Command::Verify => super::store_cmds::verify(ctx, out)?,
        Command::Recover => super::store_cmds::recover(ctx, out)?,
        Command::Rebuild => super::store_cmds::rebuild(ctx, out)?,
        Command::Export { format: f } => super::store_cmds::export(ctx, *f, out)?,
        Command::Status => super::store_cmds::status(ctx, out)?,
        Command::Audit {
            from,
            to,
            by,
            format: f,
        } => match ok_or_err(super::audit::ask(
            ctx,
            super::audit::request(*from, *to, *by)?,
        )?)? {
            Response::Audit(r) => {
                let t0 = std::time::Instant::now();
                super::audit::print(out, &r, *f, &ctx.config, lang)?;
                crate::service::audit::trace_stages(&[("output", t0.elapsed())]);
                crate::rules::audit::drop_aside(r);
            }
            r => return Err(unexpected(&r)),
        },
        Command::Serve => crate::host::serve(ctx, out)?,
        Command::Instructions {
            open,
            overdue,
            format: f,
        } => super::instructions::list(ctx, *open, *overdue, *f, out)?,
        Command::Instruction(c) => super::instructions::run(ctx, c, out)?,
        Command::Feedback {
            id,
            from,
            form,
            kind,
            text,
        } => super::instructions::feedback(ctx, id, from, form, kind, text, out)?,
        Command::Handover { format: f, shift } => {
            super::handover::run_handover(ctx, *f, *shift, out)?
        }
        Command::Notify { .. }
        | Command::Notices { .. }
        | Command::Ack { .. }
        | Command::Call { .. } => super::notices::run(ctx, command, out)?,
        Command::Selftest(super::SelftestCommand::AppendLoop {
            count,
            unsafe_no_sync,
        }) => append_loop(ctx, *count, *unsafe_no_sync, out)?,
        Command::Config(_)
        | Command::Roster(_)
        | Command::Completions { .. }
        | Command::Man
        | Command::Check { .. }
        | Command::Demo { .. } => {}
    }
    Ok(())
}

/// The journal's own lines (`log --format jsonl`, `export --format jsonl`): into a pipe or a
/// file byte for byte, so that every line's hash still verifies; on a terminal with what would
/// act on it escaped (`\u202e`), the same JSON values.
pub(super) fn journal_lines(
    out: &mut impl Write,
    events: &[crate::domain::Event],
) -> std::io::Result<()> {
    use std::io::IsTerminal;
    let terminal = std::io::stdout().is_terminal();
    for e in events {
        let line = e.to_line();
        if terminal {
            writeln!(out, "{}", crate::sanitize::json::line(&line))?;
        } else {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

fn append_loop(
    ctx: &Ctx,
    count: u64,
    unsafe_no_sync: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let opts = OpenOptions {
        purpose: "selftest".into(),
        durability: if unsafe_no_sync {
            crate::store::Durability::UnsafeBuffered
        } else {
            crate::store::Durability::Sync
        },
        ..OpenOptions::default()
    };
    let mut desk = Desk::open(&ctx.data_dir, ctx.config.clone(), ctx.clock.clone(), opts)?;
    writeln!(out, "READY {}", desk.store().head().seq)?;
    out.flush()?;
    for i in 0..count {
        let draft = ReportDraft {
            summary: format!("crash-loop report {i}: 据说河口镇仓库起火"),
            location: Some("河口镇".into()),
            ..ReportDraft::default()
        };
        match desk.handle(&ctx.actor, Request::AddReport { draft }) {
            Response::Filed { incident, seqs, .. } => {
                writeln!(out, "ACK {incident} {}", seqs.last().copied().unwrap_or(0))?;
                out.flush()?;
            }
            r => return Err(unexpected(&r)),
        }
    }
    Ok(())
}

/// The JSON schema of a report, printed by `dutydesk report schema`.
pub const REPORT_SCHEMA: &str = include_str!("../../assets/report.schema.json");
