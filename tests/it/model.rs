//! Model test: random sequences of intake, follow-up, final report, flag resolution, notices
//! (proposed, sent, acknowledged), leaders' instructions (recorded, relayed, answered), shift
//! handovers, clean restarts, crashes (no clean close, a stale lock left behind, sometimes a torn
//! last journal line) and a lost database, run against the real desk and a simple in-memory
//! model. After every step the desk's incidents, notices (with their acknowledgements) and
//! instructions (with who was asked and who answered finally) must equal the model's; at every
//! handover its items must be exactly the model's open matters. `PROPTEST_CASES` sets the number
//! of sequences.

use std::collections::BTreeMap;
use std::sync::Arc;

use dutydesk::clock::ManualClock;
use dutydesk::config;
use dutydesk::domain::handover::ItemKind;
use dutydesk::domain::{
    Actor, FeedbackForm, FeedbackKind, ReportDraft, ReportKind, ResolutionMethod, ResolutionResult,
};
use dutydesk::service::instructions::InstructionDraft;
use dutydesk::service::{Desk, Request, Response};
use dutydesk::store::{OpenOptions, DB_DIR};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    File(usize),
    FollowUp(usize),
    Final(usize),
    Resolve(usize, usize),
    /// Propose, then send a notice about an incident to a subset of the directory.
    Notify(usize, u8),
    /// Acknowledge a notice (one already acknowledged must be refused).
    Ack(usize),
    /// A token nobody was given.
    AckUnknown,
    /// Record a leader's instruction, about an incident or standalone.
    Instruct(Option<usize>),
    /// Relay an instruction to a subset of the directory.
    Relay(usize, u8),
    /// A recipient's feedback: progress or final.
    Feedback(usize, usize, bool),
    /// The shift handover: compare the items, then the incoming officer accepts.
    Handover,
    Restart,
    /// No clean close: the lock file still names the dead holder; maybe a torn last line.
    Crash(bool),
    LoseDatabase,
    Tick(u16),
}

/// Names from the directory that notices and instructions go to.
const DIRECTORY: [&str; 4] = [
    "县应急管理局",
    "县消防救援大队",
    "县公安局指挥中心",
    "城关镇人民政府",
];

fn names(mask: u8) -> Vec<String> {
    let mask = if mask % 16 == 0 { 1 } else { mask % 16 };
    DIRECTORY
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, n)| n.to_string())
        .collect()
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..6).prop_map(Op::File),
        3 => (0usize..8).prop_map(Op::FollowUp),
        1 => (0usize..8).prop_map(Op::Final),
        3 => (0usize..8, 0usize..6).prop_map(|(i, f)| Op::Resolve(i, f)),
        3 => (0usize..8, any::<u8>()).prop_map(|(i, m)| Op::Notify(i, m)),
        3 => (0usize..16).prop_map(Op::Ack),
        1 => Just(Op::AckUnknown),
        2 => proptest::option::of(0usize..8).prop_map(Op::Instruct),
        2 => (0usize..8, any::<u8>()).prop_map(|(i, m)| Op::Relay(i, m)),
        3 => (0usize..8, 0usize..4, any::<bool>()).prop_map(|(i, r, f)| Op::Feedback(i, r, f)),
        1 => Just(Op::Handover),
        1 => Just(Op::Restart),
        1 => any::<bool>().prop_map(Op::Crash),
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

#[derive(Debug, Clone, PartialEq)]
struct ModelNotice {
    recipient: String,
    token: String,
    acked: bool,
    /// A notice of facts (not a relayed instruction): a newer one to the same recipient
    /// supersedes it.
    facts: bool,
    /// Superseded.
    closed: bool,
}

