//! `[instructions]`: feedback deadlines and the reminder/chase cadence of 督办.

use serde::{Deserialize, Serialize};

/// Supervision of leaders' instructions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Instructions {
    /// Feedback deadline after relaying, when the request names none.
    pub feedback_minutes: u32,
    /// Remind this many minutes before the deadline (0: never).
    pub remind_before_minutes: u32,
    /// After the deadline, chase every this many minutes (0: once).
    pub chase_every_minutes: u32,
}

impl Default for Instructions {
    fn default() -> Instructions {
        Instructions {
            feedback_minutes: 120,
            remind_before_minutes: 15,
            chase_every_minutes: 30,
        }
    }
}
