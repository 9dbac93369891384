//! Drawing the intake form: labelled fields (scrolled to keep the focus visible), cues
//! highlighted in place, the live flags beside the form, the save state, and the terminal
//! cursor on the caret of the focused field.

use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::intake::{Confirm, Intake, Phase};
use super::intake_fields::{option_label, FieldId, Value};
use crate::domain::ReportKind;
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::widgets::frame::{block, centered, popup, safe_fit};
use crate::tui::widgets::marked::lay_out;
use crate::tui::widgets::report::marks_for;

const LABEL_W: usize = 12;

fn title(env: &Env, f: &Intake) -> String {
    let kind = match f.kind {
        ReportKind::First => env.t(Text::FormNew),
        ReportKind::FollowUp => env.t(Text::FormFollowUp),
        ReportKind::Final => env.t(Text::FormFinal),
    };
    match &f.incident {
        Some(n) => format!(" {kind} {n} "),
        None => format!(" {kind} "),
    }
}

/// The rows of one field: its display lines and, when focused, the caret (row, column).
fn field_rows(
    env: &Env,
    f: &Intake,
    i: usize,
    width: u16,
) -> (Vec<Line<'static>>, Option<(u16, u16)>) {
    let id = FieldId::ALL[i];
    let focused = f.focus == i;
    let changed = f.changed(id);
    let label = format!("{}{}", if changed { "*" } else { "" }, env.t(id.label()));
    let label_style = if focused {
        env.theme.accent
    } else if changed {
        env.theme.changed
    } else {
        env.theme.dim
    };
    let label = crate::text::pad(&label, LABEL_W);
    let value_w = width.saturating_sub(LABEL_W as u16 + 1);
    let indent = " ".repeat(LABEL_W + 1);
    match &f.values[i] {
        Value::Choice(c) => {
            let text = format!("‹ {} ›", option_label(env, id, *c));
            let style = if focused {
                env.theme.selected
            } else {
                env.theme.text
            };
            let mut spans = vec![
                Span::styled(label, label_style),
                Span::raw(" "),
                Span::styled(text, style),
            ];
            if focused {
                spans.push(Span::styled(
                    format!("  {}", env.t(Text::ChoiceHint)),
                    env.theme.dim,
                ));
            }
            if let (None, Some(s)) = (c, f.suggestion_for(id)) {
                spans.push(Span::styled(
                    format!("  ✎ {}", s.value_text(&env.config, env.lang)),
                    env.theme.accent,
                ));
            }
            if id == FieldId::Level {
                if let Some(l) = f.level_suggested {
                    spans.push(Span::styled(
                        format!("  {}: {}", env.t(Text::Suggested), l.numeral()),
                        env.theme.warn,
                    ));
                }
            }
            (vec![Line::from(spans)], None)
        }
        Value::Text(e) => {
            let marks = marks_for(f.flags.iter(), id.key());
            let laid = lay_out(
                e.text(),
                value_w,
                &marks,
                env.theme.text,
                env.theme.cue,
                focused.then_some(e.caret()),
            );
            let min_rows = if id.multi_line() { 3 } else { 1 };
            let mut lines = Vec::new();
            let n = laid.lines.len().max(min_rows);
            let mut laid_lines = laid.lines.into_iter();
            for row in 0..n {
                let head = if row == 0 {
                    Span::styled(label.clone(), label_style)
                } else {
                    Span::raw(indent[..LABEL_W].to_string())
                };
                let mut spans = vec![head, Span::raw(" ")];
                let read = f
                    .suggestion_for(id)
                    .filter(|_| row == 0 && e.text().trim().is_empty());
                match laid_lines.next() {
                    Some(l) => spans.extend(l.spans),
                    None if row == 0 && focused && id.key().starts_with("casualties") => {
                        spans.push(Span::styled(env.t(Text::CountHint), env.theme.dim))
                    }
                    None if row == 0 && focused && id == FieldId::OccurredAt => {
                        spans.push(Span::styled(env.t(Text::TimeHint), env.theme.dim))
                    }
                    None => {}
                }
                if let Some(s) = read {
                    // An empty field the words can fill: the suggestion after the caret.
                    spans.push(Span::styled(
                        format!("✎ {}", safe_fit(&read_value(env, s), usize::from(value_w))),
                        env.theme.accent,
                    ));
                }
                if row == 0 && id == FieldId::OccurredAt {
                    // The time as read, in full, for the officer to confirm.
                    let typed = e.text().trim();
                    if let Some(t) = crate::rules::when::typed(typed, env.now_local(), env.zone) {
                        let full = env.local(&t).format("%Y-%m-%d %H:%M").to_string();
                        if !typed.starts_with(&full) {
                            spans.push(Span::styled(format!("  = {full}"), env.theme.ok));
                        }
                    }
                }
                lines.push(Line::from(spans));
            }
            let caret = laid.caret.map(|(r, c)| (r, c + LABEL_W as u16 + 1));
            (lines, caret)
        }
    }
}

