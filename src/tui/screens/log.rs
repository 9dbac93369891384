//! The log view: the event log newest first, filtered with `/` by text, officer or time.

use std::cell::Cell;

use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{move_selection, window_offset, Input, Nav, Out};
use crate::domain::Event;
use crate::service::Request;
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::keymap::{Action, Code};
use crate::tui::msg::Reply;
use crate::tui::widgets::editor::Editor;
use crate::tui::widgets::frame::{block, safe_fit};
use crate::tui::widgets::marked::lay_out;

/// The log view's state.
#[derive(Debug, Clone, Default)]
pub struct LogView {
    /// Events, newest first.
    pub events: Vec<Event>,
    /// One searchable line per event (time, officer, summary), lower-cased.
    haystack: Vec<String>,
    /// Indices of the events that pass the filter.
    pub shown: Vec<usize>,
    /// The filter text.
    pub filter: Editor,
    /// True while typing the filter.
    pub editing: bool,
    /// Selected row of `shown`.
    pub selected: usize,
    offset: Cell<usize>,
    page: Cell<usize>,
}

impl LogView {
    /// The request for the log.
    pub fn load(env: &Env) -> crate::tui::effect::Effect {
        env.call(
            Reply::Log,
            Request::Log {
                since: None,
                after_seq: None,
                limit: Some(5000),
            },
        )
    }

    /// The events arrived (oldest first, as the desk sends them).
    pub fn set(&mut self, env: &Env, mut events: Vec<Event>) {
        events.reverse();
        self.haystack = events
            .iter()
            .map(|e| {
                format!(
                    "{} {} {}",
                    env.local(&e.at).format("%Y-%m-%d %H:%M:%S"),
                    e.officer,
                    crate::present::event_summary(e, env.lang)
                )
                .to_lowercase()
            })
            .collect();
        self.events = events;
        self.refilter();
    }

    fn refilter(&mut self) {
        let needle = self.filter.text().trim().to_lowercase();
        self.shown = (0..self.events.len())
            .filter(|i| needle.is_empty() || self.haystack[*i].contains(&needle))
            .collect();
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }

    /// True while the filter takes typed text.
    pub fn typing(&self) -> bool {
        self.editing
    }

    /// Handles a key.
    pub fn update(&mut self, env: &Env, input: Input) -> Out {
        if self.editing {
            if let Some(c) = input.typed() {
                self.filter.insert(c);
                self.refilter();
                return Out::none();
            }
            match input.key.map(|k| k.code) {
                Some(Code::Backspace) => {
                    self.filter.backspace();
                    self.refilter();
                    return Out::none();
                }
                Some(Code::Enter) => {
                    self.editing = false;
                    return Out::none();
                }
                Some(Code::Esc) => {
                    self.editing = false;
                    self.filter = Editor::default();
                    self.refilter();
                    return Out::none();
                }
                _ => {}
            }
        }
        let Some(action) = input.action else {
            return Out::none();
        };
        match action {
            Action::Filter => {
                self.editing = true;
                Out::none()
            }
            Action::Down
            | Action::Up
            | Action::First
            | Action::Last
            | Action::PageDown
            | Action::PageUp => {
                self.selected =
                    move_selection(self.selected, self.shown.len(), action, self.page.get());
                Out::none()
            }
            Action::Refresh => Out::effects(vec![LogView::load(env)]),
            Action::Back if !self.filter.text().is_empty() => {
                self.filter = Editor::default();
                self.refilter();
                Out::none()
            }
            Action::Back => Out::go(Nav::Back),
            Action::Quit => Out::go(Nav::Quit),
            _ => Out::none(),
        }
    }

    /// The actions shown in the footer.
    pub const HINTS: [Action; 5] = [
        Action::Filter,
        Action::Down,
        Action::Last,
        Action::Back,
        Action::Help,
    ];

    /// Draws the view (only the visible window of events).
    pub fn render(&self, frame: &mut Frame, env: &Env, area: Rect) {
        let [bar, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
        let laid = lay_out(
            self.filter.text(),
            bar.width.saturating_sub(30),
            &[],
            env.theme.accent,
            env.theme.accent,
            Some(self.filter.caret()),
        );
        let prompt = env.t(Text::FilterPrompt);
        let pw = unicode_width::UnicodeWidthStr::width(prompt) as u16 + 1;
        let mut spans = vec![Span::styled(format!("{prompt} "), env.theme.dim)];
        if let Some(l) = laid.lines.into_iter().next() {
            spans.extend(l.spans);
        }
        spans.push(Span::styled(
            format!("  {}/{}", self.shown.len(), self.events.len()),
            env.theme.dim,
        ));
        frame.render_widget(Paragraph::new(Line::from(spans)), bar);
        if self.editing {
            if let Some((0, col)) = laid.caret {
                if pw + col < bar.width {
                    frame.set_cursor_position(Position::new(bar.x + pw + col, bar.y));
                }
            }
        }
        let b = block(
            env,
            Span::styled(format!(" {} ", env.t(Text::LogTitle)), env.theme.accent),
        );
        let inner = b.inner(list);
        frame.render_widget(b, list);
        let h = usize::from(inner.height);
        self.page.set(h.max(1));
        let off = window_offset(self.offset.get(), self.selected, h, self.shown.len());
        self.offset.set(off);
        let w = usize::from(inner.width);
        let lines: Vec<Line> = self
            .shown
            .iter()
            .enumerate()
            .skip(off)
            .take(h)
            .map(|(row, &i)| {
                let e = &self.events[i];
                let text = format!(
                    "#{:<6} {} {} {}",
                    e.seq,
                    env.local(&e.at).format("%m-%d %H:%M:%S"),
                    crate::text::pad(&crate::sanitize::line(&e.officer), 8),
                    crate::present::event_summary(e, env.lang)
                );
                let style = if row == self.selected {
                    env.theme.selected
                } else {
                    env.theme.text
                };
                Line::styled(safe_fit(&text, w), style)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
