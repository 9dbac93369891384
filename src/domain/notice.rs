//! A notice (通报/报告): one message to one recipient about one version of an incident, and its
//! life in the outbox: queued → handed to its channel → delivered or failed → acknowledged (回执).
//! A fold over events ([`Notice::apply`]), like [`super::Incident`].

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::event::{Event, EventBody};

/// What a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// 首报: the first report passed on.
    #[default]
    First,
    /// 续报N: progress.
    FollowUp,
    /// 终报: outcome.
    Final,
    /// 更正: an earlier notice was wrong.
    Correction,
    /// 批示传达: the leader's instruction relayed.
    Instruction,
    /// 提醒/催办: a reminder to acknowledge.
    Reminder,
    /// 督办: escalation to the next person in the chain.
    Escalation,
}

impl NoticeKind {
    /// True for the steps of another notice's life (a reminder, an escalation): they are sent,
    /// but they are never a row of their own and carry no facts.
    pub fn is_step(self) -> bool {
        matches!(self, NoticeKind::Reminder | NoticeKind::Escalation)
    }

    /// True when the text carries a version of the incident's facts (the key-holder rule counts
    /// only these: an instruction, a reminder or an escalation tells nobody the new facts).
    pub fn carries_facts(self) -> bool {
        matches!(
            self,
            NoticeKind::First | NoticeKind::FollowUp | NoticeKind::Final | NoticeKind::Correction
        )
    }

    /// The snake_case key (template names, CLI values).
    pub fn key(self) -> &'static str {
        match self {
            NoticeKind::First => "first",
            NoticeKind::FollowUp => "follow_up",
            NoticeKind::Final => "final",
            NoticeKind::Correction => "correction",
            NoticeKind::Instruction => "instruction",
            NoticeKind::Reminder => "reminder",
            NoticeKind::Escalation => "escalation",
        }
    }

    /// Parses the key.
    pub fn parse(s: &str) -> Option<NoticeKind> {
        [
            NoticeKind::First,
            NoticeKind::FollowUp,
            NoticeKind::Final,
            NoticeKind::Correction,
            NoticeKind::Instruction,
            NoticeKind::Reminder,
            NoticeKind::Escalation,
        ]
        .into_iter()
        .find(|k| k.key() == s.trim())
    }
}

/// How a notice travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// Written to `<data>/outbox/` as .txt and .json, to print or fax.
    #[default]
    Spool,
    /// A configured program, notice JSON on stdin.
    Command,
    /// HTTP POST: generic JSON, WeCom, DingTalk or Feishu robots.
    Webhook,
    /// SMTP.
    Email,
    /// Nothing sent: the officer calls and records the outcome.
    Phone,
}

impl ChannelKind {
    /// The snake_case key.
    pub fn key(self) -> &'static str {
        match self {
            ChannelKind::Spool => "spool",
            ChannelKind::Command => "command",
            ChannelKind::Webhook => "webhook",
            ChannelKind::Email => "email",
            ChannelKind::Phone => "phone",
        }
    }
}

/// Who a recipient is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RecipientKind {
    /// A leader (the leader on duty or a higher one).
    #[default]
    Leader,
    /// A functional department.
    Department,
    /// A town or township.
    Region,
    /// An enterprise or park.
    Enterprise,
    /// Anyone else in the directory.
    Person,
}

impl RecipientKind {
    /// The snake_case key (config tables use it).
    pub fn key(self) -> &'static str {
        match self {
            RecipientKind::Leader => "leader",
            RecipientKind::Department => "department",
            RecipientKind::Region => "region",
            RecipientKind::Enterprise => "enterprise",
            RecipientKind::Person => "person",
        }
    }
}

/// What the officer heard when calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// Reached and told: the notice is delivered.
    Reached,
    /// Nobody answered.
    NoAnswer,
    /// Busy.
    Busy,
    /// The number is wrong or out of service.
    WrongNumber,
}

/// Which step of escalation an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationStep {
    /// The deadline is near: the officer was warned.
    Warned,
    /// Past the deadline: a reminder (催办) went to the same recipient.
    Reminded,
    /// Past the deadline: the next person in the chain was told (督办).
    Escalated,
}

