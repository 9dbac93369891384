//! Key-driven flows calling `update` directly: what effects come out, what the screen shows
//! after the desk's answer is fed back. No terminal, no store, no sleeps.

use crate::tui_support;

use dutydesk::domain::{Lang, ReportKind, ResolutionMethod, ResolutionResult};
use dutydesk::service::{ErrorCode, Request, Response};
use dutydesk::tui::app::Route;
use dutydesk::tui::effect::Effect;
use dutydesk::tui::keymap::{Code, Key};
use dutydesk::tui::msg::{Msg, Reply};
use dutydesk::tui::screens::intake::Phase;
use tui_support::*;

fn calls(effects: &[Effect]) -> Vec<(&Reply, &Request)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Call { reply, request, .. } => Some((reply, request.as_ref())),
            _ => None,
        })
        .collect()
}

fn screen(app: &dutydesk::tui::App) -> String {
    draw(app, 100, 30).backend().to_string()
}

fn ctrl_s() -> Key {
    Key::ctrl(Code::Char('s'))
}

#[test]
fn new_report_save_filed_saved_refresh_follow_up_resolve() {
    let mut app = board_app(Lang::Zh, 3);
    assert_eq!(app.route, Route::Board);
    key(&mut app, Key::char('n'));
    assert_eq!(app.route, Route::Intake);
    typed(&mut app, "王五");
    for _ in 0..12 {
        key(&mut app, Key::plain(Code::Tab));
    }
    typed(&mut app, SUMMARY);
    let effects = key(&mut app, ctrl_s());
    let c = calls(&effects);
    assert_eq!(c.len(), 1);
    let (reply, Request::AddReport { draft }) = c[0] else {
        panic!("expected AddReport, got {c:?}");
    };
    assert_eq!(*reply, Reply::Filed);
    assert_eq!(draft.summary, SUMMARY);
    assert_eq!(draft.kind, ReportKind::First);
    assert_eq!(
        draft.reporter.as_ref().and_then(|r| r.name.as_deref()),
        Some("王五")
    );
    assert!(draft.received_at.is_some());
    // Not saved until the desk says so.
    assert!(!screen(&app).contains("已保存"));
    assert!(screen(&app).contains("保存中"));
    // A second Ctrl-S while saving sends nothing.
    assert!(calls(&key(&mut app, ctrl_s())).is_empty());
    let effects = app.update(Msg::Answer {
        reply: Reply::Filed,
        response: Response::Filed {
            answers: vec![],
            incident: "20261123-002".into(),
            report: 0,
            flags: vec![vague_flag("R0-1", 0, 2, "据说")],
            level_suggested: None,
            seqs: vec![7, 8],
        },
    });
    assert!(screen(&app).contains("已保存"));
    assert!(screen(&app).contains("20261123-002"));
    assert!(
        calls(&effects)
            .iter()
            .any(|(r, q)| **r == Reply::Rows && matches!(q, Request::List { .. })),
        "board refresh requested: {effects:?}"
    );
    // Saved: Esc leaves without asking.
    key(&mut app, Key::plain(Code::Esc));
    assert_eq!(app.route, Route::Board);

    // Follow-up from the board: pre-filled from the latest report, kind and incident set.
    key(&mut app, Key::char('f'));
    assert_eq!(app.route, Route::Intake);
    let form = app.intake.as_ref().unwrap();
    assert_eq!(form.kind, ReportKind::FollowUp);
    assert_eq!(form.incident.as_deref(), Some("20261123-001"));
    typed(&mut app, "，火势已控制");
    let s = screen(&app);
    assert!(s.contains("*事件经过"), "changed mark:\n{s}");
    let effects = key(&mut app, ctrl_s());
    let c = calls(&effects);
    let Request::AddReport { draft } = c[0].1 else {
        panic!()
    };
    assert_eq!(draft.kind, ReportKind::FollowUp);
    assert_eq!(draft.incident.as_deref(), Some("20261123-001"));
    assert!(draft.summary.ends_with("火势已控制"));
    assert_eq!(draft.location.as_deref(), Some("河口镇化工园区"));
    app.update(Msg::Answer {
        reply: Reply::Filed,
        response: Response::Filed {
            answers: vec![],
            incident: "20261123-001".into(),
            report: 1,
            flags: vec![],
            level_suggested: None,
            seqs: vec![9],
        },
    });
    key(&mut app, Key::plain(Code::Esc));

    // Resolve a flag from the incident view.
    key(&mut app, Key::plain(Code::Enter));
    assert_eq!(app.route, Route::Incident);
    app.update(Msg::Answer {
        reply: Reply::Incident("20261123-001".into()),
        response: Response::Incident {
            incident: Box::new(incident()),
            timeline: timeline(),
            notices: Vec::new(),
            stale: Vec::new(),
        },
    });
    key(&mut app, Key::char('v'));
    key(&mut app, Key::plain(Code::Right)); // cross_check
    key(&mut app, Key::plain(Code::Tab));
    key(&mut app, Key::plain(Code::Tab));
    typed(&mut app, "与消防核实");
    let effects = key(&mut app, ctrl_s());
    let c = calls(&effects);
    assert_eq!(
        c[0].1,
        &Request::ResolveFlag {
            incident: "20261123-001".into(),
            flag: "R0-1".into(),
            method: ResolutionMethod::CrossCheck,
            result: ResolutionResult::Confirmed,
            note: "与消防核实".into(),
        }
    );
    let effects = app.update(Msg::Answer {
        reply: Reply::Resolved("20261123-001".into()),
        response: Response::Recorded { seqs: vec![10] },
    });
    assert!(app.incident.as_ref().unwrap().resolve.is_none());
    assert!(calls(&effects)
        .iter()
        .any(|(r, _)| **r == Reply::Incident("20261123-001".into())));
}

