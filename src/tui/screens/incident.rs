//! The incident view: every report in sequence (初报, 续报一…, 终报), the flags with a resolve
//! action, and the full timeline. Drawing is in `incident_view`.

use std::cell::Cell;

use super::resolve::{Resolve, Step};
use super::{move_selection, Input, Nav, Out};
use crate::domain::{Event, Incident};
use crate::service::{Request, Response};
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::keymap::Action;
use crate::tui::msg::Reply;

/// The incident view's state.
#[derive(Debug, Clone)]
pub struct IncidentView {
    /// The number shown.
    pub number: String,
    /// The incident, once loaded.
    pub incident: Option<Box<Incident>>,
    /// Its events.
    pub timeline: Vec<Event>,
    /// The selected flag (index into the incident's flags).
    pub flag: usize,
    /// Lines scrolled in the reports pane.
    pub scroll: u16,
    /// The resolve dialog, when open.
    pub resolve: Option<Resolve>,
    /// Leaders' instructions on this incident: one row per recipient (督办).
    pub instructions: Vec<crate::rules::supervision::RecipientStatus>,
    /// Rows of the reports pane in the last frame.
    pub(super) page: Cell<u16>,
}

impl IncidentView {
    /// A view waiting for its incident; returns the request for it.
    pub fn open(env: &Env, number: &str) -> (IncidentView, Out) {
        let view = IncidentView {
            number: number.to_string(),
            incident: None,
            timeline: Vec::new(),
            flag: 0,
            scroll: 0,
            resolve: None,
            instructions: Vec::new(),
            page: Cell::new(10),
        };
        (view, Out::effects(vec![IncidentView::load(env, number)]))
    }

    /// The request that (re)loads an incident.
    pub fn load(env: &Env, number: &str) -> crate::tui::effect::Effect {
        env.call(
            Reply::Incident(number.to_string()),
            Request::Show {
                incident: number.to_string(),
            },
        )
    }

    /// The incident arrived.
    pub fn set(&mut self, incident: Box<Incident>, timeline: Vec<Event>) {
        // Open flags first in the list; keep the selection in range.
        self.flag = self.flag.min(incident.flags.len().saturating_sub(1));
        self.incident = Some(incident);
        self.timeline = timeline;
    }

    /// Flags in display order: open ones first.
    pub fn ordered_flags(&self) -> Vec<&crate::domain::incident::FlagState> {
        let Some(inc) = &self.incident else {
            return Vec::new();
        };
        let mut v: Vec<_> = inc.flags.iter().collect();
        v.sort_by_key(|f| !f.is_open());
        v
    }

    /// The desk answered a resolution.
    pub fn on_resolved(&mut self, env: &Env, response: Response) -> Out {
        match response {
            Response::Recorded { .. } => {
                self.resolve = None;
                let mut effects = vec![IncidentView::load(env, &self.number)];
                effects.extend(crate::tui::screens::board::Board::refresh(env));
                Out {
                    effects,
                    notice: Some((env.t(Text::Resolved).to_string(), false)),
                    nav: None,
                }
            }
            Response::Error { message, .. } => {
                if let Some(r) = &mut self.resolve {
                    r.sending = false;
                    r.error = Some(crate::sanitize::line(&message).into_owned());
                }
                Out::none()
            }
            _ => Out::none(),
        }
    }

    /// True while a dialog takes typed text.
    pub fn typing(&self) -> bool {
        self.resolve.is_some()
    }

    /// Handles a key.
    pub fn update(&mut self, env: &Env, input: Input) -> Out {
        if let Some(r) = &mut self.resolve {
            return match r.update(env, input) {
                Step::Stay(out) => out,
                Step::Cancel => {
                    self.resolve = None;
                    Out::none()
                }
            };
        }
        let Some(action) = input.action else {
            return Out::none();
        };
        let n = self.ordered_flags().len();
        match action {
            Action::Down | Action::Up | Action::First | Action::Last => {
                self.flag = move_selection(self.flag, n, action, 5);
                Out::none()
            }
            Action::PageDown => {
                self.scroll = self.scroll.saturating_add(self.page.get().max(1));
                Out::none()
            }
            Action::PageUp => {
                self.scroll = self.scroll.saturating_sub(self.page.get().max(1));
                Out::none()
            }
            Action::ResolveFlag => {
                let open = self
                    .ordered_flags()
                    .get(self.flag)
                    .filter(|f| f.is_open())
                    .map(|f| f.flag.id.clone());
                match open {
                    Some(id) => {
                        self.resolve = Some(Resolve::new(&self.number, &id));
                        Out::none()
                    }
                    None => Out::notice(env.t(Text::NoFlagSelected), true),
                }
            }
            Action::FollowUp | Action::FinalReport => match &self.incident {
                Some(inc) if inc.closed => Out::notice(env.t(Text::IncidentClosed), true),
                Some(inc) => Out::go(Nav::FollowUp {
                    incident: inc.clone(),
                    final_report: action == Action::FinalReport,
                }),
                None => Out::none(),
            },
            Action::Refresh => Out::effects(vec![IncidentView::load(env, &self.number)]),
            Action::Back => Out::go(Nav::Back),
            Action::Quit => Out::go(Nav::Quit),
            Action::Log => Out::go(Nav::Log),
            Action::Audit => Out::go(Nav::Audit),
            Action::Notices => Out::go(Nav::Notices),
            Action::SendNotices => Out::go(Nav::SendNotices(self.number.clone())),
            Action::Supervision => Out::go(Nav::Supervision),
            _ => Out::none(),
        }
    }

    /// The actions shown in the footer.
    pub const HINTS: [Action; 7] = [
        Action::Down,
        Action::ResolveFlag,
        Action::FollowUp,
        Action::FinalReport,
        Action::PageDown,
        Action::Back,
        Action::Help,
    ];

    /// Draws the screen in `area`.
    pub fn render(&self, frame: &mut ratatui::Frame, env: &Env, area: ratatui::layout::Rect) {
        super::incident_view::render(frame, env, self, area)
    }
}
