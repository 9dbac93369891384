//! The properties the fuzz targets check, one function per parser of outside input. Shared by
//! the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`) and the stable test
//! `tests/it/fuzz_props.rs`, which runs them over the seeds and the hostile-text corpus on every
//! `cargo test`.
//!
//! Each function takes raw bytes and panics (failing the fuzzer) when a property does not hold;
//! "did not panic" alone is never the property.

#![allow(dead_code)]

use std::path::Path;
use std::sync::OnceLock;

use dutydesk::cli::run::CliError;
use dutydesk::config::{self, Config, ConfigError};
use dutydesk::domain::{Report, ReportDraft};
use dutydesk::sanitize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// True for a character a terminal, phone or chat app could act on or hide: ESC and other C0
/// controls except `\n` and `\t`, DEL, C1, bidi controls, zero-width and other format
/// characters, tag characters, Hangul fillers, variation selectors, separators. The sanitiser
/// may leave a ZWJ between two emoji and one selector after its base ([`joins`]).
pub fn acts(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && c != '\n' && c != '\t')
        || u == 0x7f
        || (0x80..=0x9f).contains(&u)
        || matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{61c}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff0}'..='\u{fffb}'
                | '\u{e0000}'..='\u{e0fff}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// A joiner the sanitiser keeps: ZWJ between two wide non-ASCII characters (emoji; the first
/// may carry VS16), a selector after a visible character that is not itself one.
pub fn joins(prev: Option<char>, c: char, next: Option<char>) -> bool {
    // An emoji: drawn wide, or in the pictographic blocks (👁 U+1F441 is an emoji of text
    // width 1, and 👁️‍🗨️ is a real sequence).
    let wide = |e: char| {
        !e.is_ascii()
            && (e.width() == Some(2)
                || matches!(e as u32, 0x1f300..=0x1faff | 0x2600..=0x27bf | 0x2b00..=0x2bff))
    };
    match c {
        '\u{200d}' => prev.is_some_and(|p| wide(p) || p == '\u{fe0f}') && next.is_some_and(wide),
        '\u{fe00}'..='\u{fe0f}'
        | '\u{e0100}'..='\u{e01ef}'
        | '\u{180b}'..='\u{180d}'
        | '\u{180f}' => prev.is_some_and(|p| !p.is_whitespace() && !acts(p)),
        _ => false,
    }
}

/// The first character of `out` that acts and is not a kept joiner.
pub fn survivor(out: &str) -> Option<char> {
    let mut prev = None;
    let mut it = out.chars().peekable();
    while let Some(c) = it.next() {
        if acts(c) && !joins(prev, c, it.peek().copied()) {
            return Some(c);
        }
        prev = Some(c);
    }
    None
}

fn defaults() -> &'static Config {
    static C: OnceLock<Config> = OnceLock::new();
    C.get_or_init(config::defaults)
}

fn verifier() -> &'static dutydesk::rules::verify::Verifier {
    static V: OnceLock<dutydesk::rules::verify::Verifier> = OnceLock::new();
    V.get_or_init(|| dutydesk::rules::verify::Verifier::new(defaults()))
}

