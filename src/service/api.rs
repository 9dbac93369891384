//! The command API: what the console, the CLI and (later) a second console ask of the desk.
//! The same types travel in-process and, as JSON lines, over the local socket.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::domain::{
    Actor, CallOutcome, Event, Flag, Incident, Level, Notice, NoticeKind, ReportDraft,
    ResolutionMethod, ResolutionResult,
};
use crate::rules::keyholder::StaleRecipient;
use crate::rules::routing::Proposed;
use crate::store::VerifyReport;

/// A request to the desk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
// Requests are built one at a time and moved, never stored in bulk: boxing buys nothing.
#[allow(clippy::large_enum_variant)]
pub enum Request {
    /// Where the store stands.
    Status,
    /// File a report (first, follow-up or final); flags are raised beside it.
    AddReport {
        /// The report.
        draft: ReportDraft,
    },
    /// Resolve a verification flag.
    ResolveFlag {
        /// Incident number.
        incident: String,
        /// Flag id.
        flag: String,
        /// How it was checked.
        method: ResolutionMethod,
        /// What was found.
        result: ResolutionResult,
        /// Note.
        #[serde(default)]
        note: String,
    },
    /// Resolves, in one step, flags that the incident's latest report answers (each must
    /// still be answered by it): checked against an authoritative unit's report.
    ResolveAnswered {
        /// Incident number.
        incident: String,
        /// The flag ids the officer confirmed (as offered).
        flags: Vec<String>,
    },
    /// Incidents, newest first.
    List {
        /// Only incidents without a final report.
        #[serde(default)]
        open_only: bool,
        /// At most this many of the newest; incidents still open or with an open flag are
        /// listed too, however old (the board's page). None: every incident.
        #[serde(default)]
        limit: Option<usize>,
    },
    /// One incident with its timeline.
    Show {
        /// Incident number.
        incident: String,
    },
    /// Events of the log, oldest first.
    Log {
        /// Only events at or after this time.
        #[serde(default)]
        since: Option<DateTime<FixedOffset>>,
        /// Only events after this sequence number.
        #[serde(default)]
        after_seq: Option<u64>,
        /// At most this many (the newest).
        #[serde(default)]
        limit: Option<usize>,
    },
    /// Check the whole chain and the projections.
    Verify,
    /// An officer signed in at the console.
    SignIn,
    /// A console session started.
    SessionStarted {
        /// The console's PID.
        pid: u32,
        /// Its terminal.
        tty: Option<String>,
    },
    /// A console session ended.
    SessionEnded {
        /// Why.
        reason: String,
    },
    /// The response-time audit of a period (shift days, inclusive; `None` = open-ended).
    Audit {
        /// The first shift day.
        #[serde(default)]
        from: Option<chrono::NaiveDate>,
        /// The last shift day.
        #[serde(default)]
        to: Option<chrono::NaiveDate>,
        /// Group the rows by officer, shift, category, level or month.
        #[serde(default)]
        by: Option<crate::rules::audit::GroupBy>,
    },
    /// The shift handover: computed now, or as accepted for a past shift day.
    Handover {
        /// A past shift day (default: the shift running now).
        #[serde(default)]
        shift: Option<chrono::NaiveDate>,
        /// The language of the item summaries (default: the office's).
        #[serde(default)]
        lang: Option<crate::domain::Lang>,
    },
    /// The incoming officer (the actor) accepts the handover of the running shift.
    AcceptHandover {
        /// The outgoing officer.
        from: String,
        /// Ids of the items the incoming officer went through (every item must be here).
        seen: Vec<String>,
        /// The outgoing officer's notes.
        #[serde(default)]
        notes: String,
        /// The language of the item summaries (default: the office's).
        #[serde(default)]
        lang: Option<crate::domain::Lang>,
    },
    /// Who would be told, why, and the text (nothing is written).
    ProposeNotice {
        /// Incident number.
        incident: String,
        /// first | follow_up | final | correction | instruction (default: from the reports and
        /// the key-holder rule).
        #[serde(default)]
        kind: Option<NoticeKind>,
        /// Names to add to the proposal.
        #[serde(default)]
        add: Vec<String>,
        /// Names to leave out.
        #[serde(default)]
        remove: Vec<String>,
        /// The leader's instruction, for kind instruction.
        #[serde(default)]
        instruction: Option<String>,
    },
    /// Queue notices to exactly these recipients (recorded before any attempt), then send.
    SendNotice {
        /// Incident number.
        incident: String,
        /// The kind (default as for the proposal).
        #[serde(default)]
        kind: Option<NoticeKind>,
        /// Names from the directory.
        recipients: Vec<String>,
        /// The leader's instruction, for kind instruction.
        #[serde(default)]
        instruction: Option<String>,
    },
    /// Notices, oldest first.
    Notices {
        /// Only this incident's.
        #[serde(default)]
        incident: Option<String>,
        /// Only notices not yet acknowledged.
        #[serde(default)]
        pending_only: bool,
    },
    /// Record an acknowledgement (回执).
    Acknowledge {
        /// The token in the notice.
        token: String,
        /// Who acknowledged (default: the recipient).
        #[serde(default)]
        by: Option<String>,
        /// How it came (phone, cli, in person…).
        #[serde(default)]
        via: String,
        /// Note.
        #[serde(default)]
        note: String,
    },
    /// Record the outcome of calling about a phone notice.
    RecordCall {
        /// The notice id.
        notice: String,
        /// What happened.
        outcome: CallOutcome,
        /// Note.
        #[serde(default)]
        note: String,
    },
    /// Collect delivery results, resume pending notices, run due escalations (every few seconds).
    Tick,
    /// Record a leader's instruction (批示), verbatim.
    RecordInstruction(Box<super::instructions::InstructionDraft>),
    /// Relay an instruction (批示传达) with a feedback deadline per recipient.
    RelayInstruction {
        /// The instruction id.
        id: String,
        /// Departments, regions or people from the directory.
        to: Vec<String>,
        /// Feedback due in this many minutes (default `[instructions] feedback_minutes`).
        #[serde(default)]
        deadline_minutes: Option<u32>,
    },
    /// Record a recipient's feedback.
    RecordFeedback {
        /// The instruction id.
        id: String,
        /// Who answered.
        recipient: String,
        /// Phone or written.
        form: crate::domain::FeedbackForm,
        /// Progress or final.
        feedback_kind: crate::domain::FeedbackKind,
        /// What they said.
        text: String,
        /// When (default: now).
        #[serde(default)]
        at: Option<DateTime<FixedOffset>>,
    },
    /// Change a standalone item's time and place; everyone told before is told again.
    ChangeInstruction {
        /// The instruction id.
        id: String,
        /// The new time and place.
        arrangement: crate::domain::Arrangement,
    },
    /// Instructions and each recipient's state.
    Instructions {
        /// Only instructions not yet complete.
        #[serde(default)]
        open_only: bool,
        /// Only recipients past their deadline.
        #[serde(default)]
        overdue_only: bool,
    },
    /// The 办结报告 of an instruction, pre-filled from the feedback.
    InstructionReport {
        /// The instruction id.
        id: String,
    },
}

