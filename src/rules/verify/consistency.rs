//! Consistency with earlier reports (前后矛盾), the level check (级别偏低) and the time order.
//!
//! Each element is compared with the latest earlier report that stated it:
//! - dead or injured falling (3 → 2) without an explanation word in the summary (更正, 经核实,
//!   此前误报, "corrected", …). Missing and trapped may fall without a word: people are found
//!   and rescued;
//! - the location changing, unless one text contains the other (a refinement: 城关镇 →
//!   城关镇东街12号);
//! - the level changing (up or down), the category changing.
//!
//! `level_mismatch`: the stated level is less grave than the casualties imply
//! ([`crate::rules::level::suggest`]). `inconsistent` on `occurred_at`: an exact time later than
//! both the time received and `now`.

use chrono::{DateTime, Duration, Utc};

use super::new_flag;
use super::text::normalise;
use crate::domain::{Count, Flag, FlagKind, Level, OccurredAt, Report};

/// Words in a follow-up's summary that explain a falling count.
const EXPLAINED: &[&str] = &[
    "更正",
    "核实后",
    "经核实",
    "纠正",
    "误报",
    "订正",
    "重复统计",
    "重复计算",
    "核减",
    "复核",
    "corrected",
    "correction",
    "revised",
    "earlier figure",
    "previous figure",
    "double-counted",
    "double counted",
    "misreported",
];

const CHECK_ZH: &str = "与报告单位核对，以哪次为准；如为更正，在续报中写明原因";
const CHECK_EN: &str =
    "Check with the reporting unit which figure stands; if it is a correction, say why in the follow-up.";

/// Picks one casualty count of a report.
type CountOf = fn(&Report) -> Count;

fn explained(summary: &str) -> bool {
    let s = summary.to_lowercase();
    EXPLAINED.iter().any(|w| s.contains(w))
}

fn last_count(earlier: &[Report], pick: fn(&Report) -> Count) -> Option<u32> {
    earlier.iter().rev().find_map(|r| pick(r).known())
}

fn level_text(l: Option<Level>) -> (String, String) {
    match l {
        Some(l) => (format!("{}级", l.numeral()), l.key().to_string()),
        None => ("未定级".to_string(), "ungraded".to_string()),
    }
}

/// Adds an `inconsistent` flag for each typed count the report's own words contradict
/// ("死亡 2" typed, "造成12人死亡" said).
pub(crate) fn words_disagree(d: &[crate::rules::reading::Disagreement], out: &mut Vec<Flag>) {
    use crate::domain::Lang;
    use crate::rules::reading::count_text;
    for x in d {
        let mut f = new_flag(
            FlagKind::Inconsistent,
            &format!("casualties.{}", x.kind.key()),
            (
                format!(
                    "填写{}{}，报告文字说「{}」",
                    x.kind.name(Lang::Zh),
                    count_text(&x.typed, Lang::Zh),
                    x.evidence
                ),
                format!(
                    "typed {} {}, the report's words say \u{201c}{}\u{201d}",
                    x.kind.name(Lang::En),
                    count_text(&x.typed, Lang::En),
                    x.evidence
                ),
            ),
            (
                "回拨核实人数，以核实结果为准",
                "Call back to confirm the count; file what is confirmed.",
            ),
            80,
        );
        f.cue = Some(x.evidence.clone());
        out.push(f);
    }
}

