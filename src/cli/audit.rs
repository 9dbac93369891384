//! `dutydesk audit`: the response-time audit as a table for people, CSV (UTF-8 with a BOM, so
//! Excel on Chinese Windows opens it) or JSON (the shape documented in [`crate::rules::audit`]).
//! Formatting only: the numbers come from the desk, or (no console running) from the journal
//! alone ([`ask`]).

use std::io::{self, Write};

use chrono::{NaiveDate, Utc};
use clap::ValueEnum;

use super::run::{open_desk, CliError, Ctx};
use crate::clock::short_duration;
use crate::config::Config;
use crate::domain::{Lang, Level};
use crate::rules::audit::{AuditReport, GroupBy, StageRow};
use crate::sanitize;
use crate::service::socket::call_socket;
use crate::service::{Request, Response};
use crate::store::{JournalOnly, OpenOptions};
use crate::text::{fit, pad};

/// Output formats of `audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// Aligned columns, the slowest stage in a sentence, the breaches.
    Table,
    /// One row per stage and group, UTF-8 with BOM.
    Csv,
    /// The whole report (stable shape).
    Json,
}

/// Groupings of `audit --by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditBy {
    /// 值班员
    Officer,
    /// 班次 (shift day)
    Shift,
    /// 类别
    Category,
    /// 级别
    Level,
    /// 月份
    Month,
}

impl From<AuditBy> for GroupBy {
    fn from(b: AuditBy) -> GroupBy {
        match b {
            AuditBy::Officer => GroupBy::Officer,
            AuditBy::Shift => GroupBy::Shift,
            AuditBy::Category => GroupBy::Category,
            AuditBy::Level => GroupBy::Level,
            AuditBy::Month => GroupBy::Month,
        }
    }
}

/// The request for `audit --from --to --by`, refusing a period that ends before it starts.
pub fn request(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    by: Option<AuditBy>,
) -> Result<Request, CliError> {
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(CliError::BadInput(format!(
                "--from {f} 晚于 --to {t} / --from {f} is after --to {t}"
            )));
        }
    }
    Ok(Request::Audit {
        from,
        to,
        by: by.map(GroupBy::from),
    })
}

/// Asks for an audit: a running console answers over its socket; otherwise the journal is
/// read alone (locked as the desk would lock it, but sled not opened: on a store of 1M events
/// its open is a twentieth of the audit's time); a folder without a journal yet is opened as
/// the desk opens it.
pub fn ask(ctx: &Ctx, req: Request) -> Result<Response, CliError> {
    if let Some(r) = call_socket(&ctx.data_dir, &ctx.actor, &req)? {
        return Ok(r);
    }
    if let Request::Audit { from, to, by } = req {
        let opts = OpenOptions {
            purpose: "cli".into(),
            ..OpenOptions::default()
        };
        let journal =
            JournalOnly::open(&ctx.data_dir, opts).map_err(|e| CliError::Failure(e.to_string()))?;
        if let Some(journal) = journal {
            let now = ctx.config.zone().localize(ctx.clock.now());
            let period = crate::rules::audit::Period { from, to };
            return crate::service::audit::run_journal(&journal, &ctx.config, now, period, by)
                .map(|r| Response::Audit(Box::new(r)))
                .map_err(|e| CliError::Failure(e.to_string()));
        }
    }
    Ok(open_desk(ctx, "cli")?.handle(&ctx.actor, req))
}

/// Writes the report in the chosen format.
pub fn print(
    out: &mut impl Write,
    r: &AuditReport,
    format: AuditFormat,
    config: &Config,
    lang: Lang,
) -> io::Result<()> {
    // Stdout is line-buffered: a write per line of a long breach list (two million lines of
    // pretty JSON for 100k incidents) cost more than the audit itself.
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    match format {
        AuditFormat::Table => table(&mut out, r, config, lang)?,
        AuditFormat::Csv => csv(&mut out, r, config, lang)?,
        AuditFormat::Json => json(&mut out, r)?,
    }
    out.flush()
}

/// The report as pretty JSON (serde's pretty writer, with the sanitiser's escapes), with a
/// line after.
pub fn json(out: &mut impl Write, r: &AuditReport) -> io::Result<()> {
    crate::sanitize::json::to_writer_pretty(&mut *out, r)?;
    writeln!(out)
}

/// A group key as people read it: category and level names, "not stated" for `null`.
fn group_name(by: Option<GroupBy>, key: Option<&str>, config: &Config, lang: Lang) -> String {
    match (by, key) {
        (None, _) => lang.pick("全部", "all").to_string(),
        (Some(GroupBy::Category), Some(k)) => config.category_name(k, lang).to_string(),
        (Some(GroupBy::Level), Some(k)) => match Level::parse(k) {
            Some(l) => l.numeral().to_string(),
            None => lang.pick("未定级", "ungraded").to_string(),
        },
        (_, Some(k)) => k.to_string(),
        (_, None) => lang.pick("未注明", "not stated").to_string(),
    }
}

/// Right-aligns `s` in `width` columns (CJK counts two).
fn right(s: &str, width: usize) -> String {
    let w = unicode_width::UnicodeWidthStr::width(s);
    format!("{}{s}", " ".repeat(width.saturating_sub(w)))
}

fn secs(s: Option<u64>) -> String {
    s.map_or_else(
        || "—".into(),
        |s| short_duration(std::time::Duration::from_secs(s)),
    )
}

fn share(c: Option<f64>) -> String {
    c.map_or_else(|| "—".into(), |c| format!("{:.0}%", c * 100.0))
}

fn day(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "…".into(), |d| d.format("%Y-%m-%d").to_string())
}

