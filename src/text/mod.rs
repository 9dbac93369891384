//! Display width for terminal text: cut, pad and wrap by columns (a CJK character counts two,
//! an emoji sequence is measured as a whole), on `unicode-width` and `unicode-segmentation`.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Cuts `s` to at most `width` columns, marking a cut with `…`.
pub fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    // A sequence can be wider than its characters one by one (U+1F3F3 U+FE0F, a flag with an
    // emoji selector, takes two columns, not one): measure the cut as a whole.
    while !out.is_empty() && out.width() + 1 > width {
        out.pop();
    }
    out.push('…');
    out
}

/// Pads `s` with spaces to `width` columns (after fitting it).
pub fn pad(s: &str, width: usize) -> String {
    let s = fit(s, width);
    let w = s.width();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// Wraps by display width, never inside a grapheme cluster (an emoji ZWJ sequence, a base
/// and its selector); continuation lines start with `indent`.
pub fn wrap(text: &str, indent: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut w = 0;
    for g in text.graphemes(true) {
        let gw = g.width();
        if w + gw > width && !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
            cur.push_str(indent);
            w = indent.width();
        }
        cur.push_str(g);
        w += gw;
    }
    lines.push(cur);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_and_pad_measure_emoji_sequences_as_a_whole() {
        // Found by the sanitize fuzz target: 🏳 + VS16 is two columns, its characters one.
        let s = "aߛa�␀␀␀␀␀�🏳\u{fe0f}#�␀␀␀␀␀␀";
        for w in 1..=20 {
            assert!(fit(s, w).width() <= w, "fit({s:?}, {w}) = {:?}", fit(s, w));
            assert_eq!(pad(s, w).width(), w, "pad({s:?}, {w})");
        }
        assert_eq!(fit("值班室", 6), "值班室");
        assert_eq!(fit("值班室", 5), "值班…");
    }

    #[test]
    fn wrap_counts_cjk_double() {
        let s = "值".repeat(50);
        let lines = wrap(&s, "  ", 80);
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| l.width() <= 80));
        assert_eq!(lines[0].width(), 80);
    }
}
