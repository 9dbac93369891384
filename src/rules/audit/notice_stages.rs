//! The notice stages of the audit, from Notice… events: received → leader reported, → leader
//! acknowledged, → every department and region notified, and each notice sent → acknowledged.
//! "Reported" and "notified" mean delivered (or, for a phone notice, the call reached them);
//! reminders and escalations (notices with a parent) do not count as the first report. Every
//! unit notified is each unit's first delivery, the last of them: what a unit is sent later (a
//! follow-up, a relayed instruction) does not move it.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use super::event::AuditBody;
use super::intervals::{Interval, Stage};
use crate::clock::elapsed;
use crate::domain::{CallOutcome, RecipientKind};

type At = DateTime<FixedOffset>;

#[derive(Debug)]
struct Sent {
    /// Who ([`super::event::name_hash`] of the name).
    recipient: u64,
    kind: RecipientKind,
    queued: At,
    deadline: Option<At>,
    delivered: Option<At>,
    acked: Option<At>,
    /// A reminder or escalation of another notice.
    follow_on: bool,
}

/// What one incident's notices tell the audit, in the order they were queued (the fold keeps
/// which notice id is which slot).
#[derive(Debug, Default)]
pub(super) struct NoticeClock {
    sent: Vec<Sent>,
}

fn earliest(a: Option<At>, b: At) -> Option<At> {
    Some(a.map_or(b, |a| a.min(b)))
}

impl NoticeClock {
    /// Takes a `notice_queued` event: into `slot` when the notice was queued before (queued
    /// again, it starts afresh), else into a new slot. Returns the slot.
    pub(super) fn queue(&mut self, slot: Option<usize>, at: At, body: &AuditBody<&str>) -> usize {
        let AuditBody::NoticeQueued {
            recipient,
            recipient_kind,
            deadline,
            follow_on,
            ..
        } = body
        else {
            return slot.unwrap_or(usize::MAX);
        };
        let sent = Sent {
            recipient: *recipient,
            kind: *recipient_kind,
            queued: at,
            deadline: *deadline,
            delivered: None,
            acked: None,
            follow_on: *follow_on,
        };
        match slot.and_then(|k| self.sent.get_mut(k).map(|s| (k, s))) {
            Some((k, s)) => {
                *s = sent;
                k
            }
            None => {
                self.sent.push(sent);
                self.sent.len() - 1
            }
        }
    }

    /// Takes a later event of the notice in `slot`.
    pub(super) fn push(&mut self, slot: usize, at: At, body: &AuditBody<&str>) {
        let Some(s) = self.sent.get_mut(slot) else {
            return;
        };
        match body {
            AuditBody::NoticeDelivered { .. }
            | AuditBody::NoticeCalled {
                outcome: CallOutcome::Reached,
                ..
            } => s.delivered = earliest(s.delivered, at),
            AuditBody::NoticeAcknowledged { .. } => s.acked = earliest(s.acked, at),
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
        out: &mut Vec<Interval>,
    ) {
        let received = base.start;
        let mk = |stage: Stage, start: At, end: Option<At>, limit: Option<Duration>| Interval {
            stage,
            start,
            end,
            limit,
            duration: elapsed(&start, &end.unwrap_or(now)),
            ..base.clone()
        };
        let firsts = || self.sent.iter().filter(|s| !s.follow_on);
        let leaders = || firsts().filter(|s| s.kind == RecipientKind::Leader);
        // Every incident is to be reported to the leader: never reported stays open.
        let reported = leaders().filter_map(|s| s.delivered).min();
        out.push(mk(
            Stage::ReceivedToLeaderReported,
            received,
            reported,
            phone,
        ));
        if reported.is_some() {
            let acked = leaders().filter_map(|s| s.acked).min();
            out.push(mk(
                Stage::ReceivedToLeaderAcknowledged,
                received,
                acked,
                phone,
            ));
        }
        // Every unit (department or region) notified: each unit's first delivery, the last of
        // them. What a unit is sent later (a follow-up, a relayed instruction) does not move
        // it; a unit first told later does.
        let mut units: Vec<(u64, Option<At>)> = Vec::new();
        for s in
            firsts().filter(|s| matches!(s.kind, RecipientKind::Department | RecipientKind::Region))
        {
            match units.iter_mut().find(|(who, _)| *who == s.recipient) {
                Some((_, first)) => {
                    if let Some(d) = s.delivered {
                        *first = earliest(*first, d);
                    }
                }
                None => units.push((s.recipient, s.delivered)),
            }
        }
        if !units.is_empty() {
            let all = units.iter().try_fold(None, |last: Option<At>, (_, first)| {
                first.map(|d| Some(last.map_or(d, |l| l.max(d))))
            });
            out.push(mk(
                Stage::ReceivedToAllNotified,
                received,
                all.flatten(),
                phone,
            ));
        }
        let mut each = |s: &Sent| {
            let limit = s.deadline.map(|d| elapsed(&s.queued, &d));
            out.push(mk(
                Stage::NoticeSentToAcknowledged,
                s.queued,
                s.acked,
                limit,
            ));
        };
        // In order of queueing: notices are queued in log order, so nearly always already
        // (sorted only when not, saving a list per incident).
        if firsts()
            .zip(firsts().skip(1))
            .all(|(a, b)| a.queued <= b.queued)
        {
            firsts().for_each(each);
        } else {
            let mut sorted: Vec<&Sent> = firsts().collect();
            sorted.sort_by_key(|s| s.queued);
            sorted.into_iter().for_each(&mut each);
        }
    }
}
