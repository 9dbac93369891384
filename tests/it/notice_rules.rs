//! Table-driven tests of the pure notice rules: routing (who and why), the key-holder rule
//! (who is stale after which change), escalation (what is due when), template substitution.

use chrono::{DateTime, FixedOffset, NaiveDate};
use dutydesk::config::Config;
use dutydesk::domain::{
    Casualties, ChannelKind, Count, Incident, IncidentNo, Level, Notice, NoticeKind, NoticeState,
    QueuedNotice, RecipientKind, Report, ReportDraft, ReportKind,
};
use dutydesk::rules::{escalation, keyholder, routing, template};

fn cfg() -> Config {
    let rule = r#"
[[notices.rules]]
categories = ["hazmat", "work_safety"]
levels = ["I", "II", "III"]
to = ["县化工园区管委会"]
why_zh = "危化品较大以上，通报化工园区"
why_en = "hazmat of level III or graver"
"#;
    dutydesk::config::layer(Some(rule), None, &[]).unwrap()
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn report(seq: u32, place: &str, cat: &str, level: Option<Level>, dead: u32) -> Report {
    let draft = ReportDraft {
        kind: if seq == 0 {
            ReportKind::First
        } else {
            ReportKind::FollowUp
        },
        summary: "x".into(),
        location: Some(place.into()),
        category: Some(cat.into()),
        level,
        casualties: Some(Casualties {
            dead: Count::Known(dead),
            ..Casualties::default()
        }),
        ..ReportDraft::default()
    };
    Report::from_draft(draft, seq, at("2026-11-23T02:10:00+08:00"), "李明")
}

#[test]
fn routing_table() {
    let c = cfg();
    // 2026-11-22: the rotation puts 刘志强 on duty (see leader_on_duty).
    let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let on_duty = c.leader_on_duty(day).unwrap().name.clone();
    type Row<'a> = (
        &'a str,
        &'a str,
        Option<Level>,
        &'a [&'a str],
        &'a [&'a str],
    );
    let table: [Row; 5] = [
        (
            "石门乡",
            "fire",
            Some(Level::IV),
            &["县消防救援大队", "县应急管理局", "石门乡人民政府"],
            &["王建国", "县化工园区管委会"],
        ),
        (
            "城关镇",
            "outbreak",
            Some(Level::I),
            &["刘志强", "王建国", "县卫生健康委员会", "县疾病预防控制中心"],
            &["县消防救援大队"],
        ),
        (
            "化工园区",
            "hazmat",
            Some(Level::III),
            &["县化工园区管委会", "县应急管理局"],
            &["王建国"],
        ),
        (
            // The park is told of anything in its area (its places), at any level.
            "化工园区",
            "hazmat",
            Some(Level::IV),
            &["县应急管理局", "县化工园区管委会"],
            &["王建国"],
        ),
        (
            "某地",
            "traffic",
            None,
            &["县公安局交通警察大队", "县公安局指挥中心"],
            &["王建国"],
        ),
    ];
    for (place, cat, level, want, not) in table {
        let p = routing::propose(&c, &report(0, place, cat, level, 0), day);
        let names: Vec<&str> = p.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names[0], on_duty, "the leader on duty first: {names:?}");
        for w in want {
            assert!(
                names.contains(w),
                "{place}/{cat}/{level:?}: {w} missing from {names:?}"
            );
        }
        for n in not {
            assert!(
                !names.contains(n),
                "{place}/{cat}/{level:?}: {n} should not be in {names:?}"
            );
        }
        assert!(p
            .iter()
            .all(|r| !r.why_zh.is_empty() && !r.why_en.is_empty()));
        let uniq: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(uniq.len(), names.len(), "each once");
    }
    let leader = routing::resolve(&c, "王建国").unwrap();
    assert_eq!(leader.0, RecipientKind::Leader);
    assert_eq!(leader.1.channel, ChannelKind::Phone);
    assert_eq!(
        routing::resolve(&c, "县水利局").unwrap().1.channel,
        ChannelKind::Spool
    );
    // The ladder by level: (who, level, next). A leader goes up only at I–III by default; a
    // level-IV event does not reach the county head; a unit goes to the leader on duty.
    let ladder: Vec<(&str, Option<Level>, Option<&str>)> = vec![
        ("陈静", Some(Level::III), Some("刘志强")),
        ("刘志强", Some(Level::II), Some("王建国")),
        ("陈静", Some(Level::IV), None),
        ("刘志强", Some(Level::IV), None),
        ("刘志强", None, None),
        ("王建国", Some(Level::I), None),
        ("县水利局", Some(Level::IV), Some(on_duty.as_str())),
        ("县水利局", None, Some(on_duty.as_str())),
        ("县水利局", Some(Level::I), Some(on_duty.as_str())),
    ];
    for (who, level, next) in ladder {
        assert_eq!(
            routing::escalation_target(&c, who, day, level).as_deref(),
            next,
            "{who} at {level:?}"
        );
    }
    let only_grave = dutydesk::config::layer(
        Some("[notices.escalation]\nleaders_at = [\"I\"]\nunits_at = []\n"),
        None,
        &[],
    )
    .unwrap();
    assert_eq!(
        routing::escalation_target(&only_grave, "陈静", day, Some(Level::II)),
        None
    );
    assert_eq!(
        routing::escalation_target(&only_grave, "县水利局", day, Some(Level::I)),
        None,
        "units_at = [] never escalates a unit"
    );
    let bad = dutydesk::config::layer(
        Some("[notices.escalation]\nleaders_at = [\"V\"]\n"),
        None,
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(bad.contains("notices.escalation.leaders_at"), "{bad}");
}