#[test]
fn an_error_keeps_the_form_and_shows_red() {
    let mut app = board_app(Lang::En, 1);
    key(&mut app, Key::char('n'));
    typed(&mut app, "x");
    key(&mut app, ctrl_s());
    app.update(Msg::Answer {
        reply: Reply::Filed,
        response: Response::Error {
            code: ErrorCode::Failure,
            message: "disk full\u{1b}[2J".into(),
        },
    });
    let form = app.intake.as_ref().unwrap();
    assert!(matches!(form.phase, Phase::Failed(_)));
    let s = screen(&app);
    assert!(s.contains("Save failed"), "{s}");
    assert!(s.contains("disk full␛[2J"), "sanitised: {s}");
    assert_eq!(app.route, Route::Intake);
}

#[test]
fn esc_with_unsaved_changes_asks_first() {
    let mut app = board_app(Lang::Zh, 1);
    key(&mut app, Key::char('n'));
    typed(&mut app, "张");
    key(&mut app, Key::plain(Code::Esc));
    assert_eq!(app.route, Route::Intake);
    assert!(screen(&app).contains("放弃"));
    key(&mut app, Key::char('n'));
    assert_eq!(app.route, Route::Intake);
    key(&mut app, Key::plain(Code::Esc));
    key(&mut app, Key::char('y'));
    assert_eq!(app.route, Route::Board);
    // Quit from an unsaved form asks too.
    key(&mut app, Key::char('n'));
    typed(&mut app, "李");
    let e = key(&mut app, Key::ctrl(Code::Char('q')));
    assert!(!e.iter().any(|e| matches!(e, Effect::Quit { .. })));
    let e = key(&mut app, Key::char('y'));
    assert!(e.iter().any(|e| matches!(e, Effect::Quit { .. })));
}

#[test]
fn a_pasted_newline_never_submits_and_big_pastes_are_refused() {
    let mut app = board_app(Lang::En, 1);
    key(&mut app, Key::char('n'));
    let e = app.update(Msg::Paste("第一行\n第二行\r\n".into()));
    assert!(calls(&e).is_empty());
    let form = app.intake.as_ref().unwrap();
    assert_eq!(form.focus, 2, "still on the reporter's name");
    let big = "a".repeat(64 * 1024 + 1);
    app.update(Msg::Paste(big));
    assert!(screen(&app).contains("Paste over 64 KiB refused"));
    let d = app.intake.as_ref().unwrap().draft(&app.env, true).unwrap();
    assert_eq!(
        d.reporter.and_then(|r| r.name).as_deref(),
        Some("第一行 第二行")
    );
}

