//! Composing notices: who gets one and of what kind (the routing proposal, or for updates the
//! key-holder rule), fresh ids and tokens, deadlines and the chain, and the rendered text.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};
use sha2::{Digest, Sha256};

use super::desk::Desk;
use crate::domain::{
    notice::token_from, Actor, Incident, Lang, Notice, NoticeKind, QueuedNotice, ReportKind,
};
use crate::rules::keyholder::{self, StaleRecipient};
use crate::rules::routing::{self, Proposed};
use crate::rules::template::RenderCtx;
use crate::store::StoreError;

/// A planned notice set: kind, recipients with reasons, stale holders.
pub(super) struct Plan {
    pub(super) kind: NoticeKind,
    pub(super) recipients: Vec<Proposed>,
    pub(super) stale: Vec<StaleRecipient>,
}

impl Desk {
    pub(super) fn changes_for(&self, stale: &[StaleRecipient], name: Option<&str>) -> String {
        stale
            .iter()
            .find(|s| Some(s.name.as_str()) == name)
            .map(|s| s.changes_text(self.notices.lang))
            .unwrap_or_default()
    }

    /// The kind and recipients: the routing proposal for a first notice; for updates, the
    /// key-holder rule (stale holders plus whoever the new facts add), or everyone told before.
    pub(super) fn plan(
        &self,
        inc: &Incident,
        kind: Option<NoticeKind>,
        add: &[String],
        remove: &[String],
    ) -> Result<Result<Plan, String>, StoreError> {
        let notices = self.notices_of(inc.number.as_str())?;
        let stale = keyholder::stale(inc, &notices);
        let told: Vec<&Notice> = notices.iter().filter(|n| !n.q.kind.is_step()).collect();
        let default_kind = match inc.latest().kind {
            _ if !stale.is_empty() => keyholder::update_kind(inc, &stale),
            ReportKind::First if told.is_empty() => NoticeKind::First,
            ReportKind::First => NoticeKind::FollowUp,
            ReportKind::FollowUp => NoticeKind::FollowUp,
            ReportKind::Final => NoticeKind::Final,
        };
        let kind = kind.unwrap_or(default_kind);
        let read = self.verifier.reader().read(inc.latest());
        let routed = routing::propose_read(&self.config, inc.latest(), &read, self.shift_day());
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
        let follow_up = kind.is_step();
        // The level the routing went by (typed, or from the counts the words give): the
        // acknowledgement deadline and the escalation ladder follow it too.
        let facts = self.facts(inc.latest());
        let minutes = self.config.notices.ack_minutes(p.kind, facts.level);
        let deadline: Option<DateTime<FixedOffset>> =
            (!follow_up).then(|| local + chrono::Duration::minutes(i64::from(minutes)));
        let warn = i64::from(self.config.notices.warn_before_minutes);
        let warn_at = deadline
            .map(|d| d - chrono::Duration::minutes(warn))
            .filter(|w| warn > 0 && *w > local);
        let escalate_to = if follow_up {
            None
        } else {
            routing::escalation_target(&self.config, &p.name, self.shift_day(), facts.level)
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
                facts: &facts,
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
            about: Vec::new(),
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
}
