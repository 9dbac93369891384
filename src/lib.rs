//! dutydesk: a terminal console for the duty office (值班室).
//!
//! Where things live, and the layering: a module may import itself and the modules in its
//! "may import" cell, nothing else of the crate. `tests/it/layering.rs` reads this table and fails
//! on any other `crate::…` (or `super::`-resolved) import, and on a table that lets the faces
//! import each other, lets anything below the faces import `host`/`cli`/`tui`, lets `domain`
//! import anything, or lets `rules` import `store`/`delivery`/`service`. From the bottom up:
//!
//! | module | owns | may import |
//! |---|---|---|
//! | [`domain`] | incidents, reports, flags, events: plain data; no I/O, no clock | — |
//! | [`text`] | display width: fit, pad, wrap by columns | — |
//! | [`sanitize`] | the one sanitiser for outside text before display | [`text`] |
//! | [`clock`] | the time source, settable for tests and demos | — |
//! | [`os`] | the operating system: user, terminal, private files and folders, fsync | — |
//! | [`logging`] | tracing to a file in the state folder | [`os`] |
//! | [`config`] | the layered configuration and its errors | [`domain`], [`clock`], [`sanitize`], [`text`] |
//! | [`rules`] | verification, level suggestion, the response-time audit: pure functions, `now` passed in | [`domain`], [`clock`], [`config`], [`sanitize`], [`text`] |
//! | [`store`] | the journal, the lock, the sled projections: the only user of sled | [`domain`], [`clock`], [`config`], [`rules`], [`sanitize`], [`text`], [`logging`], [`os`] |
//! | [`delivery`] | channels (spool, command, webhook, e-mail), retries, secrets: the only module that spawns tasks or touches the network | [`domain`], [`clock`], [`config`], [`sanitize`], [`text`], [`logging`] |
//! | [`service`] | the command API (`Request` → `Response`) and its local socket | [`domain`], [`clock`], [`config`], [`rules`], [`store`], [`delivery`], [`sanitize`], [`text`], [`logging`] |
//! | [`present`] | how records read as text, the same in both faces | [`domain`], [`clock`], [`config`], [`rules`], [`store`], [`service`], [`sanitize`], [`text`] |
//! | [`host`] | the composition root: context, opening the desk, outbox, the tick loop, serve, signals | [`domain`], [`clock`], [`config`], [`rules`], [`store`], [`delivery`], [`service`], [`present`], [`sanitize`], [`text`], [`logging`], [`os`] |
//! | [`cli`] | clap subcommands over the service (a face) | [`host`], [`domain`], [`clock`], [`config`], [`rules`], [`store`], [`delivery`], [`service`], [`present`], [`sanitize`], [`text`], [`logging`] |
//! | [`tui`] | the console: screens, keymap, theme, the event loop over the service (a face); no sled, no store | [`host`], [`domain`], [`clock`], [`config`], [`rules`], [`service`], [`present`], [`sanitize`], [`text`], [`logging`] |
//!
//! `main.rs` (the binary) parses the command line, runs it through [`cli`], and starts the
//! console ([`tui`]) when there is no command or `demo` asks for it.
//!
//! Known exceptions: none today. An import that cannot be fixed at once goes here as a row,
//! with why and a TODO; the test allows exactly these rows and fails on one no longer needed.
//!
//! | module | also imports | why, and the way out |
//! |---|---|---|

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod domain;
pub mod host;
pub mod logging;
pub mod os;
pub mod present;
pub mod rules;
pub mod sanitize;
pub mod service;
pub mod store;
pub mod text;
pub mod tui;
