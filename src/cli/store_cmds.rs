//! The store commands: `init`, `log`, `verify`, `recover`, `rebuild`, `export`, `status`,
//! `audit`.

use std::io::Write;

use super::format;
use super::input::parse_since;
use super::run::{ask, journal_lines, ok_or_err, open_desk, unexpected, CliError, Ctx};
use super::{ExportFormat, LogFormat};
use crate::config;
use crate::service::{Request, Response};
use crate::store::OpenOptions;

/// `init`: creates the data folder (and the user config file when there is none).
pub fn init(ctx: &Ctx, out: &mut impl Write) -> Result<(), CliError> {
    let lang = ctx.lang;
    let desk = open_desk(ctx, "init")?;
    let head = desk.store().head().seq;
    drop(desk);
    writeln!(
        out,
        "{}: {}",
        lang.pick("数据目录", "data folder"),
        ctx.data_dir.display()
    )?;
    if let Some(p) = config::user_config_path() {
        if !p.exists() {
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&p, config::DEFAULT_TOML)?;
            writeln!(
                out,
                "{}: {}",
                lang.pick("已写入配置", "config written"),
                p.display()
            )?;
        } else {
            writeln!(out, "{}: {}", lang.pick("配置文件", "config"), p.display())?;
        }
    }
    writeln!(out, "{}: {head}", lang.pick("事件数", "events"))?;
    Ok(())
}

/// `log [--since T] [--limit N] [--format table|jsonl]`.
pub fn log(
    ctx: &Ctx,
    since: &Option<String>,
    limit: Option<usize>,
    f: LogFormat,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let lang = ctx.lang;
    let since = since.as_deref().map(|s| parse_since(s, ctx)).transpose()?;
    let req = Request::Log {
        since,
        after_seq: None,
        limit,
    };
    match ok_or_err(ask(ctx, req)?)? {
        Response::Events { events } => match f {
            LogFormat::Jsonl => journal_lines(out, &events)?,
            LogFormat::Table => format::log_table(out, &events, lang)?,
        },
        r => return Err(unexpected(&r)),
    }
    Ok(())
}

/// `verify`: the whole chain and the projections; exit 1 on a break.
pub fn verify(ctx: &Ctx, out: &mut impl Write) -> Result<(), CliError> {
    let lang = ctx.lang;
    match ok_or_err(ask(ctx, Request::Verify)?)? {
        Response::Verified(v) => {
            format::verify_text(out, &v, lang)?;
            if !v.ok() {
                let first = v.chain_break.as_ref().or(v.anchor_break.as_ref());
                return Err(CliError::Failure(match first {
                    Some(b) => format!(
                        "{} #{}",
                        lang.pick("校验失败，首个错误序号", "verify failed at sequence"),
                        b.seq
                    ),
                    None => lang
                        .pick("投影与重放不一致", "projections differ from a replay")
                        .to_string(),
                }));
            }
        }
        r => return Err(unexpected(&r)),
    }
    Ok(())
}

/// `recover`: never through the socket, it needs the folder to itself.
pub fn recover(ctx: &Ctx, out: &mut impl Write) -> Result<(), CliError> {
    let lang = ctx.lang;
    // Never through the socket: it needs the folder to itself.
    let opts = OpenOptions {
        purpose: "recover".into(),
        signer: crate::host::desk_key(ctx)?,
        ..OpenOptions::default()
    };
    match crate::store::recover::recover(&ctx.data_dir, &opts)? {
        None => writeln!(
            out,
            "{}",
            lang.pick(
                "日志与所有见证者一致，无需恢复",
                "the journal agrees with every witness: nothing to recover"
            )
        )?,
        Some(r) => {
            out.write_all(crate::store::recover::describe(&r).as_bytes())?;
            let desk = open_desk(ctx, "recover")?;
            writeln!(
                out,
                "{} #{}",
                lang.pick(
                    "已从日志重建数据库，日志末尾为",
                    "database rebuilt from the journal, which now ends at"
                ),
                desk.store().head().seq
            )?;
        }
    }
    Ok(())
}

/// `rebuild`: the database from the journal.
pub fn rebuild(ctx: &Ctx, out: &mut impl Write) -> Result<(), CliError> {
    let lang = ctx.lang;
    let mut desk = open_desk(ctx, "rebuild")?;
    desk.rebuild()?;
    writeln!(
        out,
        "{} ({} {})",
        lang.pick("已从日志重建数据库", "database rebuilt from the journal"),
        desk.store().head().seq,
        lang.pick("条事件", "events")
    )?;
    Ok(())
}

/// `export [--format jsonl|csv]`.
pub fn export(ctx: &Ctx, f: ExportFormat, out: &mut impl Write) -> Result<(), CliError> {
    let lang = ctx.lang;
    let req = Request::Log {
        since: None,
        after_seq: None,
        limit: None,
    };
    let events = match ok_or_err(ask(ctx, req)?)? {
        Response::Events { events } => events,
        r => return Err(unexpected(&r)),
    };
    match f {
        ExportFormat::Jsonl => journal_lines(out, &events)?,
        ExportFormat::Csv => format::reports_csv(out, &events, &ctx.config, lang)?,
    }
    Ok(())
}

/// `status`.
pub fn status(ctx: &Ctx, out: &mut impl Write) -> Result<(), CliError> {
    let lang = ctx.lang;
    match ok_or_err(ask(ctx, Request::Status)?)? {
        Response::Status(s) => format::status_text(out, &s, lang)?,
        r => return Err(unexpected(&r)),
    }
    Ok(())
}
