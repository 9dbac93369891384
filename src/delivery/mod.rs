//! Delivery (发送): the only module that spawns tasks or touches the network.
//!
//! [`Dispatcher::dispatch`] takes a queued notice and sends it on its channel in a tokio task:
//! a semaphore bounds how many run at once, each try has a timeout, failed tries are retried
//! with doubling pauses. Every try's result comes back as a value ([`DeliveryResult`]) on a
//! channel; the desk turns it into an event. Nothing here writes to the store.
//!
//! Channels: [`spool`] (files to print or fax), [`command`] (a program, never a shell),
//! [`webhook`] (generic JSON, WeCom, DingTalk, Feishu), [`email`] (SMTP). Phone notices are
//! never dispatched: the officer calls and records the outcome.

pub mod command;
pub mod email;
pub mod secrets;
pub mod spool;
pub mod webhook;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use secrets::{Secrets, SecretsError};

use crate::config::{DeliveryLimits, Endpoint};
use crate::domain::{ChannelKind, QueuedNotice};

/// Longest error or reply text kept in an event.
pub const MAX_DETAIL: usize = 400;

/// One hand-off of a notice to its channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The notice as queued.
    pub notice: QueuedNotice,
    /// Which hand-off (from the `NoticeAttempted` event).
    pub dispatch: u32,
}

/// What one try came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The channel accepted the notice.
    Delivered {
        /// What it said (sanitised, truncated, secrets removed).
        detail: String,
    },
    /// The try failed.
    Failed {
        /// Why (sanitised, truncated, secrets removed).
        error: String,
        /// True when another try follows.
        retrying: bool,
    },
}

/// The result of one try, as a value for the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryResult {
    /// The notice id.
    pub notice: String,
    /// Which hand-off.
    pub dispatch: u32,
    /// Which try within it (1, 2, …).
    pub attempt: u32,
    /// What happened.
    pub outcome: Outcome,
}

impl DeliveryResult {
    /// True when no further result follows for this hand-off.
    pub fn is_final(&self) -> bool {
        !matches!(self.outcome, Outcome::Failed { retrying: true, .. })
    }
}

/// A failed try, before redaction.
#[derive(Debug, Clone)]
pub struct SendError {
    /// What happened.
    pub message: String,
    /// Worth trying again.
    pub retryable: bool,
    /// The pause the peer asked for (`Retry-After` on 429/503), before the cap.
    pub retry_after: Option<Duration>,
}

impl SendError {
    /// A failure worth retrying (timeouts, 5xx, refused connections).
    pub fn transient(message: impl Into<String>) -> SendError {
        SendError {
            message: message.into(),
            retryable: true,
            retry_after: None,
        }
    }

    /// A failure that another try will not fix (bad address, vendor error, missing secret).
    pub fn permanent(message: impl Into<String>) -> SendError {
        SendError {
            message: message.into(),
            retryable: false,
            retry_after: None,
        }
    }

    /// The same failure, with the pause the peer asked for.
    pub fn after(mut self, wait: Option<Duration>) -> SendError {
        self.retry_after = wait;
        self
    }
}

/// The pause after try `attempt` (1-based): `backoff_ms` doubled each time, or the peer's
/// `Retry-After` when it asked for longer; never more than `max_wait_secs`.
pub fn pause_after(limits: &DeliveryLimits, attempt: u32, asked: Option<Duration>) -> Duration {
    let doubled = Duration::from_millis(
        limits
            .backoff_ms
            .saturating_mul(1 << attempt.saturating_sub(1).min(10)),
    );
    let cap = Duration::from_secs(u64::from(limits.max_wait_secs.max(1)));
    asked.map_or(doubled, |a| a.max(doubled)).min(cap)
}

/// What the dispatcher needs: endpoints, limits, the spool folder and the secrets.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Endpoints by name.
    pub endpoints: BTreeMap<String, Endpoint>,
    /// Concurrency, tries, backoff, timeout.
    pub limits: DeliveryLimits,
    /// `<data>/outbox`.
    pub spool_dir: PathBuf,
    /// Secret values.
    pub secrets: Secrets,
}

