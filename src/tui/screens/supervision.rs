//! The supervision screen (`i`, 督办): every open instruction across incidents, one row per
//! recipient with its state and countdown, soonest deadline first, overdue in red; the selected
//! instruction's words below; Enter opens its incident.

use std::cell::Cell;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{move_selection, window_offset, Input, Nav, Out};
use crate::domain::Instruction;
use crate::rules::supervision::{countdown, RecipientStatus};
use crate::service::Request;
use crate::tui::effect::Effect;
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::keymap::Action;
use crate::tui::msg::Reply;
use crate::tui::widgets::frame::{block, safe_fit, safe_pad};

/// The supervision screen's state.
#[derive(Debug, Clone, Default)]
pub struct SupervisionView {
    /// Open instructions.
    pub rows: Vec<Instruction>,
    /// One row per recipient, soonest deadline first.
    pub board: Vec<RecipientStatus>,
    /// True until the first answer.
    pub loading: bool,
    /// Selected recipient row.
    pub selected: usize,
    offset: Cell<usize>,
    page: Cell<usize>,
}

impl SupervisionView {
    /// The request for open instructions.
    pub fn load(&mut self, env: &Env) -> Effect {
        self.loading = true;
        env.call(
            Reply::Instructions,
            Request::Instructions {
                open_only: true,
                overdue_only: false,
            },
        )
    }

    /// The answer arrived.
    pub fn set(&mut self, rows: Vec<Instruction>, board: Vec<RecipientStatus>) {
        self.loading = false;
        self.selected = self.selected.min(board.len().saturating_sub(1));
        self.rows = rows;
        self.board = board;
    }

    /// Recipients past their deadline (for the board's alert strip).
    pub fn overdue(&self) -> usize {
        self.board.iter().filter(|r| r.overdue).count()
    }

    /// Handles a key.
    pub fn update(&mut self, env: &Env, input: Input) -> Out {
        let Some(action) = input.action else {
            return Out::none();
        };
        match action {
            Action::Down
            | Action::Up
            | Action::First
            | Action::Last
            | Action::PageDown
            | Action::PageUp => {
                self.selected =
                    move_selection(self.selected, self.board.len(), action, self.page.get());
                Out::none()
            }
            Action::Open => match self.board.get(self.selected) {
                Some(RecipientStatus {
                    incident: Some(no), ..
                }) => Out::go(Nav::Incident(no.clone())),
                Some(_) => Out::notice(env.t(Text::SupervisionStandalone), false),
                None => Out::none(),
            },
            Action::Refresh => Out::effects(vec![self.load(env)]),
            Action::Back => Out::go(Nav::Back),
            Action::Quit => Out::go(Nav::Quit),
            _ => Out::none(),
        }
    }

    /// The actions shown in the footer.
    pub const HINTS: [Action; 5] = [
        Action::Down,
        Action::Open,
        Action::Refresh,
        Action::Back,
        Action::Help,
    ];

    /// Draws the screen.
    pub fn render(&self, frame: &mut Frame, env: &Env, area: Rect) {
        let [head, list, detail] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(4),
            Constraint::Length(6),
        ])
        .areas(area);
        let overdue = self.overdue();
        let mut top = vec![Span::styled(
            format!(" {} ", env.t(Text::SupervisionTitle)),
            env.theme.accent,
        )];
        if self.loading && self.board.is_empty() {
            top.push(Span::styled(env.t(Text::Loading), env.theme.dim));
        } else {
            top.push(Span::raw(format!(
                " {} {}   ",
                self.rows.len(),
                env.t(Text::SupervisionOpen)
            )));
            if overdue > 0 {
                top.push(Span::styled(
                    format!("{overdue} {}", env.t(Text::SupervisionOverdue)),
                    env.theme.alert,
                ));
            }
        }
        frame.render_widget(Paragraph::new(Line::from(top)), head);

        let b = block(env, env.t(Text::SupervisionRecipients));
        let inner = b.inner(list);
        frame.render_widget(b, list);
        let height = inner.height as usize;
        self.page.set(height.max(1));
        if self.board.is_empty() {
            let empty = Paragraph::new(Span::styled(env.t(Text::SupervisionNone), env.theme.dim));
            frame.render_widget(empty, inner);
        } else {
            let off = window_offset(self.offset.get(), self.selected, height, self.board.len());
            self.offset.set(off);
            let lines: Vec<Line> = self
                .board
                .iter()
                .enumerate()
                .skip(off)
                .take(height)
                .map(|(i, r)| self.row(env, i, r, inner.width as usize))
                .collect();
            frame.render_widget(Paragraph::new(lines), inner);
        }

        let b = block(env, env.t(Text::SupervisionWords));
        let inner = b.inner(detail);
        frame.render_widget(b, detail);
        let sel = self.board.get(self.selected);
        if let Some(ins) = sel.and_then(|s| self.rows.iter().find(|i| i.id == s.instruction)) {
            let mut lines = vec![Line::from(vec![
                Span::styled(format!("{} ", ins.leader), env.theme.accent),
                Span::styled(
                    env.local(&ins.received_at)
                        .format("%m-%d %H:%M ")
                        .to_string(),
                    env.theme.dim,
                ),
                Span::raw(ins.text.clone()),
            ])];
            if let Some(a) = &ins.arrangement {
                lines.push(Line::from(format!(
                    "{}{}",
                    env.t(Text::SupervisionArrangement),
                    a.line()
                )));
            }
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
        }
    }

    fn row<'a>(&self, env: &Env, i: usize, r: &RecipientStatus, width: usize) -> Line<'a> {
        let style = if i == self.selected {
            env.theme.selected
        } else if r.overdue {
            env.theme.alert
        } else if r.stale {
            env.theme.warn
        } else {
            env.theme.text
        };
        let mark = if r.overdue {
            env.t(Text::SupervisionOverdue)
        } else if r.stale {
            env.t(Text::SupervisionStale)
        } else {
            ""
        };
        let text = format!(
            "{} {} {} {} {} {:>6} {mark}",
            safe_pad(&r.instruction, 15),
            safe_pad(r.incident.as_deref().unwrap_or("-"), 13),
            safe_pad(&r.name, 16),
            safe_pad(r.stage.label(env.lang), 12),
            env.local(&r.deadline).format("%H:%M"),
            countdown(r.remaining_secs),
        );
        Line::from(Span::styled(safe_fit(&text, width), style))
    }
}
