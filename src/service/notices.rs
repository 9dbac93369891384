//! The desk's notice requests: propose, send (queue, then hand to the outbox), acknowledge,
//! record a call, list. Queuing is an event before any attempt; results come back from
//! [`crate::delivery`] as values and become events in [`super::outbox`].

use std::collections::HashSet;

use super::api::{NoticeProposal, QueuedRow, Request, Response};
use super::desk::Desk;
use crate::config::Config;
use crate::domain::{
    notice::normalise_token, Actor, CallOutcome, CloseReason, EventBody, Incident, Lang, Notice,
    NoticeKind,
};
use crate::rules::escalation;
use crate::rules::keyholder::{self, StaleRecipient};
use crate::rules::routing::{self, Proposed};
use crate::rules::template::{RenderCtx, Templates};
use crate::store::{Store, StoreError};

/// The desk's notice state: templates, and the outbox when one is attached.
#[derive(Debug)]
pub struct NoticeDesk {
    pub(super) templates: Templates,
    pub(super) lang: Lang,
    pub(super) outbox: Option<super::outbox::Outbox>,
}

impl NoticeDesk {
    /// Loads the templates (built-in, then the configured override file).
    pub fn new(config: &Config, store: &Store) -> NoticeDesk {
        let path = config.notices.templates.trim();
        let text = (!path.is_empty()).then(|| std::fs::read_to_string(path));
        let templates = match text {
            None => Templates::load(None),
            Some(Ok(t)) => Templates::load(Some(&t)).map_err(|e| format!("{path}: {e}")),
            Some(Err(e)) => Err(format!("{path}: {e}")),
        };
        let templates = templates.unwrap_or_else(|e| {
            tracing::error!("notice templates: {e}; using the built-in ones");
            Templates::load(None).unwrap_or_default()
        });
        let _ = store;
        NoticeDesk {
            templates,
            lang: Lang::from_locale(&config.notices.lang).unwrap_or(Lang::Zh),
            outbox: None,
        }
    }
}

fn bad(m: String) -> Result<Response, StoreError> {
    Ok(Response::bad(m))
}

impl Desk {
    /// Notices of one incident, in id order.
    pub fn notices_of(&self, incident: &str) -> Result<Vec<Notice>, StoreError> {
        let prefix = format!("{incident}/");
        Ok(self.store.db().notices(&prefix).collect::<Result<_, _>>()?)
    }

    /// Recipients holding an older version of the key facts.
    pub fn stale_of(&self, inc: &Incident) -> Result<Vec<StaleRecipient>, StoreError> {
        Ok(keyholder::stale(
            inc,
            &self.notices_of(inc.number.as_str())?,
        ))
    }

    /// The shift running now: the clock's, or a later one an accepted handover has started.
    pub(super) fn shift_day(&self) -> chrono::NaiveDate {
        let (_, local) = self.now();
        let by_clock = self.config.shift_day(local.naive_local());
        self.started.map_or(by_clock, |s| s.max(by_clock))
    }

    pub(super) fn handle_notice(
        &mut self,
        actor: &Actor,
        req: Request,
    ) -> Result<Response, StoreError> {
        match req {
            Request::ProposeNotice {
                incident,
                kind,
                add,
                remove,
                instruction,
            } => {
                let Some(inc) = self.store.incident(incident.trim())? else {
                    return bad(format!("没有事件 / no incident {incident}"));
                };
                let plan = match self.plan(&inc, kind, &add, &remove)? {
                    Ok(p) => p,
                    Err(m) => return bad(m),
                };
                let (_, local) = self.now();
                let first = plan.recipients.first().map(|p| p.name.clone());
                let changes = self.changes_for(&plan.stale, first.as_deref());
                let rendered = self.notices.templates.render(
                    &self.config,
                    &inc,
                    &RenderCtx {
                        kind: plan.kind,
                        lang: self.notices.lang,
                        recipient: first.as_deref().unwrap_or(""),
                        token: "____-____",
                        deadline: None,
                        now: local,
                        officer: &actor.officer,
                        instruction: instruction.as_deref().unwrap_or(""),
                        changes: &changes,
                        escalated_from: "",
                        facts: &self.facts(inc.latest()),
                    },
                );
                Ok(Response::Proposal(Box::new(NoticeProposal {
                    incident: inc.number.0.clone(),
                    notice_kind: plan.kind,
                    version: inc.latest().seq_in_incident,
                    recipients: plan.recipients,
                    stale: plan.stale,
                    subject: rendered.subject,
                    text: rendered.text,
                })))
            }
            Request::SendNotice {
                incident,
                kind,
                recipients,
                instruction,
            } => self.send_notice(actor, &incident, kind, &recipients, instruction, None),
            Request::Notices {
                incident,
                pending_only,
            } => {
                let prefix = incident
                    .map(|i| format!("{}/", i.trim()))
                    .unwrap_or_default();
                let mut rows = Vec::new();
                // Every pending notice: from the live-notice index, not a scan of all.
                let all_pending = pending_only && prefix.is_empty();
                let source: Box<dyn Iterator<Item = _>> = if all_pending {
                    Box::new(self.store.db().live_notices())
                } else {
                    Box::new(self.store.db().notices(&prefix))
                };
                for n in source {
                    let n = n?;
                    if !pending_only || n.is_open() {
                        rows.push(n);
                    }
                }
                if pending_only {
                    escalation::sort_by_lateness(&mut rows);
                }
                Ok(Response::Notices { rows })
            }
            Request::Acknowledge {
                token,
                by,
                via,
                note,
            } => self.acknowledge(actor, &token, by, via, note),
            Request::RecordCall {
                notice,
                outcome,
                note,
            } => self.record_call(actor, notice.trim(), outcome, note),
            Request::Tick => Ok(Response::Ticked(self.tick(actor)?)),
            other => bad(format!("not a notice request: {other:?}")),
        }
    }