/// One step taken in a notice's life, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepMark {
    /// Warned, reminded or escalated.
    pub step: EscalationStep,
    /// When.
    pub at: DateTime<FixedOffset>,
    /// Who was told (reminder: the recipient; escalation: the next on the ladder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The message sent for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<String>,
}

/// Why a notice's life ended without its own acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum CloseReason {
    /// The same recipient was sent a newer version of the facts (or the same again): that
    /// notice is the one to answer now.
    Superseded {
        /// The newer notice.
        by: String,
    },
    /// A reminder or escalation whose notices were all answered, reached or superseded: it
    /// has nothing left to chase.
    Settled {
        /// The notice whose answer settled it.
        by: String,
    },
}

/// The payload of `NoticeQueued`: everything needed to send it again after a crash.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedNotice {
    /// `20261122-003/N001`: the incident, then a counter.
    pub id: String,
    /// The acknowledgement and idempotency key carried in every message (`K7P2-Q9XD`).
    pub token: String,
    /// The incident number.
    pub incident: String,
    /// 首报, 续报, …
    pub kind: NoticeKind,
    /// The report (`seq_in_incident`) whose facts the text carries.
    pub version: u32,
    /// Name of the person or unit.
    pub recipient: String,
    /// What the recipient is.
    pub recipient_kind: RecipientKind,
    /// How it travels.
    pub channel: ChannelKind,
    /// The configured endpoint (webhook, SMTP server or command name), if the channel needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The address: phone number, e-mail address, fax number…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The subject line.
    pub subject: String,
    /// Exactly what is sent.
    pub text: String,
    /// Acknowledge by then, or it is escalated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<FixedOffset>>,
    /// Warn the officer from then on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_at: Option<DateTime<FixedOffset>>,
    /// Who is told when the deadline passes (the next in the chain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_to: Option<String>,
    /// The notice this one reminds of or escalates; a reminder's acknowledgement counts for
    /// the parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// An escalation: every notice it chases (the parent first). Empty for the others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub about: Vec<String>,
}

impl QueuedNotice {
    /// The notices this step chases: `about`, or the parent alone.
    pub fn chases(&self) -> Vec<&str> {
        if self.about.is_empty() {
            self.parent.as_deref().into_iter().collect()
        } else {
            self.about.iter().map(String::as_str).collect()
        }
    }
}

/// Where a notice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeState {
    /// Recorded, not yet handed to its channel.
    Queued,
    /// Handed to its channel; no final result yet.
    Sending,
    /// A phone notice: waiting for the officer to call.
    ToCall,
    /// The channel accepted it.
    Delivered,
    /// Every try failed.
    Failed,
    /// The recipient acknowledged (回执), or was reached by phone.
    Acknowledged,
    /// A newer notice to the same recipient replaced it.
    Superseded,
    /// A reminder or escalation with nothing left to chase.
    Settled,
}

impl NoticeState {
    /// A short label.
    pub fn label(self, lang: super::Lang) -> &'static str {
        match self {
            NoticeState::Queued => lang.pick("待发", "queued"),
            NoticeState::Sending => lang.pick("发送中", "sending"),
            NoticeState::ToCall => lang.pick("待电话", "to call"),
            NoticeState::Delivered => lang.pick("已送达", "delivered"),
            NoticeState::Failed => lang.pick("失败", "failed"),
            NoticeState::Acknowledged => lang.pick("已回执", "acknowledged"),
            NoticeState::Superseded => lang.pick("已换新版", "superseded"),
            NoticeState::Settled => lang.pick("已了结", "settled"),
        }
    }

    /// True while the outbox still owes a send (resumed after a crash).
    pub fn pending(self) -> bool {
        matches!(self, NoticeState::Queued | NoticeState::Sending)
    }
}

/// An acknowledgement as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// Who acknowledged.
    pub by: String,
    /// How (phone, cli, webhook reply, in person…).
    pub via: String,
    /// Note.
    #[serde(default)]
    pub note: String,
    /// When.
    pub at: DateTime<FixedOffset>,
    /// Through a reminder or escalation notice (its id), not this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub through: Option<String>,
}

