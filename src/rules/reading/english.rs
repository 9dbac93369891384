//! Casualties in English, by patterns (the regex crate): "3 dead and 11 injured", "killing two",
//! "the driver was killed", "no one was hurt", "casualties unknown".

use regex::Regex;

use super::casualties::Mention;
use super::CasualtyKind;
use crate::domain::Count;

/// The compiled English patterns.
pub(crate) struct English {
    single: Regex,
    body: Regex,
    before: Regex,
    after: Regex,
    none: Regex,
    unknown: Regex,
}

const NUM: &str = r"(\d+|a dozen|dozens of|dozens|scores of|hundreds of|several|a few|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(?:one|two|three|four|five|six|seven|eight|nine)|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|(?:more than|over|about|around|nearly|at least|some) (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty))";

impl English {
    /// Compiles the patterns; `None` only if a pattern were malformed (a test holds them).
    pub(crate) fn new() -> Option<English> {
        let kind = r"(killed|dead|died|deaths|fatalities|drowned|injured|hurt|wounded|injuries|fell ill|taken ill|taken to hospital|treated in hospital|treated|send to hospital|sent to hospital|hospitali[sz]ed|poisoned|stabbed|missing|unaccounted for|trapped)";
        let before = Regex::new(&format!(
            r"\b{NUM}\s+(?:[a-z'-]+\s+){{0,6}}?(?:(?:were|was|have been|had been|are|is|got|remain|remained|still)\s+)?(?:(?:seriously|slightly|critically|badly|fatally|reportedly)\s+)?{kind}\b"
        ))
        .ok()?;
        let after = Regex::new(&format!(
            r"\b(killing|killed|injuring|injured|leaving|left|sent|sending)\s+{NUM}(?:\s+(?:people|persons|others|workers|passengers|villagers|residents|pupils|students|children|miners))?(?:\s+{kind})?\b"
        ))
        .ok()?;
        let none = Regex::new(
            r"\b(?:(?:escaped|was|were|is|are|remained)\s+(unhurt|unharmed|uninjured)|no (?:one|body) (?:was |were |has been |had been |is |got )?(hurt|injured|killed|trapped|missing)|nobody (?:was |has been )?(hurt|injured|killed|trapped)|no (?:reports of )?(casualties|injuries|deaths|fatalities)|without (casualties|injuries))\b",
        )
        .ok()?;
        let unknown = Regex::new(
            r"\b(?:(casualties|injuries|deaths|the number of (?:dead|injured|casualties))\s+(?:are |is |were )?(?:still |not yet )?(?:unknown|unclear|not yet known|being checked|being verified)|no information on (casualties|injuries))\b",
        )
        .ok()?;
        // One person: "the driver was killed", "injuring a passer-by", "killing his wife".
        let single = Regex::new(
            r"\b(?:(?:a|an|the|his|her|one)\s+(?:[a-z0-9'-]+\s+){0,2}?(?:was|is|has been|had been|got)\s+(?:[a-z]+\s+){0,4}?(?:seriously |slightly |critically |badly |fatally )?(killed|dead|hurt|injured|wounded|stabbed|trapped|missing)|(?:the|a|an)\s+[a-z0-9'-]+\s+escaped with (?:minor |slight )?(cuts|injuries|bruises)|(killing|injuring)\s+(?:a|an|the|his|her|one)\s+[a-z'-]+|left\s+(?:one|a|an)\s+(?:[a-z]+\s+){0,3}?with\s+(?:a\s+)?(broken|fractured|serious|minor)|(?:a|an|the|one)\s+(?:[a-z'.,-]+\s+){0,10}?(?:and\s+)?(died|drowned))\b",
        )
        .ok()?;
        let body = Regex::new(r"\bthe body of (?:a|an|the)\b").ok()?;
        Some(English {
            single,
            body,
            before,
            after,
            none,
            unknown,
        })
    }

    /// English counts; offsets are normalised character offsets.
    pub(crate) fn find(&self, text: &str, out: &mut Vec<Mention>) {
        self.counted(text, out);
        self.one_person(text, out);
        self.stated_without_count(text, out);
    }

    /// "3 dead and 11 injured", "killing two and injuring 11", "sent 9 workers to hospital".
    fn counted(&self, text: &str, out: &mut Vec<Mention>) {
        let ch = |b: usize| text[..b].chars().count();
        for m in self.before.captures_iter(text) {
            let (Some(all), Some(n), Some(k)) = (m.get(0), m.get(1), m.get(2)) else {
                continue;
            };
            if text[..all.start()].ends_with("no ") {
                continue;
            }
            if let (Some(count), Some(kind)) = (en_count(n.as_str()), en_kind(k.as_str())) {
                out.push(Mention::new(kind, count, ch(all.start()), ch(all.end())));
            }
        }
        for m in self.after.captures_iter(text) {
            let (Some(all), Some(v), Some(n)) = (m.get(0), m.get(1), m.get(2)) else {
                continue;
            };
            let kind = match (v.as_str(), m.get(3).map(|k| k.as_str())) {
                (_, Some(k)) => en_kind(k),
                ("killing" | "killed", None) => Some(CasualtyKind::Dead),
                ("injuring" | "injured", None) => Some(CasualtyKind::Injured),
                ("sent" | "sending", None) if all.as_str().contains("hospital") => {
                    Some(CasualtyKind::Injured)
                }
                _ => None,
            };
            if let (Some(count), Some(kind)) = (en_count(n.as_str()), kind) {
                out.push(Mention::new(kind, count, ch(all.start()), ch(all.end())));
            }
        }
    }

