//! The shift handover through the real desk on a set clock: exactly the open items are handed
//! over, acceptance needs every item seen, the record is written 0600 and can be rebuilt for a
//! past shift, and a history rewritten and re-chained before a handover is caught by its anchor.

use std::sync::Arc;

use dutydesk::clock::ManualClock;
use dutydesk::domain::handover::ItemKind;
use dutydesk::domain::{Actor, Event, EventBody, Lang, Level, ReportDraft, ReportKind};
use dutydesk::service::{Desk, Request, Response};
use dutydesk::store::OpenOptions;

fn actor(name: &str) -> Actor {
    Actor {
        officer: name.into(),
        os_user: "duty".into(),
    }
}

fn open(dir: &std::path::Path, c: &ManualClock) -> Desk {
    Desk::open(
        dir,
        Arc::new(dutydesk::config::defaults()),
        Arc::new(c.clone()),
        OpenOptions::default(),
    )
    .unwrap()
}

fn file(desk: &mut Desk, draft: ReportDraft) -> String {
    match desk.handle(&actor("李明"), Request::AddReport { draft }) {
        Response::Filed { incident, .. } => incident,
        r => panic!("{r:?}"),
    }
}

fn first(summary: &str, place: &str) -> ReportDraft {
    ReportDraft {
        summary: summary.into(),
        location: Some(place.into()),
        category: Some("fire".into()),
        level: Some(Level::III),
        ..ReportDraft::default()
    }
}

fn next(incident: &str, kind: ReportKind, summary: &str, place: &str) -> ReportDraft {
    ReportDraft {
        kind,
        incident: Some(incident.into()),
        ..first(summary, place)
    }
}

/// A night with one item of every kind, and closed ones beside them.
fn night(desk: &mut Desk, c: &ManualClock) -> (String, String, String) {
    // Open, with a vague report (flags), notices (one acknowledged) and a place that changed.
    let a = file(
        desk,
        first("据说石门乡一仓库起火，可能有人员被困", "石门乡"),
    );
    let req = Request::SendNotice {
        incident: a.clone(),
        kind: None,
        recipients: vec!["刘志强".into(), "县消防救援大队".into()],
        instruction: None,
    };
    let Response::Queued { notices, .. } = desk.handle(&actor("李明"), req) else {
        panic!()
    };
    let leader = notices.iter().find(|n| n.recipient == "刘志强").unwrap();
    let ack = Request::Acknowledge {
        token: leader.token.clone(),
        by: None,
        via: "phone".into(),
        note: String::new(),
    };
    assert!(matches!(
        desk.handle(&actor("李明"), ack),
        Response::Recorded { .. }
    ));
    c.advance(chrono::Duration::minutes(20));
    file(
        desk,
        next(&a, ReportKind::FollowUp, "起火点为河口镇仓库", "河口镇"),
    );
    // Closed during the shift: must not appear.
    let b = file(
        desk,
        first("县供电公司报告：城关镇线路故障已抢修", "城关镇"),
    );
    c.advance(chrono::Duration::minutes(30));
    file(desk, next(&b, ReportKind::Final, "已恢复供电", "城关镇"));
    // Opened in the last minute: must appear.
    c.advance(chrono::Duration::minutes(59));
    let d = file(desk, first("县消防救援大队报告：城关镇民房起火", "城关镇"));
    c.advance(chrono::Duration::seconds(50));
    (a, b, d)
}

fn record(desk: &mut Desk) -> dutydesk::domain::handover::HandoverRecord {
    let req = Request::Handover {
        shift: None,
        lang: Some(Lang::En),
    };
    match desk.handle(&actor("李明"), req) {
        Response::Handover { record, .. } => *record,
        r => panic!("{r:?}"),
    }
}

