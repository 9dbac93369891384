//! The durable outbox through the desk: resume after a crash (exactly one delivery recorded),
//! escalation on a manual clock, acknowledgements, the key-holder rule end to end, and the
//! secret that never leaks.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use dutydesk::clock::ManualClock;
use dutydesk::config::Config;
use dutydesk::delivery::{Dispatcher, Secrets, Settings};
use dutydesk::domain::{Actor, EventBody, NoticeKind, NoticeState, ReportDraft, ReportKind};
use dutydesk::service::{Desk, Request, Response};
use dutydesk::store::OpenOptions;

fn actor() -> Actor {
    Actor {
        officer: "李明".into(),
        os_user: "duty".into(),
    }
}

fn config(extra: &str) -> Arc<Config> {
    Arc::new(dutydesk::config::layer(Some(extra), None, &[]).unwrap())
}

fn clock() -> ManualClock {
    ManualClock::new("2026-11-22T18:10:00Z".parse().unwrap())
}

fn open(dir: &std::path::Path, cfg: &Arc<Config>, c: &ManualClock) -> Desk {
    Desk::open(
        dir,
        cfg.clone(),
        Arc::new(c.clone()),
        OpenOptions::default(),
    )
    .unwrap()
}

fn attach(
    desk: &mut Desk,
    cfg: &Config,
    dir: &std::path::Path,
    rt: &tokio::runtime::Handle,
    secrets: Secrets,
) {
    let (d, rx) = Dispatcher::start(Settings::from_config(cfg, dir, secrets), rt.clone(), None);
    desk.attach_outbox(d, rx);
}

fn file(desk: &mut Desk, draft: ReportDraft) -> String {
    match desk.handle(&actor(), Request::AddReport { draft }) {
        Response::Filed { incident, .. } => incident,
        r => panic!("{r:?}"),
    }
}

fn fire(location: &str) -> ReportDraft {
    ReportDraft {
        summary: "河口镇仓库起火，死亡1人".into(),
        location: Some(location.into()),
        category: Some("fire".into()),
        level: Some(dutydesk::domain::Level::III),
        ..ReportDraft::default()
    }
}

fn send(desk: &mut Desk, incident: &str, names: &[&str]) -> Vec<(String, String)> {
    let req = Request::SendNotice {
        incident: incident.into(),
        kind: None,
        recipients: names.iter().map(|s| s.to_string()).collect(),
        instruction: None,
    };
    match desk.handle(&actor(), req) {
        Response::Queued { notices, .. } => notices.into_iter().map(|n| (n.id, n.token)).collect(),
        r => panic!("{r:?}"),
    }
}

fn count(dir: &std::path::Path, kind: &str, id: &str) -> usize {
    std::fs::read_to_string(dir.join("journal.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| l.contains(&format!("\"kind\":\"{kind}\"")) && l.contains(id))
        .count()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn queued_then_crash_then_resume_records_exactly_one_delivery() {
    let rt = rt();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config("");
    let c = clock();
    let ids = {
        let mut desk = open(dir.path(), &cfg, &c);
        let no = file(&mut desk, fire("石门乡"));
        // No outbox: queued durably, never sent; then the process "dies".
        send(&mut desk, &no, &["县应急管理局", "县消防救援大队"])
    };
    assert_eq!(count(dir.path(), "notice_attempted", &ids[0].0), 0);
    // Crash after the hand-off: an outbox whose runtime never runs the task.
    let idle = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    {
        let mut desk = open(dir.path(), &cfg, &c);
        attach(
            &mut desk,
            &cfg,
            dir.path(),
            idle.handle(),
            Secrets::default(),
        );
        let Response::Ticked(t) = desk.handle(&actor(), Request::Tick) else {
            panic!()
        };
        assert_eq!(t.dispatched, 2);
    }
    drop(idle);
    let mut desk = open(dir.path(), &cfg, &c);
    attach(&mut desk, &cfg, dir.path(), rt.handle(), Secrets::default());
    let Response::Ticked(t) = desk.handle(&actor(), Request::Tick) else {
        panic!()
    };
    assert_eq!(t.dispatched, 2, "both pending notices resumed");
    let all: Vec<String> = ids.iter().map(|(i, _)| i.clone()).collect();
    let done = desk
        .wait_for(&actor(), &all, Duration::from_secs(10))
        .unwrap();
    for n in &done {
        assert_eq!(n.state, NoticeState::Delivered, "{n:?}");
        assert_eq!(n.dispatches, 2);
    }
    for _ in 0..3 {
        desk.handle(&actor(), Request::Tick);
    }
    for (id, _) in &ids {
        assert_eq!(count(dir.path(), "notice_delivered", id), 1, "{id}");
        assert_eq!(count(dir.path(), "notice_attempted", id), 2, "{id}");
    }
    let files = std::fs::read_dir(dir.path().join("outbox"))
        .unwrap()
        .count();
    assert_eq!(
        files, 4,
        "two notices, .txt and .json each, written once per token"
    );
    let Response::Verified(v) = desk.handle(&actor(), Request::Verify) else {
        panic!()
    };
    assert!(v.ok(), "{v:?}");
}

