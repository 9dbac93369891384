//! Help for the current screen: what it is for, and every action with its keys.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::keymap::Action;
use crate::tui::widgets::frame::{centered, popup};

/// Draws the help popup; `about` says what the current screen is for.
pub fn render(frame: &mut Frame, env: &Env, about: Text, area: Rect) {
    let r = centered(area, 72, 28);
    let inner = popup(frame, env, r, env.t(Text::HelpTitle));
    let mut lines = vec![Line::styled(env.t(about), env.theme.accent), Line::raw("")];
    for a in Action::ALL {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<22}", env.keymap.keys(a)), env.theme.accent),
            Span::raw(format!("{:<16}", env.t(Text::action(a)))),
            Span::styled(a.name(), env.theme.dim),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
