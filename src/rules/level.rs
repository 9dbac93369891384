//! Level suggestion from casualties (State Council Decree 493 thresholds, configurable).

pub use crate::domain::Threshold;
use crate::domain::{Casualties, Level};

/// The Decree 493 defaults: Ⅰ ≥30 dead or ≥100 injured; Ⅱ ≥10 or ≥50; Ⅲ ≥3 or ≥10.
pub const DEFAULT_THRESHOLDS: [(Level, Threshold); 3] = [
    (
        Level::I,
        Threshold {
            dead: 30,
            injured: 100,
        },
    ),
    (
        Level::II,
        Threshold {
            dead: 10,
            injured: 50,
        },
    ),
    (
        Level::III,
        Threshold {
            dead: 3,
            injured: 10,
        },
    ),
];

/// The level the known casualties imply, gravest first; `None` when no count is known. An
/// approximate count counts at its least (十几人死亡: at least 11).
pub fn suggest(c: &Casualties, thresholds: &[(Level, Threshold)]) -> Option<Level> {
    let dead = c.dead.at_least();
    let injured = c.injured.at_least();
    if dead.is_none() && injured.is_none() {
        return None;
    }
    let (d, i) = (dead.unwrap_or(0), injured.unwrap_or(0));
    for (level, t) in thresholds {
        if d >= t.dead || i >= t.injured {
            return Some(*level);
        }
    }
    Some(Level::IV)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Count;

    #[test]
    fn decree_493_table() {
        let k = Count::Known;
        let table = [
            (k(30), Count::NotStated, Some(Level::I)),
            (k(0), k(100), Some(Level::I)),
            (k(29), k(0), Some(Level::II)),
            (k(10), Count::Unknown, Some(Level::II)),
            (Count::NotStated, k(50), Some(Level::II)),
            (k(3), k(0), Some(Level::III)),
            (k(9), k(49), Some(Level::III)),
            (k(2), k(9), Some(Level::IV)),
            (k(0), k(0), Some(Level::IV)),
            (Count::Unknown, Count::Unknown, None),
            (Count::NotStated, Count::NotStated, None),
            // Approximate counts at their least: 十几人死亡 is at least 11 (Ⅱ); 约20 gives no bound.
            (
                Count::parse("十几").unwrap(),
                Count::NotStated,
                Some(Level::II),
            ),
            (Count::parse("二三十").unwrap(), k(0), Some(Level::II)),
            (k(0), Count::parse("10余").unwrap(), Some(Level::III)),
            (Count::parse("约20").unwrap(), Count::NotStated, None),
        ];
        for (dead, injured, want) in table {
            let c = Casualties {
                dead: dead.clone(),
                injured: injured.clone(),
                ..Default::default()
            };
            assert_eq!(
                suggest(&c, &DEFAULT_THRESHOLDS),
                want,
                "{dead:?} {injured:?}"
            );
        }
    }
}
