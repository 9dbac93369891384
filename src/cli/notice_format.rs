//! Notices for people: the proposal with reasons and preview, the notices table and outcome
//! lines (log lines for notice events are [`crate::present::event`]'s). All outside text goes through the sanitiser.

use std::io::{self, Write};

use crate::domain::{Lang, Notice, NoticeState};
use crate::present::event::notice_kind_name as kind_name;
use crate::sanitize;
use crate::service::NoticeProposal;

/// The proposal: stale holders, recipients with why, and the text.
pub fn proposal_text(out: &mut impl Write, p: &NoticeProposal, lang: Lang) -> io::Result<()> {
    writeln!(
        out,
        "{} {} · {}",
        p.incident,
        kind_name(p.notice_kind, lang),
        lang.pick("拟通报对象", "proposed recipients")
    )?;
    if !p.stale.is_empty() {
        writeln!(
            out,
            "⚠ {} {}",
            p.stale.len(),
            lang.pick("个对象持有旧版本", "recipients hold an older version")
        )?;
    }
    for r in &p.recipients {
        let to = if r.contact.to.is_empty() {
            &r.contact.target
        } else {
            &r.contact.to
        };
        writeln!(
            out,
            "  · {} [{} {}] — {}",
            sanitize::line(&r.name),
            r.contact.channel.key(),
            sanitize::line(to),
            sanitize::line(lang.pick(&r.why_zh, &r.why_en))
        )?;
    }
    writeln!(out, "---\n{}\n", sanitize::line(&p.subject))?;
    writeln!(out, "{}---", sanitize::text(&p.text))
}

/// One notice's outcome after sending.
pub fn outcome_line(out: &mut impl Write, n: &Notice, lang: Lang) -> io::Result<()> {
    let what = match (&n.state, &n.delivered, &n.last_error) {
        (NoticeState::ToCall, _, _) => format!(
            "{} {}",
            lang.pick("请致电", "call"),
            sanitize::line(n.q.to.as_deref().unwrap_or(""))
        ),
        (_, Some((_, d)), _) => sanitize::line(d).into_owned(),
        (_, None, Some(e)) => sanitize::line(e).into_owned(),
        _ => String::new(),
    };
    writeln!(
        out,
        "{} {} {} [{}] {} {}",
        n.q.id,
        n.q.token,
        sanitize::line(&n.q.recipient),
        n.q.channel.key(),
        n.state_label(lang),
        what
    )
}

/// Notices as a table: id, token, recipient, channel, state, deadline.
pub fn notices_table(out: &mut impl Write, rows: &[Notice], lang: Lang) -> io::Result<()> {
    writeln!(
        out,
        "{:<20} {:<10} {:<8} {:<8} {:<6} {}",
        lang.pick("编号", "id"),
        lang.pick("回执码", "token"),
        lang.pick("类型", "kind"),
        lang.pick("方式", "channel"),
        lang.pick("时限", "due"),
        lang.pick("状态 / 对象", "state / recipient")
    )?;
    for n in rows {
        let steps = n.steps_text(lang);
        writeln!(
            out,
            "{:<20} {:<10} {:<8} {:<8} {:<6} {} {}{}",
            n.q.id,
            n.q.token,
            n.q.kind.key(),
            n.q.channel.key(),
            n.q.deadline
                .map(|d| d.format("%H:%M").to_string())
                .unwrap_or("-".into()),
            n.state_label(lang),
            sanitize::line(&n.q.recipient),
            if steps.is_empty() {
                String::new()
            } else {
                format!(" [{}]", sanitize::line(&steps))
            }
        )?;
    }
    Ok(())
}
