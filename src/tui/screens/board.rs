//! The board (home): the incident list from `Request::List`, the selected incident's detail from
//! `Request::Show`, and the counts for the alert strip. Drawing is in `board_view`.

use std::cell::Cell;

use super::{move_selection, Input, Nav, Out};
use crate::domain::{Event, Incident};
use crate::service::{IncidentRow, Request};
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::keymap::Action;
use crate::tui::msg::Reply;

/// The selected incident, as `Request::Show` returned it.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    /// The incident.
    pub incident: Box<Incident>,
    /// Its events.
    pub timeline: Vec<Event>,
}

/// Rows the board asks for at first, and more each time the selection reaches the end.
pub const PAGE: usize = 500;

/// The board's state.
#[derive(Debug, Default)]
pub struct Board {
    /// Incidents, newest first: the newest `want`, then older ones still open or flagged.
    pub rows: Vec<IncidentRow>,
    /// Incidents in the store.
    pub total: usize,
    /// How many of the newest the board asks for (grows by [`PAGE`] at the end of the list).
    pub want: usize,
    /// The selected row.
    pub selected: usize,
    /// The selected incident's detail, once loaded.
    pub detail: Option<Detail>,
    /// True until the first list arrives.
    pub loading: bool,
    /// Open and overdue flags, counted on new rows and on each tick (not on each frame).
    pub counts: (u32, u32),
    /// Notices awaiting acknowledgement, and how many are past their deadline.
    pub pending_notices: (usize, usize),
    /// Recipients of leaders' instructions past their feedback deadline (督办).
    pub instructions_overdue: usize,
    /// First visible row (kept between frames so the list scrolls, not jumps).
    pub(super) offset: Cell<usize>,
    /// Rows visible in the last frame (for PgUp/PgDn).
    pub(super) page: Cell<usize>,
}

impl Board {
    /// An empty board waiting for its first list.
    pub fn new() -> Board {
        Board {
            loading: true,
            want: PAGE,
            ..Board::default()
        }
    }

    /// Sets the board's page size on its list requests among `effects` (screens that ask for
    /// a refresh do not know how far the officer has scrolled).
    pub fn size_requests(&self, effects: &mut [crate::tui::effect::Effect]) {
        for e in effects {
            if let crate::tui::effect::Effect::Call {
                reply: Reply::Rows,
                request,
                ..
            } = e
            {
                if let Request::List { limit, .. } = request.as_mut() {
                    *limit = Some(self.want.max(PAGE));
                }
            }
        }
    }

    /// True when older incidents are not loaded yet.
    pub fn has_more(&self) -> bool {
        self.want < self.total
    }

    /// The selected row.
    pub fn selected_row(&self) -> Option<&IncidentRow> {
        self.rows.get(self.selected)
    }

    /// Requests the list (and, once it arrives, the selected incident).
    pub fn refresh(env: &Env) -> Vec<crate::tui::effect::Effect> {
        vec![
            env.call(
                Reply::Rows,
                Request::List {
                    open_only: false,
                    limit: Some(PAGE),
                },
            ),
            crate::tui::screens::notices::load_pending(env),
        ]
    }

    fn show_selected(&self, env: &Env) -> Vec<crate::tui::effect::Effect> {
        match self.selected_row() {
            Some(r)
                if self.detail.as_ref().map(|d| d.incident.number.as_str()) != Some(&r.number) =>
            {
                vec![env.call(
                    Reply::Detail(r.number.clone()),
                    Request::Show {
                        incident: r.number.clone(),
                    },
                )]
            }
            _ => Vec::new(),
        }
    }

    /// New rows: keeps the selection on the same incident when it is still there.
    pub fn set_rows(&mut self, env: &Env, rows: Vec<IncidentRow>, total: usize) -> Out {
        let keep = self.selected_row().map(|r| r.number.clone());
        self.rows = rows;
        self.total = total.max(self.rows.len());
        self.loading = false;
        self.recount(env);
        self.selected = keep
            .and_then(|n| self.rows.iter().position(|r| r.number == n))
            .unwrap_or(0);
        // The detail may be stale (a new report, a resolved flag): reload it.
        self.detail = None;
        Out::effects(self.show_selected(env))
    }

