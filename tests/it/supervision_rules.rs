//! Supervision rules (督办) on a set clock: table-driven stages and countdowns, deadlines across
//! midnight and across a DST change (America/New_York), reminders before and chases after the
//! feedback deadline.

use chrono::{DateTime, FixedOffset, Utc};
use dutydesk::clock::Zone;
use dutydesk::config::Instructions;
use dutydesk::domain::instruction::{ChaseStep, Feedback, Recipient};
use dutydesk::domain::{FeedbackForm, FeedbackKind, Instruction};
use dutydesk::rules::supervision::{self, Stage};

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    at(s).with_timezone(&Utc)
}

fn fb(kind: FeedbackKind) -> Feedback {
    Feedback {
        form: FeedbackForm::Phone,
        kind,
        text: "x".into(),
        at: at("2026-11-23T10:00:00+08:00"),
    }
}

fn recipient(deadline: &str, feedback: Vec<Feedback>) -> Recipient {
    Recipient {
        name: "县应急管理局".into(),
        notice_id: Some("N1".into()),
        deadline: at(deadline),
        relayed_at: at("2026-11-23T09:00:00+08:00"),
        version: 1,
        feedback,
        chases: Vec::new(),
    }
}

fn instruction(r: Recipient) -> Instruction {
    Instruction {
        id: "PS-20261123-01".into(),
        incident: None,
        leader: "王建国".into(),
        received_at: at("2026-11-23T08:50:00+08:00"),
        channel: "phone".into(),
        text: "立即核实，两小时内报告".into(),
        arrangement: None,
        version: 1,
        changes: Vec::new(),
        recipients: vec![r],
        events: vec![1],
    }
}

#[test]
fn stages_and_overdue() {
    use FeedbackKind::*;
    let d = "2026-11-23T11:00:00+08:00";
    // (acked, feedback, now, stage, overdue, countdown)
    type Row<'a> = (bool, Vec<FeedbackKind>, &'a str, Stage, bool, &'a str);
    let rows: Vec<Row> = vec![
        (
            false,
            vec![],
            "2026-11-23T10:00:00+08:00",
            Stage::AwaitingAck,
            false,
            "1:00",
        ),
        (
            true,
            vec![],
            "2026-11-23T10:45:00+08:00",
            Stage::Acknowledged,
            false,
            "0:15",
        ),
        (
            false,
            vec![Progress],
            "2026-11-23T10:59:00+08:00",
            Stage::Progress,
            false,
            "0:01",
        ),
        (
            true,
            vec![Progress],
            "2026-11-23T11:20:00+08:00",
            Stage::Progress,
            true,
            "-0:20",
        ),
        (
            false,
            vec![],
            "2026-11-23T11:00:00+08:00",
            Stage::AwaitingAck,
            true,
            "0:00",
        ),
        (
            true,
            vec![Progress, Final],
            "2026-11-23T13:30:00+08:00",
            Stage::Completed,
            false,
            "-2:30",
        ),
    ];
    for (i, (acked, kinds, now, stage, overdue, cd)) in rows.into_iter().enumerate() {
        let r = recipient(d, kinds.into_iter().map(fb).collect());
        let ins = instruction(r.clone());
        let s = supervision::status(&ins, &r, acked, utc(now));
        assert_eq!(s.stage, stage, "row {i}");
        assert_eq!(s.overdue, overdue, "row {i}");
        assert_eq!(supervision::countdown(s.remaining_secs), cd, "row {i}");
    }
}

#[test]
fn deadlines_across_midnight_and_dst() {
    let sh = Zone::parse("Asia/Shanghai").unwrap();
    let ny = Zone::parse("America/New_York").unwrap();
    // (zone, relayed at, minutes, deadline as shown)
    let rows = [
        (
            sh,
            "2026-11-23T23:10:00+08:00",
            120,
            "2026-11-24T01:10:00+08:00",
        ),
        (
            sh,
            "2026-12-31T23:30:00+08:00",
            45,
            "2027-01-01T00:15:00+08:00",
        ),
        // DST ends 2026-11-01 02:00 EDT: two hours after 01:30 EDT is 02:30 EST.
        (
            ny,
            "2026-11-01T01:30:00-04:00",
            120,
            "2026-11-01T02:30:00-05:00",
        ),
        // DST starts 2026-03-08 02:00 EST: an hour after 01:30 EST is 03:30 EDT.
        (
            ny,
            "2026-03-08T01:30:00-05:00",
            60,
            "2026-03-08T03:30:00-04:00",
        ),
    ];
    for (zone, from, minutes, want) in rows {
        let d = supervision::deadline(utc(from), minutes, zone);
        assert_eq!(d.to_rfc3339(), want, "{from} + {minutes}");
        assert_eq!(d.offset(), at(want).offset());
        assert_eq!(
            (d.with_timezone(&Utc) - utc(from)).num_minutes(),
            i64::from(minutes)
        );
    }
    // Overdue is decided on the instant, not the wall clock: at 01:45 EST (after the fall-back
    // hour) a deadline of 01:30 EST is past, even though 01:45 EDT came earlier.
    let r = recipient("2026-11-01T01:30:00-05:00", vec![]);
    let ins = instruction(r.clone());
    let before = supervision::status(&ins, &r, false, utc("2026-11-01T01:45:00-04:00"));
    assert!(!before.overdue);
    assert_eq!(supervision::countdown(before.remaining_secs), "0:45");
    let after = supervision::status(&ins, &r, false, utc("2026-11-01T01:45:00-05:00"));
    assert!(after.overdue);
}

#[test]
fn reminders_and_chases() {
    let cfg = Instructions::default();
    let d = "2026-11-23T11:00:00+08:00";
    // (chases already recorded (step, at), now, due)
    type Row<'a> = (Vec<(ChaseStep, &'a str)>, &'a str, Option<ChaseStep>);
    let rows: Vec<Row> = vec![
        (vec![], "2026-11-23T10:44:00+08:00", None),
        (
            vec![],
            "2026-11-23T10:45:00+08:00",
            Some(ChaseStep::Reminded),
        ),
        (
            vec![(ChaseStep::Reminded, "2026-11-23T10:45:00+08:00")],
            "2026-11-23T10:50:00+08:00",
            None,
        ),
        (
            vec![(ChaseStep::Reminded, "2026-11-23T10:45:00+08:00")],
            "2026-11-23T11:00:00+08:00",
            Some(ChaseStep::Chased),
        ),
        (
            vec![(ChaseStep::Chased, "2026-11-23T11:00:00+08:00")],
            "2026-11-23T11:29:00+08:00",
            None,
        ),
        (
            vec![(ChaseStep::Chased, "2026-11-23T11:00:00+08:00")],
            "2026-11-23T11:30:00+08:00",
            Some(ChaseStep::Chased),
        ),
        // A chase recorded before the last relay does not count.
        (
            vec![(ChaseStep::Chased, "2026-11-23T08:00:00+08:00")],
            "2026-11-23T11:01:00+08:00",
            Some(ChaseStep::Chased),
        ),
    ];
    for (i, (chases, now, want)) in rows.into_iter().enumerate() {
        let mut r = recipient(d, vec![]);
        r.chases = chases.into_iter().map(|(s, t)| (s, at(t))).collect();
        let got = supervision::due(&instruction(r), &cfg, utc(now));
        assert_eq!(got.first().map(|(_, s)| *s), want, "row {i}");
    }
    let done = recipient(d, vec![fb(FeedbackKind::Final)]);
    assert!(
        supervision::due(&instruction(done), &cfg, utc("2026-11-23T12:00:00+08:00")).is_empty()
    );
}
