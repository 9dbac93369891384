//! Folding events into the projection trees. The same code runs inside a sled transaction
//! (on append) and over plain maps (on verify), so "projections equal a replay" is checkable.

use std::collections::BTreeMap;

use crate::domain::{Event, EventBody, Incident, IncidentNo, Instruction, Notice, ReportKind};

/// Where a projection is kept: sled trees in a transaction, or maps in memory.
pub trait View {
    /// The error of the underlying storage.
    type Err;
    /// Reads an incident.
    fn incident(&self, number: &str) -> Result<Option<Incident>, Self::Err>;
    /// Reads an incident in order to change it and put it back (a map can move it out).
    fn take_incident(&mut self, number: &str) -> Result<Option<Incident>, Self::Err> {
        self.incident(number)
    }
    /// Writes an incident.
    fn put_incident(&mut self, inc: Incident) -> Result<(), Self::Err>;
    /// Reads the highest incident counter used on a day (`YYYYMMDD`).
    fn counter(&self, day: &str) -> Result<u32, Self::Err>;
    /// Writes a day's counter.
    fn put_counter(&mut self, day: &str, n: u32) -> Result<(), Self::Err>;
    /// Reads a notice.
    fn notice(&self, id: &str) -> Result<Option<Notice>, Self::Err>;
    /// Writes a notice.
    fn put_notice(&mut self, n: &Notice) -> Result<(), Self::Err>;
    /// The notice id a token belongs to.
    fn token(&self, token: &str) -> Result<Option<String>, Self::Err>;
    /// Records a token's notice id.
    fn put_token(&mut self, token: &str, id: &str) -> Result<(), Self::Err>;
    /// Reads an instruction (批示).
    fn instruction(&self, id: &str) -> Result<Option<Instruction>, Self::Err>;
    /// Writes an instruction.
    fn put_instruction(&mut self, ins: &Instruction) -> Result<(), Self::Err>;
}

/// Why an event cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError<E> {
    /// The event contradicts the state (it would make the log unreplayable).
    #[error("{0}")]
    Rejected(String),
    /// The storage failed.
    #[error("storage: {0:?}")]
    Storage(E),
}

/// Marks the note `dutydesk recover` writes in place of the first lost event; the JSON after it
/// ([`LossNote`]) carries the highest incident number each day had reached, so that no number
/// the lost events used is issued again.
pub const LOSS_MARK: &str = "[dutydesk-loss]";

/// What the loss note says, machine-readably.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LossNote {
    /// The first lost sequence number.
    pub from: u64,
    /// The last.
    pub to: u64,
    /// Day (`YYYYMMDD`) → the highest incident number used that day, as the witness held it.
    #[serde(default)]
    pub counters: BTreeMap<String, u32>,
}

impl LossNote {
    /// The loss note in a note's text, if it is one.
    pub fn parse(text: &str) -> Option<LossNote> {
        let at = text.find(LOSS_MARK)?;
        serde_json::from_str(&text[at + LOSS_MARK.len()..]).ok()
    }
}

