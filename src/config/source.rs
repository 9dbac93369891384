//! Reading TOML with errors that name file, line and key; merging layers.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// A configuration error a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: cannot read: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        message: String,
    },
    /// The file is not valid TOML, has an unknown key, or a value of the wrong type.
    #[error("{}:{line}:{column}: key `{key}`: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The dotted key at fault (e.g. `office.lang`), as far as it can be told.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// The values are well-formed but do not fit together (an unknown category, zone…).
    #[error("{}{}: key `{key}`: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line, when it can be found.
        line: Option<usize>,
        /// The dotted key.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// 1-based line and column of a byte offset.
pub fn line_of(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count() + 1)
        .unwrap_or(1);
    (line, col)
}

/// The table path in force at a line (`[a.b]` or `[[a]]` headers before it).
fn table_at(text: &str, line: usize) -> String {
    let mut table = String::new();
    for l in text.lines().take(line) {
        let t = l.trim();
        if let Some(h) = t.strip_prefix("[[").and_then(|s| s.split("]]").next()) {
            table = h.trim().to_string();
        } else if let Some(h) = t.strip_prefix('[').and_then(|s| s.split(']').next()) {
            table = h.trim().to_string();
        }
    }
    table
}

fn key_on_line(text: &str, line: usize) -> Option<String> {
    let l = text.lines().nth(line.saturating_sub(1))?;
    let (k, _) = l.split_once('=')?;
    let k = k.trim().trim_matches('"');
    (!k.is_empty() && !k.starts_with('[')).then(|| k.to_string())
}

fn parse_error(text: &str, path: &Path, e: &toml::de::Error) -> ConfigError {
    let offset = e.span().map(|s| s.start).unwrap_or(0);
    let (line, column) = line_of(text, offset);
    let message = e.message().trim().to_string();
    // "unknown field `x`, expected …" names the key itself.
    let named = message
        .strip_prefix("unknown field `")
        .and_then(|s| s.split('`').next())
        .map(str::to_string);
    let leaf = named
        .or_else(|| key_on_line(text, line))
        .unwrap_or_default();
    let table = table_at(text, line);
    let key = match (table.is_empty(), leaf.is_empty()) {
        (true, _) => leaf,
        (false, true) => table,
        (false, false) if leaf.starts_with(&format!("{table}.")) => leaf,
        (false, false) => format!("{table}.{leaf}"),
    };
    ConfigError::Parse {
        path: path.to_path_buf(),
        line,
        column,
        key,
        message,
    }
}

/// Parses TOML text into a table.
pub fn parse_table(text: &str, path: &Path) -> Result<toml::Table, ConfigError> {
    text.parse::<toml::Table>()
        .map_err(|e| parse_error(text, path, &e))
}

/// Deserialises a file on its own, so that unknown keys and wrong types point into it.
pub fn check_alone<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T, ConfigError> {
    toml::from_str::<T>(text).map_err(|e| parse_error(text, path, &e))
}

/// Merges `over` into `base`: tables key by key, everything else (arrays too) replaced.
pub fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Sets `a.b.c` in a table, creating tables on the way.
pub fn set_dotted(t: &mut toml::Table, key: &str, value: toml::Value) {
    let mut parts: Vec<&str> = key.split('.').collect();
    let Some(last) = parts.pop() else { return };
    let mut cur = t;
    for p in parts {
        let entry = cur
            .entry(p.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        match entry {
            toml::Value::Table(next) => cur = next,
            _ => return,
        }
    }
    cur.insert(last.to_string(), value);
}

/// The line on which a dotted key (or its last part) is set in a file, if it can be found.
pub fn find_key_line(text: &str, key: &str) -> Option<usize> {
    let leaf = key.rsplit('.').next().unwrap_or(key);
    let leaf = leaf.split('[').next().unwrap_or(leaf);
    text.lines()
        .position(|l| {
            l.split_once('=')
                .map(|(k, _)| k.trim().trim_matches('"') == leaf)
                .unwrap_or(false)
        })
        .map(|i| i + 1)
}
