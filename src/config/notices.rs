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
    /// Casualty kinds (dead, injured, missing, trapped), any of which, at one or more (or an
    /// approximate count), matches (empty = any): typed, or read from the report's words.
    pub casualties: Vec<String>,
    /// Words in the report's text (summary or place), any of which matches (empty = any). A word
    /// written `A|B+C|D` needs one of A, B and one of C, D in the same sentence.
    pub words: Vec<String>,
    /// Matches only a report whose category is neither typed nor read from its words.
    pub uncategorised: bool,
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
    /// Allows a plain `http://` webhook or `tls = "plain"` SMTP to a host that is not this
    /// machine (the notice and any key in the URL then cross the network readable).
    pub allow_plaintext: bool,
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
    /// The longest pause between tries, also for a peer's `Retry-After` (seconds).
    pub max_wait_secs: u32,
}

impl Default for DeliveryLimits {
    fn default() -> Self {
        DeliveryLimits {
            concurrency: 8,
            attempts: 3,
            backoff_ms: 500,
            timeout_secs: 15,
            max_wait_secs: 60,
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
    /// Who is told (督办) when a notice is not acknowledged in time.
    pub escalation: EscalationLadder,
}

/// `[notices.escalation]`: the ladder by level. Past a notice's deadline its recipient is
/// reminded once; the next person on the ladder is told once, and only at these levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EscalationLadder {
    /// Levels (`I`…`IV`, `ungraded`) at which a leader who does not acknowledge is escalated
    /// to the next higher-ranked leader.
    pub leaders_at: Vec<String>,
    /// Levels at which a unit that does not acknowledge is escalated to its `escalate_to`, or
    /// else to the leader on duty.
    pub units_at: Vec<String>,
}

impl EscalationLadder {
    /// True when `levels` lists the level (`None`: ungraded).
    fn lists(levels: &[String], level: Option<Level>) -> bool {
        levels.iter().any(|l| match level {
            Some(v) => Level::parse(l) == Some(v),
            None => l == "ungraded",
        })
    }

    /// Whether a leader is escalated at this level.
    pub fn leaders(&self, level: Option<Level>) -> bool {
        Self::lists(&self.leaders_at, level)
    }

    /// Whether a unit is escalated at this level.
    pub fn units(&self, level: Option<Level>) -> bool {
        Self::lists(&self.units_at, level)
    }
}

impl Default for EscalationLadder {
    fn default() -> Self {
        EscalationLadder {
            leaders_at: ["I", "II", "III"].map(String::from).to_vec(),
            units_at: ["I", "II", "III", "IV", "ungraded"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// True for this machine: `localhost`, 127.0.0.0/8 and ::1.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_end_matches('.');
    let h = h
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(h);
    h.eq_ignore_ascii_case("localhost")
        || h.to_ascii_lowercase().ends_with(".localhost")
        || h.parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// The host of an `http://` URL; `None` when the URL is not plain http. An URL whose host is
/// a `${SECRET}` gives `Some("")` (not this machine, as far as can be told).
fn http_host(url: &str) -> Option<&str> {
    let rest = url
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("http://"))
        .map(|_| &url[7..])?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let hostport = authority.rsplit('@').next().unwrap_or("");
    let host = if hostport.starts_with('[') {
        hostport.split_inclusive(']').next().unwrap_or("")
    } else {
        hostport.split(':').next().unwrap_or("")
    };
    Some(host)
}

/// Why an endpoint would send readable text over the network, with the key to blame:
/// plain `http://` or `tls = "plain"` to a host that is not this machine, without
/// `allow_plaintext = true`.
pub fn plaintext(ep: &Endpoint) -> Option<(&'static str, String)> {
    if ep.allow_plaintext {
        return None;
    }
    match ep.kind {
        ChannelKind::Webhook => match http_host(&ep.url) {
            Some(h) if !is_loopback(h) => Some((
                "url",
                format!(
                    "明文 http 只限本机；请用 https，或设 allow_plaintext = true / \
                     plain http only to this machine ({h:?}): use https, or set allow_plaintext = true"
                ),
            )),
            _ => None,
        },
        ChannelKind::Email if ep.tls == SmtpTls::Plain && !is_loopback(&ep.host) => Some((
            "tls",
            format!(
                "不加密的 SMTP 只限本机；请用 starttls 或 tls，或设 allow_plaintext = true / \
                 tls = \"plain\" only to this machine ({:?}): use starttls or tls, or set allow_plaintext = true",
                ep.host
            ),
        )),
        _ => None,
    }
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
            if let Some((leaf, why)) = plaintext(ep) {
                return Err((format!("{key}.{leaf}"), why));
            }
        }
        let ladder = [
            ("leaders_at", &self.escalation.leaders_at),
            ("units_at", &self.escalation.units_at),
        ];
        for (key, levels) in ladder {
            if let Some(l) = levels
                .iter()
                .find(|l| *l != "ungraded" && Level::parse(l).is_none())
            {
                return Err((
                    format!("notices.escalation.{key}"),
                    format!("{l:?} is not a level: I, II, III, IV or ungraded"),
                ));
            }
        }
        for (i, r) in self.rules.iter().enumerate() {
            if let Some(k) = r
                .casualties
                .iter()
                .find(|k| !["dead", "injured", "missing", "trapped"].contains(&k.as_str()))
            {
                return Err((
                    format!("notices.rules[{i}].casualties"),
                    format!("{k:?} is not a casualty kind: dead, injured, missing or trapped"),
                ));
            }
            if r.uncategorised && !r.categories.is_empty() {
                return Err((
                    format!("notices.rules[{i}].uncategorised"),
                    "a rule for reports with no category cannot also name categories".into(),
                ));
            }
            if let Some(w) = r
                .words
                .iter()
                .find(|w| crate::config::WordCue::parse(w).is_none())
            {
                return Err((
                    format!("notices.rules[{i}].words"),
                    format!("{w:?} is not a word, A|B or A|B+C|D"),
                ));
            }
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
