//! Every screen on a TestBackend in zh and en (insta snapshots), and a size sweep that must
//! never panic. State is built from Responses: no store.

use crate::tui_support;

use dutydesk::domain::Lang;
use dutydesk::service::Response;
use dutydesk::tui::keymap::{Code, Key};
use dutydesk::tui::msg::{Msg, Reply};
use dutydesk::tui::App;
use tui_support::*;

const W: u16 = 100;
const H: u16 = 30;

fn signin(lang: Lang) -> App {
    App::new(env(lang))
}

fn board(lang: Lang) -> App {
    board_app(lang, 40)
}

fn intake(lang: Lang) -> App {
    let mut app = board_app(lang, 5);
    key(&mut app, Key::char('n'));
    typed(&mut app, "王五");
    for _ in 0..12 {
        key(&mut app, Key::plain(Code::Tab));
    }
    typed(&mut app, SUMMARY);
    // The verifier's flags as the real engine would raise them (the stub raises none).
    if let Some(f) = app.intake.as_mut() {
        f.flags = vec![
            vague_flag("d-1", 0, 2, "据说"),
            vague_flag("d-2", 12, 14, "十几"),
        ];
    }
    app
}

fn follow_up(lang: Lang) -> App {
    let mut app = board_app(lang, 5);
    key(&mut app, Key::char('f'));
    typed(&mut app, "，火势已控制");
    app
}

fn incident_view(lang: Lang) -> App {
    let mut app = board_app(lang, 5);
    key(&mut app, Key::plain(Code::Enter));
    app.update(Msg::Answer {
        reply: Reply::Incident("20261123-001".into()),
        response: Response::Incident {
            incident: Box::new(incident()),
            timeline: timeline(),
            notices: Vec::new(),
            stale: Vec::new(),
        },
    });
    app
}

fn resolve_dialog(lang: Lang) -> App {
    let mut app = incident_view(lang);
    key(&mut app, Key::char('v'));
    key(&mut app, Key::plain(Code::Right));
    key(&mut app, Key::plain(Code::Tab));
    key(&mut app, Key::plain(Code::Tab));
    typed(&mut app, "回拨王五，属实");
    app
}

fn log_view(lang: Lang) -> App {
    let mut app = board_app(lang, 5);
    key(&mut app, Key::char('l'));
    app.update(Msg::Answer {
        reply: Reply::Log,
        response: Response::Events { events: timeline() },
    });
    key(&mut app, Key::char('/'));
    typed(&mut app, "李明");
    app
}

fn help(lang: Lang) -> App {
    let mut app = board(lang);
    key(&mut app, Key::char('?'));
    app
}

fn palette(lang: Lang) -> App {
    let mut app = board(lang);
    key(&mut app, Key::char(':'));
    typed(&mut app, "re");
    app
}

fn audit_view(lang: Lang) -> App {
    use dutydesk::rules::audit::{build, GroupBy, Interval, Period, Source, Stage};
    let mut app = board_app(lang, 5);
    key(&mut app, Key::char('t'));
    // Group by officer (→ twice from "no grouping" is by shift; once is by officer).
    key(&mut app, Key::plain(Code::Right));
    let minutes = [4u64, 12, 25, 38, 50, 75, 140, 420, 9, 18];
    let officers = ["李明", "张华"];
    let intervals: Vec<Interval> = minutes
        .iter()
        .enumerate()
        .map(|(i, m)| Interval {
            incident: format!("20261122-{:03}", i + 1).into(),
            stage: Stage::ReceivedToFlagsResolved,
            start: t("2026-11-22T02:00:00+08:00"),
            end: Some(t("2026-11-22T02:00:00+08:00")),
            level: None,
            category: Some("fire".into()),
            officer: officers[i % 2].into(),
            shift: chrono::NaiveDate::from_ymd_opt(2026, 11, 16 + i as u32 % 7).unwrap(),
            limit: Some(std::time::Duration::from_secs(30 * 60)),
            duration: std::time::Duration::from_secs(m * 60),
        })
        .collect();
    let report = build(
        intervals,
        Period {
            from: None,
            to: None,
        },
        Some(GroupBy::Officer),
        t("2026-11-23T02:07:36+08:00"),
        Source {
            events_read: 120,
            incidents: 10,
            chain_verified: true,
        },
    );
    app.update(Msg::Answer {
        reply: Reply::Audit,
        response: Response::Audit(Box::new(report)),
    });
    app
}

