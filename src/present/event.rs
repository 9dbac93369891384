//! Events as one line of text, the same in the console's log and timelines as in
//! `dutydesk log`: every piece of outside text through the sanitiser.

use crate::domain::instruction::ChaseStep;
use crate::domain::{Event, EventBody, FeedbackKind, Flag, Lang};
use crate::sanitize;

/// One flag as a line: `[vague] summary «据说»: reason`.
pub fn flag_line(f: &Flag, lang: Lang) -> String {
    let cue = f
        .cue
        .as_deref()
        .map(|c| format!(" «{}»", sanitize::line(c)))
        .unwrap_or_default();
    format!(
        "{} [{}] {}{cue}: {}",
        f.id,
        f.kind.label(lang),
        f.field,
        sanitize::line(f.reason(lang))
    )
}

/// A short description of an event.
pub fn event_summary(e: &Event, lang: Lang) -> String {
    match &e.body {
        EventBody::ReportFiled { incident, report } => {
            format!("{} {}", incident, report.title(lang))
        }
        EventBody::FlagRaised { incident, flag, .. } => format!(
            "{} {} {}",
            incident,
            lang.pick("标记", "flag"),
            flag_line(flag, lang)
        ),
        EventBody::FlagResolved {
            incident,
            flag,
            resolution,
        } => format!(
            "{} {} {}: {} · {}",
            incident,
            lang.pick("核实", "resolved"),
            flag,
            resolution.method.label(lang),
            resolution.result.label(lang)
        ),
        EventBody::SignedIn { officer } => format!(
            "{} {}",
            lang.pick("签到", "signed in"),
            sanitize::line(officer)
        ),
        EventBody::SessionStarted { pid, .. } => {
            format!("{} (PID {pid})", lang.pick("控制台启动", "console started"))
        }
        EventBody::SessionEnded { reason } => format!(
            "{} ({})",
            lang.pick("控制台退出", "console ended"),
            sanitize::line(reason)
        ),
        EventBody::StoreCreated { .. } => lang.pick("数据目录创建", "store created").to_string(),
        EventBody::Note { text } => sanitize::line(text).into_owned(),
        body => notice_event(body, lang),
    }
}

/// A short description of a notice event; others go on to [`instruction_event`].
fn notice_event(body: &EventBody, lang: Lang) -> String {
    match body {
        EventBody::NoticeQueued { notice } => format!(
            "{} {} → {} [{}]",
            notice.id,
            notice_kind_name(notice.kind, lang),
            sanitize::line(&notice.recipient),
            notice.channel.key()
        ),
        EventBody::NoticeAttempted { notice, dispatch } => {
            format!(
                "{notice} {} #{dispatch}",
                lang.pick("交付发送", "handed over")
            )
        }
        EventBody::NoticeDelivered { notice, detail, .. } => {
            format!(
                "{notice} {} {}",
                lang.pick("已送达", "delivered"),
                sanitize::line(detail)
            )
        }
        EventBody::NoticeFailed {
            notice,
            error,
            retrying,
            ..
        } => format!(
            "{notice} {}{} {}",
            lang.pick("发送失败", "failed"),
            if *retrying {
                lang.pick("（重试）", " (retrying)")
            } else {
                ""
            },
            sanitize::line(error)
        ),
        EventBody::NoticeCalled {
            notice, outcome, ..
        } => {
            format!("{notice} {} {outcome:?}", lang.pick("电话", "called"))
        }
        EventBody::NoticeAcknowledged {
            notice, by, via, ..
        } => format!(
            "{notice} {} {} ({})",
            lang.pick("回执", "acknowledged by"),
            sanitize::line(by),
            sanitize::line(via)
        ),
        EventBody::NoticeEscalated {
            notice, step, to, ..
        } => format!(
            "{notice} {step:?} {}",
            sanitize::line(to.as_deref().unwrap_or(""))
        ),
        EventBody::NoticeClosed { notice, reason } => match reason {
            crate::domain::CloseReason::Superseded { by } => format!(
                "{notice} {} {by}",
                lang.pick("已由新通知取代：", "superseded by")
            ),
            crate::domain::CloseReason::Settled { by } => format!(
                "{notice} {} {by}",
                lang.pick("催办/督办了结，因", "settled by")
            ),
        },
        other => instruction_event(other, lang),
    }
}
/// A short description of an instruction event; others give their kind.
fn instruction_event(body: &EventBody, lang: Lang) -> String {
    let l = |s: &str| crate::sanitize::line(s).into_owned();
    match body {
        EventBody::InstructionRecorded {
            id, leader, text, ..
        } => format!(
            "{id} {} {}：{}",
            lang.pick("批示", "instruction"),
            l(leader),
            l(text)
        ),
        EventBody::InstructionRelayed { id, recipients } => {
            let names: Vec<String> = recipients.iter().map(|r| l(&r.name)).collect();
            format!(
                "{id} {} {}",
                lang.pick("传达", "relayed to"),
                names.join("、")
            )
        }
        EventBody::InstructionFeedback {
            id,
            recipient,
            kind,
            text,
            ..
        } => {
            let k = match kind {
                FeedbackKind::Progress => lang.pick("进展", "progress"),
                FeedbackKind::Final => lang.pick("办结", "final"),
            };
            format!("{id} {} {k}：{}", l(recipient), l(text))
        }
        EventBody::InstructionChanged { id, arrangement } => format!(
            "{id} {} {}",
            lang.pick("安排变更为", "arrangement now"),
            l(&arrangement.line())
        ),
        EventBody::InstructionChased {
            id,
            recipient,
            step,
            ..
        } => {
            let s = match step {
                ChaseStep::Reminded => lang.pick("提醒", "reminded"),
                ChaseStep::Chased => lang.pick("催办", "chased"),
            };
            format!("{id} {s} {}", l(recipient))
        }
        other => other.kind().to_string(),
    }
}
/// The name of a notice's kind (`首报` / `first`).
pub fn notice_kind_name(k: crate::domain::NoticeKind, lang: Lang) -> &'static str {
    use crate::domain::NoticeKind as K;
    match k {
        K::First => lang.pick("首报", "first"),
        K::FollowUp => lang.pick("续报", "follow-up"),
        K::Final => lang.pick("终报", "final"),
        K::Correction => lang.pick("更正", "correction"),
        K::Instruction => lang.pick("批示传达", "instruction"),
        K::Reminder => lang.pick("催办", "reminder"),
        K::Escalation => lang.pick("督办", "escalation"),
    }
}