impl ModelNotice {
    fn open(&self) -> bool {
        !self.acked && !self.closed
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
struct ModelInstruction {
    incident: Option<String>,
    recipients: BTreeMap<String, bool>, // name → final answer given
    relayed: BTreeMap<String, String>,  // name → the latest 批示传达 notice to them
}

#[derive(Debug, Default)]
struct Model {
    incidents: BTreeMap<String, ModelIncident>,
    notices: BTreeMap<String, ModelNotice>, // id → notice
    instructions: BTreeMap<String, ModelInstruction>,
    handovers: usize,
    /// The officer on duty: handovers alternate between two.
    officer: usize,
}

const OFFICERS: [&str; 2] = ["李明", "王芳"];

impl Model {
    fn actor(&self) -> Actor {
        Actor {
            officer: OFFICERS[self.officer].into(),
            os_user: "model".into(),
        }
    }

    /// The handover items of the kinds the model follows: open incidents, their open flags and
    /// unacknowledged notices, instructions still owed a final answer.
    fn handover_items(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (no, m) in self.incidents.iter().filter(|(_, m)| !m.closed) {
            out.push(format!("incident:{no}"));
            for (f, _) in m.flags.iter().filter(|(_, open)| **open) {
                out.push(format!("flag:{no}/{f}"));
            }
            for (id, _) in self
                .notices
                .iter()
                .filter(|(id, n)| n.open() && id.starts_with(&format!("{no}/")))
            {
                out.push(format!("notice:{id}"));
            }
        }
        for (id, i) in &self.instructions {
            if i.recipients.is_empty() || i.recipients.values().any(|f| !f) {
                out.push(format!("instruction:{id}"));
            }
        }
        out.sort();
        out
    }
}

/// What the sequences did, over all cases: steps by kind, and refusals the model predicted.
static STATS: std::sync::Mutex<BTreeMap<String, usize>> = std::sync::Mutex::new(BTreeMap::new());

fn count(what: &str) {
    *STATS.lock().unwrap().entry(what.to_string()).or_default() += 1;
}

fn pick<'a>(keys: impl Iterator<Item = &'a String>, i: usize) -> Option<String> {
    let v: Vec<&String> = keys.collect();
    (!v.is_empty()).then(|| v[i % v.len()].clone())
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

/// The desk's notices of their own (the chases are steps of their lives, and the model's
/// invariants check them): id → (recipient, token, acknowledged, facts, superseded).
fn desk_notices(
    d: &mut Desk,
    actor: &Actor,
) -> Result<BTreeMap<String, ModelNotice>, TestCaseError> {
    let req = Request::Notices {
        incident: None,
        pending_only: false,
    };
    match d.handle(actor, req) {
        Response::Notices { rows } => Ok(rows
            .into_iter()
            .filter(|n| !n.q.kind.is_step())
            .map(|n| {
                let acked = n.ack.is_some();
                (
                    n.q.id,
                    ModelNotice {
                        recipient: n.q.recipient,
                        token: n.q.token,
                        acked,
                        facts: n.q.kind.carries_facts(),
                        closed: n.closed.is_some(),
                    },
                )
            })
            .collect()),
        r => Err(TestCaseError::fail(format!("{r:?}"))),
    }
}

/// No chase outlives its notice: every reminder or escalation still going chases at least one
/// notice that is still open.
fn every_chase_has_a_live_notice(d: &mut Desk, actor: &Actor) -> Result<(), TestCaseError> {
    let req = Request::Notices {
        incident: None,
        pending_only: false,
    };
    let rows = match d.handle(actor, req) {
        Response::Notices { rows } => rows,
        r => return Err(TestCaseError::fail(format!("{r:?}"))),
    };
    let by_id: BTreeMap<&str, &dutydesk::domain::Notice> =
        rows.iter().map(|n| (n.q.id.as_str(), n)).collect();
    for s in rows.iter().filter(|n| n.q.kind.is_step() && !n.is_ended()) {
        let chased = s.q.chases();
        prop_assert!(
            chased
                .iter()
                .any(|c| by_id.get(c).is_some_and(|n| n.is_open())),
            "{} chases only ended notices {:?}",
            s.q.id,
            chased
        );
    }
    Ok(())
}

/// A recipient who received version N of the facts is never listed as stale for N.
fn nobody_stale_for_what_they_hold<'a>(
    d: &mut Desk,
    actor: &Actor,
    incidents: impl Iterator<Item = &'a String>,
) -> Result<(), TestCaseError> {
    for no in incidents {
        let req = Request::Show {
            incident: no.clone(),
        };
        let (incident, notices, stale) = match d.handle(actor, req) {
            Response::Incident {
                incident,
                notices,
                stale,
                ..
            } => (incident, notices, stale),
            r => return Err(TestCaseError::fail(format!("{r:?}"))),
        };
        let latest = incident.latest().seq_in_incident;
        for s in &stale {
            prop_assert!(
                s.holds < latest,
                "{} stale while holding the latest",
                s.name
            );
            let holds_latest = notices.iter().any(|n| {
                n.q.recipient == s.name
                    && n.q.kind.carries_facts()
                    && n.q.version == latest
                    && n.state != dutydesk::domain::NoticeState::Failed
            });
            prop_assert!(
                !holds_latest,
                "{} was sent report {} yet is stale",
                s.name,
                latest
            );
        }
    }
    Ok(())
}

/// Takes in the notices a relay created: exactly one per recipient named, about its incident.
fn take_new_notices(
    d: &mut Desk,
    model: &mut Model,
    incident: &str,
    told: &[String],
) -> Result<Vec<(String, String)>, TestCaseError> {
    let actor = model.actor();
    let all = desk_notices(d, &actor)?;
    let mut new: Vec<(String, ModelNotice)> = all
        .into_iter()
        .filter(|(id, _)| !model.notices.contains_key(id))
        .collect();
    let mut who: Vec<&str> = new.iter().map(|(_, n)| n.recipient.as_str()).collect();
    who.sort();
    let mut want: Vec<&str> = told.iter().map(String::as_str).collect();
    want.sort();
    prop_assert_eq!(who, want, "the relay's notices");
    let mut taken = Vec::new();
    for (id, n) in new.drain(..) {
        prop_assert!(
            id.starts_with(&format!("{incident}/")),
            "{} is not about {}",
            id,
            incident
        );
        prop_assert!(!n.acked);
        taken.push((id.clone(), n.recipient.clone()));
        model.notices.insert(id, n);
    }
    Ok(taken)
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(chrono::Utc::now());
    let mut desk = Some(open(dir.path(), &clock));
    let mut all = Model::default();
    for op in ops {
        let actor = all.actor();
        let model = &mut all.incidents;
        let numbers = |m: &BTreeMap<String, ModelIncident>| m.keys().cloned().collect::<Vec<_>>();
        let d = desk.as_mut().unwrap();
        match &op {
            Op::File(t) => {
                let draft = ReportDraft {
                    summary: TEXTS[*t].into(),
                    ..ReportDraft::default()
                };
                match d.handle(&actor, Request::AddReport { draft }) {
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
                let ns = numbers(model);
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
                match d.handle(&actor, Request::AddReport { draft }) {
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
                    Response::Error { .. } => {
                        count("refused: report after the final one");
                        prop_assert!(m.closed, "refused on an open incident")
                    }
                    r => prop_assert!(false, "{r:?}"),
                }
            }
            Op::Resolve(i, f) => {
                let ns = numbers(model);
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
                match d.handle(&actor, req) {
                    Response::Recorded { .. } => {
                        prop_assert_eq!(
                            m.flags.get(&id),
                            Some(&true),
                            "resolved a flag that was not open"
                        );
                        m.flags.insert(id, false);
                    }
                    Response::Error { .. } => {
                        count("refused: flag not open");
                        prop_assert_ne!(
                            m.flags.get(&id),
                            Some(&true),
                            "refused to resolve an open flag"
                        )
                    }
                    r => prop_assert!(false, "{r:?}"),
                }
            }
            Op::Notify(i, mask) => {
                let Some(n) = pick(model.keys(), *i) else {
                    continue;
                };
                // A proposal writes nothing.
                let head = d.store().head().seq;
                let propose = Request::ProposeNotice {
                    incident: n.clone(),
                    kind: None,
                    add: Vec::new(),
                    remove: Vec::new(),
                    instruction: None,
                };
                match d.handle(&actor, propose) {
                    Response::Proposal(p) => prop_assert_eq!(&p.incident, &n),
                    r => prop_assert!(false, "propose: {r:?}"),
                }
                prop_assert_eq!(d.store().head().seq, head, "a proposal wrote to the log");
                let to = names(*mask);
                let send = Request::SendNotice {
                    incident: n.clone(),
                    kind: None,
                    recipients: to.clone(),
                    instruction: None,
                };
                match d.handle(&actor, send) {
                    Response::Queued { notices, .. } => {
                        let mut who: Vec<String> =
                            notices.iter().map(|q| q.recipient.clone()).collect();
                        who.sort();
                        let mut want = to.clone();
                        want.sort();
                        prop_assert_eq!(who, want);
                        // The key-holder rule's other half: each recipient's open notice of
                        // older facts is superseded by the new one.
                        for q in &notices {
                            for (id, m) in all.notices.iter_mut() {
                                if id.starts_with(&format!("{n}/"))
                                    && m.facts
                                    && m.open()
                                    && m.recipient == q.recipient
                                {
                                    m.closed = true;
                                }
                            }
                        }
                        for q in notices {
                            prop_assert!(q.id.starts_with(&format!("{n}/")), "{}", q.id);
                            let fresh = all.notices.insert(
                                q.id.clone(),
                                ModelNotice {
                                    recipient: q.recipient,
                                    token: q.token,
                                    acked: false,
                                    facts: true,
                                    closed: false,
                                },
                            );
                            prop_assert!(fresh.is_none(), "notice id reused: {}", q.id);
                        }
                    }
                    r => prop_assert!(false, "send: {r:?}"),
                }
            }
            Op::Ack(i) => {
                let Some(id) = pick(all.notices.keys(), *i) else {
                    continue;
                };
                let n = all.notices.get_mut(&id).unwrap();
                let req = Request::Acknowledge {
                    token: n.token.clone(),
                    by: None,
                    via: "phone".into(),
                    note: "已收到".into(),
                };
                match d.handle(&actor, req) {
                    Response::Recorded { .. } => {
                        prop_assert!(!n.acked, "{} acknowledged twice", id);
                        prop_assert!(!n.closed, "{} acknowledged after it was superseded", id);
                        n.acked = true;
                    }
                    Response::Error { .. } => {
                        count("refused: acknowledged twice or superseded");
                        prop_assert!(!n.open(), "ack of {} refused", id)
                    }
                    r => prop_assert!(false, "{r:?}"),
                }
            }
            Op::AckUnknown => {
                let req = Request::Acknowledge {
                    token: "ZZZZ-ZZZZ".into(),
                    by: None,
                    via: String::new(),
                    note: String::new(),
                };
                let r = d.handle(&actor, req);
                prop_assert!(matches!(r, Response::Error { .. }), "{r:?}");
            }
            Op::Instruct(i) => {
                let incident = i.and_then(|i| pick(model.keys(), i));
                let draft = InstructionDraft {
                    incident: incident.clone(),
                    leader: "王建国".into(),
                    received_at: None,
                    channel: "phone".into(),
                    text: "请立即核实情况，两小时内反馈".into(),
                    arrangement: None,
                };
                match d.handle(&actor, Request::RecordInstruction(Box::new(draft))) {
                    Response::InstructionDone { id, told, .. } => {
                        prop_assert!(told.is_empty());
                        let fresh = all.instructions.insert(
                            id.clone(),
                            ModelInstruction {
                                incident,
                                ..Default::default()
                            },
                        );
                        prop_assert!(fresh.is_none(), "instruction id reused: {}", id);
                    }
                    r => prop_assert!(false, "{r:?}"),
                }
            }
            Op::Relay(i, mask) => {
                let Some(id) = pick(all.instructions.keys(), *i) else {
                    continue;
                };
                let to = names(*mask);
                let req = Request::RelayInstruction {
                    id: id.clone(),
                    to: to.clone(),
                    deadline_minutes: Some(120),
                };
                match d.handle(&actor, req) {
                    Response::InstructionDone { told, .. } => {
                        prop_assert_eq!(&told, &to);
                        let ins = all.instructions.get_mut(&id).unwrap();
                        for t in &to {
                            // Asked again: the answers already given stand.
                            ins.recipients.entry(t.clone()).or_insert(false);
                        }
                        if let Some(no) = ins.incident.clone() {
                            for (nid, who) in take_new_notices(d, &mut all, &no, &to)? {
                                let ins = all.instructions.get_mut(&id).unwrap();
                                ins.relayed.insert(who, nid);
                            }
                        }
                    }
                    r => prop_assert!(false, "{r:?}"),
                }
            }
            Op::Feedback(i, r, last) => {
                let Some(id) = pick(all.instructions.keys(), *i) else {
                    continue;
                };
                let who = DIRECTORY[*r].to_string();
                let req = Request::RecordFeedback {
                    id: id.clone(),
                    recipient: who.clone(),
                    form: FeedbackForm::Phone,
                    feedback_kind: if *last {
                        FeedbackKind::Final
                    } else {
                        FeedbackKind::Progress
                    },
                    text: "已到场处置".into(),
                    at: None,
                };
                let ins = all.instructions.get_mut(&id).unwrap();
                let state = ins.recipients.get(&who).copied();
                match d.handle(&actor, req) {
                    Response::InstructionDone { .. } => {
                        prop_assert_eq!(state, Some(false), "feedback accepted from {}", who);
                        // Feedback answers the latest relay notice to them.
                        if let Some(n) = ins
                            .relayed
                            .get(&who)
                            .and_then(|nid| all.notices.get_mut(nid))
                        {
                            if n.open() {
                                n.acked = true;
                            }
                        }
                        if *last {
                            ins.recipients.insert(who, true);
                        }
                    }
                    Response::Error { .. } => {
                        count("refused: feedback from one not asked or already final");
                        prop_assert_ne!(state, Some(false), "feedback refused from {}", who)
                    }
                    r => prop_assert!(false, "{r:?}"),
                }
            }
            Op::Handover => {
                let req = Request::Handover {
                    shift: None,
                    lang: None,
                };
                let record = match d.handle(&actor, req) {
                    Response::Handover { record, .. } => record,
                    r => return Err(TestCaseError::fail(format!("{r:?}"))),
                };
                let followed = [
                    ItemKind::Incident,
                    ItemKind::Flag,
                    ItemKind::Notice,
                    ItemKind::Instruction,
                ];
                let mut got: Vec<String> = record
                    .items
                    .iter()
                    .filter(|i| followed.contains(&i.kind))
                    .map(|i| i.id.clone())
                    .collect();
                got.sort();
                prop_assert_eq!(got, all.handover_items(), "handover items");
                let incoming = Model {
                    officer: 1 - all.officer,
                    ..Model::default()
                }
                .actor();
                let accept = Request::AcceptHandover {
                    from: actor.officer.clone(),
                    seen: record.items.iter().map(|i| i.id.clone()).collect(),
                    notes: "交接完毕".into(),
                    lang: None,
                };
                match d.handle(&incoming, accept) {
                    Response::Handover { record, file } => {
                        prop_assert_eq!(&record.to, &incoming.officer);
                        prop_assert!(file.is_some_and(|f| f.is_file()));
                        all.handovers += 1;
                        all.officer = 1 - all.officer;
                    }
                    r => prop_assert!(false, "accept: {r:?}"),
                }
            }
            Op::Restart => {
                drop(desk.take());
                desk = Some(open(dir.path(), &clock));
            }
            Op::Crash(torn) => {
                // What a killed process leaves: the lock file still naming it (the kernel has
                // released the flock), and perhaps half of a line it was writing.
                let lock = dir.path().join("dutydesk.lock");
                let holder = std::fs::read(&lock).unwrap();
                prop_assert!(!holder.is_empty(), "the lock file names its holder");
                drop(desk.take());
                std::fs::write(&lock, &holder).unwrap();
                if *torn {
                    use std::io::Write;
                    let mut j = std::fs::OpenOptions::new()
                        .append(true)
                        .open(dir.path().join("journal.jsonl"))
                        .unwrap();
                    j.write_all(b"{\"seq\":999999,\"at\":\"2026-11-2").unwrap();
                }
                let d = open(dir.path(), &clock);
                let repaired = d
                    .store()
                    .open_notes
                    .iter()
                    .any(|n| n.contains("unfinished last journal line"));
                prop_assert_eq!(repaired, *torn, "{:?}", d.store().open_notes);
                desk = Some(d);
            }
            Op::LoseDatabase => {
                drop(desk.take());
                std::fs::remove_dir_all(dir.path().join(DB_DIR)).unwrap();
                desk = Some(open(dir.path(), &clock));
            }
            Op::Tick(minutes) => {
                clock.advance(chrono::Duration::minutes(*minutes as i64));
                // The desk's once-a-second work: reminders and escalations fall due.
                match desk.as_mut().unwrap().handle(&all.actor(), Request::Tick) {
                    Response::Ticked(t) => {
                        if !t.followed_up.is_empty() {
                            count("chases sent");
                        }
                    }
                    r => prop_assert!(false, "tick: {r:?}"),
                }
            }
        }
        // The desk's view equals the model's after every step.
        count(&format!(
            "step: {}",
            format!("{op:?}").split('(').next().unwrap_or("")
        ));
        let d = desk.as_mut().unwrap();
        let actor = all.actor();
        let model = &all.incidents;
        let rows = match d.handle(
            &actor,
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
        prop_assert_eq!(
            &desk_notices(d, &actor)?,
            &all.notices,
            "notices after {:?}",
            op
        );
        let pending = Request::Notices {
            incident: None,
            pending_only: true,
        };
        match d.handle(&actor, pending) {
            Response::Notices { rows } => {
                prop_assert_eq!(
                    rows.len(),
                    all.notices.values().filter(|n| n.open()).count()
                );
                // Pending rows are live notices, never more.
                let live: std::collections::BTreeSet<String> = d
                    .store()
                    .db()
                    .live_notices()
                    .map(|n| n.map(|n| n.q.id))
                    .collect::<Result<_, _>>()
                    .map_err(|e| TestCaseError::fail(format!("{e}")))?;
                for r in &rows {
                    prop_assert!(live.contains(&r.q.id), "pending {} is not live", r.q.id);
                }
            }
            r => prop_assert!(false, "{r:?}"),
        }
        every_chase_has_a_live_notice(d, &actor)?;
        nobody_stale_for_what_they_hold(d, &actor, model.keys())?;
        let req = Request::Instructions {
            open_only: false,
            overdue_only: false,
        };
        let got: BTreeMap<String, ModelInstruction> = match d.handle(&actor, req) {
            Response::Instructions { rows, .. } => rows
                .into_iter()
                .map(|i| {
                    let recipients = i
                        .recipients
                        .iter()
                        .map(|r| (r.name.clone(), r.final_answer().is_some()))
                        .collect();
                    (
                        i.id,
                        ModelInstruction {
                            incident: i.incident,
                            recipients,
                            relayed: i
                                .recipients
                                .iter()
                                .filter_map(|r| Some((r.name.clone(), r.notice_id.clone()?)))
                                .collect(),
                        },
                    )
                })
                .collect(),
            r => return Err(TestCaseError::fail(format!("{r:?}"))),
        };
        prop_assert_eq!(&got, &all.instructions, "instructions after {:?}", op);
        let journal = std::fs::read_to_string(dir.path().join("journal.jsonl")).unwrap();
        prop_assert_eq!(
            journal.matches("\"kind\":\"handover_accepted\"").count(),
            all.handovers
        );
    }
    let d = desk.as_ref().unwrap();
    let v = d.store().verify().unwrap();
    prop_assert!(v.ok(), "{:?}", v);
    Ok(())
}

#[test]
fn desk_matches_the_model() {
    // PROPTEST_CASES raises the number of sequences (40 by default: about 20 s in debug).
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let result = runner.run(&proptest::collection::vec(op(), 1..60), run);
    let stats = STATS.lock().unwrap().clone();
    let steps: usize = stats
        .iter()
        .filter(|(k, _)| k.starts_with("step"))
        .map(|(_, n)| n)
        .sum();
    println!("model test: {cases} sequences, {steps} steps compared with the model");
    for (k, n) in &stats {
        println!("  {k}: {n}");
    }
    if let Err(e) = result {
        panic!("counterexample: {e}");
    }
    println!("counterexamples: 0");
}
