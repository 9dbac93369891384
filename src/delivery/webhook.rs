//! The webhook channel: an HTTP POST of a generic JSON body, or the group-robot formats of
//! WeCom (企业微信), DingTalk (钉钉, signed with `timestamp` + `sign` query parameters) and Feishu
//! (飞书, signed with `timestamp` + `sign` in the body). These robots answer errors with
//! HTTP 200, so success is judged from the body. The token travels as `Idempotency-Key`.

use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Secrets, SendError};
use crate::config::{Endpoint, WebhookFormat};
use crate::domain::QueuedNotice;

fn hmac_b64(key: &[u8], msg: &[u8]) -> String {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(msg);
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// DingTalk's signature: base64(HMAC-SHA256(key = secret, "{timestamp_ms}\n{secret}")).
pub fn dingtalk_sign(timestamp_ms: i64, secret: &str) -> String {
    hmac_b64(
        secret.as_bytes(),
        format!("{timestamp_ms}\n{secret}").as_bytes(),
    )
}

/// Feishu's signature: base64(HMAC-SHA256(key = "{timestamp_s}\n{secret}", empty message)).
pub fn feishu_sign(timestamp_s: i64, secret: &str) -> String {
    hmac_b64(format!("{timestamp_s}\n{secret}").as_bytes(), b"")
}

/// The message text robots show: subject, body.
fn content(n: &QueuedNotice) -> String {
    format!("{}\n{}", n.subject, n.text)
}

/// The URL (secrets expanded, DingTalk signature added) and the JSON body for a notice.
pub fn request(
    ep: &Endpoint,
    secrets: &Secrets,
    n: &QueuedNotice,
    now_ms: i64,
) -> Result<(reqwest::Url, serde_json::Value), SendError> {
    let url = secrets.expand(&ep.url).map_err(SendError::permanent)?;
    // Checked again with secrets expanded: a `${HOOK}` URL is only known now.
    let expanded = Endpoint {
        url: url.clone(),
        ..ep.clone()
    };
    if let Some((_, why)) = crate::config::plaintext(&expanded) {
        return Err(SendError::permanent(why));
    }
    let mut url =
        reqwest::Url::parse(&url).map_err(|e| SendError::permanent(format!("webhook url: {e}")))?;
    let secret = if ep.secret.is_empty() {
        None
    } else {
        Some(
            secrets
                .get(&ep.secret)
                .ok_or_else(|| SendError::permanent(super::secrets::missing(&ep.secret)))?,
        )
    };
    let text = serde_json::json!({ "content": content(n) });
    let body = match ep.format {
        WebhookFormat::Generic => super::notice_json(n),
        WebhookFormat::Wecom => serde_json::json!({ "msgtype": "text", "text": text }),
        WebhookFormat::Dingtalk => {
            if let Some(s) = secret {
                url.query_pairs_mut()
                    .append_pair("timestamp", &now_ms.to_string())
                    .append_pair("sign", &dingtalk_sign(now_ms, s));
            }
            serde_json::json!({ "msgtype": "text", "text": text })
        }
        WebhookFormat::Feishu => {
            let mut b = serde_json::json!({
                "msg_type": "text",
                "content": { "text": content(n) },
            });
            if let (Some(s), Some(obj)) = (secret, b.as_object_mut()) {
                let ts = now_ms / 1000;
                obj.insert("timestamp".into(), ts.to_string().into());
                obj.insert("sign".into(), feishu_sign(ts, s).into());
            }
            b
        }
    };
    Ok((url, body))
}

/// Judges a reply: the robots' `errcode`/`code` must be 0; a generic hook needs only a 2xx.
pub fn judge(format: WebhookFormat, status: u16, body: &str) -> Result<String, SendError> {
    let short: String = body.chars().take(200).collect();
    if status == 429 || status >= 500 {
        return Err(SendError::transient(format!("HTTP {status}: {short}")));
    }
    if !(200..300).contains(&status) {
        return Err(SendError::permanent(format!("HTTP {status}: {short}")));
    }
    let key = match format {
        WebhookFormat::Generic => return Ok(format!("HTTP {status}")),
        WebhookFormat::Wecom | WebhookFormat::Dingtalk => "errcode",
        WebhookFormat::Feishu => "code",
    };
    let v: serde_json::Value = serde_json::from_str(body).map_err(|_| {
        SendError::permanent(format!("HTTP {status} but the reply is not JSON: {short}"))
    })?;
    // Older Feishu hooks answer `StatusCode` instead of `code`.
    let code = v
        .get(key)
        .or_else(|| v.get("StatusCode"))
        .and_then(serde_json::Value::as_i64);
    match code {
        Some(0) => Ok(format!("HTTP {status}, {key} 0")),
        Some(c) => Err(SendError::permanent(format!(
            "HTTP {status} but {key} {c}: {short}"
        ))),
        None => Err(SendError::permanent(format!(
            "HTTP {status} without {key}: {short}"
        ))),
    }
}

/// The most of a reply that is read; the rest is never fetched.
pub const MAX_REPLY: usize = 64 * 1024;

/// `Retry-After` as seconds or an HTTP date (past dates are no wait).
pub fn retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let ms = (at.with_timezone(&chrono::Utc) - now)
        .num_milliseconds()
        .max(0);
    Some(Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
}

/// A failed request in a few words: TLS, DNS, refused, timeout, or could not connect. The
/// URL (which may hold a key) is never in it.
pub fn classify(e: &reqwest::Error, https: bool) -> SendError {
    if e.is_timeout() {
        return SendError::transient("超时 / timed out");
    }
    let mut texts = Vec::new();
    let mut refused = false;
    let mut invalid_data = false;
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            refused |= io.kind() == std::io::ErrorKind::ConnectionRefused;
            invalid_data |= io.kind() == std::io::ErrorKind::InvalidData;
        }
        texts.push(s.to_string());
        src = s.source();
    }
    let all = texts.join(": ").to_lowercase();
    let inner: String = texts
        .last()
        .map(|t| t.chars().take(120).collect())
        .unwrap_or_default();
    let has = |words: &[&str]| words.iter().any(|w| all.contains(w));
    if refused || has(&["connection refused"]) {
        SendError::transient("连接被拒绝 / connection refused")
    } else if has(&[
        "dns error",
        "failed to lookup address",
        "name or service not known",
    ]) {
        SendError::transient(format!("域名解析失败 / DNS lookup failed: {inner}"))
    } else if https
        && (invalid_data
            || has(&[
                "certificate",
                "tls",
                "handshake",
                "corrupt message",
                "alert",
            ]))
    {
        SendError::permanent(format!("TLS 失败 / TLS failed: {inner}"))
    } else if has(&["timed out"]) {
        SendError::transient("超时 / timed out")
    } else if e.is_connect() {
        SendError::transient(format!("无法连接 / could not connect: {inner}"))
    } else {
        SendError::transient(format!("发送失败 / request failed: {inner}"))
    }
}