    fn record_bodies(
        &mut self,
        actor: &Actor,
        bodies: Vec<EventBody>,
    ) -> Result<Response, StoreError> {
        let (_, local) = self.now();
        let events = self.store.append(actor, local, bodies)?;
        Ok(Response::Recorded {
            seqs: events.iter().map(|e| e.seq).collect(),
        })
    }

    /// Queues and sends. An instruction's text goes out attributed to the leader who gave it
    /// (`leader`: the relay names them; a bare instruction notice says "领导批示").
    pub(super) fn send_notice(
        &mut self,
        actor: &Actor,
        incident: &str,
        kind: Option<NoticeKind>,
        names: &[String],
        instruction: Option<String>,
        leader: Option<&str>,
    ) -> Result<Response, StoreError> {
        let Some(inc) = self.store.incident(incident.trim())? else {
            return bad(format!("没有事件 / no incident {incident}"));
        };
        if names.is_empty() {
            return bad("没有收件人 / no recipients: name at least one".into());
        }
        let plan = match self.plan(&inc, kind, &[], &[])? {
            Ok(p) => p,
            Err(m) => return bad(m),
        };
        if plan.kind == NoticeKind::Instruction && instruction.as_deref().unwrap_or("").is_empty() {
            return bad(
                "批示传达需要批示内容 / an instruction notice needs the instruction text".into(),
            );
        }
        let attributed = match (&instruction, plan.kind) {
            (Some(text), NoticeKind::Instruction) => {
                crate::rules::supervision::attributed(&self.config, leader, text, self.notices.lang)
            }
            (Some(text), _) => text.clone(),
            (None, _) => String::new(),
        };
        let first_no = self.next_notice_no(inc.number.as_str())?;
        let mut taken = HashSet::new();
        let mut queued = Vec::new();
        for (no, name) in (first_no..).zip(names.iter()) {
            let name = name.trim();
            let p = match plan.recipients.iter().find(|p| p.name == name) {
                Some(p) => p.clone(),
                None => match routing::resolve(&self.config, name) {
                    Some((kind, contact)) => Proposed {
                        name: name.to_string(),
                        kind,
                        contact,
                        why_zh: String::new(),
                        why_en: String::new(),
                    },
                    None => {
                        return bad(format!(
                            "通讯录中没有 {name} / {name} is not in the directory"
                        ))
                    }
                },
            };
            let id = format!("{}/N{no:03}", inc.number);
            let token = self.new_token(&id, &taken)?;
            taken.insert(token.clone());
            let changes = self.changes_for(&plan.stale, Some(name));
            let extra = (attributed.as_str(), changes.as_str(), "");
            queued.push(self.build_notice(actor, &inc, plan.kind, &p, id, token, extra, None));
        }
        let rows: Vec<QueuedRow> = queued
            .iter()
            .map(|q| QueuedRow {
                id: q.id.clone(),
                token: q.token.clone(),
                recipient: q.recipient.clone(),
                channel: q.channel,
            })
            .collect();
        let before = self.notices_of(inc.number.as_str())?;
        let replaced = escalation::superseded(&before, &queued);
        let mut closures: Vec<EventBody> = replaced
            .iter()
            .map(|(old, new)| EventBody::NoticeClosed {
                notice: old.clone(),
                reason: CloseReason::Superseded { by: new.clone() },
            })
            .collect();
        let olds: Vec<&str> = replaced.iter().map(|(old, _)| old.as_str()).collect();
        closures.extend(settle(&before, &olds));
        let bodies = queued
            .into_iter()
            .map(|q| EventBody::NoticeQueued {
                notice: Box::new(q),
            })
            .chain(closures)
            .collect();
        let (_, local) = self.now();
        let mut seqs: Vec<u64> = self
            .store
            .append(actor, local, bodies)?
            .iter()
            .map(|e| e.seq)
            .collect();
        seqs.extend(self.dispatch_pending(actor)?.1);
        Ok(Response::Queued {
            notices: rows,
            seqs,
        })
    }