/// Breaches a table lists, the worst first; CSV and JSON list them all.
const TABLE_BREACHES: usize = 50;

/// The report as aligned text in one language.
pub fn table(out: &mut impl Write, r: &AuditReport, config: &Config, lang: Lang) -> io::Result<()> {
    let as_of = config.zone().localize(r.as_of.with_timezone(&Utc));
    let chain = if r.chain_verified {
        lang.pick("日志链已校验 ✓", "hash chain verified ✓")
    } else {
        lang.pick("日志链未通过校验 ✗", "hash chain NOT verified ✗")
    };
    writeln!(
        out,
        "{} {} — {}  {} {}  {}",
        lang.pick("审计期间", "period"),
        day(r.period.from),
        day(r.period.to),
        lang.pick("截至", "as of"),
        as_of.format("%Y-%m-%d %H:%M"),
        chain
    )?;
    writeln!(
        out,
        "{} {}  {} {}",
        lang.pick("接报事件", "incidents"),
        r.incidents,
        lang.pick("读取日志", "events read"),
        r.events_read
    )?;
    match &r.slowest {
        Some(s) => writeln!(out, "{}", lang.pick(&s.zh, &s.en))?,
        None => writeln!(
            out,
            "{}",
            lang.pick(
                "本期没有可统计的环节。",
                "nothing to measure in this period."
            )
        )?,
    }
    writeln!(out)?;
    writeln!(
        out,
        "{} {} {} {} {} {} {} {} {} {}",
        pad(lang.pick("环节", "stage"), 26),
        pad(lang.pick("分组", "group"), 16),
        right("n", 5),
        right(lang.pick("未完", "open"), 5),
        right("p50", 7),
        right("p90", 7),
        right("p95", 7),
        right("max", 7),
        right(lang.pick("达标", "within"), 6),
        right(lang.pick("超时", "late"), 5),
    )?;
    let rows = r.stages.iter().map(|x| (None, x));
    let by = r.by;
    for (by, x) in rows.chain(r.groups.iter().map(|x| (by, x))) {
        row(
            out,
            x,
            &group_name(by, x.group.as_deref(), config, lang),
            lang,
        )?;
    }
    if !r.breaches.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            lang.pick("超时清单（最严重的在前）：", "breaches (the worst first):")
        )?;
        for b in r.breaches.iter().take(TABLE_BREACHES) {
            let open = if b.open {
                lang.pick(" (未完)", " (open)")
            } else {
                ""
            };
            writeln!(
                out,
                "  {} {} {} {:>7} {} {:>7}{open} {}",
                pad(&b.incident, 14),
                pad(b.stage.name(lang), 26),
                lang.pick("用时", "took"),
                secs(Some(b.duration_s)),
                lang.pick("超出", "over"),
                secs(Some(b.over_s)),
                fit(&sanitize::line(&b.officer), 16),
            )?;
        }
    }
    if let Some(more) = r
        .breaches
        .len()
        .checked_sub(TABLE_BREACHES)
        .filter(|n| *n > 0)
    {
        writeln!(
            out,
            "  {}",
            match lang {
                Lang::Zh => format!("……另有 {more} 条（完整清单：--format csv 或 json）"),
                Lang::En => format!("… and {more} more (the full list: --format csv or json)"),
            }
        )?;
    }
    let waiting: Vec<&str> = r.not_measured.iter().map(|s| s.name(lang)).collect();
    if !waiting.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}{}",
            lang.pick(
                "尚未统计（日志中尚无此类事件）：",
                "not measured yet (no such events in the log): "
            ),
            waiting.join(lang.pick("、", ", "))
        )?;
    }
    Ok(())
}

fn row(out: &mut impl Write, x: &StageRow, group: &str, lang: Lang) -> io::Result<()> {
    writeln!(
        out,
        "{} {} {:>5} {:>5} {:>7} {:>7} {:>7} {:>7} {:>6} {:>5}",
        pad(x.stage.name(lang), 26),
        pad(&sanitize::line(group), 16),
        x.count,
        x.open,
        secs(x.p50_s),
        secs(x.p90_s),
        secs(x.p95_s),
        secs(x.max_s),
        share(x.compliance),
        x.breached,
    )
}

/// One CSV row per stage total and per stage and group; UTF-8 with a BOM; text quoted by the
/// `csv` crate (commas, quotes and newlines in names survive), every cell through
/// [`crate::sanitize::csv::cell`].
pub fn csv(out: &mut impl Write, r: &AuditReport, config: &Config, lang: Lang) -> io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "stage",
        "stage_name",
        "group_by",
        "group",
        "group_name",
        "count",
        "open",
        "p50_s",
        "p90_s",
        "p95_s",
        "max_s",
        "within",
        "breached",
        "compliance",
    ])?;
    let opt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    let rows = r.stages.iter().map(|x| (None, x));
    for (by, x) in rows.chain(r.groups.iter().map(|x| (r.by, x))) {
        let group_by = by.map_or("all", GroupBy::as_str).to_string();
        let row = [
            x.stage.key().to_string(),
            x.stage.name(lang).to_string(),
            group_by,
            x.group.clone().unwrap_or_default(),
            group_name(by, x.group.as_deref(), config, lang),
            x.count.to_string(),
            x.open.to_string(),
            opt(x.p50_s),
            opt(x.p90_s),
            opt(x.p95_s),
            opt(x.max_s),
            x.within.to_string(),
            x.breached.to_string(),
            x.compliance.map(|c| format!("{c:.4}")).unwrap_or_default(),
        ];
        // Group keys and names are outside text (officers, categories from the config).
        w.write_record(
            row.iter()
                .map(|c| crate::sanitize::csv::cell(c).into_owned()),
        )?;
    }
    w.flush()
}
