//! Drawing the incident view: reports on the left (scrollable), flags and timeline on the right.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::incident::IncidentView;
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::widgets::frame::block;
use crate::tui::widgets::report::{flag_line, report_lines, timeline_lines};

/// Draws the view.
pub fn render(frame: &mut Frame, env: &Env, v: &IncidentView, area: Rect) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
    let closed = v.incident.as_ref().is_some_and(|i| i.closed);
    let title = format!(
        " {} {}{} ",
        env.t(Text::Reports),
        crate::sanitize::line(&v.number),
        if closed {
            format!(" [{}]", env.t(Text::Closed))
        } else {
            String::new()
        }
    );
    let b = block(env, ratatui::text::Span::styled(title, env.theme.accent));
    let inner = b.inner(left);
    frame.render_widget(b, left);
    v.page.set(inner.height.saturating_sub(1));
    let Some(inc) = &v.incident else {
        frame.render_widget(Paragraph::new(env.t(Text::Loading)), inner);
        return;
    };
    let mut lines: Vec<Line> = Vec::new();
    for r in &inc.reports {
        let flags: Vec<_> = inc
            .flags
            .iter()
            .filter(|f| f.is_open() && f.report == r.seq_in_incident)
            .map(|f| &f.flag)
            .collect();
        lines.extend(report_lines(env, r, &flags, inner.width));
        lines.push(Line::raw(""));
    }
    let max = (lines.len() as u16).saturating_sub(1);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((v.scroll.min(max), 0)),
        inner,
    );
    let ih = if v.instructions.is_empty() {
        0
    } else {
        (v.instructions.len() as u16 + 2).min(right.height / 3)
    };
    let [instr, right] =
        Layout::vertical([Constraint::Length(ih), Constraint::Min(0)]).areas(right);
    if ih > 0 {
        instructions(frame, env, v, instr);
    }
    let fl = v.ordered_flags();
    let fh = (fl.len() as u16 + 2).clamp(3, right.height / 2);
    let [top, bottom] = Layout::vertical([Constraint::Length(fh), Constraint::Min(0)]).areas(right);
    let b = block(env, format!(" {} ", env.t(Text::Flags)));
    let fin = b.inner(top);
    frame.render_widget(b, top);
    let rows = usize::from(fin.height.max(1));
    let off = v.flag.saturating_sub(rows - 1);
    let flines: Vec<Line> = if fl.is_empty() {
        vec![Line::styled(env.t(Text::NoFlags), env.theme.ok)]
    } else {
        fl.iter()
            .enumerate()
            .skip(off)
            .take(rows)
            .map(|(i, f)| flag_line(env, f, i == v.flag))
            .collect()
    };
    frame.render_widget(Paragraph::new(flines), fin);
    let b = block(env, format!(" {} ", env.t(Text::Timeline)));
    let tin = b.inner(bottom);
    frame.render_widget(b, bottom);
    frame.render_widget(
        Paragraph::new(timeline_lines(env, &v.timeline)).wrap(Wrap { trim: false }),
        tin,
    );
    if let Some(r) = &v.resolve {
        r.render(frame, env, area);
    }
}

/// The leaders' instructions on this incident, one line per recipient, overdue in red.
fn instructions(frame: &mut Frame, env: &Env, v: &IncidentView, area: Rect) {
    let b = block(
        env,
        ratatui::text::Span::styled(
            format!(" {} ", env.t(Text::SupervisionTitle)),
            env.theme.warn,
        ),
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let lines: Vec<Line> = v
        .instructions
        .iter()
        .map(|r| {
            let style = if r.overdue {
                env.theme.alert
            } else {
                env.theme.text
            };
            Line::styled(
                format!(
                    "{} {} {} {}",
                    r.leader,
                    r.name,
                    r.stage.label(env.lang),
                    crate::rules::supervision::countdown(r.remaining_secs)
                ),
                style,
            )
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
