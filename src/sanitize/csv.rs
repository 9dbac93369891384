//! CSV cells of outside text, for every CSV writer: the sanitiser first (a cell keeps its
//! newlines and tabs, which the `csv` crate quotes), then OWASP's rule against formula
//! injection: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
//! leading `'`, so Excel, WPS and LibreOffice show it as text and never run it.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
pub const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// True when a spreadsheet could take `cell` for a formula.
pub fn is_formula(cell: &str) -> bool {
    cell.starts_with(FORMULA_START)
}

/// A cell as it is written: sanitised, and a formula neutralised with a leading `'`.
pub fn cell(s: &str) -> Cow<'_, str> {
    let clean = super::text(s);
    if !is_formula(&clean) {
        return clean;
    }
    Cow::Owned(format!("'{clean}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            ("=1+1", "'=1+1"),
            ("+86 139", "'+86 139"),
            ("-2", "'-2"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\t=cmd", "'\t=cmd"),
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("据说=1", "据说=1"),
            ("a-b", "a-b"),
            ("", ""),
            // CR is shown by the sanitiser first; the stand-in is no formula.
            ("\r=1", "␍=1"),
            ("\u{200b}=1", "⟦zw⟧=1"),
            ("\u{1b}[2J=1", "␛[2J=1"),
        ];
        for (input, want) in cases {
            assert_eq!(cell(input), want, "{input:?}");
            assert!(!is_formula(&cell(input)));
        }
    }
}
