//! What the command line reads: report files and standard input (bounded, UTF-8 checked),
//! report JSON, `--since` times and snake_case flag values, each fault as bad input (exit 2)
//! naming the file or flag.

use std::io::Read;

use super::run::{CliError, Ctx};
use crate::domain::ReportDraft;

/// Reads a file, or standard input for `-`.
pub fn read_input(file: &str) -> Result<String, CliError> {
    read_input_at_most(file, u64::MAX).map(|(text, _)| text)
}

/// Reads at most `cap` bytes of a file or standard input; the flag says whether there was
/// more (the rest is left unread).
fn read_input_at_most(file: &str, cap: u64) -> Result<(String, bool), CliError> {
    let mut bytes = Vec::new();
    let limit = cap.saturating_add(1);
    if file == "-" {
        std::io::stdin().take(limit).read_to_end(&mut bytes)?;
    } else {
        std::fs::File::open(file)
            .and_then(|f| f.take(limit).read_to_end(&mut bytes))
            .map_err(|e| CliError::BadInput(format!("{file}: cannot read: {e}")))?;
    }
    let more = bytes.len() as u64 > cap;
    if more {
        return Ok((String::new(), true));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        CliError::BadInput(format!(
            "{file}: not UTF-8 (byte {}); convert it first, e.g. iconv -f GB18030 -t UTF-8",
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok((text, false))
}

/// Reads a report file for `report add`: refused unread past eight times the text limit
/// (room for JSON's escapes and keys), so that a huge file is never loaded whole.
pub(super) fn read_report(file: &str, ctx: &Ctx) -> Result<String, CliError> {
    let max = ctx.config.intake.max_report_bytes;
    let cap = (max as u64).saturating_mul(8).saturating_add(64 * 1024);
    match read_input_at_most(file, cap)? {
        (_, true) => Err(CliError::BadInput(format!(
            "{file}: 报告文件超过 {cap} 字节，正文上限 {max} 字节（配置 [intake] max_report_bytes），未记录 \
             / the report file is over {cap} bytes, the text limit is {max} ([intake] max_report_bytes); nothing was recorded"
        ))),
        (text, false) => Ok(text),
    }
}

/// Parses a report in the JSON shape, naming the line and column of a fault.
pub fn parse_draft(text: &str, name: &str) -> Result<ReportDraft, CliError> {
    serde_json::from_str::<ReportDraft>(text).map_err(|e| {
        CliError::BadInput(format!(
            "{name}:{}:{}: {}",
            e.line(),
            e.column(),
            crate::sanitize::line(&e.to_string())
        ))
    })
}

pub(super) fn parse_since(
    s: &str,
    ctx: &Ctx,
) -> Result<chrono::DateTime<chrono::FixedOffset>, CliError> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t);
    }
    let day = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| CliError::BadInput(format!("--since {s:?}: use RFC 3339 or YYYY-MM-DD")))?;
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    let zone = ctx.config.zone();
    let offset = zone.offset_at(naive.and_utc());
    naive
        .and_local_timezone(offset)
        .single()
        .ok_or_else(|| CliError::BadInput(format!("--since {s:?}: no such local time")))
}

/// Parses a snake_case enum value of a flag.
pub fn parse_enum<T: serde::de::DeserializeOwned>(
    what: &str,
    s: &str,
    choices: &str,
) -> Result<T, CliError> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| CliError::BadInput(format!("--{what} {s:?}: use one of {choices}")))
}
