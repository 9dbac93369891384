//! Categories from the words: each category's `cues` in config, found by one Aho–Corasick
//! automaton over the normalised text. A cue `A|B+C|D` needs one of A, B and one of C, D in the
//! same sentence. A word right after a negation (未发现明火, 不是火灾, no fire) does not count.
//! Latin words match whole words, with -s, -es, -ed, -d, -ing allowed after them.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::config::{Config, WordCue};
use crate::rules::verify::text::{is_word_char, normalise, Norm};

/// One word of one cue group.
struct Word {
    /// Index into `cues`.
    cue: usize,
    /// Which group of that cue.
    group: usize,
    latin: bool,
}

/// A cue of a category.
pub(crate) struct CompiledCue {
    pub category: String,
    pub text: String,
    groups: usize,
}

/// The compiled cues of every category.
pub(crate) struct Categories {
    ac: Option<AhoCorasick>,
    words: Vec<Word>,
    pub cues: Vec<CompiledCue>,
    /// A category and the ones it yields to.
    yields: Vec<(String, Vec<String>)>,
}

/// A category found: the cue, where its first word is (normalised character offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub category: String,
    pub cue: String,
    pub s: usize,
    pub e: usize,
}

impl Categories {
    pub(crate) fn new(config: &Config) -> Categories {
        let mut patterns = Vec::new();
        let mut words = Vec::new();
        let mut cues = Vec::new();
        for c in &config.categories {
            for text in &c.cues {
                let Some(cue) = WordCue::parse(text) else {
                    continue;
                };
                let k = cues.len();
                for (g, group) in cue.groups.iter().enumerate() {
                    for w in group {
                        let w = normalise(w);
                        words.push(Word {
                            cue: k,
                            group: g,
                            latin: w.chars().any(|c| c.is_ascii_alphabetic()),
                        });
                        patterns.push(w);
                    }
                }
                cues.push(CompiledCue {
                    category: c.key.clone(),
                    text: text.clone(),
                    groups: cue.groups.len(),
                });
            }
        }
        // Overlapping matches: 燃气泄漏 and 泄漏 both count.
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .ok();
        let yields = config
            .categories
            .iter()
            .filter(|c| !c.yields_to.is_empty())
            .map(|c| (c.key.clone(), c.yields_to.clone()))
            .collect();
        Categories {
            ac,
            words,
            cues,
            yields,
        }
    }

    /// The categories the text calls for, in the order their evidence appears.
    pub(crate) fn find(&self, n: &Norm<'_>) -> Vec<Found> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        let c = &n.chars;
        // Sentence number of each normalised character.
        let mut sentence = Vec::with_capacity(c.len());
        let mut k = 0u32;
        for (i, ch) in c.iter().enumerate() {
            sentence.push(k);
            let ends = matches!(ch, '。' | '!' | '?' | ';' | '\n')
                || (*ch == '.' && c.get(i + 1).is_none_or(|n| n.is_whitespace()));
            if ends {
                k += 1;
            }
        }
        // For each cue and sentence, the first hit of each group.
        let mut hits: Vec<(usize, u32, usize, usize, usize)> = Vec::new();
        for m in ac.find_overlapping_iter(&n.text) {
            let w = &self.words[m.pattern().as_usize()];
            let s = n.char_at_byte(m.start());
            let e = n.char_at_byte(m.end());
            if w.latin && !whole_word(c, s, e) {
                continue;
            }
            if negated(c, s, w.latin) {
                continue;
            }
            let sent = sentence.get(s).copied().unwrap_or(0);
            hits.push((w.cue, sent, w.group, s, e));
        }
        let mut found: Vec<Found> = Vec::new();
        for (cue_i, cue) in self.cues.iter().enumerate() {
            let mine: Vec<_> = hits.iter().filter(|h| h.0 == cue_i).collect();
            let mut best: Option<(usize, usize)> = None;
            for h in &mine {
                if h.2 != 0 {
                    continue;
                }
                let all = (1..cue.groups).all(|g| mine.iter().any(|o| o.1 == h.1 && o.2 == g));
                if all && best.is_none_or(|b| h.3 < b.0) {
                    best = Some((h.3, h.4));
                }
            }
            if let Some((s, e)) = best {
                match found.iter_mut().find(|f| f.category == cue.category) {
                    Some(f) if f.s <= s => {}
                    Some(f) => {
                        f.s = s;
                        f.e = e;
                        f.cue = cue.text.clone();
                    }
                    None => found.push(Found {
                        category: cue.category.clone(),
                        cue: cue.text.clone(),
                        s,
                        e,
                    }),
                }
            }
        }
        found.sort_by_key(|f| f.s);
        let keys: Vec<String> = found.iter().map(|f| f.category.clone()).collect();
        found.retain(|f| {
            !self
                .yields
                .iter()
                .any(|(c, to)| *c == f.category && to.iter().any(|t| keys.contains(t)))
        });
        found
    }
}

/// Whole Latin word, allowing an inflection after it.
fn whole_word(c: &[char], s: usize, e: usize) -> bool {
    if s > 0 && c.get(s - 1).is_some_and(|x| is_word_char(*x)) {
        return false;
    }
    let mut j = e;
    while j < c.len() && is_word_char(c[j]) {
        j += 1;
    }
    let tail: String = c[e..j].iter().collect();
    matches!(tail.as_str(), "" | "s" | "es" | "ed" | "d" | "ing" | "ings")
}

/// Words that begin with a negation character but do not negate: 不慎起火, 未成年人溺水.
const NOT_NEGATION: &[[char; 2]] = &[
    ['不', '慎'],
    ['不', '幸'],
    ['不', '久'],
    ['不', '断'],
    ['不', '明'],
    ['不', '少'],
    ['不', '停'],
    ['不', '当'],
    ['不', '良'],
    ['不', '规'],
    ['无', '法'],
    ['无', '故'],
    ['未', '成'],
    ['没', '入'],
];

/// A negation right before the word: 未/无/没/不/非 within three characters of the clause,
/// or "no"/"not"/"without" as one of the two words before a Latin word.
fn negated(c: &[char], s: usize, latin: bool) -> bool {
    if latin {
        let before: String = c[s.saturating_sub(16)..s].iter().collect();
        let words: Vec<&str> = before.split_whitespace().rev().take(2).collect();
        return words
            .iter()
            .any(|w| matches!(*w, "no" | "not" | "without" | "never"));
    }
    let mut j = s;
    while j > 0 && s - j < 3 {
        let ch = c[j - 1];
        if !matches!(ch as u32, 0x4E00..=0x9FFF) {
            return false;
        }
        let next = c.get(j).copied().unwrap_or(' ');
        if matches!(ch, '未' | '无' | '没' | '不' | '非') && !NOT_NEGATION.contains(&[ch, next])
        {
            return true;
        }
        j -= 1;
    }
    false
}