    /// The detail of an incident arrived.
    pub fn set_detail(&mut self, number: &str, detail: Detail) {
        if self.selected_row().map(|r| r.number.as_str()) == Some(number) {
            self.detail = Some(detail);
        }
    }

    /// Counts open flags, and those older than the verification clock.
    ///
    /// Age is measured from the incident's opening: the rows do not carry each flag's time.
    pub fn recount(&mut self, env: &Env) {
        self.counts = self.flag_counts(env);
    }

    fn flag_counts(&self, env: &Env) -> (u32, u32) {
        let limit = i64::from(env.config.verification.clock_minutes.max(1));
        let mut open = 0;
        let mut overdue = 0;
        for r in &self.rows {
            open += r.open_flags;
            // Each flag's clock runs from when it was raised (rows from older desks carry no
            // times: then from the incident's opening).
            let raised: Vec<_> = if r.open_flags_raised.is_empty() {
                vec![r.opened_at; r.open_flags as usize]
            } else {
                r.open_flags_raised.clone()
            };
            overdue += raised
                .iter()
                .filter(|t| (env.now - t.with_timezone(&chrono::Utc)).num_minutes() >= limit)
                .count() as u32;
        }
        (open, overdue)
    }

    fn follow_up(&self, env: &Env, final_report: bool) -> Out {
        let Some(row) = self.selected_row() else {
            return Out::notice(env.t(Text::NeedsIncident), true);
        };
        if row.closed {
            return Out::notice(env.t(Text::IncidentClosed), true);
        }
        match &self.detail {
            Some(d) if d.incident.number.as_str() == row.number => Out::go(Nav::FollowUp {
                incident: d.incident.clone(),
                final_report,
            }),
            _ => Out::effects(vec![env.call(
                Reply::Seed { final_report },
                Request::Show {
                    incident: row.number.clone(),
                },
            )]),
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
                let before = self.selected;
                self.selected =
                    move_selection(self.selected, self.rows.len(), action, self.page.get());
                if before != self.selected {
                    self.detail = None;
                }
                let mut effects = self.show_selected(env);
                // At the end of a cut list: ask for the next page (the selection stays).
                if self.selected + 1 >= self.rows.len() && self.has_more() && !self.loading {
                    // Past every row loaded (older open ones included), so the list grows.
                    self.want = self.want.max(self.rows.len()) + PAGE;
                    self.loading = true;
                    effects.extend(Board::refresh(env).into_iter().take(1));
                }
                Out::effects(effects)
            }
            Action::Open => match self.selected_row() {
                Some(r) => Out::go(Nav::Incident(r.number.clone())),
                None => Out::none(),
            },
            Action::NewReport => Out::go(Nav::NewReport),
            Action::FollowUp => self.follow_up(env, false),
            Action::FinalReport => self.follow_up(env, true),
            Action::Log => Out::go(Nav::Log),
            Action::Audit => Out::go(Nav::Audit),
            Action::Notices => Out::go(Nav::Notices),
            Action::SendNotices => match self.selected_row() {
                Some(r) => Out::go(Nav::SendNotices(r.number.clone())),
                None => Out::none(),
            },
            Action::Supervision => Out::go(Nav::Supervision),
            Action::Handover => Out::go(Nav::Handover),
            Action::Refresh => Out::effects(Board::refresh(env)),
            Action::Quit => Out::go(Nav::Quit),
            _ => Out::none(),
        }
    }

    /// The actions shown in the footer.
    pub const HINTS: [Action; 9] = [
        Action::NewReport,
        Action::FollowUp,
        Action::FinalReport,
        Action::SendNotices,
        Action::Open,
        Action::Log,
        Action::Help,
        Action::Palette,
        Action::Quit,
    ];
}

impl Board {
    /// Draws the screen in `area`.
    pub fn render(&self, frame: &mut ratatui::Frame, env: &Env, area: ratatui::layout::Rect) {
        super::board_view::render(frame, env, self, area)
    }
}
