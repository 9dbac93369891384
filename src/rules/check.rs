//! `dutydesk check [FILE|-] [--format json|text]`: verification flags for reports given as JSON.
//!
//! Input: one report in the [`ReportDraft`] shape, a JSON array of them, or JSON lines (one
//! report per line; any whitespace-separated sequence of objects works). Reports in one input
//! that name the same `incident` form a sequence: each is assessed against the ones before it
//! (so a follow-up can be checked for contradictions). Output: one JSON object per report per
//! line (`{"flags":[…],"level_suggested":"III"}`), or text with each cue shown in context.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::verify::Verifier;
use crate::config::Config;
use crate::domain::{Flag, FlagClass, Lang, Report, ReportDraft};
use crate::sanitize;

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CheckFormat {
    /// One JSON object per report per line.
    #[default]
    Json,
    /// Human-readable, cues highlighted in context.
    Text,
}

/// What is wrong with the input, and where.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CheckError {
    /// Nothing but whitespace.
    #[error("no report in the input")]
    Empty,
    /// Not valid JSON, or not the report shape, in a JSON array.
    #[error("array element {index} (line {line}, column {column}): {message}")]
    Element {
        /// 0-based index in the array, when known.
        index: usize,
        /// 1-based line of the input.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde's message.
        message: String,
    },
    /// Not valid JSON, or not the report shape, in a single object or JSON lines.
    #[error("report {number} (line {line}, column {column}): {message}")]
    Report {
        /// 1-based number of the report in the input.
        number: usize,
        /// 1-based line of the input.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde's message.
        message: String,
    },
}

/// One flag as printed.
#[derive(Serialize)]
struct FlagOut<'a> {
    id: &'a str,
    kind: &'static str,
    field: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cue: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<FlagClass>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<usize>,
    reason: &'a str,
    suggest: &'a str,
    weight: u8,
}

#[derive(Serialize)]
struct ReportOut<'a> {
    flags: Vec<FlagOut<'a>>,
    level_suggested: Option<&'static str>,
}

fn message(e: &serde_json::Error) -> String {
    // serde appends " at line L column C"; the error variant carries them separately.
    let m = e.to_string();
    match m.rfind(" at line ") {
        Some(i) => m[..i].to_string(),
        None => m,
    }
}

/// Parses the input into drafts.
pub fn parse_input(input: &str) -> Result<Vec<ReportDraft>, CheckError> {
    let trimmed = input.trim_start();
    if trimmed.is_empty() {
        return Err(CheckError::Empty);
    }
    if trimmed.starts_with('[') {
        return match serde_json::from_str::<Vec<ReportDraft>>(input) {
            Ok(v) if v.is_empty() => Err(CheckError::Empty),
            Ok(v) => Ok(v),
            Err(e) => {
                // Which element? Parse loosely, then find the first that does not fit.
                let index = serde_json::from_str::<Vec<serde_json::Value>>(input)
                    .ok()
                    .and_then(|vals| {
                        vals.into_iter()
                            .position(|v| serde_json::from_value::<ReportDraft>(v).is_err())
                    })
                    .unwrap_or(0);
                Err(CheckError::Element {
                    index,
                    line: e.line(),
                    column: e.column(),
                    message: message(&e),
                })
            }
        };
    }
    let mut out = Vec::new();
    for item in serde_json::Deserializer::from_str(input).into_iter::<ReportDraft>() {
        match item {
            Ok(d) => out.push(d),
            Err(e) => {
                return Err(CheckError::Report {
                    number: out.len() + 1,
                    line: e.line(),
                    column: e.column(),
                    message: message(&e),
                })
            }
        }
    }
    Ok(out)
}

