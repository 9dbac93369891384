//! The thin router: which screen is active, which overlay is open, and where a message goes.
//! Each screen owns its state, update and render; this file only forwards and navigates.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::effect::Effect;
use super::env::Env;
use super::i18n::Text;
use super::keymap::Action;
use super::msg::{Msg, Reply};
use super::screens::audit::AuditView;
use super::screens::board::{Board, Detail};
use super::screens::handover::HandoverView;
use super::screens::incident::IncidentView;
use super::screens::intake::Intake;
use super::screens::log::LogView;
use super::screens::notices::NoticesView;
use super::screens::palette::Palette;
use super::screens::signin::SignIn;
use super::screens::supervision::SupervisionView;
use super::screens::{help, Input, Nav, Out};
use crate::service::{Request, Response};

/// The smallest usable terminal.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// The active screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Sign-in.
    SignIn,
    /// The board.
    Board,
    /// The intake form.
    Intake,
    /// One incident.
    Incident,
    /// The log.
    Log,
    /// The response-time audit.
    Audit,
    /// Notices: a proposal to send, or the pending list.
    Notices,
    /// Instructions and supervision.
    Supervision,
    /// The shift handover.
    Handover,
}

/// An overlay above the screen.
#[derive(Debug, Clone)]
pub enum Overlay {
    /// Help for the screen below.
    Help,
    /// The command palette.
    Palette(Palette),
}

/// The console's whole state.
#[derive(Debug)]
pub struct App {
    /// Shared context.
    pub env: Env,
    /// The active screen.
    pub route: Route,
    /// Where Back goes.
    pub history: Vec<Route>,
    /// Sign-in.
    pub signin: SignIn,
    /// The board.
    pub board: Board,
    /// The form, while one is open.
    pub intake: Option<Intake>,
    /// The incident view, while open.
    pub incident: Option<IncidentView>,
    /// The log view.
    pub log: LogView,
    /// The audit screen.
    pub audit: AuditView,
    /// The notices screen.
    pub notices: NoticesView,
    /// Notices not yet acknowledged, and how many are past their deadline (alert strip).
    pub pending_notices: (usize, usize),
    /// The supervision screen.
    pub supervision: SupervisionView,
    /// The handover screen.
    pub handover: HandoverView,
    /// Help or palette.
    pub overlay: Option<Overlay>,
    /// The status line: text, and whether it is an alert.
    pub notice: Option<(String, bool)>,
    /// Recovery notes from opening the store.
    pub recovery: Vec<String>,
}

impl App {
    /// A console at the sign-in screen.
    pub fn new(env: Env) -> App {
        App {
            signin: SignIn::new(&env),
            env,
            route: Route::SignIn,
            history: Vec::new(),
            board: Board::new(),
            intake: None,
            incident: None,
            log: LogView::default(),
            audit: AuditView::default(),
            notices: NoticesView::default(),
            pending_notices: (0, 0),
            supervision: SupervisionView::default(),
            handover: HandoverView::default(),
            overlay: None,
            notice: None,
            recovery: Vec::new(),
        }
    }

    /// The effects to run at start (the store's status, for recovery notes).
    pub fn start(&self) -> Vec<Effect> {
        // The list loads while the officer signs in: the board is ready when they are.
        let mut effects = vec![self.env.call(Reply::Status, Request::Status)];
        let open = Request::Instructions {
            open_only: true,
            overdue_only: false,
        };
        effects.push(self.env.call(Reply::Instructions, open));
        effects.extend(Board::refresh(&self.env));
        self.board.size_requests(&mut effects);
        effects
    }

    fn typing(&self) -> bool {
        match self.route {
            Route::SignIn | Route::Intake => true,
            Route::Incident => self.incident.as_ref().is_some_and(IncidentView::typing),
            Route::Log => self.log.typing(),
            Route::Audit | Route::Notices | Route::Supervision => false,
            Route::Handover => self.handover.typing(),
            Route::Board => false,
        }
    }