fn notice(id: u32, to: &str, version: u32, state: NoticeState, kind: NoticeKind) -> Notice {
    Notice {
        q: QueuedNotice {
            id: format!("20261122-001/N{id:03}"),
            token: format!("T{id}"),
            incident: "20261122-001".into(),
            kind,
            version,
            recipient: to.into(),
            recipient_kind: RecipientKind::Department,
            channel: ChannelKind::Spool,
            endpoint: None,
            to: None,
            subject: String::new(),
            text: String::new(),
            deadline: Some(at("2026-11-23T02:40:00+08:00")),
            warn_at: Some(at("2026-11-23T02:35:00+08:00")),
            escalate_to: Some("刘志强".into()),
            parent: None,
            about: vec![],
        },
        queued_at: at("2026-11-23T02:10:00+08:00"),
        state,
        dispatches: 1,
        failures: 0,
        last_error: None,
        delivered: None,
        ack: None,
        steps: vec![],
        trail: vec![],
        closed: None,
        reached: None,
        events: vec![],
    }
}

fn incident(reports: Vec<Report>) -> Incident {
    Incident {
        number: IncidentNo("20261122-001".into()),
        opened_at: at("2026-11-23T02:10:00+08:00"),
        reports,
        flags: vec![],
        closed: false,
        events: vec![],
    }
}

