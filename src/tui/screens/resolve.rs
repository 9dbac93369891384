//! The resolve dialog: how a flag was checked (method), what was found (result), and a note,
//! sent as `Request::ResolveFlag`.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::Out;
use crate::domain::{ResolutionMethod, ResolutionResult};
use crate::service::Request;
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::keymap::{Action, Code};
use crate::tui::msg::Reply;
use crate::tui::widgets::editor::Editor;
use crate::tui::widgets::frame::{centered, popup, safe_fit};
use crate::tui::widgets::marked::lay_out;

/// The dialog's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    /// The incident.
    pub incident: String,
    /// The flag id.
    pub flag: String,
    /// Index into [`ResolutionMethod::ALL`].
    pub method: usize,
    /// Index into [`ResolutionResult::ALL`].
    pub result: usize,
    /// The note.
    pub note: Editor,
    /// 0 method, 1 result, 2 note.
    pub focus: usize,
    /// True while the desk has not answered.
    pub sending: bool,
    /// The desk's refusal, if any.
    pub error: Option<String>,
}

/// What a key did to the dialog.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Still open.
    Stay(Out),
    /// Closed without sending.
    Cancel,
}

impl Resolve {
    /// A dialog for one flag.
    pub fn new(incident: &str, flag: &str) -> Resolve {
        Resolve {
            incident: incident.to_string(),
            flag: flag.to_string(),
            method: 0,
            result: 0,
            note: Editor::default(),
            focus: 0,
            sending: false,
            error: None,
        }
    }

    fn send(&mut self, env: &Env) -> Out {
        if self.sending {
            return Out::none();
        }
        self.sending = true;
        self.error = None;
        let req = Request::ResolveFlag {
            incident: self.incident.clone(),
            flag: self.flag.clone(),
            method: ResolutionMethod::ALL[self.method % 4],
            result: ResolutionResult::ALL[self.result % 4],
            note: self.note.text().to_string(),
        };
        Out::effects(vec![env.call(Reply::Resolved(self.incident.clone()), req)])
    }

    /// Handles a key.
    pub fn update(&mut self, env: &Env, input: super::Input) -> Step {
        if input.action == Some(Action::Back) {
            return Step::Cancel;
        }
        if input.action == Some(Action::Save) {
            return Step::Stay(self.send(env));
        }
        if let Some(c) = input.typed() {
            if self.focus == 2 {
                self.note.insert(c);
            }
            return Step::Stay(Out::none());
        }
        let code = input.key.map(|k| k.code);
        let step = |v: &mut usize, fwd: bool| *v = if fwd { (*v + 1) % 4 } else { (*v + 3) % 4 };
        match (self.focus, code) {
            (_, Some(Code::Tab | Code::Down)) => self.focus = (self.focus + 1) % 3,
            (_, Some(Code::BackTab | Code::Up)) => self.focus = (self.focus + 2) % 3,
            (0, Some(Code::Left)) => step(&mut self.method, false),
            (0, Some(Code::Right)) => step(&mut self.method, true),
            (1, Some(Code::Left)) => step(&mut self.result, false),
            (1, Some(Code::Right)) => step(&mut self.result, true),
            (2, Some(Code::Backspace)) => self.note.backspace(),
            (2, Some(Code::Left)) => self.note.left(),
            (2, Some(Code::Right)) => self.note.right(),
            (_, Some(Code::Enter)) => return Step::Stay(self.send(env)),
            _ => {}
        }
        Step::Stay(Out::none())
    }

    /// Draws the dialog over `area`.
    pub fn render(&self, frame: &mut Frame, env: &Env, area: Rect) {
        let r = centered(area, 64, 9);
        let inner = popup(
            frame,
            env,
            r,
            &format!("{} {}", env.t(Text::Resolve), self.flag),
        );
        let sel = |i: usize| {
            if self.focus == i {
                env.theme.selected
            } else {
                env.theme.text
            }
        };
        let note = lay_out(
            self.note.text(),
            inner.width.saturating_sub(12),
            &[],
            env.theme.text,
            env.theme.text,
            Some(self.note.caret()),
        );
        let mut note_spans = vec![Span::styled(
            format!("{:<10}", env.t(Text::Note)),
            env.theme.dim,
        )];
        note_spans.extend(
            note.lines
                .into_iter()
                .last()
                .map(|l| l.spans)
                .unwrap_or_default(),
        );
        let mut lines = vec![
            Line::from(vec![
                Span::styled(format!("{}: ", env.t(Text::Method)), env.theme.dim),
                Span::styled(
                    format!(
                        "‹ {} ›",
                        ResolutionMethod::ALL[self.method % 4].label(env.lang)
                    ),
                    sel(0),
                ),
            ]),
            Line::from(vec![
                Span::styled(format!("{}: ", env.t(Text::Result)), env.theme.dim),
                Span::styled(
                    format!(
                        "‹ {} ›",
                        ResolutionResult::ALL[self.result % 4].label(env.lang)
                    ),
                    sel(1),
                ),
            ]),
            Line::from(note_spans),
            Line::raw(""),
            Line::styled(env.t(Text::ResolveHint), env.theme.dim),
        ];
        if self.sending {
            lines.push(Line::styled(env.t(Text::Saving), env.theme.warn));
        }
        if let Some(e) = &self.error {
            lines.push(Line::styled(
                safe_fit(e, usize::from(inner.width)),
                env.theme.alert,
            ));
        }
        frame.render_widget(Paragraph::new(lines), inner);
        if self.focus == 2 {
            if let Some((_, col)) = note.caret {
                let x = inner.x + 10 + col;
                if x < inner.x + inner.width && inner.height > 2 {
                    frame.set_cursor_position(Position::new(x, inner.y + 2));
                }
            }
        }
    }
}
