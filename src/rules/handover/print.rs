//! The handover record on paper: Markdown, and a plain-text layout that prints on A4 (at most
//! [`WIDTH`] columns, CJK characters counted double). Pure. Every piece of outside text (names,
//! summaries, ids, notes) goes through the sanitiser: these are printed, shown with `cat` and
//! written to `handovers/`.

use unicode_width::UnicodeWidthStr;

use crate::sanitize;
use crate::text::wrap;

use crate::domain::handover::{HandoverRecord, ItemKind, Seal};
use crate::domain::Lang;

/// The widest plain-text line, in terminal columns.
pub const WIDTH: usize = 80;

fn tick(r: &HandoverRecord) -> &'static str {
    if r.accepted_at.is_some() {
        "[x]"
    } else {
        "[ ]"
    }
}

fn title(lang: Lang) -> &'static str {
    lang.pick("交接班记录", "Shift handover record")
}

fn header_lines(r: &HandoverRecord, lang: Lang) -> Vec<(String, String)> {
    let none = lang.pick("（未接班）", "(not yet accepted)");
    vec![
        (
            lang.pick("班次", "Shift").into(),
            r.shift.format("%Y-%m-%d").to_string(),
        ),
        (
            lang.pick("交班人", "Outgoing").into(),
            sanitize::line(&r.from).into_owned(),
        ),
        (
            lang.pick("接班人", "Incoming").into(),
            if r.to.is_empty() {
                none.to_string()
            } else {
                sanitize::line(&r.to).into_owned()
            },
        ),
        (
            lang.pick("接班时间", "Accepted at").into(),
            r.accepted_at
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|| none.to_string()),
        ),
        (
            lang.pick("日志锚点", "Log anchor").into(),
            r.head
                .as_ref()
                .map(|(s, h)| format!("#{s} {}", sanitize::line(h.get(..16).unwrap_or(h))))
                .unwrap_or_else(|| none.to_string()),
        ),
    ]
}

/// The record in Markdown.
pub fn markdown(r: &HandoverRecord, lang: Lang) -> String {
    let mut s = format!("# {} {}\n\n", title(lang), r.shift.format("%Y-%m-%d"));
    for (k, v) in header_lines(r, lang) {
        s.push_str(&format!("- **{k}**: {v}\n"));
    }
    for kind in ItemKind::ALL {
        s.push_str(&format!("\n## {}\n\n", kind.heading(lang)));
        let items: Vec<_> = r.items.iter().filter(|i| i.kind == kind).collect();
        if items.is_empty() {
            s.push_str(&format!("{}\n", lang.pick("无。", "None.")));
        }
        for i in items {
            s.push_str(&format!(
                "- {} {} `{}`\n",
                tick(r),
                md_escape(&sanitize::line(&i.summary)),
                sanitize::line(&i.id).replace('`', "'")
            ));
        }
    }
    s.push_str(&format!("\n## {}\n\n", lang.pick("交班备注", "Notes")));
    if r.notes.trim().is_empty() {
        s.push_str(&format!("{}\n", lang.pick("无。", "None.")));
    } else {
        for l in r.notes.lines() {
            s.push_str(&format!("> {}\n", md_escape(&sanitize::line(l))));
        }
    }
    if let Some(c) = &r.checkpoint {
        s.push_str(&format!("\n## {}\n\n", seal_heading(c, lang)));
        for (k, v) in seal_lines(c, lang) {
            s.push_str(&format!("- {k}: `{v}`\n"));
        }
    }
    s
}

fn seal_heading(c: &Seal, lang: Lang) -> &'static str {
    if c.sig.is_some() {
        lang.pick("日志签名核对点", "Signed log checkpoint")
    } else {
        lang.pick("日志核对点（未签名）", "Log checkpoint (unsigned)")
    }
}

/// The checkpoint's fields as printed: whole, so the paper can be checked against the anchor
/// file and the desk's public key. Only hex digits, digits and an RFC 3339 time come from the
/// file; each is cleaned all the same.
fn seal_lines(c: &Seal, lang: Lang) -> Vec<(&'static str, String)> {
    let clean = |t: &str| sanitize::line(t).into_owned();
    let mut v = vec![
        (lang.pick("事件", "event"), format!("#{}", c.seq)),
        (lang.pick("哈希", "hash"), clean(&c.hash)),
        (lang.pick("时间", "time"), clean(&c.at)),
        (lang.pick("缘由", "why"), clean(&c.why)),
    ];
    if let (Some(k), Some(sig)) = (&c.key, &c.sig) {
        v.push((lang.pick("公钥", "key"), clean(k)));
        v.push((lang.pick("签名", "signature"), clean(sig)));
    }
    v
}

fn md_escape(t: &str) -> String {
    t.replace('\\', "\\\\")
        .replace('*', "\\*")
        .replace('_', "\\_")
        .replace('`', "\\`")
}

/// The record as plain text, every line at most [`WIDTH`] columns wide.
pub fn text(r: &HandoverRecord, lang: Lang) -> String {
    let mut out = Vec::new();
    let t = format!("{} {}", title(lang), r.shift.format("%Y-%m-%d"));
    let pad = WIDTH.saturating_sub(t.width()) / 2;
    out.push(format!("{}{t}", " ".repeat(pad)));
    out.push("=".repeat(WIDTH));
    for (k, v) in header_lines(r, lang) {
        out.extend(wrap(&format!("{k}: {v}"), "", WIDTH));
    }
    for kind in ItemKind::ALL {
        out.push(String::new());
        out.push(kind.heading(lang).to_string());
        out.push("-".repeat(WIDTH));
        let items: Vec<_> = r.items.iter().filter(|i| i.kind == kind).collect();
        if items.is_empty() {
            out.push(format!("  {}", lang.pick("无", "none")));
        }
        for (n, i) in items.iter().enumerate() {
            let first = format!("{:>2}. {} {}", n + 1, tick(r), sanitize::line(&i.summary));
            out.extend(wrap(&first, "        ", WIDTH));
        }
    }
    out.push(String::new());
    out.push(lang.pick("交班备注", "Notes").to_string());
    out.push("-".repeat(WIDTH));
    for l in r.notes.lines() {
        out.extend(wrap(&sanitize::line(l), "  ", WIDTH));
    }
    if let Some(c) = &r.checkpoint {
        out.push(String::new());
        out.push(seal_heading(c, lang).to_string());
        out.push("-".repeat(WIDTH));
        // Hex runs cut into pieces of 64, each on its own line under the name: nothing to
        // reassemble but order.
        for (k, v) in seal_lines(c, lang) {
            let chars: Vec<char> = v.chars().collect();
            let mut pieces = chars.chunks(64).map(|p| p.iter().collect::<String>());
            out.push(format!("  {k}: {}", pieces.next().unwrap_or_default()));
            for p in pieces {
                out.push(format!("    {p}"));
            }
        }
    }
    out.push(String::new());
    out.push(format!(
        "{}: ____________    {}: ____________",
        lang.pick("交班人签字", "Outgoing signature"),
        lang.pick("接班人签字", "Incoming signature")
    ));
    let mut s = out.join("\n");
    s.push('\n');
    s
}
