//! The desk's instruction requests (批示 · 督办): record, relay (through the notice system when
//! the instruction concerns an incident), feedback, arrangement changes (the key-holder rule:
//! everyone told the old time is told again), the supervision board, the 办结报告, and the
//! reminders and chases run on every tick.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::api::{Request, Response, TickReport};
use super::desk::Desk;
use crate::domain::instruction::{ChaseStep, RelayedTo};
use crate::domain::{Actor, Arrangement, EventBody, Instruction, NoticeKind};
use crate::rules::{routing, supervision};
use crate::store::StoreError;

/// What the officer records when a leader gives an instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructionDraft {
    /// The incident it concerns, or none (a standalone supervision item).
    #[serde(default)]
    pub incident: Option<String>,
    /// Who gave it.
    pub leader: String,
    /// When the desk received it (default: now).
    #[serde(default)]
    pub received_at: Option<DateTime<FixedOffset>>,
    /// How (phone, written, in person…).
    #[serde(default)]
    pub channel: String,
    /// The words, verbatim.
    pub text: String,
    /// Time and place of a standalone item.
    #[serde(default)]
    pub arrangement: Option<Arrangement>,
}

fn bad(m: String) -> Result<Response, StoreError> {
    Ok(Response::bad(m))
}

impl Desk {
    /// Every instruction, in id order.
    pub fn instructions(&self) -> Result<Vec<Instruction>, StoreError> {
        Ok(self.store.db().instructions("").collect::<Result<_, _>>()?)
    }

    fn acked(&self, notice: &str) -> bool {
        matches!(self.store.notice(notice), Ok(Some(n)) if n.ack.is_some())
    }

    /// The supervision board at `now`.
    pub fn supervision_board(
        &self,
        rows: &[Instruction],
        now: DateTime<Utc>,
    ) -> Vec<supervision::RecipientStatus> {
        supervision::board(rows, &|id| self.acked(id), now)
    }

    fn next_instruction_id(&self, day: chrono::NaiveDate) -> Result<String, StoreError> {
        let prefix = format!("PS-{}-", day.format("%Y%m%d"));
        let n = self.store.db().instructions(&prefix).count();
        Ok(format!("{prefix}{:02}", n + 1))
    }

    pub(super) fn handle_instruction(
        &mut self,
        actor: &Actor,
        req: Request,
    ) -> Result<Response, StoreError> {
        let (now, local) = self.now();
        match req {
            Request::RecordInstruction(d) => {
                if d.text.trim().is_empty() || d.leader.trim().is_empty() {
                    return bad(
                        "批示需要领导和原文 / an instruction needs the leader and the words".into(),
                    );
                }
                if let Some(no) = &d.incident {
                    if self.store.incident(no.trim())?.is_none() {
                        return bad(format!("没有事件 / no incident {no}"));
                    }
                }
                let id = self.next_instruction_id(local.date_naive())?;
                let body = EventBody::InstructionRecorded {
                    id: id.clone(),
                    incident: d.incident.map(|s| s.trim().to_string()),
                    leader: d.leader.trim().to_string(),
                    received_at: d.received_at.unwrap_or(local),
                    channel: if d.channel.trim().is_empty() {
                        "phone".into()
                    } else {
                        d.channel
                    },
                    text: d.text,
                    arrangement: d.arrangement,
                };
                self.instruction_done(actor, id, Vec::new(), vec![body])
            }
            Request::RelayInstruction {
                id,
                to,
                deadline_minutes,
            } => self.relay(actor, &id, &to, deadline_minutes),
            Request::RecordFeedback {
                id,
                recipient,
                form,
                feedback_kind,
                text,
                at,
            } => {
                let Some(ins) = self.store.db().instruction(id.trim())? else {
                    return bad(format!("没有批示 / no instruction {id}"));
                };
                let recipient = recipient.trim().to_string();
                match ins.recipient(&recipient) {
                    None => {
                        return bad(format!(
                        "{recipient} 不是 {id} 的承办单位 / {recipient} was not asked about {id}"
                    ))
                    }
                    Some(r) if r.final_answer().is_some() => {
                        return bad(format!(
                            "{recipient} 已办结 / {recipient} already gave the final answer"
                        ))
                    }
                    Some(_) => {}
                }
                // Feedback is the relay notice's answer too: it is not left "overdue".
                let relayed = ins
                    .recipient(&recipient)
                    .and_then(|r| r.notice_id.clone())
                    .map(|id| self.store.notice(&id))
                    .transpose()?
                    .flatten()
                    .filter(|n| n.ack.is_none() && n.closed.is_none());
                let note = format!("{}：{}", feedback_kind_label(feedback_kind), text);
                let mut bodies = vec![EventBody::InstructionFeedback {
                    id: ins.id.clone(),
                    recipient: recipient.clone(),
                    form,
                    kind: feedback_kind,
                    text,
                    at: at.unwrap_or(local),
                }];
                if let Some(n) = relayed {
                    bodies = self.answer(&n, bodies, recipient, "feedback".into(), note)?;
                }
                self.instruction_done(actor, ins.id, Vec::new(), bodies)
            }
            Request::ChangeInstruction { id, arrangement } => {
                let Some(ins) = self.store.db().instruction(id.trim())? else {
                    return bad(format!("没有批示 / no instruction {id}"));
                };
                if ins.arrangement.is_none() {
                    return bad(format!(
                        "{id} 没有时间地点安排 / {id} has no time and place to change"
                    ));
                }
                let body = EventBody::InstructionChanged {
                    id: ins.id.clone(),
                    arrangement,
                };
                self.store.append(actor, local, vec![body])?;
                // The key-holder rule: everyone told the old version, support roles included.
                let told: Vec<String> = ins.recipients.iter().map(|r| r.name.clone()).collect();
                if told.is_empty() {
                    return Ok(Response::InstructionDone {
                        id: ins.id,
                        told,
                        seqs: Vec::new(),
                    });
                }
                self.relay(actor, &ins.id, &told, None)
            }
            Request::Instructions {
                open_only,
                overdue_only,
            } => {
                let mut rows = self.instructions()?;
                if open_only {
                    rows.retain(|i| !i.complete());
                }
                let mut board = self.supervision_board(&rows, now);
                if overdue_only {
                    board.retain(|r| r.overdue);
                    rows.retain(|i| board.iter().any(|r| r.instruction == i.id));
                }
                Ok(Response::Instructions { rows, board })
            }
            Request::InstructionReport { id } => {
                let Some(ins) = self.store.db().instruction(id.trim())? else {
                    return bad(format!("没有批示 / no instruction {id}"));
                };
                let text = supervision::report_text(&ins, self.notices.lang, &actor.officer, local);
                Ok(Response::InstructionReport {
                    complete: ins.complete(),
                    id: ins.id,
                    text,
                })
            }
            other => bad(format!("not an instruction request: {other:?}")),
        }
    }

