//! Leaders' instructions (批示 · 督办) through the desk on a manual clock: the flow instruction →
//! relay (批示传达 notices) → feedback → 办结报告 with reminders, chases and the audit stages; the
//! meeting-moved case (everyone told, the key holder included, is re-notified); verify.

use std::sync::Arc;

use chrono::Duration;
use dutydesk::clock::ManualClock;
use dutydesk::config::Config;
use dutydesk::domain::{Actor, Arrangement, FeedbackForm, FeedbackKind, NoticeKind, ReportDraft};
use dutydesk::rules::audit::Stage as Stage2;
use dutydesk::rules::supervision::{self, Stage};
use dutydesk::service::instructions::InstructionDraft;
use dutydesk::service::{Desk, Request, Response};
use dutydesk::store::OpenOptions;

fn actor() -> Actor {
    Actor {
        officer: "李明".into(),
        os_user: "duty".into(),
    }
}

fn desk(dir: &std::path::Path, c: &ManualClock) -> Desk {
    let cfg: Arc<Config> = Arc::new(dutydesk::config::layer(None, None, &[]).unwrap());
    Desk::open(dir, cfg, Arc::new(c.clone()), OpenOptions::default()).unwrap()
}

fn ask(d: &mut Desk, req: Request) -> Response {
    let r = d.handle(&actor(), req);
    assert!(!matches!(r, Response::Error { .. }), "{r:?}");
    r
}

fn record(d: &mut Desk, incident: Option<String>, arrangement: Option<Arrangement>) -> String {
    let draft = InstructionDraft {
        incident,
        leader: "王建国".into(),
        received_at: None,
        channel: "phone".into(),
        text: "请应急局、消防大队立即赶赴现场，两小时内反馈".into(),
        arrangement,
    };
    match ask(d, Request::RecordInstruction(Box::new(draft))) {
        Response::InstructionDone { id, .. } => id,
        r => panic!("{r:?}"),
    }
}

fn feedback(d: &mut Desk, id: &str, who: &str, form: FeedbackForm, kind: FeedbackKind) {
    let req = Request::RecordFeedback {
        id: id.into(),
        recipient: who.into(),
        form,
        feedback_kind: kind,
        text: format!("{who}：已到场处置"),
        at: None,
    };
    ask(d, req);
}

fn board(d: &mut Desk) -> Vec<supervision::RecipientStatus> {
    match ask(
        d,
        Request::Instructions {
            open_only: true,
            overdue_only: false,
        },
    ) {
        Response::Instructions { board, .. } => board,
        r => panic!("{r:?}"),
    }
}

