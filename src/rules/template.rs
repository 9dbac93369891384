//! Notice texts: templates (built in, overridable by a TOML file) and a small `{{field}}`
//! substitution, rendered from an incident. Pure: the caller reads any override file.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::domain::{Count, Incident, Lang, NoticeKind, OccurredAt, ReportKind};
use crate::rules::reading::Facts;
use crate::sanitize;

/// The built-in templates.
pub const DEFAULT_TEMPLATES: &str = include_str!("../../assets/templates.toml");

/// The fields a template may use.
pub const FIELDS: [&str; 22] = [
    "office",
    "headline",
    "number",
    "title",
    "recipient",
    "occurred",
    "place",
    "category",
    "level",
    "casualties",
    "summary",
    "measures",
    "requests",
    "source",
    "unverified",
    "token",
    "deadline",
    "sent_at",
    "officer",
    "instruction",
    "changes",
    "escalated_from",
];

/// One kind's template, in both languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Template {
    /// Subject line, Chinese.
    pub subject_zh: String,
    /// Body, Chinese.
    pub zh: String,
    /// Subject line, English.
    pub subject_en: String,
    /// Body, English.
    pub en: String,
}

/// Every kind's template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Templates(BTreeMap<String, Template>);

/// What a notice says: the subject and the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Body.
    pub text: String,
}

/// Everything a text is rendered from, besides the incident.
#[derive(Debug, Clone)]
pub struct RenderCtx<'a> {
    /// Which kind of notice.
    pub kind: NoticeKind,
    /// Language of the text.
    pub lang: Lang,
    /// Who it is for.
    pub recipient: &'a str,
    /// The acknowledgement code.
    pub token: &'a str,
    /// Acknowledge by.
    pub deadline: Option<DateTime<FixedOffset>>,
    /// Now, local.
    pub now: DateTime<FixedOffset>,
    /// The officer sending it.
    pub officer: &'a str,
    /// The leader's instruction (批示).
    pub instruction: &'a str,
    /// What changed since the version the recipient holds.
    pub changes: &'a str,
    /// Who failed to acknowledge (escalations).
    pub escalated_from: &'a str,
    /// The latest report's facts, with what its words suggest for the empty fields
    /// ([`crate::rules::reading::facts`]): the text says "不详" only when the words do not tell.
    pub facts: &'a Facts,
}

impl Templates {
    /// The built-in templates, with an override file's text layered on (`None` = built-in).
    pub fn load(override_text: Option<&str>) -> Result<Templates, String> {
        let mut map: BTreeMap<String, Template> =
            toml::from_str(DEFAULT_TEMPLATES).map_err(|e| format!("built-in templates: {e}"))?;
        if let Some(text) = override_text {
            let over: BTreeMap<String, BTreeMap<String, String>> =
                toml::from_str(text).map_err(|e| e.message().to_string())?;
            for (kind, fields) in over {
                let t = map
                    .get_mut(&kind)
                    .ok_or_else(|| format!("unknown template [{kind}]"))?;
                for (k, v) in fields {
                    match k.as_str() {
                        "subject_zh" => t.subject_zh = v,
                        "zh" => t.zh = v,
                        "subject_en" => t.subject_en = v,
                        "en" => t.en = v,
                        _ => return Err(format!("[{kind}] has unknown key {k:?}")),
                    }
                }
            }
        }
        for (kind, t) in &map {
            for text in [&t.subject_zh, &t.zh, &t.subject_en, &t.en] {
                if let Some(f) = placeholders(text).find(|f| !FIELDS.contains(f)) {
                    return Err(format!("[{kind}] uses unknown field {{{{{f}}}}}"));
                }
            }
        }
        Ok(Templates(map))
    }

