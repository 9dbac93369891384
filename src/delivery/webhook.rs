//! The webhook channel: an HTTP POST of a generic JSON body, or the group-robot formats of
//! WeCom (企业微信), DingTalk (钉钉, signed with `timestamp` + `sign` query parameters) and Feishu
//! (飞书, signed with `timestamp` + `sign` in the body). These robots answer errors with
//! HTTP 200, so success is judged from the body. The token travels as `Idempotency-Key`.

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

/// Posts one notice.
pub async fn post(
    http: &reqwest::Client,
    ep: &Endpoint,
    secrets: &Secrets,
    n: &QueuedNotice,
) -> Result<String, SendError> {
    let now_ms = chrono::Utc::now().timestamp_millis();
    let (url, body) = request(ep, secrets, n, now_ms)?;
    let resp = http
        .post(url)
        .header("Idempotency-Key", &n.token)
        .json(&body)
        .send()
        .await
        // The URL may hold a key: errors must not carry it.
        .map_err(|e| SendError::transient(e.without_url().to_string()))?;
    let status = resp.status().as_u16();
    let text = resp
        .text()
        .await
        .map_err(|e| SendError::transient(e.without_url().to_string()))?;
    judge(ep.format, status, &text)
}