/// The officer recorded for the desk's own steps (ticks, sessions) when nobody has signed in:
/// never an OS account standing in for an officer.
pub const SYSTEM_OFFICER: &str = "系统 system";

impl Request {
    /// True when the request records something (and so needs a named officer).
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            Request::Status
                | Request::List { .. }
                | Request::Show { .. }
                | Request::Log { .. }
                | Request::Verify
                | Request::Audit { .. }
                | Request::Handover { .. }
                | Request::ProposeNotice { .. }
                | Request::Notices { .. }
                | Request::Instructions { .. }
                | Request::InstructionReport { .. }
        )
    }

    /// True for the desk's own work, recorded as [`SYSTEM_OFFICER`] when nobody is signed in.
    pub fn is_system(&self) -> bool {
        matches!(
            self,
            Request::Tick | Request::SessionStarted { .. } | Request::SessionEnded { .. }
        )
    }
}

/// One line of an incident list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentRow {
    /// Number.
    pub number: String,
    /// When the first report was received.
    pub opened_at: DateTime<FixedOffset>,
    /// Latest level.
    pub level: Option<Level>,
    /// Latest category key.
    pub category: Option<String>,
    /// Latest location.
    pub location: Option<String>,
    /// First line of the latest summary.
    pub summary: String,
    /// Reports filed.
    pub reports: u32,
    /// Flags still open.
    pub open_flags: u32,
    /// Final report filed.
    pub closed: bool,
    /// Recipients holding an older version of the key facts (the key-holder rule).
    #[serde(default)]
    pub stale_recipients: u32,
    /// When each open flag was raised (its verification clock runs from there).
    #[serde(default)]
    pub open_flags_raised: Vec<DateTime<FixedOffset>>,
}

