//! The one sanitiser: every piece of outside text passes here before it reaches a terminal, a
//! printed file, a CSV cell or a JSON string that a terminal may show.
//!
//! What is never passed through raw, classified by Unicode general category rather than by a
//! hand list: every control (Cc: C0, DEL, C1) but the newline and tab that a multi-line area
//! keeps; every format character (Cf: bidi controls, zero-width characters, soft hyphen, the
//! interlinear annotation marks U+FFF9–FFFB, the deprecated U+206A–206F, tag characters
//! U+E0000–E007F, …); the line and paragraph separators; and the invisible characters that
//! Unicode lists as default-ignorable although they are letters or marks (Hangul fillers U+115F,
//! U+1160, U+3164, U+FFA0; Khmer U+17B4/17B5; U+034F). Each is replaced by a visible stand-in,
//! so it can be seen and never acts; nothing is dropped silently.
//!
//! Two joiners stay, only where they join: U+200D ZERO WIDTH JOINER between two emoji (👩‍💻,
//! ❤️‍🔥), and one variation selector right after the base it selects for (VS15/VS16 after an
//! emoji or keycap base, VS17–256 after a CJK ideograph, VS1–14 and the Mongolian selectors
//! after a letter, digit, symbol or punctuation). A joiner anywhere else, or a second selector
//! in a row (the way data is smuggled behind an emoji), is shown. `unicode-width` measures the
//! kept sequences as a whole (a ZWJ sequence is two columns), as do [`crate::text::fit`]
//! and the handover's wrapping, which never cut inside a grapheme cluster.
//!
//! [`json`] writes JSON whose strings carry the same characters as `\uXXXX` escapes (the values
//! stay exact for scripts); [`csv`] also neutralises spreadsheet formulas.

pub mod csv;
pub mod json;

use std::borrow::Cow;

use unicode_properties::{GeneralCategory, UnicodeEmoji, UnicodeGeneralCategory};

/// Stand-ins for the named families (the C0 ones keep their Unicode control pictures).
const BIDI: &str = "⟦bidi⟧";
const ZERO_WIDTH: &str = "⟦zw⟧";
const TAG: &str = "⟦tag⟧";
const FILLER: &str = "⟦fill⟧";
const SELECTOR: &str = "⟦vs⟧";
const CONTROL: &str = "�";

/// Characters that never need a look-up: printable ASCII and the busiest CJK blocks.
fn plain(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ac00}'..='\u{d7a3}')
}

/// A variation selector (Mn, default-ignorable): kept only right after its base.
fn is_selector(c: char) -> bool {
    matches!(c, '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}' | '\u{180b}'..='\u{180d}' | '\u{180f}')
}

/// Emoji that a ZWJ may join (ASCII digits, `#` and `*` are Emoji=Yes for keycaps only).
fn emoji(c: char) -> bool {
    !c.is_ascii() && c.is_emoji_char()
}

/// CJK ideographs, the only bases of ideographic variation sequences (VS17–256).
fn han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{3ffff}')
}

/// True when `vs` selects a variant of `base`, the character just before it as shown.
fn attached(vs: char, base: Option<char>) -> bool {
    let Some(b) = base.filter(|&b| !is_selector(b)) else {
        return false;
    };
    match vs {
        '\u{fe0e}' | '\u{fe0f}' => b.is_emoji_char(),
        '\u{e0100}'..='\u{e01ef}' => han(b),
        _ => {
            use unicode_properties::GeneralCategoryGroup as G;
            matches!(
                b.general_category_group(),
                G::Letter | G::Number | G::Symbol | G::Punctuation
            )
        }
    }
}