/// A notice as it stands: what was queued and what happened to it since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// What was queued.
    pub q: QueuedNotice,
    /// When it was queued.
    pub queued_at: DateTime<FixedOffset>,
    /// Where it stands.
    pub state: NoticeState,
    /// Hand-offs to the channel (1 for the first, more after resumes).
    pub dispatches: u32,
    /// Tries that failed.
    pub failures: u32,
    /// The last error (sanitised, secrets removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the channel accepted it, and what it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered: Option<(DateTime<FixedOffset>, String)>,
    /// The acknowledgement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<Ack>,
    /// Escalation steps taken.
    #[serde(default)]
    pub steps: Vec<EscalationStep>,
    /// The same steps with their time, whom they told and the message sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trail: Vec<StepMark>,
    /// Why and when its life ended without its own acknowledgement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<(DateTime<FixedOffset>, CloseReason)>,
    /// When the officer reached the recipient by phone about it: nothing more is chased, and
    /// the recipient's 回执 may still follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reached: Option<DateTime<FixedOffset>>,
    /// Sequence numbers of its events.
    pub events: Vec<u64>,
}

impl Notice {
    /// The incident of a notice id (`20261122-003/N001` → `20261122-003`).
    pub fn incident_of(id: &str) -> &str {
        id.split('/').next().unwrap_or(id)
    }

    /// True once delivered or acknowledged (a second delivery result is never recorded).
    pub fn is_delivered(&self) -> bool {
        self.delivered.is_some()
    }

    /// True while its life goes on: neither acknowledged nor closed (a notice still owed a send
    /// stays live until the send is finished, so a crash resumes it).
    pub fn is_live(&self) -> bool {
        self.closed.is_none()
            && ((self.ack.is_none() && self.reached.is_none()) || self.state.pending())
    }

    /// True while it waits for an answer: a notice of its own (not a step of another), neither
    /// acknowledged, nor reached by phone, nor closed. The pending list holds exactly these.
    pub fn is_open(&self) -> bool {
        !self.q.kind.is_step() && !self.is_ended()
    }

