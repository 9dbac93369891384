//! The audit screen (`t`, 时效审计): where the office was slow, from the log alone. A period
//! selector (Tab), a grouping (←/→), the stage table with compliance bars, a histogram of
//! durations, a sparkline per day, and the breaches; Enter on a breach opens its incident.

use std::cell::Cell;

use chrono::{Duration, NaiveDate};

use super::{move_selection, Input, Nav, Out};
use crate::rules::audit::{AuditReport, GroupBy};
use crate::service::Request;
use crate::tui::effect::Effect;
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::keymap::{Action, Code};
use crate::tui::msg::Reply;

/// The periods offered, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    /// The current shift.
    ThisShift,
    /// The last 7 shift days.
    #[default]
    Week,
    /// The last 30 shift days.
    Month,
    /// Everything in the log.
    All,
}

impl Period {
    const ORDER: [Period; 4] = [Period::ThisShift, Period::Week, Period::Month, Period::All];

    /// Its label.
    pub fn text(self) -> Text {
        match self {
            Period::ThisShift => Text::PeriodShift,
            Period::Week => Text::PeriodWeek,
            Period::Month => Text::PeriodMonth,
            Period::All => Text::PeriodAll,
        }
    }

    fn step(self, by: isize) -> Period {
        let i = Period::ORDER.iter().position(|p| *p == self).unwrap_or(0) as isize;
        Period::ORDER[(i + by).rem_euclid(Period::ORDER.len() as isize) as usize]
    }

    /// The shift days it covers, given today's shift day.
    pub fn range(self, today: NaiveDate) -> (Option<NaiveDate>, Option<NaiveDate>) {
        match self {
            Period::ThisShift => (Some(today), Some(today)),
            Period::Week => (Some(today - Duration::days(6)), Some(today)),
            Period::Month => (Some(today - Duration::days(29)), Some(today)),
            Period::All => (None, None),
        }
    }
}

/// Groupings offered, in ←/→ order (`None` = totals only).
const GROUPS: [Option<GroupBy>; 6] = [
    None,
    Some(GroupBy::Officer),
    Some(GroupBy::Shift),
    Some(GroupBy::Category),
    Some(GroupBy::Level),
    Some(GroupBy::Month),
];

/// The audit screen's state.
#[derive(Debug, Clone, Default)]
pub struct AuditView {
    /// The period shown.
    pub period: Period,
    /// Index into the groupings.
    pub group: usize,
    /// The report, once it arrives.
    pub report: Option<Box<AuditReport>>,
    /// True while a request is out.
    pub loading: bool,
    /// Selected breach.
    pub selected: usize,
    pub(super) offset: Cell<usize>,
    pub(super) page: Cell<usize>,
}

impl AuditView {
    /// The grouping in force.
    pub fn by(&self) -> Option<GroupBy> {
        GROUPS.get(self.group).copied().flatten()
    }

    /// The request for the current period and grouping.
    pub fn load(&mut self, env: &Env) -> Effect {
        self.loading = true;
        let today = crate::rules::audit::shift::shift_day(
            env.config.zone(),
            env.config.shift_start(),
            env.now,
        );
        let (from, to) = self.period.range(today);
        env.call(
            Reply::Audit,
            Request::Audit {
                from,
                to,
                by: self.by(),
            },
        )
    }

    /// The report arrived.
    pub fn set(&mut self, report: Box<AuditReport>) {
        self.loading = false;
        self.selected = self.selected.min(report.breaches.len().saturating_sub(1));
        self.report = Some(report);
    }

    /// Handles a key.
    pub fn update(&mut self, env: &Env, input: Input) -> Out {
        match input.key.map(|k| k.code) {
            Some(Code::Left) | Some(Code::Right) => {
                let n = GROUPS.len();
                let step = if input.key.map(|k| k.code) == Some(Code::Left) {
                    n - 1
                } else {
                    1
                };
                self.group = (self.group + step) % n;
                return Out::effects(vec![self.load(env)]);
            }
            _ => {}
        }
        let Some(action) = input.action else {
            return Out::none();
        };
        let breaches = self.report.as_ref().map(|r| r.breaches.len()).unwrap_or(0);
        match action {
            Action::NextField | Action::PrevField => {
                let by = if action == Action::NextField { 1 } else { -1 };
                self.period = self.period.step(by);
                self.selected = 0;
                Out::effects(vec![self.load(env)])
            }
            Action::Down
            | Action::Up
            | Action::First
            | Action::Last
            | Action::PageDown
            | Action::PageUp => {
                self.selected = move_selection(self.selected, breaches, action, self.page.get());
                Out::none()
            }
            Action::Open => match self
                .report
                .as_ref()
                .and_then(|r| r.breaches.get(self.selected))
            {
                Some(b) => Out::go(Nav::Incident(b.incident.to_string())),
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
        Action::NextField,
        Action::Down,
        Action::Open,
        Action::Back,
        Action::Help,
    ];
}
