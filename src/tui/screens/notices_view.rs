//! Drawing the notices screen: the proposal (recipients with why, the text) or the pending list.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::notices::{Mode, NoticesView};
use super::window_offset;
use crate::clock::{elapsed, short_duration};
use crate::domain::NoticeState;
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::widgets::frame::{block, safe_fit, safe_pad};

impl NoticesView {
    /// Draws the screen.
    pub fn render(&self, frame: &mut Frame, env: &Env, area: Rect) {
        match &self.mode {
            Mode::Send {
                incident,
                proposal,
                chosen,
            } => {
                let [left, right] =
                    Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                        .areas(area);
                let title = format!(" {} {incident} ", env.t(Text::SendNoticesTitle));
                let b = block(env, Span::styled(title, env.theme.accent));
                let inner = b.inner(left);
                frame.render_widget(b, left);
                let Some(p) = proposal else {
                    frame.render_widget(Paragraph::new(env.t(Text::Loading)), inner);
                    return;
                };
                let w = usize::from(inner.width);
                let mut lines = vec![Line::styled(
                    safe_fit(
                        &format!("{}: {}", env.t(Text::NoticeKindLabel), p.notice_kind.key()),
                        w,
                    ),
                    env.theme.dim,
                )];
                for (i, (r, c)) in p.recipients.iter().zip(chosen).enumerate() {
                    let style = if i == self.selected {
                        env.theme.selected
                    } else if *c {
                        env.theme.text
                    } else {
                        env.theme.dim
                    };
                    let mark = if *c { "[x]" } else { "[ ]" };
                    let head = format!(
                        "{mark} {} · {} · {} {}",
                        crate::sanitize::line(&r.name),
                        r.kind.key(),
                        r.contact.channel.key(),
                        crate::sanitize::line(&r.contact.to)
                    );
                    lines.push(Line::styled(safe_fit(&head, w), style));
                    let why = env.lang.pick(&r.why_zh, &r.why_en);
                    lines.push(Line::styled(
                        safe_fit(&format!("      {}", crate::sanitize::line(why)), w),
                        env.theme.dim,
                    ));
                }
                if !p.stale.is_empty() {
                    lines.push(Line::styled(env.t(Text::StaleHolders), env.theme.warn));
                    for s in &p.stale {
                        lines.push(Line::styled(
                            safe_fit(
                                &format!(
                                    "  {} ({}: {})",
                                    crate::sanitize::line(&s.name),
                                    s.holds,
                                    s.changed.join("、")
                                ),
                                w,
                            ),
                            env.theme.warn,
                        ));
                    }
                }
                frame.render_widget(Paragraph::new(lines), inner);
                let b = block(env, format!(" {} ", env.t(Text::NoticePreview)));
                let inner = b.inner(right);
                frame.render_widget(b, right);
                let text = format!(
                    "{}\n\n{}",
                    crate::sanitize::line(&p.subject),
                    crate::sanitize::text(&p.text)
                );
                frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
            }
            Mode::Pending => self.pending_list(frame, env, area),
        }
    }

