//! Supervision (督办) of leaders' instructions: where each recipient stands (awaiting
//! acknowledgement → acknowledged → progress reported → completed; overdue past the deadline
//! without a final answer), countdowns, who is due a reminder or a chase, and the 办结报告 text.
//! Pure functions: `now` is a parameter; no I/O, no store.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::clock::Zone;
use crate::config::{Config, Instructions};
use crate::domain::instruction::{ChaseStep, FeedbackForm, FeedbackKind, Recipient};
use crate::domain::{Instruction, Lang};

/// Where a recipient stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Relayed; its notice not yet acknowledged, no answer.
    AwaitingAck,
    /// Its notice acknowledged (回执), no answer yet.
    Acknowledged,
    /// Progress reported, no final answer.
    Progress,
    /// The final answer is in.
    Completed,
}

impl Stage {
    /// A short label.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Stage::AwaitingAck => lang.pick("待签收", "awaiting ack"),
            Stage::Acknowledged => lang.pick("已签收", "acknowledged"),
            Stage::Progress => lang.pick("已报进展", "progress"),
            Stage::Completed => lang.pick("已办结", "completed"),
        }
    }
}

/// One recipient of one instruction, as the supervision screen and CLI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientStatus {
    /// The instruction id.
    pub instruction: String,
    /// Its incident, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// The leader.
    pub leader: String,
    /// The recipient.
    pub name: String,
    /// Where it stands.
    pub stage: Stage,
    /// Feedback due by then.
    pub deadline: DateTime<FixedOffset>,
    /// Seconds left (negative once past).
    pub remaining_secs: i64,
    /// Past the deadline without a final answer.
    pub overdue: bool,
    /// Holds an older arrangement than the current one (must be told again).
    pub stale: bool,
}

/// The deadline `minutes` after `at`, shown in `zone`. Minutes are elapsed time, so a deadline
/// across a DST change is still that many minutes away (its wall-clock time shifts).
pub fn deadline(at: DateTime<Utc>, minutes: u32, zone: Zone) -> DateTime<FixedOffset> {
    zone.localize(at + Duration::minutes(i64::from(minutes)))
}

/// Where one recipient stands; `acked` says whether its notice was acknowledged.
pub fn stage(r: &Recipient, acked: bool) -> Stage {
    if r.final_answer().is_some() {
        Stage::Completed
    } else if r.feedback.iter().any(|f| f.kind == FeedbackKind::Progress) {
        Stage::Progress
    } else if acked || !r.feedback.is_empty() {
        Stage::Acknowledged
    } else {
        Stage::AwaitingAck
    }
}

/// The status of one recipient at `now`.
pub fn status(
    ins: &Instruction,
    r: &Recipient,
    acked: bool,
    now: DateTime<Utc>,
) -> RecipientStatus {
    let stage = stage(r, acked);
    let remaining = r.deadline.with_timezone(&Utc) - now;
    RecipientStatus {
        instruction: ins.id.clone(),
        incident: ins.incident.clone(),
        leader: ins.leader.clone(),
        name: r.name.clone(),
        stage,
        deadline: r.deadline,
        remaining_secs: remaining.num_seconds(),
        overdue: stage != Stage::Completed && remaining <= Duration::zero(),
        stale: r.version < ins.version,
    }
}

/// Every recipient of every instruction, soonest deadline first (completed ones last).
pub fn board<'a>(
    instructions: impl IntoIterator<Item = &'a Instruction>,
    acked: &dyn Fn(&str) -> bool,
    now: DateTime<Utc>,
) -> Vec<RecipientStatus> {
    let mut rows: Vec<RecipientStatus> = instructions
        .into_iter()
        .flat_map(|ins| {
            ins.recipients.iter().map(move |r| {
                let a = r.notice_id.as_deref().map(acked).unwrap_or(false);
                status(ins, r, a, now)
            })
        })
        .collect();
    rows.sort_by_key(|r| (r.stage == Stage::Completed, r.deadline, r.name.clone()));
    rows
}

/// A countdown in whole minutes: `1:45` left (a started minute counts), `-0:20` past.
pub fn countdown(remaining_secs: i64) -> String {
    let sign = if remaining_secs < 0 { "-" } else { "" };
    let m = if remaining_secs < 0 {
        remaining_secs.unsigned_abs() / 60
    } else {
        remaining_secs.unsigned_abs().div_ceil(60)
    };
    format!("{sign}{}:{:02}", m / 60, m % 60)
}

