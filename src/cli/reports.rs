//! The report commands: `report add`, `list`, `show`, `resolve`.

use std::io::Write;

use super::format;
use super::input::{parse_draft, parse_enum, read_report};
use super::run::{ask, ok_or_err, unexpected, CliError, Ctx};
use super::{ListFormat, ShowFormat};
use crate::domain::{ResolutionMethod, ResolutionResult};
use crate::service::{Request, Response};

/// `report add FILE [--accept [KEY…]] [--decline KEY]`: files a report, prints its number.
pub fn add(
    ctx: &Ctx,
    file: &str,
    accept: &Option<Vec<String>>,
    decline: &[String],
    out: &mut impl Write,
) -> Result<(), CliError> {
    let lang = ctx.lang;
    let text = read_report(file, ctx)?;
    let name = if file == "-" { "<stdin>" } else { file };
    let mut draft = parse_draft(&text, name)?;
    let open = super::input::take_suggestions(ctx, &mut draft, accept.as_deref(), decline)?;
    match ok_or_err(ask(ctx, Request::AddReport { draft })?)? {
        Response::Filed {
            incident,
            flags,
            answers,
            ..
        } => {
            writeln!(out, "{incident}")?;
            for f in &flags {
                let _ = writeln!(
                    std::io::stderr(),
                    "  ⚑ {}",
                    crate::present::flag_line(f, lang)
                );
            }
            if !answers.is_empty() {
                let _ = writeln!(
                    std::io::stderr(),
                    "  ✓ {} {}\n    dutydesk resolve {incident} --answered",
                    lang.pick("本报说明了：", "this report answers:"),
                    answers.join(" ")
                );
            }
            if !open.is_empty() {
                let _ = writeln!(
                    std::io::stderr(),
                    "  {}",
                    lang.pick(
                        "按报告文字推断（通报按此，未写入报告；--accept 采纳，--decline 拒绝）：",
                        "read from the words (notices use them; not in the report: --accept, --decline):"
                    )
                );
                for line in &open {
                    let _ = writeln!(std::io::stderr(), "  ✎ {line}");
                }
            }
        }
        r => return Err(unexpected(&r)),
    }
    Ok(())
}

/// `list [--open] [--limit N] [--format table|json]`.
pub fn list(
    ctx: &Ctx,
    open: bool,
    limit: Option<usize>,
    f: ListFormat,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let lang = ctx.lang;
    let req = Request::List {
        open_only: open,
        limit,
    };
    match ok_or_err(ask(ctx, req)?)? {
        Response::Incidents { rows, .. } => match f {
            ListFormat::Json => {
                crate::sanitize::json::to_writer_pretty(&mut *out, &rows)?;
                writeln!(out)?;
            }
            ListFormat::Table => format::incident_table(out, &rows, &ctx.config, lang)?,
        },
        r => return Err(unexpected(&r)),
    }
    Ok(())
}

/// `show NUMBER [--format text|json]`.
pub fn show(ctx: &Ctx, number: &str, f: ShowFormat, out: &mut impl Write) -> Result<(), CliError> {
    let lang = ctx.lang;
    match ok_or_err(ask(
        ctx,
        Request::Show {
            incident: number.to_string(),
        },
    )?)? {
        Response::Incident {
            incident, timeline, ..
        } => match f {
            ShowFormat::Json => {
                let v = serde_json::json!({"incident": incident, "timeline": timeline});
                crate::sanitize::json::to_writer_pretty(&mut *out, &v)?;
                writeln!(out)?;
            }
            ShowFormat::Text => {
                format::incident_text(out, &incident, &timeline, &ctx.config, lang)?
            }
        },
        r => return Err(unexpected(&r)),
    }
    Ok(())
}

/// `resolve NUMBER --answered`: the flags the latest report answers, in one step.
pub fn resolve_answered(ctx: &Ctx, number: &str, out: &mut impl Write) -> Result<(), CliError> {
    let lang = ctx.lang;
    let Response::Incident { incident, .. } = ok_or_err(ask(
        ctx,
        Request::Show {
            incident: number.to_string(),
        },
    )?)?
    else {
        return Err(CliError::Failure("show".into()));
    };
    let flags = crate::rules::verify::answered::answered(&incident);
    let req = Request::ResolveAnswered {
        incident: number.to_string(),
        flags: flags.clone(),
    };
    match ok_or_err(ask(ctx, req)?)? {
        Response::Recorded { .. } => {
            writeln!(
                out,
                "{} {}",
                lang.pick("已核销", "resolved"),
                flags.join(" ")
            )?;
        }
        r => return Err(unexpected(&r)),
    }
    Ok(())
}

/// `resolve NUMBER FLAG --method M --result R [--note TEXT]`.
pub fn resolve(
    ctx: &Ctx,
    number: &str,
    flag: &Option<String>,
    method: &Option<String>,
    result: &Option<String>,
    note: &str,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let lang = ctx.lang;
    let missing = |what: &str| {
        CliError::BadInput(format!(
            "缺少 {what}（或用 --answered 核销续报已说明的标记）/ {what} is required (or --answered for the flags the latest report answers)"
        ))
    };
    let flag = flag.as_ref().ok_or_else(|| missing("FLAG"))?;
    let method = method.as_ref().ok_or_else(|| missing("--method"))?;
    let result = result.as_ref().ok_or_else(|| missing("--result"))?;
    let method: ResolutionMethod = parse_enum(
        "method",
        method,
        "call_back, cross_check, on_site, official_release",
    )?;
    let result: ResolutionResult = parse_enum(
        "result",
        result,
        "confirmed, corrected, refuted, cannot_verify",
    )?;
    let req = Request::ResolveFlag {
        incident: number.to_string(),
        flag: flag.clone(),
        method,
        result,
        note: note.to_string(),
    };
    match ok_or_err(ask(ctx, req)?)? {
        Response::Recorded { seqs } => {
            writeln!(
                out,
                "{} #{}",
                lang.pick("已记录", "recorded"),
                seqs.first().copied().unwrap_or(0)
            )?;
        }
        r => return Err(unexpected(&r)),
    }
    Ok(())
}
