//! The screens. Each owns its state, its `update` (input → [`Out`]) and its `render`; the app
//! only routes between them.

pub mod audit;
mod audit_view;
pub mod board;
mod board_view;
pub mod handover;
mod handover_view;
pub mod help;
pub mod incident;
mod incident_view;
pub mod intake;
pub mod intake_fields;
pub mod intake_read;
mod intake_view;
pub mod log;
pub mod notices;
mod notices_view;
pub mod palette;
pub mod resolve;
pub mod signin;
pub mod supervision;

use super::effect::Effect;
use super::keymap::{Action, Key};
use crate::domain::Incident;

/// A key press as a screen sees it: the raw key (for typing) and the action it is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input {
    /// The key, absent when the action came from the palette.
    pub key: Option<Key>,
    /// The bound action, if any.
    pub action: Option<Action>,
}

impl Input {
    /// An action without a key (from the palette).
    pub fn action(a: Action) -> Input {
        Input {
            key: None,
            action: Some(a),
        }
    }

    /// The character typed, if this key types one.
    pub fn typed(&self) -> Option<char> {
        self.key.and_then(Key::typed)
    }
}

/// Where to go next.
#[derive(Debug, Clone, PartialEq)]
pub enum Nav {
    /// The board.
    Board,
    /// A new first report.
    NewReport,
    /// A follow-up or final report, pre-filled from the incident's latest report.
    FollowUp {
        /// The incident.
        incident: Box<Incident>,
        /// True for the final report.
        final_report: bool,
    },
    /// The incident view.
    Incident(String),
    /// The log view.
    Log,
    /// The audit screen.
    Audit,
    /// Propose and send notices for an incident.
    SendNotices(String),
    /// The pending notices.
    Notices,
    /// The supervision screen (督办).
    Supervision,
    /// The handover screen.
    Handover,
    /// Back to where we came from.
    Back,
    /// End the session.
    Quit,
    /// Run an action chosen in the palette on the screen below.
    Run(Action),
}

/// What a screen's update produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Out {
    /// Effects for the run loop.
    pub effects: Vec<Effect>,
    /// Navigation.
    pub nav: Option<Nav>,
    /// A message for the status line (error when `alert`).
    pub notice: Option<(String, bool)>,
}

impl Out {
    /// Nothing to do.
    pub fn none() -> Out {
        Out::default()
    }

    /// Just navigate.
    pub fn go(nav: Nav) -> Out {
        Out {
            nav: Some(nav),
            ..Out::default()
        }
    }

    /// Just effects.
    pub fn effects(effects: Vec<Effect>) -> Out {
        Out {
            effects,
            ..Out::default()
        }
    }

    /// Just a notice.
    pub fn notice(text: impl Into<String>, alert: bool) -> Out {
        Out {
            notice: Some((text.into(), alert)),
            ..Out::default()
        }
    }
}

/// Moves a selection by an action within `len` items (`page` rows a page).
pub fn move_selection(sel: usize, len: usize, action: Action, page: usize) -> usize {
    if len == 0 {
        return 0;
    }
    let last = len - 1;
    match action {
        Action::Down => (sel + 1).min(last),
        Action::Up => sel.saturating_sub(1),
        Action::First => 0,
        Action::Last => last,
        Action::PageDown => (sel + page.max(1)).min(last),
        Action::PageUp => sel.saturating_sub(page.max(1)),
        _ => sel.min(last),
    }
}

/// The first row to show so that `sel` is visible in `height` rows, given the last offset.
pub fn window_offset(prev: usize, sel: usize, height: usize, len: usize) -> usize {
    let height = height.max(1);
    let mut off = prev.min(len.saturating_sub(1));
    if sel < off {
        off = sel;
    } else if sel >= off + height {
        off = sel + 1 - height;
    }
    off
}

/// The label of a grouping on the audit screen.
pub fn audit_group_text(g: crate::rules::audit::GroupBy) -> crate::tui::i18n::Text {
    use crate::rules::audit::GroupBy;
    use crate::tui::i18n::Text;
    match g {
        GroupBy::Officer => Text::GroupOfficer,
        GroupBy::Shift => Text::GroupShift,
        GroupBy::Category => Text::GroupCategory,
        GroupBy::Level => Text::GroupLevel,
        GroupBy::Month => Text::GroupMonth,
    }
}
