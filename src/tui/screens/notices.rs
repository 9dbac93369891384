//! The notices screen (报告 · 通报 · 回执). Two modes: for one incident, the proposed recipients
//! (each with why) and the text; space toggles a recipient, Ctrl-S queues them durably and hands
//! them to their channels. And the list of every unacknowledged notice with its countdown;
//! `a` records an acknowledgement (回执), `c` a phone call that reached its recipient.

use std::cell::Cell;

use super::{move_selection, Input, Nav, Out};
use crate::domain::{CallOutcome, Notice};
use crate::service::api::NoticeProposal;
use crate::service::Request;
use crate::tui::effect::Effect;
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::keymap::Action;
use crate::tui::msg::Reply;

/// Which list the screen shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Proposing notices for an incident.
    Send {
        /// The incident.
        incident: String,
        /// The proposal, once it arrives.
        proposal: Option<Box<NoticeProposal>>,
        /// Which proposed recipients are chosen.
        chosen: Vec<bool>,
    },
    /// Every notice not yet acknowledged.
    Pending,
}

/// The screen's state.
#[derive(Debug, Clone)]
pub struct NoticesView {
    /// Send or pending.
    pub mode: Mode,
    /// Pending notices, the latest first, those without a deadline last.
    pub pending: Vec<Notice>,
    /// Selected row.
    pub selected: usize,
    /// True while a request is out.
    pub busy: bool,
    pub(super) offset: Cell<usize>,
    pub(super) page: Cell<usize>,
}

impl Default for NoticesView {
    fn default() -> Self {
        NoticesView {
            mode: Mode::Pending,
            pending: Vec::new(),
            selected: 0,
            busy: false,
            offset: Cell::new(0),
            page: Cell::new(1),
        }
    }
}

/// The request for every pending notice.
pub fn load_pending(env: &Env) -> Effect {
    env.call(
        Reply::Notices,
        Request::Notices {
            incident: None,
            pending_only: true,
        },
    )
}

impl NoticesView {
    /// Opens the proposal for an incident.
    pub fn propose(env: &Env, incident: &str) -> (NoticesView, Effect) {
        let v = NoticesView {
            mode: Mode::Send {
                incident: incident.to_string(),
                proposal: None,
                chosen: Vec::new(),
            },
            busy: true,
            ..NoticesView::default()
        };
        let e = env.call(
            Reply::Proposal,
            Request::ProposeNotice {
                incident: incident.to_string(),
                kind: None,
                add: Vec::new(),
                remove: Vec::new(),
                instruction: None,
            },
        );
        (v, e)
    }

    /// Opens the pending list.
    pub fn pending(env: &Env) -> (NoticesView, Effect) {
        (
            NoticesView {
                busy: true,
                ..NoticesView::default()
            },
            load_pending(env),
        )
    }

    /// The proposal arrived: every recipient chosen.
    pub fn set_proposal(&mut self, p: Box<NoticeProposal>) {
        self.busy = false;
        if let Mode::Send {
            proposal, chosen, ..
        } = &mut self.mode
        {
            *chosen = vec![true; p.recipients.len()];
            *proposal = Some(p);
        }
    }

    /// The pending notices arrived.
    pub fn set_pending(&mut self, mut rows: Vec<Notice>) {
        self.busy = false;
        crate::rules::escalation::sort_by_lateness(&mut rows);
        self.pending = rows;
        self.selected = self.selected.min(self.pending.len().saturating_sub(1));
    }

    fn rows(&self) -> usize {
        match &self.mode {
            Mode::Send { proposal, .. } => proposal.as_ref().map_or(0, |p| p.recipients.len()),
            Mode::Pending => self.pending.len(),
        }
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
                self.selected = move_selection(self.selected, self.rows(), action, self.page.get());
                Out::none()
            }
            Action::Toggle => {
                if let Mode::Send { chosen, .. } = &mut self.mode {
                    if let Some(c) = chosen.get_mut(self.selected) {
                        *c = !*c;
                    }
                }
                Out::none()
            }
            Action::Save | Action::SendNotices => self.send(env),
            Action::Acknowledge => self.on_pending(env, |n| Request::Acknowledge {
                token: n.q.token.clone(),
                by: None,
                via: "console".into(),
                note: String::new(),
            }),
            Action::CallReached => self.on_pending(env, |n| Request::RecordCall {
                notice: n.q.id.clone(),
                outcome: CallOutcome::Reached,
                note: String::new(),
            }),
            Action::Refresh => match &self.mode {
                Mode::Pending => Out::effects(vec![load_pending(env)]),
                Mode::Send { incident, .. } => {
                    let (v, e) = NoticesView::propose(env, incident);
                    *self = v;
                    Out::effects(vec![e])
                }
            },
            Action::Open => match &self.mode {
                Mode::Pending => match self.pending.get(self.selected) {
                    Some(n) => Out::go(Nav::Incident(n.q.incident.clone())),
                    None => Out::none(),
                },
                Mode::Send { .. } => Out::none(),
            },
            Action::Back => Out::go(Nav::Back),
            Action::Quit => Out::go(Nav::Quit),
            _ => Out::none(),
        }
    }

    fn send(&mut self, env: &Env) -> Out {
        let Mode::Send {
            incident,
            proposal: Some(p),
            chosen,
        } = &self.mode
        else {
            return Out::none();
        };
        let recipients: Vec<String> = p
            .recipients
            .iter()
            .zip(chosen)
            .filter(|(_, c)| **c)
            .map(|(r, _)| r.name.clone())
            .collect();
        if recipients.is_empty() || self.busy {
            return Out::notice(env.t(Text::NoRecipients).to_string(), true);
        }
        self.busy = true;
        Out::effects(vec![env.call(
            Reply::Sent,
            Request::SendNotice {
                incident: incident.clone(),
                kind: Some(p.notice_kind),
                recipients,
                instruction: None,
            },
        )])
    }

    fn on_pending(&mut self, env: &Env, req: impl Fn(&Notice) -> Request) -> Out {
        match (&self.mode, self.pending.get(self.selected)) {
            (Mode::Pending, Some(n)) => {
                self.busy = true;
                Out::effects(vec![env.call(Reply::NoticeRecorded, req(n))])
            }
            _ => Out::none(),
        }
    }

    /// The actions shown in the footer.
    pub fn hints(&self) -> &'static [Action] {
        match self.mode {
            Mode::Send { .. } => &[
                Action::Toggle,
                Action::Save,
                Action::Down,
                Action::Back,
                Action::Help,
            ],
            Mode::Pending => &[
                Action::Acknowledge,
                Action::CallReached,
                Action::Open,
                Action::Back,
                Action::Help,
            ],
        }
    }
}