#[test]
fn enter_in_the_summary_inserts_a_newline_and_moves_elsewhere() {
    let mut app = board_app(Lang::En, 1);
    key(&mut app, Key::char('n'));
    key(&mut app, Key::plain(Code::Enter));
    assert_eq!(app.intake.as_ref().unwrap().focus, 3);
    for _ in 0..11 {
        key(&mut app, Key::plain(Code::Tab));
    }
    typed(&mut app, "a");
    key(&mut app, Key::plain(Code::Enter));
    typed(&mut app, "b");
    let d = app.intake.as_ref().unwrap().draft(&app.env, true).unwrap();
    assert_eq!(d.summary, "a\nb");
}

#[test]
fn bad_counts_and_times_do_not_send() {
    let mut app = board_app(Lang::En, 1);
    key(&mut app, Key::char('n'));
    for _ in 0..8 {
        key(&mut app, Key::plain(Code::Tab));
    }
    typed(&mut app, "x3");
    assert!(calls(&key(&mut app, ctrl_s())).is_empty());
    assert!(screen(&app).contains("Casualties: a number"));
}

#[test]
fn palette_runs_an_action_by_name() {
    let mut app = board_app(Lang::En, 3);
    key(&mut app, Key::char(':'));
    typed(&mut app, "log");
    let e = key(&mut app, Key::plain(Code::Enter));
    assert_eq!(app.route, Route::Log);
    assert!(calls(&e).iter().any(|(_, q)| matches!(
        q,
        Request::Log {
            limit: Some(5000),
            ..
        }
    )));
}

#[test]
fn audit_screen_changes_period_and_opens_a_breach() {
    use dutydesk::rules::audit::{build, Interval, Period, Source, Stage};
    let mut app = board_app(Lang::Zh, 3);
    let effects = key(&mut app, Key::char('t'));
    assert_eq!(app.route, Route::Audit);
    let first = calls(&effects);
    assert!(
        matches!(
            first.as_slice(),
            [(
                Reply::Audit,
                Request::Audit {
                    from: Some(_),
                    by: None,
                    ..
                }
            )]
        ),
        "{first:?}"
    );
    // Tab moves to the next period (the month) and asks again.
    let effects = key(&mut app, Key::plain(Code::Tab));
    let again = calls(&effects);
    match again.as_slice() {
        [(
            Reply::Audit,
            Request::Audit {
                from: Some(f),
                to: Some(t),
                ..
            },
        )] => {
            assert_eq!((*t - *f).num_days(), 29)
        }
        other => panic!("{other:?}"),
    }
    let slow = Interval {
        incident: "20261122-007".into(),
        stage: Stage::ReceivedToFlagsResolved,
        start: t("2026-11-22T02:00:00+08:00"),
        end: Some(t("2026-11-22T04:00:00+08:00")),
        level: None,
        category: None,
        officer: "李明".into(),
        shift: "2026-11-21".parse().unwrap(),
        limit: Some(std::time::Duration::from_secs(1800)),
        duration: std::time::Duration::from_secs(7200),
    };
    let report = build(
        vec![slow],
        Period {
            from: None,
            to: None,
        },
        None,
        t("2026-11-23T02:00:00+08:00"),
        Source {
            events_read: 9,
            incidents: 1,
            chain_verified: true,
        },
    );
    app.update(Msg::Answer {
        reply: Reply::Audit,
        response: Response::Audit(Box::new(report)),
    });
    let effects = key(&mut app, Key::plain(Code::Enter));
    assert_eq!(app.route, Route::Incident);
    let open = calls(&effects);
    assert!(
        open.iter()
            .any(|(_, r)| matches!(r, Request::Show { incident } if incident == "20261122-007")),
        "{open:?}"
    );
}

