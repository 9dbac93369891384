//! `dutydesk instructions`, `instruction add|relay|change|report` and `feedback`: leaders'
//! instructions (批示) and their supervision (督办), through the running console's socket when
//! there is one (`run::ask`), else on the store directly.

use std::io::Write;

use chrono::DateTime;
use clap::Subcommand;

use super::run::{ask, ok_or_err, parse_enum, unexpected, CliError, Ctx};
use super::ListFormat;
use crate::domain::{Arrangement, Lang};
use crate::rules::supervision::{countdown, RecipientStatus};
use crate::service::instructions::InstructionDraft;
use crate::service::{Request, Response};

/// `dutydesk instruction …`
#[derive(Debug, Subcommand)]
pub enum InstructionCommand {
    /// Record a leader's instruction, verbatim. 记录批示
    Add {
        /// Who gave it.
        #[arg(long)]
        leader: String,
        /// The words, verbatim.
        #[arg(long)]
        text: String,
        /// The incident it concerns (none: a standalone supervision item).
        #[arg(long)]
        incident: Option<String>,
        /// How it came: phone, written, in_person…
        #[arg(long, default_value = "phone")]
        channel: String,
        /// When it was received (RFC 3339; default now).
        #[arg(long)]
        received: Option<String>,
        /// Time of a standalone item (a meeting).
        #[arg(long, requires = "place")]
        time: Option<String>,
        /// Place of a standalone item.
        #[arg(long, requires = "time")]
        place: Option<String>,
    },
    /// Relay an instruction (批示传达) with a feedback deadline. 传达
    Relay {
        /// The instruction id, e.g. PS-20261123-01.
        id: String,
        /// Recipients from the directory.
        #[arg(long, num_args = 1.., required = true)]
        to: Vec<String>,
        /// Feedback due in this many minutes (default from [instructions]).
        #[arg(long)]
        deadline: Option<u32>,
    },
    /// Change a standalone item's time and place; everyone told is told again. 变更
    Change {
        /// The instruction id.
        id: String,
        /// The new time.
        #[arg(long)]
        time: String,
        /// The new place.
        #[arg(long)]
        place: String,
    },
    /// Print the 办结报告 for the leader, pre-filled from the feedback. 办结报告
    Report {
        /// The instruction id.
        id: String,
    },
}

/// Prints the supervision board.
pub fn list(
    ctx: &Ctx,
    open: bool,
    overdue: bool,
    format: ListFormat,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let req = Request::Instructions {
        open_only: open || overdue,
        overdue_only: overdue,
    };
    match ok_or_err(ask(ctx, req)?)? {
        Response::Instructions { rows, board } => match format {
            ListFormat::Json => {
                let v = serde_json::json!({ "instructions": rows, "recipients": board });
                crate::sanitize::json::to_writer_pretty(&mut *out, &v)?;
                writeln!(out)?;
            }
            ListFormat::Table => table(out, &board, ctx.lang)?,
        },
        r => return Err(unexpected(&r)),
    }
    Ok(())
}

/// One line per recipient, soonest deadline first.
pub fn table(out: &mut impl Write, rows: &[RecipientStatus], lang: Lang) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "{}", lang.pick("没有待办批示", "no open instructions"));
    }
    for r in rows {
        let mark = if r.overdue {
            lang.pick("超时", "OVERDUE")
        } else if r.stale {
            lang.pick("待重通知", "STALE")
        } else {
            ""
        };
        writeln!(
            out,
            "{:<16} {:<16} {:<14} {:<12} {} {:>7} {mark}",
            crate::sanitize::line(&r.instruction),
            crate::sanitize::line(r.incident.as_deref().unwrap_or("-")),
            crate::sanitize::line(&r.name),
            r.stage.label(lang),
            r.deadline.format("%m-%d %H:%M"),
            countdown(r.remaining_secs),
        )?;
    }
    Ok(())
}

fn done(r: Response, out: &mut impl Write) -> Result<(), CliError> {
    match ok_or_err(r)? {
        Response::InstructionDone { id, told, .. } => {
            writeln!(out, "{}", crate::sanitize::line(&id))?;
            for t in told {
                writeln!(out, "  → {}", crate::sanitize::line(&t))?;
            }
            Ok(())
        }
        r => Err(unexpected(&r)),
    }
}

/// Runs `dutydesk instruction …`.
pub fn run(ctx: &Ctx, cmd: &InstructionCommand, out: &mut impl Write) -> Result<(), CliError> {
    match cmd {
        InstructionCommand::Add {
            leader,
            text,
            incident,
            channel,
            received,
            time,
            place,
        } => {
            let received_at = received
                .as_deref()
                .map(|s| {
                    DateTime::parse_from_rfc3339(s.trim()).map_err(|e| {
                        CliError::BadInput(format!("--received {s:?}: {e} (use RFC 3339)"))
                    })
                })
                .transpose()?;
            let arrangement = match (time, place) {
                (Some(t), Some(p)) => Some(Arrangement {
                    time: t.clone(),
                    place: p.clone(),
                }),
                _ => None,
            };
            let draft = InstructionDraft {
                incident: incident.clone(),
                leader: leader.clone(),
                received_at,
                channel: channel.clone(),
                text: text.clone(),
                arrangement,
            };
            done(ask(ctx, Request::RecordInstruction(Box::new(draft)))?, out)
        }
        InstructionCommand::Relay { id, to, deadline } => {
            let req = Request::RelayInstruction {
                id: id.clone(),
                to: to.clone(),
                deadline_minutes: *deadline,
            };
            done(ask(ctx, req)?, out)
        }
        InstructionCommand::Change { id, time, place } => {
            let req = Request::ChangeInstruction {
                id: id.clone(),
                arrangement: Arrangement {
                    time: time.clone(),
                    place: place.clone(),
                },
            };
            done(ask(ctx, req)?, out)
        }
        InstructionCommand::Report { id } => {
            match ok_or_err(ask(ctx, Request::InstructionReport { id: id.clone() })?)? {
                Response::InstructionReport { text, .. } => {
                    write!(out, "{}", crate::sanitize::text(&text))?
                }
                r => return Err(unexpected(&r)),
            }
            Ok(())
        }
    }
}

/// Runs `dutydesk feedback ID --from NAME --form … --kind … --text …`.
pub fn feedback(
    ctx: &Ctx,
    id: &str,
    from: &str,
    form: &str,
    kind: &str,
    text: &str,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let req = Request::RecordFeedback {
        id: id.to_string(),
        recipient: from.to_string(),
        form: parse_enum("form", form, "phone, written")?,
        feedback_kind: parse_enum("kind", kind, "progress, final")?,
        text: text.to_string(),
        at: None,
    };
    done(ask(ctx, req)?, out)
}
