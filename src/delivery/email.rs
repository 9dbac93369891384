//! The e-mail channel: SMTP via lettre over rustls (TLS, STARTTLS, or plain for a relay on
//! this machine). UTF-8 subject (RFC 2047) and body (base64); the token is the Message-ID.

use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{Secrets, SendError};
use crate::config::{Endpoint, SmtpTls};
use crate::domain::QueuedNotice;

/// Builds the message for a notice.
pub fn message(ep: &Endpoint, n: &QueuedNotice) -> Result<Message, SendError> {
    let to = n.to.as_deref().unwrap_or("");
    let from = ep
        .from
        .parse()
        .map_err(|e| SendError::permanent(format!("from {:?}: {e}", ep.from)))?;
    let to = to
        .parse()
        .map_err(|e| SendError::permanent(format!("to {to:?}: {e}")))?;
    let body = Body::new_with_encoding(n.text.clone(), ContentTransferEncoding::Base64)
        .map_err(|_| SendError::permanent("body encoding"))?;
    let domain = ep
        .from
        .rsplit('@')
        .next()
        .unwrap_or("dutydesk")
        .trim_end_matches('>');
    Message::builder()
        .from(from)
        .to(to)
        .subject(n.subject.clone())
        .message_id(Some(format!(
            "<{}.{}@{}>",
            n.token,
            n.id.replace('/', "."),
            domain
        )))
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(body),
        )
        .map_err(|e| SendError::permanent(format!("message: {e}")))
}

/// Sends one notice.
pub async fn send(
    ep: &Endpoint,
    secrets: &Secrets,
    n: &QueuedNotice,
    timeout: Duration,
) -> Result<String, SendError> {
    let msg = message(ep, n)?;
    if let Some((_, why)) = crate::config::plaintext(ep) {
        return Err(SendError::permanent(why));
    }
    let port = match (ep.port, ep.tls) {
        (0, SmtpTls::Starttls) => 587,
        (0, SmtpTls::Tls) => 465,
        (0, SmtpTls::Plain) => 25,
        (p, _) => p,
    };
    let builder = match ep.tls {
        SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&ep.host),
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&ep.host),
        SmtpTls::Plain => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
            &ep.host,
        )),
    }
    .map_err(|e| SendError::permanent(format!("smtp {}: {e}", ep.host)))?;
    let mut builder = builder.port(port).timeout(Some(timeout));
    if !ep.username.is_empty() {
        let password = secrets
            .get(&ep.password)
            .ok_or_else(|| SendError::permanent(super::secrets::missing(&ep.password)))?;
        builder = builder.credentials(Credentials::new(ep.username.clone(), password.to_string()));
    }
    let transport = builder.build();
    match transport.send(msg).await {
        Ok(r) => Ok(format!(
            "SMTP {}: {}",
            r.code(),
            r.message().collect::<Vec<_>>().join(" ")
        )),
        Err(e) => Err(classify(&e)),
    }
}

/// An SMTP failure in a few words: refused, DNS, TLS, timeout, or the server's reply.
pub fn classify(e: &lettre::transport::smtp::Error) -> SendError {
    let mut refused = false;
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            refused |= io.kind() == std::io::ErrorKind::ConnectionRefused;
        }
        src = s.source();
    }
    let text = e.to_string();
    let lower = text.to_lowercase();
    if e.is_timeout() {
        SendError::transient("smtp: 超时 / timed out")
    } else if refused || lower.contains("connection refused") {
        SendError::transient("smtp: 连接被拒绝 / connection refused")
    } else if lower.contains("failed to lookup address") || lower.contains("dns") {
        SendError::transient(format!("smtp: 域名解析失败 / DNS lookup failed: {text}"))
    } else if e.is_tls() {
        SendError::permanent(format!("smtp: TLS 失败 / TLS failed: {text}"))
    } else if e.is_permanent() {
        SendError::permanent(format!("smtp: {text}"))
    } else {
        SendError::transient(format!("smtp: {text}"))
    }
}
