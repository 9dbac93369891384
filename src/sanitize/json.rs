//! JSON for outputs that a terminal may show: every character that [`super::text`] would
//! replace is written as a `\uXXXX` escape instead (a surrogate pair above U+FFFF). A parser
//! reads back exactly the value that was stored, so scripts lose nothing; a terminal never sees
//! the raw character. serde_json escapes only C0 controls; DEL, C1, bidi, zero-width and tag
//! characters it writes raw.
//!
//! The journal (`journal.jsonl`) is the record and is never written through here.

use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

/// A serde_json formatter that escapes what the sanitiser would replace.
#[derive(Debug, Clone, Default)]
pub struct Safe<F>(pub F);

fn escape<W: ?Sized + io::Write>(w: &mut W, fragment: &str) -> io::Result<()> {
    let mut done = 0;
    let mut result = Ok(());
    super::replaced(fragment, true, |i, c, _| {
        let mut units = [0u16; 2];
        let mut esc = Vec::with_capacity(12);
        for u in c.encode_utf16(&mut units) {
            esc.extend_from_slice(format!("\\u{u:04x}").as_bytes());
        }
        result = w
            .write_all(&fragment.as_bytes()[done..i])
            .and_then(|()| w.write_all(&esc));
        done = i + c.len_utf8();
        result.is_ok()
    });
    result?;
    w.write_all(&fragment.as_bytes()[done..])
}

macro_rules! delegate {
    ($($name:ident),*) => {
        $(
            fn $name<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
                self.0.$name(w)
            }
        )*
    };
}

impl<F: Formatter> Formatter for Safe<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        escape(w, fragment)
    }

    delegate!(
        begin_array,
        end_array,
        begin_object,
        end_object,
        begin_object_value,
        end_object_value
    );

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
}

/// Writes `value` as pretty JSON (serde_json's layout), escaping what would act on a terminal.
pub fn to_writer_pretty<W: io::Write, T: ?Sized + Serialize>(w: W, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Safe(PrettyFormatter::new()));
    value.serialize(&mut ser).map_err(io::Error::other)
}

/// Writes `value` as compact JSON, escaping what would act on a terminal.
pub fn to_writer<W: io::Write, T: ?Sized + Serialize>(w: W, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Safe(CompactFormatter));
    value.serialize(&mut ser).map_err(io::Error::other)
}

/// [`to_writer_pretty`] into a string.
pub fn to_string_pretty<T: ?Sized + Serialize>(value: &T) -> io::Result<String> {
    let mut buf = Vec::new();
    to_writer_pretty(&mut buf, value)?;
    String::from_utf8(buf).map_err(io::Error::other)
}

/// [`to_writer`] into a string.
pub fn to_string<T: ?Sized + Serialize>(value: &T) -> io::Result<String> {
    let mut buf = Vec::new();
    to_writer(&mut buf, value)?;
    String::from_utf8(buf).map_err(io::Error::other)
}

/// A line of JSON that is already written (a journal line): the same bytes when nothing in
/// it would act on a terminal, else the same value with those characters escaped. Inside a
/// JSON string a raw character can only be part of a string value, so escaping it keeps the
/// value; outside strings JSON has no such characters.
pub fn line(s: &str) -> std::borrow::Cow<'_, str> {
    if super::is_safe(s) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut buf = Vec::with_capacity(s.len() + 16);
    // Writing into a Vec cannot fail.
    let _ = escape(&mut buf, s);
    std::borrow::Cow::Owned(String::from_utf8_lossy(&buf).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_survive_and_nothing_raw_is_written() {
        let hostile = [
            "a\u{9b}31m",
            "\u{202e}gnp.exe",
            "x\u{7f}\u{200b}\u{e0041}😀",
            "👩\u{200d}💻 ok",
            "\u{1b}]52;c;SGk=\u{7}",
            "名\u{3164}",
        ];
        for h in hostile {
            let v = serde_json::json!({ "summary": h, h: [h] });
            for out in [to_string(&v).unwrap(), to_string_pretty(&v).unwrap()] {
                assert!(crate::sanitize::is_safe(&out), "{out:?}");
                let back: serde_json::Value = serde_json::from_str(&out).unwrap();
                assert_eq!(back, v, "{out}");
            }
        }
        assert_eq!(to_string(&"\u{202e}").unwrap(), "\"\\u202e\"");
        assert_eq!(to_string(&"\u{e0041}").unwrap(), "\"\\udb40\\udc41\"");
        // Emoji sequences stay as they are.
        assert_eq!(to_string(&"👩\u{200d}💻").unwrap(), "\"👩\u{200d}💻\"");
        // Layout as serde's own.
        let v = serde_json::json!({"a": [1, {"b": "c"}], "d": null});
        assert_eq!(
            to_string_pretty(&v).unwrap(),
            serde_json::to_string_pretty(&v).unwrap()
        );
        assert_eq!(to_string(&v).unwrap(), serde_json::to_string(&v).unwrap());
    }

    #[test]
    fn a_line_keeps_its_bytes_when_clean_and_its_value_when_not() {
        let clean = r#"{"seq":1,"text":"值班 ok"}"#;
        assert!(matches!(line(clean), std::borrow::Cow::Borrowed(_)));
        let raw = serde_json::to_string(&serde_json::json!({"text": "a\u{9b}b\u{202e}"})).unwrap();
        let shown = line(&raw);
        assert!(crate::sanitize::is_safe(&shown));
        let a: serde_json::Value = serde_json::from_str(&raw).unwrap();
        let b: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(a, b);
    }
}
