//! `dutydesk demo`: a demo data folder filled with a realistic night (templates in
//! `assets/demo.toml`), then the console on it; or, with `--incidents N --no-console`, N
//! incidents spread over months for benchmarks, written in durable batches.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset};
use serde::Deserialize;

use super::run::{ok_or_err, open_desk, unexpected, CliError, Ctx};
use crate::clock::ManualClock;
use crate::domain::{
    CallOutcome, Casualties, Channel, ChannelKind, Count, FeedbackForm, FeedbackKind, Level,
    NoticeKind, RecipientKind, ReportDraft, ReportKind, Reporter, ResolutionMethod,
    ResolutionResult,
};
use crate::service::api::QueuedRow;
use crate::service::instructions::InstructionDraft;
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

/// One thing the night's officer did (see [`fill_night`]).
#[derive(Debug)]
enum Step {
    /// File a report of the incident of template `k`.
    File(usize, Box<ReportDraft>),
    /// Report it to the leader and notify the units the routing proposes.
    Notify(usize),
    /// A phone call about a notice got through.
    Reached(QueuedRow),
    /// A notice's 回执.
    Acknowledged(QueuedRow),
    /// The flags raised so far checked by calling back.
    Check(usize),
    /// The leader's instruction (批示) on a serious incident: the leader, the units to relay
    /// it to.
    Instruct(usize, String, Vec<String>),
    /// The instruction on the incident of template `k` relayed, feedback due within the hour.
    Relay(usize, String, Vec<String>),
    /// A unit's feedback on it: progress, or final.
    Feedback(String, String, FeedbackKind),
}

