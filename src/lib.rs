//! dutydesk: a terminal console for the duty office (值班室).
//!
//! Where things live:
//!
//! | module | owns | must not import |
//! |---|---|---|
//! | [`domain`] | incidents, reports, flags, events: plain data | I/O, clock, sled |
//! | [`rules`] | verification, level suggestion, the response-time audit: pure functions, `now` passed in | I/O, sled |
//! | [`config`] | the layered configuration and its errors | sled, tui |
//! | [`store`] | the journal, the lock, the sled projections: the only user of sled | tui |
//! | [`delivery`] | channels (spool, command, webhook, e-mail), retries, secrets: the only module that spawns tasks or touches the network | store, tui |
//! | [`service`] | the command API (`Request` → `Response`) and its local socket | tui |
//! | [`cli`] | clap subcommands over the service | sled |
//! | [`logging`] | tracing to a file in the state folder | |
//! | [`clock`] | the time source, settable for tests and demos | |
//! | [`sanitize`] | the one sanitiser for outside text before display | |
//! | [`tui`] | the console: screens, keymap, theme, the event loop over the service | sled, store |

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod domain;
pub mod host;
pub mod logging;
pub mod rules;
pub mod sanitize;
pub mod service;
pub mod store;
pub mod tui;
