//! The dated roster in `roster.toml`, beside the user's `config.toml`: written by
//! `dutydesk roster import FILE.csv`, loaded after the config file. Its `[[duty.roster]]` entries
//! win, date by date, over those of `config.toml`; the rotation still fills undated days.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::model::{Config, RosterDay};

/// The roster file's name, beside the config file.
pub const ROSTER_FILE: &str = "roster.toml";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterToml {
    #[serde(default)]
    duty: RosterDuty,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterDuty {
    #[serde(default)]
    roster: Vec<RosterDay>,
}

/// Why an import was refused (nothing was changed).
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    /// The file is not UTF-8 (GB18030 and other encodings are refused).
    #[error("{0}: 不是 UTF-8 编码（如为 GB18030，请先转换：iconv -f GB18030 -t UTF-8）/ not UTF-8 (if it is GB18030, convert it first: iconv -f GB18030 -t UTF-8); nothing changed")]
    Encoding(String),
    /// Rows are bad: (line number, message) for each.
    #[error("{} 行有误，未作任何更改 / {} bad row(s), nothing changed:\n{}", .0.len(), .0.len(), .0.iter().map(|(l, m)| format!("  line {l}: {m}")).collect::<Vec<_>>().join("\n"))]
    Rows(Vec<(u64, String)>),
    /// Reading or writing failed.
    #[error("{0}")]
    Io(String),
}

/// Where `roster.toml` lives for a config file.
pub fn roster_path(config_file: &Path) -> PathBuf {
    config_file.with_file_name(ROSTER_FILE)
}

/// Reads `roster.toml` (empty when absent).
pub fn read(path: &Path) -> Result<Vec<RosterDay>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str::<RosterToml>(&text)
            .map(|r| r.duty.roster)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Merges entries into a config, date by date (`extra` wins).
pub fn merge(config: &mut Config, extra: Vec<RosterDay>) {
    let mut by_date: BTreeMap<String, RosterDay> = config
        .duty
        .roster
        .drain(..)
        .map(|d| (d.date.clone(), d))
        .collect();
    for d in extra {
        by_date.insert(d.date.clone(), d);
    }
    config.duty.roster = by_date.into_values().collect();
}

/// Parses CSV bytes (`date,officers,leader`; officers separated by 、 or ;) against the people of
/// `config`. Every bad row is reported with its line number.
pub fn parse_csv(bytes: &[u8], name: &str, config: &Config) -> Result<Vec<RosterDay>, RosterError> {
    let text = std::str::from_utf8(bytes).map_err(|_| RosterError::Encoding(name.to_string()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let known = |n: &str| config.people.iter().any(|p| p.name == n);
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    let mut seen = BTreeMap::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                bad.push((line, format!("unreadable row: {e}")));
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let f: Vec<&str> = rec.iter().collect();
        if f.iter().all(|s| s.is_empty()) {
            continue;
        }
        if line == 1 && f.first().is_some_and(|s| s.eq_ignore_ascii_case("date")) {
            continue;
        }
        if f.len() != 3 {
            bad.push((
                line,
                format!(
                    "{} columns where 3 (date,officers,leader) are expected",
                    f.len()
                ),
            ));
            continue;
        }
        let mut errs = Vec::new();
        if chrono::NaiveDate::parse_from_str(f[0], "%Y-%m-%d").is_err() {
            errs.push(format!("date {:?} is not YYYY-MM-DD", f[0]));
        } else if let Some(first) = seen.insert(f[0].to_string(), line) {
            errs.push(format!("date {} repeats line {first}", f[0]));
        }
        let officers: Vec<String> = f[1]
            .split(['、', ';', '；'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        if officers.is_empty() {
            errs.push("no officer".into());
        }
        for o in officers.iter().filter(|o| !known(o)) {
            errs.push(format!("officer {o:?} is not in [[people]]"));
        }
        if f[2].is_empty() {
            errs.push("no leader".into());
        } else if !known(f[2]) {
            errs.push(format!("leader {:?} is not in [[people]]", f[2]));
        }
        if errs.is_empty() {
            rows.push(RosterDay {
                date: f[0].to_string(),
                officers,
                leader: f[2].to_string(),
            });
        } else {
            bad.push((line, errs.join("; ")));
        }
    }
    if bad.is_empty() {
        Ok(rows)
    } else {
        Err(RosterError::Rows(bad))
    }
}

/// Merges rows into `roster.toml` at `path` (atomically, 0600); returns the entry count.
pub fn write_merged(path: &Path, rows: Vec<RosterDay>) -> Result<usize, RosterError> {
    let mut holder = Config::default();
    holder.duty.roster = read(path).map_err(RosterError::Io)?;
    merge(&mut holder, rows);
    let n = holder.duty.roster.len();
    let body = toml::to_string(&RosterToml {
        duty: RosterDuty {
            roster: holder.duty.roster,
        },
    })
    .map_err(|e| RosterError::Io(e.to_string()))?;
    let text = format!(
        "# 值班表 / duty roster: written by `dutydesk roster import`; wins over config.toml by date.\n{body}"
    );
    let tmp = path.with_extension("toml.tmp");
    let io = |e: std::io::Error| RosterError::Io(format!("{}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io)?;
        f.write_all(text.as_bytes()).map_err(io)?;
        f.sync_data().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)?;
    Ok(n)
}
