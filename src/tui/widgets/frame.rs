//! Frames and popups: bordered blocks in the theme, centred rectangles, one-line text fitting.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear};
use ratatui::Frame;

use crate::tui::env::Env;

/// A bordered block titled `title`.
pub fn block<'a>(env: &Env, title: impl Into<Line<'a>>) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_set(env.theme.borders)
        .border_style(env.theme.border)
        .title(title)
}

/// A rectangle of at most `w`×`h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Clears `area` for a popup and draws its block; returns the inner area.
pub fn popup(frame: &mut Frame, env: &Env, area: Rect, title: &str) -> Rect {
    frame.render_widget(Clear, area);
    let b = block(env, Span::styled(format!(" {title} "), env.theme.accent));
    let inner = b.inner(area);
    frame.render_widget(b, area);
    inner
}

/// Outside text made safe and fitted to `w` columns (with `…` when cut).
pub fn safe_fit(s: &str, w: usize) -> String {
    crate::text::fit(&crate::sanitize::line(s), w)
}

/// Outside text made safe, fitted and padded to exactly `w` columns.
pub fn safe_pad(s: &str, w: usize) -> String {
    crate::text::pad(&crate::sanitize::line(s), w)
}

/// A label: value line.
pub fn field_line<'a>(env: &Env, label: &str, value: String, style: Style) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label}: "), env.theme.dim),
        Span::styled(crate::sanitize::line(&value).into_owned(), style),
    ])
}