    fn acknowledge(
        &mut self,
        actor: &Actor,
        token: &str,
        by: Option<String>,
        via: String,
        note: String,
    ) -> Result<Response, StoreError> {
        let token = normalise_token(token);
        let Some(id) = self.store.db().token(&token)? else {
            return bad(format!("没有回执码 {token} / no notice has token {token}"));
        };
        let Some(n) = self.store.notice(&id)? else {
            return bad(format!("没有通知 / no notice {id}"));
        };
        if let Some(a) = &n.ack {
            return bad(format!(
                "{id} 已于 {} 由 {} 回执 / already acknowledged by {} at {}",
                a.at.format("%m-%d %H:%M"),
                a.by,
                a.by,
                a.at.to_rfc3339()
            ));
        }
        if let Some((at, reason)) = &n.closed {
            let (zh, en) = match reason {
                CloseReason::Superseded { by } => (
                    format!("已由新通知 {by} 取代，请回执该通知"),
                    format!("it was superseded by {by}: acknowledge that one"),
                ),
                CloseReason::Settled { by } => (
                    format!("所催办的通知 {by} 已了结"),
                    format!("the notice it chased, {by}, was settled"),
                ),
            };
            return bad(format!(
                "{id} 已于 {} 结束：{zh} / {id} ended at {}: {en}",
                at.format("%m-%d %H:%M"),
                at.to_rfc3339()
            ));
        }
        let by = by
            .filter(|b| !b.trim().is_empty())
            .unwrap_or(n.q.recipient.clone());
        let via = if via.trim().is_empty() {
            "desk".to_string()
        } else {
            via
        };
        let bodies = self.answer(&n, Vec::new(), by, via, note)?;
        self.record_bodies(actor, bodies)
    }

    /// A call about a notice. Reaching the recipient ends every step of its life: it leaves the
    /// pending list, its reminders and escalations are settled, and their 回执 may still be
    /// recorded (the audit measures it apart). Any notice may be phoned about, whatever channel
    /// it went by; a phone notice is delivered by the call. A call about a notice already
    /// answered or ended is only recorded.
    fn record_call(
        &mut self,
        actor: &Actor,
        id: &str,
        outcome: CallOutcome,
        note: String,
    ) -> Result<Response, StoreError> {
        let Some(n) = self.store.notice(id)? else {
            return bad(format!("没有通知 / no notice {id}"));
        };
        let called = EventBody::NoticeCalled {
            notice: n.q.id.clone(),
            outcome,
            note: note.clone(),
        };
        // A call about a notice already answered or ended is recorded as what it was.
        if outcome != CallOutcome::Reached || n.is_ended() {
            return self.record_bodies(actor, vec![called]);
        }
        let notices = self.notices_of(&n.q.incident)?;
        let mut bodies = vec![called];
        bodies.extend(settle(&notices, &[n.q.id.as_str()]));
        self.record_bodies(actor, bodies)
    }

    /// The events of an answer to `n` after `first`: its acknowledgement; a reminder's answer
    /// is its parent's too (the same person answering the same matter); then every reminder
    /// or escalation left with nothing to chase is settled. An escalation's answer is its own:
    /// the units it chases still owe theirs.
    pub(super) fn answer(
        &self,
        n: &Notice,
        mut bodies: Vec<EventBody>,
        by: String,
        via: String,
        note: String,
    ) -> Result<Vec<EventBody>, StoreError> {
        let id = n.q.id.clone();
        bodies.push(EventBody::NoticeAcknowledged {
            notice: id.clone(),
            token: n.q.token.clone(),
            by: by.clone(),
            via: via.clone(),
            note: note.clone(),
            through: None,
        });
        let mut ended = vec![id.clone()];
        if n.q.kind == NoticeKind::Reminder {
            if let Some(parent) = n.q.parent.as_deref() {
                if let Some(p) = self
                    .store
                    .notice(parent)?
                    .filter(|p| p.ack.is_none() && p.closed.is_none())
                {
                    ended.push(p.q.id.clone());
                    bodies.push(EventBody::NoticeAcknowledged {
                        notice: p.q.id,
                        token: p.q.token,
                        by,
                        via,
                        note,
                        through: Some(id),
                    });
                }
            }
        }
        let notices = self.notices_of(&n.q.incident)?;
        let ended: Vec<&str> = ended.iter().map(String::as_str).collect();
        bodies.extend(settle(&notices, &ended));
        Ok(bodies)
    }
}

/// `NoticeClosed` events for the steps that the notices in `ended` leave with nothing to chase.
pub(super) fn settle(notices: &[Notice], ended: &[&str]) -> Vec<EventBody> {
    escalation::settled(notices, ended)
        .into_iter()
        .map(|(step, by)| EventBody::NoticeClosed {
            notice: step,
            reason: CloseReason::Settled { by },
        })
        .collect()
}