/// Who is due a reminder (near the deadline) or a chase (past it) at `now`, once each: a
/// reminder once per relay, a chase every `chase_every_minutes` after the last one.
pub fn due(ins: &Instruction, cfg: &Instructions, now: DateTime<Utc>) -> Vec<(String, ChaseStep)> {
    let mut out = Vec::new();
    for r in &ins.recipients {
        if r.final_answer().is_some() {
            continue;
        }
        let deadline = r.deadline.with_timezone(&Utc);
        let since_relay = |step: ChaseStep| {
            r.chases
                .iter()
                .filter(move |(s, at)| *s == step && *at >= r.relayed_at)
                .map(|(_, at)| at.with_timezone(&Utc))
        };
        if now < deadline {
            let before = Duration::minutes(i64::from(cfg.remind_before_minutes));
            if cfg.remind_before_minutes > 0
                && now >= deadline - before
                && since_relay(ChaseStep::Reminded).next().is_none()
            {
                out.push((r.name.clone(), ChaseStep::Reminded));
            }
            continue;
        }
        let every = Duration::minutes(i64::from(cfg.chase_every_minutes));
        let chase = match since_relay(ChaseStep::Chased).max() {
            None => true,
            Some(last) => cfg.chase_every_minutes > 0 && now >= last + every,
        };
        if chase {
            out.push((r.name.clone(), ChaseStep::Chased));
        }
    }
    out
}

fn form_label(form: FeedbackForm, lang: Lang) -> &'static str {
    match form {
        FeedbackForm::Phone => lang.pick("电话", "by phone"),
        FeedbackForm::Written => lang.pick("书面", "in writing"),
    }
}

/// The 办结报告 for the leader, pre-filled from the feedback (the officer may edit it).
pub fn report_text(
    ins: &Instruction,
    lang: Lang,
    officer: &str,
    now: DateTime<FixedOffset>,
) -> String {
    let t = |d: &DateTime<FixedOffset>| d.format("%m-%d %H:%M").to_string();
    let mut s = match lang {
        Lang::Zh => format!(
            "关于{}批示落实情况的报告\n\n{}（{}，{}）批示：“{}”\n",
            ins.leader,
            ins.leader,
            t(&ins.received_at),
            ins.channel,
            ins.text
        ),
        Lang::En => format!(
            "Report on the instruction of {}\n\n{} ({}, {}) instructed: \"{}\"\n",
            ins.leader,
            ins.leader,
            t(&ins.received_at),
            ins.channel,
            ins.text
        ),
    };
    if let Some(no) = &ins.incident {
        s.push_str(&format!("{}{no}\n", lang.pick("事件：", "Incident: ")));
    }
    if let Some(a) = &ins.arrangement {
        s.push_str(&format!(
            "{}{}\n",
            lang.pick("安排：", "Arrangement: "),
            a.line()
        ));
    }
    s.push_str(lang.pick("\n落实情况：\n", "\nWhat was done:\n"));
    for (i, r) in ins.recipients.iter().enumerate() {
        let answer = match r.final_answer() {
            Some(f) => format!("{}（{}，{}）", f.text, form_label(f.form, lang), t(&f.at)),
            None => lang.pick("尚未办结", "not yet complete").to_string(),
        };
        s.push_str(&format!("{}. {}：{answer}\n", i + 1, r.name));
        for p in r
            .feedback
            .iter()
            .filter(|f| f.kind == FeedbackKind::Progress)
        {
            s.push_str(&format!(
                "   {}{}（{}）\n",
                lang.pick("进展：", "progress: "),
                p.text,
                t(&p.at)
            ));
        }
    }
    s.push_str(&format!(
        "\n{} {officer} {}\n",
        lang.pick("值班室", "Duty office,"),
        now.format("%Y-%m-%d %H:%M")
    ));
    s
}

/// An instruction as relayed, attributed to whoever gave it: "赵立新政府办主任批示：…" /
/// "Instruction from 赵立新 (Director, Government Office): …"; with no leader named, "领导批示：…".
pub fn attributed(config: &Config, leader: Option<&str>, text: &str, lang: Lang) -> String {
    let leader = leader.map(str::trim).filter(|l| !l.is_empty());
    let person = leader.and_then(|l| config.people.iter().find(|p| p.name == l));
    match (lang, leader) {
        (Lang::Zh, Some(name)) => {
            let title = person.map_or("", |p| p.title.as_str());
            format!("{name}{title}批示：{text}")
        }
        (Lang::En, Some(name)) => match person
            .map(|p| p.title_en.as_str())
            .filter(|t| !t.is_empty())
        {
            Some(title) => format!("Instruction from {name} ({title}): {text}"),
            None => format!("Instruction from {name}: {text}"),
        },
        (Lang::Zh, None) => format!("领导批示：{text}"),
        (Lang::En, None) => format!("The leader's instruction: {text}"),
    }
}
