//! E-mail against a real SMTP peer: a minimal server (`common/smtp.rs`) over tokio TCP on 127.0.0.1
//! (EHLO/MAIL/RCPT/DATA/QUIT). The Chinese subject (RFC 2047) and the body (base64) are
//! decoded and compared byte for byte; a rejected recipient is a permanent failure.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use common::smtp::{decode_2047, smtp_peer};
use dutydesk::config::{DeliveryLimits, Endpoint, SmtpTls};
use dutydesk::delivery::{Dispatcher, Job, Outcome, Secrets, Settings};
use dutydesk::domain::ChannelKind;

#[test]
fn a_chinese_mail_arrives_byte_for_byte_and_a_refused_rcpt_is_permanent() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let auths = Arc::new(Mutex::new(Vec::new()));
    let port = rt.block_on(smtp_peer(mails.clone(), auths.clone()));
    let dir = tempfile::tempdir().unwrap();
    let ep = Endpoint {
        kind: ChannelKind::Email,
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::Plain,
        username: "duty".into(),
        password: "SMTP_PASSWORD".into(),
        from: "值班室 <duty@example.gov.cn>".into(),
        ..Endpoint::default()
    };
    let settings = Settings {
        endpoints: [("smtp".to_string(), ep)].into_iter().collect(),
        limits: DeliveryLimits {
            attempts: 1,
            ..DeliveryLimits::default()
        },
        spool_dir: dir.path().join("outbox"),
        secrets: Secrets::from_pairs([("SMTP_PASSWORD", "pw-Very-Secret-77")]),
    };
    let (d, rx) = Dispatcher::start(settings, rt.handle().clone(), None);
    let good = common::notice(
        "20261122-001/N001",
        ChannelKind::Email,
        Some("smtp"),
        Some("yjj@example.gov.cn"),
    );
    let bad = common::notice(
        "20261122-001/N002",
        ChannelKind::Email,
        Some("smtp"),
        Some("nobody@example.gov.cn"),
    );
    d.dispatch(Job {
        notice: good.clone(),
        dispatch: 1,
    });
    d.dispatch(Job {
        notice: bad,
        dispatch: 1,
    });
    let mut results = vec![
        rx.recv_timeout(Duration::from_secs(20)).unwrap(),
        rx.recv_timeout(Duration::from_secs(20)).unwrap(),
    ];
    results.sort_by(|a, b| a.notice.cmp(&b.notice));
    assert!(
        matches!(&results[0].outcome, Outcome::Delivered { detail } if detail.contains("250")),
        "{results:?}"
    );
    match &results[1].outcome {
        Outcome::Failed { error, retrying } => {
            assert!(!retrying, "a 550 is permanent");
            assert!(
                error.contains("550") || error.contains("no such user"),
                "{error}"
            );
            assert!(!error.contains("pw-Very-Secret-77"));
        }
        o => panic!("{o:?}"),
    }
    assert_eq!(auths.lock().unwrap().len(), 2, "logged in with the secret");
    let mail = mails.lock().unwrap()[0].clone();
    let (head, body) = mail.split_once("\r\n\r\n").unwrap();
    // Unfold headers, then find the subject.
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let subject = unfolded
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap();
    assert_eq!(decode_2047(subject).as_bytes(), good.subject.as_bytes());
    assert!(
        unfolded.contains("Content-Transfer-Encoding: base64"),
        "{unfolded}"
    );
    assert!(
        unfolded.contains("K7P2-Q9XD"),
        "the token is in the Message-ID: {unfolded}"
    );
    let b64: String = body.split_whitespace().collect();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    // Mail text is CRLF on the wire (RFC 5322): the body is the notice text, byte for byte, in
    // that canonical form.
    assert_eq!(decoded, good.text.replace('\n', "\r\n").as_bytes());
}

#[test]
fn a_refused_port_says_refused_and_plain_smtp_elsewhere_is_not_tried() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let ep = |host: &str| Endpoint {
        kind: ChannelKind::Email,
        host: host.into(),
        port: closed,
        tls: SmtpTls::Plain,
        from: "duty@example.gov.cn".into(),
        ..Endpoint::default()
    };
    let settings = Settings {
        endpoints: [
            ("local".to_string(), ep("127.0.0.1")),
            ("remote".to_string(), ep("smtp.example.gov.cn")),
        ]
        .into_iter()
        .collect(),
        limits: DeliveryLimits {
            attempts: 1,
            ..DeliveryLimits::default()
        },
        spool_dir: dir.path().join("outbox"),
        secrets: Secrets::default(),
    };
    let (d, rx) = Dispatcher::start(settings, rt.handle().clone(), None);
    for (id, target) in [("N001", "local"), ("N002", "remote")] {
        d.dispatch(Job {
            notice: common::notice(
                &format!("20261122-001/{id}"),
                ChannelKind::Email,
                Some(target),
                Some("yjj@example.gov.cn"),
            ),
            dispatch: 1,
        });
    }
    let mut errors = std::collections::BTreeMap::new();
    for _ in 0..2 {
        let r = rx.recv_timeout(Duration::from_secs(20)).unwrap();
        match r.outcome {
            Outcome::Failed { error, .. } => errors.insert(r.notice, error),
            o => panic!("{o:?}"),
        };
    }
    let local = &errors["20261122-001/N001"];
    assert!(local.contains("connection refused"), "{local}");
    let remote = &errors["20261122-001/N002"];
    assert!(remote.contains("allow_plaintext"), "{remote}");
}