impl IncidentRow {
    /// The row for an incident.
    pub fn of(inc: &Incident) -> IncidentRow {
        let latest = inc.latest();
        IncidentRow {
            number: inc.number.0.clone(),
            opened_at: inc.opened_at,
            level: latest.level,
            category: latest.category.clone(),
            location: latest.location.clone(),
            summary: latest.summary.lines().next().unwrap_or("").to_string(),
            reports: inc.reports.len() as u32,
            open_flags: inc.open_flags().count() as u32,
            closed: inc.closed,
            stale_recipients: 0,
            open_flags_raised: inc.open_flags().map(|f| f.raised_at).collect(),
        }
    }
}

/// A notice proposal: recipients with reasons, stale holders, and a preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeProposal {
    /// Incident number.
    pub incident: String,
    /// The kind proposed (not `kind`: that is the answer's tag on the socket).
    pub notice_kind: NoticeKind,
    /// The report whose facts it carries.
    pub version: u32,
    /// Recipients, each with why.
    pub recipients: Vec<Proposed>,
    /// Who holds an older version of the key facts.
    pub stale: Vec<StaleRecipient>,
    /// Preview subject (for the first recipient).
    pub subject: String,
    /// Preview text (for the first recipient; the token is filled in on sending).
    pub text: String,
}

/// One queued notice, as answered to the sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedRow {
    /// Notice id.
    pub id: String,
    /// Its token.
    pub token: String,
    /// Recipient.
    pub recipient: String,
    /// Channel.
    pub channel: crate::domain::ChannelKind,
}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TickReport {
    /// Delivery results recorded.
    pub results: u32,
    /// Notices handed to their channels.
    pub dispatched: u32,
    /// Deadlines near: "notice id: recipient, deadline".
    pub warnings: Vec<String>,
    /// Reminders and escalations queued (their ids).
    pub followed_up: Vec<String>,
    /// The events written.
    pub seqs: Vec<u64>,
}

/// Where the store stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// The data folder.
    pub data_dir: String,
    /// Last sequence number.
    pub head_seq: u64,
    /// Last hash.
    pub head_hash: String,
    /// Incidents in the store.
    pub incidents: u64,
    /// What opening the store had to do.
    pub open_notes: Vec<String>,
    /// Set when the database lags the journal.
    pub sled_behind: Option<String>,
    /// False when the chain's tail did not verify on open.
    pub tail_ok: bool,
    /// The shift running now (its first day): the clock's, or the next one once a handover
    /// was accepted early.
    #[serde(default)]
    pub shift: Option<chrono::NaiveDate>,
    /// Set while the system clock reads earlier than the log's last event (the desk then stamps
    /// with that event's time): what to tell the officer.
    #[serde(default)]
    pub clock_behind: Option<String>,
}