/// Fills an empty demo store with the night as an office works it, through the desk, each
/// step at its own time (the desk's clock is set to it; every step is durable): the reports
/// as they came in; a few minutes after each first report, the leader told by phone and the
/// units the routing proposes notified (to the spool folder, delivered at once), their 回执
/// coming in over the next minutes to an hour; the flags of reports over an hour old checked by
/// calling back; on a serious incident (level III or above) the leader's instruction (批示)
/// relayed to two units, which report progress and then that they are done. The newest incidents'
/// notices and checks are still out, as they would be at this hour, so the console has
/// something to chase and the audit (`t`) has a night to measure.
fn fill_night(ctx: &Ctx) -> Result<usize, CliError> {
    let now_utc = ctx.clock.now();
    let templates = templates()?;
    // The desk opens before the night's first step: it never stamps an event before the log's
    // last one, so a store made at the end of the night would stamp the whole night then.
    let earliest = templates.iter().map(|t| t.minutes_ago).max().unwrap_or(0);
    let clock = ManualClock::new(now_utc - Duration::minutes(earliest + 10));
    let night = Ctx {
        clock: Arc::new(clock.clone()),
        ..ctx.clone()
    };
    let mut desk = open_desk(&night, "demo")?;
    if desk.store().db().incident_count() > 0 {
        return Ok(0);
    }
    // Notices to units go to the spool folder, delivered as they are sent.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    crate::host::attach_outbox(&night, &mut desk, rt.handle())?;
    let now = ctx.config.zone().localize(now_utc);
    let minutes = Duration::minutes;
    // The steps by time (and, at the same minute, in the order they were planned).
    let mut steps = BTreeMap::new();
    let mut planned = 0usize;
    let mut plan = |steps: &mut BTreeMap<_, _>, at: DateTime<FixedOffset>, step: Step| {
        planned += 1;
        if at <= now {
            steps.insert((at, planned), step);
        }
    };
    for (k, t) in templates.iter().enumerate() {
        let first_at = now - minutes(t.minutes_ago);
        for d in drafts(t, first_at) {
            let filed = d.received_at.unwrap_or(first_at) + minutes(2);
            plan(&mut steps, filed, Step::File(k, Box::new(d)));
        }
        plan(
            &mut steps,
            first_at + minutes(4 + k as i64 % 3),
            Step::Notify(k),
        );
    }
    let (mut numbers, mut flags) = (
        vec![None; templates.len()],
        vec![Vec::new(); templates.len()],
    );
    while let Some(((at, _), step)) = steps.pop_first() {
        clock.set(at.with_timezone(&chrono::Utc));
        let incident = |k: usize| numbers.get(k).cloned().flatten();
        let request = match step {
            Step::File(k, mut d) => {
                d.incident = incident(k);
                match ok_or_err(desk.handle(&ctx.actor, Request::AddReport { draft: *d }))? {
                    Response::Filed {
                        incident,
                        flags: raised,
                        ..
                    } => {
                        flags[k].extend(raised.into_iter().map(|f| f.id));
                        numbers[k] = Some(incident);
                        // Checked by calling back, from a quarter of an hour to an hour later;
                        // the last hour's reports not yet.
                        if now - at > minutes(60) {
                            let check = at + minutes(12 + k as i64 * 11 % 45);
                            plan(&mut steps, check, Step::Check(k));
                        }
                    }
                    r => return Err(unexpected(&r)),
                }
                continue;
            }
            Step::Notify(k) => {
                let Some(number) = incident(k) else { continue };
                let ask = Request::ProposeNotice {
                    incident: number.clone(),
                    kind: None,
                    add: Vec::new(),
                    remove: Vec::new(),
                    instruction: None,
                };
                let proposal = match ok_or_err(desk.handle(&ctx.actor, ask))? {
                    Response::Proposal(p) => p,
                    r => return Err(unexpected(&r)),
                };
                let send = Request::SendNotice {
                    incident: number,
                    kind: Some(proposal.notice_kind),
                    recipients: proposal.recipients.iter().map(|r| r.name.clone()).collect(),
                    instruction: None,
                };
                let queued = match ok_or_err(desk.handle(&ctx.actor, send))? {
                    Response::Queued { notices, .. } => notices,
                    r => return Err(unexpected(&r)),
                };
                let ids: Vec<String> = queued.iter().map(|q| q.id.clone()).collect();
                desk.wait_for(&ctx.actor, &ids, std::time::Duration::from_secs(10))?;
                // On a serious incident (level III or above) the leader instructs the units.
                let units: Vec<String> = proposal
                    .recipients
                    .iter()
                    .filter(|r| r.kind == RecipientKind::Department)
                    .take(2)
                    .map(|r| r.name.clone())
                    .collect();
                let leader = proposal
                    .recipients
                    .iter()
                    .find(|r| r.kind == RecipientKind::Leader);
                let serious = templates[k].level.as_deref().and_then(Level::parse);
                if let (Some(leader), Some(Level::I | Level::II | Level::III)) = (leader, serious) {
                    let step = Step::Instruct(k, leader.name.clone(), units);
                    plan(&mut steps, at + minutes(8), step);
                }
                // The leader answers the phone at once and confirms within minutes; the units
                // take from ten minutes to most of an hour.
                for (j, row) in queued.into_iter().enumerate() {
                    let leader = proposal
                        .recipients
                        .iter()
                        .any(|r| r.name == row.recipient && r.kind == RecipientKind::Leader);
                    let j64 = j as i64;
                    let (call, ack) = if leader {
                        (2, 5 + (k as i64 % 4) * 2)
                    } else {
                        (3 + j64, 10 + (k as i64 * 7 + j64 * 5) % 50)
                    };
                    if row.channel == ChannelKind::Phone {
                        plan(&mut steps, at + minutes(call), Step::Reached(row.clone()));
                    }
                    plan(&mut steps, at + minutes(ack), Step::Acknowledged(row));
                }
                continue;
            }
            Step::Instruct(k, leader, units) => {
                let Some(number) = incident(k) else { continue };
                let text = format!(
                    "请{}立即组织力量全力处置，确保群众生命安全，每半小时报告一次进展。",
                    units.join("、")
                );
                let draft = InstructionDraft {
                    incident: Some(number),
                    leader,
                    received_at: None,
                    channel: "phone".into(),
                    text,
                    arrangement: None,
                };
                let record = Request::RecordInstruction(Box::new(draft));
                let id = match ok_or_err(desk.handle(&ctx.actor, record))? {
                    Response::InstructionDone { id, .. } => id,
                    r => return Err(unexpected(&r)),
                };
                plan(&mut steps, at + minutes(3), Step::Relay(k, id, units));
                continue;
            }
            Step::Relay(k, id, units) => {
                let relay = Request::RelayInstruction {
                    id: id.clone(),
                    to: units.clone(),
                    deadline_minutes: Some(60),
                };
                ok_or_err(desk.handle(&ctx.actor, relay))?;
                // The relay's notices go out through the spool and are signed for.
                let pending = Request::Notices {
                    incident: incident(k),
                    pending_only: true,
                };
                let rows = match ok_or_err(desk.handle(&ctx.actor, pending))? {
                    Response::Notices { rows } => rows,
                    r => return Err(unexpected(&r)),
                };
                let relayed: Vec<QueuedRow> = rows
                    .into_iter()
                    .filter(|n| n.q.kind == NoticeKind::Instruction && n.ack.is_none())
                    .map(|n| QueuedRow {
                        id: n.q.id,
                        token: n.q.token,
                        recipient: n.q.recipient,
                        channel: n.q.channel,
                    })
                    .collect();
                let ids: Vec<String> = relayed.iter().map(|q| q.id.clone()).collect();
                desk.wait_for(&ctx.actor, &ids, std::time::Duration::from_secs(10))?;
                for (j, row) in relayed.into_iter().enumerate() {
                    plan(
                        &mut steps,
                        at + minutes(4 + j as i64),
                        Step::Acknowledged(row),
                    );
                }
                for (j, unit) in units.into_iter().enumerate() {
                    let j = j as i64;
                    let progress = Step::Feedback(id.clone(), unit.clone(), FeedbackKind::Progress);
                    plan(&mut steps, at + minutes(25 + 5 * j), progress);
                    let done = Step::Feedback(id.clone(), unit, FeedbackKind::Final);
                    plan(&mut steps, at + minutes(50 + 20 * j), done);
                }
                continue;
            }
            Step::Feedback(id, recipient, kind) => Request::RecordFeedback {
                id,
                recipient,
                form: FeedbackForm::Phone,
                feedback_kind: kind,
                text: match kind {
                    FeedbackKind::Progress => "已到场处置，正在组织救援。".into(),
                    FeedbackKind::Final => "处置完毕，现场已恢复正常。".into(),
                },
                at: None,
            },
            Step::Reached(row) => Request::RecordCall {
                notice: row.id,
                outcome: CallOutcome::Reached,
                note: String::new(),
            },
            Step::Acknowledged(row) => Request::Acknowledge {
                token: row.token,
                by: None,
                via: "phone".into(),
                note: String::new(),
            },
            Step::Check(k) => {
                let Some(number) = incident(k) else { continue };
                for flag in std::mem::take(&mut flags[k]) {
                    let check = Request::ResolveFlag {
                        incident: number.clone(),
                        flag,
                        method: ResolutionMethod::CallBack,
                        result: ResolutionResult::Confirmed,
                        note: String::new(),
                    };
                    ok_or_err(desk.handle(&ctx.actor, check))?;
                }
                continue;
            }
        };
        ok_or_err(desk.handle(&ctx.actor, request))?;
    }
    Ok(numbers.iter().flatten().count())
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

/// The file that marks a data folder as the demo's own: the demo writes nowhere else.
pub const DEMO_MARK: &str = "DEMO";

/// Refuses a folder that holds a record the demo did not make (a real desk's journal named by
/// `DUTYDESK_DATA` or `--data-dir`, say): fabricated incidents never enter a real log. An empty
/// or new folder is marked as the demo's own.
fn claim(dir: &std::path::Path) -> Result<(), CliError> {
    let mark = dir.join(DEMO_MARK);
    let journal = dir.join(crate::store::JOURNAL);
    let has_record = std::fs::metadata(&journal).is_ok_and(|m| m.len() > 0)
        || dir.join(crate::store::DB_DIR).exists();
    if mark.exists() {
        return Ok(());
    }
    if has_record {
        return Err(CliError::BadInput(format!(
            "{} 存有非演示的值班记录，演示不会写入；请用 --data-dir 指定一个新的目录 / {} holds a \
             record the demo did not make: the demo writes only to a new folder or one of its \
             own (give --data-dir a new folder)",
            dir.display(),
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        &mark,
        "dutydesk demo data: fabricated incidents, not a duty record / 演示数据，非值班记录\n",
    )?;
    Ok(())
}

/// Runs `dutydesk demo`: fills the demo folder; the context of the console to open on it,
/// unless `no_console`.
pub fn run(
    cli_ctx: &Ctx,
    incidents: Option<usize>,
    no_console: bool,
    out: &mut impl Write,
) -> Result<Option<Ctx>, CliError> {
    let mut ctx = Ctx {
        data_dir: cli_ctx.data_dir.clone(),
        ..cli_ctx.clone()
    };
    // The demo night is recorded by the officer of the shift that is on (the one sign-in
    // offers), not by the OS account (unless an officer was named with --officer or
    // DUTYDESK_OFFICER).
    if ctx.actor.officer.is_empty() {
        let local = ctx.config.zone().localize(ctx.clock.now()).naive_local();
        let shift = ctx.config.shift_day(local);
        if let Some(name) = ctx.config.officers_on_duty(shift).into_iter().next() {
            ctx.actor.officer = name;
        }
    }
    claim(&ctx.data_dir)?;
    match incidents {
        Some(n) => generate(&ctx, n, out)?,
        None => {
            let n = fill_night(&ctx)?;
            if n > 0 {
                writeln!(out, "demo: {n} incidents in {}", ctx.data_dir.display())?;
            }
        }
    }
    Ok((!no_console).then_some(ctx))
}
