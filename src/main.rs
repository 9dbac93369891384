//! The `dutydesk` binary: logging to a file, parse the command line, dispatch.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    dutydesk::logging::mark_start();
    let cli = dutydesk::cli::Cli::parse();
    let _guard = dutydesk::logging::init(cli.data_dir.as_deref());
    dutydesk::cli::run::main(cli)
}
