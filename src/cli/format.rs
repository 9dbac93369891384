//! Text output of the CLI: tables aligned by display width (CJK counts two), every piece of
//! outside text through the sanitiser.

use std::io::{self, Write};

use crate::config::Config;
use crate::domain::{Event, EventBody, Incident, Lang};
use crate::present::{event_summary, flag_line};
use crate::sanitize;
use crate::service::{IncidentRow, Status};
use crate::store::VerifyReport;
use crate::text::{fit, pad};

fn level_text(l: Option<crate::domain::Level>, lang: Lang) -> String {
    match l {
        Some(l) => l.numeral().to_string(),
        None => lang.pick("未定级", "ungraded").to_string(),
    }
}

/// The incident list as a table.
pub fn incident_table(
    out: &mut impl Write,
    rows: &[IncidentRow],
    config: &Config,
    lang: Lang,
) -> io::Result<()> {
    let zone = config.zone();
    writeln!(
        out,
        "{} {} {} {} {} {} {}",
        pad(lang.pick("编号", "number"), 13),
        pad(lang.pick("接报时间", "received"), 11),
        pad(lang.pick("级别", "level"), 9),
        pad(lang.pick("类别", "category"), 14),
        pad(lang.pick("地点", "place"), 18),
        pad(lang.pick("标记", "flags"), 5),
        lang.pick("摘要", "summary"),
    )?;
    for r in rows {
        let when = zone
            .localize(r.opened_at.with_timezone(&chrono::Utc))
            .format("%m-%d %H:%M")
            .to_string();
        let cat = r
            .category
            .as_deref()
            .map(|c| config.category_name(c, lang).to_string())
            .unwrap_or_default();
        let flags = if r.open_flags > 0 {
            format!("⚑{}", r.open_flags)
        } else {
            String::new()
        };
        let closed = if r.closed {
            lang.pick("[终] ", "[final] ")
        } else {
            ""
        };
        writeln!(
            out,
            "{} {} {} {} {} {} {closed}{}",
            pad(&r.number, 13),
            pad(&when, 11),
            pad(&level_text(r.level, lang), 9),
            pad(&sanitize::line(&cat), 14),
            pad(&sanitize::line(r.location.as_deref().unwrap_or("")), 18),
            pad(&flags, 5),
            fit(&sanitize::line(&r.summary), 60),
        )?;
    }
    if rows.is_empty() {
        writeln!(out, "{}", lang.pick("（没有事件）", "(no incidents)"))?;
    }
    Ok(())
}