#[test]
fn the_handover_lists_exactly_the_open_items() {
    let dir = tempfile::tempdir().unwrap();
    let c = ManualClock::new("2026-11-22T18:10:00Z".parse().unwrap());
    let mut desk = open(dir.path(), &c);
    let (a, b, d) = night(&mut desk, &c);
    let r = record(&mut desk);
    let ids: Vec<&str> = r.items.iter().map(|i| i.id.as_str()).collect();
    let of = |k: ItemKind| r.items.iter().filter(|i| i.kind == k).count();
    assert!(ids.contains(&format!("incident:{a}").as_str()), "{ids:?}");
    assert!(
        ids.contains(&format!("incident:{d}").as_str()),
        "last minute: {ids:?}"
    );
    assert!(
        !ids.iter().any(|i| i.contains(&b)),
        "closed during the shift: {ids:?}"
    );
    assert_eq!(of(ItemKind::Incident), 2, "{ids:?}");
    assert!(of(ItemKind::Flag) >= 1, "the vague first report: {ids:?}");
    assert!(r
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Flag)
        .all(|i| i.incident == a || i.incident == d));
    assert_eq!(
        of(ItemKind::Notice),
        1,
        "the brigade's, not the acknowledged leader's: {ids:?}"
    );
    assert_eq!(of(ItemKind::Stale), 2, "both hold the old place: {ids:?}");
    assert_eq!(of(ItemKind::Instruction), 0, "the hook returns nothing yet");
    assert_eq!(
        of(ItemKind::Deadline),
        1,
        "the brigade's acknowledgement deadline: {ids:?}"
    );
    assert!(
        r.items
            .iter()
            .find(|i| i.kind == ItemKind::Incident && i.incident == a)
            .unwrap()
            .summary
            .contains("河口镇"),
        "the latest report"
    );
    // Resolve every flag: they leave the handover.
    for n in [&a, &d] {
        let inc = desk.store().incident(n).unwrap().unwrap();
        for f in inc.open_flags() {
            let req = Request::ResolveFlag {
                incident: n.to_string(),
                flag: f.flag.id.clone(),
                method: dutydesk::domain::ResolutionMethod::CallBack,
                result: dutydesk::domain::ResolutionResult::Confirmed,
                note: String::new(),
            };
            assert!(matches!(
                desk.handle(&actor("李明"), req),
                Response::Recorded { .. }
            ));
        }
    }
    assert_eq!(
        record(&mut desk)
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::Flag)
            .count(),
        0
    );
}

#[test]
fn acceptance_needs_every_item_seen_then_anchors_the_log_and_writes_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let c = ManualClock::new("2026-11-22T18:10:00Z".parse().unwrap());
    let mut desk = open(dir.path(), &c);
    night(&mut desk, &c);
    let r = record(&mut desk);
    let mut seen: Vec<String> = r.items.iter().map(|i| i.id.clone()).collect();
    let last = seen.pop().unwrap();
    let accept = |seen: Vec<String>| Request::AcceptHandover {
        from: "李明".into(),
        seen,
        notes: "河口镇火场明早复查".into(),
        lang: Some(Lang::En),
    };
    let refused = desk.handle(&actor("王芳"), accept(seen.clone()));
    assert!(
        matches!(&refused, Response::Error { message, .. } if message.contains(&last)),
        "{refused:?}"
    );
    seen.push(last);
    let head = desk.store().head().clone();
    let Response::Handover { record, file } = desk.handle(&actor("王芳"), accept(seen)) else {
        panic!()
    };
    assert_eq!(record.head, Some((head.seq, head.hash.clone())));
    assert_eq!((record.from.as_str(), record.to.as_str()), ("李明", "王芳"));
    let file = file.unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let md = std::fs::read_to_string(&file).unwrap();
    assert!(md.contains("河口镇火场明早复查"));
    let txt = std::fs::read_to_string(file.with_extension("txt")).unwrap();
    assert!(
        txt.lines()
            .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80),
        "{txt}"
    );
    // The events: shift ended, handover accepted (anchored), shift started.
    let kinds: Vec<&str> = (head.seq + 1..=head.seq + 3)
        .map(|s| desk.store().event(s).unwrap().unwrap().body.kind())
        .collect();
    assert_eq!(kinds, ["shift_ended", "handover_accepted", "shift_started"]);
    assert!(desk.store().verify().unwrap().ok());
    // A past shift is rebuilt from its event, whatever happened since.
    c.advance(chrono::Duration::hours(30));
    let past = Request::Handover {
        shift: Some(record.shift),
        lang: Some(Lang::En),
    };
    let Response::Handover { record: again, .. } = desk.handle(&actor("王芳"), past) else {
        panic!()
    };
    assert_eq!(again.items, record.items);
    assert_eq!(again.head, record.head);
}

