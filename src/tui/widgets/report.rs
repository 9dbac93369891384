//! A filed report, its flags and a timeline as display lines, cues highlighted in their fields.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::marked::lay_out;
use crate::domain::incident::FlagState;
use crate::domain::{Count, Event, Flag, OccurredAt, Report};
use crate::tui::env::Env;
use crate::tui::i18n::Text;

/// Cue ranges (character offsets) that `flags` mark in `field`.
pub fn marks_for<'a>(flags: impl Iterator<Item = &'a Flag>, field: &str) -> Vec<(usize, usize)> {
    flags
        .filter(|f| f.field == field)
        .filter_map(|f| Some((f.start?, f.end?)))
        .collect()
}

/// A level as shown: `Ⅲ 较大`, or "ungraded".
pub fn level_text(env: &Env, level: Option<crate::domain::Level>) -> String {
    match level {
        Some(l) => format!("{} {}", l.numeral(), l.name(env.lang)),
        None => env.t(Text::Ungraded).to_string(),
    }
}

/// Casualties as `死亡 2 受伤 不详`.
pub fn casualties_text(env: &Env, c: &crate::domain::Casualties) -> String {
    let names = [
        Text::FieldDead,
        Text::FieldInjured,
        Text::FieldMissing,
        Text::FieldTrapped,
    ];
    c.entries()
        .iter()
        .zip(names)
        .filter_map(|((_, n), name)| match n {
            Count::NotStated => None,
            Count::Unknown => Some(format!("{} {}", env.t(name), env.t(Text::Unknown))),
            Count::Known(k) => Some(format!("{} {k}", env.t(name))),
            Count::About(a) => Some(format!("{} {}", env.t(name), a.said)),
        })
        .collect::<Vec<_>>()
        .join("  ")
}

fn text_field(
    env: &Env,
    out: &mut Vec<Line<'static>>,
    label: Text,
    field: &str,
    value: &str,
    flags: &[&Flag],
    width: u16,
) {
    if value.trim().is_empty() {
        return;
    }
    out.push(Line::styled(format!("{}:", env.t(label)), env.theme.dim));
    let marks = marks_for(flags.iter().copied(), field);
    let laid = lay_out(
        value,
        width.saturating_sub(2),
        &marks,
        env.theme.text,
        env.theme.cue,
        None,
    );
    for l in laid.lines {
        let mut spans = vec![Span::raw("  ")];
        spans.extend(l.spans);
        out.push(Line::from(spans));
    }
}

/// The report's elements, with the given flags' cues highlighted.
pub fn report_lines(env: &Env, r: &Report, flags: &[&Flag], width: u16) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let s = |x: &str| crate::sanitize::line(x).into_owned();
    let at = env.local(&r.received_at).format("%m-%d %H:%M:%S");
    out.push(Line::from(vec![
        Span::styled(r.title(env.lang), env.theme.accent),
        Span::styled(
            format!("  {at}  {} {}", env.t(Text::Recorder), s(&r.recorder)),
            env.theme.dim,
        ),
    ]));
    let rep = &r.reporter;
    let who = [&rep.name, &rep.unit, &rep.post, &rep.phone]
        .iter()
        .filter_map(|x| x.as_deref())
        .collect::<Vec<_>>()
        .join(" / ");
    let reporter_flagged = flags.iter().any(|f| f.field.starts_with("reporter"));
    let when = match &r.occurred_at {
        Some(OccurredAt::At(t)) => env.local(t).format("%m-%d %H:%M").to_string(),
        Some(OccurredAt::Words(w)) => w.clone(),
        None => String::new(),
    };
    let cat = r
        .category
        .as_deref()
        .map(|c| env.config.category_name(c, env.lang).to_string())
        .unwrap_or_default();
    let rows = [
        (Text::Reporter, who, reporter_flagged),
        (Text::FieldOccurredAt, when, false),
        (
            Text::FieldLocation,
            r.location.clone().unwrap_or_default(),
            false,
        ),
        (
            Text::Category,
            format!("{cat}  {}", level_text(env, r.level)),
            false,
        ),
        (Text::Casualties, casualties_text(env, &r.casualties), false),
    ];
    for (label, value, flagged) in rows {
        if value.trim().is_empty() {
            continue;
        }
        let style = if flagged {
            env.theme.warn
        } else {
            env.theme.text
        };
        out.push(Line::from(vec![
            Span::styled(format!("{}: ", env.t(label)), env.theme.dim),
            Span::styled(s(&value), style),
        ]));
    }
    text_field(
        env,
        &mut out,
        Text::FieldSummary,
        "summary",
        &r.summary,
        flags,
        width,
    );
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    text_field(
        env,
        &mut out,
        Text::FieldMeasures,
        "measures",
        &opt(&r.measures),
        flags,
        width,
    );
    text_field(
        env,
        &mut out,
        Text::FieldRequests,
        "requests",
        &opt(&r.requests),
        flags,
        width,
    );
    text_field(
        env,
        &mut out,
        Text::FieldAlreadyTold,
        "already_told",
        &opt(&r.already_told),
        flags,
        width,
    );
    out
}

/// One flag as a line: `⚑ R0-1 [表述模糊] summary «据说» reason`, resolved ones with ✓.
pub fn flag_line(env: &Env, f: &FlagState, selected: bool) -> Line<'static> {
    let (mark, style) = match &f.resolution {
        None => ("⚑", env.theme.warn),
        Some(_) => ("✓", env.theme.ok),
    };
    let style = if selected { env.theme.selected } else { style };
    let cue = f
        .flag
        .cue
        .as_deref()
        .map(|c| format!(" «{}»", crate::sanitize::line(c)))
        .unwrap_or_default();
    let state = match &f.resolution {
        None => String::new(),
        Some(r) => format!(
            " ({} · {})",
            r.method.label(env.lang),
            r.result.label(env.lang)
        ),
    };
    Line::from(vec![
        Span::styled(format!("{mark} {} ", f.flag.id), style),
        Span::styled(format!("[{}]", f.flag.kind.label(env.lang)), style),
        Span::styled(
            format!(" {}{cue}", field_label(env, &f.flag.field)),
            env.theme.dim,
        ),
        Span::styled(
            format!(" {}{state}", crate::sanitize::line(f.flag.reason(env.lang))),
            env.theme.text,
        ),
    ])
}

/// Timeline lines: `02:07:36 李明 20261123-001 初报`.
pub fn timeline_lines(env: &Env, events: &[Event]) -> Vec<Line<'static>> {
    events
        .iter()
        .map(|e| {
            Line::from(vec![
                Span::styled(
                    env.local(&e.at).format("%m-%d %H:%M:%S ").to_string(),
                    env.theme.dim,
                ),
                Span::styled(
                    format!("{} ", crate::sanitize::line(&e.officer)),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::raw(crate::present::event_summary(e, env.lang)),
            ])
        })
        .collect()
}

/// A flag's field as the officer knows it (`事件经过`, not `summary`).
pub fn field_label(env: &Env, field: &str) -> String {
    crate::tui::screens::intake_fields::FieldId::of_flag(field)
        .map(|id| env.t(id.label()).to_string())
        .unwrap_or_else(|| field.to_string())
}
