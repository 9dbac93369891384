//! The time source. Store UTC, show the configured zone; tests and demos set the time.
//!
//! Wall-clock times go into events; elapsed times on screen come from a monotonic clock or are
//! computed with [`elapsed`], which never goes negative when the wall clock steps back.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Offset, TimeZone, Utc};

/// A source of "now".
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current UTC time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The system clock shifted so that it started at a given time (`DUTYDESK_NOW` for demos).
#[derive(Debug, Clone, Copy)]
pub struct ShiftedClock {
    shift: chrono::Duration,
}

impl ShiftedClock {
    /// A clock that reads `start` now and runs on from there.
    pub fn starting_at(start: DateTime<Utc>) -> ShiftedClock {
        ShiftedClock {
            shift: start - Utc::now(),
        }
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.shift
    }
}

/// A clock that stands still until told otherwise: for tests.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    /// A clock reading `t`.
    pub fn new(t: DateTime<Utc>) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(t)))
    }

    /// Sets the time (backwards too: a clock step).
    pub fn set(&self, t: DateTime<Utc>) {
        if let Ok(mut g) = self.0.lock() {
            *g = t;
        }
    }

    /// Moves the time on (or back, with a negative duration).
    pub fn advance(&self, d: chrono::Duration) {
        if let Ok(mut g) = self.0.lock() {
            *g += d;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
            .lock()
            .map(|g| *g)
            .unwrap_or_else(|p| *p.into_inner())
    }
}

/// The clock from the environment: `DUTYDESK_NOW=<RFC 3339>` starts a shifted clock there.
pub fn from_env() -> Result<Arc<dyn Clock>, String> {
    match std::env::var("DUTYDESK_NOW") {
        Ok(s) if !s.trim().is_empty() => DateTime::parse_from_rfc3339(s.trim())
            .map(|t| Arc::new(ShiftedClock::starting_at(t.with_timezone(&Utc))) as Arc<dyn Clock>)
            .map_err(|e| format!("DUTYDESK_NOW: not an RFC 3339 time ({e}): {s}")),
        _ => Ok(Arc::new(SystemClock)),
    }
}

/// The display zone: a named IANA zone (with DST), or the system's local zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// A named zone such as `Asia/Shanghai`.
    Named(chrono_tz::Tz),
    /// Whatever the system says (`TZ`, /etc/localtime).
    Local,
}

impl Zone {
    /// Parses a zone name; empty or `local` means the system zone.
    pub fn parse(s: &str) -> Result<Zone, String> {
        let s = s.trim();
        if s.is_empty() || s.eq_ignore_ascii_case("local") || s.eq_ignore_ascii_case("system") {
            return Ok(Zone::Local);
        }
        s.parse::<chrono_tz::Tz>().map(Zone::Named).map_err(|_| {
            format!("unknown time zone {s:?} (use an IANA name such as Asia/Shanghai)")
        })
    }

    /// The UTC offset in force at `t`.
    pub fn offset_at(self, t: DateTime<Utc>) -> FixedOffset {
        match self {
            Zone::Named(tz) => tz.offset_from_utc_datetime(&t.naive_utc()).fix(),
            Zone::Local => chrono::Local.offset_from_utc_datetime(&t.naive_utc()).fix(),
        }
    }

    /// A wall time in this zone: `None` in a DST gap (no such time), the earlier in a fold.
    pub fn from_local(self, naive: chrono::NaiveDateTime) -> Option<DateTime<FixedOffset>> {
        match self {
            Zone::Named(tz) => tz
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.fixed_offset()),
            Zone::Local => chrono::Local
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.fixed_offset()),
        }
    }

    /// `t` shown in this zone (keeps the instant, changes the offset).
    pub fn localize(self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.offset_at(t))
    }
}

/// Time from `from` to `to`, never negative: a wall clock that stepped back gives zero.
pub fn elapsed<A: TimeZone, B: TimeZone>(from: &DateTime<A>, to: &DateTime<B>) -> Duration {
    let d = to.clone().with_timezone(&Utc) - from.clone().with_timezone(&Utc);
    d.to_std().unwrap_or(Duration::ZERO)
}

/// `1h05m`, `12m`, `40s`: a short duration for badges.
pub fn short_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d{}h", s / 86_400, (s % 86_400) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn elapsed_never_negative_across_a_step_back() {
        let c = ManualClock::new(t("2026-11-22T10:00:00Z"));
        let a = c.now();
        c.advance(chrono::Duration::minutes(-5));
        assert_eq!(elapsed(&a, &c.now()), Duration::ZERO);
        c.advance(chrono::Duration::minutes(65));
        assert_eq!(elapsed(&a, &c.now()), Duration::from_secs(3600));
    }

    #[test]
    fn durations_across_dst_come_from_utc() {
        let ny = Zone::parse("America/New_York").unwrap();
        // 2026-11-01 01:30 happens twice in New York (the fold): 05:30Z and 06:30Z.
        let a = ny.localize(t("2026-11-01T05:30:00Z"));
        let b = ny.localize(t("2026-11-01T06:30:00Z"));
        assert_eq!(a.format("%H:%M").to_string(), b.format("%H:%M").to_string());
        assert_eq!(elapsed(&a, &b), Duration::from_secs(3600));
        // The spring gap: 2026-03-08 01:59 EST to 03:00 EDT is one minute.
        let c = ny.localize(t("2026-03-08T06:59:00Z"));
        let d = ny.localize(t("2026-03-08T07:00:00Z"));
        assert_eq!(c.format("%H:%M").to_string(), "01:59");
        assert_eq!(d.format("%H:%M").to_string(), "03:00");
        assert_eq!(elapsed(&c, &d), Duration::from_secs(60));
    }

    #[test]
    fn zone_names() {
        assert_eq!(Zone::parse("").unwrap(), Zone::Local);
        assert!(Zone::parse("Asia/Shanghai").is_ok());
        assert!(Zone::parse("Mars/Olympus").is_err());
    }

    #[test]
    fn short_durations() {
        let table = [(5, "5s"), (600, "10m"), (3900, "1h05m"), (90_000, "1d1h")];
        for (s, want) in table {
            assert_eq!(short_duration(Duration::from_secs(s)), want);
        }
    }
}
