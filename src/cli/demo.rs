//! `dutydesk demo`: a demo data folder filled with a realistic night (templates in
//! `assets/demo.toml`), then the console on it; or, with `--incidents N --no-console`, N
//! incidents spread over months for benchmarks, written in durable batches.

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Duration, FixedOffset};
use serde::Deserialize;

use super::run::{open_desk, CliError, Ctx};
use crate::domain::{Casualties, Channel, Count, Level, ReportDraft, ReportKind, Reporter};
use crate::service::{Request, Response};

/// The final report of a generated incident whose template has none.
const SETTLED: &str = "现场处置完毕，已恢复正常，无新增人员伤亡。";

/// The built-in demo night.
pub const DEMO_TOML: &str = include_str!("../../assets/demo.toml");

#[derive(Debug, Deserialize)]
struct Night {
    incident: Vec<Template>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Template {
    minutes_ago: i64,
    category: String,
    #[serde(default)]
    level: Option<String>,
    location: String,
    reporter: Reporter,
    summary: String,
    #[serde(default)]
    dead: Option<toml::Value>,
    #[serde(default)]
    injured: Option<toml::Value>,
    #[serde(default)]
    missing: Option<toml::Value>,
    #[serde(default)]
    trapped: Option<toml::Value>,
    #[serde(default)]
    measures: Option<String>,
    #[serde(default)]
    requests: Option<String>,
    #[serde(default)]
    already_told: Option<String>,
    #[serde(default)]
    follow_ups: Vec<String>,
    #[serde(default, rename = "final")]
    final_report: Option<String>,
}

fn count(v: &Option<toml::Value>) -> Count {
    match v {
        None => Count::NotStated,
        Some(toml::Value::Integer(n)) => Count::Known(u32::try_from(*n).unwrap_or(0)),
        Some(_) => Count::Unknown,
    }
}

fn templates() -> Result<Vec<Template>, CliError> {
    toml::from_str::<Night>(DEMO_TOML)
        .map(|n| n.incident)
        .map_err(|e| CliError::Failure(format!("assets/demo.toml: {e}")))
}

/// The reports of one incident from a template: first, follow-ups ten minutes apart, final.
fn drafts(t: &Template, first_at: DateTime<FixedOffset>) -> Vec<ReportDraft> {
    let cas = Casualties {
        dead: count(&t.dead),
        injured: count(&t.injured),
        missing: count(&t.missing),
        trapped: count(&t.trapped),
    };
    let first = ReportDraft {
        kind: ReportKind::First,
        received_at: Some(first_at),
        channel: Some(Channel::Phone),
        reporter: Some(t.reporter.clone()),
        location: Some(t.location.clone()),
        category: Some(t.category.clone()),
        level: t.level.as_deref().and_then(Level::parse),
        casualties: cas.any_stated().then_some(cas),
        summary: t.summary.clone(),
        measures: t.measures.clone(),
        requests: t.requests.clone(),
        already_told: t.already_told.clone(),
        ..ReportDraft::default()
    };
    let mut out = vec![first.clone()];
    let steps = t
        .follow_ups
        .iter()
        .map(|s| (ReportKind::FollowUp, s))
        .chain(t.final_report.iter().map(|s| (ReportKind::Final, s)));
    for (i, (kind, summary)) in steps.enumerate() {
        let mut d = first.clone();
        d.kind = kind;
        d.summary = summary.clone();
        d.received_at = Some(first_at + Duration::minutes(12 * (i as i64 + 1)));
        out.push(d);
    }
    out
}

/// The demo data folder: `--data-dir`, else `<XDG data>/dutydesk-demo`.
pub fn demo_dir(explicit: Option<&std::path::Path>) -> PathBuf {
    explicit.map(PathBuf::from).unwrap_or_else(|| {
        directories::ProjectDirs::from("", "", "dutydesk-demo")
            .map(|d| d.data_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from(".dutydesk-demo"))
    })
}

/// Fills an empty demo store with the night, one durable report at a time (through the desk).
fn fill_night(ctx: &Ctx) -> Result<usize, CliError> {
    let mut desk = open_desk(ctx, "demo")?;
    if desk.store().db().incident_count() > 0 {
        return Ok(0);
    }
    let now = ctx.config.zone().localize(ctx.clock.now());
    let mut n = 0;
    for t in templates()? {
        let mut number = None;
        for mut d in drafts(&t, now - Duration::minutes(t.minutes_ago)) {
            if d.received_at.is_some_and(|r| r > now) {
                break;
            }
            d.incident = number.clone();
            match desk.handle(&ctx.actor, Request::AddReport { draft: d }) {
                Response::Filed { incident, .. } => number = Some(incident),
                Response::Error { message, .. } => return Err(CliError::Failure(message)),
                _ => {}
            }
        }
        n += 1;
    }
    Ok(n)
}

/// Generates `total` incidents over the last 180 days in batches of one fdatasync each.
fn generate(ctx: &Ctx, total: usize, out: &mut impl Write) -> Result<(), CliError> {
    const BATCH: usize = 5000;
    let mut desk = open_desk(ctx, "demo-generate")?;
    let tpl = templates()?;
    let now = ctx.config.zone().localize(ctx.clock.now());
    let span = Duration::days(180).num_seconds();
    let started = std::time::Instant::now();
    let mut done = 0;
    while done < total {
        let n = BATCH.min(total - done);
        // Incidents older than three days are settled, as in a real office: a final report
        // filed and every flag checked; the last days stay as they came in.
        let batch: Vec<(Vec<ReportDraft>, bool)> = (done..done + n)
            .map(|i| {
                let t = &tpl[i % tpl.len()];
                let back = span - span * i as i64 / total.max(1) as i64;
                let first_at = now - Duration::seconds(back);
                let mut reports = drafts(t, first_at);
                // The newest incidents are still unfolding: nothing later than now.
                reports.retain(|d| d.received_at.is_none_or(|r| r <= now));
                let settle = back > Duration::days(3).num_seconds();
                let unfinished = settle && t.final_report.is_none();
                if let Some(mut last) = reports.last().cloned().filter(|_| unfinished) {
                    last.kind = ReportKind::Final;
                    last.summary = SETTLED.to_string();
                    last.received_at = last.received_at.map(|r| r + Duration::hours(2));
                    reports.push(last);
                }
                (reports, settle)
            })
            .collect();
        desk.file_generated_batch(&ctx.actor, batch)
            .map_err(|e| CliError::Failure(e.to_string()))?;
        done += n;
        writeln!(
            out,
            "{done}/{total} incidents ({:.1} s)",
            started.elapsed().as_secs_f64()
        )?;
        out.flush()?;
    }
    Ok(())
}

/// Runs `dutydesk demo`.
pub fn run(
    cli_ctx: &Ctx,
    incidents: Option<usize>,
    no_console: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let mut ctx = Ctx {
        data_dir: cli_ctx.data_dir.clone(),
        ..cli_ctx.clone()
    };
    // The demo night is recorded by the officer on duty, not by the OS account (unless an
    // officer was named with --officer or DUTYDESK_OFFICER).
    if ctx.actor.officer == ctx.actor.os_user {
        let today = ctx.config.zone().localize(ctx.clock.now()).date_naive();
        if let Some(name) = ctx.config.officers_on_duty(today).into_iter().next() {
            ctx.actor.officer = name;
        }
    }
    match incidents {
        Some(n) => generate(&ctx, n, out)?,
        None => {
            let n = fill_night(&ctx)?;
            if n > 0 {
                writeln!(out, "demo: {n} incidents in {}", ctx.data_dir.display())?;
            }
        }
    }
    if no_console {
        return Ok(());
    }
    crate::tui::run::run(&ctx)
}
