//! Delivery against real peers: an HTTP server for each webhook format, child processes for
//! the command channel, the spool folder. SMTP is in `smtp.rs`.

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine;
use common::{notice, HttpPeer, Reply};
use dutydesk::config::{DeliveryLimits, Endpoint, WebhookFormat};
use dutydesk::delivery::{DeliveryResult, Dispatcher, Job, Outcome, Secrets, Settings};
use dutydesk::domain::{ChannelKind, QueuedNotice};
use hmac::{Hmac, Mac};

fn settings(endpoints: Vec<(&str, Endpoint)>, secrets: Secrets, dir: &std::path::Path) -> Settings {
    Settings {
        endpoints: endpoints
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
        limits: DeliveryLimits {
            concurrency: 4,
            attempts: 3,
            backoff_ms: 20,
            timeout_secs: 2,
            max_wait_secs: 60,
        },
        spool_dir: dir.join("outbox"),
        secrets,
    }
}

/// Sends jobs and collects every result until each has a final one.
fn deliver(
    rt: &tokio::runtime::Runtime,
    s: Settings,
    jobs: Vec<QueuedNotice>,
) -> Vec<DeliveryResult> {
    let (d, rx) = Dispatcher::start(s, rt.handle().clone(), None);
    let n = jobs.len();
    for q in jobs {
        d.dispatch(Job {
            notice: q,
            dispatch: 1,
        });
    }
    let mut out = Vec::new();
    let mut finals = 0;
    while finals < n {
        let r = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("a result within 20 s");
        if r.is_final() {
            finals += 1;
        }
        out.push(r);
    }
    out
}

