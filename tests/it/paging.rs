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

/// A desk on a fresh data folder, its clock at the start of the test night.
fn fresh() -> (tempfile::TempDir, DateTime<Utc>, ManualClock, Desk) {
    let dir = tempfile::tempdir().unwrap();
    let start = DateTime::parse_from_rfc3339("2026-11-20T00:10:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let clock = ManualClock::new(start);
    let d = desk(dir.path(), &clock);
    (dir, start, clock, d)
}

fn verify(d: &mut Desk) -> dutydesk::store::VerifyReport {
    match d.handle(&actor(), Request::Verify) {
        Response::Verified(v) => v,
        r => panic!("{r:?}"),
    }
}

/// Changes the meta tree of a closed store's database directly (as a bug or an older dutydesk
/// could have left it).
fn edit_meta(dir: &std::path::Path, edit: impl FnOnce(&sled::Db, &sled::Tree)) {
    let db = crate::common::open_sled(dir.join(DB_DIR)).unwrap();
    let meta = db.open_tree("meta").unwrap();
    edit(&db, &meta);
    db.flush().unwrap();
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
    let (_dir, start, clock, mut d) = fresh();
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
    let (dir, start, clock, mut d) = fresh();
    let numbers = night(&mut d, &clock, start, 10);
    let (before, _) = list(&mut d, false, Some(3));
    drop(d);
    // Remove the index as an older dutydesk would have left the database.
    edit_meta(dir.path(), |_, meta| {
        let keys: Vec<_> = meta.scan_prefix("att").map(|r| r.unwrap().0).collect();
        assert!(keys.len() > 1, "the index was there: {keys:?}");
        for k in keys {
            meta.remove(k).unwrap();
        }
    });
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
    let (dir, start, clock, mut d) = fresh();
    night(&mut d, &clock, start, 4);
    drop(d);
    edit_meta(dir.path(), |_, meta| {
        let key = meta.scan_prefix("att/").next().unwrap().unwrap().0;
        meta.remove(key).unwrap();
    });
    let mut d = desk(dir.path(), &clock);
    let m = verify(&mut d).projection_mismatch.unwrap_or_default();
    assert!(m.contains("attention index"), "{m}");
}

/// The tick and the pending list read the live-notice index: a notice leaves it once it is
/// both acknowledged and no longer owed a send, and verify checks the index against a replay.
#[test]
fn acknowledged_delivered_notices_leave_the_live_index() {
    use dutydesk::domain::CallOutcome;
    let (dir, start, clock, mut d) = fresh();
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
            // Sorted by how late (the list's order); compared here as a set.
            Response::Notices { rows } => {
                let mut ids: Vec<String> = rows.into_iter().map(|n| n.q.id).collect();
                ids.sort();
                ids
            }
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
        let db = crate::common::open_sled(dir.join(DB_DIR)).unwrap();
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
    let v = verify(&mut d);
    assert!(v.ok(), "{v:?}");
    drop(d);
    // An index that lost an entry is caught.
    edit_meta(dir.path(), |_, meta| {
        meta.remove(format!("live/{}", left[0])).unwrap();
    });
    let mut d = desk(dir.path(), &clock);
    let m = verify(&mut d).projection_mismatch.unwrap_or_default();
    assert!(m.contains("live-notice index"), "{m}");
}

/// Event lines are read from the journal through a sparse index (every 64th offset): every
/// incident's timeline, the log newest-first and oldest-first, and a reopened store read the
/// right lines across many index strides; a wrong index entry is caught by verify.
#[test]
fn events_are_read_from_the_journal_through_the_line_index() {
    let (dir, start, clock, mut d) = fresh();
    let numbers = night(&mut d, &clock, start, 40);
    let check = |d: &mut Desk| {
        let head = match d.handle(&actor(), Request::Status) {
            Response::Status(s) => s.head_seq,
            r => panic!("{r:?}"),
        };
        assert!(head > 200, "several strides of the index: {head}");
        for no in &numbers {
            let Response::Incident {
                incident, timeline, ..
            } = d.handle(
                &actor(),
                Request::Show {
                    incident: no.clone(),
                },
            )
            else {
                panic!()
            };
            let seqs: Vec<u64> = timeline.iter().map(|e| e.seq).collect();
            assert_eq!(seqs, incident.events, "{no}");
            assert!(timeline
                .iter()
                .all(|e| e.body.incident() == Some(no.as_str())));
        }
        let log = |d: &mut Desk, after_seq, limit| match d.handle(
            &actor(),
            Request::Log {
                since: None,
                after_seq,
                limit,
            },
        ) {
            Response::Events { events } => events.iter().map(|e| e.seq).collect::<Vec<u64>>(),
            r => panic!("{r:?}"),
        };
        assert_eq!(log(d, None, None), (1..=head).collect::<Vec<_>>());
        assert_eq!(log(d, Some(100), None), (101..=head).collect::<Vec<_>>());
        assert_eq!(
            log(d, None, Some(70)),
            (head - 69..=head).collect::<Vec<_>>()
        );
        assert_eq!(
            log(d, Some(head - 5), Some(70)),
            (head - 4..=head).collect::<Vec<_>>()
        );
    };
    check(&mut d);
    drop(d);
    let mut d = desk(dir.path(), &clock);
    check(&mut d);
    let v = verify(&mut d);
    assert!(v.ok(), "{v:?}");
    drop(d);
    // Point one index entry (event 65) at the line of event 66.
    {
        let journal = std::fs::read_to_string(dir.path().join("journal.jsonl")).unwrap();
        let off66: usize = journal.lines().take(65).map(|l| l.len() + 1).sum();
        let mut key = b"eo/".to_vec();
        key.extend_from_slice(&65u64.to_be_bytes());
        edit_meta(dir.path(), |_, meta| {
            assert!(meta.get(&key).unwrap().is_some(), "event 65 is indexed");
            meta.insert(key, &(off66 as u64).to_be_bytes()).unwrap();
        });
    }
    let mut d = desk(dir.path(), &clock);
    let m = verify(&mut d).projection_mismatch.unwrap_or_default();
    assert!(m.contains("line index") && m.contains("65"), "{m}");
}

/// A database from before the line index kept a copy of every line in an `events` tree: on
/// open the index is built from the journal and the copy dropped; nothing is lost.
#[test]
fn a_database_with_a_copy_of_every_line_is_indexed_and_slimmed() {
    let (dir, start, clock, mut d) = fresh();
    let numbers = night(&mut d, &clock, start, 20);
    let (before, _) = list(&mut d, false, None);
    drop(d);
    let journal = std::fs::read_to_string(dir.path().join("journal.jsonl")).unwrap();
    edit_meta(dir.path(), |db, meta| {
        let keys: Vec<_> = meta.scan_prefix("eo").map(|r| r.unwrap().0).collect();
        assert!(keys.len() > 2, "{keys:?}");
        for k in keys {
            meta.remove(k).unwrap();
        }
        let events = db.open_tree("events").unwrap();
        for (i, line) in journal.lines().enumerate() {
            events
                .insert((i as u64 + 1).to_be_bytes(), line.as_bytes())
                .unwrap();
        }
    });
    let mut d = desk(dir.path(), &clock);
    let notes = &d.store().open_notes;
    assert!(notes.iter().any(|n| n.contains("slimmed")), "{notes:?}");
    let (after, _) = list(&mut d, false, None);
    assert_eq!(after, before);
    let Response::Incident { timeline, .. } = d.handle(
        &actor(),
        Request::Show {
            incident: numbers[19].clone(),
        },
    ) else {
        panic!()
    };
    assert!(!timeline.is_empty());
    let v = verify(&mut d);
    assert!(v.ok(), "{v:?}");
    drop(d);
    let db = crate::common::open_sled(dir.path().join(DB_DIR)).unwrap();
    assert!(
        !db.tree_names().iter().any(|n| n.as_ref() == b"events"),
        "the copy of every line is dropped"
    );
}
