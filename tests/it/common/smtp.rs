//! A minimal SMTP peer over tokio TCP on 127.0.0.1 (EHLO/MAIL/RCPT/DATA/QUIT) and a decoder for
//! RFC 2047 header words, for the e-mail tests.

use std::sync::{Arc, Mutex};

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Accepts mail; RCPT to an address starting with "nobody" is refused with 550.
pub async fn smtp_peer(mails: Arc<Mutex<Vec<String>>>, auths: Arc<Mutex<Vec<String>>>) -> u16 {
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
pub fn decode_2047(v: &str) -> String {
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
