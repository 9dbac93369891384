//! The board's page: `Request::List` with a limit returns the newest incidents and every older
//! one still open or with an open flag (the attention index), and `list --open` and the
//! handover read only that index. A database made before the index is indexed on open.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use dutydesk::clock::ManualClock;
use dutydesk::config;
use dutydesk::domain::{Actor, ReportDraft, ReportKind, ResolutionMethod, ResolutionResult};
use dutydesk::service::{Desk, IncidentRow, Request, Response};
use dutydesk::store::{OpenOptions, DB_DIR};

fn actor() -> Actor {
    Actor {
        officer: "李明".into(),
        os_user: "tester".into(),
    }
}

fn desk(dir: &std::path::Path, clock: &ManualClock) -> Desk {
    Desk::open(
        dir,
        Arc::new(config::defaults()),
        Arc::new(clock.clone()),
        OpenOptions::default(),
    )
    .expect("open desk")
}

fn filed(r: Response) -> String {
    match r {
        Response::Filed { incident, .. } => incident,
        r => panic!("{r:?}"),
    }
}

fn list(d: &mut Desk, open_only: bool, limit: Option<usize>) -> (Vec<IncidentRow>, usize) {
    match d.handle(&actor(), Request::List { open_only, limit }) {
        Response::Incidents { rows, total } => (rows, total),
        r => panic!("{r:?}"),
    }
}

fn show_flags(d: &mut Desk, no: &str) -> Vec<String> {
    match d.handle(
        &actor(),
        Request::Show {
            incident: no.into(),
        },
    ) {
        Response::Incident { incident, .. } => {
            incident.open_flags().map(|f| f.flag.id.clone()).collect()
        }
        r => panic!("{r:?}"),
    }
}

/// Files `n` incidents over two days; for each, by its index: closed with a final report
/// (i % 3 == 0), then its flags resolved (i % 2 == 0). So some are closed and clean, some closed with a
/// flag still open, some open.
fn night(d: &mut Desk, clock: &ManualClock, start: DateTime<Utc>, n: usize) -> Vec<String> {
    let mut numbers = Vec::new();
    for i in 0..n {
        clock.set(start + Duration::minutes(150 * i as i64));
        let draft = ReportDraft {
            summary: format!("据说城关镇第{i}处民房起火，十几人被困"),
            location: Some("城关镇".into()),
            category: Some("fire".into()),
            ..ReportDraft::default()
        };
        let no = filed(d.handle(&actor(), Request::AddReport { draft }));
        if i % 3 == 0 {
            let draft = ReportDraft {
                kind: ReportKind::Final,
                incident: Some(no.clone()),
                summary: "火已扑灭，无人员伤亡。".into(),
                ..ReportDraft::default()
            };
            filed(d.handle(&actor(), Request::AddReport { draft }));
        }
        if i % 2 == 0 {
            for flag in show_flags(d, &no) {
                let r = d.handle(
                    &actor(),
                    Request::ResolveFlag {
                        incident: no.clone(),
                        flag,
                        method: ResolutionMethod::CallBack,
                        result: ResolutionResult::Confirmed,
                        note: String::new(),
                    },
                );
                assert!(matches!(r, Response::Recorded { .. }), "{r:?}");
            }
        }
        numbers.push(no);
    }
    numbers
}

fn needs_attention(r: &IncidentRow) -> bool {
    !r.closed || r.open_flags > 0
}

/// The page a limit must give, computed from the full list.
fn expected_page(full: &[IncidentRow], limit: usize) -> Vec<IncidentRow> {
    let mut page: Vec<IncidentRow> = full.iter().take(limit).cloned().collect();
    page.extend(
        full.iter()
            .skip(limit)
            .filter(|r| needs_attention(r))
            .cloned(),
    );
    page
}

