//! How the projection is stored: values (deflated JSON), keys, and the transactional view the
//! projection's fold writes through.

use super::*;

pub(super) struct TxView<'a> {
    pub(super) incidents: &'a TransactionalTree,
    pub(super) notices: &'a TransactionalTree,
    pub(super) meta: &'a TransactionalTree,
    pub(super) instructions: &'a TransactionalTree,
}

/// The first byte of a compressed projection value (a JSON value starts with `{`).
pub(super) const DEFLATED: u8 = 0;
/// A stored value inflates to at most this (a damaged length cannot make it allocate more).
pub(super) const INFLATED_MAX: usize = 64 << 20;

/// A projection value (incident, notice, instruction) as stored: its JSON, deflated (issue 26,
/// B5: an incident's flags repeat long rule texts, so the JSON shrinks to about 30 %; pure
/// Rust, no C). Values stored before, as plain JSON, still read ([`decode_value`]).
pub(super) fn encode_value<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let json = serde_json::to_vec(value).unwrap_or_default();
    let mut out = Vec::with_capacity(json.len() / 3 + 8);
    out.push(DEFLATED);
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(&json, 3));
    out
}

/// Reads a projection value stored by [`encode_value`] (or as plain JSON).
pub(super) fn decode_value<T: serde::de::DeserializeOwned>(v: &[u8]) -> Result<T, String> {
    match v.split_first() {
        Some((&DEFLATED, rest)) => {
            let json = miniz_oxide::inflate::decompress_to_vec_with_limit(rest, INFLATED_MAX)
                .map_err(|e| format!("inflate: {e}"))?;
            serde_json::from_slice(&json).map_err(|e| e.to_string())
        }
        _ => serde_json::from_slice(v).map_err(|e| e.to_string()),
    }
}

/// Decodes the value of one tree entry.
pub(super) fn decode_entry<T: serde::de::DeserializeOwned>(
    entry: sled::Result<(sled::IVec, sled::IVec)>,
) -> Result<T, DbError> {
    let (_, v) = entry?;
    decode_value(&v).map_err(DbError::Decode)
}

pub(super) fn counter_key(day: &str) -> Vec<u8> {
    format!("day/{day}").into_bytes()
}

pub(super) fn token_key(token: &str) -> Vec<u8> {
    format!("tok/{token}").into_bytes()
}

/// Prefix of the attention index in the meta tree: one key per incident still open or with an
/// open flag, so the board, `list --open` and the handover need not read every incident.
pub(super) const ATTENTION: &str = "att/";
/// Set once the attention and live-notice indexes cover the whole database (databases made
/// before them are indexed on first open).
pub(super) const ATTENTION_MARK: &str = "att-index-v1";

pub(super) fn attention_key(number: &str) -> Vec<u8> {
    format!("{ATTENTION}{number}").into_bytes()
}

/// Prefix of the live-notice index in the meta tree: one key per notice not yet acknowledged
/// or still owed a send, so the once-a-second tick never reads every notice ever sent.
pub(super) const LIVE: &str = "live/";

pub(super) fn live_key(id: &str) -> Vec<u8> {
    format!("{LIVE}{id}").into_bytes()
}

/// Whether a notice belongs in the live-notice index.
pub fn is_live(n: &Notice) -> bool {
    n.is_live()
}

/// Prefix of the sparse line index in the meta tree: `eo/` + seq (big-endian) → byte offset
/// of that event's line in the journal, for every [`lines::STRIDE`]th event.
pub(super) const OFFSETS: &[u8] = b"eo/";
/// Set once the line index covers the database's events.
pub(super) const OFFSETS_MARK: &str = "eo-index-v1";

/// Where a chain break found by open, `rebuild` or `verify` is kept until a `verify` passes.
pub(super) const CHAIN_BREAK: &str = "chain-break";

/// The tree in which databases made before the line index kept a copy of every line.
pub(super) const LINE_COPY: &str = "events";

pub(super) fn offset_key(seq: u64) -> Vec<u8> {
    let mut k = OFFSETS.to_vec();
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// Decodes one entry of the line index: (seq, byte offset).
pub(super) fn offset_entry(k: &[u8], v: &[u8]) -> Result<(u64, u64), DbError> {
    let seq = k
        .get(OFFSETS.len()..)
        .and_then(|b| <[u8; 8]>::try_from(b).ok());
    let offset = <[u8; 8]>::try_from(v).ok();
    match (seq, offset) {
        (Some(s), Some(o)) => Ok((u64::from_be_bytes(s), u64::from_be_bytes(o))),
        _ => Err(DbError::Decode("a line index entry".into())),
    }
}

/// Whether an incident belongs in the attention index.
pub fn needs_attention(inc: &Incident) -> bool {
    !inc.closed || inc.open_flags().next().is_some()
}

impl View for TxView<'_> {
    type Err = UnabortableTransactionError;
    fn incident(&self, number: &str) -> Result<Option<Incident>, Self::Err> {
        Ok(self
            .incidents
            .get(number.as_bytes())?
            .and_then(|v| decode_value(&v).ok()))
    }
    fn put_incident(&mut self, inc: Incident) -> Result<(), Self::Err> {
        let v = encode_value(&inc);
        self.incidents.insert(inc.number.0.as_bytes(), v)?;
        let key = attention_key(inc.number.as_str());
        if needs_attention(&inc) {
            self.meta.insert(key, &[])?;
        } else {
            self.meta.remove(key)?;
        }
        Ok(())
    }
    fn counter(&self, day: &str) -> Result<u32, Self::Err> {
        Ok(self
            .meta
            .get(counter_key(day))?
            .and_then(|v| <[u8; 4]>::try_from(v.as_ref()).ok())
            .map(u32::from_be_bytes)
            .unwrap_or(0))
    }
    fn put_counter(&mut self, day: &str, n: u32) -> Result<(), Self::Err> {
        self.meta.insert(counter_key(day), &n.to_be_bytes())?;
        Ok(())
    }
    fn notice(&self, id: &str) -> Result<Option<Notice>, Self::Err> {
        Ok(self
            .notices
            .get(id.as_bytes())?
            .and_then(|v| decode_value(&v).ok()))
    }
    fn put_notice(&mut self, n: &Notice) -> Result<(), Self::Err> {
        let v = encode_value(n);
        self.notices.insert(n.q.id.as_bytes(), v)?;
        if is_live(n) {
            self.meta.insert(live_key(&n.q.id), &[])?;
        } else {
            self.meta.remove(live_key(&n.q.id))?;
        }
        Ok(())
    }
    fn token(&self, token: &str) -> Result<Option<String>, Self::Err> {
        Ok(self
            .meta
            .get(token_key(token))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }
    fn put_token(&mut self, token: &str, id: &str) -> Result<(), Self::Err> {
        self.meta.insert(token_key(token), id.as_bytes())?;
        Ok(())
    }
    fn instruction(&self, id: &str) -> Result<Option<Instruction>, Self::Err> {
        Ok(self
            .instructions
            .get(id.as_bytes())?
            .and_then(|v| decode_value(&v).ok()))
    }
    fn put_instruction(&mut self, ins: &Instruction) -> Result<(), Self::Err> {
        let v = encode_value(ins);
        self.instructions.insert(ins.id.as_bytes(), v)?;
        Ok(())
    }
}
