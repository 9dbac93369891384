//! Secrets (SMTP passwords, webhook keys and signing secrets): from `secrets.toml` beside the
//! configuration, which must be 0600, or from `DUTYDESK_SECRET_<NAME>`. Values never leave this
//! type except to the channel that needs them; [`Secrets::redact`] scrubs them from any text
//! (errors, replies) before it is recorded or shown.

use std::collections::BTreeMap;
use std::path::Path;

/// The file name beside the configuration.
pub const SECRETS_FILE: &str = "secrets.toml";
/// The environment prefix: `DUTYDESK_SECRET_SMTP_PASSWORD` is the secret `SMTP_PASSWORD`.
pub const ENV_PREFIX: &str = "DUTYDESK_SECRET_";

/// Why the secrets could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// Group or others may read the file.
    #[error("{path}: 密钥文件权限过宽 / the secrets file is readable by group or others (mode {mode:o}); run: chmod 600 {path}")]
    TooOpen {
        /// The file.
        path: String,
        /// Its mode bits.
        mode: u32,
    },
    /// The file could not be read or parsed (the message never quotes values).
    #[error("{path}: {message}")]
    Unreadable {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Named secret values. `Debug` shows the names only.
#[derive(Clone, Default)]
pub struct Secrets {
    values: BTreeMap<String, String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("names", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Secrets {
    /// Reads `<dir>/secrets.toml` (if present; refused unless 0600 or stricter) and the
    /// `DUTYDESK_SECRET_*` pairs given (the environment wins).
    pub fn load(
        dir: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Secrets, SecretsError> {
        let mut values = BTreeMap::new();
        if let Some(path) = dir.map(|d| d.join(SECRETS_FILE)).filter(|p| p.exists()) {
            use std::os::unix::fs::PermissionsExt;
            let shown = path.display().to_string();
            let meta = std::fs::metadata(&path).map_err(|e| SecretsError::Unreadable {
                path: shown.clone(),
                message: e.to_string(),
            })?;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(SecretsError::TooOpen { path: shown, mode });
            }
            let text = std::fs::read_to_string(&path).map_err(|e| SecretsError::Unreadable {
                path: shown.clone(),
                message: e.to_string(),
            })?;
            let table: toml::Table = text.parse().map_err(|_| SecretsError::Unreadable {
                path: shown.clone(),
                // toml's message may quote the offending value: say only what to fix.
                message: "not valid TOML: write NAME = \"value\" lines".into(),
            })?;
            for (k, v) in table {
                match v {
                    toml::Value::String(s) => {
                        values.insert(k, s);
                    }
                    _ => {
                        return Err(SecretsError::Unreadable {
                            path: shown,
                            message: format!("{k}: the value must be a string"),
                        })
                    }
                }
            }
        }
        for (k, v) in env {
            if let Some(name) = k.strip_prefix(ENV_PREFIX) {
                values.insert(name.to_string(), v);
            }
        }
        Ok(Secrets { values })
    }

    /// Secrets from literal pairs (tests, benchmarks).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Secrets {
        Secrets {
            values: pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// A secret's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Replaces `${NAME}` in a text by the secret's value; names an absent secret.
    pub fn expand(&self, text: &str) -> Result<String, String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let Some((name, after)) = rest[i + 2..].split_once('}') else {
                out.push_str(&rest[i..]);
                rest = "";
                break;
            };
            let value = self.get(name).ok_or_else(|| missing(name))?;
            out.push_str(value);
            rest = after;
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Scrubs every secret value (and its URL-encoded form) from a text.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for v in self.values.values().filter(|v| v.len() >= 4) {
            out = out.replace(v.as_str(), "***");
            let encoded: String = reqwest::Url::parse_with_params("x:", [("k", v.as_str())])
                .ok()
                .and_then(|u| u.query().map(|q| q.trim_start_matches("k=").to_string()))
                .unwrap_or_default();
            if encoded.len() >= 4 && encoded != *v {
                out = out.replace(&encoded, "***");
            }
        }
        out
    }
}

/// The message for a secret that is not set.
pub fn missing(name: &str) -> String {
    format!(
        "密钥 {name} 未设置 / secret {name} is not set: add it to {SECRETS_FILE} (chmod 600) or set {ENV_PREFIX}{name}"
    )
}