/// One incident as readable text.
pub fn incident_text(
    out: &mut impl Write,
    inc: &Incident,
    timeline: &[Event],
    config: &Config,
    lang: Lang,
) -> io::Result<()> {
    let zone = config.zone();
    let t = |d: &chrono::DateTime<chrono::FixedOffset>| {
        zone.localize(d.with_timezone(&chrono::Utc))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    writeln!(
        out,
        "{} {}{}",
        lang.pick("事件", "Incident"),
        inc.number,
        if inc.closed {
            lang.pick("（已终报）", " (final report filed)")
        } else {
            ""
        }
    )?;
    for r in &inc.reports {
        writeln!(
            out,
            "\n== {} ({} {}) ==",
            r.title(lang),
            t(&r.received_at),
            sanitize::line(&r.recorder)
        )?;
        let rep = &r.reporter;
        let fields: [(&str, &str, String); 8] = [
            (
                "报告人",
                "reporter",
                [&rep.name, &rep.unit, &rep.post, &rep.phone]
                    .iter()
                    .filter_map(|x| x.as_deref())
                    .collect::<Vec<_>>()
                    .join(" / "),
            ),
            (
                "时间",
                "when",
                match &r.occurred_at {
                    Some(crate::domain::OccurredAt::At(a)) => t(a),
                    Some(crate::domain::OccurredAt::Words(w)) => w.clone(),
                    None => String::new(),
                },
            ),
            ("地点", "where", r.location.clone().unwrap_or_default()),
            (
                "类别/级别",
                "category/level",
                format!(
                    "{} / {}",
                    r.category
                        .as_deref()
                        .map(|c| config.category_name(c, lang))
                        .unwrap_or("-"),
                    level_text(r.level, lang)
                ),
            ),
            ("伤亡", "casualties", casualties_text(&r.casualties, lang)),
            ("事件经过", "what", r.summary.clone()),
            (
                "已采取措施",
                "measures",
                r.measures.clone().unwrap_or_default(),
            ),
            (
                "已报告",
                "already told",
                r.already_told.clone().unwrap_or_default(),
            ),
        ];
        for (zh, en, v) in fields {
            if !v.is_empty() {
                writeln!(out, "  {}: {}", lang.pick(zh, en), sanitize::text(&v))?;
            }
        }
    }
    if !inc.flags.is_empty() {
        writeln!(
            out,
            "\n== {} ==",
            lang.pick("核实标记", "Verification flags")
        )?;
        for f in &inc.flags {
            let state = match &f.resolution {
                None => lang.pick("待核实", "open").to_string(),
                Some(r) => format!("{} · {}", r.method.label(lang), r.result.label(lang)),
            };
            writeln!(out, "  {} ({state})", flag_line(&f.flag, lang))?;
        }
    }
    writeln!(out, "\n== {} ==", lang.pick("时间线", "Timeline"))?;
    for e in timeline {
        writeln!(
            out,
            "  #{:<6} {} {} {}",
            e.seq,
            t(&e.at),
            pad(&sanitize::line(&e.officer), 8),
            event_summary(e, lang)
        )?;
    }
    Ok(())
}

fn casualties_text(c: &crate::domain::Casualties, lang: Lang) -> String {
    use crate::domain::Count;
    let names = [
        ("死亡", "dead"),
        ("受伤", "injured"),
        ("失踪", "missing"),
        ("被困", "trapped"),
    ];
    c.entries()
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
            Count::About(a) => Some(format!("{} {}", lang.pick(zh, en), a.said)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The log as a table.
pub fn log_table(out: &mut impl Write, events: &[Event], lang: Lang) -> io::Result<()> {
    for e in events {
        writeln!(
            out,
            "#{:<7} {} {} {} {}",
            e.seq,
            e.at.format("%Y-%m-%dT%H:%M:%S%:z"),
            pad(&sanitize::line(&e.officer), 8),
            pad(&sanitize::line(&e.os_user), 8),
            fit(&event_summary(e, lang), 100)
        )?;
    }
    Ok(())
}

/// The verify result.
pub fn verify_text(out: &mut impl Write, v: &VerifyReport, lang: Lang) -> io::Result<()> {
    writeln!(
        out,
        "{}: {}",
        lang.pick("已校验事件", "events checked"),
        v.events
    )?;
    if v.torn_tail_bytes > 0 {
        writeln!(
            out,
            "{}: {} bytes",
            lang.pick(
                "末尾未完成的行（未确认，打开时会删除）",
                "unfinished last line (never acknowledged; removed on open)"
            ),
            v.torn_tail_bytes
        )?;
    }
    match &v.chain_break {
        Some(b) => writeln!(
            out,
            "{} #{} ({} {}): {}",
            lang.pick("哈希链断裂，首个错误序号", "chain broken at sequence"),
            b.seq,
            lang.pick("日志第", "journal line"),
            b.line,
            sanitize::line(&b.reason)
        )?,
        None => writeln!(out, "{}", lang.pick("哈希链完整", "hash chain intact"))?,
    }
    match &v.projection_mismatch {
        Some(m) => writeln!(
            out,
            "{}: {}",
            lang.pick("投影与重放不一致", "projections differ from a replay"),
            sanitize::line(m)
        )?,
        None if v.chain_break.is_none() => writeln!(
            out,
            "{}",
            lang.pick("投影与重放一致", "projections equal a replay")
        )?,
        None => {}
    }
    if let Some(b) = &v.anchor_break {
        writeln!(
            out,
            "{} #{}: {}",
            lang.pick(
                "交接班锚点不符，事件序号",
                "handover anchor mismatch at sequence"
            ),
            b.seq,
            sanitize::line(&b.reason)
        )?;
    }
    let (all, signed) = v.checkpoints;
    if all > 0 {
        writeln!(
            out,
            "{}: {all} ({} {signed})",
            lang.pick("锚点文件检查点", "anchor file checkpoints"),
            lang.pick("已签名", "signed"),
        )?;
    }
    writeln!(out, "{} ms", v.millis)
}

/// The status.
pub fn status_text(out: &mut impl Write, s: &Status, lang: Lang) -> io::Result<()> {
    writeln!(
        out,
        "{}: {}",
        lang.pick("数据目录", "data folder"),
        s.data_dir
    )?;
    writeln!(
        out,
        "{}: #{} {}",
        lang.pick("最新事件", "head"),
        s.head_seq,
        s.head_hash
    )?;
    writeln!(out, "{}: {}", lang.pick("事件数", "incidents"), s.incidents)?;
    for n in &s.open_notes {
        writeln!(out, "! {}", sanitize::line(n))?;
    }
    if let Some(b) = &s.sled_behind {
        writeln!(
            out,
            "! {}: {}",
            lang.pick("数据库落后于日志", "database behind the journal"),
            sanitize::line(b)
        )?;
    }
    if let Some(c) = &s.clock_behind {
        writeln!(out, "! {}", sanitize::line(c))?;
    }
    Ok(())
}

/// Every report as a CSV row, UTF-8 with a BOM so that Excel on Chinese Windows opens it.
/// Every cell through [`sanitize::csv::cell`]: no raw control, and no formula.
pub fn reports_csv(
    out: &mut impl Write,
    events: &[Event],
    config: &Config,
    lang: Lang,
) -> io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::Writer::from_writer(out);
    let header = [
        "incident",
        "report",
        "kind",
        "received_at",
        "channel",
        "reporter_name",
        "reporter_unit",
        "reporter_post",
        "reporter_phone",
        "occurred_at",
        "location",
        "category",
        "level",
        "dead",
        "injured",
        "missing",
        "trapped",
        "summary",
        "measures",
        "requests",
        "already_told",
        "recorder",
        "event_seq",
    ];
    w.write_record(header)?;
    let count = |c: crate::domain::Count| match c {
        crate::domain::Count::NotStated => String::new(),
        crate::domain::Count::Unknown => "unknown".into(),
        crate::domain::Count::Known(n) => n.to_string(),
        crate::domain::Count::About(a) => a.said,
    };
    for e in events {
        let EventBody::ReportFiled {
            incident,
            report: r,
        } = &e.body
        else {
            continue;
        };
        let occurred = match &r.occurred_at {
            Some(crate::domain::OccurredAt::At(a)) => a.to_rfc3339(),
            Some(crate::domain::OccurredAt::Words(wd)) => wd.clone(),
            None => String::new(),
        };
        let s = |x: &Option<String>| x.clone().unwrap_or_default();
        let row = [
            incident.clone(),
            r.title(lang),
            format!("{:?}", r.kind).to_lowercase(),
            r.received_at.to_rfc3339(),
            r.channel.map(|c| c.key().to_string()).unwrap_or_default(),
            s(&r.reporter.name),
            s(&r.reporter.unit),
            s(&r.reporter.post),
            s(&r.reporter.phone),
            occurred,
            s(&r.location),
            r.category
                .as_deref()
                .map(|c| config.category_name(c, lang).to_string())
                .unwrap_or_default(),
            r.level.map(|l| l.key().to_string()).unwrap_or_default(),
            count(r.casualties.dead.clone()),
            count(r.casualties.injured.clone()),
            count(r.casualties.missing.clone()),
            count(r.casualties.trapped.clone()),
            r.summary.clone(),
            s(&r.measures),
            s(&r.requests),
            s(&r.already_told),
            r.recorder.clone(),
            e.seq.to_string(),
        ];
        w.write_record(row.iter().map(|c| sanitize::csv::cell(c).into_owned()))?;
    }
    w.flush()
}