/// The desk's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Response {
    /// Status.
    Status(Status),
    /// A report was filed durably.
    Filed {
        /// Incident number.
        incident: String,
        /// The report's place in the incident (0 = first).
        report: u32,
        /// Flags raised beside it.
        flags: Vec<Flag>,
        /// The level the casualties imply.
        level_suggested: Option<Level>,
        /// Open flags of earlier reports that this one answers (offered to the officer, who
        /// confirms them with [`Request::ResolveAnswered`]).
        #[serde(default)]
        answers: Vec<String>,
        /// The events written.
        seqs: Vec<u64>,
    },
    /// Something was recorded durably.
    Recorded {
        /// The events written.
        seqs: Vec<u64>,
    },
    /// Incident rows.
    Incidents {
        /// The rows.
        rows: Vec<IncidentRow>,
        /// Incidents in the store (more than the rows when a limit cut the list).
        #[serde(default)]
        total: usize,
    },
    /// One incident and its events.
    Incident {
        /// The incident.
        incident: Box<Incident>,
        /// Its timeline.
        timeline: Vec<Event>,
        /// Its notices.
        #[serde(default)]
        notices: Vec<Notice>,
        /// Recipients holding an older version of the key facts.
        #[serde(default)]
        stale: Vec<StaleRecipient>,
    },
    /// Proposed recipients and the text.
    Proposal(Box<NoticeProposal>),
    /// Notices queued durably (and handed to their channels if an outbox runs).
    Queued {
        /// id, token, recipient, channel of each.
        notices: Vec<QueuedRow>,
        /// The events written.
        seqs: Vec<u64>,
    },
    /// Notices.
    Notices {
        /// The notices.
        rows: Vec<Notice>,
    },
    /// What a tick did.
    Ticked(TickReport),
    /// Log events.
    Events {
        /// The events.
        events: Vec<Event>,
    },
    /// The result of verify.
    Verified(VerifyReport),
    /// The response-time audit.
    Audit(Box<crate::rules::audit::AuditReport>),
    /// Instructions and their recipients' states (soonest deadline first).
    Instructions {
        /// The instructions.
        rows: Vec<crate::domain::Instruction>,
        /// One row per recipient.
        board: Vec<crate::rules::supervision::RecipientStatus>,
    },
    /// An instruction was recorded, relayed or changed.
    InstructionDone {
        /// The instruction id.
        id: String,
        /// Recipients told (relay, or re-notified after a change).
        #[serde(default)]
        told: Vec<String>,
        /// The events written.
        seqs: Vec<u64>,
    },
    /// The 办结报告 text.
    InstructionReport {
        /// The instruction id.
        id: String,
        /// Every recipient gave a final answer.
        complete: bool,
        /// The text for the leader.
        text: String,
    },
    /// A shift handover (and, once accepted, the file it was written to).
    Handover {
        /// The handover.
        record: Box<crate::domain::handover::HandoverRecord>,
        /// The Markdown file in the data folder, once accepted.
        #[serde(default)]
        file: Option<std::path::PathBuf>,
    },
    /// Refused or failed; nothing was written.
    Error {
        /// What kind of failure.
        code: ErrorCode,
        /// What happened and what to do.
        message: String,
    },
}

/// How a request failed (maps to exit codes: bad input 2, everything else 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request was wrong (an unknown number, a malformed report).
    BadInput,
    /// The store failed (disk full, I/O error); nothing acknowledged was lost.
    Failure,
}

impl Response {
    /// A bad-input error.
    pub fn bad(message: impl Into<String>) -> Response {
        Response::Error {
            code: ErrorCode::BadInput,
            message: message.into(),
        }
    }

    /// A failure.
    pub fn fail(message: impl Into<String>) -> Response {
        Response::Error {
            code: ErrorCode::Failure,
            message: message.into(),
        }
    }
}

/// One request on the socket.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    /// Protocol version: 2 (1 had no acceptance line, key or deadline).
    pub v: u32,
    /// Who asks.
    pub actor: Actor,
    /// What.
    pub request: Request,
    /// The idempotency key: the same key asked again gets the first answer, never a second
    /// run (a client retrying after a dropped connection).
    #[serde(default)]
    pub id: Option<String>,
    /// Unix milliseconds by which the server must take the request up; a request read later
    /// (its client gave up: a stopped console resumed) is refused, never carried out.
    #[serde(default)]
    pub deadline_ms: Option<i64>,
}
