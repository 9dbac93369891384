//! The `dutydesk` binary: logging to a file, parse the command line, run the command; the
//! console is started here, on the host, never by the command line.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    dutydesk::logging::mark_start();
    let cli = dutydesk::cli::Cli::parse();
    let _guard = dutydesk::logging::init(cli.data_dir.as_deref());
    match dutydesk::cli::run::main(cli) {
        dutydesk::cli::run::Next::Exit(code) => code,
        dutydesk::cli::run::Next::Console(ctx) => {
            dutydesk::host::exit(dutydesk::tui::run::run(&ctx))
        }
    }
}