#[test]
fn a_rewritten_and_rechained_history_is_caught_by_the_handover_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let c = ManualClock::new("2026-11-22T18:10:00Z".parse().unwrap());
    let mut desk = open(dir.path(), &c);
    assert!(matches!(
        desk.handle(&actor("李明"), Request::SignIn),
        Response::Recorded { .. }
    ));
    let started = |d: &Desk, seq: u64| d.store().event(seq).unwrap().unwrap().body.kind();
    assert_eq!(
        started(&desk, 2),
        "shift_started",
        "the first sign-in of the shift"
    );
    assert!(
        matches!(desk.handle(&actor("李明"), Request::SignIn), Response::Recorded { seqs } if seqs.len() == 1)
    );
    night(&mut desk, &c);
    let seen = record(&mut desk).items.into_iter().map(|i| i.id).collect();
    let anchored = desk.store().head().seq;
    let req = Request::AcceptHandover {
        from: "李明".into(),
        seen,
        notes: String::new(),
        lang: None,
    };
    assert!(matches!(
        desk.handle(&actor("王芳"), req),
        Response::Handover { .. }
    ));
    assert!(matches!(
        desk.handle(&actor("王芳"), Request::SignIn),
        Response::Recorded { .. }
    ));
    drop(desk);
    let path = dir.path().join(dutydesk::store::JOURNAL);
    assert!(dutydesk::store::verify_journal(&path, true).unwrap().ok());
    // Rewrite the sign-in (event 3, after the shift's start), then recompute every hash after it.
    let text = std::fs::read_to_string(&path).unwrap();
    let mut prev = dutydesk::domain::GENESIS_HASH.to_string();
    let mut out = String::new();
    for line in text.lines() {
        let mut e: Event = serde_json::from_str(line).unwrap();
        if e.seq == 3 {
            assert!(matches!(e.body, EventBody::SignedIn { .. }));
            e.body = EventBody::SignedIn {
                officer: "张伟".into(),
            };
        }
        let e = Event::seal(e.seq, e.at, &e.officer, &e.os_user, e.body, &prev);
        prev = e.hash.clone();
        out.push_str(&e.to_line());
        out.push('\n');
    }
    std::fs::write(&path, out).unwrap();
    let v = dutydesk::store::verify_journal(&path, true).unwrap();
    assert_eq!(v.chain_break, None, "the chain itself was recomputed");
    let b = v.anchor_break.clone().expect("the anchor catches it");
    assert_eq!(b.seq, anchored);
    assert!(b.reason.contains(&format!("#{anchored}")), "{}", b.reason);
    assert!(!v.ok());
    // And through the desk's path: the open itself refuses (the anchor file outside the chain
    // saw the old head), naming the event, and changes nothing.
    let before = std::fs::read(&path).unwrap();
    let refused = Desk::open(
        dir.path(),
        Arc::new(dutydesk::config::defaults()),
        Arc::new(c.clone()),
        OpenOptions::default(),
    );
    match refused {
        Err(e) => assert!(e.to_string().contains("rewritten"), "{e}"),
        Ok(_) => panic!("a re-chained journal was opened"),
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "nothing on disk changed"
    );
}

fn sample() -> dutydesk::domain::handover::HandoverRecord {
    use dutydesk::domain::handover::{HandoverItem, HandoverRecord};
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
    let item = |id: &str, kind, summary: &str| HandoverItem {
        id: id.into(),
        kind,
        incident: "20261122-001".into(),
        summary: summary.into(),
        due: None,
    };
    HandoverRecord {
        shift: chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        from: "李明".into(),
        to: "王芳".into(),
        items: vec![
            item(
                "incident:20261122-001",
                ItemKind::Incident,
                "20261122-001 · 河口镇 · 续报一 · 起火点为河口镇仓库，过火面积约200平方米，一名工人被困后已救出送医",
            ),
            item("flag:20261122-001/R0-1", ItemKind::Flag, "20261122-001 · R0-1 · 含糊 · “据说”"),
            item("notice:20261122-001/N2", ItemKind::Notice, "20261122-001/N2 · 县消防救援大队 · 已送达"),
            item("stale:20261122-001/刘志强", ItemKind::Stale, "20261122-001 · 刘志强 · 地点已变更"),
            HandoverItem {
                due: Some(at("2026-11-23T09:10:00+08:00")),
                ..item("deadline:20261122-001/N2", ItemKind::Deadline, "11-23 09:10 · 20261122-001/N2 · 县消防救援大队")
            },
        ],
        notes: "河口镇火场明早复查。\n县应急局要求 10 时前报送终报。".into(),
        accepted_at: Some(at("2026-11-23T08:31:00+08:00")),
        head: Some((
            412,
            "9f2c4e1b7a3d5f608c1e2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70".into(),
        )),
        checkpoint: None,
    }
}

#[test]
fn the_markdown_record() {
    use dutydesk::rules::handover::print;
    insta::assert_snapshot!("handover_md_zh", print::markdown(&sample(), Lang::Zh));
    insta::assert_snapshot!("handover_md_en", print::markdown(&sample(), Lang::En));
}

#[test]
fn the_a4_text_record_stays_within_80_columns() {
    use dutydesk::rules::handover::print;
    let txt = print::text(&sample(), Lang::Zh);
    for l in txt.lines() {
        assert!(unicode_width::UnicodeWidthStr::width(l) <= 80, "{l}");
    }
    insta::assert_snapshot!("handover_txt_zh", txt);
}