#[test]
fn notify_from_the_board_choose_recipients_send_then_acknowledge() {
    use dutydesk::config::Contact;
    use dutydesk::domain::{ChannelKind, NoticeKind, RecipientKind};
    use dutydesk::rules::routing::Proposed;
    use dutydesk::service::api::{NoticeProposal, QueuedRow};
    let mut app = board_app(Lang::Zh, 3);
    let effects = key(&mut app, Key::char('s'));
    assert_eq!(app.route, Route::Notices);
    let number = match calls(&effects).as_slice() {
        [(Reply::Proposal, Request::ProposeNotice { incident, .. })] => incident.clone(),
        other => panic!("{other:?}"),
    };
    let who = |name: &str, kind| Proposed {
        name: name.into(),
        kind,
        contact: Contact {
            channel: ChannelKind::Spool,
            to: String::new(),
            target: String::new(),
        },
        why_zh: "理由".into(),
        why_en: "why".into(),
    };
    let proposal = NoticeProposal {
        incident: number.clone(),
        notice_kind: NoticeKind::First,
        version: 0,
        recipients: vec![
            who("刘志强", RecipientKind::Leader),
            who("县消防救援大队", RecipientKind::Department),
            who("河口镇人民政府", RecipientKind::Region),
        ],
        stale: Vec::new(),
        subject: "首报".into(),
        text: "【待核实】…".into(),
    };
    app.update(Msg::Answer {
        reply: Reply::Proposal,
        response: Response::Proposal(Box::new(proposal)),
    });
    // Leave out the second: down once, space.
    key(&mut app, Key::char('j'));
    key(&mut app, Key::plain(Code::Char(' ')));
    let effects = key(&mut app, ctrl_s());
    match calls(&effects).as_slice() {
        [(
            Reply::Sent,
            Request::SendNotice {
                incident,
                recipients,
                kind,
                ..
            },
        )] => {
            assert_eq!(incident, &number);
            assert_eq!(
                recipients,
                &["刘志强".to_string(), "河口镇人民政府".to_string()]
            );
            assert_eq!(*kind, Some(NoticeKind::First));
        }
        other => panic!("{other:?}"),
    }
    // Durably queued: the screen says so and turns to the pending list.
    let out = app.update(Msg::Answer {
        reply: Reply::Sent,
        response: Response::Queued {
            notices: vec![QueuedRow {
                id: format!("{number}/N001"),
                token: "K7P2-Q9XD".into(),
                recipient: "刘志强".into(),
                channel: ChannelKind::Phone,
            }],
            seqs: vec![10, 11],
        },
    });
    assert!(calls(&out).iter().any(|(r, _)| **r == Reply::Notices));
    assert!(
        screen(&app).contains("已登记并发出通知"),
        "{}",
        screen(&app)
    );
}

#[test]
fn supervision_screen_loads_open_instructions_and_opens_the_incident() {
    use dutydesk::domain::instruction::Recipient;
    use dutydesk::domain::Instruction;
    let mut app = board_app(Lang::En, 3);
    let effects = key(&mut app, Key::char('d'));
    assert_eq!(app.route, Route::Supervision);
    let asked = calls(&effects);
    assert!(
        matches!(
            asked.as_slice(),
            [(
                Reply::Instructions,
                Request::Instructions {
                    open_only: true,
                    overdue_only: false
                }
            )]
        ),
        "{asked:?}"
    );
    let ins = Instruction {
        id: "PS-20261123-01".into(),
        incident: Some("20261123-001".into()),
        leader: "王建国".into(),
        received_at: t("2026-11-23T00:25:00+08:00"),
        channel: "phone".into(),
        text: "两小时内反馈".into(),
        arrangement: None,
        version: 1,
        changes: Vec::new(),
        recipients: vec![Recipient {
            name: "县应急管理局".into(),
            notice_id: None,
            deadline: t("2026-11-23T01:55:00+08:00"),
            relayed_at: t("2026-11-23T00:30:00+08:00"),
            version: 1,
            feedback: Vec::new(),
            chases: Vec::new(),
        }],
        events: vec![1],
    };
    let rows = vec![ins];
    let board = dutydesk::rules::supervision::board(&rows, &|_| false, now());
    app.update(Msg::Answer {
        reply: Reply::Instructions,
        response: Response::Instructions { rows, board },
    });
    assert_eq!(app.supervision.overdue(), 1);
    let effects = key(&mut app, Key::plain(Code::Enter));
    assert_eq!(app.route, Route::Incident);
    let open = calls(&effects);
    assert!(
        open.iter()
            .any(|(_, r)| matches!(r, Request::Show { incident } if incident == "20261123-001")),
        "{open:?}"
    );
    // The incident view asks for instructions too, and shows this incident's.
    assert!(open.iter().any(|(r, _)| matches!(r, Reply::Instructions)));
    app.update(Msg::Answer {
        reply: Reply::Instructions,
        response: Response::Instructions {
            rows: app.supervision.rows.clone(),
            board: app.supervision.board.clone(),
        },
    });
    app.update(Msg::Answer {
        reply: Reply::Incident("20261123-001".into()),
        response: Response::Incident {
            incident: Box::new(incident()),
            timeline: timeline(),
            notices: Vec::new(),
            stale: Vec::new(),
        },
    });
    let shown = &app.incident.as_ref().unwrap().instructions;
    assert_eq!(shown.len(), 1);
    let screen = format!("{:?}", draw(&app, 100, 30).backend());
    assert!(
        screen.contains("王建国 县应急管理局 awaiting ack -0:12"),
        "{screen}"
    );
}

