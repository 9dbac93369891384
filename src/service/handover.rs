//! The shift handover on the desk: computing the items from the state, accepting them (every
//! item seen) as one durable unit — `ShiftEnded`, `HandoverAccepted` anchored at the log's head,
//! `ShiftStarted` — and writing the record to `handovers/` in the data folder (0600).

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};

use super::api::{Request, Response};
use super::desk::Desk;
use crate::domain::handover::HandoverRecord;
use crate::domain::{Actor, Event, EventBody, Incident, Lang};
use crate::rules::handover;
use crate::store::StoreError;

/// How many of the newest lines the open reads to find the running shift.
const SHIFT_SCAN: usize = 5_000;

/// The folder of handover records inside the data folder.
pub const HANDOVERS: &str = "handovers";

impl Desk {
    pub(super) fn handle_handover(
        &mut self,
        actor: &Actor,
        req: Request,
    ) -> Result<Response, StoreError> {
        match req {
            Request::Handover { shift, lang } => {
                let lang = self.lang_or(lang);
                let record = match shift {
                    Some(day) if day != self.shift_day() => match self.accepted(day)? {
                        Some(r) => r,
                        None => {
                            return Ok(Response::bad(format!(
                                "{day} 班次没有已接受的交接 / no accepted handover for the shift of {day}"
                            )))
                        }
                    },
                    _ => self.handover_now(&actor.officer, lang)?,
                };
                Ok(Response::Handover {
                    record: Box::new(record),
                    file: None,
                })
            }
            Request::AcceptHandover {
                from,
                seen,
                notes,
                lang,
            } => self.accept_handover(actor, from, seen, notes, self.lang_or(lang)),
            other => Ok(Response::bad(format!("not a handover request: {other:?}"))),
        }
    }

    /// Records a sign-in, and `ShiftStarted` when it is the first of the running shift.
    pub(super) fn sign_in(&mut self, actor: &Actor) -> Result<Response, StoreError> {
        let (_, local) = self.now();
        let shift = self.shift_day();
        let mut bodies = vec![EventBody::SignedIn {
            officer: actor.officer.clone(),
        }];
        if !self.shift_started(shift)? {
            bodies.insert(
                0,
                EventBody::ShiftStarted {
                    shift,
                    officers: self.config.officers_on_duty(shift),
                },
            );
        }
        let events = self.store.append(actor, local, bodies)?;
        self.started = Some(self.started.map_or(shift, |s| s.max(shift)));
        Ok(Response::Recorded {
            seqs: events.iter().map(|e| e.seq).collect(),
        })
    }

    /// The newest shift a `ShiftStarted` names among the newest [`SHIFT_SCAN`] lines (on open:
    /// a bounded read however long the log; only lines naming the kind are decoded). An older
    /// one found is harmless: the running shift is the later of it and the clock's.
    pub(super) fn latest_shift_started(&self) -> Result<Option<NaiveDate>, StoreError> {
        for r in self.store.db().event_lines_rev(1).take(SHIFT_SCAN) {
            let (_, line) = r?;
            if !line.contains("\"shift_started\"") {
                continue;
            }
            if let Ok(Event {
                body: EventBody::ShiftStarted { shift, .. },
                ..
            }) = serde_json::from_str::<Event>(&line)
            {
                return Ok(Some(shift));
            }
        }
        Ok(None)
    }

