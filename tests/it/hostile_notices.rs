//! Hostile text through every notice channel: the ~200 payloads of `common::hostile` are filed
//! in every report field that a notice quotes (and in a leader's instruction), notices are
//! composed by the desk, then sent through the spool folder, the command channel (a real child
//! process), the webhook channel in all four formats (an HTTP server here) and e-mail (an SMTP
//! peer here). What each channel emitted is decoded (JSON, base64, RFC 2047) and searched: no
//! ESC, C1, bidi or zero-width character from user text may survive raw — notices go to phones
//! and chat apps, so they are shown as visible stand-ins (`␛`, `⟦bidi⟧`, `⟦zw⟧`). A secret
//! reference (`${DING}`) in the text must never be expanded into the secret.

use crate::common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use common::hostile::{leak, payloads};
use common::smtp::{decode_2047, smtp_peer};
use common::HttpPeer;
use dutydesk::clock::ManualClock;
use dutydesk::config::{DeliveryLimits, Endpoint, SmtpTls, WebhookFormat};
use dutydesk::delivery::{Dispatcher, Job, Outcome, Secrets, Settings};
use dutydesk::domain::{Actor, ChannelKind, OccurredAt, QueuedNotice, ReportDraft, Reporter};
use dutydesk::service::instructions::InstructionDraft;
use dutydesk::service::{Desk, Request, Response};
use dutydesk::store::OpenOptions;

const DING: &str = "ding-SECRET-value-9";
const SMTP_PASSWORD: &str = "pw-Very-Secret-77";