fn form(frame: &mut Frame, env: &Env, f: &Intake, area: Rect) {
    let b = block(env, Span::styled(title(env, f), env.theme.accent));
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let mut lines: Vec<Line> = Vec::new();
    let mut focus_top = 0;
    let mut focus_rows = 1;
    let mut caret = None;
    for i in 0..FieldId::ALL.len() {
        let (rows, c) = field_rows(env, f, i, inner.width);
        if i == f.focus {
            focus_top = lines.len();
            focus_rows = rows.len();
            caret = c.map(|(r, col)| (lines.len() + usize::from(r), col));
        }
        lines.extend(rows);
    }
    let h = usize::from(inner.height);
    let mut top = f.scroll.get();
    if focus_top < top {
        top = focus_top;
    } else if focus_top + focus_rows > top + h {
        top = (focus_top + focus_rows).saturating_sub(h);
    }
    f.scroll.set(top);
    let visible: Vec<Line> = lines.into_iter().skip(top).take(h).collect();
    frame.render_widget(Paragraph::new(visible), inner);
    if let Some((row, col)) = caret {
        if row >= top && row < top + h && col < inner.width {
            frame.set_cursor_position(Position::new(inner.x + col, inner.y + (row - top) as u16));
        }
    }
}

/// A suggestion's value without its kind word in a casualty field (the label says it).
fn read_value(env: &Env, s: &crate::rules::reading::Suggested) -> String {
    match &s.what {
        crate::rules::reading::Suggestion::Casualty { count, .. } => {
            crate::rules::reading::count_text(count, env.lang)
        }
        crate::rules::reading::Suggestion::Place { location, .. } => {
            crate::sanitize::line(location).into_owned()
        }
        crate::rules::reading::Suggestion::Occurred { at } => match at {
            crate::domain::OccurredAt::At(t) => env.local(t).format("%Y-%m-%d %H:%M").to_string(),
            crate::domain::OccurredAt::Words(w) => crate::sanitize::line(w).into_owned(),
        },
        _ => s.value_text(&env.config, env.lang),
    }
}

