//! TEMPORARY stub of the verifier API; replaced by the real engine (issue 3) on merge.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::domain::{Flag, Level, Report};

/// The verification engine.
#[derive(Debug, Clone)]
pub struct Verifier {
    thresholds: Vec<(Level, crate::rules::level::Threshold)>,
}

/// Flags and a level suggestion for one report.
#[derive(Debug, Clone, Default)]
pub struct Assessment {
    /// The flags.
    pub flags: Vec<Flag>,
    /// The level the casualties imply.
    pub level_suggested: Option<Level>,
}

impl Verifier {
    /// Builds the engine.
    pub fn new(config: &Config) -> Verifier {
        Verifier {
            thresholds: config.thresholds(),
        }
    }

    /// Assesses a report.
    pub fn assess(&self, report: &Report, _earlier: &[Report], _now: DateTime<Utc>) -> Assessment {
        Assessment {
            flags: Vec::new(),
            level_suggested: crate::rules::level::suggest(&report.casualties, &self.thresholds),
        }
    }
}
