//! The sanitiser's rules as a table, and its property over every code point.

use super::*;
use unicode_properties::UnicodeEmoji;

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
        // Tag characters: "hi" smuggled after a flag.
        ("🏴\u{e0068}\u{e0069}\u{e007f}", "🏴⟦tag⟧⟦tag⟧⟦tag⟧"),
        ("\u{e0001}en", "⟦tag⟧en"),
        ("a\u{206a}b\u{206f}", "a⟦zw⟧b⟦zw⟧"),
        ("\u{fff9}注\u{fffa}zhu\u{fffb}", "⟦zw⟧注⟦zw⟧zhu⟦zw⟧"),
        (
            "\u{115f}\u{1160}\u{3164}\u{ffa0}",
            "⟦fill⟧⟦fill⟧⟦fill⟧⟦fill⟧",
        ),
        ("名\u{3164}字", "名⟦fill⟧字"),
        ("\u{ad}\u{180e}\u{2061}\u{feff}", "⟦zw⟧⟦zw⟧⟦zw⟧⟦zw⟧"),
        ("\u{13430}\u{1d173}\u{110bd}", "⟦zw⟧⟦zw⟧⟦zw⟧"),
        // Joiners that join stay; the same characters elsewhere are shown.
        ("👩\u{200d}💻", "👩\u{200d}💻"),
        ("❤\u{fe0f}\u{200d}🔥", "❤\u{fe0f}\u{200d}🔥"),
        ("👩🏽\u{200d}💻", "👩🏽\u{200d}💻"),
        ("🏳\u{fe0f}\u{200d}🌈", "🏳\u{fe0f}\u{200d}🌈"),
        ("1\u{fe0f}\u{20e3}", "1\u{fe0f}\u{20e3}"),
        ("葛\u{e0100}城", "葛\u{e0100}城"),
        ("a\u{200d}b", "a⟦zw⟧b"),
        ("\u{200d}👩", "⟦zw⟧👩"),
        ("👩\u{200d}", "👩⟦zw⟧"),
        ("👩\u{200d}\u{200d}💻", "👩⟦zw⟧⟦zw⟧💻"),
        ("\u{fe0f}x", "⟦vs⟧x"),
        (" \u{fe0f}", " ⟦vs⟧"),
        ("a\u{fe0f}", "a⟦vs⟧"),
        ("a\u{e0100}", "a⟦vs⟧"),
        // Data smuggled in selectors behind one emoji: only the first may select.
        ("😀\u{fe0f}\u{e0131}\u{e0132}", "😀\u{fe0f}⟦vs⟧⟦vs⟧"),
        ("😀\u{e0131}", "😀⟦vs⟧"),
    ];
    for (input, want) in cases {
        assert_eq!(text(input), want, "{input:?}");
        assert!(is_safe(&text(input)), "{input:?}");
        assert_eq!(text(&text(input)), text(input), "idempotent: {input:?}");
    }
    assert_eq!(line("a\nb\tc"), "a⏎b c");
}

#[test]
fn borrowed_when_clean() {
    assert!(matches!(text("值班 ok"), Cow::Borrowed(_)));
    assert!(matches!(text("👨\u{200d}👩\u{200d}👧"), Cow::Borrowed(_)));
}

