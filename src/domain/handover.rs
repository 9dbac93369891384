//! The shift handover (交接班): what the outgoing officer hands over, item by item, and the
//! record of its acceptance. Plain data; the items are computed in `rules::handover`.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// What kind of matter a handover item is (the sections of the handover, in order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// An incident without a final report.
    Incident,
    /// A verification flag not yet resolved.
    Flag,
    /// A notice not yet acknowledged (回执).
    Notice,
    /// A leader's instruction awaiting feedback (批示/督办).
    Instruction,
    /// A recipient still holding an outdated version (the key-holder rule).
    Stale,
    /// A notice deadline falling in the next shift.
    Deadline,
}

impl ItemKind {
    /// All kinds, in section order.
    pub const ALL: [ItemKind; 6] = [
        ItemKind::Incident,
        ItemKind::Flag,
        ItemKind::Notice,
        ItemKind::Instruction,
        ItemKind::Stale,
        ItemKind::Deadline,
    ];

    /// The section heading.
    pub fn heading(self, lang: super::Lang) -> &'static str {
        match self {
            ItemKind::Incident => lang.pick("未结事件", "Open incidents"),
            ItemKind::Flag => lang.pick("未核实标记", "Unresolved flags"),
            ItemKind::Notice => lang.pick("未回执通知", "Unacknowledged notices"),
            ItemKind::Instruction => lang.pick("待反馈批示", "Instructions awaiting feedback"),
            ItemKind::Stale => lang.pick("持旧版本者", "Recipients holding an outdated version"),
            ItemKind::Deadline => lang.pick("下一班到期", "Deadlines in the next shift"),
        }
    }
}

/// One matter handed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoverItem {
    /// Stable id: `incident:20261122-003`, `flag:20261122-003/R0-1`, `notice:…`, `stale:…/名`,
    /// `deadline:…`.
    pub id: String,
    /// Its section.
    pub kind: ItemKind,
    /// The incident it belongs to.
    pub incident: String,
    /// One line: what it is.
    pub summary: String,
    /// When it falls due, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DateTime<FixedOffset>>,
}

/// A handover: computed now (not yet accepted) or as recorded at acceptance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoverRecord {
    /// The shift day being handed over.
    pub shift: NaiveDate,
    /// The outgoing officer.
    pub from: String,
    /// The incoming officer (empty until accepted).
    pub to: String,
    /// The items, in section order.
    pub items: Vec<HandoverItem>,
    /// Free notes from the outgoing officer.
    pub notes: String,
    /// When it was accepted (None = not yet).
    pub accepted_at: Option<DateTime<FixedOffset>>,
    /// The log's head at acceptance (sequence number, hash).
    pub head: Option<(u64, String)>,
    /// The checkpoint the acceptance wrote to the anchor file, printed in full so that the
    /// paper record proves the log's head (signed with the desk key, when there is one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Seal>,
}

/// A checkpoint of the log's head as the handover record prints it: the anchor file's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seal {
    /// The head's sequence number.
    pub seq: u64,
    /// Its hash.
    pub hash: String,
    /// When the checkpoint was written (RFC 3339).
    pub at: String,
    /// Why (`handover`).
    pub why: String,
    /// The desk's public key (hex), when signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The Ed25519 signature (hex), when signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sig: Option<String>,
}