/// The sanitiser: nothing that acts survives, nothing is dropped, the result is stable and has
/// a defined display width that the column helpers respect.
pub fn sanitize(data: &[u8]) {
    let s = sanitize::bytes(data);
    let text = sanitize::text(&s);
    let line = sanitize::line(&s);
    for (name, out) in [("text", &text), ("line", &line)] {
        if let Some(c) = survivor(out) {
            panic!("{name}: U+{:04X} survives in {out:?}", c as u32);
        }
        assert!(sanitize::is_safe(out), "{name}: is_safe disagrees: {out:?}");
        // Every character is shown as at least one: nothing vanishes silently.
        assert!(
            out.chars().count() >= s.chars().count(),
            "{name} dropped text"
        );
        // Each character but \n and \t has a display width (control characters have none).
        if let Some(c) = out
            .chars()
            .find(|&c| c != '\n' && c != '\t' && c.width().is_none())
        {
            panic!("{name}: U+{:04X} has no display width", c as u32);
        }
        // Sanitising again changes nothing: the stand-ins are themselves plain.
        let again = if name == "text" {
            sanitize::text(out)
        } else {
            sanitize::line(out)
        };
        assert_eq!(&again, out, "{name} is not idempotent");
    }
    assert!(!line.contains(['\n', '\t']), "line kept a newline or tab");
    // The text form differs from the input only where a character was replaced.
    if !s.chars().any(acts) && !s.chars().any(|c| {
        matches!(c, '\u{600}'..='\u{605}' | '\u{6dd}' | '\u{70f}' | '\u{890}' | '\u{891}' | '\u{8e2}' | '\u{110bd}' | '\u{110cd}' | '\u{13430}'..='\u{1343f}' | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}')
    }) {
        assert_eq!(text, s, "clean text was changed");
    }
    // The column helpers: a cell never grows past its width.
    for w in [1usize, 2, 3, 8, 17, 40] {
        let fit = dutydesk::text::fit(&line, w);
        assert!(
            fit.width() <= w,
            "fit({line:?}, {w}) is {} wide: {fit:?}",
            fit.width()
        );
        let pad = dutydesk::text::pad(&line, w);
        assert_eq!(pad.width(), w, "pad({line:?}, {w}) = {pad:?}");
    }
}

/// The config parser: either a configuration that validates, or an error naming the file and,
/// for a syntax or type error, a line and column inside the text.
pub fn config(data: &[u8]) {
    // Config files are read with read_to_string: bytes that are not UTF-8 never reach the parser.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("/etc/dutydesk/fuzz.toml");
    let lines = text.split('\n').count();
    match config::layer(Some(text), Some(path), &[]) {
        Ok(c) => {
            assert_eq!(c.validate(), Ok(()), "an accepted config does not validate");
        }
        Err(e) => {
            let shown = e.to_string();
            assert!(
                shown.starts_with("/etc/dutydesk/fuzz.toml"),
                "the error does not name the file: {shown}"
            );
            match &e {
                ConfigError::Parse { line, column, .. } => {
                    assert!(
                        (1..=lines).contains(line),
                        "line {line} of {lines}: {shown}"
                    );
                    assert!(*column >= 1, "{shown}");
                    assert!(
                        shown.starts_with(&format!("/etc/dutydesk/fuzz.toml:{line}:{column}:")),
                        "{shown}"
                    );
                }
                ConfigError::Invalid { line, .. } => {
                    if let Some(l) = line {
                        assert!((1..=lines).contains(l), "line {l} of {lines}: {shown}");
                    }
                }
                ConfigError::Io { .. } => panic!("I/O error from text: {shown}"),
            }
        }
    }
}

/// The report JSON import (`report add`, `check`): either a draft that survives a
/// serialise/parse round trip, is filed and assessed with flags that point at their own words,
/// or an error naming the input, line and column.
pub fn report_json(data: &[u8]) {
    // read_input refuses bytes that are not UTF-8 before parsing.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match dutydesk::cli::run::parse_draft(text, "fuzz.json") {
        Err(e) => {
            let (CliError::BadInput(shown) | CliError::Failure(shown)) = &e else {
                panic!("a parse error is bad input or a failure, not {e:?}");
            };
            assert!(shown.starts_with("fuzz.json:"), "{shown}");
            assert!(sanitize::is_safe(shown), "error not sanitised: {shown:?}");
        }
        Ok(draft) => {
            let json = serde_json::to_string(&draft).expect("a draft serialises");
            let back = dutydesk::cli::run::parse_draft(&json, "again.json")
                .unwrap_or_else(|e| panic!("round trip refused {json}: {e:?}"));
            assert_eq!(back, draft, "round trip changed the draft: {json}");
            assess(draft);
        }
    }
    // The check command over the same input: an error or a text that is safe to print.
    let now = chrono::DateTime::from_timestamp(1_790_000_000, 0).expect("a fixed time");
    if let Ok(out) = dutydesk::rules::check::run_check(
        text,
        defaults(),
        dutydesk::rules::check::CheckFormat::Text,
        dutydesk::domain::Lang::En,
        now,
    ) {
        if let Some(c) = survivor(&out) {
            panic!("check output carries U+{:04X}: {out:?}", c as u32);
        }
    }
}

