//! What every screen reads but does not own: configuration, language, theme, keymap, the
//! verifier, the signed-in actor and the current time (set only by `Msg::Tick`).

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};

use super::effect::Effect;
use super::i18n::Text;
use super::keymap::Keymap;
use super::msg::Reply;
use super::theme::Theme;
use crate::clock::Zone;
use crate::config::Config;
use crate::domain::{Actor, Lang};
use crate::rules::verify::Verifier;
use crate::service::Request;

/// Shared, read-mostly context of the console.
#[derive(Debug, Clone)]
pub struct Env {
    /// The configuration.
    pub config: Arc<Config>,
    /// The language of every string.
    pub lang: Lang,
    /// The display zone.
    pub zone: Zone,
    /// Colours and borders.
    pub theme: Theme,
    /// Key bindings.
    pub keymap: Keymap,
    /// The verification engine (pure; run on drafts as the officer types).
    pub verifier: Verifier,
    /// Who acts (the OS user until someone signs in).
    pub actor: Actor,
    /// Now, as of the last tick.
    pub now: DateTime<Utc>,
    /// The shift the desk says is running (an early handover starts the next one before the
    /// clock's shift start).
    pub shift: Option<chrono::NaiveDate>,
}

impl Env {
    /// Builds the context.
    pub fn new(
        config: Arc<Config>,
        lang: Lang,
        theme: Theme,
        keymap: Keymap,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Env {
        Env {
            shift: None,
            zone: config.zone(),
            verifier: Verifier::new(&config),
            config,
            lang,
            theme,
            keymap,
            actor,
            now,
        }
    }

    /// A fixed string in the console's language.
    pub fn t(&self, text: Text) -> &'static str {
        text.get(self.lang)
    }

    /// A time shown in the office's zone.
    pub fn local(&self, t: &DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        self.zone.localize(t.with_timezone(&Utc))
    }

    /// Now in the office's zone.
    pub fn now_local(&self) -> DateTime<FixedOffset> {
        self.zone.localize(self.now)
    }

    /// A desk call as the current actor.
    pub fn call(&self, reply: Reply, request: Request) -> Effect {
        Effect::Call {
            reply,
            actor: self.actor.clone(),
            request: Box::new(request),
        }
    }
}
