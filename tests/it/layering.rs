//! The layering table in `src/lib.rs`, enforced: every `src/**/*.rs` is scanned for the
//! crate's own modules it imports, and an import the table does not allow fails the test.
//!
//! The scan is textual, not a compiler pass. It finds `crate::m` (also `crate::{m, …}`) and
//! `super::…::m` paths that resolve to a top-level module `m`, in code with `//` comments
//! removed. Its limits: a `//` inside a string literal hides the rest of that line; block
//! comments and string literals are scanned as code; `super::` inside an inline `mod` block
//! is resolved from the file's module, one level too high (only a result that names a
//! top-level module counts, so this can only over-report, not hide); `$crate` in macros,
//! `#[path]` attributes, and a module reached through another's `pub use` re-export are not
//! seen — a re-export is itself an import of the module it re-exports, and that one is checked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Which top-level modules each module may import, and the named exceptions.
#[derive(Debug, Default)]
struct Table {
    may: BTreeMap<String, BTreeSet<String>>,
    exceptions: BTreeMap<String, BTreeSet<String>>,
}

/// The faces: they stand on `host` and never import each other.
const FACES: [&str; 2] = ["cli", "tui"];
/// Above everything else: nothing below these may import them.
const TOP: [&str; 3] = ["host", "cli", "tui"];

/// The backticked names in one cell: "[`a`], [`b`]" → {a, b}; "—" → {}.
fn names(cell: &str) -> BTreeSet<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// Reads the two tables of `lib.rs`'s module doc: "| module | owns | may import |" and
/// "| module | also imports | why … |".
fn parse_table(lib: &str) -> Table {
    let mut table = Table::default();
    let mut section = None;
    for line in lib.lines() {
        let Some(row) = line.strip_prefix("//! |") else {
            section = None;
            continue;
        };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        if cells.len() < 3 {
            continue;
        }
        if cells[0] == "module" {
            section = Some(cells[1] == "also imports");
            continue;
        }
        let Some(module) = names(cells[0]).into_iter().next() else {
            continue;
        };
        match section {
            Some(false) => {
                table.may.insert(module, names(cells[2]));
            }
            Some(true) => {
                table.exceptions.insert(module, names(cells[1]));
            }
            None => {}
        }
    }
    table
}

/// The rules the table itself must keep, whatever it says.
fn table_faults(t: &Table) -> Vec<String> {
    let mut faults = Vec::new();
    let mut allowed: Vec<(&String, &String, &str)> = Vec::new();
    for (m, may) in &t.may {
        allowed.extend(may.iter().map(|d| (m, d, "may import")));
    }
    for (m, also) in &t.exceptions {
        allowed.extend(also.iter().map(|d| (m, d, "exception")));
    }
    for (m, d, how) in allowed {
        let (m, d) = (m.as_str(), d.as_str());
        let fault = if FACES.contains(&m) && FACES.contains(&d) {
            Some("the faces never import each other")
        } else if !TOP.contains(&m) && TOP.contains(&d) {
            Some("nothing below the faces imports host, cli or tui")
        } else if m == "host" && FACES.contains(&d) {
            Some("host is below both faces")
        } else if m == "domain" {
            Some("domain imports nothing of the crate")
        } else if m == "rules" && ["store", "delivery", "service"].contains(&d) {
            Some("rules are pure: no store, delivery or service")
        } else {
            None
        };
        if let Some(why) = fault {
            faults.push(format!("table ({how}): {m} → {d}: {why}"));
        }
    }
    faults
}

/// The module path of a file under `src/`: `cli/run.rs` → [cli, run]; `store/mod.rs` → [store].
fn module_path(rel: &str) -> Vec<String> {
    let rel = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The identifier at the start of `s`.
fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
    &s[..end]
}

/// The top-level modules a file imports (other than its own), each with the line it is on.
fn imports(rel: &str, source: &str, modules: &BTreeSet<String>) -> Vec<(String, usize)> {
    let path = module_path(rel);
    let own = path.first().cloned().unwrap_or_default();
    let mut found = Vec::new();
    for (n, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut targets = Vec::new();
        for (at, _) in code.match_indices("crate::") {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| is_ident(c) || c == '$' || c == ':') {
                continue;
            }
            let rest = &code[at + "crate::".len()..];
            match rest.strip_prefix('{') {
                Some(group) => {
                    let mut depth = 0;
                    let mut item_start = true;
                    for (i, c) in group.char_indices() {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => break,
                            '}' => depth -= 1,
                            ',' if depth == 0 => item_start = true,
                            c if item_start && is_ident(c) => {
                                targets.push(ident(&group[i..]).to_string());
                                item_start = false;
                            }
                            _ => {}
                        }
                    }
                }
                None => targets.push(ident(rest).to_string()),
            }
        }
        for (at, _) in code.match_indices("super::") {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| is_ident(c) || c == ':') {
                continue;
            }
            let mut rest = &code[at..];
            let mut up = 0;
            while let Some(r) = rest.strip_prefix("super::") {
                up += 1;
                rest = r;
            }
            // A file's `super` is its parent module; an empty result is the crate root.
            let kept = path.len().saturating_sub(up);
            let target = match path.get(..kept) {
                Some([first, ..]) => first.clone(),
                _ => ident(rest).to_string(),
            };
            targets.push(target);
        }
        for t in targets {
            if t != own && modules.contains(&t) {
                found.push((t, n + 1));
            }
        }
    }
    found
}

