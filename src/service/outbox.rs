//! The durable outbox on the desk side: pending notices are handed to the [`Dispatcher`] (a
//! `NoticeAttempted` event first), delivery results become events (never twice for a delivered
//! notice), and due escalations become reminders and escalation notices. After a crash the
//! first tick resumes every notice queued or sent but not finished: at least once, same token.

use std::collections::HashSet;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use super::api::TickReport;
use super::desk::Desk;
use crate::delivery::{DeliveryResult, Dispatcher, Job, Outcome};
use crate::domain::{Actor, ChannelKind, EscalationStep, EventBody, Notice, NoticeKind};
use crate::rules::escalation::{self, Action};
use crate::rules::routing::{self, Proposed};
use crate::store::StoreError;

/// The dispatcher, its results, and which notices it is working on.
#[derive(Debug)]
pub struct Outbox {
    dispatcher: Dispatcher,
    results: Receiver<DeliveryResult>,
    in_flight: HashSet<String>,
}

impl Desk {
    /// Attaches a dispatcher: from now on notices are sent, results recorded, pending resumed.
    pub fn attach_outbox(&mut self, dispatcher: Dispatcher, results: Receiver<DeliveryResult>) {
        self.notices.outbox = Some(Outbox {
            dispatcher,
            results,
            in_flight: HashSet::new(),
        });
    }

    /// True when a dispatcher is attached.
    pub fn has_outbox(&self) -> bool {
        self.notices.outbox.is_some()
    }

    /// The notices not yet acknowledged or still owed a send (the live-notice index), and the
    /// parents of those that have one (a reminder ends with its parent's acknowledgement).
    fn live_notices(&self) -> Result<Vec<Notice>, StoreError> {
        let mut live: Vec<Notice> = self.store.db().live_notices().collect::<Result<_, _>>()?;
        let ids: HashSet<String> = live.iter().map(|n| n.q.id.clone()).collect();
        let parents: HashSet<String> = live
            .iter()
            .filter_map(|n| n.q.parent.clone())
            .filter(|p| !ids.contains(p))
            .collect();
        for p in parents {
            if let Some(n) = self.store.notice(&p)? {
                live.push(n);
            }
        }
        live.sort_by(|a, b| a.q.id.cmp(&b.q.id));
        Ok(live)
    }

    /// Hands every pending notice not already in flight to its channel. Returns how many, and
    /// the events written.
    pub(super) fn dispatch_pending(
        &mut self,
        actor: &Actor,
    ) -> Result<(u32, Vec<u64>), StoreError> {
        let Some(outbox) = &self.notices.outbox else {
            return Ok((0, Vec::new()));
        };
        let pending: Vec<Notice> = self
            .live_notices()?
            .into_iter()
            .filter(|n| n.state.pending() && n.q.channel != ChannelKind::Phone)
            .filter(|n| !outbox.in_flight.contains(&n.q.id))
            .collect();
        if pending.is_empty() {
            return Ok((0, Vec::new()));
        }
        let bodies = pending
            .iter()
            .map(|n| EventBody::NoticeAttempted {
                notice: n.q.id.clone(),
                dispatch: n.dispatches + 1,
            })
            .collect();
        let (_, local) = self.now();
        let seqs = self.store.append(actor, local, bodies)?;
        let Some(outbox) = &mut self.notices.outbox else {
            return Ok((0, Vec::new()));
        };
        for n in &pending {
            outbox.in_flight.insert(n.q.id.clone());
            outbox.dispatcher.dispatch(Job {
                notice: n.q.clone(),
                dispatch: n.dispatches + 1,
            });
        }
        Ok((pending.len() as u32, seqs.iter().map(|e| e.seq).collect()))
    }

    /// Records results as events, in one append; a result for a notice already delivered is
    /// dropped (never recorded twice).
    fn record_results(
        &mut self,
        actor: &Actor,
        results: Vec<DeliveryResult>,
    ) -> Result<Vec<u64>, StoreError> {
        let mut bodies = Vec::new();
        let mut delivered_now = HashSet::new();
        for r in results {
            if r.is_final() {
                if let Some(o) = &mut self.notices.outbox {
                    o.in_flight.remove(&r.notice);
                }
            }
            let Some(n) = self.store.notice(&r.notice)? else {
                continue;
            };
            if n.is_delivered() || delivered_now.contains(&r.notice) {
                tracing::info!("duplicate result for delivered notice {} dropped", r.notice);
                continue;
            }
            bodies.push(match r.outcome {
                Outcome::Delivered { detail } => {
                    delivered_now.insert(r.notice.clone());
                    EventBody::NoticeDelivered {
                        notice: r.notice,
                        attempt: r.attempt,
                        detail,
                    }
                }
                Outcome::Failed { error, retrying } => EventBody::NoticeFailed {
                    notice: r.notice,
                    attempt: r.attempt,
                    error,
                    retrying,
                },
            });
        }
        if bodies.is_empty() {
            return Ok(Vec::new());
        }
        let (_, local) = self.now();
        Ok(self
            .store
            .append(actor, local, bodies)?
            .iter()
            .map(|e| e.seq)
            .collect())
    }

    fn drain(&mut self) -> Vec<DeliveryResult> {
        match &self.notices.outbox {
            Some(o) => o.results.try_iter().collect(),
            None => Vec::new(),
        }
    }