    /// The one entry point: a message in, effects out.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let out = match msg {
            Msg::Tick(now) => {
                self.env.now = now;
                self.board.recount(&self.env);
                // Delivery results and acknowledgements arrive through the desk's own tick:
                // the open pending list follows every second, the board's count every 15 s.
                let pending_open = self.route == Route::Notices
                    && self.notices.mode == super::screens::notices::Mode::Pending
                    && !self.notices.busy;
                let mut effects = Vec::new();
                if pending_open || (self.route == Route::Board && now.timestamp() % 15 == 0) {
                    effects.push(super::screens::notices::load_pending(&self.env));
                }
                // The banner follows the desk's state (a clock that fell behind the log, say).
                if now.timestamp() % 60 == 0 {
                    effects.push(self.env.call(Reply::Status, Request::Status));
                }
                Out::effects(effects)
            }
            Msg::Resized => Out::none(),
            // What arrived through the socket shows at once: the board and the pending list.
            Msg::Changed => Out::effects(crate::tui::screens::board::Board::refresh(&self.env)),
            Msg::Paste(text) => self.paste(&text),
            Msg::Key(key) => {
                let input = Input {
                    key: Some(key),
                    action: self.env.keymap.action(key),
                };
                self.input(input)
            }
            Msg::Answer { reply, response } => self.answer(reply, response),
        };
        let mut effects = self.apply(out);
        self.board.size_requests(&mut effects);
        effects
    }

    fn paste(&mut self, text: &str) -> Out {
        match self.route {
            Route::Intake => match &mut self.intake {
                Some(f) => f.paste(&self.env, text),
                None => Out::none(),
            },
            Route::SignIn if text.len() <= super::screens::intake::MAX_PASTE => {
                self.signin.paste(text);
                Out::none()
            }
            _ if text.len() > super::screens::intake::MAX_PASTE => {
                Out::notice(self.env.t(Text::PasteTooLarge), true)
            }
            _ => Out::none(),
        }
    }

    fn input(&mut self, input: Input) -> Out {
        if let Some(o) = &mut self.overlay {
            return match o {
                Overlay::Help => {
                    self.overlay = None;
                    Out::none()
                }
                Overlay::Palette(p) => p.update(&self.env, input),
            };
        }
        let typed = input.typed().is_some();
        match input.action {
            Some(Action::Help) if !(typed && self.typing()) => {
                self.overlay = Some(Overlay::Help);
                return Out::none();
            }
            Some(Action::Palette) if !(typed && self.typing()) && self.route != Route::SignIn => {
                self.overlay = Some(Overlay::Palette(Palette::default()));
                return Out::none();
            }
            _ => {}
        }
        self.notice = None;
        let env = &self.env;
        match self.route {
            Route::SignIn => {
                let (out, actor) = self.signin.update(env, input);
                if let Some(actor) = actor {
                    self.env.actor = actor;
                    let mut effects = vec![self.env.call(Reply::SignedIn, Request::SignIn)];
                    effects.extend(Board::refresh(&self.env));
                    return Out {
                        effects,
                        nav: out.nav,
                        notice: None,
                    };
                }
                out
            }
            Route::Board => self.board.update(env, input),
            Route::Intake => match &mut self.intake {
                Some(f) => f.update(env, input),
                None => Out::go(Nav::Board),
            },
            Route::Incident => match &mut self.incident {
                Some(v) => v.update(env, input),
                None => Out::go(Nav::Board),
            },
            Route::Log => self.log.update(env, input),
            Route::Audit => self.audit.update(env, input),
            Route::Notices => self.notices.update(env, input),
            Route::Supervision => self.supervision.update(env, input),
            Route::Handover => self.handover.update(env, input),
        }
    }

    fn answer(&mut self, reply: Reply, response: Response) -> Out {
        let env = &self.env;
        match (reply, response) {
            (Reply::Filed, r) => match &mut self.intake {
                Some(f) => f.on_filed(env, r),
                None => Out::none(),
            },
            (Reply::AnswersResolved(_), Response::Recorded { .. }) => {
                let mut out = Out::notice(env.t(Text::AnswersResolved).to_string(), false);
                out.effects
                    .extend(crate::tui::screens::board::Board::refresh(env));
                out
            }
            (Reply::Resolved(_), r) => match &mut self.incident {
                Some(v) => v.on_resolved(env, r),
                None => Out::none(),
            },
            (_, Response::Error { message, .. }) => {
                self.notices.busy = false;
                Out::notice(crate::sanitize::line(&message).into_owned(), true)
            }
            (Reply::Status, Response::Status(s)) => {
                self.recovery = s.open_notes;
                self.recovery.extend(s.clock_behind);
                let moved = self.env.shift != s.shift;
                self.env.shift = s.shift;
                // The names sign-in offers are those of the shift the desk says is running.
                if moved && self.route == Route::SignIn && self.signin.typed.text().is_empty() {
                    self.signin = SignIn::new(&self.env);
                }
                Out::none()
            }
            (Reply::Rows, Response::Incidents { rows, total }) => {
                self.board.set_rows(env, rows, total)
            }
            (
                Reply::Detail(n),
                Response::Incident {
                    incident, timeline, ..
                },
            ) => {
                self.board.set_detail(&n, Detail { incident, timeline });
                Out::none()
            }
            (
                Reply::Incident(n),
                Response::Incident {
                    incident, timeline, ..
                },
            ) => {
                if let Some(v) = self.incident.as_mut().filter(|v| v.number == n) {
                    v.set(incident, timeline);
                }
                Out::none()
            }
            (Reply::Seed { final_report }, Response::Incident { incident, .. }) => {
                Out::go(Nav::FollowUp {
                    incident,
                    final_report,
                })
            }
            (Reply::Proposal, Response::Proposal(p)) => {
                self.notices.set_proposal(p);
                Out::none()
            }
            (Reply::Sent, Response::Queued { notices, .. }) => {
                let (v, e) = NoticesView::pending(env);
                self.notices = v;
                let mut out = Out::notice(
                    format!("{} {}", env.t(Text::NoticesQueued), notices.len()),
                    false,
                );
                out.effects.push(e);
                out
            }
            (Reply::Notices, Response::Notices { rows }) => {
                let now = env.now_local();
                let late = rows
                    .iter()
                    .filter(|n| n.q.deadline.is_some_and(|d| d < now))
                    .count();
                self.pending_notices = (rows.len(), late);
                self.board.pending_notices = (rows.len(), late);
                self.notices.set_pending(rows);
                Out::none()
            }
            (Reply::NoticeRecorded, Response::Recorded { .. }) => {
                let mut out = Out::notice(env.t(Text::Recorded).to_string(), false);
                out.effects.push(super::screens::notices::load_pending(env));
                out
            }
            (Reply::Instructions, Response::Instructions { rows, board }) => {
                if let Some(v) = self.incident.as_mut() {
                    v.instructions = board
                        .iter()
                        .filter(|r| r.incident.as_deref() == Some(v.number.as_str()))
                        .cloned()
                        .collect();
                }
                self.supervision.set(rows, board);
                self.board.instructions_overdue = self.supervision.overdue();
                Out::none()
            }
            (Reply::Handover, r) => {
                // An accepted handover may start the next shift early: ask the desk which runs.
                let accepted =
                    matches!(&r, Response::Handover { record, .. } if record.accepted_at.is_some());
                let mut out = self.handover.on_answer(env, r);
                if accepted {
                    out.effects.push(env.call(Reply::Status, Request::Status));
                }
                out
            }
            (Reply::Audit, Response::Audit(report)) => {
                self.audit.set(report);
                Out::none()
            }
            (Reply::Log, Response::Events { events }) => {
                self.log.set(env, events);
                Out::none()
            }
            _ => Out::none(),
        }
    }

    fn go(&mut self, route: Route) {
        if self.route != route {
            self.history.push(self.route);
            self.route = route;
        }
    }

    fn apply(&mut self, out: Out) -> Vec<Effect> {
        let mut effects = out.effects;
        if out.notice.is_some() {
            self.notice = out.notice;
        }
        let Some(nav) = out.nav else {
            return effects;
        };
        match nav {
            Nav::Board => {
                self.history.clear();
                self.route = Route::Board;
            }
            Nav::NewReport => {
                self.intake = Some(Intake::new(&self.env));
                self.go(Route::Intake);
            }
            Nav::FollowUp {
                incident,
                final_report,
            } => {
                self.intake = Some(Intake::follow_up(&self.env, &incident, final_report));
                self.go(Route::Intake);
            }
            Nav::Incident(n) => {
                let (v, out) = IncidentView::open(&self.env, &n);
                self.incident = Some(v);
                effects.extend(out.effects);
                effects.push(self.supervision.load(&self.env));
                self.go(Route::Incident);
            }
            Nav::SendNotices(n) => {
                let (v, e) = NoticesView::propose(&self.env, &n);
                self.notices = v;
                effects.push(e);
                self.go(Route::Notices);
            }
            Nav::Notices => {
                let (v, e) = NoticesView::pending(&self.env);
                self.notices = v;
                effects.push(e);
                self.go(Route::Notices);
            }
            Nav::Supervision => {
                effects.push(self.supervision.load(&self.env));
                self.go(Route::Supervision);
            }
            Nav::Handover => {
                effects.push(self.handover.load(&self.env));
                self.go(Route::Handover);
            }
            Nav::Audit => {
                effects.push(self.audit.load(&self.env));
                self.go(Route::Audit);
            }
            Nav::Log => {
                effects.push(LogView::load(&self.env));
                self.go(Route::Log);
            }
            Nav::Back if self.overlay.is_some() => self.overlay = None,
            Nav::Back => {
                if self.route == Route::Intake {
                    self.intake = None;
                }
                self.route = self.history.pop().unwrap_or(Route::Board);
            }
            Nav::Quit => effects.push(Effect::Quit {
                reason: "quit".into(),
            }),
            Nav::Run(action) => {
                self.overlay = None;
                let more = self.input(Input::action(action));
                effects.extend(self.apply(more));
            }
        }
        effects
    }

    /// True when an unsaved form would be lost.
    pub fn unsaved(&self) -> bool {
        self.intake.as_ref().is_some_and(|f| {
            f.dirty && !matches!(f.phase, super::screens::intake::Phase::Saved(..))
        })
    }

    fn hints(&self) -> (&'static [Action], Text) {
        match self.route {
            Route::SignIn => (
                &[Action::Open, Action::Help, Action::Quit],
                Text::HelpSignIn,
            ),
            Route::Board => (&Board::HINTS, Text::HelpBoard),
            Route::Intake => (&Intake::HINTS, Text::HelpForm),
            Route::Incident => (&IncidentView::HINTS, Text::HelpIncident),
            Route::Log => (&LogView::HINTS, Text::HelpLog),
            Route::Audit => (&AuditView::HINTS, Text::HelpAudit),
            Route::Notices => (self.notices.hints(), Text::HelpNotices),
            Route::Supervision => (&SupervisionView::HINTS, Text::HelpSupervision),
            Route::Handover => (&HandoverView::HINTS, Text::HelpHandover),
        }
    }

    /// Draws everything. Never panics, whatever the size.
    pub fn render(&self, frame: &mut Frame) {
        let area = frame.area();
        let env = &self.env;
        if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
            let text = Line::styled(env.t(Text::Enlarge), env.theme.alert);
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
            return;
        }
        let [banner, body, status, footer] = Layout::vertical([
            Constraint::Length(if self.recovery.is_empty() { 0 } else { 1 }),
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        if !self.recovery.is_empty() {
            let t = format!("{}: {}", env.t(Text::Recovery), self.recovery.join(" · "));
            let line = crate::tui::widgets::frame::safe_fit(&t, usize::from(banner.width));
            frame.render_widget(Paragraph::new(Line::styled(line, env.theme.warn)), banner);
        }
        self.render_body(frame, body);
        if let Some((t, alert)) = &self.notice {
            let style = if *alert {
                env.theme.alert
            } else {
                env.theme.ok
            };
            let t = crate::tui::widgets::frame::safe_fit(t, usize::from(status.width));
            frame.render_widget(Paragraph::new(Line::styled(t, style)), status);
        }
        let (hints, about) = self.hints();
        let mut spans = Vec::new();
        for a in hints {
            spans.push(Span::styled(
                format!(" {} ", env.keymap.first_key(*a)),
                env.theme.accent,
            ));
            spans.push(Span::styled(
                format!("{} ", env.t(Text::action(*a))),
                env.theme.dim,
            ));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), footer);
        match &self.overlay {
            Some(Overlay::Help) => help::render(frame, env, about, area),
            Some(Overlay::Palette(p)) => p.render(frame, env, area),
            None => {}
        }
    }

    fn render_body(&self, frame: &mut Frame, area: Rect) {
        let env = &self.env;
        match self.route {
            Route::SignIn => self.signin.render(frame, env, area),
            Route::Board => self.board.render(frame, env, area),
            Route::Intake => {
                if let Some(f) = &self.intake {
                    f.render(frame, env, area);
                }
            }
            Route::Incident => {
                if let Some(v) = &self.incident {
                    v.render(frame, env, area);
                }
            }
            Route::Log => self.log.render(frame, env, area),
            Route::Audit => self.audit.render(frame, env, area),
            Route::Notices => self.notices.render(frame, env, area),
            Route::Supervision => self.supervision.render(frame, env, area),
            Route::Handover => self.handover.render(frame, env, area),
        }
    }
}
