//! The command palette: every action by name (and its label in the console's language),
//! filtered as you type; Enter runs it on the screen below.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{move_selection, Input, Nav, Out};
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::keymap::{Action, Code};
use crate::tui::widgets::editor::Editor;
use crate::tui::widgets::frame::{centered, popup};

/// The palette's state.
#[derive(Debug, Clone, Default)]
pub struct Palette {
    /// The filter.
    pub query: Editor,
    /// Selected row among the matches.
    pub selected: usize,
}

impl Palette {
    /// Actions matching the query.
    pub fn matches(&self, env: &Env) -> Vec<Action> {
        let q = self.query.text().trim().to_lowercase();
        Action::ALL
            .into_iter()
            .filter(|a| {
                q.is_empty()
                    || a.name().contains(&q)
                    || env.t(Text::action(*a)).to_lowercase().contains(&q)
            })
            .collect()
    }

    /// Handles a key: typing filters, ↑↓ choose, Enter runs, Esc closes.
    pub fn update(&mut self, env: &Env, input: Input) -> Out {
        if let Some(c) = input.typed() {
            self.query.insert(c);
            self.selected = 0;
            return Out::none();
        }
        let n = self.matches(env).len();
        match input.key.map(|k| k.code) {
            Some(Code::Backspace) => {
                self.query.backspace();
                self.selected = 0;
                Out::none()
            }
            Some(Code::Down) => {
                self.selected = move_selection(self.selected, n, Action::Down, 1);
                Out::none()
            }
            Some(Code::Up) => {
                self.selected = move_selection(self.selected, n, Action::Up, 1);
                Out::none()
            }
            Some(Code::Enter) => match self.matches(env).get(self.selected) {
                Some(a) => Out::go(Nav::Run(*a)),
                None => Out::go(Nav::Back),
            },
            Some(Code::Esc) => Out::go(Nav::Back),
            _ => Out::none(),
        }
    }

    /// Draws the palette.
    pub fn render(&self, frame: &mut Frame, env: &Env, area: Rect) {
        let r = centered(area, 60, 26);
        let inner = popup(frame, env, r, env.t(Text::PaletteTitle));
        let mut lines = vec![Line::from(vec![
            Span::styled(": ", env.theme.accent),
            Span::raw(crate::sanitize::line(self.query.text()).into_owned()),
        ])];
        for (i, a) in self.matches(env).into_iter().enumerate() {
            let style = if i == self.selected {
                env.theme.selected
            } else {
                env.theme.text
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<16}", a.name()), style),
                Span::raw(format!(" {:<14}", env.t(Text::action(a)))),
                Span::styled(env.keymap.keys(a), env.theme.dim),
            ]));
        }
        frame.render_widget(Paragraph::new(lines), inner);
        let col = unicode_width::UnicodeWidthStr::width(self.query.text()) as u16 + 2;
        if col < inner.width && inner.height > 0 {
            frame.set_cursor_position(Position::new(inner.x + col, inner.y));
        }
    }
}
