//! `dutydesk audit` end to end: the real binary on a temp data folder, in three formats.

use crate::common;

use common::{stderr, stdout, Sandbox};

fn report_json(received_at: &str, summary: &str) -> String {
    format!(
        r#"{{"summary":"{summary}","received_at":"{received_at}","category":"fire","level":"III","location":"河口镇","reporter":{{"name":"王某","unit":"群众"}}}}"#
    )
}

#[test]
fn the_cli_audits_a_data_folder_in_three_formats() {
    let sb = Sandbox::new();
    let run = |now: &str, officer: &str, args: &[&str], stdin: Option<&str>| {
        let mut c = sb.cmd();
        c.env("DUTYDESK_NOW", now)
            .args(["--officer", officer])
            .args(args);
        c.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        if stdin.is_some() {
            c.stdin(std::process::Stdio::piped());
        }
        let mut child = c.spawn().unwrap();
        if let Some(s) = stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        child.wait_with_output().unwrap()
    };
    let r1 = report_json(
        "2026-11-22T23:00:00+08:00",
        "据说河口镇仓库起火，十几人被困",
    );
    let o = run(
        "2026-11-22T23:02:00+08:00",
        "张三",
        &["report", "add", "-"],
        Some(&r1),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let inc = stdout(&o).trim().to_string();
    let show = run(
        "2026-11-22T23:03:00+08:00",
        "张三",
        &["show", &inc, "--format", "json"],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let flags: Vec<String> = v["incident"]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["flag"]["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!flags.is_empty(), "hearsay and a vague number raise flags");
    for f in &flags {
        let args = [
            "resolve",
            &inc,
            f,
            "--method",
            "call_back",
            "--result",
            "confirmed",
        ];
        let o = run("2026-11-22T23:47:00+08:00", "张三", &args, None);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let audit = |args: &[&str]| {
        let mut a = vec!["--lang", "en", "audit"];
        a.extend_from_slice(args);
        run("2026-11-23T08:00:00+08:00", "张三", &a, None)
    };
    let o = audit(&["--format", "json", "--by", "officer"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["chain_verified"], true);
    assert_eq!(v["incidents"], 1);
    let flags = v["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "received_to_flags_resolved")
        .unwrap()
        .clone();
    assert_eq!(flags["count"], 1);
    // DUTYDESK_NOW starts a clock that runs on: allow for process start-up in each figure.
    let secs = |x: &serde_json::Value| x.as_u64().unwrap();
    let max = secs(&flags["max_s"]);
    assert!(
        (47 * 60..47 * 60 + 5).contains(&max),
        "received 23:00, resolved 23:47: {max}"
    );
    let breach = v["breaches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["stage"] == "received_to_flags_resolved")
        .unwrap()
        .clone();
    let over = secs(&breach["over_s"]);
    assert!(
        (15 * 60 - 5..=15 * 60).contains(&over),
        "limit: filed 23:02 + 30 min: {over}"
    );
    assert_eq!(v["groups"][0]["group"], "张三");
    let o = audit(&["--by", "shift"]);
    let text = stdout(&o);
    // Nobody told the leader at all: that, not the 47 minutes of checking, is the slowest stage.
    assert!(
        text.contains("we are slowest at received → leader told: p90 9 h, 0% within the limit."),
        "{text}"
    );
    assert!(text.contains("47m"), "{text}");
    assert!(
        text.contains("2026-11-22") && text.contains("hash chain verified"),
        "{text}"
    );
    let o = audit(&[
        "--format",
        "csv",
        "--from",
        "2026-11-22",
        "--to",
        "2026-11-22",
    ]);
    assert!(o.stdout.starts_with(b"\xEF\xBB\xBF"));
    assert!(stdout(&o).contains("received_to_flags_resolved"));
    // An empty period, a reversed one, a bad grouping.
    let o = audit(&["--format", "json", "--from", "2026-12-01"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["incidents"].as_u64(), v["slowest"].is_null()),
        (Some(0), true)
    );
    let o = audit(&["--from", "2026-11-23", "--to", "2026-11-22"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = audit(&["--by", "weather"]);
    assert_eq!(o.status.code(), Some(2));
}

/// With no console running, the audit reads the journal alone: it needs no database (a
/// folder whose `db` was removed is audited the same, and no `db` is made again), removes an
/// unfinished last line as an open does, and, while another process holds the folder, says
/// who does and reads nothing.
#[test]
fn the_cli_audit_reads_the_journal_alone() {
    let sb = Sandbox::new();
    let at = "2026-11-22T23:00:00+08:00";
    let o = sb.run(
        &["--officer", "张三", "report", "add", "-"],
        Some(&report_json(at, "河口镇仓库起火")),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let audit = || {
        let o = sb.run(&["audit", "--format", "json"], None);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (
            v["incidents"].as_u64(),
            v["events_read"].as_u64(),
            v["chain_verified"].as_bool(),
        )
    };
    let before = audit();
    assert_eq!((before.0, before.2), (Some(1), Some(true)), "{before:?}");
    std::fs::remove_dir_all(sb.data().join("db")).unwrap();
    let journal = sb.data().join("journal.jsonl");
    let whole = std::fs::read(&journal).unwrap();
    let mut torn = whole.clone();
    torn.extend_from_slice(br#"{"seq":99,"at":"2026-11-"#);
    std::fs::write(&journal, &torn).unwrap();
    assert_eq!(audit(), before);
    assert!(!sb.data().join("db").exists(), "the audit opened sled");
    assert_eq!(std::fs::read(&journal).unwrap(), whole, "torn line removed");
    // Another process holds the folder.
    let held = dutydesk::store::Store::open(
        &sb.data(),
        dutydesk::store::OpenOptions {
            purpose: "test holder".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let o = sb.run(&["audit"], None);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("test holder"), "{}", stderr(&o));
    drop(held);
    assert_eq!(audit(), before);
}

/// The demo night is worked as an office works one: every incident but the newest reported to
/// the leader within minutes and the units notified, most 回执 in, the older reports' flags
/// checked, the leader's instructions on the serious ones relayed and answered; so the audit
/// of the demo has a night to measure, on a sound chain. A second run adds nothing.
#[test]
fn the_demo_night_is_worked_and_the_audit_measures_it() {
    let sb = Sandbox::new();
    let run = |args: &[&str]| {
        let mut c = sb.cmd();
        c.env("DUTYDESK_NOW", "2026-11-23T06:00:00+08:00")
            .env_remove("DUTYDESK_OFFICER")
            .args(args);
        let o = c.output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        o
    };
    let o = run(&["demo", "--no-console"]);
    assert!(stdout(&o).contains("24"), "{}", stdout(&o));
    let v: serde_json::Value =
        serde_json::from_slice(&run(&["audit", "--format", "json"]).stdout).unwrap();
    assert_eq!(
        (v["incidents"].as_u64(), v["chain_verified"].as_bool()),
        (Some(24), Some(true))
    );
    let stage = |key: &str| {
        v["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == key)
            .unwrap()
            .clone()
    };
    let n = |s: &serde_json::Value, k: &str| s[k].as_u64().unwrap();
    let leader = stage("received_to_leader_reported");
    assert_eq!(n(&leader, "count"), 24);
    assert!(n(&leader, "open") <= 1, "{leader}");
    assert!(n(&leader, "max_s") <= 10 * 60, "{leader}");
    let acks = stage("notice_sent_to_acknowledged");
    assert!(
        n(&acks, "count") > 48 && n(&acks, "open") < n(&acks, "count") / 4,
        "{acks}"
    );
    let flags = stage("received_to_flags_resolved");
    assert!(n(&flags, "open") < n(&flags, "count") / 2, "{flags}");
    // The leader's instructions on the serious incidents, relayed and answered.
    for key in ["instruction_to_relayed", "relayed_to_final_feedback"] {
        let s = stage(key);
        assert!(n(&s, "count") > 0 && n(&s, "open") == 0, "{s}");
    }
    let all = stage("received_to_all_notified");
    assert!(
        n(&all, "max_s") <= 15 * 60,
        "later notices do not stretch it: {all}"
    );
    assert!(!v["breaches"].as_array().unwrap().is_empty());
    assert!(stdout(&run(&["verify"])).contains("intact"));
    // Recorded by the officer of the shift that is on at 06:00: the one that began the day
    // before (the roster's, as sign-in offers it).
    let config: dutydesk::config::Config = toml::from_str(dutydesk::config::DEFAULT_TOML).unwrap();
    let on_duty = config.officers_on_duty("2026-11-22".parse().unwrap());
    let by: serde_json::Value =
        serde_json::from_slice(&run(&["audit", "--by", "officer", "--format", "json"]).stdout)
            .unwrap();
    let officers: std::collections::BTreeSet<&str> = by["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    assert_eq!(
        officers.into_iter().collect::<Vec<_>>(),
        [on_duty[0].as_str()]
    );
    let again = run(&["demo", "--no-console"]);
    assert!(!stdout(&again).contains("24"), "{}", stdout(&again));
    let v2: serde_json::Value =
        serde_json::from_slice(&run(&["audit", "--format", "json"]).stdout).unwrap();
    assert_eq!(v2["events_read"], v["events_read"]);
}
