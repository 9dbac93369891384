//! How the desk decides: verification flags, level suggestion, notice routing, templates, the
//! key-holder rule, escalation and the response-time audit. Pure functions; `now` is a parameter;
//! no I/O.

pub mod audit;
pub mod check;
pub mod escalation;
pub mod handover;
pub mod keyholder;
pub mod level;
pub mod reading;
pub mod routing;
pub mod supervision;
pub mod template;
pub mod verify;
pub mod when;
