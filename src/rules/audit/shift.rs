//! Shift days: which duty shift an instant belongs to, in the office's zone, across DST.
//! Pure: no clock, no I/O.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use crate::clock::Zone;

/// The shift day of an instant: the shift that began at `start` (local wall time in `zone`) on
/// that day. Across a DST fold the shift begins at the first of the two wall times; in a gap,
/// at the moment the clock jumps past it.
pub fn shift_day(zone: Zone, start: NaiveTime, t: DateTime<Utc>) -> NaiveDate {
    let day = zone.localize(t).date_naive();
    if shift_begins(zone, day, start) <= t {
        day
    } else {
        day.pred_opt().unwrap_or(day)
    }
}

fn shift_begins(zone: Zone, day: NaiveDate, start: NaiveTime) -> DateTime<Utc> {
    let wall = day.and_time(start);
    match zone {
        Zone::Named(tz) => first_instant(&tz, wall),
        Zone::Local => first_instant(&chrono::Local, wall),
    }
}

fn first_instant<Tz: TimeZone>(tz: &Tz, wall: NaiveDateTime) -> DateTime<Utc> {
    // Real gaps end on a whole minute and last at most two hours.
    (0..=180)
        .find_map(|m| {
            tz.from_local_datetime(&(wall + chrono::Duration::minutes(m)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| wall.and_utc())
}