#[test]
fn an_instruction_awaiting_feedback_is_handed_over_until_its_final_answer() {
    use dutydesk::domain::{FeedbackForm, FeedbackKind};
    use dutydesk::service::instructions::InstructionDraft;
    let dir = tempfile::tempdir().unwrap();
    let c = ManualClock::new("2026-11-22T18:10:00Z".parse().unwrap());
    let mut desk = open(dir.path(), &c);
    let draft = InstructionDraft {
        incident: None,
        leader: "王建国".into(),
        received_at: None,
        channel: "phone".into(),
        text: "明早八点前报送全县防汛隐患排查情况".into(),
        arrangement: None,
    };
    let id = match desk.handle(&actor("李明"), Request::RecordInstruction(Box::new(draft))) {
        Response::InstructionDone { id, .. } => id,
        r => panic!("{r:?}"),
    };
    let relay = Request::RelayInstruction {
        id: id.clone(),
        to: vec!["县水利局".into()],
        deadline_minutes: Some(600),
    };
    assert!(!matches!(
        desk.handle(&actor("李明"), relay),
        Response::Error { .. }
    ));
    let items = record(&mut desk).items;
    let it = items
        .iter()
        .find(|i| i.kind == ItemKind::Instruction)
        .expect("the instruction is handed over");
    assert_eq!(it.id, format!("instruction:{id}"));
    assert!(it.summary.contains("县水利局"), "{}", it.summary);
    assert!(it.due.is_some());
    let answer = Request::RecordFeedback {
        id: id.clone(),
        recipient: "县水利局".into(),
        form: FeedbackForm::Written,
        feedback_kind: FeedbackKind::Final,
        text: "已排查完毕，共12处".into(),
        at: None,
    };
    assert!(!matches!(
        desk.handle(&actor("李明"), answer),
        Response::Error { .. }
    ));
    assert!(
        !record(&mut desk)
            .items
            .iter()
            .any(|i| i.kind == ItemKind::Instruction),
        "a completed instruction is not handed over"
    );
}

/// Issue 18, case 8: a handover accepted at 08:02, before the 08:30 shift start, ends the shift:
/// the desk runs the next one at once (status, the leader on duty for routing, sign-in), the
/// accepted shift's record is found by `--shift`, and a restart keeps it so.
#[test]
fn an_early_handover_ends_the_shift() {
    let dir = tempfile::tempdir().unwrap();
    // 08:02 in Shanghai on 11-23: by the clock, still the shift of 11-22.
    let c = ManualClock::new("2026-11-23T00:02:00Z".parse().unwrap());
    let mut desk = open(dir.path(), &c);
    let shift = |d: &mut Desk| match d.handle(&actor("王芳"), Request::Status) {
        Response::Status(s) => s.shift.unwrap(),
        r => panic!("{r:?}"),
    };
    let (d22, d23) = (
        chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
    );
    assert_eq!(shift(&mut desk), d22);
    let r = record(&mut desk);
    assert_eq!(r.shift, d22);
    let seen = r.items.iter().map(|i| i.id.clone()).collect();
    let accept = Request::AcceptHandover {
        from: "李明".into(),
        seen,
        notes: String::new(),
        lang: Some(Lang::En),
    };
    let Response::Handover {
        record: accepted, ..
    } = desk.handle(&actor("王芳"), accept)
    else {
        panic!()
    };
    assert_eq!(accepted.shift, d22);
    assert_eq!(
        shift(&mut desk),
        d23,
        "the accepted handover ended the shift of 11-22"
    );
    let past = Request::Handover {
        shift: Some(d22),
        lang: Some(Lang::En),
    };
    match desk.handle(&actor("王芳"), past) {
        Response::Handover { record, .. } => {
            assert_eq!(record.to, "王芳", "the accepted record, not a fresh one");
            assert!(record.accepted_at.is_some());
        }
        r => panic!("{r:?}"),
    }
    // The notices of a report filed now go to the leader on duty of the new shift.
    let on_duty = dutydesk::config::defaults()
        .leader_on_duty(d23)
        .unwrap()
        .name
        .clone();
    let no = match desk.handle(
        &actor("王芳"),
        Request::AddReport {
            draft: first("城关镇仓库起火", "城关镇"),
        },
    ) {
        Response::Filed { incident, .. } => incident,
        r => panic!("{r:?}"),
    };
    let Response::Proposal(p) = desk.handle(
        &actor("王芳"),
        Request::ProposeNotice {
            incident: no,
            kind: None,
            add: vec![],
            remove: vec![],
            instruction: None,
        },
    ) else {
        panic!()
    };
    assert_eq!(p.recipients[0].name, on_duty);
    drop(desk);
    let mut desk = open(dir.path(), &c);
    assert_eq!(shift(&mut desk), d23, "after a restart too");
}
