//! Model test: random sequences of intake, follow-up, final report, flag resolution, restart and
//! a lost database, run against the real desk and a simple in-memory model; after every step the
//! desk's incident list must equal the model's. `PROPTEST_CASES` sets the number of sequences.

use std::collections::BTreeMap;
use std::sync::Arc;

use dutydesk::clock::ManualClock;
use dutydesk::config;
use dutydesk::domain::{Actor, ReportDraft, ReportKind, ResolutionMethod, ResolutionResult};
use dutydesk::service::{Desk, Request, Response};
use dutydesk::store::{OpenOptions, DB_DIR};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    File(usize),
    FollowUp(usize),
    Final(usize),
    Resolve(usize, usize),
    Restart,
    LoseDatabase,
    Tick(u16),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..6).prop_map(Op::File),
        3 => (0usize..8).prop_map(Op::FollowUp),
        1 => (0usize..8).prop_map(Op::Final),
        3 => (0usize..8, 0usize..6).prop_map(|(i, f)| Op::Resolve(i, f)),
        1 => Just(Op::Restart),
        1 => Just(Op::LoseDatabase),
        2 => (1u16..1500).prop_map(Op::Tick),
    ]
}

const TEXTS: [&str; 6] = [
    "据说城关镇东街一民房起火，十几人被困",
    "县消防救援大队报告：河口镇化工园区储罐泄漏，已控制",
    "网友称石门乡山体滑坡，可能有车辆被埋",
    "A passer-by says about 20 people are trapped, maybe more",
    "城关镇人民政府报告：暴雨致3户房屋倒塌，无人员伤亡",
    "匿名来电：河口镇小学附近有人群聚集",
];

#[derive(Debug, Default, Clone, PartialEq)]
struct ModelIncident {
    reports: u32,
    closed: bool,
    flags: BTreeMap<String, bool>, // id → open
}

fn actor() -> Actor {
    Actor {
        officer: "李明".into(),
        os_user: "model".into(),
    }
}

fn open(dir: &std::path::Path, clock: &ManualClock) -> Desk {
    Desk::open(
        dir,
        Arc::new(config::defaults()),
        Arc::new(clock.clone()),
        OpenOptions::default(),
    )
    .expect("open")
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(chrono::Utc::now());
    let mut desk = Some(open(dir.path(), &clock));
    let mut model: BTreeMap<String, ModelIncident> = BTreeMap::new();
    let numbers = |m: &BTreeMap<String, ModelIncident>| m.keys().cloned().collect::<Vec<_>>();
    for op in ops {
        let d = desk.as_mut().unwrap();
        match &op {
            Op::File(t) => {
                let draft = ReportDraft {
                    summary: TEXTS[*t].into(),
                    ..ReportDraft::default()
                };
                match d.handle(&actor(), Request::AddReport { draft }) {
                    Response::Filed {
                        incident, flags, ..
                    } => {
                        prop_assert!(!model.contains_key(&incident), "number reused: {incident}");
                        let mut m = ModelIncident {
                            reports: 1,
                            ..Default::default()
                        };
                        for f in flags {
                            m.flags.insert(f.id, true);
                        }
                        model.insert(incident, m);
                    }
                    r => prop_assert!(false, "{r:?}"),
                }
            }
            Op::FollowUp(i) | Op::Final(i) => {
                let ns = numbers(&model);
                if ns.is_empty() {
                    continue;
                }
                let n = ns[i % ns.len()].clone();
                let kind = if matches!(op, Op::Final(_)) {
                    ReportKind::Final
                } else {
                    ReportKind::FollowUp
                };
                let draft = ReportDraft {
                    kind,
                    incident: Some(n.clone()),
                    summary: "续报：现场已得到控制，据初步统计受伤约5人".into(),
                    ..ReportDraft::default()
                };
                let m = model.get_mut(&n).unwrap();
                match d.handle(&actor(), Request::AddReport { draft }) {
                    Response::Filed { flags, report, .. } => {
                        prop_assert!(!m.closed, "a report after the final one was accepted");
                        prop_assert_eq!(report, m.reports);
                        m.reports += 1;
                        m.closed = kind == ReportKind::Final;
                        for f in flags {
                            prop_assert!(
                                m.flags.insert(f.id.clone(), true).is_none(),
                                "flag id reused {}",
                                f.id
                            );
                        }
                    }
                    Response::Error { .. } => prop_assert!(m.closed, "refused on an open incident"),
                    r => prop_assert!(false, "{r:?}"),
                }
            }
            Op::Resolve(i, f) => {
                let ns = numbers(&model);
                if ns.is_empty() {
                    continue;
                }
                let n = ns[i % ns.len()].clone();
                let m = model.get_mut(&n).unwrap();
                let ids: Vec<String> = m.flags.keys().cloned().collect();
                let id = if ids.is_empty() {
                    "R0-99".to_string()
                } else {
                    ids[f % ids.len()].clone()
                };
                let req = Request::ResolveFlag {
                    incident: n.clone(),
                    flag: id.clone(),
                    method: ResolutionMethod::CallBack,
                    result: ResolutionResult::Confirmed,
                    note: "回拨确认".into(),
                };
                match d.handle(&actor(), req) {
                    Response::Recorded { .. } => {
                        prop_assert_eq!(
                            m.flags.get(&id),
                            Some(&true),
                            "resolved a flag that was not open"
                        );
                        m.flags.insert(id, false);
                    }
                    Response::Error { .. } => {
                        prop_assert_ne!(
                            m.flags.get(&id),
                            Some(&true),
                            "refused to resolve an open flag"
                        )
                    }
                    r => prop_assert!(false, "{r:?}"),
                }
            }
            Op::Restart => {
                drop(desk.take());
                desk = Some(open(dir.path(), &clock));
            }
            Op::LoseDatabase => {
                drop(desk.take());
                std::fs::remove_dir_all(dir.path().join(DB_DIR)).unwrap();
                desk = Some(open(dir.path(), &clock));
            }
            Op::Tick(minutes) => clock.advance(chrono::Duration::minutes(*minutes as i64)),
        }
        // The desk's view equals the model's after every step.
        let d = desk.as_mut().unwrap();
        let rows = match d.handle(
            &actor(),
            Request::List {
                open_only: false,
                limit: None,
            },
        ) {
            Response::Incidents { rows, .. } => rows,
            r => return Err(TestCaseError::fail(format!("{r:?}"))),
        };
        prop_assert_eq!(rows.len(), model.len(), "after {:?}", op);
        for r in rows {
            let m = model
                .get(&r.number)
                .ok_or_else(|| TestCaseError::fail(format!("unknown {}", r.number)))?;
            prop_assert_eq!(r.reports, m.reports, "{} after {:?}", r.number, op);
            prop_assert_eq!(r.closed, m.closed);
            prop_assert_eq!(
                r.open_flags as usize,
                m.flags.values().filter(|o| **o).count()
            );
        }
    }
    let d = desk.as_ref().unwrap();
    let v = d.store().verify().unwrap();
    prop_assert!(v.ok(), "{:?}", v);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn desk_matches_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        run(ops)?;
    }
}
