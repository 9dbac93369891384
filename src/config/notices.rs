//! The notice settings: contact methods, routing rules, acknowledgement deadlines, channel
//! endpoints and delivery limits. Secrets are never here: only the *names* of secrets, whose
//! values live in `secrets.toml` (0600) or `DUTYDESK_SECRET_<NAME>`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::{ChannelKind, Level, RecipientKind};

/// One way to reach a person or unit, in order of preference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Contact {
    /// spool | command | webhook | email | phone
    pub channel: ChannelKind,
    /// The address: phone or fax number, e-mail address, chat user id…
    pub to: String,
    /// The endpoint in `[notices.endpoints]` (webhook, SMTP server, command).
    pub target: String,
}

/// A routing rule: incidents matching every non-empty list go to `to` as well.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RoutingRule {
    /// Category keys (empty = any).
    pub categories: Vec<String>,
    /// Levels `I`…`IV` or `ungraded` (empty = any).
    pub levels: Vec<String>,
    /// Place names found in the report's location (empty = any).
    pub places: Vec<String>,
    /// Names of people or units to notify.
    pub to: Vec<String>,
    /// Why, in Chinese.
    pub why_zh: String,
    /// Why, in English.
    pub why_en: String,
}

/// The robot format of a webhook.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormat {
    /// The notice JSON as it is.
    #[default]
    Generic,
    /// 企业微信群机器人
    Wecom,
    /// 钉钉群机器人 (signed)
    Dingtalk,
    /// 飞书群机器人 (signed)
    Feishu,
}

/// How to talk to an SMTP server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// STARTTLS on the submission port.
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on this machine.
    Plain,
}

/// A configured endpoint: a webhook, an SMTP server or a command.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Endpoint {
    /// webhook | email | command
    pub kind: ChannelKind,
    /// Webhook: generic | wecom | dingtalk | feishu
    pub format: WebhookFormat,
    /// Webhook URL; `${NAME}` in it is replaced by the secret NAME when sending.
    pub url: String,
    /// Webhook signing secret's name (DingTalk, Feishu).
    pub secret: String,
    /// SMTP host.
    pub host: String,
    /// SMTP port (0 = 587, 465 for tls, 25 for plain).
    pub port: u16,
    /// starttls | tls | plain
    pub tls: SmtpTls,
    /// SMTP user name (empty = no login).
    pub username: String,
    /// The name of the secret holding the SMTP password.
    pub password: String,
    /// The From address.
    pub from: String,
    /// Command: the program (absolute path, or a name found on the minimal PATH).
    pub program: String,
    /// Command: its arguments; `{to}`, `{token}`, `{id}` are replaced.
    pub args: Vec<String>,
    /// Seconds before one try is abandoned (0 = the delivery default).
    pub timeout_secs: u32,
}

/// Delivery limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliveryLimits {
    /// Sends at the same time.
    pub concurrency: u32,
    /// Tries per hand-off.
    pub attempts: u32,
    /// The first pause between tries, doubled each time (milliseconds).
    pub backoff_ms: u64,
    /// Seconds before one try is abandoned.
    pub timeout_secs: u32,
}

impl Default for DeliveryLimits {
    fn default() -> Self {
        DeliveryLimits {
            concurrency: 8,
            attempts: 3,
            backoff_ms: 500,
            timeout_secs: 15,
        }
    }
}

/// `[notices]`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Notices {
    /// Language of notice texts: zh-CN (default) or en.
    pub lang: String,
    /// A TOML file of templates overriding the built-in ones (empty = built-in only).
    pub templates: String,
    /// Warn the officer this many minutes before an acknowledgement deadline.
    pub warn_before_minutes: u32,
    /// Minutes to acknowledge, by recipient kind (`leader`, `department`, `region`,
    /// `enterprise`, `person`) and level (`I`…`IV`, `ungraded`).
    pub ack_minutes: BTreeMap<String, BTreeMap<String, u32>>,
    /// Extra routing rules.
    pub rules: Vec<RoutingRule>,
    /// Webhooks, SMTP servers and commands by name.
    pub endpoints: BTreeMap<String, Endpoint>,
    /// Delivery limits.
    pub delivery: DeliveryLimits,
}

impl Notices {
    /// Minutes a recipient of this kind has to acknowledge a notice of this level.
    pub fn ack_minutes(&self, kind: RecipientKind, level: Option<Level>) -> u32 {
        let level_key = level.map(|l| l.key()).unwrap_or("ungraded");
        self.ack_minutes
            .get(kind.key())
            .or_else(|| self.ack_minutes.get("department"))
            .and_then(|m| m.get(level_key).or_else(|| m.get("ungraded")))
            .copied()
            .unwrap_or(30)
    }

    /// Checks endpoints and rules; on failure returns (dotted key, message).
    pub fn validate(&self, names: &dyn Fn(&str) -> bool) -> Result<(), (String, String)> {
        for (name, ep) in &self.endpoints {
            let key = format!("notices.endpoints.{name}");
            match ep.kind {
                ChannelKind::Webhook if ep.url.is_empty() => {
                    return Err((key, "a webhook needs `url`".into()))
                }
                ChannelKind::Email if ep.host.is_empty() || ep.from.is_empty() => {
                    return Err((key, "an e-mail endpoint needs `host` and `from`".into()))
                }
                ChannelKind::Command if ep.program.is_empty() => {
                    return Err((key, "a command endpoint needs `program`".into()))
                }
                ChannelKind::Spool | ChannelKind::Phone => {
                    return Err((key, "endpoints are webhook, email or command".into()))
                }
                _ => {}
            }
        }
        for (i, r) in self.rules.iter().enumerate() {
            if let Some(n) = r.to.iter().find(|n| !names(n)) {
                return Err((
                    format!("notices.rules[{i}].to"),
                    format!("{n:?} is neither in [[people]] nor in [[units]]"),
                ));
            }
        }
        Ok(())
    }

    /// Checks that a contact's endpoint exists and fits its channel.
    pub fn check_contact(&self, c: &Contact) -> Result<(), String> {
        match c.channel {
            ChannelKind::Spool => Ok(()),
            ChannelKind::Phone if c.to.trim().is_empty() => {
                Err("a phone contact needs `to`".into())
            }
            ChannelKind::Phone => Ok(()),
            ChannelKind::Email if c.to.trim().is_empty() => {
                Err("an e-mail contact needs `to`".into())
            }
            kind => match self.endpoints.get(&c.target) {
                Some(ep) if ep.kind == kind => Ok(()),
                Some(_) => Err(format!("endpoint {:?} is not a {}", c.target, kind.key())),
                None => Err(format!(
                    "no [notices.endpoints.{}] for this {} contact",
                    c.target,
                    kind.key()
                )),
            },
        }
    }
}
