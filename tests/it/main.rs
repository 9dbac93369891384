//! The integration tests, as one binary: one link step instead of one per file (ripgrep's
//! layout). Each module below was a test binary of its own; `common` holds the sandboxes, local
//! peers, pseudo-terminals and hostile payloads, `tui_support` the console on a `TestBackend`.
//!
//! All tests share one process and run in parallel. Settings reach a child through its
//! `Command` (never `std::env::set_var`); a test hook of the library (the journal's fault plan)
//! holds for the thread that armed it. Run one area with `cargo test --test it store::`.

mod common;
mod tui_support;

mod audit;
mod audit_cli;
mod audit_light;
mod audit_notices;
mod cli;
mod cli_instructions;
mod cli_notices;
mod crash;
mod delivery;
mod disk_full;
mod fuzz_props;
mod handover;
mod hostile;
mod hostile_notices;
mod instructions;
mod io_errors;
mod layering;
mod model;
mod notice_rules;
mod outbox;
mod paging;
mod reading;
mod roster;
mod smtp;
mod store;
mod supervision_rules;
mod tamper;
mod terminal;
mod tui_flows;
mod tui_hostile;
mod tui_pty;
mod tui_screens;
mod verify_corpus;