#[test]
fn instruction_relay_feedback_report() {
    let tmp = tempfile::tempdir().unwrap();
    let c = ManualClock::new("2026-11-23T01:00:00Z".parse().unwrap());
    let mut d = desk(tmp.path(), &c);
    let draft = ReportDraft {
        summary: "河口镇仓库起火，死亡1人".into(),
        location: Some("河口镇".into()),
        category: Some("fire".into()),
        ..ReportDraft::default()
    };
    let incident = match ask(&mut d, Request::AddReport { draft }) {
        Response::Filed { incident, .. } => incident,
        r => panic!("{r:?}"),
    };
    let id = record(&mut d, Some(incident.clone()), None);
    assert_eq!(id, "PS-20261123-01");
    let to = vec!["县应急管理局".to_string(), "县消防救援大队".to_string()];
    let relay = Request::RelayInstruction {
        id: id.clone(),
        to,
        deadline_minutes: Some(60),
    };
    ask(&mut d, relay);
    // The relay went through the notice system as 批示传达 notices.
    let notices = d.notices_of(&incident).unwrap();
    assert_eq!(notices.len(), 2);
    assert!(notices.iter().all(|n| n.q.kind == NoticeKind::Instruction));
    assert!(notices[0].q.text.contains("两小时内反馈"));
    let b = board(&mut d);
    assert_eq!(b.len(), 2);
    assert!(b
        .iter()
        .all(|r| r.stage == Stage::AwaitingAck
            && r.deadline.to_rfc3339() == "2026-11-23T10:00:00+08:00"));
    // A recipient that was not asked cannot answer.
    let stranger = Request::RecordFeedback {
        id: id.clone(),
        recipient: "县水利局".into(),
        form: FeedbackForm::Phone,
        feedback_kind: FeedbackKind::Final,
        text: "x".into(),
        at: None,
    };
    assert!(matches!(
        d.handle(&actor(), stranger),
        Response::Error { .. }
    ));
    c.advance(Duration::minutes(20));
    feedback(
        &mut d,
        &id,
        "县应急管理局",
        FeedbackForm::Phone,
        FeedbackKind::Progress,
    );
    feedback(
        &mut d,
        &id,
        "县消防救援大队",
        FeedbackForm::Phone,
        FeedbackKind::Final,
    );
    let b = board(&mut d);
    assert_eq!(b[0].stage, Stage::Progress);
    assert_eq!(b[1].stage, Stage::Completed);
    // Near the deadline the tick reminds; past it, it chases.
    c.advance(Duration::minutes(26));
    match ask(&mut d, Request::Tick) {
        Response::Ticked(t) => assert!(
            t.warnings.iter().any(|w| w.contains("县应急管理局")),
            "{t:?}"
        ),
        r => panic!("{r:?}"),
    }
    c.advance(Duration::minutes(30));
    assert!(board(&mut d)[0].overdue);
    feedback(
        &mut d,
        &id,
        "县应急管理局",
        FeedbackForm::Written,
        FeedbackKind::Final,
    );
    match ask(&mut d, Request::InstructionReport { id: id.clone() }) {
        Response::InstructionReport { complete, text, .. } => {
            assert!(complete);
            assert!(text.contains("王建国"));
            assert!(
                text.contains("1. 县应急管理局：县应急管理局：已到场处置（书面"),
                "{text}"
            );
            assert!(text.contains("进展："));
        }
        r => panic!("{r:?}"),
    }
    assert!(board(&mut d).is_empty());
    // The audit measures both instruction stages: recorded → relayed at once; one recipient
    // answered within its hour, the other 16 minutes late.
    let audit = Request::Audit {
        from: None,
        to: None,
        by: None,
    };
    let Response::Audit(a) = ask(&mut d, audit) else {
        panic!()
    };
    let row = |s: Stage2| a.stages.iter().find(|r| r.stage == s).unwrap().clone();
    let relayed = row(Stage2::InstructionToRelayed);
    assert_eq!((relayed.count, relayed.open, relayed.breached), (1, 0, 0));
    let fed = row(Stage2::RelayedToFinalFeedback);
    assert_eq!(
        (fed.count, fed.open, fed.within, fed.breached),
        (2, 0, 1, 1),
        "{fed:?}"
    );
    assert!(a.not_measured.is_empty());
    let Response::Verified(v) = ask(&mut d, Request::Verify) else {
        panic!()
    };
    assert!(
        v.projection_mismatch.is_none() && v.chain_break.is_none(),
        "{v:?}"
    );
}

#[test]
fn meeting_moved_renotifies_everyone_including_the_key_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let c = ManualClock::new("2026-11-23T02:00:00Z".parse().unwrap());
    let mut d = desk(tmp.path(), &c);
    let old = Arrangement {
        time: "2026-11-23 16:00".into(),
        place: "三楼会议室".into(),
    };
    let id = record(&mut d, None, Some(old));
    // 孙丽 holds the room key: a support role, told like every attendee.
    let to: Vec<String> = ["县应急管理局", "县消防救援大队", "孙丽"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    ask(
        &mut d,
        Request::RelayInstruction {
            id: id.clone(),
            to: to.clone(),
            deadline_minutes: None,
        },
    );
    c.advance(Duration::minutes(10));
    let new = Arrangement {
        time: "2026-11-23 15:00".into(),
        place: "三楼会议室".into(),
    };
    match ask(
        &mut d,
        Request::ChangeInstruction {
            id: id.clone(),
            arrangement: new,
        },
    ) {
        Response::InstructionDone { told, .. } => assert_eq!(told, to),
        r => panic!("{r:?}"),
    }
    let ins = d.store().db().instruction(&id).unwrap().unwrap();
    assert_eq!(ins.version, 2);
    assert_eq!(ins.stale().count(), 0, "nobody still holds 16:00");
    assert!(ins.recipients.iter().all(|r| r.version == 2));
    assert_eq!(ins.changes[0].old.time, "2026-11-23 16:00");
    // The default deadline is 120 minutes from the re-notification.
    assert!(ins
        .recipients
        .iter()
        .all(|r| r.deadline.to_rfc3339() == "2026-11-23T12:10:00+08:00"));
    let Response::Verified(v) = ask(&mut d, Request::Verify) else {
        panic!()
    };
    assert!(
        v.projection_mismatch.is_none() && v.chain_break.is_none(),
        "{v:?}"
    );
}

