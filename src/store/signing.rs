//! The desk key: an Ed25519 key that signs the checkpoints of the anchor file, so that a
//! checkpoint which left the machine (a printed handover record, a superior desk) proves the
//! log's head at that moment to anyone holding the desk's public key.
//!
//! The secret lives in `desk.key` beside the configuration and the secrets (0600, created on
//! first use), not in the data folder: a copy of the data folder cannot sign. The file holds
//! one line, `ed25519:<64 hex digits>`.

use std::io;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// The key file's name (beside `secrets.toml`).
pub const KEY_FILE: &str = "desk.key";

const PREFIX: &str = "ed25519:";

/// The desk's signing key.
pub struct DeskKey {
    key: SigningKey,
    path: PathBuf,
}

impl std::fmt::Debug for DeskKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskKey")
            .field("public", &self.public_hex())
            .field("path", &self.path)
            .finish()
    }
}

impl DeskKey {
    /// Reads `<dir>/desk.key`, or makes a new key there (0600) when there is none. A key file
    /// readable by others, or not a key, is an error naming the file.
    pub fn load_or_create(dir: &Path) -> io::Result<DeskKey> {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(KEY_FILE);
        match std::fs::metadata(&path) {
            Ok(meta) => {
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::PermissionDenied,
                        format!(
                            "{p}: 台签密钥文件权限过宽 / the desk key is readable by group or \
                             others (mode {mode:o}); run: chmod 600 {p}",
                            p = path.display()
                        ),
                    ));
                }
                let text = std::fs::read_to_string(&path)?;
                let key = parse(text.trim()).ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "{}: 不是台签密钥 / not a desk key (one line: ed25519:<64 hex digits>)",
                            path.display()
                        ),
                    )
                })?;
                Ok(DeskKey { key, path })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let mut secret = [0u8; 32];
                getrandom::getrandom(&mut secret).map_err(|e| io::Error::other(e.to_string()))?;
                let key = SigningKey::from_bytes(&secret);
                std::fs::create_dir_all(dir)?;
                let line = format!("{PREFIX}{}\n", hex::encode(key.to_bytes()));
                write_new_private(&path, line.as_bytes())?;
                tracing::info!("made a new desk key {}", path.display());
                Ok(DeskKey { key, path })
            }
            Err(e) => Err(e),
        }
    }

    /// A key from its 32 secret bytes (tests).
    pub fn from_bytes(secret: &[u8; 32]) -> DeskKey {
        DeskKey {
            key: SigningKey::from_bytes(secret),
            path: PathBuf::new(),
        }
    }

    /// The public key, hex.
    pub fn public_hex(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    /// The signature of `msg`, hex.
    pub fn sign(&self, msg: &[u8]) -> String {
        hex::encode(self.key.sign(msg).to_bytes())
    }
}

/// Writes a new file 0600 and makes it durable (a key lost in a crash would orphan every
/// checkpoint signed with it).
fn write_new_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn parse(text: &str) -> Option<SigningKey> {
    let bytes = hex::decode(text.strip_prefix(PREFIX)?).ok()?;
    let secret: [u8; 32] = bytes.try_into().ok()?;
    Some(SigningKey::from_bytes(&secret))
}

/// A public key's short fingerprint for people: the first 16 hex digits.
pub fn fingerprint(public_hex: &str) -> &str {
    public_hex.get(..16).unwrap_or(public_hex)
}

/// The bytes a checkpoint's signature covers: a domain tag and every field but the signature,
/// one a line, so that no field can be moved into another.
pub fn checkpoint_message(seq: u64, hash: &str, at: &str, why: &str) -> Vec<u8> {
    format!("dutydesk checkpoint v1\n{seq}\n{hash}\n{at}\n{why}\n").into_bytes()
}

/// True when `sig_hex` is `public_hex`'s signature of `msg`.
pub fn verify(public_hex: &str, msg: &[u8], sig_hex: &str) -> bool {
    let key = hex::decode(public_hex)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok());
    let sig = hex::decode(sig_hex)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b));
    match (key, sig) {
        (Some(k), Some(s)) => k.verify_strict(msg, &s).is_ok(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_covers_every_field_and_only_its_key_verifies_it() {
        let k = DeskKey::from_bytes(&[7u8; 32]);
        let other = DeskKey::from_bytes(&[8u8; 32]);
        let msg = checkpoint_message(1000, "ab12", "2026-12-03T02:00:00+08:00", "every");
        let sig = k.sign(&msg);
        assert!(verify(&k.public_hex(), &msg, &sig));
        let changed = [
            checkpoint_message(1001, "ab12", "2026-12-03T02:00:00+08:00", "every"),
            checkpoint_message(1000, "ab13", "2026-12-03T02:00:00+08:00", "every"),
            checkpoint_message(1000, "ab12", "2026-12-03T02:00:01+08:00", "every"),
            checkpoint_message(1000, "ab12", "2026-12-03T02:00:00+08:00", "handover"),
        ];
        for m in &changed {
            assert!(!verify(&k.public_hex(), m, &sig));
        }
        assert!(!verify(&other.public_hex(), &msg, &sig));
        assert!(!verify(&k.public_hex(), &msg, "00"));
        assert!(!verify("zz", &msg, &sig));
    }

    #[test]
    fn the_key_file_is_made_private_read_back_and_refused_when_open_to_others() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let a = DeskKey::load_or_create(dir.path()).unwrap();
        let path = dir.path().join(KEY_FILE);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let b = DeskKey::load_or_create(dir.path()).unwrap();
        assert_eq!(a.public_hex(), b.public_hex());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = DeskKey::load_or_create(dir.path()).unwrap_err();
        assert!(e.to_string().contains("chmod 600"), "{e}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&path, "not a key\n").unwrap();
        let e = DeskKey::load_or_create(dir.path()).unwrap_err();
        assert!(e.to_string().contains("not a desk key"), "{e}");
    }
}