/// Adds the `inconsistent` flags of `r` against `earlier`.
pub(crate) fn check(r: &Report, earlier: &[Report], out: &mut Vec<Flag>) {
    if earlier.is_empty() {
        return;
    }
    let counts: [(&str, &str, CountOf); 2] = [
        ("死亡", "dead", |r| r.casualties.dead.clone()),
        ("受伤", "injured", |r| r.casualties.injured.clone()),
    ];
    for (zh, en, pick) in counts {
        if let (Some(before), Some(now)) = (last_count(earlier, pick), pick(r).known()) {
            if now < before && !explained(&r.summary) {
                out.push(new_flag(
                    FlagKind::Inconsistent,
                    "casualties",
                    (
                        format!("{zh}人数由{before}人变为{now}人，未说明原因"),
                        format!("{en} fell from {before} to {now} with no explanation"),
                    ),
                    (CHECK_ZH, CHECK_EN),
                    80,
                ));
            }
        }
    }
    if let (Some(before), Some(now)) = (
        earlier
            .iter()
            .rev()
            .find_map(|e| e.location.as_deref().filter(|l| !l.trim().is_empty())),
        r.location.as_deref().filter(|l| !l.trim().is_empty()),
    ) {
        let (b, n) = (normalise(before.trim()), normalise(now.trim()));
        if !b.contains(n.as_str()) && !n.contains(b.as_str()) {
            out.push(new_flag(
                FlagKind::Inconsistent,
                "location",
                (
                    format!("地点由「{before}」变为「{now}」"),
                    format!(
                        "the place changed from \u{201c}{before}\u{201d} to \u{201c}{now}\u{201d}"
                    ),
                ),
                (CHECK_ZH, CHECK_EN),
                70,
            ));
        }
    }
    if let (Some(before), Some(now)) = (earlier.iter().rev().find_map(|e| e.level), r.level) {
        if before != now {
            let ((bz, be), (nz, ne)) = (level_text(Some(before)), level_text(Some(now)));
            let down = now > before;
            out.push(new_flag(
                FlagKind::Inconsistent,
                "level",
                (
                    format!("级别由{bz}{}为{nz}", if down { "降" } else { "升" }),
                    format!(
                        "the level {} from {be} to {ne}",
                        if down { "fell" } else { "rose" }
                    ),
                ),
                (
                    "确认定级依据并报告带班领导",
                    "Confirm what the grading rests on and tell the leader on duty.",
                ),
                if down { 70 } else { 50 },
            ));
        }
    }
    if let (Some(before), Some(now)) = (
        earlier.iter().rev().find_map(|e| e.category.as_deref()),
        r.category.as_deref(),
    ) {
        if before != now {
            out.push(new_flag(
                FlagKind::Inconsistent,
                "category",
                (
                    format!("事件类别由「{before}」变为「{now}」"),
                    format!("the category changed from {before} to {now}"),
                ),
                (CHECK_ZH, CHECK_EN),
                50,
            ));
        }
    }
}

/// Adds the `level_mismatch` flag when the stated level is less grave than `suggested`.
pub(crate) fn level_mismatch(r: &Report, suggested: Option<Level>, out: &mut Vec<Flag>) {
    let (Some(stated), Some(s)) = (r.level, suggested) else {
        return;
    };
    if stated > s {
        let ((tz, te), (sz, se)) = (level_text(Some(stated)), level_text(Some(s)));
        let c = &r.casualties;
        let (d, i) = (
            c.dead.at_least().unwrap_or(0),
            c.injured.at_least().unwrap_or(0),
        );
        out.push(new_flag(
            FlagKind::LevelMismatch,
            "level",
            (
                format!("报为{tz}，但死亡{d}人、受伤{i}人按分级标准应为{sz}"),
                format!("stated as {te}, but {d} dead and {i} injured imply {se}"),
            ),
            (
                "按分级标准重新定级，立即报告带班领导",
                "Re-grade by the thresholds and tell the leader on duty at once.",
            ),
            90,
        ));
    }
}

/// Adds an `inconsistent` flag when an exact `occurred_at` lies after both receipt and `now`.
pub(crate) fn time_order(r: &Report, now: DateTime<Utc>, out: &mut Vec<Flag>) {
    let Some(OccurredAt::At(t)) = &r.occurred_at else {
        return;
    };
    let t = t.with_timezone(&Utc);
    let slack = Duration::minutes(5);
    if t > now + slack && t > r.received_at.with_timezone(&Utc) + slack {
        out.push(new_flag(
            FlagKind::Inconsistent,
            "occurred_at",
            (
                "事发时间晚于接报时间".to_string(),
                "the time of the event is later than the time the report was received".to_string(),
            ),
            (
                "回拨核对事发时间",
                "Call back to check the time of the event.",
            ),
            60,
        ));
    }
}