/// Every string inside a JSON value, with its path.
fn strings(v: &serde_json::Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::String(s) => out.push((path.to_string(), s.clone())),
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                strings(x, &format!("{path}[{i}]"), out);
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                strings(x, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

fn actor() -> Actor {
    Actor {
        officer: "李明".into(),
        os_user: "duty".into(),
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Files the payloads, seven to a report, and composes notices; returns them.
fn compose(dir: &std::path::Path) -> (Vec<QueuedNotice>, usize, usize) {
    // Room for the corpus's longest payloads in every field (the limit is tested in hostile.rs).
    let mut cfg = dutydesk::config::defaults();
    cfg.intake.max_report_bytes = 4 << 20;
    let cfg = Arc::new(cfg);
    let clock = ManualClock::new("2026-11-22T18:10:00Z".parse().unwrap());
    let mut desk = Desk::open(dir, cfg, Arc::new(clock), OpenOptions::default()).unwrap();
    let mut corpus = payloads();
    corpus.push("summary ${DING} and {{token}} ${SMTP_PASSWORD}".into());
    let mut incidents = Vec::new();
    let mut reports = 0;
    let mut instructions = 0;
    for chunk in corpus.chunks(7) {
        let f = |i: usize| chunk.get(i).cloned().unwrap_or_else(|| "x".into());
        let draft = ReportDraft {
            summary: f(0),
            location: Some(f(1)),
            measures: Some(f(2)),
            requests: Some(f(3)),
            occurred_at: Some(OccurredAt::Words(f(4))),
            reporter: Some(Reporter {
                unit: Some(f(5)),
                name: Some(f(6)),
                post: Some(f(0)),
                phone: Some(f(1)),
            }),
            // An unknown category key is outside text too.
            category: Some(f(2)),
            already_told: Some(f(3)),
            ..ReportDraft::default()
        };
        let incident = match desk.handle(&actor(), Request::AddReport { draft }) {
            Response::Filed { incident, .. } => incident,
            r => panic!("{r:?}"),
        };
        reports += 1;
        assert!(
            matches!(notify(&mut desk, &incident), Response::Queued { .. }),
            "first notice"
        );
        incidents.push(incident);
    }
    // Follow-ups that change the key facts (the key-holder rule quotes old and new), and a
    // leader's instruction carrying a payload, relayed as 批示传达 notices.
    for (k, incident) in incidents.iter().enumerate().step_by(4) {
        let p = &corpus[(k * 5 + 1) % corpus.len()];
        let draft = ReportDraft {
            kind: dutydesk::domain::ReportKind::FollowUp,
            incident: Some(incident.clone()),
            summary: format!("续报：{p}"),
            location: Some(format!("新地点{p}")),
            ..ReportDraft::default()
        };
        assert!(matches!(
            desk.handle(&actor(), Request::AddReport { draft }),
            Response::Filed { .. }
        ));
        reports += 1;
        let r = notify(&mut desk, incident);
        assert!(matches!(r, Response::Queued { .. }), "{r:?}");
        let draft = InstructionDraft {
            incident: Some(incident.clone()),
            leader: "王建国".into(),
            received_at: None,
            channel: "phone".into(),
            text: format!("请立即核实{p}并反馈"),
            arrangement: None,
        };
        let id = match desk.handle(&actor(), Request::RecordInstruction(Box::new(draft))) {
            Response::InstructionDone { id, .. } => id,
            r => panic!("{r:?}"),
        };
        let relay = Request::RelayInstruction {
            id,
            to: vec!["县消防救援大队".into()],
            deadline_minutes: Some(60),
        };
        instructions += 1;
        let r = desk.handle(&actor(), relay);
        assert!(matches!(r, Response::InstructionDone { .. }), "{r:?}");
    }
    let mut out = Vec::new();
    for incident in &incidents {
        out.extend(desk.notices_of(incident).unwrap().into_iter().map(|n| n.q));
    }
    (out, reports, instructions)
}

/// Decodes a mail: the subject (RFC 2047) and the body (base64, quoted-printable or plain).
fn decode_mail(mail: &str) -> (String, String) {
    let (head, body) = mail.split_once("\r\n\r\n").unwrap();
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let subject = unfolded
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .map(decode_2047)
        .unwrap_or_default();
    let body = if unfolded.contains("Content-Transfer-Encoding: base64") {
        let b64: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap(),
        )
        .unwrap()
    } else if unfolded.contains("Content-Transfer-Encoding: quoted-printable") {
        let joined = body.replace("=\r\n", "");
        let b = joined.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() {
                out.push(
                    u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16).unwrap(),
                );
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    } else {
        body.to_string()
    };
    // CRLF is how mail ends its lines (a client shows a line break); a bare CR would remain.
    (subject, body.replace("\r\n", "\n"))
}

#[test]
fn no_notice_channel_passes_a_payload_through() {
    let rt = rt();
    let dir = tempfile::tempdir().unwrap();
    let (notices, reports, instructions) = compose(&dir.path().join("data"));
    assert!(notices.len() >= 40, "{} notices", notices.len());
    let corpus_len = payloads().len();

    // What each channel emitted: (channel, what, text as a phone or chat app would show it).
    let mut emitted: Vec<(String, String, String)> = Vec::new();
    for q in &notices {
        emitted.push((
            "composed".into(),
            q.id.clone(),
            format!("{}\n{}", q.subject, q.text),
        ));
    }

    // The peers: a webhook server, an SMTP server, a command that keeps its input and arguments.
    let mails = Arc::new(Mutex::new(Vec::new()));
    let auths = Arc::new(Mutex::new(Vec::new()));
    let smtp_port = rt.block_on(smtp_peer(mails.clone(), auths));
    let peer = rt.block_on(HttpPeer::start(vec![(
        200,
        "{\"errcode\":0,\"code\":0}".into(),
        0,
    )]));
    let got = dir.path().join("command");
    std::fs::create_dir_all(&got).unwrap();
    let script =
        "d=\"$1\"; t=\"$2\"; shift 2; cat > \"$d/$t.json\"; printf '%s\\n' \"$@\" > \"$d/$t.args\"";
    let mut endpoints: BTreeMap<String, Endpoint> = BTreeMap::new();
    endpoints.insert(
        "cmd".into(),
        Endpoint {
            kind: ChannelKind::Command,
            program: "/bin/sh".into(),
            args: [
                "-c",
                script,
                "sh",
                got.to_str().unwrap(),
                "{token}",
                "{to}",
                "{id}",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            timeout_secs: 10,
            ..Endpoint::default()
        },
    );
    let formats = [
        ("generic", WebhookFormat::Generic),
        ("wecom", WebhookFormat::Wecom),
        ("dingtalk", WebhookFormat::Dingtalk),
        ("feishu", WebhookFormat::Feishu),
    ];
    for (name, format) in formats {
        endpoints.insert(
            name.into(),
            Endpoint {
                kind: ChannelKind::Webhook,
                format,
                url: format!("http://{}/{name}", peer.addr),
                secret: if name == "dingtalk" || name == "feishu" {
                    "DING".into()
                } else {
                    String::new()
                },
                ..Endpoint::default()
            },
        );
    }
    endpoints.insert(
        "smtp".into(),
        Endpoint {
            kind: ChannelKind::Email,
            host: "127.0.0.1".into(),
            port: smtp_port,
            tls: SmtpTls::Plain,
            username: "duty".into(),
            password: "SMTP_PASSWORD".into(),
            from: "值班室 <duty@example.gov.cn>".into(),
            ..Endpoint::default()
        },
    );
    let spool = dir.path().join("outbox");
    let settings = Settings {
        endpoints,
        limits: DeliveryLimits {
            concurrency: 4,
            attempts: 1,
            backoff_ms: 10,
            timeout_secs: 20,
            max_wait_secs: 60,
        },
        spool_dir: spool.clone(),
        secrets: Secrets::from_pairs([("DING", DING), ("SMTP_PASSWORD", SMTP_PASSWORD)]),
    };
    let (d, rx) = Dispatcher::start(settings, rt.handle().clone(), None);
    let mut jobs = 0;
    let targets: Vec<(ChannelKind, Option<&str>, Option<&str>)> = vec![
        (ChannelKind::Spool, None, Some("0379-6653350")),
        (ChannelKind::Command, Some("cmd"), Some("13903793350")),
        (ChannelKind::Webhook, Some("generic"), None),
        (ChannelKind::Webhook, Some("wecom"), None),
        (ChannelKind::Webhook, Some("dingtalk"), None),
        (ChannelKind::Webhook, Some("feishu"), None),
        (ChannelKind::Email, Some("smtp"), Some("yjj@example.gov.cn")),
    ];
    for q in &notices {
        for (k, (channel, endpoint, to)) in targets.iter().enumerate() {
            let mut n = q.clone();
            n.id = format!("{}-c{k}", q.id);
            n.channel = *channel;
            n.endpoint = endpoint.map(str::to_string);
            n.to = to.map(str::to_string);
            d.dispatch(Job {
                notice: n,
                dispatch: 1,
            });
            jobs += 1;
        }
    }
    let mut failed = Vec::new();
    for _ in 0..jobs {
        let r = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("a result for every job");
        if !matches!(r.outcome, Outcome::Delivered { .. }) {
            failed.push(format!("{}: {:?}", r.notice, r.outcome));
        }
    }
    assert!(
        failed.is_empty(),
        "{} not delivered: {:?}",
        failed.len(),
        &failed[..failed.len().min(3)]
    );

    // Spool: the text file as it is, the JSON decoded.
    let mut spooled = 0;
    for e in std::fs::read_dir(&spool).unwrap() {
        let p = e.unwrap().path();
        let raw = std::fs::read_to_string(&p).unwrap();
        spooled += 1;
        if p.extension().unwrap() == "json" {
            let mut s = Vec::new();
            strings(&serde_json::from_str(&raw).unwrap(), "", &mut s);
            for (path, v) in s {
                emitted.push(("spool json".into(), format!("{} {path}", p.display()), v));
            }
        } else {
            emitted.push(("spool txt".into(), p.display().to_string(), raw));
        }
    }
    assert_eq!(spooled, 2 * notices.len(), "a .txt and a .json per notice");
    // Command: its stdin (JSON) and its arguments.
    let mut commands = 0;
    for e in std::fs::read_dir(&got).unwrap() {
        let p = e.unwrap().path();
        let raw = std::fs::read_to_string(&p).unwrap();
        if p.extension().unwrap() == "args" {
            emitted.push(("command args".into(), p.display().to_string(), raw));
            continue;
        }
        commands += 1;
        let mut s = Vec::new();
        strings(&serde_json::from_str(&raw).unwrap(), "", &mut s);
        for (path, v) in s {
            emitted.push(("command stdin".into(), format!("{} {path}", p.display()), v));
        }
    }
    assert_eq!(commands, notices.len(), "one stdin per notice");
    // Webhooks: every string in every body, per format.
    let seen = peer.seen.lock().unwrap().clone();
    assert_eq!(
        seen.len(),
        4 * notices.len(),
        "one request per notice and format"
    );
    for s in &seen {
        let mut v = Vec::new();
        strings(&serde_json::from_str(&s.body).unwrap(), "", &mut v);
        for (path, x) in v {
            let format = s.target.split('?').next().unwrap_or_default().to_string();
            emitted.push((format!("webhook {format}"), path, x));
        }
        assert!(
            !s.target.contains(DING) && !s.body.contains(DING),
            "the signing secret is sent"
        );
    }
    // E-mail: the decoded subject and body.
    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), notices.len(), "one mail per notice");
    for m in &mails {
        assert!(!m.contains(SMTP_PASSWORD) && !m.contains(DING));
        let (subject, body) = decode_mail(m);
        emitted.push(("email subject".into(), String::new(), subject));
        emitted.push(("email body".into(), String::new(), body));
    }

    let mut leaks = 0;
    let mut per_channel: BTreeMap<String, usize> = BTreeMap::new();
    for (channel, what, text) in &emitted {
        *per_channel
            .entry(channel.split(' ').take(2).collect::<Vec<_>>().join(" "))
            .or_default() += 1;
        if let Some(c) = leak(text) {
            leaks += 1;
            if leaks <= 5 {
                eprintln!(
                    "{channel} {what}: U+{:04X} survives in {:?}",
                    c as u32,
                    text.chars().take(200).collect::<String>()
                );
            }
        }
        assert!(
            !text.contains(DING) && !text.contains(SMTP_PASSWORD),
            "{channel} {what}: a secret reached the notice"
        );
    }
    // The stand-ins are visible: an ESC in the summary arrives as ␛.
    assert!(emitted
        .iter()
        .any(|(c, _, t)| c == "email body" && t.contains('␛')));
    assert!(emitted
        .iter()
        .any(|(c, _, t)| c.starts_with("webhook") && t.contains("⟦bidi⟧")));
    println!(
        "hostile text through notices: {corpus_len} payloads in {reports} reports and {} instructions → {} notices × 7 channels (spool, command, webhook generic/wecom/dingtalk/feishu, e-mail): {} texts checked {per_channel:?}; leaks {leaks}, secrets 0",
        instructions,
        notices.len(),
        emitted.len(),
    );
    assert_eq!(leaks, 0);
}

/// A notice of `incident` to the county emergency bureau.
fn notify(desk: &mut Desk, incident: &str) -> Response {
    let send = Request::SendNotice {
        incident: incident.into(),
        kind: None,
        recipients: vec!["县应急管理局".into()],
        instruction: None,
    };
    desk.handle(&actor(), send)
}