#[test]
fn typing_on_a_choice_field_picks_a_matching_option_or_says_none_matches() {
    use dutydesk::tui::screens::intake_fields::{FieldId, Value};
    let mut app = board_app(Lang::Zh, 1);
    key(&mut app, Key::char('n'));
    // From the reporter's name: unit, post, phone, occurred, location, then the category.
    for _ in 0..6 {
        key(&mut app, Key::plain(Code::Tab));
    }
    let form = app.intake.as_ref().unwrap();
    assert_eq!(form.focused(), FieldId::Category);
    typed(&mut app, "火");
    let form = app.intake.as_ref().unwrap();
    let chosen = match &form.values[form.focus] {
        Value::Choice(Some(i)) => app.env.config.categories[*i].key.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(chosen, "fire");
    typed(&mut app, "Ж");
    assert!(screen(&app).contains("没有匹配的选项"), "{}", screen(&app));
}

#[test]
fn the_board_counts_overdue_instructions_from_the_start() {
    use dutydesk::domain::instruction::Recipient;
    use dutydesk::domain::Instruction;
    let mut app = board_app(Lang::Zh, 3);
    assert!(calls(&app.start())
        .iter()
        .any(|(r, _)| matches!(r, Reply::Instructions)));
    let ins = Instruction {
        id: "PS-20261123-01".into(),
        incident: None,
        leader: "王建国".into(),
        received_at: t("2026-11-23T00:25:00+08:00"),
        channel: "phone".into(),
        text: "x".into(),
        arrangement: None,
        version: 1,
        changes: Vec::new(),
        recipients: vec![Recipient {
            name: "孙丽".into(),
            notice_id: None,
            deadline: t("2026-11-23T01:00:00+08:00"),
            relayed_at: t("2026-11-23T00:30:00+08:00"),
            version: 1,
            feedback: Vec::new(),
            chases: Vec::new(),
        }],
        events: vec![1],
    };
    let rows = vec![ins];
    let board = dutydesk::rules::supervision::board(&rows, &|_| false, now());
    app.update(Msg::Answer {
        reply: Reply::Instructions,
        response: Response::Instructions { rows, board },
    });
    assert_eq!(app.board.instructions_overdue, 1);
    let term = draw(&app, 100, 30);
    let screen = format!("{:?}", term.backend());
    assert!(screen.contains("批示超时 1"), "{screen}");
}

#[test]
fn handover_is_accepted_only_when_every_item_is_seen() {
    use dutydesk::domain::handover::{HandoverItem, HandoverRecord, ItemKind};
    let mut app = board_app(Lang::En, 3);
    let effects = key(&mut app, Key::char('h'));
    assert_eq!(app.route, Route::Handover);
    assert!(matches!(
        calls(&effects).as_slice(),
        [(Reply::Handover, Request::Handover { shift: None, .. })]
    ));
    let item = |id: &str| HandoverItem {
        id: id.into(),
        kind: ItemKind::Incident,
        incident: id.into(),
        summary: id.into(),
        due: None,
    };
    let record = HandoverRecord {
        shift: chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        from: "李明".into(),
        to: String::new(),
        items: vec![item("incident:a"), item("incident:b")],
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
    key(&mut app, Key::plain(Code::Enter));
    let refused = key(&mut app, ctrl_s());
    assert!(calls(&refused).is_empty(), "one item not yet seen");
    key(&mut app, Key::char('j'));
    key(&mut app, Key::char(' '));
    key(&mut app, Key::plain(Code::Tab));
    typed(&mut app, "ok");
    key(&mut app, Key::plain(Code::Esc));
    let accepted = key(&mut app, ctrl_s());
    match calls(&accepted).as_slice() {
        [(Reply::Handover, Request::AcceptHandover { seen, notes, .. })] => {
            assert_eq!(seen.len(), 2);
            assert_eq!(notes, "ok");
        }
        other => panic!("{other:?}"),
    }
}

/// Going through the handover list is one key per item: marking moves on, so space after
/// space marks every item (before, space toggled the same item: 26 spaces marked nothing).
#[test]
fn space_after_space_marks_every_handover_item() {
    use dutydesk::domain::handover::{HandoverItem, HandoverRecord, ItemKind};
    let mut app = board_app(Lang::En, 3);
    key(&mut app, Key::char('h'));
    let items: Vec<HandoverItem> = (0..5)
        .map(|i| HandoverItem {
            id: format!("incident:{i}"),
            kind: ItemKind::Incident,
            incident: format!("{i}"),
            summary: format!("{i}"),
            due: None,
        })
        .collect();
    let record = HandoverRecord {
        shift: chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        from: "李明".into(),
        to: String::new(),
        items,
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
    for _ in 0..5 {
        key(&mut app, Key::char(' '));
    }
    match calls(&key(&mut app, ctrl_s())).as_slice() {
        [(Reply::Handover, Request::AcceptHandover { seen, .. })] => assert_eq!(seen.len(), 5),
        other => panic!("all five marked: {other:?}"),
    }
}

/// The board holds a page of a large store: the title says how much is loaded, the end of the
/// list asks for the next page (once), and a refresh from another screen keeps the page size.
#[test]
fn the_end_of_a_cut_list_loads_the_next_page() {
    let mut app = board_app(Lang::En, 3);
    app.update(Msg::Answer {
        reply: Reply::Rows,
        response: Response::Incidents {
            rows: rows(3),
            total: 1200,
        },
    });
    let s = screen(&app);
    assert!(s.contains("3/1200"), "{s}");
    assert!(s.contains("Incidents 1200"), "{s}");
    let limits = |effects: &[Effect]| -> Vec<Option<usize>> {
        calls(effects)
            .iter()
            .filter_map(|(r, q)| match q {
                Request::List { limit, .. } if **r == Reply::Rows => Some(*limit),
                _ => None,
            })
            .collect()
    };
    // Not at the end yet: no list request.
    assert!(limits(&key(&mut app, Key::char('j'))).is_empty());
    // The last row: the next page, once while it loads.
    assert_eq!(limits(&key(&mut app, Key::char('G'))), vec![Some(1000)]);
    assert!(limits(&key(&mut app, Key::char('G'))).is_empty());
    app.update(Msg::Answer {
        reply: Reply::Rows,
        response: Response::Incidents {
            rows: rows(3),
            total: 1200,
        },
    });
    // A refresh asked for by any screen carries the board's page size.
    assert_eq!(
        limits(&key(&mut app, Key::ctrl(Code::Char('r')))),
        vec![Some(1000)]
    );
    // More rows than asked for (older open incidents come with the page): the next page
    // starts past all of them, so the list grows.
    app.update(Msg::Answer {
        reply: Reply::Rows,
        response: Response::Incidents {
            rows: rows(1100),
            total: 5000,
        },
    });
    assert_eq!(limits(&key(&mut app, Key::char('G'))), vec![Some(1600)]);
    // Everything loaded: no "more" in the title.
    app.update(Msg::Answer {
        reply: Reply::Rows,
        response: Response::Incidents {
            rows: rows(3),
            total: 3,
        },
    });
    assert!(!screen(&app).contains("older ones load"));
}

/// Issue 18, case 3: "02:05" in the occurred-at field is an exact time, shown back in full for
/// the officer to confirm, and sent as that time (not as words to be flagged vague).
#[test]
fn an_exact_time_typed_short_is_shown_in_full_and_sent_exact() {
    let mut app = board_app(Lang::Zh, 1);
    key(&mut app, Key::char('n'));
    for _ in 0..4 {
        key(&mut app, Key::plain(Code::Tab));
    }
    typed(&mut app, "02:05");
    for _ in 0..8 {
        key(&mut app, Key::plain(Code::Tab));
    }
    typed(&mut app, SUMMARY);
    let shown = screen(&app);
    let effects = key(&mut app, ctrl_s());
    let c = calls(&effects);
    let (_, Request::AddReport { draft }) = c[0] else {
        panic!("expected AddReport, got {c:?}");
    };
    let Some(dutydesk::domain::OccurredAt::At(t)) = draft.occurred_at else {
        panic!("sent as words: {:?}", draft.occurred_at);
    };
    assert_eq!(t.format("%H:%M").to_string(), "02:05");
    let full = format!("= {}", t.format("%Y-%m-%d %H:%M"));
    assert!(shown.contains(&full), "{full} not shown:\n{shown}");
}

/// Issue 18, case 5 in the console: a follow-up that answers earlier flags asks, once, whether
/// to resolve them; `y` sends exactly those in one request, `n` keeps them open.
#[test]
fn a_follow_up_that_answers_flags_offers_to_resolve_them_in_one_step() {
    for (answer, sends) in [('y', true), ('n', false)] {
        let mut app = board_app(Lang::Zh, 1);
        key(&mut app, Key::char('n'));
        for _ in 0..12 {
            key(&mut app, Key::plain(Code::Tab));
        }
        typed(&mut app, SUMMARY);
        key(&mut app, ctrl_s());
        app.update(Msg::Answer {
            reply: Reply::Filed,
            response: Response::Filed {
                answers: vec!["R0-1".into(), "R0-3".into()],
                incident: "20261123-001".into(),
                report: 1,
                flags: vec![],
                level_suggested: None,
                seqs: vec![9],
            },
        });
        let shown = screen(&app);
        assert!(
            shown.contains("本报说明了") && shown.contains("R0-1 R0-3"),
            "{shown}"
        );
        let effects = key(&mut app, Key::char(answer));
        let c = calls(&effects);
        let asked = c.iter().any(|(r, q)| {
            **r == Reply::AnswersResolved("20261123-001".into())
                && matches!(q, Request::ResolveAnswered { flags, .. } if *flags == ["R0-1", "R0-3"])
        });
        assert_eq!(asked, sends, "{answer}: {c:?}");
        assert!(!screen(&app).contains("本报说明了"), "asked once");
    }
}

#[test]
fn what_arrives_through_the_socket_refreshes_the_board_and_a_clock_behind_shows_in_the_banner() {
    let mut app = board_app(Lang::En, 3);
    let effects = app.update(Msg::Changed);
    let c = calls(&effects);
    assert!(
        c.iter()
            .any(|(r, q)| **r == Reply::Rows && matches!(q, Request::List { .. })),
        "{c:?}"
    );
    assert!(c.iter().any(|(r, _)| **r == Reply::Notices), "{c:?}");
    // The desk's status says the clock is behind the log: the banner says so.
    let status = dutydesk::service::api::Status {
        data_dir: "/d".into(),
        head_seq: 9,
        head_hash: "h".into(),
        incidents: 3,
        open_notes: Vec::new(),
        sled_behind: None,
        tail_ok: true,
        shift: None,
        clock_behind: Some("the system clock reads 1970-01-01 08:00:00 +08:00".into()),
    };
    app.update(Msg::Answer {
        reply: Reply::Status,
        response: Response::Status(status),
    });
    assert!(
        screen(&app).contains("the system clock reads 1970"),
        "{}",
        screen(&app)
    );
}

#[test]
fn what_the_words_say_is_suggested_live_taken_with_one_key_or_declined() {
    use dutydesk::domain::{Count, Level};
    let mut app = board_app(Lang::Zh, 1);
    key(&mut app, Key::char('n'));
    for _ in 0..12 {
        key(&mut app, Key::plain(Code::Tab));
    }
    typed(&mut app, "一辆大客车与货车相撞,造成12人死亡、30人受伤。");
    let s = screen(&app);
    assert!(s.contains("✎ 按文字推断 4"), "{s}");
    assert!(s.contains("道路交通事故 ←「相撞」"), "{s}");
    assert!(
        s.contains("✎ 道路交通事故"),
        "the empty category field shows it:\n{s}"
    );
    // F4 declines the first open suggestion (focus is on the summary, which has none).
    key(&mut app, Key::plain(Code::F(4)));
    assert!(screen(&app).contains("已拒绝: 道路交通事故"));
    // F3 takes the rest into their fields.
    key(&mut app, Key::plain(Code::F(3)));
    let s = screen(&app);
    assert!(s.contains("✎ 按文字推断 0"), "{s}");
    let effects = key(&mut app, ctrl_s());
    let c = calls(&effects);
    let Request::AddReport { draft } = c[0].1 else {
        panic!("expected AddReport, got {c:?}")
    };
    assert_eq!(draft.category, None, "declined, never filled");
    assert_eq!(draft.declined, ["category:traffic"]);
    let cas = draft.casualties.clone().unwrap();
    assert_eq!(
        (cas.dead, cas.injured),
        (Count::Known(12), Count::Known(30))
    );
    assert_eq!(draft.level, Some(Level::II));
    assert_eq!(draft.accepted, ["dead", "injured", "level"]);
}

#[test]
fn ctrl_y_takes_the_focused_fields_suggestion() {
    let mut app = board_app(Lang::En, 1);
    key(&mut app, Key::char('n'));
    for _ in 0..12 {
        key(&mut app, Key::plain(Code::Tab));
    }
    typed(
        &mut app,
        "A fire at a warehouse in Hekou; 2 workers were trapped.",
    );
    // Back to the trapped field (the one above the summary).
    key(&mut app, Key::plain(Code::BackTab));
    key(&mut app, Key::ctrl(Code::Char('y')));
    let effects = key(&mut app, ctrl_s());
    let c = calls(&effects);
    let Request::AddReport { draft } = c[0].1 else {
        panic!("expected AddReport, got {c:?}")
    };
    assert_eq!(
        draft.casualties.as_ref().map(|c| c.trapped.clone()),
        Some(dutydesk::domain::Count::Known(2))
    );
    assert_eq!(draft.category, None, "only the focused field was taken");
    assert_eq!(draft.accepted, ["trapped"]);
}

#[test]
fn ctrl_y_on_a_count_the_words_contradict_takes_the_words_count() {
    use dutydesk::domain::Count;
    let mut app = board_app(Lang::Zh, 1);
    key(&mut app, Key::char('n'));
    for _ in 0..8 {
        key(&mut app, Key::plain(Code::Tab));
    }
    typed(&mut app, "2"); // the dead, as first typed
    for _ in 0..4 {
        key(&mut app, Key::plain(Code::Tab));
    }
    typed(&mut app, "两车相撞，造成12人死亡。");
    let s = screen(&app);
    assert!(
        s.contains("死亡 2 → 12"),
        "the panel says what the words say:\n{s}"
    );
    for _ in 0..4 {
        key(&mut app, Key::plain(Code::BackTab));
    }
    key(&mut app, Key::ctrl(Code::Char('y')));
    assert!(
        !screen(&app).contains("死亡 2 → 12"),
        "no longer contradicted"
    );
    let effects = key(&mut app, ctrl_s());
    let c = calls(&effects);
    let Request::AddReport { draft } = c[0].1 else {
        panic!("expected AddReport, got {c:?}")
    };
    assert_eq!(draft.casualties.as_ref().unwrap().dead, Count::Known(12));
    assert!(draft.accepted.contains(&"dead".to_string()));
}
