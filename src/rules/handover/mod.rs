//! What is handed over at a shift change, computed from the state (never typed): open
//! incidents with their latest report, unresolved flags, unacknowledged notices, instructions
//! awaiting feedback, stale recipients (the key-holder rule) and notice deadlines falling in the
//! next shift. Pure: the state and `now` are parameters.

pub mod print;

use chrono::{DateTime, FixedOffset};

use crate::domain::handover::{HandoverItem, ItemKind};
use crate::domain::{Incident, Lang, Notice};
use crate::rules::keyholder;

/// Instructions (批示/督办) awaiting feedback, as handover items: one per instruction with a
/// recipient whose final answer is still owed, due at the earliest such deadline.
pub fn instructions_awaiting_feedback(
    instructions: &[crate::domain::Instruction],
    lang: Lang,
) -> Vec<HandoverItem> {
    instructions
        .iter()
        .filter(|i| !i.complete())
        .map(|i| {
            let owed: Vec<_> = i
                .recipients
                .iter()
                .filter(|r| r.final_answer().is_none())
                .collect();
            let names: Vec<&str> = owed.iter().map(|r| r.name.as_str()).collect();
            let waiting = format!(
                "{} {}",
                lang.pick("待反馈：", "awaiting feedback:"),
                names.join("、")
            );
            HandoverItem {
                id: format!("instruction:{}", i.id),
                kind: ItemKind::Instruction,
                incident: i.incident.clone().unwrap_or_default(),
                summary: join(&[&i.id, &i.leader, &i.text, &waiting]),
                due: owed.iter().map(|r| r.deadline).min(),
            }
        })
        .collect()
}

/// The items of a handover. `incidents` may include closed ones (they are skipped); `notices`
/// are every notice of those incidents; deadlines up to `next_shift_end` are listed.
pub fn items(
    incidents: &[Incident],
    notices: &[Notice],
    instructions: Vec<HandoverItem>,
    next_shift_end: DateTime<FixedOffset>,
    lang: Lang,
) -> Vec<HandoverItem> {
    let mut out = Vec::new();
    for inc in incidents.iter().filter(|i| !i.closed) {
        let no = inc.number.as_str();
        let latest = inc.latest();
        let place = latest.location.as_deref().unwrap_or("");
        out.push(HandoverItem {
            id: format!("incident:{no}"),
            kind: ItemKind::Incident,
            incident: no.to_string(),
            summary: join(&[no, place, &latest.title(lang), &latest.summary]),
            due: None,
        });
        for f in inc.open_flags() {
            out.push(HandoverItem {
                id: format!("flag:{no}/{}", f.flag.id),
                kind: ItemKind::Flag,
                incident: no.to_string(),
                summary: join(&[no, &f.flag.id, f.flag.kind.label(lang), f.flag.reason(lang)]),
                due: None,
            });
        }
        let mine: Vec<Notice> = notices
            .iter()
            .filter(|n| n.q.incident == no)
            .cloned()
            .collect();
        for n in mine.iter().filter(|n| n.is_open()) {
            out.push(HandoverItem {
                id: format!("notice:{}", n.q.id),
                kind: ItemKind::Notice,
                incident: no.to_string(),
                summary: join(&[&n.q.id, &n.q.recipient, n.state_label(lang)]),
                due: n.q.deadline,
            });
            if let Some(d) = n.q.deadline.filter(|d| *d <= next_shift_end) {
                out.push(HandoverItem {
                    id: format!("deadline:{}", n.q.id),
                    kind: ItemKind::Deadline,
                    incident: no.to_string(),
                    summary: join(&[
                        &d.format("%m-%d %H:%M").to_string(),
                        &n.q.id,
                        &n.q.recipient,
                    ]),
                    due: Some(d),
                });
            }
        }
        for s in keyholder::stale(inc, &mine) {
            out.push(HandoverItem {
                id: format!("stale:{no}/{}", s.name),
                kind: ItemKind::Stale,
                incident: no.to_string(),
                summary: join(&[no, &s.name, &s.changes_text(lang)]),
                due: None,
            });
        }
    }
    out.extend(instructions);
    out.sort_by(|a, b| (a.kind, &a.due, &a.id).cmp(&(b.kind, &b.due, &b.id)));
    out
}

fn join(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}
