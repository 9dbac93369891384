//! The command API of the desk: one service owning the store, used in-process by the console
//! and through a local socket by the CLI (and, later, by a second console).

pub mod api;
pub mod audit;
pub mod desk;
pub mod socket;

pub use api::{ErrorCode, IncidentRow, Request, Response, Status};
pub use desk::Desk;
pub use socket::DeskHandle;
