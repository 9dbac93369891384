//! Normalised text with a map back to the original: NFKC and lower case, one normalised
//! character at a time, each remembering which original character (Unicode scalar) it came from.
//!
//! NFKC can change lengths (`①` → `1`, `㎞` → `km`, `ﬁ` → `fi`), so every match found in the
//! normalised text is mapped back through [`Norm::span`] to a range of original characters, and
//! the cue shown is exactly that slice of the original field.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// A field's text, normalised for matching.
pub(crate) struct Norm<'a> {
    /// The original field text.
    pub orig: &'a str,
    /// Normalised, lower-cased text (what the automata run over).
    pub text: String,
    /// Normalised characters.
    pub chars: Vec<char>,
    /// For each normalised character: the index of the original character it came from.
    pub from: Vec<u32>,
    /// For each byte of `text`: the index of the normalised character it belongs to.
    byte_char: Vec<u32>,
    /// Byte offset of each original character, plus the total length.
    orig_bytes: Vec<usize>,
}

fn push_lower(c: char, i: u32, chars: &mut Vec<char>, from: &mut Vec<u32>) {
    if is_plain_cjk(c) {
        chars.push(c);
        from.push(i);
    } else if c.is_ascii() {
        chars.push(c.to_ascii_lowercase());
        from.push(i);
    } else {
        for l in c.to_lowercase() {
            chars.push(l);
            from.push(i);
        }
    }
}

/// True for characters whose NFKC form is themselves and that have no case (the common CJK).
fn is_plain_cjk(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x3001..=0x3002)
}

impl<'a> Norm<'a> {
    /// Normalises `orig`.
    pub fn new(orig: &'a str) -> Norm<'a> {
        let n = orig.len();
        let mut chars = Vec::with_capacity(n);
        let mut from = Vec::with_capacity(n);
        let mut orig_bytes = Vec::with_capacity(n + 1);
        for (i, (b, c)) in orig.char_indices().enumerate() {
            orig_bytes.push(b);
            let i = i as u32;
            if c.is_ascii()
                || is_plain_cjk(c)
                || is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
            {
                push_lower(c, i, &mut chars, &mut from);
            } else {
                for d in std::iter::once(c).nfkc() {
                    push_lower(d, i, &mut chars, &mut from);
                }
            }
        }
        orig_bytes.push(n);
        let mut text = String::with_capacity(chars.len() * 3);
        let mut byte_char = Vec::with_capacity(chars.len() * 3 + 1);
        for (k, c) in chars.iter().enumerate() {
            text.push(*c);
            for _ in 0..c.len_utf8() {
                byte_char.push(k as u32);
            }
        }
        byte_char.push(chars.len() as u32);
        Norm {
            orig,
            text,
            chars,
            from,
            byte_char,
            orig_bytes,
        }
    }

    /// The normalised character index at a byte offset of `text`.
    pub fn char_at_byte(&self, b: usize) -> usize {
        self.byte_char.get(b).copied().unwrap_or(0) as usize
    }

    /// Maps a normalised character range `[s, e)` (e > s) to an original character range.
    pub fn span(&self, s: usize, e: usize) -> (usize, usize) {
        let os = self.from.get(s).copied().unwrap_or(0) as usize;
        let oe = e
            .checked_sub(1)
            .and_then(|l| self.from.get(l))
            .map(|x| *x as usize + 1)
            .unwrap_or(os);
        (os, oe.max(os))
    }

    /// The original text of original characters `[s, e)`.
    pub fn orig_slice(&self, s: usize, e: usize) -> &'a str {
        let last = self.orig_bytes.len().saturating_sub(1);
        let bs = self.orig_bytes.get(s.min(last)).copied().unwrap_or(0);
        let be = self.orig_bytes.get(e.min(last)).copied().unwrap_or(bs);
        self.orig.get(bs..be).unwrap_or("")
    }

    /// The original character at original index `i`.
    pub fn orig_char(&self, i: usize) -> Option<char> {
        self.orig_slice(i, i + 1).chars().next()
    }

    /// The normalised character at `i`, if any.
    pub fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }
}

/// Normalises a pattern or cue the same way as field text (NFKC, lower case).
pub(crate) fn normalise(s: &str) -> String {
    Norm::new(s).text
}

/// A Latin letter or digit (word characters for English boundaries; CJK is not).
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || (c.is_alphabetic() && (c as u32) < 0x0250)
}

/// True if the cue is Latin (English) and needs word boundaries.
pub(crate) fn is_latin(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_alphabetic())
}

/// Digits only (for comparing phone numbers).
pub(crate) fn digits(s: &str) -> String {
    normalise(s).chars().filter(char::is_ascii_digit).collect()
}
