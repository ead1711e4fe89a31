//! The server's secret key: from `TWOFA_SECRET_KEY` or `<data dir>/secret.key` (created 0600 on
//! first run), checked against the database at start so a wrong key fails with a clear message.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};
use hmac::{Hmac, Mac};
use rand_core::RngCore;
use sha2::Sha256;
use twofa_core::{RecoveryCodeHasher, SecretBox};
use zeroize::Zeroizing;

use crate::crypto;
use crate::db::{meta, Db};
use crate::settings::Settings;

/// Everything derived from the one secret key.
pub struct Keys {
    pub secret_box: SecretBox,
    pub recovery: RecoveryCodeHasher,
    /// Signs/encrypts the session cookie (actix-session `Key`, derived via HKDF).
    pub cookie: actix_web::cookie::Key,
}

impl Keys {
    pub fn from_master(master: &[u8; 32]) -> Self {
        Keys {
            secret_box: SecretBox::new(*subkey(master, b"twofa totp sealing v1")),
            recovery: RecoveryCodeHasher::new(*subkey(master, RECOVERY_LOOKUP_LABEL)),
            cookie: actix_web::cookie::Key::derive_from(&*subkey(master, b"twofa cookie v1")),
        }
    }
}

/// Label of the recovery-code lookup key; a rotated database keeps it sealed (keys_rotate).
pub(crate) const RECOVERY_LOOKUP_LABEL: &[u8] = b"twofa recovery lookup v1";

/// Independent subkeys per purpose: HMAC-SHA256(master, label).
pub(crate) fn subkey(master: &[u8; 32], label: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("HMAC takes any key size");
    mac.update(label);
    Zeroizing::new(mac.finalize().into_bytes().into())
}

pub fn load_master_key(settings: &Settings) -> anyhow::Result<Zeroizing<[u8; 32]>> {
    if let Some(hex_key) = &settings.secret_key {
        return parse_key(hex_key.trim())
            .context("TWOFA_SECRET_KEY must be 64 hex characters (32 bytes)");
    }
    let path = settings.data_dir.join("secret.key");
    if path.exists() {
        let text = Zeroizing::new(
            std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the key file {}", path.display()))?,
        );
        warn_if_readable_by_others(&path);
        return parse_key(text.trim()).with_context(|| {
            format!(
                "the key file {} must hold 64 hex characters",
                path.display()
            )
        });
    }
    create_key_file(&path)
}

fn parse_key(hex_key: &str) -> anyhow::Result<Zeroizing<[u8; 32]>> {
    let bytes = Zeroizing::new(hex::decode(hex_key).map_err(|_| anyhow::anyhow!("not hex"))?);
    let key: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| anyhow::anyhow!("not 32 bytes"))?;
    Ok(Zeroizing::new(key))
}

fn create_key_file(path: &Path) -> anyhow::Result<Zeroizing<[u8; 32]>> {
    let mut key = Zeroizing::new([0u8; 32]);
    crypto::rng().fill_bytes(key.as_mut());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create the key file {}", path.display()))?;
    let text = Zeroizing::new(hex::encode(key.as_ref()));
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    tracing::info!(path = %path.display(), "created a new secret key file; back it up with the database");
    Ok(key)
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(path = %path.display(), "the key file is readable by other users; chmod 600 it");
            }
        }
    }
}

/// First run: store a check value sealed with the key. Later runs: refuse a key that does not fit.
pub fn check_against_database(db: &Db, keys: &Keys) -> anyhow::Result<()> {
    let key_id = keys.secret_box.key_id();
    let stored = db
        .write_blocking(|conn| {
            let check = meta::get(conn, meta::KEY_CHECK)?;
            let stored_id = meta::get(conn, meta::KEY_ID)?;
            if check.is_none() {
                let value = keys.secret_box.check_value(&mut crypto::rng());
                meta::insert(conn, meta::KEY_CHECK, &value)?;
                meta::set(conn, meta::KEY_ID, key_id.as_bytes())?;
            }
            Ok((check, stored_id))
        })
        .map_err(|e| anyhow::anyhow!("cannot read the key check from the database: {e}"))?;
    if let (Some(check), stored_id) = stored {
        if !keys.secret_box.verify_check_value(&check) {
            let expected = stored_id
                .map(|id| String::from_utf8_lossy(&id).into_owned())
                .unwrap_or_else(|| "unknown".into());
            bail!(
                "the secret key (key id {key_id}) does not fit this database, which was set up \
                 with key id {expected}. Start twofa with the key this database was created with \
                 (TWOFA_SECRET_KEY or <data dir>/secret.key); refusing to run so that no TOTP \
                 secret is misread."
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subkeys_differ_per_label_and_are_stable() {
        let master = [7u8; 32];
        assert_ne!(*subkey(&master, b"a"), *subkey(&master, b"b"));
        assert_eq!(*subkey(&master, b"a"), *subkey(&master, b"a"));
    }

    #[test]
    fn key_parsing_rejects_wrong_lengths() {
        assert!(parse_key(&"ab".repeat(32)).is_ok());
        assert!(parse_key(&"ab".repeat(31)).is_err());
        assert!(parse_key(&"zz".repeat(32)).is_err());
    }
}
