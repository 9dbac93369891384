//! Sign-in: the officer picks their name from the roster (those on duty today first) or types
//! it. Every later request carries that officer.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{move_selection, Input, Nav, Out};
use crate::domain::Actor;
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::keymap::{Action, Code};
use crate::tui::widgets::editor::Editor;
use crate::tui::widgets::frame::{centered, popup, safe_fit};
use crate::tui::widgets::marked::lay_out;

/// The sign-in screen.
#[derive(Debug, Clone, Default)]
pub struct SignIn {
    /// Officers: on duty today first, then the rest of the roster.
    pub names: Vec<(String, bool)>,
    /// The highlighted name.
    pub selected: usize,
    /// A typed name (wins over the list when not empty).
    pub typed: Editor,
}

impl SignIn {
    /// The list for the shift running now.
    pub fn new(env: &Env) -> SignIn {
        let (day, _) = super::board_view::shift_window(env);
        let on_duty = env.config.officers_on_duty(day);
        let mut names: Vec<(String, bool)> = on_duty.iter().map(|n| (n.clone(), true)).collect();
        for p in env.config.officers() {
            if !on_duty.contains(&p.name) {
                names.push((p.name.clone(), false));
            }
        }
        SignIn {
            names,
            ..SignIn::default()
        }
    }

    /// The name that Enter would sign in.
    pub fn chosen(&self) -> Option<String> {
        let t = self.typed.text().trim();
        if !t.is_empty() {
            return Some(t.to_string());
        }
        self.names.get(self.selected).map(|(n, _)| n.clone())
    }

    /// Handles a key; Enter returns the actor to sign in as.
    pub fn update(&mut self, env: &Env, input: Input) -> (Out, Option<Actor>) {
        if let Some(c) = input.typed() {
            self.typed.insert(c);
            return (Out::none(), None);
        }
        match input.key.map(|k| k.code) {
            Some(Code::Backspace) => self.typed.backspace(),
            Some(Code::Left) => self.typed.left(),
            Some(Code::Right) => self.typed.right(),
            _ => {}
        }
        match input.action {
            Some(Action::Open) => match self.chosen() {
                Some(officer) => {
                    let actor = Actor {
                        officer,
                        os_user: env.actor.os_user.clone(),
                    };
                    (Out::go(Nav::Board), Some(actor))
                }
                None => (Out::none(), None),
            },
            Some(a @ (Action::Down | Action::Up | Action::First | Action::Last)) => {
                self.selected = move_selection(self.selected, self.names.len(), a, 5);
                (Out::none(), None)
            }
            Some(Action::Back | Action::Quit) => (Out::go(Nav::Quit), None),
            _ => (Out::none(), None),
        }
    }

    /// Pasted text goes into the name.
    pub fn paste(&mut self, text: &str) {
        let one_line: String = text.chars().filter(|c| !c.is_control()).take(64).collect();
        self.typed.insert_str(&one_line);
    }

    /// Draws the screen.
    pub fn render(&self, frame: &mut Frame, env: &Env, area: Rect) {
        let h = (self.names.len() as u16 + 7).min(area.height);
        let r = centered(area, 56, h);
        let inner = popup(frame, env, r, env.t(Text::SignInTitle));
        let mut lines = vec![Line::styled(env.t(Text::SignInPrompt), env.theme.dim)];
        for (i, (n, duty)) in self.names.iter().enumerate() {
            let style = if i == self.selected && self.typed.text().is_empty() {
                env.theme.selected
            } else {
                env.theme.text
            };
            let tag = if *duty {
                format!("  ({})", env.t(Text::SignInOnDuty))
            } else {
                String::new()
            };
            lines.push(Line::from(vec![
                Span::styled(format!(" {} ", safe_fit(n, 20)), style),
                Span::styled(tag, env.theme.ok),
            ]));
        }
        lines.push(Line::raw(""));
        let laid = lay_out(
            self.typed.text(),
            inner.width.saturating_sub(4),
            &[],
            env.theme.accent,
            env.theme.accent,
            Some(self.typed.caret()),
        );
        let row = lines.len() as u16;
        let mut spans = vec![Span::styled("> ", env.theme.accent)];
        if let Some(l) = laid.lines.into_iter().next() {
            spans.extend(l.spans);
        }
        lines.push(Line::from(spans));
        lines.push(Line::styled(env.t(Text::SignInHint), env.theme.dim));
        frame.render_widget(Paragraph::new(lines), inner);
        if let Some((0, col)) = laid.caret {
            if row < inner.height && col + 2 < inner.width {
                frame.set_cursor_position(Position::new(inner.x + 2 + col, inner.y + row));
            }
        }
    }
}
