//! Hostile text: about 200 payloads (CSI, OSC 0/2/8/52, DCS, 8-bit C1, CR, BEL, bidi, zero-width,
//! U+2028, very long lines) through the sanitiser and every CLI text output. Not one escape, C1
//! or bidi character from user text may reach the terminal. Invalid UTF-8 and GB18030 input
//! files are refused with a clear message.

mod common;

use common::hostile::{dangerous, payloads};
use common::{stderr, stdout, Sandbox};

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
