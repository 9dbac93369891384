//! The intake form (接报登记): every report element in the order a caller gives them, live
//! verification flags as the officer types, and a save that counts only once the desk answers
//! `Filed` (after the durable write). Follow-up and final reports start from the latest report.

use std::cell::Cell;

use super::intake_fields::{draft_of, option_count, values_of, FieldId, Value};
use super::{Input, Nav, Out};
use crate::domain::{Flag, Incident, Level, Report, ReportDraft, ReportKind};
use crate::rules::reading::Reading;
use crate::service::{Request, Response};
use crate::tui::effect::Effect;
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::keymap::{Action, Code};
use crate::tui::msg::Reply;
use crate::tui::widgets::editor::Editor;

/// The largest paste accepted (bytes).
pub const MAX_PASTE: usize = 64 * 1024;

/// Where the form stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Being filled in.
    Editing,
    /// Sent; waiting for the desk.
    Saving,
    /// Filed durably as this incident, with this many flags.
    Saved(String, usize),
    /// The desk refused or failed (message shown in red); the form is kept.
    Failed(String),
    /// A field does not parse.
    Invalid(Text),
}

/// A question on top of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// Leave the form without saving?
    Discard,
    /// Quit the console without saving?
    Quit,
    /// The follow-up just filed answers earlier flags: resolve them?
    ResolveAnswered,
}

/// The form's state.
#[derive(Debug, Clone)]
pub struct Intake {
    /// First, follow-up or final.
    pub kind: ReportKind,
    /// The incident, for follow-ups and final reports.
    pub incident: Option<String>,
    /// The incident's reports so far (what the verifier compares against).
    pub earlier: Vec<Report>,
    /// Field values in [`FieldId::ALL`] order.
    pub values: Vec<Value>,
    /// The values the form started from (for "changed" marks on follow-ups).
    pub base: Option<Vec<Value>>,
    /// The focused field.
    pub focus: usize,
    /// Flags the verifier raises on the draft as it stands.
    pub flags: Vec<Flag>,
    /// The level the casualties imply.
    pub level_suggested: Option<Level>,
    /// What the report's words suggest for the empty fields (live, with the flags).
    pub reading: Reading,
    /// Suggestions the officer declined (keys): never used for this report.
    pub declined: Vec<String>,
    /// Suggestions the officer accepted into the fields (keys).
    pub accepted: Vec<String>,
    /// Where the form stands.
    pub phase: Phase,
    /// An open question.
    pub confirm: Option<Confirm>,
    /// The earlier flags the report just filed answers (offered to resolve in one step).
    pub answers: Vec<String>,
    /// True once anything was typed.
    pub dirty: bool,
    /// First visible row of the form.
    pub(super) scroll: Cell<usize>,
}

impl Intake {
    /// A blank first report, received now.
    pub fn new(env: &Env) -> Intake {
        let draft = ReportDraft {
            received_at: Some(env.now_local()),
            channel: Some(crate::domain::Channel::Phone),
            ..ReportDraft::default()
        };
        let mut me =
            Intake::from_values(ReportKind::First, None, Vec::new(), values_of(env, &draft));
        me.focus = FieldId::ReporterName as usize;
        me.reassess(env);
        me
    }

    /// A follow-up (or final) report pre-filled from the incident's latest report.
    pub fn follow_up(env: &Env, incident: &Incident, final_report: bool) -> Intake {
        let mut draft = incident.latest().to_draft();
        draft.received_at = Some(env.now_local());
        let values = values_of(env, &draft);
        let kind = if final_report {
            ReportKind::Final
        } else {
            ReportKind::FollowUp
        };
        let mut me = Intake::from_values(
            kind,
            Some(incident.number.0.clone()),
            incident.reports.clone(),
            values.clone(),
        );
        me.base = Some(values);
        me.focus = FieldId::Summary as usize;
        me.reassess(env);
        me
    }

    fn from_values(
        kind: ReportKind,
        incident: Option<String>,
        earlier: Vec<Report>,
        values: Vec<Value>,
    ) -> Intake {
        Intake {
            kind,
            incident,
            earlier,
            values,
            base: None,
            focus: 0,
            flags: Vec::new(),
            level_suggested: None,
            reading: Reading::default(),
            declined: Vec::new(),
            accepted: Vec::new(),
            phase: Phase::Editing,
            confirm: None,
            answers: Vec::new(),
            dirty: false,
            scroll: Cell::new(0),
        }
    }

    /// The focused field.
    pub fn focused(&self) -> FieldId {
        FieldId::ALL[self.focus.min(FieldId::ALL.len() - 1)]
    }

    /// True when a field differs from the report it started from.
    pub fn changed(&self, id: FieldId) -> bool {
        self.base
            .as_ref()
            .is_some_and(|b| b.get(id as usize) != self.values.get(id as usize))
    }