/// Applies one event to a view.
pub fn apply<V: View>(view: &mut V, e: &Event) -> Result<(), ApplyError<V::Err>> {
    if let EventBody::Note { text } = &e.body {
        // Counters only ever rise: a forged loss note can skip numbers, never reuse one.
        if let Some(loss) = LossNote::parse(text) {
            for (day, n) in &loss.counters {
                if view.counter(day).map_err(ApplyError::Storage)? < *n {
                    view.put_counter(day, *n).map_err(ApplyError::Storage)?;
                }
            }
        }
        return Ok(());
    }
    if let Some(id) = e.body.instruction() {
        let mut slot = view.instruction(id).map_err(ApplyError::Storage)?;
        Instruction::apply(&mut slot, e).map_err(ApplyError::Rejected)?;
        if let Some(ins) = &slot {
            view.put_instruction(ins).map_err(ApplyError::Storage)?;
        }
        return Ok(());
    }
    let Some(number) = e.body.incident() else {
        return Ok(());
    };
    let mut slot = view.take_incident(number).map_err(ApplyError::Storage)?;
    let applied = Incident::apply(&mut slot, e);
    if let Some(inc) = slot {
        view.put_incident(inc).map_err(ApplyError::Storage)?;
    }
    applied.map_err(ApplyError::Rejected)?;
    if let Some(id) = e.body.notice() {
        let mut slot = view.notice(id).map_err(ApplyError::Storage)?;
        if let EventBody::NoticeQueued { notice } = &e.body {
            if let Some(other) = view.token(&notice.token).map_err(ApplyError::Storage)? {
                return Err(ApplyError::Rejected(format!(
                    "token {} of {id} already belongs to {other}",
                    notice.token
                )));
            }
            view.put_token(&notice.token, id)
                .map_err(ApplyError::Storage)?;
        }
        Notice::apply(&mut slot, e).map_err(ApplyError::Rejected)?;
        if let Some(n) = &slot {
            view.put_notice(n).map_err(ApplyError::Storage)?;
        }
    }
    if let EventBody::ReportFiled { incident, report } = &e.body {
        if report.kind == ReportKind::First {
            let no = IncidentNo(incident.clone());
            let day = no.day_key().to_string();
            let n = view.counter(&day).map_err(ApplyError::Storage)?;
            if no.counter() > n {
                view.put_counter(&day, no.counter())
                    .map_err(ApplyError::Storage)?;
            }
        }
    }
    Ok(())
}

/// A projection held in memory: the replay that verify compares sled against.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct MemView {
    /// Incidents by number.
    pub incidents: BTreeMap<String, Incident>,
    /// Day counters.
    pub counters: BTreeMap<String, u32>,
    /// Notices by id.
    pub notices: BTreeMap<String, Notice>,
    /// Notice ids by token.
    pub tokens: BTreeMap<String, String>,
    /// Instructions by id.
    pub instructions: BTreeMap<String, Instruction>,
}

impl View for MemView {
    type Err = std::convert::Infallible;
    fn incident(&self, number: &str) -> Result<Option<Incident>, Self::Err> {
        Ok(self.incidents.get(number).cloned())
    }
    fn take_incident(&mut self, number: &str) -> Result<Option<Incident>, Self::Err> {
        Ok(self.incidents.remove(number))
    }
    fn put_incident(&mut self, inc: Incident) -> Result<(), Self::Err> {
        self.incidents.insert(inc.number.0.clone(), inc);
        Ok(())
    }
    fn counter(&self, day: &str) -> Result<u32, Self::Err> {
        Ok(self.counters.get(day).copied().unwrap_or(0))
    }
    fn put_counter(&mut self, day: &str, n: u32) -> Result<(), Self::Err> {
        self.counters.insert(day.to_string(), n);
        Ok(())
    }
    fn notice(&self, id: &str) -> Result<Option<Notice>, Self::Err> {
        Ok(self.notices.get(id).cloned())
    }
    fn put_notice(&mut self, n: &Notice) -> Result<(), Self::Err> {
        self.notices.insert(n.q.id.clone(), n.clone());
        Ok(())
    }
    fn token(&self, token: &str) -> Result<Option<String>, Self::Err> {
        Ok(self.tokens.get(token).cloned())
    }
    fn put_token(&mut self, token: &str, id: &str) -> Result<(), Self::Err> {
        self.tokens.insert(token.to_string(), id.to_string());
        Ok(())
    }
    fn instruction(&self, id: &str) -> Result<Option<Instruction>, Self::Err> {
        Ok(self.instructions.get(id).cloned())
    }
    fn put_instruction(&mut self, ins: &Instruction) -> Result<(), Self::Err> {
        self.instructions.insert(ins.id.clone(), ins.clone());
        Ok(())
    }
}
