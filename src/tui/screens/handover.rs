//! The handover screen (`h`, 交接班): the items computed by the desk, section by section; the
//! incoming officer marks each seen (Enter or space), the outgoing officer's notes are typed
//! after Tab, and Ctrl-S accepts — refused until every item is seen.

use std::collections::BTreeSet;

use super::{move_selection, Input, Nav, Out};
use crate::domain::handover::HandoverRecord;
use crate::service::{Request, Response};
use crate::tui::effect::Effect;
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::keymap::{Action, Code};
use crate::tui::msg::Reply;

/// The handover screen's state.
#[derive(Debug, Clone, Default)]
pub struct HandoverView {
    /// The handover, once it arrives.
    pub record: Option<Box<HandoverRecord>>,
    /// Ids of the items marked seen.
    pub seen: BTreeSet<String>,
    /// The selected item.
    pub selected: usize,
    /// The outgoing officer's notes.
    pub notes: String,
    /// True while the notes field has the keys.
    pub editing_notes: bool,
    /// True once accepted (the record shows the anchor).
    pub accepted: bool,
}

impl HandoverView {
    /// The request for the running shift's handover.
    pub fn load(&mut self, env: &Env) -> Effect {
        env.call(
            Reply::Handover,
            Request::Handover {
                shift: None,
                lang: Some(env.lang),
            },
        )
    }

    /// The handover arrived (computed, or accepted).
    pub fn set(&mut self, record: Box<HandoverRecord>) {
        self.accepted = record.accepted_at.is_some();
        self.seen
            .retain(|id| record.items.iter().any(|i| &i.id == id));
        self.selected = self.selected.min(record.items.len().saturating_sub(1));
        self.record = Some(record);
    }

    /// True while keys type into the notes.
    pub fn typing(&self) -> bool {
        self.editing_notes
    }

    /// Items not yet seen.
    pub fn unseen(&self) -> usize {
        self.record
            .as_ref()
            .map(|r| {
                r.items
                    .iter()
                    .filter(|i| !self.seen.contains(&i.id))
                    .count()
            })
            .unwrap_or(0)
    }

    /// The outgoing officer: the roster's officer on duty who is not the one signed in.
    fn outgoing(env: &Env, record: &HandoverRecord) -> String {
        env.config
            .officers_on_duty(record.shift)
            .into_iter()
            .find(|o| *o != env.actor.officer)
            .unwrap_or_else(|| record.from.clone())
    }

    /// Marks the selected item seen and moves to the next one (space after space goes
    /// through the list), or unmarks it and stays.
    fn toggle(&mut self) {
        let Some(record) = self.record.as_ref() else {
            return;
        };
        let Some(item) = record.items.get(self.selected) else {
            return;
        };
        if !self.seen.remove(&item.id) {
            self.seen.insert(item.id.clone());
            self.selected = (self.selected + 1).min(record.items.len().saturating_sub(1));
        }
    }

    /// Handles a key.
    pub fn update(&mut self, env: &Env, input: Input) -> Out {
        if self.editing_notes {
            match input.key.map(|k| k.code) {
                Some(Code::Tab) | Some(Code::Esc) => self.editing_notes = false,
                Some(Code::Enter) => self.notes.push('\n'),
                Some(Code::Backspace) => {
                    self.notes.pop();
                }
                _ => match input.typed() {
                    Some(c) => self.notes.push(c),
                    None if input.action == Some(Action::Save) => return self.accept(env),
                    None => {}
                },
            }
            return Out::none();
        }
        if input.key.map(|k| k.code) == Some(Code::Char(' ')) {
            self.toggle();
            return Out::none();
        }
        let Some(action) = input.action else {
            return Out::none();
        };
        let n = self.record.as_ref().map(|r| r.items.len()).unwrap_or(0);
        match action {
            Action::Down
            | Action::Up
            | Action::First
            | Action::Last
            | Action::PageDown
            | Action::PageUp => {
                self.selected = move_selection(self.selected, n, action, 10);
                Out::none()
            }
            Action::Open => {
                self.toggle();
                Out::none()
            }
            Action::NextField | Action::PrevField if !self.accepted => {
                self.editing_notes = true;
                Out::none()
            }
            Action::Save => self.accept(env),
            Action::Refresh => Out::effects(vec![self.load(env)]),
            Action::Back => Out::go(Nav::Back),
            Action::Quit => Out::go(Nav::Quit),
            _ => Out::none(),
        }
    }

    fn accept(&mut self, env: &Env) -> Out {
        let Some(record) = self.record.as_ref().filter(|_| !self.accepted) else {
            return Out::none();
        };
        let left = self.unseen();
        if left > 0 {
            return Out::notice(format!("{} {left}", env.t(Text::HandoverUnseen)), true);
        }
        let req = Request::AcceptHandover {
            from: Self::outgoing(env, record),
            seen: self.seen.iter().cloned().collect(),
            notes: self.notes.clone(),
            lang: Some(env.lang),
        };
        Out::effects(vec![env.call(Reply::Handover, req)])
    }

    /// The desk answered an acceptance or a load.
    pub fn on_answer(&mut self, env: &Env, response: Response) -> Out {
        match response {
            Response::Handover { record, file } => {
                self.set(record);
                match file {
                    Some(f) => Out::notice(
                        format!("{} {}", env.t(Text::HandoverAccepted), f.display()),
                        false,
                    ),
                    None => Out::none(),
                }
            }
            Response::Error { message, .. } => Out::notice(message, true),
            _ => Out::none(),
        }
    }

    /// The actions shown in the footer.
    pub const HINTS: [Action; 5] = [
        Action::Open,
        Action::NextField,
        Action::Save,
        Action::Back,
        Action::Help,
    ];
}