fn notices_send(lang: Lang) -> App {
    use dutydesk::config::Contact;
    use dutydesk::domain::{ChannelKind, NoticeKind, RecipientKind};
    use dutydesk::rules::routing::Proposed;
    use dutydesk::service::api::NoticeProposal;
    let mut app = board_app(lang, 5);
    key(&mut app, Key::char('s'));
    let person = |name: &str, kind, channel, to: &str, zh: &str, en: &str| Proposed {
        name: name.into(),
        kind,
        contact: Contact {
            channel,
            to: to.into(),
            target: String::new(),
        },
        why_zh: zh.into(),
        why_en: en.into(),
    };
    let proposal = NoticeProposal {
        incident: "20261123-001".into(),
        notice_kind: NoticeKind::First,
        version: 0,
        recipients: vec![
            person("刘志强", RecipientKind::Leader, ChannelKind::Phone, "13903790002", "今日带班领导", "leader on duty today"),
            person("县消防救援大队", RecipientKind::Department, ChannelKind::Spool, "", "对火灾负有职责", "responsible for fire"),
            person("河口镇人民政府", RecipientKind::Region, ChannelKind::Spool, "", "事发地在其辖区（河口镇）", "the place is in its area (河口镇)"),
        ],
        stale: Vec::new(),
        subject: "【首报】河口镇化工园区火灾".into(),
        text: "【待核实 / unverified】来源待核：报告人为群众；表述模糊：据说、十几\n02:07 接河口镇村民王五电话：据说河口镇化工厂起火，十几人被困。\n请回复回执码 K7P2-Q9XD。".into(),
    };
    app.update(Msg::Answer {
        reply: Reply::Proposal,
        response: Response::Proposal(Box::new(proposal)),
    });
    key(&mut app, Key::char('j'));
    key(&mut app, Key::char('j'));
    key(&mut app, Key::plain(Code::Char(' ')));
    app
}

fn notices_pending(lang: Lang) -> App {
    use dutydesk::domain::{Notice, NoticeState, QueuedNotice, RecipientKind};
    let mut app = board_app(lang, 5);
    key(&mut app, Key::char('N'));
    let notice = |id: &str, who: &str, kind, state, minutes: i64| Notice {
        q: QueuedNotice {
            id: format!("20261123-001/{id}"),
            token: format!("K7P2-{id}"),
            incident: "20261123-001".into(),
            recipient: who.into(),
            recipient_kind: kind,
            subject: "【首报】河口镇化工园区火灾".into(),
            deadline: Some(t("2026-11-23T02:07:36+08:00") + chrono::Duration::minutes(minutes)),
            ..QueuedNotice::default()
        },
        queued_at: t("2026-11-23T01:55:00+08:00"),
        state,
        dispatches: 1,
        failures: 0,
        last_error: None,
        delivered: None,
        ack: None,
        steps: Vec::new(),
        trail: Vec::new(),
        closed: None,
        reached: None,
        events: Vec::new(),
    };
    let mut rows = vec![
        notice(
            "N001",
            "刘志强",
            RecipientKind::Leader,
            NoticeState::ToCall,
            -3,
        ),
        notice(
            "N002",
            "县消防救援大队",
            RecipientKind::Department,
            NoticeState::Delivered,
            12,
        ),
        notice(
            "N003",
            "河口镇人民政府",
            RecipientKind::Region,
            NoticeState::Failed,
            25,
        ),
    ];
    // The late one is a call still to make, reminded and escalated: its number and its steps
    // are in its one row, not rows of their own.
    rows[0].q.to = Some("13903790002".into());
    for (step, to) in [
        (dutydesk::domain::EscalationStep::Reminded, "刘志强"),
        (dutydesk::domain::EscalationStep::Escalated, "王建国"),
    ] {
        rows[0].steps.push(step);
        rows[0].trail.push(dutydesk::domain::StepMark {
            step,
            at: t("2026-11-23T02:04:36+08:00"),
            to: Some(to.into()),
            sent: None,
        });
    }
    app.update(Msg::Answer {
        reply: Reply::Notices,
        response: Response::Notices { rows },
    });
    app
}

