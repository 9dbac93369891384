//! The desk's notice requests: propose, send (queue, then hand to the outbox), acknowledge,
//! record a call, list. Queuing is an event before any attempt; results come back from
//! [`crate::delivery`] as values and become events in [`super::outbox`].

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};
use sha2::{Digest, Sha256};

use super::api::{NoticeProposal, QueuedRow, Request, Response};
use super::desk::Desk;
use crate::config::Config;
use crate::domain::{
    notice::{normalise_token, token_from},
    Actor, ChannelKind, EventBody, Incident, Lang, Notice, NoticeKind, QueuedNotice, ReportKind,
};
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

/// A planned notice set: kind, recipients with reasons, stale holders.
struct Plan {
    kind: NoticeKind,
    recipients: Vec<Proposed>,
    stale: Vec<StaleRecipient>,
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

    pub(super) fn shift_day(&self) -> chrono::NaiveDate {
        let (_, local) = self.now();
        self.config.shift_day(local.naive_local())
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
            } => self.send_notice(actor, &incident, kind, &recipients, instruction),
            Request::Notices {
                incident,
                pending_only,
            } => {
                let prefix = incident
                    .map(|i| format!("{}/", i.trim()))
                    .unwrap_or_default();
                let mut rows = Vec::new();
                for n in self.store.db().notices(&prefix) {
                    let n = n?;
                    if !pending_only || n.ack.is_none() {
                        rows.push(n);
                    }
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
            } => {
                let Some(n) = self.store.notice(notice.trim())? else {
                    return bad(format!("没有通知 / no notice {notice}"));
                };
                if n.q.channel != ChannelKind::Phone {
                    return bad(format!(
                        "{notice} 不是电话通知 / {notice} is not a phone notice"
                    ));
                }
                if n.is_delivered() {
                    return bad(format!("{notice} 已通知到 / {notice} was already reached"));
                }
                self.record_bodies(
                    actor,
                    vec![EventBody::NoticeCalled {
                        notice: n.q.id,
                        outcome,
                        note,
                    }],
                )
            }
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

    fn changes_for(&self, stale: &[StaleRecipient], name: Option<&str>) -> String {
        stale
            .iter()
            .find(|s| Some(s.name.as_str()) == name)
            .map(|s| s.changes_text(self.notices.lang))
            .unwrap_or_default()
    }

    /// The kind and recipients: the routing proposal for a first notice; for updates, the
    /// key-holder rule (stale holders plus whoever the new facts add), or everyone told before.
    fn plan(
        &self,
        inc: &Incident,
        kind: Option<NoticeKind>,
        add: &[String],
        remove: &[String],
    ) -> Result<Result<Plan, String>, StoreError> {
        let notices = self.notices_of(inc.number.as_str())?;
        let stale = keyholder::stale(inc, &notices);
        let told: Vec<&Notice> = notices
            .iter()
            .filter(|n| !matches!(n.q.kind, NoticeKind::Reminder | NoticeKind::Escalation))
            .collect();
        let default_kind = match inc.latest().kind {
            _ if !stale.is_empty() => keyholder::update_kind(inc, &stale),
            ReportKind::First if told.is_empty() => NoticeKind::First,
            ReportKind::First => NoticeKind::FollowUp,
            ReportKind::FollowUp => NoticeKind::FollowUp,
            ReportKind::Final => NoticeKind::Final,
        };
        let kind = kind.unwrap_or(default_kind);
        let routed = routing::propose(&self.config, inc.latest(), self.shift_day());
        let holders = keyholder::current_holders(inc, &notices);
        let mut recipients: Vec<Proposed> = Vec::new();
        let lang = self.notices.lang;
        if kind == NoticeKind::First || told.is_empty() {
            recipients = routed;
        } else {
            for s in &stale {
                if let Some((k, contact)) = routing::resolve(&self.config, &s.name) {
                    recipients.push(Proposed {
                        name: s.name.clone(),
                        kind: k,
                        contact,
                        why_zh: format!(
                            "持有旧版本（报告{}）：{}",
                            s.holds,
                            s.changes_text(Lang::Zh)
                        ),
                        why_en: format!("holds report {}: {}", s.holds, s.changes_text(Lang::En)),
                    });
                }
            }
            if stale.is_empty() {
                for n in &told {
                    if recipients.iter().any(|p| p.name == n.q.recipient) {
                        continue;
                    }
                    if let Some((k, contact)) = routing::resolve(&self.config, &n.q.recipient) {
                        recipients.push(Proposed {
                            name: n.q.recipient.clone(),
                            kind: k,
                            contact,
                            why_zh: "此前已通报".into(),
                            why_en: "told before".into(),
                        });
                    }
                }
            }
            for p in routed {
                if !holders.contains(&p.name) && !recipients.iter().any(|r| r.name == p.name) {
                    let mut p = p;
                    p.why_zh = format!("新情况涉及：{}", p.why_zh);
                    p.why_en = format!("the new facts add: {}", p.why_en);
                    recipients.push(p);
                }
            }
        }
        let _ = lang;
        recipients.retain(|p| !remove.iter().any(|r| r.trim() == p.name));
        for name in add {
            let name = name.trim();
            if recipients.iter().any(|p| p.name == name) {
                continue;
            }
            let Some((k, contact)) = routing::resolve(&self.config, name) else {
                return Ok(Err(format!(
                    "通讯录中没有 {name} / {name} is not in the directory ([[people]] or [[units]])"
                )));
            };
            recipients.push(Proposed {
                name: name.to_string(),
                kind: k,
                contact,
                why_zh: "值班员添加".into(),
                why_en: "added by the officer".into(),
            });
        }
        Ok(Ok(Plan {
            kind,
            recipients,
            stale,
        }))
    }

    /// A fresh token, unused so far (nor in `taken`).
    pub(super) fn new_token(
        &self,
        id: &str,
        taken: &HashSet<String>,
    ) -> Result<String, StoreError> {
        let (now, _) = self.now();
        for salt in 0u32.. {
            let mut h = Sha256::new();
            h.update(self.store.head().hash.as_bytes());
            h.update(id.as_bytes());
            h.update(now.timestamp_nanos_opt().unwrap_or(0).to_be_bytes());
            h.update(std::process::id().to_be_bytes());
            h.update(salt.to_be_bytes());
            let t = token_from(&h.finalize());
            if !taken.contains(&t) && self.store.db().token(&t)?.is_none() {
                return Ok(t);
            }
        }
        Err(StoreError::Rejected("no free token".into()))
    }

    /// Builds the queued notice for one recipient (id and token fresh).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn build_notice(
        &self,
        actor: &Actor,
        inc: &Incident,
        kind: NoticeKind,
        p: &Proposed,
        id: String,
        token: String,
        extra: (&str, &str, &str),
        parent: Option<String>,
    ) -> QueuedNotice {
        let (_, local) = self.now();
        let (instruction, changes, escalated_from) = extra;
        let follow_up = matches!(kind, NoticeKind::Reminder | NoticeKind::Escalation);
        let minutes = self.config.notices.ack_minutes(p.kind, inc.latest().level);
        let deadline: Option<DateTime<FixedOffset>> =
            (!follow_up).then(|| local + chrono::Duration::minutes(i64::from(minutes)));
        let warn = i64::from(self.config.notices.warn_before_minutes);
        let warn_at = deadline
            .map(|d| d - chrono::Duration::minutes(warn))
            .filter(|w| warn > 0 && *w > local);
        let escalate_to = if follow_up {
            None
        } else {
            routing::escalation_target(&self.config, &p.name, self.shift_day())
        };
        let r = self.notices.templates.render(
            &self.config,
            inc,
            &RenderCtx {
                kind,
                lang: self.notices.lang,
                recipient: &p.name,
                token: &token,
                deadline,
                now: local,
                officer: &actor.officer,
                instruction,
                changes,
                escalated_from,
            },
        );
        let c = &p.contact;
        QueuedNotice {
            id,
            token,
            incident: inc.number.0.clone(),
            kind,
            version: inc.latest().seq_in_incident,
            recipient: p.name.clone(),
            recipient_kind: p.kind,
            channel: c.channel,
            endpoint: (!c.target.is_empty()).then(|| c.target.clone()),
            to: (!c.to.is_empty()).then(|| c.to.clone()),
            subject: r.subject,
            text: r.text,
            deadline,
            warn_at,
            escalate_to,
            parent,
        }
    }

