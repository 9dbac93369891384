//! Hostile text: about 200 payloads (CSI, OSC 0/2/8/52, DCS, 8-bit C1, CR, BEL, bidi, zero-width,
//! U+2028, very long lines) through the sanitiser and every CLI text output. Not one escape, C1
//! or bidi character from user text may reach the terminal. Invalid UTF-8 and GB18030 input
//! files are refused with a clear message.

mod common;

use common::{stderr, stdout, Sandbox};

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

#[test]
fn the_sanitiser_neutralises_every_payload() {
    let corpus = payloads();
    assert!(corpus.len() >= 180, "{}", corpus.len());
    let mut reaching = 0;
    for p in &corpus {
        for shown in [dutydesk::sanitize::text(p), dutydesk::sanitize::line(p)] {
            if dangerous(&shown).is_some() {
                reaching += 1;
            }
        }
    }
    println!("hostile text: {} payloads through the sanitiser, dangerous characters reaching the terminal: {reaching}", corpus.len());
    assert_eq!(reaching, 0);
}

#[test]
fn no_cli_output_passes_a_payload_through() {
    let sb = Sandbox::new();
    let corpus = payloads();
    // A sample of reports carrying payloads in every free-text field (every payload appears).
    let mut numbers = Vec::new();
    for chunk in corpus.chunks(6) {
        let f = |i: usize| chunk.get(i).cloned().unwrap_or_default();
        let report = serde_json::json!({
            "summary": f(0), "location": f(1), "measures": f(2), "requests": f(3),
            "already_told": f(4), "occurred_at": f(5),
            "reporter": {"name": f(1), "unit": f(2), "post": f(3), "phone": f(4)},
            "category": "fire",
        });
        let o = sb.run(&["report", "add"], Some(&report.to_string()));
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(dangerous(&stderr(&o)).is_none(), "stderr of report add");
        numbers.push(stdout(&o).trim().to_string());
    }
    let mut outputs: Vec<(String, String)> = Vec::new();
    for lang in ["zh-CN", "en"] {
        for args in [vec!["list"], vec!["log"], vec!["status"], vec!["verify"]] {
            let mut a = vec!["--lang", lang];
            a.extend(args.iter());
            let o = sb.run(&a, None);
            outputs.push((format!("{a:?}"), stdout(&o) + &stderr(&o)));
        }
        for n in &numbers {
            let o = sb.run(&["--lang", lang, "show", n], None);
            outputs.push((format!("show {n}"), stdout(&o) + &stderr(&o)));
        }
    }
    for chunk in corpus.chunks(20) {
        let lines: Vec<String> = chunk
            .iter()
            .map(|p| serde_json::json!({"summary": p, "location": p}).to_string())
            .collect();
        let o = sb.run(
            &["--lang", "en", "check", "--format", "text"],
            Some(&lines.join("\n")),
        );
        outputs.push(("check --format text".into(), stdout(&o) + &stderr(&o)));
    }
    let mut reaching = 0;
    for (what, out) in &outputs {
        if let Some(c) = dangerous(out) {
            reaching += 1;
            eprintln!("{what}: U+{:04X} reached the terminal", c as u32);
        }
    }
    println!(
        "hostile text: {} payloads in {} reports, {} CLI outputs, dangerous characters reaching the terminal: {reaching}",
        corpus.len(),
        numbers.len(),
        outputs.len()
    );
    assert_eq!(reaching, 0);
}

#[test]
fn files_that_are_not_utf8_are_refused_clearly() {
    let sb = Sandbox::new();
    // "据说起火" in GB18030, and a stray invalid byte.
    let gb: &[u8] = b"{\"summary\":\"\xbe\xdd\xcb\xb5\xc6\xf0\xbb\xf0\"}";
    for (name, bytes) in [
        ("gb18030.json", gb),
        ("invalid.json", &b"{\"summary\":\"\xff\"}"[..]),
    ] {
        let f = sb.path().join(name);
        std::fs::write(&f, bytes).unwrap();
        let o = sb.run(&["report", "add", f.to_str().unwrap()], None);
        assert_eq!(o.status.code(), Some(2), "{name}");
        let e = stderr(&o);
        assert!(e.contains("not UTF-8") && e.contains("GB18030"), "{e}");
        assert!(dangerous(&e).is_none());
    }
    assert!(!sb.data().join("journal.jsonl").exists(), "nothing filed");
}