fn supervision_view(lang: Lang) -> App {
    use dutydesk::domain::instruction::{Feedback, Recipient};
    use dutydesk::domain::{Arrangement, FeedbackForm, FeedbackKind, Instruction};
    let r = |name: &str, deadline: &str, version: u32, feedback: Vec<FeedbackKind>| Recipient {
        name: name.into(),
        notice_id: None,
        deadline: t(deadline),
        relayed_at: t("2026-11-23T00:30:00+08:00"),
        version,
        feedback: feedback
            .into_iter()
            .map(|kind| Feedback {
                form: FeedbackForm::Phone,
                kind,
                text: "已到场".into(),
                at: t("2026-11-23T01:10:00+08:00"),
            })
            .collect(),
        chases: Vec::new(),
    };
    let fire = Instruction {
        id: "PS-20261123-01".into(),
        incident: Some("20261123-001".into()),
        leader: "王建国".into(),
        received_at: t("2026-11-23T00:25:00+08:00"),
        channel: "phone".into(),
        text: "全力搜救被困人员，两小时内反馈处置情况".into(),
        arrangement: None,
        version: 1,
        changes: Vec::new(),
        recipients: vec![
            r("县应急管理局", "2026-11-23T01:55:00+08:00", 1, vec![]),
            r(
                "县消防救援大队",
                "2026-11-23T02:30:00+08:00",
                1,
                vec![FeedbackKind::Progress],
            ),
        ],
        events: vec![1],
    };
    let meeting = Instruction {
        id: "PS-20261123-02".into(),
        incident: None,
        leader: "刘志强".into(),
        received_at: t("2026-11-23T00:40:00+08:00"),
        channel: "written".into(),
        text: "明日调度会提前至15:00".into(),
        arrangement: Some(Arrangement {
            time: "11-23 15:00".into(),
            place: "三楼会议室".into(),
        }),
        version: 2,
        changes: Vec::new(),
        recipients: vec![
            r("孙丽", "2026-11-23T04:00:00+08:00", 1, vec![]),
            r("城关镇人民政府", "2026-11-23T04:00:00+08:00", 2, vec![]),
        ],
        events: vec![2],
    };
    let rows = vec![fire, meeting];
    let board = dutydesk::rules::supervision::board(&rows, &|_| false, now());
    let mut app = board_app(lang, 5);
    key(&mut app, Key::char('i'));
    app.update(Msg::Answer {
        reply: Reply::Instructions,
        response: Response::Instructions { rows, board },
    });
    app
}

