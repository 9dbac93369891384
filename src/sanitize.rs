//! The one sanitiser: every piece of outside text passes here before it reaches a terminal.
//!
//! Escape sequences, C0 and C1 controls (except newline and, where allowed, tab), DEL, bidi
//! controls, zero-width characters and line/paragraph separators are replaced by visible
//! stand-ins, so they can be seen and never act. Nothing is dropped silently.

use std::borrow::Cow;

/// What a control character is shown as.
fn stand_in(c: char) -> Option<&'static str> {
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
            "⟦bidi⟧"
        }
        // Zero-width and invisible formatting characters.
        '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{ad}' | '\u{180e}' => {
            "⟦zw⟧"
        }
        c if (c as u32) < 0x20 => "�",
        // 8-bit C1 controls (U+0080–U+009F), CSI among them.
        c if (0x80..=0x9f).contains(&(c as u32)) => "�",
        _ => return None,
    })
}

fn needs_work(s: &str, keep_newline: bool) -> bool {
    s.chars().any(|c| match c {
        '\n' | '\t' => !keep_newline,
        c => stand_in(c).is_some(),
    })
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
    if !needs_work(s, keep_newline) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' if keep_newline => out.push('\n'),
            '\t' if keep_newline => out.push('\t'),
            '\n' => out.push('⏎'),
            '\t' => out.push(' '),
            c => match stand_in(c) {
                Some(v) => out.push_str(v),
                None => out.push(c),
            },
        }
    }
    Cow::Owned(out)
}

/// Decodes outside bytes: UTF-8 when valid, else GB18030 is *not* guessed — invalid bytes
/// become U+FFFD so the caller can say the file is not UTF-8.
pub fn bytes(b: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(b)
}

/// True if the string would reach a terminal unchanged (for tests and assertions).
pub fn is_safe(s: &str) -> bool {
    !s.chars()
        .any(|c| c != '\n' && c != '\t' && stand_in(c).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            ("plain 中文", "plain 中文"),
            ("a\u{1b}[2Jb", "a␛[2Jb"),
            ("\u{1b}]52;c;aGk=\u{7}", "␛]52;c;aGk=␇"),
            ("x\u{9b}31m", "x�31m"),
            ("abc\u{202e}cba", "abc⟦bidi⟧cba"),
            ("a\u{200b}b", "a⟦zw⟧b"),
            ("r\rn", "r␍n"),
            ("l1\nl2\tx", "l1\nl2\tx"),
            ("u\u{2028}v", "u␤v"),
        ];
        for (input, want) in cases {
            assert_eq!(text(input), want, "{input:?}");
            assert!(is_safe(&text(input)));
        }
        assert_eq!(line("a\nb\tc"), "a⏎b c");
    }

    #[test]
    fn borrowed_when_clean() {
        assert!(matches!(text("值班 ok"), Cow::Borrowed(_)));
    }
}
