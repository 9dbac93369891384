//! The console (TUI): how the desk looks and feels at 3 a.m.
//!
//! Elm-style: a [`msg::Msg`] goes into [`app::App::update`], which changes state and returns
//! [`effect::Effect`]s; [`run`] executes them (desk calls off the UI path) and feeds the answers
//! back as messages. Each screen in [`screens`] owns its state, update and render.
//!
//! Must not import: sled, the store. The only way to the core is `service::Request`.

pub mod app;
pub mod effect;
pub mod env;
pub mod i18n;
pub mod keymap;
pub mod msg;
pub mod run;
pub mod screens;
pub mod theme;
pub mod widgets;

pub use app::App;
pub use env::Env;
