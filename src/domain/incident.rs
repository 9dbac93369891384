//! An incident (事件): its reports in sequence and its flags. A fold over events.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::event::{Event, EventBody};
use super::flag::{Flag, Resolution};
use super::report::{Report, ReportKind};

/// A human incident number: the local date and a counter, `20261122-003`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IncidentNo(pub String);

impl IncidentNo {
    /// Formats the `n`-th incident of `day`.
    pub fn new(day: NaiveDate, n: u32) -> IncidentNo {
        IncidentNo(format!("{}-{:03}", day.format("%Y%m%d"), n))
    }

    /// Parses and checks `YYYYMMDD-NNN` (three or more digits).
    pub fn parse(s: &str) -> Option<IncidentNo> {
        let (d, n) = s.trim().split_once('-')?;
        if d.len() != 8 {
            return None;
        }
        NaiveDate::parse_from_str(d, "%Y%m%d").ok()?;
        if n.len() < 3 || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(IncidentNo(s.trim().to_string()))
    }

    /// The `YYYYMMDD` part.
    pub fn day_key(&self) -> &str {
        self.0.split('-').next().unwrap_or("")
    }

    /// The counter part.
    pub fn counter(&self) -> u32 {
        self.0
            .split('-')
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for IncidentNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A flag as it stands on an incident: when raised, and its resolution once checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagState {
    /// Which report raised it.
    pub report: u32,
    /// The flag.
    pub flag: Flag,
    /// When it was raised.
    pub raised_at: DateTime<FixedOffset>,
    /// How it was resolved; `None` while open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
}

impl FlagState {
    /// True while nobody has resolved it.
    pub fn is_open(&self) -> bool {
        self.resolution.is_none()
    }
}

/// An incident: everything filed and flagged against one number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// `20261122-003`
    pub number: IncidentNo,
    /// When the first report was received.
    pub opened_at: DateTime<FixedOffset>,
    /// Reports in sequence: 初报, 续报一…, 终报.
    pub reports: Vec<Report>,
    /// Every flag ever raised, open or resolved.
    pub flags: Vec<FlagState>,
    /// True once a final report is filed.
    pub closed: bool,
    /// Sequence numbers of the events that concern it (its timeline).
    pub events: Vec<u64>,
}

impl Incident {
    /// The latest report (there is always at least the first).
    pub fn latest(&self) -> &Report {
        // An incident is only ever created with its first report.
        &self.reports[self.reports.len() - 1]
    }

    /// The first report.
    pub fn first(&self) -> &Report {
        &self.reports[0]
    }

    /// Flags still open.
    pub fn open_flags(&self) -> impl Iterator<Item = &FlagState> {
        self.flags.iter().filter(|f| f.is_open())
    }

    /// The number the next follow-up would get (续报n).
    pub fn next_follow_up(&self) -> u32 {
        self.reports
            .iter()
            .filter(|r| r.kind == ReportKind::FollowUp)
            .count() as u32
            + 1
    }

    /// The `seq_in_incident` the next report gets.
    pub fn next_report_seq(&self) -> u32 {
        self.reports.len() as u32
    }

    /// Applies an event that concerns this incident (or opens one). Events for other incidents,
    /// or that do not touch incidents, return `Ok(false)`. A contradiction (a flag for a report
    /// that does not exist, a second first report) is an error: the log is not replayable.
    pub fn apply(slot: &mut Option<Incident>, e: &Event) -> Result<bool, String> {
        match &e.body {
            EventBody::ReportFiled { incident, report } => match (slot.as_mut(), report.kind) {
                (None, ReportKind::First) => {
                    *slot = Some(Incident {
                        number: IncidentNo(incident.clone()),
                        opened_at: report.received_at,
                        reports: vec![(**report).clone()],
                        flags: Vec::new(),
                        closed: false,
                        events: vec![e.seq],
                    });
                    Ok(true)
                }
                (Some(_), ReportKind::First) => {
                    Err(format!("second first report for incident {incident}"))
                }
                (None, _) => Err(format!("report for unknown incident {incident}")),
                (Some(inc), kind) => {
                    if inc.closed {
                        return Err(format!("report after the final report of {incident}"));
                    }
                    inc.reports.push((**report).clone());
                    inc.closed = kind == ReportKind::Final;
                    inc.events.push(e.seq);
                    Ok(true)
                }
            },
            EventBody::FlagRaised {
                incident,
                report,
                flag,
            } => {
                let inc = slot
                    .as_mut()
                    .ok_or_else(|| format!("flag for unknown incident {incident}"))?;
                if *report as usize >= inc.reports.len() {
                    return Err(format!("flag for unknown report {report} of {incident}"));
                }
                inc.flags.push(FlagState {
                    report: *report,
                    flag: flag.clone(),
                    raised_at: e.at,
                    resolution: None,
                });
                inc.events.push(e.seq);
                Ok(true)
            }
            EventBody::FlagResolved {
                incident,
                flag,
                resolution,
            } => {
                let inc = slot
                    .as_mut()
                    .ok_or_else(|| format!("resolution for unknown incident {incident}"))?;
                let f = inc
                    .flags
                    .iter_mut()
                    .find(|f| f.flag.id == *flag)
                    .ok_or_else(|| format!("resolution for unknown flag {flag} of {incident}"))?;
                if f.resolution.is_some() {
                    return Err(format!("flag {flag} of {incident} resolved twice"));
                }
                f.resolution = Some(resolution.clone());
                inc.events.push(e.seq);
                Ok(true)
            }
            body if body.notice().is_some() => {
                let incident = body.incident().unwrap_or("");
                let inc = slot
                    .as_mut()
                    .ok_or_else(|| format!("notice for unknown incident {incident}"))?;
                inc.events.push(e.seq);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_numbers() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let n = IncidentNo::new(d, 3);
        assert_eq!(n.as_str(), "20261122-003");
        assert_eq!(n.counter(), 3);
        assert_eq!(n.day_key(), "20261122");
        assert_eq!(IncidentNo::parse("20261122-003"), Some(n));
        for bad in [
            "2026112-003",
            "20261322-001",
            "20261122-01",
            "20261122-0a1",
            "x",
        ] {
            assert_eq!(IncidentNo::parse(bad), None, "{bad}");
        }
        assert_eq!(IncidentNo::new(d, 1234).as_str(), "20261122-1234");
    }
}
