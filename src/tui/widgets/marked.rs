//! Text laid out for display: wrapped by display width (CJK counts two), every character through
//! the sanitiser, cue ranges (character offsets from a flag) highlighted, and the screen position
//! of a caret, so that the terminal cursor (and an input method's candidates) sit on it.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// Text wrapped into lines, with the caret's (row, column) when one was asked for.
#[derive(Debug, Clone, Default)]
pub struct Laid {
    /// The display lines.
    pub lines: Vec<Line<'static>>,
    /// Row and column of the caret within the lines.
    pub caret: Option<(u16, u16)>,
}

fn marked(i: usize, marks: &[(usize, usize)]) -> bool {
    marks.iter().any(|(s, e)| i >= *s && i < *e)
}

/// Lays out `text` in `width` columns; characters inside `marks` get `cue`, others `base`.
pub fn lay_out(
    text: &str,
    width: u16,
    marks: &[(usize, usize)],
    base: Style,
    cue: Style,
    caret: Option<usize>,
) -> Laid {
    let width = usize::from(width.max(1));
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut buf = String::new();
    let mut buf_cue = false;
    let mut col = 0usize;
    let mut pos = None;
    let flush = |spans: &mut Vec<Span<'static>>, buf: &mut String, is_cue: bool| {
        if !buf.is_empty() {
            spans.push(Span::styled(
                std::mem::take(buf),
                if is_cue { cue } else { base },
            ));
        }
    };
    let mut n = 0;
    for (i, c) in text.chars().enumerate() {
        n = i + 1;
        if c == '\n' {
            if caret == Some(i) {
                pos = Some((lines.len(), col));
            }
            flush(&mut spans, &mut buf, buf_cue);
            lines.push(Line::from(std::mem::take(&mut spans)));
            col = 0;
            continue;
        }
        let mut one = [0u8; 4];
        let piece = crate::sanitize::line(c.encode_utf8(&mut one)).into_owned();
        let w = piece.width();
        if col + w > width && col > 0 {
            flush(&mut spans, &mut buf, buf_cue);
            lines.push(Line::from(std::mem::take(&mut spans)));
            col = 0;
        }
        if caret == Some(i) {
            pos = Some((lines.len(), col));
        }
        let is_cue = marked(i, marks);
        if is_cue != buf_cue {
            flush(&mut spans, &mut buf, buf_cue);
            buf_cue = is_cue;
        }
        buf.push_str(&piece);
        col += w;
    }
    if caret.is_some_and(|c| c >= n) {
        if col >= width {
            flush(&mut spans, &mut buf, buf_cue);
            lines.push(Line::from(std::mem::take(&mut spans)));
            col = 0;
        }
        pos = Some((lines.len(), col));
    }
    flush(&mut spans, &mut buf, buf_cue);
    lines.push(Line::from(spans));
    Laid {
        lines,
        caret: pos.map(|(r, c)| (r.min(u16::MAX as usize) as u16, c as u16)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_column_counts_cjk_as_two() {
        let l = lay_out(
            "据说河口",
            20,
            &[],
            Style::default(),
            Style::default(),
            Some(2),
        );
        assert_eq!(l.caret, Some((0, 4)));
        let l = lay_out(
            "据说河口",
            20,
            &[],
            Style::default(),
            Style::default(),
            Some(4),
        );
        assert_eq!(l.caret, Some((0, 8)));
    }

    #[test]
    fn wraps_and_marks() {
        let cue = Style::default().bg(ratatui::style::Color::Yellow);
        let l = lay_out("ab据说cd", 4, &[(2, 4)], Style::default(), cue, Some(5));
        // "ab据" fills four columns; "说" wraps.
        assert_eq!(l.lines.len(), 2);
        assert_eq!(l.lines[0].spans[1].content, "据");
        assert_eq!(l.lines[0].spans[1].style, cue);
        assert_eq!(l.lines[1].spans[0].content, "说");
        assert_eq!(l.lines[1].spans[1].content, "cd");
        assert_eq!(l.caret, Some((1, 3)));
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        let l = lay_out(
            "a\u{1b}[2Jb",
            40,
            &[],
            Style::default(),
            Style::default(),
            None,
        );
        let s: String = l.lines[0]
            .spans
            .iter()
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(s, "a␛[2Jb");
    }
}
