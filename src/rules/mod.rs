//! How the desk decides: verification flags, level suggestion. Pure functions; `now` is a
//! parameter; no I/O.

pub mod check;
pub mod level;
pub mod verify;
