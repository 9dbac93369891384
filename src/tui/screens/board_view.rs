//! Drawing the board: header with the clock, the alert strip, the visible window of the incident
//! list (never all rows), and the detail pane.

use chrono::{Datelike, Duration, Timelike};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::board::Board;
use super::window_offset;
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::widgets::frame::{block, safe_fit, safe_pad};
use crate::tui::widgets::report::{flag_line, report_lines, timeline_lines};

/// Start of the shift that is running at `now` (local), and the time left in it.
pub fn shift_window(env: &Env) -> (chrono::NaiveDate, Duration) {
    let now = env.now_local();
    let start_t = env.config.shift_start();
    let day = if now.time() >= start_t {
        now.date_naive()
    } else {
        now.date_naive().pred_opt().unwrap_or(now.date_naive())
    };
    // The desk may be a shift ahead of the clock: a handover accepted before shift start.
    let day = env.shift.map_or(day, |s| s.max(day));
    let start = day.and_time(start_t);
    let left = start + Duration::hours(24) - now.naive_local();
    (day, left.max(Duration::zero()))
}

/// The header: office, date, weekday and clock; officer, leader on duty, shift left.
pub fn header(frame: &mut Frame, env: &Env, area: Rect) {
    let now = env.now_local();
    let (day, left) = shift_window(env);
    let leader = env
        .config
        .leader_on_duty(day)
        .map(|p| format!("{} {}", p.name, p.phone))
        .unwrap_or_else(|| "-".into());
    let office = if env.lang == crate::domain::Lang::Zh {
        &env.config.office.name
    } else {
        &env.config.office.name_en
    };
    let clock = format!(
        "{}  {}  {:02}:{:02}:{:02}",
        now.format("%Y-%m-%d"),
        env.t(Text::weekday(now.weekday().num_days_from_monday())),
        now.hour(),
        now.minute(),
        now.second()
    );
    let lines = vec![
        Line::from(vec![
            Span::styled(safe_fit(office, 40), env.theme.dim),
            Span::raw("   "),
            Span::styled(clock, env.theme.accent.add_modifier(Modifier::REVERSED)),
        ]),
        Line::from(vec![
            Span::styled(format!("{}: ", env.t(Text::Officer)), env.theme.dim),
            Span::styled(safe_fit(&env.actor.officer, 16), env.theme.accent),
            Span::styled(format!("   {}: ", env.t(Text::Leader)), env.theme.dim),
            Span::raw(safe_fit(&leader, 30)),
            Span::styled(format!("   {}: ", env.t(Text::ShiftLeft)), env.theme.dim),
            Span::raw(format!(
                "{}h{:02}m",
                left.num_hours(),
                left.num_minutes() % 60
            )),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

fn alert_strip(frame: &mut Frame, env: &Env, board: &Board, area: Rect) {
    let (open, overdue) = board.counts;
    let open_style = if open > 0 {
        env.theme.warn.add_modifier(Modifier::BOLD)
    } else {
        env.theme.ok
    };
    let overdue_style = if overdue > 0 {
        env.theme.alert.add_modifier(Modifier::REVERSED)
    } else {
        env.theme.dim
    };
    let mut line = Line::from(vec![
        Span::styled(format!(" ⚑ {} {open} ", env.t(Text::OpenFlags)), open_style),
        Span::raw("  "),
        Span::styled(
            format!(
                " {} (>{}m) {overdue} ",
                env.t(Text::Overdue),
                env.config.verification.clock_minutes
            ),
            overdue_style,
        ),
        Span::raw("  "),
        {
            let (pending, late) = board.pending_notices;
            let style = if late > 0 {
                env.theme.alert.add_modifier(Modifier::REVERSED)
            } else if pending > 0 {
                env.theme.warn
            } else {
                env.theme.dim
            };
            let late = if late > 0 {
                format!(" ({} {late})", env.t(Text::Late))
            } else {
                String::new()
            };
            Span::styled(
                format!(" {} {pending}{late} ", env.t(Text::PendingStrip)),
                style,
            )
        },
        Span::styled(
            format!(
                "   {} {}",
                env.t(Text::Incidents),
                board.total.max(board.rows.len())
            ),
            env.theme.dim,
        ),
    ]);
    if board.instructions_overdue > 0 {
        line.spans.push(Span::raw("  "));
        line.spans.push(Span::styled(
            format!(
                " {} {} ",
                env.t(Text::SupervisionOverdueStrip),
                board.instructions_overdue
            ),
            env.theme.alert.add_modifier(Modifier::REVERSED),
        ));
    }
    frame.render_widget(Paragraph::new(line), area);
}

fn list(frame: &mut Frame, env: &Env, board: &Board, area: Rect) {
    let title = if board.has_more() {
        format!(
            " {} {}/{} · {} ",
            env.t(Text::Incidents),
            board.rows.len(),
            board.total,
            env.t(Text::MoreAtEnd)
        )
    } else {
        format!(" {} ", env.t(Text::Incidents))
    };
    let b = block(env, title);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let h = usize::from(inner.height.saturating_sub(1));
    board.page.set(h.max(1));
    let w = usize::from(inner.width);
    // Category and place get room when there is room; the summary keeps the rest.
    let (cat_w, place_w) = if w >= 100 { (10, 14) } else { (8, 8) };
    let head = format!(
        "{} {} {} {} {} {}",
        safe_pad(env.t(Text::Number), 12),
        safe_pad(env.t(Text::ReceivedShort), 5),
        safe_pad(env.t(Text::LevelShort), 2),
        safe_pad(env.t(Text::Category), cat_w),
        safe_pad(env.t(Text::Place), place_w),
        env.t(Text::Summary)
    );
    let mut lines = vec![Line::styled(safe_fit(&head, w), env.theme.dim)];
    if board.rows.is_empty() {
        let t = if board.loading {
            Text::Loading
        } else {
            Text::NoIncidents
        };
        lines.push(Line::styled(env.t(t), env.theme.dim));
        if !board.loading {
            lines.push(Line::styled(
                safe_fit(env.t(Text::EmptyBoardHint), w),
                env.theme.accent,
            ));
        }
    }
    let off = window_offset(board.offset.get(), board.selected, h, board.rows.len());
    board.offset.set(off);
    for (i, r) in board.rows.iter().enumerate().skip(off).take(h) {
        let local = env.local(&r.opened_at);
        let at = if local.date_naive() == env.now_local().date_naive() {
            local.format("%H:%M").to_string()
        } else {
            local.format("%m-%d").to_string()
        };
        let level = r.level.map(|l| l.numeral()).unwrap_or("-");
        let cat = r
            .category
            .as_deref()
            .map(|c| env.config.category_name(c, env.lang))
            .unwrap_or("");
        let age = crate::clock::short_duration(crate::clock::elapsed(&r.opened_at, &env.now));
        let badge = if r.open_flags > 0 {
            format!("⚑{}", r.open_flags)
        } else if r.closed {
            env.t(Text::Final).to_string()
        } else {
            String::new()
        };
        let fixed = 12 + 1 + 5 + 1 + 2 + 1 + cat_w + 1 + place_w + 1 + 1 + 4 + 1 + 5;
        let rest = w.saturating_sub(fixed);
        let text = format!(
            "{} {} {} {} {} {} {} {}",
            safe_pad(&r.number, 12),
            safe_pad(&at, 5),
            safe_pad(level, 2),
            safe_pad(cat, cat_w),
            safe_pad(r.location.as_deref().unwrap_or(""), place_w),
            safe_pad(&r.summary, rest),
            safe_pad(&badge, 4),
            safe_pad(&age, 5),
        );
        let style = if i == board.selected {
            env.theme.selected
        } else if r.open_flags > 0 {
            env.theme.warn
        } else if r.closed {
            env.theme.dim
        } else {
            env.theme.text
        };
        lines.push(Line::styled(safe_fit(&text, w), style));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn detail(frame: &mut Frame, env: &Env, board: &Board, area: Rect) {
    let title = match board.selected_row() {
        Some(r) => format!(" {} {} ", env.t(Text::Detail), r.number),
        None => format!(" {} ", env.t(Text::Detail)),
    };
    let b = block(env, title);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let Some(d) = &board.detail else {
        if board.selected_row().is_some() {
            frame.render_widget(Paragraph::new(env.t(Text::Loading)), inner);
        }
        return;
    };
    let inc = &d.incident;
    let latest = inc.latest();
    let open: Vec<_> = inc.open_flags().collect();
    let flags: Vec<_> = open
        .iter()
        .filter(|f| f.report == latest.seq_in_incident)
        .map(|f| &f.flag)
        .collect();
    let mut lines = report_lines(env, latest, &flags, inner.width);
    lines.push(Line::raw(""));
    if open.is_empty() {
        lines.push(Line::styled(env.t(Text::NoFlags), env.theme.ok));
    } else {
        lines.push(Line::styled(env.t(Text::Flags), env.theme.warn));
        for f in &open {
            lines.push(flag_line(env, f, false));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(env.t(Text::Timeline), env.theme.dim));
    lines.extend(timeline_lines(env, &d.timeline));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// Draws the board in `area`.
pub fn render(frame: &mut Frame, env: &Env, board: &Board, area: Rect) {
    let [head, strip, main] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    header(frame, env, head);
    alert_strip(frame, env, board, strip);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(64), Constraint::Percentage(36)]).areas(main);
    list(frame, env, board, left);
    detail(frame, env, board, right);
}
