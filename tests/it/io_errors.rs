//! I/O errors: the N-th journal write or sync fails, N = 1, 2, … until the intake completes,
//! once and persistently. Nothing is acknowledged that is not durable, nothing panics, and the
//! store goes on (or recovers) without a restart. The fault plan holds for this test's thread.

use std::sync::Arc;

use dutydesk::clock::SystemClock;
use dutydesk::config;
use dutydesk::domain::{Actor, ReportDraft};
use dutydesk::service::{Desk, Request, Response};
use dutydesk::store::journal::{inject_faults, FaultPlan};
use dutydesk::store::OpenOptions;

fn actor() -> Actor {
    Actor {
        officer: "张华".into(),
        os_user: "tester".into(),
    }
}

fn intake(d: &mut Desk, text: &str) -> Response {
    let draft = ReportDraft {
        summary: text.into(),
        location: Some("石门乡".into()),
        ..ReportDraft::default()
    };
    d.handle(&actor(), Request::AddReport { draft })
}

fn open(dir: &std::path::Path) -> Desk {
    Desk::open(
        dir,
        Arc::new(config::defaults()),
        Arc::new(SystemClock),
        OpenOptions::default(),
    )
    .expect("open")
}

#[test]
fn nth_write_fails_once_and_persistently() {
    let mut panics = 0;
    let mut false_acks = 0;
    let mut runs = 0;
    for persistent in [false, true] {
        let mut n = 1;
        loop {
            runs += 1;
            let dir = tempfile::tempdir().unwrap();
            let mut d = open(dir.path());
            let before = d.store().head().seq;
            inject_faults(Some(FaultPlan {
                fail_at: n,
                persistent,
            }));
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                intake(&mut d, &format!("故障注入 N={n}"))
            }));
            inject_faults(None);
            let Ok(r) = r else {
                panics += 1;
                break;
            };
            let completed = matches!(r, Response::Filed { .. });
            match &r {
                Response::Filed { .. } => {}
                Response::Error { message, .. } => {
                    assert!(
                        message.contains("write journal"),
                        "a clear message: {message}"
                    );
                    assert_eq!(d.store().head().seq, before, "nothing half-written");
                }
                other => panic!("{other:?}"),
            }
            // Without a restart, the next intake works.
            assert!(matches!(intake(&mut d, "恢复后"), Response::Filed { .. }));
            let expect_seq = d.store().head().seq;
            drop(d);
            // Whatever was acknowledged is there after a reopen; nothing else is.
            let d = open(dir.path());
            if d.store().head().seq != expect_seq {
                false_acks += 1;
            }
            let v = d.store().verify().unwrap();
            assert!(v.ok(), "{v:?}");
            if completed {
                break;
            }
            n += 1;
            assert!(n < 50, "the intake never completed");
        }
        println!(
            "I/O error at write N (persistent: {persistent}): the intake completed at N = {n}"
        );
    }
    println!("I/O errors: {runs} runs, panics {panics}, saved-but-not-durable {false_acks}");
    assert_eq!(panics, 0);
    assert_eq!(false_acks, 0);
}
