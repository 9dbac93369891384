//! The real binary: exit codes, messages, and the same output through the socket and direct.

use crate::common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{stderr, stdout, Sandbox};

const REPORT: &str = r#"{"summary":"据说河口镇化工厂起火，十几人被困","location":"河口镇","category":"fire","reporter":{"name":"王某","unit":"群众"},"casualties":{"trapped":null}}"#;

#[test]
fn report_add_list_show_and_exit_codes() {
    let sb = Sandbox::new();
    let o = sb.run(&["--lang", "en", "report", "add", "-"], Some(REPORT));
    assert!(o.status.success(), "{}", stderr(&o));
    let number = stdout(&o).trim().to_string();
    assert!(
        dutydesk::domain::IncidentNo::parse(&number).is_some(),
        "{number}"
    );

    let o = sb.run(&["--lang", "en", "list"], None);
    assert!(stdout(&o).contains(&number));
    assert!(stdout(&o).contains("河口镇"));

    let o = sb.run(&["--lang", "en", "show", &number, "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["incident"]["number"], number.as_str());

    // Bad input: exit 2 with where.
    let o = sb.run(
        &["report", "add", "-"],
        Some("{\"summary\":\"x\",\n\"sumary\":1}"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("<stdin>:2:"), "{}", stderr(&o));
    assert!(stderr(&o).contains("sumary"), "{}", stderr(&o));
    let o = sb.run(&["show", "20991231-001"], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = sb.run(&["report", "add", "-"], Some("\u{feff}not json"));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn config_errors_name_file_line_and_key() {
    let sb = Sandbox::new();
    let f = sb.path().join("bad.toml");
    std::fs::write(&f, "[office]\nname = \"x\"\ntimezon = \"Asia/Shanghai\"\n").unwrap();
    let o = sb.run(&["config", "check", f.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains(&format!("{}:3:", f.display())), "{e}");
    assert!(e.contains("office.timezon"), "{e}");
    // A store command with that config refuses too, changing nothing.
    let o = sb.run(&["--config", f.to_str().unwrap(), "list"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(!sb.data().exists(), "bad config must change nothing");
    let good = sb.path().join("good.toml");
    std::fs::write(&good, "[office]\nname = \"某县应急值班室\"\n").unwrap();
    let o = sb.run(&["config", "check", good.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = sb.run(&["config", "print-default"], None);
    assert!(stdout(&o).contains("[office]"));
}

#[test]
fn verify_names_the_first_bad_sequence_number() {
    let sb = Sandbox::new();
    for i in 0..5 {
        let r = format!("{{\"summary\":\"第{i}起\"}}");
        assert!(sb.run(&["report", "add"], Some(&r)).status.success());
    }
    let o = sb.run(&["--lang", "en", "verify"], None);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains("hash chain intact"));
    let j = sb.data().join("journal.jsonl");
    let text = std::fs::read_to_string(&j).unwrap();
    let tampered = text.replacen("第2起", "第9起", 1);
    assert_ne!(text, tampered);
    std::fs::write(&j, tampered).unwrap();
    let o = sb.run(&["--lang", "en", "verify"], None);
    assert_eq!(o.status.code(), Some(1));
    // Events: 1 store_created, then 2 per report (filed + one flag at least?) — find the seq.
    let seq = text
        .lines()
        .find(|l| l.contains("第2起"))
        .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .and_then(|v| v["seq"].as_u64())
        .unwrap();
    assert!(
        stdout(&o).contains(&format!("chain broken at sequence #{seq}")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn socket_and_direct_give_the_same_output() {
    let sb = Sandbox::new();
    assert!(sb.run(&["report", "add"], Some(REPORT)).status.success());
    let direct_list = sb.run(&["--lang", "en", "list"], None);
    let direct_log = sb.run(&["log", "--format", "jsonl"], None);
    let number = stdout(&direct_list)
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    let direct_show = sb.run(&["--lang", "en", "show", &number], None);

    let mut serve = sb.cmd();
    serve
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = serve.spawn().unwrap();
    let sock = sb.data().join("dutydesk.sock");
    let t0 = Instant::now();
    while !sock.exists() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "socket never appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // While the server holds the store, direct access is impossible: these go through the socket.
    let via_list = sb.run(&["--lang", "en", "list"], None);
    let via_log = sb.run(&["log", "--format", "jsonl"], None);
    let via_show = sb.run(&["--lang", "en", "show", &number], None);
    assert_eq!(stdout(&direct_list), stdout(&via_list));
    assert_eq!(stdout(&direct_log), stdout(&via_log));
    assert_eq!(stdout(&direct_show), stdout(&via_show));
    // Writing through the socket works and is recorded with the caller's OS user.
    let o = sb.run(&["report", "add"], Some(r#"{"summary":"经socket报告"}"#));
    assert!(o.status.success(), "{}", stderr(&o));
    // Rebuild needs the store itself: refused, naming the holder.
    let o = sb.run(&["rebuild"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!("PID {}", child.id())),
        "{}",
        stderr(&o)
    );

    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let t0 = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "serve did not exit on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!sock.exists(), "socket removed on exit");
    let o = sb.run(&["list"], None);
    assert!(stdout(&o).contains("经socket报告"));
    let o = sb.run(&["verify"], None);
    assert!(o.status.success());
}

#[test]
fn export_csv_opens_in_excel() {
    let sb = Sandbox::new();
    let r = r#"{"summary":"第一行，有逗号\n第二行 \"引号\"","location":"城关镇, 东街"}"#;
    assert!(sb.run(&["report", "add"], Some(r)).status.success());
    let o = sb.run(&["export", "--format", "csv"], None);
    assert!(o.stdout.starts_with(b"\xEF\xBB\xBF"));
    let mut rdr = csv::Reader::from_reader(&o.stdout[3..]);
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][17], "第一行，有逗号\n第二行 \"引号\"");
    assert_eq!(&rows[0][10], "城关镇, 东街");
}

#[test]
fn hostile_text_never_reaches_the_terminal_raw() {
    let sb = Sandbox::new();
    let r = "{\"summary\":\"\\u001b]52;c;SGVsbG8=\\u0007 \\u001b[2J 正常 \\u202e反转 \\u009b31m\",\"location\":\"\\u001b]0;pwned\\u0007\"}";
    assert!(sb.run(&["report", "add"], Some(r)).status.success());
    for args in [vec!["list"], vec!["log"], vec!["status"]] {
        let o = sb.run(&args, None);
        let s = stdout(&o);
        assert!(!s.contains('\u{1b}'), "{args:?}: {s:?}");
        assert!(
            !s.contains('\u{9b}') && !s.contains('\u{202e}') && !s.contains('\u{7}'),
            "{args:?}"
        );
    }
    let n = stdout(&sb.run(&["list", "--format", "json"], None));
    let v: serde_json::Value = serde_json::from_str(&n).unwrap();
    let number = v[0]["number"].as_str().unwrap().to_string();
    let s = stdout(&sb.run(&["show", &number], None));
    assert!(!s.contains('\u{1b}') && s.contains('␛'), "{s}");
}

#[test]
fn check_flags_without_filing_and_exits_by_input() {
    let sb = Sandbox::new();
    let o = sb.run(&["--lang", "zh-CN", "check", "-"], Some(REPORT));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    let flags = v["flags"].as_array().unwrap();
    let vague: Vec<(&str, u64, u64)> = flags
        .iter()
        .filter(|f| f["kind"] == "vague")
        .map(|f| {
            (
                f["cue"].as_str().unwrap(),
                f["start"].as_u64().unwrap(),
                f["end"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(vague.contains(&("据说", 0, 2)), "{vague:?}");
    assert!(flags.iter().any(|f| f["kind"] == "unverified_source"));
    // Nothing was filed.
    assert!(!sb.data().join("journal.jsonl").exists());
    let o = sb.run(&["check", "-"], Some("{\"summary\":\"x\"}\n{\"summary\":"));
    assert_eq!(o.status.code(), Some(2));
    let o = sb.run(
        &["check", "-"],
        Some("{\"summary\":\"无人员伤亡，已核实\",\"location\":\"城关镇\"}"),
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(!stdout(&o).contains("\"vague\""), "{}", stdout(&o));
}

/// Issue 18, case 9: a writing command that names no officer is refused (the OS account never
/// stands in for one); read commands still work; through a console's socket it acts as the
/// officer signed in there.
#[test]
fn the_os_account_never_stands_in_for_an_officer() {
    let sb = Sandbox::new();
    let report = r#"{"summary":"河口镇仓库起火","location":"河口镇"}"#;
    let nobody = [("DUTYDESK_OFFICER", None)];
    let o = sb.run_env(&nobody, &["report", "add", "-"], Some(report));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--officer"), "{}", stderr(&o));
    let o = sb.run_env(&nobody, &["list"], None);
    assert!(o.status.success(), "reads need no officer: {}", stderr(&o));
    let journal = std::fs::read_to_string(sb.data().join("journal.jsonl")).unwrap_or_default();
    assert!(!journal.contains("河口镇仓库起火"), "nothing recorded");

    // Through a console's socket: the console's signed-in officer acts.
    let cfg = std::sync::Arc::new(dutydesk::config::defaults());
    let clock: std::sync::Arc<dyn dutydesk::clock::Clock> =
        std::sync::Arc::new(dutydesk::clock::SystemClock);
    let desk = dutydesk::service::Desk::open(
        &sb.data(),
        cfg,
        clock,
        dutydesk::store::OpenOptions::default(),
    )
    .unwrap();
    let (handle, thread) = dutydesk::service::DeskHandle::spawn(desk);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let signed_in = std::sync::Arc::new(std::sync::Mutex::new(dutydesk::domain::Actor {
        officer: "张华".into(),
        os_user: "duty".into(),
    }));
    let dir = sb.data();
    let o = rt.block_on(async {
        let listener = dutydesk::service::socket::bind(&dir).unwrap();
        let server = tokio::spawn(dutydesk::service::socket::serve(
            listener,
            handle,
            Some(signed_in),
            None,
        ));
        let mut c = sb.cmd();
        c.env_remove("DUTYDESK_OFFICER");
        let o = tokio::task::spawn_blocking(move || {
            use std::io::Write;
            let mut c = c;
            c.args(["report", "add", "-"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = c.spawn().unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(report.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap();
        server.abort();
        let _ = server.await;
        o
    });
    drop(rt);
    let _ = thread.join();
    assert!(o.status.success(), "{}", stderr(&o));
    let journal = std::fs::read_to_string(sb.data().join("journal.jsonl")).unwrap();
    let line = journal
        .lines()
        .find(|l| l.contains("河口镇仓库起火"))
        .expect("filed");
    assert!(line.contains("\"officer\":\"张华\""), "{line}");
}

/// Issue 18, case 3: an exact time typed as officers type it is not "a time given only in
/// words", in `check` and in `report add`; the caller's vague words still are.
#[test]
fn exact_times_as_typed_are_not_vague() {
    let sb = Sandbox::new();
    let now = [("DUTYDESK_NOW", Some("2026-12-03T02:10:00+08:00"))];
    let run = |args: &[&str], stdin: &str| sb.run_env(&now, args, Some(stdin));
    for (typed, vague) in [
        ("02:05", false),
        ("2026-12-03 02:05", false),
        ("12-03 02:05", false),
        ("2026年12月3日 2时5分", false),
        ("两点左右", true),
        ("昨晚", true),
    ] {
        let draft = format!(
            r#"{{"summary":"城关镇仓库起火","location":"城关镇","occurred_at":"{typed}"}}"#
        );
        let o = run(&["check", "-"], &draft);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
        let on_time = v["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "occurred_at");
        assert_eq!(on_time, vague, "{typed}: {v}");
    }
    let o = run(
        &["report", "add", "-"],
        r#"{"summary":"城关镇仓库起火","location":"城关镇","occurred_at":"02:05"}"#,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let journal = std::fs::read_to_string(sb.data().join("journal.jsonl")).unwrap();
    assert!(
        journal.contains("\"occurred_at\":\"2026-12-03T02:05:00+08:00\""),
        "stored as the exact time: {journal}"
    );
}

/// Issue 18, case 4: counts as people say them are kept verbatim, with their range, flagged
/// as vague, carried into the notice, and graded at their least; what is not a count is
/// refused with a message that says what a count may be.
#[test]
fn spoken_counts_are_kept_as_said() {
    let sb = Sandbox::new();
    let o = sb.run(
        &["report", "add", "-"],
        Some(r#"{"summary":"城关镇一客车侧翻","location":"城关镇","category":"traffic","casualties":{"dead":"十几","injured":"30余"}}"#),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let number = stdout(&o).trim().to_string();
    assert!(
        stderr(&o).contains("十几"),
        "the vague count is flagged: {}",
        stderr(&o)
    );
    let o = sb.run(&["--lang", "en", "show", &number], None);
    let shown = stdout(&o);
    assert!(shown.contains("十几") && shown.contains("30余"), "{shown}");
    assert!(shown.contains("11–19"), "its range is shown: {shown}");
    let o = sb.run(&["notify", &number], None);
    assert!(stdout(&o).contains("死亡 十几"), "{}", stdout(&o));
    let journal = std::fs::read_to_string(sb.data().join("journal.jsonl")).unwrap();
    assert!(journal.contains(r#""dead":"十几""#), "kept verbatim");
    let o = sb.run(
        &["check", "-"],
        Some(r#"{"summary":"x","casualties":{"dead":"十几"}}"#),
    );
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["level_suggested"], "II", "十几人死亡 is at least 11: {v}");
    let o = sb.run(
        &["report", "add", "-"],
        Some(r#"{"summary":"x","casualties":{"dead":"很严重"}}"#),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a count"), "{}", stderr(&o));
}

/// Issue 18, case 5: a 续报 from an authoritative unit that states the facts answers the first
/// report's flags: `report add` lists them, the 续报 notice no longer sends them as 【待核实】,
/// and one command resolves them all. A follow-up from a passer-by answers nothing.
#[test]
fn a_confirming_follow_up_offers_to_resolve_what_it_answers() {
    let sb = Sandbox::new();
    let now = [("DUTYDESK_NOW", Some("2026-12-03T02:30:00+08:00"))];
    let run = |args: &[&str], stdin: Option<&str>| sb.run_env(&now, args, stdin);
    let o = run(
        &["report", "add", "-"],
        Some(
            r#"{"summary":"据说城关镇一仓库起火，有人被困","location":"城关镇","category":"fire","occurred_at":"两点左右","reporter":{"name":"王某","unit":"村民","phone":"13900000000"}}"#,
        ),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let no = stdout(&o).trim().to_string();
    // A passer-by's follow-up answers nothing.
    let o = run(
        &["report", "add", "-"],
        Some(&format!(
            r#"{{"kind":"follow_up","incident":"{no}","summary":"城关镇仓库火势变大","occurred_at":"02:05","reporter":{{"name":"李某","unit":"路人"}}}}"#
        )),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("--answered"), "{}", stderr(&o));
    // The fire brigade states the facts.
    let o = run(
        &["report", "add", "-"],
        Some(&format!(
            r#"{{"kind":"follow_up","incident":"{no}","summary":"城关镇东街仓库起火，被困2人已救出","location":"城关镇东街","occurred_at":"02:05","casualties":{{"trapped":2}},"reporter":{{"name":"张队长","unit":"县消防救援大队","phone":"0379-6651119"}}}}"#
        )),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("--answered") && err.contains("R0-"), "{err}");
    let o = run(&["--lang", "zh-CN", "notify", &no], None);
    let text = stdout(&o);
    assert!(
        !text.contains("据说"),
        "answered doubts are not sent: {text}"
    );
    assert!(!text.contains("两点左右"), "{text}");
    let o = run(&["resolve", &no, "--answered"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let journal = std::fs::read_to_string(sb.data().join("journal.jsonl")).unwrap();
    let resolved: Vec<&str> = journal
        .lines()
        .filter(|l| l.contains("\"kind\":\"flag_resolved\""))
        .collect();
    // The first report's source, hearsay and vague time, and the passer-by's source: all
    // stated now by the brigade, each resolved as checked against its report.
    assert!(resolved.len() >= 4, "{resolved:?}");
    for id in ["\"flag\":\"R0-1\"", "\"flag\":\"R1-1\""] {
        assert!(
            resolved.iter().any(|l| l.contains(id)),
            "{id}: {resolved:?}"
        );
    }
    assert!(
        resolved.iter().all(|l| l.contains("县消防救援大队")),
        "{resolved:?}"
    );
    let o = run(&["list", "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let row = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["number"] == no.as_str())
        .unwrap();
    let own_open = journal
        .lines()
        .filter(|l| l.contains("\"kind\":\"flag_raised\"") && l.contains("\"report\":2"))
        .count();
    assert_eq!(
        row["open_flags"].as_u64().unwrap() as usize,
        own_open,
        "{row}"
    );
    // Nothing left to answer: a second run says so, changes nothing.
    let o = run(&["resolve", &no, "--answered"], None);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
}

/// Issue 26, finding "other": a received or occurred time of year 0000, 1970 or 9999 is
/// refused, naming the field and the window; nothing is recorded.
#[test]
fn implausible_times_are_refused() {
    let sb = Sandbox::new();
    for (field, t) in [
        ("received_at", "1970-01-01T00:00:00+08:00"),
        ("received_at", "9999-12-31T00:00:00+08:00"),
        ("occurred_at", "0001-01-01T00:00:00+08:00"),
        ("occurred_at", "2027-06-01T00:00:00+08:00"),
    ] {
        let draft = format!(r#"{{"summary":"城关镇仓库起火","{field}":"{t}"}}"#);
        let now = [("DUTYDESK_NOW", Some("2026-12-03T02:10:00+08:00"))];
        let o = sb.run_env(&now, &["report", "add", "-"], Some(&draft));
        assert_eq!(o.status.code(), Some(2), "{field} {t}: {}", stderr(&o));
        assert!(stderr(&o).contains(field), "{}", stderr(&o));
    }
    let journal = std::fs::read_to_string(sb.data().join("journal.jsonl")).unwrap_or_default();
    assert!(!journal.contains("report_filed"), "nothing recorded");
}

/// The journal's events as JSON values (`log --format jsonl`).
fn events(sb: &Sandbox) -> Vec<serde_json::Value> {
    let o = sb.run(&["log", "--format", "jsonl"], None);
    stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("journal line"))
        .collect()
}

fn at(e: &serde_json::Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(e["at"].as_str().expect("at")).expect("rfc3339")
}

#[test]
fn a_clock_behind_the_log_is_reported_and_not_used() {
    let sb = Sandbox::new();
    let t = [("DUTYDESK_NOW", Some("2026-12-03T02:00:00+08:00"))];
    let o = sb.run_env(&t, &["report", "add"], Some(REPORT));
    assert!(o.status.success(), "{}", stderr(&o));
    let first = stdout(&o).trim().to_string();
    let o = sb.run_env(&t, &["notify", &first, "--send", "--wait", "5"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let queued = events(&sb)
        .into_iter()
        .filter(|e| e["body"]["kind"] == "notice_queued")
        .collect::<Vec<_>>();
    let token = queued[0]["body"]["payload"]["notice"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let queued_at = at(&queued[0]);
    // Each case: the clock as the machine reads it; the incident's day must stay the log's.
    let cases = [
        ("an hour back (stepped back)", "2026-12-03T01:00:00+08:00"),
        ("a dead RTC at 1970", "1970-01-01T00:00:00Z"),
    ];
    for (what, clock) in cases {
        let env = [("DUTYDESK_NOW", Some(clock))];
        let o = sb.run_env(&env, &["report", "add"], Some(r#"{"summary":"又一起"}"#));
        assert!(o.status.success(), "{what}: {}", stderr(&o));
        let number = stdout(&o).trim().to_string();
        assert!(number.starts_with("20261203-"), "{what}: numbered {number}");
        assert!(
            stderr(&o).contains("system clock reads") && stderr(&o).contains("系统时钟"),
            "{what}: the officer is told: {}",
            stderr(&o)
        );
        let o = sb.run_env(&env, &["--lang", "en", "status"], None);
        assert!(
            stdout(&o).contains("before the log's last event"),
            "{what}: {}",
            stdout(&o)
        );
    }
    // An acknowledgement with the clock an hour back is not stamped before its notice.
    let env = [("DUTYDESK_NOW", Some("2026-12-03T01:00:00+08:00"))];
    let o = sb.run_env(&env, &["ack", &token], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let all = events(&sb);
    let ack = all
        .iter()
        .find(|e| e["body"]["kind"] == "notice_acknowledged")
        .expect("ack recorded");
    assert!(
        at(ack) >= queued_at,
        "ack {} before its notice {queued_at}",
        at(ack)
    );
    for w in all.windows(2) {
        assert!(
            at(&w[1]) >= at(&w[0]),
            "#{} stamped before #{}",
            w[1]["seq"],
            w[0]["seq"]
        );
    }
    // With the clock right again, nothing is said and the clock is used.
    let env = [("DUTYDESK_NOW", Some("2026-12-03T03:00:00+08:00"))];
    let o = sb.run_env(&env, &["--lang", "en", "status"], None);
    assert!(
        !stdout(&o).contains("before the log's last event"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_demo_never_writes_into_a_real_desk() {
    let sb = Sandbox::new();
    let o = sb.run(&["report", "add"], Some(REPORT));
    assert!(o.status.success(), "{}", stderr(&o));
    let before = std::fs::read(sb.data().join("journal.jsonl")).unwrap();
    // Named by --data-dir (the sandbox's) and by DUTYDESK_DATA alike.
    let by_flag = sb.run(&["demo", "--incidents", "5", "--no-console"], None);
    let by_env = std::process::Command::new(env!("CARGO_BIN_EXE_dutydesk"))
        .env("DUTYDESK_DATA", sb.data())
        .env("DUTYDESK_OFFICER", "李明")
        .env("XDG_CONFIG_HOME", sb.path().join("config"))
        .env("XDG_STATE_HOME", sb.path().join("state"))
        .env("HOME", sb.path())
        .args(["demo", "--incidents", "5", "--no-console"])
        .output()
        .unwrap();
    for o in [by_flag, by_env] {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("the demo did not make"),
            "{}",
            stderr(&o)
        );
        assert_eq!(
            std::fs::read(sb.data().join("journal.jsonl")).unwrap(),
            before
        );
    }
    // A new folder becomes the demo's own, and the demo may add to it again.
    let fresh = Sandbox::new();
    let demo = fresh.data();
    for _ in 0..2 {
        let o = fresh.run(&["demo", "--incidents", "5", "--no-console"], None);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert!(demo.join("DEMO").exists());
}

/// Starts `serve` on the sandbox and waits until it listens: it says "serving" once the socket
/// is bound and listening (the socket file appears at bind, a moment before it listens).
fn serve(sb: &Sandbox) -> std::process::Child {
    use std::io::BufRead;
    let mut child = sb
        .cmd()
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(out).read_line(&mut line).unwrap();
    assert!(line.starts_with("serving"), "{line}");
    child
}

fn signal(child: &std::process::Child, sig: i32) {
    unsafe {
        libc::kill(child.id() as i32, sig);
    }
}

fn stop(mut child: std::process::Child) {
    signal(&child, libc::SIGCONT);
    signal(&child, libc::SIGTERM);
    let _ = child.wait();
}

fn incident_count(sb: &Sandbox) -> usize {
    events(sb)
        .iter()
        .filter(|e| e["body"]["kind"] == "report_filed")
        .count()
}

#[test]
fn a_stopped_console_is_named_and_what_it_never_took_up_is_never_filed() {
    let sb = Sandbox::new();
    let child = serve(&sb);
    signal(&child, libc::SIGSTOP);
    let wait = [("DUTYDESK_SOCKET_WAIT_MS", Some("1000"))];
    let t0 = Instant::now();
    let o = sb.run_env(&wait, &["--lang", "en", "report", "add"], Some(REPORT));
    let took = t0.elapsed();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("(PID {}", child.id()))
            && stderr(&o).contains("not responding"),
        "{}",
        stderr(&o)
    );
    // Not the old 600 s wait (a guard against hanging, not a speed target).
    assert!(took < Duration::from_secs(60), "{took:?}");
    // Resumed, the console reads the withdrawn request and refuses it: nothing filed.
    signal(&child, libc::SIGCONT);
    let o = sb.run(&["report", "add"], Some(REPORT));
    assert!(o.status.success(), "{}", stderr(&o));
    stop(child);
    assert_eq!(incident_count(&sb), 1, "the retry is the only report");
}

#[test]
fn a_request_asked_twice_under_one_key_runs_once() {
    use std::io::{BufRead, BufReader, Write};
    let sb = Sandbox::new();
    let child = serve(&sb);
    let envelope = serde_json::json!({
        "v": 2,
        "actor": {"officer": "李明", "os_user": "x"},
        "request": {"op": "add_report", "draft": serde_json::from_str::<serde_json::Value>(REPORT).unwrap()},
        "id": "0123456789abcdef0123456789abcdef",
    });
    let mut answers = Vec::new();
    for _ in 0..2 {
        let s = std::os::unix::net::UnixStream::connect(sb.data().join("dutydesk.sock")).unwrap();
        (&s).write_all(format!("{envelope}\n").as_bytes()).unwrap();
        let mut r = BufReader::new(&s);
        let mut lines = Vec::new();
        for _ in 0..2 {
            let mut l = String::new();
            r.read_line(&mut l).unwrap();
            lines.push(l);
        }
        assert_eq!(lines[0], "{\"accepted\":true}\n", "{lines:?}");
        answers.push(lines[1].clone());
    }
    // Expired, and too large: refused, never run.
    let expired = serde_json::json!({
        "v": 2,
        "actor": {"officer": "李明", "os_user": "x"},
        "request": {"op": "add_report", "draft": serde_json::from_str::<serde_json::Value>(REPORT).unwrap()},
        "deadline_ms": 1_000,
    });
    let huge = format!("{{\"v\":2,\"pad\":\"{}\"}}", "x".repeat(5 << 20));
    let mut refusals = Vec::new();
    for line in [expired.to_string(), huge] {
        let s = std::os::unix::net::UnixStream::connect(sb.data().join("dutydesk.sock")).unwrap();
        let _ = (&s).write_all(format!("{line}\n").as_bytes());
        let mut l = String::new();
        BufReader::new(&s).read_line(&mut l).unwrap();
        refusals.push(l);
    }
    stop(child);
    assert_eq!(
        answers[0], answers[1],
        "the second ask gets the first answer"
    );
    assert!(answers[0].contains("\"filed\""), "{}", answers[0]);
    assert!(refusals[0].contains("expired"), "{}", refusals[0]);
    assert!(refusals[1].contains("request over"), "{}", refusals[1]);
    assert_eq!(incident_count(&sb), 1);
}

/// The issue's crash, filed as a hurried officer or a script files it: no category, no counts.
const CRASH: &str = r#"{"summary":"一辆大客车与货车相撞,造成12人死亡、30人受伤。","reporter":{"unit":"县公安局指挥中心"}}"#;

#[test]
fn report_add_reads_the_words_accepts_declines_and_refuses_an_unknown_key() {
    let sb = Sandbox::new();
    // A key the words do not suggest: refused, nothing filed.
    let o = sb.run(
        &[
            "--lang",
            "en",
            "report",
            "add",
            "-",
            "--accept",
            "category:fire",
        ],
        Some(CRASH),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("category:traffic"), "{}", stderr(&o));
    let o = sb.run(&["list", "--format", "json"], None);
    assert_eq!(stdout(&o).trim(), "[]", "nothing filed");

    // Accept the counts and the level, decline nothing: the category stays a suggestion that
    // the notices still use, printed as such.
    let o = sb.run(
        &[
            "--lang", "en", "report", "add", "-", "--accept", "dead", "injured", "level",
        ],
        Some(CRASH),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let number = stdout(&o).trim().to_string();
    assert!(
        stderr(&o).contains("[category:traffic] Road accident ←「相撞」"),
        "{}",
        stderr(&o)
    );
    let o = sb.run(&["show", &number, "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let r = &v["incident"]["reports"][0];
    assert_eq!(r["casualties"]["dead"], 12);
    assert_eq!(r["level"], "II");
    assert_eq!(
        r["accepted"],
        serde_json::json!(["dead", "injured", "level"])
    );
    assert!(r.get("category").is_none());
    let o = sb.run(&["--lang", "zh-CN", "notify", &number], None);
    let out = stdout(&o);
    for unit in [
        "县公安局交通警察大队",
        "县卫生健康委员会",
        "县120急救指挥中心",
        "县应急管理局",
    ] {
        assert!(out.contains(unit), "{unit} missing:\n{out}");
    }
    assert!(
        out.contains("道路交通事故的职能部门（按报告文字推断：道路交通事故）"),
        "{out}"
    );
    assert!(
        out.contains("首报：一辆大客车与货车相撞"),
        "the headline says what happened:\n{out}"
    );

    // Declined: never used — the traffic units are not proposed.
    let o = sb.run(
        &[
            "report",
            "add",
            "-",
            "--accept",
            "--decline",
            "category:traffic",
        ],
        Some(CRASH),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let number = stdout(&o).trim().to_string();
    let o = sb.run(&["--lang", "zh-CN", "notify", &number], None);
    let out = stdout(&o);
    assert!(!out.contains("县公安局交通警察大队"), "{out}");
    assert!(out.contains("县卫生健康委员会"), "{out}");
}

#[test]
fn check_prints_what_the_words_suggest() {
    let sb = Sandbox::new();
    let o = sb.run(&["--lang", "en", "check", "-"], Some(CRASH));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).expect("json");
    let keys: Vec<&str> = v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["category:traffic", "dead", "injured", "level"]);
    assert_eq!(v["suggestions"][1]["evidence"], "12人死亡");
    let o = sb.run(
        &["--lang", "zh-CN", "check", "--format", "text", "-"],
        Some(CRASH),
    );
    let out = stdout(&o);
    assert!(
        out.contains("✎ dead             死亡 12: 一辆大客车与货车相撞,造成»12人死亡«"),
        "{out}"
    );
    assert!(
        !out.contains("初报未说明人员伤亡"),
        "the words state them:\n{out}"
    );
}

#[test]
fn the_same_doubt_in_two_fields_is_one_line_of_the_notice() {
    let sb = Sandbox::new();
    let report = r#"{"summary":"今日凌晨2时许，仓库起火。","occurred_at":"今日凌晨2时许","category":"fire","location":"河口镇"}"#;
    let o = sb.run(&["report", "add", "-"], Some(report));
    assert!(o.status.success(), "{}", stderr(&o));
    let number = stdout(&o).trim().to_string();
    let o = sb.run(&["--lang", "zh-CN", "notify", &number], None);
    let out = stdout(&o);
    let text = out.split("---").nth(1).unwrap_or_default();
    assert_eq!(text.matches("表述模糊「2时许」").count(), 1, "{text}");
}

#[test]
fn a_closed_pipe_ends_quietly_with_status_0() {
    // `dutydesk list | head -1`: the reader goes away before the output is written.
    let sb = Sandbox::new();
    sb.run(&["report", "add", "-"], Some(REPORT));
    for args in [
        &["config", "print-default"][..],
        &["list"][..],
        &["log", "--format", "jsonl"][..],
    ] {
        let mut child = sb
            .cmd()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take());
        let o = child.wait_with_output().expect("wait");
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "{args:?}: nothing to say");
    }
}
