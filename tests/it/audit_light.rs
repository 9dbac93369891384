//! The audit's view of a line against the full decode: random logs with every kind the audit
//! reads (and some it ignores), strings with escapes, clocks that step back, a tampered line;
//! the desk's pass (`LogAudit`: the store's serde view of each line) must give exactly the
//! report of the old pass (every line parsed into an `Event`, checked by `ChainCheck::check`).

use std::collections::HashSet;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use dutydesk::config::Config;
use dutydesk::domain::instruction::{ChaseStep, RelayedTo};
use dutydesk::domain::{
    Arrangement, CallOutcome, EscalationStep, Event, EventBody, FeedbackForm, FeedbackKind, Flag,
    FlagKind, Level, QueuedNotice, RecipientKind, Report, ReportDraft, ReportKind, Resolution,
    ResolutionMethod, ResolutionResult, GENESIS_HASH,
};
use dutydesk::rules::audit::{
    self, AuditEvent, AuditReport, GroupBy, IntervalFold, Period, Source,
};
use dutydesk::service::audit::{audit_blocks, LogAudit};
use dutydesk::store::lines::Blocks;
use dutydesk::store::view::AuditLine;
use dutydesk::store::ChainCheck;
use proptest::prelude::*;

type At = DateTime<FixedOffset>;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> Option<&'a T> {
        (!v.is_empty()).then(|| &v[self.below(v.len() as u64) as usize])
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Names with and without JSON escapes: the view borrows only unescaped strings (the others it copies).
const OFFICERS: [&str; 4] = ["李明", "张三", "王\"五\"", "Zhao\\Liu"];
const CATEGORIES: [&str; 4] = ["fire", "traffic", "haz\"mat", "flood"];
const RECIPIENTS: [&str; 4] = ["县消防救援大队", "值班领导", "值班\n领导", "Dept \\A"];

fn flag(id: &str) -> Flag {
    Flag {
        id: id.into(),
        kind: FlagKind::Vague,
        field: "summary".into(),
        cue: Some("据说".into()),
        class: None,
        start: None,
        end: None,
        reason_zh: "传闻".into(),
        reason_en: "hearsay".into(),
        suggest_zh: "回拨\n核实".into(),
        suggest_en: String::new(),
        weight: 60,
    }
}