    fn instruction_done(
        &mut self,
        actor: &Actor,
        id: String,
        told: Vec<String>,
        bodies: Vec<EventBody>,
    ) -> Result<Response, StoreError> {
        let (_, local) = self.now();
        let events = self.store.append(actor, local, bodies)?;
        Ok(Response::InstructionDone {
            id,
            told,
            seqs: events.iter().map(|e| e.seq).collect(),
        })
    }

    fn relay(
        &mut self,
        actor: &Actor,
        id: &str,
        to: &[String],
        minutes: Option<u32>,
    ) -> Result<Response, StoreError> {
        let Some(ins) = self.store.db().instruction(id.trim())? else {
            return bad(format!("没有批示 / no instruction {id}"));
        };
        let names: Vec<String> = to
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if names.is_empty() {
            return bad("没有承办单位 / name at least one recipient (--to)".into());
        }
        if let Some(n) = names
            .iter()
            .find(|n| routing::resolve(&self.config, n).is_none())
        {
            return bad(format!("通讯录中没有 {n} / {n} is not in the directory"));
        }
        let (now, _) = self.now();
        let minutes = minutes.unwrap_or(self.config.instructions.feedback_minutes);
        let deadline = supervision::deadline(now, minutes, self.config.zone());
        let mut seqs = Vec::new();
        let mut notice_of = std::collections::HashMap::new();
        if let Some(no) = &ins.incident {
            let mut text = ins.text.clone();
            if let Some(a) = &ins.arrangement {
                text = format!("{text}（{}）", a.line());
            }
            let sent = self.send_notice(
                actor,
                no,
                Some(NoticeKind::Instruction),
                &names,
                Some(text),
                Some(&ins.leader),
            )?;
            match sent {
                Response::Queued { notices, seqs: s } => {
                    seqs.extend(s);
                    for q in notices {
                        notice_of.insert(q.recipient, q.id);
                    }
                }
                other => return Ok(other),
            }
        }
        let recipients = names
            .iter()
            .map(|n| RelayedTo {
                name: n.clone(),
                notice_id: notice_of.get(n).cloned(),
                deadline,
            })
            .collect();
        let body = EventBody::InstructionRelayed {
            id: ins.id.clone(),
            recipients,
        };
        match self.instruction_done(actor, ins.id, names, vec![body])? {
            Response::InstructionDone { id, told, seqs: s } => {
                seqs.extend(s);
                Ok(Response::InstructionDone { id, told, seqs })
            }
            other => Ok(other),
        }
    }

    /// Reminders before and chases after feedback deadlines (run on every tick). Each is
    /// recorded; the officer sees them among the tick's warnings.
    pub(super) fn supervise(
        &mut self,
        actor: &Actor,
        report: &mut TickReport,
    ) -> Result<(), StoreError> {
        let (now, local) = self.now();
        let cfg = self.config.instructions.clone();
        let mut bodies = Vec::new();
        for ins in self.instructions()? {
            for (name, step) in supervision::due(&ins, &cfg, now) {
                let what = match step {
                    ChaseStep::Reminded => "提醒 / remind",
                    ChaseStep::Chased => "催办 / chase",
                };
                report.warnings.push(format!("{}: {name} {what}", ins.id));
                bodies.push(EventBody::InstructionChased {
                    id: ins.id.clone(),
                    recipient: name,
                    step,
                    sent: None,
                });
            }
        }
        if !bodies.is_empty() {
            let events = self.store.append(actor, local, bodies)?;
            report.seqs.extend(events.iter().map(|e| e.seq));
        }
        Ok(())
    }
}

/// 进展 / 办结, for the acknowledgement note a feedback leaves on its relay notice.
fn feedback_kind_label(k: crate::domain::FeedbackKind) -> &'static str {
    match k {
        crate::domain::FeedbackKind::Progress => "进展反馈",
        crate::domain::FeedbackKind::Final => "办结反馈",
    }
}