#[test]
fn key_holder_table() {
    use NoticeState::*;
    let r0 = report(0, "石门乡", "fire", Some(Level::IV), 1);
    // (follow-up, notices, stale names, kind)
    let cases: Vec<(Report, Vec<Notice>, Vec<&str>, NoticeKind)> = vec![
        // Nothing changed that matters: nobody stale.
        (
            report(1, "石门乡", "fire", Some(Level::IV), 1),
            vec![notice(1, "A", 0, Delivered, NoticeKind::First)],
            vec![],
            NoticeKind::FollowUp,
        ),
        // The place moved: everyone told, pending or delivered, is stale; failures are not holders.
        (
            report(1, "城关镇", "fire", Some(Level::IV), 1),
            vec![
                notice(1, "A", 0, Delivered, NoticeKind::First),
                notice(2, "B", 0, Queued, NoticeKind::First),
                notice(3, "C", 0, Failed, NoticeKind::First),
            ],
            vec!["A", "B"],
            NoticeKind::Correction,
        ),
        // Casualties rose; A was already told the new version, the key clerk K was not.
        (
            report(1, "石门乡", "fire", Some(Level::IV), 3),
            vec![
                notice(1, "A", 0, Delivered, NoticeKind::First),
                notice(2, "K", 0, Acknowledged, NoticeKind::First),
                notice(3, "A", 1, Delivered, NoticeKind::FollowUp),
            ],
            vec!["K"],
            NoticeKind::FollowUp,
        ),
        // Reminders carry no facts: a reminder of the new version does not make K current.
        (
            report(1, "石门乡", "fire", Some(Level::III), 1),
            vec![
                notice(1, "K", 0, Delivered, NoticeKind::First),
                notice(2, "K", 1, Delivered, NoticeKind::Reminder),
            ],
            vec!["K"],
            NoticeKind::FollowUp,
        ),
        // Nor does an escalation (督办) queued to the leader after the change: he holds
        // report 0 and stays stale (issue 18: he vanished from the 续报 proposal).
        (
            report(1, "石门乡", "fire", Some(Level::III), 1),
            vec![
                notice(1, "L", 0, Delivered, NoticeKind::First),
                notice(2, "L", 1, Queued, NoticeKind::Escalation),
            ],
            vec!["L"],
            NoticeKind::FollowUp,
        ),
        // Someone who only ever got a 督办 holds no version of the facts: not stale.
        (
            report(1, "城关镇", "fire", Some(Level::IV), 1),
            vec![
                notice(1, "A", 0, Delivered, NoticeKind::First),
                notice(2, "D", 0, Delivered, NoticeKind::Escalation),
            ],
            vec!["A"],
            NoticeKind::Correction,
        ),
        // A notice superseded after it was delivered still told its recipient that version.
        (
            report(1, "城关镇", "fire", Some(Level::IV), 1),
            vec![notice(1, "A", 0, Superseded, NoticeKind::First)],
            vec!["A"],
            NoticeKind::Correction,
        ),
        // An instruction relayed carries no facts either.
        (
            report(1, "城关镇", "fire", Some(Level::IV), 1),
            vec![notice(1, "I", 1, Delivered, NoticeKind::Instruction)],
            vec![],
            NoticeKind::Correction,
        ),
    ];
    for (i, (r1, notices, want, kind)) in cases.into_iter().enumerate() {
        let inc = incident(vec![r0.clone(), r1]);
        let stale = keyholder::stale(&inc, &notices);
        let names: Vec<&str> = stale.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, want, "case {i}");
        if !stale.is_empty() {
            assert_eq!(keyholder::update_kind(&inc, &stale), kind, "case {i}");
        }
    }
}

#[test]
fn escalation_table() {
    use escalation::Action;
    let n = notice(1, "A", 0, NoticeState::Delivered, NoticeKind::First);
    let id = n.q.id.clone();
    let mut warned = n.clone();
    warned.steps.push(dutydesk::domain::EscalationStep::Warned);
    let mut acked = n.clone();
    acked.ack = Some(dutydesk::domain::Ack {
        by: "A".into(),
        via: "cli".into(),
        note: String::new(),
        at: at("2026-11-23T02:20:00+08:00"),
        through: None,
    });
    let mut done = n.clone();
    done.steps.extend([
        dutydesk::domain::EscalationStep::Reminded,
        dutydesk::domain::EscalationStep::Escalated,
    ]);
    let cases: Vec<(Notice, &str, Vec<Action>)> = vec![
        (n.clone(), "2026-11-23T02:30:00+08:00", vec![]),
        (
            n.clone(),
            "2026-11-23T02:36:00+08:00",
            vec![Action::Warn { notice: id.clone() }],
        ),
        (warned.clone(), "2026-11-23T02:36:00+08:00", vec![]),
        (
            warned,
            "2026-11-23T02:40:00+08:00",
            vec![
                Action::Remind { notice: id.clone() },
                Action::Escalate {
                    incident: "20261122-001".into(),
                    to: "刘志强".into(),
                    notices: vec![id.clone()],
                },
            ],
        ),
        (acked, "2026-11-23T03:00:00+08:00", vec![]),
        (done, "2026-11-23T03:00:00+08:00", vec![]),
    ];
    for (i, (notice, now, want)) in cases.into_iter().enumerate() {
        assert_eq!(escalation::due(&[notice], at(now)), want, "case {i}");
    }
}

