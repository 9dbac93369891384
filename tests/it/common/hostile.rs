//! The hostile-text corpus shared by the CLI and console tests.

/// The payload corpus: each control family, alone, mixed with Chinese text, and repeated.
pub fn payloads() -> Vec<String> {
    let atoms: Vec<&str> = vec![
        "\u{1b}[2J",
        "\u{1b}[31m红",
        "\u{1b}[?1049h",
        "\u{1b}[6n",
        "\u{1b}]0;pwned\u{7}",
        "\u{1b}]2;title\u{1b}\\",
        "\u{1b}]8;;http://evil.example/\u{1b}\\link\u{1b}]8;;\u{1b}\\",
        "\u{1b}]52;c;SGVsbG8=\u{7}",
        "\u{1b}P+q544e\u{1b}\\",
        "\u{1b}Pq#0;2;0;0;0\u{1b}\\",
        "\u{9b}31m",
        "\u{9d}0;x\u{9c}",
        "\u{90}dcs\u{9c}",
        "\u{85}",
        "\u{8d}",
        "a\rb",
        "\u{7}",
        "\u{8}\u{8}\u{8}",
        "\u{202e}gnp.exe",
        "\u{2066}isolate\u{2069}",
        "\u{200f}rtl",
        "\u{200b}zw",
        "\u{feff}bom",
        "\u{2060}join",
        "line\u{2028}sep",
        "para\u{2029}x",
        "\u{0}nul",
        "\u{7f}del",
        "\u{c}ff",
        "\u{b}vt",
        "\u{1b}c",
        "\u{1b}#8",
        "\u{1b}(0lqk",
        // Invisible families (issue 26): tag characters (ASCII smuggled as tags), deprecated
        // format characters, interlinear annotation, Hangul fillers, variation selectors
        // stacked behind an emoji, joiners that join nothing, a formula for spreadsheets.
        "\u{e0001}\u{e0069}\u{e0067}\u{e006e}\u{e006f}\u{e0072}\u{e0065}",
        "\u{206a}\u{206b}\u{206c}\u{206d}\u{206e}\u{206f}",
        "\u{fff9}注\u{fffa}zhu\u{fffb}",
        "\u{115f}\u{1160}\u{3164}\u{ffa0}",
        "😀\u{fe0f}\u{e0131}\u{e0132}\u{e0133}",
        "a\u{200d}b\u{200c}c\u{34f}",
        "=HYPERLINK(\"http://evil.example/\",\"点击\")",
    ];
    let mut out = Vec::new();
    for a in &atoms {
        out.push(a.to_string());
        out.push(format!("据说{a}城关镇起火"));
        out.push(format!("{a}{a}{a} 十几人被困 {a}"));
        out.push(format!("河口镇\n{a}\n第二行"));
        out.push(format!("{} {a} end", "测".repeat(100)));
    }
    out.push("长".repeat(20_000));
    out.push(format!("{}\u{1b}[2J", "x".repeat(70_000)));
    for i in 0..40 {
        let a = atoms[i % atoms.len()];
        let b = atoms[(i * 7 + 3) % atoms.len()];
        out.push(format!("{a}混合{b}payload{i}"));
    }
    out
}

/// True if a terminal would act on something in `s` (ESC, C1, BEL, bidi controls, CR).
pub fn dangerous(s: &str) -> Option<char> {
    s.chars().find(|&c| {
        matches!(c, '\u{1b}' | '\u{7}' | '\r' | '\u{8}' | '\u{0}' | '\u{7f}')
            || ('\u{80}'..='\u{9f}').contains(&c)
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
    })
}

/// A character that a terminal, phone or chat app would act on, or that hides text: any C0 but
/// newline and tab, DEL, C1, bidi and zero-width characters (wider than [`dangerous`], for
/// text that goes to phones and chat apps).
pub fn leak(s: &str) -> Option<char> {
    s.chars().find(|&c| {
        let u = c as u32;
        (u < 0x20 && c != '\n' && c != '\t')
            || u == 0x7f
            || (0x80..=0x9f).contains(&u)
            || matches!(
                c,
                '\u{202a}'..='\u{202e}'
                    | '\u{2066}'..='\u{2069}'
                    | '\u{200e}'
                    | '\u{200f}'
                    | '\u{61c}'
                    | '\u{200b}'..='\u{200d}'
                    | '\u{2060}'
                    | '\u{feff}'
            )
    })
}

/// True for a character that must never reach any output raw (terminal, printed file, CSV,
/// JSON): everything [`dangerous`] finds, and every invisible character (format characters,
/// tags, fillers, selectors), except a ZWJ between two emoji and one selector after its base.
pub fn raw(s: &str) -> Option<char> {
    let hides = |c: char| {
        matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200d}'
                | '\u{2028}'..='\u{2029}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff0}'..='\u{fffb}'
                | '\u{e0000}'..='\u{e0fff}'
        ) || (c.is_control() && c != '\n' && c != '\t')
    };
    let wide = |c: char| !c.is_ascii() && unicode_width::UnicodeWidthChar::width(c) == Some(2);
    let v: Vec<char> = s.chars().collect();
    (0..v.len()).map(|i| v[i]).enumerate().find_map(|(i, c)| {
        if dangerous(&c.to_string()).is_some() {
            return Some(c);
        }
        if !hides(c) {
            return None;
        }
        let prev = i.checked_sub(1).map(|j| v[j]);
        let next = v.get(i + 1).copied();
        let joins = match c {
            '\u{200d}' => {
                prev.is_some_and(|p| wide(p) || p == '\u{fe0f}') && next.is_some_and(wide)
            }
            '\u{fe00}'..='\u{fe0f}' | '\u{180b}'..='\u{180d}' | '\u{180f}' => {
                prev.is_some_and(|p| !p.is_whitespace() && !hides(p))
            }
            _ => false,
        };
        (!joins).then_some(c)
    })
}
