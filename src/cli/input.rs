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

/// What the report's words suggest, taken into `draft` as the officer said: `accept` `Some([])`
/// takes every suggestion, `Some(keys)` those keys; `decline` keys are recorded as declined. A
/// key the words do not suggest is refused (nothing is filed). Returns the suggestions left open,
/// one line each (`[category:traffic] 道路交通事故 ←「相撞」`).
pub fn take_suggestions(
    ctx: &Ctx,
    draft: &mut ReportDraft,
    accept: Option<&[String]>,
    decline: &[String],
) -> Result<Vec<String>, CliError> {
    let reader = crate::rules::reading::Reader::new(&ctx.config);
    let now = ctx.config.zone().localize(ctx.clock.now());
    let preview = crate::domain::Report::from_draft(draft.clone(), 0, now, "");
    let reading = reader.read(&preview);
    let keys: Vec<String> = reading.suggestions.iter().map(|s| s.key()).collect();
    let named = accept.unwrap_or(&[]).iter().chain(decline);
    if let Some(k) = named.into_iter().find(|k| !keys.contains(k)) {
        return Err(CliError::BadInput(format!(
            "文字未推断出 {k} / the words suggest no {k:?} (they suggest: {})",
            if keys.is_empty() {
                "—".to_string()
            } else {
                keys.join(", ")
            }
        )));
    }
    let mut open = Vec::new();
    for s in &reading.suggestions {
        let key = s.key();
        if decline.contains(&key) {
            if !draft.declined.contains(&key) {
                draft.declined.push(key);
            }
        } else if accept.is_some_and(|a| a.is_empty() || a.contains(&key)) {
            s.apply(draft);
        } else {
            open.push(format!("[{key}] {}", s.line(&ctx.config, ctx.lang)));
        }
    }
    Ok(open)
}