fn handover_view(lang: Lang) -> App {
    use dutydesk::domain::handover::{HandoverItem, HandoverRecord, ItemKind};
    let mut app = board_app(lang, 5);
    key(&mut app, Key::char('h'));
    let item = |id: &str, kind, summary: &str| HandoverItem {
        id: id.into(),
        kind,
        incident: "20261123-001".into(),
        summary: summary.into(),
        due: None,
    };
    let record = HandoverRecord {
        shift: chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        from: "李明".into(),
        to: String::new(),
        items: vec![
            item(
                "incident:20261123-001",
                ItemKind::Incident,
                "20261123-001 · 河口镇 · 续报一 · 起火点为河口镇仓库，一名工人被困后已救出送医",
            ),
            item(
                "flag:20261123-001/R0-1",
                ItemKind::Flag,
                "20261123-001 · R0-1 · “据说”",
            ),
            item(
                "notice:20261123-001/N2",
                ItemKind::Notice,
                "20261123-001/N2 · 县消防救援大队 · 已送达",
            ),
            item(
                "stale:20261123-001/刘志强",
                ItemKind::Stale,
                "20261123-001 · 刘志强 · 地点已变更",
            ),
            item(
                "deadline:20261123-001/N2",
                ItemKind::Deadline,
                "11-23 09:10 · 20261123-001/N2 · 县消防救援大队",
            ),
        ],
        notes: String::new(),
        accepted_at: None,
        head: None,
        checkpoint: None,
    };
    app.update(Msg::Answer {
        reply: Reply::Handover,
        response: Response::Handover {
            record: Box::new(record),
            file: None,
        },
    });
    // Marking moves on to the next item: the first two are marked.
    key(&mut app, Key::plain(Code::Enter));
    key(&mut app, Key::char(' '));
    key(&mut app, Key::plain(Code::Tab));
    typed(&mut app, "火场明早复查");
    app
}

fn too_small(lang: Lang) -> App {
    board(lang)
}

type Builder = fn(Lang) -> App;

const SCREENS: [(&str, Builder); 15] = [
    ("signin", signin),
    ("board", board),
    ("intake", intake),
    ("follow_up", follow_up),
    ("incident", incident_view),
    ("resolve", resolve_dialog),
    ("log", log_view),
    ("audit", audit_view),
    ("notices_send", notices_send),
    ("notices_pending", notices_pending),
    ("supervision", supervision_view),
    ("handover", handover_view),
    ("help", help),
    ("palette", palette),
    ("too_small", too_small),
];

#[test]
fn snapshots_zh_and_en() {
    for (name, build) in SCREENS {
        for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
            let app = build(lang);
            let (w, h) = if name == "too_small" {
                (60, 10)
            } else {
                (W, H)
            };
            let term = draw(&app, w, h);
            insta::assert_snapshot!(format!("{name}_{tag}"), term.backend());
        }
    }
}

#[test]
fn no_panic_at_any_size() {
    let mut sizes: Vec<u16> = (0..=200).step_by(7).collect();
    sizes.extend([1, 79, 80, 81, 200]);
    for (name, build) in SCREENS {
        let app = build(Lang::Zh);
        for &w in &sizes {
            for h in (0..=60).step_by(7).chain([1, 23, 24, 25, 60]) {
                let term = draw(&app, w, h);
                drop(term);
            }
        }
        let _ = name;
    }
}

#[test]
fn the_cursor_sits_on_the_caret_measured_in_display_columns() {
    let mut app = intake(Lang::Zh);
    let mut term = draw(&app, W, H);
    let after_summary = term.get_cursor_position().unwrap();
    key(&mut app, Key::plain(Code::Left));
    term.draw(|f| app.render(f)).unwrap();
    let one_left = term.get_cursor_position().unwrap();
    // "困" is two columns wide.
    assert_eq!(after_summary.y, one_left.y);
    assert_eq!(after_summary.x, one_left.x + 2);
}

/// On a console of 80×24 the stage table has about 44 cells: it drops p50, p95 and the bar, but
/// never the share within the limit (it was cut off there).
#[test]
fn audit_at_80_by_24_keeps_the_share_within_the_limit() {
    for (lang, tag, head) in [(Lang::Zh, "zh", "达标"), (Lang::En, "en", "met")] {
        let term = draw(&audit_view(lang), 80, 24);
        let text = term.backend().to_string();
        assert!(
            text.contains(head),
            "{tag}: no compliance column at 80×24:\n{text}"
        );
        assert!(
            text.contains("30%") || text.contains("40%"),
            "{tag}: no share shown"
        );
        insta::assert_snapshot!(format!("audit_80x24_{tag}"), term.backend());
    }
}
