//! What the desk talks about: incidents, reports, flags and the events that change them.
//!
//! Plain data with serde. No I/O, no clock, no sled: everything here can be built in a test
//! from literals. The only state change is [`event::Event`]; projections such as
//! [`incident::Incident`] are folds over events ([`incident::Incident::apply`]).

pub mod count_words;
pub mod event;
pub mod flag;
pub mod handover;
pub mod incident;
pub mod instruction;
pub mod notice;
pub mod report;

pub use event::{Event, EventBody, GENESIS_HASH};
pub use flag::{Flag, FlagClass, FlagKind, Resolution, ResolutionMethod, ResolutionResult};
pub use incident::{Incident, IncidentNo};
pub use instruction::{Arrangement, FeedbackForm, FeedbackKind, Instruction};
pub use notice::{
    Ack, CallOutcome, ChannelKind, CloseReason, EscalationStep, Notice, NoticeKind, NoticeState,
    QueuedNotice, RecipientKind, StepMark,
};
pub use report::{
    About, Casualties, Channel, Count, Level, OccurredAt, Report, ReportDraft, ReportKind,
    Reporter, Threshold,
};

use serde::{Deserialize, Serialize};

/// The two languages of every screen and message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    /// 简体中文
    #[default]
    #[serde(rename = "zh-CN", alias = "zh", alias = "zh_CN")]
    Zh,
    /// English
    #[serde(rename = "en", alias = "en-US", alias = "en_US")]
    En,
}

impl Lang {
    /// Picks `zh` or `en` text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// Parses `zh`, `zh-CN`, `zh_CN.UTF-8`, `en`, `en_US.UTF-8`, `C`… (a locale or a flag value).
    pub fn from_locale(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") || s == "c" || s == "posix" || s.starts_with("c.") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// Who did something: the officer signed in and the operating-system account (from `getuid`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The duty officer's name as signed in (or as given to the CLI).
    pub officer: String,
    /// The OS account, resolved from the real uid, never from `$USER`.
    pub os_user: String,
}