struct Inner {
    settings: Settings,
    http: reqwest::Client,
    permits: tokio::sync::Semaphore,
    results: std::sync::mpsc::Sender<DeliveryResult>,
    waker: Option<Box<dyn Fn() + Send + Sync>>,
}

/// Sends notices in tokio tasks on a runtime it is given; results come back on a channel.
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
    rt: tokio::runtime::Handle,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("spool_dir", &self.inner.settings.spool_dir)
            .finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// A dispatcher on `rt`, and the receiving end of its results. `waker` (if any) is called
    /// after each result is sent, so that a desk thread can collect it at once.
    pub fn start(
        settings: Settings,
        rt: tokio::runtime::Handle,
        waker: Option<Box<dyn Fn() + Send + Sync>>,
    ) -> (Dispatcher, std::sync::mpsc::Receiver<DeliveryResult>) {
        let (tx, rx) = std::sync::mpsc::channel();
        // Redirects are never followed (a 302 would turn the POST into a bodiless GET, and
        // carry the URL's key to another host in `Referer`); a 3xx is a failure.
        let http = reqwest::Client::builder()
            .user_agent(concat!("dutydesk/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .build()
            .unwrap_or_default();
        let permits = tokio::sync::Semaphore::new(settings.limits.concurrency.max(1) as usize);
        let inner = Inner {
            settings,
            http,
            permits,
            results: tx,
            waker,
        };
        (
            Dispatcher {
                inner: Arc::new(inner),
                rt,
            },
            rx,
        )
    }

    /// Hands a notice to its channel. Returns at once; results arrive on the channel.
    pub fn dispatch(&self, job: Job) {
        let inner = self.inner.clone();
        self.rt.spawn(async move { run(inner, job).await });
    }
}

fn per_try_timeout(settings: &Settings, notice: &QueuedNotice) -> Duration {
    let ep = notice
        .endpoint
        .as_deref()
        .and_then(|n| settings.endpoints.get(n))
        .map(|e| e.timeout_secs)
        .filter(|s| *s > 0);
    Duration::from_secs(u64::from(ep.unwrap_or(settings.limits.timeout_secs.max(1))))
}

async fn run(inner: Arc<Inner>, job: Job) {
    let Ok(_permit) = inner.permits.acquire().await else {
        return;
    };
    let settings = &inner.settings;
    let attempts = settings.limits.attempts.max(1);
    let timeout = per_try_timeout(settings, &job.notice);
    for attempt in 1..=attempts {
        // The command channel kills its child at `timeout` and says so; the outer limit is a
        // backstop for it, and the limit itself for the others.
        let outer = match job.notice.channel {
            ChannelKind::Command => timeout + Duration::from_secs(2),
            _ => timeout,
        };
        let tried = tokio::time::timeout(outer, send_once(&inner, &job.notice, timeout)).await;
        let result = match tried {
            Ok(r) => r,
            Err(_) => Err(SendError::transient(format!(
                "超时 / timed out after {} s",
                timeout.as_secs()
            ))),
        };
        let asked = result.as_ref().err().and_then(|e| e.retry_after);
        let (outcome, done) = match result {
            Ok(detail) => (
                Outcome::Delivered {
                    detail: scrub(&settings.secrets, &detail),
                },
                true,
            ),
            Err(e) => {
                let retrying = e.retryable && attempt < attempts;
                (
                    Outcome::Failed {
                        error: scrub(&settings.secrets, &e.message),
                        retrying,
                    },
                    !retrying,
                )
            }
        };
        let r = DeliveryResult {
            notice: job.notice.id.clone(),
            dispatch: job.dispatch,
            attempt,
            outcome,
        };
        if inner.results.send(r).is_err() {
            return;
        }
        if let Some(w) = &inner.waker {
            w();
        }
        if done {
            return;
        }
        tokio::time::sleep(pause_after(&settings.limits, attempt, asked)).await;
    }
}

async fn send_once(
    inner: &Inner,
    notice: &QueuedNotice,
    timeout: Duration,
) -> Result<String, SendError> {
    let settings = &inner.settings;
    let endpoint = || {
        let name = notice.endpoint.as_deref().unwrap_or("");
        settings.endpoints.get(name).ok_or_else(|| {
            SendError::permanent(format!(
                "没有端点 / no endpoint {name:?} in [notices.endpoints]"
            ))
        })
    };
    match notice.channel {
        ChannelKind::Spool => spool::write(&settings.spool_dir, notice).await,
        ChannelKind::Command => command::run(endpoint()?, notice, timeout).await,
        ChannelKind::Webhook => {
            webhook::post(&inner.http, endpoint()?, &settings.secrets, notice).await
        }
        ChannelKind::Email => email::send(endpoint()?, &settings.secrets, notice, timeout).await,
        ChannelKind::Phone => Err(SendError::permanent(
            "电话通知由值班员拨打 / phone notices are called by the officer",
        )),
    }
}

/// Secrets removed, controls made visible, at most [`MAX_DETAIL`] characters.
pub fn scrub(secrets: &Secrets, text: &str) -> String {
    let clean = crate::sanitize::line(&secrets.redact(text)).into_owned();
    let mut out: String = clean.chars().take(MAX_DETAIL).collect();
    if clean.chars().count() > MAX_DETAIL {
        out.push('…');
    }
    out
}

/// The notice as JSON for programs, generic webhooks and the spool: the token is the
/// idempotency key (a receiver that has seen it must not act twice).
pub fn notice_json(n: &QueuedNotice) -> serde_json::Value {
    serde_json::json!({
        "id": n.id,
        "token": n.token,
        "idempotency_key": n.token,
        "incident": n.incident,
        "kind": n.kind.key(),
        "version": n.version,
        "recipient": n.recipient,
        "to": n.to,
        "subject": n.subject,
        "text": n.text,
        "deadline": n.deadline.map(|d| d.to_rfc3339()),
    })
}

impl Settings {
    /// The settings of a configuration: its endpoints and limits, `<data>/outbox` as the spool.
    pub fn from_config(
        config: &crate::config::Config,
        data_dir: &std::path::Path,
        secrets: Secrets,
    ) -> Settings {
        Settings {
            endpoints: config.notices.endpoints.clone(),
            limits: config.notices.delivery,
            spool_dir: data_dir.join("outbox"),
            secrets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn pauses_double_follow_retry_after_and_stop_at_the_cap() {
        let limits = DeliveryLimits {
            backoff_ms: 500,
            max_wait_secs: 60,
            ..DeliveryLimits::default()
        };
        let s = Duration::from_secs;
        let ms = Duration::from_millis;
        let table = [
            (1, None, ms(500)),
            (2, None, s(1)),
            (3, None, s(2)),
            (9, None, s(60)),
            (40, None, s(60)),
            (1, Some(s(1)), s(1)),
            (1, Some(ms(100)), ms(500)),
            (3, Some(s(30)), s(30)),
            (1, Some(s(3600)), s(60)),
        ];
        for (attempt, asked, want) in table {
            assert_eq!(
                pause_after(&limits, attempt, asked),
                want,
                "{attempt} {asked:?}"
            );
        }
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 12, 2, 8, 0, 0)
            .single()
            .expect("a date");
        let table = [
            ("1", Some(Duration::from_secs(1))),
            (" 120 ", Some(Duration::from_secs(120))),
            (
                "Wed, 02 Dec 2026 08:00:30 GMT",
                Some(Duration::from_secs(30)),
            ),
            ("Wed, 02 Dec 2026 07:00:00 GMT", Some(Duration::ZERO)),
            ("-1", None),
            ("soon", None),
            ("", None),
        ];
        for (v, want) in table {
            assert_eq!(webhook::retry_after(v, now), want, "{v:?}");
        }
    }

    #[test]
    fn loopback_is_this_machine_only() {
        let table = [
            ("localhost", true),
            ("LOCALHOST.", true),
            ("127.0.0.1", true),
            ("127.9.9.9", true),
            ("[::1]", true),
            ("::1", true),
            ("128.0.0.1", false),
            ("10.0.0.1", false),
            ("localhost.example.com", false),
            ("", false),
        ];
        for (h, want) in table {
            assert_eq!(crate::config::is_loopback(h), want, "{h:?}");
        }
    }
}