/// Where a redirect pointed, without its query (which may hold a key).
fn redirect_target(base: &reqwest::Url, location: Option<&str>) -> String {
    match location.and_then(|l| base.join(l).ok()) {
        Some(u) => format!(
            "{}://{}{}{}",
            u.scheme(),
            u.host_str().unwrap_or(""),
            u.port().map(|p| format!(":{p}")).unwrap_or_default(),
            u.path()
        ),
        None => "?".into(),
    }
}

/// Posts one notice.
pub async fn post(
    http: &reqwest::Client,
    ep: &Endpoint,
    secrets: &Secrets,
    n: &QueuedNotice,
) -> Result<String, SendError> {
    let now_ms = chrono::Utc::now().timestamp_millis();
    let (url, body) = request(ep, secrets, n, now_ms)?;
    let https = url.scheme() == "https";
    let base = url.clone();
    let mut resp = http
        .post(url)
        .header("Idempotency-Key", &n.token)
        .json(&body)
        .send()
        .await
        // The URL may hold a key: errors must not carry it.
        .map_err(|e| classify(&e.without_url(), https))?;
    let status = resp.status().as_u16();
    if (300..400).contains(&status) {
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok());
        let to = redirect_target(&base, location);
        return Err(SendError::permanent(format!(
            "HTTP {status}: 拒绝转向 {to} / redirect to {to} refused"
        )));
    }
    let wait = match status {
        429 | 503 => resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after(v, chrono::Utc::now())),
        _ => None,
    };
    let mut buf = Vec::new();
    while buf.len() < MAX_REPLY {
        match resp.chunk().await {
            Ok(Some(c)) => buf.extend_from_slice(&c),
            Ok(None) => break,
            Err(e) => return Err(classify(&e.without_url(), https)),
        }
    }
    buf.truncate(MAX_REPLY);
    // Dropping the response closes the connection: the rest of a long reply is never read.
    drop(resp);
    let text = String::from_utf8_lossy(&buf);
    judge(ep.format, status, &text).map_err(|e| match wait {
        Some(w) => {
            let e = e.after(Some(w));
            SendError {
                message: format!(
                    "{}; 对方要求 {} 秒后重试 / Retry-After {} s",
                    e.message,
                    w.as_secs(),
                    w.as_secs()
                ),
                ..e
            }
        }
        None => e,
    })
}