// The reference for the property below, independent of the crate the sanitiser uses: the
// format characters (Cf) of Python 3.11's `unicodedata` (Unicode 14.0), the
// Default_Ignorable_Code_Point ranges of DerivedCoreProperties.txt, and `char::is_control` (Cc).
const CF_UNICODE_14: &[(u32, u32)] = &[
    (0xAD, 0xAD),
    (0x600, 0x605),
    (0x61C, 0x61C),
    (0x6DD, 0x6DD),
    (0x70F, 0x70F),
    (0x890, 0x891),
    (0x8E2, 0x8E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

const DEFAULT_IGNORABLE: &[(u32, u32)] = &[
    (0xAD, 0xAD),
    (0x34F, 0x34F),
    (0x61C, 0x61C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
];

/// Format characters that Unicode added after 14.0 (the crate knows them, Python 3.11 not).
const CF_SINCE_15: &[(u32, u32)] = &[(0x13439, 0x1343F)];

fn within(c: char, table: &[(u32, u32)]) -> bool {
    table.iter().any(|&(a, b)| (a..=b).contains(&(c as u32)))
}

/// Never raw, by the reference: controls (but `\n`, `\t`), format characters, default-ignorable
/// characters, the line and paragraph separators. (A table of every code point, built once:
/// the property below looks up each of some 20 million characters.)
fn forbidden(c: char) -> bool {
    static TABLE: std::sync::OnceLock<Vec<bool>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        (0..=0x10_ffffu32)
            .map(|u| {
                char::from_u32(u).is_some_and(|c| {
                    (c.is_control() && c != '\n' && c != '\t')
                        || within(c, CF_UNICODE_14)
                        || within(c, CF_SINCE_15)
                        || within(c, DEFAULT_IGNORABLE)
                        || matches!(c, '\u{2028}' | '\u{2029}')
                })
            })
            .collect()
    });
    table[c as usize]
}

fn selector(c: char) -> bool {
    matches!(c, '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}' | '\u{180b}'..='\u{180d}' | '\u{180f}')
}

/// The only raw forbidden characters allowed: a ZWJ between two emoji (the first may carry
/// its VS16), and one selector right after a visible base.
fn joins(prev: Option<char>, c: char, next: Option<char>) -> bool {
    let emoji = |e: char| !e.is_ascii() && e.is_emoji_char();
    match c {
        '\u{200d}' => prev.is_some_and(|p| emoji(p) || p == '\u{fe0f}') && next.is_some_and(emoji),
        c if selector(c) => prev.is_some_and(|p| !p.is_whitespace() && !forbidden(p)),
        _ => false,
    }
}

fn every_char() -> impl Iterator<Item = char> {
    (0..=0x10_ffffu32).filter_map(char::from_u32)
}

/// Raw forbidden characters in `out`, outside the joins allowed.
fn raw_forbidden(out: &str) -> Vec<char> {
    let mut bad = Vec::new();
    let mut prev = None;
    let mut it = out.chars().peekable();
    while let Some(c) = it.next() {
        if forbidden(c) && !joins(prev, c, it.peek().copied()) {
            bad.push(c);
        }
        prev = Some(c);
    }
    bad
}

#[test]
fn no_code_point_that_acts_or_hides_is_ever_emitted_raw() {
    // Each code point alone and between neighbours of every kind: CJK (a base for every
    // selector), emoji with VS16 (a ZWJ may join them), an emoji already carrying its selector. Units are separated by a space (no base, no emoji).
    let contexts = [
        ("", ""),
        ("值", "班"),
        ("👩\u{fe0f}", "💻"),
        ("😀\u{fe0f}", "\u{fe0f}"),
    ];
    let mut emitted = 0usize;
    for (before, after) in contexts {
        let mut input = String::new();
        for c in every_char() {
            input.push_str(before);
            input.push(c);
            input.push_str(after);
            input.push(' ');
        }
        let outs = [("text", text(&input)), ("line", line(&input))];
        for (mode, out) in outs {
            let bad = raw_forbidden(&out);
            assert!(
                bad.is_empty(),
                "{mode} in context {before:?}…{after:?}: {} raw, first U+{:04X}",
                bad.len(),
                bad[0] as u32
            );
            assert!(out.len() >= input.len(), "{mode} dropped text");
            assert!(is_safe(&out), "{mode}: is_safe disagrees");
            if mode == "line" {
                assert!(!out.contains(['\n', '\t']), "line kept a newline or tab");
            }
            emitted += out.len();
        }
    }
    assert!(emitted > 0);
}

#[test]
fn every_other_code_point_passes_unchanged() {
    // The sanitiser replaces exactly the reference set: nothing ordinary is touched (a
    // character alone, then after a letter, where a selector may attach).
    let mut over = Vec::new();
    let mut under = Vec::new();
    for c in every_char() {
        let alone = c.to_string();
        let changed = !matches!(text(&alone), Cow::Borrowed(_));
        let want = forbidden(c);
        if changed && !want {
            over.push(c as u32);
        }
        if !changed && want {
            under.push(c as u32);
        }
    }
    assert!(under.is_empty(), "passed raw alone: {under:X?}");
    assert!(over.is_empty(), "replaced without cause: {over:X?}");
}

#[test]
fn ordinary_chinese_and_emoji_sequences_pass_unchanged() {
    let ordinary = [
        "据说城关镇起火，十几人被困。",
        "「河口镇」《通知》——（一）、二；“三”……",
        "\u{3000}全角空格　ＡＢＣ１２３",
        "ㄅㄆㄇ ㄱㄴ 가나다 かなカナ",
        "ئۈرۈمچى بۆلۈمى",
        "ལྷ་ས་གྲོང་ཁྱེར།",
        "👨\u{200d}👩\u{200d}👧\u{200d}👦 👩🏽\u{200d}🚒 🧑\u{200d}🤝\u{200d}🧑",
        "❤\u{fe0f}\u{200d}🔥 🏳\u{fe0f}\u{200d}🌈 🏳\u{fe0f}\u{200d}⚧\u{fe0f}",
        "🇨🇳 🇭🇰 1\u{fe0f}\u{20e3} #\u{fe0f}\u{20e3} ☎\u{fe0f} ☎\u{fe0e}",
        "葛\u{e0100}城 辻\u{e0101}",
        "ᠮᠣᠩᠭᠣᠯ\u{180b}",
        "x² ≤ ∞ ‰ № ℃ ①②③ Ⅻ",
    ];
    for s in ordinary {
        assert!(matches!(text(s), Cow::Borrowed(_)), "{s:?} → {:?}", text(s));
        assert!(matches!(line(s), Cow::Borrowed(_)), "{s:?}");
    }
    // Whole blocks of CJK, kana, Hangul and CJK punctuation, one by one.
    let blocks = [
        0x3000..=0x303f,
        0x3040..=0x30ff,
        0x3400..=0x4dbf,
        0x4e00..=0x9fff,
        0xac00..=0xd7a3,
        0xff01..=0xff9f,
        0x20000..=0x2a6df,
    ];
    for c in blocks.into_iter().flatten().filter_map(char::from_u32) {
        assert!(is_safe(&c.to_string()), "U+{:04X}", c as u32);
    }
}