/// A random log of `n` events, sealed; times mostly move on, sometimes step back. With
/// `escapes`, some officers, categories and recipients (strings the audit reads) need escapes in
/// JSON; skipped strings (summaries, notes…) always have some.
fn random_log(seed: u64, n: usize, escapes: bool) -> Vec<Event> {
    let mut r = Rng(seed | 1);
    let k = if escapes { 4 } else { 2 };
    let (officers, categories) = (&OFFICERS[..k], &CATEGORIES[..k]);
    let mut at: At = DateTime::parse_from_rfc3339("2026-11-20T07:00:00+08:00").unwrap();
    let mut incidents: Vec<String> = vec!["20261119-999".into()]; // never opened
    let mut notices: Vec<String> = vec!["20261119-999/N9".into()];
    let mut instructions: Vec<String> = vec!["PS-20261119-99".into()];
    let recipients = &["应急局", "河口镇", "公安局", "王\"书记\""][..k];
    let mut events: Vec<Event> = Vec::new();
    for _ in 0..n {
        at += Duration::minutes(r.below(90) as i64 - 5);
        let officer = *r.pick(officers).unwrap();
        let minutes = |r: &mut Rng| at + Duration::minutes(r.below(600) as i64 - 60);
        let inc = r.pick(&incidents).unwrap().clone();
        let body = match r.below(20) {
            0..=2 => {
                let no = format!("{}-{:03}", at.format("%Y%m%d"), incidents.len());
                incidents.push(no.clone());
                let received = minutes(&mut r);
                report(&mut r, no, ReportKind::First, received, officer, categories)
            }
            3 | 4 => {
                let kind = *r
                    .pick(&[ReportKind::First, ReportKind::FollowUp, ReportKind::Final])
                    .unwrap();
                let received = minutes(&mut r);
                report(&mut r, inc, kind, received, officer, categories)
            }
            5 | 6 => EventBody::FlagRaised {
                incident: inc,
                report: 0,
                flag: flag(&format!("R0-{}", r.below(3))),
            },
            7 => EventBody::FlagResolved {
                incident: inc,
                flag: format!("R0-{}", r.below(3)),
                resolution: Resolution {
                    method: ResolutionMethod::CallBack,
                    result: ResolutionResult::Confirmed,
                    note: "回拨\"确认\"".into(),
                    by: officer.into(),
                    at: minutes(&mut r),
                },
            },
            8 | 9 => {
                let id = format!("{inc}/N{:03}", notices.len());
                notices.push(id.clone());
                let parent = r.chance(20).then(|| r.pick(&notices).unwrap().clone());
                let kinds = [
                    RecipientKind::Leader,
                    RecipientKind::Department,
                    RecipientKind::Region,
                    RecipientKind::Person,
                ];
                EventBody::NoticeQueued {
                    notice: Box::new(QueuedNotice {
                        id,
                        token: "K7P2-Q9XD".into(),
                        incident: inc,
                        recipient: r.pick(&RECIPIENTS[..k]).unwrap().to_string(),
                        recipient_kind: *r.pick(&kinds).unwrap(),
                        deadline: r.chance(70).then(|| minutes(&mut r)),
                        parent,
                        text: "请\"立即\"回复".into(),
                        ..QueuedNotice::default()
                    }),
                }
            }
            10..=13 => {
                let notice = r.pick(&notices).unwrap().clone();
                match r.below(6) {
                    0 => EventBody::NoticeDelivered {
                        notice,
                        attempt: 1,
                        detail: "200 \"ok\"".into(),
                    },
                    1 => EventBody::NoticeCalled {
                        notice,
                        outcome: *r
                            .pick(&[
                                CallOutcome::Reached,
                                CallOutcome::NoAnswer,
                                CallOutcome::Busy,
                            ])
                            .unwrap(),
                        note: String::new(),
                    },
                    2 => EventBody::NoticeAcknowledged {
                        notice,
                        token: "K7P2-Q9XD".into(),
                        by: "领导".into(),
                        via: "phone".into(),
                        note: String::new(),
                        through: None,
                    },
                    3 => EventBody::NoticeAttempted {
                        notice,
                        dispatch: 1,
                    },
                    4 => EventBody::NoticeFailed {
                        notice,
                        attempt: 2,
                        error: "timeout".into(),
                        retrying: true,
                    },
                    _ => EventBody::NoticeEscalated {
                        notice,
                        step: EscalationStep::Reminded,
                        to: None,
                        sent: None,
                    },
                }
            }
            14 => {
                let id = format!("PS-{}-{:02}", at.format("%Y%m%d"), instructions.len());
                instructions.push(id.clone());
                EventBody::InstructionRecorded {
                    id,
                    incident: r.chance(80).then_some(inc),
                    leader: "县长".into(),
                    received_at: minutes(&mut r),
                    channel: "phone".into(),
                    text: "全力\"搜救\"".into(),
                    arrangement: None,
                }
            }
            15 | 16 => {
                let id = r.pick(&instructions).unwrap().clone();
                if r.chance(50) {
                    let k = 1 + r.below(3) as usize;
                    EventBody::InstructionRelayed {
                        id,
                        recipients: (0..k)
                            .map(|_| RelayedTo {
                                name: (*r.pick(recipients).unwrap()).into(),
                                notice_id: None,
                                deadline: minutes(&mut r),
                            })
                            .collect(),
                    }
                } else {
                    EventBody::InstructionFeedback {
                        id,
                        recipient: (*r.pick(recipients).unwrap()).into(),
                        form: FeedbackForm::Phone,
                        kind: *r
                            .pick(&[FeedbackKind::Progress, FeedbackKind::Final])
                            .unwrap(),
                        text: "已\"到场\"".into(),
                        at: minutes(&mut r),
                    }
                }
            }
            17 => EventBody::InstructionChased {
                id: r.pick(&instructions).unwrap().clone(),
                recipient: "应急局".into(),
                step: ChaseStep::Chased,
                sent: None,
            },
            18 => EventBody::InstructionChanged {
                id: r.pick(&instructions).unwrap().clone(),
                arrangement: Arrangement {
                    time: "16:00".into(),
                    place: "三楼".into(),
                },
            },
            _ => match r.below(4) {
                0 => EventBody::Note {
                    text: "锁\"接管\"".into(),
                },
                1 => EventBody::SessionStarted { pid: 42, tty: None },
                2 => EventBody::SignedIn {
                    officer: officer.into(),
                },
                _ => EventBody::ShiftStarted {
                    shift: at.date_naive(),
                    officers: vec![officer.into()],
                },
            },
        };
        let prev = events
            .last()
            .map_or(GENESIS_HASH.to_string(), |e| e.hash.clone());
        let seq = events.len() as u64 + 1;
        events.push(Event::seal(seq, at, officer, "duty", body, &prev));
    }
    events
}

