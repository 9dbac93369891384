//! The configuration: built-in defaults → user file → `DUTYDESK_*` environment → flags.
//!
//! Every error names the file, the line and the key. Unknown keys are rejected. Arrays in a user
//! file replace the default arrays; tables merge key by key. A `roster.toml` beside the user file
//! (written by `dutydesk roster import`) adds dated roster entries, winning date by date.

mod instructions;
mod model;
mod notices;
pub mod roster;
mod source;

pub use instructions::Instructions;
pub use model::*;
pub use source::{line_of, ConfigError};

use std::path::{Path, PathBuf};

/// The built-in default configuration.
pub const DEFAULT_TOML: &str = include_str!("../../assets/config.default.toml");

/// Where the configuration came from, for `config check` and the log.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The configuration in force.
    pub config: Config,
    /// The user file that was layered on the defaults, if any.
    pub file: Option<PathBuf>,
    /// Environment variables that overrode a key (`DUTYDESK_LANG` → `office.lang`).
    pub env: Vec<(String, String)>,
}

/// The user's config file: `$XDG_CONFIG_HOME/dutydesk/config.toml`.
pub fn user_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "dutydesk").map(|d| d.config_dir().join("config.toml"))
}

/// Loads the defaults, then `file` (which must exist when given explicitly; the XDG file is used
/// when present), then environment overrides.
pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
    let file = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => user_config_path().filter(|p| p.is_file()),
    };
    let user_text = match &file {
        Some(p) => Some(std::fs::read_to_string(p).map_err(|e| ConfigError::Io {
            path: p.clone(),
            message: e.to_string(),
        })?),
        None => None,
    };
    let env: Vec<(String, String)> = ENV_KEYS
        .iter()
        .filter_map(|(var, _)| std::env::var(var).ok().map(|v| (var.to_string(), v)))
        .collect();
    let mut config = layer(user_text.as_deref(), file.as_deref(), &env)?;
    if let Some(rpath) = file
        .clone()
        .or_else(user_config_path)
        .map(|p| roster::roster_path(&p))
    {
        let invalid = |key: String, message: String| ConfigError::Invalid {
            path: rpath.clone(),
            line: None,
            key,
            message,
        };
        let extra = roster::read(&rpath).map_err(|m| invalid("duty.roster".into(), m))?;
        if !extra.is_empty() {
            roster::merge(&mut config, extra);
            config.validate().map_err(|(k, m)| invalid(k, m))?;
        }
    }
    Ok(Loaded { config, file, env })
}

/// Environment variables and the keys they override.
pub const ENV_KEYS: [(&str, &str); 3] = [
    ("DUTYDESK_LANG", "office.lang"),
    ("DUTYDESK_TIMEZONE", "office.timezone"),
    ("DUTYDESK_OFFICE", "office.name"),
];

/// Layers a user text (named `path` in errors) and env pairs on the defaults.
pub fn layer(
    user: Option<&str>,
    path: Option<&Path>,
    env: &[(String, String)],
) -> Result<Config, ConfigError> {
    let default_path = PathBuf::from("<built-in defaults>");
    let mut merged = source::parse_table(DEFAULT_TOML, &default_path)?;
    let mut own_rules = false;
    if let Some(text) = user {
        let p = path
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("<config>"));
        // Checked alone first, so that errors point into the user's own file.
        source::check_alone::<Config>(text, &p)?;
        let table = source::parse_table(text, &p)?;
        own_rules = table.get("notices").and_then(|n| n.get("rules")).is_some();
        source::merge(&mut merged, table);
    }
    for (var, value) in env {
        if let Some((_, key)) = ENV_KEYS.iter().find(|(v, _)| v == var) {
            source::set_dotted(&mut merged, key, toml::Value::String(value.clone()));
        }
    }
    let mut config: Config =
        toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid {
                path: path.map(Path::to_path_buf).unwrap_or(default_path),
                line: None,
                key: String::new(),
                message: e.message().to_string(),
            })?;
    if !own_rules {
        // The built-in rules name built-in units: a county with its own directory keeps those
        // whose recipients it still has, rather than an error about a rule it never wrote.
        let known = |n: &String| {
            config.people.iter().any(|p| &p.name == n) || config.units.iter().any(|u| &u.name == n)
        };
        let kept: Vec<_> = config
            .notices
            .rules
            .iter()
            .filter(|r| r.to.iter().all(known))
            .cloned()
            .collect();
        config.notices.rules = kept;
    }
    config.validate().map_err(|(key, message)| {
        let line = user.and_then(|t| source::find_key_line(t, &key));
        ConfigError::Invalid {
            path: path
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("<built-in defaults>")),
            line,
            key,
            message,
        }
    })?;
    Ok(config)
}

/// The defaults alone (cannot fail: checked by a test).
pub fn defaults() -> Config {
    layer(None, None, &[]).unwrap_or_default()
}

#[cfg(test)]
mod tests;
