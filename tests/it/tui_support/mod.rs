//! Fixtures for the console tests: a fixed clock, fixed incidents, and helpers to draw the app on
//! a TestBackend and to drive it with keys. No store anywhere.

#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use dutydesk::domain::incident::FlagState;
use dutydesk::domain::{
    Actor, Casualties, Channel, Count, Event, EventBody, Flag, FlagClass, FlagKind, Incident,
    IncidentNo, Lang, Level, Report, ReportKind, Reporter,
};
use dutydesk::service::{IncidentRow, Response};
use dutydesk::tui::keymap::{Code, Key, Keymap};
use dutydesk::tui::msg::{Msg, Reply};
use dutydesk::tui::theme::Theme;
use dutydesk::tui::{App, Env};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

pub fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

pub fn now() -> DateTime<Utc> {
    t("2026-11-23T02:07:36+08:00").with_timezone(&Utc)
}

pub fn env(lang: Lang) -> Env {
    let config = Arc::new(dutydesk::config::defaults());
    Env::new(
        config,
        lang,
        Theme::from_toml(dutydesk::tui::theme::DEFAULT_THEME, true, false),
        Keymap::defaults(),
        Actor {
            officer: "李明".into(),
            os_user: "duty".into(),
        },
        now(),
    )
}

pub fn report(summary: &str, seq: u32, kind: ReportKind, at: &str) -> Report {
    Report {
        kind,
        seq_in_incident: seq,
        received_at: t(at),
        channel: Some(Channel::Phone),
        reporter: Reporter {
            name: Some("王五".into()),
            unit: Some("河口镇村民".into()),
            post: None,
            phone: Some("13800000000".into()),
        },
        occurred_at: None,
        location: Some("河口镇化工园区".into()),
        category: Some("fire".into()),
        level: Some(Level::III),
        casualties: Casualties {
            trapped: Count::Known(12),
            dead: Count::Unknown,
            ..Casualties::default()
        },
        summary: summary.into(),
        measures: Some("已通知县消防救援大队".into()),
        requests: None,
        already_told: Some("01:50 已报河口镇政府".into()),
        declined: Vec::new(),
        accepted: Vec::new(),
        recorder: "李明".into(),
    }
}

pub fn vague_flag(id: &str, start: usize, end: usize, cue: &str) -> Flag {
    Flag {
        id: id.into(),
        kind: FlagKind::Vague,
        field: "summary".into(),
        cue: Some(cue.into()),
        class: Some(FlagClass::Hearsay),
        start: Some(start),
        end: Some(end),
        reason_zh: "传闻用语，需核实".into(),
        reason_en: "hearsay; verify".into(),
        suggest_zh: "回拨报告人".into(),
        suggest_en: "call back".into(),
        weight: 90,
    }
}

pub const SUMMARY: &str = "据说河口镇化工厂起火，十几人被困";

pub fn incident() -> Incident {
    let r0 = report(SUMMARY, 0, ReportKind::First, "2026-11-23T01:52:10+08:00");
    Incident {
        number: IncidentNo("20261123-001".into()),
        opened_at: r0.received_at,
        reports: vec![r0],
        flags: vec![
            FlagState {
                report: 0,
                flag: vague_flag("R0-1", 0, 2, "据说"),
                raised_at: t("2026-11-23T01:52:11+08:00"),
                resolution: None,
            },
            FlagState {
                report: 0,
                flag: Flag {
                    kind: FlagKind::UnverifiedSource,
                    field: "reporter".into(),
                    cue: Some("村民".into()),
                    start: None,
                    end: None,
                    reason_zh: "报告人非职能部门".into(),
                    reason_en: "the caller is not a functional department".into(),
                    ..vague_flag("R0-2", 0, 0, "")
                },
                raised_at: t("2026-11-23T01:52:11+08:00"),
                resolution: None,
            },
        ],
        closed: false,
        events: vec![3, 4, 5],
    }
}

pub fn timeline() -> Vec<Event> {
    let inc = incident();
    let mut v = vec![Event::seal(
        3,
        t("2026-11-23T01:52:11+08:00"),
        "李明",
        "duty",
        EventBody::ReportFiled {
            incident: inc.number.0.clone(),
            report: Box::new(inc.reports[0].clone()),
        },
        "x",
    )];
    for (i, f) in inc.flags.iter().enumerate() {
        v.push(Event::seal(
            4 + i as u64,
            f.raised_at,
            "李明",
            "duty",
            EventBody::FlagRaised {
                incident: inc.number.0.clone(),
                report: 0,
                flag: f.flag.clone(),
            },
            "x",
        ));
    }
    v
}

pub fn rows(n: usize) -> Vec<IncidentRow> {
    let base = incident();
    let mut rows = vec![IncidentRow::of(&base)];
    let places = [
        "城关镇人民路",
        "石门乡三道沟",
        "河口大桥",
        "县一中",
        "滨河小区",
    ];
    let cats = [
        "traffic",
        "hazmat",
        "flood",
        "missing_person",
        "food_safety",
    ];
    for i in 1..n {
        let mut r = IncidentRow::of(&base);
        r.number = format!("20261122-{:03}", n - i);
        r.opened_at = t("2026-11-22T20:00:00+08:00") - chrono::Duration::minutes(i as i64 * 7);
        r.location = Some(places[i % 5].into());
        r.category = Some(cats[i % 5].into());
        r.summary = format!("第{i}起：车辆相撞，约三人受伤");
        r.open_flags = (i % 3) as u32;
        // Raised when the incident was filed: their verification clocks run from then.
        r.open_flags_raised = vec![r.opened_at; r.open_flags as usize];
        r.closed = i % 4 == 0;
        r.level = if i % 2 == 0 { Some(Level::IV) } else { None };
        rows.push(r);
    }
    rows
}

/// An app signed in, on the board, with `n` rows and the first incident's detail loaded.
pub fn board_app(lang: Lang, n: usize) -> App {
    let mut app = App::new(env(lang));
    key(&mut app, Key::plain(Code::Enter));
    app.update(Msg::Answer {
        reply: Reply::Rows,
        response: Response::Incidents {
            rows: rows(n),
            total: n,
        },
    });
    app.update(Msg::Answer {
        reply: Reply::Detail("20261123-001".into()),
        response: Response::Incident {
            incident: Box::new(incident()),
            timeline: timeline(),
            notices: Vec::new(),
            stale: Vec::new(),
        },
    });
    app
}

pub fn key(app: &mut App, k: Key) -> Vec<dutydesk::tui::effect::Effect> {
    app.update(Msg::Key(k))
}

pub fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        app.update(Msg::Key(Key::char(c)));
    }
}

pub fn draw(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| app.render(f)).unwrap();
    term
}