/// What `c` is shown as, or `None` when it passes raw. `prev` is the character before it as
/// shown (`None` at the start or after a stand-in), `next` the one after it in the input.
/// Newline and tab are the callers' business.
fn stand_in(c: char, prev: Option<char>, next: Option<char>) -> Option<&'static str> {
    if plain(c) {
        return None;
    }
    Some(match c {
        '\u{1b}' => "␛",
        '\u{7}' => "␇",
        '\u{8}' => "␈",
        '\r' => "␍",
        '\u{0}' => "␀",
        '\u{7f}' => "␡",
        '\u{c}' => "␌",
        '\u{b}' => "␋",
        '\u{2028}' => "␤",
        '\u{2029}' => "¶",
        // Bidi controls (CVE-2021-42574): shown, never obeyed.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}' => {
            BIDI
        }
        '\u{200d}'
            if prev.is_some_and(|p| emoji(p) || p == '\u{fe0f}') && next.is_some_and(emoji) =>
        {
            return None
        }
        c if is_selector(c) => {
            if attached(c, prev) {
                return None;
            }
            SELECTOR
        }
        // Tag characters, and the rest of their default-ignorable block (unassigned).
        '\u{e0000}'..='\u{e0fff}' => TAG,
        // Hangul fillers and Khmer inherent vowels: letters and marks that draw nothing.
        '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' | '\u{17b4}' | '\u{17b5}' => FILLER,
        // The combining grapheme joiner, and unassigned default-ignorable code points.
        '\u{34f}' | '\u{2065}' | '\u{fff0}'..='\u{fff8}' => ZERO_WIDTH,
        c => match c.general_category() {
            GeneralCategory::Control => CONTROL,
            GeneralCategory::Format => ZERO_WIDTH,
            _ => return None,
        },
    })
}

/// What `c` becomes in one mode: `Some(shown)` when it is replaced.
fn shown(
    c: char,
    prev: Option<char>,
    next: Option<char>,
    keep_newline: bool,
) -> Option<&'static str> {
    match c {
        '\n' if keep_newline => None,
        '\t' if keep_newline => None,
        '\n' => Some("⏎"),
        '\t' => Some(" "),
        c => stand_in(c, prev, next),
    }
}

/// Walks `s`, calling `each(byte offset, char, replacement)` for every character that is
/// replaced; returns false as soon as `each` does.
fn replaced(s: &str, keep_newline: bool, mut each: impl FnMut(usize, char, &'static str) -> bool) {
    let mut prev = None;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if plain(c) {
            prev = Some(c);
            continue;
        }
        match shown(c, prev, it.peek().map(|&(_, n)| n), keep_newline) {
            Some(v) => {
                if !each(i, c, v) {
                    return;
                }
                prev = None;
            }
            None => prev = Some(c),
        }
    }
}

fn first_change(s: &str, keep_newline: bool) -> Option<usize> {
    let mut first = None;
    replaced(s, keep_newline, |i, _, _| {
        first = Some(i);
        false
    });
    first
}

/// Makes text safe to show in a multi-line area: keeps `\n` and `\t`, shows every other control.
pub fn text(s: &str) -> Cow<'_, str> {
    clean(s, true)
}

/// Makes text safe for one line: newlines and tabs become visible (`⏎`, a space).
pub fn line(s: &str) -> Cow<'_, str> {
    clean(s, false)
}

fn clean(s: &str, keep_newline: bool) -> Cow<'_, str> {
    if first_change(s, keep_newline).is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut done = 0;
    replaced(s, keep_newline, |i, c, v| {
        out.push_str(&s[done..i]);
        out.push_str(v);
        done = i + c.len_utf8();
        true
    });
    out.push_str(&s[done..]);
    Cow::Owned(out)
}

/// Decodes outside bytes: UTF-8 when valid, else GB18030 is *not* guessed — invalid bytes
/// become U+FFFD so the caller can say the file is not UTF-8.
pub fn bytes(b: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(b)
}

/// True if the string would reach a terminal unchanged in a multi-line area (newlines and
/// tabs allowed): what [`text`] returns is always safe.
pub fn is_safe(s: &str) -> bool {
    first_change(s, true).is_none()
}

#[cfg(test)]
mod tests;
