//! The context every command and the console run in: data folder, configuration, language,
//! the acting officer and the clock, from the global flags, the config files and the
//! environment.

use std::path::PathBuf;
use std::sync::Arc;

use super::HostError;
use crate::clock::Clock;
use crate::config::{self, Config};
use crate::domain::{Actor, Lang};

/// The global flags, as the command line gave them.
#[derive(Debug, Clone, Default)]
pub struct Args {
    /// `--data-dir` / `DUTYDESK_DATA`.
    pub data_dir: Option<PathBuf>,
    /// `--config` / `DUTYDESK_CONFIG`.
    pub config: Option<PathBuf>,
    /// `--lang`.
    pub lang: Option<String>,
    /// `--officer` / `DUTYDESK_OFFICER`.
    pub officer: Option<String>,
}

/// What every store command and the console need.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The data folder.
    pub data_dir: PathBuf,
    /// The configuration.
    pub config: Arc<Config>,
    /// Output language.
    pub lang: Lang,
    /// Who acts.
    pub actor: Actor,
    /// Time source.
    pub clock: Arc<dyn Clock>,
    /// The configuration file given with --config (secrets.toml is looked for beside it).
    pub config_file: Option<PathBuf>,
}

/// The default data folder: `$XDG_DATA_HOME/dutydesk`.
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "dutydesk")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".dutydesk"))
}

/// The language: flag, then config, then the locale, then Chinese.
pub fn pick_lang(flag: Option<&str>, config: &Config) -> Lang {
    flag.and_then(Lang::from_locale)
        .or_else(|| Lang::from_locale(&config.office.lang))
        .or_else(|| {
            ["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .filter_map(|v| std::env::var(v).ok())
                .find(|v| !v.is_empty())
                .and_then(|v| Lang::from_locale(&v))
        })
        .unwrap_or(Lang::Zh)
}

/// Builds the context from the global flags.
pub fn context(args: &Args) -> Result<Ctx, HostError> {
    let loaded =
        config::load(args.config.as_deref()).map_err(|e| HostError::BadInput(e.to_string()))?;
    let config = Arc::new(loaded.config);
    let lang = pick_lang(args.lang.as_deref(), &config);
    let os_user = crate::store::os::os_user();
    // No fallback to the OS account: a writing command names its officer, or a console's
    // signed-in officer acts (the socket fills it in), or the desk refuses.
    let officer = args
        .officer
        .clone()
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let clock = crate::clock::from_env().map_err(HostError::BadInput)?;
    Ok(Ctx {
        data_dir: args.data_dir.clone().unwrap_or_else(default_data_dir),
        config,
        lang,
        actor: Actor { officer, os_user },
        clock,
        config_file: args.config.clone(),
    })
}