fn hook(url: String, format: WebhookFormat, secret: &str) -> Endpoint {
    Endpoint {
        kind: ChannelKind::Webhook,
        format,
        url,
        secret: secret.into(),
        ..Endpoint::default()
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn hmac_b64(key: &[u8], msg: &[u8]) -> String {
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    m.update(msg);
    base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap()
}

#[test]
fn wecom_dingtalk_feishu_and_generic_bodies_signatures_and_success() {
    let rt = rt();
    let dir = tempfile::tempdir().unwrap();
    let ok_err = (200, r#"{"errcode":0,"errmsg":"ok"}"#.to_string(), 0);
    let wecom = rt.block_on(HttpPeer::start(vec![ok_err.clone()]));
    let ding = rt.block_on(HttpPeer::start(vec![ok_err]));
    let feishu = rt.block_on(HttpPeer::start(vec![(
        200,
        r#"{"code":0,"msg":"success"}"#.into(),
        0,
    )]));
    let generic = rt.block_on(HttpPeer::start(vec![(204, String::new(), 0)]));
    let secrets = Secrets::from_pairs([
        ("WECOM_KEY", "wk-123456"),
        ("DING", "SEC-ding-secret"),
        ("FEI", "fei-secret-9"),
    ]);
    let s = settings(
        vec![
            (
                "wecom",
                hook(
                    wecom.url("/cgi-bin/webhook/send?key=${WECOM_KEY}"),
                    WebhookFormat::Wecom,
                    "",
                ),
            ),
            (
                "ding",
                hook(
                    ding.url("/robot/send?access_token=t"),
                    WebhookFormat::Dingtalk,
                    "DING",
                ),
            ),
            (
                "feishu",
                hook(
                    feishu.url("/open-apis/bot/v2/hook/x"),
                    WebhookFormat::Feishu,
                    "FEI",
                ),
            ),
            (
                "generic",
                hook(generic.url("/hook"), WebhookFormat::Generic, ""),
            ),
        ],
        secrets,
        dir.path(),
    );
    let jobs = ["wecom", "ding", "feishu", "generic"]
        .iter()
        .enumerate()
        .map(|(i, ep)| {
            notice(
                &format!("20261122-001/N00{}", i + 1),
                ChannelKind::Webhook,
                Some(ep),
                None,
            )
        })
        .collect();
    let results = deliver(&rt, s, jobs);
    for r in &results {
        assert!(matches!(r.outcome, Outcome::Delivered { .. }), "{r:?}");
        assert_eq!(r.attempt, 1);
    }
    let q = notice("x", ChannelKind::Webhook, None, None);
    let content = format!("{}\n{}", q.subject, q.text);
    // WeCom: the key came from the secret, the body is the text message.
    let w = wecom.seen.lock().unwrap()[0].clone();
    assert_eq!(w.target, "/cgi-bin/webhook/send?key=wk-123456");
    let b = json(&w.body);
    assert_eq!(b["msgtype"], "text");
    assert_eq!(b["text"]["content"], content.as_str());
    assert!(w
        .headers
        .iter()
        .any(|(k, v)| k == "idempotency-key" && v == "K7P2-Q9XD"));
    // DingTalk: timestamp + sign in the query, sign = HMAC(secret, "ts\nsecret").
    let d = ding.seen.lock().unwrap()[0].clone();
    let url = reqwest::Url::parse(&format!("http://x{}", d.target)).unwrap();
    let qp: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    let ts = &qp["timestamp"];
    assert_eq!(
        qp["sign"],
        hmac_b64(
            b"SEC-ding-secret",
            format!("{ts}\nSEC-ding-secret").as_bytes()
        )
    );
    assert_eq!(json(&d.body)["text"]["content"], content.as_str());
    // Feishu: timestamp + sign in the body, sign = HMAC(key "ts\nsecret", empty).
    let f = json(&feishu.seen.lock().unwrap()[0].body);
    let ts = f["timestamp"].as_str().unwrap();
    assert_eq!(
        f["sign"],
        hmac_b64(format!("{ts}\nfei-secret-9").as_bytes(), b"").as_str()
    );
    assert_eq!(f["msg_type"], "text");
    assert_eq!(f["content"]["text"], content.as_str());
    // Generic: the notice JSON with its idempotency key.
    let g = json(&generic.seen.lock().unwrap()[0].body);
    assert_eq!(g["idempotency_key"], "K7P2-Q9XD");
    assert_eq!(g["text"], q.text.as_str());
}

#[test]
fn vendor_errors_with_http_200_fail_500s_are_retried_and_slow_peers_time_out() {
    let rt = rt();
    let dir = tempfile::tempdir().unwrap();
    let vendor = rt.block_on(HttpPeer::start(vec![(
        200,
        r#"{"errcode":310000,"errmsg":"sign not match"}"#.into(),
        0,
    )]));
    let flaky = rt.block_on(HttpPeer::start(vec![
        (500, "oops".into(), 0),
        (500, "oops".into(), 0),
        (200, r#"{"errcode":0}"#.into(), 0),
    ]));
    let slow = rt.block_on(HttpPeer::start(vec![(
        200,
        r#"{"errcode":0}"#.into(),
        5_000,
    )]));
    let s = settings(
        vec![
            (
                "vendor",
                hook(vendor.url("/v"), WebhookFormat::Dingtalk, ""),
            ),
            ("flaky", hook(flaky.url("/f"), WebhookFormat::Wecom, "")),
            (
                "slow",
                Endpoint {
                    timeout_secs: 1,
                    ..hook(slow.url("/s"), WebhookFormat::Wecom, "")
                },
            ),
        ],
        Secrets::default(),
        dir.path(),
    );
    let jobs = vec![
        notice(
            "20261122-001/N001",
            ChannelKind::Webhook,
            Some("vendor"),
            None,
        ),
        notice(
            "20261122-001/N002",
            ChannelKind::Webhook,
            Some("flaky"),
            None,
        ),
        notice(
            "20261122-001/N003",
            ChannelKind::Webhook,
            Some("slow"),
            None,
        ),
    ];
    let results = deliver(&rt, s, jobs);
    let of = |id: &str| {
        results
            .iter()
            .filter(|r| r.notice.ends_with(id))
            .cloned()
            .collect::<Vec<_>>()
    };
    let v = of("N001");
    assert_eq!(v.len(), 1, "a vendor error is not retried: {v:?}");
    assert!(
        matches!(&v[0].outcome, Outcome::Failed { error, retrying: false } if error.contains("310000"))
    );
    let f = of("N002");
    assert_eq!(f.len(), 3, "{f:?}");
    assert!(
        matches!(&f[0].outcome, Outcome::Failed { retrying: true, error } if error.contains("500"))
    );
    assert!(matches!(f[2].outcome, Outcome::Delivered { .. }));
    assert_eq!(flaky.seen.lock().unwrap().len(), 3);
    let t = of("N003");
    assert_eq!(t.len(), 3, "timeouts are retried up to the limit: {t:?}");
    assert!(
        matches!(&t[2].outcome, Outcome::Failed { retrying: false, error } if error.contains("timed out"))
    );
}

fn command(program: &str, args: &[&str], timeout: u32) -> Endpoint {
    Endpoint {
        kind: ChannelKind::Command,
        program: program.into(),
        args: args.iter().map(|s| s.to_string()).collect(),
        timeout_secs: timeout,
        ..Endpoint::default()
    }
}

#[test]
fn command_channel_success_hang_exit_1_and_escape_sequences() {
    let rt = rt();
    let dir = tempfile::tempdir().unwrap();
    let got = dir.path().join("got.json");
    let script = format!(
        "cat > {}; echo \"sent to $1; PATH=$PATH; HOME=${{HOME:-none}}\"",
        got.display()
    );
    let pidfile = dir.path().join("hang.pid");
    let hang = format!("echo $$ > {}; exec sleep 30", pidfile.display());
    let s = Settings {
        limits: DeliveryLimits {
            attempts: 1,
            ..DeliveryLimits::default()
        },
        ..settings(
            vec![
                ("ok", command("/bin/sh", &["-c", &script, "sh", "{to}"], 5)),
                ("hang", command("/bin/sh", &["-c", &hang], 1)),
                (
                    "fail",
                    command("/bin/sh", &["-c", "echo broken >&2; exit 1"], 5),
                ),
                (
                    "esc",
                    command(
                        "/usr/bin/printf",
                        &["\\033[31mred\\033]0;title\\007 \\302\\233x"],
                        5,
                    ),
                ),
            ],
            Secrets::default(),
            dir.path(),
        )
    };
    let jobs = ["ok", "hang", "fail", "esc"]
        .iter()
        .enumerate()
        .map(|(i, ep)| {
            notice(
                &format!("20261122-001/N00{}", i + 1),
                ChannelKind::Command,
                Some(ep),
                Some("0379-1234"),
            )
        })
        .collect();
    let results = deliver(&rt, s, jobs);
    let of = |id: &str| {
        results
            .iter()
            .find(|r| r.notice.ends_with(id))
            .unwrap()
            .outcome
            .clone()
    };
    match of("N001") {
        Outcome::Delivered { detail } => {
            assert!(detail.starts_with("exit 0: sent to 0379-1234"), "{detail}");
            assert!(
                detail.contains("PATH=/usr/local/bin:/usr/bin:/bin"),
                "{detail}"
            );
            assert!(
                detail.contains("HOME=none"),
                "environment cleared: {detail}"
            );
        }
        o => panic!("{o:?}"),
    }
    let stdin: serde_json::Value = json(&std::fs::read_to_string(&got).unwrap());
    assert_eq!(stdin["token"], "K7P2-Q9XD");
    match of("N002") {
        Outcome::Failed { error, .. } => assert!(error.contains("killed after 1 s"), "{error}"),
        o => panic!("{o:?}"),
    }
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let alive = unsafe { libc_kill(pid) };
    assert!(!alive, "the hung child {pid} was killed");
    match of("N003") {
        Outcome::Failed { error, .. } => assert_eq!(error, "exit 1: broken"),
        o => panic!("{o:?}"),
    }
    match of("N004") {
        Outcome::Delivered { detail } => {
            assert!(
                !detail.contains('\u{1b}')
                    && !detail.contains('\u{9b}')
                    && !detail.contains('\u{7}'),
                "{detail:?}"
            );
            assert!(detail.contains("␛[31mred"), "{detail:?}");
        }
        o => panic!("{o:?}"),
    }
}

/// True while a process exists (kill with signal 0; a zombie counts as gone once reaped).
unsafe fn libc_kill(pid: i32) -> bool {
    extern "C" {
        fn kill(pid: i32, sig: i32) -> i32;
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    kill(pid, 0) == 0 && !stat.contains(") Z")
}

#[test]
fn spool_writes_private_txt_and_json_and_a_resend_overwrites() {
    let rt = rt();
    let dir = tempfile::tempdir().unwrap();
    let q = notice(
        "20261122-001/N001",
        ChannelKind::Spool,
        None,
        Some("0379-6653350"),
    );
    let s = settings(vec![], Secrets::default(), dir.path());
    let r = deliver(&rt, s.clone(), vec![q.clone()]);
    assert!(matches!(r[0].outcome, Outcome::Delivered { .. }));
    deliver(&rt, s, vec![q.clone()]);
    let files: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    use std::os::unix::fs::PermissionsExt;
    for f in &files {
        assert_eq!(
            std::fs::metadata(f).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let txt = files
        .iter()
        .find(|f| f.extension().unwrap() == "txt")
        .unwrap();
    let text = std::fs::read_to_string(txt).unwrap();
    assert!(text.contains(&q.text) && text.contains("K7P2-Q9XD"));
}

fn generic(url: String) -> Endpoint {
    hook(url, WebhookFormat::Generic, "")
}

fn failed(r: &DeliveryResult) -> (&str, bool) {
    match &r.outcome {
        Outcome::Failed { error, retrying } => (error.as_str(), *retrying),
        o => panic!("expected a failure, got {o:?}"),
    }
}

#[test]
fn a_redirect_is_refused_not_followed_and_names_no_key() {
    let rt = rt();
    let dir = tempfile::tempdir().unwrap();
    let peer = rt.block_on(HttpPeer::start_replies(vec![
        Reply {
            status: 302,
            headers: vec![("location".into(), "/elsewhere?key=k-Leak-42".into())],
            ..Reply::default()
        },
        Reply {
            status: 200,
            body: "{}".into(),
            ..Reply::default()
        },
    ]));
    let s = settings(
        vec![("h", generic(peer.url("/hook?key=${HOOK_KEY}")))],
        Secrets::from_pairs([("HOOK_KEY", "k-Secret-9")]),
        dir.path(),
    );
    let results = deliver(
        &rt,
        s,
        vec![notice(
            "20261122-001/N001",
            ChannelKind::Webhook,
            Some("h"),
            None,
        )],
    );
    assert_eq!(
        results.len(),
        1,
        "a refused redirect is not retried: {results:?}"
    );
    let (error, retrying) = failed(&results[0]);
    assert!(!retrying);
    assert!(error.contains("redirect to"), "{error}");
    assert!(
        error.contains("refused") && error.contains("/elsewhere"),
        "{error}"
    );
    assert!(
        !error.contains("k-Leak-42") && !error.contains("k-Secret-9"),
        "{error}"
    );
    let seen = peer.seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "the redirect was not followed: {seen:?}");
    assert_eq!(seen[0].method, "POST");
    assert!(seen
        .iter()
        .all(|r| r.headers.iter().all(|(k, _)| k != "referer")));
}

#[test]
fn retry_after_on_429_is_waited_for_then_delivered() {
    let rt = rt();
    let dir = tempfile::tempdir().unwrap();
    let peer = rt.block_on(HttpPeer::start_replies(vec![
        Reply {
            status: 429,
            headers: vec![("retry-after".into(), "1".into())],
            body: "slow down".into(),
            ..Reply::default()
        },
        Reply {
            status: 200,
            body: "{}".into(),
            ..Reply::default()
        },
    ]));
    let s = settings(
        vec![("h", generic(peer.url("/h")))],
        Secrets::default(),
        dir.path(),
    );
    let results = deliver(
        &rt,
        s,
        vec![notice(
            "20261122-001/N001",
            ChannelKind::Webhook,
            Some("h"),
            None,
        )],
    );
    assert_eq!(results.len(), 2, "{results:?}");
    let (error, retrying) = failed(&results[0]);
    assert!(
        retrying && error.contains("429") && error.contains("Retry-After 1 s"),
        "{error}"
    );
    assert_eq!(results[1].attempt, 2);
    assert!(
        matches!(results[1].outcome, Outcome::Delivered { .. }),
        "{results:?}"
    );
    let seen = peer.seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    // The configured backoff is 20 ms: only the peer's Retry-After explains a second's pause.
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_secs(1), "waited {gap:?}");
}

#[test]
fn a_huge_reply_is_read_only_up_to_the_cap() {
    let rt = rt();
    let dir = tempfile::tempdir().unwrap();
    const HUGE: usize = 256 * 1024 * 1024;
    let big = |body: &str| Reply {
        status: 200,
        body: body.into(),
        pad: HUGE,
        ..Reply::default()
    };
    let generic_peer = rt.block_on(HttpPeer::start_replies(vec![big("")]));
    let robot_peer = rt.block_on(HttpPeer::start_replies(vec![big(r#"{"errcode":0"#)]));
    let s = settings(
        vec![
            ("g", generic(generic_peer.url("/g"))),
            ("w", hook(robot_peer.url("/w"), WebhookFormat::Wecom, "")),
        ],
        Secrets::default(),
        dir.path(),
    );
    let results = deliver(
        &rt,
        s,
        vec![
            notice("20261122-001/N001", ChannelKind::Webhook, Some("g"), None),
            notice("20261122-001/N002", ChannelKind::Webhook, Some("w"), None),
        ],
    );
    let g: Vec<_> = results
        .iter()
        .filter(|r| r.notice.ends_with("N001"))
        .collect();
    assert!(matches!(g[0].outcome, Outcome::Delivered { .. }), "{g:?}");
    let w: Vec<_> = results
        .iter()
        .filter(|r| r.notice.ends_with("N002"))
        .collect();
    let (error, _) = failed(w[0]);
    assert!(error.contains("not JSON"), "{error}");
    assert!(error.chars().count() <= dutydesk::delivery::MAX_DETAIL + 1);
    std::thread::sleep(Duration::from_millis(300));
    for p in [&generic_peer, &robot_peer] {
        let n = p.written.load(std::sync::atomic::Ordering::SeqCst);
        // 64 KiB read, plus what the kernel's socket buffers took before the hang-up.
        assert!(n < 32 * 1024 * 1024, "{n} of {HUGE} bytes went out");
    }
}

#[test]
fn refused_dns_tls_and_plaintext_failures_say_which() {
    let rt = rt();
    let dir = tempfile::tempdir().unwrap();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    // Answers anything with plain text: a TLS client sees a corrupt handshake.
    let not_tls = rt.block_on(async {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let a = l.local_addr().unwrap();
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            while let Ok((mut s, _)) = l.accept().await {
                let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            }
        });
        a
    });
    let s = settings(
        vec![
            ("refused", generic(format!("http://{closed}/"))),
            (
                "dns",
                Endpoint {
                    allow_plaintext: true,
                    ..generic("http://no-such-host.invalid/".into())
                },
            ),
            ("tls", generic(format!("https://{not_tls}/"))),
            ("plain", generic("http://${HOOK}/".into())),
        ],
        Secrets::from_pairs([("HOOK", "robot.example.com")]),
        dir.path(),
    );
    let results = deliver(
        &rt,
        s,
        vec![
            notice(
                "20261122-001/N001",
                ChannelKind::Webhook,
                Some("refused"),
                None,
            ),
            notice("20261122-001/N002", ChannelKind::Webhook, Some("dns"), None),
            notice("20261122-001/N003", ChannelKind::Webhook, Some("tls"), None),
            notice(
                "20261122-001/N004",
                ChannelKind::Webhook,
                Some("plain"),
                None,
            ),
        ],
    );
    let last = |id: &str| {
        results
            .iter()
            .rfind(|r| r.notice.ends_with(id))
            .map(|r| failed(r).0.to_string())
            .unwrap()
    };
    let table = [
        ("N001", "connection refused"),
        ("N002", "DNS"),
        ("N003", "TLS failed"),
        ("N004", "allow_plaintext"),
    ];
    for (id, want) in table {
        let e = last(id);
        assert!(e.contains(want), "{id}: {e:?} should say {want:?}");
        assert!(!e.contains("error sending request"), "{id}: {e}");
    }
}