#[test]
fn templates_substitute_drop_empty_lines_and_reject_unknown_fields() {
    let mut v = std::collections::BTreeMap::new();
    v.insert("a", "甲".to_string());
    v.insert("b", String::new());
    assert_eq!(
        template::substitute("x {{a}} y\nB: {{ b }}\n{{b}}\nend", &v),
        "x 甲 y\nend"
    );
    assert!(
        template::Templates::load(Some("[first]\nzh = \"{{nope}}\""))
            .unwrap_err()
            .contains("nope")
    );
    assert!(template::Templates::load(Some("[first]\nzh = \"{{number}} 改\"")).is_ok());
    assert!(template::Templates::load(Some("[firsts]\nzh = \"x\"")).is_err());
}

#[test]
fn every_notice_answer_survives_the_socket_json() {
    use dutydesk::service::{NoticeProposal, QueuedRow, Response, TickReport};
    let answers = vec![
        Response::Proposal(Box::new(NoticeProposal {
            incident: "20261122-001".into(),
            notice_kind: NoticeKind::Correction,
            version: 1,
            recipients: routing::propose(
                &cfg(),
                &report(0, "石门乡", "fire", None, 0),
                NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            ),
            stale: vec![],
            subject: "s".into(),
            text: "t".into(),
        })),
        Response::Queued {
            notices: vec![QueuedRow {
                id: "i".into(),
                token: "t".into(),
                recipient: "r".into(),
                channel: ChannelKind::Email,
            }],
            seqs: vec![1],
        },
        Response::Notices {
            rows: vec![notice(1, "A", 0, NoticeState::Sending, NoticeKind::First)],
        },
        Response::Ticked(TickReport {
            results: 1,
            dispatched: 2,
            warnings: vec!["w".into()],
            followed_up: vec![],
            seqs: vec![3],
        }),
    ];
    for a in answers {
        let line = serde_json::to_string(&a).unwrap();
        let back: Response = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(back, a);
    }
}

/// A notice of the table: (id, recipient, escalates to, kind).
fn chased(id: u32, to: &str, up: Option<&str>, kind: NoticeKind) -> Notice {
    let mut n = notice(id, to, 0, NoticeState::Delivered, kind);
    n.q.escalate_to = up.map(str::to_string);
    if kind.is_step() {
        n.q.deadline = None;
        n.q.warn_at = None;
        n.q.escalate_to = None;
        n.q.parent = Some("20261122-001/N001".into());
    }
    n
}