    /// The draft as it would be sent.
    pub fn draft(&self, env: &Env, strict: bool) -> Result<ReportDraft, Text> {
        let mut d = draft_of(env, &self.values, strict)?;
        d.kind = self.kind;
        d.incident = self.incident.clone();
        d.declined = self.declined.clone();
        d.accepted = self.accepted.clone();
        Ok(d)
    }

    /// Runs the verifier on the draft (pure and fast: on every edit).
    pub fn reassess(&mut self, env: &Env) {
        let Ok(draft) = self.draft(env, false) else {
            return;
        };
        let seq = self.earlier.len() as u32;
        let report = Report::from_draft(draft, seq, env.now_local(), &env.actor.officer);
        let a = env.verifier.assess(&report, &self.earlier, env.now);
        self.flags = a.flags;
        self.level_suggested = a.level_suggested;
        self.reading = a.reading;
    }

    fn edit(&mut self, env: &Env, f: impl FnOnce(&mut Editor)) -> Out {
        if let Some(Value::Text(e)) = self.values.get_mut(self.focus) {
            f(e);
            self.dirty = true;
            if matches!(self.phase, Phase::Invalid(_) | Phase::Failed(_)) {
                self.phase = Phase::Editing;
            }
            self.reassess(env);
        }
        Out::none()
    }

    fn caret(&mut self, f: impl FnOnce(&mut Editor)) -> Out {
        if let Some(Value::Text(e)) = self.values.get_mut(self.focus) {
            f(e);
        }
        Out::none()
    }

    fn choose(&mut self, env: &Env, forward: bool) -> Out {
        let n = option_count(env, self.focused());
        if let Some(Value::Choice(c)) = self.values.get_mut(self.focus) {
            // None → first/last; past either end → None (not chosen).
            *c = match (*c, forward) {
                (None, true) => (n > 0).then_some(0),
                (None, false) => n.checked_sub(1),
                (Some(i), true) => (i + 1 < n).then_some(i + 1),
                (Some(i), false) => i.checked_sub(1),
            };
            self.dirty = true;
            self.reassess(env);
        }
        Out::none()
    }

    /// A character typed on a choice field picks the next option whose name (or key, or the
    /// level's digit) contains it; no match says so rather than swallowing the key.
    fn jump_to(&mut self, env: &Env, c: char) -> Out {
        let id = self.focused();
        let n = option_count(env, id);
        let needle = c.to_lowercase().to_string();
        let matches = |i: usize| {
            let mut hay = super::intake_fields::option_label(env, id, Some(i)).to_lowercase();
            match id {
                FieldId::Category => {
                    if let Some(cat) = env.config.categories.get(i) {
                        hay.push(' ');
                        hay.push_str(&cat.key);
                        hay.push(' ');
                        hay.push_str(&cat.en.to_lowercase());
                    }
                }
                FieldId::Level => hay.push_str(&format!(" {}", i + 1)),
                _ => {}
            }
            hay.contains(&needle)
        };
        let start = match self.values.get(self.focus) {
            Some(Value::Choice(Some(i))) => i + 1,
            _ => 0,
        };
        let found = (0..n).map(|k| (start + k) % n.max(1)).find(|&i| matches(i));
        match (found, self.values.get_mut(self.focus)) {
            (Some(i), Some(Value::Choice(slot))) => {
                *slot = Some(i);
                self.dirty = true;
                self.reassess(env);
                Out::none()
            }
            _ => Out::notice(format!("{} «{c}»", env.t(Text::NoOptionMatches)), true),
        }
    }

    fn save(&mut self, env: &Env) -> Out {
        if self.phase == Phase::Saving {
            return Out::none();
        }
        match self.draft(env, true) {
            Err(t) => {
                self.phase = Phase::Invalid(t);
                Out::none()
            }
            Ok(draft) => {
                self.phase = Phase::Saving;
                Out::effects(vec![env.call(Reply::Filed, Request::AddReport { draft })])
            }
        }
    }

    /// The desk answered the save.
    pub fn on_filed(&mut self, env: &Env, response: Response) -> Out {
        match response {
            Response::Filed {
                incident,
                flags,
                answers,
                ..
            } => {
                self.phase = Phase::Saved(incident.clone(), flags.len());
                self.dirty = false;
                if !answers.is_empty() {
                    // An authoritative unit's 续报 answered earlier doubts: one step to resolve.
                    self.answers = answers;
                    self.confirm = Some(Confirm::ResolveAnswered);
                }
                let mut effects: Vec<Effect> = crate::tui::screens::board::Board::refresh(env);
                if self.kind != ReportKind::First {
                    effects.push(env.call(
                        Reply::Incident(incident.clone()),
                        Request::Show { incident },
                    ));
                }
                Out::effects(effects)
            }
            Response::Error { message, .. } => {
                self.phase = Phase::Failed(crate::sanitize::line(&message).into_owned());
                Out::none()
            }
            other => {
                self.phase = Phase::Failed(format!("{other:?}"));
                Out::none()
            }
        }
    }

