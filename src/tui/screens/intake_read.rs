//! What the words suggest, in the form: the open suggestions and contradicted counts, and the
//! keys that take or decline them (Ctrl-Y, F3, F4). Taking one fills its field as if typed and
//! records the key as accepted; declining records it, and it is never used for this report.

use super::intake::Intake;
use super::intake_fields::{values_of, FieldId, Value};
use super::Out;
use crate::rules::reading::{CasualtyKind, Disagreement, Suggested, Suggestion};
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::widgets::editor::Editor;

impl Intake {
    /// The suggestions neither taken nor declined, in field order.
    pub fn open_suggestions(&self) -> impl Iterator<Item = &Suggested> {
        self.reading
            .suggestions
            .iter()
            .filter(|s| !self.declined.contains(&s.key()) && !self.accepted.contains(&s.key()))
    }

    /// The open suggestion for a field of the form.
    pub fn suggestion_for(&self, id: FieldId) -> Option<&Suggested> {
        self.open_suggestions().find(|s| field_of(s) == id)
    }

    /// The suggestion an accept or decline key acts on: the focused field's, else the first.
    fn target(&self) -> Option<Suggested> {
        self.suggestion_for(self.focused())
            .or_else(|| self.open_suggestions().next())
            .cloned()
    }

    /// The typed count of a field that the words contradict.
    pub fn disagreement_for(&self, id: FieldId) -> Option<&Disagreement> {
        self.reading
            .disagreements
            .iter()
            .find(|d| casualty_field(d.kind) == id)
    }

    /// Ctrl-Y on a count the words contradict: the words' count replaces the typed one.
    fn take_said(&mut self, env: &Env) -> Option<Out> {
        let d = self.disagreement_for(self.focused())?.clone();
        let Some(Value::Text(e)) = self.values.get_mut(self.focus) else {
            return None;
        };
        *e = Editor::new(crate::rules::reading::count_text(&d.said, env.lang));
        let key = d.kind.key().to_string();
        if !self.accepted.contains(&key) {
            self.accepted.push(key);
        }
        self.dirty = true;
        self.reassess(env);
        Some(Out::notice(
            format!(
                "{}: {} {}",
                env.t(Text::ReadAccepted),
                d.kind.name(env.lang),
                crate::rules::reading::count_text(&d.said, env.lang)
            ),
            false,
        ))
    }

    /// Takes suggestions into their fields (recorded as the officer's choice).
    pub(super) fn accept(&mut self, env: &Env, all: bool) -> Out {
        if !all && self.suggestion_for(self.focused()).is_none() {
            if let Some(out) = self.take_said(env) {
                return out;
            }
        }
        let chosen: Vec<Suggested> = if all {
            self.open_suggestions().cloned().collect()
        } else {
            self.target().into_iter().collect()
        };
        if chosen.is_empty() {
            return Out::notice(env.t(Text::ReadNoSuggestion), true);
        }
        let Ok(mut draft) = self.draft(env, false) else {
            return Out::none();
        };
        for s in &chosen {
            s.apply(&mut draft);
        }
        let values = values_of(env, &draft);
        for s in &chosen {
            let i = field_of(s) as usize;
            // Only an empty field takes a value: a second category stays a suggestion that
            // routing uses, recorded as accepted.
            if let (Some(slot), Some(v)) = (self.values.get_mut(i), values.get(i)) {
                if is_empty(slot) {
                    *slot = v.clone();
                }
            }
            if !self.accepted.contains(&s.key()) {
                self.accepted.push(s.key());
            }
        }
        self.dirty = true;
        self.reassess(env);
        taken(env, Text::ReadAccepted, &chosen)
    }

    /// Declines the focused field's suggestion (or the first).
    pub(super) fn decline(&mut self, env: &Env) -> Out {
        let Some(s) = self.target() else {
            return Out::notice(env.t(Text::ReadNoSuggestion), true);
        };
        self.declined.push(s.key());
        self.dirty = true;
        self.reassess(env);
        taken(env, Text::ReadDeclined, std::slice::from_ref(&s))
    }
}

/// "已采纳: 道路交通事故 · 死亡 12" on the status line.
fn taken(env: &Env, what: Text, chosen: &[Suggested]) -> Out {
    let values: Vec<String> = chosen
        .iter()
        .map(|s| s.value_text(&env.config, env.lang))
        .collect();
    Out::notice(format!("{}: {}", env.t(what), values.join(" · ")), false)
}

/// The form field a suggestion fills.
pub fn field_of(s: &Suggested) -> FieldId {
    match &s.what {
        Suggestion::Category { .. } => FieldId::Category,
        Suggestion::Casualty { kind, .. } => casualty_field(*kind),
        Suggestion::Level { .. } => FieldId::Level,
        Suggestion::Place { .. } => FieldId::Location,
        Suggestion::Occurred { .. } => FieldId::OccurredAt,
    }
}

/// The form field of a casualty count.
fn casualty_field(kind: CasualtyKind) -> FieldId {
    match kind {
        CasualtyKind::Dead => FieldId::Dead,
        CasualtyKind::Injured => FieldId::Injured,
        CasualtyKind::Missing => FieldId::Missing,
        CasualtyKind::Trapped => FieldId::Trapped,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Text(e) => e.text().trim().is_empty(),
        Value::Choice(c) => c.is_none(),
    }
}