    /// Renders a notice about an incident.
    pub fn render(&self, config: &Config, inc: &Incident, ctx: &RenderCtx<'_>) -> Rendered {
        let t = self.0.get(ctx.kind.key()).cloned().unwrap_or_default();
        let f = fields(config, inc, ctx);
        let (subject, body) = match ctx.lang {
            Lang::Zh => (&t.subject_zh, &t.zh),
            Lang::En => (&t.subject_en, &t.en),
        };
        Rendered {
            subject: substitute(subject, &f)
                .replace('\n', " ")
                .trim()
                .to_string(),
            text: substitute(body, &f).trim().to_string() + "\n",
        }
    }
}

fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split("{{")
        .skip(1)
        .filter_map(|s| s.split_once("}}").map(|(name, _)| name.trim()))
}

/// Replaces `{{name}}` by its value; a line whose fields are all empty is left out.
pub fn substitute(template: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    for line in template.split_inclusive('\n') {
        let mut names = placeholders(line).peekable();
        if names.peek().is_some() && names.all(|n| values.get(n).is_none_or(|v| v.is_empty())) {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("{{") {
            out.push_str(&rest[..i]);
            match rest[i + 2..].split_once("}}") {
                Some((name, after)) => {
                    out.push_str(values.get(name.trim()).map(String::as_str).unwrap_or(""));
                    rest = after;
                }
                None => {
                    out.push_str(&rest[i..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
    }
    out
}

/// Casualties as a phrase: `死亡 2，受伤 5` / `dead 2, injured 5`.
pub fn casualties_text(c: &crate::domain::Casualties, lang: Lang) -> String {
    let names = [
        ("死亡", "dead"),
        ("受伤", "injured"),
        ("失踪", "missing"),
        ("被困", "trapped"),
    ];
    let parts: Vec<String> = c
        .entries()
        .iter()
        .zip(names)
        .filter_map(|((_, count), (zh, en))| match count {
            Count::NotStated => None,
            Count::Unknown => Some(format!(
                "{} {}",
                lang.pick(zh, en),
                lang.pick("不详", "unknown")
            )),
            Count::Known(n) => Some(format!("{} {n}", lang.pick(zh, en))),
            // As the caller said it: 【待核实】 travels with it as a vague flag.
            Count::About(a) => Some(format!("{} {}", lang.pick(zh, en), a.said)),
        })
        .collect();
    if parts.is_empty() {
        lang.pick("未报", "not stated").to_string()
    } else {
        parts.join(lang.pick("，", ", "))
    }
}

/// The first sentence of the summary, at most 60 characters: what a subject line says happened.
pub fn headline(summary: &str) -> String {
    let text = clean(summary);
    let first = text
        .split_inclusive(['。', '！', '？', '\n'])
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches(['。', '！', '？']);
    let first = match first.find(". ") {
        Some(i) => &first[..i],
        None => first,
    };
    if first.chars().count() > 60 {
        let cut: String = first.chars().take(59).collect();
        format!("{cut}…")
    } else {
        first.to_string()
    }
}

fn clean(s: &str) -> String {
    sanitize::text(s).trim().to_string()
}

fn fields<'a>(config: &Config, inc: &Incident, ctx: &RenderCtx<'_>) -> BTreeMap<&'a str, String> {
    let lang = ctx.lang;
    let r = inc.latest();
    let stamp = |t: DateTime<FixedOffset>| t.format("%Y-%m-%d %H:%M").to_string();
    let none = lang.pick("不详", "unknown").to_string();
    let title = match (ctx.kind, r.kind) {
        (NoticeKind::FollowUp, ReportKind::FollowUp) => r.title(lang),
        (NoticeKind::FollowUp, _) => lang.pick("续报", "Follow-up").to_string(),
        (NoticeKind::First, _) => lang.pick("首报", "First report").to_string(),
        (NoticeKind::Final, _) => lang.pick("终报", "Final report").to_string(),
        (NoticeKind::Correction, _) => lang.pick("更正", "Correction").to_string(),
        (NoticeKind::Instruction, _) => lang.pick("批示传达", "Instruction").to_string(),
        (NoticeKind::Reminder, _) => lang.pick("催办", "Reminder").to_string(),
        (NoticeKind::Escalation, _) => lang.pick("督办", "Escalation").to_string(),
    };
    let mut unverified = String::new();
    // Only the flags still open against what the latest report says: those it answers are
    // offered to the officer and not sent as doubts.
    let answered = crate::rules::verify::answered::answered(inc);
    let open: Vec<_> = inc
        .open_flags()
        .filter(|f| !answered.contains(&f.flag.id))
        .collect();
    if !open.is_empty() {
        unverified.push_str("【待核实 / unverified】");
        // The same words flagged in two fields (the summary's "2时许" taken into the time field)
        // are one doubt to the recipient.
        let mut seen: Vec<(crate::domain::FlagKind, Option<&str>)> = Vec::new();
        for f in open {
            let key = (f.flag.kind, f.flag.cue.as_deref());
            if f.flag.cue.is_some() && seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let cue = f.flag.cue.as_deref().map(|c| format!("「{}」", clean(c)));
            unverified.push_str(&format!(
                "\n· {}{} {}",
                f.flag.kind.label(lang),
                cue.unwrap_or_default(),
                clean(f.flag.reason(lang))
            ));
        }
    }
    let source = [&r.reporter.unit, &r.reporter.name, &r.reporter.post]
        .iter()
        .filter_map(|s| s.as_deref().map(clean))
        .collect::<Vec<_>>()
        .join(" ");
    let facts = ctx.facts;
    let read_mark = |read: bool, s: String| {
        if read {
            format!(
                "{s}{}",
                lang.pick("（按报告文字推断）", " (read from the report)")
            )
        } else {
            s
        }
    };
    let occurred = match &facts.occurred {
        Some(OccurredAt::At(t)) => read_mark(facts.occurred_read, stamp(*t)),
        Some(OccurredAt::Words(w)) => read_mark(facts.occurred_read, clean(w)),
        None => none.clone(),
    };
    let mut m = BTreeMap::new();
    let office = lang.pick(&config.office.name, &config.office.name_en);
    m.insert("office", clean(office));
    m.insert("number", inc.number.0.clone());
    m.insert("title", title);
    m.insert("recipient", clean(ctx.recipient));
    m.insert("occurred", occurred);
    let place = facts
        .location
        .as_deref()
        .map(|l| read_mark(facts.location_read, clean(l)));
    m.insert("place", place.unwrap_or(none.clone()));
    // An unknown category key is shown as given: outside text, so it is cleaned like the rest.
    let cat = (!facts.categories.is_empty()).then(|| {
        let names: Vec<String> = facts
            .categories
            .iter()
            .map(|c| clean(config.category_name(c, lang)))
            .collect();
        read_mark(facts.category_read(), names.join(lang.pick("、", ", ")))
    });
    m.insert("category", cat.unwrap_or(none.clone()));
    let level = facts.level.map(|l| {
        read_mark(
            facts.level_read,
            format!("{}（{}）", l.numeral(), l.name(lang)),
        )
    });
    m.insert(
        "level",
        level.unwrap_or(lang.pick("未定级", "not graded").into()),
    );
    m.insert(
        "casualties",
        read_mark(
            !facts.casualties_read.is_empty(),
            casualties_text(&facts.casualties, lang),
        ),
    );
    m.insert("headline", headline(&r.summary));
    m.insert("summary", clean(&r.summary));
    m.insert(
        "measures",
        r.measures.as_deref().map(clean).unwrap_or_default(),
    );
    m.insert(
        "requests",
        r.requests.as_deref().map(clean).unwrap_or_default(),
    );
    m.insert("source", if source.is_empty() { none } else { source });
    m.insert("unverified", unverified);
    m.insert("token", ctx.token.to_string());
    let deadline = ctx.deadline.map(stamp);
    m.insert(
        "deadline",
        deadline.unwrap_or(lang.pick("尽快", "soon").into()),
    );
    m.insert("sent_at", stamp(ctx.now));
    m.insert("officer", clean(ctx.officer));
    m.insert("instruction", clean(ctx.instruction));
    m.insert("changes", clean(ctx.changes));
    m.insert("escalated_from", clean(ctx.escalated_from));
    m
}