/// What the words suggest for the empty fields, each with the words it rests on.
fn suggestions(frame: &mut Frame, env: &Env, f: &Intake, area: Rect) {
    let open: Vec<_> = f.open_suggestions().collect();
    let b = block(
        env,
        Span::styled(
            format!(" ✎ {} {} ", env.t(Text::ReadFromWords), open.len()),
            env.theme.accent,
        ),
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let focused = f.suggestion_for(f.focused());
    let mut lines = Vec::new();
    for s in &open {
        let style = if focused.is_some_and(|x| x.key() == s.key()) {
            env.theme.selected
        } else {
            env.theme.text
        };
        let w = usize::from(inner.width);
        lines.push(Line::styled(
            safe_fit(&s.line(&env.config, env.lang), w),
            style,
        ));
    }
    // A typed count the words contradict: what they say, for Ctrl-Y on that field.
    for d in &f.reading.disagreements {
        let w = usize::from(inner.width);
        let text = format!(
            "{} {} → {} ←「{}」",
            d.kind.name(env.lang),
            crate::rules::reading::count_text(&d.typed, env.lang),
            crate::rules::reading::count_text(&d.said, env.lang),
            crate::sanitize::line(&d.evidence)
        );
        lines.push(Line::styled(safe_fit(&text, w), env.theme.warn));
    }
    if open.is_empty() && f.reading.disagreements.is_empty() {
        lines.push(Line::styled(env.t(Text::ReadNone), env.theme.dim));
    } else {
        lines.push(Line::styled(env.t(Text::ReadUsed), env.theme.dim));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn live_flags(frame: &mut Frame, env: &Env, f: &Intake, area: Rect) {
    let b = block(
        env,
        format!(" {} {} ", env.t(Text::LiveFlags), f.flags.len()),
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let mut lines = Vec::new();
    for fl in &f.flags {
        let label = FieldId::of_flag(&fl.field)
            .map(|id| env.t(id.label()).to_string())
            .unwrap_or_else(|| fl.field.clone());
        let cue = fl
            .cue
            .as_deref()
            .map(|c| format!(" «{}»", crate::sanitize::line(c)))
            .unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(format!("⚑ [{}] ", fl.kind.label(env.lang)), env.theme.warn),
            Span::styled(format!("{label}{cue}"), env.theme.text),
        ]));
        lines.push(Line::styled(
            format!("  {}", crate::sanitize::line(fl.reason(env.lang))),
            env.theme.dim,
        ));
    }
    if f.flags.is_empty() {
        lines.push(Line::styled(env.t(Text::NoFlags), env.theme.ok));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn phase_line(env: &Env, f: &Intake, width: u16) -> Line<'static> {
    let w = usize::from(width);
    match &f.phase {
        Phase::Editing => Line::raw(""),
        Phase::Saving => Line::styled(env.t(Text::Saving), env.theme.warn),
        Phase::Saved(n, flags) => Line::styled(
            safe_fit(
                &format!(
                    "✓ {}  {n}  ⚑{flags}   {}",
                    env.t(Text::Saved),
                    env.t(Text::SavedHint)
                ),
                w,
            ),
            env.theme.ok,
        ),
        Phase::Failed(m) => Line::styled(
            safe_fit(&format!("✗ {}: {m}", env.t(Text::SaveFailed)), w),
            env.theme.alert,
        ),
        Phase::Invalid(t) => Line::styled(format!("✗ {}", env.t(*t)), env.theme.alert),
    }
}

/// Draws the form in `area`.
pub fn render(frame: &mut Frame, env: &Env, f: &Intake, area: Rect) {
    let [body, status] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    let side = (body.width / 3).clamp(20, 40);
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(side)]).areas(body);
    form(frame, env, f, left);
    // Borders, one line per suggestion, and the hint (which may wrap once).
    let n = (f.open_suggestions().count() + f.reading.disagreements.len()) as u16;
    let read_h = (n + 4).min(right.height / 2).max(3);
    let [read, flags] =
        Layout::vertical([Constraint::Length(read_h), Constraint::Min(0)]).areas(right);
    suggestions(frame, env, f, read);
    live_flags(frame, env, f, flags);
    frame.render_widget(Paragraph::new(phase_line(env, f, status.width)), status);
    if let Some(c) = f.confirm {
        let text = match c {
            Confirm::Discard => env.t(Text::DiscardAsk).to_string(),
            Confirm::Quit => env.t(Text::QuitAsk).to_string(),
            Confirm::ResolveAnswered => format!(
                "{} {} {}",
                env.t(Text::AnsweredAsk),
                f.answers.join(" "),
                env.t(Text::AnsweredYesNo)
            ),
        };
        let text = text.as_str();
        let w = (text.width() as u16 + 4).min(area.width);
        let r = centered(area, w, 3);
        let inner = popup(frame, env, r, "?");
        frame.render_widget(Paragraph::new(Line::styled(text, env.theme.alert)), inner);
    }
}