    /// One person with no number: "the driver was killed", "injuring a passer-by", "the body of a
    /// man".
    fn one_person(&self, text: &str, out: &mut Vec<Mention>) {
        let ch = |b: usize| text[..b].chars().count();
        for m in self.single.captures_iter(text) {
            let Some(all) = m.get(0) else { continue };
            if text[..all.start()].ends_with("no ") {
                continue;
            }
            // Groups: 1 the kind after "was", 2 "escaped with cuts", 3 killing/injuring,
            // 4 "left one with a broken", 5 died.
            let hurt = m.get(4).map(|_| "injured");
            let word = m.get(1).or(m.get(2)).map(|k| k.as_str()).or(hurt);
            let kind = match (word.or(m.get(5).map(|k| k.as_str())), m.get(3)) {
                (Some(k), _) => en_kind(k),
                (None, Some(v)) if v.as_str() == "killing" => Some(CasualtyKind::Dead),
                (None, Some(_)) => Some(CasualtyKind::Injured),
                _ => None,
            };
            if let Some(kind) = kind {
                out.push(Mention::new(
                    kind,
                    Count::Known(1),
                    ch(all.start()),
                    ch(all.end()),
                ));
            }
        }
        for m in self.body.find_iter(text) {
            let (s, e) = (ch(m.start()), ch(m.end()));
            out.push(Mention::new(CasualtyKind::Dead, Count::Known(1), s, e));
        }
    }

    /// "no one was hurt", "no casualties" (0); "casualties unknown" (unknown).
    fn stated_without_count(&self, text: &str, out: &mut Vec<Mention>) {
        let ch = |b: usize| text[..b].chars().count();
        for m in self.none.captures_iter(text) {
            let Some(all) = m.get(0) else { continue };
            let word = (1..=7).find_map(|g| m.get(g)).map(|w| w.as_str());
            let kinds: &[CasualtyKind] = match word {
                Some("hurt" | "injured" | "injuries" | "unhurt" | "unharmed" | "uninjured") => {
                    &[CasualtyKind::Injured]
                }
                Some("killed" | "deaths" | "fatalities") => &[CasualtyKind::Dead],
                Some("trapped") => &[CasualtyKind::Trapped],
                Some("missing") => &[CasualtyKind::Missing],
                _ => &[CasualtyKind::Dead, CasualtyKind::Injured],
            };
            for kind in kinds {
                let (s, e) = (ch(all.start()), ch(all.end()));
                out.push(Mention::new(*kind, Count::Known(0), s, e));
            }
        }
        for m in self.unknown.captures_iter(text) {
            let (Some(all), Some(w)) = (m.get(0), m.get(1).or(m.get(2))) else {
                continue;
            };
            let kinds: &[CasualtyKind] = match w.as_str() {
                "injuries" => &[CasualtyKind::Injured],
                "deaths" => &[CasualtyKind::Dead],
                _ => &[CasualtyKind::Dead, CasualtyKind::Injured],
            };
            for kind in kinds {
                let (s, e) = (ch(all.start()), ch(all.end()));
                out.push(Mention::new(*kind, Count::Unknown, s, e));
            }
        }
    }
}

fn en_kind(k: &str) -> Option<CasualtyKind> {
    Some(match k {
        "killed" | "dead" | "died" | "deaths" | "fatalities" | "drowned" => CasualtyKind::Dead,
        "cuts" | "bruises" => CasualtyKind::Injured,
        "injured"
        | "hurt"
        | "wounded"
        | "injuries"
        | "fell ill"
        | "taken ill"
        | "taken to hospital"
        | "treated in hospital"
        | "treated"
        | "send to hospital"
        | "sent to hospital"
        | "hospitalised"
        | "hospitalized"
        | "poisoned"
        | "stabbed" => CasualtyKind::Injured,
        "missing" | "unaccounted for" => CasualtyKind::Missing,
        "trapped" => CasualtyKind::Trapped,
        _ => return None,
    })
}

fn en_count(n: &str) -> Option<Count> {
    let digits = |w: &str| -> Option<String> {
        if w.chars().all(|c| c.is_ascii_digit()) {
            return Some(w.to_string());
        }
        crate::domain::count_words::en_number(w).map(|v| v.to_string())
    };
    let said = match n {
        "dozens of" | "scores of" | "dozens" => "dozens".to_string(),
        "hundreds of" => "上百".to_string(),
        "a dozen" | "several" | "a few" => n.to_string(),
        _ => match n.rsplit_once(' ') {
            Some((pre, w)) => format!("{pre} {}", digits(w)?),
            None => digits(n)?,
        },
    };
    let said = said.replace("some ", "about ");
    match Count::parse(&said)? {
        Count::NotStated | Count::Unknown => None,
        c => Some(c),
    }
}