#[test]
fn deadlines_warn_then_remind_and_escalate_and_an_ack_of_the_reminder_closes_it() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config("");
    let c = clock();
    let mut desk = open(dir.path(), &cfg, &c);
    let no = file(&mut desk, fire("石门乡"));
    // 刘志强 (rank 2) is on duty; he escalates to 王建国 (rank 1). Phone: nothing to dispatch.
    let ids = send(&mut desk, &no, &["刘志强"]);
    let (id, _) = &ids[0];
    c.advance(chrono::Duration::minutes(11)); // leader, level III: 15 min, warned 5 before
    let Response::Ticked(t) = desk.handle(&actor(), Request::Tick) else {
        panic!()
    };
    assert_eq!(t.warnings.len(), 1, "{t:?}");
    let Response::Ticked(t) = desk.handle(&actor(), Request::Tick) else {
        panic!()
    };
    assert!(t.warnings.is_empty(), "warned once");
    c.advance(chrono::Duration::minutes(5));
    let Response::Ticked(t) = desk.handle(&actor(), Request::Tick) else {
        panic!()
    };
    assert_eq!(
        t.followed_up.len(),
        2,
        "a reminder and an escalation: {t:?}"
    );
    let Response::Notices { rows } = desk.handle(
        &actor(),
        Request::Notices {
            incident: Some(no.clone()),
            pending_only: false,
        },
    ) else {
        panic!()
    };
    let reminder = rows
        .iter()
        .find(|n| n.q.kind == NoticeKind::Reminder)
        .unwrap();
    let escalation = rows
        .iter()
        .find(|n| n.q.kind == NoticeKind::Escalation)
        .unwrap();
    assert_eq!(reminder.q.recipient, "刘志强");
    assert_eq!(escalation.q.recipient, "王建国");
    assert!(
        escalation.q.text.contains("刘志强"),
        "{}",
        escalation.q.text
    );
    let Response::Ticked(t) = desk.handle(&actor(), Request::Tick) else {
        panic!()
    };
    assert!(t.followed_up.is_empty(), "each step once");
    let ack = Request::Acknowledge {
        token: reminder.q.token.to_lowercase().replace('-', ""),
        by: None,
        via: "phone".into(),
        note: "收到".into(),
    };
    assert!(matches!(
        desk.handle(&actor(), ack.clone()),
        Response::Recorded { .. }
    ));
    assert!(
        matches!(desk.handle(&actor(), ack), Response::Error { .. }),
        "not twice"
    );
    let parent = desk.store().notice(id).unwrap().unwrap();
    assert_eq!(parent.state, NoticeState::Acknowledged);
    assert_eq!(
        parent.ack.unwrap().through.as_deref(),
        Some(reminder.q.id.as_str())
    );
    let call = Request::RecordCall {
        notice: id.clone(),
        outcome: dutydesk::domain::CallOutcome::Reached,
        note: String::new(),
    };
    assert!(matches!(
        desk.handle(&actor(), call),
        Response::Recorded { .. }
    ));
    let Response::Verified(v) = desk.handle(&actor(), Request::Verify) else {
        panic!()
    };
    assert!(v.ok(), "{v:?}");
}

