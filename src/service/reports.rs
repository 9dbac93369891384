//! Reports: filing (first, follow-up, final), the answered flags a follow-up resolves, the
//! incident list, and the refusals of a report that is too long or implausibly timed.

use chrono::{DateTime, Utc};

use super::api::{IncidentRow, Response};
use super::desk::Desk;
use crate::domain::{
    Actor, EventBody, Report, ReportKind, Resolution, ResolutionMethod, ResolutionResult,
};
use crate::store::StoreError;

impl Desk {
    /// The incident list: every incident, or the newest `limit` and every one still open or
    /// with an open flag (from the attention index, so the board never reads the whole store).
    pub(super) fn list(
        &self,
        open_only: bool,
        limit: Option<usize>,
    ) -> Result<Response, StoreError> {
        let db = self.store.db();
        let total = db.incident_count();
        let mut rows = Vec::new();
        let mut push = |inc: crate::domain::Incident| -> Result<(), StoreError> {
            let mut row = IncidentRow::of(&inc);
            row.stale_recipients = self.stale_of(&inc)?.len() as u32;
            rows.push(row);
            Ok(())
        };
        if open_only {
            for number in db.attention_rev() {
                if let Some(inc) = self.store.incident(&number?)? {
                    if !inc.closed {
                        push(inc)?;
                    }
                }
            }
            return Ok(Response::Incidents { rows, total });
        }
        let limit = limit.unwrap_or(usize::MAX);
        let mut oldest_listed: Option<String> = None;
        let mut listed = 0;
        for inc in db.incidents_rev().take(limit) {
            let inc = inc?;
            oldest_listed = Some(inc.number.0.clone());
            listed += 1;
            push(inc)?;
        }
        if listed == limit {
            // Older incidents that still need attention, after the page (numbers sort by day).
            for number in db.attention_rev() {
                let number = number?;
                if oldest_listed
                    .as_deref()
                    .is_some_and(|o| number.as_str() >= o)
                {
                    continue;
                }
                if let Some(inc) = self.store.incident(&number)? {
                    push(inc)?;
                }
            }
        }
        Ok(Response::Incidents { rows, total })
    }

    /// Resolves flags the latest report answers, all or none.
    pub(super) fn resolve_answered(
        &mut self,
        actor: &Actor,
        incident: &str,
        flags: &[String],
    ) -> Result<Response, StoreError> {
        let Some(inc) = self.store.incident(incident.trim())? else {
            return Ok(Response::bad(format!("没有事件 / no incident {incident}")));
        };
        let answered = crate::rules::verify::answered::answered(&inc);
        if flags.is_empty() {
            return Ok(Response::bad(
                "没有可核销的标记 / no flags named: give those the follow-up answers",
            ));
        }
        if let Some(f) = flags.iter().find(|f| !answered.contains(f)) {
            return Ok(Response::bad(format!(
                "{f} 未被最新一报说明（或已处理）/ {f} is not answered by the latest report (or is no longer open)"
            )));
        }
        let latest = inc.latest();
        let unit = [&latest.reporter.unit, &latest.reporter.name]
            .into_iter()
            .find_map(|s| s.clone().filter(|s| !s.trim().is_empty()))
            .unwrap_or_default();
        let (_, local) = self.now();
        let bodies = flags
            .iter()
            .map(|f| EventBody::FlagResolved {
                incident: inc.number.0.clone(),
                flag: f.clone(),
                resolution: Resolution {
                    method: ResolutionMethod::CrossCheck,
                    result: ResolutionResult::Confirmed,
                    note: format!(
                        "报告{}（{unit}）已说明 / stated in report {} ({unit})",
                        latest.seq_in_incident, latest.seq_in_incident
                    ),
                    by: actor.officer.clone(),
                    at: local,
                },
            })
            .collect();
        let events = self.store.append(actor, local, bodies)?;
        Ok(Response::Recorded {
            seqs: events.iter().map(|e| e.seq).collect(),
        })
    }

