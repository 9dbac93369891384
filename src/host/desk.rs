//! Opening the desk in the data folder: its signing key, the secrets of the channels, and the
//! outbox that delivers notices on a runtime the caller owns.

use std::io::Write;
use std::sync::Arc;

use super::{Ctx, HostError};
use crate::delivery::{Dispatcher, Secrets, Settings};
use crate::service::Desk;
use crate::store::signing::{DeskKey, KEY_FILE};
use crate::store::{OpenOptions, StoreError};

/// Opens the desk directly (taking the lock); damage repaired at open is said on stderr.
pub fn open_desk(ctx: &Ctx, purpose: &str) -> Result<Desk, HostError> {
    let opts = OpenOptions {
        purpose: purpose.into(),
        signer: desk_key(ctx)?,
        ..OpenOptions::default()
    };
    let desk = Desk::open(&ctx.data_dir, ctx.config.clone(), ctx.clock.clone(), opts).map_err(
        |e| match e {
            StoreError::Lock(l) => HostError::Failure(l.to_string()),
            other => HostError::Failure(other.to_string()),
        },
    )?;
    if let Some(repaired) = &desk.store().db_repaired {
        let _ = writeln!(
            std::io::stderr(),
            "dutydesk: {}",
            crate::sanitize::text(repaired)
        );
    }
    Ok(desk)
}

/// The folder of the secrets and the desk key: beside the config file, else the user config
/// folder.
fn secrets_dir(ctx: &Ctx) -> Option<std::path::PathBuf> {
    match &ctx.config_file {
        Some(f) => f.parent().map(|p| p.to_path_buf()),
        None => crate::config::user_config_path().and_then(|p| p.parent().map(|d| d.to_path_buf())),
    }
}

/// Loads the secrets (beside the config file, else the user config folder, and the environment).
pub fn secrets(ctx: &Ctx) -> Result<Secrets, HostError> {
    let dir = secrets_dir(ctx);
    Secrets::load(dir.as_deref(), std::env::vars()).map_err(|e| HostError::BadInput(e.to_string()))
}

/// The desk key that signs checkpoints (`desk.key` beside the secrets, made on first use). A
/// key file open to others or not a key is refused, naming the file; a key that cannot be made
/// (a read-only or full disk) leaves checkpoints unsigned, with a warning, so reading still
/// works.
pub fn desk_key(ctx: &Ctx) -> Result<Option<Arc<DeskKey>>, HostError> {
    let Some(dir) = secrets_dir(ctx) else {
        return Ok(None);
    };
    match DeskKey::load_or_create(&dir) {
        Ok(k) => Ok(Some(Arc::new(k))),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::InvalidData
            ) && dir.join(KEY_FILE).exists() =>
        {
            Err(HostError::BadInput(e.to_string()))
        }
        Err(e) => {
            tracing::warn!(
                "no desk key in {} ({e}): checkpoints are written unsigned",
                dir.display()
            );
            Ok(None)
        }
    }
}

/// Starts a dispatcher on `rt` and attaches it to the desk.
pub fn attach_outbox(
    ctx: &Ctx,
    desk: &mut Desk,
    rt: &tokio::runtime::Handle,
) -> Result<(), HostError> {
    let settings = Settings::from_config(&ctx.config, &ctx.data_dir, secrets(ctx)?);
    let (d, rx) = Dispatcher::start(settings, rt.clone(), None);
    desk.attach_outbox(d, rx);
    Ok(())
}
