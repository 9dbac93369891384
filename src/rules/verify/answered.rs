//! Which open flags a follow-up answers: a 续报 from an authoritative unit that states the
//! fact a flag doubted (an exact time, an exact count, the place) answers it. The desk offers
//! them to the officer in one step; a notice carries only the flags still open against what
//! the latest report says. Pure.

use crate::domain::{Count, FlagKind, Incident, OccurredAt, Report};

/// The open flags of earlier reports that the incident's latest report answers, in order.
pub fn answered(inc: &Incident) -> Vec<String> {
    let latest = inc.latest();
    let seq = latest.seq_in_incident;
    if seq == 0 {
        return Vec::new();
    }
    let own: Vec<_> = inc.flags.iter().filter(|f| f.report == seq).collect();
    // Only an authoritative source answers anything: its own report raised no source flag.
    if own
        .iter()
        .any(|f| f.flag.kind == FlagKind::UnverifiedSource)
    {
        return Vec::new();
    }
    inc.open_flags()
        .filter(|f| f.report < seq)
        .filter(|f| {
            f.flag.kind == FlagKind::UnverifiedSource
                || (states(latest, &f.flag.field)
                    && !own.iter().any(|o| {
                        o.flag.kind == f.flag.kind && same_field(&o.flag.field, &f.flag.field)
                    }))
        })
        .map(|f| f.flag.id.clone())
        .collect()
}

/// `casualties` covers `casualties.dead` and the rest; `reporter` its parts.
fn same_field(a: &str, b: &str) -> bool {
    a == b || a.starts_with(&format!("{b}.")) || b.starts_with(&format!("{a}."))
}

/// True when the report states the field exactly (a time as a time, a count as a number).
fn states(r: &Report, field: &str) -> bool {
    let text = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
    let count = |c: &Count| matches!(c, Count::Known(_));
    let c = &r.casualties;
    match field {
        "summary" => !r.summary.trim().is_empty(),
        "occurred_at" => matches!(r.occurred_at, Some(OccurredAt::At(_))),
        "location" => text(&r.location),
        "measures" => text(&r.measures),
        "requests" => text(&r.requests),
        "already_told" => text(&r.already_told),
        "category" => r.category.is_some(),
        "level" => r.level.is_some(),
        "casualties" => [&c.dead, &c.injured, &c.missing, &c.trapped]
            .into_iter()
            .any(count),
        "casualties.dead" => count(&c.dead),
        "casualties.injured" => count(&c.injured),
        "casualties.missing" => count(&c.missing),
        "casualties.trapped" => count(&c.trapped),
        "reporter.phone" => text(&r.reporter.phone),
        "reporter" | "reporter.name" | "reporter.unit" => {
            text(&r.reporter.name) || text(&r.reporter.unit)
        }
        _ => false,
    }
}