fn report(
    r: &mut Rng,
    incident: String,
    kind: ReportKind,
    received: At,
    who: &str,
    categories: &[&str],
) -> EventBody {
    let levels = [None, Some(Level::IV), Some(Level::III), Some(Level::I)];
    let draft = ReportDraft {
        kind,
        level: *r.pick(&levels).unwrap(),
        category: r
            .chance(70)
            .then(|| (*r.pick(categories).unwrap()).to_string()),
        summary: "据说河口镇\"仓库\"起火，\n十几人被困".into(),
        ..ReportDraft::default()
    };
    EventBody::ReportFiled {
        incident,
        report: Box::new(Report::from_draft(draft, 0, received, who)),
    }
}

/// The audit the long way: every line parsed into a full `Event`, the chain by `ChainCheck::check`.
fn old_pass(lines: &[String], config: &Config, period: Period, now: At) -> AuditReport {
    let mut fold = IntervalFold::new(config);
    let mut in_period: HashSet<String> = HashSet::new();
    let mut chain: Option<ChainCheck> = None;
    let mut first_break: Option<u64> = None;
    let mut last_in_period = 0u64;
    let mut unreadable = false;
    for (i, line) in lines.iter().enumerate() {
        let seq = i as u64 + 1;
        let event: Option<Event> = serde_json::from_str(line).ok();
        unreadable |= event.is_none();
        if let Some(e) = &event {
            if let EventBody::ReportFiled { incident, report } = &e.body {
                let first = report.kind == ReportKind::First;
                if first && period.contains(fold.shift_of(&report.received_at)) {
                    in_period.insert(incident.clone());
                    chain.get_or_insert_with(|| ChainCheck::after(seq.saturating_sub(1), &e.prev));
                }
            }
            if e.body.incident().is_some_and(|i| in_period.contains(i)) {
                last_in_period = seq;
            }
        }
        if first_break.is_none() {
            if let Some(Err(b)) = chain.as_mut().map(|c| c.check(seq, line)) {
                first_break = Some(b.seq);
            }
        }
        if let Some(e) = &event {
            fold.push(e);
        }
    }
    let source = Source {
        events_read: lines.len() as u64,
        incidents: in_period.len() as u64,
        chain_verified: !unreadable && first_break.is_none_or(|b| b > last_in_period),
    };
    audit::build(
        fold.finish(now),
        period,
        Some(GroupBy::Officer),
        now,
        source,
    )
}

/// The desk's pass, line by line on one thread.
fn new_pass(lines: &[String], config: &Config, period: Period, now: At) -> AuditReport {
    let mut pass = LogAudit::new(config, period);
    for (i, line) in lines.iter().enumerate() {
        pass.feed(i as u64 + 1, line);
    }
    pass.finish(true, now, Some(GroupBy::Officer))
}

/// The desk's pass as `dutydesk audit` runs it: the journal read in blocks of `size` bytes,
/// checked, hashed and decoded by `workers` threads, folded in order.
fn threaded_pass(
    lines: &[String],
    config: &Config,
    period: Period,
    now: At,
    (size, workers): (usize, usize),
) -> AuditReport {
    let text: Vec<u8> = lines
        .iter()
        .flat_map(|l| l.bytes().chain([b'\n']))
        .collect();
    let mut blocks = Blocks::new(std::io::Cursor::new(text), 1, 1, u64::MAX, size);
    let pass = audit_blocks(|b| blocks.fill(b), config, period, workers).unwrap();
    pass.finish(true, now, Some(GroupBy::Officer))
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap() + Duration::days(i64::from(d))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn the_light_audit_is_the_full_audit(
        seed in any::<u64>(),
        n in 1usize..3000,
        escapes in any::<bool>(),
        from in proptest::option::of(0u32..20),
        len in proptest::option::of(0u32..20),
        tamper in proptest::option::of((any::<prop::sample::Index>(), 0u8..7)),
        block in (1usize..20_000, 1usize..4),
    ) {
        let config: Config = toml::from_str(dutydesk::config::DEFAULT_TOML).unwrap();
        let events = random_log(seed, n, escapes);
        let now = events.last().unwrap().at + Duration::hours(3);
        let mut lines: Vec<String> = events.iter().map(Event::to_line).collect();
        // The view reads every line as the full decode does, escapes and all.
        for (line, e) in lines.iter().zip(&events) {
            let view = AuditLine::parse(line.as_bytes());
            prop_assert!(view.is_ok(), "{:?}", view.err());
            if let Ok(v) = view {
                prop_assert_eq!(&v.audit(), &AuditEvent::from(e));
            }
        }
        if let Some((at, how)) = tamper {
            let i = at.index(lines.len());
            match how {
                0 => lines[i] = lines[i].replacen("\"os_user\":\"duty", "\"os_user\":\"dutz", 1),
                1 => lines[i] = lines[i].replacen("\"kind\":\"", "\"kind\":\"x", 1),
                2 => lines[i] = format!("{}}}", lines[i]),
                // A line removed, or two swapped: their sequence numbers are out of place.
                3 => {
                    lines.remove(i);
                }
                4 => {
                    let j = (i + 1).min(lines.len() - 1);
                    lines.swap(i, j);
                }
                // A line changed and sealed again: its own hash holds; the next line's link
                // does not.
                5 => {
                    let e = &events[i];
                    let resealed = Event::seal(e.seq, e.at, &e.officer, "dutz", e.body.clone(), &e.prev);
                    lines[i] = resealed.to_line();
                }
                // Every line after this one sealed again, linking past it to the one before.
                _ => {
                    if let Some(before) = i.checked_sub(1) {
                        relink(&events, &mut lines, i + 1, &events[before].hash);
                    }
                }
            }
            prop_assume!(!lines.is_empty());
        }
        let period = Period { from: from.map(day), to: len.zip(from).map(|(l, f)| day(f + l)) };
        let old = old_pass(&lines, &config, period, now);
        prop_assert_eq!(&new_pass(&lines, &config, period, now), &old);
        prop_assert_eq!(&threaded_pass(&lines, &config, period, now, block), &old);
    }
}