fn check_pages(d: &mut Desk, n: usize) {
    let (full, total) = list(d, false, None);
    assert_eq!(full.len(), n);
    assert_eq!(total, n);
    // The night has every kind of row, so the cases below can fail.
    assert!(full.iter().any(|r| r.closed && r.open_flags > 0));
    assert!(full.iter().any(|r| r.closed && r.open_flags == 0));
    assert!(full.iter().any(|r| !r.closed));
    for limit in [0, 1, 3, 5, 8, n - 1, n, n + 10] {
        let (page, total) = list(d, false, Some(limit));
        assert_eq!(total, n, "limit {limit}");
        assert_eq!(page, expected_page(&full, limit), "limit {limit}");
    }
    let (open, _) = list(d, true, None);
    let want: Vec<IncidentRow> = full.iter().filter(|r| !r.closed).cloned().collect();
    assert_eq!(open, want);
}

#[test]
fn a_page_holds_the_newest_and_every_older_incident_needing_attention() {
    let dir = tempfile::tempdir().unwrap();
    let start = DateTime::parse_from_rfc3339("2026-11-20T00:10:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let clock = ManualClock::new(start);
    let mut d = desk(dir.path(), &clock);
    let numbers = night(&mut d, &clock, start, 14);
    check_pages(&mut d, numbers.len());

    // A flag resolved on an old closed incident takes it off the page; a follow-up on an old
    // open one keeps it.
    let (full, _) = list(&mut d, false, None);
    let old = full
        .iter()
        .skip(5)
        .find(|r| r.closed && r.open_flags > 0)
        .expect("an old closed incident with an open flag")
        .number
        .clone();
    for flag in show_flags(&mut d, &old) {
        let r = d.handle(
            &actor(),
            Request::ResolveFlag {
                incident: old.clone(),
                flag,
                method: ResolutionMethod::CallBack,
                result: ResolutionResult::Confirmed,
                note: String::new(),
            },
        );
        assert!(matches!(r, Response::Recorded { .. }), "{r:?}");
    }
    let (page, _) = list(&mut d, false, Some(5));
    assert!(!page.iter().any(|r| r.number == old), "{old} still paged");
    check_pages(&mut d, numbers.len());
}

#[test]
fn a_database_made_before_the_index_is_indexed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let start = DateTime::parse_from_rfc3339("2026-11-20T00:10:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let clock = ManualClock::new(start);
    let mut d = desk(dir.path(), &clock);
    let numbers = night(&mut d, &clock, start, 10);
    let (before, _) = list(&mut d, false, Some(3));
    drop(d);
    // Remove the index as an older dutydesk would have left the database.
    {
        let db = sled::open(dir.path().join(DB_DIR)).unwrap();
        let meta = db.open_tree("meta").unwrap();
        let keys: Vec<_> = meta
            .scan_prefix("att")
            .map(|r| r.unwrap().0)
            .collect::<Vec<_>>();
        assert!(keys.len() > 1, "the index was there: {keys:?}");
        for k in keys {
            meta.remove(k).unwrap();
        }
        db.flush().unwrap();
    }
    let mut d = desk(dir.path(), &clock);
    let (after, _) = list(&mut d, false, Some(3));
    assert_eq!(after, before);
    check_pages(&mut d, numbers.len());
    let r = d.handle(&actor(), Request::Verify);
    assert!(
        matches!(&r, Response::Verified(v) if v.ok()),
        "verify after indexing: {r:?}"
    );
}

#[test]
fn verify_catches_an_index_that_lost_an_entry() {
    let dir = tempfile::tempdir().unwrap();
    let start = DateTime::parse_from_rfc3339("2026-11-20T00:10:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let clock = ManualClock::new(start);
    let mut d = desk(dir.path(), &clock);
    night(&mut d, &clock, start, 4);
    drop(d);
    {
        let db = sled::open(dir.path().join(DB_DIR)).unwrap();
        let meta = db.open_tree("meta").unwrap();
        let key = meta.scan_prefix("att/").next().unwrap().unwrap().0;
        meta.remove(key).unwrap();
        db.flush().unwrap();
    }
    let mut d = desk(dir.path(), &clock);
    match d.handle(&actor(), Request::Verify) {
        Response::Verified(v) => {
            let m = v.projection_mismatch.unwrap_or_default();
            assert!(m.contains("attention index"), "{m}");
        }
        r => panic!("{r:?}"),
    }
}

/// The tick and the pending list read the live-notice index: a notice leaves it once it is
/// both acknowledged and no longer owed a send, and verify checks the index against a replay.
#[test]
fn acknowledged_delivered_notices_leave_the_live_index() {
    use dutydesk::domain::CallOutcome;
    let dir = tempfile::tempdir().unwrap();
    let start = DateTime::parse_from_rfc3339("2026-11-20T00:10:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let clock = ManualClock::new(start);
    let mut d = desk(dir.path(), &clock);
    let numbers = night(&mut d, &clock, start, 3);
    let mut queued = Vec::new();
    for no in &numbers {
        let req = Request::SendNotice {
            incident: no.clone(),
            kind: None,
            recipients: vec!["刘志强".into(), "县消防救援大队".into()],
            instruction: None,
        };
        match d.handle(&actor(), req) {
            Response::Queued { notices, .. } => queued.extend(notices),
            r => panic!("{r:?}"),
        }
    }
    assert_eq!(queued.len(), 6);
    let pending = |d: &mut Desk| -> Vec<String> {
        match d.handle(
            &actor(),
            Request::Notices {
                incident: None,
                pending_only: true,
            },
        ) {
            Response::Notices { rows } => rows.into_iter().map(|n| n.q.id).collect(),
            r => panic!("{r:?}"),
        }
    };
    let mut all: Vec<String> = queued.iter().map(|n| n.id.clone()).collect();
    all.sort();
    assert_eq!(pending(&mut d), all);
    // The leader is called (phone): reached, then acknowledged → off the index.
    let leader = queued
        .iter()
        .find(|n| n.recipient == "刘志强")
        .expect("a notice to the leader")
        .clone();
    let r = d.handle(
        &actor(),
        Request::RecordCall {
            notice: leader.id.clone(),
            outcome: CallOutcome::Reached,
            note: String::new(),
        },
    );
    assert!(matches!(r, Response::Recorded { .. }), "{r:?}");
    let r = d.handle(
        &actor(),
        Request::Acknowledge {
            token: leader.token.clone(),
            by: None,
            via: "phone".into(),
            note: String::new(),
        },
    );
    assert!(matches!(r, Response::Recorded { .. }), "{r:?}");
    let left: Vec<String> = all.iter().filter(|i| **i != leader.id).cloned().collect();
    assert_eq!(pending(&mut d), left);
    let live_keys = |dir: &std::path::Path| -> Vec<String> {
        let db = sled::open(dir.join(DB_DIR)).unwrap();
        let meta = db.open_tree("meta").unwrap();
        meta.scan_prefix("live/")
            .map(|r| String::from_utf8(r.unwrap().0.to_vec()).unwrap())
            .collect()
    };
    drop(d);
    let keys = live_keys(dir.path());
    assert!(!keys.contains(&format!("live/{}", leader.id)), "{keys:?}");
    assert_eq!(keys.len(), left.len(), "{keys:?}");
    let mut d = desk(dir.path(), &clock);
    match d.handle(&actor(), Request::Verify) {
        Response::Verified(v) => assert!(v.ok(), "{v:?}"),
        r => panic!("{r:?}"),
    }
    drop(d);
    // An index that lost an entry is caught.
    {
        let db = sled::open(dir.path().join(DB_DIR)).unwrap();
        db.open_tree("meta")
            .unwrap()
            .remove(format!("live/{}", left[0]))
            .unwrap();
        db.flush().unwrap();
    }
    let mut d = desk(dir.path(), &clock);
    match d.handle(&actor(), Request::Verify) {
        Response::Verified(v) => {
            let m = v.projection_mismatch.unwrap_or_default();
            assert!(m.contains("live-notice index"), "{m}");
        }
        r => panic!("{r:?}"),
    }
}