#[test]
fn chases_are_steps_of_one_life_table() {
    use escalation::Action;
    let late = at("2026-11-23T02:41:00+08:00");
    let id = |i: u32| format!("20261122-001/N{i:03}");
    let mut acked = chased(3, "县应急管理局", Some("陈静"), NoticeKind::First);
    acked.ack = Some(dutydesk::domain::Ack {
        by: "x".into(),
        via: "cli".into(),
        note: String::new(),
        at: at("2026-11-23T02:20:00+08:00"),
        through: None,
    });
    let mut superseded = chased(4, "县水利局", Some("陈静"), NoticeKind::First);
    superseded.closed = Some((
        at("2026-11-23T02:30:00+08:00"),
        dutydesk::domain::CloseReason::Superseded { by: id(9) },
    ));
    let mut reminded = chased(5, "石门乡人民政府", Some("陈静"), NoticeKind::First);
    reminded.steps = vec![
        dutydesk::domain::EscalationStep::Reminded,
        dutydesk::domain::EscalationStep::Escalated,
    ];
    // (what is on the desk, what is due)
    let cases: Vec<(Vec<Notice>, Vec<Action>)> = vec![
        // Three units and the leader silent: three reminders, the leader's own reminder, and
        // ONE 督办 to the leader on duty naming the three units; the leader on duty at level IV
        // goes no higher.
        (
            vec![
                chased(1, "陈静", None, NoticeKind::First),
                chased(2, "县消防救援大队", Some("陈静"), NoticeKind::First),
                chased(6, "县应急管理局", Some("陈静"), NoticeKind::First),
                chased(7, "石门乡人民政府", Some("陈静"), NoticeKind::First),
            ],
            vec![
                Action::Remind { notice: id(1) },
                Action::Remind { notice: id(2) },
                Action::Remind { notice: id(6) },
                Action::Remind { notice: id(7) },
                Action::Escalate {
                    incident: "20261122-001".into(),
                    to: "陈静".into(),
                    notices: vec![id(2), id(6), id(7)],
                },
            ],
        ),
        // Reminders and escalations are never chased themselves, even without a 回执.
        (
            vec![
                chased(10, "县消防救援大队", None, NoticeKind::Reminder),
                chased(11, "陈静", None, NoticeKind::Escalation),
            ],
            vec![],
        ),
        // Answered, superseded, or already reminded and escalated: nothing more.
        (vec![acked, superseded, reminded], vec![]),
    ];
    for (i, (notices, want)) in cases.into_iter().enumerate() {
        assert_eq!(escalation::due(&notices, late), want, "case {i}");
    }
}

#[test]
fn supersede_and_settle_table() {
    let id = |i: u32| format!("20261122-001/N{i:03}");
    let old = notice(1, "A", 0, NoticeState::Delivered, NoticeKind::First);
    let other = notice(2, "B", 0, NoticeState::Delivered, NoticeKind::First);
    let mut newer = notice(3, "A", 1, NoticeState::Queued, NoticeKind::FollowUp).q;
    let instr = notice(4, "A", 1, NoticeState::Queued, NoticeKind::Instruction).q;
    let replaced = escalation::superseded(&[old.clone(), other.clone()], &[newer.clone()]);
    assert_eq!(replaced, vec![(id(1), id(3))]);
    assert!(
        escalation::superseded(std::slice::from_ref(&old), &[instr]).is_empty(),
        "an instruction carries no facts: it replaces no notice of facts"
    );
    newer.version = 0;
    newer.kind = NoticeKind::First;
    assert_eq!(
        escalation::superseded(std::slice::from_ref(&old), &[newer]).len(),
        1,
        "the same version sent again replaces the older message"
    );

    // A reminder of N001 and one escalation about N001 and N002.
    let mut reminder = notice(5, "A", 0, NoticeState::Delivered, NoticeKind::Reminder);
    reminder.q.parent = Some(id(1));
    let mut esc = notice(6, "L", 0, NoticeState::Delivered, NoticeKind::Escalation);
    esc.q.parent = Some(id(1));
    esc.q.about = vec![id(1), id(2)];
    let desk = vec![old, other, reminder, esc];
    let settled = |ended: &[&str]| -> Vec<String> {
        escalation::settled(&desk, ended)
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    };
    let (n1, n2) = (id(1), id(2));
    assert_eq!(
        settled(&[n1.as_str()]),
        vec![id(5)],
        "N001 answered: its reminder ends; the 督办 still chases N002"
    );
    assert_eq!(settled(&[n1.as_str(), n2.as_str()]), vec![id(5), id(6)]);
    assert_eq!(settled(&[n2.as_str()]), Vec::<String>::new());
}
