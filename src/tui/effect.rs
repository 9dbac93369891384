//! Effects: what `update` asks the outside world to do. The run loop executes them and feeds
//! the results back as [`Msg`](super::msg::Msg)s; tests just look at them.

use super::msg::Reply;
use crate::domain::Actor;
use crate::service::Request;

/// One thing to do off the UI path.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Ask the desk; the answer comes back as `Msg::Answer { reply, .. }`.
    Call {
        /// Where the answer goes.
        reply: Reply,
        /// Who asks.
        actor: Actor,
        /// What (boxed: a report draft is large).
        request: Box<Request>,
    },
    /// End the session (the run loop records `SessionEnded` and restores the terminal).
    Quit {
        /// quit, sigterm, sighup, terminal-lost…
        reason: String,
    },
}