#[test]
fn the_random_log_has_the_kinds_and_escapes() {
    let events = random_log(7, 2000, true);
    let kinds: HashSet<&str> = events.iter().map(|e| e.body.kind()).collect();
    assert_eq!(kinds.len(), 23 - 4, "{kinds:?}"); // no store_created, session_ended,
                                                  // shift_ended, handover_accepted
                                                  // Two officers of four and two categories of four need escapes: the view reads them too.
    let lines: Vec<String> = events.iter().map(Event::to_line).collect();
    let escaped = lines.iter().filter(|l| l.contains('\\')).count();
    assert!(escaped > 2000 / 10, "{escaped}");
    let read = lines
        .iter()
        .filter(|l| AuditLine::parse(l.as_bytes()).is_ok())
        .count();
    assert_eq!(read, 2000);
}

#[test]
fn a_read_error_stops_the_audit_without_hanging() {
    let config: Config = toml::from_str(dutydesk::config::DEFAULT_TOML).unwrap();
    let lines: Vec<String> = random_log(11, 500, false)
        .iter()
        .map(Event::to_line)
        .collect();
    let text: Vec<u8> = lines
        .iter()
        .flat_map(|l| l.bytes().chain([b'\n']))
        .collect();
    for workers in 1..4 {
        for fail_at in [0, 1, 5] {
            let mut blocks = Blocks::new(std::io::Cursor::new(text.clone()), 1, 1, u64::MAX, 2000);
            let mut calls = 0;
            let fill = |b: &mut Vec<u8>| {
                calls += 1;
                if calls > fail_at {
                    return Err("the disk went away");
                }
                Ok(blocks.fill(b).unwrap())
            };
            let r = audit_blocks(fill, &config, Period::default(), workers);
            assert_eq!(r.err(), Some("the disk went away"), "{workers} {fail_at}");
        }
    }
}

/// Lines `from..` sealed again, the first linking to `prev`: a chain rewritten from there on.
fn relink(events: &[Event], lines: &mut [String], from: usize, prev: &str) {
    let mut prev = prev.to_string();
    for (e, line) in events.iter().zip(lines.iter_mut()).skip(from) {
        let resealed = Event::seal(e.seq, e.at, &e.officer, &e.os_user, e.body.clone(), &prev);
        *line = resealed.to_line();
        prev = resealed.hash;
    }
}

#[test]
fn a_chain_rewritten_to_link_past_a_line_breaks_there_in_every_block_layout() {
    let config: Config = toml::from_str(dutydesk::config::DEFAULT_TOML).unwrap();
    let events = random_log(3, 400, false);
    let now = events.last().unwrap().at + Duration::hours(3);
    let mut lines: Vec<String> = events.iter().map(Event::to_line).collect();
    relink(&events, &mut lines, 301, &events[299].hash);
    let old = old_pass(&lines, &config, Period::default(), now);
    assert!(!old.chain_verified);
    for size in [1, 700, 2_000, 5_000, 20_000, 1 << 20] {
        for workers in 1..=3 {
            let new = threaded_pass(&lines, &config, Period::default(), now, (size, workers));
            assert_eq!(new, old, "blocks of {size} bytes, {workers} workers");
        }
    }
}