#[test]
fn key_holder_a_moved_place_makes_holders_stale_until_a_correction_reaches_them() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config("");
    let c = clock();
    let mut desk = open(dir.path(), &cfg, &c);
    let no = file(&mut desk, fire("石门乡"));
    let first = ["刘志强", "县消防救援大队", "县应急管理局", "石门乡人民政府"];
    send(&mut desk, &no, &first);
    let mut follow = fire("城关镇");
    follow.kind = ReportKind::FollowUp;
    follow.incident = Some(no.clone());
    file(&mut desk, follow);
    let Response::Incidents { rows, .. } = desk.handle(
        &actor(),
        Request::List {
            open_only: false,
            limit: None,
        },
    ) else {
        panic!()
    };
    assert_eq!(rows[0].stale_recipients, 4);
    let req = Request::ProposeNotice {
        incident: no.clone(),
        kind: None,
        add: vec![],
        remove: vec![],
        instruction: None,
    };
    let Response::Proposal(p) = desk.handle(&actor(), req) else {
        panic!()
    };
    assert_eq!(
        p.notice_kind,
        NoticeKind::Correction,
        "only the place changed"
    );
    let names: Vec<&str> = p.recipients.iter().map(|r| r.name.as_str()).collect();
    for n in first {
        assert!(names.contains(&n), "{n} holds the old place: {names:?}");
    }
    assert!(p.text.contains("地点已变更"), "{}", p.text);
    let all: Vec<&str> = names.clone();
    send(&mut desk, &no, &all);
    let Response::Incident { stale, .. } = desk.handle(
        &actor(),
        Request::Show {
            incident: no.clone(),
        },
    ) else {
        panic!()
    };
    assert!(stale.is_empty(), "{stale:?}");
}