    pub(super) fn add_report(
        &mut self,
        actor: &Actor,
        mut draft: crate::domain::ReportDraft,
    ) -> Result<Response, StoreError> {
        if let Some(refusal) = too_long(&draft, self.config.intake.max_report_bytes) {
            return Ok(refusal);
        }
        let (now, local) = self.now();
        crate::rules::when::resolve_draft(&mut draft, local, self.config.zone());
        if let Some(refusal) = implausible(&draft, local, &self.config.intake) {
            return Ok(refusal);
        }
        if draft.summary.trim().is_empty() && draft.kind == ReportKind::First {
            // Still filed: checking never blocks. The `missing` flag says what is absent.
            tracing::info!("first report filed with an empty summary");
        }
        let (number, earlier, seq_in_incident) = match (draft.kind, draft.incident.as_deref()) {
            (ReportKind::First, Some(n)) => {
                return Ok(Response::bad(format!(
                    "初报会新建事件，请去掉 incident 字段（{n}）/ a first report opens a new incident: leave out \"incident\" ({n}), or use kind follow_up"
                )))
            }
            (ReportKind::First, None) => {
                let no = self.store.next_incident_no(local.date_naive())?;
                (no.0, Vec::new(), 0)
            }
            (_, None) => {
                return Ok(Response::bad(
                    "续报和终报需要事件编号 / a follow-up or final report needs \"incident\": the incident number",
                ))
            }
            (_, Some(n)) => {
                let Some(inc) = self.store.incident(n.trim())? else {
                    return Ok(Response::bad(format!("没有事件 / no incident {n}")));
                };
                if inc.closed {
                    return Ok(Response::bad(format!(
                        "事件 {n} 已终报 / incident {n} already has its final report"
                    )));
                }
                let seq = inc.next_report_seq();
                (inc.number.0.clone(), inc.reports, seq)
            }
        };
        let report = Report::from_draft(draft, seq_in_incident, local, &actor.officer);
        let assessment = self.verifier.assess(&report, &earlier, now);
        let mut bodies = vec![EventBody::ReportFiled {
            incident: number.clone(),
            report: Box::new(report),
        }];
        for flag in &assessment.flags {
            bodies.push(EventBody::FlagRaised {
                incident: number.clone(),
                report: seq_in_incident,
                flag: flag.clone(),
            });
        }
        let events = self.store.append(actor, local, bodies)?;
        let answers = match self.store.incident(&number)? {
            Some(inc) if seq_in_incident > 0 => crate::rules::verify::answered::answered(&inc),
            _ => Vec::new(),
        };
        Ok(Response::Filed {
            incident: number,
            report: seq_in_incident,
            flags: assessment.flags,
            level_suggested: assessment.level_suggested,
            answers,
            seqs: events.iter().map(|e| e.seq).collect(),
        })
    }

