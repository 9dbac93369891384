//! Hostile text: about 200 payloads (CSI, OSC 0/2/8/52, DCS, 8-bit C1, CR, BEL, bidi, zero-width,
//! U+2028, very long lines) through the sanitiser and every CLI text output. Not one escape, C1
//! or bidi character from user text may reach the terminal. Invalid UTF-8 and GB18030 input
//! files are refused with a clear message.

use crate::common;

use common::hostile::{dangerous, payloads, raw};
use common::{stderr, stdout, Sandbox};

#[test]
fn the_sanitiser_neutralises_every_payload() {
    let corpus = payloads();
    assert!(corpus.len() >= 180, "{}", corpus.len());
    let mut reaching = 0;
    for p in &corpus {
        for shown in [dutydesk::sanitize::text(p), dutydesk::sanitize::line(p)] {
            if dangerous(&shown).is_some() {
                reaching += 1;
            }
        }
    }
    println!("hostile text: {} payloads through the sanitiser, dangerous characters reaching the terminal: {reaching}", corpus.len());
    assert_eq!(reaching, 0);
}

/// A config whose report limit leaves room for the corpus's longest payloads in every field
/// (the limit has its own test below).
fn roomy(sb: &Sandbox) -> String {
    let cfg = sb.path().join("roomy.toml");
    std::fs::write(&cfg, "[intake]\nmax_report_bytes = 4194304\n").unwrap();
    cfg.to_str().unwrap().to_string()
}