    fn pending_list(&self, frame: &mut Frame, env: &Env, area: Rect) {
        let title = format!(" {} {} ", env.t(Text::PendingNotices), self.pending.len());
        let b = block(env, Span::styled(title, env.theme.accent));
        let inner = b.inner(area);
        frame.render_widget(b, area);
        let h = usize::from(inner.height.saturating_sub(1));
        self.page.set(h.max(1));
        let off = window_offset(self.offset.get(), self.selected, h, self.pending.len());
        self.offset.set(off);
        let w = usize::from(inner.width);
        let head = format!(
            "{} {} {} {} {} {}",
            safe_pad(env.t(Text::Countdown), 12),
            safe_pad(env.t(Text::NoticeState), 10),
            safe_pad(env.t(Text::Recipient), 16),
            safe_pad(env.t(Text::Number), 12),
            safe_pad(env.t(Text::Token), 10),
            env.t(Text::NoticeSubject),
        );
        let mut lines = vec![Line::styled(safe_fit(&head, w), env.theme.dim)];
        if self.pending.is_empty() {
            lines.push(Line::styled(env.t(Text::NoPending), env.theme.ok));
        }
        let now = env.now_local();
        for (i, n) in self.pending.iter().enumerate().skip(off).take(h) {
            let (countdown, late) = match n.q.deadline {
                Some(d) if d >= now => (
                    format!(
                        "{} {}",
                        env.t(Text::Left),
                        short_duration(elapsed(&now, &d))
                    ),
                    false,
                ),
                Some(d) => (
                    format!(
                        "{} {}",
                        env.t(Text::Late),
                        short_duration(elapsed(&d, &now))
                    ),
                    true,
                ),
                None => ("-".into(), false),
            };
            let mut steps = n.steps_text(env.lang);
            if n.state == NoticeState::ToCall {
                // Whom to call, first: the number is what the officer needs at 3 a.m.
                let call = format!("☎ {}", n.q.to.as_deref().unwrap_or("?"));
                steps = if steps.is_empty() {
                    call
                } else {
                    format!("{call} · {steps}")
                };
            }
            let steps = if steps.is_empty() {
                String::new()
            } else {
                format!("[{}] ", crate::sanitize::line(&steps))
            };
            let text = format!(
                "{} {} {} {} {} {}{}",
                safe_pad(&countdown, 12),
                safe_pad(n.state_label(env.lang), 10),
                safe_pad(&crate::sanitize::line(&n.q.recipient), 16),
                safe_pad(&n.q.incident, 12),
                safe_pad(&n.q.token, 10),
                steps,
                crate::sanitize::line(without_office(env, &n.q.subject)),
            );
            let style = if i == self.selected {
                env.theme.selected
            } else if late || n.state == NoticeState::Failed {
                env.theme.alert
            } else if n.state == NoticeState::ToCall {
                env.theme.warn
            } else {
                env.theme.text
            };
            lines.push(Line::styled(safe_fit(&text, w), style));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// The subject without the office's own name in front ("【示例县…值班室】首报：…" → "首报：…"):
/// in a list of this office's notices the name is the same on every row and hid what happened.
fn without_office<'a>(env: &Env, subject: &'a str) -> &'a str {
    let office = &env.config.office;
    for (open, name, close) in [("【", &office.name, "】"), ("[", &office.name_en, "] ")] {
        if name.is_empty() {
            continue;
        }
        if let Some(rest) = subject
            .strip_prefix(open)
            .and_then(|r| r.strip_prefix(name.as_str()))
            .and_then(|r| r.strip_prefix(close))
        {
            return rest;
        }
    }
    subject
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::without_office;
    use crate::domain::{Actor, Lang};
    use crate::tui::env::Env;
    use crate::tui::keymap::Keymap;
    use crate::tui::theme::{Theme, DEFAULT_THEME};

    #[test]
    fn the_office_name_leaves_the_subject_in_the_list() {
        let env = Env::new(
            Arc::new(crate::config::defaults()),
            Lang::Zh,
            Theme::from_toml(DEFAULT_THEME, true, false),
            Keymap::defaults(),
            Actor {
                officer: "李明".into(),
                os_user: "duty".into(),
            },
            chrono::Utc::now(),
        );
        let table = [
            ("【示例县人民政府总值班室】首报：两车相撞", "首报：两车相撞"),
            (
                "[Example County Government Duty Office] First report: a crash",
                "First report: a crash",
            ),
            // Another office's name, or none: kept whole.
            ("【东平县值班室】首报：火灾", "【东平县值班室】首报：火灾"),
            ("首报：火灾", "首报：火灾"),
        ];
        for (subject, want) in table {
            assert_eq!(without_office(&env, subject), want);
        }
    }
}
