//! Answering `Request::Audit`: one pass over the event lines of the database, each parsed, fed
//! to the pure audit fold and, from the period's first incident on, checked against the hash
//! chain. Memory grows with incidents, not events. The numbers come from
//! [`crate::rules::audit`]; this module only reads.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};

use crate::config::Config;
use crate::domain::{Event, EventBody, ReportKind};
use crate::rules::audit::{self, AuditReport, GroupBy, IntervalFold, Period, Source};
use crate::store::{ChainCheck, Store, StoreError};

/// Audits the store's log for `period` as of `now`.
///
/// `chain_verified` is true when every event from the period's first incident report to the
/// last event of a period incident hashes correctly and links to the one before, and no line of
/// the log failed to parse (a line that cannot be read could belong to any period), and the
/// journal's tail verified when the store opened. The lines checked are the database's copies;
/// `dutydesk verify` checks the whole journal.
pub fn run(
    store: &Store,
    config: &Config,
    now: DateTime<FixedOffset>,
    period: Period,
    by: Option<GroupBy>,
) -> Result<AuditReport, StoreError> {
    let mut fold = IntervalFold::new(config);
    let mut in_period: HashSet<String> = HashSet::new();
    let mut chain: Option<ChainCheck> = None;
    let mut first_break: Option<u64> = None;
    let mut last_in_period = 0u64;
    let mut unreadable = false;
    let mut events_read = 0u64;
    for r in store.db().event_lines_from(1) {
        let (seq, line) = r?;
        events_read += 1;
        let event: Option<Event> = serde_json::from_str(&line).ok();
        unreadable |= event.is_none();
        if let Some(e) = &event {
            if let EventBody::ReportFiled { incident, report } = &e.body {
                let first = report.kind == ReportKind::First;
                if first && period.contains(fold.shift_of(&report.received_at)) {
                    in_period.insert(incident.clone());
                    chain.get_or_insert_with(|| ChainCheck::after(seq.saturating_sub(1), &e.prev));
                }
            }
            if e.body.incident().is_some_and(|i| in_period.contains(i)) {
                last_in_period = seq;
            }
        }
        if first_break.is_none() {
            if let Some(Err(b)) = chain.as_mut().map(|c| c.check(seq, &line)) {
                first_break = Some(b.seq);
            }
        }
        if let Some(e) = &event {
            fold.push(e);
        }
    }
    let source = Source {
        events_read,
        incidents: in_period.len() as u64,
        chain_verified: store.tail_ok
            && !unreadable
            && first_break.map_or(true, |b| b > last_in_period),
    };
    Ok(audit::build(fold.finish(now), period, by, now, source))
}
