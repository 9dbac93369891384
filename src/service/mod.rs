//! The command API of the desk: one service owning the store, used in-process by the console
//! and through a local socket by the CLI (and, later, by a second console).

pub mod api;
pub mod audit;
mod compose;
pub mod desk;
pub mod handover;
pub mod instructions;
pub mod notices;
pub mod outbox;
mod reports;
pub mod socket;

pub use api::{
    ErrorCode, IncidentRow, NoticeProposal, QueuedRow, Request, Response, Status, TickReport,
};
pub use desk::Desk;
pub use socket::DeskHandle;