    /// Files many generated incidents (each: a first report, then its follow-ups and final
    /// report, with `received_at` set) as ONE durable append (one `fdatasync`). Only for the
    /// demo generator and benchmarks: numbers follow each first report's own day. An incident
    /// marked to settle has every flag resolved (by call-back) after its last report.
    pub fn file_generated_batch(
        &mut self,
        actor: &Actor,
        incidents: Vec<(Vec<crate::domain::ReportDraft>, bool)>,
    ) -> Result<u64, StoreError> {
        let mut next: std::collections::HashMap<chrono::NaiveDate, u32> =
            std::collections::HashMap::new();
        let mut items = Vec::new();
        for (reports, settle) in incidents {
            let Some(first_at) = reports.first().and_then(|d| d.received_at) else {
                continue;
            };
            let day = first_at.date_naive();
            let counter = match next.get(&day) {
                Some(n) => *n,
                None => self.store.next_incident_no(day)?.counter(),
            };
            next.insert(day, counter + 1);
            let number = crate::domain::IncidentNo::new(day, counter).0;
            let mut earlier: Vec<Report> = Vec::new();
            let mut raised: Vec<String> = Vec::new();
            let mut last_at = first_at;
            for (seq, mut d) in reports.into_iter().enumerate() {
                d.incident = None;
                let at = d.received_at.unwrap_or(first_at);
                let report = Report::from_draft(d, seq as u32, at, &actor.officer);
                let a = self
                    .verifier
                    .assess(&report, &earlier, at.with_timezone(&Utc));
                items.push((
                    at,
                    EventBody::ReportFiled {
                        incident: number.clone(),
                        report: Box::new(report.clone()),
                    },
                ));
                for flag in a.flags {
                    raised.push(flag.id.clone());
                    items.push((
                        at,
                        EventBody::FlagRaised {
                            incident: number.clone(),
                            report: seq as u32,
                            flag,
                        },
                    ));
                }
                last_at = at;
                earlier.push(report);
            }
            if settle {
                // Checked by calling back, within the hour after the last report.
                let at = last_at + chrono::Duration::minutes(20);
                for flag in raised {
                    items.push((
                        at,
                        EventBody::FlagResolved {
                            incident: number.clone(),
                            flag,
                            resolution: crate::domain::Resolution {
                                method: crate::domain::ResolutionMethod::CallBack,
                                result: crate::domain::ResolutionResult::Confirmed,
                                note: "回拨报告人核实 / called back".into(),
                                by: actor.officer.clone(),
                                at,
                            },
                        },
                    ));
                }
            }
        }
        self.store.append_many(actor, items)
    }
}

/// The refusal of a report carrying more than `max` bytes of text (`[intake]
/// max_report_bytes`): nothing is recorded.
pub fn too_long(draft: &crate::domain::ReportDraft, max: usize) -> Option<Response> {
    let n = draft.text_bytes();
    (n > max).then(|| Response::bad(report_too_long(n, max)))
}

/// The message for a report over the limit, Chinese first.
pub fn report_too_long(n: usize, max: usize) -> String {
    format!(
        "报告过长：{n} 字节，上限 {max} 字节（配置 [intake] max_report_bytes），未记录；请精简，或分为首报与续报 \
         / report too long: {n} bytes of text, the limit is {max} ([intake] max_report_bytes); nothing was recorded: shorten it, or split it into a first report and follow-ups"
    )
}

/// Refuses a report whose received or occurred time lies outside the plausible window around
/// the desk's clock (`[intake] hours_ahead`, `days_back`): nothing is recorded.
pub(super) fn implausible(
    draft: &crate::domain::ReportDraft,
    now: DateTime<chrono::FixedOffset>,
    limits: &crate::config::Intake,
) -> Option<Response> {
    let earliest = now - chrono::Duration::days(i64::from(limits.days_back));
    let latest = now + chrono::Duration::hours(i64::from(limits.hours_ahead));
    let occurred = match &draft.occurred_at {
        Some(crate::domain::OccurredAt::At(t)) => Some(*t),
        _ => None,
    };
    for (zh, en, t) in [
        ("接报时间", "received_at", draft.received_at),
        ("事发时间", "occurred_at", occurred),
    ] {
        let Some(t) = t else { continue };
        if t < earliest || t > latest {
            return Some(Response::bad(format!(
                "{zh} {} 不在合理范围内（{} 至 {}，配置 [intake] days_back / hours_ahead），未记录 \
                 / {en} {} is outside the plausible window ({} to {}; [intake] days_back, \
                 hours_ahead); nothing was recorded",
                t.to_rfc3339(),
                earliest.format("%Y-%m-%d %H:%M"),
                latest.format("%Y-%m-%d %H:%M"),
                t.to_rfc3339(),
                earliest.to_rfc3339(),
                latest.to_rfc3339(),
            )));
        }
    }
    None
}
