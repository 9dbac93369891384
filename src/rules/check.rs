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
    /// A result could not be written as JSON.
    #[error("writing the result: {0}")]
    Output(String),
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

/// A suggestion from the words as printed: its key (for `--accept`/`--decline`), its value in
/// words, and the suggestion itself (what, evidence, span, rule).
#[derive(Serialize)]
struct SuggestionOut<'a> {
    key: String,
    text: String,
    #[serde(flatten)]
    suggestion: &'a crate::rules::reading::Suggested,
}

#[derive(Serialize)]
struct ReportOut<'a> {
    flags: Vec<FlagOut<'a>>,
    level_suggested: Option<&'static str>,
    suggestions: Vec<SuggestionOut<'a>>,
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
    let zone = config.zone();
    for (k, mut draft) in drafts.into_iter().enumerate() {
        crate::rules::when::resolve_draft(&mut draft, zone.localize(now), zone);
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
                    suggestions: a
                        .reading
                        .suggestions
                        .iter()
                        .map(|x| SuggestionOut {
                            key: x.key(),
                            text: x.value_text(config, lang),
                            suggestion: x,
                        })
                        .collect(),
                };
                // Cues and contexts are the report's own text: escaped, never raw.
                let line =
                    sanitize::json::to_string(&o).map_err(|e| CheckError::Output(e.to_string()))?;
                out.push_str(&line);
                out.push('\n');
            }
            CheckFormat::Text => text_report(&mut out, k + 1, &report, &a, config, lang),
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

fn text_report(
    out: &mut String,
    n: usize,
    r: &Report,
    a: &super::verify::Assessment,
    config: &Config,
    lang: Lang,
) {
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
    if !a.reading.suggestions.is_empty() {
        out.push_str(&format!(
            "  {}\n",
            lang.pick(
                "按报告文字推断（未填写的项；通报按此，除非拒绝）：",
                "read from the report's words (for empty fields; notices use them unless declined):"
            )
        ));
        for x in &a.reading.suggestions {
            out.push_str(&format!(
                "  ✎ {:<16} {}: {}\n",
                x.key(),
                sanitize::line(&x.value_text(config, lang)),
                sanitize::line(&in_context(&r.summary, x.start, x.end)),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 15, 0, 0).unwrap()
    }

    fn run(input: &str, format: CheckFormat) -> Result<String, CheckError> {
        run_check(input, &crate::config::defaults(), format, Lang::En, now())
    }

    fn lines(out: &str) -> Vec<serde_json::Value> {
        out.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    const A: &str = r#"{"summary":"据说有十几人被困","reporter":{"name":"网友"},"category":"fire","casualties":{"dead":3},"level":"IV"}"#;
    const B: &str = r#"{"summary":"Warehouse fire out, no casualties.","reporter":{"unit":"县消防救援大队","phone":"0379-6651119"},"location":"城关镇","occurred_at":"2026-11-22T22:00:00+08:00","category":"fire"}"#;

    #[test]
    fn single_object_gives_one_line_with_cues_and_level() {
        let out = run(A, CheckFormat::Json).unwrap();
        let v = lines(&out);
        assert_eq!(v.len(), 1);
        let flags = v[0]["flags"].as_array().unwrap();
        assert_eq!(flags[0]["kind"], "unverified_source");
        assert_eq!(flags[0]["field"], "reporter");
        assert_eq!(flags[1]["cue"], "据说");
        assert_eq!(
            (flags[1]["start"].as_u64(), flags[1]["end"].as_u64()),
            (Some(0), Some(2))
        );
        assert_eq!(flags[1]["class"], "hearsay");
        assert_eq!(flags[2]["cue"], "十几");
        assert!(flags
            .iter()
            .any(|f| f["kind"] == "missing" && f["field"] == "location"));
        assert!(flags.iter().any(|f| f["kind"] == "level_mismatch"));
        assert_eq!(v[0]["level_suggested"], "III");
        assert!(flags[1]["reason"].as_str().unwrap().contains("hearsay"));
    }

    #[test]
    fn array_and_json_lines() {
        let arr = format!("[{A},\n {B}]");
        assert_eq!(lines(&run(&arr, CheckFormat::Json).unwrap()).len(), 2);
        let jl = format!("{A}\n{B}\n\n");
        let v = lines(&run(&jl, CheckFormat::Json).unwrap());
        assert_eq!(v.len(), 2);
        assert!(v[1]["flags"].as_array().unwrap().is_empty(), "{}", v[1]);
        assert_eq!(v[1]["level_suggested"], serde_json::Value::Null);
    }

    #[test]
    fn follow_ups_in_one_input_are_compared() {
        let input = r#"{"incident":"X1","summary":"车祸","casualties":{"dead":3}}
{"incident":"X1","kind":"follow_up","summary":"续报","casualties":{"dead":2}}"#;
        let v = lines(&run(input, CheckFormat::Json).unwrap());
        let f = v[1]["flags"].as_array().unwrap();
        assert!(f.iter().any(|f| f["kind"] == "inconsistent"
            && f["reason"].as_str().unwrap().contains("from 3 to 2")));
        assert!(f
            .iter()
            .all(|f| f["id"].as_str().unwrap().starts_with("R1-")));
    }

    #[test]
    fn malformed_json_lines_name_the_report_and_line() {
        let input = format!("{A}\n{B}\n{{\"summary\": \"x\",,}}\n");
        match run(&input, CheckFormat::Json) {
            Err(CheckError::Report { number, line, .. }) => assert_eq!((number, line), (3, 3)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_field_names_the_element_and_the_field() {
        let input = format!("[{A},\n{B},\n{{\"summary\":\"x\",\"sumary\":\"y\"}}]");
        let e = run(&input, CheckFormat::Json).unwrap_err();
        match &e {
            CheckError::Element {
                index,
                line,
                message,
                ..
            } => {
                assert_eq!((*index, *line), (2, 3));
                assert!(message.contains("sumary"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(e.to_string().starts_with("array element 2 (line 3"), "{e}");
        let e = run("{\"summary\":\"x\",\"colour\":1}", CheckFormat::Json).unwrap_err();
        assert!(
            e.to_string().contains("report 1 (line 1") && e.to_string().contains("colour"),
            "{e}"
        );
        assert_eq!(run("  \n", CheckFormat::Json), Err(CheckError::Empty));
    }

    #[test]
    fn text_shows_the_cue_in_context_and_is_sanitised() {
        let input = r#"{"summary":"今晚城关镇东街一处仓库起火，\u001b[31m据说有人被困在二楼，具体人数还不清楚，请尽快派人"}"#;
        let out = run(input, CheckFormat::Text).unwrap();
        assert!(out.contains("»据说«"), "{out}");
        assert!(!out.contains('\u{1b}'), "{out}");
        assert!(out.contains("…"), "{out}");
        assert_eq!(in_context("abc据说def", 3, 5), "abc»据说«def");
    }
}
