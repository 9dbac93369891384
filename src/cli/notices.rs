//! `dutydesk notify`, `notices`, `ack` and `call`: through the running console's socket when
//! there is one, else on the store directly, delivering in-process and waiting for results.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::host::attach_outbox;

use super::notice_format as nf;
use super::run::{ask, ok_or_err, open_desk, parse_enum, unexpected, CliError, Ctx};
use super::{Command, ListFormat};
use crate::domain::{CallOutcome, Notice, NoticeKind, NoticeState};
use crate::service::socket::call_socket;
use crate::service::{Request, Response};

fn kind(s: &Option<String>) -> Result<Option<NoticeKind>, CliError> {
    s.as_deref()
        .map(|k| {
            NoticeKind::parse(k).ok_or_else(|| {
                CliError::BadInput(format!(
                    "--kind {k:?}: use first, follow_up, final, correction or instruction"
                ))
            })
        })
        .transpose()
}

/// Runs one of the notice commands.
pub fn run(ctx: &Ctx, command: &Command, out: &mut impl Write) -> Result<(), CliError> {
    let lang = ctx.lang;
    match command {
        Command::Notify {
            number,
            kind: k,
            to,
            add,
            remove,
            instruction,
            send,
            wait,
        } => {
            let kind = kind(k)?;
            let req = Request::ProposeNotice {
                incident: number.clone(),
                kind,
                add: add.clone(),
                remove: remove.clone(),
                instruction: instruction.clone(),
            };
            let proposal = match ok_or_err(ask(ctx, req)?)? {
                Response::Proposal(p) => p,
                r => return Err(unexpected(&r)),
            };
            nf::proposal_text(out, &proposal, lang)?;
            if !send {
                writeln!(
                    out,
                    "{}",
                    lang.pick("（预览；加 --send 发送）", "(preview; add --send to send)")
                )?;
                return Ok(());
            }
            let recipients: Vec<String> = if to.is_empty() {
                proposal.recipients.iter().map(|p| p.name.clone()).collect()
            } else {
                to.clone()
            };
            let req = Request::SendNotice {
                incident: number.clone(),
                kind: Some(proposal.notice_kind),
                recipients,
                instruction: instruction.clone(),
            };
            let results = send_and_wait(ctx, req, Duration::from_secs(*wait))?;
            for n in &results {
                nf::outcome_line(out, n, lang)?;
            }
            let failed: Vec<&str> = results
                .iter()
                .filter(|n| n.state == NoticeState::Failed)
                .map(|n| n.q.id.as_str())
                .collect();
            if !failed.is_empty() {
                return Err(CliError::Failure(format!(
                    "{} 条通知发送失败 / {} notice(s) failed: {}",
                    failed.len(),
                    failed.len(),
                    failed.join(", ")
                )));
            }
        }
        Command::Notices {
            number,
            pending,
            format,
        } => {
            let req = Request::Notices {
                incident: number.clone(),
                pending_only: *pending,
            };
            match ok_or_err(ask(ctx, req)?)? {
                Response::Notices { rows } => match format {
                    ListFormat::Json => {
                        crate::sanitize::json::to_writer_pretty(&mut *out, &rows)?;
                        writeln!(out)?;
                    }
                    ListFormat::Table => nf::notices_table(out, &rows, lang)?,
                },
                r => return Err(unexpected(&r)),
            }
        }
        Command::Ack {
            token,
            by,
            via,
            note,
        } => {
            let req = Request::Acknowledge {
                token: token.clone(),
                by: by.clone(),
                via: via.clone(),
                note: note.clone(),
            };
            match ok_or_err(ask(ctx, req)?)? {
                Response::Recorded { seqs } => writeln!(
                    out,
                    "{} #{}",
                    lang.pick("回执已记录", "acknowledgement recorded"),
                    seqs.first().copied().unwrap_or(0)
                )?,
                r => return Err(unexpected(&r)),
            }
        }
        Command::Call {
            notice,
            outcome,
            note,
        } => {
            let outcome: CallOutcome =
                parse_enum("outcome", outcome, "reached, no_answer, busy, wrong_number")?;
            let req = Request::RecordCall {
                notice: notice.clone(),
                outcome,
                note: note.clone(),
            };
            match ok_or_err(ask(ctx, req)?)? {
                Response::Recorded { seqs } => writeln!(
                    out,
                    "{} #{}",
                    lang.pick("已记录", "recorded"),
                    seqs.first().copied().unwrap_or(0)
                )?,
                r => return Err(unexpected(&r)),
            }
        }
        _ => {}
    }
    Ok(())
}

/// Sends through the console if one runs (then polls its notices), else delivers in-process.
fn send_and_wait(ctx: &Ctx, req: Request, wait: Duration) -> Result<Vec<Notice>, CliError> {
    if let Some(r) = call_socket(&ctx.data_dir, &ctx.actor, &req)? {
        let ids = queued_ids(ok_or_err(r)?)?;
        let until = Instant::now() + wait;
        loop {
            let mut rows = Vec::new();
            for id in &ids {
                let incident = Notice::incident_of(id).to_string();
                let list = Request::Notices {
                    incident: Some(incident),
                    pending_only: false,
                };
                if let Some(Response::Notices { rows: all }) =
                    call_socket(&ctx.data_dir, &ctx.actor, &list)?
                {
                    rows.extend(all.into_iter().filter(|n| n.q.id == *id));
                }
            }
            if rows.iter().all(|n| !n.state.pending()) || Instant::now() >= until {
                return Ok(rows);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut desk = open_desk(ctx, "cli")?;
    attach_outbox(ctx, &mut desk, rt.handle())?;
    let ids = queued_ids(ok_or_err(desk.handle(&ctx.actor, req))?)?;
    let rows = desk.wait_for(&ctx.actor, &ids, wait)?;
    Ok(rows)
}

fn queued_ids(r: Response) -> Result<Vec<String>, CliError> {
    match r {
        Response::Queued { notices, .. } => Ok(notices.into_iter().map(|n| n.id).collect()),
        r => Err(unexpected(&r)),
    }
}
