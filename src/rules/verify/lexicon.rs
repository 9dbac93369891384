//! The vague-word lexicon: one Aho–Corasick automaton over the normalised cues, with the context
//! rules that keep false friends out.
//!
//! Rules, in the order applied to each candidate match:
//! - Latin cues match on word boundaries only ("may" never fires inside "mayor", "some" never
//!   inside "someone");
//! - a match lying inside a configured false friend (无人员伤亡, 可能性已排除, 下落不明, "a report
//!   about") is dropped;
//! - cues listed in `needs_number` ("about", "around", "over", …) count only when a number or a
//!   quantity word follows ("about 20", "around midnight"; not "talk about the fire");
//! - "May" with a capital and a date beside it ("May 3", "3 May", "in May") is the month;
//! - hearsay frames 听…说 / 听…讲 / 网友…说 / 网友…称 with up to four characters between (听工友说,
//!   听我邻居讲, 网友在群里说) are hearsay cues;
//! - 可能 in a clause that also says 排除 (已排除…可能, 不排除…的可能) is not flagged on its own:
//!   the clause is either settled or already flagged by 不排除 / 无法排除.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::numbers::is_numeral;
use super::text::{is_latin, is_word_char, normalise, Norm};
use super::Hit;
use crate::config::Verification;
use crate::domain::FlagClass;

/// What a compiled cue needs to know at match time.
#[derive(Clone)]
struct CueInfo {
    class: FlagClass,
    weight: u8,
    latin: bool,
    needs_number: bool,
    modal_may: bool,
    kenneng: bool,
}

/// The compiled lexicon and false friends.
#[derive(Clone)]
pub(crate) struct Lexicon {
    ac: Option<AhoCorasick>,
    cues: Vec<CueInfo>,
    ff: Option<AhoCorasick>,
}

/// Words besides numerals that count as a quantity after "about", "around", "over"… (numerals
/// are read by [`crate::domain::count_words::en_number`]).
const QUANTITY_WORDS: &[&str] = &[
    "hundred",
    "hundreds",
    "thousand",
    "thousands",
    "dozen",
    "dozens",
    "half",
    "midnight",
    "noon",
    "dawn",
];

/// Words before "May" that make it the month.
const MONTH_LEAD: &[&str] = &[
    "in", "of", "since", "until", "till", "early", "late", "mid", "on", "by", "last", "next",
    "this", "from", "during", "before", "after",
];

fn build(patterns: &[String], kind: MatchKind) -> Option<AhoCorasick> {
    if patterns.is_empty() {
        return None;
    }
    AhoCorasickBuilder::new()
        .match_kind(kind)
        .kind(Some(AhoCorasickKind::DFA))
        .build(patterns)
        .ok()
}

fn is_clause_break(c: char) -> bool {
    "，。；！？、,.;!?\n：:".contains(c)
}

impl Lexicon {
    /// Compiles the lexicon of `v` (cues normalised like field text).
    pub fn new(v: &Verification) -> Lexicon {
        let needs: Vec<String> = v.needs_number.iter().map(|s| normalise(s)).collect();
        let mut patterns = Vec::new();
        let mut cues = Vec::new();
        for c in &v.lexicon {
            let n = normalise(c.cue.trim());
            if n.is_empty() {
                continue;
            }
            cues.push(CueInfo {
                class: c.class,
                weight: c.weight,
                latin: is_latin(&n),
                needs_number: needs.contains(&n),
                modal_may: n == "may",
                kenneng: n == "可能",
            });
            patterns.push(n);
        }
        let ff: Vec<String> = v
            .false_friends
            .iter()
            .map(|s| normalise(s))
            .filter(|s| !s.is_empty())
            .collect();
        Lexicon {
            ac: build(&patterns, MatchKind::Standard),
            cues,
            ff: build(&ff, MatchKind::Standard),
        }
    }

    /// Every lexicon hit in `n` that survives the context rules (possibly overlapping).
    pub fn find(&self, n: &Norm, out: &mut Vec<Hit>) {
        let Some(ac) = &self.ac else { return };
        let mut ff_spans: Vec<(usize, usize)> = Vec::new();
        if let Some(ff) = &self.ff {
            for m in ff.find_overlapping_iter(&n.text) {
                ff_spans.push((n.char_at_byte(m.start()), n.char_at_byte(m.end())));
            }
        }
        for m in ac.find_overlapping_iter(&n.text) {
            let Some(info) = self.cues.get(m.pattern().as_usize()) else {
                continue;
            };
            let (s, e) = (n.char_at_byte(m.start()), n.char_at_byte(m.end()));
            if info.latin && !on_word_boundaries(n, s, e) {
                continue;
            }
            if ff_spans.iter().any(|&(fs, fe)| fs <= s && e <= fe) {
                continue;
            }
            if info.needs_number && !quantity_follows(n, e) {
                continue;
            }
            if info.modal_may && is_month_may(n, s, e) {
                continue;
            }
            if info.kenneng && clause_mentions_ruling_out(n, s, e) {
                continue;
            }
            out.push(Hit {
                s,
                e,
                class: info.class,
                weight: info.weight,
            });
        }
        hearsay_frames(n, out);
    }
}