    /// Where it stands, as the officer should read it: a spooled notice is only written to the
    /// outbox folder (somebody must print or fax it), not delivered; a call that reached the
    /// recipient says so.
    pub fn state_label(&self, lang: super::Lang) -> &'static str {
        match self.state {
            NoticeState::Delivered if self.reached.is_some() => lang.pick("已电话告知", "reached"),
            NoticeState::Delivered if self.q.channel == ChannelKind::Spool => {
                lang.pick("已入待发", "spooled")
            }
            s => s.label(lang),
        }
    }

    /// The steps taken, shortly: "催办 02:40 · 督办→陈静 02:40" / "reminded 02:40 · escalated
    /// to 陈静 02:40" (warnings are the officer's own and left out). Names are not sanitised.
    pub fn steps_text(&self, lang: super::Lang) -> String {
        self.trail
            .iter()
            .filter_map(|s| {
                let at = s.at.format("%H:%M");
                match s.step {
                    EscalationStep::Warned => None,
                    EscalationStep::Reminded => {
                        Some(format!("{} {at}", lang.pick("催办", "reminded")))
                    }
                    EscalationStep::Escalated => Some(format!(
                        "{}{} {at}",
                        lang.pick("督办→", "escalated to "),
                        s.to.as_deref().unwrap_or("?")
                    )),
                }
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// True once answered, reached, superseded or settled: nothing more to chase.
    pub fn is_ended(&self) -> bool {
        self.ack.is_some() || self.closed.is_some() || self.reached.is_some()
    }

    /// Applies an event that concerns this notice (or queues it). Events that do not concern
    /// notices return `Ok(false)`; contradictions are errors (the log would not replay).
    pub fn apply(slot: &mut Option<Notice>, e: &Event) -> Result<bool, String> {
        if let EventBody::NoticeQueued { notice } = &e.body {
            if slot.is_some() {
                return Err(format!("notice {} queued twice", notice.id));
            }
            let state = if notice.channel == ChannelKind::Phone {
                NoticeState::ToCall
            } else {
                NoticeState::Queued
            };
            *slot = Some(Notice {
                q: (**notice).clone(),
                queued_at: e.at,
                state,
                dispatches: 0,
                failures: 0,
                last_error: None,
                delivered: None,
                ack: None,
                steps: Vec::new(),
                trail: Vec::new(),
                closed: None,
                reached: None,
                events: vec![e.seq],
            });
            return Ok(true);
        }
        let Some(id) = e.body.notice() else {
            return Ok(false);
        };
        let n = slot
            .as_mut()
            .ok_or_else(|| format!("event for unknown notice {id}"))?;
        match &e.body {
            EventBody::NoticeAttempted { .. } => {
                if n.is_delivered() {
                    return Err(format!("notice {id} handed over again after delivery"));
                }
                n.dispatches += 1;
                n.state = NoticeState::Sending;
            }
            EventBody::NoticeDelivered { detail, .. } => {
                if n.is_delivered() {
                    return Err(format!("notice {id} delivered twice"));
                }
                n.delivered = Some((e.at, detail.clone()));
                if !n.is_ended() {
                    n.state = NoticeState::Delivered;
                }
            }
            EventBody::NoticeFailed {
                error, retrying, ..
            } => {
                if n.is_delivered() {
                    return Err(format!("notice {id} failed after delivery"));
                }
                n.failures += 1;
                n.last_error = Some(error.clone());
                if !retrying && !n.is_ended() {
                    n.state = if n.q.channel == ChannelKind::Phone {
                        NoticeState::ToCall
                    } else {
                        NoticeState::Failed
                    };
                }
            }
            EventBody::NoticeCalled { outcome, note, .. } => {
                if *outcome == CallOutcome::Reached {
                    if n.delivered.is_none() {
                        n.delivered = Some((e.at, format!("called: {note}")));
                    }
                    if n.ack.is_none() && n.closed.is_none() {
                        n.state = NoticeState::Delivered;
                    }
                    n.reached.get_or_insert(e.at);
                } else {
                    n.failures += 1;
                    n.last_error = Some(format!("{outcome:?}"));
                }
            }
            EventBody::NoticeAcknowledged {
                by,
                via,
                note,
                through,
                ..
            } => {
                if n.ack.is_some() {
                    return Err(format!("notice {id} acknowledged twice"));
                }
                if n.closed.is_some() {
                    return Err(format!("notice {id} acknowledged after it was closed"));
                }
                n.ack = Some(Ack {
                    by: by.clone(),
                    via: via.clone(),
                    note: note.clone(),
                    at: e.at,
                    through: through.clone(),
                });
                n.state = NoticeState::Acknowledged;
            }
            EventBody::NoticeEscalated { step, to, sent, .. } => {
                n.steps.push(*step);
                n.trail.push(StepMark {
                    step: *step,
                    at: e.at,
                    to: to.clone(),
                    sent: sent.clone(),
                });
            }
            EventBody::NoticeClosed { reason, .. } => {
                if n.is_ended() {
                    return Err(format!("notice {id} closed after it ended"));
                }
                n.state = match reason {
                    CloseReason::Superseded { .. } => NoticeState::Superseded,
                    CloseReason::Settled { .. } => NoticeState::Settled,
                };
                n.closed = Some((e.at, reason.clone()));
            }
            _ => return Ok(false),
        }
        n.events.push(e.seq);
        Ok(true)
    }
}

/// A short token: eight characters of Crockford base32 from a digest, grouped `XXXX-XXXX`.
pub fn token_from(digest: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bits: u64 = 0;
    for b in digest.iter().take(5) {
        bits = (bits << 8) | u64::from(*b);
    }
    let mut s = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            s.push('-');
        }
        let idx = ((bits >> (35 - 5 * i)) & 31) as usize;
        s.push(char::from(ALPHABET[idx]));
    }
    s
}

/// Normalises a typed token: upper case, `O`→`0`, `I`/`L`→`1`, the dash optional.
pub fn normalise_token(s: &str) -> String {
    let raw: String = s
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    if raw.len() == 8 {
        format!("{}-{}", &raw[..4], &raw[4..])
    } else {
        raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_short_and_forgiving() {
        let t = token_from(&[0xff, 0x00, 0x12, 0x34, 0x56, 0x78]);
        assert_eq!(t.len(), 9);
        assert_eq!(normalise_token(&t.to_lowercase()), t);
        assert_eq!(normalise_token(&t.replace('-', "")), t);
        assert_eq!(normalise_token("abcd-efol"), "ABCD-EF01");
    }
}
