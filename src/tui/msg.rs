//! Messages: everything that can change the console's state arrives as one of these.

use chrono::{DateTime, Utc};

use super::keymap::Key;
use crate::service::Response;

/// Where an answer from the desk goes: the request's purpose, carried with the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `Status` at start (recovery notes).
    Status,
    /// `SignIn` recorded.
    SignedIn,
    /// The incident list for the board.
    Rows,
    /// The selected incident for the board's detail pane.
    Detail(String),
    /// A report filed from the intake form.
    Filed,
    /// A flag resolution recorded.
    Resolved(String),
    /// An incident for the incident view.
    Incident(String),
    /// The incident a follow-up or final report starts from.
    Seed {
        /// True for the final report.
        final_report: bool,
    },
    /// The event log.
    Log,
    /// The audit report.
    Audit,
    /// A notice proposal.
    Proposal,
    /// Notices queued.
    Sent,
    /// The pending notices.
    Notices,
    /// An acknowledgement or call recorded.
    NoticeRecorded,
    /// Open instructions (督办).
    Instructions,
    /// The shift handover (loaded or accepted).
    Handover,
    /// A session event recorded; nothing to show.
    Session,
    /// Flags a follow-up answered, resolved in one step (the incident).
    AnswersResolved(String),
}

/// An input to `update`.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A key press.
    Key(Key),
    /// Bracketed paste: text that must never act as keys.
    Paste(String),
    /// The once-a-second clock (and the first time on start).
    Tick(DateTime<Utc>),
    /// The terminal changed size.
    Resized,
    /// The record changed from outside the console (a command through its socket).
    Changed,
    /// The desk answered.
    Answer {
        /// What the request was for.
        reply: Reply,
        /// The answer.
        response: Response,
    },
}
