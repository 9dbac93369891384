//! `dutydesk handover` (交接班记录) and `dutydesk roster import` (值班表导入).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::run::{ask, ok_or_err, unexpected, CliError, Ctx};
use crate::config::roster;
use crate::domain::Lang;
use crate::rules::handover::print;
use crate::service::{Request, Response};

/// How `dutydesk handover` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HandoverFormat {
    /// Markdown.
    Md,
    /// Plain text for A4 (≤ 80 columns).
    Txt,
    /// JSON.
    Json,
}

/// Roster subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum RosterCommand {
    /// Import a CSV roster (date,officers,leader; officers separated by 、 or ;) into
    /// roster.toml beside the config file. Any bad row: nothing is changed.
    Import {
        /// The CSV file (UTF-8).
        file: PathBuf,
    },
}

/// Prints the handover of the running shift, or the one accepted for `shift`.
pub fn run_handover(
    ctx: &Ctx,
    format: HandoverFormat,
    shift: Option<chrono::NaiveDate>,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let lang = ctx.lang;
    let req = Request::Handover {
        shift,
        lang: Some(lang),
    };
    match ok_or_err(ask(ctx, req)?)? {
        Response::Handover { record, .. } => {
            let text = match format {
                HandoverFormat::Md => print::markdown(&record, lang),
                HandoverFormat::Txt => print::text(&record, lang),
                HandoverFormat::Json => crate::sanitize::json::to_string_pretty(&record)? + "\n",
            };
            out.write_all(text.as_bytes())?;
            Ok(())
        }
        r => Err(unexpected(&r)),
    }
}

/// Imports a CSV roster; `config_file` is the user's config file (roster.toml goes beside it).
pub fn import_roster(
    config: &crate::config::Config,
    config_file: &Path,
    file: &Path,
    lang: Lang,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let bytes =
        std::fs::read(file).map_err(|e| CliError::BadInput(format!("{}: {e}", file.display())))?;
    let rows = roster::parse_csv(&bytes, &file.display().to_string(), config)
        .map_err(|e| CliError::BadInput(e.to_string()))?;
    let path = roster::roster_path(config_file);
    let n = rows.len();
    let total = roster::write_merged(&path, rows).map_err(|e| CliError::BadInput(e.to_string()))?;
    writeln!(
        out,
        "{}: {n} {} → {} ({total} {})",
        file.display(),
        lang.pick("行已导入", "rows imported"),
        path.display(),
        lang.pick("条排班", "roster days"),
    )?;
    Ok(())
}
