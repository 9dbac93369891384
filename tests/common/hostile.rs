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