    /// True when the log already holds `ShiftStarted` for `shift` (searched newest first, back
    /// to two days before the shift).
    fn shift_started(&self, shift: NaiveDate) -> Result<bool, StoreError> {
        let floor = shift - chrono::Duration::days(2);
        for r in self.store.db().event_lines_rev(1) {
            let (_, line) = r?;
            let Ok(e) = serde_json::from_str::<Event>(&line) else {
                continue;
            };
            if e.at.date_naive() < floor {
                break;
            }
            if matches!(e.body, EventBody::ShiftStarted { shift: s, .. } if s == shift) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn lang_or(&self, lang: Option<Lang>) -> Lang {
        lang.or_else(|| Lang::from_locale(&self.config.office.lang))
            .unwrap_or(Lang::Zh)
    }

    /// The handover of the running shift, computed from the state now.
    pub fn handover_now(&self, from: &str, lang: Lang) -> Result<HandoverRecord, StoreError> {
        let (_, local) = self.now();
        let shift = self.shift_day();
        let mut open: Vec<Incident> = Vec::new();
        // Open incidents, oldest first, from the attention index (not a scan of the store).
        for number in self.store.db().attention_rev() {
            if let Some(inc) = self.store.incident(&number?)? {
                if !inc.closed {
                    open.push(inc);
                }
            }
        }
        open.reverse();
        let mut notices = Vec::new();
        for inc in &open {
            notices.extend(self.notices_of(inc.number.as_str())?);
        }
        let end = next_shift_end(local, shift, self.config.shift_start());
        let mut instructions = Vec::new();
        for i in self.store.db().instructions("") {
            instructions.push(i?);
        }
        Ok(HandoverRecord {
            shift,
            from: from.to_string(),
            to: String::new(),
            items: handover::items(
                &open,
                &notices,
                handover::instructions_awaiting_feedback(&instructions, lang),
                end,
                lang,
            ),
            notes: String::new(),
            accepted_at: None,
            checkpoint: None,
            head: None,
        })
    }

    fn accept_handover(
        &mut self,
        actor: &Actor,
        from: String,
        seen: Vec<String>,
        notes: String,
        lang: Lang,
    ) -> Result<Response, StoreError> {
        let mut record = self.handover_now(&from, lang)?;
        let unseen: Vec<&str> = record
            .items
            .iter()
            .filter(|i| !seen.contains(&i.id))
            .map(|i| i.id.as_str())
            .collect();
        if !unseen.is_empty() {
            return Ok(Response::bad(format!(
                "尚有 {n} 项未查看，不能接班 / {n} item(s) not yet seen, cannot accept: {}",
                unseen.join(", "),
                n = unseen.len()
            )));
        }
        if from.trim().is_empty() || from == actor.officer {
            return Ok(Response::bad(
                "交班人与接班人须为两人 / the outgoing and incoming officers must be two people"
                    .to_string(),
            ));
        }
        let (_, local) = self.now();
        let head = self.store.head().clone();
        let shift = record.shift;
        let next = shift.succ_opt().unwrap_or(shift);
        let bodies = vec![
            EventBody::ShiftEnded { shift },
            EventBody::HandoverAccepted {
                shift,
                from: from.clone(),
                to: actor.officer.clone(),
                items: record.items.clone(),
                notes: notes.clone(),
                head_seq: head.seq,
                head_hash: head.hash.clone(),
            },
            EventBody::ShiftStarted {
                shift: next,
                officers: vec![actor.officer.clone()],
            },
        ];
        self.store.append(actor, local, bodies)?;
        // The accepted handover ends the shift, whatever the clock says.
        self.started = Some(next);
        record.to = actor.officer.clone();
        record.notes = notes;
        record.accepted_at = Some(local);
        record.head = Some((head.seq, head.hash));
        record.checkpoint = self.seal_after(head.seq);
        let file = self.write_record(&record, lang)?;
        Ok(Response::Handover {
            record: Box::new(record),
            file: Some(file),
        })
    }

    /// The handover accepted for a shift day, rebuilt from its `HandoverAccepted` event.
    pub fn accepted(&self, day: NaiveDate) -> Result<Option<HandoverRecord>, StoreError> {
        let mut found = None;
        for r in self.store.db().event_lines_from(1) {
            let (_, line) = r?;
            if !line.contains("\"handover_accepted\"") {
                continue;
            }
            let Ok(e) = serde_json::from_str::<Event>(&line) else {
                continue;
            };
            if let EventBody::HandoverAccepted {
                shift,
                from,
                to,
                items,
                notes,
                head_seq,
                head_hash,
            } = e.body
            {
                if shift == day {
                    found = Some(HandoverRecord {
                        shift,
                        from,
                        to,
                        items,
                        notes,
                        accepted_at: Some(e.at),
                        head: Some((head_seq, head_hash)),
                        checkpoint: self.seal_after(head_seq),
                    });
                }
            }
        }
        Ok(found)
    }

    /// The handover checkpoint the anchor file holds for the batch that followed event
    /// `head_seq` (its acceptance writes three events, then the checkpoint of the new head).
    fn seal_after(&self, head_seq: u64) -> Option<crate::domain::handover::Seal> {
        let anchors = crate::store::checkpoints::read(self.store.dir()).ok()?;
        anchors
            .all
            .into_iter()
            .find(|c| c.why == "handover" && c.seq > head_seq && c.seq <= head_seq + 3)
            .map(|c| crate::domain::handover::Seal {
                seq: c.seq,
                hash: c.hash,
                at: c.at,
                why: c.why,
                key: c.key,
                sig: c.sig,
            })
    }

    fn write_record(&self, record: &HandoverRecord, lang: Lang) -> Result<PathBuf, StoreError> {
        let dir = self.store.dir().join(HANDOVERS);
        let io = |what: &str| {
            let what = format!("{what} {}", dir.display());
            move |source| StoreError::Io { what, source }
        };
        crate::store::os::ensure_private_dir(&dir).map_err(io("create"))?;
        let name = record.shift.format("%Y-%m-%d").to_string();
        let md = dir.join(format!("{name}.md"));
        private_write(&md, &handover::print::markdown(record, lang)).map_err(io("write"))?;
        let txt = dir.join(format!("{name}.txt"));
        private_write(&txt, &handover::print::text(record, lang)).map_err(io("write"))?;
        Ok(md)
    }
}

/// The end of the shift after the one that started on `shift` (deadlines up to it are listed).
fn next_shift_end(
    local: DateTime<FixedOffset>,
    shift: NaiveDate,
    start: chrono::NaiveTime,
) -> DateTime<FixedOffset> {
    let wall = (shift + chrono::Duration::days(2)).and_time(start);
    local
        .offset()
        .from_local_datetime(&wall)
        .single()
        .unwrap_or(local + chrono::Duration::days(1))
}

fn private_write(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_data()
}