/// 听…说, 听…讲, 网友…说, 网友…称 with at most four characters between, within one clause.
fn hearsay_frames(n: &Norm, out: &mut Vec<Hit>) {
    let c = &n.chars;
    for i in 0..c.len() {
        let lead = match (c[i], c.get(i + 1)) {
            ('听', _) => 1,
            ('网', Some('友')) => 2,
            _ => continue,
        };
        let ends: &[char] = if lead == 1 {
            &['说', '讲']
        } else {
            &['说', '称']
        };
        let window = c.iter().enumerate().skip(i + lead).take(5);
        for (k, &ch) in window {
            if is_clause_break(ch) || ch == ' ' {
                break;
            }
            if ends.contains(&ch) {
                out.push(Hit {
                    s: i,
                    e: k + 1,
                    class: FlagClass::Hearsay,
                    weight: 80,
                });
                break;
            }
        }
    }
}

fn on_word_boundaries(n: &Norm, s: usize, e: usize) -> bool {
    let before = s.checked_sub(1).and_then(|i| n.at(i));
    let after = n.at(e);
    !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
}

/// The next Latin word (or digit run) after normalised index `i`, skipping spaces.
fn next_word(n: &Norm, mut i: usize) -> String {
    while n.at(i).is_some_and(|c| c == ' ' || c == '\u{a0}') {
        i += 1;
    }
    let mut w = String::new();
    while let Some(c) = n.at(i) {
        if !is_word_char(c) {
            break;
        }
        w.push(c);
        i += 1;
    }
    w
}

/// The Latin word ending just before normalised index `i`, skipping spaces.
fn prev_word(n: &Norm, i: usize) -> String {
    let mut k = i;
    while k > 0 && n.at(k - 1).is_some_and(|c| c == ' ') {
        k -= 1;
    }
    let end = k;
    while k > 0 && n.at(k - 1).is_some_and(is_word_char) {
        k -= 1;
    }
    n.chars
        .get(k..end)
        .map(|c| c.iter().collect())
        .unwrap_or_default()
}

fn is_quantity(w: &str) -> bool {
    w.starts_with(|c: char| c.is_ascii_digit())
        || QUANTITY_WORDS.contains(&w)
        || crate::domain::count_words::en_number(w).is_some()
}

fn quantity_follows(n: &Norm, e: usize) -> bool {
    let mut i = e;
    while n.at(i).is_some_and(|c| c == ' ') {
        i += 1;
    }
    if n.at(i).is_some_and(|c| is_numeral(c) && c != '几') || n.at(i) == Some('$') {
        return true;
    }
    let w = next_word(n, i);
    if w == "a" || w == "an" {
        // "about a dozen", "around a hundred"
        return is_quantity(&next_word(n, i + w.chars().count()));
    }
    is_quantity(&w)
}

fn is_month_may(n: &Norm, s: usize, e: usize) -> bool {
    let capital = n
        .from
        .get(s)
        .and_then(|&o| n.orig_char(o as usize))
        .is_some_and(char::is_uppercase);
    if !capital {
        return false;
    }
    let next = next_word(n, e);
    let prev = prev_word(n, s);
    is_quantity(&next) && next.starts_with(|c: char| c.is_ascii_digit())
        || prev.starts_with(|c: char| c.is_ascii_digit())
        || MONTH_LEAD.contains(&prev.as_str())
}

/// True if the clause around `[s, e)` contains 排除 (ruled out / not ruled out).
fn clause_mentions_ruling_out(n: &Norm, s: usize, e: usize) -> bool {
    let mut a = s;
    while a > 0 && n.at(a - 1).is_some_and(|c| !is_clause_break(c)) && s - a < 30 {
        a -= 1;
    }
    let mut b = e;
    while n.at(b).is_some_and(|c| !is_clause_break(c)) && b - e < 30 {
        b += 1;
    }
    (a..b.saturating_sub(1)).any(|i| n.at(i) == Some('排') && n.at(i + 1) == Some('除'))
}