/// Assesses every report in `input` and prints the flags in `format`, reasons in `lang`.
pub fn run_check(
    input: &str,
    config: &Config,
    format: CheckFormat,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<String, CheckError> {
    let drafts = parse_input(input)?;
    let verifier = Verifier::new(config);
    let now_fixed = now.fixed_offset();
    let mut filed: Vec<(Option<String>, Report)> = Vec::new();
    let mut out = String::new();
    for (k, draft) in drafts.into_iter().enumerate() {
        let incident = draft.incident.clone();
        let earlier: Vec<Report> = match &incident {
            Some(id) => filed
                .iter()
                .filter(|(i, _)| i.as_deref() == Some(id.as_str()))
                .map(|(_, r)| r.clone())
                .collect(),
            None => Vec::new(),
        };
        let report = Report::from_draft(draft, earlier.len() as u32, now_fixed, "check");
        let a = verifier.assess(&report, &earlier, now);
        match format {
            CheckFormat::Json => {
                let o = ReportOut {
                    flags: a.flags.iter().map(|f| flag_out(f, lang)).collect(),
                    level_suggested: a.level_suggested.map(|l| l.key()),
                };
                out.push_str(&serde_json::to_string(&o).unwrap_or_default());
                out.push('\n');
            }
            CheckFormat::Text => text_report(&mut out, k + 1, &report, &a, lang),
        }
        filed.push((incident, report));
    }
    Ok(out)
}

fn flag_out(f: &Flag, lang: Lang) -> FlagOut<'_> {
    FlagOut {
        id: &f.id,
        kind: f.kind.key(),
        field: &f.field,
        cue: f.cue.as_deref(),
        class: f.class,
        start: f.start,
        end: f.end,
        reason: f.reason(lang),
        suggest: f.suggest(lang),
        weight: f.weight,
    }
}

/// The text of a field of `r` by flag field name.
fn field_text<'a>(r: &'a Report, field: &str) -> Option<&'a str> {
    match field {
        "summary" => Some(&r.summary),
        "measures" => r.measures.as_deref(),
        "requests" => r.requests.as_deref(),
        "already_told" => r.already_told.as_deref(),
        "location" => r.location.as_deref(),
        "occurred_at" => match &r.occurred_at {
            Some(crate::domain::OccurredAt::Words(w)) => Some(w),
            _ => None,
        },
        _ => None,
    }
}

/// `…context»cue«context…` with up to `CONTEXT` characters each side.
pub fn in_context(text: &str, start: usize, end: usize) -> String {
    const CONTEXT: usize = 15;
    let chars: Vec<char> = text.chars().collect();
    let (s, e) = (
        start.min(chars.len()),
        end.min(chars.len()).max(start.min(chars.len())),
    );
    let a = s.saturating_sub(CONTEXT);
    let b = (e + CONTEXT).min(chars.len());
    let part = |x: usize, y: usize| chars[x..y].iter().collect::<String>();
    format!(
        "{}{}»{}«{}{}",
        if a > 0 { "…" } else { "" },
        part(a, s),
        part(s, e),
        part(e, b),
        if b < chars.len() { "…" } else { "" }
    )
}

fn text_report(out: &mut String, n: usize, r: &Report, a: &super::verify::Assessment, lang: Lang) {
    let level = a
        .level_suggested
        .map(|l| format!("{} {}", l.numeral(), l.name(lang)))
        .unwrap_or_else(|| "—".into());
    out.push_str(&format!(
        "{} {n}: {} {} · {} {level}\n",
        lang.pick("报告", "report"),
        a.flags.len(),
        lang.pick("个标记", "flags"),
        lang.pick("建议级别", "suggested level"),
    ));
    for f in &a.flags {
        let kind = f.kind.label(lang);
        let head = match f.class {
            Some(c) => format!(
                "{kind}/{}",
                serde_json::to_value(c)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            ),
            None => kind.to_string(),
        };
        let ctx = match (field_text(r, &f.field), f.start, f.end) {
            (Some(t), Some(s), Some(e)) => format!(": {}", sanitize::line(&in_context(t, s, e))),
            _ => String::new(),
        };
        out.push_str(&format!(
            "  [{}] {} {}{ctx}\n      {}\n      → {}\n",
            f.id,
            head,
            f.field,
            sanitize::line(f.reason(lang)),
            sanitize::line(f.suggest(lang)),
        ));
    }
}