#[test]
fn a_secret_never_reaches_the_log_events_screen_or_errors() {
    const SECRET: &str = "S3cr3t-Wecom-Key-0042";
    let rt = rt();
    // The peer echoes the secret back in an error (as a misbehaving proxy might).
    let peer = rt.block_on(common::HttpPeer::start(vec![(
        500,
        format!("{{\"error\":\"bad key {SECRET}\"}}"),
        0,
    )]));
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&format!(
        r#"
[notices.delivery]
attempts = 2
backoff_ms = 10
[notices.endpoints.wecom]
kind = "webhook"
format = "dingtalk"
url = "{}"
secret = "DING"

[[units]]
name = "县应急管理局"
kind = "department"
authoritative_for = ["fire"]
contacts = [{{ channel = "webhook", target = "wecom" }}]
"#,
        peer.url("/send?key=${WECOM_KEY}")
    ));
    let c = clock();
    let mut desk = open(dir.path(), &cfg, &c);
    let secrets = Secrets::from_pairs([("WECOM_KEY", SECRET), ("DING", "ding-SECRET-value-9")]);
    assert!(!format!("{secrets:?}").contains(SECRET));
    attach(&mut desk, &cfg, dir.path(), rt.handle(), secrets);
    let no = file(&mut desk, fire("石门乡"));
    let ids = send(&mut desk, &no, &["县应急管理局"]);
    let done = desk
        .wait_for(&actor(), &[ids[0].0.clone()], Duration::from_secs(10))
        .unwrap();
    assert_eq!(done[0].state, NoticeState::Failed);
    assert!(
        peer.seen.lock().unwrap()[0].target.contains(SECRET),
        "the peer did get the key"
    );
    let journal = std::fs::read_to_string(dir.path().join("journal.jsonl")).unwrap();
    assert!(journal.contains("***"), "the echoed key was redacted");
    let Response::Notices { rows } = desk.handle(
        &actor(),
        Request::Notices {
            incident: None,
            pending_only: false,
        },
    ) else {
        panic!()
    };
    let mut screen = Vec::new();
    dutydesk::cli::notice_format::notices_table(&mut screen, &rows, dutydesk::domain::Lang::En)
        .unwrap();
    for n in &rows {
        dutydesk::cli::notice_format::outcome_line(&mut screen, n, dutydesk::domain::Lang::Zh)
            .unwrap();
    }
    let screen = String::from_utf8(screen).unwrap();
    let events = serde_json::to_string(&rows).unwrap();
    for (what, text) in [
        ("journal", &journal),
        ("events", &events),
        ("screen", &screen),
    ] {
        assert!(!text.contains(SECRET), "{what} leaks the key");
        assert!(
            !text.contains("ding-SECRET-value-9"),
            "{what} leaks the signing secret"
        );
    }
    // A group-readable secrets file is refused, with a clear error that quotes no value.
    let cdir = tempfile::tempdir().unwrap();
    let f = cdir.path().join("secrets.toml");
    std::fs::write(&f, format!("WECOM_KEY = \"{SECRET}\"\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
    let e = Secrets::load(Some(cdir.path()), [])
        .unwrap_err()
        .to_string();
    assert!(e.contains("chmod 600") && !e.contains(SECRET), "{e}");
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
    let s = Secrets::load(
        Some(cdir.path()),
        [("DUTYDESK_SECRET_DING".to_string(), "x1234".to_string())],
    )
    .unwrap();
    assert_eq!(s.get("WECOM_KEY"), Some(SECRET));
    assert_eq!(s.get("DING"), Some("x1234"));
    let _ = EventBody::Note {
        text: String::new(),
    };
}

fn pending(desk: &mut Desk) -> Vec<dutydesk::domain::Notice> {
    match desk.handle(
        &actor(),
        Request::Notices {
            incident: None,
            pending_only: true,
        },
    ) {
        Response::Notices { rows } => rows,
        r => panic!("{r:?}"),
    }
}

fn tick(desk: &mut Desk) -> dutydesk::service::TickReport {
    match desk.handle(&actor(), Request::Tick) {
        Response::Ticked(t) => t,
        r => panic!("{r:?}"),
    }
}

fn ack(desk: &mut Desk, token: &str) {
    let r = desk.handle(
        &actor(),
        Request::Acknowledge {
            token: token.into(),
            by: None,
            via: "phone".into(),
            note: String::new(),
        },
    );
    assert!(matches!(r, Response::Recorded { .. }), "{r:?}");
}

/// Issue 18, case 1 and 2, as the night went: one level-IV fire from a villager, four
/// notices at 02:10, nobody answers. Chases are steps of each notice's one life: four rows,
/// not twelve; one 督办 to the leader on duty naming the three silent units, none to the county
/// heads at level IV; a 督办 to the leader does not make him hold the new facts; a follow-up
/// supersedes the old notices and settles their chases; a call that reaches him and the units'
/// 回执 end everything.
#[test]
fn chases_stop_with_the_answer_and_never_pile_up() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config("");
    let c = clock();
    let mut desk = open(dir.path(), &cfg, &c);
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let on_duty = cfg.leader_on_duty(day).unwrap().name.clone();
    let mut draft = fire("石门乡");
    draft.summary = "石门乡村民家中起火".into();
    draft.level = Some(dutydesk::domain::Level::IV);
    draft.reporter = Some(dutydesk::domain::Reporter {
        name: Some("王某".into()),
        unit: Some("村民".into()),
        ..Default::default()
    });
    let no = file(&mut desk, draft.clone());
    let units = ["县消防救援大队", "县应急管理局", "石门乡人民政府"];
    let mut names = vec![on_duty.as_str()];
    names.extend(units);
    let first = send(&mut desk, &no, &names);
    assert_eq!(pending(&mut desk).len(), 4);

    c.advance(chrono::Duration::minutes(61)); // past every level-IV deadline (30 and 60 min)
    let t = tick(&mut desk);
    assert_eq!(t.followed_up.len(), 5, "4 reminders and one 督办: {t:?}");
    assert!(tick(&mut desk).followed_up.is_empty(), "each step once");
    let rows = pending(&mut desk);
    assert_eq!(
        rows.iter().map(|n| n.q.id.as_str()).collect::<Vec<_>>(),
        first.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        "the pending list is the four notices, the chases are in their rows"
    );
    for n in &rows {
        let up = n
            .trail
            .iter()
            .find(|s| s.step == dutydesk::domain::EscalationStep::Escalated);
        if n.q.recipient == on_duty {
            assert!(up.is_none(), "level IV: the leader on duty goes no higher");
        } else {
            assert_eq!(up.and_then(|s| s.to.as_deref()), Some(on_duty.as_str()));
        }
    }
    let all = desk.notices_of(&no).unwrap();
    let escalations: Vec<_> = all
        .iter()
        .filter(|n| n.q.kind == NoticeKind::Escalation)
        .collect();
    assert_eq!(escalations.len(), 1, "one 督办 for the three units");
    assert_eq!(escalations[0].q.recipient, on_duty);
    assert_eq!(escalations[0].q.about.len(), 3);
    for u in units {
        assert!(
            escalations[0].q.text.contains(u),
            "{}",
            escalations[0].q.text
        );
    }
    assert!(
        all.iter().all(|n| names.contains(&n.q.recipient.as_str())),
        "a level-IV fire reaches nobody above the leader on duty"
    );

    // A follow-up with new facts: the leader on duty holds report 0 (the 督办 queued to him
    // carried nothing new), and so do the units.
    let mut follow = draft;
    follow.kind = ReportKind::FollowUp;
    follow.incident = Some(no.clone());
    follow.casualties = Some(dutydesk::domain::Casualties {
        injured: dutydesk::domain::Count::Known(2),
        ..Default::default()
    });
    file(&mut desk, follow);
    let Response::Incident { stale, .. } = desk.handle(
        &actor(),
        Request::Show {
            incident: no.clone(),
        },
    ) else {
        panic!()
    };
    let mut stale: Vec<&str> = stale.iter().map(|s| s.name.as_str()).collect();
    stale.sort();
    let mut want = names.clone();
    want.sort();
    assert_eq!(
        stale, want,
        "the holders of report 0, and nobody who only got a chase"
    );
    let second = send(&mut desk, &no, &names);
    let rows = pending(&mut desk);
    assert_eq!(
        rows.iter().map(|n| n.q.id.as_str()).collect::<Vec<_>>(),
        second.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        "the follow-up supersedes the first notices"
    );
    let all = desk.notices_of(&no).unwrap();
    for n in &all {
        if n.q.kind.is_step() || first.iter().any(|(id, _)| *id == n.q.id) {
            assert!(
                n.is_ended(),
                "{} {:?} outlived what it chased",
                n.q.id,
                n.state
            );
        }
    }

    // Reaching the leader by phone is his answer; the units' 回执 end the rest.
    let leader = rows.iter().find(|n| n.q.recipient == on_duty).unwrap();
    let r = desk.handle(
        &actor(),
        Request::RecordCall {
            notice: leader.q.id.clone(),
            outcome: dutydesk::domain::CallOutcome::Reached,
            note: "已报告".into(),
        },
    );
    assert!(matches!(r, Response::Recorded { .. }), "{r:?}");
    assert_eq!(pending(&mut desk).len(), 3);
    c.advance(chrono::Duration::minutes(61));
    let t = tick(&mut desk);
    assert_eq!(
        t.followed_up.len(),
        4,
        "the units' reminders and one 督办: {t:?}"
    );
    for (_, token) in second.iter().skip(1) {
        ack(&mut desk, token);
    }
    assert!(pending(&mut desk).is_empty());
    let live: Vec<_> = desk
        .store()
        .db()
        .live_notices()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert!(
        live.is_empty(),
        "nothing left to chase: {:?}",
        live.iter().map(|n| &n.q.id).collect::<Vec<_>>()
    );
    assert!(tick(&mut desk).followed_up.is_empty());
    let Response::Verified(v) = desk.handle(&actor(), Request::Verify) else {
        panic!()
    };
    assert!(v.ok(), "{v:?}");
}
