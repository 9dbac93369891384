//! Notice lines for the CLI.
use crate::domain::{EventBody, Lang};
/// A short description of a notice event.
pub fn event_summary(body: &EventBody, _lang: Lang) -> String {
    body.kind().to_string()
}
