//! E-mail against a real SMTP peer: a minimal server written here over tokio TCP on 127.0.0.1
//! (EHLO/MAIL/RCPT/DATA/QUIT). The Chinese subject (RFC 2047) and the body (base64) are
//! decoded and compared byte for byte; a rejected recipient is a permanent failure.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use dutydesk::config::{DeliveryLimits, Endpoint, SmtpTls};
use dutydesk::delivery::{Dispatcher, Job, Outcome, Secrets, Settings};
use dutydesk::domain::ChannelKind;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Accepts mail; RCPT to an address starting with "nobody" is refused with 550.
async fn smtp_peer(mails: Arc<Mutex<Vec<String>>>, auths: Arc<Mutex<Vec<String>>>) -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((s, _)) = l.accept().await else { return };
            let (mails, auths) = (mails.clone(), auths.clone());
            tokio::spawn(async move {
                let (r, mut w) = s.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 peer ESMTP\r\n").await.unwrap();
                let mut data = false;
                let mut mail = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if data {
                        if line == "." {
                            data = false;
                            mails.lock().unwrap().push(std::mem::take(&mut mail));
                            w.write_all(b"250 2.0.0 queued as 42\r\n").await.unwrap();
                        } else {
                            mail.push_str(line.strip_prefix('.').unwrap_or(&line));
                            mail.push_str("\r\n");
                        }
                        continue;
                    }
                    let up = line.to_ascii_uppercase();
                    let reply: &[u8] = if up.starts_with("EHLO") {
                        b"250-peer\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n"
                    } else if up.starts_with("AUTH") {
                        auths.lock().unwrap().push(line.clone());
                        b"235 2.7.0 ok\r\n"
                    } else if up.starts_with("RCPT") && up.contains("NOBODY") {
                        b"550 5.1.1 no such user\r\n"
                    } else if up.starts_with("DATA") {
                        data = true;
                        b"354 go ahead\r\n"
                    } else if up.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    port
}

/// Decodes RFC 2047 encoded words (B and Q) in a header value.
fn decode_2047(v: &str) -> String {
    let mut out = Vec::new();
    for word in v.split_whitespace() {
        let parts: Vec<&str> = word.split('?').collect();
        if parts.len() == 5 && parts[0] == "=" && parts[4] == "=" {
            match parts[2].to_ascii_uppercase().as_str() {
                "B" => out.extend(
                    base64::engine::general_purpose::STANDARD
                        .decode(parts[3])
                        .unwrap(),
                ),
                _ => {
                    let b = parts[3].as_bytes();
                    let mut i = 0;
                    while i < b.len() {
                        match b[i] {
                            b'_' => out.push(b' '),
                            b'=' => {
                                out.push(
                                    u8::from_str_radix(
                                        std::str::from_utf8(&b[i + 1..i + 3]).unwrap(),
                                        16,
                                    )
                                    .unwrap(),
                                );
                                i += 2;
                            }
                            c => out.push(c),
                        }
                        i += 1;
                    }
                }
            }
        } else {
            out.extend(word.as_bytes());
        }
    }
    String::from_utf8(out).unwrap()
}

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