#[test]
fn no_cli_output_passes_a_payload_through() {
    let sb = Sandbox::new();
    let cfg = roomy(&sb);
    let corpus = payloads();
    // A sample of reports carrying payloads in every free-text field (every payload appears).
    let mut numbers = Vec::new();
    for chunk in corpus.chunks(6) {
        let f = |i: usize| chunk.get(i).cloned().unwrap_or_default();
        let report = serde_json::json!({
            "summary": f(0), "location": f(1), "measures": f(2), "requests": f(3),
            "already_told": f(4), "occurred_at": f(5),
            "reporter": {"name": f(1), "unit": f(2), "post": f(3), "phone": f(4)},
            "category": "fire",
        });
        let o = sb.run(
            &["--config", &cfg, "report", "add"],
            Some(&report.to_string()),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(dangerous(&stderr(&o)).is_none(), "stderr of report add");
        numbers.push(stdout(&o).trim().to_string());
    }
    let mut outputs: Vec<(String, String)> = Vec::new();
    for lang in ["zh-CN", "en"] {
        for args in [vec!["list"], vec!["log"], vec!["status"], vec!["verify"]] {
            let mut a = vec!["--lang", lang];
            a.extend(args.iter());
            let o = sb.run(&a, None);
            outputs.push((format!("{a:?}"), stdout(&o) + &stderr(&o)));
        }
        for n in &numbers {
            let o = sb.run(&["--lang", lang, "show", n], None);
            outputs.push((format!("show {n}"), stdout(&o) + &stderr(&o)));
        }
    }
    for chunk in corpus.chunks(20) {
        let lines: Vec<String> = chunk
            .iter()
            .map(|p| serde_json::json!({"summary": p, "location": p}).to_string())
            .collect();
        let o = sb.run(
            &["--lang", "en", "check", "--format", "text"],
            Some(&lines.join("\n")),
        );
        outputs.push(("check --format text".into(), stdout(&o) + &stderr(&o)));
    }
    let mut reaching = 0;
    for (what, out) in &outputs {
        if let Some(c) = dangerous(out) {
            reaching += 1;
            eprintln!("{what}: U+{:04X} reached the terminal", c as u32);
        }
    }
    println!(
        "hostile text: {} payloads in {} reports, {} CLI outputs, dangerous characters reaching the terminal: {reaching}",
        corpus.len(),
        numbers.len(),
        outputs.len()
    );
    assert_eq!(reaching, 0);
}

#[test]
fn files_that_are_not_utf8_are_refused_clearly() {
    let sb = Sandbox::new();
    // "据说起火" in GB18030, and a stray invalid byte.
    let gb: &[u8] = b"{\"summary\":\"\xbe\xdd\xcb\xb5\xc6\xf0\xbb\xf0\"}";
    for (name, bytes) in [
        ("gb18030.json", gb),
        ("invalid.json", &b"{\"summary\":\"\xff\"}"[..]),
    ] {
        let f = sb.path().join(name);
        std::fs::write(&f, bytes).unwrap();
        let o = sb.run(&["report", "add", f.to_str().unwrap()], None);
        assert_eq!(o.status.code(), Some(2), "{name}");
        let e = stderr(&o);
        assert!(e.contains("not UTF-8") && e.contains("GB18030"), "{e}");
        assert!(dangerous(&e).is_none());
    }
    assert!(!sb.data().join("journal.jsonl").exists(), "nothing filed");
}

fn actor(name: &str) -> dutydesk::domain::Actor {
    dutydesk::domain::Actor {
        officer: name.into(),
        os_user: "duty".into(),
    }
}

/// Fills the sandbox's store in-process: reports with a payload in every field, instructions
/// with payloads as leader, text, channel and feedback, and a handover accepted from an officer
/// whose name is a payload, with every payload in its notes. Returns the instruction ids.
fn hostile_desk(sb: &Sandbox) -> Vec<String> {
    use dutydesk::domain::{FeedbackForm, FeedbackKind, ReportDraft};
    use dutydesk::service::instructions::InstructionDraft;
    use dutydesk::service::{Desk, Request, Response};
    let corpus = payloads();
    let clock = dutydesk::clock::ManualClock::new(chrono::Utc::now());
    let mut config = dutydesk::config::defaults();
    config.intake.max_report_bytes = 4 << 20;
    let mut desk = Desk::open(
        &sb.data(),
        std::sync::Arc::new(config),
        std::sync::Arc::new(clock),
        dutydesk::store::OpenOptions::default(),
    )
    .unwrap();
    let me = actor("王芳");
    let mut ids = Vec::new();
    for (k, chunk) in corpus.chunks(5).enumerate() {
        let f = |i: usize| chunk.get(i).cloned().unwrap_or_else(|| "x".into());
        let draft: ReportDraft = serde_json::from_value(serde_json::json!({
            "summary": f(0), "location": f(1), "measures": f(2), "requests": f(3),
            "already_told": f(4), "occurred_at": f(2),
            "reporter": {"name": f(1), "unit": f(2), "post": f(3), "phone": f(4)},
            "category": "fire",
        }))
        .unwrap();
        let incident = match desk.handle(&me, Request::AddReport { draft }) {
            Response::Filed { incident, .. } => incident,
            r => panic!("{r:?}"),
        };
        if k % 4 != 0 {
            continue;
        }
        let draft = InstructionDraft {
            incident: Some(incident),
            leader: f(0),
            received_at: None,
            channel: f(1),
            text: f(2),
            arrangement: None,
        };
        let Response::InstructionDone { id, .. } =
            desk.handle(&me, Request::RecordInstruction(Box::new(draft)))
        else {
            panic!("instruction refused")
        };
        let relay = Request::RelayInstruction {
            id: id.clone(),
            to: vec!["县应急管理局".into()],
            deadline_minutes: Some(60),
        };
        assert!(!matches!(desk.handle(&me, relay), Response::Error { .. }));
        for (kind, text) in [(FeedbackKind::Progress, f(3)), (FeedbackKind::Final, f(4))] {
            let req = Request::RecordFeedback {
                id: id.clone(),
                recipient: "县应急管理局".into(),
                form: FeedbackForm::Phone,
                feedback_kind: kind,
                text,
                at: None,
            };
            let r = desk.handle(&me, req);
            assert!(!matches!(r, Response::Error { .. }), "{r:?}");
        }
        ids.push(id);
    }
    let from = format!("李明{}", corpus[7]);
    let lang = Some(dutydesk::domain::Lang::Zh);
    let Response::Handover { record, .. } =
        desk.handle(&me, Request::Handover { shift: None, lang })
    else {
        panic!("no handover")
    };
    let seen = record.items.iter().map(|i| i.id.clone()).collect();
    let accept = Request::AcceptHandover {
        from,
        seen,
        notes: corpus.join("\n"),
        lang,
    };
    let r = desk.handle(&me, accept);
    assert!(matches!(r, Response::Handover { .. }), "{r:?}");
    ids
}

#[test]
fn no_printed_file_csv_or_json_output_carries_a_payload_raw() {
    let sb = Sandbox::new();
    let ids = hostile_desk(&sb);
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut run = |args: &[&str]| {
        let o = sb.run(args, None);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let out = stdout(&o);
        outputs.push((format!("{args:?}"), out.clone() + &stderr(&o)));
        out
    };
    for lang in ["zh-CN", "en"] {
        for f in ["md", "txt", "json"] {
            run(&["--lang", lang, "handover", "--format", f]);
        }
        for id in &ids {
            run(&["--lang", lang, "instruction", "report", id]);
        }
        run(&["--lang", lang, "instructions"]);
    }
    let list = run(&["list", "--format", "json"]);
    let json_outputs = [
        list.clone(),
        run(&["instructions", "--format", "json"]),
        run(&["notices", "--format", "json"]),
        run(&["audit", "--format", "json"]),
        run(&["audit", "--format", "csv"]),
        run(&["export", "--format", "csv"]),
    ];
    let rows: serde_json::Value = serde_json::from_str(&list).unwrap();
    for n in rows.as_array().unwrap().iter().take(12) {
        let n = n["number"].as_str().unwrap();
        run(&["show", n, "--format", "json"]);
    }
    let mut files = 0;
    for entry in std::fs::read_dir(sb.data().join("handovers")).unwrap() {
        let path = entry.unwrap().path();
        outputs.push((
            path.display().to_string(),
            std::fs::read_to_string(&path).unwrap(),
        ));
        files += 1;
    }
    assert_eq!(files, 2, "handovers/*.md and *.txt");
    let mut reaching = 0;
    for (what, out) in &outputs {
        // The CSV writers' own BOM (for Excel) and CRLF record ends are not outside text.
        let out = out.trim_start_matches('\u{feff}').replace("\r\n", "\n");
        if let Some(c) = raw(&out) {
            reaching += 1;
            eprintln!("{what}: U+{:04X} reached the output", c as u32);
        }
    }
    println!(
        "hostile text: {} payloads through {} outputs (handover md/txt/json and handovers/*, \
         instruction reports, JSON lists, audit JSON/CSV, CSV export), raw characters reaching them: {reaching}",
        payloads().len(),
        outputs.len()
    );
    assert_eq!(reaching, 0);
    // JSON escapes keep the values: what was filed comes back exactly.
    let back: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["summary"].as_str().unwrap().to_string())
        .collect();
    for chunk in payloads().chunks(5) {
        assert!(
            back.contains(&chunk[0]),
            "summary not exact: {:?}",
            chunk[0]
        );
    }
    assert!(json_outputs.iter().all(|o| !o.is_empty()));
    // The journal lines into a pipe stay the record, byte for byte (their hashes verify).
    let journal = std::fs::read_to_string(sb.data().join("journal.jsonl")).unwrap();
    let exported = stdout(&sb.run(&["export", "--format", "jsonl"], None));
    assert_eq!(exported, journal);
}

