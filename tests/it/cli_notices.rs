//! The notice commands of the real binary: `notify`, `notices`, `ack`, directly on the store
//! and through a running console's socket (`serve` delivers and ticks).

use crate::common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{stderr, stdout, Sandbox};

const REPORT: &str =
    r#"{"summary":"据说村里仓库起火","location":"石门乡","category":"fire","level":"IV"}"#;

fn tokens(sb: &Sandbox) -> Vec<(String, String, String)> {
    let o = sb.run(&["notices", "--format", "json"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["q"]["recipient"].as_str().unwrap().to_string(),
                n["q"]["token"].as_str().unwrap().to_string(),
                n["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn notify_preview_send_and_ack_directly_and_through_the_socket() {
    let sb = Sandbox::new();
    let o = sb.run(&["report", "add"], Some(REPORT));
    let number = stdout(&o).trim().to_string();
    // Preview: recipients with why, the unverified mark, nothing written.
    let o = sb.run(&["--lang", "en", "notify", &number], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("functional department for Fire"), "{out}");
    assert!(out.contains("【待核实 / unverified】"), "{out}");
    assert!(tokens(&sb).is_empty());
    // Send directly: delivered in-process, each outcome printed.
    let o = sb.run(
        &[
            "notify",
            &number,
            "--drop",
            "石门乡人民政府",
            "--send",
            "--wait",
            "10",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("spooled") && out.contains("to call"),
        "a spooled file is not 'delivered': somebody must print or fax it: {out}"
    );
    assert!(!out.contains("石门乡人民政府 ["), "dropped: {out}");
    let direct = tokens(&sb);
    assert_eq!(direct.len(), 3, "{direct:?}");

    let mut child = sb
        .cmd()
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let sock = sb.data().join("dutydesk.sock");
    let t0 = Instant::now();
    while !sock.exists() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "socket never appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Through the socket: the console queues, delivers and ticks; the CLI polls the outcome.
    let o = sb.run(
        &[
            "notify",
            &number,
            "--to",
            "县水利局",
            "--send",
            "--wait",
            "10",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("县水利局"), "{}", stdout(&o));
    let all = tokens(&sb);
    let water = all.iter().find(|(r, _, _)| r == "县水利局").unwrap();
    assert_eq!(water.2, "delivered");
    let o = sb.run(&["ack", &water.1.to_lowercase(), "--note", "收到"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = sb.run(&["ack", &water.1], None);
    assert_eq!(o.status.code(), Some(2), "a second ack is refused");
    let o = sb.run(&["notices", "--pending"], None);
    assert!(!stdout(&o).contains("县水利局"), "{}", stdout(&o));
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let t0 = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(t0.elapsed() < Duration::from_secs(5), "serve did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = sb.run(&["verify"], None);
    assert!(o.status.success(), "{}", stdout(&o));
    let o = sb.run(&["--lang", "en", "log"], None);
    assert!(
        stdout(&o).contains("acknowledged by 县水利局"),
        "{}",
        stdout(&o)
    );
}

/// The plaintext rule, as `config check` applies it: (endpoint table, refused?, key named).
#[test]
fn config_check_refuses_plaintext_to_another_host() {
    let sb = Sandbox::new();
    let hook = |url: &str, extra: &str| {
        format!("[notices.endpoints.h]\nkind = \"webhook\"\nurl = \"{url}\"\n{extra}")
    };
    let mail = |host: &str, tls: &str, extra: &str| {
        format!(
            "[notices.endpoints.m]\nkind = \"email\"\nhost = \"{host}\"\nfrom = \"duty@example.cn\"\ntls = \"{tls}\"\n{extra}"
        )
    };
    let table = [
        (
            hook("http://robot.example.com/send?key=${K}", ""),
            Some(("notices.endpoints.h.url", 3)),
        ),
        (
            hook("HTTP://10.0.0.5:8080/x", ""),
            Some(("notices.endpoints.h.url", 3)),
        ),
        (
            hook("http://${HOOK_HOST}/x", ""),
            Some(("notices.endpoints.h.url", 3)),
        ),
        (hook("https://robot.example.com/send", ""), None),
        (hook("http://127.0.0.1:9/x", ""), None),
        (hook("http://127.3.4.5/x", ""), None),
        (hook("http://[::1]:8080/x", ""), None),
        (hook("http://localhost/x", ""), None),
        (
            hook("http://robot.example.com/x", "allow_plaintext = true\n"),
            None,
        ),
        (
            mail("smtp.example.cn", "plain", ""),
            Some(("notices.endpoints.m.tls", 5)),
        ),
        (mail("smtp.example.cn", "starttls", ""), None),
        (mail("localhost", "plain", ""), None),
        (mail("127.0.0.1", "plain", ""), None),
        (
            mail("smtp.example.cn", "plain", "allow_plaintext = true\n"),
            None,
        ),
    ];
    for (i, (text, want)) in table.iter().enumerate() {
        let f = sb.path().join(format!("c{i}.toml"));
        std::fs::write(&f, text).unwrap();
        let o = sb.run(&["config", "check", f.to_str().unwrap()], None);
        match want {
            Some((key, line)) => {
                assert_eq!(o.status.code(), Some(2), "{text}\n{}", stdout(&o));
                let e = stderr(&o);
                assert!(
                    e.contains(&format!("{}:{line}:", f.display())),
                    "{text}\n{e}"
                );
                assert!(
                    e.contains(key) && e.contains("allow_plaintext"),
                    "{text}\n{e}"
                );
                assert!(e.contains("只限本机"), "Chinese first: {e}");
            }
            None => assert!(o.status.success(), "{text}\n{}", stderr(&o)),
        }
    }
}

#[test]
fn notify_send_exits_1_and_lists_the_notices_that_failed() {
    let sb = Sandbox::new();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let f = sb.path().join("c.toml");
    std::fs::write(
        &f,
        format!(
            r#"
[notices.delivery]
attempts = 1
[notices.endpoints.hook]
kind = "webhook"
url = "http://{closed}/send"

[[units]]
name = "县应急管理局"
kind = "department"
authoritative_for = ["fire"]
contacts = [{{ channel = "webhook", target = "hook" }}]
"#
        ),
    )
    .unwrap();
    let cfg = f.to_str().unwrap();
    let o = sb.run(&["--config", cfg, "report", "add"], Some(REPORT));
    assert!(o.status.success(), "{}", stderr(&o));
    let number = stdout(&o).trim().to_string();
    let o = sb.run(
        &[
            "--config",
            cfg,
            "notify",
            &number,
            "--to",
            "县应急管理局",
            "--send",
            "--wait",
            "10",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}\n{}", stdout(&o), stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("1 notice(s) failed") && e.contains(&number),
        "{e}"
    );
    assert!(stdout(&o).contains("connection refused"), "{}", stdout(&o));
}

#[test]
fn a_level_read_from_the_words_sets_the_deadlines_as_a_typed_one_would() {
    // No level typed; the words say 12 dead (level II): a department has 15 minutes to
    // acknowledge, not the 30 of an ungraded incident, and the leader 10, not 15.
    let sb = Sandbox::new();
    let crash = r#"{"summary":"一辆大客车与货车相撞,造成12人死亡、30人受伤。","reporter":{"unit":"县公安局指挥中心"}}"#;
    let o = sb.run(&["report", "add", "-"], Some(crash));
    let number = stdout(&o).trim().to_string();
    let o = sb.run(&["notify", &number, "--send", "--wait", "10"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = sb.run(&["notices", "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let minutes = |who: &str| {
        let n = v
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["q"]["recipient"] == who)
            .unwrap_or_else(|| panic!("{who} not notified"));
        let t = |s: &serde_json::Value| {
            chrono::DateTime::parse_from_rfc3339(s.as_str().unwrap()).unwrap()
        };
        ((t(&n["q"]["deadline"]) - t(&n["queued_at"])).num_seconds() + 30) / 60
    };
    assert_eq!(minutes("县公安局交通警察大队"), 15);
    assert_eq!(minutes("刘志强"), 10);
}