    /// Records results, runs due escalations, resumes pending notices.
    pub fn tick(&mut self, actor: &Actor) -> Result<TickReport, StoreError> {
        let mut report = TickReport::default();
        let results = self.drain();
        report.results = results.len() as u32;
        report.seqs.extend(self.record_results(actor, results)?);
        self.escalate(actor, &mut report)?;
        let (n, seqs) = self.dispatch_pending(actor)?;
        report.dispatched = n;
        report.seqs.extend(seqs);
        Ok(report)
    }

    /// Waits (blocking) until none of `ids` is pending or in flight, or `timeout` passes,
    /// recording results as they come. For the CLI without a console.
    pub fn wait_for(
        &mut self,
        actor: &Actor,
        ids: &[String],
        timeout: Duration,
    ) -> Result<Vec<Notice>, StoreError> {
        let until = Instant::now() + timeout;
        loop {
            let busy = match &self.notices.outbox {
                Some(o) => ids.iter().any(|i| o.in_flight.contains(i)),
                None => false,
            };
            let left = until.saturating_duration_since(Instant::now());
            if !busy || left.is_zero() {
                break;
            }
            let first = match &self.notices.outbox {
                Some(o) => o.results.recv_timeout(left).ok(),
                None => None,
            };
            let mut batch: Vec<DeliveryResult> = first.into_iter().collect();
            batch.extend(self.drain());
            self.record_results(actor, batch)?;
        }
        let mut out = Vec::new();
        for id in ids {
            if let Some(n) = self.store.notice(id)? {
                out.push(n);
            }
        }
        Ok(out)
    }

    fn escalate(&mut self, actor: &Actor, report: &mut TickReport) -> Result<(), StoreError> {
        let notices = self.live_notices()?;
        let (_, local) = self.now();
        let actions = escalation::due(&notices, local);
        if actions.is_empty() {
            return Ok(());
        }
        let mut bodies = Vec::new();
        let mut taken = HashSet::new();
        let mut next_no: std::collections::HashMap<String, u32> = Default::default();
        for a in actions {
            let Some(n) = notices.iter().find(|n| n.q.id == a.notice()) else {
                continue;
            };
            if let Action::Warn { .. } = a {
                report.warnings.push(format!(
                    "{}: {} {}",
                    n.q.id,
                    n.q.recipient,
                    n.q.deadline
                        .map(|d| d.format("%H:%M").to_string())
                        .unwrap_or_default()
                ));
                bodies.push(EventBody::NoticeEscalated {
                    notice: n.q.id.clone(),
                    step: EscalationStep::Warned,
                    to: None,
                    sent: None,
                });
                continue;
            }
            let Some(inc) = self.store.incident(&n.q.incident)? else {
                continue;
            };
            // Who is chased: the recipient itself, or (督办) everyone on the list.
            let (kind, step, p, chased) = match &a {
                Action::Escalate {
                    to, notices: ids, ..
                } => {
                    let Some((k, contact)) = routing::resolve(&self.config, to) else {
                        continue;
                    };
                    let p = Proposed {
                        name: to.clone(),
                        kind: k,
                        contact,
                        why_zh: String::new(),
                        why_en: String::new(),
                    };
                    let chased: Vec<&Notice> = ids
                        .iter()
                        .filter_map(|id| notices.iter().find(|n| n.q.id == *id))
                        .collect();
                    (NoticeKind::Escalation, EscalationStep::Escalated, p, chased)
                }
                _ => {
                    let p = Proposed {
                        name: n.q.recipient.clone(),
                        kind: n.q.recipient_kind,
                        contact: crate::config::Contact {
                            channel: n.q.channel,
                            to: n.q.to.clone().unwrap_or_default(),
                            target: n.q.endpoint.clone().unwrap_or_default(),
                        },
                        why_zh: String::new(),
                        why_en: String::new(),
                    };
                    (NoticeKind::Reminder, EscalationStep::Reminded, p, vec![n])
                }
            };
            let no = match next_no.get(&n.q.incident) {
                Some(no) => *no,
                None => self.next_notice_no(&n.q.incident)?,
            };
            next_no.insert(n.q.incident.clone(), no + 1);
            let id = format!("{}/N{no:03}", n.q.incident);
            let token = self.new_token(&id, &taken)?;
            taken.insert(token.clone());
            let mut names: Vec<&str> = chased.iter().map(|c| c.q.recipient.as_str()).collect();
            names.dedup();
            let names = names.join(self.notices.lang.pick("、", ", "));
            let extra = ("", "", names.as_str());
            let mut q = self.build_notice(
                actor,
                &inc,
                kind,
                &p,
                id.clone(),
                token,
                extra,
                Some(n.q.id.clone()),
            );
            if kind == NoticeKind::Escalation {
                q.about = chased.iter().map(|c| c.q.id.clone()).collect();
            }
            report.followed_up.push(id.clone());
            bodies.push(EventBody::NoticeQueued {
                notice: Box::new(q),
            });
            for c in chased {
                bodies.push(EventBody::NoticeEscalated {
                    notice: c.q.id.clone(),
                    step,
                    to: Some(p.name.clone()),
                    sent: Some(id.clone()),
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