#[test]
fn csv_cells_never_start_a_formula() {
    let formulas = [
        "=1+1",
        "=cmd|' /C calc'!A0",
        "=HYPERLINK(\"http://evil.example/\",\"点击查看\")",
        "+86 139 0000 0000",
        "-2+3",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "\u{200b}=1+1",
        "=\u{202e}1+1",
    ];
    let sb = Sandbox::new();
    for (k, f) in formulas.iter().enumerate() {
        let report = serde_json::json!({
            "summary": f, "location": f, "measures": f, "requests": f, "already_told": f,
            "occurred_at": f, "reporter": {"name": f, "unit": f, "post": f, "phone": f},
            "category": "fire",
        });
        let officer = format!("={k}+cmd");
        let o = sb.run(
            &["--officer", &officer, "report", "add"],
            Some(&report.to_string()),
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let mut cells = 0;
    let mut formula_inputs = 0;
    for args in [
        vec!["export", "--format", "csv"],
        vec!["audit", "--format", "csv", "--by", "officer"],
    ] {
        let o = sb.run(&args, None);
        assert!(o.status.success(), "{}", stderr(&o));
        // The csv crate ends records with CRLF; no CR of the cells' own survives.
        let text = stdout(&o);
        let cells_only = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
        assert!(raw(&cells_only).is_none(), "{args:?}");
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        for rec in r.records() {
            for cell in rec.unwrap().iter() {
                cells += 1;
                assert!(
                    !dutydesk::sanitize::csv::is_formula(cell),
                    "{args:?}: formula cell {cell:?}"
                );
                if cell.starts_with("'") {
                    formula_inputs += 1;
                }
            }
        }
    }
    // Every formula given (10 reports × 12 text fields, the recorder; the officer groups of
    // the audit) came out neutralised.
    println!(
        "CSV: {cells} cells, {formula_inputs} formula cells neutralised with ', 0 left as formulas"
    );
    assert!(formula_inputs >= formulas.len() * 10, "{formula_inputs}");
}

#[test]
fn a_report_over_the_size_limit_is_refused_and_nothing_is_recorded() {
    let sb = Sandbox::new();
    let cfg = sb.path().join("limit.toml");
    std::fs::write(&cfg, "[intake]\nmax_report_bytes = 2048\n").unwrap();
    let cfg = cfg.to_str().unwrap().to_string();
    // (what, report, accepted)
    let cases: Vec<(&str, serde_json::Value, bool)> = vec![
        (
            "at the limit",
            serde_json::json!({"summary": "x".repeat(2048)}),
            true,
        ),
        (
            "one byte over",
            serde_json::json!({"summary": "x".repeat(2049)}),
            false,
        ),
        (
            "Chinese, 683 characters",
            serde_json::json!({"summary": "火".repeat(683)}),
            false,
        ),
        (
            "Chinese, 682 characters",
            serde_json::json!({"summary": "火".repeat(682)}),
            true,
        ),
        (
            "over in all fields together",
            serde_json::json!({"summary": "x".repeat(1000), "location": "y".repeat(600),
                               "reporter": {"name": "z".repeat(449)}}),
            false,
        ),
        (
            "a file far over the limit (read no further)",
            serde_json::json!({"summary": "x".repeat(200_000)}),
            false,
        ),
    ];
    let mut filed = 0;
    let file = sb.path().join("report.json");
    for (what, report, accepted) in &cases {
        // From a file: the CLI stops reading a huge one, which a pipe would see as EPIPE.
        std::fs::write(&file, report.to_string()).unwrap();
        let o = sb.run(
            &["--config", &cfg, "report", "add", file.to_str().unwrap()],
            None,
        );
        if *accepted {
            assert!(o.status.success(), "{what}: {}", stderr(&o));
            filed += 1;
        } else {
            assert_eq!(o.status.code(), Some(2), "{what}: {}", stderr(&o));
            let e = stderr(&o);
            let zh = e.find("未记录").unwrap_or_else(|| panic!("{what}: {e}"));
            let en = e
                .find("nothing was recorded")
                .unwrap_or_else(|| panic!("{what}: {e}"));
            assert!(zh < en, "Chinese first: {e}");
            assert!(e.contains("max_report_bytes"), "{what}: {e}");
        }
        let list = stdout(&sb.run(&["--config", &cfg, "list", "--format", "json"], None));
        let rows: serde_json::Value = serde_json::from_str(&list).unwrap();
        assert_eq!(rows.as_array().unwrap().len(), filed, "{what}");
    }
    // The built-in limit is 64 KiB.
    let o = sb.run(
        &["report", "add"],
        Some(&serde_json::json!({"summary": "x".repeat(65_537)}).to_string()),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = sb.run(
        &["report", "add"],
        Some(&serde_json::json!({"summary": "x".repeat(65_536)}).to_string()),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // A limit outside its range is a config error naming the key.
    let bad = sb.path().join("bad.toml");
    std::fs::write(&bad, "[intake]\nmax_report_bytes = 0\n").unwrap();
    let o = sb.run(&["config", "check", bad.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("intake.max_report_bytes"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn journal_lines_on_a_terminal_are_escaped() {
    let sb = Sandbox::new();
    let o = sb.run(&["report", "add"], Some(r#"{"summary":"据说起火"}"#));
    assert!(o.status.success(), "{}", stderr(&o));
    let number = stdout(&o).trim().to_string();
    // The newest event carries the payload (the screen shows the last lines).
    let note = "abc\u{202e}RLO\u{9b}31m";
    let args = [
        "resolve",
        &number,
        "R0-1",
        "--method",
        "call_back",
        "--result",
        "confirmed",
    ];
    let o = sb.run(&[&args[..], &["--note", note]].concat(), None);
    assert!(o.status.success(), "{}", stderr(&o));
    // Into a pipe the record's own bytes (raw U+202E); on a terminal its escape.
    let piped = stdout(&sb.run(&["log", "--format", "jsonl"], None));
    assert!(piped.contains('\u{202e}'));
    let mut cmd = common::pty::command(&sb.data(), sb.path(), None);
    cmd.args(["log", "--format", "jsonl", "--limit", "1"]);
    let mut tty = common::pty::Console::spawn(cmd);
    tty.wait_for("RLO");
    let _ = tty.wait_exit_within(std::time::Duration::from_secs(20));
    let shown = tty.contents().replace('\n', "");
    assert!(shown.contains("abc\\u202eRLO\\u009b31m"), "{shown}");
}
