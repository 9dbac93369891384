//! Presentation shared by both faces (the command line and the console): how the desk's
//! records read as text. Below [`crate::cli`], [`crate::tui`] and [`crate::host`]; it imports
//! none of them.

pub mod event;

pub use event::{event_summary, flag_line};