    /// Pasted text goes into the focused field; it never submits.
    pub fn paste(&mut self, env: &Env, text: &str) -> Out {
        if text.len() > MAX_PASTE {
            return Out::notice(env.t(Text::PasteTooLarge), true);
        }
        if matches!(self.phase, Phase::Saved(..) | Phase::Saving) {
            return Out::none();
        }
        let multi = self.focused().multi_line();
        let clean: String = text
            .replace("\r\n", "\n")
            .chars()
            .filter(|c| *c != '\r')
            .map(|c| if c == '\n' && !multi { ' ' } else { c })
            .collect();
        self.edit(env, |e| e.insert_str(&clean))
    }

    fn move_focus(&mut self, forward: bool) {
        let n = FieldId::ALL.len();
        self.focus = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
    }

    /// Handles a key.
    pub fn update(&mut self, env: &Env, input: Input) -> Out {
        if let Some(c) = self.confirm {
            return match input.typed() {
                Some('y' | 'Y') => {
                    self.confirm = None;
                    match c {
                        Confirm::Discard => Out::go(Nav::Back),
                        Confirm::Quit => Out::go(Nav::Quit),
                        Confirm::ResolveAnswered => match &self.phase {
                            Phase::Saved(incident, _) => {
                                let flags = std::mem::take(&mut self.answers);
                                Out::effects(vec![env.call(
                                    Reply::AnswersResolved(incident.clone()),
                                    Request::ResolveAnswered {
                                        incident: incident.clone(),
                                        flags,
                                    },
                                )])
                            }
                            _ => Out::none(),
                        },
                    }
                }
                Some('n' | 'N') => {
                    self.confirm = None;
                    Out::none()
                }
                _ if input.action == Some(Action::Back) => {
                    self.confirm = None;
                    Out::none()
                }
                _ => Out::none(),
            };
        }
        let unsaved = self.dirty && !matches!(self.phase, Phase::Saved(..));
        match input.action {
            Some(Action::Back) if unsaved => {
                self.confirm = Some(Confirm::Discard);
                return Out::none();
            }
            Some(Action::Back) => return Out::go(Nav::Back),
            Some(Action::Quit) if input.typed().is_none() => {
                if unsaved {
                    self.confirm = Some(Confirm::Quit);
                    return Out::none();
                }
                return Out::go(Nav::Quit);
            }
            _ => {}
        }
        if matches!(self.phase, Phase::Saved(..)) {
            return Out::none();
        }
        if let Some(c) = input.typed() {
            if self.focused().is_choice() {
                return match c {
                    ' ' => self.choose(env, true),
                    c => self.jump_to(env, c),
                };
            }
            return self.edit(env, |e| e.insert(c));
        }
        let Some(key) = input.key else {
            return self.on_action(env, input.action);
        };
        let choice = self.focused().is_choice();
        match key.code {
            Code::Enter if !key.ctrl && !key.alt => {
                if self.focused().multi_line() {
                    self.edit(env, |e| e.insert('\n'))
                } else {
                    self.move_focus(true);
                    Out::none()
                }
            }
            Code::Backspace => self.edit(env, Editor::backspace),
            Code::Delete => self.edit(env, Editor::delete),
            Code::Left if choice => self.choose(env, false),
            Code::Right if choice => self.choose(env, true),
            Code::Left => self.caret(Editor::left),
            Code::Right => self.caret(Editor::right),
            Code::Home if !choice => self.caret(Editor::home),
            Code::End if !choice => self.caret(Editor::end),
            _ => self.on_action(env, input.action),
        }
    }

    fn on_action(&mut self, env: &Env, action: Option<Action>) -> Out {
        match action {
            Some(Action::Save) => self.save(env),
            Some(Action::AcceptSuggestion) => self.accept(env, false),
            Some(Action::AcceptAllSuggestions) => self.accept(env, true),
            Some(Action::DeclineSuggestion) => self.decline(env),
            Some(Action::NextField | Action::Down) => {
                self.move_focus(true);
                Out::none()
            }
            Some(Action::PrevField | Action::Up) => {
                self.move_focus(false);
                Out::none()
            }
            Some(Action::First) => {
                self.focus = 0;
                Out::none()
            }
            Some(Action::Last) => {
                self.focus = FieldId::ALL.len() - 1;
                Out::none()
            }
            _ => Out::none(),
        }
    }

    /// The actions shown in the footer.
    pub const HINTS: [Action; 5] = [
        Action::NextField,
        Action::Save,
        Action::AcceptAllSuggestions,
        Action::Back,
        Action::Help,
    ];
}

impl Intake {
    /// Draws the screen in `area`.
    pub fn render(&self, frame: &mut ratatui::Frame, env: &Env, area: ratatui::layout::Rect) {
        super::intake_view::render(frame, env, self, area)
    }
}