fn assess(draft: ReportDraft) {
    let now = chrono::DateTime::from_timestamp(1_790_000_000, 0).expect("a fixed time");
    let report = Report::from_draft(draft, 0, now.fixed_offset(), "fuzz");
    let mut redrafted = report.to_draft();
    redrafted.received_at = None;
    let again = Report::from_draft(redrafted, 0, report.received_at, "fuzz");
    assert_eq!(again, report, "to_draft/from_draft changed the report");
    let a = verifier().assess(&report, &[], now);
    let mut ids = std::collections::HashSet::new();
    for f in &a.flags {
        assert!(ids.insert(f.id.clone()), "flag id {} twice", f.id);
        let field = match f.field.as_str() {
            "summary" => Some(report.summary.as_str()),
            "measures" => report.measures.as_deref(),
            "requests" => report.requests.as_deref(),
            "already_told" => report.already_told.as_deref(),
            "location" => report.location.as_deref(),
            _ => None,
        };
        if let (Some(t), Some(s), Some(e)) = (field, f.start, f.end) {
            let n = t.chars().count();
            assert!(s <= e && e <= n, "flag span {s}..{e} outside {n} chars");
            let words: String = t.chars().skip(s).take(e - s).collect();
            assert_eq!(
                f.cue.as_deref(),
                Some(words.as_str()),
                "cue and span disagree"
            );
        }
    }
}

/// The roster CSV import: accepted rows are valid and survive a write/parse round trip; a
/// refusal names every bad row by a line number inside the file.
pub fn roster_csv(data: &[u8]) {
    use dutydesk::config::roster::{parse_csv, RosterError};
    let c = defaults();
    let known = |n: &str| c.people.iter().any(|p| p.name == n);
    match parse_csv(data, "fuzz.csv", c) {
        Ok(rows) => {
            let mut dates = std::collections::HashSet::new();
            for r in &rows {
                assert!(
                    chrono::NaiveDate::parse_from_str(&r.date, "%Y-%m-%d").is_ok(),
                    "{r:?}"
                );
                assert!(dates.insert(r.date.clone()), "date twice: {r:?}");
                assert!(!r.officers.is_empty() && r.officers.iter().all(|o| known(o)));
                assert!(known(&r.leader), "{r:?}");
            }
            let csv: String = rows
                .iter()
                .map(|r| format!("{},{},{}\n", r.date, r.officers.join("、"), r.leader))
                .collect();
            match parse_csv(csv.as_bytes(), "again.csv", c) {
                Ok(back) => assert_eq!(back, rows, "round trip changed the rows"),
                Err(e) => panic!("round trip refused {csv:?}: {e}"),
            }
        }
        Err(RosterError::Encoding(name)) => {
            assert!(
                std::str::from_utf8(data).is_err(),
                "UTF-8 refused as not UTF-8"
            );
            assert_eq!(name, "fuzz.csv");
        }
        Err(RosterError::Rows(bad)) => {
            assert!(!bad.is_empty());
            let text = String::from_utf8_lossy(data);
            // csv counts lines by \n (a quoted field may span several).
            let lines = text.split('\n').count() as u64;
            for (l, m) in &bad {
                assert!(
                    (1..=lines).contains(l),
                    "bad row at line {l} of {lines}: {m}"
                );
            }
        }
        Err(RosterError::Io(m)) => panic!("I/O error from bytes: {m}"),
    }
}
