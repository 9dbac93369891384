//! The audit's notice stages through the real desk, on a set clock: a fire at 02:10, the leader
//! phoned at +10 min and acknowledging at +22 min, the fire brigade's notice never delivered.

use std::sync::Arc;

use dutydesk::clock::ManualClock;
use dutydesk::domain::{Actor, CallOutcome, Level, ReportDraft};
use dutydesk::rules::audit::Stage;
use dutydesk::service::{Desk, Request, Response};
use dutydesk::store::OpenOptions;

fn actor() -> Actor {
    Actor {
        officer: "李明".into(),
        os_user: "duty".into(),
    }
}

#[test]
fn leader_reported_acknowledged_all_notified_and_each_notice() {
    let dir = tempfile::tempdir().unwrap();
    let c = ManualClock::new("2026-11-22T18:10:00Z".parse().unwrap());
    let mut desk = Desk::open(
        dir.path(),
        Arc::new(dutydesk::config::defaults()),
        Arc::new(c.clone()),
        OpenOptions::default(),
    )
    .unwrap();
    let draft = ReportDraft {
        summary: "县消防救援大队报告：石门乡一仓库起火，死亡1人".into(),
        location: Some("石门乡".into()),
        category: Some("fire".into()),
        level: Some(Level::III),
        ..ReportDraft::default()
    };
    let Response::Filed { incident, .. } = desk.handle(&actor(), Request::AddReport { draft })
    else {
        panic!()
    };
    c.advance(chrono::Duration::minutes(4));
    let req = Request::SendNotice {
        incident: incident.clone(),
        kind: None,
        recipients: vec!["刘志强".into(), "县消防救援大队".into()],
        instruction: None,
    };
    let Response::Queued { notices, .. } = desk.handle(&actor(), req) else {
        panic!()
    };
    let leader = notices
        .iter()
        .find(|n| n.recipient == "刘志强")
        .unwrap()
        .clone();
    c.advance(chrono::Duration::minutes(6));
    let call = Request::RecordCall {
        notice: leader.id.clone(),
        outcome: CallOutcome::Reached,
        note: String::new(),
    };
    assert!(matches!(
        desk.handle(&actor(), call),
        Response::Recorded { .. }
    ));
    c.advance(chrono::Duration::minutes(12));
    let ack = Request::Acknowledge {
        token: leader.token.clone(),
        by: None,
        via: "phone".into(),
        note: "收到，请消防全力处置".into(),
    };
    assert!(matches!(
        desk.handle(&actor(), ack),
        Response::Recorded { .. }
    ));
    c.advance(chrono::Duration::minutes(38)); // now: +60 min
    let Response::Audit(report) = desk.handle(
        &actor(),
        Request::Audit {
            from: None,
            to: None,
            by: None,
        },
    ) else {
        panic!()
    };
    let row = |s: Stage| report.stages.iter().find(|r| r.stage == s).unwrap().clone();
    let reported = row(Stage::ReceivedToLeaderReported);
    assert_eq!(
        (reported.count, reported.open, reported.max_s),
        (1, 0, Some(600))
    );
    assert_eq!(
        reported.compliance,
        Some(1.0),
        "10 min within the 30 min phone limit of Ⅲ"
    );
    let acked = row(Stage::ReceivedToLeaderAcknowledged);
    assert_eq!((acked.count, acked.max_s), (1, Some(22 * 60)));
    let all = row(Stage::ReceivedToAllNotified);
    assert_eq!(
        (all.count, all.open),
        (1, 1),
        "the brigade's notice was never delivered"
    );
    assert_eq!(all.breached, 1, "open for 60 min against a 30 min limit");
    let each = row(Stage::NoticeSentToAcknowledged);
    assert_eq!((each.count, each.open), (2, 1));
    assert_eq!(
        each.p50_s.or(each.max_s),
        Some(18 * 60),
        "queued +4, acknowledged +22"
    );
    assert!(report
        .breaches
        .iter()
        .any(|b| b.stage == Stage::ReceivedToAllNotified && *b.incident == *incident));
    assert!(!report
        .not_measured
        .contains(&Stage::ReceivedToLeaderReported));
}