/// Every import the table does not allow, as "file:line: a → b", and the exceptions used.
fn violations(
    files: &[(String, String)],
    table: &Table,
) -> (Vec<String>, BTreeSet<(String, String)>) {
    let modules: BTreeSet<String> = table.may.keys().cloned().collect();
    let mut bad = Vec::new();
    let mut used = BTreeSet::new();
    for (rel, source) in files {
        let path = module_path(rel);
        let Some(own) = path.first() else { continue };
        if path.len() == 1 && (own == "lib" || own == "main") {
            continue;
        }
        let Some(may) = table.may.get(own) else {
            bad.push(format!(
                "src/{rel}: module `{own}` has no row in lib.rs's table"
            ));
            continue;
        };
        for (to, line) in imports(rel, source, &modules) {
            if may.contains(&to) {
                continue;
            }
            if table.exceptions.get(own).is_some_and(|e| e.contains(&to)) {
                used.insert((own.clone(), to));
                continue;
            }
            bad.push(format!("src/{rel}:{line}: {own} → {to}"));
        }
    }
    (bad, used)
}

fn rust_files(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            rust_files(&p, root, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let rel = p
                .strip_prefix(root)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            out.push((rel, text));
        }
    }
}

#[test]
fn src_keeps_the_layering_table_of_lib_rs() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("read src/lib.rs");
    let table = parse_table(&lib);
    assert!(
        table.may.len() >= 10,
        "lib.rs's table was not found or is short: {table:?}"
    );
    let faults = table_faults(&table);
    assert!(faults.is_empty(), "{}", faults.join("\n"));

    let mut files = Vec::new();
    rust_files(&src, &src, &mut files);
    assert!(files.len() > 50, "only {} files under src/", files.len());
    let (bad, used) = violations(&files, &table);
    assert!(
        bad.is_empty(),
        "imports that lib.rs's table forbids:\n{}",
        bad.join("\n")
    );
    for (m, also) in &table.exceptions {
        for d in also {
            assert!(
                used.contains(&(m.clone(), d.clone())),
                "the exception {m} → {d} is no longer needed: remove it from lib.rs"
            );
        }
    }
}

/// A small table for the planted violations.
fn fake_table() -> Table {
    parse_table(
        "//! | module | owns | may import |\n\
         //! |---|---|---|\n\
         //! | [`domain`] | data | — |\n\
         //! | [`rules`] | pure | [`domain`] |\n\
         //! | [`store`] | sled | [`domain`], [`rules`] |\n\
         //! | [`logging`] | logs | — |\n\
         //! | [`host`] | root | [`store`], [`domain`] |\n\
         //! | [`cli`] | face | [`host`], [`domain`] |\n\
         //! | [`tui`] | face | [`host`] |\n\
         //!\n\
         //! | module | also imports | why |\n\
         //! |---|---|---|\n\
         //! | [`logging`] | [`store`] | TODO |\n",
    )
}

fn check(rel: &str, source: &str) -> Vec<String> {
    violations(&[(rel.to_string(), source.to_string())], &fake_table()).0
}

#[test]
fn planted_violations_are_caught() {
    // (file, fake source, violations expected)
    let cases: [(&str, &str, usize); 14] = [
        ("cli/run.rs", "use crate::tui::run::run;", 1),
        ("tui/app.rs", "let x = crate::cli::format::fit(s, 3);", 1),
        ("tui/app.rs", "use crate::{host::Ctx, cli::Cli};", 1),
        (
            "tui/screens/log.rs",
            "use super::super::super::cli::format;",
            1,
        ),
        ("rules/check.rs", "use crate::store::Store;", 1),
        ("domain/event.rs", "use crate::rules::level;", 1),
        ("store/mod.rs", "    crate::host::open_desk(ctx, \"x\")", 1),
        (
            "store/mod.rs",
            "use crate::{domain::Event, rules::{a, b}};",
            0,
        ),
        ("cli/run.rs", "use crate::host::{open_desk, Ctx};", 0),
        ("cli/run.rs", "use super::format; // crate::tui::run", 0),
        ("cli/run.rs", "/// See [`crate::tui`].", 0),
        (
            "cli/run.rs",
            "macro_rules! m { () => { $crate::tui::x } }",
            0,
        ),
        ("logging.rs", "crate::store::os::ensure_private_dir(d)", 0),
        ("newmod/mod.rs", "fn f() {}", 1),
    ];
    for (rel, source, want) in cases {
        let got = check(rel, source);
        assert_eq!(got.len(), want, "{rel}: {source:?} → {got:?}");
    }
}

#[test]
fn a_table_that_breaks_the_fixed_rules_is_refused() {
    let mut t = fake_table();
    assert!(table_faults(&t).is_empty(), "{:?}", table_faults(&t));
    t.may
        .get_mut("cli")
        .map(|m| m.insert("tui".into()))
        .expect("cli row");
    t.may
        .get_mut("rules")
        .map(|m| m.insert("store".into()))
        .expect("rules row");
    t.may
        .get_mut("domain")
        .map(|m| m.insert("rules".into()))
        .expect("domain row");
    t.exceptions
        .entry("store".into())
        .or_default()
        .insert("host".into());
    assert_eq!(table_faults(&t).len(), 4, "{:?}", table_faults(&t));
}

#[test]
fn super_resolves_from_the_files_module() {
    let modules: BTreeSet<String> = ["cli", "tui", "store"].map(String::from).into();
    let cases = [
        ("tui/screens/log.rs", "use super::super::app::App;", vec![]),
        ("tui/mod.rs", "use super::cli::Cli;", vec!["cli"]),
        ("cli/run.rs", "use super::super::tui;", vec!["tui"]),
        ("store/a/b.rs", "use super::super::super::store;", vec![]),
    ];
    for (rel, source, want) in cases {
        let got: Vec<String> = imports(rel, source, &modules)
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        assert_eq!(got, want, "{rel}: {source:?}");
    }
}
