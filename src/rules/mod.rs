//! How the desk decides: verification flags, level suggestion, the response-time audit. Pure
//! functions; `now` is a parameter; no I/O.

pub mod audit;
pub mod check;
pub mod level;
pub mod verify;