    /// The next free notice number of an incident.
    pub(super) fn next_notice_no(&self, incident: &str) -> Result<u32, StoreError> {
        let prefix = format!("{incident}/");
        let mut max = 0;
        for n in self.store.db().notices(&prefix) {
            let n = n?;
            let no = n.q.id.rsplit("/N").next().and_then(|s| s.parse().ok());
            max = max.max(no.unwrap_or(0));
        }
        Ok(max + 1)
    }

    fn send_notice(
        &mut self,
        actor: &Actor,
        incident: &str,
        kind: Option<NoticeKind>,
        names: &[String],
        instruction: Option<String>,
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
            let extra = (instruction.as_deref().unwrap_or(""), changes.as_str(), "");
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
        let bodies = queued
            .into_iter()
            .map(|q| EventBody::NoticeQueued {
                notice: Box::new(q),
            })
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
        let by = by
            .filter(|b| !b.trim().is_empty())
            .unwrap_or(n.q.recipient.clone());
        let via = if via.trim().is_empty() {
            "desk".to_string()
        } else {
            via
        };
        let mut bodies = vec![EventBody::NoticeAcknowledged {
            notice: id.clone(),
            token: token.clone(),
            by: by.clone(),
            via: via.clone(),
            note: note.clone(),
            through: None,
        }];
        if let Some(parent) = n.q.parent.as_deref() {
            if let Some(p) = self.store.notice(parent)?.filter(|p| p.ack.is_none()) {
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
        self.record_bodies(actor, bodies)
    }
}
