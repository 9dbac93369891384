//! The notice stages of the audit, from Notice… events: received → leader reported, → leader
//! acknowledged, → every department and region notified, and each notice sent → acknowledged.
//! "Reported" and "notified" mean delivered (or, for a phone notice, the call reached them);
//! reminders and escalations (notices with a parent) do not count as the first report.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use super::event::AuditBody;
use super::intervals::{Interval, Stage};
use crate::clock::elapsed;
use crate::domain::{CallOutcome, RecipientKind};

type At = DateTime<FixedOffset>;

#[derive(Debug)]
struct Sent {
    kind: RecipientKind,
    queued: At,
    deadline: Option<At>,
    delivered: Option<At>,
    acked: Option<At>,
    /// A reminder or escalation of another notice.
    follow_on: bool,
}

/// What one incident's notices tell the audit.
#[derive(Debug, Default)]
pub(super) struct NoticeClock {
    sent: HashMap<String, Sent>,
}

fn earliest(a: Option<At>, b: At) -> Option<At> {
    Some(a.map_or(b, |a| a.min(b)))
}

impl NoticeClock {
    /// Takes a notice event (the caller has routed it to this incident).
    pub(super) fn push(&mut self, at: At, body: &AuditBody<'_>) {
        match body {
            AuditBody::NoticeQueued {
                id,
                recipient_kind,
                deadline,
                follow_on,
                ..
            } => {
                self.sent.insert(
                    (*id).to_string(),
                    Sent {
                        kind: *recipient_kind,
                        queued: at,
                        deadline: *deadline,
                        delivered: None,
                        acked: None,
                        follow_on: *follow_on,
                    },
                );
            }
            AuditBody::NoticeDelivered { notice }
            | AuditBody::NoticeCalled {
                notice,
                outcome: CallOutcome::Reached,
            } => {
                if let Some(s) = self.sent.get_mut(*notice) {
                    s.delivered = earliest(s.delivered, at);
                }
            }
            AuditBody::NoticeAcknowledged { notice } => {
                if let Some(s) = self.sent.get_mut(*notice) {
                    s.acked = earliest(s.acked, at);
                }
            }
            _ => {}
        }
    }

    /// The notice intervals of an incident received at `received`; `base` carries the
    /// incident's descriptive fields, `phone` the level's phone limit.
    pub(super) fn intervals(
        &self,
        base: &Interval,
        phone: Option<Duration>,
        now: At,
    ) -> Vec<Interval> {
        let received = base.start;
        let mk = |stage: Stage, start: At, end: Option<At>, limit: Option<Duration>| Interval {
            stage,
            start,
            end,
            limit,
            duration: elapsed(&start, &end.unwrap_or(now)),
            ..base.clone()
        };
        let firsts: Vec<&Sent> = self.sent.values().filter(|s| !s.follow_on).collect();
        let leaders: Vec<&&Sent> = firsts
            .iter()
            .filter(|s| s.kind == RecipientKind::Leader)
            .collect();
        let mut out = Vec::new();
        // Every incident is to be reported to the leader: never reported stays open.
        let reported = leaders.iter().filter_map(|s| s.delivered).min();
        out.push(mk(
            Stage::ReceivedToLeaderReported,
            received,
            reported,
            phone,
        ));
        if reported.is_some() {
            let acked = leaders.iter().filter_map(|s| s.acked).min();
            out.push(mk(
                Stage::ReceivedToLeaderAcknowledged,
                received,
                acked,
                phone,
            ));
        }
        let units: Vec<&&Sent> = firsts
            .iter()
            .filter(|s| matches!(s.kind, RecipientKind::Department | RecipientKind::Region))
            .collect();
        if !units.is_empty() {
            let all = units
                .iter()
                .map(|s| s.delivered)
                .collect::<Option<Vec<At>>>()
                .and_then(|v| v.into_iter().max());
            out.push(mk(Stage::ReceivedToAllNotified, received, all, phone));
        }
        let mut each: Vec<&Sent> = firsts.clone();
        each.sort_by_key(|s| s.queued);
        for s in each {
            let limit = s.deadline.map(|d| elapsed(&s.queued, &d));
            out.push(mk(
                Stage::NoticeSentToAcknowledged,
                s.queued,
                s.acked,
                limit,
            ));
        }
        out
    }
}
