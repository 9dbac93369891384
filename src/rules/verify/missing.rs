//! Missing elements (要素缺失), by report kind.
//!
//! - First report (初报): time (`occurred_at`), place (`location`), source (`reporter`: a name or a
//!   unit), a callback number (`reporter.phone`), what happened (`summary`), and casualties stated
//!   (at least one of the four counts, a number or explicitly unknown). A summary that says in
//!   so many words that nobody was hurt (无人员伤亡, "no casualties") counts as stated.
//! - Follow-up (续报): progress only, so just the summary.
//! - Final report (终报): the summary, and the outcome: `measures` filled, or the summary naming
//!   an outcome (已扑灭, 已控制, 处置完毕, 获救, "extinguished", "reopened", …).
//!
//! A time given only in words is not missing: it is a `vague` flag on `occurred_at`
//! ([`time_in_words`]).

use super::{new_flag, vague_flag};
use crate::domain::{Flag, FlagClass, FlagKind, Report, ReportKind};

/// Phrases that state there were no casualties.
const NO_CASUALTIES: &[&str] = &[
    "无人员伤亡",
    "无人伤亡",
    "未造成人员伤亡",
    "没有人员伤亡",
    "未发现人员伤亡",
    "no casualties",
    "no injuries",
    "nobody was hurt",
    "no one was hurt",
    "no one was injured",
];

/// Words that name an outcome in a final report.
const OUTCOME: &[&str] = &[
    "扑灭",
    "已控制",
    "得到控制",
    "处置完毕",
    "处置结束",
    "结束",
    "恢复",
    "解除",
    "撤离",
    "善后",
    "获救",
    "找到",
    "已排除",
    "已疏通",
    "已清理",
    "已关闭",
    "已抢通",
    "已转移",
    "extinguished",
    "under control",
    "resolved",
    "reopened",
    "restored",
    "found",
    "rescued",
    "lifted",
    "completed",
    "ended",
    "cleared",
];

fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|t| t.trim().is_empty())
}

/// True if `summary` says nobody was hurt (and not "有无人员伤亡…", "whether anyone was hurt").
pub(crate) fn states_no_casualties(summary: &str) -> bool {
    let lower = summary.to_lowercase();
    NO_CASUALTIES.iter().any(|p| {
        lower
            .match_indices(p)
            .any(|(i, _)| !lower[..i].ends_with('有'))
    })
}

fn missing(field: &str, zh: &str, en: &str, szh: &'static str, sen: &'static str, w: u8) -> Flag {
    new_flag(
        FlagKind::Missing,
        field,
        (zh.to_string(), en.to_string()),
        (szh, sen),
        w,
    )
}

/// The vague-time flag for an `occurred_at` given only in words with no cue inside.
pub(crate) fn time_in_words(words: &str) -> Flag {
    let len = words.chars().count();
    let class = if words
        .chars()
        .any(|c| c.is_ascii_digit() || "一二三四五六七八九十两".contains(c))
    {
        FlagClass::ApproximateNumber
    } else {
        FlagClass::Unknown
    };
    let mut f = vague_flag("occurred_at", words, 0, len, class, 50);
    f.reason_zh = format!("事发时间只有口头描述「{words}」，没有确切时间");
    f.reason_en =
        format!("the time is given only in words (\u{201c}{words}\u{201d}), not as an exact time");
    f.suggest_zh = "回拨问清确切的事发时间（几点几分）".into();
    f.suggest_en = "Call back for the exact time (hour and minute).".into();
    f
}

/// The vague-number flag of a count given as said (十几, 10余, 约20): kept verbatim, its range
/// shown, to be asked again.
pub(crate) fn count_as_said(key: &str, a: &crate::domain::About) -> Flag {
    let len = a.said.chars().count();
    let field = format!("casualties.{key}");
    let mut f = vague_flag(&field, &a.said, 0, len, FlagClass::ApproximateNumber, 70);
    let range = match (a.low, a.high) {
        (Some(l), Some(h)) => format!("{l}–{h}"),
        (Some(l), None) => format!("≥{l}"),
        (None, Some(h)) => format!("≤{h}"),
        (None, None) => "?".into(),
    };
    f.reason_zh = format!("人数只是约数「{}」（{range}）", a.said);
    f.reason_en = format!(
        "the count is approximate (\u{201c}{}\u{201d}, {range})",
        a.said
    );
    f.suggest_zh = "回拨问清确切人数".into();
    f.suggest_en = "Call back for the exact number.".into();
    f
}

/// Adds the missing-element flags of `report`.
pub(crate) fn check(r: &Report, out: &mut Vec<Flag>) {
    if r.summary.trim().is_empty() {
        out.push(missing(
            "summary",
            "没有说明发生了什么（事件经过为空）",
            "nothing says what happened (the summary is empty)",
            "回拨问清事件的起因、经过和性质",
            "Call back for the cause, course and nature of the event.",
            90,
        ));
    }
    match r.kind {
        ReportKind::First => first(r, out),
        ReportKind::FollowUp => {}
        ReportKind::Final => {
            let outcome = {
                let s = r.summary.to_lowercase();
                OUTCOME.iter().any(|w| s.contains(w))
            };
            if blank(r.measures.as_deref()) && !outcome {
                out.push(missing(
                    "measures",
                    "终报未写明处置结果或已采取的措施",
                    "the final report gives neither the outcome nor the measures taken",
                    "补充处置结果、善后情况和评估",
                    "Add the outcome, the aftermath and an assessment.",
                    60,
                ));
            }
        }
    }
}

fn first(r: &Report, out: &mut Vec<Flag>) {
    if r.occurred_at.is_none() {
        out.push(missing(
            "occurred_at",
            "初报缺少事发时间",
            "the first report has no time of the event",
            "回拨问清事发时间",
            "Call back for the time of the event.",
            70,
        ));
    }
    if blank(r.location.as_deref()) {
        out.push(missing(
            "location",
            "初报缺少事发地点",
            "the first report has no place",
            "回拨问清具体地点（乡镇、村、路段、门牌）",
            "Call back for the exact place (town, village, road, number).",
            80,
        ));
    }
    let rep = &r.reporter;
    if blank(rep.name.as_deref()) && blank(rep.unit.as_deref()) {
        out.push(missing(
            "reporter",
            "初报没有报告人姓名或单位",
            "the first report names neither the caller nor their unit",
            "记录报告人姓名、单位和职务",
            "Record the caller's name, unit and post.",
            70,
        ));
    }
    if blank(rep.phone.as_deref()) {
        out.push(missing(
            "reporter.phone",
            "没有回拨电话，无法回拨核实",
            "no callback number: the report cannot be checked by calling back",
            "记录报告人的联系电话",
            "Record a number to call the caller back.",
            70,
        ));
    }
    if !r.casualties.any_stated() && !states_no_casualties(&r.summary) {
        out.push(missing(
            "casualties",
            "初报未说明人员伤亡情况（死亡、受伤、失踪、被困）",
            "the first report says nothing about casualties (dead, injured, missing, trapped)",
            "问清有无人员伤亡；不清楚的写明「不详」",
            "Ask whether anyone is dead, hurt, missing or trapped; record \u{201c}unknown\u{201d} if nobody knows yet.",
            70,
        ));
    }
}