/// Issue 18, case 7: the relayed text names the leader ("王建国县长批示：…"); a department's
/// feedback, progress included, is the relay notice's answer (not left "overdue" and chased);
/// the instruction and its feedback are in the incident's timeline.
#[test]
fn feedback_answers_the_relay_and_the_timeline_has_the_instruction() {
    let tmp = tempfile::tempdir().unwrap();
    let c = ManualClock::new("2026-11-23T01:00:00Z".parse().unwrap());
    let mut d = desk(tmp.path(), &c);
    let draft = ReportDraft {
        summary: "县消防救援大队报告：石门乡一仓库起火".into(),
        location: Some("石门乡".into()),
        category: Some("fire".into()),
        ..ReportDraft::default()
    };
    let Response::Filed { incident, .. } = ask(&mut d, Request::AddReport { draft }) else {
        panic!()
    };
    let id = record(&mut d, Some(incident.clone()), None);
    ask(
        &mut d,
        Request::RelayInstruction {
            id: id.clone(),
            to: vec!["县应急管理局".into(), "县消防救援大队".into()],
            deadline_minutes: Some(120),
        },
    );
    let notices = d.notices_of(&incident).unwrap();
    let relayed: Vec<_> = notices
        .iter()
        .filter(|n| n.q.kind == NoticeKind::Instruction)
        .collect();
    assert_eq!(relayed.len(), 2);
    for n in &relayed {
        assert!(
            n.q.text.contains("王建国县长批示：请应急局"),
            "{}",
            n.q.text
        );
    }
    c.advance(Duration::minutes(20));
    feedback(
        &mut d,
        &id,
        "县应急管理局",
        FeedbackForm::Phone,
        FeedbackKind::Progress,
    );
    let pending = |d: &mut Desk| -> Vec<String> {
        match ask(
            d,
            Request::Notices {
                incident: None,
                pending_only: true,
            },
        ) {
            Response::Notices { rows } => rows
                .into_iter()
                .filter(|n| n.q.kind == NoticeKind::Instruction)
                .map(|n| n.q.recipient)
                .collect(),
            r => panic!("{r:?}"),
        }
    };
    assert_eq!(pending(&mut d), vec!["县消防救援大队".to_string()]);
    let answered = d
        .notices_of(&incident)
        .unwrap()
        .into_iter()
        .find(|n| n.q.kind == NoticeKind::Instruction && n.q.recipient == "县应急管理局")
        .unwrap();
    let ack = answered.ack.expect("the feedback acknowledged it");
    assert_eq!(
        (ack.by.as_str(), ack.via.as_str()),
        ("县应急管理局", "feedback")
    );
    // A second feedback from the same unit adds to the instruction, nothing twice.
    feedback(
        &mut d,
        &id,
        "县应急管理局",
        FeedbackForm::Written,
        FeedbackKind::Final,
    );
    let Response::Incident { timeline, .. } = ask(
        &mut d,
        Request::Show {
            incident: incident.clone(),
        },
    ) else {
        panic!()
    };
    let kinds: Vec<&str> = timeline.iter().map(|e| e.body.kind()).collect();
    for k in [
        "report_filed",
        "instruction_recorded",
        "instruction_relayed",
        "instruction_feedback",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    assert!(
        timeline.windows(2).all(|w| w[0].seq < w[1].seq),
        "in the order it happened"
    );
    let Response::Verified(v) = ask(&mut d, Request::Verify) else {
        panic!()
    };
    assert!(v.ok(), "{v:?}");
}
